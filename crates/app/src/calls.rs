//! Calls for purchased services (政府购买服务, 二(四)1): the purchaser (the
//! bureau, or a sub-district for its own area) drafts and publishes a call
//! against a catalogue item's quota; organisations hand in sealed bids until
//! the deadline; the bureau draws an expert panel from the reviewer
//! accounts; after the opening the experts declare conflicts and score; the
//! purchaser awards the best-scored qualified bid and, after the standstill,
//! signs.
//!
//! Decisions are the domain's (`domain::calls`), made on the status at the
//! server clock's moment (`Clock::now`), so steps due by time need no task:
//! every read and write sees them. Bids are sealed with the call's key
//! (`Keys::seal_bid`) and opened only by the audited opening after the
//! deadline. Every act is audited in its own transaction.

use crate::security::audit::AuditEntry;
use crate::{AppError, Registry, Result};
use chrono::{DateTime, Utc};
use gongyi_domain::access::{Capability, Role, Scope};
use gongyi_domain::calls::{
    self as dc, Actor, BidContent, BidFacts, CallInput, CallStatus, Criterion, Mark, Ranked,
    Refusal, Step,
};
use gongyi_domain::catalogue::check_quota;
use gongyi_domain::{text, Fen, Invalid};
use gongyi_store::calls::CallTransition;
/// What the calls' use cases hand out.
pub use gongyi_store::calls::{BidRow, CallEventRow, CallFilter, CallRow, ConflictRow, MarkRow};
use gongyi_store::{Page, StoreError};
use std::collections::BTreeMap;

/// Settings of the open-contracting data, from configuration.
#[derive(Debug, Clone)]
pub struct CallSettings {
    /// The OCDS `ocid` prefix registered for the publisher (`ocds-xxxxxx`).
    pub ocid_prefix: String,
    /// The publisher's name in release packages.
    pub publisher: String,
    /// The site's public address, for the packages' `uri`.
    pub public_url: String,
}

impl Default for CallSettings {
    fn default() -> Self {
        CallSettings {
            ocid_prefix: "ocds-yangpu".into(),
            publisher: "上海市杨浦区民政局".into(),
            public_url: "http://localhost:8080".into(),
        }
    }
}

/// A call and everything its page shows to the caller.
#[derive(Debug, Clone)]
pub struct CallPage {
    pub call: CallRow,
    /// The status at the clock's moment.
    pub status: CallStatus,
    pub criteria: Vec<Criterion>,
    pub events: Vec<CallEventRow>,
    /// Bids with their organisations: empty until the opening (who bid is
    /// sealed too); only the count is known before.
    pub bids: Vec<BidRow>,
    /// The opened contents, by bid, for the purchaser and the panel.
    pub contents: BTreeMap<i64, BidContent>,
    /// The panel's result, best first (after the opening).
    pub ranked: Vec<Ranked>,
    pub panel: Vec<String>,
    pub conflicts: Vec<ConflictRow>,
    /// The caller's own marks (an expert), or every mark (the purchaser).
    pub marks: Vec<MarkRow>,
    /// The calling organisation's own bid (its time, never its content).
    pub own_bid: Option<BidRow>,
    pub standstill_ends: Option<DateTime<Utc>>,
    /// What the caller may do now.
    pub steps: Vec<Step>,
    pub can_bid: bool,
    pub can_draw_panel: bool,
    pub on_panel: bool,
    pub is_purchaser: bool,
}

fn refused(field: &'static str, r: Refusal) -> AppError {
    AppError::Refused {
        field,
        code: r.code,
        message: r.message,
    }
}

fn facts(c: &CallRow) -> dc::Call<'_> {
    dc::Call {
        stored: c.status,
        enquiries_until: c.enquiries_until,
        bids_until: c.bids_until,
        standstill_days: c.standstill_days,
        awarded_at: c.awarded_at,
        opened: c.opened_at.is_some(),
        bids: c.bids,
        created_by: &c.created_by,
    }
}

