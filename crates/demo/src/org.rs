//! Organisations: the shared tables of a configuration ([`Ctx`]), each
//! organisation's core facts (which people's employments also need), its
//! registration record and its history.

use crate::person::BirthPlan;
use crate::rng::{
    between, chance, date_between, day_in, days_between, key, last_complete_month, normal,
    plus_days, record_rng, weighted, ymd, Perm, Stream,
};
use crate::vocab::{self, Theme};
use crate::{DemoConfig, DemoOrg};
use chrono::{Datelike, NaiveDate};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::dates::add_years;
use gongyi_domain::history::{
    CreditEntry, CreditList, Finance, Honour, HonourLevel, Inspection, InspectionResult,
    PartyBuilding, PartyOrgForm, Rating, RatingLevel,
};
use gongyi_domain::orgs::{OrgDraft, OrgKind, OrgStatus, Stage, DISTRICT_DIVISION};
use gongyi_domain::policy::registration;
use gongyi_domain::{CreditCode, Fen};
use rand::rngs::SmallRng;
use rand::Rng;

/// The five kinds of organisation that are named differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    CommunityGroup,
    Group,
    CommunityService,
    Service,
    Foundation,
}

impl Category {
    pub(crate) fn kind(self) -> OrgKind {
        match self {
            Category::CommunityGroup | Category::Group => OrgKind::SocialGroup,
            Category::CommunityService | Category::Service => OrgKind::PrivateNonEnterprise,
            Category::Foundation => OrgKind::Foundation,
        }
    }

    pub(crate) fn community(self) -> bool {
        matches!(self, Category::CommunityGroup | Category::CommunityService)
    }
}

/// Shares per 10,000: 35% 社会团体, 62% 民办非企业单位, 3% 基金会, and 40%
/// of all organisations community ones (so 41.2% of the first two kinds).
const CATEGORY_SHARES: [(Category, u64); 5] = [
    (Category::CommunityGroup, 1443),
    (Category::Group, 2057),
    (Category::CommunityService, 2557),
    (Category::Service, 3643),
    (Category::Foundation, 300),
];

/// One part of a name pattern.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// The sub-district's full name (殷行街道); fixes the organisation's sub-district.
    Subdistrict,
    /// Its short name (殷行); also fixes the sub-district.
    Place,
    Brand,
    Themes(&'static [Theme]),
}

/// A tier of names: the union of its patterns, taken in proportion `share`
/// against the other tiers. The last tier of a category is its sink: it also
/// takes what overflows the others, so it should be large.
struct TierSpec {
    patterns: &'static [&'static [Part]],
    share: u64,
}

use Part::{Brand, Place, Subdistrict, Themes};

fn tier_specs(c: Category) -> &'static [TierSpec] {
    match c {
        // 上海市杨浦区殷行街道社区文体协会; sink 上海市杨浦区殷行街道阳光志愿者协会.
        Category::CommunityGroup => &[
            TierSpec {
                patterns: &[&[Subdistrict, Themes(vocab::COMMUNITY_GROUP_THEMES)]],
                share: 4,
            },
            TierSpec {
                patterns: &[&[Subdistrict, Brand, Themes(vocab::COMMUNITY_GROUP_THEMES)]],
                share: 1,
            },
        ],
        // 上海市杨浦区温州商会, 上海市杨浦区五角场书画协会; sink 上海市杨浦区夕阳红合唱协会.
        Category::Group => &[
            TierSpec {
                patterns: &[&[Themes(vocab::GROUP_THEMES)]],
                share: 3,
            },
            TierSpec {
                patterns: &[&[Place, Themes(vocab::LOCAL_GROUP_THEMES)]],
                share: 1,
            },
            TierSpec {
                patterns: &[
                    &[Brand, Themes(vocab::LOCAL_GROUP_THEMES)],
                    &[Place, Brand, Themes(vocab::LOCAL_GROUP_THEMES)],
                ],
                share: 0,
            },
        ],
        // 上海市杨浦区殷行街道睦邻互助服务社; 上海市杨浦区殷行街道阳光助老服务社.
        Category::CommunityService => &[
            TierSpec {
                patterns: &[&[Subdistrict, Themes(vocab::COMMUNITY_SERVICE_THEMES)]],
                share: 3,
            },
            TierSpec {
                patterns: &[&[Subdistrict, Brand, Themes(vocab::COMMUNITY_SERVICE_THEMES)]],
                share: 2,
            },
        ],
        // 上海市杨浦区阳光助老服务中心, 上海市杨浦区五角场社会工作服务中心.
        Category::Service => &[
            TierSpec {
                patterns: &[&[Brand, Themes(vocab::SERVICE_THEMES)]],
                share: 9,
            },
            TierSpec {
                patterns: &[&[Place, Themes(vocab::SERVICE_THEMES)]],
                share: 1,
            },
            TierSpec {
                patterns: &[&[Place, Brand, Themes(vocab::SERVICE_THEMES)]],
                share: 0,
            },
        ],
        // 上海市杨浦区教育发展基金会, 上海市杨浦区殷行街道社区基金会;
        // 上海市杨浦区阳光公益基金会.
        Category::Foundation => &[
            TierSpec {
                patterns: &[
                    &[Themes(vocab::FOUNDATION_THEMES)],
                    &[Subdistrict, Themes(vocab::COMMUNITY_FOUNDATION_THEMES)],
                ],
                share: 1,
            },
            TierSpec {
                patterns: &[
                    &[Brand, Themes(vocab::BRANDED_FOUNDATION_THEMES)],
                    &[Place, Brand, Themes(vocab::BRANDED_FOUNDATION_THEMES)],
                ],
                share: 3,
            },
        ],
    }
}

