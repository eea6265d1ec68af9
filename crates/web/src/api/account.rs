//! Logging in and out through the API. A script logs in once, keeps the
//! session cookie, and sends the returned CSRF token as `X-CSRF-Token` with
//! every state-changing request.

use super::ApiJson;
use crate::auth::{self, Ctx, SESSION_COOKIE};
use crate::error::ApiError;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct LoginBody {
    pub name: String,
    pub password: String,
    /// The six-digit code of the second factor, where one is set up.
    #[serde(default)]
    pub code: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionBody {
    pub name: String,
    pub role: String,
    /// Send as `X-CSRF-Token` on POST and PUT.
    pub csrf_token: String,
    pub must_change_password: bool,
    pub needs_second_factor: bool,
}

/// Signs in: sets the session cookie and returns the CSRF token. An account
/// that must change its password or set up a second factor gets a session
/// that can do only that (the other operations answer 403 until then).
#[utoipa::path(post, path = "/api/v1/login", request_body = LoginBody,
    responses((status = 200, body = SessionBody, headers(("Set-Cookie" = String, description = "the session cookie"))),
        (status = 401, description = "`refused`: wrong name, password or code, a locked or disabled account (one answer for all)",
            body = crate::error::ErrorBody)),
    tag = "account")]
pub async fn login(
    State(s): State<AppState>,
    ext: axum::http::Extensions,
    ApiJson(b): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let registry = crate::pages::account::anonymous_at(&s, &ext);
    // A refused login is 401, not the 409 of other refusals.
    let opened = registry
        .login(&b.name, &b.password, &b.code)
        .await
        .map_err(|e| {
            let refused = matches!(e, gongyi_app::AppError::Refused { .. });
            let mut err = ApiError::from(e);
            if refused {
                err.0 = StatusCode::UNAUTHORIZED;
            }
            err
        })?;
    let session = registry
        .session(&opened.token)
        .await?
        .ok_or(gongyi_app::AppError::Unauthenticated)?;
    let body = SessionBody {
        name: session.principal.name.clone(),
        role: session.principal.role.code().into(),
        csrf_token: opened.csrf.clone(),
        must_change_password: session.must_change_password,
        needs_second_factor: opened.needs_second_factor,
    };
    let mut res = (StatusCode::OK, Json(body)).into_response();
    if let Ok(v) = auth::session_cookie(&opened.token, s.secure_cookies).parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}

/// Ends the session and clears its cookie.
#[utoipa::path(post, path = "/api/v1/logout", responses((status = 204, description = "signed out")), tag = "account")]
pub async fn logout(Ctx(s): Ctx, State(app): State<AppState>) -> Result<Response, ApiError> {
    s.registry.logout(&s.session).await?;
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Ok(v) = auth::clear_cookie(SESSION_COOKIE, app.secure_cookies).parse() {
        res.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(res)
}
