//! Organisation pages: directory with facets, the organisation's page with
//! its timeline, create and edit forms, and the forms that add history.

use super::{opts, query_string, FormState, Opt};
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{errors_by_field, FormPairs};
use crate::views::*;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::orgs::{HistoryInput, OrgPage};
use gongyi_app::timeline::{timeline, TimelineEntry};
use gongyi_app::AppError;
use gongyi_domain::history::*;
use gongyi_domain::organization::{OrgInput, OrgKind, OrgStatus, Stage};
use gongyi_store::orgs::{Facets, OrgFilter, OrgSort};
use gongyi_store::reference::RefRow;
use serde::Deserialize;

/// Directory query parameters (shared with the API).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct DirectoryParams {
    /// Name fragment (one or more Chinese characters), pinyin or initials, or a credit code.
    pub q: Option<String>,
    /// Sub-district code.
    pub subdistrict: Option<String>,
    /// SOCIAL_GROUP · PRIVATE_NON_ENTERPRISE · FOUNDATION
    pub kind: Option<String>,
    pub status: Option<String>,
    /// 1A…5A, or NONE.
    pub rating: Option<String>,
    /// Service field code.
    pub field: Option<String>,
    pub year: Option<String>,
    /// name · registered_desc · registered_asc · credit_code
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

fn some(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
}

impl DirectoryParams {
    pub fn filter(&self) -> OrgFilter {
        OrgFilter {
            q: some(&self.q),
            subdistrict: some(&self.subdistrict),
            kind: some(&self.kind),
            status: some(&self.status),
            rating: some(&self.rating),
            service_field: some(&self.field),
            registration_year: some(&self.year).and_then(|y| y.parse().ok()),
            sort: OrgSort::parse(self.sort.as_deref().unwrap_or("")),
        }
    }

    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let g = |s: &Option<String>| s.clone().unwrap_or_default();
        vec![
            ("q", g(&self.q)),
            ("subdistrict", g(&self.subdistrict)),
            ("kind", g(&self.kind)),
            ("status", g(&self.status)),
            ("rating", g(&self.rating)),
            ("field", g(&self.field)),
            ("year", g(&self.year)),
            ("sort", g(&self.sort)),
        ]
    }

    /// The link that sets `key` to `value` (or clears it when already set) and goes to page 1.
    pub(crate) fn link(&self, base: &str, key: &str, value: &str) -> String {
        let mut p = self.pairs();
        for (k, v) in p.iter_mut() {
            if *k == key {
                *v = if v == value {
                    String::new()
                } else {
                    value.to_string()
                };
            }
        }
        format!("{base}?{}", query_string(&p))
    }

    pub(crate) fn page_link(&self, base: &str, page: i64) -> String {
        let mut p = self.pairs();
        p.push(("page", page.to_string()));
        format!("{base}?{}", query_string(&p))
    }
}

pub struct FacetLink {
    pub label: String,
    pub count: i64,
    pub href: String,
    pub active: bool,
}

pub struct FacetGroup {
    pub title: &'static str,
    pub links: Vec<FacetLink>,
}

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
    q: String,
    sort: String,
    total: i64,
    page: i64,
    pages: i64,
    items: Vec<OrgItem>,
    groups: Vec<FacetGroup>,
    prev: String,
    next: String,
    active_filters: Vec<FacetLink>,
    sorts: Vec<Opt>,
    hidden: Vec<(String, String)>,
}

fn facet_group(
    base: &str,
    title: &'static str,
    key: &str,
    counts: &[(String, i64)],
    p: &DirectoryParams,
    current: &Option<String>,
    label: &dyn Fn(&str) -> String,
) -> FacetGroup {
    let links = counts
        .iter()
        .map(|(v, n)| FacetLink {
            label: label(v),
            count: *n,
            href: p.link(base, key, v),
            active: current.as_deref() == Some(v.as_str()),
        })
        .collect();
    FacetGroup { title, links }
}

fn ref_label(rows: &[RefRow]) -> impl Fn(&str) -> String + '_ {
    move |c: &str| {
        rows.iter()
            .find(|r| r.code == c)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| c.to_string())
    }
}

/// The chosen filters, each a link that removes it.
pub(crate) fn active_links(groups: &[FacetGroup]) -> Vec<FacetLink> {
    groups
        .iter()
        .flat_map(|g| g.links.iter().filter(|l| l.active))
        .map(|l| FacetLink {
            label: l.label.clone(),
            count: l.count,
            href: l.href.clone(),
            active: true,
        })
        .collect()
}

