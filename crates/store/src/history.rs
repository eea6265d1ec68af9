//! An organisation's dated history records.

use crate::codes::{Code, NullableCode};
use crate::{on_db, on_tx, Db, Result, StoreError, Tx};
use chrono::{DateTime, NaiveDate, Utc};
use gongyi_domain::history::{
    CreditEntry, CreditList, Finance, Honour, HonourLevel, Inspection, InspectionResult,
    PartyBuilding, PartyOrgForm, Rating, RatingLevel,
};
use gongyi_domain::orgs::RegistrationField;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InspectionRow {
    pub id: i64,
    pub year: i64,
    #[sqlx(try_from = "Code<InspectionResult>")]
    pub result: InspectionResult,
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RatingRow {
    pub id: i64,
    #[sqlx(try_from = "Code<RatingLevel>")]
    pub level: RatingLevel,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HonourRow {
    pub id: i64,
    pub title: String,
    #[sqlx(try_from = "Code<HonourLevel>")]
    pub level: HonourLevel,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CreditEntryRow {
    pub id: i64,
    #[sqlx(try_from = "Code<CreditList>")]
    pub list: CreditList,
    pub reason: String,
    pub listed_date: NaiveDate,
    pub removed_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PartyBuildingRow {
    pub id: i64,
    pub date: NaiveDate,
    pub has_party_org: bool,
    #[sqlx(try_from = "NullableCode<PartyOrgForm>")]
    pub form: Option<PartyOrgForm>,
    pub members: i64,
    pub in_charter: bool,
    pub checked_at_registration: bool,
    pub checked_at_inspection: bool,
    pub checked_at_rating: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FinanceRow {
    pub id: i64,
    pub year: i64,
    pub total_revenue_fen: i64,
    pub government_purchase_fen: i64,
    pub donations_fen: i64,
    pub business_income_fen: i64,
    pub expenditure_fen: i64,
    pub net_assets_fen: i64,
    pub staff: i64,
    pub volunteers: i64,
    pub volunteer_hours: i64,
}

/// A change of one registration fact, as the registering authority recorded it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistrationChangeRow {
    pub id: i64,
    #[sqlx(try_from = "Code<RegistrationField>")]
    pub field: RegistrationField,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub changed_by: String,
    pub changed_at: DateTime<Utc>,
}

/// Everything dated about one organisation, each list in date order.
#[derive(Debug, Clone, Default)]
pub struct OrgHistory {
    pub registration_changes: Vec<RegistrationChangeRow>,
    pub inspections: Vec<InspectionRow>,
    pub ratings: Vec<RatingRow>,
    pub honours: Vec<HonourRow>,
    pub credit_entries: Vec<CreditEntryRow>,
    pub party_building: Vec<PartyBuildingRow>,
    pub finances: Vec<FinanceRow>,
}

impl Db {
    pub async fn insert_inspection(&self, tx: &mut Tx, org_id: i64, i: &Inspection) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO inspections (org_id, year, result, date) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(org_id).bind(i64::from(i.year)).bind(i.result.code()).bind(i.date)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "year")))
    }

    /// Adds a rating and keeps the organisation's current (latest) rating in step.
    pub async fn insert_rating(&self, tx: &mut Tx, org_id: i64, r: &Rating) -> Result<i64> {
        let id = on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO ratings (org_id, level, date) VALUES ($1, $2, $3) RETURNING id")
            .bind(org_id).bind(r.level.code()).bind(r.date)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "date"))?);
        on_tx!(tx, c => sqlx::query(
            "UPDATE organizations SET current_rating = $1, current_rating_date = $2
             WHERE id = $3 AND (current_rating_date IS NULL OR current_rating_date <= $2)")
            .bind(r.level.code()).bind(r.date).bind(org_id).execute(&mut **c).await?.rows_affected());
        Ok(id)
    }

    pub async fn insert_honour(&self, tx: &mut Tx, org_id: i64, h: &Honour) -> Result<i64> {
        Ok(on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO honours (org_id, title, level, date) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(org_id).bind(&h.title).bind(h.level.code()).bind(h.date).fetch_one(&mut **c).await?))
    }

    pub async fn insert_credit_entry(
        &self,
        tx: &mut Tx,
        org_id: i64,
        e: &CreditEntry,
    ) -> Result<i64> {
        Ok(on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO credit_entries (org_id, list, reason, listed_date, removed_date)
             VALUES ($1, $2, $3, $4, $5) RETURNING id")
            .bind(org_id).bind(e.list.code()).bind(&e.reason).bind(e.listed_date).bind(e.removed_date)
            .fetch_one(&mut **c).await?))
    }

    pub async fn insert_party_building(
        &self,
        tx: &mut Tx,
        org_id: i64,
        p: &PartyBuilding,
    ) -> Result<i64> {
        Ok(on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO party_building (org_id, date, has_party_org, form, members, in_charter,
             checked_at_registration, checked_at_inspection, checked_at_rating)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(org_id).bind(p.date).bind(p.has_party_org).bind(p.form.map(|f| f.code())).bind(p.members)
            .bind(p.in_charter).bind(p.checked_at_registration).bind(p.checked_at_inspection)
            .bind(p.checked_at_rating).fetch_one(&mut **c).await?))
    }

    pub async fn insert_finance(&self, tx: &mut Tx, org_id: i64, f: &Finance) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO finances (org_id, year, total_revenue_fen, government_purchase_fen, donations_fen,
             business_income_fen, expenditure_fen, net_assets_fen, staff, volunteers, volunteer_hours)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
            .bind(org_id).bind(i64::from(f.year)).bind(f.total_revenue.get()).bind(f.government_purchase.get())
            .bind(f.donations.get()).bind(f.business_income.get()).bind(f.expenditure.get())
            .bind(f.net_assets.get()).bind(f.staff).bind(f.volunteers).bind(f.volunteer_hours)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "year")))
    }

    /// Records changed registration facts: (fact, before, after).
    pub async fn insert_registration_changes(
        &self,
        tx: &mut Tx,
        org_id: i64,
        changes: &[(RegistrationField, String, String)],
        changed_by: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        for (field, old, new) in changes {
            on_tx!(tx, c => sqlx::query(
                "INSERT INTO registration_changes (org_id, field, old_value, new_value, changed_by, changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(org_id).bind(field.code()).bind(old).bind(new).bind(changed_by).bind(at)
                .execute(&mut **c).await?.rows_affected());
        }
        Ok(())
    }

    /// The whole history of one organisation.
    pub async fn org_history(&self, org_id: i64) -> Result<OrgHistory> {
        on_db!(self, p => {
            Ok(OrgHistory {
                registration_changes: sqlx::query_as(
                    "SELECT id, field, old_value, new_value, changed_by, changed_at
                     FROM registration_changes WHERE org_id = $1 ORDER BY id")
                    .bind(org_id).fetch_all(p).await?,
                inspections: sqlx::query_as("SELECT id, year, result, date FROM inspections WHERE org_id = $1 ORDER BY year")
                    .bind(org_id).fetch_all(p).await?,
                ratings: sqlx::query_as("SELECT id, level, date FROM ratings WHERE org_id = $1 ORDER BY date")
                    .bind(org_id).fetch_all(p).await?,
                honours: sqlx::query_as("SELECT id, title, level, date FROM honours WHERE org_id = $1 ORDER BY date, id")
                    .bind(org_id).fetch_all(p).await?,
                credit_entries: sqlx::query_as(
                    "SELECT id, list, reason, listed_date, removed_date FROM credit_entries WHERE org_id = $1 ORDER BY listed_date, id")
                    .bind(org_id).fetch_all(p).await?,
                party_building: sqlx::query_as(
                    "SELECT id, date, has_party_org, form, members, in_charter, checked_at_registration,
                     checked_at_inspection, checked_at_rating FROM party_building WHERE org_id = $1 ORDER BY date, id")
                    .bind(org_id).fetch_all(p).await?,
                finances: sqlx::query_as(
                    "SELECT id, year, total_revenue_fen, government_purchase_fen, donations_fen, business_income_fen,
                     expenditure_fen, net_assets_fen, staff, volunteers, volunteer_hours
                     FROM finances WHERE org_id = $1 ORDER BY year")
                    .bind(org_id).fetch_all(p).await?,
            })
        })
    }
}
