//! Migrations on rows an older schema wrote, on SQLite and PostgreSQL: the
//! database is migrated up to the version before, filled as the program of
//! that time would have filled it, then migrated to the end.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::{TimeZone, Utc};
use gongyi_domain::applications::{Actor, Beneficiary, Role, SubsidyRule};
use gongyi_domain::Fen;
use gongyi_store::{Backend, Db, StoreError};
use std::path::PathBuf;

/// Applies the migrations numbered below `version` only.
async fn migrate_before(db: &Db, version: i64) {
    let folder = match db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let from = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let to = std::env::temp_dir().join(format!(
        "gongyi-migrations-{folder}-{version}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&to).unwrap();
    for entry in std::fs::read_dir(&from).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let n: i64 = name.split('_').next().unwrap().parse().unwrap();
        if n < version {
            std::fs::copy(&path, to.join(&name)).unwrap();
        }
    }
    let m = sqlx::migrate::Migrator::new(to.as_path()).await.unwrap();
    match db {
        Db::Sqlite(p) => m.run(p).await.unwrap(),
        Db::Postgres(p) => m.run(p).await.unwrap(),
    }
}

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
    }
    .unwrap();
}

/// Two organisations, the first renamed OLD → MID → NEW by the bureau (as
/// the audit trail records), a person, and what 0004–0014 allowed: one R5
/// honour paid twice to the first organisation, under its old code and its
/// new one, and a paid R9 month of the person.
const BEFORE_0015: &str = "
INSERT INTO organizations (id, credit_code, name, name_pinyin, name_initials, kind, community,
  fresh_graduate, in_district, subdistrict_code, registration_date, registered_capital_fen, status)
VALUES (1, 'NEWCODE', '甲', 'jia', 'j', 'SOCIAL_GROUP', FALSE, FALSE, TRUE, '310110016', '2022-01-01', 0, 'NORMAL'),
       (2, 'OTHER', '乙', 'yi', 'y', 'SOCIAL_GROUP', FALSE, FALSE, TRUE, '310110016', '2022-01-01', 0, 'NORMAL');
INSERT INTO people (id, name, name_pinyin, name_initials, resident_id_lookup, birth_date, sex, supervisor)
VALUES (1, '李娜', 'lina', 'ln', 'L1', '1990-03-07', '女', FALSE);
INSERT INTO audit_log (seq, at, actor_name, actor_role, action, entity_kind, entity_id, changes, prev_mac, mac)
VALUES (1, '2024-01-01 08:00:00', 'b', 'bureau', 'update', 'organization', 'MIDCODE',
        '{\"credit_code\":[\"OLDCODE\",\"MIDCODE\"],\"name\":[\"丙\",\"甲\"]}', '', ''),
       (2, '2024-01-02 08:00:00', 'b', 'bureau', 'update', 'organization', 'NEWCODE',
        '{\"credit_code\":[\"MIDCODE\",\"NEWCODE\"]}', '', ''),
       (3, '2024-01-03 08:00:00', 'b', 'bureau', 'update', 'organization', 'OTHER',
        '{\"name\":[\"丁\",\"乙\"]}', '', '');
INSERT INTO budget_lines (id, rule, year, amount_fen, updated_by, updated_at)
VALUES (1, 'R5', 2024, 100000000, 'b', '2024-01-01 08:00:00'),
       (2, 'R9', 2024, 100000000, 'b', '2024-01-01 08:00:00');
INSERT INTO applications (id, rule, beneficiary_kind, beneficiary_id, beneficiary_name,
  subdistrict_code, needs_review, event_key, requested_fen, approved_fen, budget_year, status,
  applicant_name, applicant_role, approver_name, payer_name, submitted_at, updated_at)
