//! Reading csv as Excel and people actually produce it: GBK without a BOM,
//! UTF-8 with one, UTF-16 "Unicode text", tabs and semicolons, and files
//! that are not spreadsheets at all.

#![allow(
    clippy::unwrap_used,
    reason = "a test should fail loudly on an unexpected error"
)]

mod common;

use common::{cells, noise, numbered, strings, zip_of};
use encoding_rs::GBK;
use gongyi_interchange::{read_table, ReadError, ReadLimits, ReadOptions};

fn read(bytes: &[u8]) -> Result<gongyi_interchange::Table, ReadError> {
    read_table(bytes, "上传.csv", &ReadOptions::default())
}

const ROSTER: &str = "统一社会信用代码,名称,成立日期\r\n\
                      52310110MJ4997262X,杨浦区绿色家园志愿服务社,2019-05-06\r\n\
                      52310110MJ4997263Y, 五角场社区公益促进会 ,\r\n";

#[test]
fn a_gbk_csv_from_chinese_excel_reads_correctly() {
    let (bytes, _, unmappable) = GBK.encode(ROSTER);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "the test input must not be UTF-8"
    );
    let table = read(&bytes).unwrap();
    assert_eq!(
        table.headers,
        strings(&["统一社会信用代码", "名称", "成立日期"])
    );
    assert_eq!(
        numbered(&table),
        vec![
            (
                2,
                strings(&[
                    "52310110MJ4997262X",
                    "杨浦区绿色家园志愿服务社",
                    "2019-05-06"
                ])
            ),
            (
                3,
                strings(&["52310110MJ4997263Y", "五角场社区公益促进会", ""])
            ),
        ]
    );
}

#[test]
fn a_utf8_bom_is_stripped_from_the_first_header() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(ROSTER.as_bytes());
    let table = read(&bytes).unwrap();
    assert_eq!(table.headers[0], "统一社会信用代码");
    assert_eq!(table.rows.len(), 2);
}

#[test]
fn utf16_unicode_text_with_tabs_reads_correctly() {
    let text = "\u{FEFF}名称\t代码\r\n甲组织\t0012\r\n";
    let bytes: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let table = read(&bytes).unwrap();
    assert_eq!(table.headers, strings(&["名称", "代码"]));
    assert_eq!(cells(&table), vec![strings(&["甲组织", "0012"])]);
}

#[test]
fn semicolon_separated_files_read_correctly() {
    let table = read("名称;代码\n甲;1\n".as_bytes()).unwrap();
    assert_eq!(cells(&table), vec![strings(&["甲", "1"])]);
}

#[test]
fn row_numbers_match_excel_across_blank_lines_and_multi_line_cells() {
    let text = "名称,备注\n甲,1\n\n乙,\"第一行\n第二行\"\n,\n丙,3\n";
    let table = read(text.as_bytes()).unwrap();
    assert_eq!(
        numbered(&table),
        vec![
            (2, strings(&["甲", "1"])),
            (4, strings(&["乙", "第一行\n第二行"])),
            (6, strings(&["丙", "3"])),
        ]
    );
}

#[test]
fn row_numbers_stay_right_with_crlf_inside_and_between_cells() {
    let text = "名称,备注\r\n甲,\"第一行\r\n第二行\"\r\n\r\n乙,c\r\n";
    let table = read(text.as_bytes()).unwrap();
    assert_eq!(
        numbered(&table),
        vec![
            (2, strings(&["甲", "第一行\r\n第二行"])),
            (4, strings(&["乙", "c"])),
        ]
    );
}

#[test]
fn text_that_a_spreadsheet_already_damaged_is_kept_as_written() {
    let table = read("身份证号\n5.23101E+17\n".as_bytes()).unwrap();
    assert_eq!(cells(&table), vec![strings(&["5.23101E+17"])]);
}

#[test]
fn a_picture_is_not_a_spreadsheet() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend(noise(2000, 7));
    assert_eq!(read(&png), Err(ReadError::NotASpreadsheet));
    // Even when someone renames it.
    assert_eq!(
        read_table(&png, "名册.xlsx", &ReadOptions::default()),
        Err(ReadError::NotASpreadsheet)
    );
}

#[test]
fn random_bytes_are_not_a_spreadsheet() {
    for seed in 1..20 {
        let bytes = noise(4096, seed);
        let err = read(&bytes).unwrap_err();
        assert_eq!(err, ReadError::NotASpreadsheet, "seed {seed}");
        assert_eq!(err.code(), "import.not_a_spreadsheet");
    }
}

#[test]
fn a_word_document_is_not_a_spreadsheet() {
    let docx = zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
    ]);
    let err = read_table(&docx, "名册.docx", &ReadOptions::default()).unwrap_err();
    assert_eq!(err, ReadError::NotASpreadsheet);
    assert_eq!(
        err.to_string(),
        "文件不是可识别的电子表格,请上传 .xlsx 或 .csv 文件"
    );
}

#[test]
fn text_in_no_known_encoding_is_refused_rather_than_garbled() {
    // Valid in neither UTF-8 nor GB18030: 0x81 must be followed by a trail byte.
    let err = read(b"\xC3\xFB\xB3\xC6,\x81\n").unwrap_err();
    assert_eq!(err, ReadError::BadEncoding);
    assert_eq!(err.code(), "import.bad_encoding");
}

#[test]
fn an_empty_file_has_no_header_row() {
    assert_eq!(read(b""), Err(ReadError::Empty));
    assert_eq!(read(b"\r\n,,\r\n"), Err(ReadError::Empty));
}

#[test]
fn a_value_far_to_the_right_is_refused_by_the_column_limit() {
    let mut line = "名称".to_owned();
    line.push_str(&",".repeat(600));
    line.push_str("x\n");
    assert_eq!(
        read(line.as_bytes()),
        Err(ReadError::TooManyColumns { limit: 500 })
    );
}

#[test]
fn a_line_of_a_million_empty_cells_costs_nothing() {
    let mut text = "名称\n".to_owned();
    text.push_str(&",".repeat(1_000_000));
    text.push_str("\n甲\n");
    let table = read(text.as_bytes()).unwrap();
    assert_eq!(numbered(&table), vec![(3, strings(&["甲"]))]);
}

#[test]
fn the_row_and_cell_limits_apply_to_csv() {
    let text: String = std::iter::once("a,b\n".to_owned())
        .chain((0..100).map(|i| format!("{i},{i}\n")))
        .collect();
    let rows = ReadOptions {
        limits: ReadLimits {
            max_rows: 50,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    assert_eq!(
        read_table(text.as_bytes(), "a.csv", &rows),
        Err(ReadError::TooManyRows { limit: 50 })
    );
    let cells = ReadOptions {
        limits: ReadLimits {
            max_cells: 20,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    assert_eq!(
        read_table(text.as_bytes(), "a.csv", &cells),
        Err(ReadError::TooManyCells { limit: 20 })
    );
}
