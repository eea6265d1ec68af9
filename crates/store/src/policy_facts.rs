//! The facts the support rules read (扶持政策, `gongyi_domain::policy`):
//! inserts for the tables of migration 0003 (leases, start-up applications,
//! venture projects, competition wins, supervisor reviews, senior-award
//! decisions) and one loader that streams the whole registry into
//! [`gongyi_domain::policy::Facts`].
//!
//! The loader runs one query per table, each ordered by owner, inside one
//! read transaction, so a million organisations cost a dozen queries and one
//! consistent snapshot, never a query per organisation. Organisations are
//! known to the rules by `O` + their zero-padded table id ([`org_fact_id`]),
//! never by credit code, which the bureau can change; people by `P` + theirs
//! ([`person_fact_id`]), never by resident ID, which is personal data.
//! Every qualification a person holds is read, not only the highest: the
//! rules use the one held on each day. [`FactsScope`] cuts the load to what
//! one beneficiary's rules need (an approval, an organisation's page).
//!
//! What it deliberately does not do: decide anything (the domain does), or
//! keep payments (the applications workflow owns those tables).

use crate::query::{bind_all, Bind};
use crate::{on_db, on_tx, Db, Result, StoreError, Tx};
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use gongyi_domain::history::{HonourLevel, InspectionResult, RatingLevel};
use gongyi_domain::orgs::OrgKind;
use gongyi_domain::people::{PerformanceRating, QualificationLevel};
use gongyi_domain::policy::facts::{
    CompetitionLevel, CompetitionWin, Employment, Inspection, Lease, Org, OrgIx, Performance,
    Person, Qualification, Rating, Score, SeniorAwardDecision, StartupApplication,
};
use gongyi_domain::policy::{Facts, FactsBuilder, FactsError, YearMonth};
use gongyi_domain::{Fen, Invalid};
use std::collections::HashMap;

/// A prize won in a start-up competition (创业大赛), as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompetitionWinRecord {
    pub project_id: String,
    pub level: CompetitionLevel,
    /// 1 = 一等奖; `None` for an unranked prize such as 优秀奖.
    pub prize_place: Option<u32>,
    pub amount: Fen,
    pub serves_district: bool,
    pub date: NaiveDate,
}

/// A reviewer's decision on the senior social worker award (R11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeniorAwardRecord {
    pub decision_date: NaiveDate,
    pub innovative_contribution: bool,
    /// The reviewer's words, kept for the file; the rules do not read them.
    pub reason: Option<String>,
}

/// The id a person has in the facts: `P` + the table id, zero-padded to
/// eight digits so that string order is id order (as in the contract).
pub fn person_fact_id(id: i64) -> String {
    gongyi_domain::applications::person_key(id)
}

/// The id an organisation has in the facts: `O` + the table id, zero-padded
/// to seven digits (as in the contract).
pub fn org_fact_id(id: i64) -> String {
    gongyi_domain::applications::org_key(id)
}

/// The table id of a fact id made by [`person_fact_id`].
pub fn person_table_id(fact_id: &str) -> Option<i64> {
    fact_id.strip_prefix('P')?.parse().ok()
}

/// Which part of the registry to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FactsScope {
    /// Every organisation and person.
    All,
    /// One organisation (by table id) with its own events and no people,
    /// plus the wins of its competition projects by other organisations
    /// (with those organisations' registration facts): R7 pays a project
    /// once, whoever won with it. Enough for the organisation rules R2–R7.
    Org(i64),
    /// One person (by table id) with their own events and their employers'
    /// registration facts, plus everyone reviewed as a supervisor in the same
    /// years with their reviews and qualifications (R10 ranks a year's
    /// reviews). Enough for the person rules R9–R11.
    Person(i64),
}

