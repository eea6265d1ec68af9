//! Use cases of gongyi. Each one validates input through the domain, then
//! loads and saves through the store inside one transaction, so a refusal
//! leaves nothing half-written. Web handlers and CLI commands call these and
//! nothing below them.

pub mod applications;
pub mod demo;
pub mod demo_policy;
mod error;
pub mod orgs;
pub mod people;
pub mod policy;
pub mod policy_bundle;
pub mod public;
pub mod timeline;
pub mod transfer;

pub use error::AppError;
pub use gongyi_store::Db;

use chrono::NaiveDate;

/// Today's date in Asia/Shanghai, or a fixed date for tests and replays.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    fixed: Option<NaiveDate>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    pub fn fixed(d: NaiveDate) -> Clock {
        Clock { fixed: Some(d) }
    }

    pub fn today(&self) -> NaiveDate {
        // Shanghai is UTC+8 all year (no daylight saving).
        self.fixed
            .unwrap_or_else(|| (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive())
    }
}

/// The registry service: a database and a clock.
#[derive(Debug, Clone)]
pub struct Registry {
    pub db: Db,
    pub clock: Clock,
}

impl Registry {
    pub fn new(db: Db, clock: Clock) -> Registry {
        Registry { db, clock }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
