//! Loads a policy test-vector bundle (`docs/policies/vectors/CONTRACT.md`)
//! into an empty registry through the store, so that evaluating from the
//! database can be checked against the bundle's `entitlements.csv`, and so
//! that an operator can try the rules on realistic data.
//!
//! The bundle knows organisations by `O…` ids with credit codes and people by
//! `P…` ids only. Organisations keep their credit codes; each is placed in a
//! sub-district chosen from its number (the bundle has none). People get a
//! synthetic resident ID (the bundle has none either). Both are known to the
//! rules by their new table ids ([`BundleIds`] maps them).
//!
//! [`evaluate_bundle`] evaluates a bundle straight from its files, touching
//! no database, for `gongyi policy evaluate --facts DIR`.
//!
//! `gongyi_vectors` is used here as the bundle format only: it reads the
//! files and writes the contract's outputs; the registry's report is written
//! by `gongyi_interchange::policy`.

use crate::security::audit::AuditEntry;
use crate::{AppError, Registry, Result};
use chrono::NaiveDate;
use gongyi_domain::history::{Honour, Inspection, Rating};
use gongyi_domain::orgs::{OrgDraft, OrgStatus};
use gongyi_domain::people::{AnnualReview, Employment, PersonDraft, Qualification};
use gongyi_domain::policy::{Facts, OrgIx, Window};
use gongyi_domain::{CreditCode, ResidentId};
use gongyi_store::policy_facts::{
    org_fact_id, person_fact_id, CompetitionWinRecord, SeniorAwardRecord,
};
use std::collections::HashMap;
use std::path::Path;

/// A bundle's facts with their evaluation; `write_outputs` writes
/// `entitlements.csv`, `registration_checks.csv` and `totals.json`.
pub use gongyi_vectors::Evaluation as BundleEvaluation;

/// Reads the bundle in `dir` (plain or gzipped csv) and evaluates it for
/// `window` under the version in force with `overrides` applied.
pub fn evaluate_bundle(
    dir: &Path,
    window: Window,
    overrides: &[(String, String)],
) -> Result<BundleEvaluation> {
    let policy = crate::policy::policy_with(overrides)?;
    gongyi_vectors::evaluate_dir_with(dir, policy, window).map_err(|e| AppError::Bundle {
        path: dir.to_path_buf(),
        source: e.into(),
    })
}

/// How the bundle's ids map onto the registry's fact ids.
#[derive(Debug, Default, Clone)]
pub struct BundleIds {
    /// `O0000001` → the organisation's fact id (`O` + table id).
    pub orgs: HashMap<String, String>,
    /// `P00000001` → the person's fact id (`P` + table id).
    pub people: HashMap<String, String>,
}

/// Organisations and people between two progress reports.
const BATCH: usize = 2_000;

/// Credit code and name per bundle organisation id, from `organisations.csv`.
fn read_names(dir: &Path) -> Result<HashMap<String, (String, String)>> {
    let (path, input) =
        gongyi_vectors::read::open(dir, "organisations.csv").map_err(|e| AppError::Bundle {
            path: dir.join("organisations.csv"),
            source: e.into(),
        })?;
    let io = |e: csv::Error| AppError::Bundle {
        path: path.clone(),
        source: e.into(),
    };
    let mut r = csv::Reader::from_reader(input);
    let mut out = HashMap::new();
    for rec in r.records() {
        let rec = rec.map_err(io)?;
        let get = |i: usize| rec.get(i).unwrap_or("").to_string();
        out.insert(get(0), (get(1), get(2)));
    }
    Ok(out)
}

/// A valid, unique resident ID for the `n`-th person of a bundle: born on
/// 1 January 1960 plus `n / 1000` days, sequence `n % 1000`.
fn resident_id(n: usize, today: NaiveDate) -> Result<ResidentId> {
    let base = NaiveDate::from_ymd_opt(1960, 1, 1).unwrap_or_default();
    let born = base + chrono::Duration::days((n / 1000) as i64);
    let body = format!("310110{}{:03}", born.format("%Y%m%d"), n % 1000);
    Ok(ResidentId::from_body(&body, today)?)
}

