//! The few places where SQLite and PostgreSQL differ.

use crate::Backend;

/// The `n`-th (1-based) bind placeholder of a generated statement. SQLite
/// looks every `$N` up by name in a linear list while parsing, which makes a
/// statement with thousands of them quadratic; its anonymous `?` is not.
pub fn placeholder(b: Backend, n: usize) -> String {
    match b {
        Backend::Sqlite => "?".to_string(),
        Backend::Postgres => format!("${n}"),
    }
}

/// The 1-based position of `needle` in `haystack` (0 when absent).
pub fn position_of(b: Backend, needle: &str, haystack: &str) -> String {
    match b {
        Backend::Sqlite => format!("INSTR({haystack}, {needle})"),
        Backend::Postgres => format!("STRPOS({haystack}, {needle})"),
    }
}

/// The calendar year of a DATE column, as a BIGINT.
pub fn year_of(b: Backend, column: &str) -> String {
    match b {
        Backend::Sqlite => format!("CAST(strftime('%Y', {column}) AS INTEGER)"),
        Backend::Postgres => format!("CAST(EXTRACT(YEAR FROM {column}) AS BIGINT)"),
    }
}

/// Locks one budget line, `(id, amount_fen)` by rule `$1` and year `$2`, until
/// the transaction ends. PostgreSQL locks the row; SQLite has no row locks,
/// so a no-op write takes the database's write lock, which serialises the
/// rest of the transaction (a read first would let two writers read the same
/// old balance).
pub fn lock_budget_line(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => {
            "UPDATE budget_lines SET amount_fen = amount_fen WHERE rule = $1 AND year = $2
             RETURNING id, amount_fen"
        }
        Backend::Postgres => {
            "SELECT id, amount_fen FROM budget_lines WHERE rule = $1 AND year = $2 FOR UPDATE"
        }
    }
}

/// Locks every budget line of rule `$1` (`(id, year, amount_fen)`, by id)
/// until the transaction ends: an approval holds its rule still while it
/// counts what other applications of the rule took, whichever year's line
/// they drew on (R10's two winners a year, once-only awards). SQLite: the
/// no-op write takes the database's write lock, as for one line.
pub fn lock_rule_budget_lines(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => {
            "UPDATE budget_lines SET amount_fen = amount_fen WHERE rule = $1
             RETURNING id, year, amount_fen"
        }
        Backend::Postgres => {
            "SELECT id, year, amount_fen FROM budget_lines WHERE rule = $1 ORDER BY id FOR UPDATE"
        }
    }
}

/// A subquery joining `column` of the rows of `from` (a `FROM … WHERE …`
/// clause) with `separator`, in `order`; NULL when there are none. SQLite's
/// GROUP_CONCAT takes no ORDER BY before 3.44, so it aggregates an ordered
/// subquery instead.
pub fn joined_in_order(
    b: Backend,
    column: &str,
    separator: &str,
    from: &str,
    order: &str,
) -> String {
    match b {
        Backend::Sqlite => format!(
            "(SELECT GROUP_CONCAT(v, '{separator}') FROM (SELECT {column} AS v {from} ORDER BY {order}))"
        ),
        Backend::Postgres => {
            format!("(SELECT STRING_AGG({column}, '{separator}' ORDER BY {order}) {from})")
        }
    }
}
