//! The usage screen: where one account's money goes over a window (the
//! last hour, 24 hours, the month so far), by product, subaccount,
//! destination country and number, each a table with its share drawn as a
//! bar, sortable and filterable; Enter on a subaccount or a country narrows
//! the others to it. What it shows is read by the worker from the store
//! when the window or the narrowing changes and after each sync
//! ([`crate::usage::view`]): a frame only draws the rows kept here.

pub mod view;

use ratatui::layout::{Position, Rect};
use rust_decimal::Decimal;

use super::Ctx;
use crate::keymap::{Action, Context, Keymap};
use crate::scroll::Table;
use crate::state::{LineInput, Notice, Outcome};
use crate::store::{GroupBy, Narrow, Total};
use crate::text::{self, SafeText};
use crate::usage::view::{Query, View};
use crate::worker::{Report, Request};

/// The longest filter typed.
const MAX_FILTER: usize = 64;

/// The screen's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tab {
    /// By product.
    #[default]
    Products,
    /// By subaccount.
    Subaccounts,
    /// By destination country.
    Countries,
    /// The costliest numbers.
    Numbers,
}

impl Tab {
    /// Every table, in the order the keys cycle them.
    pub const ALL: [Tab; 4] = [
        Tab::Products,
        Tab::Subaccounts,
        Tab::Countries,
        Tab::Numbers,
    ];

    /// Its name on screen.
    pub fn label(self) -> &'static str {
        match self {
            Tab::Products => "Products",
            Tab::Subaccounts => "Subaccounts",
            Tab::Countries => "Countries",
            Tab::Numbers => "Numbers",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    fn by(self) -> GroupBy {
        match self {
            Tab::Products => GroupBy::Product,
            Tab::Subaccounts => GroupBy::Subaccount,
            Tab::Countries => GroupBy::Country,
            Tab::Numbers => GroupBy::Number,
        }
    }
}

/// How the rows are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// The costliest first.
    #[default]
    Spend,
    /// By name.
    Name,
    /// The most records first.
    Records,
}

impl Sort {
    fn next(self) -> Self {
        match self {
            Sort::Spend => Sort::Name,
            Sort::Name => Sort::Records,
            Sort::Records => Sort::Spend,
        }
    }

    /// Its name on screen.
    pub fn label(self) -> &'static str {
        match self {
            Sort::Spend => "spend",
            Sort::Name => "name",
            Sort::Records => "records",
        }
    }
}

/// One row of a table, its text made drawable once, when the view came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The group's key as stored (`None`: unknown or unattributed).
    pub key: Option<String>,
    /// How it is drawn.
    pub label: SafeText,
    /// How many records.
    pub count: u64,
    /// What they cost.
    pub amount: Decimal,
    /// What the filter matches, lowercased once.
    search: String,
}

impl Row {
    fn new(total: &Total, by: GroupBy) -> Self {
        let label = total.key.as_deref().map_or_else(
            || SafeText::new(crate::usage::view::unnamed(by)),
            SafeText::new,
        );
        Self {
            key: total.key.clone(),
            search: text::searchable(label.as_str()),
            label,
            count: total.count,
            amount: total.amount,
        }
    }
}

/// The screen's state.
#[derive(Debug, Clone, Default)]
pub struct UsageScreen {
    /// What is shown, or asked for.
    pub query: Query,
    /// The last view that answered `query`.
    pub view: Option<Box<View>>,
    /// Each table's rows, in the order chosen.
    rows: [Vec<Row>; 4],
    /// A view is asked for and not come yet.
    pub loading: bool,
    /// Why the last view could not be read.
    pub error: Option<String>,
    /// The table shown.
    pub tab: Tab,
    /// How its rows are ordered.
    pub sort: Sort,
    /// The selected row, among those the filter shows.
    pub table: Table,
    /// What the rows are filtered by.
    pub filter: LineInput,
    /// The filter is being typed.
    pub filtering: bool,
}

impl UsageScreen {
    /// A screen about to read the last 24 hours in `zone` (the account's;
    /// empty for UTC), and the request that reads them.
    pub fn open(zone: &str) -> (Self, Request) {
        let screen = Self {
            query: Query {
                zone: zone.to_owned(),
                ..Query::default()
            },
            loading: true,
            ..Self::default()
        };
        let request = Request::UsageView(screen.query.clone());
        (screen, request)
    }

    /// The request that reads the view shown again (after a sync).
    pub fn reread(&mut self) -> Request {
        self.loading = true;
        Request::UsageView(self.query.clone())
    }

    /// The rows of the table shown that the filter lets through, in order.
    pub fn visible(&self) -> Vec<&Row> {
        let needle = text::searchable(self.filter.text().trim());
        self.rows[self.tab.index()]
            .iter()
            .filter(|r| needle.is_empty() || r.search.contains(&needle))
            .collect()
    }

