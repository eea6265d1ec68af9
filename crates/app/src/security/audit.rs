//! The audit trail (留痕): every change and every read of unmasked personal
//! data, written in the transaction of the change, each record chained to the
//! one before by an HMAC under a key the database does not hold. `verify`
//! walks the chain and names the first record that was edited, deleted or
//! reordered behind the application's back.

use super::checkpoint::Checkpoint;
use crate::{Registry, Result};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use gongyi_store::audit::AuditHead;
pub use gongyi_store::audit::{AuditFilter, AuditRow};
use gongyi_store::Tx;
use serde_json::{Map, Value};

/// The most records one export holds; a narrower filter gets the rest.
pub const EXPORT_MAX_RECORDS: usize = 100_000;

/// Records shown per page of the audit search.
pub const PAGE_SIZE: i64 = 50;

/// The highest page number of the audit search (as every listing's).
pub const MAX_PAGE: i64 = gongyi_store::MAX_PAGE;

/// The shortest retention the graded protection scheme allows (六个月).
pub const MIN_RETENTION_DAYS: u32 = 180;

/// The most characters of one short field (actor, action, record id…) kept
/// in the trail: anything longer came from outside and would let an
/// anonymous caller write megabytes per request.
pub const MAX_FIELD_CHARS: usize = 200;
/// The most characters of one value in `changes`.
pub const MAX_VALUE_CHARS: usize = 500;
/// The most bytes of a record's `changes` as stored.
pub const MAX_CHANGES_BYTES: usize = 8 * 1024;

/// `s` cut to `max` characters, saying so and how long it was.
fn cap(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let kept: String = s.chars().take(max).collect();
    format!("{kept}…(截断,原长 {n} 字符)")
}

fn cap_value(v: Value) -> Value {
    match v {
        Value::String(s) => Value::String(cap(&s, MAX_VALUE_CHARS)),
        Value::Array(a) => Value::Array(a.into_iter().map(cap_value).collect()),
        other => other,
    }
}

/// The changes as stored: each value capped, then fields dropped from the
/// end once the whole would pass [`MAX_CHANGES_BYTES`] (the count is kept).
fn capped_changes(changes: Map<String, Value>) -> String {
    let mut out = Map::new();
    let mut size = 2;
    let mut dropped = 0usize;
    for (k, v) in changes {
        let k = cap(&k, MAX_FIELD_CHARS);
        let v = cap_value(v);
        let len = k.len() + v.to_string().len() + 4;
        if dropped > 0 || size + len > MAX_CHANGES_BYTES - 64 {
            dropped += 1;
            continue;
        }
        size += len;
        out.insert(k, v);
    }
    if dropped > 0 {
        out.insert("_omitted_fields".into(), Value::from(dropped));
    }
    Value::Object(out).to_string()
}

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
    /// The whole chain checks: how many records, up to which sequence
    /// number, and the checkpoint it was held against (its sequence number).
    Intact {
        records: u64,
        last_seq: i64,
        checkpoint: Option<i64>,
    },
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

/// The text the head row's MAC covers: where the chain ends and where it
/// starts. The prefix keeps it apart from records' texts (they start with a
/// number), so no record's MAC can stand in for it.
fn head_canonical(seq: i64, mac: &str, anchor_seq: i64, anchor_mac: &str) -> String {
    [
        "audit_head",
        &seq.to_string(),
        mac,
        &anchor_seq.to_string(),
        anchor_mac,
    ]
    .join("\u{1f}")
}

/// A trail nobody has written to yet: its head has no MAC to check.
fn pristine(h: &AuditHead) -> bool {
    h.seq == 0 && h.mac.is_empty() && h.anchor_seq == 0 && h.anchor_mac.is_empty()
}

impl Registry {
    fn head_mac(&self, h: &AuditHead) -> String {
        self.keys
            .audit_mac(&head_canonical(h.seq, &h.mac, h.anchor_seq, &h.anchor_mac))
    }

    /// Appends `entry` for this registry's caller inside `tx`: it commits with
    /// the change or not at all. Every field is capped here, the one place
    /// all records pass, so no caller can make a record large.
    pub async fn audit(&self, tx: &mut Tx, entry: AuditEntry) -> Result<()> {
        let claim = self.db.audit_claim(tx).await?;
        let c = &self.caller;
        let short = |s: &str| cap(s, MAX_FIELD_CHARS);
        let mut row = AuditRow {
            seq: claim.seq,
            at: Utc::now().trunc_subsecs(6),
            actor_id: c.account_id,
            actor_name: short(&c.name),
            actor_role: short(&c.role),
            action: short(&entry.action),
            entity_kind: short(&entry.entity_kind),
            entity_id: short(&entry.entity_id),
            changes: capped_changes(entry.changes),
            client_addr: c.client_addr.as_deref().map(short),
            request_id: c.request_id.as_deref().map(short),
            prev_mac: claim.prev_mac,
            mac: String::new(),
        };
        row.mac = self.keys.audit_mac(&canonical(&row));
        let head_mac = self.keys.audit_mac(&head_canonical(
            row.seq,
            &row.mac,
            claim.anchor_seq,
            &claim.anchor_mac,
        ));
        self.db.audit_append(tx, &row, &head_mac).await?;
        Ok(())
    }