pub(crate) fn facet_groups(
    base: &str,
    f: &Facets,
    p: &DirectoryParams,
    subs: &[RefRow],
    fields: &[RefRow],
) -> Vec<FacetGroup> {
    let mut years = f.registration_year.clone();
    years.sort_by(|a, b| b.0.cmp(&a.0));
    let rating_label = |c: &str| {
        if c == "NONE" {
            "未评估".to_string()
        } else {
            c.to_string()
        }
    };
    let mut ratings = f.rating.clone();
    ratings.sort();
    vec![
        facet_group(
            base,
            "街道",
            "subdistrict",
            &f.subdistrict,
            p,
            &p.subdistrict,
            &ref_label(subs),
        ),
        facet_group(
            base,
            "组织类型",
            "kind",
            &f.kind,
            p,
            &p.kind,
            &OrgKind::label_of,
        ),
        facet_group(
            base,
            "登记状态",
            "status",
            &f.status,
            p,
            &p.status,
            &OrgStatus::label_of,
        ),
        facet_group(
            base,
            "评估等级",
            "rating",
            &ratings,
            p,
            &p.rating,
            &rating_label,
        ),
        facet_group(
            base,
            "服务领域",
            "field",
            &f.service_field,
            p,
            &p.field,
            &ref_label(fields),
        ),
        facet_group(
            base,
            "登记年份",
            "year",
            &years,
            p,
            &p.year,
            &|y: &str| format!("{y} 年"),
        ),
    ]
}

