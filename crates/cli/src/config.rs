//! Layered configuration: defaults → file → `GONGYI_*` environment → flags.

use crate::commands::CliError;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `sqlite://FILE` (created if missing) or `postgres://user@host/db`.
    pub database_url: String,
    /// Address the web server binds to.
    pub bind: String,
    /// Requests per minute per client on the public API and downloads; 0 turns the limit off.
    pub public_rate_limit_per_minute: u32,
    /// Downloads (`/public/orgs.csv`, `.xlsx`, `.jsonl`) per minute per
    /// client, besides the public limit; 0 turns it off.
    pub public_download_limit_per_minute: u32,
    /// Where the unfiltered downloads are kept until the data changes; empty:
    /// beside the SQLite database (`FILE.downloads`), or in the system's
    /// temporary directory for PostgreSQL.
    pub public_download_cache_dir: String,
    /// Accounts, sessions, keys and the audit trail.
    pub security: Security,
    /// Open-contracting data of calls for purchased services.
    pub open_data: OpenData,
    /// The yearly cycle (年报): filing deadline and accounts file limit.
    pub annual_report: AnnualReport,
}

/// `[open_data]`: the OCDS release packages of calls (`/api/v1/public/ocds/{ocid}`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OpenData {
    /// The `ocid` prefix registered with the Open Contracting Partnership
    /// (`ocds-` and six characters); every call's ocid is `PREFIX-call-ID`.
    pub ocid_prefix: String,
    /// The publisher named in release packages.
    pub publisher: String,
    /// The site's public address, for the packages' `uri`.
    pub public_url: String,
}

impl Default for OpenData {
    fn default() -> Self {
        let s = gongyi_app::calls::CallSettings::default();
        OpenData {
            ocid_prefix: s.ocid_prefix,
            publisher: s.publisher,
            public_url: s.public_url,
        }
    }
}

/// `[annual_report]`: the filing deadline of the report of year Y (in Y+1)
/// and the largest audited-accounts file accepted.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AnnualReport {
    /// `MM-DD` of the year after the report year (env
    /// GONGYI_ANNUAL_REPORT_DEADLINE); 05-31 by default.
    pub deadline: String,
    /// Bytes (env GONGYI_ANNUAL_REPORT_MAX_FILE_BYTES); at most what an
    /// upload form can carry (a little under 2 MiB).
    pub accounts_max_bytes: usize,
}

impl Default for AnnualReport {
    fn default() -> Self {
        let d = gongyi_app::annual_report::ReportSettings::default();
        AnnualReport {
            deadline: format!(
                "{:02}-{:02}",
                d.window.deadline_month, d.window.deadline_day
            ),
            accounts_max_bytes: d.max_file_bytes,
        }
    }
}

impl OpenData {
    pub fn settings(&self) -> Result<gongyi_app::calls::CallSettings, CliError> {
        let p = self.ocid_prefix.trim();
        if !p.starts_with("ocds-")
            || p.len() < 6
            || !p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            return Err(CliError(format!(
                "open_data.ocid_prefix 应为“ocds-”加登记的前缀(字母和数字),而非 {p}"
            )));
        }
        Ok(gongyi_app::calls::CallSettings {
            ocid_prefix: p.to_string(),
            publisher: self.publisher.trim().to_string(),
            public_url: self.public_url.trim().to_string(),
        })
    }
}

impl AnnualReport {
    /// The settings the application runs with; refuses a day no year has
    /// and a file limit the server's request limit would cut.
    pub fn settings(&self) -> Result<gongyi_app::annual_report::ReportSettings, CliError> {
        let window = gongyi_domain::annual_report::FilingWindow::parse(&self.deadline)
            .map_err(|e| CliError(format!("annual_report.deadline: {e}")))?;
        let max = gongyi_web::MAX_UPLOAD_BYTES;
        if self.accounts_max_bytes < 1024 || self.accounts_max_bytes > max {
            return Err(CliError(format!(
                "annual_report.accounts_max_bytes 应在 1024 到 {max} 之间(当前 {})",
                self.accounts_max_bytes
            )));
        }
        Ok(gongyi_app::annual_report::ReportSettings {
            window,
            max_file_bytes: self.accounts_max_bytes,
        })
    }
}

/// `[security]`: the settings of 等保 2.0.
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Security {
    /// 2, or 3 to require a second factor of administrators and bureau staff.
    pub level: u8,
    /// The 32-byte master key as 64 hex characters (env GONGYI_KEY); when
    /// empty, `key_file` is read (and created with a new key if missing).
    pub key: String,
    /// Empty: next to the SQLite database (`FILE.key`), or `gongyi.key`.
    pub key_file: String,
    pub password_min_length: usize,
    pub password_min_classes: usize,
    /// Days until a password must be changed; 0 = never.
    pub password_expiry_days: u32,
    pub lockout_failures: i64,
    pub lockout_minutes: i64,
    pub idle_minutes: i64,
    pub admin_idle_minutes: i64,
    pub absolute_hours: i64,
    /// Never below 180 (六个月).
    pub audit_retention_days: u32,
    /// Mark cookies Secure: set when the server is reached over TLS.
    pub secure_cookies: bool,
    /// Requests per minute per client on the signed-in API; 0 = off.
    pub api_rate_limit_per_minute: u32,
    /// Login attempts per minute per client address; 0 = off.
    pub login_rate_limit_per_minute: u32,
    /// The append-only file of audit checkpoints; keep it on other storage
    /// than the database. Empty: `FILE.checkpoints` beside a SQLite
    /// database; with PostgreSQL, `gongyi.checkpoints` in the server's
    /// working directory (the application host, not the database's).
    pub audit_checkpoint_file: String,
}

