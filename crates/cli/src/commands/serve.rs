//! `gongyi serve`: the web application and API.

use super::CliError;
use crate::config::Config;
use std::net::SocketAddr;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// ADDR:PORT to listen on (env GONGYI_BIND).
    #[arg(long)]
    bind: Option<String>,
    /// Fill an empty database with demo data (the district's real scale) first.
    #[arg(long)]
    demo: bool,
}

/// How often expired sessions are deleted.
const SESSION_SWEEP: std::time::Duration = std::time::Duration::from_secs(600);

/// How often the audit chain's end is written to the checkpoint file (and
/// once at start).
const AUDIT_CHECKPOINT: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

pub async fn run(a: Args, cfg: &Config) -> Result<(), CliError> {
    let bind = a.bind.unwrap_or_else(|| cfg.bind.clone());
    let addr: SocketAddr = bind
        .parse()
        .map_err(|_| CliError(format!("--bind 地址无效: {bind}(格式如 127.0.0.1:8080)")))?;
    if !addr.ip().is_loopback() && !cfg.security.secure_cookies {
        tracing::warn!(%addr, "listening beyond loopback without security.secure_cookies: put TLS in front and set it");
    }
    let registry = super::registry(cfg).await?;
    if a.demo && registry.count_orgs().await? == 0 {
        let c = super::demo::load_all(
            &registry,
            super::demo::DEFAULT_ORGS,
            None,
            super::demo::DEFAULT_SEED,
        )
        .await?;
        eprintln!("已写入演示数据:{} 家社会组织、{} 名人员", c.orgs, c.people);
    }
    // Sessions past their limits are refused anyway; this keeps the table small.
    let sweeper = registry.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SESSION_SWEEP);
        loop {
            every.tick().await;
            if let Err(e) = sweeper.purge_sessions().await {
                tracing::warn!(error = %e, "could not purge expired sessions");
            }
        }
    });
    // The chain's end, remembered outside the database: see app::security::checkpoint.
    let checkpointer = registry.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(AUDIT_CHECKPOINT);
        loop {
            every.tick().await;
            match checkpointer.checkpoint_audit().await {
                Ok(cp) => tracing::info!(seq = cp.seq, "audit checkpoint written"),
                Err(e) => tracing::error!(error = %e, "no audit checkpoint written"),
            }
        }
    });
    let state = gongyi_web::AppState::new(registry);
    eprintln!("gongyi 已启动: http://{addr}/");
    let per_minute = |n: u32| {
        (n > 0).then(|| gongyi_web::RateLimit {
            requests: n,
            window: std::time::Duration::from_secs(60),
        })
    };
    let web = gongyi_web::WebConfig {
        public_rate_limit: per_minute(cfg.public_rate_limit_per_minute),
        public_download_limit: per_minute(cfg.public_download_limit_per_minute),
        download_cache: Some(cfg.download_cache_dir()),
        api_rate_limit: per_minute(cfg.security.api_rate_limit_per_minute),
        login_rate_limit: per_minute(cfg.security.login_rate_limit_per_minute),
        secure_cookies: cfg.security.secure_cookies,
    };
    gongyi_web::serve(state, addr, &web).await?;
    Ok(())
}
