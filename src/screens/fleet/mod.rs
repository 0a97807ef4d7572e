//! The fleet screen: every watched account in one table, sorted by what
//! needs attention first, filtered as you type; Enter opens an account.
//! Its state is the table's (order, filter, selection); the accounts are
//! the fleet's, each drawn as a [`Row`].

pub mod view;

use jiff::SignedDuration;
use rust_decimal::Decimal;

use crate::keymap::{Action, Context};
use crate::monitor::Estimate;
use crate::scroll::Table;
use crate::state::{AccountState, LineInput, Notice, Outcome, ToFleet};
use crate::text;

/// The longest filter taken: more would match nothing anyway.
const MAX_FILTER: usize = 64;

/// How the table is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Shortest runway first: the account that runs out soonest on top.
    #[default]
    Runway,
    /// Lowest balance first.
    Balance,
    /// By profile name.
    Name,
}

impl Sort {
    /// The next order, as the sort key steps through them.
    pub fn next(self) -> Self {
        match self {
            Sort::Runway => Sort::Balance,
            Sort::Balance => Sort::Name,
            Sort::Name => Sort::Runway,
        }
    }

    /// How the title names it.
    pub fn label(self) -> &'static str {
        match self {
            Sort::Runway => "runway",
            Sort::Balance => "balance",
            Sort::Name => "name",
        }
    }
}

/// One account as the fleet screen shows it: a row of the table.
pub trait Row {
    /// The profile's name (made safe to draw).
    fn profile(&self) -> &str;
    /// What the filter matches: profile, auth id and (once loaded) name,
    /// as `text::searchable` makes them.
    fn search(&self) -> &str;
    /// Its profile names an account whose token is missing: opening it
    /// offers the welcome screen.
    fn needs_login(&self) -> bool;
    /// The account's state.
    fn account(&self) -> &AccountState;
}

impl<R: Row + ?Sized> Row for &R {
    fn profile(&self) -> &str {
        (**self).profile()
    }

    fn search(&self) -> &str {
        (**self).search()
    }

    fn needs_login(&self) -> bool {
        (**self).needs_login()
    }

    fn account(&self) -> &AccountState {
        (**self).account()
    }
}

/// The table's state.
#[derive(Debug, Clone, Default)]
pub struct FleetScreen {
    /// The order.
    pub sort: Sort,
    /// What the rows are filtered by (profile, name or auth id).
    pub filter: LineInput,
    /// The filter is being typed.
    pub filtering: bool,
    /// The selected row, among those shown, and the rows in view.
    pub table: Table,
}

impl FleetScreen {
    /// The contexts whose keys act, most specific first.
    pub(crate) fn contexts(&self) -> Vec<Context> {
        if self.filtering {
            vec![Context::RowFilter, Context::Editing]
        } else {
            vec![Context::Fleet]
        }
    }

    /// The members in the order shown: those the filter lets through,
    /// sorted.
    pub fn order<M: Row>(&self, members: &[M]) -> Vec<usize> {
        let needle = text::searchable(self.filter.text().trim());
        let mut shown: Vec<usize> = (0..members.len())
            .filter(|i| needle.is_empty() || members[*i].search().contains(&needle))
            .collect();
        match self.sort {
            Sort::Runway => shown.sort_by_key(|i| (runway_key(&members[*i]), *i)),
            Sort::Balance => shown.sort_by_key(|i| (balance_key(&members[*i]), *i)),
            Sort::Name => shown.sort_by(|a, b| {
                text::natural_cmp(members[*a].profile(), members[*b].profile()).then(a.cmp(b))
            }),
        }
        shown
    }

    /// The member on the selected row, if any row is shown.
    pub fn selected_member<M: Row>(&self, members: &[M]) -> Option<usize> {
        self.order(members).get(self.table.selected).copied()
    }

    /// Handles `action`; `rows` is how many account rows are in view (a
    /// page). What it asks of the fleet is in the outcome's `to_fleet`.
    pub fn act<M: Row>(&mut self, action: Action, members: &[M], rows: usize) -> Outcome {
        let asked = self.asked(action, members, rows);
        Outcome {
            to_fleet: asked,
            ..Outcome::redraw()
        }
    }

    fn asked<M: Row>(&mut self, action: Action, members: &[M], rows: usize) -> Option<ToFleet> {
        let count = self.order(members).len();
        let (filter, filtering) = (&mut self.filter, &mut self.filtering);
        if super::table_key(action, filter, filtering, &mut self.table, count, rows) {
            return None;
        }
        match action {
            Action::Filter => self.filtering = true,
            // Esc on the table clears a filter that was kept.
            Action::Back => {
                self.filter = LineInput::default();
                self.table = Table::default();
            }
            Action::Sort => {
                // The selection stays on the same account.
                let chosen = self.selected_member(members);
                self.sort = self.sort.next();
                if let Some(chosen) = chosen {
                    let order = self.order(members);
                    let at = order.iter().position(|i| *i == chosen).unwrap_or(0);
                    self.table.select(at, count, rows);
                }
            }
            Action::Open => {
                if let Some(i) = self.selected_member(members) {
                    return Some(ToFleet::Open(i));
                }
            }
            Action::Refresh => {
                if let Some(i) = self.selected_member(members) {
                    return Some(ToFleet::Refresh(i));
                }
            }
            Action::Usage => {
                if let Some(i) = self.selected_member(members) {
                    return Some(ToFleet::Usage(i));
                }
            }
            _ => {}
        }
        None
    }

    /// A character typed into the filter; a notice when it is full.
    pub(crate) fn type_char(&mut self, c: char) -> Option<Notice> {
        super::filter_char(
            c,
            &mut self.filter,
            self.filtering,
            &mut self.table,
            MAX_FILTER,
        )
    }

    /// Pasted text, into the filter.
    pub fn paste(&mut self, pasted: &str) -> Option<Notice> {
        text::pasted(pasted).find_map(|c| self.type_char(c))
    }
}

/// Sorting by runway: the exhausted and the soonest to run out first, then
/// those with no end in sight or not yet measured (lowest balance first),
/// then postpaid accounts (invoiced, nothing to run out of), then those
/// that have not answered at all.
fn runway_key(member: &impl Row) -> (u8, SignedDuration, Decimal) {
    let app = member.account();
    let Some(account) = &app.account else {
        return (4, SignedDuration::ZERO, Decimal::ZERO);
    };
    let credits = account.cash_credits;
    let postpaid = account.billing_mode == crate::plivo::BillingMode::Postpaid;
    match app.estimate() {
        _ if credits <= Decimal::ZERO && !postpaid => (0, SignedDuration::ZERO, credits),
        Estimate::Burning { to_zero, .. } if credits > Decimal::ZERO => (1, *to_zero, credits),
        _ if postpaid => (3, SignedDuration::ZERO, credits),
        _ => (2, SignedDuration::ZERO, credits),
    }
}

/// Sorting by balance: lowest first, postpaid accounts (whose balance is
/// not what they can spend) after, those without one last.
fn balance_key(member: &impl Row) -> (u8, Decimal) {
    match &member.account().account {
        Some(a) if a.billing_mode == crate::plivo::BillingMode::Postpaid => (1, a.cash_credits),
        Some(a) => (0, a.cash_credits),
        None => (2, Decimal::ZERO),
    }
}
