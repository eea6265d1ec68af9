//! Organisation pages: the directory with facets, the organisation's page
//! with its timeline, and the forms that add history; registering and
//! editing an organisation are in [`edit`].

mod edit;
pub use edit::{create, edit_form, new_form, update};

use super::{opts, FormState, Opt};
use crate::auth::Ctx;
use crate::directory::{Directory, DirectoryParams};
use crate::error::{render, PageError};
use crate::form::{refused_as_typed, FormPairs};
use crate::views::*;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::facts::Stated;
use gongyi_app::orgs::{HistoryInput, OrgPage};
use gongyi_app::timeline::{timeline, TimelineEntry};
use gongyi_app::AppError;
use gongyi_domain::history::*;
use gongyi_domain::policy::facts::CompetitionLevel;
use serde::Deserialize;

pub struct OrgItem {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub subdistrict: String,
    pub registered: String,
    pub status: String,
    pub rating: String,
    pub fields: String,
}

#[derive(Template)]
#[template(path = "orgs/list.html")]
struct DirectoryPage {
    d: Directory,
    items: Vec<OrgItem>,
}

/// The orders the staff directory offers.
const SORTS: &[(&str, &str)] = &[
    ("name", "按名称"),
    ("registered_desc", "登记日期(新→旧)"),
    ("registered_asc", "登记日期(旧→新)"),
    ("credit_code", "按信用代码"),
];

pub async fn directory(
    Ctx(s): Ctx,
    Query(p): Query<DirectoryParams>,
) -> Result<Response, PageError> {
    let r = &s.registry;
    let (page, per_page) = p.bounds();
    let f = p.filter();
    let (list, facets) = r.directory(&f, page, per_page).await?;
    let d = Directory::new(r, "/orgs", &p, &f, &list, &facets, SORTS).await?;
    let items = list
        .items
        .iter()
        .map(|o| OrgItem {
            code: o.credit_code.clone(),
            name: o.name.clone(),
            kind: o.kind.label().into(),
            subdistrict: o.subdistrict_name.clone(),
            registered: o.registration_date.to_string(),
            status: o.status.label().into(),
            rating: o
                .current_rating
                .map(|r| r.label())
                .unwrap_or_default()
                .into(),
            fields: o.service_fields.clone(),
        })
        .collect();
    Ok(render(StatusCode::OK, &DirectoryPage { d, items }))
}

pub struct Row2 {
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "orgs/show.html")]
struct ShowPage {
    o: OrganizationView,
    capital: String,
    timeline: Vec<TimelineEntry>,
    inspections: Vec<Row2>,
    ratings: Vec<Row2>,
    honours: Vec<Row2>,
    credit: Vec<Row2>,
    party: Vec<Row2>,
    finances: Vec<Row2>,
    leases: Vec<Row2>,
    startup: Vec<Row2>,
    venture: Vec<Row2>,
    wins: Vec<Row2>,
    staff: Vec<Row2>,
    forms: HistoryForms,
    /// Which record forms the caller sees (only the kinds it may state).
    facts: super::facts::FactForms,
    /// Declarations of the organisation waiting for verification or returned.
    declarations: Vec<super::facts::DeclarationView>,
    /// Where the verify and return actions come back to.
    back: String,
    notice: String,
    /// "可申请的扶持" (`pages::policy`); filled by `show` only.
    support: super::policy::SupportView,
    /// "扶持资金" (`pages::applications`); filled by `show` only.
    subsidies: super::applications::SubsidySection,
}

/// The add-record forms on the organisation page, with the last refused input.
#[derive(Default)]
pub struct HistoryForms {
    pub kind: String,
    pub state: FormState,
    pub inspection_results: Vec<Opt>,
    pub rating_levels: Vec<Opt>,
    pub honour_levels: Vec<Opt>,
    pub credit_lists: Vec<Opt>,
    pub party_forms: Vec<Opt>,
    pub competition_levels: Vec<Opt>,
}

impl HistoryForms {
    fn new(kind: &str, state: FormState) -> Self {
        HistoryForms {
            kind: kind.into(),
            state,
            inspection_results: opts(
                InspectionResult::ALL,
                InspectionResult::code,
                InspectionResult::label,
            ),
            rating_levels: opts(RatingLevel::ALL, RatingLevel::code, RatingLevel::label),
            honour_levels: opts(HonourLevel::ALL, HonourLevel::code, HonourLevel::label),
            credit_lists: opts(CreditList::ALL, CreditList::code, CreditList::label),
            party_forms: opts(PartyOrgForm::ALL, PartyOrgForm::code, PartyOrgForm::label),
            competition_levels: opts(
                CompetitionLevel::ALL,
                CompetitionLevel::code,
                CompetitionLevel::label,
            ),
        }
    }

    /// The state of the form `kind`: filled only for the form that was refused.
    pub fn of(&self, kind: &str) -> FormState {
        if self.kind == kind {
            self.state.clone()
        } else {
            FormState::default()
        }
    }
}

