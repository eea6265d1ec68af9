//! Reference data the bureau edits: sub-districts and service fields.

use crate::{on_db, Db, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RefRow {
    pub code: String,
    pub name: String,
    pub sort_order: i64,
}

impl Db {
    pub async fn subdistricts(&self) -> Result<Vec<RefRow>> {
        Ok(
            on_db!(self, p => sqlx::query_as("SELECT code, name, sort_order FROM subdistricts ORDER BY sort_order, code")
            .fetch_all(p).await?),
        )
    }

    pub async fn service_fields(&self) -> Result<Vec<RefRow>> {
        Ok(
            on_db!(self, p => sqlx::query_as("SELECT code, name, sort_order FROM service_fields ORDER BY sort_order, code")
            .fetch_all(p).await?),
        )
    }

    /// Adds or renames a sub-district.
    pub async fn upsert_subdistrict(&self, code: &str, name: &str, sort_order: i64) -> Result<()> {
        on_db!(self, p => sqlx::query(
            "INSERT INTO subdistricts (code, name, sort_order) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, sort_order = excluded.sort_order")
            .bind(code).bind(name).bind(sort_order).execute(p).await?.rows_affected());
        Ok(())
    }
}
