//! Times in-memory batch evaluation at scale.
//!
//! Replicates the `n10000` bundle of `docs/policies/vectors` (with new ids)
//! up to N organisations and 2.4 N people, then evaluates one calendar year
//! and the whole policy period. Each size runs in its own process so that
//! the peak RSS (VmHWM) belongs to that size alone.
//!
//! `cargo run --release -p gongyi-vectors --example policy_bench -- [N…]`
//! (default: 10000 100000 1000000).

use gongyi_domain::policy::facts::{CompetitionWin, Employment, Inspection, Lease, Rating};
use gongyi_domain::policy::facts::{Org, Person, SeniorAwardDecision, StartupApplication};
use gongyi_domain::policy::{self, Facts, FactsBuilder, OrgIx, PersonIx, Policy, Window};
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

fn bundle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/policies/vectors/n10000")
}

fn status(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .map(|l| l[field.len()..].trim().to_string())
        })
        .unwrap_or_else(|| "?".into())
}

/// `copies` copies of `base`, ids suffixed with the copy number.
fn replicate(base: &Facts, copies: usize) -> Result<Facts, policy::FactsError> {
    let mut b =
        FactsBuilder::with_capacity(base.org_count() * copies, base.person_count() * copies);
    for c in 0..copies {
        // A copy number after the letter keeps the contract's shape and
        // keeps input order equal to id order, as in a real bundle.
        let id = |s: &str| {
            let (letter, rest) = s.split_at(1.min(s.len()));
            format!("{letter}{c:03}{rest}")
        };
        for o in base.orgs() {
            let oid = id(base.org_id(o));
            let org: Org = *base.org(o);
            b.add_org(&oid, org)?;
        }
        for o in base.orgs() {
            let oid = id(base.org_id(o));
            for i in base.inspections(o) {
                b.add_inspection(&oid, Inspection { ..*i })?;
            }
            for r in base.ratings(o) {
                b.add_rating(&oid, Rating { ..*r })?;
            }
            for h in base.honours(o) {
                b.add_honour(&oid, base.honour_title(h.title), h.level, h.date)?;
            }
            for l in base.leases(o) {
                b.add_lease(&oid, Lease { ..*l })?;
            }
            for a in base.startup_applications(o) {
                b.add_startup_application(&oid, StartupApplication { ..*a })?;
            }
            for v in base.venture_projects(o) {
                let pid = id(base.venture_project_id(v.project));
                b.add_venture_project(&oid, &pid, v.amount, v.selected_date)?;
            }
        }
        for w in base.all_wins() {
            let oid = id(base.org_id(w.org));
            let pid = id(base.competition_project_id(w.project));
            b.add_competition_win(&oid, &pid, CompetitionWin { ..*w })?;
        }
        for p in base.people() {
            let person: Person = *base.person(p);
            b.add_person(&id(base.person_id(p)), person)?;
        }
        for p in base.people() {
            let pid = id(base.person_id(p));
            for e in base.employments(p) {
                let oid = id(base.org_id(e.org));
                b.add_employment(&pid, &oid, Employment { ..*e })?;
            }
            for r in base.performance(p) {
                b.add_performance(&pid, *r)?;
            }
            for r in base.supervisor_reviews(p) {
                b.add_supervisor_review(&pid, r.year, r.score, r.hours)?;
            }
            for d in base.senior_award_decisions(p) {
                b.add_senior_award_decision(&pid, SeniorAwardDecision { ..*d })?;
            }
        }
    }
    let t = Instant::now();
    let facts = b.build();
    eprintln!("  (indexing the facts took {:.2?})", t.elapsed());
    facts
}

fn best_of(runs: usize, mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut rows = 0;
    for _ in 0..runs {
        let t = Instant::now();
        rows = f();
        best = best.min(t.elapsed());
    }
    (best, rows)
}

fn run_one(n: usize) -> Result<(), String> {
    let base = gongyi_vectors::read_bundle(&bundle_dir())
        .map_err(|e| e.to_string())?
        .facts;
    let copies = n.div_ceil(base.org_count()).max(1);
    let t = Instant::now();
    let facts = replicate(&base, copies).map_err(|e| e.to_string())?;
    drop(base);
    let build = t.elapsed();
    let rss_facts = status("VmRSS:");
    let policy = Policy::yangpu();
    let year = Window::year(2024);
    let period = Window::new(
        chrono::NaiveDate::from_ymd_opt(2021, 7, 21).unwrap_or_default(),
        chrono::NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default(),
    );
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let time =
        |w: Window, t: usize| best_of(3, || policy::evaluate_parallel(&facts, &policy, w, t).len());
    let (y1, rows_year) = time(year, 1);
    let (yn, _) = time(year, threads);
    let (p1, rows_period) = time(period, 1);
    let (pn, _) = time(period, threads);
    // The per-beneficiary query, for a sense of its cost.
    let (t_query, _) = best_of(3, || {
        let o = policy::claims_of_org(&facts, &policy, OrgIx(0), period).len();
        let p = policy::claims_of_person(&facts, &policy, PersonIx(0), period).len();
        o + p
    });
    println!(
        "{} orgs, {} people (facts built in {:.2?}, RSS {})",
        facts.org_count(),
        facts.person_count(),
        build,
        rss_facts
    );
    println!(
        "  year 2024:             {rows_year:>9} rows  1 thread {y1:>9.2?}  {threads} threads {yn:>9.2?}"
    );
    println!(
        "  2021-07-21…2025-12-31: {rows_period:>9} rows  1 thread {p1:>9.2?}  {threads} threads {pn:>9.2?}"
    );
    println!(
        "  one organisation + one person query: {t_query:.2?}; peak RSS (VmHWM) {}",
        status("VmHWM:")
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, n] = args.as_slice() {
        if flag == "--one" {
            return match n.parse().map_err(|e| format!("{e}")).and_then(run_one) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{e}");
                    ExitCode::FAILURE
                }
            };
        }
    }
    let sizes: Vec<String> = if args.is_empty() {
        vec!["10000".into(), "100000".into(), "1000000".into()]
    } else {
        args
    };
    let Ok(me) = std::env::current_exe() else {
        eprintln!("cannot find this program to run each size");
        return ExitCode::FAILURE;
    };
    for n in sizes {
        match Command::new(&me).args(["--one", &n]).status() {
            Ok(s) if s.success() => {}
            other => {
                eprintln!("size {n}: {other:?}");
                return ExitCode::FAILURE;
            }
        }
    }
    ExitCode::SUCCESS
}
