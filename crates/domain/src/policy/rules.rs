//! R2–R11, each written once over one beneficiary (or one project, or one
//! year for R10) and driven through a [`Sink`].
//!
//! The batch sink keeps only positive payments and ignores refusals, so
//! after monomorphisation the reasons cost nothing; the query sink keeps
//! every decision. Every rule walks the whole policy period up to the end of
//! the window, because earlier events still count (24 rent months, rating
//! awards already paid, once-only awards), and reports only events dated in
//! the window.

use crate::history::InspectionResult;
use crate::money::Fen;
use crate::people::QualificationLevel;
use crate::policy::explain::{Basis, Refusal};
use crate::policy::facts::{ContractSpell, Facts, OrgIx, PersonIx, SupervisorReview};
use crate::policy::params::{Policy, PolicyParams, TieKey};
use crate::policy::types::EventKey;
use crate::policy::{Rule, Window, YearMonth};
use chrono::{Datelike, NaiveDate};
use std::cmp::Ordering;

/// Where the rules put their decisions.
pub(crate) trait Sink {
    /// False for the batch path: rules may skip work that only produces
    /// refusals.
    const DETAILS: bool;

    /// A payment; `amount` is positive.
    fn grant(
        &mut self,
        rule: Rule,
        who: u32,
        key: EventKey,
        version: u8,
        amount: Fen,
        basis: Basis,
    );

    fn refuse(&mut self, rule: Rule, who: u32, key: EventKey, version: Option<u8>, why: Refusal);
}

pub(crate) struct Ctx<'a> {
    pub facts: &'a Facts,
    pub policy: &'a Policy,
    pub window: Window,
    /// Every month from the start of the policy span (or of the window, if
    /// earlier) to the end of the window: its first day and the version in
    /// force on it. Saves a calendar computation per lease and per month.
    first_month: YearMonth,
    month_table: Vec<(NaiveDate, Option<u8>)>,
    /// The index in `month_table` of the first month whose first day lies in
    /// the window (the months R9 reports).
    window_months: usize,
}

impl<'a> Ctx<'a> {
    pub fn new(facts: &'a Facts, policy: &'a Policy, window: Window) -> Ctx<'a> {
        let mut first = YearMonth::of(window.from);
        if first.first_day() < window.from {
            first = first.next();
        }
        let start = policy
            .span()
            .map_or(first, |(a, _)| YearMonth::of(a))
            .min(first);
        let mut month_table = Vec::new();
        let mut window_months = 0;
        let mut m = start;
        while m.first_day() <= window.to {
            let f = m.first_day();
            if m < first {
                window_months += 1;
            }
            month_table.push((f, policy.in_force(f).map(|(v, _)| v)));
            m = m.next();
        }
        Ctx {
            facts,
            policy,
            window,
            first_month: start,
            month_table,
            window_months,
        }
    }

    fn params(&self, v: u8) -> Option<&'a PolicyParams> {
        self.policy.version(v)
    }

    /// The first day of `m` and the version in force on it.
    fn month(&self, m: YearMonth) -> (NaiveDate, Option<(u8, &'a PolicyParams)>) {
        let known = usize::try_from(m.index() - self.first_month.index())
            .ok()
            .and_then(|i| self.month_table.get(i));
        match known {
            Some(&(f, v)) => (f, v.and_then(|v| self.params(v).map(|p| (v, p)))),
            None => {
                let f = m.first_day();
                (f, self.policy.in_force(f))
            }
        }
    }

    /// The months whose first day lies in the window, in order.
    fn window_months(&self) -> impl Iterator<Item = (YearMonth, NaiveDate, Option<u8>)> + '_ {
        self.month_table
            .iter()
            .enumerate()
            .skip(self.window_months)
            .map(|(i, &(f, v))| {
                (
                    YearMonth::from_index(self.first_month.index() + i as i32),
                    f,
                    v,
                )
            })
    }
}

/// Reports a refusal only for events in the window.
macro_rules! refuse_if {
    ($sink:expr, $emit:expr, $rule:expr, $who:expr, $key:expr, $v:expr, $why:expr) => {
        if S::DETAILS && $emit {
            $sink.refuse($rule, $who, $key, $v, $why);
        }
    };
}

/// The not-yet-`years`-old check of R2 (R3 keeps the date per organisation).
fn young_on(org: &crate::policy::facts::Org, d: NaiveDate, years: u32) -> Result<(), Refusal> {
    let of_age = org.comes_of_age(years);
    if d < of_age {
        Ok(())
    } else {
        Err(Refusal::TooOld {
            registered: org.registration_date,
            comes_of_age: of_age,
            years,
        })
    }
}

