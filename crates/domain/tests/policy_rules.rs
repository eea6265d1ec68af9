//! Worked cases and boundaries of R1–R11 (subsidies.md and CONTRACT.md), one
//! small registry per case. Each case lists every decision the engine makes
//! about the beneficiary, paid (amount in fen) or refused (reason code).

mod policy_support;

use gongyi_domain::policy::{evaluate, Policy, PolicyParams, Window};
use policy_support::*;

/// One case: its name, how to build the registry, the decisions expected.
type Case<'a> = (&'a str, fn(&mut World), &'a [&'a str]);

/// Runs `cases` of one organisation `O1`.
fn check_org_cases(policy: &Policy, cases: &[Case]) {
    let mut failures = Vec::new();
    for (name, setup, want) in cases {
        let mut w = World::new();
        setup(&mut w);
        let facts = w.build();
        let got = org_decisions(&facts, policy, "O1");
        if got != *want {
            failures.push(format!("{name}\n   got  {got:?}\n   want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn yangpu() -> Policy {
    Policy::yangpu()
}

/// `yangpu-2021` with some parameters overridden.
fn what_if(changes: &[(&str, &str)]) -> Policy {
    let mut p = PolicyParams::yangpu_2021();
    for (k, v) in changes {
        p.set(k, v).unwrap_or_else(|e| panic!("{k}: {e}"));
    }
    Policy::new(vec![p]).expect("policy")
}

#[test]
fn r2_startup_subsidy_boundaries() {
    check_org_cases(
        &yangpu(),
        &[
            (
                "a first 合格 inspection pays min(requested, 10,000 yuan)",
                |w| {
                    w.org("O1", "2021-03-01")
                        .inspection("O1", 2021, "QUALIFIED", "2022-03-10")
                        .application("O1", "2022-04-01", 1_328_889);
                },
                &["R2 2022-04-01 1000000"],
            ),
            (
                "a request below the cap is paid in full",
                |w| {
                    w.org("O1", "2021-03-01")
                        .inspection("O1", 2021, "QUALIFIED", "2022-03-10")
                        .application("O1", "2022-04-01", 654_321);
                },
                &["R2 2022-04-01 654321"],
            ),
            (
                "the day before the second anniversary is still young",
                |w| {
                    w.org("O1", "2021-03-01")
                        .inspection("O1", 2021, "QUALIFIED", "2022-01-10")
                        .application("O1", "2023-02-28", 1_000_000);
                },
                &["R2 2023-02-28 1000000"],
            ),
            (
                "exactly two years old on the application date is too old",
                |w| {
                    w.org("O1", "2021-03-01")
                        .inspection("O1", 2021, "QUALIFIED", "2022-01-10")
                        .application("O1", "2023-03-01", 1_000_000);
                },
                &["R2 2023-03-01 org.too_old"],
            ),
            (
                "a 29 February registration is two years old on 28 February",
                |w| {
                    w.org("O1", "2020-02-29")
                        .inspection("O1", 2020, "QUALIFIED", "2021-03-01")
                        .application("O1", "2022-02-27", 1_000_000);
                    w.org("O2", "2020-02-29");
                },
                &["R2 2022-02-27 1000000"],
            ),
            (
                "a 29 February registration applying on 28 February two years on",
                |w| {
                    w.org("O1", "2020-02-29")
                        .inspection("O1", 2020, "QUALIFIED", "2021-03-01")
                        .application("O1", "2022-02-28", 1_000_000);
                },
                &["R2 2022-02-28 org.too_old"],
            ),
            (
                "a 不合格 first inspection makes it ineligible for good",
                |w| {
                    w.org("O1", "2021-03-01")
                        .inspection("O1", 2021, "UNQUALIFIED", "2022-03-10")
                        .inspection("O1", 2022, "QUALIFIED", "2022-12-10")
                        .application("O1", "2023-01-05", 1_000_000);
                },
                &["R2 2023-01-05 startup.first_inspection_not_qualified"],
            ),
            (
                "a 基本合格 first inspection makes it ineligible too",
                |w| {
                    w.org("O1", "2021-03-01")
                        .inspection("O1", 2022, "QUALIFIED", "2022-12-10")
                        .inspection("O1", 2021, "BASICALLY_QUALIFIED", "2022-03-10")
                        .application("O1", "2023-01-05", 1_000_000);
                },
                &["R2 2023-01-05 startup.first_inspection_not_qualified"],
            ),
            (
                "the first inspection must be on record by the application date",
                |w| {
                    w.org("O1", "2021-03-01")
                        .inspection("O1", 2021, "QUALIFIED", "2022-03-10")
                        .application("O1", "2022-03-09", 1_000_000)
                        .application("O1", "2022-03-10", 900_000)
                        .application("O1", "2022-05-10", 800_000);
                },
                &[
                    "R2 2022-03-09 startup.first_inspection_not_yet_recorded",
                    "R2 2022-03-10 900000",
                    "R2 2022-05-10 startup.already_paid",
                ],
            ),
            (
                "no inspection on record",
                |w| {
                    w.org("O1", "2021-03-01")
                        .application("O1", "2022-03-09", 1_000_000);
                },
                &["R2 2022-03-09 startup.no_inspection"],
            ),
            (
                "the first and the day before the policy period",
                |w| {
                    w.org("O1", "2020-09-01")
                        .inspection("O1", 2020, "QUALIFIED", "2021-03-10")
                        .application("O1", "2021-07-20", 1_000_000)
                        .application("O1", "2021-07-21", 1_000_000);
                },
                &["R2 2021-07-21 1000000"],
            ),
            (
                "the last day of the policy period and the day after",
                |w| {
                    w.org("O1", "2024-03-01")
                        .inspection("O1", 2024, "QUALIFIED", "2025-03-10")
                        .application("O1", "2025-12-31", 1_000_000)
                        .application("O1", "2026-01-01", 1_000_000);
                },
                &["R2 2025-12-31 1000000"],
            ),
            (
                "on its deregistration day an organisation is no longer a district one",
                |w| {
                    w.org_with("O1", "2021-03-01", |o| {
                        o.deregistration_date = Some(d("2022-05-01"))
                    })
                    .inspection("O1", 2021, "QUALIFIED", "2022-03-10")
                    .application("O1", "2022-05-01", 1_000_000);
                },
                &["R2 2022-05-01 org.deregistered"],
            ),
            (
                "the day before deregistration it still is",
                |w| {
                    w.org_with("O1", "2021-03-01", |o| {
                        o.deregistration_date = Some(d("2022-05-01"))
                    })
                    .inspection("O1", 2021, "QUALIFIED", "2022-03-10")
                    .application("O1", "2022-04-30", 1_000_000);
                },
                &["R2 2022-04-30 1000000"],
            ),
            (
                "an organisation registered by the municipal bureau",
                |w| {
                    w.org_with("O1", "2021-03-01", |o| o.in_district = false)
                        .inspection("O1", 2021, "QUALIFIED", "2022-03-10")
                        .application("O1", "2022-04-01", 1_000_000);
                },
                &["R2 2022-04-01 org.not_district"],
            ),
        ],
    );
}

#[test]
fn r2_applications_outside_the_period_are_not_reported_and_do_not_count() {
    let mut w = World::new();
    w.org("O1", "2020-09-01")
        .inspection("O1", 2020, "QUALIFIED", "2021-03-10")
        .application("O1", "2021-07-01", 1_000_000)
        .application("O1", "2021-08-01", 1_000_000);
    let facts = w.build();
    // The query reports events of the whole period and says why an earlier one
    // pays nothing; the batch has only the paid row.
    let window = Window::new(d("2021-07-01"), d("2025-12-31"));
    let o = facts.find_org("O1").expect("O1");
    let lines: Vec<String> = gongyi_domain::policy::claims_of_org(&facts, &yangpu(), o, window)
        .iter()
        .map(|x| decision_line(&facts, x))
        .collect();
    assert_eq!(
        lines,
        [
            "R2 2021-07-01 policy.outside_period",
            "R2 2021-08-01 1000000"
        ]
    );
    assert_eq!(
        rows(&facts, &yangpu(), period()),
        ["R2 O1 2021-08-01 1000000"]
    );
}

#[test]
fn r3_rent_subsidy_boundaries() {
    check_org_cases(
        &yangpu(),
        &[
            (
                "rent is capped at 500 yuan; a month of no rent is not paid",
                |w| {
                    w.org("O1", "2022-01-10")
                        .lease("O1", "2022-02", 60_000)
                        .lease("O1", "2022-03", 45_000)
                        .lease("O1", "2022-04", 0);
                },
                &[
                    "R3 2022-02 50000",
                    "R3 2022-03 45000",
                    "R3 2022-04 rent.unpaid",
                ],
            ),
            (
                "July 2021 starts before the period; August 2021 is its first month",
                |w| {
                    w.org("O1", "2021-06-15").leases("O1", "2021-07", 2, 50_000);
                },
                &["R3 2021-08 50000"],
            ),
            (
                "December 2025 is the last month",
                |w| {
                    w.org("O1", "2025-06-15").leases("O1", "2025-12", 2, 50_000);
                },
                &["R3 2025-12 50000"],
            ),
            (
                "a month whose first day precedes the registration",
                |w| {
                    w.org("O1", "2022-03-15").leases("O1", "2022-03", 2, 50_000);
                },
                &["R3 2022-03 org.not_yet_registered", "R3 2022-04 50000"],
            ),
            (
                "a 29 February registration: February two years on is still young",
                |w| {
                    w.org("O1", "2020-02-29").leases("O1", "2022-01", 3, 50_000);
                },
                &[
                    "R3 2022-01 50000",
                    "R3 2022-02 50000",
                    "R3 2022-03 org.too_old",
                ],
            ),
            (
                "a month beginning on the deregistration day is not paid",
                |w| {
                    w.org_with("O1", "2022-01-10", |o| {
                        o.deregistration_date = Some(d("2023-05-01"))
                    })
                    .leases("O1", "2023-04", 2, 50_000);
                },
                &["R3 2023-04 50000", "R3 2023-05 org.deregistered"],
            ),
        ],
    );
}

#[test]
fn r3_the_24th_month_is_paid_and_the_25th_is_not() {
    // Registered on the first of a month, an organisation is young for
    // exactly 24 first days; the 25th lease month is refused for its age.
    let mut w = World::new();
    w.org("O1", "2021-08-01")
        .leases("O1", "2021-08", 26, 60_000);
    let facts = w.build();
    let got = org_decisions(&facts, &yangpu(), "O1");
    assert_eq!(got.len(), 26);
    assert_eq!(got[23], "R3 2023-07 50000");
    assert_eq!(got[24], "R3 2023-08 org.too_old");
    assert_eq!(rows(&facts, &yangpu(), period()).len(), 24);

    // With three years of youth (what-if), the 24-month limit binds instead,
    // counting paid months only.
    let three_years = what_if(&[("rent.max_age_years", "3")]);
    let mut w = World::new();
    w.org("O1", "2021-08-01")
        .leases("O1", "2021-08", 3, 60_000)
        .lease("O1", "2021-11", 0)
        .leases("O1", "2021-12", 23, 60_000);
    let facts = w.build();
    let got = org_decisions(&facts, &three_years, "O1");
    assert_eq!(got[3], "R3 2021-11 rent.unpaid");
    assert_eq!(got[24], "R3 2023-08 50000", "the 24th paid month");
    assert_eq!(got[25], "R3 2023-09 rent.months_used", "the 25th");
    assert_eq!(rows(&facts, &three_years, period()).len(), 24);
}

#[test]
fn r4_rating_awards_top_up_to_the_highest_level() {
    check_org_cases(
        &yangpu(),
        &[
            (
                "3A → 5A → 4A pays 10,000, then 40,000, then nothing",
                |w| {
                    w.org("O1", "2015-01-01")
                        .rating("O1", "3A", "2021-09-01")
                        .rating("O1", "5A", "2023-09-01")
                        .rating("O1", "4A", "2025-09-01");
                },
                &[
                    "R4 2021-09-01 1000000",
                    "R4 2023-09-01 4000000",
                    "R4 2025-09-01 rating.not_higher",
                ],
            ),
            (
                "a rating before the period neither pays nor reduces later awards",
                |w| {
                    w.org("O1", "2015-01-01")
                        .rating("O1", "3A", "2021-06-30")
                        .rating("O1", "5A", "2022-09-01");
                },
                &["R4 2022-09-01 5000000"],
            ),
            (
                "1A and 2A pay nothing and leave the full 3A award",
                |w| {
                    w.org("O1", "2015-01-01")
                        .rating("O1", "2A", "2021-09-01")
                        .rating("O1", "3A", "2022-09-01")
                        .rating("O1", "3A", "2024-09-01");
                },
                &[
                    "R4 2021-09-01 rating.not_higher",
                    "R4 2022-09-01 1000000",
                    "R4 2024-09-01 rating.not_higher",
                ],
            ),
            (
                "no condition on the organisation (a deregistered one is rated)",
                |w| {
                    w.org_with("O1", "2015-01-01", |o| {
                        o.in_district = false;
                        o.deregistration_date = Some(d("2020-01-01"));
                    })
                    .rating("O1", "4A", "2022-09-01");
                },
                &["R4 2022-09-01 3000000"],
            ),
        ],
    );
}

#[test]
fn r5_honours_pay_once_per_title_and_year() {
    check_org_cases(
        &yangpu(),
        &[
            (
                "national and municipal levels pay; others do not",
                |w| {
                    w.org("O1", "2015-01-01")
                        .honour("O1", "全国先进社会组织", "NATIONAL", "2022-03-01")
                        .honour("O1", "上海市文明单位", "MUNICIPAL", "2022-04-01")
                        .honour("O1", "杨浦区优秀社会组织", "DISTRICT", "2022-05-01")
                        .honour("O1", "行业协会优秀会员单位", "OTHER", "2022-06-01");
                },
                &[
                    "R5 全国先进社会组织|2022 8000000",
                    "R5 上海市文明单位|2022 5000000",
                    "R5 杨浦区优秀社会组织|2022 honour.level_not_paid",
                    "R5 行业协会优秀会员单位|2022 honour.level_not_paid",
                ],
            ),
            (
                "the same title twice in a year is paid once; the next year again",
                |w| {
                    w.org("O1", "2015-01-01")
                        .honour("O1", "上海市文明单位", "MUNICIPAL", "2022-03-01")
                        .honour("O1", "上海市文明单位", "MUNICIPAL", "2022-11-01")
                        .honour("O1", "上海市文明单位", "MUNICIPAL", "2023-03-01");
                },
                &[
                    "R5 上海市文明单位|2022 5000000",
                    "R5 上海市文明单位|2022 honour.already_paid",
                    "R5 上海市文明单位|2023 5000000",
                ],
            ),
            (
                "paid on the first payable record of the title",
                |w| {
                    w.org_with("O1", "2022-05-01", |_| {})
                        .honour("O1", "上海市文明单位", "MUNICIPAL", "2022-03-01")
                        .honour("O1", "上海市文明单位", "MUNICIPAL", "2022-06-01");
                },
                &[
                    "R5 上海市文明单位|2022 org.not_yet_registered",
                    "R5 上海市文明单位|2022 5000000",
                ],
            ),
            (
                "an honour received on the deregistration day",
                |w| {
                    w.org_with("O1", "2015-01-01", |o| {
                        o.deregistration_date = Some(d("2023-05-10"))
                    })
                    .honour("O1", "上海市文明单位", "MUNICIPAL", "2023-05-09")
                    .honour(
                        "O1",
                        "全国先进社会组织",
                        "NATIONAL",
                        "2023-05-10",
                    );
                },
                &[
                    "R5 上海市文明单位|2023 5000000",
                    "R5 全国先进社会组织|2023 org.deregistered",
                ],
            ),
        ],
    );
}

#[test]
fn r5_rows_are_ordered_by_the_event_key_as_a_string() {
    let mut w = World::new();
    w.org("O1", "2015-01-01")
        .honour("O1", "B 奖", "MUNICIPAL", "2022-03-01")
        .honour("O1", "A 奖", "MUNICIPAL", "2023-03-01")
        .honour("O1", "A", "NATIONAL", "2024-03-01");
    let facts = w.build();
    // "A 奖|2023" < "A|2024" because ' ' sorts before '|'.
    assert_eq!(
        rows(&facts, &yangpu(), period()),
        [
            "R5 O1 A 奖|2023 5000000",
            "R5 O1 A|2024 8000000",
            "R5 O1 B 奖|2022 5000000"
        ]
    );
}

#[test]
fn r6_venture_match_halves_rounding_down_and_caps() {
    check_org_cases(
        &yangpu(),
        &[
            (
                "half of an odd amount rounds down to the fen",
                |w| {
                    w.org("O1", "2015-01-01")
                        .venture("O1", "GY-1", 3_333_333, "2022-06-01")
                        .venture("O1", "GY-2", 3, "2022-06-01")
                        .venture("O1", "GY-3", 1, "2022-06-01");
                },
                &["R6 GY-1 1666666", "R6 GY-2 1", "R6 GY-3 amount.zero"],
            ),
            (
                "the match is capped at 50,000 yuan",
                |w| {
                    w.org("O1", "2015-01-01")
                        .venture("O1", "GY-1", 10_000_001, "2022-06-01")
                        .venture("O1", "GY-2", 12_000_000, "2022-06-01")
                        .venture("O1", "GY-3", 9_999_999, "2022-06-01");
                },
                &["R6 GY-1 5000000", "R6 GY-2 5000000", "R6 GY-3 4999999"],
            ),
            (
                "selected before the period: nothing",
                |w| {
                    w.org("O1", "2015-01-01")
                        .venture("O1", "GY-1", 1_000_000, "2021-05-20");
                },
                &[],
            ),
            (
                "no condition on the organisation",
                |w| {
                    w.org_with("O1", "2015-01-01", |o| o.in_district = false)
                        .venture("O1", "GY-1", 1_000_000, "2022-05-20");
                },
                &["R6 GY-1 500000"],
            ),
        ],
    );
}

#[test]
fn r7_competition_match_once_per_project() {
    check_org_cases(
        &yangpu(),
        &[
            (
                "the first eligible win is paid, later wins nothing",
                |w| {
                    w.org("O1", "2015-01-01")
                        .win(
                            "O1",
                            "CP1",
                            "MUNICIPAL",
                            Some(3),
                            4_000_001,
                            true,
                            "2022-06-01",
                        )
                        .win(
                            "O1",
                            "CP1",
                            "NATIONAL",
                            Some(1),
                            20_000_000,
                            true,
                            "2023-06-01",
                        );
                },
                &["R7 CP1 2000000", "R7 CP1 competition.already_paid"],
            ),
            (
                "ineligible wins do not use up the project's match",
                |w| {
                    w.org("O1", "2015-01-01")
                        .win(
                            "O1",
                            "CP1",
                            "MUNICIPAL",
                            None,
                            1_000_000,
                            true,
                            "2022-01-01",
                        )
                        .win(
                            "O1",
                            "CP1",
                            "MUNICIPAL",
                            Some(4),
                            1_000_000,
                            true,
                            "2022-02-01",
                        )
                        .win(
                            "O1",
                            "CP1",
                            "DISTRICT",
                            Some(1),
                            1_000_000,
                            true,
                            "2022-03-01",
                        )
                        .win(
                            "O1",
                            "CP1",
                            "NATIONAL",
                            Some(2),
                            1_000_000,
                            false,
                            "2022-04-01",
                        )
                        .win(
                            "O1",
                            "CP1",
                            "NATIONAL",
                            Some(2),
                            1_000_000,
                            true,
                            "2022-05-01",
                        );
                },
                &[
                    "R7 CP1 competition.unranked",
                    "R7 CP1 competition.place_too_low",
                    "R7 CP1 competition.level_too_low",
                    "R7 CP1 competition.not_serving_district",
                    "R7 CP1 500000",
                ],
            ),
            (
                "only district organisations",
                |w| {
                    w.org_with("O1", "2015-01-01", |o| o.in_district = false)
                        .win(
                            "O1",
                            "CP1",
                            "NATIONAL",
                            Some(1),
                            1_000_000,
                            true,
                            "2022-05-01",
                        );
                },
                &["R7 CP1 org.not_district"],
            ),
        ],
    );
}

/// A district employer and a social worker with a labour contract there.
fn worker(w: &mut World, qualification: Option<(&str, &str)>, start: Option<&str>) {
    w.org("O1", "2010-01-01")
        .person("P1", qualification, start)
        .job("P1", "O1", "2020-01-01", None, true);
}

fn months_of(lines: Vec<String>, from: &str, to: &str) -> Vec<String> {
    lines
        .into_iter()
        .filter(|l| {
            let month = l.split(' ').nth(1).unwrap_or("");
            l.starts_with("R9 ") && from <= month && month <= to
        })
        .collect()
}

#[test]
fn r9_salary_subsidy_per_month() {
    // 助理 800 + seniority (3 full years from 2019-06-01 on 2022-06-01) + 良好 100.
    let mut w = World::new();
    worker(
        &mut w,
        Some(("ASSISTANT", "2019-01-01")),
        Some("2019-06-01"),
    );
    w.performance("P1", 2021, "GOOD");
    let facts = w.build();
    let got = months_of(
        person_decisions(&facts, &yangpu(), "P1"),
        "2021-12",
        "2022-07",
    );
    assert_eq!(
        got,
        [
            "R9 2021-12 salary.performance_missing",
            "R9 2022-01 90000",
            "R9 2022-02 90000",
            "R9 2022-03 90000",
            "R9 2022-04 90000",
            "R9 2022-05 90000",
            "R9 2022-06 100000",
            "R9 2022-07 100000",
        ]
    );
}

#[test]
fn r9_boundaries() {
    let policy = yangpu();
    type Setup = fn(&mut World);
    let cases: &[(&str, Setup, &str, &str, &[&str])] = &[
        (
            "senior, six years, 优秀: 1,600 + 200 + 200 = 2,000 (the cap)",
            |w| {
                worker(w, Some(("SENIOR", "2015-01-01")), Some("2010-01-01"));
                w.performance("P1", 2022, "EXCELLENT");
            },
            "2023-01",
            "2023-01",
            &["R9 2023-01 200000"],
        ),
        (
            "the qualification counts from the first day of the month it is dated",
            |w| {
                worker(w, Some(("INTERMEDIATE", "2023-03-01")), None);
                w.performance("P1", 2022, "QUALIFIED");
            },
            "2023-02",
            "2023-03",
            &["R9 2023-02 salary.qualification_later", "R9 2023-03 120000"],
        ),
        (
            "no qualification",
            |w| {
                worker(w, None, None);
                w.performance("P1", 2022, "EXCELLENT");
            },
            "2023-01",
            "2023-01",
            &["R9 2023-01 salary.no_qualification"],
        ),
        (
            "an employment ending the day before the first is over",
            |w| {
                w.org("O1", "2010-01-01")
                    .person("P1", Some(("ASSISTANT", "2015-01-01")), None)
                    .job("P1", "O1", "2020-01-01", Some("2023-05-31"), true)
                    .performance("P1", 2022, "QUALIFIED");
            },
            "2023-05",
            "2023-06",
            &["R9 2023-05 80000", "R9 2023-06 employment.no_contract"],
        ),
        (
            "an employment ending on the first still counts that month",
            |w| {
                w.org("O1", "2010-01-01")
                    .person("P1", Some(("ASSISTANT", "2015-01-01")), None)
                    .job("P1", "O1", "2020-01-01", Some("2023-06-01"), true)
                    .performance("P1", 2022, "QUALIFIED");
            },
            "2023-06",
            "2023-07",
            &["R9 2023-06 80000", "R9 2023-07 employment.no_contract"],
        ),
        (
            "without a labour contract",
            |w| {
                w.org("O1", "2010-01-01")
                    .person("P1", Some(("ASSISTANT", "2015-01-01")), None)
                    .job("P1", "O1", "2020-01-01", None, false)
                    .performance("P1", 2022, "QUALIFIED");
            },
            "2023-01",
            "2023-01",
            &["R9 2023-01 employment.no_contract"],
        ),
        (
            "two employers pay one subsidy",
            |w| {
                worker(w, Some(("ASSISTANT", "2015-01-01")), None);
                w.org("O2", "2010-01-01")
                    .job("P1", "O2", "2020-01-01", None, true)
                    .performance("P1", 2022, "QUALIFIED");
            },
            "2023-01",
            "2023-01",
            &["R9 2023-01 80000"],
        ),
        (
            "an employer deregistered on the first of the month",
            |w| {
                w.org_with("O1", "2010-01-01", |o| {
                    o.deregistration_date = Some(d("2023-02-01"))
                })
                .person("P1", Some(("ASSISTANT", "2015-01-01")), None)
                .job("P1", "O1", "2020-01-01", None, true)
                .performance("P1", 2022, "QUALIFIED");
            },
            "2023-01",
            "2023-02",
            &["R9 2023-01 80000", "R9 2023-02 employment.no_contract"],
        ),
        (
            "an employer registered by the municipal bureau",
            |w| {
                w.org_with("O1", "2010-01-01", |o| o.in_district = false)
                    .person("P1", Some(("ASSISTANT", "2015-01-01")), None)
                    .job("P1", "O1", "2020-01-01", None, true)
                    .performance("P1", 2022, "QUALIFIED");
            },
            "2023-01",
            "2023-01",
            &["R9 2023-01 employment.no_contract"],
        ),
        (
            "the previous year's 不合格 pays nothing",
            |w| {
                worker(w, Some(("ASSISTANT", "2015-01-01")), None);
                w.performance("P1", 2022, "UNQUALIFIED")
                    .performance("P1", 2023, "GOOD");
            },
            "2023-12",
            "2024-01",
            &["R9 2023-12 salary.performance_not_paid", "R9 2024-01 90000"],
        ),
        (
            "August 2021 is the first month and December 2025 the last",
            |w| {
                worker(w, Some(("ASSISTANT", "2015-01-01")), None);
                for y in 2020..=2024 {
                    w.performance("P1", y, "QUALIFIED");
                }
            },
            "2021-01",
            "2026-12",
            &[],
        ),
    ];
    let mut failures = Vec::new();
    for (name, setup, from, to, want) in cases {
        let mut w = World::new();
        setup(&mut w);
        let facts = w.build();
        let got = months_of(person_decisions(&facts, &policy, "P1"), from, to);
        if name.starts_with("August") {
            let first = got.first().map(String::as_str);
            let last = got.last().map(String::as_str);
            if (first, last, got.len()) != (Some("R9 2021-08 80000"), Some("R9 2025-12 80000"), 53)
            {
                failures.push(format!(
                    "{name}: {first:?} … {last:?}, {} months",
                    got.len()
                ));
            }
        } else if got != *want {
            failures.push(format!("{name}\n   got  {got:?}\n   want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn r9_amounts_are_clamped_between_the_minimum_and_the_maximum() {
    let policy = what_if(&[
        ("salary.base.SENIOR", "1900"),
        ("salary.base.ASSISTANT", "500"),
    ]);
    let mut w = World::new();
    w.org("O1", "2010-01-01")
        .person("P1", Some(("SENIOR", "2015-01-01")), Some("2010-01-01"))
        .person("P2", Some(("ASSISTANT", "2015-01-01")), None)
        .job("P1", "O1", "2020-01-01", None, true)
        .job("P2", "O1", "2020-01-01", None, true)
        .performance("P1", 2022, "EXCELLENT")
        .performance("P2", 2022, "QUALIFIED");
    let facts = w.build();
    assert_eq!(
        rows(
            &facts,
            &policy,
            Window::new(d("2023-01-01"), d("2023-01-31"))
        ),
        ["R9 P1 2023-01 200000", "R9 P2 2023-01 80000"]
    );
}

#[test]
fn r10_best_two_supervisors_with_tie_breaks() {
    let mut w = World::new();
    w.person("P1", Some(("SENIOR", "2018-01-01")), None)
        .person("P2", Some(("SENIOR", "2018-01-01")), None)
        .person("P3", Some(("SENIOR", "2019-01-01")), None)
        .person("P4", Some(("SENIOR", "2015-01-01")), None)
        .person("P5", None, None)
        .person("P6", Some(("INTERMEDIATE", "2020-01-01")), None)
        // 2023: P3 has the best score; P2 and P4 tie on score and hours, and
        // P4 qualified earlier.
        .review("P1", 2023, "95", 10)
        .review("P2", 2023, "95.0", 20)
        .review("P3", 2023, "97.5", 5)
        .review("P4", 2023, "95.0", 20)
        // 2024: all tie on score and hours; no qualification sorts last, then ids.
        .review("P5", 2024, "90", 8)
        .review("P6", 2024, "90", 8)
        .review("P1", 2024, "90", 8)
        // 2021 counts (dated 2021-12-31); 2020 is before the period.
        .review("P1", 2021, "60", 1)
        .review("P2", 2020, "99", 100);
    let facts = w.build();
    assert_eq!(
        rows(&facts, &yangpu(), period()),
        [
            "R10 P1 2021 500000",
            "R10 P1 2024 500000",
            "R10 P3 2023 500000",
            "R10 P4 2023 500000",
            "R10 P6 2024 500000",
        ]
    );
    let r10 = |id| -> Vec<String> {
        person_decisions(&facts, &yangpu(), id)
            .into_iter()
            .filter(|l| l.starts_with("R10"))
            .collect()
    };
    assert_eq!(r10("P2"), ["R10 2023 supervisor.not_selected"]);
    assert_eq!(r10("P5"), ["R10 2024 supervisor.not_selected"]);
}

#[test]
fn r11_senior_award_on_the_first_qualifying_decision() {
    let mut w = World::new();
    w.org("O1", "2010-01-01")
        .person("P1", Some(("SENIOR", "2022-03-01")), None)
        .job("P1", "O1", "2020-01-01", None, true)
        .decision("P1", "2022-01-10", true)
        .decision("P1", "2022-06-01", false)
        .decision("P1", "2022-09-01", true)
        .decision("P1", "2023-09-01", true)
        // Qualified before the period.
        .person("P2", Some(("SENIOR", "2021-07-20")), None)
        .job("P2", "O1", "2020-01-01", None, true)
        .decision("P2", "2022-09-01", true)
        // Not senior.
        .person("P3", Some(("INTERMEDIATE", "2022-03-01")), None)
        .job("P3", "O1", "2020-01-01", None, true)
        .decision("P3", "2022-09-01", true)
        // No labour contract on the decision date.
        .person("P4", Some(("SENIOR", "2022-03-01")), None)
        .job("P4", "O1", "2020-01-01", Some("2022-08-31"), true)
        .decision("P4", "2022-09-01", true);
    let facts = w.build();
    let r11 = |id| -> Vec<String> {
        person_decisions(&facts, &yangpu(), id)
            .into_iter()
            .filter(|l| l.starts_with("R11"))
            .collect()
    };
    assert_eq!(
        r11("P1"),
        [
            "R11 2022-01-10 senior.qualification_after_decision",
            "R11 2022-06-01 senior.no_contribution",
            "R11 2022-09-01 3000000",
            "R11 2023-09-01 senior.already_paid",
        ]
    );
    assert_eq!(
        r11("P2"),
        ["R11 2022-09-01 senior.qualification_outside_period"]
    );
    assert_eq!(r11("P3"), ["R11 2022-09-01 senior.not_senior"]);
    assert_eq!(r11("P4"), ["R11 2022-09-01 employment.no_contract"]);
}

#[test]
fn r1_registration_checks_for_district_registrations_in_the_period() {
    let mut w = World::new();
    w.org_with("O1", "2022-01-01", |o| {
        o.community = true;
        o.fresh_graduate = true;
        o.registered_capital = gongyi_domain::Fen::yuan(5_000);
    })
    // A fresh graduate's organisation that is not a community one takes
    // its kind's general minimum.
    .org_with("O2", "2022-01-01", |o| {
        o.fresh_graduate = true;
        o.registered_capital = gongyi_domain::Fen::yuan(99_999);
    })
    .org_with("O3", "2021-07-20", |o| {
        o.registered_capital = gongyi_domain::Fen(0)
    })
    .org_with("O4", "2022-01-01", |o| {
        o.in_district = false;
        o.registered_capital = gongyi_domain::Fen(0);
    })
    .org_with("O5", "2025-12-31", |o| {
        o.kind = gongyi_domain::orgs::OrgKind::Foundation;
        o.registered_capital = gongyi_domain::Fen::yuan(2_000_000);
    });
    let facts = w.build();
    let e = evaluate(&facts, &yangpu(), period());
    let got: Vec<String> = e
        .registration_checks
        .iter()
        .map(|c| {
            format!(
                "{} {} {} {}",
                facts.org_id(c.org),
                c.check.minimum.get(),
                c.capital.get(),
                c.check.ok
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "O1 500000 500000 true",
            "O2 10000000 9999900 false",
            "O5 200000000 200000000 true"
        ]
    );
}

#[test]
fn a_window_reports_its_own_events_but_earlier_ones_still_count() {
    let mut w = World::new();
    w.org("O1", "2015-01-01")
        .rating("O1", "3A", "2021-09-01")
        .rating("O1", "5A", "2023-09-01");
    let facts = w.build();
    assert_eq!(
        rows(&facts, &yangpu(), Window::year(2023)),
        ["R4 O1 2023-09-01 4000000"]
    );
}

#[test]
fn a_later_version_applies_from_its_own_start_date() {
    // Hypothetical: the 2021 version ends with 2023; a 2024 version raises
    // the rent cap and the 5A award. Limits and amounts already paid carry over.
    let mut v2021 = PolicyParams::yangpu_2021();
    v2021.set("period.to", "2023-12-31").expect("set");
    let mut v2024 = PolicyParams::yangpu_2021();
    v2024.version = "yangpu-2024-what-if";
    v2024.set("period.from", "2024-01-01").expect("set");
    v2024.set("rent.monthly_cap", "800").expect("set");
    v2024.set("rating.5A", "60000").expect("set");
    let policy = Policy::new(vec![v2024, v2021]).expect("versions");

    let mut w = World::new();
    w.org("O1", "2022-06-15")
        .leases("O1", "2023-11", 4, 90_000)
        .rating("O1", "3A", "2023-09-01")
        .rating("O1", "5A", "2024-09-01");
    let facts = w.build();
    assert_eq!(
        rows(&facts, &policy, period()),
        [
            "R3 O1 2023-11 50000",
            "R3 O1 2023-12 50000",
            "R3 O1 2024-01 80000",
            "R3 O1 2024-02 80000",
            "R4 O1 2023-09-01 1000000",
            "R4 O1 2024-09-01 5000000",
        ]
    );
    let o = facts.find_org("O1").expect("O1");
    let versions: Vec<&str> = gongyi_domain::policy::claims_of_org(&facts, &policy, o, period())
        .iter()
        .map(|x| x.explain(&facts, &policy).version.unwrap_or("-"))
        .collect();
    assert_eq!(
        versions,
        [
            "yangpu-2021",
            "yangpu-2021",
            "yangpu-2024-what-if",
            "yangpu-2024-what-if",
            "yangpu-2021",
            "yangpu-2024-what-if"
        ]
    );
    assert!(Policy::new(vec![
        PolicyParams::yangpu_2021(),
        PolicyParams::yangpu_2021()
    ])
    .is_err());
}
