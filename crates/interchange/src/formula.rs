//! Formula-injection neutralisation, shared by the writers and the readers so
//! that the quote the exporter adds is exactly the quote the importer removes.
//!
//! The convention:
//!
//! * A value *needs a guard* when, after any leading `'`, it starts with `=`,
//!   `+`, `-`, `@`, tab or CR — the characters that make Excel, WPS or
//!   LibreOffice start a formula (or a DDE payload) — unless the rest is a
//!   plain decimal number like `-5` or `+3.20`, which a spreadsheet only ever
//!   reads as a number.
//! * csv: a value that needs a guard is written with one extra leading `'`.
//! * xlsx: such a value is a string cell with the quote-prefix style; its text
//!   only gains a `'` when it already started with one (so the importer's
//!   rule cannot eat a quote the user typed).
//! * import (both formats): a leading `'` is removed when the rest of the
//!   value needs a guard.
//!
//! So `=1+1` is exported as `'=1+1` and imported back as `=1+1`; a user who
//! typed `'=1+1` gets `''=1+1` and back `'=1+1`; `'abc` and `-5` pass
//! through untouched both ways.

use std::borrow::Cow;

/// Characters that make a spreadsheet program treat a cell as a formula.
const TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `value` must be neutralised before a spreadsheet sees it.
pub fn needs_guard(value: &str) -> bool {
    let rest = value.trim_start_matches('\'');
    match rest.chars().next() {
        Some(first) if TRIGGERS.contains(&first) => !is_plain_number(rest),
        _ => false,
    }
}

/// The text to put in a csv field: `value`, or `'` + `value` if it needs a guard.
pub fn guard_csv(value: &str) -> Cow<'_, str> {
    if needs_guard(value) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// The text to put in an xlsx string cell; the cell also gets the
/// quote-prefix style when [`needs_guard`] says so.
pub fn guard_xlsx_text(value: &str) -> Cow<'_, str> {
    // Only a value that already starts with `'` needs a visible extra quote:
    // without it the importer would strip the user's own quote.
    if value.starts_with('\'') {
        guard_csv(value)
    } else {
        Cow::Borrowed(value)
    }
}

/// Undoes the exporter's guard: drops a leading `'` when what follows needs one.
pub fn unguard(value: &str) -> &str {
    match value.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => value,
    }
}

/// `-5`, `+3.20`, `-0.5`: an optional sign, digits, an optional fraction.
fn is_plain_number(s: &str) -> bool {
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int, frac) = match unsigned.split_once('.') {
        Some((int, frac)) => (int, Some(frac)),
        None => (unsigned, None),
    };
    let all_digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    all_digits(int) && frac.is_none_or(all_digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_start_a_formula_need_a_guard() {
        for v in [
            "=1+1", "+86 138", "-1+2", "@SUM(A1)", "\tx", "\rx", "-", "'=1",
        ] {
            assert!(needs_guard(v), "{v:?} should need a guard");
        }
    }

    #[test]
    fn plain_numbers_and_ordinary_text_need_no_guard() {
        for v in [
            "", "-5", "+3.20", "-0.5", "abc", "'abc", "0012", "张三", "a=b",
        ] {
            assert!(!needs_guard(v), "{v:?} should not need a guard");
        }
    }

    #[test]
    fn unguard_removes_exactly_what_the_csv_guard_added() {
        for v in [
            "=1+1", "'=1+1", "''=1+1", "-5", "'-5", "'abc", "abc", "-", "@x", "", "'",
        ] {
            assert_eq!(unguard(&guard_csv(v)), v, "csv round trip of {v:?}");
            assert_eq!(unguard(&guard_xlsx_text(v)), v, "xlsx round trip of {v:?}");
        }
    }

    #[test]
    fn the_csv_guard_is_a_single_quote() {
        assert_eq!(guard_csv("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(guard_csv("-5"), "-5");
        assert_eq!(guard_xlsx_text("=1"), "=1");
        assert_eq!(guard_xlsx_text("'=1"), "''=1");
    }
}
