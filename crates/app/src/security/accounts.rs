//! Accounts, login and sessions.
//!
//! A session is a random token in an HttpOnly cookie; the database keeps only
//! its SHA-256, with a CSRF token, so several servers share sessions and a
//! copy of the database opens none. Failed logins count per account (locked
//! after `lockout_failures` for `lockout_minutes`); the answer to a failed
//! login is the same whether the account exists, is locked or the password
//! is wrong.

use super::audit::AuditEntry;
use super::{passwords, totp};
use crate::{AppError, Registry, Result};
use chrono::{DateTime, Duration, Utc};
use data_encoding::HEXLOWER;
use gongyi_domain::access::{scope_for, Principal, Role};
use gongyi_domain::password::PasswordPolicy;
use gongyi_domain::{text, Invalid};
pub use gongyi_store::accounts::AccountRow;
use gongyi_store::accounts::{NewAccount, SessionRow};
use gongyi_store::StoreError;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A session's `last_seen_at` is written at most this often, not on every
/// request; idle timeouts are minutes, so this is precise enough.
const TOUCH_EVERY_SECONDS: i64 = 30;

/// How long a login form's anti-forgery token is accepted.
const LOGIN_FORM_TOKEN_SECONDS: i64 = 2 * 3600;

/// The security settings of 等保 2.0, from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecuritySettings {
    /// 2 (default) or 3: level 3 requires a second factor of the three
    /// administrators and bureau staff.
    pub level: u8,
    pub password: PasswordPolicy,
    pub lockout_failures: i64,
    pub lockout_minutes: i64,
    pub idle_minutes: i64,
    pub admin_idle_minutes: i64,
    pub absolute_hours: i64,
    /// Where the audit chain's checkpoints are appended
    /// (`security::checkpoint`); `None`: none kept, none checked.
    pub audit_checkpoint_file: Option<std::path::PathBuf>,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        SecuritySettings {
            level: 2,
            password: PasswordPolicy::default(),
            lockout_failures: 5,
            lockout_minutes: 15,
            idle_minutes: 30,
            admin_idle_minutes: 15,
            absolute_hours: 8,
            audit_checkpoint_file: None,
        }
    }
}

impl SecuritySettings {
    /// Whether `role` must present a second factor.
    pub fn needs_second_factor(&self, role: Role) -> bool {
        self.level >= 3 && (role.is_admin() || role == Role::Bureau)
    }

    fn idle_limit(&self, role: Role) -> Duration {
        Duration::minutes(if role.is_admin() {
            self.admin_idle_minutes
        } else {
            self.idle_minutes
        })
    }
}

/// Accounts' display names, by account name.
#[derive(Debug, Clone, Default)]
pub struct People(std::collections::HashMap<String, String>);

impl People {
    /// The display name of `account`, else the account name itself.
    pub fn name_of<'a>(&'a self, account: &'a str) -> &'a str {
        self.0.get(account).map_or(account, String::as_str)
    }
}

/// A new account, as typed by an administrator or on the command line.
#[derive(Debug, Clone, Default)]
pub struct AccountInput {
    pub name: String,
    pub display_name: String,
    pub role: String,
    /// Sub-district code or name, for sub-district officers.
    pub subdistrict: String,
    /// Credit code, for organisation accounts.
    pub org: String,
}

/// An account created or reset: its one-time password, shown once.
#[derive(Debug, Clone)]
pub struct Issued {
    pub account_id: i64,
    pub name: String,
    pub one_time_password: String,
}

/// A session just opened: the cookie's token (never stored) and its CSRF token.
#[derive(Debug, Clone)]
pub struct Opened {
    pub token: String,
    pub csrf: String,
    /// A second factor is still owed (or must be set up) before anything else.
    pub needs_second_factor: bool,
}

/// A live session, as every request sees it.
#[derive(Debug, Clone)]
pub struct Session {
    pub principal: Principal,
    pub csrf: String,
    /// The second factor is done, or not required.
    pub verified: bool,
    /// Whether the account has a TOTP secret to check against.
    pub has_totp: bool,
    /// The password was reset by an administrator or has expired.
    pub must_change_password: bool,
    token_hash: String,
}

impl SecuritySettings {
    /// The one answer to any failed login, naming the lock in force.
    pub fn login_refused(&self) -> AppError {
        AppError::Refused {
            field: "password",
            code: "login.refused",
            message: format!(
                "账号或密码错误,或账号已被锁定。连续 {} 次错误后账号锁定 {} 分钟。",
                self.lockout_failures, self.lockout_minutes
            ),
        }
    }
}

