//! People pages: the social-work talent registry, a person's page, forms.

use super::{opts, query_string, FormState, Opt};
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{nonblank, refused_as_typed, FormPairs};
use crate::views::*;
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::facts::Stated;
use gongyi_app::people::PersonFilter;
use gongyi_app::people::{PersonPage, PersonRecordInput, Registration};
use gongyi_app::AppError;
use gongyi_domain::people::{PerformanceRating, PersonInput, QualificationLevel};
use gongyi_domain::policy::facts::Score;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleParams {
    /// Name fragment, pinyin or initials.
    pub q: Option<String>,
    /// ASSISTANT · INTERMEDIATE · SENIOR
    pub qualification: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl PeopleParams {
    pub fn filter(&self) -> PersonFilter {
        PersonFilter {
            q: nonblank(&self.q),
            qualification: nonblank(&self.qualification),
            org_id: None,
        }
    }
}

#[derive(Template)]
#[template(path = "people/list.html")]
struct ListPage {
    q: String,
    qualification: String,
    levels: Vec<Opt>,
    items: Vec<PersonView>,
    total: i64,
    page: i64,
    pages: i64,
    prev: String,
    next: String,
    notice: String,
}

/// What the list says after a registration by a caller with a scope.
const SUBMITTED: &str = "登记已提交。人员在本辖区的组织登记任职后即显示在名单中;如该公民身份号码已在别处登记,由区民政局核实处理。";

#[derive(Deserialize)]
pub struct Submitted {
    pub submitted: Option<String>,
}

pub async fn list(
    Ctx(s): Ctx,
    Query(p): Query<PeopleParams>,
    Query(n): Query<Submitted>,
) -> Result<Response, PageError> {
    let (page, per_page) = gongyi_app::bound_page(p.page, p.per_page, 20);
    let f = p.filter();
    let list = s.registry.people(&f, page, per_page).await?;
    let link = |n: i64| {
        format!(
            "/people?{}",
            query_string(&[
                ("q", p.q.clone().unwrap_or_default()),
                ("qualification", p.qualification.clone().unwrap_or_default()),
                ("page", n.to_string()),
            ])
        )
    };
    let pages = list.pages();
    let view = ListPage {
        q: f.q.clone().unwrap_or_default(),
        qualification: f.qualification.clone().unwrap_or_default(),
        levels: opts(
            QualificationLevel::ALL,
            QualificationLevel::code,
            QualificationLevel::label,
        ),
        items: list.items.iter().map(PersonView::from).collect(),
        total: list.total,
        page,
        pages,
        prev: if page > 1 {
            link(page - 1)
        } else {
            String::new()
        },
        next: if page < pages {
            link(page + 1)
        } else {
            String::new()
        },
        notice: if n.submitted.is_some() {
            SUBMITTED.into()
        } else {
            String::new()
        },
    };
    Ok(render(StatusCode::OK, &view))
}

pub struct Cells {
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "people/show.html")]
struct ShowPage {
    p: PersonView,
    /// Shown on the person's own page only, never the date.
    birth_year: i64,
    /// The number applications and imports name the person by (P00000012).
    person_no: String,
    /// Whether the edit button and the forms to add records are offered.
    may_change: bool,
    qualifications: Vec<Cells>,
    employments: Vec<EmploymentView>,
    reviews: Vec<Cells>,
    supervisor_reviews: Vec<Cells>,
    senior_awards: Vec<Cells>,
    levels: Vec<Opt>,
    ratings: Vec<Opt>,
    /// Which record forms the caller sees (only the kinds it may state).
    facts: super::facts::FactForms,
    /// Declarations about the person waiting for verification or returned.
    declarations: Vec<super::facts::DeclarationView>,
    back: String,
    kind: String,
    form: FormState,
    notice: String,
    salary: Vec<super::applications::SalaryMonth>,
    /// A full value just revealed (label, value), shown this once.
    revealed: Option<(String, String)>,
    /// Whether the caller may ask for a full value at all.
    can_reveal: bool,
}

