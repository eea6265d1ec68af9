//! The policy report's writers: each format carries every row with its
//! explanation, csv and xlsx neutralise formula starters, and the JSON
//! document holds the totals in the contract's shape.

#![allow(
    clippy::unwrap_used,
    reason = "a test should fail loudly on an unexpected error"
)]

mod common;

use common::{cells, strings};
use gongyi_domain::policy::{
    Entitlement, EventKey, Explanation, FactLine, FactsBuilder, ParamLine, Policy, Rule, Totals,
    Window, YearMonth,
};
use gongyi_domain::Fen;
use gongyi_interchange::policy::{
    write_csv, write_json, write_jsonl, write_xlsx, TotalsDocument, HEADERS,
};
use gongyi_interchange::{read_table, ReadOptions};

fn row(month: u32, amount: i64, id: &str, text: &str) -> (Entitlement, Explanation) {
    let key = YearMonth::new(2024, month).unwrap();
    let e = Entitlement {
        amount: Fen(amount),
        beneficiary: 0,
        key: EventKey::Month(key),
        rule: Rule::R3,
    };
    let x = Explanation {
        rule: Rule::R3,
        clause: Rule::R3.clause(),
        version: Some("yangpu-2021"),
        beneficiary_id: id.to_string(),
        event_key: key.to_string(),
        amount: Some(e.amount),
        refusal: None,
        facts: vec![FactLine {
            code: "rent_paid",
            label: "实付房租",
            value: "3564.00 元".into(),
        }],
        params: vec![ParamLine {
            name: "rent.monthly_cap",
            value: "500.00".into(),
        }],
        arithmetic: Some("min(3564.00, 500.00) = 500.00".into()),
        text: text.to_string(),
    };
    (e, x)
}

/// Two ordinary rows and one whose text a spreadsheet would run.
fn rows() -> Vec<(Entitlement, Explanation)> {
    vec![
        row(
            9,
            50000,
            "51310110MJ1878623G",
            "房租补贴(三(一)3) 2024-09: 核定 500.00 元。",
        ),
        row(10, 50000, "51310110MJ1878623G", "含,逗号\"引号\"\n与换行"),
        row(11, 50000, "51310110MJ1878623G", "=HYPERLINK(\"http://x\")"),
    ]
}

#[test]
fn csv_has_the_header_one_line_per_row_and_guards_formulas() {
    let mut out = Vec::new();
    let n = write_csv(&mut out, rows()).unwrap();
    assert_eq!(n, 3);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("rule,beneficiary_kind,beneficiary_id,event_key,amount_fen,explanation\nR3,organisation,51310110MJ1878623G,2024-09,50000,"),
        "{text}"
    );
    assert!(!text.contains('\r'), "\\n line ends: {text:?}");
    assert!(text.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{text}");
    let table = read_table(text.as_bytes(), "report.csv", &ReadOptions::default()).unwrap();
    assert_eq!(table.headers, strings(&HEADERS));
    assert_eq!(table.rows.len(), 3);
    // The importer undoes exactly the guard the writer added.
    assert_eq!(table.rows[2].cells[5], "=HYPERLINK(\"http://x\")");
    assert_eq!(table.rows[1].cells[5], "含,逗号\"引号\"\n与换行");
}

#[test]
fn xlsx_reads_back_as_the_rows() {
    let path = std::env::temp_dir().join(format!("gongyi-policy-{}.xlsx", std::process::id()));
    let n = write_xlsx(&path, rows()).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(n, 3);
    let table = read_table(&bytes, "report.xlsx", &ReadOptions::default()).unwrap();
    assert_eq!(table.headers, strings(&HEADERS));
    let got = cells(&table);
    assert_eq!(
        got[0][..5],
        strings(&[
            "R3",
            "organisation",
            "51310110MJ1878623G",
            "2024-09",
            "50000"
        ])
    );
    assert_eq!(got[2][5], "=HYPERLINK(\"http://x\")");
}

#[test]
fn jsonl_is_one_object_per_line_with_the_explanation_parts() {
    let mut out = Vec::new();
    assert_eq!(write_jsonl(&mut out, rows()).unwrap(), 3);
    let text = String::from_utf8(out).unwrap();
    // The text with a line break stays on its row's line.
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let x = &lines[0]["explanation"];
    assert_eq!(lines[0]["amount_fen"], 50000);
    assert_eq!(x["clause"], Rule::R3.clause());
    assert_eq!(x["facts"][0]["code"], "rent_paid");
    assert_eq!(x["params"][0]["name"], "rent.monthly_cap");
    assert_eq!(lines[1]["explanation"]["text"], "含,逗号\"引号\"\n与换行");
}

#[test]
fn the_json_document_holds_the_totals_and_every_row() {
    let facts = FactsBuilder::new().build().unwrap();
    let window = Window::year(2024);
    let rows = rows();
    let totals = Totals::of(&facts, window, rows.iter().map(|r| r.0), &[]);
    let policy = Policy::yangpu();
    let doc = TotalsDocument {
        policy: &policy,
        window,
        organisations: 1,
        people: 0,
        input_rows: &[("organisations", 1), ("leases", 3)],
        totals: &totals,
    };
    let mut out = Vec::new();
    assert_eq!(write_json(&mut out, &doc, rows).unwrap(), 3);
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with(
            "{\"totals\": {\n \"contract_version\": 1,\n \"policy_version\": \"yangpu-2021\","
        ),
        "{text}"
    );
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["entitlements"].as_array().unwrap().len(), 3);
    assert_eq!(v["totals"]["all_rules"]["rows"], 3);
    assert_eq!(v["totals"]["all_rules"]["total_fen"], 150000);
    assert_eq!(v["totals"]["rules"]["R3"]["by_year"]["2024"]["rows"], 3);
    assert_eq!(v["totals"]["input_rows"]["leases"], 3);
    assert_eq!(v["totals"]["window"]["from"], "2024-01-01");

    // No rows: still one valid document.
    let mut out = Vec::new();
    assert_eq!(write_json(&mut out, &doc, Vec::new()).unwrap(), 0);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(v["entitlements"].as_array().unwrap().is_empty());
}
