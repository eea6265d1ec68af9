//! Applications for support (补贴申请), from submission to payment: which
//! rules can be applied for, what an application's event key looks like, the
//! state machine of who may do what when, attachments, the amount an
//! approval may grant (at most what the policy engine pays on the recorded
//! facts, within the limits that span applications), whether an
//! organisation may apply at all on a day ([`Standing`]), and the budget
//! check.
//!
//! Everything here is pure: the caller passes the acting user, the current
//! state, the engine's decision, what other applications took and the
//! budget figures, and gets back a decision with a stable reason code and a
//! Chinese message. What this module deliberately does not hold: storage
//! and locking (the store makes "paid at most once" true by construction),
//! accounts, and the rules themselves (`crate::policy`).
//!
//! The workflow (`subsidies.md`, "Budgets and payments"):
//!
//! ```text
//!  organisation / bureau ──submit──▶ SUBMITTED
//!  SUBMITTED ──review (sub-district, community organisations only)──▶ SUBDISTRICT_REVIEWED
//!  SUBMITTED (no review needed) | SUBDISTRICT_REVIEWED ──approve (bureau)──▶ APPROVED
//!  APPROVED ──pay (finance, not the approver)──▶ PAID
//!  any open step ──return (with a reason)──▶ RETURNED ──resubmit──▶ SUBMITTED
//!  any open step ──refuse (with a reason)──▶ REFUSED
//! ```

use crate::error::Invalid;
use crate::money::Fen;
use crate::policy::{BeneficiaryKind, Policy, Rule, YearMonth};
use crate::vocabulary::coded;
use crate::{text, CreditCode};
use chrono::NaiveDate;
use std::fmt;

/// A rule that pays through an application: the paying rules of the policy
/// engine, and R8 (三(三)3), which has no formula and is paid as approved
/// against its budget line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubsidyRule {
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R8,
    R9,
    R10,
    R11,
}

impl SubsidyRule {
    pub const ALL: [SubsidyRule; 10] = [
        SubsidyRule::R2,
        SubsidyRule::R3,
        SubsidyRule::R4,
        SubsidyRule::R5,
        SubsidyRule::R6,
        SubsidyRule::R7,
        SubsidyRule::R8,
        SubsidyRule::R9,
        SubsidyRule::R10,
        SubsidyRule::R11,
    ];

    /// The engine's rule; `None` for R8.
    pub fn policy_rule(self) -> Option<Rule> {
        Some(match self {
            SubsidyRule::R2 => Rule::R2,
            SubsidyRule::R3 => Rule::R3,
            SubsidyRule::R4 => Rule::R4,
            SubsidyRule::R5 => Rule::R5,
            SubsidyRule::R6 => Rule::R6,
            SubsidyRule::R7 => Rule::R7,
            SubsidyRule::R8 => return None,
            SubsidyRule::R9 => Rule::R9,
            SubsidyRule::R10 => Rule::R10,
            SubsidyRule::R11 => Rule::R11,
        })
    }

    pub fn code(self) -> &'static str {
        match self.policy_rule() {
            Some(r) => r.code(),
            None => "R8",
        }
    }

    pub fn title(self) -> &'static str {
        match self.policy_rule() {
            Some(r) => r.title(),
            None => "“两会一中心”运行经费",
        }
    }

    pub fn clause(self) -> &'static str {
        match self.policy_rule() {
            Some(r) => r.clause(),
            None => "三(三)3",
        }
    }

    /// "房租补贴（三(一)3）", for lists and messages: the name people know
    /// and its clause; the code stays in the API and data files.
    pub fn label(self) -> String {
        format!("{}（{}）", self.title(), self.clause())
    }

    pub fn beneficiary_kind(self) -> BeneficiaryKind {
        match self.policy_rule() {
            Some(r) => r.beneficiary_kind(),
            None => BeneficiaryKind::Organisation,
        }
    }

    /// Accepts `R2`… `R11` in any case.
    pub fn parse(field: &str, input: &str) -> Result<SubsidyRule, Invalid> {
        let s = input.trim();
        SubsidyRule::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Invalid::one(
                    field,
                    "rule.unknown",
                    format!("“{s}”不是可申请的扶持项目(应为 R2–R11)"),
                )
            })
    }

    /// What the event key names, for form hints.
    pub fn event_key_hint(self) -> &'static str {
        match self {
            SubsidyRule::R2 => "申请日期,如 2024-03-01",
            SubsidyRule::R3 | SubsidyRule::R9 => "月份,如 2024-03",
            SubsidyRule::R4 => "评估日期,如 2024-03-01",
            SubsidyRule::R5 => "荣誉名称|年份,如 全国先进社会组织|2023",
            SubsidyRule::R6 | SubsidyRule::R7 => "项目编号",
            SubsidyRule::R8 => "经费期间或用途,如 2024",
            SubsidyRule::R10 => "评审年度,如 2024",
            SubsidyRule::R11 => "评审决定日期,如 2024-03-01",
        }
    }
}

coded!(SubsidyRule, "扶持项目");

impl fmt::Display for SubsidyRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A person as the rules know them: `P` + the table id, zero-padded to
/// eight digits (the same form as the policy facts and test vectors).
pub fn person_key(id: i64) -> String {
    format!("P{id:08}")
}

/// An organisation as the rules know it: `O` + the table id, zero-padded to
/// seven digits (the contract's form). Never its credit code, which the
/// bureau can change.
pub fn org_key(id: i64) -> String {
    format!("O{id:07}")
}

/// Who an application or a payment is for, by the registry's own ids
/// (`organizations.id`, `people.id`): "the same entitlement" is the same
/// beneficiary whatever its credit code is today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Beneficiary {
    Organisation(i64),
    Person(i64),
}

impl Beneficiary {
    pub fn of(kind: BeneficiaryKind, table_id: i64) -> Beneficiary {
        match kind {
            BeneficiaryKind::Organisation => Beneficiary::Organisation(table_id),
            BeneficiaryKind::Person => Beneficiary::Person(table_id),
        }
    }

    pub fn kind(self) -> BeneficiaryKind {
        match self {
            Beneficiary::Organisation(_) => BeneficiaryKind::Organisation,
            Beneficiary::Person(_) => BeneficiaryKind::Person,
        }
    }

