//! 扶持政策 (section 三 of the action plan) as versioned, explainable rules.
//!
//! `docs/policies/subsidies.md` is the canonical reading and
//! `docs/policies/vectors/CONTRACT.md` fixes its open points; each rule names
//! its clause. Amounts, caps, tables and dates are parameters of a policy
//! version ([`params`]), never literals in the rules.
//!
//! The parts:
//! - [`facts`]: the registry's events in memory, indexed for evaluation;
//! - [`params`]: policy versions and what-if overrides;
//! - [`rules`]: R2–R11, written once and driven either by the fast batch
//!   evaluator or by the per-beneficiary query that keeps refusals;
//! - [`types`]: what a payment is for, a payment, a decision;
//! - [`evaluate`]: the batch evaluator, totals, and the "what may I claim
//!   and why not" queries;
//! - [`explain`]: the reasons of a decision, as codes and in Chinese;
//! - [`registration`]: R1, a validation rule rather than a payment.
//!
//! What this module deliberately does not hold: budgets and payments (R8 and
//! the "never paid twice" guarantee belong to the app and store), file
//! formats (the `gongyi-vectors` crate), and any clock: every evaluation is
//! given its dates.

pub mod evaluate;
pub mod explain;
pub mod facts;
pub mod params;
pub mod registration;
mod rules;
pub mod types;

pub use evaluate::{
    claims_of_org, claims_of_person, evaluate, evaluate_parallel, evaluate_with_basis,
    explain_entitlement, explain_with_basis, registration_check, registration_checks, Evaluation,
    RegistrationCheck, RuleTotal, Totals, YearTotal,
};
pub use explain::{Basis, Explanation, FactLine, Outcome, ParamLine, Refusal};
pub use facts::{Facts, FactsBuilder, FactsError, NotDistrict, OrgIx, PersonIx};
pub use params::{ParamError, ParamInfo, Policy, PolicyParams};
pub use types::{Decision, Entitlement, EventKey};

use chrono::{Datelike, NaiveDate};
use std::fmt;

/// The paying rules of `subsidies.md`. R1 is a check (see [`registration`])
/// and R8 has no formula, so neither is here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    R2,
    R3,
    R4,
    R5,
    R6,
    R7,
    R9,
    R10,
    R11,
}

impl Rule {
    /// In output order (by rule number, so R10 after R9).
    pub const ALL: [Rule; 9] = [
        Rule::R2,
        Rule::R3,
        Rule::R4,
        Rule::R5,
        Rule::R6,
        Rule::R7,
        Rule::R9,
        Rule::R10,
        Rule::R11,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Rule::R2 => "R2",
            Rule::R3 => "R3",
            Rule::R4 => "R4",
            Rule::R5 => "R5",
            Rule::R6 => "R6",
            Rule::R7 => "R7",
            Rule::R9 => "R9",
            Rule::R10 => "R10",
            Rule::R11 => "R11",
        }
    }

    /// Accepts `R2`… (any case).
    pub fn parse(text: &str) -> Option<Rule> {
        Rule::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(text.trim()))
    }

    /// The clause of section 三 the rule encodes.
    pub fn clause(self) -> &'static str {
        match self {
            Rule::R2 => "三(一)2",
            Rule::R3 => "三(一)3",
            Rule::R4 => "三(二)1",
            Rule::R5 => "三(二)2",
            Rule::R6 => "三(三)1",
            Rule::R7 => "三(三)2",
            Rule::R9 => "三(四)1",
            Rule::R10 => "三(四)2",
            Rule::R11 => "三(四)3",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Rule::R2 => "开办补贴",
            Rule::R3 => "房租补贴",
            Rule::R4 => "等级评估奖励",
            Rule::R5 => "荣誉奖励",
            Rule::R6 => "公益创投项目补贴",
            Rule::R7 => "创业大赛项目补贴",
            Rule::R9 => "薪酬补贴",
            Rule::R10 => "优秀督导奖励",
            Rule::R11 => "高级社工师奖励",
        }
    }

    pub fn beneficiary_kind(self) -> BeneficiaryKind {
        match self {
            Rule::R9 | Rule::R10 | Rule::R11 => BeneficiaryKind::Person,
            _ => BeneficiaryKind::Organisation,
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BeneficiaryKind {
    Organisation,
    Person,
}

impl BeneficiaryKind {
    pub const ALL: [BeneficiaryKind; 2] = [BeneficiaryKind::Organisation, BeneficiaryKind::Person];

    /// The contract's `beneficiary_kind` column.
    pub fn code(self) -> &'static str {
        match self {
            BeneficiaryKind::Organisation => "organisation",
            BeneficiaryKind::Person => "person",
        }
    }
}

crate::vocabulary::coded!(BeneficiaryKind, "受益对象类型");

/// A calendar month (R3, R9 count months), stored as `year * 12 + month - 1`
/// so that months compare and step as integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth(i32);

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        ((1..=12).contains(&month) && (1..=9999).contains(&year))
            .then(|| YearMonth(year * 12 + month as i32 - 1))
    }

    pub fn of(d: NaiveDate) -> YearMonth {
        YearMonth(d.year() * 12 + d.month0() as i32)
    }

    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }

    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }

    /// The day on which the month's conditions are checked.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.month(), 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn next(self) -> YearMonth {
        YearMonth(self.0 + 1)
    }

    /// Months since year 0 (`year * 12 + month - 1`); consecutive months
    /// have consecutive indices.
    pub fn index(self) -> i32 {
        self.0
    }

    pub fn from_index(i: i32) -> YearMonth {
        YearMonth(i)
    }

    /// `YYYY-MM`, as in the contract's files.
    pub fn parse(field: &str, text: &str) -> Result<YearMonth, crate::Invalid> {
        let s = text.trim();
        let b = s.as_bytes();
        let digits = |r: std::ops::Range<usize>| {
            b.get(r.clone())
                .filter(|d| d.iter().all(u8::is_ascii_digit))
                .and_then(|_| s.get(r))
                .and_then(|t| t.parse::<u32>().ok())
        };
        let parsed = if b.len() == 7 && b[4] == b'-' {
            digits(0..4)
                .zip(digits(5..7))
                .and_then(|(y, m)| YearMonth::new(y as i32, m))
        } else {
            None
        };
        parsed.ok_or_else(|| {
            crate::Invalid::one(
                field,
                "month.format",
                format!("月份“{s}”格式不正确(应如 2024-03)"),
            )
        })
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

/// The dates whose events an evaluation reports, both ends inclusive.
/// Earlier events of the policy period still count towards limits (24 rent
/// months, rating awards already paid, once-only awards).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    pub fn new(from: NaiveDate, to: NaiveDate) -> Window {
        Window { from, to }
    }

    /// The calendar year `y`.
    pub fn year(y: i32) -> Window {
        Window {
            from: NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN),
            to: NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(NaiveDate::MAX),
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
}
