//! Bulk downloads of exactly what the current filter lists, in its order: CSV
//! (UTF-8 with BOM so Excel opens it), XLSX and JSON Lines.

use super::views::{PublicOrg, COLUMNS};
use crate::directory::DirectoryParams;
use crate::error::PageError;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use gongyi_app::AppError;

/// Rows fetched per query while building a download.
const BATCH: i64 = 2_000;
/// A download holds at most this many rows; narrow the filter for more.
pub const MAX_ROWS: i64 = 200_000;

pub async fn download(
    State(s): State<AppState>,
    Path(file): Path<String>,
    Query(p): Query<DirectoryParams>,
) -> Result<Response, PageError> {
    let format = file.strip_prefix("orgs.").unwrap_or("");
    if !matches!(format, "csv" | "xlsx" | "jsonl") {
        return Err(PageError(AppError::NotFound));
    }
    let f = p.relevance_filter();
    let mut orgs: Vec<PublicOrg> = Vec::new();
    let mut offset = 0;
    loop {
        let rows = s.registry.public_rows(&f, offset, BATCH).await?;
        orgs.extend(rows.iter().map(PublicOrg::from));
        offset += BATCH;
        if (rows.len() as i64) < BATCH || offset >= MAX_ROWS {
            break;
        }
    }
    let headers: Vec<&str> = COLUMNS.iter().map(|(_, label)| *label).collect();
    let (content_type, body): (&str, Vec<u8>) = match format {
        "csv" => {
            let mut out = Vec::new();
            gongyi_interchange::write_csv(
                &mut out,
                &headers,
                orgs.iter().map(PublicOrg::cells),
                &Default::default(),
            )
            .map_err(AppError::from)?;
            ("text/csv; charset=utf-8", out)
        }
        "xlsx" => {
            let rows: Vec<Vec<String>> = orgs.iter().map(PublicOrg::cells).collect();
            let out = gongyi_interchange::write_xlsx_to_vec(&headers, &rows, &Default::default())
                .map_err(AppError::from)?;
            (
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                out,
            )
        }
        _ => {
            let mut out = Vec::new();
            for o in &orgs {
                serde_json::to_writer(&mut out, o)
                    .map_err(|e| AppError::Export(std::io::Error::from(e).into()))?;
                out.push(b'\n');
            }
            ("application/x-ndjson; charset=utf-8", out)
        }
    };
    let disposition = format!("attachment; filename=\"yangpu-social-organizations.{format}\"");
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*".to_string()),
        ],
        body,
    )
        .into_response())
}
