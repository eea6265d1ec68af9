//! Accounts and their sessions. Passwords arrive hashed and session tokens
//! arrive as hashes: the store never sees a secret in clear.

use crate::{on_db, on_tx, Db, Result, StoreError, Tx};
use chrono::{DateTime, Utc};

/// An account as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AccountRow {
    pub id: i64,
    pub name: String,
    pub display_name: String,
    pub role: String,
    pub subdistrict_code: Option<String>,
    pub org_id: Option<i64>,
    pub password_hash: String,
    pub password_changed_at: DateTime<Utc>,
    pub must_change_password: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub totp_secret: Option<String>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    pub name: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub subdistrict_code: Option<&'a str>,
    pub org_id: Option<i64>,
    pub password_hash: &'a str,
    pub must_change_password: bool,
    pub at: DateTime<Utc>,
}

/// A session joined with its account.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub account_id: i64,
    pub csrf_token: String,
    pub verified: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// A session with its account, read in one query on every request.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionAccountRow {
    pub session_csrf_token: String,
    pub session_verified: bool,
    pub session_created_at: DateTime<Utc>,
    pub session_last_seen_at: DateTime<Utc>,
    #[sqlx(flatten)]
    pub account: AccountRow,
}

const ACCOUNT: &str = "id, name, display_name, role, subdistrict_code, org_id, password_hash,
    password_changed_at, must_change_password, failed_logins, locked_until, totp_secret,
    disabled, created_at, version";

