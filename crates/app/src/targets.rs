//! The plan's targets (一(二)) year by year and per sub-district, counted
//! from verified facts as `domain::targets` says.

use crate::{AppError, Registry, Result};
use gongyi_domain::access::Scope;
use gongyi_domain::targets::{self, Target};

/// The district at the end of one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetYear {
    pub year: i32,
    pub organisations: i64,
    pub social_workers: i64,
}

/// One sub-district at the end of the latest year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubdistrictTargets {
    pub code: String,
    pub name: String,
    pub organisations: i64,
    pub social_workers: i64,
}

/// The targets with the counts behind them.
#[derive(Debug, Clone)]
pub struct TargetsPicture {
    pub organisations: Target,
    pub social_workers: Target,
    /// From the plan's first year to today's, in order.
    pub years: Vec<TargetYear>,
    /// Every sub-district (those without any count too), at the latest year's end.
    pub subdistricts: Vec<SubdistrictTargets>,
}

impl TargetsPicture {
    /// The latest year's counts.
    pub fn latest(&self) -> Option<&TargetYear> {
        self.years.last()
    }
}

impl Registry {
    /// The targets and the district's counts for each year of the plan to
    /// today. District-wide aggregates, as published; not for anonymous callers.
    pub async fn targets(&self) -> Result<TargetsPicture> {
        if self.caller.scope == Scope::Nothing {
            return Err(AppError::Forbidden);
        }
        let mut years = Vec::new();
        let mut latest = None;
        for year in targets::years_until(self.clock.today()) {
            let Some(day) = targets::year_end(year) else {
                continue;
            };
            let c = self.db.target_counts(day).await?;
            years.push(TargetYear {
                year,
                organisations: c.organisations.iter().map(|(_, n)| n).sum(),
                social_workers: c.social_workers_total,
            });
            latest = Some(c);
        }
        let latest = latest.unwrap_or_default();
        let count = |rows: &[(String, i64)], code: &str| {
            rows.iter().find(|(c, _)| c == code).map_or(0, |(_, n)| *n)
        };
        let subdistricts = self
            .db
            .subdistricts()
            .await?
            .into_iter()
            .map(|s| SubdistrictTargets {
                organisations: count(&latest.organisations, &s.code),
                social_workers: count(&latest.social_workers, &s.code),
                code: s.code,
                name: s.name,
            })
            .collect();
        Ok(TargetsPicture {
            organisations: targets::ORGANISATIONS,
            social_workers: targets::SOCIAL_WORKERS,
            years,
            subdistricts,
        })
    }
}
