//! Applications for support and their payments: insert with attachments,
//! the guarded status changes with their audit events, payments, and the
//! reads the queue, the application page and the subsidy histories need.
//!
//! Two guarantees live here rather than in the layers above:
//! - a status change is an `UPDATE … WHERE id = $ AND status = $from AND
//!   version = $v`, so of two concurrent steps from the same state only one
//!   changes a row; the other gets [`StoreError::Conflict`];
//! - the `payments` table has a unique key on (rule, beneficiary kind,
//!   beneficiary's internal id, event key), so the same entitlement is paid
//!   at most once whatever happens above, also after the organisation's
//!   credit code changed; a second payment is [`StoreError::Duplicate`]
//!   `{ field: "payment" }`.
//!
//! Deciding whether a step is allowed is the domain's job
//! (`gongyi_domain::applications`); this module only records it.

use crate::codes::{self, Code, NullableCode};
use crate::query::{bind_all, Bind};
use crate::{on_db, on_tx, Db, Page, Result, StoreError, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use gongyi_domain::access::Scope;
use gongyi_domain::applications::{
    person_table_id, Action, Actor, ApplicationDraft, Attachment, Beneficiary, Committed,
    EventAction, Role, Standing, Status, Step, SubsidyRule,
};
use gongyi_domain::history::CreditList;
use gongyi_domain::orgs::OrgStatus;
use gongyi_domain::policy::BeneficiaryKind;
use gongyi_domain::Fen;

/// An application as stored, with its sub-district's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationRow {
    pub id: i64,
    #[sqlx(try_from = "Code<SubsidyRule>")]
    pub rule: SubsidyRule,
    #[sqlx(try_from = "Code<BeneficiaryKind>")]
    pub beneficiary_kind: BeneficiaryKind,
    /// The beneficiary's table id (`organizations.id` or `people.id`, by
    /// kind): what the entitlement is keyed on. See [`ApplicationRow::beneficiary`].
    pub beneficiary_ref: i64,
    /// For display: an organisation's credit code today (the one applied
    /// under if it is no longer registered), a person's key.
    pub beneficiary_id: String,
    pub beneficiary_name: String,
    pub subdistrict_code: Option<String>,
    pub subdistrict_name: Option<String>,
    pub needs_review: bool,
    pub event_key: String,
    pub requested_fen: i64,
    pub approved_fen: Option<i64>,
    pub budget_year: Option<i64>,
    #[sqlx(try_from = "Code<Status>")]
    pub status: Status,
    pub reason: Option<String>,
    pub applicant_name: String,
    #[sqlx(try_from = "Code<Role>")]
    pub applicant_role: Role,
    pub reviewer_name: Option<String>,
    pub approver_name: Option<String>,
    pub payer_name: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub approved_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

const SELECT_APPLICATION: &str = "SELECT a.id, a.rule, a.beneficiary_kind,
 COALESCE(a.beneficiary_org_id, a.beneficiary_person_id) AS beneficiary_ref,
 COALESCE(o.credit_code, a.beneficiary_id) AS beneficiary_id,
 a.beneficiary_name, a.subdistrict_code, s.name AS subdistrict_name, a.needs_review, a.event_key,
 a.requested_fen, a.approved_fen, a.budget_year, a.status, a.reason, a.applicant_name,
 a.applicant_role, a.reviewer_name, a.approver_name, a.payer_name, a.submitted_at, a.reviewed_at,
 a.approved_at, a.paid_at, a.updated_at, a.version
 FROM applications a LEFT JOIN subdistricts s ON s.code = a.subdistrict_code
 LEFT JOIN organizations o ON o.id = a.beneficiary_org_id";

/// One step of an application's audit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApplicationEventRow {
    pub id: i64,
    pub application_id: i64,
    #[sqlx(try_from = "Code<EventAction>")]
    pub action: EventAction,
    #[sqlx(try_from = "NullableCode<Status>")]
    pub from_status: Option<Status>,
    #[sqlx(try_from = "Code<Status>")]
    pub to_status: Status,
    pub actor_name: String,
    #[sqlx(try_from = "Code<Role>")]
    pub actor_role: Role,
    pub reason: Option<String>,
    pub amount_fen: Option<i64>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// An attachment without its content (for lists).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentMetaRow {
    pub id: i64,
    pub application_id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// An attachment with its content (for download).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttachmentRow {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub content: Vec<u8>,
}

