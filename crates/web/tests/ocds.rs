//! The open-contracting release package of a call (`/api/v1/public/ocds/
//! {ocid}`) validates against the official OCDS 1.1.5 release-package
//! schema (copied into `tests/data/ocds-1.1`, formats checked) at every
//! stage: tendering, opened, awarded (standstill), contracted, cancelled;
//! its `ocid` carries the configured prefix, organisations are `CN-USCI-`
//! identifiers, and a draft or another prefix is not found. On both
//! databases.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::http::{Method, StatusCode};
use common::{get_req, json_req, send, with_session, Signed};
use gongyi_app::calls::CallSettings;
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_domain::credit_code::{org_code_check, CreditCode};
use gongyi_web::AppState;
use serde_json::{json, Value};

const PREFIX: &str = "ocds-t3st42";
const SUB: &str = "310110012";

fn credit_code(n: u32) -> String {
    let org = format!("PC{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn validator() -> jsonschema::Validator {
    let read = |f: &str| -> Value {
        let path = format!("{}/tests/data/ocds-1.1/{f}", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .with_resource(
            "https://standard.open-contracting.org/schema/1__1__5/release-schema.json",
            jsonschema::Resource::from_contents(read("release-schema.json")).unwrap(),
        )
        .build(&read("release-package-schema.json"))
        .unwrap()
}

struct Site {
    registry: Registry,
    on: &'static str,
}

impl Site {
    async fn send(
        &self,
        when: &str,
        who: Option<&Signed>,
        method: Method,
        uri: &str,
        body: Value,
    ) -> common::Reply {
        let t = gongyi_domain::calls::parse_time("t", "t", when).unwrap();
        let app = gongyi_web::router(AppState::new(
            self.registry.clone().with_clock(Clock::fixed_at(t)),
        ));
        let req = if method == Method::GET {
            get_req(uri)
        } else {
            json_req(method, uri, &body.to_string())
        };
        let req = match who {
            Some(s) => with_session(req, s),
            None => req,
        };
        send(&app, self.on, req).await
    }

    async fn ok(&self, when: &str, who: &Signed, method: Method, uri: &str, body: Value) -> Value {
        let r = self.send(when, Some(who), method, uri, body).await;
        assert!(r.status.is_success(), "{}: {uri}: {}", self.on, r.seen());
        r.json()
    }

    /// The package as the public reads it at `when`, validated.
    async fn package(&self, when: &str, id: i64, v: &jsonschema::Validator) -> Value {
        let uri = format!("/api/v1/public/ocds/{PREFIX}-call-{id}");
        let r = self.send(when, None, Method::GET, &uri, Value::Null).await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", self.on, r.seen());
        let p = r.json();
        let errors: Vec<String> = v
            .iter_errors(&p)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(
            errors.is_empty(),
            "{} at {when}: {errors:#?}\n{p:#}",
            self.on
        );
        assert_eq!(
            p["releases"][0]["ocid"],
            format!("{PREFIX}-call-{id}"),
            "{}",
            self.on
        );
        p
    }
}

#[tokio::test]
async fn every_stage_of_a_call_is_a_valid_ocds_release_package() {
    let schema = validator();
    for (db, _url) in gongyi_testkit::databases().await {
        let on = common::backend_name(&db);
        let registry = Registry::new(
            db,
            Clock::fixed(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        )
        .with_call_settings(CallSettings {
            ocid_prefix: PREFIX.into(),
            publisher: "上海市杨浦区民政局".into(),
            public_url: "https://gongyi.example.org".into(),
        });
        let site = Site {
            registry: registry.clone(),
            on,
        };
        let t0 = "2026-12-01 09:00";
        let bureau = common::sign_in(&registry, "bureau-1", Role::Bureau, "", "").await;
        let expert = common::sign_in(&registry, "expert-1", Role::Reviewer, "", "").await;
        let mut orgs = Vec::new();
        for n in 1..=2 {
            site.ok(
                t0,
                &bureau,
                Method::POST,
                "/api/v1/organizations",
                json!({
                    "credit_code": credit_code(n), "name": format!("杨浦区开放合同测试社{n}"),
                    "kind": "PRIVATE_NON_ENTERPRISE", "community": true, "subdistrict": SUB,
                    "registration_date": "2023-03-01", "registered_capital_fen": 3_000_000,
                }),
            )
            .await;
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
        let item = site
            .ok(t0, &bureau, Method::POST, "/api/v1/catalogue",
                json!({"series": "共创平安", "name": "楼组安全巡查", "service_field": "SOCIAL_SERVICE"}))
            .await["item"]["id"]
            .as_i64()
            .unwrap();
        site.ok(
            t0,
            &bureau,
            Method::PUT,
            &format!("/api/v1/catalogue/{item}/quotas/2026"),
            json!({"projects": 5, "amount_fen": 100_000_000}),
        )
        .await;
        let new_call = |title: &str| {
            json!({
                "title": title, "item": item, "subdistrict": SUB, "place": "长白二村",
                "budget_fen": 8_000_050, "requirements": "每月巡查楼组两次", "standstill_days": 3,
                "criteria": [{"name": "服务方案", "weight": 70}, {"name": "报价", "weight": 30}],
                "enquiries_until": "2026-12-05 17:00", "bids_until": "2026-12-10 17:00",
            })
        };
        let id = site
            .ok(
                t0,
                &bureau,
                Method::POST,
                "/api/v1/calls",
                new_call("楼组安全巡查服务"),
            )
            .await["call"]["id"]
            .as_i64()
            .unwrap();
        let other = site
            .ok(
                t0,
                &bureau,
                Method::POST,
                "/api/v1/calls",
                new_call("楼组安全宣传"),
            )
            .await["call"]["id"]
            .as_i64()
            .unwrap();

        // A draft is not published; nor is a call under another prefix.
        let r = site
            .send(
                t0,
                None,
                Method::GET,
                &format!("/api/v1/public/ocds/{PREFIX}-call-{id}"),
                Value::Null,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}: {}", r.seen());
        let steps = |c: i64| format!("/api/v1/calls/{c}/steps");
        for c in [id, other] {
            site.ok(
                t0,
                &bureau,
                Method::POST,
                &steps(c),
                json!({"step": "publish"}),
            )
            .await;
        }
        let r = site
            .send(
                t0,
                None,
                Method::GET,
                &format!("/api/v1/public/ocds/ocds-other-call-{id}"),
                Value::Null,
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}: {}", r.seen());

        let p = site.package(t0, id, &schema).await;
        assert_eq!(p["releases"][0]["tender"]["status"], "active", "{on}");
        assert_eq!(
            p["releases"][0]["tender"]["value"]["amount"], 80000.5,
            "{on}"
        );
        assert!(
            p["releases"][0]["tender"].get("tenderers").is_none(),
            "{on}: sealed"
        );

        for (o, price) in orgs.iter().zip([7_000_000, 7_500_000]) {
            site.ok(
                t0,
                o,
                Method::POST,
                &format!("/api/v1/calls/{id}/bid"),
                json!({"price_fen": price, "proposal": "方案", "team": "团队"}),
            )
            .await;
        }
        site.ok(
            t0,
            &bureau,
            Method::POST,
            &format!("/api/v1/calls/{id}/panel"),
            json!({"size": 1}),
        )
        .await;
        let t1 = "2026-12-11 09:00";
        let v = site
            .ok(
                t1,
                &bureau,
                Method::POST,
                &steps(id),
                json!({"step": "open"}),
            )
            .await;
        let p = site.package(t1, id, &schema).await;
        let ids: Vec<&str> = p["releases"][0]["tender"]["tenderers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            vec![
                format!("CN-USCI-{}", credit_code(1)),
                format!("CN-USCI-{}", credit_code(2))
            ],
            "{on}"
        );
        for (n, b) in v["bids"].as_array().unwrap().iter().enumerate() {
            let points = 90 - n as i64 * 10;
            site.ok(t1, &expert, Method::POST, &format!("/api/v1/calls/{id}/scores"),
                json!({"bid": b["id"], "scores": [{"points": points, "reason": "方案可行"}, {"points": points, "reason": "报价合理"}]}))
                .await;
        }
        site.ok(
            t1,
            &bureau,
            Method::POST,
            &steps(id),
            json!({"step": "award"}),
        )
        .await;
        let p = site.package(t1, id, &schema).await;
        let r = &p["releases"][0];
        assert_eq!(r["tag"], json!(["tender", "award"]), "{on}");
        assert_eq!(
            r["awards"][0]["status"], "pending",
            "{on}: in the standstill"
        );
        assert_eq!(
            r["awards"][0]["suppliers"][0]["id"],
            format!("CN-USCI-{}", credit_code(1)),
            "{on}"
        );
        assert_eq!(r["awards"][0]["value"]["amount"], 70000.0, "{on}");

        let t2 = "2026-12-15 09:00";
        site.ok(
            t2,
            &bureau,
            Method::POST,
            &steps(id),
            json!({"step": "sign"}),
        )
        .await;
        let p = site.package(t2, id, &schema).await;
        assert_eq!(p["releases"][0]["contracts"][0]["status"], "active", "{on}");
        assert_eq!(p["releases"][0]["awards"][0]["status"], "active", "{on}");

        site.ok(
            t0,
            &bureau,
            Method::POST,
            &steps(other),
            json!({"step": "cancel", "note": "需求取消"}),
        )
        .await;
        let p = site.package(t0, other, &schema).await;
        assert_eq!(
            p["releases"][0]["tag"],
            json!(["tenderCancellation"]),
            "{on}"
        );
        assert_eq!(p["releases"][0]["tender"]["status"], "cancelled", "{on}");
    }
}
