//! Annual reports (年报): the list (scoped, filtered; the numbers of the
//! progress page link here), one report with its sections as forms for the
//! organisation and the review and conclusion forms for the sub-district and
//! the bureau (only the steps the caller may take), the accounts file, and
//! the bureau's filing progress per sub-district.

use super::applications::shanghai;
use super::FormState;
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{refused_as_typed, FormPairs};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use gongyi_app::annual_report::{DueSet, ReportFilter, ReportPage, ReportRow};
use gongyi_domain::access::{grants, Capability};
use gongyi_domain::annual_report::{self as ar, Kind, ReportStatus, Section, Step, Value};
use gongyi_domain::history::{InspectionResult, PartyOrgForm};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A report in a list.
pub struct ReportItem {
    pub id: i64,
    pub year: i64,
    pub org: String,
    pub subdistrict: String,
    pub status: String,
    pub late: bool,
    pub submitted: String,
    pub conclusion: String,
}

impl From<&ReportRow> for ReportItem {
    fn from(r: &ReportRow) -> Self {
        ReportItem {
            id: r.id,
            year: r.year,
            org: r.org_name.clone(),
            subdistrict: r.subdistrict_name.clone().unwrap_or_default(),
            status: r.status.label().into(),
            late: r.late,
            submitted: r.submitted_at.map(shanghai).unwrap_or_default(),
            conclusion: r.conclusion.map(|c| c.label()).unwrap_or_default().into(),
        }
    }
}

/// An organisation that has not filed.
pub struct UnfiledItem {
    pub code: String,
    pub name: String,
    pub subdistrict: String,
    pub state: &'static str,
    /// The report, if begun.
    pub report: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    pub year: Option<String>,
    /// A status code, or `UNFILED` for organisations without a report.
    pub status: Option<String>,
    pub subdistrict: Option<String>,
    pub late: Option<String>,
    pub page: Option<i64>,
}

#[derive(Template)]
#[template(path = "annual_report/list.html")]
struct ListPage {
    title: String,
    items: Vec<ReportItem>,
    unfiled: Vec<UnfiledItem>,
    showing_unfiled: bool,
    total: i64,
    can_file: bool,
    can_progress: bool,
    form: FormState,
    year_hint: i32,
    /// The year the unfiled list shows, when its deadline has passed: the
    /// bureau may conclude those organisations' inspections (never 合格).
    overdue_year: Option<i32>,
    can_conclude: bool,
}

fn nonblank(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(String::from)
}

