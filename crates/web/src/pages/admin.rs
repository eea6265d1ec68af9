//! The administrators' pages: the system administrator's accounts (create,
//! reset a password, disable) and the security administrator's roles,
//! scopes and unlocking. Neither sees business data.

use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::FormPairs;
use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use gongyi_app::reference::RefRow;
use gongyi_app::security::accounts::AccountInput;
use gongyi_app::security::accounts::AccountRow;
use gongyi_app::AppError;
use gongyi_domain::access::Role;

/// An account as the administrators see it: no hash, no secret; its area
/// by name, not by code or table id.
pub struct AccountLine {
    pub name: String,
    pub display_name: String,
    pub role: String,
    /// The role's code, so the role form starts from the role held.
    pub role_code: String,
    pub subdistrict_code: String,
    pub subdistrict: String,
    pub org_code: String,
    pub org: String,
    pub locked: bool,
    pub disabled: bool,
    pub must_change: bool,
    pub has_totp: bool,
    /// An administrator account: managed at the console only, so no buttons.
    pub admin: bool,
}

async fn lines(
    s: &crate::auth::Scoped,
    rows: Vec<AccountRow>,
    subdistricts: &[RefRow],
) -> Result<Vec<AccountLine>, PageError> {
    let now = chrono::Utc::now();
    let mut out = Vec::with_capacity(rows.len());
    for a in rows {
        let (org_code, org) = match a.org_id {
            Some(id) => match s.registry.org_by_id(id).await {
                Ok(o) => (o.credit_code, o.name),
                Err(AppError::NotFound) => (String::new(), "(已不存在)".into()),
                Err(e) => return Err(e.into()),
            },
            None => (String::new(), String::new()),
        };
        let sub = a.subdistrict_code.unwrap_or_default();
        out.push(AccountLine {
            admin: Role::parse("role", &a.role).is_ok_and(Role::is_admin),
            role: Role::label_of(&a.role),
            subdistrict: subdistricts
                .iter()
                .find(|r| r.code == sub)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            subdistrict_code: sub,
            role_code: a.role,
            org_code,
            org,
            locked: a.locked_until.is_some_and(|t| t > now),
            disabled: a.disabled,
            must_change: a.must_change_password,
            has_totp: a.totp_secret.is_some(),
            name: a.name,
            display_name: a.display_name,
        });
    }
    Ok(out)
}

/// What was typed into the account form, shown again after a refusal.
#[derive(Default)]
pub struct Typed {
    pub name: String,
    pub display_name: String,
    pub role: String,
    pub subdistrict: String,
    pub org: String,
}

/// A role change waiting for the security administrator's confirmation.
pub struct Pending {
    pub name: String,
    pub from: String,
    pub to: String,
    pub role: String,
    pub subdistrict: String,
    pub org: String,
}

pub struct RoleOpt {
    pub value: &'static str,
    pub label: &'static str,
}

