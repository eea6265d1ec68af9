//! An organisation's dated history: annual inspections, rating evaluations,
//! honours, credit-list entries, party building, annual figures.
//!
//! Each record type has an `…Input` (text as typed) and a validated form; the
//! checks that need the organisation (e.g. no inspection before registration)
//! take its registration date.

use crate::error::Invalid;
use crate::money::Fen;
use crate::policy::facts::{CompetitionLevel, Lease, StartupApplication};
use crate::policy::YearMonth;
use crate::text::{self, limits};
use crate::vocabulary::vocabulary;
use chrono::{Datelike, NaiveDate};

vocabulary! {
    /// 年检结论; 未参检 (did not take part) is recorded as its own result.
    InspectionResult, "年检结论" {
        Qualified => "QUALIFIED", "合格";
        BasicallyQualified => "BASICALLY_QUALIFIED", "基本合格";
        Unqualified => "UNQUALIFIED", "不合格";
        NotInspected => "NOT_INSPECTED", "未参检";
    }
}

vocabulary! {
    /// 规范化建设评估等级.
    RatingLevel, "评估等级" {
        A1 => "1A", "1A";
        A2 => "2A", "2A";
        A3 => "3A", "3A";
        A4 => "4A", "4A";
        A5 => "5A", "5A";
    }
}

vocabulary! {
    HonourLevel, "荣誉级别" {
        National => "NATIONAL", "国家级";
        Municipal => "MUNICIPAL", "市级";
        District => "DISTRICT", "区级";
        Other => "OTHER", "其他";
    }
}

vocabulary! {
    /// The two credit lists an organisation can be put on.
    CreditList, "名录类型" {
        AbnormalActivity => "ABNORMAL_ACTIVITY", "活动异常名录";
        SeriousDishonesty => "SERIOUS_DISHONESTY", "严重违法失信名单";
        Penalty => "PENALTY", "行政处罚";
    }
}

vocabulary! {
    PartyOrgForm, "党组织形式" {
        Standalone => "STANDALONE", "单独";
        Joint => "JOINT", "联合";
        Functional => "FUNCTIONAL", "功能型";
    }
}

/// A rating stays valid for five years (reference data, 评估等级有效期).
pub const RATING_VALID_YEARS: i32 = 5;

/// The last day a rating obtained on `date` is valid.
pub fn rating_valid_until(date: NaiveDate) -> NaiveDate {
    crate::dates::add_years(date, RATING_VALID_YEARS)
        .pred_opt()
        .unwrap_or(date)
}

fn not_before_registration(
    field: &str,
    d: NaiveDate,
    registered: NaiveDate,
) -> Result<(), Invalid> {
    if d < registered {
        Err(Invalid::one(
            field,
            "date.before_registration",
            format!("日期 {d} 早于该组织的登记日期 {registered}"),
        ))
    } else {
        Ok(())
    }
}

#[derive(Debug, Clone, Default)]
pub struct InspectionInput {
    pub year: String,
    pub result: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    pub year: i32,
    pub result: InspectionResult,
    pub date: Option<NaiveDate>,
}

impl InspectionInput {
    /// No inspection of a year before the organisation was registered, and a
    /// result is recorded after the year it is about.
    pub fn validate(&self, registered: NaiveDate) -> Result<Inspection, Invalid> {
        let mut e = Invalid::default();
        let year = e.take(text::year("year", "年检年度", &self.year));
        let result = e.take(InspectionResult::parse("result", &self.result));
        let date = e.take(text::optional_date("date", "年检结论日期", &self.date));
        let (Some(year), Some(result), Some(date)) = (year, result, date) else {
            return Err(e);
        };
        if year < registered.year() {
            e.push(crate::FieldError::new(
                "year",
                "inspection.before_registration",
                format!("年检年度 {year} 早于该组织的登记年度 {}", registered.year()),
            ));
        }
        if let Some(d) = date {
            if d.year() < year {
                e.push(crate::FieldError::new(
                    "date",
                    "inspection.date_before_year",
                    format!("年检结论日期 {d} 早于年检年度 {year}"),
                ));
            }
        }
        e.into_result().map(|()| Inspection { year, result, date })
    }
}

