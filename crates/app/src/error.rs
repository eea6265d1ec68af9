//! The one error type of use cases; the web layer turns it into a page or
//! `{code, message, fields}` once.

use gongyi_domain::Invalid;
use gongyi_store::StoreError;

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
    #[error("{0}")]
    Store(StoreError),
    #[error("{0}")]
    Io(String),
}

impl AppError {
    /// The stable machine code for the API.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid_input",
            AppError::NotFound => "not_found",
            AppError::Conflict => "conflict",
            AppError::Refused { .. } => "refused",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::Store(_) | AppError::Io(_) => "internal",
        }
    }
}

impl From<Invalid> for AppError {
    fn from(e: Invalid) -> Self {
        AppError::Invalid(e)
    }
}

impl From<gongyi_domain::application::Refused> for AppError {
    fn from(r: gongyi_domain::application::Refused) -> Self {
        AppError::Refused {
            field: r.field,
            code: r.code,
            message: r.message,
        }
    }
}

/// A sealed value that does not open is damage or a wrong key: an
/// internal error, never shown to the user in detail.
impl From<crate::security::keys::KeyError> for AppError {
    fn from(e: crate::security::keys::KeyError) -> Self {
        AppError::Io(e.to_string())
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
