//! Why a rule paid what it paid, or why it refused.
//!
//! The rules record compact, typed reasons ([`Basis`] for a payment,
//! [`Refusal`] for a refusal) that cost nothing to keep; [`Explanation`]
//! renders them on demand as structured codes and as Chinese sentences for
//! people. No explanation text is built on the batch path.

use crate::history::{HonourLevel, InspectionResult, RatingLevel};
use crate::money::Fen;
use crate::people::{PerformanceRating, QualificationLevel};
use crate::policy::facts::{CompetitionLevel, Facts, NotDistrict, OrgIx, Score};
use crate::policy::params::Policy;
use crate::policy::types::{Decision, EventKey};
use crate::policy::{Rule, YearMonth};
use chrono::NaiveDate;

/// The facts and parameter values a payment was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// R2: min(requested, cap).
    Startup {
        requested: Fen,
        cap: Fen,
        registered: NaiveDate,
        comes_of_age: NaiveDate,
        first_inspection_year: i32,
        first_inspection_date: NaiveDate,
    },
    /// R3: min(rent paid, cap); the `nth` paid month of at most `max_months`.
    Rent {
        month: YearMonth,
        rent_paid: Fen,
        cap: Fen,
        nth: u32,
        max_months: u32,
        registered: NaiveDate,
        comes_of_age: NaiveDate,
    },
    /// R4: amount(level) − highest amount already reached.
    Rating {
        level: RatingLevel,
        level_amount: Fen,
        already: Fen,
    },
    /// R5: the level's amount.
    Honour { level: HonourLevel, amount: Fen },
    /// R6: min(⌊amount / 2⌋, cap).
    Venture { project_amount: Fen, cap: Fen },
    /// R7: min(⌊amount / 2⌋, cap).
    Competition {
        level: CompetitionLevel,
        place: u32,
        project_amount: Fen,
        cap: Fen,
    },
    /// R9: clamp(base + seniority + performance, min, max).
    Salary {
        /// The qualification held on the month's first day, and since when.
        qualification: QualificationLevel,
        qualification_date: NaiveDate,
        base: Fen,
        years: i32,
        seniority: Fen,
        rating_year: i32,
        rating: PerformanceRating,
        performance: Fen,
        min: Fen,
        max: Fen,
        employer: OrgIx,
    },
    /// R10: ranked `rank` (1-based) of the year's reviews.
    Supervisor {
        score: Score,
        hours: u32,
        rank: u32,
        winners: u32,
        award: Fen,
    },
    /// R11: the fixed award.
    Senior {
        qualification_date: NaiveDate,
        employer: OrgIx,
        award: Fen,
    },
}

/// The condition that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No policy version is in force on the event's date.
    OutsidePeriod {
        date: NaiveDate,
    },
    NotDistrict(NotDistrict),
    /// Two (or the parameter's) years old on the date.
    TooOld {
        registered: NaiveDate,
        comes_of_age: NaiveDate,
        years: u32,
    },
    NoInspection,
    FirstInspectionNotQualified {
        year: i32,
        result: InspectionResult,
    },
    /// The first inspection's result was recorded after the application.
    FirstInspectionNotYetRecorded {
        year: i32,
        date: NaiveDate,
    },
    StartupAlreadyPaid {
        on: NaiveDate,
    },
    RentUnpaid,
    RentMonthsUsed {
        max: u32,
    },
    RatingNotHigher {
        level: RatingLevel,
        level_amount: Fen,
        already: Fen,
    },
    HonourLevelNotPaid {
        level: HonourLevel,
    },
    HonourAlreadyPaid {
        year: i32,
    },
    /// The formula gives 0 (e.g. a project amount of 1 fen, a cap set to 0).
    ZeroAmount,
    CompetitionLevelTooLow {
        level: CompetitionLevel,
        min: CompetitionLevel,
    },
    Unranked,
    PlaceTooLow {
        place: u32,
        max: u32,
    },
    NotServingDistrict,
    ProjectAlreadyPaid {
        on: NaiveDate,
    },
    NoQualification,
    QualificationLater {
        date: NaiveDate,
    },
    NoContractEmployment,
    PerformanceMissing {
        year: i32,
    },
    PerformanceNotPaid {
        year: i32,
        rating: PerformanceRating,
    },
    NotSelected {
        rank: u32,
        winners: u32,
    },
    NoInnovativeContribution,
    NotSenior,
    SeniorOutsidePeriod {
        date: NaiveDate,
    },
    SeniorAfterDecision {
        date: NaiveDate,
    },
    SeniorAlreadyPaid {
        on: NaiveDate,
    },
}

