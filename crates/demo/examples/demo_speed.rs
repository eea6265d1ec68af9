//! Generates 1,000,000 organisations with their history (and, with
//! `--people`, their 1,550,000 social workers) and reports the time.
//!
//! cargo run --release -p gongyi-demo --example demo_speed [-- ORGS] [--people]

use chrono::NaiveDate;
use gongyi_demo::{organizations, people, DemoConfig};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let orgs = args
        .iter()
        .find_map(|a| a.replace('_', "").parse::<usize>().ok())
        .unwrap_or(1_000_000);
    let with_people = args.iter().any(|a| a == "--people");
    let today = NaiveDate::from_ymd_opt(2026, 3, 15).unwrap_or_default();
    let cfg = DemoConfig::new(orgs, 20260315, today);

    // Count what was made, so that the work cannot be optimised away and the
    // report says how much history came with the organisations.
    let started = Instant::now();
    let (mut records, mut names) = (0usize, 0usize);
    for o in organizations(&cfg) {
        records += o.inspections.len()
            + o.ratings.len()
            + o.honours.len()
            + o.credit_entries.len()
            + o.party_building.len()
            + o.finances.len()
            + o.leases.len();
        names += o.draft.name.len();
    }
    let took = started.elapsed();
    println!(
        "{orgs} organisations with {records} history records in {:.2} s ({:.0} organisations/s; {} bytes of names)",
        took.as_secs_f64(),
        orgs as f64 / took.as_secs_f64(),
        names
    );

    if with_people {
        let started = Instant::now();
        let (mut n, mut jobs) = (0usize, 0usize);
        for p in people(&cfg) {
            n += 1;
            jobs += p.employments.len() + p.reviews.len() + p.qualifications.len();
        }
        let took = started.elapsed();
        println!(
            "{n} people with {jobs} qualifications, employments and reviews in {:.2} s",
            took.as_secs_f64()
        );
    }
}
