//! The batch evaluator, its totals, and the per-beneficiary "what may I
//! claim and why not" queries.
//!
//! The batch path ([`evaluate`], [`evaluate_parallel`]) keeps 16 bytes per
//! payment (amount, beneficiary, packed event key; the rule is the chunk's)
//! and nothing else; explanations are rebuilt on demand from the same rule
//! code ([`explain_entitlement`], [`claims_of_org`], [`claims_of_person`]) or
//! kept as compact [`Basis`] values ([`evaluate_with_basis`]).

use crate::money::Fen;
use crate::policy::explain::{Basis, Explanation, Outcome, Refusal};
use crate::policy::facts::{Facts, OrgIx, PersonIx};
use crate::policy::params::Policy;
use crate::policy::registration::{self, CapitalCheck};
use crate::policy::rules::{self, Ctx, Sink};
use crate::policy::types::{Decision, Entitlement, EventKey};
use crate::policy::{BeneficiaryKind, Rule, Window, YearMonth};
use chrono::{Datelike, NaiveDate};

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

/// A payment as the batch keeps it; the key's kind follows from the rule
/// (see [`pack`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Row {
    amount: Fen,
    beneficiary: u32,
    key: u32,
}

/// The rows of one rule (or of a range of its beneficiaries), in order.
#[derive(Debug, Clone)]
struct Chunk {
    rule: Rule,
    rows: Vec<Row>,
}

/// Packs a key into 32 bits; the rule says which kind it is.
fn pack(key: EventKey) -> u32 {
    match key {
        EventKey::Date(d) => d.num_days_from_ce() as u32,
        EventKey::Month(m) => m.index() as u32,
        EventKey::Year(y) => y as u32,
        EventKey::Honour(i) | EventKey::Venture(i) | EventKey::Win(i) => i,
    }
}

fn unpack(rule: Rule, key: u32) -> EventKey {
    match rule {
        Rule::R2 | Rule::R4 | Rule::R11 => EventKey::Date(
            NaiveDate::from_num_days_from_ce_opt(key as i32).unwrap_or(NaiveDate::MIN),
        ),
        Rule::R3 | Rule::R9 => EventKey::Month(YearMonth::from_index(key as i32)),
        Rule::R10 => EventKey::Year(key as i32),
        Rule::R5 => EventKey::Honour(key),
        Rule::R6 => EventKey::Venture(key),
        Rule::R7 => EventKey::Win(key),
    }
}

/// The result of a batch evaluation.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub window: Window,
    chunks: Vec<Chunk>,
    /// R1 for organisations registered in the window, by id.
    pub registration_checks: Vec<RegistrationCheck>,
}

impl Evaluation {
    /// Every payment in the contract's order: rule, beneficiary id, event key.
    pub fn entitlements(&self) -> impl Iterator<Item = Entitlement> + '_ {
        self.chunks.iter().flat_map(|c| {
            c.rows.iter().map(move |r| Entitlement {
                amount: r.amount,
                beneficiary: r.beneficiary,
                key: unpack(c.rule, r.key),
                rule: c.rule,
            })
        })
    }

    /// The number of payments.
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.rows.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
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
        Totals::of(
            facts,
            self.window,
            self.entitlements(),
            &self.registration_checks,
        )
    }
}

impl Totals {
    /// Sums of `rows` (payments of events in `window`) per rule, per year of
    /// the event, and overall, with the counts of `checks`; for callers that
    /// hold the rows in another shape than an [`Evaluation`].
    pub fn of(
        facts: &Facts,
        window: Window,
        rows: impl IntoIterator<Item = Entitlement>,
        checks: &[RegistrationCheck],
    ) -> Totals {
        let (y0, y1) = (window.from.year(), window.to.year());
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
        for e in rows {
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
            registration_checked: checks.len() as u64,
            registration_below_minimum: checks.iter().filter(|c| !c.check.ok).count() as u64,
        }
    }
}

/// The batch sink: compact rows, no reasons.
struct Rows(Vec<Row>);

impl Sink for Rows {
    const DETAILS: bool = false;

    #[inline]
    fn grant(&mut self, _: Rule, who: u32, key: EventKey, _: u8, amount: Fen, _: Basis) {
        self.0.push(Row {
            amount,
            beneficiary: who,
            key: pack(key),
        });
    }

    #[inline]
    fn refuse(&mut self, _: Rule, _: u32, _: EventKey, _: Option<u8>, _: Refusal) {}
}

/// The batch sink that keeps each payment's basis.
struct RowsWithBasis(Vec<(Entitlement, Basis)>);

impl Sink for RowsWithBasis {
    const DETAILS: bool = false;

