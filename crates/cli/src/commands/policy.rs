//! `gongyi policy`: the support rules over the registry or a vectors bundle.
//!
//! - `evaluate --year 2024 --format csv|xlsx|json [--output FILE]`: every
//!   payment with its explanation, totals per rule on standard error (and in
//!   the JSON document);
//! - `evaluate --facts DIR --from … --to … [--output DIR]`: a bundle of
//!   `CONTRACT.md` straight from files, no database, writing
//!   `entitlements.csv`, `registration_checks.csv` and `totals.json`;
//! - `simulate --year 2024 --set rent.monthly_cap=800 …`: in force against
//!   simulated, per rule and sub-district; nothing is stored;
//! - `params`: the parameters of the version in force;
//! - `load-facts DIR`: writes a bundle into an empty registry.

use super::{progress_bar, CliError};
use crate::config::Config;
use chrono::NaiveDate;
use gongyi_app::policy::{self, PolicyRun, Simulation};
use gongyi_domain::policy::{Totals, Window};
use gongyi_domain::Fen;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Compute the entitlements of a year or a window.
    Evaluate(EvaluateArgs),
    /// Compare changed parameters with those in force (writes nothing).
    Simulate(SimulateArgs),
    /// List the parameters of the version in force.
    Params,
    /// Write a test-vector bundle (CONTRACT.md) into an empty database.
    LoadFacts(LoadArgs),
}

