//! Sessions and the authorisation guard. Every route in `routes.rs` names its
//! [`Access`]; the guard in front of it finds the session of the cookie,
//! refuses what the role does not grant (deny by default), checks the CSRF
//! token of every state-changing request, and hands the handler a
//! [`Ctx`]: the registry acting for the caller, cut to the caller's scope.

pub mod csrf;
pub mod headers;
pub mod page;

use crate::error::{ApiError, ErrorBody, PageError};
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::security::accounts::Session;
use gongyi_app::security::Caller;
use gongyi_app::{AppError, Registry};
use gongyi_domain::access::{Capability, Role};
use std::net::SocketAddr;
use std::sync::Arc;

/// The session cookie. `__Host-` would need Secure, which plain-HTTP
/// development does not have.
pub const SESSION_COOKIE: &str = "gongyi_session";

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, without an account: the public pages and open data.
    Public,
    /// Anyone signed in: their own account, the start page, logging out.
    SignedIn,
    /// Signed in with a role that grants this capability.
    Cap(Capability),
}

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::SignedIn => true,
            Access::Cap(c) => gongyi_domain::access::grants(role, c),
        }
    }
}

/// What a guarded handler gets: the caller's registry and session.
#[derive(Clone)]
pub struct Scoped {
    pub registry: Registry,
    pub session: Arc<Session>,
}

/// Extractor of [`Scoped`]; only present behind the guard.
pub struct Ctx(pub Scoped);

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Scoped>()
            .cloned()
            .map(Ctx)
            .ok_or_else(|| PageError(AppError::Unauthenticated).into_response())
    }
}

/// The value of cookie `name` in the request's headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address as the socket saw it (a proxy in front should be
/// configured to pass the real one; we do not trust forwarded headers).
pub fn client_addr(req_ext: &axum::http::Extensions) -> Option<String> {
    req_ext
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
}

fn request_path(req: &Request) -> String {
    req.extensions()
        .get::<OriginalUri>()
        .map(|u| u.0.clone())
        .unwrap_or_else(|| req.uri().clone())
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into())
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn api_error(status: StatusCode, code: &str, message: &str) -> Response {
    ApiError(
        status,
        ErrorBody {
            code: code.into(),
            message: message.into(),
            fields: vec![],
        },
    )
    .into_response()
}

/// Not signed in: pages go to the login form (and come back), the API gets 401.
fn unauthenticated(path: &str) -> Response {
    if is_api(path) {
        api_error(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录")
    } else {
        let query = serde_urlencoded::to_string([("next", path)]).unwrap_or_default();
        Redirect::to(&format!("/login?{query}")).into_response()
    }
}

fn forbidden(path: &str) -> Response {
    if is_api(path) {
        api_error(StatusCode::FORBIDDEN, "forbidden", "您的账号无权进行此操作")
    } else {
        PageError(AppError::Forbidden).into_response()
    }
}

fn request_id() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// The guard's state: the application and the route's access rule.
#[derive(Clone)]
pub struct GuardState {
    pub app: AppState,
    pub access: Access,
}

/// Paths a session may reach while it owes a password change or a second factor.
fn allowed_while_pending(path: &str) -> bool {
    let p = path.split('?').next().unwrap_or(path);
    matches!(
        p,
        "/account/password" | "/account/totp" | "/logout" | "/api/v1/logout"
    )
}

/// The guard in front of every route.
pub async fn guard(State(g): State<GuardState>, mut req: Request, next: Next) -> Response {
    if g.access == Access::Public {
        return next.run(req).await;
    }
    let path = request_path(&req);
    let token = cookie(req.headers(), SESSION_COOKIE).map(str::to_string);
    let session = match token {
        Some(t) => match g.app.registry.session(&t).await {
            Ok(s) => s,
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => None,
    };
    let Some(session) = session else {
        return unauthenticated(&path);
    };
    let role = session.principal.role;
    if !allowed_while_pending(&path) {
        if !session.verified {
            return pending(
                &path,
                "/account/totp",
                "second_factor_required",
                "请先完成动态口令验证",
            );
        }
        if session.must_change_password {
            return pending(
                &path,
                "/account/password",
                "password_change_required",
                "请先修改密码",
            );
        }
    }
    if !g.access.allows(role) {
        // The refusal page shows the caller's own menu.
        return page::finish(forbidden(&path), &session.csrf, role).await;
    }
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        match csrf::check(req, &session.csrf).await {
            Ok(r) => req = r,
            Err(()) => {
                return if is_api(&path) {
                    api_error(StatusCode::FORBIDDEN, "csrf", "缺少或错误的 CSRF 令牌")
                } else {
                    let refused = PageError(AppError::Refused {
                        field: "_csrf",
                        code: "csrf",
                        message: "页面已过期或来源不明,请返回刷新后重试".into(),
                    });
                    let res = (StatusCode::FORBIDDEN, refused).into_response();
                    page::finish(res, &session.csrf, role).await
                };
            }
        }
    }
    let rid = request_id();
    let caller = Caller::signed_in(
        &session.principal,
        client_addr(req.extensions()),
        Some(rid.clone()),
    );
    let csrf_token = session.csrf.clone();
    req.extensions_mut().insert(Scoped {
        registry: g.app.registry.acting(caller),
        session: Arc::new(session),
    });
    let mut res = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&rid) {
        res.headers_mut().insert("x-request-id", v);
    }
    // Pages of a session are personal: never kept by shared caches.
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    page::finish(res, &csrf_token, role).await
}

/// The session of the request's cookie, if any is open and fully signed in
/// (for pages outside the guard, such as "not found", to show its menu).
pub async fn current_session(app: &AppState, headers: &HeaderMap) -> Option<Session> {
    let token = cookie(headers, SESSION_COOKIE)?;
    let session = app.registry.session(token).await.ok().flatten()?;
    (session.verified && !session.must_change_password).then_some(session)
}

fn pending(path: &str, to: &str, code: &str, message: &str) -> Response {
    if is_api(path) {
        api_error(StatusCode::FORBIDDEN, code, message)
    } else {
        Redirect::to(to).into_response()
    }
}

/// Where a role lands after login when it has no start page of counts.
pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Bureau | Role::Subdistrict | Role::Organisation => "/",
        Role::Reviewer => "/applications",
        Role::Finance => "/finance/ledger",
        Role::SystemAdmin => "/admin/accounts",
        Role::SecurityAdmin => "/admin/security",
        Role::AuditAdmin => "/audit",
    }
}

/// The `Set-Cookie` value of a new session.
pub fn session_cookie(token: &str, secure: bool) -> String {
    format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(name: &str, secure: bool) -> String {
    format!(
        "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}
