//! Every route × every role and the anonymous public: the expected answer is
//! written here, independently of the capability table, and compared with
//! what the real router does. A route added to `routes.rs` without a line in
//! `EXPECTED` fails this test, as does a line for a route that is gone.
//!
//! Every URL names records that exist and lie inside the caller's scope, so
//! an allowed cell must really succeed: 2xx or 3xx, or 422 for a form sent
//! deliberately empty. A 404 or a 500 is a failure, not "allowed"; a denied
//! cell must be 403 (401 or the login page without a session).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::NaiveDate;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_domain::credit_code::{org_code_check, CreditCode};
use gongyi_web::{AppState, WebConfig};
use http_body_util::BodyExt;
use serde_json::{json, Value};
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
    (
        "GET",
        "/api/v1/public/organizations/{code}/annual-reports",
        "public",
    ),
    ("GET", "/api/v1/public/annual-reports", "public"),
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
    ("GET", "/annual-reports", "bureau subdistrict organisation"),
    ("POST", "/annual-reports", "organisation"),
    ("GET", "/annual-reports/progress", "bureau"),
    ("GET", "/annual-reports/progress.xlsx", "bureau"),
    (
        "GET",
        "/annual-reports/{report}",
        "bureau subdistrict organisation",
    ),
    (
        "POST",
        "/annual-reports/{report}/sections/{section}",
        "organisation",
    ),
    ("POST", "/annual-reports/{report}/accounts", "organisation"),
    (
        "GET",
        "/annual-reports/{report}/accounts",
        "bureau subdistrict organisation",
    ),
    ("POST", "/annual-reports/{report}/submit", "organisation"),
    (
        "POST",
        "/annual-reports/{report}/review",
        "bureau subdistrict",
    ),
    ("POST", "/annual-reports/{report}/conclude", "bureau"),
    ("POST", "/annual-reports/unfiled-conclusions", "bureau"),
    (
        "GET",
        "/api/v1/annual-reports",
        "bureau subdistrict organisation",
    ),
    ("POST", "/api/v1/annual-reports", "organisation"),
    (
        "GET",
        "/api/v1/annual-reports/{report}",
        "bureau subdistrict organisation",
    ),
    (
        "PUT",
        "/api/v1/annual-reports/{report}/sections/{section}",
        "organisation",
    ),
    (
        "POST",
        "/api/v1/annual-reports/{report}/submit",
        "organisation",
    ),
    (
        "POST",
        "/api/v1/annual-reports/{report}/review",
        "bureau subdistrict",
    ),
    ("POST", "/api/v1/annual-reports/{report}/conclude", "bureau"),
    ("GET", "/targets", "bureau subdistrict organisation"),
    ("GET", "/targets.csv", "bureau subdistrict organisation"),
    ("GET", "/api/v1/targets", "bureau subdistrict organisation"),
    (
        "POST",
        "/api/v1/annual-reports/unfiled-conclusions",
        "bureau",
    ),
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
    // A sub-district states no person's record (`who_states`); the
    // matrix posts a qualification, which the organisation declares.
    ("POST", "/people/{id}/records/{kind}", "bureau organisation"),
    ("GET", "/declarations", "bureau subdistrict organisation"),
    // An organisation reaches the use case, which refuses it: it verifies
    // no declaration (its own would be refused as its own).
    ("POST", "/declarations/{id}/verify", "bureau subdistrict"),
    ("POST", "/declarations/{id}/return", "bureau subdistrict"),
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
    ("POST", "/api/v1/people/{id}/{kind}", "bureau organisation"),
    (
        "GET",
        "/api/v1/declarations",
        "bureau subdistrict organisation",
    ),
    (
        "GET",
        "/api/v1/declarations/{id}",
        "bureau subdistrict organisation",
    ),
    (
        "POST",
        "/api/v1/declarations/{id}/verify",
        "bureau subdistrict",
    ),
    (
        "POST",
        "/api/v1/declarations/{id}/return",
        "bureau subdistrict",
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
    ("GET", "/public/calls", "public"),
    ("GET", "/public/calls/{call}", "public"),
    ("GET", "/api/v1/public/ocds/{ocid}", "public"),
    (
        "GET",
        "/catalogue",
        "bureau subdistrict organisation reviewer",
    ),
    ("POST", "/catalogue", "bureau"),
    (
        "GET",
        "/catalogue/{item}",
        "bureau subdistrict organisation reviewer",
    ),
    ("POST", "/catalogue/{item}", "bureau"),
    ("POST", "/catalogue/{item}/quotas", "bureau"),
    ("GET", "/calls", "bureau subdistrict organisation reviewer"),
    ("POST", "/calls", "bureau subdistrict"),
    ("GET", "/calls/new", "bureau subdistrict"),
    (
        "GET",
        "/calls/{call}",
        "bureau subdistrict organisation reviewer",
    ),
    ("POST", "/calls/{call}", "bureau subdistrict"),
    ("GET", "/calls/{call}/edit", "bureau subdistrict"),
    ("POST", "/calls/{call}/steps", "bureau subdistrict"),
    ("POST", "/calls/{call}/bid", "organisation"),
    ("POST", "/calls/{call}/panel", "bureau"),
    ("POST", "/calls/{call}/conflicts", "reviewer"),
    ("POST", "/calls/{call}/scores", "reviewer"),
    (
        "POST",
        "/calls/{call}/bids/{bid}/disqualify",
        "bureau subdistrict",
    ),
    (
        "GET",
        "/api/v1/catalogue",
        "bureau subdistrict organisation reviewer",
    ),
    ("POST", "/api/v1/catalogue", "bureau"),
    (
        "GET",
        "/api/v1/catalogue/{item}",
        "bureau subdistrict organisation reviewer",
    ),
    ("PUT", "/api/v1/catalogue/{item}", "bureau"),
    ("PUT", "/api/v1/catalogue/{item}/quotas/{year}", "bureau"),
    (
        "GET",
        "/api/v1/calls",
        "bureau subdistrict organisation reviewer",
    ),
    ("POST", "/api/v1/calls", "bureau subdistrict"),
    (
        "GET",
        "/api/v1/calls/{call}",
        "bureau subdistrict organisation reviewer",
    ),
    ("PUT", "/api/v1/calls/{call}", "bureau subdistrict"),
    ("POST", "/api/v1/calls/{call}/steps", "bureau subdistrict"),
    ("POST", "/api/v1/calls/{call}/bid", "organisation"),
    ("POST", "/api/v1/calls/{call}/panel", "bureau"),
    ("POST", "/api/v1/calls/{call}/conflicts", "reviewer"),
    ("POST", "/api/v1/calls/{call}/scores", "reviewer"),
    (
        "POST",
        "/api/v1/calls/{call}/bids/{bid}/disqualify",
        "bureau subdistrict",
    ),
];