/// The panel's result from what the store holds.
fn rank(
    criteria: &[Criterion],
    bids: &[BidRow],
    panel: &[String],
    conflicts: &[ConflictRow],
    marks: &[MarkRow],
) -> Vec<Ranked> {
    let bids: Vec<BidFacts> = bids
        .iter()
        .map(|b| BidFacts {
            id: b.id,
            price: Fen(b.price_fen.unwrap_or(0)),
            submitted_at: b.submitted_at,
            qualified: b.qualified,
        })
        .collect();
    let recusals: Vec<(i64, String)> = conflicts
        .iter()
        .map(|c| (c.bid_id, c.expert_name.clone()))
        .collect();
    let marks: Vec<Mark> = marks
        .iter()
        .map(|m| Mark {
            bid: m.bid_id,
            expert: m.expert_name.clone(),
            criterion: usize::try_from(m.position).unwrap_or(usize::MAX),
            points: m.points,
        })
        .collect();
    dc::results(criteria, &bids, panel, &recusals, &marks)
}

impl Registry {
    fn call_actor(&self) -> Result<Actor> {
        let role = self.caller.role().ok_or(AppError::Forbidden)?;
        Ok(Actor {
            name: self.caller.name.clone(),
            role,
        })
    }

    /// The purchaser the caller acts as: the bureau (`None`) or its own
    /// sub-district.
    fn buyer(&self) -> Result<Option<String>> {
        match (self.caller.role(), &self.caller.scope) {
            (Some(Role::Bureau), _) => Ok(None),
            (Some(Role::Subdistrict), Scope::Subdistrict(s)) => Ok(Some(s.clone())),
            _ => Err(AppError::Forbidden),
        }
    }

    fn is_purchaser(&self, c: &CallRow) -> bool {
        self.require(Capability::ManageCalls).is_ok()
            && self.buyer().is_ok_and(|b| b == c.buyer_subdistrict)
    }

    /// A call the caller may see: drafts only to their purchaser (and the
    /// bureau); anything else is "not found".
    fn visible(&self, c: &CallRow) -> bool {
        c.status.published() || self.caller.role() == Some(Role::Bureau) || self.is_purchaser(c)
    }

    async fn call_seen(&self, id: i64) -> Result<CallRow> {
        let c = self.db.call(id).await?;
        if !self.visible(&c) {
            return Err(AppError::NotFound);
        }
        Ok(c)
    }

