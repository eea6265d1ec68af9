//! The yearly cycle (issue 12): an organisation files its annual report
//! (年报) section by section and submits it; the sub-district of its area
//! reviews it (初审 or 退回补正 with reasons per section); the bureau
//! concludes the annual inspection (年检). The conclusion becomes the year's
//! inspection fact and the report's finances and staff that year's finance
//! fact, written through the registry's history path in the same
//! transaction. Also: filing progress, the organisations that have not
//! filed, and the public summary of concluded reports.
//!
//! Who may take which step is the domain's (`domain::annual_report`); scope
//! is the caller's: a report outside it is "not found". Every change is
//! audited in its own transaction.

use crate::orgs::HistoryInput;
use crate::security::audit::AuditEntry;
use crate::{AppError, Registry, Result};
use chrono::{DateTime, NaiveDate, Utc};
use gongyi_domain::access::{Role, Scope};
use gongyi_domain::annual_report::{
    self as ar, Actor, Content, Current, FilingWindow, ReportStatus, Section, Step,
};
use gongyi_domain::facts::{FactKind, FactSource};
use gongyi_domain::history::{FinanceInput, InspectionInput, InspectionResult};
use gongyi_domain::{text, Invalid};
use gongyi_store::annual_report::ReportTransition;
/// What the report use cases hand out.
pub use gongyi_store::annual_report::{
    DueSet, ProgressRow, ReportEventRow, ReportFileRow, ReportFilter, ReportRow, ReturnItemRow,
    UnfiledRow,
};
use gongyi_store::facts::Provenance;
use gongyi_store::{Page, StoreError};
use std::collections::BTreeMap;

/// Settings of the cycle, from configuration.
#[derive(Debug, Clone)]
pub struct ReportSettings {
    /// The last day to file on time (default 31 May of the following year).
    pub window: FilingWindow,
    /// The largest accounts file accepted, in bytes (default 1 MiB; the
    /// server's request limit of 2 MiB caps it).
    pub max_file_bytes: usize,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings {
            window: FilingWindow::default(),
            max_file_bytes: 1024 * 1024,
        }
    }
}

/// Everything a report's page shows.
#[derive(Debug, Clone)]
pub struct ReportPage {
    pub report: ReportRow,
    pub events: Vec<ReportEventRow>,
    /// The reasons of the latest return, per section (empty unless returned).
    pub returned: Vec<(Section, String)>,
    /// As registered, for the declared changes of the basic facts.
    pub registered_address: Option<String>,
    pub registered_legal_representative: Option<String>,
    pub deadline: NaiveDate,
    /// The steps the caller may take now.
    pub steps: Vec<Step>,
    /// Whether the caller may edit the sections now.
    pub editable: bool,
}

/// One sub-district's line of filing progress: organisations due by state.
#[derive(Debug, Clone, Default)]
pub struct ProgressLine {
    pub subdistrict_code: String,
    pub subdistrict_name: String,
    pub due: i64,
    pub unfiled: i64,
    pub by_status: BTreeMap<ReportStatus, i64>,
    pub late: i64,
    /// 未报送: after the deadline, organisations without a submitted report
    /// (未填报 and 草稿); 0 before it.
    pub overdue: i64,
}

impl ProgressLine {
    /// The counts in the order of [`Registry::PROGRESS_HEADS`]: 未填报, each
    /// status, 逾期报送, 未报送.
    pub fn counts(&self) -> Vec<i64> {
        let mut v = vec![self.unfiled];
        v.extend(
            ReportStatus::ALL
                .iter()
                .map(|s| self.by_status.get(s).copied().unwrap_or(0)),
        );
        v.push(self.late);
        v.push(self.overdue);
        v
    }
}

