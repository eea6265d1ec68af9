//! `/api/v1/organizations`: the directory with facets, one organisation,
//! create, update (optimistic), and history records.

use super::{ApiJson, PageBody};
use crate::auth::Ctx;
use crate::directory::{labelled_facets, DirectoryParams};
use crate::error::ApiError;
use crate::views::OrganizationView;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use gongyi_app::orgs::HistoryInput;
use gongyi_app::AppError;
use gongyi_domain::history::*;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::{Fen, Invalid};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An organisation to create or update.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationBody {
    pub credit_code: String,
    pub name: String,
    /// SOCIAL_GROUP · PRIVATE_NON_ENTERPRISE · FOUNDATION (or the Chinese label)
    pub kind: String,
    #[serde(default)]
    pub community: bool,
    #[serde(default)]
    pub fresh_graduate: bool,
    /// Sub-district code or name.
    pub subdistrict: String,
    /// YYYY-MM-DD
    pub registration_date: String,
    /// In fen, a whole non-negative number.
    #[serde(deserialize_with = "super::whole::i64")]
    #[schema(minimum = 0)]
    pub registered_capital_fen: i64,
    #[serde(default)]
    pub service_fields: Vec<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub legal_representative: String,
    #[serde(default)]
    pub contact_phone: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub stage: String,
}

/// An organisation's record to replace, with the version that was read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OrganizationUpdateBody {
    #[serde(flatten)]
    pub organization: OrganizationBody,
    /// The version that was read; another is 409 `conflict`.
    #[serde(default, deserialize_with = "super::whole::opt_i64")]
    #[schema(required = true, value_type = i64)]
    pub version: Option<i64>,
}

impl OrganizationBody {
    fn input(&self) -> Result<OrgInput, AppError> {
        let b = |v: bool| if v { "1" } else { "0" }.to_string();
        Ok(OrgInput {
            credit_code: self.credit_code.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            community: b(self.community),
            fresh_graduate: b(self.fresh_graduate),
            subdistrict: self.subdistrict.clone(),
            registration_date: self.registration_date.clone(),
            registered_capital: Fen(self.registered_capital_fen).to_yuan_string(),
            service_fields: self.service_fields.join(";"),
            address: self.address.clone(),
            legal_representative: self.legal_representative.clone(),
            contact_phone: self.contact_phone.clone(),
            status: self.status.clone(),
            stage: self.stage.clone(),
        })
    }
}

/// Renames the capital field to the API's name in errors.
fn api_fields(e: AppError) -> AppError {
    match e {
        AppError::Invalid(i) => AppError::Invalid(Invalid(
            i.0.into_iter()
                .map(|f| {
                    if f.field == "registered_capital" {
                        f.for_field("registered_capital_fen")
                    } else {
                        f
                    }
                })
                .collect(),
        )),
        other => other,
    }
}

/// One value of a facet: its code, its name as pages show it, and how many
/// organisations match it and the other filters.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub label: String,
    pub count: i64,
}

/// `facets` as the API writes them, keyed by `key` of each facet.
pub fn facet_counts(
    facets: Vec<crate::directory::LabelledFacet>,
    key: impl Fn(&crate::directory::LabelledFacet) -> &'static str,
) -> std::collections::BTreeMap<String, Vec<FacetCount>> {
    facets
        .into_iter()
        .map(|f| {
            let k = key(&f).to_string();
            let values = f
                .values
                .into_iter()
                .map(|(value, label, count)| FacetCount {
                    value,
                    label,
                    count,
                })
                .collect();
            (k, values)
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectoryBody {
    pub items: Vec<OrganizationView>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Counts per value for subdistrict, kind, status, rating, field, year
    /// (the query parameters they set).
    pub facets: std::collections::BTreeMap<String, Vec<FacetCount>>,
}

/// The organisation directory.
#[utoipa::path(get, path = "/api/v1/organizations", params(DirectoryParams),
    responses((status = 200, body = DirectoryBody)), tag = "organizations")]
pub async fn list(
    Ctx(s): Ctx,
    Query(p): Query<DirectoryParams>,
) -> Result<Json<DirectoryBody>, ApiError> {
    let (page, per_page) = p.checked_bounds()?;
    let names = p.facet_names()?;
    let (list, f) = s.registry.directory(&p.filter(), page, per_page).await?;
    let subs = s.registry.subdistricts().await?;
    let fields = s.registry.service_fields().await?;
    // Keyed by the query parameter each facet sets.
    let asked = labelled_facets(&f, &subs, &fields)
        .into_iter()
        .filter(|f| names.is_empty() || names.contains(&f.name))
        .collect();
    let facets = facet_counts(asked, |f| f.key);
    Ok(Json(DirectoryBody {
        items: list.items.iter().map(OrganizationView::from).collect(),
        total: list.total,
        page: list.page,
        per_page: list.per_page,
        facets,
    }))
}

/// One organisation by credit code.
#[utoipa::path(get, path = "/api/v1/organizations/{code}", params(("code" = String, Path, description = "统一社会信用代码")),
    responses((status = 200, body = OrganizationView)), tag = "organizations")]
