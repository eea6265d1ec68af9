//! Policies as code (issue 4, parts 1–4): evaluate the support rules over the
//! registry, simulate changed parameters, list the parameters in force, and
//! tell one organisation what it may claim and what stands in the way.
//!
//! The rules and their Chinese reasons live in `gongyi_domain::policy`; this
//! module loads the facts (one streaming read of the registry), chooses the
//! window and the parameters, and shapes the results for the CLI and the web:
//! [`PolicyReport`] is every payment with its explanation and the totals, from
//! one run of the rules, for `gongyi_interchange::policy` to write.
//! Nothing here writes to the database: a simulation changes parameters in
//! memory only. Payments and applications belong to the workflow modules.

use crate::{AppError, Registry, Result};
use chrono::NaiveDate;
use gongyi_domain::policy::params::Unit;
use gongyi_domain::policy::{
    self, evaluate_with_basis, explain_with_basis, Basis, BeneficiaryKind, Entitlement, Evaluation,
    Explanation, Facts, OrgIx, ParamError, Policy, PolicyParams, Rule, Totals, Window,
};
use gongyi_domain::{Fen, Invalid};
use gongyi_interchange::policy::TotalsDocument;
pub use gongyi_store::policy_facts::{FactsScope, PolicyFacts};
use std::collections::HashMap;

/// The version the district runs today; simulations override its parameters.
pub const VERSION_IN_FORCE: &str = "yangpu-2021";

/// The sub-district bucket of people without an employer on record.
pub const NO_SUBDISTRICT: &str = "未关联组织";

/// An evaluation over the registry with what produced it: the payments
/// alone, compact and computed in parallel (for checks and figures).
#[derive(Debug)]
pub struct PolicyRun {
    pub data: PolicyFacts,
    pub policy: Policy,
    pub evaluation: Evaluation,
}

impl PolicyRun {
    pub fn facts(&self) -> &Facts {
        &self.data.facts
    }

    pub fn totals(&self) -> Totals {
        self.evaluation.totals(&self.data.facts)
    }
}

/// Every payment of a window with what it rests on, and the totals, from
/// one run of the rules: what `gongyi policy evaluate` writes.
#[derive(Debug)]
pub struct PolicyReport {
    data: PolicyFacts,
    policy: Policy,
    window: Window,
    /// In the contract's order, each with its basis, so that explaining a
    /// row needs no second run.
    rows: Vec<(Entitlement, Basis)>,
    totals: Totals,
}

impl PolicyReport {
    /// Runs the rules over `data` for `window` once.
    pub fn new(data: PolicyFacts, policy: Policy, window: Window) -> PolicyReport {
        let facts = &data.facts;
        let rows = evaluate_with_basis(facts, &policy, window);
        let checks = policy::registration_checks(facts, &policy, window);
        let totals = Totals::of(facts, window, rows.iter().map(|r| r.0), &checks);
        PolicyReport {
            data,
            policy,
            window,
            rows,
            totals,
        }
    }

    pub fn window(&self) -> Window {
        self.window
    }

    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// The number of payments.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn organisations(&self) -> usize {
        self.data.facts.org_count()
    }

    pub fn people(&self) -> usize {
        self.data.facts.person_count()
    }

    /// Every payment with its explanation, in the contract's order; each
    /// sentence is rendered as the caller reads it, so a writer holds one
    /// at a time.
    pub fn rows(&self) -> impl Iterator<Item = (Entitlement, Explanation)> + '_ {
        let facts = &self.data.facts;
        self.rows.iter().map(move |&(row, basis)| {
            let x = explain_with_basis(facts, &self.policy, &row, basis);
            (row, x)
        })
    }

    /// The totals with what they were computed from, as `totals.json`
    /// states them.
    pub fn totals_document(&self) -> TotalsDocument<'_> {
        TotalsDocument {
            policy: &self.policy,
            window: self.window,
            organisations: self.organisations(),
            people: self.people(),
            input_rows: &self.data.input_rows,
            totals: &self.totals,
        }
    }
}

/// A parameter override as typed: `rent.monthly_cap=800`.
pub fn parse_override(text: &str) -> Result<(String, String)> {
    match text.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.trim().to_string())),
        _ => Err(AppError::Invalid(Invalid::one(
            "set",
            "param.format",
            format!("“{text}”应写成 参数名=值,如 rent.monthly_cap=800"),
        ))),
    }
}

