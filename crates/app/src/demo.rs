//! Fills a database with generated demo data (see `gongyi-demo`), in one
//! transaction per batch of organisations.

use crate::orgs::seal_org_draft;
use crate::people::seal_draft;
use crate::{Registry, Result};
use chrono::{DateTime, NaiveDate, Utc};
use gongyi_demo::{DemoConfig, DemoOrg, DemoPerson};
use gongyi_domain::orgs::OrgStatus;
use gongyi_store::annual_report::ReportBulk;
use gongyi_store::bulk::{HistoryBatch, OrgBulk, PersonBatch, PersonBulk};

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
            let rows: Vec<OrgBulk> = batch
                .iter()
                .map(|o| OrgBulk {
                    draft: &o.draft,
                    current_rating: o.ratings.iter().max_by_key(|r| r.date),
                    deregistration_date: o
                        .ended_on
                        .filter(|_| o.draft.status == OrgStatus::Deregistered),
                    phone: seal_org_draft(&self.keys, &o.draft),
                })
                .collect();
            let mut tx = self.db.begin().await?;
            let ids = self.db.bulk_insert_orgs(&mut tx, &rows).await?;
            let plans: Vec<gongyi_demo::DemoReports> = batch
                .iter()
                .map(|o| gongyi_demo::annual_reports(&cfg, o))
                .collect();
            let mut h = HistoryBatch::default();
            for ((o, id), plan) in batch.iter().zip(&ids).zip(&plans) {
                // A report still under way: its year has no inspection yet.
                h.inspections.extend(
                    o.inspections
                        .iter()
                        .filter(|x| plan.withheld_inspection != Some(x.year))
                        .map(|x| (*id, x)),
                );
                h.ratings.extend(o.ratings.iter().map(|x| (*id, x)));
                h.honours.extend(o.honours.iter().map(|x| (*id, x)));
                h.credit_entries
                    .extend(o.credit_entries.iter().map(|x| (*id, x)));
                h.party_building
                    .extend(o.party_building.iter().map(|x| (*id, x)));
                h.finances.extend(o.finances.iter().map(|x| (*id, x)));
            }
            self.db.bulk_insert_history(&mut tx, &h).await?;
            let reports: Vec<ReportBulk> = ids
                .iter()
                .zip(&plans)
                .flat_map(|(id, plan)| plan.reports.iter().map(move |r| report_bulk(*id, r)))
                .collect();
            self.db.bulk_insert_reports(&mut tx, &reports).await?;
            tx.commit().await?;
            org_ids.extend(ids);
            done += batch.len();
            progress(done, total);
        }
        let mut pbatch: Vec<DemoPerson> = Vec::with_capacity(BATCH);
        let mut pit = gongyi_demo::people(&cfg).peekable();
        while pit.peek().is_some() {
            pbatch.clear();
            pbatch.extend(pit.by_ref().take(BATCH));
            let rows: Vec<PersonBulk> = pbatch
                .iter()
                .map(|p| PersonBulk {
                    draft: &p.draft,
                    sealed: seal_draft(&self.keys, &p.draft),
                })
                .collect();
            let mut tx = self.db.begin().await?;
            let ids = self.db.bulk_insert_people(&mut tx, &rows).await?;
            let mut b = PersonBatch::default();
            for (p, id) in pbatch.iter().zip(&ids) {
                b.qualifications
                    .extend(p.qualifications.iter().map(|q| (*id, q)));
                b.employments.extend(
                    p.employments
                        .iter()
                        .filter_map(|(ix, e)| org_ids.get(*ix).map(|org| (*id, *org, e))),
                );
                b.reviews.extend(p.reviews.iter().map(|r| (*id, r)));
            }
            self.db.bulk_insert_person_records(&mut tx, &b).await?;
            tx.commit().await?;
            done += pbatch.len();
            progress(done, total);
        }
        self.db.analyze().await?;
        // One record for the whole load: demo rows are not people's changes.
        self.audit_now(
            crate::security::audit::AuditEntry::new("demo", "registry", "")
                .note("organizations", cfg.orgs)
                .note("people", cfg.people),
        )
        .await?;
        Ok(DemoCounts {
            orgs: cfg.orgs,
            people: cfg.people,
        })
    }
}

/// 10:00 in Shanghai on `d`.
fn at(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(2, 0, 0).unwrap_or_default().and_utc()
}

/// The demo accounts of `gongyi demo` file, review and conclude.
fn report_bulk(org_id: i64, r: &gongyi_demo::DemoReport) -> ReportBulk<'_> {
    ReportBulk {
        org_id,
        year: r.year,
        status: r.status,
        late: r.late,
        content: &r.content,
        created: ("demo-organisation", at(r.created_on)),
        submitted: r.submitted_on.map(|d| ("demo-organisation", at(d))),
        returned: r
            .returned
            .map(|(d, s, why)| ("demo-subdistrict", "subdistrict", at(d), s, why)),
        reviewed: r.reviewed_on.map(|d| ("demo-subdistrict", at(d))),
        concluded: r.concluded.map(|(d, c)| ("demo-bureau", at(d), c)),
    }
}
