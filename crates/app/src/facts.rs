//! Who states which fact, enforced (issue 10): every write of a fact kind
//! asks `domain::access::who_states` how the caller states it. An
//! authority's record is written as a fact with its provenance; an
//! organisation's declaration waits in `declarations` until its
//! sub-district or the bureau verifies it (then its fact is written, in the
//! same transaction as the decision and its audit record) or returns it
//! with a reason. The account that declared an item does not decide it.
//!
//! The writes themselves are the existing record paths (`orgs::add_history`,
//! `people::add_person_record_to`, the imports); this module holds what they
//! share and the verifier's use cases.

use crate::orgs::HistoryInput;
use crate::people::PersonRecordInput;
use crate::security::audit::AuditEntry;
use crate::transfer::RecordKind;
use crate::{AppError, Registry, Result};
use chrono::Utc;
use gongyi_domain::access::{who_states, who_verifies, Role, Scope, Stating, WHO_STATES};
use gongyi_domain::facts::{
    may_decide, return_reason, DeclarationStatus, FactKind, FactSource, Owner,
};
use gongyi_domain::history::{
    CreditList, HonourLevel, InspectionResult, PartyOrgForm, RatingLevel,
};
use gongyi_domain::people::{PerformanceRating, QualificationLevel};
use gongyi_domain::policy::facts::CompetitionLevel;
use gongyi_store::facts::{Decision, NewDeclaration, Provenance};
/// What the declaration use cases hand out.
pub use gongyi_store::facts::{DeclarationFilter, DeclarationRow};
use gongyi_store::people::Reach;
use gongyi_store::Tx;
use std::collections::BTreeMap;

/// What a write of a fact became.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stated {
    /// A fact, by its row id in the kind's table.
    Fact(i64),
    /// A declaration waiting for verification, by its id.
    Declaration(i64),
}

/// The fields of a declaration as typed, as stored (a JSON object of strings).
fn payload_of(fields: &[(&str, &str)]) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(k, v)| {
            (
                (*k).to_string(),
                serde_json::Value::String((*v).to_string()),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

/// The fields of a stored declaration. A payload that is not a JSON object
/// of strings was not written by [`payload_of`]: inconsistent.
pub fn payload_fields(d: &DeclarationRow) -> Result<BTreeMap<String, String>> {
    let bad = || AppError::Inconsistent {
        entity: "declaration",
        id: d.id.to_string(),
        problem: "payload is not an object of fields",
    };
    match serde_json::from_str::<serde_json::Value>(&d.payload).map_err(|_| bad())? {
        serde_json::Value::Object(m) => m
            .into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => Ok((k, s)),
                _ => Err(bad()),
            })
            .collect(),
        _ => Err(bad()),
    }
}

/// The fields of a declaration as people read them: (label, value) in the
/// kind's column order, blanks left out, codes as their Chinese labels and
/// yes/no flags as 是/否.
pub fn labelled_fields(d: &DeclarationRow) -> Vec<(&'static str, String)> {
    let Ok(fields) = payload_fields(d) else {
        return vec![];
    };
    let Some(columns) = RecordKind::parse(d.kind.code()).map(RecordKind::columns) else {
        return vec![];
    };
    columns
        .iter()
        .filter_map(|c| {
            let v = fields.get(c.key)?.trim();
            (!v.is_empty()).then(|| (c.label, display_value(d.kind, c.key, v)))
        })
        .collect()
}

/// A typed value as shown: vocabulary codes as labels, flags as 是/否.
fn display_value(kind: FactKind, key: &str, v: &str) -> String {
    let flag = |v: &str| {
        match gongyi_domain::text::flag(key, "", v) {
            Ok(true) => "是",
            Ok(false) => "否",
            Err(_) => return v.to_string(),
        }
        .to_string()
    };
    match (kind, key) {
        (FactKind::Inspection, "result") => InspectionResult::label_of(v),
        (FactKind::Rating, "level") => RatingLevel::label_of(v),
        (FactKind::Honour, "level") => HonourLevel::label_of(v),
        (FactKind::CreditEntry, "list") => CreditList::label_of(v),
        (FactKind::PartyBuilding, "form") => PartyOrgForm::label_of(v),
        (FactKind::Qualification, "level") => QualificationLevel::label_of(v),
        (FactKind::Review, "performance") => PerformanceRating::label_of(v),
        (FactKind::CompetitionWin, "level") => CompetitionLevel::label_of(v),
        (
            _,
            "has_party_org"
            | "in_charter"
            | "checked_at_registration"
            | "checked_at_inspection"
            | "checked_at_rating"
            | "labour_contract"
            | "full_time"
            | "serves_district"
            | "innovative_contribution",
        ) => flag(v),
        _ => v.to_string(),
    }
}

