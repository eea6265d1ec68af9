//! Public pages: the directory with facets and highlighted search, an
//! organisation's public profile, and the data dictionary with the licence.

use super::views::{highlight, yuan, Highlighted, PublicOrg, PublicProfileView, COLUMNS};
use crate::directory::{Directory, DirectoryParams};
use crate::error::{render, PageError};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;

pub const BASE: &str = "/public/orgs";

pub struct PublicItem {
    pub org: PublicOrg,
    pub name: Highlighted,
}

#[derive(Template)]
#[template(path = "public/list.html")]
struct ListPage {
    d: Directory,
    items: Vec<PublicItem>,
    downloads: Vec<(String, String)>,
}

/// The orders the public directory offers.
const SORTS: &[(&str, &str)] = &[
    ("relevance", "相关度"),
    ("name", "按名称"),
    ("registered_desc", "登记日期(新→旧)"),
    ("credit_code", "按信用代码"),
];

pub async fn directory(
    State(s): State<AppState>,
    Query(p): Query<DirectoryParams>,
) -> Result<Response, PageError> {
    let r = &s.registry;
    let (page, per_page) = p.bounds();
    let f = p.relevance_filter();
    let (list, facets) = r.public_directory_faceted(&f, page, per_page).await?;
    let d = Directory::new(r, BASE, &p, &f, &list, &facets, SORTS).await?;
    let items = list
        .items
        .iter()
        .map(|o| PublicItem {
            org: PublicOrg::from(o),
            name: highlight(&o.name, &d.q),
        })
        .collect();
    let query = p.query();
    let downloads = ["csv", "xlsx", "jsonl"]
        .iter()
        .map(|ext| (ext.to_uppercase(), format!("/public/orgs.{ext}?{query}")))
        .collect();
    Ok(render(
        StatusCode::OK,
        &ListPage {
            d,
            items,
            downloads,
        },
    ))
}

#[derive(Template)]
#[template(path = "public/show.html")]
struct ProfilePage {
    p: PublicProfileView,
    finances: Vec<Vec<String>>,
}

pub async fn profile(
    State(s): State<AppState>,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    let profile = s.registry.public_profile(&code).await?;
    let mut p = PublicProfileView::from(&profile);
    p.annual_reports = s
        .registry
        .public_reports(profile.org.id)
        .await?
        .iter()
        .map(crate::public::views::PublicAnnualReport::from)
        .collect();
    let finances = p
        .finances
        .iter()
        .map(|f| {
            vec![
                f.year.to_string(),
                yuan(f.total_revenue_fen),
                yuan(f.government_purchase_fen),
                yuan(f.donations_fen),
                yuan(f.expenditure_fen),
                yuan(f.net_assets_fen),
                f.volunteers.to_string(),
            ]
        })
        .collect();
    Ok(render(StatusCode::OK, &ProfilePage { p, finances }))
}

#[derive(Template)]
#[template(path = "public/data.html")]
struct DataPage {
    columns: Vec<(&'static str, &'static str, &'static str)>,
    /// Report years whose 年报公示 can be downloaded, newest first.
    report_years: Vec<i32>,
    report_columns: [&'static str; 14],
}

/// What each download column means.
const MEANINGS: &[(&str, &str)] = &[
    (
        "org_id",
        "开放数据组织标识,形如 CN-USCI-统一社会信用代码(org-id.guide 的 CN-USCI 列表)",
    ),
    ("credit_code", "统一社会信用代码(GB 32100-2015),18 位"),
    ("name", "登记名称"),
    ("kind", "社会团体、民办非企业单位(社会服务机构)或基金会"),
    ("subdistrict", "所属街道"),
    ("registration_date", "成立登记日期,YYYY-MM-DD"),
    (
        "status",
        "正常、列入活动异常名录、列入严重违法失信名单、撤销登记、注销",
    ),
    (
        "rating",
        "最近一次规范化建设评估等级(1A–5A),有效期五年;空表示未评估",
    ),
    ("rating_date", "评定日期;空表示未评估"),
    ("service_fields", "服务领域(民政统计分类),以“、”分隔"),
    ("legal_representative", "法定代表人姓名"),
];

pub async fn data(State(s): State<AppState>) -> Response {
    use chrono::Datelike;
    let last = s.registry.clock.today().year() - 1;
    let columns = COLUMNS
        .iter()
        .map(|(k, label)| {
            (
                *k,
                *label,
                MEANINGS
                    .iter()
                    .find(|(m, _)| m == k)
                    .map(|(_, t)| *t)
                    .unwrap_or(""),
            )
        })
        .collect();
    render(
        StatusCode::OK,
        &DataPage {
            columns,
            report_years: (last - 2..=last).rev().collect(),
            report_columns: super::views::REPORT_COLUMNS,
        },
    )
}