fn param_error(name: &str, e: ParamError) -> Invalid {
    Invalid::one(name, "param.invalid", e.to_string())
}

/// The policy in code with `overrides` applied to the version in force.
/// Every override is checked; all refusals are reported together.
pub fn policy_with(overrides: &[(String, String)]) -> Result<Policy> {
    let mut p = Policy::yangpu();
    let mut errs = Invalid::default();
    for (name, value) in overrides {
        if let Err(e) = p.set(VERSION_IN_FORCE, name, value) {
            errs.extend(param_error(name, e));
        }
    }
    if errs.is_empty() {
        Ok(p)
    } else {
        Err(AppError::Invalid(errs))
    }
}

/// The calendar year `year`, or `from`…`to` where given.
pub fn window_of(
    year: Option<i32>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Window> {
    let base = year.map(Window::year);
    let from = from.or(base.map(|w| w.from));
    let to = to.or(base.map(|w| w.to));
    match (from, to) {
        (Some(f), Some(t)) if f <= t => Ok(Window::new(f, t)),
        (Some(_), Some(_)) => Err(AppError::Invalid(Invalid::one(
            "from",
            "window.order",
            "开始日期晚于结束日期",
        ))),
        _ => Err(AppError::Invalid(Invalid::one(
            "year",
            "window.missing",
            "请给出年度(--year)或起止日期(--from 与 --to)",
        ))),
    }
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// One parameter as a page or the CLI lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamRow {
    pub name: &'static str,
    pub clause: &'static str,
    pub label: &'static str,
    /// The unit in words (元, 个月…).
    pub unit: &'static str,
    /// As typed on the command line and in the simulation (`50000.00`, `none`, `MUNICIPAL`).
    pub value: String,
    /// As people read it (`50,000.00 元`, `不补贴`, `市级`).
    pub shown: String,
}

/// A parameter's value in words.
fn shown(unit: Unit, value: &str) -> String {
    use gongyi_domain::vocabulary::Coded;
    let money = |v: &str| {
        Fen::parse_yuan("value", v)
            .map(Fen::shown)
            .unwrap_or_else(|_| v.to_string())
    };
    match unit {
        Unit::Yuan => money(value),
        Unit::YuanOrNone if value == "无" => "不补贴".into(),
        Unit::YuanOrNone => money(value),
        Unit::CompetitionLevel => gongyi_domain::policy::facts::CompetitionLevel::decode(value)
            .map(|l| l.label().to_string())
            .unwrap_or_else(|_| value.to_string()),
        Unit::TieBreak => value
            .split(',')
            .map(|k| {
                gongyi_domain::policy::params::TieKey::ALL
                    .iter()
                    .find(|t| t.code() == k.trim())
                    .map_or(k, |t| t.label())
            })
            .collect::<Vec<_>>()
            .join("；"),
        Unit::Count | Unit::Date => value.to_string(),
    }
}

fn unit_label(u: Unit) -> &'static str {
    match u {
        Unit::Yuan => "元",
        Unit::YuanOrNone => "元(填“无”表示不补贴)",
        Unit::Count => "整数",
        Unit::Date => "日期",
        Unit::CompetitionLevel => "大赛级别",
        Unit::TieBreak => "排序键",
    }
}

/// Whether `typed` sets the parameter `name` to its value in force, however
/// it is written (`1000` and `1000.00`, `无` and `none`): the domain reads it.
pub fn is_in_force(name: &str, typed: &str) -> bool {
    let in_force = PolicyParams::yangpu_2021();
    let mut p = in_force.clone();
    p.set(name, typed).is_ok() && p == in_force
}

/// The parameters of a version with their clauses.
pub fn param_rows(p: &PolicyParams) -> Vec<ParamRow> {
    p.list()
        .into_iter()
        .map(|(info, value)| ParamRow {
            name: info.name,
            clause: info.clause,
            label: info.label,
            unit: unit_label(info.unit),
            shown: shown(info.unit, &value),
            value,
        })
        .collect()
}

