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
//!
//! A second race fires approvals of many different entitlements (each backed
//! by its recorded project) at one budget line with room for a few, while
//! others try to lower the line: the budget lock, not the entitlement's
//! uniqueness, is what must stop them, and the line never goes below zero.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use chrono::{NaiveDate, Utc};
use gongyi_app::applications::{ActionInput, ActorInput};
use gongyi_app::test_support::Record;
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

async fn round(base: &Registry, backend: &str, n: usize, org: &str, org_id: i64) {
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
    // The project the approval checks: its match is half its amount.
    Record(&r)
        .venture(
            org_id,
            &key,
            &Fen(AMOUNT.get() * 2).to_yuan_string(),
            "2024-01-10",
        )
        .await;
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
        let row = base.create_org(&org_input(&org)).await.unwrap();
        let t = Instant::now();
        for n in 0..ROUNDS {
            round(&base, backend, n, &org, row.id).await;
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

fn org_input(code: &str) -> OrgInput {
    OrgInput {
        credit_code: code.into(),
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
    }
}

/// Rounds of the many-entitlements race.
const LINE_ROUNDS: usize = 5;
/// Different entitlements (projects) approved at once per round.
const ENTITLEMENTS: usize = 40;
/// Approvals the line has room for (and half of one more).
const ROOM: usize = 10;
/// Actors trying to lower the line to room for `ROOM / 2` during the race.
const LOWERERS: usize = 5;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_entitlements_racing_for_one_budget_line_never_take_it_below_zero() {
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
        let row = base.create_org(&org_input(&org)).await.unwrap();
        let t = Instant::now();
        for n in 0..LINE_ROUNDS {
            line_round(&base, backend, n, &org, row.id).await;
        }
        eprintln!(
            "{backend}: {LINE_ROUNDS} rounds × {} concurrent approvals of different entitlements in {:.1} s",
            ENTITLEMENTS + LOWERERS,
            t.elapsed().as_secs_f64()
        );
    }
}

async fn line_round(base: &Registry, backend: &str, n: usize, org: &str, org_id: i64) {
    let year = 2030 + n as i32;
    let r = Registry::new(
        base.store().clone(),
        Clock::fixed(NaiveDate::from_ymd_opt(year, 6, 1).unwrap()),
    );
    let bureau = ActorInput {
        name: "预算员".into(),
        role: "bureau".into(),
    };
    let set = |amount: Fen, who: ActorInput| gongyi_app::applications::BudgetInput {
        rule: "R6".into(),
        year: year.to_string(),
        amount: amount.to_yuan_string(),
        actor: who,
    };
    let line = Fen(AMOUNT.get() * ROOM as i64 + AMOUNT.get() / 2);
    r.set_budget(&set(line, bureau.clone())).await.unwrap();
    let mut ids = Vec::new();
    for m in 0..ENTITLEMENTS {
        let key = format!("LR-{n}-{m:02}");
        Record(&r)
            .venture(
                org_id,
                &key,
                &Fen(AMOUNT.get() * 2).to_yuan_string(),
                "2024-01-10",
            )
            .await;
        let a = r
            .apply(
                &ApplicationInput {
                    rule: "R6".into(),
                    beneficiary_id: org.into(),
                    event_key: key,
                    requested: AMOUNT.to_yuan_string(),
                },
                vec![],
                &bureau,
            )
            .await
            .unwrap();
        ids.push(a.id);
    }

    let start = Arc::new(tokio::sync::Barrier::new(ENTITLEMENTS + LOWERERS));
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().copied().enumerate() {
        let (r, start) = (r.clone(), start.clone());
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            end_of(
                r.act(id, "approve", &act(format!("审批员{i}"), "bureau"))
                    .await,
            )
        }));
    }
    let lowered = Fen(AMOUNT.get() * (ROOM / 2) as i64);
    for i in 0..LOWERERS {
        let (r, start) = (r.clone(), start.clone());
        let who = ActorInput {
            name: format!("财务{i}"),
            role: "finance".into(),
        };
        let input = set(lowered, who);
        tasks.push(tokio::spawn(async move {
            start.wait().await;
            match r.set_budget(&input).await {
                Ok(_) => End::Done,
                Err(e) => match e {
                    AppError::Refused {
                        code: "budget.below_committed",
                        ..
                    } => End::Lost,
                    other => end_of(Err(other)),
                },
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // What lost a race to the database (locked, serialisation) may try
    // again now, one at a time; the line still decides.
    for id in &ids {
        let a = r.store().application(*id).await.unwrap();
        if a.status == Status::Submitted {
            let _ = r.act(*id, "approve", &act("复核员".into(), "bureau")).await;
        }
    }
    let status = r
        .store()
        .budget_line_status(SubsidyRule::R6, year)
        .await
        .unwrap();
    let approved = {
        let mut k = 0;
        for id in &ids {
            if r.store().application(*id).await.unwrap().status == Status::Approved {
                k += 1;
            }
        }
        k
    };
    assert!(
        status.remaining_fen() >= 0,
        "{backend} round {n}: the line went below zero: {status:?}"
    );
    assert_eq!(
        status.approved_fen,
        AMOUNT.get() * approved,
        "{backend} round {n}: what the line gave away is the approvals' sum"
    );
    // Full: no further approval fits (the line is either as set or lowered).
    assert!(
        status.remaining_fen() < AMOUNT.get(),
        "{backend} round {n}: room left for another approval: {status:?}"
    );
    assert!(
        (ROOM / 2..=ROOM).contains(&(approved as usize)),
        "{backend} round {n}: {approved} approved"
    );
    let history = r.budget_history("R6", &year.to_string()).await.unwrap();
    assert!(
        history
            .iter()
            .all(|e| [line.get(), lowered.get()].contains(&e.new_amount_fen)),
        "{backend} round {n}: {history:?}"
    );
    assert_eq!(
        history.last().map(|e| e.new_amount_fen),
        Some(status.amount_fen),
        "{backend} round {n}"
    );
}
