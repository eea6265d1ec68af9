//! Organisation use cases: register, edit, record history, read pages.

use crate::facts::Stated;
use crate::security::audit::AuditEntry;
use crate::security::keys::Keys;
use crate::{AppError, Registry, Result};
use chrono::NaiveDate;
use gongyi_domain::access::Scope;
use gongyi_domain::access::Stating;
use gongyi_domain::facts::{FactKind, FactSource};
use gongyi_domain::history::{
    CompetitionWin, CompetitionWinInput, CreditEntry, CreditEntryInput, Finance, FinanceInput,
    Honour, HonourInput, Inspection, InspectionInput, LeaseInput, PartyBuilding,
    PartyBuildingInput, Rating, RatingInput, StartupApplicationInput, VentureProject,
    VentureProjectInput,
};
use gongyi_domain::orgs::{OrgDraft, OrgInput, Registration};
use gongyi_domain::policy::facts::{Lease, StartupApplication};
use gongyi_domain::policy::YearMonth;
use gongyi_domain::resident_id::mask_phone;
use gongyi_domain::vocabulary::Coded;
use gongyi_domain::{FieldError, Invalid};
use gongyi_store::facts::DeclarationRow;
use gongyi_store::history::OrgHistory;
use gongyi_store::orgs::SealedPhone;
/// What the organisation use cases hand out: rows decoded into domain types,
/// the directory's filter, order and facets.
pub use gongyi_store::orgs::{Facets, OrgFilter, OrgRow, OrgSort};
use gongyi_store::people::EmploymentRow;
use gongyi_store::policy_facts::{CompetitionWinRecord, OrgSupportFacts};
use gongyi_store::reference::RefRow;
use gongyi_store::{Page, StoreError, Tx};

/// A record of an organisation of any kind, as typed: its history and the
/// facts the support rules read about it.
#[derive(Debug, Clone)]
pub enum HistoryInput {
    Inspection(InspectionInput),
    Rating(RatingInput),
    Honour(HonourInput),
    CreditEntry(CreditEntryInput),
    PartyBuilding(PartyBuildingInput),
    Finance(FinanceInput),
    Lease(LeaseInput),
    StartupApplication(StartupApplicationInput),
    VentureProject(VentureProjectInput),
    CompetitionWin(CompetitionWinInput),
}

/// A validated [`HistoryInput`].
#[derive(Debug, Clone)]
pub(crate) enum HistoryRecord {
    Inspection(Inspection),
    Rating(Rating),
    Honour(Honour),
    CreditEntry(CreditEntry),
    PartyBuilding(PartyBuilding),
    Finance(Finance),
    Lease(Lease),
    StartupApplication(StartupApplication),
    VentureProject(VentureProject),
    CompetitionWin(CompetitionWin),
}

