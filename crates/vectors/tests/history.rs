//! The engine reproduces the hand-worked vectors of `tests/data/history`
//! (qualification upgrades, rating changes; the calculation is in its
//! README) row for row, and the same bundle read without its qualification
//! history loses exactly what the history pays.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_domain::policy::FactsError;
use gongyi_vectors::{evaluate_dir, write, Error};
use std::path::{Path, PathBuf};

fn bundle() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/history")
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn rows(dir: &Path) -> Vec<String> {
    let e = evaluate_dir(dir, d("2021-07-21"), d("2025-12-31"))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut out = Vec::new();
    write::entitlements_csv(&e, &mut out).unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn file_lines(dir: &Path, name: &str) -> Vec<String> {
    std::fs::read_to_string(dir.join(name))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

/// The bundle copied to a scratch folder with `edit` applied to its files.
fn variant(name: &str, edit: impl Fn(&Path)) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongyi-history-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in std::fs::read_dir(bundle()).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
    }
    edit(&dir);
    dir
}

#[test]
fn the_hand_worked_history_vectors_are_reproduced_row_for_row() {
    let got = rows(&bundle());
    let want = file_lines(&bundle(), "entitlements.csv");
    assert_eq!(got, want, "got:\n{}", got.join("\n"));
    let e = evaluate_dir(&bundle(), d("2021-07-21"), d("2025-12-31")).unwrap();
    let totals = e.result.totals(&e.facts);
    assert_eq!(
        (totals.all.total.get(), totals.all.rows),
        (16_250_000, 24),
        "the README's totals"
    );
    assert!(e.result.registration_checks.is_empty());
    // The table was read and counted after people.
    assert!(e
        .input_rows
        .iter()
        .any(|(t, n)| *t == "qualifications" && *n == 9));
}

#[test]
fn without_the_history_only_the_highest_qualification_is_read_and_the_upgrades_lose_their_months() {
    let dir = variant("highest", |dir| {
        std::fs::remove_file(dir.join("qualifications.csv")).unwrap();
    });
    let got = rows(&dir);
    let want = file_lines(&bundle(), "entitlements.csv");
    let lost: Vec<&String> = want.iter().filter(|r| !got.contains(r)).collect();
    let gained: Vec<&String> = got.iter().filter(|r| !want.contains(r)).collect();
    // Before the upgrade the assistant months go unpaid; the 2023 tie-break
    // reads the current qualification's date, so P00000003 wins instead of
    // P00000002.
    let expect_lost = [
        "R9,person,P00000001,2022-12,100000",
        "R9,person,P00000001,2023-01,120000",
        "R9,person,P00000001,2023-02,120000",
        "R9,person,P00000001,2024-07,100000",
        "R9,person,P00000001,2024-08,100000",
        "R9,person,P00000001,2024-09,100000",
        "R9,person,P00000001,2024-10,100000",
        "R9,person,P00000001,2024-11,100000",
        "R9,person,P00000005,2023-10,100000",
        "R9,person,P00000005,2024-12,90000",
        "R10,person,P00000002,2023,500000",
    ];
    assert_eq!(lost, expect_lost.iter().collect::<Vec<_>>());
    assert_eq!(gained, ["R10,person,P00000003,2023,500000"]);
}

#[test]
fn a_stated_qualification_that_is_not_the_highest_of_the_history_is_refused() {
    let dir = variant("mismatch", |dir| {
        let people = std::fs::read_to_string(dir.join("people.csv"))
            .unwrap()
            .replace(
                "P00000001,INTERMEDIATE,2024-11-09",
                "P00000001,ASSISTANT,2012-05-01",
            );
        std::fs::write(dir.join("people.csv"), people).unwrap();
    });
    let e = evaluate_dir(&dir, d("2021-07-21"), d("2025-12-31")).unwrap_err();
    assert!(
        matches!(&e, Error::Facts(FactsError::QualificationMismatch(p)) if p == "P00000001"),
        "{e}"
    );
    let dup = variant("duplicate", |dir| {
        let mut q = std::fs::read_to_string(dir.join("qualifications.csv")).unwrap();
        q.push_str("P00000001,ASSISTANT,2013-01-01\n");
        std::fs::write(dir.join("qualifications.csv"), q).unwrap();
    });
    let e = evaluate_dir(&dup, d("2021-07-21"), d("2025-12-31")).unwrap_err();
    assert!(
        matches!(&e, Error::Duplicate { file, first: 1, second: 10 } if file == "qualifications.csv"),
        "{e}"
    );
}
