//! The annual report (年报) of one organisation and year, and the annual
//! inspection (年检) that concludes it: its sections, what a complete report
//! holds, the state machine with who may take which step, the filing window
//! and the late mark, and the audited-accounts attachment.
//!
//! Pure: the caller passes the acting account, the report's state and today;
//! decisions come back with a stable code and a Chinese message. Storage,
//! scopes (which reports a caller sees) and the facts a conclusion writes are
//! the app's (`app::annual_report`).
//!
//! ```text
//!  (organisation) create ──▶ DRAFT ──submit (organisation, declaration of truth)──▶ SUBMITTED
//!  SUBMITTED ──pass (sub-district of the area)──▶ REVIEWED
//!  SUBMITTED ──return (sub-district, reasons per section)──▶ RETURNED ──submit──▶ SUBMITTED
//!  REVIEWED ──return (bureau)──▶ RETURNED
//!  REVIEWED ──conclude 合格/基本合格/不合格 (bureau)──▶ CONCLUDED
//! ```
//! Four eyes: whoever submitted, passed or concluded a report is named on it,
//! and no account takes two of those steps on the same report.

use crate::access::Role;
use crate::applications::Attachment;
use crate::error::{FieldError, Invalid};
use crate::history::{InspectionResult, PartyOrgForm};
use crate::money::Fen;
use crate::text;
use crate::vocabulary::vocabulary;
use chrono::{Datelike, NaiveDate};

vocabulary! {
    /// Where a report stands.
    ReportStatus, "年报状态" {
        Draft => "DRAFT", "草稿";
        Submitted => "SUBMITTED", "已提交";
        Returned => "RETURNED", "退回补正";
        Reviewed => "REVIEWED", "初审通过";
        Concluded => "CONCLUDED", "已结论";
    }
}

vocabulary! {
    /// The sections of a report, each a form of its own.
    Section, "年报栏目" {
        Basic => "basic", "基本信息";
        Finance => "finance", "财务状况";
        People => "people", "人员情况";
        Activities => "activities", "活动与项目";
        Party => "party", "党建工作";
        Major => "major", "重大事项";
    }
}

/// The steps of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Submit,
    Pass,
    Return,
    Conclude,
}

impl Step {
    pub fn code(self) -> &'static str {
        match self {
            Step::Submit => "submit",
            Step::Pass => "pass",
            Step::Return => "return",
            Step::Conclude => "conclude",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Submit => "提交",
            Step::Pass => "初审通过",
            Step::Return => "退回补正",
            Step::Conclude => "年检结论",
        }
    }
}

/// The filing window: report year Y is filed from 1 January of Y+1 to the
/// deadline (month, day) of Y+1; 31 May unless configured otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilingWindow {
    pub deadline_month: u32,
    pub deadline_day: u32,
}

impl Default for FilingWindow {
    fn default() -> Self {
        FilingWindow {
            deadline_month: 5,
            deadline_day: 31,
        }
    }
}

impl FilingWindow {
    /// Reads `MM-DD` (as configured); refuses a day no year has.
    pub fn parse(input: &str) -> Result<FilingWindow, Invalid> {
        let bad = || {
            Invalid::one(
                "annual_report_deadline",
                "deadline.format",
                format!("年报截止日期“{input}”应写作 月-日,如 05-31"),
            )
        };
        let (m, d) = input.trim().split_once('-').ok_or_else(bad)?;
        let (m, d): (u32, u32) = (m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?);
        // 2024 is a leap year, so 02-29 passes but would then fall to 02-28.
        NaiveDate::from_ymd_opt(2024, m, d).ok_or_else(bad)?;
        Ok(FilingWindow {
            deadline_month: m,
            deadline_day: d,
        })
    }

