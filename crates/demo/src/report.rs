//! Annual reports (年报) of the last two report years, consistent with the
//! organisation's inspection facts: a year concluded 合格/基本合格/不合格 has
//! a concluded report with that conclusion (filed before the inspection
//! date, now and then late or returned once first); a year 未参检 was never
//! filed (no report, or a draft never submitted). In the latest year some
//! reports are still under way (draft, submitted, returned, passed): their
//! year has no inspection yet, which [`annual_reports`] says by
//! `withheld_inspection`, for the loader to leave the generated one out.
//!
//! Draws come from a stream of their own, so adding reports shifts nothing
//! else of the demo data.

use crate::rng::{between, chance, plus_days, record_rng, weighted, ymd, Stream};
use crate::{DemoConfig, DemoOrg};
use chrono::{Datelike, NaiveDate};
use gongyi_domain::annual_report::{Content, ReportStatus, Section};
use gongyi_domain::history::InspectionResult;
use gongyi_domain::Fen;

/// One report as the demo files it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    pub year: i32,
    pub status: ReportStatus,
    pub late: bool,
    pub content: Content,
    pub created_on: NaiveDate,
    pub submitted_on: Option<NaiveDate>,
    /// A return on this day for this section and reason, before the last
    /// submission (or still open, when the status is 退回补正).
    pub returned: Option<(NaiveDate, Section, &'static str)>,
    pub reviewed_on: Option<NaiveDate>,
    pub concluded: Option<(NaiveDate, InspectionResult)>,
}

/// The reports of one organisation, and the year whose generated inspection
/// must be left out because its report is still under way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoReports {
    pub reports: Vec<DemoReport>,
    pub withheld_inspection: Option<i32>,
}

const RETURN_REASONS: [(Section, &str); 4] = [
    (Section::Finance, "请补充审计报告的签章页"),
    (
        Section::People,
        "专职工作人员人数与社保缴纳人数不一致,请核对",
    ),
    (Section::Activities, "请按服务领域分列服务人次"),
    (Section::Party, "请说明党组织组建形式"),
];

