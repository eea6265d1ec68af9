//! View models: what pages and the API show of stored rows. Personal data
//! (resident IDs, phones) is masked here, the one place rows become views.

use gongyi_app::orgs::OrgRow;
use gongyi_app::people::{EmploymentRow, PersonRow};
use gongyi_domain::Fen;
use serde::Serialize;
use utoipa::ToSchema;

pub fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

/// An organisation as the API returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrganizationView {
    /// 统一社会信用代码
    pub credit_code: String,
    /// org-id form for open data
    pub org_id: String,
    pub name: String,
    /// SOCIAL_GROUP · PRIVATE_NON_ENTERPRISE · FOUNDATION
    pub kind: String,
    pub kind_label: String,
    pub community: bool,
    pub fresh_graduate: bool,
    pub in_district: bool,
    pub subdistrict_code: String,
    pub subdistrict: String,
    #[schema(value_type = String, format = Date)]
    pub registration_date: chrono::NaiveDate,
    /// In fen.
    pub registered_capital_fen: i64,
    pub service_fields: Vec<String>,
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    /// Masked (`021********00`).
    pub contact_phone: Option<String>,
    pub status: String,
    pub status_label: String,
    pub stage: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub deregistration_date: Option<chrono::NaiveDate>,
    pub current_rating: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub current_rating_date: Option<chrono::NaiveDate>,
    /// Send back with an update (optimistic concurrency).
    pub version: i64,
}

impl From<&OrgRow> for OrganizationView {
    fn from(o: &OrgRow) -> Self {
        OrganizationView {
            credit_code: o.credit_code.clone(),
            org_id: format!("CN-USCI-{}", o.credit_code),
            name: o.name.clone(),
            kind: o.kind.code().into(),
            kind_label: o.kind.label().into(),
            community: o.community,
            fresh_graduate: o.fresh_graduate,
            in_district: o.in_district,
            subdistrict_code: o.subdistrict_code.clone(),
            subdistrict: o.subdistrict_name.clone(),
            registration_date: o.registration_date,
            registered_capital_fen: o.registered_capital_fen,
            service_fields: split_names(&o.service_fields),
            address: o.address.clone(),
            legal_representative: o.legal_representative.clone(),
            contact_phone: o.contact_phone_masked.clone(),
            status: o.status.code().into(),
            status_label: o.status.label().into(),
            stage: o.stage.map(|s| s.code().into()),
            deregistration_date: o.deregistration_date,
            current_rating: o.current_rating.map(|r| r.code().into()),
            current_rating_date: o.current_rating_date,
            version: o.version,
        }
    }
}

pub fn split_names(s: &str) -> Vec<String> {
    s.split('、')
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

/// A person as pages and the API show them: ID number and phone masked by
/// the one scheme (`domain::resident_id`), and no birth date: with it, any
/// mask keeping part of the number would come closer to the whole. The
/// person's own page adds the birth year (`PersonDetailBody`).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
    /// Masked (`3****************X`): the first and the check character.
    pub resident_id: String,
    pub sex: String,
    /// Masked (`138******78`).
    pub phone: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub social_work_start_date: Option<chrono::NaiveDate>,
    pub supervisor: bool,
    pub qualification: Option<String>,
    pub qualification_label: String,
    pub version: i64,
}

impl From<&PersonRow> for PersonView {
    fn from(p: &PersonRow) -> Self {
        PersonView {
            id: p.id,
            name: p.name.clone(),
            resident_id: p.resident_id_masked.clone(),
            sex: p.sex.clone(),
            phone: p.phone_masked.clone(),
            social_work_start_date: p.social_work_start_date,
            supervisor: p.supervisor,
            qualification: p.qualification.map(|q| q.code().into()),
            qualification_label: p.qualification.map_or("无", |q| q.label()).into(),
            version: p.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EmploymentView {
    pub id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub credit_code: String,
    pub org_name: String,
    #[schema(value_type = String, format = Date)]
    pub start_date: chrono::NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub end_date: Option<chrono::NaiveDate>,
    pub labour_contract: bool,
    pub full_time: bool,
    pub position: Option<String>,
}

impl From<&EmploymentRow> for EmploymentView {
    fn from(e: &EmploymentRow) -> Self {
        EmploymentView {
            id: e.id,
            person_id: e.person_id,
            person_name: e.person_name.clone(),
            credit_code: e.credit_code.clone(),
            org_name: e.org_name.clone(),
            start_date: e.start_date,
            end_date: e.end_date,
            labour_contract: e.labour_contract,
            full_time: e.full_time,
            position: e.position.clone(),
        }
    }
}

/// An amount as a form field holds it (`1234.56`), so that it reads back.
pub fn yuan(fen: i64) -> String {
    Fen(fen).to_yuan_string()
}

/// An amount in a column or line headed 元: `1,234.56`.
pub fn grouped(fen: i64) -> String {
    Fen(fen).grouped()
}

/// An amount as every page shows it: `1,234.56 元`.
pub fn money(fen: i64) -> String {
    Fen(fen).shown()
}
