//! `/api/v1/annual-reports`: open the year's report (organisation), save a
//! section, submit, review (sub-district; the bureau returns), conclude
//! (bureau), read one and list (scoped). Section fields are the forms'
//! names with text values (amounts in yuan as typed); reports read back
//! with amounts in fen. Refusals are 409 with the reason's code in `fields`.

use super::{ApiJson, PageBody};
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use gongyi_app::annual_report::{ReportFilter, ReportPage, ReportRow};
use gongyi_domain::annual_report::{ReportStatus, FIELDS};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, OpenApi, ToSchema};

/// A new report.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct NewReportBody {
    /// The report year, e.g. `2024` (filed from 1 January of the next year).
    #[serde(default)]
    pub year: serde_json::Value,
}

/// One section's fields, by the forms' names (`income_government`,
/// `staff`, …); amounts in yuan as typed, check boxes `1`/`0`.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SectionBody {
    #[serde(default)]
    pub fields: BTreeMap<String, serde_json::Value>,
    /// The version read; a newer one is 409 `conflict`.
    pub version: Option<i64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct SubmitBody {
    /// The declaration of truth; must be `true`.
    #[serde(default)]
    pub declaration: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReviewBody {
    /// `pass` or `return`.
    #[serde(default)]
    pub decision: String,
    /// Return only: reasons by section (`basic`, `finance`, `people`,
    /// `activities`, `party`, `major`); at least one.
    #[serde(default)]
    pub reasons: BTreeMap<String, String>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ConcludeBody {
    /// `QUALIFIED`, `BASICALLY_QUALIFIED` or `UNQUALIFIED`.
    #[serde(default)]
    pub result: String,
    /// Required unless `QUALIFIED`.
    #[serde(default)]
    pub reasons: String,
}

/// A report as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: i64,
    pub year: i64,
    pub org_credit_code: String,
    pub org_name: String,
    pub subdistrict_code: String,
    /// `DRAFT`, `SUBMITTED`, `RETURNED`, `REVIEWED`, `CONCLUDED`.
    pub status: String,
    /// 逾期报送: first submitted after the deadline.
    pub late: bool,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub reviewed_by: Option<String>,
    pub concluded_by: Option<String>,
    pub conclusion: Option<String>,
    pub conclusion_reasons: Option<String>,
    pub has_accounts_file: bool,
    /// Every field by name: text, whole numbers, booleans; amounts as
    /// `…_fen` whole fen.
    pub fields: BTreeMap<String, serde_json::Value>,
    pub version: i64,
}

impl From<&ReportRow> for ReportView {
    fn from(r: &ReportRow) -> Self {
        use gongyi_domain::annual_report::Value as V;
        let c = r.content();
        let mut fields = BTreeMap::new();
        for spec in FIELDS.iter() {
            let (key, v) = match c.get(spec.name) {
                None => (spec.name.to_string(), serde_json::Value::Null),
                Some(V::Money(f)) => (format!("{}_fen", spec.name), f.get().into()),
                Some(V::Count(n)) => (spec.name.to_string(), n.into()),
                Some(V::Text(t)) => (spec.name.to_string(), t.into()),
                Some(V::Flag(b)) => (spec.name.to_string(), b.into()),
                Some(V::PartyForm(p)) => (spec.name.to_string(), p.code().into()),
            };
            fields.insert(key, v);
        }
        ReportView {
            id: r.id,
            year: r.year,
            org_credit_code: r.credit_code.clone(),
            org_name: r.org_name.clone(),
            subdistrict_code: r.subdistrict_code.clone(),
            status: r.status.code().into(),
            late: r.late,
            submitted_by: r.submitted_by.clone(),
            submitted_at: r.submitted_at,
            reviewed_by: r.reviewed_by.clone(),
            concluded_by: r.concluded_by.clone(),
            conclusion: r.conclusion.map(|c| c.code().to_string()),
            conclusion_reasons: r.conclusion_reasons.clone(),
            has_accounts_file: r.has_file,
            fields,
            version: r.version,
        }
    }
}

/// A report with what was returned and the steps the caller may take.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDetail {
    pub report: ReportView,
    /// The latest return's reasons by section.
    pub returned: BTreeMap<String, String>,
    /// `submit`, `pass`, `return`, `conclude`.
    pub steps: Vec<String>,
    pub deadline: String,
}

impl From<&ReportPage> for ReportDetail {
    fn from(p: &ReportPage) -> Self {
        ReportDetail {
            report: ReportView::from(&p.report),
            returned: p
                .returned
                .iter()
                .map(|(s, r)| (s.code().to_string(), r.clone()))
                .collect(),
            steps: p.steps.iter().map(|s| s.code().to_string()).collect(),
            deadline: p.deadline.to_string(),
        }
    }
}

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => if *b { "1" } else { "0" }.into(),
        serde_json::Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

async fn detail(s: &crate::auth::Scoped, id: i64) -> Result<Json<ReportDetail>, ApiError> {
    Ok(Json(ReportDetail::from(&s.registry.report_page(id).await?)))
}

#[utoipa::path(post, path = "/api/v1/annual-reports", request_body = NewReportBody,
    responses((status = 201, body = ReportDetail), (status = 422, body = ErrorBody)),
    tag = "annual-reports")]
