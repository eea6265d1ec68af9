//! The values the evaluator hands out and the explanations read: what a
//! payment is for ([`EventKey`]), one payment of a batch ([`Entitlement`]),
//! one rule's decision about one event ([`Decision`]). Kept apart from the
//! evaluator so that explaining a decision does not import the evaluator.

use crate::money::Fen;
use crate::policy::explain::{Outcome, Refusal};
use crate::policy::facts::{Facts, OrgIx, PersonIx};
use crate::policy::{BeneficiaryKind, Rule, YearMonth};
use chrono::{Datelike, NaiveDate};
use std::cmp::Ordering;

/// What a payment is for, as the contract's `event_key`: the application,
/// rating or decision date; the month; the review year; or the honour,
/// venture project or competition win (by index into [`Facts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKey {
    Date(NaiveDate),
    Month(YearMonth),
    Year(i32),
    Honour(u32),
    Venture(u32),
    Win(u32),
}

impl EventKey {
    /// The date the event is counted on (for windows and yearly totals):
    /// the first day of a month, 31 December of a review year.
    pub fn date(&self, facts: &Facts) -> Option<NaiveDate> {
        match *self {
            EventKey::Date(d) => Some(d),
            EventKey::Month(m) => Some(m.first_day()),
            EventKey::Year(y) => NaiveDate::from_ymd_opt(y, 12, 31),
            EventKey::Honour(i) => facts.honour(i).map(|h| h.date),
            EventKey::Venture(i) => facts.venture(i).map(|v| v.selected_date),
            EventKey::Win(i) => facts.win(i).map(|w| w.date),
        }
    }

    /// Plain string order of the rendered keys, without rendering them.
    pub(crate) fn cmp_rendered(&self, other: &EventKey, facts: &Facts) -> Ordering {
        use EventKey as K;
        let venture = |i| {
            facts
                .venture(i)
                .map_or("", |v| facts.venture_project_id(v.project))
        };
        let win = |i| {
            facts
                .win(i)
                .map_or("", |w| facts.competition_project_id(w.project))
        };
        match (*self, *other) {
            (K::Date(a), K::Date(b)) => a.cmp(&b),
            (K::Month(a), K::Month(b)) => a.cmp(&b),
            (K::Year(a), K::Year(b)) => a.cmp(&b),
            (K::Venture(a), K::Venture(b)) => venture(a).cmp(venture(b)),
            (K::Win(a), K::Win(b)) => win(a).cmp(win(b)),
            (K::Honour(a), K::Honour(b)) => {
                // `title|YYYY` compared byte by byte, as a string sort would.
                let key = |i| {
                    facts.honour(i).map(|h| {
                        let y = h.date.year().clamp(0, 9999) as u32;
                        let digits = [
                            b'0' + (y / 1000) as u8,
                            b'0' + (y / 100 % 10) as u8,
                            b'0' + (y / 10 % 10) as u8,
                            b'0' + (y % 10) as u8,
                        ];
                        (facts.honour_title(h.title), digits)
                    })
                };
                match (key(a), key(b)) {
                    (Some((ta, ya)), Some((tb, yb))) => {
                        let ia = ta.bytes().chain([b'|']).chain(ya);
                        let ib = tb.bytes().chain([b'|']).chain(yb);
                        ia.cmp(ib)
                    }
                    (x, y) => x.is_some().cmp(&y.is_some()),
                }
            }
            _ => Ordering::Equal,
        }
    }
}

/// One payment of the batch: (rule, beneficiary, event) with a positive
/// amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entitlement {
    pub amount: Fen,
    /// An [`OrgIx`] or [`PersonIx`] value, by the rule's beneficiary kind.
    pub beneficiary: u32,
    pub key: EventKey,
    pub rule: Rule,
}

impl Entitlement {
    pub fn beneficiary_id<'a>(&self, facts: &'a Facts) -> &'a str {
        beneficiary_id(self.rule, self.beneficiary, facts)
    }
}

fn beneficiary_id(rule: Rule, who: u32, facts: &Facts) -> &str {
    match rule.beneficiary_kind() {
        BeneficiaryKind::Organisation => facts.org_id(OrgIx(who)),
        BeneficiaryKind::Person => facts.person_id(PersonIx(who)),
    }
}

/// One rule's decision about one event, paid or refused, with its reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub rule: Rule,
    pub beneficiary: u32,
    pub key: EventKey,
    /// The policy version applied; `None` when none was in force.
    pub version: Option<u8>,
    pub outcome: Outcome,
}

impl Decision {
    pub fn beneficiary_id<'a>(&self, facts: &'a Facts) -> &'a str {
        beneficiary_id(self.rule, self.beneficiary, facts)
    }

    pub fn amount(&self) -> Option<Fen> {
        match self.outcome {
            Outcome::Granted { amount, .. } => Some(amount),
            Outcome::Refused(_) => None,
        }
    }

    pub fn refusal(&self) -> Option<Refusal> {
        match self.outcome {
            Outcome::Granted { .. } => None,
            Outcome::Refused(r) => Some(r),
        }
    }
}
