//! The start page: counts and the way into each part.

use crate::error::{render, PageError};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "home.html")]
struct Home {
    orgs: i64,
    people: i64,
}

pub async fn show(State(s): State<AppState>) -> Result<Response, PageError> {
    let db = &s.registry.db;
    let orgs = db.count_orgs().await.map_err(gongyi_app::AppError::from)?;
    let people = db
        .count_people()
        .await
        .map_err(gongyi_app::AppError::from)?;
    Ok(render(StatusCode::OK, &Home { orgs, people }))
}
