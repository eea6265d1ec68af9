//! The guidance catalogue (引导目录): items, the sub-districts each serves,
//! quotas per year, and per item and year what was called and awarded.
//! Rules (what a quota allows) are the domain's (`domain::catalogue`).

use crate::{on_db, on_tx, Db, Result, StoreError, Tx};
use chrono::{DateTime, Utc};
use gongyi_domain::catalogue::{ItemInput, Quota, Used};
use gongyi_domain::Fen;

/// An item with its service field's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub id: i64,
    pub series: String,
    pub name: String,
    pub service_field: String,
    pub service_field_name: Option<String>,
    pub description: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
}

/// A sub-district an item serves.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemPlaceRow {
    pub item_id: i64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuotaRow {
    pub item_id: i64,
    pub year: i64,
    pub projects: i64,
    pub amount_fen: i64,
}

/// One item in one year: its quota (if any), the calls published against it
/// (not cancelled) with their budgets, and the awards with their prices.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemYearRow {
    pub item_id: i64,
    pub year: i64,
    pub series: String,
    pub name: String,
    pub quota_projects: Option<i64>,
    pub quota_amount_fen: Option<i64>,
    pub called: i64,
    pub called_fen: i64,
    pub awarded: i64,
    pub awarded_fen: i64,
}

const SELECT_ITEM: &str = "SELECT i.id, i.series, i.name, i.service_field,
 f.name AS service_field_name, i.description, i.version, i.created_by, i.updated_at
 FROM catalogue_items i LEFT JOIN service_fields f ON f.code = i.service_field";

