//! Every fact kind of the vectors contract through `gongyi import KIND` and
//! `gongyi export KIND`, on both databases: the kinds new to the registry
//! (leases, start-up applications, venture projects, competition wins,
//! supervisor reviews, senior-award decisions) import through the same path
//! as the others, are stamped as imports by the operator, and export back
//! as they were typed; a row naming an unknown organisation or person, or a
//! lease of a month already on record, is reported with its row and key and
//! nothing is written.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::transfer::{CsvSink, ImportError, ImportOutcome, RecordKind};
use gongyi_app::{Clock, Registry};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::facts::{FactKind, FactSource};
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::people::PersonInput;
use gongyi_domain::{CreditCode, ResidentId};
use gongyi_interchange::ReadOptions;
use gongyi_store::Backend;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fn credit_code(n: u32) -> String {
    let org = format!("MJ{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn resident_id(body: &str) -> String {
    ResidentId::from_body(body, today())
        .unwrap()
        .as_str()
        .to_string()
}

async fn registries() -> Vec<(Registry, &'static str)> {
    gongyi_testkit::databases()
        .await
        .into_iter()
        .map(|(db, _)| {
            let r = Registry::new(db, Clock::fixed(today()));
            let name = match r.store().backend() {
                Backend::Sqlite => "SQLite",
                Backend::Postgres => "PostgreSQL",
            };
            (r, name)
        })
        .collect()
}

/// One organisation and one person, as the operator registers them.
async fn owners(r: &Registry) -> (String, String) {
    let code = credit_code(501);
    r.create_org(&OrgInput {
        credit_code: code.clone(),
        name: "杨浦区睦邻创投服务社".into(),
        kind: "民办非企业单位".into(),
        community: "是".into(),
        subdistrict: "长海路街道".into(),
        registration_date: "2021-03-01".into(),
        registered_capital: "60000".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let rid = resident_id("31011019800101001");
    r.create_person(&PersonInput {
        name: "周敏".into(),
        resident_id: rid.clone(),
        supervisor: "是".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    (code, rid)
}

fn csv_of(kind: RecordKind, rows: &[Vec<String>]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut sink = CsvSink::new(&mut out, kind).unwrap();
    sink.write(rows.to_vec()).unwrap();
    sink.finish().unwrap();
    out
}

async fn import(
    r: &Registry,
    kind: RecordKind,
    rows: &[Vec<String>],
) -> Result<ImportOutcome, ImportError> {
    let bytes = csv_of(kind, rows);
    r.import(
        kind,
        &bytes,
        "facts.csv",
        &ReadOptions::default(),
        false,
        &|_, _| {},
    )
    .await
}

async fn exported(r: &Registry, kind: RecordKind, unmasked: bool) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    r.export_rows(kind, unmasked, &mut |rows| {
        all.extend(rows);
        Ok(())
    })
    .await
    .unwrap();
    all
}

fn row(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| c.to_string()).collect()
}

/// Rows of each new kind, in export form (as the exporter writes them), for
/// the organisation `code` and the person `rid`.
fn samples(code: &str, rid: &str) -> Vec<(RecordKind, Vec<Vec<String>>)> {
    vec![
        (
            RecordKind::Leases,
            vec![
                row(&[code, "2021-08", "600.00"]),
                row(&[code, "2021-09", "0.00"]),
            ],
        ),
        (
            RecordKind::StartupApplications,
            vec![row(&[code, "2021-09-15", "10000.00"])],
        ),
        (
            RecordKind::VentureProjects,
            vec![row(&[code, "GYCT-2022-017", "120000.50", "2022-04-01"])],
        ),
        (
            RecordKind::CompetitionWins,
            vec![
                row(&[
                    code,
                    "CY-2023-3",
                    "MUNICIPAL",
                    "2",
                    "80000.00",
                    "是",
                    "2023-10-20",
                ]),
                row(&[
                    code,
                    "CY-2023-3",
                    "DISTRICT",
                    "",
                    "5000.00",
                    "否",
                    "2023-05-20",
                ]),
            ],
        ),
        (
            RecordKind::SupervisorReviews,
            vec![row(&[rid, "2023", "97.5", "40"])],
        ),
        (
            RecordKind::SeniorAwardDecisions,
            vec![row(&[rid, "2024-03-01", "是", "项目组织创新"])],
        ),
    ]
}

#[tokio::test]
async fn each_new_fact_kind_imports_as_an_import_and_exports_as_typed() {
    for (r, backend) in registries().await {
        let (code, rid) = owners(&r).await;
        for (kind, rows) in samples(&code, &rid) {
            let fact = kind.fact_kind().unwrap();
            let outcome = import(&r, kind, &rows)
                .await
                .unwrap_or_else(|e| panic!("{backend}: {}: {e}", kind.name()));
            assert_eq!(outcome.imported, rows.len(), "{backend}: {}", kind.name());
            // Unmasked: the person's key comes back as the number imported.
            let back = exported(&r, kind, true).await;
            assert_eq!(back, rows, "{backend}: {} round trip", kind.name());
            let ids = r
                .store()
                .export_batch(kind.name(), 0, 100, false)
                .await
                .unwrap();
            for (id, _) in ids {
                let p = r.store().provenance(fact, id).await.unwrap();
                assert_eq!(p.source, FactSource::Import, "{backend}: {fact:?}");
                assert_eq!(p.stated_by, "system", "{backend}: {fact:?}");
                assert_eq!(p.verified_by.as_deref(), Some("system"), "{backend}");
            }
        }
        // The contract's name of the annual reviews reads as them.
        assert_eq!(
            RecordKind::parse("performance-ratings"),
            Some(RecordKind::Reviews)
        );
        assert_eq!(RecordKind::Reviews.fact_kind(), Some(FactKind::Review));
    }
}

#[tokio::test]
async fn facts_for_an_unknown_organisation_or_person_name_the_row_and_key_and_write_nothing() {
    for (r, backend) in registries().await {
        let (code, rid) = owners(&r).await;
        let nobody_org = credit_code(999);
        let nobody = resident_id("31011019850505005");
        let cases = [
            (
                RecordKind::Leases,
                vec![
                    row(&[&code, "2022-01", "500"]),
                    row(&[&nobody_org, "2022-01", "500"]),
                ],
                "统一社会信用代码",
                nobody_org.clone(),
            ),
            (
                RecordKind::CompetitionWins,
                vec![row(&[
                    &nobody_org,
                    "CY-1",
                    "NATIONAL",
                    "1",
                    "1000",
                    "是",
                    "2023-01-01",
                ])],
                "统一社会信用代码",
                nobody_org.clone(),
            ),
            (
                RecordKind::SupervisorReviews,
                vec![
                    row(&[&rid, "2022", "90", "10"]),
                    row(&[&nobody, "2022", "90", "10"]),
                ],
                "公民身份号码",
                // Reported masked: the message holds no full number.
                gongyi_domain::resident_id::mask_resident_id(&nobody),
            ),
        ];
        for (kind, rows, column, key) in cases {
            match import(&r, kind, &rows).await {
                Err(ImportError::Rows(e)) => {
                    let bad = rows.len() + 1;
                    let errors: Vec<_> = e.iter().collect();
                    assert_eq!(errors.len(), 1, "{backend}: {}: {e}", kind.name());
                    assert_eq!(errors[0].row, bad, "{backend}: {}: {e}", kind.name());
                    assert_eq!(errors[0].field, column, "{backend}: {}", kind.name());
                    assert!(
                        errors[0].message.contains(&key),
                        "{backend}: {}: {}",
                        kind.name(),
                        errors[0].message
                    );
                }
                other => panic!(
                    "{backend}: {}: expected a row error, got {other:?}",
                    kind.name()
                ),
            }
            assert!(
                exported(&r, kind, false).await.is_empty(),
                "{backend}: {}: the good row of a refused file was written",
                kind.name()
            );
        }
    }
}

#[tokio::test]
async fn a_lease_of_a_month_already_on_record_is_refused_naming_the_month() {
    for (r, backend) in registries().await {
        let (code, _) = owners(&r).await;
        import(&r, RecordKind::Leases, &[row(&[&code, "2022-03", "500"])])
            .await
            .unwrap();
        let again = vec![
            row(&[&code, "2022-04", "500"]),
            row(&[&code, "2022-03", "450"]),
        ];
        match import(&r, RecordKind::Leases, &again).await {
            Err(ImportError::Rows(e)) => {
                let errors: Vec<_> = e.iter().collect();
                assert_eq!(errors.len(), 1, "{backend}: {e}");
                assert_eq!(
                    (
                        errors[0].row,
                        errors[0].field.as_str(),
                        errors[0].code.as_str()
                    ),
                    (3, "租赁月份", "lease.overlap"),
                    "{backend}: {e}"
                );
            }
            other => panic!("{backend}: expected a row error, got {other:?}"),
        }
        assert_eq!(
            exported(&r, RecordKind::Leases, false).await.len(),
            1,
            "{backend}"
        );
    }
}