struct Tier {
    patterns: Vec<(&'static [Part], u64)>,
    capacity: u64,
    share: u64,
    perm: Perm,
}

struct CategoryTable {
    category: Category,
    start: u64,
    count: u64,
    tiers: Vec<Tier>,
    share_total: u64,
}

/// A sub-district as names and addresses need it.
pub(crate) struct Sub {
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) short: String,
    pub(crate) roads: &'static [vocab::Road],
}

/// A service field with its weight as an extra field.
pub(crate) struct Field {
    code: String,
    name: String,
    weight: u32,
}

/// What one configuration shares across its records.
pub(crate) struct Ctx {
    pub(crate) cfg: DemoConfig,
    pub(crate) subs: Vec<Sub>,
    fields: Vec<Field>,
    org_perm: Perm,
    code_perm: Perm,
    categories: Vec<CategoryTable>,
    pub(crate) birth: BirthPlan,
}

/// The facts of an organisation that its employees' records depend on,
/// drawn from their own stream so that people can compute them cheaply.
#[derive(Debug, Clone)]
pub(crate) struct Core {
    pub(crate) category: Category,
    rank: u64,
    pub(crate) registration_date: NaiveDate,
    fresh_graduate: bool,
    status: OrgStatus,
    pub(crate) ended: Option<NaiveDate>,
}

/// The six digits after `MJ` are a permutation of the index modulo a
/// million; the letter pair moves on for every further million.
const CODE_BLOCK: u64 = 1_000_000;
const CODE_LETTERS: &[u8; 21] = b"ABCDEFGHJKLMNPQRTUWXY";
/// `MJ` in the list of letter pairs (M is letter 11, J letter 8).
const MJ: u64 = 11 * 21 + 8;

