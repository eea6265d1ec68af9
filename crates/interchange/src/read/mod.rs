//! Reading uploaded bytes into a [`Table`]: format sniffing, the limits, and
//! the entry point [`read_table`].
//!
//! The format is decided by the bytes, not the file name: a csv renamed to
//! `.xlsx` still reads, and a picture renamed to `.csv` is refused. The name
//! only helps to tell an old `.xls` from other legacy Office files.

mod cell;
mod delimited;
mod xlsx;
mod zip_guard;

use crate::{ReadError, Table};

const MIB: u64 = 1024 * 1024;

/// Upper bounds on what one read may cost. The defaults fit the bureau's
/// real files (tens of thousands of rows) with a wide margin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadLimits {
    /// The upload itself, csv or xlsx.
    pub max_file_bytes: u64,
    /// The sum of an xlsx's uncompressed parts, as declared and as actually unpacked.
    pub max_uncompressed_bytes: u64,
    /// The largest uncompressed:compressed ratio accepted for a part bigger
    /// than [`Self::ratio_check_from_bytes`]; real sheets stay well below 100.
    pub max_compression_ratio: u64,
    /// Parts smaller than this may compress as well as they like.
    pub ratio_check_from_bytes: u64,
    /// Parts in one xlsx; a real workbook has a few dozen.
    pub max_zip_entries: usize,
    /// Data rows (not counting the header or blank rows).
    pub max_rows: usize,
    /// Columns, counted up to the last non-empty cell of any row.
    pub max_columns: usize,
    /// Non-empty cells, header included.
    pub max_cells: usize,
    /// Bytes of one csv record (one line, or several inside quotes): a
    /// single 200 MB line must not be parsed into memory whole.
    pub max_record_bytes: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: 50 * MIB,
            max_uncompressed_bytes: 200 * MIB,
            max_compression_ratio: 200,
            ratio_check_from_bytes: 4 * MIB,
            max_zip_entries: 10_000,
            max_rows: 200_000,
            max_columns: 500,
            max_cells: 10_000_000,
            max_record_bytes: MIB as usize,
        }
    }
}

/// How to read one upload.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// The xlsx worksheet to read; `None` reads the first visible worksheet.
    /// Ignored for csv.
    pub sheet: Option<String>,
    pub limits: ReadLimits,
}

/// The formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Xlsx,
    Csv,
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const EMPTY_ZIP_MAGIC: &[u8] = b"PK\x05\x06";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// Binary formats people upload by mistake that could slip past the text
/// check because their first bytes look like text (e.g. `%PDF-1.7`).
const OTHER_MAGICS: &[&[u8]] = &[
    b"%PDF-",
    b"\x89PNG",
    b"\xFF\xD8\xFF",
    b"GIF8",
    b"Rar!",
    b"7z\xBC\xAF",
    b"\x1F\x8B",
    b"{\\rtf",
];

/// Decides how to read `bytes`; `file_name` only matters for legacy files.
pub fn sniff_format(bytes: &[u8], file_name: &str) -> Result<SourceFormat, ReadError> {
    if bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(EMPTY_ZIP_MAGIC) {
        return Ok(SourceFormat::Xlsx);
    }
    if bytes.starts_with(OLE_MAGIC) {
        // An OLE container is either an encrypted xlsx, an old .xls, or
        // another old Office file; only the first two deserve their own message.
        if xlsx::is_encrypted_ooxml(bytes) {
            return Err(ReadError::Encrypted);
        }
        let ext = extension(file_name);
        return Err(if matches!(ext.as_str(), "xls" | "xlt" | "et") {
            ReadError::LegacyXls
        } else {
            ReadError::NotASpreadsheet
        });
    }
    if OTHER_MAGICS.iter().any(|m| bytes.starts_with(m)) {
        return Err(ReadError::NotASpreadsheet);
    }
    Ok(SourceFormat::Csv)
}

/// Reads an uploaded xlsx or csv file into a [`Table`].
///
/// `file_name` is the name the user uploaded (used only as a hint); errors
/// carry a machine code and a Chinese message for the user.
pub fn read_table(
    bytes: &[u8],
    file_name: &str,
    options: &ReadOptions,
) -> Result<Table, ReadError> {
    if bytes.len() as u64 > options.limits.max_file_bytes {
        return Err(ReadError::FileTooLarge {
            limit_bytes: options.limits.max_file_bytes,
        });
    }
    match sniff_format(bytes, file_name)? {
        SourceFormat::Xlsx => xlsx::read(bytes, options),
        SourceFormat::Csv => delimited::read(bytes, &options.limits),
    }
}

/// Like [`read_table`], but hands out the rows `chunk_rows` at a time, each
/// chunk with the same headers, so that memory stays bounded by a chunk for
/// csv input of any size. (An xlsx sheet is parsed whole, then split.) The
/// last chunk may be empty; `on_chunk` may stop the reading with an error.
pub fn read_table_chunked(
    bytes: &[u8],
    file_name: &str,
    options: &ReadOptions,
    chunk_rows: usize,
    on_chunk: &mut dyn FnMut(Table) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    if bytes.len() as u64 > options.limits.max_file_bytes {
        return Err(ReadError::FileTooLarge {
            limit_bytes: options.limits.max_file_bytes,
        });
    }
    match sniff_format(bytes, file_name)? {
        SourceFormat::Xlsx => {
            let table = xlsx::read(bytes, options)?;
            let headers = table.headers;
            let mut rows = table.rows.into_iter().peekable();
            loop {
                let chunk: Vec<crate::Row> = rows.by_ref().take(chunk_rows.max(1)).collect();
                let last = rows.peek().is_none();
                on_chunk(Table {
                    headers: headers.clone(),
                    rows: chunk,
                })?;
                if last {
                    return Ok(());
                }
            }
        }
        SourceFormat::Csv => delimited::read_chunked(bytes, &options.limits, chunk_rows, on_chunk),
    }
}

fn extension(file_name: &str) -> String {
    file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.trim().to_ascii_lowercase())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_bytes_not_the_name() {
        assert_eq!(
            sniff_format(b"PK\x03\x04rest", "a.csv"),
            Ok(SourceFormat::Xlsx)
        );
        assert_eq!(
            sniff_format("名称,代码\n".as_bytes(), "a.xlsx"),
            Ok(SourceFormat::Csv)
        );
        assert_eq!(
            sniff_format(b"%PDF-1.7\n", "a.csv"),
            Err(ReadError::NotASpreadsheet)
        );
    }

    #[test]
    fn an_old_ole_file_named_xls_is_called_legacy_xls() {
        let mut ole = OLE_MAGIC.to_vec();
        ole.extend_from_slice(&[0; 600]);
        assert_eq!(sniff_format(&ole, "名册.XLS"), Err(ReadError::LegacyXls));
        assert_eq!(
            sniff_format(&ole, "说明.doc"),
            Err(ReadError::NotASpreadsheet)
        );
    }

    #[test]
    fn an_upload_over_the_size_limit_is_refused_before_parsing() {
        let options = ReadOptions {
            limits: ReadLimits {
                max_file_bytes: 10,
                ..ReadLimits::default()
            },
            ..ReadOptions::default()
        };
        assert_eq!(
            read_table(b"a,b\n1,2\n3,4\n", "a.csv", &options),
            Err(ReadError::FileTooLarge { limit_bytes: 10 })
        );
    }
}
