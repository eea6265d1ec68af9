//! The batch evaluator, its totals, and the per-beneficiary "what may I
//! claim and why not" queries.
//!
//! The batch path ([`evaluate`]) keeps one 24-byte [`Entitlement`] per
//! payment and nothing else; explanations are rebuilt on demand from the
//! same rule code ([`explain_entitlement`], [`claims_of_org`],
//! [`claims_of_person`]) or kept as compact [`Basis`] values
//! ([`evaluate_with_basis`]).

use crate::money::Fen;
use crate::policy::explain::{Basis, Explanation, Outcome, Refusal};
use crate::policy::facts::{Facts, OrgIx, PersonIx};
use crate::policy::params::Policy;
use crate::policy::registration::{self, CapitalCheck};
use crate::policy::rules::{self, Ctx, Sink};
use crate::policy::{BeneficiaryKind, Rule, Window, YearMonth};
use chrono::{Datelike, NaiveDate};
use std::cmp::Ordering;

/// What a payment is for, as the contract's `event_key`: the application,
/// rating or decision date; the month; the review year; or the honour,
/// venture project or competition win (by index into [`Facts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKey {
    Date(NaiveDate),
    Month(YearMonth),
    Year(i32),
    Honour(u32),
    Venture(u32),
    Win(u32),
}

impl EventKey {
    /// The date the event is counted on (for windows and yearly totals):
    /// the first day of a month, 31 December of a review year.
    pub fn date(&self, facts: &Facts) -> Option<NaiveDate> {
        match *self {
            EventKey::Date(d) => Some(d),
            EventKey::Month(m) => Some(m.first_day()),
            EventKey::Year(y) => NaiveDate::from_ymd_opt(y, 12, 31),
            EventKey::Honour(i) => facts.honour(i).map(|h| h.date),
            EventKey::Venture(i) => facts.venture(i).map(|v| v.selected_date),
            EventKey::Win(i) => facts.win(i).map(|w| w.date),
        }
    }

    /// Plain string order of the rendered keys, without rendering them.
    fn cmp_rendered(&self, other: &EventKey, facts: &Facts) -> Ordering {
        use EventKey as K;
        match (*self, *other) {
            (K::Date(a), K::Date(b)) => a.cmp(&b),
            (K::Month(a), K::Month(b)) => a.cmp(&b),
            (K::Year(a), K::Year(b)) => a.cmp(&b),
            (K::Venture(a), K::Venture(b)) => {
                let id = |i| {
                    facts
                        .venture(i)
                        .map_or("", |v| facts.venture_project_id(v.project))
                };
                id(a).cmp(id(b))
            }
            (K::Win(a), K::Win(b)) => {
                let id = |i| {
                    facts
                        .win(i)
                        .map_or("", |w| facts.competition_project_id(w.project))
                };
                id(a).cmp(id(b))
            }
            (K::Honour(a), K::Honour(b)) => {
                // `title|YYYY` compared byte by byte, as a string sort would.
                let key = |i| {
                    facts.honour(i).map(|h| {
                        let y = h.date.year().clamp(0, 9999) as u32;
                        let digits = [
                            b'0' + (y / 1000) as u8,
                            b'0' + (y / 100 % 10) as u8,
                            b'0' + (y / 10 % 10) as u8,
                            b'0' + (y % 10) as u8,
                        ];
                        (facts.honour_title(h.title), digits)
                    })
                };
                match (key(a), key(b)) {
                    (Some((ta, ya)), Some((tb, yb))) => {
                        let ia = ta.bytes().chain([b'|']).chain(ya);
                        let ib = tb.bytes().chain([b'|']).chain(yb);
                        ia.cmp(ib)
                    }
                    (x, y) => x.is_some().cmp(&y.is_some()),
                }
            }
            _ => Ordering::Equal,
        }
    }
}

/// One payment of the batch: (rule, beneficiary, event) with a positive
/// amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entitlement {
    pub amount: Fen,
    /// An [`OrgIx`] or [`PersonIx`] value, by the rule's beneficiary kind.
    pub beneficiary: u32,
    pub key: EventKey,
    pub rule: Rule,
}

