//! A small registry built in code for the policy tests, and renderings of
//! rows and decisions as one-line strings that read like the contract.

#![allow(dead_code, reason = "each test file uses a different part")]

use chrono::NaiveDate;
use gongyi_domain::history::{HonourLevel, InspectionResult, RatingLevel};
use gongyi_domain::orgs::OrgKind;
use gongyi_domain::people::{PerformanceRating, QualificationLevel};
use gongyi_domain::policy::facts::{
    CompetitionLevel, CompetitionWin, Employment, Inspection, Lease, Org, OrgIx, Performance,
    Person, Qualification, Rating, Score, SeniorAwardDecision, StartupApplication,
};
use gongyi_domain::policy::{
    claims_of_org, claims_of_person, evaluate, Decision, Facts, FactsBuilder, Outcome, Policy,
    Window, YearMonth,
};
use gongyi_domain::Fen;

pub fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The policy period of `yangpu-2021`.
pub fn period() -> Window {
    Window::new(d("2021-07-21"), d("2025-12-31"))
}

/// A district private non-enterprise unit registered on `registered`.
pub fn district_org(registered: &str) -> Org {
    Org {
        kind: OrgKind::PrivateNonEnterprise,
        community: false,
        fresh_graduate: false,
        in_district: true,
        registration_date: d(registered),
        deregistration_date: None,
        registered_capital: Fen::yuan(100_000),
    }
}

#[derive(Default)]
pub struct World {
    pub b: FactsBuilder,
}

impl World {
    pub fn new() -> World {
        World::default()
    }

    pub fn org(&mut self, id: &str, registered: &str) -> &mut World {
        self.b.add_org(id, district_org(registered)).expect("org");
        self
    }

    pub fn org_with(&mut self, id: &str, registered: &str, f: impl FnOnce(&mut Org)) -> &mut World {
        let mut o = district_org(registered);
        f(&mut o);
        self.b.add_org(id, o).expect("org");
        self
    }

    pub fn inspection(&mut self, org: &str, year: i32, result: &str, date: &str) -> &mut World {
        let i = Inspection {
            year,
            result: InspectionResult::parse("result", result).expect("result"),
            date: d(date),
        };
        self.b.add_inspection(org, i).expect("inspection");
        self
    }

    pub fn application(&mut self, org: &str, date: &str, requested_fen: i64) -> &mut World {
        let a = StartupApplication {
            date: d(date),
            requested: Fen(requested_fen),
        };
        self.b.add_startup_application(org, a).expect("application");
        self
    }

    pub fn lease(&mut self, org: &str, month: &str, rent_fen: i64) -> &mut World {
        let l = Lease {
            month: YearMonth::parse("month", month).expect("month"),
            rent_paid: Fen(rent_fen),
        };
        self.b.add_lease(org, l).expect("lease");
        self
    }

    /// A lease every month from `from` for `n` months at `rent_fen`.
    pub fn leases(&mut self, org: &str, from: &str, n: usize, rent_fen: i64) -> &mut World {
        let mut m = YearMonth::parse("month", from).expect("month");
        for _ in 0..n {
            self.lease(org, &m.to_string(), rent_fen);
            m = m.next();
        }
        self
    }

    pub fn rating(&mut self, org: &str, level: &str, date: &str) -> &mut World {
        let r = Rating {
            level: RatingLevel::parse("level", level).expect("level"),
            date: d(date),
        };
        self.b.add_rating(org, r).expect("rating");
        self
    }

    pub fn honour(&mut self, org: &str, title: &str, level: &str, date: &str) -> &mut World {
        let level = HonourLevel::parse("level", level).expect("level");
        self.b
            .add_honour(org, title, level, d(date))
            .expect("honour");
        self
    }

