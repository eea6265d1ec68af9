//! The policy pages and API through the real router, on both databases:
//! the parameter list, the what-if simulation (a changed rent cap changes
//! the rent subsidy, nothing stored changes), the organisation page's
//! "可申请的扶持" section and the eligibility API with refusal reasons.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use gongyi_app::{Clock, Registry};
use gongyi_domain::history::{Inspection, InspectionResult};
use gongyi_domain::orgs::{OrgDraft, OrgKind, OrgStatus};
use gongyi_domain::policy::YearMonth;
use gongyi_domain::{CreditCode, Fen};
use serde_json::Value;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn code() -> CreditCode {
    let org8 = "MJ000421";
    let check = gongyi_domain::credit_code::org_code_check(org8.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org8}{check}")).unwrap()
}

/// A young district organisation whose first inspection was 基本合格, that
/// applied for the start-up subsidy and rents an office at 1,000 yuan a month
/// from March 2024.
async fn site(db: gongyi_testkit::Db) -> (Router, Registry) {
    let registry = Registry::new(db.clone(), Clock::fixed(d(2026, 1, 15)));
    let draft = OrgDraft {
        credit_code: code(),
        name: "上海市杨浦区扶持测试服务中心".into(),
        kind: OrgKind::PrivateNonEnterprise,
        community: false,
        fresh_graduate: false,
        subdistrict: "310110006".into(),
        registration_date: d(2024, 3, 1),
        registered_capital: Fen::yuan(100_000),
        service_fields: vec![],
        address: None,
        legal_representative: None,
        contact_phone: None,
        status: OrgStatus::Normal,
        stage: None,
    };
    let mut tx = db.begin().await.unwrap();
    let id = db
        .insert_org(&mut tx, &draft, &Default::default())
        .await
        .unwrap();
    let first = Inspection {
        year: 2024,
        result: InspectionResult::BasicallyQualified,
        date: Some(d(2025, 4, 1)),
    };
    db.insert_inspection(&mut tx, id, &first).await.unwrap();
    db.insert_startup_application(&mut tx, id, d(2025, 5, 1), Fen::yuan(8_000))
        .await
        .unwrap();
    for m in 3..=12 {
        let month = YearMonth::new(2024, m).unwrap();
        db.insert_lease(&mut tx, id, month, Fen::yuan(1_000))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let app = common::bureau_app(&registry).await;
    (app, registry)
}

async fn send(app: &Router, method: Method, uri: &str, form: Option<&str>) -> (StatusCode, String) {
    let mut req = Request::builder().method(method).uri(uri);
    let body = match form {
        Some(f) => {
            req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            Body::from(f.to_string())
        }
        None => Body::empty(),
    };
    let r = common::send(app, "policy", req.body(body).unwrap()).await;
    (r.status, r.body)
}

/// The `<tr>` of the simulation table whose first cells are `rule` and `title`
/// for the whole district.
fn district_row<'a>(body: &'a str, rule: &str) -> &'a str {
    let start = body
        .find(&format!("<td>{rule}</td><td>房租补贴</td><td>全区</td>"))
        .unwrap_or_else(|| panic!("no district row for {rule} in\n{body}"));
    let rest = &body[start..];
    &rest[..rest.find("</tr>").unwrap_or(rest.len())]
}

