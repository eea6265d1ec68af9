//! Exports re-import unchanged, and nothing in an export can run as a formula.

#![allow(
    clippy::unwrap_used,
    reason = "a test should fail loudly on an unexpected error"
)]

mod common;

use common::{cells, strings, zip_part};
use gongyi_interchange::{
    read_table, write_csv, write_xlsx_to_path, write_xlsx_to_vec, CsvOptions, ReadOptions,
    WriteError, XlsxOptions,
};

const HEADERS: [&str; 5] = ["统一社会信用代码", "名称", "备注", "金额", "身份证号"];

/// Values that break naive exporters: leading zeros, formula starters,
/// quotes, commas, line breaks, empty cells and long text.
fn tricky_rows() -> Vec<Vec<String>> {
    let long: String = "杨浦区社会组织服务中心,".repeat(1_000);
    vec![
        strings(&[
            "0012345",
            "上海市杨浦区某某社会服务中心",
            "",
            "-5",
            "310110199001011234",
        ]),
        strings(&[
            "=1+1",
            "-开头的名称",
            "@SUM(A1)",
            "+86 138 0000 0000",
            "=HYPERLINK(\"http://x\")",
        ]),
        strings(&["'=用户自己加的引号", "'普通引号", "''=两个引号", "00", "-"]),
        strings(&[
            "52310110MJ4997262X",
            "含,逗号\"引号\"",
            "多行\n文本",
            "1234.50",
            "",
        ]),
        vec![
            "".into(),
            "只有名称".into(),
            long,
            "+3.20".into(),
            "5.23101E+17".into(),
        ],
    ]
}

#[test]
fn a_csv_export_re_imports_unchanged() {
    let rows = tricky_rows();
    let mut bytes = Vec::new();
    let written = write_csv(&mut bytes, &HEADERS, &rows, &CsvOptions::default()).unwrap();
    assert_eq!(written, rows.len() as u64);
    let table = read_table(&bytes, "导出.csv", &ReadOptions::default()).unwrap();
    assert_eq!(table.headers, strings(&HEADERS));
    assert_eq!(cells(&table), rows);
    let numbers: Vec<usize> = table.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, vec![2, 3, 4, 5, 6]);
}

#[test]
fn an_xlsx_export_re_imports_unchanged() {
    let rows = tricky_rows();
    let bytes = write_xlsx_to_vec(&HEADERS, &rows, &XlsxOptions::default()).unwrap();
    let table = read_table(&bytes, "导出.xlsx", &ReadOptions::default()).unwrap();
    assert_eq!(table.headers, strings(&HEADERS));
    assert_eq!(cells(&table), rows);
}

#[test]
fn a_csv_export_has_a_bom_crlf_and_quotes_before_formulas() {
    let rows = tricky_rows();
    let mut bytes = Vec::new();
    write_csv(&mut bytes, &HEADERS, &rows[..2], &CsvOptions { bom: true }).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(
        text,
        "\u{FEFF}统一社会信用代码,名称,备注,金额,身份证号\r\n\
         0012345,上海市杨浦区某某社会服务中心,,-5,310110199001011234\r\n\
         '=1+1,'-开头的名称,'@SUM(A1),'+86 138 0000 0000,\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"
    );
    let mut plain = Vec::new();
    write_csv(&mut plain, &HEADERS, &rows[..0], &CsvOptions { bom: false }).unwrap();
    assert!(plain.starts_with("统一".as_bytes()));
}

#[test]
fn an_xlsx_export_stores_every_value_as_a_string_and_never_a_formula() {
    let rows = tricky_rows();
    let bytes = write_xlsx_to_vec(&HEADERS, &rows, &XlsxOptions::default()).unwrap();
    let sheet = zip_part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        !sheet.contains("<f>") && !sheet.contains("<f "),
        "a formula in:\n{sheet}"
    );
    // Codes and numbers alike are inline strings, so nothing loses its zeros.
    assert!(
        !sheet.contains("t=\"n\"") && !sheet.contains("<v>"),
        "a number in:\n{sheet}"
    );
    assert!(sheet.contains("<t>0012345</t>"), "{sheet}");
    // Formula-like values keep their text and rely on the quote-prefix style…
    assert!(sheet.contains("<t>=1+1</t>"), "{sheet}");
    // …except where the user's own quote must survive the import rule.
    assert!(sheet.contains("<t>''=用户自己加的引号</t>"), "{sheet}");
    let styles = zip_part(&bytes, "xl/styles.xml");
    assert!(
        styles.contains("quotePrefix=\"1\""),
        "no quote prefix in:\n{styles}"
    );
    // The header row is frozen.
    assert!(sheet.contains("state=\"frozen\""), "{sheet}");
}

#[test]
fn an_xlsx_export_streams_rows_from_an_iterator() {
    let rows = (0..5_000).map(|i| [format!("{i:018}"), format!("组织{i}")]);
    let bytes = write_xlsx_to_vec(&["代码", "名称"], rows, &XlsxOptions::default()).unwrap();
    let table = read_table(&bytes, "a.xlsx", &ReadOptions::default()).unwrap();
    assert_eq!(table.rows.len(), 5_000);
    assert_eq!(table.rows[4_999].number, 5_001);
    assert_eq!(
        table.rows[4_999].cells,
        strings(&["000000000000004999", "组织4999"])
    );
}

#[test]
fn an_xlsx_export_can_be_written_to_a_file() {
    let path = std::env::temp_dir().join(format!("gongyi-interchange-{}.xlsx", std::process::id()));
    let rows = [["甲", "0012"]];
    let written = write_xlsx_to_path(
        &path,
        &["名称", "代码"],
        rows,
        &XlsxOptions {
            sheet_name: "社会组织".into(),
        },
    )
    .unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(written, 1);
    let options = ReadOptions {
        sheet: Some("社会组织".into()),
        ..ReadOptions::default()
    };
    let table = read_table(&bytes, "a.xlsx", &options).unwrap();
    assert_eq!(cells(&table), vec![strings(&["甲", "0012"])]);
}

#[test]
fn a_row_with_the_wrong_number_of_values_is_a_writer_error() {
    let rows = [vec!["甲"], vec!["乙", "多余"]];
    let err = write_csv(Vec::new(), &["名称"], &rows, &CsvOptions::default()).unwrap_err();
    assert!(
        matches!(
            err,
            WriteError::RowWidth {
                row: 3,
                expected: 1,
                got: 2
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.code(), "export.row_width");
    let err = write_xlsx_to_vec(&["名称"], &rows, &XlsxOptions::default()).unwrap_err();
    assert!(
        matches!(err, WriteError::RowWidth { row: 3, .. }),
        "{err:?}"
    );
}

#[test]
fn text_longer_than_an_excel_cell_is_refused_with_its_position() {
    let rows = [vec!["x".repeat(40_000)]];
    let err = write_xlsx_to_vec(&["备注"], &rows, &XlsxOptions::default()).unwrap_err();
    assert_eq!(err.code(), "export.cell_too_long");
    assert_eq!(
        err.to_string(),
        "第 2 行第 1 列的文本有 40000 个字符,超过 Excel 单元格上限 32767 个字符"
    );
}

#[test]
fn an_invalid_sheet_name_is_a_writer_error() {
    let options = XlsxOptions {
        sheet_name: "2024/名册".into(),
    };
    let err = write_xlsx_to_vec(&["名称"], [["甲"]], &options).unwrap_err();
    assert_eq!(err.code(), "export.xlsx", "{err:?}");
}
