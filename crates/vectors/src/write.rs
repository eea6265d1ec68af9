//! Writes the engine's outputs (CONTRACT.md, "Outputs"): `entitlements.csv`,
//! `registration_checks.csv`, `totals.json`, and the rows with their
//! explanations for the database path.

use crate::Evaluation;
use gongyi_domain::policy::{explain_with_basis, Entitlement, Explanation, Facts};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::fmt::Write as _;
use std::io;

/// `rule,beneficiary_kind,beneficiary_id,event_key,amount_fen`, in the
/// evaluation's (the contract's) order.
pub fn entitlements_csv<W: io::Write>(e: &Evaluation, w: W) -> csv::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record([
        "rule",
        "beneficiary_kind",
        "beneficiary_id",
        "event_key",
        "amount_fen",
    ])?;
    let mut key = String::new();
    let mut amount = String::new();
    for row in e.result.entitlements() {
        row_fields(&e.facts, &row, &mut key, &mut amount);
        out.write_record([
            row.rule.code(),
            row.rule.beneficiary_kind().code(),
            row.beneficiary_id(&e.facts),
            &key,
            &amount,
        ])?;
    }
    out.flush()?;
    Ok(())
}

fn row_fields(facts: &Facts, row: &Entitlement, key: &mut String, amount: &mut String) {
    key.clear();
    let _ = write!(key, "{}", row.key.display(facts));
    amount.clear();
    let _ = write!(amount, "{}", row.amount.get());
}

/// `org_id,minimum_fen,registered_capital_fen,ok`, by org id.
pub fn registration_checks_csv<W: io::Write>(e: &Evaluation, w: W) -> csv::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record(["org_id", "minimum_fen", "registered_capital_fen", "ok"])?;
    for c in &e.result.registration_checks {
        out.write_record([
            e.facts.org_id(c.org),
            &c.check.minimum.get().to_string(),
            &c.capital.get().to_string(),
            if c.check.ok { "1" } else { "0" },
        ])?;
    }
    out.flush()?;
    Ok(())
}