    pub fn table_id(self) -> i64 {
        match self {
            Beneficiary::Organisation(id) | Beneficiary::Person(id) => id,
        }
    }
}

/// The table id inside a [`person_key`].
pub fn person_table_id(key: &str) -> Option<i64> {
    key.strip_prefix('P')?.parse().ok().filter(|n| *n > 0)
}

/// The beneficiary as typed: a credit code for an organisation; a person's
/// number (`12`) or key (`P00000012`) for a person. Returns the stored form.
pub fn parse_beneficiary(
    field: &str,
    kind: BeneficiaryKind,
    input: &str,
) -> Result<String, Invalid> {
    let s = input.trim();
    match kind {
        BeneficiaryKind::Organisation => CreditCode::parse(s)
            .map(|c| c.as_str().to_string())
            .map_err(|e| Invalid(e.0.into_iter().map(|f| f.for_field(field)).collect())),
        BeneficiaryKind::Person => {
            let digits = s.strip_prefix(['P', 'p']).unwrap_or(s);
            digits
                .parse::<i64>()
                .ok()
                .filter(|n| *n > 0 && digits.chars().all(|c| c.is_ascii_digit()))
                .map(person_key)
                .ok_or_else(|| {
                    Invalid::one(
                        field,
                        "person.id_format",
                        format!("人员编号“{s}”格式不正确(应如 12 或 P00000012)"),
                    )
                })
        }
    }
}

/// Checks an event key against what the rule counts by and returns it in its
/// one stored spelling (so that the same entitlement always has the same key,
/// which is what the payments table's unique key relies on).
pub fn parse_event_key(field: &str, rule: SubsidyRule, input: &str) -> Result<String, Invalid> {
    let s = input.trim();
    match rule {
        SubsidyRule::R2 | SubsidyRule::R4 | SubsidyRule::R11 => {
            text::date(field, "事项日期", s).map(|d| d.to_string())
        }
        SubsidyRule::R3 | SubsidyRule::R9 => YearMonth::parse(field, s).map(|m| m.to_string()),
        SubsidyRule::R10 => text::year(field, "评审年度", s).map(|y| format!("{y:04}")),
        SubsidyRule::R5 => {
            let bad = || {
                Invalid::one(
                    field,
                    "event_key.honour_format",
                    "荣誉事项应写作“荣誉名称|年份”,如 全国先进社会组织|2023",
                )
            };
            let (title, year) = s.rsplit_once(['|', '｜']).ok_or_else(bad)?;
            let title = text::bounded(field, "荣誉名称", title, 100, true)?;
            let year = text::year(field, "荣誉年份", year).map_err(|_| bad())?;
            Ok(format!("{title}|{year:04}"))
        }
        SubsidyRule::R6 | SubsidyRule::R7 | SubsidyRule::R8 => {
            text::bounded(field, "事项", s, 64, true)
        }
    }
}

/// The day an event key is counted on, when it carries one: the date, the
/// first of the month, 31 December of a year. Project ids (R6, R7) and R8
/// keys carry none.
pub fn event_date(rule: SubsidyRule, key: &str) -> Option<NaiveDate> {
    match rule {
        SubsidyRule::R2 | SubsidyRule::R4 | SubsidyRule::R11 => key.parse().ok(),
        SubsidyRule::R3 | SubsidyRule::R9 => YearMonth::parse("", key).ok().map(|m| m.first_day()),
        SubsidyRule::R10 => key
            .parse()
            .ok()
            .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)),
        SubsidyRule::R5 => key
            .rsplit_once('|')
            .and_then(|(_, y)| y.parse().ok())
            .and_then(|y| NaiveDate::from_ymd_opt(y, 12, 31)),
        SubsidyRule::R6 | SubsidyRule::R7 | SubsidyRule::R8 => None,
    }
}

/// Where an application is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    Submitted,
    SubdistrictReviewed,
    Approved,
    Paid,
    Returned,
    Refused,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Submitted,
        Status::SubdistrictReviewed,
        Status::Approved,
        Status::Paid,
        Status::Returned,
        Status::Refused,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Submitted => "SUBMITTED",
            Status::SubdistrictReviewed => "SUBDISTRICT_REVIEWED",
            Status::Approved => "APPROVED",
            Status::Paid => "PAID",
            Status::Returned => "RETURNED",
            Status::Refused => "REFUSED",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Submitted => "已提交",
            Status::SubdistrictReviewed => "街道已审核",
            Status::Approved => "已批准",
            Status::Paid => "已拨付",
            Status::Returned => "已退回",
            Status::Refused => "不予支持",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Approved but unpaid, or paid: what a budget line has given away.
    pub fn draws_on_budget(self) -> bool {
        matches!(self, Status::Approved | Status::Paid)
    }
}

coded!(Status, "申请状态");

/// What the acting user is acting as. Plain roles until accounts arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// The organisation applying for itself or for its staff.
    Organisation,
    /// The sub-district office (街道), which reviews community organisations.
    Subdistrict,
    /// The district civil-affairs bureau (区民政局), which approves.
    Bureau,
    /// The bureau's finance office, which pays.
    Finance,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Organisation,
        Role::Subdistrict,
        Role::Bureau,
        Role::Finance,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Organisation => "organisation",
            Role::Subdistrict => "subdistrict",
            Role::Bureau => "bureau",
            Role::Finance => "finance",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Organisation => "社会组织",
            Role::Subdistrict => "街道",
            Role::Bureau => "区民政局",
            Role::Finance => "财务",
        }
    }

    pub fn parse(field: &str, input: &str) -> Result<Role, Invalid> {
        let s = input.trim();
        Role::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(s) || r.label() == s)
            .ok_or_else(|| {
                if s.is_empty() {
                    Invalid::one(field, "role.required", "请选择办理身份")
                } else {
                    Invalid::one(field, "role.unknown", format!("办理身份“{s}”不存在"))
                }
            })
    }
}

coded!(Role, "办理身份");

/// Who is acting: a name (for the record and the four-eyes rule) and a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

impl Actor {
    /// Reads the acting user's name (`actor_name`) and role (`actor_role`).
    pub fn parse(name: &str, role: &str) -> Result<Actor, Invalid> {
        let mut errs = Invalid::default();
        let name = errs.take(text::bounded("actor_name", "经办人姓名", name, 50, true));
        let role = errs.take(Role::parse("actor_role", role));
        match (name, role) {
            (Some(name), Some(role)) => Ok(Actor { name, role }),
            _ => Err(errs),
        }
    }

