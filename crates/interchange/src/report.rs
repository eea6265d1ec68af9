//! Row-level problems of an import, gathered for every bad row rather than
//! stopping at the first: [`RowError`] and the collection [`RowErrors`].
//!
//! Deciding *whether* a cell is valid is the domain's job; this module only
//! carries the verdicts to the user, each pointing at a spreadsheet row and
//! the column header the user sees.

use std::fmt;

use gongyi_domain::Invalid;

use crate::{ColumnMap, Row};

/// One problem in one row of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The 1-based spreadsheet row number ([`Row::number`]).
    pub row: usize,
    /// The column as the user sees it (its Chinese header); empty when the
    /// problem concerns the whole row.
    pub field: String,
    /// A stable machine code, e.g. `credit_code.check_character`.
    pub code: String,
    /// A Chinese message for people.
    pub message: String,
}

impl RowError {
    pub fn new(
        row: usize,
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            row,
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }

    /// A problem with the row as a whole, e.g. a duplicate of row 3.
    pub fn whole_row(row: usize, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(row, String::new(), code, message)
    }
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "第 {} 行:{}", self.row, self.message)
        } else {
            write!(f, "第 {} 行 {}:{}", self.row, self.field, self.message)
        }
    }
}

/// Problems kept with their text; beyond these only a count is kept, so a
/// file of a million bad rows costs no more than a thousand.
pub const MAX_KEPT: usize = 1_000;

/// Row numbers up to this are told apart exactly (a bit each: 16 MiB at
/// most); rows beyond it, which no real file has, are counted as they come.
const ROW_BITS: usize = 1 << 27;

/// The rows that have a problem, as a bit set.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct RowSet {
    bits: Vec<u64>,
    distinct: usize,
    beyond: usize,
}

impl RowSet {
    fn insert(&mut self, row: usize) {
        if row >= ROW_BITS {
            self.beyond += 1;
            return;
        }
        let (word, bit) = (row / 64, 1u64 << (row % 64));
        if self.bits.len() <= word {
            self.bits.resize(word + 1, 0);
        }
        if self.bits[word] & bit == 0 {
            self.bits[word] |= bit;
            self.distinct += 1;
        }
    }

    fn len(&self) -> usize {
        self.distinct + self.beyond
    }
}

/// Every row-level problem of one import: the first [`MAX_KEPT`] with their
/// text, in the order they were found, and how many more there were.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RowErrors {
    errors: Vec<RowError>,
    /// Problems found after the first [`MAX_KEPT`]: counted, not kept.
    more: usize,
    rows: RowSet,
}

impl RowErrors {
    pub fn new() -> Self {
        Self::default()
    }

    /// The stable machine code of a rejected import as a whole.
    pub fn code(&self) -> &'static str {
        "import.invalid_rows"
    }

    pub fn push(&mut self, error: RowError) {
        self.rows.insert(error.row);
        if self.errors.len() < MAX_KEPT {
            self.errors.push(error);
        } else {
            self.more += 1;
        }
    }

    /// Records the domain's verdict on one row. Domain field names that are
    /// column keys are shown by their Chinese header, others as they are.
    pub fn push_invalid(&mut self, row: &Row, invalid: Invalid, columns: &ColumnMap) {
        for e in invalid.0 {
            let field = columns.label(&e.field).to_owned();
            self.push(RowError::new(row.number, field, e.code, e.message));
        }
    }

    /// Keeps the value of `result`, or records its errors for `row`.
    pub fn take<T>(
        &mut self,
        row: &Row,
        columns: &ColumnMap,
        result: Result<T, Invalid>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(invalid) => {
                self.push_invalid(row, invalid, columns);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// The number of problems, kept or only counted.
    pub fn len(&self) -> usize {
        self.errors.len() + self.more
    }

    /// Problems found beyond the first [`MAX_KEPT`], not kept.
    pub fn not_kept(&self) -> usize {
        self.more
    }

    /// The number of distinct rows with at least one problem.
    pub fn rows_affected(&self) -> usize {
        self.rows.len()
    }

    /// The problems kept (the first [`MAX_KEPT`]).
    pub fn iter(&self) -> std::slice::Iter<'_, RowError> {
        self.errors.iter()
    }

    /// The problems ordered by row, keeping the order found within a row.
    pub fn sorted(mut self) -> Self {
        self.errors.sort_by_key(|e| e.row);
        self
    }

    /// The problems kept (the first [`MAX_KEPT`]).
    pub fn into_vec(self) -> Vec<RowError> {
        self.errors
    }

    /// `Ok(())` when nothing was recorded.
    pub fn into_result(self) -> Result<(), RowErrors> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(self.sorted())
        }
    }

    /// A one-line summary such as `共 2 行、3 处错误`.
    pub fn summary(&self) -> String {
        format!("共 {} 行、{} 处错误", self.rows_affected(), self.len())
    }
}

