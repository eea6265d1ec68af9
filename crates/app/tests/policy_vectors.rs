//! Evaluating from the database reproduces the policy test vectors: the
//! `n10000` bundle (`docs/policies/vectors`) is written into a registry
//! through the store, read back by the facts loader, evaluated, and compared
//! row for row.
//!
//! Both backends load all 10,000 organisations and 24,000 people (about
//! 270,000 rows: some 25 s on SQLite and 50 s on PostgreSQL in a debug build)
//! and are compared with the bundle's own `entitlements.csv`. Where that is
//! too slow, `GONGYI_VECTORS_PG_ORGS=200` makes PostgreSQL load only the
//! organisations `O0000000`…`O0000199` with the people they employ, compared
//! with the engine's evaluation of the same subset read straight from files.
//! Then each beneficiary is evaluated alone from a scoped load, as approval
//! does, and must be paid what the batch pays it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::{Clock, Registry};
use gongyi_domain::policy::{Facts, Window};
use gongyi_store::Backend;
use std::collections::{HashMap, HashSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};

fn bundle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/policies/vectors/n10000")
}

/// The hand-worked bundle of qualification upgrades and rating changes.
fn history_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../vectors/tests/data/history")
}

/// A file of the bundle as text, whether it is kept plain or gzipped.
fn bundle_file(name: &str) -> String {
    file_of(&bundle_dir(), name)
}

fn file_of(dir: &Path, name: &str) -> String {
    let (_, mut input) = gongyi_vectors::read::open(dir, name).unwrap();
    let mut text = String::new();
    input.read_to_string(&mut text).unwrap();
    text
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn period() -> Window {
    Window::new(d("2021-07-21"), d("2025-12-31"))
}

type Row = (String, String, String, String, i64);

fn rows_of(facts: &Facts, e: &gongyi_domain::policy::Evaluation) -> Vec<Row> {
    e.entitlements()
        .map(|r| {
            (
                r.rule.code().to_string(),
                r.rule.beneficiary_kind().code().to_string(),
                r.beneficiary_id(facts).to_string(),
                r.key.display(facts).to_string(),
                r.amount.get(),
            )
        })
        .collect()
}

/// `entitlements.csv` of the bundle in `dir` with its ids mapped to the registry's.
fn expected_from_file(dir: &Path, ids: &gongyi_app::policy_bundle::BundleIds) -> Vec<Row> {
    let text = file_of(dir, "entitlements.csv");
    let mut r = csv::Reader::from_reader(text.as_bytes());
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let kind = rec[1].to_string();
            let id = if kind == "organisation" {
                ids.orgs[&rec[2]].clone()
            } else {
                ids.people[&rec[2]].clone()
            };
            (
                rec[0].to_string(),
                kind,
                id,
                rec[3].to_string(),
                rec[4].parse().unwrap(),
            )
        })
        .collect()
}

/// The engine on the bundle files of `dir`, ids mapped to the registry's.
fn expected_from_engine(dir: &Path, ids: &gongyi_app::policy_bundle::BundleIds) -> Vec<Row> {
    let e = gongyi_vectors::evaluate_dir(dir, period().from, period().to).unwrap();
    rows_of(&e.facts, &e.result)
        .into_iter()
        .map(|mut r| {
            r.2 = if r.1 == "organisation" {
                ids.orgs[&r.2].clone()
            } else {
                ids.people[&r.2].clone()
            };
            r
        })
        .collect()
}

fn compare(what: &str, mut got: Vec<Row>, mut want: Vec<Row>) {
    got.sort();
    want.sort();
    if got != want {
        let g: HashSet<&Row> = got.iter().collect();
        let w: HashSet<&Row> = want.iter().collect();
        let missing: Vec<_> = want.iter().filter(|r| !g.contains(r)).take(10).collect();
        let extra: Vec<_> = got.iter().filter(|r| !w.contains(r)).take(10).collect();
        panic!(
            "{what}: {} rows from the database, {} expected\nmissing: {missing:#?}\nextra: {extra:#?}",
            got.len(),
            want.len()
        );
    }
}