    /// The same person, whatever spaces were typed inside the name.
    pub fn same_person(&self, other: &str) -> bool {
        let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        squeeze(&self.name) == squeeze(other)
    }
}

/// A step of the workflow on an existing application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Resubmit,
    Review,
    Approve,
    Pay,
    Return,
    Refuse,
}

impl Action {
    pub const ALL: [Action; 6] = [
        Action::Resubmit,
        Action::Review,
        Action::Approve,
        Action::Pay,
        Action::Return,
        Action::Refuse,
    ];

    /// As in URLs (`/applications/{id}/{action}`) and the event log.
    pub fn code(self) -> &'static str {
        match self {
            Action::Resubmit => "resubmit",
            Action::Review => "review",
            Action::Approve => "approve",
            Action::Pay => "pay",
            Action::Return => "return",
            Action::Refuse => "refuse",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Resubmit => "重新提交",
            Action::Review => "街道审核",
            Action::Approve => "批准",
            Action::Pay => "拨付",
            Action::Return => "退回",
            Action::Refuse => "不予支持",
        }
    }

    pub fn from_code(code: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == code)
    }

    fn needs_reason(self) -> bool {
        matches!(self, Action::Return | Action::Refuse)
    }
}

coded!(Action, "办理步骤");

/// What an application event records: the submission, or a step taken on
/// the application since.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventAction {
    Submit,
    Step(Action),
}

impl EventAction {
    pub const ALL: [EventAction; 7] = [
        EventAction::Submit,
        EventAction::Step(Action::Resubmit),
        EventAction::Step(Action::Review),
        EventAction::Step(Action::Approve),
        EventAction::Step(Action::Pay),
        EventAction::Step(Action::Return),
        EventAction::Step(Action::Refuse),
    ];

    /// `submit`, else the step's code.
    pub fn code(self) -> &'static str {
        match self {
            EventAction::Submit => "submit",
            EventAction::Step(a) => a.code(),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventAction::Submit => "提交申请",
            EventAction::Step(a) => a.label(),
        }
    }
}

coded!(EventAction, "申请事件");

/// A refused step: a stable code, the field it is about, and the reason in
/// Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub code: &'static str,
    /// `action`, `actor_role`, `actor_name`, `reason` or `amount`.
    pub field: &'static str,
    pub message: String,
}

impl Refused {
    fn new(code: &'static str, field: &'static str, message: impl Into<String>) -> Refused {
        Refused {
            code,
            field,
            message: message.into(),
        }
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What the state machine needs to know about an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Current<'a> {
    pub status: Status,
    /// A community organisation's application goes through its sub-district.
    pub needs_review: bool,
    /// Who approved it (for the four-eyes rule at payment).
    pub approver: Option<&'a str>,
    /// Who submitted it: that account does not review, approve or pay it
    /// (four eyes, issue 10), whatever its role.
    pub applicant: Option<&'a str>,
}

/// An allowed step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub action: Action,
    pub from: Status,
    pub to: Status,
}

/// Who may submit a new application.
pub fn may_submit(actor: &Actor) -> Result<(), Refused> {
    match actor.role {
        Role::Organisation | Role::Bureau => Ok(()),
        other => Err(Refused::new(
            "workflow.wrong_role",
            "actor_role",
            format!(
                "申请须由社会组织或区民政局提交,{}不能提交申请",
                other.label()
            ),
        )),
    }
}

/// Who may set a budget line.
pub fn may_set_budget(actor: &Actor) -> Result<(), Refused> {
    match actor.role {
        Role::Bureau | Role::Finance => Ok(()),
        other => Err(Refused::new(
            "workflow.wrong_role",
            "actor_role",
            format!("预算额度须由区民政局或财务设定,{}不能设定", other.label()),
        )),
    }
}

/// The role whose turn it is at `status`, if any.
fn pending_role(c: &Current<'_>) -> Option<Role> {
    match c.status {
        Status::Submitted if c.needs_review => Some(Role::Subdistrict),
        Status::Submitted | Status::SubdistrictReviewed => Some(Role::Bureau),
        Status::Approved => Some(Role::Finance),
        Status::Returned => Some(Role::Organisation),
        Status::Paid | Status::Refused => None,
    }
}

/// Decides whether `actor` may take `action` on an application in state
/// `current`, and where it leads. `reason` is the reason typed with the step
/// (required to return or refuse).
///
/// The role whose turn it is may take the forward step, return the
/// application or refuse it; a returned application is resubmitted by the
/// organisation or the bureau (the applicants), or closed by the bureau.
pub fn decide(
    current: &Current<'_>,
    action: Action,
    actor: &Actor,
    reason: &str,
) -> Result<Step, Refused> {
    let from = current.status;
    let wrong_status = || {
        Refused::new(
            "workflow.wrong_status",
            "action",
            format!("该申请当前状态为“{}”,不能{}", from.label(), action.label()),
        )
    };
    let wrong_role = |who: &str| {
        Refused::new(
            "workflow.wrong_role",
            "actor_role",
            format!(
                "“{}”须由{who}办理,当前办理身份为{}",
                action.label(),
                actor.role.label()
            ),
        )
    };
    let Some(pending) = pending_role(current) else {
        return Err(Refused::new(
            "workflow.closed",
            "action",
            format!("该申请已{},办理已结束", from.label()),
        ));
    };
    let to = match (action, from) {
        (Action::Resubmit, Status::Returned) => {
            if !matches!(actor.role, Role::Organisation | Role::Bureau) {
                return Err(wrong_role("社会组织或区民政局"));
            }
            Status::Submitted
        }
        (Action::Review, Status::Submitted) => {
            if !current.needs_review {
                return Err(Refused::new(
                    "workflow.review_not_needed",
                    "action",
                    "该申请不是社区社会组织的申请,无需街道审核,请直接由区民政局批准",
                ));
            }
            if actor.role != Role::Subdistrict {
                return Err(wrong_role("街道"));
            }
            Status::SubdistrictReviewed
        }
        (Action::Approve, Status::Submitted | Status::SubdistrictReviewed) => {
            if from == Status::Submitted && current.needs_review {
                return Err(Refused::new(
                    "workflow.review_first",
                    "action",
                    "社区社会组织的申请须先经街道审核,才能批准",
                ));
            }
            if actor.role != Role::Bureau {
                return Err(wrong_role("区民政局"));
            }
            Status::Approved
        }
        (Action::Pay, Status::Approved) => {
            if actor.role != Role::Finance {
                return Err(wrong_role("财务"));
            }
            if let Some(approver) = current.approver.filter(|a| actor.same_person(a)) {
                return Err(Refused::new(
                    "workflow.payer_is_approver",
                    "actor_name",
                    format!("批准人与拨付人不能为同一人(本申请由 {approver} 批准)"),
                ));
            }
            Status::Paid
        }
        (Action::Return, Status::Returned) => return Err(wrong_status()),
        (Action::Return | Action::Refuse, _) => {
            // A returned application waits for its applicant; only the
            // bureau may close it instead.
            let allowed = if from == Status::Returned {
                Role::Bureau
            } else {
                pending
            };
            if actor.role != allowed {
                return Err(wrong_role(allowed.label()));
            }
            if action == Action::Return {
                Status::Returned
            } else {
                Status::Refused
            }
        }
        _ => return Err(wrong_status()),
    };
    // Four eyes: whoever submitted an application takes no decision on it,
    // even where its role could.
    if matches!(action, Action::Review | Action::Approve | Action::Pay) {
        if let Some(applicant) = current.applicant.filter(|a| actor.same_person(a)) {
            return Err(Refused::new(
                "workflow.decider_is_applicant",
                "actor_name",
                format!(
                    "提交申请的账号不能{}本申请(本申请由 {applicant} 提交),请由另一位工作人员办理",
                    action.label()
                ),
            ));
        }
    }
    if action.needs_reason() && reason.trim().is_empty() {
        return Err(Refused::new(
            "workflow.reason_required",
            "reason",
            format!("{}须填写理由", action.label()),
        ));
    }
    Ok(Step { action, from, to })
}