/// The reports of `org` for the two report years before `cfg.today`'s.
pub fn annual_reports(cfg: &DemoConfig, org: &DemoOrg) -> DemoReports {
    let mut out = DemoReports::default();
    let mut rng = record_rng(cfg.seed, Stream::Report, org.index as u64);
    let latest = cfg.today.year() - 1;
    for year in [latest - 1, latest] {
        if org.draft.registration_date > ymd(year, 12, 31) {
            continue;
        }
        // Nothing is dated after today, nor on or after the organisation's end.
        let last = org
            .ended_on
            .map_or(cfg.today, |e| plus_days(e, -1).min(cfg.today));
        let opens = ymd(year + 1, 1, 2);
        if last < opens {
            continue;
        }
        let deadline = ymd(year + 1, 5, 31);
        let inspection = org.inspections.iter().find(|i| i.year == year);
        let content = content(&mut rng, org, year);
        let report = |status, created_on| DemoReport {
            year,
            status,
            late: false,
            content: content.clone(),
            created_on,
            submitted_on: None,
            returned: None,
            reviewed_on: None,
            concluded: None,
        };
        // The demo organisation account's own organisation (the first) has
        // its latest report still to file: the README's walk-through files it.
        if org.index == 0 && year == latest {
            if inspection.is_some() {
                out.withheld_inspection = Some(year);
            }
            out.reports.push(report(ReportStatus::Draft, opens));
            continue;
        }
        match inspection.map(|i| (i.result, i.date)) {
            Some((InspectionResult::NotInspected, _)) => {
                // 未报送: nothing, or a draft never submitted.
                if chance(&mut rng, 0.5) {
                    out.reports.push(report(ReportStatus::Draft, opens));
                }
            }
            Some((result, Some(on))) if year < latest || !chance(&mut rng, 0.2) => {
                // Concluded on the inspection's date, filed before it.
                let latest_filing = plus_days(on, -10).max(opens);
                let late = latest_filing > plus_days(deadline, 3) && chance(&mut rng, 0.4);
                let submitted = if late {
                    between_dates(&mut rng, plus_days(deadline, 1), latest_filing)
                } else {
                    between_dates(&mut rng, opens, latest_filing.min(deadline))
                };
                let mut r = report(
                    ReportStatus::Concluded,
                    plus_days(submitted, -20).max(opens),
                );
                r.late = late;
                r.submitted_on = Some(submitted);
                if chance(&mut rng, 0.12) && submitted > plus_days(r.created_on, 6) {
                    let (s, why) = RETURN_REASONS[between(&mut rng, 0, 3) as usize];
                    r.returned = Some((plus_days(r.created_on, 3), s, why));
                }
                r.reviewed_on = Some(between_dates(&mut rng, submitted, plus_days(on, -1)));
                r.concluded = Some((on, result));
                out.reports.push(r);
            }
            Some(_) | None => {
                // Still under way (only the latest year gets here with an
                // inspection, which then is not yet there).
                if inspection.is_some() {
                    out.withheld_inspection = Some(year);
                }
                let status = weighted(
                    &mut rng,
                    &[
                        (None, 10),
                        (Some(ReportStatus::Draft), 15),
                        (Some(ReportStatus::Submitted), 30),
                        (Some(ReportStatus::Returned), 20),
                        (Some(ReportStatus::Reviewed), 25),
                    ],
                );
                let Some(status) = status else { continue };
                let mut r = report(status, opens);
                if status != ReportStatus::Draft {
                    let late = chance(&mut rng, 0.25) && last > plus_days(deadline, 10);
                    let submitted = if late {
                        between_dates(
                            &mut rng,
                            plus_days(deadline, 1),
                            last.min(ymd(year + 1, 9, 30)),
                        )
                    } else {
                        between_dates(&mut rng, plus_days(opens, 10), deadline.min(last))
                    };
                    r.late = late;
                    r.submitted_on = Some(submitted);
                    r.created_on = plus_days(submitted, -10).max(opens);
                    let later =
                        between_dates(&mut rng, submitted, plus_days(submitted, 20).min(last));
                    if status == ReportStatus::Returned {
                        let (s, why) = RETURN_REASONS[between(&mut rng, 0, 3) as usize];
                        r.returned = Some((later, s, why));
                    }
                    if status == ReportStatus::Reviewed {
                        r.reviewed_on = Some(later);
                    }
                }
                out.reports.push(r);
            }
        }
    }
    out
}

fn between_dates(rng: &mut rand::rngs::SmallRng, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    if hi <= lo {
        return lo;
    }
    plus_days(lo, between(rng, 0, (hi - lo).num_days()))
}