/// Copies the bundle's input tables keeping organisations below `O{n:07}`,
/// the people employed by them, and only their events.
fn subset(n: usize, out: &Path) {
    std::fs::create_dir_all(out).unwrap();
    let limit = format!("O{n:07}");
    let read = bundle_file;
    let field = |line: &str, i: usize| line.split(',').nth(i).unwrap_or("").to_string();
    let orgs: HashSet<String> = read("organisations.csv")
        .lines()
        .skip(1)
        .map(|l| field(l, 0))
        .filter(|id| *id < limit)
        .collect();
    let employments = read("employments.csv");
    let people: HashSet<String> = employments
        .lines()
        .skip(1)
        .filter(|l| orgs.contains(&field(l, 1)))
        .map(|l| field(l, 0))
        .collect();
    let write = |name: &str, keep: &dyn Fn(&str) -> bool| {
        let text = read(name);
        let mut lines = text.lines();
        let mut s = format!("{}\n", lines.next().unwrap());
        for l in lines.filter(|l| keep(l)) {
            s.push_str(l);
            s.push('\n');
        }
        std::fs::write(out.join(name), s).unwrap();
    };
    for name in [
        "organisations.csv",
        "annual_inspections.csv",
        "ratings.csv",
        "honours.csv",
        "leases.csv",
        "startup_applications.csv",
        "venture_projects.csv",
        "competition_wins.csv",
    ] {
        write(name, &|l| orgs.contains(&field(l, 0)));
    }
    write("employments.csv", &|l| {
        people.contains(&field(l, 0)) && orgs.contains(&field(l, 1))
    });
    for name in [
        "people.csv",
        "performance_ratings.csv",
        "supervisor_reviews.csv",
        "senior_award_decisions.csv",
    ] {
        write(name, &|l| people.contains(&field(l, 0)));
    }
}

#[tokio::test]
async fn evaluating_from_the_database_reproduces_the_vectors_row_for_row() {
    let pg_orgs: usize = std::env::var("GONGYI_VECTORS_PG_ORGS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db.clone(), Clock::fixed(d("2026-01-15")));
        let full = db.backend() == Backend::Sqlite || pg_orgs >= 10_000;
        let dir = if full {
            bundle_dir()
        } else {
            let dir = std::env::temp_dir().join(format!(
                "gongyi-vectors-subset-{}-{pg_orgs}",
                std::process::id()
            ));
            subset(pg_orgs, &dir);
            dir
        };
        let started = std::time::Instant::now();
        let ids = registry
            .load_vectors_bundle(&dir, &|_, _| {})
            .await
            .unwrap();
        let loaded = started.elapsed();
        let run = registry.evaluate_policy(period(), &[]).await.unwrap();
        let got = rows_of(run.facts(), &run.evaluation);
        eprintln!(
            "{url}: {} organisations, {} rows, loaded in {loaded:?}",
            ids.orgs.len(),
            got.len()
        );
        // The report runs the rules once, keeping each basis: as many rows
        // and the same totals as the compact parallel run (the rows' order is
        // checked in crates/vectors/tests/n10000.rs).
        let report = registry.policy_report(period(), &[]).await.unwrap();
        assert_eq!(report.totals(), &run.totals(), "{url}");
        assert_eq!(report.len(), run.evaluation.len(), "{url}");
        // Every beneficiary on SQLite; on PostgreSQL (slower per query) every
        // tenth, unless GONGYI_VECTORS_SCOPED_STEP says otherwise: the same
        // SQL, and every one is compared in memory by crates/vectors/tests.
        let step = match db.backend() {
            Backend::Sqlite => 1,
            Backend::Postgres => std::env::var("GONGYI_VECTORS_SCOPED_STEP")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(10),
        };
        scoped_claims_pay_what_the_batch_pays(&registry, &url, run.facts(), &got, step).await;
        if full {
            assert_eq!(got.len(), 309_358, "{url}");
            compare(&url, got, expected_from_file(&dir, &ids));
        } else {
            assert!(!got.is_empty(), "{url}: the subset pays something");
            compare(&url, got, expected_from_engine(&dir, &ids));
        }

        // A window of one year is the same rows as the period's rows of that year.
        let year = registry
            .evaluate_policy(Window::year(2024), &[])
            .await
            .unwrap();
        let by_year: HashMap<&str, i64> = year
            .totals()
            .rules
            .iter()
            .map(|r| (r.rule.code(), r.all.total.get()))
            .collect();
        let whole = run.totals();
        for r in &whole.rules {
            let in_2024 = r
                .by_year
                .iter()
                .find(|(y, _)| *y == 2024)
                .map_or(0, |(_, t)| t.total.get());
            assert_eq!(by_year[r.rule.code()], in_2024, "{url}: {} in 2024", r.rule);
        }
    }
}

