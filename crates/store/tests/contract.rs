//! The store contract: every storage operation, on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_domain::access::Scope;
use gongyi_domain::history::*;
use gongyi_domain::orgs::{OrgDraft, OrgKind, OrgStatus, Stage};
use gongyi_domain::people::{
    AnnualReview, Employment, PerformanceRating, PersonDraft, Qualification, QualificationLevel,
};
use gongyi_domain::{CreditCode, Fen, ResidentId};
use gongyi_store::orgs::{OrgFilter, OrgSort, SealedPhone};
use gongyi_store::people::{PersonFilter, SealedPersonal};
use gongyi_store::{Db, StoreError};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A valid civil-affairs credit code for number `n` of kind digit `k`.
fn code(k: char, n: u32) -> CreditCode {
    let org8 = format!("MJ{n:06}");
    let check = gongyi_domain::credit_code::org_code_check(org8.as_bytes()).unwrap();
    CreditCode::from_body(&format!("5{k}310110{org8}{check}")).unwrap()
}

fn org(n: u32, name: &str, sub: &str) -> OrgDraft {
    OrgDraft {
        credit_code: code('2', n),
        name: name.into(),
        kind: OrgKind::PrivateNonEnterprise,
        community: true,
        fresh_graduate: false,
        subdistrict: sub.into(),
        registration_date: d(2022, 3, 1),
        registered_capital: Fen::yuan(50_000),
        service_fields: vec!["SOCIAL_SERVICE".into(), "教育".into()],
        address: Some("上海市杨浦区控江路 1 号".into()),
        legal_representative: Some("王芳".into()),
        contact_phone: Some("13812345678".into()),
        status: OrgStatus::Normal,
        stage: Some(Stage::Startup),
    }
}

/// Stand-ins for what the application writes (the store holds no key).
fn sealed(p: &PersonDraft) -> SealedPersonal {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    p.resident_id.as_str().hash(&mut h);
    SealedPersonal {
        resident_id_lookup: format!("L{:016x}", h.finish()),
        resident_id_sealed: format!("v1:S{:016x}", h.finish()),
        resident_id_masked: p.resident_id.masked(),
        phone_sealed: p.phone.as_ref().map(|_| "v1:phone".into()),
        phone_masked: p
            .phone
            .as_deref()
            .map(gongyi_domain::resident_id::mask_phone),
    }
}

/// A stand-in for the application's sealed contact phone.
fn phone(o: &OrgDraft) -> SealedPhone {
    SealedPhone {
        sealed: o
            .contact_phone
            .as_ref()
            .map(|p| format!("v1:phone:{}", p.len())),
        masked: o
            .contact_phone
            .as_deref()
            .map(gongyi_domain::resident_id::mask_phone),
    }
}

async fn insert(db: &Db, o: &OrgDraft) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let id = db.insert_org(&mut tx, o, &phone(o)).await.unwrap();
    tx.commit().await.unwrap();
    id
}