    pub fn venture(&mut self, org: &str, project: &str, amount_fen: i64, date: &str) -> &mut World {
        self.b
            .add_venture_project(org, project, Fen(amount_fen), d(date))
            .expect("venture");
        self
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one argument per column of competition_wins.csv"
    )]
    pub fn win(
        &mut self,
        org: &str,
        project: &str,
        level: &str,
        place: Option<u32>,
        amount_fen: i64,
        serves_district: bool,
        date: &str,
    ) -> &mut World {
        let w = CompetitionWin {
            org: OrgIx(0),
            project: 0,
            level: CompetitionLevel::parse("level", level).expect("level"),
            place,
            amount: Fen(amount_fen),
            serves_district,
            date: d(date),
        };
        self.b.add_competition_win(org, project, w).expect("win");
        self
    }

    pub fn person(
        &mut self,
        id: &str,
        qualification: Option<(&str, &str)>,
        start: Option<&str>,
    ) -> &mut World {
        let p = Person {
            qualification: qualification.map(|(l, q)| Qualification {
                level: QualificationLevel::parse("level", l).expect("level"),
                date: d(q),
            }),
            social_work_start: start.map(d),
        };
        self.b.add_person(id, p).expect("person");
        self
    }

    pub fn job(
        &mut self,
        person: &str,
        org: &str,
        start: &str,
        end: Option<&str>,
        contract: bool,
    ) -> &mut World {
        let e = Employment {
            org: OrgIx(0),
            start_date: d(start),
            end_date: end.map(d),
            labour_contract: contract,
            full_time: true,
        };
        self.b.add_employment(person, org, e).expect("employment");
        self
    }

    pub fn performance(&mut self, person: &str, year: i32, rating: &str) -> &mut World {
        let r = Performance {
            year,
            rating: PerformanceRating::parse("rating", rating).expect("rating"),
        };
        self.b.add_performance(person, r).expect("performance");
        self
    }

    pub fn review(&mut self, person: &str, year: i32, score: &str, hours: u32) -> &mut World {
        let s = Score::parse("score", score).expect("score");
        self.b
            .add_supervisor_review(person, year, s, hours)
            .expect("review");
        self
    }

    pub fn decision(&mut self, person: &str, date: &str, innovative: bool) -> &mut World {
        let x = SeniorAwardDecision {
            date: d(date),
            innovative_contribution: innovative,
        };
        self.b
            .add_senior_award_decision(person, x)
            .expect("decision");
        self
    }

    pub fn build(&mut self) -> Facts {
        std::mem::take(&mut self.b).build().expect("facts")
    }
}

/// `"R3 O1 2022-03 50000"` per row, in output order.
pub fn rows(facts: &Facts, policy: &Policy, window: Window) -> Vec<String> {
    evaluate(facts, policy, window)
        .entitlements()
        .map(|e| {
            format!(
                "{} {} {} {}",
                e.rule,
                e.beneficiary_id(facts),
                e.key.display(facts),
                e.amount.get()
            )
        })
        .collect()
}

/// `"R2 2021-09-01 1000000"` for a payment, `"R2 2021-09-01 startup.already_paid"`
/// for a refusal.
pub fn decision_line(facts: &Facts, x: &Decision) -> String {
    let what = match x.outcome {
        Outcome::Granted { amount, .. } => amount.get().to_string(),
        Outcome::Refused(r) => r.code().to_string(),
    };
    format!("{} {} {}", x.rule, x.key.display(facts), what)
}

pub fn org_decisions(facts: &Facts, policy: &Policy, id: &str) -> Vec<String> {
    let o = facts.find_org(id).expect("org id");
    claims_of_org(facts, policy, o, period())
        .iter()
        .map(|x| decision_line(facts, x))
        .collect()
}

pub fn person_decisions(facts: &Facts, policy: &Policy, id: &str) -> Vec<String> {
    let p = facts.find_person(id).expect("person id");
    claims_of_person(facts, policy, p, period())
        .iter()
        .map(|x| decision_line(facts, x))
        .collect()
}
