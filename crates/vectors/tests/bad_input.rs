//! A bundle with bad input is refused with errors that name the file, the
//! data row and the column.

use gongyi_vectors::{read_bundle, Error};
use std::path::{Path, PathBuf};

/// A minimal valid bundle in a fresh directory; `edit` changes files first.
fn bundle(name: &str, edit: impl FnOnce(&mut Vec<(String, String)>)) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongyi-vectors-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let mut files: Vec<(String, String)> = gongyi_vectors::read::TABLES
        .iter()
        .map(|(t, cols)| (format!("{t}.csv"), format!("{}\n", cols.join(","))))
        .collect();
    let add = |files: &mut Vec<(String, String)>, file: &str, row: &str| {
        if let Some(f) = files.iter_mut().find(|f| f.0 == file) {
            f.1.push_str(row);
            f.1.push('\n');
        }
    };
    add(
        &mut files,
        "organisations.csv",
        "O0000001,52310110MJ85999855,某中心,PRIVATE_NON_ENTERPRISE,1,0,2022-03-01,,6000000,1",
    );
    add(
        &mut files,
        "people.csv",
        "P00000001,ASSISTANT,2020-01-01,2019-01-01",
    );
    add(&mut files, "leases.csv", "O0000001,2022-04,60000");
    edit(&mut files);
    for (f, text) in &files {
        std::fs::write(dir.join(f), text).expect("write");
    }
    dir
}

fn set_row(files: &mut [(String, String)], file: &str, row: &str) {
    if let Some(f) = files.iter_mut().find(|f| f.0 == file) {
        let header = f.1.lines().next().unwrap_or("").to_string();
        f.1 = format!("{header}\n{row}\n");
    }
}

fn read(dir: &Path) -> Result<gongyi_vectors::Bundle, Error> {
    let r = read_bundle(dir);
    let _ = std::fs::remove_dir_all(dir);
    r
}

#[test]
fn a_valid_minimal_bundle_is_read() {
    let b = read(&bundle("ok", |_| {})).expect("valid");
    assert_eq!(b.facts.org_count(), 1);
    assert_eq!(b.facts.person_count(), 1);
    assert_eq!(b.input_rows.len(), 13);
}

#[test]
fn bad_cells_are_all_reported_with_file_row_and_column() {
    let dir = bundle("cells", |f| {
        set_row(
            f,
            "leases.csv",
            "O0000001,2022-13,60000\nO0000001,2022-05,-1\nO9999999,2022-06,1",
        );
        set_row(f, "supervisor_reviews.csv", "P00000001,2023,97.55,10");
    });
    let Err(Error::BadInput(cells)) = read(&dir) else {
        panic!("expected bad cells");
    };
    let got: Vec<(String, u64, String)> = cells
        .iter()
        .map(|c| (c.file.clone(), c.row, c.column.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("leases.csv".to_string(), 1, "month".to_string()),
            ("leases.csv".to_string(), 2, "rent_paid_fen".to_string()),
            ("leases.csv".to_string(), 3, "org_id".to_string()),
            ("supervisor_reviews.csv".to_string(), 1, "score".to_string()),
        ]
    );
    let text = Error::BadInput(cells).to_string();
    assert!(
        text.contains("leases.csv, row 3, column org_id: “O9999999”"),
        "{text}"
    );
}

#[test]
fn a_wrong_header_names_the_file_and_both_headers() {
    let dir = bundle("header", |f| {
        if let Some(x) = f.iter_mut().find(|x| x.0 == "ratings.csv") {
            x.1 = "org_id,date,level\n".into();
        }
    });
    let err = read(&dir).expect_err("wrong header");
    assert!(
        matches!(err, Error::Header { ref file, .. } if file == "ratings.csv"),
        "{err}"
    );
}

#[test]
fn a_repeated_unique_key_names_both_rows() {
    let dir = bundle("dup", |f| {
        set_row(
            f,
            "annual_inspections.csv",
            "O0000001,2022,QUALIFIED,2023-05-01\nO0000001,2023,QUALIFIED,2024-05-01\nO0000001,2022,UNQUALIFIED,2023-06-01",
        );
    });
    let err = read(&dir).expect_err("duplicate");
    assert_eq!(
        err.to_string(),
        "annual_inspections.csv: rows 1 and 3 have the same unique key"
    );
}

#[test]
fn a_missing_file_names_its_path() {
    let dir = bundle("missing", |_| {});
    std::fs::remove_file(dir.join("honours.csv")).expect("remove");
    let err = read(&dir).expect_err("missing");
    assert!(err.to_string().contains("honours.csv"), "{err}");
}
