//! Store errors. Unique-key violations and lost updates are told apart from
//! other database failures so the layers above can explain them.

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
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// Turns a unique violation into [`StoreError::Duplicate`] naming `field`.
    pub fn unique_as(e: sqlx::Error, field: &'static str) -> StoreError {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => StoreError::Duplicate { field },
            _ => StoreError::Db(e),
        }
    }
}
