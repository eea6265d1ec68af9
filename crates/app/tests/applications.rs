//! Applications to payment through the use cases, on both databases: the
//! workflow's allowed and refused steps (and that a refusal writes nothing),
//! approver ≠ payer, the entitlement recomputed at approval, budget
//! overdraws refused naming the line and the shortfall, returned
//! applications resubmitted, budgets, the ledger and the histories.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::applications::{ActionInput, ActorInput, AttachmentInput, BudgetInput};
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
async fn the_entitlement_is_recomputed_at_approval_from_the_caps_and_the_payment_history() {
    for (r, backend, person) in registries().await {
        for rule in ["R2", "R3", "R9", "R11"] {
            budget(&r, rule, "2024", "1000000").await;
        }
        // R3: 800 requested, the month cap is 500.
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
        assert!(note.contains("500.00"), "{backend}: {note}");
        let above = ActionInput {
            amount: "501".into(),
            ..by("审批员", "bureau")
        };
        let b = apply(&r, "R3", &other(), "2024-03", "800").await;
        assert_eq!(
            code_of(r.act(b.id, "approve", &above).await, backend),
            "amount.above_entitlement"
        );

        // R2 is paid once per organisation: a second event is refused at
        // approval once the first is paid.
        let s1 = apply(&r, "R2", &other(), "2024-04-01", "10000").await;
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
            "payment.once_only"
        );

        // R9 for a person (by number or key), capped at 2,000 a month.
        let m = apply(&r, "R9", &person.to_string(), "2024-03", "2500").await;
        assert_eq!(m.beneficiary_id, format!("P{person:08}"), "{backend}");
        assert_eq!(m.beneficiary_name, "李娜");
        let m = r
            .act(m.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        assert_eq!(m.approved_fen, Some(200_000), "{backend}");
        r.act(m.id, "pay", &by("出纳", "finance")).await.unwrap();
        let months = r.salary_months(person).await.unwrap();
        assert_eq!(
            months
                .iter()
                .map(|p| (p.event_key.as_str(), p.amount_fen))
                .collect::<Vec<_>>(),
            [("2024-03", 200_000)],
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
        let xlsx = r.ledger_xlsx(Some(2024)).await.unwrap();
        assert!(xlsx.starts_with(b"PK"), "{backend}: not a zip");

        let h = r.org_subsidies(&other().to_lowercase()).await.unwrap();
        assert_eq!(
            (h.applications.len(), h.payments.len()),
            (2, 2),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn approval_follows_the_engine_on_the_registry_facts_where_it_holds_the_event() {
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
        // No rating on that day: the engine cannot check it; the note says so.
        let c = apply(&r, "R3", &other(), "2024-02", "400").await;
        r.act(c.id, "approve", &by("审批员", "bureau"))
            .await
            .unwrap();
        let note = r.application_page(c.id).await.unwrap().events[1]
            .note
            .clone()
            .unwrap_or_default();
        assert!(
            note.starts_with("登记信息中暂无该事项记录"),
            "{backend}: {note}"
        );
    }
}
