//! Social workers: identity, qualifications, employments and yearly reviews.
//!
//! Resident ID numbers must be unique, yet birth dates should follow a
//! realistic age profile. Both hold by construction: a keyed permutation
//! gives each person a distinct quantile of the age distribution, the
//! quantile gives the birth date, and the person's rank among those sharing
//! that date gives the three-digit sequence number (and, past 499 a day,
//! the address code).

use crate::org::{mobile, person_name, Category, Ctx};
use crate::rng::{
    between, chance, date_between, day_in, days_between, key, plus_days, record_rng, weighted,
    year_start, ymd, Perm, Stream,
};
use crate::vocab;
use crate::{DemoConfig, DemoPerson};
use chrono::{Datelike, NaiveDate};
use gongyi_domain::dates::add_years;
use gongyi_domain::people::{
    AnnualReview, Employment, PerformanceRating, PersonDraft, Qualification, QualificationLevel,
};
use gongyi_domain::ResidentId;
use rand::rngs::SmallRng;
use rand::Rng;

/// Relative weight of each age (21–65) among social workers: most are
/// between 25 and 40.
fn age_weight(age: i32) -> u64 {
    match age {
        21..=24 => 3,
        25..=29 => 8,
        30..=34 => 9,
        35..=39 => 8,
        40..=44 => 6,
        45..=49 => 4,
        50..=54 => 3,
        55..=59 => 2,
        _ => 1,
    }
}

const YOUNGEST: i32 = 21;
const OLDEST: i32 = 65;
/// Sequence numbers per sex and birth date and address: odd 001–997 for
/// men, even 002–998 for women.
const SEQUENCES: u64 = 499;
/// Fixed-point scale of the quantile phase.
const PHASE: u128 = 1 << 16;

/// Birth dates of one age, all equally likely.
#[derive(Debug, Clone)]
struct Segment {
    start_day: i64,
    days: i64,
    weight: u64,
    cumulative: u64,
}

/// The age profile as a step function over days, oldest first.
#[derive(Debug, Clone)]
pub(crate) struct BirthPlan {
    first: NaiveDate,
    segments: Vec<Segment>,
    total: u64,
    people: u64,
    perm: Perm,
    phase: u128,
}

impl BirthPlan {
    pub(crate) fn new(cfg: &DemoConfig) -> BirthPlan {
        let today = cfg.today;
        let first = plus_days(add_years(today, -(OLDEST + 1)), 1);
        let mut segments = Vec::with_capacity((OLDEST - YOUNGEST + 1) as usize);
        let mut cumulative = 0;
        for age in (YOUNGEST..=OLDEST).rev() {
            // Aged `age` today: born after today − (age+1) years, up to today − age years.
            let from = plus_days(add_years(today, -(age + 1)), 1);
            let to = add_years(today, -age);
            let days = days_between(from, to) + 1;
            let weight = age_weight(age);
            segments.push(Segment {
                start_day: days_between(first, from),
                days,
                weight,
                cumulative,
            });
            cumulative += days as u64 * weight;
        }
        BirthPlan {
            first,
            segments,
            total: cumulative.max(1),
            people: cfg.people as u64,
            perm: Perm::new(
                cfg.people as u64,
                key(cfg.seed, Stream::PersonPermutation, 0),
            ),
            phase: u128::from(key(cfg.seed, Stream::BirthPhase, 0)) % PHASE,
        }
    }

    /// Person `index`'s birth date and rank among the people born that day.
    pub(crate) fn locate(&self, index: usize) -> (NaiveDate, u64) {
        let q = u128::from(self.perm.apply(index as u64));
        let n = u128::from(self.people.max(1));
        let w = u128::from(self.total);
        // The q-th of n evenly spaced quantiles, shifted by a seeded phase.
        let t = ((q * PHASE + self.phase) * w / (n * PHASE)) as u64;
        let seg = self
            .segments
            .iter()
            .rev()
            .find(|s| s.cumulative <= t)
            .unwrap_or(&self.segments[0]);
        let offset = ((t - seg.cumulative) / seg.weight) as i64;
        let day = seg.start_day + offset.min(seg.days - 1);
        // The first quantile falling on this day: smallest q' with t(q') ≥ C(day).
        let c = u128::from(seg.cumulative + offset.min(seg.days - 1) as u64 * seg.weight);
        let num = (c * n * PHASE).saturating_sub(self.phase * w);
        let den = PHASE * w;
        let first_q = num.div_ceil(den);
        let rank = q.saturating_sub(first_q) as u64;
        (plus_days(self.first, day), rank)
    }
}

/// A qualification level's certificate prefix.
fn cert_code(level: QualificationLevel) -> &'static str {
    match level {
        QualificationLevel::Assistant => "ZL",
        QualificationLevel::Intermediate => "ZJ",
        QualificationLevel::Senior => "GJ",
    }
}

