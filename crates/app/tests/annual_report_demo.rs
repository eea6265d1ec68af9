//! The demo data's yearly cycle on both databases: reports in every state
//! for the last two years, some late, some returned, each conclusion equal
//! to the year's inspection fact, and no 合格 for a year never filed.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::annual_report::ReportFilter;
use gongyi_app::{Clock, Registry};
use gongyi_domain::annual_report::ReportStatus;
use gongyi_domain::history::InspectionResult;
use std::collections::{BTreeMap, BTreeSet};

#[tokio::test]
async fn demo_reports_cover_the_cycle_and_match_the_inspection_facts() {
    for (db, _url) in gongyi_testkit::databases().await {
        let on = format!("{:?}", db.backend());
        let r = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2026, 12, 8).unwrap()),
        );
        r.load_demo(400, Some(10), 2021, &|_, _| {}).await.unwrap();
        let mut states: BTreeMap<i64, BTreeSet<ReportStatus>> = BTreeMap::new();
        let (mut late, mut returned, mut concluded) = (0, 0, 0);
        let mut filed: BTreeSet<(String, i64)> = BTreeSet::new();
        let mut page = 1;
        loop {
            let p = r
                .reports(&ReportFilter::default(), Some(page), Some(200))
                .await
                .unwrap();
            for rep in &p.items {
                states.entry(rep.year).or_default().insert(rep.status);
                late += usize::from(rep.late);
                if rep.status != ReportStatus::Draft {
                    filed.insert((rep.credit_code.clone(), rep.year));
                }
                let events = r.report_page(rep.id).await.unwrap();
                if events.events.iter().any(|e| e.action == "return") {
                    returned += 1;
                }
                if let Some(c) = rep.conclusion {
                    concluded += 1;
                    let page = r.org_page(&rep.credit_code).await.unwrap();
                    let i = page
                        .history
                        .inspections
                        .iter()
                        .find(|i| i.year == rep.year)
                        .unwrap_or_else(|| {
                            panic!(
                                "{on}: {} {} concluded without inspection",
                                rep.credit_code, rep.year
                            )
                        });
                    assert_eq!(i.result, c, "{on}: {} {}", rep.credit_code, rep.year);
                    assert_eq!(events.events.last().unwrap().action, "conclude", "{on}");
                }
            }
            if p.items.len() < 200 {
                break;
            }
            page += 1;
        }
        assert_eq!(
            states.keys().copied().collect::<Vec<_>>(),
            vec![2024, 2025],
            "{on}"
        );
        assert_eq!(
            states[&2025].len(),
            ReportStatus::ALL.len(),
            "{on}: {states:?}"
        );
        assert!(
            states[&2024].contains(&ReportStatus::Concluded),
            "{on}: {states:?}"
        );
        assert!(
            late > 0 && returned > 0 && concluded > 0,
            "{on}: {late} {returned} {concluded}"
        );
        // No 合格 of the two years without a submitted report.
        let mut codes = Vec::new();
        for n in 1..=2 {
            let (list, _) = r
                .directory(&gongyi_app::orgs::OrgFilter::default(), n, 200)
                .await
                .unwrap();
            codes.extend(list.items.into_iter().map(|o| o.credit_code));
        }
        assert_eq!(codes.len(), 400, "{on}");
        for code in codes {
            let page = r.org_page(&code).await.unwrap();
            for i in page.history.inspections.iter().filter(|i| {
                (2024..=2025).contains(&i.year) && i.result == InspectionResult::Qualified
            }) {
                assert!(
                    filed.contains(&(code.clone(), i.year)),
                    "{on}: {code} {} 合格 unfiled",
                    i.year
                );
            }
        }
        // Progress counts them all.
        let lines = r.report_progress(2025).await.unwrap();
        let due: i64 = lines.iter().map(|l| l.due).sum();
        assert!(due > 300, "{on}: {due}");
        assert!(lines.iter().map(|l| l.overdue).sum::<i64>() > 0, "{on}");
    }
}