    /// The last day to file the report of `year` on time.
    pub fn deadline(&self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year + 1, self.deadline_month, self.deadline_day)
            .or_else(|| NaiveDate::from_ymd_opt(year + 1, self.deadline_month, 28))
            .unwrap_or(NaiveDate::MIN)
    }

    /// The first day the report of `year` may be filed.
    pub fn opens(&self, year: i32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year + 1, 1, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Whether a first submission on `on` is late (逾期报送).
    pub fn is_late(&self, year: i32, on: NaiveDate) -> bool {
        on > self.deadline(year)
    }

    /// Whether an organisation that has not submitted the report of `year`
    /// is 未报送 on `on`: the deadline has passed.
    pub fn is_unfiled(&self, year: i32, submitted: bool, on: NaiveDate) -> bool {
        !submitted && on > self.deadline(year)
    }

    /// Checks a new report's year: filing opens on 1 January after it, and a
    /// year before the organisation was registered has nothing to report.
    pub fn check_year(
        &self,
        input: &str,
        registered: NaiveDate,
        today: NaiveDate,
    ) -> Result<i32, Invalid> {
        let year = text::year("year", "报告年度", input)?;
        if today < self.opens(year) {
            return Err(Invalid::one(
                "year",
                "annual_report.not_open",
                format!("{year} 年度报告自 {} 起方可填报", self.opens(year)),
            ));
        }
        if year < registered.year() {
            return Err(Invalid::one(
                "year",
                "annual_report.before_registration",
                format!("组织于 {registered} 登记,没有 {year} 年度的报告可填"),
            ));
        }
        Ok(year)
    }
}

/// The kind of a field of a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Yuan as typed, kept in fen.
    Money,
    /// A non-negative whole number.
    Count,
    /// Free text up to so many characters.
    Text(usize),
    /// A check box.
    Flag,
    /// 党组织形式, or blank for none.
    PartyForm,
}

/// One field of a report: its section, its name in forms and the API, its
/// Chinese label, its kind, and whether a submitted report must hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldSpec {
    pub section: Section,
    pub name: &'static str,
    pub label: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn f(
    section: Section,
    name: &'static str,
    label: &'static str,
    kind: Kind,
    required: bool,
) -> FieldSpec {
    FieldSpec {
        section,
        name,
        label,
        kind,
        required,
    }
}

/// Every field, in the order of the forms.
pub const FIELDS: [FieldSpec; 27] = [
    f(Section::Basic, "address", "住所", Kind::Text(200), true),
    f(
        Section::Basic,
        "legal_representative",
        "法定代表人",
        Kind::Text(50),
        true,
    ),
    f(
        Section::Basic,
        "contact_name",
        "联系人",
        Kind::Text(50),
        true,
    ),
    f(
        Section::Finance,
        "income_government",
        "政府购买服务收入",
        Kind::Money,
        true,
    ),
    f(
        Section::Finance,
        "income_donations",
        "捐赠收入",
        Kind::Money,
        true,
    ),
    f(
        Section::Finance,
        "income_business",
        "经营服务收入",
        Kind::Money,
        true,
    ),
    f(
        Section::Finance,
        "income_subsidies",
        "政府补助收入",
        Kind::Money,
        true,
    ),
    f(
        Section::Finance,
        "income_other",
        "其他收入",
        Kind::Money,
        true,
    ),
    f(
        Section::Finance,
        "total_income",
        "收入合计",
        Kind::Money,
        true,
    ),
    f(Section::Finance, "expenses", "费用合计", Kind::Money, true),
    f(
        Section::Finance,
        "net_assets",
        "年末净资产",
        Kind::Money,
        true,
    ),
    f(Section::People, "staff", "专职工作人员", Kind::Count, true),
    f(
        Section::People,
        "social_workers",
        "其中持证社工",
        Kind::Count,
        true,
    ),
    f(
        Section::People,
        "volunteers",
        "志愿者人数",
        Kind::Count,
        true,
    ),
    f(
        Section::People,
        "volunteer_hours",
        "志愿服务时长(小时)",
        Kind::Count,
        true,
    ),
    f(
        Section::Activities,
        "services",
        "开展服务(次)",
        Kind::Count,
        true,
    ),
    f(
        Section::Activities,
        "beneficiaries",
        "受益人次",
        Kind::Count,
        true,
    ),
    f(
        Section::Activities,
        "activity_summary",
        "主要活动和服务情况",
        Kind::Text(2000),
        true,
    ),
    f(
        Section::Activities,
        "projects",
        "承接的政府购买服务和公益创投项目",
        Kind::Text(1000),
        false,
    ),
    f(
        Section::Party,
        "party_form",
        "党组织形式",
        Kind::PartyForm,
        false,
    ),
    f(
        Section::Party,
        "party_members",
        "党员人数",
        Kind::Count,
        true,
    ),
    f(
        Section::Party,
        "party_plan",
        "已落实党建工作方案",
        Kind::Flag,
        false,
    ),
    f(
        Section::Party,
        "party_in_charter",
        "党建工作已写入章程",
        Kind::Flag,
        false,
    ),
    f(
        Section::Major,
        "large_expenses",
        "大额支出",
        Kind::Text(500),
        true,
    ),
    f(
        Section::Major,
        "large_donations",
        "接受大额捐赠",
        Kind::Text(500),
        true,
    ),
    f(
        Section::Major,
        "foreign_activities",
        "涉外活动",
        Kind::Text(500),
        true,
    ),
    f(
        Section::Major,
        "registered_changes",
        "登记事项变更",
        Kind::Text(500),
        true,
    ),
];

