//! `gongyi report remind --year Y`: the organisations that owe the annual
//! report of year Y and have not submitted it, with their contact, as csv
//! on standard output for a mail merge.

use super::CliError;
use crate::config::Config;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// List organisations that have not filed the year's report (csv).
    Remind {
        /// The report year.
        #[arg(long)]
        year: i32,
        /// Only this sub-district (code).
        #[arg(long)]
        subdistrict: Option<String>,
    },
}

fn cell(s: &str) -> String {
    // Quoted, and a leading formula character neutralised for spreadsheets.
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub async fn run(c: Command, cfg: &Config) -> Result<(), CliError> {
    let Command::Remind { year, subdistrict } = c;
    let registry = super::registry(cfg).await?;
    let rows = registry
        .unfiled_orgs(year, subdistrict.as_deref(), i64::MAX / 2)
        .await?;
    println!("统一社会信用代码,组织名称,街道,住所,法定代表人,联系电话(脱敏),状态");
    for r in &rows {
        let fields = [
            r.credit_code.as_str(),
            r.name.as_str(),
            r.subdistrict_name.as_deref().unwrap_or(""),
            r.address.as_deref().unwrap_or(""),
            r.legal_representative.as_deref().unwrap_or(""),
            r.contact_phone_masked.as_deref().unwrap_or(""),
            if r.has_draft { "草稿" } else { "未填报" },
        ];
        println!(
            "{}",
            fields.iter().map(|f| cell(f)).collect::<Vec<_>>().join(",")
        );
    }
    eprintln!("{year} 年度未报送年报的组织 {} 家", rows.len());
    Ok(())
}
