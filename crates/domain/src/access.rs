//! Who may do what: the roles of 四(二) (bureau, sub-district, organisation,
//! expert reviewer, finance) and the three administrators of the graded
//! protection scheme, each with the area it acts in, and the one table of
//! capabilities. Everything not granted here is denied.
//!
//! This module decides; it does not know about sessions, routes or SQL.

use crate::error::Invalid;
use crate::facts::FactKind;
use crate::vocabulary::vocabulary;

vocabulary! {
    /// The role an account holds. One account holds exactly one role, so no
    /// account can be two of the three administrators (三员分立).
    Role, "角色" {
        Bureau => "bureau", "区民政局";
        Subdistrict => "subdistrict", "街道";
        Organisation => "organisation", "社会组织";
        Reviewer => "reviewer", "评审专家";
        Finance => "finance", "财务";
        SystemAdmin => "system-admin", "系统管理员";
        SecurityAdmin => "security-admin", "安全管理员";
        AuditAdmin => "audit-admin", "审计管理员";
    }
}

impl Role {
    /// The three administrators: shorter idle timeout, second factor at level 3.
    pub fn is_admin(self) -> bool {
        matches!(
            self,
            Role::SystemAdmin | Role::SecurityAdmin | Role::AuditAdmin
        )
    }

    /// Whether the role acts in one area, so an account of it names one.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Subdistrict => ScopeKind::Subdistrict,
            Role::Organisation => ScopeKind::Organisation,
            _ => ScopeKind::District,
        }
    }

    /// The role in the application workflow, for roles that take its steps.
    pub fn workflow_role(self) -> Option<crate::applications::Role> {
        use crate::applications::Role as W;
        match self {
            Role::Bureau => Some(W::Bureau),
            Role::Subdistrict => Some(W::Subdistrict),
            Role::Organisation => Some(W::Organisation),
            Role::Finance => Some(W::Finance),
            _ => None,
        }
    }
}

/// What kind of area a role is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    District,
    Subdistrict,
    Organisation,
}

/// The area a caller acts in. List queries take one and never return rows
/// outside it; a single record outside it is "not found".
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The whole district.
    District,
    /// One sub-district (街道), by its code.
    Subdistrict(String),
    /// One organisation, by its table id.
    Organisation(i64),
    /// No area at all: callers without a session.
    Nothing,
}

impl Scope {
    /// Whether an organisation in `subdistrict` with `org_id` lies inside.
    pub fn covers_org(&self, org_id: i64, subdistrict: &str) -> bool {
        match self {
            Scope::District => true,
            Scope::Subdistrict(s) => s == subdistrict,
            Scope::Organisation(id) => *id == org_id,
            Scope::Nothing => false,
        }
    }
}

/// One thing a caller may do. Routes, use cases and pages name these, never roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// The start page with counts of the caller's area.
    Dashboard,
    /// Organisations, their history and timeline (scoped).
    ReadRegistry,
    /// Register a new organisation.
    RegisterOrg,
    /// Edit an organisation and add history records (scoped).
    EditRegistry,
    /// Social-work talent: people and their records (scoped by employment).
    ReadPeople,
    EditPeople,
    /// See one full resident ID or phone, with a reason; audited.
    RevealPersonal,
    /// Resolve claims to register people already registered elsewhere.
    ResolveClaims,
    /// The policy parameters in force and an organisation's eligibility.
    ReadPolicy,
    /// Run a what-if simulation of the policy.
    SimulatePolicy,
    /// Applications: read (scoped), submit, take workflow steps.
    ReadApplications,
    SubmitApplication,
    ActOnApplication,
    /// Budgets and the payment ledger.
    ReadFinance,
    SetBudget,
    /// Accounts: create, disable, reset passwords (system administrator).
    ManageAccounts,
    /// Roles, scopes, unlocking and the security policy (security administrator).
    ManageSecurity,
    /// Search and export the audit trail (audit administrator).
    ReadAudit,
    /// One's own account: change password, set up the second factor, log out.
    OwnAccount,
    /// Annual reports (年报): read (scoped), file one's own, review an area's
    /// (sub-district; the bureau returns what it cannot conclude), conclude
    /// the inspection (bureau) and follow filing progress.
    ReadAnnualReports,
    FileAnnualReport,
    ReviewAnnualReport,
    ConcludeAnnualReport,
    /// The guidance catalogue (引导目录): read it, and (bureau) edit its
    /// items and yearly quotas.
    ReadCatalogue,
    EditCatalogue,
    /// Calls for purchased services (政府购买服务): read them; create,
    /// publish, open, award (the purchaser: bureau or sub-district); draw
    /// the expert panel (bureau); bid (organisation); review (expert).
    ReadCalls,
    ManageCalls,
    DrawPanel,
    SubmitBid,
    ReviewBids,
}

