//! What the public may see (公开): an organisation's public profile and the
//! filtered directory for downloads. Personal data never enters these types
//! beyond the legal representative's name.

use crate::{Registry, Result};
use chrono::NaiveDate;
use gongyi_domain::access::Scope;
use gongyi_domain::disclosure::{inspection_years, InspectionStatus};
use gongyi_domain::history::{rating_valid_until, InspectionResult, RatingLevel};
use gongyi_store::history::{CreditEntryRow, FinanceRow, HonourRow};
use gongyi_store::orgs::{OrgFilter, OrgRow};
use gongyi_store::Page;

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

    /// The rows of the directory for `f`, in its order, `batch` at a time.
    /// Public data is public: the whole district, whoever asks.
    pub async fn public_rows(&self, f: &OrgFilter, offset: i64, batch: i64) -> Result<Vec<OrgRow>> {
        Ok(self.db.org_rows(&Scope::District, f, offset, batch).await?)
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
