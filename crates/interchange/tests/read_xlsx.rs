//! Reading xlsx as Excel writes it: dates, numbers, text that must stay text,
//! several sheets, and the row limits.

#![allow(
    clippy::unwrap_used,
    reason = "a test should fail loudly on an unexpected error"
)]

mod common;

use common::{cells, numbered, strings};
use gongyi_interchange::{read_table, ReadError, ReadLimits, ReadOptions, Table};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

fn read(bytes: &[u8]) -> Result<Table, ReadError> {
    read_table(bytes, "名册.xlsx", &ReadOptions::default())
}

/// A workbook holding what people type into the bureau's sheets.
fn typed_workbook() -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let chinese_date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let date_time = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (col, header) in [
        "名称",
        "成立日期",
        "登记日期",
        "注册资金",
        "身份证号",
        "代码",
        "时间",
        "是否",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *header).unwrap();
    }
    sheet.write_string(1, 0, "  杨浦区公益服务中心 ").unwrap();
    sheet
        .write_datetime_with_format(1, 1, ExcelDateTime::from_ymd(2019, 5, 6).unwrap(), &date)
        .unwrap();
    sheet
        .write_datetime_with_format(
            1,
            2,
            ExcelDateTime::from_ymd(2020, 12, 31).unwrap(),
            &chinese_date,
        )
        .unwrap();
    sheet.write_number(1, 3, 30000.0).unwrap();
    // An 18-digit ID typed as a number: Excel keeps 15 significant digits.
    sheet.write_number(1, 4, 110_101_199_001_011_000.0).unwrap();
    sheet.write_string(1, 5, "0012").unwrap();
    let moment = ExcelDateTime::from_ymd(2024, 1, 2)
        .unwrap()
        .and_hms(8, 30, 0)
        .unwrap();
    sheet
        .write_datetime_with_format(1, 6, moment, &date_time)
        .unwrap();
    sheet.write_boolean(1, 7, true).unwrap();

    sheet.write_string(2, 0, "第二个组织").unwrap();
    sheet.write_number(2, 3, 1234.5).unwrap();
    // Text that a spreadsheet already damaged stays as the validator must see it.
    sheet.write_string(2, 4, "5.23101E+17").unwrap();
    sheet.write_number(2, 5, 12.0).unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn dates_numbers_and_text_read_as_people_typed_them() {
    let table = read(&typed_workbook()).unwrap();
    assert_eq!(
        table.headers,
        strings(&[
            "名称",
            "成立日期",
            "登记日期",
            "注册资金",
            "身份证号",
            "代码",
            "时间",
            "是否"
        ])
    );
    assert_eq!(
        numbered(&table),
        vec![
            (
                2,
                strings(&[
                    "杨浦区公益服务中心",
                    "2019-05-06",
                    "2020-12-31",
                    "30000",
                    "110101199001011000",
                    "0012",
                    "2024-01-02 08:30:00",
                    "TRUE",
                ])
            ),
            (
                3,
                strings(&["第二个组织", "", "", "1234.5", "5.23101E+17", "12", "", ""])
            ),
        ]
    );
}

fn two_sheets(first_hidden: bool) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let notes = workbook.add_worksheet().set_name("填表说明").unwrap();
    notes.write_string(0, 0, "请按模板填写").unwrap();
    if first_hidden {
        notes.set_hidden(true);
    }
    let data = workbook.add_worksheet().set_name("名册").unwrap();
    // Excel cannot hide the active sheet, so the data sheet takes that role.
    data.set_active(first_hidden);
    data.write_string(0, 0, "名称").unwrap();
    data.write_string(1, 0, "甲").unwrap();
    workbook.save_to_buffer().unwrap()
}

#[test]
fn a_named_sheet_is_read_when_asked_for() {
    let options = ReadOptions {
        sheet: Some("名册".into()),
        ..ReadOptions::default()
    };
    let table = read_table(&two_sheets(false), "a.xlsx", &options).unwrap();
    assert_eq!(cells(&table), vec![strings(&["甲"])]);
}

#[test]
fn without_a_name_the_first_visible_sheet_is_read() {
    assert_eq!(
        read(&two_sheets(false)).unwrap().headers,
        strings(&["请按模板填写"])
    );
    assert_eq!(read(&two_sheets(true)).unwrap().headers, strings(&["名称"]));
}

#[test]
fn asking_for_a_missing_sheet_lists_the_sheets_there_are() {
    let options = ReadOptions {
        sheet: Some("2024".into()),
        ..ReadOptions::default()
    };
    let err = read_table(&two_sheets(false), "a.xlsx", &options).unwrap_err();
    assert_eq!(
        err,
        ReadError::SheetNotFound {
            name: "2024".into(),
            available: strings(&["填表说明", "名册"]),
        }
    );
}

#[test]
fn blank_rows_are_skipped_but_keep_their_numbers() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "名称").unwrap();
    sheet.write_string(0, 1, "备注").unwrap();
    sheet.write_string(1, 0, "甲").unwrap();
    sheet.write_string(4, 1, "只有备注").unwrap();
    // A formatted but empty cell far below, as Excel leaves behind.
    sheet.write_blank(99, 0, &Format::new().set_bold()).unwrap();
    let table = read(&workbook.save_to_buffer().unwrap()).unwrap();
    assert_eq!(
        numbered(&table),
        vec![(2, strings(&["甲", ""])), (5, strings(&["", "只有备注"]))]
    );
}

#[test]
fn the_row_limit_applies_while_reading_xlsx() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for row in 0..100 {
        sheet.write_number(row, 0, f64::from(row)).unwrap();
    }
    let options = ReadOptions {
        limits: ReadLimits {
            max_rows: 10,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let err = read_table(&workbook.save_to_buffer().unwrap(), "a.xlsx", &options).unwrap_err();
    assert_eq!(err, ReadError::TooManyRows { limit: 10 });
    assert_eq!(err.to_string(), "数据行数超过上限 10 行,请分批导入");
}

#[test]
fn a_value_in_a_far_column_is_refused_by_the_column_limit() {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "名称").unwrap();
    sheet.write_string(1, 16_000, "x").unwrap();
    let err = read(&workbook.save_to_buffer().unwrap()).unwrap_err();
    assert_eq!(err, ReadError::TooManyColumns { limit: 500 });
}

#[test]
fn a_truncated_xlsx_is_reported_as_damaged() {
    let bytes = typed_workbook();
    let err = read(&bytes[..bytes.len() / 2]).unwrap_err();
    assert_eq!(err.code(), "import.malformed", "saw {err:?}");
}
