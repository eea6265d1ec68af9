//! One application: its events, attachments and payments, the forms of the
//! steps the caller could take now, and attachment downloads.

use super::*;
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{refused_as_typed, FormPairs};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::applications::{ActionInput, ActorInput, ApplicationPage};
use gongyi_app::security::accounts::People;
use gongyi_domain::applications::Action;
use gongyi_domain::applications::EventAction;
use serde::Deserialize;

pub struct EventItem {
    pub at: String,
    pub step: String,
    pub from: String,
    pub to: String,
    /// The person's name and role; the account name is in `account`.
    pub who: String,
    pub account: String,
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

fn show_page(
    p: &ApplicationPage,
    names: &People,
    refused: Option<(&str, FormState)>,
    notice: String,
) -> ShowPage {
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
        format!(
            "{}({})",
            names.name_of(&a.applicant_name),
            a.applicant_role.label()
        ),
    )];
    for (label, name) in [
        ("街道审核人", &a.reviewer_name),
        ("批准人", &a.approver_name),
        ("拨付人", &a.payer_name),
    ] {
        if let Some(n) = name {
            people.push((label.into(), names.name_of(n).to_string()));
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
                who: format!("{}({})", names.name_of(&e.actor_name), e.actor_role.label()),
                account: e.actor_name.clone(),
                reason: e.reason.clone().unwrap_or_default(),
                amount: opt_money(e.amount_fen),
                note: e.note.clone().unwrap_or_default(),
            })
            .collect(),
        payment: p.payment.as_ref().map(|x| PaymentItem {
            amount: money(x.amount_fen),
            payer: names.name_of(&x.payer_name).to_string(),
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
    /// Set after a new application was submitted.
    pub submitted: Option<String>,
}

pub async fn show(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ShowParams>,
) -> Result<Response, PageError> {
    let p = s.registry.application_page(id).await?;
    // What was just done, said as what it did: 已提交, or the step taken.
    let notice = if q.submitted.is_some() {
        "申请已提交。".to_string()
    } else if q.saved.is_some() {
        p.events
            .last()
            .map(|e| match e.action {
                EventAction::Step(Action::Review) => "街道审核已通过。".to_string(),
                EventAction::Step(Action::Refuse) => "已决定不予支持。".to_string(),
                other => format!("已{}。", other.label()),
            })
            .unwrap_or_default()
    } else {
        String::new()
    };
    let people = s.registry.display_names().await?;
    Ok(render(
        StatusCode::OK,
        &show_page(&p, &people, None, notice),
    ))
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
            let people = s.registry.display_names().await?;
            Ok(render(
                status,
                &show_page(&p, &people, Some((action.as_str(), state)), String::new()),
            ))
        }
    }
}

pub async fn attachment(
    Ctx(s): Ctx,
    Path((id, file)): Path<(i64, i64)>,
) -> Result<Response, PageError> {
    let a = s.registry.attachment(id, file).await?;
    Ok(download(
        &a.file_name,
        a.content_type,
        a.content,
        &format!("attachment-{file}"),
    ))
}

/// A stored file as a download: always `attachment` (never shown inline),
/// its stored type, `nosniff`. Shared with the annual report's accounts.
pub(crate) fn download(
    file_name: &str,
    content_type: impl Into<String>,
    content: Vec<u8>,
    fallback: &str,
) -> Response {
    // The stored name is the user's; an ASCII fallback plus the UTF-8 name
    // (RFC 6266) keeps the header valid whatever it contains.
    let encoded: String = file_name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}");
    (
        [
            (header::CONTENT_TYPE, content_type.into()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        content,
    )
        .into_response()
}
