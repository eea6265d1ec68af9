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

/// An account as the administrators see it: no hash, no secret.
pub struct AccountLine {
    pub name: String,
    pub display_name: String,
    pub role: String,
    pub subdistrict: String,
    pub org_id: String,
    pub locked: bool,
    pub disabled: bool,
    pub must_change: bool,
    pub has_totp: bool,
    /// An administrator account: managed at the console only, so no buttons.
    pub admin: bool,
}

fn lines(rows: Vec<AccountRow>) -> Vec<AccountLine> {
    let now = chrono::Utc::now();
    rows.into_iter()
        .map(|a| AccountLine {
            admin: Role::parse("role", &a.role).is_ok_and(Role::is_admin),
            role: Role::label_of(&a.role),
            subdistrict: a.subdistrict_code.unwrap_or_default(),
            org_id: a.org_id.map(|i| i.to_string()).unwrap_or_default(),
            locked: a.locked_until.is_some_and(|t| t > now),
            disabled: a.disabled,
            must_change: a.must_change_password,
            has_totp: a.totp_secret.is_some(),
            name: a.name,
            display_name: a.display_name,
        })
        .collect()
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
    notice: String,
    issued: Option<(String, String)>,
) -> Result<Response, PageError> {
    let accounts = lines(s.registry.accounts().await?);
    let subdistricts = s.registry.subdistricts().await?;
    let (issued_name, issued_password) = issued.unwrap_or_default();
    Ok(render(
        status,
        &AccountsPage {
            security,
            accounts,
            roles: roles(),
            subdistricts,
            notice,
            issued_name,
            issued_password,
            policy: if security {
                policy_lines(&s.registry.settings)
            } else {
                vec![]
            },
        },
    ))
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
    page(&s, false, StatusCode::OK, String::new(), None).await
}

pub async fn create(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    match s.registry.create_account(&input(&f, &f.get("name"))).await {
        Ok(i) => {
            page(
                &s,
                false,
                StatusCode::OK,
                String::new(),
                Some((i.name, i.one_time_password)),
            )
            .await
        }
        Err(e) => {
            page(
                &s,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
                notice_of(e)?,
                None,
            )
            .await
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
        Ok(issued) => page(&s, false, StatusCode::OK, "已完成".into(), issued).await,
        Err(e) => {
            page(
                &s,
                false,
                StatusCode::UNPROCESSABLE_ENTITY,
                notice_of(e)?,
                None,
            )
            .await
        }
    }
}

pub async fn security(Ctx(s): Ctx) -> Result<Response, PageError> {
    page(&s, true, StatusCode::OK, String::new(), None).await
}

pub async fn secure(
    Ctx(s): Ctx,
    Path((name, action)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = match action.as_str() {
        "role" => s.registry.set_role(&input(&f, &name)).await,
        "unlock" => s.registry.unlock(&name, false).await,
        "clear-totp" => s.registry.unlock(&name, true).await,
        _ => Err(AppError::NotFound),
    };
    match r {
        Ok(()) => page(&s, true, StatusCode::OK, "已完成".into(), None).await,
        Err(e) => {
            page(
                &s,
                true,
                StatusCode::UNPROCESSABLE_ENTITY,
                notice_of(e)?,
                None,
            )
            .await
        }
    }
}