/// A payment, with the year of the budget line it drew on.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PaymentRow {
    pub id: i64,
    pub application_id: i64,
    #[sqlx(try_from = "Code<SubsidyRule>")]
    pub rule: SubsidyRule,
    #[sqlx(try_from = "Code<BeneficiaryKind>")]
    pub beneficiary_kind: BeneficiaryKind,
    /// The beneficiary's table id, as on [`ApplicationRow::beneficiary_ref`].
    pub beneficiary_ref: i64,
    /// For display, as on [`ApplicationRow::beneficiary_id`].
    pub beneficiary_id: String,
    pub event_key: String,
    pub amount_fen: i64,
    pub budget_line_id: i64,
    pub budget_year: i64,
    pub payer_name: String,
    pub paid_at: DateTime<Utc>,
}

const SELECT_PAYMENT: &str = "SELECT p.id, p.application_id, p.rule, p.beneficiary_kind,
 COALESCE(p.beneficiary_org_id, p.beneficiary_person_id) AS beneficiary_ref,
 COALESCE(o.credit_code, p.beneficiary_id) AS beneficiary_id, p.event_key, p.amount_fen,
 p.budget_line_id, b.year AS budget_year, p.payer_name, p.paid_at
 FROM payments p JOIN budget_lines b ON b.id = p.budget_line_id
 LEFT JOIN organizations o ON o.id = p.beneficiary_org_id";

impl PaymentRow {
    pub fn beneficiary(&self) -> Beneficiary {
        Beneficiary::of(self.beneficiary_kind, self.beneficiary_ref)
    }
}

/// What the registry says about a beneficiary when an application is made;
/// kept on the application so lists and the ledger need no joins into the
/// registry (and do not change when the organisation later moves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeneficiarySnapshot {
    /// By table id: what the application is keyed on.
    pub beneficiary: Beneficiary,
    pub name: String,
    pub subdistrict_code: Option<String>,
    /// A community organisation (社区社会组织): its sub-district reviews.
    pub needs_review: bool,
}

/// The entitlement an application is for: its beneficiary by table id, so
/// a changed credit code is still the same entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntitlementKey<'a> {
    pub rule: SubsidyRule,
    pub beneficiary: Beneficiary,
    pub event_key: &'a str,
}

/// The column holding a beneficiary of this kind's table id (in
/// `applications` and `payments`).
fn beneficiary_column(b: Beneficiary) -> &'static str {
    match b {
        Beneficiary::Organisation(_) => "beneficiary_org_id",
        Beneficiary::Person(_) => "beneficiary_person_id",
    }
}

impl EntitlementKey<'_> {
    /// The rows of this entitlement in table `alias`: the condition and its
    /// binds, `$1`–`$3`.
    fn condition(&self, alias: &str) -> (String, Vec<Bind>) {
        let column = beneficiary_column(self.beneficiary);
        let cond =
            format!("{alias}.rule = $1 AND {alias}.{column} = $2 AND {alias}.event_key = $3");
        let b = vec![
            Bind::Text(self.rule.code().into()),
            Bind::Int(self.beneficiary.table_id()),
            Bind::Text(self.event_key.into()),
        ];
        (cond, b)
    }
}

impl ApplicationRow {
    pub fn beneficiary(&self) -> Beneficiary {
        Beneficiary::of(self.beneficiary_kind, self.beneficiary_ref)
    }

    pub fn entitlement(&self) -> EntitlementKey<'_> {
        EntitlementKey {
            rule: self.rule,
            beneficiary: self.beneficiary(),
            event_key: &self.event_key,
        }
    }
}

/// A status change to record: the step the domain allowed, who took it and
/// what it fixed.
#[derive(Debug, Clone)]
pub struct Transition<'a> {
    pub step: Step,
    pub actor: &'a Actor,
    /// The version the step was decided on.
    pub version: i64,
    pub reason: Option<&'a str>,
    /// Approve: the amount and the budget line's year; pay: the amount paid
    /// (shown on the step's event).
    pub approved: Option<(Fen, i32)>,
    /// A line for the audit, e.g. how the amount was found.
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Filters of the queue; each `None` means "any".
#[derive(Debug, Clone, Default)]
pub struct ApplicationFilter {
    pub status: Option<String>,
    pub rule: Option<String>,
    pub beneficiary_kind: Option<String>,
    pub beneficiary_id: Option<String>,
    pub subdistrict: Option<String>,
}