impl Default for Security {
    fn default() -> Self {
        let s = gongyi_app::security::accounts::SecuritySettings::default();
        let web = gongyi_web::WebConfig::default();
        Security {
            level: s.level,
            key: String::new(),
            key_file: String::new(),
            password_min_length: s.password.min_length,
            password_min_classes: s.password.min_classes,
            password_expiry_days: s.password.expiry_days,
            lockout_failures: s.lockout_failures,
            lockout_minutes: s.lockout_minutes,
            idle_minutes: s.idle_minutes,
            admin_idle_minutes: s.admin_idle_minutes,
            absolute_hours: s.absolute_hours,
            audit_retention_days: gongyi_app::security::audit::MIN_RETENTION_DAYS,
            secure_cookies: web.secure_cookies,
            api_rate_limit_per_minute: per_minute(web.api_rate_limit),
            login_rate_limit_per_minute: per_minute(web.login_rate_limit),
            audit_checkpoint_file: String::new(),
        }
    }
}

impl Security {
    /// The settings the application runs with; refuses what the assessment forbids.
    pub fn settings(&self) -> Result<gongyi_app::security::accounts::SecuritySettings, CliError> {
        if !(2..=3).contains(&self.level) {
            return Err(CliError(format!(
                "security.level 只能为 2 或 3,而非 {}",
                self.level
            )));
        }
        if self.audit_retention_days < gongyi_app::security::audit::MIN_RETENTION_DAYS {
            return Err(CliError(format!(
                "security.audit_retention_days 不得少于 180 天(当前 {})",
                self.audit_retention_days
            )));
        }
        if self.lockout_failures < 1 || self.idle_minutes < 1 || self.admin_idle_minutes < 1 {
            return Err(CliError("security 中的锁定次数与超时时间须为正数".into()));
        }
        Ok(gongyi_app::security::accounts::SecuritySettings {
            level: self.level,
            password: gongyi_domain::password::PasswordPolicy {
                min_length: self.password_min_length,
                min_classes: self.password_min_classes,
                expiry_days: self.password_expiry_days,
            },
            lockout_failures: self.lockout_failures,
            lockout_minutes: self.lockout_minutes,
            idle_minutes: self.idle_minutes,
            admin_idle_minutes: self.admin_idle_minutes,
            absolute_hours: self.absolute_hours,
            // Depends on the database URL: set by `commands::registry`.
            audit_checkpoint_file: None,
        })
    }

    /// Where audit checkpoints are appended (see `audit_checkpoint_file`).
    pub fn checkpoint_file(&self, database_url: &str) -> std::path::PathBuf {
        if !self.audit_checkpoint_file.is_empty() {
            return self.audit_checkpoint_file.clone().into();
        }
        match sqlite_file(database_url) {
            Some(db) => format!("{db}.checkpoints").into(),
            None => "gongyi.checkpoints".into(),
        }
    }

    /// The keys: from `key`, or from `key_file`, which is created with a
    /// fresh key (readable by the owner only) the first time.
    pub fn keys(&self, database_url: &str) -> Result<gongyi_app::security::keys::Keys, CliError> {
        use gongyi_app::security::keys::Keys;
        if !self.key.trim().is_empty() {
            return Keys::from_hex(&self.key).map_err(|e| CliError(format!("security.key: {e}")));
        }
        let file = if !self.key_file.is_empty() {
            self.key_file.clone()
        } else if let Some(db) = sqlite_file(database_url) {
            format!("{db}.key")
        } else {
            "gongyi.key".into()
        };
        let path = Path::new(&file);
        if !path.exists() {
            write_key_file(path, &Keys::generate_hex())?;
            eprintln!(
                "已生成新的主密钥文件 {}:请妥善备份,丢失后已加密的身份证号和手机号将无法解密。",
                path.display()
            );
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError(format!("无法读取密钥文件 {}: {e}", path.display())))?;
        Keys::from_hex(&text).map_err(|e| CliError(format!("密钥文件 {}: {e}", path.display())))
    }
}

/// The database file of a `sqlite://FILE?options` URL.
fn sqlite_file(database_url: &str) -> Option<&str> {
    let db = database_url.strip_prefix("sqlite://")?;
    Some(db.split('?').next().unwrap_or(db))
}

/// A limit of the web layer's defaults as requests per minute (0 = none).
fn per_minute(limit: Option<gongyi_web::RateLimit>) -> u32 {
    limit.map_or(0, |l| {
        let secs = l.window.as_secs().max(1);
        u32::try_from(u64::from(l.requests) * 60 / secs).unwrap_or(u32::MAX)
    })
}