/// Who records a kind, in words: for the reason of a refusal.
fn recorders(kind: FactKind) -> String {
    let who: Vec<&str> = [Role::Bureau, Role::Subdistrict]
        .into_iter()
        .filter(|r| who_states(kind, *r) == Stating::Records)
        .map(Role::label)
        .collect();
    who.join("或")
}

impl Registry {
    /// How the caller states a fact of `kind`; the operator at the command
    /// line (imports, loads) records every kind.
    pub fn stating(&self, kind: FactKind) -> Stating {
        if self.caller.is_operator() {
            return Stating::Records;
        }
        self.caller
            .role()
            .map_or(Stating::No, |r| who_states(kind, r))
    }

    /// [`Registry::stating`], refusing a caller who states nothing of `kind`.
    pub(crate) fn may_state(&self, kind: FactKind) -> Result<Stating> {
        match self.stating(kind) {
            Stating::Records => Ok(Stating::Records),
            Stating::Declares => Ok(Stating::Declares),
            Stating::Applies | Stating::No => Err(self.not_stated(kind)),
        }
    }

    /// The refusal of a write of `kind` by a caller who may not state it.
    pub(crate) fn not_stated(&self, kind: FactKind) -> AppError {
        let who = self
            .caller
            .role()
            .map_or_else(|| "当前账号".to_string(), |r| r.label().to_string());
        AppError::Denied {
            code: "fact.not_stated_by_role",
            message: format!(
                "{who}不能记录或申报“{}”:该事项由{}记录",
                kind.label(),
                recorders(kind)
            ),
        }
    }

    /// Whether the caller verifies (and returns) declarations of `kind`.
    pub fn verifies(&self, kind: FactKind) -> bool {
        self.caller.is_operator()
            || self
                .caller
                .role()
                .is_some_and(|r| who_verifies(kind).contains(&r))
    }

    /// Whether the caller verifies declarations of any kind (the queue).
    pub fn verifies_any(&self) -> bool {
        WHO_STATES.iter().any(|r| self.verifies(r.kind))
    }

    /// The caller as the one who states a fact now, from `source`; a record
    /// is verified by its recorder as it is written.
    fn provenance_now(&self, source: FactSource) -> Provenance {
        Provenance {
            source,
            stated_by: self.caller.name.clone(),
            stated_role: self.caller.role.clone(),
            verified_by: Some(self.caller.name.clone()),
            verified_at: Some(Utc::now()),
        }
    }

    /// Stamps the fact row `id` of `kind`, just written by the caller.
    pub(crate) async fn stamp(
        &self,
        tx: &mut Tx,
        kind: FactKind,
        id: i64,
        source: FactSource,
    ) -> Result<()> {
        self.db
            .set_provenance(tx, kind, id, &self.provenance_now(source))
            .await?;
        Ok(())
    }

    /// Writes a declaration of `kind` about the organisation `org_id` (and
    /// the person `person_id`) with its fields as typed, already validated.
    pub(crate) async fn declare_tx(
        &self,
        tx: &mut Tx,
        kind: FactKind,
        org_id: i64,
        person_id: Option<i64>,
        fields: &[(&str, &str)],
    ) -> Result<i64> {
        let payload = payload_of(fields);
        Ok(self
            .db
            .insert_declaration(
                tx,
                &NewDeclaration {
                    kind,
                    org_id,
                    person_id,
                    payload: &payload,
                    stated_by: &self.caller.name,
                    stated_role: &self.caller.role,
                    stated_at: Utc::now(),
                },
            )
            .await?)
    }

    /// Declarations in the caller's scope matching `f`, newest first.
    pub async fn declarations(&self, f: &DeclarationFilter) -> Result<Vec<DeclarationRow>> {
        Ok(self
            .db
            .declarations(&self.caller.scope, f, gongyi_store::MAX_PER_PAGE)
            .await?)
    }

    /// The pending and returned declarations of one organisation (its page).
    pub(crate) async fn open_declarations_of_org(
        &self,
        org_id: i64,
    ) -> Result<Vec<DeclarationRow>> {
        let all = self
            .declarations(&DeclarationFilter {
                org_id: Some(org_id),
                ..Default::default()
            })
            .await?;
        Ok(all
            .into_iter()
            .filter(|d| d.status != DeclarationStatus::Verified)
            .collect())
    }

    /// The pending and returned declarations about one person in the
    /// caller's scope (the person's page).
    pub(crate) async fn open_declarations_of_person(
        &self,
        person_id: i64,
    ) -> Result<Vec<DeclarationRow>> {
        let all = self
            .declarations(&DeclarationFilter {
                person_id: Some(person_id),
                ..Default::default()
            })
            .await?;
        Ok(all
            .into_iter()
            .filter(|d| d.status != DeclarationStatus::Verified)
            .collect())
    }