/// R2 开办补贴, 三(一)2.
pub(crate) fn r2<S: Sink>(cx: &Ctx, o: OrgIx, sink: &mut S) {
    let facts = cx.facts;
    let apps = facts.startup_applications(o);
    let org = facts.org(o);
    if apps.is_empty() || (!S::DETAILS && !org.in_district) {
        return;
    }
    // Clarification: the first inspection is the one with the lowest year.
    let first = facts.inspections(o).first();
    let mut paid: Option<NaiveDate> = None;
    for a in apps {
        if a.date > cx.window.to {
            break;
        }
        let emit = cx.window.contains(a.date);
        let key = EventKey::Date(a.date);
        let Some((v, p)) = cx.policy.in_force(a.date) else {
            refuse_if!(
                sink,
                emit,
                Rule::R2,
                o.0,
                key,
                None,
                Refusal::OutsidePeriod { date: a.date }
            );
            continue;
        };
        let check = || -> Result<(Fen, Basis), Refusal> {
            // 三(一)2.3: only the first application meeting every condition is paid.
            if let Some(on) = paid {
                return Err(Refusal::StartupAlreadyPaid { on });
            }
            // 三(一)2.1: a district organisation less than two years old on D.
            org.district_on(a.date).map_err(Refusal::NotDistrict)?;
            young_on(org, a.date, p.startup_max_age_years)?;
            // 三(一)2.2: its first inspection is on record by D and 合格.
            let i = first.ok_or(Refusal::NoInspection)?;
            if i.result != InspectionResult::Qualified {
                return Err(Refusal::FirstInspectionNotQualified {
                    year: i.year,
                    result: i.result,
                });
            }
            if i.date > a.date {
                return Err(Refusal::FirstInspectionNotYetRecorded {
                    year: i.year,
                    date: i.date,
                });
            }
            let amount = a.requested.min(p.startup_cap);
            if amount <= Fen::ZERO {
                return Err(Refusal::ZeroAmount);
            }
            Ok((
                amount,
                Basis::Startup {
                    requested: a.requested,
                    cap: p.startup_cap,
                    registered: org.registration_date,
                    comes_of_age: org.comes_of_age(p.startup_max_age_years),
                    first_inspection_year: i.year,
                    first_inspection_date: i.date,
                },
            ))
        };
        match check() {
            Ok((amount, basis)) => {
                paid = Some(a.date);
                if emit {
                    sink.grant(Rule::R2, o.0, key, v, amount, basis);
                }
            }
            Err(why) => refuse_if!(sink, emit, Rule::R2, o.0, key, Some(v), why),
        }
    }
}

/// R3 房租补贴, 三(一)3.
pub(crate) fn r3<S: Sink>(cx: &Ctx, o: OrgIx, sink: &mut S) {
    let facts = cx.facts;
    let leases = facts.leases(o);
    if leases.is_empty() {
        return;
    }
    let org = facts.org(o);
    if !S::DETAILS && !org.in_district {
        return;
    }
    let mut paid_months = 0u32;
    // The day the organisation comes of age, for the last years parameter seen.
    let mut of_age: Option<(u32, NaiveDate)> = None;
    for l in leases {
        // [decision] month granularity: conditions hold on the first day.
        let (f, version) = cx.month(l.month);
        if f > cx.window.to {
            break;
        }
        let emit = cx.window.contains(f);
        let key = EventKey::Month(l.month);
        let Some((v, p)) = version else {
            refuse_if!(
                sink,
                emit,
                Rule::R3,
                o.0,
                key,
                None,
                Refusal::OutsidePeriod { date: f }
            );
            continue;
        };
        let years = p.rent_max_age_years;
        let comes_of_age = match of_age {
            Some((y, d)) if y == years => d,
            _ => {
                let d = org.comes_of_age(years);
                of_age = Some((years, d));
                d
            }
        };
        let check = || -> Result<(Fen, Basis), Refusal> {
            org.district_on(f).map_err(Refusal::NotDistrict)?;
            if f >= comes_of_age {
                return Err(Refusal::TooOld {
                    registered: org.registration_date,
                    comes_of_age,
                    years,
                });
            }
            // Clarification: a month with no rent paid is not a paid month.
            if l.rent_paid <= Fen::ZERO {
                return Err(Refusal::RentUnpaid);
            }
            let amount = l.rent_paid.min(p.rent_monthly_cap);
            if amount <= Fen::ZERO {
                return Err(Refusal::ZeroAmount);
            }
            // At most 24 paid months per organisation, counted in month order.
            if paid_months >= p.rent_max_months {
                return Err(Refusal::RentMonthsUsed {
                    max: p.rent_max_months,
                });
            }
            Ok((
                amount,
                Basis::Rent {
                    month: l.month,
                    rent_paid: l.rent_paid,
                    cap: p.rent_monthly_cap,
                    nth: paid_months + 1,
                    max_months: p.rent_max_months,
                    registered: org.registration_date,
                    comes_of_age,
                },
            ))
        };
        match check() {
            Ok((amount, basis)) => {
                paid_months += 1;
                if emit {
                    sink.grant(Rule::R3, o.0, key, v, amount, basis);
                }
            }
            Err(why) => refuse_if!(sink, emit, Rule::R3, o.0, key, Some(v), why),
        }
    }
}

