//! Every list carries the caller's scope and every change is audited, on
//! both databases: with an organisation and an application in each of the
//! district's sub-districts, a sub-district caller never sees or touches
//! another sub-district's records, an organisation caller never another
//! organisation's, and a caller without a scope nothing; each change leaves
//! an audit record and the chain verifies.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::applications::{ActionInput, ActorInput, BudgetInput};
use gongyi_app::orgs::HistoryInput;
use gongyi_app::security::audit::Verdict;
use gongyi_app::security::Caller;
use gongyi_app::{AppError, Clock, Registry};
use gongyi_domain::access::Scope;
use gongyi_domain::applications::ApplicationInput;
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::history::InspectionInput;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::CreditCode;
use gongyi_store::applications::{ApplicationFilter, ApplicationRow};
use gongyi_store::audit::AuditFilter;
use gongyi_store::orgs::{OrgFilter, OrgRow};
use gongyi_store::Backend;

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

/// A community organisation (reviewed by its sub-district) in `subdistrict`.
fn org_input(code: &str, name: &str, subdistrict: &str) -> OrgInput {
    OrgInput {
        credit_code: code.into(),
        name: name.into(),
        kind: "民办非企业单位".into(),
        community: "是".into(),
        fresh_graduate: "否".into(),
        subdistrict: subdistrict.into(),
        registration_date: "2023-03-01".into(),
        registered_capital: "200000".into(),
        service_fields: "社会服务".into(),
        address: String::new(),
        legal_representative: "王芳".into(),
        contact_phone: "13812345678".into(),
        status: String::new(),
        stage: String::new(),
    }
}

fn operator_actor(name: &str, role: &str) -> ActorInput {
    ActorInput {
        name: name.into(),
        role: role.into(),
    }
}

fn signed_in(role: &str, scope: Scope) -> Caller {
    Caller {
        account_id: Some(42),
        name: format!("{role}账号"),
        role: role.into(),
        scope,
        client_addr: Some("127.0.0.1".into()),
        request_id: None,
    }
}

fn inspection() -> HistoryInput {
    HistoryInput::Inspection(InspectionInput {
        year: "2023".into(),
        result: "合格".into(),
        date: "2024-05-01".into(),
    })
}

fn lease() -> HistoryInput {
    HistoryInput::Lease(gongyi_domain::history::LeaseInput {
        month: "2024-05".into(),
        rent_paid: "500".into(),
    })
}

fn backend_name(r: &Registry) -> &'static str {
    match r.store().backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

/// One organisation with one application in each sub-district.
struct World {
    r: Registry,
    orgs: Vec<OrgRow>,
    apps: Vec<ApplicationRow>,
}

async fn worlds() -> Vec<World> {
    let mut out = Vec::new();
    for (db, _url) in gongyi_testkit::databases().await {
        let r = Registry::new(db, Clock::fixed(today()));
        let subs = r.store().subdistricts().await.unwrap();
        assert_eq!(subs.len(), 12, "reference data holds 12 sub-districts");
        let mut orgs = Vec::new();
        let mut apps = Vec::new();
        for (i, s) in subs.iter().enumerate() {
            let code = credit_code(i as u32 + 1);
            let org = r
                .create_org(&org_input(&code, &format!("{}睦邻互助社", s.name), &s.code))
                .await
                .unwrap();
            let app = r
                .apply(
                    &ApplicationInput {
                        rule: "R3".into(),
                        beneficiary_id: code.clone(),
                        event_key: "2024-03".into(),
                        requested: "450".into(),
                    },
                    vec![],
                    &operator_actor("王芳", "organisation"),
                )
                .await
                .unwrap();
            orgs.push(org);
            apps.push(app);
        }
        out.push(World { r, orgs, apps });
    }
    out
}

fn is_not_found<T: std::fmt::Debug>(r: Result<T, AppError>, what: &str) {
    assert!(
        matches!(r, Err(AppError::NotFound)),
        "{what}: expected not found, got {r:?}"
    );
}

fn invalid_on<T: std::fmt::Debug>(r: Result<T, AppError>, field: &str, what: &str) {
    match r {
        Err(AppError::Invalid(i)) if i.0.iter().any(|f| f.field == field) => {}
        other => panic!("{what}: expected invalid {field}, got {other:?}"),
    }
}