/// The roles a page may grant: administrator roles are granted at the console.
fn roles() -> Vec<RoleOpt> {
    Role::ALL
        .iter()
        .filter(|r| !r.is_admin())
        .map(|r| RoleOpt {
            value: r.code(),
            label: r.label(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "admin/accounts.html")]
struct AccountsPage {
    security: bool,
    accounts: Vec<AccountLine>,
    roles: Vec<RoleOpt>,
    subdistricts: Vec<RefRow>,
    /// A result to show once: an error, or a one-time password.
    notice: String,
    issued_name: String,
    issued_password: String,
    /// The security policy in force (set in the configuration file).
    policy: Vec<(&'static str, String)>,
    typed: Typed,
    pending: Option<Pending>,
}

/// What a page shows besides the accounts.
#[derive(Default)]
struct Shown {
    notice: String,
    issued: Option<(String, String)>,
    typed: Typed,
    pending: Option<Pending>,
}

fn policy_lines(
    s: &gongyi_app::security::accounts::SecuritySettings,
) -> Vec<(&'static str, String)> {
    vec![
        ("等级保护级别", format!("第{}级", s.level)),
        ("密码最短长度", format!("{} 位", s.password.length())),
        ("密码字符类别", format!("至少 {} 类", s.password.classes())),
        (
            "密码有效期",
            if s.password.expiry_days == 0 {
                "不过期".into()
            } else {
                format!("{} 天", s.password.expiry_days)
            },
        ),
        (
            "登录失败锁定",
            format!(
                "连续 {} 次,锁定 {} 分钟",
                s.lockout_failures, s.lockout_minutes
            ),
        ),
        (
            "会话空闲超时",
            format!(
                "{} 分钟(管理员 {} 分钟)",
                s.idle_minutes, s.admin_idle_minutes
            ),
        ),
        ("会话最长时间", format!("{} 小时", s.absolute_hours)),
        (
            "动态口令",
            if s.level >= 3 {
                "三类管理员与区民政局账号必须开通".into()
            } else {
                "自愿开通".into()
            },
        ),
    ]
}

async fn page(
    s: &crate::auth::Scoped,
    security: bool,
    status: StatusCode,
    shown: Shown,
) -> Result<Response, PageError> {
    let subdistricts = s.registry.subdistricts().await?;
    let accounts = lines(s, s.registry.accounts().await?, &subdistricts).await?;
    let (issued_name, issued_password) = shown.issued.unwrap_or_default();
    Ok(render(
        status,
        &AccountsPage {
            security,
            accounts,
            roles: roles(),
            subdistricts,
            notice: shown.notice,
            issued_name,
            issued_password,
            policy: if security {
                policy_lines(&s.registry.settings)
            } else {
                vec![]
            },
            typed: shown.typed,
            pending: shown.pending,
        },
    ))
}

fn notice(text: impl Into<String>) -> Shown {
    Shown {
        notice: text.into(),
        ..Shown::default()
    }
}

fn input(f: &FormPairs, name: &str) -> AccountInput {
    AccountInput {
        name: name.to_string(),
        display_name: f.get("display_name"),
        role: f.get("role"),
        subdistrict: f.get("subdistrict"),
        org: f.get("org"),
    }
}

/// A refusal shown above the table; anything else is an error page.
fn notice_of(e: AppError) -> Result<String, PageError> {
    match e {
        AppError::Invalid(i) => Ok(i
            .0
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join(";")),
        e @ (AppError::Refused { .. } | AppError::NotFound) => Ok(e.to_string()),
        e => Err(e.into()),
    }
}

pub async fn accounts(Ctx(s): Ctx) -> Result<Response, PageError> {
    page(&s, false, StatusCode::OK, Shown::default()).await
}

pub async fn create(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    match s.registry.create_account(&input(&f, &f.get("name"))).await {
        Ok(i) => {
            let shown = Shown {
                issued: Some((i.name, i.one_time_password)),
                ..Shown::default()
            };
            page(&s, false, StatusCode::OK, shown).await
        }
        Err(e) => {
            let shown = Shown {
                notice: notice_of(e)?,
                typed: Typed {
                    name: f.get("name"),
                    display_name: f.get("display_name"),
                    role: f.get("role"),
                    subdistrict: f.get("subdistrict"),
                    org: f.get("org"),
                },
                ..Shown::default()
            };
            page(&s, false, StatusCode::UNPROCESSABLE_ENTITY, shown).await
        }
    }
}

pub async fn act(
    Ctx(s): Ctx,
    Path((name, action)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let r = match action.as_str() {
        "reset" => s
            .registry
            .reset_password(&name)
            .await
            .map(|i| Some((i.name, i.one_time_password))),
        "disable" => s.registry.set_disabled(&name, true).await.map(|_| None),
        "enable" => s.registry.set_disabled(&name, false).await.map(|_| None),
        _ => Err(AppError::NotFound),
    };
    match r {
        Ok(issued) => {
            let shown = Shown {
                issued,
                ..notice("已完成")
            };
            page(&s, false, StatusCode::OK, shown).await
        }
        Err(e) => {
            page(
                &s,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
                notice(notice_of(e)?),
            )
            .await
        }
    }
}

pub async fn security(Ctx(s): Ctx) -> Result<Response, PageError> {
    page(&s, true, StatusCode::OK, Shown::default()).await
}

pub async fn secure(
    Ctx(s): Ctx,
    Path((name, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = match action.as_str() {
        // One click must not turn an account into another role: the change
        // is shown for confirmation first.
        "role" if f.get("confirm") != "1" => {
            return confirm_role(&s, &name, &f).await;
        }
        "role" => s.registry.set_role(&input(&f, &name)).await,
        "unlock" => s.registry.unlock(&name, false).await,
        "clear-totp" => s.registry.unlock(&name, true).await,
        _ => Err(AppError::NotFound),
    };
    match r {
        Ok(()) => page(&s, true, StatusCode::OK, notice("已完成")).await,
        Err(e) => {
            page(
                &s,
                true,
                StatusCode::UNPROCESSABLE_ENTITY,
                notice(notice_of(e)?),
            )
            .await
        }
    }
}

/// The security page with the requested role change to confirm; an
/// administrator account or role is refused at once, as the console's.
async fn confirm_role(
    s: &crate::auth::Scoped,
    name: &str,
    f: &FormPairs,
) -> Result<Response, PageError> {
    let to = Role::parse("role", &f.get("role"));
    let account = s
        .registry
        .accounts()
        .await?
        .into_iter()
        .find(|a| a.name == name)
        .ok_or(AppError::NotFound)?;
    let from_admin = Role::parse("role", &account.role).is_ok_and(Role::is_admin);
    match to {
        Ok(to) if !to.is_admin() && !from_admin => {
            let shown = Shown {
                pending: Some(Pending {
                    name: name.to_string(),
                    from: Role::label_of(&account.role),
                    to: to.label().to_string(),
                    role: to.code().to_string(),
                    subdistrict: f.get("subdistrict"),
                    org: f.get("org"),
                }),
                ..Shown::default()
            };
            page(s, true, StatusCode::OK, shown).await
        }
        // Let the use case refuse it with its own reason.
        _ => match s.registry.set_role(&input(f, name)).await {
            Ok(()) => page(s, true, StatusCode::OK, notice("已完成")).await,
            Err(e) => {
                page(
                    s,
                    true,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    notice(notice_of(e)?),
                )
                .await
            }
        },
    }
}