impl Entitlement {
    pub fn beneficiary_id<'a>(&self, facts: &'a Facts) -> &'a str {
        beneficiary_id(self.rule, self.beneficiary, facts)
    }
}

fn beneficiary_id(rule: Rule, who: u32, facts: &Facts) -> &str {
    match rule.beneficiary_kind() {
        BeneficiaryKind::Organisation => facts.org_id(OrgIx(who)),
        BeneficiaryKind::Person => facts.person_id(PersonIx(who)),
    }
}

/// One rule's decision about one event, paid or refused, with its reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub rule: Rule,
    pub beneficiary: u32,
    pub key: EventKey,
    /// The policy version applied; `None` when none was in force.
    pub version: Option<u8>,
    pub outcome: Outcome,
}

impl Decision {
    pub fn beneficiary_id<'a>(&self, facts: &'a Facts) -> &'a str {
        beneficiary_id(self.rule, self.beneficiary, facts)
    }

    pub fn amount(&self) -> Option<Fen> {
        match self.outcome {
            Outcome::Granted { amount, .. } => Some(amount),
            Outcome::Refused(_) => None,
        }
    }

    pub fn refusal(&self) -> Option<Refusal> {
        match self.outcome {
            Outcome::Granted { .. } => None,
            Outcome::Refused(r) => Some(r),
        }
    }
}

/// R1 for one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationCheck {
    pub org: OrgIx,
    pub capital: Fen,
    pub check: CapitalCheck,
}

/// R1 (三(一)1) for a district organisation registered on a day a version
/// is in force.
pub fn registration_check(facts: &Facts, policy: &Policy, o: OrgIx) -> Option<RegistrationCheck> {
    let org = facts.org(o);
    if !org.in_district {
        return None;
    }
    let check = registration::check_capital_under(
        policy,
        org.registration_date,
        org.kind,
        org.community,
        org.fresh_graduate,
        org.registered_capital,
    )?;
    Some(RegistrationCheck {
        org: o,
        capital: org.registered_capital,
        check,
    })
}

/// The result of a batch evaluation.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub window: Window,
    /// In the contract's order: rule, beneficiary id, event key.
    pub entitlements: Vec<Entitlement>,
    /// R1 for organisations registered in the window, by id.
    pub registration_checks: Vec<RegistrationCheck>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearTotal {
    pub total: Fen,
    pub rows: u64,
}

