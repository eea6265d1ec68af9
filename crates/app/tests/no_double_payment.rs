//! "A test fires 50 concurrent approvals and payments of the same
//! entitlement, 100 rounds, on SQLite and on PostgreSQL, and always finds
//! exactly one payment." (issue 4)
//!
//! Each round makes a fresh entitlement with three applications for it (two
//! inserted straight through the store, as two clerks submitting at the same
//! moment would get past the duplicate check), a budget line for a year of
//! its own, then fires 25 approvers and 25 payers at once on a multi-thread
//! runtime. Approvers try once; payers retry while their application is
//! still waiting for an approval. Even rounds give the line room for one
//! approval only, odd rounds room for three, so a tight balance is not what
//! stops the second approval. Lost races come back as
//! refusals or conflicts; "database is locked" and serialization failures
//! count as refusals too. Then the round checks: exactly one payment, exactly
//! one application approved-or-paid, the line never below zero.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::{NaiveDate, Utc};
use gongyi_app::applications::{ActionInput, ActorInput};
use gongyi_app::{AppError, Clock, Registry};
use gongyi_domain::applications::{Actor, ApplicationInput, Role, Status, SubsidyRule};
use gongyi_domain::credit_code::org_code_check;
use gongyi_domain::orgs::OrgInput;
use gongyi_domain::{CreditCode, Fen};
use gongyi_store::applications::BeneficiarySnapshot;
use gongyi_store::Backend;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROUNDS: usize = 100;
const APPROVERS: usize = 25;
const PAYERS: usize = 25;
const APPLICATIONS: usize = 3;
/// Each application asks for 3,000 yuan (R6 caps at 50,000).
const AMOUNT: Fen = Fen::yuan(3_000);

fn credit_code() -> String {
    let org = "MJ000001";
    let check = org_code_check(org.as_bytes()).unwrap();
    CreditCode::from_body(&format!("52310110{org}{check}"))
        .unwrap()
        .as_str()
        .to_string()
}

fn act(name: String, role: &str) -> ActionInput {
    ActionInput {
        actor: ActorInput {
            name,
            role: role.into(),
        },
        ..Default::default()
    }
}

/// How a step ended, for the round's tally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Done,
    /// Refused by the workflow, the budget or a guard, or lost a race.
    Lost,
    /// Not yet approved: a payer may try again.
    NotYet,
}

fn end_of(r: Result<gongyi_store::applications::ApplicationRow, AppError>) -> End {
    match r {
        Ok(_) => End::Done,
        Err(AppError::Refused {
            code: "workflow.wrong_status",
            ..
        }) => End::NotYet,
        Err(AppError::Refused { .. } | AppError::Conflict) => End::Lost,
        Err(AppError::Store(e)) => {
            let text = e.to_string().to_lowercase();
            let transient = [
                "locked",
                "busy",
                "serializ",
                "deadlock",
                "could not obtain lock",
            ]
            .iter()
            .any(|w| text.contains(w));
            assert!(transient, "an unexpected database error: {e}");
            End::Lost
        }
        Err(other) => panic!("an unexpected error: {other:?}"),
    }
}

