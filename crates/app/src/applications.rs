//! Applications to payment (issue 4, parts 5–7): apply with attachments, the
//! workflow steps (review, approve, pay, return, refuse, resubmit), budget
//! lines, the finance ledger and the subsidy histories of organisations and
//! people.
//!
//! Each step is one transaction that writes the status change and its audit
//! event together. The two money steps add guarantees of their own:
//! - **approve** evaluates the application's rule on the recorded facts of
//!   its beneficiary ([`Registry::facts_decision`]: the engine's amount, its
//!   refusal, or "not on record" naming the missing fact and who records
//!   it), then locks every budget line of the rule, re-reads the
//!   application, counts what the rule's other approved and paid
//!   applications took (once-only awards, 24 rent months, R4's ceiling, R10's
//!   two a year), refuses a second approval of the same entitlement and an
//!   approval the line cannot cover, all inside the lock, and approves at
//!   most the engine's amount;
//! - **pay** changes the status with a guarded update (`… AND status =
//!   'APPROVED'`) and inserts the payment, whose unique key refuses a second
//!   payment of the same entitlement whatever happened before.
//!
//! - **submit** refuses an organisation deregistered, revoked or on the
//!   abnormal-activity or serious-dishonesty list on the event's day
//!   ([`wf::Standing`]); approval checks it again.
//!
//! Who may do what is the domain's decision (`gongyi_domain::applications`).
//! The actor is the registry's caller: a signed-in account acts as itself
//! (names typed into a form are ignored); only the command-line operator
//! names the actor it records ([`ActorInput`]). Every step is written to the
//! audit trail in its own transaction, and reads are cut to the caller's
//! scope (an application outside it is not found).

use crate::security::audit::AuditEntry;
use crate::{AppError, Registry, Result};
use chrono::{DateTime, Datelike, Utc};
use gongyi_domain::access::Scope;
use gongyi_domain::applications::{
    self as wf, Action, Actor, ApplicationInput, Attachment, Beneficiary, Current, Status, Step,
    SubsidyRule,
};
use gongyi_domain::policy::{self, BeneficiaryKind, Policy, Window};
use gongyi_domain::{text, Fen, Invalid};
use gongyi_store::applications::Transition;
/// What the application use cases hand out: applications, their events,
/// attachments and payments, and the queue's filter.
pub use gongyi_store::applications::{
    ApplicationEventRow, ApplicationFilter, ApplicationRow, AttachmentMetaRow, AttachmentRow,
    PaymentRow,
};
/// Budget lines with what is committed against them, and the ledger.
pub use gongyi_store::budgets::{BudgetEventRow, BudgetStatusRow, LedgerRow, PayeeLedgerRow};
use gongyi_store::policy_facts::{org_fact_id, person_fact_id, FactsScope};
use gongyi_store::{Page, StoreError};

/// A file as uploaded.
#[derive(Debug, Clone, Default)]
pub struct AttachmentInput {
    pub file_name: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// The acting user as typed (`actor_name`, `actor_role`): heeded only when
/// the caller is the command-line operator; a signed-in caller acts as
/// itself.
#[derive(Debug, Clone, Default)]
pub struct ActorInput {
    pub name: String,
    pub role: String,
}

/// A workflow step as typed.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub actor: ActorInput,
    /// Required to return or refuse.
    pub reason: String,
    /// Approve only: a lower amount than the entitlement, in yuan; blank
    /// approves the entitlement.
    pub amount: String,
    /// The version the user saw; a newer one refuses the step as a conflict.
    pub version: Option<i64>,
}

/// A budget line as typed.
#[derive(Debug, Clone, Default)]
pub struct BudgetInput {
    pub rule: String,
    pub year: String,
    /// In yuan.
    pub amount: String,
    pub actor: ActorInput,
}

/// Everything the application page shows.
#[derive(Debug, Clone)]
pub struct ApplicationPage {
    pub application: ApplicationRow,
    pub events: Vec<ApplicationEventRow>,
    pub attachments: Vec<AttachmentMetaRow>,
    pub payment: Option<PaymentRow>,
    /// The steps someone could take now, with the role that may.
    pub open_actions: Vec<(Action, wf::Role)>,
}