impl FactsScope {
    /// `WHERE` for the organisations read.
    fn orgs(self) -> String {
        match self {
            FactsScope::All => String::new(),
            FactsScope::Org(id) => format!(
                " WHERE id = {id} OR id IN (SELECT w.org_id FROM competition_wins w WHERE w.project_id IN
                 (SELECT project_id FROM competition_wins WHERE org_id = {id}))"
            ),
            FactsScope::Person(id) => {
                format!(" WHERE id IN (SELECT org_id FROM employments WHERE person_id = {id})")
            }
        }
    }

    /// `WHERE` for an organisation's own events; `None`: not read.
    fn org_events(self, column: &str) -> Option<String> {
        match self {
            FactsScope::All => Some(String::new()),
            FactsScope::Org(id) => Some(format!(" WHERE {column} = {id}")),
            FactsScope::Person(_) => None,
        }
    }

    /// `WHERE` for competition wins; `None`: not read.
    fn wins(self) -> Option<String> {
        match self {
            FactsScope::All => Some(String::new()),
            FactsScope::Org(id) => Some(format!(
                " WHERE project_id IN (SELECT project_id FROM competition_wins WHERE org_id = {id})"
            )),
            FactsScope::Person(_) => None,
        }
    }

    /// The people read (as a set for `IN`), `None` for none, `Some("")`
    /// for all.
    fn people(self) -> Option<String> {
        match self {
            FactsScope::All => Some(String::new()),
            FactsScope::Org(_) => None,
            FactsScope::Person(id) => Some(format!(
                "(SELECT {id} UNION SELECT person_id FROM supervisor_reviews WHERE year IN
                 (SELECT year FROM supervisor_reviews WHERE person_id = {id}))"
            )),
        }
    }
}

/// The registry's facts with what the bureau's reports group them by.
#[derive(Debug)]
pub struct PolicyFacts {
    pub facts: Facts,
    /// Sub-district codes, in the order first met.
    pub subdistricts: Vec<String>,
    /// Index into `subdistricts` of each organisation, by [`OrgIx`].
    pub org_subdistrict: Vec<u32>,
    /// Each person's sub-district: that of the employer of the latest
    /// started employment; `None` without employment.
    pub person_subdistrict: Vec<Option<u32>>,
    /// Rows read per table, in the contract's table order.
    pub input_rows: Vec<(&'static str, u64)>,
}

impl PolicyFacts {
    pub fn org_subdistrict(&self, o: OrgIx) -> Option<&str> {
        let i = *self.org_subdistrict.get(o.0 as usize)?;
        self.subdistricts.get(i as usize).map(String::as_str)
    }
}

fn invalid(table: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(Invalid::one(
        table,
        "policy_facts.invalid",
        format!("{table}: {e}"),
    ))
}

fn facts_err(e: FactsError) -> StoreError {
    StoreError::Invalid(Invalid::one(
        "policy_facts",
        "policy_facts.invalid",
        e.to_string(),
    ))
}

fn vocab<T>(
    table: &str,
    parse: fn(&str, &str) -> std::result::Result<T, Invalid>,
    text: &str,
) -> Result<T> {
    parse(table, text).map_err(|e| invalid(table, e.first_message()))
}

fn u32_of(table: &str, v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| invalid(table, format!("数值 {v} 超出范围")))
}

fn i32_of(table: &str, v: i64) -> Result<i32> {
    i32::try_from(v).map_err(|_| invalid(table, format!("数值 {v} 超出范围")))
}

/// Organisation table ids with their fact ids and sub-districts, sorted by
/// id (the query's order), for resolving the owners of events.
struct OrgKeys {
    ids: Vec<i64>,
    codes: Vec<Box<str>>,
    subdistrict: Vec<u32>,
}

impl OrgKeys {
    fn find(&self, id: i64) -> Option<usize> {
        self.ids.binary_search(&id).ok()
    }

    fn code(&self, table: &str, id: i64) -> Result<&str> {
        self.find(id)
            .and_then(|i| self.codes.get(i))
            .map(|c| &**c)
            .ok_or_else(|| invalid(table, format!("组织 {id} 不存在")))
    }
}

type OrgRowT = (
    i64,
    String,
    bool,
    bool,
    bool,
    NaiveDate,
    Option<NaiveDate>,
    i64,
    String,
);
type WinRowT = (i64, String, String, Option<i64>, i64, bool, NaiveDate);
type EmploymentRowT = (i64, i64, NaiveDate, Option<NaiveDate>, bool, bool);

