//! Writes on a person need the caller's current scope (security issue 11,
//! finding 8), through pages and the API on both databases: an organisation
//! changes only people it employs today and declares employments only at
//! itself; a sub-district officer changes only people employed today in its
//! area and declares employments only at organisations of it; the bureau
//! changes everyone. Beyond that a write is "not found", answered exactly as
//! for a person that does not exist, and nothing is written.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::http::{Method, StatusCode};
use axum::Router;
use chrono::NaiveDate;
use common::{form_req, get_req, json_req, send, with_session, Reply, Signed};
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::Role;
use gongyi_domain::resident_id::ResidentId;
use gongyi_testkit::store::orgs::OrgRow;
use serde_json::{json, Value};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

/// Organisations A and C of one sub-district, B of another; people by
/// their employments (all declared by the bureau); one session per caller.
struct World {
    app: Router,
    on: String,
    a: OrgRow,
    b: OrgRow,
    c: OrgRow,
    /// Employed by A, no end date.
    current: i64,
    /// Employed by A until 2025-06-30, by B since 2025-07-01.
    left_a: i64,
    /// Employed by A until 2026-12-31 (an end date in the future).
    ending: i64,
    /// Employed by C only.
    at_c: i64,
    bureau: Signed,
    org_a: Signed,
    org_b: Signed,
    officer_a: Signed,
}

impl World {
    async fn new(registry: &Registry, on: &str) -> World {
        registry
            .load_demo(60, Some(0), 23, &|_, _| {})
            .await
            .unwrap();
        let app = gongyi_web::router(gongyi_web::AppState::new(registry.clone()));
        let orgs = registry.store().orgs_after("", 100).await.unwrap();
        let a = orgs[0].clone();
        let c = orgs
            .iter()
            .find(|o| o.id != a.id && o.subdistrict_code == a.subdistrict_code)
            .unwrap_or_else(|| panic!("{on}: no second organisation in {}", a.subdistrict_code))
            .clone();
        let b = orgs
            .iter()
            .find(|o| o.subdistrict_code != a.subdistrict_code)
            .unwrap()
            .clone();
        let bureau = common::sign_in(registry, "bureau", Role::Bureau, "", "").await;
        let org_a =
            common::sign_in(registry, "org-a", Role::Organisation, "", &a.credit_code).await;
        let org_b =
            common::sign_in(registry, "org-b", Role::Organisation, "", &b.credit_code).await;
        let officer_a = common::sign_in(
            registry,
            "officer-a",
            Role::Subdistrict,
            &a.subdistrict_code,
            "",
        )
        .await;
        let mut w = World {
            app,
            on: on.to_string(),
            a,
            b,
            c,
            current: 0,
            left_a: 0,
            ending: 0,
            at_c: 0,
            bureau,
            org_a,
            org_b,
            officer_a,
        };
        let (a, b, c) = (
            w.a.credit_code.clone(),
            w.b.credit_code.clone(),
            w.c.credit_code.clone(),
        );
        w.current = w
            .person("在职甲", "31011019800101001", &[(&a, "2024-01-01", "")])
            .await;
        w.left_a = w
            .person(
                "离职甲",
                "31011019810202001",
                &[(&a, "2020-01-01", "2025-06-30"), (&b, "2025-07-01", "")],
            )
            .await;
        w.ending = w
            .person(
                "将离甲",
                "31011019820303002",
                &[(&a, "2023-01-01", "2026-12-31")],
            )
            .await;
        w.at_c = w
            .person("在职丙", "31011019830404002", &[(&c, "2022-01-01", "")])
            .await;
        w
    }

    async fn call(&self, s: &Signed, method: Method, uri: &str, body: Option<Value>) -> Reply {
        let req = match body {
            Some(b) => json_req(method, uri, &b.to_string()),
            None => {
                let mut r = get_req(uri);
                *r.method_mut() = method;
                r
            }
        };
        send(&self.app, &self.on, with_session(req, s)).await
    }

    async fn form(&self, s: &Signed, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        send(&self.app, &self.on, with_session(form_req(uri, pairs), s)).await
    }

    /// Registers a person as the bureau, with employments (credit code,
    /// start, end).
    async fn person(&self, name: &str, body: &str, jobs: &[(&str, &str, &str)]) -> i64 {
        let rid = ResidentId::from_body(body, today()).unwrap();
        let r = self
            .call(
                &self.bureau,
                Method::POST,
                "/api/v1/people",
                Some(json!({"name": name, "resident_id": rid.as_str(), "phone": "13900001111"})),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}: {}", self.on, r.seen());
        let id = r.json()["id"].as_i64().unwrap();
        for (code, start, end) in jobs {
            let r = self
                .call(
                    &self.bureau,
                    Method::POST,
                    &format!("/api/v1/people/{id}/employments"),
                    Some(employment(code, start, end)),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}: {}", self.on, r.seen());
        }
        id
    }