impl Section {
    pub fn fields(self) -> impl Iterator<Item = &'static FieldSpec> {
        FIELDS.iter().filter(move |f| f.section == self)
    }
}

/// One value of a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Money(Fen),
    Count(i64),
    Text(String),
    Flag(bool),
    PartyForm(PartyOrgForm),
}

/// What a report says, field by field; a draft may leave any blank.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Content {
    pub address: Option<String>,
    pub legal_representative: Option<String>,
    pub contact_name: Option<String>,
    pub income_government: Option<Fen>,
    pub income_donations: Option<Fen>,
    pub income_business: Option<Fen>,
    pub income_subsidies: Option<Fen>,
    pub income_other: Option<Fen>,
    pub total_income: Option<Fen>,
    pub expenses: Option<Fen>,
    pub net_assets: Option<Fen>,
    pub staff: Option<i64>,
    pub social_workers: Option<i64>,
    pub volunteers: Option<i64>,
    pub volunteer_hours: Option<i64>,
    pub services: Option<i64>,
    pub beneficiaries: Option<i64>,
    pub activity_summary: Option<String>,
    pub projects: Option<String>,
    pub party_form: Option<PartyOrgForm>,
    pub party_members: Option<i64>,
    pub party_plan: bool,
    pub party_in_charter: bool,
    pub large_expenses: Option<String>,
    pub large_donations: Option<String>,
    pub foreign_activities: Option<String>,
    pub registered_changes: Option<String>,
}

macro_rules! slots {
    ($($field:ident: $kind:ident),+ $(,)?) => {
        impl Content {
            /// The value of the field `name`, `None` when blank.
            pub fn get(&self, name: &str) -> Option<Value> {
                match name {
                    $(stringify!($field) => slots!(@get self.$field, $kind),)+
                    _ => None,
                }
            }

            fn set(&mut self, name: &str, v: Option<Value>) {
                match name {
                    $(stringify!($field) => slots!(@set self.$field, $kind, v),)+
                    _ => {}
                }
            }
        }
    };
    (@get $e:expr, Flag) => { Some(Value::Flag($e)) };
    (@get $e:expr, $kind:ident) => { $e.clone().map(Value::$kind) };
    (@set $e:expr, Flag, $v:ident) => { $e = matches!($v, Some(Value::Flag(true))) };
    (@set $e:expr, $kind:ident, $v:ident) => {
        $e = match $v { Some(Value::$kind(x)) => Some(x), _ => None }
    };
}

slots! {
    address: Text, legal_representative: Text, contact_name: Text,
    income_government: Money, income_donations: Money, income_business: Money,
    income_subsidies: Money, income_other: Money, total_income: Money, expenses: Money,
    net_assets: Money, staff: Count, social_workers: Count, volunteers: Count,
    volunteer_hours: Count, services: Count, beneficiaries: Count, activity_summary: Text,
    projects: Text, party_form: PartyForm, party_members: Count, party_plan: Flag,
    party_in_charter: Flag, large_expenses: Text, large_donations: Text,
    foreign_activities: Text, registered_changes: Text,
}

