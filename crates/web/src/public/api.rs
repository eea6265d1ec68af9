//! `/api/v1/public/…`: open data. Versioned with the API, paginated,
//! CORS-enabled, cacheable (`ETag`, `If-None-Match`, `Cache-Control`).

use super::views::{PublicAnnualReport, PublicOrg, PublicProfileView};
use super::{etag_of, CACHE_CONTROL};
use crate::directory::{labelled_facets, DirectoryParams};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// A page of public organisations.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicPage {
    pub items: Vec<PublicOrg>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub licence: &'static str,
    /// The facets asked for with `facets=`, by name: each value with its
    /// label and the number of organisations matching the other filters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<std::collections::BTreeMap<String, Vec<FacetCount>>>,
}

use crate::api::orgs::{facet_counts, FacetCount};

pub const LICENCE: &str = "CC BY 4.0:可自由使用、转载和再加工,须注明“来源:杨浦区民政局”。";

/// Serialises `body`, answering 304 when the client already holds it.
fn cached_json<T: Serialize>(headers: &HeaderMap, body: &T) -> Response {
    let bytes = match serde_json::to_vec(body) {
        Ok(b) => b,
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let etag = etag_of(&bytes);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut r = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        ([(header::CONTENT_TYPE, "application/json")], bytes).into_response()
    };
    if let Ok(v) = HeaderValue::from_str(&etag) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    r
}

/// The public directory: same filters as the pages.
#[utoipa::path(get, path = "/api/v1/public/organizations", params(DirectoryParams),
    responses((status = 200, body = PublicPage), (status = 304, description = "not modified")), tag = "public")]
pub async fn list(
    State(s): State<AppState>,
    Query(p): Query<DirectoryParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let (page, per_page) = p.checked_bounds()?;
    let names = p.facet_names()?;
    let filter = p.relevance_filter();
    let (list, facets) = if names.is_empty() {
        let list = s.registry.public_directory(&filter, page, per_page).await?;
        (list, None)
    } else {
        let (list, facets) = s
            .registry
            .public_directory_faceted(&filter, page, per_page)
            .await?;
        let subs = s.registry.subdistricts().await?;
        let fields = s.registry.service_fields().await?;
        let asked = labelled_facets(&facets, &subs, &fields)
            .into_iter()
            .filter(|f| names.contains(&f.name))
            .collect();
        (list, Some(facet_counts(asked, |f| f.name)))
    };
    let body = PublicPage {
        items: list.items.iter().map(PublicOrg::from).collect(),
        total: list.total,
        page,
        per_page,
        licence: LICENCE,
        facets,
    };
    Ok(cached_json(&headers, &body))
}

/// One organisation's public profile by credit code.
#[utoipa::path(get, path = "/api/v1/public/organizations/{code}", params(("code" = String, Path)),
    responses((status = 200, body = PublicProfileView), (status = 304, description = "not modified")), tag = "public")]
pub async fn get(
    State(s): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = code.strip_prefix("CN-USCI-").unwrap_or(&code).to_string();
    let profile = s.registry.public_profile(&code).await?;
    let mut view = PublicProfileView::from(&profile);
    view.annual_reports = s
        .registry
        .public_reports(profile.org.id)
        .await?
        .iter()
        .map(crate::public::views::PublicAnnualReport::from)
        .collect();
    Ok(cached_json(&headers, &view))
}

/// An organisation's 年报公示, newest year first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReports {
    pub items: Vec<PublicAnnualReport>,
    pub licence: &'static str,
}

/// A page of a year's 年报公示, by credit code.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReportPage {
    pub year: i32,
    pub items: Vec<PublicAnnualReport>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub licence: &'static str,
}

/// The year and page of the 年报公示 list.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportYearParams {
    /// The report year; the year before this one unless given.
    pub year: Option<i32>,
    /// From 1.
    pub page: Option<i64>,
    /// 1 to 200; 50 unless given.
    pub per_page: Option<i64>,
}

/// The public summaries of an organisation's concluded annual reports.
#[utoipa::path(get, path = "/api/v1/public/organizations/{code}/annual-reports",
    params(("code" = String, Path)),
    responses((status = 200, body = PublicReports), (status = 304, description = "not modified")), tag = "public")]
pub async fn org_reports(
    State(s): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let code = code.strip_prefix("CN-USCI-").unwrap_or(&code).to_string();
    let profile = s.registry.public_profile(&code).await?;
    let items = s
        .registry
        .public_reports(profile.org.id)
        .await?
        .iter()
        .map(PublicAnnualReport::from)
        .collect();
    Ok(cached_json(
        &headers,
        &PublicReports {
            items,
            licence: LICENCE,
        },
    ))
}

/// Every public summary of a year's concluded annual reports (年报公示).
#[utoipa::path(get, path = "/api/v1/public/annual-reports",
    params(ReportYearParams),
    responses((status = 200, body = PublicReportPage), (status = 304, description = "not modified")), tag = "public")]
pub async fn year_reports(
    State(s): State<AppState>,
    Query(p): Query<ReportYearParams>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    use chrono::Datelike;
    let (page, per_page) = crate::api::paging(p.page, p.per_page, 50)?;
    let year = p.year.unwrap_or(s.registry.clock.today().year() - 1);
    let list = s
        .registry
        .public_reports_of_year(year, page, per_page)
        .await?;
    Ok(cached_json(
        &headers,
        &PublicReportPage {
            year,
            items: list.items.iter().map(PublicAnnualReport::from).collect(),
            total: list.total,
            page,
            per_page,
            licence: LICENCE,
        },
    ))
}
