//! Import and export on both databases: an export re-imports into an empty
//! database and exports again unchanged (csv byte for byte, xlsx row for
//! row); files in other encodings, files that are not spreadsheets, wrong
//! headers and bad rows are refused with reasons and write nothing; exported
//! cells cannot run as formulas; masked exports hold no personal data.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::transfer::{CsvSink, ImportError, ImportOutcome, RecordKind};
use gongyi_app::{Clock, Registry};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::CreditCode;
use gongyi_interchange::{read_table, write_xlsx_to_vec, ReadError, ReadOptions, XlsxOptions};
use gongyi_store::Backend;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fn backend_name(r: &Registry) -> &'static str {
    match r.store().backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    }
}

/// A registry on a fresh database of each backend.
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

/// Two fresh databases per backend: (source, target, backend).
async fn pairs() -> Vec<(Registry, Registry, &'static str)> {
    let a = registries().await;
    let b = registries().await;
    a.into_iter()
        .zip(b)
        .map(|((x, name), (y, other))| {
            assert_eq!(
                name, other,
                "databases() returned backends in another order"
            );
            (x, y, name)
        })
        .collect()
}

async fn demo(r: &Registry) {
    r.load_demo(20, Some(10), 7, &|_, _| {})
        .await
        .unwrap_or_else(|e| panic!("{}: demo data did not load: {e:?}", backend_name(r)));
}

async fn export_rows(r: &Registry, kind: RecordKind, unmasked: bool) -> Vec<Vec<String>> {
    let mut all: Vec<Vec<String>> = Vec::new();
    r.export_rows(kind, unmasked, &mut |rows| {
        all.extend(rows);
        Ok(())
    })
    .await
    .unwrap_or_else(|e| {
        panic!(
            "{}: export of {} failed: {e:?}",
            backend_name(r),
            kind.name()
        )
    });
    all
}

async fn export_csv(r: &Registry, kind: RecordKind, unmasked: bool) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut sink = CsvSink::new(&mut out, kind).unwrap();
    r.export_rows(kind, unmasked, &mut |rows| sink.write(rows))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "{}: export of {} failed: {e:?}",
                backend_name(r),
                kind.name()
            )
        });
    sink.finish().unwrap();
    out
}

fn labels(kind: RecordKind) -> Vec<&'static str> {
    kind.columns().iter().map(|c| c.label).collect()
}

/// Rows padded with empty trailing cells to the kind's column count.
fn padded(kind: RecordKind, rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let n = kind.columns().len();
    rows.iter()
        .map(|r| {
            let mut r = r.clone();
            r.resize(n.max(r.len()), String::new());
            r
        })
        .collect()
}

fn xlsx_of(kind: RecordKind, rows: &[Vec<String>]) -> Vec<u8> {
    write_xlsx_to_vec(&labels(kind), padded(kind, rows), &XlsxOptions::default()).unwrap()
}

/// A csv file of `rows` under `kind`'s headers, written as exports are.
fn csv_of(kind: RecordKind, rows: &[Vec<String>]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut sink = CsvSink::new(&mut out, kind).unwrap();
    sink.write(padded(kind, rows)).unwrap();
    sink.finish().unwrap();
    out
}

async fn import(
    r: &Registry,
    kind: RecordKind,
    bytes: &[u8],
    file_name: &str,
    skip_invalid: bool,
) -> Result<ImportOutcome, ImportError> {
    r.import(
        kind,
        bytes,
        file_name,
        &ReadOptions::default(),
        skip_invalid,
        &|_, _| {},
    )
    .await
}

/// The first line where two csv files differ, for the failure message.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    for i in 0..la.len().max(lb.len()) {
        let (x, y) = (la.get(i), lb.get(i));
        if x != y {
            return format!("line {}:\n  first:  {x:?}\n  second: {y:?}", i + 1);
        }
    }
    "no line differs (line endings?)".into()
}

fn first_row_difference(a: &[Vec<String>], b: &[Vec<String>]) -> String {
    for i in 0..a.len().max(b.len()) {
        if a.get(i) != b.get(i) {
            return format!(
                "row {i} of {} / {}:\n  first:  {:?}\n  second: {:?}",
                a.len(),
                b.len(),
                a.get(i),
                b.get(i)
            );
        }
    }
    "no row differs".into()
}

