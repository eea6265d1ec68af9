//! The OpenAPI document against the route table and the API's behaviour, so
//! that a contract break fails `cargo test` and not only the schemathesis run
//! of `scripts/api-contract.sh`: every API route is an operation and every
//! operation a route; each operation declares the error responses its access
//! and shape imply (the rules are written here again, independently of
//! `api::shared`), all with the one error body the API really sends; no path
//! parameter is missing from its path or the path from its parameters; and
//! the paging bounds the document declares are the ones the API keeps.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::http::{header, Method, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use common::{get_req, json_req, send, Reply};
use gongyi_app::{Clock, Registry, MAX_PAGE, MAX_PER_PAGE};
use gongyi_web::auth::Access;
use gongyi_web::{AppState, RouteSpec, WebConfig};
use serde_json::Value;
use std::collections::BTreeSet;

/// One backend's site: the bureau's router, the route table and the document.
struct Site {
    app: Router,
    routes: Vec<RouteSpec>,
    doc: Value,
    backend: &'static str,
}

async fn sites() -> Vec<Site> {
    let mut v = Vec::new();
    for (db, _url) in gongyi_testkit::databases().await {
        let backend = common::backend_name(&db);
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        );
        registry
            .load_demo(30, Some(10), 7, &|_, _| {})
            .await
            .unwrap_or_else(|e| panic!("{backend}: demo data did not load: {e:?}"));
        let (_, routes) =
            gongyi_web::routes(AppState::new(registry.clone()), &WebConfig::default());
        let app = common::bureau_app(&registry).await;
        let r = send(&app, backend, get_req("/api/v1/openapi.json")).await;
        assert_eq!(r.status, StatusCode::OK, "{backend}: {}", r.seen());
        let doc = r.json();
        v.push(Site {
            app,
            routes,
            doc,
            backend,
        });
    }
    v
}

/// One operation of the document.
struct Op<'a> {
    method: Method,
    path: &'a str,
    body: &'a Value,
}

impl Op<'_> {
    fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    fn params(&self, location: &str) -> Vec<&Value> {
        self.body["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter(|p| p["in"] == location).collect())
            .unwrap_or_default()
    }
}

fn operations(doc: &Value) -> Vec<Op<'_>> {
    let mut v = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, body) in item.as_object().expect("path item") {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            v.push(Op { method, path, body });
        }
    }
    v
}

/// The API's routes: all under /api/v1 but the document itself.
fn api_routes(routes: &[RouteSpec]) -> Vec<&RouteSpec> {
    routes
        .iter()
        .filter(|r| r.path.starts_with("/api/v1/") && r.path != "/api/v1/openapi.json")
        .collect()
}

fn access_of(site: &Site, op: &Op) -> Access {
    site.routes
        .iter()
        .find(|r| r.method == op.method && r.path == op.path)
        .unwrap_or_else(|| panic!("{}: {} has no route", site.backend, op.label()))
        .access
}

#[tokio::test]
async fn every_api_route_is_an_operation_of_the_document_and_every_operation_a_route() {
    for s in sites().await {
        let documented: BTreeSet<(String, String)> = operations(&s.doc)
            .iter()
            .map(|o| (o.method.to_string(), o.path.to_string()))
            .collect();
        let routed: BTreeSet<(String, String)> = api_routes(&s.routes)
            .iter()
            .map(|r| (r.method.to_string(), r.path.clone()))
            .collect();
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty() && unrouted.is_empty(),
            "{}: routes missing from the document: {undocumented:?}; operations without a route: {unrouted:?}",
            s.backend
        );
    }
}

/// What an operation must declare, written from the rules of the API (not
/// from `api::shared`): (status, the component it is, why).
fn expected_errors(access: Access, op: &Op) -> Vec<(&'static str, &'static str)> {
    let signed_in = access != Access::Public;
    let path_params = !op.params("path").is_empty();
    let query_params = !op.params("query").is_empty();
    let body = op.body["requestBody"].is_object();
    let writes = op.method != Method::GET;
    let mut v = vec![("429", "RateLimited")];
    if path_params || query_params || body {
        v.push(("400", "BadRequest"));
    }
    if signed_in {
        v.push(("401", "Unauthenticated"));
        v.push(("403", "Forbidden"));
    }
    if path_params {
        v.push(("404", "NotFound"));
    }
    if signed_in && writes && body {
        v.push(("409", "Conflict"));
    }
    if body {
        v.push(("413", "PayloadTooLarge"));
    }
    if body || query_params {
        v.push(("422", "Invalid"));
    }
    v
}

