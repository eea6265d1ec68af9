//! The scope condition in the SQL, on both databases: each organisation list,
//! count and facet and each application list, count and lookup returns only
//! rows inside the scope it is given, whatever the filter says.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::{NaiveDate, TimeZone, Utc};
use gongyi_domain::access::Scope;
use gongyi_domain::applications::{Actor, ApplicationDraft, Beneficiary, Role, SubsidyRule};
use gongyi_domain::orgs::{OrgDraft, OrgKind, OrgStatus};
use gongyi_domain::{CreditCode, Fen};
use gongyi_store::applications::{ApplicationFilter, BeneficiarySnapshot};
use gongyi_store::orgs::OrgFilter;
use gongyi_store::{Db, StoreError};

fn code(n: u32) -> CreditCode {
    let org8 = format!("MJ{n:06}");
    let check = gongyi_domain::credit_code::org_code_check(org8.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org8}{check}")).unwrap()
}

fn org(n: u32, sub: &str) -> OrgDraft {
    OrgDraft {
        credit_code: code(n),
        name: format!("第{n}睦邻中心"),
        kind: OrgKind::PrivateNonEnterprise,
        community: true,
        fresh_graduate: false,
        subdistrict: sub.into(),
        registration_date: NaiveDate::from_ymd_opt(2022, 3, 1).unwrap(),
        registered_capital: Fen::yuan(50_000),
        service_fields: vec![],
        address: None,
        legal_representative: None,
        contact_phone: None,
        status: OrgStatus::Normal,
        stage: None,
    }
}

/// Organisations 1 and 2 in sub-district A, 3 in B, each with an application.
async fn fill(db: &Db) -> (Vec<i64>, Vec<i64>) {
    let mut tx = db.begin().await.unwrap();
    let mut orgs = Vec::new();
    let mut apps = Vec::new();
    for (n, sub) in [(1, A), (2, A), (3, B)] {
        orgs.push(
            db.insert_org(&mut tx, &org(n, sub), &Default::default())
                .await
                .unwrap(),
        );
        let d = ApplicationDraft {
            rule: SubsidyRule::R3,
            beneficiary_kind: SubsidyRule::R3.beneficiary_kind(),
            beneficiary_id: code(n).as_str().into(),
            event_key: "2024-03".into(),
            requested: Fen::yuan(450),
        };
        let who = BeneficiarySnapshot {
            beneficiary: Beneficiary::Organisation(*orgs.last().unwrap()),
            name: format!("第{n}睦邻中心"),
            subdistrict_code: Some(sub.into()),
            needs_review: true,
        };
        let actor = Actor {
            name: "申请人".into(),
            role: Role::Organisation,
        };
        let at = Utc.with_ymd_and_hms(2024, 6, 1, 8, 0, 0).unwrap();
        apps.push(
            db.insert_application(&mut tx, &d, &who, &actor, &[], at)
                .await
                .unwrap(),
        );
    }
    tx.commit().await.unwrap();
    (orgs, apps)
}

const A: &str = "310110021";
const B: &str = "310110016";

#[tokio::test]
async fn every_list_count_and_lookup_stays_inside_its_scope() {
    for (db, url) in gongyi_testkit::databases().await {
        let (orgs, apps) = fill(&db).await;
        let cases: [(Scope, Vec<usize>); 5] = [
            (Scope::District, vec![0, 1, 2]),
            (Scope::Subdistrict(A.into()), vec![0, 1]),
            (Scope::Subdistrict(B.into()), vec![2]),
            (Scope::Organisation(orgs[1]), vec![1]),
            (Scope::Nothing, vec![]),
        ];
        for (scope, inside) in cases {
            let what = format!("{url} {scope:?}");
            let want: Vec<i64> = inside.iter().map(|i| orgs[*i]).collect();
            let all = OrgFilter::default();
            let mut got: Vec<i64> = db
                .list_orgs(&scope, &all, 1, 50)
                .await
                .unwrap()
                .items
                .iter()
                .map(|o| o.id)
                .collect();
            got.sort_unstable();
            assert_eq!(got, want, "{what}: list");
            let mut tx = db.begin_read().await.unwrap();
            let mut rows: Vec<i64> = db
                .org_rows_after(&mut tx, &scope, &all, None, 50)
                .await
                .unwrap()
                .iter()
                .map(|o| o.id)
                .collect();
            drop(tx);
            rows.sort_unstable();
            assert_eq!(rows, want, "{what}: rows");
            assert_eq!(
                db.count_orgs_in(&scope).await.unwrap(),
                want.len() as i64,
                "{what}: count"
            );
            // A facet's own filter is left out of its counts, never the scope.
            let by_b = OrgFilter {
                subdistrict: Some(B.into()),
                ..Default::default()
            };
            let facets = db.org_facets(&scope, &by_b).await.unwrap();
            let counted: i64 = facets.subdistrict.iter().map(|(_, n)| n).sum();
            assert_eq!(counted, want.len() as i64, "{what}: facets");
            let filtered = db.list_orgs(&scope, &by_b, 1, 50).await.unwrap();
            assert!(
                filtered.items.iter().all(|o| want.contains(&o.id)),
                "{what}: filter does not widen"
            );

            let want_apps: Vec<i64> = inside.iter().map(|i| apps[*i]).collect();
            let f = ApplicationFilter::default();
            let mut got: Vec<i64> = db
                .list_applications(&scope, &f, 1, 50)
                .await
                .unwrap()
                .items
                .iter()
                .map(|a| a.id)
                .collect();
            got.sort_unstable();
            assert_eq!(got, want_apps, "{what}: queue");
            let counted: i64 = db
                .application_status_counts(&scope, &f)
                .await
                .unwrap()
                .iter()
                .map(|(_, n)| n)
                .sum();
            assert_eq!(counted, want_apps.len() as i64, "{what}: queue counts");
            for id in &apps {
                let found = db.application_in(&scope, *id).await;
                if want_apps.contains(id) {
                    assert_eq!(found.unwrap().id, *id, "{what}");
                } else {
                    assert!(
                        matches!(found, Err(StoreError::NotFound)),
                        "{what}: {id} {found:?}"
                    );
                }
            }
        }
    }
}
