//! The engine reproduces the reference outputs of the `n10000` bundle
//! (`docs/policies/vectors`): entitlements and R1 checks row for row, totals
//! to the fen.

use chrono::NaiveDate;
use gongyi_vectors::{evaluate_dir, read, write, Evaluation};
use std::io::Read as _;
use std::path::PathBuf;
use std::sync::OnceLock;

fn bundle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/policies/vectors/n10000")
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Evaluated once for all tests of this file.
fn evaluation() -> &'static Evaluation {
    static E: OnceLock<Evaluation> = OnceLock::new();
    E.get_or_init(|| {
        evaluate_dir(&bundle_dir(), date("2021-07-21"), date("2025-12-31"))
            .unwrap_or_else(|e| panic!("reading {}: {e}", bundle_dir().display()))
    })
}

fn expected_lines(name: &str) -> Vec<String> {
    let (path, mut input) = read::open(&bundle_dir(), name).unwrap_or_else(|e| panic!("{e}"));
    let mut text = String::new();
    input
        .read_to_string(&mut text)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(str::to_string).collect()
}

fn lines(bytes: Vec<u8>) -> Vec<String> {
    String::from_utf8(bytes)
        .expect("utf-8 output")
        .lines()
        .map(str::to_string)
        .collect()
}

/// Fails listing the first differing rows of both sides, with per-rule
/// counts of rows only one side has.
fn assert_same_rows(name: &str, got: &[String], want: &[String]) {
    if got == want {
        return;
    }
    let mut report = format!(
        "{name}: {} rows written, {} expected\n",
        got.len(),
        want.len()
    );
    let first = got.iter().zip(want).position(|(a, b)| a != b);
    if let Some(i) = first.or(Some(got.len().min(want.len()))) {
        report.push_str(&format!("first difference at line {}:\n", i + 1));
        for k in i.saturating_sub(2)..(i + 8) {
            report.push_str(&format!(
                "  {:>7}  got  {:<60}  want  {}\n",
                k + 1,
                got.get(k).map_or("—", String::as_str),
                want.get(k).map_or("—", String::as_str)
            ));
        }
    }
    let g: std::collections::HashSet<&String> = got.iter().collect();
    let w: std::collections::HashSet<&String> = want.iter().collect();
    let only_got: Vec<&&String> = g.difference(&w).take(15).collect();
    let only_want: Vec<&&String> = w.difference(&g).take(15).collect();
    report.push_str(&format!("only written (up to 15): {only_got:#?}\n"));
    report.push_str(&format!("only expected (up to 15): {only_want:#?}\n"));
    panic!("{report}");
}

#[test]
fn entitlements_match_the_reference_row_for_row() {
    let mut out = Vec::new();
    write::entitlements_csv(evaluation(), &mut out).expect("write");
    assert_same_rows(
        "entitlements.csv",
        &lines(out),
        &expected_lines("entitlements.csv"),
    );
}

#[test]
fn registration_checks_match_the_reference_row_for_row() {
    let mut out = Vec::new();
    write::registration_checks_csv(evaluation(), &mut out).expect("write");
    assert_same_rows(
        "registration_checks.csv",
        &lines(out),
        &expected_lines("registration_checks.csv"),
    );
}

#[test]
fn totals_match_the_reference_per_rule_per_year_and_overall() {
    let mut out = Vec::new();
    write::totals_json(evaluation(), &mut out).expect("write");
    let got: serde_json::Value = serde_json::from_slice(&out).expect("our json");
    let want: serde_json::Value =
        serde_json::from_str(&expected_lines("totals.json").join("\n")).expect("reference json");
    let mut diffs = Vec::new();
    for key in [
        "contract_version",
        "policy_version",
        "n_organisations",
        "n_people",
        "input_rows",
        "window",
        "all_rules",
        "R1_registration_check",
    ] {
        if got[key] != want[key] {
            diffs.push(format!("{key}: got {} want {}", got[key], want[key]));
        }
    }
    let rules = want["rules"].as_object().expect("rules");
    for (rule, w) in rules {
        let g = &got["rules"][rule];
        for field in ["total_fen", "rows"] {
            if g[field] != w[field] {
                diffs.push(format!(
                    "{rule}.{field}: got {} want {}",
                    g[field], w[field]
                ));
            }
        }
        for (year, wy) in w["by_year"].as_object().expect("by_year") {
            if &g["by_year"][year] != wy {
                diffs.push(format!(
                    "{rule}.by_year.{year}: got {} want {wy}",
                    g["by_year"][year]
                ));
            }
        }
    }
    let got_rules: Vec<&String> = got["rules"].as_object().expect("rules").keys().collect();
    let want_rules: Vec<&String> = rules.keys().collect();
    if got_rules.len() != want_rules.len() {
        diffs.push(format!("rules: got {got_rules:?} want {want_rules:?}"));
    }
    assert!(
        diffs.is_empty(),
        "totals.json differs:\n{}",
        diffs.join("\n")
    );
}

