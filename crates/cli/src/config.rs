//! Layered configuration: defaults → file → `GONGYI_*` environment → flags.

use crate::commands::CliError;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://FILE` (created if missing) or `postgres://user@host/db`.
    pub database_url: String,
    /// Address the web server binds to.
    pub bind: String,
    /// Requests per minute per client on the public API; 0 turns the limit off.
    pub public_rate_limit_per_minute: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://gongyi.db".into(),
            bind: "127.0.0.1:8080".into(),
            public_rate_limit_per_minute: 600,
        }
    }
}

/// The database URL may carry a password: never print it whole.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact(&self.database_url))
            .field("bind", &self.bind)
            .field(
                "public_rate_limit_per_minute",
                &self.public_rate_limit_per_minute,
            )
            .finish()
    }
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => format!("{}://***{}", &url[..s], &url[at..]),
        _ => url.to_string(),
    }
}

impl Config {
    pub fn load(file: Option<&Path>, database_flag: Option<String>) -> Result<Config, CliError> {
        let mut cfg = match file {
            Some(p) => read(p)?,
            None if Path::new("gongyi.toml").exists() => read(Path::new("gongyi.toml"))?,
            None => Config::default(),
        };
        if let Ok(v) = std::env::var("GONGYI_DATABASE_URL") {
            cfg.database_url = v;
        }
        if let Ok(v) = std::env::var("GONGYI_BIND") {
            cfg.bind = v;
        }
        if let Ok(v) = std::env::var("GONGYI_PUBLIC_RATE_LIMIT") {
            cfg.public_rate_limit_per_minute = v
                .parse()
                .map_err(|_| CliError(format!("GONGYI_PUBLIC_RATE_LIMIT 应为整数,而非 {v}")))?;
        }
        if let Some(v) = database_flag {
            cfg.database_url = v;
        }
        Ok(cfg)
    }

    pub fn example() -> String {
        format!(
            "# gongyi configuration. Order: defaults < this file < GONGYI_* environment < flags.\n\
             {}",
            toml::to_string_pretty(&Config::default()).unwrap_or_default()
        )
    }
}

fn read(p: &Path) -> Result<Config, CliError> {
    let text = std::fs::read_to_string(p)
        .map_err(|e| CliError(format!("无法读取配置文件 {}: {e}", p.display())))?;
    toml::from_str(&text).map_err(|e| CliError(format!("配置文件 {} 有误: {e}", p.display())))
}
