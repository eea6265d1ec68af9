//! Reading one worksheet of an xlsx into a [`Table`], cell by cell.
//!
//! calamine's streaming cell reader is used instead of `worksheet_range`,
//! which would allocate a dense grid up to the furthest cell before any
//! limit could be checked. Only the zip guard's approval lets calamine open
//! the file at all.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Reader, SheetType, SheetVisible, Xlsx, XlsxError};

use super::cell::cell_text;
use super::zip_guard;
use crate::table::{clean_cell, TableBuilder};
use crate::{ReadError, ReadOptions, Table};

pub(crate) fn read(bytes: &[u8], options: &ReadOptions) -> Result<Table, ReadError> {
    zip_guard::inspect(bytes, &options.limits)?;
    // A parser bug on a hostile file must become an error for that upload,
    // not take the request (or the import job) down with it.
    catch_unwind(AssertUnwindSafe(|| read_checked(bytes, options)))
        .unwrap_or_else(|_| Err(ReadError::malformed("解析时出现内部错误")))
}

/// Whether an OLE container holds a password-protected xlsx.
pub(crate) fn is_encrypted_ooxml(bytes: &[u8]) -> bool {
    // calamine's constructor checks for the `EncryptedPackage` stream first,
    // before it ever tries the bytes as a zip.
    matches!(Xlsx::<_>::new(Cursor::new(bytes)), Err(XlsxError::Password))
}

fn read_checked(bytes: &[u8], options: &ReadOptions) -> Result<Table, ReadError> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(xlsx_error)?;
    let sheet = choose_sheet(&workbook, options.sheet.as_deref())?;
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(xlsx_error)?;

    let mut table = TableBuilder::new(&options.limits);
    // calamine's rows and columns are 0-based; people count from 1.
    let mut current: Option<(u32, Vec<String>)> = None;
    while let Some(cell) = cells.next_cell().map_err(xlsx_error)? {
        let (row, col) = cell.get_position();
        let text = clean_cell(&cell_text(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        table.check_column(col as usize)?;
        match &mut current {
            Some((r, values)) if *r == row => put(values, col as usize, text),
            Some((r, _)) if *r > row => {
                return Err(ReadError::malformed(format!(
                    "第 {} 行出现在第 {} 行之后",
                    row + 1,
                    *r + 1
                )));
            }
            _ => {
                if let Some((r, values)) = current.take() {
                    table.push(r as usize + 1, values)?;
                }
                let mut values = Vec::new();
                put(&mut values, col as usize, text);
                current = Some((row, values));
            }
        }
    }
    if let Some((r, values)) = current {
        table.push(r as usize + 1, values)?;
    }
    table.finish()
}

fn put(values: &mut Vec<String>, col: usize, text: String) {
    if values.len() <= col {
        values.resize(col + 1, String::new());
    }
    values[col] = text;
}

/// The named worksheet, or else the first one a user would see.
fn choose_sheet<R>(workbook: &Xlsx<R>, wanted: Option<&str>) -> Result<String, ReadError>
where
    R: std::io::Read + std::io::Seek,
{
    let worksheets: Vec<_> = workbook
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .collect();
    if let Some(wanted) = wanted {
        return worksheets
            .iter()
            .find(|s| s.name == wanted || s.name.trim() == wanted.trim())
            .map(|s| s.name.clone())
            .ok_or_else(|| ReadError::SheetNotFound {
                name: wanted.to_owned(),
                available: worksheets.iter().map(|s| s.name.clone()).collect(),
            });
    }
    worksheets
        .iter()
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| worksheets.first())
        .map(|s| s.name.clone())
        .ok_or(ReadError::NoWorksheet)
}

fn xlsx_error(e: XlsxError) -> ReadError {
    match e {
        XlsxError::Password => ReadError::Encrypted,
        other => ReadError::malformed(other),
    }
}
