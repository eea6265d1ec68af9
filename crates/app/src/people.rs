//! People use cases: register a social worker, qualifications, employments
//! (no two overlapping full-time spells), annual reviews.

use crate::{AppError, Registry, Result};
use gongyi_domain::person::{
    check_no_overlapping_full_time, AnnualReview, EmploymentInput, PerformanceRating, PersonInput,
    QualificationInput,
};
use gongyi_domain::{text, Invalid};
use gongyi_store::people::{EmploymentRow, PersonFilter, PersonRow, QualificationRow, ReviewRow};
use gongyi_store::{Page, StoreError, Tx};

#[derive(Debug, Clone)]
pub struct PersonPage {
    pub person: PersonRow,
    pub qualifications: Vec<QualificationRow>,
    pub employments: Vec<EmploymentRow>,
    pub reviews: Vec<ReviewRow>,
}

#[derive(Debug, Clone, Default)]
pub struct ReviewInput {
    pub year: String,
    pub training_hours: String,
    pub performance: String,
}

impl ReviewInput {
    pub fn validate(&self) -> Result<AnnualReview, Invalid> {
        let mut e = Invalid::default();
        let year = e.take(text::year("year", "年度", &self.year));
        let hours = e.take(text::count(
            "training_hours",
            "培训学时",
            &self.training_hours,
        ));
        let perf = if self.performance.trim().is_empty() {
            Some(None)
        } else {
            e.take(PerformanceRating::parse("performance", &self.performance))
                .map(Some)
        };
        match (year, hours, perf) {
            (Some(year), Some(training_hours), Some(performance)) => Ok(AnnualReview {
                year,
                training_hours,
                performance,
            }),
            _ => Err(e),
        }
    }
}

/// A person-related record, as typed; the person is named by resident ID.
#[derive(Debug, Clone)]
pub enum PersonRecordInput {
    Qualification(QualificationInput),
    Employment(EmploymentInput),
    Review(ReviewInput),
}

impl PersonRecordInput {
    /// The record of `kind` (`qualifications`, `employments`, `reviews`) from named fields.
    pub fn from_fields(kind: &str, get: impl Fn(&str) -> String) -> Option<PersonRecordInput> {
        let g = |k: &str| get(k);
        Some(match kind {
            "qualifications" => PersonRecordInput::Qualification(QualificationInput {
                level: g("level"),
                certificate_no: g("certificate_no"),
                date: g("date"),
            }),
            "employments" => PersonRecordInput::Employment(EmploymentInput {
                org_credit_code: g("org_credit_code"),
                start_date: g("start_date"),
                end_date: g("end_date"),
                labour_contract: g("labour_contract"),
                full_time: g("full_time"),
                position: g("position"),
            }),
            "reviews" => PersonRecordInput::Review(ReviewInput {
                year: g("year"),
                training_hours: g("training_hours"),
                performance: g("performance"),
            }),
            _ => return None,
        })
    }
}

fn unknown_person(rid: &str) -> AppError {
    AppError::Invalid(Invalid::one(
        "resident_id",
        "person.unknown",
        format!("身份证号“{}”对应的人员不存在", mask(rid)),
    ))
}

fn mask(rid: &str) -> String {
    gongyi_domain::resident_id::mask_resident_id(rid.trim())
}

impl Registry {
    pub async fn create_person(&self, input: &PersonInput) -> Result<PersonRow> {
        let d = input.validate(self.clock.today())?;
        let mut tx = self.db.begin().await?;
        let id = self.db.insert_person(&mut tx, &d).await?;
        tx.commit().await?;
        Ok(self.db.person(id).await?)
    }

    pub async fn update_person(
        &self,
        id: i64,
        version: i64,
        input: &PersonInput,
    ) -> Result<PersonRow> {
        let d = input.validate(self.clock.today())?;
        let mut tx = self.db.begin().await?;
        self.db.update_person(&mut tx, id, version, &d).await?;
        tx.commit().await?;
        Ok(self.db.person(id).await?)
    }

    pub async fn add_person_record(
        &self,
        resident_id: &str,
        input: &PersonRecordInput,
    ) -> Result<i64> {
        let mut tx = self.db.begin().await?;
        let id = self
            .add_person_record_tx(&mut tx, resident_id, input)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) async fn add_person_record_tx(
        &self,
        tx: &mut Tx,
        resident_id: &str,
        input: &PersonRecordInput,
    ) -> Result<i64> {
        let rid = resident_id.trim().to_uppercase();
        let (person_id, birth) = self.db.person_id_tx(tx, &rid).await.map_err(|e| match e {
            StoreError::NotFound => unknown_person(&rid),
            other => other.into(),
        })?;
        let today = self.clock.today();
        match input {
            PersonRecordInput::Qualification(q) => Ok(self
                .db
                .insert_qualification(tx, person_id, &q.validate(birth, today)?)
                .await?),
            PersonRecordInput::Employment(e) => {
                let emp = e.validate()?;
                let (org_id, _) = self
                    .db
                    .org_key_tx(tx, e.org_credit_code.trim())
                    .await
                    .map_err(|err| match err {
                        StoreError::NotFound => AppError::Invalid(Invalid::one(
                            "org_credit_code",
                            "organization.unknown",
                            format!(
                                "统一社会信用代码“{}”对应的组织不存在",
                                e.org_credit_code.trim()
                            ),
                        )),
                        other => other.into(),
                    })?;
                let existing: Vec<_> = self
                    .db
                    .employments_of_person_tx(tx, person_id)
                    .await?
                    .iter()
                    .map(EmploymentRow::to_domain)
                    .collect();
                check_no_overlapping_full_time(&emp, &existing)?;
                Ok(self
                    .db
                    .insert_employment(tx, person_id, org_id, &emp)
                    .await?)
            }
            PersonRecordInput::Review(r) => {
                Ok(self.db.insert_review(tx, person_id, &r.validate()?).await?)
            }
        }
    }

    pub async fn person_page(&self, id: i64) -> Result<PersonPage> {
        let person = self.db.person(id).await?;
        let (qualifications, employments, reviews) = self.db.person_details(id).await?;
        Ok(PersonPage {
            person,
            qualifications,
            employments,
            reviews,
        })
    }

    pub async fn people(
        &self,
        f: &PersonFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<PersonRow>> {
        Ok(self.db.list_people(f, page, per_page).await?)
    }
}