    fn grant(&mut self, rule: Rule, who: u32, key: EventKey, _: u8, amount: Fen, basis: Basis) {
        let e = Entitlement {
            amount,
            beneficiary: who,
            key,
            rule,
        };
        self.0.push((e, basis));
    }

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

/// A share of the batch: one rule over a range of its beneficiaries (or
/// projects, for R7; R10 ranks whole years and is not split).
#[derive(Debug, Clone, Copy)]
struct Task {
    rule: Rule,
    from: u32,
    to: u32,
}

/// The tasks in output order; the rules over people (R9 dominates) are
/// split in `split` ranges so that threads can share them.
fn tasks(facts: &Facts, split: u32) -> Vec<Task> {
    let orgs = facts.org_count() as u32;
    let people = facts.person_count() as u32;
    let mut out = Vec::new();
    for rule in Rule::ALL {
        let (n, parts) = match rule {
            Rule::R7 => (facts.competition_project_count() as u32, 1),
            Rule::R10 => (1, 1),
            Rule::R9 => (people, split),
            Rule::R11 => (people, 1),
            Rule::R3 => (orgs, split.div_ceil(2)),
            _ => (orgs, 1),
        };
        let parts = parts.clamp(1, n.max(1));
        let step = n.div_ceil(parts).max(1);
        let mut from = 0u32;
        loop {
            let to = from.saturating_add(step).min(n);
            out.push(Task { rule, from, to });
            if to >= n {
                break;
            }
            from = to;
        }
    }
    out
}

/// Runs one task into `sink`.
fn run_task<S: Sink>(cx: &Ctx, t: Task, sink: &mut S, scratch: &mut Scratch) {
    let orgs = (t.from..t.to).map(OrgIx);
    let people = (t.from..t.to).map(PersonIx);
    match t.rule {
        Rule::R2 => orgs.for_each(|o| rules::r2(cx, o, sink)),
        Rule::R3 => orgs.for_each(|o| rules::r3(cx, o, sink)),
        Rule::R4 => orgs.for_each(|o| rules::r4(cx, o, sink)),
        Rule::R5 => orgs.for_each(|o| rules::r5(cx, o, sink, &mut scratch.seen)),
        Rule::R6 => orgs.for_each(|o| rules::r6(cx, o, sink)),
        Rule::R7 => (t.from..t.to).for_each(|p| rules::r7(cx, p, None, sink)),
        Rule::R9 => people.for_each(|p| rules::r9(cx, p, sink)),
        Rule::R10 => rules::r10(cx, None, sink),
        Rule::R11 => people.for_each(|p| rules::r11(cx, p, sink)),
    }
}

#[derive(Default)]
struct Scratch {
    seen: Vec<(u32, i32)>,
}

fn chunk(cx: &Ctx, t: Task, scratch: &mut Scratch) -> Chunk {
    let mut sink = Rows(Vec::new());
    run_task(cx, t, &mut sink, scratch);
    let mut rows = sink.0;
    // R5 (title|year), R6, R7 (project ids) and R10 (ranked by year) are
    // produced in another order than the contract's.
    if matches!(t.rule, Rule::R5 | Rule::R6 | Rule::R7 | Rule::R10) {
        let rule = t.rule;
        rows.sort_by(|a, b| {
            a.beneficiary
                .cmp(&b.beneficiary)
                .then_with(|| unpack(rule, a.key).cmp_rendered(&unpack(rule, b.key), cx.facts))
        });
    }
    Chunk { rule: t.rule, rows }
}

/// All entitlements of events dated in `window`, with R1 for organisations
/// registered in it. Events of the policy period before the window still
/// count towards limits. Runs on the calling thread.
pub fn evaluate(facts: &Facts, policy: &Policy, window: Window) -> Evaluation {
    evaluate_parallel(facts, policy, window, 1)
}

/// As [`evaluate`], sharing the work among `threads` threads (the result is
/// the same for any number).
pub fn evaluate_parallel(
    facts: &Facts,
    policy: &Policy,
    window: Window,
    threads: usize,
) -> Evaluation {
    let cx = Ctx::new(facts, policy, window);
    let threads = threads.max(1);
    let tasks = tasks(facts, if threads == 1 { 1 } else { 4 * threads as u32 });
    let chunks = if threads == 1 {
        let mut scratch = Scratch::default();
        tasks.iter().map(|&t| chunk(&cx, t, &mut scratch)).collect()
    } else {
        // Biggest tasks first, each thread taking the next one free.
        let mut order: Vec<usize> = (0..tasks.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(task_weight(&tasks[i])));
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut done: Vec<(usize, Chunk)> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let mut scratch = Scratch::default();
                        let mut mine = Vec::new();
                        loop {
                            let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(&i) = order.get(k) else { break };
                            mine.push((i, chunk(&cx, tasks[i], &mut scratch)));
                        }
                        mine
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, c)| c).collect()
    };
    Evaluation {
        window,
        chunks,
        registration_checks: registration_checks(facts, policy, window),
    }
}

/// Rough relative cost, for scheduling only.
fn task_weight(t: &Task) -> u64 {
    let n = u64::from(t.to - t.from);
    match t.rule {
        Rule::R9 => 6 * n,
        Rule::R3 => 4 * n,
        _ => n,
    }
}

/// As [`evaluate`], keeping each payment's [`Basis`] (for writing
/// explanations next to the rows).
pub fn evaluate_with_basis(
    facts: &Facts,
    policy: &Policy,
    window: Window,
) -> Vec<(Entitlement, Basis)> {
    let cx = Ctx::new(facts, policy, window);
    let mut sink = RowsWithBasis(Vec::new());
    let mut scratch = Scratch::default();
    for t in tasks(facts, 1) {
        let start = sink.0.len();
        run_task(&cx, t, &mut sink, &mut scratch);
        sink.0[start..].sort_by(|a, b| {
            a.0.beneficiary
                .cmp(&b.0.beneficiary)
                .then_with(|| a.0.key.cmp_rendered(&b.0.key, facts))
        });
    }
    sink.0
}

/// R1 for the organisations registered in `window`, by id (as
/// [`Evaluation::registration_checks`]).
pub fn registration_checks(
    facts: &Facts,
    policy: &Policy,
    window: Window,
) -> Vec<RegistrationCheck> {
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
    for p in facts.competition_projects_of(o) {
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
    rules::r9(&cx, p, &mut sink);
    rules::r10(&cx, Some(p), &mut sink);
    rules::r11(&cx, p, &mut sink);
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
