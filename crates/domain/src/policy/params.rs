//! Policy versions as data: every amount, cap, table, period date and
//! tie-break of `subsidies.md`, named so that a what-if simulation can
//! override it (`params.set("rent.monthly_cap", "800")`) and a page can list
//! it.
//!
//! A [`Policy`] is the list of versions with their periods; each event is
//! evaluated under the version in force on its date. Only `yangpu-2021`
//! exists today.

use crate::history::{HonourLevel, RatingLevel};
use crate::money::Fen;
use crate::people::{PerformanceRating, QualificationLevel};
use crate::policy::facts::CompetitionLevel;
use crate::policy::registration::CapitalParams;
use crate::text;
use chrono::NaiveDate;
use std::fmt::Write as _;

/// One step of the R9 seniority table: at least `years` full years in
/// social work earn `bonus` a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeniorityStep {
    pub years: u32,
    pub bonus: Fen,
}

/// The keys R10 ranks supervisors by. Each has a fixed direction: higher
/// score, more hours, earlier qualification (none last), lower person id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TieKey {
    Score,
    Hours,
    QualificationDate,
    PersonId,
}

impl TieKey {
    pub const ALL: [TieKey; 4] = [
        TieKey::Score,
        TieKey::Hours,
        TieKey::QualificationDate,
        TieKey::PersonId,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TieKey::Score => "score",
            TieKey::Hours => "hours",
            TieKey::QualificationDate => "qualification_date",
            TieKey::PersonId => "person_id",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TieKey::Score => "评审分数高者优先",
            TieKey::Hours => "当年督导时数多者优先",
            TieKey::QualificationDate => "取得资格早者优先(无资格者最后)",
            TieKey::PersonId => "人员编号小者优先",
        }
    }
}

/// The parameters of one policy version. Money in fen; counts as integers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyParams {
    pub version: &'static str,
    /// First and last day of the version's period (五、附则 to the plan's end).
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// R1 三(一)1.
    pub capital: CapitalParams,
    /// R2 三(一)2.
    pub startup_cap: Fen,
    pub startup_max_age_years: u32,
    /// R3 三(一)3.
    pub rent_monthly_cap: Fen,
    pub rent_max_months: u32,
    pub rent_max_age_years: u32,
    /// R4 三(二)1, by [`RatingLevel`] (1A…5A).
    pub rating_amounts: [Fen; 5],
    /// R5 三(二)2, by [`HonourLevel`] (national, municipal, district, other).
    pub honour_amounts: [Fen; 4],
    /// R6 三(三)1.
    pub venture_cap: Fen,
    /// R7 三(三)2.
    pub competition_cap: Fen,
    pub competition_min_level: CompetitionLevel,
    pub competition_max_place: u32,
    /// R9 三(四)1, by [`QualificationLevel`] (assistant, intermediate, senior).
    pub salary_base: [Fen; 3],
    /// Ascending by years; the bonus of the highest step reached applies.
    pub salary_seniority: [SeniorityStep; 2],
    /// By [`PerformanceRating`]; `None` = no subsidy for the month.
    pub salary_performance: [Option<Fen>; 4],
    pub salary_min: Fen,
    pub salary_max: Fen,
    /// R10 三(四)2.
    pub supervisor_winners: u32,
    pub supervisor_award: Fen,
    pub supervisor_tie_break: [TieKey; 4],
    /// R11 三(四)3.
    pub senior_award: Fen,
}