impl HistoryInput {
    /// The record of `kind` (its [`FactKind`] code, as in URLs and file
    /// names: `inspections`, `ratings`, `honours`, `credit-entries`,
    /// `party-building`, `finances`, `leases`, `startup-applications`,
    /// `venture-projects`, `competition-wins`) from named fields, as forms,
    /// API bodies, spreadsheet rows and declarations carry them.
    pub fn from_fields(kind: &str, get: impl Fn(&str) -> String) -> Option<HistoryInput> {
        let g = |k: &str| get(k);
        Some(match FactKind::decode(kind).ok()? {
            FactKind::Inspection => HistoryInput::Inspection(InspectionInput {
                year: g("year"),
                result: g("result"),
                date: g("date"),
            }),
            FactKind::Rating => HistoryInput::Rating(RatingInput {
                level: g("level"),
                date: g("date"),
            }),
            FactKind::Honour => HistoryInput::Honour(HonourInput {
                title: g("title"),
                level: g("level"),
                date: g("date"),
            }),
            FactKind::CreditEntry => HistoryInput::CreditEntry(CreditEntryInput {
                list: g("list"),
                reason: g("reason"),
                listed_date: g("listed_date"),
                removed_date: g("removed_date"),
            }),
            FactKind::PartyBuilding => HistoryInput::PartyBuilding(PartyBuildingInput {
                date: g("date"),
                has_party_org: g("has_party_org"),
                form: g("form"),
                members: g("members"),
                in_charter: g("in_charter"),
                checked_at_registration: g("checked_at_registration"),
                checked_at_inspection: g("checked_at_inspection"),
                checked_at_rating: g("checked_at_rating"),
            }),
            FactKind::Finance => HistoryInput::Finance(FinanceInput {
                year: g("year"),
                total_revenue: g("total_revenue"),
                government_purchase: g("government_purchase"),
                donations: g("donations"),
                business_income: g("business_income"),
                expenditure: g("expenditure"),
                net_assets: g("net_assets"),
                staff: g("staff"),
                volunteers: g("volunteers"),
                volunteer_hours: g("volunteer_hours"),
            }),
            FactKind::Lease => HistoryInput::Lease(LeaseInput {
                month: g("month"),
                rent_paid: g("rent_paid"),
            }),
            FactKind::StartupApplication => {
                HistoryInput::StartupApplication(StartupApplicationInput {
                    date: g("date"),
                    requested: g("requested"),
                })
            }
            FactKind::VentureProject => HistoryInput::VentureProject(VentureProjectInput {
                project_id: g("project_id"),
                amount: g("amount"),
                selected_date: g("selected_date"),
            }),
            FactKind::CompetitionWin => HistoryInput::CompetitionWin(CompetitionWinInput {
                project_id: g("project_id"),
                level: g("level"),
                prize_place: g("prize_place"),
                amount: g("amount"),
                serves_district: g("serves_district"),
                date: g("date"),
            }),
            _ => return None,
        })
    }

    pub fn kind(&self) -> FactKind {
        match self {
            HistoryInput::Inspection(_) => FactKind::Inspection,
            HistoryInput::Rating(_) => FactKind::Rating,
            HistoryInput::Honour(_) => FactKind::Honour,
            HistoryInput::CreditEntry(_) => FactKind::CreditEntry,
            HistoryInput::PartyBuilding(_) => FactKind::PartyBuilding,
            HistoryInput::Finance(_) => FactKind::Finance,
            HistoryInput::Lease(_) => FactKind::Lease,
            HistoryInput::StartupApplication(_) => FactKind::StartupApplication,
            HistoryInput::VentureProject(_) => FactKind::VentureProject,
            HistoryInput::CompetitionWin(_) => FactKind::CompetitionWin,
        }
    }