impl Refusal {
    /// A stable machine code for the API and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::OutsidePeriod { .. } => "policy.outside_period",
            Refusal::NotDistrict(NotDistrict::OtherAuthority) => "org.not_district",
            Refusal::NotDistrict(NotDistrict::NotYetRegistered { .. }) => "org.not_yet_registered",
            Refusal::NotDistrict(NotDistrict::Deregistered { .. }) => "org.deregistered",
            Refusal::TooOld { .. } => "org.too_old",
            Refusal::NoInspection => "startup.no_inspection",
            Refusal::FirstInspectionNotQualified { .. } => "startup.first_inspection_not_qualified",
            Refusal::FirstInspectionNotYetRecorded { .. } => {
                "startup.first_inspection_not_yet_recorded"
            }
            Refusal::StartupAlreadyPaid { .. } => "startup.already_paid",
            Refusal::RentUnpaid => "rent.unpaid",
            Refusal::RentMonthsUsed { .. } => "rent.months_used",
            Refusal::RatingNotHigher { .. } => "rating.not_higher",
            Refusal::HonourLevelNotPaid { .. } => "honour.level_not_paid",
            Refusal::HonourAlreadyPaid { .. } => "honour.already_paid",
            Refusal::ZeroAmount => "amount.zero",
            Refusal::CompetitionLevelTooLow { .. } => "competition.level_too_low",
            Refusal::Unranked => "competition.unranked",
            Refusal::PlaceTooLow { .. } => "competition.place_too_low",
            Refusal::NotServingDistrict => "competition.not_serving_district",
            Refusal::ProjectAlreadyPaid { .. } => "competition.already_paid",
            Refusal::NoQualification => "salary.no_qualification",
            Refusal::QualificationLater { .. } => "salary.qualification_later",
            Refusal::NoContractEmployment => "employment.no_contract",
            Refusal::PerformanceMissing { .. } => "salary.performance_missing",
            Refusal::PerformanceNotPaid { .. } => "salary.performance_not_paid",
            Refusal::NotSelected { .. } => "supervisor.not_selected",
            Refusal::NoInnovativeContribution => "senior.no_contribution",
            Refusal::NotSenior => "senior.not_senior",
            Refusal::SeniorOutsidePeriod { .. } => "senior.qualification_outside_period",
            Refusal::SeniorAfterDecision { .. } => "senior.qualification_after_decision",
            Refusal::SeniorAlreadyPaid { .. } => "senior.already_paid",
        }
    }

    /// The reason in Chinese, naming the rule where it helps the reader.
    pub fn message(&self, rule: Rule, policy: &Policy) -> String {
        let title = rule.title();
        match *self {
            Refusal::OutsidePeriod { date } => match policy.span() {
                Some((a, b)) => format!("{date} 不在政策执行期({a} 至 {b})内,不予{title}"),
                None => format!("{date} 无有效的政策版本,不予{title}"),
            },
            Refusal::NotDistrict(NotDistrict::OtherAuthority) => {
                format!("该组织不是在区民政局登记的社会组织,不符合{title}条件")
            }
            Refusal::NotDistrict(NotDistrict::NotYetRegistered { registered }) => {
                format!("该组织于 {registered} 才登记,当日尚不是本区社会组织")
            }
            Refusal::NotDistrict(NotDistrict::Deregistered { on }) => {
                format!("该组织已于 {on} 注销,不再是本区社会组织")
            }
            Refusal::TooOld {
                registered,
                comes_of_age,
                years,
            } => format!(
                "该组织于 {registered} 登记,自 {comes_of_age} 起已成立满{}年,不符合{title}条件",
                cn_years(years)
            ),
            Refusal::NoInspection => format!("尚无年检记录,不符合{title}条件"),
            Refusal::FirstInspectionNotQualified { result, .. } => {
                format!("首次年检结果为{},不符合{title}条件", result.label())
            }
            Refusal::FirstInspectionNotYetRecorded { year, date } => {
                format!("首次年检({year} 年度)结论于 {date} 作出,晚于申请日期,不符合{title}条件")
            }
            Refusal::StartupAlreadyPaid { on } => {
                format!("已因 {on} 的申请获得开办补贴,不重复补贴")
            }
            Refusal::RentUnpaid => "当月实付房租为 0,不计入补贴月".to_string(),
            Refusal::RentMonthsUsed { max } => {
                format!("已享受 {max} 个月房租补贴,达到上限")
            }
            Refusal::RatingNotHigher {
                level,
                level_amount,
                already,
            } => format!(
                "评为 {} 对应奖励 {level_amount} 元,不高于已获等级奖励 {already} 元,不再补差",
                level.label()
            ),
            Refusal::HonourLevelNotPaid { level } => {
                format!("{}荣誉不在奖励范围内", level.label())
            }
            Refusal::HonourAlreadyPaid { year } => {
                format!("同一荣誉({year} 年)已奖励过,不重复奖励")
            }
            Refusal::ZeroAmount => format!("按规定计算的{title}金额为 0"),
            Refusal::CompetitionLevelTooLow { level, min } => format!(
                "{}大赛不在补贴范围(须为{}及以上)",
                level.label(),
                min.label()
            ),
            Refusal::Unranked => "所获奖项没有名次(如优秀奖),不予补贴".to_string(),
            Refusal::PlaceTooLow { place, max } => {
                format!("获第 {place} 名,补贴限于前 {max} 名(三等奖及以上)")
            }
            Refusal::NotServingDistrict => "项目的服务区域和服务对象均不在本区".to_string(),
            Refusal::ProjectAlreadyPaid { on } => {
                format!("该项目已因 {on} 的获奖得到补贴,每个项目限补贴一次")
            }
            Refusal::NoQualification => "未取得社会工作者职业资格".to_string(),
            Refusal::QualificationLater { date } => {
                format!("社会工作者职业资格于 {date} 取得,当月1日尚未持证")
            }
            Refusal::NoContractEmployment => {
                "当日没有与本区社会组织签订劳动合同的在职记录".to_string()
            }
            Refusal::PerformanceMissing { year } => {
                format!("没有 {year} 年度考核结果,当月不予补贴")
            }
            Refusal::PerformanceNotPaid { year, rating } => {
                format!("{year} 年度考核为{},当月不予补贴", rating.label())
            }
            Refusal::NotSelected { rank, winners } => {
                format!("当年评审排名第 {rank},未进入前 {winners} 名")
            }
            Refusal::NoInnovativeContribution => {
                "评审未认定其在项目组织或人才培养方面有创新贡献".to_string()
            }
            Refusal::NotSenior => "未取得高级社会工作师资格".to_string(),
            Refusal::SeniorOutsidePeriod { date } => {
                format!("高级社会工作师资格于 {date} 取得,不在政策执行期内")
            }
            Refusal::SeniorAfterDecision { date } => {
                format!("高级社会工作师资格于 {date} 取得,晚于评审决定日期")
            }
            Refusal::SeniorAlreadyPaid { on } => {
                format!("已于 {on} 获得高级社工师奖励,每人限一次")
            }
        }
    }
}

