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

/// What a request answered: status, headers and body (as bytes and text).
#[derive(Debug)]
pub struct Reply {
    pub status: axum::http::StatusCode,
    pub headers: axum::http::HeaderMap,
    pub bytes: Vec<u8>,
    pub body: String,
}

impl Reply {
    /// The status and the body, cut short, for failure messages.
    pub fn seen(&self) -> String {
        let mut s: String = self.body.chars().take(4000).collect();
        if s.len() < self.body.len() {
            s.push_str("\n…(cut)");
        }
        format!("status {}\n{s}", self.status)
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.seen()))
    }

    pub fn location(&self) -> String {
        self.header(axum::http::header::LOCATION.as_str())
            .unwrap_or_else(|| panic!("no Location: {}", self.seen()))
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(String::from)
    }
}

/// Sends `req` through `app`; `on` names the backend in a failure.
pub async fn send(app: &axum::Router, on: &str, req: Request<Body>) -> Reply {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let what = format!("{} {}", req.method(), req.uri());
    let res = app
        .clone()
        .oneshot(req)
        .await
        .unwrap_or_else(|e| panic!("{on}: {what} failed: {e}"));
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

pub fn get_req(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

pub fn json_req(method: axum::http::Method, uri: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

pub fn form_req(uri: &str, pairs: &[(&str, &str)]) -> Request<Body> {
    Request::post(uri)
        .header(
            axum::http::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(Body::from(serde_urlencoded::to_string(pairs).unwrap()))
        .unwrap()
}

/// The backend's name for failure messages.
pub fn backend_name(db: &gongyi_testkit::Db) -> &'static str {
    match db.backend() {
        gongyi_testkit::Backend::Sqlite => "SQLite",
        gongyi_testkit::Backend::Postgres => "PostgreSQL",
    }
}
