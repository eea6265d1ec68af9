//! People use cases: register a social worker, qualifications, employments
//! (no two overlapping full-time spells), annual reviews; revealing one
//! person's full resident ID or phone, with a reason.
//!
//! Resident IDs and phones are written only sealed (with the personal-data
//! key), found by keyed hash, and shown masked; of the birth date only the
//! year is kept in clear (with the date, the mask would give the number).
//! Every list and page is cut to the caller's scope; a change needs the
//! person employed today inside it (a former employer reads, but no longer
//! writes), and an employment may name only an organisation inside it. Every
//! change leaves an audit record in its transaction.

use crate::facts::{DeclarationRow, Stated};
use crate::security::audit::AuditEntry;
use crate::security::keys::Keys;
use crate::{AppError, Registry, Result};
use gongyi_domain::access::Scope;
use gongyi_domain::access::Stating;
use gongyi_domain::facts::{FactKind, FactSource};
use gongyi_domain::people::{
    check_no_overlapping_full_time, AnnualReview, Employment, EmploymentInput, PerformanceRating,
    PersonDraft, PersonInput, Qualification, QualificationInput, SeniorAward, SeniorAwardInput,
    SupervisorReview, SupervisorReviewInput,
};
use gongyi_domain::resident_id::{birth_date_of, mask_resident_id};
use gongyi_domain::vocabulary::Coded;
use gongyi_domain::{text, Invalid};
/// What the people use cases hand out: masked rows and the list filter.
pub use gongyi_store::people::{
    EmploymentRow, PersonFilter, PersonRow, QualificationRow, ReviewRow,
};
use gongyi_store::people::{PersonSealedRow, Reach, SealedPersonal};
use gongyi_store::policy_facts::{PersonSupportFacts, SeniorAwardRecord};
use gongyi_store::{Page, StoreError, Tx};

/// The lookup kind of resident IDs (see [`Keys::lookup`]).
const RID_LOOKUP: &str = "resident_id";

/// The keyed hash that finds a resident ID as typed (trimmed, `x` upper-cased).
pub fn resident_id_lookup(keys: &Keys, resident_id: &str) -> String {
    keys.lookup(RID_LOOKUP, &resident_id.trim().to_uppercase())
}

/// Seals a plain resident ID and phone for writing.
pub fn seal_personal(keys: &Keys, resident_id: &str, phone: Option<&str>) -> SealedPersonal {
    let rid = resident_id.trim().to_uppercase();
    let phone = crate::orgs::seal_phone(keys, phone);
    SealedPersonal {
        resident_id_lookup: resident_id_lookup(keys, &rid),
        resident_id_sealed: keys.seal(&rid),
        resident_id_masked: mask_resident_id(&rid),
        phone_sealed: phone.sealed,
        phone_masked: phone.masked,
    }
}

/// [`seal_personal`] for a validated draft.
pub fn seal_draft(keys: &Keys, d: &PersonDraft) -> SealedPersonal {
    seal_personal(keys, d.resident_id.as_str(), d.phone.as_deref())
}

/// The field of a person that can be revealed.
fn revealable(field: &str) -> Result<&'static str> {
    match field.trim() {
        "resident_id" => Ok("resident_id"),
        "phone" => Ok("phone"),
        _ => Err(AppError::Invalid(Invalid::one(
            "field",
            "reveal.field",
            "只能查看完整的公民身份号码或联系电话",
        ))),
    }
}