    /// Records one entry in a transaction of its own (reads, logins).
    pub async fn audit_now(&self, entry: AuditEntry) -> Result<()> {
        let mut tx = self.db.begin().await?;
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Walks the chain from its anchor to its head, checks the head's MAC,
    /// and holds the chain against the latest checkpoint of the configured
    /// file (a checkpoint file that does not check is itself a break).
    pub async fn verify_audit(&self) -> Result<Verdict> {
        match self.latest_checkpoint() {
            Ok(cp) => self.verify_audit_against(cp.as_ref()).await,
            Err(e) => Ok(Verdict::Broken {
                seq: 0,
                reason: e.to_string(),
            }),
        }
    }

    /// [`Registry::verify_audit`] against a given checkpoint (or none).
    pub async fn verify_audit_against(&self, checkpoint: Option<&Checkpoint>) -> Result<Verdict> {
        self.verify_chain(checkpoint, false).await
    }

    /// The walk; `unsealed_ok` accepts a head without a MAC (sealing one).
    async fn verify_chain(
        &self,
        checkpoint: Option<&Checkpoint>,
        unsealed_ok: bool,
    ) -> Result<Verdict> {
        let head = self.db.audit_head().await?;
        let broken = |seq: i64, reason: String| Ok(Verdict::Broken { seq, reason });
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
                    return broken(r.seq, format!("第 {} 条出现在链的起点之前", r.seq));
                }
                if r.seq != expected_seq {
                    return broken(expected_seq, format!("第 {expected_seq} 条缺失(被删除)"));
                }
                if r.prev_mac != prev {
                    return broken(
                        r.seq,
                        format!("第 {} 条与前一条不相接(被删除、插入或调换)", r.seq),
                    );
                }
                if self.keys.audit_mac(&canonical(r)) != r.mac {
                    return broken(r.seq, format!("第 {} 条内容被修改", r.seq));
                }
                if let Some(cp) = checkpoint.filter(|cp| cp.seq == r.seq && cp.mac != r.mac) {
                    return broken(
                        r.seq,
                        format!("第 {} 条与 {} 的检查点不符(被改写)", r.seq, cp.at),
                    );
                }
                prev = r.mac.clone();
                expected_seq += 1;
                records += 1;
            }
        }
        let last_seq = expected_seq - 1;
        if last_seq != head.seq || prev != head.mac {
            return broken(
                last_seq + 1,
                format!(
                    "链在第 {last_seq} 条结束,而记录头为第 {} 条(末尾被删除或修改)",
                    head.seq
                ),
            );
        }
        let sealed_ok = if head.head_mac.is_empty() {
            pristine(&head) || unsealed_ok
        } else {
            head.head_mac == self.head_mac(&head)
        };
        if !sealed_ok {
            return broken(
                head.seq,
                format!(
                    "记录头(第 {} 条)或链的起点与密钥签名不符(末尾被截断后记录头被改写)",
                    head.seq
                ),
            );
        }
        // A checkpoint at or before the anchor names records purged since.
        if let Some(cp) = checkpoint.filter(|cp| cp.seq > head.anchor_seq && cp.seq > last_seq) {
            return broken(
                last_seq + 1,
                format!(
                    "链在第 {last_seq} 条结束,落后于 {} 的检查点(第 {} 条):其后的记录被删除或数据库被回退",
                    cp.at, cp.seq
                ),
            );
        }
        Ok(Verdict::Intact {
            records,
            last_seq,
            checkpoint: checkpoint.map(|c| c.seq),
        })
    }

    /// Seals a head written before heads had a MAC (migration 0011), once,
    /// and only when the chain behind it verifies (against the latest
    /// checkpoint too): the seal is the record it appends. Returns whether
    /// it sealed.
    pub async fn seal_audit_head(&self) -> Result<bool> {
        let head = self.db.audit_head().await?;
        if !head.head_mac.is_empty() || pristine(&head) {
            return Ok(false);
        }
        let cp = self.latest_checkpoint()?;
        match self.verify_chain(cp.as_ref(), true).await? {
            Verdict::Intact { .. } => {
                self.audit_now(AuditEntry::new("seal", "audit_head", head.seq))
                    .await?;
                Ok(true)
            }
            Verdict::Broken { .. } => Ok(false),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_and_say_so() {
        assert_eq!(cap("abc", 3), "abc");
        assert_eq!(cap("甲乙丙丁", 2), "甲乙…(截断,原长 4 字符)");
        let mut m = Map::new();
        m.insert("reason".into(), Value::from("x".repeat(100_000)));
        for i in 0..100 {
            m.insert(
                format!("f{i:03}"),
                Value::from(vec![Some("y".repeat(400)), None]),
            );
        }
        let stored = capped_changes(m);
        assert!(stored.len() <= MAX_CHANGES_BYTES, "{}", stored.len());
        let v: Value = serde_json::from_str(&stored).expect("still JSON");
        assert!(v["_omitted_fields"].as_u64().is_some_and(|n| n > 0));
        assert!(v["f000"][0].as_str().is_some());
    }
}
