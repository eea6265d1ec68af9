//! Public view models: the fields the public may see, with open-data
//! identifiers (`CN-USCI-<code>`) and search matches split out for highlighting.

use gongyi_app::orgs::OrgRow;
use gongyi_app::public::PublicProfile;
use gongyi_domain::Fen;
use serde::Serialize;
use utoipa::ToSchema;

/// One organisation in the public directory and open data.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicOrg {
    /// 统一社会信用代码
    pub credit_code: String,
    /// org-id.guide identifier: `CN-USCI-` + credit code.
    pub org_id: String,
    pub name: String,
    pub kind: String,
    pub kind_label: String,
    pub subdistrict: String,
    #[schema(value_type = String, format = Date)]
    pub registration_date: chrono::NaiveDate,
    pub status: String,
    pub status_label: String,
    /// The latest rating level, if any (see the profile for its validity).
    pub rating: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub rating_date: Option<chrono::NaiveDate>,
    pub service_fields: Vec<String>,
    pub legal_representative: Option<String>,
}

impl From<&OrgRow> for PublicOrg {
    fn from(o: &OrgRow) -> Self {
        PublicOrg {
            credit_code: o.credit_code.clone(),
            org_id: format!("CN-USCI-{}", o.credit_code),
            name: o.name.clone(),
            kind: o.kind.code().into(),
            kind_label: o.kind.label().into(),
            subdistrict: o.subdistrict_name.clone(),
            registration_date: o.registration_date,
            status: o.status.code().into(),
            status_label: o.status.label().into(),
            rating: o.current_rating.map(|r| r.code().into()),
            rating_date: o.current_rating_date,
            service_fields: crate::views::split_names(&o.service_fields),
            legal_representative: o.legal_representative.clone(),
        }
    }
}

/// The columns of every download, in order: (key, Chinese header).
pub const COLUMNS: &[(&str, &str)] = &[
    ("org_id", "组织标识"),
    ("credit_code", "统一社会信用代码"),
    ("name", "名称"),
    ("kind", "组织类型"),
    ("subdistrict", "所属街道"),
    ("registration_date", "登记日期"),
    ("status", "登记状态"),
    ("rating", "评估等级"),
    ("rating_date", "评定日期"),
    ("service_fields", "服务领域"),
    ("legal_representative", "法定代表人"),
];

impl PublicOrg {
    /// Cells in [`COLUMNS`] order; "" for no value.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.org_id.clone(),
            self.credit_code.clone(),
            self.name.clone(),
            self.kind_label.clone(),
            self.subdistrict.clone(),
            self.registration_date.to_string(),
            self.status_label.clone(),
            self.rating.clone().unwrap_or_default(),
            self.rating_date.map(|d| d.to_string()).unwrap_or_default(),
            self.service_fields.join("、"),
            self.legal_representative.clone().unwrap_or_default(),
        ]
    }
}

/// A name cut around the first match of the query, for `<mark>`.
#[derive(Debug, Clone, Default)]
pub struct Highlighted {
    pub before: String,
    pub hit: String,
    pub after: String,
}

pub fn highlight(name: &str, q: &str) -> Highlighted {
    let q = q.trim();
    match (!q.is_empty()).then(|| name.find(q)).flatten() {
        Some(i) => Highlighted {
            before: name[..i].to_string(),
            hit: q.to_string(),
            after: name[i + q.len()..].to_string(),
        },
        None => Highlighted {
            before: name.to_string(),
            ..Default::default()
        },
    }
}

/// One year of the inspection record as disclosed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicInspection {
    pub year: i32,
    /// QUALIFIED · BASICALLY_QUALIFIED · UNQUALIFIED · NOT_INSPECTED · NOT_REPORTED · PENDING
    pub status: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicRatingView {
    pub level: String,
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub valid_until: chrono::NaiveDate,
    pub valid_today: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicHonour {
    pub title: String,
    pub level: String,
    #[schema(value_type = String, format = Date)]
    pub date: chrono::NaiveDate,
}

/// Disclosed annual figures, in fen.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicFinance {
    pub year: i64,
    pub total_revenue_fen: i64,
    pub government_purchase_fen: i64,
    pub donations_fen: i64,
    pub expenditure_fen: i64,
    pub net_assets_fen: i64,
    pub volunteers: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicCreditEntry {
    pub list: String,
    pub list_label: String,
    pub reason: String,
    #[schema(value_type = String, format = Date)]
    pub listed_date: chrono::NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub removed_date: Option<chrono::NaiveDate>,
}

/// The public profile of an organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicProfileView {
    #[serde(flatten)]
    pub org: PublicOrg,
    pub inspections: Vec<PublicInspection>,
    pub ratings: Vec<PublicRatingView>,
    pub honours: Vec<PublicHonour>,
    /// `null` when never recorded.
    pub has_party_org: Option<bool>,
    pub finances: Vec<PublicFinance>,
    pub credit_entries: Vec<PublicCreditEntry>,
    /// 年报公示: the public summary of each concluded annual report.
    pub annual_reports: Vec<PublicAnnualReport>,
}

