//! The application state machine as a table: every (status, review needed,
//! action, role) is either one of the allowed steps listed here or refused
//! with a reason; and the approved amount: the engine's, never more, and
//! nothing for an event not on record.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use gongyi_domain::applications::*;
use gongyi_domain::policy::Policy;
use gongyi_domain::Fen;

use Action as A;
use Role as R;
use Status as S;

/// (review needed, from, action, role, to); `None` for review means either.
const ALLOWED: &[(Option<bool>, S, A, R, S)] = &[
    (
        None,
        S::Returned,
        A::Resubmit,
        R::Organisation,
        S::Submitted,
    ),
    (None, S::Returned, A::Resubmit, R::Bureau, S::Submitted),
    (None, S::Returned, A::Refuse, R::Bureau, S::Refused),
    (
        Some(true),
        S::Submitted,
        A::Review,
        R::Subdistrict,
        S::SubdistrictReviewed,
    ),
    (
        Some(true),
        S::Submitted,
        A::Return,
        R::Subdistrict,
        S::Returned,
    ),
    (
        Some(true),
        S::Submitted,
        A::Refuse,
        R::Subdistrict,
        S::Refused,
    ),
    (
        Some(false),
        S::Submitted,
        A::Approve,
        R::Bureau,
        S::Approved,
    ),
    (Some(false), S::Submitted, A::Return, R::Bureau, S::Returned),
    (Some(false), S::Submitted, A::Refuse, R::Bureau, S::Refused),
    (
        None,
        S::SubdistrictReviewed,
        A::Approve,
        R::Bureau,
        S::Approved,
    ),
    (
        None,
        S::SubdistrictReviewed,
        A::Return,
        R::Bureau,
        S::Returned,
    ),
    (
        None,
        S::SubdistrictReviewed,
        A::Refuse,
        R::Bureau,
        S::Refused,
    ),
    (None, S::Approved, A::Pay, R::Finance, S::Paid),
    (None, S::Approved, A::Return, R::Finance, S::Returned),
    (None, S::Approved, A::Refuse, R::Finance, S::Refused),
];

fn actor(role: Role, name: &str) -> Actor {
    Actor {
        name: name.into(),
        role,
    }
}

#[test]
fn every_step_is_either_allowed_by_the_table_or_refused_with_a_reason() {
    let mut allowed_seen = 0;
    for needs_review in [false, true] {
        for from in Status::ALL {
            for action in Action::ALL {
                for role in Role::ALL {
                    let current = Current {
                        status: from,
                        needs_review,
                        approver: Some("审批员"),
                        applicant: Some("申请人"),
                    };
                    let got = decide(&current, action, &actor(role, "经办人"), "材料不全");
                    let want = ALLOWED
                        .iter()
                        .find(|(r, f, a, ro, _)| {
                            r.is_none_or(|r| r == needs_review)
                                && *f == from
                                && *a == action
                                && *ro == role
                        })
                        .map(|t| t.4);
                    let case = format!(
                        "{} {:?} {} by {}",
                        if needs_review { "community" } else { "other" },
                        from,
                        action.code(),
                        role.code()
                    );
                    match (want, got) {
                        (Some(to), Ok(step)) => {
                            allowed_seen += 1;
                            assert_eq!(step, Step { action, from, to }, "{case}");
                        }
                        (None, Err(r)) => {
                            assert!(r.code.starts_with("workflow."), "{case}: {r:?}");
                            assert!(!r.message.is_empty(), "{case}");
                        }
                        (want, got) => panic!("{case}: wanted {want:?}, got {got:?}"),
                    }
                }
            }
        }
    }
    // Each row once per review flag it allows.
    let expected: usize = ALLOWED
        .iter()
        .map(|r| if r.0.is_none() { 2 } else { 1 })
        .sum();
    assert_eq!(allowed_seen, expected);
}

fn code_of(status: Status, review: bool, action: Action, who: Actor, reason: &str) -> String {
    let c = Current {
        status,
        needs_review: review,
        approver: Some("李 审批"),
        applicant: None,
    };
    match decide(&c, action, &who, reason) {
        Ok(s) => format!("ok {:?}", s.to),
        Err(r) => r.code.to_string(),
    }
}