/// An organisation's or a person's applications and payments.
#[derive(Debug, Clone, Default)]
pub struct SubsidyHistory {
    pub applications: Vec<ApplicationRow>,
    pub payments: Vec<PaymentRow>,
}

fn parse_actor(a: &ActorInput) -> Result<Actor, Invalid> {
    Actor::parse(&a.name, &a.role)
}

/// The domain's view of a stored application.
fn current(a: &ApplicationRow) -> Current<'_> {
    Current {
        status: a.status,
        needs_review: a.needs_review,
        approver: a.approver_name.as_deref(),
        applicant: Some(&a.applicant_name),
    }
}

fn refused(field: &'static str, code: &'static str, message: String) -> AppError {
    AppError::Refused {
        field,
        code,
        message,
    }
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// The audit entry of a workflow step.
fn step_entry(id: i64, step: &Step, who: &Actor, reason: &str, amount: Option<Fen>) -> AuditEntry {
    let mut e = AuditEntry::new(step.action.code(), "application", id)
        .change("status", Some(step.from.code()), Some(step.to.code()))
        .note("actor", &who.name)
        .note("actor_role", who.role.code());
    if !reason.is_empty() {
        e = e.note("reason", reason);
    }
    if let Some(a) = amount {
        e = e.note("amount_fen", a.get());
    }
    e
}

impl Registry {
    /// Who takes a workflow step. A signed-in caller is who its account
    /// says, whatever was typed; the command-line operator (and tests) name
    /// the actor in `typed`; anyone else takes no step. The inner error is
    /// a typed actor that does not parse, reported with the other fields.
    pub fn workflow_actor(&self, typed: &ActorInput) -> Result<Result<Actor, Invalid>> {
        let c = &self.caller;
        if c.account_id.is_some() {
            let role = c
                .role()
                .and_then(|r| r.workflow_role())
                .ok_or(AppError::Forbidden)?;
            return Ok(Ok(Actor {
                name: c.name.clone(),
                role,
            }));
        }
        if c.is_operator() {
            return Ok(parse_actor(typed));
        }
        Err(AppError::Forbidden)
    }

    /// The application `id` if it lies in the caller's scope.
    async fn application_in_scope(&self, id: i64) -> Result<ApplicationRow> {
        Ok(self.db.application_in(&self.caller.scope, id).await?)
    }

    /// Refuses a beneficiary outside the caller's scope, as if unknown to
    /// the caller: a sub-district applies for its own area, an organisation
    /// for itself.
    fn check_beneficiary_scope(
        &self,
        beneficiary: Beneficiary,
        subdistrict: Option<&str>,
    ) -> Result<()> {
        let inside = match &self.caller.scope {
            Scope::District => true,
            Scope::Subdistrict(own) => subdistrict == Some(own.as_str()),
            Scope::Organisation(own) => beneficiary == Beneficiary::Organisation(*own),
            Scope::Nothing => return Err(AppError::Forbidden),
        };
        if inside {
            Ok(())
        } else {
            Err(Invalid::one(
                "beneficiary_id",
                "scope.beneficiary",
                "只能为本账号管辖范围内的组织或人员申请",
            )
            .into())
        }
    }
}

impl Registry {
    /// Submits an application with its attachments. The beneficiary must be
    /// in the registry; an entitlement that already has a live (not refused)
    /// application is refused, so the queue holds one application per
    /// entitlement in the normal course (the approval and payment checks
    /// hold even when two arrive at once).
    pub async fn apply(
        &self,
        input: &ApplicationInput,
        files: Vec<AttachmentInput>,
        actor: &ActorInput,
    ) -> Result<ApplicationRow> {
        let mut errs = Invalid::default();
        let who = errs.take(self.workflow_actor(actor)?);
        let draft = errs.take(input.validate());
        if files.len() > wf::MAX_ATTACHMENTS {
            errs.push(gongyi_domain::FieldError::new(
                "attachments",
                "attachment.too_many",
                format!(
                    "每份申请最多 {} 个附件,现为 {} 个",
                    wf::MAX_ATTACHMENTS,
                    files.len()
                ),
            ));
        }
        let attachments: Vec<Attachment> = files
            .into_iter()
            .enumerate()
            .filter_map(|(i, f)| {
                errs.take(wf::parse_attachment(
                    i,
                    &f.file_name,
                    &f.content_type,
                    f.bytes,
                ))
            })
            .collect();
        let (Some(who), Some(draft)) = (who, draft) else {
            return Err(errs.into());
        };
        if !errs.is_empty() {
            return Err(errs.into());
        }
        wf::may_submit(&who)?;
        let Some(snapshot) = self
            .db
            .beneficiary_snapshot(draft.beneficiary_kind, &draft.beneficiary_id)
            .await?
        else {
            let message = match draft.beneficiary_kind {
                BeneficiaryKind::Organisation => {
                    format!("统一社会信用代码“{}”对应的组织不存在", draft.beneficiary_id)
                }
                BeneficiaryKind::Person => format!("人员“{}”不存在", draft.beneficiary_id),
            };
            return Err(Invalid::one("beneficiary_id", "beneficiary.unknown", message).into());
        };
        self.check_beneficiary_scope(snapshot.beneficiary, snapshot.subdistrict_code.as_deref())?;
        // An organisation deregistered, revoked or on a credit list on the
        // event's day (the recorded event's, else the key's, else today)
        // may not apply.
        if let Beneficiary::Organisation(org) = snapshot.beneficiary {
            let day = match self
                .event_decision(draft.rule, snapshot.beneficiary, &draft.event_key)
                .await?
                .date()
            {
                Some(d) => d,
                None => wf::event_date(draft.rule, &draft.event_key)
                    .unwrap_or_else(|| self.clock.today()),
            };
            self.db.org_standing(org).await?.check(day)?;
        }
        // Keyed on the beneficiary's table id: an organisation that changed
        // its credit code meets its earlier applications here.
        let key = gongyi_store::applications::EntitlementKey {
            rule: draft.rule,
            beneficiary: snapshot.beneficiary,
            event_key: &draft.event_key,
        };
        if let Some((id, status)) = self.db.live_application_for(key).await? {
            return Err(refused(
                "event_key",
                "application.duplicate",
                format!(
                    "该事项已有申请(编号 {id},{}),同一事项不能重复申请",
                    status.label()
                ),
            ));
        }
        let mut tx = self.db.begin().await?;
        let id = self
            .db
            .insert_application(&mut tx, &draft, &snapshot, &who, &attachments, now())
            .await?;
        self.audit(
            &mut tx,
            AuditEntry::new("submit", "application", id)
                .change("status", None, Some(Status::Submitted.code()))
                .note("actor", &who.name)
                .note("actor_role", who.role.code())
                .note("rule", draft.rule.code())
                .note(
                    "beneficiary",
                    format!("{}:{}", draft.beneficiary_kind.code(), draft.beneficiary_id),
                )
                .note("beneficiary_ref", snapshot.beneficiary.table_id())
                .note("event_key", &draft.event_key)
                .note("amount_fen", draft.requested.get())
                .note("attachments", attachments.len()),
        )
        .await?;
        tx.commit().await?;
        tracing::info!(application = id, rule = %draft.rule, "application submitted");
        Ok(self.db.application(id).await?)
    }

    /// Takes the workflow step `action` (`review`, `approve`, `pay`,
    /// `return`, `refuse`, `resubmit`) on application `id`.
    pub async fn act(&self, id: i64, action: &str, input: &ActionInput) -> Result<ApplicationRow> {
        let action = Action::from_code(action).ok_or(AppError::NotFound)?;
        let seen = self.application_in_scope(id).await?;
        let mut errs = Invalid::default();
        let who = errs.take(self.workflow_actor(&input.actor)?);
        let reason = errs.take(text::bounded("reason", "理由", &input.reason, 500, false));
        let amount = if action == Action::Approve && !input.amount.trim().is_empty() {
            errs.take(Fen::parse_yuan("amount", &input.amount).map(Some))
        } else {
            Some(None)
        };
        let (Some(who), Some(reason), Some(amount)) = (who, reason, amount) else {
            return Err(errs.into());
        };
        if input.version.is_some_and(|v| v != seen.version) {
            return Err(AppError::Conflict);
        }
        match action {
            Action::Approve => {
                self.approve(id, &who, &reason, amount, input.version)
                    .await?
            }
            Action::Pay => self.pay(&seen, &who, &reason).await?,
            _ => {
                let step = wf::decide(&current(&seen), action, &who, &reason)?;
                let entry = step_entry(id, &step, &who, &reason, None);
                let mut tx = self.db.begin().await?;
                self.db
                    .transition(
                        &mut tx,
                        id,
                        &Transition {
                            step,
                            actor: &who,
                            version: seen.version,
                            reason: (!reason.is_empty()).then_some(reason.as_str()),
                            approved: None,
                            note: None,
                            at: now(),
                        },
                    )
                    .await?;
                self.audit(&mut tx, entry).await?;
                tx.commit().await?;
            }
        }
        tracing::info!(
            application = id,
            action = action.code(),
            role = who.role.code(),
            "application step"
        );
        Ok(self.db.application(id).await?)
    }

    /// The approval, inside the lock of the rule's budget line for this
    /// year (budget lines are drawn on in the year of approval).
    async fn approve(
        &self,
        id: i64,
        who: &Actor,
        reason: &str,
        typed: Option<Fen>,
        version: Option<i64>,
    ) -> Result<()> {
        let seen = self.db.application(id).await?;
        let rule = seen.rule;
        let year = self.clock.today().year();
        // Refuse what cannot succeed before reading the facts; the decision
        // is taken again on the row read under the lock.
        wf::decide(&current(&seen), Action::Approve, who, reason)?;
        if let Some(taken) = self.db.entitlement_taken(seen.entitlement(), id).await? {
            return Err(taken_refusal(taken));
        }
        // Read outside the transaction: registry facts are not what the
        // lock protects, and holding it while loading them would slow every
        // other approval of the line.
        let facts = self.facts_decision(&seen).await?;
        let mut tx = self.db.begin().await?;
        // First statement of the transaction: every line of the rule, so
        // that what other applications of the rule took (below) cannot
        // change until this one is decided, whatever year they drew on.
        let line = self.db.lock_rule_budget(&mut tx, rule, year).await?;
        let app = self.db.application_tx(&mut tx, id).await?;
        if version.is_some_and(|v| v != app.version) {
            return Err(AppError::Conflict);
        }
        let step = wf::decide(&current(&app), Action::Approve, who, reason)?;
        let committed = self
            .db
            .committed_tx(&mut tx, app.entitlement(), app.id)
            .await?;
        let entitled = wf::entitlement(
            rule,
            Fen(app.requested_fen),
            &facts,
            committed,
            &Policy::yangpu(),
        )?;
        let amount = wf::approved_amount(&entitled, typed)?;
        if let Some(taken) = self
            .db
            .entitlement_taken_tx(&mut tx, app.entitlement(), id)
            .await?
        {
            return Err(taken_refusal(taken));
        }
        let committed = self.db.budget_committed_tx(&mut tx, rule, year).await?;
        wf::check_budget(rule, year, line.map(|l| l.amount), committed, amount)?;
        let entry = step_entry(id, &step, who, reason, Some(amount))
            .note("budget_line", format!("{}/{year}", rule.code()));
        self.db
            .transition(
                &mut tx,
                id,
                &Transition {
                    step,
                    actor: who,
                    version: app.version,
                    reason: (!reason.is_empty()).then_some(reason),
                    approved: Some((amount, year)),
                    note: Some(&entitled.note),
                    at: now(),
                },
            )
            .await?;
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The payment: the guarded status change and the payment row, one
    /// transaction.
    async fn pay(&self, seen: &ApplicationRow, who: &Actor, reason: &str) -> Result<()> {
        let step = wf::decide(&current(seen), Action::Pay, who, reason)?;
        let entry = step_entry(seen.id, &step, who, reason, None);
        // The event shows the amount paid: the one approved.
        let paid = seen
            .approved_fen
            .zip(seen.budget_year)
            .and_then(|(f, y)| Some((Fen(f), i32::try_from(y).ok()?)));
        let mut tx = self.db.begin().await?;
        // First statement: the guarded update (on SQLite it takes the write
        // lock; of concurrent payers only one finds the row still APPROVED).
        let moved = self
            .db
            .transition(
                &mut tx,
                seen.id,
                &Transition {
                    step,
                    actor: who,
                    version: seen.version,
                    reason: Some(reason).filter(|r| !r.is_empty()),
                    approved: paid,
                    note: None,
                    at: now(),
                },
            )
            .await;
        match moved {
            Ok(()) => {}
            Err(StoreError::Conflict) => {
                drop(tx);
                let now_row = self.db.application(seen.id).await?;
                return Err(if now_row.status == Status::Paid {
                    already_paid(&now_row)
                } else {
                    AppError::Conflict
                });
            }
            Err(e) => return Err(e.into()),
        }
        let app = self.db.application_tx(&mut tx, seen.id).await?;
        let (Some(amount), Some(year)) = (app.approved_fen, app.budget_year) else {
            return Err(AppError::Inconsistent {
                entity: "application",
                id: app.id.to_string(),
                problem: "approved without an amount or a budget year",
            });
        };
        let line = self.db.budget_line_id_tx(&mut tx, app.rule, year).await?;
        match self
            .db
            .insert_payment(&mut tx, &app, Fen(amount), line, who, now())
            .await
        {
            Ok(_) => {}
            Err(StoreError::Duplicate { .. }) => return Err(already_paid(&app)),
            Err(e) => return Err(e.into()),
        }
        let entry = entry
            .note("amount_fen", amount)
            .note("budget_line", format!("{}/{year}", app.rule));
        self.audit(&mut tx, entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// What the policy engine decides about the application's event on the
    /// recorded facts of its beneficiary (one organisation's facts for
    /// R2–R7, one person's for R9–R11; `store::policy_facts::FactsScope`),
    /// over the whole policy period: the engine's amount, its refusal, or
    /// "not on record" naming the missing fact and who must record it. For
    /// an organisation, one deregistered, revoked or listed on the event's
    /// day is refused too ([`wf::Standing`]). R8 has no formula and is not
    /// evaluated. Not through the caller's scope: whoever may act on the
    /// application may have its facts checked.
    pub async fn facts_decision(&self, app: &ApplicationRow) -> Result<wf::FactsDecision> {
        let decision = self
            .event_decision(app.rule, app.beneficiary(), &app.event_key)
            .await?;
        if let Beneficiary::Organisation(org) = app.beneficiary() {
            let day = decision
                .date()
                .or_else(|| wf::event_date(app.rule, &app.event_key))
                .unwrap_or_else(|| self.clock.today());
            if let Err(r) = self.db.org_standing(org).await?.check(day) {
                return Ok(wf::FactsDecision::Refused {
                    code: r.code,
                    message: r.message,
                });
            }
        }
        Ok(decision)
    }

    /// The engine's decision about one event of one beneficiary (see
    /// [`Registry::facts_decision`]).
    async fn event_decision(
        &self,
        rule: SubsidyRule,
        who: Beneficiary,
        key: &str,
    ) -> Result<wf::FactsDecision> {
        let Some(policy_rule) = rule.policy_rule() else {
            return Ok(wf::FactsDecision::not_on_record(rule, key));
        };
        let policy = Policy::yangpu();
        let Some(window) = decision_window(&policy, rule, key) else {
            return Ok(wf::FactsDecision::not_on_record(rule, key));
        };
        let (scope, fact_id) = match who {
            Beneficiary::Organisation(id) => (FactsScope::Org(id), org_fact_id(id)),
            Beneficiary::Person(id) => (FactsScope::Person(id), person_fact_id(id)),
        };
        let data = self.db.load_policy_facts(scope).await?;
        let facts = &data.facts;
        let decisions = match who {
            Beneficiary::Organisation(_) => facts
                .find_org(&fact_id)
                .map(|o| policy::claims_of_org(facts, &policy, o, window)),
            Beneficiary::Person(_) => facts
                .find_person(&fact_id)
                .map(|p| policy::claims_of_person(facts, &policy, p, window)),
        }
        .unwrap_or_default();
        let mine: Vec<&policy::Decision> =
            decisions.iter().filter(|d| d.rule == policy_rule).collect();
        // Several records may share a key (the same honour twice, a
        // project's wins): the one paid if any, else the first refused.
        let of_key = || {
            mine.iter()
                .filter(|d| d.key.display(facts).to_string() == key)
        };
        let Some(d) = of_key()
            .find(|d| d.amount().is_some())
            .or_else(|| of_key().next())
        else {
            return Ok(wf::FactsDecision::not_on_record(rule, key));
        };
        Ok(match d.outcome {
            policy::Outcome::Granted { amount, .. } => wf::FactsDecision::Granted {
                amount,
                rule_total: mine.iter().filter_map(|d| d.amount()).sum(),
                date: d.key.date(facts),
                explanation: d.explain(facts, &policy).text,
            },
            policy::Outcome::Refused(why) => wf::FactsDecision::refused(policy_rule, why, &policy),
        })
    }

    pub async fn application_page(&self, id: i64) -> Result<ApplicationPage> {
        let application = self.application_in_scope(id).await?;
        let open_actions = wf::open_actions(&current(&application));
        Ok(ApplicationPage {
            events: self.db.application_events(id).await?,
            attachments: self.db.application_attachments(id).await?,
            payment: self.db.payment_of_application(id).await?,
            open_actions,
            application,
        })
    }

    /// The queue and its counts per status (under the other filters).
    pub async fn application_queue(
        &self,
        f: &ApplicationFilter,
        page: i64,
        per_page: i64,
    ) -> Result<(Page<ApplicationRow>, Vec<(Status, i64)>)> {
        let scope = &self.caller.scope;
        Ok((
            self.db.list_applications(scope, f, page, per_page).await?,
            self.db.application_status_counts(scope, f).await?,
        ))
    }

    pub async fn attachment(&self, application_id: i64, id: i64) -> Result<AttachmentRow> {
        self.application_in_scope(application_id).await?;
        Ok(self.db.attachment(application_id, id).await?)
    }

    /// Sets the amount of a rule's budget line for a year. It may not go
    /// below what the line has already given away.
    pub async fn set_budget(&self, input: &BudgetInput) -> Result<BudgetStatusRow> {
        let mut errs = Invalid::default();
        let who = errs.take(self.workflow_actor(&input.actor)?);
        let rule = errs.take(SubsidyRule::parse("rule", &input.rule));
        let year = errs.take(text::year("year", "预算年度", &input.year));
        let amount = errs.take(Fen::parse_yuan("amount", &input.amount));
        let (Some(who), Some(rule), Some(year), Some(amount)) = (who, rule, year, amount) else {
            return Err(errs.into());
        };
        wf::may_set_budget(&who)?;
        let mut tx = self.db.begin().await?;
        let old = self.db.lock_budget_line(&mut tx, rule, year).await?;
        let committed = self.db.budget_committed_tx(&mut tx, rule, year).await?;
        wf::check_budget_amount(rule, year, amount, committed)?;
        self.db
            .set_budget_line(&mut tx, (rule, year), old, amount, &who, now())
            .await?;
        let before = old.map(|l| l.amount.get().to_string());
        self.audit(
            &mut tx,
            AuditEntry::new(
                "set_budget",
                "budget_line",
                format!("{}/{year}", rule.code()),
            )
            .change(
                "amount_fen",
                before.as_deref(),
                Some(&amount.get().to_string()),
            )
            .note("actor", &who.name)
            .note("actor_role", who.role.code()),
        )
        .await?;
        tx.commit().await?;
        Ok(self.db.budget_line_status(rule, year).await?)
    }

    /// The history of one budget line: every change with who made it, from
    /// what amount to what, oldest first (`budget_events`, written with each
    /// change in [`Registry::set_budget`]).
    pub async fn budget_history(&self, rule: &str, year: &str) -> Result<Vec<BudgetEventRow>> {
        let mut errs = Invalid::default();
        let rule = errs.take(SubsidyRule::parse("rule", rule));
        let year = errs.take(text::year("year", "预算年度", year));
        let (Some(rule), Some(year)) = (rule, year) else {
            return Err(errs.into());
        };
        Ok(self.db.budget_events(rule, year).await?)
    }

    pub async fn budgets(&self, year: Option<i32>) -> Result<Vec<BudgetStatusRow>> {
        Ok(self.db.budget_status(year).await?)
    }

    pub async fn ledger(&self, year: Option<i32>) -> Result<Vec<LedgerRow>> {
        Ok(self.db.ledger(year).await?)
    }

    /// What each payee was paid, per rule, in budget year `year` (all when `None`).
    pub async fn payee_ledger(&self, year: Option<i32>) -> Result<Vec<PayeeLedgerRow>> {
        Ok(self.db.payee_ledger(year).await?)
    }

    /// The ledger as an xlsx workbook: one row per rule, year and
    /// sub-district, then a total row.
    pub async fn ledger_xlsx(&self, year: Option<i32>) -> Result<Vec<u8>> {
        let rows = self.ledger(year).await?;
        let headers = ["预算年度", "项目", "项目名称", "街道", "笔数", "金额(元)"];
        let mut cells: Vec<Vec<String>> = rows
            .iter()
            .map(|r| {
                vec![
                    r.year.to_string(),
                    r.rule.code().to_string(),
                    r.rule.title().to_string(),
                    r.subdistrict_name
                        .clone()
                        .unwrap_or_else(|| "未归属街道".into()),
                    r.payments.to_string(),
                    Fen(r.total_fen).to_yuan_string(),
                ]
            })
            .collect();
        cells.push(vec![
            "合计".into(),
            String::new(),
            String::new(),
            String::new(),
            rows.iter().map(|r| r.payments).sum::<i64>().to_string(),
            Fen(rows.iter().map(|r| r.total_fen).sum()).to_yuan_string(),
        ]);
        gongyi_interchange::write_xlsx_to_vec(
            &headers,
            cells,
            &gongyi_interchange::XlsxOptions {
                sheet_name: "拨付台账".into(),
            },
        )
        .map_err(AppError::from)
    }

    /// An organisation's applications and payments (its page's subsidy
    /// section), found by its table id, so applications made under an earlier credit
    /// code are listed too.
    pub async fn org_subsidies(&self, credit_code: &str) -> Result<SubsidyHistory> {
        let org = self.org(&credit_code.trim().to_uppercase()).await?;
        let who = Beneficiary::Organisation(org.id);
        Ok(SubsidyHistory {
            applications: self.db.applications_of(who).await?,
            payments: self.db.payments_of(who, None).await?,
        })
    }

    /// A person's paid salary-subsidy months (R9), in month order.
    pub async fn salary_months(&self, person_id: i64) -> Result<Vec<PaymentRow>> {
        // Within the caller's scope only, like the person.
        self.person(person_id).await?;
        Ok(self
            .db
            .payments_of(Beneficiary::Person(person_id), Some(SubsidyRule::R9))
            .await?)
    }
}

/// The dates an approval evaluates: the whole policy period, widened to
/// the days the event key names, so that an event outside the period is
/// refused as such rather than not found.
fn decision_window(policy: &Policy, rule: SubsidyRule, key: &str) -> Option<Window> {
    let (from, to) = policy.span()?;
    Some(match wf::event_span(rule, key) {
        Some((a, b)) => Window::new(from.min(a), to.max(b)),
        None => Window::new(from, to),
    })
}

/// Another application of the same entitlement is approved or paid.
fn taken_refusal((other, status): (i64, Status)) -> AppError {
    let (code, what) = if status == Status::Paid {
        ("payment.already_paid", "已拨付")
    } else {
        ("payment.already_approved", "已批准")
    };
    refused(
        "action",
        code,
        format!("同一事项的申请(编号 {other}){what},同一事项只能支付一次"),
    )
}

fn already_paid(app: &ApplicationRow) -> AppError {
    refused(
        "action",
        "payment.already_paid",
        format!(
            "{} / {} / {} 已拨付,同一事项只能拨付一次",
            app.rule, app.beneficiary_name, app.event_key
        ),
    )
}