/// What a scoped caller may see: its directory (with facets and counts) and
/// its queue; `visible` says which of the world's organisations belong.
async fn sees_exactly(r: &Registry, w: &World, visible: &dyn Fn(&OrgRow) -> bool, what: &str) {
    let (page, facets) = r.directory(&OrgFilter::default(), 1, 200).await.unwrap();
    let mut got: Vec<&str> = page.items.iter().map(|o| o.credit_code.as_str()).collect();
    got.sort_unstable();
    let mut want: Vec<&str> = w
        .orgs
        .iter()
        .filter(|o| visible(o))
        .map(|o| o.credit_code.as_str())
        .collect();
    want.sort_unstable();
    assert_eq!(got, want, "{what}: directory");
    assert_eq!(page.total, want.len() as i64, "{what}: directory total");
    let facet_total: i64 = facets.subdistrict.iter().map(|(_, n)| n).sum();
    assert_eq!(facet_total, want.len() as i64, "{what}: facets");
    assert_eq!(
        r.count_orgs().await.unwrap(),
        want.len() as i64,
        "{what}: count"
    );

    let (queue, counts) = r
        .application_queue(&ApplicationFilter::default(), 1, 200)
        .await
        .unwrap();
    let mut got: Vec<&str> = queue
        .items
        .iter()
        .map(|a| a.beneficiary_id.as_str())
        .collect();
    got.sort_unstable();
    assert_eq!(got, want, "{what}: queue");
    let counted: i64 = counts.iter().map(|(_, n)| n).sum();
    assert_eq!(counted, want.len() as i64, "{what}: queue counts");
}

/// Everything that names one record of `w.orgs[j]` is not found for `r`.
async fn cannot_reach(r: &Registry, w: &World, j: usize, what: &str) {
    let org = &w.orgs[j];
    let app = &w.apps[j];
    let code = &org.credit_code;
    is_not_found(r.org(code).await, what);
    is_not_found(r.org_page(code).await, what);
    is_not_found(r.org_eligibility(code).await, what);
    is_not_found(r.org_subsidies(code).await, what);
    is_not_found(
        r.update_org(
            code,
            org.version,
            &org_input(code, "改名", &org.subdistrict_code),
        )
        .await,
        what,
    );
    is_not_found(r.add_history(code, &inspection()).await, what);
    is_not_found(r.deregister(code, org.version, "2024-05-01").await, what);
    is_not_found(r.application_page(app.id).await, what);
    is_not_found(r.attachment(app.id, 1).await, what);
    is_not_found(r.act(app.id, "review", &ActionInput::default()).await, what);
    // A filter naming the other sub-district does not widen the scope.
    let f = OrgFilter {
        subdistrict: Some(org.subdistrict_code.clone()),
        ..Default::default()
    };
    let (page, _) = r.directory(&f, 1, 200).await.unwrap();
    assert!(
        page.items.iter().all(|o| o.credit_code != *code),
        "{what}: filtered directory"
    );
}

