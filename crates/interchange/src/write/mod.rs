//! Writing tables out as csv or xlsx, both streaming row by row and both
//! neutralising formula injection (see [`crate::formula`]).
//!
//! Rows are anything iterable whose items are iterables of string-likes, so
//! an export can feed rows straight from a database cursor without first
//! holding them all. Every value is written as text: numbers, codes and ID
//! numbers alike keep their exact digits and leading zeros.

mod csv_out;
mod xlsx_out;

pub use csv_out::{write_csv, CsvOptions};
pub use xlsx_out::{
    write_xlsx_to_path, write_xlsx_to_vec, XlsxOptions, XLSX_MAX_CELL_CHARS, XLSX_MAX_DATA_ROWS,
};

use crate::WriteError;

/// Collects one row's values and checks it has one value per header.
/// `number` is the spreadsheet row number, used in the error.
fn collect_row<R>(row: R, width: usize, number: usize) -> Result<Vec<R::Item>, WriteError>
where
    R: IntoIterator,
{
    let values: Vec<R::Item> = row.into_iter().collect();
    if values.len() != width {
        return Err(WriteError::RowWidth {
            row: number,
            expected: width,
            got: values.len(),
        });
    }
    Ok(values)
}