/// Whether `response` (a `$ref` or inline) is the error body, resolved in `doc`.
fn is_error_body(doc: &Value, response: &Value) -> bool {
    let r = match response["$ref"].as_str() {
        Some(target) => {
            let name = target.trim_start_matches("#/components/responses/");
            &doc["components"]["responses"][name]
        }
        None => response,
    };
    r["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ErrorBody"
}

#[tokio::test]
async fn every_operation_declares_the_error_responses_its_access_implies() {
    for s in sites().await {
        for op in operations(&s.doc) {
            let access = access_of(&s, &op);
            let responses = &op.body["responses"];
            for (status, component) in expected_errors(access, &op) {
                let r = &responses[status];
                assert!(
                    !r.is_null(),
                    "{}: {} ({access:?}) lacks {status} {component}: {responses}",
                    s.backend,
                    op.label()
                );
                assert!(
                    is_error_body(&s.doc, r),
                    "{}: {} answers {status} with something else than ErrorBody: {r}",
                    s.backend,
                    op.label()
                );
            }
            let security = op.body["security"].to_string();
            if access == Access::Public {
                // A public operation promises no sign-in refusals (login's own
                // 401 for a refused login is its handler's, not the shared one).
                for (status, component) in [("401", "Unauthenticated"), ("403", "Forbidden")] {
                    assert_ne!(
                        responses[status]["$ref"],
                        format!("#/components/responses/{component}"),
                        "{}: public {} declares {status}",
                        s.backend,
                        op.label()
                    );
                }
                assert_eq!(security, "null", "{}: public {}", s.backend, op.label());
            } else {
                assert!(
                    security.contains("\"session\""),
                    "{}: {} does not say it needs the session: {security}",
                    s.backend,
                    op.label()
                );
                assert_eq!(
                    security.contains("\"csrf\""),
                    op.method != Method::GET,
                    "{}: {} and the CSRF token: {security}",
                    s.backend,
                    op.label()
                );
            }
        }
        let schemes = &s.doc["components"]["securitySchemes"];
        assert_eq!(schemes["session"]["in"], "cookie", "{}", s.backend);
        assert_eq!(
            schemes["session"]["name"], "gongyi_session",
            "{}",
            s.backend
        );
        assert_eq!(schemes["csrf"]["in"], "header", "{}", s.backend);
        assert_eq!(schemes["csrf"]["name"], "X-CSRF-Token", "{}", s.backend);
    }
}

#[tokio::test]
async fn no_operation_has_a_path_parameter_its_path_lacks_nor_lacks_one_its_path_has() {
    for s in sites().await {
        for op in operations(&s.doc) {
            let in_path: BTreeSet<&str> = op
                .path
                .split('/')
                .filter_map(|seg| seg.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            let declared: BTreeSet<&str> = op
                .params("path")
                .iter()
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(
                in_path,
                declared,
                "{}: {} declares path parameters {declared:?}",
                s.backend,
                op.label()
            );
            for p in op.params("path") {
                assert_eq!(p["required"], true, "{}: {} {p}", s.backend, op.label());
            }
            for p in op.params("query") {
                assert_ne!(
                    p["required"],
                    true,
                    "{}: {}: filters are optional: {p}",
                    s.backend,
                    op.label()
                );
            }
        }
    }
}

/// Keys of an object, sorted.
fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    k.sort_unstable();
    k
}

fn assert_error_body(r: &Reply, status: StatusCode, code: &str, on: &str) {
    assert_eq!(r.status, status, "{on}: {}", r.seen());
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("application/json"),
        "{on}: {}",
        r.seen()
    );
    let body = r.json();
    assert_eq!(
        keys(&body),
        ["code", "fields", "message"],
        "{on}: {}",
        r.seen()
    );
    assert_eq!(body["code"], code, "{on}: {}", r.seen());
    for f in body["fields"].as_array().unwrap() {
        assert_eq!(keys(f), ["code", "field", "message"], "{on}: {}", r.seen());
    }
}

