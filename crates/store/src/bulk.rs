//! Bulk writes for demo data and imports: many rows per INSERT statement.
//!
//! One statement per row costs a round trip each (tens of microseconds even
//! on embedded SQLite); a million organisations with their histories are tens
//! of millions of rows. Multi-row `VALUES` lists cut that by the batch size.
//! Callers validate every row first (domain types), so these never see input
//! that could be refused, except a unique key already taken.

use crate::dialect::placeholder;
use crate::orgs::{draft_values, SealedPhone, DRAFT_COLUMNS};
use crate::people::SealedPersonal;
use crate::query::{bind_all, Bind};
use crate::{on_tx, Db, Result, StoreError, Tx};
use chrono::NaiveDate;
use gongyi_domain::history::{CreditEntry, Finance, Honour, Inspection, PartyBuilding, Rating};
use gongyi_domain::orgs::{OrgDraft, OrgStatus};
use gongyi_domain::people::{AnnualReview, Employment, PersonDraft, Qualification};
use gongyi_domain::search::pinyin_keys;
use gongyi_domain::Invalid;
use std::collections::HashMap;

/// SQLite allows 32,766 bound values per statement; stay well below.
const MAX_BINDS: usize = 30_000;
const MAX_ROWS: usize = 1_000;

/// One organisation to insert, with what the row itself records of its history.
pub struct OrgBulk<'a> {
    pub draft: &'a OrgDraft,
    /// The latest rating (kept on the row for filtering).
    pub current_rating: Option<&'a Rating>,
    pub deregistration_date: Option<NaiveDate>,
    /// The contact phone as written (the draft's plain one is not).
    pub phone: SealedPhone,
}

/// One person to insert: the draft gives name, birth year, sex and the rest;
/// the resident ID and phone are written only as `sealed`.
pub struct PersonBulk<'a> {
    pub draft: &'a PersonDraft,
    pub sealed: SealedPersonal,
}

