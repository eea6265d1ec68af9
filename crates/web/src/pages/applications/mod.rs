//! Application pages: the queue with its status tabs and filters, and the
//! subsidy sections of the organisation and person pages; one application
//! is in [`show`], a new one in [`new`]. The app layer decides who may act.

mod new;
mod show;
pub use new::{apply_href, create, new_form};
pub(crate) use show::download;
pub use show::{act, attachment, show};

use super::{query_string, FormState, Opt};
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::nonblank;
use askama::Template;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Utc};
use gongyi_app::applications::SubsidyHistory;
use gongyi_app::applications::{ApplicationFilter, ApplicationRow, PaymentRow};
use gongyi_app::AppError;
use gongyi_domain::applications::{Status, SubsidyRule};
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
    Fen(fen).grouped()
}

fn opt_money(fen: Option<i64>) -> String {
    fen.map_or_else(|| "—".into(), money)
}

/// Where a beneficiary's page is.
fn beneficiary_href(kind: BeneficiaryKind, id: &str) -> String {
    match kind {
        BeneficiaryKind::Person => gongyi_domain::applications::person_table_id(id)
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
