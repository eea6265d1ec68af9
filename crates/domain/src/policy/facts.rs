//! The registry's facts as the rules read them: organisations and people with
//! their dated events, held in memory and indexed for fast evaluation.
//!
//! Organisations and people get dense indices ([`OrgIx`], [`PersonIx`]) in
//! the string order of their ids, so iterating by index is iterating in the
//! contract's output order. Events are grouped by owner in flat arrays and
//! sorted by date (then by the order they were added, which is the file's row
//! order). This module parses nothing: the importer hands it typed records.

use crate::history::{HonourLevel, InspectionResult, RatingLevel};
use crate::money::Fen;
use crate::orgs::OrgKind;
use crate::people::{PerformanceRating, QualificationLevel};
use crate::policy::YearMonth;
use crate::vocabulary::vocabulary;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

/// FxHash-style mixing with a murmur3 finaliser: several times faster than
/// SipHash on short ids, and the finaliser spreads ids that differ only in
/// their last digit over the table's low bits. Ids come from the registry's
/// own files, so hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }

    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

type IdMap = HashMap<Box<str>, u32, BuildHasherDefault<FxHasher>>;

vocabulary! {
    /// The level of a start-up competition (创业大赛).
    CompetitionLevel, "大赛级别" {
        National => "NATIONAL", "国家级";
        Municipal => "MUNICIPAL", "市级";
        District => "DISTRICT", "区级";
    }
}

impl CompetitionLevel {
    /// Higher is more important; R7 pays from a minimum level up.
    pub fn rank(self) -> u8 {
        match self {
            CompetitionLevel::National => 3,
            CompetitionLevel::Municipal => 2,
            CompetitionLevel::District => 1,
        }
    }
}

/// An organisation's position in [`Facts`] (id order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgIx(pub u32);

/// A person's position in [`Facts`] (id order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PersonIx(pub u32);

/// A social organisation's registration facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Org {
    pub kind: OrgKind,
    pub community: bool,
    pub fresh_graduate: bool,
    /// The registration authority is the district bureau.
    pub in_district: bool,
    pub registration_date: NaiveDate,
    pub deregistration_date: Option<NaiveDate>,
    pub registered_capital: Fen,
}

/// Why an organisation is not a district organisation on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotDistrict {
    /// Registered by another authority (the municipal bureau).
    OtherAuthority,
    NotYetRegistered {
        registered: NaiveDate,
    },
    /// Deregistered on or before the date (on that day it is no longer one).
    Deregistered {
        on: NaiveDate,
    },
}

impl Org {
    /// District organisation on `d`: registered by the district, on or
    /// before `d`, and `d` before its deregistration date.
    pub fn district_on(&self, d: NaiveDate) -> Result<(), NotDistrict> {
        if !self.in_district {
            return Err(NotDistrict::OtherAuthority);
        }
        if d < self.registration_date {
            return Err(NotDistrict::NotYetRegistered {
                registered: self.registration_date,
            });
        }
        match self.deregistration_date {
            Some(x) if x <= d => Err(NotDistrict::Deregistered { on: x }),
            _ => Ok(()),
        }
    }

    pub fn is_district_on(&self, d: NaiveDate) -> bool {
        self.in_district
            && self.registration_date <= d
            && self.deregistration_date.is_none_or(|x| d < x)
    }

    /// The first day on which the organisation is `years` old; it is "less
    /// than `years` old" on every earlier day (29 Feb reaches it on 28 Feb).
    pub fn comes_of_age(&self, years: u32) -> NaiveDate {
        crate::dates::add_years(
            self.registration_date,
            i32::try_from(years).unwrap_or(i32::MAX / 2),
        )
    }
}

/// A social-work qualification and the day it was awarded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Qualification {
    pub level: QualificationLevel,
    pub date: NaiveDate,
}