#[tokio::test]
async fn organisations_are_stored_found_and_filtered_with_facets() {
    for (db, url) in gongyi_testkit::databases().await {
        insert(&db, &org(1, "上海市杨浦区阳光助老服务中心", "310110016")).await;
        insert(
            &db,
            &org(2, "上海市杨浦区青少年科技教育促进会", "310110016"),
        )
        .await;
        insert(&db, &org(3, "上海市杨浦区殷行睦邻互助服务社", "310110021")).await;

        let o = db.org_by_code(code('2', 1).as_str()).await.unwrap();
        assert_eq!(o.name, "上海市杨浦区阳光助老服务中心", "{url}");
        assert_eq!(o.subdistrict_name, "殷行街道", "{url}");
        assert_eq!(o.registration_date, d(2022, 3, 1), "{url}");
        assert_eq!(o.registered_capital_fen, 5_000_000, "{url}");
        assert!(
            o.service_fields.contains("社会服务") && o.service_fields.contains("教育"),
            "{url}: {}",
            o.service_fields
        );
        assert!(o.in_district, "{url}");
        // The phone is kept only as given: sealed and masked, never plain.
        assert_eq!(
            o.contact_phone_masked.as_deref(),
            Some("138******78"),
            "{url}"
        );
        assert_eq!(
            db.org_phone_sealed(o.id).await.unwrap().as_deref(),
            Some("v1:phone:11"),
            "{url}"
        );

        let search = |q: &str| OrgFilter {
            q: Some(q.into()),
            ..Default::default()
        };
        for (q, n) in [
            ("助老", 1),
            ("老", 1),
            ("服务", 2),
            ("yg", 1),
            ("zlfw", 1),
            ("yangguang", 1),
            ("不存在", 0),
        ] {
            let page = db
                .list_orgs(&Scope::District, &search(q), 1, 20)
                .await
                .unwrap();
            assert_eq!(page.total, n, "{url}: search {q}");
        }
        let by_sub = OrgFilter {
            subdistrict: Some("310110016".into()),
            sort: OrgSort::Name,
            ..Default::default()
        };
        let page = db.list_orgs(&Scope::District, &by_sub, 1, 1).await.unwrap();
        assert_eq!(
            (page.total, page.items.len(), page.pages()),
            (2, 1, 2),
            "{url}"
        );
        let facets = db.org_facets(&Scope::District, &by_sub).await.unwrap();
        // A facet's own filter is left out of its counts.
        assert_eq!(
            facets.subdistrict.len(),
            2,
            "{url}: {:?}",
            facets.subdistrict
        );
        assert_eq!(
            facets.kind,
            vec![("PRIVATE_NON_ENTERPRISE".to_string(), 2)],
            "{url}"
        );
        assert_eq!(
            facets.registration_year,
            vec![("2022".to_string(), 2)],
            "{url}"
        );
        assert!(
            facets.service_field.contains(&("EDUCATION".to_string(), 2)),
            "{url}: {:?}",
            facets.service_field
        );
        assert_eq!(facets.rating, vec![("NONE".to_string(), 2)], "{url}");
        let like_chars = db
            .list_orgs(&Scope::District, &search("%"), 1, 20)
            .await
            .unwrap();
        assert_eq!(like_chars.total, 0, "{url}: % is matched literally");
    }
}

#[tokio::test]
async fn a_duplicate_credit_code_is_refused_and_nothing_is_written() {
    for (db, url) in gongyi_testkit::databases().await {
        insert(&db, &org(1, "甲", "310110016")).await;
        let mut tx = db.begin().await.unwrap();
        let err = db
            .insert_org(&mut tx, &org(1, "乙", "310110016"), &SealedPhone::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Duplicate {
                    field: "credit_code"
                }
            ),
            "{url}: {err:?}"
        );
        drop(tx);
        assert_eq!(db.count_orgs().await.unwrap(), 1, "{url}");
    }
}

#[tokio::test]
async fn an_unknown_service_field_rolls_the_whole_insert_back() {
    for (db, url) in gongyi_testkit::databases().await {
        let mut o = org(1, "甲", "310110016");
        o.service_fields.push("炼金术".into());
        let mut tx = db.begin().await.unwrap();
        let err = db.insert_org(&mut tx, &o, &phone(&o)).await.unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{url}: {err:?}");
        drop(tx);
        assert_eq!(db.count_orgs().await.unwrap(), 0, "{url}");
    }
}

#[tokio::test]
async fn an_update_from_a_stale_version_is_refused() {
    for (db, url) in gongyi_testkit::databases().await {
        let id = insert(&db, &org(1, "甲", "310110016")).await;
        let mut first = org(1, "甲(改名)", "310110016");
        first.service_fields = vec!["CULTURE".into()];
        let mut tx = db.begin().await.unwrap();
        db.update_org(&mut tx, id, 1, &first, &phone(&first))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = db.begin().await.unwrap();
        let err = db
            .update_org(
                &mut tx,
                id,
                1,
                &org(1, "乙", "310110016"),
                &SealedPhone::default(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict), "{url}: {err:?}");
        drop(tx);
        for (q, n) in [("改名", 1), ("甲", 1), ("名)", 1), ("乙", 0)] {
            let found = db
                .list_orgs(
                    &Scope::District,
                    &OrgFilter {
                        q: Some(q.into()),
                        ..Default::default()
                    },
                    1,
                    10,
                )
                .await
                .unwrap();
            assert_eq!(found.total, n, "{url}: after the rename, search {q}");
        }
        let o = db.org_by_id(id).await.unwrap();
        assert_eq!(
            (o.name.as_str(), o.version, o.service_fields.as_str()),
            ("甲(改名)", 2, "文化"),
            "{url}"
        );
        let mut tx = db.begin().await.unwrap();
        assert!(
            matches!(
                db.update_org(&mut tx, 999, 1, &first, &phone(&first)).await,
                Err(StoreError::NotFound)
            ),
            "{url}"
        );
    }
}

