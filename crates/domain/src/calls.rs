//! Calls for purchased services (政府购买服务, 二(四)1: applications received
//! in real time, prompt disclosure, fair bidding): a call by the bureau or a
//! sub-district, its scoring criteria, the state machine after Prozorro's,
//! sealed bids, the expert panel's scores and the award.
//!
//! ```text
//!  DRAFT 草稿 ──publish──▶ ENQUIRIES 答疑期 ──(enquiries until)──▶ TENDERING 投标期
//!  TENDERING ──(bids until, ≥ 1 bid)──▶ EVALUATING 评审中 ──award──▶ STANDSTILL 公示期
//!  ENQUIRIES/TENDERING ──(bids until, no bid)──▶ UNSUCCESSFUL 流标
//!  EVALUATING ──fail (no qualified bid)──▶ UNSUCCESSFUL 流标
//!  STANDSTILL ──sign (after the standstill days)──▶ CONTRACTED 已签约
//!  DRAFT/ENQUIRIES/TENDERING/EVALUATING ──cancel──▶ CANCELLED 已撤销
//! ```
//! Steps due by time are not stored when they fall due: [`effective`] reads
//! them from the stored status, the dates and the server clock, so a server
//! that was down is right the moment it reads a call again.
//!
//! Pure: the caller passes the clock's time, the acting account and what the
//! store holds; refusals come back with a stable code and a Chinese message.

use crate::access::Role;
use crate::error::Invalid;
use crate::money::Fen;
use crate::text;
use crate::vocabulary::vocabulary;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

vocabulary! {
    /// Where a call stands.
    CallStatus, "项目状态" {
        Draft => "DRAFT", "草稿";
        Enquiries => "ENQUIRIES", "答疑期";
        Tendering => "TENDERING", "投标期";
        Evaluating => "EVALUATING", "评审中";
        Standstill => "STANDSTILL", "公示期";
        Contracted => "CONTRACTED", "已签约";
        Cancelled => "CANCELLED", "已撤销";
        Unsuccessful => "UNSUCCESSFUL", "流标";
    }
}

impl CallStatus {
    /// Whether the public sees the call (everything but a draft).
    pub fn published(self) -> bool {
        self != CallStatus::Draft
    }

    /// Whether nothing more happens to the call.
    pub fn closed(self) -> bool {
        matches!(
            self,
            CallStatus::Contracted | CallStatus::Cancelled | CallStatus::Unsuccessful
        )
    }
}

/// Shanghai's offset: UTC+8 all year.
fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero"))
}

/// A moment as people in the district read it: `2026-12-20 17:00`.
pub fn local(at: DateTime<Utc>) -> String {
    at.with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// For `<input type="datetime-local">`: `2026-12-20T17:00`.
pub fn local_input(at: DateTime<Utc>) -> String {
    at.with_timezone(&shanghai())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// A deadline as typed, in Shanghai time: `2026-12-20 17:00`,
/// `2026-12-20T17:00`, RFC 3339 with its offset, or a date alone, which means 17:00 that day (the end
/// of the working day).
pub fn parse_time(field: &str, label: &str, input: &str) -> Result<DateTime<Utc>, Invalid> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Invalid::one(
            field,
            "date.required",
            format!("请填写{label}"),
        ));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    let naive = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| NaiveTime::from_hms_opt(17, 0, 0).map(|t| d.and_time(t)))
        })
        .ok_or_else(|| {
            Invalid::one(
                field,
                "time.format",
                format!("{label}“{s}”应写作 2026-12-20 17:00"),
            )
        })?;
    naive
        .and_local_timezone(shanghai())
        .single()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Invalid::one(field, "time.format", format!("{label}“{s}”无效")))
}

/// One scoring criterion and its weight (the weights of a call sum to 100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Criterion {
    pub name: String,
    pub weight: i64,
}

/// Reads criteria typed one per line as `名称 权重` (or `名称:权重`).
pub fn criteria_lines(input: &str) -> Vec<(String, String)> {
    input
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let l = l.replace(['：', ':', '\t'], " ");
            match l.trim().rsplit_once(' ') {
                Some((n, w)) => (n.trim().to_string(), w.trim().to_string()),
                None => (l.trim().to_string(), String::new()),
            }
        })
        .collect()
}

