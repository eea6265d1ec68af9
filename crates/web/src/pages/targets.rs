//! `/targets`: the plan's targets (一(二)) — registered organisations and
//! certified social workers in them against 2025's figures — year by year
//! as charts with their data tables, and per sub-district; each table as CSV.

use crate::auth::Ctx;
use crate::charts::BarChart;
use crate::error::{render, PageError};
use askama::Template;
use axum::extract::Query;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use gongyi_app::targets::TargetsPicture;
use gongyi_domain::targets::Target;
use serde::Deserialize;

/// One target as its card shows it.
pub struct TargetCard {
    pub label: &'static str,
    pub count: i64,
    pub unit: &'static str,
    pub goal: String,
    pub percent: i64,
    pub met: bool,
    pub missing: i64,
    pub chart: String,
}

#[derive(Template)]
#[template(path = "targets/show.html")]
struct TargetsPage {
    year: i32,
    cards: Vec<TargetCard>,
    /// (year, organisations, social workers).
    years: Vec<(i32, i64, i64)>,
    /// (sub-district, organisations, social workers).
    subdistricts: Vec<(String, i64, i64)>,
}

fn chart(
    p: &TargetsPicture,
    t: &Target,
    value: impl Fn(&gongyi_app::targets::TargetYear) -> i64,
) -> BarChart {
    let first = p.years.first().map_or(0, |y| y.year);
    let last = p.years.last().map_or(0, |y| y.year);
    BarChart {
        title: format!("{}(各年年末)", t.label),
        description: format!(
            "{first} 年至 {last} 年各年年末的{},目标为 {} 年底 {} {}以上",
            t.label, t.year, t.more_than, t.unit
        ),
        bars: p
            .years
            .iter()
            .map(|y| (format!("{} 年", y.year), value(y)))
            .collect(),
        target: Some((t.more_than, format!("目标 {} {}", t.more_than, t.unit))),
        unit: t.unit,
    }
}

fn card(t: &Target, count: i64, chart: &BarChart, id: &str) -> TargetCard {
    TargetCard {
        label: t.label,
        count,
        unit: t.unit,
        goal: format!("{} 年底达到 {} {}以上", t.year, t.more_than, t.unit),
        percent: t.percent(count),
        met: t.met(count),
        missing: t.missing(count),
        chart: chart.svg(id),
    }
}

pub async fn show(Ctx(s): Ctx) -> Result<Response, PageError> {
    let p = s.registry.targets().await?;
    let latest = p.latest();
    let orgs = chart(&p, &p.organisations, |y| y.organisations);
    let workers = chart(&p, &p.social_workers, |y| y.social_workers);
    let page = TargetsPage {
        year: latest.map_or(0, |y| y.year),
        cards: vec![
            card(
                &p.organisations,
                latest.map_or(0, |y| y.organisations),
                &orgs,
                "orgs",
            ),
            card(
                &p.social_workers,
                latest.map_or(0, |y| y.social_workers),
                &workers,
                "workers",
            ),
        ],
        years: p
            .years
            .iter()
            .map(|y| (y.year, y.organisations, y.social_workers))
            .collect(),
        subdistricts: p
            .subdistricts
            .iter()
            .map(|d| (d.name.clone(), d.organisations, d.social_workers))
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

#[derive(Debug, Default, Deserialize)]
pub struct CsvParams {
    /// `years` (default) or `subdistricts`.
    pub table: Option<String>,
}

/// The tables behind the page as CSV (UTF-8 with BOM, for Excel).
pub async fn csv(Ctx(s): Ctx, Query(q): Query<CsvParams>) -> Result<Response, PageError> {
    let p = s.registry.targets().await?;
    let by_subdistrict = q.table.as_deref() == Some("subdistricts");
    let mut out = vec![0xEF, 0xBB, 0xBF];
    {
        let mut w = csv::Writer::from_writer(&mut out);
        if by_subdistrict {
            let year = p.latest().map_or(0, |y| y.year);
            let _ = w.write_record([
                "街道".to_string(),
                format!("{year} 年末登记社会组织(家)"),
                format!("{year} 年末持证社工(人)"),
            ]);
            for d in &p.subdistricts {
                let _ = w.write_record([
                    d.name.clone(),
                    d.organisations.to_string(),
                    d.social_workers.to_string(),
                ]);
            }
        } else {
            let _ = w.write_record(["年度", "年末登记社会组织(家)", "年末持证社工(人)"]);
            for y in &p.years {
                let _ = w.write_record([
                    y.year.to_string(),
                    y.organisations.to_string(),
                    y.social_workers.to_string(),
                ]);
            }
        }
        let _ = w.flush();
    }
    let name = if by_subdistrict {
        "targets-subdistricts.csv"
    } else {
        "targets-years.csv"
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        out,
    )
        .into_response())
}
