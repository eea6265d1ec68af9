//! A csv record without end (one 40 MB line) is refused after
//! `max_record_bytes`, without being copied into memory whole. Its own test
//! binary, so the process's peak memory is this test's alone.

#![allow(
    clippy::unwrap_used,
    reason = "a test should fail loudly on an unexpected error"
)]

use gongyi_interchange::{read_table, read_table_chunked, ReadError, ReadLimits, ReadOptions};

/// The process's peak resident memory in KiB (Linux), if known.
fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn a_line_longer_than_the_limit_is_refused_with_its_row_and_memory_stays_bounded() {
    let mut text = String::from("名称,代码\n甲,1\n");
    text.push_str(&"x".repeat(40 * 1024 * 1024));
    text.push_str(",2\n");
    let before = peak_kib();
    let r = read_table_chunked(
        text.as_bytes(),
        "big.csv",
        &ReadOptions::default(),
        5_000,
        &mut |_| Ok(()),
    );
    assert_eq!(
        r,
        Err(ReadError::RecordTooLong {
            row: 3,
            limit_bytes: 1024 * 1024
        })
    );
    assert_eq!(r.unwrap_err().code(), "import.record_too_long");
    if let (Some(before), Some(after)) = (before, peak_kib()) {
        assert!(
            after.saturating_sub(before) < 16 * 1024,
            "reading grew the peak by {} KiB",
            after - before
        );
    }
}

#[test]
fn records_up_to_the_limit_read_and_the_limit_is_configurable() {
    let cell = "y".repeat(900 * 1024);
    let text = format!("名称,备注\n甲,\"{cell}\nz\"\n乙,短\n");
    let t = read_table(text.as_bytes(), "a.csv", &ReadOptions::default()).unwrap();
    assert_eq!(t.rows.len(), 2);
    assert_eq!(t.rows[1].number, 3, "a break inside quotes starts no row");
    let tight = ReadOptions {
        limits: ReadLimits {
            max_record_bytes: 1024,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    assert!(matches!(
        read_table(text.as_bytes(), "a.csv", &tight),
        Err(ReadError::RecordTooLong { row: 2, .. })
    ));
}
