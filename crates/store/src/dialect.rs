//! The few places where SQLite and PostgreSQL differ.

use crate::Backend;

/// The calendar year of a DATE column, as a BIGINT.
pub fn year_of(b: Backend, column: &str) -> String {
    match b {
        Backend::Sqlite => format!("CAST(strftime('%Y', {column}) AS INTEGER)"),
        Backend::Postgres => format!("CAST(EXTRACT(YEAR FROM {column}) AS BIGINT)"),
    }
}
