//! Signing in for HTTP tests: an account of a role is created, logs in with
//! its one-time password and changes it, exactly as a person would.

#![allow(dead_code, reason = "each test file uses part of this")]
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use axum::body::Body;
use axum::http::Request;
use gongyi_app::security::accounts::AccountInput;
use gongyi_app::Registry;
use gongyi_domain::access::Role;

/// A signed-in session: its cookie header value and its CSRF token.
#[derive(Debug, Clone)]
pub struct Signed {
    pub name: String,
    pub cookie: String,
    pub csrf: String,
}

pub const TEST_PASSWORD: &str = "Gongyi#Test2026";

/// Creates account `name` with `role` (scoped to `subdistrict` or the
/// organisation with credit code `org` where the role needs one) and signs in.
pub async fn sign_in(
    registry: &Registry,
    name: &str,
    role: Role,
    subdistrict: &str,
    org: &str,
) -> Signed {
    let issued = registry
        .create_account(&AccountInput {
            name: name.into(),
            display_name: String::new(),
            role: role.code().into(),
            subdistrict: subdistrict.into(),
            org: org.into(),
        })
        .await
        .unwrap_or_else(|e| panic!("account {name} ({role:?}) not created: {e:?}"));
    let opened = registry
        .login(name, &issued.one_time_password, "")
        .await
        .unwrap_or_else(|e| panic!("{name} could not log in: {e:?}"));
    let session = registry.session(&opened.token).await.unwrap().unwrap();
    registry
        .change_password(&session, &issued.one_time_password, TEST_PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{name} could not change the password: {e:?}"));
    Signed {
        name: name.into(),
        cookie: format!("gongyi_session={}", opened.token),
        csrf: opened.csrf,
    }
}

/// Adds the session cookie and the CSRF header unless the request has its own.
pub fn with_session(mut req: Request<Body>, s: &Signed) -> Request<Body> {
    let h = req.headers_mut();
    if !h.contains_key("cookie") {
        h.insert("cookie", s.cookie.parse().unwrap());
    }
    if !h.contains_key("x-csrf-token") {
        h.insert("x-csrf-token", s.csrf.parse().unwrap());
    }
    req
}

/// The router with every request sent as `s` (requests carrying their own
/// cookie or token keep them).
pub fn as_signed(app: axum::Router, s: Signed) -> axum::Router {
    app.layer(axum::middleware::map_request(move |req: Request<Body>| {
        let s = s.clone();
        async move { with_session(req, &s) }
    }))
}

/// The whole site signed in as a bureau officer.
pub async fn bureau_app(registry: &Registry) -> axum::Router {
    let s = sign_in(registry, "test-bureau", Role::Bureau, "", "").await;
    as_signed(
        gongyi_web::router(gongyi_web::AppState::new(registry.clone())),
        s,
    )
}

/// Percent-encodes a form value.
pub fn url(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).unwrap()[2..].to_string()
}
