//! An organisation's whole life as one dated list, newest first, for its page.

use crate::orgs::OrgPage;
use chrono::NaiveDate;
use gongyi_domain::history::PartyOrgForm;
use gongyi_domain::Fen;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub date: NaiveDate,
    /// A stable kind for styling: registration, registration-change,
    /// inspection, rating, honour, credit, party, finance, deregistration.
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
}

/// Merges every dated record of the page into one list, newest first.
pub fn timeline(p: &OrgPage) -> Vec<TimelineEntry> {
    let mut v = vec![TimelineEntry {
        date: p.org.registration_date,
        kind: "registration",
        title: "成立登记".into(),
        detail: format!("注册资金 {} 元", Fen(p.org.registered_capital_fen)),
    }];
    for c in &p.history.registration_changes {
        // Dated in Shanghai (UTC+8, no daylight saving).
        let date = (c.changed_at + chrono::Duration::hours(8)).date_naive();
        v.push(TimelineEntry {
            date,
            kind: "registration-change",
            title: format!("变更登记:{}", c.field.label()),
            detail: format!(
                "{} → {}(经办:{})",
                c.old_value.as_deref().unwrap_or("—"),
                c.new_value.as_deref().unwrap_or("—"),
                c.changed_by
            ),
        });
    }
    for i in &p.history.inspections {
        let result = i.result.label().to_string();
        let date = i
            .date
            .or_else(|| NaiveDate::from_ymd_opt(i.year as i32 + 1, 1, 1))
            .unwrap_or(p.org.registration_date);
        v.push(TimelineEntry {
            date,
            kind: "inspection",
            title: format!("{} 年度年检", i.year),
            detail: result,
        });
    }
    for r in &p.history.ratings {
        let until = gongyi_domain::history::rating_valid_until(r.date);
        v.push(TimelineEntry {
            date: r.date,
            kind: "rating",
            title: format!("评估等级 {}", r.level.label()),
            detail: format!("有效期至 {until}"),
        });
    }
    for h in &p.history.honours {
        v.push(TimelineEntry {
            date: h.date,
            kind: "honour",
            title: h.title.clone(),
            detail: h.level.label().to_string(),
        });
    }
    for c in &p.history.credit_entries {
        let list = c.list.label();
        v.push(TimelineEntry {
            date: c.listed_date,
            kind: "credit",
            title: format!("列入{list}"),
            detail: c.reason.clone(),
        });
        if let Some(d) = c.removed_date {
            v.push(TimelineEntry {
                date: d,
                kind: "credit",
                title: format!("移出{list}"),
                detail: String::new(),
            });
        }
    }
    for pb in &p.history.party_building {
        let title = if pb.has_party_org {
            let form = pb.form.map(PartyOrgForm::label).unwrap_or_default();
            format!("党组织:{form}组建,党员 {} 名", pb.members)
        } else {
            "尚未建立党组织".to_string()
        };
        let checks = [
            (pb.in_charter, "党建写入章程"),
            (pb.checked_at_registration, "登记同步"),
            (pb.checked_at_inspection, "年检同步"),
            (pb.checked_at_rating, "评估同步"),
        ];
        let detail: Vec<&str> = checks.iter().filter(|(b, _)| *b).map(|(_, s)| *s).collect();
        v.push(TimelineEntry {
            date: pb.date,
            kind: "party",
            title,
            detail: detail.join("、"),
        });
    }
    for f in &p.history.finances {
        let date =
            NaiveDate::from_ymd_opt(f.year as i32, 12, 31).unwrap_or(p.org.registration_date);
        v.push(TimelineEntry {
            date,
            kind: "finance",
            title: format!("{} 年度财务", f.year),
            detail: format!(
                "总收入 {} 元(政府购买服务 {} 元),支出 {} 元,志愿者 {} 人",
                Fen(f.total_revenue_fen),
                Fen(f.government_purchase_fen),
                Fen(f.expenditure_fen),
                f.volunteers
            ),
        });
    }
    if let Some(d) = p.org.deregistration_date {
        v.push(TimelineEntry {
            date: d,
            kind: "deregistration",
            title: "注销登记".into(),
            detail: String::new(),
        });
    }
    v.sort_by_key(|e| std::cmp::Reverse(e.date));
    v
}
