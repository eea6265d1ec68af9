//! Budget lines (one per rule and year), what they have given away, and the
//! finance ledger of payments by rule, sub-district and year.
//!
//! What a line has given away is computed, never stored: the approved but
//! unpaid plus the paid amounts of the applications that drew on it. An
//! approval locks its line first ([`Db::lock_budget_line`]) and computes that
//! sum in the same transaction, so two approvals cannot both see the old
//! balance.

use crate::codes::Code;
use crate::{dialect, on_db, on_tx, Db, Result, StoreError, Tx};
use chrono::{DateTime, Utc};
use gongyi_domain::applications::{Actor, Role, SubsidyRule};
use gongyi_domain::policy::BeneficiaryKind;
use gongyi_domain::Fen;

/// A budget line as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BudgetLineRow {
    pub id: i64,
    #[sqlx(try_from = "Code<SubsidyRule>")]
    pub rule: SubsidyRule,
    pub year: i64,
    pub amount_fen: i64,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

/// A budget line with what it has given away.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BudgetStatusRow {
    pub id: i64,
    #[sqlx(try_from = "Code<SubsidyRule>")]
    pub rule: SubsidyRule,
    pub year: i64,
    pub amount_fen: i64,
    /// Approved, not yet paid.
    pub approved_fen: i64,
    pub paid_fen: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
}

impl BudgetStatusRow {
    /// What is left to approve; never negative while approvals go through
    /// the lock.
    pub fn remaining_fen(&self) -> i64 {
        self.amount_fen - self.approved_fen - self.paid_fen
    }
}

/// One change of a budget line: who set it from what to what, and when.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct BudgetEventRow {
    pub id: i64,
    pub actor_name: String,
    #[sqlx(try_from = "Code<Role>")]
    pub actor_role: Role,
    /// `None` when the change created the line.
    pub old_amount_fen: Option<i64>,
    pub new_amount_fen: i64,
    pub at: DateTime<Utc>,
}

/// Paid totals for one rule, year and sub-district.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LedgerRow {
    #[sqlx(try_from = "Code<SubsidyRule>")]
    pub rule: SubsidyRule,
    pub year: i64,
    pub subdistrict_code: Option<String>,
    pub subdistrict_name: Option<String>,
    pub payments: i64,
    pub total_fen: i64,
}

/// Paid totals for one payee (an organisation or a person) and rule.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PayeeLedgerRow {
    #[sqlx(try_from = "Code<BeneficiaryKind>")]
    pub beneficiary_kind: BeneficiaryKind,
    /// `organizations.id` or `people.id`, by kind.
    pub beneficiary_ref: i64,
    /// An organisation's credit code today; empty for a person.
    pub credit_code: Option<String>,
    pub beneficiary_name: String,
    #[sqlx(try_from = "Code<SubsidyRule>")]
    pub rule: SubsidyRule,
    pub payments: i64,
    pub total_fen: i64,
}

/// A budget line locked for the rest of the transaction: `(id, amount_fen)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockedLine {
    pub id: i64,
    pub amount: Fen,
}

impl Db {
    /// Locks the line of (`rule`, `year`) until the transaction ends and
    /// returns it, or `None` when no line is set. Call it first in the
    /// transaction: on SQLite it is the write that takes the database's
    /// write lock before anything is read.
    pub async fn lock_budget_line(
        &self,
        tx: &mut Tx,
        rule: SubsidyRule,
        year: i32,
    ) -> Result<Option<LockedLine>> {
        let sql = dialect::lock_budget_line(self.backend());
        let row: Option<(i64, i64)> = on_tx!(tx, c => sqlx::query_as(sql)
            .bind(rule.code()).bind(i64::from(year)).fetch_optional(&mut **c).await?);
        Ok(row.map(|(id, amount)| LockedLine {
            id,
            amount: Fen(amount),
        }))
    }

