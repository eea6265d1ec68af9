//! The bureau's application pages: the queue with its status tabs and
//! filters, a new application (with attachments, multipart), one
//! application with its audit and the forms of the steps someone could take
//! now, attachment downloads; and the subsidy sections of the organisation
//! and person pages.
//!
//! The acting user's name and role are form fields until accounts arrive;
//! the app layer decides whether they may act.

use super::{query_string, FormState, Opt};
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{nonblank, refused, refused_as_typed, FormPairs};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use gongyi_app::applications::{
    ActionInput, ActorInput, ApplicationPage, AttachmentInput, SubsidyHistory,
};
use gongyi_app::applications::{ApplicationFilter, ApplicationRow, PaymentRow};
use gongyi_app::AppError;
use gongyi_domain::application::{yuan_grouped, Action, ApplicationInput, Status, SubsidyRule};
use gongyi_domain::policy::BeneficiaryKind;
use gongyi_domain::Fen;
use serde::Deserialize;

/// "2024-06-01 16:05" in Shanghai time (UTC+8, no daylight saving).
pub fn shanghai(t: DateTime<Utc>) -> String {
    (t + chrono::Duration::hours(8))
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn money(fen: i64) -> String {
    yuan_grouped(Fen(fen))
}

fn opt_money(fen: Option<i64>) -> String {
    fen.map_or_else(|| "—".into(), money)
}

/// Where a beneficiary's page is.
fn beneficiary_href(kind: BeneficiaryKind, id: &str) -> String {
    match kind {
        BeneficiaryKind::Person => gongyi_domain::application::person_table_id(id)
            .map_or_else(String::new, |n| format!("/people/{n}")),
        BeneficiaryKind::Organisation => format!("/orgs/{id}"),
    }
}

/// An application as a row of a list.
pub struct AppItem {
    pub id: i64,
    pub rule: String,
    pub beneficiary: String,
    pub beneficiary_href: String,
    pub subdistrict: String,
    pub event_key: String,
    pub requested: String,
    pub approved: String,
    pub status: String,
    pub status_code: String,
    pub submitted: String,
}

impl From<&ApplicationRow> for AppItem {
    fn from(a: &ApplicationRow) -> Self {
        AppItem {
            id: a.id,
            rule: a.rule.label(),
            beneficiary: a.beneficiary_name.clone(),
            beneficiary_href: beneficiary_href(a.beneficiary_kind, &a.beneficiary_id),
            subdistrict: a.subdistrict_name.clone().unwrap_or_else(|| "—".into()),
            event_key: a.event_key.clone(),
            requested: money(a.requested_fen),
            approved: opt_money(a.approved_fen),
            status: a.status.label().into(),
            status_code: a.status.code().into(),
            submitted: shanghai(a.submitted_at),
        }
    }
}

/// Queue query parameters.
#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    pub status: Option<String>,
    pub rule: Option<String>,
    pub subdistrict: Option<String>,
    pub page: Option<i64>,
}

impl QueueParams {
    fn filter(&self) -> ApplicationFilter {
        ApplicationFilter {
            status: nonblank(&self.status),
            rule: nonblank(&self.rule),
            subdistrict: nonblank(&self.subdistrict),
            ..Default::default()
        }
    }

    fn link(&self, status: &str, page: i64) -> String {
        let g = |s: &Option<String>| s.clone().unwrap_or_default();
        let mut p = vec![
            ("status", status.to_string()),
            ("rule", g(&self.rule)),
            ("subdistrict", g(&self.subdistrict)),
        ];
        if page > 1 {
            p.push(("page", page.to_string()));
        }
        format!("/applications?{}", query_string(&p))
    }
}

pub struct Tab {
    pub label: String,
    pub count: i64,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "applications/list.html")]
struct QueuePage {
    tabs: Vec<Tab>,
    items: Vec<AppItem>,
    total: i64,
    page: i64,
    pages: i64,
    prev: String,
    next: String,
    rules: Vec<Opt>,
    subdistricts: Vec<Opt>,
    rule: String,
    subdistrict: String,
    status: String,
}