/// R4 等级评估奖励, 三(二)1.
pub(crate) fn r4<S: Sink>(cx: &Ctx, o: OrgIx, sink: &mut S) {
    // Clarification: "already paid" is the highest level amount reached so
    // far in the period; ratings before it neither pay nor count.
    let mut highest = Fen::ZERO;
    for r in cx.facts.ratings(o) {
        if r.date > cx.window.to {
            break;
        }
        let emit = cx.window.contains(r.date);
        let key = EventKey::Date(r.date);
        let Some((v, p)) = cx.policy.in_force(r.date) else {
            refuse_if!(
                sink,
                emit,
                Rule::R4,
                o.0,
                key,
                None,
                Refusal::OutsidePeriod { date: r.date }
            );
            continue;
        };
        let level_amount = p.rating_amount(r.level);
        let award = level_amount - highest;
        if award > Fen::ZERO {
            if emit {
                let basis = Basis::Rating {
                    level: r.level,
                    level_amount,
                    already: highest,
                };
                sink.grant(Rule::R4, o.0, key, v, award, basis);
            }
        } else {
            let why = Refusal::RatingNotHigher {
                level: r.level,
                level_amount,
                already: highest,
            };
            refuse_if!(sink, emit, Rule::R4, o.0, key, Some(v), why);
        }
        highest = highest.max(level_amount);
    }
}

/// R5 荣誉奖励, 三(二)2. `seen` is scratch space reused across organisations.
pub(crate) fn r5<S: Sink>(cx: &Ctx, o: OrgIx, sink: &mut S, seen: &mut Vec<(u32, i32)>) {
    let facts = cx.facts;
    seen.clear();
    let org = facts.org(o);
    if !S::DETAILS && !org.in_district {
        return;
    }
    for (i, h) in facts.honours_indexed(o) {
        if h.date > cx.window.to {
            break;
        }
        let emit = cx.window.contains(h.date);
        let key = EventKey::Honour(i);
        let Some((v, p)) = cx.policy.in_force(h.date) else {
            refuse_if!(
                sink,
                emit,
                Rule::R5,
                o.0,
                key,
                None,
                Refusal::OutsidePeriod { date: h.date }
            );
            continue;
        };
        let year = h.date.year();
        let check = || -> Result<Fen, Refusal> {
            org.district_on(h.date).map_err(Refusal::NotDistrict)?;
            let amount = p.honour_amount(h.level);
            if amount <= Fen::ZERO {
                return Err(Refusal::HonourLevelNotPaid { level: h.level });
            }
            // Clarification: the same title in the same year is paid once,
            // on its first payable record.
            if seen.contains(&(h.title, year)) {
                return Err(Refusal::HonourAlreadyPaid { year });
            }
            Ok(amount)
        };
        match check() {
            Ok(amount) => {
                seen.push((h.title, year));
                if emit {
                    let basis = Basis::Honour {
                        level: h.level,
                        amount,
                    };
                    sink.grant(Rule::R5, o.0, key, v, amount, basis);
                }
            }
            Err(why) => refuse_if!(sink, emit, Rule::R5, o.0, key, Some(v), why),
        }
    }
}

/// ⌊amount / 2⌋ capped: the match of R6 and R7 (halving rounds down).
fn half_capped(amount: Fen, cap: Fen) -> Fen {
    amount.half_down().min(cap)
}

