//! Properties of the policy engine over random small registries: caps hold,
//! rating awards add up to the highest level reached, rent months stay within
//! 24, salary months within 800–2,000 yuan, and the way a batch is split
//! (threads, windows) does not change its rows.

mod policy_support;

use chrono::{Duration, NaiveDate};
use gongyi_domain::history::{HonourLevel, InspectionResult, RatingLevel};
use gongyi_domain::orgs::OrgKind;
use gongyi_domain::people::{PerformanceRating, QualificationLevel};
use gongyi_domain::policy::facts::{
    CompetitionLevel, CompetitionWin, Employment, Inspection, Lease, Org, OrgIx, Performance,
    Person, Qualification, Rating, Score, SeniorAwardDecision, StartupApplication,
};
use gongyi_domain::policy::{
    evaluate, evaluate_parallel, Entitlement, Facts, FactsBuilder, Policy, PolicyParams, Rule,
    Window, YearMonth,
};
use gongyi_domain::Fen;
use policy_support::{d, period};
use proptest::prelude::*;
use std::collections::HashMap;

/// A day from 2019-01-01 to the end of 2026.
fn day() -> impl Strategy<Value = NaiveDate> {
    (0i64..8 * 365).prop_map(|n| d("2019-01-01") + Duration::days(n))
}

fn pick<T: Copy + std::fmt::Debug + 'static>(all: &'static [T]) -> impl Strategy<Value = T> {
    proptest::sample::select(all)
}

#[derive(Debug, Clone)]
struct OrgSpec {
    org: Org,
    inspections: Vec<(i32, InspectionResult, NaiveDate)>,
    applications: Vec<(NaiveDate, i64)>,
    /// (months after 2021-01, rent)
    leases: Vec<(u8, i64)>,
    ratings: Vec<(RatingLevel, NaiveDate)>,
    honours: Vec<(u8, HonourLevel, NaiveDate)>,
    ventures: Vec<(i64, NaiveDate)>,
    wins: Vec<(u8, CompetitionLevel, Option<u32>, i64, bool, NaiveDate)>,
}

#[derive(Debug, Clone)]
struct PersonSpec {
    person: Person,
    jobs: Vec<(usize, NaiveDate, Option<u16>, bool)>,
    performance: Vec<(i32, PerformanceRating)>,
    review: Option<(i32, u32, u32)>,
    decisions: Vec<(NaiveDate, bool)>,
}

fn org_spec() -> impl Strategy<Value = OrgSpec> {
    let org = (
        pick(OrgKind::ALL),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.85),
        day(),
        prop::option::weighted(0.2, day()),
        0i64..30_000_000,
    )
        .prop_map(
            |(kind, community, fresh, in_district, reg, dereg, capital)| Org {
                kind,
                community,
                fresh_graduate: fresh,
                in_district,
                registration_date: reg,
                deregistration_date: dereg.filter(|x| *x > reg),
                registered_capital: Fen(capital),
            },
        );
    (
        org,
        prop::collection::vec((2019i32..2026, pick(InspectionResult::ALL), day()), 0..3),
        prop::collection::vec((day(), 1i64..2_000_000), 0..3),
        prop::collection::btree_map(0u8..70, 0i64..90_000, 0..40),
        prop::collection::vec((pick(RatingLevel::ALL), day()), 0..4),
        prop::collection::vec((0u8..3, pick(HonourLevel::ALL), day()), 0..4),
        prop::collection::vec((0i64..15_000_000, day()), 0..2),
        prop::collection::vec(
            (
                0u8..3,
                pick(CompetitionLevel::ALL),
                prop::option::of(1u32..6),
                0i64..15_000_000,
                any::<bool>(),
                day(),
            ),
            0..3,
        ),
    )
        .prop_map(
            |(org, inspections, applications, leases, ratings, honours, ventures, wins)| {
                // Unique keys, as the contract requires.
                let mut inspections = inspections;
                inspections.sort_by_key(|i| i.0);
                inspections.dedup_by_key(|i| i.0);
                let mut applications = applications;
                applications.sort_by_key(|a| a.0);
                applications.dedup_by_key(|a| a.0);
                let mut ratings = ratings;
                ratings.sort_by_key(|r| r.1);
                ratings.dedup_by_key(|r| r.1);
                OrgSpec {
                    org,
                    inspections,
                    applications,
                    leases: leases.into_iter().collect(),
                    ratings,
                    honours,
                    ventures,
                    wins,
                }
            },
        )
}