fn cn_years(n: u32) -> String {
    match n {
        2 => "两".to_string(),
        n => n.to_string(),
    }
}

/// A decision's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Granted { amount: Fen, basis: Basis },
    Refused(Refusal),
}

/// One fact a decision used, with a stable code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactLine {
    pub code: &'static str,
    pub label: &'static str,
    pub value: String,
}

/// One parameter value a decision used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamLine {
    pub name: &'static str,
    pub value: String,
}

/// A decision made readable: structured parts for the API and a Chinese
/// sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub rule: Rule,
    pub clause: &'static str,
    pub version: Option<&'static str>,
    pub beneficiary_id: String,
    pub event_key: String,
    /// `Some` when paid.
    pub amount: Option<Fen>,
    /// `(code, message)` when refused.
    pub refusal: Option<(&'static str, String)>,
    pub facts: Vec<FactLine>,
    pub params: Vec<ParamLine>,
    /// The computation, e.g. `min(13288.89, 10000.00) = 10000.00`.
    pub arithmetic: Option<String>,
    pub text: String,
}

fn fact(code: &'static str, label: &'static str, value: impl ToString) -> FactLine {
    FactLine {
        code,
        label,
        value: value.to_string(),
    }
}

fn param(name: &'static str, value: impl ToString) -> ParamLine {
    ParamLine {
        name,
        value: value.to_string(),
    }
}

/// An amount as people read it: `10,000.00 元`.
fn yuan(f: Fen) -> String {
    f.shown()
}