/// Kinds the round trips must actually carry data for, so they are not vacuous.
const MUST_HAVE_ROWS: [RecordKind; 5] = [
    RecordKind::Organizations,
    RecordKind::People,
    RecordKind::Inspections,
    RecordKind::Finances,
    RecordKind::Employments,
];

#[tokio::test]
async fn a_csv_export_reimports_into_an_empty_database_and_exports_byte_for_byte_the_same() {
    for (src, dst, backend) in pairs().await {
        demo(&src).await;
        // RecordKind::ALL lists organisations, then people, then the rest.
        for &kind in RecordKind::ALL {
            let first = export_csv(&src, kind, true).await;
            let rows = export_rows(&src, kind, true).await.len();
            if MUST_HAVE_ROWS.contains(&kind) {
                assert!(rows > 0, "{backend}: the demo has no {}", kind.name());
            }
            let outcome = import(&dst, kind, &first, "export.csv", false)
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "{backend}: re-import of {} refused: {e}\n{e:?}",
                        kind.name()
                    )
                });
            assert_eq!(
                outcome.imported,
                rows,
                "{backend}: {}: imported {} of {rows} rows; skipped {:?}",
                kind.name(),
                outcome.imported,
                outcome.skipped
            );
            let second = export_csv(&dst, kind, true).await;
            assert!(
                first == second,
                "{backend}: {} export differs after the round trip at {}",
                kind.name(),
                first_difference(&first, &second)
            );
        }
    }
}

#[tokio::test]
async fn an_xlsx_export_reimports_into_an_empty_database_and_exports_row_for_row_the_same() {
    for (src, dst, backend) in pairs().await {
        demo(&src).await;
        for &kind in RecordKind::ALL {
            let first = export_rows(&src, kind, true).await;
            let bytes = xlsx_of(kind, &first);
            // The file itself reads back as written.
            let table = read_table(&bytes, "export.xlsx", &ReadOptions::default()).unwrap();
            assert_eq!(table.headers, labels(kind), "{backend}: {}", kind.name());
            let read: Vec<Vec<String>> = table
                .rows
                .iter()
                .map(|r| (0..table.width()).map(|i| r.get(i).to_string()).collect())
                .collect();
            assert!(
                read == first,
                "{backend}: {} xlsx reads back differently at {}",
                kind.name(),
                first_row_difference(&first, &read)
            );
            let outcome = import(&dst, kind, &bytes, "export.xlsx", false)
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "{backend}: re-import of {} refused: {e}\n{e:?}",
                        kind.name()
                    )
                });
            assert_eq!(outcome.imported, first.len(), "{backend}: {}", kind.name());
            let second = export_rows(&dst, kind, true).await;
            assert!(
                first == second,
                "{backend}: {} export differs after the xlsx round trip at {}",
                kind.name(),
                first_row_difference(&first, &second)
            );
        }
    }
}

#[tokio::test]

async fn a_round_trip_keeps_each_organisations_deregistration_date() {
    for (src, dst, backend) in pairs().await {
        demo(&src).await;
        // Whatever the demo holds, one organisation is surely deregistered.
        let some = src
            .store()
            .orgs_after("", 1000)
            .await
            .unwrap()
            .into_iter()
            .find(|o| {
                o.status.code() == "NORMAL"
                    && o.registration_date < NaiveDate::from_ymd_opt(2025, 6, 30).unwrap()
            })
            .expect("a normal organisation in the demo");
        src.deregister(&some.credit_code, some.version, "2025-06-30")
            .await
            .unwrap_or_else(|e| panic!("{backend}: deregistration refused: {e:?}"));
        for &kind in RecordKind::ALL {
            let bytes = export_csv(&src, kind, true).await;
            import(&dst, kind, &bytes, "export.csv", false)
                .await
                .unwrap_or_else(|e| panic!("{backend}: {}: {e}", kind.name()));
        }
        let before = src.store().orgs_after("", 1000).await.unwrap();
        let after = dst.store().orgs_after("", 1000).await.unwrap();
        let facts = |v: &[gongyi_store::orgs::OrgRow]| -> Vec<String> {
            v.iter()
                .map(|o| {
                    format!(
                        "{} {} deregistered {:?} rating {:?} {:?}",
                        o.credit_code,
                        o.status.code(),
                        o.deregistration_date,
                        o.current_rating,
                        o.current_rating_date
                    )
                })
                .collect()
        };
        let (b, a) = (facts(&before), facts(&after));
        let lost: Vec<(&String, &String)> = b.iter().zip(&a).filter(|(x, y)| x != y).collect();
        assert!(
            lost.is_empty() && b.len() == a.len(),
            "{backend}: organisations changed in the round trip (before, after): {lost:#?}\n\
             {} before, {} after",
            b.len(),
            a.len()
        );
    }
}