pub async fn directory(
    Ctx(s): Ctx,
    Query(p): Query<DirectoryParams>,
) -> Result<Response, PageError> {
    let r = &s.registry;
    let (page, per_page) = gongyi_store::bound_page(p.page, p.per_page, 20);
    let f = p.filter();
    let (list, facets) = r.directory(&f, page, per_page).await?;
    let subs = r.db.subdistricts().await.map_err(AppError::from)?;
    let fields = r.db.service_fields().await.map_err(AppError::from)?;
    let groups = facet_groups("/orgs", &facets, &p, &subs, &fields);
    let active_filters = active_links(&groups);
    let pages = list.pages();
    let view = DirectoryPage {
        q: f.q.clone().unwrap_or_default(),
        sort: f.sort.code().into(),
        total: list.total,
        page,
        pages,
        items: list
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
            .collect(),
        prev: if page > 1 {
            p.page_link("/orgs", page - 1)
        } else {
            String::new()
        },
        next: if page < pages {
            p.page_link("/orgs", page + 1)
        } else {
            String::new()
        },
        active_filters,
        groups,
        sorts: vec![
            Opt {
                value: "name".into(),
                label: "按名称".into(),
            },
            Opt {
                value: "registered_desc".into(),
                label: "登记日期(新→旧)".into(),
            },
            Opt {
                value: "registered_asc".into(),
                label: "登记日期(旧→新)".into(),
            },
            Opt {
                value: "credit_code".into(),
                label: "按信用代码".into(),
            },
        ],
        hidden: p
            .pairs()
            .into_iter()
            .filter(|(k, v)| !v.is_empty() && *k != "q" && *k != "sort")
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    };
    Ok(render(StatusCode::OK, &view))
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
    staff: Vec<Row2>,
    forms: HistoryForms,
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

fn show_page(page: &OrgPage, forms: HistoryForms, notice: String) -> ShowPage {
    let h = &page.history;
    let r = |cells: Vec<String>| Row2 { cells };
    ShowPage {
        o: OrganizationView::from(&page.org),
        capital: yuan(page.org.registered_capital_fen),
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
                    yuan(x.total_revenue_fen),
                    yuan(x.government_purchase_fen),
                    yuan(x.donations_fen),
                    yuan(x.business_income_fen),
                    yuan(x.expenditure_fen),
                    yuan(x.net_assets_fen),
                    x.staff.to_string(),
                    format!("{} 人 / {} 小时", x.volunteers, x.volunteer_hours),
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
}

pub async fn show(
    Ctx(s): Ctx,
    Path(code): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    let page = s.registry.org_page(&code).await?;
    let notice = if n.saved.is_some() {
        "已保存。".to_string()
    } else {
        String::new()
    };
    let mut view = show_page(&page, HistoryForms::new("", FormState::default()), notice);
    view.support = super::policy::SupportView::load(&s.registry, &page.org.credit_code).await;
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
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{code}?saved=1#{kind}")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let (errors, notice) = errors_by_field(&e);
            let state = FormState {
                values: f.0.into_iter().collect(),
                errors,
                notice,
            };
            let page = s.registry.org_page(&code).await?;
            Ok(render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &show_page(&page, HistoryForms::new(&kind, state), String::new()),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "orgs/form.html")]
struct OrgForm {
    title: String,
    action: String,
    creating: bool,
    form: FormState,
    kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    stages: Vec<Opt>,
    subdistricts: Vec<Opt>,
    fields: Vec<(Opt, bool)>,
}

async fn org_form(
    s: &crate::auth::Scoped,
    title: String,
    action: String,
    creating: bool,
    form: FormState,
) -> Result<OrgForm, AppError> {
    let subs = s.registry.db.subdistricts().await?;
    let fields = s.registry.db.service_fields().await?;
    let chosen: Vec<String> = gongyi_domain::organization::split_list(form.v("service_fields"));
    Ok(OrgForm {
        title,
        action,
        creating,
        kinds: opts(OrgKind::ALL, OrgKind::code, OrgKind::label),
        statuses: opts(OrgStatus::ALL, OrgStatus::code, OrgStatus::label),
        stages: opts(Stage::ALL, Stage::code, Stage::label),
        subdistricts: subs
            .iter()
            .map(|r| Opt {
                value: r.code.clone(),
                label: r.name.clone(),
            })
            .collect(),
        fields: fields
            .iter()
            .map(|r| {
                (
                    Opt {
                        value: r.code.clone(),
                        label: r.name.clone(),
                    },
                    chosen.contains(&r.code),
                )
            })
            .collect(),
        form,
    })
}

/// Reads the organisation form; service fields come as repeated check boxes.
fn org_input(f: &FormPairs) -> OrgInput {
    OrgInput {
        credit_code: f.get("credit_code"),
        name: f.get("name"),
        kind: f.get("kind"),
        community: f.flag("community"),
        fresh_graduate: f.flag("fresh_graduate"),
        subdistrict: f.get("subdistrict"),
        registration_date: f.get("registration_date"),
        registered_capital: f.get("registered_capital"),
        service_fields: f.all("service_fields").join(";"),
        address: f.get("address"),
        legal_representative: f.get("legal_representative"),
        contact_phone: f.get("contact_phone"),
        status: f.get("status"),
        stage: f.get("stage"),
    }
}

fn input_values(i: &OrgInput, version: &str) -> FormState {
    let pairs = [
        ("credit_code", &i.credit_code),
        ("name", &i.name),
        ("kind", &i.kind),
        ("community", &i.community),
        ("fresh_graduate", &i.fresh_graduate),
        ("subdistrict", &i.subdistrict),
        ("registration_date", &i.registration_date),
        ("registered_capital", &i.registered_capital),
        ("service_fields", &i.service_fields),
        ("address", &i.address),
        ("legal_representative", &i.legal_representative),
        ("contact_phone", &i.contact_phone),
        ("status", &i.status),
        ("stage", &i.stage),
    ];
    let mut values: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    values.insert("version".into(), version.into());
    FormState {
        values,
        ..Default::default()
    }
}

pub async fn new_form(Ctx(s): Ctx) -> Result<Response, PageError> {
    let mut form = FormState::default();
    form.values.insert("status".into(), "NORMAL".into());
    let page = org_form(&s, "登记新组织".into(), "/orgs/new".into(), true, form).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let input = org_input(&f);
    match s.registry.create_org(&input).await {
        Ok(o) => Ok(Redirect::to(&format!("/orgs/{}?saved=1", o.credit_code)).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let mut form = input_values(&input, "");
            (form.errors, form.notice) = errors_by_field(&e);
            let page = org_form(&s, "登记新组织".into(), "/orgs/new".into(), true, form).await?;
            Ok(render(StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_form(Ctx(s): Ctx, Path(code): Path<String>) -> Result<Response, PageError> {
    let o = s.registry.org(&code).await?;
    let fields = s
        .registry
        .db
        .service_fields()
        .await
        .map_err(AppError::from)?;
    let names = split_names(&o.service_fields);
    let field_codes: Vec<String> = fields
        .iter()
        .filter(|f| names.contains(&f.name))
        .map(|f| f.code.clone())
        .collect();
    let input = OrgInput {
        credit_code: o.credit_code.clone(),
        name: o.name.clone(),
        kind: o.kind.code().into(),
        community: if o.community { "1" } else { "0" }.into(),
        fresh_graduate: if o.fresh_graduate { "1" } else { "0" }.into(),
        subdistrict: o.subdistrict_code.clone(),
        registration_date: o.registration_date.to_string(),
        registered_capital: yuan(o.registered_capital_fen),
        service_fields: field_codes.join(";"),
        address: o.address.clone().unwrap_or_default(),
        legal_representative: o.legal_representative.clone().unwrap_or_default(),
        contact_phone: o.contact_phone_masked.clone().unwrap_or_default(),
        status: o.status.code().into(),
        stage: o.stage.map(|s| s.code()).unwrap_or_default().into(),
    };
    let form = input_values(&input, &o.version.to_string());
    let page = org_form(
        &s,
        format!("修改:{}", o.name),
        format!("/orgs/{code}/edit"),
        false,
        form,
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn update(
    Ctx(s): Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let input = org_input(&f);
    let version_text = f.get("version");
    let version = version_text.parse::<i64>().unwrap_or(0);
    match s.registry.update_org(&code, version, &input).await {
        Ok(o) => Ok(Redirect::to(&format!("/orgs/{}?saved=1", o.credit_code)).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict)) => {
            let mut form = input_values(&input, &version_text);
            (form.errors, form.notice) = errors_by_field(&e);
            let status = if matches!(e, AppError::Conflict) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let page = org_form(
                &s,
                "修改组织信息".into(),
                format!("/orgs/{code}/edit"),
                false,
                form,
            )
            .await?;
            Ok(render(status, &page))
        }
        Err(e) => Err(e.into()),
    }
}
