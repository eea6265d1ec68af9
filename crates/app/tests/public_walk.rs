//! The public directory's keyset walk (downloads) on both databases: for
//! every order the directory offers, with and without filters, and batch
//! sizes that cut through rows tied on the sort key, the walk yields every
//! row exactly once, in the order of the paged listing. And the data version
//! moves with every change the public can see.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_app::orgs::{HistoryInput, OrgFilter, OrgSort};
use gongyi_app::{Clock, Registry};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::CreditCode;
use gongyi_store::Backend;

/// A district credit code outside the demo data's `MJ` series.
fn credit_code(n: u32) -> String {
    let org = format!("TX{n:06}");
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn org_input(code: &str, name: &str, registered: &str) -> OrgInput {
    OrgInput {
        credit_code: code.into(),
        name: name.into(),
        kind: "民办非企业单位".into(),
        community: "是".into(),
        fresh_graduate: "否".into(),
        subdistrict: "310110021".into(),
        registration_date: registered.into(),
        registered_capital: "60000".into(),
        service_fields: "社会服务".into(),
        address: "上海市杨浦区长海路 1 号".into(),
        legal_representative: "王芳".into(),
        contact_phone: String::new(),
        status: String::new(),
        stage: "初创".into(),
    }
}

/// Demo data plus twelve organisations of one name registered on one day and
/// five more of another name on another day: ties on every sort key but the
/// id (and the credit code).
async fn registries() -> Vec<(Registry, &'static str)> {
    let mut v = Vec::new();
    for (db, _) in gongyi_testkit::databases().await {
        let backend = match db.backend() {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        };
        let r = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
        );
        r.load_demo(60, Some(20), 7, &|_, _| {}).await.unwrap();
        for n in 0..12 {
            r.create_org(&org_input(
                &credit_code(n),
                "杨浦区同名助老服务中心",
                "2024-03-01",
            ))
            .await
            .unwrap();
        }
        for n in 12..17 {
            r.create_org(&org_input(&credit_code(n), "杨浦区助老驿站", "2024-03-01"))
                .await
                .unwrap();
        }
        v.push((r, backend));
    }
    v
}

async fn walked(r: &Registry, f: &OrgFilter, batch: i64) -> Vec<i64> {
    let mut walk = r.public_walk(f, batch, false).await.unwrap();
    let mut ids = Vec::new();
    while let Some(rows) = walk.next().await.unwrap() {
        assert!(rows.len() as i64 <= batch);
        ids.extend(rows.iter().map(|o| o.id));
    }
    ids
}

async fn listed(r: &Registry, f: &OrgFilter) -> Vec<i64> {
    let mut ids = Vec::new();
    for page in 1.. {
        let p = r.public_directory(f, page, 50).await.unwrap();
        ids.extend(p.items.iter().map(|o| o.id));
        if page >= p.pages() {
            return ids;
        }
    }
    ids
}

#[tokio::test]
async fn the_walk_yields_every_row_once_in_the_listing_order_for_every_sort() {
    for (r, backend) in registries().await {
        let total = r
            .public_directory(&OrgFilter::default(), 1, 1)
            .await
            .unwrap()
            .total;
        let sorts = [
            OrgSort::Name,
            OrgSort::RegistrationDateDesc,
            OrgSort::RegistrationDateAsc,
            OrgSort::CreditCode,
            OrgSort::Relevance,
        ];
        let mut filters = Vec::new();
        for sort in sorts {
            filters.push(OrgFilter {
                sort,
                ..Default::default()
            });
            filters.push(OrgFilter {
                subdistrict: Some("310110021".into()),
                sort,
                ..Default::default()
            });
        }
        // Relevance with a name query: where the fragment stands, the name's
        // length, then pinyin, then id.
        for q in ["助老", "老", "服务中心"] {
            filters.push(OrgFilter {
                q: Some(q.into()),
                sort: OrgSort::Relevance,
                ..Default::default()
            });
        }
        for f in &filters {
            let want = listed(&r, f).await;
            assert!(!want.is_empty(), "{backend}: {f:?} lists nothing");
            for batch in [1, 2, 5, 7, 1000] {
                let got = walked(&r, f, batch).await;
                let mut unique = got.clone();
                unique.sort_unstable();
                unique.dedup();
                assert_eq!(
                    unique.len(),
                    got.len(),
                    "{backend}: {f:?} batch {batch}: a row twice"
                );
                assert_eq!(got, want, "{backend}: {f:?} batch {batch}");
            }
        }
        let all = walked(&r, &OrgFilter::default(), 3).await;
        assert_eq!(all.len() as i64, total, "{backend}: every organisation");
    }
}

#[tokio::test]
async fn the_data_version_moves_with_each_change_the_public_sees() {
    for (r, backend) in registries().await {
        let mut seen = vec![r.public_version().await.unwrap()];
        let mut changed = |v: String, what: &str| {
            assert!(
                !seen.contains(&v),
                "{backend}: {what} left the version at {v}"
            );
            seen.push(v);
        };
        let code = credit_code(100);
        let created = r
            .create_org(&org_input(&code, "杨浦区新登记社工服务社", "2025-01-02"))
            .await
            .unwrap();
        changed(r.public_version().await.unwrap(), "a registration");
        r.update_org(
            &code,
            created.version,
            &org_input(&code, "杨浦区新登记社工服务中心", "2025-01-02"),
        )
        .await
        .unwrap();
        changed(r.public_version().await.unwrap(), "an edit");
        let rating = HistoryInput::from_fields("ratings", |k| match k {
            "level" => "3A".into(),
            "date" => "2025-06-01".into(),
            _ => String::new(),
        })
        .unwrap();
        r.add_history(&code, &rating).await.unwrap();
        changed(r.public_version().await.unwrap(), "a rating");
        let v = r.public_version().await.unwrap();
        assert_eq!(
            r.public_walk(&OrgFilter::default(), 10, true)
                .await
                .unwrap()
                .version,
            Some(v.clone()),
            "{backend}: the walk names its snapshot's version"
        );
        assert_eq!(
            r.public_version().await.unwrap(),
            v,
            "{backend}: reading changes nothing"
        );
    }
}
