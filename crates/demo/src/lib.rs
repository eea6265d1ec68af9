//! Realistic, reproducible demo data for gongyi: social organisations of
//! Yangpu district with their history, and the social workers who work in
//! them, as the domain's *validated* types.
//!
//! Pure: no I/O, no clock, no global state. Everything is a function of a
//! [`DemoConfig`]: the same configuration gives the same data, record by
//! record. Records are generated lazily, each from its own generator seeded
//! by (seed, index), so a million organisations stream in bounded memory and
//! record `i` can also be had alone ([`organization`], [`person`]).
//!
//! What is guaranteed (and tested), beyond plausibility:
//! - every value passes the domain's own validation (`…Input::validate`,
//!   R1's minimum registered capital, no overlapping full-time employments);
//! - credit codes and resident ID numbers are unique across the whole set,
//!   by construction from the index rather than by checking;
//! - names are distinct up to about 35,000 organisations (each kind of
//!   organisation has its own finite name space); beyond that some repeat;
//! - nothing is dated before the organisation's registration, after its
//!   deregistration, or after `today`.
//!
//! What it deliberately does not do: insert anything (the `gongyi demo`
//! command does), invent reference data (sub-districts and service fields
//! are passed in), or produce invalid rows for import tests.

mod org;
mod person;
mod report;
mod rng;
mod vocab;

pub use report::{annual_reports, DemoReport, DemoReports};

use chrono::NaiveDate;
use gongyi_domain::history::{CreditEntry, Finance, Honour, Inspection, PartyBuilding, Rating};
use gongyi_domain::orgs::OrgDraft;
use gongyi_domain::people::{AnnualReview, Employment, PersonDraft, Qualification};
use gongyi_domain::Fen;
use std::sync::Arc;

/// Yangpu's twelve sub-districts (code, name), as in the reference data.
/// The application loads the editable list from its database; this copy is
/// the default of [`DemoConfig::new`] and serves the tests.
pub const YANGPU_SUBDISTRICTS: [(&str, &str); 12] = [
    ("310110001", "定海路街道"),
    ("310110006", "平凉路街道"),
    ("310110008", "江浦路街道"),
    ("310110009", "四平路街道"),
    ("310110012", "控江路街道"),
    ("310110013", "长白新村街道"),
    ("310110015", "延吉新村街道"),
    ("310110016", "殷行街道"),
    ("310110018", "大桥街道"),
    ("310110019", "五角场街道"),
    ("310110020", "新江湾城街道"),
    ("310110021", "长海路街道"),
];

/// The 14 service fields (code, name) of the civil-affairs classification,
/// with the codes the store seeds; the default of [`DemoConfig::new`].
pub const SERVICE_FIELDS: [(&str, &str); 14] = [
    ("BUSINESS", "工商业服务"),
    ("AGRICULTURE", "农业及农村发展"),
    ("SCIENCE", "科技与研究"),
    ("EDUCATION", "教育"),
    ("HEALTH", "卫生"),
    ("CULTURE", "文化"),
    ("SPORTS", "体育"),
    ("ECOLOGY", "生态环境"),
    ("SOCIAL_SERVICE", "社会服务"),
    ("LAW", "法律"),
    ("RELIGION", "宗教"),
    ("PROFESSIONAL", "职业及从业者组织"),
    ("INTERNATIONAL", "国际及其他涉外组织"),
    ("OTHER", "其他"),
];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Number of organisations.
    pub orgs: usize,
    /// Number of social workers; [`DemoConfig::new`] sets about 1.55 per
    /// organisation (≈ 1,400 social workers for ≈ 900 organisations).
    pub people: usize,
    pub seed: u64,
    /// Nothing is dated after this day; "the last complete year" is the
    /// year before it. Meant to be a recent date: people are 21–65 years
    /// old and resident IDs refuse births before 1900, so a day before 1966
    /// makes generating people panic.
    pub today: NaiveDate,
    /// Sub-districts as (code, name) from the reference data. Names are used
    /// inside organisation names; known Yangpu codes also choose real roads.
    /// Empty means [`YANGPU_SUBDISTRICTS`].
    pub subdistricts: Vec<(String, String)>,
    /// Service fields as (code, name) from the reference data; drafts carry
    /// the codes. Names of the 14 standard classes get realistic weights.
    /// Empty means organisations get no service field.
    pub service_fields: Vec<(String, String)>,
}

impl DemoConfig {
    /// `orgs` organisations and their usual share of social workers, in
    /// Yangpu's sub-districts and the 14 standard service fields.
    pub fn new(orgs: usize, seed: u64, today: NaiveDate) -> DemoConfig {
        DemoConfig {
            orgs,
            people: DemoConfig::usual_people(orgs),
            seed,
            today,
            subdistricts: YANGPU_SUBDISTRICTS
                .iter()
                .map(|(c, n)| (c.to_string(), n.to_string()))
                .collect(),
            service_fields: SERVICE_FIELDS
                .iter()
                .map(|(c, n)| (c.to_string(), n.to_string()))
                .collect(),
        }
    }

    /// About 1.55 social workers per organisation, from the district's
    /// figures (≈ 1,400 social workers, ≈ 900 organisations).
    pub fn usual_people(orgs: usize) -> usize {
        orgs.saturating_mul(31) / 20
    }
}

