//! The audit trail: append-only records chained by MAC, the head that marks
//! the chain's end, and the anchor left by purging records past retention.
//!
//! The store appends and reads; computing and checking MACs is
//! `app::security::audit`'s job, which holds the key.

use crate::{on_db, on_tx, Db, Result, Tx};
use chrono::{DateTime, Utc};

/// One audit record as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub actor_role: String,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    /// JSON object: field → [before, after].
    pub changes: String,
    pub client_addr: Option<String>,
    pub request_id: Option<String>,
    pub prev_mac: String,
    pub mac: String,
}

/// The chain's last record and where it starts.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditHead {
    pub seq: i64,
    pub mac: String,
    pub anchor_seq: i64,
    pub anchor_mac: String,
    /// The MAC over the four fields above; '' while not sealed.
    pub head_mac: String,
}

/// A claimed place at the end of the chain: the new record's number, the
/// MAC of the one before, and the anchor the head will keep.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AuditClaim {
    pub seq: i64,
    pub prev_mac: String,
    pub anchor_seq: i64,
    pub anchor_mac: String,
}

/// What the audit search filters on; empty fields match everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_kind: Option<String>,
    pub entity_id: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// The search conditions, `$1`…`$6` bound from [`AuditFilter`] in field order.
const FILTER: &str = "($1 IS NULL OR actor_name = $1) AND ($2 IS NULL OR action = $2)
    AND ($3 IS NULL OR entity_kind = $3) AND ($4 IS NULL OR entity_id = $4)
    AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6)";

fn filter_texts(f: &AuditFilter) -> [Option<String>; 4] {
    let t = |s: &Option<String>| s.as_ref().map(|v| v.trim().to_string());
    [
        t(&f.actor),
        t(&f.action),
        t(&f.entity_kind),
        t(&f.entity_id),
    ]
}

const COLUMNS: &str = "seq, at, actor_id, actor_name, actor_role, action, entity_kind, entity_id,
    changes, client_addr, request_id, prev_mac, mac";

impl Db {
    /// Takes the next sequence number and the MAC of the record before it.
    /// The update locks the head until the transaction ends, so records are
    /// chained one at a time in commit order.
    pub async fn audit_claim(&self, tx: &mut Tx) -> Result<AuditClaim> {
        Ok(on_tx!(tx, c => sqlx::query_as(
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1
             RETURNING seq, mac AS prev_mac, anchor_seq, anchor_mac")
            .fetch_one(&mut **c).await?))
    }

    /// Writes a record claimed with [`Db::audit_claim`] and moves the head
    /// to it, with the head's new MAC.
    pub async fn audit_append(&self, tx: &mut Tx, r: &AuditRow, head_mac: &str) -> Result<()> {
        on_tx!(tx, c => {
            sqlx::query(
                "INSERT INTO audit_log (seq, at, actor_id, actor_name, actor_role, action,
                 entity_kind, entity_id, changes, client_addr, request_id, prev_mac, mac)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                .bind(r.seq).bind(r.at).bind(r.actor_id).bind(&r.actor_name).bind(&r.actor_role)
                .bind(&r.action).bind(&r.entity_kind).bind(&r.entity_id).bind(&r.changes)
                .bind(&r.client_addr).bind(&r.request_id).bind(&r.prev_mac).bind(&r.mac)
                .execute(&mut **c).await?;
            sqlx::query("UPDATE audit_head SET mac = $1, head_mac = $3 WHERE id = 1 AND seq = $2")
                .bind(&r.mac).bind(r.seq).bind(head_mac).execute(&mut **c).await?;
        });
        Ok(())
    }

    pub async fn audit_head(&self) -> Result<AuditHead> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT seq, mac, anchor_seq, anchor_mac, head_mac FROM audit_head WHERE id = 1")
            .fetch_one(p).await?))
    }

    /// Records in stored order (by `seq`) after `after`, at most `limit`.
    pub async fn audit_batch(&self, after: i64, limit: i64) -> Result<Vec<AuditRow>> {
        let sql = format!("SELECT {COLUMNS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2");
        Ok(on_db!(self, p => sqlx::query_as(&sql).bind(after).bind(limit).fetch_all(p).await?))
    }

    /// Records matching `f`, newest first, one page, with the total.
    pub async fn audit_search(
        &self,
        f: &AuditFilter,
        offset: i64,
        limit: i64,
    ) -> Result<(Vec<AuditRow>, i64)> {
        let list = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE {FILTER} ORDER BY seq DESC LIMIT $7 OFFSET $8"
        );
        let count = format!("SELECT COUNT(*) FROM audit_log WHERE {FILTER}");
        let [a, b, c_, d] = filter_texts(f);
        on_db!(self, p => {
            let rows: Vec<AuditRow> = sqlx::query_as(&list)
                .bind(&a).bind(&b).bind(&c_).bind(&d).bind(f.from).bind(f.until)
                .bind(limit).bind(offset).fetch_all(p).await?;
            let total: i64 = sqlx::query_scalar(&count)
                .bind(&a).bind(&b).bind(&c_).bind(&d).bind(f.from).bind(f.until)
                .fetch_one(p).await?;
            Ok((rows, total))
        })
    }

    /// Records matching `f` older than `before_seq` (all when `None`),
    /// newest first, at most `limit`: exports walk the trail by key, not by
    /// offset, and count nothing.
    pub async fn audit_older(
        &self,
        f: &AuditFilter,
        before_seq: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRow>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE {FILTER} AND ($7 IS NULL OR seq < $7)
             ORDER BY seq DESC LIMIT $8"
        );
        let [a, b, c_, d] = filter_texts(f);
        Ok(on_db!(self, p => sqlx::query_as(&sql)
            .bind(&a).bind(&b).bind(&c_).bind(&d).bind(f.from).bind(f.until)
            .bind(before_seq).bind(limit).fetch_all(p).await?))
    }

    /// Deletes the records before `before` and moves the anchor to the last
    /// of them, so the chain still verifies from there. Returns how many went.
    pub async fn audit_purge(&self, tx: &mut Tx, before: DateTime<Utc>) -> Result<u64> {
        let last: Option<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
            "SELECT seq, mac FROM audit_log WHERE at < $1 ORDER BY seq DESC LIMIT 1")
            .bind(before).fetch_optional(&mut **c).await?);
        let Some((seq, mac)) = last else { return Ok(0) };
        on_tx!(tx, c => {
            sqlx::query("UPDATE audit_head SET anchor_seq = $1, anchor_mac = $2 WHERE id = 1")
                .bind(seq).bind(&mac).execute(&mut **c).await?;
            Ok(sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
                .bind(seq).execute(&mut **c).await?.rows_affected())
        })
    }
}