    /// One declaration, if its organisation is in the caller's scope.
    pub async fn declaration(&self, id: i64) -> Result<DeclarationRow> {
        let mut tx = self.db.begin_read().await?;
        let d = self.db.declaration_tx(&mut tx, id).await?;
        tx.commit().await?;
        self.declaration_in_scope(d)
    }

    fn declaration_in_scope(&self, d: DeclarationRow) -> Result<DeclarationRow> {
        if self.caller.scope.covers_org(d.org_id, &d.subdistrict_code) {
            Ok(d)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The pending declaration `id` for the caller to decide: outside its
    /// area it is not found; its own declaration, one of a kind it does not
    /// verify, or one decided already is refused.
    async fn declaration_to_decide(&self, tx: &mut Tx, id: i64) -> Result<DeclarationRow> {
        let d = self.declaration_in_scope(self.db.declaration_tx(tx, id).await?)?;
        may_decide(&d.stated_by, &self.caller.name)?;
        if !self.verifies(d.kind) {
            return Err(AppError::Denied {
                code: "declaration.not_verifier",
                message: format!(
                    "“{}”的申报由所属街道或区民政局核实,当前账号不能办理",
                    d.kind.label()
                ),
            });
        }
        if d.status != DeclarationStatus::Pending {
            return Err(AppError::Refused {
                field: "declaration",
                code: "declaration.decided",
                message: format!("该申报{},不能再次办理", d.status.label()),
            });
        }
        Ok(d)
    }

    /// Verifies a declaration: its fields are validated again and its fact
    /// written with its provenance (declared by its declarant, verified by
    /// the caller), in one transaction with the decision and its audit
    /// record. Returns the fact's row id.
    pub async fn verify_declaration(&self, id: i64) -> Result<i64> {
        let mut tx = self.db.begin().await?;
        let d = self.declaration_to_decide(&mut tx, id).await?;
        let fields = payload_fields(&d)?;
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let inconsistent = |problem| AppError::Inconsistent {
            entity: "declaration",
            id: d.id.to_string(),
            problem,
        };
        let fact_id = match d.kind.owner() {
            Owner::Organisation => {
                let input = HistoryInput::from_fields(d.kind.code(), get)
                    .ok_or_else(|| inconsistent("kind is not an organisation's record"))?;
                let org = self.db.org_by_id_tx(&mut tx, d.org_id).await?;
                self.insert_history(&mut tx, org.id, org.registration_date, &input)
                    .await?
            }
            Owner::Person => {
                let input = PersonRecordInput::from_fields(d.kind.code(), get)
                    .ok_or_else(|| inconsistent("kind is not a person's record"))?;
                let person = d
                    .person_id
                    .ok_or_else(|| inconsistent("a person's record without a person"))?;
                // The declaration is in scope; the person is reached through it.
                let sealed = self
                    .db
                    .person_sealed_tx(&mut tx, person, &Scope::District, Reach::Seen)
                    .await?;
                let birth = crate::people::birth_of(&self.keys, &sealed)?;
                self.insert_person_record(&mut tx, person, birth, &input)
                    .await?
            }
        };
        let now = Utc::now();
        self.db
            .set_provenance(
                &mut tx,
                d.kind,
                fact_id,
                &Provenance {
                    source: FactSource::Declaration,
                    stated_by: d.stated_by.clone(),
                    stated_role: d.stated_role.clone(),
                    verified_by: Some(self.caller.name.clone()),
                    verified_at: Some(now),
                },
            )
            .await?;
        self.db
            .decide_declaration(
                &mut tx,
                id,
                &Decision {
                    status: DeclarationStatus::Verified,
                    decided_by: &self.caller.name,
                    decided_at: now,
                    reason: None,
                    fact_id: Some(fact_id),
                },
            )
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("verify", "declaration", id)
                .note("record", d.kind.code())
                .note("record_id", fact_id)
                .note("organization", &d.org_credit_code)
                .note("declared_by", &d.stated_by),
        )
        .await?;
        tx.commit().await?;
        Ok(fact_id)
    }

    /// Returns a declaration to its organisation with a reason; nothing is
    /// written to the facts.
    pub async fn return_declaration(&self, id: i64, reason: &str) -> Result<()> {
        let mut tx = self.db.begin().await?;
        let d = self.declaration_to_decide(&mut tx, id).await?;
        let reason = return_reason(reason)?;
        self.db
            .decide_declaration(
                &mut tx,
                id,
                &Decision {
                    status: DeclarationStatus::Returned,
                    decided_by: &self.caller.name,
                    decided_at: Utc::now(),
                    reason: Some(&reason),
                    fact_id: None,
                },
            )
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("return", "declaration", id)
                .note("record", d.kind.code())
                .note("organization", &d.org_credit_code)
                .note("declared_by", &d.stated_by)
                .note("reason", &reason),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