fn parse_value(spec: &FieldSpec, input: &str) -> Result<Option<Value>, Invalid> {
    let s = input.trim();
    if spec.kind == Kind::Flag {
        return text::flag(spec.name, spec.label, s).map(|b| Some(Value::Flag(b)));
    }
    if s.is_empty() {
        return Ok(None);
    }
    Ok(Some(match spec.kind {
        // Net assets too are kept non-negative, as the registry's finance
        // records are, so a concluded report always becomes a finance fact.
        Kind::Money => Value::Money(Fen::parse_yuan(spec.name, s).map_err(|e| {
            Invalid(
                e.0.into_iter()
                    .map(|mut x| {
                        x.message = format!("{}:{}", spec.label, x.message);
                        x
                    })
                    .collect(),
            )
        })?),
        Kind::Count => Value::Count(text::count(spec.name, spec.label, s)?),
        Kind::Text(max) => Value::Text(text::bounded(spec.name, spec.label, s, max, false)?),
        Kind::PartyForm => Value::PartyForm(PartyOrgForm::parse(spec.name, s)?),
        Kind::Flag => unreachable_flag(),
    }))
}

// Flags return above; a separate function keeps `unreachable!` out of input paths.
fn unreachable_flag() -> Value {
    Value::Flag(false)
}

/// The text of a value as a form shows it again (money in yuan).
pub fn form_text(v: &Option<Value>) -> String {
    match v {
        None => String::new(),
        Some(Value::Money(f)) => f.to_yuan_string(),
        Some(Value::Count(n)) => n.to_string(),
        Some(Value::Text(s)) => s.clone(),
        Some(Value::Flag(b)) => if *b { "1" } else { "" }.to_string(),
        Some(Value::PartyForm(p)) => p.code().to_string(),
    }
}

impl Content {
    /// Saves one section as typed (`get` returns a field's text, `None` when
    /// absent, which blanks it); every bad field is reported, and nothing
    /// changes unless all parse.
    pub fn apply<'a>(
        &mut self,
        section: Section,
        get: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<(), Invalid> {
        let mut errs = Invalid::default();
        let mut parsed = Vec::new();
        for spec in section.fields() {
            if let Some(v) = errs.take(parse_value(spec, get(spec.name).unwrap_or(""))) {
                parsed.push((spec.name, v));
            }
        }
        errs.into_result()?;
        for (name, v) in parsed {
            self.set(name, v);
        }
        Ok(())
    }

    /// The sum of the income sources, when all are filled.
    pub fn sources_total(&self) -> Option<Fen> {
        let parts = [
            self.income_government?,
            self.income_donations?,
            self.income_business?,
            self.income_subsidies?,
            self.income_other?,
        ];
        Some(Fen(parts.iter().map(|f| f.get()).sum()))
    }

    /// What a report must hold to be submitted: every required field, the
    /// income sources adding up to the total income, certified social
    /// workers among the staff. Every problem is listed, each naming its
    /// section and field in Chinese.
    pub fn check_complete(&self) -> Result<(), Invalid> {
        let mut e = Invalid::default();
        for spec in FIELDS.iter().filter(|f| f.required) {
            if self.get(spec.name).is_none() {
                e.push(FieldError::new(
                    spec.name,
                    "annual_report.missing",
                    format!("请填写“{}”中的{}", spec.section.label(), spec.label),
                ));
            }
        }
        if let (Some(sum), Some(total)) = (self.sources_total(), self.total_income) {
            if sum != total {
                e.push(FieldError::new(
                    "total_income",
                    "annual_report.income_sum",
                    format!(
                        "各项收入之和 {} 元与收入合计 {} 元不一致",
                        sum.to_yuan_string(),
                        total.to_yuan_string()
                    ),
                ));
            }
        }
        if let (Some(sw), Some(staff)) = (self.social_workers, self.staff) {
            if sw > staff {
                e.push(FieldError::new(
                    "social_workers",
                    "annual_report.social_workers",
                    format!("持证社工 {sw} 人多于专职工作人员 {staff} 人"),
                ));
            }
        }
        e.into_result()
    }
}

/// The account taking a step: its name (unique) and role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