async fn list_page(
    s: &crate::auth::Scoped,
    p: &ListParams,
    form: FormState,
) -> Result<ListPage, PageError> {
    let role = s.session.principal.role;
    let year = p.year.as_deref().and_then(|y| y.trim().parse::<i32>().ok());
    let status_code = nonblank(&p.status);
    let due_set = match status_code.as_deref() {
        Some("DUE") => Some(DueSet::All),
        Some("UNFILED" | "OVERDUE") => Some(DueSet::NotSubmitted),
        Some("NOT_BEGUN") => Some(DueSet::NotBegun),
        _ => None,
    };
    let showing_due = due_set == Some(DueSet::All);
    let showing_unfiled = due_set.is_some();
    let status = status_code
        .as_deref()
        .and_then(|c| ReportStatus::ALL.iter().copied().find(|s| s.code() == c));
    let subdistrict = nonblank(&p.subdistrict);
    let today_year = s.registry.clock.today().year();
    let mut title = String::from("年报");
    if let Some(y) = year {
        title = format!("{y} 年度年报");
    }
    let mut overdue_year = None;
    let (items, unfiled, total) = if showing_unfiled {
        let y = year.unwrap_or(today_year - 1);
        let set = due_set.unwrap_or(DueSet::NotSubmitted);
        let overdue = s.registry.report_overdue(y);
        // 未报送 exists only once the deadline has passed.
        let rows = if status_code.as_deref() == Some("OVERDUE") && !overdue {
            Vec::new()
        } else {
            s.registry
                .due_orgs(y, subdistrict.as_deref(), set, 200)
                .await?
        };
        overdue_year = (overdue && set == DueSet::NotSubmitted).then_some(y);
        title = if showing_due {
            format!("{y} 年度应报年报的组织")
        } else if set == DueSet::NotBegun {
            format!("{y} 年度未填报年报的组织")
        } else if overdue {
            format!("{y} 年度未报送的组织")
        } else {
            format!("{y} 年度尚未提交年报的组织")
        };
        let unfiled: Vec<UnfiledItem> = rows
            .into_iter()
            .map(|r| UnfiledItem {
                code: r.credit_code,
                name: r.name,
                subdistrict: r.subdistrict_name.unwrap_or_default(),
                state: match (overdue, r.status) {
                    (true, Some(ReportStatus::Draft)) => "未报送(草稿未提交)",
                    (_, st) => ar::filing_label(st, overdue),
                },
                report: r.report_id,
            })
            .collect();
        let n = unfiled.len() as i64;
        (Vec::new(), unfiled, n)
    } else {
        let f = ReportFilter {
            year,
            status,
            subdistrict,
            late: p.late.as_deref().map(|l| l == "1"),
        };
        let page = s.registry.reports(&f, p.page, Some(100)).await?;
        (
            page.items
                .iter()
                .map(|r| {
                    let mut item = ReportItem::from(r);
                    if r.status == ReportStatus::Draft && s.registry.report_overdue(r.year as i32) {
                        item.status = format!("{}(草稿未提交)", ar::UNFILED_LABEL);
                    }
                    item
                })
                .collect(),
            Vec::new(),
            page.total,
        )
    };
    if let Some(st) = status {
        title.push_str(&format!(" · {}", st.label()));
    }
    Ok(ListPage {
        title,
        items,
        unfiled,
        showing_unfiled,
        total,
        can_file: grants(role, Capability::FileAnnualReport),
        can_progress: grants(role, Capability::ConcludeAnnualReport),
        form,
        year_hint: today_year - 1,
        overdue_year,
        can_conclude: grants(role, Capability::ConcludeAnnualReport),
    })
}

pub async fn list(Ctx(s): Ctx, Query(p): Query<ListParams>) -> Result<Response, PageError> {
    let view = list_page(&s, &p, FormState::default()).await?;
    Ok(render(StatusCode::OK, &view))
}

/// Opens the year's report of the caller's organisation.
pub async fn create(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    match s.registry.create_report(&f.get("year")).await {
        Ok(r) => Ok(Redirect::to(&format!("/annual-reports/{}", r.id)).into_response()),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let view = list_page(&s, &ListParams::default(), form).await?;
            Ok(render(status, &view))
        }
    }
}

/// One field of a section as the page shows it.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    /// `money`, `count`, `text`, `long`, `flag`, `party`.
    pub kind: &'static str,
    pub required: bool,
    pub value: String,
    pub shown: String,
    pub error: String,
    /// The registered value when the report declares a change.
    pub registered: String,
}

pub struct SectionView {
    pub code: &'static str,
    pub label: &'static str,
    pub fields: Vec<FieldView>,
    pub returned: String,
    pub notice: String,
}

fn shown(v: &Option<Value>) -> String {
    match v {
        None => "—".into(),
        Some(Value::Money(f)) => f.shown(),
        Some(Value::Count(n)) => n.to_string(),
        Some(Value::Text(t)) => t.clone(),
        Some(Value::Flag(b)) => if *b { "是" } else { "否" }.into(),
        Some(Value::PartyForm(p)) => p.label().into(),
    }
}

fn kind_code(k: Kind) -> &'static str {
    match k {
        Kind::Money => "money",
        Kind::Count => "count",
        Kind::Text(n) if n > 200 => "long",
        Kind::Text(_) => "text",
        Kind::Flag => "flag",
        Kind::PartyForm => "party",
    }
}

