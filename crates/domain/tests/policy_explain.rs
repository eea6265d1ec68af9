//! Snapshots of explanations: what a page or the API shows for a payment or
//! a refusal (codes, facts, parameters, arithmetic, the Chinese sentence).

mod policy_support;

use gongyi_domain::policy::{
    claims_of_org, claims_of_person, evaluate, explain_entitlement, Decision, Explanation, Facts,
    Policy, Rule, Window,
};
use policy_support::*;
use std::fmt::Write as _;

fn render(x: &Explanation) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} {} | {} | {}",
        x.rule,
        x.clause,
        x.version.unwrap_or("-"),
        x.beneficiary_id,
        x.event_key
    );
    match (&x.amount, &x.refusal) {
        (Some(a), _) => {
            let _ = writeln!(s, "paid: {} fen", a.get());
        }
        (None, Some((code, message))) => {
            let _ = writeln!(s, "refused: {code}: {message}");
        }
        (None, None) => {}
    }
    for f in &x.facts {
        let _ = writeln!(s, "fact {} ({}) = {}", f.code, f.label, f.value);
    }
    for p in &x.params {
        let _ = writeln!(s, "param {} = {}", p.name, p.value);
    }
    if let Some(a) = &x.arithmetic {
        let _ = writeln!(s, "arithmetic: {a}");
    }
    let _ = write!(s, "text: {}", x.text);
    s
}

fn explain_all(facts: &Facts, policy: &Policy, decisions: &[Decision]) -> String {
    decisions
        .iter()
        .map(|x| render(&x.explain(facts, policy)))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn org(facts: &Facts, id: &str) -> gongyi_domain::policy::OrgIx {
    facts.find_org(id).expect("org")
}

#[test]
fn startup_subsidy_paid_and_refused() {
    let mut w = World::new();
    w.org("O1", "2021-03-01")
        .inspection("O1", 2021, "QUALIFIED", "2022-03-10")
        .application("O1", "2022-04-01", 1_328_889)
        .application("O1", "2022-06-01", 500_000)
        .org("O2", "2021-03-01")
        .inspection("O2", 2021, "BASICALLY_QUALIFIED", "2022-03-10")
        .application("O2", "2022-04-01", 1_000_000);
    let facts = w.build();
    let policy = Policy::yangpu();
    let mut all = claims_of_org(&facts, &policy, org(&facts, "O1"), period());
    all.extend(claims_of_org(&facts, &policy, org(&facts, "O2"), period()));
    insta::assert_snapshot!("startup_subsidy", explain_all(&facts, &policy, &all));

    let refused = claims_of_org(&facts, &policy, org(&facts, "O2"), period());
    let message = refused[0]
        .explain(&facts, &policy)
        .refusal
        .map(|(_, m)| m)
        .unwrap_or_default();
    assert_eq!(message, "首次年检结果为基本合格,不符合开办补贴条件");
}

#[test]
fn rent_rating_and_venture_explanations() {
    let mut w = World::new();
    w.org("O1", "2021-08-01")
        .leases("O1", "2023-06", 3, 51_760)
        .rating("O1", "3A", "2021-09-01")
        .rating("O1", "5A", "2023-09-01")
        .rating("O1", "4A", "2025-09-01")
        .venture("O1", "GY2023-0000001", 3_333_333, "2023-06-17");
    let facts = w.build();
    let policy = Policy::yangpu();
    let all = claims_of_org(&facts, &policy, org(&facts, "O1"), period());
    insta::assert_snapshot!("rent_rating_venture", explain_all(&facts, &policy, &all));
}

#[test]
fn salary_supervisor_and_senior_award_explanations() {
    let mut w = World::new();
    w.org("O1", "2010-01-01")
        .person("P1", Some(("SENIOR", "2022-03-01")), Some("2016-05-01"))
        .job("P1", "O1", "2020-01-01", None, true)
        .performance("P1", 2022, "EXCELLENT")
        .review("P1", 2023, "97.5", 120)
        .decision("P1", "2023-02-01", true)
        .person("P2", Some(("INTERMEDIATE", "2015-01-01")), None)
        .review("P2", 2023, "97.5", 80)
        .person("P3", None, None)
        .review("P3", 2023, "88", 200);
    let facts = w.build();
    let policy = Policy::yangpu();
    let window = Window::new(d("2023-01-01"), d("2023-12-31"));
    // One month of R9 each, and every R10 and R11 decision.
    let mut all: Vec<Decision> = Vec::new();
    for id in ["P1", "P2", "P3"] {
        let p = facts.find_person(id).expect("person");
        all.extend(
            claims_of_person(&facts, &policy, p, window)
                .into_iter()
                .filter(|x| x.rule != Rule::R9 || x.key.display(&facts).to_string() == "2023-01"),
        );
    }
    insta::assert_snapshot!(
        "salary_supervisor_senior",
        explain_all(&facts, &policy, &all)
    );
}

#[test]
fn a_batch_row_is_explained_on_demand_like_its_query() {
    let mut w = World::new();
    w.org("O1", "2015-01-01")
        .honour("O1", "上海市文明单位", "MUNICIPAL", "2022-03-01")
        .win(
            "O1",
            "CP1",
            "NATIONAL",
            Some(2),
            4_000_001,
            true,
            "2022-06-01",
        );
    let facts = w.build();
    let policy = Policy::yangpu();
    let e = evaluate(&facts, &policy, period());
    let text: Vec<String> = e
        .entitlements()
        .map(|row| {
            render(&explain_entitlement(&facts, &policy, period(), &row).expect("explained"))
        })
        .collect();
    insta::assert_snapshot!("honour_and_competition", text.join("\n\n"));
}