impl Capability {
    pub const ALL: [Capability; 30] = [
        Capability::Dashboard,
        Capability::ReadRegistry,
        Capability::RegisterOrg,
        Capability::EditRegistry,
        Capability::ReadPeople,
        Capability::EditPeople,
        Capability::RevealPersonal,
        Capability::ResolveClaims,
        Capability::ReadPolicy,
        Capability::SimulatePolicy,
        Capability::ReadApplications,
        Capability::SubmitApplication,
        Capability::ActOnApplication,
        Capability::ReadFinance,
        Capability::SetBudget,
        Capability::ManageAccounts,
        Capability::ManageSecurity,
        Capability::ReadAudit,
        Capability::OwnAccount,
        Capability::ReadAnnualReports,
        Capability::FileAnnualReport,
        Capability::ReviewAnnualReport,
        Capability::ConcludeAnnualReport,
        Capability::ReadCatalogue,
        Capability::EditCatalogue,
        Capability::ReadCalls,
        Capability::ManageCalls,
        Capability::DrawPanel,
        Capability::SubmitBid,
        Capability::ReviewBids,
    ];

    /// As written in pages (`data-cap`) and logs.
    pub fn code(self) -> &'static str {
        match self {
            Capability::Dashboard => "dashboard",
            Capability::ReadRegistry => "read-registry",
            Capability::RegisterOrg => "register-org",
            Capability::EditRegistry => "edit-registry",
            Capability::ReadPeople => "read-people",
            Capability::EditPeople => "edit-people",
            Capability::RevealPersonal => "reveal-personal",
            Capability::ResolveClaims => "resolve-claims",
            Capability::ReadPolicy => "read-policy",
            Capability::SimulatePolicy => "simulate-policy",
            Capability::ReadApplications => "read-applications",
            Capability::SubmitApplication => "submit-application",
            Capability::ActOnApplication => "act-on-application",
            Capability::ReadFinance => "read-finance",
            Capability::SetBudget => "set-budget",
            Capability::ManageAccounts => "manage-accounts",
            Capability::ManageSecurity => "manage-security",
            Capability::ReadAudit => "read-audit",
            Capability::OwnAccount => "own-account",
            Capability::ReadAnnualReports => "read-annual-reports",
            Capability::FileAnnualReport => "file-annual-report",
            Capability::ReviewAnnualReport => "review-annual-report",
            Capability::ConcludeAnnualReport => "conclude-annual-report",
            Capability::ReadCatalogue => "read-catalogue",
            Capability::EditCatalogue => "edit-catalogue",
            Capability::ReadCalls => "read-calls",
            Capability::ManageCalls => "manage-calls",
            Capability::DrawPanel => "draw-panel",
            Capability::SubmitBid => "submit-bid",
            Capability::ReviewBids => "review-bids",
        }
    }

    pub fn from_code(code: &str) -> Option<Capability> {
        Capability::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// The capability table: the only place that says which role may do what.
/// 四(二): the bureau registers, supports and supervises; sub-districts act for
/// the community organisations of their area; organisations run their own
/// affairs; experts review; finance pays. Administrators touch no business data.
pub fn grants(role: Role, cap: Capability) -> bool {
    use Capability as C;
    use Role as R;
    match cap {
        C::OwnAccount => true,
        C::Dashboard | C::ReadRegistry => {
            matches!(role, R::Bureau | R::Subdistrict | R::Organisation)
        }
        C::RegisterOrg | C::RevealPersonal | C::ResolveClaims | C::SimulatePolicy => {
            role == R::Bureau
        }
        C::EditRegistry | C::ReadPeople | C::EditPeople => {
            matches!(role, R::Bureau | R::Subdistrict | R::Organisation)
        }
        C::ReadPolicy => matches!(
            role,
            R::Bureau | R::Subdistrict | R::Organisation | R::Finance | R::Reviewer
        ),
        C::ReadApplications => matches!(
            role,
            R::Bureau | R::Subdistrict | R::Organisation | R::Finance | R::Reviewer
        ),
        C::SubmitApplication => matches!(role, R::Bureau | R::Organisation),
        C::ActOnApplication => matches!(
            role,
            R::Bureau | R::Subdistrict | R::Organisation | R::Finance
        ),
        C::ReadFinance | C::SetBudget => matches!(role, R::Bureau | R::Finance),
        C::ManageAccounts => role == R::SystemAdmin,
        C::ManageSecurity => role == R::SecurityAdmin,
        C::ReadAudit => role == R::AuditAdmin,
        C::ReadAnnualReports => matches!(role, R::Bureau | R::Subdistrict | R::Organisation),
        C::FileAnnualReport => role == R::Organisation,
        C::ReviewAnnualReport => matches!(role, R::Bureau | R::Subdistrict),
        C::ConcludeAnnualReport => role == R::Bureau,
        C::ReadCatalogue | C::ReadCalls => matches!(
            role,
            R::Bureau | R::Subdistrict | R::Organisation | R::Reviewer
        ),
        C::EditCatalogue | C::DrawPanel => role == R::Bureau,
        C::ManageCalls => matches!(role, R::Bureau | R::Subdistrict),
        C::SubmitBid => role == R::Organisation,
        C::ReviewBids => role == R::Reviewer,
    }
}

/// How a role states a fact of one kind ([`WHO_STATES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stating {
    /// Writes the fact itself, verified as written (主管机关记录).
    Records,
    /// Writes a declaration (申报, 待核实) that becomes a fact only when a
    /// verifier of [`who_verifies`] has verified it.
    Declares,
    /// Applies the change at once, audited (contact details and address).
    Applies,
    /// States nothing of this kind.
    No,
}