impl Db {
    pub async fn insert_lease(
        &self,
        tx: &mut Tx,
        org_id: i64,
        month: YearMonth,
        rent_paid: Fen,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO leases (org_id, month, rent_paid_fen) VALUES ($1, $2, $3) RETURNING id")
            .bind(org_id).bind(month.to_string()).bind(rent_paid.get())
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "month")))
    }

    pub async fn insert_startup_application(
        &self,
        tx: &mut Tx,
        org_id: i64,
        date: NaiveDate,
        requested: Fen,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO startup_applications (org_id, date, requested_fen) VALUES ($1, $2, $3) RETURNING id")
            .bind(org_id).bind(date).bind(requested.get())
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "date")))
    }

    pub async fn insert_venture_project(
        &self,
        tx: &mut Tx,
        org_id: i64,
        project_id: &str,
        amount: Fen,
        selected_date: NaiveDate,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO venture_projects (org_id, project_id, amount_fen, selected_date)
             VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(org_id).bind(project_id).bind(amount.get()).bind(selected_date)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "project_id")))
    }

    pub async fn insert_competition_win(
        &self,
        tx: &mut Tx,
        org_id: i64,
        w: &CompetitionWinRecord,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO competition_wins (org_id, project_id, level, prize_place, amount_fen, serves_district, date)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(org_id).bind(&w.project_id).bind(w.level.code()).bind(w.prize_place.map(i64::from))
            .bind(w.amount.get()).bind(w.serves_district).bind(w.date)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "date")))
    }

    pub async fn insert_supervisor_review(
        &self,
        tx: &mut Tx,
        person_id: i64,
        year: i32,
        score: Score,
        hours: u32,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO supervisor_reviews (person_id, year, score_tenths, hours) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(person_id).bind(i64::from(year)).bind(i64::from(score.0)).bind(i64::from(hours))
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "year")))
    }

    pub async fn insert_senior_award_decision(
        &self,
        tx: &mut Tx,
        person_id: i64,
        d: &SeniorAwardRecord,
    ) -> Result<i64> {
        on_tx!(tx, c => sqlx::query_scalar(
            "INSERT INTO senior_award_decisions (person_id, decision_date, innovative_contribution, reason)
             VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(person_id).bind(d.decision_date).bind(d.innovative_contribution).bind(&d.reason)
            .fetch_one(&mut **c).await.map_err(|e| StoreError::unique_as(e, "date")))
    }

    /// Reads the facts of `scope` in one read-only snapshot.
    pub async fn load_policy_facts(&self, scope: FactsScope) -> Result<PolicyFacts> {
        let mut tx = self.begin_read().await?;
        let loaded = load(&mut tx, scope).await?;
        // Nothing was written; ending the transaction either way is the same.
        tx.commit().await?;
        Ok(loaded)
    }
}

