//! `gongyi import KIND FILE` and `gongyi export KIND`: every kind of registry
//! record as xlsx or csv.

use super::{progress_bar, spinner_style, CliError};
use crate::config::Config;
use gongyi_app::transfer::{operator_read_options, CsvSink, ImportError, RecordKind};
use std::io::Write;
use std::path::PathBuf;

fn kind_of(s: &str) -> Result<RecordKind, CliError> {
    RecordKind::parse(s).ok_or_else(|| {
        let all: Vec<&str> = RecordKind::ALL.iter().map(|k| k.name()).collect();
        CliError(format!("未知的记录类型 {s};可选: {}", all.join(", ")))
    })
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// organizations, people, inspections, ratings, honours, credit-entries,
    /// party-building, finances, qualifications, employments, reviews
    /// (performance-ratings), leases, startup-applications, venture-projects,
    /// competition-wins, supervisor-reviews, senior-award-decisions
    kind: String,
    /// An .xlsx or .csv file (UTF-8, or GBK/GB18030 as Excel saves it).
    file: PathBuf,
    /// Import the valid rows and report the others (default: all or nothing).
    #[arg(long)]
    skip_invalid: bool,
}

pub async fn import(a: ImportArgs, cfg: &Config) -> Result<(), CliError> {
    let kind = kind_of(&a.kind)?;
    let bytes = std::fs::read(&a.file)
        .map_err(|e| CliError(format!("无法读取 {}: {e}", a.file.display())))?;
    let registry = super::registry(cfg).await?;
    let bar = progress_bar(0, "导入");
    bar.set_style(spinner_style());
    let name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let result = registry
        .import_owned(
            kind,
            bytes,
            &name,
            &operator_read_options(),
            a.skip_invalid,
            &|done, _| {
                bar.set_position(done as u64);
            },
        )
        .await;
    bar.finish_and_clear();
    match result {
        Ok(o) => {
            eprintln!(
                "新增 {} 行,更新 {} 行,{} 行与已登记的一致未改动。",
                o.imported, o.updated, o.unchanged
            );
            if !o.skipped.is_empty() {
                eprintln!("跳过 {}:\n{}", o.skipped.summary(), o.skipped);
            }
            Ok(())
        }
        Err(ImportError::Rows(e)) => Err(CliError(format!("{},未导入任何数据:\n{e}", e.summary()))),
        Err(e) => Err(CliError(format!("未导入任何数据: {e}"))),
    }
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The kind of record (see `import`).
    kind: String,
    /// csv or xlsx.
    #[arg(long, default_value = "csv")]
    format: String,
    /// Output file; standard output when absent (csv only).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Write resident IDs and phone numbers in full (operators only).
    #[arg(long)]
    unmasked: bool,
}

pub async fn export(a: ExportArgs, cfg: &Config) -> Result<(), CliError> {
    let kind = kind_of(&a.kind)?;
    let registry = super::registry(cfg).await?;
    let n = match a.format.as_str() {
        "csv" => {
            let out: Box<dyn Write + Send> = match &a.output {
                Some(p) => Box::new(std::io::BufWriter::new(std::fs::File::create(p)?)),
                None => Box::new(std::io::BufWriter::new(std::io::stdout())),
            };
            let mut sink = CsvSink::new(out, kind)?;
            let n = registry
                .export_rows(kind, a.unmasked, &mut |rows| sink.write(rows))
                .await?;
            sink.finish()?;
            n
        }
        "xlsx" => {
            let Some(path) = &a.output else {
                return Err(CliError("xlsx 导出需要用 --output 指定文件".into()));
            };
            let mut all: Vec<Vec<String>> = Vec::new();
            let n = registry
                .export_rows(kind, a.unmasked, &mut |rows| {
                    all.extend(rows);
                    Ok(())
                })
                .await?;
            let headers: Vec<&str> = kind.columns().iter().map(|c| c.label).collect();
            gongyi_interchange::write_xlsx_to_path(path, &headers, &all, &Default::default())
                .map_err(|e| CliError(e.to_string()))?;
            n
        }
        other => return Err(CliError(format!("未知格式 {other};可选 csv 或 xlsx"))),
    };
    eprintln!("已导出 {n} 行。");
    Ok(())
}