#[derive(Template)]
#[template(path = "annual_report/show.html")]
struct ShowPage {
    r: ReportItem,
    deadline: String,
    sections: Vec<SectionView>,
    editable: bool,
    can_submit: bool,
    can_pass: bool,
    can_return: bool,
    can_conclude: bool,
    has_file: bool,
    max_kb: usize,
    people: Vec<(String, String)>,
    events: Vec<(String, String, String)>,
    conclusion_reasons: String,
    results: Vec<(&'static str, &'static str)>,
    party_forms: Vec<(&'static str, &'static str)>,
    section_codes: Vec<(&'static str, &'static str)>,
    /// The refused step's form, as typed.
    step_form: FormState,
    notice: String,
    version: i64,
}

fn show_page(
    p: &ReportPage,
    refused_section: Option<(&str, &FormState)>,
    step_form: FormState,
    notice: String,
    max_kb: usize,
) -> ShowPage {
    let r = &p.report;
    let content = r.content();
    let sections = Section::ALL
        .iter()
        .map(|sec| {
            let typed = refused_section
                .filter(|(c, _)| *c == sec.code())
                .map(|(_, f)| f);
            SectionView {
                code: sec.code(),
                label: sec.label(),
                fields: sec
                    .fields()
                    .map(|spec| {
                        let v = content.get(spec.name);
                        let registered = match spec.name {
                            "address" => p.registered_address.clone(),
                            "legal_representative" => p.registered_legal_representative.clone(),
                            _ => None,
                        }
                        .filter(|reg| Some(Value::Text(reg.clone())) != v && v.is_some())
                        .unwrap_or_default();
                        FieldView {
                            name: spec.name,
                            label: spec.label,
                            kind: kind_code(spec.kind),
                            required: spec.required,
                            value: typed
                                .map(|f| f.v(spec.name).to_string())
                                .unwrap_or_else(|| ar::form_text(&v)),
                            shown: shown(&v),
                            error: typed
                                .map(|f| f.e(spec.name).to_string())
                                .unwrap_or_default(),
                            registered,
                        }
                    })
                    .collect(),
                returned: p
                    .returned
                    .iter()
                    .filter(|(s, _)| s == sec)
                    .map(|(_, why)| why.clone())
                    .collect::<Vec<_>>()
                    .join(";"),
                notice: typed.map(|f| f.notice.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let mut people = vec![("建立人".to_string(), r.created_by.clone())];
    for (label, who, at) in [
        ("提交人", &r.submitted_by, r.submitted_at),
        ("初审人", &r.reviewed_by, r.reviewed_at),
        ("结论人", &r.concluded_by, r.concluded_at),
    ] {
        if let Some(n) = who {
            people.push((
                label.into(),
                format!("{n}({})", at.map(shanghai).unwrap_or_default()),
            ));
        }
    }
    ShowPage {
        r: ReportItem::from(r),
        deadline: p.deadline.to_string(),
        sections,
        editable: p.editable,
        can_submit: p.steps.contains(&Step::Submit),
        can_pass: p.steps.contains(&Step::Pass),
        can_return: p.steps.contains(&Step::Return),
        can_conclude: p.steps.contains(&Step::Conclude),
        has_file: r.has_file,
        max_kb,
        people,
        events: p
            .events
            .iter()
            .map(|e| {
                let step = match e.action.as_str() {
                    "submit" => "提交",
                    "pass" => "初审通过",
                    "return" => "退回补正",
                    "conclude" => "年检结论",
                    other => other,
                };
                (
                    shanghai(e.at),
                    format!("{step} → {}", e.to_status.label()),
                    format!(
                        "{}({})",
                        e.actor_name,
                        gongyi_domain::access::Role::label_of(&e.actor_role)
                    ),
                )
            })
            .collect(),
        conclusion_reasons: r.conclusion_reasons.clone().unwrap_or_default(),
        results: [
            InspectionResult::Qualified,
            InspectionResult::BasicallyQualified,
            InspectionResult::Unqualified,
        ]
        .iter()
        .map(|x| (x.code(), x.label()))
        .collect(),
        party_forms: PartyOrgForm::ALL
            .iter()
            .map(|x| (x.code(), x.label()))
            .collect(),
        section_codes: Section::ALL.iter().map(|s| (s.code(), s.label())).collect(),
        step_form,
        notice,
        version: r.version,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    pub saved: Option<String>,
}

fn max_kb(s: &crate::auth::Scoped) -> usize {
    s.registry.reports.max_file_bytes / 1024
}

pub async fn show(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ShowParams>,
) -> Result<Response, PageError> {
    let p = s.registry.report_page(id).await?;
    let notice = match q.saved.as_deref() {
        Some("step") => "已办理。".to_string(),
        Some(_) => "已保存草稿。".to_string(),
        None => String::new(),
    };
    Ok(render(
        StatusCode::OK,
        &show_page(&p, None, FormState::default(), notice, max_kb(&s)),
    ))
}

/// Saves one section as a draft.
pub async fn save_section(
    Ctx(s): Ctx,
    Path((id, section)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let fields: BTreeMap<String, String> = f.0.iter().cloned().collect();
    let version = f.get("version").trim().parse().ok();
    match s
        .registry
        .save_report_section(id, &section, &fields, version)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/annual-reports/{id}?saved={section}#{section}"))
                .into_response(),
        ),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let p = s.registry.report_page(id).await?;
            Ok(render(
                status,
                &show_page(
                    &p,
                    Some((section.as_str(), &form)),
                    FormState::default(),
                    String::new(),
                    max_kb(&s),
                ),
            ))
        }
    }
}

/// The audited accounts, multipart (`accounts`).
pub async fn upload(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    mut mp: Multipart,
) -> Result<Response, PageError> {
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut failed = None;
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                if field.name() == Some("accounts") {
                    let name = field.file_name().unwrap_or("").to_string();
                    match field.bytes().await {
                        Ok(b) if !(name.is_empty() && b.is_empty()) => {
                            file = Some((name, b.to_vec()))
                        }
                        Ok(_) => {}
                        Err(e) => failed = Some(e.body_text()),
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                failed = Some(e.body_text());
                break;
            }
        }
    }
    let result = match (failed, file) {
        (Some(why), _) => Err(gongyi_app::AppError::Invalid(gongyi_domain::Invalid::one(
            "accounts",
            "attachment.upload",
            format!("上传未能完成(文件不能超过 {} KB):{why}", max_kb(&s)),
        ))),
        (None, None) => Err(gongyi_app::AppError::Invalid(gongyi_domain::Invalid::one(
            "accounts",
            "attachment.missing",
            "请选择要上传的审计报告文件",
        ))),
        (None, Some((name, bytes))) => s.registry.upload_report_accounts(id, &name, bytes).await,
    };
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/annual-reports/{id}?saved=finance#finance")).into_response(),
        ),
        Err(e) => {
            let Some((status, form)) = crate::form::refused(&e) else {
                return Err(e.into());
            };
            let p = s.registry.report_page(id).await?;
            let mut form = form;
            form.notice = form.e("accounts").to_string();
            Ok(render(
                status,
                &show_page(
                    &p,
                    Some(("finance", &form)),
                    FormState::default(),
                    String::new(),
                    max_kb(&s),
                ),
            ))
        }
    }
}