impl Db {
    /// A new item; [`StoreError::Duplicate`] (`name`) when the series has it.
    pub async fn insert_catalogue_item(
        &self,
        tx: &mut Tx,
        i: &ItemInput,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        let id: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO catalogue_items (series, name, service_field, description, created_by,
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
            .bind(&i.series).bind(&i.name).bind(&i.service_field).bind(&i.description)
            .bind(by).bind(at)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "name"))?);
        self.put_item_places(tx, id, &i.subdistricts).await?;
        Ok(id)
    }

    /// Replaces an item read at `version`; [`StoreError::Conflict`] when it
    /// changed since.
    pub async fn update_catalogue_item(
        &self,
        tx: &mut Tx,
        id: i64,
        version: i64,
        i: &ItemInput,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let n = on_tx!(tx, c => sqlx::query(
            "UPDATE catalogue_items SET series = $3, name = $4, service_field = $5,
             description = $6, updated_at = $7, version = version + 1
             WHERE id = $1 AND version = $2")
            .bind(id).bind(version).bind(&i.series).bind(&i.name).bind(&i.service_field)
            .bind(&i.description).bind(at)
            .execute(&mut **c).await.map_err(|e| StoreError::unique_as(e, "name"))?
            .rows_affected());
        if n == 0 {
            return Err(StoreError::Conflict);
        }
        on_tx!(tx, c => sqlx::query("DELETE FROM catalogue_item_subdistricts WHERE item_id = $1")
            .bind(id).execute(&mut **c).await?.rows_affected());
        self.put_item_places(tx, id, &i.subdistricts).await
    }

    async fn put_item_places(&self, tx: &mut Tx, id: i64, codes: &[String]) -> Result<()> {
        for code in codes {
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO catalogue_item_subdistricts (item_id, subdistrict_code) VALUES ($1, $2)")
                .bind(id).bind(code).execute(&mut **c).await?.rows_affected());
        }
        Ok(())
    }

    /// Every item, by series and name.
    pub async fn catalogue_items(&self) -> Result<Vec<ItemRow>> {
        let sql = format!("{SELECT_ITEM} ORDER BY i.series, i.name, i.id");
        Ok(on_db!(self, p => sqlx::query_as::<_, ItemRow>(&sql).fetch_all(p).await?))
    }

    pub async fn catalogue_item(&self, id: i64) -> Result<ItemRow> {
        let sql = format!("{SELECT_ITEM} WHERE i.id = $1");
        on_db!(self, p => sqlx::query_as::<_, ItemRow>(&sql).bind(id).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// The sub-districts of every item (`item` `None`) or of one.
    pub async fn catalogue_places(&self, item: Option<i64>) -> Result<Vec<ItemPlaceRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT x.item_id, x.subdistrict_code AS code, s.name
             FROM catalogue_item_subdistricts x JOIN subdistricts s ON s.code = x.subdistrict_code
             WHERE $1 IS NULL OR x.item_id = $1 ORDER BY x.item_id, s.sort_order, s.code")
            .bind(item).fetch_all(p).await?))
    }

    /// Sets an item's quota of a year, replacing an earlier one.
    pub async fn set_catalogue_quota(&self, tx: &mut Tx, item: i64, q: &Quota) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "INSERT INTO catalogue_quotas (item_id, year, projects, amount_fen) VALUES ($1, $2, $3, $4)
             ON CONFLICT (item_id, year) DO UPDATE SET projects = excluded.projects,
             amount_fen = excluded.amount_fen")
            .bind(item).bind(i64::from(q.year)).bind(q.projects).bind(q.amount.get())
            .execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    pub async fn catalogue_quotas(&self, item: i64) -> Result<Vec<QuotaRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT item_id, year, projects, amount_fen FROM catalogue_quotas WHERE item_id = $1
             ORDER BY year DESC").bind(item).fetch_all(p).await?))
    }

    /// The quota of a year and what published calls already use of it, as
    /// this transaction sees it (publication holds the write lock on SQLite
    /// and locks the quota row on PostgreSQL, so two publications cannot
    /// both take the last place).
    pub async fn quota_in_use(
        &self,
        tx: &mut Tx,
        item: i64,
        year: i32,
    ) -> Result<(Option<Quota>, Used)> {
        let lock = match tx {
            Tx::Postgres(_) => " FOR UPDATE",
            Tx::Sqlite(_) => "",
        };
        let sql = format!(
            "SELECT projects, amount_fen FROM catalogue_quotas WHERE item_id = $1 AND year = $2{lock}"
        );
        let q: Option<(i64, i64)> = on_tx!(tx, c => sqlx::query_as(&sql)
            .bind(item).bind(i64::from(year)).fetch_optional(&mut **c).await?);
        let (n, sum): (i64, Option<i64>) = on_tx!(tx, c => sqlx::query_as(
            "SELECT COUNT(*), CAST(SUM(budget_fen) AS BIGINT) FROM calls WHERE item_id = $1 AND year = $2
             AND status NOT IN ('DRAFT', 'CANCELLED')")
            .bind(item).bind(i64::from(year)).fetch_one(&mut **c).await?);
        Ok((
            q.map(|(projects, amount)| Quota {
                year,
                projects,
                amount: Fen(amount),
            }),
            Used {
                projects: n,
                amount: Fen(sum.unwrap_or(0)),
            },
        ))
    }

    /// Every item in `year`: quota, called and awarded.
    pub async fn catalogue_year(&self, year: i32) -> Result<Vec<ItemYearRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT i.id AS item_id, CAST($1 AS BIGINT) AS year, i.series, i.name, q.projects AS quota_projects,
             q.amount_fen AS quota_amount_fen,
             (SELECT COUNT(*) FROM calls c WHERE c.item_id = i.id AND c.year = $1
               AND c.status NOT IN ('DRAFT', 'CANCELLED')) AS called,
             (SELECT CAST(COALESCE(SUM(c.budget_fen), 0) AS BIGINT) FROM calls c WHERE c.item_id = i.id
               AND c.year = $1 AND c.status NOT IN ('DRAFT', 'CANCELLED')) AS called_fen,
             (SELECT COUNT(*) FROM calls c WHERE c.item_id = i.id AND c.year = $1
               AND c.awarded_bid IS NOT NULL) AS awarded,
             (SELECT CAST(COALESCE(SUM(b.price_fen), 0) AS BIGINT) FROM calls c JOIN bids b ON b.id = c.awarded_bid
               WHERE c.item_id = i.id AND c.year = $1) AS awarded_fen
             FROM catalogue_items i
             LEFT JOIN catalogue_quotas q ON q.item_id = i.id AND q.year = $1
             ORDER BY i.series, i.name, i.id")
            .bind(i64::from(year)).fetch_all(p).await?))
    }
}
