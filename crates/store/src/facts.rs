//! Provenance of fact rows and the declarations that wait for verification
//! (migration 0017).
//!
//! A fact row is inserted by the insert of its kind (`history`, `people`,
//! `policy_facts`), then stamped with its provenance here in the same
//! transaction, so the inserts every other path uses stay as they are. A
//! declaration is a row of `declarations` until it is verified (its fact is
//! then written and `fact_id` names it) or returned.
//!
//! What it deliberately does not do: decide who may state or verify what
//! (`domain::access::who_states`), or validate a declaration's fields.

use crate::codes::Code;
use crate::query::{bind_all, Bind};
use crate::{on_db, on_tx, Db, Result, StoreError, Tx};
use chrono::{DateTime, Utc};
use gongyi_domain::access::Scope;
use gongyi_domain::facts::{DeclarationStatus, FactKind, FactSource};
use gongyi_domain::policy::YearMonth;

/// Where a stored fact came from and who vouches for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    pub source: FactSource,
    /// The account (or the operator's name) that stated the fact.
    pub stated_by: String,
    /// Its role code, or `system` for the operator at the command line.
    pub stated_role: String,
    pub verified_by: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
}

/// A declaration to write.
#[derive(Debug, Clone)]
pub struct NewDeclaration<'a> {
    pub kind: FactKind,
    pub org_id: i64,
    pub person_id: Option<i64>,
    /// The fields as typed, as a JSON object of strings.
    pub payload: &'a str,
    pub stated_by: &'a str,
    pub stated_role: &'a str,
    pub stated_at: DateTime<Utc>,
}

/// A declaration with the names pages show.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DeclarationRow {
    pub id: i64,
    #[sqlx(try_from = "Code<FactKind>")]
    pub kind: FactKind,
    pub org_id: i64,
    pub org_credit_code: String,
    pub org_name: String,
    pub subdistrict_code: String,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub payload: String,
    #[sqlx(try_from = "Code<DeclarationStatus>")]
    pub status: DeclarationStatus,
    pub stated_by: String,
    pub stated_role: String,
    pub stated_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub fact_id: Option<i64>,
}

/// The decision on a pending declaration.
#[derive(Debug, Clone)]
pub struct Decision<'a> {
    pub status: DeclarationStatus,
    pub decided_by: &'a str,
    pub decided_at: DateTime<Utc>,
    pub reason: Option<&'a str>,
    pub fact_id: Option<i64>,
}

const DECLARATION_COLUMNS: &str = "d.id, d.kind, d.org_id, o.credit_code AS org_credit_code,
    o.name AS org_name, o.subdistrict_code, d.person_id, p.name AS person_name, d.payload, d.status,
    d.stated_by, d.stated_role, d.stated_at, d.decided_by, d.decided_at, d.reason, d.fact_id
    FROM declarations d JOIN organizations o ON o.id = d.org_id LEFT JOIN people p ON p.id = d.person_id";

/// Which declarations to list.
#[derive(Debug, Clone, Default)]
pub struct DeclarationFilter {
    pub status: Option<DeclarationStatus>,
    pub org_id: Option<i64>,
    pub person_id: Option<i64>,
}