#[tokio::test]
async fn history_records_round_trip_and_keep_the_current_rating() {
    for (db, url) in gongyi_testkit::databases().await {
        let id = insert(&db, &org(1, "甲", "310110016")).await;
        let mut tx = db.begin().await.unwrap();
        db.insert_inspection(
            &mut tx,
            id,
            &Inspection {
                year: 2022,
                result: InspectionResult::Qualified,
                date: Some(d(2023, 5, 1)),
            },
        )
        .await
        .unwrap();
        let dup = db
            .insert_inspection(
                &mut tx,
                id,
                &Inspection {
                    year: 2022,
                    result: InspectionResult::Unqualified,
                    date: None,
                },
            )
            .await;
        assert!(
            matches!(dup, Err(StoreError::Duplicate { field: "year" })),
            "{url}: {dup:?}"
        );
        tx.commit().await.ok();
        let mut tx = db.begin().await.unwrap();
        db.insert_rating(
            &mut tx,
            id,
            &Rating {
                level: RatingLevel::A4,
                date: d(2024, 6, 1),
            },
        )
        .await
        .unwrap();
        db.insert_rating(
            &mut tx,
            id,
            &Rating {
                level: RatingLevel::A3,
                date: d(2023, 6, 1),
            },
        )
        .await
        .unwrap();
        db.insert_honour(
            &mut tx,
            id,
            &Honour {
                title: "上海市文明单位".into(),
                level: HonourLevel::Municipal,
                date: d(2024, 1, 2),
            },
        )
        .await
        .unwrap();
        db.insert_credit_entry(
            &mut tx,
            id,
            &CreditEntry {
                list: CreditList::AbnormalActivity,
                reason: "未按规定参加年检".into(),
                listed_date: d(2023, 7, 1),
                removed_date: Some(d(2023, 12, 1)),
            },
        )
        .await
        .unwrap();
        db.insert_party_building(
            &mut tx,
            id,
            &PartyBuilding {
                date: d(2023, 1, 1),
                has_party_org: true,
                form: Some(PartyOrgForm::Joint),
                members: 3,
                in_charter: true,
                checked_at_registration: true,
                checked_at_inspection: false,
                checked_at_rating: true,
            },
        )
        .await
        .unwrap();
        db.insert_finance(
            &mut tx,
            id,
            &Finance {
                year: 2023,
                total_revenue: Fen(10_000_000),
                government_purchase: Fen(6_000_000),
                donations: Fen(1),
                business_income: Fen(0),
                expenditure: Fen(9_000_000),
                net_assets: Fen(12_345),
                staff: 4,
                volunteers: 20,
                volunteer_hours: 300,
            },
        )
        .await
        .unwrap();
        db.deregister_org(&mut tx, id, 1, d(2025, 1, 1))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let h = db.org_history(id).await.unwrap();
        // A failed statement aborts a PostgreSQL transaction (its commit rolls
        // back); SQLite keeps the statements that succeeded.
        let kept = match db.backend() {
            gongyi_store::Backend::Sqlite => 1,
            gongyi_store::Backend::Postgres => 0,
        };
        assert_eq!(h.inspections.len(), kept, "{url}");
        assert_eq!(
            h.ratings.iter().map(|r| r.level.code()).collect::<Vec<_>>(),
            vec!["3A", "4A"],
            "{url}"
        );
        assert_eq!(h.honours[0].title, "上海市文明单位", "{url}");
        assert_eq!(
            h.credit_entries[0].removed_date,
            Some(d(2023, 12, 1)),
            "{url}"
        );
        assert_eq!(
            h.party_building[0].form.map(|f| f.code()),
            Some("JOINT"),
            "{url}"
        );
        assert_eq!(h.finances[0].total_revenue_fen, 10_000_000, "{url}");
        let o = db.org_by_id(id).await.unwrap();
        assert_eq!(
            o.current_rating.map(|r| r.code()),
            Some("4A"),
            "{url}: the latest rating is current"
        );
        assert_eq!(
            (o.status.code(), o.deregistration_date),
            ("DEREGISTERED", Some(d(2025, 1, 1))),
            "{url}"
        );
    }
}