async fn load(tx: &mut Tx, scope: FactsScope) -> Result<PolicyFacts> {
    let mut b = FactsBuilder::new();
    let mut rows: Vec<(&'static str, u64)> = Vec::new();
    let mut subdistricts: Vec<String> = Vec::new();
    let mut sub_index: HashMap<String, u32> = HashMap::new();
    let mut keys = OrgKeys {
        ids: Vec::new(),
        codes: Vec::new(),
        subdistrict: Vec::new(),
    };

    // Organisations, in id order.
    let sql = format!(
        "SELECT id, kind, community, fresh_graduate, in_district, registration_date,
         deregistration_date, registered_capital_fen, subdistrict_code FROM organizations{} ORDER BY id",
        scope.orgs()
    );
    let mut n = 0u64;
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, OrgRowT>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "organizations";
            let org = Org {
                kind: vocab(t, OrgKind::parse, &r.1)?,
                community: r.2,
                fresh_graduate: r.3,
                in_district: r.4,
                registration_date: r.5,
                deregistration_date: r.6,
                registered_capital: Fen(r.7),
            };
            let id = org_fact_id(r.0);
            b.add_org(&id, org).map_err(facts_err)?;
            let next = u32::try_from(subdistricts.len()).unwrap_or(u32::MAX);
            let sub = *sub_index.entry(r.8.clone()).or_insert_with(|| {
                subdistricts.push(r.8.clone());
                next
            });
            keys.ids.push(r.0);
            keys.codes.push(id.into_boxed_str());
            keys.subdistrict.push(sub);
            n += 1;
        }
    });
    rows.push(("organisations", n));

    match scope.org_events("org_id") {
        Some(w) => load_org_events(tx, &mut b, &keys, &mut rows, &w).await?,
        None => rows.extend(ORG_EVENT_TABLES.iter().map(|t| (*t, 0))),
    }
    match scope.wins() {
        Some(w) => load_wins(tx, &mut b, &keys, &mut rows, &w).await?,
        None => rows.push(("competition_wins", 0)),
    }

    let mut person_sub: Vec<(String, u32)> = Vec::new();
    if let Some(set) = scope.people() {
        let person = match scope {
            FactsScope::Person(id) => Some(id),
            _ => None,
        };
        let only = Scoped { set, person };
        load_people(tx, &mut b, &keys, &mut rows, &mut person_sub, &only).await?;
    }

    let facts = b.build().map_err(facts_err)?;
    let mut org_subdistrict = vec![0u32; facts.org_count()];
    for (code, sub) in keys.codes.iter().zip(&keys.subdistrict) {
        if let Some(o) = facts.find_org(code) {
            if let Some(slot) = org_subdistrict.get_mut(o.0 as usize) {
                *slot = *sub;
            }
        }
    }
    let mut person_subdistrict = vec![None; facts.person_count()];
    for (pid, sub) in &person_sub {
        if let Some(p) = facts.find_person(pid) {
            if let Some(slot) = person_subdistrict.get_mut(p.0 as usize) {
                *slot = Some(*sub);
            }
        }
    }
    Ok(PolicyFacts {
        facts,
        subdistricts,
        org_subdistrict,
        person_subdistrict,
        input_rows: rows,
    })
}

/// The organisation event tables read by [`load_org_events`], in order.
const ORG_EVENT_TABLES: [&str; 6] = [
    "annual_inspections",
    "ratings",
    "honours",
    "leases",
    "startup_applications",
    "venture_projects",
];

/// An organisation's own events (R2–R6), under the condition `w`.
async fn load_org_events(
    tx: &mut Tx,
    b: &mut FactsBuilder,
    keys: &OrgKeys,
    rows: &mut Vec<(&'static str, u64)>,
    w: &str,
) -> Result<()> {
    // Inspections without a recorded date count as not yet decided: the
    // rules see a date after every application (R2 refuses "not yet recorded").
    let sql = format!(
        "SELECT org_id, year, result, date FROM inspections{} ORDER BY org_id, year",
        w
    );
    let mut n = 0u64;
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, i64, String, Option<NaiveDate>)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "inspections";
            let i = Inspection {
                year: i32_of(t, r.1)?,
                result: vocab(t, InspectionResult::parse, &r.2)?,
                date: r.3.unwrap_or(NaiveDate::MAX),
            };
            b.add_inspection(keys.code(t, r.0)?, i).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("annual_inspections", n));

    let sql = format!(
        "SELECT org_id, level, date FROM ratings{} ORDER BY org_id, date",
        w
    );
    let mut n = 0u64;
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, String, NaiveDate)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "ratings";
            let x = Rating { level: vocab(t, RatingLevel::parse, &r.1)?, date: r.2 };
            b.add_rating(keys.code(t, r.0)?, x).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("ratings", n));

    // Same-day honours keep their recording order (id): R5 pays the first.
    let sql = format!(
        "SELECT org_id, title, level, date FROM honours{} ORDER BY org_id, date, id",
        w
    );
    let mut n = 0u64;
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, String, String, NaiveDate)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "honours";
            let level = vocab(t, HonourLevel::parse, &r.2)?;
            b.add_honour(keys.code(t, r.0)?, &r.1, level, r.3).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("honours", n));

    let sql = format!(
        "SELECT org_id, month, rent_paid_fen FROM leases{} ORDER BY org_id, month",
        w
    );
    let mut n = 0u64;
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, String, i64)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "leases";
            let l = Lease {
                month: YearMonth::parse(t, &r.1).map_err(|e| invalid(t, e.first_message()))?,
                rent_paid: Fen(r.2),
            };
            b.add_lease(keys.code(t, r.0)?, l).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("leases", n));

    let sql = format!(
        "SELECT org_id, date, requested_fen FROM startup_applications{} ORDER BY org_id, date",
        w
    );
    let mut n = 0u64;
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, NaiveDate, i64)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "startup_applications";
            let a = StartupApplication { date: r.1, requested: Fen(r.2) };
            b.add_startup_application(keys.code(t, r.0)?, a).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("startup_applications", n));

    let sql = format!(
        "SELECT org_id, project_id, amount_fen, selected_date FROM venture_projects{} ORDER BY org_id, project_id",
        w
    );
    let mut n = 0u64;
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, String, i64, NaiveDate)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "venture_projects";
            b.add_venture_project(keys.code(t, r.0)?, &r.1, Fen(r.2), r.3).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("venture_projects", n));

    Ok(())
}

