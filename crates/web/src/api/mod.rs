//! The JSON API under `/api/v1`, described by the OpenAPI document served at
//! `/api/v1/openapi.json`. Errors are `{code, message, fields}`. Handlers
//! annotate their own successes; the error responses, security and paging
//! bounds every operation shares are added by `shared::share` from the route
//! table.

pub mod account;
pub mod annual_report;
pub mod applications;
pub mod calls;
pub mod catalogue;
pub mod facts;
pub mod orgs;
pub mod people;
pub mod policy;
pub mod shared;
pub mod targets;

use crate::error::{ApiError, ErrorBody, FieldErrorBody};
use crate::routes::RouteSpec;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use gongyi_app::AppError;
use gongyi_domain::{FieldError, Invalid};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};
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

/// The page and page size an API listing was asked for. Pages of the site
/// clamp them (`gongyi_app::bound_page`); the API refuses values outside the
/// bounds its document declares (`shared::share`), naming the field.
pub fn paging(
    page: Option<i64>,
    per_page: Option<i64>,
    default: i64,
) -> Result<(i64, i64), AppError> {
    let mut bad = Invalid::default();
    let mut check = |value: Option<i64>, field: &str, label: &str, max: i64, default: i64| {
        let v = value.unwrap_or(default);
        if !(1..=max).contains(&v) {
            bad.push(FieldError::new(
                field,
                "page.out_of_range",
                format!("{label}应为 1 至 {max} 之间的整数"),
            ));
        }
        v
    };
    let page = check(page, "page", "页码(page)", gongyi_app::MAX_PAGE, 1);
    let per_page = check(
        per_page,
        "per_page",
        "每页条数(per_page)",
        gongyi_app::MAX_PER_PAGE,
        default,
    );
    if bad.is_empty() {
        Ok((page, per_page))
    } else {
        Err(AppError::Invalid(bad))
    }
}

/// Whole-number fields of JSON bodies. JSON Schema, which the document
/// speaks, counts `5.0` as an integer; so does this, and it refuses a
/// fraction or a number outside `i64`.
pub mod whole {
    use super::*;

    fn of<E: serde::de::Error>(n: serde_json::Number) -> Result<i64, E> {
        if let Some(v) = n.as_i64() {
            return Ok(v);
        }
        // i64::MAX as f64 rounds up to 2^63, which is out of range.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        match n.as_f64() {
            Some(f) if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) => Ok(f as i64),
            _ => Err(E::custom(format!("{n} is not a whole number within i64"))),
        }
    }

    pub fn i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        of(serde_json::Number::deserialize(d)?)
    }

    pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        Option::<serde_json::Number>::deserialize(d)?
            .map(of)
            .transpose()
    }
}

/// The schema of a text field that takes one of `values`.
pub(crate) fn one_of<'a>(values: impl IntoIterator<Item = &'a str>) -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values))
        .build()
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
        account::login,
        account::logout,
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
        crate::public::ocds::package,
        crate::public::api::org_reports,
        crate::public::api::year_reports,
        policy::eligibility,
        targets::get,
        facts::list,
        facts::get,
        facts::verify,
        facts::return_,
    ),
    components(schemas(
        ErrorBody,
        FieldErrorBody,
        account::LoginBody,
        account::SessionBody,
        crate::public::api::PublicPage,
        crate::public::api::PublicReports,
        crate::public::api::PublicReportPage,
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
        orgs::OrganizationUpdateBody,
        orgs::DirectoryBody,
        orgs::FacetCount,
        targets::TargetsBody,
        targets::TargetBody,
        targets::TargetYearBody,
        targets::SubdistrictTargetsBody,
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
        facts::StatedBody,
        facts::DeclarationBody,
        facts::VerifiedBody,
        facts::ReturnBody,
    ))
)]
pub struct ApiDoc;

/// Any path under `/api/v1` that names no resource.
pub async fn not_found() -> ApiError {
    ApiError::from(gongyi_app::AppError::NotFound)
}

/// The OpenAPI document: the annotated operations, with what they share
/// added by the access each has in the route table.
pub fn document(routes: &[RouteSpec]) -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.merge(applications::ApplicationsApi::openapi());
    doc.merge(annual_report::AnnualReportsApi::openapi());
    doc.merge(catalogue::CatalogueApi::openapi());
    doc.merge(calls::CallsApi::openapi());
    shared::share(&mut doc, routes);
    doc
}

/// The document as served, built once when the router is.
#[derive(Clone)]
pub struct Document(Bytes);

impl Document {
    pub fn new(routes: &[RouteSpec]) -> Document {
        Document(
            serde_json::to_vec(&document(routes))
                .unwrap_or_default()
                .into(),
        )
    }
}

pub async fn openapi(Extension(doc): Extension<Document>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], doc.0).into_response()
}
