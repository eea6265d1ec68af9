//! The store contract for applications, budgets and payments, on SQLite and
//! PostgreSQL: every operation, the guarded status change, and the
//! constraints that hold even if the layers above get it wrong (one payment
//! per entitlement, attachment sizes, payer ≠ approver).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use gongyi_domain::access::Scope;
use gongyi_domain::applications::{
    Action, Actor, ApplicationDraft, Attachment, Beneficiary, Role, Status, Step, SubsidyRule,
};
use gongyi_domain::orgs::{OrgDraft, OrgKind, OrgStatus, Stage};
use gongyi_domain::people::{Employment, PersonDraft};
use gongyi_domain::policy::BeneficiaryKind;
use gongyi_domain::{CreditCode, Fen, ResidentId};
use gongyi_store::applications::{ApplicationFilter, BeneficiarySnapshot, Transition};
use gongyi_store::{Db, StoreError};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn at(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 1, 8, minute, 0).unwrap()
}

fn code(n: u32) -> CreditCode {
    let org8 = format!("MJ{n:06}");
    let check = gongyi_domain::credit_code::org_code_check(org8.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org8}{check}")).unwrap()
}

fn org(n: u32, name: &str, sub: &str, community: bool) -> OrgDraft {
    OrgDraft {
        credit_code: code(n),
        name: name.into(),
        kind: OrgKind::PrivateNonEnterprise,
        community,
        fresh_graduate: false,
        subdistrict: sub.into(),
        registration_date: d(2022, 3, 1),
        registered_capital: Fen::yuan(50_000),
        service_fields: vec![],
        address: None,
        legal_representative: None,
        contact_phone: None,
        status: OrgStatus::Normal,
        stage: Some(Stage::Startup),
    }
}

fn who(name: &str, role: Role) -> Actor {
    Actor {
        name: name.into(),
        role,
    }
}

fn draft(rule: SubsidyRule, beneficiary: &str, key: &str, yuan: i64) -> ApplicationDraft {
    ApplicationDraft {
        rule,
        beneficiary_kind: rule.beneficiary_kind(),
        beneficiary_id: beneficiary.into(),
        event_key: key.into(),
        requested: Fen::yuan(yuan),
    }
}

fn snapshot(beneficiary: Beneficiary, name: &str, sub: &str) -> BeneficiarySnapshot {
    BeneficiarySnapshot {
        beneficiary,
        name: name.into(),
        subdistrict_code: Some(sub.into()),
        needs_review: false,
    }
}

/// The beneficiary of `d` as the registry knows it, registered first when it
/// is not (applications name their beneficiary by table id). A person is
/// the first of the database's people.
async fn registered(db: &Db, dr: &ApplicationDraft, sub: &str) -> Beneficiary {
    if let Some(s) = db
        .beneficiary_snapshot(dr.beneficiary_kind, &dr.beneficiary_id)
        .await
        .unwrap()
    {
        return s.beneficiary;
    }
    let mut tx = db.begin().await.unwrap();
    let b = match dr.beneficiary_kind {
        BeneficiaryKind::Organisation => {
            let mut o = org(1, "某组织", sub, false);
            o.credit_code = CreditCode::parse(&dr.beneficiary_id).unwrap();
            let id = db.insert_org(&mut tx, &o, &Default::default()).await;
            Beneficiary::Organisation(id.unwrap())
        }
        BeneficiaryKind::Person => {
            let p = PersonDraft {
                name: "李娜".into(),
                resident_id: ResidentId::from_body("31011019900307002", d(2026, 1, 1)).unwrap(),
                phone: None,
                social_work_start_date: None,
                supervisor: false,
            };
            let id = db.insert_person(&mut tx, &p, &sealed_of(&p)).await;
            Beneficiary::Person(id.unwrap())
        }
    };
    tx.commit().await.unwrap();
    assert_eq!(
        db.beneficiary_snapshot(dr.beneficiary_kind, &dr.beneficiary_id)
            .await
            .unwrap()
            .map(|s| s.beneficiary),
        Some(b)
    );
    b
}