VALUES (1, 'R5', 'organisation', 'OLDCODE', '丙', '310110016', FALSE, '全国先进|2024', 8000000,
        8000000, 2024, 'PAID', 'o', 'organisation', 'a', 'p', '2024-01-01 08:00:00', '2024-01-01 08:00:00'),
       (2, 'R5', 'organisation', 'NEWCODE', '甲', '310110016', FALSE, '全国先进|2024', 8000000,
        8000000, 2024, 'PAID', 'o', 'organisation', 'a', 'p', '2024-01-04 08:00:00', '2024-01-04 08:00:00'),
       (3, 'R5', 'organisation', 'OTHER', '乙', '310110016', FALSE, '全国先进|2024', 8000000,
        NULL, NULL, 'SUBMITTED', 'o', 'organisation', NULL, NULL, '2024-01-04 08:00:00', '2024-01-04 08:00:00'),
       (4, 'R9', 'person', 'P00000001', '李娜', '310110016', FALSE, '2024-01', 120000,
        120000, 2024, 'PAID', 'o', 'organisation', 'a', 'p', '2024-01-04 08:00:00', '2024-01-04 08:00:00'),
       (5, 'R5', 'organisation', 'NEWCODE', '甲', '310110016', FALSE, '全国先进|2024', 8000000,
        8000000, 2024, 'APPROVED', 'o', 'organisation', 'a', NULL, '2024-01-05 08:00:00', '2024-01-05 08:00:00');
INSERT INTO payments (id, application_id, rule, beneficiary_kind, beneficiary_id, event_key,
  amount_fen, budget_line_id, payer_name, paid_at)
VALUES (1, 1, 'R5', 'organisation', 'OLDCODE', '全国先进|2024', 8000000, 1, 'p', '2024-01-01 09:00:00'),
       (2, 2, 'R5', 'organisation', 'NEWCODE', '全国先进|2024', 8000000, 1, 'p', '2024-01-04 09:00:00'),
       (3, 4, 'R9', 'person', 'P00000001', '2024-01', 120000, 2, 'p', '2024-01-04 09:00:00');
";

#[tokio::test]
async fn migration_0015_keys_applications_and_payments_on_internal_ids() {
    for (db, url) in gongyi_testkit::empty_databases().await {
        migrate_before(&db, 15).await;
        exec(&db, BEFORE_0015).await;
        db.migrate().await.unwrap();

        let org = Beneficiary::Organisation(1);
        for (id, who) in [
            (1, org),
            (2, org),
            (3, Beneficiary::Organisation(2)),
            (4, Beneficiary::Person(1)),
            (5, org),
        ] {
            let a = db.application(id).await.unwrap();
            assert_eq!(a.beneficiary(), who, "{url}: application {id}");
        }
        // Lists show the code of today, whatever code the application named.
        assert_eq!(db.application(1).await.unwrap().beneficiary_id, "NEWCODE");

        // The double payment made before stays on record, under the one key.
        let paid = db.payments_of(org, Some(SubsidyRule::R5)).await.unwrap();
        assert_eq!(
            paid.iter().map(|p| p.application_id).collect::<Vec<_>>(),
            [1, 2],
            "{url}"
        );
        let person = db.payments_of(Beneficiary::Person(1), None).await.unwrap();
        assert_eq!(person.len(), 1, "{url}");

        // A third payment of the same honour is refused by the new key.
        let app = db.application(5).await.unwrap();
        let payer = Actor {
            name: "出纳".into(),
            role: Role::Finance,
        };
        let at = Utc.with_ymd_and_hms(2024, 6, 1, 8, 0, 0).unwrap();
        let mut tx = db.begin().await.unwrap();
        let third = db
            .insert_payment(&mut tx, &app, Fen(8_000_000), 1, &payer, at)
            .await;
        assert!(
            matches!(third, Err(StoreError::Duplicate { field: "payment" })),
            "{url}: {third:?}"
        );
    }
}

#[tokio::test]
async fn migration_0015_stops_on_an_application_whose_organisation_is_unknown() {
    for (db, url) in gongyi_testkit::empty_databases().await {
        migrate_before(&db, 15).await;
        exec(&db, BEFORE_0015).await;
        exec(
            &db,
            "UPDATE applications SET beneficiary_id = 'NOWHERE' WHERE id = 3",
        )
        .await;
        let e = db.migrate().await.expect_err("the migration stops");
        assert!(
            format!("{e:?}").contains("applications_beneficiary_registered"),
            "{url}: {e:?}"
        );
    }
}

/// Organisations' phones and people as 0008–0016 wrote them: the birth date
/// in clear beside masks that hid only it; the second person not yet sealed.
const BEFORE_0018: &str = "
INSERT INTO organizations (id, credit_code, name, name_pinyin, name_initials, kind, community,
  fresh_graduate, in_district, subdistrict_code, registration_date, registered_capital_fen, status,
  contact_phone_masked)