/// Login names longer than this are not looked up, and reach the audit
/// trail as their hash: what an anonymous caller types is not stored at length.
const MAX_LOGIN_NAME_CHARS: usize = 64;

/// The login name as the audit trail records it.
fn audited_login_name(name: &str) -> String {
    if name.chars().count() > MAX_LOGIN_NAME_CHARS {
        format!(
            "sha256:{}",
            HEXLOWER.encode(&Sha256::digest(name.as_bytes()))
        )
    } else {
        name.to_string()
    }
}

/// Why an administrator's page cannot act on an administrator account.
const ADMIN_CONSOLE_ONLY: &str =
    "管理员账号(系统、安全、审计管理员)只能由运维人员在服务器控制台用 gongyi user 命令管理";

fn admin_console_only(field: &'static str) -> AppError {
    AppError::Refused {
        field,
        code: "account.admin_console",
        message: ADMIN_CONSOLE_ONLY.into(),
    }
}

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    HEXLOWER.encode(&b)
}

fn token_hash(token: &str) -> String {
    HEXLOWER.encode(&Sha256::digest(token.as_bytes()))
}

fn principal_of(a: &AccountRow) -> Option<Principal> {
    let role = Role::parse("role", &a.role).ok()?;
    let scope = scope_for(role, a.subdistrict_code.as_deref(), a.org_id).ok()?;
    Some(Principal {
        account_id: a.id,
        name: a.name.clone(),
        role,
        scope,
    })
}

impl Registry {
    /// Resolves the role and scope of an account being created or changed.
    async fn resolve_role(
        &self,
        input: &AccountInput,
    ) -> Result<(Role, Option<String>, Option<i64>)> {
        let role = Role::parse("role", &input.role)?;
        let sub = match input.subdistrict.trim() {
            "" => None,
            s => Some(crate::orgs::resolve_ref(
                &self.db.subdistricts().await?,
                "subdistrict",
                "街道",
                s,
            )?),
        };
        let org = match input.org.trim() {
            "" => None,
            code => Some(
                self.db
                    .org_by_code(code)
                    .await
                    .map_err(|e| match e {
                        StoreError::NotFound => AppError::Invalid(Invalid::one(
                            "org",
                            "organization.unknown",
                            format!("统一社会信用代码“{code}”对应的组织不存在"),
                        )),
                        other => other.into(),
                    })?
                    .id,
            ),
        };
        scope_for(role, sub.as_deref(), org)?;
        Ok((role, sub, org))
    }