fn person_spec(n_orgs: usize) -> impl Strategy<Value = PersonSpec> {
    let qualification = prop::option::weighted(
        0.8,
        (pick(QualificationLevel::ALL), day())
            .prop_map(|(level, date)| Qualification { level, date }),
    );
    (
        qualification,
        prop::option::of(day()),
        prop::collection::vec(
            (
                0..n_orgs,
                day(),
                prop::option::of(0u16..1500),
                prop::bool::weighted(0.8),
            ),
            0..3,
        ),
        prop::collection::btree_map(2019i32..2026, pick(PerformanceRating::ALL), 0..7),
        prop::option::weighted(0.3, (2020i32..2026, 0u32..1001, 0u32..50)),
        prop::collection::btree_map(day(), any::<bool>(), 0..3),
    )
        .prop_map(
            |(qualification, start, jobs, performance, review, decisions)| PersonSpec {
                person: Person {
                    qualification,
                    social_work_start: start,
                },
                jobs,
                performance: performance.into_iter().collect(),
                review,
                decisions: decisions.into_iter().collect(),
            },
        )
}

fn world() -> impl Strategy<Value = (Vec<OrgSpec>, Vec<PersonSpec>)> {
    (1usize..6).prop_flat_map(|n| {
        (
            prop::collection::vec(org_spec(), n),
            prop::collection::vec(person_spec(n), 0..8),
        )
    })
}

fn build(orgs: &[OrgSpec], people: &[PersonSpec]) -> Facts {
    let mut b = FactsBuilder::new();
    let oid = |i: usize| format!("O{i:07}");
    for (i, o) in orgs.iter().enumerate() {
        let id = oid(i);
        b.add_org(&id, o.org).expect("org");
        for &(year, result, date) in &o.inspections {
            b.add_inspection(&id, Inspection { year, result, date })
                .expect("inspection");
        }
        for &(date, fen) in &o.applications {
            let a = StartupApplication {
                date,
                requested: Fen(fen),
            };
            b.add_startup_application(&id, a).expect("application");
        }
        for &(m, rent) in &o.leases {
            let month =
                YearMonth::new(2021 + i32::from(m) / 12, u32::from(m) % 12 + 1).expect("month");
            b.add_lease(
                &id,
                Lease {
                    month,
                    rent_paid: Fen(rent),
                },
            )
            .expect("lease");
        }
        for &(level, date) in &o.ratings {
            b.add_rating(&id, Rating { level, date }).expect("rating");
        }
        for &(t, level, date) in &o.honours {
            b.add_honour(&id, &format!("荣誉{t}"), level, date)
                .expect("honour");
        }
        for (k, &(amount, date)) in o.ventures.iter().enumerate() {
            b.add_venture_project(&id, &format!("GY-{i}-{k}"), Fen(amount), date)
                .expect("venture");
        }
        let mut seen = std::collections::HashSet::new();
        for &(p, level, place, amount, serves, date) in &o.wins {
            let project = format!("CP-{i}-{p}");
            if !seen.insert((project.clone(), date)) {
                continue;
            }
            let w = CompetitionWin {
                org: OrgIx(0),
                project: 0,
                level,
                place,
                amount: Fen(amount),
                serves_district: serves,
                date,
            };
            b.add_competition_win(&id, &project, w).expect("win");
        }
    }
    for (i, p) in people.iter().enumerate() {
        let id = format!("P{i:08}");
        b.add_person(&id, p.person).expect("person");
        for &(o, start, days, contract) in &p.jobs {
            let e = Employment {
                org: OrgIx(0),
                start_date: start,
                end_date: days.map(|n| start + Duration::days(i64::from(n))),
                labour_contract: contract,
                full_time: true,
            };
            b.add_employment(&id, &oid(o), e).expect("employment");
        }
        for &(year, rating) in &p.performance {
            b.add_performance(&id, Performance { year, rating })
                .expect("performance");
        }
        if let Some((year, score, hours)) = p.review {
            b.add_supervisor_review(&id, year, Score(score), hours)
                .expect("review");
        }
        for &(date, innovative) in &p.decisions {
            let x = SeniorAwardDecision {
                date,
                innovative_contribution: innovative,
            };
            b.add_senior_award_decision(&id, x).expect("decision");
        }
    }
    b.build().expect("facts")
}

