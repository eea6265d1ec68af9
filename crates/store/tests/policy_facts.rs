//! The store contract for the policy facts (migration 0003) and the loader,
//! on SQLite and PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::NaiveDate;
use gongyi_domain::history::{
    Honour, HonourLevel, Inspection, InspectionResult, Rating, RatingLevel,
};
use gongyi_domain::orgs::{OrgDraft, OrgKind, OrgStatus};
use gongyi_domain::people::{
    AnnualReview, Employment, PerformanceRating, PersonDraft, Qualification, QualificationLevel,
};
use gongyi_domain::policy::facts::{CompetitionLevel, Score};
use gongyi_domain::policy::YearMonth;
use gongyi_domain::{CreditCode, Fen, ResidentId};
use gongyi_store::policy_facts::{
    org_fact_id, person_fact_id, CompetitionWinRecord, FactsScope, SeniorAwardRecord,
};
use gongyi_store::{Db, StoreError};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn code(n: u32, division: &str) -> CreditCode {
    let org8 = format!("MJ{n:06}");
    let check = gongyi_domain::credit_code::org_code_check(org8.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52{division}{org8}{check}")).unwrap()
}

fn org(n: u32, division: &str, sub: &str) -> OrgDraft {
    OrgDraft {
        credit_code: code(n, division),
        name: format!("上海市杨浦区测试服务中心{n}"),
        kind: OrgKind::PrivateNonEnterprise,
        community: false,
        fresh_graduate: false,
        subdistrict: sub.into(),
        registration_date: d(2022, 3, 1),
        registered_capital: Fen::yuan(100_000),
        service_fields: vec![],
        address: None,
        legal_representative: None,
        contact_phone: None,
        status: OrgStatus::Normal,
        stage: None,
    }
}

fn person(n: u32) -> PersonDraft {
    let body = format!("310110199001{:02}{:03}", 1 + n % 28, 100 + n);
    PersonDraft {
        name: format!("测试{n}"),
        resident_id: ResidentId::from_body(&body, d(2025, 1, 1)).unwrap(),
        phone: None,
        social_work_start_date: Some(d(2015, 6, 1)),
        supervisor: true,
    }
}

fn win(project: &str, date: NaiveDate, place: Option<u32>) -> CompetitionWinRecord {
    CompetitionWinRecord {
        project_id: project.into(),
        level: CompetitionLevel::Municipal,
        prize_place: place,
        amount: Fen(1_000_001),
        serves_district: true,
        date,
    }
}

/// Two organisations (one registered by the municipal bureau), a person
/// employed by the first, and one record of each policy fact.
async fn fill(db: &Db) -> (i64, i64, i64) {
    let mut tx = db.begin().await.unwrap();
    // Inserted out of credit-code order: the loader must not care.
    let b = db
        .insert_org(&mut tx, &org(2, "310000", "310110016"), &Default::default())
        .await
        .unwrap();
    let a = db
        .insert_org(&mut tx, &org(1, "310110", "310110001"), &Default::default())
        .await
        .unwrap();
    let i = |year, result, date| Inspection { year, result, date };
    db.insert_inspection(
        &mut tx,
        a,
        &i(
            2023,
            InspectionResult::BasicallyQualified,
            Some(d(2024, 5, 1)),
        ),
    )
    .await
    .unwrap();
    db.insert_inspection(&mut tx, a, &i(2022, InspectionResult::Qualified, None))
        .await
        .unwrap();
    db.insert_rating(
        &mut tx,
        a,
        &Rating {
            level: RatingLevel::A3,
            date: d(2023, 6, 1),
        },
    )
    .await
    .unwrap();
    for title in ["文明单位", "文明单位"] {
        db.insert_honour(
            &mut tx,
            a,
            &Honour {
                title: title.into(),
                level: HonourLevel::Municipal,
                date: d(2023, 9, 9),
            },
        )
        .await
        .unwrap();
    }
    for (m, fen) in [(4, 600_000), (3, 0)] {
        db.insert_lease(&mut tx, a, YearMonth::new(2023, m).unwrap(), Fen(fen))
            .await
            .unwrap();
    }
    db.insert_startup_application(&mut tx, a, d(2022, 9, 1), Fen(1_200_000))
        .await
        .unwrap();
    db.insert_venture_project(&mut tx, a, "GY2023-1", Fen(3_000_001), d(2023, 5, 5))
        .await
        .unwrap();
    db.insert_competition_win(&mut tx, a, &win("CP-1", d(2023, 11, 1), Some(2)))
        .await
        .unwrap();
    db.insert_competition_win(&mut tx, a, &win("CP-1", d(2022, 11, 1), None))
        .await
        .unwrap();
    let p = db
        .insert_person(&mut tx, &person(1), &sealed_of(&person(1)))
        .await
        .unwrap();
    let q = |level, date| Qualification {
        level,
        certificate_no: "X1".into(),
        date,
    };
    db.insert_qualification(&mut tx, p, &q(QualificationLevel::Senior, d(2022, 1, 1)))
        .await
        .unwrap();
    db.insert_qualification(
        &mut tx,
        p,
        &q(QualificationLevel::Intermediate, d(2023, 1, 1)),
    )
    .await
    .unwrap();
    let e = Employment {
        start_date: d(2022, 4, 1),
        end_date: None,
        labour_contract: true,
        full_time: true,
        position: None,
    };
    db.insert_employment(&mut tx, p, a, &e).await.unwrap();
    db.insert_review(
        &mut tx,
        p,
        &AnnualReview {
            year: 2022,
            training_hours: 20,
            performance: Some(PerformanceRating::Good),
        },
    )
    .await
    .unwrap();
    db.insert_review(
        &mut tx,
        p,
        &AnnualReview {
            year: 2023,
            training_hours: 20,
            performance: None,
        },
    )
    .await
    .unwrap();
    db.insert_supervisor_review(&mut tx, p, 2023, Score(975), 120)
        .await
        .unwrap();
    let decision = SeniorAwardRecord {
        decision_date: d(2023, 12, 1),
        innovative_contribution: true,
        reason: Some("牵头社区项目".into()),
    };
    db.insert_senior_award_decision(&mut tx, p, &decision)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (a, b, p)
}

#[tokio::test]
async fn policy_facts_are_stored_and_loaded_with_internal_ids() {
    for (db, url) in gongyi_testkit::databases().await {
        let (a, b, p) = fill(&db).await;
        let loaded = db.load_policy_facts(FactsScope::All).await.unwrap();
        let f = &loaded.facts;
        assert_eq!((f.org_count(), f.person_count()), (2, 1), "{url}");

        // Organisations by `O` + table id, never by credit code (it can
        // change); the municipal one is not a district one.
        let oid = org_fact_id(a);
        assert!(oid.starts_with('O') && oid.len() == 8, "{oid}");
        assert_eq!(f.find_org(code(1, "310110").as_str()), None, "{url}");
        let o = f.find_org(&oid).expect("org by fact id");
        let other = f.find_org(&org_fact_id(b)).expect("other org");
        assert!(f.org(o).in_district && !f.org(other).in_district, "{url}");
        assert_eq!(loaded.org_subdistrict(o), Some("310110001"), "{url}");
        assert_eq!(loaded.org_subdistrict(other), Some("310110016"), "{url}");

        // Inspections by year; a missing result date reads as "not yet recorded".
        let i = f.inspections(o);
        assert_eq!(i.len(), 2, "{url}");
        assert_eq!((i[0].year, i[0].date), (2022, NaiveDate::MAX), "{url}");
        assert_eq!(i[1].result, InspectionResult::BasicallyQualified, "{url}");
        assert_eq!(f.ratings(o).len(), 1, "{url}");
        assert_eq!(f.honours(o).len(), 2, "{url}");
        let leases = f.leases(o);
        assert_eq!(leases.len(), 2, "{url}");
        assert_eq!(leases[0].month.to_string(), "2023-03", "{url}");
        assert_eq!(leases[1].rent_paid, Fen(600_000), "{url}");
        assert_eq!(
            f.startup_applications(o)[0].requested,
            Fen(1_200_000),
            "{url}"
        );
        let v = f.venture_projects(o);
        assert_eq!(f.venture_project_id(v[0].project), "GY2023-1", "{url}");
        let projects = f.competition_projects_of(o);
        assert_eq!(projects.len(), 1, "{url}");
        let wins = f.competition_wins(projects[0]);
        assert_eq!(wins.len(), 2, "{url}");
        assert_eq!((wins[0].place, wins[1].place), (None, Some(2)), "{url}");

        // The person: never the resident ID; every qualification, the
        // highest as the current one, and the one held on each day.
        let pid = person_fact_id(p);
        assert!(pid.starts_with('P') && pid.len() == 9, "{pid}");
        let px = f.find_person(&pid).expect("person by fact id");
        let q = f.person(px).qualification.expect("qualification");
        assert_eq!(q.level, QualificationLevel::Senior, "{url}");
        assert_eq!(f.qualifications(px).len(), 2, "{url}");
        assert_eq!(f.qualification_on(px, d(2021, 12, 31)), None, "{url}");
        assert_eq!(
            f.qualification_on(px, d(2023, 6, 1))
                .map(|q| (q.level, q.date)),
            Some((QualificationLevel::Senior, d(2022, 1, 1))),
            "{url}: a later, lower qualification does not lower what is held"
        );
        assert_eq!(f.employments(px).len(), 1, "{url}");
        assert_eq!(f.employments(px)[0].org, o, "{url}");
        assert_eq!(
            f.performance(px).len(),
            1,
            "{url}: reviews without a rating are left out"
        );
        assert_eq!(f.supervisor_reviews(px)[0].score, Score(975), "{url}");
        assert_eq!(f.senior_award_decisions(px).len(), 1, "{url}");
        assert_eq!(
            loaded
                .person_subdistrict
                .first()
                .copied()
                .flatten()
                .map(|i| loaded.subdistricts[i as usize].as_str()),
            Some("310110001"),
            "{url}"
        );
        let rows: Vec<_> = loaded
            .input_rows
            .iter()
            .map(|(t, n)| format!("{t}={n}"))
            .collect();
        assert_eq!(
            rows.join(","),
            "organisations=2,annual_inspections=2,ratings=1,honours=2,leases=2,startup_applications=1,\
             venture_projects=1,competition_wins=2,people=1,qualifications=2,employments=1,performance_ratings=1,\
             supervisor_reviews=1,senior_award_decisions=1",
            "{url}"
        );

        // One organisation alone: its own events, no people.
        let one = db.load_policy_facts(FactsScope::Org(a)).await.unwrap();
        assert_eq!(
            (one.facts.org_count(), one.facts.person_count()),
            (1, 0),
            "{url}"
        );
        assert_eq!(
            one.facts.leases(gongyi_domain::policy::OrgIx(0)).len(),
            2,
            "{url}"
        );
    }
}

/// Approval evaluates one beneficiary: an organisation with the other
/// winners of its competition projects (R7 pays a project once), a person
/// with their employers and the other supervisors reviewed in the same
/// years (R10 ranks a year).
#[tokio::test]
async fn scoped_loads_bring_what_the_rules_of_one_beneficiary_need() {
    use gongyi_domain::policy::{claims_of_org, Policy, Rule, Window};
    for (db, url) in gongyi_testkit::databases().await {
        let (a, b, p) = fill(&db).await;
        let mut tx = db.begin().await.unwrap();
        // b won with a's project later: R7 has already paid the project.
        db.insert_competition_win(&mut tx, b, &win("CP-1", d(2024, 2, 1), Some(1)))
            .await
            .unwrap();
        let same_year = db
            .insert_person(&mut tx, &person(2), &sealed_of(&person(2)))
            .await
            .unwrap();
        db.insert_supervisor_review(&mut tx, same_year, 2023, Score(990), 10)
            .await
            .unwrap();
        let other_year = db
            .insert_person(&mut tx, &person(3), &sealed_of(&person(3)))
            .await
            .unwrap();
        db.insert_supervisor_review(&mut tx, other_year, 2022, Score(990), 10)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        let one = db.load_policy_facts(FactsScope::Org(b)).await.unwrap();
        let f = &one.facts;
        assert_eq!((f.org_count(), f.person_count()), (2, 0), "{url}");
        let ob = f.find_org(&org_fact_id(b)).unwrap();
        let oa = f.find_org(&org_fact_id(a)).unwrap();
        assert!(f.leases(oa).is_empty(), "{url}: only b's own events");
        let window = Window::new(d(2021, 7, 21), d(2025, 12, 31));
        let r7: Vec<_> = claims_of_org(f, &Policy::yangpu(), ob, window)
            .into_iter()
            .filter(|x| x.rule == Rule::R7)
            .map(|x| x.refusal().map(|r| r.code()))
            .collect();
        // b is municipal (not a district organisation) and the project was
        // paid to a first; either way b is refused, and only b's win shows.
        assert_eq!(r7.len(), 1, "{url}: {r7:?}");
        assert!(r7[0].is_some(), "{url}");

        let mine = db.load_policy_facts(FactsScope::Person(p)).await.unwrap();
        let f = &mine.facts;
        let ids: Vec<&str> = f.people().map(|x| f.person_id(x)).collect();
        assert_eq!(
            ids,
            [
                person_fact_id(p).as_str(),
                person_fact_id(same_year).as_str()
            ],
            "{url}: the person and who was reviewed in the same year"
        );
        assert_eq!(f.org_count(), 1, "{url}: the employer only");
        let px = f.find_person(&person_fact_id(p)).unwrap();
        let sx = f.find_person(&person_fact_id(same_year)).unwrap();
        assert_eq!(f.employments(px).len(), 1, "{url}");
        assert_eq!(f.qualifications(px).len(), 2, "{url}");
        assert_eq!(f.supervisor_reviews_of_year(2023).count(), 2, "{url}");
        assert!(f.employments(sx).is_empty() && f.performance(sx).is_empty());
        assert_eq!(f.senior_award_decisions(px).len(), 1, "{url}");
    }
}

#[tokio::test]
async fn repeated_unique_keys_of_policy_facts_are_refused() {
    for (db, url) in gongyi_testkit::databases().await {
        let (a, b, p) = fill(&db).await;
        let mut tx = db.begin().await.unwrap();
        let e = db
            .insert_lease(&mut tx, a, YearMonth::new(2023, 4).unwrap(), Fen(1))
            .await;
        assert!(
            matches!(e, Err(StoreError::Duplicate { field: "month" })),
            "{url}: {e:?}"
        );
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        let e = db
            .insert_venture_project(&mut tx, b, "GY2023-1", Fen(1), d(2024, 1, 1))
            .await;
        assert!(
            matches!(
                e,
                Err(StoreError::Duplicate {
                    field: "project_id"
                })
            ),
            "{url}: {e:?}"
        );
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        let e = db
            .insert_supervisor_review(&mut tx, p, 2023, Score(1), 1)
            .await;
        assert!(
            matches!(e, Err(StoreError::Duplicate { field: "year" })),
            "{url}: {e:?}"
        );
        drop(tx);
        let mut tx = db.begin().await.unwrap();
        let e = db
            .insert_startup_application(&mut tx, a, d(2024, 1, 1), Fen(0))
            .await;
        assert!(
            e.is_err(),
            "{url}: a request of 0 fen is refused by the table"
        );
        drop(tx);
        // Nothing of the refused inserts was kept.
        let loaded = db.load_policy_facts(FactsScope::All).await.unwrap();
        let o = loaded.facts.find_org(&org_fact_id(b)).unwrap();
        assert!(loaded.facts.venture_projects(o).is_empty(), "{url}");
    }
}

/// What the application writes for a person (the store holds no key).
fn sealed_of(p: &gongyi_domain::people::PersonDraft) -> gongyi_store::people::SealedPersonal {
    let rid = p.resident_id.as_str();
    gongyi_store::people::SealedPersonal {
        resident_id_lookup: format!("L{}", rid.chars().rev().collect::<String>()),
        resident_id_sealed: "v1:sealed".into(),
        resident_id_masked: p.resident_id.masked(),
        phone_sealed: None,
        phone_masked: None,
    }
}