/// One organisation with its history, oldest record first in each list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoOrg {
    /// Its position in `0..orgs`; employments refer to it.
    pub index: usize,
    pub draft: OrgDraft,
    /// The day it was deregistered or its registration revoked, for
    /// statuses 注销 and 撤销登记; nothing else is dated on or after it
    /// except the revocation's own penalty entry.
    pub ended_on: Option<NaiveDate>,
    pub inspections: Vec<Inspection>,
    pub ratings: Vec<Rating>,
    pub honours: Vec<Honour>,
    pub credit_entries: Vec<CreditEntry>,
    pub party_building: Vec<PartyBuilding>,
    pub finances: Vec<Finance>,
    /// Office rent paid per month, `(year, month 1–12, rent)`, for young
    /// organisations that hold a lease (R3 reads them).
    pub leases: Vec<(i32, u32, Fen)>,
}

/// One social worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoPerson {
    pub index: usize,
    pub draft: PersonDraft,
    pub qualifications: Vec<Qualification>,
    /// `(organisation index in 0..orgs, employment)`, in start order; at most
    /// one full-time employment at a time.
    pub employments: Vec<(usize, Employment)>,
    /// One per year in which the person worked, up to the last complete year.
    pub reviews: Vec<AnnualReview>,
}

/// The organisations of `cfg`, generated lazily in index order.
pub fn organizations(cfg: &DemoConfig) -> Organizations {
    Organizations {
        ctx: Arc::new(org::Ctx::new(cfg)),
        next: 0,
        end: cfg.orgs,
    }
}

/// The social workers of `cfg`, generated lazily in index order.
pub fn people(cfg: &DemoConfig) -> People {
    People {
        ctx: Arc::new(org::Ctx::new(cfg)),
        next: 0,
        end: cfg.people,
    }
}

/// Organisation `index` alone; equal to the `index`-th item of
/// [`organizations`]. Builds the shared tables each time: for many records,
/// iterate instead.
pub fn organization(cfg: &DemoConfig, index: usize) -> Option<DemoOrg> {
    (index < cfg.orgs).then(|| org::organization(&org::Ctx::new(cfg), index))
}

/// Person `index` alone; equal to the `index`-th item of [`people`].
pub fn person(cfg: &DemoConfig, index: usize) -> Option<DemoPerson> {
    (index < cfg.people).then(|| person::person(&org::Ctx::new(cfg), index))
}

/// Iterator over organisations; cheap to split by index range with
/// [`Organizations::range`] for parallel generation.
#[derive(Clone)]
pub struct Organizations {
    ctx: Arc<org::Ctx>,
    next: usize,
    end: usize,
}

impl Organizations {
    /// Only the organisations with index in `range` (clamped to `0..orgs`).
    pub fn range(mut self, range: std::ops::Range<usize>) -> Organizations {
        self.end = range.end.min(self.end);
        self.next = range.start.min(self.end);
        self
    }
}

impl Iterator for Organizations {
    type Item = DemoOrg;

    fn next(&mut self) -> Option<DemoOrg> {
        if self.next >= self.end {
            return None;
        }
        let i = self.next;
        self.next += 1;
        Some(org::organization(&self.ctx, i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<DemoOrg> {
        self.next = self.next.saturating_add(n).min(self.end);
        self.next()
    }
}

impl ExactSizeIterator for Organizations {}

/// Iterator over social workers; see [`Organizations`].
#[derive(Clone)]
pub struct People {
    ctx: Arc<org::Ctx>,
    next: usize,
    end: usize,
}

impl People {
    /// Only the people with index in `range` (clamped to `0..people`).
    pub fn range(mut self, range: std::ops::Range<usize>) -> People {
        self.end = range.end.min(self.end);
        self.next = range.start.min(self.end);
        self
    }
}

impl Iterator for People {
    type Item = DemoPerson;

    fn next(&mut self) -> Option<DemoPerson> {
        if self.next >= self.end {
            return None;
        }
        let i = self.next;
        self.next += 1;
        Some(person::person(&self.ctx, i))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.end - self.next;
        (n, Some(n))
    }

    fn nth(&mut self, n: usize) -> Option<DemoPerson> {
        self.next = self.next.saturating_add(n).min(self.end);
        self.next()
    }
}

impl ExactSizeIterator for People {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 15).expect("date")
    }

    #[test]
    fn credit_codes_stay_unique_across_the_millionth_organisation() {
        let ctx = org::Ctx::new(&DemoConfig::new(1_100_000, 3, today()));
        let mut seen = HashSet::new();
        for i in (0..20_000)
            .chain(990_000..1_010_000)
            .chain(1_080_000..1_100_000)
        {
            let c = ctx.credit_code(i, gongyi_domain::orgs::OrgKind::SocialGroup);
            assert!(seen.insert(c.as_str()[8..16].to_string()), "{c} repeats");
        }
        let first = ctx.credit_code(0, gongyi_domain::orgs::OrgKind::Foundation);
        assert!(first.as_str().starts_with("53310110MJ"), "{first}");
        let later = ctx.credit_code(1_000_000, gongyi_domain::orgs::OrgKind::Foundation);
        assert!(later.as_str().starts_with("53310110MK"), "{later}");
    }

    #[test]
    fn birth_dates_and_ranks_never_repeat_for_a_million_and_a_half_people() {
        let mut cfg = DemoConfig::new(1_000_000, 5, today());
        cfg.people = 1_550_000;
        let plan = person::BirthPlan::new(&cfg);
        let mut seen = HashSet::with_capacity(cfg.people);
        let mut most = 0;
        for i in 0..cfg.people {
            let (birth, rank) = plan.locate(i);
            most = most.max(rank);
            assert!(seen.insert((birth, rank)), "person {i}: {birth} {rank}");
        }
        // Well below 499 a day: every number uses the weighted address codes.
        assert!(most < 400, "{most} people share a birth date");
    }
}