/// The steps someone could take now, each with the role that may take it
/// (for showing only the forms that can succeed).
pub fn open_actions(current: &Current<'_>) -> Vec<(Action, Role)> {
    let free = Current {
        approver: None,
        applicant: None,
        ..*current
    };
    let mut v = Vec::new();
    for action in Action::ALL {
        for role in Role::ALL {
            let who = Actor {
                name: String::new(),
                role,
            };
            if decide(&free, action, &who, "-").is_ok() {
                v.push((action, role));
            }
        }
    }
    v
}

/// The largest attachment kept in the database (1 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 1024 * 1024;
/// Attachments per application.
pub const MAX_ATTACHMENTS: usize = 5;

/// Content types accepted, with the file extensions that imply them.
const ATTACHMENT_TYPES: [(&str, &[&str]); 7] = [
    ("application/pdf", &["pdf"]),
    ("image/jpeg", &["jpg", "jpeg"]),
    ("image/png", &["png"]),
    (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        &["xlsx"],
    ),
    (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &["docx"],
    ),
    ("application/msword", &["doc"]),
    ("application/vnd.ms-excel", &["xls"]),
];

/// A file attached to an application, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    /// The base name only: any path a browser sent is dropped.
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// A character a file name may not hold: controls (C0, C1), bidirectional
/// embeddings, overrides, isolates and marks, zero-width characters and the
/// byte-order mark. Shared with the annual report's accounts file.
pub(crate) fn hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Checks one uploaded file (`index` counts from 0, for the field name).
/// An empty or generic content type is inferred from the extension.
pub fn parse_attachment(
    index: usize,
    file_name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<Attachment, Invalid> {
    let field = format!("attachments[{index}]");
    let base = file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file_name)
        .trim();
    // A right-to-left override shows `invoice<U+202E>fdp.exe` as `invoiceexe.pdf`;
    // control and other invisible formatting characters hide a name's true
    // end the same way. Refused, and the name is not echoed back.
    if base.chars().any(hidden_char) {
        return Err(Invalid::one(
            &field,
            "attachment.name_chars",
            format!(
                "第 {} 个附件的文件名含有控制字符或改变文字方向的不可见字符,请重命名后再上传",
                index + 1
            ),
        ));
    }
    let name = text::bounded(&field, "附件文件名", base, 120, true)?;
    if bytes.is_empty() {
        return Err(Invalid::one(
            &field,
            "attachment.empty",
            format!("附件“{name}”是空文件"),
        ));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(Invalid::one(
            &field,
            "attachment.too_large",
            format!(
                "附件“{name}”大小 {} KB,超过上限 {} KB",
                bytes.len().div_ceil(1024),
                MAX_ATTACHMENT_BYTES / 1024
            ),
        ));
    }
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let given = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let by_type = ATTACHMENT_TYPES.iter().find(|(t, _)| *t == given);
    let by_ext = ATTACHMENT_TYPES
        .iter()
        .find(|(_, exts)| exts.contains(&ext.as_str()));
    let generic = given.is_empty() || given == "application/octet-stream";
    let kind = match (by_type, by_ext) {
        (Some(t), _) => Some(t.0),
        (None, Some(t)) if generic => Some(t.0),
        _ => None,
    };
    let Some(content_type) = kind else {
        return Err(Invalid::one(
            &field,
            "attachment.type",
            format!("附件“{name}”的类型不受支持(可上传 PDF、JPG、PNG、Word、Excel 文件)"),
        ));
    };
    Ok(Attachment {
        file_name: name,
        content_type,
        bytes,
    })
}

/// An application as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationInput {
    pub rule: String,
    /// Credit code (organisation rules) or person number (R9–R11).
    pub beneficiary_id: String,
    pub event_key: String,
    /// In yuan, as people type it.
    pub requested: String,
}

/// A checked application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationDraft {
    pub rule: SubsidyRule,
    pub beneficiary_kind: BeneficiaryKind,
    /// Credit code or person key ([`person_key`]).
    pub beneficiary_id: String,
    pub event_key: String,
    pub requested: Fen,
}