/// Writes criteria back as the lines [`criteria_lines`] reads.
pub fn criteria_text(c: &[Criterion]) -> String {
    c.iter()
        .map(|c| format!("{} {}", c.name, c.weight))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks (name, weight) pairs: one to ten criteria, named, each weight a
/// whole number from 1 to 100, the weights summing to exactly 100.
pub fn parse_criteria(pairs: &[(String, String)]) -> Result<Vec<Criterion>, Invalid> {
    let bad = |code, m: String| Invalid::one("criteria", code, m);
    if pairs.is_empty() || pairs.len() > 10 {
        return Err(bad(
            "criteria.count",
            "请填写 1 至 10 项评分标准,每行“名称 权重”".into(),
        ));
    }
    let mut out: Vec<Criterion> = Vec::new();
    for (i, (n, w)) in pairs.iter().enumerate() {
        let name = text::bounded("criteria", "评分标准名称", n, 40, true)?;
        let weight = w
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|w| (1..=100).contains(w))
            .ok_or_else(|| {
                bad(
                    "criteria.weight",
                    format!("第 {} 项“{name}”的权重应为 1 至 100 的整数", i + 1),
                )
            })?;
        if out.iter().any(|c| c.name == name) {
            return Err(bad("criteria.duplicate", format!("评分标准“{name}”重复")));
        }
        out.push(Criterion { name, weight });
    }
    let sum: i64 = out.iter().map(|c| c.weight).sum();
    if sum != 100 {
        return Err(bad(
            "criteria.sum",
            format!("评分标准的权重合计应为 100(现为 {sum})"),
        ));
    }
    Ok(out)
}

/// A call as typed by its purchaser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInput {
    pub title: String,
    /// The catalogue item (its existence is the app's check).
    pub item_id: i64,
    /// Where the service is delivered: a sub-district code and, optionally,
    /// the residents' committees.
    pub subdistrict: String,
    pub place: Option<String>,
    pub budget: Fen,
    pub requirements: String,
    pub criteria: Vec<Criterion>,
    pub enquiries_until: DateTime<Utc>,
    pub bids_until: DateTime<Utc>,
    pub standstill_days: i64,
}

impl CallInput {
    /// Checks every field and the order of the dates; `criteria` are the
    /// (name, weight) pairs as typed.
    pub fn validate(
        get: impl Fn(&str) -> String,
        criteria: &[(String, String)],
    ) -> Result<CallInput, Invalid> {
        let mut e = Invalid::default();
        let title = e.take(text::bounded("title", "项目名称", &get("title"), 100, true));
        let item = get("item");
        let item_id = e.take(
            item.trim()
                .parse::<i64>()
                .map_err(|_| Invalid::one("item", "call.item", "请选择引导目录中的项目")),
        );
        let subdistrict = e.take(text::bounded(
            "subdistrict",
            "服务街道",
            &get("subdistrict"),
            20,
            true,
        ));
        let place = e.take(text::optional(
            "place",
            "服务地点(居委会)",
            &get("place"),
            200,
        ));
        let budget = e.take(Fen::parse_yuan("budget", &get("budget")).and_then(|b| {
            if b == Fen::ZERO {
                Err(Invalid::one("budget", "call.budget", "预算上限应大于零"))
            } else {
                Ok(b)
            }
        }));
        let requirements = e.take(text::bounded(
            "requirements",
            "服务要求",
            &get("requirements"),
            5000,
            true,
        ));
        let criteria = e.take(parse_criteria(criteria));
        let enquiries = e.take(parse_time(
            "enquiries_until",
            "答疑截止时间",
            &get("enquiries_until"),
        ));
        let bids = e.take(parse_time("bids_until", "投标截止时间", &get("bids_until")));
        let standstill = get("standstill_days");
        let standstill_days = e.take(
            standstill
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|d| (1..=30).contains(d))
                .ok_or_else(|| {
                    Invalid::one(
                        "standstill_days",
                        "call.standstill_days",
                        "公示期应为 1 至 30 天",
                    )
                }),
        );
        let (
            Some(title),
            Some(item_id),
            Some(subdistrict),
            Some(place),
            Some(budget),
            Some(requirements),
            Some(criteria),
            Some(enquiries_until),
            Some(bids_until),
            Some(standstill_days),
        ) = (
            title,
            item_id,
            subdistrict,
            place,
            budget,
            requirements,
            criteria,
            enquiries,
            bids,
            standstill_days,
        )
        else {
            return Err(e);
        };
        if bids_until <= enquiries_until {
            return Err(Invalid::one(
                "bids_until",
                "call.dates",
                "投标截止时间应晚于答疑截止时间",
            ));
        }
        Ok(CallInput {
            title,
            item_id,
            subdistrict,
            place,
            budget,
            requirements,
            criteria,
            enquiries_until,
            bids_until,
            standstill_days,
        })
    }

    /// The catalogue year the call counts against: the year its bids close
    /// (Shanghai time).
    pub fn year(&self) -> i32 {
        year_of(self.bids_until)
    }
}