/// Competition wins (R7), under the condition `w`.
async fn load_wins(
    tx: &mut Tx,
    b: &mut FactsBuilder,
    keys: &OrgKeys,
    rows: &mut Vec<(&'static str, u64)>,
    w: &str,
) -> Result<()> {
    // Wins in recording order within a project and date: R7 pays the first.
    let sql = format!(
        "SELECT org_id, project_id, level, prize_place, amount_fen, serves_district, date
         FROM competition_wins{} ORDER BY org_id, date, id",
        w
    );
    let mut n = 0u64;
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, WinRowT>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "competition_wins";
            let w = CompetitionWin {
                org: OrgIx(0),
                project: 0,
                level: vocab(t, CompetitionLevel::parse, &r.2)?,
                place: r.3.map(|p| u32_of(t, p)).transpose()?,
                amount: Fen(r.4),
                serves_district: r.5,
                date: r.6,
            };
            b.add_competition_win(keys.code(t, r.0)?, &r.1, w).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("competition_wins", n));

    Ok(())
}

/// The people [`load_people`] reads: `set` for `IN` (empty: everyone), and
/// the one person whose own events are read (`None`: everyone's).
struct Scoped {
    set: String,
    person: Option<i64>,
}

impl Scoped {
    /// `WHERE` for a table of the people in the set.
    fn all(&self, column: &str) -> String {
        if self.set.is_empty() {
            String::new()
        } else {
            format!(" WHERE {column} IN {}", self.set)
        }
    }

    /// `WHERE` for a table of the one person's own events (with `and` added).
    fn own(&self, column: &str, and: &str) -> String {
        match (self.person, and.is_empty()) {
            (Some(id), true) => format!(" WHERE {column} = {id}"),
            (Some(id), false) => format!(" WHERE {column} = {id} AND {and}"),
            (None, true) => String::new(),
            (None, false) => format!(" WHERE {and}"),
        }
    }
}

