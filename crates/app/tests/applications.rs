//! Applications to payment through the use cases, on both databases: the
//! workflow's allowed and refused steps (and that a refusal writes nothing),
//! approver ≠ payer, the entitlement recomputed at approval from the
//! recorded facts (no payment the rules do not back: an event not on record
//! is refused naming the missing fact), limits across applications, budget
//! overdraws refused naming the line and the shortfall, returned
//! applications resubmitted, budgets with their history, the ledger (read
//! back from its workbook) and the histories.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::applications::{ActionInput, ActorInput, AttachmentInput, BudgetInput};
use gongyi_app::test_support::Record;
use gongyi_app::{AppError, Clock, Registry};
use gongyi_domain::applications::ApplicationInput;
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::people::PersonInput;
use gongyi_domain::{CreditCode, ResidentId};
use gongyi_store::applications::ApplicationRow;
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

/// A community organisation (reviewed by its sub-district).
fn community() -> String {
    credit_code(1)
}

/// An organisation that is not a community organisation.
fn other() -> String {
    credit_code(2)
}

fn org_input(code: &str, name: &str, community: bool) -> OrgInput {
    OrgInput {
        credit_code: code.into(),
        name: name.into(),
        kind: "民办非企业单位".into(),
        community: if community { "是" } else { "否" }.into(),
        fresh_graduate: "否".into(),
        subdistrict: if community { "310110021" } else { "310110016" }.into(),
        registration_date: "2023-03-01".into(),
        registered_capital: "200000".into(),
        service_fields: "社会服务".into(),
        address: String::new(),
        legal_representative: String::new(),
        contact_phone: String::new(),
        status: String::new(),
        stage: String::new(),
    }
}

/// A registry per backend with the two organisations and one person.
async fn registries() -> Vec<(Registry, &'static str, i64)> {
    let mut v = Vec::new();
    for (db, _url) in gongyi_testkit::databases().await {
        let name = match db.backend() {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        };
        let r = Registry::new(db, Clock::fixed(today()));
        r.create_org(&org_input(&community(), "长海路睦邻互助社", true))
            .await
            .unwrap();
        r.create_org(&org_input(&other(), "青少年科技教育促进会", false))
            .await
            .unwrap();
        let p = r
            .create_person(&PersonInput {
                name: "李娜".into(),
                resident_id: ResidentId::from_body("31011019900307002", today())
                    .unwrap()
                    .as_str()
                    .into(),
                phone: String::new(),
                social_work_start_date: "2015-07-01".into(),
                supervisor: "否".into(),
            })
            .await
            .unwrap();
        v.push((r, name, p.id));
    }
    v
}

/// The table id of an organisation, for recording its facts.
async fn org_id(r: &Registry, code: &str) -> i64 {
    Record(r).org_id(code).await
}

/// R6: the project `key` of `other()` selected with `yuan` (the match is half).
async fn venture(r: &Registry, key: &str, yuan: &str) {
    let o = org_id(r, &other()).await;
    Record(r).venture(o, key, yuan, "2024-01-10").await;
}

fn actor(name: &str, role: &str) -> ActorInput {
    ActorInput {
        name: name.into(),
        role: role.into(),
    }
}

fn applicant() -> ActorInput {
    actor("王芳", "organisation")
}

fn by(name: &str, role: &str) -> ActionInput {
    ActionInput {
        actor: actor(name, role),
        ..Default::default()
    }
}

fn with_reason(name: &str, role: &str, reason: &str) -> ActionInput {
    ActionInput {
        reason: reason.into(),
        ..by(name, role)
    }
}

fn input(rule: &str, who: &str, key: &str, yuan: &str) -> ApplicationInput {
    ApplicationInput {
        rule: rule.into(),
        beneficiary_id: who.into(),
        event_key: key.into(),
        requested: yuan.into(),
    }
}

async fn apply(r: &Registry, rule: &str, who: &str, key: &str, yuan: &str) -> ApplicationRow {
    r.apply(&input(rule, who, key, yuan), vec![], &applicant())
        .await
        .unwrap_or_else(|e| panic!("apply {rule} {who} {key} refused: {e:?}"))
}

async fn budget(r: &Registry, rule: &str, year: &str, yuan: &str) {
    r.set_budget(&BudgetInput {
        rule: rule.into(),
        year: year.into(),
        amount: yuan.into(),
        actor: actor("预算员", "bureau"),
    })
    .await
    .unwrap_or_else(|e| panic!("budget {rule} {year} refused: {e:?}"));
}

/// The refusal's reason code and message, or a panic saying what came.
fn refused<T: std::fmt::Debug>(r: Result<T, AppError>, what: &str) -> (String, String) {
    match r {
        Err(AppError::Refused { code, message, .. }) => {
            assert!(!message.trim().is_empty(), "{what}: empty message");
            (code.to_string(), message)
        }
        other => panic!("{what}: expected a refusal, got {other:?}"),
    }
}

fn code_of<T: std::fmt::Debug>(r: Result<T, AppError>, what: &str) -> String {
    refused(r, what).0
}

async fn actions(r: &Registry, id: i64) -> Vec<String> {
    r.application_page(id)
        .await
        .unwrap()
        .events
        .iter()
        .map(|e| e.action.code().to_string())
        .collect()
}