/// Downloads the accounts file, always as an attachment.
pub async fn accounts(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let f = s.registry.report_accounts(id).await?;
    Ok(super::applications::download(
        &f.file_name,
        f.content_type,
        f.content,
        &format!("accounts-{id}"),
    ))
}

async fn step_result(
    s: &crate::auth::Scoped,
    id: i64,
    f: FormPairs,
    result: gongyi_app::Result<ReportRow>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/annual-reports/{id}?saved=step")).into_response()),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let p = s.registry.report_page(id).await?;
            Ok(render(
                status,
                &show_page(&p, None, form, String::new(), max_kb(s)),
            ))
        }
    }
}

pub async fn submit(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let declared = matches!(f.get("declaration").as_str(), "1" | "on" | "true");
    let r = s.registry.submit_report(id, declared).await;
    step_result(&s, id, f, r).await
}

pub async fn review(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let fields: BTreeMap<String, String> = f.0.iter().cloned().collect();
    let r = s
        .registry
        .review_report(id, &f.get("decision"), &fields)
        .await;
    step_result(&s, id, f, r).await
}

pub async fn conclude(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = s
        .registry
        .conclude_report(id, &f.get("result"), &f.get("reasons"))
        .await;
    step_result(&s, id, f, r).await
}

/// The bureau concludes the inspection of an organisation that never filed
/// (未报送); the list of unfiled organisations shows the form again on error.
pub async fn conclude_unfiled(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let year = f.get("year");
    match s
        .registry
        .conclude_unfiled(
            &f.get("credit_code"),
            &year,
            &f.get("result"),
            &f.get("reasons"),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/orgs/{}#inspections",
            f.get("credit_code").trim()
        ))
        .into_response()),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let p = ListParams {
                year: Some(year),
                status: Some("UNFILED".into()),
                ..ListParams::default()
            };
            let view = list_page(&s, &p, form).await?;
            Ok(render(status, &view))
        }
    }
}

