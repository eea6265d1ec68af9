//! No read or write across scopes through pages and the API: for every
//! ordered pair of the 12 sub-districts (12 × 11) and for pairs of
//! organisations, a signed-in officer or organisation cannot list, open,
//! edit or add to the other's records; they are "not found".

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_testkit::store::orgs::OrgRow;
use gongyi_web::{AppState, WebConfig};
use serde_json::Value;
use std::collections::BTreeMap;

async fn send(
    app: &Router,
    s: &common::Signed,
    method: Method,
    uri: &str,
    body: Option<String>,
) -> (StatusCode, String) {
    let mut b = Request::builder().method(method).uri(uri);
    if body.is_some() {
        b = b.header(header::CONTENT_TYPE, "application/json");
    }
    let req = common::with_session(b.body(body.map(Body::from).unwrap_or_default()).unwrap(), s);
    let r = common::send(app, &s.name, req).await;
    (r.status, r.body)
}

fn edit_body(o: &OrgRow) -> String {
    serde_json::json!({
        "credit_code": o.credit_code,
        "name": format!("{}(改)", o.name),
        "kind": o.kind.code(),
        "subdistrict": o.subdistrict_code,
        "registration_date": o.registration_date.to_string(),
        "registered_capital_fen": o.registered_capital_fen,
        "version": o.version,
    })
    .to_string()
}

/// What another scope's organisation must look like from outside: nothing.
async fn assert_out_of_reach(
    app: &Router,
    s: &common::Signed,
    other: &OrgRow,
    who: &str,
    failures: &mut Vec<String>,
) {
    let code = &other.credit_code;
    for (method, uri, body) in [
        (Method::GET, format!("/orgs/{code}"), None),
        (Method::GET, format!("/orgs/{code}/edit"), None),
        (Method::GET, format!("/api/v1/organizations/{code}"), None),
        (
            Method::GET,
            format!("/api/v1/organizations/{code}/history"),
            None,
        ),
        (
            Method::PUT,
            format!("/api/v1/organizations/{code}"),
            Some(edit_body(other)),
        ),
    ] {
        let (status, seen) = send(app, s, method.clone(), &uri, body).await;
        if status != StatusCode::NOT_FOUND {
            failures.push(format!(
                "{who}: {method} {uri} → {status} {}",
                &seen[..seen.len().min(200)]
            ));
        }
    }
    let honour =
        serde_json::json!({"title": "越界荣誉", "level": "DISTRICT", "date": "2025-06-01"})
            .to_string();
    let (status, _) = send(
        app,
        s,
        Method::POST,
        &format!("/api/v1/organizations/{code}/honours"),
        Some(honour),
    )
    .await;
    if status.is_success() {
        failures.push(format!("{who}: added an honour to {code}"));
    }
}