#[test]
fn refusals_say_why() {
    let cases = [
        (
            code_of(S::Approved, false, A::Pay, actor(R::Finance, "李审批"), ""),
            "workflow.payer_is_approver",
        ),
        (
            code_of(S::Approved, false, A::Pay, actor(R::Finance, "王出纳"), ""),
            "ok Paid",
        ),
        (
            code_of(S::Submitted, true, A::Approve, actor(R::Bureau, "a"), ""),
            "workflow.review_first",
        ),
        (
            code_of(
                S::Submitted,
                false,
                A::Review,
                actor(R::Subdistrict, "a"),
                "",
            ),
            "workflow.review_not_needed",
        ),
        (
            code_of(S::Submitted, false, A::Return, actor(R::Bureau, "a"), "  "),
            "workflow.reason_required",
        ),
        (
            code_of(S::Submitted, false, A::Refuse, actor(R::Bureau, "a"), ""),
            "workflow.reason_required",
        ),
        (
            code_of(S::Paid, false, A::Refuse, actor(R::Bureau, "a"), "x"),
            "workflow.closed",
        ),
        (
            code_of(
                S::Refused,
                false,
                A::Resubmit,
                actor(R::Organisation, "a"),
                "",
            ),
            "workflow.closed",
        ),
        (
            code_of(S::Submitted, false, A::Pay, actor(R::Finance, "a"), ""),
            "workflow.wrong_status",
        ),
        (
            code_of(S::Submitted, false, A::Approve, actor(R::Finance, "a"), ""),
            "workflow.wrong_role",
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
    let c = Current {
        status: S::Approved,
        needs_review: false,
        approver: Some("李审批"),
        applicant: None,
    };
    let e = decide(&c, A::Pay, &actor(R::Finance, "李 审批"), "").unwrap_err();
    assert_eq!(e.field, "actor_name");
    assert_eq!(
        e.message,
        "批准人与拨付人不能为同一人(本申请由 李审批 批准)"
    );
}

#[test]
fn the_account_that_submitted_an_application_neither_reviews_approves_nor_pays_it() {
    for (status, needs_review, action, role) in [
        (S::Submitted, true, A::Review, R::Subdistrict),
        (S::Submitted, false, A::Approve, R::Bureau),
        (S::SubdistrictReviewed, true, A::Approve, R::Bureau),
        (S::Approved, false, A::Pay, R::Finance),
    ] {
        let c = Current {
            status,
            needs_review,
            approver: Some("王审批"),
            applicant: Some("张 经办"),
        };
        let e = decide(&c, action, &actor(role, "张经办"), "").unwrap_err();
        assert_eq!(
            (e.code, e.field),
            ("workflow.decider_is_applicant", "actor_name"),
            "{action:?}"
        );
        // Another account of the same role may.
        assert!(
            decide(&c, action, &actor(role, "赵办理"), "").is_ok(),
            "{action:?}"
        );
    }
    // The applicant still resubmits what was returned to it.
    let returned = Current {
        status: S::Returned,
        needs_review: false,
        approver: None,
        applicant: Some("张经办"),
    };
    assert!(decide(&returned, A::Resubmit, &actor(R::Bureau, "张经办"), "").is_ok());
}

#[test]
fn only_organisations_and_the_bureau_submit_and_only_the_bureau_or_finance_set_budgets() {
    assert!(may_submit(&actor(R::Organisation, "a")).is_ok());
    assert!(may_submit(&actor(R::Bureau, "a")).is_ok());
    assert!(may_submit(&actor(R::Finance, "a")).is_err());
    assert!(may_submit(&actor(R::Subdistrict, "a")).is_err());
    assert!(may_set_budget(&actor(R::Bureau, "a")).is_ok());
    assert!(may_set_budget(&actor(R::Finance, "a")).is_ok());
    assert!(may_set_budget(&actor(R::Organisation, "a")).is_err());
}

#[test]
fn an_application_as_typed_reports_every_bad_field() {
    let e = ApplicationInput {
        rule: "R12".into(),
        beneficiary_id: "x".into(),
        event_key: "".into(),
        requested: "0".into(),
    }
    .validate()
    .unwrap_err();
    let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["rule", "requested"]);

    let e = ApplicationInput {
        rule: "R9".into(),
        beneficiary_id: "abc".into(),
        event_key: "2024-13".into(),
        requested: "1,000".into(),
    }
    .validate()
    .unwrap_err();
    let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["beneficiary_id", "event_key"]);

    let d = ApplicationInput {
        rule: "r9".into(),
        beneficiary_id: "7".into(),
        event_key: "2024-03".into(),
        requested: "1,800.50".into(),
    }
    .validate()
    .unwrap();
    assert_eq!(d.rule, SubsidyRule::R9);
    assert_eq!(d.beneficiary_id, "P00000007");
    assert_eq!(d.requested, Fen(180_050));
}

fn granted(amount: Fen) -> FactsDecision {
    FactsDecision::Granted {
        amount,
        rule_total: amount,
        date: chrono::NaiveDate::from_ymd_opt(2024, 3, 1),
        explanation: "房租补贴(三(一)3) 2024-03: …".into(),
    }
}

fn entitled(rule: SubsidyRule, requested: Fen, facts: &FactsDecision) -> Result<Fen, String> {
    entitlement(
        rule,
        requested,
        facts,
        Committed::default(),
        &Policy::yangpu(),
    )
    .map(|e| e.amount)
    .map_err(|r| r.code.to_string())
}

