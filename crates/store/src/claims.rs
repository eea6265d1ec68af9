//! Claims to register a person who is already registered outside the
//! claimant's scope: kept for the bureau to resolve (`app::people`).

use crate::{on_db, on_tx, Db, Result, StoreError, Tx};
use chrono::{DateTime, Utc};

/// A claim as the bureau reads it, with the person it names (masked).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonClaimRow {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub resident_id_masked: String,
    pub claimed_name: String,
    pub claimant_name: String,
    pub claimant_role: String,
    pub claimed_at: DateTime<Utc>,
}

impl Db {
    pub async fn insert_person_claim(
        &self,
        tx: &mut Tx,
        person_id: i64,
        claimed_name: &str,
        claimant: (&str, &str),
        at: DateTime<Utc>,
    ) -> Result<i64> {
        Ok(on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO person_claims (person_id, claimed_name, claimant_name, claimant_role,
             claimed_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(person_id).bind(claimed_name).bind(claimant.0).bind(claimant.1).bind(at)
            .fetch_one(&mut **c).await?))
    }

    /// Claims not yet resolved, oldest first, at most `limit`.
    pub async fn open_person_claims(&self, limit: i64) -> Result<Vec<PersonClaimRow>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT c.id, c.person_id, p.name AS person_name,
             COALESCE(p.resident_id_masked, '') AS resident_id_masked, c.claimed_name,
             c.claimant_name, c.claimant_role, c.claimed_at
             FROM person_claims c JOIN people p ON p.id = c.person_id
             WHERE c.resolved_at IS NULL ORDER BY c.id LIMIT $1")
            .bind(limit).fetch_all(p).await?))
    }

    /// Marks a claim resolved; `NotFound` when it is unknown or resolved already.
    pub async fn resolve_person_claim(
        &self,
        tx: &mut Tx,
        id: i64,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "UPDATE person_claims SET resolved_at = $2, resolved_by = $3
             WHERE id = $1 AND resolved_at IS NULL RETURNING person_id")
            .bind(id).bind(at).bind(by).fetch_optional(&mut **c).await?)
        .ok_or(StoreError::NotFound)
    }
}
