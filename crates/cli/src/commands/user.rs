//! `gongyi user`: accounts from the command line, above all the first
//! system administrator (`gongyi user add --role system-admin NAME`). The
//! three administrator accounts are managed here only (三员分立): no page
//! resets, unlocks, disables or re-roles one.

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
    /// Stop an account from signing in and end its sessions.
    Disable { name: String },
    /// Let a disabled account sign in again.
    Enable { name: String },
    /// Change an account's role (and scope); administrator roles are
    /// granted here only, never on a page.
    Role {
        /// The new role (see `add`).
        #[arg(long)]
        role: String,
        #[arg(long, default_value = "")]
        subdistrict: String,
        #[arg(long, default_value = "")]
        org: String,
        name: String,
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
        Command::Disable { name } => {
            registry.set_disabled(&name, true).await?;
            println!("已停用 {name},其会话已结束");
        }
        Command::Enable { name } => {
            registry.set_disabled(&name, false).await?;
            println!("已启用 {name}");
        }
        Command::Role {
            role,
            subdistrict,
            org,
            name,
        } => {
            registry
                .set_role(&AccountInput {
                    name: name.clone(),
                    role,
                    subdistrict,
                    org,
                    ..AccountInput::default()
                })
                .await
                .map_err(field_errors)?;
            println!("已变更 {name} 的角色,其会话已结束");
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