impl PolicyParams {
    /// `yangpu-2021`: the amounts of `subsidies.md` and the decisions marked
    /// there.
    pub fn yangpu_2021() -> PolicyParams {
        PolicyParams {
            version: "yangpu-2021",
            // [decision] from the date of issue (五、附则) to the end of the plan.
            period_from: NaiveDate::from_ymd_opt(2021, 7, 21).unwrap_or_default(),
            period_to: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap_or_default(),
            capital: CapitalParams {
                community: Fen::yuan(30_000),
                community_fresh_graduate: Fen::yuan(5_000),
                // [decision] the general minimums by kind.
                social_group: Fen::yuan(30_000),
                private_non_enterprise: Fen::yuan(100_000),
                foundation: Fen::yuan(2_000_000),
            },
            startup_cap: Fen::yuan(10_000),
            startup_max_age_years: 2,
            rent_monthly_cap: Fen::yuan(500),
            rent_max_months: 24,
            rent_max_age_years: 2,
            rating_amounts: [
                Fen::ZERO,
                Fen::ZERO,
                Fen::yuan(10_000),
                Fen::yuan(30_000),
                Fen::yuan(50_000),
            ],
            honour_amounts: [Fen::yuan(80_000), Fen::yuan(50_000), Fen::ZERO, Fen::ZERO],
            venture_cap: Fen::yuan(50_000),
            competition_cap: Fen::yuan(50_000),
            competition_min_level: CompetitionLevel::Municipal,
            competition_max_place: 3,
            // [decision] the R9 table.
            salary_base: [Fen::yuan(800), Fen::yuan(1_200), Fen::yuan(1_600)],
            salary_seniority: [
                SeniorityStep {
                    years: 3,
                    bonus: Fen::yuan(100),
                },
                SeniorityStep {
                    years: 6,
                    bonus: Fen::yuan(200),
                },
            ],
            salary_performance: [
                Some(Fen::yuan(200)),
                Some(Fen::yuan(100)),
                Some(Fen::ZERO),
                None,
            ],
            salary_min: Fen::yuan(800),
            salary_max: Fen::yuan(2_000),
            supervisor_winners: 2,
            supervisor_award: Fen::yuan(5_000),
            // [decision] score, then hours, then earlier qualification, then id.
            supervisor_tie_break: TieKey::ALL,
            senior_award: Fen::yuan(30_000),
        }
    }

    pub fn in_period(&self, d: NaiveDate) -> bool {
        self.period_from <= d && d <= self.period_to
    }

    pub fn rating_amount(&self, l: RatingLevel) -> Fen {
        self.rating_amounts[l as usize]
    }

    pub fn honour_amount(&self, l: HonourLevel) -> Fen {
        self.honour_amounts[l as usize]
    }

    pub fn salary_base(&self, l: QualificationLevel) -> Fen {
        self.salary_base[l as usize]
    }

    pub fn salary_performance(&self, r: PerformanceRating) -> Option<Fen> {
        self.salary_performance[r as usize]
    }

    /// The seniority bonus after `years` full years: the step with the most
    /// years among those reached.
    pub fn seniority_bonus(&self, years: i32) -> Fen {
        let mut best: Option<SeniorityStep> = None;
        for s in self.salary_seniority {
            if i64::from(years) >= i64::from(s.years) && best.is_none_or(|b| s.years >= b.years) {
                best = Some(s);
            }
        }
        best.map_or(Fen::ZERO, |s| s.bonus)
    }