    /// Creates an account with a one-time password to be changed at first login.
    pub async fn create_account(&self, input: &AccountInput) -> Result<Issued> {
        let mut errs = Invalid::default();
        let name = errs.take(text::bounded("name", "账号", &input.name, 40, true));
        if let Some(n) = &name {
            if !n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                errs.push(gongyi_domain::FieldError::new(
                    "name",
                    "account.name_chars",
                    "账号只能包含字母、数字和 . _ -",
                ));
            }
        }
        let display = errs.take(text::bounded(
            "display_name",
            "姓名",
            &input.display_name,
            50,
            false,
        ));
        let resolved = match self.resolve_role(input).await {
            Ok(r) => Some(r),
            Err(AppError::Invalid(e)) => {
                errs.extend(e);
                None
            }
            Err(e) => return Err(e),
        };
        let (Some(name), Some(display), Some((role, sub, org))) = (name, display, resolved) else {
            return Err(errs.into());
        };
        if !errs.is_empty() {
            return Err(errs.into());
        }
        // 三员分立: administrators create business accounts only; the three
        // administrator accounts are made at the server's console, so no
        // administrator can make (and then act as) another one.
        if role.is_admin() && !self.caller.is_operator() {
            return Err(Invalid::one("role", "account.admin_role", ADMIN_CONSOLE_ONLY).into());
        }
        let display = if display.is_empty() {
            name.clone()
        } else {
            display
        };
        let otp = passwords::one_time();
        let hash = passwords::hash(&otp);
        let mut tx = self.db.begin().await?;
        let id = self
            .db
            .insert_account(
                &mut tx,
                &NewAccount {
                    name: &name,
                    display_name: &display,
                    role: role.code(),
                    subdistrict_code: sub.as_deref(),
                    org_id: org,
                    password_hash: &hash,
                    must_change_password: true,
                    at: Utc::now(),
                },
            )
            .await
            .map_err(|e| match e {
                StoreError::Duplicate { .. } => AppError::Invalid(Invalid::one(
                    "name",
                    "account.duplicate",
                    format!("账号“{name}”已存在"),
                )),
                other => other.into(),
            })?;
        self.audit(
            &mut tx,
            AuditEntry::new("create", "account", &name)
                .change("role", None, Some(role.code()))
                .change("subdistrict", None, sub.as_deref())
                .change("org_id", None, org.map(|o| o.to_string()).as_deref()),
        )
        .await?;
        tx.commit().await?;
        Ok(Issued {
            account_id: id,
            name,
            one_time_password: otp,
        })
    }

    /// The login form's anti-forgery token: issue time and a random value,
    /// tagged under a server key, so a cookie and field merely equal to each
    /// other (planted by another site) are not enough.
    pub fn login_form_token(&self) -> String {
        let body = format!("{}.{}", Utc::now().timestamp(), random_hex(16));
        format!("{body}.{}", self.keys.login_form_tag(&body))
    }

    /// Whether `token` is one [`Registry::login_form_token`] issued and not too old.
    pub fn login_form_token_ok(&self, token: &str) -> bool {
        let Some((body, tag)) = token.rsplit_once('.') else {
            return false;
        };
        let issued = body
            .split_once('.')
            .and_then(|(t, _)| t.parse::<i64>().ok());
        let age = issued.map(|t| Utc::now().timestamp() - t);
        age.is_some_and(|a| (-60..=LOGIN_FORM_TOKEN_SECONDS).contains(&a))
            && self.keys.login_form_tag_ok(body, tag)
    }

    /// Checks a password (and a second-factor code where one is set) and
    /// opens a session. Every failure gives [`SecuritySettings::login_refused`].
    pub async fn login(&self, name: &str, password: &str, code: &str) -> Result<Opened> {
        let now = Utc::now();
        let name = name.trim();
        // No account has a longer name (they are at most 40 characters), so
        // there is nothing to look up.
        let found = if name.chars().count() > MAX_LOGIN_NAME_CHARS {
            Err(StoreError::NotFound)
        } else {
            self.db.account_by_name(name).await
        };
        let account = match found {
            Ok(a) => a,
            Err(StoreError::NotFound) => {
                let typed = if gongyi_domain::password::too_long(password) {
                    ""
                } else {
                    password
                };
                passwords::verify(typed, passwords::decoy());
                self.audit_now(AuditEntry::new(
                    "login_failed",
                    "account",
                    audited_login_name(name),
                ))
                .await?;
                return Err(self.settings.login_refused());
            }
            Err(e) => return Err(e.into()),
        };
        let locked = account.locked_until.is_some_and(|t| t > now);
        // No password is longer than the policy allows: refused unhashed.
        let password_ok = !gongyi_domain::password::too_long(password)
            && passwords::verify(password, &account.password_hash);
        let principal = principal_of(&account);
        let needs_2fa = principal
            .as_ref()
            .is_some_and(|p| self.settings.needs_second_factor(p.role));
        let code_ok = match (&account.totp_secret, needs_2fa) {
            (Some(sealed), _) => self
                .keys
                .open(sealed)
                .is_ok_and(|s| totp::check(&s, code, now.timestamp())),
            // Not set up yet: set up right after login, before anything else.
            (None, _) => true,
        };
        let Some(principal) =
            principal.filter(|_| password_ok && code_ok && !locked && !account.disabled)
        else {
            let mut tx = self.db.begin().await?;
            if !locked {
                self.db
                    .account_failed_login(
                        &mut tx,
                        account.id,
                        self.settings.lockout_failures,
                        now + Duration::minutes(self.settings.lockout_minutes),
                    )
                    .await?;
            }
            self.audit(
                &mut tx,
                AuditEntry::new("login_failed", "account", &account.name).note(
                    "reason",
                    if locked {
                        "locked"
                    } else if !password_ok {
                        "password"
                    } else if !code_ok {
                        "second_factor"
                    } else {
                        "disabled"
                    },
                ),
            )
            .await?;
            tx.commit().await?;
            return Err(self.settings.login_refused());
        };
        let token = random_hex(32);
        let csrf = random_hex(32);
        let verified = !needs_2fa || account.totp_secret.is_some();
        let mut tx = self.db.begin().await?;
        self.db.account_login_ok(&mut tx, account.id).await?;
        self.db
            .insert_session(
                &mut tx,
                &SessionRow {
                    token_hash: token_hash(&token),
                    account_id: account.id,
                    csrf_token: csrf.clone(),
                    verified,
                    created_at: now,
                    last_seen_at: now,
                },
                self.caller.client_addr.as_deref(),
            )
            .await?;
        self.acting(super::Caller::signed_in(
            &principal,
            self.caller.client_addr.clone(),
            self.caller.request_id.clone(),
        ))
        .audit(&mut tx, AuditEntry::new("login", "account", &account.name))
        .await?;
        tx.commit().await?;
        Ok(Opened {
            token,
            csrf,
            needs_second_factor: !verified,
        })
    }

    /// The live session of a cookie's token, or `None` when it is unknown,
    /// idle too long, too old, or its account is disabled (then it is removed).
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let hash = token_hash(token);
        let row = match self.db.session_account(&hash).await {
            Ok(r) => r,
            Err(StoreError::NotFound) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let account = row.account;
        let now = Utc::now();
        let principal = principal_of(&account);
        let alive = principal.as_ref().is_some_and(|p| {
            now - row.session_last_seen_at <= self.settings.idle_limit(p.role)
                && now - row.session_created_at <= Duration::hours(self.settings.absolute_hours)
        }) && !account.disabled;
        let Some(principal) = principal.filter(|_| alive) else {
            let mut tx = self.db.begin().await?;
            self.db.delete_session(&mut tx, &hash).await?;
            tx.commit().await?;
            return Ok(None);
        };
        if now - row.session_last_seen_at > Duration::seconds(TOUCH_EVERY_SECONDS) {
            self.db.touch_session(&hash, now).await?;
        }
        let age = (now - account.password_changed_at).num_days();
        Ok(Some(Session {
            principal,
            csrf: row.session_csrf_token,
            verified: row.session_verified,
            has_totp: account.totp_secret.is_some(),
            must_change_password: account.must_change_password
                || self.settings.password.expired(age),
            token_hash: hash,
        }))
    }

    pub async fn logout(&self, s: &Session) -> Result<()> {
        let mut tx = self.db.begin().await?;
        self.db.delete_session(&mut tx, &s.token_hash).await?;
        self.audit(
            &mut tx,
            AuditEntry::new("logout", "account", &s.principal.name),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes one's own password, checking the current one and the policy.
    /// Every other session of the account ends: whoever knew the old
    /// password is signed out with it; the session making the change stays.
    pub async fn change_password(&self, s: &Session, current: &str, new: &str) -> Result<()> {
        let account = self.db.account_by_id(s.principal.account_id).await?;
        if gongyi_domain::password::too_long(current)
            || !passwords::verify(current, &account.password_hash)
        {
            return Err(Invalid::one("current", "password.wrong", "当前密码不正确").into());
        }
        self.settings
            .password
            .check("password", &account.name, new)?;
        if passwords::verify(new, &account.password_hash) {
            return Err(
                Invalid::one("password", "password.reused", "新密码不能与当前密码相同").into(),
            );
        }
        let mut tx = self.db.begin().await?;
        self.db
            .set_account_password(
                &mut tx,
                account.id,
                &passwords::hash(new),
                false,
                Utc::now(),
            )
            .await?;
        let ended = self
            .db
            .delete_other_sessions_of(&mut tx, account.id, &s.token_hash)
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("change_password", "account", &account.name)
                .note("sessions_ended", ended),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets up the second factor: checks a code from the new secret, stores it sealed.
    pub async fn enrol_totp(&self, s: &Session, secret: &str, code: &str) -> Result<()> {
        if !totp::check(secret, code, Utc::now().timestamp()) {
            return Err(
                Invalid::one("code", "totp.wrong", "动态口令不正确,请核对手机时间后重试").into(),
            );
        }
        let mut tx = self.db.begin().await?;
        self.db
            .set_account_totp(
                &mut tx,
                s.principal.account_id,
                Some(&self.keys.seal(secret)),
            )
            .await?;
        self.db.verify_session(&mut tx, &s.token_hash).await?;
        self.audit(
            &mut tx,
            AuditEntry::new("enrol_totp", "account", &s.principal.name),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Passes the second factor of a session opened before it was checked.
    pub async fn verify_totp(&self, s: &Session, code: &str) -> Result<()> {
        let account = self.db.account_by_id(s.principal.account_id).await?;
        let ok = account
            .totp_secret
            .as_deref()
            .and_then(|sealed| self.keys.open(sealed).ok())
            .is_some_and(|secret| totp::check(&secret, code, Utc::now().timestamp()));
        if !ok {
            return Err(Invalid::one("code", "totp.wrong", "动态口令不正确").into());
        }
        let mut tx = self.db.begin().await?;
        self.db.verify_session(&mut tx, &s.token_hash).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn accounts(&self) -> Result<Vec<AccountRow>> {
        Ok(self.db.accounts().await?)
    }

    /// Who acted, by name: account name → the person's display name (an
    /// account without one, or the console operator, keeps its name).
    pub async fn display_names(&self) -> Result<People> {
        Ok(People(
            self.db
                .account_display_names()
                .await?
                .into_iter()
                .filter(|(_, shown)| !shown.trim().is_empty())
                .collect(),
        ))
    }

    /// Another account than the caller's: administrators do not administer
    /// themselves, nor (三员分立) any administrator account: resetting,
    /// unlocking, disabling, re-roling or clearing the second factor of one
    /// would let one administrator sign in as another. Those acts are the
    /// console operator's (`gongyi user …`), audited like any other.
    async fn account_named(&self, name: &str) -> Result<AccountRow> {
        let a = self
            .db
            .account_by_name(name.trim())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::NotFound,
                other => other.into(),
            })?;
        if Some(a.id) == self.caller.account_id {
            return Err(AppError::Refused {
                field: "name",
                code: "account.self",
                message: "不能对自己的账号进行管理操作".into(),
            });
        }
        if !self.caller.is_operator() && Role::parse("role", &a.role).is_ok_and(Role::is_admin) {
            return Err(admin_console_only("name"));
        }
        Ok(a)
    }

    /// An administrator's reset: a new one-time password, every session ended.
    pub async fn reset_password(&self, name: &str) -> Result<Issued> {
        let account = self.account_named(name).await?;
        let otp = passwords::one_time();
        let mut tx = self.db.begin().await?;
        self.db
            .set_account_password(
                &mut tx,
                account.id,
                &passwords::hash(&otp),
                true,
                Utc::now(),
            )
            .await?;
        self.db.delete_sessions_of(&mut tx, account.id).await?;
        self.audit(
            &mut tx,
            AuditEntry::new("reset_password", "account", &account.name),
        )
        .await?;
        tx.commit().await?;
        Ok(Issued {
            account_id: account.id,
            name: account.name,
            one_time_password: otp,
        })
    }

    /// The security administrator's change of role and scope.
    pub async fn set_role(&self, input: &AccountInput) -> Result<()> {
        let account = self.account_named(&input.name).await?;
        let (role, sub, org) = self.resolve_role(input).await?;
        if role.is_admin() && !self.caller.is_operator() {
            return Err(admin_console_only("role"));
        }
        let mut tx = self.db.begin().await?;
        self.db
            .set_account_role(&mut tx, account.id, role.code(), sub.as_deref(), org)
            .await?;
        self.db.delete_sessions_of(&mut tx, account.id).await?;
        self.audit(
            &mut tx,
            AuditEntry::new("set_role", "account", &account.name)
                .change("role", Some(&account.role), Some(role.code()))
                .change(
                    "subdistrict",
                    account.subdistrict_code.as_deref(),
                    sub.as_deref(),
                )
                .change(
                    "org_id",
                    account.org_id.map(|o| o.to_string()).as_deref(),
                    org.map(|o| o.to_string()).as_deref(),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_disabled(&self, name: &str, disabled: bool) -> Result<()> {
        let account = self.account_named(name).await?;
        let mut tx = self.db.begin().await?;
        self.db
            .set_account_disabled(&mut tx, account.id, disabled)
            .await?;
        if disabled {
            self.db.delete_sessions_of(&mut tx, account.id).await?;
        }
        self.audit(
            &mut tx,
            AuditEntry::new(
                if disabled { "disable" } else { "enable" },
                "account",
                &account.name,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The security administrator lifts a lock and may clear a lost second factor.
    pub async fn unlock(&self, name: &str, clear_totp: bool) -> Result<()> {
        let account = self.account_named(name).await?;
        let mut tx = self.db.begin().await?;
        self.db.account_login_ok(&mut tx, account.id).await?;
        if clear_totp {
            self.db.set_account_totp(&mut tx, account.id, None).await?;
            self.db.delete_sessions_of(&mut tx, account.id).await?;
        }
        self.audit(
            &mut tx,
            AuditEntry::new("unlock", "account", &account.name).note("clear_totp", clear_totp),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes sessions past their limits (run now and then by the server).
    pub async fn purge_sessions(&self) -> Result<u64> {
        let now: DateTime<Utc> = Utc::now();
        Ok(self
            .db
            .purge_sessions(
                now - Duration::minutes(
                    self.settings
                        .idle_minutes
                        .max(self.settings.admin_idle_minutes),
                ),
                now - Duration::hours(self.settings.absolute_hours),
            )
            .await?)
    }
}