/// What merging a bundle did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MergeCounts {
    /// Organisations and people the bundle added.
    pub orgs_added: usize,
    pub people_added: usize,
    /// Already registered (by credit code, by resident ID): their
    /// registration is the registry's, their facts were merged.
    pub orgs_matched: usize,
    pub people_matched: usize,
    /// Facts written, and facts the registry already held under the same key
    /// (kept as recorded: a bundle never overwrites a recorded fact).
    pub facts_added: usize,
    pub facts_kept: usize,
}

/// Writes one fact: directly for an entity the bundle added; for a matched
/// one inside a savepoint, where a fact under the same key is kept.
macro_rules! merge_fact {
    ($r:expr, $tx:expr, $counts:expr, $matched:expr, $insert:expr) => {{
        if !$matched {
            $insert.await?;
            $counts.facts_added += 1;
        } else {
            $r.db.savepoint($tx).await?;
            match $insert.await {
                Ok(_) => {
                    $r.db.release_savepoint($tx).await?;
                    $counts.facts_added += 1;
                }
                Err(gongyi_store::StoreError::Duplicate { .. }) => {
                    $r.db.rollback_savepoint($tx).await?;
                    $counts.facts_kept += 1;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }};
}

impl Registry {
    /// Merges every fact of the bundle in `dir` into this registry, in one
    /// transaction (all or nothing). Organisations are matched by credit
    /// code and people by resident ID (the synthetic one of [`resident_id`]:
    /// the bundle has none); matched ones keep their registration, and a
    /// fact the registry already holds under the same key is kept as
    /// recorded, so loading a bundle twice adds nothing. New organisations
    /// are spread over the sub-districts of the reference data.
    pub async fn load_vectors_bundle(
        &self,
        dir: &Path,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<BundleIds> {
        Ok(self.merge_vectors_bundle(dir, progress).await?.0)
    }

    /// [`Registry::load_vectors_bundle`], with what it did.
    pub async fn merge_vectors_bundle(
        &self,
        dir: &Path,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<(BundleIds, MergeCounts)> {
        if self.caller.scope != gongyi_domain::access::Scope::District {
            return Err(AppError::Forbidden);
        }
        let bundle = gongyi_vectors::read_bundle(dir).map_err(|e| AppError::Bundle {
            path: dir.to_path_buf(),
            source: e.into(),
        })?;
        let names = read_names(dir)?;
        let subs = self.db.subdistricts().await?;
        let f = &bundle.facts;
        let total = f.org_count() + f.person_count();
        let mut ids = BundleIds::default();
        let mut counts = MergeCounts::default();
        // (table id, matched) per bundle organisation.
        let mut org_db: Vec<(i64, bool)> = Vec::with_capacity(f.org_count());
        let mut done = 0;
        let mut tx = self.db.begin().await?;
        for (n, o) in f.orgs().enumerate() {
            let bid = f.org_id(o);
            let (code, name) = names
                .get(bid)
                .cloned()
                .ok_or_else(|| AppError::Inconsistent {
                    entity: "organisations.csv",
                    id: bid.to_string(),
                    problem: "缺少信用代码",
                })?;
            let code = CreditCode::parse(&code)?;
            let (id, matched) = match self.db.org_key_tx(&mut tx, code.as_str()).await {
                Ok((id, _)) => {
                    counts.orgs_matched += 1;
                    (id, true)
                }
                Err(gongyi_store::StoreError::NotFound) => {
                    let org = f.org(o);
                    let sub = subs
                        .get(o.0 as usize % subs.len().max(1))
                        .map(|r| r.code.clone())
                        .unwrap_or_default();
                    let draft = OrgDraft {
                        credit_code: code,
                        name,
                        kind: org.kind,
                        community: org.community,
                        fresh_graduate: org.fresh_graduate,
                        subdistrict: sub,
                        registration_date: org.registration_date,
                        registered_capital: org.registered_capital,
                        service_fields: Vec::new(),
                        address: None,
                        legal_representative: None,
                        contact_phone: None,
                        status: OrgStatus::Normal,
                        stage: None,
                    };
                    let phone = crate::orgs::seal_org_draft(&self.keys, &draft);
                    let id = self.db.insert_org(&mut tx, &draft, &phone).await?;
                    if let Some(d) = org.deregistration_date {
                        self.db.deregister_org(&mut tx, id, 1, d).await?;
                    }
                    counts.orgs_added += 1;
                    (id, false)
                }
                Err(e) => return Err(e.into()),
            };
            write_org_events(self, &mut tx, f, o, id, matched, &mut counts).await?;
            org_db.push((id, matched));
            ids.orgs.insert(bid.to_string(), org_fact_id(id));
            if (n + 1) % BATCH == 0 {
                done = n + 1;
                progress(done, total);
            }
        }
        done = done.max(f.org_count());
        progress(done, total);
        // Competition wins last: a project's wins may name several organisations.
        for w in f.all_wins() {
            let Some(&(org_id, matched)) = org_db.get(w.org.0 as usize) else {
                continue;
            };
            let rec = CompetitionWinRecord {
                project_id: f.competition_project_id(w.project).to_string(),
                level: w.level,
                prize_place: w.place,
                amount: w.amount,
                serves_district: w.serves_district,
                date: w.date,
            };
            merge_fact!(
                self,
                &mut tx,
                counts,
                matched,
                self.db.insert_competition_win(&mut tx, org_id, &rec)
            );
        }

        let today = self.clock.today();
        for (n, p) in f.people().enumerate() {
            let person = f.person(p);
            let draft = PersonDraft {
                name: format!("测试人员{}", p.0),
                resident_id: resident_id(p.0 as usize, today)?,
                phone: None,
                social_work_start_date: person.social_work_start,
                supervisor: !f.supervisor_reviews(p).is_empty(),
            };
            let sealed = crate::people::seal_draft(&self.keys, &draft);
            let found = self
                .db
                .person_id_tx(
                    &mut tx,
                    &sealed.resident_id_lookup,
                    &gongyi_domain::access::Scope::District,
                    gongyi_store::people::Reach::Seen,
                )
                .await;
            let (id, matched) = match found {
                Ok(id) => {
                    counts.people_matched += 1;
                    (id, true)
                }
                Err(gongyi_store::StoreError::NotFound) => {
                    counts.people_added += 1;
                    (
                        self.db.insert_person(&mut tx, &draft, &sealed).await?,
                        false,
                    )
                }
                Err(e) => return Err(e.into()),
            };
            // The whole history (qualifications.csv), else the one stated.
            for q in f.qualifications(p) {
                let q = Qualification {
                    level: q.level,
                    certificate_no: "VECTORS".into(),
                    date: q.date,
                };
                merge_fact!(
                    self,
                    &mut tx,
                    counts,
                    matched,
                    self.db.insert_qualification(&mut tx, id, &q)
                );
            }
            // Employments have no key: a matched person's identical spell is kept.
            let held = if matched {
                self.db.employments_of_person_tx(&mut tx, id).await?
            } else {
                Vec::new()
            };
            let mut held: Vec<_> = held
                .into_iter()
                .map(|e| {
                    (
                        e.org_id,
                        e.start_date,
                        e.end_date,
                        e.labour_contract,
                        e.full_time,
                    )
                })
                .collect();
            for e in f.employments(p) {
                let Some(&(org_id, _)) = org_db.get(e.org.0 as usize) else {
                    continue;
                };
                let key = (
                    org_id,
                    e.start_date,
                    e.end_date,
                    e.labour_contract,
                    e.full_time,
                );
                if let Some(i) = held.iter().position(|h| *h == key) {
                    held.swap_remove(i);
                    counts.facts_kept += 1;
                    continue;
                }
                let e = Employment {
                    start_date: e.start_date,
                    end_date: e.end_date,
                    labour_contract: e.labour_contract,
                    full_time: e.full_time,
                    position: None,
                };
                self.db.insert_employment(&mut tx, id, org_id, &e).await?;
                counts.facts_added += 1;
            }
            for r in f.performance(p) {
                let r = AnnualReview {
                    year: r.year,
                    training_hours: 0,
                    performance: Some(r.rating),
                };
                merge_fact!(
                    self,
                    &mut tx,
                    counts,
                    matched,
                    self.db.insert_review(&mut tx, id, &r)
                );
            }
            for r in f.supervisor_reviews(p) {
                merge_fact!(
                    self,
                    &mut tx,
                    counts,
                    matched,
                    self.db
                        .insert_supervisor_review(&mut tx, id, r.year, r.score, r.hours)
                );
            }
            for d in f.senior_award_decisions(p) {
                let rec = SeniorAwardRecord {
                    decision_date: d.date,
                    innovative_contribution: d.innovative_contribution,
                    reason: None,
                };
                merge_fact!(
                    self,
                    &mut tx,
                    counts,
                    matched,
                    self.db.insert_senior_award_decision(&mut tx, id, &rec)
                );
            }
            ids.people
                .insert(f.person_id(p).to_string(), person_fact_id(id));
            if (n + 1) % BATCH == 0 {
                progress(f.org_count() + n + 1, total);
            }
        }
        self.audit(
            &mut tx,
            AuditEntry::new("merge_bundle", "policy_facts", "")
                .note("dir", dir.display().to_string())
                .note("orgs_added", counts.orgs_added)
                .note("orgs_matched", counts.orgs_matched)
                .note("people_added", counts.people_added)
                .note("people_matched", counts.people_matched)
                .note("facts_added", counts.facts_added)
                .note("facts_kept", counts.facts_kept),
        )
        .await?;
        tx.commit().await?;
        progress(total, total);
        self.db.analyze().await?;
        Ok((ids, counts))
    }
}

async fn write_org_events(
    r: &Registry,
    tx: &mut gongyi_store::Tx,
    f: &Facts,
    o: OrgIx,
    id: i64,
    matched: bool,
    counts: &mut MergeCounts,
) -> Result<()> {
    let db = &r.db;
    for i in f.inspections(o) {
        let x = Inspection {
            year: i.year,
            result: i.result,
            date: Some(i.date),
        };
        merge_fact!(r, tx, counts, matched, db.insert_inspection(tx, id, &x));
    }
    for x in f.ratings(o) {
        let x = Rating {
            level: x.level,
            date: x.date,
        };
        merge_fact!(r, tx, counts, matched, db.insert_rating(tx, id, &x));
    }
    // Honours have no key (one title may come twice): a matched
    // organisation's identical honours are kept, the rest added.
    let mut held: Vec<(String, String, NaiveDate)> = if matched {
        db.org_history(id)
            .await?
            .honours
            .into_iter()
            .map(|h| (h.title, h.level.code().to_string(), h.date))
            .collect()
    } else {
        Vec::new()
    };
    for h in f.honours(o) {
        let x = Honour {
            title: f.honour_title(h.title).to_string(),
            level: h.level,
            date: h.date,
        };
        let key = (x.title.clone(), x.level.code().to_string(), x.date);
        if let Some(i) = held.iter().position(|k| *k == key) {
            held.swap_remove(i);
            counts.facts_kept += 1;
            continue;
        }
        db.insert_honour(tx, id, &x).await?;
        counts.facts_added += 1;
    }
    for l in f.leases(o) {
        merge_fact!(
            r,
            tx,
            counts,
            matched,
            db.insert_lease(tx, id, l.month, l.rent_paid)
        );
    }
    for a in f.startup_applications(o) {
        merge_fact!(
            r,
            tx,
            counts,
            matched,
            db.insert_startup_application(tx, id, a.date, a.requested)
        );
    }
    for v in f.venture_projects(o) {
        merge_fact!(
            r,
            tx,
            counts,
            matched,
            db.insert_venture_project(
                tx,
                id,
                f.venture_project_id(v.project),
                v.amount,
                v.selected_date,
            )
        );
    }
    Ok(())
}