    /// The fields as typed, named as in [`HistoryInput::from_fields`]: what
    /// the audit trail and a declaration keep. History holds no personal data.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        match self {
            HistoryInput::Inspection(i) => {
                vec![("year", &i.year), ("result", &i.result), ("date", &i.date)]
            }
            HistoryInput::Rating(i) => vec![("level", &i.level), ("date", &i.date)],
            HistoryInput::Honour(i) => {
                vec![("title", &i.title), ("level", &i.level), ("date", &i.date)]
            }
            HistoryInput::CreditEntry(i) => vec![
                ("list", &i.list),
                ("reason", &i.reason),
                ("listed_date", &i.listed_date),
                ("removed_date", &i.removed_date),
            ],
            HistoryInput::PartyBuilding(i) => vec![
                ("date", &i.date),
                ("has_party_org", &i.has_party_org),
                ("form", &i.form),
                ("members", &i.members),
                ("in_charter", &i.in_charter),
                ("checked_at_registration", &i.checked_at_registration),
                ("checked_at_inspection", &i.checked_at_inspection),
                ("checked_at_rating", &i.checked_at_rating),
            ],
            HistoryInput::Finance(i) => vec![
                ("year", &i.year),
                ("total_revenue", &i.total_revenue),
                ("government_purchase", &i.government_purchase),
                ("donations", &i.donations),
                ("business_income", &i.business_income),
                ("expenditure", &i.expenditure),
                ("net_assets", &i.net_assets),
                ("staff", &i.staff),
                ("volunteers", &i.volunteers),
                ("volunteer_hours", &i.volunteer_hours),
            ],
            HistoryInput::Lease(i) => vec![("month", &i.month), ("rent_paid", &i.rent_paid)],
            HistoryInput::StartupApplication(i) => {
                vec![("date", &i.date), ("requested", &i.requested)]
            }
            HistoryInput::VentureProject(i) => vec![
                ("project_id", &i.project_id),
                ("amount", &i.amount),
                ("selected_date", &i.selected_date),
            ],
            HistoryInput::CompetitionWin(i) => vec![
                ("project_id", &i.project_id),
                ("level", &i.level),
                ("prize_place", &i.prize_place),
                ("amount", &i.amount),
                ("serves_district", &i.serves_district),
                ("date", &i.date),
            ],
        }
    }

    /// Validates the record for an organisation registered on `registered`.
    pub(crate) fn validate(&self, registered: NaiveDate) -> Result<HistoryRecord, Invalid> {
        Ok(match self {
            HistoryInput::Inspection(i) => HistoryRecord::Inspection(i.validate(registered)?),
            HistoryInput::Rating(i) => HistoryRecord::Rating(i.validate(registered)?),
            HistoryInput::Honour(i) => HistoryRecord::Honour(i.validate(registered)?),
            HistoryInput::CreditEntry(i) => HistoryRecord::CreditEntry(i.validate(registered)?),
            HistoryInput::PartyBuilding(i) => HistoryRecord::PartyBuilding(i.validate(registered)?),
            HistoryInput::Finance(i) => HistoryRecord::Finance(i.validate(registered)?),
            HistoryInput::Lease(i) => HistoryRecord::Lease(i.validate(registered)?),
            HistoryInput::StartupApplication(i) => {
                HistoryRecord::StartupApplication(i.validate(registered)?)
            }
            HistoryInput::VentureProject(i) => {
                HistoryRecord::VentureProject(i.validate(registered)?)
            }
            HistoryInput::CompetitionWin(i) => {
                HistoryRecord::CompetitionWin(i.validate(registered)?)
            }
        })
    }
}

/// R3: one lease per organisation and month; a second one overlaps it.
fn lease_overlap(month: YearMonth) -> AppError {
    AppError::Invalid(Invalid::one(
        "month",
        "lease.overlap",
        format!("该组织 {month} 已有租赁记录,同一月份不能登记两份租赁"),
    ))
}

/// Seals a phone (an organisation's or a person's) for writing, with its
/// mask; blank is no phone.
pub fn seal_phone(keys: &Keys, phone: Option<&str>) -> SealedPhone {
    match phone.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => SealedPhone {
            sealed: Some(keys.seal(p)),
            masked: Some(mask_phone(p)),
        },
        None => SealedPhone::default(),
    }
}

/// [`seal_phone`] for a validated draft.
pub fn seal_org_draft(keys: &Keys, d: &OrgDraft) -> SealedPhone {
    seal_phone(keys, d.contact_phone.as_deref())
}

/// The audited fields of an organisation, personal data masked.
fn audited_fields(o: &OrgRow) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("credit_code", Some(o.credit_code.clone())),
        ("name", Some(o.name.clone())),
        ("kind", Some(o.kind.code().into())),
        ("community", Some(o.community.to_string())),
        ("fresh_graduate", Some(o.fresh_graduate.to_string())),
        ("subdistrict", Some(o.subdistrict_code.clone())),
        ("registration_date", Some(o.registration_date.to_string())),
        (
            "registered_capital_fen",
            Some(o.registered_capital_fen.to_string()),
        ),
        ("service_fields", Some(o.service_fields.clone())),
        ("address", o.address.clone()),
        ("legal_representative", o.legal_representative.clone()),
        ("contact_phone", o.contact_phone_masked.clone()),
        ("status", Some(o.status.code().into())),
        ("stage", o.stage.map(|s| s.code().into())),
        (
            "deregistration_date",
            o.deregistration_date.map(|d| d.to_string()),
        ),
    ]
}

/// `entry` with every audited field that differs between `before` and `after`.
fn with_changes(mut entry: AuditEntry, before: Option<&OrgRow>, after: &OrgRow) -> AuditEntry {
    let old = before.map(audited_fields);
    for (i, (field, new)) in audited_fields(after).into_iter().enumerate() {
        let was = old.as_ref().and_then(|o| o[i].1.clone());
        entry = entry.change(field, was.as_deref(), new.as_deref());
    }
    entry
}

