//! People (social-work talent): the person, qualifications, employments and
//! annual reviews.

use crate::codes::{Code, NullableCode};
use crate::query::{bind_all, escape_like, Bind};
use crate::{on_db, on_tx, Db, Page, Result, StoreError, Tx};
use chrono::NaiveDate;
use gongyi_domain::access::Scope;
use gongyi_domain::people::{
    AnnualReview, Employment, PerformanceRating, PersonDraft, Qualification, QualificationLevel,
};
use gongyi_domain::search::{is_pinyin_query, pinyin_keys};

/// A person for display: the resident ID and phone only masked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    /// `3****************X` (`domain::resident_id::mask_resident_id`); the
    /// full number is only kept sealed.
    pub resident_id_masked: String,
    /// All the registry keeps of the birth date (the date completes a mask).
    pub birth_year: i64,
    pub sex: String,
    /// `138******78`.
    pub phone_masked: Option<String>,
    pub social_work_start_date: Option<NaiveDate>,
    pub supervisor: bool,
    pub version: i64,
    /// Highest qualification held, if any.
    #[sqlx(try_from = "NullableCode<QualificationLevel>")]
    pub qualification: Option<QualificationLevel>,
}

const SELECT_PERSON: &str = "SELECT p.id, p.name, COALESCE(p.resident_id_masked, '') AS resident_id_masked,
 p.birth_year, p.sex, p.phone_masked, p.social_work_start_date, p.supervisor, p.version,
 (SELECT q.level FROM qualifications q WHERE q.person_id = p.id ORDER BY q.date DESC, q.id DESC LIMIT 1) AS qualification
 FROM people p";

/// Personal data as written: sealed (AES-256-GCM, by the application's key),
/// the keyed hash that finds a resident ID, and masked copies for display.
/// The store never sees a key, so it never sees the plain values either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SealedPersonal {
    pub resident_id_lookup: String,
    pub resident_id_sealed: String,
    pub resident_id_masked: String,
    pub phone_sealed: Option<String>,
    pub phone_masked: Option<String>,
}

/// A person with the sealed values: for revealing, exporting with the key,
/// and comparing an edit with what is stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonSealedRow {
    pub id: i64,
    pub name: String,
    pub resident_id_lookup: String,
    pub resident_id_sealed: Option<String>,
    pub resident_id_masked: Option<String>,
    pub phone_sealed: Option<String>,
    pub phone_masked: Option<String>,
    pub social_work_start_date: Option<NaiveDate>,
    pub supervisor: bool,
    pub version: i64,
}

const SELECT_SEALED: &str =
    "SELECT p.id, p.name, p.resident_id_lookup, p.resident_id_sealed, p.resident_id_masked,
 p.phone_sealed, p.phone_masked, p.social_work_start_date, p.supervisor, p.version FROM people p";

/// Which people of a scope a query reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Those the scope sees: employed, now or once, by an organisation of
    /// the area (a former employer still reads its staff record).
    Seen,
    /// Those the scope may change: employed on this day (no end date, or an
    /// end date not before it; the end date is the last working day).
    EmployedOn(NaiveDate),
}

/// The condition that keeps people inside `scope` as far as `reach` goes,
/// if any is needed.
pub(crate) fn scope_condition(scope: &Scope, reach: Reach, b: &mut Vec<Bind>) -> Option<String> {
    let current = |b: &mut Vec<Bind>| match reach {
        Reach::Seen => String::new(),
        Reach::EmployedOn(d) => {
            b.push(Bind::Date(d));
            format!(" AND (se.end_date IS NULL OR se.end_date >= ${})", b.len())
        }
    };
    match scope {
        Scope::District => None,
        Scope::Nothing => Some("1 = 0".into()),
        Scope::Subdistrict(code) => {
            b.push(Bind::Text(code.clone()));
            let n = b.len();
            Some(format!(
                "EXISTS (SELECT 1 FROM employments se JOIN organizations so ON so.id = se.org_id
                 WHERE se.person_id = p.id AND so.subdistrict_code = ${n}{})",
                current(b)
            ))
        }
        Scope::Organisation(org) => {
            b.push(Bind::Int(*org));
            let n = b.len();
            Some(format!(
                "EXISTS (SELECT 1 FROM employments se WHERE se.person_id = p.id AND se.org_id = ${n}{})",
                current(b)
            ))
        }
    }
}