/// R6 and R7 (三(三)1–2) pay half the project amount, rounded down, up to
/// the cap named by `cap_param`.
fn half_of_project(
    f: &mut Vec<FactLine>,
    p: &mut Vec<ParamLine>,
    cap_param: &'static str,
    project_amount: Fen,
    cap: Fen,
    amount: Fen,
) -> String {
    f.push(fact("project_amount_fen", "项目金额", yuan(project_amount)));
    p.push(param(cap_param, cap));
    format!(
        "min(⌊{project_amount} ÷ 2⌋ = {}, 上限 {cap}) = {amount} 元",
        project_amount.half_down()
    )
}

impl Decision {
    pub fn explain(&self, facts: &Facts, policy: &Policy) -> Explanation {
        let rule = self.rule;
        let version = self
            .version
            .and_then(|v| policy.version(v))
            .map(|p| p.version);
        let beneficiary_id = self.beneficiary_id(facts).to_string();
        let event_key = self.key.display(facts).to_string();
        let mut facts_used = Vec::new();
        let mut params_used = Vec::new();
        let mut arithmetic = None;
        let (amount, refusal) = match self.outcome {
            Outcome::Granted { amount, basis } => {
                arithmetic = Some(describe_basis(
                    &basis,
                    amount,
                    facts,
                    &mut facts_used,
                    &mut params_used,
                ));
                (Some(amount), None)
            }
            Outcome::Refused(r) => {
                describe_refusal(&r, &mut facts_used);
                (None, Some((r.code(), r.message(rule, policy))))
            }
        };
        // The sentence people read: full-width punctuation, amounts in 元,
        // the arithmetic in words (its code form stays in `arithmetic`).
        let mut text = format!("{}（{}）{}：", rule.title(), rule.clause(), event_key);
        for f in &facts_used {
            text.push_str(f.label);
            text.push(' ');
            text.push_str(&f.value);
            text.push('；');
        }
        match (&self.outcome, &refusal) {
            (Outcome::Granted { amount, basis }, _) => text.push_str(&in_words(basis, *amount)),
            (_, Some((_, m))) => text.push_str(m.trim_end_matches('。')),
            _ => {}
        }
        text.push('。');
        Explanation {
            rule,
            clause: rule.clause(),
            version,
            beneficiary_id,
            event_key,
            amount,
            refusal,
            facts: facts_used,
            params: params_used,
            arithmetic,
            text,
        }
    }
}