/// A report as the workflow sees it.
#[derive(Debug, Clone, Copy)]
pub struct Current<'a> {
    pub status: ReportStatus,
    pub submitted_by: Option<&'a str>,
    pub reviewed_by: Option<&'a str>,
}

/// A refused step: a stable code and the reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// The state a step leads to, or why it may not be taken. Scope (which
/// organisation, which sub-district) is checked by the app before this.
pub fn decide(cur: &Current<'_>, step: Step, who: &Actor) -> Result<ReportStatus, Refusal> {
    use ReportStatus as S;
    let (allowed_role, from_ok, to) = match step {
        Step::Submit => (
            who.role == Role::Organisation,
            matches!(cur.status, S::Draft | S::Returned),
            S::Submitted,
        ),
        Step::Pass => (
            who.role == Role::Subdistrict,
            cur.status == S::Submitted,
            S::Reviewed,
        ),
        Step::Return => (
            match cur.status {
                S::Submitted => who.role == Role::Subdistrict,
                S::Reviewed => who.role == Role::Bureau,
                _ => matches!(who.role, Role::Subdistrict | Role::Bureau),
            },
            matches!(cur.status, S::Submitted | S::Reviewed),
            S::Returned,
        ),
        Step::Conclude => (
            who.role == Role::Bureau,
            cur.status == S::Reviewed,
            S::Concluded,
        ),
    };
    if !allowed_role {
        return Err(refuse(
            "annual_report.role",
            format!("{}不能对年报进行“{}”", who.role.label(), step.label()),
        ));
    }
    if !from_ok {
        return Err(refuse(
            "annual_report.state",
            format!("年报现为“{}”,不能{}", cur.status.label(), step.label()),
        ));
    }
    // Four eyes: the account that filed a report does not judge it, and the
    // one that passed the first review does not give the conclusion.
    let same = |n: Option<&str>| n == Some(who.name.as_str());
    if step != Step::Submit && same(cur.submitted_by) {
        return Err(refuse(
            "annual_report.four_eyes",
            "提交年报的账号不能审核或作出结论",
        ));
    }
    if step == Step::Conclude && same(cur.reviewed_by) {
        return Err(refuse(
            "annual_report.four_eyes",
            "作出初审的账号不能同时作出年检结论",
        ));
    }
    Ok(to)
}

/// Whether a report in `status` may still be edited by its organisation.
pub fn editable(status: ReportStatus) -> bool {
    matches!(status, ReportStatus::Draft | ReportStatus::Returned)
}

/// The conclusion as typed: 合格 / 基本合格 / 不合格, with reasons required
/// for anything but 合格.
pub fn parse_conclusion(
    result: &str,
    reasons: &str,
) -> Result<(InspectionResult, String), Invalid> {
    let mut e = Invalid::default();
    let r = e.take(if result.trim().is_empty() {
        Err(Invalid::one("result", "text.required", "请选择年检结论"))
    } else {
        InspectionResult::parse("result", result)
    });
    let reasons = e.take(text::bounded("reasons", "结论理由", reasons, 1000, false));
    let (Some(r), Some(reasons)) = (r, reasons) else {
        return Err(e);
    };
    if r == InspectionResult::NotInspected {
        return Err(Invalid::one(
            "result",
            "annual_report.conclusion",
            "年检结论应为合格、基本合格或不合格",
        ));
    }
    if r != InspectionResult::Qualified && reasons.is_empty() {
        return Err(Invalid::one(
            "reasons",
            "annual_report.reasons_required",
            format!("结论为“{}”时请写明理由", r.label()),
        ));
    }
    Ok((r, reasons))
}

/// The inspection of a year for which no report was filed (未报送): never
/// 合格, whatever is asked.
pub fn check_unfiled_conclusion(result: InspectionResult) -> Result<(), Refusal> {
    if result == InspectionResult::Qualified {
        return Err(refuse(
            "annual_report.unfiled_qualified",
            "未报送年报的组织,该年度年检不能为合格",
        ));
    }
    Ok(())
}

