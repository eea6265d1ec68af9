//! The [`Table`] every reader produces: a header row and data rows of trimmed
//! strings, each row knowing its spreadsheet row number.
//!
//! It also holds the builder the readers share, which is where cells are
//! cleaned (trimmed, export guard removed), blank rows are skipped and the
//! row, column and cell limits are enforced while reading, not afterwards.

use crate::formula::unguard;
use crate::{ReadError, ReadLimits};

/// A sheet read from a file: the header row and the non-blank rows below it.
///
/// Every row has exactly `headers.len()` cells. A header may be empty when
/// data stands in a column without a name; [`crate::map_columns`] reports it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The 1-based row number the user sees in Excel (the header is normally 1).
    pub number: usize,
    /// Trimmed cell texts, one per header; empty cells are `""`.
    pub cells: Vec<String>,
}

impl Row {
    /// The cell in column `index` (0-based), or `""` past the end.
    pub fn get(&self, index: usize) -> &str {
        self.cells.get(index).map_or("", String::as_str)
    }
}

impl Table {
    /// The number of columns.
    pub fn width(&self) -> usize {
        self.headers.len()
    }

    /// Whether column `index` holds any non-empty cell.
    pub fn column_has_data(&self, index: usize) -> bool {
        self.rows.iter().any(|r| !r.get(index).is_empty())
    }
}

/// Cleans one raw cell: trimmed, with the exporter's formula guard removed.
pub(crate) fn clean_cell(raw: &str) -> String {
    unguard(raw.trim()).trim().to_owned()
}

/// Collects rows in order and enforces the limits as they arrive.
pub(crate) struct TableBuilder<'l> {
    limits: &'l ReadLimits,
    headers: Option<Vec<String>>,
    rows: Vec<Row>,
    /// Data rows seen so far, including those already handed out in chunks.
    total_rows: usize,
    cells: usize,
    width: usize,
}

impl<'l> TableBuilder<'l> {
    pub(crate) fn new(limits: &'l ReadLimits) -> Self {
        Self {
            limits,
            headers: None,
            rows: Vec::new(),
            total_rows: 0,
            cells: 0,
            width: 0,
        }
    }

    /// Hands out the rows collected so far as a table once there are `n`
    /// of them, so a streaming reader keeps only one chunk in memory.
    pub(crate) fn take_chunk(&mut self, n: usize) -> Option<Table> {
        if self.rows.len() < n.max(1) {
            return None;
        }
        let headers = self.headers.clone()?;
        let rows = std::mem::take(&mut self.rows);
        Some(chunk_table(headers, rows, self.width))
    }

    /// Checks a column index before a reader stores a non-empty cell there,
    /// so a stray value in column XFD cannot make every row 16 384 wide.
    pub(crate) fn check_column(&self, index: usize) -> Result<(), ReadError> {
        if index >= self.limits.max_columns {
            return Err(ReadError::TooManyColumns {
                limit: self.limits.max_columns,
            });
        }
        Ok(())
    }

    /// Adds the row numbered `number` with already-cleaned cells. The first
    /// non-blank row becomes the header; blank rows are dropped.
    pub(crate) fn push(&mut self, number: usize, mut cells: Vec<String>) -> Result<(), ReadError> {
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            return Ok(());
        }
        self.check_column(cells.len() - 1)?;
        self.cells += cells.iter().filter(|c| !c.is_empty()).count();
        if self.cells > self.limits.max_cells {
            return Err(ReadError::TooManyCells {
                limit: self.limits.max_cells,
            });
        }
        self.width = self.width.max(cells.len());
        if self.headers.is_none() {
            self.headers = Some(cells);
            return Ok(());
        }
        if self.total_rows >= self.limits.max_rows {
            return Err(ReadError::TooManyRows {
                limit: self.limits.max_rows,
            });
        }
        self.total_rows += 1;
        self.rows.push(Row { number, cells });
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<Table, ReadError> {
        let headers = self.headers.ok_or(ReadError::Empty)?;
        Ok(chunk_table(headers, self.rows, self.width))
    }
}

/// A table whose header and rows are padded to `width` cells.
fn chunk_table(mut headers: Vec<String>, mut rows: Vec<Row>, width: usize) -> Table {
    headers.resize(width.max(headers.len()), String::new());
    let width = headers.len();
    for row in &mut rows {
        row.cells.resize(width, String::new());
    }
    Table { headers, rows }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_first_non_blank_row_is_the_header_and_rows_are_padded() {
        let limits = ReadLimits::default();
        let mut b = TableBuilder::new(&limits);
        b.push(1, strings(&["", ""])).unwrap();
        b.push(2, strings(&["名称", "代码"])).unwrap();
        b.push(3, strings(&["甲", "", "", ""])).unwrap();
        b.push(5, strings(&["乙", "", "备注"])).unwrap();
        let t = b.finish().unwrap();
        assert_eq!(t.headers, strings(&["名称", "代码", ""]));
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].number, 3);
        assert_eq!(t.rows[0].cells, strings(&["甲", "", ""]));
        assert_eq!(t.rows[1].number, 5);
        assert!(t.column_has_data(2));
    }

    #[test]
    fn cells_are_trimmed_and_lose_only_the_export_guard() {
        assert_eq!(clean_cell("  '=1+1 "), "=1+1");
        assert_eq!(clean_cell(" 'abc"), "'abc");
        assert_eq!(clean_cell("\u{3000}张三\u{3000}"), "张三");
    }

    #[test]
    fn a_sheet_without_any_value_is_empty() {
        let limits = ReadLimits::default();
        let b = TableBuilder::new(&limits);
        assert_eq!(b.finish(), Err(ReadError::Empty));
    }

    #[test]
    fn the_row_limit_counts_data_rows_only() {
        let limits = ReadLimits {
            max_rows: 2,
            ..ReadLimits::default()
        };
        let mut b = TableBuilder::new(&limits);
        for n in 1..=3 {
            b.push(n, strings(&["x"])).unwrap();
        }
        assert_eq!(
            b.push(4, strings(&["x"])),
            Err(ReadError::TooManyRows { limit: 2 })
        );
    }
}