#[tokio::test]
async fn the_simulation_page_lists_parameters_and_shows_a_changed_rent_cap() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, registry) = site(db).await;

        let (status, body) = send(&app, Method::GET, "/policy/simulate", None).await;
        assert_eq!(status, StatusCode::OK, "{url}\n{body}");
        assert!(
            body.contains("name=\"rent.monthly_cap\" value=\"500.00\""),
            "{url}\n{body}"
        );
        assert!(body.contains("三(一)3"), "{url}: clauses are shown");

        // Ten months at 1,000 yuan: 500 a month in force, 800 simulated.
        let (status, body) = send(
            &app,
            Method::POST,
            "/policy/simulate",
            Some("year=2024&rent.monthly_cap=800&rating.5A=50000.00"),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{url}\n{body}");
        let row = district_row(&body, "R3");
        assert!(
            row.contains("<td>5,000.00</td><td>8,000.00</td><td>+3,000.00</td>"),
            "{url}: {row}"
        );
        assert!(
            body.contains("rent.monthly_cap = 800"),
            "{url}: the change is named"
        );
        assert!(
            !body.contains("rating.5A = "),
            "{url}: an unchanged value is no override"
        );
        assert!(body.contains("平凉路街道"), "{url}: per sub-district");

        // A bad value is explained next to its input and kept as typed.
        let (status, body) = send(
            &app,
            Method::POST,
            "/policy/simulate",
            Some("year=2024&rent.monthly_cap=abc"),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}\n{body}");
        assert!(body.contains("value=\"abc\""), "{url}: input kept");
        assert!(body.contains("rent.monthly_cap"), "{url}");

        // Nothing stored changed: the figures in force are as before.
        let run = registry
            .evaluate_policy(gongyi_domain::policy::Window::year(2024), &[])
            .await
            .unwrap();
        let r3 = run
            .totals()
            .rules
            .iter()
            .find(|r| r.rule.code() == "R3")
            .unwrap()
            .all;
        assert_eq!((r3.rows, r3.total), (10, Fen::yuan(5_000)), "{url}");

        let (status, body) = send(&app, Method::GET, "/policy", None).await;
        assert_eq!(status, StatusCode::OK, "{url}\n{body}");
        // Parameters by their Chinese names and values as people read
        // them; no codes (`rent.monthly_cap`, `none`, `MUNICIPAL`).
        assert!(
            body.contains("房租补贴每月上限") && body.contains("500.00 元"),
            "{url}"
        );
        for code in ["rent.monthly_cap", ">none<", "MUNICIPAL", "yangpu-2021"] {
            assert!(!body.contains(code), "{url}: {code} on the page");
        }
        assert!(body.contains("不补贴") && body.contains("市级"), "{url}");
    }
}

#[tokio::test]
async fn eligibility_explains_a_refusal_after_a_basically_qualified_first_inspection() {
    for (db, url) in gongyi_testkit::databases().await {
        let (app, _) = site(db).await;
        let c = code();
        let (status, body) = send(
            &app,
            Method::GET,
            &format!("/api/v1/organizations/{}/eligibility", c.as_str()),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{url}\n{body}");
        let v: Value = serde_json::from_str(&body).unwrap();
        let decisions = v["decisions"].as_array().unwrap();
        let r2 = decisions
            .iter()
            .find(|x| x["rule"] == "R2")
            .unwrap_or_else(|| panic!("{url}: no R2 decision in {body}"));
        assert_eq!(r2["outcome"], "refused", "{url}: {r2}");
        assert_eq!(
            r2["code"], "startup.first_inspection_not_qualified",
            "{url}: {r2}"
        );
        assert!(
            r2["message"].as_str().unwrap().contains("基本合格"),
            "{url}: {r2}"
        );
        assert_eq!(r2["event_key"], "2025-05-01", "{url}: {r2}");
        let rent: Vec<_> = decisions.iter().filter(|x| x["rule"] == "R3").collect();
        assert_eq!(rent.len(), 10, "{url}: every month is decided");
        assert!(rent.iter().all(|x| x["amount_fen"] == 50_000), "{url}");

        let (status, body) = send(&app, Method::GET, &format!("/orgs/{}", c.as_str()), None).await;
        assert_eq!(status, StatusCode::OK, "{url}\n{body}");
        assert!(body.contains("可申请的扶持"), "{url}");
        assert!(body.contains("首次年检结果为基本合格"), "{url}\n{body}");

        let (status, body) = send(
            &app,
            Method::GET,
            "/api/v1/organizations/513101100000000000/eligibility",
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{url}\n{body}");
    }
}