/// R6 公益创投项目补贴, 三(三)1: no condition beyond being selected.
pub(crate) fn r6<S: Sink>(cx: &Ctx, o: OrgIx, sink: &mut S) {
    for (i, pr) in cx.facts.ventures_indexed(o) {
        let d = pr.selected_date;
        if !cx.window.contains(d) {
            continue;
        }
        let key = EventKey::Venture(i);
        let Some((v, p)) = cx.policy.in_force(d) else {
            refuse_if!(
                sink,
                true,
                Rule::R6,
                o.0,
                key,
                None,
                Refusal::OutsidePeriod { date: d }
            );
            continue;
        };
        let amount = half_capped(pr.amount, p.venture_cap);
        if amount > Fen::ZERO {
            let basis = Basis::Venture {
                project_amount: pr.amount,
                cap: p.venture_cap,
            };
            sink.grant(Rule::R6, o.0, key, v, amount, basis);
        } else {
            refuse_if!(sink, true, Rule::R6, o.0, key, Some(v), Refusal::ZeroAmount);
        }
    }
}

/// R7 创业大赛项目补贴, 三(三)2, for one project: its first eligible win is
/// paid. `only` limits the reported decisions to one organisation's wins.
pub(crate) fn r7<S: Sink>(cx: &Ctx, project: u32, only: Option<OrgIx>, sink: &mut S) {
    let facts = cx.facts;
    let mut paid: Option<NaiveDate> = None;
    for (i, w) in facts.wins_indexed(project) {
        if w.date > cx.window.to {
            break;
        }
        let emit = cx.window.contains(w.date) && only.is_none_or(|o| o == w.org);
        let who = w.org.0;
        let key = EventKey::Win(i);
        let Some((v, p)) = cx.policy.in_force(w.date) else {
            refuse_if!(
                sink,
                emit,
                Rule::R7,
                who,
                key,
                None,
                Refusal::OutsidePeriod { date: w.date }
            );
            continue;
        };
        let check = || -> Result<u32, Refusal> {
            if let Some(on) = paid {
                return Err(Refusal::ProjectAlreadyPaid { on });
            }
            facts
                .org(w.org)
                .district_on(w.date)
                .map_err(Refusal::NotDistrict)?;
            if w.level.rank() < p.competition_min_level.rank() {
                return Err(Refusal::CompetitionLevelTooLow {
                    level: w.level,
                    min: p.competition_min_level,
                });
            }
            // An unranked prize (优秀奖…) has no place and pays nothing.
            let place = w.place.ok_or(Refusal::Unranked)?;
            if place == 0 || place > p.competition_max_place {
                return Err(Refusal::PlaceTooLow {
                    place,
                    max: p.competition_max_place,
                });
            }
            if !w.serves_district {
                return Err(Refusal::NotServingDistrict);
            }
            Ok(place)
        };
        match check() {
            Ok(place) => {
                // The first eligible win uses up the project's one match.
                paid = Some(w.date);
                let amount = half_capped(w.amount, p.competition_cap);
                if amount > Fen::ZERO {
                    if emit {
                        let basis = Basis::Competition {
                            level: w.level,
                            place,
                            project_amount: w.amount,
                            cap: p.competition_cap,
                        };
                        sink.grant(Rule::R7, who, key, v, amount, basis);
                    }
                } else {
                    refuse_if!(sink, emit, Rule::R7, who, key, Some(v), Refusal::ZeroAmount);
                }
            }
            Err(why) => refuse_if!(sink, emit, Rule::R7, who, key, Some(v), why),
        }
    }
}

fn employer_on(spells: &[ContractSpell], d: NaiveDate) -> Option<OrgIx> {
    spells
        .iter()
        .find(|s| s.from <= d && d <= s.to)
        .map(|s| s.org)
}

/// `crate::dates::full_years(start, first day of m)` for a start given as
/// (year, month, day): on the 1st, a year is full unless its anniversary
/// falls later in the month or in a later month.
fn full_years_on_first((y, mo, d): (i32, u32, u32), m: YearMonth) -> i32 {
    let mut n = m.year() - y;
    if (m.month(), 1) < (mo, d) {
        n -= 1;
    }
    n.max(0)
}

