//! `/api/v1/catalogue`: the guidance catalogue (引导目录): list the items
//! with a year's quota, calls and awards; read one; the bureau adds and
//! edits items and sets quotas. Amounts in fen.

use super::ApiJson;
use crate::auth::Ctx;
use crate::error::{ApiError, ErrorBody};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use chrono::Datelike;
use gongyi_app::catalogue::{ItemPage, ItemRow, ItemYearRow};
use gongyi_domain::catalogue::{ItemInput, Quota};
use gongyi_domain::Fen;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// An item as typed.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ItemBody {
    /// The series (系列), e.g. `邻里守望`.
    #[serde(default)]
    pub series: String,
    #[serde(default)]
    pub name: String,
    /// A service-field code of the reference data.
    #[serde(default)]
    pub service_field: String,
    /// Sub-district codes served; empty for the whole district.
    #[serde(default)]
    pub subdistricts: Vec<String>,
    #[serde(default)]
    pub description: String,
    /// On edits: the version read; a newer one is 409 `conflict`.
    pub version: Option<i64>,
}

impl ItemBody {
    fn input(&self) -> Result<ItemInput, ApiError> {
        Ok(
            ItemInput::validate(super::fields_of(self), &self.subdistricts)
                .map_err(gongyi_app::AppError::from)?,
        )
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct QuotaBody {
    /// Projects that year (at least one).
    #[serde(default, deserialize_with = "super::whole::i64")]
    pub projects: i64,
    /// Money that year, in fen.
    #[serde(default, deserialize_with = "super::whole::i64")]
    pub amount_fen: i64,
}

/// An item as the API returns it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemView {
    pub id: i64,
    pub series: String,
    pub name: String,
    pub service_field: String,
    pub description: Option<String>,
    /// Codes of the sub-districts served; empty for the whole district.
    pub subdistricts: Vec<String>,
    pub version: i64,
}

fn item_view(i: &ItemRow, subdistricts: Vec<String>) -> ItemView {
    ItemView {
        id: i.id,
        series: i.series.clone(),
        name: i.name.clone(),
        service_field: i.service_field.clone(),
        description: i.description.clone(),
        subdistricts,
        version: i.version,
    }
}

/// An item's year: quota, called (published calls, not cancelled, and
/// their budgets) and awarded (awards and their prices).
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemYearView {
    pub item_id: i64,
    pub year: i64,
    pub series: String,
    pub name: String,
    pub quota_projects: Option<i64>,
    pub quota_amount_fen: Option<i64>,
    pub called: i64,
    pub called_fen: i64,
    pub awarded: i64,
    pub awarded_fen: i64,
}

impl From<&ItemYearRow> for ItemYearView {
    fn from(r: &ItemYearRow) -> Self {
        ItemYearView {
            item_id: r.item_id,
            year: r.year,
            series: r.series.clone(),
            name: r.name.clone(),
            quota_projects: r.quota_projects,
            quota_amount_fen: r.quota_amount_fen,
            called: r.called,
            called_fen: r.called_fen,
            awarded: r.awarded,
            awarded_fen: r.awarded_fen,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDetail {
    pub item: ItemView,
    /// Every year with a quota.
    pub years: Vec<ItemYearView>,
}

impl From<&ItemPage> for ItemDetail {
    fn from(p: &ItemPage) -> Self {
        ItemDetail {
            item: item_view(&p.item, p.places.iter().map(|x| x.code.clone()).collect()),
            years: p.years.iter().map(ItemYearView::from).collect(),
        }
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueQuery {
    /// The year of the quotas and counts; this year by default.
    pub year: Option<i32>,
}

#[utoipa::path(get, path = "/api/v1/catalogue", params(CatalogueQuery),
    responses((status = 200, body = Vec<ItemYearView>)), tag = "catalogue")]
pub async fn list(
    Ctx(s): Ctx,
    Query(q): Query<CatalogueQuery>,
) -> Result<Json<Vec<ItemYearView>>, ApiError> {
    let year = q.year.unwrap_or_else(|| s.registry.clock.today().year());
    let rows = s.registry.catalogue_year(year).await?;
    Ok(Json(rows.iter().map(ItemYearView::from).collect()))
}

#[utoipa::path(post, path = "/api/v1/catalogue", request_body = ItemBody,
    responses((status = 201, body = ItemDetail), (status = 422, body = ErrorBody)),
    tag = "catalogue")]
pub async fn create(
    Ctx(s): Ctx,
    ApiJson(b): ApiJson<ItemBody>,
) -> Result<(StatusCode, Json<ItemDetail>), ApiError> {
    let i = s.registry.create_catalogue_item(&b.input()?).await?;
    let p = s.registry.catalogue_item(i.id).await?;
    Ok((StatusCode::CREATED, Json(ItemDetail::from(&p))))
}

#[utoipa::path(get, path = "/api/v1/catalogue/{item}", params(("item" = i64, Path)),
    responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody)),
    tag = "catalogue")]
pub async fn get(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Json<ItemDetail>, ApiError> {
    Ok(Json(ItemDetail::from(
        &s.registry.catalogue_item(id).await?,
    )))
}

#[utoipa::path(put, path = "/api/v1/catalogue/{item}", params(("item" = i64, Path)),
    request_body = ItemBody,
    responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    tag = "catalogue")]
pub async fn update(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ItemBody>,
) -> Result<Json<ItemDetail>, ApiError> {
    let input = b.input()?;
    let version = match b.version {
        Some(v) => v,
        None => s.registry.catalogue_item(id).await?.item.version,
    };
    s.registry
        .update_catalogue_item(id, version, &input)
        .await?;
    Ok(Json(ItemDetail::from(
        &s.registry.catalogue_item(id).await?,
    )))
}

#[utoipa::path(put, path = "/api/v1/catalogue/{item}/quotas/{year}",
    params(("item" = i64, Path), ("year" = i32, Path)), request_body = QuotaBody,
    responses((status = 200, body = ItemDetail), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)),
    tag = "catalogue")]
pub async fn set_quota(
    Ctx(s): Ctx,
    Path((id, year)): Path<(i64, String)>,
    ApiJson(b): ApiJson<QuotaBody>,
) -> Result<Json<ItemDetail>, ApiError> {
    let amount = if b.amount_fen < 0 {
        "-1".to_string()
    } else {
        Fen(b.amount_fen).to_yuan_string()
    };
    let q = Quota::parse(&year, &b.projects.to_string(), &amount)
        .map_err(gongyi_app::AppError::from)?;
    s.registry.set_catalogue_quota(id, &q).await?;
    Ok(Json(ItemDetail::from(
        &s.registry.catalogue_item(id).await?,
    )))
}

#[derive(OpenApi)]
#[openapi(
    paths(list, create, get, update, set_quota),
    components(schemas(ItemBody, QuotaBody, ItemView, ItemYearView, ItemDetail))
)]
pub struct CatalogueApi;
