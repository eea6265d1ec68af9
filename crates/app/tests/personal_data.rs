//! Personal data protection on both databases: resident IDs and phones are
//! stored only sealed (the raw table holds no plain value), duplicates are
//! found by keyed hash, people lists are cut to the caller's scope, and a
//! full value is revealed only for a reason, leaving an audit record.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::people::PersonRecordInput;
use gongyi_app::security::Caller;
use gongyi_app::{AppError, Clock, Registry};
use gongyi_domain::access::Scope;
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::people::{EmploymentInput, PersonInput};
use gongyi_domain::{CreditCode, ResidentId};
use gongyi_store::audit::AuditFilter;
use gongyi_store::people::PersonFilter;
use gongyi_store::{Backend, Db};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

async fn registries() -> Vec<(Registry, &'static str)> {
    gongyi_testkit::databases()
        .await
        .into_iter()
        .map(|(db, _)| {
            let name = match db.backend() {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            (Registry::new(db, Clock::fixed(today())), name)
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

fn org_input(code: &str, name: &str, subdistrict: &str) -> OrgInput {
    OrgInput {
        credit_code: code.into(),
        name: name.into(),
        kind: "民办非企业单位".into(),
        community: "是".into(),
        fresh_graduate: "否".into(),
        subdistrict: subdistrict.into(),
        registration_date: "2024-03-01".into(),
        registered_capital: "60000".into(),
        service_fields: "社会服务".into(),
        address: String::new(),
        legal_representative: String::new(),
        contact_phone: String::new(),
        status: String::new(),
        stage: String::new(),
    }
}

fn resident_id(body: &str) -> String {
    ResidentId::from_body(body, today())
        .unwrap()
        .as_str()
        .to_string()
}

fn person_input(rid: &str, name: &str, phone: &str) -> PersonInput {
    PersonInput {
        name: name.into(),
        resident_id: rid.into(),
        phone: phone.into(),
        social_work_start_date: "2015-07-01".into(),
        supervisor: "否".into(),
    }
}

fn employment(code: &str) -> PersonRecordInput {
    PersonRecordInput::Employment(EmploymentInput {
        org_credit_code: code.into(),
        start_date: "2024-04-01".into(),
        end_date: String::new(),
        labour_contract: "1".into(),
        full_time: "1".into(),
        position: String::new(),
    })
}

fn scoped(r: &Registry, scope: Scope) -> Registry {
    r.acting(Caller {
        scope,
        ..Caller::system("测试")
    })
}

/// Every stored person row, all columns joined as text.
async fn raw_people(db: &Db) -> Vec<String> {
    const SQL: &str = "SELECT COALESCE(name, '') || '|' || COALESCE(resident_id_lookup, '') || '|' ||
        COALESCE(resident_id_sealed, '') || '|' || COALESCE(resident_id_masked, '') || '|' ||
        COALESCE(phone, '') || '|' || COALESCE(phone_sealed, '') || '|' || COALESCE(phone_masked, '')
        FROM people ORDER BY id";
    match db {
        Db::Sqlite(p) => sqlx::query_scalar(SQL).fetch_all(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(SQL).fetch_all(p).await.unwrap(),
    }
}

fn refused_field(r: Result<impl std::fmt::Debug, AppError>) -> Vec<String> {
    match r {
        Err(AppError::Invalid(i)) => {
            i.0.iter()
                .map(|f| format!("{}/{}", f.field, f.code))
                .collect()
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn stored_people_hold_no_plain_resident_id_or_phone() {
    for (r, backend) in registries().await {
        let rid = resident_id("31011019900307123");
        let p = r
            .create_person(&person_input(&rid, "李娜", "13912345678"))
            .await
            .unwrap();
        r.update_person(p.id, p.version, &person_input(&rid, "李娜", "13887654321"))
            .await
            .unwrap();
        let rows = raw_people(r.store()).await;
        assert_eq!(rows.len(), 1, "{backend}");
        for plain in [rid.as_str(), "13912345678", "13887654321", &rid[6..14]] {
            assert!(
                !rows[0].contains(plain),
                "{backend}: the raw row holds {plain}: {}",
                rows[0]
            );
        }
        assert!(
            rows[0].contains(&rid[..6]) && rows[0].contains("138****4321"),
            "{backend}"
        );
        // Pages see only the masks.
        let page = r.person_page(p.id).await.unwrap();
        assert_eq!(
            (
                page.person.resident_id_masked.as_str(),
                page.person.phone_masked.as_deref()
            ),
            (
                format!("{}********{}", &rid[..6], &rid[14..]).as_str(),
                Some("138****4321")
            ),
            "{backend}"
        );
        // The audit trail of the edit has the masks, never the numbers.
        let (audit, _) = r
            .audit_search(
                &AuditFilter {
                    entity_kind: Some("person".into()),
                    ..Default::default()
                },
                1,
                50,
            )
            .await
            .unwrap();
        let actions: Vec<&str> = audit.iter().map(|a| a.action.as_str()).collect();
        assert_eq!(actions, vec!["update", "create"], "{backend}");
        let update = &audit[0];
        assert!(
            update.changes.contains("139****5678") && update.changes.contains("138****4321"),
            "{backend}: {}",
            update.changes
        );
        for a in &audit {
            assert!(
                !a.changes.contains(&rid) && !a.changes.contains("13912345678"),
                "{backend}: {}",
                a.changes
            );
        }
    }
}

#[tokio::test]
async fn the_keyed_lookup_finds_duplicates_and_owners_of_records() {
    for (r, backend) in registries().await {
        let code = credit_code(1);
        r.create_org(&org_input(&code, "杨浦区甲服务中心", "310110021"))
            .await
            .unwrap();
        let rid = resident_id("31011019850611002");
        r.create_person(&person_input(&rid, "王强", ""))
            .await
            .unwrap();
        let again = r
            .create_person(&person_input(&rid.to_lowercase(), "王强", ""))
            .await;
        assert_eq!(
            refused_field(again),
            vec!["resident_id/duplicate"],
            "{backend}"
        );
        // A record names its person by the number, found by the keyed hash.
        r.add_person_record(&format!(" {} ", rid.to_lowercase()), &employment(&code))
            .await
            .unwrap();
        let unknown = r
            .add_person_record(&resident_id("31011019850611010"), &employment(&code))
            .await;
        assert_eq!(
            refused_field(unknown),
            vec!["resident_id/person.unknown"],
            "{backend}"
        );
        // So does an import; a successful one leaves one summary audit entry.
        let other = resident_id("31011019850611029");
        let ok = format!("姓名,公民身份号码,联系电话\n李四,{other},13911112222\n");
        let done = r
            .import(
                gongyi_app::transfer::RecordKind::People,
                ok.as_bytes(),
                "people.csv",
                &gongyi_app::transfer::operator_read_options(),
                false,
                &|_, _| {},
            )
            .await
            .unwrap();
        assert_eq!(done.imported, 1, "{backend}");
        let (imports, _) = r
            .audit_search(
                &AuditFilter {
                    action: Some("import".into()),
                    ..Default::default()
                },
                1,
                10,
            )
            .await
            .unwrap();
        assert_eq!(imports.len(), 1, "{backend}");
        assert_eq!(imports[0].entity_kind, "people", "{backend}");
        assert!(
            imports[0].changes.contains("\"imported\":\"1\""),
            "{backend}: {}",
            imports[0].changes
        );
        let rows = raw_people(r.store()).await;
        assert!(
            rows.iter()
                .all(|x| !x.contains(&other) && !x.contains("13911112222")),
            "{backend}: {rows:?}"
        );
        let csv = format!("姓名,公民身份号码\n王强,{rid}\n");
        let err = r
            .import(
                gongyi_app::transfer::RecordKind::People,
                csv.as_bytes(),
                "people.csv",
                &gongyi_app::transfer::operator_read_options(),
                false,
                &|_, _| {},
            )
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("已登记") || format!("{err:?}").contains("duplicate"),
            "{backend}: {err:?}"
        );
    }
}

#[tokio::test]
async fn people_lists_and_pages_are_cut_to_the_callers_scope() {
    for (r, backend) in registries().await {
        // Sub-district 021 holds organisations 1 and 2; sub-district 016 holds 3.
        let codes: Vec<String> = (1..=3).map(credit_code).collect();
        let mut org_ids = Vec::new();
        for (i, (code, sub)) in codes
            .iter()
            .zip(["310110021", "310110021", "310110016"])
            .enumerate()
        {
            let o = r
                .create_org(&org_input(code, &format!("杨浦区第{i}服务中心"), sub))
                .await
                .unwrap();
            org_ids.push(o.id);
        }
        let mut people = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let rid = resident_id(&format!("3101101990010100{i}"));
            let p = r
                .create_person(&person_input(&rid, &format!("人员{i}"), "13900001111"))
                .await
                .unwrap();
            r.add_person_record(&rid, &employment(code)).await.unwrap();
            people.push(p.id);
        }
        let ids = |r: Registry| async move {
            let page = r.people(&PersonFilter::default(), 1, 50).await.unwrap();
            assert_eq!(page.total, page.items.len() as i64);
            assert_eq!(r.people_count().await.unwrap(), page.total);
            let mut v: Vec<i64> = page.items.iter().map(|p| p.id).collect();
            v.sort_unstable();
            v
        };
        let sub_a = scoped(&r, Scope::Subdistrict("310110021".into()));
        let sub_b = scoped(&r, Scope::Subdistrict("310110016".into()));
        let org_2 = scoped(&r, Scope::Organisation(org_ids[1]));
        assert_eq!(ids(r.clone()).await, people, "{backend}: district");
        assert_eq!(ids(sub_a.clone()).await, people[..2].to_vec(), "{backend}");
        assert_eq!(ids(sub_b.clone()).await, vec![people[2]], "{backend}");
        assert_eq!(ids(org_2.clone()).await, vec![people[1]], "{backend}");
        assert!(
            ids(scoped(&r, Scope::Nothing)).await.is_empty(),
            "{backend}"
        );

        // Outside the scope a person does not exist, for reading and writing.
        let outside = people[2];
        assert!(
            matches!(sub_a.person_page(outside).await, Err(AppError::NotFound)),
            "{backend}"
        );
        assert!(sub_b.person_page(outside).await.is_ok(), "{backend}");
        assert!(
            matches!(
                org_2.reveal_person(outside, "phone", "核对信息").await,
                Err(AppError::NotFound)
            ),
            "{backend}"
        );
        let current = r.person_page(outside).await.unwrap().person;
        let edit = person_input(&current.resident_id_masked, "改名", "");
        assert!(
            matches!(
                sub_a.update_person(outside, current.version, &edit).await,
                Err(AppError::NotFound)
            ),
            "{backend}"
        );
        assert!(
            matches!(
                sub_a
                    .add_person_record_to(outside, &employment(&codes[0]))
                    .await,
                Err(AppError::NotFound)
            ),
            "{backend}"
        );
        let by_number = sub_a
            .add_person_record(&resident_id("31011019900101002"), &employment(&codes[0]))
            .await;
        assert_eq!(
            refused_field(by_number),
            vec!["resident_id/person.unknown"],
            "{backend}"
        );
    }
}

#[tokio::test]
async fn revealing_needs_a_reason_returns_the_value_and_is_audited() {
    for (r, backend) in registries().await {
        let rid = resident_id("31011019880101003");
        let p = r
            .create_person(&person_input(&rid, "赵敏", "13700002222"))
            .await
            .unwrap();
        for reason in ["", " ", "因"] {
            let got = r.reveal_person(p.id, "resident_id", reason).await;
            assert_eq!(
                refused_field(got),
                vec!["reason/reveal.reason_required"],
                "{backend}"
            );
        }
        let got = r.reveal_person(p.id, "name", "核对身份").await;
        assert_eq!(refused_field(got), vec!["field/reveal.field"], "{backend}");
        let reveals = || async {
            r.audit_search(
                &AuditFilter {
                    action: Some("reveal".into()),
                    ..Default::default()
                },
                1,
                50,
            )
            .await
            .unwrap()
            .0
        };
        assert!(
            reveals().await.is_empty(),
            "{backend}: a refusal was recorded"
        );

        assert_eq!(
            r.reveal_person(p.id, "resident_id", "核对补贴发放身份")
                .await
                .unwrap(),
            rid,
            "{backend}"
        );
        assert_eq!(
            r.reveal_person(p.id, "phone", "电话回访").await.unwrap(),
            "13700002222",
            "{backend}"
        );
        let rows = reveals().await;
        assert_eq!(rows.len(), 2, "{backend}");
        let first = &rows[1];
        assert_eq!(
            (first.entity_kind.as_str(), first.entity_id.clone()),
            ("person", p.id.to_string()),
            "{backend}"
        );
        assert!(
            first.changes.contains("核对补贴发放身份") && first.changes.contains("resident_id"),
            "{backend}: {}",
            first.changes
        );
        assert!(
            !first.changes.contains(&rid),
            "{backend}: {}",
            first.changes
        );
        assert!(
            matches!(
                r.verify_audit().await.unwrap(),
                gongyi_app::security::audit::Verdict::Intact { .. }
            ),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn rows_written_before_sealing_are_sealed_at_start_up() {
    for (r, backend) in registries().await {
        let rid = resident_id("31011019700101004");
        // As migration 0008 leaves an older row: plain number and phone.
        const SQL: &str = "INSERT INTO people (name, name_pinyin, name_initials, resident_id_lookup,
            birth_date, sex, phone, supervisor) VALUES ('旧人员', 'jiurenyuan', 'jry', $1, $2, '女', '13600003333', FALSE)";
        let born = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        match &r.store() {
            Db::Sqlite(p) => sqlx::query(SQL)
                .bind(&rid)
                .bind(born)
                .execute(p)
                .await
                .unwrap()
                .rows_affected(),
            Db::Postgres(p) => sqlx::query(SQL)
                .bind(&rid)
                .bind(born)
                .execute(p)
                .await
                .unwrap()
                .rows_affected(),
        };
        assert_eq!(r.seal_personal_data().await.unwrap(), 1, "{backend}");
        assert_eq!(r.seal_personal_data().await.unwrap(), 0, "{backend}: twice");
        let rows = raw_people(r.store()).await;
        assert!(
            !rows[0].contains(&rid) && !rows[0].contains("13600003333"),
            "{backend}: {}",
            rows[0]
        );
        let id = r
            .people(&PersonFilter::default(), 1, 10)
            .await
            .unwrap()
            .items[0]
            .id;
        assert_eq!(
            r.reveal_person(id, "phone", "核对旧数据").await.unwrap(),
            "13600003333",
            "{backend}"
        );
        let dup = r.create_person(&person_input(&rid, "旧人员", "")).await;
        assert_eq!(
            refused_field(dup),
            vec!["resident_id/duplicate"],
            "{backend}"
        );
    }
}
