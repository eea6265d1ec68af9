//! Helpers shared by the integration tests: building inputs and reading
//! results in a shape that prints well when an assertion fails.

#![allow(dead_code, reason = "each test file uses a different subset")]

use std::io::{Cursor, Read, Write};

use gongyi_interchange::Table;

/// Owned strings from string literals.
pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// The table's rows as `(row number, cells)`, which prints readably.
pub fn numbered(table: &Table) -> Vec<(usize, Vec<String>)> {
    table
        .rows
        .iter()
        .map(|r| (r.number, r.cells.clone()))
        .collect()
}

/// The rows' cells only.
pub fn cells(table: &Table) -> Vec<Vec<String>> {
    table.rows.iter().map(|r| r.cells.clone()).collect()
}

/// One part of a zip (an xlsx) as text.
pub fn zip_part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut part = archive.by_name(name).unwrap();
    let mut text = String::new();
    part.read_to_string(&mut text).unwrap();
    text
}

/// A zip with the given parts, deflated, as an office file would be.
pub fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        writer.start_file(*name, options).unwrap();
        writer.write_all(data).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Deterministic noise, so a failing test fails the same way every time.
pub fn noise(len: usize, mut seed: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 24) as u8
        })
        .collect()
}