fn cap_of(p: &PolicyParams, rule: Rule) -> Fen {
    match rule {
        Rule::R2 => p.startup_cap,
        Rule::R3 => p.rent_monthly_cap,
        Rule::R4 => p.rating_amounts.iter().copied().max().unwrap_or_default(),
        Rule::R5 => p.honour_amounts.iter().copied().max().unwrap_or_default(),
        Rule::R6 => p.venture_cap,
        Rule::R7 => p.competition_cap,
        Rule::R9 => p.salary_max,
        Rule::R10 => p.supervisor_award,
        Rule::R11 => p.senior_award,
    }
}

fn all_rows(facts: &Facts, policy: &Policy, w: Window) -> Vec<Entitlement> {
    evaluate(facts, policy, w).entitlements().collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_amount_is_above_its_cap_or_below_one_fen((orgs, people) in world()) {
        let facts = build(&orgs, &people);
        let policy = Policy::yangpu();
        let p = PolicyParams::yangpu_2021();
        for e in all_rows(&facts, &policy, period()) {
            prop_assert!(e.amount > Fen::ZERO, "{e:?}");
            prop_assert!(e.amount <= cap_of(&p, e.rule), "{e:?}");
        }
    }

    #[test]
    fn rating_awards_sum_to_the_highest_level_reached_in_the_period((orgs, people) in world()) {
        let facts = build(&orgs, &people);
        let p = PolicyParams::yangpu_2021();
        let mut paid: HashMap<u32, Fen> = HashMap::new();
        for e in all_rows(&facts, &Policy::yangpu(), period()) {
            if e.rule == Rule::R4 {
                *paid.entry(e.beneficiary).or_default() += e.amount;
            }
        }
        for o in facts.orgs() {
            let highest = facts
                .ratings(o)
                .iter()
                .filter(|r| period().contains(r.date))
                .map(|r| p.rating_amount(r.level))
                .max()
                .unwrap_or_default();
            prop_assert_eq!(paid.get(&o.0).copied().unwrap_or_default(), highest);
        }
    }

    #[test]
    fn rent_is_paid_for_at_most_24_months((orgs, people) in world()) {
        let facts = build(&orgs, &people);
        // Five years of youth make the 24-month limit the binding one.
        let mut long = PolicyParams::yangpu_2021();
        long.set("rent.max_age_years", "5").expect("set");
        for policy in [Policy::yangpu(), Policy::new(vec![long]).expect("policy")] {
            let mut months: HashMap<u32, usize> = HashMap::new();
            for e in all_rows(&facts, &policy, period()) {
                if e.rule == Rule::R3 {
                    *months.entry(e.beneficiary).or_default() += 1;
                }
            }
            prop_assert!(months.values().all(|&n| n <= 24), "{months:?}");
        }
    }

    #[test]
    fn salary_months_are_between_800_and_2000_yuan((orgs, people) in world()) {
        let facts = build(&orgs, &people);
        let mut seen = std::collections::HashSet::new();
        for e in all_rows(&facts, &Policy::yangpu(), period()) {
            if e.rule == Rule::R9 {
                prop_assert!(
                    (Fen(80_000)..=Fen(200_000)).contains(&e.amount),
                    "{e:?}"
                );
                // One subsidy per person per month, however many employers.
                prop_assert!(seen.insert((e.beneficiary, e.key)), "{e:?}");
            }
        }
    }

    #[test]
    fn threads_and_yearly_windows_give_the_same_rows((orgs, people) in world()) {
        let facts = build(&orgs, &people);
        let policy = Policy::yangpu();
        let whole = all_rows(&facts, &policy, period());
        let threaded: Vec<Entitlement> =
            evaluate_parallel(&facts, &policy, period(), 3).entitlements().collect();
        prop_assert_eq!(&threaded, &whole);
        let mut by_year: Vec<Entitlement> = (2021..=2025)
            .flat_map(|y| {
                let w = Window::year(y);
                let w = Window::new(w.from.max(period().from), w.to);
                all_rows(&facts, &policy, w)
            })
            .collect();
        let mut whole = whole;
        let key = |e: &Entitlement| (e.rule, e.beneficiary, format!("{}", e.key.display(&facts)));
        by_year.sort_by_key(key);
        whole.sort_by_key(key);
        prop_assert_eq!(by_year, whole);
    }
}