/// The year of a moment in Shanghai.
pub fn year_of(at: DateTime<Utc>) -> i32 {
    use chrono::Datelike;
    at.with_timezone(&shanghai()).year()
}

/// What the state machine needs to know of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Call<'a> {
    /// As stored: the last step taken by someone.
    pub stored: CallStatus,
    pub enquiries_until: DateTime<Utc>,
    pub bids_until: DateTime<Utc>,
    pub standstill_days: i64,
    pub awarded_at: Option<DateTime<Utc>>,
    pub opened: bool,
    pub bids: i64,
    pub created_by: &'a str,
}

/// The status at `now`: the stored one, moved on by the deadlines passed.
pub fn effective(c: &Call<'_>, now: DateTime<Utc>) -> CallStatus {
    use CallStatus as S;
    match c.stored {
        S::Enquiries | S::Tendering if now >= c.bids_until => {
            if c.bids == 0 {
                S::Unsuccessful
            } else {
                S::Evaluating
            }
        }
        S::Enquiries if now >= c.enquiries_until => S::Tendering,
        s => s,
    }
}

/// When the standstill (公示期) of an award ends.
pub fn standstill_ends(awarded_at: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    awarded_at + Duration::days(days)
}

/// The steps people take on a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Publish,
    Cancel,
    /// 开标: the sealed bids are opened, once, after the deadline.
    Open,
    Award,
    /// 流标: no qualified bid.
    Fail,
    Sign,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::Publish,
        Step::Cancel,
        Step::Open,
        Step::Award,
        Step::Fail,
        Step::Sign,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::Publish => "publish",
            Step::Cancel => "cancel",
            Step::Open => "open",
            Step::Award => "award",
            Step::Fail => "fail",
            Step::Sign => "sign",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::Publish => "发布",
            Step::Cancel => "撤销",
            Step::Open => "开标",
            Step::Award => "确定中标",
            Step::Fail => "流标",
            Step::Sign => "签约",
        }
    }

    pub fn parse(input: &str) -> Result<Step, Invalid> {
        let s = input.trim();
        Step::ALL
            .into_iter()
            .find(|x| x.code() == s || x.label() == s)
            .ok_or_else(|| {
                if s.is_empty() {
                    Invalid::one("step", "text.required", "请选择要办理的步骤")
                } else {
                    Invalid::one("step", "call.step", format!("步骤“{s}”无效"))
                }
            })
    }
}

/// A refused act: a stable code and the reason in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

pub fn refuse(code: &'static str, message: impl Into<String>) -> Refusal {
    Refusal {
        code,
        message: message.into(),
    }
}

/// The account acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
}

/// The status a step leads to, or why it may not be taken now. That the
/// caller is the call's purchaser (scope) is the app's check before this.
pub fn decide(
    c: &Call<'_>,
    step: Step,
    who: &Actor,
    now: DateTime<Utc>,
) -> Result<CallStatus, Refusal> {
    use CallStatus as S;
    if !matches!(who.role, Role::Bureau | Role::Subdistrict) {
        return Err(refuse(
            "call.role",
            format!(
                "{}不能对购买服务项目进行“{}”",
                who.role.label(),
                step.label()
            ),
        ));
    }
    let status = effective(c, now);
    let state = || {
        refuse(
            "call.state",
            format!("项目现为“{}”,不能{}", status.label(), step.label()),
        )
    };
    match step {
        Step::Publish => {
            if status != S::Draft {
                return Err(state());
            }
            if c.enquiries_until <= now {
                return Err(refuse(
                    "call.dates_past",
                    format!(
                        "答疑截止时间 {} 已过,请修改日期后再发布",
                        local(c.enquiries_until)
                    ),
                ));
            }
            Ok(S::Enquiries)
        }
        Step::Cancel => match status {
            S::Draft | S::Enquiries | S::Tendering | S::Evaluating => Ok(S::Cancelled),
            _ => Err(state()),
        },
        Step::Open => match status {
            // Sealed until the deadline, whoever asks (二(四)1: fair bidding).
            S::Enquiries | S::Tendering => Err(refuse(
                "call.sealed",
                format!("投标截止时间 {} 前不能开标", local(c.bids_until)),
            )),
            S::Evaluating if !c.opened => Ok(S::Evaluating),
            S::Evaluating => Err(refuse("call.opened", "投标文件已经开启")),
            _ => Err(state()),
        },
        Step::Award | Step::Fail => {
            if status != S::Evaluating {
                return Err(state());
            }
            if !c.opened {
                return Err(refuse("call.not_opened", "尚未开标,不能评定"));
            }
            Ok(if step == Step::Award {
                S::Standstill
            } else {
                S::Unsuccessful
            })
        }
        Step::Sign => {
            if status != S::Standstill {
                return Err(state());
            }
            let ends = c
                .awarded_at
                .map(|a| standstill_ends(a, c.standstill_days))
                .unwrap_or(now);
            if now < ends {
                return Err(refuse(
                    "call.standstill",
                    format!("公示期至 {} 结束,结束后方可签约", local(ends)),
                ));
            }
            Ok(S::Contracted)
        }
    }
}

