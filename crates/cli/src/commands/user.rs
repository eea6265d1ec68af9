//! `gongyi user`: accounts from the command line, above all the first
//! system administrator (`gongyi user add --role system-admin NAME`).

use super::CliError;
use crate::config::Config;
use gongyi_app::security::accounts::AccountInput;

#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Create an account and print its one-time password.
    Add {
        /// bureau · subdistrict · organisation · reviewer · finance ·
        /// system-admin · security-admin · audit-admin
        #[arg(long)]
        role: String,
        /// Sub-district code or name (for --role subdistrict).
        #[arg(long, default_value = "")]
        subdistrict: String,
        /// Credit code of the organisation (for --role organisation).
        #[arg(long, default_value = "")]
        org: String,
        /// The person's name as shown; defaults to the account name.
        #[arg(long, default_value = "")]
        display_name: String,
        name: String,
    },
    /// Give an account a new one-time password and end its sessions.
    Reset { name: String },
    /// Lift a lock after failed logins (and, with --clear-totp, a lost second factor).
    Unlock {
        name: String,
        #[arg(long)]
        clear_totp: bool,
    },
    /// List accounts.
    List,
}

pub async fn run(c: Command, cfg: &Config) -> Result<(), CliError> {
    let registry = super::registry(cfg).await?;
    match c {
        Command::Add {
            role,
            subdistrict,
            org,
            display_name,
            name,
        } => {
            let issued = registry
                .create_account(&AccountInput {
                    name,
                    display_name,
                    role,
                    subdistrict,
                    org,
                })
                .await
                .map_err(field_errors)?;
            println!(
                "已创建账号 {}。一次性密码(仅显示这一次,首次登录后须修改):",
                issued.name
            );
            println!("{}", issued.one_time_password);
        }
        Command::Reset { name } => {
            let issued = registry.reset_password(&name).await?;
            println!("已重置 {} 的密码。一次性密码(仅显示这一次):", issued.name);
            println!("{}", issued.one_time_password);
        }
        Command::Unlock { name, clear_totp } => {
            registry.unlock(&name, clear_totp).await?;
            println!("已解锁 {name}");
        }
        Command::List => {
            for a in registry.accounts().await? {
                println!(
                    "{:<24} {:<16} {}{}",
                    a.name,
                    a.role,
                    a.subdistrict_code.unwrap_or_default(),
                    if a.disabled { " (已停用)" } else { "" }
                );
            }
        }
    }
    Ok(())
}

/// Every refused field, one per line.
fn field_errors(e: gongyi_app::AppError) -> CliError {
    match e {
        gongyi_app::AppError::Invalid(i) => CliError(
            i.0.iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        other => other.into(),
    }
}