impl Stating {
    /// Whether a write of this role is accepted at all.
    pub fn states(self) -> bool {
        self != Stating::No
    }
}

/// One row of [`WHO_STATES`]: how each role that states facts states this
/// kind, and who verifies a declaration of it. Reviewers, finance and the
/// administrators state no fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactRule {
    pub kind: FactKind,
    pub bureau: Stating,
    /// Inside its own sub-district only.
    pub subdistrict: Stating,
    /// About itself and its own people only.
    pub organisation: Stating,
    pub verifiers: &'static [Role],
}

const fn rule(
    kind: FactKind,
    bureau: Stating,
    subdistrict: Stating,
    organisation: Stating,
    verifiers: &'static [Role],
) -> FactRule {
    FactRule {
        kind,
        bureau,
        subdistrict,
        organisation,
        verifiers,
    }
}

/// Declarations are verified by the organisation's sub-district or the bureau.
const LOCAL: &[Role] = &[Role::Bureau, Role::Subdistrict];
const NOBODY: &[Role] = &[];

/// Who states which fact (issue 10; 四(二): the bureau registers, supports
/// and supervises; the sub-district is the competent department of the
/// community organisations of its area, guides their party building and
/// hosts their offices in its incubators, so it checks leases on site;
/// organisations run their own affairs and declare them):
///
/// | fact | 区民政局 | 街道(本街道) | 社会组织(本组织) | 核实 |
/// |---|---|---|---|---|
/// | 登记事项 (name, credit code, kind, sub-district, dates, capital, status) | records | — | — | — |
/// | 联系方式与住所 | records | records | applies, audited | — |
/// | 年检, 等级评估, 荣誉, 异常名录与信用记录 | records | — | — | — |
/// | 党建 | records | records | declares | 街道 or 区民政局 |
/// | 办公场所租赁 (R3) | records | records | declares | 街道 or 区民政局 |
/// | 年度财务, 开办补贴申请 (R2), 公益创投项目 (R6) | records | — | declares | 街道 or 区民政局 |
/// | 创业大赛获奖 (R7), 督导评审 (R10), 高级社工奖励评审 (R11) | records | — | — | — |
/// | 社工资格, 任职, 年度考核与培训 (of its people) | records | — | declares | 街道 or 区民政局 |
///
/// The bureau rates performance where it is the rater; an employer
/// declares the rating it gave its staff. Reviewers, finance and the three
/// administrators state nothing.
pub const WHO_STATES: &[FactRule] = {
    use FactKind as K;
    use Stating::{Applies, Declares, No, Records};
    &[
        rule(K::Registration, Records, No, No, NOBODY),
        rule(K::Contact, Records, Records, Applies, NOBODY),
        rule(K::Inspection, Records, No, No, NOBODY),
        rule(K::Rating, Records, No, No, NOBODY),
        rule(K::Honour, Records, No, No, NOBODY),
        rule(K::CreditEntry, Records, No, No, NOBODY),
        rule(K::PartyBuilding, Records, Records, Declares, LOCAL),
        rule(K::Finance, Records, No, Declares, LOCAL),
        rule(K::Lease, Records, Records, Declares, LOCAL),
        rule(K::StartupApplication, Records, No, Declares, LOCAL),
        rule(K::VentureProject, Records, No, Declares, LOCAL),
        rule(K::CompetitionWin, Records, No, No, NOBODY),
        rule(K::SupervisorReview, Records, No, No, NOBODY),
        rule(K::SeniorAward, Records, No, No, NOBODY),
        rule(K::Review, Records, No, Declares, LOCAL),
        rule(K::Qualification, Records, No, Declares, LOCAL),
        rule(K::Employment, Records, No, Declares, LOCAL),
    ]
};

