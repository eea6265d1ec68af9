//! Bulk reads for exports: every record of a kind, in id order, a batch at a
//! time, each column cast to text (the same text on both backends, except
//! booleans, which the caller normalises).

use crate::{on_db, Db, Result};
use sqlx::Row;

/// The SELECT list (all cast to TEXT) and FROM clause of each exportable kind;
/// `x.id` is the keyset column. `{RID}` stands for the person's resident ID
/// column: sealed or masked (the plain number is not stored).
fn query_of(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "inspections" => "CAST(x.id AS TEXT), o.credit_code, CAST(x.year AS TEXT), x.result, CAST(x.date AS TEXT)
            FROM inspections x JOIN organizations o ON o.id = x.org_id",
        "ratings" => "CAST(x.id AS TEXT), o.credit_code, x.level, CAST(x.date AS TEXT)
            FROM ratings x JOIN organizations o ON o.id = x.org_id",
        "honours" => "CAST(x.id AS TEXT), o.credit_code, x.title, x.level, CAST(x.date AS TEXT)
            FROM honours x JOIN organizations o ON o.id = x.org_id",
        "credit-entries" => "CAST(x.id AS TEXT), o.credit_code, x.list, x.reason, CAST(x.listed_date AS TEXT),
            CAST(x.removed_date AS TEXT) FROM credit_entries x JOIN organizations o ON o.id = x.org_id",
        "party-building" => "CAST(x.id AS TEXT), o.credit_code, CAST(x.date AS TEXT), CAST(x.has_party_org AS TEXT),
            x.form, CAST(x.members AS TEXT), CAST(x.in_charter AS TEXT), CAST(x.checked_at_registration AS TEXT),
            CAST(x.checked_at_inspection AS TEXT), CAST(x.checked_at_rating AS TEXT)
            FROM party_building x JOIN organizations o ON o.id = x.org_id",
        "finances" => "CAST(x.id AS TEXT), o.credit_code, CAST(x.year AS TEXT), CAST(x.total_revenue_fen AS TEXT),
            CAST(x.government_purchase_fen AS TEXT), CAST(x.donations_fen AS TEXT), CAST(x.business_income_fen AS TEXT),
            CAST(x.expenditure_fen AS TEXT), CAST(x.net_assets_fen AS TEXT), CAST(x.staff AS TEXT),
            CAST(x.volunteers AS TEXT), CAST(x.volunteer_hours AS TEXT)
            FROM finances x JOIN organizations o ON o.id = x.org_id",
        "qualifications" => "CAST(x.id AS TEXT), {RID}, x.level, x.certificate_no, CAST(x.date AS TEXT)
            FROM qualifications x JOIN people p ON p.id = x.person_id",
        "employments" => "CAST(x.id AS TEXT), {RID}, o.credit_code, CAST(x.start_date AS TEXT),
            CAST(x.end_date AS TEXT), CAST(x.labour_contract AS TEXT), CAST(x.full_time AS TEXT), x.position
            FROM employments x JOIN people p ON p.id = x.person_id JOIN organizations o ON o.id = x.org_id",
        "reviews" => "CAST(x.id AS TEXT), {RID}, CAST(x.year AS TEXT), CAST(x.training_hours AS TEXT), x.performance
            FROM annual_reviews x JOIN people p ON p.id = x.person_id",
        "leases" => "CAST(x.id AS TEXT), o.credit_code, x.month, CAST(x.rent_paid_fen AS TEXT)
            FROM leases x JOIN organizations o ON o.id = x.org_id",
        "startup-applications" => "CAST(x.id AS TEXT), o.credit_code, CAST(x.date AS TEXT), CAST(x.requested_fen AS TEXT)
            FROM startup_applications x JOIN organizations o ON o.id = x.org_id",
        "venture-projects" => "CAST(x.id AS TEXT), o.credit_code, x.project_id, CAST(x.amount_fen AS TEXT),
            CAST(x.selected_date AS TEXT) FROM venture_projects x JOIN organizations o ON o.id = x.org_id",
        "competition-wins" => "CAST(x.id AS TEXT), o.credit_code, x.project_id, x.level, CAST(x.prize_place AS TEXT),
            CAST(x.amount_fen AS TEXT), CAST(x.serves_district AS TEXT), CAST(x.date AS TEXT)
            FROM competition_wins x JOIN organizations o ON o.id = x.org_id",
        "supervisor-reviews" => "CAST(x.id AS TEXT), {RID}, CAST(x.year AS TEXT), CAST(x.score_tenths AS TEXT),
            CAST(x.hours AS TEXT) FROM supervisor_reviews x JOIN people p ON p.id = x.person_id",
        "senior-award-decisions" => "CAST(x.id AS TEXT), {RID}, CAST(x.decision_date AS TEXT),
            CAST(x.innovative_contribution AS TEXT), x.reason
            FROM senior_award_decisions x JOIN people p ON p.id = x.person_id",
        _ => return None,
    })
}

impl Db {
    /// Up to `batch` records of `kind` with id > `after`: (id, cells). `None`
    /// cells are SQL NULL. A person's resident ID comes sealed when `sealed`
    /// (for the caller to open with the key), masked otherwise. An unknown
    /// kind yields nothing.
    pub async fn export_batch(
        &self,
        kind: &str,
        after: i64,
        batch: i64,
        sealed: bool,
    ) -> Result<Vec<(i64, Vec<Option<String>>)>> {
        let Some(q) = query_of(kind) else {
            return Ok(vec![]);
        };
        let rid = if sealed {
            "p.resident_id_sealed"
        } else {
            "p.resident_id_masked"
        };
        let q = q.replace("{RID}", rid);
        let sql = format!("SELECT {q} WHERE x.id > $1 ORDER BY x.id LIMIT {batch}");
        let rows = on_db!(self, p => {
            let rows = sqlx::query(&sql).bind(after).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let mut cells: Vec<Option<String>> = Vec::with_capacity(r.len());
                for i in 0..r.len() {
                    cells.push(r.try_get(i)?);
                }
                let id = cells.first().cloned().flatten().and_then(|s| s.parse().ok()).unwrap_or(after);
                cells.remove(0);
                out.push((id, cells));
            }
            out
        });
        Ok(rows)
    }

    /// `SAVEPOINT` so one failing row of an import can be undone alone.
    pub async fn savepoint(&self, tx: &mut crate::Tx) -> Result<()> {
        crate::on_tx!(tx, c => sqlx::query("SAVEPOINT import_row").execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    pub async fn release_savepoint(&self, tx: &mut crate::Tx) -> Result<()> {
        crate::on_tx!(tx, c => sqlx::query("RELEASE SAVEPOINT import_row").execute(&mut **c).await?.rows_affected());
        Ok(())
    }

    pub async fn rollback_savepoint(&self, tx: &mut crate::Tx) -> Result<()> {
        crate::on_tx!(tx, c => sqlx::query("ROLLBACK TO SAVEPOINT import_row").execute(&mut **c).await?.rows_affected());
        crate::on_tx!(tx, c => sqlx::query("RELEASE SAVEPOINT import_row").execute(&mut **c).await?.rows_affected());
        Ok(())
    }
}
