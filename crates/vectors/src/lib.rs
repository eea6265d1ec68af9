//! Policy test vectors: reads a facts bundle in the CSV format of
//! `docs/policies/vectors/CONTRACT.md` into the domain's facts model,
//! evaluates it, and writes the contract's outputs.
//!
//! This crate owns the contract's file formats only; every rule lives in
//! `gongyi_domain::policy`, and the policy report of the registry (rows with
//! explanations) is written by `gongyi_interchange::policy`. The app reads
//! bundles here for `gongyi policy load-facts` ([`read_bundle`]) and for
//! `gongyi policy evaluate --facts DIR` ([`evaluate_dir_with`], then
//! [`Evaluation::write_outputs`]).

pub mod read;
pub mod write;

use chrono::NaiveDate;
use gongyi_domain::policy::{self, Facts, FactsError, Policy, Window};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

pub use read::{read_bundle, BadCell, Bundle};

/// Why a bundle could not be read or an output not written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Csv { path: PathBuf, source: csv::Error },
    #[error("{path}: {source}")]
    Json {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{file}: the header must be `{expected}`, found `{found}`")]
    Header {
        file: String,
        expected: String,
        found: String,
    },
    #[error("{}", list(.0))]
    BadInput(Vec<BadCell>),
    #[error("{file}: rows {first} and {second} have the same unique key")]
    Duplicate {
        file: String,
        first: u64,
        second: u64,
    },
    #[error("{0}")]
    Facts(FactsError),
}

fn list(cells: &[BadCell]) -> String {
    let mut s = format!("{} bad cell(s)", cells.len());
    if cells.len() >= read::MAX_REPORTED {
        s.push_str(" (stopped listing)");
    }
    for c in cells {
        s.push_str("\n  ");
        s.push_str(&c.to_string());
    }
    s
}

impl Error {
    fn csv(path: &Path, source: csv::Error) -> Error {
        Error::Csv {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// A bundle with its evaluation.
#[derive(Debug)]
pub struct Evaluation {
    pub facts: Facts,
    pub policy: Policy,
    /// Rows per input table, for `totals.json`.
    pub input_rows: Vec<(&'static str, u64)>,
    pub result: policy::Evaluation,
}

/// Reads the bundle in `dir` and evaluates it under the policy versions in
/// code for events dated `from`…`to` (both inclusive).
pub fn evaluate_dir(dir: &Path, from: NaiveDate, to: NaiveDate) -> Result<Evaluation, Error> {
    evaluate_dir_with(dir, Policy::yangpu(), Window::new(from, to))
}

/// As [`evaluate_dir`] under a given (e.g. what-if) policy.
pub fn evaluate_dir_with(dir: &Path, policy: Policy, window: Window) -> Result<Evaluation, Error> {
    let bundle = read_bundle(dir)?;
    let result = policy::evaluate(&bundle.facts, &policy, window);
    Ok(Evaluation {
        facts: bundle.facts,
        policy,
        input_rows: bundle.input_rows,
        result,
    })
}

impl Evaluation {
    /// Writes `entitlements.csv`, `registration_checks.csv` and
    /// `totals.json` into `dir` (which must exist).
    pub fn write_outputs(&self, dir: &Path) -> Result<(), Error> {
        let csv_out = |name: &str, f: fn(&Evaluation, BufWriter<File>) -> csv::Result<()>| {
            let path = dir.join(name);
            let file = create(&path)?;
            f(self, BufWriter::new(file)).map_err(|e| Error::csv(&path, e))
        };
        csv_out("entitlements.csv", write::entitlements_csv)?;
        csv_out("registration_checks.csv", write::registration_checks_csv)?;
        let path = dir.join("totals.json");
        write::totals_json(self, BufWriter::new(create(&path)?))
            .map_err(|source| Error::Json { path, source })
    }
}

fn create(path: &Path) -> Result<File, Error> {
    File::create(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}
