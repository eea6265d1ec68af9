//! Store errors. Unique-key violations and lost updates are told apart from
//! other database failures so the layers above can explain them, and a
//! stored code that names nothing is told apart as damaged data.

use gongyi_domain::vocabulary::UnknownCode;
use gongyi_domain::Invalid;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("记录不存在")]
    NotFound,
    /// Optimistic concurrency: the record changed since the caller read it.
    #[error("该记录已被他人修改,请刷新后重试")]
    Conflict,
    /// A unique key is taken; `field` names the input field.
    #[error("{field} 已存在")]
    Duplicate { field: &'static str },
    /// A reference (e.g. sub-district code) that does not exist.
    #[error("{0}")]
    Invalid(Invalid),
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    #[error("数据库地址无效: {0}(应以 sqlite: 或 postgres: 开头)")]
    BadUrl(String),
    /// A stored code that is not one of its vocabulary's: the row was
    /// written by something other than this store, or damaged.
    #[error("stored value of {column} is corrupt: {source}")]
    Corrupt {
        column: String,
        #[source]
        source: UnknownCode,
    },
    #[error("database: {0}")]
    Db(sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Turns a unique violation into [`StoreError::Duplicate`] naming `field`.
    pub fn unique_as(e: sqlx::Error, field: &'static str) -> StoreError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate { field },
            _ => e.into(),
        }
    }
}

/// Row types decode codes inside sqlx (`crate::codes`), which reports a
/// code of no vocabulary as a column that did not decode, with our error as
/// its source: that becomes [`StoreError::Corrupt`], with the column's name.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::ColumnDecode { index, source } => match source.downcast::<UnknownCode>() {
                Ok(code) => StoreError::Corrupt {
                    // sqlx writes a column name as `"kind"`.
                    column: index.trim_matches('"').to_string(),
                    source: *code,
                },
                Err(source) => StoreError::Db(sqlx::Error::ColumnDecode { index, source }),
            },
            e => StoreError::Db(e),
        }
    }
}
