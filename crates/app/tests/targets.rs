//! The plan's targets counted as `domain::targets` says, on hand-worked
//! cases, on SQLite and PostgreSQL: year ends, deregistration on a day,
//! revocation, organisations registered outside the district, employments
//! ending on the year's last day, qualifications obtained later, and a
//! worker who moved between sub-districts.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::test_support::Record;
use gongyi_app::{Clock, Registry};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::people::{PersonInput, QualificationLevel};
use gongyi_domain::{CreditCode, ResidentId};
use gongyi_store::Db;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

fn credit_code(n: u32) -> String {
    let org = format!("MJ{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

async fn sql(db: &Db, q: &str) {
    match db {
        Db::Sqlite(p) => sqlx::query(q).execute(p).await.map(|_| ()),
        Db::Postgres(p) => sqlx::query(q).execute(p).await.map(|_| ()),
    }
    .unwrap();
}

async fn org(r: &Registry, n: u32, sub: &str, registered: &str) -> i64 {
    r.create_org(&OrgInput {
        credit_code: credit_code(n),
        name: format!("杨浦区目标测试服务社{n}"),
        kind: "民办非企业单位".into(),
        subdistrict: sub.into(),
        registration_date: registered.into(),
        registered_capital: "100000".into(),
        ..Default::default()
    })
    .await
    .unwrap()
    .id
}

async fn person(r: &Registry, body: &str, name: &str) -> i64 {
    r.create_person(&PersonInput {
        name: name.into(),
        resident_id: ResidentId::from_body(body, today())
            .unwrap()
            .as_str()
            .to_string(),
        ..Default::default()
    })
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn targets_count_organisations_and_certified_workers_at_each_year_end() {
    for (db, url) in gongyi_testkit::databases().await {
        let r = Registry::new(db.clone(), Clock::fixed(today()));
        let f = Record(&r);
        let a = org(&r, 1, "长海路街道", "2021-05-01").await;
        let b = org(&r, 2, "殷行街道", "2022-03-01").await;
        let c = org(&r, 3, "长海路街道", "2023-01-01").await;
        let d = org(&r, 4, "殷行街道", "2024-12-31").await;
        let e = org(&r, 5, "殷行街道", "2021-01-01").await;
        let version = r.org(&credit_code(2)).await.unwrap().version;
        r.deregister(&credit_code(2), version, "2023-06-30")
            .await
            .unwrap();
        sql(
            &db,
            &format!("UPDATE organizations SET status = 'REVOKED' WHERE id = {c}"),
        )
        .await;
        sql(
            &db,
            &format!("UPDATE organizations SET in_district = FALSE WHERE id = {e}"),
        )
        .await;

        // P1: certified since 2020, at A from 2021: every year, 长海路.
        let p1 = person(&r, "31011019800101001", "甲").await;
        f.qualification(p1, QualificationLevel::Assistant, "2020-06-01")
            .await;
        f.contract(p1, a, "2021-01-01", None).await;
        // P2: at B from 2022, certified 2023-02-01, B deregistered 2023-06-30: never.
        let p2 = person(&r, "31011019800101002", "乙").await;
        f.qualification(p2, QualificationLevel::Assistant, "2023-02-01")
            .await;
        f.contract(p2, b, "2022-03-01", None).await;
        // P3: certified 2022; at A to 2023-12-31 (still there that day), at D from 2024-12-31.
        let p3 = person(&r, "31011019800101003", "丙").await;
        f.qualification(p3, QualificationLevel::Intermediate, "2022-01-01")
            .await;
        f.contract(p3, a, "2022-02-01", Some("2023-12-31")).await;
        f.contract(p3, d, "2024-12-31", None).await;
        // P4: at A, never certified; P5: certified, at the municipal E and the revoked C.
        let p4 = person(&r, "31011019800101004", "丁").await;
        f.contract(p4, a, "2021-01-01", None).await;
        let p5 = person(&r, "31011019800101005", "戊").await;
        f.qualification(p5, QualificationLevel::Senior, "2019-01-01")
            .await;
        f.contract(p5, e, "2021-01-01", None).await;
        f.contract(p5, c, "2023-01-01", None).await;

        let t = r.targets().await.unwrap();
        let years: Vec<(i32, i64, i64)> = t
            .years
            .iter()
            .map(|y| (y.year, y.organisations, y.social_workers))
            .collect();
        assert_eq!(
            years,
            [(2021, 1, 1), (2022, 2, 2), (2023, 1, 2), (2024, 2, 2)],
            "{url}"
        );
        let line = |name: &str| {
            let s = t.subdistricts.iter().find(|s| s.name == name).unwrap();
            (s.organisations, s.social_workers)
        };
        assert_eq!(line("长海路街道"), (1, 1), "{url}");
        assert_eq!(line("殷行街道"), (1, 1), "{url}");
        assert_eq!(line("定海路街道"), (0, 0), "{url}");
        assert_eq!(t.subdistricts.len(), 12, "{url}");
        assert!(!t.organisations.met(2) && t.organisations.missing(2) == 999);
    }
}
