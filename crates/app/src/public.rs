//! What the public may see (公开): an organisation's public profile and the
//! filtered directory for downloads. Personal data never enters these types
//! beyond the legal representative's name.

use crate::{AppError, Registry, Result};
use chrono::NaiveDate;
use gongyi_domain::access::Scope;
use gongyi_domain::disclosure::{inspection_years, InspectionStatus};
use gongyi_domain::history::{rating_valid_until, InspectionResult, RatingLevel};
use gongyi_store::history::{CreditEntryRow, FinanceRow, HonourRow};
use gongyi_store::orgs::{OrgFilter, OrgRow};
use gongyi_store::Page;
use std::time::Duration;
use tokio::sync::mpsc;

/// A rating with the last day it is valid.
#[derive(Debug, Clone)]
pub struct PublicRating {
    pub level: RatingLevel,
    pub date: NaiveDate,
    pub valid_until: NaiveDate,
    pub valid_today: bool,
}

/// The public profile of one organisation.
#[derive(Debug, Clone)]
pub struct PublicProfile {
    pub org: OrgRow,
    /// Newest first; every year owed, reported or not.
    pub inspections: Vec<(i32, InspectionStatus)>,
    pub ratings: Vec<PublicRating>,
    pub honours: Vec<HonourRow>,
    /// From the latest party-building record; `None` when never recorded.
    pub has_party_org: Option<bool>,
    pub finances: Vec<FinanceRow>,
    pub credit_entries: Vec<CreditEntryRow>,
}

/// How long a walk waits for its receiver to take a batch before it gives up.
pub const WALK_STALL: Duration = Duration::from_secs(30);

/// The rows of a public directory walk, batch by batch ([`Registry::public_walk`]).
#[derive(Debug)]
pub struct PublicWalk {
    /// The data version of the walk's snapshot, when asked for: a cache of
    /// the rows is valid as long as [`Registry::public_version`] returns it.
    pub version: Option<String>,
    rows: mpsc::Receiver<Result<Vec<OrgRow>>>,
    complete: bool,
}

impl PublicWalk {
    /// The next batch, `None` after the last; an error when the walk failed
    /// or was cut short, so a download never ends as if it were complete.
    pub async fn next(&mut self) -> Result<Option<Vec<OrgRow>>> {
        let got = self.rows.recv().await;
        self.take(got)
    }

    /// As [`PublicWalk::next`], from a thread outside the runtime (a
    /// synchronous writer on a blocking thread).
    pub fn blocking_next(&mut self) -> Result<Option<Vec<OrgRow>>> {
        let got = self.rows.blocking_recv();
        self.take(got)
    }

    fn take(&mut self, got: Option<Result<Vec<OrgRow>>>) -> Result<Option<Vec<OrgRow>>> {
        match got {
            _ if self.complete => Ok(None),
            Some(Ok(rows)) if rows.is_empty() => {
                self.complete = true;
                Ok(None)
            }
            Some(Ok(rows)) => Ok(Some(rows)),
            Some(Err(e)) => Err(e),
            None => Err(AppError::Export(
                std::io::Error::other("目录读取中断").into(),
            )),
        }
    }
}

impl Registry {
    pub async fn public_profile(&self, code: &str) -> Result<PublicProfile> {
        let org = self.db.org_by_code(code).await?;
        let h = self.db.org_history(org.id).await?;
        let today = self.clock.today();
        let recorded: Vec<(i32, InspectionResult)> = h
            .inspections
            .iter()
            .map(|i| (i.year as i32, i.result))
            .collect();
        let inspections = inspection_years(
            org.registration_date,
            org.deregistration_date,
            today,
            &recorded,
        );
        let ratings = h
            .ratings
            .iter()
            .rev()
            .map(|r| {
                let valid_until = rating_valid_until(r.date);
                PublicRating {
                    level: r.level,
                    date: r.date,
                    valid_until,
                    valid_today: today <= valid_until,
                }
            })
            .collect();
        let has_party_org = h
            .party_building
            .iter()
            .max_by_key(|p| (p.date, p.id))
            .map(|p| p.has_party_org);
        Ok(PublicProfile {
            org,
            inspections,
            ratings,
            honours: h.honours,
            has_party_org,
            finances: h.finances,
            credit_entries: h.credit_entries,
        })
    }

    /// The public directory for `f` in its order, the whole district, read
    /// by a keyset walk in one read snapshot on a task of its own and handed
    /// over `batch` rows at a time through a channel of two batches: memory
    /// stays at a few batches however many rows match. With `versioned`, the
    /// walk also names its snapshot's [`Registry::public_version`].
    ///
    /// The walk holds a connection until it ends: it ends when the receiver
    /// is dropped or leaves a batch untaken for [`WALK_STALL`] (a client that
    /// stopped reading), which the receiver then sees as an error.
    pub async fn public_walk(
        &self,
        f: &OrgFilter,
        batch: i64,
        versioned: bool,
    ) -> Result<PublicWalk> {
        let batch = batch.max(1);
        let mut tx = self.db.begin_read().await?;
        let version = match versioned {
            true => Some(self.db.directory_version(&mut tx).await?),
            false => None,
        };
        let (send, rows) = mpsc::channel(2);
        let (db, f) = (self.db.clone(), f.clone());
        tokio::spawn(async move {
            let mut after = None;
            loop {
                let rows = match db
                    .org_rows_after(&mut tx, &Scope::District, &f, after, batch)
                    .await
                {
                    Ok(rows) => rows,
                    Err(e) => {
                        let _ = tokio::time::timeout(WALK_STALL, send.send(Err(e.into()))).await;
                        return;
                    }
                };
                let end = (rows.len() as i64) < batch;
                let last = rows.last().map(|o| o.id);
                if !rows.is_empty() {
                    match tokio::time::timeout(WALK_STALL, send.send(Ok(rows))).await {
                        Ok(Ok(())) => {}
                        // Gone or stalled: stop reading and free the connection.
                        _ => return,
                    }
                }
                if end {
                    // The empty batch says the walk is complete; a receiver
                    // that never gets it knows the rows were cut short.
                    let _ = tokio::time::timeout(WALK_STALL, send.send(Ok(Vec::new()))).await;
                    return;
                }
                after = last;
            }
        });
        Ok(PublicWalk {
            version,
            rows,
            complete: false,
        })
    }

    /// The version of what the public directory shows (see
    /// [`PublicWalk::version`]): equal versions, equal data.
    pub async fn public_version(&self) -> Result<String> {
        let mut tx = self.db.begin_read().await?;
        let v = self.db.directory_version(&mut tx).await?;
        tx.commit().await?;
        Ok(v)
    }

    /// One page of the public directory for `f`, the whole district.
    pub async fn public_directory(
        &self,
        f: &OrgFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<OrgRow>> {
        Ok(self
            .db
            .list_orgs(&Scope::District, f, page, per_page)
            .await?)
    }

    /// The public directory page with its facets, the whole district.
    pub async fn public_directory_faceted(
        &self,
        f: &OrgFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Page<OrgRow>, gongyi_store::orgs::Facets)> {
        let list = self.public_directory(f, page, per_page).await?;
        let facets = self.db.org_facets(&Scope::District, f).await?;
        Ok((list, facets))
    }
}
