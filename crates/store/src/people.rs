//! People (social-work talent): the person, qualifications, employments and
//! annual reviews.

use crate::orgs::{bind_all, escape_like, Bind};
use crate::{on_db, on_tx, Db, Page, Result, StoreError, Tx};
use chrono::NaiveDate;
use gongyi_domain::person::{AnnualReview, Employment, PersonDraft, Qualification};
use gongyi_domain::search::{is_pinyin_query, pinyin_keys};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    /// The full number; views mask it unless the role needs it.
    pub resident_id: String,
    pub birth_date: NaiveDate,
    pub sex: String,
    pub phone: Option<String>,
    pub social_work_start_date: Option<NaiveDate>,
    pub supervisor: bool,
    pub version: i64,
    /// Highest qualification held, if any.
    pub qualification: Option<String>,
}

const SELECT_PERSON: &str = "SELECT p.id, p.name, p.resident_id, p.birth_date, p.sex, p.phone,
 p.social_work_start_date, p.supervisor, p.version,
 (SELECT q.level FROM qualifications q WHERE q.person_id = p.id ORDER BY q.date DESC, q.id DESC LIMIT 1) AS qualification
 FROM people p";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QualificationRow {
    pub id: i64,
    pub level: String,
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
    pub performance: Option<String>,
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
    pub async fn insert_person(&self, tx: &mut Tx, d: &PersonDraft) -> Result<i64> {
        let (py, initials) = pinyin_keys(&d.name);
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO people (name, name_pinyin, name_initials, resident_id, birth_date, sex, phone,
             social_work_start_date, supervisor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(&d.name).bind(&py).bind(&initials).bind(d.resident_id.as_str())
            .bind(d.resident_id.birth_date()).bind(d.resident_id.sex().label()).bind(&d.phone)
            .bind(d.social_work_start_date).bind(d.supervisor)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "resident_id")))
    }

    pub async fn update_person(
        &self,
        tx: &mut Tx,
        id: i64,
        version: i64,
        d: &PersonDraft,
    ) -> Result<()> {
        let (py, initials) = pinyin_keys(&d.name);
        let n = on_tx!(tx, c => sqlx::query(
            "UPDATE people SET name = $1, name_pinyin = $2, name_initials = $3, resident_id = $4, birth_date = $5,
             sex = $6, phone = $7, social_work_start_date = $8, supervisor = $9, version = version + 1,
             updated_at = CURRENT_TIMESTAMP WHERE id = $10 AND version = $11")
            .bind(&d.name).bind(&py).bind(&initials).bind(d.resident_id.as_str())
            .bind(d.resident_id.birth_date()).bind(d.resident_id.sex().label()).bind(&d.phone)
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

    pub async fn person(&self, id: i64) -> Result<PersonRow> {
        let sql = format!("{SELECT_PERSON} WHERE p.id = $1");
        on_db!(self, p => sqlx::query_as::<_, PersonRow>(&sql).bind(id).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    pub async fn person_by_resident_id(&self, rid: &str) -> Result<PersonRow> {
        let sql = format!("{SELECT_PERSON} WHERE p.resident_id = $1");
        on_db!(self, p => sqlx::query_as::<_, PersonRow>(&sql).bind(rid).fetch_optional(p).await?)
            .ok_or(StoreError::NotFound)
    }

    /// Person id by resident ID, inside a transaction.
    pub async fn person_id_tx(&self, tx: &mut Tx, rid: &str) -> Result<(i64, NaiveDate)> {
        on_tx!(tx, c => sqlx::query_as("SELECT id, birth_date FROM people WHERE resident_id = $1")
            .bind(rid).fetch_optional(&mut **c).await?)
        .ok_or(StoreError::NotFound)
    }

    pub async fn list_people(
        &self,
        f: &PersonFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<PersonRow>> {
        let mut w: Vec<String> = Vec::new();
        let mut b: Vec<Bind> = Vec::new();
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

    pub async fn count_people(&self) -> Result<i64> {
        Ok(on_db!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM people").fetch_one(p).await?))
    }
}