#[tokio::test]
async fn the_error_body_of_the_document_is_what_every_refusal_sends_framework_refusals_too() {
    for s in sites().await {
        let schemas = &s.doc["components"]["schemas"];
        let required = |name: &str| {
            let mut r: Vec<String> =
                serde_json::from_value(schemas[name]["required"].clone()).unwrap();
            r.sort();
            r
        };
        assert_eq!(
            required("ErrorBody"),
            ["code", "fields", "message"],
            "{}",
            s.backend
        );
        assert_eq!(
            schemas["ErrorBody"]["properties"]["fields"]["items"]["$ref"],
            "#/components/schemas/FieldErrorBody",
            "{}",
            s.backend
        );
        assert_eq!(
            required("FieldErrorBody"),
            ["code", "field", "message"],
            "{}",
            s.backend
        );
        let b = s.backend;
        // Refused by the framework before any handler: a path or query value
        // of the wrong type, a method the route lacks, a body too large.
        let r = send(&s.app, b, get_req("/api/v1/people/abc")).await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request", b);
        let r = send(&s.app, b, get_req("/api/v1/organizations?per_page=x")).await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request", b);
        let r = send(
            &s.app,
            b,
            json_req(Method::DELETE, "/api/v1/organizations", "{}"),
        )
        .await;
        assert_error_body(&r, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", b);
        assert!(
            r.header("allow").is_some_and(|a| a.contains("POST")),
            "{b}: {:?}",
            r.headers
        );
        let big = format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
        let r = send(&s.app, b, json_req(Method::POST, "/api/v1/people", &big)).await;
        assert_error_body(&r, StatusCode::PAYLOAD_TOO_LARGE, "body.too_large", b);
        // And by handlers: a body of the wrong shape, values refused field by field.
        let r = send(&s.app, b, json_req(Method::POST, "/api/v1/people", "[1]")).await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request", b);
        let r = send(
            &s.app,
            b,
            json_req(
                Method::POST,
                "/api/v1/people",
                r#"{"name": "", "resident_id": ""}"#,
            ),
        )
        .await;
        assert_error_body(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", b);
        assert!(
            !r.json()["fields"].as_array().unwrap().is_empty(),
            "{b}: {}",
            r.seen()
        );
        // A JSON Schema integer may be written 5.0; a fraction is refused.
        let body = |fen: &str| {
            format!(
                r#"{{"rule": "R3", "beneficiary_id": "", "event_key": "", "requested_fen": {fen}}}"#
            )
        };
        let r = send(
            &s.app,
            b,
            json_req(Method::POST, "/api/v1/applications", &body("50000.0")),
        )
        .await;
        assert_error_body(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", b);
        let r = send(
            &s.app,
            b,
            json_req(Method::POST, "/api/v1/applications", &body("0.5")),
        )
        .await;
        assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request", b);
    }
}

#[tokio::test]
async fn paging_bounds_in_the_document_are_the_ones_the_api_keeps() {
    for s in sites().await {
        let b = s.backend;
        let mut listings = 0;
        for op in operations(&s.doc) {
            for p in op.params("query") {
                let max = match p["name"].as_str() {
                    Some("page") => MAX_PAGE,
                    Some("per_page") => MAX_PER_PAGE,
                    _ => continue,
                };
                assert_eq!(p["schema"]["type"], "integer", "{b}: {} {p}", op.label());
                assert_eq!(p["schema"]["minimum"], 1, "{b}: {} {p}", op.label());
                assert_eq!(p["schema"]["maximum"], max, "{b}: {} {p}", op.label());
            }
            if op.method != Method::GET
                || !op.params("query").iter().any(|p| p["name"] == "per_page")
            {
                continue;
            }
            listings += 1;
            let app = &s.app;
            let get = |query: String| {
                let uri = format!("{}?{query}", op.path);
                async move { send(app, b, get_req(&uri)).await }
            };
            let r = get(format!("per_page={MAX_PER_PAGE}&page={MAX_PAGE}")).await;
            assert_eq!(
                r.status,
                StatusCode::OK,
                "{b}: {}: {}",
                op.label(),
                r.seen()
            );
            assert_eq!(
                r.json()["per_page"],
                MAX_PER_PAGE,
                "{b}: {}: {}",
                op.label(),
                r.seen()
            );
            for (query, field) in [
                (format!("per_page={}", MAX_PER_PAGE + 1), "per_page"),
                ("per_page=0".to_string(), "per_page"),
                (format!("page={}", MAX_PAGE + 1), "page"),
                ("page=0".to_string(), "page"),
                (format!("page={}", i64::MAX), "page"),
            ] {
                let r = get(query.clone()).await;
                let on = format!("{b}: {} ?{query}", op.label());
                assert_error_body(&r, StatusCode::UNPROCESSABLE_ENTITY, "invalid_input", &on);
                assert_eq!(r.json()["fields"][0]["field"], field, "{on}: {}", r.seen());
            }
            let r = get("per_page=9223372036854775808".into()).await;
            assert_error_body(&r, StatusCode::BAD_REQUEST, "bad_request", &op.label());
        }
        // The directory (staff and public), people, applications.
        assert!(listings >= 4, "{b}: only {listings} listings have per_page");
        let r = send(
            &s.app,
            b,
            get_req("/api/v1/public/organizations?per_page=3"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());
        assert_eq!(
            r.header(header::CONTENT_TYPE.as_str()).as_deref(),
            Some("application/json")
        );
    }
}
