//! The policy report's writers: the payments of a window, each with its
//! explanation, as csv, JSON Lines or xlsx, or as one JSON document with the
//! totals; and the totals alone in the shape of `totals.json`
//! (`docs/policies/vectors/CONTRACT.md`), which the vectors crate writes
//! through [`write_totals_json`] too, so that shape has one home.
//!
//! Unlike the rest of this crate these writers know their columns: the
//! report's shape is fixed by the contract and by the scripts that read it.
//! What a row holds is decided by the domain (the rules and their
//! explanations); `gongyi_app::policy` runs the rules once and hands the rows
//! over, rendering each explanation as it is written.
//!
//! The text writers return `io::Result`: their only failures are the
//! output's, and the CLI reports them as it always has.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::Path;

use gongyi_domain::policy::{Entitlement, Explanation, Policy, Totals, Window};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::formula::guard_csv;
use crate::{write_xlsx_to_path, WriteError, XlsxOptions};

/// The columns of every row format.
pub const HEADERS: [&str; 6] = [
    "rule",
    "beneficiary_kind",
    "beneficiary_id",
    "event_key",
    "amount_fen",
    "explanation",
];

/// The worksheet of the xlsx report.
pub const SHEET: &str = "entitlements";

fn cells((row, x): &(Entitlement, Explanation)) -> [Cow<'_, str>; 6] {
    [
        Cow::Borrowed(row.rule.code()),
        Cow::Borrowed(row.rule.beneficiary_kind().code()),
        Cow::Borrowed(&x.beneficiary_id),
        Cow::Borrowed(&x.event_key),
        Cow::Owned(row.amount.get().to_string()),
        Cow::Borrowed(&x.text),
    ]
}

/// The rows under [`HEADERS`] as csv, returning how many were written.
/// `\n` line ends and no BOM, as the command has always written them for
/// scripts; a value a spreadsheet would take for a formula gets a `'` as in
/// every export (rule codes, ids, keys, amounts and sentences never start so).
pub fn write_csv<W: Write>(
    out: W,
    rows: impl IntoIterator<Item = (Entitlement, Explanation)>,
) -> io::Result<u64> {
    let mut w = csv::WriterBuilder::new().from_writer(out);
    w.write_record(HEADERS)?;
    let mut n = 0;
    for row in rows {
        for cell in cells(&row) {
            w.write_field(guard_csv(&cell).as_bytes())?;
        }
        w.write_record(None::<&[u8]>)?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

/// The rows as an xlsx workbook at `path` (one sheet, [`SHEET`]), every
/// value a text cell.
pub fn write_xlsx(
    path: &Path,
    rows: impl IntoIterator<Item = (Entitlement, Explanation)>,
) -> Result<u64, WriteError> {
    let options = XlsxOptions {
        sheet_name: SHEET.into(),
    };
    write_xlsx_to_path(
        path,
        &HEADERS,
        rows.into_iter().map(|r| cells(&r).map(Cow::into_owned)),
        &options,
    )
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
struct RowJson<'a> {
    rule: &'a str,
    beneficiary_kind: &'a str,
    beneficiary_id: &'a str,
    event_key: &'a str,
    amount_fen: i64,
    explanation: ExplanationJson<'a>,
}

/// One row as a JSON object on one line (serde_json escapes newlines in
/// strings, so a row never spans lines).
fn row_json<W: Write>(out: &mut W, (row, x): &(Entitlement, Explanation)) -> io::Result<()> {
    let j = RowJson {
        rule: row.rule.code(),
        beneficiary_kind: row.rule.beneficiary_kind().code(),
        beneficiary_id: &x.beneficiary_id,
        event_key: &x.event_key,
        amount_fen: row.amount.get(),
        explanation: ExplanationJson {
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
        },
    };
    serde_json::to_writer(&mut *out, &j)?;
    out.write_all(b"\n")
}

/// The rows as JSON Lines, one object per row with the explanation's parts
/// (fact codes, parameter names and values, arithmetic, text).
pub fn write_jsonl<W: Write>(
    mut out: W,
    rows: impl IntoIterator<Item = (Entitlement, Explanation)>,
) -> io::Result<u64> {
    let mut n = 0;
    for row in rows {
        row_json(&mut out, &row)?;
        n += 1;
    }
    out.flush()?;
    Ok(n)
}

/// `{"totals": <totals.json>, "entitlements": [<one row per line>]}`: the
/// figures and the rows in one document.
pub fn write_json<W: Write>(
    mut out: W,
    totals: &TotalsDocument<'_>,
    rows: impl IntoIterator<Item = (Entitlement, Explanation)>,
) -> io::Result<u64> {
    out.write_all(b"{\"totals\": ")?;
    write_totals_json(&mut out, totals)?;
    out.write_all(b", \"entitlements\": [\n")?;
    let mut n = 0;
    for row in rows {
        if n > 0 {
            out.write_all(b",")?;
        }
        row_json(&mut out, &row)?;
        n += 1;
    }
    out.write_all(b"]}\n")?;
    out.flush()?;
    Ok(n)
}

/// What `totals.json` states: the totals of a window with what they were
/// computed from.
#[derive(Debug, Clone, Copy)]
pub struct TotalsDocument<'a> {
    pub policy: &'a Policy,
    pub window: Window,
    pub organisations: usize,
    pub people: usize,
    /// Rows read per input table, in the contract's order.
    pub input_rows: &'a [(&'static str, u64)],
    pub totals: &'a Totals,
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

/// `totals.json` in the contract's shape: keys in its order, one-space
/// indent as the reference files use, a final newline.
pub fn write_totals_json<W: Write>(mut w: W, d: &TotalsDocument<'_>) -> serde_json::Result<()> {
    let window = d.window;
    // The versions whose period meets the window, e.g. `yangpu-2021`.
    let versions: Vec<&str> = d
        .policy
        .versions()
        .iter()
        .filter(|v| v.period_from <= window.to && window.from <= v.period_to)
        .map(|v| v.version)
        .collect();
    let sum = |s: &gongyi_domain::policy::YearTotal| Sum {
        total_fen: s.total.get(),
        rows: s.rows,
    };
    let json = TotalsJson {
        contract_version: 1,
        policy_version: versions.join("+"),
        generator_version: None,
        seed: None,
        n_organisations: d.organisations,
        n_people: d.people,
        input_rows: Ordered(
            d.input_rows
                .iter()
                .map(|(k, v)| (k.to_string(), *v))
                .collect(),
        ),
        window: WindowJson {
            from: window.from.to_string(),
            to: window.to.to_string(),
        },
        rules: Ordered(
            d.totals
                .rules
                .iter()
                .map(|r| {
                    let by_year = r.by_year.iter().map(|(y, s)| (y.to_string(), sum(s)));
                    let rule = RuleJson {
                        total_fen: r.all.total.get(),
                        rows: r.all.rows,
                        by_year: Ordered(by_year.collect()),
                    };
                    (r.rule.code().to_string(), rule)
                })
                .collect(),
        ),
        all_rules: sum(&d.totals.all),
        r1: R1Json {
            checked: d.totals.registration_checked,
            below_minimum: d.totals.registration_below_minimum,
        },
    };
    let mut ser = serde_json::Serializer::with_formatter(
        &mut w,
        serde_json::ser::PrettyFormatter::with_indent(b" "),
    );
    json.serialize(&mut ser)?;
    w.write_all(b"\n").map_err(serde_json::Error::io)?;
    Ok(())
}
