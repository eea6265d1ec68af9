//! Errors become a response once: pages get a Chinese error page, the API gets
//! `{code, message, fields}` with a matching status — also for what the
//! framework refuses before a handler runs ([`api_shape`]).

use askama::Template;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use gongyi_app::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// One field's error in an API response.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// The error body of every API failure.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code: `invalid_input`, `not_found`, `conflict`, `refused` (the
    /// reason's own code is in `fields`), `unauthenticated`, `forbidden`, `csrf`,
    /// `rate_limited`, `busy`, `bad_request`, `internal`.
    pub code: String,
    /// A message in Chinese.
    pub message: String,
    pub fields: Vec<FieldErrorBody>,
}

fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Conflict | AppError::Refused { .. } => StatusCode::CONFLICT,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden | AppError::Denied { .. } => StatusCode::FORBIDDEN,
        // The failures that are not the caller's (`AppError::is_internal`).
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// An error of an API handler.
#[derive(Debug)]
pub struct ApiError(pub StatusCode, pub ErrorBody);

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError(
            StatusCode::BAD_REQUEST,
            ErrorBody {
                code: "bad_request".into(),
                message: message.into(),
                fields: vec![],
            },
        )
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        let status = status_of(&e);
        if status.is_server_error() {
            tracing::error!(error = %e, "request failed");
        }
        let fields = match &e {
            AppError::Invalid(i) => {
                i.0.iter()
                    .map(|f| FieldErrorBody {
                        field: f.field.clone(),
                        code: f.code.into(),
                        message: f.message.clone(),
                    })
                    .collect()
            }
            AppError::Refused {
                field,
                code,
                message,
            } => vec![FieldErrorBody {
                field: (*field).into(),
                code: (*code).into(),
                message: message.clone(),
            }],
            AppError::Denied { code, message } => vec![FieldErrorBody {
                field: "kind".into(),
                code: (*code).into(),
                message: message.clone(),
            }],
            _ => vec![],
        };
        let message = match &e {
            AppError::Invalid(i) => format!("输入有误:{}", i.first_message()),
            e if e.is_internal() => "服务器内部错误".into(),
            other => other.to_string(),
        };
        ApiError(
            status,
            ErrorBody {
                code: e.code().into(),
                message,
                fields,
            },
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(self.1)).into_response()
    }
}

/// How much of a refusal's own text is kept in the message.
const REJECTION_TEXT: usize = 2048;

/// In front of the whole router: an error under `/api/` that is not JSON was
/// written by the framework before any handler ran (a path or query value of
/// the wrong type, the body limit, a method the route lacks). It gets the
/// error body every other API failure has, keeping its status and headers
/// (`Allow`, `Retry-After`).
pub async fn api_shape(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    let json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || json || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let text = axum::body::to_bytes(body, REJECTION_TEXT)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let (code, what) = match status {
        StatusCode::NOT_FOUND => ("not_found", "记录不存在"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "此地址不支持该请求方法"),
        StatusCode::PAYLOAD_TOO_LARGE => ("body.too_large", "请求体过大"),
        s if s.is_server_error() => ("internal", "服务器内部错误"),
        _ => ("bad_request", "请求无法读取"),
    };
    let message = if text.is_empty() || status.is_server_error() {
        what.to_string()
    } else {
        format!("{what}:{text}")
    };
    let body = ErrorBody {
        code: code.into(),
        message,
        fields: vec![],
    };
    let Ok(bytes) = serde_json::to_vec(&body) else {
        return (status, what).into_response();
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    message: String,
}

/// An error of a page handler.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        if status.is_server_error() {
            tracing::error!(error = %self.0, "page failed");
        }
        let (title, message) = match &self.0 {
            AppError::NotFound => (
                "未找到".to_string(),
                "您要查看的记录不存在,可能已被删除或地址有误。".to_string(),
            ),
            e if e.is_internal() => (
                "服务器错误".into(),
                "服务器暂时无法完成请求,请稍后再试。".into(),
            ),
            other => ("无法完成".into(), other.to_string()),
        };
        render(status, &ErrorPage { title, message })
    }
}

/// Renders a template, or a plain 500 if the template itself fails.
pub fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "模板渲染失败").into_response()
        }
    }
}