impl Db {
    /// Stamps the fact row `id` of `kind` with its provenance. A kind kept
    /// in the organisation's own columns has no row to stamp.
    pub async fn set_provenance(
        &self,
        tx: &mut Tx,
        kind: FactKind,
        id: i64,
        p: &Provenance,
    ) -> Result<()> {
        let Some(table) = kind.table() else {
            return Ok(());
        };
        // `table` comes from the closed list of `FactKind::table`.
        let sql = format!(
            "UPDATE {table} SET source = $1, stated_by = $2, stated_role = $3,
             verified_by = $4, verified_at = $5 WHERE id = $6"
        );
        let n = on_tx!(tx, c => sqlx::query(&sql)
            .bind(p.source.code()).bind(&p.stated_by).bind(&p.stated_role)
            .bind(&p.verified_by).bind(p.verified_at).bind(id)
            .execute(&mut **c).await?.rows_affected());
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The provenance of the fact row `id` of `kind`.
    pub async fn provenance(&self, kind: FactKind, id: i64) -> Result<Provenance> {
        let Some(table) = kind.table() else {
            return Err(StoreError::NotFound);
        };
        let sql = format!(
            "SELECT source, COALESCE(stated_by, ''), COALESCE(stated_role, ''), verified_by, verified_at
             FROM {table} WHERE id = $1"
        );
        let (source, stated_by, stated_role, verified_by, verified_at): (
            Code<FactSource>,
            String,
            String,
            Option<String>,
            Option<DateTime<Utc>>,
        ) = on_db!(self, p => sqlx::query_as(&sql).bind(id).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)?;
        Ok(Provenance {
            source: source.into(),
            stated_by,
            stated_role,
            verified_by,
            verified_at,
        })
    }

    /// Whether the organisation has a lease for `month` on record (R3: one
    /// lease per organisation and month).
    pub async fn lease_month_taken_tx(
        &self,
        tx: &mut Tx,
        org_id: i64,
        month: YearMonth,
    ) -> Result<bool> {
        let n: i64 = on_tx!(tx, c => sqlx::query_scalar(
            "SELECT COUNT(*) FROM leases WHERE org_id = $1 AND month = $2")
            .bind(org_id).bind(month.to_string()).fetch_one(&mut **c).await?);
        Ok(n > 0)
    }

    pub async fn insert_declaration(&self, tx: &mut Tx, d: &NewDeclaration<'_>) -> Result<i64> {
        Ok(on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO declarations (kind, org_id, person_id, payload, status, stated_by, stated_role, stated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(d.kind.code()).bind(d.org_id).bind(d.person_id).bind(d.payload)
            .bind(DeclarationStatus::Pending.code()).bind(d.stated_by).bind(d.stated_role).bind(d.stated_at)
            .fetch_one(&mut **c).await?))
    }

    /// One declaration, read inside the transaction that decides it.
    pub async fn declaration_tx(&self, tx: &mut Tx, id: i64) -> Result<DeclarationRow> {
        let sql = format!("SELECT {DECLARATION_COLUMNS} WHERE d.id = $1");
        on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut **c).await?)
            .ok_or(StoreError::NotFound)
    }

    /// Decides a pending declaration; one decided meanwhile is a conflict,
    /// so two verifiers cannot both write its fact.
    pub async fn decide_declaration(&self, tx: &mut Tx, id: i64, d: &Decision<'_>) -> Result<()> {
        let n = on_tx!(tx, c => sqlx::query(
            "UPDATE declarations SET status = $1, decided_by = $2, decided_at = $3, reason = $4, fact_id = $5
             WHERE id = $6 AND status = $7")
            .bind(d.status.code()).bind(d.decided_by).bind(d.decided_at).bind(d.reason).bind(d.fact_id)
            .bind(id).bind(DeclarationStatus::Pending.code())
            .execute(&mut **c).await?.rows_affected());
        if n == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict)
        }
    }

    /// Declarations inside `scope` (of organisations it covers), newest
    /// first, at most `limit`.
    pub async fn declarations(
        &self,
        scope: &Scope,
        f: &DeclarationFilter,
        limit: i64,
    ) -> Result<Vec<DeclarationRow>> {
        let mut b: Vec<Bind> = Vec::new();
        let mut w: Vec<String> = Vec::new();
        if let Some(c) = crate::orgs::org_scope_condition(scope, &mut b) {
            w.push(c);
        }
        if let Some(s) = f.status {
            b.push(Bind::Text(s.code().into()));
            w.push(format!("d.status = ${}", b.len()));
        }
        if let Some(id) = f.org_id {
            b.push(Bind::Int(id));
            w.push(format!("d.org_id = ${}", b.len()));
        }
        if let Some(id) = f.person_id {
            b.push(Bind::Int(id));
            w.push(format!("d.person_id = ${}", b.len()));
        }
        let cond = if w.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", w.join(" AND "))
        };
        let limit = limit.clamp(1, crate::MAX_PER_PAGE);
        let sql = format!("SELECT {DECLARATION_COLUMNS}{cond} ORDER BY d.id DESC LIMIT {limit}");
        Ok(on_db!(self, p => bind_all!(sqlx::query_as(&sql), &b).fetch_all(p).await?))
    }
}