/// The parameters of the version in force, as defined in code.
pub fn params_in_force() -> (String, Vec<ParamRow>) {
    let p = PolicyParams::yangpu_2021();
    let period = format!("{} 至 {}", p.period_from, p.period_to);
    (period, param_rows(&p))
}

/// Simulated against in-force totals of one rule in one sub-district.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SimulationRow {
    pub rule: Option<Rule>,
    /// Sub-district code (or [`NO_SUBDISTRICT`]); `None` for a rule's total.
    pub subdistrict: Option<String>,
    pub base: Fen,
    pub simulated: Fen,
    /// Beneficiaries paid under the simulation and not under the version in force.
    pub gained: u64,
    /// Beneficiaries paid under the version in force and not under the simulation.
    pub lost: u64,
}

impl SimulationRow {
    pub fn difference(&self) -> Fen {
        self.simulated - self.base
    }
}

/// A what-if comparison: per rule (a total row, then one row per
/// sub-district that has any payment), and the grand total.
#[derive(Debug, Clone)]
pub struct Simulation {
    pub window: Window,
    pub overrides: Vec<(String, String)>,
    pub rows: Vec<SimulationRow>,
    pub total: SimulationRow,
}

/// Per rule and beneficiary, the sum paid, in the evaluation's order (rule,
/// then beneficiary index).
fn per_beneficiary(e: &Evaluation) -> Vec<(Rule, u32, Fen)> {
    let mut out: Vec<(Rule, u32, Fen)> = Vec::new();
    for row in e.entitlements() {
        match out.last_mut() {
            Some((r, b, sum)) if *r == row.rule && *b == row.beneficiary => *sum += row.amount,
            _ => out.push((row.rule, row.beneficiary, row.amount)),
        }
    }
    out
}

/// Compares the payments of two policies over the same facts.
pub fn simulate(
    data: &PolicyFacts,
    base: &Policy,
    alt: &Policy,
    window: Window,
    overrides: Vec<(String, String)>,
) -> Simulation {
    let facts = &data.facts;
    let a = policy::evaluate_parallel(facts, base, window, threads());
    let b = policy::evaluate_parallel(facts, alt, window, threads());
    let (a, b) = (per_beneficiary(&a), per_beneficiary(&b));

    // Sub-district index per beneficiary; u32::MAX = no sub-district.
    let none = u32::MAX;
    let sub_of = |rule: Rule, who: u32| -> u32 {
        match rule.beneficiary_kind() {
            BeneficiaryKind::Organisation => data
                .org_subdistrict
                .get(who as usize)
                .copied()
                .unwrap_or(none),
            BeneficiaryKind::Person => data
                .person_subdistrict
                .get(who as usize)
                .copied()
                .flatten()
                .unwrap_or(none),
        }
    };
    let mut cells: HashMap<(Rule, u32), SimulationRow> = HashMap::new();
    let mut add = |rule: Rule, who: u32, base: Fen, sim: Fen| {
        let c = cells.entry((rule, sub_of(rule, who))).or_default();
        c.base += base;
        c.simulated += sim;
        let (paid_a, paid_b) = (base > Fen::ZERO, sim > Fen::ZERO);
        c.gained += u64::from(paid_b && !paid_a);
        c.lost += u64::from(paid_a && !paid_b);
    };
    // Both lists are sorted by (rule, beneficiary): merge them.
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let ka = a.get(i).map(|x| (x.0, x.1));
        let kb = b.get(j).map(|x| (x.0, x.1));
        match (ka, kb) {
            (Some(x), Some(y)) if x == y => {
                add(x.0, x.1, a[i].2, b[j].2);
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => {
                add(x.0, x.1, a[i].2, Fen::ZERO);
                i += 1;
            }
            (Some(x), None) => {
                add(x.0, x.1, a[i].2, Fen::ZERO);
                i += 1;
            }
            (_, Some(y)) => {
                add(y.0, y.1, Fen::ZERO, b[j].2);
                j += 1;
            }
            (None, None) => break,
        }
    }

    let name = |s: u32| -> String {
        data.subdistricts
            .get(s as usize)
            .cloned()
            .unwrap_or_else(|| NO_SUBDISTRICT.to_string())
    };
    let mut rows = Vec::new();
    let mut total = SimulationRow::default();
    for rule in Rule::ALL {
        let mut subs: Vec<(String, SimulationRow)> = cells
            .iter()
            .filter(|((r, _), _)| *r == rule)
            .map(|((_, s), c)| (name(*s), c.clone()))
            .collect();
        subs.sort_by(|x, y| x.0.cmp(&y.0));
        let mut sum = SimulationRow {
            rule: Some(rule),
            ..SimulationRow::default()
        };
        for (_, c) in &subs {
            sum.base += c.base;
            sum.simulated += c.simulated;
            sum.gained += c.gained;
            sum.lost += c.lost;
        }
        total.base += sum.base;
        total.simulated += sum.simulated;
        total.gained += sum.gained;
        total.lost += sum.lost;
        rows.push(sum);
        for (s, c) in subs {
            rows.push(SimulationRow {
                rule: Some(rule),
                subdistrict: Some(s),
                ..c
            });
        }
    }
    Simulation {
        window,
        overrides,
        rows,
        total,
    }
}