/// Reasons to return a report, per section (`reason_basic`, …); at least one.
pub fn parse_return_reasons<'a>(
    get: impl Fn(&str) -> Option<&'a str>,
) -> Result<Vec<(Section, String)>, Invalid> {
    let mut e = Invalid::default();
    let mut v = Vec::new();
    for s in Section::ALL {
        let field = format!("reason_{}", s.code());
        if let Some(Some(r)) = e.take(text::optional(
            &field,
            &format!("“{}”的退回理由", s.label()),
            get(&field).unwrap_or(""),
            500,
        )) {
            v.push((*s, r));
        }
    }
    e.into_result()?;
    if v.is_empty() {
        return Err(Invalid::one(
            "reasons",
            "annual_report.return_reason",
            "退回补正时请至少写明一个栏目的理由",
        ));
    }
    Ok(v)
}

/// The audited accounts (审计报告) attached to the finances: PDF, JPEG or
/// PNG as its first bytes show (the name and the browser's type are not
/// trusted), at most `max_bytes`. The name is checked as for application
/// attachments.
pub fn parse_accounts_file(
    file_name: &str,
    bytes: Vec<u8>,
    max_bytes: usize,
) -> Result<Attachment, Invalid> {
    const FIELD: &str = "accounts";
    let base = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .trim();
    if base.chars().any(crate::applications::hidden_char) {
        return Err(Invalid::one(
            FIELD,
            "attachment.name_chars",
            "文件名含有控制字符或改变文字方向的不可见字符,请重命名后再上传",
        ));
    }
    let name = text::bounded(FIELD, "文件名", base, 120, true)?;
    if bytes.is_empty() {
        return Err(Invalid::one(
            FIELD,
            "attachment.empty",
            format!("文件“{name}”是空文件"),
        ));
    }
    if bytes.len() > max_bytes {
        return Err(Invalid::one(
            FIELD,
            "attachment.too_large",
            format!(
                "文件“{name}”大小 {} KB,超过上限 {} KB",
                bytes.len().div_ceil(1024),
                max_bytes / 1024
            ),
        ));
    }
    let Some(content_type) = sniff(&bytes) else {
        return Err(Invalid::one(
            FIELD,
            "attachment.type",
            format!("文件“{name}”不是 PDF、JPG 或 PNG 文件"),
        ));
    };
    Ok(Attachment {
        file_name: name,
        content_type,
        bytes,
    })
}

/// The type of a file by its magic number.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some("image/png")
    } else {
        None
    }
}

/// The filing state of an organisation for a year, as progress counts it:
/// no report at all is 未填报; after the deadline a report never submitted
/// (none, or a draft) is 未报送.
pub fn filing_label(status: Option<ReportStatus>, overdue: bool) -> &'static str {
    match status {
        None | Some(ReportStatus::Draft) if overdue => UNFILED_LABEL,
        None => "未填报",
        Some(s) => s.label(),
    }
}