/// Fills the facts and parameters of a payment; returns its arithmetic.
fn describe_basis(
    b: &Basis,
    amount: Fen,
    facts: &Facts,
    f: &mut Vec<FactLine>,
    p: &mut Vec<ParamLine>,
) -> String {
    match *b {
        Basis::Startup {
            requested,
            cap,
            registered,
            comes_of_age,
            first_inspection_year,
            first_inspection_date,
        } => {
            f.push(fact("registration_date", "登记日期", registered));
            f.push(fact("comes_of_age", "成立满期日期", comes_of_age));
            f.push(fact(
                "first_inspection",
                "首次年检",
                format!("{first_inspection_year} 年度合格（{first_inspection_date} 作出）"),
            ));
            f.push(fact("requested_fen", "申请金额", yuan(requested)));
            p.push(param("startup.cap", cap));
            format!("min(申请金额 {requested}, 上限 {cap}) = {amount} 元")
        }
        Basis::Rent {
            month,
            rent_paid,
            cap,
            nth,
            max_months,
            registered,
            comes_of_age,
        } => {
            f.push(fact("month", "月份", month));
            f.push(fact("registration_date", "登记日期", registered));
            f.push(fact("comes_of_age", "成立满期日期", comes_of_age));
            f.push(fact("rent_paid_fen", "实付房租", yuan(rent_paid)));
            f.push(fact(
                "paid_month",
                "补贴月序",
                format!("第 {nth} 个（最多 {max_months} 个）"),
            ));
            p.push(param("rent.monthly_cap", cap));
            p.push(param("rent.max_months", max_months));
            format!("min(实付房租 {rent_paid}, 月上限 {cap}) = {amount} 元")
        }
        Basis::Rating {
            level,
            level_amount,
            already,
        } => {
            f.push(fact("level", "评估等级", level.label()));
            f.push(fact("already_paid_fen", "已获等级奖励", yuan(already)));
            p.push(ParamLine {
                name: rating_param(level),
                value: level_amount.to_string(),
            });
            format!(
                "{} 等级奖励 {level_amount} − 已获 {already} = {amount} 元",
                level.label()
            )
        }
        Basis::Honour { level, amount: a } => {
            f.push(fact("level", "荣誉级别", level.label()));
            p.push(ParamLine {
                name: honour_param(level),
                value: a.to_string(),
            });
            format!("{}荣誉奖励 {amount} 元", level.label())
        }
        Basis::Venture {
            project_amount,
            cap,
        } => half_of_project(f, p, "venture.cap", project_amount, cap, amount),
        Basis::Competition {
            level,
            place,
            project_amount,
            cap,
        } => {
            f.push(fact("level", "大赛级别", level.label()));
            f.push(fact("prize_place", "名次", place));
            half_of_project(f, p, "competition.cap", project_amount, cap, amount)
        }
        Basis::Salary {
            qualification,
            qualification_date,
            base,
            years,
            seniority,
            rating_year,
            rating,
            performance,
            min,
            max,
            employer,
        } => {
            f.push(fact(
                "qualification",
                "职业资格",
                format!("{}（{qualification_date} 取得）", qualification.label()),
            ));
            f.push(fact(
                "years_in_social_work",
                "社会工作年限",
                format!("满 {years} 年"),
            ));
            f.push(fact(
                "performance",
                "上年度考核",
                format!("{rating_year} 年度{}", rating.label()),
            ));
            f.push(fact("employer", "用人单位", facts.org_id(employer)));
            p.push(ParamLine {
                name: salary_base_param(qualification),
                value: base.to_string(),
            });
            p.push(param("salary.min", min));
            p.push(param("salary.max", max));
            format!(
                "clamp(基础 {base} + 年限 {seniority} + 考核 {performance}, {min}, {max}) = {amount} 元"
            )
        }
        Basis::Supervisor {
            score,
            hours,
            rank,
            winners,
            award,
        } => {
            f.push(fact("score", "评审分数", score));
            f.push(fact("hours", "督导时数", hours));
            f.push(fact("rank", "年度排名", rank));
            p.push(param("supervisor.winners", winners));
            p.push(param("supervisor.award", award));
            format!("第 {rank} 名(前 {winners} 名)奖励 {amount} 元")
        }
        Basis::Senior {
            qualification_date,
            employer,
            award,
        } => {
            f.push(fact(
                "qualification_date",
                "取得高级社会工作师日期",
                qualification_date,
            ));
            f.push(fact("employer", "用人单位", facts.org_id(employer)));
            p.push(param("senior.award", award));
            format!("一次性奖励 {amount} 元")
        }
    }
}

/// How a payment was worked out, as a Chinese sentence.
fn in_words(b: &Basis, amount: Fen) -> String {
    let y = |f: Fen| f.shown();
    let amount = y(amount);
    match *b {
        Basis::Startup { requested, cap, .. } => format!(
            "申请金额 {}与上限 {}取较小者，核定 {amount}",
            y(requested),
            y(cap)
        ),
        Basis::Rent { rent_paid, cap, .. } => format!(
            "实付房租 {}与每月上限 {}取较小者，核定 {amount}",
            y(rent_paid),
            y(cap)
        ),
        Basis::Rating {
            level,
            level_amount,
            already,
        } => format!(
            "{}等级奖励 {}减去已获等级奖励 {}，核定 {amount}",
            level.label(),
            y(level_amount),
            y(already)
        ),
        Basis::Honour { level, .. } => format!("{}荣誉奖励，核定 {amount}", level.label()),
        Basis::Venture {
            project_amount,
            cap,
        }
        | Basis::Competition {
            project_amount,
            cap,
            ..
        } => format!(
            "项目金额 {}的一半（不足一分舍去）为 {}，与上限 {}取较小者，核定 {amount}",
            y(project_amount),
            y(project_amount.half_down()),
            y(cap)
        ),
        Basis::Salary {
            base,
            seniority,
            performance,
            min,
            max,
            ..
        } => format!(
            "基础 {}加年限补贴 {}加考核补贴 {}，不低于 {}、不高于 {}，核定 {amount}",
            y(base),
            y(seniority),
            y(performance),
            y(min),
            y(max)
        ),
        Basis::Supervisor { rank, winners, .. } => {
            format!("年度第 {rank} 名（奖励前 {winners} 名），核定 {amount}")
        }
        Basis::Senior { .. } => format!("一次性奖励，核定 {amount}"),
    }
}