    /// Locks every line of `rule` until the transaction ends (see
    /// [`dialect::lock_rule_budget_lines`]) and returns that of `year`, or
    /// `None` when it is not set. Call it first in the transaction, as
    /// [`Db::lock_budget_line`].
    pub async fn lock_rule_budget(
        &self,
        tx: &mut Tx,
        rule: SubsidyRule,
        year: i32,
    ) -> Result<Option<LockedLine>> {
        let sql = dialect::lock_rule_budget_lines(self.backend());
        let rows: Vec<(i64, i64, i64)> = on_tx!(tx, c => sqlx::query_as(sql)
            .bind(rule.code()).fetch_all(&mut **c).await?);
        Ok(rows
            .into_iter()
            .find(|r| r.1 == i64::from(year))
            .map(|(id, _, amount)| LockedLine {
                id,
                amount: Fen(amount),
            }))
    }

    /// What the line of (`rule`, `year`) has given away: approved but unpaid
    /// plus paid.
    pub async fn budget_committed_tx(
        &self,
        tx: &mut Tx,
        rule: SubsidyRule,
        year: i32,
    ) -> Result<Fen> {
        let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(approved_fen), 0) AS BIGINT) FROM applications
             WHERE rule = $1 AND budget_year = $2 AND status IN ('APPROVED', 'PAID')")
            .bind(rule.code()).bind(i64::from(year)).fetch_one(&mut **c).await?);
        Ok(Fen(n))
    }

    /// The id of the line of (`rule`, `year`).
    pub async fn budget_line_id_tx(
        &self,
        tx: &mut Tx,
        rule: SubsidyRule,
        year: i64,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar::<_, i64>(
            "SELECT id FROM budget_lines WHERE rule = $1 AND year = $2")
            .bind(rule.code()).bind(year).fetch_optional(&mut **c).await?)
        .ok_or(StoreError::NotFound)
    }

    /// Sets the amount of a line (creating it) and records who changed it
    /// from what. The caller has locked the line and checked the amount;
    /// `old` is what the lock returned.
    pub async fn set_budget_line(
        &self,
        tx: &mut Tx,
        (rule, year): (SubsidyRule, i32),
        old: Option<LockedLine>,
        amount: Fen,
        actor: &Actor,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let id: i64 = match old {
            Some(line) => on_tx!(tx, c => sqlx::query_scalar(
                "UPDATE budget_lines SET amount_fen = $1, version = version + 1, updated_by = $2,
                 updated_at = $3 WHERE id = $4 RETURNING id")
                .bind(amount.get()).bind(&actor.name).bind(at).bind(line.id)
                .fetch_one(&mut **c).await?),
            // Two first settings of the same line at once: the second is a
            // conflict, to be retried against the line the first created.
            None => on_tx!(tx, c => sqlx::query_scalar(
                "INSERT INTO budget_lines (rule, year, amount_fen, updated_by, updated_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(rule.code()).bind(i64::from(year)).bind(amount.get()).bind(&actor.name).bind(at)
                .fetch_one(&mut **c).await
                .map_err(|e| match StoreError::unique_as(e, "budget_line") {
                    StoreError::Duplicate { .. } => StoreError::Conflict,
                    other => other,
                })?),
        };
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO budget_events (budget_line_id, actor_name, actor_role, old_amount_fen,
             new_amount_fen, at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id).bind(&actor.name).bind(actor.role.code()).bind(old.map(|l| l.amount.get()))
            .bind(amount.get()).bind(at).execute(&mut **c).await?.rows_affected());
        Ok(id)
    }

    /// Every change of the line of (`rule`, `year`), oldest first; none when
    /// the line was never set.
    pub async fn budget_events(&self, rule: SubsidyRule, year: i32) -> Result<Vec<BudgetEventRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT e.id, e.actor_name, e.actor_role, e.old_amount_fen, e.new_amount_fen, e.at
             FROM budget_events e JOIN budget_lines b ON b.id = e.budget_line_id
             WHERE b.rule = $1 AND b.year = $2 ORDER BY e.id")
            .bind(rule.code()).bind(i64::from(year)).fetch_all(p).await?))
    }

    /// Every line (of one year, if given) with what it has given away, by
    /// year and rule.
    pub async fn budget_status(&self, year: Option<i32>) -> Result<Vec<BudgetStatusRow>> {
        let mut rows: Vec<BudgetStatusRow> = on_db!(self, p => sqlx::query_as(
            "SELECT b.id, b.rule, b.year, b.amount_fen,
             CAST(COALESCE((SELECT SUM(a.approved_fen) FROM applications a WHERE a.rule = b.rule
               AND a.budget_year = b.year AND a.status = 'APPROVED'), 0) AS BIGINT) AS approved_fen,
             CAST(COALESCE((SELECT SUM(a.approved_fen) FROM applications a WHERE a.rule = b.rule
               AND a.budget_year = b.year AND a.status = 'PAID'), 0) AS BIGINT) AS paid_fen,
             b.updated_by, b.updated_at
             FROM budget_lines b WHERE ($1 = 0 OR b.year = $1)")
            .bind(year.map_or(0, i64::from)).fetch_all(p).await?);
        // By rule number (R10 after R9), which the codes' text order is not.
        rows.sort_by_key(|r| (r.year, r.rule));
        Ok(rows)
    }

    /// One line with what it has given away.
    pub async fn budget_line_status(
        &self,
        rule: SubsidyRule,
        year: i32,
    ) -> Result<BudgetStatusRow> {
        self.budget_status(Some(year))
            .await?
            .into_iter()
            .find(|r| r.rule == rule)
            .ok_or(StoreError::NotFound)
    }

    /// Payments summed by rule, budget year and sub-district (of the
    /// application), for one year if given.
    pub async fn ledger(&self, year: Option<i32>) -> Result<Vec<LedgerRow>> {
        let mut rows: Vec<LedgerRow> = on_db!(self, p => sqlx::query_as(
            "SELECT p.rule, b.year, a.subdistrict_code, s.name AS subdistrict_name,
             COUNT(*) AS payments, CAST(SUM(p.amount_fen) AS BIGINT) AS total_fen
             FROM payments p JOIN budget_lines b ON b.id = p.budget_line_id
             JOIN applications a ON a.id = p.application_id
             LEFT JOIN subdistricts s ON s.code = a.subdistrict_code
             WHERE ($1 = 0 OR b.year = $1)
             GROUP BY p.rule, b.year, a.subdistrict_code, s.name")
            .bind(year.map_or(0, i64::from)).fetch_all(p).await?);
        rows.sort_by(|a, b| {
            (a.year, a.rule, &a.subdistrict_code).cmp(&(b.year, b.rule, &b.subdistrict_code))
        });
        Ok(rows)
    }

    /// Paid totals per payee and rule of budget year `year` (all years when
    /// `None`), the largest payees first. A payee is its table id, so a
    /// renamed organisation is one payee (shown by its latest name applied under).
    pub async fn payee_ledger(&self, year: Option<i32>) -> Result<Vec<PayeeLedgerRow>> {
        let mut rows: Vec<PayeeLedgerRow> = on_db!(self, p => sqlx::query_as(
            "SELECT a.beneficiary_kind, COALESCE(a.beneficiary_org_id, a.beneficiary_person_id) AS beneficiary_ref,
             MAX(o.credit_code) AS credit_code, MAX(a.beneficiary_name) AS beneficiary_name, p.rule,
             COUNT(*) AS payments, CAST(SUM(p.amount_fen) AS BIGINT) AS total_fen
             FROM payments p JOIN budget_lines b ON b.id = p.budget_line_id
             JOIN applications a ON a.id = p.application_id
             LEFT JOIN organizations o ON o.id = a.beneficiary_org_id
             WHERE ($1 = 0 OR b.year = $1)
             GROUP BY a.beneficiary_kind, COALESCE(a.beneficiary_org_id, a.beneficiary_person_id), p.rule")
            .bind(year.map_or(0, i64::from)).fetch_all(p).await?);
        rows.sort_by(|a, b| {
            (b.total_fen, a.beneficiary_ref, a.rule).cmp(&(a.total_fen, b.beneficiary_ref, b.rule))
        });
        Ok(rows)
    }
}