/// A complete, consistent report: the year's finances where the demo has
/// them (income sources adding up to the total), party building as last
/// recorded, the rest drawn to scale.
fn content(rng: &mut rand::rngs::SmallRng, org: &DemoOrg, year: i32) -> Content {
    let f = org.finances.iter().find(|f| f.year == year);
    let total = f.map_or_else(
        || between(rng, 5_000_000, 80_000_000),
        |f| f.total_revenue.get(),
    );
    let government = f
        .map_or(total * 6 / 10, |f| f.government_purchase.get())
        .min(total);
    let donations = f
        .map_or(total / 10, |f| f.donations.get())
        .min(total - government);
    let business = f
        .map_or(0, |f| f.business_income.get())
        .min(total - government - donations);
    let subsidies = (total - government - donations - business) / 2;
    let other = total - government - donations - business - subsidies;
    let staff = f.map_or_else(|| between(rng, 2, 30), |f| f.staff);
    let party = org.party_building.iter().max_by_key(|p| p.date);
    let party_form = party.filter(|p| p.has_party_org).and_then(|p| p.form);
    let legal = org
        .draft
        .legal_representative
        .clone()
        .unwrap_or_else(|| "王敏".into());
    Content {
        address: Some(
            org.draft
                .address
                .clone()
                .unwrap_or_else(|| "上海市杨浦区".into()),
        ),
        legal_representative: Some(legal.clone()),
        contact_name: Some(legal),
        income_government: Some(Fen(government)),
        income_donations: Some(Fen(donations)),
        income_business: Some(Fen(business)),
        income_subsidies: Some(Fen(subsidies)),
        income_other: Some(Fen(other)),
        total_income: Some(Fen(total)),
        expenses: Some(Fen(f.map_or(total * 9 / 10, |f| f.expenditure.get()))),
        net_assets: Some(Fen(f.map_or(total / 3, |f| f.net_assets.get()))),
        staff: Some(staff),
        social_workers: Some(between(rng, 0, staff)),
        volunteers: Some(f.map_or_else(|| between(rng, 0, 200), |f| f.volunteers)),
        volunteer_hours: Some(f.map_or_else(|| between(rng, 0, 8_000), |f| f.volunteer_hours)),
        services: Some(between(rng, 12, 600)),
        beneficiaries: Some(between(rng, 100, 20_000)),
        activity_summary: Some(format!("{year} 年度开展社区服务、志愿活动和专题项目")),
        projects: Some(if chance(rng, 0.4) {
            "承接街道政府购买服务项目".into()
        } else {
            "无".into()
        }),
        party_form,
        party_members: Some(party.map_or(0, |p| p.members)),
        party_plan: party.is_some_and(|p| p.has_party_org),
        party_in_charter: party.is_some_and(|p| p.in_charter),
        large_expenses: Some("无".into()),
        large_donations: Some("无".into()),
        foreign_activities: Some("无".into()),
        registered_changes: Some("无".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::organizations;

    #[test]
    fn demo_reports_are_complete_cover_every_state_and_match_the_inspections() {
        let cfg = DemoConfig::new(900, 2021, ymd(2026, 12, 8));
        let mut states = std::collections::BTreeSet::new();
        let (mut late, mut returned, mut withheld) = (0, 0, 0);
        for org in organizations(&cfg) {
            let r = annual_reports(&cfg, &org);
            withheld += usize::from(r.withheld_inspection.is_some());
            for rep in &r.reports {
                states.insert((rep.year, rep.status.code()));
                late += usize::from(rep.late);
                returned += usize::from(rep.returned.is_some());
                if rep.status != ReportStatus::Draft {
                    rep.content
                        .check_complete()
                        .unwrap_or_else(|e| panic!("{}: {e:?}", org.draft.credit_code));
                    assert!(rep.submitted_on.is_some());
                }
                let inspection = org.inspections.iter().find(|i| i.year == rep.year);
                match rep.concluded {
                    Some((on, result)) => {
                        let i = inspection.expect("a concluded report has its inspection");
                        assert_eq!((i.result, i.date), (result, Some(on)));
                        assert!(rep.submitted_on.is_some_and(|s| s < on));
                        assert_eq!(
                            rep.late,
                            rep.submitted_on
                                .is_some_and(|s| s > ymd(rep.year + 1, 5, 31))
                        );
                    }
                    None => {
                        // Not concluded: no inspection stays but 未参检.
                        if r.withheld_inspection != Some(rep.year) {
                            assert!(
                                inspection
                                    .is_none_or(|i| i.result == InspectionResult::NotInspected),
                                "{} {}",
                                org.draft.credit_code,
                                rep.year
                            );
                        }
                    }
                }
            }
            // Every 合格 of the two years has a submitted report.
            for i in org
                .inspections
                .iter()
                .filter(|i| i.year >= 2024 && i.result == InspectionResult::Qualified)
            {
                if r.withheld_inspection == Some(i.year) {
                    continue;
                }
                assert!(
                    r.reports
                        .iter()
                        .any(|x| x.year == i.year && x.status == ReportStatus::Concluded),
                    "{} {}",
                    org.draft.credit_code,
                    i.year
                );
            }
        }
        for year in [2024, 2025] {
            for s in ["DRAFT", "CONCLUDED"] {
                assert!(states.contains(&(year, s)), "{year} {s}: {states:?}");
            }
        }
        for s in ["SUBMITTED", "RETURNED", "REVIEWED"] {
            assert!(states.contains(&(2025, s)), "{s}: {states:?}");
        }
        assert!(
            late > 10 && returned > 10 && withheld > 10,
            "{late} {returned} {withheld}"
        );
    }
}