/// The audit entry of a person's fields, before and after (personal data masked).
fn person_changes(
    mut e: AuditEntry,
    before: Option<&PersonSealedRow>,
    after: &PersonDraft,
    sealed: &SealedPersonal,
) -> AuditEntry {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let yes = |b: bool| if b { "是" } else { "否" };
    let b_start = before.and_then(|b| date(b.social_work_start_date));
    let a_start = date(after.social_work_start_date);
    e = e
        .change("name", before.map(|b| b.name.as_str()), Some(&after.name))
        .change(
            "resident_id",
            before.and_then(|b| b.resident_id_masked.as_deref()),
            Some(&sealed.resident_id_masked),
        )
        .change(
            "phone",
            before.and_then(|b| b.phone_masked.as_deref()),
            sealed.phone_masked.as_deref(),
        )
        .change(
            "social_work_start_date",
            b_start.as_deref(),
            a_start.as_deref(),
        )
        .change(
            "supervisor",
            before.map(|b| yes(b.supervisor)),
            Some(yes(after.supervisor)),
        );
    // Another number with the same mask is a change the masks would hide.
    match before {
        Some(b)
            if b.resident_id_lookup != sealed.resident_id_lookup
                && b.resident_id_masked.as_deref() == Some(&sealed.resident_id_masked) =>
        {
            e.note("resident_id_changed", "是")
        }
        _ => e,
    }
}

#[derive(Debug, Clone)]
pub struct PersonPage {
    pub person: PersonRow,
    pub qualifications: Vec<QualificationRow>,
    pub employments: Vec<EmploymentRow>,
    pub reviews: Vec<ReviewRow>,
    /// Whether the caller may change the person (employed today inside its
    /// scope), so pages offer the forms only then.
    pub may_change: bool,
    /// Supervisor reviews and senior-award decisions.
    pub support: PersonSupportFacts,
    /// Declarations about the person waiting for verification or returned,
    /// of organisations in the caller's scope.
    pub declarations: Vec<DeclarationRow>,
}

/// The birth date written in a stored person's number, opened with the key
/// (in clear the registry keeps only the year). A row not yet sealed holds
/// the plain number in its lookup column (see `seal_personal_data`).
pub(crate) fn birth_of(keys: &Keys, p: &PersonSealedRow) -> Result<chrono::NaiveDate> {
    let number = match &p.resident_id_sealed {
        Some(sealed) => keys.open(sealed)?,
        None => p.resident_id_lookup.clone(),
    };
    // A stored number was valid when written, so its date is one; without
    // it the check below has no lower bound rather than a wrong one.
    Ok(birth_date_of(&number).unwrap_or(chrono::NaiveDate::MIN))
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
        let perf = e.take(PerformanceRating::parse_optional(
            "performance",
            &self.performance,
        ));
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
    SupervisorReview(SupervisorReviewInput),
    SeniorAward(SeniorAwardInput),
}

impl PersonRecordInput {
    /// The record of `kind` (its [`FactKind`] code: `qualifications`,
    /// `employments`, `reviews`, `supervisor-reviews`,
    /// `senior-award-decisions`) from named fields.
    pub fn from_fields(kind: &str, get: impl Fn(&str) -> String) -> Option<PersonRecordInput> {
        let g = |k: &str| get(k);
        Some(match FactKind::decode(kind).ok()? {
            FactKind::Qualification => PersonRecordInput::Qualification(QualificationInput {
                level: g("level"),
                certificate_no: g("certificate_no"),
                date: g("date"),
            }),
            FactKind::Employment => PersonRecordInput::Employment(EmploymentInput {
                org_credit_code: g("org_credit_code"),
                start_date: g("start_date"),
                end_date: g("end_date"),
                labour_contract: g("labour_contract"),
                full_time: g("full_time"),
                position: g("position"),
            }),
            FactKind::Review => PersonRecordInput::Review(ReviewInput {
                year: g("year"),
                training_hours: g("training_hours"),
                performance: g("performance"),
            }),
            FactKind::SupervisorReview => {
                PersonRecordInput::SupervisorReview(SupervisorReviewInput {
                    year: g("year"),
                    score: g("score"),
                    hours: g("hours"),
                })
            }
            FactKind::SeniorAward => PersonRecordInput::SeniorAward(SeniorAwardInput {
                decision_date: g("decision_date"),
                innovative_contribution: g("innovative_contribution"),
                reason: g("reason"),
            }),
            _ => return None,
        })
    }

    pub fn kind(&self) -> FactKind {
        match self {
            PersonRecordInput::Qualification(_) => FactKind::Qualification,
            PersonRecordInput::Employment(_) => FactKind::Employment,
            PersonRecordInput::Review(_) => FactKind::Review,
            PersonRecordInput::SupervisorReview(_) => FactKind::SupervisorReview,
            PersonRecordInput::SeniorAward(_) => FactKind::SeniorAward,
        }
    }