    /// Sets the parameter `name` from `value` as an officer types it: money
    /// in yuan, counts as integers, dates as `YYYY-MM-DD`. Nothing changes
    /// when the name or the value is refused.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ParamError> {
        let mut next = self.clone();
        let label = {
            let mut slots = next.slots();
            let Some(slot) = slots.iter_mut().find(|s| s.info.name == name) else {
                return Err(ParamError::UnknownName(name.to_string()));
            };
            let label = slot.info.label;
            slot.value.assign(name, label, value)?;
            label
        };
        next.check().map_err(|reason| ParamError::BadValue {
            name: name.to_string(),
            label,
            value: value.to_string(),
            reason,
        })?;
        *self = next;
        Ok(())
    }

    /// The current value of `name`, rendered as [`PolicyParams::set`] takes it.
    pub fn get(&self, name: &str) -> Result<String, ParamError> {
        self.list()
            .into_iter()
            .find(|(i, _)| i.name == name)
            .map(|(_, v)| v)
            .ok_or_else(|| ParamError::UnknownName(name.to_string()))
    }

    /// Every parameter with its current value, in a stable order.
    pub fn list(&self) -> Vec<(ParamInfo, String)> {
        let mut copy = self.clone();
        copy.slots()
            .into_iter()
            .map(|s| (s.info, s.value.render()))
            .collect()
    }

    /// The names [`PolicyParams::set`] accepts.
    pub fn names() -> Vec<&'static str> {
        PolicyParams::yangpu_2021()
            .slots()
            .into_iter()
            .map(|s| s.info.name)
            .collect()
    }

    /// Invariants across parameters, as a Chinese reason.
    fn check(&self) -> Result<(), String> {
        if self.period_from > self.period_to {
            return Err("政策期开始日期晚于结束日期".into());
        }
        if self.salary_min > self.salary_max {
            return Err("薪酬补贴下限高于上限".into());
        }
        if self.salary_seniority[0].years > self.salary_seniority[1].years {
            return Err("工作年限档次应由低到高".into());
        }
        Ok(())
    }

    fn slots(&mut self) -> Vec<Slot<'_>> {
        let [r1, r2, r3, r4, r5] = &mut self.rating_amounts;
        let [hn, hm, hd, ho] = &mut self.honour_amounts;
        let [ba, bi, bs] = &mut self.salary_base;
        let [s1, s2] = &mut self.salary_seniority;
        let [pe, pg, pq, pu] = &mut self.salary_performance;
        let c = &mut self.capital;
        vec![
            slot(
                "period.from",
                "五、附则",
                "政策期开始日期",
                Value::Date(&mut self.period_from),
            ),
            slot(
                "period.to",
                "五、附则",
                "政策期结束日期",
                Value::Date(&mut self.period_to),
            ),
            slot(
                "registration.community",
                "三(一)1",
                "社区社会组织最低注册资金",
                Value::Money(&mut c.community),
            ),
            slot(
                "registration.community_fresh_graduate",
                "三(一)1",
                "应届大学生举办的社区社会组织最低注册资金",
                Value::Money(&mut c.community_fresh_graduate),
            ),
            slot(
                "registration.social_group",
                "三(一)1",
                "社会团体最低注册资金",
                Value::Money(&mut c.social_group),
            ),
            slot(
                "registration.private_non_enterprise",
                "三(一)1",
                "民办非企业单位最低注册资金",
                Value::Money(&mut c.private_non_enterprise),
            ),
            slot(
                "registration.foundation",
                "三(一)1",
                "基金会最低注册资金",
                Value::Money(&mut c.foundation),
            ),
            slot(
                "startup.cap",
                "三(一)2",
                "开办补贴上限",
                Value::Money(&mut self.startup_cap),
            ),
            slot(
                "startup.max_age_years",
                "三(一)2",
                "开办补贴:成立不满年数",
                Value::Count(&mut self.startup_max_age_years),
            ),
            slot(
                "rent.monthly_cap",
                "三(一)3",
                "房租补贴每月上限",
                Value::Money(&mut self.rent_monthly_cap),
            ),
            slot(
                "rent.max_months",
                "三(一)3",
                "房租补贴最多月数",
                Value::Count(&mut self.rent_max_months),
            ),
            slot(
                "rent.max_age_years",
                "三(一)3",
                "房租补贴:成立不满年数",
                Value::Count(&mut self.rent_max_age_years),
            ),
            slot("rating.1A", "三(二)1", "1A 等级奖励", Value::Money(r1)),
            slot("rating.2A", "三(二)1", "2A 等级奖励", Value::Money(r2)),
            slot("rating.3A", "三(二)1", "3A 等级奖励", Value::Money(r3)),
            slot("rating.4A", "三(二)1", "4A 等级奖励", Value::Money(r4)),
            slot("rating.5A", "三(二)1", "5A 等级奖励", Value::Money(r5)),
            slot(
                "honour.NATIONAL",
                "三(二)2",
                "国家级荣誉奖励",
                Value::Money(hn),
            ),
            slot(
                "honour.MUNICIPAL",
                "三(二)2",
                "市级荣誉奖励",
                Value::Money(hm),
            ),
            slot(
                "honour.DISTRICT",
                "三(二)2",
                "区级荣誉奖励",
                Value::Money(hd),
            ),
            slot("honour.OTHER", "三(二)2", "其他荣誉奖励", Value::Money(ho)),
            slot(
                "venture.cap",
                "三(三)1",
                "公益创投配套上限",
                Value::Money(&mut self.venture_cap),
            ),
            slot(
                "competition.cap",
                "三(三)2",
                "创业大赛配套上限",
                Value::Money(&mut self.competition_cap),
            ),
            slot(
                "competition.min_level",
                "三(三)2",
                "创业大赛最低级别",
                Value::Level(&mut self.competition_min_level),
            ),
            slot(
                "competition.max_place",
                "三(三)2",
                "创业大赛最低名次(等奖)",
                Value::Count(&mut self.competition_max_place),
            ),
            slot(
                "salary.base.ASSISTANT",
                "三(四)1",
                "助理社会工作师基础补贴",
                Value::Money(ba),
            ),
            slot(
                "salary.base.INTERMEDIATE",
                "三(四)1",
                "社会工作师基础补贴",
                Value::Money(bi),
            ),
            slot(
                "salary.base.SENIOR",
                "三(四)1",
                "高级社会工作师基础补贴",
                Value::Money(bs),
            ),
            slot(
                "salary.seniority.1.years",
                "三(四)1",
                "工作年限第一档(年)",
                Value::Count(&mut s1.years),
            ),
            slot(
                "salary.seniority.1.bonus",
                "三(四)1",
                "工作年限第一档加发",
                Value::Money(&mut s1.bonus),
            ),
            slot(
                "salary.seniority.2.years",
                "三(四)1",
                "工作年限第二档(年)",
                Value::Count(&mut s2.years),
            ),
            slot(
                "salary.seniority.2.bonus",
                "三(四)1",
                "工作年限第二档加发",
                Value::Money(&mut s2.bonus),
            ),
            slot(
                "salary.performance.EXCELLENT",
                "三(四)1",
                "上年考核优秀加发",
                Value::OptMoney(pe),
            ),
            slot(
                "salary.performance.GOOD",
                "三(四)1",
                "上年考核良好加发",
                Value::OptMoney(pg),
            ),
            slot(
                "salary.performance.QUALIFIED",
                "三(四)1",
                "上年考核合格加发",
                Value::OptMoney(pq),
            ),
            slot(
                "salary.performance.UNQUALIFIED",
                "三(四)1",
                "上年考核不合格加发",
                Value::OptMoney(pu),
            ),
            slot(
                "salary.min",
                "三(四)1",
                "薪酬补贴每月下限",
                Value::Money(&mut self.salary_min),
            ),
            slot(
                "salary.max",
                "三(四)1",
                "薪酬补贴每月上限",
                Value::Money(&mut self.salary_max),
            ),
            slot(
                "supervisor.winners",
                "三(四)2",
                "每年优秀督导名额",
                Value::Count(&mut self.supervisor_winners),
            ),
            slot(
                "supervisor.award",
                "三(四)2",
                "优秀督导奖励",
                Value::Money(&mut self.supervisor_award),
            ),
            slot(
                "supervisor.tie_break",
                "三(四)2",
                "督导评选排序",
                Value::Ties(&mut self.supervisor_tie_break),
            ),
            slot(
                "senior.award",
                "三(四)3",
                "高级社工师奖励",
                Value::Money(&mut self.senior_award),
            ),
        ]
    }
}

