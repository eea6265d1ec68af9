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
    /// APIs: facets to count, comma-separated (subdistrict, kind, status,
    /// rating, service_field, registration_year), counted as the directory
    /// page counts them; the signed-in API counts all when none is named.
    #[param(
        pattern = r"^ *(subdistrict|kind|status|rating|service_field|registration_year)? *(, *(subdistrict|kind|status|rating|service_field|registration_year) *)*$"
    )]
    pub facets: Option<String>,
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

    /// The facets named by `facets=…`, in the order given; an unknown name
    /// is refused naming it.
    pub fn facet_names(&self) -> std::result::Result<Vec<&'static str>, gongyi_app::AppError> {
        let mut names = Vec::new();
        let asked = self.facets.as_deref().unwrap_or("");
        for name in asked.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match FACET_NAMES.iter().find(|f| **f == name) {
                Some(f) if !names.contains(f) => names.push(*f),
                Some(_) => {}
                None => {
                    return Err(gongyi_app::AppError::Invalid(gongyi_domain::Invalid::one(
                        "facets",
                        "facets.unknown",
                        format!("没有名为“{name}”的分面,可选:{}", FACET_NAMES.join(", ")),
                    )))
                }
            }
        }
        Ok(names)
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

/// One facet with its values named as people read them: the same counts,
/// order and labels on the pages and in the public API.
pub struct LabelledFacet {
    /// Its name in the API's `facets` parameter and body.
    pub name: &'static str,
    /// Its key in the directory's query string.
    pub key: &'static str,
    pub title: &'static str,
    /// (value, label, count).
    pub values: Vec<(String, String, i64)>,
}

/// The facets' names, in the order pages show them.
pub const FACET_NAMES: [&str; 6] = [
    "subdistrict",
    "kind",
    "status",
    "rating",
    "service_field",
    "registration_year",
];

/// Every facet of `f`, labelled with reference data `subs` and `fields`.
pub fn labelled_facets(f: &Facets, subs: &[RefRow], fields: &[RefRow]) -> Vec<LabelledFacet> {
    let named = |rows: &[RefRow], c: &str| {
        rows.iter()
            .find(|r| r.code == c)
            .map(|r| r.name.clone())
            .unwrap_or_else(|| c.to_string())
    };
    let label_all = |counts: &[(String, i64)], label: &dyn Fn(&str) -> String| {
        counts
            .iter()
            .map(|(v, n)| (v.clone(), label(v), *n))
            .collect::<Vec<_>>()
    };
    let mut years = f.registration_year.clone();
    years.sort_by(|a, b| b.0.cmp(&a.0));
    let mut ratings = f.rating.clone();
    ratings.sort();
    let facet = |name, key, title, values| LabelledFacet {
        name,
        key,
        title,
        values,
    };
    vec![
        facet(
            "subdistrict",
            "subdistrict",
            "街道",
            label_all(&f.subdistrict, &|c| named(subs, c)),
        ),
        facet(
            "kind",
            "kind",
            "组织类型",
            label_all(&f.kind, &OrgKind::label_of),
        ),
        facet(
            "status",
            "status",
            "登记状态",
            label_all(&f.status, &OrgStatus::label_of),
        ),
        facet(
            "rating",
            "rating",
            "评估等级",
            label_all(&ratings, &|c| {
                if c == "NONE" {
                    "未评估".to_string()
                } else {
                    c.to_string()
                }
            }),
        ),
        facet(
            "service_field",
            "field",
            "服务领域",
            label_all(&f.service_field, &|c| named(fields, c)),
        ),
        facet(
            "registration_year",
            "year",
            "登记年份",
            label_all(&years, &|y| format!("{y} 年")),
        ),
    ]
}

fn facet_groups(
    base: &str,
    f: &Facets,
    p: &DirectoryParams,
    subs: &[RefRow],
    fields: &[RefRow],
) -> Vec<FacetGroup> {
    labelled_facets(f, subs, fields)
        .into_iter()
        .map(|facet| {
            let current = p
                .pairs()
                .into_iter()
                .find(|(k, _)| *k == facet.key)
                .map(|(_, v)| v)
                .unwrap_or_default();
            FacetGroup {
                title: facet.title,
                links: facet
                    .values
                    .into_iter()
                    .map(|(v, label, count)| FacetLink {
                        label,
                        count,
                        href: p.link(base, facet.key, &v),
                        active: !current.is_empty() && current == v,
                    })
                    .collect(),
            }
        })
        .collect()
}
