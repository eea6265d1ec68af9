//! `gongyi audit`: verify the chain of the audit trail, purge past retention.

use super::CliError;
use crate::config::Config;
use gongyi_app::security::audit::Verdict;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check every record against its MAC and its predecessor; exits 1 and
    /// names the first record that was edited, deleted or reordered.
    Verify,
    /// Delete records older than security.audit_retention_days (at least 180).
    Purge,
}

pub async fn run(c: Command, cfg: &Config) -> Result<(), CliError> {
    let registry = super::registry(cfg).await?;
    match c {
        Command::Verify => match registry.verify_audit().await? {
            Verdict::Intact { records, last_seq } => {
                println!("审计链完整:共 {records} 条,最后一条为第 {last_seq} 条");
                Ok(())
            }
            Verdict::Broken { seq, reason } => {
                Err(CliError(format!("审计链在第 {seq} 条断开:{reason}")))
            }
        },
        Command::Purge => {
            let n = registry
                .purge_audit(cfg.security.audit_retention_days)
                .await?;
            println!("已删除超过保存期限的审计记录 {n} 条");
            Ok(())
        }
    }
}
