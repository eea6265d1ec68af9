//! Matching a table's header row to the columns an importer expects.
//!
//! An importer describes its columns as [`ColumnSpec`]s; [`map_columns`]
//! finds each one by its key, Chinese label or an alias, forgiving case,
//! spaces, full-width letters, `*`/`(必填)` markers and `_`/`-`. All
//! problems with the header row are reported together in one
//! [`ColumnError`], because a renamed column shows up as one missing column
//! *and* one unknown column, and the user needs to see both to understand it.
//! Which columns exist is the importer's business, not this module's.

use std::collections::HashMap;
use std::fmt;

use crate::{Row, RowError, Table};

/// One column an importer understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    /// The identifier used in code, e.g. `credit_code`; also accepted as a header.
    pub key: &'static str,
    /// The Chinese header written by exports and templates, e.g. `统一社会信用代码`.
    pub label: &'static str,
    /// Other headers seen in the wild, e.g. `信用代码`.
    pub aliases: &'static [&'static str],
    /// Whether a file without this column is refused.
    pub required: bool,
}

impl ColumnSpec {
    pub const fn required(key: &'static str, label: &'static str) -> Self {
        Self {
            key,
            label,
            aliases: &[],
            required: true,
        }
    }

    pub const fn optional(key: &'static str, label: &'static str) -> Self {
        Self {
            key,
            label,
            aliases: &[],
            required: false,
        }
    }

    pub const fn aliases(mut self, aliases: &'static [&'static str]) -> Self {
        self.aliases = aliases;
        self
    }

    fn names(&self) -> impl Iterator<Item = &'static str> {
        [self.key, self.label]
            .into_iter()
            .chain(self.aliases.iter().copied())
    }
}

/// Everything wrong with a header row, found in one pass.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ColumnError {
    /// Labels of required columns that were not found.
    pub missing: Vec<&'static str>,
    /// Headers as written in the file that match no column (a column with
    /// data but no header is named by its letter, e.g. `D 列(无列名)`).
    pub unknown: Vec<String>,
    /// Headers that name a column already found earlier in the row.
    pub duplicated: Vec<String>,
}

impl ColumnError {
    /// The stable machine code for the API.
    pub fn code(&self) -> &'static str {
        "import.columns"
    }
}

impl fmt::Display for ColumnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!("缺少必需列{}", quoted(&self.missing)));
        }
        if !self.unknown.is_empty() {
            parts.push(format!("无法识别的列{}", quoted(&self.unknown)));
        }
        if !self.duplicated.is_empty() {
            parts.push(format!("重复的列{}", quoted(&self.duplicated)));
        }
        f.write_str(&parts.join(";"))?;
        if !self.missing.is_empty() && !self.unknown.is_empty() {
            f.write_str("(可能是列名被改动过,请使用模板中的列名)")?;
        }
        Ok(())
    }
}

impl std::error::Error for ColumnError {}

/// Where each known column sits in a table; get one from [`map_columns`].
#[derive(Debug, Clone)]
pub struct ColumnMap {
    specs: Vec<ColumnSpec>,
    /// Column index of each spec, in spec order; `None` when absent from the file.
    indices: Vec<Option<usize>>,
    unknown: Vec<String>,
}

impl ColumnMap {
    /// The 0-based column of `key` in the table, if the file has it.
    pub fn index(&self, key: &str) -> Option<usize> {
        let position = self.position(key);
        // Asking for a key no spec declares is a typo in the importer.
        debug_assert!(position.is_some(), "no column spec has the key {key:?}");
        position.and_then(|p| self.indices[p])
    }

    /// Whether the file has the column `key` at all.
    pub fn has(&self, key: &str) -> bool {
        self.index(key).is_some()
    }