/// One organisation row in export column order.
fn org_row(code: &str, name: &str) -> Vec<String> {
    [
        code,
        name,
        "民办非企业单位",
        "是",
        "否",
        "长海路街道",
        "2024-03-01",
        "60000.00",
        "社会服务、卫生",
        "上海市杨浦区长海路 1 号",
        "王芳",
        "13812345678",
        "正常",
        "初创",
    ]
    .iter()
    .map(|s| s.to_string())
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

#[tokio::test]
async fn a_gbk_encoded_csv_from_chinese_excel_imports() {
    let rows = [
        org_row(&credit_code(101), "上海市杨浦区殷行社区睦邻中心"),
        org_row(&credit_code(102), "上海市杨浦区五角场镇（街道）助老服务社"),
    ];
    let utf8 = String::from_utf8(csv_of(RecordKind::Organizations, &rows)).unwrap();
    let text = utf8.trim_start_matches('\u{feff}');
    for (encoding, name) in [(encoding_rs::GBK, "GBK"), (encoding_rs::GB18030, "GB18030")] {
        let (bytes, _, unmappable) = encoding.encode(text);
        assert!(!unmappable, "{name} cannot encode the test file");
        assert!(
            std::str::from_utf8(&bytes).is_err(),
            "the {name} file is accidentally valid UTF-8"
        );
        for (r, backend) in registries().await {
            let outcome = import(&r, RecordKind::Organizations, &bytes, "名册.csv", false)
                .await
                .unwrap_or_else(|e| panic!("{backend}: {name} csv refused: {e}\n{e:?}"));
            assert_eq!(outcome.imported, 2, "{backend}: {name}");
            let o = r.org_page(&credit_code(102)).await.unwrap().org;
            assert_eq!(
                o.name, "上海市杨浦区五角场镇（街道）助老服务社",
                "{backend}: {name}: the name was decoded wrongly"
            );
        }
    }
}

#[tokio::test]
async fn a_picture_is_refused_as_not_a_spreadsheet() {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0".to_vec();
    png.extend_from_slice(&[0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0, b'I', b'E', b'N', b'D']);
    for (r, backend) in registries().await {
        for name in ["organizations.csv", "organizations.xlsx", "photo.png"] {
            let got = import(&r, RecordKind::Organizations, &png, name, false).await;
            assert!(
                matches!(got, Err(ImportError::Read(ReadError::NotASpreadsheet))),
                "{backend}: a PNG named {name} gave {got:?}"
            );
        }
        assert_eq!(r.store().count_orgs().await.unwrap(), 0, "{backend}");
    }
}

#[tokio::test]
async fn a_renamed_column_is_refused_naming_the_missing_and_the_unknown_column() {
    let good = csv_of(
        RecordKind::Organizations,
        &[org_row(&credit_code(201), "杨浦区改了列名服务社")],
    );
    let text = String::from_utf8(good).unwrap();
    let renamed = text.replacen("组织名称", "机构全称", 1);
    let dropped = text
        .replacen(",登记日期", "", 1)
        .replacen(",2024-03-01", "", 1);
    for (r, backend) in registries().await {
        match import(
            &r,
            RecordKind::Organizations,
            renamed.as_bytes(),
            "a.csv",
            false,
        )
        .await
        {
            Err(ImportError::Columns(e)) => {
                assert_eq!(e.missing, vec!["组织名称"], "{backend}: {e}");
                assert_eq!(e.unknown, vec!["机构全称".to_string()], "{backend}: {e}");
                assert!(e.to_string().contains("组织名称"), "{backend}: {e}");
            }
            other => panic!("{backend}: a renamed column gave {other:?}"),
        }
        match import(
            &r,
            RecordKind::Organizations,
            dropped.as_bytes(),
            "a.csv",
            false,
        )
        .await
        {
            Err(ImportError::Columns(e)) => {
                assert_eq!(e.missing, vec!["登记日期"], "{backend}: {e}");
            }
            other => panic!("{backend}: a missing column gave {other:?}"),
        }
        assert_eq!(r.store().count_orgs().await.unwrap(), 0, "{backend}");
    }
}

/// Three good rows (spreadsheet rows 2, 4, 6) and three bad ones (3, 5, 7).
fn mixed_rows() -> (Vec<Vec<String>>, Vec<(usize, &'static str)>) {
    let good = credit_code(301);
    let mut bad_check = credit_code(302);
    let last = bad_check.pop().unwrap();
    bad_check.push(if last == '1' { '2' } else { '1' });
    let mut negative = org_row(&credit_code(304), "杨浦区负数资金服务社");
    negative[7] = "-100".into();
    let mut bad_date = org_row(&credit_code(306), "杨浦区日期有误服务社");
    bad_date[6] = "2024-02-30".into();
    let rows = vec![
        org_row(&good, "杨浦区第一家好组织"),
        org_row(&bad_check, "杨浦区校验位有误服务社"),
        org_row(&credit_code(303), "杨浦区第二家好组织"),
        negative,
        org_row(&credit_code(305), "杨浦区第三家好组织"),
        bad_date,
    ];
    let expected = vec![
        (3, "统一社会信用代码"),
        (5, "注册资金(元)"),
        (7, "登记日期"),
    ];
    (rows, expected)
}

fn reported(e: &gongyi_interchange::RowErrors) -> Vec<(usize, String)> {
    e.iter().map(|x| (x.row, x.field.clone())).collect()
}

fn expected_report(v: &[(usize, &str)]) -> Vec<(usize, String)> {
    v.iter().map(|(r, f)| (*r, f.to_string())).collect()
}

#[tokio::test]
async fn a_file_with_three_bad_rows_reports_each_of_them_and_commits_nothing() {
    let (rows, expected) = mixed_rows();
    for (file, bytes) in [
        ("mixed.csv", csv_of(RecordKind::Organizations, &rows)),
        ("mixed.xlsx", xlsx_of(RecordKind::Organizations, &rows)),
    ] {
        for (r, backend) in registries().await {
            r.create_org(&OrgInput {
                credit_code: credit_code(300),
                name: "杨浦区早已登记的组织".into(),
                kind: "民办非企业单位".into(),
                community: "是".into(),
                subdistrict: "长海路街道".into(),
                registration_date: "2024-03-01".into(),
                registered_capital: "60000".into(),
                ..Default::default()
            })
            .await
            .unwrap();
            match import(&r, RecordKind::Organizations, &bytes, file, false).await {
                Err(ImportError::Rows(e)) => {
                    assert_eq!(
                        reported(&e),
                        expected_report(&expected),
                        "{backend}: {file}: report was\n{e}"
                    );
                    assert!(
                        e.iter().all(|x| !x.message.is_empty()),
                        "{backend}: {file}: {e}"
                    );
                }
                other => panic!("{backend}: {file}: expected row errors, got {other:?}"),
            }
            assert_eq!(
                r.store().count_orgs().await.unwrap(),
                1,
                "{backend}: {file}: good rows of a refused file were committed"
            );
        }
    }
}

#[tokio::test]
async fn skipping_invalid_rows_imports_the_good_ones_and_reports_the_bad_ones() {
    let (rows, expected) = mixed_rows();
    let bytes = csv_of(RecordKind::Organizations, &rows);
    for (r, backend) in registries().await {
        let outcome = import(&r, RecordKind::Organizations, &bytes, "mixed.csv", true)
            .await
            .unwrap_or_else(|e| panic!("{backend}: {e}\n{e:?}"));
        assert_eq!(outcome.imported, 3, "{backend}: {:?}", outcome.skipped);
        assert_eq!(
            reported(&outcome.skipped),
            expected_report(&expected),
            "{backend}: skipped\n{}",
            outcome.skipped
        );
        assert_eq!(r.store().count_orgs().await.unwrap(), 3, "{backend}");
        for n in [301, 303, 305] {
            r.org_page(&credit_code(n))
                .await
                .unwrap_or_else(|e| panic!("{backend}: row with code {n} missing: {e:?}"));
        }
    }
}

#[tokio::test]
async fn a_credit_code_twice_in_one_file_is_reported_and_a_registered_one_updates_that_organisation(
) {
    let rows = vec![
        org_row(&credit_code(401), "杨浦区第一次出现的组织"),
        org_row(&credit_code(402), "杨浦区另一个组织"),
        org_row(&credit_code(401), "杨浦区第二次出现的组织"),
        // Already registered: the row updates it (the export → Excel →
        // import round trip), inside a savepoint PostgreSQL needs.
        org_row(&credit_code(400), "杨浦区改名后的组织"),
        org_row(&credit_code(400), "杨浦区又一次改名的组织"),
        org_row(&credit_code(403), "杨浦区最后一个组织"),
    ];
    let bytes = csv_of(RecordKind::Organizations, &rows);
    for (r, backend) in registries().await {
        import(
            &r,
            RecordKind::Organizations,
            &csv_of(
                RecordKind::Organizations,
                &[org_row(&credit_code(400), "杨浦区早已登记的组织")],
            ),
            "first.csv",
            false,
        )
        .await
        .unwrap();
        match import(&r, RecordKind::Organizations, &bytes, "dup.csv", false).await {
            Err(ImportError::Rows(e)) => {
                let got: Vec<(usize, String, String)> = e
                    .iter()
                    .map(|x| (x.row, x.field.clone(), x.code.clone()))
                    .collect();
                assert_eq!(
                    got,
                    vec![
                        (4, "统一社会信用代码".into(), "duplicate_in_file".into()),
                        (6, "统一社会信用代码".into(), "duplicate_in_file".into()),
                    ],
                    "{backend}: report was\n{e}"
                );
            }
            other => panic!("{backend}: expected row errors, got {other:?}"),
        }
        assert_eq!(r.store().count_orgs().await.unwrap(), 1, "{backend}");
        assert_eq!(
            r.org_page(&credit_code(400)).await.unwrap().org.name,
            "杨浦区早已登记的组织",
            "{backend}: a refused file changed a registered organisation"
        );
        let outcome = import(&r, RecordKind::Organizations, &bytes, "dup.csv", true)
            .await
            .unwrap_or_else(|e| panic!("{backend}: {e}\n{e:?}"));
        assert_eq!(outcome.imported, 3, "{backend}: {}", outcome.skipped);
        assert_eq!(outcome.updated, 1, "{backend}");
        assert_eq!(r.store().count_orgs().await.unwrap(), 4, "{backend}");
        assert_eq!(
            r.org_page(&credit_code(401)).await.unwrap().org.name,
            "杨浦区第一次出现的组织",
            "{backend}: the first occurrence wins"
        );
        assert_eq!(
            r.org_page(&credit_code(400)).await.unwrap().org.name,
            "杨浦区改名后的组织",
            "{backend}: the registered organisation's first row is its update"
        );
    }
}

/// The bureau's everyday round trip: export masked (the default), change a
/// few cells in Excel, import the same file back. Only the edited rows
/// change; every masked phone and resident ID keeps the number stored.
#[tokio::test]
async fn a_masked_export_edited_and_imported_back_updates_the_edited_rows_and_keeps_masked_values()
{
    for (r, backend) in registries().await {
        demo(&r).await;
        // Organisations: rename one, change another's address.
        let orgs = export_rows(&r, RecordKind::Organizations, false).await;
        let with_phone: Vec<usize> = (0..orgs.len())
            .filter(|&i| !orgs[i][11].is_empty())
            .collect();
        assert!(with_phone.len() >= 2, "{backend}: demo orgs need phones");
        let (a, b) = (with_phone[0], with_phone[1]);
        let sealed_before: Vec<Option<String>> = {
            let mut v = Vec::new();
            for row in &orgs {
                let id = r.org(&row[0]).await.unwrap().id;
                v.push(r.store().org_phone_sealed(id).await.unwrap());
            }
            v
        };
        let mut edited = orgs.clone();
        edited[a][1] = format!("{}(更名)", orgs[a][1]);
        edited[b][9] = "上海市杨浦区国定路 1 号".into();
        let outcome = import(
            &r,
            RecordKind::Organizations,
            &xlsx_of(RecordKind::Organizations, &edited),
            "orgs.xlsx",
            false,
        )
        .await
        .unwrap_or_else(|e| panic!("{backend}: the round trip was refused: {e}"));
        assert_eq!(
            (outcome.imported, outcome.updated, outcome.unchanged),
            (0, 2, orgs.len() - 2),
            "{backend}"
        );
        let after = export_rows(&r, RecordKind::Organizations, false).await;
        assert_eq!(
            after, edited,
            "{backend}: the export shows exactly the edits"
        );
        for (i, row) in orgs.iter().enumerate() {
            let id = r.org(&row[0]).await.unwrap().id;
            assert_eq!(
                r.store().org_phone_sealed(id).await.unwrap(),
                sealed_before[i],
                "{backend}: the stored phone of row {i} changed"
            );
        }

        // People: rename one; every masked number stays as stored.
        let people = export_rows(&r, RecordKind::People, false).await;
        let unmasked_before = export_rows(&r, RecordKind::People, true).await;
        let mut edited = people.clone();
        edited[0][1] = "改名测试".into();
        let outcome = import(
            &r,
            RecordKind::People,
            &csv_of(RecordKind::People, &edited),
            "people.csv",
            false,
        )
        .await
        .unwrap_or_else(|e| panic!("{backend}: the people round trip was refused: {e}"));
        assert_eq!(
            (outcome.imported, outcome.updated, outcome.unchanged),
            (0, 1, people.len() - 1),
            "{backend}"
        );
        let mut expected = unmasked_before.clone();
        expected[0][1] = "改名测试".into();
        assert_eq!(
            export_rows(&r, RecordKind::People, true).await,
            expected,
            "{backend}: resident IDs and phones are the stored ones"
        );
    }
}

/// A row that sends a masked phone in a changed form is a new phone, and
/// must be a valid one: the row is refused by name, nothing is written.
#[tokio::test]
async fn an_edited_row_with_a_bad_phone_is_refused_on_its_row_and_writes_nothing() {
    for (r, backend) in registries().await {
        demo(&r).await;
        let orgs = export_rows(&r, RecordKind::Organizations, false).await;
        let mut edited = orgs.clone();
        edited[0][1] = format!("{}(更名)", orgs[0][1]);
        edited[1][11] = "12345".into();
        match import(
            &r,
            RecordKind::Organizations,
            &csv_of(RecordKind::Organizations, &edited),
            "orgs.csv",
            false,
        )
        .await
        {
            Err(ImportError::Rows(e)) => {
                let got: Vec<(usize, String)> =
                    e.iter().map(|x| (x.row, x.field.clone())).collect();
                assert_eq!(got, vec![(3, "联系电话".to_string())], "{backend}: {e}");
            }
            other => panic!("{backend}: expected a row error, got {other:?}"),
        }
        assert_eq!(
            export_rows(&r, RecordKind::Organizations, false).await,
            orgs,
            "{backend}: a refused file changed something"
        );
    }
}

#[tokio::test]
async fn history_rows_that_collide_with_stored_records_are_skipped_without_losing_the_others() {
    for (r, backend) in registries().await {
        let code = credit_code(501);
        import(
            &r,
            RecordKind::Organizations,
            &csv_of(
                RecordKind::Organizations,
                &[org_row(&code, "杨浦区年检测试服务社")],
            ),
            "o.csv",
            false,
        )
        .await
        .unwrap();
        let row = |year: &str| vec![code.clone(), year.into(), "合格".into(), String::new()];
        import(
            &r,
            RecordKind::Inspections,
            &csv_of(RecordKind::Inspections, &[row("2024")]),
            "i.csv",
            false,
        )
        .await
        .unwrap();
        let rows = vec![
            row("2025"),
            row("2024"), // already stored: a unique violation in the database
            vec![
                credit_code(599),
                "2024".into(),
                "合格".into(),
                String::new(),
            ],
            row("2023"), // before registration
        ];
        let bytes = csv_of(RecordKind::Inspections, &rows);
        match import(&r, RecordKind::Inspections, &bytes, "i.csv", false).await {
            Err(ImportError::Rows(e)) => {
                let got: Vec<(usize, String)> = reported(&e);
                assert_eq!(
                    got,
                    vec![
                        (3, "年检年度".to_string()),
                        (4, "统一社会信用代码".to_string()),
                        (5, "年检年度".to_string()),
                    ],
                    "{backend}: report was\n{e}"
                );
            }
            other => panic!("{backend}: expected row errors, got {other:?}"),
        }
        let years = |r: &Registry| {
            let r = r.clone();
            let code = code.clone();
            async move {
                let p = r.org_page(&code).await.unwrap();
                p.history
                    .inspections
                    .iter()
                    .map(|i| i.year)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(years(&r).await, vec![2024], "{backend}: refused file wrote");
        let outcome = import(&r, RecordKind::Inspections, &bytes, "i.csv", true)
            .await
            .unwrap_or_else(|e| panic!("{backend}: {e}\n{e:?}"));
        assert_eq!(outcome.imported, 1, "{backend}: {}", outcome.skipped);
        let mut got = years(&r).await;
        got.sort_unstable();
        assert_eq!(got, vec![2024, 2025], "{backend}");
    }
}

const DANGEROUS: [&str; 4] = [
    "=HYPERLINK(\"http://evil.example/\",\"点击查看\")",
    "+86 21 6543 2100 转 8",
    "-杨浦区某路 1 号",
    "@SUM(A1:A9)",
];

fn guarded_in_csv(cell: &str) -> bool {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@') => {
            // Plain numbers such as -5 are never formulas.
            cell[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
        }
        _ => true,
    }
}

#[tokio::test]
async fn exported_cells_that_could_run_as_formulas_are_neutralised_yet_reimport_unchanged() {
    for (src, dst, backend) in pairs().await {
        for (i, address) in DANGEROUS.iter().enumerate() {
            src.create_org(&OrgInput {
                credit_code: credit_code(600 + i as u32),
                name: format!("杨浦区公式测试服务社{i}"),
                kind: "民办非企业单位".into(),
                community: "是".into(),
                subdistrict: "310110021".into(),
                registration_date: "2024-03-01".into(),
                registered_capital: "60000".into(),
                address: (*address).into(),
                legal_representative: "=1+1".into(),
                ..Default::default()
            })
            .await
            .unwrap_or_else(|e| panic!("{backend}: {address:?} refused: {e:?}"));
        }
        let bytes = export_csv(&src, RecordKind::Organizations, true).await;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(&bytes[3..]);
        let mut seen = 0;
        for record in reader.records() {
            let record = record.unwrap();
            for cell in record.iter() {
                assert!(
                    guarded_in_csv(cell),
                    "{backend}: the csv cell {cell:?} would run as a formula"
                );
            }
            let address = record.get(9).unwrap();
            assert!(
                address.starts_with('\''),
                "{backend}: address {address:?} not guarded"
            );
            seen += 1;
        }
        assert_eq!(seen, DANGEROUS.len(), "{backend}");
        import(&dst, RecordKind::Organizations, &bytes, "o.csv", false)
            .await
            .unwrap_or_else(|e| panic!("{backend}: {e}\n{e:?}"));
        let xlsx = xlsx_of(
            RecordKind::Organizations,
            &export_rows(&src, RecordKind::Organizations, true).await,
        );
        let third = registries()
            .await
            .into_iter()
            .find(|(_, name)| *name == backend)
            .unwrap()
            .0;
        import(&third, RecordKind::Organizations, &xlsx, "o.xlsx", false)
            .await
            .unwrap_or_else(|e| panic!("{backend}: {e}\n{e:?}"));
        for (i, address) in DANGEROUS.iter().enumerate() {
            for (target, via) in [(&dst, "csv"), (&third, "xlsx")] {
                let o = target
                    .org_page(&credit_code(600 + i as u32))
                    .await
                    .unwrap()
                    .org;
                assert_eq!(
                    (o.address.as_deref(), o.legal_representative.as_deref()),
                    (Some(*address), Some("=1+1")),
                    "{backend}: via {via}"
                );
            }
        }
    }
}

/// Maximal runs of characters that can make up an ID number or a phone.
fn digit_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || (c == 'X' && !cur.is_empty()) {
            cur.push(c);
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

#[tokio::test]
async fn a_masked_export_contains_no_full_resident_id_or_phone_number() {
    let personal = [
        RecordKind::Organizations,
        RecordKind::People,
        RecordKind::Qualifications,
        RecordKind::Employments,
        RecordKind::Reviews,
    ];
    for (r, backend) in registries().await {
        demo(&r).await;
        let people = export_rows(&r, RecordKind::People, true).await;
        let orgs = export_rows(&r, RecordKind::Organizations, true).await;
        let mut secrets: Vec<String> = people
            .iter()
            .flat_map(|p| [p[2].clone(), p[3].clone()])
            .chain(orgs.iter().map(|o| o[11].clone()))
            .filter(|s| !s.is_empty())
            .collect();
        secrets.sort();
        secrets.dedup();
        assert!(
            secrets.iter().any(|s| s.len() == 18) && secrets.iter().any(|s| s.len() == 11),
            "{backend}: the demo has no IDs or phones to hide: {secrets:?}"
        );
        for kind in personal {
            let masked = String::from_utf8(export_csv(&r, kind, false).await).unwrap();
            let xlsx_rows = export_rows(&r, kind, false).await;
            let cells = xlsx_rows.concat().join("\n");
            for (text, how) in [(&masked, "csv"), (&cells, "rows")] {
                for s in &secrets {
                    assert!(
                        !text.contains(s.as_str()),
                        "{backend}: masked {} {how} export contains {s}",
                        kind.name()
                    );
                }
                for run in digit_runs(text) {
                    let id_like = run.len() >= 17;
                    let mobile_like = run.len() == 11 && run.starts_with('1');
                    assert!(
                        !id_like && !mobile_like,
                        "{backend}: masked {} {how} export contains {run:?}",
                        kind.name()
                    );
                }
            }
        }
        let masked_people = export_rows(&r, RecordKind::People, false).await;
        assert!(
            masked_people
                .iter()
                .all(|p| p[2].len() == 18 && &p[2][1..17] == "****************"),
            "{backend}: masked IDs look like {:?}",
            masked_people.iter().map(|p| &p[2]).collect::<Vec<_>>()
        );
    }
}

#[tokio::test]

async fn the_same_demo_exports_the_same_bytes_on_both_databases() {
    let all = registries().await;
    if all.len() < 2 {
        eprintln!("only one backend enabled; nothing to compare");
        return;
    }
    for (r, _) in &all {
        demo(r).await;
    }
    let mut differences = Vec::new();
    for &kind in RecordKind::ALL {
        for unmasked in [true, false] {
            let (first, first_name) = (&all[0].0, all[0].1);
            let reference = export_csv(first, kind, unmasked).await;
            for (other, name) in &all[1..] {
                let bytes = export_csv(other, kind, unmasked).await;
                if reference != bytes {
                    differences.push(format!(
                        "{} (unmasked {unmasked}), {first_name} vs {name}: {}",
                        kind.name(),
                        first_difference(&reference, &bytes)
                    ));
                }
            }
        }
    }
    assert!(
        differences.is_empty(),
        "exports differ between databases:\n{}",
        differences.join("\n")
    );
}