/// A cell of the progress table: a number and the list behind it.
pub struct Cell {
    pub n: i64,
    pub href: String,
}

pub struct ProgressItem {
    pub name: String,
    pub code: String,
    pub due: i64,
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "annual_report/progress.html")]
struct ProgressPage {
    year: i32,
    deadline: String,
    heads: Vec<&'static str>,
    lines: Vec<ProgressItem>,
    totals: Vec<Cell>,
    due: i64,
}

#[derive(Debug, Default, Deserialize)]
pub struct YearParams {
    pub year: Option<String>,
}

fn progress_year(s: &crate::auth::Scoped, q: &YearParams) -> i32 {
    q.year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (1949..=2100).contains(y))
        .unwrap_or(s.registry.clock.today().year() - 1)
}

/// The list behind a count of the progress table (`sub` empty: all areas).
fn progress_link(year: i32, sub: &str, column: usize) -> String {
    let area = if sub.is_empty() {
        String::new()
    } else {
        format!("&subdistrict={sub}")
    };
    let filter = match column {
        0 => "&status=NOT_BEGUN".to_string(),
        // 未报送: after the deadline, the organisations without a submitted report.
        7 => "&status=OVERDUE".to_string(),
        1..=5 => format!("&status={}", ReportStatus::ALL[column - 1].code()),
        _ => "&late=1".to_string(),
    };
    format!("/annual-reports?year={year}{area}{filter}")
}

/// Filing progress of a year per sub-district; every count links to its list.
pub async fn progress(Ctx(s): Ctx, Query(q): Query<YearParams>) -> Result<Response, PageError> {
    let year = progress_year(&s, &q);
    let lines = s.registry.report_progress(year).await?;
    let heads = gongyi_app::Registry::PROGRESS_HEADS.to_vec();
    let mut totals = vec![0i64; heads.len()];
    let items = lines
        .iter()
        .map(|l| {
            let cells: Vec<Cell> = l
                .counts()
                .into_iter()
                .enumerate()
                .map(|(i, n)| Cell {
                    n,
                    href: progress_link(year, &l.subdistrict_code, i),
                })
                .collect();
            for (t, c) in totals.iter_mut().zip(&cells) {
                *t += c.n;
            }
            ProgressItem {
                name: l.subdistrict_name.clone(),
                code: l.subdistrict_code.clone(),
                due: l.due,
                cells,
            }
        })
        .collect();
    let totals = totals
        .into_iter()
        .enumerate()
        .map(|(i, n)| Cell {
            n,
            href: progress_link(year, "", i),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &ProgressPage {
            year,
            deadline: s.registry.report_deadline(year).to_string(),
            heads,
            lines: items,
            due: lines.iter().map(|l| l.due).sum(),
            totals,
        },
    ))
}

/// The progress table of a year as an xlsx file.
pub async fn progress_xlsx(
    Ctx(s): Ctx,
    Query(q): Query<YearParams>,
) -> Result<Response, PageError> {
    let year = progress_year(&s, &q);
    let bytes = s.registry.report_progress_xlsx(year).await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"annual-report-progress-{year}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}