    /// The cell of column `key` in `row`: `None` when the file lacks the
    /// column (so an update can keep the stored value), `Some("")` when the
    /// column is there but the cell is empty (so it can be cleared).
    pub fn cell<'r>(&self, row: &'r Row, key: &str) -> Option<&'r str> {
        self.index(key).map(|i| row.get(i))
    }

    /// The non-empty cell of column `key` in `row`, if any.
    pub fn value<'r>(&self, row: &'r Row, key: &str) -> Option<&'r str> {
        self.cell(row, key).filter(|v| !v.is_empty())
    }

    /// The spec with this key.
    pub fn spec(&self, key: &str) -> Option<&ColumnSpec> {
        self.position(key).map(|p| &self.specs[p])
    }

    /// The Chinese label of `key`, or the key itself when no spec has it.
    pub fn label<'k>(&self, key: &'k str) -> &'k str {
        self.spec(key).map_or(key, |s| s.label)
    }

    /// A [`RowError`] about column `key` of `row`, named by its Chinese label.
    pub fn row_error(
        &self,
        row: &Row,
        key: &str,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> RowError {
        RowError::new(row.number, self.label(key), code, message)
    }

    /// Headers of the file that matched no spec; their data is not read.
    pub fn unknown(&self) -> &[String] {
        &self.unknown
    }

    /// Turns unknown columns into an error, for imports that must not drop data.
    pub fn deny_unknown(self) -> Result<Self, ColumnError> {
        if self.unknown.is_empty() {
            return Ok(self);
        }
        Err(ColumnError {
            missing: Vec::new(),
            unknown: self.unknown,
            duplicated: Vec::new(),
        })
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.specs.iter().position(|s| s.key == key)
    }
}

/// Finds every spec's column in `table`'s header row.
///
/// Fails when a required column is missing or a column appears twice; the
/// error also lists unknown columns, which often explain the missing ones.
/// Unknown columns alone are not an error (bureau files often carry `序号`
/// or `备注`); see [`ColumnMap::unknown`] and [`ColumnMap::deny_unknown`].
pub fn map_columns(table: &Table, specs: &[ColumnSpec]) -> Result<ColumnMap, ColumnError> {
    let mut lookup: HashMap<String, usize> = HashMap::new();
    for (position, spec) in specs.iter().enumerate() {
        for name in spec.names() {
            lookup.entry(normalise(name)).or_insert(position);
        }
    }

    let mut indices = vec![None; specs.len()];
    let mut error = ColumnError::default();
    for (index, header) in table.headers.iter().enumerate() {
        if header.is_empty() {
            if table.column_has_data(index) {
                error
                    .unknown
                    .push(format!("{} 列(无列名)", column_letters(index)));
            }
            continue;
        }
        match lookup.get(&normalise(header)) {
            Some(&position) if indices[position].is_some() => {
                error.duplicated.push(header.clone());
            }
            Some(&position) => indices[position] = Some(index),
            None => error.unknown.push(header.clone()),
        }
    }
    error.missing = specs
        .iter()
        .zip(&indices)
        .filter(|(spec, index)| spec.required && index.is_none())
        .map(|(spec, _)| spec.label)
        .collect();

    if !error.missing.is_empty() || !error.duplicated.is_empty() {
        return Err(error);
    }
    Ok(ColumnMap {
        specs: specs.to_vec(),
        indices,
        unknown: error.unknown,
    })
}

/// Checks a spec list for mistakes that would make headers ambiguous: two
/// specs with the same key, or two specs sharing a name after normalising.
/// Meant for each importer's unit tests.
pub fn validate_specs(specs: &[ColumnSpec]) -> Result<(), String> {
    let mut seen: HashMap<String, &'static str> = HashMap::new();
    for spec in specs {
        if spec.key.is_empty() || spec.label.is_empty() {
            return Err(format!("column {:?} needs a key and a label", spec.key));
        }
        let mut own = Vec::new();
        for name in spec.names() {
            let norm = normalise(name);
            if own.contains(&norm) {
                continue;
            }
            if let Some(other) = seen.insert(norm.clone(), spec.key) {
                return Err(format!(
                    "columns {other:?} and {:?} both answer to {name:?}",
                    spec.key
                ));
            }
            own.push(norm);
        }
    }
    Ok(())
}