    /// Checks the catalogue item and the place of a call for the caller.
    async fn check_call(&self, c: &CallInput, buyer: &Option<String>) -> Result<()> {
        if let Some(own) = buyer {
            if own != &c.subdistrict {
                return Err(Invalid::one(
                    "subdistrict",
                    "call.subdistrict_scope",
                    "街道只能为本街道发布购买服务项目",
                )
                .into());
            }
        }
        if !self
            .db
            .subdistricts()
            .await?
            .iter()
            .any(|s| s.code == c.subdistrict)
        {
            return Err(Invalid::one("subdistrict", "call.subdistrict", "请选择服务街道").into());
        }
        self.db
            .catalogue_item(c.item_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    AppError::Invalid(Invalid::one("item", "call.item", "请选择引导目录中的项目"))
                }
                other => other.into(),
            })?;
        let places = self.db.catalogue_places(Some(c.item_id)).await?;
        if !places.is_empty() && !places.iter().any(|p| p.code == c.subdistrict) {
            return Err(
                Invalid::one("item", "call.item_place", "所选目录项目不服务于该街道").into(),
            );
        }
        Ok(())
    }

    fn event<'a>(
        &'a self,
        action: &'static str,
        status: CallStatus,
        note: Option<&'a str>,
    ) -> CallTransition<'a> {
        CallTransition {
            action,
            stored: status,
            from: status,
            to: status,
            actor_name: &self.caller.name,
            actor_role: &self.caller.role,
            note,
            awarded_bid: None,
            at: self.clock.now(),
        }
    }

    /// A new draft by the bureau or a sub-district (for its own area).
    pub async fn create_call(&self, c: &CallInput) -> Result<CallRow> {
        self.require(Capability::ManageCalls)?;
        let buyer = self.buyer()?;
        self.check_call(c, &buyer).await?;
        let salt = crate::security::keys::Keys::new_call_salt();
        let mut tx = self.db.begin().await?;
        let id = self
            .db
            .insert_call(
                &mut tx,
                c,
                buyer.as_deref(),
                &salt,
                &self.caller.name,
                self.clock.now(),
            )
            .await?;
        self.db
            .call_event(&mut tx, id, &self.event("create", CallStatus::Draft, None))
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("create", "call", id)
                .note("title", &c.title)
                .note("item", c.item_id)
                .note("budget_fen", c.budget.get())
                .note("subdistrict", &c.subdistrict)
                .note(
                    "criteria",
                    dc::criteria_text(&c.criteria).replace('\n', "; "),
                )
                .change("status", None, Some(CallStatus::Draft.code())),
        )
        .await?;
        tx.commit().await?;
        Ok(self.db.call(id).await?)
    }

    /// Edits a draft read at `version` (its purchaser).
    pub async fn update_call(&self, id: i64, version: i64, c: &CallInput) -> Result<CallRow> {
        self.require(Capability::ManageCalls)?;
        let seen = self.call_seen(id).await?;
        if !self.is_purchaser(&seen) {
            return Err(AppError::NotFound);
        }
        if seen.status != CallStatus::Draft {
            return Err(refused(
                "status",
                dc::refuse(
                    "call.not_editable",
                    format!("项目现为“{}”,发布后不能修改", seen.status.label()),
                ),
            ));
        }
        let buyer = self.buyer()?;
        self.check_call(c, &buyer).await?;
        let mut tx = self.db.begin().await?;
        self.db
            .update_call(&mut tx, id, version, c, self.clock.now())
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("update", "call", id)
                .change("title", Some(&seen.title), Some(&c.title))
                .change(
                    "budget_fen",
                    Some(&seen.budget_fen.to_string()),
                    Some(&c.budget.get().to_string()),
                )
                .change(
                    "bids_until",
                    Some(&dc::local(seen.bids_until)),
                    Some(&dc::local(c.bids_until)),
                )
                .note(
                    "criteria",
                    dc::criteria_text(&c.criteria).replace('\n', "; "),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok(self.db.call(id).await?)
    }

    /// Calls the caller may see, latest deadline first.
    pub async fn calls(
        &self,
        mut f: CallFilter,
        page: Option<i64>,
        per_page: Option<i64>,
    ) -> Result<Page<CallRow>> {
        f.drafts_of = match (self.caller.role(), &self.caller.scope) {
            (Some(Role::Bureau), _) => Some(None),
            (Some(Role::Subdistrict), Scope::Subdistrict(s)) => Some(Some(s.clone())),
            _ => None,
        };
        let (page, per_page) = crate::bound_page(page, per_page, 30);
        Ok(self.db.list_calls(&f, page, per_page).await?)
    }

    /// One call as the caller may see it.
    pub async fn call_page(&self, id: i64) -> Result<CallPage> {
        let call = self.call_seen(id).await?;
        let now = self.clock.now();
        let status = dc::effective(&facts(&call), now);
        let criteria = self.db.call_criteria(id).await?;
        let opened = call.opened_at.is_some();
        let is_purchaser = self.is_purchaser(&call);
        let panel = self.db.panel(id).await?;
        let on_panel =
            self.caller.role() == Some(Role::Reviewer) && panel.contains(&self.caller.name);
        let insider = is_purchaser || self.caller.role() == Some(Role::Bureau) || on_panel;
        let bids = if opened {
            self.db.bids_of_call(id).await?
        } else {
            Vec::new()
        };
        let conflicts = if insider {
            self.db.conflicts(id).await?
        } else {
            Vec::new()
        };
        let all_marks = if opened && insider {
            self.db.marks(id).await?
        } else {
            Vec::new()
        };
        let ranked = if opened && insider {
            rank(&criteria, &bids, &panel, &conflicts, &all_marks)
        } else {
            Vec::new()
        };
        let mut contents = BTreeMap::new();
        if opened && insider {
            for b in &bids {
                let plain = self
                    .keys
                    .open_bid(id, &call.key_salt, b.org_id, &b.sealed)?;
                if let Some(c) = BidContent::from_plain(&plain) {
                    contents.insert(b.id, c);
                }
            }
        }
        let marks = if on_panel {
            all_marks
                .into_iter()
                .filter(|m| m.expert_name == self.caller.name)
                .collect()
        } else {
            all_marks
        };
        let own_bid = match (self.caller.role(), &self.caller.scope) {
            (Some(Role::Organisation), Scope::Organisation(org)) => {
                self.db.bid_of_org(id, *org).await?
            }
            _ => None,
        };
        let steps = match self.call_actor() {
            Ok(who) if is_purchaser => Step::ALL
                .into_iter()
                .filter(|s| dc::decide(&facts(&call), *s, &who, now).is_ok())
                .collect(),
            _ => Vec::new(),
        };
        let can_bid =
            self.require(Capability::SubmitBid).is_ok() && dc::may_bid(&facts(&call), now).is_ok();
        let can_draw_panel = self.require(Capability::DrawPanel).is_ok()
            && status.published()
            && !status.closed()
            && status != CallStatus::Standstill
            && !all_scored(&ranked);
        Ok(CallPage {
            standstill_ends: call
                .awarded_at
                .map(|a| dc::standstill_ends(a, call.standstill_days)),
            events: self.db.call_events(id).await?,
            status,
            criteria,
            bids,
            contents,
            ranked,
            panel,
            conflicts,
            marks,
            own_bid,
            steps,
            can_bid,
            can_draw_panel,
            on_panel,
            is_purchaser,
            call,
        })
    }

    /// A step on a call by its purchaser: publish, cancel, open, award,
    /// fail, sign. Decided and written in one transaction on the call as it
    /// stands then; of two concurrent steps from one status one wins, the
    /// other is refused.
    pub async fn call_step(&self, id: i64, step: &str, note: &str) -> Result<CallRow> {
        let step = Step::parse(step)?;
        let note = text::bounded(
            "note",
            "说明",
            note,
            500,
            matches!(step, Step::Cancel | Step::Fail),
        )?;
        self.require(Capability::ManageCalls)?;
        let who = self.call_actor()?;
        let seen = self.call_seen(id).await?;
        if !self.is_purchaser(&seen) {
            return Err(AppError::Denied {
                code: "call.not_purchaser",
                message: "只有项目的购买主体可以办理".into(),
            });
        }
        let now = self.clock.now();
        // Criteria are fixed once published; read before the write lock,
        // since a pool read inside it could wait on a connection that waits
        // on the lock (SQLite).
        let criteria = self.db.call_criteria(id).await?;
        let mut tx = self.db.begin().await?;
        let call = self.db.call_tx(&mut tx, id).await?;
        let from = dc::effective(&facts(&call), now);
        let to = dc::decide(&facts(&call), step, &who, now).map_err(|r| refused("step", r))?;
        let mut entry = AuditEntry::new(step.code(), "call", id).change(
            "status",
            Some(from.code()),
            Some(to.code()),
        );
        let mut awarded = None;
        match step {
            Step::Publish => {
                let (quota, used) = self
                    .db
                    .quota_in_use(&mut tx, call.item_id, i32::try_from(call.year).unwrap_or(0))
                    .await?;
                check_quota(
                    quota,
                    used,
                    Fen(call.budget_fen),
                    i32::try_from(call.year).unwrap_or(0),
                )
                .map_err(|r| AppError::Refused {
                    field: "step",
                    code: r.code,
                    message: r.message,
                })?;
            }
            Step::Open => {
                // The opening: every sealed bid is read with the call's key
                // and its price written; audited with the count.
                let bids = self.db.bids_of_call_tx(&mut tx, id).await?;
                for b in &bids {
                    let plain = self
                        .keys
                        .open_bid(id, &call.key_salt, b.org_id, &b.sealed)?;
                    let content = BidContent::from_plain(&plain).ok_or(AppError::Inconsistent {
                        entity: "bid",
                        id: b.id.to_string(),
                        problem: "opened content is not a bid",
                    })?;
                    self.db
                        .set_bid_price(&mut tx, b.id, content.price.get())
                        .await?;
                    entry = entry.note(
                        &format!("bid_{}", b.id),
                        format!("{} {}", b.credit_code, content.price.get()),
                    );
                }
                entry = entry.note("bids", bids.len());
            }
            Step::Award => {
                let bids = self.db.bids_of_call_tx(&mut tx, id).await?;
                let panel = self.db.panel_tx(&mut tx, id).await?;
                let conflicts = self.db.conflicts_tx(&mut tx, id).await?;
                let marks = self.db.marks_tx(&mut tx, id).await?;
                let ranked = rank(&criteria, &bids, &panel, &conflicts, &marks);
                let bid = dc::pick_award(&ranked).map_err(|r| refused("step", r))?;
                let b = bids.iter().find(|b| b.id == bid);
                entry = entry
                    .note("bid", bid)
                    .note("org", b.map(|b| b.credit_code.as_str()).unwrap_or(""))
                    .note("price_fen", b.and_then(|b| b.price_fen).unwrap_or(0));
                awarded = Some(bid);
            }
            Step::Cancel | Step::Fail | Step::Sign => {}
        }
        let note_opt = (!note.is_empty()).then_some(note.as_str());
        if let Some(n) = note_opt {
            entry = entry.note("note", n);
        }
        self.db
            .transition_call(
                &mut tx,
                id,
                &CallTransition {
                    action: step.code(),
                    stored: call.status,
                    from,
                    to,
                    actor_name: &self.caller.name,
                    actor_role: &self.caller.role,
                    note: note_opt,
                    awarded_bid: awarded,
                    at: now,
                },
            )
            .await
            .map_err(|e| match e {
                StoreError::Conflict => refused(
                    "step",
                    dc::refuse("call.state", "项目状态已由他人改变,请刷新后查看"),
                ),
                other => other.into(),
            })?;
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(self.db.call(id).await?)
    }

    /// Hands in (or replaces) the calling organisation's sealed bid, before
    /// the deadline by the server's clock. Returns the bid's id and whether
    /// it replaced an earlier one.
    pub async fn submit_bid(&self, id: i64, get: impl Fn(&str) -> String) -> Result<(i64, bool)> {
        self.require(Capability::SubmitBid)?;
        let org = match &self.caller.scope {
            Scope::Organisation(o) => *o,
            _ => return Err(AppError::Forbidden),
        };
        let seen = self.call_seen(id).await?;
        let content = BidContent::validate(get, Fen(seen.budget_fen))?;
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let call = self.db.call_tx(&mut tx, id).await?;
        dc::may_bid(&facts(&call), now).map_err(|r| refused("price", r))?;
        let sealed = self
            .keys
            .seal_bid(id, &call.key_salt, org, &content.to_plain());
        let (bid, replaced) = self
            .db
            .put_bid(&mut tx, id, org, &sealed, &self.caller.name, now)
            .await?;
        let status = dc::effective(&facts(&call), now);
        self.db
            .call_event(
                &mut tx,
                id,
                &self.event(if replaced { "replace_bid" } else { "bid" }, status, None),
            )
            .await?;
        // The audit names who bid and when, never what: the content is sealed.
        self.audit(
            &mut tx,
            AuditEntry::new(
                if replaced {
                    "replace_bid"
                } else {
                    "submit_bid"
                },
                "call",
                id,
            )
            .note("bid", bid),
        )
        .await?;
        tx.commit().await?;
        Ok((bid, replaced))
    }

    /// Draws the call's panel at random from the active reviewer accounts
    /// (bureau), replacing an earlier draw while nothing is scored.
    pub async fn draw_panel(&self, id: i64, size: &str) -> Result<Vec<String>> {
        use rand::seq::SliceRandom;
        let n = size
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=15).contains(n))
            .ok_or_else(|| Invalid::one("size", "panel.size", "评审小组人数应为 1 至 15 人"))?;
        self.require(Capability::DrawPanel)?;
        let call = self.call_seen(id).await?;
        let status = dc::effective(&facts(&call), self.clock.now());
        if !status.published() || status.closed() || status == CallStatus::Standstill {
            return Err(refused(
                "size",
                dc::refuse(
                    "panel.state",
                    format!("项目现为“{}”,不能抽取评审专家", status.label()),
                ),
            ));
        }
        let pool = self.db.reviewer_names().await?;
        if pool.len() < n {
            return Err(Invalid::one(
                "size",
                "panel.pool",
                format!("专家库只有 {} 名评审专家", pool.len()),
            )
            .into());
        }
        let mut drawn: Vec<String> = pool
            .choose_multiple(&mut rand::rngs::OsRng, n)
            .cloned()
            .collect();
        drawn.sort();
        let mut tx = self.db.begin().await?;
        if self.db.call_scored(&mut tx, id).await? {
            return Err(refused(
                "size",
                dc::refuse("panel.scored", "已有专家评分,不能重新抽取"),
            ));
        }
        let now = self.clock.now();
        self.db
            .put_panel(&mut tx, id, &drawn, &self.caller.name, now)
            .await?;
        let names = drawn.join(",");
        self.db
            .call_event(&mut tx, id, &self.event("panel", status, Some(&names)))
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("draw_panel", "call", id)
                .note("experts", &names)
                .note("pool", pool.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(drawn)
    }

    /// An expert of the panel declares a conflict of interest with a bidder
    /// and is recused from that bid.
    pub async fn declare_conflict(&self, id: i64, bid: &str, reason: &str) -> Result<()> {
        let reason = text::bounded("reason", "利益冲突说明", reason, 500, true)?;
        let bid = bid
            .trim()
            .parse::<i64>()
            .map_err(|_| Invalid::one("bid", "review.bid", "请选择投标"))?;
        self.require(Capability::ReviewBids)?;
        let call = self.call_seen(id).await?;
        let panel = self.db.panel(id).await?;
        if !panel.contains(&self.caller.name) {
            return Err(refused(
                "bid",
                dc::refuse("review.not_on_panel", "您不是本项目评审小组成员"),
            ));
        }
        if call.opened_at.is_none() || call.awarded_bid.is_some() {
            return Err(refused(
                "bid",
                dc::refuse("review.state", "开标后、定标前方可申报利益冲突"),
            ));
        }
        let bids = self.db.bids_of_call(id).await?;
        let b = bids
            .iter()
            .find(|b| b.id == bid)
            .ok_or(AppError::NotFound)?;
        let mut tx = self.db.begin().await?;
        self.db
            .declare_conflict(&mut tx, bid, &self.caller.name, &reason, self.clock.now())
            .await
            .map_err(|e| match e {
                StoreError::Duplicate { .. } => refused(
                    "bid",
                    dc::refuse("review.declared", "已申报过该投标人的利益冲突"),
                ),
                other => other.into(),
            })?;
        self.audit(
            &mut tx,
            AuditEntry::new("declare_conflict", "call", id)
                .note("bid", bid)
                .note("org", &b.credit_code)
                .note("reason", &reason),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An expert's scores for one bid: points per criterion with a reason.
    pub async fn score_bid(&self, id: i64, bid: &str, get: impl Fn(&str) -> String) -> Result<()> {
        let bid = bid
            .trim()
            .parse::<i64>()
            .map_err(|_| Invalid::one("bid", "review.bid", "请选择投标"))?;
        self.require(Capability::ReviewBids)?;
        let seen = self.call_seen(id).await?;
        let criteria = self.db.call_criteria(id).await?;
        let sheet = dc::parse_sheet(&criteria, get)?;
        let bids = self.db.bids_of_call(id).await?;
        if seen.opened_at.is_some() && !bids.iter().any(|b| b.id == bid) {
            return Err(AppError::NotFound);
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let call = self.db.call_tx(&mut tx, id).await?;
        let on_panel = self
            .db
            .panel_tx(&mut tx, id)
            .await?
            .contains(&self.caller.name);
        let recused = self.db.recused_tx(&mut tx, bid, &self.caller.name).await?;
        dc::may_score(&facts(&call), now, on_panel, recused).map_err(|r| refused("bid", r))?;
        self.db
            .put_marks(&mut tx, bid, &self.caller.name, &sheet, now)
            .await?;
        let mut entry = AuditEntry::new("score", "call", id).note("bid", bid);
        for (c, (p, r)) in criteria.iter().zip(&sheet) {
            entry = entry.note(&c.name, format!("{p}:{r}"));
        }
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The purchaser finds a bid unqualified (after the opening, before the
    /// award), with the reason; it is then passed over by the award.
    pub async fn disqualify_bid(&self, id: i64, bid: i64, reason: &str) -> Result<()> {
        let reason = text::bounded("reason", "不合格理由", reason, 500, true)?;
        self.require(Capability::ManageCalls)?;
        let call = self.call_seen(id).await?;
        if !self.is_purchaser(&call) {
            return Err(AppError::Denied {
                code: "call.not_purchaser",
                message: "只有项目的购买主体可以办理".into(),
            });
        }
        let status = dc::effective(&facts(&call), self.clock.now());
        if status != CallStatus::Evaluating || call.opened_at.is_none() {
            return Err(refused(
                "reason",
                dc::refuse(
                    "bid.qualification_state",
                    format!(
                        "项目现为“{}”,开标后、定标前方可认定投标不合格",
                        status.label()
                    ),
                ),
            ));
        }
        let bids = self.db.bids_of_call(id).await?;
        let b = bids
            .iter()
            .find(|b| b.id == bid)
            .ok_or(AppError::NotFound)?;
        let mut tx = self.db.begin().await?;
        self.db.disqualify_bid(&mut tx, bid, &reason).await?;
        self.audit(
            &mut tx,
            AuditEntry::new("disqualify_bid", "call", id)
                .note("bid", bid)
                .note("org", &b.credit_code)
                .note("reason", &reason)
                .change("qualified", Some("true"), Some("false")),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// A published call as the public sees it (no login): the call, its
    /// criteria, the bids after the opening (organisation and price), and
    /// the award. Drafts are not found.
    pub async fn public_call(&self, id: i64) -> Result<PublicCall> {
        let call = self.db.call(id).await?;
        if !call.status.published() {
            return Err(AppError::NotFound);
        }
        let bids = if call.opened_at.is_some() {
            self.db.bids_of_call(id).await?
        } else {
            Vec::new()
        };
        Ok(PublicCall {
            status: dc::effective(&facts(&call), self.clock.now()),
            criteria: self.db.call_criteria(id).await?,
            bids,
            settings: (*self.calls).clone(),
            call,
        })
    }

    /// Published calls for the public list.
    pub async fn public_calls(
        &self,
        f: CallFilter,
        page: Option<i64>,
    ) -> Result<Page<(CallRow, CallStatus)>> {
        let (page, per_page) = crate::bound_page(page, Some(30), 30);
        let f = CallFilter {
            drafts_of: None,
            ..f
        };
        let p = self.db.list_calls(&f, page, per_page).await?;
        let now = self.clock.now();
        Ok(Page {
            items: p
                .items
                .into_iter()
                .map(|c| {
                    let s = dc::effective(&facts(&c), now);
                    (c, s)
                })
                .collect(),
            total: p.total,
            page: p.page,
            per_page: p.per_page,
        })
    }

    /// The call id an `ocid` names, if it carries the configured prefix.
    pub fn call_of_ocid(&self, ocid: &str) -> Option<i64> {
        ocid.strip_prefix(&self.calls.ocid_prefix)?
            .strip_prefix("-call-")?
            .parse()
            .ok()
    }

    pub fn with_call_settings(mut self, s: CallSettings) -> Registry {
        self.calls = std::sync::Arc::new(s);
        self
    }
}

fn all_scored(ranked: &[Ranked]) -> bool {
    !ranked.is_empty() && ranked.iter().any(|r| r.scored > 0)
}

/// A published call for the public and its open-contracting release.
#[derive(Debug, Clone)]
pub struct PublicCall {
    pub call: CallRow,
    pub status: CallStatus,
    pub criteria: Vec<Criterion>,
    /// After the opening: every bid (its organisation and price).
    pub bids: Vec<BidRow>,
    pub settings: CallSettings,
}

impl PublicCall {
    pub fn ocid(&self) -> String {
        format!("{}-call-{}", self.settings.ocid_prefix, self.call.id)
    }
}

/// A call's status at `now` (lists show it so).
pub fn status_at(c: &CallRow, now: DateTime<Utc>) -> CallStatus {
    dc::effective(&facts(c), now)
}