/// A bid's content, sealed until the deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidContent {
    pub price: Fen,
    pub proposal: String,
    pub team: String,
}

/// Separates the parts of a sealed bid; input text never holds it (control
/// characters are refused by [`text::bounded`]).
const SEP: char = '\u{1f}';

impl BidContent {
    /// Price in yuan, the proposal and the team as typed; the price may not
    /// pass the call's budget cap.
    pub fn validate(get: impl Fn(&str) -> String, budget: Fen) -> Result<BidContent, Invalid> {
        let mut e = Invalid::default();
        let price = e.take(Fen::parse_yuan("price", &get("price")).and_then(|p| {
            if p == Fen::ZERO {
                Err(Invalid::one("price", "bid.price", "报价应大于零"))
            } else if p > budget {
                Err(Invalid::one(
                    "price",
                    "bid.over_budget",
                    format!("报价 {} 超过预算上限 {}", p.shown(), budget.shown()),
                ))
            } else {
                Ok(p)
            }
        }));
        let proposal = e.take(text::bounded(
            "proposal",
            "服务方案",
            &get("proposal"),
            10_000,
            true,
        ));
        let team = e.take(text::bounded("team", "项目团队", &get("team"), 2000, true));
        let (Some(price), Some(proposal), Some(team)) = (price, proposal, team) else {
            return Err(e);
        };
        Ok(BidContent {
            price,
            proposal,
            team,
        })
    }

    /// The plain text that is sealed.
    pub fn to_plain(&self) -> String {
        format!(
            "{}{SEP}{}{SEP}{}",
            self.price.get(),
            self.team,
            self.proposal
        )
    }

    /// Reads what [`BidContent::to_plain`] wrote; `None` when it is not that.
    pub fn from_plain(s: &str) -> Option<BidContent> {
        let mut it = s.splitn(3, SEP);
        let price = Fen(it.next()?.parse().ok()?);
        let team = it.next()?.to_string();
        let proposal = it.next()?.to_string();
        Some(BidContent {
            price,
            proposal,
            team,
        })
    }
}

/// Whether a bid may be handed in (or replaced) now: after publication and
/// before the deadline, by the server's clock.
pub fn may_bid(c: &Call<'_>, now: DateTime<Utc>) -> Result<(), Refusal> {
    let status = effective(c, now);
    if now >= c.bids_until && c.stored.published() && !c.stored.closed() {
        return Err(refuse(
            "bid.late",
            format!("投标已于 {} 截止", local(c.bids_until)),
        ));
    }
    match status {
        CallStatus::Enquiries | CallStatus::Tendering => Ok(()),
        s => Err(refuse(
            "bid.state",
            format!("项目现为“{}”,不接受投标", s.label()),
        )),
    }
}

/// One expert's points for one criterion of one bid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub bid: i64,
    pub expert: String,
    /// The criterion's position in the call (0-based).
    pub criterion: usize,
    pub points: i64,
}