/// The registration facts of a stored organisation.
fn registration_of(o: &OrgRow) -> Registration {
    Registration {
        credit_code: o.credit_code.clone(),
        name: o.name.clone(),
        kind: o.kind,
        community: o.community,
        fresh_graduate: o.fresh_graduate,
        subdistrict: o.subdistrict_code.clone(),
        registration_date: o.registration_date,
        registered_capital: gongyi_domain::Fen(o.registered_capital_fen),
        status: o.status,
    }
}

/// Everything the organisation page shows.
#[derive(Debug, Clone)]
pub struct OrgPage {
    pub org: OrgRow,
    pub history: OrgHistory,
    /// Leases, start-up applications, venture projects, competition wins.
    pub support: OrgSupportFacts,
    pub employments: Vec<EmploymentRow>,
    /// Its declarations waiting for verification or returned, newest first
    /// (shown to the organisation and its verifiers, never in public).
    pub declarations: Vec<DeclarationRow>,
}

/// Resolves a sub-district typed as code or name against reference data.
pub fn resolve_ref(
    rows: &[RefRow],
    field: &str,
    label: &str,
    input: &str,
) -> Result<String, Invalid> {
    let s = input.trim();
    rows.iter()
        .find(|r| r.code == s || r.name == s)
        .map(|r| r.code.clone())
        .ok_or_else(|| Invalid::one(field, "reference.unknown", format!("{label}“{s}”不存在")))
}

impl Registry {
    /// Validates an organisation and resolves its sub-district.
    pub async fn validate_org(&self, input: &OrgInput) -> Result<OrgDraft> {
        let subdistricts = self.db.subdistricts().await?;
        self.validate_org_with(input, &subdistricts)
    }

    /// The same, with reference data already loaded (imports).
    pub fn validate_org_with(&self, input: &OrgInput, subdistricts: &[RefRow]) -> Result<OrgDraft> {
        let mut errs = Invalid::default();
        let sub = errs.take(resolve_ref(
            subdistricts,
            "subdistrict",
            "街道",
            &input.subdistrict,
        ));
        let draft = errs.take(input.validate().map_err(|mut e| {
            e.0.retain(|f| f.field != "subdistrict");
            e
        }));
        match (draft, sub) {
            (Some(mut d), Some(code)) if errs.is_empty() => {
                d.subdistrict = code;
                Ok(d)
            }
            _ => Err(errs.into()),
        }
    }

    /// Whether the caller is the registering authority: it alone records
    /// and changes registration facts (the bureau's accounts, the operator).
    fn registers(&self) -> bool {
        self.stating(FactKind::Registration) == Stating::Records
    }

    /// Refuses a change of registration facts by anyone but the registering
    /// authority (an organisation's own account, a sub-district), naming
    /// each fact; returns the changes otherwise.
    fn registration_changes(
        &self,
        current: &OrgRow,
        d: &OrgDraft,
    ) -> Result<Vec<(gongyi_domain::orgs::RegistrationField, String, String)>> {
        let changes = registration_of(current).changes(&Registration::of_draft(d));
        if changes.is_empty() || self.registers() {
            return Ok(changes);
        }
        Err(Invalid(
            changes
                .iter()
                .map(|(f, _, _)| {
                    FieldError::new(
                        f.code(),
                        "registration.bureau_only",
                        format!("{}是登记事项,只能由登记管理机关(区民政局)变更", f.label()),
                    )
                })
                .collect(),
        )
        .into())
    }

    /// A sub-district caller may only place an organisation in its own
    /// sub-district; a district caller anywhere.
    fn check_subdistrict(&self, d: &OrgDraft) -> Result<()> {
        match &self.caller.scope {
            Scope::Subdistrict(own) if *own != d.subdistrict => Err(Invalid::one(
                "subdistrict",
                "scope.subdistrict",
                "只能登记或修改本街道的组织",
            )
            .into()),
            _ => Ok(()),
        }
    }