#[tokio::test]
async fn no_caller_sees_or_changes_anything_outside_its_scope() {
    for w in worlds().await {
        let backend = backend_name(&w.r);
        let n = w.orgs.len();

        // Sub-districts: every ordered pair.
        for a in 0..n {
            let sub = w.orgs[a].subdistrict_code.clone();
            let r =
                w.r.acting(signed_in("subdistrict", Scope::Subdistrict(sub.clone())));
            let what = format!("{backend} 街道 {sub}");
            sees_exactly(&r, &w, &|o| o.subdistrict_code == sub, &what).await;
            r.org_page(&w.orgs[a].credit_code).await.unwrap();
            r.application_page(w.apps[a].id).await.unwrap();
            for b in (0..n).filter(|b| *b != a) {
                let what = format!("{what} → {}", w.orgs[b].subdistrict_code);
                cannot_reach(&r, &w, b, &what).await;
                // Nor may it register or move an organisation there.
                let other = &w.orgs[b].subdistrict_code;
                invalid_on(
                    r.create_org(&org_input(&credit_code(900), "新组织", other))
                        .await,
                    "subdistrict",
                    &what,
                );
                invalid_on(
                    r.update_org(
                        &w.orgs[a].credit_code,
                        w.orgs[a].version,
                        &org_input(&w.orgs[a].credit_code, &w.orgs[a].name, other),
                    )
                    .await,
                    "subdistrict",
                    &what,
                );
            }
        }

        // Organisations: every ordered pair.
        for x in 0..n {
            let id = w.orgs[x].id;
            let r =
                w.r.acting(signed_in("organisation", Scope::Organisation(id)));
            let what = format!("{backend} 组织 {}", w.orgs[x].credit_code);
            sees_exactly(&r, &w, &|o| o.id == id, &what).await;
            r.org_page(&w.orgs[x].credit_code).await.unwrap();
            r.application_page(w.apps[x].id).await.unwrap();
            assert!(
                matches!(
                    r.create_org(&org_input(
                        &credit_code(901),
                        "新组织",
                        &w.orgs[x].subdistrict_code
                    ))
                    .await,
                    Err(AppError::Forbidden)
                ),
                "{what}: create"
            );
            for y in (0..n).filter(|y| *y != x) {
                let what = format!("{what} → {}", w.orgs[y].credit_code);
                cannot_reach(&r, &w, y, &what).await;
                invalid_on(
                    r.apply(
                        &ApplicationInput {
                            rule: "R3".into(),
                            beneficiary_id: w.orgs[y].credit_code.clone(),
                            event_key: "2024-04".into(),
                            requested: "450".into(),
                        },
                        vec![],
                        &ActorInput::default(),
                    )
                    .await,
                    "beneficiary_id",
                    &what,
                );
            }
        }

        // No scope: nothing at all.
        for caller in [Caller::anonymous(), signed_in("bureau", Scope::Nothing)] {
            let r = w.r.acting(caller);
            let what = format!("{backend} 无范围");
            sees_exactly(&r, &w, &|_| false, &what).await;
            for j in 0..n {
                cannot_reach(&r, &w, j, &what).await;
            }
        }

        // The public directory stays district-wide whoever asks.
        let anon = w.r.acting(Caller::anonymous());
        let mut walk = anon
            .public_walk(&OrgFilter::default(), 200, false)
            .await
            .unwrap();
        let mut rows = 0;
        while let Some(batch) = walk.next().await.unwrap() {
            rows += batch.len();
        }
        assert_eq!(rows, n, "{backend}: public rows");
        assert_eq!(
            anon.public_directory(&OrgFilter::default(), 1, 200)
                .await
                .unwrap()
                .total,
            n as i64,
            "{backend}: public directory"
        );

        // Nothing refused above was written.
        assert_eq!(w.r.count_orgs().await.unwrap(), n as i64, "{backend}");
        for (o, a) in w.orgs.iter().zip(&w.apps) {
            let now = w.r.org(&o.credit_code).await.unwrap();
            assert_eq!(now.version, o.version, "{backend}");
            assert!(
                w.r.org_page(&o.credit_code)
                    .await
                    .unwrap()
                    .history
                    .inspections
                    .is_empty(),
                "{backend}"
            );
            let page = w.r.application_page(a.id).await.unwrap();
            assert_eq!(page.application.status.code(), "SUBMITTED", "{backend}");
        }
        let (queue, _) =
            w.r.application_queue(&ApplicationFilter::default(), 1, 200)
                .await
                .unwrap();
        assert_eq!(queue.total, n as i64, "{backend}: no application added");
    }
}

/// The audit records of `entity_id`, oldest first.
async fn audit_of(r: &Registry, entity_id: &str) -> Vec<gongyi_store::audit::AuditRow> {
    let f = AuditFilter {
        entity_id: Some(entity_id.into()),
        ..Default::default()
    };
    let (mut rows, _) = r.audit_search(&f, 1, 200).await.unwrap();
    rows.reverse();
    rows
}

