//! Calls for purchased services (政府购买服务): the call and its criteria,
//! sealed bids, the panel, conflicts, scores and the steps. The store keeps
//! the status someone set; the status at a moment is the domain's
//! (`domain::calls::effective`). Bid content is stored only sealed.

use crate::codes::{Code, NullableCode};
use crate::query::{bind_all, Bind};
use crate::{on_db, on_tx, Db, Page, Result, StoreError, Tx};
use chrono::{DateTime, Utc};
use gongyi_domain::calls::{CallInput, CallStatus, Criterion};

/// A call with its catalogue item, places and number of bids.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallRow {
    pub id: i64,
    pub title: String,
    pub item_id: i64,
    pub item_series: String,
    pub item_name: String,
    pub buyer_subdistrict: Option<String>,
    pub buyer_name: Option<String>,
    pub subdistrict_code: String,
    pub subdistrict_name: Option<String>,
    pub place: Option<String>,
    pub budget_fen: i64,
    pub requirements: String,
    pub enquiries_until: DateTime<Utc>,
    pub bids_until: DateTime<Utc>,
    pub standstill_days: i64,
    pub year: i64,
    #[sqlx(try_from = "Code<CallStatus>")]
    pub status: CallStatus,
    pub key_salt: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub opened_at: Option<DateTime<Utc>>,
    pub opened_by: Option<String>,
    pub awarded_bid: Option<i64>,
    pub awarded_at: Option<DateTime<Utc>>,
    pub awarded_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub close_reason: Option<String>,
    pub version: i64,
    pub bids: i64,
}

const SELECT_CALL: &str = "SELECT c.id, c.title, c.item_id, i.series AS item_series,
 i.name AS item_name, c.buyer_subdistrict, b.name AS buyer_name, c.subdistrict_code,
 s.name AS subdistrict_name, c.place, c.budget_fen, c.requirements, c.enquiries_until,
 c.bids_until, c.standstill_days, c.year, c.status, c.key_salt, c.created_by, c.created_at,
 c.updated_at, c.published_at, c.opened_at, c.opened_by, c.awarded_bid, c.awarded_at,
 c.awarded_by, c.closed_at, c.closed_by, c.close_reason, c.version,
 (SELECT COUNT(*) FROM bids x WHERE x.call_id = c.id) AS bids
 FROM calls c JOIN catalogue_items i ON i.id = c.item_id
 LEFT JOIN subdistricts s ON s.code = c.subdistrict_code
 LEFT JOIN subdistricts b ON b.code = c.buyer_subdistrict";

/// A bid; `sealed` opens only with the call's key.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BidRow {
    pub id: i64,
    pub call_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub credit_code: String,
    pub sealed: String,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub replaced: i64,
    pub price_fen: Option<i64>,
    pub qualified: bool,
    pub disqualified_reason: Option<String>,
}

const SELECT_BID: &str = "SELECT b.id, b.call_id, b.org_id, o.name AS org_name, o.credit_code,
 b.sealed, b.submitted_by, b.submitted_at, b.replaced, b.price_fen, b.qualified,
 b.disqualified_reason FROM bids b JOIN organizations o ON o.id = b.org_id";

/// One expert's points and reason for one criterion of one bid.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MarkRow {
    pub bid_id: i64,
    pub expert_name: String,
    pub position: i64,
    pub points: i64,
    pub reason: String,
}

/// A conflict of interest an expert declared on a bid.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ConflictRow {
    pub bid_id: i64,
    pub expert_name: String,
    pub reason: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CallEventRow {
    pub id: i64,
    pub action: String,
    #[sqlx(try_from = "NullableCode<CallStatus>")]
    pub from_status: Option<CallStatus>,
    #[sqlx(try_from = "Code<CallStatus>")]
    pub to_status: CallStatus,
    pub actor_name: String,
    pub actor_role: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// Which calls a list shows.
#[derive(Debug, Clone, Default)]
pub struct CallFilter {
    /// Drafts shown: `None` none; `Some(None)` the bureau's and every
    /// sub-district's; `Some(Some(code))` that sub-district's own.
    pub drafts_of: Option<Option<String>>,
    pub subdistrict: Option<String>,
    pub item: Option<i64>,
    pub year: Option<i32>,
}

/// A step: the status stored before (the guard) and after, and what it sets.
#[derive(Debug, Clone)]
pub struct CallTransition<'a> {
    pub action: &'static str,
    /// The status stored now: the update is guarded by it, so of two
    /// concurrent steps from one status only one succeeds.
    pub stored: CallStatus,
    /// The status at the moment (after steps due by time), for the event.
    pub from: CallStatus,
    pub to: CallStatus,
    pub actor_name: &'a str,
    pub actor_role: &'a str,
    pub note: Option<&'a str>,
    pub awarded_bid: Option<i64>,
    pub at: DateTime<Utc>,
}