fn show_page(
    s: &crate::auth::Scoped,
    page: &OrgPage,
    forms: HistoryForms,
    notice: String,
) -> ShowPage {
    let h = &page.history;
    let f = &page.support;
    let r = |cells: Vec<String>| Row2 { cells };
    ShowPage {
        o: OrganizationView::from(&page.org),
        capital: grouped(page.org.registered_capital_fen),
        timeline: timeline(page),
        inspections: h
            .inspections
            .iter()
            .map(|i| {
                r(vec![
                    i.year.to_string(),
                    i.result.label().into(),
                    opt_date(i.date),
                ])
            })
            .collect(),
        ratings: h
            .ratings
            .iter()
            .map(|x| {
                r(vec![
                    x.level.label().into(),
                    x.date.to_string(),
                    rating_valid_until(x.date).to_string(),
                ])
            })
            .collect(),
        honours: h
            .honours
            .iter()
            .map(|x| {
                r(vec![
                    x.title.clone(),
                    x.level.label().into(),
                    x.date.to_string(),
                ])
            })
            .collect(),
        credit: h
            .credit_entries
            .iter()
            .map(|x| {
                r(vec![
                    x.list.label().into(),
                    x.reason.clone(),
                    x.listed_date.to_string(),
                    opt_date(x.removed_date),
                ])
            })
            .collect(),
        party: h
            .party_building
            .iter()
            .map(|x| {
                r(vec![
                    x.date.to_string(),
                    yes_no(x.has_party_org).into(),
                    x.form.map(PartyOrgForm::label).unwrap_or_default().into(),
                    x.members.to_string(),
                    yes_no(x.in_charter).into(),
                    format!(
                        "{}/{}/{}",
                        yes_no(x.checked_at_registration),
                        yes_no(x.checked_at_inspection),
                        yes_no(x.checked_at_rating)
                    ),
                ])
            })
            .collect(),
        finances: h
            .finances
            .iter()
            .map(|x| {
                r(vec![
                    x.year.to_string(),
                    grouped(x.total_revenue_fen),
                    grouped(x.government_purchase_fen),
                    grouped(x.donations_fen),
                    grouped(x.business_income_fen),
                    grouped(x.expenditure_fen),
                    grouped(x.net_assets_fen),
                    x.staff.to_string(),
                    format!("{} 人 / {} 小时", x.volunteers, x.volunteer_hours),
                ])
            })
            .collect(),
        leases: f
            .leases
            .iter()
            .map(|x| r(vec![x.month.clone(), grouped(x.rent_paid_fen)]))
            .collect(),
        startup: f
            .startup_applications
            .iter()
            .map(|x| r(vec![x.date.to_string(), grouped(x.requested_fen)]))
            .collect(),
        venture: f
            .venture_projects
            .iter()
            .map(|x| {
                r(vec![
                    x.project_id.clone(),
                    grouped(x.amount_fen),
                    x.selected_date.to_string(),
                ])
            })
            .collect(),
        wins: f
            .competition_wins
            .iter()
            .map(|x| {
                r(vec![
                    x.project_id.clone(),
                    x.level.label().into(),
                    x.prize_place
                        .map_or_else(|| "不分名次".into(), |p| format!("第 {p} 名")),
                    grouped(x.amount_fen),
                    yes_no(x.serves_district).into(),
                    x.date.to_string(),
                ])
            })
            .collect(),
        staff: page
            .employments
            .iter()
            .map(|e| {
                r(vec![
                    e.person_id.to_string(),
                    e.person_name.clone(),
                    e.position.clone().unwrap_or_default(),
                    e.start_date.to_string(),
                    opt_date(e.end_date),
                    yes_no(e.labour_contract).into(),
                    yes_no(e.full_time).into(),
                ])
            })
            .collect(),
        forms,
        facts: super::facts::FactForms::of(&s.registry),
        declarations: super::facts::views(&s.registry, &page.declarations),
        back: format!("/orgs/{}#declarations", page.org.credit_code),
        notice,
        support: super::policy::SupportView::default(),
        subsidies: Default::default(),
    }
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

#[derive(Deserialize)]
pub struct Notice {
    pub saved: Option<String>,
    pub declared: Option<String>,
    /// Back from verifying or returning a declaration.
    pub done: Option<String>,
}

impl Notice {
    /// The line above the page after a save, a declaration or a decision.
    pub fn text(&self) -> String {
        if self.declared.is_some() {
            "已提交申报,待所属街道或区民政局核实后生效。".into()
        } else if self.done.as_deref() == Some("verified") {
            "已核实,记录已生效。".into()
        } else if self.done.as_deref() == Some("returned") {
            "申报已退回。".into()
        } else if self.saved.is_some() {
            "已保存。".into()
        } else {
            String::new()
        }
    }
}

pub async fn show(
    Ctx(s): Ctx,
    Path(code): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    let page = s.registry.org_page(&code).await?;
    let mut view = show_page(
        &s,
        &page,
        HistoryForms::new("", FormState::default()),
        n.text(),
    );
    let may_apply = gongyi_domain::access::grants(
        s.session.principal.role,
        gongyi_domain::access::Capability::SubmitApplication,
    );
    view.support =
        super::policy::SupportView::load(&s.registry, &page.org.credit_code, may_apply).await;
    view.subsidies = super::applications::org_section(&s, &page.org.credit_code).await?;
    Ok(render(StatusCode::OK, &view))
}

/// Reads the add-record form of `kind`.
fn history_input(kind: &str, f: &FormPairs) -> Option<HistoryInput> {
    HistoryInput::from_fields(kind, |k| f.get(k))
}

pub async fn add_history(
    Ctx(s): Ctx,
    Path((code, kind)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let Some(input) = history_input(&kind, &f) else {
        return Err(PageError(AppError::NotFound));
    };
    match s.registry.add_history(&code, &input).await {
        Ok(Stated::Fact(_)) => {
            Ok(Redirect::to(&format!("/orgs/{code}?saved=1#{kind}")).into_response())
        }
        Ok(Stated::Declaration(_)) => {
            Ok(Redirect::to(&format!("/orgs/{code}?declared=1#declarations")).into_response())
        }
        Err(e) => {
            let Some((status, state)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let page = s.registry.org_page(&code).await?;
            Ok(render(
                status,
                &show_page(&s, &page, HistoryForms::new(&kind, state), String::new()),
            ))
        }
    }
}
