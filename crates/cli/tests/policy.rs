//! `gongyi policy` end to end through the binary: the vectors bundle
//! straight from files reproduces the contract's outputs byte for byte, and
//! the database path writes explained rows with totals, simulates and lists
//! parameters (SQLite; the database paths are checked on both backends in
//! the app's and the web's tests).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::Command;

fn bundle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/policies/vectors/n10000")
}

/// A file of the bundle, whether it is kept plain or gzipped.
fn bundle_file(name: &str) -> Vec<u8> {
    let (_, mut input) = gongyi_vectors::read::open(&bundle_dir(), name).unwrap();
    let mut bytes = Vec::new();
    input.read_to_end(&mut bytes).unwrap();
    bytes
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongyi-cli-policy-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `gongyi ARGS…`; panics with its output unless it succeeds.
fn gongyi(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_gongyi"))
        .args(args)
        .env("GONGYI_LOG", "warn")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "gongyi {args:?} failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    (stdout, stderr)
}

fn same_as_bundle(written: &Path, name: &str) {
    let x = std::fs::read(written).unwrap();
    assert!(
        x == bundle_file(name),
        "{} differs from the bundle's {name}",
        written.display()
    );
}

#[test]
fn evaluating_a_bundle_from_files_writes_the_contract_outputs() {
    let out = scratch("facts");
    let out_s = out.to_str().unwrap();
    let bundle = bundle_dir();
    let (_, stderr) = gongyi(&[
        "policy",
        "evaluate",
        "--facts",
        bundle.to_str().unwrap(),
        "--from",
        "2021-07-21",
        "--to",
        "2025-12-31",
        "--output",
        out_s,
    ]);
    assert!(stderr.contains("309358"), "totals on stderr:\n{stderr}");
    same_as_bundle(&out.join("entitlements.csv"), "entitlements.csv");
    same_as_bundle(
        &out.join("registration_checks.csv"),
        "registration_checks.csv",
    );
    let got: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("totals.json")).unwrap()).unwrap();
    let want: serde_json::Value = serde_json::from_slice(&bundle_file("totals.json")).unwrap();
    for key in [
        "rules",
        "all_rules",
        "R1_registration_check",
        "input_rows",
        "window",
    ] {
        assert_eq!(got[key], want[key], "totals.json: {key}");
    }
}

#[test]
fn evaluating_simulating_and_listing_from_a_database() {
    let dir = scratch("db");
    let url = format!("sqlite://{}", dir.join("g.db").display());
    gongyi(&["--database", &url, "demo", "--orgs", "300"]);

    let json = dir.join("e.json");
    let (_, stderr) = gongyi(&[
        "--database",
        &url,
        "policy",
        "evaluate",
        "--year",
        "2024",
        "--format",
        "json",
        "--output",
        json.to_str().unwrap(),
    ]);
    assert!(stderr.contains("R3") && stderr.contains("合计"), "{stderr}");
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let rows = v["entitlements"].as_array().unwrap();
    assert_eq!(
        rows.len() as u64,
        v["totals"]["all_rules"]["rows"].as_u64().unwrap()
    );
    assert!(!rows.is_empty(), "demo data pays something in 2024");
    assert!(rows[0]["explanation"]["text"]
        .as_str()
        .unwrap()
        .contains("三("));
    // Organisations by O + table id (a credit code can change), people by
    // P + table id: no resident IDs.
    for r in rows {
        let id = r["beneficiary_id"].as_str().unwrap();
        assert!(
            (id.starts_with('O') && id.len() == 8) || (id.starts_with('P') && id.len() == 9),
            "{id}"
        );
    }

    let (csv, _) = gongyi(&["--database", &url, "policy", "evaluate", "--year", "2024"]);
    assert!(
        csv.starts_with("rule,beneficiary_kind,beneficiary_id,event_key,amount_fen,explanation\n")
    );
    assert_eq!(csv.lines().count() - 1, rows.len());

    let (table, _) = gongyi(&[
        "--database",
        &url,
        "policy",
        "simulate",
        "--year",
        "2024",
        "--set",
        "rent.monthly_cap=800",
    ]);
    assert!(
        table.contains("rent.monthly_cap = 800") && table.contains("R3"),
        "{table}"
    );
    // Simulating changed nothing stored.
    let (again, _) = gongyi(&["--database", &url, "policy", "evaluate", "--year", "2024"]);
    assert_eq!(again, csv);

    let (params, _) = gongyi(&["policy", "params"]);
    assert!(
        params.contains("rent.monthly_cap") && params.contains("三(一)3"),
        "{params}"
    );
}