#[tokio::test]
async fn people_qualifications_employments_and_reviews_are_stored() {
    for (db, url) in gongyi_testkit::databases().await {
        let org_id = insert(&db, &org(1, "甲", "310110016")).await;
        let rid = ResidentId::from_body("31011019900307002", d(2026, 1, 1)).unwrap();
        let p = PersonDraft {
            name: "李娜".into(),
            resident_id: rid.clone(),
            phone: Some("13912345678".into()),
            social_work_start_date: Some(d(2015, 9, 1)),
            supervisor: true,
        };
        let mut tx = db.begin().await.unwrap();
        let pid = db.insert_person(&mut tx, &p, &sealed(&p)).await.unwrap();
        db.insert_qualification(
            &mut tx,
            pid,
            &Qualification {
                level: QualificationLevel::Intermediate,
                certificate_no: "S2018-001".into(),
                date: d(2018, 6, 1),
            },
        )
        .await
        .unwrap();
        db.insert_employment(
            &mut tx,
            pid,
            org_id,
            &Employment {
                start_date: d(2022, 4, 1),
                end_date: None,
                labour_contract: true,
                full_time: true,
                position: Some("项目主管".into()),
            },
        )
        .await
        .unwrap();
        db.insert_review(
            &mut tx,
            pid,
            &AnnualReview {
                year: 2024,
                training_hours: 40,
                performance: Some(PerformanceRating::Excellent),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let got = db.person(pid, &Scope::District).await.unwrap();
        assert_eq!(
            (
                got.birth_year,
                got.sex.as_str(),
                got.qualification.map(|q| q.code())
            ),
            (1990, "女", Some("INTERMEDIATE")),
            "{url}"
        );
        assert_eq!(
            (got.resident_id_masked, got.phone_masked.as_deref()),
            (rid.masked(), Some("139******78")),
            "{url}"
        );
        let by_lookup = db
            .person_by_lookup(&sealed(&p).resident_id_lookup, &Scope::District)
            .await
            .unwrap();
        assert_eq!(by_lookup.id, pid, "{url}");
        let (q, e, r) = db.person_details(pid).await.unwrap();
        assert_eq!((q.len(), e.len(), r.len()), (1, 1, 1), "{url}");
        assert_eq!(e[0].org_name, "甲", "{url}");
        assert_eq!(
            db.employments_of_org(org_id).await.unwrap().len(),
            1,
            "{url}"
        );
        for (q, n) in [("李", 1), ("ln", 1), ("王", 0)] {
            let page = db
                .list_people(
                    &Scope::District,
                    &PersonFilter {
                        q: Some(q.into()),
                        ..Default::default()
                    },
                    1,
                    10,
                )
                .await
                .unwrap();
            assert_eq!(page.total, n, "{url}: {q}");
        }
        let mut tx = db.begin().await.unwrap();
        let dup = db
            .insert_person(&mut tx, &p, &sealed(&p))
            .await
            .unwrap_err();
        assert!(
            matches!(
                dup,
                StoreError::Duplicate {
                    field: "resident_id"
                }
            ),
            "{url}: {dup:?}"
        );
    }
}

#[tokio::test]
async fn people_lists_and_records_are_cut_to_the_scope() {
    for (db, url) in gongyi_testkit::databases().await {
        // Two sub-districts; the first holds two organisations.
        let a1 = insert(&db, &org(1, "甲", "310110016")).await;
        let a2 = insert(&db, &org(2, "乙", "310110016")).await;
        let b1 = insert(&db, &org(3, "丙", "310110001")).await;
        let mut tx = db.begin().await.unwrap();
        let mut ids = Vec::new();
        for (i, org) in [a1, a2, b1].into_iter().enumerate() {
            let p = PersonDraft {
                name: format!("人员{i}"),
                resident_id: ResidentId::from_body(&format!("3101101990030700{i}"), d(2026, 1, 1))
                    .unwrap(),
                phone: None,
                social_work_start_date: None,
                supervisor: false,
            };
            let pid = db.insert_person(&mut tx, &p, &sealed(&p)).await.unwrap();
            let e = Employment {
                start_date: d(2022, 4, 1),
                end_date: None,
                labour_contract: true,
                full_time: true,
                position: None,
            };
            db.insert_employment(&mut tx, pid, org, &e).await.unwrap();
            ids.push(pid);
        }
        tx.commit().await.unwrap();
        let listed = |scope: Scope| {
            let db = db.clone();
            async move {
                let page = db
                    .list_people(&scope, &PersonFilter::default(), 1, 50)
                    .await
                    .unwrap();
                assert_eq!(page.total, page.items.len() as i64);
                assert_eq!(db.count_people_in(&scope).await.unwrap(), page.total);
                let mut v: Vec<i64> = page.items.iter().map(|p| p.id).collect();
                v.sort_unstable();
                v
            }
        };
        assert_eq!(listed(Scope::District).await, ids, "{url}");
        assert_eq!(
            listed(Scope::Subdistrict("310110016".into())).await,
            vec![ids[0], ids[1]],
            "{url}"
        );
        assert_eq!(
            listed(Scope::Subdistrict("310110001".into())).await,
            vec![ids[2]],
            "{url}"
        );
        assert_eq!(listed(Scope::Organisation(a2)).await, vec![ids[1]], "{url}");
        assert!(listed(Scope::Nothing).await.is_empty(), "{url}");
        let outside = db.person(ids[2], &Scope::Organisation(a1)).await;
        assert!(matches!(outside, Err(StoreError::NotFound)), "{url}");
        let inside = db
            .person(ids[2], &Scope::Subdistrict("310110001".into()))
            .await;
        assert!(inside.is_ok(), "{url}");
    }
}

#[tokio::test]
async fn exports_read_every_kind_in_id_order() {
    for (db, url) in gongyi_testkit::databases().await {
        let id = insert(&db, &org(1, "甲", "310110016")).await;
        let mut tx = db.begin().await.unwrap();
        for year in 2022..2025 {
            db.insert_inspection(
                &mut tx,
                id,
                &Inspection {
                    year,
                    result: InspectionResult::Qualified,
                    date: Some(d(year + 1, 5, 1)),
                },
            )
            .await
            .unwrap();
        }
        db.insert_party_building(
            &mut tx,
            id,
            &PartyBuilding {
                date: d(2023, 1, 1),
                has_party_org: false,
                form: None,
                members: 0,
                in_charter: false,
                checked_at_registration: true,
                checked_at_inspection: false,
                checked_at_rating: false,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let first = db.export_batch("inspections", 0, 2, false).await.unwrap();
        assert_eq!(first.len(), 2, "{url}");
        assert_eq!(
            first[0].1,
            vec![
                Some(code('2', 1).to_string()),
                Some("2022".into()),
                Some("QUALIFIED".into()),
                Some("2023-05-01".into())
            ],
            "{url}"
        );
        let rest = db
            .export_batch("inspections", first[1].0, 2, false)
            .await
            .unwrap();
        assert_eq!(rest.len(), 1, "{url}");
        let party = db
            .export_batch("party-building", 0, 10, false)
            .await
            .unwrap();
        assert_eq!(
            party[0].1[2].as_deref().map(|b| matches!(b, "0" | "false")),
            Some(true),
            "{url}: {:?}",
            party[0].1
        );
        assert!(
            db.export_batch("nonsense", 0, 10, false)
                .await
                .unwrap()
                .is_empty(),
            "{url}"
        );
    }
}

#[tokio::test]
async fn a_stored_code_of_no_vocabulary_is_a_corrupt_row_not_a_panic() {
    for (db, url) in gongyi_testkit::databases().await {
        let id = insert(&db, &org(1, "甲", "310110016")).await;
        let set = |sql: &'static str| {
            let db = db.clone();
            async move {
                gongyi_store::on_db!(&db, p => sqlx::query(sql).bind(id).execute(p).await.unwrap().rows_affected());
            }
        };
        let corrupt = |r: Result<_, StoreError>| match r {
            Err(StoreError::Corrupt { column, source }) => (column, source.code),
            other => panic!("{url}: {other:?}"),
        };

        set("UPDATE organizations SET kind = 'COMPANY' WHERE id = $1").await;
        assert_eq!(
            corrupt(db.org_by_id(id).await.map(|_| ())),
            ("kind".to_string(), "COMPANY".to_string()),
            "{url}"
        );
        set("UPDATE organizations SET kind = 'FOUNDATION', stage = 'startup' WHERE id = $1").await;
        let list = db
            .list_orgs(&Scope::District, &OrgFilter::default(), 1, 10)
            .await;
        assert_eq!(
            corrupt(list.map(|_| ())),
            ("stage".to_string(), "startup".to_string()),
            "{url}: a code is read back exactly, not parsed as input"
        );
        set("UPDATE organizations SET stage = NULL WHERE id = $1").await;
        assert_eq!(db.org_by_id(id).await.unwrap().stage, None, "{url}");
    }
}

#[tokio::test]
async fn a_live_sqlite_database_can_be_backed_up() {
    let (db, _) = gongyi_testkit::sqlite().await;
    insert(&db, &org(1, "甲", "310110016")).await;
    let target = std::env::temp_dir().join(format!("gongyi-backup-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&target);
    db.backup_sqlite(&target.to_string_lossy()).await.unwrap();
    let copy = Db::connect(&format!("sqlite://{}", target.display()))
        .await
        .unwrap();
    assert_eq!(copy.count_orgs().await.unwrap(), 1);
    let _ = std::fs::remove_file(&target);
}

#[tokio::test]
async fn a_bid_is_replaced_in_place_and_a_call_step_is_taken_from_one_status_once() {
    use gongyi_domain::calls::{parse_criteria, CallInput, CallStatus};
    use gongyi_domain::catalogue::{ItemInput, Quota};
    use gongyi_store::calls::CallTransition;
    for (db, url) in gongyi_testkit::databases().await {
        let org_id = insert(&db, &org(1, "上海市杨浦区购买服务测试社", "310110016")).await;
        let at = chrono::Utc::now();
        let mut tx = db.begin().await.unwrap();
        let item = ItemInput {
            series: "邻里守望".into(),
            name: "独居老人探访".into(),
            service_field: "SOCIAL_SERVICE".into(),
            subdistricts: vec!["310110016".into()],
            description: None,
        };
        let item_id = db
            .insert_catalogue_item(&mut tx, &item, "b", at)
            .await
            .unwrap();
        let quota = Quota {
            year: 2026,
            projects: 1,
            amount: Fen::yuan(100_000),
        };
        db.set_catalogue_quota(&mut tx, item_id, &quota)
            .await
            .unwrap();
        let call = CallInput {
            title: "探访".into(),
            item_id,
            subdistrict: "310110016".into(),
            place: None,
            budget: Fen::yuan(50_000),
            requirements: "每周两次".into(),
            criteria: parse_criteria(&[("方案".into(), "100".into())]).unwrap(),
            enquiries_until: at,
            bids_until: at + chrono::Duration::days(1),
            standstill_days: 5,
        };
        let id = db
            .insert_call(&mut tx, &call, None, "salt", "b", at)
            .await
            .unwrap();
        let (bid, replaced) = db
            .put_bid(&mut tx, id, org_id, "b1:one", "o", at)
            .await
            .unwrap();
        assert!(!replaced, "{url}");
        let (again, replaced) = db
            .put_bid(&mut tx, id, org_id, "b1:two", "o", at)
            .await
            .unwrap();
        assert_eq!(
            (again, replaced),
            (bid, true),
            "{url}: one bid per organisation"
        );
        let (q, used) = db
            .quota_in_use(&mut tx, item_id, call.year())
            .await
            .unwrap();
        assert_eq!(
            (q, used.projects),
            (Some(quota), 0),
            "{url}: a draft uses no quota"
        );
        tx.commit().await.unwrap();
        let bids = db.bids_of_call(id).await.unwrap();
        assert_eq!(
            (bids.len(), bids[0].sealed.as_str(), bids[0].replaced),
            (1, "b1:two", 1),
            "{url}"
        );

        let step = |stored| CallTransition {
            action: "publish",
            stored,
            from: stored,
            to: CallStatus::Enquiries,
            actor_name: "b",
            actor_role: "bureau",
            note: None,
            awarded_bid: None,
            at,
        };
        let mut tx = db.begin().await.unwrap();
        db.transition_call(&mut tx, id, &step(CallStatus::Draft))
            .await
            .unwrap();
        let second = db
            .transition_call(&mut tx, id, &step(CallStatus::Draft))
            .await;
        assert!(
            matches!(second, Err(StoreError::Conflict)),
            "{url}: {second:?}"
        );
        tx.commit().await.unwrap();
        let row = db.call(id).await.unwrap();
        assert_eq!((row.status, row.bids), (CallStatus::Enquiries, 1), "{url}");
        assert!(row.published_at.is_some(), "{url}");
        assert_eq!(db.call_events(id).await.unwrap().len(), 1, "{url}");
        let mut tx = db.begin().await.unwrap();
        let (_, used) = db
            .quota_in_use(&mut tx, item_id, call.year())
            .await
            .unwrap();
        assert_eq!(
            (used.projects, used.amount),
            (1, Fen::yuan(50_000)),
            "{url}"
        );
        tx.commit().await.unwrap();
    }
}