/// Reads a score sheet as typed: `score_<n>` (0–100) and `reason_<n>` for
/// every criterion `n` (1-based); a reason is required for each.
pub fn parse_sheet(
    criteria: &[Criterion],
    get: impl Fn(&str) -> String,
) -> Result<Vec<(i64, String)>, Invalid> {
    let mut e = Invalid::default();
    let mut out = Vec::new();
    for (i, c) in criteria.iter().enumerate() {
        let (sf, rf) = (format!("score_{}", i + 1), format!("reason_{}", i + 1));
        let raw = get(&sf);
        let points = raw
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|p| (0..=100).contains(p))
            .ok_or_else(|| {
                Invalid::one(
                    sf.as_str(),
                    "score.points",
                    format!("“{}”的得分应为 0 至 100 的整数", c.name),
                )
            });
        let reason = text::bounded(
            &rf,
            &format!("“{}”的评分理由", c.name),
            &get(&rf),
            1000,
            true,
        );
        if let (Some(p), Some(r)) = (e.take(points), e.take(reason)) {
            out.push((p, r));
        }
    }
    e.into_result()?;
    Ok(out)
}

/// Whether `expert` may score `bid`: on the panel, not recused, after the
/// opening, before the award.
pub fn may_score(
    c: &Call<'_>,
    now: DateTime<Utc>,
    on_panel: bool,
    recused: bool,
) -> Result<(), Refusal> {
    if !on_panel {
        return Err(refuse("review.not_on_panel", "您不是本项目评审小组成员"));
    }
    if recused {
        return Err(refuse(
            "review.recused",
            "您已就该投标人申报利益冲突并回避,不能评分",
        ));
    }
    if effective(c, now) != CallStatus::Evaluating {
        return Err(refuse(
            "review.state",
            format!("项目现为“{}”,不在评审中", effective(c, now).label()),
        ));
    }
    if !c.opened {
        return Err(refuse("review.not_opened", "尚未开标,不能评分"));
    }
    Ok(())
}

/// A bid as the panel's result sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidFacts {
    pub id: i64,
    pub price: Fen,
    pub submitted_at: DateTime<Utc>,
    pub qualified: bool,
}

/// A bid's place in the panel's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ranked {
    pub bid: i64,
    pub price: Fen,
    pub qualified: bool,
    /// Experts of the panel not recused from this bid.
    pub due: usize,
    /// Those of them who scored every criterion.
    pub scored: usize,
    /// Sum over the experts who scored of Σ weight × points (each 0–10,000).
    pub total: i64,
}

impl Ranked {
    /// Complete when every expert due has scored it, and at least one is due.
    pub fn complete(&self) -> bool {
        self.due > 0 && self.scored == self.due
    }

    /// The mean weighted score in hundredths of a point (0–10,000), rounded down.
    pub fn mean(&self) -> Option<i64> {
        (self.scored > 0).then(|| self.total / self.scored as i64)
    }

    /// `87.35` for display.
    pub fn mean_shown(&self) -> String {
        self.mean()
            .map_or_else(|| "—".into(), |m| format!("{}.{:02}", m / 100, m % 100))
    }
}

/// The panel's result: each bid's mean weighted score over the experts who
/// are not recused from it, best first; ties go to the lower price, then the
/// earlier bid.
pub fn results(
    criteria: &[Criterion],
    bids: &[BidFacts],
    panel: &[String],
    recusals: &[(i64, String)],
    marks: &[Mark],
) -> Vec<Ranked> {
    let mut out: Vec<(Ranked, DateTime<Utc>)> = bids
        .iter()
        .map(|b| {
            let due: Vec<&String> = panel
                .iter()
                .filter(|e| !recusals.iter().any(|(bid, x)| *bid == b.id && x == *e))
                .collect();
            let mut scored = 0;
            let mut total = 0;
            for e in &due {
                let mine: Vec<&Mark> = marks
                    .iter()
                    .filter(|m| m.bid == b.id && &m.expert == *e)
                    .collect();
                let all = (0..criteria.len()).all(|i| mine.iter().any(|m| m.criterion == i));
                if all && !criteria.is_empty() {
                    scored += 1;
                    total += criteria
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            c.weight
                                * mine
                                    .iter()
                                    .find(|m| m.criterion == i)
                                    .map_or(0, |m| m.points)
                        })
                        .sum::<i64>();
                }
            }
            (
                Ranked {
                    bid: b.id,
                    price: b.price,
                    qualified: b.qualified,
                    due: due.len(),
                    scored,
                    total,
                },
                b.submitted_at,
            )
        })
        .collect();
    // Compare exact means (total / scored) by cross-multiplying.
    out.sort_by(|(a, at), (b, bt)| {
        let (an, bn) = (a.scored.max(1) as i128, b.scored.max(1) as i128);
        let (am, bm) = (
            if a.scored == 0 {
                -1
            } else {
                a.total as i128 * bn
            },
            if b.scored == 0 {
                -1
            } else {
                b.total as i128 * an
            },
        );
        bm.cmp(&am)
            .then(a.price.cmp(&b.price))
            .then(at.cmp(bt))
            .then(a.bid.cmp(&b.bid))
    });
    out.into_iter().map(|(r, _)| r).collect()
}

