//! A new application, with attachments (multipart): the form, shown again as
//! typed (the files to choose again) when refused.

use super::*;
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::refused;
use askama::Template;
use axum::extract::Multipart;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::applications::{ActorInput, AttachmentInput};
use gongyi_domain::applications::ApplicationInput;

#[derive(Template)]
#[template(path = "applications/new.html")]
struct NewPage {
    form: FormState,
    rules: Vec<Opt>,
    /// What the event is for each rule, by the rule's name; only the chosen
    /// rule's when the form came from an eligible item.
    hints: Vec<(String, String)>,
    max_files: usize,
    max_kb: usize,
}

fn new_page(form: FormState) -> NewPage {
    let chosen = form.values.get("rule").cloned().unwrap_or_default();
    NewPage {
        rules: rule_opts(),
        hints: SubsidyRule::ALL
            .iter()
            .filter(|r| chosen.is_empty() || r.code() == chosen)
            .map(|r| (r.title().to_string(), r.event_key_hint().to_string()))
            .collect(),
        form,
        max_files: gongyi_domain::applications::MAX_ATTACHMENTS,
        max_kb: gongyi_domain::applications::MAX_ATTACHMENT_BYTES / 1024,
    }
}

/// What an eligible item carries over to the form (`/applications/new?rule=R3&…`).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Prefill {
    pub rule: Option<String>,
    pub beneficiary: Option<String>,
    pub event: Option<String>,
    pub amount: Option<String>,
}

pub async fn new_form(
    Ctx(s): Ctx,
    axum::extract::Query(mut p): axum::extract::Query<Prefill>,
) -> Result<Response, PageError> {
    // An organisation applies for itself: its own code is filled in.
    if let gongyi_domain::access::Scope::Organisation(id) = s.session.principal.scope {
        if p.beneficiary.as_deref().is_none_or(|b| b.trim().is_empty()) {
            p.beneficiary = Some(s.registry.org_by_id(id).await?.credit_code);
        }
    }
    let mut form = FormState::default();
    form.values
        .insert("actor_role".into(), "organisation".into());
    for (key, value) in [
        ("rule", p.rule),
        ("beneficiary_id", p.beneficiary),
        ("event_key", p.event),
        ("requested", p.amount),
    ] {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            form.values.insert(key.into(), v);
        }
    }
    Ok(render(StatusCode::OK, &new_page(form)))
}

/// The form for an item the rules found payable: rule, beneficiary, event
/// and amount filled in.
pub fn apply_href(rule: &str, beneficiary: &str, event: &str, amount: Option<Fen>) -> String {
    let amount = amount.map(Fen::to_yuan_string).unwrap_or_default();
    let query = serde_urlencoded::to_string([
        ("rule", rule),
        ("beneficiary", beneficiary),
        ("event", event),
        ("amount", amount.as_str()),
    ])
    .unwrap_or_default();
    format!("/applications/new?{query}")
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
        Ok(a) => Ok(Redirect::to(&format!("/applications/{}?submitted=1", a.id)).into_response()),
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
