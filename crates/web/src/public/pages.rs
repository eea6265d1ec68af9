//! Public pages: the directory with facets and highlighted search, an
//! organisation's public profile, and the data dictionary with the licence.

use super::views::{highlight, yuan, Highlighted, PublicOrg, PublicProfileView, COLUMNS};
use crate::error::{render, PageError};
use crate::pages::orgs::{active_links, facet_groups, DirectoryParams, FacetGroup, FacetLink};
use crate::pages::{query_string, Opt};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use gongyi_app::AppError;
use gongyi_store::orgs::OrgSort;

pub const BASE: &str = "/public/orgs";

pub struct PublicItem {
    pub org: PublicOrg,
    pub name: Highlighted,
}

#[derive(Template)]
#[template(path = "public/list.html")]
struct ListPage {
    q: String,
    sort: String,
    total: i64,
    page: i64,
    pages: i64,
    items: Vec<PublicItem>,
    groups: Vec<FacetGroup>,
    active_filters: Vec<FacetLink>,
    prev: String,
    next: String,
    sorts: Vec<Opt>,
    hidden: Vec<(String, String)>,
    downloads: Vec<(String, String)>,
}

/// With a name query and no chosen order, the best matches come first.
pub fn public_filter(p: &DirectoryParams) -> gongyi_store::orgs::OrgFilter {
    let mut f = p.filter();
    if p.sort.as_deref().unwrap_or("").is_empty() && f.q.is_some() {
        f.sort = OrgSort::Relevance;
    }
    f
}

pub async fn directory(
    State(s): State<AppState>,
    Query(p): Query<DirectoryParams>,
) -> Result<Response, PageError> {
    let r = &s.registry;
    let (page, per_page) = gongyi_store::bound_page(p.page, p.per_page, 20);
    let f = public_filter(&p);
    let (list, facets) = r.public_directory_faceted(&f, page, per_page).await?;
    let subs = r.db.subdistricts().await.map_err(AppError::from)?;
    let fields = r.db.service_fields().await.map_err(AppError::from)?;
    let groups = facet_groups(BASE, &facets, &p, &subs, &fields);
    let active_filters = active_links(&groups);
    let q = f.q.clone().unwrap_or_default();
    let pages = list.pages();
    let filter_query = query_string(&p.pairs());
    let view = ListPage {
        sort: f.sort.code().into(),
        total: list.total,
        page,
        pages,
        items: list
            .items
            .iter()
            .map(|o| PublicItem {
                org: PublicOrg::from(o),
                name: highlight(&o.name, &q),
            })
            .collect(),
        groups,
        active_filters,
        prev: if page > 1 {
            p.page_link(BASE, page - 1)
        } else {
            String::new()
        },
        next: if page < pages {
            p.page_link(BASE, page + 1)
        } else {
            String::new()
        },
        sorts: vec![
            Opt {
                value: "relevance".into(),
                label: "相关度".into(),
            },
            Opt {
                value: "name".into(),
                label: "按名称".into(),
            },
            Opt {
                value: "registered_desc".into(),
                label: "登记日期(新→旧)".into(),
            },
            Opt {
                value: "credit_code".into(),
                label: "按信用代码".into(),
            },
        ],
        hidden: p
            .pairs()
            .into_iter()
            .filter(|(k, v)| !v.is_empty() && *k != "q" && *k != "sort")
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        downloads: ["csv", "xlsx", "jsonl"]
            .iter()
            .map(|ext| {
                (
                    ext.to_uppercase(),
                    format!("/public/orgs.{ext}?{filter_query}"),
                )
            })
            .collect(),
        q,
    };
    Ok(render(StatusCode::OK, &view))
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
    let p = PublicProfileView::from(&profile);
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

pub async fn data() -> Response {
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
    render(StatusCode::OK, &DataPage { columns })
}
