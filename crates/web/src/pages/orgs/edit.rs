//! Registering an organisation and editing its registration: the form, shown
//! again as typed when refused.

use crate::auth::Ctx;
use crate::error::{render, PageError};
use crate::form::{refused, FormPairs};
use crate::pages::{opts, FormState, Opt};
use crate::views::{split_names, yuan};
use askama::Template;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use gongyi_app::AppError;
use gongyi_domain::orgs::{OrgInput, OrgKind, OrgStatus, Stage};

#[derive(Template)]
#[template(path = "orgs/form.html")]
struct OrgForm {
    title: String,
    action: String,
    creating: bool,
    form: FormState,
    kinds: Vec<Opt>,
    statuses: Vec<Opt>,
    stages: Vec<Opt>,
    subdistricts: Vec<Opt>,
    fields: Vec<(Opt, bool)>,
    /// Registration facts are shown read-only: the caller may not change
    /// them (the use case refuses it anyway).
    locked: bool,
}

async fn org_form(
    s: &crate::auth::Scoped,
    title: String,
    action: String,
    creating: bool,
    form: FormState,
) -> Result<OrgForm, AppError> {
    let subs = s.registry.subdistricts().await?;
    let fields = s.registry.service_fields().await?;
    let chosen: Vec<String> = gongyi_domain::orgs::split_list(form.v("service_fields"));
    let locked = !creating
        && s.session
            .principal
            .may(gongyi_domain::access::Capability::RegisterOrg)
            .is_err();
    Ok(OrgForm {
        locked,
        title,
        action,
        creating,
        kinds: opts(OrgKind::ALL, OrgKind::code, OrgKind::label),
        statuses: opts(OrgStatus::ALL, OrgStatus::code, OrgStatus::label),
        stages: opts(Stage::ALL, Stage::code, Stage::label),
        subdistricts: subs
            .iter()
            .map(|r| Opt {
                value: r.code.clone(),
                label: r.name.clone(),
            })
            .collect(),
        fields: fields
            .iter()
            .map(|r| {
                (
                    Opt {
                        value: r.code.clone(),
                        label: r.name.clone(),
                    },
                    chosen.contains(&r.code),
                )
            })
            .collect(),
        form,
    })
}

/// Reads the organisation form; service fields come as repeated check boxes.
fn org_input(f: &FormPairs) -> OrgInput {
    OrgInput {
        credit_code: f.get("credit_code"),
        name: f.get("name"),
        kind: f.get("kind"),
        community: f.flag("community"),
        fresh_graduate: f.flag("fresh_graduate"),
        subdistrict: f.get("subdistrict"),
        registration_date: f.get("registration_date"),
        registered_capital: f.get("registered_capital"),
        service_fields: f.all("service_fields").join(";"),
        address: f.get("address"),
        legal_representative: f.get("legal_representative"),
        contact_phone: f.get("contact_phone"),
        status: f.get("status"),
        stage: f.get("stage"),
    }
}

fn input_values(i: &OrgInput, version: &str) -> FormState {
    let pairs = [
        ("credit_code", &i.credit_code),
        ("name", &i.name),
        ("kind", &i.kind),
        ("community", &i.community),
        ("fresh_graduate", &i.fresh_graduate),
        ("subdistrict", &i.subdistrict),
        ("registration_date", &i.registration_date),
        ("registered_capital", &i.registered_capital),
        ("service_fields", &i.service_fields),
        ("address", &i.address),
        ("legal_representative", &i.legal_representative),
        ("contact_phone", &i.contact_phone),
        ("status", &i.status),
        ("stage", &i.stage),
    ];
    let mut values: std::collections::HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    values.insert("version".into(), version.into());
    FormState {
        values,
        ..Default::default()
    }
}

pub async fn new_form(Ctx(s): Ctx) -> Result<Response, PageError> {
    let mut form = FormState::default();
    form.values.insert("status".into(), "NORMAL".into());
    let page = org_form(&s, "登记新组织".into(), "/orgs/new".into(), true, form).await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn create(Ctx(s): Ctx, body: Bytes) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let input = org_input(&f);
    match s.registry.create_org(&input).await {
        Ok(o) => Ok(Redirect::to(&format!("/orgs/{}?saved=1", o.credit_code)).into_response()),
        Err(e) => {
            let Some((status, mut form)) = refused(&e) else {
                return Err(e.into());
            };
            form.values = input_values(&input, "").values;
            let page = org_form(&s, "登记新组织".into(), "/orgs/new".into(), true, form).await?;
            Ok(render(status, &page))
        }
    }
}

pub async fn edit_form(Ctx(s): Ctx, Path(code): Path<String>) -> Result<Response, PageError> {
    let o = s.registry.org(&code).await?;
    let fields = s.registry.service_fields().await?;
    let names = split_names(&o.service_fields);
    let field_codes: Vec<String> = fields
        .iter()
        .filter(|f| names.contains(&f.name))
        .map(|f| f.code.clone())
        .collect();
    let input = OrgInput {
        credit_code: o.credit_code.clone(),
        name: o.name.clone(),
        kind: o.kind.code().into(),
        community: if o.community { "1" } else { "0" }.into(),
        fresh_graduate: if o.fresh_graduate { "1" } else { "0" }.into(),
        subdistrict: o.subdistrict_code.clone(),
        registration_date: o.registration_date.to_string(),
        registered_capital: yuan(o.registered_capital_fen),
        service_fields: field_codes.join(";"),
        address: o.address.clone().unwrap_or_default(),
        legal_representative: o.legal_representative.clone().unwrap_or_default(),
        contact_phone: o.contact_phone_masked.clone().unwrap_or_default(),
        status: o.status.code().into(),
        stage: o.stage.map(|s| s.code()).unwrap_or_default().into(),
    };
    let form = input_values(&input, &o.version.to_string());
    let page = org_form(
        &s,
        format!("修改:{}", o.name),
        format!("/orgs/{code}/edit"),
        false,
        form,
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

pub async fn update(
    Ctx(s): Ctx,
    Path(code): Path<String>,
    body: Bytes,
) -> Result<Response, PageError> {
    let f = FormPairs::parse(&body);
    let input = org_input(&f);
    let version_text = f.get("version");
    let saved = match f.version() {
        Ok(version) => s.registry.update_org(&code, version, &input).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(o) => Ok(Redirect::to(&format!("/orgs/{}?saved=1", o.credit_code)).into_response()),
        Err(e) => {
            let Some((status, mut form)) = refused(&e) else {
                return Err(e.into());
            };
            form.values = input_values(&input, &version_text).values;
            let page = org_form(
                &s,
                "修改组织信息".into(),
                format!("/orgs/{code}/edit"),
                false,
                form,
            )
            .await?;
            Ok(render(status, &page))
        }
    }
}
