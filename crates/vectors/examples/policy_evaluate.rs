//! Evaluates a facts bundle and writes the contract's outputs:
//! `cargo run -p gongyi-vectors --example policy_evaluate -- DIR FROM TO OUT`.
//! (Rows with explanations: `gongyi policy evaluate`.)

use chrono::NaiveDate;
use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, from, to, out] = args.as_slice() else {
        eprintln!("usage: policy_evaluate DIR FROM TO OUT");
        return ExitCode::FAILURE;
    };
    let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d");
    let (Ok(from), Ok(to)) = (date(from), date(to)) else {
        eprintln!("dates must be YYYY-MM-DD");
        return ExitCode::FAILURE;
    };
    let out = PathBuf::from(out);
    let run = || -> Result<(), gongyi_vectors::Error> {
        let e = gongyi_vectors::evaluate_dir(&PathBuf::from(dir), from, to)?;
        e.write_outputs(&out)?;
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
