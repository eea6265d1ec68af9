//! Compression bombs: workbooks that unpack to far more than they weigh are
//! refused quickly, before calamine parses anything, whether they declare
//! their size honestly or lie about it.

#![allow(
    clippy::unwrap_used,
    reason = "a test should fail loudly on an unexpected error"
)]

mod common;

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use gongyi_interchange::{read_table, ReadError, ReadLimits, ReadOptions};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const MIB: usize = 1024 * 1024;
const WORKBOOK: &[u8] = br#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="Sheet1" sheetId="1"/></sheets></workbook>"#;

/// An "xlsx" whose sheet1.xml is `mib` MiB of zeros, compressed at `level`.
/// The zeros are streamed in 1 MiB chunks, so the test never holds them all.
fn zeros_bomb(mib: usize, level: i64) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(level));
    writer.start_file("xl/workbook.xml", options).unwrap();
    writer.write_all(WORKBOOK).unwrap();
    writer
        .start_file("xl/worksheets/sheet1.xml", options)
        .unwrap();
    let chunk = vec![b'0'; MIB];
    for _ in 0..mib {
        writer.write_all(&chunk).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Reads `bytes` and returns the error and how long the refusal took.
fn refuse(bytes: &[u8]) -> (ReadError, Duration) {
    let started = Instant::now();
    let err = read_table(bytes, "bomb.xlsx", &ReadOptions::default()).unwrap_err();
    (err, started.elapsed())
}

#[test]
fn a_workbook_declaring_hundreds_of_mib_is_refused_quickly() {
    let bomb = zeros_bomb(300, 1);
    assert!(
        bomb.len() < 5 * MIB,
        "the bomb should be small, it is {} bytes",
        bomb.len()
    );
    let (err, took) = refuse(&bomb);
    assert_eq!(err.code(), "import.suspicious_compression", "saw {err:?}");
    assert!(err.to_string().contains("解压后超过 200 MiB"), "saw {err}");
    assert!(took < Duration::from_secs(1), "refusal took {took:?}");
}

#[test]
fn a_part_with_an_absurd_compression_ratio_is_refused_under_the_size_limit() {
    let bomb = zeros_bomb(20, 9);
    let (err, took) = refuse(&bomb);
    assert_eq!(err.code(), "import.suspicious_compression", "saw {err:?}");
    assert!(err.to_string().contains("压缩比"), "saw {err}");
    assert!(took < Duration::from_secs(1), "refusal took {took:?}");
}

/// Overwrites the uncompressed size that the zip records for `name`, both in
/// its local header and in the central directory.
fn lie_about_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let (size_at, name_len_at, name_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (at + 22, at + 26, at + 30),
            b"PK\x01\x02" => (at + 24, at + 28, at + 46),
            _ => continue,
        };
        let name_len = u16::from_le_bytes([zip[name_len_at], zip[name_len_at + 1]]) as usize;
        if zip.get(name_at..name_at + name_len) == Some(name.as_bytes()) {
            zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(
        patched, 2,
        "expected a local and a central header for {name}"
    );
}

#[test]
fn a_part_that_unpacks_to_more_than_it_declares_is_refused() {
    let mut bomb = zeros_bomb(30, 9);
    // Declared 1 MiB: small enough to pass the size and ratio checks.
    lie_about_size(&mut bomb, "xl/worksheets/sheet1.xml", MIB as u32);
    let (err, took) = refuse(&bomb);
    assert_eq!(err.code(), "import.suspicious_compression", "saw {err:?}");
    assert!(err.to_string().contains("比声明的"), "saw {err}");
    assert!(took < Duration::from_secs(2), "refusal took {took:?}");
}

#[test]
fn the_uncompressed_limit_is_configurable() {
    let workbook = zeros_bomb(2, 6);
    let strict = ReadOptions {
        limits: ReadLimits {
            max_uncompressed_bytes: MIB as u64,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let err = read_table(&workbook, "a.xlsx", &strict).unwrap_err();
    assert_eq!(
        err,
        ReadError::SuspiciousCompression {
            reason: "解压后超过 1 MiB".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "文件的压缩内容异常(解压后超过 1 MiB),为安全起见已拒绝读取"
    );
}

#[test]
fn a_zip_with_too_many_parts_is_refused() {
    let names: Vec<String> = (0..30).map(|i| format!("xl/part{i}.xml")).collect();
    let mut parts: Vec<(&str, &[u8])> = vec![("xl/workbook.xml", WORKBOOK)];
    parts.extend(names.iter().map(|n| (n.as_str(), &b"<x/>"[..])));
    let zip = common::zip_of(&parts);
    let options = ReadOptions {
        limits: ReadLimits {
            max_zip_entries: 10,
            ..ReadLimits::default()
        },
        ..ReadOptions::default()
    };
    let err = read_table(&zip, "a.xlsx", &options).unwrap_err();
    assert_eq!(err.code(), "import.suspicious_compression", "saw {err:?}");
}
