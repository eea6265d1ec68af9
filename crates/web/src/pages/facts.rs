//! Declarations (申报) and their verification: the queue at `/declarations`
//! (a sub-district's or the bureau's to verify, an organisation's own), the
//! verify and return actions, and what the organisation and person pages
//! share: which record forms the caller sees (only the kinds it may state,
//! `domain::access::who_states`) and the list of declarations waiting.

use super::applications::shanghai;
use super::FormState;
use crate::auth::{Ctx, Scoped};
use crate::error::{render, PageError};
use crate::form::{refused, FormPairs};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::facts::{labelled_fields, DeclarationFilter, DeclarationRow};
use gongyi_app::Registry;
use gongyi_domain::access::Stating;
use gongyi_domain::facts::{DeclarationStatus, FactKind};
use gongyi_domain::vocabulary::Coded;
use serde::Deserialize;

/// Which record forms the caller sees, and whether each records or declares.
#[derive(Debug, Clone)]
pub struct FactForms {
    stating: Vec<(FactKind, Stating)>,
}

impl FactForms {
    pub fn of(r: &Registry) -> FactForms {
        FactForms {
            stating: FactKind::ALL.iter().map(|k| (*k, r.stating(*k))).collect(),
        }
    }

    fn get(&self, kind: &str) -> Stating {
        FactKind::decode(kind)
            .ok()
            .and_then(|k| self.stating.iter().find(|(x, _)| *x == k))
            .map_or(Stating::No, |(_, s)| *s)
    }

    /// Whether the caller may record or declare `kind` (its form is shown).
    pub fn may(&self, kind: &str) -> bool {
        matches!(self.get(kind), Stating::Records | Stating::Declares)
    }

    /// Whether a record of `kind` by the caller waits for verification.
    pub fn declares(&self, kind: &str) -> bool {
        self.get(kind) == Stating::Declares
    }

    /// The form's button.
    pub fn button(&self, kind: &str) -> &'static str {
        if self.declares(kind) {
            "提交申报"
        } else {
            "添加"
        }
    }

    /// A line under the form's title saying what happens to it.
    pub fn hint(&self, kind: &str) -> &'static str {
        if self.declares(kind) {
            "提交后为“待核实”,由所属街道或区民政局核实后生效。"
        } else {
            ""
        }
    }
}

/// A declaration as pages show it.
pub struct DeclarationView {
    pub id: i64,
    pub kind: String,
    pub org_name: String,
    pub org_href: String,
    pub person_name: String,
    pub person_href: String,
    pub fields: Vec<(&'static str, String)>,
    pub status: String,
    pub pending: bool,
    pub stated_by: String,
    pub stated_at: String,
    pub decided: String,
    pub reason: String,
    /// The caller may verify or return it now.
    pub can_decide: bool,
}

impl DeclarationView {
    pub fn of(r: &Registry, d: &DeclarationRow) -> DeclarationView {
        let pending = d.status == DeclarationStatus::Pending;
        let decided = match (&d.decided_by, d.decided_at) {
            (Some(by), Some(at)) => format!("{by} 于 {} {}", shanghai(at), d.status.label()),
            _ => String::new(),
        };
        DeclarationView {
            id: d.id,
            kind: d.kind.label().into(),
            org_name: d.org_name.clone(),
            org_href: format!("/orgs/{}", d.org_credit_code),
            person_name: d.person_name.clone().unwrap_or_default(),
            person_href: d
                .person_id
                .map_or_else(String::new, |p| format!("/people/{p}")),
            fields: labelled_fields(d),
            status: d.status.label().into(),
            pending,
            stated_by: d.stated_by.clone(),
            stated_at: shanghai(d.stated_at),
            decided,
            reason: d.reason.clone().unwrap_or_default(),
            can_decide: pending && r.verifies(d.kind) && d.stated_by != r.caller.name,
        }
    }
}

pub fn views(r: &Registry, rows: &[DeclarationRow]) -> Vec<DeclarationView> {
    rows.iter().map(|d| DeclarationView::of(r, d)).collect()
}

#[derive(Template)]
#[template(path = "facts/queue.html")]
struct QueuePage {
    title: String,
    tabs: Vec<(String, String, bool)>,
    items: Vec<DeclarationView>,
    verifier: bool,
    notice: String,
    form: FormState,
    /// Where the actions come back to.
    back: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct QueueParams {
    pub status: Option<String>,
    pub done: Option<String>,
}

async fn queue_page(
    s: &Scoped,
    status: Option<&str>,
    notice: String,
    form: FormState,
) -> Result<QueuePage, PageError> {
    let r = &s.registry;
    let chosen = crate::api::facts::status_filter(status);
    let rows = r
        .declarations(&DeclarationFilter {
            status: chosen,
            ..Default::default()
        })
        .await?;
    let tabs = DeclarationStatus::ALL
        .iter()
        .map(|st| {
            (
                st.label().to_string(),
                format!("/declarations?status={}", st.code()),
                chosen == Some(*st),
            )
        })
        .chain(std::iter::once((
            "全部".to_string(),
            "/declarations?status=ALL".to_string(),
            chosen.is_none(),
        )))
        .collect();
    let verifier = r.verifies_any();
    let back = format!(
        "/declarations?status={}",
        chosen.map_or("ALL", |c| c.code())
    );
    Ok(QueuePage {
        title: if verifier {
            "申报核实".into()
        } else {
            "本组织的申报".into()
        },
        tabs,
        items: views(r, &rows),
        verifier,
        notice,
        form,
        back,
    })
}

pub async fn queue(Ctx(s): Ctx, Query(p): Query<QueueParams>) -> Result<Response, PageError> {
    let notice = match p.done.as_deref() {
        Some("verified") => "已核实,记录已生效。",
        Some("returned") => "已退回,组织可修改后重新申报。",
        _ => "",
    };
    let page = queue_page(&s, p.status.as_deref(), notice.into(), FormState::default()).await?;
    Ok(render(StatusCode::OK, &page))
}

/// Where to go after an action: a page of this site named by the form, or
/// the queue.
fn back_to(f: &FormPairs, done: &str) -> String {
    let next = f.get("next");
    let base = if next.starts_with('/') && !next.starts_with("//") {
        next
    } else {
        "/declarations".to_string()
    };
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}done={done}")
}

/// A refused action, shown on the queue with its reason.
async fn refused_on_queue(s: &Scoped, e: gongyi_app::AppError) -> Result<Response, PageError> {
    let Some((status, form)) = refused(&e) else {
        return Err(e.into());
    };
    let page = queue_page(s, None, String::new(), form).await?;
    Ok(render(status, &page))
}

pub async fn verify(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    match s.registry.verify_declaration(id).await {
        Ok(_) => Ok(Redirect::to(&back_to(&f, "verified")).into_response()),
        Err(e) => refused_on_queue(&s, e).await,
    }
}

pub async fn return_(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    match s.registry.return_declaration(id, &f.get("reason")).await {
        Ok(()) => Ok(Redirect::to(&back_to(&f, "returned")).into_response()),
        Err(e) => refused_on_queue(&s, e).await,
    }
}
