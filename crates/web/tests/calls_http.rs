//! The guidance catalogue and a call for purchased services through HTTP
//! with each role's own session, on both databases: the bureau keeps the
//! catalogue and its quota, a sub-district drafts and publishes a call in
//! its own area, organisations hand in sealed bids (replaced before the
//! deadline, refused after it), the opening is refused before the deadline
//! and audited after it, experts declare conflicts and are recused, the
//! panel's result decides the award, signing waits for the standstill, and
//! the catalogue counts what was called and awarded. The clock is moved by
//! serving the same database with a registry reading another fixed moment.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use chrono::{DateTime, Utc};
use common::{get_req, json_req, send, with_session, Signed};
use gongyi_app::security::audit::AuditFilter;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_domain::credit_code::{org_code_check, CreditCode};
use gongyi_web::AppState;
use serde_json::{json, Value};

const SUB_1: &str = "310110012";
const SUB_2: &str = "310110016";

fn credit_code(n: u32) -> String {
    let org = format!("CL{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn at(s: &str) -> DateTime<Utc> {
    gongyi_domain::calls::parse_time("t", "t", s).unwrap()
}

struct World {
    registry: Registry,
    bureau: Signed,
    officer: Signed,
    other_officer: Signed,
    orgs: Vec<Signed>,
    experts: Vec<Signed>,
    on: &'static str,
}

impl World {
    /// The site as it answers at `when`.
    fn app(&self, when: &str) -> axum::Router {
        gongyi_web::router(AppState::new(
            self.registry.clone().with_clock(Clock::fixed_at(at(when))),
        ))
    }

    async fn call(&self, when: &str, who: &Signed, req: Request<Body>) -> common::Reply {
        send(&self.app(when), self.on, with_session(req, who)).await
    }

    async fn post(&self, when: &str, who: &Signed, uri: &str, body: Value) -> common::Reply {
        self.call(when, who, json_req(Method::POST, uri, &body.to_string()))
            .await
    }

    async fn get(&self, when: &str, who: &Signed, uri: &str) -> common::Reply {
        self.call(when, who, get_req(uri)).await
    }
}

/// The reason's code of a refusal.
fn code(r: &common::Reply) -> String {
    r.json()["fields"][0]["code"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn world(db: gongyi_testkit::Db) -> World {
    let on = common::backend_name(&db);
    let registry = Registry::new(db, Clock::fixed_at(at("2026-12-01 09:00")));
    let app = gongyi_web::router(AppState::new(registry.clone()));
    let bureau = common::sign_in(&registry, "bureau-1", Role::Bureau, "", "").await;
    for (n, sub) in [(1, SUB_1), (2, SUB_1), (3, SUB_2)] {
        let r = send(
            &app,
            on,
            with_session(
                json_req(
                    Method::POST,
                    "/api/v1/organizations",
                    &json!({
                        "credit_code": credit_code(n), "name": format!("杨浦区购买服务测试社{n}"),
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
    let mut orgs = Vec::new();
    for n in 1..=3 {
        orgs.push(
            common::sign_in(
                &registry,
                &format!("org-{n}"),
                Role::Organisation,
                "",
                &credit_code(n),
            )
            .await,
        );
    }
    let mut experts = Vec::new();
    for n in 1..=4 {
        experts
            .push(common::sign_in(&registry, &format!("expert-{n}"), Role::Reviewer, "", "").await);
    }
    World {
        officer: common::sign_in(&registry, "officer-1", Role::Subdistrict, SUB_1, "").await,
        other_officer: common::sign_in(&registry, "officer-2", Role::Subdistrict, SUB_2, "").await,
        bureau,
        orgs,
        experts,
        registry,
        on,
    }
}

const T0: &str = "2026-12-01 09:00";
/// After the bids closed (2026-12-20 17:00).
const T1: &str = "2026-12-21 10:00";

fn call_body(sub: &str, item: i64, weights: [i64; 3]) -> Value {
    json!({
        "title": "控江路街道独居老人探访服务", "item": item, "subdistrict": sub,
        "place": "凤城一村居委会", "budget_fen": 15_000_000,
        "requirements": "每周探访独居老人两次,建立档案", "standstill_days": 5,
        "criteria": [
            {"name": "服务方案", "weight": weights[0]},
            {"name": "项目团队", "weight": weights[1]},
            {"name": "报价", "weight": weights[2]},
        ],
        "enquiries_until": "2026-12-10 17:00", "bids_until": "2026-12-20T17:00:00+08:00",
    })
}

/// The bureau's catalogue item with a 2026 quota; returns its id.
async fn catalogue(w: &World) -> i64 {
    let on = w.on;
    let body = json!({
        "series": "邻里守望", "name": "独居老人探访", "service_field": "SOCIAL_SERVICE",
        "subdistricts": [SUB_1, SUB_2], "description": "社区志愿服务",
    });
    // Only the bureau edits the catalogue.
    let r = w
        .post(T0, &w.officer, "/api/v1/catalogue", body.clone())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{on}: {}", r.seen());
    let r = w
        .post(T0, &w.bureau, "/api/v1/catalogue", body.clone())
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{on}: {}", r.seen());
    let item = r.json()["item"]["id"].as_i64().unwrap();
    let again = w.post(T0, &w.bureau, "/api/v1/catalogue", body).await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{on}: {}",
        again.seen()
    );
    let r = w
        .call(
            T0,
            &w.bureau,
            json_req(
                Method::PUT,
                &format!("/api/v1/catalogue/{item}/quotas/2026"),
                r#"{"projects": 2, "amount_fen": 20000000}"#,
            ),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
    item
}

#[tokio::test]
async fn a_call_goes_from_draft_to_contract_with_sealed_bids_and_a_scored_award() {
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world(db).await;
        let on = w.on;
        let item = catalogue(&w).await;

        // A sub-district calls only in its own area; weights must sum to 100.
        let r = w
            .post(
                T0,
                &w.officer,
                "/api/v1/calls",
                call_body(SUB_2, item, [40, 30, 30]),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            r.seen()
        );
        assert_eq!(code(&r), "call.subdistrict_scope", "{on}");
        let r = w
            .post(
                T0,
                &w.officer,
                "/api/v1/calls",
                call_body(SUB_1, item, [40, 30, 20]),
            )
            .await;
        assert_eq!(code(&r), "criteria.sum", "{on}: {}", r.seen());
        let r = w
            .post(
                T0,
                &w.officer,
                "/api/v1/calls",
                call_body(SUB_1, item, [40, 30, 30]),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{on}: {}", r.seen());
        let id = r.json()["call"]["id"].as_i64().unwrap();
        let uri = format!("/api/v1/calls/{id}");

        // A draft is its purchaser's (and the bureau's) alone.
        for who in [&w.orgs[0], &w.other_officer, &w.experts[0]] {
            let r = w.get(T0, who, &uri).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}: {}", r.seen());
        }
        let r = w
            .get(
                T0,
                &w.officer,
                &format!("/api/v1/public/ocds/ocds-yangpu-call-{id}"),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{on}: a draft is not published"
        );

        // Published; the organisation of another sub-district may bid too.
        let steps = format!("{uri}/steps");
        let r = w
            .post(T0, &w.officer, &steps, json!({"step": "publish"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        assert_eq!(r.json()["call"]["status"], "ENQUIRIES", "{on}");

        // Sealed bids: one per organisation, replaceable before the deadline.
        let bid = |price: i64, text: &str| json!({"price_fen": price, "proposal": format!("{text}的服务方案"), "team": "社工 3 名"});
        let r = w
            .post(
                T0,
                &w.orgs[0],
                &format!("{uri}/bid"),
                bid(13_000_000, "第一版"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        assert_eq!(r.json()["replaced"], false, "{on}");
        let r = w
            .post(
                "2026-12-15 09:00",
                &w.orgs[0],
                &format!("{uri}/bid"),
                bid(12_000_000, "第二版"),
            )
            .await;
        assert_eq!(r.json()["replaced"], true, "{on}: {}", r.seen());
        let bid1 = r.json()["bid"].as_i64().unwrap();
        let r = w
            .post(
                "2026-12-15 09:00",
                &w.orgs[1],
                &format!("{uri}/bid"),
                bid(14_000_000, "乙"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        let bid2 = r.json()["bid"].as_i64().unwrap();
        let r = w
            .post(
                "2026-12-15 09:00",
                &w.orgs[2],
                &format!("{uri}/bid"),
                bid(15_000_001, "丙"),
            )
            .await;
        assert_eq!(code(&r), "bid.over_budget", "{on}: {}", r.seen());
        // Nobody reads a bid before the opening, and the database holds it sealed.
        let stored = w.registry.store().bids_of_call(id).await.unwrap();
        assert_eq!(stored.len(), 2, "{on}");
        for b in &stored {
            assert!(b.sealed.starts_with("b1:"), "{on}: {}", b.sealed);
            assert!(
                !b.sealed.contains("服务方案") && b.price_fen.is_none(),
                "{on}"
            );
        }
        let r = w.get("2026-12-15 09:00", &w.bureau, &uri).await;
        let v = r.json();
        assert_eq!(
            v["call"]["status"], "TENDERING",
            "{on}: moved on by the clock"
        );
        assert_eq!(v["call"]["bids"], 2, "{on}");
        assert_eq!(v["bids"], json!([]), "{on}: who bid is sealed too");
        assert!(!r.body.contains("第二版"), "{on}");
        // The pages: a bidder sees the form and the time of its own bid, never
        // its content, and no purchaser's step.
        let r = w
            .get("2026-12-15 09:00", &w.orgs[2], &format!("/calls/{id}"))
            .await;
        assert!(r.body.contains("加密提交"), "{on}: {}", r.seen());
        assert!(!r.body.contains(&format!("/calls/{id}/steps")), "{on}");
        let r = w
            .get("2026-12-15 09:00", &w.orgs[0], &format!("/calls/{id}"))
            .await;
        assert!(
            r.body.contains("本组织已于") && !r.body.contains("第二版"),
            "{on}: {}",
            r.seen()
        );
        let r = w
            .post(
                "2026-12-20 16:59",
                &w.officer,
                &steps,
                json!({"step": "open"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{on}: {}", r.seen());
        assert_eq!(code(&r), "call.sealed", "{on}");

        // The bureau draws three of the four experts.
        let r = w
            .post(T0, &w.officer, &format!("{uri}/panel"), json!({"size": 3}))
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{on}: the bureau draws");
        let r = w
            .post(
                "2026-12-15 09:00",
                &w.bureau,
                &format!("{uri}/panel"),
                json!({"size": 3}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        let panel: Vec<String> = r.json()["panel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        assert_eq!(panel.len(), 3, "{on}");
        let on_panel: Vec<&Signed> = w
            .experts
            .iter()
            .filter(|e| panel.contains(&e.name))
            .collect();
        let outsider = w.experts.iter().find(|e| !panel.contains(&e.name)).unwrap();

        // After the deadline: a late bid is refused; the status reads 评审中
        // although nobody stored it; the opening is audited.
        let r = w
            .post(T1, &w.orgs[2], &format!("{uri}/bid"), bid(10_000_000, "丙"))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{on}: {}", r.seen());
        assert_eq!(code(&r), "bid.late", "{on}");
        assert!(
            r.json()["message"].as_str().unwrap().contains("截止"),
            "{on}"
        );
        assert_eq!(
            w.get(T1, &w.bureau, &uri).await.json()["call"]["status"],
            "EVALUATING"
        );
        let r = w
            .post(T1, &w.officer, &steps, json!({"step": "open"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        let v = r.json();
        let prices: Vec<i64> = v["bids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["price_fen"].as_i64().unwrap())
            .collect();
        assert_eq!(
            prices,
            vec![12_000_000, 14_000_000],
            "{on}: the replaced bid counts"
        );
        assert_eq!(v["bids"][0]["proposal"], "第二版的服务方案", "{on}");
        let opened = w
            .registry
            .audit_search(
                &AuditFilter {
                    action: Some("open".into()),
                    entity_kind: Some("call".into()),
                    entity_id: Some(id.to_string()),
                    ..AuditFilter::default()
                },
                1,
                10,
            )
            .await
            .unwrap()
            .0;
        assert_eq!(opened.len(), 1, "{on}: the opening is audited");
        assert_eq!(opened[0].actor_name, "officer-1", "{on}");
        let r = w
            .post(T1, &w.officer, &steps, json!({"step": "open"}))
            .await;
        assert_eq!(code(&r), "call.opened", "{on}: opened once");

        // Scores: 1-100 per criterion with a reason; outsiders and the recused are refused.
        let sheet = |bid: i64, p: [i64; 3]| json!({"bid": bid, "scores": p.iter().map(|x| json!({"points": x, "reason": "方案完整"})).collect::<Vec<_>>()});
        let scores = format!("{uri}/scores");
        let r = w
            .post(T1, outsider, &scores, sheet(bid1, [90, 90, 90]))
            .await;
        assert_eq!(code(&r), "review.not_on_panel", "{on}: {}", r.seen());
        let r = w
            .post(
                T1,
                on_panel[0],
                &scores,
                json!({"bid": bid1, "scores": [{"points": 90, "reason": ""}]}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: a reason for each"
        );
        let r = w
            .post(
                T1,
                on_panel[0],
                &format!("{uri}/conflicts"),
                json!({"bid": bid1, "reason": "曾任该组织理事"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        let r = w
            .post(T1, on_panel[0], &scores, sheet(bid1, [99, 99, 99]))
            .await;
        assert_eq!(r.status, StatusCode::CONFLICT, "{on}: {}", r.seen());
        assert_eq!(code(&r), "review.recused", "{on}");
        let page = w.get(T1, on_panel[0], &format!("/calls/{id}")).await;
        assert!(
            page.body.contains("回避该投标的评审") && page.body.contains("提交评分"),
            "{on}: {}",
            page.seen()
        );
        let page = w.get(T1, &w.orgs[0], &format!("/calls/{id}")).await;
        assert!(
            !page.body.contains("第二版的服务方案") && !page.body.contains("加密提交"),
            "{on}: bidders read no proposals"
        );
        // Bid 1: 80 and 70 from the two others (mean 75); bid 2: 85, 80, 78.
        for (e, p1, p2) in [(on_panel[1], 80, 85), (on_panel[2], 70, 80)] {
            let r = w.post(T1, e, &scores, sheet(bid1, [p1; 3])).await;
            assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
            let r = w.post(T1, e, &scores, sheet(bid2, [p2; 3])).await;
            assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        }
        // Not every expert due has scored bid 2: no award yet.
        let r = w
            .post(T1, &w.officer, &steps, json!({"step": "award"}))
            .await;
        assert_eq!(code(&r), "award.incomplete", "{on}: {}", r.seen());
        let r = w
            .post(T1, on_panel[0], &scores, sheet(bid2, [78, 78, 78]))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        let v = w.get(T1, &w.bureau, &uri).await.json();
        assert_eq!(v["ranked"][0]["bid"], bid2, "{on}: {v}");
        assert_eq!(v["ranked"][0]["mean"], 8100, "{on}");
        assert_eq!(v["ranked"][1]["mean"], 7500, "{on}");
        assert_eq!(v["ranked"][1]["experts_due"], 2, "{on}: one expert recused");

        // The best-scored qualified bid wins; signing waits for the standstill.
        let r = w
            .post(T1, &w.bureau, &steps, json!({"step": "award"}))
            .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{on}: not the bureau's call"
        );
        let r = w
            .post(T1, &w.officer, &steps, json!({"step": "award"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        assert_eq!(r.json()["call"]["status"], "STANDSTILL", "{on}");
        assert_eq!(r.json()["call"]["awarded_bid"], bid2, "{on}");
        let r = w
            .post(T1, &w.officer, &steps, json!({"step": "award"}))
            .await;
        assert_eq!(code(&r), "call.state", "{on}: awarded once");
        let r = w
            .post(
                "2026-12-26 09:00",
                &w.officer,
                &steps,
                json!({"step": "sign"}),
            )
            .await;
        assert_eq!(code(&r), "call.standstill", "{on}: {}", r.seen());
        let r = w
            .post(
                "2026-12-26 10:01",
                &w.officer,
                &steps,
                json!({"step": "sign"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        assert_eq!(r.json()["call"]["status"], "CONTRACTED", "{on}");

        // The catalogue counts what was called and awarded in 2026.
        let v = w
            .get(T1, &w.orgs[0], "/api/v1/catalogue?year=2026")
            .await
            .json();
        assert_eq!(v[0]["called"], 1, "{on}: {v}");
        assert_eq!(v[0]["called_fen"], 15_000_000, "{on}");
        assert_eq!(v[0]["awarded"], 1, "{on}");
        assert_eq!(v[0]["awarded_fen"], 14_000_000, "{on}");

        // The pages: the public list and the call, the staff page with its forms.
        let app = w.app(T1);
        let r = send(&app, on, get_req("/public/calls")).await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        assert!(
            r.body.contains("控江路街道独居老人探访服务") && r.body.contains("已签约"),
            "{on}"
        );
        let r = send(&app, on, get_req(&format!("/public/calls/{id}"))).await;
        assert!(
            r.body.contains("140,000.00 元") && r.body.contains("杨浦区购买服务测试社2"),
            "{on}: {}",
            r.seen()
        );
        let r = w.get(T1, &w.officer, &format!("/calls/{id}")).await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        assert!(
            r.body.contains("81.00") && r.body.contains("第二版的服务方案"),
            "{on}"
        );
        let r = w.get(T1, &w.bureau, &format!("/catalogue/{item}")).await;
        assert!(
            r.body.contains("2 个 · 200,000.00 元"),
            "{on}: {}",
            r.seen()
        );
    }
}

#[tokio::test]
async fn publication_keeps_to_the_quota_and_a_call_without_bids_fails_by_the_clock() {
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world(db).await;
        let on = w.on;
        let item = catalogue(&w).await;
        let mut ids = Vec::new();
        for _ in 0..3 {
            let r = w
                .post(
                    T0,
                    &w.bureau,
                    "/api/v1/calls",
                    call_body(SUB_2, item, [50, 25, 25]),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{on}: {}", r.seen());
            ids.push(r.json()["call"]["id"].as_i64().unwrap());
        }
        // 2 × 150,000 元 passes the 200,000 元 quota: the second is refused.
        let publish = |id: i64| format!("/api/v1/calls/{id}/steps");
        let r = w
            .post(T0, &w.bureau, &publish(ids[0]), json!({"step": "publish"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        let r = w
            .post(T0, &w.bureau, &publish(ids[1]), json!({"step": "publish"}))
            .await;
        assert_eq!(code(&r), "catalogue.quota_amount", "{on}: {}", r.seen());
        // Cancelling needs a reason, and frees the quota.
        let r = w
            .post(T0, &w.bureau, &publish(ids[0]), json!({"step": "cancel"}))
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            r.seen()
        );
        let r = w
            .post(
                T0,
                &w.bureau,
                &publish(ids[0]),
                json!({"step": "cancel", "note": "需求变更"}),
            )
            .await;
        assert_eq!(
            r.json()["call"]["status"],
            "CANCELLED",
            "{on}: {}",
            r.seen()
        );
        let r = w
            .post(T0, &w.bureau, &publish(ids[1]), json!({"step": "publish"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        // No bid by the deadline: 流标, read from the clock alone.
        let r = w
            .get(T1, &w.orgs[0], &format!("/api/v1/calls/{}", ids[1]))
            .await;
        assert_eq!(
            r.json()["call"]["status"],
            "UNSUCCESSFUL",
            "{on}: {}",
            r.seen()
        );
        // A date already past is not published.
        let r = w
            .post(
                "2026-12-11 09:00",
                &w.bureau,
                &publish(ids[2]),
                json!({"step": "publish"}),
            )
            .await;
        assert_eq!(code(&r), "call.dates_past", "{on}: {}", r.seen());
    }
}

#[tokio::test]
async fn fifty_concurrent_awards_of_one_call_end_in_one_award() {
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world(db).await;
        let on = w.on;
        let item = catalogue(&w).await;
        let r = w
            .post(
                T0,
                &w.officer,
                "/api/v1/calls",
                call_body(SUB_1, item, [40, 30, 30]),
            )
            .await;
        let id = r.json()["call"]["id"].as_i64().unwrap();
        let uri = format!("/api/v1/calls/{id}");
        w.post(
            T0,
            &w.officer,
            &format!("{uri}/steps"),
            json!({"step": "publish"}),
        )
        .await;
        let r = w
            .post(
                T0,
                &w.orgs[0],
                &format!("{uri}/bid"),
                json!({"price_fen": 10_000_000, "proposal": "方案", "team": "团队"}),
            )
            .await;
        let bid = r.json()["bid"].as_i64().unwrap();
        w.post(T0, &w.bureau, &format!("{uri}/panel"), json!({"size": 1}))
            .await;
        let panel = w.get(T0, &w.bureau, &uri).await.json()["panel"][0]
            .as_str()
            .unwrap()
            .to_string();
        let expert = w.experts.iter().find(|e| e.name == panel).unwrap();
        w.post(
            T1,
            &w.officer,
            &format!("{uri}/steps"),
            json!({"step": "open"}),
        )
        .await;
        let r = w
            .post(T1, expert, &format!("{uri}/scores"),
                json!({"bid": bid, "scores": [{"points": 80, "reason": "好"}, {"points": 80, "reason": "好"}, {"points": 80, "reason": "好"}]}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());

        let app = w.app(T1);
        let mut tasks = Vec::new();
        for _ in 0..50 {
            let (app, who, uri) = (app.clone(), w.officer.clone(), format!("{uri}/steps"));
            tasks.push(tokio::spawn(async move {
                send(
                    &app,
                    on,
                    with_session(json_req(Method::POST, &uri, r#"{"step": "award"}"#), &who),
                )
                .await
            }));
        }
        let mut won = 0;
        for t in tasks {
            let r = t.await.unwrap();
            match r.status {
                StatusCode::OK => won += 1,
                StatusCode::CONFLICT => assert_eq!(code(&r), "call.state", "{on}: {}", r.seen()),
                other => panic!("{on}: {other} {}", r.seen()),
            }
        }
        assert_eq!(won, 1, "{on}: one award");
        let awards = w
            .registry
            .audit_search(
                &AuditFilter {
                    action: Some("award".into()),
                    entity_id: Some(id.to_string()),
                    ..AuditFilter::default()
                },
                1,
                100,
            )
            .await
            .unwrap()
            .0;
        assert_eq!(awards.len(), 1, "{on}: one award audited");
    }
}

#[tokio::test]
async fn an_unqualified_bid_is_passed_over_by_the_award() {
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world(db).await;
        let on = w.on;
        let item = catalogue(&w).await;
        let r = w
            .post(
                T0,
                &w.officer,
                "/api/v1/calls",
                call_body(SUB_1, item, [40, 30, 30]),
            )
            .await;
        let id = r.json()["call"]["id"].as_i64().unwrap();
        let uri = format!("/api/v1/calls/{id}");
        w.post(
            T0,
            &w.officer,
            &format!("{uri}/steps"),
            json!({"step": "publish"}),
        )
        .await;
        let mut bids = Vec::new();
        for (o, price) in w.orgs.iter().take(2).zip([9_000_000, 10_000_000]) {
            let r = w
                .post(
                    T0,
                    o,
                    &format!("{uri}/bid"),
                    json!({"price_fen": price, "proposal": "方案", "team": "团队"}),
                )
                .await;
            bids.push(r.json()["bid"].as_i64().unwrap());
        }
        w.post(T0, &w.bureau, &format!("{uri}/panel"), json!({"size": 1}))
            .await;
        let panel = w.get(T0, &w.bureau, &uri).await.json()["panel"][0]
            .as_str()
            .unwrap()
            .to_string();
        let expert = w.experts.iter().find(|e| e.name == panel).unwrap();
        // Before the opening the purchaser cannot judge a bid either.
        let dq = format!("{uri}/bids/{}/disqualify", bids[0]);
        let r = w
            .post(T0, &w.officer, &dq, json!({"reason": "资质不符"}))
            .await;
        assert_eq!(code(&r), "bid.qualification_state", "{on}: {}", r.seen());
        w.post(
            T1,
            &w.officer,
            &format!("{uri}/steps"),
            json!({"step": "open"}),
        )
        .await;
        for (b, p) in bids.iter().zip([95, 60]) {
            let r = w
                .post(T1, expert, &format!("{uri}/scores"),
                    json!({"bid": b, "scores": [{"points": p, "reason": "理由"}, {"points": p, "reason": "理由"}, {"points": p, "reason": "理由"}]}))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        }
        let r = w.post(T1, &w.officer, &dq, json!({"reason": ""})).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: a reason is required"
        );
        let r = w
            .post(T1, &w.officer, &dq, json!({"reason": "资质证明过期"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}: {}", r.seen());
        assert_eq!(r.json()["bids"][0]["qualified"], false, "{on}");
        let r = w
            .post(
                T1,
                &w.officer,
                &format!("{uri}/steps"),
                json!({"step": "award"}),
            )
            .await;
        assert_eq!(
            r.json()["call"]["awarded_bid"],
            bids[1],
            "{on}: the next best qualified bid"
        );
        let audited = w
            .registry
            .audit_search(
                &AuditFilter {
                    action: Some("disqualify_bid".into()),
                    entity_id: Some(id.to_string()),
                    ..AuditFilter::default()
                },
                1,
                10,
            )
            .await
            .unwrap()
            .0;
        assert_eq!(audited.len(), 1, "{on}");
        assert!(audited[0].changes.contains("资质证明过期"), "{on}");
    }
}

#[tokio::test]
async fn the_pages_keep_the_catalogue_and_a_call_as_typed() {
    use common::form_req;
    for (db, _url) in gongyi_testkit::databases().await {
        let w = world(db).await;
        let on = w.on;
        let r = w
            .call(
                T0,
                &w.bureau,
                form_req(
                    "/catalogue",
                    &[
                        ("series", "文化铸魂"),
                        ("name", "社区文化节"),
                        ("service_field", "CULTURE"),
                        ("subdistricts", SUB_1),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let item_page = r.location();
        let item: i64 = item_page.rsplit('/').next().unwrap().parse().unwrap();
        let r = w
            .call(
                T0,
                &w.bureau,
                form_req(
                    &format!("{item_page}/quotas"),
                    &[("year", "2026"), ("projects", "3"), ("amount", "300,000")],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let r = w.get(T0, &w.officer, &item_page).await;
        assert!(
            r.body.contains("3 个 · 300,000.00 元"),
            "{on}: {}",
            r.seen()
        );
        assert!(!r.body.contains("保存额度"), "{on}: only the bureau edits");

        let item_s = item.to_string();
        let mut fields = vec![
            ("title", "社区文化节策划执行"),
            ("item", item_s.as_str()),
            ("subdistrict", SUB_1),
            ("budget", "80,000"),
            ("requirements", "策划并执行社区文化节"),
            ("criteria", "服务方案 50\n项目团队 20\n报价 20"),
            ("enquiries_until", "2026-12-10T17:00"),
            ("bids_until", "2026-12-20T17:00"),
            ("standstill_days", "5"),
        ];
        let r = w.call(T0, &w.officer, form_req("/calls", &fields)).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{on}: {}",
            r.seen()
        );
        assert!(
            r.body.contains("合计应为 100(现为 90)"),
            "{on}: {}",
            r.seen()
        );
        assert!(r.body.contains("社区文化节策划执行"), "{on}: kept as typed");
        fields[5].1 = "服务方案 50\n项目团队 20\n报价 30";
        let r = w.call(T0, &w.officer, form_req("/calls", &fields)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let page = r.location();
        let r = w.get(T0, &w.officer, &format!("{page}/edit")).await;
        assert!(
            r.body.contains("2026-12-20T17:00") && r.body.contains("报价 30"),
            "{on}: {}",
            r.seen()
        );
        let r = w
            .call(
                T0,
                &w.officer,
                form_req(&format!("{page}/steps"), &[("step", "publish")]),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let r = w
            .call(
                T0,
                &w.orgs[0],
                form_req(
                    &format!("{page}/bid"),
                    &[
                        ("price", "90,000"),
                        ("team", "社工 2 名"),
                        ("proposal", "方案"),
                    ],
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
            r.body.contains("超过预算上限 80,000.00 元"),
            "{on}: {}",
            r.seen()
        );
        let r = w
            .call(
                T0,
                &w.orgs[0],
                form_req(
                    &format!("{page}/bid"),
                    &[
                        ("price", "79,000"),
                        ("team", "社工 2 名"),
                        ("proposal", "方案"),
                    ],
                ),
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let r = w.get(T0, &w.orgs[0], &page).await;
        assert!(r.body.contains("本组织已于"), "{on}: {}", r.seen());
    }
}