pub async fn get(
    Ctx(s): Ctx,
    Path(code): Path<String>,
) -> Result<Json<OrganizationView>, ApiError> {
    let o = s.registry.org(&code).await?;
    Ok(Json(OrganizationView::from(&o)))
}

/// Registers an organisation.
#[utoipa::path(post, path = "/api/v1/organizations", request_body = OrganizationBody,
    responses((status = 201, body = OrganizationView)), tag = "organizations")]
pub async fn create(
    Ctx(s): Ctx,
    ApiJson(b): ApiJson<OrganizationBody>,
) -> Result<(StatusCode, Json<OrganizationView>), ApiError> {
    let o = s
        .registry
        .create_org(&b.input()?)
        .await
        .map_err(api_fields)?;
    Ok((StatusCode::CREATED, Json(OrganizationView::from(&o))))
}

/// Replaces an organisation's record; `version` must be the one read (409 otherwise).
#[utoipa::path(put, path = "/api/v1/organizations/{code}", request_body = OrganizationUpdateBody,
    params(("code" = String, Path, description = "统一社会信用代码")),
    responses((status = 200, body = OrganizationView)), tag = "organizations")]
pub async fn update(
    Ctx(s): Ctx,
    Path(code): Path<String>,
    ApiJson(u): ApiJson<OrganizationUpdateBody>,
) -> Result<Json<OrganizationView>, ApiError> {
    let b = u.organization;
    let Some(version) = u.version else {
        return Err(AppError::Invalid(Invalid::one(
            "version",
            "version.required",
            "更新时必须提供读取到的 version",
        ))
        .into());
    };
    let o = s
        .registry
        .update_org(&code, version, &b.input()?)
        .await
        .map_err(api_fields)?;
    Ok(Json(OrganizationView::from(&o)))
}

/// A history record; which fields apply depends on the kind.
#[derive(Debug, Deserialize, Serialize, ToSchema, Default)]
#[serde(default)]
pub struct HistoryRecordBody {
    pub year: String,
    pub result: String,
    pub date: String,
    pub level: String,
    pub title: String,
    pub list: String,
    pub reason: String,
    pub listed_date: String,
    pub removed_date: String,
    pub has_party_org: bool,
    pub form: String,
    pub members: String,
    pub in_charter: bool,
    pub checked_at_registration: bool,
    pub checked_at_inspection: bool,
    pub checked_at_rating: bool,
    pub total_revenue: String,
    pub government_purchase: String,
    pub donations: String,
    pub business_income: String,
    pub expenditure: String,
    pub net_assets: String,
    pub staff: String,
    pub volunteers: String,
    pub volunteer_hours: String,
    /// Leases: `YYYY-MM`.
    pub month: String,
    /// Leases: rent paid for the month, in yuan.
    pub rent_paid: String,
    /// Start-up applications: the amount asked for, in yuan.
    pub requested: String,
    /// Venture projects and competition wins.
    pub project_id: String,
    /// Venture projects and competition wins: the project's amount, in yuan.
    pub amount: String,
    pub selected_date: String,
    /// Competition wins: 1 = 一等奖; blank for an unranked prize.
    pub prize_place: String,
    pub serves_district: bool,
}