/// The form of a header that matching compares: lower case, half-width, no
/// spaces, `_`, `-` or `*`, and no trailing `(必填)`-style marker.
pub(crate) fn normalise(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars().map(half_width) {
        if c.is_whitespace() || matches!(c, '_' | '-' | '*') {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    for marker in ["(必填)", "(必填项)", "(选填)", "(可选)"] {
        if let Some(stripped) = out.strip_suffix(marker) {
            out.truncate(stripped.len());
            break;
        }
    }
    out
}

/// Full-width ASCII (`ＡＢＣ１２３（）`) and the ideographic space to their
/// ordinary forms, which is what Chinese input methods mix in.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// `0` → `A`, `25` → `Z`, `26` → `AA`: how Excel names columns.
fn column_letters(mut index: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    letters.reverse();
    String::from_utf8_lossy(&letters).into_owned()
}

fn quoted<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| format!("“{}”", s.as_ref()))
        .collect::<Vec<_>>()
        .join("、")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &[ColumnSpec] = &[
        ColumnSpec::required("credit_code", "统一社会信用代码").aliases(&["信用代码"]),
        ColumnSpec::required("name", "名称").aliases(&["组织名称", "单位名称"]),
        ColumnSpec::optional("phone", "联系电话"),
    ];

    fn table(headers: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            headers: headers.iter().map(|s| (*s).to_owned()).collect(),
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, cells)| Row {
                    number: i + 2,
                    cells: cells.iter().map(|s| (*s).to_owned()).collect(),
                })
                .collect(),
        }
    }

    #[test]
    fn headers_match_by_key_label_or_alias_ignoring_width_case_and_space() {
        let t = table(
            &["ＣＲＥＤＩＴ＿ＣＯＤＥ", " 组织 名称 ", "*联系电话(必填)"],
            &[],
        );
        let map = map_columns(&t, ORG).unwrap();
        assert_eq!(map.index("credit_code"), Some(0));
        assert_eq!(map.index("name"), Some(1));
        assert_eq!(map.index("phone"), Some(2));
        assert!(map.unknown().is_empty());
    }

    #[test]
    fn a_renamed_column_is_reported_as_missing_and_unknown_at_once() {
        let t = table(&["信用代码号", "名称", "序号"], &[]);
        let err = map_columns(&t, ORG).unwrap_err();
        assert_eq!(err.missing, vec!["统一社会信用代码"]);
        assert_eq!(
            err.unknown,
            vec!["信用代码号".to_owned(), "序号".to_owned()]
        );
        assert_eq!(err.code(), "import.columns");
        assert_eq!(
            err.to_string(),
            "缺少必需列“统一社会信用代码”;无法识别的列“信用代码号”、“序号”\
             (可能是列名被改动过,请使用模板中的列名)"
        );
    }

    #[test]
    fn every_missing_required_column_is_listed() {
        let t = table(&["联系电话"], &[]);
        let err = map_columns(&t, ORG).unwrap_err();
        assert_eq!(err.to_string(), "缺少必需列“统一社会信用代码”、“名称”");
    }

    #[test]
    fn a_column_given_twice_is_refused() {
        let t = table(&["名称", "信用代码", "单位名称"], &[]);
        let err = map_columns(&t, ORG).unwrap_err();
        assert_eq!(err.duplicated, vec!["单位名称".to_owned()]);
        assert!(err.missing.is_empty());
    }

    #[test]
    fn unknown_columns_alone_are_allowed_unless_denied() {
        let t = table(&["序号", "名称", "信用代码"], &[&["1", "甲", "X"]]);
        let map = map_columns(&t, ORG).unwrap();
        assert_eq!(map.unknown(), ["序号".to_owned()]);
        let err = map.deny_unknown().unwrap_err();
        assert_eq!(err.to_string(), "无法识别的列“序号”");
    }

    #[test]
    fn data_under_an_empty_header_is_reported_by_column_letter() {
        let t = table(&["名称", "信用代码", ""], &[&["甲", "X", "孤儿数据"]]);
        let map = map_columns(&t, ORG).unwrap();
        assert_eq!(map.unknown(), ["C 列(无列名)".to_owned()]);
    }

    #[test]
    fn cells_are_read_by_key_distinguishing_absent_from_empty() {
        let t = table(&["名称", "信用代码"], &[&["甲", ""]]);
        let map = map_columns(&t, ORG).unwrap();
        let row = &t.rows[0];
        assert_eq!(map.cell(row, "name"), Some("甲"));
        assert_eq!(map.cell(row, "credit_code"), Some(""));
        assert_eq!(map.value(row, "credit_code"), None);
        assert_eq!(map.cell(row, "phone"), None);
        let e = map.row_error(row, "credit_code", "credit_code.empty", "不能为空");
        assert_eq!(e.to_string(), "第 2 行 统一社会信用代码:不能为空");
    }

    #[test]
    fn spec_lists_with_ambiguous_names_are_caught() {
        assert_eq!(validate_specs(ORG), Ok(()));
        let bad = [
            ColumnSpec::required("a", "名称"),
            ColumnSpec::optional("b", "备注").aliases(&["名 称"]),
        ];
        assert!(validate_specs(&bad).is_err());
    }

    #[test]
    fn column_letters_follow_excel() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }
}
