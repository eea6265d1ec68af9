//! `/api/v1/declarations`: an organisation's declarations (申报) and their
//! verification by its sub-district or the bureau; and the one answer of
//! every write of a fact (`POST /organizations/{code}/{kind}`,
//! `POST /people/{id}/{kind}`): 201 for a fact written, 202 for a
//! declaration waiting for verification.

use super::ApiJson;
use crate::auth::Ctx;
use crate::error::ApiError;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::Json;
use gongyi_app::facts::{payload_fields, DeclarationFilter, DeclarationRow, Stated};
use gongyi_domain::facts::DeclarationStatus;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};

/// What a write of a fact became.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatedBody {
    /// `recorded` (a fact, 201) or `PENDING` (a declaration waiting for
    /// verification, 202).
    pub status: String,
    /// The fact's id, when recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The declaration's id, when declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declaration: Option<i64>,
    pub message: String,
}

/// 201 with the fact's id, or 202 with the declaration's.
pub fn stated(s: Stated) -> (StatusCode, Json<StatedBody>) {
    match s {
        Stated::Fact(id) => (
            StatusCode::CREATED,
            Json(StatedBody {
                status: "recorded".into(),
                id: Some(id),
                declaration: None,
                message: "已记录".into(),
            }),
        ),
        Stated::Declaration(id) => (
            StatusCode::ACCEPTED,
            Json(StatedBody {
                status: DeclarationStatus::Pending.code().into(),
                id: None,
                declaration: Some(id),
                message: "已申报,待所属街道或区民政局核实".into(),
            }),
        ),
    }
}

/// A declaration as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclarationBody {
    pub id: i64,
    /// The fact kind, as in the write routes (`leases`, `qualifications`, …).
    pub kind: String,
    pub kind_label: String,
    /// The organisation's credit code.
    pub organization: String,
    pub organization_name: String,
    pub person_id: Option<i64>,
    /// The fields as typed.
    pub fields: BTreeMap<String, String>,
    /// PENDING (待核实) · VERIFIED (已核实) · RETURNED (已退回)
    pub status: String,
    pub status_label: String,
    pub stated_by: String,
    pub stated_at: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// Why it was returned.
    pub reason: Option<String>,
    /// The fact written on verification, in the table of `kind`.
    pub fact_id: Option<i64>,
}

impl DeclarationBody {
    fn of(d: &DeclarationRow) -> Result<DeclarationBody, ApiError> {
        Ok(DeclarationBody {
            id: d.id,
            kind: d.kind.code().into(),
            kind_label: d.kind.label().into(),
            organization: d.org_credit_code.clone(),
            organization_name: d.org_name.clone(),
            person_id: d.person_id,
            fields: payload_fields(d)?,
            status: d.status.code().into(),
            status_label: d.status.label().into(),
            stated_by: d.stated_by.clone(),
            stated_at: d.stated_at.to_rfc3339(),
            decided_by: d.decided_by.clone(),
            decided_at: d.decided_at.map(|t| t.to_rfc3339()),
            reason: d.reason.clone(),
            fact_id: d.fact_id,
        })
    }
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeclarationParams {
    /// PENDING (default) · VERIFIED · RETURNED · ALL
    pub status: Option<String>,
}

/// The status asked for (pending unless named; `ALL` for every status).
pub fn status_filter(s: Option<&str>) -> Option<DeclarationStatus> {
    match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => Some(DeclarationStatus::Pending),
        Some(s) if s.eq_ignore_ascii_case("all") => None,
        Some(s) => DeclarationStatus::parse("status", s)
            .ok()
            .or(Some(DeclarationStatus::Pending)),
    }
}

/// Declarations of the organisations in the caller's area, newest first
/// (at most 200): an organisation sees its own, a sub-district those of its
/// area, the bureau all.
#[utoipa::path(get, path = "/api/v1/declarations", params(DeclarationParams),
    responses((status = 200, body = Vec<DeclarationBody>)), tag = "declarations")]
pub async fn list(
    Ctx(s): Ctx,
    Query(p): Query<DeclarationParams>,
) -> Result<Json<Vec<DeclarationBody>>, ApiError> {
    let rows = s
        .registry
        .declarations(&DeclarationFilter {
            status: status_filter(p.status.as_deref()),
            ..Default::default()
        })
        .await?;
    Ok(Json(
        rows.iter()
            .map(DeclarationBody::of)
            .collect::<Result<_, _>>()?,
    ))
}

/// One declaration (404 outside the caller's area).
#[utoipa::path(get, path = "/api/v1/declarations/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = DeclarationBody), (status = 404, body = crate::error::ErrorBody)),
    tag = "declarations")]
pub async fn get(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Json<DeclarationBody>, ApiError> {
    let d = s.registry.declaration(id).await?;
    Ok(Json(DeclarationBody::of(&d)?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifiedBody {
    /// The fact written, in the table of the declaration's kind.
    pub fact_id: i64,
}

/// Verifies a declaration: its fact is written (with who declared and who
/// verified it). 404 outside the verifier's area; 409 for one's own
/// declaration or one decided already; 403 for a role that does not verify.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/verify", params(("id" = i64, Path)),
    responses((status = 200, body = VerifiedBody), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    tag = "declarations")]
pub async fn verify(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Json<VerifiedBody>, ApiError> {
    let fact_id = s.registry.verify_declaration(id).await?;
    Ok(Json(VerifiedBody { fact_id }))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReturnBody {
    /// Why, for the organisation to mend it (required).
    #[serde(default)]
    pub reason: String,
}

/// Returns a declaration to its organisation with a reason.
#[utoipa::path(post, path = "/api/v1/declarations/{id}/return", params(("id" = i64, Path)),
    request_body = ReturnBody,
    responses((status = 204), (status = 403, body = crate::error::ErrorBody),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody)),
    tag = "declarations")]
pub async fn return_(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReturnBody>,
) -> Result<StatusCode, ApiError> {
    s.registry.return_declaration(id, &b.reason).await?;
    Ok(StatusCode::NO_CONTENT)
}