/// R9 薪酬补贴, 三(四)1, for every month of the window.
pub(crate) fn r9<S: Sink>(cx: &Ctx, pix: PersonIx, sink: &mut S) {
    let facts = cx.facts;
    let person = facts.person(pix);
    // Qualification history (subsidies.md): the one held on the first day
    // of M, the highest awarded by then; a cursor over its steps, as the
    // months only move forward.
    let steps = facts.qualification_steps(pix);
    if !S::DETAILS && steps.is_empty() {
        return;
    }
    let mut awarded = 0usize;
    let spells = facts.contract_spells(pix);
    if !S::DETAILS && spells.is_empty() {
        return;
    }
    // Full years in social work on a first day, without calendar calls.
    let start = person
        .social_work_start
        .map(|s| (s.year(), s.month(), s.day()));
    let ratings = facts.performance(pix);
    let who = pix.0;
    for (m, f, v) in cx.window_months() {
        while steps.get(awarded).is_some_and(|q| q.date <= f) {
            awarded += 1;
        }
        let held = awarded.checked_sub(1).and_then(|i| steps.get(i)).copied();
        let key = EventKey::Month(m);
        let Some((v, p)) = v.and_then(|v| cx.params(v).map(|p| (v, p))) else {
            refuse_if!(
                sink,
                true,
                Rule::R9,
                who,
                key,
                None,
                Refusal::OutsidePeriod { date: f }
            );
            continue;
        };
        let check = || -> Result<(Fen, Basis), Refusal> {
            // The qualification held on the first day of M.
            let q = match (held, steps.first()) {
                (Some(q), _) => q,
                (None, Some(first)) => {
                    return Err(Refusal::QualificationLater { date: first.date })
                }
                (None, None) => return Err(Refusal::NoQualification),
            };
            // One subsidy however many employers.
            let employer = employer_on(spells, f).ok_or(Refusal::NoContractEmployment)?;
            // The performance rating of the calendar year before M's year.
            let year = m.year() - 1;
            let rating = ratings
                .iter()
                .find(|r| r.year == year)
                .ok_or(Refusal::PerformanceMissing { year })?;
            let performance =
                p.salary_performance(rating.rating)
                    .ok_or(Refusal::PerformanceNotPaid {
                        year,
                        rating: rating.rating,
                    })?;
            let years = start.map_or(0, |s| full_years_on_first(s, m));
            let base = p.salary_base(q.level);
            let seniority = p.seniority_bonus(years);
            // clamp(…, min, max), written so that a malformed what-if (min > max)
            // cannot panic.
            let amount = (base + seniority + performance)
                .max(p.salary_min)
                .min(p.salary_max);
            if amount <= Fen::ZERO {
                return Err(Refusal::ZeroAmount);
            }
            Ok((
                amount,
                Basis::Salary {
                    qualification: q.level,
                    qualification_date: q.date,
                    base,
                    years,
                    seniority,
                    rating_year: year,
                    rating: rating.rating,
                    performance,
                    min: p.salary_min,
                    max: p.salary_max,
                    employer,
                },
            ))
        };
        match check() {
            Ok((amount, basis)) => sink.grant(Rule::R9, who, key, v, amount, basis),
            Err(why) => refuse_if!(sink, true, Rule::R9, who, key, Some(v), why),
        }
    }
}

/// R10 优秀督导, 三(四)2: every year of the window, the best reviews by
/// the version's tie-break. `only` limits the report to one person.
pub(crate) fn r10<S: Sink>(cx: &Ctx, only: Option<PersonIx>, sink: &mut S) {
    let facts = cx.facts;
    let years: Vec<i32> = match only {
        Some(p) => facts.supervisor_reviews(p).iter().map(|r| r.year).collect(),
        None => facts.supervisor_review_years().collect(),
    };
    for year in years {
        // [contract] a year's review counts as dated 31 December.
        let Some(d) = NaiveDate::from_ymd_opt(year, 12, 31) else {
            continue;
        };
        if !cx.window.contains(d) {
            continue;
        }
        let mut reviews: Vec<&SupervisorReview> = facts.supervisor_reviews_of_year(year).collect();
        let Some((v, p)) = cx.policy.in_force(d) else {
            if S::DETAILS {
                for r in reviews
                    .iter()
                    .filter(|r| only.is_none_or(|o| o == r.person))
                {
                    sink.refuse(
                        Rule::R10,
                        r.person.0,
                        EventKey::Year(year),
                        None,
                        Refusal::OutsidePeriod { date: d },
                    );
                }
            }
            continue;
        };
        reviews.sort_by(|a, b| rank_order(facts, &p.supervisor_tie_break, a, b));
        for (i, r) in reviews.iter().enumerate() {
            if only.is_some_and(|o| o != r.person) {
                continue;
            }
            let rank = i as u32 + 1;
            let key = EventKey::Year(year);
            if rank <= p.supervisor_winners && p.supervisor_award > Fen::ZERO {
                let basis = Basis::Supervisor {
                    score: r.score,
                    hours: r.hours,
                    rank,
                    winners: p.supervisor_winners,
                    award: p.supervisor_award,
                };
                sink.grant(Rule::R10, r.person.0, key, v, p.supervisor_award, basis);
            } else if S::DETAILS {
                let why = if rank <= p.supervisor_winners {
                    Refusal::ZeroAmount
                } else {
                    Refusal::NotSelected {
                        rank,
                        winners: p.supervisor_winners,
                    }
                };
                sink.refuse(Rule::R10, r.person.0, key, Some(v), why);
            }
        }
    }
}