async fn load_people(
    tx: &mut Tx,
    b: &mut FactsBuilder,
    keys: &OrgKeys,
    rows: &mut Vec<(&'static str, u64)>,
    person_sub: &mut Vec<(String, u32)>,
    only: &Scoped,
) -> Result<()> {
    let mut n = 0u64;
    let sql = format!(
        "SELECT id, social_work_start_date FROM people{} ORDER BY id",
        only.all("id")
    );
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, Option<NaiveDate>)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            // The qualifications follow as the person's history.
            let person = Person { qualification: None, social_work_start: r.1 };
            b.add_person(&person_fact_id(r.0), person).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("people", n));

    // Every qualification each person has held: the rules read the one held
    // on each day (subsidies.md, "Qualification history").
    let mut n = 0u64;
    let mut pid = (0i64, String::new());
    let sql = format!(
        "SELECT person_id, level, date FROM qualifications{} ORDER BY person_id, date, id",
        only.all("person_id")
    );
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, String, NaiveDate)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            if pid.1.is_empty() || pid.0 != r.0 {
                pid = (r.0, person_fact_id(r.0));
            }
            let q = Qualification { level: vocab("qualifications", QualificationLevel::parse, &r.1)?, date: r.2 };
            b.add_qualification(&pid.1, q).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("qualifications", n));

    let mut n = 0u64;
    let sql = format!(
        "SELECT person_id, org_id, start_date, end_date, labour_contract, full_time
         FROM employments{} ORDER BY person_id, start_date, id",
        only.own("person_id", "")
    );
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, EmploymentRowT>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "employments";
            if pid.1.is_empty() || pid.0 != r.0 {
                pid = (r.0, person_fact_id(r.0));
            }
            let e = Employment {
                org: OrgIx(0),
                start_date: r.2,
                end_date: r.3,
                labour_contract: r.4,
                full_time: r.5,
            };
            b.add_employment(&pid.1, keys.code(t, r.1)?, e).map_err(facts_err)?;
            // Ordered by start date: the last one seen is the latest employer.
            if let Some(sub) = keys.find(r.1).and_then(|i| keys.subdistrict.get(i)) {
                match person_sub.last_mut() {
                    Some((p, s)) if *p == pid.1 => *s = *sub,
                    _ => person_sub.push((pid.1.clone(), *sub)),
                }
            }
            n += 1;
        }
    });
    rows.push(("employments", n));

    let mut n = 0u64;
    let sql = format!(
        "SELECT person_id, year, performance FROM annual_reviews{} ORDER BY person_id, year",
        only.own("person_id", "performance IS NOT NULL")
    );
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, i64, String)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "annual_reviews";
            if pid.0 != r.0 {
                pid = (r.0, person_fact_id(r.0));
            }
            let x = Performance { year: i32_of(t, r.1)?, rating: vocab(t, PerformanceRating::parse, &r.2)? };
            b.add_performance(&pid.1, x).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("performance_ratings", n));

    let mut n = 0u64;
    let sql = format!(
        "SELECT person_id, year, score_tenths, hours FROM supervisor_reviews{} ORDER BY person_id, year",
        only.all("person_id")
    );
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, i64, i64, i64)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            let t = "supervisor_reviews";
            if pid.0 != r.0 {
                pid = (r.0, person_fact_id(r.0));
            }
            b.add_supervisor_review(&pid.1, i32_of(t, r.1)?, Score(u32_of(t, r.2)?), u32_of(t, r.3)?)
                .map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("supervisor_reviews", n));

    let mut n = 0u64;
    let sql = format!(
        "SELECT person_id, decision_date, innovative_contribution FROM senior_award_decisions{}
         ORDER BY person_id, decision_date",
        only.own("person_id", "")
    );
    on_tx!(tx, c => {
        let mut s = sqlx::query_as::<_, (i64, NaiveDate, bool)>(&sql).fetch(&mut **c);
        while let Some(r) = s.try_next().await? {
            if pid.0 != r.0 {
                pid = (r.0, person_fact_id(r.0));
            }
            let d = SeniorAwardDecision { date: r.1, innovative_contribution: r.2 };
            b.add_senior_award_decision(&pid.1, d).map_err(facts_err)?;
            n += 1;
        }
    });
    rows.push(("senior_award_decisions", n));
    Ok(())
}

/// Policy facts written many rows per statement (demo data, bulk loads).
#[derive(Debug, Default, Clone)]
pub struct PolicyFactsBatch {
    /// (organisation id, month, rent paid)
    pub leases: Vec<(i64, YearMonth, Fen)>,
    /// (organisation id, date, requested)
    pub applications: Vec<(i64, NaiveDate, Fen)>,
    /// (organisation id, project id, amount, selected date)
    pub ventures: Vec<(i64, String, Fen, NaiveDate)>,
    pub wins: Vec<(i64, CompetitionWinRecord)>,
    /// (person id, year, score, hours)
    pub reviews: Vec<(i64, i32, Score, u32)>,
    pub decisions: Vec<(i64, SeniorAwardRecord)>,
}

/// Rows per statement: SQLite allows 32,766 bound values, PostgreSQL 65,535.
const ROWS_PER_STATEMENT: usize = 1_000;

/// `INSERT INTO table (cols) VALUES (…), (…)` in chunks.
async fn insert_many(tx: &mut Tx, table: &str, cols: &[&str], rows: Vec<Vec<Bind>>) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut n = 0;
        for (i, _) in chunk.iter().enumerate() {
            sql.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..cols.len() {
                n += 1;
                sql.push_str(&format!("{}${n}", if j == 0 { "" } else { ", " }));
            }
            sql.push(')');
        }
        let binds: Vec<&Bind> = chunk.iter().flatten().collect();
        on_tx!(tx, c => bind_all!(sqlx::query(&sql), binds.iter().copied())
            .execute(&mut **c).await.map_err(|e| StoreError::unique_as(e, "policy_facts"))?.rows_affected());
    }
    Ok(())
}