/// The national exam results come out in autumn; the first exam was in 2008
/// and senior titles were first awarded in 2019.
fn qualifications(
    rng: &mut SmallRng,
    index: usize,
    birth: NaiveDate,
    today: NaiveDate,
) -> Vec<Qualification> {
    let earliest = add_years(birth, 22).max(ymd(2008, 9, 1));
    if earliest > today {
        return Vec::new();
    }
    let cert = |level, date: NaiveDate| Qualification {
        level,
        certificate_no: format!("{}{}31{:08}", cert_code(level), date.year(), index),
        date,
    };
    let exam = |rng: &mut SmallRng, from: NaiveDate| -> Option<NaiveDate> {
        let y = between(rng, i64::from(from.year()), i64::from(today.year())) as i32;
        let d = day_in(rng, y, 9..=11).max(from);
        (d <= today).then_some(d)
    };
    let mut out = Vec::with_capacity(3);
    match rng.gen_range(0..100u32) {
        // About a third hold no certificate (the plan's 700 certified of 1,400).
        0..=34 => {}
        // Some pass 社会工作师 directly.
        35..=42 => {
            if let Some(d) = exam(rng, earliest) {
                out.push(cert(QualificationLevel::Intermediate, d));
            }
        }
        _ => {
            if let Some(d) = exam(rng, earliest) {
                out.push(cert(QualificationLevel::Assistant, d));
                if chance(rng, 0.35) {
                    if let Some(d2) = exam(rng, plus_days(d, 2 * 365)) {
                        out.push(cert(QualificationLevel::Intermediate, d2));
                    }
                }
            }
        }
    }
    if let Some(mid) = out
        .iter()
        .find(|q| q.level == QualificationLevel::Intermediate)
        .map(|q| q.date)
    {
        if chance(rng, 0.12) {
            if let Some(d) = exam(rng, add_years(mid, 5).max(ymd(2019, 1, 1))) {
                out.push(cert(QualificationLevel::Senior, d));
            }
        }
    }
    out
}

/// Picks an organisation for a spell starting no earlier than `from`:
/// social workers mostly work in 民办非企业单位, so other kinds are
/// accepted less often. Returns the index and the spell's first day.
fn pick_org(
    ctx: &Ctx,
    rng: &mut SmallRng,
    from: NaiveDate,
    avoid: Option<usize>,
) -> Option<(usize, NaiveDate, Option<NaiveDate>)> {
    let n = ctx.cfg.orgs;
    if n == 0 {
        return None;
    }
    let today = ctx.cfg.today;
    let mut fallback = None;
    for _ in 0..16 {
        let i = rng.gen_range(0..n);
        if Some(i) == avoid && n > 1 {
            continue;
        }
        let core = ctx.core(i);
        let start = from.max(core.registration_date);
        let open_until = core.ended.map(|e| plus_days(e, -1)).unwrap_or(today);
        if start > open_until.min(today) {
            continue;
        }
        let accept = match core.category {
            Category::Service => 1.0,
            Category::CommunityService => 0.6,
            Category::Foundation => 0.4,
            Category::Group => 0.3,
            Category::CommunityGroup => 0.15,
        };
        if chance(rng, accept) {
            return Some((i, start, core.ended));
        }
        fallback.get_or_insert((i, start, core.ended));
    }
    fallback
}

fn position(rng: &mut SmallRng, full_time: bool) -> Option<String> {
    let list = if full_time {
        vocab::POSITIONS_FULL_TIME
    } else {
        vocab::POSITIONS_PART_TIME
    };
    chance(rng, 0.95).then(|| weighted(rng, list).to_string())
}

/// One or two employments. A second full-time spell starts after the first
/// ended; a part-time one may run alongside.
fn employments(ctx: &Ctx, rng: &mut SmallRng, career_start: NaiveDate) -> Vec<(usize, Employment)> {
    let today = ctx.cfg.today;
    let Some((a, s1, ended_a)) = pick_org(ctx, rng, career_start, None) else {
        return Vec::new();
    };
    // A spell at an organisation that has ended, ends the day before.
    let forced_end = ended_a.map(|e| plus_days(e, -1));
    let e1 = forced_end.or_else(|| {
        let latest = plus_days(today, -60);
        (plus_days(s1, 180) < latest && chance(rng, 0.3))
            .then(|| date_between(rng, plus_days(s1, 180), latest))
    });
    let full_time_1 = chance(rng, 0.94);
    let first = Employment {
        start_date: s1,
        end_date: e1,
        labour_contract: if full_time_1 {
            chance(rng, 0.95)
        } else {
            chance(rng, 0.3)
        },
        full_time: full_time_1,
        position: position(rng, full_time_1),
    };
    let mut out = vec![(a, first)];
    if let Some(end1) = e1 {
        // Moved on after the first job.
        if chance(rng, 0.75) {
            let from = plus_days(end1, between(rng, 1, 90));
            if from <= today {
                if let Some((b, s2, ended_b)) = pick_org(ctx, rng, from, Some(a)) {
                    out.push((
                        b,
                        Employment {
                            start_date: s2,
                            end_date: ended_b.map(|e| plus_days(e, -1)),
                            labour_contract: chance(rng, 0.95),
                            full_time: true,
                            position: position(rng, true),
                        },
                    ));
                }
            }
        }
    } else if chance(rng, 0.12) {
        // A part-time role alongside the main job.
        let from = plus_days(s1, between(rng, 0, 3 * 365)).min(today);
        if let Some((b, s2, ended_b)) = pick_org(ctx, rng, from, Some(a)) {
            let end = match ended_b {
                Some(e) => Some(plus_days(e, -1)),
                None if chance(rng, 0.4) => Some(date_between(rng, s2, today)),
                None => None,
            };
            out.push((
                b,
                Employment {
                    start_date: s2,
                    end_date: end,
                    labour_contract: chance(rng, 0.3),
                    full_time: false,
                    position: position(rng, false),
                },
            ));
        }
    }
    out
}