async fn round(base: &Registry, backend: &str, n: usize, org: &str) {
    // A year of its own per round, so each round has a fresh budget line.
    let year = 2000 + n as i32;
    let r = Registry::new(
        base.store().clone(),
        Clock::fixed(NaiveDate::from_ymd_opt(year, 6, 1).unwrap()),
    );
    let room = if n.is_multiple_of(2) { 1 } else { 3 };
    r.set_budget(&gongyi_app::applications::BudgetInput {
        rule: "R6".into(),
        year: year.to_string(),
        amount: Fen(AMOUNT.get() * room + AMOUNT.get() / 2).to_yuan_string(),
        actor: ActorInput {
            name: "预算员".into(),
            role: "bureau".into(),
        },
    })
    .await
    .unwrap();
    let key = format!("VP-{n:03}");
    let first = r
        .apply(
            &ApplicationInput {
                rule: "R6".into(),
                beneficiary_id: org.into(),
                event_key: key.clone(),
                requested: AMOUNT.to_yuan_string(),
            },
            vec![],
            &ActorInput {
                name: "王芳".into(),
                role: "organisation".into(),
            },
        )
        .await
        .unwrap();
    let mut ids = vec![first.id];
    let draft = ApplicationInput {
        rule: "R6".into(),
        beneficiary_id: org.into(),
        event_key: key.clone(),
        requested: AMOUNT.to_yuan_string(),
    }
    .validate()
    .unwrap();
    for _ in 1..APPLICATIONS {
        let mut tx = r.store().begin().await.unwrap();
        let id = r
            .store()
            .insert_application(
                &mut tx,
                &draft,
                &BeneficiarySnapshot {
                    beneficiary: first.beneficiary(),
                    name: first.beneficiary_name.clone(),
                    subdistrict_code: first.subdistrict_code.clone(),
                    needs_review: false,
                },
                &Actor {
                    name: "区民政局经办".into(),
                    role: Role::Bureau,
                },
                &[],
                Utc::now(),
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        ids.push(id);
    }

    let approvers_done = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(tokio::sync::Barrier::new(APPROVERS + PAYERS));
    let mut tasks = Vec::new();
    for i in 0..APPROVERS {
        let (r, start, done) = (r.clone(), start.clone(), approvers_done.clone());
        let id = ids[i % APPLICATIONS];
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let e = end_of(
                r.act(id, "approve", &act(format!("审批员{i}"), "bureau"))
                    .await,
            );
            done.fetch_add(1, Ordering::SeqCst);
            ("approve", e)
        }));
    }
    for i in 0..PAYERS {
        let (r, start, done) = (r.clone(), start.clone(), approvers_done.clone());
        let id = ids[i % APPLICATIONS];
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                let settled = done.load(Ordering::SeqCst) == APPROVERS;
                match end_of(r.act(id, "pay", &act(format!("出纳{i}"), "finance")).await) {
                    // Once every approver is through, an application still
                    // waiting will never be approved in this round.
                    End::NotYet if !settled && Instant::now() < deadline => {
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                    End::NotYet => return ("pay", End::Lost),
                    e => return ("pay", e),
                }
            }
        }));
    }
    let mut approved = 0;
    let mut paid = 0;
    for t in tasks {
        match t.await.unwrap() {
            ("approve", End::Done) => approved += 1,
            ("pay", End::Done) => paid += 1,
            _ => {}
        }
    }

    let entitlement = gongyi_store::applications::EntitlementKey {
        rule: SubsidyRule::R6,
        beneficiary: first.beneficiary(),
        event_key: &key,
    };
    let payments = r.store().payments_for(entitlement).await.unwrap();
    assert_eq!(
        (payments.len(), approved, paid),
        (1, 1, 1),
        "{backend} round {n}: payments, successful approvals, successful payments"
    );
    assert_eq!(payments[0].amount_fen, AMOUNT.get(), "{backend} round {n}");
    let mut drawing = 0;
    for id in &ids {
        let a = r.store().application(*id).await.unwrap();
        let s = a.status;
        if s.draws_on_budget() {
            drawing += 1;
            assert_eq!(
                s,
                Status::Paid,
                "{backend} round {n}: {id} approved, never paid"
            );
        }
    }
    assert_eq!(
        drawing, 1,
        "{backend} round {n}: applications drawing on the line"
    );
    let line = r
        .store()
        .budget_line_status(SubsidyRule::R6, year)
        .await
        .unwrap();
    assert!(
        line.remaining_fen() >= 0,
        "{backend} round {n}: the line went below zero: {line:?}"
    );
    assert_eq!(line.paid_fen, AMOUNT.get(), "{backend} round {n}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_approvals_and_payments_of_one_entitlement_pay_it_exactly_once() {
    for (db, _url) in gongyi_testkit::databases().await {
        let backend = match db.backend() {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        };
        let base = Registry::new(
            db,
            Clock::fixed(NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()),
        );
        let org = credit_code();
        base.create_org(&OrgInput {
            credit_code: org.clone(),
            name: "青少年科技教育促进会".into(),
            kind: "民办非企业单位".into(),
            community: "否".into(),
            fresh_graduate: "否".into(),
            subdistrict: "310110016".into(),
            registration_date: "2022-03-01".into(),
            registered_capital: "200000".into(),
            service_fields: String::new(),
            address: String::new(),
            legal_representative: String::new(),
            contact_phone: String::new(),
            status: String::new(),
            stage: String::new(),
        })
        .await
        .unwrap();
        let t = Instant::now();
        for n in 0..ROUNDS {
            round(&base, backend, n, &org).await;
        }
        let total = base.ledger(None).await.unwrap();
        assert_eq!(
            total.iter().map(|l| l.payments).sum::<i64>(),
            ROUNDS as i64,
            "{backend}: one payment per round"
        );
        eprintln!(
            "{backend}: {ROUNDS} rounds × {} concurrent steps in {:.1} s",
            APPROVERS + PAYERS,
            t.elapsed().as_secs_f64()
        );
    }
}
