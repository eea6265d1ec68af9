//! `gongyi`: the web application and the operators' commands.
//!
//! Arguments are parsed raw (clap), then resolved with the configuration file
//! and `GONGYI_*` environment variables into one typed [`config::Config`].

mod commands;
mod config;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "gongyi",
    version,
    about = "杨浦区社会组织培育发展平台(公益数据库)"
)]
struct Cli {
    /// Database URL: sqlite://FILE or postgres://… (env GONGYI_DATABASE_URL).
    #[arg(long, global = true)]
    database: Option<String>,
    /// Configuration file (TOML); defaults to ./gongyi.toml when present.
    #[arg(long, global = true)]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web application and the API.
    Serve(commands::serve::Args),
    /// Apply database migrations.
    Migrate,
    /// Fill the database with realistic demo data.
    Demo(commands::demo::Args),
    /// Import records from an xlsx or csv file.
    Import(commands::transfer::ImportArgs),
    /// Export records as xlsx or csv.
    Export(commands::transfer::ExportArgs),
    /// Write a consistent copy of a live SQLite database.
    Backup(commands::backup::Args),
    /// Configuration helpers.
    #[command(subcommand)]
    Config(commands::config_cmd::Command),
    /// Support policies (扶持政策): evaluate, simulate, list parameters.
    #[command(subcommand)]
    Policy(commands::policy::Command),
    /// Accounts: add (the first system administrator), reset, unlock, list.
    #[command(subcommand)]
    User(commands::user::Command),
    /// The audit trail: verify its chain, purge past retention.
    #[command(subcommand)]
    Audit(commands::audit::Command),
    /// Annual reports (年报): remind those who have not filed.
    #[command(subcommand)]
    Report(commands::report::Command),
    /// Print the route table as JSON (method, path, access, roles let in).
    Routes,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("GONGYI_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("无法启动运行时: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), commands::CliError> {
    let cfg = config::Config::load(cli.config.as_deref(), cli.database.clone())?;
    match cli.command {
        Command::Config(c) => commands::config_cmd::run(c, &cfg),
        Command::Serve(a) => commands::serve::run(a, &cfg).await,
        Command::Migrate => {
            let registry =
                gongyi_app::Registry::open(&cfg.database_url, gongyi_app::Clock::system()).await?;
            registry.close().await;
            eprintln!("数据库已迁移到最新版本。");
            Ok(())
        }
        Command::Demo(a) => commands::demo::run(a, &cfg).await,
        Command::Import(a) => commands::transfer::import(a, &cfg).await,
        Command::Export(a) => commands::transfer::export(a, &cfg).await,
        Command::Backup(a) => commands::backup::run(a, &cfg).await,
        Command::Policy(c) => commands::policy::run(c, &cfg).await,
        Command::User(c) => commands::user::run(c, &cfg).await,
        Command::Audit(c) => commands::audit::run(c, &cfg).await,
        Command::Report(c) => commands::report::run(c, &cfg).await,
        Command::Routes => commands::routes::run(&cfg).await,
    }
}