#[tokio::test]
async fn a_community_organisation_goes_through_its_sub_district_then_the_bureau_then_finance() {
    for (r, backend, _) in registries().await {
        budget(&r, "R3", "2024", "10000").await;
        let c = org_id(&r, &community()).await;
        Record(&r).lease(c, "2024-03", "450").await;
        let a = apply(&r, "R3", &community(), "2024-03", "450").await;
        assert_eq!(
            (a.status.code(), a.needs_review),
            ("SUBMITTED", true),
            "{backend}"
        );
        assert_eq!(a.subdistrict_name.as_deref(), Some("长海路街道"));
        let page = r.application_page(a.id).await.unwrap();
        let open: Vec<_> = page
            .open_actions
            .iter()
            .map(|(a, r)| format!("{}:{}", a.code(), r.code()))
            .collect();
        assert_eq!(
            open,
            [
                "review:subdistrict",
                "return:subdistrict",
                "refuse:subdistrict"
            ],
            "{backend}"
        );

        let e = r.act(a.id, "approve", &by("审批员", "bureau")).await;
        assert_eq!(code_of(e, backend), "workflow.review_first");
        let a = r
            .act(a.id, "review", &by("街道李", "subdistrict"))
            .await
            .unwrap();
        assert_eq!(a.status.code(), "SUBDISTRICT_REVIEWED", "{backend}");
        assert_eq!(a.reviewer_name.as_deref(), Some("街道李"));
        let a = r
            .act(a.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        assert_eq!(
            (a.status.code(), a.approved_fen, a.budget_year),
            ("APPROVED", Some(45_000), Some(2024)),
            "{backend}"
        );
        let a = r.act(a.id, "pay", &by("出纳", "finance")).await.unwrap();
        assert_eq!(
            (a.status.code(), a.payer_name.as_deref()),
            ("PAID", Some("出纳")),
            "{backend}"
        );
        let page = r.application_page(a.id).await.unwrap();
        assert_eq!(
            page.events
                .iter()
                .map(|e| (
                    e.action.code(),
                    e.from_status.map_or("-", |s| s.code()),
                    e.to_status.code(),
                    e.actor_role.code()
                ))
                .collect::<Vec<_>>(),
            [
                ("submit", "-", "SUBMITTED", "organisation"),
                ("review", "SUBMITTED", "SUBDISTRICT_REVIEWED", "subdistrict"),
                ("approve", "SUBDISTRICT_REVIEWED", "APPROVED", "bureau"),
                ("pay", "APPROVED", "PAID", "finance"),
            ],
            "{backend}"
        );
        let p = page.payment.expect("a payment row");
        assert_eq!(
            (p.amount_fen, p.budget_year, p.event_key.as_str()),
            (45_000, 2024, "2024-03")
        );
        assert!(page.open_actions.is_empty(), "{backend}: paid is final");
        let line = &r.budgets(Some(2024)).await.unwrap()[0];
        assert_eq!(
            (line.paid_fen, line.approved_fen, line.remaining_fen()),
            (45_000, 0, 955_000),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn every_refused_step_says_why_and_changes_nothing() {
    for (r, backend, _) in registries().await {
        budget(&r, "R6", "2024", "100000").await;
        venture(&r, "VP-1", "40000").await;
        let a = apply(&r, "R6", &other(), "VP-1", "20000").await;
        let cases = [
            (
                "review",
                by("街道李", "subdistrict"),
                "workflow.review_not_needed",
            ),
            ("approve", by("出纳", "finance"), "workflow.wrong_role"),
            (
                "approve",
                by("街道李", "subdistrict"),
                "workflow.wrong_role",
            ),
            ("pay", by("出纳", "finance"), "workflow.wrong_status"),
            (
                "resubmit",
                by("王芳", "organisation"),
                "workflow.wrong_status",
            ),
            ("return", by("审批员", "bureau"), "workflow.reason_required"),
            (
                "refuse",
                with_reason("街道李", "subdistrict", "x"),
                "workflow.wrong_role",
            ),
        ];
        for (action, who, want) in cases {
            let got = code_of(r.act(a.id, action, &who).await, backend);
            assert_eq!(got, want, "{backend}: {action} by {}", who.actor.role);
        }
        assert_eq!(actions(&r, a.id).await, ["submit"], "{backend}");
        assert_eq!(
            r.application_page(a.id).await.unwrap().application.version,
            1
        );

        r.act(a.id, "approve", &by("张 三", "bureau"))
            .await
            .unwrap();
        // The approver may not pay, however the name is spaced.
        let (code, message) = refused(r.act(a.id, "pay", &by("张三", "finance")).await, backend);
        assert_eq!(code, "workflow.payer_is_approver", "{backend}");
        assert!(message.contains("张 三"), "{backend}: {message}");
        let e = r.act(a.id, "approve", &by("审批员", "bureau")).await;
        assert_eq!(code_of(e, backend), "workflow.wrong_status");
        r.act(a.id, "pay", &by("李出纳", "finance")).await.unwrap();
        for action in ["pay", "refuse", "return", "approve"] {
            let e = r
                .act(a.id, action, &with_reason("李出纳", "finance", "x"))
                .await;
            assert_eq!(
                code_of(e, backend),
                "workflow.closed",
                "{backend}: {action}"
            );
        }
        assert_eq!(
            actions(&r, a.id).await,
            ["submit", "approve", "pay"],
            "{backend}"
        );

        // Bad input is named by field, unknown actions are not found.
        match r.act(a.id, "approve", &by("", "boss")).await {
            Err(AppError::Invalid(i)) => {
                let f: Vec<_> = i.0.iter().map(|f| f.field.as_str()).collect();
                assert_eq!(f, ["actor_name", "actor_role"], "{backend}");
            }
            other => panic!("{backend}: {other:?}"),
        }
        assert!(matches!(
            r.act(a.id, "delete", &by("a", "bureau")).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            r.act(a.id + 100, "approve", &by("a", "bureau")).await,
            Err(AppError::NotFound)
        ));
    }
}

#[tokio::test]
async fn an_approval_that_would_overdraw_the_line_is_refused_naming_the_line_and_the_shortfall() {
    for (r, backend, _) in registries().await {
        venture(&r, "VP-1", "3000").await;
        venture(&r, "VP-2", "1600").await;
        let a = apply(&r, "R6", &other(), "VP-1", "1500").await;
        let e = r.act(a.id, "approve", &by("审批员", "bureau")).await;
        let (code, message) = refused(e, backend);
        assert_eq!(
            (code.as_str(), message.as_str()),
            ("budget.missing", "R6 2024 年尚未设定预算额度,不能批准"),
            "{backend}"
        );

        budget(&r, "R6", "2024", "2000").await;
        let b = apply(&r, "R6", &other(), "VP-2", "800").await;
        r.act(b.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        let e = r.act(a.id, "approve", &by("审批员", "bureau")).await;
        let (code, message) = refused(e, backend);
        assert_eq!(code, "budget.shortfall", "{backend}");
        assert_eq!(
            message, "R6 2024 年预算余额 1,200.00 元,不足以支付 1,500.00 元,缺口 300.00 元",
            "{backend}"
        );
        assert_eq!(actions(&r, a.id).await, ["submit"], "{backend}");

        // The approver may approve less, within the balance.
        let lower = ActionInput {
            amount: "1,200".into(),
            ..by("审批员", "bureau")
        };
        let a2 = r.act(a.id, "approve", &lower).await.unwrap();
        assert_eq!(a2.approved_fen, Some(120_000), "{backend}");
        let line = &r.budgets(Some(2024)).await.unwrap()[0];
        assert_eq!(line.remaining_fen(), 0, "{backend}");

        // A line is never set below what it has given away.
        let e = r
            .set_budget(&BudgetInput {
                rule: "R6".into(),
                year: "2024".into(),
                amount: "1999.99".into(),
                actor: actor("预算员", "finance"),
            })
            .await;
        assert_eq!(code_of(e, backend), "budget.below_committed");
        let e = r
            .set_budget(&BudgetInput {
                rule: "R6".into(),
                year: "2024".into(),
                amount: "5000".into(),
                actor: actor("王芳", "organisation"),
            })
            .await;
        assert_eq!(code_of(e, backend), "workflow.wrong_role");
    }
}

#[tokio::test]
async fn a_returned_application_releases_its_budget_and_can_be_resubmitted() {
    for (r, backend, _) in registries().await {
        budget(&r, "R6", "2024", "1000").await;
        venture(&r, "VP-1", "2000").await;
        let a = apply(&r, "R6", &other(), "VP-1", "1000").await;
        r.act(a.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        assert_eq!(r.budgets(None).await.unwrap()[0].remaining_fen(), 0);

        let e = r.act(a.id, "return", &by("出纳", "finance")).await;
        assert_eq!(code_of(e, backend), "workflow.reason_required");
        let a = r
            .act(
                a.id,
                "return",
                &with_reason("出纳", "finance", "收款账户名称与组织名称不符"),
            )
            .await
            .unwrap();
        assert_eq!(
            (a.status.code(), a.reason.as_deref()),
            ("RETURNED", Some("收款账户名称与组织名称不符")),
            "{backend}"
        );
        assert_eq!(
            r.budgets(None).await.unwrap()[0].remaining_fen(),
            100_000,
            "{backend}: the return gave the money back to the line"
        );
        let e = r.act(a.id, "resubmit", &by("出纳", "finance")).await;
        assert_eq!(code_of(e, backend), "workflow.wrong_role");
        let a = r
            .act(a.id, "resubmit", &by("王芳", "organisation"))
            .await
            .unwrap();
        assert_eq!(
            (a.status.code(), a.approved_fen, a.approver_name.as_deref()),
            ("SUBMITTED", None, None),
            "{backend}"
        );
        r.act(a.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        let a = r.act(a.id, "pay", &by("出纳", "finance")).await.unwrap();
        assert_eq!(a.status.code(), "PAID", "{backend}");
        assert_eq!(
            actions(&r, a.id).await,
            ["submit", "approve", "return", "resubmit", "approve", "pay"],
            "{backend}"
        );
        let events = r.application_page(a.id).await.unwrap().events;
        assert_eq!(
            events[2].reason.as_deref(),
            Some("收款账户名称与组织名称不符")
        );

        // A refused application is closed for good; the entitlement may be
        // applied for again.
        budget(&r, "R7", "2024", "100000").await;
        let b = apply(&r, "R7", &other(), "CP-1", "100").await;
        let b = r
            .act(
                b.id,
                "refuse",
                &with_reason("审批员", "bureau", "非市级以上大赛"),
            )
            .await
            .unwrap();
        assert_eq!(b.status.code(), "REFUSED", "{backend}");
        let e = r.act(b.id, "resubmit", &by("王芳", "organisation")).await;
        assert_eq!(code_of(e, backend), "workflow.closed");
        apply(&r, "R7", &other(), "CP-1", "100").await;
    }
}

#[tokio::test]
async fn the_entitlement_is_recomputed_at_approval_from_the_recorded_facts() {
    use gongyi_domain::history::InspectionResult;
    use gongyi_domain::people::{PerformanceRating, QualificationLevel};
    for (r, backend, person) in registries().await {
        for rule in ["R2", "R3", "R9", "R11"] {
            budget(&r, rule, "2024", "1000000").await;
        }
        let facts = Record(&r);
        let o = org_id(&r, &other()).await;
        // R3: 900 paid for the month, the month cap is 500.
        facts.lease(o, "2024-02", "900").await;
        facts.lease(o, "2024-03", "900").await;
        let a = apply(&r, "R3", &other(), "2024-02", "800").await;
        let a = r
            .act(a.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        assert_eq!(a.approved_fen, Some(50_000), "{backend}");
        let note = r.application_page(a.id).await.unwrap().events[1]
            .note
            .clone()
            .unwrap_or_default();
        assert!(
            note.contains("按登记信息核定 500.00 元"),
            "{backend}: {note}"
        );
        let above = ActionInput {
            amount: "501".into(),
            ..by("审批员", "bureau")
        };
        let b = apply(&r, "R3", &other(), "2024-03", "800").await;
        assert_eq!(
            code_of(r.act(b.id, "approve", &above).await, backend),
            "amount.above_entitlement"
        );

        // R2 with no inspection on record is not paid (the approval issue 10
        // found); the refusal says who records the inspection.
        facts.startup_application(o, "2024-04-01", "10000").await;
        facts.startup_application(o, "2024-05-01", "10000").await;
        let s1 = apply(&r, "R2", &other(), "2024-04-01", "10000").await;
        let (code, message) = refused(
            r.act(s1.id, "approve", &by("审批员", "bureau")).await,
            backend,
        );
        assert_eq!(
            (code.as_str(), message.as_str()),
            (
                "startup.no_inspection",
                "该组织无年检记录,须由区民政局录入年检结论"
            ),
            "{backend}"
        );
        // Once recorded, the first application meeting every condition is
        // paid, once: a second application is the engine's refusal.
        facts
            .inspection(o, 2023, InspectionResult::Qualified, "2024-03-15")
            .await;
        r.act(s1.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        r.act(s1.id, "pay", &by("出纳", "finance")).await.unwrap();
        let s2 = apply(&r, "R2", &other(), "2024-05-01", "10000").await;
        assert_eq!(
            code_of(
                r.act(s2.id, "approve", &by("审批员", "bureau")).await,
                backend
            ),
            "startup.already_paid"
        );

        // R9 for a person with no qualification on record: refused, naming
        // the missing fact and who records it (the payment issue 10 found).
        let m = apply(&r, "R9", &person.to_string(), "2024-03", "2500").await;
        assert_eq!(m.beneficiary_id, format!("P{person:08}"), "{backend}");
        assert_eq!(m.beneficiary_name, "李娜");
        let (code, message) = refused(
            r.act(m.id, "approve", &by("审批员", "bureau")).await,
            backend,
        );
        assert_eq!(
            (code.as_str(), message.as_str()),
            (
                "salary.no_qualification",
                "该人员在申请事项日期无社会工作者职业资格记录,须由区民政局或所在组织申报并经核实"
            ),
            "{backend}"
        );
        // Each missing fact in turn, then the engine's amount: 助理 800 +
        // 8 full years since 2015-07-01 (200) + 2023 良好 (100) = 1,100.
        facts
            .qualification(person, QualificationLevel::Assistant, "2020-05-01")
            .await;
        let (code, _) = refused(
            r.act(m.id, "approve", &by("审批员", "bureau")).await,
            backend,
        );
        assert_eq!(code, "employment.no_contract", "{backend}");
        facts.contract(person, o, "2023-06-01", None).await;
        let (code, message) = refused(
            r.act(m.id, "approve", &by("审批员", "bureau")).await,
            backend,
        );
        assert_eq!(code, "salary.performance_missing", "{backend}");
        assert!(message.contains("2023 年度考核"), "{backend}: {message}");
        facts
            .performance(person, 2023, PerformanceRating::Good)
            .await;
        let m = r
            .act(m.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        assert_eq!(m.approved_fen, Some(110_000), "{backend}");
        r.act(m.id, "pay", &by("出纳", "finance")).await.unwrap();
        let months = r.salary_months(person).await.unwrap();
        assert_eq!(
            months
                .iter()
                .map(|p| (p.event_key.as_str(), p.amount_fen))
                .collect::<Vec<_>>(),
            [("2024-03", 110_000)],
            "{backend}"
        );

        // An event outside the policy period earns nothing under it.
        let late = apply(&r, "R9", &person.to_string(), "2026-01", "1000").await;
        assert_eq!(
            code_of(
                r.act(late.id, "approve", &by("审批员", "bureau")).await,
                backend
            ),
            "policy.outside_period"
        );
    }
}

/// One rule's case: what to apply for, and the facts that back it.
struct Case {
    rule: &'static str,
    key: &'static str,
    /// In yuan, more than the engine pays.
    requested: &'static str,
    /// What the engine pays on the recorded facts, in fen.
    engine: i64,
}

const CASES: [Case; 9] = [
    Case {
        rule: "R2",
        key: "2024-04-01",
        requested: "12000",
        engine: 800_000,
    },
    Case {
        rule: "R3",
        key: "2024-02",
        requested: "800",
        engine: 45_000,
    },
    Case {
        rule: "R4",
        key: "2024-03-01",
        requested: "50000",
        engine: 1_000_000,
    },
    Case {
        rule: "R5",
        key: "上海市先进社会组织|2024",
        requested: "80000",
        engine: 5_000_000,
    },
    Case {
        rule: "R6",
        key: "VP-1",
        requested: "20000",
        engine: 1_500_050,
    },
    Case {
        rule: "R7",
        key: "CP-1",
        requested: "30000",
        engine: 2_000_000,
    },
    Case {
        rule: "R9",
        key: "2024-03",
        requested: "2500",
        engine: 110_000,
    },
    Case {
        rule: "R10",
        key: "2024",
        requested: "6000",
        engine: 500_000,
    },
    Case {
        rule: "R11",
        key: "2024-05-01",
        requested: "40000",
        engine: 3_000_000,
    },
];

/// Records the facts that back `c` (for the organisation `other()` or the
/// person `p`).
async fn back(r: &Registry, c: &Case, p: i64) {
    use gongyi_domain::history::{HonourLevel, InspectionResult, RatingLevel};
    use gongyi_domain::people::{PerformanceRating, QualificationLevel};
    use gongyi_domain::policy::facts::CompetitionLevel;
    let f = Record(r);
    let o = org_id(r, &other()).await;
    match c.rule {
        "R2" => {
            f.inspection(o, 2023, InspectionResult::Qualified, "2024-03-15")
                .await;
            f.startup_application(o, "2024-04-01", "8000").await;
        }
        "R3" => f.lease(o, "2024-02", "450").await,
        "R4" => f.rating(o, RatingLevel::A3, "2024-03-01").await,
        "R5" => {
            f.honour(
                o,
                "上海市先进社会组织",
                HonourLevel::Municipal,
                "2024-02-01",
            )
            .await
        }
        "R6" => f.venture(o, "VP-1", "30001", "2024-01-10").await,
        "R7" => {
            f.competition_win(
                o,
                "CP-1",
                CompetitionLevel::Municipal,
                Some(2),
                "40000",
                "2024-01-20",
            )
            .await
        }
        "R9" => {
            f.qualification(p, QualificationLevel::Assistant, "2020-05-01")
                .await;
            f.contract(p, o, "2023-06-01", None).await;
            f.performance(p, 2023, PerformanceRating::Good).await;
        }
        "R10" => f.supervisor_review(p, 2024, "90.0", 20).await,
        "R11" => {
            // R9 above was approved on the assistant qualification; the
            // senior one comes later in the history.
            f.qualification(p, QualificationLevel::Senior, "2023-01-01")
                .await;
            f.senior_award_decision(p, "2024-05-01", true).await;
        }
        other => panic!("no case for {other}"),
    }
}

#[tokio::test]
async fn no_rule_approves_an_event_not_on_record_and_each_approves_the_engines_amount_once_recorded(
) {
    for (r, backend, person) in registries().await {
        for c in &CASES {
            budget(&r, c.rule, "2024", "1000000").await;
            let who = if matches!(c.rule, "R9" | "R10" | "R11") {
                person.to_string()
            } else {
                other()
            };
            let a = apply(&r, c.rule, &who, c.key, c.requested).await;
            let (code, message) = refused(
                r.act(a.id, "approve", &by("审批员", "bureau")).await,
                backend,
            );
            // No record at all: the event is not on record (R9 always has a
            // month, so the first missing fact is named).
            let want = if c.rule == "R9" {
                "salary.no_qualification"
            } else {
                "facts.not_on_record"
            };
            assert_eq!(code, want, "{backend} {}: {message}", c.rule);
            assert!(
                message.contains("须由"),
                "{backend} {}: who records it? {message}",
                c.rule
            );
            assert_eq!(actions(&r, a.id).await, ["submit"], "{backend}");

            back(&r, c, person).await;
            // Not more than the engine's amount, however it is typed.
            let more = ActionInput {
                amount: gongyi_domain::Fen(c.engine + 1).to_yuan_string(),
                ..by("审批员", "bureau")
            };
            assert_eq!(
                code_of(r.act(a.id, "approve", &more).await, backend),
                "amount.above_entitlement",
                "{}",
                c.rule
            );
            let a = r
                .act(a.id, "approve", &by("审批员", "bureau"))
                .await
                .unwrap_or_else(|e| panic!("{backend} {}: {e:?}", c.rule));
            assert_eq!(a.approved_fen, Some(c.engine), "{backend} {}", c.rule);
            let note = r.application_page(a.id).await.unwrap().events[1]
                .note
                .clone()
                .unwrap_or_default();
            assert!(note.contains("按登记信息核定"), "{backend}: {note}");
        }
    }
}

/// R10 selects two a year and R2 pays once, across applications, even when
/// the facts change between two approvals so that the engine would pay
/// someone (or something) else.
#[tokio::test]
async fn limits_across_applications_hold_when_the_facts_change_between_approvals() {
    use gongyi_domain::history::InspectionResult;
    for (r, backend, first) in registries().await {
        budget(&r, "R10", "2024", "100000").await;
        budget(&r, "R2", "2024", "100000").await;
        let f = Record(&r);
        let mut people = vec![first];
        for (n, name) in [(3, "张伟"), (4, "王磊")] {
            let p = r
                .create_person(&PersonInput {
                    name: name.into(),
                    resident_id: ResidentId::from_body(&format!("3101101990030700{n}"), today())
                        .unwrap()
                        .as_str()
                        .into(),
                    phone: String::new(),
                    social_work_start_date: String::new(),
                    supervisor: "是".into(),
                })
                .await
                .unwrap();
            people.push(p.id);
        }
        f.supervisor_review(people[0], 2024, "90.0", 10).await;
        f.supervisor_review(people[1], 2024, "85.0", 10).await;
        for p in &people[..2] {
            let a = apply(&r, "R10", &p.to_string(), "2024", "5000").await;
            r.act(a.id, "approve", &by("审批员", "bureau"))
                .await
                .unwrap();
        }
        // A late review ranks first now: the engine would pay it, but the
        // year's two awards are already approved.
        f.supervisor_review(people[2], 2024, "99.0", 10).await;
        let late = apply(&r, "R10", &people[2].to_string(), "2024", "5000").await;
        let (code, message) = refused(
            r.act(late.id, "approve", &by("审批员", "bureau")).await,
            backend,
        );
        assert_eq!(code, "supervisor.year_full", "{backend}: {message}");

        let o = org_id(&r, &other()).await;
        f.inspection(o, 2023, InspectionResult::Qualified, "2024-03-15")
            .await;
        f.startup_application(o, "2024-04-01", "10000").await;
        let s1 = apply(&r, "R2", &other(), "2024-04-01", "10000").await;
        r.act(s1.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        // An earlier application recorded afterwards is now the engine's
        // first; R2 is still paid once.
        f.startup_application(o, "2024-03-20", "10000").await;
        let s0 = apply(&r, "R2", &other(), "2024-03-20", "10000").await;
        assert_eq!(
            code_of(
                r.act(s0.id, "approve", &by("审批员", "bureau")).await,
                backend
            ),
            "payment.once_only"
        );
    }
}

/// An organisation deregistered or on the abnormal-activity list on the
/// event's day may neither apply nor be approved.
#[tokio::test]
async fn an_organisation_deregistered_or_listed_on_the_events_day_cannot_apply_nor_be_approved() {
    use gongyi_app::orgs::HistoryInput;
    use gongyi_domain::history::CreditEntryInput;
    for (r, backend, _) in registries().await {
        budget(&r, "R3", "2024", "100000").await;
        let o = org_id(&r, &other()).await;
        let f = Record(&r);
        for m in ["2024-01", "2024-02", "2024-04", "2024-05"] {
            f.lease(o, m, "400").await;
        }
        // Submitted while in good standing, then listed before the approval.
        let before = apply(&r, "R3", &other(), "2024-02", "400").await;
        r.add_history(
            &other(),
            &HistoryInput::CreditEntry(CreditEntryInput {
                list: "ABNORMAL_ACTIVITY".into(),
                reason: "未按规定报送年度工作报告".into(),
                listed_date: "2024-01-15".into(),
                removed_date: "2024-04-01".into(),
            }),
        )
        .await
        .unwrap();
        let e = r
            .apply(
                &input("R3", &other(), "2024-03", "400"),
                vec![],
                &applicant(),
            )
            .await;
        let (code, message) = refused(e, backend);
        assert_eq!(code, "org.abnormal_list", "{backend}");
        assert!(message.contains("活动异常名录"), "{backend}: {message}");
        let (code, _) = refused(
            r.act(before.id, "approve", &by("审批员", "bureau")).await,
            backend,
        );
        assert_eq!(code, "org.abnormal_list", "{backend}");
        // Before the listing and after its removal the months are fine.
        for m in ["2024-01", "2024-04"] {
            let a = apply(&r, "R3", &other(), m, "400").await;
            r.act(a.id, "approve", &by("审批员", "bureau"))
                .await
                .unwrap();
        }
        let org = r.org(&other()).await.unwrap();
        r.deregister(&other(), org.version, "2024-05-01")
            .await
            .unwrap();
        let e = r
            .apply(
                &input("R3", &other(), "2024-05", "400"),
                vec![],
                &applicant(),
            )
            .await;
        assert_eq!(code_of(e, backend), "org.deregistered", "{backend}");
    }
}

#[tokio::test]
async fn submissions_are_checked_field_by_field_and_duplicates_refused() {
    for (r, backend, _) in registries().await {
        let e = r
            .apply(
                &input("R6", &credit_code(9), "VP-1", "100"),
                vec![],
                &applicant(),
            )
            .await;
        match e {
            Err(AppError::Invalid(i)) => {
                assert_eq!(i.0[0].code, "beneficiary.unknown", "{backend}")
            }
            other => panic!("{backend}: {other:?}"),
        }
        let e = r
            .apply(
                &input("R6", &other(), "VP-1", "100"),
                vec![AttachmentInput {
                    file_name: "run.exe".into(),
                    content_type: "application/x-msdownload".into(),
                    bytes: vec![1, 2, 3],
                }],
                &applicant(),
            )
            .await;
        match e {
            Err(AppError::Invalid(i)) => assert_eq!(
                (i.0[0].field.as_str(), i.0[0].code),
                ("attachments[0]", "attachment.type"),
                "{backend}"
            ),
            other => panic!("{backend}: {other:?}"),
        }
        let e = r
            .apply(
                &input("R6", &other(), "VP-1", "100"),
                vec![],
                &actor("出纳", "finance"),
            )
            .await;
        assert_eq!(code_of(e, backend), "workflow.wrong_role");

        let a = r
            .apply(
                &input("R6", &other(), "VP-1", "100"),
                vec![AttachmentInput {
                    file_name: "立项书.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.7".to_vec(),
                }],
                &actor("区民政局经办", "bureau"),
            )
            .await
            .unwrap();
        let files = r.application_page(a.id).await.unwrap().attachments;
        assert_eq!(files.len(), 1, "{backend}");
        let f = r.attachment(a.id, files[0].id).await.unwrap();
        assert_eq!(f.content, b"%PDF-1.7", "{backend}");

        let e = r
            .apply(&input("R6", &other(), "vp-1 ", "100"), vec![], &applicant())
            .await;
        // Project ids are kept as typed (trimmed): a different case is a
        // different project.
        assert!(e.is_ok(), "{backend}: {e:?}");
        let e = r
            .apply(&input("R6", &other(), " VP-1", "100"), vec![], &applicant())
            .await;
        assert_eq!(code_of(e, backend), "application.duplicate");
    }
}

#[tokio::test]
async fn a_step_from_a_stale_page_is_a_conflict() {
    for (r, backend, _) in registries().await {
        budget(&r, "R6", "2024", "100000").await;
        venture(&r, "VP-1", "200").await;
        let a = apply(&r, "R6", &other(), "VP-1", "100").await;
        let stale = ActionInput {
            version: Some(a.version),
            ..by("审批员", "bureau")
        };
        r.act(a.id, "approve", &stale).await.unwrap();
        let again = ActionInput {
            version: Some(a.version),
            ..by("出纳", "finance")
        };
        assert!(
            matches!(r.act(a.id, "pay", &again).await, Err(AppError::Conflict)),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_ledger_sums_payments_by_rule_sub_district_and_year_and_exports_to_xlsx() {
    for (r, backend, _) in registries().await {
        budget(&r, "R6", "2024", "100000").await;
        budget(&r, "R3", "2024", "100000").await;
        venture(&r, "VP-1", "600").await;
        venture(&r, "VP-2", "400").await;
        let c = org_id(&r, &community()).await;
        Record(&r).lease(c, "2024-01", "400").await;
        for (rule, who, key, yuan) in [
            ("R6", other(), "VP-1", "300"),
            ("R6", other(), "VP-2", "200"),
            ("R3", community(), "2024-01", "400"),
        ] {
            let a = apply(&r, rule, &who, key, yuan).await;
            if a.needs_review {
                r.act(a.id, "review", &by("街道", "subdistrict"))
                    .await
                    .unwrap();
            }
            r.act(a.id, "approve", &by("审批员", "bureau"))
                .await
                .unwrap();
            r.act(a.id, "pay", &by("出纳", "finance")).await.unwrap();
        }
        let ledger = r.ledger(Some(2024)).await.unwrap();
        let got: Vec<_> = ledger
            .iter()
            .map(|l| {
                (
                    l.rule.code(),
                    l.subdistrict_name.as_deref().unwrap_or("-"),
                    l.payments,
                    l.total_fen,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("R3", "长海路街道", 1, 40_000),
                ("R6", "殷行街道", 2, 50_000)
            ],
            "{backend}"
        );
        // The workbook, read back, holds the ledger's rows and their total.
        let xlsx = r.ledger_xlsx(Some(2024)).await.unwrap();
        use calamine::Reader as _;
        let mut book: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
        let sheet = book.worksheet_range("拨付台账").unwrap();
        let cells: Vec<Vec<String>> = sheet
            .rows()
            .map(|row| row.iter().map(|c| c.to_string()).collect())
            .collect();
        let mut want = vec![vec![
            "预算年度".to_string(),
            "项目".into(),
            "项目名称".into(),
            "街道".into(),
            "笔数".into(),
            "金额(元)".into(),
        ]];
        for l in &ledger {
            want.push(vec![
                l.year.to_string(),
                l.rule.code().into(),
                l.rule.title().into(),
                l.subdistrict_name.clone().unwrap_or_default(),
                l.payments.to_string(),
                gongyi_domain::Fen(l.total_fen).to_yuan_string(),
            ]);
        }
        want.push(vec![
            "合计".into(),
            String::new(),
            String::new(),
            String::new(),
            "3".into(),
            "900.00".into(),
        ]);
        assert_eq!(cells, want, "{backend}");

        let h = r.org_subsidies(&other().to_lowercase()).await.unwrap();
        assert_eq!(
            (h.applications.len(), h.payments.len()),
            (2, 2),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn approval_follows_the_engine_on_the_registry_facts_and_refuses_what_is_not_on_record() {
    use gongyi_app::orgs::HistoryInput;
    use gongyi_domain::history::RatingInput;
    for (r, backend, _) in registries().await {
        budget(&r, "R4", "2024", "1000000").await;
        budget(&r, "R3", "2024", "1000000").await;
        for (level, date) in [("3A", "2024-03-01"), ("2A", "2024-04-01")] {
            r.add_history(
                &other(),
                &HistoryInput::Rating(RatingInput {
                    level: level.into(),
                    date: date.into(),
                }),
            )
            .await
            .unwrap();
        }
        // A first 3A pays 10,000 (三(二)1), whatever was asked.
        let a = apply(&r, "R4", &other(), "2024-03-01", "50000").await;
        let a = r
            .act(a.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        assert_eq!(a.approved_fen, Some(1_000_000), "{backend}");
        let note = r.application_page(a.id).await.unwrap().events[1]
            .note
            .clone()
            .unwrap_or_default();
        assert!(
            note.contains("按登记信息核定 10,000.00 元"),
            "{backend}: {note}"
        );
        // A 2A pays nothing: the engine's refusal, with its reason.
        let b = apply(&r, "R4", &other(), "2024-04-01", "1000").await;
        let (code, message) = refused(
            r.act(b.id, "approve", &by("审批员", "bureau")).await,
            backend,
        );
        assert!(
            code.starts_with("rating.") || code == "amount.zero",
            "{backend}: {code} {message}"
        );
        // No lease on record for the month: not approved, and the refusal
        // names the missing fact and who must record it.
        let c = apply(&r, "R3", &other(), "2024-02", "400").await;
        let (code, message) = refused(
            r.act(c.id, "approve", &by("审批员", "bureau")).await,
            backend,
        );
        assert_eq!(
            (code.as_str(), message.as_str()),
            (
                "facts.not_on_record",
                "该组织 2024-02 无办公用房租赁及实付房租记录,须由该组织申报并经所在街道核实"
            ),
            "{backend}"
        );
        assert_eq!(actions(&r, c.id).await, ["submit"], "{backend}");
    }
}

/// Every change of a budget line leaves its event (who, from what, to
/// what), read back in order; a refused change leaves none.
#[tokio::test]
async fn each_budget_change_is_recorded_with_who_made_it_and_from_what_to_what() {
    for (r, backend, _) in registries().await {
        budget(&r, "R6", "2024", "1000").await;
        r.set_budget(&BudgetInput {
            rule: "R6".into(),
            year: "2024".into(),
            amount: "2500.50".into(),
            actor: actor("财务科", "finance"),
        })
        .await
        .unwrap();
        venture(&r, "VP-1", "2000").await;
        let a = apply(&r, "R6", &other(), "VP-1", "1000").await;
        r.act(a.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        let e = r
            .set_budget(&BudgetInput {
                rule: "R6".into(),
                year: "2024".into(),
                amount: "999".into(),
                actor: actor("预算员", "bureau"),
            })
            .await;
        assert_eq!(code_of(e, backend), "budget.below_committed");
        budget(&r, "R6", "2024", "1200").await;
        budget(&r, "R3", "2024", "10").await;

        let events = r.budget_history("r6", "2024").await.unwrap();
        let got: Vec<_> = events
            .iter()
            .map(|e| {
                (
                    e.actor_name.as_str(),
                    e.actor_role.code(),
                    e.old_amount_fen,
                    e.new_amount_fen,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("预算员", "bureau", None, 100_000),
                ("财务科", "finance", Some(100_000), 250_050),
                ("预算员", "bureau", Some(250_050), 120_000),
            ],
            "{backend}"
        );
        assert!(events.windows(2).all(|w| w[0].at <= w[1].at), "{backend}");
        let line = &r.budgets(Some(2024)).await.unwrap()[1];
        assert_eq!(
            (line.rule.code(), line.amount_fen),
            ("R6", events[2].new_amount_fen),
            "{backend}: the last event is the line's amount"
        );
        assert!(r.budget_history("R7", "2024").await.unwrap().is_empty());
        assert!(matches!(
            r.budget_history("R1", "24").await,
            Err(AppError::Invalid(_))
        ));
    }
}
