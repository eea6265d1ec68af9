//! Who states which fact, through HTTP on both databases (issue 10): every
//! fact kind × every role is accepted only where `who_states` says, and
//! lands as a fact or as a declaration as it says; an organisation cannot
//! give itself a 5A rating or an honour; a declared lease changes no
//! eligibility until its sub-district verifies it; a verifier outside the
//! area gets 404, the declarant is refused its own declaration; four eyes on
//! applications (the submitter does not approve).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod common;

use axum::http::{Method, StatusCode};
use chrono::NaiveDate;
use common::{Reply, Signed};
use gongyi_app::{Clock, Registry};
use gongyi_domain::access::{who_states, Role, Stating};
use gongyi_domain::credit_code::{org_code_check, CreditCode};
use gongyi_domain::facts::{DeclarationStatus, FactKind, FactSource};
use gongyi_web::AppState;
use serde_json::{json, Value};

const SUB_1: &str = "310110021";
const SUB_2: &str = "310110016";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

fn credit_code(n: u32) -> String {
    let org = format!("MJ{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn resident_id(body: &str) -> String {
    gongyi_domain::ResidentId::from_body(body, today())
        .unwrap()
        .as_str()
        .to_string()
}

struct Site {
    app: axum::Router,
    registry: Registry,
    backend: &'static str,
    /// Organisation A, a community organisation in `SUB_1`.
    code: String,
    /// Organisation B, in `SUB_2`.
    other: String,
    /// A person employed by A.
    person: i64,
    accounts: Vec<(Role, Signed)>,
    /// A second account of A, of the bureau, and the officer of `SUB_2`.
    org2: Signed,
    bureau2: Signed,
    sub2: Signed,
}

impl Site {
    async fn new(db: gongyi_testkit::Db) -> Site {
        let backend = common::backend_name(&db);
        let registry = Registry::new(db, Clock::fixed(today()));
        let app = gongyi_web::router(AppState::new(registry.clone()));
        let bureau = common::sign_in(&registry, "f-bureau", Role::Bureau, "", "").await;
        let mut site = Site {
            app,
            registry: registry.clone(),
            backend,
            code: credit_code(1),
            other: credit_code(2),
            person: 0,
            accounts: vec![],
            org2: bureau.clone(),
            bureau2: bureau.clone(),
            sub2: bureau.clone(),
        };
        for (n, sub) in [(1, SUB_1), (2, SUB_2)] {
            let r = site
                .api(
                    &bureau,
                    Method::POST,
                    "/api/v1/organizations",
                    json!({
                        "credit_code": credit_code(n), "name": format!("杨浦区申报测试服务社{n}"),
                        "kind": "PRIVATE_NON_ENTERPRISE", "community": n == 1, "subdistrict": sub,
                        "registration_date": "2024-01-10", "registered_capital_fen": 20_000_000,
                    }),
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{backend}: {}", r.seen());
        }
        let p = site
            .api(
                &bureau,
                Method::POST,
                "/api/v1/people",
                json!({"name": "陈静", "resident_id": resident_id("31011019900307002"),
                       "social_work_start_date": "2015-07-01"}),
            )
            .await;
        site.person = p.json()["id"].as_i64().unwrap();
        let job = site
            .api(
                &bureau,
                Method::POST,
                &format!("/api/v1/people/{}/employments", site.person),
                json!({"org_credit_code": site.code, "start_date": "2024-01-15",
                       "labour_contract": true, "full_time": true}),
            )
            .await;
        assert_eq!(job.status, StatusCode::CREATED, "{backend}: {}", job.seen());
        let mut accounts = vec![(Role::Bureau, bureau)];
        for role in Role::ALL.iter().copied().filter(|r| *r != Role::Bureau) {
            let (sub, org) = match role {
                Role::Subdistrict => (SUB_1, site.code.as_str()),
                Role::Organisation => ("", site.code.as_str()),
                _ => ("", ""),
            };
            let org = if role == Role::Organisation { org } else { "" };
            let name = format!("f-{}", role.code());
            accounts.push((
                role,
                common::sign_in(&registry, &name, role, sub, org).await,
            ));
        }
        site.accounts = accounts;
        site.org2 = common::sign_in(&registry, "f-org2", Role::Organisation, "", &site.code).await;
        site.bureau2 = common::sign_in(&registry, "f-bureau2", Role::Bureau, "", "").await;
        site.sub2 = common::sign_in(&registry, "f-sub2", Role::Subdistrict, SUB_2, "").await;
        site
    }

    /// `who` after the security administrator moved it to `role` (in
    /// `subdistrict`), signed in afresh: a move ends its sessions.
    async fn moved(&self, who: &Signed, role: Role, subdistrict: &str) -> Signed {
        self.registry
            .set_role(&gongyi_app::security::accounts::AccountInput {
                name: who.name.clone(),
                role: role.code().into(),
                subdistrict: subdistrict.into(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{}: {} not moved: {e:?}", self.backend, who.name));
        let opened = self
            .registry
            .login(&who.name, common::TEST_PASSWORD, "")
            .await
            .unwrap_or_else(|e| panic!("{}: {} could not log in: {e:?}", self.backend, who.name));
        Signed {
            name: who.name.clone(),
            cookie: format!("gongyi_session={}", opened.token),
            csrf: opened.csrf,
        }
    }

    fn who(&self, role: Role) -> &Signed {
        &self.accounts.iter().find(|(r, _)| *r == role).unwrap().1
    }

    async fn api(&self, by: &Signed, method: Method, uri: &str, body: Value) -> Reply {
        let req = common::json_req(method, uri, &body.to_string());
        common::send(&self.app, self.backend, common::with_session(req, by)).await
    }

    async fn get(&self, by: &Signed, uri: &str) -> Reply {
        common::send(
            &self.app,
            self.backend,
            common::with_session(common::get_req(uri), by),
        )
        .await
    }

    async fn form(&self, by: &Signed, uri: &str, pairs: &[(&str, &str)]) -> Reply {
        common::send(
            &self.app,
            self.backend,
            common::with_session(common::form_req(uri, pairs), by),
        )
        .await
    }

    /// How many facts of `kind` the registry holds.
    async fn facts(&self, kind: FactKind) -> usize {
        self.registry
            .store()
            .export_batch(kind.code(), 0, 10_000, false)
            .await
            .unwrap()
            .len()
    }

    async fn pending(&self) -> usize {
        self.registry
            .declarations(&gongyi_app::facts::DeclarationFilter {
                status: Some(DeclarationStatus::Pending),
                ..Default::default()
            })
            .await
            .unwrap()
            .len()
    }

    /// The decisions of rule `rule` in the organisation's eligibility, as
    /// (event, outcome, amount).
    async fn eligibility(&self, code: &str, rule: &str) -> Vec<(String, String, Option<i64>)> {
        let r = self
            .get(
                self.who(Role::Bureau),
                &format!("/api/v1/organizations/{code}/eligibility"),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}: {}", self.backend, r.seen());
        r.json()["decisions"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == rule)
            .map(|d| {
                (
                    d["event_key"].as_str().unwrap().to_string(),
                    d["outcome"].as_str().unwrap().to_string(),
                    d["amount_fen"].as_i64(),
                )
            })
            .collect()
    }

    /// The organisation as the API shows it, turned back into an update body.
    async fn org_body(&self, by: &Signed, code: &str) -> Option<Value> {
        let r = self.get(by, &format!("/api/v1/organizations/{code}")).await;
        if r.status != StatusCode::OK {
            return None;
        }
        let v = r.json();
        let text = |k: &str| v[k].as_str().unwrap_or("").to_string();
        Some(json!({
            "credit_code": v["credit_code"], "name": v["name"], "kind": v["kind"],
            "community": v["community"], "fresh_graduate": v["fresh_graduate"],
            "subdistrict": v["subdistrict_code"], "registration_date": v["registration_date"],
            "registered_capital_fen": v["registered_capital_fen"], "address": text("address"),
            "legal_representative": text("legal_representative"),
            "contact_phone": text("contact_phone"), "status": v["status"], "version": v["version"],
        }))
    }
}

const QUALIFICATION_LEVELS: [&str; 3] = ["ASSISTANT", "INTERMEDIATE", "SENIOR"];

/// A valid body of `kind`, varied by `n` so that records of several roles
/// do not collide on a unique key.
fn body_of(kind: FactKind, n: usize, code: &str) -> Value {
    let d = |day: usize| format!("2024-05-{:02}", day + 1);
    match kind {
        FactKind::Inspection => json!({"year": "2024", "result": "QUALIFIED", "date": d(n)}),
        FactKind::Rating => json!({"level": "5A", "date": d(n)}),
        FactKind::Honour => json!({"title": "全国先进社会组织", "level": "NATIONAL", "date": d(n)}),
        FactKind::CreditEntry => json!({"list": "ABNORMAL_ACTIVITY", "reason": "未按时报送年报",
            "listed_date": d(n), "removed_date": "2024-05-30"}),
        FactKind::PartyBuilding => json!({"date": d(n), "has_party_org": false, "members": "0"}),
        FactKind::Finance => json!({"year": "2024", "total_revenue": "1000"}),
        FactKind::Lease => json!({"month": format!("2024-{:02}", n + 2), "rent_paid": "600"}),
        FactKind::StartupApplication => json!({"date": d(n), "requested": "10000"}),
        FactKind::VentureProject => json!({"project_id": format!("VP-{n}"), "amount": "100000",
            "selected_date": d(n)}),
        FactKind::CompetitionWin => json!({"project_id": format!("CY-{n}"), "level": "MUNICIPAL",
            "prize_place": "1", "amount": "50000", "serves_district": true, "date": d(n)}),
        FactKind::SupervisorReview => {
            json!({"year": format!("{}", 2015 + n), "score": "95.5", "hours": "20"})
        }
        FactKind::SeniorAward => json!({"decision_date": d(n), "innovative_contribution": true}),
        FactKind::Review => json!({"year": format!("{}", 2015 + n), "training_hours": "40",
            "performance": "EXCELLENT"}),
        FactKind::Qualification => json!({
            "level": QUALIFICATION_LEVELS[n % 3],
            "certificate_no": format!("ZG-{n}"), "date": "2020-01-01"}),
        FactKind::Employment => json!({"org_credit_code": code,
            "start_date": format!("2024-0{}-01", n % 5 + 2), "labour_contract": true, "full_time": false}),
        FactKind::Registration | FactKind::Contact => json!({}),
    }
}

#[tokio::test]
async fn every_fact_kind_is_accepted_from_each_role_only_where_the_table_says() {
    for (db, _) in gongyi_testkit::databases().await {
        let s = Site::new(db).await;
        let b = s.backend;
        let mut failures = vec![];
        for kind in FactKind::ALL.iter().copied() {
            for (n, (role, who)) in s.accounts.iter().enumerate() {
                let expected = who_states(kind, *role);
                let case = format!("{b}: {} by {}", kind.code(), role.code());
                if matches!(kind, FactKind::Registration | FactKind::Contact) {
                    // Through the organisation's own record, as a person edits it.
                    let Some(mut body) = s.org_body(s.who(Role::Bureau), &s.code).await else {
                        panic!("{case}: the organisation cannot be read");
                    };
                    let (field, value) = if kind == FactKind::Registration {
                        ("name", format!("杨浦区申报测试服务社{n}号"))
                    } else {
                        ("address", format!("长海路 {n} 号"))
                    };
                    body[field] = json!(value);
                    let r = s
                        .api(
                            who,
                            Method::PUT,
                            &format!("/api/v1/organizations/{}", s.code),
                            body,
                        )
                        .await;
                    let now = s.org_body(s.who(Role::Bureau), &s.code).await.unwrap();
                    let changed = now[field] == json!(value);
                    let accepted = r.status == StatusCode::OK;
                    if accepted != expected.states() || changed != expected.states() {
                        failures.push(format!("{case}: expected {expected:?}, got {}", r.seen()));
                    }
                    if !expected.states() && r.status.is_success() {
                        failures.push(format!("{case}: accepted"));
                    }
                    continue;
                }
                let uri = match kind.owner() {
                    gongyi_domain::facts::Owner::Organisation => {
                        format!("/api/v1/organizations/{}/{}", s.code, kind.code())
                    }
                    gongyi_domain::facts::Owner::Person => {
                        format!("/api/v1/people/{}/{}", s.person, kind.code())
                    }
                };
                let (facts, pending) = (s.facts(kind).await, s.pending().await);
                let r = s
                    .api(who, Method::POST, &uri, body_of(kind, n, &s.code))
                    .await;
                let (facts_after, pending_after) = (s.facts(kind).await, s.pending().await);
                match expected {
                    Stating::Records => {
                        let id = r.json()["id"].as_i64();
                        if r.status != StatusCode::CREATED || id.is_none() {
                            failures.push(format!("{case}: expected 201, got {}", r.seen()));
                            continue;
                        }
                        let p = s
                            .registry
                            .store()
                            .provenance(kind, id.unwrap())
                            .await
                            .unwrap();
                        if (p.source, p.stated_by.as_str(), p.verified_by.as_deref())
                            != (
                                FactSource::Record,
                                who.name.as_str(),
                                Some(who.name.as_str()),
                            )
                            || facts_after != facts + 1
                            || pending_after != pending
                        {
                            failures.push(format!("{case}: recorded as {p:?}"));
                        }
                    }
                    Stating::Declares => {
                        let id = r.json()["declaration"].as_i64();
                        if r.status != StatusCode::ACCEPTED || id.is_none() {
                            failures.push(format!("{case}: expected 202, got {}", r.seen()));
                            continue;
                        }
                        let d = s.registry.declaration(id.unwrap()).await.unwrap();
                        if d.status != DeclarationStatus::Pending
                            || d.kind != kind
                            || d.stated_by != who.name
                            || facts_after != facts
                            || pending_after != pending + 1
                        {
                            failures.push(format!("{case}: declared as {d:?}"));
                        }
                    }
                    Stating::Applies | Stating::No => {
                        if r.status != StatusCode::FORBIDDEN
                            || facts_after != facts
                            || pending_after != pending
                        {
                            failures.push(format!("{case}: expected 403, got {}", r.seen()));
                        }
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

#[tokio::test]
async fn an_organisation_cannot_give_itself_a_rating_or_an_honour() {
    for (db, _) in gongyi_testkit::databases().await {
        let s = Site::new(db).await;
        let b = s.backend;
        let org = s.who(Role::Organisation);
        for (kind, body) in [
            ("ratings", json!({"level": "5A", "date": "2024-05-01"})),
            (
                "honours",
                json!({"title": "全国先进社会组织", "level": "NATIONAL", "date": "2024-05-01"}),
            ),
        ] {
            let r = s
                .api(
                    org,
                    Method::POST,
                    &format!("/api/v1/organizations/{}/{kind}", s.code),
                    body,
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{b}: {}", r.seen());
            let v = r.json();
            assert_eq!(v["code"], "forbidden", "{b}");
            assert_eq!(v["fields"][0]["code"], "fact.not_stated_by_role", "{b}");
            assert!(
                v["message"].as_str().unwrap().contains("区民政局"),
                "{b}: the reason names who records it: {}",
                r.seen()
            );
        }
        // The page's form is refused the same way, and the page offers none.
        let page = s
            .form(
                org,
                &format!("/orgs/{}/history/ratings", s.code),
                &[("level", "5A"), ("date", "2024-05-01")],
            )
            .await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{b}: {}", page.seen());
        let shown = s.get(org, &format!("/orgs/{}", s.code)).await;
        assert!(
            !shown.body.contains("/history/ratings") && !shown.body.contains("/history/honours"),
            "{b}: the organisation is offered a rating form"
        );
        assert!(
            shown.body.contains("/history/leases") && shown.body.contains("提交申报"),
            "{b}: the organisation is not offered to declare a lease"
        );
        let now = s
            .get(org, &format!("/api/v1/organizations/{}", s.code))
            .await;
        assert!(
            now.json()["current_rating"].is_null(),
            "{b}: {}",
            now.seen()
        );
        assert!(s.eligibility(&s.code, "R4").await.is_empty(), "{b}");
        assert!(s.eligibility(&s.code, "R5").await.is_empty(), "{b}");
        let public = s.get(org, &format!("/public/orgs/{}", s.code)).await;
        assert!(
            !public.body.contains("5A"),
            "{b}: the public profile shows 5A"
        );
    }
}

#[tokio::test]
async fn a_declared_lease_changes_no_eligibility_until_its_sub_district_verifies_it() {
    for (db, _) in gongyi_testkit::databases().await {
        let s = Site::new(db).await;
        let b = s.backend;
        let org = s.who(Role::Organisation);
        let r = s
            .api(
                org,
                Method::POST,
                &format!("/api/v1/organizations/{}/leases", s.code),
                json!({"month": "2024-03", "rent_paid": "600"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{b}: {}", r.seen());
        let id = r.json()["declaration"].as_i64().unwrap();
        assert!(
            !s.eligibility(&s.code, "R3")
                .await
                .iter()
                .any(|(k, ..)| k == "2024-03"),
            "{b}: a declared lease is eligible before verification"
        );
        // The organisation and its sub-district see it waiting; the public does not.
        let own = s.get(org, &format!("/orgs/{}", s.code)).await;
        assert!(
            own.body.contains("待核实") && own.body.contains("2024-03"),
            "{b}"
        );
        let queue = s.get(s.who(Role::Subdistrict), "/declarations").await;
        assert!(
            queue.body.contains(&format!("/declarations/{id}/verify")),
            "{b}: the officer is not offered to verify: {}",
            queue.seen()
        );
        let public = s.get(org, &format!("/public/orgs/{}", s.code)).await;
        assert!(!public.body.contains("待核实"), "{b}");

        let done = s
            .form(
                s.who(Role::Subdistrict),
                &format!("/declarations/{id}/verify"),
                &[("next", "/declarations")],
            )
            .await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{b}: {}", done.seen());
        let r3 = s.eligibility(&s.code, "R3").await;
        assert!(
            r3.contains(&("2024-03".into(), "granted".into(), Some(50_000))),
            "{b}: after verification R3 is {r3:?}"
        );
        let d = s.registry.declaration(id).await.unwrap();
        assert_eq!(d.status, DeclarationStatus::Verified, "{b}");
        let p = s
            .registry
            .store()
            .provenance(FactKind::Lease, d.fact_id.unwrap())
            .await
            .unwrap();
        assert_eq!(
            (p.source, p.stated_by.as_str(), p.verified_by.as_deref()),
            (
                FactSource::Declaration,
                "f-organisation",
                Some("f-subdistrict")
            ),
            "{b}"
        );
    }
}

#[tokio::test]
async fn declarations_are_decided_inside_the_area_by_someone_else_and_bad_ones_say_why() {
    for (db, _) in gongyi_testkit::databases().await {
        let s = Site::new(db).await;
        let b = s.backend;
        let org = s.who(Role::Organisation);
        let leases = format!("/api/v1/organizations/{}/leases", s.code);

        // Missing and contradictory fields: errors in Chinese naming each field.
        let bad = s
            .api(
                org,
                Method::POST,
                &leases,
                json!({"month": "2024-13", "rent_paid": "-5"}),
            )
            .await;
        assert_eq!(
            bad.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            bad.seen()
        );
        let fields: Vec<String> = bad.json()["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(fields, ["month", "rent_paid"], "{b}");
        assert!(bad.body.contains("月份"), "{b}: {}", bad.seen());
        let early = s
            .api(
                org,
                Method::POST,
                &leases,
                json!({"month": "2023-12", "rent_paid": "500"}),
            )
            .await;
        assert_eq!(
            early.json()["fields"][0]["code"],
            "date.before_registration",
            "{b}"
        );

        let s = &s;
        let declare = |month: &'static str| {
            let leases = leases.clone();
            async move {
                let r = s
                    .api(
                        org,
                        Method::POST,
                        &leases,
                        json!({"month": month, "rent_paid": "500"}),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::ACCEPTED, "{b}: {}", r.seen());
                r.json()["declaration"].as_i64().unwrap()
            }
        };
        let id = declare("2024-05").await;
        let verify = |id: i64| format!("/api/v1/declarations/{id}/verify");

        // Outside the verifier's area: not found, by page and API alike.
        let far = s.api(&s.sub2, Method::POST, &verify(id), json!({})).await;
        assert_eq!(far.status, StatusCode::NOT_FOUND, "{b}: {}", far.seen());
        let far_page = s
            .form(&s.sub2, &format!("/declarations/{id}/verify"), &[])
            .await;
        assert_eq!(far_page.status, StatusCode::NOT_FOUND, "{b}");
        let far_get = s.get(&s.sub2, &format!("/api/v1/declarations/{id}")).await;
        assert_eq!(far_get.status, StatusCode::NOT_FOUND, "{b}");
        let far_list = s.get(&s.sub2, "/api/v1/declarations").await;
        assert_eq!(far_list.json().as_array().unwrap().len(), 0, "{b}");

        // The declarant is refused its own declaration, with the reason.
        let own = s.api(org, Method::POST, &verify(id), json!({})).await;
        assert_eq!(own.status, StatusCode::CONFLICT, "{b}: {}", own.seen());
        assert_eq!(own.json()["fields"][0]["code"], "declaration.own", "{b}");
        let own_page = s
            .form(org, &format!("/declarations/{id}/verify"), &[])
            .await;
        assert_eq!(own_page.status, StatusCode::CONFLICT, "{b}");
        assert!(
            own_page.body.contains("本人提交的申报"),
            "{b}: {}",
            own_page.seen()
        );
        // Another account of the organisation verifies nothing.
        let colleague = s.api(&s.org2, Method::POST, &verify(id), json!({})).await;
        assert_eq!(
            colleague.status,
            StatusCode::FORBIDDEN,
            "{b}: {}",
            colleague.seen()
        );

        // A return needs its reason; the organisation then sees it.
        let ret = format!("/api/v1/declarations/{id}/return");
        let bureau = s.who(Role::Bureau);
        let no_reason = s.api(bureau, Method::POST, &ret, json!({})).await;
        assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        let returned = s
            .api(
                bureau,
                Method::POST,
                &ret,
                json!({"reason": "租赁合同未附"}),
            )
            .await;
        assert_eq!(
            returned.status,
            StatusCode::NO_CONTENT,
            "{b}: {}",
            returned.seen()
        );
        let again = s
            .api(
                s.who(Role::Subdistrict),
                Method::POST,
                &verify(id),
                json!({}),
            )
            .await;
        assert_eq!(
            again.json()["fields"][0]["code"],
            "declaration.decided",
            "{b}"
        );
        let mine = s.get(org, "/declarations?status=RETURNED").await;
        assert!(mine.body.contains("租赁合同未附"), "{b}: {}", mine.seen());
        assert_eq!(s.facts(FactKind::Lease).await, 0, "{b}");

        // A lease overlapping one on record is refused, declared or verified.
        let first = declare("2024-04").await;
        let second = declare("2024-04").await;
        let ok = s
            .api(
                s.who(Role::Subdistrict),
                Method::POST,
                &verify(first),
                json!({}),
            )
            .await;
        assert_eq!(ok.status, StatusCode::OK, "{b}: {}", ok.seen());
        let overlap = s
            .api(
                s.who(Role::Subdistrict),
                Method::POST,
                &verify(second),
                json!({}),
            )
            .await;
        assert_eq!(
            overlap.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{b}: {}",
            overlap.seen()
        );
        assert_eq!(overlap.json()["fields"][0]["code"], "lease.overlap", "{b}");
        let pending = s.registry.declaration(second).await.unwrap();
        assert_eq!(pending.status, DeclarationStatus::Pending, "{b}");
        let third = s
            .api(
                org,
                Method::POST,
                &leases,
                json!({"month": "2024-04", "rent_paid": "500"}),
            )
            .await;
        assert_eq!(third.json()["fields"][0]["code"], "lease.overlap", "{b}");
        assert_eq!(s.facts(FactKind::Lease).await, 1, "{b}");
    }
}

#[tokio::test]
async fn the_account_that_submitted_an_application_does_not_approve_it() {
    for (db, _) in gongyi_testkit::databases().await {
        let s = Site::new(db).await;
        let b = s.backend;
        let bureau = s.who(Role::Bureau);
        // The project is on record, so the rules back the payment.
        let vp = s
            .api(
                bureau,
                Method::POST,
                &format!("/api/v1/organizations/{}/venture-projects", s.other),
                json!({"project_id": "VP-4EYES", "amount": "100000", "selected_date": "2024-03-01"}),
            )
            .await;
        assert_eq!(vp.status, StatusCode::CREATED, "{b}: {}", vp.seen());
        let budget = s
            .form(
                bureau,
                "/finance/budgets",
                &[("rule", "R6"), ("year", "2024"), ("amount", "100000")],
            )
            .await;
        assert_eq!(
            budget.status,
            StatusCode::SEE_OTHER,
            "{b}: {}",
            budget.seen()
        );
        let a = s
            .api(
                bureau,
                Method::POST,
                "/api/v1/applications",
                json!({"rule": "R6", "beneficiary_id": s.other, "event_key": "VP-4EYES",
                       "requested_fen": 50_000}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{b}: {}", a.seen());
        let id = a.json()["application"]["id"].as_i64().unwrap();
        let approve = format!("/api/v1/applications/{id}/approve");
        let own = s.api(bureau, Method::POST, &approve, json!({})).await;
        assert_eq!(own.status, StatusCode::CONFLICT, "{b}: {}", own.seen());
        assert_eq!(
            own.json()["fields"][0]["code"],
            "workflow.decider_is_applicant",
            "{b}"
        );
        let other = s.api(&s.bureau2, Method::POST, &approve, json!({})).await;
        assert_eq!(other.status, StatusCode::OK, "{b}: {}", other.seen());
        let pay = s
            .api(
                s.who(Role::Finance),
                Method::POST,
                &format!("/api/v1/applications/{id}/pay"),
                json!({}),
            )
            .await;
        assert_eq!(pay.status, StatusCode::OK, "{b}: {}", pay.seen());
    }
}

/// Four eyes, pair by pair (issue 10, 5): an account that took one step on
/// an item takes no later step on it, even after the security administrator
/// moved it to the role that could: submitted → reviewed, submitted →
/// approved, submitted → paid, approved → paid, declared → verified,
/// declared → returned. Each refusal names the rule; another account then
/// takes the step.
#[tokio::test]
async fn four_eyes_hold_for_every_pair_of_steps_even_after_a_move() {
    for (db, _) in gongyi_testkit::databases().await {
        let s = Site::new(db).await;
        let b = s.backend;
        let bureau = s.who(Role::Bureau);
        let vp = s
            .api(
                bureau,
                Method::POST,
                &format!("/api/v1/organizations/{}/venture-projects", s.code),
                json!({"project_id": "VP-PAIRS", "amount": "100000", "selected_date": "2024-03-01"}),
            )
            .await;
        assert_eq!(vp.status, StatusCode::CREATED, "{b}: {}", vp.seen());
        let budget = s
            .form(
                bureau,
                "/finance/budgets",
                &[("rule", "R6"), ("year", "2024"), ("amount", "100000")],
            )
            .await;
        assert_eq!(
            budget.status,
            StatusCode::SEE_OTHER,
            "{b}: {}",
            budget.seen()
        );

        // Submitted by one bureau officer for the community organisation A,
        // which its sub-district reviews first.
        let submitter = common::sign_in(&s.registry, "f-mover", Role::Bureau, "", "").await;
        let a = s
            .api(
                &submitter,
                Method::POST,
                "/api/v1/applications",
                json!({"rule": "R6", "beneficiary_id": s.code, "event_key": "VP-PAIRS",
                       "requested_fen": 50_000}),
            )
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "{b}: {}", a.seen());
        let id = a.json()["application"]["id"].as_i64().unwrap();
        let step = |action: &str| format!("/api/v1/applications/{id}/{action}");
        let refused = |r: &Reply, code: &str, pair: &str| {
            assert_eq!(r.status, StatusCode::CONFLICT, "{b} {pair}: {}", r.seen());
            assert_eq!(r.json()["fields"][0]["code"], code, "{b} {pair}");
        };

        // submitted → reviewed
        let as_sub = s.moved(&submitter, Role::Subdistrict, SUB_1).await;
        let r = s
            .api(&as_sub, Method::POST, &step("review"), json!({}))
            .await;
        refused(&r, "workflow.decider_is_applicant", "submitted → reviewed");
        let reviewer = s.who(Role::Subdistrict);
        let r = s
            .api(reviewer, Method::POST, &step("review"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());

        // submitted → approved
        let as_bureau = s.moved(&submitter, Role::Bureau, "").await;
        let r = s
            .api(&as_bureau, Method::POST, &step("approve"), json!({}))
            .await;
        refused(&r, "workflow.decider_is_applicant", "submitted → approved");
        let r = s
            .api(&s.bureau2, Method::POST, &step("approve"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());

        // submitted → paid, approved → paid
        let as_finance = s.moved(&submitter, Role::Finance, "").await;
        let r = s
            .api(&as_finance, Method::POST, &step("pay"), json!({}))
            .await;
        refused(&r, "workflow.decider_is_applicant", "submitted → paid");
        let approver = s.moved(&s.bureau2, Role::Finance, "").await;
        let r = s
            .api(&approver, Method::POST, &step("pay"), json!({}))
            .await;
        refused(&r, "workflow.payer_is_approver", "approved → paid");
        let r = s
            .api(s.who(Role::Finance), Method::POST, &step("pay"), json!({}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());

        // declared → verified, declared → returned: an organisation's
        // account that later became its sub-district's officer.
        let declarant =
            common::sign_in(&s.registry, "f-org-mover", Role::Organisation, "", &s.code).await;
        let d = s
            .api(
                &declarant,
                Method::POST,
                &format!("/api/v1/organizations/{}/leases", s.code),
                json!({"month": "2024-04", "rent_paid": "500"}),
            )
            .await;
        assert_eq!(d.status, StatusCode::ACCEPTED, "{b}: {}", d.seen());
        let decl = d.json()["declaration"].as_i64().unwrap();
        let officer = s.moved(&declarant, Role::Subdistrict, SUB_1).await;
        for action in ["verify", "return"] {
            let r = s
                .api(
                    &officer,
                    Method::POST,
                    &format!("/api/v1/declarations/{decl}/{action}"),
                    json!({"reason": "租赁合同与付款凭证不符"}),
                )
                .await;
            refused(&r, "declaration.own", &format!("declared → {action}"));
        }
        let r = s
            .api(
                reviewer,
                Method::POST,
                &format!("/api/v1/declarations/{decl}/verify"),
                json!({}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{b}: {}", r.seen());
        assert_eq!(s.facts(FactKind::Lease).await, 1, "{b}");
    }
}