/// The condition that cuts applications (alias `a`) to `scope`, binding
/// after `b`; `None` for the whole district. A sub-district sees the
/// applications whose beneficiary lay in it when they were made (the same
/// snapshot the ledger sums by); an organisation sees its own.
fn application_scope_condition(scope: &Scope, b: &mut Vec<Bind>) -> Option<String> {
    match scope {
        Scope::District => None,
        Scope::Subdistrict(code) => {
            b.push(Bind::Text(code.clone()));
            Some(format!("a.subdistrict_code = ${}", b.len()))
        }
        Scope::Organisation(id) => {
            b.push(Bind::Int(*id));
            Some(format!("a.beneficiary_org_id = ${}", b.len()))
        }
        Scope::Nothing => Some("1 = 0".into()),
    }
}

impl ApplicationFilter {
    fn where_clause(&self, scope: &Scope, with_status: bool) -> (String, Vec<Bind>) {
        let mut w = Vec::new();
        let mut b = Vec::new();
        if let Some(cond) = application_scope_condition(scope, &mut b) {
            w.push(cond);
        }
        let status = if with_status { &self.status } else { &None };
        for (col, v) in [
            ("a.status", status),
            ("a.rule", &self.rule),
            ("a.beneficiary_kind", &self.beneficiary_kind),
            ("a.subdistrict_code", &self.subdistrict),
        ] {
            if let Some(v) = v {
                b.push(Bind::Text(v.clone()));
                w.push(format!("{col} = ${}", b.len()));
            }
        }
        // A credit code finds the organisation's applications under any
        // code it held; otherwise the key as applied for.
        if let Some(v) = &self.beneficiary_id {
            b.push(Bind::Text(v.clone()));
            let n = b.len();
            w.push(format!(
                "(a.beneficiary_id = ${n} OR a.beneficiary_org_id = \
                 (SELECT id FROM organizations WHERE credit_code = ${n}))"
            ));
        }
        if w.is_empty() {
            (String::new(), b)
        } else {
            (format!(" WHERE {}", w.join(" AND ")), b)
        }
    }
}

