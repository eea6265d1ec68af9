//! One file per subcommand.

pub mod audit;
pub mod backup;
pub mod config_cmd;
pub mod demo;
pub mod policy;
pub mod report;
pub mod routes;
pub mod serve;
pub mod transfer;
pub mod user;

use crate::config::Config;
use std::fmt;

/// A failure reported to the operator in one line.
#[derive(Debug)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<gongyi_app::AppError> for CliError {
    fn from(e: gongyi_app::AppError) -> Self {
        CliError(e.to_string())
    }
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        CliError(e.to_string())
    }
}

/// The registry on the configured database, with the configured keys and
/// security settings, acting as the operator at this terminal.
pub async fn registry(cfg: &Config) -> Result<gongyi_app::Registry, CliError> {
    let mut settings = cfg.security.settings()?;
    settings.audit_checkpoint_file = Some(cfg.security.checkpoint_file(&cfg.database_url));
    let keys = cfg.security.keys(&cfg.database_url)?;
    let reports = cfg.annual_report.settings()?;
    let operator = std::env::var("USER").unwrap_or_else(|_| "operator".into());
    // Start-up always migrates.
    let registry = gongyi_app::Registry::open(&cfg.database_url, gongyi_app::Clock::system())
        .await?
        .with_keys(keys)
        .with_settings(settings)
        .with_call_settings(cfg.open_data.settings()?)
        .with_report_settings(reports)
        .acting(gongyi_app::security::Caller::system(&format!(
            "cli:{operator}"
        )));
    // Rows written before personal data were sealed are sealed now, once.
    let sealed = registry.seal_personal_data().await?;
    if sealed > 0 {
        eprintln!("已加密 {sealed} 条记录中的身份证号和电话号码");
    }
    // A head written before heads carried a MAC is sealed once, if its chain verifies.
    if registry.seal_audit_head().await? {
        eprintln!("已为审计链的记录头加上密钥签名");
    }
    Ok(registry)
}

/// A progress bar on standard error (hidden when it is not a terminal).
pub fn progress_bar(len: u64, what: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({eta})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what.to_string());
    bar
}

/// For work whose total is not known in advance: a count and the rate.
pub fn spinner_style() -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template("{msg} {spinner} {pos} 行 ({per_sec})")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
}