    /// The person as the bureau reads it through the API.
    async fn detail(&self, id: i64) -> Value {
        let r = self
            .call(
                &self.bureau,
                Method::GET,
                &format!("/api/v1/people/{id}"),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", self.on, r.seen());
        r.json()
    }

    /// Edits the phone through the page form, as `s`.
    async fn edit_phone(&self, s: &Signed, id: i64, phone: &str) -> Reply {
        let p = self.detail(id).await;
        let version = p["person"]["version"].as_i64().unwrap().to_string();
        let name = p["person"]["name"].as_str().unwrap().to_string();
        self.form(
            s,
            &format!("/people/{id}/edit"),
            &[
                ("name", name.as_str()),
                ("resident_id", ""),
                ("phone", phone),
                ("version", version.as_str()),
            ],
        )
        .await
    }

    fn employments_of(p: &Value) -> Vec<String> {
        p["employments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["credit_code"].as_str().unwrap().to_string())
            .collect()
    }
}

fn employment(code: &str, start: &str, end: &str) -> Value {
    json!({"org_credit_code": code, "start_date": start, "end_date": end, "full_time": false})
}

/// The answer for a person that does not exist, the reference for "not found".
async fn absent(w: &World, s: &Signed) -> Reply {
    let r = w
        .call(
            s,
            Method::POST,
            "/api/v1/people/999999/qualifications",
            Some(json!({"level": "ASSISTANT", "certificate_no": "Z-1", "date": "2024-06-01"})),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}: {}", w.on, r.seen());
    r
}

#[tokio::test]
async fn an_organisation_writes_only_on_people_it_employs_today_and_employments_at_itself() {
    for (db, on) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::fixed(today()));
        let w = World::new(&registry, &on).await;
        let s = &w.org_a;
        let reference = absent(&w, s).await;
        let (a, b) = (w.a.credit_code.as_str(), w.b.credit_code.as_str());

        // An employment at another organisation is that organisation's to
        // declare: not found, through the API and the page, and not written.
        let r = w
            .call(
                s,
                Method::POST,
                &format!("/api/v1/people/{}/employments", w.current),
                Some(employment(b, "2025-09-01", "")),
            )
            .await;
        assert_eq!(
            (r.status, r.body.as_str()),
            (reference.status, reference.body.as_str()),
            "{on}: employment at B through the API"
        );
        let r = w
            .form(
                s,
                &format!("/people/{}/records/employments", w.current),
                &[("org_credit_code", b), ("start_date", "2025-09-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}: page: {}", r.seen());
        assert_eq!(
            World::employments_of(&w.detail(w.current).await),
            [a],
            "{on}: nothing was written at B"
        );

        // At itself, for a person it employs today (or until a later day):
        // declared, for its sub-district or the bureau to verify.
        let r = w
            .call(
                s,
                Method::POST,
                &format!("/api/v1/people/{}/employments", w.current),
                Some(employment(a, "2025-09-01", "2025-12-31")),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{on}: {}", r.seen());
        assert_eq!(r.json()["status"], "PENDING", "{on}");
        let r = w.edit_phone(s, w.ending, "13822223333").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        assert_eq!(
            w.detail(w.ending).await["person"]["phone"],
            "138******33",
            "{on}"
        );

        // A person whose employment with it has ended: still read, no longer
        // written, and the page offers no form.
        let page = w
            .call(s, Method::GET, &format!("/people/{}", w.left_a), None)
            .await;
        assert_eq!(page.status, StatusCode::OK, "{on}: {}", page.seen());
        for offer in [
            "修改基本信息",
            "添加任职",
            "添加资格",
            "添加年度记录",
            "申报在本组织的任职",
            "申报资格",
            "申报年度考核",
        ] {
            assert!(!page.body.contains(offer), "{on}: the page offers {offer}");
        }
        let api = w
            .call(
                s,
                Method::GET,
                &format!("/api/v1/people/{}", w.left_a),
                None,
            )
            .await;
        assert_eq!(api.json()["may_change"], false, "{on}");
        let own = w
            .call(
                s,
                Method::GET,
                &format!("/api/v1/people/{}", w.current),
                None,
            )
            .await;
        assert_eq!(own.json()["may_change"], true, "{on}");

        let before = w.detail(w.left_a).await;
        let r = w
            .call(s, Method::GET, &format!("/people/{}/edit", w.left_a), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}: edit form");
        let r = w.edit_phone(s, w.left_a, "13744445555").await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{on}: phone edit: {}",
            r.seen()
        );
        let r = w
            .call(
                s,
                Method::POST,
                &format!("/api/v1/people/{}/qualifications", w.left_a),
                Some(json!({"level": "ASSISTANT", "certificate_no": "Z-1", "date": "2024-06-01"})),
            )
            .await;
        assert_eq!(
            (r.status, r.body.as_str()),
            (reference.status, reference.body.as_str()),
            "{on}: a qualification for a former employee"
        );
        let r = w
            .call(
                s,
                Method::POST,
                &format!("/api/v1/people/{}/employments", w.left_a),
                Some(employment(a, "2025-09-01", "")),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}: re-employment");
        let r = w
            .form(
                s,
                &format!("/people/{}/records/reviews", w.left_a),
                &[("year", "2025"), ("training_hours", "10")],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NOT_FOUND,
            "{on}: review through the page"
        );
        let after = w.detail(w.left_a).await;
        assert_eq!(after, before, "{on}: the former employee is unchanged");
        assert_eq!(after["person"]["phone"], "139******11", "{on}");

        // A person it never employed: not found for reading either.
        let r = w
            .call(s, Method::GET, &format!("/api/v1/people/{}", w.at_c), None)
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}");
        let r = w.edit_phone(s, w.at_c, "13744445555").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}");

        // Its current employer may change it.
        let r = w.edit_phone(&w.org_b, w.left_a, "13766667777").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
    }
}