/// A review for every year in which the person worked from before October,
/// up to the last complete year.
fn reviews(
    rng: &mut SmallRng,
    employments: &[(usize, Employment)],
    certified: bool,
    today: NaiveDate,
) -> Vec<AnnualReview> {
    let Some(first) = employments.iter().map(|(_, e)| e.start_date).min() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for y in first.year()..today.year() {
        let worked = employments.iter().any(|(_, e)| {
            e.start_date <= ymd(y, 9, 30) && e.end_date.is_none_or(|end| end >= year_start(y))
        });
        if !worked {
            continue;
        }
        let training_hours = if certified {
            between(rng, 24, 90)
        } else {
            between(rng, 8, 60)
        };
        let performance = weighted(
            rng,
            &[
                (Some(PerformanceRating::Excellent), 15),
                (Some(PerformanceRating::Good), 35),
                (Some(PerformanceRating::Qualified), 45),
                (Some(PerformanceRating::Unqualified), 2),
                (None, 3),
            ],
        );
        out.push(AnnualReview {
            year: y,
            training_hours,
            performance,
        });
    }
    out
}

/// Person `index`.
pub(crate) fn person(ctx: &Ctx, index: usize) -> DemoPerson {
    let today = ctx.cfg.today;
    let mut rng = record_rng(ctx.cfg.seed, Stream::Person, index as u64);
    let (birth, rank) = ctx.birth.locate(index);
    let female = chance(&mut rng, 0.7);
    let block = rank / SEQUENCES;
    let address = if block == 0 {
        weighted(&mut rng, vocab::ID_ADDRESSES)
    } else {
        let list = vocab::OVERFLOW_ID_ADDRESSES;
        list[((block - 1) % list.len() as u64) as usize]
    };
    // Distinct ranks on one day give distinct sequence numbers; the offset
    // keeps the first-born of every day from all being 001.
    let offset = u64::from(birth.ordinal()) * 7919 % SEQUENCES;
    let s = (rank % SEQUENCES + offset) % SEQUENCES;
    let sequence = if female { 2 * s + 2 } else { 2 * s + 1 };
    let body = format!(
        "{address}{:04}{:02}{:02}{sequence:03}",
        birth.year(),
        birth.month(),
        birth.day()
    );
    // The body is 17 digits with a real date no later than 21 years ago.
    let resident_id =
        ResidentId::from_body(&body, today).expect("a demo resident ID body is well formed");

    let name = person_name(&mut rng, female, birth.year());
    let phone = chance(&mut rng, 0.95).then(|| mobile(&mut rng));

    // Careers start at 21 or later (the profession took off in Shanghai in
    // 2003), earlier rather than later: people stay in the work for years.
    let earliest = add_years(birth, YOUNGEST).max(ymd(2003, 1, 1));
    let career_start = if earliest >= today {
        today
    } else {
        let span = days_between(earliest, today) as f64;
        plus_days(earliest, (span * rng.gen::<f64>().powf(1.3)) as i64)
    };
    let qualifications = qualifications(&mut rng, index, birth, today);
    let employments = employments(ctx, &mut rng, career_start);
    let certified = !qualifications.is_empty();
    let reviews = reviews(&mut rng, &employments, certified, today);
    let first_job = employments.iter().map(|(_, e)| e.start_date).min();
    let social_work_start_date = first_job.filter(|_| chance(&mut rng, 0.9)).map(|d| {
        // Some volunteered or interned before their first job.
        plus_days(d, -between(&mut rng, 0, 365)).max(add_years(birth, 18))
    });
    let senior_or_mid = qualifications
        .iter()
        .any(|q| q.level != QualificationLevel::Assistant);
    let experienced = social_work_start_date.is_some_and(|d| days_between(d, today) >= 5 * 365);
    let supervisor = senior_or_mid && experienced && chance(&mut rng, 0.3);
    DemoPerson {
        index,
        draft: PersonDraft {
            name,
            resident_id,
            phone,
            social_work_start_date,
            supervisor,
        },
        qualifications,
        employments,
        reviews,
    }
}