impl Db {
    /// Writes a batch of policy facts; a repeated unique key fails it whole.
    pub async fn bulk_insert_policy_facts(&self, tx: &mut Tx, b: &PolicyFactsBatch) -> Result<()> {
        let rows = b
            .leases
            .iter()
            .map(|(o, m, f)| vec![Bind::Int(*o), Bind::Text(m.to_string()), Bind::Int(f.get())])
            .collect();
        insert_many(tx, "leases", &["org_id", "month", "rent_paid_fen"], rows).await?;
        let rows = b
            .applications
            .iter()
            .map(|(o, d, f)| vec![Bind::Int(*o), Bind::Date(*d), Bind::Int(f.get())])
            .collect();
        insert_many(
            tx,
            "startup_applications",
            &["org_id", "date", "requested_fen"],
            rows,
        )
        .await?;
        let rows = b
            .ventures
            .iter()
            .map(|(o, p, f, d)| {
                vec![
                    Bind::Int(*o),
                    Bind::Text(p.clone()),
                    Bind::Int(f.get()),
                    Bind::Date(*d),
                ]
            })
            .collect();
        insert_many(
            tx,
            "venture_projects",
            &["org_id", "project_id", "amount_fen", "selected_date"],
            rows,
        )
        .await?;
        // Bind has no optional integer: unranked prizes leave prize_place NULL.
        let win_row = |o: i64, w: &CompetitionWinRecord| {
            let mut r = vec![
                Bind::Int(o),
                Bind::Text(w.project_id.clone()),
                Bind::Text(w.level.code().into()),
                Bind::Int(w.amount.get()),
                Bind::Bool(w.serves_district),
                Bind::Date(w.date),
            ];
            if let Some(p) = w.prize_place {
                r.push(Bind::Int(i64::from(p)));
            }
            r
        };
        let cols = [
            "org_id",
            "project_id",
            "level",
            "amount_fen",
            "serves_district",
            "date",
        ];
        let (ranked, unranked): (Vec<_>, Vec<_>) =
            b.wins.iter().partition(|(_, w)| w.prize_place.is_some());
        let rows = unranked.iter().map(|(o, w)| win_row(*o, w)).collect();
        insert_many(tx, "competition_wins", &cols, rows).await?;
        let rows = ranked.iter().map(|(o, w)| win_row(*o, w)).collect();
        let mut with_place = cols.to_vec();
        with_place.push("prize_place");
        insert_many(tx, "competition_wins", &with_place, rows).await?;
        let rows = b
            .reviews
            .iter()
            .map(|(p, y, s, h)| {
                vec![
                    Bind::Int(*p),
                    Bind::Int(i64::from(*y)),
                    Bind::Int(i64::from(s.0)),
                    Bind::Int(i64::from(*h)),
                ]
            })
            .collect();
        insert_many(
            tx,
            "supervisor_reviews",
            &["person_id", "year", "score_tenths", "hours"],
            rows,
        )
        .await?;
        let rows = b
            .decisions
            .iter()
            .map(|(p, d)| {
                vec![
                    Bind::Int(*p),
                    Bind::Date(d.decision_date),
                    Bind::Bool(d.innovative_contribution),
                    Bind::OptText(d.reason.clone()),
                ]
            })
            .collect();
        insert_many(
            tx,
            "senior_award_decisions",
            &[
                "person_id",
                "decision_date",
                "innovative_contribution",
                "reason",
            ],
            rows,
        )
        .await
    }

