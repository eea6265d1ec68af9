//! The yearly cycle through HTTP with each role's own session, on both
//! databases: an organisation files its report section by section, submits
//! it late, the sub-district returns it, the organisation mends and
//! resubmits, the sub-district passes it, the bureau concludes; and the
//! effects: the year's inspection and finance facts, the late mark, the
//! public summary, and each desk showing exactly the work of its scope.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use chrono::NaiveDate;
use common::{form_req, get_req, json_req, send, with_session, Signed};
use gongyi_app::annual_report::ReportSettings;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_domain::annual_report::FilingWindow;
use gongyi_domain::credit_code::{org_code_check, CreditCode};
use gongyi_domain::history::InspectionResult;
use gongyi_web::AppState;
use serde_json::json;

const SUB_1: &str = "310110012";
const SUB_2: &str = "310110016";

fn credit_code(n: u32) -> String {
    let org = format!("NB{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn multipart(name: &str, file_name: &str, bytes: &[u8]) -> Body {
    let mut b = format!(
        "--X\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    b.extend_from_slice(bytes);
    b.extend_from_slice(b"\r\n--X--\r\n");
    Body::from(b)
}

/// The sections as an organisation would type them; `total` is the total income.
fn sections(total: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let s = |v: &str| v.to_string();
    vec![
        (
            "basic",
            vec![
                ("address", s("杨浦区控江路 1000 号")),
                ("legal_representative", s("张伟")),
                ("contact_name", s("李娜")),
            ],
        ),
        (
            "finance",
            vec![
                ("income_government", s("100,000")),
                ("income_donations", s("20000.50")),
                ("income_business", s("0")),
                ("income_subsidies", s("9999.50")),
                ("income_other", s("0")),
                ("total_income", s(total)),
                ("expenses", s("120000")),
                ("net_assets", s("35000")),
            ],
        ),
        (
            "people",
            vec![
                ("staff", s("4")),
                ("social_workers", s("2")),
                ("volunteers", s("30")),
                ("volunteer_hours", s("1200")),
            ],
        ),
        (
            "activities",
            vec![
                ("services", s("48")),
                ("beneficiaries", s("1500")),
                (
                    "activity_summary",
                    s("为控江路街道老年人提供助餐和探访服务"),
                ),
            ],
        ),
        (
            "party",
            vec![
                ("party_form", s("联合")),
                ("party_members", s("3")),
                ("party_plan", s("1")),
                ("party_in_charter", s("1")),
            ],
        ),
        (
            "major",
            vec![
                ("large_expenses", s("无")),
                ("large_donations", s("无")),
                ("foreign_activities", s("无")),
                ("registered_changes", s("住所变更")),
            ],
        ),
    ]
}

struct World {
    app: axum::Router,
    registry: Registry,
    bureau: Signed,
    officer: Signed,
    other_officer: Signed,
    org: Signed,
    other_org: Signed,
    finance: Signed,
    on: &'static str,
}

impl World {
    async fn call(&self, who: &Signed, req: Request<Body>) -> common::Reply {
        send(&self.app, self.on, with_session(req, who)).await
    }

    async fn report(&self, who: &Signed, id: i64) -> serde_json::Value {
        let r = self
            .call(who, get_req(&format!("/api/v1/annual-reports/{id}")))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.seen());
        r.json()
    }

    /// Opens the report of `year` for `who`, fills every section through the
    /// API and submits it; returns its id.
    async fn file(&self, who: &Signed, year: i32) -> i64 {
        let on = self.on;
        let r = self
            .call(
                who,
                json_req(
                    Method::POST,
                    "/api/v1/annual-reports",
                    &json!({ "year": year }).to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{on}: {}", r.seen());
        let id = r.json()["report"]["id"].as_i64().unwrap();
        for (section, fields) in sections("130000") {
            let fields: std::collections::BTreeMap<_, _> = fields.into_iter().collect();
            let r = self
                .call(
                    who,
                    json_req(
                        Method::PUT,
                        &format!("/api/v1/annual-reports/{id}/sections/{section}"),
                        &json!({ "fields": fields }).to_string(),
                    ),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{on} {section}: {}", r.seen());
        }
        let r = self
            .call(
                who,
                json_req(
                    Method::POST,
                    &format!("/api/v1/annual-reports/{id}/submit"),
                    r#"{"declaration": true}"#,
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        id
    }

    /// The officer passes the report, the bureau concludes it `result`.
    async fn conclude(&self, id: i64, result: &str) {
        let on = self.on;
        let r = self
            .call(
                &self.officer,
                json_req(
                    Method::POST,
                    &format!("/api/v1/annual-reports/{id}/review"),
                    r#"{"decision": "pass"}"#,
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        let r = self
            .call(
                &self.bureau,
                json_req(
                    Method::POST,
                    &format!("/api/v1/annual-reports/{id}/conclude"),
                    &json!({"result": result, "reasons": "材料齐全"}).to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
    }

    async fn desk(&self, who: &Signed) -> String {
        let r = self.call(who, get_req("/")).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.seen());
        r.body
    }
}

async fn world(db: gongyi_testkit::Db) -> World {
    // 10 June 2025: the 2024 report is due by 31 May, so it is filed late.
    world_on(db, (2025, 6, 10), ReportSettings::default()).await
}

async fn world_on(
    db: gongyi_testkit::Db,
    (y, m, d): (i32, u32, u32),
    settings: ReportSettings,
) -> World {
    let on = common::backend_name(&db);
    let registry = Registry::new(db, Clock::fixed(NaiveDate::from_ymd_opt(y, m, d).unwrap()))
        .with_report_settings(settings);
    let app = gongyi_web::router(AppState::new(registry.clone()));
    let bureau = common::sign_in(&registry, "bureau-1", Role::Bureau, "", "").await;
    for (n, sub) in [(1, SUB_1), (2, SUB_2)] {
        let r = send(
            &app,
            on,
            with_session(
                json_req(
                    Method::POST,
                    "/api/v1/organizations",
                    &json!({
                        "credit_code": credit_code(n), "name": format!("杨浦区年报测试服务社{n}"),
                        "kind": "PRIVATE_NON_ENTERPRISE", "community": true, "subdistrict": sub,
                        "registration_date": "2023-03-01", "registered_capital_fen": 3_000_000,
                    })
                    .to_string(),
                ),
                &bureau,
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{on}: {}", r.seen());
    }
    World {
        officer: common::sign_in(&registry, "officer-1", Role::Subdistrict, SUB_1, "").await,
        other_officer: common::sign_in(&registry, "officer-2", Role::Subdistrict, SUB_2, "").await,
        org: common::sign_in(&registry, "org-1", Role::Organisation, "", &credit_code(1)).await,
        other_org: common::sign_in(&registry, "org-2", Role::Organisation, "", &credit_code(2))
            .await,
        finance: common::sign_in(&registry, "finance-1", Role::Finance, "", "").await,
        bureau,
        app,
        registry,
        on,
    }
}

#[tokio::test]
async fn a_report_goes_from_draft_to_conclusion_and_becomes_the_years_facts() {
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world(db).await;
        let on = w.on;

        // The organisation opens its 2024 report; a second one is refused.
        let r = w
            .call(
                &w.org,
                json_req(Method::POST, "/api/v1/annual-reports", r#"{"year": 2024}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{on}: {}", r.seen());
        let id = r.json()["report"]["id"].as_i64().unwrap();
        let again = w
            .call(
                &w.org,
                json_req(Method::POST, "/api/v1/annual-reports", r#"{"year": 2024}"#),
            )
            .await;
        assert_eq!(
            again.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            again.seen()
        );
        assert!(
            again.body.contains("annual_report.duplicate"),
            "{on}: {}",
            again.seen()
        );
        // The report year 2025 cannot be filed before 2026.
        let early = w
            .call(
                &w.org,
                json_req(Method::POST, "/api/v1/annual-reports", r#"{"year": 2025}"#),
            )
            .await;
        assert_eq!(
            early.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            early.seen()
        );

        // Another organisation and another sub-district do not see it.
        for who in [&w.other_org, &w.other_officer] {
            let r = w.call(who, get_req(&format!("/annual-reports/{id}"))).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}: {}", r.seen());
        }
        let r = w
            .call(
                &w.other_org,
                json_req(
                    Method::PUT,
                    &format!("/api/v1/annual-reports/{id}/sections/people"),
                    r#"{"fields": {"staff": "1"}}"#,
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}: {}", r.seen());

        // Submitting the empty report lists every missing field in Chinese.
        let r = w
            .call(
                &w.org,
                json_req(
                    Method::POST,
                    &format!("/api/v1/annual-reports/{id}/submit"),
                    r#"{"declaration": true}"#,
                ),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            r.seen()
        );
        let missing = r.json()["fields"].as_array().unwrap().len();
        assert!(missing >= 20, "{on}: only {missing} missing: {}", r.seen());
        assert!(
            r.body.contains("请填写“财务状况”中的收入合计"),
            "{on}: {}",
            r.seen()
        );

        // Each section saved from its form; the total does not add up yet.
        for (section, fields) in sections("129000") {
            let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = w
                .call(
                    &w.org,
                    form_req(&format!("/annual-reports/{id}/sections/{section}"), &pairs),
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::SEE_OTHER,
                "{on} {section}: {}",
                r.seen()
            );
        }
        let r = w
            .call(
                &w.org,
                form_req(
                    &format!("/annual-reports/{id}/submit"),
                    &[("declaration", "1")],
                ),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            r.seen()
        );
        assert!(
            r.body.contains("各项收入之和 130,000.00 元")
                || r.body.contains("各项收入之和 130000.00 元"),
            "{on}: {}",
            r.seen()
        );
        // Without the declaration of truth nothing is submitted.
        let r = w
            .call(
                &w.org,
                form_req(&format!("/annual-reports/{id}/submit"), &[]),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            r.seen()
        );

        // The accounts: an executable named .pdf is refused by its content.
        let bad = w
            .call(
                &w.org,
                Request::post(format!("/annual-reports/{id}/accounts"))
                    .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
                    .body(multipart("accounts", "审计报告.pdf", b"MZ\x90\x00\x03"))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            bad.seen()
        );
        assert!(
            bad.body.contains("不是 PDF、JPG 或 PNG 文件"),
            "{on}: {}",
            bad.seen()
        );
        let big = vec![b'%'; 2 * 1024 * 1024 - 4096];
        let too_big = w
            .call(
                &w.org,
                Request::post(format!("/annual-reports/{id}/accounts"))
                    .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
                    .body(multipart("accounts", "big.pdf", &big))
                    .unwrap(),
            )
            .await;
        assert_eq!(
            too_big.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            too_big.seen()
        );
        assert!(
            too_big.body.contains("超过上限"),
            "{on}: {}",
            too_big.seen()
        );
        let ok = w
            .call(
                &w.org,
                Request::post(format!("/annual-reports/{id}/accounts"))
                    .header(header::CONTENT_TYPE, "multipart/form-data; boundary=X")
                    .body(multipart("accounts", "审计报告.pdf", b"%PDF-1.7 audited"))
                    .unwrap(),
            )
            .await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{on}: {}", ok.seen());

        // Mended and submitted after the deadline: marked late.
        let r = w
            .call(
                &w.org,
                json_req(
                    Method::PUT,
                    &format!("/api/v1/annual-reports/{id}/sections/finance"),
                    &json!({"fields": sections("130000").into_iter().find(|(s, _)| *s == "finance").unwrap().1
                        .into_iter().map(|(k, v)| (k, if k == "total_income" { "130,000".to_string() } else { v }))
                        .collect::<std::collections::BTreeMap<_, _>>()}).to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        assert_eq!(
            r.json()["report"]["fields"]["total_income_fen"],
            13_000_000,
            "{on}"
        );
        let r = w
            .call(
                &w.org,
                form_req(
                    &format!("/annual-reports/{id}/submit"),
                    &[("declaration", "1")],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let v = w.report(&w.org, id).await;
        assert_eq!(v["report"]["status"], "SUBMITTED", "{on}");
        assert_eq!(v["report"]["late"], true, "{on}");

        // Editing after submission is refused.
        let r = w
            .call(
                &w.org,
                form_req(
                    &format!("/annual-reports/{id}/sections/people"),
                    &[("staff", "9")],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{on}: {}", r.seen());

        // The desks: the officer of the area has one report to review, the
        // other officer none; the organisation sees its state and deadline.
        let desk = w.desk(&w.officer).await;
        assert!(
            desk.contains("待初审的年报") && desk.contains("data-count=\"1\""),
            "{on}: {desk}"
        );
        let other = w.desk(&w.other_officer).await;
        assert!(other.contains("待初审的年报 <b>0</b>"), "{on}: {other}");
        let own = w.desk(&w.org).await;
        assert!(
            own.contains("已提交") && own.contains("2025-05-31"),
            "{on}: {own}"
        );
        assert!(!own.contains("待初审的年报"), "{on}: {own}");

        // The sub-district returns it with a reason for the finances.
        let r = w
            .call(
                &w.officer,
                form_req(
                    &format!("/annual-reports/{id}/review"),
                    &[
                        ("decision", "return"),
                        ("reason_finance", "请补充审计报告的签章页"),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let v = w.report(&w.org, id).await;
        assert_eq!(v["report"]["status"], "RETURNED", "{on}");
        assert_eq!(v["returned"]["finance"], "请补充审计报告的签章页", "{on}");
        let page = w
            .call(&w.org, get_req(&format!("/annual-reports/{id}")))
            .await;
        assert!(
            page.body.contains("退回补正:请补充审计报告的签章页"),
            "{on}"
        );
        let own = w.desk(&w.org).await;
        assert!(
            own.contains("退回补正") && own.contains("财务状况</a>:请补充审计报告的签章页"),
            "{on}: {own}"
        );

        // Resubmitted; the late mark stays.
        let r = w
            .call(
                &w.org,
                form_req(
                    &format!("/annual-reports/{id}/submit"),
                    &[("declaration", "1")],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());

        // The bureau cannot pass the first review; the officer can.
        let r = w
            .call(
                &w.bureau,
                form_req(
                    &format!("/annual-reports/{id}/review"),
                    &[("decision", "pass")],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{on}: {}", r.seen());
        let r = w
            .call(
                &w.officer,
                form_req(
                    &format!("/annual-reports/{id}/review"),
                    &[("decision", "pass")],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let desk = w.desk(&w.bureau).await;
        assert!(desk.contains("待作出年检结论的年报"), "{on}: {desk}");

        // 不合格 needs reasons; then the bureau concludes 合格.
        let r = w
            .call(
                &w.bureau,
                form_req(
                    &format!("/annual-reports/{id}/conclude"),
                    &[("result", "UNQUALIFIED")],
                ),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            r.seen()
        );
        let r = w
            .call(
                &w.bureau,
                form_req(
                    &format!("/annual-reports/{id}/conclude"),
                    &[("result", "QUALIFIED")],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let v = w.report(&w.bureau, id).await;
        assert_eq!(v["report"]["status"], "CONCLUDED", "{on}");
        assert_eq!(v["report"]["conclusion"], "QUALIFIED", "{on}");
        assert_eq!(v["report"]["late"], true, "{on}");

        // The year's facts: the inspection and the finances.
        let page = w.registry.org_page(&credit_code(1)).await.unwrap();
        let i = page
            .history
            .inspections
            .iter()
            .find(|i| i.year == 2024)
            .unwrap();
        assert_eq!(i.result, InspectionResult::Qualified, "{on}");
        let f = page
            .history
            .finances
            .iter()
            .find(|f| f.year == 2024)
            .unwrap();
        assert_eq!(f.total_revenue_fen, 13_000_000, "{on}");
        assert_eq!(f.government_purchase_fen, 10_000_000, "{on}");
        assert_eq!(f.staff, 4, "{on}");

        // The public summary appears on the profile and in the open data.
        let public = send(
            &w.app,
            on,
            get_req(&format!("/public/orgs/{}", credit_code(1))),
        )
        .await;
        assert_eq!(public.status, StatusCode::OK, "{on}: {}", public.seen());
        assert!(
            public.body.contains("年报公示") && public.body.contains("130,000.00"),
            "{on}: {}",
            public.seen()
        );
        assert!(
            !public.body.contains("李娜"),
            "{on}: the contact is personal data"
        );
        let api = send(
            &w.app,
            on,
            get_req(&format!("/api/v1/public/organizations/{}", credit_code(1))),
        )
        .await;
        let j = api.json();
        assert_eq!(j["annual_reports"][0]["year"], 2024, "{on}: {}", api.seen());
        assert_eq!(
            j["annual_reports"][0]["total_income_fen"], 13_000_000,
            "{on}"
        );
        assert_eq!(j["annual_reports"][0]["late"], true, "{on}");

        // The accounts are served as a download, with their sniffed type.
        let file = w
            .call(
                &w.officer,
                get_req(&format!("/annual-reports/{id}/accounts")),
            )
            .await;
        assert_eq!(file.status, StatusCode::OK, "{on}");
        assert_eq!(
            file.header("content-type").as_deref(),
            Some("application/pdf")
        );
        assert!(file
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment;"));

        // Progress: sub-district 1 has one concluded (late) report, 2 one unfiled.
        let p = w
            .call(&w.bureau, get_req("/annual-reports/progress?year=2024"))
            .await;
        assert_eq!(p.status, StatusCode::OK, "{on}: {}", p.seen());
        assert!(
            p.body
                .contains(&format!("subdistrict={SUB_2}&#38;status=NOT_BEGUN\">1</a>")),
            "{on}: {}",
            p.seen()
        );
        assert!(
            p.body
                .contains(&format!("subdistrict={SUB_1}&#38;status=CONCLUDED\">1</a>")),
            "{on}: {}",
            p.seen()
        );
        let unfiled = w
            .call(
                &w.bureau,
                get_req(&format!(
                    "/annual-reports?year=2024&subdistrict={SUB_2}&status=UNFILED"
                )),
            )
            .await;
        assert!(
            unfiled.body.contains("杨浦区年报测试服务社2"),
            "{on}: {}",
            unfiled.seen()
        );
        assert!(!unfiled.body.contains("杨浦区年报测试服务社1"), "{on}");

        // Finance's desk has nothing of the reports.
        let fin = w.desk(&w.finance).await;
        assert!(
            fin.contains("待拨付") && !fin.contains("年报"),
            "{on}: {fin}"
        );
    }
}

#[tokio::test]
async fn a_configured_deadline_decides_which_filings_are_late() {
    for (db, _url) in gongyi_testkit::databases().await {
        // 10 April 2025: on time under the default 31 May, late under 31 March.
        let settings = ReportSettings {
            window: FilingWindow::parse("03-31").unwrap(),
            ..ReportSettings::default()
        };
        let w = world_on(db, (2025, 4, 10), settings).await;
        let on = w.on;
        let id = w.file(&w.org, 2024).await;
        let v = w.report(&w.org, id).await;
        assert_eq!(v["report"]["late"], true, "{on}: {v}");
        let own = w.desk(&w.org).await;
        assert!(own.contains("2025-03-31"), "{on}: {own}");
    }
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world_on(db, (2025, 4, 10), ReportSettings::default()).await;
        let on = w.on;
        let id = w.file(&w.org, 2024).await;
        let v = w.report(&w.org, id).await;
        assert_eq!(v["report"]["late"], false, "{on}: {v}");
    }
}

#[tokio::test]
async fn an_organisation_that_never_filed_is_unfiled_and_its_inspection_cannot_be_qualified() {
    for (db, _url) in gongyi_testkit::databases().await {
        // 10 June 2025, past the deadline: organisation 1 filed (late), 2 never did.
        let w = world(db).await;
        let on = w.on;
        w.file(&w.org, 2024).await;

        // Progress: sub-district 2's one organisation is 未报送, a link to the list.
        let p = w
            .call(&w.bureau, get_req("/annual-reports/progress?year=2024"))
            .await;
        assert!(
            p.body.contains("<th scope=\"col\">未报送</th>"),
            "{on}: {}",
            p.body
        );
        let row = p
            .body
            .split("<tr>")
            .find(|r| r.contains(&format!("subdistrict={SUB_2}")))
            .unwrap();
        assert!(
            row.contains(&format!("subdistrict={SUB_2}&#38;status=NOT_BEGUN\">1</a>"))
                && row.contains(&format!("subdistrict={SUB_2}&#38;status=OVERDUE\">1</a>")),
            "{on}: 未填报 and 未报送 both 1: {row}"
        );
        let list = w
            .call(
                &w.bureau,
                get_req(&format!(
                    "/annual-reports?year=2024&subdistrict={SUB_2}&status=UNFILED"
                )),
            )
            .await;
        assert!(
            list.body.contains("2024 年度未报送的组织")
                && list.body.contains("<td>未报送</td>")
                && list.body.contains("杨浦区年报测试服务社2"),
            "{on}: {}",
            list.body
        );
        // Its own desk says so; the organisation that filed does not read it.
        let own = w.desk(&w.other_org).await;
        assert!(own.contains("未报送"), "{on}: {own}");
        assert!(!w.desk(&w.org).await.contains("未报送"), "{on}");

        // 合格 is refused on the history path (API and page) …
        let code2 = credit_code(2);
        let r = w
            .call(
                &w.bureau,
                json_req(
                    Method::POST,
                    &format!("/api/v1/organizations/{code2}/inspections"),
                    r#"{"year": "2024", "result": "QUALIFIED", "date": "2025-06-10"}"#,
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{on}: {}", r.seen());
        assert_eq!(
            r.json()["fields"][0]["code"],
            "annual_report.unfiled_qualified",
            "{on}"
        );
        assert!(r.body.contains("未报送年报的组织"), "{on}: {}", r.seen());
        let page = w
            .call(
                &w.bureau,
                form_req(
                    &format!("/orgs/{code2}/history/inspections"),
                    &[
                        ("year", "2024"),
                        ("result", "QUALIFIED"),
                        ("date", "2025-06-10"),
                    ],
                ),
            )
            .await;
        assert_eq!(page.status, StatusCode::CONFLICT, "{on}: {}", page.seen());
        assert!(page.body.contains("年检不能为合格"), "{on}: {}", page.body);
        // … and on the report path; 不合格 with reasons is recorded there.
        let r = w
            .call(
                &w.bureau,
                json_req(
                    Method::POST,
                    "/api/v1/annual-reports/unfiled-conclusions",
                    &json!({"credit_code": code2, "year": "2024", "result": "QUALIFIED"})
                        .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{on}: {}", r.seen());
        assert_eq!(
            r.json()["fields"][0]["code"],
            "annual_report.unfiled_qualified",
            "{on}"
        );
        let r = w
            .call(
                &w.bureau,
                form_req(
                    "/annual-reports/unfiled-conclusions",
                    &[
                        ("credit_code", &code2),
                        ("year", "2024"),
                        ("result", "QUALIFIED"),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{on}: {}", r.seen());
        assert!(r.body.contains("年检不能为合格"), "{on}: {}", r.body);
        // The organisation that filed may not be concluded as unfiled.
        let r = w
            .call(
                &w.bureau,
                json_req(
                    Method::POST,
                    "/api/v1/annual-reports/unfiled-conclusions",
                    &json!({"credit_code": credit_code(1), "year": "2024",
                            "result": "UNQUALIFIED", "reasons": "未报送"})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(
            r.json()["fields"][0]["code"],
            "annual_report.filed",
            "{on}: {}",
            r.seen()
        );
        let r = w
            .call(
                &w.bureau,
                form_req(
                    "/annual-reports/unfiled-conclusions",
                    &[
                        ("credit_code", &code2),
                        ("year", "2024"),
                        ("result", "UNQUALIFIED"),
                        ("reasons", "未按期报送年度报告"),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let page = w.registry.org_page(&code2).await.unwrap();
        let i = page
            .history
            .inspections
            .iter()
            .find(|i| i.year == 2024)
            .unwrap();
        assert_eq!(i.result, InspectionResult::Unqualified, "{on}");
        // Another sub-district's officer may not conclude at all.
        let r = w
            .call(
                &w.officer,
                json_req(
                    Method::POST,
                    "/api/v1/annual-reports/unfiled-conclusions",
                    &json!({"credit_code": code2, "year": "2024", "result": "UNQUALIFIED",
                            "reasons": "x"})
                    .to_string(),
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{on}: {}", r.seen());
    }
}

#[tokio::test]
async fn filing_progress_exports_to_excel_and_every_number_links_to_its_list() {
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world(db).await;
        let on = w.on;
        // Organisation 1 files late; organisation 2 keeps a draft (未报送 now).
        w.file(&w.org, 2024).await;
        let r = w
            .call(
                &w.other_org,
                json_req(Method::POST, "/api/v1/annual-reports", r#"{"year": 2024}"#),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{on}: {}", r.seen());

        let x = w
            .call(
                &w.bureau,
                get_req("/annual-reports/progress.xlsx?year=2024"),
            )
            .await;
        assert_eq!(x.status, StatusCode::OK, "{on}: {}", x.seen());
        assert!(x
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment;"));
        use calamine::Reader as _;
        let mut book: calamine::Xlsx<_> =
            calamine::Xlsx::new(std::io::Cursor::new(x.bytes.clone())).unwrap();
        let sheet = book.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        let heads = [
            "街道",
            "应报",
            "未填报",
            "草稿",
            "已提交",
            "退回补正",
            "初审通过",
            "已结论",
            "逾期报送",
            "未报送",
        ];
        assert_eq!(rows[0], heads, "{on}");
        let line = |name: &str| {
            rows.iter()
                .find(|r| r[0].contains(name))
                .unwrap_or_else(|| panic!("{on}: no line {name}: {rows:?}"))
                .clone()
        };
        let total = line("合计");
        // due 2; 未填报 0; 草稿 1; 已提交 1; 退回 0; 初审 0; 已结论 0; 逾期 1; 未报送 1.
        assert_eq!(
            total[1..],
            ["2", "0", "1", "1", "0", "0", "0", "1", "1"],
            "{on}: {rows:?}"
        );
        assert_eq!(rows.len(), 4, "{on}: two areas and the total: {rows:?}");

        // The page's numbers are the workbook's and each opens its list.
        let p = w
            .call(&w.bureau, get_req("/annual-reports/progress?year=2024"))
            .await;
        assert!(
            p.body.contains("/annual-reports/progress.xlsx?year=2024"),
            "{on}"
        );
        let links: Vec<(String, String)> = p
            .body
            .split("<a href=\"")
            .skip(1)
            .filter_map(|a| {
                let (href, rest) = a.split_once("\">")?;
                let (n, _) = rest.split_once("</a>")?;
                href.starts_with("/annual-reports?").then(|| {
                    (
                        href.replace("&#38;", "&").replace("&amp;", "&"),
                        n.to_string(),
                    )
                })
            })
            .collect();
        assert_eq!(links.len(), 3 * 9, "{on}: {links:?}");
        for (href, n) in &links {
            let n: i64 = n.parse().unwrap();
            let list = w.call(&w.bureau, get_req(href)).await;
            assert_eq!(list.status, StatusCode::OK, "{on} {href}");
            let shown = list
                .body
                .split("共 ")
                .nth(1)
                .and_then(|t| t.split(' ').next())
                .unwrap()
                .parse::<i64>()
                .unwrap();
            assert_eq!(shown, n, "{on}: {href} lists {shown}, the page says {n}");
        }
        // Sub-districts and organisations have no progress export.
        for who in [&w.officer, &w.org] {
            let r = w
                .call(who, get_req("/annual-reports/progress.xlsx?year=2024"))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{on}");
        }
    }
}

#[tokio::test]
async fn a_concluded_reports_summary_is_open_data_without_personal_data() {
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world(db).await;
        let on = w.on;
        let id = w.file(&w.org, 2024).await;
        // Not concluded yet: nothing is published.
        let code = credit_code(1);
        let r = send(
            &w.app,
            on,
            get_req("/api/v1/public/annual-reports?year=2024"),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        assert_eq!(r.json()["total"], 0, "{on}");
        w.conclude(id, "QUALIFIED").await;

        let r = send(
            &w.app,
            on,
            get_req(&format!(
                "/api/v1/public/organizations/{code}/annual-reports"
            )),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        let j = r.json();
        assert_eq!(j["items"][0]["year"], 2024, "{on}: {j}");
        assert_eq!(j["items"][0]["conclusion"], "QUALIFIED", "{on}");
        assert_eq!(j["items"][0]["total_income_fen"], 13_000_000, "{on}");
        assert_eq!(j["items"][0]["staff"], 4, "{on}");
        assert!(r.header("etag").is_some(), "{on}");
        let r = send(
            &w.app,
            on,
            get_req("/api/v1/public/annual-reports?year=2024&per_page=10"),
        )
        .await;
        let j = r.json();
        assert_eq!(j["total"], 1, "{on}: {j}");
        assert_eq!(j["items"][0]["credit_code"], code.as_str(), "{on}");
        assert_eq!(j["items"][0]["late"], true, "{on}");
        let r = send(
            &w.app,
            on,
            get_req("/api/v1/public/annual-reports?year=2023"),
        )
        .await;
        assert_eq!(r.json()["total"], 0, "{on}");
        let r = send(
            &w.app,
            on,
            get_req("/api/v1/public/annual-reports?year=2024&per_page=201"),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            r.seen()
        );

        // The OpenAPI document names both operations.
        let doc = send(&w.app, on, get_req("/api/v1/openapi.json"))
            .await
            .json();
        for path in [
            "/api/v1/public/organizations/{code}/annual-reports",
            "/api/v1/public/annual-reports",
        ] {
            assert!(
                doc["paths"][path]["get"].is_object(),
                "{on}: {path} not documented"
            );
        }

        // The downloads of the year carry the same summary.
        for ext in ["csv", "jsonl", "xlsx"] {
            let r = send(
                &w.app,
                on,
                get_req(&format!("/public/annual-reports-2024.{ext}")),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{on} {ext}: {}", r.seen());
            let text = if ext == "xlsx" {
                use calamine::Reader as _;
                let mut book: calamine::Xlsx<_> =
                    calamine::Xlsx::new(std::io::Cursor::new(r.bytes.clone())).unwrap();
                let sheet = book.worksheet_range_at(0).unwrap().unwrap();
                sheet
                    .rows()
                    .map(|r| {
                        r.iter()
                            .map(|c| c.to_string())
                            .collect::<Vec<_>>()
                            .join(",")
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                r.body.clone()
            };
            assert!(
                text.contains(&code) && (text.contains("130000.00") || text.contains("13000000")),
                "{on} {ext}: {text}"
            );
            assert_eq!(text.matches(&code).count(), 1, "{on} {ext}: {text}");
            for personal in ["张伟", "李娜"] {
                assert!(!text.contains(personal), "{on} {ext}: {personal} published");
            }
        }
        let data = send(&w.app, on, get_req("/public/data")).await;
        assert!(
            data.body.contains("/public/annual-reports-2024.csv"),
            "{on}"
        );
        let r = send(&w.app, on, get_req("/public/annual-reports-20x4.csv")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}");
    }
}

/// The count of the desk's line `label`, `None` when the desk has no such line.
fn desk_count(desk: &str, label: &str) -> Option<i64> {
    desk.split("<li data-count=\"").skip(1).find_map(|li| {
        let (n, rest) = li.split_once('"')?;
        let text = rest.split("</li>").next()?;
        (text.contains(&format!(">{label}<")) || text.contains(&format!("{label} <b>")))
            .then(|| n.parse().unwrap())
    })
}

/// The links of the desk itself (not the navigation), as `(href, text)`.
fn desk_links(page: &str) -> Vec<String> {
    let main = page.split("<main").nth(1).unwrap_or(page);
    let desk = main
        .split("杨浦区社会组织公益数据库")
        .next()
        .unwrap_or(main);
    desk.split("<a href=\"")
        .skip(1)
        .filter_map(|a| a.split_once('"').map(|(h, _)| h.replace("&amp;", "&")))
        .filter(|h| h.starts_with('/'))
        .collect()
}

#[tokio::test]
async fn each_roles_desk_lists_exactly_the_work_of_its_scope_and_links_only_to_what_it_may_do() {
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world(db).await;
        let on = w.on;
        // Area 1: a report submitted; area 2: a report passed, for the bureau.
        w.file(&w.org, 2024).await;
        let id2 = w.file(&w.other_org, 2024).await;
        let r = w
            .call(
                &w.other_officer,
                json_req(
                    Method::POST,
                    &format!("/api/v1/annual-reports/{id2}/review"),
                    r#"{"decision": "pass"}"#,
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        // Declarations: two of organisation 1 (one returned by the bureau),
        // one of organisation 2.
        for (who, code, day) in [
            (&w.org, credit_code(1), 1),
            (&w.org, credit_code(1), 2),
            (&w.other_org, credit_code(2), 3),
        ] {
            let r = w
                .call(
                    who,
                    json_req(
                        Method::POST,
                        &format!("/api/v1/organizations/{code}/party-building"),
                        &json!({"date": format!("2025-05-0{day}"), "has_party_org": false,
                                "members": "0"})
                        .to_string(),
                    ),
                )
                .await;
            assert!(r.status.is_success(), "{on}: {}", r.seen());
        }
        let list = w
            .call(&w.bureau, get_req("/api/v1/declarations"))
            .await
            .json();
        let first = list
            .as_array()
            .or_else(|| list["items"].as_array())
            .unwrap()
            .iter()
            .filter(|d| d.to_string().contains(&credit_code(1)))
            .map(|d| d["id"].as_i64().unwrap())
            .min()
            .unwrap();
        let r = w
            .call(
                &w.bureau,
                json_req(
                    Method::POST,
                    &format!("/api/v1/declarations/{first}/return"),
                    r#"{"reason": "请补充党员名单"}"#,
                ),
            )
            .await;
        assert!(r.status.is_success(), "{on}: {}", r.seen());

        let reviewer = common::sign_in(&w.registry, "reviewer-1", Role::Reviewer, "", "").await;
        let sysadmin = common::sign_in(&w.registry, "sysadmin-1", Role::SystemAdmin, "", "").await;
        let auditor = common::sign_in(&w.registry, "audit-1", Role::AuditAdmin, "", "").await;

        let officer = w.desk(&w.officer).await;
        let other = w.desk(&w.other_officer).await;
        let bureau = w.desk(&w.bureau).await;
        let org1 = w.desk(&w.org).await;
        let org2 = w.desk(&w.other_org).await;
        let finance = w.desk(&w.finance).await;
        let rev = w.desk(&reviewer).await;
        let admin = w.desk(&sysadmin).await;
        let audit = w.desk(&auditor).await;
        let expect = [
            ("officer", &officer, "待初审的年报", Some(1)),
            ("officer", &officer, "待核实的申报", Some(1)),
            ("officer", &officer, "待街道审核的补贴申请", Some(0)),
            ("officer", &officer, "待作出年检结论的年报", None),
            ("other officer", &other, "待初审的年报", Some(0)),
            ("other officer", &other, "待核实的申报", Some(1)),
            ("bureau", &bureau, "待作出年检结论的年报", Some(1)),
            ("bureau", &bureau, "待核实的申报", Some(2)),
            ("bureau", &bureau, "待批准的补贴申请", Some(0)),
            ("bureau", &bureau, "待初审的年报", None),
            ("org 1", &org1, "等待核实的申报", Some(1)),
            ("org 1", &org1, "被退回的申报(可修改后重新申报)", Some(1)),
            ("org 1", &org1, "等待街道审核的补贴申请", Some(0)),
            ("org 1", &org1, "待核实的申报", None),
            ("org 2", &org2, "等待核实的申报", Some(1)),
            ("org 2", &org2, "被退回的申报(可修改后重新申报)", Some(0)),
            ("finance", &finance, "已批准待拨付的补贴", Some(0)),
            ("finance", &finance, "待核实的申报", None),
            ("reviewer", &rev, "待核实的申报", None),
            ("system admin", &admin, "待核实的申报", None),
        ];
        for (who, desk, label, n) in expect {
            assert_eq!(desk_count(desk, label), n, "{on}: {who}'s {label}: {desk}");
        }
        // Names and roles; the organisation's report and deadline.
        assert!(
            officer.contains("officer-1(街道)") || officer.contains("officer-1"),
            "{on}"
        );
        assert!(
            org1.contains("已提交") && org1.contains("2025-05-31"),
            "{on}: {org1}"
        );
        assert!(rev.contains("目前没有分派给您的评审事项"), "{on}: {rev}");
        assert!(admin.contains("/admin/accounts"), "{on}: {admin}");
        assert!(audit.contains("/audit/verify"), "{on}: {audit}");
        // The bureau and the area see the year's filing; finance sees none.
        assert!(
            bureau.contains("2024 年度年报填报") && !finance.contains("年度年报填报"),
            "{on}"
        );

        // The supports listed are exactly the engine's granted ones.
        let e = w
            .registry
            .acting(gongyi_app::security::Caller::system("test"))
            .org_eligibility(&credit_code(1))
            .await
            .unwrap();
        let granted: Vec<_> = e.granted().map(|i| i.title).collect();
        assert_eq!(
            org1.contains("可以申请的扶持"),
            !granted.is_empty(),
            "{on}: {org1}"
        );
        for t in granted {
            assert!(org1.contains(t), "{on}: {t} missing: {org1}");
        }

        // Every link of every desk opens for its role: nothing the role may not do.
        for (who, s, page) in [
            ("officer", &w.officer, &officer),
            ("bureau", &w.bureau, &bureau),
            ("org 1", &w.org, &org1),
            ("finance", &w.finance, &finance),
            ("reviewer", &reviewer, &rev),
            ("system admin", &sysadmin, &admin),
            ("audit admin", &auditor, &audit),
        ] {
            let links = desk_links(page);
            assert!(!links.is_empty(), "{on}: {who} has no links");
            for href in links {
                let r = w.call(s, get_req(&href)).await;
                assert_eq!(
                    r.status,
                    StatusCode::OK,
                    "{on}: {who} → {href}: {}",
                    r.seen()
                );
            }
        }
    }
}