/// The rank of a level: the qualification held on a day is the highest
/// level among those awarded by then ("Qualification history", subsidies.md).
pub fn qualification_rank(l: QualificationLevel) -> u8 {
    match l {
        QualificationLevel::Assistant => 1,
        QualificationLevel::Intermediate => 2,
        QualificationLevel::Senior => 3,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Person {
    /// The highest qualification, as `people.csv` states it. The rules read
    /// the history ([`Facts::qualifications`]): when the builder was given
    /// none for the person, the history is this one qualification; after
    /// [`FactsBuilder::build`] it is always the highest of the history.
    pub qualification: Option<Qualification>,
    pub social_work_start: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inspection {
    pub year: i32,
    pub result: InspectionResult,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub level: RatingLevel,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Honour {
    /// Index into [`Facts::honour_title`].
    pub title: u32,
    pub level: HonourLevel,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lease {
    pub month: YearMonth,
    pub rent_paid: Fen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartupApplication {
    pub date: NaiveDate,
    pub requested: Fen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VentureProject {
    /// Index into [`Facts::venture_project_id`].
    pub project: u32,
    pub amount: Fen,
    pub selected_date: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompetitionWin {
    pub org: OrgIx,
    /// Index into [`Facts::competition_project_id`].
    pub project: u32,
    pub level: CompetitionLevel,
    /// 1 = 一等奖; `None` for an unranked prize such as 优秀奖.
    pub place: Option<u32>,
    pub amount: Fen,
    pub serves_district: bool,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Employment {
    pub org: OrgIx,
    pub start_date: NaiveDate,
    /// The last working day, inclusive.
    pub end_date: Option<NaiveDate>,
    pub labour_contract: bool,
    pub full_time: bool,
}

impl Employment {
    pub fn active_on(&self, d: NaiveDate) -> bool {
        self.start_date <= d && self.end_date.is_none_or(|e| d <= e)
    }
}

/// A labour-contract employment at a district organisation, clipped to the
/// days on which the employer is one (`from..=to`). R9 and R11 ask only
/// whether a day falls in such a spell, so the spells are derived once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractSpell {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub org: OrgIx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Performance {
    pub year: i32,
    pub rating: PerformanceRating,
}

/// A review score in tenths of a point ("97.5" is 975), so that ranking
/// never touches floating point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Score(pub u32);

impl Score {
    /// A decimal with at most one fractional digit.
    pub fn parse(field: &str, text: &str) -> Result<Score, crate::Invalid> {
        let s = text.trim();
        let bad = || {
            crate::Invalid::one(
                field,
                "score.format",
                format!("分数“{s}”格式不正确(最多一位小数,如 97.5)"),
            )
        };
        let (int, frac) = match s.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (s, None),
        };
        let digits = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| f.len() != 1 || !digits(f)) {
            return Err(bad());
        }
        let i: u32 = int.parse().map_err(|_| bad())?;
        let f: u32 = match frac {
            Some(f) => f.parse().map_err(|_| bad())?,
            None => 0,
        };
        i.checked_mul(10)
            .and_then(|v| v.checked_add(f))
            .map(Score)
            .ok_or_else(bad)
    }
}

impl std::fmt::Display for Score {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisorReview {
    pub person: PersonIx,
    pub year: i32,
    pub score: Score,
    pub hours: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeniorAwardDecision {
    pub date: NaiveDate,
    pub innovative_contribution: bool,
}

/// Strings packed into one buffer; fewer allocations for millions of ids.
#[derive(Debug, Clone, Default)]
struct Strings {
    text: String,
    ends: Vec<u32>,
}

impl Strings {
    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends
            .push(u32::try_from(self.text.len()).unwrap_or(u32::MAX));
    }

    fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0) as usize
        };
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        self.text.get(start..end).unwrap_or("")
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    /// Binary search; valid when pushed in sorted order.
    fn find(&self, s: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0u32, self.ends.len() as u32);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.get(mid).cmp(s) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// Items grouped by owner: the items of owner `i` are
/// `items[starts[i]..starts[i + 1]]`.
#[derive(Debug, Clone)]
struct Grouped<T> {
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T> Default for Grouped<T> {
    fn default() -> Self {
        Grouped {
            starts: vec![0],
            items: Vec::new(),
        }
    }
}

impl<T> Grouped<T> {
    fn range(&self, owner: u32) -> Range<usize> {
        let i = owner as usize;
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }

    fn of(&self, owner: u32) -> &[T] {
        self.items.get(self.range(owner)).unwrap_or(&[])
    }

    /// Groups `(owner, key, item)` rows sorted by owner then key (stable, so
    /// rows added earlier come first); `dup` names a repeated unique key.
    fn build<K: Ord + Copy>(
        n_owners: usize,
        rows: Vec<(u32, K, T)>,
        unique: bool,
    ) -> Result<Grouped<T>, (usize, usize)> {
        // Files are usually sorted already (the contract's files are); then
        // the sort is skipped. Otherwise sort with the row's position so the
        // order is stable and duplicates can be named.
        let sorted = rows
            .windows(2)
            .all(|w| (w[0].0, w[0].1) <= (w[1].0, w[1].1));
        let mut rows: Vec<(u32, K, u32, T)> = rows
            .into_iter()
            .enumerate()
            .map(|(i, (o, k, t))| (o, k, i as u32, t))
            .collect();
        if !sorted {
            rows.sort_unstable_by_key(|r| (r.0, r.1, r.2));
        }
        if unique {
            for w in rows.windows(2) {
                if w[0].0 == w[1].0 && w[0].1 == w[1].1 {
                    return Err((w[0].2 as usize, w[1].2 as usize));
                }
            }
        }
        let mut starts = vec![0u32; n_owners + 1];
        for r in &rows {
            starts[r.0 as usize + 1] += 1;
        }
        for i in 0..n_owners {
            starts[i + 1] += starts[i];
        }
        let items = rows.into_iter().map(|r| r.3).collect();
        Ok(Grouped { starts, items })
    }
}

/// The facts of one registry, ready for evaluation. Built by [`FactsBuilder`].
#[derive(Debug, Clone, Default)]
pub struct Facts {
    org_ids: Strings,
    orgs: Vec<Org>,
    person_ids: Strings,
    people: Vec<Person>,
    inspections: Grouped<Inspection>,
    ratings: Grouped<Rating>,
    honours: Grouped<Honour>,
    honour_titles: Strings,
    leases: Grouped<Lease>,
    applications: Grouped<StartupApplication>,
    ventures: Grouped<VentureProject>,
    venture_project_ids: Strings,
    /// Grouped by competition project, in date order.
    wins: Grouped<CompetitionWin>,
    /// Indices into `wins`, grouped by organisation.
    wins_by_org: Grouped<u32>,
    competition_project_ids: Strings,
    /// Every qualification of a person, by date.
    qualifications: Grouped<Qualification>,
    /// The qualification held from each date on: the running highest level
    /// of `qualifications`, one step per rise. R9 walks it with a cursor,
    /// other readers search it; nothing is computed per day.
    held: Grouped<Qualification>,
    employments: Grouped<Employment>,
    contract_spells: Grouped<ContractSpell>,
    performance: Grouped<Performance>,
    reviews: Grouped<SupervisorReview>,
    /// Indices into `reviews` by year: R10 ranks a year at a time.
    review_years: Vec<(i32, Range<usize>)>,
    review_index: Vec<u32>,
    decisions: Grouped<SeniorAwardDecision>,
}

impl Facts {
    pub fn org_count(&self) -> usize {
        self.orgs.len()
    }

    pub fn person_count(&self) -> usize {
        self.people.len()
    }

    pub fn orgs(&self) -> impl ExactSizeIterator<Item = OrgIx> {
        (0..self.orgs.len() as u32).map(OrgIx)
    }

    pub fn people(&self) -> impl ExactSizeIterator<Item = PersonIx> {
        (0..self.people.len() as u32).map(PersonIx)
    }

    /// # Panics
    /// When `o` does not come from these facts.
    pub fn org(&self, o: OrgIx) -> &Org {
        &self.orgs[o.0 as usize]
    }

    /// # Panics
    /// When `p` does not come from these facts.
    pub fn person(&self, p: PersonIx) -> &Person {
        &self.people[p.0 as usize]
    }

    pub fn org_id(&self, o: OrgIx) -> &str {
        self.org_ids.get(o.0)
    }

    pub fn person_id(&self, p: PersonIx) -> &str {
        self.person_ids.get(p.0)
    }

    pub fn find_org(&self, id: &str) -> Option<OrgIx> {
        self.org_ids.find(id).map(OrgIx)
    }

    pub fn find_person(&self, id: &str) -> Option<PersonIx> {
        self.person_ids.find(id).map(PersonIx)
    }

    /// Sorted by year (unique per organisation).
    pub fn inspections(&self, o: OrgIx) -> &[Inspection] {
        self.inspections.of(o.0)
    }

    /// Sorted by date.
    pub fn ratings(&self, o: OrgIx) -> &[Rating] {
        self.ratings.of(o.0)
    }

    /// Sorted by date, then row order.
    pub fn honours(&self, o: OrgIx) -> &[Honour] {
        self.honours.of(o.0)
    }

    /// The honours of `o` with their global indices (see [`Facts::honour`]).
    pub(crate) fn honours_indexed(&self, o: OrgIx) -> impl Iterator<Item = (u32, &Honour)> {
        let r = self.honours.range(o.0);
        let start = r.start as u32;
        self.honours
            .of(o.0)
            .iter()
            .zip(start..)
            .map(|(h, i)| (i, h))
    }

    pub fn honour(&self, i: u32) -> Option<&Honour> {
        self.honours.items.get(i as usize)
    }

    pub fn honour_title(&self, title: u32) -> &str {
        self.honour_titles.get(title)
    }

    /// Sorted by month.
    pub fn leases(&self, o: OrgIx) -> &[Lease] {
        self.leases.of(o.0)
    }

    /// Sorted by date.
    pub fn startup_applications(&self, o: OrgIx) -> &[StartupApplication] {
        self.applications.of(o.0)
    }

    /// Sorted by project id.
    pub fn venture_projects(&self, o: OrgIx) -> &[VentureProject] {
        self.ventures.of(o.0)
    }

    pub(crate) fn ventures_indexed(
        &self,
        o: OrgIx,
    ) -> impl Iterator<Item = (u32, &VentureProject)> {
        let start = self.ventures.range(o.0).start as u32;
        self.ventures
            .of(o.0)
            .iter()
            .zip(start..)
            .map(|(v, i)| (i, v))
    }

    pub fn venture(&self, i: u32) -> Option<&VentureProject> {
        self.ventures.items.get(i as usize)
    }

    pub fn venture_project_id(&self, project: u32) -> &str {
        self.venture_project_ids.get(project)
    }

    /// The number of distinct competition projects.
    pub fn competition_project_count(&self) -> usize {
        self.competition_project_ids.len()
    }

    pub fn competition_project_id(&self, project: u32) -> &str {
        self.competition_project_ids.get(project)
    }

    /// The wins of one competition project, by date then row order.
    pub fn competition_wins(&self, project: u32) -> &[CompetitionWin] {
        self.wins.of(project)
    }

    pub(crate) fn wins_indexed(
        &self,
        project: u32,
    ) -> impl Iterator<Item = (u32, &CompetitionWin)> {
        let start = self.wins.range(project).start as u32;
        self.wins
            .of(project)
            .iter()
            .zip(start..)
            .map(|(w, i)| (i, w))
    }

    pub fn win(&self, i: u32) -> Option<&CompetitionWin> {
        self.wins.items.get(i as usize)
    }

    /// Every competition win, grouped by project.
    pub fn all_wins(&self) -> &[CompetitionWin] {
        &self.wins.items
    }

    /// The competition projects `o` has won prizes with, ascending.
    pub fn competition_projects_of(&self, o: OrgIx) -> Vec<u32> {
        let mut p: Vec<u32> = self
            .wins_by_org
            .of(o.0)
            .iter()
            .filter_map(|&i| self.win(i).map(|w| w.project))
            .collect();
        p.sort_unstable();
        p.dedup();
        p
    }

    /// Every qualification the person has held, by date (then level).
    pub fn qualifications(&self, p: PersonIx) -> &[Qualification] {
        self.qualifications.of(p.0)
    }

    /// The qualification held from each date on, in date order: each step
    /// is a higher level than the one before, dated when it was awarded.
    pub fn qualification_steps(&self, p: PersonIx) -> &[Qualification] {
        self.held.of(p.0)
    }

    /// The qualification held on `d`: the highest level among those awarded
    /// on or before `d`, with the day it was awarded.
    pub fn qualification_on(&self, p: PersonIx, d: NaiveDate) -> Option<Qualification> {
        let steps = self.held.of(p.0);
        let n = steps.partition_point(|q| q.date <= d);
        n.checked_sub(1).and_then(|i| steps.get(i)).copied()
    }

    /// The date of the person's first qualification on record (R10's
    /// "earlier qualification date").
    pub fn first_qualification_date(&self, p: PersonIx) -> Option<NaiveDate> {
        self.held.of(p.0).first().map(|q| q.date)
    }

    /// The date the person was awarded `level`, if ever.
    pub fn qualified_as(&self, p: PersonIx, level: QualificationLevel) -> Option<NaiveDate> {
        self.qualifications
            .of(p.0)
            .iter()
            .find(|q| q.level == level)
            .map(|q| q.date)
    }

    /// Sorted by start date.
    pub fn employments(&self, p: PersonIx) -> &[Employment] {
        self.employments.of(p.0)
    }

    /// The person's labour-contract spells at district organisations, in
    /// order of employment start.
    pub fn contract_spells(&self, p: PersonIx) -> &[ContractSpell] {
        self.contract_spells.of(p.0)
    }

    /// Sorted by year.
    pub fn performance(&self, p: PersonIx) -> &[Performance] {
        self.performance.of(p.0)
    }

    /// Sorted by year.
    pub fn supervisor_reviews(&self, p: PersonIx) -> &[SupervisorReview] {
        self.reviews.of(p.0)
    }

    /// Every supervisor review, by person then year.
    pub fn all_supervisor_reviews(&self) -> &[SupervisorReview] {
        &self.reviews.items
    }

    /// The years that have supervisor reviews, ascending.
    pub fn supervisor_review_years(&self) -> impl Iterator<Item = i32> + '_ {
        self.review_years.iter().map(|(y, _)| *y)
    }

    /// The supervisor reviews of `year`, by person.
    pub fn supervisor_reviews_of_year(&self, year: i32) -> impl Iterator<Item = &SupervisorReview> {
        let range = self
            .review_years
            .binary_search_by_key(&year, |(y, _)| *y)
            .ok()
            .and_then(|i| self.review_years.get(i))
            .map_or(0..0, |(_, r)| r.clone());
        self.review_index
            .get(range)
            .unwrap_or(&[])
            .iter()
            .filter_map(|&i| self.reviews.items.get(i as usize))
    }

    /// Sorted by date, then row order.
    pub fn senior_award_decisions(&self, p: PersonIx) -> &[SeniorAwardDecision] {
        self.decisions.of(p.0)
    }
}

/// A fact the builder refuses. Row numbers count the records of one table
/// from 1 in the order they were added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FactsError {
    #[error("编号 {id} 重复(第 {first} 条与第 {second} 条)")]
    DuplicateId {
        id: String,
        first: usize,
        second: usize,
    },
    #[error("未知的组织编号 {0}")]
    UnknownOrg(String),
    #[error("未知的人员编号 {0}")]
    UnknownPerson(String),
    #[error("{table}: 第 {first} 条与第 {second} 条记录的唯一键重复")]
    DuplicateKey {
        table: &'static str,
        first: usize,
        second: usize,
    },
    #[error("{0} 的记录超过 4,294,967,295 条")]
    TooMany(&'static str),
    /// The person's stated (highest) qualification is not the highest of
    /// their qualification history.
    #[error("人员 {0} 的现有资格与其资格记录中的最高资格不一致")]
    QualificationMismatch(String),
}

/// Collects typed records, resolving owner ids as they come; [`Self::build`]
/// orders and groups them.
#[derive(Debug, Default)]
pub struct FactsBuilder {
    org_index: IdMap,
    /// The last owner looked up: events come grouped by owner.
    last_org: (String, u32),
    orgs: Vec<Org>,
    person_index: IdMap,
    last_person: (String, u32),
    people: Vec<Person>,
    inspections: Vec<(u32, i32, Inspection)>,
    ratings: Vec<(u32, NaiveDate, Rating)>,
    honours: Vec<(u32, NaiveDate, Honour)>,
    titles: HashMap<Box<str>, u32>,
    leases: Vec<(u32, YearMonth, Lease)>,
    applications: Vec<(u32, NaiveDate, StartupApplication)>,
    /// (org, project id, amount, selected date)
    ventures: Vec<(u32, Box<str>, Fen, NaiveDate)>,
    wins: Vec<(Box<str>, CompetitionWin)>,
    qualifications: Vec<(u32, NaiveDate, Qualification)>,
    employments: Vec<(u32, NaiveDate, Employment)>,
    performance: Vec<(u32, i32, Performance)>,
    reviews: Vec<(u32, i32, SupervisorReview)>,
    decisions: Vec<(u32, NaiveDate, SeniorAwardDecision)>,
}

fn to_u32(n: usize, what: &'static str) -> Result<u32, FactsError> {
    u32::try_from(n).map_err(|_| FactsError::TooMany(what))
}

impl FactsBuilder {
    pub fn new() -> FactsBuilder {
        FactsBuilder::default()
    }

    pub fn with_capacity(orgs: usize, people: usize) -> FactsBuilder {
        FactsBuilder {
            org_index: IdMap::with_capacity_and_hasher(orgs, Default::default()),
            orgs: Vec::with_capacity(orgs),
            person_index: IdMap::with_capacity_and_hasher(people, Default::default()),
            people: Vec::with_capacity(people),
            ..FactsBuilder::default()
        }
    }

    pub fn add_org(&mut self, id: &str, org: Org) -> Result<(), FactsError> {
        let n = to_u32(self.orgs.len(), "organisations")?;
        if let Some(&first) = self.org_index.get(id) {
            return Err(FactsError::DuplicateId {
                id: id.to_string(),
                first: first as usize + 1,
                second: n as usize + 1,
            });
        }
        self.org_index.insert(id.into(), n);
        self.orgs.push(org);
        Ok(())
    }

    pub fn add_person(&mut self, id: &str, person: Person) -> Result<(), FactsError> {
        let n = to_u32(self.people.len(), "people")?;
        if let Some(&first) = self.person_index.get(id) {
            return Err(FactsError::DuplicateId {
                id: id.to_string(),
                first: first as usize + 1,
                second: n as usize + 1,
            });
        }
        self.person_index.insert(id.into(), n);
        self.people.push(person);
        Ok(())
    }

    fn org(&mut self, id: &str) -> Result<u32, FactsError> {
        if self.last_org.0 == id && !id.is_empty() {
            return Ok(self.last_org.1);
        }
        let i = self
            .org_index
            .get(id)
            .copied()
            .ok_or_else(|| FactsError::UnknownOrg(id.to_string()))?;
        self.last_org.0.clear();
        self.last_org.0.push_str(id);
        self.last_org.1 = i;
        Ok(i)
    }

    fn person(&mut self, id: &str) -> Result<u32, FactsError> {
        if self.last_person.0 == id && !id.is_empty() {
            return Ok(self.last_person.1);
        }
        let i = self
            .person_index
            .get(id)
            .copied()
            .ok_or_else(|| FactsError::UnknownPerson(id.to_string()))?;
        self.last_person.0.clear();
        self.last_person.0.push_str(id);
        self.last_person.1 = i;
        Ok(i)
    }

    pub fn has_org(&self, id: &str) -> bool {
        self.org_index.contains_key(id)
    }

    pub fn add_inspection(&mut self, org: &str, i: Inspection) -> Result<(), FactsError> {
        let o = self.org(org)?;
        self.inspections.push((o, i.year, i));
        Ok(())
    }

    pub fn add_rating(&mut self, org: &str, r: Rating) -> Result<(), FactsError> {
        let o = self.org(org)?;
        self.ratings.push((o, r.date, r));
        Ok(())
    }

    pub fn add_honour(
        &mut self,
        org: &str,
        title: &str,
        level: HonourLevel,
        date: NaiveDate,
    ) -> Result<(), FactsError> {
        let o = self.org(org)?;
        let next = to_u32(self.titles.len(), "honour titles")?;
        let t = *self.titles.entry(title.into()).or_insert(next);
        self.honours.push((
            o,
            date,
            Honour {
                title: t,
                level,
                date,
            },
        ));
        Ok(())
    }

    pub fn add_lease(&mut self, org: &str, l: Lease) -> Result<(), FactsError> {
        let o = self.org(org)?;
        self.leases.push((o, l.month, l));
        Ok(())
    }

    pub fn add_startup_application(
        &mut self,
        org: &str,
        a: StartupApplication,
    ) -> Result<(), FactsError> {
        let o = self.org(org)?;
        self.applications.push((o, a.date, a));
        Ok(())
    }

    pub fn add_venture_project(
        &mut self,
        org: &str,
        project_id: &str,
        amount: Fen,
        selected_date: NaiveDate,
    ) -> Result<(), FactsError> {
        let o = self.org(org)?;
        self.ventures
            .push((o, project_id.into(), amount, selected_date));
        Ok(())
    }

    /// `win.org` and `win.project` are resolved from `org` and `project_id` here.
    pub fn add_competition_win(
        &mut self,
        org: &str,
        project_id: &str,
        mut win: CompetitionWin,
    ) -> Result<(), FactsError> {
        win.org = OrgIx(self.org(org)?);
        self.wins.push((project_id.into(), win));
        Ok(())
    }

    /// One qualification of the person's history. A person given none keeps
    /// the one of [`Person::qualification`] as their whole history.
    pub fn add_qualification(&mut self, person: &str, q: Qualification) -> Result<(), FactsError> {
        let p = self.person(person)?;
        self.qualifications.push((p, q.date, q));
        Ok(())
    }

    /// `employment.org` is resolved from `org` here.
    pub fn add_employment(
        &mut self,
        person: &str,
        org: &str,
        mut e: Employment,
    ) -> Result<(), FactsError> {
        let p = self.person(person)?;
        e.org = OrgIx(self.org(org)?);
        self.employments.push((p, e.start_date, e));
        Ok(())
    }

    pub fn add_performance(&mut self, person: &str, r: Performance) -> Result<(), FactsError> {
        let p = self.person(person)?;
        self.performance.push((p, r.year, r));
        Ok(())
    }

    pub fn add_supervisor_review(
        &mut self,
        person: &str,
        year: i32,
        score: Score,
        hours: u32,
    ) -> Result<(), FactsError> {
        let p = self.person(person)?;
        self.reviews.push((
            p,
            year,
            SupervisorReview {
                person: PersonIx(p),
                year,
                score,
                hours,
            },
        ));
        Ok(())
    }

    pub fn add_senior_award_decision(
        &mut self,
        person: &str,
        d: SeniorAwardDecision,
    ) -> Result<(), FactsError> {
        let p = self.person(person)?;
        self.decisions.push((p, d.date, d));
        Ok(())
    }

    /// Orders everything and checks the contract's unique keys.
    pub fn build(self) -> Result<Facts, FactsError> {
        let dup = |table: &'static str| {
            move |(a, b): (usize, usize)| FactsError::DuplicateKey {
                table,
                first: a.min(b) + 1,
                second: a.max(b) + 1,
            }
        };
        // Dense indices in id order, so that index order is output order.
        let (org_ids, org_map, orgs) = sort_by_id(self.org_index, self.orgs);
        let (person_ids, person_map, mut people) = sort_by_id(self.person_index, self.people);
        let no = orgs.len();
        let np = people.len();
        let (qualifications, held) = qualification_history(
            &mut people,
            &person_ids,
            remap(self.qualifications, &person_map),
        )?;

        let inspections = Grouped::build(no, remap(self.inspections, &org_map), true)
            .map_err(dup("annual_inspections"))?;
        let ratings =
            Grouped::build(no, remap(self.ratings, &org_map), true).map_err(dup("ratings"))?;
        let honours =
            Grouped::build(no, remap(self.honours, &org_map), false).map_err(dup("honours"))?;
        let leases =
            Grouped::build(no, remap(self.leases, &org_map), true).map_err(dup("leases"))?;
        let applications = Grouped::build(no, remap(self.applications, &org_map), true)
            .map_err(dup("startup_applications"))?;

        let mut titles: Vec<(Box<str>, u32)> = self.titles.into_iter().collect();
        titles.sort_by_key(|t| t.1);
        let mut honour_titles = Strings::default();
        for (t, _) in &titles {
            honour_titles.push(t);
        }

        // Venture projects: unique project ids, grouped by organisation in
        // project id order (the output order of R6).
        let mut vorder: Vec<u32> = (0..to_u32(self.ventures.len(), "venture_projects")?).collect();
        vorder.sort_by(|&a, &b| {
            self.ventures[a as usize]
                .1
                .cmp(&self.ventures[b as usize].1)
        });
        for w in vorder.windows(2) {
            if self.ventures[w[0] as usize].1 == self.ventures[w[1] as usize].1 {
                return Err(dup("venture_projects")((w[0] as usize, w[1] as usize)));
            }
        }
        let mut venture_project_ids = Strings::default();
        let mut vrows = Vec::with_capacity(self.ventures.len());
        for (k, &i) in vorder.iter().enumerate() {
            let (o, pid, amount, selected_date) = &self.ventures[i as usize];
            venture_project_ids.push(pid);
            vrows.push((
                org_map[*o as usize],
                k as u32,
                VentureProject {
                    project: k as u32,
                    amount: *amount,
                    selected_date: *selected_date,
                },
            ));
        }
        let ventures = Grouped::build(no, vrows, false).map_err(dup("venture_projects"))?;

        // Competition wins grouped by project (R7 pays once per project).
        let mut pids: Vec<&str> = self.wins.iter().map(|w| &*w.0).collect();
        pids.sort_unstable();
        pids.dedup();
        let mut competition_project_ids = Strings::default();
        for p in &pids {
            competition_project_ids.push(p);
        }
        let mut wrows = Vec::with_capacity(self.wins.len());
        for (pid, w) in &self.wins {
            let project = pids.binary_search(&&**pid).unwrap_or(0) as u32;
            let mut w = *w;
            w.project = project;
            w.org = OrgIx(org_map[w.org.0 as usize]);
            wrows.push((project, w.date, w));
        }
        let wins = Grouped::build(pids.len(), wrows, true).map_err(dup("competition_wins"))?;
        let by_org = wins
            .items
            .iter()
            .enumerate()
            .map(|(i, w)| (w.org.0, w.date, i as u32))
            .collect();
        let wins_by_org = Grouped::build(no, by_org, false).map_err(dup("competition_wins"))?;

        let employments = Grouped::build(np, remap(self.employments, &person_map), false)
            .map_err(dup("employments"))?;
        let mut employments = employments;
        for e in &mut employments.items {
            e.org = OrgIx(org_map[e.org.0 as usize]);
        }
        let contract_spells = spells(&orgs, &employments);
        let performance = Grouped::build(np, remap(self.performance, &person_map), true)
            .map_err(dup("performance_ratings"))?;
        let mut reviews = Grouped::build(np, remap(self.reviews, &person_map), true)
            .map_err(dup("supervisor_reviews"))?;
        for r in &mut reviews.items {
            r.person = PersonIx(person_map[r.person.0 as usize]);
        }
        let mut review_index: Vec<u32> = (0..reviews.items.len() as u32).collect();
        review_index.sort_by_key(|&i| {
            let r = &reviews.items[i as usize];
            (r.year, r.person)
        });
        let mut review_years: Vec<(i32, Range<usize>)> = Vec::new();
        for (k, &i) in review_index.iter().enumerate() {
            let y = reviews.items[i as usize].year;
            match review_years.last_mut() {
                Some((ly, r)) if *ly == y => r.end = k + 1,
                _ => review_years.push((y, k..k + 1)),
            }
        }
        let decisions = Grouped::build(np, remap(self.decisions, &person_map), true)
            .map_err(dup("senior_award_decisions"))?;

        for (name, n) in [
            ("leases", leases.items.len()),
            ("performance_ratings", performance.items.len()),
            ("employments", employments.items.len()),
            ("annual_inspections", inspections.items.len()),
        ] {
            to_u32(n, name)?;
        }

        Ok(Facts {
            org_ids,
            orgs,
            person_ids,
            people,
            inspections,
            ratings,
            honours,
            honour_titles,
            leases,
            applications,
            ventures,
            venture_project_ids,
            wins,
            wins_by_org,
            competition_project_ids,
            qualifications,
            held,
            employments,
            contract_spells,
            performance,
            reviews,
            review_years,
            review_index,
            decisions,
        })
    }
}

/// Every person's qualification history (grouped by date) and the steps of
/// the qualification held. A person without recorded history keeps the
/// qualification stated with them; one with history must state its highest
/// (or none), and is given it. A level is held once per person.
fn qualification_history(
    people: &mut [Person],
    ids: &Strings,
    rows: Vec<(u32, NaiveDate, Qualification)>,
) -> Result<(Grouped<Qualification>, Grouped<Qualification>), FactsError> {
    let dup = |(a, b): (usize, usize)| FactsError::DuplicateKey {
        table: "qualifications",
        first: a.min(b) + 1,
        second: a.max(b) + 1,
    };
    // (person, level) is the table's unique key; rows count from 1 as added.
    let mut keys: Vec<(u32, u8, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.0, qualification_rank(r.2.level), i))
        .collect();
    keys.sort_unstable();
    if let Some(w) = keys
        .windows(2)
        .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
    {
        return Err(dup((w[0].2, w[1].2)));
    }
    let recorded = Grouped::build(people.len(), rows, false).map_err(dup)?;
    let mut history = Grouped {
        starts: Vec::with_capacity(people.len() + 1),
        items: Vec::with_capacity(recorded.items.len()),
    };
    let mut held = Grouped {
        starts: Vec::with_capacity(people.len() + 1),
        items: Vec::with_capacity(recorded.items.len()),
    };
    history.starts.push(0);
    held.starts.push(0);
    for (i, person) in people.iter_mut().enumerate() {
        let own = recorded.of(i as u32);
        let start = history.items.len();
        if own.is_empty() {
            history.items.extend(person.qualification);
        } else {
            history.items.extend_from_slice(own);
            // Same date, several levels: the lower first, so steps rise.
            history.items[start..].sort_by_key(|q| (q.date, qualification_rank(q.level)));
        }
        let mine = &history.items[start..];
        let highest = mine
            .iter()
            .max_by_key(|q| qualification_rank(q.level))
            .copied();
        if !own.is_empty() && person.qualification.is_some_and(|q| Some(q) != highest) {
            return Err(FactsError::QualificationMismatch(
                ids.get(i as u32).to_string(),
            ));
        }
        person.qualification = highest;
        let mut top = 0u8;
        for q in mine {
            let r = qualification_rank(q.level);
            if r > top {
                top = r;
                held.items.push(*q);
            }
        }
        history.starts.push(history.items.len() as u32);
        held.starts.push(held.items.len() as u32);
    }
    Ok((history, held))
}

/// The labour-contract spells at district organisations of every person.
fn spells(orgs: &[Org], employments: &Grouped<Employment>) -> Grouped<ContractSpell> {
    let mut starts = Vec::with_capacity(employments.starts.len());
    let mut items = Vec::new();
    starts.push(0u32);
    for w in employments.starts.windows(2) {
        for e in employments
            .items
            .get(w[0] as usize..w[1] as usize)
            .unwrap_or(&[])
        {
            let Some(org) = orgs.get(e.org.0 as usize) else {
                continue;
            };
            if !e.labour_contract || !org.in_district {
                continue;
            }
            let from = e.start_date.max(org.registration_date);
            // The deregistration day itself no longer counts.
            let last = org.deregistration_date.and_then(|d| d.pred_opt());
            let to = match (e.end_date, last) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) => a,
                (None, Some(b)) => b,
                (None, None) => NaiveDate::MAX,
            };
            if from <= to {
                items.push(ContractSpell {
                    from,
                    to,
                    org: e.org,
                });
            }
        }
        starts.push(items.len() as u32);
    }
    Grouped { starts, items }
}

/// Sorts entities by id; returns the packed ids, old index → new index, and
/// the entities in the new order.
fn sort_by_id<T: Copy>(index: IdMap, items: Vec<T>) -> (Strings, Vec<u32>, Vec<T>) {
    let mut ids: Vec<(Box<str>, u32)> = index.into_iter().collect();
    ids.sort_unstable();
    let mut map = vec![0u32; ids.len()];
    let mut packed = Strings {
        text: String::with_capacity(ids.iter().map(|(s, _)| s.len()).sum()),
        ends: Vec::with_capacity(ids.len()),
    };
    let mut sorted = Vec::with_capacity(items.len());
    for (new, (id, old)) in ids.iter().enumerate() {
        map[*old as usize] = new as u32;
        packed.push(id);
        sorted.push(items[*old as usize]);
    }
    (packed, map, sorted)
}

fn remap<K, T>(mut rows: Vec<(u32, K, T)>, map: &[u32]) -> Vec<(u32, K, T)> {
    for r in &mut rows {
        r.0 = map[r.0 as usize];
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    fn org() -> Org {
        Org {
            kind: OrgKind::SocialGroup,
            community: false,
            fresh_graduate: false,
            in_district: true,
            registration_date: d("2020-01-01"),
            deregistration_date: None,
            registered_capital: Fen(0),
        }
    }

    #[test]
    fn ids_are_indexed_in_string_order_and_events_grouped_by_date_then_row() {
        let mut b = FactsBuilder::new();
        for id in ["O3", "O1", "O2"] {
            b.add_org(id, org()).expect("org");
        }
        let honour = |b: &mut FactsBuilder, o: &str, t: &str, day: &str| {
            b.add_honour(o, t, HonourLevel::National, d(day))
                .expect("honour");
        };
        honour(&mut b, "O2", "b", "2022-05-01");
        honour(&mut b, "O3", "x", "2022-01-01");
        honour(&mut b, "O2", "a", "2022-05-01");
        honour(&mut b, "O2", "c", "2022-01-01");
        let f = b.build().expect("facts");
        let ids: Vec<&str> = f.orgs().map(|o| f.org_id(o)).collect();
        assert_eq!(ids, ["O1", "O2", "O3"]);
        let o2 = f.find_org("O2").expect("O2");
        let titles: Vec<&str> = f
            .honours(o2)
            .iter()
            .map(|h| f.honour_title(h.title))
            .collect();
        assert_eq!(titles, ["c", "b", "a"]);
        assert!(f.honours(OrgIx(0)).is_empty());
        assert_eq!(f.find_org("O4"), None);
    }

    #[test]
    fn repeated_ids_and_keys_and_unknown_owners_are_refused() {
        let mut b = FactsBuilder::new();
        b.add_org("O1", org()).expect("org");
        assert_eq!(
            b.add_org("O1", org()),
            Err(FactsError::DuplicateId {
                id: "O1".into(),
                first: 1,
                second: 2
            })
        );
        assert_eq!(
            b.add_rating(
                "O9",
                Rating {
                    level: RatingLevel::A3,
                    date: d("2022-01-01")
                }
            ),
            Err(FactsError::UnknownOrg("O9".into()))
        );
        let lease = |m| Lease {
            month: YearMonth::new(2022, m).expect("month"),
            rent_paid: Fen(1),
        };
        b.add_lease("O1", lease(3)).expect("lease");
        b.add_lease("O1", lease(2)).expect("lease");
        b.add_lease("O1", lease(3)).expect("lease");
        assert_eq!(
            b.build().map(|_| ()),
            Err(FactsError::DuplicateKey {
                table: "leases",
                first: 1,
                second: 3
            })
        );
    }

    #[test]
    fn scores_are_tenths_of_a_point() {
        assert_eq!(Score::parse("s", "97.5"), Ok(Score(975)));
        assert_eq!(Score::parse("s", "100"), Ok(Score(1000)));
        assert_eq!(Score(975).to_string(), "97.5");
        for bad in ["97.55", "", ".5", "9a", "-1", "97."] {
            assert!(Score::parse("s", bad).is_err(), "{bad}");
        }
    }
}