impl Db {
    /// Who the beneficiary is, or `None` when the registry does not know them.
    pub async fn beneficiary_snapshot(
        &self,
        kind: BeneficiaryKind,
        id: &str,
    ) -> Result<Option<BeneficiarySnapshot>> {
        match kind {
            BeneficiaryKind::Organisation => {
                let row: Option<(i64, String, String, bool)> = on_db!(self, p => sqlx::query_as(
                    "SELECT id, name, subdistrict_code, community FROM organizations WHERE credit_code = $1")
                    .bind(id).fetch_optional(p).await?);
                Ok(row.map(|(org, name, sub, community)| BeneficiarySnapshot {
                    beneficiary: Beneficiary::Organisation(org),
                    name,
                    subdistrict_code: Some(sub),
                    needs_review: community,
                }))
            }
            BeneficiaryKind::Person => {
                let Some(pid) = person_table_id(id) else {
                    return Ok(None);
                };
                let name: Option<String> = on_db!(self, p => sqlx::query_scalar(
                    "SELECT name FROM people WHERE id = $1").bind(pid).fetch_optional(p).await?);
                let Some(name) = name else {
                    return Ok(None);
                };
                // The sub-district of the current (else the latest) employer.
                let sub: Option<String> = on_db!(self, p => sqlx::query_scalar(
                    "SELECT o.subdistrict_code FROM employments e JOIN organizations o ON o.id = e.org_id
                     WHERE e.person_id = $1
                     ORDER BY CASE WHEN e.end_date IS NULL THEN 0 ELSE 1 END, e.start_date DESC, e.id DESC
                     LIMIT 1").bind(pid).fetch_optional(p).await?);
                Ok(Some(BeneficiarySnapshot {
                    beneficiary: Beneficiary::Person(pid),
                    name,
                    subdistrict_code: sub,
                    needs_review: false,
                }))
            }
        }
    }

    /// Inserts a submitted application with its attachments and its first
    /// event; returns its id. The beneficiary is `who.beneficiary`; the
    /// draft's `beneficiary_id` is kept as applied for.
    pub async fn insert_application(
        &self,
        tx: &mut Tx,
        d: &ApplicationDraft,
        who: &BeneficiarySnapshot,
        actor: &Actor,
        attachments: &[Attachment],
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let (org, person) = internal_ids(who.beneficiary);
        let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO applications (rule, beneficiary_kind, beneficiary_id, beneficiary_name,
             subdistrict_code, needs_review, event_key, requested_fen, status, applicant_name,
             applicant_role, submitted_at, updated_at, beneficiary_org_id, beneficiary_person_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, $13, $14) RETURNING id")
            .bind(d.rule.code()).bind(who.beneficiary.kind().code()).bind(&d.beneficiary_id)
            .bind(&who.name).bind(&who.subdistrict_code).bind(who.needs_review).bind(&d.event_key)
            .bind(d.requested.get()).bind(Status::Submitted.code()).bind(&actor.name)
            .bind(actor.role.code()).bind(at).bind(org).bind(person)
            .fetch_one(&mut **c).await?);
        for a in attachments {
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO application_attachments (application_id, file_name, content_type, size_bytes,
                 content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(id).bind(&a.file_name).bind(a.content_type).bind(a.bytes.len() as i64)
                .bind(&a.bytes).bind(&actor.name).bind(at)
                .execute(&mut **c).await?.rows_affected());
        }
        self.insert_event(
            tx,
            id,
            EventAction::Submit,
            None,
            Status::Submitted,
            actor,
            None,
            Some(d.requested),
            None,
            at,
        )
        .await?;
        Ok(id)
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one column each; callers are the two writers in this module"
    )]
    async fn insert_event(
        &self,
        tx: &mut Tx,
        application_id: i64,
        action: EventAction,
        from: Option<Status>,
        to: Status,
        actor: &Actor,
        reason: Option<&str>,
        amount: Option<Fen>,
        note: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO application_events (application_id, action, from_status, to_status, actor_name,
             actor_role, reason, amount_fen, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(application_id).bind(action.code()).bind(from.map(Status::code)).bind(to.code())
            .bind(&actor.name).bind(actor.role.code()).bind(reason).bind(amount.map(Fen::get))
            .bind(note).bind(at)
            .execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    /// Records a step: the guarded update, then its event. A row that is no
    /// longer in `step.from` at `version` is [`StoreError::Conflict`] and
    /// nothing is written.
    pub async fn transition(&self, tx: &mut Tx, id: i64, t: &Transition<'_>) -> Result<()> {
        let extra = match t.step.action {
            // A new round: what the last round fixed no longer holds.
            Action::Resubmit => {
                ", reason = NULL, reviewer_name = NULL, reviewed_at = NULL, approver_name = NULL,
                 approved_at = NULL, approved_fen = NULL, budget_year = NULL"
            }
            Action::Review => ", reviewer_name = $6, reviewed_at = $2",
            Action::Approve => {
                ", approver_name = $6, approved_at = $2, approved_fen = $7, budget_year = $8"
            }
            Action::Pay => ", payer_name = $6, paid_at = $2",
            Action::Return | Action::Refuse => ", reason = $6",
        };
        let sql = format!(
            "UPDATE applications SET status = $1, updated_at = $2, version = version + 1{extra}
             WHERE id = $3 AND status = $4 AND version = $5"
        );
        let (fen, year) = t
            .approved
            .map_or((None, None), |(f, y)| (Some(f.get()), Some(i64::from(y))));
        let n = on_tx!(tx, c => {
            let q = sqlx::query(&sql)
                .bind(t.step.to.code())
                .bind(t.at)
                .bind(id)
                .bind(t.step.from.code())
                .bind(t.version);
            let q = match t.step.action {
                Action::Resubmit => q,
                Action::Review | Action::Pay => q.bind(&t.actor.name),
                Action::Approve => q.bind(&t.actor.name).bind(fen).bind(year),
                Action::Return | Action::Refuse => q.bind(t.reason),
            };
            q.execute(&mut **c).await?.rows_affected()
        });
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        self.insert_event(
            tx,
            id,
            EventAction::Step(t.step.action),
            Some(t.step.from),
            t.step.to,
            t.actor,
            t.reason,
            t.approved.map(|(f, _)| f),
            t.note,
            t.at,
        )
        .await
    }

    /// Inserts the payment of an approved application. The entitlement's
    /// unique key (on the beneficiary's table id) makes a second payment
    /// [`StoreError::Duplicate`] `{ field: "payment" }`.
    pub async fn insert_payment(
        &self,
        tx: &mut Tx,
        a: &ApplicationRow,
        amount: Fen,
        budget_line_id: i64,
        payer: &Actor,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let (org, person) = internal_ids(a.beneficiary());
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO payments (application_id, rule, beneficiary_kind, beneficiary_id, event_key,
             amount_fen, budget_line_id, payer_name, paid_at, beneficiary_org_id, beneficiary_person_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
            .bind(a.id).bind(a.rule.code()).bind(a.beneficiary_kind.code()).bind(&a.beneficiary_id)
            .bind(&a.event_key).bind(amount.get()).bind(budget_line_id).bind(&payer.name).bind(at)
            .bind(org).bind(person)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "payment")))
    }

