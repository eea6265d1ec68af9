//! The start page: counts and the way into each part.

use crate::auth::Ctx;
use crate::error::{render, PageError};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    orgs: i64,
    people: i64,
}

/// Roles without the start page of counts go to their own first page.
pub async fn show(Ctx(s): Ctx) -> Result<Response, PageError> {
    let role = s.session.principal.role;
    if !gongyi_domain::access::grants(role, gongyi_domain::access::Capability::Dashboard) {
        return Ok(Redirect::to(crate::auth::home_of(role)).into_response());
    }
    let orgs = s.registry.count_orgs().await?;
    let people = s.registry.people_count().await?;
    Ok(render(StatusCode::OK, &Home { orgs, people }))
}