fn write_key_file(path: &Path, hex: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| CliError(format!("无法创建密钥文件 {}: {e}", path.display())))?;
    writeln!(f, "{hex}").map_err(|e| CliError(format!("无法写入密钥文件 {}: {e}", path.display())))
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://gongyi.db".into(),
            bind: "127.0.0.1:8080".into(),
            public_rate_limit_per_minute: per_minute(
                gongyi_web::WebConfig::default().public_rate_limit,
            ),
            public_download_limit_per_minute: per_minute(
                gongyi_web::WebConfig::default().public_download_limit,
            ),
            public_download_cache_dir: String::new(),
            security: Security::default(),
            open_data: OpenData::default(),
            annual_report: AnnualReport::default(),
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
            .field(
                "public_download_limit_per_minute",
                &self.public_download_limit_per_minute,
            )
            .field("public_download_cache_dir", &self.public_download_cache_dir)
            .field("open_data", &self.open_data)
            .field("annual_report", &self.annual_report)
            .field("security.level", &self.security.level)
            .field(
                "security.key",
                &if self.security.key.is_empty() {
                    ""
                } else {
                    "***"
                },
            )
            .field("security.key_file", &self.security.key_file)
            .field(
                "security.audit_checkpoint_file",
                &self.security.audit_checkpoint_file,
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
        if let Ok(v) = std::env::var("GONGYI_PUBLIC_DOWNLOAD_LIMIT") {
            cfg.public_download_limit_per_minute = v
                .parse()
                .map_err(|_| CliError(format!("GONGYI_PUBLIC_DOWNLOAD_LIMIT 应为整数,而非 {v}")))?;
        }
        if let Ok(v) = std::env::var("GONGYI_ANNUAL_REPORT_DEADLINE") {
            cfg.annual_report.deadline = v;
        }
        if let Ok(v) = std::env::var("GONGYI_ANNUAL_REPORT_MAX_FILE_BYTES") {
            cfg.annual_report.accounts_max_bytes = v.parse().map_err(|_| {
                CliError(format!(
                    "GONGYI_ANNUAL_REPORT_MAX_FILE_BYTES 应为整数,而非 {v}"
                ))
            })?;
        }
        if let Ok(v) = std::env::var("GONGYI_KEY") {
            cfg.security.key = v;
        }
        if let Ok(v) = std::env::var("GONGYI_OCID_PREFIX") {
            cfg.open_data.ocid_prefix = v;
        }
        if let Ok(v) = std::env::var("GONGYI_KEY_FILE") {
            cfg.security.key_file = v;
        }
        if let Some(v) = database_flag {
            cfg.database_url = v;
        }
        Ok(cfg)
    }

    /// The directory of cached downloads (see `public_download_cache_dir`).
    /// For PostgreSQL the default is named after the database, so servers of
    /// two databases on one machine keep apart.
    pub fn download_cache_dir(&self) -> PathBuf {
        if !self.public_download_cache_dir.is_empty() {
            return PathBuf::from(&self.public_download_cache_dir);
        }
        if let Some(db) = self.database_url.strip_prefix("sqlite://") {
            return PathBuf::from(format!("{}.downloads", db.split('?').next().unwrap_or(db)));
        }
        use std::hash::{Hash, Hasher};
        let mut h = std::hash::DefaultHasher::new();
        redact(&self.database_url).hash(&mut h);
        std::env::temp_dir().join(format!("gongyi-downloads-{:016x}", h.finish()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_annual_report_section_sets_the_deadline_and_the_file_limit() {
        let cfg: Config =
            toml::from_str("[annual_report]\ndeadline = \"03-31\"\naccounts_max_bytes = 524288\n")
                .expect("parses");
        let s = cfg.annual_report.settings().expect("valid");
        assert_eq!(
            s.window.deadline(2024),
            chrono::NaiveDate::from_ymd_opt(2025, 3, 31).expect("date")
        );
        assert_eq!(s.max_file_bytes, 524_288);
        let d = Config::default().annual_report.settings().expect("valid");
        assert_eq!(
            d.window.deadline(2024),
            chrono::NaiveDate::from_ymd_opt(2025, 5, 31).expect("date")
        );
    }

    #[test]
    fn a_deadline_no_year_has_or_a_file_limit_over_the_request_limit_is_refused() {
        for (deadline, bytes) in [
            ("02-30", 1024 * 1024),
            ("5/31", 1024 * 1024),
            ("05-31", 4 << 20),
        ] {
            let a = AnnualReport {
                deadline: deadline.into(),
                accounts_max_bytes: bytes,
            };
            assert!(a.settings().is_err(), "{deadline} {bytes} accepted");
        }
    }

    #[test]
    fn the_example_configuration_reads_back() {
        let text = include_str!("../../../config/gongyi.example.toml");
        let cfg: Config = toml::from_str(text).expect("example parses");
        cfg.annual_report.settings().expect("example valid");
    }
}