    /// Registers an organisation: the district anywhere, a sub-district in
    /// its own area; an organisation account registers none.
    pub async fn create_org(&self, input: &OrgInput) -> Result<OrgRow> {
        if matches!(self.caller.scope, Scope::Organisation(_) | Scope::Nothing) {
            return Err(AppError::Forbidden);
        }
        let d = self.validate_org(input).await?;
        self.check_subdistrict(&d)?;
        let phone = seal_org_draft(&self.keys, &d);
        let mut tx = self.db.begin().await?;
        let id = self.db.insert_org(&mut tx, &d, &phone).await?;
        let org = self.db.org_by_id_tx(&mut tx, id).await?;
        let entry = AuditEntry::new("create", "organization", &org.credit_code);
        self.audit(&mut tx, with_changes(entry, None, &org)).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// The organisation with credit code `code` if it lies in the caller's
    /// scope; one outside is [`AppError::NotFound`], so that it exists is
    /// not revealed.
    pub async fn org(&self, code: &str) -> Result<OrgRow> {
        self.in_scope(self.db.org_by_code(code.trim()).await?)
    }

    /// The organisation with internal id `id`, on the same terms as [`Registry::org`].
    pub async fn org_by_id(&self, id: i64) -> Result<OrgRow> {
        self.in_scope(self.db.org_by_id(id).await?)
    }

    fn in_scope(&self, org: OrgRow) -> Result<OrgRow> {
        if self.caller.scope.covers_org(org.id, &org.subdistrict_code) {
            Ok(org)
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Saves an edit made on `version`; a newer version in the database means
    /// someone else saved first, and this save is refused. A contact phone
    /// sent back as its masked form (as pages and the API show it), or as the
    /// stored number, keeps the stored sealed value. Registration facts
    /// (credit code, name, kind, …) change only by the registering
    /// authority, and each change goes into the organisation's history.
    pub async fn update_org(&self, code: &str, version: i64, input: &OrgInput) -> Result<OrgRow> {
        let current = self.org(code).await?;
        if current.version != version {
            return Err(AppError::Conflict);
        }
        let subdistricts = self.db.subdistricts().await?;
        let mut tx = self.db.begin().await?;
        let org = self
            .update_org_tx(&mut tx, current, input, &subdistricts)
            .await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Saves `input` over `current` (as read, at its version) inside `tx`:
    /// the masked phone kept, registration facts only by the registering
    /// authority and recorded, audited. Edits and imports share it.
    pub(crate) async fn update_org_tx(
        &self,
        tx: &mut Tx,
        current: OrgRow,
        input: &OrgInput,
        subdistricts: &[RefRow],
    ) -> Result<OrgRow> {
        // Contact details and address: applied at once (audited) by whoever
        // states them at all; registration facts are checked below.
        if !self.stating(FactKind::Contact).states() {
            return Err(self.not_stated(FactKind::Contact));
        }
        let stored = match self.db.org_phone_sealed_tx(tx, current.id).await? {
            Some(sealed) => {
                let plain = self.keys.open(&sealed)?;
                Some((sealed, plain))
            }
            None => None,
        };
        let mut input = input.clone();
        if let (Some(masked), Some((_, plain))) = (&current.contact_phone_masked, &stored) {
            if input.contact_phone.trim() == masked {
                input.contact_phone = plain.clone();
            }
        }
        let d = self.validate_org_with(&input, subdistricts)?;
        self.check_subdistrict(&d)?;
        let changes = self.registration_changes(&current, &d)?;
        let phone = match (&stored, d.contact_phone.as_deref()) {
            (Some((sealed, plain)), Some(p)) if p == plain => SealedPhone {
                sealed: Some(sealed.clone()),
                masked: Some(mask_phone(p)),
            },
            _ => seal_org_draft(&self.keys, &d),
        };
        // The guarded update succeeds only on the row still at the version
        // read, so the audit's "before" is `current`.
        self.db
            .update_org(tx, current.id, current.version, &d, &phone)
            .await?;
        let org = self.db.org_by_id_tx(tx, current.id).await?;
        self.db
            .insert_registration_changes(
                tx,
                org.id,
                &changes,
                &self.caller.name,
                chrono::Utc::now(),
            )
            .await?;
        // The table id ties the trail together across changes of code.
        let mut entry = AuditEntry::new("update", "organization", &org.credit_code)
            .note("version", org.version)
            .note("org_id", org.id);
        // Another number with the same mask is a change the masks would hide.
        let old_sealed = stored.as_ref().map(|(s, _)| s);
        if phone.sealed.as_ref() != old_sealed
            && phone.masked.is_some()
            && phone.masked == current.contact_phone_masked
        {
            entry = entry.note("contact_phone_changed", "是");
        }
        self.audit(tx, with_changes(entry, Some(&current), &org))
            .await?;
        Ok(org)
    }

    /// The organisation with credit code `code` as `tx` sees it, if it lies
    /// in the caller's scope.
    pub(crate) async fn org_tx(&self, tx: &mut Tx, code: &str) -> Result<OrgRow> {
        self.in_scope(self.db.org_by_code_tx(tx, code).await?)
    }

    /// States one record of the organisation with `code` as the caller may
    /// (`domain::access::who_states`): an authority's record is written as
    /// a fact, an organisation's is a declaration waiting for verification,
    /// and a caller who states nothing of the kind is refused. Audited.
    pub async fn add_history(&self, code: &str, input: &HistoryInput) -> Result<Stated> {
        let org = self.org(code).await?;
        let kind = input.kind();
        let stating = self.may_state(kind)?;
        let mut tx = self.db.begin().await?;
        let (stated, action, id) = match stating {
            Stating::Records => {
                let id = self
                    .insert_history(&mut tx, org.id, org.registration_date, input)
                    .await?;
                self.stamp(&mut tx, kind, id, FactSource::Record).await?;
                (Stated::Fact(id), "add_history", id)
            }
            _ => {
                let record = input.validate(org.registration_date)?;
                if let HistoryRecord::Lease(l) = &record {
                    if self
                        .db
                        .lease_month_taken_tx(&mut tx, org.id, l.month)
                        .await?
                    {
                        return Err(lease_overlap(l.month));
                    }
                }
                let id = self
                    .declare_tx(&mut tx, kind, org.id, None, &input.fields())
                    .await?;
                (Stated::Declaration(id), "declare", id)
            }
        };
        let mut entry = AuditEntry::new(action, "organization", &org.credit_code)
            .note("record", kind.code())
            .note(
                if action == "declare" {
                    "declaration"
                } else {
                    "record_id"
                },
                id,
            );
        for (field, value) in input.fields() {
            let value = value.trim();
            if !value.is_empty() {
                entry = entry.change(field, None, Some(value));
            }
        }
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(stated)
    }

    /// Writes one record of the organisation with `code` as a fact from
    /// `source`, without auditing it (imports write one summary entry).
    /// Only a caller who records the kind may.
    pub(crate) async fn add_history_tx(
        &self,
        tx: &mut Tx,
        code: &str,
        input: &HistoryInput,
        source: FactSource,
    ) -> Result<i64> {
        let unknown = || {
            AppError::Invalid(Invalid::one(
                "credit_code",
                "organization.unknown",
                format!("统一社会信用代码“{}”对应的组织不存在", code.trim()),
            ))
        };
        let (org_id, registered, subdistrict) = self
            .db
            .org_scope_key_tx(tx, code.trim())
            .await
            .map_err(|e| match e {
                StoreError::NotFound => unknown(),
                other => other.into(),
            })?;
        // Outside the caller's scope reads as absent (imports name the row).
        if !self.caller.scope.covers_org(org_id, &subdistrict) {
            return Err(unknown());
        }
        let kind = input.kind();
        if self.may_state(kind)? != Stating::Records {
            return Err(self.not_stated(kind));
        }
        let id = self.insert_history(tx, org_id, registered, input).await?;
        self.stamp(tx, kind, id, source).await?;
        Ok(id)
    }

    /// Validates and inserts one record; its provenance is the caller's to stamp.
    pub(crate) async fn insert_history(
        &self,
        tx: &mut Tx,
        org_id: i64,
        registered: NaiveDate,
        input: &HistoryInput,
    ) -> Result<i64> {
        let db = &self.db;
        Ok(match input.validate(registered)? {
            HistoryRecord::Inspection(i) => {
                self.refuse_unfiled_qualified(tx, org_id, i.year, i.result)
                    .await?;
                db.insert_inspection(tx, org_id, &i).await?
            }
            HistoryRecord::Rating(r) => db.insert_rating(tx, org_id, &r).await?,
            HistoryRecord::Honour(h) => db.insert_honour(tx, org_id, &h).await?,
            HistoryRecord::CreditEntry(c) => db.insert_credit_entry(tx, org_id, &c).await?,
            HistoryRecord::PartyBuilding(p) => db.insert_party_building(tx, org_id, &p).await?,
            HistoryRecord::Finance(f) => db.insert_finance(tx, org_id, &f).await?,
            HistoryRecord::Lease(l) => {
                // Asked first: a refused insert would end the transaction on PostgreSQL.
                if db.lease_month_taken_tx(tx, org_id, l.month).await? {
                    return Err(lease_overlap(l.month));
                }
                db.insert_lease(tx, org_id, l.month, l.rent_paid).await?
            }
            HistoryRecord::StartupApplication(a) => {
                db.insert_startup_application(tx, org_id, a.date, a.requested)
                    .await?
            }
            HistoryRecord::VentureProject(v) => db
                .insert_venture_project(tx, org_id, &v.project_id, v.amount, v.selected_date)
                .await
                .map_err(|e| match e {
                    StoreError::Duplicate { .. } => AppError::Invalid(Invalid::one(
                        "project_id",
                        "venture.duplicate",
                        format!("公益创投项目“{}”已登记", v.project_id),
                    )),
                    other => other.into(),
                })?,
            HistoryRecord::CompetitionWin(w) => {
                let record = CompetitionWinRecord {
                    project_id: w.project_id,
                    level: w.level,
                    prize_place: w.prize_place,
                    amount: w.amount,
                    serves_district: w.serves_district,
                    date: w.date,
                };
                db.insert_competition_win(tx, org_id, &record).await?
            }
        })
    }

    pub async fn org_page(&self, code: &str) -> Result<OrgPage> {
        let org = self.org(code).await?;
        let history = self.db.org_history(org.id).await?;
        let support = self.db.org_support_facts(org.id).await?;
        let employments = self.db.employments_of_org(org.id).await?;
        let declarations = self.open_declarations_of_org(org.id).await?;
        Ok(OrgPage {
            org,
            history,
            support,
            employments,
            declarations,
        })
    }

    pub async fn directory(
        &self,
        f: &OrgFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Page<OrgRow>, Facets)> {
        let scope = &self.caller.scope;
        let list = self.db.list_orgs(scope, f, page, per_page).await?;
        let facets = self.db.org_facets(scope, f).await?;
        Ok((list, facets))
    }

    /// How many organisations the caller's scope holds (the start page).
    pub async fn count_orgs(&self) -> Result<i64> {
        Ok(self.db.count_orgs_in(&self.caller.scope).await?)
    }

    /// Deregisters (注销) an organisation on `date`: a registration fact,
    /// recorded by the registering authority only.
    pub async fn deregister(&self, code: &str, version: i64, date: &str) -> Result<()> {
        let org = self.org(code).await?;
        if !self.registers() {
            return Err(AppError::Forbidden);
        }
        let d = gongyi_domain::text::date("deregistration_date", "注销日期", date)?;
        if d < org.registration_date {
            return Err(FieldError::new(
                "deregistration_date",
                "date.before_registration",
                "注销日期早于登记日期",
            )
            .into());
        }
        // As in `update_org`: `org` is the state the guarded write replaces.
        if org.version != version {
            return Err(AppError::Conflict);
        }
        let mut tx = self.db.begin().await?;
        self.db.deregister_org(&mut tx, org.id, version, d).await?;
        let after = self.db.org_by_id_tx(&mut tx, org.id).await?;
        let entry = AuditEntry::new("deregister", "organization", &org.credit_code);
        self.audit(&mut tx, with_changes(entry, Some(&org), &after))
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(e.into())
    }
}
