//! Organisations' contact phones on both databases: stored only sealed with a
//! masked copy (the raw table holds no plain number after a create, an edit,
//! an import or demo data); an edit that sends back the masked or the stored
//! phone keeps the sealed value; audit records show phones masked; an
//! unmasked export opens the sealed phones and re-imports them; rows written
//! before sealing are sealed by `seal_personal_data`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::transfer::{CsvSink, RecordKind};
use gongyi_app::{Clock, Registry};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::CreditCode;
use gongyi_interchange::ReadOptions;
use gongyi_store::audit::{AuditFilter, AuditRow};
use gongyi_store::{Backend, Db};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fn backend_name(r: &Registry) -> &'static str {
    match r.store().backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

async fn registries() -> Vec<(Registry, &'static str)> {
    gongyi_testkit::databases()
        .await
        .into_iter()
        .map(|(db, _)| {
            let r = Registry::new(db, Clock::fixed(today()));
            let name = backend_name(&r);
            (r, name)
        })
        .collect()
}

fn credit_code(n: u32) -> String {
    let org = format!("MJ{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn org_input(code: &str, name: &str, phone: &str) -> OrgInput {
    OrgInput {
        credit_code: code.into(),
        name: name.into(),
        kind: "民办非企业单位".into(),
        community: "是".into(),
        fresh_graduate: "否".into(),
        subdistrict: "310110016".into(),
        registration_date: "2024-03-01".into(),
        registered_capital: "60000".into(),
        service_fields: "社会服务".into(),
        address: String::new(),
        legal_representative: String::new(),
        contact_phone: phone.into(),
        status: String::new(),
        stage: String::new(),
    }
}

/// Every organisation row's phone columns, `credit_code|plain|sealed|masked`.
async fn raw_orgs(db: &Db) -> Vec<String> {
    const SQL: &str = "SELECT credit_code || '|' || COALESCE(contact_phone, '') || '|' ||
        COALESCE(contact_phone_sealed, '') || '|' || COALESCE(contact_phone_masked, '')
        FROM organizations ORDER BY id";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(SQL).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(SQL).fetch_all(p).await.unwrap(),
    }
}

/// How many rows still hold a plain phone.
async fn plain_phones(db: &Db) -> i64 {
    const SQL: &str = "SELECT COUNT(*) FROM organizations WHERE contact_phone IS NOT NULL";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(SQL).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(SQL).fetch_one(p).await.unwrap(),
    }
}

/// The stored phones, opened with the registry's key: credit code → phone.
async fn opened_phones(r: &Registry) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let orgs = r.store().orgs_after(&after, 500).await.unwrap();
        let Some(last) = orgs.last() else { break };
        for (code, sealed) in r
            .store()
            .org_phones_sealed_between(&after, &last.credit_code)
            .await
            .unwrap()
        {
            out.push((code, r.keys.open(&sealed).unwrap()));
        }
        after = last.credit_code.clone();
    }
    out
}

fn assert_no_plain(rows: &[String], phones: &[&str], what: &str) {
    for row in rows {
        for p in phones {
            assert!(!row.contains(p), "{what}: plain {p} in {row}");
        }
    }
}

async fn audit_of(r: &Registry, entity_id: &str) -> Vec<AuditRow> {
    let f = AuditFilter {
        entity_id: Some(entity_id.into()),
        ..Default::default()
    };
    let (mut rows, _) = r.audit_search(&f, 1, 200).await.unwrap();
    rows.reverse();
    rows
}

async fn export_csv(r: &Registry, unmasked: bool) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut sink = CsvSink::new(&mut out, RecordKind::Organizations).unwrap();
    r.export_rows(RecordKind::Organizations, unmasked, &mut |rows| {
        sink.write(rows)
    })
    .await
    .unwrap();
    sink.finish().unwrap();
    out
}

