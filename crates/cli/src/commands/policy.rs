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
//! - `load-facts DIR`: merges a bundle into the registry, all or nothing
//!   (organisations matched by credit code, people by resident ID).

use super::{progress_bar, CliError};
use crate::config::Config;
use chrono::NaiveDate;
use gongyi_app::policy::{self, Simulation};
use gongyi_app::policy_bundle;
use gongyi_domain::policy::{Totals, Window};
use gongyi_domain::Fen;
use gongyi_interchange::policy::{write_csv, write_json, write_xlsx};
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
    /// Merge a test-vector bundle (CONTRACT.md) into the database, all or nothing.
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
    let report = registry.policy_report(w, &sets).await?;
    tracing::info!(
        organisations = report.organisations(),
        people = report.people(),
        rows = report.len(),
        seconds = started.elapsed().as_secs_f64(),
        "policy evaluated"
    );
    print_totals(report.totals(), w);
    match a.format {
        Format::Csv => with_output(a.output.as_deref(), |out| {
            write_csv(out, report.rows()).map(drop)
        }),
        Format::Json => with_output(a.output.as_deref(), |out| {
            write_json(out, &report.totals_document(), report.rows()).map(drop)
        }),
        Format::Xlsx => {
            let path = a
                .output
                .as_deref()
                .ok_or_else(|| CliError("xlsx 格式需要 --output 文件名".into()))?;
            write_xlsx(path, report.rows())
                .map(drop)
                .map_err(|e| CliError(format!("{}: {e}", path.display())))
        }
    }
}

/// Runs `f` on a buffered `path`, or on standard output.
fn with_output(
    path: Option<&Path>,
    f: impl FnOnce(&mut dyn Write) -> io::Result<()>,
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
    let e = policy_bundle::evaluate_bundle(dir, w, sets)?;
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
    let bar = progress_bar(0, "写入测试向量");
    let (_, c) = registry
        .merge_vectors_bundle(&a.dir, &|done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .await?;
    bar.finish_and_clear();
    eprintln!(
        "社会组织:新增 {} 家,已登记 {} 家;人员:新增 {} 名,已登记 {} 名;\
         扶持相关记录:新增 {} 条,已有记录保留 {} 条",
        c.orgs_added, c.orgs_matched, c.people_added, c.people_matched, c.facts_added, c.facts_kept
    );
    Ok(())
}
