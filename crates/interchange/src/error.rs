//! The two error types of this crate: [`ReadError`] (a file could not be read
//! as a table at all) and [`WriteError`] (an export could not be produced).
//!
//! Each variant has a stable machine code (`import.*` / `export.*`) for the
//! API and a Chinese `Display` message for pages. Problems with *individual
//! rows* are not errors of this kind: they are collected in
//! [`crate::RowErrors`], and problems with the header row in
//! [`crate::ColumnError`].

use std::io;

use thiserror::Error;

const MIB: u64 = 1024 * 1024;

/// Why uploaded bytes could not be read as a table.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ReadError {
    /// Neither xlsx nor text: a picture, a Word document, random bytes…
    #[error("文件不是可识别的电子表格,请上传 .xlsx 或 .csv 文件")]
    NotASpreadsheet,
    /// An Excel 97-2003 workbook; see the crate docs for why it is refused.
    #[error("不支持旧版 Excel 97-2003 (.xls) 文件,请在 Excel 中“另存为”.xlsx 格式后再导入")]
    LegacyXls,
    /// A password-protected workbook.
    #[error("文件设置了密码保护,请在 Excel 中取消密码后再导入")]
    Encrypted,
    /// Text that is neither UTF-8, UTF-16 with BOM, nor GB18030/GBK.
    #[error("无法识别文件的文字编码,请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再导入")]
    BadEncoding,
    /// The upload itself is larger than [`crate::ReadLimits::max_file_bytes`].
    #[error("文件大小超过上限 {}", mib(*limit_bytes))]
    FileTooLarge { limit_bytes: u64 },
    /// The xlsx would unpack to too much, or unpacks to more than it declares.
    #[error("文件的压缩内容异常({reason}),为安全起见已拒绝读取")]
    SuspiciousCompression { reason: String },
    #[error("数据行数超过上限 {limit} 行,请分批导入")]
    TooManyRows { limit: usize },
    #[error("列数超过上限 {limit} 列")]
    TooManyColumns { limit: usize },
    #[error("单元格数超过上限 {limit} 个,请分批导入")]
    TooManyCells { limit: usize },
    /// One csv record longer than [`crate::ReadLimits::max_record_bytes`].
    #[error("第 {row} 行超过单行长度上限 {},文件可能已损坏或不是表格", mib(*limit_bytes))]
    RecordTooLong { row: usize, limit_bytes: u64 },
    #[error("找不到工作表“{name}”,文件中的工作表有:{}", quoted_list(available))]
    SheetNotFound {
        name: String,
        available: Vec<String>,
    },
    #[error("文件中没有工作表")]
    NoWorksheet,
    /// No non-empty row at all, so there is no header row either.
    #[error("表格是空的,没有找到表头行")]
    Empty,
    /// A zip or sheet that its reader could not parse.
    #[error("文件已损坏或格式不正确({detail})")]
    Malformed { detail: String },
}

impl ReadError {
    /// The stable machine code for the API, e.g. `import.not_a_spreadsheet`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotASpreadsheet => "import.not_a_spreadsheet",
            Self::LegacyXls => "import.legacy_xls",
            Self::Encrypted => "import.encrypted",
            Self::BadEncoding => "import.bad_encoding",
            Self::FileTooLarge { .. } => "import.file_too_large",
            Self::SuspiciousCompression { .. } => "import.suspicious_compression",
            Self::TooManyRows { .. } => "import.too_many_rows",
            Self::TooManyColumns { .. } => "import.too_many_columns",
            Self::TooManyCells { .. } => "import.too_many_cells",
            Self::RecordTooLong { .. } => "import.record_too_long",
            Self::SheetNotFound { .. } => "import.sheet_not_found",
            Self::NoWorksheet => "import.no_worksheet",
            Self::Empty => "import.empty",
            Self::Malformed { .. } => "import.malformed",
        }
    }

    pub fn malformed(detail: impl ToString) -> Self {
        Self::Malformed {
            detail: detail.to_string(),
        }
    }
}

/// Why an export could not be written.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum WriteError {
    #[error("写入导出文件失败:{0}")]
    Io(#[from] io::Error),
    /// A programming error in the caller: every row must have one value per header.
    #[error("第 {row} 行有 {got} 个值,与表头的 {expected} 列不一致")]
    RowWidth {
        row: usize,
        expected: usize,
        got: usize,
    },
    #[error("导出数据超过 Excel 上限 {limit} 行,请改用 CSV 或分批导出")]
    TooManyRows { limit: usize },
    #[error(
        "第 {row} 行第 {column} 列的文本有 {chars} 个字符,超过 Excel 单元格上限 {limit} 个字符"
    )]
    CellTooLong {
        row: usize,
        column: usize,
        chars: usize,
        limit: usize,
    },
    /// Anything else rust_xlsxwriter refused, e.g. an invalid sheet name.
    #[error("生成 Excel 文件失败:{0}")]
    Xlsx(String),
}

impl WriteError {
    /// The stable machine code for the API, e.g. `export.too_many_rows`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Io(_) => "export.io",
            Self::RowWidth { .. } => "export.row_width",
            Self::TooManyRows { .. } => "export.too_many_rows",
            Self::CellTooLong { .. } => "export.cell_too_long",
            Self::Xlsx(_) => "export.xlsx",
        }
    }
}

impl From<csv::Error> for WriteError {
    fn from(e: csv::Error) -> Self {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => Self::Io(io),
            other => Self::Io(io::Error::other(format!("{other:?}"))),
        }
    }
}

impl From<rust_xlsxwriter::XlsxError> for WriteError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        match e {
            rust_xlsxwriter::XlsxError::IoError(io) => Self::Io(io),
            other => Self::Xlsx(other.to_string()),
        }
    }
}

/// Sizes in messages are shown in MiB, which is what people compare with.
pub(crate) fn mib(bytes: u64) -> String {
    if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64).replace(".0 MiB", " MiB")
    } else {
        format!("{bytes} 字节")
    }
}

fn quoted_list(items: &[String]) -> String {
    if items.is_empty() {
        return "(无)".to_owned();
    }
    items
        .iter()
        .map(|s| format!("“{s}”"))
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_messages_are_shown_in_mib() {
        assert_eq!(mib(200 * MIB), "200 MiB");
        assert_eq!(mib(MIB + MIB / 2), "1.5 MiB");
        assert_eq!(mib(512), "512 字节");
    }

    #[test]
    fn a_missing_sheet_names_the_sheets_that_exist() {
        let e = ReadError::SheetNotFound {
            name: "名册".into(),
            available: vec!["Sheet1".into(), "说明".into()],
        };
        assert_eq!(e.code(), "import.sheet_not_found");
        assert_eq!(
            e.to_string(),
            "找不到工作表“名册”,文件中的工作表有:“Sheet1”、“说明”"
        );
    }
}