#[tokio::test]
async fn created_and_edited_organisations_hold_no_plain_phone_and_edits_keep_the_sealed_one() {
    for (r, backend) in registries().await {
        let code = credit_code(41);
        let org = r
            .create_org(&org_input(&code, "殷行睦邻服务中心", "13812345678"))
            .await
            .unwrap();
        assert_eq!(
            org.contact_phone_masked.as_deref(),
            Some("138******78"),
            "{backend}"
        );
        let rows = raw_orgs(r.store()).await;
        assert_no_plain(&rows, &["13812345678"], backend);
        assert_eq!(plain_phones(r.store()).await, 0, "{backend}");
        let sealed = r.store().org_phone_sealed(org.id).await.unwrap().unwrap();
        assert_eq!(r.keys.open(&sealed).unwrap(), "13812345678", "{backend}");

        // The masked phone sent back (as the form and the API show it) and
        // the stored number typed again both keep the sealed value.
        let org = r
            .update_org(
                &code,
                org.version,
                &org_input(&code, "殷行睦邻服务社", "138******78"),
            )
            .await
            .unwrap();
        assert_eq!(
            r.store().org_phone_sealed(org.id).await.unwrap().as_deref(),
            Some(sealed.as_str()),
            "{backend}: masked phone sent back"
        );
        let org = r
            .update_org(
                &code,
                org.version,
                &org_input(&code, "殷行睦邻服务中心", "13812345678"),
            )
            .await
            .unwrap();
        assert_eq!(
            r.store().org_phone_sealed(org.id).await.unwrap().as_deref(),
            Some(sealed.as_str()),
            "{backend}: same number typed again"
        );

        // A new number is sealed anew; one with the same mask is noted.
        let org = r
            .update_org(
                &code,
                org.version,
                &org_input(&code, "殷行睦邻服务中心", "13800005678"),
            )
            .await
            .unwrap();
        assert_eq!(
            org.contact_phone_masked.as_deref(),
            Some("138******78"),
            "{backend}"
        );
        let resealed = r.store().org_phone_sealed(org.id).await.unwrap().unwrap();
        assert_eq!(r.keys.open(&resealed).unwrap(), "13800005678", "{backend}");
        let org = r
            .update_org(
                &code,
                org.version,
                &org_input(&code, "殷行睦邻服务中心", "13900001111"),
            )
            .await
            .unwrap();
        assert_eq!(
            org.contact_phone_masked.as_deref(),
            Some("139******11"),
            "{backend}"
        );
        let rows = raw_orgs(r.store()).await;
        assert_no_plain(
            &rows,
            &["13812345678", "13800005678", "13900001111"],
            backend,
        );
        assert_eq!(plain_phones(r.store()).await, 0, "{backend}");

        // Clearing the phone clears every copy.
        let org = r
            .update_org(
                &code,
                org.version,
                &org_input(&code, "殷行睦邻服务中心", ""),
            )
            .await
            .unwrap();
        assert_eq!(org.contact_phone_masked, None, "{backend}");
        assert_eq!(
            r.store().org_phone_sealed(org.id).await.unwrap(),
            None,
            "{backend}"
        );

        let trail = audit_of(&r, &code).await;
        let actions: Vec<&str> = trail.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(
            actions,
            ["create", "update", "update", "update", "update", "update"],
            "{backend}"
        );
        for a in &trail {
            assert_no_plain(
                std::slice::from_ref(&a.changes),
                &["13812345678", "13800005678", "13900001111"],
                backend,
            );
        }
        let changes =
            |i: usize| -> serde_json::Value { serde_json::from_str(&trail[i].changes).unwrap() };
        assert_eq!(
            changes(0)["contact_phone"],
            serde_json::json!([null, "138******78"]),
            "{backend}"
        );
        assert!(
            changes(1).get("contact_phone").is_none() && changes(2).get("contact_phone").is_none(),
            "{backend}: kept phone is no change: {} / {}",
            trail[1].changes,
            trail[2].changes
        );
        assert_eq!(
            changes(3)["contact_phone_changed"],
            serde_json::json!("是"),
            "{backend}: {}",
            trail[3].changes
        );
        assert_eq!(
            changes(4)["contact_phone"],
            serde_json::json!(["138******78", "139******11"]),
            "{backend}"
        );
        assert_eq!(
            changes(5)["contact_phone"],
            serde_json::json!(["139******11", null]),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn demo_data_and_imports_store_phones_sealed_and_an_unmasked_export_round_trips() {
    let sources = registries().await;
    let targets = registries().await;
    for ((src, backend), (dst, _)) in sources.into_iter().zip(targets) {
        src.load_demo(30, Some(0), 11, &|_, _| {}).await.unwrap();
        assert_eq!(plain_phones(src.store()).await, 0, "{backend}: demo");
        let phones = opened_phones(&src).await;
        assert!(
            !phones.is_empty(),
            "{backend}: the demo has no phones to check"
        );
        let plain: Vec<&str> = phones.iter().map(|(_, p)| p.as_str()).collect();
        assert_no_plain(&raw_orgs(src.store()).await, &plain, backend);

        // Masked export: no full number; unmasked: every full number.
        let masked = String::from_utf8(export_csv(&src, false).await).unwrap();
        assert_no_plain(&[masked], &plain, backend);
        let unmasked = export_csv(&src, true).await;
        let text = String::from_utf8_lossy(&unmasked).into_owned();
        for p in &plain {
            assert!(
                text.contains(p),
                "{backend}: {p} missing from unmasked export"
            );
        }

        // Re-imported, the phones are sealed again and open to the same numbers.
        let outcome = dst
            .import(
                RecordKind::Organizations,
                &unmasked,
                "organizations.csv",
                &ReadOptions::default(),
                false,
                &|_, _| {},
            )
            .await
            .unwrap();
        assert_eq!(outcome.imported, 30, "{backend}");
        assert_eq!(plain_phones(dst.store()).await, 0, "{backend}: import");
        assert_no_plain(&raw_orgs(dst.store()).await, &plain, backend);
        assert_eq!(opened_phones(&dst).await, phones, "{backend}");
        assert_eq!(
            export_csv(&dst, true).await,
            unmasked,
            "{backend}: unmasked export after re-import"
        );
    }
}

#[tokio::test]
async fn organisations_written_before_sealing_are_sealed_at_start_up() {
    for (r, backend) in registries().await {
        let code = credit_code(42);
        let org = r
            .create_org(&org_input(&code, "控江睦邻服务中心", ""))
            .await
            .unwrap();
        // As migration 0009 leaves an older row: the plain phone only.
        const SQL: &str = "UPDATE organizations SET contact_phone = '021-65430000' WHERE id = $1";
        match &r.store() {
            Db::Sqlite(p) => sqlx::query(SQL)
                .bind(org.id)
                .execute(p)
                .await
                .unwrap()
                .rows_affected(),
            Db::Postgres(p) => sqlx::query(SQL)
                .bind(org.id)
                .execute(p)
                .await
                .unwrap()
                .rows_affected(),
        };
        assert_eq!(plain_phones(r.store()).await, 1, "{backend}");
        assert_eq!(r.seal_personal_data().await.unwrap(), 1, "{backend}");
        assert_eq!(r.seal_personal_data().await.unwrap(), 0, "{backend}: twice");
        assert_eq!(plain_phones(r.store()).await, 0, "{backend}");
        assert_no_plain(
            &raw_orgs(r.store()).await,
            &["021-65430000", "65430000"],
            backend,
        );
        let org = r.org(&code).await.unwrap();
        assert_eq!(
            org.contact_phone_masked.as_deref(),
            Some("021*******00"),
            "{backend}"
        );
        let sealed = r.store().org_phone_sealed(org.id).await.unwrap().unwrap();
        assert_eq!(r.keys.open(&sealed).unwrap(), "021-65430000", "{backend}");
        let f = AuditFilter {
            action: Some("seal".into()),
            entity_kind: Some("organizations".into()),
            ..Default::default()
        };
        let (seals, _) = r.audit_search(&f, 1, 10).await.unwrap();
        assert_eq!(seals.len(), 1, "{backend}: sealing is audited once");
    }
}
