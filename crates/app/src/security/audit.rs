//! The audit trail (留痕): every change and every read of unmasked personal
//! data, written in the transaction of the change, each record chained to the
//! one before by an HMAC under a key the database does not hold. `verify`
//! walks the chain and names the first record that was edited, deleted or
//! reordered behind the application's back.

use crate::{Registry, Result};
use chrono::{DateTime, Duration, SubsecRound, Utc};
pub use gongyi_store::audit::{AuditFilter, AuditRow};
use gongyi_store::Tx;
use serde_json::{Map, Value};

/// The most records one export holds; a narrower filter gets the rest.
pub const EXPORT_MAX_RECORDS: usize = 100_000;

/// Records shown per page of the audit search.
pub const PAGE_SIZE: i64 = 50;

/// The shortest retention the graded protection scheme allows (六个月).
pub const MIN_RETENTION_DAYS: u32 = 180;

/// One change to record: what was done to which record, and which fields
/// went from what to what.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub action: String,
    pub entity_kind: String,
    pub entity_id: String,
    changes: Map<String, Value>,
}

impl AuditEntry {
    pub fn new(action: &str, entity_kind: &str, entity_id: impl ToString) -> AuditEntry {
        AuditEntry {
            action: action.into(),
            entity_kind: entity_kind.into(),
            entity_id: entity_id.to_string(),
            changes: Map::new(),
        }
    }

    /// A field's value before and after (`None` = absent). Personal data must
    /// be passed masked or not at all.
    pub fn change(mut self, field: &str, before: Option<&str>, after: Option<&str>) -> Self {
        if before != after {
            self.changes
                .insert(field.into(), Value::from(vec![before, after]));
        }
        self
    }

    /// A note that is neither before nor after (a reason, a count).
    pub fn note(mut self, field: &str, value: impl ToString) -> Self {
        self.changes
            .insert(field.into(), Value::from(value.to_string()));
        self
    }
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The whole chain checks: how many records, up to which sequence number.
    Intact { records: u64, last_seq: i64 },
    /// The first record that does not fit, and why.
    Broken { seq: i64, reason: String },
}

/// The text a record's MAC covers: every column but the MAC, in a fixed order,
/// time in microseconds (both databases keep that precision).
fn canonical(r: &AuditRow) -> String {
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    [
        r.seq.to_string(),
        r.at.timestamp_micros().to_string(),
        r.actor_id.map(|i| i.to_string()).unwrap_or_default(),
        r.actor_name.clone(),
        r.actor_role.clone(),
        r.action.clone(),
        r.entity_kind.clone(),
        r.entity_id.clone(),
        r.changes.clone(),
        opt(&r.client_addr),
        opt(&r.request_id),
        r.prev_mac.clone(),
    ]
    .join("\u{1f}")
}

impl Registry {
    /// Appends `entry` for this registry's caller inside `tx`: it commits with
    /// the change or not at all.
    pub async fn audit(&self, tx: &mut Tx, entry: AuditEntry) -> Result<()> {
        let (seq, prev_mac) = self.db.audit_claim(tx).await?;
        let c = &self.caller;
        let mut row = AuditRow {
            seq,
            at: Utc::now().trunc_subsecs(6),
            actor_id: c.account_id,
            actor_name: c.name.clone(),
            actor_role: c.role.clone(),
            action: entry.action,
            entity_kind: entry.entity_kind,
            entity_id: entry.entity_id,
            changes: Value::Object(entry.changes).to_string(),
            client_addr: c.client_addr.clone(),
            request_id: c.request_id.clone(),
            prev_mac,
            mac: String::new(),
        };
        row.mac = self.keys.audit_mac(&canonical(&row));
        self.db.audit_append(tx, &row).await?;
        Ok(())
    }

    /// Records one entry in a transaction of its own (reads, logins).
    pub async fn audit_now(&self, entry: AuditEntry) -> Result<()> {
        let mut tx = self.db.begin().await?;
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Walks the chain from its anchor to its head.
    pub async fn verify_audit(&self) -> Result<Verdict> {
        let head = self.db.audit_head().await?;
        let mut expected_seq = head.anchor_seq + 1;
        let mut prev = head.anchor_mac.clone();
        let mut records = 0u64;
        // Rows are read from the anchor's predecessor onward, so a row
        // inserted below the anchor is also seen as out of place.
        let mut after = i64::MIN;
        loop {
            let batch = self.db.audit_batch(after, 5_000).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for r in &batch {
                if r.seq < expected_seq {
                    return Ok(Verdict::Broken {
                        seq: r.seq,
                        reason: format!("第 {} 条出现在链的起点之前", r.seq),
                    });
                }
                if r.seq != expected_seq {
                    return Ok(Verdict::Broken {
                        seq: expected_seq,
                        reason: format!("第 {expected_seq} 条缺失(被删除)"),
                    });
                }
                if r.prev_mac != prev {
                    return Ok(Verdict::Broken {
                        seq: r.seq,
                        reason: format!("第 {} 条与前一条不相接(被删除、插入或调换)", r.seq),
                    });
                }
                if self.keys.audit_mac(&canonical(r)) != r.mac {
                    return Ok(Verdict::Broken {
                        seq: r.seq,
                        reason: format!("第 {} 条内容被修改", r.seq),
                    });
                }
                prev = r.mac.clone();
                expected_seq += 1;
                records += 1;
            }
        }
        let last_seq = expected_seq - 1;
        if last_seq != head.seq || prev != head.mac {
            return Ok(Verdict::Broken {
                seq: last_seq + 1,
                reason: format!(
                    "链在第 {last_seq} 条结束,而记录头为第 {} 条(末尾被删除或修改)",
                    head.seq
                ),
            });
        }
        Ok(Verdict::Intact { records, last_seq })
    }

    /// Records matching `f`, newest first.
    pub async fn audit_search(
        &self,
        f: &AuditFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Vec<AuditRow>, i64)> {
        let (page, per_page) = gongyi_store::bound_page(Some(page), Some(per_page), PAGE_SIZE);
        Ok(self
            .db
            .audit_search(f, (page - 1) * per_page, per_page)
            .await?)
    }

    /// Records matching `f`, newest first, handed to `each` a batch at a
    /// time, at most [`EXPORT_MAX_RECORDS`].
    pub async fn audit_export(
        &self,
        f: &AuditFilter,
        each: &mut (dyn FnMut(Vec<AuditRow>) + Send),
    ) -> Result<usize> {
        let mut before = None;
        let mut done = 0;
        while done < EXPORT_MAX_RECORDS {
            let limit = (EXPORT_MAX_RECORDS - done).min(1_000) as i64;
            let rows = self.db.audit_older(f, before, limit).await?;
            let Some(last) = rows.last() else { break };
            before = Some(last.seq);
            done += rows.len();
            each(rows);
        }
        Ok(done)
    }

    /// Deletes records older than `retention_days` (never fewer than
    /// [`MIN_RETENTION_DAYS`]); the purge itself is recorded.
    pub async fn purge_audit(&self, retention_days: u32) -> Result<u64> {
        let days = retention_days.max(MIN_RETENTION_DAYS);
        let before: DateTime<Utc> = Utc::now() - Duration::days(i64::from(days));
        let mut tx = self.db.begin().await?;
        let n = self.db.audit_purge(&mut tx, before).await?;
        self.audit(
            &mut tx,
            AuditEntry::new("purge", "audit_log", "")
                .note("before", before.to_rfc3339())
                .note("records", n),
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }
}
