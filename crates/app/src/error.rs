//! The one error type of use cases; the web layer turns it into a page or
//! `{code, message, fields}` once.
//!
//! Failures that are not the user's (storage, keys, writing an export, a
//! task) keep their source error and share the code `internal`.

use crate::security::keys::KeyError;
use gongyi_domain::Invalid;
use gongyi_interchange::WriteError;
use gongyi_store::StoreError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input refused; each field error names its field.
    #[error("{0}")]
    Invalid(Invalid),
    #[error("记录不存在")]
    NotFound,
    /// The record changed since it was read (optimistic concurrency).
    #[error("该记录已被他人修改,您的修改未保存。请刷新页面查看最新内容后重新修改。")]
    Conflict,
    /// A workflow step or a budget refused the request: `code` is the
    /// stable reason (e.g. `budget.shortfall`), `field` what it is about.
    #[error("{message}")]
    Refused {
        field: &'static str,
        code: &'static str,
        message: String,
    },
    /// No valid session: log in (again).
    #[error("请先登录")]
    Unauthenticated,
    /// Signed in, but the role does not grant this.
    #[error("您的账号无权进行此操作")]
    Forbidden,
    /// Signed in, but the role may not do this, for a reason worth saying
    /// (e.g. an organisation giving itself a rating): `code` is stable.
    #[error("{message}")]
    Denied { code: &'static str, message: String },
    /// A database failure, or stored data that does not decode
    /// ([`StoreError::Corrupt`]).
    #[error("{0}")]
    Store(#[source] StoreError),
    /// A sealed value that does not open: damage or a wrong key.
    #[error("{0}")]
    Key(#[from] KeyError),
    /// An export (csv, xlsx) that could not be written.
    #[error("{0}")]
    Export(#[from] WriteError),
    /// A test-vector bundle (or one of its files) that could not be read.
    #[error("{}: {source}", path.display())]
    Bundle {
        path: PathBuf,
        #[source]
        source: BundleError,
    },
    /// A background task that did not finish (it panicked or was cancelled).
    #[error("{0}")]
    Task(#[from] tokio::task::JoinError),
    /// The audit checkpoint file could not be read or written, or was edited.
    #[error("{0}")]
    Checkpoint(#[from] crate::security::checkpoint::CheckpointError),
    /// A stored record that contradicts its own state, e.g. an approved
    /// application without an amount.
    #[error("{entity} {id}: {problem}")]
    Inconsistent {
        entity: &'static str,
        id: String,
        problem: &'static str,
    },
}

/// Why a test-vector bundle could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{0}")]
    Vectors(#[from] gongyi_vectors::Error),
    #[error("{0}")]
    Csv(#[from] csv::Error),
}

impl AppError {
    /// A failure that is not the caller's: the web shows a generic message
    /// and logs the error.
    pub fn is_internal(&self) -> bool {
        self.code() == "internal"
    }

    /// The stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid_input",
            AppError::NotFound => "not_found",
            AppError::Conflict => "conflict",
            AppError::Refused { .. } => "refused",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden | AppError::Denied { .. } => "forbidden",
            AppError::Store(_)
            | AppError::Key(_)
            | AppError::Export(_)
            | AppError::Bundle { .. }
            | AppError::Task(_)
            | AppError::Checkpoint(_)
            | AppError::Inconsistent { .. } => "internal",
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e)
    }
}

impl From<gongyi_domain::applications::Refused> for AppError {
    fn from(r: gongyi_domain::applications::Refused) -> Self {
        AppError::Refused {
            field: r.field,
            code: r.code,
            message: r.message,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::Conflict => AppError::Conflict,
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::Duplicate { field } => AppError::Invalid(Invalid::one(
                field,
                "duplicate",
                match field {
                    "credit_code" => "该统一社会信用代码已登记,不能重复".to_string(),
                    "resident_id" => "该公民身份号码已登记,不能重复".to_string(),
                    "year" => "该年度的记录已存在".to_string(),
                    "date" => "该日期的记录已存在".to_string(),
                    "level" => "该等级的资格已登记".to_string(),
                    _ => "该记录已存在".to_string(),
                },
            )),
            other => AppError::Store(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongyi_domain::vocabulary::UnknownCode;

    #[test]
    fn a_corrupt_stored_code_is_internal_and_keeps_its_source() {
        let e = AppError::from(StoreError::Corrupt {
            column: "status".into(),
            source: UnknownCode {
                vocabulary: "申请状态",
                code: "LOST".into(),
            },
        });
        assert_eq!(e.code(), "internal");
        let source = std::error::Error::source(&e).map(ToString::to_string);
        assert_eq!(
            source.as_deref(),
            Some("stored value of status is corrupt: “LOST”不是申请状态的代码")
        );
    }
}