impl Ctx {
    pub(crate) fn new(cfg: &DemoConfig) -> Ctx {
        let mut cfg = cfg.clone();
        if cfg.subdistricts.is_empty() {
            cfg.subdistricts = crate::YANGPU_SUBDISTRICTS
                .iter()
                .map(|(c, n)| (c.to_string(), n.to_string()))
                .collect();
        }
        let subs: Vec<Sub> = cfg
            .subdistricts
            .iter()
            .map(|(code, name)| Sub {
                code: code.clone(),
                name: name.clone(),
                short: vocab::short_place(name),
                roads: vocab::roads_of(code),
            })
            .collect();
        let fields = cfg
            .service_fields
            .iter()
            .map(|(code, name)| Field {
                code: code.clone(),
                name: name.clone(),
                weight: vocab::field_weight(name),
            })
            .collect();
        let n = cfg.orgs as u64;
        let seed = cfg.seed;
        let mut start = 0u64;
        let mut cumulative = 0u64;
        let categories = CATEGORY_SHARES
            .iter()
            .enumerate()
            .map(|(ci, (category, share))| {
                cumulative += share;
                // Exact shares: boundaries at floor(n · cumulative / 10,000).
                let end = (u128::from(n) * u128::from(cumulative) / 10_000) as u64;
                let tiers: Vec<Tier> = tier_specs(*category)
                    .iter()
                    .enumerate()
                    .map(|(ti, spec)| {
                        let patterns: Vec<(&'static [Part], u64)> = spec
                            .patterns
                            .iter()
                            .map(|p| {
                                (
                                    *p,
                                    p.iter().map(|part| part_size(*part, subs.len())).product(),
                                )
                            })
                            .collect();
                        let capacity = patterns.iter().map(|(_, c)| c).sum::<u64>().max(1);
                        Tier {
                            patterns,
                            capacity,
                            share: spec.share,
                            perm: Perm::new(
                                capacity,
                                key(seed, Stream::NamePermutation, (ci * 16 + ti) as u64),
                            ),
                        }
                    })
                    .collect();
                let table = CategoryTable {
                    category: *category,
                    start,
                    count: end - start,
                    share_total: tiers.iter().map(|t| t.share).sum::<u64>().max(1),
                    tiers,
                };
                start = end;
                table
            })
            .collect();
        Ctx {
            birth: BirthPlan::new(&cfg),
            subs,
            fields,
            org_perm: Perm::new(n, key(seed, Stream::OrgPermutation, 0)),
            code_perm: Perm::new(CODE_BLOCK, key(seed, Stream::CodePermutation, 0)),
            categories,
            cfg,
        }
    }

    fn category_of(&self, j: u64) -> &CategoryTable {
        self.categories
            .iter()
            .find(|c| j < c.start + c.count)
            .unwrap_or(&self.categories[self.categories.len() - 1])
    }

    /// The core facts of organisation `index`.
    pub(crate) fn core(&self, index: usize) -> Core {
        let today = self.cfg.today;
        // The permuted index picks the category, so kinds come in exact
        // shares and names can be allotted without repeats.
        let j = self.org_perm.apply(index as u64);
        let table = self.category_of(j);
        let category = table.category;
        let mut rng = record_rng(self.cfg.seed, Stream::OrgCore, index as u64);

        // More recent registrations are more frequent: the density grows
        // linearly from 1995 to today (the district grew most after 2010).
        let first = ymd(1995, 1, 1).min(today);
        let last = plus_days(today, -1).max(first);
        let span = days_between(first, last) as f64;
        let x = rng.gen::<f64>().sqrt();
        let registration_date = plus_days(first, (x * span) as i64).min(last);

        let fresh_graduate =
            category.community() && registration_date >= ymd(2014, 1, 1) && chance(&mut rng, 0.05);

        let age_days = days_between(registration_date, today);
        let reg_year = registration_date.year();
        let roll = rng.gen_range(0..1000u32);
        let (status, ended) = if roll < 50 && age_days >= 400 {
            let end = date_between(
                &mut rng,
                plus_days(registration_date, 365),
                plus_days(today, -1),
            );
            (OrgStatus::Deregistered, Some(end))
        } else if roll < 58 && reg_year + 3 < today.year() {
            // Revoked after missing two inspections in a row (see `credit_plan`).
            let y = between(
                &mut rng,
                i64::from(reg_year + 3),
                i64::from(today.year() - 1),
            ) as i32;
            (OrgStatus::Revoked, Some(day_in(&mut rng, y, 9..=12)))
        } else if roll < 62 && reg_year <= today.year() - 5 {
            (OrgStatus::SeriousDishonesty, None)
        } else if roll < 97 && age_days >= 730 {
            (OrgStatus::AbnormalList, None)
        } else {
            (OrgStatus::Normal, None)
        };
        Core {
            category,
            rank: j - table.start,
            registration_date,
            fresh_graduate,
            status,
            ended,
        }
    }

    /// The credit code of organisation `index`: `5` + kind digit + 310110 +
    /// `MJ` and six digits + the GB 11714 check + the GB 32100 check. Unique
    /// because the body is a bijection of the index.
    pub(crate) fn credit_code(&self, index: usize, kind: OrgKind) -> CreditCode {
        let i = index as u64;
        let pair = (MJ + i / CODE_BLOCK) % (21 * 21);
        let digits = self.code_perm.apply(i % CODE_BLOCK);
        let org_body = format!(
            "{}{}{:06}",
            CODE_LETTERS[(pair / 21) as usize] as char,
            CODE_LETTERS[(pair % 21) as usize] as char,
            digits
        );
        let check = org_code_check(org_body.as_bytes()).unwrap_or('0');
        let body = format!(
            "5{}{}{}{}",
            kind.credit_code_category(),
            DISTRICT_DIVISION,
            org_body,
            check
        );
        // The body is built from the code's own alphabet with both checks, so
        // a refusal here is a bug in this function, not bad luck.
        CreditCode::from_body(&body).expect("a demo credit code body is well formed")
    }

    /// The name of an organisation and, when the name says it, its sub-district.
    fn name_of(&self, core: &Core) -> (String, Option<usize>, &'static str) {
        let table = self
            .categories
            .iter()
            .find(|c| c.category == core.category)
            .unwrap_or(&self.categories[0]);
        let sink = table.tiers.len() - 1;
        let rank = core.rank;
        // Ranks are dealt to tiers in blocks of `share_total`, so each tier
        // gets its share; a tier's ranks map one-to-one onto its names.
        let block = rank / table.share_total;
        let mut pos = rank % table.share_total;
        let mut tier_ix = sink;
        let mut local = 0;
        for (ti, t) in table.tiers.iter().enumerate() {
            if pos < t.share {
                tier_ix = ti;
                local = block * t.share + pos;
                break;
            }
            pos -= t.share;
        }
        let tier = &table.tiers[tier_ix];
        // Within the sink, its own ranks take even slots and overflow from the
        // other tiers odd ones, so the two never meet.
        let (tier, slot) = if tier_ix != sink && local < tier.capacity {
            (tier, local)
        } else if tier_ix == sink {
            (tier, (2 * local) % tier.capacity)
        } else {
            let s = &table.tiers[sink];
            (s, (2 * rank + 1) % s.capacity)
        };
        let mut idx = tier.perm.apply(slot);
        let mut pattern: &[Part] = tier.patterns[0].0;
        for (p, cap) in &tier.patterns {
            if idx < *cap {
                pattern = p;
                break;
            }
            idx -= cap;
        }
        let mut name = String::with_capacity(48);
        name.push_str("上海市杨浦区");
        let mut sub = None;
        let mut field = "社会服务";
        for part in pattern {
            let size = part_size(*part, self.subs.len()).max(1);
            let digit = (idx % size) as usize;
            idx /= size;
            match part {
                Part::Subdistrict => {
                    name.push_str(&self.subs[digit].name);
                    sub = Some(digit);
                }
                Part::Place => {
                    name.push_str(&self.subs[digit].short);
                    sub = Some(digit);
                }
                Part::Brand => name.push_str(vocab::BRANDS[digit]),
                Part::Themes(list) => {
                    name.push_str(list[digit].0);
                    field = list[digit].1;
                }
            }
        }
        (name, sub, field)
    }

    /// One to three service fields: the one the name implies first, then
    /// weighted extras.
    fn service_fields(&self, rng: &mut SmallRng, implied: &str) -> Vec<String> {
        if self.fields.is_empty() {
            return Vec::new();
        }
        let mut chosen: Vec<usize> = Vec::with_capacity(3);
        if let Some(i) = self.fields.iter().position(|f| f.name == implied) {
            chosen.push(i);
        }
        let want = weighted(rng, &[(1usize, 55), (2, 33), (3, 12)]).min(self.fields.len());
        let total: u32 = self.fields.iter().map(|f| f.weight).sum();
        // A bounded number of draws: with odd weights (all zero, or only one
        // field weighing anything) fewer fields is fine.
        for _ in 0..12 {
            if chosen.len() >= want || total == 0 {
                break;
            }
            let mut x = rng.gen_range(0..total);
            let pick = self.fields.iter().position(|f| {
                if x < f.weight {
                    true
                } else {
                    x -= f.weight;
                    false
                }
            });
            if let Some(p) = pick {
                if !chosen.contains(&p) {
                    chosen.push(p);
                }
            }
        }
        if chosen.is_empty() {
            chosen.push(0);
        }
        chosen
            .into_iter()
            .map(|i| self.fields[i].code.clone())
            .collect()
    }
}

fn part_size(p: Part, subs: usize) -> u64 {
    match p {
        Part::Subdistrict | Part::Place => subs.max(1) as u64,
        Part::Brand => vocab::BRANDS.len() as u64,
        Part::Themes(list) => list.len() as u64,
    }
}

/// A Chinese name for someone of `female` sex born in `birth_year`.
pub(crate) fn person_name(rng: &mut SmallRng, female: bool, birth_year: i32) -> String {
    let surname = weighted(rng, vocab::SURNAMES);
    let pool = match (female, birth_year < 1975) {
        (true, true) => vocab::GIVEN_FEMALE_OLDER,
        (true, false) => vocab::GIVEN_FEMALE_YOUNGER,
        (false, true) => vocab::GIVEN_MALE_OLDER,
        (false, false) => vocab::GIVEN_MALE_YOUNGER,
    };
    let given = pool[rng.gen_range(0..pool.len())];
    let mut s = String::with_capacity(12);
    s.push_str(surname);
    s.push_str(given);
    s
}

pub(crate) fn mobile(rng: &mut SmallRng) -> String {
    let prefix = vocab::MOBILE_PREFIXES[rng.gen_range(0..vocab::MOBILE_PREFIXES.len())];
    format!("{prefix}{:08}", rng.gen_range(0..100_000_000u32))
}

/// Registered capital: the R1 minimum of its kind (from the domain's policy
/// table, so the draft always passes `check_registered_capital`) times a
/// round multiple, as founders declare it.
fn registered_capital(rng: &mut SmallRng, core: &Core) -> Fen {
    let kind = core.category.kind();
    let (minimum, _) = registration::minimum(
        &registration::yangpu_2021(),
        kind,
        core.category.community(),
        core.fresh_graduate,
    );
    let tenths: i64 = if kind == OrgKind::Foundation {
        weighted(rng, &[(10, 50), (15, 10), (25, 15), (50, 15), (100, 10)])
    } else {
        weighted(
            rng,
            &[
                (10, 45),
                (15, 5),
                (20, 18),
                (30, 10),
                (50, 12),
                (100, 7),
                (200, 3),
            ],
        )
    };
    Fen(minimum.get() * tenths / 10)
}

fn address(rng: &mut SmallRng, sub: &Sub) -> String {
    let (road, max_no) = sub.roads[rng.gen_range(0..sub.roads.len())];
    let no = rng.gen_range(1..=max_no);
    match rng.gen_range(0..100u32) {
        0..=59 => format!("上海市杨浦区{road}{no}号"),
        60..=74 => format!("上海市杨浦区{road}{no}号{}楼", rng.gen_range(1..=6)),
        75..=89 => format!("上海市杨浦区{road}{no}弄{}号", rng.gen_range(1..=60)),
        _ => format!(
            "上海市杨浦区{road}{no}号{}{:02}室",
            rng.gen_range(1..=12),
            rng.gen_range(1..=20)
        ),
    }
}

fn contact_phone(rng: &mut SmallRng) -> Option<String> {
    match rng.gen_range(0..100u32) {
        0..=79 => Some(mobile(rng)),
        80..=91 => {
            let head = ["65", "55", "35", "65", "55"][rng.gen_range(0..5)];
            Some(format!("021-{head}{:06}", rng.gen_range(0..1_000_000u32)))
        }
        _ => None,
    }
}

fn stage(rng: &mut SmallRng, core: &Core, today: NaiveDate) -> Option<Stage> {
    if core.ended.is_some() {
        return None;
    }
    let years = gongyi_domain::dates::full_years(core.registration_date, today);
    let by_age: i32 = match years {
        0..=2 => 0,
        3..=7 => 1,
        _ => 2,
    };
    // Age is the usual but not the only measure of development.
    let shift = weighted(rng, &[(0i32, 90), (-1, 5), (1, 5)]);
    Some(match (by_age + shift).clamp(0, 2) {
        0 => Stage::Startup,
        1 => Stage::Growing,
        _ => Stage::Mature,
    })
}

/// Years whose inspection was missed, as the credit history requires.
#[derive(Default)]
struct Missed {
    from: Option<i32>,
    once: Option<i32>,
}

const REASON_INSPECTION: &str = "未按规定参加年度检查";
const REASON_ADDRESS: &str = "通过登记的住所无法联系";
const REASON_SERIOUS: &str = "被列入活动异常名录届满2年仍未依照规定履行相关义务";
const REASON_REVOKED: &str = "连续2年未参加年度检查,依法撤销登记";

/// The credit-list history that matches the organisation's status, and the
/// inspections it implies were missed.
fn credit_plan(
    rng: &mut SmallRng,
    core: &Core,
    first_year: i32,
    today: NaiveDate,
) -> (Missed, Vec<CreditEntry>) {
    let reg = core.registration_date;
    let entry = |list, reason: &str, listed, removed| CreditEntry {
        list,
        reason: reason.to_string(),
        listed_date: listed,
        removed_date: removed,
    };
    let y_now = today.year();
    match core.status {
        OrgStatus::Normal if first_year <= y_now - 2 && chance(rng, 0.03) => {
            // Listed once for a missed inspection, removed after making it up.
            let y = between(rng, i64::from(first_year), i64::from(y_now - 2)) as i32;
            let listed = day_in(rng, y + 1, 7..=10);
            let removed = plus_days(listed, between(rng, 30, 300)).min(today);
            (
                Missed {
                    from: None,
                    once: Some(y),
                },
                vec![entry(
                    CreditList::AbnormalActivity,
                    REASON_INSPECTION,
                    listed,
                    Some(removed),
                )],
            )
        }
        OrgStatus::AbnormalList => {
            // Listed within the last two years: after two years on the list
            // an organisation moves to the serious list.
            if first_year <= y_now - 2 && chance(rng, 0.7) {
                let y = y_now - 2;
                let listed = day_in(rng, y + 1, 7..=10);
                (
                    Missed {
                        from: Some(y),
                        once: None,
                    },
                    vec![entry(
                        CreditList::AbnormalActivity,
                        REASON_INSPECTION,
                        listed,
                        None,
                    )],
                )
            } else {
                let from = plus_days(reg, 180).max(plus_days(today, -700));
                let listed = date_between(rng, from, today).max(reg);
                (
                    Missed::default(),
                    vec![entry(
                        CreditList::AbnormalActivity,
                        REASON_ADDRESS,
                        listed,
                        None,
                    )],
                )
            }
        }
        OrgStatus::SeriousDishonesty => {
            // Two years on the abnormal list, then moved to the serious list.
            // Recently enough that the serious listing (five years) still stands.
            let y = between(
                rng,
                i64::from(first_year.max(y_now - 6)),
                i64::from(y_now - 4),
            ) as i32;
            let listed = day_in(rng, y + 1, 7..=10);
            let moved = plus_days(listed, 730 + between(rng, 0, 60)).min(today);
            (
                Missed {
                    from: Some(y),
                    once: None,
                },
                vec![
                    entry(
                        CreditList::AbnormalActivity,
                        REASON_INSPECTION,
                        listed,
                        Some(moved),
                    ),
                    entry(CreditList::SeriousDishonesty, REASON_SERIOUS, moved, None),
                ],
            )
        }
        OrgStatus::Revoked => {
            let revoked = core.ended.unwrap_or(today);
            let r = revoked.year();
            let listed = day_in(rng, r - 1, 7..=10).max(reg);
            (
                Missed {
                    from: Some(r - 2),
                    once: None,
                },
                vec![
                    entry(
                        CreditList::AbnormalActivity,
                        REASON_INSPECTION,
                        listed,
                        None,
                    ),
                    entry(CreditList::Penalty, REASON_REVOKED, revoked, None),
                ],
            )
        }
        _ => (Missed::default(), Vec::new()),
    }
}

/// One inspection per year from the registration year (the year after, for
/// registrations in the second half) to the last complete year, concluded in
/// spring of the following year; a year whose conclusion would fall after
/// today or on/after the organisation ended is not there yet.
fn inspections(
    rng: &mut SmallRng,
    first_year: i32,
    missed: &Missed,
    today: NaiveDate,
    ended: Option<NaiveDate>,
) -> Vec<Inspection> {
    let mut out = Vec::with_capacity((today.year() - first_year).max(0) as usize);
    for y in first_year..today.year() {
        let missed_year = missed.from.is_some_and(|f| y >= f) || missed.once == Some(y);
        let result = if missed_year {
            InspectionResult::NotInspected
        } else {
            weighted(
                rng,
                &[
                    (InspectionResult::Qualified, 900),
                    (InspectionResult::BasicallyQualified, 65),
                    (InspectionResult::Unqualified, 20),
                    (InspectionResult::NotInspected, 15),
                ],
            )
        };
        let date = (result != InspectionResult::NotInspected).then(|| day_in(rng, y + 1, 3..=6));
        // 未参检 is known once the deadline (end of June) has passed.
        let known_on = date.unwrap_or_else(|| ymd(y + 1, 6, 30));
        if known_on > today || ended.is_some_and(|e| known_on >= e) {
            break;
        }
        out.push(Inspection {
            year: y,
            result,
            date,
        });
    }
    out
}

fn level_index(l: RatingLevel) -> usize {
    RatingLevel::ALL.iter().position(|x| *x == l).unwrap_or(2)
}

/// Ratings for about a quarter of organisations: first two or more years
/// after registration (evaluation started in 2008), then re-rated as the
/// five-year validity runs out.
fn ratings(rng: &mut SmallRng, core: &Core, last_day: NaiveDate, today: NaiveDate) -> Vec<Rating> {
    let reg = core.registration_date;
    let eligible = !matches!(
        core.status,
        OrgStatus::Revoked | OrgStatus::SeriousDishonesty
    ) && days_between(reg, today) >= 730;
    if !eligible || !chance(rng, 0.37) {
        return Vec::new();
    }
    let lo = (reg.year() + 2).max(2008);
    let first_year = between(rng, i64::from(lo), i64::from(lo + 5)) as i32;
    let mut date = day_in(rng, first_year, 10..=12).max(reg);
    if date > last_day {
        return Vec::new();
    }
    let mut level = weighted(
        rng,
        &[
            (RatingLevel::A1, 4),
            (RatingLevel::A2, 14),
            (RatingLevel::A3, 46),
            (RatingLevel::A4, 28),
            (RatingLevel::A5, 6),
        ],
    );
    let mut out = vec![Rating { level, date }];
    loop {
        let next = plus_days(add_years(date, 5), -between(rng, 0, 90));
        if next > last_day || !chance(rng, 0.75) {
            break;
        }
        let step = weighted(rng, &[(-1i32, 10), (0, 78), (1, 12)]);
        let ix = (level_index(level) as i32 + step).clamp(0, 4) as usize;
        level = RatingLevel::ALL[ix];
        date = next;
        out.push(Rating { level, date });
    }
    out
}

/// A few honours, more for well-rated and older organisations; never the
/// same title twice in one year (R5 pays each once).
fn honours(
    rng: &mut SmallRng,
    core: &Core,
    best: Option<RatingLevel>,
    sub: &Sub,
    last_day: NaiveDate,
) -> Vec<Honour> {
    let reg = core.registration_date;
    let from = plus_days(reg, 365);
    if from > last_day {
        return Vec::new();
    }
    let top = best.is_some_and(|l| l >= RatingLevel::A4);
    let years = f64::from((last_day.year() - reg.year()).max(0));
    let by_rating = match best {
        Some(_) if top => 0.7,
        Some(_) => 0.2,
        None => 0.0,
    };
    let mean = 0.08 + by_rating + years * 0.01;
    // Geometric count with that mean, at most six.
    let p = mean / (1.0 + mean);
    let mut count = 0;
    while count < 6 && chance(rng, p) {
        count += 1;
    }
    let mut out: Vec<Honour> = Vec::with_capacity(count);
    for _ in 0..count {
        let date = date_between(rng, from, last_day);
        let level = weighted(
            rng,
            &[
                (HonourLevel::National, if top { 3 } else { 0 }),
                (HonourLevel::Municipal, 20),
                (HonourLevel::District, 65),
                (HonourLevel::Other, 12),
            ],
        );
        let list = match level {
            HonourLevel::National => vocab::HONOURS_NATIONAL,
            HonourLevel::Municipal => vocab::HONOURS_MUNICIPAL,
            HonourLevel::District => vocab::HONOURS_DISTRICT,
            HonourLevel::Other => vocab::HONOURS_OTHER,
        };
        let template = list[rng.gen_range(0..list.len())];
        // "…年度" honours are for the year before they are awarded.
        let y = if template.contains("年度") {
            date.year() - 1
        } else {
            date.year()
        };
        let title = template
            .replace("{y}", &y.to_string())
            .replace("{s}", &sub.name);
        if out
            .iter()
            .any(|h| h.title == title && h.date.year() == date.year())
        {
            continue;
        }
        out.push(Honour { title, level, date });
    }
    out.sort_by_key(|h| h.date);
    out
}

/// Party-building snapshots (二(一)): at registration, when a party
/// organisation was set up later, and at the latest inspection.
fn party_building(
    rng: &mut SmallRng,
    core: &Core,
    latest_inspection: Option<NaiveDate>,
    rated: bool,
    last_day: NaiveDate,
) -> Vec<PartyBuilding> {
    let reg = core.registration_date;
    let p = match core.category {
        Category::CommunityGroup => 0.35,
        Category::Group => 0.50,
        Category::CommunityService => 0.38,
        Category::Service => 0.50,
        Category::Foundation => 0.55,
    };
    let has = chance(rng, p);
    let members: i64 = if has {
        if chance(rng, 0.5) {
            {
                let most = if chance(rng, 0.8) { 8 } else { 25 };
                between(rng, 3, most)
            }
        } else {
            between(rng, 1, 2)
        }
    } else {
        weighted(rng, &[(0i64, 60), (1, 25), (2, 15)])
    };
    // Three or more members set up their own branch; fewer join with others.
    let form = has.then(|| {
        if members >= 3 {
            PartyOrgForm::Standalone
        } else if chance(rng, 0.7) {
            PartyOrgForm::Joint
        } else {
            PartyOrgForm::Functional
        }
    });
    let since_2018 = reg >= ymd(2018, 1, 1);
    let set_up_at_registration = has && (since_2018 || chance(rng, 0.4));
    let established = if set_up_at_registration || !has {
        reg
    } else {
        date_between(rng, plus_days(reg, 90).min(last_day), last_day).max(reg)
    };
    let mut out = vec![PartyBuilding {
        date: reg,
        has_party_org: set_up_at_registration,
        form: if set_up_at_registration { form } else { None },
        members: if set_up_at_registration {
            members
        } else {
            members.min(2)
        },
        in_charter: if since_2018 {
            chance(rng, 0.9)
        } else {
            chance(rng, 0.25)
        },
        checked_at_registration: if since_2018 {
            chance(rng, 0.9)
        } else {
            chance(rng, 0.2)
        },
        checked_at_inspection: false,
        checked_at_rating: false,
    }];
    if has && established > reg {
        out.push(PartyBuilding {
            date: established,
            has_party_org: true,
            form,
            members,
            in_charter: chance(rng, 0.8),
            checked_at_registration: out[0].checked_at_registration,
            checked_at_inspection: false,
            checked_at_rating: false,
        });
    }
    if let Some(d) = latest_inspection.filter(|d| *d <= last_day) {
        let previous = out.last().map(|s| s.date).unwrap_or(reg);
        if d > plus_days(previous, 180) {
            out.push(PartyBuilding {
                date: d,
                has_party_org: has,
                form,
                members,
                in_charter: chance(rng, if has { 0.95 } else { 0.7 }),
                checked_at_registration: out[0].checked_at_registration,
                checked_at_inspection: chance(rng, 0.85),
                checked_at_rating: rated && chance(rng, 0.8),
            });
        }
    }
    out
}

/// Annual figures for the last five complete years the organisation was
/// active. The three revenue parts are shares in thousandths summing to at
/// most 1,000, each rounded down, so they never exceed the total.
fn finances(rng: &mut SmallRng, core: &Core, capital: Fen, today: NaiveDate) -> Vec<Finance> {
    let reg = core.registration_date;
    let last_year = today.year() - 1;
    let end_year = core
        .ended
        .map(|e| e.year() - 1)
        .unwrap_or(last_year)
        .min(last_year);
    let first_year = reg.year().max(last_year - 4);
    if first_year > end_year {
        return Vec::new();
    }
    let (median_yuan, sigma) = match core.category {
        Category::CommunityGroup => (60_000.0, 0.8),
        Category::Group => (300_000.0, 1.0),
        Category::CommunityService => (200_000.0, 0.8),
        Category::Service => (900_000.0, 1.0),
        Category::Foundation => (2_500_000.0, 1.0),
    };
    let base = (median_yuan * (sigma * normal(rng)).exp()).clamp(5_000.0, 80_000_000.0);
    let growth = 0.02 + 0.06 * rng.gen::<f64>();
    // Net assets before the first year shown: the capital and some savings.
    let mut net = (capital.get() as f64 * (1.0 + 1.5 * rng.gen::<f64>())) as i64;
    let mut out = Vec::with_capacity((end_year - first_year + 1) as usize);
    for y in first_year..=end_year {
        let mut yuan = base * (1.0 + growth).powi(y - first_year) * (0.85 + 0.3 * rng.gen::<f64>());
        if y == reg.year() {
            // Registered during the year: only the months it existed.
            yuan *= f64::from(13 - reg.month()) / 12.0;
        }
        let total = (yuan as i64).max(1_000) * 100 + rng.gen_range(0..100);
        let (gov, don, biz) = match core.category {
            Category::CommunityService | Category::Service => (
                between(rng, 400, 900),
                between(rng, 0, 80),
                between(rng, 0, 300),
            ),
            Category::CommunityGroup | Category::Group => (
                between(rng, 0, 400),
                between(rng, 0, 150),
                between(rng, 100, 400),
            ),
            Category::Foundation => (
                between(rng, 0, 80),
                between(rng, 500, 950),
                between(rng, 0, 50),
            ),
        };
        let don = don.min(1000 - gov);
        let biz = biz.min(1000 - gov - don);
        let part = |permille: i64| Fen((i128::from(total) * i128::from(permille) / 1000) as i64);
        let expenditure = (total as f64 * (0.80 + 0.28 * rng.gen::<f64>())) as i64;
        net = (net + total - expenditure).max(0);
        let revenue_yuan = total / 100;
        let staff = match core.category {
            Category::Service => (revenue_yuan / 150_000).clamp(1, 300) + between(rng, 0, 2),
            Category::CommunityService => between(rng, 0, 4),
            Category::CommunityGroup | Category::Group => between(rng, 1, 6),
            Category::Foundation => between(rng, 2, 12),
        };
        let volunteers = match core.category {
            Category::CommunityGroup => between(rng, 20, 200),
            Category::CommunityService => between(rng, 10, 150),
            _ => between(rng, 5, 300),
        };
        out.push(Finance {
            year: y,
            total_revenue: Fen(total),
            government_purchase: part(gov),
            donations: part(don),
            business_income: part(biz),
            expenditure: Fen(expenditure),
            net_assets: Fen(net),
            staff,
            volunteers,
            volunteer_hours: volunteers * between(rng, 4, 40),
        });
    }
    out
}

/// Monthly office rent for about half of the organisations under three years
/// old (the incubation years that R3 subsidises), from the registration
/// month to the last complete month, raised a little each year.
fn leases(rng: &mut SmallRng, core: &Core, today: NaiveDate) -> Vec<(i32, u32, Fen)> {
    let reg = core.registration_date;
    if core.ended.is_some() || days_between(reg, today) > 3 * 365 || !chance(rng, 0.55) {
        return Vec::new();
    }
    let base_yuan = if core.category.community() {
        between(rng, 15, 60) * 100
    } else {
        between(rng, 30, 150) * 100
    };
    let (last_y, last_m) = last_complete_month(today);
    let (mut y, mut m) = (reg.year(), reg.month());
    let mut out = Vec::with_capacity(36);
    let mut months = 0i64;
    while (y, m) <= (last_y, last_m) {
        // 4% more on each anniversary of the lease, to the yuan.
        let raise = 104i64.pow((months / 12) as u32);
        let scale = 100i64.pow((months / 12) as u32);
        out.push((y, m, Fen::yuan(base_yuan * raise / scale)));
        months += 1;
        if m == 12 {
            (y, m) = (y + 1, 1);
        } else {
            m += 1;
        }
    }
    out
}

/// Organisation `index` with its history.
pub(crate) fn organization(ctx: &Ctx, index: usize) -> DemoOrg {
    let today = ctx.cfg.today;
    let core = ctx.core(index);
    let mut rng = record_rng(ctx.cfg.seed, Stream::OrgDetail, index as u64);
    let reg = core.registration_date;
    let kind = core.category.kind();

    let (name, named_sub, implied_field) = ctx.name_of(&core);
    let sub_ix = named_sub.unwrap_or_else(|| rng.gen_range(0..ctx.subs.len()));
    let sub = &ctx.subs[sub_ix];
    let registered_capital = registered_capital(&mut rng, &core);
    let legal_representative = chance(&mut rng, 0.97).then(|| {
        // Fresh graduates found their organisation at about 22.
        let age = if core.fresh_graduate {
            between(&mut rng, 22, 24)
        } else {
            between(&mut rng, 28, 68)
        };
        let female = chance(&mut rng, 0.45);
        person_name(&mut rng, female, reg.year() - age as i32)
    });
    let draft = OrgDraft {
        credit_code: ctx.credit_code(index, kind),
        name,
        kind,
        community: core.category.community(),
        fresh_graduate: core.fresh_graduate,
        subdistrict: sub.code.clone(),
        registration_date: reg,
        registered_capital,
        service_fields: ctx.service_fields(&mut rng, implied_field),
        address: chance(&mut rng, 0.98).then(|| address(&mut rng, sub)),
        legal_representative,
        contact_phone: contact_phone(&mut rng),
        status: core.status,
        stage: stage(&mut rng, &core, today),
    };

    // Nothing but the revocation itself is dated on or after the end.
    let last_day = core
        .ended
        .map(|e| plus_days(e, -1))
        .unwrap_or(today)
        .max(reg);
    let first_inspection_year = if reg.month() <= 6 {
        reg.year()
    } else {
        reg.year() + 1
    };
    let (missed, credit_entries) = credit_plan(&mut rng, &core, first_inspection_year, today);
    let inspections = inspections(&mut rng, first_inspection_year, &missed, today, core.ended);
    let ratings = ratings(&mut rng, &core, last_day, today);
    let best = ratings.iter().map(|r| r.level).max();
    let honours = honours(&mut rng, &core, best, sub, last_day);
    let latest_inspection = inspections.iter().rev().find_map(|i| i.date);
    let party_building = party_building(
        &mut rng,
        &core,
        latest_inspection,
        !ratings.is_empty(),
        last_day,
    );
    let finances = finances(&mut rng, &core, registered_capital, today);
    let leases = leases(&mut rng, &core, today);
    DemoOrg {
        index,
        draft,
        ended_on: core.ended,
        inspections,
        ratings,
        honours,
        credit_entries,
        party_building,
        finances,
        leases,
    }
}
