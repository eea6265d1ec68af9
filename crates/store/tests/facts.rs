//! The store contract for fact provenance and declarations (migration
//! 0017), on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::{NaiveDate, Utc};
use gongyi_domain::access::Scope;
use gongyi_domain::facts::{DeclarationStatus, FactKind, FactSource};
use gongyi_domain::history::{Inspection, InspectionResult};
use gongyi_domain::orgs::{OrgDraft, OrgKind, OrgStatus};
use gongyi_domain::policy::YearMonth;
use gongyi_domain::{CreditCode, Fen};
use gongyi_store::facts::{Decision, DeclarationFilter, NewDeclaration, Provenance};
use gongyi_store::StoreError;

fn org(n: u32, sub: &str) -> OrgDraft {
    let org8 = format!("MJ{n:06}");
    let check = gongyi_domain::credit_code::org_code_check(org8.as_bytes()).unwrap();
    OrgDraft {
        credit_code: CreditCode::from_body(&format!("52310110{org8}{check}")).unwrap(),
        name: format!("上海市杨浦区申报测试中心{n}"),
        kind: OrgKind::PrivateNonEnterprise,
        community: true,
        fresh_graduate: false,
        subdistrict: sub.into(),
        registration_date: NaiveDate::from_ymd_opt(2022, 3, 1).unwrap(),
        registered_capital: Fen::yuan(100_000),
        service_fields: vec![],
        address: None,
        legal_representative: None,
        contact_phone: None,
        status: OrgStatus::Normal,
        stage: None,
    }
}

#[tokio::test]
async fn a_fact_keeps_its_provenance_and_a_declaration_is_decided_once_by_another_account() {
    for (db, _) in gongyi_testkit::databases().await {
        let mut tx = db.begin().await.unwrap();
        let a = db
            .insert_org(&mut tx, &org(1, "310110021"), &Default::default())
            .await
            .unwrap();
        let b = db
            .insert_org(&mut tx, &org(2, "310110016"), &Default::default())
            .await
            .unwrap();
        let i = db
            .insert_inspection(
                &mut tx,
                a,
                &Inspection {
                    year: 2023,
                    result: InspectionResult::Qualified,
                    date: None,
                },
            )
            .await
            .unwrap();
        let lease = db
            .insert_lease(&mut tx, a, YearMonth::new(2023, 4).unwrap(), Fen(50_000))
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Rows a bulk load writes without saying are imports.
        assert_eq!(
            db.provenance(FactKind::Inspection, i).await.unwrap().source,
            FactSource::Import
        );
        let p = Provenance {
            source: FactSource::Record,
            stated_by: "officer".into(),
            stated_role: "bureau".into(),
            verified_by: Some("officer".into()),
            verified_at: Some(Utc::now()),
        };
        let mut tx = db.begin().await.unwrap();
        db.set_provenance(&mut tx, FactKind::Inspection, i, &p)
            .await
            .unwrap();
        assert!(db
            .lease_month_taken_tx(&mut tx, a, YearMonth::new(2023, 4).unwrap())
            .await
            .unwrap());
        assert!(!db
            .lease_month_taken_tx(&mut tx, a, YearMonth::new(2023, 5).unwrap())
            .await
            .unwrap());
        assert!(matches!(
            db.set_provenance(&mut tx, FactKind::Lease, lease + 100, &p)
                .await,
            Err(StoreError::NotFound)
        ));
        tx.commit().await.unwrap();
        let read = db.provenance(FactKind::Inspection, i).await.unwrap();
        assert_eq!(
            (read.source, read.stated_by.as_str(), read.verified_by),
            (FactSource::Record, "officer", Some("officer".into()))
        );

        let mut tx = db.begin().await.unwrap();
        let mut ids = vec![];
        for org_id in [a, b] {
            ids.push(
                db.insert_declaration(
                    &mut tx,
                    &NewDeclaration {
                        kind: FactKind::Lease,
                        org_id,
                        person_id: None,
                        payload: r#"{"month":"2023-05","rent_paid":"500"}"#,
                        stated_by: "org-account",
                        stated_role: "organisation",
                        stated_at: Utc::now(),
                    },
                )
                .await
                .unwrap(),
            );
        }
        tx.commit().await.unwrap();

        let pending = DeclarationFilter {
            status: Some(DeclarationStatus::Pending),
            ..Default::default()
        };
        let in_sub = db
            .declarations(&Scope::Subdistrict("310110021".into()), &pending, 50)
            .await
            .unwrap();
        assert_eq!(in_sub.len(), 1);
        assert_eq!(in_sub[0].org_id, a);
        assert_eq!(in_sub[0].kind, FactKind::Lease);
        assert_eq!(
            db.declarations(&Scope::District, &pending, 50)
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(db
            .declarations(&Scope::Nothing, &pending, 50)
            .await
            .unwrap()
            .is_empty());

        let decide = |by: &'static str| Decision {
            status: DeclarationStatus::Returned,
            decided_by: by,
            decided_at: Utc::now(),
            reason: Some("租金与合同不符"),
            fact_id: None,
        };
        // The database itself refuses a declaration decided by its declarant.
        let mut tx = db.begin().await.unwrap();
        assert!(db
            .decide_declaration(&mut tx, ids[0], &decide("org-account"))
            .await
            .is_err());
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        db.decide_declaration(&mut tx, ids[0], &decide("officer"))
            .await
            .unwrap();
        assert!(matches!(
            db.decide_declaration(&mut tx, ids[0], &decide("officer-2"))
                .await,
            Err(StoreError::Conflict)
        ));
        let row = db.declaration_tx(&mut tx, ids[0]).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(row.status, DeclarationStatus::Returned);
        assert_eq!(row.reason.as_deref(), Some("租金与合同不符"));
        assert_eq!(row.decided_by.as_deref(), Some("officer"));
    }
}