impl ApplicationInput {
    /// Reports every bad field, not the first.
    pub fn validate(&self) -> Result<ApplicationDraft, Invalid> {
        let mut errs = Invalid::default();
        let rule = errs.take(SubsidyRule::parse("rule", &self.rule));
        let requested = errs.take(Fen::parse_yuan("requested", &self.requested).and_then(|f| {
            if f > Fen::ZERO {
                Ok(f)
            } else {
                Err(Invalid::one("requested", "money.zero", "申请金额须大于 0"))
            }
        }));
        let (beneficiary, key) = match rule {
            Some(r) => (
                errs.take(parse_beneficiary(
                    "beneficiary_id",
                    r.beneficiary_kind(),
                    &self.beneficiary_id,
                )),
                errs.take(parse_event_key("event_key", r, &self.event_key)),
            ),
            None => (None, None),
        };
        match (rule, beneficiary, key, requested) {
            (Some(rule), Some(beneficiary_id), Some(event_key), Some(requested))
                if errs.is_empty() =>
            {
                Ok(ApplicationDraft {
                    rule,
                    beneficiary_kind: rule.beneficiary_kind(),
                    beneficiary_id,
                    event_key,
                    requested,
                })
            }
            _ => Err(errs),
        }
    }
}

/// The days an event key names: the date (R2, R4, R11), the month (R3,
/// R9), 31 December of a review year (R10), the calendar year of an honour
/// (R5). Project ids (R6, R7) and R8 keys name none.
pub fn event_span(rule: SubsidyRule, key: &str) -> Option<(NaiveDate, NaiveDate)> {
    match rule {
        SubsidyRule::R2 | SubsidyRule::R4 | SubsidyRule::R11 | SubsidyRule::R10 => {
            event_date(rule, key).map(|d| (d, d))
        }
        SubsidyRule::R3 | SubsidyRule::R9 => {
            let m = YearMonth::parse("", key).ok()?;
            let last = m.next().first_day().pred_opt()?;
            Some((m.first_day(), last))
        }
        SubsidyRule::R5 => {
            let y: i32 = key.rsplit_once('|')?.1.parse().ok()?;
            Some((
                NaiveDate::from_ymd_opt(y, 1, 1)?,
                NaiveDate::from_ymd_opt(y, 12, 31)?,
            ))
        }
        SubsidyRule::R6 | SubsidyRule::R7 | SubsidyRule::R8 => None,
    }
}

/// What the policy engine says about an application's event, evaluated on
/// the registry's facts of its beneficiary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactsDecision {
    /// The engine pays `amount` for the event (dated `date`); `rule_total`
    /// is what it pays the beneficiary under the rule over the whole period
    /// (R4's ceiling: the highest level amount reached).
    Granted {
        amount: Fen,
        rule_total: Fen,
        date: Option<NaiveDate>,
        /// The engine's reasoning, for the approval's record.
        explanation: String,
    },
    /// The engine refuses the event, with its reason (and, for a missing
    /// fact, who must record it).
    Refused { code: &'static str, message: String },
}

impl FactsDecision {
    /// The engine's refusal of a recorded event. A refusal for want of a
    /// fact says which fact and who must record it.
    pub fn refused(rule: Rule, why: crate::policy::Refusal, policy: &Policy) -> FactsDecision {
        use crate::policy::Refusal as R;
        let who_person = "须由区民政局或所在组织申报并经核实";
        let message = match why {
            R::NoQualification => {
                format!("该人员在申请事项日期无社会工作者职业资格记录,{who_person}")
            }
            R::QualificationLater { date } => format!(
                "该人员的社会工作者职业资格记录最早于 {date} 取得,申请事项日期尚未持证;如当时已持有资格,{who_person}"
            ),
            R::NotSenior => format!("该人员无高级社会工作师资格记录,{who_person}"),
            R::NoContractEmployment => "该人员在申请事项日期无与本区社会组织签订劳动合同的在职记录,须由所在组织申报用工记录并经核实".to_string(),
            R::PerformanceMissing { year } => format!(
                "该人员无 {year} 年度考核结果记录,须由所在组织或区民政局录入"
            ),
            R::NoInspection => "该组织无年检记录,须由区民政局录入年检结论".to_string(),
            other => other.message(rule, policy),
        };
        FactsDecision::Refused {
            code: why.code(),
            message,
        }
    }

    /// The registry holds no record of the event: which fact is missing and
    /// who must record it (who states which fact, issue 10).
    pub fn not_on_record(rule: SubsidyRule, key: &str) -> FactsDecision {
        let message = match rule {
            SubsidyRule::R2 => format!(
                "该组织在 {key} 无开办补贴申请记录,须由该组织申报并经区民政局核实"
            ),
            SubsidyRule::R3 => format!(
                "该组织 {key} 无办公用房租赁及实付房租记录,须由该组织申报并经所在街道核实"
            ),
            SubsidyRule::R4 => format!("该组织在 {key} 无等级评估结果记录,须由区民政局录入"),
            SubsidyRule::R5 => {
                let (title, year) = key.rsplit_once('|').unwrap_or((key, ""));
                format!("该组织无“{title}”({year} 年)荣誉记录,须由区民政局录入")
            }
            SubsidyRule::R6 => format!(
                "该组织无公益创投项目“{key}”的入选记录,须由该组织申报并经区民政局核实"
            ),
            SubsidyRule::R7 => {
                format!("该组织无创业大赛项目“{key}”的获奖记录,须由区民政局录入")
            }
            SubsidyRule::R9 => format!(
                "该人员 {key} 无薪酬补贴所需的资格、用工和考核记录,须由区民政局或所在组织申报并经核实"
            ),
            SubsidyRule::R10 => format!("该人员无 {key} 年度督导评审记录,须由区民政局录入"),
            SubsidyRule::R11 => format!(
                "该人员在 {key} 无高级社工师奖励评审决定记录,须由区民政局录入"
            ),
            SubsidyRule::R8 => format!("{key} 无记录"),
        };
        FactsDecision::Refused {
            code: "facts.not_on_record",
            message,
        }
    }

    /// The event's date, when the engine paid it.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            FactsDecision::Granted { date, .. } => *date,
            FactsDecision::Refused { .. } => None,
        }
    }
}

/// What other applications have already taken, as the approval's
/// transaction sees them under the rule's lock: the approved and paid
/// applications of the same rule (not this one) for the same beneficiary
/// (any event), and for the same event key (any beneficiary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Committed {
    pub count: u32,
    pub total: Fen,
    pub same_event: u32,
}

/// An amount that may be approved, with how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitled {
    pub amount: Fen,
    /// One line for the event log, e.g. "按登记信息核定 500.00 元".
    pub note: String,
}