/// A JSON object whose keys keep their insertion order.
struct Ordered<T>(Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

#[derive(Serialize)]
struct Sum {
    total_fen: i64,
    rows: u64,
}

#[derive(Serialize)]
struct RuleJson {
    total_fen: i64,
    rows: u64,
    by_year: Ordered<Sum>,
}

#[derive(Serialize)]
struct WindowJson {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct R1Json {
    checked: u64,
    below_minimum: u64,
}

#[derive(Serialize)]
struct TotalsJson {
    contract_version: u32,
    policy_version: String,
    /// The bundle generator's fields; an engine does not know them.
    generator_version: Option<u32>,
    seed: Option<u64>,
    n_organisations: usize,
    n_people: usize,
    input_rows: Ordered<u64>,
    window: WindowJson,
    rules: Ordered<RuleJson>,
    all_rules: Sum,
    #[serde(rename = "R1_registration_check")]
    r1: R1Json,
}

/// `totals.json` in the contract's shape (keys in its order, one-space
/// indent as the reference files use).
pub fn totals_json<W: io::Write>(e: &Evaluation, w: W) -> serde_json::Result<()> {
    let t = e.result.totals(&e.facts);
    let window = e.result.window;
    let versions: Vec<&str> = e
        .policy
        .versions()
        .iter()
        .filter(|v| v.period_from <= window.to && window.from <= v.period_to)
        .map(|v| v.version)
        .collect();
    let json = TotalsJson {
        contract_version: 1,
        policy_version: versions.join("+"),
        generator_version: None,
        seed: None,
        n_organisations: e.facts.org_count(),
        n_people: e.facts.person_count(),
        input_rows: Ordered(
            e.input_rows
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        ),
        window: WindowJson {
            from: window.from.to_string(),
            to: window.to.to_string(),
        },
        rules: Ordered(
            t.rules
                .iter()
                .map(|r| {
                    (
                        r.rule.code().to_string(),
                        RuleJson {
                            total_fen: r.all.total.get(),
                            rows: r.all.rows,
                            by_year: Ordered(
                                r.by_year
                                    .iter()
                                    .map(|(y, s)| {
                                        (
                                            y.to_string(),
                                            Sum {
                                                total_fen: s.total.get(),
                                                rows: s.rows,
                                            },
                                        )
                                    })
                                    .collect(),
                            ),
                        },
                    )
                })
                .collect(),
        ),
        all_rules: Sum {
            total_fen: t.all.total.get(),
            rows: t.all.rows,
        },
        r1: R1Json {
            checked: t.registration_checked,
            below_minimum: t.registration_below_minimum,
        },
    };
    let mut w = w;
    let mut ser = serde_json::Serializer::with_formatter(
        &mut w,
        serde_json::ser::PrettyFormatter::with_indent(b" "),
    );
    json.serialize(&mut ser)?;
    w.write_all(b"\n").map_err(serde_json::Error::io)?;
    Ok(())
}

/// The rows with an `explanation` column (the Chinese sentence), for the
/// database path: `rule,beneficiary_kind,beneficiary_id,event_key,amount_fen,explanation`.
pub fn explained_csv<W: io::Write>(e: &Evaluation, w: W) -> csv::Result<()> {
    let mut out = csv::WriterBuilder::new().from_writer(w);
    out.write_record([
        "rule",
        "beneficiary_kind",
        "beneficiary_id",
        "event_key",
        "amount_fen",
        "explanation",
    ])?;
    for (row, x) in explained(e) {
        out.write_record([
            row.rule.code(),
            row.rule.beneficiary_kind().code(),
            &x.beneficiary_id,
            &x.event_key,
            &row.amount.get().to_string(),
            &x.text,
        ])?;
    }
    out.flush()?;
    Ok(())
}

#[derive(Serialize)]
struct FactJson<'a> {
    code: &'a str,
    label: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct ParamJson<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct ExplanationJson<'a> {
    clause: &'a str,
    version: Option<&'a str>,
    facts: Vec<FactJson<'a>>,
    params: Vec<ParamJson<'a>>,
    arithmetic: Option<&'a str>,
    text: &'a str,
}

#[derive(Serialize)]
struct ExplainedRowJson<'a> {
    rule: &'a str,
    beneficiary_kind: &'a str,
    beneficiary_id: &'a str,
    event_key: &'a str,
    amount_fen: i64,
    explanation: ExplanationJson<'a>,
}

/// The same rows as JSON Lines, one object per row, with the explanation's
/// structured parts (codes, parameter names and values, arithmetic, text).
pub fn explained_jsonl<W: io::Write>(e: &Evaluation, mut w: W) -> io::Result<()> {
    for (row, x) in explained(e) {
        let j = ExplainedRowJson {
            rule: row.rule.code(),
            beneficiary_kind: row.rule.beneficiary_kind().code(),
            beneficiary_id: &x.beneficiary_id,
            event_key: &x.event_key,
            amount_fen: row.amount.get(),
            explanation: explanation_json(&x),
        };
        serde_json::to_writer(&mut w, &j).map_err(io::Error::other)?;
        w.write_all(b"\n")?;
    }
    Ok(())
}

fn explanation_json(x: &Explanation) -> ExplanationJson<'_> {
    ExplanationJson {
        clause: x.clause,
        version: x.version,
        facts: x
            .facts
            .iter()
            .map(|f| FactJson {
                code: f.code,
                label: f.label,
                value: &f.value,
            })
            .collect(),
        params: x
            .params
            .iter()
            .map(|p| ParamJson {
                name: p.name,
                value: &p.value,
            })
            .collect(),
        arithmetic: x.arithmetic.as_deref(),
        text: &x.text,
    }
}

/// Each row with its explanation, rendered one at a time.
fn explained(e: &Evaluation) -> impl Iterator<Item = (Entitlement, Explanation)> + '_ {
    gongyi_domain::policy::evaluate_with_basis(&e.facts, &e.policy, e.result.window)
        .into_iter()
        .map(move |(row, basis)| (row, explain_with_basis(&e.facts, &e.policy, &row, basis)))
}
