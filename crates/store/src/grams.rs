//! The name index behind substring search (`org_name_grams`): written with
//! every organisation and rebuilt for rows that predate it.

use crate::query::{escape_like, Bind};
use crate::{on_db, on_tx, Db, Result, Tx};
use gongyi_domain::search::name_grams;

impl Db {
    /// Replaces the index terms of one organisation's name.
    pub(crate) async fn write_name_grams(
        &self,
        tx: &mut Tx,
        org_id: i64,
        name: &str,
    ) -> Result<()> {
        on_tx!(tx, c => sqlx::query("DELETE FROM org_name_grams WHERE org_id = $1")
            .bind(org_id).execute(&mut **c).await?.rows_affected());
        self.insert_name_grams(tx, &[(org_id, name)]).await
    }

    /// Adds the index terms of new organisations' names.
    pub(crate) async fn insert_name_grams(&self, tx: &mut Tx, orgs: &[(i64, &str)]) -> Result<()> {
        let rows: Vec<Vec<Bind>> = orgs
            .iter()
            .flat_map(|(id, name)| {
                name_grams(name)
                    .into_iter()
                    .map(move |g| vec![Bind::Text(g), Bind::Int(*id)])
            })
            .collect();
        self.insert_rows(tx, "org_name_grams", &["gram", "org_id"], rows, None)
            .await?;
        Ok(())
    }

    /// Indexes organisations that have no index terms yet (rows written
    /// before the index existed); a no-op once every row is indexed.
    pub(crate) async fn backfill_name_grams(&self) -> Result<()> {
        loop {
            let batch: Vec<(i64, String)> = on_db!(self, p => sqlx::query_as(
                "SELECT o.id, o.name FROM organizations o
                 WHERE NOT EXISTS (SELECT 1 FROM org_name_grams g WHERE g.org_id = o.id) ORDER BY o.id LIMIT 5000")
                .fetch_all(p).await?);
            if batch.is_empty() {
                return Ok(());
            }
            let mut tx = self.begin().await?;
            let refs: Vec<(i64, &str)> = batch.iter().map(|(id, n)| (*id, n.as_str())).collect();
            self.insert_name_grams(&mut tx, &refs).await?;
            tx.commit().await?;
        }
    }
}

/// The WHERE condition (and its binds) for organisations whose name contains
/// `q`: through the index, then checked on the name itself.
pub(crate) fn name_contains(q: &str, binds: &mut Vec<Bind>) -> String {
    let grams = gongyi_domain::search::query_grams(q);
    let mut conds = Vec::new();
    if q.chars().filter(|c| !c.is_whitespace()).count() == 1 {
        let g = grams.first().cloned().unwrap_or_default();
        binds.push(Bind::Text(g.clone()));
        binds.push(Bind::Text(format!("{g}\u{10FFFF}")));
        conds.push(format!(
            "o.id IN (SELECT org_id FROM org_name_grams WHERE gram >= ${} AND gram < ${})",
            binds.len() - 1,
            binds.len()
        ));
    } else {
        // The rarest pairs would be best; the first few already narrow enough.
        for g in grams.into_iter().take(4) {
            binds.push(Bind::Text(g));
            conds.push(format!(
                "o.id IN (SELECT org_id FROM org_name_grams WHERE gram = ${})",
                binds.len()
            ));
        }
    }
    // One or two characters are matched exactly by the terms themselves; a
    // longer query holds all its pairs but not necessarily in a row, so the
    // name is checked too. (Checking short ones as well makes PostgreSQL scan
    // every name instead of following the index.)
    if q.chars().filter(|c| !c.is_whitespace()).count() > 2 {
        binds.push(Bind::Text(format!("%{}%", escape_like(q))));
        conds.push(format!("o.name LIKE ${} ESCAPE '\\'", binds.len()));
    }
    format!("({})", conds.join(" AND "))
}
