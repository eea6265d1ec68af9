//! Writes the engine's outputs (CONTRACT.md, "Outputs"): `entitlements.csv`,
//! `registration_checks.csv` and `totals.json`. The rows with their
//! explanations are the policy report's, written by
//! `gongyi_interchange::policy`.

use crate::Evaluation;
use gongyi_domain::policy::{Entitlement, Facts};
use gongyi_interchange::policy::{write_totals_json, TotalsDocument};
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

/// `totals.json` in the contract's shape (keys in its order, one-space
/// indent as the reference files use); the shape is
/// `gongyi_interchange::policy`'s, which the CLI's JSON report embeds too.
pub fn totals_json<W: io::Write>(e: &Evaluation, w: W) -> serde_json::Result<()> {
    let totals = e.result.totals(&e.facts);
    let doc = TotalsDocument {
        policy: &e.policy,
        window: e.result.window,
        organisations: e.facts.org_count(),
        people: e.facts.person_count(),
        input_rows: &e.input_rows,
        totals: &totals,
    };
    write_totals_json(w, &doc)
}