#[tokio::test]
async fn a_sub_district_officer_writes_only_on_people_employed_today_in_its_area() {
    for (db, on) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::fixed(today()));
        let w = World::new(&registry, &on).await;
        let s = &w.officer_a;
        let reference = absent(&w, s).await;
        let (a, b, c) = (
            w.a.credit_code.as_str(),
            w.b.credit_code.as_str(),
            w.c.credit_code.as_str(),
        );

        // Employments are the bureau's to record and the employer's to
        // declare (`who_states`): a sub-district writes none, in its area
        // or another, through the API or the page, and says why.
        for org in [b, a] {
            let r = w
                .call(
                    s,
                    Method::POST,
                    &format!("/api/v1/people/{}/employments", w.at_c),
                    Some(employment(org, "2025-09-01", "")),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{on}: {}", r.seen());
            assert_eq!(
                r.json()["fields"][0]["code"],
                "fact.not_stated_by_role",
                "{on}"
            );
        }
        let r = w
            .form(
                s,
                &format!("/people/{}/records/employments", w.at_c),
                &[("org_credit_code", b), ("start_date", "2025-09-01")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{on}: page: {}", r.seen());
        assert_eq!(World::employments_of(&w.detail(w.at_c).await), [c], "{on}");

        // Contact details of people employed in its area today: yes.
        let r = w.edit_phone(s, w.at_c, "13822223333").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());

        // Employed in its area once, elsewhere today: read, not written.
        let r = w
            .call(s, Method::GET, &format!("/people/{}", w.left_a), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}");
        assert!(!r.body.contains("修改基本信息"), "{on}");
        let before = w.detail(w.left_a).await;
        let r = w.edit_phone(s, w.left_a, "13744445555").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{on}: {}", r.seen());
        let r = w
            .call(
                s,
                Method::POST,
                &format!("/api/v1/people/{}/qualifications", w.left_a),
                Some(json!({"level": "ASSISTANT", "certificate_no": "Z-1", "date": "2024-06-01"})),
            )
            .await;
        assert_eq!(
            (r.status, r.body.as_str()),
            (reference.status, reference.body.as_str()),
            "{on}"
        );
        assert_eq!(w.detail(w.left_a).await, before, "{on}: unchanged");
    }
}

#[tokio::test]
async fn the_bureau_writes_on_every_person_and_declares_employments_anywhere() {
    for (db, on) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::fixed(today()));
        let w = World::new(&registry, &on).await;
        let s = &w.bureau;
        // No current employment in any particular place is needed.
        let r = w.edit_phone(s, w.left_a, "13744445555").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        let r = w
            .form(
                s,
                &format!("/people/{}/records/employments", w.current),
                &[
                    ("org_credit_code", w.b.credit_code.as_str()),
                    ("start_date", "2025-09-01"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{on}: {}", r.seen());
        assert_eq!(
            World::employments_of(&w.detail(w.current).await),
            [w.a.credit_code.as_str(), w.b.credit_code.as_str()],
            "{on}"
        );
        assert_eq!(w.detail(w.left_a).await["may_change"], true, "{on}");
        // Org B now reads the person it did not declare: its own employment.
        let r = w
            .call(
                &w.org_b,
                Method::GET,
                &format!("/api/v1/people/{}", w.current),
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{on}");
    }
}
