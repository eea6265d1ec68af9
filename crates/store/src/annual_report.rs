//! Annual reports (年报): the report of an organisation and year with its
//! content, the workflow's steps and return reasons, the accounts file, the
//! bureau's filing progress and the counts the desks show. Every list and
//! count takes the caller's scope. Rules (what may happen when) are the
//! domain's; the facts a conclusion writes go through `history`.

use crate::codes::{Code, NullableCode};
use crate::orgs::org_scope_condition;
use crate::query::{bind_all, Bind};
use crate::{on_db, on_tx, Db, Page, Result, StoreError, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use gongyi_domain::access::Scope;
use gongyi_domain::annual_report::{Content, ReportStatus, Section};
use gongyi_domain::applications::Attachment;
use gongyi_domain::history::{InspectionResult, PartyOrgForm};
use gongyi_domain::Fen;

/// A report as pages and the API read it, with its organisation's name and
/// area.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub credit_code: String,
    pub subdistrict_code: String,
    pub subdistrict_name: Option<String>,
    pub year: i64,
    #[sqlx(try_from = "Code<ReportStatus>")]
    pub status: ReportStatus,
    pub late: bool,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    pub contact_name: Option<String>,
    pub income_government_fen: Option<i64>,
    pub income_donations_fen: Option<i64>,
    pub income_business_fen: Option<i64>,
    pub income_subsidies_fen: Option<i64>,
    pub income_other_fen: Option<i64>,
    pub total_income_fen: Option<i64>,
    pub expenses_fen: Option<i64>,
    pub net_assets_fen: Option<i64>,
    pub staff: Option<i64>,
    pub social_workers: Option<i64>,
    pub volunteers: Option<i64>,
    pub volunteer_hours: Option<i64>,
    pub services: Option<i64>,
    pub beneficiaries: Option<i64>,
    pub activity_summary: Option<String>,
    pub projects: Option<String>,
    #[sqlx(try_from = "NullableCode<PartyOrgForm>")]
    pub party_form: Option<PartyOrgForm>,
    pub party_members: Option<i64>,
    pub party_plan: bool,
    pub party_in_charter: bool,
    pub large_expenses: Option<String>,
    pub large_donations: Option<String>,
    pub foreign_activities: Option<String>,
    pub registered_changes: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub first_submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<DateTime<Utc>>,
    pub concluded_by: Option<String>,
    pub concluded_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "NullableCode<InspectionResult>")]
    pub conclusion: Option<InspectionResult>,
    pub conclusion_reasons: Option<String>,
    pub version: i64,
    pub has_file: bool,
}

impl ReportRow {
    /// The report's content as the domain knows it.
    pub fn content(&self) -> Content {
        Content {
            address: self.address.clone(),
            legal_representative: self.legal_representative.clone(),
            contact_name: self.contact_name.clone(),
            income_government: self.income_government_fen.map(Fen),
            income_donations: self.income_donations_fen.map(Fen),
            income_business: self.income_business_fen.map(Fen),
            income_subsidies: self.income_subsidies_fen.map(Fen),
            income_other: self.income_other_fen.map(Fen),
            total_income: self.total_income_fen.map(Fen),
            expenses: self.expenses_fen.map(Fen),
            net_assets: self.net_assets_fen.map(Fen),
            staff: self.staff,
            social_workers: self.social_workers,
            volunteers: self.volunteers,
            volunteer_hours: self.volunteer_hours,
            services: self.services,
            beneficiaries: self.beneficiaries,
            activity_summary: self.activity_summary.clone(),
            projects: self.projects.clone(),
            party_form: self.party_form,
            party_members: self.party_members,
            party_plan: self.party_plan,
            party_in_charter: self.party_in_charter,
            large_expenses: self.large_expenses.clone(),
            large_donations: self.large_donations.clone(),
            foreign_activities: self.foreign_activities.clone(),
            registered_changes: self.registered_changes.clone(),
        }
    }
}