/// The amount an approval may grant: at most what the engine pays for the
/// event on the recorded facts (`facts`), and at most what was asked;
/// refused when the engine refuses or holds no record of the event. The
/// limits that span applications hold against `committed` (approvals and
/// payments of other applications): once per beneficiary (R2, R11), 24
/// rent months (R3), the highest level amount in all (R4), once per project
/// (R6, R7), and the year's winners (R10). R8 has no formula: as asked,
/// limited by the budget alone.
pub fn entitlement(
    rule: SubsidyRule,
    requested: Fen,
    facts: &FactsDecision,
    committed: Committed,
    policy: &Policy,
) -> Result<Entitled, Refused> {
    let Some(policy_rule) = rule.policy_rule() else {
        // 三(三)3 按实保障: as approved, limited only by the budget.
        return Ok(Entitled {
            amount: requested,
            note: format!("{}按实保障，按申请金额核定", rule.title()),
        });
    };
    let (engine, rule_total, date, explanation) = match facts {
        FactsDecision::Granted {
            amount,
            rule_total,
            date,
            explanation,
        } => (*amount, *rule_total, *date, explanation),
        FactsDecision::Refused { code, message } => {
            return Err(Refused::new(code, "action", message.clone()))
        }
    };
    let params = date
        .and_then(|d| policy.in_force(d))
        .map(|(_, p)| p)
        .or_else(|| policy.versions().last())
        .ok_or_else(|| Refused::new("policy.no_version", "rule", "没有有效的政策版本"))?;
    let once = |what: &str| -> Result<(), Refused> {
        if committed.count > 0 {
            let per = if rule.beneficiary_kind() == BeneficiaryKind::Person {
                "人"
            } else {
                "个组织"
            };
            Err(Refused::new(
                "payment.once_only",
                "action",
                format!("已有批准或拨付的{what}申请,每{per}限一次"),
            ))
        } else {
            Ok(())
        }
    };
    let mut amount = engine.min(requested);
    match rule {
        SubsidyRule::R2 | SubsidyRule::R11 => once(policy_rule.title())?,
        SubsidyRule::R3 if committed.count >= params.rent_max_months => {
            let r = crate::policy::Refusal::RentMonthsUsed {
                max: params.rent_max_months,
            };
            return Err(Refused::new(
                r.code(),
                "action",
                r.message(policy_rule, policy),
            ));
        }
        SubsidyRule::R4 => {
            // 三(二)1: all rating awards together reach at most the highest
            // level amount, whichever ratings were applied for first.
            let left = rule_total - committed.total;
            if left <= Fen::ZERO {
                return Err(Refused::new(
                    "rating.not_higher",
                    "action",
                    format!(
                        "已批准或拨付等级评估奖励 {} 元,已达所获最高等级的奖励 {} 元,不再补差",
                        committed.total.grouped(),
                        rule_total.grouped()
                    ),
                ));
            }
            amount = amount.min(left);
        }
        SubsidyRule::R6 | SubsidyRule::R7 if committed.same_event > 0 => {
            return Err(Refused::new(
                "competition.already_paid",
                "action",
                "该项目已有批准或拨付的补贴申请,每个项目限补贴一次",
            ));
        }
        SubsidyRule::R10 if committed.same_event >= params.supervisor_winners => {
            return Err(Refused::new(
                "supervisor.year_full",
                "action",
                format!(
                    "该年度已批准或拨付 {} 名优秀督导奖励,每年至多 {} 名",
                    committed.same_event, params.supervisor_winners
                ),
            ));
        }
        _ => {}
    }
    if amount <= Fen::ZERO {
        let r = crate::policy::Refusal::ZeroAmount;
        return Err(Refused::new(
            r.code(),
            "amount",
            r.message(policy_rule, policy),
        ));
    }
    // The version by its period, as people know it; its code is in the audit.
    let version = format!(
        "按 {} 至 {} 施行的政策",
        params.period_from, params.period_to
    );
    let note = if amount < engine {
        format!(
            "{version}，按登记信息核定 {}，批准 {}。{explanation}",
            engine.shown(),
            amount.shown(),
        )
    } else {
        format!(
            "{version}，按登记信息核定 {}。{explanation}",
            engine.shown(),
        )
    };
    Ok(Entitled { amount, note })
}

/// Whether an organisation may apply for, or be granted, support for an
/// event on `d`: not when it is deregistered or revoked by then, nor while
/// it is on the abnormal-activity list or the list of serious dishonesty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Standing {
    pub status: Option<crate::orgs::OrgStatus>,
    pub deregistered_on: Option<NaiveDate>,
    /// When the registration was revoked (撤销登记), if the registry
    /// recorded the change.
    pub revoked_on: Option<NaiveDate>,
    /// Entries on the credit lists: (list, listed on, removed on).
    pub listings: Vec<(crate::history::CreditList, NaiveDate, Option<NaiveDate>)>,
}

