//! A bundle reads the same whether its files are plain csv or gzipped (the
//! repository keeps `n10000` gzipped; an operator's directory is plain).

use chrono::NaiveDate;
use flate2::write::GzEncoder;
use gongyi_vectors::{evaluate_dir, read::TABLES, write, Error};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// A small bundle: one organisation with a lease and a rating, one person.
fn tables() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = TABLES
        .iter()
        .map(|(t, cols)| (format!("{t}.csv"), format!("{}\n", cols.join(","))))
        .collect();
    let rows = [
        (
            "organisations.csv",
            "O0000001,52310110MJ85999855,某中心,PRIVATE_NON_ENTERPRISE,1,0,2022-03-01,,6000000,1",
        ),
        ("leases.csv", "O0000001,2022-04,60000"),
        ("ratings.csv", "O0000001,4A,2023-05-10"),
        ("people.csv", "P00000001,ASSISTANT,2020-01-01,2019-01-01"),
    ];
    for (file, row) in rows {
        if let Some(f) = files.iter_mut().find(|f| f.0 == file) {
            f.1.push_str(row);
            f.1.push('\n');
        }
    }
    files
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "gongyi-vectors-compressed-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write_plain(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("write");
}

fn write_gz(dir: &Path, name: &str, text: &str) {
    let file = std::fs::File::create(dir.join(format!("{name}.gz"))).expect("create");
    let mut gz = GzEncoder::new(file, flate2::Compression::default());
    gz.write_all(text.as_bytes()).expect("write");
    gz.finish().expect("finish");
}

fn entitlements(dir: &Path) -> String {
    let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
    let e = evaluate_dir(dir, d("2021-07-21"), d("2025-12-31")).expect("bundle reads");
    let mut out = Vec::new();
    write::entitlements_csv(&e, &mut out).expect("write");
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn a_gzipped_bundle_reads_as_the_same_facts_as_a_plain_one() {
    let plain = scratch("plain");
    let mixed = scratch("mixed");
    for (i, (name, text)) in tables().iter().enumerate() {
        write_plain(&plain, name, text);
        // Every other file gzipped: each table may be kept either way.
        if i % 2 == 0 {
            write_gz(&mixed, name, text);
        } else {
            write_plain(&mixed, name, text);
        }
    }
    let want = entitlements(&plain);
    assert!(
        want.lines().count() > 2,
        "the bundle pays something:\n{want}"
    );
    assert_eq!(entitlements(&mixed), want);
    let _ = std::fs::remove_dir_all(&plain);
    let _ = std::fs::remove_dir_all(&mixed);
}

#[test]
fn a_missing_table_is_named_by_its_plain_file() {
    let dir = scratch("missing");
    for (name, text) in tables() {
        if name != "leases.csv" {
            write_gz(&dir, &name, &text);
        }
    }
    let err = gongyi_vectors::read_bundle(&dir).expect_err("leases are missing");
    assert!(matches!(err, Error::Io { .. }), "{err}");
    let message = err.to_string();
    assert!(message.contains("leases.csv: "), "{message}");
    let _ = std::fs::remove_dir_all(&dir);
}