impl ShowPage {
    fn form_of(&self, kind: &str) -> FormState {
        if self.kind == kind {
            self.form.clone()
        } else {
            FormState::default()
        }
    }
}

fn show_page(
    s: &crate::auth::Scoped,
    pp: &PersonPage,
    kind: &str,
    form: FormState,
    notice: String,
) -> ShowPage {
    ShowPage {
        p: PersonView::from(&pp.person),
        birth_year: pp.person.birth_year,
        person_no: gongyi_domain::applications::person_key(pp.person.id),
        may_change: pp.may_change,
        qualifications: pp
            .qualifications
            .iter()
            .map(|q| Cells {
                cells: vec![
                    q.level.label().into(),
                    q.certificate_no.clone(),
                    q.date.to_string(),
                ],
            })
            .collect(),
        employments: pp.employments.iter().map(EmploymentView::from).collect(),
        reviews: pp
            .reviews
            .iter()
            .map(|r| Cells {
                cells: vec![
                    r.year.to_string(),
                    r.training_hours.to_string(),
                    r.performance.map_or("—", PerformanceRating::label).into(),
                ],
            })
            .collect(),
        supervisor_reviews: pp
            .support
            .supervisor_reviews
            .iter()
            .map(|r| Cells {
                cells: vec![
                    r.year.to_string(),
                    u32::try_from(r.score_tenths)
                        .map_or_else(|_| r.score_tenths.to_string(), |t| Score(t).to_string()),
                    r.hours.to_string(),
                ],
            })
            .collect(),
        senior_awards: pp
            .support
            .senior_awards
            .iter()
            .map(|a| Cells {
                cells: vec![
                    a.decision_date.to_string(),
                    if a.innovative_contribution {
                        "是"
                    } else {
                        "否"
                    }
                    .into(),
                    a.reason.clone().unwrap_or_default(),
                ],
            })
            .collect(),
        facts: super::facts::FactForms::of(&s.registry),
        declarations: super::facts::views(&s.registry, &pp.declarations),
        back: format!("/people/{}#declarations", pp.person.id),
        levels: opts(
            QualificationLevel::ALL,
            QualificationLevel::code,
            QualificationLevel::label,
        ),
        ratings: opts(
            PerformanceRating::ALL,
            PerformanceRating::code,
            PerformanceRating::label,
        ),
        kind: kind.into(),
        form,
        notice,
        salary: Vec::new(),
        revealed: None,
        can_reveal: s
            .session
            .principal
            .may(gongyi_domain::access::Capability::RevealPersonal)
            .is_ok(),
    }
}

use super::orgs::Notice;

pub async fn show(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    Query(n): Query<Notice>,
) -> Result<Response, PageError> {
    let pp = s.registry.person_page(id).await?;
    let mut view = show_page(&s, &pp, "", FormState::default(), n.text());
    view.salary = super::applications::salary_months(&s, id).await?;
    Ok(render(StatusCode::OK, &view))
}

fn record_input(kind: &str, f: &FormPairs) -> Option<PersonRecordInput> {
    PersonRecordInput::from_fields(kind, |k| f.get(k))
}

pub async fn add_record(
    Ctx(s): Ctx,
    Path((id, kind)): Path<(i64, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let Some(input) = record_input(&kind, &f) else {
        return Err(PageError(AppError::NotFound));
    };
    match s.registry.add_person_record_to(id, &input).await {
        Ok(Stated::Fact(_)) => {
            Ok(Redirect::to(&format!("/people/{id}?saved=1#{kind}")).into_response())
        }
        Ok(Stated::Declaration(_)) => {
            Ok(Redirect::to(&format!("/people/{id}?declared=1#declarations")).into_response())
        }
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let pp = s.registry.person_page(id).await?;
            Ok(render(
                status,
                &show_page(&s, &pp, &kind, form, String::new()),
            ))
        }
    }
}