/// What a page shows about a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamInfo {
    pub name: &'static str,
    pub clause: &'static str,
    pub label: &'static str,
    pub unit: Unit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Typed in yuan, held in fen.
    Yuan,
    /// Yuan, or `none` for "no subsidy".
    YuanOrNone,
    Count,
    Date,
    CompetitionLevel,
    TieBreak,
}

struct Slot<'a> {
    info: ParamInfo,
    value: Value<'a>,
}

fn slot<'a>(
    name: &'static str,
    clause: &'static str,
    label: &'static str,
    value: Value<'a>,
) -> Slot<'a> {
    let unit = match value {
        Value::Money(_) => Unit::Yuan,
        Value::OptMoney(_) => Unit::YuanOrNone,
        Value::Count(_) => Unit::Count,
        Value::Date(_) => Unit::Date,
        Value::Level(_) => Unit::CompetitionLevel,
        Value::Ties(_) => Unit::TieBreak,
    };
    Slot {
        info: ParamInfo {
            name,
            clause,
            label,
            unit,
        },
        value,
    }
}

enum Value<'a> {
    Money(&'a mut Fen),
    OptMoney(&'a mut Option<Fen>),
    Count(&'a mut u32),
    Date(&'a mut NaiveDate),
    Level(&'a mut CompetitionLevel),
    Ties(&'a mut [TieKey; 4]),
}

impl Value<'_> {
    fn assign(&mut self, name: &str, label: &'static str, input: &str) -> Result<(), ParamError> {
        let bad = |reason: String| ParamError::BadValue {
            name: name.to_string(),
            label,
            value: input.to_string(),
            reason,
        };
        let money = |s: &str| Fen::parse_yuan(name, s).map_err(|e| bad(e.first_message().into()));
        match self {
            Value::Money(v) => **v = money(input)?,
            Value::OptMoney(v) => {
                let t = input.trim();
                **v = if t.eq_ignore_ascii_case("none") || t == "无" {
                    None
                } else {
                    Some(money(t)?)
                };
            }
            Value::Count(v) => {
                **v = input
                    .trim()
                    .parse::<u32>()
                    .map_err(|_| bad("应为非负整数".into()))?;
            }
            Value::Date(v) => {
                **v = text::date(name, "日期", input).map_err(|e| bad(e.first_message().into()))?;
            }
            Value::Level(v) => {
                **v = CompetitionLevel::parse(name, input)
                    .map_err(|e| bad(e.first_message().into()))?;
            }
            Value::Ties(v) => {
                let mut keys = Vec::new();
                for part in input.split([',', '，', ' ']).filter(|p| !p.is_empty()) {
                    let k = TieKey::ALL
                        .into_iter()
                        .find(|k| k.code() == part)
                        .ok_or_else(|| bad(format!("未知的排序键“{part}”")))?;
                    if keys.contains(&k) {
                        return Err(bad(format!("排序键“{part}”重复")));
                    }
                    keys.push(k);
                }
                **v = keys.try_into().map_err(|_| {
                    bad("应依次列出 score、hours、qualification_date、person_id 四个键".into())
                })?;
            }
        }
        Ok(())
    }

    fn render(&self) -> String {
        match self {
            Value::Money(v) => v.to_yuan_string(),
            Value::OptMoney(v) => v.map_or_else(|| "无".into(), Fen::to_yuan_string),
            Value::Count(v) => v.to_string(),
            Value::Date(v) => v.to_string(),
            Value::Level(v) => v.code().to_string(),
            Value::Ties(v) => {
                let mut s = String::new();
                for (i, k) in v.iter().enumerate() {
                    if i > 0 {
                        s.push(',');
                    }
                    let _ = write!(s, "{}", k.code());
                }
                s
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    #[error("没有名为“{0}”的政策参数")]
    UnknownName(String),
    #[error("政策参数“{label}”的值“{value}”无效:{reason}")]
    BadValue {
        /// The parameter's code, for the API and the command line.
        name: String,
        label: &'static str,
        value: String,
        reason: String,
    },
    #[error("政策版本 {0} 与其他版本的政策期重叠")]
    Overlap(&'static str),
    #[error("没有名为“{0}”的政策版本")]
    UnknownVersion(String),
}

/// The policy versions, each with its own period; at most one is in force
/// on any date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    versions: Vec<PolicyParams>,
}

impl Policy {
    /// Every version defined in code (today only `yangpu-2021`).
    pub fn yangpu() -> Policy {
        Policy {
            versions: vec![PolicyParams::yangpu_2021()],
        }
    }

    /// Versions sorted by start; refuses overlapping periods.
    pub fn new(mut versions: Vec<PolicyParams>) -> Result<Policy, ParamError> {
        versions.sort_by_key(|v| v.period_from);
        for w in versions.windows(2) {
            if w[1].period_from <= w[0].period_to {
                return Err(ParamError::Overlap(w[1].version));
            }
        }
        Ok(Policy { versions })
    }

    pub fn versions(&self) -> &[PolicyParams] {
        &self.versions
    }

    pub fn version(&self, ix: u8) -> Option<&PolicyParams> {
        self.versions.get(usize::from(ix))
    }

    /// The version in force on `d`, with its index.
    pub fn in_force(&self, d: NaiveDate) -> Option<(u8, &PolicyParams)> {
        self.versions
            .iter()
            .enumerate()
            .rev()
            .find(|(_, v)| v.period_from <= d)
            .filter(|(_, v)| d <= v.period_to)
            .map(|(i, v)| (i as u8, v))
    }

    /// What-if override of one parameter of the named version.
    pub fn set(&mut self, version: &str, name: &str, value: &str) -> Result<(), ParamError> {
        let mut next = self.clone();
        let v = next
            .versions
            .iter_mut()
            .find(|v| v.version == version)
            .ok_or_else(|| ParamError::UnknownVersion(version.to_string()))?;
        v.set(name, value)?;
        *self = Policy::new(next.versions)?;
        Ok(())
    }

    /// The first and last day on which any version is in force.
    pub fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        Some((
            self.versions.first()?.period_from,
            self.versions.last()?.period_to,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_set_in_yuan() {
        let mut p = PolicyParams::yangpu_2021();
        p.set("rent.monthly_cap", "800").expect("set");
        assert_eq!(p.rent_monthly_cap, Fen(80_000));
        p.set("rating.5A", "60000").expect("set");
        assert_eq!(p.rating_amount(RatingLevel::A5), Fen(6_000_000));
        assert_eq!(p.get("rating.5A").as_deref(), Ok("60000.00"));
    }

    #[test]
    fn unknown_names_and_bad_values_are_refused_and_change_nothing() {
        let mut p = PolicyParams::yangpu_2021();
        assert_eq!(
            p.set("rent.cap", "1"),
            Err(ParamError::UnknownName("rent.cap".into()))
        );
        assert!(matches!(
            p.set("rent.monthly_cap", "-5"),
            Err(ParamError::BadValue { .. })
        ));
        assert!(matches!(
            p.set("salary.min", "5000"),
            Err(ParamError::BadValue { .. })
        ));
        assert_eq!(p, PolicyParams::yangpu_2021());
    }

    #[test]
    fn every_listed_parameter_can_be_set_to_its_own_value() {
        let p = PolicyParams::yangpu_2021();
        let list = p.list();
        assert_eq!(list.len(), PolicyParams::names().len());
        for (info, value) in list {
            let mut q = p.clone();
            q.set(info.name, &value)
                .unwrap_or_else(|e| panic!("{}: {e}", info.name));
            assert_eq!(q, p, "{}", info.name);
        }
    }

    #[test]
    fn tie_break_order_is_a_permutation_of_the_four_keys() {
        let mut p = PolicyParams::yangpu_2021();
        p.set(
            "supervisor.tie_break",
            "hours,score,person_id,qualification_date",
        )
        .expect("set");
        assert_eq!(p.supervisor_tie_break[0], TieKey::Hours);
        assert!(p.set("supervisor.tie_break", "score,score").is_err());
        assert!(p.set("supervisor.tie_break", "score").is_err());
    }

    #[test]
    fn seniority_takes_the_highest_step_reached() {
        let p = PolicyParams::yangpu_2021();
        assert_eq!(p.seniority_bonus(2), Fen::ZERO);
        assert_eq!(p.seniority_bonus(3), Fen::yuan(100));
        assert_eq!(p.seniority_bonus(5), Fen::yuan(100));
        assert_eq!(p.seniority_bonus(6), Fen::yuan(200));
    }

    #[test]
    fn the_version_in_force_is_found_by_date() {
        let p = Policy::yangpu();
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert!(p.in_force(d(2021, 7, 20)).is_none());
        assert!(p.in_force(d(2021, 7, 21)).is_some());
        assert!(p.in_force(d(2025, 12, 31)).is_some());
        assert!(p.in_force(d(2026, 1, 1)).is_none());
    }
}