const SELECT_REPORT: &str = "SELECT r.id, r.org_id, o.name AS org_name, o.credit_code,
 o.subdistrict_code, s.name AS subdistrict_name, r.year, r.status, r.late, r.address,
 r.legal_representative, r.contact_name, r.income_government_fen, r.income_donations_fen,
 r.income_business_fen, r.income_subsidies_fen, r.income_other_fen, r.total_income_fen,
 r.expenses_fen, r.net_assets_fen, r.staff, r.social_workers, r.volunteers, r.volunteer_hours,
 r.services, r.beneficiaries, r.activity_summary, r.projects, r.party_form, r.party_members,
 r.party_plan, r.party_in_charter, r.large_expenses, r.large_donations, r.foreign_activities,
 r.registered_changes, r.created_by, r.created_at, r.updated_at, r.first_submitted_at,
 r.submitted_by, r.submitted_at, r.reviewed_by, r.reviewed_at, r.concluded_by, r.concluded_at,
 r.conclusion, r.conclusion_reasons, r.version,
 EXISTS (SELECT 1 FROM annual_report_files f WHERE f.report_id = r.id) AS has_file
 FROM annual_reports r JOIN organizations o ON o.id = r.org_id
 LEFT JOIN subdistricts s ON s.code = o.subdistrict_code";

/// One step of a report's history.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportEventRow {
    pub id: i64,
    pub action: String,
    #[sqlx(try_from = "NullableCode<ReportStatus>")]
    pub from_status: Option<ReportStatus>,
    #[sqlx(try_from = "Code<ReportStatus>")]
    pub to_status: ReportStatus,
    pub actor_name: String,
    pub actor_role: String,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

/// A reason of a return, for one section.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReturnItemRow {
    pub event_id: i64,
    #[sqlx(try_from = "Code<Section>")]
    pub section: Section,
    pub reason: String,
}

/// The accounts file.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportFileRow {
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub content: Vec<u8>,
}

/// Which reports a list shows. `status` `None` is every report.
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub year: Option<i32>,
    pub status: Option<ReportStatus>,
    pub subdistrict: Option<String>,
    pub late: Option<bool>,
}

/// A status change with who made it.
#[derive(Debug, Clone)]
pub struct ReportTransition<'a> {
    pub action: &'static str,
    pub from: ReportStatus,
    pub to: ReportStatus,
    pub actor_name: &'a str,
    pub actor_role: &'a str,
    pub version: i64,
    /// Submit only: the late mark of a first submission.
    pub late: Option<bool>,
    pub conclusion: Option<(InspectionResult, &'a str)>,
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Filing progress of one sub-district: organisations due to file by
/// status (`None` = no report), and how many of them filed late.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ProgressRow {
    pub subdistrict_code: String,
    pub subdistrict_name: Option<String>,
    #[sqlx(try_from = "NullableCode<ReportStatus>")]
    pub status: Option<ReportStatus>,
    pub late: bool,
    pub count: i64,
}

/// An organisation that has not filed (未填报 or still a draft), with the
/// contact a reminder goes to.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UnfiledRow {
    pub org_id: i64,
    pub credit_code: String,
    pub name: String,
    pub subdistrict_name: Option<String>,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    pub contact_phone_masked: Option<String>,
    pub has_draft: bool,
    /// The report's state (lists of every organisation due).
    #[sqlx(try_from = "NullableCode<ReportStatus>")]
    pub status: Option<ReportStatus>,
    pub report_id: Option<i64>,
}