    /// Organisations after `after` by id: (id, registration date, in district),
    /// for generating demo facts in batches.
    pub async fn org_registrations_after(
        &self,
        after: i64,
        batch: i64,
    ) -> Result<Vec<(i64, NaiveDate, bool)>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT id, registration_date, in_district FROM organizations WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(after).bind(batch).fetch_all(p).await?))
    }

    /// People after `after` by id: (id, supervisor, holds a senior qualification).
    pub async fn people_for_awards_after(
        &self,
        after: i64,
        batch: i64,
    ) -> Result<Vec<(i64, bool, bool)>> {
        Ok(on_db!(self, p => sqlx::query_as(
            "SELECT p.id, p.supervisor,
             EXISTS (SELECT 1 FROM qualifications q WHERE q.person_id = p.id AND q.level = 'SENIOR')
             FROM people p WHERE p.id > $1 ORDER BY p.id LIMIT $2")
            .bind(after).bind(batch).fetch_all(p).await?))
    }
}

/// One lease month of an organisation, as its page lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LeaseRow {
    pub id: i64,
    /// `YYYY-MM`.
    pub month: String,
    pub rent_paid_fen: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StartupApplicationRow {
    pub id: i64,
    pub date: NaiveDate,
    pub requested_fen: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct VentureProjectRow {
    pub id: i64,
    pub project_id: String,
    pub amount_fen: i64,
    pub selected_date: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompetitionWinRow {
    pub id: i64,
    pub project_id: String,
    #[sqlx(try_from = "crate::codes::Code<CompetitionLevel>")]
    pub level: CompetitionLevel,
    pub prize_place: Option<i64>,
    pub amount_fen: i64,
    pub serves_district: bool,
    pub date: NaiveDate,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SupervisorReviewRow {
    pub id: i64,
    pub year: i64,
    pub score_tenths: i64,
    pub hours: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeniorAwardRow {
    pub id: i64,
    pub decision_date: NaiveDate,
    pub innovative_contribution: bool,
    pub reason: Option<String>,
}

/// The support facts of one organisation, each list in date order.
#[derive(Debug, Clone, Default)]
pub struct OrgSupportFacts {
    pub leases: Vec<LeaseRow>,
    pub startup_applications: Vec<StartupApplicationRow>,
    pub venture_projects: Vec<VentureProjectRow>,
    pub competition_wins: Vec<CompetitionWinRow>,
}

/// The support facts of one person.
#[derive(Debug, Clone, Default)]
pub struct PersonSupportFacts {
    pub supervisor_reviews: Vec<SupervisorReviewRow>,
    pub senior_awards: Vec<SeniorAwardRow>,
}

impl Db {
    /// Leases, start-up applications, venture projects and competition wins
    /// of one organisation, for its page.
    pub async fn org_support_facts(&self, org_id: i64) -> Result<OrgSupportFacts> {
        on_db!(self, p => Ok(OrgSupportFacts {
            leases: sqlx::query_as("SELECT id, month, rent_paid_fen FROM leases WHERE org_id = $1 ORDER BY month")
                .bind(org_id).fetch_all(p).await?,
            startup_applications: sqlx::query_as(
                "SELECT id, date, requested_fen FROM startup_applications WHERE org_id = $1 ORDER BY date, id")
                .bind(org_id).fetch_all(p).await?,
            venture_projects: sqlx::query_as(
                "SELECT id, project_id, amount_fen, selected_date FROM venture_projects WHERE org_id = $1
                 ORDER BY selected_date, id")
                .bind(org_id).fetch_all(p).await?,
            competition_wins: sqlx::query_as(
                "SELECT id, project_id, level, prize_place, amount_fen, serves_district, date
                 FROM competition_wins WHERE org_id = $1 ORDER BY date, id")
                .bind(org_id).fetch_all(p).await?,
        }))
    }

    /// Supervisor reviews and senior-award decisions of one person, for its page.
    pub async fn person_support_facts(&self, person_id: i64) -> Result<PersonSupportFacts> {
        on_db!(self, p => Ok(PersonSupportFacts {
            supervisor_reviews: sqlx::query_as(
                "SELECT id, year, score_tenths, hours FROM supervisor_reviews WHERE person_id = $1 ORDER BY year")
                .bind(person_id).fetch_all(p).await?,
            senior_awards: sqlx::query_as(
                "SELECT id, decision_date, innovative_contribution, reason FROM senior_award_decisions
                 WHERE person_id = $1 ORDER BY decision_date, id")
                .bind(person_id).fetch_all(p).await?,
        }))
    }
}