/// The mark of an organisation that never submitted a year's report by its
/// deadline.
pub const UNFILED_LABEL: &str = "未报送";

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn an_organisation_is_unfiled_only_after_the_deadline_without_a_submission() {
        let w = FilingWindow::parse("03-31").unwrap();
        assert!(!w.is_unfiled(2024, false, d(2025, 3, 31)));
        assert!(w.is_unfiled(2024, false, d(2025, 4, 1)));
        assert!(!w.is_unfiled(2024, true, d(2025, 4, 1)));
        assert_eq!(filing_label(None, false), "未填报");
        assert_eq!(filing_label(None, true), "未报送");
        assert_eq!(filing_label(Some(ReportStatus::Draft), true), "未报送");
        assert_eq!(filing_label(Some(ReportStatus::Draft), false), "草稿");
        assert_eq!(filing_label(Some(ReportStatus::Returned), true), "退回补正");
    }

    fn complete() -> Content {
        let mut c = Content::default();
        let all: HashMap<&str, &str> = [
            ("address", "杨浦区控江路 1 号"),
            ("legal_representative", "张伟"),
            ("contact_name", "李娜"),
            ("income_government", "100"),
            ("income_donations", "20.5"),
            ("income_business", "0"),
            ("income_subsidies", "9.5"),
            ("income_other", "0"),
            ("total_income", "130"),
            ("expenses", "120"),
            ("net_assets", "5"),
            ("staff", "3"),
            ("social_workers", "2"),
            ("volunteers", "10"),
            ("volunteer_hours", "200"),
            ("services", "12"),
            ("beneficiaries", "300"),
            ("activity_summary", "社区助老"),
            ("party_members", "1"),
            ("party_plan", "1"),
            ("large_expenses", "无"),
            ("large_donations", "无"),
            ("foreign_activities", "无"),
            ("registered_changes", "无"),
        ]
        .into_iter()
        .collect();
        for s in Section::ALL {
            c.apply(*s, |k| all.get(k).copied()).unwrap();
        }
        c
    }

    fn actor(name: &str, role: Role) -> Actor {
        Actor {
            name: name.into(),
            role,
        }
    }

    #[test]
    fn a_complete_report_passes_and_its_money_is_kept_in_fen() {
        let c = complete();
        assert_eq!(c.check_complete(), Ok(()));
        assert_eq!(c.income_donations, Some(Fen(2050)));
        assert_eq!(c.net_assets, Some(Fen(500)));
        assert!(c.party_plan && !c.party_in_charter);
    }

    #[test]
    fn an_empty_report_lists_every_missing_required_field_in_chinese() {
        let e = Content::default().check_complete().unwrap_err();
        let required = FIELDS.iter().filter(|f| f.required).count();
        assert_eq!(e.0.len(), required);
        assert!(e.0.iter().all(|x| x.code == "annual_report.missing"));
        assert!(e
            .0
            .iter()
            .any(|x| x.field == "total_income" && x.message.contains("财务状况")));
    }

    #[test]
    fn income_sources_that_do_not_add_up_to_the_total_are_refused() {
        let mut c = complete();
        c.total_income = Some(Fen(12_999));
        let e = c.check_complete().unwrap_err();
        assert_eq!(e.0[0].code, "annual_report.income_sum");
        assert!(e.0[0].message.contains("130.00"), "{}", e.0[0].message);
    }

    #[test]
    fn a_bad_field_keeps_the_section_unchanged_and_names_every_bad_field() {
        let mut c = complete();
        let before = c.clone();
        let typed: HashMap<&str, &str> = [("staff", "三"), ("volunteers", "-1")]
            .into_iter()
            .collect();
        let e = c
            .apply(Section::People, |k| typed.get(k).copied())
            .unwrap_err();
        assert_eq!(e.0.len(), 2);
        assert_eq!(c, before);
        let typed: HashMap<&str, &str> = [("income_other", "-1")].into_iter().collect();
        let e = c
            .apply(Section::Finance, |k| typed.get(k).copied())
            .unwrap_err();
        assert_eq!(e.0[0].code, "money.negative");
        assert!(e.0[0].message.starts_with("其他收入"), "{}", e.0[0].message);
    }

    #[test]
    fn the_whole_cycle_goes_through_the_roles_in_order() {
        let org = actor("org-a", Role::Organisation);
        let sub = actor("officer", Role::Subdistrict);
        let bureau = actor("bureau", Role::Bureau);
        let mut cur = Current {
            status: ReportStatus::Draft,
            submitted_by: None,
            reviewed_by: None,
        };
        assert_eq!(
            decide(&cur, Step::Submit, &org),
            Ok(ReportStatus::Submitted)
        );
        cur.status = ReportStatus::Submitted;
        cur.submitted_by = Some("org-a");
        assert_eq!(decide(&cur, Step::Return, &sub), Ok(ReportStatus::Returned));
        assert_eq!(
            decide(&cur, Step::Conclude, &bureau).unwrap_err().code,
            "annual_report.state"
        );
        assert_eq!(
            decide(&cur, Step::Pass, &bureau).unwrap_err().code,
            "annual_report.role"
        );
        assert_eq!(decide(&cur, Step::Pass, &sub), Ok(ReportStatus::Reviewed));
        cur.status = ReportStatus::Reviewed;
        cur.reviewed_by = Some("officer");
        assert_eq!(
            decide(&cur, Step::Submit, &org).unwrap_err().code,
            "annual_report.state"
        );
        assert_eq!(
            decide(&cur, Step::Return, &bureau),
            Ok(ReportStatus::Returned)
        );
        assert_eq!(
            decide(&cur, Step::Conclude, &bureau),
            Ok(ReportStatus::Concluded)
        );
        assert!(editable(ReportStatus::Returned) && !editable(ReportStatus::Submitted));
    }

    #[test]
    fn four_eyes_keep_the_submitter_and_the_first_reviewer_from_concluding() {
        let cur = Current {
            status: ReportStatus::Reviewed,
            submitted_by: Some("org-a"),
            reviewed_by: Some("b1"),
        };
        let same = actor("b1", Role::Bureau);
        assert_eq!(
            decide(&cur, Step::Conclude, &same).unwrap_err().code,
            "annual_report.four_eyes"
        );
        let cur = Current {
            status: ReportStatus::Submitted,
            submitted_by: Some("x"),
            reviewed_by: None,
        };
        assert_eq!(
            decide(&cur, Step::Pass, &actor("x", Role::Subdistrict))
                .unwrap_err()
                .code,
            "annual_report.four_eyes"
        );
    }

    #[test]
    fn the_filing_window_runs_from_january_to_the_configured_deadline() {
        let w = FilingWindow::default();
        assert_eq!(w.deadline(2024), d(2025, 5, 31));
        assert!(!w.is_late(2024, d(2025, 5, 31)));
        assert!(w.is_late(2024, d(2025, 6, 1)));
        let reg = d(2020, 1, 1);
        assert!(w.check_year("2024", reg, d(2024, 12, 31)).is_err());
        assert_eq!(w.check_year("2024", reg, d(2025, 1, 1)), Ok(2024));
        assert_eq!(
            w.check_year("2019", reg, d(2025, 1, 1)).unwrap_err().0[0].code,
            "annual_report.before_registration"
        );
        let w = FilingWindow::parse("06-30").unwrap();
        assert_eq!(w.deadline(2024), d(2025, 6, 30));
        assert!(FilingWindow::parse("02-30").is_err());
        assert!(FilingWindow::parse("May").is_err());
    }

    #[test]
    fn a_conclusion_other_than_qualified_needs_reasons_and_unfiled_is_never_qualified() {
        assert_eq!(
            parse_conclusion("合格", "").unwrap().0,
            InspectionResult::Qualified
        );
        assert_eq!(
            parse_conclusion("UNQUALIFIED", "").unwrap_err().0[0].code,
            "annual_report.reasons_required"
        );
        assert!(parse_conclusion("NOT_INSPECTED", "x").is_err());
        assert!(parse_conclusion("", "").is_err());
        assert!(check_unfiled_conclusion(InspectionResult::Qualified).is_err());
        assert!(check_unfiled_conclusion(InspectionResult::Unqualified).is_ok());
    }

    #[test]
    fn returning_needs_a_reason_for_at_least_one_section() {
        assert!(parse_return_reasons(|_| None).is_err());
        let v =
            parse_return_reasons(|k| (k == "reason_finance").then_some("收入合计有误")).unwrap();
        assert_eq!(v, vec![(Section::Finance, "收入合计有误".to_string())]);
    }

    #[test]
    fn the_accounts_file_is_known_by_its_content_not_its_name() {
        let pdf = b"%PDF-1.7 rest".to_vec();
        let a = parse_accounts_file("C:\\审计报告.png", pdf, 1024).unwrap();
        assert_eq!(a.content_type, "application/pdf");
        assert_eq!(a.file_name, "审计报告.png");
        let e = parse_accounts_file("a.pdf", b"MZ\x90\x00".to_vec(), 1024).unwrap_err();
        assert_eq!(e.0[0].code, "attachment.type");
        let e = parse_accounts_file("a.pdf", vec![0xFF; 2048], 1024).unwrap_err();
        assert_eq!(e.0[0].code, "attachment.too_large");
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0];
        assert_eq!(sniff(&png), Some("image/png"));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some("image/jpeg"));
        assert!(parse_accounts_file("a\u{202E}fdp.exe", b"%PDF-".to_vec(), 1024).is_err());
    }
}
