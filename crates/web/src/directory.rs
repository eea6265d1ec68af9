//! The organisation directory as every audience sees it: the query
//! parameters (shared by the staff pages, the public site and both APIs),
//! the facet links, and what surrounds the list on a page (search, order,
//! chosen filters, pager). Each page maps the rows itself: staff and public
//! show different fields.

use crate::form::nonblank;
use crate::pages::{query_string, Opt};
use gongyi_app::orgs::{Facets, OrgFilter, OrgRow, OrgSort};
use gongyi_app::reference::RefRow;
use gongyi_app::{Page, Registry, Result};
use gongyi_domain::orgs::{OrgKind, OrgStatus};
use serde::Deserialize;

/// Organisations on a page of the directory unless the caller asks otherwise.
const PER_PAGE: i64 = 20;

/// Directory query parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryParams {
    /// Name fragment (one or more Chinese characters), pinyin or initials, or a credit code.
    pub q: Option<String>,
    /// Sub-district code.
    pub subdistrict: Option<String>,
    /// SOCIAL_GROUP · PRIVATE_NON_ENTERPRISE · FOUNDATION
    pub kind: Option<String>,
    pub status: Option<String>,
    /// 1A…5A, or NONE.
    pub rating: Option<String>,
    /// Service field code.
    pub field: Option<String>,
    pub year: Option<String>,
    /// name · registered_desc · registered_asc · credit_code
    pub sort: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl DirectoryParams {
    pub fn filter(&self) -> OrgFilter {
        OrgFilter {
            q: nonblank(&self.q),
            subdistrict: nonblank(&self.subdistrict),
            kind: nonblank(&self.kind),
            status: nonblank(&self.status),
            rating: nonblank(&self.rating),
            service_field: nonblank(&self.field),
            registration_year: nonblank(&self.year).and_then(|y| y.parse().ok()),
            sort: OrgSort::parse(self.sort.as_deref().unwrap_or("")),
        }
    }

    /// With a name query and no chosen order, the best matches come first
    /// (the public site and the open-data API).
    pub fn relevance_filter(&self) -> OrgFilter {
        let mut f = self.filter();
        if self.sort.as_deref().unwrap_or("").is_empty() && f.q.is_some() {
            f.sort = OrgSort::Relevance;
        }
        f
    }

    /// The page and page size asked for, within the listing bounds.
    pub fn bounds(&self) -> (i64, i64) {
        gongyi_app::bound_page(self.page, self.per_page, PER_PAGE)
    }

    /// The same for the APIs, which refuse values out of bounds instead.
    pub fn checked_bounds(&self) -> Result<(i64, i64)> {
        crate::api::paging(self.page, self.per_page, PER_PAGE)
    }

    pub(crate) fn pairs(&self) -> Vec<(&'static str, String)> {
        let g = |s: &Option<String>| s.clone().unwrap_or_default();
        vec![
            ("q", g(&self.q)),
            ("subdistrict", g(&self.subdistrict)),
            ("kind", g(&self.kind)),
            ("status", g(&self.status)),
            ("rating", g(&self.rating)),
            ("field", g(&self.field)),
            ("year", g(&self.year)),
            ("sort", g(&self.sort)),
        ]
    }

    /// The filters as a query string (downloads of exactly this listing).
    pub(crate) fn query(&self) -> String {
        query_string(&self.pairs())
    }

    /// The link that sets `key` to `value` (or clears it when already set) and goes to page 1.
    fn link(&self, base: &str, key: &str, value: &str) -> String {
        let mut p = self.pairs();
        for (k, v) in p.iter_mut() {
            if *k == key {
                *v = if v == value {
                    String::new()
                } else {
                    value.to_string()
                };
            }
        }
        format!("{base}?{}", query_string(&p))
    }

    fn page_link(&self, base: &str, page: i64) -> String {
        let mut p = self.pairs();
        p.push(("page", page.to_string()));
        format!("{base}?{}", query_string(&p))
    }
}

pub struct FacetLink {
    pub label: String,
    pub count: i64,
    pub href: String,
    pub active: bool,
}

pub struct FacetGroup {
    pub title: &'static str,
    pub links: Vec<FacetLink>,
}

