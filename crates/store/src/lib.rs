//! Persistence for gongyi on SQLite (embedded default) and PostgreSQL
//! (scale-out). The only crate that contains SQL.
//!
//! Each query is written once: sqlx binds `$1, $2…` on both backends and both
//! speak `RETURNING` and `ON CONFLICT`. [`on_db!`] and [`on_tx!`] expand one
//! block of code for each backend, so the layers above never ask which
//! database they are on. Dialect differences live in [`dialect`].

pub mod accounts;
pub mod annual_report;
pub mod applications;
pub mod audit;
pub mod budgets;
pub mod bulk;
pub mod calls;
pub mod catalogue;
pub mod claims;
pub mod codes;
mod db;
mod desk;
pub mod dialect;
mod error;
pub mod export;
pub mod facts;
mod grams;
pub mod history;
pub mod orgs;
pub mod people;
pub mod policy_facts;
mod query;
pub mod reference;
pub mod targets;

pub use db::{Backend, Db, Tx};
pub use error::StoreError;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A page of results and the total count that matched.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

/// Page sizes are bounded for every listing, pages and API alike.
pub const MAX_PER_PAGE: i64 = 200;

/// The highest page number asked for: far past any listing's end, and low
/// enough that offsets (`(page - 1) * per_page`) and links (`page + 1`)
/// cannot overflow, whatever number a query string carries.
pub const MAX_PAGE: i64 = 10_000_000;

/// Clamps a requested page and page size to sane bounds.
pub fn bound_page(page: Option<i64>, per_page: Option<i64>, default: i64) -> (i64, i64) {
    (
        page.unwrap_or(1).clamp(1, MAX_PAGE),
        per_page.unwrap_or(default).clamp(1, MAX_PER_PAGE),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_page_number_is_clamped_so_its_offset_cannot_overflow() {
        for p in [i64::MIN, -1, 0, 1, MAX_PAGE + 1, i64::MAX] {
            let (page, per_page) = bound_page(Some(p), Some(i64::MAX), 20);
            assert!((1..=MAX_PAGE).contains(&page));
            assert!((page - 1).checked_mul(per_page).is_some());
            assert!(page.checked_add(1).is_some());
        }
    }
}
