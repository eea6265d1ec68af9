//! `gongyi audit`: verify the chain of the audit trail (against the latest
//! checkpoint), write a checkpoint, purge past retention.

use super::CliError;
use crate::config::Config;
use gongyi_app::security::audit::Verdict;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Check every record against its MAC and its predecessor, the head
    /// against its MAC, and the chain against the latest checkpoint; exits 1
    /// and names the first record that was edited, deleted or reordered, or
    /// the checkpoint the chain falls short of.
    Verify,
    /// Verify, then append the chain's end to security.audit_checkpoint_file
    /// (the server does this every day).
    Checkpoint,
    /// Delete records older than security.audit_retention_days (at least 180).
    Purge,
}

pub async fn run(c: Command, cfg: &Config) -> Result<(), CliError> {
    let registry = super::registry(cfg).await?;
    let file = cfg.security.checkpoint_file(&cfg.database_url);
    match c {
        Command::Verify => match registry.verify_audit().await? {
            Verdict::Intact {
                records,
                last_seq,
                checkpoint,
            } => {
                println!("审计链完整:共 {records} 条,最后一条为第 {last_seq} 条");
                match checkpoint {
                    Some(seq) => println!("与检查点(第 {seq} 条,{})相符", file.display()),
                    None => println!("尚无检查点({}),未能核对末尾", file.display()),
                }
                Ok(())
            }
            Verdict::Broken { seq, reason } => {
                Err(CliError(format!("审计链在第 {seq} 条断开:{reason}")))
            }
        },
        Command::Checkpoint => {
            let cp = registry.checkpoint_audit().await?;
            println!("已写入检查点 {}:", file.display());
            println!("{}", cp.line());
            Ok(())
        }
        Command::Purge => {
            let n = registry
                .purge_audit(cfg.security.audit_retention_days)
                .await?;
            println!("已删除超过保存期限的审计记录 {n} 条");
            Ok(())
        }
    }
}