const SUB_1: &str = "310110021";
const SUB_2: &str = "310110016";

fn credit_code(n: u32) -> String {
    let org = format!("MJ{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

fn resident_id(body: &str) -> String {
    gongyi_domain::ResidentId::from_body(body, today())
        .unwrap()
        .as_str()
        .to_string()
}

/// Records that exist, for the URLs and bodies of the matrix.
struct Fixture {
    /// Organisation 1: a community organisation in `SUB_1`, the
    /// sub-district officer's and the organisation account's own.
    code: String,
    /// A person employed by organisation 1.
    person: i64,
    /// An application of organisation 1 with an attachment.
    application: i64,
    attachment: i64,
    /// A claim on a registered person, for the bureau to resolve.
    claim: i64,
    /// Organisation 1's draft report of 2023, with its accounts file.
    report: i64,
    /// Per role, applications on which that role's step is due: (page, API).
    steps: Vec<(Role, &'static str, i64, i64)>,
    /// Pending declarations of organisation 1 (by another account of it):
    /// per verifying role one to verify (page, API), and one that stays
    /// pending for everything else.
    to_verify: Vec<(Role, i64, i64)>,
    declaration: i64,
    /// A catalogue item with a 2024 quota and a published call of the bureau's.
    item: i64,
    call: i64,
}

impl Fixture {
    fn ids(&self, path: &str, role: Option<Role>) -> (String, &'static str) {
        let (mut id, mut action) = (self.application, "approve");
        if path.contains("/applications/{id}/{action}") {
            let r = role.unwrap_or(Role::Bureau);
            if let Some((_, a, page, api)) = self.steps.iter().find(|(x, ..)| *x == r) {
                id = if path.starts_with("/api/") {
                    *api
                } else {
                    *page
                };
                action = a;
            }
        } else if path.contains("/declarations/{id}") {
            id = self.declaration;
            if path.ends_with("/verify") {
                if let Some((_, page, api)) = self.to_verify.iter().find(|(x, ..)| Some(*x) == role)
                {
                    id = if path.starts_with("/api/") {
                        *api
                    } else {
                        *page
                    };
                }
            }
        } else if path.starts_with("/people/claims") {
            id = self.claim;
        } else if path.contains("/people/") {
            id = self.person;
        }
        (id.to_string(), action)
    }

    /// The URL of a route pattern for `role`.
    fn uri(&self, path: &str, role: Option<Role>) -> String {
        let (id, action) = self.ids(path, role);
        path.replace("{code}", &self.code)
            .replace("{item}", &self.item.to_string())
            .replace("{call}", &self.call.to_string())
            .replace("{bid}", "1")
            .replace("{year}", "2024")
            .replace("{ocid}", &format!("ocds-yangpu-call-{}", self.call))
            .replace("{report}", &self.report.to_string())
            .replace("{section}", "people")
            .replace(
                "{file}",
                &if path.starts_with("/public") {
                    "orgs.csv".to_string()
                } else {
                    self.attachment.to_string()
                },
            )
            .replace("{id}", &id)
            .replace(
                "{kind}",
                if path.contains("/people/") {
                    "qualifications"
                } else {
                    // Recorded by the bureau and the sub-district, declared
                    // by the organisation: every role of the route states it.
                    "party-building"
                },
            )
            .replace("{name}", "m-target")
            .replace(
                "{action}",
                if path.starts_with("/admin/security") {
                    "unlock"
                } else if path.starts_with("/admin") {
                    "reset"
                } else {
                    action
                },
            )
    }

    /// The body of a request: a workflow step carries its reason, a login
    /// its credentials; other forms go deliberately empty (and well formed,
    /// so the API answers 422 rather than 400).
    fn body(&self, method: &str, path: &str) -> (Option<&'static str>, String) {
        const FORM: &str = "application/x-www-form-urlencoded";
        const JSON: &str = "application/json";
        if method == "GET" {
            return (None, String::new());
        }
        if path == "/annual-reports/{report}/accounts" {
            return (
                Some("multipart/form-data; boundary=X"),
                "--X\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--X--\r\n".into(),
            );
        }
        if path == "/applications/new" {
            return (
                Some("multipart/form-data; boundary=X"),
                "--X\r\nContent-Disposition: form-data; name=\"rule\"\r\n\r\n\r\n--X--\r\n".into(),
            );
        }
        if !path.starts_with("/api/") {
            let body = if path.contains("/applications/{id}/{action}") {
                "reason=%E6%A0%B8%E5%AF%B9".to_string()
            } else {
                "x=1".to_string()
            };
            return (Some(FORM), body);
        }
        let v = match path {
            "/api/v1/login" => json!({"name": "m-login", "password": common::TEST_PASSWORD}),
            "/api/v1/organizations" | "/api/v1/organizations/{code}" => json!({
                "credit_code": "", "name": "", "kind": "", "subdistrict": "",
                "registration_date": "", "registered_capital_fen": 0
            }),
            "/api/v1/people" => json!({"name": "", "resident_id": ""}),
            "/api/v1/people/{id}/reveal" => json!({"field": "resident_id"}),
            "/api/v1/applications" => json!({
                "rule": "", "beneficiary_id": "", "event_key": "", "requested_fen": 0
            }),
            "/api/v1/applications/{id}/{action}" => json!({"reason": "核对"}),
            _ => json!({}),
        };
        (Some(JSON), v.to_string())
    }
}

fn expected_roles(spec: &str) -> Option<BTreeSet<&str>> {
    match spec {
        "public" | "signed-in" => None,
        roles => Some(roles.split(' ').collect()),
    }
}

/// Sends `body` to `uri` as `who`; the status and the body as JSON (or Null).
async fn call(
    app: &axum::Router,
    who: &common::Signed,
    method: Method,
    uri: &str,
    body: Value,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let res = app
        .clone()
        .oneshot(common::with_session(req, who))
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Like [`call`], and the call must succeed.
async fn ok(
    app: &axum::Router,
    who: &common::Signed,
    method: Method,
    uri: &str,
    body: Value,
) -> Value {
    let what = format!("{method} {uri}");
    let (status, v) = call(app, who, method, uri, body).await;
    assert!(status.is_success(), "set-up {what}: {status} {v}");
    v
}

/// Two organisations, a person, a budget, applications waiting for each
/// role's step, an attachment and a claim, made through the API as people
/// would make them.
async fn fixture(
    registry: &Registry,
    app: &axum::Router,
    sessions: &[(Option<Role>, Option<common::Signed>)],
) -> Fixture {
    let who = |r: Role| {
        sessions
            .iter()
            .find(|(x, _)| *x == Some(r))
            .and_then(|(_, s)| s.clone())
            .unwrap()
    };
    let bureau = who(Role::Bureau);
    let officer = who(Role::Subdistrict);
    for (n, community, sub) in [(1, true, SUB_1), (2, false, SUB_2)] {
        ok(
            app,
            &bureau,
            Method::POST,
            "/api/v1/organizations",
            json!({
                "credit_code": credit_code(n), "name": format!("杨浦区矩阵测试服务社{n}"),
                "kind": "PRIVATE_NON_ENTERPRISE", "community": community, "subdistrict": sub,
                "registration_date": "2023-03-01", "registered_capital_fen": 20_000_000,
            }),
        )
        .await;
    }
    // The projects the bureau's approvals rest on (an event not on record
    // is not approved).
    let facts = gongyi_app::test_support::Record(registry);
    let o2 = facts.org_id(&credit_code(2)).await;
    for key in ["VP-B1", "VP-B2", "VP-F1", "VP-F2"] {
        facts.venture(o2, key, "1000", "2024-01-10").await;
    }
    let p = ok(
        app,
        &bureau,
        Method::POST,
        "/api/v1/people",
        json!({
            "name": "李娜", "resident_id": resident_id("31011019900307002"),
            "social_work_start_date": "2015-07-01",
        }),
    )
    .await;
    let person = p["id"].as_i64().unwrap();
    ok(
        app,
        &bureau,
        Method::POST,
        &format!("/api/v1/people/{person}/employments"),
        json!({
            "org_credit_code": credit_code(1), "start_date": "2023-04-01",
            "full_time": true, "labour_contract": true,
        }),
    )
    .await;
    let budget = app
        .clone()
        .oneshot(common::with_session(
            Request::post("/finance/budgets")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from("rule=R6&year=2024&amount=100000"))
                .unwrap(),
            &bureau,
        ))
        .await
        .unwrap();
    assert_eq!(budget.status(), StatusCode::SEE_OTHER, "set-up: budget");

    let apply = |rule: &'static str, n: u32, key: &'static str, files: Value| {
        let bureau = bureau.clone();
        async move {
            let v = ok(
                app,
                &bureau,
                Method::POST,
                "/api/v1/applications",
                json!({
                    "rule": rule, "beneficiary_id": credit_code(n), "event_key": key,
                    "requested_fen": 50_000, "attachments": files,
                }),
            )
            .await;
            (v["application"]["id"].as_i64().unwrap(), v)
        }
    };
    let (application, v) = apply(
        "R3",
        1,
        "2024-01",
        json!([{"file_name": "租赁合同.pdf", "content_base64": "JVBERi0xLjc="}]),
    )
    .await;
    let attachment = v["attachments"][0]["id"].as_i64().unwrap();
    // The bureau's step is due on organisation 2's (no sub-district review).
    let b = (
        apply("R6", 2, "VP-B1", json!([])).await.0,
        apply("R6", 2, "VP-B2", json!([])).await.0,
    );
    // The sub-district's on organisation 1's (a community organisation).
    let s = (
        apply("R3", 1, "2024-02", json!([])).await.0,
        apply("R3", 1, "2024-03", json!([])).await.0,
    );
    // The organisation resubmits what the sub-district returned.
    let o = (
        apply("R3", 1, "2024-04", json!([])).await.0,
        apply("R3", 1, "2024-05", json!([])).await.0,
    );
    for id in [o.0, o.1] {
        ok(
            app,
            &officer,
            Method::POST,
            &format!("/api/v1/applications/{id}/return"),
            json!({"reason": "材料不全"}),
        )
        .await;
    }
    // Finance's step is due on what the bureau approved (another officer
    // than the one who submitted: four eyes).
    let f = (
        apply("R6", 2, "VP-F1", json!([])).await.0,
        apply("R6", 2, "VP-F2", json!([])).await.0,
    );
    let approver = common::sign_in(registry, "m-approver", Role::Bureau, "", "").await;
    for id in [f.0, f.1] {
        ok(
            app,
            &approver,
            Method::POST,
            &format!("/api/v1/applications/{id}/approve"),
            json!({}),
        )
        .await;
    }
    // A claim: the officer registers a number the bureau registered outside its area.
    let known = resident_id("31011019850101003");
    ok(
        app,
        &bureau,
        Method::POST,
        "/api/v1/people",
        json!({"name": "王芳", "resident_id": known}),
    )
    .await;
    let (status, _) = call(
        app,
        &officer,
        Method::POST,
        "/api/v1/people",
        json!({"name": "王芳", "resident_id": known}),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "set-up: claim");
    let claim = registry.person_claims().await.unwrap()[0].id;
    // Another account of organisation 1 declares leases, month by month.
    let declarant = common::sign_in(
        registry,
        "m-declarant",
        Role::Organisation,
        "",
        &credit_code(1),
    )
    .await;
    let mut declared = vec![];
    for month in ["2023-04", "2023-05", "2023-06", "2023-07", "2023-08"] {
        let v = ok(
            app,
            &declarant,
            Method::POST,
            &format!("/api/v1/organizations/{}/leases", credit_code(1)),
            json!({"month": month, "rent_paid": "600"}),
        )
        .await;
        declared.push(v["declaration"].as_i64().unwrap());
    }
    Fixture {
        code: credit_code(1),
        person,
        application,
        attachment,
        claim,
        report: 0,
        steps: vec![
            (Role::Bureau, "return", b.0, b.1),
            (Role::Subdistrict, "return", s.0, s.1),
            (Role::Organisation, "resubmit", o.0, o.1),
            (Role::Finance, "return", f.0, f.1),
        ],
        to_verify: vec![
            (Role::Bureau, declared[0], declared[1]),
            (Role::Subdistrict, declared[2], declared[3]),
        ],
        declaration: declared[4],
        item: 0,
        call: 0,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_and_the_public_as_the_table_says() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::fixed(today()));
        let config = WebConfig {
            public_rate_limit: None,
            public_download_limit: None,
            download_cache: None,
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
            let (sub, org) = match role {
                Role::Subdistrict => (SUB_1.to_string(), String::new()),
                Role::Organisation => (String::new(), credit_code(1)),
                _ => (String::new(), String::new()),
            };
            // Organisation 1 must exist before its account does.
            let s = if *role == Role::Organisation {
                None
            } else {
                Some(
                    common::sign_in(&registry, &format!("m-{}", role.code()), *role, &sub, &org)
                        .await,
                )
            };
            sessions.push((Some(*role), s));
        }
        sessions.push((None, None));
        let fx = {
            let mut f = fixture(&registry, &app, &sessions).await;
            let org = common::sign_in(
                &registry,
                "m-organisation",
                Role::Organisation,
                "",
                &credit_code(1),
            )
            .await;
            if let Some(slot) = sessions
                .iter_mut()
                .find(|(r, _)| *r == Some(Role::Organisation))
            {
                slot.1 = Some(org.clone());
            }
            // The organisation opens its 2023 report and attaches its accounts.
            let v = ok(
                &app,
                &org,
                Method::POST,
                "/api/v1/annual-reports",
                json!({"year": 2023}),
            )
            .await;
            f.report = v["report"]["id"].as_i64().unwrap();
            let upload = app
                .clone()
                .oneshot(common::with_session(
                    Request::post(format!("/annual-reports/{}/accounts", f.report))
                        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
                        .body(Body::from(
                            "--X\r\nContent-Disposition: form-data; name=\"accounts\"; \
                             filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n\
                             %PDF-1.7\r\n--X--\r\n",
                        ))
                        .unwrap(),
                    &org,
                ))
                .await
                .unwrap();
            assert_eq!(upload.status(), StatusCode::SEE_OTHER, "set-up: accounts");
            // The bureau's catalogue item, its 2024 quota, and a published call.
            let bureau = sessions[0].1.clone().unwrap();
            let v = ok(
                &app,
                &bureau,
                Method::POST,
                "/api/v1/catalogue",
                json!({"series": "邻里守望", "name": "独居老人探访", "service_field": "SOCIAL_SERVICE"}),
            )
            .await;
            f.item = v["item"]["id"].as_i64().unwrap();
            ok(
                &app,
                &bureau,
                Method::PUT,
                &format!("/api/v1/catalogue/{}/quotas/2024", f.item),
                json!({"projects": 5, "amount_fen": 100_000_000}),
            )
            .await;
            let v = ok(
                &app,
                &bureau,
                Method::POST,
                "/api/v1/calls",
                json!({
                    "title": "独居老人探访服务", "item": f.item, "subdistrict": SUB_1,
                    "budget_fen": 10_000_000, "requirements": "每周探访", "standstill_days": 5,
                    "criteria": [{"name": "服务方案", "weight": 60}, {"name": "报价", "weight": 40}],
                    "enquiries_until": "2024-06-10 17:00", "bids_until": "2024-06-20 17:00",
                }),
            )
            .await;
            f.call = v["call"]["id"].as_i64().unwrap();
            ok(
                &app,
                &bureau,
                Method::POST,
                &format!("/api/v1/calls/{}/steps", f.call),
                json!({"step": "publish"}),
            )
            .await;
            f
        };
        // The administrators' target and the API login's account.
        common::sign_in(&registry, "m-target", Role::Bureau, "", "").await;
        common::sign_in(&registry, "m-login", Role::Reviewer, "", "").await;

        let mut failures = Vec::new();
        for (method, path, who) in EXPECTED.iter().copied() {
            for (role, session) in &sessions {
                let uri = fx.uri(path, *role);
                let (ctype, body) = fx.body(method, path);
                let mut req = Request::builder()
                    .method(Method::from_bytes(method.as_bytes()).unwrap())
                    .uri(&uri);
                if let Some(c) = ctype {
                    req = req.header(header::CONTENT_TYPE, c);
                }
                let mut req = req.body(Body::from(body)).unwrap();
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
                let bytes = res.into_body().collect().await.unwrap().to_bytes();
                let denied_anonymous = status == StatusCode::UNAUTHORIZED
                    || (status == StatusCode::SEE_OTHER && location.starts_with("/login?next="));
                let should_allow = match (who, role) {
                    ("public", _) => true,
                    ("signed-in", r) => r.is_some(),
                    (roles, Some(r)) => {
                        expected_roles(roles).is_some_and(|set| set.contains(r.code()))
                    }
                    (_, None) => false,
                };
                let succeeded = status.is_success()
                    || (status.is_redirection() && !denied_anonymous)
                    || (status == StatusCode::UNPROCESSABLE_ENTITY && method != "GET");
                let ok = if should_allow {
                    succeeded
                } else if role.is_none() {
                    denied_anonymous
                } else {
                    status == StatusCode::FORBIDDEN
                };
                if !ok {
                    let text = String::from_utf8_lossy(&bytes);
                    failures.push(format!(
                        "{method} {uri} as {}: {status} {location} (expected {}) {}",
                        role.map_or("anonymous", |r| r.code()),
                        if should_allow { "success" } else { "denied" },
                        text.chars().take(200).collect::<String>()
                    ));
                }
            }
        }
        assert!(failures.is_empty(), "{url}:\n{}", failures.join("\n"));
    }
}