/// A rule and an event key of its shape.
const EVENTS: [(SubsidyRule, &str); 9] = [
    (SubsidyRule::R2, "2024-03-01"),
    (SubsidyRule::R3, "2024-03"),
    (SubsidyRule::R4, "2024-03-01"),
    (SubsidyRule::R5, "全国先进社会组织|2024"),
    (SubsidyRule::R6, "VP-1"),
    (SubsidyRule::R7, "CP-1"),
    (SubsidyRule::R9, "2024-03"),
    (SubsidyRule::R10, "2024"),
    (SubsidyRule::R11, "2024-03-01"),
];

#[test]
fn no_rule_approves_an_event_not_on_record_and_none_more_than_the_engine() {
    for (rule, key) in EVENTS {
        let missing = FactsDecision::not_on_record(rule, key);
        assert_eq!(
            entitled(rule, Fen::yuan(100), &missing),
            Err("facts.not_on_record".into()),
            "{rule}"
        );
        let FactsDecision::Refused { message, .. } = &missing else {
            panic!("{rule}: not a refusal");
        };
        assert!(
            message.contains("须由"),
            "{rule}: who records it? {message}"
        );
        // The engine's amount caps the request; a smaller request stands.
        let engine = granted(Fen::yuan(450));
        assert_eq!(
            entitled(rule, Fen::yuan(800), &engine),
            Ok(Fen::yuan(450)),
            "{rule}"
        );
        assert_eq!(
            entitled(rule, Fen::yuan(300), &engine),
            Ok(Fen::yuan(300)),
            "{rule}"
        );
        let no = FactsDecision::Refused {
            code: "rent.unpaid",
            message: "当月实付房租为 0,不计入补贴月".into(),
        };
        assert_eq!(
            entitled(rule, Fen::yuan(300), &no),
            Err("rent.unpaid".into()),
            "{rule}"
        );
    }
    // R8 has no formula: as asked, the budget alone limits it.
    let none = FactsDecision::not_on_record(SubsidyRule::R8, "2024");
    assert_eq!(
        entitled(SubsidyRule::R8, Fen::yuan(900_000), &none),
        Ok(Fen::yuan(900_000))
    );
}

#[test]
fn a_refusal_for_want_of_a_fact_says_who_must_record_it() {
    use gongyi_domain::policy::{Refusal, Rule};
    let p = Policy::yangpu();
    let FactsDecision::Refused { code, message } =
        FactsDecision::refused(Rule::R9, Refusal::NoQualification, &p)
    else {
        panic!("not a refusal")
    };
    assert_eq!(code, "salary.no_qualification");
    assert_eq!(
        message,
        "该人员在申请事项日期无社会工作者职业资格记录,须由区民政局或所在组织申报并经核实"
    );
    let FactsDecision::Refused { message, .. } =
        FactsDecision::refused(Rule::R2, Refusal::NoInspection, &p)
    else {
        panic!("not a refusal")
    };
    assert!(message.contains("须由区民政局录入"), "{message}");
}

#[test]
fn event_keys_name_their_days() {
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    assert_eq!(
        event_span(SubsidyRule::R3, "2024-02"),
        Some((d("2024-02-01"), d("2024-02-29")))
    );
    assert_eq!(
        event_span(SubsidyRule::R5, "称号|2023"),
        Some((d("2023-01-01"), d("2023-12-31")))
    );
    assert_eq!(
        event_span(SubsidyRule::R10, "2024"),
        Some((d("2024-12-31"), d("2024-12-31")))
    );
    assert_eq!(event_span(SubsidyRule::R7, "CP-1"), None);
}

#[test]
fn an_approver_may_lower_but_not_raise_the_amount() {
    let e = entitlement(
        SubsidyRule::R3,
        Fen::yuan(800),
        &granted(Fen::yuan(500)),
        Committed::default(),
        &Policy::yangpu(),
    )
    .unwrap();
    assert_eq!(approved_amount(&e, None), Ok(Fen::yuan(500)));
    assert_eq!(
        approved_amount(&e, Some(Fen::yuan(300))),
        Ok(Fen::yuan(300))
    );
    let r = approved_amount(&e, Some(Fen::yuan(501))).unwrap_err();
    assert_eq!(r.code, "amount.above_entitlement");
    assert!(r.message.contains("500.00"), "{}", r.message);
}

#[test]
fn a_budget_line_is_not_set_below_what_it_gave_away() {
    let r = check_budget_amount(SubsidyRule::R6, 2024, Fen::yuan(100), Fen::yuan(150)).unwrap_err();
    assert_eq!(r.code, "budget.below_committed");
    assert!(r.message.contains("150.00"));
    assert!(check_budget_amount(SubsidyRule::R6, 2024, Fen::yuan(150), Fen::yuan(150)).is_ok());
    let r = check_budget(SubsidyRule::R6, 2024, None, Fen::ZERO, Fen(1)).unwrap_err();
    assert_eq!(r.code, "budget.missing");
}