async fn apply(db: &Db, d: &ApplicationDraft, sub: &str) -> i64 {
    let b = registered(db, d, sub).await;
    let mut tx = db.begin().await.unwrap();
    let id = db
        .insert_application(
            &mut tx,
            d,
            &snapshot(b, "某组织", sub),
            &who("申请人", Role::Organisation),
            &[],
            at(0),
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn step(
    db: &Db,
    id: i64,
    (action, from, to): (Action, Status, Status),
    actor: &Actor,
    version: i64,
    approved: Option<(Fen, i32)>,
) -> Result<(), StoreError> {
    let mut tx = db.begin().await.unwrap();
    db.transition(
        &mut tx,
        id,
        &Transition {
            step: Step { action, from, to },
            actor,
            version,
            reason: None,
            approved,
            note: None,
            at: at(1),
        },
    )
    .await?;
    tx.commit().await
}

async fn set_budget(db: &Db, rule: &str, year: i32, yuan: i64) {
    let rule = SubsidyRule::parse("rule", rule).unwrap();
    let mut tx = db.begin().await.unwrap();
    let old = db.lock_budget_line(&mut tx, rule, year).await.unwrap();
    db.set_budget_line(
        &mut tx,
        (rule, year),
        old,
        Fen::yuan(yuan),
        &who("预算员", Role::Bureau),
        at(0),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Approves and pays `id` (at version 1) from line (rule, 2024).
async fn approve_and_pay(db: &Db, id: i64, yuan: i64) -> Result<i64, StoreError> {
    let approver = who("审批员", Role::Bureau);
    let payer = who("出纳", Role::Finance);
    step(
        db,
        id,
        (Action::Approve, Status::Submitted, Status::Approved),
        &approver,
        1,
        Some((Fen::yuan(yuan), 2024)),
    )
    .await?;
    let mut tx = db.begin().await.unwrap();
    db.transition(
        &mut tx,
        id,
        &Transition {
            step: Step {
                action: Action::Pay,
                from: Status::Approved,
                to: Status::Paid,
            },
            actor: &payer,
            version: 2,
            reason: None,
            approved: None,
            note: None,
            at: at(2),
        },
    )
    .await?;
    let a = db.application_tx(&mut tx, id).await.unwrap();
    let line = db.budget_line_id_tx(&mut tx, a.rule, 2024).await.unwrap();
    let pid = db
        .insert_payment(&mut tx, &a, Fen::yuan(yuan), line, &payer, at(2))
        .await?;
    tx.commit().await?;
    Ok(pid)
}

#[tokio::test]
async fn an_application_is_stored_with_its_attachments_and_its_first_event() {
    for (db, url) in gongyi_testkit::databases().await {
        let pdf = Attachment {
            file_name: "租赁合同.pdf".into(),
            content_type: "application/pdf",
            bytes: b"%PDF-1.4 \x00\xff binary".to_vec(),
        };
        let dr = draft(SubsidyRule::R3, code(1).as_str(), "2024-03", 800);
        let b = registered(&db, &dr, "310110016").await;
        let mut tx = db.begin().await.unwrap();
        let id = db
            .insert_application(
                &mut tx,
                &dr,
                &BeneficiarySnapshot {
                    beneficiary: b,
                    name: "阳光助老服务中心".into(),
                    subdistrict_code: Some("310110016".into()),
                    needs_review: true,
                },
                &who("王芳", Role::Organisation),
                std::slice::from_ref(&pdf),
                at(0),
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let a = db.application(id).await.unwrap();
        assert_eq!(
            (
                a.rule.code(),
                a.beneficiary_kind.code(),
                a.event_key.as_str(),
                a.requested_fen,
                a.status.code(),
                a.needs_review,
                a.version
            ),
            (
                "R3",
                "organisation",
                "2024-03",
                80_000,
                "SUBMITTED",
                true,
                1
            ),
            "{url}"
        );
        assert_eq!(a.subdistrict_name.as_deref(), Some("殷行街道"), "{url}");
        assert_eq!(a.submitted_at, at(0), "{url}");
        assert_eq!(
            (a.applicant_name.as_str(), a.applicant_role.code()),
            ("王芳", "organisation")
        );

        let files = db.application_attachments(id).await.unwrap();
        assert_eq!(files.len(), 1, "{url}");
        assert_eq!(files[0].size_bytes, pdf.bytes.len() as i64, "{url}");
        let f = db.attachment(id, files[0].id).await.unwrap();
        assert_eq!(
            (f.file_name.as_str(), f.content_type.as_str(), &f.content),
            ("租赁合同.pdf", "application/pdf", &pdf.bytes),
            "{url}"
        );
        assert!(matches!(
            db.attachment(id + 1, files[0].id).await,
            Err(StoreError::NotFound)
        ));

        let events = db.application_events(id).await.unwrap();
        assert_eq!(events.len(), 1, "{url}");
        assert_eq!(
            (
                events[0].action.code(),
                events[0].from_status.map(|s| s.code()),
                events[0].to_status.code(),
                events[0].amount_fen
            ),
            ("submit", None, "SUBMITTED", Some(80_000)),
            "{url}"
        );
        assert!(matches!(
            db.application(id + 100).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn the_database_refuses_an_attachment_above_one_mebibyte_even_if_asked() {
    for (db, url) in gongyi_testkit::databases().await {
        let big = Attachment {
            file_name: "big.pdf".into(),
            content_type: "application/pdf",
            bytes: vec![7u8; 1024 * 1024 + 1],
        };
        let dr = draft(SubsidyRule::R6, code(1).as_str(), "VP-1", 100);
        let b = registered(&db, &dr, "310110016").await;
        let mut tx = db.begin().await.unwrap();
        let r = db
            .insert_application(
                &mut tx,
                &dr,
                &snapshot(b, "甲", "310110016"),
                &who("王芳", Role::Organisation),
                &[big],
                at(0),
            )
            .await;
        assert!(matches!(r, Err(StoreError::Db(_))), "{url}: {r:?}");
    }
}

#[tokio::test]
async fn beneficiaries_are_found_with_their_sub_district_and_review_need() {
    for (db, url) in gongyi_testkit::databases().await {
        let mut tx = db.begin().await.unwrap();
        let org_id = db
            .insert_org(
                &mut tx,
                &org(1, "社区睦邻中心", "310110021", true),
                &Default::default(),
            )
            .await
            .unwrap();
        let draft = PersonDraft {
            name: "李娜".into(),
            resident_id: ResidentId::from_body("31011019900307002", d(2026, 1, 1)).unwrap(),
            phone: None,
            social_work_start_date: None,
            supervisor: false,
        };
        let pid = db
            .insert_person(&mut tx, &draft, &sealed_of(&draft))
            .await
            .unwrap();
        db.insert_employment(
            &mut tx,
            pid,
            org_id,
            &Employment {
                start_date: d(2022, 4, 1),
                end_date: None,
                labour_contract: true,
                full_time: true,
                position: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let o = db
            .beneficiary_snapshot(BeneficiaryKind::Organisation, code(1).as_str())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            o,
            BeneficiarySnapshot {
                beneficiary: Beneficiary::Organisation(org_id),
                name: "社区睦邻中心".into(),
                subdistrict_code: Some("310110021".into()),
                needs_review: true
            },
            "{url}"
        );
        let key = gongyi_domain::applications::person_key(pid);
        let p = db
            .beneficiary_snapshot(BeneficiaryKind::Person, &key)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                p.name.as_str(),
                p.subdistrict_code.as_deref(),
                p.needs_review
            ),
            ("李娜", Some("310110021"), false),
            "{url}"
        );
        for (kind, id) in [
            (BeneficiaryKind::Person, "P99999999"),
            (BeneficiaryKind::Person, "nonsense"),
            (BeneficiaryKind::Organisation, code(2).as_str()),
        ] {
            assert_eq!(
                db.beneficiary_snapshot(kind, id).await.unwrap(),
                None,
                "{url}: {id}"
            );
        }
    }
}

#[tokio::test]
async fn a_step_from_a_stale_status_or_version_changes_nothing() {
    for (db, url) in gongyi_testkit::databases().await {
        let id = apply(
            &db,
            &draft(SubsidyRule::R6, code(1).as_str(), "VP-1", 100),
            "310110016",
        )
        .await;
        let bureau = who("审批员", Role::Bureau);
        step(
            &db,
            id,
            (Action::Approve, Status::Submitted, Status::Approved),
            &bureau,
            1,
            Some((Fen::yuan(100), 2024)),
        )
        .await
        .unwrap();
        // The same step again, as a second approver who read version 1 would.
        let again = step(
            &db,
            id,
            (Action::Approve, Status::Submitted, Status::Approved),
            &bureau,
            1,
            Some((Fen::yuan(100), 2024)),
        )
        .await;
        assert!(
            matches!(again, Err(StoreError::Conflict)),
            "{url}: {again:?}"
        );
        // Right status, stale version.
        let stale = step(
            &db,
            id,
            (Action::Return, Status::Approved, Status::Returned),
            &who("出纳", Role::Finance),
            1,
            None,
        )
        .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict)),
            "{url}: {stale:?}"
        );

        let a = db.application(id).await.unwrap();
        assert_eq!(
            (
                a.status.code(),
                a.version,
                a.approved_fen,
                a.budget_year,
                a.approver_name.as_deref()
            ),
            ("APPROVED", 2, Some(10_000), Some(2024), Some("审批员")),
            "{url}"
        );
        let events = db.application_events(id).await.unwrap();
        assert_eq!(
            events.iter().map(|e| e.action.code()).collect::<Vec<_>>(),
            ["submit", "approve"],
            "{url}"
        );
        assert_eq!(events[1].from_status.map(|s| s.code()), Some("SUBMITTED"));
        assert_eq!(events[1].amount_fen, Some(10_000));
    }
}

#[tokio::test]
async fn return_and_resubmit_start_a_new_round_and_keep_the_reason_in_the_audit() {
    for (db, url) in gongyi_testkit::databases().await {
        let id = apply(
            &db,
            &draft(SubsidyRule::R6, code(1).as_str(), "VP-1", 100),
            "310110016",
        )
        .await;
        let bureau = who("审批员", Role::Bureau);
        step(
            &db,
            id,
            (Action::Approve, Status::Submitted, Status::Approved),
            &bureau,
            1,
            Some((Fen::yuan(100), 2024)),
        )
        .await
        .unwrap();
        let mut tx = db.begin().await.unwrap();
        db.transition(
            &mut tx,
            id,
            &Transition {
                step: Step {
                    action: Action::Return,
                    from: Status::Approved,
                    to: Status::Returned,
                },
                actor: &who("出纳", Role::Finance),
                version: 2,
                reason: Some("银行账户有误"),
                approved: None,
                note: None,
                at: at(3),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let a = db.application(id).await.unwrap();
        assert_eq!(
            (a.status.code(), a.reason.as_deref()),
            ("RETURNED", Some("银行账户有误")),
            "{url}"
        );
        step(
            &db,
            id,
            (Action::Resubmit, Status::Returned, Status::Submitted),
            &who("王芳", Role::Organisation),
            3,
            None,
        )
        .await
        .unwrap();
        let a = db.application(id).await.unwrap();
        assert_eq!(
            (
                a.status.code(),
                a.version,
                a.approved_fen,
                a.approver_name,
                a.reason
            ),
            ("SUBMITTED", 4, None, None, None),
            "{url}"
        );
        let events = db.application_events(id).await.unwrap();
        assert_eq!(events.len(), 4, "{url}");
        assert_eq!(events[2].reason.as_deref(), Some("银行账户有误"), "{url}");
        assert_eq!(events[2].actor_role.code(), "finance", "{url}");
    }
}

#[tokio::test]
async fn budget_lines_are_set_locked_and_report_what_they_gave_away() {
    for (db, url) in gongyi_testkit::databases().await {
        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            db.lock_budget_line(&mut tx, SubsidyRule::R6, 2024)
                .await
                .unwrap(),
            None,
            "{url}"
        );
        drop(tx);
        set_budget(&db, "R6", 2024, 1_000).await;
        set_budget(&db, "R6", 2024, 2_000).await;
        set_budget(&db, "R10", 2024, 10_000).await;
        set_budget(&db, "R2", 2025, 5).await;

        let a = apply(
            &db,
            &draft(SubsidyRule::R6, code(1).as_str(), "VP-1", 300),
            "310110016",
        )
        .await;
        let b = apply(
            &db,
            &draft(SubsidyRule::R6, code(2).as_str(), "VP-2", 500),
            "310110021",
        )
        .await;
        approve_and_pay(&db, a, 300).await.unwrap();
        step(
            &db,
            b,
            (Action::Approve, Status::Submitted, Status::Approved),
            &who("审批员", Role::Bureau),
            1,
            Some((Fen::yuan(500), 2024)),
        )
        .await
        .unwrap();

        let mut tx = db.begin().await.unwrap();
        let line = db
            .lock_budget_line(&mut tx, SubsidyRule::R6, 2024)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(line.amount, Fen::yuan(2_000), "{url}");
        assert_eq!(
            db.budget_committed_tx(&mut tx, SubsidyRule::R6, 2024)
                .await
                .unwrap(),
            Fen::yuan(800),
            "{url}"
        );
        assert_eq!(
            db.budget_committed_tx(&mut tx, SubsidyRule::R6, 2025)
                .await
                .unwrap(),
            Fen::ZERO,
            "{url}"
        );
        tx.commit().await.unwrap();

        let all = db.budget_status(None).await.unwrap();
        let keys: Vec<_> = all.iter().map(|r| (r.year, r.rule.code())).collect();
        assert_eq!(keys, [(2024, "R6"), (2024, "R10"), (2025, "R2")], "{url}");
        let r6 = db.budget_line_status(SubsidyRule::R6, 2024).await.unwrap();
        assert_eq!(
            (
                r6.amount_fen,
                r6.approved_fen,
                r6.paid_fen,
                r6.remaining_fen()
            ),
            (200_000, 50_000, 30_000, 120_000),
            "{url}"
        );
        assert_eq!(r6.updated_by, "预算员");
        assert_eq!(db.budget_status(Some(2025)).await.unwrap().len(), 1);
        assert!(matches!(
            db.budget_line_status(SubsidyRule::R3, 2024).await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn the_same_entitlement_is_paid_at_most_once_whatever_the_application() {
    for (db, url) in gongyi_testkit::databases().await {
        set_budget(&db, "R6", 2024, 10_000).await;
        let dr = draft(SubsidyRule::R6, code(1).as_str(), "VP-1", 300);
        // Two applications for one entitlement, as two clerks might make.
        let first = apply(&db, &dr, "310110016").await;
        let second = apply(&db, &dr, "310110016").await;
        let e = db.application(first).await.unwrap();
        assert_eq!(
            db.live_application_for(e.entitlement()).await.unwrap(),
            Some((first, Status::Submitted)),
            "{url}"
        );
        approve_and_pay(&db, first, 300).await.unwrap();

        let mut tx = db.begin().await.unwrap();
        assert_eq!(
            db.entitlement_taken_tx(&mut tx, e.entitlement(), second)
                .await
                .unwrap(),
            Some((first, Status::Paid)),
            "{url}"
        );
        assert_eq!(
            db.entitlement_taken_tx(&mut tx, e.entitlement(), first)
                .await
                .unwrap(),
            None,
            "{url}"
        );
        drop(tx);
        assert_eq!(
            db.entitlement_taken(e.entitlement(), second).await.unwrap(),
            Some((first, Status::Paid)),
            "{url}"
        );

        let again = approve_and_pay(&db, second, 300).await;
        assert!(
            matches!(again, Err(StoreError::Duplicate { field: "payment" })),
            "{url}: {again:?}"
        );
        // The refused payment left the second application approved, unpaid.
        assert_eq!(
            db.application(second).await.unwrap().status,
            Status::Approved
        );
        let paid = db.payments_for(e.entitlement()).await.unwrap();
        assert_eq!(paid.len(), 1, "{url}");
        assert_eq!(
            (
                paid[0].application_id,
                paid[0].amount_fen,
                paid[0].budget_year
            ),
            (first, 30_000, 2024),
            "{url}"
        );
        assert_eq!(
            db.payment_of_application(first)
                .await
                .unwrap()
                .map(|p| p.payer_name),
            Some("出纳".to_string()),
            "{url}"
        );
        assert!(db.payment_of_application(second).await.unwrap().is_none());
    }
}

/// Security issue 11, finding 2: the key is the organisation, not the
/// credit code it applied under.
#[tokio::test]
async fn a_changed_credit_code_is_still_the_same_entitlement() {
    for (db, url) in gongyi_testkit::databases().await {
        set_budget(&db, "R5", 2024, 1_000_000).await;
        let before = draft(
            SubsidyRule::R5,
            code(1).as_str(),
            "全国先进社会组织|2024",
            80_000,
        );
        let first = apply(&db, &before, "310110016").await;
        approve_and_pay(&db, first, 80_000).await.unwrap();
        let who = db.application(first).await.unwrap().beneficiary();

        // The bureau records a new credit code for the same organisation.
        let mut tx = db.begin().await.unwrap();
        let mut changed = org(1, "某组织", "310110016", false);
        changed.credit_code = code(3);
        db.update_org(&mut tx, who.table_id(), 1, &changed, &Default::default())
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let after = draft(
            SubsidyRule::R5,
            code(3).as_str(),
            "全国先进社会组织|2024",
            80_000,
        );
        assert_eq!(registered(&db, &after, "310110016").await, who, "{url}");
        let second = apply(&db, &after, "310110016").await;
        let e = db.application(second).await.unwrap();
        assert_eq!(e.entitlement().beneficiary, who, "{url}");
        assert_eq!(
            db.live_application_for(e.entitlement()).await.unwrap(),
            Some((first, Status::Paid)),
            "{url}: the earlier application is found under the new code"
        );
        let again = approve_and_pay(&db, second, 80_000).await;
        assert!(
            matches!(again, Err(StoreError::Duplicate { field: "payment" })),
            "{url}: {again:?}"
        );
        let paid = db.payments_of(who, None).await.unwrap();
        assert_eq!(paid.len(), 1, "{url}");
        // Lists show the code of today; the application keeps the one applied under.
        assert_eq!(paid[0].beneficiary_id, code(3).as_str(), "{url}");
        assert_eq!(
            db.application(first).await.unwrap().beneficiary_id,
            code(3).as_str(),
            "{url}"
        );
        let by_old_code = ApplicationFilter {
            beneficiary_id: Some(code(1).as_str().into()),
            ..Default::default()
        };
        let by_new_code = ApplicationFilter {
            beneficiary_id: Some(code(3).as_str().into()),
            ..Default::default()
        };
        for (f, n) in [(by_old_code, 1), (by_new_code, 2)] {
            let page = db.list_applications(&Scope::District, &f, 1, 20).await;
            assert_eq!(page.unwrap().total, n, "{url}");
        }
        let mine = db
            .list_applications(
                &Scope::Organisation(who.table_id()),
                &ApplicationFilter::default(),
                1,
                20,
            )
            .await
            .unwrap();
        assert_eq!(mine.total, 2, "{url}: the organisation sees both");
    }
}

#[tokio::test]
async fn the_database_refuses_a_payer_who_approved() {
    for (db, url) in gongyi_testkit::databases().await {
        let id = apply(
            &db,
            &draft(SubsidyRule::R6, code(1).as_str(), "VP-1", 100),
            "310110016",
        )
        .await;
        let same = who("张三", Role::Bureau);
        step(
            &db,
            id,
            (Action::Approve, Status::Submitted, Status::Approved),
            &same,
            1,
            Some((Fen::yuan(100), 2024)),
        )
        .await
        .unwrap();
        let r = step(
            &db,
            id,
            (Action::Pay, Status::Approved, Status::Paid),
            &who("张三", Role::Finance),
            2,
            None,
        )
        .await;
        assert!(matches!(r, Err(StoreError::Db(_))), "{url}: {r:?}");
    }
}

#[tokio::test]
async fn the_queue_filters_and_counts_and_histories_list_payments() {
    for (db, url) in gongyi_testkit::databases().await {
        set_budget(&db, "R6", 2024, 10_000).await;
        set_budget(&db, "R9", 2024, 10_000).await;
        let a = apply(
            &db,
            &draft(SubsidyRule::R6, code(1).as_str(), "VP-1", 300),
            "310110016",
        )
        .await;
        apply(
            &db,
            &draft(SubsidyRule::R6, code(2).as_str(), "VP-2", 300),
            "310110021",
        )
        .await;
        let m1 = apply(
            &db,
            &draft(SubsidyRule::R9, "P00000001", "2024-01", 1_000),
            "310110016",
        )
        .await;
        let m2 = apply(
            &db,
            &draft(SubsidyRule::R9, "P00000001", "2024-02", 1_200),
            "310110016",
        )
        .await;
        approve_and_pay(&db, a, 300).await.unwrap();
        approve_and_pay(&db, m1, 1_000).await.unwrap();
        approve_and_pay(&db, m2, 1_200).await.unwrap();

        let all = db
            .list_applications(&Scope::District, &ApplicationFilter::default(), 1, 20)
            .await
            .unwrap();
        assert_eq!(all.total, 4, "{url}");
        assert_eq!(all.items[0].id, m2, "{url}: newest first");
        let f = ApplicationFilter {
            rule: Some("R6".into()),
            status: Some("SUBMITTED".into()),
            ..Default::default()
        };
        let page = db
            .list_applications(&Scope::District, &f, 1, 20)
            .await
            .unwrap();
        assert_eq!(
            (page.total, page.items[0].beneficiary_id.as_str()),
            (1, code(2).as_str()),
            "{url}"
        );
        let counts = db
            .application_status_counts(&Scope::District, &f)
            .await
            .unwrap();
        assert_eq!(counts, [(Status::Paid, 1), (Status::Submitted, 1)], "{url}");
        let by_sub = ApplicationFilter {
            subdistrict: Some("310110021".into()),
            ..Default::default()
        };
        assert_eq!(
            db.list_applications(&Scope::District, &by_sub, 1, 20)
                .await
                .unwrap()
                .total,
            1
        );

        let person = db.application(m1).await.unwrap().beneficiary();
        let months = db.payments_of(person, Some(SubsidyRule::R9)).await.unwrap();
        assert_eq!(
            months
                .iter()
                .map(|p| (p.event_key.as_str(), p.amount_fen))
                .collect::<Vec<_>>(),
            [("2024-01", 100_000), ("2024-02", 120_000)],
            "{url}"
        );
        let org1 = db.application(a).await.unwrap().beneficiary();
        assert_eq!(db.payments_of(org1, None).await.unwrap().len(), 1);
        let org2 = registered(
            &db,
            &draft(SubsidyRule::R6, code(2).as_str(), "-", 1),
            "310110021",
        )
        .await;
        let apps = db.applications_of(org2).await.unwrap();
        assert_eq!(apps.len(), 1, "{url}");

        // What other approved or paid applications of the rule took: of
        // this person (any month) and of this month (anyone).
        let mut tx = db.begin().await.unwrap();
        let key = gongyi_store::applications::EntitlementKey {
            rule: SubsidyRule::R9,
            beneficiary: person,
            event_key: "2024-02",
        };
        assert_eq!(
            db.committed_tx(&mut tx, key, m2).await.unwrap(),
            gongyi_domain::applications::Committed {
                count: 1,
                total: Fen(100_000),
                same_event: 0
            },
            "{url}"
        );
        assert_eq!(
            db.committed_tx(&mut tx, key, 0).await.unwrap().count,
            2,
            "{url}"
        );
        drop(tx);

        let ledger = db.ledger(None).await.unwrap();
        let got: Vec<_> = ledger
            .iter()
            .map(|r| {
                (
                    r.rule.code(),
                    r.year,
                    r.subdistrict_name.as_deref().unwrap_or("-"),
                    r.payments,
                    r.total_fen,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("R6", 2024, "殷行街道", 1, 30_000),
                ("R9", 2024, "殷行街道", 2, 220_000)
            ],
            "{url}"
        );
        assert!(db.ledger(Some(2023)).await.unwrap().is_empty(), "{url}");
    }
}

/// What the application writes for a person (the store holds no key).
fn sealed_of(p: &gongyi_domain::people::PersonDraft) -> gongyi_store::people::SealedPersonal {
    let rid = p.resident_id.as_str();
    gongyi_store::people::SealedPersonal {
        resident_id_lookup: format!("L{}", rid.chars().rev().collect::<String>()),
        resident_id_sealed: "v1:sealed".into(),
        resident_id_masked: p.resident_id.masked(),
        phone_sealed: None,
        phone_masked: None,
    }
}

/// Whether an organisation may apply on a day: what the store reads for it.
#[tokio::test]
async fn an_organisations_standing_reads_deregistration_revocation_and_credit_lists() {
    use gongyi_domain::history::{CreditEntry, CreditList};
    use gongyi_domain::orgs::RegistrationField;
    for (db, url) in gongyi_testkit::databases().await {
        let mut tx = db.begin().await.unwrap();
        let gone = db
            .insert_org(
                &mut tx,
                &org(1, "甲", "310110016", false),
                &Default::default(),
            )
            .await
            .unwrap();
        db.deregister_org(&mut tx, gone, 1, d(2024, 5, 1))
            .await
            .unwrap();
        let mut listed = org(2, "乙", "310110016", false);
        listed.status = OrgStatus::Revoked;
        let listed = db
            .insert_org(&mut tx, &listed, &Default::default())
            .await
            .unwrap();
        let at = Utc.with_ymd_and_hms(2024, 2, 29, 20, 0, 0).unwrap();
        db.insert_registration_changes(
            &mut tx,
            listed,
            &[(
                RegistrationField::Status,
                OrgStatus::Normal.label().into(),
                OrgStatus::Revoked.label().into(),
            )],
            "区民政局",
            at,
        )
        .await
        .unwrap();
        for (list, from, to) in [
            (
                CreditList::AbnormalActivity,
                d(2023, 1, 10),
                Some(d(2023, 7, 1)),
            ),
            (CreditList::Penalty, d(2023, 2, 1), None),
        ] {
            let e = CreditEntry {
                list,
                reason: "未按时年检".into(),
                listed_date: from,
                removed_date: to,
            };
            db.insert_credit_entry(&mut tx, listed, &e).await.unwrap();
        }
        tx.commit().await.unwrap();

        let s = db.org_standing(gone).await.unwrap();
        assert_eq!(s.deregistered_on, Some(d(2024, 5, 1)), "{url}");
        assert!(s.check(d(2024, 4, 30)).is_ok(), "{url}");
        assert_eq!(s.check(d(2024, 5, 1)).unwrap_err().code, "org.deregistered");

        let s = db.org_standing(listed).await.unwrap();
        // Recorded at 20:00 UTC, which is the next day in Shanghai.
        assert_eq!(s.revoked_on, Some(d(2024, 3, 1)), "{url}");
        assert_eq!(
            s.listings,
            [(
                CreditList::AbnormalActivity,
                d(2023, 1, 10),
                Some(d(2023, 7, 1))
            )],
            "{url}: administrative penalties are not a list that bars support"
        );
        assert_eq!(
            s.check(d(2023, 3, 1)).unwrap_err().code,
            "org.abnormal_list"
        );
        assert!(s.check(d(2023, 8, 1)).is_ok(), "{url}");
        assert_eq!(s.check(d(2024, 3, 1)).unwrap_err().code, "org.revoked");
        assert!(matches!(
            db.org_standing(listed + 100).await,
            Err(StoreError::NotFound)
        ));
    }
}
