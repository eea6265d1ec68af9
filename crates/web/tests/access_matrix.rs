//! Every route × every role and the anonymous public: the expected answer is
//! written here, independently of the capability table, and compared with
//! what the real router does. A route added to `routes.rs` without a line in
//! `EXPECTED` fails this test, as does a line for a route that is gone.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::NaiveDate;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use std::collections::BTreeSet;
use tower::ServiceExt;

/// (method, path as in the route table, who may use it): `public` = anyone,
/// `signed-in` = any account, else the role codes that may.
const EXPECTED: &[(&str, &str, &str)] = &[
    ("GET", "/public", "public"),
    ("GET", "/public/orgs", "public"),
    ("GET", "/public/orgs/{code}", "public"),
    ("GET", "/public/data", "public"),
    ("GET", "/public/audit-checkpoint", "public"),
    ("GET", "/public/{file}", "public"),
    ("GET", "/static/app.css", "public"),
    ("GET", "/api/v1/public/organizations", "public"),
    ("GET", "/api/v1/public/organizations/{code}", "public"),
    ("GET", "/api/v1/openapi.json", "public"),
    ("GET", "/login", "public"),
    ("POST", "/login", "public"),
    ("POST", "/api/v1/login", "public"),
    ("POST", "/logout", "signed-in"),
    ("POST", "/api/v1/logout", "signed-in"),
    ("GET", "/account", "signed-in"),
    ("GET", "/account/password", "signed-in"),
    ("POST", "/account/password", "signed-in"),
    ("GET", "/account/totp", "signed-in"),
    ("POST", "/account/totp", "signed-in"),
    ("GET", "/", "signed-in"),
    ("GET", "/admin/accounts", "system-admin"),
    ("POST", "/admin/accounts", "system-admin"),
    ("POST", "/admin/accounts/{name}/{action}", "system-admin"),
    ("GET", "/admin/security", "security-admin"),
    ("POST", "/admin/security/{name}/{action}", "security-admin"),
    ("GET", "/audit", "audit-admin"),
    ("GET", "/audit.csv", "audit-admin"),
    ("GET", "/audit/verify", "audit-admin"),
    ("GET", "/orgs", "bureau subdistrict organisation"),
    ("GET", "/orgs/new", "bureau"),
    ("POST", "/orgs/new", "bureau"),
    ("GET", "/orgs/{code}", "bureau subdistrict organisation"),
    (
        "GET",
        "/orgs/{code}/edit",
        "bureau subdistrict organisation",
    ),
    (
        "POST",
        "/orgs/{code}/edit",
        "bureau subdistrict organisation",
    ),
    (
        "POST",
        "/orgs/{code}/history/{kind}",
        "bureau subdistrict organisation",
    ),
    ("GET", "/people", "bureau subdistrict organisation"),
    ("GET", "/people/new", "bureau subdistrict organisation"),
    ("POST", "/people/new", "bureau subdistrict organisation"),
    ("GET", "/people/{id}", "bureau subdistrict organisation"),
    (
        "GET",
        "/people/{id}/edit",
        "bureau subdistrict organisation",
    ),
    (
        "POST",
        "/people/{id}/edit",
        "bureau subdistrict organisation",
    ),
    (
        "POST",
        "/people/{id}/records/{kind}",
        "bureau subdistrict organisation",
    ),
    ("POST", "/people/{id}/reveal", "bureau"),
    ("POST", "/people/claims/{id}/resolve", "bureau"),
    (
        "GET",
        "/policy",
        "bureau subdistrict organisation reviewer finance",
    ),
    ("GET", "/policy/simulate", "bureau"),
    ("POST", "/policy/simulate", "bureau"),
    (
        "GET",
        "/applications",
        "bureau subdistrict organisation reviewer finance",
    ),
    ("GET", "/applications/new", "bureau organisation"),
    ("POST", "/applications/new", "bureau organisation"),
    (
        "GET",
        "/applications/{id}",
        "bureau subdistrict organisation reviewer finance",
    ),
    (
        "GET",
        "/applications/{id}/attachments/{file}",
        "bureau subdistrict organisation reviewer finance",
    ),
    (
        "POST",
        "/applications/{id}/{action}",
        "bureau subdistrict organisation finance",
    ),
    ("GET", "/finance/ledger", "bureau finance"),
    ("GET", "/finance/ledger.xlsx", "bureau finance"),
    ("GET", "/finance/budgets", "bureau finance"),
    ("POST", "/finance/budgets", "bureau finance"),
    (
        "GET",
        "/api/v1/organizations",
        "bureau subdistrict organisation",
    ),
    ("POST", "/api/v1/organizations", "bureau"),
    (
        "GET",
        "/api/v1/organizations/{code}",
        "bureau subdistrict organisation",
    ),
    (
        "PUT",
        "/api/v1/organizations/{code}",
        "bureau subdistrict organisation",
    ),
    (
        "GET",
        "/api/v1/organizations/{code}/history",
        "bureau subdistrict organisation",
    ),
    (
        "GET",
        "/api/v1/organizations/{code}/eligibility",
        "bureau subdistrict organisation reviewer finance",
    ),
    (
        "POST",
        "/api/v1/organizations/{code}/{kind}",
        "bureau subdistrict organisation",
    ),
    ("GET", "/api/v1/people", "bureau subdistrict organisation"),
    ("POST", "/api/v1/people", "bureau subdistrict organisation"),
    (
        "GET",
        "/api/v1/people/{id}",
        "bureau subdistrict organisation",
    ),
    (
        "POST",
        "/api/v1/people/{id}/{kind}",
        "bureau subdistrict organisation",
    ),
    ("POST", "/api/v1/people/{id}/reveal", "bureau"),
    (
        "GET",
        "/api/v1/applications",
        "bureau subdistrict organisation reviewer finance",
    ),
    ("POST", "/api/v1/applications", "bureau organisation"),
    (
        "GET",
        "/api/v1/applications/{id}",
        "bureau subdistrict organisation reviewer finance",
    ),
    (
        "POST",
        "/api/v1/applications/{id}/{action}",
        "bureau subdistrict organisation finance",
    ),
];