pub async fn queue(Ctx(s): Ctx, Query(p): Query<QueueParams>) -> Result<Response, PageError> {
    let r = &s.registry;
    let (page, per_page) = gongyi_app::bound_page(p.page, None, 30);
    let f = p.filter();
    let (list, counts) = r.application_queue(&f, page, per_page).await?;
    let subs = r.subdistricts().await?;
    let current = f.status.clone().unwrap_or_default();
    let mut tabs = vec![Tab {
        label: "全部".into(),
        count: counts.iter().map(|c| c.1).sum(),
        href: p.link("", 1),
        active: current.is_empty(),
    }];
    tabs.extend(Status::ALL.iter().map(|st| Tab {
        label: st.label().into(),
        count: counts.iter().find(|c| c.0 == *st).map_or(0, |c| c.1),
        href: p.link(st.code(), 1),
        active: current == st.code(),
    }));
    let pages = list.pages();
    let view = QueuePage {
        tabs,
        items: list.items.iter().map(AppItem::from).collect(),
        total: list.total,
        page,
        pages,
        prev: if page > 1 {
            p.link(&current, page - 1)
        } else {
            String::new()
        },
        next: if page < pages {
            p.link(&current, page + 1)
        } else {
            String::new()
        },
        rules: rule_opts(),
        subdistricts: subs
            .iter()
            .map(|x| Opt {
                value: x.code.clone(),
                label: x.name.clone(),
            })
            .collect(),
        rule: f.rule.unwrap_or_default(),
        subdistrict: f.subdistrict.unwrap_or_default(),
        status: current,
    };
    Ok(render(StatusCode::OK, &view))
}

fn rule_opts() -> Vec<Opt> {
    SubsidyRule::ALL
        .iter()
        .map(|r| Opt {
            value: r.code().into(),
            label: r.label(),
        })
        .collect()
}

/// One event of the audit, as shown.
pub struct EventItem {
    pub at: String,
    pub step: String,
    pub from: String,
    pub to: String,
    pub who: String,
    pub reason: String,
    pub amount: String,
    pub note: String,
}

pub struct FileItem {
    pub id: i64,
    pub name: String,
    pub size: String,
}

/// A step's form: which step, the role that may take it, the last refused
/// input (if this form was the one refused).
pub struct ActionForm {
    pub action: String,
    pub label: String,
    pub role_label: String,
    pub needs_reason: bool,
    pub takes_amount: bool,
    pub state: FormState,
}

#[derive(Template)]
#[template(path = "applications/show.html")]
struct ShowPage {
    a: AppItem,
    beneficiary_id: String,
    kind_label: String,
    needs_review: bool,
    reason: String,
    budget_year: String,
    people: Vec<(String, String)>,
    files: Vec<FileItem>,
    events: Vec<EventItem>,
    payment: Option<PaymentItem>,
    forms: Vec<ActionForm>,
    version: i64,
    notice: String,
    error: String,
}

pub struct PaymentItem {
    pub amount: String,
    pub payer: String,
    pub at: String,
    pub budget: String,
}

