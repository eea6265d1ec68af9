//! `gongyi serve`: the web application and API.

use super::{open, CliError};
use crate::config::Config;
use gongyi_app::{Clock, Registry};
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

pub async fn run(a: Args, cfg: &Config) -> Result<(), CliError> {
    let bind = a.bind.unwrap_or_else(|| cfg.bind.clone());
    let addr: SocketAddr = bind
        .parse()
        .map_err(|_| CliError(format!("--bind 地址无效: {bind}(格式如 127.0.0.1:8080)")))?;
    // Until accounts and login exist, the server only listens on loopback.
    if !addr.ip().is_loopback() {
        return Err(CliError(format!(
            "尚未启用登录功能,服务只能绑定本机回环地址(如 127.0.0.1),而非 {addr}"
        )));
    }
    let db = open(cfg).await?;
    let registry = Registry::new(db, Clock::system());
    if a.demo && registry.db.count_orgs().await? == 0 {
        let c = super::demo::load_all(
            &registry,
            super::demo::DEFAULT_ORGS,
            None,
            super::demo::DEFAULT_SEED,
        )
        .await?;
        eprintln!("已写入演示数据:{} 家社会组织、{} 名人员", c.orgs, c.people);
    }
    let state = gongyi_web::AppState { registry };
    eprintln!("gongyi 已启动: http://{addr}/");
    let web = gongyi_web::WebConfig {
        public_rate_limit: (cfg.public_rate_limit_per_minute > 0).then(|| gongyi_web::RateLimit {
            requests: cfg.public_rate_limit_per_minute,
            window: std::time::Duration::from_secs(60),
        }),
    };
    gongyi_web::serve(state, addr, &web).await?;
    Ok(())
}