    fn rows_in_view(&self, keymap: &Keymap, body: Rect) -> usize {
        usize::from(view::rows_area(self, keymap, body).height)
    }

    /// The terminal was resized: the selection stays in view of `body`.
    pub(super) fn resized(&mut self, keymap: &Keymap, body: Rect) {
        let rows = self.rows_in_view(keymap, body);
        self.table.keep_in_view(self.visible().len(), rows);
    }

    pub(super) fn contexts(&self) -> Vec<Context> {
        if self.filtering {
            vec![Context::RowFilter, Context::Editing]
        } else {
            vec![Context::Usage]
        }
    }

    /// A click on a row selects it; whether it did.
    pub(super) fn click(&mut self, keymap: &Keymap, body: Rect, at: Position) -> bool {
        if self.filtering {
            return false;
        }
        let rows = view::rows_area(self, keymap, body);
        if !rows.contains(at) {
            return false;
        }
        let count = self.visible().len();
        self.table
            .click(usize::from(at.y - rows.y), count, usize::from(rows.height))
    }

    /// Asks for the view `query` now describes.
    fn ask(&mut self) -> Outcome {
        self.table = Table::default();
        Outcome::request(self.reread())
    }

    pub(super) fn act(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let count = self.visible().len();
        let rows = self.rows_in_view(ctx.keymap, ctx.body);
        let (filter, filtering) = (&mut self.filter, &mut self.filtering);
        if super::table_key(action, filter, filtering, &mut self.table, count, rows) {
            return Outcome::redraw();
        }
        match action {
            Action::Filter => self.filtering = true,
            Action::Window => {
                self.query.window = self.query.window.next();
                return self.ask();
            }
            Action::Refresh => return self.ask(),
            Action::NextTable | Action::PrevTable => {
                let step = if action == Action::NextTable { 1 } else { 3 };
                self.tab = Tab::ALL[(self.tab.index() + step) % Tab::ALL.len()];
                self.table = Table::default();
            }
            Action::Sort => {
                self.sort = self.sort.next();
                self.order();
                self.table = Table::default();
            }
            Action::Narrow => {
                let narrow = match (self.tab, self.visible().get(self.table.selected)) {
                    (Tab::Subaccounts, Some(row)) => Narrow::Subaccount(row.key.clone()),
                    (Tab::Countries, Some(row)) => Narrow::Country(row.key.clone()),
                    (Tab::Subaccounts | Tab::Countries, None) => return Outcome::redraw(),
                    _ => {
                        *ctx.notice = Some(Notice::info(
                            "Enter narrows to a subaccount or a country: choose one in those tables",
                        ));
                        return Outcome::redraw();
                    }
                };
                self.query.narrow = Some(narrow);
                self.tab = Tab::Products;
                self.filter = LineInput::default();
                return self.ask();
            }
            _ => {}
        }
        Outcome::redraw()
    }

    /// Widens a narrowed view: the request that reads it, or `None` when
    /// it was not narrowed (Esc then goes back).
    pub(super) fn widen(&mut self) -> Option<Request> {
        self.query.narrow.take()?;
        self.table = Table::default();
        Some(self.reread())
    }

    pub(super) fn type_char(&mut self, c: char) -> Option<Notice> {
        super::filter_char(
            c,
            &mut self.filter,
            self.filtering,
            &mut self.table,
            MAX_FILTER,
        )
    }

    pub(super) fn paste(&mut self, pasted: &str) -> Option<Notice> {
        text::pasted(pasted).find_map(|c| self.type_char(c))
    }

    /// The worker's answer: kept when it answers what is asked now (an
    /// answer to a window left since is dropped).
    pub fn report(&mut self, report: &Report) {
        let Report::UsageView { query, view } = report else {
            return;
        };
        if *query != self.query {
            return;
        }
        self.loading = false;
        match view {
            Ok(view) => {
                self.error = None;
                self.rows = Tab::ALL.map(|tab| {
                    let totals = match tab {
                        Tab::Products => &view.products,
                        Tab::Subaccounts => &view.subaccounts,
                        Tab::Countries => &view.countries,
                        Tab::Numbers => &view.numbers,
                    };
                    totals.iter().map(|t| Row::new(t, tab.by())).collect()
                });
                self.view = Some(view.clone());
                self.order();
                let count = self.visible().len();
                self.table.selected = self.table.selected.min(count.saturating_sub(1));
            }
            Err(error) => self.error = Some(error.clone()),
        }
    }

    /// Orders every table as chosen (when a view comes or the order
    /// changes, never per frame).
    fn order(&mut self) {
        for rows in &mut self.rows {
            match self.sort {
                Sort::Spend => rows.sort_by_key(|r| std::cmp::Reverse(r.amount)),
                Sort::Name => {
                    rows.sort_by(|a, b| text::natural_cmp(a.label.as_str(), b.label.as_str()));
                }
                Sort::Records => rows.sort_by_key(|r| std::cmp::Reverse(r.count)),
            }
        }
    }
}