fn show_page(p: &ApplicationPage, refused: Option<(&str, FormState)>, notice: String) -> ShowPage {
    let a = &p.application;
    let error = refused
        .as_ref()
        .map(|(_, st)| st.notice.clone())
        .unwrap_or_default();
    let forms = p
        .open_actions
        .iter()
        .map(|(action, role)| ActionForm {
            action: action.code().into(),
            label: action.label().into(),
            role_label: role.label().into(),
            needs_reason: matches!(action, Action::Return | Action::Refuse),
            takes_amount: *action == Action::Approve,
            state: match &refused {
                Some((code, st)) if *code == action.code() => st.clone(),
                _ => FormState::default(),
            },
        })
        .collect();
    let mut people = vec![(
        "申请人".to_string(),
        format!("{}({})", a.applicant_name, a.applicant_role.label()),
    )];
    for (label, name) in [
        ("街道审核人", &a.reviewer_name),
        ("批准人", &a.approver_name),
        ("拨付人", &a.payer_name),
    ] {
        if let Some(n) = name {
            people.push((label.into(), n.clone()));
        }
    }
    ShowPage {
        a: AppItem::from(a),
        beneficiary_id: a.beneficiary_id.clone(),
        kind_label: if a.beneficiary_kind == BeneficiaryKind::Person {
            "社工人才".into()
        } else {
            "社会组织".into()
        },
        needs_review: a.needs_review,
        reason: a.reason.clone().unwrap_or_default(),
        budget_year: a.budget_year.map(|y| y.to_string()).unwrap_or_default(),
        people,
        files: p
            .attachments
            .iter()
            .map(|f| FileItem {
                id: f.id,
                name: f.file_name.clone(),
                size: format!("{} KB", (f.size_bytes + 1023) / 1024),
            })
            .collect(),
        events: p
            .events
            .iter()
            .map(|e| EventItem {
                at: shanghai(e.at),
                step: e.action.label().into(),
                from: e.from_status.map(Status::label).unwrap_or_default().into(),
                to: e.to_status.label().into(),
                who: format!("{}({})", e.actor_name, e.actor_role.label()),
                reason: e.reason.clone().unwrap_or_default(),
                amount: opt_money(e.amount_fen),
                note: e.note.clone().unwrap_or_default(),
            })
            .collect(),
        payment: p.payment.as_ref().map(|x| PaymentItem {
            amount: money(x.amount_fen),
            payer: x.payer_name.clone(),
            at: shanghai(x.paid_at),
            budget: format!("{} {} 年", x.rule, x.budget_year),
        }),
        forms,
        version: a.version,
        notice,
        error,
    }
}

#[derive(Deserialize)]
pub struct ShowParams {
    pub saved: Option<String>,
}

pub async fn show(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ShowParams>,
) -> Result<Response, PageError> {
    let p = s.registry.application_page(id).await?;
    let notice = if q.saved.is_some() {
        "已办理。".to_string()
    } else {
        String::new()
    };
    Ok(render(StatusCode::OK, &show_page(&p, None, notice)))
}