    pub async fn application(&self, id: i64) -> Result<ApplicationRow> {
        let sql = format!("{SELECT_APPLICATION} WHERE a.id = $1");
        on_db!(self, p => sqlx::query_as::<_, ApplicationRow>(&sql).bind(id).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// The application if it lies in `scope`; otherwise, as when it does
    /// not exist, [`StoreError::NotFound`].
    pub async fn application_in(&self, scope: &Scope, id: i64) -> Result<ApplicationRow> {
        let mut b = vec![Bind::Int(id)];
        let cond = application_scope_condition(scope, &mut b)
            .map_or(String::new(), |c| format!(" AND {c}"));
        let sql = format!("{SELECT_APPLICATION} WHERE a.id = $1{cond}");
        on_db!(self, p => bind_all!(sqlx::query_as::<_, ApplicationRow>(&sql), &b).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// The application as this transaction sees it.
    pub async fn application_tx(&self, tx: &mut Tx, id: i64) -> Result<ApplicationRow> {
        let sql = format!("{SELECT_APPLICATION} WHERE a.id = $1");
        on_tx!(tx, c => sqlx::query_as::<_, ApplicationRow>(&sql).bind(id).fetch_optional(&mut **c).await?)
            .ok_or(StoreError::NotFound)
    }

    /// The queue within `scope`, newest first.
    pub async fn list_applications(
        &self,
        scope: &Scope,
        f: &ApplicationFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<ApplicationRow>> {
        let (w, b) = f.where_clause(scope, true);
        let count_sql = format!("SELECT COUNT(*) FROM applications a{w}");
        let total: i64 =
            on_db!(self, p => bind_all!(sqlx::query_scalar(&count_sql), &b).fetch_one(p).await?);
        let sql = format!(
            "{SELECT_APPLICATION}{w} ORDER BY a.id DESC LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let items = on_db!(self, p => bind_all!(sqlx::query_as::<_, ApplicationRow>(&sql), &b).fetch_all(p).await?);
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Counts per status under the other filters (the queue's tabs).
    pub async fn application_status_counts(
        &self,
        scope: &Scope,
        f: &ApplicationFilter,
    ) -> Result<Vec<(Status, i64)>> {
        let (w, b) = f.where_clause(scope, false);
        let sql = format!(
            "SELECT a.status, COUNT(*) FROM applications a{w} GROUP BY a.status ORDER BY a.status"
        );
        let rows: Vec<(String, i64)> =
            on_db!(self, p => bind_all!(sqlx::query_as(&sql), &b).fetch_all(p).await?);
        rows.into_iter()
            .map(|(s, n)| Ok((codes::decode("status", &s)?, n)))
            .collect()
    }

    pub async fn application_events(&self, id: i64) -> Result<Vec<ApplicationEventRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT id, application_id, action, from_status, to_status, actor_name, actor_role, reason,
             amount_fen, note, at FROM application_events WHERE application_id = $1 ORDER BY id")
            .bind(id).fetch_all(p).await?))
    }

    pub async fn application_attachments(&self, id: i64) -> Result<Vec<AttachmentMetaRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT id, application_id, file_name, content_type, size_bytes, uploaded_by, uploaded_at
             FROM application_attachments WHERE application_id = $1 ORDER BY id")
            .bind(id).fetch_all(p).await?))
    }

    /// One attachment of one application, with its content.
    pub async fn attachment(&self, application_id: i64, id: i64) -> Result<AttachmentRow> {
        on_db!(self, p => sqlx::query_as::<_, AttachmentRow>(
            "SELECT id, file_name, content_type, content FROM application_attachments
             WHERE application_id = $1 AND id = $2")
            .bind(application_id).bind(id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)
    }

    /// Another application for the same entitlement that is still open or
    /// paid (not refused), if any: `(id, status)`.
    pub async fn live_application_for(
        &self,
        e: EntitlementKey<'_>,
    ) -> Result<Option<(i64, Status)>> {
        let (cond, b) = e.condition("a");
        let sql = format!(
            "SELECT a.id, a.status FROM applications a WHERE {cond} AND a.status <> 'REFUSED'
             ORDER BY a.id LIMIT 1"
        );
        let row = on_db!(self, p => bind_all!(sqlx::query_as(&sql), &b).fetch_optional(p).await?);
        with_status(row)
    }

    /// Another application for the same entitlement that is approved or
    /// paid, as this transaction sees it: `(id, status)`.
    pub async fn entitlement_taken_tx(
        &self,
        tx: &mut Tx,
        e: EntitlementKey<'_>,
        except_id: i64,
    ) -> Result<Option<(i64, Status)>> {
        let (sql, b) = taken(e, except_id);
        let row =
            on_tx!(tx, c => bind_all!(sqlx::query_as(&sql), &b).fetch_optional(&mut **c).await?);
        with_status(row)
    }

    /// The same as [`Db::entitlement_taken_tx`] outside a transaction: a
    /// cheap early refusal before work that the locked check would undo.
    pub async fn entitlement_taken(
        &self,
        e: EntitlementKey<'_>,
        except_id: i64,
    ) -> Result<Option<(i64, Status)>> {
        let (sql, b) = taken(e, except_id);
        let row = on_db!(self, p => bind_all!(sqlx::query_as(&sql), &b).fetch_optional(p).await?);
        with_status(row)
    }

    /// What the other approved and paid applications of `e`'s rule took, as
    /// this transaction sees them: of the same beneficiary (any event) their
    /// number and amount, and of the same event key (any beneficiary) their
    /// number. `except_id` is the application being approved.
    pub async fn committed_tx(
        &self,
        tx: &mut Tx,
        e: EntitlementKey<'_>,
        except_id: i64,
    ) -> Result<Committed> {
        let col = beneficiary_column(e.beneficiary);
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(CASE WHEN a.{col} = $2 THEN 1 ELSE 0 END), 0) AS BIGINT),
             CAST(COALESCE(SUM(CASE WHEN a.{col} = $2 THEN a.approved_fen ELSE 0 END), 0) AS BIGINT),
             CAST(COALESCE(SUM(CASE WHEN a.event_key = $3 THEN 1 ELSE 0 END), 0) AS BIGINT)
             FROM applications a WHERE a.rule = $1 AND a.status IN ('APPROVED', 'PAID')
             AND a.id <> $4 AND (a.{col} = $2 OR a.event_key = $3)"
        );
        let (count, total, same): (i64, i64, i64) = on_tx!(tx, c => sqlx::query_as(&sql)
            .bind(e.rule.code()).bind(e.beneficiary.table_id()).bind(e.event_key).bind(except_id)
            .fetch_one(&mut **c).await?);
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(Committed {
            count: n(count),
            total: Fen(total),
            same_event: n(same),
        })
    }

    /// What decides whether an organisation may apply for or be granted
    /// support on a day: its status and deregistration date, when its
    /// registration was revoked (the recorded change of status), and its
    /// entries on the abnormal-activity and serious-dishonesty lists.
    pub async fn org_standing(&self, org_id: i64) -> Result<Standing> {
        let (status, deregistered_on): (String, Option<NaiveDate>) =
            on_db!(self, p => sqlx::query_as(
            "SELECT status, deregistration_date FROM organizations WHERE id = $1")
            .bind(org_id).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)?;
        // Changes are stored as displayed: the status's label.
        let revoked: Option<DateTime<Utc>> = on_db!(self, p => sqlx::query_scalar(
            "SELECT MAX(changed_at) FROM registration_changes
             WHERE org_id = $1 AND field = 'status' AND new_value = $2")
            .bind(org_id).bind(OrgStatus::Revoked.label()).fetch_one(p).await?);
        let rows: Vec<(String, NaiveDate, Option<NaiveDate>)> = on_db!(self, p => sqlx::query_as(
            "SELECT list, listed_date, removed_date FROM credit_entries
             WHERE org_id = $1 AND list IN ('ABNORMAL_ACTIVITY', 'SERIOUS_DISHONESTY')
             ORDER BY listed_date, id")
            .bind(org_id).fetch_all(p).await?);
        let mut listings = Vec::with_capacity(rows.len());
        for (list, listed, removed) in rows {
            listings.push((codes::decode::<CreditList>("list", &list)?, listed, removed));
        }
        Ok(Standing {
            status: Some(codes::decode("status", &status)?),
            deregistered_on,
            // The change was recorded in Shanghai's day.
            revoked_on: revoked.map(|t| (t + chrono::Duration::hours(8)).date_naive()),
            listings,
        })
    }

    /// The payment of an application, if it was paid.
    pub async fn payment_of_application(&self, application_id: i64) -> Result<Option<PaymentRow>> {
        let sql = format!("{SELECT_PAYMENT} WHERE p.application_id = $1");
        Ok(on_db!(self, p => sqlx::query_as(&sql).bind(application_id).fetch_optional(p).await?))
    }

    /// A beneficiary's payments, optionally under one rule, by rule and event.
    pub async fn payments_of(
        &self,
        beneficiary: Beneficiary,
        rule: Option<SubsidyRule>,
    ) -> Result<Vec<PaymentRow>> {
        let sql = format!(
            "{SELECT_PAYMENT} WHERE p.{} = $1 AND ($2 = '' OR p.rule = $2)
             ORDER BY p.rule, p.event_key, p.id",
            beneficiary_column(beneficiary)
        );
        Ok(
            on_db!(self, p => sqlx::query_as(&sql).bind(beneficiary.table_id())
            .bind(rule.map_or("", SubsidyRule::code)).fetch_all(p).await?),
        )
    }

    /// Payments of one entitlement (at most one, by the unique key).
    pub async fn payments_for(&self, e: EntitlementKey<'_>) -> Result<Vec<PaymentRow>> {
        let (cond, b) = e.condition("p");
        let sql = format!("{SELECT_PAYMENT} WHERE {cond} ORDER BY p.id");
        Ok(on_db!(self, p => bind_all!(sqlx::query_as(&sql), &b).fetch_all(p).await?))
    }

    /// Every application of a beneficiary, newest first.
    pub async fn applications_of(&self, beneficiary: Beneficiary) -> Result<Vec<ApplicationRow>> {
        let sql = format!(
            "{SELECT_APPLICATION} WHERE a.{} = $1 ORDER BY a.id DESC",
            beneficiary_column(beneficiary)
        );
        Ok(on_db!(self, p => sqlx::query_as(&sql).bind(beneficiary.table_id()).fetch_all(p).await?))
    }
}

/// The values of `beneficiary_org_id` and `beneficiary_person_id`.
fn internal_ids(b: Beneficiary) -> (Option<i64>, Option<i64>) {
    match b {
        Beneficiary::Organisation(id) => (Some(id), None),
        Beneficiary::Person(id) => (None, Some(id)),
    }
}

/// Another application of `e` that is approved or paid: the query and its
/// binds.
fn taken(e: EntitlementKey<'_>, except_id: i64) -> (String, Vec<Bind>) {
    let (cond, mut b) = e.condition("a");
    b.push(Bind::Int(except_id));
    let sql = format!(
        "SELECT a.id, a.status FROM applications a WHERE {cond}
         AND a.status IN ('APPROVED', 'PAID') AND a.id <> ${} ORDER BY a.id LIMIT 1",
        b.len()
    );
    (sql, b)
}

fn with_status(row: Option<(i64, String)>) -> Result<Option<(i64, Status)>> {
    row.map(|(id, s)| Ok((id, codes::decode("status", &s)?)))
        .transpose()
}
