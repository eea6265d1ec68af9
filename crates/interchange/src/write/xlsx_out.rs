//! xlsx export with rust_xlsxwriter: one worksheet, bold frozen header row,
//! column widths from the header and the first rows, every value a string
//! cell in text format (so `0012` and 18-digit ID numbers stay exactly as
//! they are, also when a user later types into the column), and values that
//! could start a formula stored with Excel's quote-prefix style.
//!
//! The worksheet runs in rust_xlsxwriter's constant-memory mode: each row
//! goes to a temporary file as soon as the next one starts, so a million-row
//! export holds one row (plus the width sample) in memory, at the price of
//! inline strings (a somewhat larger file) and a writable temp directory.

use std::path::Path;

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use super::collect_row;
use crate::formula::{guard_xlsx_text, needs_guard};
use crate::WriteError;

/// Excel's last row is 1 048 576; one is the header.
pub const XLSX_MAX_DATA_ROWS: usize = 1_048_575;
/// Excel refuses longer text in one cell.
pub const XLSX_MAX_CELL_CHARS: usize = 32_767;
/// Rows looked at to size the columns before writing starts.
const WIDTH_SAMPLE_ROWS: usize = 200;
const MIN_WIDTH: usize = 6;
const MAX_WIDTH: usize = 60;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XlsxOptions {
    /// The worksheet's name (at most 31 characters, none of `[]:*?/\`).
    pub sheet_name: String,
}

impl Default for XlsxOptions {
    fn default() -> Self {
        Self {
            sheet_name: "Sheet1".to_owned(),
        }
    }
}

/// Builds the workbook in memory and returns the xlsx file's bytes.
pub fn write_xlsx_to_vec<H, I, R>(
    headers: &[H],
    rows: I,
    options: &XlsxOptions,
) -> Result<Vec<u8>, WriteError>
where
    H: AsRef<str>,
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let (mut workbook, _) = build(headers, rows, options)?;
    Ok(workbook.save_to_buffer()?)
}

/// Writes the xlsx file to `path` and returns the number of data rows.
pub fn write_xlsx_to_path<P, H, I, R>(
    path: P,
    headers: &[H],
    rows: I,
    options: &XlsxOptions,
) -> Result<u64, WriteError>
where
    P: AsRef<Path>,
    H: AsRef<str>,
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let (mut workbook, written) = build(headers, rows, options)?;
    workbook.save(path)?;
    Ok(written)
}

struct Formats {
    header: Format,
    header_guarded: Format,
    text: Format,
    guarded: Format,
}

impl Formats {
    fn new() -> Self {
        // "@" is Excel's Text number format: what a user types later into
        // these columns stays text too.
        let text = Format::new().set_num_format("@");
        let header = text.clone().set_bold();
        Self {
            header_guarded: header.clone().set_quote_prefix(),
            header,
            guarded: text.clone().set_quote_prefix(),
            text,
        }
    }
}

fn build<H, I, R>(
    headers: &[H],
    rows: I,
    options: &XlsxOptions,
) -> Result<(Workbook, u64), WriteError>
where
    H: AsRef<str>,
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let formats = Formats::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet_with_constant_memory();
    sheet.set_name(options.sheet_name.as_str())?;

    // Column widths and formats must be settled before rows stream out, so
    // the first rows are held back as a sample to measure.
    let mut rows = rows.into_iter();
    let mut sample = Vec::new();
    for (i, row) in rows.by_ref().take(WIDTH_SAMPLE_ROWS).enumerate() {
        sample.push(collect_row(row, headers.len(), i + 2)?);
    }
    for (col, header) in headers.iter().enumerate() {
        let widest = sample
            .iter()
            .map(|r| display_width(r[col].as_ref()))
            .chain([display_width(header.as_ref())])
            .max()
            .unwrap_or(0);
        let width = (widest + 2).clamp(MIN_WIDTH, MAX_WIDTH);
        let col = column_number(col)?;
        sheet.set_column_width(col, width as f64)?;
        sheet.set_column_format(col, &formats.text)?;
    }
    sheet.set_freeze_panes(1, 0)?;

    for (col, header) in headers.iter().enumerate() {
        let header = header.as_ref();
        let format = if needs_guard(header) {
            &formats.header_guarded
        } else {
            &formats.header
        };
        write_text(sheet, 0, col, header, format)?;
    }

    let mut written: usize = 0;
    for values in sample {
        written += 1;
        write_row(sheet, written, &values, &formats)?;
    }
    for row in rows {
        let values = collect_row(row, headers.len(), written + 2)?;
        written += 1;
        write_row(sheet, written, &values, &formats)?;
    }
    if !headers.is_empty() {
        sheet.autofilter(
            0,
            0,
            row_number(written)?,
            column_number(headers.len() - 1)?,
        )?;
    }
    Ok((workbook, written as u64))
}

fn write_row<S: AsRef<str>>(
    sheet: &mut Worksheet,
    row: usize,
    values: &[S],
    formats: &Formats,
) -> Result<(), WriteError> {
    if row > XLSX_MAX_DATA_ROWS {
        return Err(WriteError::TooManyRows {
            limit: XLSX_MAX_DATA_ROWS,
        });
    }
    for (col, value) in values.iter().enumerate() {
        let value = value.as_ref();
        if value.is_empty() {
            // Nothing to write: an absent cell reads back as "".
            continue;
        }
        let format = if needs_guard(value) {
            &formats.guarded
        } else {
            &formats.text
        };
        write_text(sheet, row, col, value, format)?;
    }
    Ok(())
}

/// Writes one value as a string cell, never as a number or a formula.
fn write_text(
    sheet: &mut Worksheet,
    row: usize,
    col: usize,
    value: &str,
    format: &Format,
) -> Result<(), WriteError> {
    let text = guard_xlsx_text(value);
    let chars = text.chars().count();
    if chars > XLSX_MAX_CELL_CHARS {
        return Err(WriteError::CellTooLong {
            row: row + 1,
            column: col + 1,
            chars,
            limit: XLSX_MAX_CELL_CHARS,
        });
    }
    sheet.write_string_with_format(row_number(row)?, column_number(col)?, text, format)?;
    Ok(())
}

fn row_number(row: usize) -> Result<u32, WriteError> {
    u32::try_from(row).map_err(|_| WriteError::TooManyRows {
        limit: XLSX_MAX_DATA_ROWS,
    })
}

fn column_number(col: usize) -> Result<u16, WriteError> {
    u16::try_from(col).map_err(|_| WriteError::Xlsx(format!("列数过多:{}", col + 1)))
}

/// Roughly how many "0" widths a text needs: CJK and full-width characters
/// take two, everything else one; for multi-line text the longest line counts.
fn display_width(text: &str) -> usize {
    text.lines()
        .map(|line| line.chars().map(|c| if is_wide(c) { 2 } else { 1 }).sum())
        .max()
        .unwrap_or(0)
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_characters_count_double_for_column_width() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("统一社会信用代码"), 16);
        assert_eq!(display_width("短\n更长一些的行"), 12);
    }
}