/// The public summary of a concluded annual report (no personal data).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicAnnualReport {
    /// The organisation's 统一社会信用代码.
    pub credit_code: String,
    pub name: String,
    pub year: i64,
    /// `QUALIFIED`, `BASICALLY_QUALIFIED`, `UNQUALIFIED`.
    pub conclusion: String,
    pub conclusion_label: String,
    /// 逾期报送.
    pub late: bool,
    pub address: Option<String>,
    pub total_income_fen: Option<i64>,
    pub expenses_fen: Option<i64>,
    pub net_assets_fen: Option<i64>,
    pub staff: Option<i64>,
    pub volunteers: Option<i64>,
    pub party_members: Option<i64>,
    /// `STANDALONE`, `JOINT`, `FUNCTIONAL`, or `null` for none.
    pub party_form: Option<String>,
    pub party_in_charter: bool,
}

impl PublicAnnualReport {
    /// An amount as pages show it: `1,234.56 元`, or — when not reported.
    pub fn money(&self, fen: &Option<i64>) -> String {
        fen.map_or_else(
            || "—".into(),
            |f| format!("{} 元", gongyi_domain::Fen(f).grouped()),
        )
    }

    pub fn party_text(&self) -> String {
        let form = match self.party_form.as_deref() {
            Some(code) => gongyi_domain::history::PartyOrgForm::label_of(code),
            None => "未建立党组织".into(),
        };
        format!(
            "{form},党员 {} 名{}",
            self.party_members.unwrap_or(0),
            if self.party_in_charter {
                ",党建已写入章程"
            } else {
                ""
            }
        )
    }
}

impl From<&gongyi_app::annual_report::PublicReportSummary> for PublicAnnualReport {
    fn from(r: &gongyi_app::annual_report::PublicReportSummary) -> Self {
        PublicAnnualReport {
            credit_code: r.credit_code.clone(),
            name: r.org_name.clone(),
            year: r.year,
            conclusion: r.conclusion.code().into(),
            conclusion_label: r.conclusion.label().into(),
            late: r.late,
            address: r.address.clone(),
            total_income_fen: r.total_income_fen,
            expenses_fen: r.expenses_fen,
            net_assets_fen: r.net_assets_fen,
            staff: r.staff,
            volunteers: r.volunteers,
            party_members: r.party_members,
            party_form: r.party_form.map(|p| p.code().to_string()),
            party_in_charter: r.party_in_charter,
        }
    }
}

impl From<&PublicProfile> for PublicProfileView {
    fn from(p: &PublicProfile) -> Self {
        PublicProfileView {
            org: PublicOrg::from(&p.org),
            inspections: p
                .inspections
                .iter()
                .map(|(y, s)| PublicInspection {
                    year: *y,
                    status: s.code().into(),
                    label: s.label().into(),
                })
                .collect(),
            ratings: p
                .ratings
                .iter()
                .map(|r| PublicRatingView {
                    level: r.level.code().into(),
                    date: r.date,
                    valid_until: r.valid_until,
                    valid_today: r.valid_today,
                })
                .collect(),
            honours: p
                .honours
                .iter()
                .map(|h| PublicHonour {
                    title: h.title.clone(),
                    level: h.level.label().into(),
                    date: h.date,
                })
                .collect(),
            has_party_org: p.has_party_org,
            finances: p
                .finances
                .iter()
                .map(|f| PublicFinance {
                    year: f.year,
                    total_revenue_fen: f.total_revenue_fen,
                    government_purchase_fen: f.government_purchase_fen,
                    donations_fen: f.donations_fen,
                    expenditure_fen: f.expenditure_fen,
                    net_assets_fen: f.net_assets_fen,
                    volunteers: f.volunteers,
                })
                .collect(),
            credit_entries: p
                .credit_entries
                .iter()
                .map(|c| PublicCreditEntry {
                    list: c.list.code().into(),
                    list_label: c.list.label().into(),
                    reason: c.reason.clone(),
                    listed_date: c.listed_date,
                    removed_date: c.removed_date,
                })
                .collect(),
            // Filled in by the handlers from `Registry::public_reports`.
            annual_reports: Vec::new(),
        }
    }
}

/// An amount in a column headed 元: `1,234.56`.
pub fn yuan(fen: i64) -> String {
    Fen(fen).grouped()
}

/// The columns of the annual-report downloads, in the order of
/// [`PublicAnnualReport::cells`].
pub const REPORT_COLUMNS: [&str; 14] = [
    "统一社会信用代码",
    "组织名称",
    "报告年度",
    "年检结论",
    "逾期报送",
    "住所",
    "收入合计(元)",
    "支出合计(元)",
    "年末净资产(元)",
    "专职工作人员",
    "志愿者",
    "党员",
    "党组织形式",
    "党建写入章程",
];

impl PublicAnnualReport {
    /// One line of the downloads: amounts in yuan, flags as 是/否.
    pub fn cells(&self) -> Vec<String> {
        let yuan = |f: Option<i64>| {
            f.map(|f| gongyi_domain::Fen(f).to_yuan_string())
                .unwrap_or_default()
        };
        let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        let yes = |b: bool| if b { "是" } else { "否" }.to_string();
        vec![
            self.credit_code.clone(),
            self.name.clone(),
            self.year.to_string(),
            self.conclusion_label.clone(),
            yes(self.late),
            self.address.clone().unwrap_or_default(),
            yuan(self.total_income_fen),
            yuan(self.expenses_fen),
            yuan(self.net_assets_fen),
            n(self.staff),
            n(self.volunteers),
            n(self.party_members),
            self.party_form
                .as_deref()
                .map(gongyi_domain::history::PartyOrgForm::label_of)
                .unwrap_or_else(|| "未建立".into()),
            yes(self.party_in_charter),
        ]
    }
}