/// History records to insert, each with its organisation's id.
#[derive(Default)]
pub struct HistoryBatch<'a> {
    pub inspections: Vec<(i64, &'a Inspection)>,
    pub ratings: Vec<(i64, &'a Rating)>,
    pub honours: Vec<(i64, &'a Honour)>,
    pub credit_entries: Vec<(i64, &'a CreditEntry)>,
    pub party_building: Vec<(i64, &'a PartyBuilding)>,
    pub finances: Vec<(i64, &'a Finance)>,
}

/// Person records to insert, each with its person's id (and organisation id).
#[derive(Default)]
pub struct PersonBatch<'a> {
    pub qualifications: Vec<(i64, &'a Qualification)>,
    pub employments: Vec<(i64, i64, &'a Employment)>,
    pub reviews: Vec<(i64, &'a AnnualReview)>,
}

impl Db {
    /// `INSERT INTO table (cols) VALUES (…), (…) [RETURNING …]` in chunks.
    pub(crate) async fn insert_rows(
        &self,
        tx: &mut Tx,
        table: &str,
        cols: &[&str],
        rows: Vec<Vec<Bind>>,
        returning: Option<&str>,
    ) -> Result<Vec<(i64, String)>> {
        let per_stmt = (MAX_BINDS / cols.len().max(1)).clamp(1, MAX_ROWS);
        let mut out = Vec::new();
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Bind>> = rows.by_ref().take(per_stmt).collect();
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
            let mut n = 0;
            for (i, _) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for j in 0..cols.len() {
                    if j > 0 {
                        sql.push_str(", ");
                    }
                    n += 1;
                    sql.push_str(&placeholder(self.backend(), n));
                }
                sql.push(')');
            }
            let binds: Vec<Bind> = chunk.into_iter().flatten().collect();
            match returning {
                Some(r) => {
                    sql.push_str(&format!(" RETURNING {r}"));
                    let got: Vec<(i64, String)> = on_tx!(tx, c => bind_all!(sqlx::query_as(&sql), &binds)
                        .fetch_all(&mut **c).await.map_err(|e| StoreError::unique_as(e, "credit_code"))?);
                    out.extend(got);
                }
                None => {
                    on_tx!(tx, c => bind_all!(sqlx::query(&sql), &binds).execute(&mut **c).await?.rows_affected());
                }
            }
        }
        Ok(out)
    }

    /// Inserts organisations and their service fields; ids in input order.
    pub async fn bulk_insert_orgs(&self, tx: &mut Tx, orgs: &[OrgBulk<'_>]) -> Result<Vec<i64>> {
        let fields = self.service_fields().await?;
        let field_code: HashMap<&str, &str> = fields
            .iter()
            .flat_map(|f| {
                [
                    (f.code.as_str(), f.code.as_str()),
                    (f.name.as_str(), f.code.as_str()),
                ]
            })
            .collect();
        let rows = orgs
            .iter()
            .map(|o| {
                let d = o.draft;
                let status = if o.deregistration_date.is_some() {
                    OrgStatus::Deregistered
                } else {
                    d.status
                };
                let mut row = draft_values(d, status, &o.phone);
                row.extend([
                    Bind::OptDate(o.deregistration_date),
                    Bind::OptText(o.current_rating.map(|r| r.level.code().to_string())),
                    Bind::OptDate(o.current_rating.map(|r| r.date)),
                ]);
                row
            })
            .collect();
        let mut cols = DRAFT_COLUMNS.to_vec();
        cols.extend([
            "deregistration_date",
            "current_rating",
            "current_rating_date",
        ]);
        let returned = self
            .insert_rows(tx, "organizations", &cols, rows, Some("id, credit_code"))
            .await?;
        let id_of: HashMap<String, i64> =
            returned.into_iter().map(|(id, code)| (code, id)).collect();
        let mut ids = Vec::with_capacity(orgs.len());
        let mut links = Vec::new();
        for o in orgs {
            let id = *id_of
                .get(o.draft.credit_code.as_str())
                .ok_or(StoreError::NotFound)?;
            ids.push(id);
            let mut seen: Vec<&str> = Vec::new();
            for f in &o.draft.service_fields {
                let Some(code) = field_code.get(f.as_str()).copied() else {
                    return Err(StoreError::Invalid(Invalid::one(
                        "service_fields",
                        "service_field.unknown",
                        format!("服务领域“{f}”不在服务领域目录中"),
                    )));
                };
                if !seen.contains(&code) {
                    seen.push(code);
                    links.push(vec![Bind::Int(id), Bind::Text(code.to_string())]);
                }
            }
        }
        self.insert_rows(
            tx,
            "organization_service_fields",
            &["org_id", "field_code"],
            links,
            None,
        )
        .await?;
        let names: Vec<(i64, &str)> = ids
            .iter()
            .zip(orgs)
            .map(|(id, o)| (*id, o.draft.name.as_str()))
            .collect();
        self.insert_name_grams(tx, &names).await?;
        Ok(ids)
    }

    /// Inserts history records of many organisations.
    pub async fn bulk_insert_history(&self, tx: &mut Tx, h: &HistoryBatch<'_>) -> Result<()> {
        let rows = h
            .inspections
            .iter()
            .map(|(id, i)| {
                vec![
                    Bind::Int(*id),
                    Bind::Int(i64::from(i.year)),
                    Bind::Text(i.result.code().into()),
                    Bind::OptDate(i.date),
                ]
            })
            .collect();
        self.insert_rows(
            tx,
            "inspections",
            &["org_id", "year", "result", "date"],
            rows,
            None,
        )
        .await?;
        let rows = h
            .ratings
            .iter()
            .map(|(id, r)| {
                vec![
                    Bind::Int(*id),
                    Bind::Text(r.level.code().into()),
                    Bind::Date(r.date),
                ]
            })
            .collect();
        self.insert_rows(tx, "ratings", &["org_id", "level", "date"], rows, None)
            .await?;
        let rows = h
            .honours
            .iter()
            .map(|(id, x)| {
                vec![
                    Bind::Int(*id),
                    Bind::Text(x.title.clone()),
                    Bind::Text(x.level.code().into()),
                    Bind::Date(x.date),
                ]
            })
            .collect();
        self.insert_rows(
            tx,
            "honours",
            &["org_id", "title", "level", "date"],
            rows,
            None,
        )
        .await?;
        let rows = h
            .credit_entries
            .iter()
            .map(|(id, x)| {
                vec![
                    Bind::Int(*id),
                    Bind::Text(x.list.code().into()),
                    Bind::Text(x.reason.clone()),
                    Bind::Date(x.listed_date),
                    Bind::OptDate(x.removed_date),
                ]
            })
            .collect();
        self.insert_rows(
            tx,
            "credit_entries",
            &["org_id", "list", "reason", "listed_date", "removed_date"],
            rows,
            None,
        )
        .await?;
        let rows = h
            .party_building
            .iter()
            .map(|(id, p)| {
                vec![
                    Bind::Int(*id),
                    Bind::Date(p.date),
                    Bind::Bool(p.has_party_org),
                    Bind::OptText(p.form.map(|f| f.code().to_string())),
                    Bind::Int(p.members),
                    Bind::Bool(p.in_charter),
                    Bind::Bool(p.checked_at_registration),
                    Bind::Bool(p.checked_at_inspection),
                    Bind::Bool(p.checked_at_rating),
                ]
            })
            .collect();
        let cols = [
            "org_id",
            "date",
            "has_party_org",
            "form",
            "members",
            "in_charter",
            "checked_at_registration",
            "checked_at_inspection",
            "checked_at_rating",
        ];
        self.insert_rows(tx, "party_building", &cols, rows, None)
            .await?;
        let rows = h
            .finances
            .iter()
            .map(|(id, f)| {
                vec![
                    Bind::Int(*id),
                    Bind::Int(i64::from(f.year)),
                    Bind::Int(f.total_revenue.get()),
                    Bind::Int(f.government_purchase.get()),
                    Bind::Int(f.donations.get()),
                    Bind::Int(f.business_income.get()),
                    Bind::Int(f.expenditure.get()),
                    Bind::Int(f.net_assets.get()),
                    Bind::Int(f.staff),
                    Bind::Int(f.volunteers),
                    Bind::Int(f.volunteer_hours),
                ]
            })
            .collect();
        let cols = [
            "org_id",
            "year",
            "total_revenue_fen",
            "government_purchase_fen",
            "donations_fen",
            "business_income_fen",
            "expenditure_fen",
            "net_assets_fen",
            "staff",
            "volunteers",
            "volunteer_hours",
        ];
        self.insert_rows(tx, "finances", &cols, rows, None).await?;
        Ok(())
    }

    /// Inserts people (sealed personal data only); ids in input order.
    pub async fn bulk_insert_people(
        &self,
        tx: &mut Tx,
        people: &[PersonBulk<'_>],
    ) -> Result<Vec<i64>> {
        let rows = people
            .iter()
            .map(
                |PersonBulk {
                     draft: d,
                     sealed: s,
                 }| {
                    let (py, initials) = pinyin_keys(&d.name);
                    vec![
                        Bind::Text(d.name.clone()),
                        Bind::Text(py),
                        Bind::Text(initials),
                        Bind::Text(s.resident_id_lookup.clone()),
                        Bind::Text(s.resident_id_sealed.clone()),
                        Bind::Text(s.resident_id_masked.clone()),
                        Bind::Int(i64::from(d.resident_id.birth_year())),
                        Bind::Text(d.resident_id.sex().label().into()),
                        Bind::OptText(s.phone_sealed.clone()),
                        Bind::OptText(s.phone_masked.clone()),
                        Bind::OptDate(d.social_work_start_date),
                        Bind::Bool(d.supervisor),
                    ]
                },
            )
            .collect();
        let cols = [
            "name",
            "name_pinyin",
            "name_initials",
            "resident_id_lookup",
            "resident_id_sealed",
            "resident_id_masked",
            "birth_year",
            "sex",
            "phone_sealed",
            "phone_masked",
            "social_work_start_date",
            "supervisor",
        ];
        let returned = self
            .insert_rows(tx, "people", &cols, rows, Some("id, resident_id_lookup"))
            .await
            .map_err(|e| match e {
                StoreError::Duplicate { .. } => StoreError::Duplicate {
                    field: "resident_id",
                },
                other => other,
            })?;
        let id_of: HashMap<String, i64> = returned.into_iter().map(|(id, k)| (k, id)).collect();
        people
            .iter()
            .map(|p| {
                id_of
                    .get(&p.sealed.resident_id_lookup)
                    .copied()
                    .ok_or(StoreError::NotFound)
            })
            .collect()
    }

    /// Inserts qualifications, employments and reviews of many people.
    pub async fn bulk_insert_person_records(&self, tx: &mut Tx, b: &PersonBatch<'_>) -> Result<()> {
        let rows = b
            .qualifications
            .iter()
            .map(|(id, q)| {
                vec![
                    Bind::Int(*id),
                    Bind::Text(q.level.code().into()),
                    Bind::Text(q.certificate_no.clone()),
                    Bind::Date(q.date),
                ]
            })
            .collect();
        self.insert_rows(
            tx,
            "qualifications",
            &["person_id", "level", "certificate_no", "date"],
            rows,
            None,
        )
        .await?;
        let rows = b
            .employments
            .iter()
            .map(|(pid, oid, e)| {
                vec![
                    Bind::Int(*pid),
                    Bind::Int(*oid),
                    Bind::Date(e.start_date),
                    Bind::OptDate(e.end_date),
                    Bind::Bool(e.labour_contract),
                    Bind::Bool(e.full_time),
                    Bind::OptText(e.position.clone()),
                ]
            })
            .collect();
        let cols = [
            "person_id",
            "org_id",
            "start_date",
            "end_date",
            "labour_contract",
            "full_time",
            "position",
        ];
        self.insert_rows(tx, "employments", &cols, rows, None)
            .await?;
        let rows = b
            .reviews
            .iter()
            .map(|(id, r)| {
                vec![
                    Bind::Int(*id),
                    Bind::Int(i64::from(r.year)),
                    Bind::Int(r.training_hours),
                    Bind::OptText(r.performance.map(|p| p.code().to_string())),
                ]
            })
            .collect();
        self.insert_rows(
            tx,
            "annual_reviews",
            &["person_id", "year", "training_hours", "performance"],
            rows,
            None,
        )
        .await?;
        Ok(())
    }

    /// Which of `codes` are already registered.
    pub async fn existing_credit_codes(&self, codes: &[String]) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for chunk in codes.chunks(MAX_ROWS) {
            let marks: Vec<String> = (1..=chunk.len())
                .map(|i| placeholder(self.backend(), i))
                .collect();
            let sql = format!(
                "SELECT credit_code FROM organizations WHERE credit_code IN ({})",
                marks.join(", ")
            );
            let binds: Vec<Bind> = chunk.iter().map(|c| Bind::Text(c.clone())).collect();
            let got: Vec<String> = crate::on_db!(self, p => bind_all!(sqlx::query_scalar(&sql), &binds).fetch_all(p).await?);
            found.extend(got);
        }
        Ok(found)
    }

    /// Which of `lookups` (keyed hashes of resident IDs) are already registered.
    pub async fn existing_resident_lookups(&self, lookups: &[String]) -> Result<Vec<String>> {
        let ids = lookups;
        let mut found = Vec::new();
        for chunk in ids.chunks(MAX_ROWS) {
            let marks: Vec<String> = (1..=chunk.len())
                .map(|i| placeholder(self.backend(), i))
                .collect();
            let sql = format!(
                "SELECT resident_id_lookup FROM people WHERE resident_id_lookup IN ({})",
                marks.join(", ")
            );
            let binds: Vec<Bind> = chunk.iter().map(|c| Bind::Text(c.clone())).collect();
            let got: Vec<String> = crate::on_db!(self, p => bind_all!(sqlx::query_scalar(&sql), &binds).fetch_all(p).await?);
            found.extend(got);
        }
        Ok(found)
    }
}