#[derive(Template)]
#[template(path = "people/form.html")]
struct PersonForm {
    title: String,
    action: String,
    creating: bool,
    form: FormState,
}

fn person_input(f: &FormPairs) -> PersonInput {
    PersonInput {
        name: f.get("name"),
        resident_id: f.get("resident_id"),
        phone: f.get("phone"),
        social_work_start_date: f.get("social_work_start_date"),
        supervisor: f.flag("supervisor"),
    }
}

pub async fn new_form() -> Response {
    render(
        StatusCode::OK,
        &PersonForm {
            title: "登记社工人才".into(),
            action: "/people/new".into(),
            creating: true,
            form: FormState::default(),
        },
    )
}

pub async fn create(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    match s.registry.register_person(&person_input(&f)).await {
        Ok(Registration::Registered(p)) => {
            Ok(Redirect::to(&format!("/people/{}?saved=1", p.id)).into_response())
        }
        // The same answer whether a person was written or a claim flagged.
        Ok(Registration::Submitted) => Ok(Redirect::to("/people?submitted=1").into_response()),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let page = PersonForm {
                title: "登记社工人才".into(),
                action: "/people/new".into(),
                creating: true,
                form,
            };
            Ok(render(status, &page))
        }
    }
}

/// The edit form never shows the full ID number; leaving it blank keeps it.
pub async fn edit_form(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let p = s.registry.person_to_change(id).await?;
    let mut form = FormState::default();
    let v = &mut form.values;
    v.insert("name".into(), p.name.clone());
    v.insert(
        "supervisor".into(),
        if p.supervisor { "1" } else { "0" }.into(),
    );
    v.insert(
        "social_work_start_date".into(),
        p.social_work_start_date
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    v.insert("version".into(), p.version.to_string());
    let page = PersonForm {
        title: format!("修改:{}", p.name),
        action: format!("/people/{id}/edit"),
        creating: false,
        form,
    };
    Ok(render(StatusCode::OK, &page))
}

pub async fn update(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let current = s.registry.person_to_change(id).await?;
    // Blank keeps the stored value: the masked form sent on is kept by the use case.
    let mut input = person_input(&f);
    if input.resident_id.trim().is_empty() {
        input.resident_id = current.resident_id_masked.clone();
    }
    if input.phone.trim().is_empty() {
        input.phone = current.phone_masked.clone().unwrap_or_default();
    }
    let saved = match f.version() {
        Ok(version) => s.registry.update_person(id, version, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(p) => Ok(Redirect::to(&format!("/people/{}?saved=1", p.id)).into_response()),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let page = PersonForm {
                title: "修改人员信息".into(),
                action: format!("/people/{id}/edit"),
                creating: false,
                form,
            };
            Ok(render(status, &page))
        }
    }
}

/// `POST /people/{id}/reveal` (form `field`, `reason`): the person's page with
/// the full resident ID or phone shown once; never cached.
pub async fn reveal(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let field = f.get("field");
    let result = s.registry.reveal_person(id, &field, &f.get("reason")).await;
    let pp = s.registry.person_page(id).await?;
    let (status, view) = match result {
        Ok(value) => {
            let label = if field.trim() == "phone" {
                "联系电话"
            } else {
                "公民身份号码"
            };
            let mut view = show_page(&s, &pp, "", FormState::default(), String::new());
            view.revealed = Some((label.to_string(), value));
            (StatusCode::OK, view)
        }
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            (status, show_page(&s, &pp, "reveal", form, String::new()))
        }
    };
    let mut view = view;
    view.salary = super::applications::salary_months(&s, id).await?;
    let mut resp = render(status, &view);
    resp.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(resp)
}

/// The bureau marks a claim on a registered person dealt with.
pub async fn resolve_claim(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    s.registry.resolve_person_claim(id).await?;
    Ok(Redirect::to("/").into_response())
}