    /// The fields as typed, named as in [`PersonRecordInput::from_fields`]
    /// (what a declaration keeps).
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        match self {
            PersonRecordInput::Qualification(q) => vec![
                ("level", &q.level),
                ("certificate_no", &q.certificate_no),
                ("date", &q.date),
            ],
            PersonRecordInput::Employment(e) => vec![
                ("org_credit_code", &e.org_credit_code),
                ("start_date", &e.start_date),
                ("end_date", &e.end_date),
                ("labour_contract", &e.labour_contract),
                ("full_time", &e.full_time),
                ("position", &e.position),
            ],
            PersonRecordInput::Review(r) => vec![
                ("year", &r.year),
                ("training_hours", &r.training_hours),
                ("performance", &r.performance),
            ],
            PersonRecordInput::SupervisorReview(r) => {
                vec![("year", &r.year), ("score", &r.score), ("hours", &r.hours)]
            }
            PersonRecordInput::SeniorAward(a) => vec![
                ("decision_date", &a.decision_date),
                ("innovative_contribution", &a.innovative_contribution),
                ("reason", &a.reason),
            ],
        }
    }
}

/// A validated [`PersonRecordInput`]; an employment with its employer's id.
#[derive(Debug, Clone)]
enum PersonRecord {
    Qualification(Qualification),
    Employment(i64, Employment),
    Review(AnnualReview),
    SupervisorReview(SupervisorReview),
    SeniorAward(SeniorAward),
}

