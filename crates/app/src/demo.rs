//! Fills a database with generated demo data (see `gongyi-demo`), in one
//! transaction per batch of organisations.

use crate::{Registry, Result};
use gongyi_demo::{DemoConfig, DemoOrg, DemoPerson};
use gongyi_domain::organization::OrgStatus;

/// Organisations and people written.
#[derive(Debug, Default, Clone, Copy)]
pub struct DemoCounts {
    pub orgs: usize,
    pub people: usize,
}

const BATCH: usize = 2_000;

impl Registry {
    /// Writes `orgs` organisations with their histories, then `people` people
    /// with qualifications, employments and reviews. `progress(done, total)`.
    pub async fn load_demo(
        &self,
        orgs: usize,
        people: Option<usize>,
        seed: u64,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<DemoCounts> {
        let subs = self.db.subdistricts().await?;
        let fields = self.db.service_fields().await?;
        let mut cfg = DemoConfig::new(orgs, seed, self.clock.today());
        if let Some(p) = people {
            cfg.people = p;
        }
        cfg.subdistricts = subs
            .iter()
            .map(|r| (r.code.clone(), r.name.clone()))
            .collect();
        cfg.service_fields = fields
            .iter()
            .map(|r| (r.code.clone(), r.name.clone()))
            .collect();
        let total = cfg.orgs + cfg.people;
        let mut org_ids: Vec<i64> = Vec::with_capacity(cfg.orgs);
        let mut done = 0;
        let mut batch: Vec<DemoOrg> = Vec::with_capacity(BATCH);
        let mut it = gongyi_demo::organizations(&cfg).peekable();
        while it.peek().is_some() {
            batch.clear();
            batch.extend(it.by_ref().take(BATCH));
            let mut tx = self.db.begin().await?;
            for o in &batch {
                let id = self.db.insert_org(&mut tx, &o.draft).await?;
                org_ids.push(id);
                for x in &o.inspections {
                    self.db.insert_inspection(&mut tx, id, x).await?;
                }
                for x in &o.ratings {
                    self.db.insert_rating(&mut tx, id, x).await?;
                }
                for x in &o.honours {
                    self.db.insert_honour(&mut tx, id, x).await?;
                }
                for x in &o.credit_entries {
                    self.db.insert_credit_entry(&mut tx, id, x).await?;
                }
                for x in &o.party_building {
                    self.db.insert_party_building(&mut tx, id, x).await?;
                }
                for x in &o.finances {
                    self.db.insert_finance(&mut tx, id, x).await?;
                }
                if let (Some(d), OrgStatus::Deregistered) = (o.ended_on, o.draft.status) {
                    self.db.deregister_org(&mut tx, id, 1, d).await?;
                }
            }
            tx.commit().await?;
            done += batch.len();
            progress(done, total);
        }
        let mut pbatch: Vec<DemoPerson> = Vec::with_capacity(BATCH);
        let mut pit = gongyi_demo::people(&cfg).peekable();
        while pit.peek().is_some() {
            pbatch.clear();
            pbatch.extend(pit.by_ref().take(BATCH));
            let mut tx = self.db.begin().await?;
            for p in &pbatch {
                let id = self.db.insert_person(&mut tx, &p.draft).await?;
                for q in &p.qualifications {
                    self.db.insert_qualification(&mut tx, id, q).await?;
                }
                for (org_index, e) in &p.employments {
                    if let Some(org_id) = org_ids.get(*org_index) {
                        self.db.insert_employment(&mut tx, id, *org_id, e).await?;
                    }
                }
                for r in &p.reviews {
                    self.db.insert_review(&mut tx, id, r).await?;
                }
            }
            tx.commit().await?;
            done += pbatch.len();
            progress(done, total);
        }
        Ok(DemoCounts {
            orgs: cfg.orgs,
            people: cfg.people,
        })
    }
}