fn history_input(kind: &str, b: HistoryRecordBody) -> Option<HistoryInput> {
    HistoryInput::from_fields(kind, super::fields_of(&b))
}

/// Records or declares a fact of the organisation: `kind` is inspections,
/// ratings, honours, credit-entries, party-building, finances, leases,
/// startup-applications, venture-projects or competition-wins. Who may
/// state which kind is the table `who_states`: an authority's record is a
/// fact (201), an organisation's a declaration waiting for verification
/// (202); any other caller is refused (403, with the reason).
#[utoipa::path(post, path = "/api/v1/organizations/{code}/{kind}", request_body = HistoryRecordBody,
    params(("code" = String, Path, description = "统一社会信用代码"),
        ("kind" = String, Path, description = "inspections · ratings · honours · credit-entries · party-building · finances · leases · startup-applications · venture-projects · competition-wins")),
    responses((status = 201, body = super::facts::StatedBody, description = "recorded as a fact"),
        (status = 202, body = super::facts::StatedBody, description = "declared, waiting for verification"),
        (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)),
    tag = "organizations")]
pub async fn add_history(
    Ctx(s): Ctx,
    Path((code, kind)): Path<(String, String)>,
    ApiJson(b): ApiJson<HistoryRecordBody>,
) -> Result<(StatusCode, Json<super::facts::StatedBody>), ApiError> {
    let Some(input) = history_input(&kind, b) else {
        return Err(AppError::NotFound.into());
    };
    let stated = s.registry.add_history(&code, &input).await?;
    Ok(super::facts::stated(stated))
}

/// An organisation's history, each kind in date order.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryBody {
    pub inspections: Vec<serde_json::Value>,
    pub ratings: Vec<serde_json::Value>,
    pub honours: Vec<serde_json::Value>,
    pub credit_entries: Vec<serde_json::Value>,
    pub party_building: Vec<serde_json::Value>,
    pub finances: Vec<serde_json::Value>,
}

#[utoipa::path(get, path = "/api/v1/organizations/{code}/history", params(("code" = String, Path)),
    responses((status = 200, body = HistoryBody)), tag = "organizations")]
pub async fn history(Ctx(s): Ctx, Path(code): Path<String>) -> Result<Json<HistoryBody>, ApiError> {
    use serde_json::json;
    let p = s.registry.org_page(&code).await?;
    let h = &p.history;
    Ok(Json(HistoryBody {
        inspections: h.inspections.iter().map(|i| json!({"year": i.year, "result": i.result.code(), "date": i.date})).collect(),
        ratings: h
            .ratings
            .iter()
            .map(|r| json!({"level": r.level.code(), "date": r.date, "valid_until": rating_valid_until(r.date)}))
            .collect(),
        honours: h.honours.iter().map(|x| json!({"title": x.title, "level": x.level.code(), "date": x.date})).collect(),
        credit_entries: h
            .credit_entries
            .iter()
            .map(|x| json!({"list": x.list.code(), "reason": x.reason, "listed_date": x.listed_date, "removed_date": x.removed_date}))
            .collect(),
        party_building: h
            .party_building
            .iter()
            .map(|x| {
                json!({"date": x.date, "has_party_org": x.has_party_org, "form": x.form.map(|f| f.code()), "members": x.members,
                "in_charter": x.in_charter, "checked_at_registration": x.checked_at_registration,
                "checked_at_inspection": x.checked_at_inspection, "checked_at_rating": x.checked_at_rating})
            })
            .collect(),
        finances: h
            .finances
            .iter()
            .map(|x| {
                json!({"year": x.year, "total_revenue_fen": x.total_revenue_fen,
                "government_purchase_fen": x.government_purchase_fen, "donations_fen": x.donations_fen,
                "business_income_fen": x.business_income_fen, "expenditure_fen": x.expenditure_fen,
                "net_assets_fen": x.net_assets_fen, "staff": x.staff, "volunteers": x.volunteers,
                "volunteer_hours": x.volunteer_hours})
            })
            .collect(),
    }))
}

#[allow(dead_code, reason = "keeps PageBody in the schema list generic-free")]
type _OrgPage = PageBody<OrganizationView>;