/// A report written whole (demo data): its content and the names and
/// times of its steps; `returned` is a return before the current state.
pub struct ReportBulk<'a> {
    pub org_id: i64,
    pub year: i32,
    pub status: ReportStatus,
    pub late: bool,
    pub content: &'a Content,
    pub created: (&'a str, DateTime<Utc>),
    pub submitted: Option<(&'a str, DateTime<Utc>)>,
    pub returned: Option<(&'a str, &'a str, DateTime<Utc>, Section, &'a str)>,
    pub reviewed: Option<(&'a str, DateTime<Utc>)>,
    pub concluded: Option<(&'a str, DateTime<Utc>, InspectionResult)>,
}

/// When a bulk report was first submitted: a day before its return when it
/// was submitted again after it, else its submission.
fn first_submission(r: &ReportBulk<'_>) -> Option<DateTime<Utc>> {
    match (r.returned, r.submitted) {
        (Some((_, _, at, _, _)), Some(_)) if r.status != ReportStatus::Returned => {
            Some(at - chrono::Duration::days(1))
        }
        (_, s) => s.map(|s| s.1),
    }
}

/// Which of the organisations that owe a year's report a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueSet {
    /// Every one, whatever its report's state.
    All,
    /// Those that have not submitted it: no report, or a draft.
    NotSubmitted,
    /// Those that have not begun it (未填报).
    NotBegun,
}

/// Organisations that owe the report of `year`: registered by its end and
/// neither revoked nor deregistered.
const DUE: &str = "o.registration_date <= $1 AND o.status NOT IN ('REVOKED', 'DEREGISTERED')";

fn year_end(year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
}

fn report_where(scope: &Scope, f: &ReportFilter) -> (String, Vec<Bind>) {
    let mut b = Vec::new();
    let mut w = Vec::new();
    if let Some(c) = org_scope_condition(scope, &mut b) {
        w.push(c);
    }
    if let Some(y) = f.year {
        b.push(Bind::Int(i64::from(y)));
        w.push(format!("r.year = ${}", b.len()));
    }
    if let Some(s) = f.status {
        b.push(Bind::Text(s.code().into()));
        w.push(format!("r.status = ${}", b.len()));
    }
    if let Some(s) = &f.subdistrict {
        b.push(Bind::Text(s.clone()));
        w.push(format!("o.subdistrict_code = ${}", b.len()));
    }
    if let Some(l) = f.late {
        b.push(Bind::Bool(l));
        w.push(format!("r.late = ${}", b.len()));
    }
    let w = if w.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", w.join(" AND "))
    };
    (w, b)
}

impl Db {
    /// A new draft; [`StoreError::Duplicate`] (`year`) when the
    /// organisation already has the year's report.
    pub async fn insert_report(
        &self,
        tx: &mut Tx,
        org_id: i64,
        year: i32,
        created_by: &str,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO annual_reports (org_id, year, status, created_by, created_at, updated_at)
             VALUES ($1, $2, 'DRAFT', $3, $4, $4) RETURNING id")
            .bind(org_id).bind(i64::from(year)).bind(created_by).bind(at)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "year")))
    }

    /// The report if it lies in `scope`; otherwise, as when it does not
    /// exist, [`StoreError::NotFound`].
    pub async fn report_in(&self, scope: &Scope, id: i64) -> Result<ReportRow> {
        let mut b = vec![Bind::Int(id)];
        let cond =
            org_scope_condition(scope, &mut b).map_or(String::new(), |c| format!(" AND {c}"));
        let sql = format!("{SELECT_REPORT} WHERE r.id = $1{cond}");
        on_db!(self, p => bind_all!(sqlx::query_as::<_, ReportRow>(&sql), &b).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// The report as this transaction sees it.
    pub async fn report_tx(&self, tx: &mut Tx, id: i64) -> Result<ReportRow> {
        let sql = format!("{SELECT_REPORT} WHERE r.id = $1");
        on_tx!(tx, c => sqlx::query_as::<_, ReportRow>(&sql).bind(id).fetch_optional(&mut **c).await?)
            .ok_or(StoreError::NotFound)
    }

    /// Reports in `scope`, newest year first, then by organisation.
    pub async fn list_reports(
        &self,
        scope: &Scope,
        f: &ReportFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<ReportRow>> {
        let (w, b) = report_where(scope, f);
        let count_sql = format!(
            "SELECT COUNT(*) FROM annual_reports r JOIN organizations o ON o.id = r.org_id{w}"
        );
        let total: i64 =
            on_db!(self, p => bind_all!(sqlx::query_scalar(&count_sql), &b).fetch_one(p).await?);
        let sql = format!(
            "{SELECT_REPORT}{w} ORDER BY r.year DESC, o.name, r.id LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let items = on_db!(self, p => bind_all!(sqlx::query_as::<_, ReportRow>(&sql), &b).fetch_all(p).await?);
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// Writes the whole content of a report read at `version`;
    /// [`StoreError::Conflict`] when it changed since.
    pub async fn save_report_content(
        &self,
        tx: &mut Tx,
        id: i64,
        version: i64,
        c: &Content,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let fen = |f: Option<Fen>| f.map(|f| f.get());
        let n = on_tx!(tx, x => sqlx::query(
            "UPDATE annual_reports SET address = $3, legal_representative = $4, contact_name = $5,
             income_government_fen = $6, income_donations_fen = $7, income_business_fen = $8,
             income_subsidies_fen = $9, income_other_fen = $10, total_income_fen = $11,
             expenses_fen = $12, net_assets_fen = $13, staff = $14, social_workers = $15,
             volunteers = $16, volunteer_hours = $17, services = $18, beneficiaries = $19,
             activity_summary = $20, projects = $21, party_form = $22, party_members = $23,
             party_plan = $24, party_in_charter = $25, large_expenses = $26, large_donations = $27,
             foreign_activities = $28, registered_changes = $29, updated_at = $30,
             version = version + 1
             WHERE id = $1 AND version = $2")
            .bind(id).bind(version).bind(&c.address).bind(&c.legal_representative)
            .bind(&c.contact_name).bind(fen(c.income_government)).bind(fen(c.income_donations))
            .bind(fen(c.income_business)).bind(fen(c.income_subsidies)).bind(fen(c.income_other))
            .bind(fen(c.total_income)).bind(fen(c.expenses)).bind(fen(c.net_assets))
            .bind(c.staff).bind(c.social_workers).bind(c.volunteers).bind(c.volunteer_hours)
            .bind(c.services).bind(c.beneficiaries).bind(&c.activity_summary).bind(&c.projects)
            .bind(c.party_form.map(|p| p.code())).bind(c.party_members).bind(c.party_plan)
            .bind(c.party_in_charter).bind(&c.large_expenses).bind(&c.large_donations)
            .bind(&c.foreign_activities).bind(&c.registered_changes).bind(at)
            .execute(&mut **x).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        Ok(())
    }

    /// A step: the guarded status change (`… AND status = from AND version`)
    /// and its event; returns the event's id.
    pub async fn transition_report(
        &self,
        tx: &mut Tx,
        id: i64,
        t: &ReportTransition<'_>,
    ) -> Result<i64> {
        let (submitted, reviewed, concluded) = match t.to {
            ReportStatus::Submitted => (true, false, false),
            ReportStatus::Reviewed => (false, true, false),
            ReportStatus::Concluded => (false, false, true),
            _ => (false, false, false),
        };
        let n = on_tx!(tx, c => sqlx::query(
            "UPDATE annual_reports SET status = $3, updated_at = $4, version = version + 1,
             late = CASE WHEN first_submitted_at IS NULL AND $5 THEN $6 ELSE late END,
             first_submitted_at = CASE WHEN $5 THEN COALESCE(first_submitted_at, $4)
                                  ELSE first_submitted_at END,
             submitted_by = CASE WHEN $5 THEN $7 ELSE submitted_by END,
             submitted_at = CASE WHEN $5 THEN $4 ELSE submitted_at END,
             reviewed_by = CASE WHEN $8 THEN $7 WHEN $5 THEN NULL ELSE reviewed_by END,
             reviewed_at = CASE WHEN $8 THEN $4 WHEN $5 THEN NULL ELSE reviewed_at END,
             concluded_by = CASE WHEN $9 THEN $7 ELSE concluded_by END,
             concluded_at = CASE WHEN $9 THEN $4 ELSE concluded_at END,
             conclusion = CASE WHEN $9 THEN $10 ELSE conclusion END,
             conclusion_reasons = CASE WHEN $9 THEN $11 ELSE conclusion_reasons END
             WHERE id = $1 AND status = $2 AND version = $12")
            .bind(id).bind(t.from.code()).bind(t.to.code()).bind(t.at).bind(submitted)
            .bind(t.late.unwrap_or(false)).bind(t.actor_name).bind(reviewed).bind(concluded)
            .bind(t.conclusion.map(|c| c.0.code())).bind(t.conclusion.map(|c| c.1))
            .bind(t.version)
            .execute(&mut **c).await?.rows_affected());
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        Ok(on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO annual_report_events (report_id, action, from_status, to_status,
             actor_name, actor_role, note, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(id).bind(t.action).bind(t.from.code()).bind(t.to.code()).bind(t.actor_name)
            .bind(t.actor_role).bind(t.note).bind(t.at).fetch_one(&mut **c).await?))
    }

    pub async fn insert_return_items(
        &self,
        tx: &mut Tx,
        event_id: i64,
        items: &[(Section, String)],
    ) -> Result<()> {
        for (s, r) in items {
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO annual_report_return_items (event_id, section, reason) VALUES ($1, $2, $3)")
                .bind(event_id).bind(s.code()).bind(r).execute(&mut **c).await?.rows_affected());
        }
        Ok(())
    }

    /// The report's steps, oldest first.
    pub async fn report_events(&self, id: i64) -> Result<Vec<ReportEventRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT id, action, from_status, to_status, actor_name, actor_role, note, at
             FROM annual_report_events WHERE report_id = $1 ORDER BY id")
            .bind(id).fetch_all(p).await?))
    }

    /// The reasons of the report's returns, oldest first.
    pub async fn report_return_items(&self, id: i64) -> Result<Vec<ReturnItemRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT i.event_id, i.section, i.reason FROM annual_report_return_items i
             JOIN annual_report_events e ON e.id = i.event_id
             WHERE e.report_id = $1 ORDER BY i.event_id, i.section")
            .bind(id).fetch_all(p).await?))
    }

    /// Keeps `file` as the report's accounts, replacing an earlier one.
    pub async fn put_report_file(
        &self,
        tx: &mut Tx,
        id: i64,
        file: &Attachment,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO annual_report_files (report_id, file_name, content_type, size_bytes,
             content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (report_id) DO UPDATE SET file_name = excluded.file_name,
             content_type = excluded.content_type, size_bytes = excluded.size_bytes,
             content = excluded.content, uploaded_by = excluded.uploaded_by,
             uploaded_at = excluded.uploaded_at")
            .bind(id).bind(&file.file_name).bind(file.content_type).bind(size)
            .bind(&file.bytes).bind(by).bind(at).execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    pub async fn report_file(&self, id: i64) -> Result<ReportFileRow> {
        on_db!(self, p => sqlx::query_as(
            "SELECT file_name, content_type, size_bytes, content FROM annual_report_files
             WHERE report_id = $1")
            .bind(id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)
    }

    /// Whether the year already has an inspection and a finance record, so
    /// a conclusion neither fails on their unique keys nor overwrites them.
    pub async fn history_year_taken(
        &self,
        tx: &mut Tx,
        org_id: i64,
        year: i64,
    ) -> Result<(bool, bool)> {
        Ok(on_tx!(tx, c => sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM inspections WHERE org_id = $1 AND year = $2),
             EXISTS (SELECT 1 FROM finances WHERE org_id = $1 AND year = $2)")
            .bind(org_id).bind(year).fetch_one(&mut **c).await?))
    }

    /// Writes reports with their steps in multi-row statements (demo data):
    /// the events retell each report's way to its state.
    pub async fn bulk_insert_reports(&self, tx: &mut Tx, reports: &[ReportBulk<'_>]) -> Result<()> {
        if reports.is_empty() {
            return Ok(());
        }
        let fen = |f: Option<Fen>| Bind::OptInt(f.map(|f| f.get()));
        let text = |t: &Option<String>| Bind::OptText(t.clone());
        let rows = reports
            .iter()
            .map(|r| {
                let c = r.content;
                let first = first_submission(r);
                let updated = [
                    Some(r.created.1),
                    r.submitted.map(|s| s.1),
                    r.returned.map(|x| x.2),
                    r.reviewed.map(|x| x.1),
                    r.concluded.map(|x| x.1),
                ]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(r.created.1);
                vec![
                    Bind::Int(r.org_id),
                    Bind::Int(i64::from(r.year)),
                    Bind::Text(r.status.code().into()),
                    Bind::Bool(r.late),
                    text(&c.address),
                    text(&c.legal_representative),
                    text(&c.contact_name),
                    fen(c.income_government),
                    fen(c.income_donations),
                    fen(c.income_business),
                    fen(c.income_subsidies),
                    fen(c.income_other),
                    fen(c.total_income),
                    fen(c.expenses),
                    fen(c.net_assets),
                    Bind::OptInt(c.staff),
                    Bind::OptInt(c.social_workers),
                    Bind::OptInt(c.volunteers),
                    Bind::OptInt(c.volunteer_hours),
                    Bind::OptInt(c.services),
                    Bind::OptInt(c.beneficiaries),
                    text(&c.activity_summary),
                    text(&c.projects),
                    Bind::OptText(c.party_form.map(|p| p.code().to_string())),
                    Bind::OptInt(c.party_members),
                    Bind::Bool(c.party_plan),
                    Bind::Bool(c.party_in_charter),
                    text(&c.large_expenses),
                    text(&c.large_donations),
                    text(&c.foreign_activities),
                    text(&c.registered_changes),
                    Bind::Text(r.created.0.into()),
                    Bind::Time(r.created.1),
                    Bind::Time(updated),
                    Bind::OptTime(first),
                    Bind::OptText(r.submitted.map(|s| s.0.to_string())),
                    Bind::OptTime(r.submitted.map(|s| s.1)),
                    Bind::OptText(r.reviewed.map(|s| s.0.to_string())),
                    Bind::OptTime(r.reviewed.map(|s| s.1)),
                    Bind::OptText(r.concluded.map(|s| s.0.to_string())),
                    Bind::OptTime(r.concluded.map(|s| s.1)),
                    Bind::OptText(r.concluded.map(|s| s.2.code().to_string())),
                ]
            })
            .collect();
        let ids = self
            .insert_rows(
                tx,
                "annual_reports",
                &[
                    "org_id",
                    "year",
                    "status",
                    "late",
                    "address",
                    "legal_representative",
                    "contact_name",
                    "income_government_fen",
                    "income_donations_fen",
                    "income_business_fen",
                    "income_subsidies_fen",
                    "income_other_fen",
                    "total_income_fen",
                    "expenses_fen",
                    "net_assets_fen",
                    "staff",
                    "social_workers",
                    "volunteers",
                    "volunteer_hours",
                    "services",
                    "beneficiaries",
                    "activity_summary",
                    "projects",
                    "party_form",
                    "party_members",
                    "party_plan",
                    "party_in_charter",
                    "large_expenses",
                    "large_donations",
                    "foreign_activities",
                    "registered_changes",
                    "created_by",
                    "created_at",
                    "updated_at",
                    "first_submitted_at",
                    "submitted_by",
                    "submitted_at",
                    "reviewed_by",
                    "reviewed_at",
                    "concluded_by",
                    "concluded_at",
                    "conclusion",
                ],
                rows,
                Some("id, CAST(org_id AS TEXT) || '-' || CAST(year AS TEXT)"),
            )
            .await?;
        let by_key: std::collections::HashMap<String, i64> =
            ids.into_iter().map(|(id, k)| (k, id)).collect();
        // Events in the order they happened; return items need the return's id.
        let mut events = Vec::new();
        let mut returns = Vec::new();
        for r in reports {
            let Some(&id) = by_key.get(&format!("{}-{}", r.org_id, r.year)) else {
                continue;
            };
            let org = "organisation";
            let mut ev = |action: &str,
                          from: Option<ReportStatus>,
                          to: ReportStatus,
                          who: &str,
                          role: &str,
                          at| {
                events.push(vec![
                    Bind::Int(id),
                    Bind::Text(action.into()),
                    Bind::OptText(from.map(|s| s.code().to_string())),
                    Bind::Text(to.code().into()),
                    Bind::Text(who.into()),
                    Bind::Text(role.into()),
                    Bind::Time(at),
                ]);
            };
            if let Some((who, role, at, section, why)) = r.returned {
                if let Some(s) = r.submitted {
                    let first_submit = first_submission(r).unwrap_or(s.1);
                    ev(
                        "submit",
                        Some(ReportStatus::Draft),
                        ReportStatus::Submitted,
                        s.0,
                        org,
                        first_submit,
                    );
                    ev(
                        "return",
                        Some(ReportStatus::Submitted),
                        ReportStatus::Returned,
                        who,
                        role,
                        at,
                    );
                    returns.push((id, section, why));
                    if r.status != ReportStatus::Returned {
                        ev(
                            "submit",
                            Some(ReportStatus::Returned),
                            ReportStatus::Submitted,
                            s.0,
                            org,
                            s.1,
                        );
                    }
                }
            } else if let Some(s) = r.submitted {
                ev(
                    "submit",
                    Some(ReportStatus::Draft),
                    ReportStatus::Submitted,
                    s.0,
                    org,
                    s.1,
                );
            }
            if let Some((who, at)) = r.reviewed {
                ev(
                    "pass",
                    Some(ReportStatus::Submitted),
                    ReportStatus::Reviewed,
                    who,
                    "subdistrict",
                    at,
                );
            }
            if let Some((who, at, _)) = r.concluded {
                ev(
                    "conclude",
                    Some(ReportStatus::Reviewed),
                    ReportStatus::Concluded,
                    who,
                    "bureau",
                    at,
                );
            }
        }
        let ev_ids = self
            .insert_rows(
                tx,
                "annual_report_events",
                &[
                    "report_id",
                    "action",
                    "from_status",
                    "to_status",
                    "actor_name",
                    "actor_role",
                    "at",
                ],
                events,
                Some("id, CAST(report_id AS TEXT) || '-' || action"),
            )
            .await?;
        let items: Vec<Vec<Bind>> = returns
            .into_iter()
            .filter_map(|(report, section, why)| {
                let key = format!("{report}-return");
                let event = ev_ids.iter().find(|(_, k)| *k == key)?.0;
                Some(vec![
                    Bind::Int(event),
                    Bind::Text(section.code().into()),
                    Bind::Text(why.into()),
                ])
            })
            .collect();
        self.insert_rows(
            tx,
            "annual_report_return_items",
            &["event_id", "section", "reason"],
            items,
            None,
        )
        .await?;
        Ok(())
    }

    /// Whether the organisation submitted the report of `year` (any state
    /// past the draft), and whether the registry runs the yearly cycle for
    /// `year` at all: some report of it or an earlier year exists. Years
    /// before the first report filed here are history typed in, not 未报送.
    pub async fn report_filed_tx(
        &self,
        tx: &mut Tx,
        org_id: i64,
        year: i64,
    ) -> Result<(bool, bool)> {
        Ok(on_tx!(tx, c => sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM annual_reports
                            WHERE org_id = $1 AND year = $2 AND status <> 'DRAFT'),
             EXISTS (SELECT 1 FROM annual_reports WHERE year <= $2)")
            .bind(org_id).bind(year).fetch_one(&mut **c).await?))
    }

    /// Filing progress of `year` per sub-district in `scope`: one row per
    /// (sub-district, status, late), `status` NULL for no report.
    pub async fn report_progress(&self, scope: &Scope, year: i32) -> Result<Vec<ProgressRow>> {
        let mut b = vec![Bind::Date(year_end(year)), Bind::Int(i64::from(year))];
        let cond =
            org_scope_condition(scope, &mut b).map_or(String::new(), |c| format!(" AND {c}"));
        let sql = format!(
            "SELECT o.subdistrict_code, MIN(s.name) AS subdistrict_name, r.status,
             COALESCE(r.late, FALSE) AS late, COUNT(*) AS count
             FROM organizations o LEFT JOIN annual_reports r ON r.org_id = o.id AND r.year = $2
             LEFT JOIN subdistricts s ON s.code = o.subdistrict_code
             WHERE {DUE}{cond}
             GROUP BY o.subdistrict_code, r.status, COALESCE(r.late, FALSE)
             ORDER BY o.subdistrict_code"
        );
        Ok(
            on_db!(self, p => bind_all!(sqlx::query_as::<_, ProgressRow>(&sql), &b).fetch_all(p).await?),
        )
    }

    /// Organisations in `scope` that owe the report of `year` and have not
    /// submitted it (no report, or a draft), by name; at most `limit`; or
    /// another [`DueSet`] of them.
    pub async fn unfiled_orgs(
        &self,
        scope: &Scope,
        year: i32,
        subdistrict: Option<&str>,
        set: DueSet,
        limit: i64,
    ) -> Result<Vec<UnfiledRow>> {
        let mut b = vec![Bind::Date(year_end(year)), Bind::Int(i64::from(year))];
        let mut cond =
            org_scope_condition(scope, &mut b).map_or(String::new(), |c| format!(" AND {c}"));
        if let Some(s) = subdistrict {
            b.push(Bind::Text(s.to_string()));
            cond.push_str(&format!(" AND o.subdistrict_code = ${}", b.len()));
        }
        let unfiled = match set {
            DueSet::All => "",
            DueSet::NotSubmitted => " AND (r.id IS NULL OR r.status = 'DRAFT')",
            DueSet::NotBegun => " AND r.id IS NULL",
        };
        let sql = format!(
            "SELECT o.id AS org_id, o.credit_code, o.name, s.name AS subdistrict_name, o.address,
             o.legal_representative, o.contact_phone_masked,
             (r.id IS NOT NULL AND r.status = 'DRAFT') AS has_draft, r.status, r.id AS report_id
             FROM organizations o LEFT JOIN annual_reports r ON r.org_id = o.id AND r.year = $2
             LEFT JOIN subdistricts s ON s.code = o.subdistrict_code
             WHERE {DUE}{unfiled}{cond}
             ORDER BY o.subdistrict_code, o.name, o.id LIMIT {limit}"
        );
        Ok(
            on_db!(self, p => bind_all!(sqlx::query_as::<_, UnfiledRow>(&sql), &b).fetch_all(p).await?),
        )
    }

    /// How many reports in `scope` are in `status`, and when the one
    /// waiting longest was submitted (for the desks).
    pub async fn reports_waiting(
        &self,
        scope: &Scope,
        status: ReportStatus,
    ) -> Result<(i64, Option<DateTime<Utc>>)> {
        let mut b = vec![Bind::Text(status.code().into())];
        let cond =
            org_scope_condition(scope, &mut b).map_or(String::new(), |c| format!(" AND {c}"));
        let sql = format!(
            "SELECT COUNT(*), MIN(COALESCE(r.reviewed_at, r.submitted_at))
             FROM annual_reports r JOIN organizations o ON o.id = r.org_id
             WHERE r.status = $1{cond}"
        );
        Ok(
            on_db!(self, p => bind_all!(sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(&sql), &b).fetch_one(p).await?),
        )
    }

    /// The concluded reports of an organisation, newest first, for its
    /// public profile.
    pub async fn concluded_reports(&self, org_id: i64) -> Result<Vec<ReportRow>> {
        let sql = format!(
            "{SELECT_REPORT} WHERE r.org_id = $1 AND r.status = 'CONCLUDED' ORDER BY r.year DESC"
        );
        Ok(on_db!(self, p => sqlx::query_as::<_, ReportRow>(&sql).bind(org_id).fetch_all(p).await?))
    }

    /// The concluded reports of `year`, by credit code, a page at a time
    /// (open data: every organisation's 年报公示 of a year).
    pub async fn concluded_reports_of_year(
        &self,
        year: i32,
        page: i64,
        per_page: i64,
    ) -> Result<Page<ReportRow>> {
        let total: i64 = on_db!(self, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM annual_reports WHERE year = $1 AND status = 'CONCLUDED'")
            .bind(i64::from(year)).fetch_one(p).await?);
        let sql = format!(
            "{SELECT_REPORT} WHERE r.year = $1 AND r.status = 'CONCLUDED'
             ORDER BY o.credit_code, r.id LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let items = on_db!(self, p => sqlx::query_as::<_, ReportRow>(&sql)
            .bind(i64::from(year)).fetch_all(p).await?);
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    /// The organisation's reports, newest year first (its desk).
    pub async fn reports_of_org(&self, org_id: i64) -> Result<Vec<ReportRow>> {
        let sql = format!("{SELECT_REPORT} WHERE r.org_id = $1 ORDER BY r.year DESC");
        Ok(on_db!(self, p => sqlx::query_as::<_, ReportRow>(&sql).bind(org_id).fetch_all(p).await?))
    }
}
