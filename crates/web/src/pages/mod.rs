//! Server-rendered pages (Simplified Chinese), one module per resource.

pub mod account;
pub mod admin;
pub mod annual_report;
pub mod applications;
pub mod audit;
pub mod calls;
pub mod catalogue;
pub mod facts;
pub mod finance;
pub mod home;
pub mod orgs;
pub mod people;
pub mod policy;
pub mod targets;

use std::collections::HashMap;

/// Any page path that names nothing: with the caller's menu when signed in.
pub async fn not_found(
    axum::extract::State(s): axum::extract::State<crate::AppState>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let res = crate::error::PageError(gongyi_app::AppError::NotFound).into_response();
    match crate::auth::current_session(&s, &headers).await {
        Some(session) => {
            crate::auth::page::finish(res, &session.csrf, session.principal.role).await
        }
        None => res,
    }
}

/// What every form page carries: the values as typed and the errors by field.
#[derive(Debug, Default, Clone)]
pub struct FormState {
    pub values: HashMap<String, String>,
    pub errors: HashMap<String, String>,
    /// A message above the form (conflicts, summaries).
    pub notice: String,
}

impl FormState {
    pub fn v(&self, k: &str) -> &str {
        self.values.get(k).map(String::as_str).unwrap_or("")
    }
    pub fn e(&self, k: &str) -> &str {
        self.errors.get(k).map(String::as_str).unwrap_or("")
    }
    pub fn has(&self, k: &str) -> bool {
        self.errors.contains_key(k)
    }
    pub fn checked(&self, k: &str) -> bool {
        matches!(self.v(k), "1" | "是" | "true" | "on")
    }
}

/// A `<select>` option.
#[derive(Debug, Clone)]
pub struct Opt {
    pub value: String,
    pub label: String,
}

pub fn opts<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<Opt> {
    all.iter()
        .map(|v| Opt {
            value: code(*v).into(),
            label: label(*v).into(),
        })
        .collect()
}

/// `key=value&…` for links, percent-encoded.
pub fn query_string(pairs: &[(&str, String)]) -> String {
    serde_urlencoded::to_string(
        pairs
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default()
}