/// A step posted from the application page.
pub async fn act(
    Ctx(s): Ctx,
    Path((id, action)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let input = ActionInput {
        actor: ActorInput {
            name: f.get("actor_name"),
            role: f.get("actor_role"),
        },
        reason: f.get("reason"),
        amount: f.get("amount"),
        version: f.get("version").trim().parse().ok(),
    };
    match s.registry.act(id, &action, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}?saved=1")).into_response()),
        Err(e) => {
            let Some((status, state)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let p = s.registry.application_page(id).await?;
            Ok(render(
                status,
                &show_page(&p, Some((action.as_str(), state)), String::new()),
            ))
        }
    }
}

pub async fn attachment(
    Ctx(s): Ctx,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let a = s.registry.attachment(id, file).await?;
    // The stored name is the user's; an ASCII fallback plus the UTF-8 name
    // (RFC 6266) keeps the header valid whatever it contains.
    let encoded: String = a
        .file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition =
        format!("attachment; filename=\"attachment-{file}\"; filename*=UTF-8''{encoded}");
    Ok((
        [
            (header::CONTENT_TYPE, a.content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        a.content,
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "applications/new.html")]
struct NewPage {
    form: FormState,
    rules: Vec<Opt>,
    hints: Vec<(String, String)>,
    max_files: usize,
    max_kb: usize,
}

fn new_page(form: FormState) -> NewPage {
    NewPage {
        form,
        rules: rule_opts(),
        hints: SubsidyRule::ALL
            .iter()
            .map(|r| (r.code().to_string(), r.event_key_hint().to_string()))
            .collect(),
        max_files: gongyi_domain::application::MAX_ATTACHMENTS,
        max_kb: gongyi_domain::application::MAX_ATTACHMENT_BYTES / 1024,
    }
}

pub async fn new_form() -> Response {
    let mut form = FormState::default();
    form.values
        .insert("actor_role".into(), "organisation".into());
    render(StatusCode::OK, &new_page(form))
}

/// The new-application form, multipart: text fields and `attachments`.
pub async fn create(Ctx(s): Ctx, mut mp: Multipart) -> Result<Response, PageError> {
    let mut values = std::collections::HashMap::new();
    let mut files = Vec::new();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return Ok(bad_upload(&e.body_text())),
        };
        let name = field.name().unwrap_or("").to_string();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let content_type = field.content_type().unwrap_or("").to_string();
            let bytes = match field.bytes().await {
                Ok(b) => b.to_vec(),
                Err(e) => return Ok(bad_upload(&e.body_text())),
            };
            // An empty file input still sends a part without a file.
            if !(file_name.is_empty() && bytes.is_empty()) {
                files.push(AttachmentInput {
                    file_name,
                    content_type,
                    bytes,
                });
            }
        } else {
            let text = match field.text().await {
                Ok(t) => t,
                Err(e) => return Ok(bad_upload(&e.body_text())),
            };
            values.insert(name, text);
        }
    }
    let v = |k: &str| values.get(k).cloned().unwrap_or_default();
    let input = ApplicationInput {
        rule: v("rule"),
        beneficiary_id: v("beneficiary_id"),
        event_key: v("event_key"),
        requested: v("requested"),
    };
    let actor = ActorInput {
        name: v("actor_name"),
        role: v("actor_role"),
    };
    match s.registry.apply(&input, files, &actor).await {
        Ok(a) => Ok(Redirect::to(&format!("/applications/{}?saved=1", a.id)).into_response()),
        Err(e) => {
            let Some((status, mut form)) = refused(&e) else {
                return Err(e.into());
            };
            form.values = values;
            // Attachment errors are shown next to the file input.
            let file_errors: Vec<String> = form
                .errors
                .iter()
                .filter(|(k, _)| k.starts_with("attachments"))
                .map(|(_, m)| m.clone())
                .collect();
            if !file_errors.is_empty() {
                form.errors
                    .insert("attachments".into(), file_errors.join(";"));
                form.notice.push_str("附件需重新选择。");
            }
            Ok(render(status, &new_page(form)))
        }
    }
}

fn bad_upload(detail: &str) -> Response {
    let form = FormState {
        notice: format!("上传未能完成(文件合计不能超过 2 MB):{detail}"),
        ..Default::default()
    };
    render(StatusCode::BAD_REQUEST, &new_page(form))
}

/// The subsidy section of an organisation's page.
#[derive(Default)]
pub struct SubsidySection {
    pub loaded: bool,
    pub applications: Vec<AppItem>,
    pub paid_total: String,
    pub payments: usize,
}

impl SubsidySection {
    pub fn of(h: &SubsidyHistory) -> SubsidySection {
        SubsidySection {
            loaded: true,
            applications: h.applications.iter().map(AppItem::from).collect(),
            paid_total: money(h.payments.iter().map(|p| p.amount_fen).sum()),
            payments: h.payments.len(),
        }
    }
}

/// An organisation's applications and payments, for its page.
pub async fn org_section(
    s: &crate::auth::Scoped,
    credit_code: &str,
) -> Result<SubsidySection, AppError> {
    Ok(SubsidySection::of(
        &s.registry.org_subsidies(credit_code).await?,
    ))
}

/// One paid month of a person's salary subsidy.
pub struct SalaryMonth {
    pub month: String,
    pub amount: String,
    pub paid: String,
    pub application: i64,
}

/// A person's paid R9 months, for their page.
pub async fn salary_months(
    s: &crate::auth::Scoped,
    person_id: i64,
) -> Result<Vec<SalaryMonth>, AppError> {
    Ok(s.registry
        .salary_months(person_id)
        .await?
        .iter()
        .map(|p: &PaymentRow| SalaryMonth {
            month: p.event_key.clone(),
            amount: money(p.amount_fen),
            paid: shanghai(p.paid_at),
            application: p.application_id,
        })
        .collect())
}