impl Db {
    pub async fn insert_account(&self, tx: &mut Tx, a: &NewAccount<'_>) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO accounts (name, display_name, role, subdistrict_code, org_id,
             password_hash, password_changed_at, must_change_password, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7) RETURNING id")
            .bind(a.name).bind(a.display_name).bind(a.role).bind(a.subdistrict_code)
            .bind(a.org_id).bind(a.password_hash).bind(a.at).bind(a.must_change_password)
            .fetch_one(&mut **c).await
            .map_err(|e| StoreError::unique_as(e, "name")))
    }

    pub async fn account_by_name(&self, name: &str) -> Result<AccountRow> {
        let sql = format!("SELECT {ACCOUNT} FROM accounts WHERE name = $1");
        on_db!(self, p => sqlx::query_as(&sql).bind(name).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    pub async fn account_by_id(&self, id: i64) -> Result<AccountRow> {
        let sql = format!("SELECT {ACCOUNT} FROM accounts WHERE id = $1");
        on_db!(self, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// The account, locked for the rest of the transaction on PostgreSQL.
    pub async fn account_by_id_tx(&self, tx: &mut Tx, id: i64) -> Result<AccountRow> {
        let sql = format!("SELECT {ACCOUNT} FROM accounts WHERE id = $1");
        on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut **c).await?)
            .ok_or(StoreError::NotFound)
    }

    /// Every account's (name, display name): how pages name the people who acted.
    pub async fn account_display_names(&self) -> Result<Vec<(String, String)>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT name, display_name FROM accounts").fetch_all(p).await?))
    }

    pub async fn accounts(&self) -> Result<Vec<AccountRow>> {
        let sql = format!("SELECT {ACCOUNT} FROM accounts ORDER BY name");
        Ok(on_db!(self, p => sqlx::query_as(&sql).fetch_all(p).await?))
    }

    /// Records a failed login: counts it and locks the account at `lock_at` failures.
    pub async fn account_failed_login(
        &self,
        tx: &mut Tx,
        id: i64,
        lock_at: i64,
        locked_until: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(on_tx!(tx, c => sqlx::query_scalar(
            "UPDATE accounts SET failed_logins = failed_logins + 1,
             locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END
             WHERE id = $1 RETURNING failed_logins")
            .bind(id).bind(lock_at).bind(locked_until).fetch_one(&mut **c).await?))
    }

    /// Clears the failure count and any lock (a successful login, an unlock).
    pub async fn account_login_ok(&self, tx: &mut Tx, id: i64) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "UPDATE accounts SET failed_logins = 0, locked_until = NULL WHERE id = $1")
            .bind(id).execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    pub async fn set_account_password(
        &self,
        tx: &mut Tx,
        id: i64,
        hash: &str,
        must_change: bool,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "UPDATE accounts SET password_hash = $2, must_change_password = $3,
             password_changed_at = $4, failed_logins = 0, locked_until = NULL,
             version = version + 1 WHERE id = $1")
            .bind(id).bind(hash).bind(must_change).bind(at).execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    pub async fn set_account_role(
        &self,
        tx: &mut Tx,
        id: i64,
        role: &str,
        subdistrict_code: Option<&str>,
        org_id: Option<i64>,
    ) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "UPDATE accounts SET role = $2, subdistrict_code = $3, org_id = $4,
             version = version + 1 WHERE id = $1")
            .bind(id).bind(role).bind(subdistrict_code).bind(org_id).execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    pub async fn set_account_disabled(&self, tx: &mut Tx, id: i64, disabled: bool) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "UPDATE accounts SET disabled = $2, version = version + 1 WHERE id = $1")
            .bind(id).bind(disabled).execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    /// Sets or clears the sealed TOTP secret.
    pub async fn set_account_totp(&self, tx: &mut Tx, id: i64, sealed: Option<&str>) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "UPDATE accounts SET totp_secret = $2, version = version + 1 WHERE id = $1")
            .bind(id).bind(sealed).execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    pub async fn insert_session(
        &self,
        tx: &mut Tx,
        s: &SessionRow,
        client_addr: Option<&str>,
    ) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO sessions (token_hash, account_id, csrf_token, verified, created_at,
             last_seen_at, client_addr) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&s.token_hash).bind(s.account_id).bind(&s.csrf_token).bind(s.verified)
            .bind(s.created_at).bind(s.last_seen_at).bind(client_addr)
            .execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    /// The session of `token_hash` and its account.
    pub async fn session_account(&self, token_hash: &str) -> Result<SessionAccountRow> {
        let columns = ACCOUNT
            .split(',')
            .map(|c| format!("a.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT s.csrf_token AS session_csrf_token, s.verified AS session_verified,
             s.created_at AS session_created_at, s.last_seen_at AS session_last_seen_at, {columns}
             FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1"
        );
        on_db!(self, p => sqlx::query_as(&sql).bind(token_hash).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    pub async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()> {
        on_db!(self, p => sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash).bind(at).execute(p).await?.rows_affected());
        Ok(())
    }

    pub async fn verify_session(&self, tx: &mut Tx, token_hash: &str) -> Result<()> {
        on_tx!(tx, c => sqlx::query("UPDATE sessions SET verified = TRUE WHERE token_hash = $1")
            .bind(token_hash).execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    pub async fn delete_session(&self, tx: &mut Tx, token_hash: &str) -> Result<()> {
        on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash).execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    /// Ends every session of an account (password reset, disabling, role change).
    pub async fn delete_sessions_of(&self, tx: &mut Tx, account_id: i64) -> Result<()> {
        on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE account_id = $1")
            .bind(account_id).execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    /// Ends every session of an account but `keep` (a password change made in `keep`).
    pub async fn delete_other_sessions_of(
        &self,
        tx: &mut Tx,
        account_id: i64,
        keep_token_hash: &str,
    ) -> Result<u64> {
        Ok(on_tx!(tx, c => sqlx::query(
            "DELETE FROM sessions WHERE account_id = $1 AND token_hash <> $2")
            .bind(account_id).bind(keep_token_hash).execute(&mut **c).await?.rows_affected()))
    }

    /// Removes sessions idle since before `idle_before` or created before `created_before`.
    pub async fn purge_sessions(
        &self,
        idle_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
    ) -> Result<u64> {
        Ok(on_db!(self, p => sqlx::query(
            "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2")
            .bind(idle_before).bind(created_before).execute(p).await?.rows_affected()))
    }
}