impl Standing {
    /// Refuses an event on `d` of an organisation deregistered, revoked or
    /// listed on that day.
    pub fn check(&self, d: NaiveDate) -> Result<(), Refused> {
        use crate::history::CreditList;
        use crate::orgs::OrgStatus;
        let field = "beneficiary_id";
        let deregistered = match (self.deregistered_on, self.status) {
            (Some(on), _) if on <= d => Some(Some(on)),
            (None, Some(OrgStatus::Deregistered)) => Some(None),
            _ => None,
        };
        if let Some(on) = deregistered {
            let when = on.map_or(String::new(), |x| format!("于 {x} "));
            return Err(Refused::new(
                "org.deregistered",
                field,
                format!(
                    "该组织已{when}注销,事项日期 {d} 已不是登记中的社会组织,不能申请或获得扶持"
                ),
            ));
        }
        if self.status == Some(OrgStatus::Revoked) && self.revoked_on.is_none_or(|x| x <= d) {
            let when = self
                .revoked_on
                .map_or(String::new(), |x| format!("于 {x} "));
            return Err(Refused::new(
                "org.revoked",
                field,
                format!("该组织已{when}被撤销登记,不能申请或获得事项日期 {d} 的扶持"),
            ));
        }
        let on_list = |list: CreditList| {
            self.listings
                .iter()
                .filter(|(l, listed, removed)| {
                    *l == list && *listed <= d && removed.is_none_or(|r| d < r)
                })
                .map(|(_, listed, _)| *listed)
                .min()
        };
        for (list, status, code) in [
            (
                CreditList::AbnormalActivity,
                OrgStatus::AbnormalList,
                "org.abnormal_list",
            ),
            (
                CreditList::SeriousDishonesty,
                OrgStatus::SeriousDishonesty,
                "org.serious_dishonesty",
            ),
        ] {
            let listed = on_list(list);
            // Listed today with no dated entry on record: the date is unknown.
            let undated = self.status == Some(status)
                && !self
                    .listings
                    .iter()
                    .any(|(l, _, r)| *l == list && r.is_none());
            if listed.is_some() || undated {
                let when = listed.map_or(String::new(), |x| format!("于 {x} "));
                return Err(Refused::new(
                    code,
                    field,
                    format!(
                        "该组织{when}被列入{},事项日期 {d} 尚未移出,不能申请或获得扶持",
                        list.label()
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// The amount the approver typed, if any, checked against the entitlement.
pub fn approved_amount(entitled: &Entitled, typed: Option<Fen>) -> Result<Fen, Refused> {
    match typed {
        None => Ok(entitled.amount),
        Some(a) if a <= Fen::ZERO => Err(Refused::new("amount.zero", "amount", "批准金额须大于 0")),
        Some(a) if a > entitled.amount => Err(Refused::new(
            "amount.above_entitlement",
            "amount",
            format!(
                "批准金额 {} 元超过核定金额 {} 元({})",
                a.grouped(),
                entitled.amount.grouped(),
                entitled.note
            ),
        )),
        Some(a) => Ok(a),
    }
}

/// "Each rule draws on a budget line per year. An approval that would take a
/// line below zero is refused." `line` is the line's amount (`None`: no line
/// set), `committed` what it has already given away (approved and paid).
pub fn check_budget(
    rule: SubsidyRule,
    year: i32,
    line: Option<Fen>,
    committed: Fen,
    amount: Fen,
) -> Result<(), Refused> {
    let Some(line) = line else {
        return Err(Refused::new(
            "budget.missing",
            "amount",
            format!("{} {year} 年尚未设定预算额度,不能批准", rule.code()),
        ));
    };
    let left = line - committed;
    if amount > left {
        return Err(Refused::new(
            "budget.shortfall",
            "amount",
            format!(
                "{} {year} 年预算余额 {} 元,不足以支付 {} 元,缺口 {} 元",
                rule.code(),
                left.max(Fen::ZERO).grouped(),
                amount.grouped(),
                (amount - left.max(Fen::ZERO)).grouped()
            ),
        ));
    }
    Ok(())
}

/// A budget line may not be set below what it has already given away.
pub fn check_budget_amount(
    rule: SubsidyRule,
    year: i32,
    amount: Fen,
    committed: Fen,
) -> Result<(), Refused> {
    if amount < committed {
        return Err(Refused::new(
            "budget.below_committed",
            "amount",
            format!(
                "{} {year} 年已批准和已拨付合计 {} 元,预算额度不能低于此数",
                rule.code(),
                committed.grouped()
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_actions_list_the_steps_of_whoever_has_the_turn() {
        let c = |status, needs_review| Current {
            status,
            needs_review,
            approver: Some("甲"),
            applicant: Some("乙"),
        };
        let codes = |v: Vec<(Action, Role)>| {
            v.into_iter()
                .map(|(a, r)| format!("{}:{}", a.code(), r.code()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            codes(open_actions(&c(Status::Submitted, true))),
            [
                "review:subdistrict",
                "return:subdistrict",
                "refuse:subdistrict"
            ]
        );
        assert_eq!(
            codes(open_actions(&c(Status::Approved, false))),
            ["pay:finance", "return:finance", "refuse:finance"]
        );
        assert!(open_actions(&c(Status::Paid, false)).is_empty());
    }

    fn granted(yuan: i64, total: i64) -> FactsDecision {
        FactsDecision::Granted {
            amount: Fen::yuan(yuan),
            rule_total: Fen::yuan(total),
            date: NaiveDate::from_ymd_opt(2024, 3, 1),
            explanation: "e".into(),
        }
    }

    fn approve(
        rule: SubsidyRule,
        requested: i64,
        facts: &FactsDecision,
        committed: Committed,
    ) -> Result<Fen, &'static str> {
        entitlement(
            rule,
            Fen::yuan(requested),
            facts,
            committed,
            &Policy::yangpu(),
        )
        .map(|e| e.amount)
        .map_err(|r| r.code)
    }

    #[test]
    fn the_engine_lowers_or_refuses_but_never_raises_the_amount() {
        let none = Committed::default();
        assert_eq!(
            approve(SubsidyRule::R3, 800, &granted(450, 450), none),
            Ok(Fen::yuan(450))
        );
        assert_eq!(
            approve(SubsidyRule::R3, 300, &granted(450, 450), none),
            Ok(Fen::yuan(300))
        );
        let no = FactsDecision::Refused {
            code: "rent.unpaid",
            message: "当月实付房租为 0".into(),
        };
        assert_eq!(approve(SubsidyRule::R3, 500, &no, none), Err("rent.unpaid"));
        let missing = FactsDecision::not_on_record(SubsidyRule::R3, "2024-03");
        assert_eq!(
            approve(SubsidyRule::R3, 500, &missing, none),
            Err("facts.not_on_record")
        );
        // R8 has no formula: as asked.
        assert_eq!(
            approve(SubsidyRule::R8, 900_000, &missing, none),
            Ok(Fen::yuan(900_000))
        );
    }

    #[test]
    fn limits_across_applications_hold_against_what_others_took() {
        let taken = |count, total, same_event| Committed {
            count,
            total: Fen::yuan(total),
            same_event,
        };
        let g = granted(10_000, 10_000);
        assert_eq!(
            approve(SubsidyRule::R2, 10_000, &g, taken(1, 10_000, 0)),
            Err("payment.once_only")
        );
        assert_eq!(
            approve(SubsidyRule::R11, 30_000, &g, taken(1, 30_000, 0)),
            Err("payment.once_only")
        );
        assert_eq!(
            approve(SubsidyRule::R3, 500, &g, taken(24, 12_000, 0)),
            Err("rent.months_used")
        );
        // 3A then 5A reach 50,000 in all; 40,000 approved leaves 10,000.
        let five = granted(40_000, 50_000);
        assert_eq!(
            approve(SubsidyRule::R4, 50_000, &five, taken(1, 40_000, 0)),
            Ok(Fen::yuan(10_000))
        );
        assert_eq!(
            approve(SubsidyRule::R4, 50_000, &five, taken(2, 50_000, 0)),
            Err("rating.not_higher")
        );
        assert_eq!(
            approve(SubsidyRule::R10, 5_000, &g, taken(0, 0, 2)),
            Err("supervisor.year_full")
        );
        assert_eq!(
            approve(SubsidyRule::R10, 5_000, &g, taken(0, 0, 1)),
            Ok(Fen::yuan(5_000))
        );
        assert_eq!(
            approve(SubsidyRule::R7, 5_000, &g, taken(0, 0, 1)),
            Err("competition.already_paid")
        );
    }

    #[test]
    fn an_organisation_deregistered_revoked_or_listed_on_the_day_is_refused() {
        use crate::history::CreditList;
        use crate::orgs::OrgStatus;
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let gone = Standing {
            status: Some(OrgStatus::Deregistered),
            deregistered_on: Some(d("2024-05-01")),
            ..Standing::default()
        };
        assert!(gone.check(d("2024-04-30")).is_ok());
        assert_eq!(
            gone.check(d("2024-05-01")).unwrap_err().code,
            "org.deregistered"
        );
        let listed = Standing {
            status: Some(OrgStatus::Normal),
            listings: vec![(
                CreditList::AbnormalActivity,
                d("2023-01-10"),
                Some(d("2023-07-01")),
            )],
            ..Standing::default()
        };
        assert!(listed.check(d("2023-01-09")).is_ok());
        let e = listed.check(d("2023-03-01")).unwrap_err();
        assert_eq!(e.code, "org.abnormal_list");
        assert!(e.message.contains("活动异常名录"), "{}", e.message);
        assert!(listed.check(d("2023-07-01")).is_ok());
        let revoked = Standing {
            status: Some(OrgStatus::Revoked),
            revoked_on: Some(d("2024-01-01")),
            ..Standing::default()
        };
        assert!(revoked.check(d("2023-12-31")).is_ok());
        assert_eq!(
            revoked.check(d("2024-01-01")).unwrap_err().code,
            "org.revoked"
        );
    }

    #[test]
    fn money_in_messages_has_thousands_separators() {
        assert_eq!(Fen(120_000).grouped(), "1,200.00");
        assert_eq!(Fen(5).grouped(), "0.05");
        assert_eq!(Fen(123_456_789).grouped(), "1,234,567.89");
        assert_eq!(Fen(-30_000).grouped(), "-300.00");
        assert_eq!(Fen(100_000).grouped(), "1,000.00");
    }

    #[test]
    fn an_overdraw_names_the_line_and_the_shortfall() {
        let e = check_budget(
            SubsidyRule::R3,
            2024,
            Some(Fen::yuan(10_000)),
            Fen::yuan(8_800),
            Fen::yuan(1_500),
        )
        .unwrap_err();
        assert_eq!(e.code, "budget.shortfall");
        assert_eq!(
            e.message,
            "R3 2024 年预算余额 1,200.00 元,不足以支付 1,500.00 元,缺口 300.00 元"
        );
        assert!(check_budget(
            SubsidyRule::R3,
            2024,
            Some(Fen::yuan(10_000)),
            Fen::yuan(8_500),
            Fen::yuan(1_500)
        )
        .is_ok());
    }

    #[test]
    fn event_keys_have_one_spelling() {
        let k = |r, s| parse_event_key("k", r, s);
        assert_eq!(k(SubsidyRule::R2, "2024/3/1").unwrap(), "2024-03-01");
        assert_eq!(k(SubsidyRule::R9, " 2024-03 ").unwrap(), "2024-03");
        assert_eq!(k(SubsidyRule::R10, "2024").unwrap(), "2024");
        assert_eq!(
            k(SubsidyRule::R5, "全国先进社会组织 | 2023").unwrap(),
            "全国先进社会组织|2023"
        );
        assert!(k(SubsidyRule::R3, "2024-3-1").is_err());
        assert!(k(SubsidyRule::R5, "没有年份").is_err());
    }

    #[test]
    fn people_are_known_by_their_key() {
        let p = |s| parse_beneficiary("b", BeneficiaryKind::Person, s);
        assert_eq!(p("12").unwrap(), "P00000012");
        assert_eq!(p("P00000012").unwrap(), "P00000012");
        assert!(p("0").is_err());
        assert!(p("-3").is_err());
        assert!(p("+3").is_err());
        assert_eq!(person_table_id("P00000012"), Some(12));
    }

    #[test]
    fn an_attachment_name_with_a_direction_override_or_a_control_character_is_refused() {
        for name in [
            "invoice\u{202E}fdp.exe",
            "a\u{2067}b.pdf",
            "a\u{200F}.pdf",
            "a\tb.pdf",
            "a\u{0}.pdf",
            "a\u{85}.pdf",
            "\u{FEFF}a.pdf",
        ] {
            let e = parse_attachment(2, name, "", b"%PDF".to_vec()).unwrap_err();
            assert_eq!(e.0[0].code, "attachment.name_chars", "{name:?}");
            assert!(!e.0[0].message.contains(name), "{name:?}");
        }
        assert!(parse_attachment(0, "租赁合同 (2024).pdf", "", b"%PDF".to_vec()).is_ok());
    }

    #[test]
    fn an_attachment_keeps_only_its_base_name_and_a_known_type() {
        let a = parse_attachment(0, "C:\\材料\\租赁合同.pdf", "", b"%PDF".to_vec()).unwrap();
        assert_eq!(a.file_name, "租赁合同.pdf");
        assert_eq!(a.content_type, "application/pdf");
        let e = parse_attachment(1, "x.exe", "application/octet-stream", vec![1]).unwrap_err();
        assert_eq!(e.0[0].code, "attachment.type");
        assert_eq!(e.0[0].field, "attachments[1]");
        let big = vec![0u8; MAX_ATTACHMENT_BYTES + 1];
        let e = parse_attachment(0, "a.pdf", "application/pdf", big).unwrap_err();
        assert_eq!(e.0[0].code, "attachment.too_large");
    }
}
