//! Facts the bureau can trust (issue 10): the kinds of fact the registry
//! keeps, where each stored fact came from (its provenance), and the
//! declarations (申报) an organisation makes, which become facts only when a
//! sub-district or the bureau has verified them.
//!
//! Who may state which kind is the table [`crate::access::WHO_STATES`], next
//! to the capability table. Fact tables hold only verified facts, so the
//! rules, eligibility, payments, public pages and downloads read them as
//! they are; a pending declaration lives only in `declarations`.
//!
//! What it deliberately does not hold: the validation of each kind (it is
//! with its siblings in `history` and `people`), storage, or the workflow's
//! transactions (`app::facts`).

use crate::applications::Refused;
use crate::vocabulary::vocabulary;

vocabulary! {
    /// Every kind of fact the registry keeps; the code is the kind's name in
    /// URLs, import files and the `declarations` table.
    FactKind, "事实类型" {
        Registration => "registration", "登记事项";
        Contact => "contact", "联系方式与住所";
        Inspection => "inspections", "年检";
        Rating => "ratings", "等级评估";
        Honour => "honours", "荣誉";
        CreditEntry => "credit-entries", "异常名录与信用记录";
        PartyBuilding => "party-building", "党建";
        Finance => "finances", "年度财务";
        Lease => "leases", "办公场所租赁";
        StartupApplication => "startup-applications", "开办补贴申请";
        VentureProject => "venture-projects", "公益创投项目";
        CompetitionWin => "competition-wins", "创业大赛获奖";
        SupervisorReview => "supervisor-reviews", "督导评审";
        SeniorAward => "senior-award-decisions", "高级社工奖励评审";
        Review => "reviews", "年度考核与培训";
        Qualification => "qualifications", "社工资格";
        Employment => "employments", "任职";
    }
}

/// Whose record a fact is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Organisation,
    Person,
}

impl FactKind {
    pub fn owner(self) -> Owner {
        match self {
            FactKind::SupervisorReview
            | FactKind::SeniorAward
            | FactKind::Review
            | FactKind::Qualification
            | FactKind::Employment => Owner::Person,
            _ => Owner::Organisation,
        }
    }

    /// The table a fact of this kind is a row of, carrying its provenance;
    /// `None` for the organisation's own columns (registration, contact).
    pub fn table(self) -> Option<&'static str> {
        Some(match self {
            FactKind::Registration | FactKind::Contact => return None,
            FactKind::Inspection => "inspections",
            FactKind::Rating => "ratings",
            FactKind::Honour => "honours",
            FactKind::CreditEntry => "credit_entries",
            FactKind::PartyBuilding => "party_building",
            FactKind::Finance => "finances",
            FactKind::Lease => "leases",
            FactKind::StartupApplication => "startup_applications",
            FactKind::VentureProject => "venture_projects",
            FactKind::CompetitionWin => "competition_wins",
            FactKind::SupervisorReview => "supervisor_reviews",
            FactKind::SeniorAward => "senior_award_decisions",
            FactKind::Review => "annual_reviews",
            FactKind::Qualification => "qualifications",
            FactKind::Employment => "employments",
        })
    }

    /// The kinds kept as rows of their own (every kind but the
    /// organisation's registration and contact columns).
    pub fn records() -> impl Iterator<Item = FactKind> {
        FactKind::ALL
            .iter()
            .copied()
            .filter(|k| k.table().is_some())
    }
}

vocabulary! {
    /// Where a stored fact came from.
    FactSource, "来源" {
        Declaration => "declaration", "组织申报,已核实";
        Record => "record", "主管机关记录";
        Import => "import", "批量导入";
        Migration => "migration", "系统升级前录入";
    }
}

vocabulary! {
    /// A declaration waits for verification, then is a fact or is returned.
    DeclarationStatus, "申报状态" {
        Pending => "PENDING", "待核实";
        Verified => "VERIFIED", "已核实";
        Returned => "RETURNED", "已退回";
    }
}

/// Four eyes (issue 10, 五): the account that declared an item does not
/// verify or return it, whatever its role.
pub fn may_decide(stated_by: &str, decider: &str) -> Result<(), Refused> {
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if squeeze(stated_by) == squeeze(decider) {
        return Err(Refused {
            code: "declaration.own",
            field: "declaration",
            message: "不能核实或退回本人提交的申报,请由另一位工作人员办理".into(),
        });
    }
    Ok(())
}

/// A return needs its reason, for the organisation to mend the declaration.
pub fn return_reason(reason: &str) -> Result<String, crate::Invalid> {
    crate::text::bounded(
        "reason",
        "退回理由",
        reason,
        crate::text::limits::REASON,
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_code() {
        for k in FactKind::ALL {
            assert_eq!(FactKind::parse("kind", k.code()), Ok(*k));
        }
        assert!(FactKind::parse("kind", "salaries").is_err());
    }

    #[test]
    fn person_kinds_live_in_person_tables() {
        for k in FactKind::records() {
            let person_table = matches!(
                k.table(),
                Some(
                    "qualifications"
                        | "employments"
                        | "annual_reviews"
                        | "supervisor_reviews"
                        | "senior_award_decisions"
                )
            );
            assert_eq!(k.owner() == Owner::Person, person_table, "{k:?}");
        }
    }

    #[test]
    fn the_declarant_cannot_decide_the_declaration() {
        assert!(may_decide("org-a", "org-a").is_err());
        assert!(may_decide("org-a", " org-a ").is_err());
        assert!(may_decide("org-a", "officer-1").is_ok());
        assert!(return_reason("  ").is_err());
    }
}
