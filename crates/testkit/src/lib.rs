//! Test helpers: every storage test runs on SQLite and on PostgreSQL, each
//! time on a database of its own.
//!
//! PostgreSQL is reached at `GONGYI_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each call creates a new
//! database there. Set `GONGYI_TEST_BACKENDS=sqlite` to run SQLite only; an
//! empty list fails rather than running no backend at all.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

/// Store types tests name when they inspect what a use case wrote.
pub use gongyi_store as store;
pub use gongyi_store::{Backend, Db};
use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);
static SWEPT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Drops test databases left by earlier test processes (not this one's), so
/// the server does not fill up run after run.
async fn sweep_old_databases(admin: &mut sqlx::PgConnection) {
    if SWEPT.swap(true, Ordering::SeqCst) {
        return;
    }
    let mine = format!("gongyi_t_{}_%", std::process::id());
    let old: Vec<String> = sqlx::query_scalar(
        "SELECT datname FROM pg_database WHERE datname LIKE 'gongyi_t_%' AND datname NOT LIKE $1
         AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = pg_database.datname)",
    )
    .bind(mine)
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    for name in old {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut *admin)
            .await;
    }
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{prefix}_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

pub fn postgres_base_url() -> String {
    std::env::var("GONGYI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// The backends named by `GONGYI_TEST_BACKENDS` (both when unset). A list
/// naming none fails: a storage test that ran on no database proved nothing.
fn backends() -> Vec<String> {
    parse_backends(std::env::var("GONGYI_TEST_BACKENDS").ok())
}

fn parse_backends(list: Option<String>) -> Vec<String> {
    let list = list.unwrap_or_else(|| "sqlite,postgres".into());
    let named: Vec<String> = list
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    assert!(
        !named.is_empty(),
        "GONGYI_TEST_BACKENDS names no backend ({list:?}): set it to sqlite, postgres or both"
    );
    named
}

/// A fresh SQLite database in a temporary file.
pub async fn sqlite() -> (Db, String) {
    let (db, url) = sqlite_empty().await;
    db.migrate().await.expect("sqlite migrations apply");
    (db, url)
}

async fn sqlite_empty() -> (Db, String) {
    let dir = std::env::temp_dir().join("gongyi-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.db", unique("t")));
    let url = format!("sqlite://{}", path.display());
    let db = Db::connect(&url).await.expect("sqlite connects");
    (db, url)
}

/// A fresh PostgreSQL database.
pub async fn postgres() -> (Db, String) {
    let (db, url) = postgres_empty().await;
    db.migrate().await.expect("postgres migrations apply");
    (db, url)
}

async fn postgres_empty() -> (Db, String) {
    let base = postgres_base_url();
    let name = unique("gongyi_t");
    let mut admin = sqlx::PgConnection::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {base} is needed for the contract tests: {e}"));
    sweep_old_databases(&mut admin).await;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create database");
    let url = match base.rsplit_once('/') {
        Some((head, _)) => format!("{head}/{name}"),
        None => panic!("bad postgres url {base}"),
    };
    let db = Db::connect(&url).await.expect("postgres connects");
    (db, url)
}

/// One fresh, migrated database per enabled backend, with its URL.
pub async fn databases() -> Vec<(Db, String)> {
    let mut v = Vec::new();
    for b in backends() {
        match b.as_str() {
            "sqlite" => v.push(sqlite().await),
            "postgres" => v.push(postgres().await),
            other => panic!("unknown backend {other} in GONGYI_TEST_BACKENDS"),
        }
    }
    v
}

/// One fresh database per enabled backend with no migration applied, for
/// tests of a migration on rows an older schema wrote.
pub async fn empty_databases() -> Vec<(Db, String)> {
    let mut v = Vec::new();
    for b in backends() {
        match b.as_str() {
            "sqlite" => v.push(sqlite_empty().await),
            "postgres" => v.push(postgres_empty().await),
            other => panic!("unknown backend {other} in GONGYI_TEST_BACKENDS"),
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::parse_backends;

    #[test]
    fn unset_means_both_backends() {
        assert_eq!(parse_backends(None), ["sqlite", "postgres"]);
        assert_eq!(parse_backends(Some(" sqlite ,".into())), ["sqlite"]);
    }

    #[test]
    #[should_panic(expected = "names no backend")]
    fn an_empty_list_fails_instead_of_running_nothing() {
        parse_backends(Some(" , ".into()));
    }
}