/// ` WHERE p.id = $1 AND <scope>` with its binds.
fn one_in_scope(id: i64, scope: &Scope, reach: Reach) -> (String, Vec<Bind>) {
    let mut b = vec![Bind::Int(id)];
    let w = match scope_condition(scope, reach, &mut b) {
        Some(c) => format!(" WHERE p.id = $1 AND {c}"),
        None => " WHERE p.id = $1".to_string(),
    };
    (w, b)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QualificationRow {
    pub id: i64,
    #[sqlx(try_from = "Code<QualificationLevel>")]
    pub level: QualificationLevel,
    pub certificate_no: String,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EmploymentRow {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub credit_code: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub labour_contract: bool,
    pub full_time: bool,
    pub position: Option<String>,
}

const SELECT_EMPLOYMENT: &str =
    "SELECT e.id, e.person_id, p.name AS person_name, e.org_id, o.name AS org_name,
 o.credit_code, e.start_date, e.end_date, e.labour_contract, e.full_time, e.position
 FROM employments e JOIN people p ON p.id = e.person_id JOIN organizations o ON o.id = e.org_id";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub year: i64,
    pub training_hours: i64,
    #[sqlx(try_from = "NullableCode<PerformanceRating>")]
    pub performance: Option<PerformanceRating>,
}

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub q: Option<String>,
    pub qualification: Option<String>,
    pub org_id: Option<i64>,
}

impl EmploymentRow {
    pub fn to_domain(&self) -> Employment {
        Employment {
            start_date: self.start_date,
            end_date: self.end_date,
            labour_contract: self.labour_contract,
            full_time: self.full_time,
            position: self.position.clone(),
        }
    }
}