#[tokio::test]
async fn each_change_leaves_an_audit_record_and_the_chain_verifies() {
    for (db, _url) in gongyi_testkit::databases().await {
        let r = Registry::new(db, Clock::fixed(today()));
        let backend = backend_name(&r);
        let subs = r.store().subdistricts().await.unwrap();
        let sub = subs[0].code.clone();
        let code = credit_code(7);
        let org = r
            .create_org(&org_input(&code, "长海路睦邻互助社", &sub))
            .await
            .unwrap();

        // An edit through the sub-district's own account (not of a
        // registration fact: those are the bureau's).
        let officer = r.acting(signed_in("subdistrict", Scope::Subdistrict(sub.clone())));
        let mut edit = org_input(&code, "长海路睦邻互助社", &sub);
        edit.address = "长海路 100 号".into();
        edit.contact_phone = "13900001111".into();
        let org = officer.update_org(&code, org.version, &edit).await.unwrap();
        // A lease checked on site: the sub-district records it in its area
        // (`who_states`); an inspection is the bureau's alone.
        officer.add_history(&code, &lease()).await.unwrap();

        // The organisation applies for itself; typed names are ignored.
        let own = r.acting(signed_in("organisation", Scope::Organisation(org.id)));
        let app = own
            .apply(
                &ApplicationInput {
                    rule: "R3".into(),
                    beneficiary_id: code.clone(),
                    event_key: "2024-03".into(),
                    requested: "450".into(),
                },
                vec![],
                &operator_actor("冒名者", "bureau"),
            )
            .await
            .unwrap();
        assert_eq!(
            (app.applicant_name.as_str(), app.applicant_role.code()),
            ("organisation账号", "organisation"),
            "{backend}"
        );
        let forged = ActionInput {
            actor: operator_actor("冒名者", "bureau"),
            ..Default::default()
        };
        let app = officer.act(app.id, "review", &forged).await.unwrap();
        assert_eq!(
            app.reviewer_name.as_deref(),
            Some("subdistrict账号"),
            "{backend}"
        );
        // A sub-district account cannot approve, whatever role it types.
        assert!(
            matches!(
                officer.act(app.id, "approve", &forged).await,
                Err(AppError::Refused { .. })
            ),
            "{backend}"
        );
        let bureau = r.acting(signed_in("bureau", Scope::District));
        let finance = r.acting(signed_in("finance", Scope::District));
        // The rent the approval checks against (the facts' own pages are
        // another capability's).
        gongyi_app::test_support::Record(&r)
            .lease(org.id, "2024-03", "450")
            .await;
        bureau
            .set_budget(&BudgetInput {
                rule: "R3".into(),
                year: "2024".into(),
                amount: "10000".into(),
                actor: ActorInput::default(),
            })
            .await
            .unwrap();
        bureau
            .set_budget(&BudgetInput {
                rule: "R3".into(),
                year: "2024".into(),
                amount: "20000".into(),
                actor: ActorInput::default(),
            })
            .await
            .unwrap();
        let app = bureau
            .act(app.id, "approve", &ActionInput::default())
            .await
            .unwrap();
        let app = finance
            .act(app.id, "pay", &ActionInput::default())
            .await
            .unwrap();
        assert_eq!(app.status.code(), "PAID", "{backend}");
        // A caller without an account takes no step.
        assert!(
            matches!(
                r.acting(Caller::anonymous())
                    .set_budget(&BudgetInput {
                        rule: "R3".into(),
                        year: "2024".into(),
                        amount: "1".into(),
                        actor: operator_actor("预算员", "bureau"),
                    })
                    .await,
                Err(AppError::Forbidden)
            ),
            "{backend}"
        );
        let org = r.org(&code).await.unwrap();
        r.deregister(&code, org.version, "2024-05-31")
            .await
            .unwrap();

        let on_org = audit_of(&r, &code).await;
        let actions: Vec<&str> = on_org.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            ["create", "update", "add_history", "deregister"],
            "{backend}"
        );
        assert!(on_org.iter().all(|a| a.entity_kind == "organization"));
        let update = &on_org[1];
        assert_eq!(
            (update.actor_name.as_str(), update.actor_role.as_str()),
            ("subdistrict账号", "subdistrict"),
            "{backend}"
        );
        let changes: serde_json::Value = serde_json::from_str(&update.changes).unwrap();
        assert_eq!(
            changes["address"],
            serde_json::json!([null, "长海路 100 号"]),
            "{backend}"
        );
        assert_eq!(
            changes["contact_phone"],
            serde_json::json!(["138******78", "139******11"]),
            "{backend}: phones masked"
        );
        assert!(
            !on_org.iter().any(|a| a.changes.contains("13900001111")),
            "{backend}: no full phone in the trail"
        );
        assert!(on_org[2].changes.contains("leases"), "{backend}");
        assert!(on_org[3].changes.contains("DEREGISTERED"), "{backend}");

        let on_app = audit_of(&r, &app.id.to_string()).await;
        let steps: Vec<(&str, &str)> = on_app
            .iter()
            .map(|a| (a.action.as_str(), a.actor_role.as_str()))
            .collect();
        assert_eq!(
            steps,
            [
                ("submit", "organisation"),
                ("review", "subdistrict"),
                ("approve", "bureau"),
                ("pay", "finance")
            ],
            "{backend}"
        );
        let approve: serde_json::Value = serde_json::from_str(&on_app[2].changes).unwrap();
        assert_eq!(
            approve["status"],
            serde_json::json!(["SUBDISTRICT_REVIEWED", "APPROVED"]),
            "{backend}"
        );
        assert_eq!(approve["amount_fen"], "45000", "{backend}");

        let budget = audit_of(&r, "R3/2024").await;
        let amounts: Vec<serde_json::Value> = budget
            .iter()
            .map(|a| {
                serde_json::from_str::<serde_json::Value>(&a.changes).unwrap()["amount_fen"].clone()
            })
            .collect();
        assert_eq!(
            amounts,
            [
                serde_json::json!([null, "1000000"]),
                serde_json::json!(["1000000", "2000000"])
            ],
            "{backend}"
        );

        match r.verify_audit().await.unwrap() {
            Verdict::Intact { records, .. } => assert_eq!(records, 10, "{backend}"),
            broken => panic!("{backend}: {broken:?}"),
        }
    }
}