/// The bid to award: the best-scored qualified bid, once every qualified
/// bid is completely scored.
pub fn pick_award(ranked: &[Ranked]) -> Result<i64, Refusal> {
    let qualified: Vec<&Ranked> = ranked.iter().filter(|r| r.qualified).collect();
    if qualified.is_empty() {
        return Err(refuse("award.none_qualified", "没有合格的投标,只能流标"));
    }
    if let Some(r) = qualified.iter().find(|r| !r.complete()) {
        return Err(refuse(
            "award.incomplete",
            format!("尚有投标未评分完毕(应评 {} 人,已评 {} 人)", r.due, r.scored),
        ));
    }
    Ok(qualified[0].bid)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        parse_time("t", "t", s).expect("time")
    }

    fn call(stored: CallStatus, bids: i64) -> Call<'static> {
        Call {
            stored,
            enquiries_until: at("2026-12-10 17:00"),
            bids_until: at("2026-12-20 17:00"),
            standstill_days: 5,
            awarded_at: None,
            opened: false,
            bids,
            created_by: "b",
        }
    }

    fn bureau() -> Actor {
        Actor {
            name: "b2".into(),
            role: Role::Bureau,
        }
    }

    #[test]
    fn a_deadline_is_read_in_shanghai_time_and_a_bare_date_means_five_pm() {
        assert_eq!(local(at("2026-12-20")), "2026-12-20 17:00");
        assert_eq!(
            at("2026-12-20T09:30").to_rfc3339(),
            "2026-12-20T01:30:00+00:00"
        );
        assert!(parse_time("t", "截止", "明天").is_err());
    }

    #[test]
    fn the_status_moves_on_by_the_clock_alone() {
        let c = call(CallStatus::Enquiries, 2);
        assert_eq!(effective(&c, at("2026-12-10 16:59")), CallStatus::Enquiries);
        assert_eq!(effective(&c, at("2026-12-10 17:00")), CallStatus::Tendering);
        assert_eq!(
            effective(&c, at("2026-12-20 17:00")),
            CallStatus::Evaluating
        );
        // No bid at the deadline: 流标.
        let none = call(CallStatus::Tendering, 0);
        assert_eq!(effective(&none, at("2027-01-01")), CallStatus::Unsuccessful);
        assert_eq!(
            effective(&call(CallStatus::Draft, 0), at("2027-01-01")),
            CallStatus::Draft
        );
    }

    #[test]
    fn bids_are_sealed_until_the_deadline_and_late_bids_are_refused() {
        let c = call(CallStatus::Enquiries, 1);
        assert_eq!(
            decide(&c, Step::Open, &bureau(), at("2026-12-20 16:59"))
                .expect_err("sealed")
                .code,
            "call.sealed"
        );
        assert_eq!(
            decide(&c, Step::Open, &bureau(), at("2026-12-20 17:00")),
            Ok(CallStatus::Evaluating)
        );
        assert!(may_bid(&c, at("2026-12-20 16:59")).is_ok());
        assert_eq!(
            may_bid(&c, at("2026-12-20 17:00")).expect_err("late").code,
            "bid.late"
        );
        assert_eq!(
            may_bid(&call(CallStatus::Draft, 0), at("2026-12-01"))
                .expect_err("draft")
                .code,
            "bid.state"
        );
    }

    #[test]
    fn only_purchasers_take_steps_and_signing_waits_for_the_standstill() {
        let org = Actor {
            name: "o".into(),
            role: Role::Organisation,
        };
        let c = call(CallStatus::Draft, 0);
        assert_eq!(
            decide(&c, Step::Publish, &org, at("2026-12-01"))
                .expect_err("role")
                .code,
            "call.role"
        );
        assert_eq!(
            decide(&c, Step::Publish, &bureau(), at("2026-12-01")),
            Ok(CallStatus::Enquiries)
        );
        assert_eq!(
            decide(&c, Step::Publish, &bureau(), at("2026-12-11"))
                .expect_err("past")
                .code,
            "call.dates_past"
        );
        let mut s = call(CallStatus::Standstill, 1);
        s.awarded_at = Some(at("2026-12-22 10:00"));
        s.opened = true;
        assert_eq!(
            decide(&s, Step::Sign, &bureau(), at("2026-12-27 09:59"))
                .expect_err("standstill")
                .code,
            "call.standstill"
        );
        assert_eq!(
            decide(&s, Step::Sign, &bureau(), at("2026-12-27 10:00")),
            Ok(CallStatus::Contracted)
        );
        assert_eq!(
            decide(&s, Step::Award, &bureau(), at("2026-12-27"))
                .expect_err("state")
                .code,
            "call.state"
        );
    }

    #[test]
    fn criteria_must_weigh_one_hundred_in_all() {
        let ok = parse_criteria(&criteria_lines("服务方案 40\n团队：30\n报价 30")).expect("valid");
        assert_eq!(ok.len(), 3);
        assert_eq!(criteria_text(&ok), "服务方案 40\n团队 30\n报价 30");
        let e = parse_criteria(&criteria_lines("服务方案 40\n团队 30")).expect_err("90");
        assert_eq!(e.0[0].code, "criteria.sum");
        assert!(parse_criteria(&criteria_lines("方案 0\n团队 100")).is_err());
        assert!(parse_criteria(&[]).is_err());
    }

    #[test]
    fn a_sealed_bid_reads_back_as_written() {
        let b = BidContent::validate(
            |k| match k {
                "price" => "98,000.50".into(),
                "proposal" => "每周探访\n两次".into(),
                "team" => "社工 3 名".into(),
                _ => String::new(),
            },
            Fen::yuan(100_000),
        )
        .expect("valid");
        assert_eq!(BidContent::from_plain(&b.to_plain()), Some(b));
        let over = BidContent::validate(
            |k| {
                if k == "price" {
                    "100000.01".into()
                } else {
                    "x".into()
                }
            },
            Fen::yuan(100_000),
        );
        assert_eq!(over.expect_err("over").0[0].code, "bid.over_budget");
    }

    #[test]
    fn the_result_is_the_mean_weighted_score_of_experts_not_recused() {
        let criteria = parse_criteria(&criteria_lines("方案 60\n团队 40")).expect("valid");
        let t = at("2026-12-01");
        let bids = vec![
            BidFacts {
                id: 1,
                price: Fen(100),
                submitted_at: t,
                qualified: true,
            },
            BidFacts {
                id: 2,
                price: Fen(90),
                submitted_at: t,
                qualified: true,
            },
            BidFacts {
                id: 3,
                price: Fen(50),
                submitted_at: t,
                qualified: false,
            },
        ];
        let panel: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        // c is recused from bid 1: its marks there do not count.
        let recusals = vec![(1, "c".to_string())];
        let mut marks = Vec::new();
        let mut mark = |bid, e: &str, p0, p1| {
            marks.push(Mark {
                bid,
                expert: e.into(),
                criterion: 0,
                points: p0,
            });
            marks.push(Mark {
                bid,
                expert: e.into(),
                criterion: 1,
                points: p1,
            });
        };
        mark(1, "a", 90, 80); // 86.00
        mark(1, "b", 80, 70); // 76.00
        mark(2, "a", 80, 80);
        mark(2, "b", 80, 80);
        mark(2, "c", 81, 80); // mean 80.20
        mark(3, "a", 100, 100);
        mark(3, "b", 100, 100);
        mark(3, "c", 100, 100);
        let r = results(&criteria, &bids, &panel, &recusals, &marks);
        assert_eq!(r.iter().map(|x| x.bid).collect::<Vec<_>>(), vec![3, 1, 2]);
        assert_eq!(r[1].mean_shown(), "81.00");
        assert_eq!(r[1].due, 2);
        assert_eq!(r[2].mean_shown(), "80.20");
        // Bid 3 scores best but is disqualified: the award goes to bid 1.
        assert_eq!(pick_award(&r), Ok(1));
        // An incomplete qualified bid holds the award back.
        let part = results(&criteria, &bids, &panel, &recusals, &marks[..4]);
        assert_eq!(
            pick_award(&part).expect_err("incomplete").code,
            "award.incomplete"
        );
    }
}