/// A concrete URL for a route pattern.
fn concrete(path: &str, code: &str) -> String {
    path.replace("{code}", code)
        .replace(
            "{file}",
            if path.starts_with("/public") {
                "orgs.csv"
            } else {
                "1"
            },
        )
        .replace("{id}", "1")
        .replace(
            "{kind}",
            if path.contains("/people/") {
                "qualifications"
            } else {
                "inspections"
            },
        )
        .replace("{name}", "nobody")
        .replace(
            "{action}",
            if path.starts_with("/admin/security") {
                "unlock"
            } else if path.starts_with("/admin") {
                "reset"
            } else {
                "approve"
            },
        )
}

fn expected_roles(spec: &str) -> Option<BTreeSet<&str>> {
    match spec {
        "public" | "signed-in" => None,
        roles => Some(roles.split(' ').collect()),
    }
}

#[tokio::test]
async fn every_route_answers_every_role_and_the_public_as_the_table_says() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        );
        registry
            .load_demo(24, Some(10), 3, &|_, _| {})
            .await
            .unwrap();
        let org = registry.db.org_by_id(1).await.unwrap();
        let config = WebConfig {
            public_rate_limit: None,
            api_rate_limit: None,
            login_rate_limit: None,
            secure_cookies: false,
        };
        let (app, specs) = gongyi_web::routes(AppState::new(registry.clone()), &config);

        // The table and the router name the same routes.
        let table: BTreeSet<(String, String)> = specs
            .iter()
            .map(|s| (s.method.to_string(), s.path.clone()))
            .collect();
        let expected: BTreeSet<(String, String)> = EXPECTED
            .iter()
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .collect();
        let unlisted: Vec<_> = table.difference(&expected).collect();
        let gone: Vec<_> = expected.difference(&table).collect();
        assert!(
            unlisted.is_empty(),
            "routes without an expected line: {unlisted:?}"
        );
        assert!(gone.is_empty(), "expected lines without a route: {gone:?}");

        let mut sessions = Vec::new();
        for role in Role::ALL {
            let sub = if *role == Role::Subdistrict {
                org.subdistrict_code.as_str()
            } else {
                ""
            };
            let code = if *role == Role::Organisation {
                org.credit_code.as_str()
            } else {
                ""
            };
            let s =
                common::sign_in(&registry, &format!("m-{}", role.code()), *role, sub, code).await;
            sessions.push((Some(*role), Some(s)));
        }
        sessions.push((None, None));

        let ordered: Vec<_> = EXPECTED.to_vec();
        let mut failures = Vec::new();
        for (method, path, who) in ordered {
            let uri = concrete(path, &org.credit_code);
            for (role, session) in &sessions {
                let mut req = Request::builder()
                    .method(Method::from_bytes(method.as_bytes()).unwrap())
                    .uri(&uri);
                let body = if method == "GET" {
                    Body::empty()
                } else if path.starts_with("/api/") {
                    req = req.header(header::CONTENT_TYPE, "application/json");
                    Body::from("{}")
                } else {
                    req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                    Body::from("x=1")
                };
                let mut req = req.body(body).unwrap();
                if let Some(s) = session {
                    // Logging out ends a session: each logout gets a fresh one.
                    let fresh;
                    let s = if path.ends_with("/logout") {
                        let o = registry
                            .login(&s.name, common::TEST_PASSWORD, "")
                            .await
                            .unwrap();
                        fresh = common::Signed {
                            name: s.name.clone(),
                            cookie: format!("gongyi_session={}", o.token),
                            csrf: o.csrf,
                        };
                        &fresh
                    } else {
                        s
                    };
                    req = common::with_session(req, s);
                }
                let res = app.clone().oneshot(req).await.unwrap();
                let status = res.status();
                let location = res
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string();
                let _ = res.into_body().collect().await;
                let denied_anonymous = status == StatusCode::UNAUTHORIZED
                    || (status == StatusCode::SEE_OTHER && location.starts_with("/login?next="));
                let denied = denied_anonymous || status == StatusCode::FORBIDDEN;
                let should_allow = match (who, role) {
                    ("public", _) => true,
                    ("signed-in", r) => r.is_some(),
                    (roles, Some(r)) => {
                        expected_roles(roles).is_some_and(|set| set.contains(r.code()))
                    }
                    (_, None) => false,
                };
                let ok = if should_allow {
                    !denied
                } else if role.is_none() {
                    denied_anonymous
                } else {
                    status == StatusCode::FORBIDDEN
                };
                if !ok {
                    failures.push(format!(
                        "{method} {uri} as {}: {status} {location} (expected {})",
                        role.map_or("anonymous", |r| r.code()),
                        if should_allow { "allowed" } else { "denied" }
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{url}:\n{}", failures.join("\n"));
    }
}