/// The public summary of a concluded report: no personal data.
#[derive(Debug, Clone)]
pub struct PublicReportSummary {
    pub credit_code: String,
    pub org_name: String,
    pub year: i64,
    pub conclusion: InspectionResult,
    pub late: bool,
    pub address: Option<String>,
    pub total_income_fen: Option<i64>,
    pub expenses_fen: Option<i64>,
    pub net_assets_fen: Option<i64>,
    pub staff: Option<i64>,
    pub volunteers: Option<i64>,
    pub party_members: Option<i64>,
    pub party_form: Option<gongyi_domain::history::PartyOrgForm>,
    pub party_in_charter: bool,
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

fn refused(field: &'static str, r: ar::Refusal) -> AppError {
    AppError::Refused {
        field,
        code: r.code,
        message: r.message,
    }
}

fn current(r: &ReportRow) -> Current<'_> {
    Current {
        status: r.status,
        submitted_by: r.submitted_by.as_deref(),
        reviewed_by: r.reviewed_by.as_deref(),
    }
}

fn not_editable(r: &ReportRow) -> AppError {
    AppError::Refused {
        field: "status",
        code: "annual_report.not_editable",
        message: format!(
            "年报现为“{}”,提交后不能修改;退回补正后方可修改",
            r.status.label()
        ),
    }
}

impl Registry {
    pub fn with_report_settings(mut self, s: ReportSettings) -> Registry {
        self.reports = std::sync::Arc::new(s);
        self
    }

    /// The caller as a workflow actor: a signed-in account of a business
    /// role (the demo loader acts as such accounts too).
    fn report_actor(&self) -> Result<Actor> {
        let role = self.caller.role().ok_or(AppError::Forbidden)?;
        Ok(Actor {
            name: self.caller.name.clone(),
            role,
        })
    }

    /// The organisation the caller files for.
    pub(crate) fn own_org(&self) -> Result<i64> {
        match (&self.caller.scope, self.caller.role()) {
            (Scope::Organisation(id), Some(Role::Organisation)) => Ok(*id),
            _ => Err(AppError::Forbidden),
        }
    }

    async fn report_in_scope(&self, id: i64) -> Result<ReportRow> {
        Ok(self.db.report_in(&self.caller.scope, id).await?)
    }