impl YearTotal {
    fn add(&mut self, f: Fen) {
        self.total += f;
        self.rows += 1;
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleTotal {
    pub rule: Rule,
    pub all: YearTotal,
    /// Every year the window touches, ascending, zero years included.
    pub by_year: Vec<(i32, YearTotal)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Totals {
    pub rules: Vec<RuleTotal>,
    pub all: YearTotal,
    pub registration_checked: u64,
    pub registration_below_minimum: u64,
}

impl Evaluation {
    /// Sums per rule, per year of the event, and overall.
    pub fn totals(&self, facts: &Facts) -> Totals {
        let (y0, y1) = (self.window.from.year(), self.window.to.year());
        let years = (y1 - y0 + 1).max(0) as usize;
        let mut rules: Vec<RuleTotal> = Rule::ALL
            .iter()
            .map(|&rule| RuleTotal {
                rule,
                all: YearTotal::default(),
                by_year: (0..years)
                    .map(|k| (y0 + k as i32, YearTotal::default()))
                    .collect(),
            })
            .collect();
        let mut all = YearTotal::default();
        for e in &self.entitlements {
            let Some(r) = rules.iter_mut().find(|r| r.rule == e.rule) else {
                continue;
            };
            r.all.add(e.amount);
            all.add(e.amount);
            let y = match e.key {
                EventKey::Year(y) => y,
                EventKey::Month(m) => m.year(),
                EventKey::Date(d) => d.year(),
                k => k.date(facts).map_or(y0, |d| d.year()),
            };
            if let Some(slot) = usize::try_from(y - y0)
                .ok()
                .and_then(|i| r.by_year.get_mut(i))
            {
                slot.1.add(e.amount);
            }
        }
        Totals {
            rules,
            all,
            registration_checked: self.registration_checks.len() as u64,
            registration_below_minimum: self
                .registration_checks
                .iter()
                .filter(|c| !c.check.ok)
                .count() as u64,
        }
    }
}

/// The batch sink: rows and, if `B` is [`Basis`], their bases.
struct Rows<B> {
    rows: Vec<(Entitlement, B)>,
}

trait Keep: Sized {
    fn keep(b: Basis) -> Self;
}

impl Keep for () {
    #[inline]
    fn keep(_: Basis) -> Self {}
}

impl Keep for Basis {
    #[inline]
    fn keep(b: Basis) -> Self {
        b
    }
}

impl<B: Keep> Sink for Rows<B> {
    const DETAILS: bool = false;

    #[inline]
    fn grant(&mut self, rule: Rule, who: u32, key: EventKey, _: u8, amount: Fen, basis: Basis) {
        self.rows.push((
            Entitlement {
                amount,
                beneficiary: who,
                key,
                rule,
            },
            B::keep(basis),
        ));
    }

    #[inline]
    fn refuse(&mut self, _: Rule, _: u32, _: EventKey, _: Option<u8>, _: Refusal) {}
}

/// The query sink: every decision.
struct Decisions(Vec<Decision>);

impl Sink for Decisions {
    const DETAILS: bool = true;

    fn grant(&mut self, rule: Rule, who: u32, key: EventKey, v: u8, amount: Fen, basis: Basis) {
        self.0.push(Decision {
            rule,
            beneficiary: who,
            key,
            version: Some(v),
            outcome: Outcome::Granted { amount, basis },
        });
    }

    fn refuse(&mut self, rule: Rule, who: u32, key: EventKey, v: Option<u8>, why: Refusal) {
        self.0.push(Decision {
            rule,
            beneficiary: who,
            key,
            version: v,
            outcome: Outcome::Refused(why),
        });
    }
}

/// Every rule over every beneficiary, in output order.
fn run_all<B: Keep>(cx: &Ctx, sink: &mut Rows<B>) {
    let facts = cx.facts;
    let mut seen = Vec::new();
    let mut spells = Vec::new();
    for rule in Rule::ALL {
        let start = sink.rows.len();
        match rule {
            Rule::R2 => facts.orgs().for_each(|o| rules::r2(cx, o, sink)),
            Rule::R3 => facts.orgs().for_each(|o| rules::r3(cx, o, sink)),
            Rule::R4 => facts.orgs().for_each(|o| rules::r4(cx, o, sink)),
            Rule::R5 => facts.orgs().for_each(|o| rules::r5(cx, o, sink, &mut seen)),
            Rule::R6 => facts.orgs().for_each(|o| rules::r6(cx, o, sink)),
            Rule::R7 => {
                for project in 0..facts.competition_project_count() as u32 {
                    rules::r7(cx, project, None, sink);
                }
            }
            Rule::R9 => facts
                .people()
                .for_each(|p| rules::r9(cx, p, sink, &mut spells)),
            Rule::R10 => rules::r10(cx, None, sink),
            Rule::R11 => facts
                .people()
                .for_each(|p| rules::r11(cx, p, sink, &mut spells)),
        }
        sort_rows(&mut sink.rows[start..], facts);
    }
}

/// Orders one rule's rows by beneficiary id (= index), then event key as a
/// string; most rules produce them in order already.
fn sort_rows<B>(rows: &mut [(Entitlement, B)], facts: &Facts) {
    let cmp = |a: &Entitlement, b: &Entitlement| {
        a.beneficiary
            .cmp(&b.beneficiary)
            .then_with(|| a.key.cmp_rendered(&b.key, facts))
    };
    if !rows
        .windows(2)
        .all(|w| cmp(&w[0].0, &w[1].0) != Ordering::Greater)
    {
        rows.sort_by(|a, b| cmp(&a.0, &b.0));
    }
}

/// All entitlements of events dated in `window`, with R1 for organisations
/// registered in it. Events of the policy period before the window still
/// count towards limits.
pub fn evaluate(facts: &Facts, policy: &Policy, window: Window) -> Evaluation {
    let cx = Ctx::new(facts, policy, window);
    let mut sink = Rows::<()> { rows: Vec::new() };
    run_all(&cx, &mut sink);
    let entitlements = sink.rows.into_iter().map(|(e, ())| e).collect();
    Evaluation {
        window,
        entitlements,
        registration_checks: registration_checks(facts, policy, window),
    }
}

/// As [`evaluate`], keeping each payment's [`Basis`] (for writing
/// explanations next to the rows).
pub fn evaluate_with_basis(
    facts: &Facts,
    policy: &Policy,
    window: Window,
) -> (Evaluation, Vec<Basis>) {
    let cx = Ctx::new(facts, policy, window);
    let mut sink = Rows::<Basis> { rows: Vec::new() };
    run_all(&cx, &mut sink);
    let (entitlements, bases) = sink.rows.into_iter().unzip();
    (
        Evaluation {
            window,
            entitlements,
            registration_checks: registration_checks(facts, policy, window),
        },
        bases,
    )
}

fn registration_checks(facts: &Facts, policy: &Policy, window: Window) -> Vec<RegistrationCheck> {
    facts
        .orgs()
        .filter(|&o| window.contains(facts.org(o).registration_date))
        .filter_map(|o| registration_check(facts, policy, o))
        .collect()
}

/// Every decision about one organisation's events in `window`, paid or
/// refused, rule by rule in date order.
pub fn claims_of_org(facts: &Facts, policy: &Policy, o: OrgIx, window: Window) -> Vec<Decision> {
    let cx = Ctx::new(facts, policy, window);
    let mut sink = Decisions(Vec::new());
    rules::r2(&cx, o, &mut sink);
    rules::r3(&cx, o, &mut sink);
    rules::r4(&cx, o, &mut sink);
    rules::r5(&cx, o, &mut sink, &mut Vec::new());
    rules::r6(&cx, o, &mut sink);
    let mut projects: Vec<u32> = facts
        .all_wins()
        .iter()
        .filter(|w| w.org == o)
        .map(|w| w.project)
        .collect();
    projects.dedup();
    for p in projects {
        rules::r7(&cx, p, Some(o), &mut sink);
    }
    sink.0
}

/// Every decision about one person in `window`, paid or refused.
pub fn claims_of_person(
    facts: &Facts,
    policy: &Policy,
    p: PersonIx,
    window: Window,
) -> Vec<Decision> {
    let cx = Ctx::new(facts, policy, window);
    let mut sink = Decisions(Vec::new());
    let mut spells = Vec::new();
    rules::r9(&cx, p, &mut sink, &mut spells);
    rules::r10(&cx, Some(p), &mut sink);
    rules::r11(&cx, p, &mut sink, &mut spells);
    sink.0
}

/// The explanation of one batch row, rebuilt by running its rule for its
/// beneficiary again.
pub fn explain_entitlement(
    facts: &Facts,
    policy: &Policy,
    window: Window,
    e: &Entitlement,
) -> Option<Explanation> {
    let decisions = match e.rule.beneficiary_kind() {
        BeneficiaryKind::Organisation => claims_of_org(facts, policy, OrgIx(e.beneficiary), window),
        BeneficiaryKind::Person => claims_of_person(facts, policy, PersonIx(e.beneficiary), window),
    };
    decisions
        .iter()
        .find(|d| d.rule == e.rule && d.key == e.key && d.amount().is_some())
        .map(|d| d.explain(facts, policy))
}

/// The explanation of a batch row whose basis was kept.
pub fn explain_with_basis(
    facts: &Facts,
    policy: &Policy,
    e: &Entitlement,
    basis: Basis,
) -> Explanation {
    let version = e
        .key
        .date(facts)
        .and_then(|d| policy.in_force(d))
        .map(|(v, _)| v);
    Decision {
        rule: e.rule,
        beneficiary: e.beneficiary,
        key: e.key,
        version,
        outcome: Outcome::Granted {
            amount: e.amount,
            basis,
        },
    }
    .explain(facts, policy)
}