/// Everything a directory page shows around its list of organisations.
pub struct Directory {
    /// The page's own address, which every link returns to.
    pub base: &'static str,
    pub q: String,
    pub sort: String,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub groups: Vec<FacetGroup>,
    /// The chosen filters, each a link that removes it.
    pub active_filters: Vec<FacetLink>,
    pub prev: String,
    pub next: String,
    pub sorts: Vec<Opt>,
    /// The chosen filters as hidden inputs of the search form.
    pub hidden: Vec<(String, String)>,
}

impl Directory {
    /// Builds the chrome of a listing `list` with `facets`, read with filter
    /// `f` from parameters `p`; `sorts` are the orders the page offers.
    pub async fn new(
        r: &Registry,
        base: &'static str,
        p: &DirectoryParams,
        f: &OrgFilter,
        list: &Page<OrgRow>,
        facets: &Facets,
        sorts: &[(&str, &str)],
    ) -> Result<Directory> {
        let subs = r.subdistricts().await?;
        let fields = r.service_fields().await?;
        let groups = facet_groups(base, facets, p, &subs, &fields);
        let active_filters = groups
            .iter()
            .flat_map(|g| g.links.iter().filter(|l| l.active))
            .map(|l| FacetLink {
                label: l.label.clone(),
                count: l.count,
                href: l.href.clone(),
                active: true,
            })
            .collect();
        let (page, pages) = (list.page, list.pages());
        Ok(Directory {
            base,
            q: f.q.clone().unwrap_or_default(),
            sort: f.sort.code().into(),
            total: list.total,
            page,
            pages,
            groups,
            active_filters,
            prev: if page > 1 {
                p.page_link(base, page - 1)
            } else {
                String::new()
            },
            next: if page < pages {
                p.page_link(base, page + 1)
            } else {
                String::new()
            },
            sorts: sorts
                .iter()
                .map(|(value, label)| Opt {
                    value: (*value).into(),
                    label: (*label).into(),
                })
                .collect(),
            hidden: p
                .pairs()
                .into_iter()
                .filter(|(k, v)| !v.is_empty() && *k != "q" && *k != "sort")
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        })
    }
}

fn facet_group(
    base: &str,
    title: &'static str,
    key: &str,
    counts: &[(String, i64)],
    p: &DirectoryParams,
    current: &Option<String>,
    label: &dyn Fn(&str) -> String,
) -> FacetGroup {
    let links = counts
        .iter()
        .map(|(v, n)| FacetLink {
            label: label(v),
            count: *n,
            href: p.link(base, key, v),
            active: current.as_deref() == Some(v.as_str()),
        })
        .collect();
    FacetGroup { title, links }
}

fn ref_label(rows: &[RefRow]) -> impl Fn(&str) -> String + '_ {
    move |c: &str| {
        rows.iter()
            .find(|r| r.code == c)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| c.to_string())
    }
}

fn facet_groups(
    base: &str,
    f: &Facets,
    p: &DirectoryParams,
    subs: &[RefRow],
    fields: &[RefRow],
) -> Vec<FacetGroup> {
    let mut years = f.registration_year.clone();
    years.sort_by(|a, b| b.0.cmp(&a.0));
    let rating_label = |c: &str| {
        if c == "NONE" {
            "未评估".to_string()
        } else {
            c.to_string()
        }
    };
    let mut ratings = f.rating.clone();
    ratings.sort();
    let group = |title, key, counts: &[(String, i64)], current, label: &dyn Fn(&str) -> String| {
        facet_group(base, title, key, counts, p, current, label)
    };
    vec![
        group(
            "街道",
            "subdistrict",
            &f.subdistrict,
            &p.subdistrict,
            &ref_label(subs),
        ),
        group("组织类型", "kind", &f.kind, &p.kind, &OrgKind::label_of),
        group(
            "登记状态",
            "status",
            &f.status,
            &p.status,
            &OrgStatus::label_of,
        ),
        group("评估等级", "rating", &ratings, &p.rating, &rating_label),
        group(
            "服务领域",
            "field",
            &f.service_field,
            &p.field,
            &ref_label(fields),
        ),
        group("登记年份", "year", &years, &p.year, &|y: &str| {
            format!("{y} 年")
        }),
    ]
}
