//! R1 降低注册资金 (三(一)1): the minimum registered capital — a validation
//! rule, not a payment.

use crate::money::Fen;
use crate::organization::OrgKind;
use chrono::NaiveDate;

/// The parameters of R1 in one policy version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapitalParams {
    pub version: &'static str,
    /// First and last day on which registrations are checked under this version.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub community: Fen,
    pub community_fresh_graduate: Fen,
    pub social_group: Fen,
    pub private_non_enterprise: Fen,
    pub foundation: Fen,
}

/// R1 as fixed by `yangpu-2021`.
pub fn yangpu_2021() -> CapitalParams {
    CapitalParams {
        version: "yangpu-2021",
        from: NaiveDate::from_ymd_opt(2021, 7, 21).unwrap_or_default(),
        to: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default(),
        community: Fen::yuan(30_000),
        community_fresh_graduate: Fen::yuan(5_000),
        social_group: Fen::yuan(30_000),
        private_non_enterprise: Fen::yuan(100_000),
        foundation: Fen::yuan(2_000_000),
    }
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

/// R1 for a district registration on `date`; `None` when no version is in
/// force on that date.
pub fn check_capital(
    date: NaiveDate,
    kind: OrgKind,
    community: bool,
    fresh_graduate: bool,
    capital: Fen,
) -> Option<CapitalCheck> {
    let p = yangpu_2021();
    if date < p.from || date > p.to {
        return None;
    }
    let (minimum, reason) = minimum(&p, kind, community, fresh_graduate);
    Some(CapitalCheck {
        version: p.version,
        clause: "三(一)1",
        minimum,
        ok: capital >= minimum,
        reason,
    })
}
