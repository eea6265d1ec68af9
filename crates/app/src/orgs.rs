//! Organisation use cases: register, edit, record history, read pages.

use crate::{AppError, Registry, Result};
use gongyi_domain::history::{
    CreditEntryInput, FinanceInput, HonourInput, InspectionInput, PartyBuildingInput, RatingInput,
};
use gongyi_domain::organization::{OrgDraft, OrgInput};
use gongyi_domain::resident_id::mask_phone;
use gongyi_domain::{FieldError, Invalid};
use gongyi_store::history::OrgHistory;
use gongyi_store::orgs::{Facets, OrgFilter, OrgRow};
use gongyi_store::people::EmploymentRow;
use gongyi_store::reference::RefRow;
use gongyi_store::{Page, Tx};

/// A history record of any kind, as typed.
#[derive(Debug, Clone)]
pub enum HistoryInput {
    Inspection(InspectionInput),
    Rating(RatingInput),
    Honour(HonourInput),
    CreditEntry(CreditEntryInput),
    PartyBuilding(PartyBuildingInput),
    Finance(FinanceInput),
}

impl HistoryInput {
    /// The record of `kind` (the URL and file name: `inspections`, `ratings`,
    /// `honours`, `credit-entries`, `party-building`, `finances`) from named
    /// fields, as forms, API bodies and spreadsheet rows carry them.
    pub fn from_fields(kind: &str, get: impl Fn(&str) -> String) -> Option<HistoryInput> {
        let g = |k: &str| get(k);
        Some(match kind {
            "inspections" => HistoryInput::Inspection(InspectionInput {
                year: g("year"),
                result: g("result"),
                date: g("date"),
            }),
            "ratings" => HistoryInput::Rating(RatingInput {
                level: g("level"),
                date: g("date"),
            }),
            "honours" => HistoryInput::Honour(HonourInput {
                title: g("title"),
                level: g("level"),
                date: g("date"),
            }),
            "credit-entries" => HistoryInput::CreditEntry(CreditEntryInput {
                list: g("list"),
                reason: g("reason"),
                listed_date: g("listed_date"),
                removed_date: g("removed_date"),
            }),
            "party-building" => HistoryInput::PartyBuilding(PartyBuildingInput {
                date: g("date"),
                has_party_org: g("has_party_org"),
                form: g("form"),
                members: g("members"),
                in_charter: g("in_charter"),
                checked_at_registration: g("checked_at_registration"),
                checked_at_inspection: g("checked_at_inspection"),
                checked_at_rating: g("checked_at_rating"),
            }),
            "finances" => HistoryInput::Finance(FinanceInput {
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
            _ => return None,
        })
    }
}

/// Everything the organisation page shows.
#[derive(Debug, Clone)]
pub struct OrgPage {
    pub org: OrgRow,
    pub history: OrgHistory,
    pub employments: Vec<EmploymentRow>,
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

    pub async fn create_org(&self, input: &OrgInput) -> Result<OrgRow> {
        let d = self.validate_org(input).await?;
        let mut tx = self.db.begin().await?;
        let id = self.db.insert_org(&mut tx, &d).await?;
        tx.commit().await?;
        Ok(self.db.org_by_id(id).await?)
    }

    /// Saves an edit made on `version`; a newer version in the database means
    /// someone else saved first, and this save is refused.
    pub async fn update_org(&self, code: &str, version: i64, input: &OrgInput) -> Result<OrgRow> {
        let current = self.db.org_by_code(code).await?;
        // Pages and the API show the phone masked; sent back unchanged, it keeps the stored one.
        let mut input = input.clone();
        if let Some(stored) = &current.contact_phone {
            if input.contact_phone.trim() == mask_phone(stored) {
                input.contact_phone = stored.clone();
            }
        }
        let d = self.validate_org(&input).await?;
        let mut tx = self.db.begin().await?;
        self.db.update_org(&mut tx, current.id, version, &d).await?;
        tx.commit().await?;
        Ok(self.db.org_by_id(current.id).await?)
    }

    /// Adds one history record to the organisation with `code`.
    pub async fn add_history(&self, code: &str, input: &HistoryInput) -> Result<i64> {
        let mut tx = self.db.begin().await?;
        let id = self.add_history_tx(&mut tx, code, input).await?;
        tx.commit().await?;
        Ok(id)
    }

    pub(crate) async fn add_history_tx(
        &self,
        tx: &mut Tx,
        code: &str,
        input: &HistoryInput,
    ) -> Result<i64> {
        let (org_id, registered) =
            self.db
                .org_key_tx(tx, code.trim())
                .await
                .map_err(|e| match e {
                    gongyi_store::StoreError::NotFound => AppError::Invalid(Invalid::one(
                        "credit_code",
                        "organization.unknown",
                        format!("统一社会信用代码“{}”对应的组织不存在", code.trim()),
                    )),
                    other => other.into(),
                })?;
        let db = &self.db;
        Ok(match input {
            HistoryInput::Inspection(i) => {
                db.insert_inspection(tx, org_id, &i.validate(registered)?)
                    .await?
            }
            HistoryInput::Rating(i) => {
                db.insert_rating(tx, org_id, &i.validate(registered)?)
                    .await?
            }
            HistoryInput::Honour(i) => {
                db.insert_honour(tx, org_id, &i.validate(registered)?)
                    .await?
            }
            HistoryInput::CreditEntry(i) => {
                db.insert_credit_entry(tx, org_id, &i.validate(registered)?)
                    .await?
            }
            HistoryInput::PartyBuilding(i) => {
                db.insert_party_building(tx, org_id, &i.validate(registered)?)
                    .await?
            }
            HistoryInput::Finance(i) => {
                db.insert_finance(tx, org_id, &i.validate(registered)?)
                    .await?
            }
        })
    }

    pub async fn org_page(&self, code: &str) -> Result<OrgPage> {
        let org = self.db.org_by_code(code.trim()).await?;
        let history = self.db.org_history(org.id).await?;
        let employments = self.db.employments_of_org(org.id).await?;
        Ok(OrgPage {
            org,
            history,
            employments,
        })
    }

    pub async fn directory(
        &self,
        f: &OrgFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Page<OrgRow>, Facets)> {
        let list = self.db.list_orgs(f, page, per_page).await?;
        let facets = self.db.org_facets(f).await?;
        Ok((list, facets))
    }

    /// Deregisters (注销) an organisation on `date`.
    pub async fn deregister(&self, code: &str, version: i64, date: &str) -> Result<()> {
        let org = self.db.org_by_code(code).await?;
        let d = gongyi_domain::text::date("deregistration_date", "注销日期", date)?;
        if d < org.registration_date {
            return Err(FieldError::new(
                "deregistration_date",
                "date.before_registration",
                "注销日期早于登记日期",
            )
            .into());
        }
        let mut tx = self.db.begin().await?;
        self.db.deregister_org(&mut tx, org.id, version, d).await?;
        tx.commit().await?;
        Ok(())
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(e.into())
    }
}