VALUES (1, 'A1', '甲', 'jia', 'j', 'SOCIAL_GROUP', FALSE, FALSE, TRUE, '310110016', '2022-01-01', 0, 'NORMAL',
        '021*****0000'),
       (2, 'A2', '乙', 'yi', 'y', 'SOCIAL_GROUP', FALSE, FALSE, TRUE, '310110016', '2022-01-01', 0, 'NORMAL',
        '138****5678'),
       (3, 'A3', '丙', 'bing', 'b', 'SOCIAL_GROUP', FALSE, FALSE, TRUE, '310110016', '2022-01-01', 0, 'NORMAL',
        NULL);
INSERT INTO people (id, name, name_pinyin, name_initials, resident_id_lookup, resident_id_sealed,
  resident_id_masked, birth_date, sex, phone_sealed, phone_masked, supervisor)
VALUES (1, '李娜', 'lina', 'ln', 'L1', 'S1', '310109********3027', '1990-03-07', '女', 'P1', '139****1234', FALSE),
       (2, '王强', 'wangqiang', 'wq', '310110198512310013', NULL, NULL, '1985-12-31', '男', NULL, NULL, FALSE);
";

#[tokio::test]
async fn migration_0018_keeps_the_birth_year_only_and_remasks_by_the_one_scheme() {
    use gongyi_domain::access::Scope;
    use gongyi_domain::resident_id::{mask_phone, mask_resident_id};
    for (db, url) in gongyi_testkit::empty_databases().await {
        migrate_before(&db, 18).await;
        exec(&db, BEFORE_0018).await;
        db.migrate().await.unwrap();

        let li = db.person(1, &Scope::District).await.unwrap();
        assert_eq!(li.birth_year, 1990, "{url}");
        // Cut from the old masks, the new ones are what the domain makes of
        // the full values.
        assert_eq!(
            (li.resident_id_masked.as_str(), li.phone_masked.as_deref()),
            (
                mask_resident_id("310109199003073027").as_str(),
                Some(mask_phone("13912341234").as_str())
            ),
            "{url}"
        );
        assert_eq!(li.resident_id_masked, "3****************7", "{url}");
        let wang = db.person(2, &Scope::District).await.unwrap();
        assert_eq!(
            (wang.birth_year, wang.resident_id_masked.as_str()),
            (1985, ""),
            "{url}: a row not yet sealed is masked when sealed"
        );
        let mut phones = Vec::new();
        for id in 1..=3 {
            phones.push(db.org_by_id(id).await.unwrap().contact_phone_masked);
        }
        assert_eq!(
            phones,
            [
                Some(mask_phone("021-65430000")),
                Some(mask_phone("13812345678")),
                None
            ],
            "{url}"
        );
        assert_eq!(phones[0].as_deref(), Some("021*******00"), "{url}");

        // The date is gone from the table, not merely unread.
        let gone = match &db {
            Db::Sqlite(p) => sqlx::query("SELECT birth_date FROM people")
                .fetch_all(p)
                .await
                .map(|_| ()),
            Db::Postgres(p) => sqlx::query("SELECT birth_date FROM people")
                .fetch_all(p)
                .await
                .map(|_| ()),
        };
        assert!(gone.is_err(), "{url}: birth_date is still a column");
    }
}

#[tokio::test]
async fn migration_0017_marks_facts_written_before_it_as_from_the_migration() {
    use gongyi_domain::facts::{FactKind, FactSource};
    for (db, url) in gongyi_testkit::empty_databases().await {
        migrate_before(&db, 17).await;
        exec(
            &db,
            "INSERT INTO organizations (id, credit_code, name, name_pinyin, name_initials, kind,
               community, fresh_graduate, in_district, subdistrict_code, registration_date,
               registered_capital_fen, status)
             VALUES (1, 'C1', '甲', 'jia', 'j', 'SOCIAL_GROUP', FALSE, FALSE, TRUE, '310110016',
               '2022-01-01', 0, 'NORMAL');
             INSERT INTO ratings (id, org_id, level, date) VALUES (1, 1, '5A', '2023-01-01');
             INSERT INTO leases (id, org_id, month, rent_paid_fen) VALUES (1, 1, '2023-02', 50000);",
        )
        .await;
        db.migrate().await.unwrap();
        for (kind, id) in [(FactKind::Rating, 1), (FactKind::Lease, 1)] {
            let p = db.provenance(kind, id).await.unwrap();
            assert_eq!(p.source, FactSource::Migration, "{url}: {kind:?}");
            assert_eq!(p.verified_by, None, "{url}: {kind:?}");
        }
    }
}
