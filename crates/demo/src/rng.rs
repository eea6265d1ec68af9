//! Seeding, keyed permutations and small sampling helpers.
//!
//! Every record draws from its own generator, seeded from (seed, stream,
//! index), so record `i` is the same whether it is generated alone, in a
//! stream or on another thread. Uniqueness (credit codes, names, resident
//! IDs) never relies on luck: it comes from keyed permutations of the index.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The streams a record can draw from; distinct so that adding a draw to one
/// never shifts another.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stream {
    OrgCore = 1,
    OrgDetail = 2,
    Person = 3,
    OrgPermutation = 4,
    CodePermutation = 5,
    NamePermutation = 6,
    PersonPermutation = 7,
    BirthPhase = 8,
    Report = 9,
}

/// SplitMix64's finaliser: a cheap, well-mixing bijection on u64.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) fn key(seed: u64, stream: Stream, extra: u64) -> u64 {
    splitmix64(splitmix64(seed ^ splitmix64(stream as u64)) ^ extra)
}

/// The generator of one record. `SmallRng` is rand 0.8's Xoshiro256++ on
/// 64-bit targets; the lock file pins the version, which is what
/// "the same seed gives the same data" depends on.
pub(crate) fn record_rng(seed: u64, stream: Stream, index: u64) -> SmallRng {
    SmallRng::seed_from_u64(key(seed, stream, index))
}

/// A keyed pseudo-random permutation of `0..n`: a balanced Feistel network
/// on the smallest even power of two ≥ n, with cycle walking back into range.
#[derive(Debug, Clone)]
pub(crate) struct Perm {
    n: u64,
    half: u32,
    mask: u64,
    key: u64,
}

impl Perm {
    pub(crate) fn new(n: u64, key: u64) -> Perm {
        let bits = 64 - n.saturating_sub(1).leading_zeros();
        let half = bits.div_ceil(2).max(1);
        Perm {
            n,
            half,
            mask: (1u64 << half) - 1,
            key,
        }
    }

    /// The image of `x` (`x < n`); the identity on out-of-range input so
    /// that callers never loop forever on a bug.
    pub(crate) fn apply(&self, x: u64) -> u64 {
        if x >= self.n {
            return x;
        }
        let mut y = x;
        loop {
            y = self.round_trip(y);
            if y < self.n {
                return y;
            }
        }
    }

    fn round_trip(&self, x: u64) -> u64 {
        let (mut l, mut r) = (x >> self.half, x & self.mask);
        for round in 0..4u64 {
            let f = splitmix64(
                r ^ self
                    .key
                    .wrapping_add(round.wrapping_mul(0xA24B_AED4_963E_E407)),
            ) & self.mask;
            (l, r) = (r, l ^ f);
        }
        (l << self.half) | r
    }
}

/// Picks from `(item, weight)` pairs; the first item when all weights are 0.
pub(crate) fn weighted<T: Copy>(rng: &mut SmallRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| *w).sum();
    let fallback = items[0].0;
    if total == 0 {
        return fallback;
    }
    let mut x = rng.gen_range(0..total);
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    fallback
}

/// `lo..=hi`, or `lo` when the range is empty: ranges here come from dates
/// and the caller's configuration, so an empty one must not panic.
pub(crate) fn between(rng: &mut SmallRng, lo: i64, hi: i64) -> i64 {
    if hi <= lo {
        lo
    } else {
        rng.gen_range(lo..=hi)
    }
}

pub(crate) fn chance(rng: &mut SmallRng, p: f64) -> bool {
    rng.gen::<f64>() < p
}

/// A standard normal variate (Box–Muller); enough for money scales.
pub(crate) fn normal(rng: &mut SmallRng) -> f64 {
    let u1: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A valid date, clamping the day to the month's length.
pub(crate) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d)
        .or_else(|| NaiveDate::from_ymd_opt(y, m, 28))
        .unwrap_or(NaiveDate::MIN)
}

pub(crate) fn plus_days(d: NaiveDate, n: i64) -> NaiveDate {
    d.checked_add_signed(Duration::days(n)).unwrap_or(d)
}

pub(crate) fn days_between(a: NaiveDate, b: NaiveDate) -> i64 {
    (b - a).num_days()
}

/// A uniform date in `lo..=hi` (`lo` when empty).
pub(crate) fn date_between(rng: &mut SmallRng, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    plus_days(lo, between(rng, 0, days_between(lo, hi)))
}

/// A day in month `m` of `y`, between the 1st and the 28th.
pub(crate) fn day_in(
    rng: &mut SmallRng,
    y: i32,
    months: std::ops::RangeInclusive<u32>,
) -> NaiveDate {
    let m = rng.gen_range(months);
    ymd(y, m, rng.gen_range(1..=28))
}

pub(crate) fn year_start(y: i32) -> NaiveDate {
    ymd(y, 1, 1)
}

/// The last day of the month before `today`'s.
pub(crate) fn last_complete_month(today: NaiveDate) -> (i32, u32) {
    if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn a_permutation_is_a_bijection_for_awkward_sizes() {
        for n in [1u64, 2, 3, 5, 17, 240, 1000, 4097] {
            let p = Perm::new(n, 42);
            let image: HashSet<u64> = (0..n).map(|x| p.apply(x)).collect();
            assert_eq!(image.len() as u64, n, "n = {n}");
            assert!(image.iter().all(|y| *y < n), "n = {n}");
        }
    }

    #[test]
    fn different_keys_give_different_permutations() {
        let a: Vec<u64> = (0..100).map(|x| Perm::new(100, 1).apply(x)).collect();
        let b: Vec<u64> = (0..100).map(|x| Perm::new(100, 2).apply(x)).collect();
        assert_ne!(a, b);
    }
}