#[derive(clap::Args, Debug)]
pub struct WindowArgs {
    /// Calendar year of the events.
    #[arg(long)]
    year: Option<i32>,
    /// First day of the window (YYYY-MM-DD), inclusive.
    #[arg(long)]
    from: Option<NaiveDate>,
    /// Last day of the window (YYYY-MM-DD), inclusive.
    #[arg(long)]
    to: Option<NaiveDate>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

#[derive(clap::Args, Debug)]
pub struct EvaluateArgs {
    #[command(flatten)]
    window: WindowArgs,
    /// Read a vectors bundle from this directory instead of the database.
    #[arg(long)]
    facts: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Output file (a directory with --facts); standard output by default.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Override a parameter of the version in force, e.g. rent.monthly_cap=800.
    #[arg(long = "set")]
    sets: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct SimulateArgs {
    #[command(flatten)]
    window: WindowArgs,
    /// A changed parameter, e.g. rent.monthly_cap=800 (money in yuan); repeatable.
    #[arg(long = "set", required = true)]
    sets: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct LoadArgs {
    /// The bundle's directory (organisations.csv, leases.csv, …).
    dir: PathBuf,
}

pub async fn run(c: Command, cfg: &Config) -> Result<(), CliError> {
    match c {
        Command::Evaluate(a) => evaluate(a, cfg).await,
        Command::Simulate(a) => simulate(a, cfg).await,
        Command::Params => {
            params();
            Ok(())
        }
        Command::LoadFacts(a) => load_facts(a, cfg).await,
    }
}

fn window(w: &WindowArgs) -> Result<Window, CliError> {
    Ok(policy::window_of(w.year, w.from, w.to)?)
}

fn overrides(sets: &[String]) -> Result<Vec<(String, String)>, CliError> {
    sets.iter()
        .map(|s| policy::parse_override(s).map_err(CliError::from))
        .collect()
}

fn io_err(path: &Path) -> impl Fn(io::Error) -> CliError + '_ {
    move |e| CliError(format!("{}: {e}", path.display()))
}

async fn evaluate(a: EvaluateArgs, cfg: &Config) -> Result<(), CliError> {
    let w = window(&a.window)?;
    let sets = overrides(&a.sets)?;
    if let Some(dir) = &a.facts {
        return evaluate_bundle(dir, w, &sets, a.output.as_deref());
    }
    let registry = super::registry(cfg).await?;
    let started = std::time::Instant::now();
    let run = registry.evaluate_policy(w, &sets).await?;
    tracing::info!(
        organisations = run.facts().org_count(),
        people = run.facts().person_count(),
        rows = run.evaluation.len(),
        seconds = started.elapsed().as_secs_f64(),
        "policy evaluated"
    );
    print_totals(&run.totals(), w);
    let e = into_vectors(run);
    match a.format {
        Format::Csv => with_output(a.output.as_deref(), |out| {
            gongyi_vectors::write::explained_csv(&e, out).map_err(|e| CliError(e.to_string()))
        }),
        Format::Json => with_output(a.output.as_deref(), |out| write_json(&e, out)),
        Format::Xlsx => {
            let path = a
                .output
                .as_deref()
                .ok_or_else(|| CliError("xlsx 格式需要 --output 文件名".into()))?;
            write_xlsx(&e, path)
        }
    }
}

/// The registry's evaluation in the shape the vectors writers take.
fn into_vectors(run: PolicyRun) -> gongyi_vectors::Evaluation {
    gongyi_vectors::Evaluation {
        facts: run.data.facts,
        policy: run.policy,
        input_rows: run.data.input_rows,
        result: run.evaluation,
    }
}

fn with_output(
    path: Option<&Path>,
    f: impl FnOnce(&mut dyn Write) -> Result<(), CliError>,
) -> Result<(), CliError> {
    match path {
        Some(p) => {
            let mut out = BufWriter::new(File::create(p).map_err(io_err(p))?);
            f(&mut out)?;
            out.flush().map_err(io_err(p))
        }
        None => {
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            f(&mut out)?;
            out.flush().map_err(CliError::from)
        }
    }
}

/// Turns JSON Lines into the elements of a JSON array: a comma before every
/// line but the first. The explanations' JSON never holds a raw newline.
struct JsonArray<W: Write> {
    inner: W,
    first: bool,
    line_start: bool,
}

impl<W: Write> Write for JsonArray<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        for part in buf.split_inclusive(|&b| b == b'\n') {
            if self.line_start && !part.is_empty() {
                if !self.first {
                    self.inner.write_all(b",")?;
                }
                self.first = false;
                self.line_start = false;
            }
            self.inner.write_all(part)?;
            if part.ends_with(b"\n") {
                self.line_start = true;
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// `{"totals": <totals.json>, "entitlements": [rows with explanations]}`.
fn write_json(e: &gongyi_vectors::Evaluation, out: &mut dyn Write) -> Result<(), CliError> {
    out.write_all(b"{\"totals\": ")?;
    gongyi_vectors::write::totals_json(e, &mut *out).map_err(|e| CliError(e.to_string()))?;
    out.write_all(b", \"entitlements\": [\n")?;
    let mut arr = JsonArray {
        inner: &mut *out,
        first: true,
        line_start: true,
    };
    gongyi_vectors::write::explained_jsonl(e, &mut arr)?;
    out.write_all(b"]}\n")?;
    Ok(())
}

fn write_xlsx(e: &gongyi_vectors::Evaluation, path: &Path) -> Result<(), CliError> {
    let headers = [
        "rule",
        "beneficiary_kind",
        "beneficiary_id",
        "event_key",
        "amount_fen",
        "explanation",
    ];
    let facts = &e.facts;
    let rows = gongyi_domain::policy::evaluate_with_basis(facts, &e.policy, e.result.window)
        .into_iter()
        .map(|(row, basis)| {
            let x = gongyi_domain::policy::explain_with_basis(facts, &e.policy, &row, basis);
            vec![
                row.rule.code().to_string(),
                row.rule.beneficiary_kind().code().to_string(),
                x.beneficiary_id,
                x.event_key,
                row.amount.get().to_string(),
                x.text,
            ]
        });
    let options = gongyi_interchange::write::XlsxOptions {
        sheet_name: "entitlements".into(),
    };
    gongyi_interchange::write::write_xlsx_to_path(path, &headers, rows, &options)
        .map_err(|e| CliError(format!("{}: {e}", path.display())))?;
    Ok(())
}

fn print_totals(t: &Totals, w: Window) {
    eprintln!("{} 至 {} 各项扶持合计:", w.from, w.to);
    eprintln!(
        "{:<5} {:<10} {:>10} {:>18}",
        "规则", "名称", "笔数", "金额(元)"
    );
    for r in &t.rules {
        eprintln!(
            "{:<5} {:<10} {:>10} {:>18}",
            r.rule.code(),
            r.rule.title(),
            r.all.rows,
            r.all.total.to_yuan_string()
        );
    }
    eprintln!(
        "{:<5} {:<10} {:>10} {:>18}",
        "合计",
        "",
        t.all.rows,
        t.all.total.to_yuan_string()
    );
    eprintln!(
        "R1 注册资金核查:{} 家,低于最低限额 {} 家",
        t.registration_checked, t.registration_below_minimum
    );
}

/// A bundle straight from files; the outputs of CONTRACT.md into `out`.
fn evaluate_bundle(
    dir: &Path,
    w: Window,
    sets: &[(String, String)],
    out: Option<&Path>,
) -> Result<(), CliError> {
    let p = policy::policy_with(sets)?;
    let e = gongyi_vectors::evaluate_dir_with(dir, p, w).map_err(|e| CliError(e.to_string()))?;
    let out = out.unwrap_or(Path::new("."));
    std::fs::create_dir_all(out).map_err(io_err(out))?;
    e.write_outputs(out).map_err(|e| CliError(e.to_string()))?;
    print_totals(&e.result.totals(&e.facts), w);
    eprintln!(
        "已写出 {}/entitlements.csv、registration_checks.csv、totals.json",
        out.display()
    );
    Ok(())
}

async fn simulate(a: SimulateArgs, cfg: &Config) -> Result<(), CliError> {
    let w = window(&a.window)?;
    let sets = overrides(&a.sets)?;
    let registry = super::registry(cfg).await?;
    let sim = registry.simulate_policy(w, sets).await?;
    print_simulation(&sim, &mut io::stdout().lock())?;
    Ok(())
}

fn yuan(f: Fen) -> String {
    f.to_yuan_string()
}

fn print_simulation(s: &Simulation, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "模拟期间:{} 至 {}", s.window.from, s.window.to)?;
    for (k, v) in &s.overrides {
        writeln!(out, "调整参数:{k} = {v}")?;
    }
    writeln!(
        out,
        "{:<5} {:<8} {:>16} {:>16} {:>16} {:>8} {:>8}",
        "规则", "街道", "现行(元)", "模拟(元)", "差额(元)", "新增", "减少"
    )?;
    for r in &s.rows {
        let rule = r.rule.map_or("", |x| x.code());
        let sub = r.subdistrict.as_deref().unwrap_or("(合计)");
        writeln!(
            out,
            "{:<5} {:<8} {:>16} {:>16} {:>16} {:>8} {:>8}",
            rule,
            sub,
            yuan(r.base),
            yuan(r.simulated),
            yuan(r.difference()),
            r.gained,
            r.lost
        )?;
    }
    let t = &s.total;
    writeln!(
        out,
        "{:<5} {:<8} {:>16} {:>16} {:>16} {:>8} {:>8}",
        "合计",
        "",
        yuan(t.base),
        yuan(t.simulated),
        yuan(t.difference()),
        t.gained,
        t.lost
    )
}

fn params() {
    let (period, rows) = policy::params_in_force();
    println!("政策版本 {}(执行期 {period})", policy::VERSION_IN_FORCE);
    for r in rows {
        println!(
            "{:<32} {:>16}  {}  {}({})",
            r.name, r.value, r.clause, r.label, r.unit
        );
    }
}

async fn load_facts(a: LoadArgs, cfg: &Config) -> Result<(), CliError> {
    let registry = super::registry(cfg).await?;
    if registry.count_orgs().await? > 0 || registry.people_count().await? > 0 {
        return Err(CliError("数据库中已有数据;测试向量只能写入空数据库".into()));
    }
    let bar = progress_bar(0, "写入测试向量");
    let ids = registry
        .load_vectors_bundle(&a.dir, &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await?;
    bar.finish_and_clear();
    eprintln!(
        "已写入 {} 家社会组织、{} 名人员及其扶持相关记录",
        ids.orgs.len(),
        ids.people.len()
    );
    Ok(())
}