pub async fn create(
    Ctx(s): Ctx,
    ApiJson(b): ApiJson<NewReportBody>,
) -> Result<(StatusCode, Json<ReportDetail>), ApiError> {
    let r = s.registry.create_report(&text_of(&b.year)).await?;
    Ok((StatusCode::CREATED, detail(&s, r.id).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    pub year: Option<i32>,
    /// `DRAFT`, `SUBMITTED`, `RETURNED`, `REVIEWED`, `CONCLUDED`.
    pub status: Option<String>,
    /// Sub-district code.
    pub subdistrict: Option<String>,
    pub late: Option<bool>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[utoipa::path(get, path = "/api/v1/annual-reports", params(ReportQuery),
    responses((status = 200, body = PageBody<ReportView>)), tag = "annual-reports")]
pub async fn list(
    Ctx(s): Ctx,
    Query(q): Query<ReportQuery>,
) -> Result<Json<PageBody<ReportView>>, ApiError> {
    let f = ReportFilter {
        year: q.year,
        status: q
            .status
            .as_deref()
            .and_then(|c| ReportStatus::ALL.iter().copied().find(|s| s.code() == c)),
        subdistrict: q.subdistrict.filter(|s| !s.trim().is_empty()),
        late: q.late,
    };
    let (page, per_page) = super::paging(q.page, q.per_page, 30)?;
    let page = s.registry.reports(&f, Some(page), Some(per_page)).await?;
    Ok(Json(PageBody {
        items: page.items.iter().map(ReportView::from).collect(),
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

#[utoipa::path(get, path = "/api/v1/annual-reports/{report}", params(("report" = i64, Path)),
    responses((status = 200, body = ReportDetail), (status = 404, body = ErrorBody)),
    tag = "annual-reports")]
pub async fn get(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Json<ReportDetail>, ApiError> {
    detail(&s, id).await
}

#[utoipa::path(put, path = "/api/v1/annual-reports/{report}/sections/{section}",
    params(("report" = i64, Path), ("section" = String, Path, description = "basic · finance · people · activities · party · major")),
    request_body = SectionBody,
    responses((status = 200, body = ReportDetail), (status = 404, body = ErrorBody),
        (status = 409, description = "submitted (not editable) or a stale version", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    tag = "annual-reports")]
pub async fn save_section(
    Ctx(s): Ctx,
    Path((id, section)): Path<(i64, String)>,
    ApiJson(b): ApiJson<SectionBody>,
) -> Result<Json<ReportDetail>, ApiError> {
    let fields: BTreeMap<String, String> = b
        .fields
        .iter()
        .map(|(k, v)| (k.clone(), text_of(v)))
        .collect();
    s.registry
        .save_report_section(id, &section, &fields, b.version)
        .await?;
    detail(&s, id).await
}

#[utoipa::path(post, path = "/api/v1/annual-reports/{report}/submit", params(("report" = i64, Path)),
    request_body = SubmitBody,
    responses((status = 200, body = ReportDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, description = "every missing field, or sources not adding up", body = ErrorBody)),
    tag = "annual-reports")]
pub async fn submit(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<SubmitBody>,
) -> Result<Json<ReportDetail>, ApiError> {
    s.registry.submit_report(id, b.declaration).await?;
    detail(&s, id).await
}

#[utoipa::path(post, path = "/api/v1/annual-reports/{report}/review", params(("report" = i64, Path)),
    request_body = ReviewBody,
    responses((status = 200, body = ReportDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "annual-reports")]
pub async fn review(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> Result<Json<ReportDetail>, ApiError> {
    let mut fields: BTreeMap<String, String> = b
        .reasons
        .iter()
        .map(|(k, v)| (format!("reason_{k}"), v.clone()))
        .collect();
    fields.insert("note".into(), b.note.clone());
    s.registry.review_report(id, &b.decision, &fields).await?;
    detail(&s, id).await
}

#[utoipa::path(post, path = "/api/v1/annual-reports/{report}/conclude", params(("report" = i64, Path)),
    request_body = ConcludeBody,
    responses((status = 200, body = ReportDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "annual-reports")]
pub async fn conclude(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ConcludeBody>,
) -> Result<Json<ReportDetail>, ApiError> {
    s.registry
        .conclude_report(id, &b.result, &b.reasons)
        .await?;
    detail(&s, id).await
}

/// The inspection of a year an organisation never filed (未报送).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct UnfiledConclusionBody {
    #[serde(default)]
    pub credit_code: String,
    /// The report year, e.g. `"2024"`.
    #[serde(default)]
    pub year: String,
    /// `BASICALLY_QUALIFIED` or `UNQUALIFIED`; `QUALIFIED` is refused
    /// (409 `annual_report.unfiled_qualified`).
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub reasons: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnfiledConclusion {
    /// The inspection record written.
    pub inspection_id: i64,
}

/// The bureau concludes the inspection of an organisation that never filed
/// the year's report; never 合格.
#[utoipa::path(post, path = "/api/v1/annual-reports/unfiled-conclusions",
    request_body = UnfiledConclusionBody,
    responses((status = 201, body = UnfiledConclusion), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "annual-reports")]
pub async fn conclude_unfiled(
    Ctx(s): Ctx,
    ApiJson(b): ApiJson<UnfiledConclusionBody>,
) -> Result<(StatusCode, Json<UnfiledConclusion>), ApiError> {
    let inspection_id = s
        .registry
        .conclude_unfiled(&b.credit_code, &b.year, &b.result, &b.reasons)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(UnfiledConclusion { inspection_id }),
    ))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        create,
        list,
        get,
        save_section,
        submit,
        review,
        conclude,
        conclude_unfiled
    ),
    components(schemas(
        UnfiledConclusionBody,
        UnfiledConclusion,
        NewReportBody,
        SectionBody,
        SubmitBody,
        ReviewBody,
        ConcludeBody,
        ReportView,
        ReportDetail
    ))
)]
pub struct AnnualReportsApi;
