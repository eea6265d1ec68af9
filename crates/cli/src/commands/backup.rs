//! `gongyi backup FILE`: a consistent copy of a live SQLite database.

use super::CliError;
use crate::config::Config;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Target file; must not exist yet.
    output: PathBuf,
}

pub async fn run(a: Args, cfg: &Config) -> Result<(), CliError> {
    if a.output.exists() {
        return Err(CliError(format!("目标文件已存在: {}", a.output.display())));
    }
    let registry = super::registry(cfg).await?;
    registry.backup(&a.output.to_string_lossy()).await?;
    eprintln!("已备份到 {}", a.output.display());
    Ok(())
}