/// `policy load-facts` merges a bundle into a registry that already holds
/// data: organisations by credit code, people by resident ID, a recorded
/// fact kept as recorded, all in one transaction. A second load adds
/// nothing; a bundle with one bad row writes nothing.
#[tokio::test]
async fn a_bundle_merges_into_a_registry_with_data_twice_without_change_and_all_or_nothing() {
    let dir = std::env::temp_dir().join(format!("gongyi-merge-{}", std::process::id()));
    subset(60, &dir);
    let orgs_csv = std::fs::read_to_string(dir.join("organisations.csv")).unwrap();
    let first: Vec<&str> = orgs_csv.lines().nth(1).unwrap().split(',').collect();
    let (first_code, bundle_orgs) = (first[1].to_string(), orgs_csv.lines().count() - 1);
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db.clone(), Clock::fixed(d("2026-01-15")));
        // The registry already knows the bundle's first organisation, under
        // its own name and with a rating of its own, and one more.
        let field = |k: &str| match k {
            "credit_code" => first_code.clone(),
            "name" => "杨浦区登记在册的社会组织".into(),
            "kind" => match first_code.as_bytes()[1] {
                b'1' => "社会团体",
                b'2' => "民办非企业单位",
                _ => "基金会",
            }
            .into(),
            "subdistrict" => "310110001".into(),
            "registration_date" => "2015-03-01".into(),
            "registered_capital" => "30000".into(),
            _ => String::new(),
        };
        let input = gongyi_domain::orgs::OrgInput {
            credit_code: field("credit_code"),
            name: field("name"),
            kind: field("kind"),
            subdistrict: field("subdistrict"),
            registration_date: field("registration_date"),
            registered_capital: field("registered_capital"),
            ..Default::default()
        };
        registry.create_org(&input).await.unwrap();
        let rating = gongyi_app::orgs::HistoryInput::from_fields("ratings", |k| {
            match k {
                "level" => "4A",
                "date" => "2019-06-01",
                _ => "",
            }
            .to_string()
        })
        .unwrap();
        registry.add_history(&first_code, &rating).await.unwrap();

        let (ids, c) = registry
            .merge_vectors_bundle(&dir, &|_, _| {})
            .await
            .unwrap_or_else(|e| panic!("{url}: {e:?}"));
        assert_eq!(
            (c.orgs_matched, c.orgs_added),
            (1, bundle_orgs - 1),
            "{url}"
        );
        assert!(c.people_added > 0 && c.facts_added > 0, "{url}: {c:?}");
        let org = registry.org(&first_code).await.unwrap();
        assert_eq!(
            org.name, "杨浦区登记在册的社会组织",
            "{url}: registration is the registry's"
        );
        assert_eq!(ids.orgs.len(), bundle_orgs, "{url}");
        let history = registry.store().org_history(org.id).await.unwrap();
        assert!(
            history.ratings.iter().any(|r| r.date == d("2019-06-01")),
            "{url}: the registry's own rating is kept"
        );
        let before = registry
            .evaluate_policy(period(), &[])
            .await
            .unwrap()
            .totals();

        // Again: everything is matched, nothing is added.
        let (again, c2) = registry
            .merge_vectors_bundle(&dir, &|_, _| {})
            .await
            .unwrap();
        assert_eq!(
            (c2.orgs_added, c2.people_added, c2.facts_added),
            (0, 0, 0),
            "{url}: {c2:?}"
        );
        assert_eq!(
            (c2.orgs_matched, c2.people_matched),
            (bundle_orgs, c.people_added),
            "{url}"
        );
        assert_eq!(c2.facts_kept, c.facts_added + c.facts_kept, "{url}");
        assert_eq!(again.orgs, ids.orgs, "{url}");
        assert_eq!(again.people, ids.people, "{url}");
        let after = registry
            .evaluate_policy(period(), &[])
            .await
            .unwrap()
            .totals();
        assert_eq!(
            before, after,
            "{url}: a second load changed what the rules pay"
        );

        // One bad credit code in the last row: nothing at all is written.
        let bad = dir.with_extension("bad");
        std::fs::create_dir_all(&bad).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), bad.join(entry.file_name())).unwrap();
        }
        let mut lines: Vec<String> = orgs_csv.lines().map(str::to_string).collect();
        // A new organisation first (so a write happens before the failure).
        let mut fresh: Vec<String> = lines[1].split(',').map(str::to_string).collect();
        fresh[0] = "O0999999".into();
        fresh[1] = "51310110MJ000000X2".into();
        lines.insert(1, fresh.join(","));
        let last = lines.len() - 1;
        let mut broken: Vec<String> = lines[last].split(',').map(str::to_string).collect();
        broken[1] = "not-a-credit-code".into();
        lines[last] = broken.join(",");
        std::fs::write(bad.join("organisations.csv"), lines.join("\n") + "\n").unwrap();
        let orgs_before = registry.count_orgs().await.unwrap();
        let people_before = registry.people_count().await.unwrap();
        assert!(
            registry
                .merge_vectors_bundle(&bad, &|_, _| {})
                .await
                .is_err(),
            "{url}: a bad credit code was accepted"
        );
        assert_eq!(registry.count_orgs().await.unwrap(), orgs_before, "{url}");
        assert_eq!(
            registry.people_count().await.unwrap(),
            people_before,
            "{url}"
        );
        let _ = std::fs::remove_dir_all(&bad);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The hand-worked vectors of people who upgraded their qualification and
