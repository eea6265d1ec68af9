//! R1 降低注册资金 (三(一)1): the minimum registered capital — a validation
//! rule, not a payment.

use crate::money::Fen;
use crate::orgs::OrgKind;
use crate::policy::params::{Policy, PolicyParams};
use chrono::NaiveDate;

/// The minimums of R1 in one policy version (part of [`PolicyParams`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapitalParams {
    pub community: Fen,
    pub community_fresh_graduate: Fen,
    pub social_group: Fen,
    pub private_non_enterprise: Fen,
    pub foundation: Fen,
}

/// R1 as fixed by `yangpu-2021`.
pub fn yangpu_2021() -> CapitalParams {
    PolicyParams::yangpu_2021().capital
}

/// The outcome of R1 for one registration, with its reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapitalCheck {
    pub version: &'static str,
    pub clause: &'static str,
    pub minimum: Fen,
    pub ok: bool,
    /// Which row of the table applied, in Chinese.
    pub reason: &'static str,
}

/// The applicable minimum and its reason under `p`.
pub fn minimum(
    p: &CapitalParams,
    kind: OrgKind,
    community: bool,
    fresh_graduate: bool,
) -> (Fen, &'static str) {
    // 三(一)1 + clarification: the 5,000-yuan minimum is for a community
    // organisation founded by a fresh graduate; other fresh-graduate
    // organisations take their kind's general minimum.
    match (community, fresh_graduate, kind) {
        (true, true, _) => (p.community_fresh_graduate, "应届大学生举办的社区社会组织"),
        (true, false, _) => (p.community, "社区社会组织"),
        (false, _, OrgKind::SocialGroup) => (p.social_group, "社会团体一般最低标准"),
        (false, _, OrgKind::PrivateNonEnterprise) => {
            (p.private_non_enterprise, "民办非企业单位一般最低标准")
        }
        (false, _, OrgKind::Foundation) => (p.foundation, "基金会一般最低标准"),
    }
}

/// R1 under the version of `policy` in force on `date`; `None` when none is.
pub fn check_capital_under(
    policy: &Policy,
    date: NaiveDate,
    kind: OrgKind,
    community: bool,
    fresh_graduate: bool,
    capital: Fen,
) -> Option<CapitalCheck> {
    let (_, p) = policy.in_force(date)?;
    let (minimum, reason) = minimum(&p.capital, kind, community, fresh_graduate);
    Some(CapitalCheck {
        version: p.version,
        clause: "三(一)1",
        minimum,
        ok: capital >= minimum,
        reason,
    })
}

/// R1 for a district registration on `date` under the policy versions in
/// code; `None` when no version is in force on that date.
pub fn check_capital(
    date: NaiveDate,
    kind: OrgKind,
    community: bool,
    fresh_graduate: bool,
    capital: Fen,
) -> Option<CapitalCheck> {
    check_capital_under(
        &Policy::yangpu(),
        date,
        kind,
        community,
        fresh_graduate,
        capital,
    )
}