fn fact_rule(kind: FactKind) -> Option<&'static FactRule> {
    WHO_STATES.iter().find(|r| r.kind == kind)
}

/// How `role` states a fact of `kind` (inside its own area).
pub fn who_states(kind: FactKind, role: Role) -> Stating {
    let Some(r) = fact_rule(kind) else {
        return Stating::No;
    };
    match role {
        Role::Bureau => r.bureau,
        Role::Subdistrict => r.subdistrict,
        Role::Organisation => r.organisation,
        _ => Stating::No,
    }
}

/// The roles that verify (or return) a declaration of `kind`, inside their area.
pub fn who_verifies(kind: FactKind) -> &'static [Role] {
    fact_rule(kind).map_or(NOBODY, |r| r.verifiers)
}

/// Whether `role` verifies declarations of any kind (the queue page).
pub fn verifies_any(role: Role) -> bool {
    WHO_STATES.iter().any(|r| r.verifiers.contains(&role))
}

/// A signed-in caller: who, as what, where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub account_id: i64,
    pub name: String,
    pub role: Role,
    pub scope: Scope,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied {
    pub capability: Capability,
}

impl Principal {
    /// The caller's scope if the role grants `cap`.
    pub fn may(&self, cap: Capability) -> Result<&Scope, Denied> {
        if grants(self.role, cap) {
            Ok(&self.scope)
        } else {
            Err(Denied { capability: cap })
        }
    }

    /// The actor of the application workflow this caller is, if any.
    pub fn workflow_actor(&self) -> Option<crate::applications::Actor> {
        self.role
            .workflow_role()
            .map(|role| crate::applications::Actor {
                name: self.name.clone(),
                role,
            })
    }
}

