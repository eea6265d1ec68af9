//! `GET /api/v1/targets`: the plan's targets with the district's counts at
//! each year's end and per sub-district at the latest.

use crate::auth::Ctx;
use crate::error::ApiError;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetBody {
    pub label: String,
    /// The count must exceed this ("以上").
    pub more_than: i64,
    pub unit: String,
    /// Due by the end of this year.
    pub year: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetYearBody {
    pub year: i32,
    pub organisations: i64,
    pub social_workers: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubdistrictTargetsBody {
    /// Sub-district code.
    pub subdistrict: String,
    pub name: String,
    pub organisations: i64,
    pub social_workers: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetsBody {
    pub organisations: TargetBody,
    pub social_workers: TargetBody,
    pub years: Vec<TargetYearBody>,
    /// At the end of the latest year.
    pub subdistricts: Vec<SubdistrictTargetsBody>,
}

fn target(t: &gongyi_domain::targets::Target) -> TargetBody {
    TargetBody {
        label: t.label.into(),
        more_than: t.more_than,
        unit: t.unit.into(),
        year: t.year,
    }
}

#[utoipa::path(get, path = "/api/v1/targets",
    responses((status = 200, body = TargetsBody)), tag = "targets")]
pub async fn get(Ctx(s): Ctx) -> Result<Json<TargetsBody>, ApiError> {
    let p = s.registry.targets().await?;
    Ok(Json(TargetsBody {
        organisations: target(&p.organisations),
        social_workers: target(&p.social_workers),
        years: p
            .years
            .iter()
            .map(|y| TargetYearBody {
                year: y.year,
                organisations: y.organisations,
                social_workers: y.social_workers,
            })
            .collect(),
        subdistricts: p
            .subdistricts
            .iter()
            .map(|d| SubdistrictTargetsBody {
                subdistrict: d.code.clone(),
                name: d.name.clone(),
                organisations: d.organisations,
                social_workers: d.social_workers,
            })
            .collect(),
    }))
}
