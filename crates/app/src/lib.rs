//! Use cases of gongyi. Each one validates input through the domain, then
//! loads and saves through the store inside one transaction, so a refusal
//! leaves nothing half-written. Web handlers and CLI commands call these and
//! nothing below them.

pub mod annual_report;
pub mod applications;
pub mod calls;
pub mod catalogue;
pub mod demo;
pub mod demo_calls;
pub mod demo_policy;
pub mod desk;
mod error;
pub mod facts;
pub mod orgs;
pub mod people;
pub mod policy;
pub mod policy_bundle;
pub mod public;
pub mod reference;
pub mod security;
pub mod targets;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod timeline;
pub mod transfer;

pub use error::{AppError, BundleError};
/// Pages of a listing, as every list use case hands them out, and the
/// bounds every listing keeps.
pub use gongyi_store::{bound_page, Page, MAX_PAGE, MAX_PER_PAGE};

use gongyi_store::Db;

use chrono::NaiveDate;
use security::accounts::SecuritySettings;
use security::keys::Keys;
use security::Caller;
use std::sync::Arc;

/// The time, and today's date in Asia/Shanghai; or a fixed moment for
/// tests and replays.
#[derive(Debug, Clone, Copy, Default)]
pub struct Clock {
    fixed: Option<chrono::DateTime<chrono::Utc>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    /// The start of day `d` in Shanghai.
    pub fn fixed(d: NaiveDate) -> Clock {
        let start = d.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(8);
        Clock {
            fixed: Some(start.and_utc()),
        }
    }

    /// A fixed moment (deadlines of calls are by the minute).
    pub fn fixed_at(at: chrono::DateTime<chrono::Utc>) -> Clock {
        Clock { fixed: Some(at) }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.fixed.unwrap_or_else(chrono::Utc::now)
    }

    pub fn today(&self) -> NaiveDate {
        // Shanghai is UTC+8 all year (no daylight saving).
        (self.now() + chrono::Duration::hours(8)).date_naive()
    }
}

/// The registry service: a database, a clock, the secret keys and security
/// settings, and the caller it acts for (whose scope cuts every list and
/// whose name goes into the audit trail).
#[derive(Debug, Clone)]
pub struct Registry {
    // Private: the web layer and the CLI reach storage only through use cases.
    db: Db,
    pub clock: Clock,
    pub keys: Keys,
    pub settings: Arc<SecuritySettings>,
    pub caller: Arc<Caller>,
    /// The yearly cycle's deadline and file limit.
    pub reports: Arc<annual_report::ReportSettings>,
    /// The open-contracting prefix and publisher of calls.
    pub calls: Arc<calls::CallSettings>,
}

impl Registry {
    /// A registry acting as the command-line operator, with fresh random keys:
    /// servers and commands that keep personal data set theirs with
    /// [`Registry::with_keys`].
    pub fn new(db: Db, clock: Clock) -> Registry {
        Registry {
            db,
            clock,
            keys: Keys::from_hex(&Keys::generate_hex()).expect("a generated key parses"),
            settings: Arc::new(SecuritySettings::default()),
            caller: Arc::new(Caller::system("system")),
            reports: Arc::new(annual_report::ReportSettings::default()),
            calls: Arc::new(calls::CallSettings::default()),
        }
    }

    /// Connects to `database_url` (`sqlite://FILE` or `postgres://…`) and
    /// applies pending migrations: every command and the server start here.
    pub async fn open(database_url: &str, clock: Clock) -> Result<Registry> {
        let db = Db::connect(database_url).await?;
        db.migrate().await?;
        Ok(Registry::new(db, clock))
    }

    /// The storage handle, for tests that inspect what a use case wrote.
    #[cfg(feature = "test-support")]
    pub fn store(&self) -> &Db {
        &self.db
    }

    /// Fresh planner statistics after a bulk load.
    pub async fn refresh_statistics(&self) -> Result<()> {
        self.db.analyze().await?;
        Ok(())
    }

    /// Waits for the pool's connections to close (SQLite checkpoints its log).
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// A consistent copy of a live SQLite database into `target` (a new file).
    pub async fn backup(&self, target: &str) -> Result<()> {
        self.db.backup_sqlite(target).await?;
        Ok(())
    }

    pub fn with_keys(mut self, keys: Keys) -> Registry {
        self.keys = keys;
        self
    }

    /// The same registry reading another clock (tests move time on).
    pub fn with_clock(mut self, clock: Clock) -> Registry {
        self.clock = clock;
        self
    }

    pub fn with_settings(mut self, settings: SecuritySettings) -> Registry {
        self.settings = Arc::new(settings);
        self
    }

    /// The same registry acting for `caller`.
    pub fn acting(&self, caller: Caller) -> Registry {
        Registry {
            caller: Arc::new(caller),
            ..self.clone()
        }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;