#[test]
fn every_row_can_be_explained_lazily_and_with_its_basis() {
    let e = evaluation();
    // One row of each rule, rebuilt by re-running the rule for its beneficiary.
    for rule in gongyi_domain::policy::Rule::ALL {
        let row = e
            .result
            .entitlements()
            .find(|r| r.rule == rule)
            .unwrap_or_else(|| panic!("no {rule} row"));
        let x =
            gongyi_domain::policy::explain_entitlement(&e.facts, &e.policy, e.result.window, &row)
                .unwrap_or_else(|| panic!("{rule} row {row:?} has no explanation"));
        assert_eq!(x.amount, Some(row.amount), "{}", x.text);
        assert_eq!(x.clause, rule.clause());
    }
    // The run that keeps every basis pays the same rows as the batch run.
    let with_basis: Vec<_> =
        gongyi_domain::policy::evaluate_with_basis(&e.facts, &e.policy, e.result.window)
            .into_iter()
            .map(|(row, _)| row)
            .collect();
    assert!(
        with_basis.iter().copied().eq(e.result.entitlements()),
        "evaluate_with_basis differs from evaluate"
    );
}

/// The paid decisions of a per-beneficiary query: (rule, event key, fen).
type Paid = Vec<(gongyi_domain::policy::Rule, String, i64)>;

/// "What may I claim" (`claims_of_org`, `claims_of_person`, which approval
/// evaluates for one beneficiary) pays exactly what the batch engine pays,
/// for every organisation and every person of the bundle.
#[test]
fn the_per_beneficiary_queries_pay_what_the_batch_pays_for_every_organisation_and_person() {
    use gongyi_domain::policy::{
        claims_of_org, claims_of_person, BeneficiaryKind, OrgIx, PersonIx,
    };
    let e = evaluation();
    let facts = &e.facts;
    let window = e.result.window;
    let mut orgs: Vec<Paid> = vec![Vec::new(); facts.org_count()];
    let mut people: Vec<Paid> = vec![Vec::new(); facts.person_count()];
    for r in e.result.entitlements() {
        let row = (r.rule, r.key.display(facts).to_string(), r.amount.get());
        match r.rule.beneficiary_kind() {
            BeneficiaryKind::Organisation => orgs[r.beneficiary as usize].push(row),
            BeneficiaryKind::Person => people[r.beneficiary as usize].push(row),
        }
    }
    let paid = |decisions: Vec<gongyi_domain::policy::Decision>| -> Paid {
        let mut v: Paid = decisions
            .iter()
            .filter_map(|d| {
                d.amount()
                    .map(|a| (d.rule, d.key.display(facts).to_string(), a.get()))
            })
            .collect();
        v.sort();
        v
    };
    let mut differ = Vec::new();
    for o in facts.orgs() {
        let mut want = std::mem::take(&mut orgs[o.0 as usize]);
        want.sort();
        let got = paid(claims_of_org(facts, &e.policy, OrgIx(o.0), window));
        if got != want {
            differ.push(format!("{}: got {got:?}, batch {want:?}", facts.org_id(o)));
        }
    }
    for p in facts.people() {
        let mut want = std::mem::take(&mut people[p.0 as usize]);
        want.sort();
        let got = paid(claims_of_person(facts, &e.policy, PersonIx(p.0), window));
        if got != want {
            differ.push(format!(
                "{}: got {got:?}, batch {want:?}",
                facts.person_id(p)
            ));
        }
    }
    assert!(
        differ.is_empty(),
        "{} beneficiaries differ, first ones:\n{}",
        differ.len(),
        differ
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