impl Db {
    /// A new draft with its criteria.
    pub async fn insert_call(
        &self,
        tx: &mut Tx,
        c: &CallInput,
        buyer: Option<&str>,
        salt: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let id: i64 = on_tx!(tx, x => sqlx::query_scalar(
            "INSERT INTO calls (title, item_id, buyer_subdistrict, subdistrict_code, place,
             budget_fen, requirements, enquiries_until, bids_until, standstill_days, year, status,
             key_salt, created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'DRAFT', $12, $13, $14, $14)
             RETURNING id")
            .bind(&c.title).bind(c.item_id).bind(buyer).bind(&c.subdistrict).bind(&c.place)
            .bind(c.budget.get()).bind(&c.requirements).bind(c.enquiries_until)
            .bind(c.bids_until).bind(c.standstill_days).bind(i64::from(c.year())).bind(salt)
            .bind(by).bind(at).fetch_one(&mut **x).await?);
        self.put_criteria(tx, id, &c.criteria).await?;
        Ok(id)
    }

    /// Replaces a draft read at `version`.
    pub async fn update_call(
        &self,
        tx: &mut Tx,
        id: i64,
        version: i64,
        c: &CallInput,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let n = on_tx!(tx, x => sqlx::query(
            "UPDATE calls SET title = $3, item_id = $4, subdistrict_code = $5, place = $6,
             budget_fen = $7, requirements = $8, enquiries_until = $9, bids_until = $10,
             standstill_days = $11, year = $12, updated_at = $13, version = version + 1
             WHERE id = $1 AND version = $2 AND status = 'DRAFT'")
            .bind(id).bind(version).bind(&c.title).bind(c.item_id).bind(&c.subdistrict)
            .bind(&c.place).bind(c.budget.get()).bind(&c.requirements).bind(c.enquiries_until)
            .bind(c.bids_until).bind(c.standstill_days).bind(i64::from(c.year())).bind(at)
            .execute(&mut **x).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        on_tx!(tx, x => sqlx::query("DELETE FROM call_criteria WHERE call_id = $1")
            .bind(id).execute(&mut **x).await?.rows_affected());
        self.put_criteria(tx, id, &c.criteria).await
    }

    async fn put_criteria(&self, tx: &mut Tx, id: i64, criteria: &[Criterion]) -> Result<()> {
        for (i, c) in criteria.iter().enumerate() {
            on_tx!(tx, x => sqlx::query(
                "INSERT INTO call_criteria (call_id, position, name, weight) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(i as i64).bind(&c.name).bind(c.weight)
                .execute(&mut **x).await?.rows_affected());
        }
        Ok(())
    }

    pub async fn call(&self, id: i64) -> Result<CallRow> {
        let sql = format!("{SELECT_CALL} WHERE c.id = $1");
        on_db!(self, p => sqlx::query_as::<_, CallRow>(&sql).bind(id).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// The call as this transaction sees it.
    pub async fn call_tx(&self, tx: &mut Tx, id: i64) -> Result<CallRow> {
        let sql = format!("{SELECT_CALL} WHERE c.id = $1");
        on_tx!(tx, x => sqlx::query_as::<_, CallRow>(&sql).bind(id).fetch_optional(&mut **x).await?)
            .ok_or(StoreError::NotFound)
    }

    /// Calls, latest deadline first.
    pub async fn list_calls(
        &self,
        f: &CallFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<CallRow>> {
        let mut b = Vec::new();
        let mut w = Vec::new();
        match &f.drafts_of {
            None => w.push("c.status <> 'DRAFT'".to_string()),
            Some(None) => {}
            Some(Some(code)) => {
                b.push(Bind::Text(code.clone()));
                w.push(format!(
                    "(c.status <> 'DRAFT' OR c.buyer_subdistrict = ${})",
                    b.len()
                ));
            }
        }
        if let Some(s) = &f.subdistrict {
            b.push(Bind::Text(s.clone()));
            w.push(format!("c.subdistrict_code = ${}", b.len()));
        }
        if let Some(i) = f.item {
            b.push(Bind::Int(i));
            w.push(format!("c.item_id = ${}", b.len()));
        }
        if let Some(y) = f.year {
            b.push(Bind::Int(i64::from(y)));
            w.push(format!("c.year = ${}", b.len()));
        }
        let w = if w.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", w.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM calls c{w}");
        let total: i64 =
            on_db!(self, p => bind_all!(sqlx::query_scalar(&count_sql), &b).fetch_one(p).await?);
        let sql = format!(
            "{SELECT_CALL}{w} ORDER BY c.bids_until DESC, c.id DESC LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let items = on_db!(self, p => bind_all!(sqlx::query_as::<_, CallRow>(&sql), &b).fetch_all(p).await?);
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    pub async fn call_criteria(&self, id: i64) -> Result<Vec<Criterion>> {
        let rows: Vec<(String, i64)> = on_db!(self, p => sqlx::query_as(
            "SELECT name, weight FROM call_criteria WHERE call_id = $1 ORDER BY position")
            .bind(id).fetch_all(p).await?);
        Ok(rows
            .into_iter()
            .map(|(name, weight)| Criterion { name, weight })
            .collect())
    }

    /// A step: the status change guarded by the stored status, what the step
    /// sets, and its event. [`StoreError::Conflict`] when another step came
    /// first.
    pub async fn transition_call(
        &self,
        tx: &mut Tx,
        id: i64,
        t: &CallTransition<'_>,
    ) -> Result<i64> {
        let n = on_tx!(tx, x => sqlx::query(
            "UPDATE calls SET status = $3, updated_at = $4, version = version + 1,
             published_at = CASE WHEN $5 = 'publish' THEN $4 ELSE published_at END,
             opened_at = CASE WHEN $5 = 'open' THEN $4 ELSE opened_at END,
             opened_by = CASE WHEN $5 = 'open' THEN $6 ELSE opened_by END,
             awarded_bid = CASE WHEN $5 = 'award' THEN $7 ELSE awarded_bid END,
             awarded_at = CASE WHEN $5 = 'award' THEN $4 ELSE awarded_at END,
             awarded_by = CASE WHEN $5 = 'award' THEN $6 ELSE awarded_by END,
             closed_at = CASE WHEN $5 IN ('cancel', 'fail', 'sign') THEN $4 ELSE closed_at END,
             closed_by = CASE WHEN $5 IN ('cancel', 'fail', 'sign') THEN $6 ELSE closed_by END,
             close_reason = CASE WHEN $5 IN ('cancel', 'fail') THEN $8 ELSE close_reason END
             WHERE id = $1 AND status = $2")
            .bind(id).bind(t.stored.code()).bind(t.to.code()).bind(t.at).bind(t.action)
            .bind(t.actor_name).bind(t.awarded_bid).bind(t.note)
            .execute(&mut **x).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        self.call_event(tx, id, t).await
    }

    /// An event without a status change (a bid, a panel, a score).
    pub async fn call_event(&self, tx: &mut Tx, id: i64, t: &CallTransition<'_>) -> Result<i64> {
        Ok(on_tx!(tx, x => sqlx::query_scalar(
            "INSERT INTO call_events (call_id, action, from_status, to_status, actor_name,
             actor_role, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(id).bind(t.action).bind(t.from.code()).bind(t.to.code()).bind(t.actor_name)
            .bind(t.actor_role).bind(t.note).bind(t.at).fetch_one(&mut **x).await?))
    }

    pub async fn call_events(&self, id: i64) -> Result<Vec<CallEventRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT id, action, from_status, to_status, actor_name, actor_role, note, at
             FROM call_events WHERE call_id = $1 ORDER BY id")
            .bind(id).fetch_all(p).await?))
    }

    /// Hands in or replaces the organisation's bid; returns its id and
    /// whether it replaced an earlier one.
    pub async fn put_bid(
        &self,
        tx: &mut Tx,
        call: i64,
        org: i64,
        sealed: &str,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<(i64, bool)> {
        let (id, replaced): (i64, i64) = on_tx!(tx, x => sqlx::query_as(
            "INSERT INTO bids (call_id, org_id, sealed, submitted_by, submitted_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (call_id, org_id) DO UPDATE SET sealed = excluded.sealed,
             submitted_by = excluded.submitted_by, submitted_at = excluded.submitted_at,
             replaced = bids.replaced + 1
             RETURNING id, replaced")
            .bind(call).bind(org).bind(sealed).bind(by).bind(at).fetch_one(&mut **x).await?);
        Ok((id, replaced > 0))
    }

    /// The bids of a call, in the order they came.
    pub async fn bids_of_call(&self, call: i64) -> Result<Vec<BidRow>> {
        let sql = format!("{SELECT_BID} WHERE b.call_id = $1 ORDER BY b.submitted_at, b.id");
        Ok(on_db!(self, p => sqlx::query_as::<_, BidRow>(&sql).bind(call).fetch_all(p).await?))
    }

    pub async fn bids_of_call_tx(&self, tx: &mut Tx, call: i64) -> Result<Vec<BidRow>> {
        let sql = format!("{SELECT_BID} WHERE b.call_id = $1 ORDER BY b.submitted_at, b.id");
        Ok(on_tx!(tx, x => sqlx::query_as::<_, BidRow>(&sql).bind(call).fetch_all(&mut **x).await?))
    }

    pub async fn bid_of_org(&self, call: i64, org: i64) -> Result<Option<BidRow>> {
        let sql = format!("{SELECT_BID} WHERE b.call_id = $1 AND b.org_id = $2");
        Ok(
            on_db!(self, p => sqlx::query_as::<_, BidRow>(&sql).bind(call).bind(org).fetch_optional(p).await?),
        )
    }

    /// The price read at the opening.
    pub async fn set_bid_price(&self, tx: &mut Tx, bid: i64, price_fen: i64) -> Result<()> {
        on_tx!(tx, x => sqlx::query("UPDATE bids SET price_fen = $2 WHERE id = $1")
            .bind(bid).bind(price_fen).execute(&mut **x).await?.rows_affected());
        Ok(())
    }

    pub async fn disqualify_bid(&self, tx: &mut Tx, bid: i64, reason: &str) -> Result<()> {
        on_tx!(tx, x => sqlx::query(
            "UPDATE bids SET qualified = FALSE, disqualified_reason = $2 WHERE id = $1")
            .bind(bid).bind(reason).execute(&mut **x).await?.rows_affected());
        Ok(())
    }

    /// Names of active reviewer accounts (the expert pool).
    pub async fn reviewer_names(&self) -> Result<Vec<String>> {
        Ok(on_db!(self, p => sqlx::query_scalar(
            "SELECT name FROM accounts WHERE role = 'reviewer' AND NOT disabled ORDER BY name")
            .fetch_all(p).await?))
    }

    pub async fn put_panel(
        &self,
        tx: &mut Tx,
        call: i64,
        names: &[String],
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_tx!(tx, x => sqlx::query("DELETE FROM call_panel WHERE call_id = $1")
            .bind(call).execute(&mut **x).await?.rows_affected());
        for n in names {
            on_tx!(tx, x => sqlx::query(
                "INSERT INTO call_panel (call_id, expert_name, drawn_by, drawn_at) VALUES ($1, $2, $3, $4)")
                .bind(call).bind(n).bind(by).bind(at).execute(&mut **x).await?.rows_affected());
        }
        Ok(())
    }

    pub async fn panel(&self, call: i64) -> Result<Vec<String>> {
        Ok(on_db!(self, p => sqlx::query_scalar(
            "SELECT expert_name FROM call_panel WHERE call_id = $1 ORDER BY expert_name")
            .bind(call).fetch_all(p).await?))
    }

    /// Whether any score was given on the call (a panel is then kept).
    pub async fn call_scored(&self, tx: &mut Tx, call: i64) -> Result<bool> {
        Ok(on_tx!(tx, x => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM bid_scores s JOIN bids b ON b.id = s.bid_id
             WHERE b.call_id = $1)").bind(call).fetch_one(&mut **x).await?))
    }

    /// Records a conflict; [`StoreError::Duplicate`] when already declared.
    pub async fn declare_conflict(
        &self,
        tx: &mut Tx,
        bid: i64,
        expert: &str,
        reason: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_tx!(tx, x => sqlx::query(
            "INSERT INTO bid_conflicts (bid_id, expert_name, reason, declared_at) VALUES ($1, $2, $3, $4)")
            .bind(bid).bind(expert).bind(reason).bind(at).execute(&mut **x).await
            .map_err(|e| StoreError::unique_as(e, "bid"))?.rows_affected());
        Ok(())
    }

    pub async fn conflicts(&self, call: i64) -> Result<Vec<ConflictRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT k.bid_id, k.expert_name, k.reason FROM bid_conflicts k
             JOIN bids b ON b.id = k.bid_id WHERE b.call_id = $1 ORDER BY k.bid_id, k.expert_name")
            .bind(call).fetch_all(p).await?))
    }

    /// Whether `expert` is recused from `bid`, as this transaction sees it.
    pub async fn recused_tx(&self, tx: &mut Tx, bid: i64, expert: &str) -> Result<bool> {
        Ok(on_tx!(tx, x => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM bid_conflicts WHERE bid_id = $1 AND expert_name = $2)")
            .bind(bid).bind(expert).fetch_one(&mut **x).await?))
    }

    /// An expert's sheet for a bid, replacing an earlier one.
    pub async fn put_marks(
        &self,
        tx: &mut Tx,
        bid: i64,
        expert: &str,
        sheet: &[(i64, String)],
        at: DateTime<Utc>,
    ) -> Result<()> {
        for (i, (points, reason)) in sheet.iter().enumerate() {
            on_tx!(tx, x => sqlx::query(
                "INSERT INTO bid_scores (bid_id, expert_name, position, points, reason, scored_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (bid_id, expert_name, position) DO UPDATE SET points = excluded.points,
                 reason = excluded.reason, scored_at = excluded.scored_at")
                .bind(bid).bind(expert).bind(i as i64).bind(points).bind(reason).bind(at)
                .execute(&mut **x).await?.rows_affected());
        }
        Ok(())
    }

    pub async fn marks(&self, call: i64) -> Result<Vec<MarkRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT s.bid_id, s.expert_name, s.position, s.points, s.reason FROM bid_scores s
             JOIN bids b ON b.id = s.bid_id WHERE b.call_id = $1
             ORDER BY s.bid_id, s.expert_name, s.position")
            .bind(call).fetch_all(p).await?))
    }

    pub async fn marks_tx(&self, tx: &mut Tx, call: i64) -> Result<Vec<MarkRow>> {
        Ok(on_tx!(tx, x => sqlx::query_as(
            "SELECT s.bid_id, s.expert_name, s.position, s.points, s.reason FROM bid_scores s
             JOIN bids b ON b.id = s.bid_id WHERE b.call_id = $1
             ORDER BY s.bid_id, s.expert_name, s.position")
            .bind(call).fetch_all(&mut **x).await?))
    }

    pub async fn panel_tx(&self, tx: &mut Tx, call: i64) -> Result<Vec<String>> {
        Ok(on_tx!(tx, x => sqlx::query_scalar(
            "SELECT expert_name FROM call_panel WHERE call_id = $1 ORDER BY expert_name")
            .bind(call).fetch_all(&mut **x).await?))
    }

    pub async fn conflicts_tx(&self, tx: &mut Tx, call: i64) -> Result<Vec<ConflictRow>> {
        Ok(on_tx!(tx, x => sqlx::query_as(
            "SELECT k.bid_id, k.expert_name, k.reason FROM bid_conflicts k
             JOIN bids b ON b.id = k.bid_id WHERE b.call_id = $1 ORDER BY k.bid_id, k.expert_name")
            .bind(call).fetch_all(&mut **x).await?))
    }
}