#[derive(Debug, Clone, Default)]
pub struct RatingInput {
    pub level: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub level: RatingLevel,
    pub date: NaiveDate,
}

impl RatingInput {
    pub fn validate(&self, registered: NaiveDate) -> Result<Rating, Invalid> {
        let mut e = Invalid::default();
        let level = e.take(RatingLevel::parse("level", &self.level));
        let date = e.take(text::date("date", "评估日期", &self.date));
        let (Some(level), Some(date)) = (level, date) else {
            return Err(e);
        };
        not_before_registration("date", date, registered)?;
        Ok(Rating { level, date })
    }
}

#[derive(Debug, Clone, Default)]
pub struct HonourInput {
    pub title: String,
    pub level: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Honour {
    pub title: String,
    pub level: HonourLevel,
    pub date: NaiveDate,
}

impl HonourInput {
    pub fn validate(&self, registered: NaiveDate) -> Result<Honour, Invalid> {
        let mut e = Invalid::default();
        let title = e.take(text::bounded(
            "title",
            "荣誉名称",
            &self.title,
            limits::TITLE,
            true,
        ));
        let level = e.take(HonourLevel::parse("level", &self.level));
        let date = e.take(text::date("date", "获得日期", &self.date));
        let (Some(title), Some(level), Some(date)) = (title, level, date) else {
            return Err(e);
        };
        not_before_registration("date", date, registered)?;
        Ok(Honour { title, level, date })
    }
}

#[derive(Debug, Clone, Default)]
pub struct CreditEntryInput {
    pub list: String,
    pub reason: String,
    pub listed_date: String,
    pub removed_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditEntry {
    pub list: CreditList,
    pub reason: String,
    pub listed_date: NaiveDate,
    pub removed_date: Option<NaiveDate>,
}

impl CreditEntryInput {
    pub fn validate(&self, registered: NaiveDate) -> Result<CreditEntry, Invalid> {
        let mut e = Invalid::default();
        let list = e.take(CreditList::parse("list", &self.list));
        let reason = e.take(text::bounded(
            "reason",
            "列入原因",
            &self.reason,
            limits::REASON,
            true,
        ));
        let listed = e.take(text::date("listed_date", "列入日期", &self.listed_date));
        let removed = e.take(text::optional_date(
            "removed_date",
            "移出日期",
            &self.removed_date,
        ));
        let (Some(list), Some(reason), Some(listed_date), Some(removed_date)) =
            (list, reason, listed, removed)
        else {
            return Err(e);
        };
        not_before_registration("listed_date", listed_date, registered)?;
        text::date_order("removed_date", listed_date, removed_date)?;
        Ok(CreditEntry {
            list,
            reason,
            listed_date,
            removed_date,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct PartyBuildingInput {
    pub date: String,
    pub has_party_org: String,
    pub form: String,
    pub members: String,
    pub in_charter: String,
    pub checked_at_registration: String,
    pub checked_at_inspection: String,
    pub checked_at_rating: String,
}

/// A dated party-building snapshot (二(一)): the "three synchronised" checks
/// at registration, annual inspection and rating evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyBuilding {
    pub date: NaiveDate,
    pub has_party_org: bool,
    pub form: Option<PartyOrgForm>,
    pub members: i64,
    pub in_charter: bool,
    pub checked_at_registration: bool,
    pub checked_at_inspection: bool,
    pub checked_at_rating: bool,
}

impl PartyBuildingInput {
    pub fn validate(&self, registered: NaiveDate) -> Result<PartyBuilding, Invalid> {
        let mut e = Invalid::default();
        let date = e.take(text::date("date", "记录日期", &self.date));
        let has = e.take(text::flag(
            "has_party_org",
            "是否建立党组织",
            &self.has_party_org,
        ));
        let form = e.take(PartyOrgForm::parse_optional("form", &self.form));
        let members = e.take(text::count("members", "党员人数", &self.members));
        let in_charter = e.take(text::flag("in_charter", "党建写入章程", &self.in_charter));
        let r = e.take(text::flag(
            "checked_at_registration",
            "登记时同步",
            &self.checked_at_registration,
        ));
        let i = e.take(text::flag(
            "checked_at_inspection",
            "年检时同步",
            &self.checked_at_inspection,
        ));
        let g = e.take(text::flag(
            "checked_at_rating",
            "评估时同步",
            &self.checked_at_rating,
        ));
        // Each field is `Some` unless its error was taken.
        let record = (|| {
            Some(PartyBuilding {
                date: date?,
                has_party_org: has?,
                form: form?,
                members: members?,
                in_charter: in_charter?,
                checked_at_registration: r?,
                checked_at_inspection: i?,
                checked_at_rating: g?,
            })
        })();
        let Some(record) = record else {
            return Err(e);
        };
        not_before_registration("date", record.date, registered)?;
        if record.has_party_org && record.form.is_none() {
            return Err(Invalid::one(
                "form",
                "party.form_required",
                "已建立党组织的,请选择党组织形式",
            ));
        }
        if !record.has_party_org && record.form.is_some() {
            return Err(Invalid::one(
                "form",
                "party.form_without_org",
                "未建立党组织时不应填写党组织形式",
            ));
        }
        Ok(record)
    }
}

#[derive(Debug, Clone, Default)]
pub struct FinanceInput {
    pub year: String,
    pub total_revenue: String,
    pub government_purchase: String,
    pub donations: String,
    pub business_income: String,
    pub expenditure: String,
    pub net_assets: String,
    pub staff: String,
    pub volunteers: String,
    pub volunteer_hours: String,
}

/// One year's figures (money in fen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finance {
    pub year: i32,
    pub total_revenue: Fen,
    pub government_purchase: Fen,
    pub donations: Fen,
    pub business_income: Fen,
    pub expenditure: Fen,
    pub net_assets: Fen,
    pub staff: i64,
    pub volunteers: i64,
    pub volunteer_hours: i64,
}

impl FinanceInput {
    pub fn validate(&self, registered: NaiveDate) -> Result<Finance, Invalid> {
        let mut e = Invalid::default();
        let money = |e: &mut Invalid, f: &str, v: &str| {
            if v.trim().is_empty() {
                Some(Fen::ZERO)
            } else {
                e.take(Fen::parse_yuan(f, v))
            }
        };
        let year = e.take(text::year("year", "年度", &self.year));
        let total_revenue = money(&mut e, "total_revenue", &self.total_revenue);
        let government_purchase = money(&mut e, "government_purchase", &self.government_purchase);
        let donations = money(&mut e, "donations", &self.donations);
        let business_income = money(&mut e, "business_income", &self.business_income);
        let expenditure = money(&mut e, "expenditure", &self.expenditure);
        let net_assets = money(&mut e, "net_assets", &self.net_assets);
        let staff = e.take(text::count("staff", "专职工作人员数", &self.staff));
        let volunteers = e.take(text::count("volunteers", "志愿者人数", &self.volunteers));
        let volunteer_hours = e.take(text::count(
            "volunteer_hours",
            "志愿服务时长",
            &self.volunteer_hours,
        ));
        // Each field is `Some` unless its error was taken.
        let f = (|| {
            Some(Finance {
                year: year?,
                total_revenue: total_revenue?,
                government_purchase: government_purchase?,
                donations: donations?,
                business_income: business_income?,
                expenditure: expenditure?,
                net_assets: net_assets?,
                staff: staff?,
                volunteers: volunteers?,
                volunteer_hours: volunteer_hours?,
            })
        })();
        let Some(f) = f else {
            return Err(e);
        };
        if f.year < registered.year() {
            e.push(crate::FieldError::new(
                "year",
                "finance.before_registration",
                format!("年度 {} 早于登记年度", f.year),
            ));
        }
        if f.government_purchase + f.donations + f.business_income > f.total_revenue {
            e.push(crate::FieldError::new(
                "total_revenue",
                "finance.parts_exceed_total",
                "政府购买服务、捐赠和业务收入之和超过总收入",
            ));
        }
        e.into_result().map(|()| f)
    }
}

/// R3: one month (`YYYY-MM`) an organisation held a lease for its office,
/// with the rent it paid for it (0 = unpaid). One lease row per month, so
/// two leases of one month overlap and the second is refused.
#[derive(Debug, Clone, Default)]
pub struct LeaseInput {
    pub month: String,
    pub rent_paid: String,
}

impl LeaseInput {
    pub fn validate(&self, registered: NaiveDate) -> Result<Lease, Invalid> {
        let mut e = Invalid::default();
        let month = e.take(YearMonth::parse("month", &self.month));
        let rent_paid = e.take(Fen::parse_yuan("rent_paid", &self.rent_paid));
        let (Some(month), Some(rent_paid)) = (month, rent_paid) else {
            return Err(e);
        };
        if month < YearMonth::of(registered) {
            return Err(Invalid::one(
                "month",
                "date.before_registration",
                format!("租赁月份 {month} 早于该组织的登记日期 {registered}"),
            ));
        }
        Ok(Lease { month, rent_paid })
    }
}

/// R2: an application for the start-up subsidy (开办补贴) made on `date`.
#[derive(Debug, Clone, Default)]
pub struct StartupApplicationInput {
    pub date: String,
    pub requested: String,
}

impl StartupApplicationInput {
    pub fn validate(&self, registered: NaiveDate) -> Result<StartupApplication, Invalid> {
        let mut e = Invalid::default();
        let date = e.take(text::date("date", "申请日期", &self.date));
        let requested = e.take(Fen::parse_yuan("requested", &self.requested));
        let (Some(date), Some(requested)) = (date, requested) else {
            return Err(e);
        };
        not_before_registration("date", date, registered)?;
        if requested == Fen::ZERO {
            return Err(Invalid::one("requested", "money.zero", "申请金额须大于零"));
        }
        Ok(StartupApplication { date, requested })
    }
}

/// The longest project number (公益创投、创业大赛项目编号).
const PROJECT_ID_MAX: usize = 50;

/// R6: a project selected (入选) in the district's venture philanthropy round.
#[derive(Debug, Clone, Default)]
pub struct VentureProjectInput {
    pub project_id: String,
    pub amount: String,
    pub selected_date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VentureProject {
    pub project_id: String,
    pub amount: Fen,
    pub selected_date: NaiveDate,
}

impl VentureProjectInput {
    pub fn validate(&self, registered: NaiveDate) -> Result<VentureProject, Invalid> {
        let mut e = Invalid::default();
        let project_id = e.take(text::bounded(
            "project_id",
            "项目编号",
            &self.project_id,
            PROJECT_ID_MAX,
            true,
        ));
        let amount = e.take(Fen::parse_yuan("amount", &self.amount));
        let date = e.take(text::date("selected_date", "入选日期", &self.selected_date));
        let (Some(project_id), Some(amount), Some(selected_date)) = (project_id, amount, date)
        else {
            return Err(e);
        };
        not_before_registration("selected_date", selected_date, registered)?;
        Ok(VentureProject {
            project_id,
            amount,
            selected_date,
        })
    }
}

/// R7: a prize won in a start-up competition (创业大赛).
#[derive(Debug, Clone, Default)]
pub struct CompetitionWinInput {
    pub project_id: String,
    pub level: String,
    /// 1 = 一等奖; blank for an unranked prize such as 优秀奖.
    pub prize_place: String,
    pub amount: String,
    pub serves_district: String,
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetitionWin {
    pub project_id: String,
    pub level: CompetitionLevel,
    pub prize_place: Option<u32>,
    pub amount: Fen,
    pub serves_district: bool,
    pub date: NaiveDate,
}

impl CompetitionWinInput {
    pub fn validate(&self, registered: NaiveDate) -> Result<CompetitionWin, Invalid> {
        let mut e = Invalid::default();
        let project_id = e.take(text::bounded(
            "project_id",
            "项目编号",
            &self.project_id,
            PROJECT_ID_MAX,
            true,
        ));
        let level = e.take(CompetitionLevel::parse("level", &self.level));
        let place = self.prize_place.trim();
        let prize_place = if place.is_empty() {
            Some(None)
        } else {
            match place.parse::<u32>() {
                Ok(p) if p >= 1 => Some(Some(p)),
                _ => {
                    e.push(crate::FieldError::new(
                        "prize_place",
                        "prize_place.format",
                        format!("获奖名次“{place}”应为正整数(1 为一等奖),优秀奖等不分名次的请留空"),
                    ));
                    None
                }
            }
        };
        let amount = e.take(Fen::parse_yuan("amount", &self.amount));
        let serves = e.take(text::flag(
            "serves_district",
            "服务本区",
            &self.serves_district,
        ));
        let date = e.take(text::date("date", "获奖日期", &self.date));
        // Each field is `Some` unless its error was taken.
        let win = (|| {
            Some(CompetitionWin {
                project_id: project_id?,
                level: level?,
                prize_place: prize_place?,
                amount: amount?,
                serves_district: serves?,
                date: date?,
            })
        })();
        let Some(win) = win else {
            return Err(e);
        };
        not_before_registration("date", win.date, registered)?;
        Ok(win)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 5, 1).expect("date")
    }

    #[test]
    fn an_inspection_for_a_year_before_registration_is_refused() {
        let i = InspectionInput {
            year: "2021".into(),
            result: "合格".into(),
            date: "2022-06-01".into(),
        };
        assert_eq!(
            i.validate(reg()).unwrap_err().0[0].code,
            "inspection.before_registration"
        );
        let ok = InspectionInput {
            year: "2022".into(),
            result: "QUALIFIED".into(),
            date: "2023-05-01".into(),
        };
        assert_eq!(
            ok.validate(reg()).expect("ok").result,
            InspectionResult::Qualified
        );
    }

    #[test]
    fn a_removal_before_listing_is_refused() {
        let c = CreditEntryInput {
            list: "活动异常名录".into(),
            reason: "未按规定参加年检".into(),
            listed_date: "2023-06-01".into(),
            removed_date: "2023-01-01".into(),
        };
        assert_eq!(
            c.validate(reg()).unwrap_err().0[0].code,
            "date.end_before_start"
        );
    }

    #[test]
    fn ratings_are_valid_five_years() {
        let d = NaiveDate::from_ymd_opt(2021, 3, 1).expect("date");
        assert_eq!(
            rating_valid_until(d),
            NaiveDate::from_ymd_opt(2026, 2, 28).expect("date")
        );
    }

    #[test]
    fn finance_parts_cannot_exceed_the_total() {
        let f = FinanceInput {
            year: "2023".into(),
            total_revenue: "100".into(),
            donations: "200".into(),
            ..Default::default()
        };
        assert_eq!(
            f.validate(reg()).unwrap_err().0[0].code,
            "finance.parts_exceed_total"
        );
        let neg = FinanceInput {
            year: "2023".into(),
            total_revenue: "-1".into(),
            ..Default::default()
        };
        assert_eq!(neg.validate(reg()).unwrap_err().0[0].field, "total_revenue");
    }

    #[test]
    fn a_lease_month_before_registration_and_a_bad_month_are_refused() {
        let l = |month: &str, rent: &str| LeaseInput {
            month: month.into(),
            rent_paid: rent.into(),
        };
        assert_eq!(
            l("2022-04", "500").validate(reg()).unwrap_err().0[0].code,
            "date.before_registration"
        );
        let both = l("2022-13", "-1").validate(reg()).unwrap_err();
        let fields: Vec<_> = both.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["month", "rent_paid"]);
        let ok = l("2022-05", "1,500.00").validate(reg()).expect("ok");
        assert_eq!(ok.rent_paid, Fen(150_000));
    }

    #[test]
    fn a_competition_win_names_each_bad_field() {
        let w = CompetitionWinInput {
            project_id: "".into(),
            level: "世界级".into(),
            prize_place: "0".into(),
            amount: "abc".into(),
            serves_district: "也许".into(),
            date: "".into(),
        };
        let fields: Vec<_> = w
            .validate(reg())
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(
            fields,
            [
                "project_id",
                "level",
                "prize_place",
                "amount",
                "serves_district",
                "date"
            ]
        );
        let ok = CompetitionWinInput {
            project_id: "CY-1".into(),
            level: "市级".into(),
            prize_place: "".into(),
            amount: "20000".into(),
            serves_district: "是".into(),
            date: "2023-10-01".into(),
        };
        assert_eq!(ok.validate(reg()).expect("ok").prize_place, None);
    }

    #[test]
    fn a_start_up_application_asks_for_something() {
        let a = StartupApplicationInput {
            date: "2022-06-01".into(),
            requested: "0".into(),
        };
        assert_eq!(a.validate(reg()).unwrap_err().0[0].code, "money.zero");
    }
}