/// One decision about an organisation's recorded event, for its page and
/// the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityItem {
    pub rule: Rule,
    pub clause: &'static str,
    pub title: &'static str,
    pub event_key: String,
    pub granted: bool,
    pub amount: Option<Fen>,
    /// The refusal's stable code (e.g. `startup.first_inspection_not_qualified`).
    pub code: Option<&'static str>,
    /// Why, in Chinese: the explanation of a payment or the refusal's reason.
    pub message: String,
}

/// What stands in the way of an organisation regardless of its records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Obstacle {
    pub code: &'static str,
    pub message: String,
}

/// What an organisation may claim under the version in force, and why not.
#[derive(Debug, Clone)]
pub struct Eligibility {
    pub credit_code: String,
    /// `None` when no policy version is in force today.
    pub window: Option<Window>,
    pub items: Vec<EligibilityItem>,
    pub obstacles: Vec<Obstacle>,
}

impl Eligibility {
    pub fn granted(&self) -> impl Iterator<Item = &EligibilityItem> {
        self.items.iter().filter(|i| i.granted)
    }

    pub fn refused(&self) -> impl Iterator<Item = &EligibilityItem> {
        self.items.iter().filter(|i| !i.granted)
    }
}

/// The claims of organisation `o` (registered under `credit_code`) for
/// events from the policy's start to `today` (the part of the period that
/// has happened).
pub fn eligibility_of(
    facts: &Facts,
    policy: &Policy,
    o: OrgIx,
    credit_code: String,
    today: NaiveDate,
) -> Eligibility {
    let window = policy
        .span()
        .filter(|(from, _)| *from <= today)
        .map(|(from, to)| Window::new(from, to.min(today)));
    let Some(w) = window else {
        return Eligibility {
            credit_code,
            window: None,
            items: Vec::new(),
            obstacles: vec![Obstacle {
                code: "policy.outside_period",
                message: format!("{today} 没有有效的扶持政策版本"),
            }],
        };
    };
    let items = policy::claims_of_org(facts, policy, o, w)
        .into_iter()
        .map(|d| {
            let x = d.explain(facts, policy);
            let refusal = d.refusal();
            EligibilityItem {
                rule: d.rule,
                clause: d.rule.clause(),
                title: d.rule.title(),
                event_key: x.event_key.clone(),
                granted: refusal.is_none(),
                amount: d.amount(),
                code: refusal.map(|r| r.code()),
                message: match refusal {
                    Some(r) => r.message(d.rule, policy),
                    None => x.text,
                },
            }
        })
        .collect();
    Eligibility {
        credit_code,
        window: Some(w),
        items,
        obstacles: obstacles(facts, policy, o, today),
    }
}

