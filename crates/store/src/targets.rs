//! Counts behind the plan's targets (`domain::targets`): organisations
//! registered and working, and certified social workers employed by them,
//! at one day, per sub-district. Fact tables hold only verified facts.

use crate::{on_db, Db, Result};
use chrono::NaiveDate;

/// The counts at one day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetCounts {
    /// (sub-district code, organisations).
    pub organisations: Vec<(String, i64)>,
    /// (sub-district code, distinct certified social workers employed there).
    pub social_workers: Vec<(String, i64)>,
    /// Distinct certified social workers in the district (a person employed
    /// in two sub-districts counts once).
    pub social_workers_total: i64,
}

/// Organisations that count on `$1`: registered in the district by then,
/// not deregistered by then, not revoked.
const COUNTED: &str = "o.in_district AND o.registration_date <= $1
 AND (o.deregistration_date IS NULL OR o.deregistration_date > $1) AND o.status <> 'REVOKED'";

impl Db {
    pub async fn target_counts(&self, day: NaiveDate) -> Result<TargetCounts> {
        let orgs_sql = format!(
            "SELECT o.subdistrict_code, COUNT(*) FROM organizations o WHERE {COUNTED}
             GROUP BY o.subdistrict_code ORDER BY o.subdistrict_code"
        );
        let workers = format!(
            "FROM people p JOIN employments e ON e.person_id = p.id
             JOIN organizations o ON o.id = e.org_id
             WHERE {COUNTED} AND e.start_date <= $1 AND (e.end_date IS NULL OR e.end_date >= $1)
             AND EXISTS (SELECT 1 FROM qualifications q WHERE q.person_id = p.id AND q.date <= $1)"
        );
        let by_sub = format!(
            "SELECT o.subdistrict_code, COUNT(DISTINCT p.id) {workers}
             GROUP BY o.subdistrict_code ORDER BY o.subdistrict_code"
        );
        let total = format!("SELECT COUNT(DISTINCT p.id) {workers}");
        let (organisations, social_workers, social_workers_total) = on_db!(self, p => {
            let o: Vec<(String, i64)> = sqlx::query_as(&orgs_sql).bind(day).fetch_all(p).await?;
            let w: Vec<(String, i64)> = sqlx::query_as(&by_sub).bind(day).fetch_all(p).await?;
            let t: i64 = sqlx::query_scalar(&total).bind(day).fetch_one(p).await?;
            (o, w, t)
        });
        Ok(TargetCounts {
            organisations,
            social_workers,
            social_workers_total,
        })
    }
}
