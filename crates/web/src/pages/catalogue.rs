//! The guidance catalogue (引导目录): the list of items with a year's quota,
//! calls and awards (and, for the bureau, the form for a new item); one item
//! with its quotas per year and, for the bureau, its edit and quota forms.

use super::{FormState, Opt};
use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{refused_as_typed, FormPairs};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use gongyi_app::catalogue::ItemYearRow;
use gongyi_domain::access::{grants, Capability};
use gongyi_domain::catalogue::{ItemInput, Quota};
use gongyi_domain::Fen;
use serde::Deserialize;

/// An item's line in a year.
pub struct YearLine {
    pub id: i64,
    pub year: i64,
    pub series: String,
    pub name: String,
    pub quota: String,
    pub called: String,
    pub awarded: String,
}

fn quota_text(projects: Option<i64>, fen: Option<i64>) -> String {
    match (projects, fen) {
        (Some(p), Some(f)) => format!("{p} 个 · {}", Fen(f).shown()),
        _ => "未设定".into(),
    }
}

impl From<&ItemYearRow> for YearLine {
    fn from(r: &ItemYearRow) -> Self {
        YearLine {
            id: r.item_id,
            year: r.year,
            series: r.series.clone(),
            name: r.name.clone(),
            quota: quota_text(r.quota_projects, r.quota_amount_fen),
            called: format!("{} 个 · {}", r.called, Fen(r.called_fen).shown()),
            awarded: format!("{} 个 · {}", r.awarded, Fen(r.awarded_fen).shown()),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct YearParams {
    pub year: Option<String>,
}

#[derive(Template)]
#[template(path = "catalogue/list.html")]
struct ListPage {
    year: i32,
    lines: Vec<YearLine>,
    can_edit: bool,
    fields: Vec<Opt>,
    subdistricts: Vec<(Opt, bool)>,
    form: FormState,
}

async fn list_page(
    s: &crate::auth::Scoped,
    year: Option<&str>,
    form: FormState,
    chosen: &[String],
) -> Result<ListPage, PageError> {
    let year = year
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| s.registry.clock.today().year());
    let lines = s.registry.catalogue_year(year).await?;
    let opt = |r: gongyi_app::reference::RefRow| Opt {
        value: r.code,
        label: r.name,
    };
    Ok(ListPage {
        year,
        lines: lines.iter().map(YearLine::from).collect(),
        can_edit: grants(s.session.principal.role, Capability::EditCatalogue),
        fields: s
            .registry
            .service_fields()
            .await?
            .into_iter()
            .map(opt)
            .collect(),
        subdistricts: s
            .registry
            .subdistricts()
            .await?
            .into_iter()
            .map(|r| {
                let on = chosen.contains(&r.code);
                (opt(r), on)
            })
            .collect(),
        form,
    })
}

pub async fn list(Ctx(s): Ctx, Query(q): Query<YearParams>) -> Result<Response, PageError> {
    let view = list_page(&s, q.year.as_deref(), FormState::default(), &[]).await?;
    Ok(render(StatusCode::OK, &view))
}

fn item_input(f: &FormPairs) -> Result<ItemInput, gongyi_app::AppError> {
    Ok(ItemInput::validate(|k| f.get(k), &f.all("subdistricts"))?)
}

/// A new item (bureau).
pub async fn create(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = match item_input(&f) {
        Ok(i) => s.registry.create_catalogue_item(&i).await,
        Err(e) => Err(e),
    };
    match r {
        Ok(i) => Ok(Redirect::to(&format!("/catalogue/{}", i.id)).into_response()),
        Err(e) => {
            let chosen = f.all("subdistricts");
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            Ok(render(status, &list_page(&s, None, form, &chosen).await?))
        }
    }
}

#[derive(Template)]
#[template(path = "catalogue/show.html")]
struct ShowPage {
    id: i64,
    series: String,
    name: String,
    field: String,
    places: String,
    description: String,
    years: Vec<YearLine>,
    can_edit: bool,
    version: i64,
    fields: Vec<(Opt, bool)>,
    subdistricts: Vec<(Opt, bool)>,
    form: FormState,
    quota_form: FormState,
    year_hint: i32,
}

async fn show_page(
    s: &crate::auth::Scoped,
    id: i64,
    form: Option<FormState>,
    quota_form: FormState,
) -> Result<ShowPage, PageError> {
    let p = s.registry.catalogue_item(id).await?;
    let typed = form.is_some();
    let mut form = form.unwrap_or_default();
    if !typed {
        for (k, v) in [
            ("series", p.item.series.clone()),
            ("name", p.item.name.clone()),
            (
                "description",
                p.item.description.clone().unwrap_or_default(),
            ),
        ] {
            form.values.insert(k.into(), v);
        }
    }
    let chosen: Vec<String> = if typed {
        form.values
            .get("subdistricts_all")
            .map(|v| v.split(',').map(String::from).collect())
            .unwrap_or_default()
    } else {
        p.places.iter().map(|x| x.code.clone()).collect()
    };
    let field_code = form
        .values
        .get("service_field")
        .cloned()
        .unwrap_or_else(|| p.item.service_field.clone());
    let opt = |r: gongyi_app::reference::RefRow| Opt {
        value: r.code,
        label: r.name,
    };
    Ok(ShowPage {
        id,
        series: p.item.series.clone(),
        name: p.item.name.clone(),
        field: p.item.service_field_name.clone().unwrap_or_default(),
        places: if p.places.is_empty() {
            "全区".into()
        } else {
            p.places
                .iter()
                .map(|x| x.name.as_str())
                .collect::<Vec<_>>()
                .join("、")
        },
        description: p.item.description.clone().unwrap_or_default(),
        years: p.years.iter().map(YearLine::from).collect(),
        can_edit: p.can_edit,
        version: p.item.version,
        fields: s
            .registry
            .service_fields()
            .await?
            .into_iter()
            .map(|r| {
                let on = r.code == field_code;
                (opt(r), on)
            })
            .collect(),
        subdistricts: s
            .registry
            .subdistricts()
            .await?
            .into_iter()
            .map(|r| {
                let on = chosen.contains(&r.code);
                (opt(r), on)
            })
            .collect(),
        form,
        quota_form,
        year_hint: s.registry.clock.today().year(),
    })
}

pub async fn show(Ctx(s): Ctx, Path(id): Path<i64>) -> Result<Response, PageError> {
    let view = show_page(&s, id, None, FormState::default()).await?;
    Ok(render(StatusCode::OK, &view))
}

/// Edits an item (bureau).
pub async fn update(Ctx(s): Ctx, Path(id): Path<i64>, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = match (item_input(&f), f.version()) {
        (Ok(i), Ok(v)) => s.registry.update_catalogue_item(id, v, &i).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match r {
        Ok(_) => Ok(Redirect::to(&format!("/catalogue/{id}")).into_response()),
        Err(e) => {
            let chosen = f.all("subdistricts").join(",");
            let Some((status, mut form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            form.values.insert("subdistricts_all".into(), chosen);
            let view = show_page(&s, id, Some(form), FormState::default()).await?;
            Ok(render(status, &view))
        }
    }
}

/// Sets a year's quota (bureau).
pub async fn set_quota(
    Ctx(s): Ctx,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let r = match Quota::parse(&f.get("year"), &f.get("projects"), &f.get("amount")) {
        Ok(q) => s.registry.set_catalogue_quota(id, &q).await,
        Err(e) => Err(e.into()),
    };
    match r {
        Ok(()) => Ok(Redirect::to(&format!("/catalogue/{id}")).into_response()),
        Err(e) => {
            let Some((status, form)) = refused_as_typed(&e, f) else {
                return Err(e.into());
            };
            let view = show_page(&s, id, None, form).await?;
            Ok(render(status, &view))
        }
    }
}