/// Conditions on the organisation itself that close rules for new claims,
/// worded with the domain's own reasons.
fn obstacles(facts: &Facts, policy: &Policy, o: OrgIx, today: NaiveDate) -> Vec<Obstacle> {
    use gongyi_domain::policy::Refusal;
    let mut out = Vec::new();
    let Some((_, p)) = policy.in_force(today) else {
        return out;
    };
    let org = facts.org(o);
    if let Err(nd) = org.district_on(today) {
        let r = Refusal::NotDistrict(nd);
        out.push(Obstacle {
            code: r.code(),
            message: format!(
                "{}(开办补贴、房租补贴、荣誉奖励、创业大赛项目补贴均以此为条件)",
                r.message(Rule::R2, policy)
            ),
        });
    }
    for (rule, years) in [
        (Rule::R2, p.startup_max_age_years),
        (Rule::R3, p.rent_max_age_years),
    ] {
        let comes_of_age = org.comes_of_age(years);
        if comes_of_age <= today {
            let r = Refusal::TooOld {
                registered: org.registration_date,
                comes_of_age,
                years,
            };
            out.push(Obstacle {
                code: r.code(),
                message: r.message(rule, policy),
            });
        }
    }
    let first = facts.inspections(o).first();
    match first {
        None if org.comes_of_age(p.startup_max_age_years) > today => out.push(Obstacle {
            code: Refusal::NoInspection.code(),
            message: Refusal::NoInspection.message(Rule::R2, policy),
        }),
        Some(i) if i.result != gongyi_domain::history::InspectionResult::Qualified => {
            let r = Refusal::FirstInspectionNotQualified {
                year: i.year,
                result: i.result,
            };
            out.push(Obstacle {
                code: r.code(),
                message: r.message(Rule::R2, policy),
            });
        }
        _ => {}
    }
    out
}

impl Registry {
    /// Streams the whole registry's policy facts into memory.
    pub async fn policy_facts(&self) -> Result<PolicyFacts> {
        Ok(self.db.load_policy_facts(FactsScope::All).await?)
    }

    /// Evaluates the registry for `window` under the version in force with
    /// `overrides` applied (none for the real figures).
    pub async fn evaluate_policy(
        &self,
        window: Window,
        overrides: &[(String, String)],
    ) -> Result<PolicyRun> {
        let policy = policy_with(overrides)?;
        let data = self.policy_facts().await?;
        let evaluation = policy::evaluate_parallel(&data.facts, &policy, window, threads());
        Ok(PolicyRun {
            data,
            policy,
            evaluation,
        })
    }

    /// Every payment of `window` with its explanation, and the totals, under
    /// the version in force with `overrides` applied.
    pub async fn policy_report(
        &self,
        window: Window,
        overrides: &[(String, String)],
    ) -> Result<PolicyReport> {
        let policy = policy_with(overrides)?;
        let data = self.policy_facts().await?;
        Ok(PolicyReport::new(data, policy, window))
    }

    /// Compares the version in force with `overrides` applied; writes nothing.
    pub async fn simulate_policy(
        &self,
        window: Window,
        overrides: Vec<(String, String)>,
    ) -> Result<Simulation> {
        let alt = policy_with(&overrides)?;
        let data = self.policy_facts().await?;
        let mut sim = simulate(&data, &Policy::yangpu(), &alt, window, overrides);
        // Codes to names for the reader; an unknown code stays as it is.
        let names: HashMap<String, String> = self
            .db
            .subdistricts()
            .await?
            .into_iter()
            .map(|r| (r.code, r.name))
            .collect();
        for row in &mut sim.rows {
            if let Some(name) = row.subdistrict.as_ref().and_then(|c| names.get(c)) {
                row.subdistrict = Some(name.clone());
            }
        }
        Ok(sim)
    }

    /// The rule decisions about one organisation's records up to today; an
    /// organisation outside the caller's scope is not found.
    pub async fn org_eligibility(&self, credit_code: &str) -> Result<Eligibility> {
        let org = self.org(credit_code).await?;
        self.eligibility_of_org(&org).await
    }

    /// The same for an organisation already read, whoever the caller is (an
    /// approval checks the facts of an application it may already act on).
    pub(crate) async fn eligibility_of_org(
        &self,
        org: &gongyi_store::orgs::OrgRow,
    ) -> Result<Eligibility> {
        let data = self.db.load_policy_facts(FactsScope::Org(org.id)).await?;
        let o = data
            .facts
            .find_org(&gongyi_store::policy_facts::org_fact_id(org.id))
            .ok_or(AppError::NotFound)?;
        Ok(eligibility_of(
            &data.facts,
            &Policy::yangpu(),
            o,
            org.credit_code.clone(),
            self.clock.today(),
        ))
    }
}
