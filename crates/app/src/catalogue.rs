//! The guidance catalogue (引导目录, 二(三)3): the bureau keeps its items
//! and their yearly quotas; everyone signed in reads it, with per item and
//! year the quota, what was called and what was awarded. Validation is the
//! domain's (`domain::catalogue`); every change is audited in its own
//! transaction.

use crate::security::audit::AuditEntry;
use crate::{AppError, Registry, Result};
use gongyi_domain::access::{grants, Capability};
use gongyi_domain::catalogue::{ItemInput, Quota};
use gongyi_domain::Invalid;
/// What the catalogue's use cases hand out.
pub use gongyi_store::catalogue::{ItemPlaceRow, ItemRow, ItemYearRow, QuotaRow};

/// One item with the sub-districts it serves and its quotas.
#[derive(Debug, Clone)]
pub struct ItemPage {
    pub item: ItemRow,
    pub places: Vec<ItemPlaceRow>,
    pub quotas: Vec<QuotaRow>,
    /// Its line in each year that has a quota or a call.
    pub years: Vec<ItemYearRow>,
    pub can_edit: bool,
}

impl Registry {
    /// Refuses a caller whose role lacks `cap` (the routes check it too;
    /// the CLI and the demo loader reach use cases without a route).
    pub(crate) fn require(&self, cap: Capability) -> Result<()> {
        match self.caller.role() {
            Some(r) if grants(r, cap) => Ok(()),
            None if self.caller.is_operator() => Ok(()),
            _ => Err(AppError::Forbidden),
        }
    }

    /// Checks the reference codes an item names.
    async fn check_item_codes(&self, i: &ItemInput) -> Result<()> {
        let mut e = Invalid::default();
        let fields = self.db.service_fields().await?;
        if !fields.iter().any(|f| f.code == i.service_field) {
            e.push(gongyi_domain::FieldError::new(
                "service_field",
                "catalogue.service_field",
                format!("服务领域“{}”不存在", i.service_field),
            ));
        }
        let subs = self.db.subdistricts().await?;
        for s in &i.subdistricts {
            if !subs.iter().any(|x| &x.code == s) {
                e.push(gongyi_domain::FieldError::new(
                    "subdistricts",
                    "catalogue.subdistrict",
                    format!("街道“{s}”不存在"),
                ));
            }
        }
        Ok(e.into_result()?)
    }

    /// A new item (bureau).
    pub async fn create_catalogue_item(&self, i: &ItemInput) -> Result<ItemRow> {
        self.require(Capability::EditCatalogue)?;
        self.check_item_codes(i).await?;
        let mut tx = self.db.begin().await?;
        let id = self
            .db
            .insert_catalogue_item(&mut tx, i, &self.caller.name, self.clock.now())
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("create", "catalogue_item", id)
                .note("series", &i.series)
                .note("name", &i.name)
                .note("service_field", &i.service_field)
                .note("subdistricts", i.subdistricts.join(",")),
        )
        .await?;
        tx.commit().await?;
        Ok(self.db.catalogue_item(id).await?)
    }

    /// Edits an item read at `version` (bureau); a stale version is a conflict.
    pub async fn update_catalogue_item(
        &self,
        id: i64,
        version: i64,
        i: &ItemInput,
    ) -> Result<ItemRow> {
        self.require(Capability::EditCatalogue)?;
        let before = self.db.catalogue_item(id).await?;
        self.check_item_codes(i).await?;
        let places: Vec<String> = self
            .db
            .catalogue_places(Some(id))
            .await?
            .into_iter()
            .map(|p| p.code)
            .collect();
        let mut tx = self.db.begin().await?;
        self.db
            .update_catalogue_item(&mut tx, id, version, i, self.clock.now())
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("update", "catalogue_item", id)
                .change("series", Some(&before.series), Some(&i.series))
                .change("name", Some(&before.name), Some(&i.name))
                .change(
                    "service_field",
                    Some(&before.service_field),
                    Some(&i.service_field),
                )
                .change(
                    "description",
                    before.description.as_deref(),
                    i.description.as_deref(),
                )
                .change(
                    "subdistricts",
                    Some(&places.join(",")),
                    Some(&i.subdistricts.join(",")),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok(self.db.catalogue_item(id).await?)
    }

    /// Sets an item's quota for a year (bureau), replacing an earlier one.
    pub async fn set_catalogue_quota(&self, id: i64, q: &Quota) -> Result<()> {
        self.require(Capability::EditCatalogue)?;
        self.db.catalogue_item(id).await?;
        let before = self
            .db
            .catalogue_quotas(id)
            .await?
            .into_iter()
            .find(|x| x.year == i64::from(q.year));
        let mut tx = self.db.begin().await?;
        self.db.set_catalogue_quota(&mut tx, id, q).await?;
        let shown = |p: i64, a: i64| format!("{p} 个 / {a} 分");
        self.audit(
            &mut tx,
            AuditEntry::new("set_quota", "catalogue_item", id)
                .note("year", q.year)
                .change(
                    "quota",
                    before.map(|b| shown(b.projects, b.amount_fen)).as_deref(),
                    Some(&shown(q.projects, q.amount.get())),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every item with the sub-districts each serves.
    pub async fn catalogue(&self) -> Result<(Vec<ItemRow>, Vec<ItemPlaceRow>)> {
        self.require(Capability::ReadCatalogue)?;
        Ok((
            self.db.catalogue_items().await?,
            self.db.catalogue_places(None).await?,
        ))
    }

    /// Every item in `year`: quota, called, awarded.
    pub async fn catalogue_year(&self, year: i32) -> Result<Vec<ItemYearRow>> {
        self.require(Capability::ReadCatalogue)?;
        Ok(self.db.catalogue_year(year).await?)
    }

    /// One item, its quotas, and its line for each year with a quota.
    pub async fn catalogue_item(&self, id: i64) -> Result<ItemPage> {
        self.require(Capability::ReadCatalogue)?;
        let item = self.db.catalogue_item(id).await?;
        let quotas = self.db.catalogue_quotas(id).await?;
        let mut years = Vec::new();
        for q in &quotas {
            let y = i32::try_from(q.year).unwrap_or(0);
            years.extend(
                self.db
                    .catalogue_year(y)
                    .await?
                    .into_iter()
                    .filter(|r| r.item_id == id),
            );
        }
        Ok(ItemPage {
            places: self.db.catalogue_places(Some(id)).await?,
            quotas,
            years,
            can_edit: self.require(Capability::EditCatalogue).is_ok(),
            item,
        })
    }
}