/// Best first under the tie-break keys.
fn rank_order(
    facts: &Facts,
    keys: &[TieKey; 4],
    a: &SupervisorReview,
    b: &SupervisorReview,
) -> Ordering {
    for k in keys {
        let o = match k {
            TieKey::Score => b.score.cmp(&a.score),
            TieKey::Hours => b.hours.cmp(&a.hours),
            TieKey::QualificationDate => {
                // The first qualification on record; none sorts last.
                let qa = facts.first_qualification_date(a.person);
                let qb = facts.first_qualification_date(b.person);
                match (qa, qb) {
                    (Some(x), Some(y)) => x.cmp(&y),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                }
            }
            // Indices are in id order.
            TieKey::PersonId => a.person.cmp(&b.person),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    Ordering::Equal
}

/// R11 高级社工师奖励, 三(四)3: once, on the first decision meeting every
/// condition.
pub(crate) fn r11<S: Sink>(cx: &Ctx, pix: PersonIx, sink: &mut S) {
    let facts = cx.facts;
    let decisions = facts.senior_award_decisions(pix);
    if decisions.is_empty() {
        return;
    }
    // R11's date is that of the 高级社会工作师 qualification, whatever the
    // person held before it.
    let senior = facts.qualified_as(pix, QualificationLevel::Senior);
    let spells = facts.contract_spells(pix);
    let who = pix.0;
    let mut paid: Option<NaiveDate> = None;
    for d in decisions {
        if d.date > cx.window.to {
            break;
        }
        let emit = cx.window.contains(d.date);
        let key = EventKey::Date(d.date);
        let Some((v, p)) = cx.policy.in_force(d.date) else {
            refuse_if!(
                sink,
                emit,
                Rule::R11,
                who,
                key,
                None,
                Refusal::OutsidePeriod { date: d.date }
            );
            continue;
        };
        let check = || -> Result<(Fen, Basis), Refusal> {
            if let Some(on) = paid {
                return Err(Refusal::SeniorAlreadyPaid { on });
            }
            if !d.innovative_contribution {
                return Err(Refusal::NoInnovativeContribution);
            }
            let q = senior.ok_or(Refusal::NotSenior)?;
            if !p.in_period(q) {
                return Err(Refusal::SeniorOutsidePeriod { date: q });
            }
            if q > d.date {
                return Err(Refusal::SeniorAfterDecision { date: q });
            }
            let employer = employer_on(spells, d.date).ok_or(Refusal::NoContractEmployment)?;
            if p.senior_award <= Fen::ZERO {
                return Err(Refusal::ZeroAmount);
            }
            Ok((
                p.senior_award,
                Basis::Senior {
                    qualification_date: q,
                    employer,
                    award: p.senior_award,
                },
            ))
        };
        match check() {
            Ok((amount, basis)) => {
                paid = Some(d.date);
                if emit {
                    sink.grant(Rule::R11, who, key, v, amount, basis);
                }
            }
            Err(why) => refuse_if!(sink, emit, Rule::R11, who, key, Some(v), why),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_years_on_a_first_day_agree_with_the_calendar() {
        let mut start = NaiveDate::from_ymd_opt(2015, 1, 1).expect("date");
        let end = NaiveDate::from_ymd_opt(2021, 12, 31).expect("date");
        while start <= end {
            let s = (start.year(), start.month(), start.day());
            let mut m = YearMonth::new(2014, 1).expect("month");
            while m.year() < 2027 {
                assert_eq!(
                    full_years_on_first(s, m),
                    crate::dates::full_years(start, m.first_day()),
                    "{start} {m}"
                );
                m = m.next();
            }
            start = start.succ_opt().expect("date");
        }
    }
}
