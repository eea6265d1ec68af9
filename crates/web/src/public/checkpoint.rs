//! 审计链公示: the latest audit checkpoint, published so that anyone can
//! write it down; a chain later cut short of it no longer matches what was
//! shown here (see `gongyi_app::security::checkpoint`).

use crate::error::{render, PageError};
use crate::AppState;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "public/audit_checkpoint.html")]
struct CheckpointPage {
    /// (sequence number, MAC, time in Shanghai, the line as in the file).
    latest: Option<(i64, String, String, String)>,
}

pub async fn show(State(s): State<AppState>) -> Result<Response, PageError> {
    let cp = s
        .registry
        .latest_checkpoint()
        .map_err(gongyi_app::AppError::from)?;
    let latest = cp.map(|c| {
        let at = (c.at + chrono::Duration::hours(8))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        (c.seq, c.mac.clone(), at, c.line())
    });
    Ok(render(StatusCode::OK, &CheckpointPage { latest }))
}