fn items(body: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    v["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn no_sub_district_officer_reaches_another_sub_district_through_pages_or_the_api() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        );
        registry
            .load_demo(150, Some(20), 13, &|_, _| {})
            .await
            .unwrap();
        let config = WebConfig {
            api_rate_limit: None,
            ..WebConfig::default()
        };
        let app = gongyi_web::router_with(AppState::new(registry.clone()), &config);
        let subs = registry.store().subdistricts().await.unwrap();
        assert_eq!(subs.len(), 12, "{url}");
        let all = registry.store().orgs_after("", 10_000).await.unwrap();
        let mut first: BTreeMap<String, OrgRow> = BTreeMap::new();
        for o in &all {
            first
                .entry(o.subdistrict_code.clone())
                .or_insert_with(|| o.clone());
        }
        assert_eq!(first.len(), 12, "{url}: the demo covers every sub-district");

        let mut failures = Vec::new();
        for a in &subs {
            let s = common::sign_in(
                &registry,
                &format!("officer-{}", a.code),
                Role::Subdistrict,
                &a.code,
                "",
            )
            .await;
            // The listing holds only the officer's own sub-district, whatever the filter says.
            let (status, body) = send(
                &app,
                &s,
                Method::GET,
                "/api/v1/organizations?per_page=200",
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{url}: {body}");
            let own = items(&body);
            assert!(!own.is_empty(), "{url}: {} sees its own", a.code);
            if let Some(stray) = own
                .iter()
                .find(|o| o["subdistrict_code"] != a.code.as_str())
            {
                failures.push(format!("{}: listed {stray}", a.code));
            }
            for b in subs.iter().filter(|b| b.code != a.code) {
                let (_, body) = send(
                    &app,
                    &s,
                    Method::GET,
                    &format!("/api/v1/organizations?subdistrict={}", b.code),
                    None,
                )
                .await;
                if !items(&body).is_empty() {
                    failures.push(format!("{} listed {} by filter", a.code, b.code));
                }
                let page = send(
                    &app,
                    &s,
                    Method::GET,
                    &format!("/orgs?subdistrict={}", b.code),
                    None,
                )
                .await
                .1;
                if page.contains(&first[&b.code].credit_code) {
                    failures.push(format!("{}: the directory page shows {}", a.code, b.code));
                }
                assert_out_of_reach(
                    &app,
                    &s,
                    &first[&b.code],
                    &format!("{}→{}", a.code, b.code),
                    &mut failures,
                )
                .await;
            }
        }
        assert!(failures.is_empty(), "{url}:\n{}", failures.join("\n"));
        // Nothing written across: no organisation was renamed.
        for o in first.values() {
            assert_eq!(
                registry
                    .store()
                    .org_by_code(&o.credit_code)
                    .await
                    .unwrap()
                    .name,
                o.name,
                "{url}"
            );
        }
    }
}

#[tokio::test]
async fn no_organisation_account_reaches_another_organisation_or_its_people() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        );
        registry
            .load_demo(20, Some(40), 17, &|_, _| {})
            .await
            .unwrap();
        let app = gongyi_web::router(AppState::new(registry.clone()));
        let orgs: Vec<OrgRow> = registry.store().orgs_after("", 6).await.unwrap();
        let mut failures = Vec::new();
        let mut sessions = Vec::new();
        for (i, o) in orgs.iter().enumerate() {
            sessions.push(
                common::sign_in(
                    &registry,
                    &format!("org-{i}"),
                    Role::Organisation,
                    "",
                    &o.credit_code,
                )
                .await,
            );
        }
        for (x, s) in sessions.iter().enumerate() {
            let (_, body) = send(
                &app,
                s,
                Method::GET,
                "/api/v1/organizations?per_page=200",
                None,
            )
            .await;
            let listed: Vec<String> = items(&body)
                .iter()
                .map(|o| o["credit_code"].as_str().unwrap_or("").to_string())
                .collect();
            assert_eq!(
                listed,
                vec![orgs[x].credit_code.clone()],
                "{url}: an organisation lists itself only"
            );
            let (status, _) = send(
                &app,
                s,
                Method::GET,
                &format!("/orgs/{}", orgs[x].credit_code),
                None,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{url}: its own page");
            for (y, other) in orgs.iter().enumerate().filter(|(y, _)| *y != x) {
                assert_out_of_reach(&app, s, other, &format!("org {x}→{y}"), &mut failures).await;
            }
            // People: only those it employs.
            let (_, body) = send(&app, s, Method::GET, "/api/v1/people?per_page=200", None).await;
            let mine: Vec<i64> = items(&body)
                .iter()
                .filter_map(|p| p["id"].as_i64())
                .collect();
            for id in 1..=40 {
                if mine.contains(&id) {
                    continue;
                }
                let (status, _) =
                    send(&app, s, Method::GET, &format!("/api/v1/people/{id}"), None).await;
                if status != StatusCode::NOT_FOUND {
                    failures.push(format!("org {x}: person {id} → {status}"));
                }
                let (status, _) = send(&app, s, Method::GET, &format!("/people/{id}"), None).await;
                if status != StatusCode::NOT_FOUND {
                    failures.push(format!("org {x}: page of person {id} → {status}"));
                }
            }
        }
        assert!(failures.is_empty(), "{url}:\n{}", failures.join("\n"));
    }
}