impl fmt::Display for RowErrors {
    /// One line per problem kept, ordered by row, then how many more.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut ordered: Vec<&RowError> = self.errors.iter().collect();
        ordered.sort_by_key(|e| e.row);
        for (i, e) in ordered.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        if self.more > 0 {
            write!(
                f,
                "\n……另有 {} 处错误未列出(只列出前 {MAX_KEPT} 处)",
                self.more
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for RowErrors {}

impl Extend<RowError> for RowErrors {
    fn extend<I: IntoIterator<Item = RowError>>(&mut self, iter: I) {
        for e in iter {
            self.push(e);
        }
    }
}

impl FromIterator<RowError> for RowErrors {
    fn from_iter<I: IntoIterator<Item = RowError>>(iter: I) -> Self {
        let mut errors = Self::new();
        errors.extend(iter);
        errors
    }
}

/// The problems kept (the first [`MAX_KEPT`]).
impl IntoIterator for RowErrors {
    type Item = RowError;
    type IntoIter = std::vec::IntoIter<RowError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.into_iter()
    }
}

impl<'a> IntoIterator for &'a RowErrors {
    type Item = &'a RowError;
    type IntoIter = std::slice::Iter<'a, RowError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{map_columns, ColumnSpec, Table};
    use gongyi_domain::FieldError;

    #[test]
    fn a_row_error_names_the_row_and_the_column_in_chinese() {
        let e = RowError::new(5, "统一社会信用代码", "credit_code.length", "应为 18 位");
        assert_eq!(e.to_string(), "第 5 行 统一社会信用代码:应为 18 位");
        let whole = RowError::whole_row(7, "row.duplicate", "与第 3 行重复");
        assert_eq!(whole.to_string(), "第 7 行:与第 3 行重复");
    }

    #[test]
    fn every_bad_row_is_kept_and_shown_in_row_order() {
        let mut errors = RowErrors::new();
        errors.push(RowError::new(9, "名称", "name.empty", "不能为空"));
        errors.push(RowError::new(3, "名称", "name.empty", "不能为空"));
        errors.push(RowError::new(9, "联系电话", "phone.format", "格式不正确"));
        assert_eq!(errors.len(), 3);
        assert_eq!(errors.rows_affected(), 2);
        assert_eq!(errors.summary(), "共 2 行、3 处错误");
        assert_eq!(
            errors.to_string(),
            "第 3 行 名称:不能为空\n第 9 行 名称:不能为空\n第 9 行 联系电话:格式不正确"
        );
        let rows: Vec<usize> = errors
            .into_result()
            .unwrap_err()
            .iter()
            .map(|e| e.row)
            .collect();
        assert_eq!(rows, vec![3, 9, 9]);
    }

    #[test]
    fn a_million_bad_rows_keep_a_thousand_messages_and_count_the_rest() {
        let mut errors = RowErrors::new();
        for row in 2..1_000_002 {
            errors.push(RowError::new(row, "名称", "name.empty", "不能为空"));
            if row % 2 == 0 {
                errors.push(RowError::new(row, "代码", "code.empty", "不能为空"));
            }
        }
        assert_eq!(errors.len(), 1_500_000);
        assert_eq!(errors.rows_affected(), 1_000_000);
        assert_eq!(errors.iter().count(), MAX_KEPT);
        assert_eq!(errors.not_kept(), 1_500_000 - MAX_KEPT);
        let text = errors.to_string();
        assert_eq!(text.lines().count(), MAX_KEPT + 1);
        assert!(text.ends_with("……另有 1499000 处错误未列出(只列出前 1000 处)"));
        assert_eq!(errors.summary(), "共 1000000 行、1500000 处错误");
    }

    #[test]
    fn domain_verdicts_are_shown_under_the_column_header() {
        let specs = [ColumnSpec::required("credit_code", "统一社会信用代码")];
        let table = Table {
            headers: vec!["统一社会信用代码".into()],
            rows: vec![Row {
                number: 4,
                cells: vec!["123".into()],
            }],
        };
        let columns = map_columns(&table, &specs).unwrap();
        let mut errors = RowErrors::new();
        let mut invalid = Invalid::one("credit_code", "credit_code.length", "应为 18 位");
        invalid.push(FieldError::new(
            "founded_on",
            "date.format",
            "日期格式不正确",
        ));
        let kept: Option<()> = errors.take(&table.rows[0], &columns, Err(invalid));
        assert_eq!(kept, None);
        assert_eq!(
            errors.to_string(),
            "第 4 行 统一社会信用代码:应为 18 位\n第 4 行 founded_on:日期格式不正确"
        );
        assert!(RowErrors::new().into_result().is_ok());
    }
}