/// `Some` of a found row, `None` of `NotFound`, other errors as they are.
fn found<T>(r: gongyi_store::Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(StoreError::NotFound) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn unknown_person(rid: &str) -> AppError {
    AppError::Invalid(Invalid::one(
        "resident_id",
        "person.unknown",
        format!("身份证号“{}”对应的人员不存在", mask_resident_id(rid.trim())),
    ))
}

/// What registering a person gives the caller.
#[derive(Debug, Clone)]
pub enum Registration {
    /// The new person, for callers who see the whole district.
    Registered(PersonRow),
    /// Taken, for a caller with a scope: it is shown neither the new record
    /// (which has no employment in its scope yet) nor whether the number was
    /// registered already outside its scope. Such a duplicate writes no
    /// second person: it is flagged for the bureau (`person_claims`), which
    /// resolves it. So "accepted" is the answer either way, and the form
    /// cannot be used to learn who is registered elsewhere in the district.
    Submitted,
}

/// One open claim, for the bureau (the person's number masked).
pub use gongyi_store::claims::PersonClaimRow as PersonClaim;

impl Registry {
    /// Registers a person as typed; see [`Registration`] for what a caller
    /// with a scope is told.
    pub async fn register_person(&self, input: &PersonInput) -> Result<Registration> {
        let d = input.validate(self.clock.today())?;
        let sealed = seal_draft(&self.keys, &d);
        let mut tx = self.db.begin().await?;
        let scoped = self.caller.scope != Scope::District;
        if scoped {
            let lookup = &sealed.resident_id_lookup;
            if let Some(existing) = found(
                self.db
                    .person_id_tx(&mut tx, lookup, &Scope::District, Reach::Seen)
                    .await,
            )? {
                let visible = found(
                    self.db
                        .person_id_tx(&mut tx, lookup, &self.caller.scope, Reach::Seen)
                        .await,
                )?
                .is_some();
                if visible {
                    // Inside the scope the caller can see it anyway.
                    return Err(StoreError::Duplicate {
                        field: "resident_id",
                    }
                    .into());
                }
                self.db
                    .insert_person_claim(
                        &mut tx,
                        existing,
                        &d.name,
                        (&self.caller.name, &self.caller.role),
                        chrono::Utc::now(),
                    )
                    .await?;
                self.audit(
                    &mut tx,
                    AuditEntry::new("claim", "person", existing)
                        .note("claimed_name", &d.name)
                        .note("resident_id", &sealed.resident_id_masked),
                )
                .await?;
                tx.commit().await?;
                return Ok(Registration::Submitted);
            }
        }
        let id = self.db.insert_person(&mut tx, &d, &sealed).await?;
        let entry = person_changes(AuditEntry::new("create", "person", id), None, &d, &sealed);
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        if scoped {
            return Ok(Registration::Submitted);
        }
        Ok(Registration::Registered(
            self.db.person(id, &Scope::District).await?,
        ))
    }

    /// [`Registry::register_person`] for callers who see the whole district
    /// (the operator, the bureau, tests): the new person. A caller with a
    /// scope is not given the record: `NotFound`.
    pub async fn create_person(&self, input: &PersonInput) -> Result<PersonRow> {
        match self.register_person(input).await? {
            Registration::Registered(p) => Ok(p),
            Registration::Submitted => Err(AppError::NotFound),
        }
    }

    /// Open claims on already registered people, for the bureau (the whole
    /// district); others see none.
    pub async fn person_claims(&self) -> Result<Vec<PersonClaim>> {
        if self.caller.scope != Scope::District {
            return Ok(vec![]);
        }
        Ok(self.db.open_person_claims(200).await?)
    }

    /// The bureau marks a claim dealt with (after merging or correcting the
    /// records by hand), audited. Outside the whole district: `NotFound`.
    pub async fn resolve_person_claim(&self, id: i64) -> Result<()> {
        if self.caller.scope != Scope::District {
            return Err(AppError::NotFound);
        }
        let mut tx = self.db.begin().await?;
        let person = self
            .db
            .resolve_person_claim(&mut tx, id, &self.caller.name, chrono::Utc::now())
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("resolve_claim", "person", person).note("claim", id),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Saves an edit. A resident ID or phone sent back as its masked form
    /// (as pages and the API show it) keeps the stored value. Only a person
    /// employed today inside the caller's scope: else `NotFound`.
    pub async fn update_person(
        &self,
        id: i64,
        version: i64,
        input: &PersonInput,
    ) -> Result<PersonRow> {
        let mut tx = self.db.begin().await?;
        self.update_person_tx(&mut tx, id, version, input).await?;
        tx.commit().await?;
        Ok(self.db.person(id, &Scope::District).await?)
    }

    /// [`Registry::update_person`] inside `tx` (edits and imports share it).
    pub(crate) async fn update_person_tx(
        &self,
        tx: &mut Tx,
        id: i64,
        version: i64,
        input: &PersonInput,
    ) -> Result<()> {
        let current = self
            .db
            .person_sealed_tx(tx, id, &self.caller.scope, self.writable())
            .await?;
        let mut input = input.clone();
        if let (Some(masked), Some(sealed)) =
            (&current.resident_id_masked, &current.resident_id_sealed)
        {
            if input.resident_id.trim() == masked {
                input.resident_id = self.keys.open(sealed)?;
            }
        }
        if let (Some(masked), Some(sealed)) = (&current.phone_masked, &current.phone_sealed) {
            if input.phone.trim() == masked {
                input.phone = self.keys.open(sealed)?;
            }
        }
        let d = input.validate(self.clock.today())?;
        let sealed = seal_draft(&self.keys, &d);
        self.db.update_person(tx, id, version, &d, &sealed).await?;
        let entry = person_changes(
            AuditEntry::new("update", "person", id),
            Some(&current),
            &d,
            &sealed,
        );
        self.audit(tx, entry).await?;
        Ok(())
    }

    /// States a record of the person with `resident_id` (inside the
    /// caller's scope), as [`Registry::add_person_record_to`].
    pub async fn add_person_record(
        &self,
        resident_id: &str,
        input: &PersonRecordInput,
    ) -> Result<Stated> {
        let mut tx = self.db.begin().await?;
        let (person_id, birth) = self.person_by_number_tx(&mut tx, resident_id).await?;
        let stated = self
            .state_person_record(&mut tx, person_id, birth, input)
            .await?;
        tx.commit().await?;
        Ok(stated)
    }

    /// States a record of the person with table id `person_id` (inside the
    /// caller's scope) as the caller may (`domain::access::who_states`): an
    /// authority's record is a fact, an organisation's a declaration about
    /// its own staff, waiting for verification. Audited.
    pub async fn add_person_record_to(
        &self,
        person_id: i64,
        input: &PersonRecordInput,
    ) -> Result<Stated> {
        let mut tx = self.db.begin().await?;
        let person = self
            .db
            .person_sealed_tx(&mut tx, person_id, &self.caller.scope, self.writable())
            .await?;
        let birth = birth_of(&self.keys, &person)?;
        let stated = self
            .state_person_record(&mut tx, person_id, birth, input)
            .await?;
        tx.commit().await?;
        Ok(stated)
    }

    async fn state_person_record(
        &self,
        tx: &mut Tx,
        person_id: i64,
        birth: chrono::NaiveDate,
        input: &PersonRecordInput,
    ) -> Result<Stated> {
        let kind = input.kind();
        let stated = match self.may_state(kind)? {
            Stating::Records => {
                let id = self
                    .insert_person_record(tx, person_id, birth, input)
                    .await?;
                self.stamp(tx, kind, id, FactSource::Record).await?;
                Stated::Fact(id)
            }
            _ => {
                // Only an organisation declares, and about its own staff.
                let Scope::Organisation(own) = self.caller.scope else {
                    return Err(self.not_stated(kind));
                };
                if let PersonRecord::Employment(employer, _) = self
                    .validate_person_record(tx, person_id, birth, input)
                    .await?
                {
                    if employer != own {
                        return Err(AppError::Invalid(Invalid::one(
                            "org_credit_code",
                            "employment.other_organisation",
                            "只能申报在本组织的任职",
                        )));
                    }
                }
                let id = self
                    .declare_tx(tx, kind, own, Some(person_id), &input.fields())
                    .await?;
                Stated::Declaration(id)
            }
        };
        self.audit(tx, record_entry(person_id, stated, input))
            .await?;
        Ok(stated)
    }

    /// The person with `resident_id` inside the caller's scope: (id, birth date).
    async fn person_by_number_tx(
        &self,
        tx: &mut Tx,
        resident_id: &str,
    ) -> Result<(i64, chrono::NaiveDate)> {
        let rid = resident_id.trim().to_uppercase();
        let lookup = resident_id_lookup(&self.keys, &rid);
        let person_id = self
            .db
            .person_id_tx(tx, &lookup, &self.caller.scope, self.writable())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => unknown_person(&rid),
                other => other.into(),
            })?;
        // The number as typed found the person, so it is the stored one.
        Ok((
            person_id,
            birth_date_of(&rid).unwrap_or(chrono::NaiveDate::MIN),
        ))
    }

    /// Writes a record as a fact from `source` without auditing it (imports
    /// write one summary entry): (person id, record id). Only a caller who
    /// records the kind may.
    pub(crate) async fn add_person_record_tx(
        &self,
        tx: &mut Tx,
        resident_id: &str,
        input: &PersonRecordInput,
        source: FactSource,
    ) -> Result<(i64, i64)> {
        let (person_id, birth) = self.person_by_number_tx(tx, resident_id).await?;
        let kind = input.kind();
        if self.may_state(kind)? != Stating::Records {
            return Err(self.not_stated(kind));
        }
        let id = self
            .insert_person_record(tx, person_id, birth, input)
            .await?;
        self.stamp(tx, kind, id, source).await?;
        Ok((person_id, id))
    }

    /// Validates a record against the registry (an employment's employer
    /// exists and the spell overlaps no full-time one) without writing it.
    async fn validate_person_record(
        &self,
        tx: &mut Tx,
        person_id: i64,
        birth: chrono::NaiveDate,
        input: &PersonRecordInput,
    ) -> Result<PersonRecord> {
        let today = self.clock.today();
        Ok(match input {
            PersonRecordInput::Qualification(q) => {
                PersonRecord::Qualification(q.validate(birth, today)?)
            }
            PersonRecordInput::Employment(e) => {
                let emp = e.validate()?;
                let (org_id, _, subdistrict) = self
                    .db
                    .org_scope_key_tx(tx, e.org_credit_code.trim())
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
                // An employment elsewhere is the other organisation's to
                // declare: outside the caller's scope it reads as absent.
                if !self.caller.scope.covers_org(org_id, &subdistrict) {
                    return Err(AppError::NotFound);
                }
                let existing: Vec<_> = self
                    .db
                    .employments_of_person_tx(tx, person_id)
                    .await?
                    .iter()
                    .map(EmploymentRow::to_domain)
                    .collect();
                check_no_overlapping_full_time(&emp, &existing)?;
                PersonRecord::Employment(org_id, emp)
            }
            PersonRecordInput::Review(r) => PersonRecord::Review(r.validate()?),
            PersonRecordInput::SupervisorReview(r) => PersonRecord::SupervisorReview(r.validate()?),
            PersonRecordInput::SeniorAward(a) => {
                PersonRecord::SeniorAward(a.validate(birth, today)?)
            }
        })
    }

    /// Validates and inserts one record; its provenance is the caller's to stamp.
    pub(crate) async fn insert_person_record(
        &self,
        tx: &mut Tx,
        person_id: i64,
        birth: chrono::NaiveDate,
        input: &PersonRecordInput,
    ) -> Result<i64> {
        let db = &self.db;
        Ok(
            match self
                .validate_person_record(tx, person_id, birth, input)
                .await?
            {
                PersonRecord::Qualification(q) => {
                    db.insert_qualification(tx, person_id, &q).await?
                }
                PersonRecord::Employment(org_id, e) => {
                    db.insert_employment(tx, person_id, org_id, &e).await?
                }
                PersonRecord::Review(r) => db.insert_review(tx, person_id, &r).await?,
                PersonRecord::SupervisorReview(r) => {
                    db.insert_supervisor_review(tx, person_id, r.year, r.score, r.hours)
                        .await?
                }
                PersonRecord::SeniorAward(a) => {
                    let record = SeniorAwardRecord {
                        decision_date: a.decision_date,
                        innovative_contribution: a.innovative_contribution,
                        reason: a.reason,
                    };
                    db.insert_senior_award_decision(tx, person_id, &record)
                        .await?
                }
            },
        )
    }

    /// A person's page, if the person is inside the caller's scope.
    pub async fn person_page(&self, id: i64) -> Result<PersonPage> {
        let person = self.db.person(id, &self.caller.scope).await?;
        let (qualifications, employments, reviews) = self.db.person_details(id).await?;
        let may_change = self
            .db
            .person_within(id, &self.caller.scope, self.writable())
            .await?;
        let support = self.db.person_support_facts(id).await?;
        let declarations = self.open_declarations_of_person(id).await?;
        Ok(PersonPage {
            person,
            qualifications,
            employments,
            reviews,
            may_change,
            support,
            declarations,
        })
    }

    /// How far the caller's writes on people reach: the people employed
    /// today inside its scope (the bureau's scope has no condition).
    pub(crate) fn writable(&self) -> Reach {
        Reach::EmployedOn(self.clock.today())
    }

    /// One person (masked), if inside the caller's scope.
    pub async fn person(&self, id: i64) -> Result<PersonRow> {
        Ok(self.db.person(id, &self.caller.scope).await?)
    }

    /// One person (masked) the caller may change: employed today inside its
    /// scope (the edit form); else `NotFound`.
    pub async fn person_to_change(&self, id: i64) -> Result<PersonRow> {
        let scope = &self.caller.scope;
        if !self.db.person_within(id, scope, self.writable()).await? {
            return Err(AppError::NotFound);
        }
        Ok(self.db.person(id, scope).await?)
    }

    /// People matching `f`, inside the caller's scope.
    pub async fn people(
        &self,
        f: &PersonFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<PersonRow>> {
        Ok(self
            .db
            .list_people(&self.caller.scope, f, page, per_page)
            .await?)
    }

    /// How many people the caller's scope holds.
    pub async fn people_count(&self) -> Result<i64> {
        Ok(self.db.count_people_in(&self.caller.scope).await?)
    }

    /// The full resident ID or phone (`field`) of one person in the caller's
    /// scope, for a stated `reason` (at least two characters); the reading is
    /// recorded in the audit trail before the value is returned.
    pub async fn reveal_person(&self, id: i64, field: &str, reason: &str) -> Result<String> {
        let field = revealable(field)?;
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(AppError::Invalid(Invalid::one(
                "reason",
                "reveal.reason_required",
                "请填写查看完整信息的理由(至少 2 个字)",
            )));
        }
        let mut tx = self.db.begin().await?;
        let p = self
            .db
            .person_sealed_tx(&mut tx, id, &self.caller.scope, Reach::Seen)
            .await?;
        let sealed = match field {
            "resident_id" => p.resident_id_sealed.as_deref(),
            _ => p.phone_sealed.as_deref(),
        };
        let Some(sealed) = sealed else {
            return Err(AppError::Invalid(Invalid::one(
                "field",
                "reveal.empty",
                "该人员未登记此项信息",
            )));
        };
        let value = self.keys.open(sealed)?;
        self.audit(
            &mut tx,
            AuditEntry::new("reveal", "person", id)
                .note("field", field)
                .note("reason", reason),
        )
        .await?;
        tx.commit().await?;
        Ok(value)
    }

    /// Seals the personal data of rows written before it was sealed
    /// (migrations 0008 for people, 0009 for organisations' contact phones),
    /// a batch per transaction; a no-op once every row is sealed. Call after
    /// `Db::migrate` with the registry's real keys. Returns the rows sealed.
    pub async fn seal_personal_data(&self) -> Result<u64> {
        let mut done = 0u64;
        loop {
            let batch = self.db.people_unsealed(1_000).await?;
            if batch.is_empty() {
                break;
            }
            let mut tx = self.db.begin().await?;
            for (id, rid, phone) in &batch {
                let s = seal_personal(&self.keys, rid, phone.as_deref());
                self.db.seal_person_row(&mut tx, *id, &s).await?;
            }
            done += batch.len() as u64;
            tx.commit().await?;
        }
        if done > 0 {
            self.audit_now(AuditEntry::new("seal", "people", "").note("rows", done))
                .await?;
        }
        let mut orgs = 0u64;
        loop {
            let batch = self.db.orgs_unsealed(1_000).await?;
            if batch.is_empty() {
                break;
            }
            let mut tx = self.db.begin().await?;
            for (id, phone) in &batch {
                let s = crate::orgs::seal_phone(&self.keys, Some(phone));
                self.db.seal_org_phone_row(&mut tx, *id, &s).await?;
            }
            orgs += batch.len() as u64;
            tx.commit().await?;
        }
        if orgs > 0 {
            self.audit_now(AuditEntry::new("seal", "organizations", "").note("rows", orgs))
                .await?;
        }
        Ok(done + orgs)
    }
}

/// The audit entry of a person's record, written as a fact or declared.
fn record_entry(person_id: i64, stated: Stated, input: &PersonRecordInput) -> AuditEntry {
    let kind = input.kind().code();
    let e = match stated {
        Stated::Fact(id) => AuditEntry::new("add_record", "person", person_id)
            .note("record", kind)
            .note("record_id", id),
        Stated::Declaration(id) => AuditEntry::new("declare", "person", person_id)
            .note("record", kind)
            .note("declaration", id),
    };
    match input {
        PersonRecordInput::Qualification(q) => {
            e.note("level", q.level.trim()).note("date", q.date.trim())
        }
        PersonRecordInput::Employment(m) => e
            .note("org_credit_code", m.org_credit_code.trim())
            .note("start_date", m.start_date.trim()),
        PersonRecordInput::Review(r) => e.note("year", r.year.trim()),
        PersonRecordInput::SupervisorReview(r) => {
            e.note("year", r.year.trim()).note("score", r.score.trim())
        }
        PersonRecordInput::SeniorAward(a) => e.note("decision_date", a.decision_date.trim()),
    }
}
