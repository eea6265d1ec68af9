//! Audit checkpoints: the chain's end remembered outside the database.
//!
//! The head row's MAC stops someone without the key from cutting the chain's
//! tail; it cannot stop someone who restores an older copy of the database,
//! or who holds the key. So every day (and on `gongyi audit checkpoint`) the
//! head's sequence number and MAC are appended, with the time and a MAC of
//! the line under the audit key, to a file on other storage
//! (`security.audit_checkpoint_file`); `verify` then fails when the chain
//! ends before the latest checkpoint or no longer holds the record it named,
//! and `/public/audit-checkpoint` publishes that line.
//!
//! A line: `seq<TAB>mac<TAB>time (RFC 3339, UTC)<TAB>tag`. Lines starting
//! with `#` are comments. The file is only ever appended to.

use super::keys::Keys;
use crate::{AppError, Registry, Result};
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One line of the checkpoint file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The sequence number of the chain's last record then (0: empty trail).
    pub seq: i64,
    /// That record's MAC ('' for an empty trail).
    pub mac: String,
    pub at: DateTime<Utc>,
    /// The MAC of the line's other fields under the audit key.
    pub tag: String,
}

/// Why the checkpoint file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    #[error("未配置审计检查点文件(security.audit_checkpoint_file)")]
    NotConfigured,
    #[error("无法读写审计检查点文件 {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// A line that does not parse, or whose tag is not ours: the file was
    /// edited, or written under another key.
    #[error("审计检查点文件 {path} 第 {line} 行无法识别或签名不符(被改动,或不是用本密钥写的)")]
    Forged { path: String, line: usize },
}

fn body(seq: i64, mac: &str, at: &DateTime<Utc>) -> String {
    format!(
        "{seq}\t{mac}\t{}",
        at.to_rfc3339_opts(SecondsFormat::Secs, true)
    )
}

/// The tag of a line, separated from record MACs by its prefix (a record's
/// canonical text starts with a number).
fn tag_of(keys: &Keys, body: &str) -> String {
    keys.audit_mac(&format!("checkpoint\u{1f}{body}"))
}

impl Checkpoint {
    fn new(keys: &Keys, seq: i64, mac: &str, at: DateTime<Utc>) -> Checkpoint {
        let at = at.trunc_subsecs(0);
        Checkpoint {
            seq,
            mac: mac.to_string(),
            tag: tag_of(keys, &body(seq, mac, &at)),
            at,
        }
    }

    /// The line as written to the file (without the line break).
    pub fn line(&self) -> String {
        format!("{}\t{}", body(self.seq, &self.mac, &self.at), self.tag)
    }

    /// Parses a line and checks its tag under `keys`.
    fn parse(keys: &Keys, line: &str) -> Option<Checkpoint> {
        let mut f = line.split('\t');
        let (seq, mac, at, tag) = (f.next()?, f.next()?, f.next()?, f.next()?);
        if f.next().is_some() {
            return None;
        }
        let cp = Checkpoint {
            seq: seq.parse().ok()?,
            mac: mac.to_string(),
            at: DateTime::parse_from_rfc3339(at).ok()?.with_timezone(&Utc),
            tag: tag.to_string(),
        };
        (tag_of(keys, &body(cp.seq, &cp.mac, &cp.at)) == cp.tag).then_some(cp)
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CheckpointError + '_ {
    move |source| CheckpointError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The last line of the file at `path`, checked; `None` when the file does
/// not exist yet or holds no line.
pub fn latest_in(keys: &Keys, path: &Path) -> Result<Option<Checkpoint>, CheckpointError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    let last = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .last();
    let Some((n, line)) = last else {
        return Ok(None);
    };
    Checkpoint::parse(keys, line.trim_end_matches('\r'))
        .map(Some)
        .ok_or_else(|| CheckpointError::Forged {
            path: path.display().to_string(),
            line: n + 1,
        })
}

/// Appends `cp` to the file at `path`, creating it readable by its owner
/// only, and waits until the line is on disk.
pub fn append_to(path: &Path, cp: &Checkpoint) -> Result<(), CheckpointError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io(path))?;
    let new_file = f.metadata().map_err(io(path))?.len() == 0;
    let mut text = String::new();
    if new_file {
        text.push_str(
            "# gongyi 审计链检查点:序号\tMAC\t时间(UTC)\t签名。只追加,勿编辑;请存放在数据库以外的存储上。\n",
        );
    }
    text.push_str(&cp.line());
    text.push('\n');
    f.write_all(text.as_bytes()).map_err(io(path))?;
    f.sync_data().map_err(io(path))
}

impl Registry {
    fn checkpoint_path(&self) -> Option<&PathBuf> {
        self.settings.audit_checkpoint_file.as_ref()
    }

    /// The latest checkpoint of the configured file, checked under the key;
    /// `None` when no file is configured or nothing was written yet.
    pub fn latest_checkpoint(&self) -> Result<Option<Checkpoint>, CheckpointError> {
        match self.checkpoint_path() {
            Some(p) => latest_in(&self.keys, p),
            None => Ok(None),
        }
    }

    /// Verifies the chain (against the latest checkpoint) and appends its
    /// end as a new checkpoint. A broken chain gets no checkpoint: that
    /// would vouch for it.
    pub async fn checkpoint_audit(&self) -> Result<Checkpoint> {
        let path = self
            .checkpoint_path()
            .ok_or(CheckpointError::NotConfigured)?
            .clone();
        if let super::audit::Verdict::Broken { seq, reason } = self.verify_audit().await? {
            return Err(AppError::Refused {
                field: "audit",
                code: "audit.broken",
                message: format!("审计链在第 {seq} 条断开:{reason};未写入检查点"),
            });
        }
        let head = self.db.audit_head().await?;
        let cp = Checkpoint::new(&self.keys, head.seq, &head.mac, Utc::now());
        append_to(&path, &cp)?;
        Ok(cp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_reads_back_only_under_its_key_and_unedited() {
        let k = Keys::for_tests();
        let cp = Checkpoint::new(&k, 42, "ab12", Utc::now());
        assert_eq!(Checkpoint::parse(&k, &cp.line()), Some(cp.clone()));
        let other = Keys::from_hex(&Keys::generate_hex()).expect("a generated key parses");
        assert_eq!(Checkpoint::parse(&other, &cp.line()), None);
        let edited = cp.line().replacen("42", "41", 1);
        assert_eq!(Checkpoint::parse(&k, &edited), None);
    }

    #[test]
    fn the_file_is_appended_to_and_its_last_line_counts() {
        let k = Keys::for_tests();
        let path = std::env::temp_dir().join(format!("gongyi-cp-{}", rand::random::<u64>()));
        assert_eq!(latest_in(&k, &path).ok(), Some(None));
        let a = Checkpoint::new(&k, 1, "aa", Utc::now());
        let b = Checkpoint::new(&k, 2, "bb", Utc::now());
        append_to(&path, &a).expect("written");
        append_to(&path, &b).expect("written");
        assert_eq!(latest_in(&k, &path).ok(), Some(Some(b)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
        std::fs::write(&path, "# x\n1\taa\tnot a time\tff\n").expect("written");
        assert!(matches!(
            latest_in(&k, &path),
            Err(CheckpointError::Forged { line: 2, .. })
        ));
        let _ = std::fs::remove_file(&path);
    }
}