impl Db {
    /// Inserts a person; the draft's plain resident ID and phone are not
    /// written, only `s` (birth year and sex are derived from the number).
    pub async fn insert_person(
        &self,
        tx: &mut Tx,
        d: &PersonDraft,
        s: &SealedPersonal,
    ) -> Result<i64> {
        let (py, initials) = pinyin_keys(&d.name);
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO people (name, name_pinyin, name_initials, resident_id_lookup, resident_id_sealed,
             resident_id_masked, birth_year, sex, phone_sealed, phone_masked, social_work_start_date, supervisor)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id")
            .bind(&d.name).bind(&py).bind(&initials).bind(&s.resident_id_lookup).bind(&s.resident_id_sealed)
            .bind(&s.resident_id_masked).bind(i64::from(d.resident_id.birth_year())).bind(d.resident_id.sex().label())
            .bind(&s.phone_sealed).bind(&s.phone_masked).bind(d.social_work_start_date).bind(d.supervisor)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "resident_id")))
    }

    pub async fn update_person(
        &self,
        tx: &mut Tx,
        id: i64,
        version: i64,
        d: &PersonDraft,
        s: &SealedPersonal,
    ) -> Result<()> {
        let (py, initials) = pinyin_keys(&d.name);
        let n = on_tx!(tx, c => sqlx::query(
            "UPDATE people SET name = $1, name_pinyin = $2, name_initials = $3, resident_id_lookup = $4,
             resident_id_sealed = $5, resident_id_masked = $6, birth_year = $7, sex = $8, phone = NULL,
             phone_sealed = $9, phone_masked = $10, social_work_start_date = $11, supervisor = $12,
             version = version + 1, updated_at = CURRENT_TIMESTAMP WHERE id = $13 AND version = $14")
            .bind(&d.name).bind(&py).bind(&initials).bind(&s.resident_id_lookup).bind(&s.resident_id_sealed)
            .bind(&s.resident_id_masked).bind(i64::from(d.resident_id.birth_year())).bind(d.resident_id.sex().label())
            .bind(&s.phone_sealed).bind(&s.phone_masked)
            .bind(d.social_work_start_date).bind(d.supervisor).bind(id).bind(version)
            .execute(&mut **c).await.map_err(|e| StoreError::unique_as(e, "resident_id"))?.rows_affected());
        if n == 0 {
            let exists: i64 = on_tx!(tx, c => sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE id = $1")
                .bind(id).fetch_one(&mut **c).await?);
            return Err(if exists > 0 {
                StoreError::Conflict
            } else {
                StoreError::NotFound
            });
        }
        Ok(())
    }

    /// One person inside `scope`; outside it is "not found".
    pub async fn person(&self, id: i64, scope: &Scope) -> Result<PersonRow> {
        let (w, b) = one_in_scope(id, scope, Reach::Seen);
        let sql = format!("{SELECT_PERSON}{w}");
        on_db!(self, p => bind_all!(sqlx::query_as::<_, PersonRow>(&sql), &b).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// Whether person `id` is inside `scope` as far as `reach` goes.
    pub async fn person_within(&self, id: i64, scope: &Scope, reach: Reach) -> Result<bool> {
        let (w, b) = one_in_scope(id, scope, reach);
        let sql = format!("SELECT COUNT(*) FROM people p{w}");
        let n: i64 = on_db!(self, p => bind_all!(sqlx::query_scalar(&sql), &b).fetch_one(p).await?);
        Ok(n > 0)
    }

    /// One person with sealed values, inside `scope` as far as `reach`
    /// goes, in a transaction.
    pub async fn person_sealed_tx(
        &self,
        tx: &mut Tx,
        id: i64,
        scope: &Scope,
        reach: Reach,
    ) -> Result<PersonSealedRow> {
        let (w, b) = one_in_scope(id, scope, reach);
        let sql = format!("{SELECT_SEALED}{w}");
        on_tx!(tx, c => bind_all!(sqlx::query_as::<_, PersonSealedRow>(&sql), &b).fetch_optional(&mut **c).await?)
            .ok_or(StoreError::NotFound)
    }

    /// A person by the keyed hash of the resident ID.
    pub async fn person_by_lookup(&self, lookup: &str, scope: &Scope) -> Result<PersonRow> {
        let mut b = vec![Bind::Text(lookup.to_string())];
        let w = match scope_condition(scope, Reach::Seen, &mut b) {
            Some(c) => format!(" WHERE p.resident_id_lookup = $1 AND {c}"),
            None => " WHERE p.resident_id_lookup = $1".to_string(),
        };
        let sql = format!("{SELECT_PERSON}{w}");
        on_db!(self, p => bind_all!(sqlx::query_as::<_, PersonRow>(&sql), &b).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// Person id by the keyed hash of the resident ID, inside `scope` as far
    /// as `reach` goes, in a transaction.
    pub async fn person_id_tx(
        &self,
        tx: &mut Tx,
        lookup: &str,
        scope: &Scope,
        reach: Reach,
    ) -> Result<i64> {
        let mut b = vec![Bind::Text(lookup.to_string())];
        let w = match scope_condition(scope, reach, &mut b) {
            Some(c) => format!(" AND {c}"),
            None => String::new(),
        };
        let sql = format!("SELECT p.id FROM people p WHERE p.resident_id_lookup = $1{w}");
        on_tx!(tx, c => bind_all!(sqlx::query_scalar(&sql), &b).fetch_optional(&mut **c).await?)
            .ok_or(StoreError::NotFound)
    }

    /// People matching `f` inside `scope`; the scope is part of the query.
    pub async fn list_people(
        &self,
        scope: &Scope,
        f: &PersonFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<PersonRow>> {
        let mut w: Vec<String> = Vec::new();
        let mut b: Vec<Bind> = Vec::new();
        if let Some(c) = scope_condition(scope, Reach::Seen, &mut b) {
            w.push(c);
        }
        if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            if is_pinyin_query(q) {
                let like = format!("{}%", escape_like(&q.to_lowercase()));
                b.push(Bind::Text(like.clone()));
                b.push(Bind::Text(like));
                w.push(format!(
                    "(p.name_initials LIKE ${} ESCAPE '\\' OR p.name_pinyin LIKE ${} ESCAPE '\\')",
                    b.len() - 1,
                    b.len()
                ));
            } else {
                b.push(Bind::Text(format!("%{}%", escape_like(q))));
                w.push(format!("p.name LIKE ${} ESCAPE '\\'", b.len()));
            }
        }
        if let Some(level) = &f.qualification {
            b.push(Bind::Text(level.clone()));
            w.push(format!("EXISTS (SELECT 1 FROM qualifications q WHERE q.person_id = p.id AND q.level = ${})", b.len()));
        }
        if let Some(org) = f.org_id {
            b.push(Bind::Int(org));
            w.push(format!(
                "EXISTS (SELECT 1 FROM employments e WHERE e.person_id = p.id AND e.org_id = ${})",
                b.len()
            ));
        }
        let w = if w.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", w.join(" AND "))
        };
        let count_sql = format!("SELECT COUNT(*) FROM people p{w}");
        let total: i64 =
            on_db!(self, p => bind_all!(sqlx::query_scalar(&count_sql), &b).fetch_one(p).await?);
        let sql = format!(
            "{SELECT_PERSON}{w} ORDER BY p.name_pinyin, p.id LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let items = on_db!(self, p => bind_all!(sqlx::query_as::<_, PersonRow>(&sql), &b).fetch_all(p).await?);
        Ok(Page {
            items,
            total,
            page,
            per_page,
        })
    }

    pub async fn people_after(&self, after_id: i64, batch: i64) -> Result<Vec<PersonRow>> {
        let sql = format!("{SELECT_PERSON} WHERE p.id > $1 ORDER BY p.id LIMIT {batch}");
        Ok(
            on_db!(self, p => sqlx::query_as::<_, PersonRow>(&sql).bind(after_id).fetch_all(p).await?),
        )
    }

    /// People with sealed values after `after` by id (exports).
    pub async fn people_sealed_after(
        &self,
        after_id: i64,
        batch: i64,
    ) -> Result<Vec<PersonSealedRow>> {
        let sql = format!("{SELECT_SEALED} WHERE p.id > $1 ORDER BY p.id LIMIT {batch}");
        Ok(
            on_db!(self, p => sqlx::query_as::<_, PersonSealedRow>(&sql).bind(after_id).fetch_all(p).await?),
        )
    }

    /// Rows written before personal data was sealed: (id, plain resident ID,
    /// plain phone), up to `batch`.
    pub async fn people_unsealed(&self, batch: i64) -> Result<Vec<(i64, String, Option<String>)>> {
        Ok(on_db!(self, p => sqlx::query_as(&format!(
            "SELECT id, resident_id_lookup, phone FROM people WHERE resident_id_sealed IS NULL ORDER BY id LIMIT {batch}"))
            .fetch_all(p).await?))
    }

    /// Replaces a row's plain values by sealed ones (and clears the plain phone).
    pub async fn seal_person_row(&self, tx: &mut Tx, id: i64, s: &SealedPersonal) -> Result<()> {
        on_tx!(tx, c => sqlx::query(
            "UPDATE people SET resident_id_lookup = $1, resident_id_sealed = $2, resident_id_masked = $3,
             phone = NULL, phone_sealed = $4, phone_masked = $5 WHERE id = $6")
            .bind(&s.resident_id_lookup).bind(&s.resident_id_sealed).bind(&s.resident_id_masked)
            .bind(&s.phone_sealed).bind(&s.phone_masked).bind(id)
            .execute(&mut **c).await.map_err(|e| StoreError::unique_as(e, "resident_id"))?.rows_affected());
        Ok(())
    }

    pub async fn insert_qualification(
        &self,
        tx: &mut Tx,
        person_id: i64,
        q: &Qualification,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO qualifications (person_id, level, certificate_no, date) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(person_id).bind(q.level.code()).bind(&q.certificate_no).bind(q.date)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "level")))
    }

    pub async fn employments_of_person_tx(
        &self,
        tx: &mut Tx,
        person_id: i64,
    ) -> Result<Vec<EmploymentRow>> {
        let sql = format!("{SELECT_EMPLOYMENT} WHERE e.person_id = $1 ORDER BY e.start_date");
        Ok(
            on_tx!(tx, c => sqlx::query_as::<_, EmploymentRow>(&sql).bind(person_id).fetch_all(&mut **c).await?),
        )
    }

    pub async fn insert_employment(
        &self,
        tx: &mut Tx,
        person_id: i64,
        org_id: i64,
        e: &Employment,
    ) -> Result<i64> {
        Ok(on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO employments (person_id, org_id, start_date, end_date, labour_contract, full_time, position)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(person_id).bind(org_id).bind(e.start_date).bind(e.end_date).bind(e.labour_contract)
            .bind(e.full_time).bind(&e.position).fetch_one(&mut **c).await?))
    }

    pub async fn insert_review(
        &self,
        tx: &mut Tx,
        person_id: i64,
        r: &AnnualReview,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO annual_reviews (person_id, year, training_hours, performance) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(person_id).bind(i64::from(r.year)).bind(r.training_hours).bind(r.performance.map(|p| p.code()))
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "year")))
    }

    pub async fn person_details(
        &self,
        person_id: i64,
    ) -> Result<(Vec<QualificationRow>, Vec<EmploymentRow>, Vec<ReviewRow>)> {
        let emp_sql = format!("{SELECT_EMPLOYMENT} WHERE e.person_id = $1 ORDER BY e.start_date");
        on_db!(self, p => {
            let q = sqlx::query_as("SELECT id, level, certificate_no, date FROM qualifications WHERE person_id = $1 ORDER BY date")
                .bind(person_id).fetch_all(p).await?;
            let e = sqlx::query_as(&emp_sql).bind(person_id).fetch_all(p).await?;
            let r = sqlx::query_as("SELECT id, year, training_hours, performance FROM annual_reviews WHERE person_id = $1 ORDER BY year")
                .bind(person_id).fetch_all(p).await?;
            Ok((q, e, r))
        })
    }

    /// The people employed by an organisation (for its page).
    pub async fn employments_of_org(&self, org_id: i64) -> Result<Vec<EmploymentRow>> {
        let sql = format!("{SELECT_EMPLOYMENT} WHERE e.org_id = $1 ORDER BY e.start_date DESC");
        Ok(
            on_db!(self, p => sqlx::query_as::<_, EmploymentRow>(&sql).bind(org_id).fetch_all(p).await?),
        )
    }

    /// Every person in the registry (the operator's emptiness checks).
    pub async fn count_people(&self) -> Result<i64> {
        Ok(on_db!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(p).await?))
    }

    /// People inside `scope`.
    pub async fn count_people_in(&self, scope: &Scope) -> Result<i64> {
        let mut b = Vec::new();
        let w = scope_condition(scope, Reach::Seen, &mut b)
            .map(|c| format!(" WHERE {c}"))
            .unwrap_or_default();
        let sql = format!("SELECT COUNT(*) FROM people p{w}");
        Ok(on_db!(self, p => bind_all!(sqlx::query_scalar(&sql), &b).fetch_one(p).await?))
    }
}