/// organisations whose rating changed (`crates/vectors/tests/data/history`,
/// calculation in its README), written through the store (every
/// qualification into the `qualifications` table) and evaluated from it.
#[tokio::test]
async fn the_history_vectors_are_reproduced_from_the_database() {
    for (db, url) in gongyi_testkit::databases().await {
        let registry = Registry::new(db, Clock::fixed(d("2026-01-15")));
        let ids = registry
            .load_vectors_bundle(&history_dir(), &|_, _| {})
            .await
            .unwrap();
        let run = registry.evaluate_policy(period(), &[]).await.unwrap();
        let got = rows_of(run.facts(), &run.evaluation);
        assert_eq!(got.len(), 24, "{url}");
        compare(&url, got, expected_from_file(&history_dir(), &ids));
    }
}

/// Approval evaluates one beneficiary from a load of its own facts
/// (`FactsScope::Org`, `FactsScope::Person`, then `claims_of_org`,
/// `claims_of_person`): for every `step`-th organisation and person of the
/// registry that pays exactly what the batch run over everything pays.
async fn scoped_claims_pay_what_the_batch_pays(
    registry: &Registry,
    url: &str,
    facts: &Facts,
    batch: &[Row],
    step: usize,
) {
    use gongyi_domain::policy::{claims_of_org, claims_of_person, Policy};
    use gongyi_store::policy_facts::FactsScope;
    type Paid = Vec<(String, String, i64)>;
    let mut want: HashMap<String, Paid> = HashMap::new();
    for r in batch {
        want.entry(r.2.clone())
            .or_default()
            .push((r.0.clone(), r.3.clone(), r.4));
    }
    let mut jobs: Vec<String> = facts.orgs().map(|o| facts.org_id(o).to_string()).collect();
    jobs.extend(facts.people().map(|p| facts.person_id(p).to_string()));
    let jobs: Vec<String> = jobs.into_iter().step_by(step.max(1)).collect();
    let started = std::time::Instant::now();
    let total = jobs.len();
    let jobs = std::sync::Arc::new(std::sync::Mutex::new(jobs));
    let want = std::sync::Arc::new(want);
    let mut workers = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (jobs, want, db) = (jobs.clone(), want.clone(), registry.store().clone());
        workers.spawn(async move {
            let mut differ = Vec::new();
            let policy = Policy::yangpu();
            loop {
                let Some(id) = jobs.lock().unwrap().pop() else {
                    break;
                };
                let table: i64 = id[1..].parse().unwrap();
                let scope = if id.starts_with('O') {
                    FactsScope::Org(table)
                } else {
                    FactsScope::Person(table)
                };
                let data = db.load_policy_facts(scope).await.unwrap();
                let f = &data.facts;
                let decisions = match scope {
                    FactsScope::Org(_) => {
                        claims_of_org(f, &policy, f.find_org(&id).unwrap(), period())
                    }
                    _ => claims_of_person(f, &policy, f.find_person(&id).unwrap(), period()),
                };
                let mut got: Paid = decisions
                    .iter()
                    .filter_map(|d| {
                        let a = d.amount()?;
                        Some((
                            d.rule.code().to_string(),
                            d.key.display(f).to_string(),
                            a.get(),
                        ))
                    })
                    .collect();
                got.sort();
                let mut w = want.get(&id).cloned().unwrap_or_default();
                w.sort();
                if got != w {
                    differ.push(format!("{id}: scoped {got:?}, batch {w:?}"));
                }
            }
            differ
        });
    }
    let mut differ = Vec::new();
    while let Some(d) = workers.join_next().await {
        differ.extend(d.unwrap());
    }
    eprintln!(
        "{url}: {total} beneficiaries evaluated one by one in {:?}",
        started.elapsed()
    );
    assert!(
        differ.is_empty(),
        "{url}: {} beneficiaries differ, first ones:\n{}",
        differ.len(),
        differ
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
