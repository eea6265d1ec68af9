//! The targets page (一(二)) through HTTP on both databases: two charts as
//! accessible SVG with the data table behind them, the tables as CSV, the
//! same counts in the API.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::http::StatusCode;
use chrono::NaiveDate;
use common::{get_req, send, sign_in, with_session};
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_web::AppState;

#[tokio::test]
async fn the_targets_page_charts_the_counts_and_offers_them_as_csv_and_json() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()),
        );
        registry
            .load_demo(40, Some(30), 3, &|_, _| {})
            .await
            .unwrap();
        let app = gongyi_web::router(AppState::new(registry.clone()));
        let officer = sign_in(&registry, "t-officer", Role::Subdistrict, "310110021", "").await;

        let api = send(
            &app,
            &url,
            with_session(get_req("/api/v1/targets"), &officer),
        )
        .await;
        assert_eq!(api.status, StatusCode::OK, "{url}: {}", api.seen());
        let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        let years = v["years"].as_array().unwrap();
        assert_eq!(years.len(), 4, "{url}: 2021–2024");
        assert_eq!(v["organisations"]["more_than"], 1000, "{url}");
        let latest = years.last().unwrap();
        let by_sub: i64 = v["subdistricts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["organisations"].as_i64().unwrap())
            .sum();
        assert_eq!(by_sub, latest["organisations"].as_i64().unwrap(), "{url}");
        assert!(by_sub > 0, "{url}: demo organisations count");

        let page = send(&app, &url, with_session(get_req("/targets"), &officer)).await;
        assert_eq!(page.status, StatusCode::OK, "{url}: {}", page.seen());
        assert_eq!(page.body.matches("<svg").count(), 2, "{url}");
        assert!(page.body.contains("role=\"img\""), "{url}");
        assert!(page.body.contains("<title id=\"orgs-t\">"), "{url}");
        assert!(!page.body.contains("<script"), "{url}");
        let count = format!("<td class=\"num\">{}</td>", latest["organisations"]);
        assert!(
            page.body.contains(&count),
            "{url}: the table behind the chart"
        );

        let csv = send(
            &app,
            &url,
            with_session(get_req("/targets.csv?table=years"), &officer),
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK, "{url}");
        assert!(
            csv.bytes.starts_with(&[0xEF, 0xBB, 0xBF]),
            "{url}: BOM for Excel"
        );
        let text = csv.body.trim_start_matches('\u{feff}');
        assert_eq!(text.lines().count(), 5, "{url}: header and four years");
        assert!(text.starts_with("年度,"), "{url}");
        let subs = send(
            &app,
            &url,
            with_session(get_req("/targets.csv?table=subdistricts"), &officer),
        )
        .await;
        assert_eq!(
            subs.body.trim_start_matches('\u{feff}').lines().count(),
            13,
            "{url}"
        );
    }
}