/// The facts a refusal rests on, as structured lines.
fn describe_refusal(r: &Refusal, f: &mut Vec<FactLine>) {
    match *r {
        Refusal::OutsidePeriod { date } => f.push(fact("event_date", "事件日期", date)),
        Refusal::NotDistrict(NotDistrict::NotYetRegistered { registered }) => {
            f.push(fact("registration_date", "登记日期", registered))
        }
        Refusal::NotDistrict(NotDistrict::Deregistered { on }) => {
            f.push(fact("deregistration_date", "注销日期", on))
        }
        Refusal::TooOld {
            registered,
            comes_of_age,
            ..
        } => {
            f.push(fact("registration_date", "登记日期", registered));
            f.push(fact("comes_of_age", "成立满期日期", comes_of_age));
        }
        Refusal::FirstInspectionNotQualified { year, result } => f.push(fact(
            "first_inspection",
            "首次年检",
            format!("{year} 年度{}", result.label()),
        )),
        Refusal::FirstInspectionNotYetRecorded { year, date } => f.push(fact(
            "first_inspection",
            "首次年检",
            format!("{year} 年度（{date} 作出）"),
        )),
        Refusal::RatingNotHigher { level, already, .. } => {
            f.push(fact("level", "评估等级", level.label()));
            f.push(fact("already_paid_fen", "已获等级奖励", yuan(already)));
        }
        Refusal::HonourLevelNotPaid { level } => f.push(fact("level", "荣誉级别", level.label())),
        Refusal::CompetitionLevelTooLow { level, .. } => {
            f.push(fact("level", "大赛级别", level.label()))
        }
        Refusal::PlaceTooLow { place, .. } => f.push(fact("prize_place", "名次", place)),
        Refusal::QualificationLater { date } => {
            f.push(fact("qualification_date", "取得资格日期", date))
        }
        Refusal::PerformanceNotPaid { year, rating } => f.push(fact(
            "performance",
            "上年度考核",
            format!("{year} 年度{}", rating.label()),
        )),
        Refusal::SeniorOutsidePeriod { date } | Refusal::SeniorAfterDecision { date } => {
            f.push(fact("qualification_date", "取得高级社会工作师日期", date))
        }
        Refusal::NotSelected { rank, .. } => f.push(fact("rank", "年度排名", rank)),
        _ => {}
    }
}

fn rating_param(l: RatingLevel) -> &'static str {
    match l {
        RatingLevel::A1 => "rating.1A",
        RatingLevel::A2 => "rating.2A",
        RatingLevel::A3 => "rating.3A",
        RatingLevel::A4 => "rating.4A",
        RatingLevel::A5 => "rating.5A",
    }
}

fn honour_param(l: HonourLevel) -> &'static str {
    match l {
        HonourLevel::National => "honour.NATIONAL",
        HonourLevel::Municipal => "honour.MUNICIPAL",
        HonourLevel::District => "honour.DISTRICT",
        HonourLevel::Other => "honour.OTHER",
    }
}

fn salary_base_param(l: QualificationLevel) -> &'static str {
    match l {
        QualificationLevel::Assistant => "salary.base.ASSISTANT",
        QualificationLevel::Intermediate => "salary.base.INTERMEDIATE",
        QualificationLevel::Senior => "salary.base.SENIOR",
    }
}

impl EventKey {
    /// Renders as the contract's `event_key` column.
    pub fn display<'a>(&'a self, facts: &'a Facts) -> impl std::fmt::Display + 'a {
        KeyDisplay { key: self, facts }
    }
}

struct KeyDisplay<'a> {
    key: &'a EventKey,
    facts: &'a Facts,
}

impl std::fmt::Display for KeyDisplay<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self.key {
            EventKey::Date(d) => write!(f, "{d}"),
            EventKey::Month(m) => write!(f, "{m}"),
            EventKey::Year(y) => write!(f, "{y:04}"),
            EventKey::Honour(i) => match self.facts.honour(i) {
                Some(h) => write!(
                    f,
                    "{}|{:04}",
                    self.facts.honour_title(h.title),
                    chrono::Datelike::year(&h.date)
                ),
                None => Ok(()),
            },
            EventKey::Venture(i) => match self.facts.venture(i) {
                Some(v) => f.write_str(self.facts.venture_project_id(v.project)),
                None => Ok(()),
            },
            EventKey::Win(i) => match self.facts.win(i) {
                Some(w) => f.write_str(self.facts.competition_project_id(w.project)),
                None => Ok(()),
            },
        }
    }
}