/// Checks that a role's scope is consistent: a sub-district officer names a
/// sub-district, an organisation account an organisation, others neither.
pub fn scope_for(
    role: Role,
    subdistrict: Option<&str>,
    org_id: Option<i64>,
) -> Result<Scope, Invalid> {
    match (role.scope_kind(), subdistrict, org_id) {
        (ScopeKind::District, None, None) => Ok(Scope::District),
        (ScopeKind::Subdistrict, Some(s), None) if !s.trim().is_empty() => {
            Ok(Scope::Subdistrict(s.trim().to_string()))
        }
        (ScopeKind::Organisation, None, Some(id)) => Ok(Scope::Organisation(id)),
        (ScopeKind::Subdistrict, ..) => Err(Invalid::one(
            "subdistrict",
            "account.scope_required",
            "街道账号须指定所属街道",
        )),
        (ScopeKind::Organisation, ..) => Err(Invalid::one(
            "org",
            "account.scope_required",
            "社会组织账号须指定所属组织",
        )),
        (ScopeKind::District, ..) => Err(Invalid::one(
            "role",
            "account.scope_unexpected",
            format!("{}账号不属于某一街道或组织", role.label()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_hold_no_business_capability_and_only_their_own_duty() {
        let admin_caps = [
            (Role::SystemAdmin, Capability::ManageAccounts),
            (Role::SecurityAdmin, Capability::ManageSecurity),
            (Role::AuditAdmin, Capability::ReadAudit),
        ];
        for (role, own) in admin_caps {
            for cap in Capability::ALL {
                let expected = cap == own || cap == Capability::OwnAccount;
                assert_eq!(grants(role, cap), expected, "{role:?} {cap:?}");
            }
        }
    }

    #[test]
    fn each_admin_duty_belongs_to_exactly_one_role() {
        for cap in [
            Capability::ManageAccounts,
            Capability::ManageSecurity,
            Capability::ReadAudit,
        ] {
            let holders: Vec<_> = Role::ALL.iter().filter(|r| grants(**r, cap)).collect();
            assert_eq!(holders.len(), 1, "{cap:?} held by {holders:?}");
        }
    }

    #[test]
    fn every_capability_code_reads_back() {
        for c in Capability::ALL {
            assert_eq!(Capability::from_code(c.code()), Some(c));
        }
        assert_eq!(Capability::from_code("root"), None);
    }

    #[test]
    fn roles_parse_from_the_cli_spelling_and_the_chinese_label() {
        assert_eq!(
            Role::parse("role", "system-admin").ok(),
            Some(Role::SystemAdmin)
        );
        assert_eq!(
            Role::parse("role", "审计管理员").ok(),
            Some(Role::AuditAdmin)
        );
        assert!(Role::parse("role", "root").is_err());
    }

    #[test]
    fn a_sub_district_scope_covers_only_its_own_organisations() {
        let s = Scope::Subdistrict("01".into());
        assert!(s.covers_org(7, "01"));
        assert!(!s.covers_org(7, "02"));
        assert!(Scope::Organisation(7).covers_org(7, "02"));
        assert!(!Scope::Organisation(7).covers_org(8, "02"));
    }

    #[test]
    fn an_account_scope_must_match_its_role() {
        assert!(scope_for(Role::Subdistrict, None, None).is_err());
        assert!(scope_for(Role::Bureau, Some("01"), None).is_err());
        assert_eq!(
            scope_for(Role::Organisation, None, Some(3)).ok(),
            Some(Scope::Organisation(3))
        );
    }

    #[test]
    fn every_fact_kind_has_exactly_one_row() {
        for k in FactKind::ALL {
            let rows = WHO_STATES.iter().filter(|r| r.kind == *k).count();
            assert_eq!(rows, 1, "{k:?}");
        }
    }

    #[test]
    fn reviewers_finance_and_administrators_state_no_fact() {
        for role in Role::ALL {
            if matches!(role, Role::Bureau | Role::Subdistrict | Role::Organisation) {
                continue;
            }
            for k in FactKind::ALL {
                assert_eq!(who_states(*k, *role), Stating::No, "{role:?} {k:?}");
            }
            assert!(!verifies_any(*role), "{role:?}");
        }
    }

    #[test]
    fn an_organisation_records_nothing_about_itself() {
        for k in FactKind::ALL {
            let s = who_states(*k, Role::Organisation);
            assert_ne!(s, Stating::Records, "{k:?}");
        }
        // The facts that pay (R4, R5) and those that bar payment are the bureau's.
        for k in [
            FactKind::Registration,
            FactKind::Inspection,
            FactKind::Rating,
            FactKind::Honour,
            FactKind::CreditEntry,
            FactKind::CompetitionWin,
            FactKind::SupervisorReview,
            FactKind::SeniorAward,
        ] {
            assert_eq!(who_states(k, Role::Organisation), Stating::No, "{k:?}");
            assert_eq!(who_states(k, Role::Subdistrict), Stating::No, "{k:?}");
            assert_eq!(who_states(k, Role::Bureau), Stating::Records, "{k:?}");
        }
    }

    #[test]
    fn what_is_declared_has_verifiers_other_than_the_declarant() {
        for r in WHO_STATES {
            let declared = [r.bureau, r.subdistrict, r.organisation].contains(&Stating::Declares);
            assert_eq!(declared, !r.verifiers.is_empty(), "{:?}", r.kind);
            if r.organisation == Stating::Declares {
                assert!(!r.verifiers.contains(&Role::Organisation), "{:?}", r.kind);
            }
            // Only organisations declare; authorities record.
            assert_ne!(r.bureau, Stating::Declares, "{:?}", r.kind);
            assert_ne!(r.subdistrict, Stating::Declares, "{:?}", r.kind);
        }
        assert_eq!(
            who_states(FactKind::Lease, Role::Organisation),
            Stating::Declares
        );
        assert_eq!(
            who_states(FactKind::Lease, Role::Subdistrict),
            Stating::Records
        );
        assert_eq!(
            who_states(FactKind::Contact, Role::Organisation),
            Stating::Applies
        );
        assert!(verifies_any(Role::Subdistrict) && verifies_any(Role::Bureau));
    }
}
