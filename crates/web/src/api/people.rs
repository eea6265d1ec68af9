//! `/api/v1/people`: social-work talent, with personal data masked.

use super::{ApiJson, PageBody};
use crate::auth::Ctx;
use crate::error::ApiError;
use crate::pages::people::PeopleParams;
use crate::views::{EmploymentView, PersonView};
use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use gongyi_app::people::{PersonRecordInput, Registration};
use gongyi_app::AppError;
use gongyi_domain::people::PersonInput;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct PersonBody {
    pub name: String,
    pub resident_id: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub social_work_start_date: String,
    #[serde(default)]
    pub supervisor: bool,
}

/// People, paginated.
#[utoipa::path(get, path = "/api/v1/people", params(PeopleParams),
    responses((status = 200, body = PageBody<PersonView>)), tag = "people")]
pub async fn list(
    Ctx(s): Ctx,
    Query(p): Query<PeopleParams>,
) -> Result<Json<PageBody<PersonView>>, ApiError> {
    let (page, per_page) = super::paging(p.page, p.per_page, 20)?;
    let list = s.registry.people(&p.filter(), page, per_page).await?;
    Ok(Json(PageBody {
        items: list.items.iter().map(PersonView::from).collect(),
        total: list.total,
        page: list.page,
        per_page: list.per_page,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDetailBody {
    pub person: PersonView,
    /// The year of birth (the registry keeps no birth date).
    pub birth_year: i64,
    /// Whether the caller may change the person: employed today inside its
    /// scope (a former employer reads the record but adds nothing).
    pub may_change: bool,
    pub qualifications: Vec<serde_json::Value>,
    pub employments: Vec<EmploymentView>,
    pub reviews: Vec<serde_json::Value>,
}

/// One person with qualifications, employments and reviews.
#[utoipa::path(get, path = "/api/v1/people/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = PersonDetailBody)), tag = "people")]
pub async fn get(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Json<PersonDetailBody>, ApiError> {
    use serde_json::json;
    let p = s.registry.person_page(id).await?;
    Ok(Json(PersonDetailBody {
        person: PersonView::from(&p.person),
        birth_year: p.person.birth_year,
        may_change: p.may_change,
        qualifications: p
            .qualifications
            .iter()
            .map(|q| json!({"level": q.level.code(), "certificate_no": q.certificate_no, "date": q.date}))
            .collect(),
        employments: p.employments.iter().map(EmploymentView::from).collect(),
        reviews: p
            .reviews
            .iter()
            .map(|r| json!({"year": r.year, "training_hours": r.training_hours, "performance": r.performance.map(|p| p.code())}))
            .collect(),
    }))
}

/// Registers a person. The whole district's callers get the new person
/// (201); a caller with a scope gets 202 `{"status": "submitted"}` whether a
/// person was written or the number was already registered outside its
/// scope (then flagged for the bureau), so the answer tells nothing about
/// people it cannot see.
#[utoipa::path(post, path = "/api/v1/people", request_body = PersonBody,
    responses((status = 201, body = PersonView), (status = 202, description = "submitted (callers with a scope)")), tag = "people")]
pub async fn create(Ctx(s): Ctx, ApiJson(b): ApiJson<PersonBody>) -> Result<Response, ApiError> {
    let input = PersonInput {
        name: b.name,
        resident_id: b.resident_id,
        phone: b.phone,
        social_work_start_date: b.social_work_start_date,
        supervisor: if b.supervisor { "1" } else { "0" }.into(),
    };
    Ok(match s.registry.register_person(&input).await? {
        Registration::Registered(p) => {
            (StatusCode::CREATED, Json(PersonView::from(&p))).into_response()
        }
        Registration::Submitted => (
            StatusCode::ACCEPTED,
            Json(serde_json::json!({"status": "submitted", "message": "登记已提交"})),
        )
            .into_response(),
    })
}

/// A qualification, employment or review; fields by kind.
#[derive(Debug, Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct PersonRecordBody {
    pub level: String,
    pub certificate_no: String,
    pub date: String,
    pub org_credit_code: String,
    pub start_date: String,
    pub end_date: String,
    pub labour_contract: bool,
    pub full_time: bool,
    pub position: String,
    pub year: String,
    pub training_hours: String,
    pub performance: String,
    /// Supervisor reviews: e.g. `97.5`.
    pub score: String,
    /// Supervisor reviews: supervision hours.
    pub hours: String,
    /// Senior-award decisions.
    pub decision_date: String,
    pub innovative_contribution: bool,
    /// Senior-award decisions: the reviewer's words.
    pub reason: String,
}

/// Records or declares a fact of the person: `kind` is qualifications,
/// employments, reviews (training and performance rating),
/// supervisor-reviews or senior-award-decisions. An authority's record is
/// a fact (201); an organisation declares about its own staff (202,
/// waiting for verification); any other caller is refused (403).
#[utoipa::path(post, path = "/api/v1/people/{id}/{kind}", request_body = PersonRecordBody,
    params(("id" = i64, Path), ("kind" = String, Path, description = "qualifications · employments · reviews · supervisor-reviews · senior-award-decisions")),
    responses((status = 201, body = super::facts::StatedBody, description = "recorded as a fact"),
        (status = 202, body = super::facts::StatedBody, description = "declared, waiting for verification"),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    tag = "people")]
pub async fn add_record(
    Ctx(s): Ctx,
    Path((id, kind)): Path<(i64, String)>,
    ApiJson(b): ApiJson<PersonRecordBody>,
) -> Result<(StatusCode, Json<super::facts::StatedBody>), ApiError> {
    let Some(input) = PersonRecordInput::from_fields(&kind, super::fields_of(&b)) else {
        return Err(AppError::NotFound.into());
    };
    let stated = s.registry.add_person_record_to(id, &input).await?;
    Ok(super::facts::stated(stated))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RevealBody {
    /// `resident_id` or `phone`.
    #[schema(schema_with = reveal_fields)]
    pub field: String,
    /// Why the full value is needed (at least two characters); recorded.
    #[serde(default)]
    pub reason: String,
}

fn reveal_fields() -> utoipa::openapi::Object {
    super::one_of(["resident_id", "phone"])
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevealedBody {
    pub field: String,
    pub value: String,
}

/// The full resident ID or phone of one person, for a reason; audited, never cached.
#[utoipa::path(post, path = "/api/v1/people/{id}/reveal", request_body = RevealBody,
    params(("id" = i64, Path)),
    responses((status = 200, body = RevealedBody)),
    tag = "people")]
pub async fn reveal(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RevealBody>,
) -> Result<impl IntoResponse, ApiError> {
    let value = s.registry.reveal_person(id, &b.field, &b.reason).await?;
    Ok((
        [(header::CACHE_CONTROL, "no-store")],
        Json(RevealedBody {
            field: b.field.trim().to_string(),
            value,
        }),
    ))
}
