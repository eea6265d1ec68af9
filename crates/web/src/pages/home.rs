//! The start page: counts and the way into each part.

use crate::auth::Ctx;
use crate::error::{render, PageError};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_domain::access::Role;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    orgs: i64,
    people: i64,
    /// Open claims on registered people (the bureau's; empty for others).
    claims: Vec<ClaimLine>,
}

/// A claim to register a person already registered, as the bureau sees it.
pub struct ClaimLine {
    pub id: i64,
    pub person_id: i64,
    pub person: String,
    pub resident_id: String,
    pub claimed_name: String,
    pub claimant: String,
    pub at: String,
}

/// Roles without the start page of counts go to their own first page.
pub async fn show(Ctx(s): Ctx) -> Result<Response, PageError> {
    let role = s.session.principal.role;
    if !gongyi_domain::access::grants(role, gongyi_domain::access::Capability::Dashboard) {
        return Ok(Redirect::to(crate::auth::home_of(role)).into_response());
    }
    let orgs = s.registry.count_orgs().await?;
    let people = s.registry.people_count().await?;
    let claims = s
        .registry
        .person_claims()
        .await?
        .into_iter()
        .map(|c| ClaimLine {
            id: c.id,
            person_id: c.person_id,
            person: c.person_name,
            resident_id: c.resident_id_masked,
            claimed_name: c.claimed_name,
            claimant: format!("{}({})", c.claimant_name, Role::label_of(&c.claimant_role)),
            at: (c.claimed_at + chrono::Duration::hours(8))
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &Home {
            orgs,
            people,
            claims,
        },
    ))
}
