//! Demo policy facts (leases, start-up applications, venture projects,
//! competition wins, supervisor reviews, senior-award decisions) for the
//! organisations and people already in the registry, so that `gongyi policy`
//! has something to compute on demo data.
//!
//! Each record draws from a generator keyed by (seed, table id), so the same
//! seed over the same registry gives the same facts. The shares below are
//! rough guesses at the district's activity, not statistics; rule amounts
//! are not here (they are policy parameters).

use crate::{Registry, Result};
use chrono::{Duration, NaiveDate};
use gongyi_domain::policy::facts::{CompetitionLevel, Score};
use gongyi_domain::policy::YearMonth;
use gongyi_domain::Fen;
use gongyi_store::policy_facts::{CompetitionWinRecord, PolicyFactsBatch, SeniorAwardRecord};

/// Rows written per transaction.
const BATCH: i64 = 5_000;

/// Policy facts written.
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoPolicyCounts {
    pub leases: usize,
    pub applications: usize,
    pub ventures: usize,
    pub wins: usize,
    pub reviews: usize,
    pub decisions: usize,
}

/// SplitMix64: small, fast and good enough for demo draws.
struct Draw(u64);

impl Draw {
    fn new(seed: u64, stream: u64, id: i64) -> Draw {
        let mut d = Draw(seed ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (id as u64) << 7);
        d.next();
        d
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo + 1).max(1) as u64;
        lo + (self.next() % span) as i64
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// Facts of one organisation registered on `reg`.
fn org_facts(seed: u64, id: i64, reg: NaiveDate, in_district: bool, b: &mut PolicyFactsBatch) {
    let mut r = Draw::new(seed, 1, id);
    let young_in_period = reg >= date(2019, 7, 21);
    if young_in_period && in_district && r.chance(55) {
        // Rent from the month after registration, for 6–30 months; now and
        // then a month paid late (0).
        let months = r.range(6, 30);
        let rent = r.range(1_500, 9_000) * 100;
        let mut m = YearMonth::of(reg).next();
        for _ in 0..months {
            let paid = if r.chance(4) { 0 } else { rent };
            b.leases.push((id, m, Fen(paid)));
            m = m.next();
        }
    }
    if young_in_period && r.chance(35) {
        let on = reg + Duration::days(r.range(60, 500));
        b.applications
            .push((id, on, Fen(r.range(3_000, 15_000) * 100)));
        if r.chance(15) {
            let again = on + Duration::days(r.range(30, 200));
            b.applications
                .push((id, again, Fen(r.range(3_000, 15_000) * 100)));
        }
    }
    if r.chance(6) {
        let year = r.range(2021, 2025) as i32;
        let selected = date(year, 6, 1) + Duration::days(r.range(0, 60));
        if selected > reg {
            b.ventures.push((
                id,
                format!("GY{year}-D{id:07}"),
                Fen(r.range(20_000, 300_000) * 100 + r.range(0, 1)),
                selected,
            ));
        }
    }
    if r.chance(2) {
        let on = date(2021, 1, 1) + Duration::days(r.range(0, 5 * 365));
        let level = match r.range(0, 9) {
            0 => CompetitionLevel::National,
            1..=5 => CompetitionLevel::Municipal,
            _ => CompetitionLevel::District,
        };
        let place = match r.range(0, 5) {
            0 => None,
            p => Some(p as u32),
        };
        b.wins.push((
            id,
            CompetitionWinRecord {
                project_id: format!("CP-D{id:07}"),
                level,
                prize_place: place,
                amount: Fen(r.range(50_000, 400_000) * 100),
                serves_district: r.chance(80),
                date: on,
            },
        ));
    }
}

/// Facts of one person: supervisors are reviewed most years; senior social
/// workers sometimes get an award decision.
fn person_facts(seed: u64, id: i64, supervisor: bool, senior: bool, b: &mut PolicyFactsBatch) {
    let mut r = Draw::new(seed, 2, id);
    if supervisor || r.chance(3) {
        for year in 2021..=2025 {
            if r.chance(75) {
                let score = Score(r.range(600, 999) as u32);
                b.reviews.push((id, year, score, r.range(20, 240) as u32));
            }
        }
    }
    if senior && r.chance(40) {
        let on = date(2022, 1, 1) + Duration::days(r.range(0, 4 * 365 - 1));
        b.decisions.push((
            id,
            SeniorAwardRecord {
                decision_date: on,
                innovative_contribution: r.chance(60),
                reason: Some("演示数据".into()),
            },
        ));
    }
}

impl Registry {
    /// Adds demo policy facts for every organisation and person in the
    /// registry. Run once, after `load_demo`: the unique keys refuse a
    /// second run.
    pub async fn load_demo_policy_facts(
        &self,
        seed: u64,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Result<DemoPolicyCounts> {
        let mut counts = DemoPolicyCounts::default();
        let mut count = |b: &PolicyFactsBatch| {
            counts.leases += b.leases.len();
            counts.applications += b.applications.len();
            counts.ventures += b.ventures.len();
            counts.wins += b.wins.len();
            counts.reviews += b.reviews.len();
            counts.decisions += b.decisions.len();
        };
        let mut after = 0;
        let mut done = 0;
        loop {
            let orgs = self.db.org_registrations_after(after, BATCH).await?;
            let Some(last) = orgs.last() else { break };
            after = last.0;
            let mut b = PolicyFactsBatch::default();
            for (id, reg, in_district) in &orgs {
                org_facts(seed, *id, *reg, *in_district, &mut b);
            }
            let mut tx = self.db.begin().await?;
            self.db.bulk_insert_policy_facts(&mut tx, &b).await?;
            tx.commit().await?;
            count(&b);
            done += orgs.len();
            progress(done);
        }
        let mut after = 0;
        loop {
            let people = self.db.people_for_awards_after(after, BATCH).await?;
            let Some(last) = people.last() else { break };
            after = last.0;
            let mut b = PolicyFactsBatch::default();
            for (id, supervisor, senior) in &people {
                person_facts(seed, *id, *supervisor, *senior, &mut b);
            }
            let mut tx = self.db.begin().await?;
            self.db.bulk_insert_policy_facts(&mut tx, &b).await?;
            tx.commit().await?;
            count(&b);
            done += people.len();
            progress(done);
        }
        Ok(counts)
    }
}
