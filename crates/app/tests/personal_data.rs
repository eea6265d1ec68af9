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
            rows[0].contains(&rid[..1]) && rows[0].contains("138******21"),
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
                format!("{}****************{}", &rid[..1], &rid[17..]).as_str(),
                Some("138******21")
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
            update.changes.contains("139******78") && update.changes.contains("138******21"),
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
            birth_year, sex, phone, supervisor) VALUES ('旧人员', 'jiurenyuan', 'jry', $1, $2, '女', '13600003333', FALSE)";
        let born = 1970_i64;
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

/// Every column of every row of `table` (by id), as text, by column name;
/// the columns are read from the schema, so a new one is scanned too.
async fn raw_rows(db: &Db, table: &str) -> Vec<std::collections::BTreeMap<String, Option<String>>> {
    use sqlx::Row;
    let columns: Vec<String> = match db {
        Db::Sqlite(p) => sqlx::query_scalar("SELECT name FROM pragma_table_info($1)")
            .bind(table)
            .fetch_all(p)
            .await
            .unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_name = $1 AND table_schema = current_schema()",
        )
        .bind(table)
        .fetch_all(p)
        .await
        .unwrap(),
    };
    let list: Vec<String> = columns
        .iter()
        .map(|c| format!("CAST({c} AS TEXT)"))
        .collect();
    // Qualified: a bare `id` would order by the text column of that name.
    let sql = format!(
        "SELECT {} FROM {table} ORDER BY {table}.id",
        list.join(", ")
    );
    let cells: Vec<Vec<Option<String>>> = match db {
        Db::Sqlite(p) => sqlx::query(&sql)
            .fetch_all(p)
            .await
            .unwrap()
            .iter()
            .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
            .collect(),
        Db::Postgres(p) => sqlx::query(&sql)
            .fetch_all(p)
            .await
            .unwrap()
            .iter()
            .map(|r| (0..r.len()).map(|i| r.get(i)).collect())
            .collect(),
    };
    cells
        .into_iter()
        .map(|row| columns.iter().cloned().zip(row).collect())
        .collect()
}

/// The full values of `kind` (columns `keys`), as only an unmasked export
/// reads them, in the export's order.
async fn unmasked(
    r: &Registry,
    kind: gongyi_app::transfer::RecordKind,
    keys: &[&str],
) -> Vec<Vec<String>> {
    let cols = kind.columns();
    let at: Vec<usize> = keys
        .iter()
        .map(|k| cols.iter().position(|c| c.key == *k).unwrap())
        .collect();
    let mut out = Vec::new();
    r.export_rows(kind, true, &mut |rows| {
        out.extend(
            rows.into_iter()
                .map(|row| at.iter().map(|i| row[*i].clone()).collect()),
        );
        Ok(())
    })
    .await
    .unwrap();
    out
}

#[tokio::test]
async fn the_raw_columns_hold_no_birth_date_and_no_more_of_a_number_than_its_mask() {
    use gongyi_app::transfer::RecordKind;
    use gongyi_domain::resident_id::{birth_date_of, mask_phone, mask_resident_id};
    for (r, backend) in registries().await {
        // Rows of every write path: bulk (demo), insert and update.
        r.load_demo(8, Some(30), 5, &|_, _| {}).await.unwrap();
        let rid = resident_id("31011019900307123");
        let p = r
            .create_person(&person_input(&rid, "李娜", "13912345678"))
            .await
            .unwrap();
        r.update_person(p.id, p.version, &person_input(&rid, "李娜", "13887654321"))
            .await
            .unwrap();

        let people = raw_rows(r.store(), "people").await;
        let full = unmasked(&r, RecordKind::People, &["resident_id", "phone"]).await;
        assert_eq!(people.len(), 31, "{backend}");
        assert_eq!(full.len(), people.len(), "{backend}");
        for (row, full) in people.iter().zip(&full) {
            let (number, phone) = (&full[0], &full[1]);
            let born = birth_date_of(number).unwrap();
            assert!(!row.contains_key("birth_date"), "{backend}: {row:?}");
            let year = born.format("%Y").to_string();
            assert_eq!(
                row["birth_year"].as_deref(),
                Some(year.as_str()),
                "{backend}"
            );
            let mask = row["resident_id_masked"].clone().unwrap();
            assert_eq!(mask, mask_resident_id(number), "{backend}");
            assert!(
                mask.chars().filter(|c| *c != '*').count() <= 2,
                "{backend}: {mask}"
            );
            let phone_mask = row["phone_masked"].clone().unwrap_or_default();
            assert_eq!(phone_mask, mask_phone(phone), "{backend}");
            let forbidden = [
                number.clone(),
                phone.clone(),
                number[..6].to_string(),
                number[6..14].to_string(),
                born.format("%Y-%m-%d").to_string(),
            ];
            for (column, value) in row {
                let value = value.clone().unwrap_or_default();
                for f in forbidden.iter().filter(|f| !f.is_empty()) {
                    assert!(
                        !value.contains(f.as_str()),
                        "{backend}: people.{column} holds {f}: {value}"
                    );
                }
            }
        }

        let orgs = raw_rows(r.store(), "organizations").await;
        let phones = unmasked(
            &r,
            RecordKind::Organizations,
            &["credit_code", "contact_phone"],
        )
        .await;
        assert_eq!(orgs.len(), phones.len(), "{backend}");
        let mut with_phone = 0;
        for full in &phones {
            let row = orgs
                .iter()
                .find(|o| o["credit_code"].as_deref() == Some(full[0].as_str()))
                .unwrap();
            assert_eq!(row["contact_phone"], None, "{backend}");
            if full[1].is_empty() {
                continue;
            }
            with_phone += 1;
            assert_eq!(
                row["contact_phone_masked"].as_deref(),
                Some(mask_phone(&full[1]).as_str()),
                "{backend}"
            );
            for (column, value) in row {
                assert!(
                    !value.as_deref().unwrap_or_default().contains(&full[1]),
                    "{backend}: organizations.{column} holds the phone"
                );
            }
        }
        assert!(with_phone > 0, "{backend}: the demo has contact phones");
    }
}