    /// Opens the report of `year` for the caller's organisation, its basic
    /// facts filled in from the registry. One per organisation and year.
    pub async fn create_report(&self, year: &str) -> Result<ReportRow> {
        let org_id = self.own_org()?;
        let org = self.db.org_by_id(org_id).await?;
        let year =
            self.reports
                .window
                .check_year(year, org.registration_date, self.clock.today())?;
        let at = now();
        let mut tx = self.db.begin().await?;
        let id = self
            .db
            .insert_report(&mut tx, org_id, year, &self.caller.name, at)
            .await
            .map_err(|e| match e {
                StoreError::Duplicate { .. } => AppError::Invalid(Invalid::one(
                    "year",
                    "annual_report.duplicate",
                    format!("{year} 年度报告已经建立,每个组织每年只有一份年报"),
                )),
                other => other.into(),
            })?;
        let content = Content {
            address: org.address.clone(),
            legal_representative: org.legal_representative.clone(),
            ..Content::default()
        };
        self.db
            .save_report_content(&mut tx, id, 1, &content, at)
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("create", "annual_report", id)
                .note("org", &org.credit_code)
                .note("year", year)
                .change("status", None, Some(ReportStatus::Draft.code())),
        )
        .await?;
        tx.commit().await?;
        Ok(self.db.report_in(&self.caller.scope, id).await?)
    }

    /// Reports in the caller's scope.
    pub async fn reports(
        &self,
        f: &ReportFilter,
        page: Option<i64>,
        per_page: Option<i64>,
    ) -> Result<Page<ReportRow>> {
        let (page, per_page) = crate::bound_page(page, per_page, 30);
        Ok(self
            .db
            .list_reports(&self.caller.scope, f, page, per_page)
            .await?)
    }

    /// One report with its history and what the caller may do now.
    pub async fn report_page(&self, id: i64) -> Result<ReportPage> {
        let report = self.report_in_scope(id).await?;
        let events = self.db.report_events(id).await?;
        let items = self.db.report_return_items(id).await?;
        // The reasons of the latest return only: earlier ones were mended.
        let last = items.iter().map(|i| i.event_id).max();
        let returned = if report.status == ReportStatus::Returned {
            items
                .into_iter()
                .filter(|i| Some(i.event_id) == last)
                .map(|i| (i.section, i.reason))
                .collect()
        } else {
            Vec::new()
        };
        let org = self.db.org_by_id(report.org_id).await?;
        let steps = match self.report_actor() {
            Ok(who) => [Step::Submit, Step::Pass, Step::Return, Step::Conclude]
                .into_iter()
                .filter(|s| ar::decide(&current(&report), *s, &who).is_ok())
                .collect(),
            Err(_) => Vec::new(),
        };
        let editable = self.own_org().is_ok() && ar::editable(report.status);
        Ok(ReportPage {
            deadline: self.reports.window.deadline(report.year as i32),
            report,
            events,
            returned,
            registered_address: org.address,
            registered_legal_representative: org.legal_representative,
            steps,
            editable,
        })
    }

    /// Saves one section of the caller's own report as a draft: the fields
    /// are checked as typed, completeness only on submission.
    pub async fn save_report_section(
        &self,
        id: i64,
        section: &str,
        fields: &BTreeMap<String, String>,
        version: Option<i64>,
    ) -> Result<ReportRow> {
        let org_id = self.own_org()?;
        let section = Section::ALL
            .iter()
            .copied()
            .find(|s| s.code() == section)
            .ok_or(AppError::NotFound)?;
        let seen = self.report_in_scope(id).await?;
        if seen.org_id != org_id {
            return Err(AppError::NotFound);
        }
        let mut content = seen.content();
        content.apply(section, |k| fields.get(k).map(String::as_str))?;
        if !ar::editable(seen.status) {
            return Err(not_editable(&seen));
        }
        if version.is_some_and(|v| v != seen.version) {
            return Err(AppError::Conflict);
        }
        let mut tx = self.db.begin().await?;
        self.db
            .save_report_content(&mut tx, id, seen.version, &content, now())
            .await?;
        let before = seen.content();
        let mut entry =
            AuditEntry::new("save_section", "annual_report", id).note("section", section.code());
        for spec in section.fields() {
            let (b, a) = (
                ar::form_text(&before.get(spec.name)),
                ar::form_text(&content.get(spec.name)),
            );
            entry = entry.change(spec.name, Some(&b), Some(&a));
        }
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        self.report_in_scope(id).await
    }

    /// Attaches the audited accounts to the caller's own report, replacing
    /// an earlier file; the type is read from the content.
    pub async fn upload_report_accounts(
        &self,
        id: i64,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Result<ReportRow> {
        let org_id = self.own_org()?;
        let seen = self.report_in_scope(id).await?;
        if seen.org_id != org_id {
            return Err(AppError::NotFound);
        }
        let file = ar::parse_accounts_file(file_name, bytes, self.reports.max_file_bytes)?;
        if !ar::editable(seen.status) {
            return Err(not_editable(&seen));
        }
        let mut tx = self.db.begin().await?;
        self.db
            .put_report_file(&mut tx, id, &file, &self.caller.name, now())
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("upload_accounts", "annual_report", id)
                .note("file_name", &file.file_name)
                .note("content_type", file.content_type)
                .note("size_bytes", file.bytes.len()),
        )
        .await?;
        tx.commit().await?;
        self.report_in_scope(id).await
    }

    /// The accounts file of a report in the caller's scope.
    pub async fn report_accounts(&self, id: i64) -> Result<ReportFileRow> {
        self.report_in_scope(id).await?;
        Ok(self.db.report_file(id).await?)
    }

    /// Submits the caller's own report with its declaration of truth; every
    /// missing field is listed. A first submission after the deadline is
    /// marked late (逾期报送) for good.
    pub async fn submit_report(&self, id: i64, declaration: bool) -> Result<ReportRow> {
        if !declaration {
            return Err(Invalid::one(
                "declaration",
                "annual_report.declaration",
                "请确认“本报告内容真实、准确、完整”的声明后再提交",
            )
            .into());
        }
        let org_id = self.own_org()?;
        let who = self.report_actor()?;
        let seen = self.report_in_scope(id).await?;
        if seen.org_id != org_id {
            return Err(AppError::NotFound);
        }
        let to =
            ar::decide(&current(&seen), Step::Submit, &who).map_err(|r| refused("status", r))?;
        seen.content().check_complete()?;
        let late = self
            .reports
            .window
            .is_late(seen.year as i32, self.clock.today());
        self.step(&seen, Step::Submit, to, &who, Some(late), None, &[], None)
            .await
    }

    /// The sub-district's first review (`pass`) or a return (`return`, with
    /// reasons per section `reason_<section>`), or the bureau's return of a
    /// report it cannot conclude.
    pub async fn review_report(
        &self,
        id: i64,
        decision: &str,
        fields: &BTreeMap<String, String>,
    ) -> Result<ReportRow> {
        let step = match decision.trim() {
            "pass" => Step::Pass,
            "return" => Step::Return,
            "" => return Err(Invalid::one("decision", "text.required", "请选择初审意见").into()),
            other => {
                return Err(Invalid::one(
                    "decision",
                    "annual_report.decision",
                    format!("初审意见“{other}”无效,应为通过或退回补正"),
                )
                .into())
            }
        };
        let reasons = if step == Step::Return {
            ar::parse_return_reasons(|k| fields.get(k).map(String::as_str))?
        } else {
            Vec::new()
        };
        let note = text::bounded(
            "note",
            "审核意见",
            fields.get("note").map_or("", String::as_str),
            500,
            false,
        )?;
        let who = self.report_actor()?;
        let seen = self.report_in_scope(id).await?;
        let to = ar::decide(&current(&seen), step, &who).map_err(|r| refused("decision", r))?;
        self.step(
            &seen,
            step,
            to,
            &who,
            None,
            None,
            &reasons,
            (!note.is_empty()).then_some(note.as_str()),
        )
        .await
    }

    /// The bureau's conclusion: the report becomes 已结论, the year's
    /// inspection fact is written, and so is the year's finance fact unless
    /// one was already recorded (a recorded fact is never replaced).
    pub async fn conclude_report(&self, id: i64, result: &str, reasons: &str) -> Result<ReportRow> {
        let (result, reasons) = ar::parse_conclusion(result, reasons)?;
        let who = self.report_actor()?;
        let seen = self.report_in_scope(id).await?;
        let to =
            ar::decide(&current(&seen), Step::Conclude, &who).map_err(|r| refused("result", r))?;
        self.step(
            &seen,
            Step::Conclude,
            to,
            &who,
            None,
            Some((result, reasons.as_str())),
            &[],
            None,
        )
        .await
    }

    /// One step in one transaction: the guarded status change, its event,
    /// return reasons, the facts of a conclusion, and the audit record.
    #[expect(
        clippy::too_many_arguments,
        reason = "one private helper for four steps"
    )]
    async fn step(
        &self,
        seen: &ReportRow,
        step: Step,
        to: ReportStatus,
        who: &Actor,
        late: Option<bool>,
        conclusion: Option<(InspectionResult, &str)>,
        reasons: &[(Section, String)],
        note: Option<&str>,
    ) -> Result<ReportRow> {
        let at = now();
        let mut tx = self.db.begin().await?;
        let event = self
            .db
            .transition_report(
                &mut tx,
                seen.id,
                &ReportTransition {
                    action: step.code(),
                    from: seen.status,
                    to,
                    actor_name: &who.name,
                    actor_role: who.role.code(),
                    version: seen.version,
                    late,
                    conclusion,
                    note,
                    at,
                },
            )
            .await?;
        self.db.insert_return_items(&mut tx, event, reasons).await?;
        let mut entry = AuditEntry::new(step.code(), "annual_report", seen.id)
            .change("status", Some(seen.status.code()), Some(to.code()))
            .note("org", &seen.credit_code)
            .note("year", seen.year)
            .note("actor_role", who.role.code());
        if let Some(l) = late {
            entry = entry.note("late", l);
        }
        for (s, r) in reasons {
            entry = entry.note(&format!("reason_{}", s.code()), r);
        }
        if let Some((result, why)) = conclusion {
            entry = entry.note("conclusion", result.code());
            if !why.is_empty() {
                entry = entry.note("conclusion_reasons", why);
            }
            let (inspection, finance) = self.conclusion_facts(&mut tx, seen, result).await?;
            entry = entry.note("inspection_id", inspection);
            if let Some(f) = finance {
                entry = entry.note("finance_id", f);
            }
        }
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        tracing::info!(report = seen.id, step = step.code(), "annual report step");
        Ok(self.db.report_in(&self.caller.scope, seen.id).await?)
    }

    /// Writes the conclusion's facts through the registry's history path.
    async fn conclusion_facts(
        &self,
        tx: &mut gongyi_store::Tx,
        r: &ReportRow,
        result: InspectionResult,
    ) -> Result<(i64, Option<i64>)> {
        let (inspected, financed) = self.db.history_year_taken(tx, r.org_id, r.year).await?;
        if inspected {
            return Err(AppError::Refused {
                field: "result",
                code: "annual_report.inspection_recorded",
                message: format!("{} 年度的年检结论已另行录入,不能再次作出结论", r.year),
            });
        }
        let inspection = self
            .add_history_tx(
                tx,
                &r.credit_code,
                &HistoryInput::Inspection(InspectionInput {
                    year: r.year.to_string(),
                    result: result.code().into(),
                    date: self.clock.today().to_string(),
                }),
                FactSource::Record,
            )
            .await?;
        let finance = if financed {
            None
        } else {
            let c = r.content();
            let yuan =
                |f: Option<gongyi_domain::Fen>| f.map(|f| f.to_yuan_string()).unwrap_or_default();
            let count = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
            Some(
                self.add_history_tx(
                    tx,
                    &r.credit_code,
                    &HistoryInput::Finance(FinanceInput {
                        year: r.year.to_string(),
                        total_revenue: yuan(c.total_income),
                        government_purchase: yuan(c.income_government),
                        donations: yuan(c.income_donations),
                        business_income: yuan(c.income_business),
                        expenditure: yuan(c.expenses),
                        net_assets: yuan(c.net_assets),
                        staff: count(c.staff),
                        volunteers: count(c.volunteers),
                        volunteer_hours: count(c.volunteer_hours),
                    }),
                    FactSource::Declaration,
                )
                .await?,
            )
        };
        // The accounts are the organisation's declaration, verified by
        // this conclusion: its provenance names who filed them.
        if let Some(id) = finance {
            let provenance = Provenance {
                source: FactSource::Declaration,
                stated_by: r
                    .submitted_by
                    .clone()
                    .unwrap_or_else(|| r.created_by.clone()),
                stated_role: Role::Organisation.code().to_string(),
                verified_by: Some(self.caller.name.clone()),
                verified_at: Some(Utc::now()),
            };
            self.db
                .set_provenance(tx, FactKind::Finance, id, &provenance)
                .await?;
        }
        Ok((inspection, finance))
    }

    /// Whether an organisation that has not submitted the report of `year`
    /// is now 未报送 (the deadline has passed).
    pub fn report_overdue(&self, year: i32) -> bool {
        self.reports
            .window
            .is_unfiled(year, false, self.clock.today())
    }

    /// 二: an organisation that never filed the year's report (未报送) cannot
    /// pass that year's inspection; every path that records an inspection
    /// (history forms and API, imports, verified declarations, the
    /// conclusion of an unfiled year) comes through here.
    pub(crate) async fn refuse_unfiled_qualified(
        &self,
        tx: &mut gongyi_store::Tx,
        org_id: i64,
        year: i32,
        result: InspectionResult,
    ) -> Result<()> {
        if result != InspectionResult::Qualified || !self.report_overdue(year) {
            return Ok(());
        }
        let (submitted, cycle) = self.db.report_filed_tx(tx, org_id, i64::from(year)).await?;
        if cycle && !submitted {
            ar::check_unfiled_conclusion(result).map_err(|r| refused("result", r))?;
        }
        Ok(())
    }

    /// The bureau's conclusion of the inspection of a year an organisation
    /// never filed (未报送): 基本合格 or 不合格 with reasons, never 合格. It
    /// becomes the year's inspection fact like any conclusion.
    pub async fn conclude_unfiled(
        &self,
        credit_code: &str,
        year: &str,
        result: &str,
        reasons: &str,
    ) -> Result<i64> {
        let who = self.report_actor()?;
        if who.role != Role::Bureau {
            return Err(AppError::Forbidden);
        }
        let mut e = Invalid::default();
        let y = e.take(text::year("year", "报告年度", year));
        let parsed = e.take(ar::parse_conclusion(result, reasons));
        let (Some(year), Some((result, reasons))) = (y, parsed) else {
            return Err(e.into());
        };
        let org = self.org(credit_code).await?;
        if !self.report_overdue(year) {
            return Err(AppError::Refused {
                field: "year",
                code: "annual_report.not_overdue",
                message: format!(
                    "{year} 年度报告的截止日期 {} 尚未过去,不能按未报送作出结论",
                    self.report_deadline(year)
                ),
            });
        }
        ar::check_unfiled_conclusion(result).map_err(|r| refused("result", r))?;
        let mut tx = self.db.begin().await?;
        let (submitted, _) = self
            .db
            .report_filed_tx(&mut tx, org.id, i64::from(year))
            .await?;
        if submitted {
            return Err(AppError::Refused {
                field: "year",
                code: "annual_report.filed",
                message: format!("该组织已报送 {year} 年度报告,请在年报中作出结论"),
            });
        }
        if self
            .db
            .history_year_taken(&mut tx, org.id, i64::from(year))
            .await?
            .0
        {
            return Err(AppError::Refused {
                field: "result",
                code: "annual_report.inspection_recorded",
                message: format!("{year} 年度的年检结论已另行录入,不能再次作出结论"),
            });
        }
        let id = self
            .add_history_tx(
                &mut tx,
                &org.credit_code,
                &HistoryInput::Inspection(InspectionInput {
                    year: year.to_string(),
                    result: result.code().into(),
                    date: self.clock.today().to_string(),
                }),
                FactSource::Record,
            )
            .await?;
        let mut entry = AuditEntry::new("conclude_unfiled", "organization", &org.credit_code)
            .note("year", year)
            .note("conclusion", result.code())
            .note("inspection_id", id);
        if !reasons.is_empty() {
            entry = entry.note("conclusion_reasons", &reasons);
        }
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Filing progress of `year` per sub-district of the caller's scope.
    pub async fn report_progress(&self, year: i32) -> Result<Vec<ProgressLine>> {
        let rows = self.db.report_progress(&self.caller.scope, year).await?;
        let mut lines: Vec<ProgressLine> = Vec::new();
        for r in rows {
            if lines
                .last()
                .is_none_or(|l| l.subdistrict_code != r.subdistrict_code)
            {
                lines.push(ProgressLine {
                    subdistrict_name: r
                        .subdistrict_name
                        .clone()
                        .unwrap_or_else(|| r.subdistrict_code.clone()),
                    subdistrict_code: r.subdistrict_code.clone(),
                    ..ProgressLine::default()
                });
            }
            if let Some(l) = lines.last_mut() {
                l.due += r.count;
                match r.status {
                    None => l.unfiled += r.count,
                    Some(s) => *l.by_status.entry(s).or_default() += r.count,
                }
                if r.late {
                    l.late += r.count;
                }
            }
        }
        if self.report_overdue(year) {
            for l in &mut lines {
                l.overdue = l.unfiled + l.by_status.get(&ReportStatus::Draft).copied().unwrap_or(0);
            }
        }
        Ok(lines)
    }

    /// The heads of the progress table after 街道 and 应报, in the order of
    /// [`ProgressLine::counts`].
    pub const PROGRESS_HEADS: [&'static str; 8] = [
        "未填报",
        "草稿",
        "已提交",
        "退回补正",
        "初审通过",
        "已结论",
        "逾期报送",
        ar::UNFILED_LABEL,
    ];

    /// Filing progress of `year` as an xlsx workbook: a line per
    /// sub-district of the caller's scope and a total line.
    pub async fn report_progress_xlsx(&self, year: i32) -> Result<Vec<u8>> {
        let lines = self.report_progress(year).await?;
        let mut headers = vec!["街道", "应报"];
        headers.extend(Self::PROGRESS_HEADS);
        let mut total = [0i64; 9];
        let mut cells: Vec<Vec<String>> = lines
            .iter()
            .map(|l| {
                let mut n = vec![l.due];
                n.extend(l.counts());
                for (t, v) in total.iter_mut().zip(&n) {
                    *t += v;
                }
                std::iter::once(l.subdistrict_name.clone())
                    .chain(n.iter().map(i64::to_string))
                    .collect()
            })
            .collect();
        cells.push(
            std::iter::once("合计".to_string())
                .chain(total.iter().map(i64::to_string))
                .collect(),
        );
        gongyi_interchange::write_xlsx_to_vec(
            &headers,
            cells,
            &gongyi_interchange::XlsxOptions {
                sheet_name: format!("{year}年度年报填报进度"),
            },
        )
        .map_err(AppError::from)
    }

    /// Organisations of the caller's scope that owe the report of `year`
    /// and have not submitted it, with their contact (masked phone).
    pub async fn unfiled_orgs(
        &self,
        year: i32,
        subdistrict: Option<&str>,
        limit: i64,
    ) -> Result<Vec<UnfiledRow>> {
        Ok(self
            .db
            .unfiled_orgs(
                &self.caller.scope,
                year,
                subdistrict,
                DueSet::NotSubmitted,
                limit,
            )
            .await?)
    }

    /// The organisations of the caller's scope that owe the report of
    /// `year` (all, or a [`DueSet`] of them), with their report's state, by
    /// area and name; at most `limit`.
    pub async fn due_orgs(
        &self,
        year: i32,
        subdistrict: Option<&str>,
        set: DueSet,
        limit: i64,
    ) -> Result<Vec<UnfiledRow>> {
        Ok(self
            .db
            .unfiled_orgs(&self.caller.scope, year, subdistrict, set, limit)
            .await?)
    }

    /// How many reports of the caller's scope are in `status`, and since
    /// when the oldest has waited.
    pub async fn reports_waiting(
        &self,
        status: ReportStatus,
    ) -> Result<(i64, Option<DateTime<Utc>>)> {
        Ok(self.db.reports_waiting(&self.caller.scope, status).await?)
    }

    /// The caller organisation's own reports, newest year first.
    pub async fn own_reports(&self) -> Result<Vec<ReportRow>> {
        let org = self.own_org()?;
        Ok(self.db.reports_of_org(org).await?)
    }

    /// The filing deadline of a report year.
    pub fn report_deadline(&self, year: i32) -> NaiveDate {
        self.reports.window.deadline(year)
    }

    /// The public summaries (年报公示) of an organisation's concluded
    /// reports, newest first; anyone may read them.
    pub async fn public_reports(&self, org_id: i64) -> Result<Vec<PublicReportSummary>> {
        Ok(self
            .db
            .concluded_reports(org_id)
            .await?
            .into_iter()
            .filter_map(public_summary)
            .collect())
    }

    /// Every public summary of `year`'s concluded reports, by credit code, a
    /// page at a time (open data).
    pub async fn public_reports_of_year(
        &self,
        year: i32,
        page: i64,
        per_page: i64,
    ) -> Result<Page<PublicReportSummary>> {
        let p = self
            .db
            .concluded_reports_of_year(year, page, per_page)
            .await?;
        Ok(Page {
            items: p.items.into_iter().filter_map(public_summary).collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        })
    }
}

/// What of a concluded report is published: no person is named (the legal
/// representative and the contact stay inside).
fn public_summary(r: ReportRow) -> Option<PublicReportSummary> {
    Some(PublicReportSummary {
        credit_code: r.credit_code,
        org_name: r.org_name,
        year: r.year,
        conclusion: r.conclusion?,
        late: r.late,
        address: r.address,
        total_income_fen: r.total_income_fen,
        expenses_fen: r.expenses_fen,
        net_assets_fen: r.net_assets_fen,
        staff: r.staff,
        volunteers: r.volunteers,
        party_members: r.party_members,
        party_form: r.party_form,
        party_in_charter: r.party_in_charter,
    })
}
