//! The JSON API under `/api/v1`, described by the OpenAPI document served at
//! `/api/v1/openapi.json`. Errors are `{code, message, fields}`.

pub mod account;
pub mod annual_report;
pub mod applications;
pub mod orgs;
pub mod people;
pub mod policy;

use crate::error::{ApiError, ErrorBody, FieldErrorBody};
use axum::extract::{FromRequest, Request};
use axum::Json;
use serde::de::DeserializeOwned;
use serde::Serialize;
use utoipa::OpenApi;

/// `Json<T>` whose rejection is our error shape.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError(
                e.status(),
                crate::error::ErrorBody {
                    code: "body.too_large".into(),
                    message: "请求体过大".into(),
                    fields: vec![],
                },
            )),
            Err(e) => Err(ApiError::bad_request(format!(
                "请求体不是有效的 JSON 或字段类型不符:{}",
                e.body_text()
            ))),
        }
    }
}

/// Reads a JSON body's fields by name as the text the domain parses
/// (booleans as `1`/`0`), so API bodies share the forms' input path.
pub fn fields_of<T: Serialize>(body: &T) -> impl Fn(&str) -> String {
    let v = serde_json::to_value(body).unwrap_or_default();
    move |k: &str| match &v[k] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => if *b { "1" } else { "0" }.to_string(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

/// A page of results.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PageBody<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gongyi API",
        version = "1",
        description = "杨浦区社会组织培育发展平台 · 公益数据库接口"
    ),
    paths(
        orgs::list,
        orgs::get,
        orgs::create,
        orgs::update,
        orgs::history,
        orgs::add_history,
        people::list,
        people::get,
        people::create,
        people::add_record,
        people::reveal,
        crate::public::api::list,
        crate::public::api::get,
        policy::eligibility,
    ),
    components(schemas(
        ErrorBody,
        FieldErrorBody,
        crate::public::api::PublicPage,
        crate::public::views::PublicOrg,
        crate::public::views::PublicProfileView,
        crate::public::views::PublicInspection,
        crate::public::views::PublicRatingView,
        crate::public::views::PublicHonour,
        crate::public::views::PublicFinance,
        crate::public::views::PublicCreditEntry,
        crate::public::views::PublicAnnualReport,
        crate::views::OrganizationView,
        crate::views::PersonView,
        crate::views::EmploymentView,
        orgs::OrganizationBody,
        orgs::DirectoryBody,
        orgs::FacetCount,
        orgs::HistoryBody,
        orgs::HistoryRecordBody,
        people::PersonBody,
        people::PersonRecordBody,
        people::PersonDetailBody,
        people::RevealBody,
        people::RevealedBody,
        policy::EligibilityBody,
        policy::DecisionBody,
        policy::ObstacleBody,
    ))
)]
pub struct ApiDoc;

/// Any path under `/api/v1` that names no resource.
pub async fn not_found() -> ApiError {
    ApiError::from(gongyi_app::AppError::NotFound)
}

pub async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.merge(applications::ApplicationsApi::openapi());
    doc.merge(annual_report::AnnualReportsApi::openapi());
    Json(doc)
}
