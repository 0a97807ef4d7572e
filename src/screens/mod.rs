//! The screens and the router between them. Each screen is a module with
//! its own state, the actions it answers and its drawing; a router keeps
//! them in a stack (the top one shown) and is the one place that knows
//! every kind. The fleet's router holds the fleet's table and the welcome
//! screen over it; each account's holds its account screen and those
//! opened from it. Adding a screen means a new module and a variant here.

pub mod account;
pub mod fleet;
mod shell;
pub mod subaccounts;
pub mod usage;
pub mod welcome;

pub(crate) use shell::fleet_in_reach;
pub use shell::render;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};

use crate::keymap::{Action, Context, Keymap};
use crate::layout::Areas;
use crate::plivo::{Account, AccountUpdate};
use crate::state::{AccountState, Notice, Outcome, Overlay, SaveState};
use crate::ui::Theme;
use crate::worker::Report;

/// Esc on a table with a filter kept clears it (the selection starts
/// over): whether there was one.
pub(crate) fn clear_kept_filter(
    filter: &mut crate::state::LineInput,
    table: &mut crate::scroll::Table,
) -> bool {
    if filter.text().is_empty() {
        return false;
    }
    *filter = crate::state::LineInput::default();
    *table = crate::scroll::Table::default();
    true
}

/// The keys a filterable table answers before its screen's own: while its
/// filter is typed, the filter's (Enter keeps it, Esc clears it, the rest
/// edit it; the selection starts over); else those that move the selection
/// among `count` rows, `rows` in view. Whether `action` was taken.
pub(crate) fn table_key(
    action: Action,
    filter: &mut crate::state::LineInput,
    filtering: &mut bool,
    table: &mut crate::scroll::Table,
    count: usize,
    rows: usize,
) -> bool {
    if !*filtering {
        return table.act(action, count, rows);
    }
    match action {
        Action::Confirm => *filtering = false,
        Action::Cancel => {
            *filtering = false;
            *filter = crate::state::LineInput::default();
        }
        editing => {
            filter.apply(editing);
        }
    }
    *table = crate::scroll::Table::default();
    true
}

/// A footer hint's word for `action`, where quitting goes back to the
/// welcome screen (`back`, the demo opened from it): leaving, not quitting.
pub(crate) fn leave_label(action: Action, label: &'static str, back: bool) -> &'static str {
    match action {
        Action::Quit if back => "back",
        Action::Yes if back => "leave without saving",
        _ => label,
    }
}

/// The contexts whose keys act: `Global`, then the overlay's, or else the
/// screen's (most specific first).
pub(crate) fn contexts(
    overlay: Option<Overlay>,
    screen: impl FnOnce() -> Vec<Context>,
) -> Vec<Context> {
    let mut contexts = vec![Context::Global];
    match overlay {
        Some(Overlay::Help { .. }) => contexts.push(Context::Help),
        Some(Overlay::ConfirmQuit) => contexts.push(Context::ConfirmQuit),
        None => contexts.extend(screen()),
    }
    contexts
}

/// A character typed into a table's filter while it is typed (`filtering`):
/// the selection goes back to the first row; a notice when the filter
/// already holds `max` characters.
pub(crate) fn filter_char(
    c: char,
    filter: &mut crate::state::LineInput,
    filtering: bool,
    table: &mut crate::scroll::Table,
    max: usize,
) -> Option<Notice> {
    if !filtering {
        return None;
    }
    if filter.chars() >= max {
        return Some(Notice::error(format!(
            "A filter holds at most {max} characters: the rest was not taken"
        )));
    }
    filter.type_char(c);
    *table = crate::scroll::Table::default();
    None
}

/// What a screen may see and change of the app while it handles an action.
pub struct Ctx<'a> {
    /// The account, once loaded.
    pub account: Option<&'a Account>,
    /// Where saving stands.
    pub save: &'a mut SaveState,
    /// The footer's message.
    pub notice: &'a mut Option<Notice>,
    /// The worker is gone.
    pub stopped: bool,
    /// The keys, for what a screen says about them.
    pub keymap: &'a Keymap,
    /// The space between the header and the footer (the fleet's table:
    /// its rows, a page of them).
    pub body: ratatui::layout::Rect,
    /// The accounts the fleet's table lists (none under an account).
    pub rows: &'a [&'a dyn fleet::Row],
}

/// One screen's state.
#[derive(Debug, Clone)]
pub enum Screen {
    /// The welcome screen: credentials to check and keep, or the demo.
    Welcome(Box<welcome::Welcome>),
    /// Every account watched, one row each.
    Fleet(Box<fleet::FleetScreen>),
    /// One account: its panel and its profile form.
    Account(Box<account::AccountScreen>),
    /// The account's subaccounts.
    Subaccounts(Box<subaccounts::SubaccountsScreen>),
    /// Where the account's money goes.
    Usage(Box<usage::UsageScreen>),
}

/// The screens: the first one opened, and those opened over it.
#[derive(Debug, Clone)]
pub struct Router {
    base: Screen,
    above: Vec<Screen>,
}

impl Default for Router {
    /// The account's screen alone.
    fn default() -> Self {
        Self {
            base: Screen::Account(Box::default()),
            above: Vec::new(),
        }
    }
}

impl Router {
    /// `base` alone, the first screen: the fleet's table, say.
    pub fn new(base: Screen) -> Self {
        Self {
            base,
            above: Vec::new(),
        }
    }

    /// The screen shown.
    pub fn top(&self) -> &Screen {
        self.above.last().unwrap_or(&self.base)
    }

    pub(crate) fn top_mut(&mut self) -> &mut Screen {
        self.above.last_mut().unwrap_or(&mut self.base)
    }

    /// Every screen, the first opened first.
    pub fn all(&self) -> impl Iterator<Item = &Screen> {
        std::iter::once(&self.base).chain(&self.above)
    }

    /// Every screen, to change, the first opened first.
    pub(crate) fn all_mut(&mut self) -> impl Iterator<Item = &mut Screen> {
        std::iter::once(&mut self.base).chain(&mut self.above)
    }

    /// Opens `screen` over the others.
    pub fn push(&mut self, screen: Screen) {
        self.above.push(screen);
    }

    /// Closes the top screen, unless it is the first.
    pub fn pop(&mut self) {
        self.above.pop();
    }

    /// The contexts whose keys the top screen answers, most specific first.
    pub(crate) fn contexts(&self) -> Vec<Context> {
        match self.top() {
            Screen::Welcome(s) => s.contexts()[1..].to_vec(),
            Screen::Fleet(s) => s.contexts(),
            Screen::Account(s) => s.contexts(),
            Screen::Subaccounts(s) => s.contexts(),
            Screen::Usage(s) => s.contexts(),
        }
    }

    /// What a click does on the top screen, for the mouse's notice.
    pub(crate) fn click_does(&self) -> &'static str {
        match self.top() {
            Screen::Fleet(_) => "a click selects a row",
            _ => "a click focuses a field or selects a row",
        }
    }

    /// The top screen handles `action`.
    pub fn act(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        match self.top_mut() {
            // What is typed there (a token among it) never takes a
            // binding's path: the welcome screen reads its own keys
            // (`Welcome::update`).
            Screen::Welcome(_) => Outcome::default(),
            Screen::Fleet(s) => {
                let page = usize::from(ctx.body.height);
                s.act(action, ctx.rows, page)
            }
            Screen::Account(s) => s.act(action, ctx),
            Screen::Subaccounts(s) => s.act(action, ctx),
            Screen::Usage(s) => s.act(action, ctx),
        }
    }

    /// A character typed where the top screen takes text; anything the
    /// user should be told (it did not fit).
    pub(crate) fn type_char(&mut self, c: char) -> Option<Notice> {
        match self.top_mut() {
            Screen::Welcome(_) => None,
            Screen::Fleet(s) => s.type_char(c),
            Screen::Account(s) => s.type_char(c),
            Screen::Subaccounts(s) => s.type_char(c),
            Screen::Usage(s) => s.type_char(c),
        }
    }

    /// Pasted text, for the top screen; anything the user should be told.
    pub fn paste(&mut self, text: &str) -> Option<Notice> {
        match self.top_mut() {
            Screen::Welcome(_) => None,
            Screen::Fleet(s) => s.paste(text),
            Screen::Account(s) => s.paste(text),
            Screen::Subaccounts(s) => s.paste(text),
            Screen::Usage(s) => s.paste(text),
        }
    }

    /// A click at `at`; whether it changed anything.
    pub fn click(&mut self, areas: &Areas, keymap: &Keymap, at: Position) -> bool {
        match self.top_mut() {
            // The fleet's screens are laid out on their own (`Fleet`'s
            // clicks go to its table's rows).
            Screen::Welcome(_) | Screen::Fleet(_) => false,
            Screen::Account(s) => s.click(areas, at),
            Screen::Subaccounts(s) => s.click(keymap, areas.body(), at),
            Screen::Usage(s) => s.click(keymap, areas.body(), at),
        }
    }

    /// The terminal was resized: every table keeps its selection in view
    /// of its new `body`.
    pub(crate) fn resized(&mut self, keymap: &Keymap, body: Rect) {
        for screen in self.all_mut() {
            match screen {
                Screen::Subaccounts(s) => s.resized(keymap, body),
                Screen::Usage(s) => s.resized(keymap, body),
                _ => {}
            }
        }
    }

    /// A worker report about subaccounts, for the screens that list them.
    pub fn subaccounts(&mut self, report: &Report, notice: &mut Option<Notice>) {
        for screen in self.all_mut() {
            if let Screen::Subaccounts(s) = screen {
                s.report(report, notice);
            }
        }
    }

    /// What would be lost by quitting: the labels of unsaved fields, on
    /// every screen in the stack.
    pub fn unsaved(&self) -> Vec<&'static str> {
        self.all()
            .flat_map(|screen| match screen {
                Screen::Welcome(_) | Screen::Fleet(_) => Vec::new(),
                Screen::Account(s) => s.unsaved(),
                Screen::Subaccounts(s) => s.unsaved(),
                Screen::Usage(_) => Vec::new(),
            })
            .collect()
    }

    /// The usage view the worker read, for the usage screens that asked.
    pub fn usage_view(&mut self, report: &Report) {
        for screen in self.all_mut() {
            if let Screen::Usage(s) = screen {
                s.report(report);
            }
        }
    }

    /// The records were synced: the requests that read each usage screen's
    /// view again.
    pub fn usage_synced(&mut self) -> Vec<crate::worker::Request> {
        let mut asked = Vec::new();
        for screen in self.all_mut() {
            if let Screen::Usage(s) = screen {
                asked.push(s.reread());
            }
        }
        asked
    }

    /// Esc on a narrowed usage screen widens it: its request; `None` when
    /// the top screen has nothing to widen.
    pub(crate) fn widen(&mut self) -> Option<crate::worker::Request> {
        match self.top_mut() {
            Screen::Usage(s) => s.widen(),
            _ => None,
        }
    }

    /// Esc on a table screen with a filter kept (the subaccounts, the
    /// usage) clears it, as on the fleet's table: whether it did (else Esc
    /// widens a narrowed view or goes back).
    pub(crate) fn clear_kept_filter(&mut self) -> bool {
        match self.top_mut() {
            Screen::Subaccounts(s) => clear_kept_filter(&mut s.filter, &mut s.table),
            Screen::Usage(s) => clear_kept_filter(&mut s.filter, &mut s.table),
            _ => false,
        }
    }

    /// A fetched account reaches every screen that shows it; `sent` is
    /// what this dashboard just saved, if the fetch confirms a save.
    pub fn sync(&mut self, account: &Account, sent: Option<&AccountUpdate>) {
        for screen in self.all_mut() {
            if let Screen::Account(s) = screen {
                s.sync(account, sent);
            }
        }
    }

    /// A save the server accepted, not yet confirmed by a fetch.
    pub fn saved(&mut self, sent: &AccountUpdate) {
        for screen in self.all_mut() {
            if let Screen::Account(s) = screen {
                s.saved(sent);
            }
        }
    }

    /// Draws the top screen in `body` (between the header and the footer).
    pub fn render(
        &self,
        app: &AccountState,
        theme: Theme,
        frame: &mut Frame,
        areas: &Areas,
        body: Rect,
    ) {
        match self.top() {
            // The fleet's screens fill the frame, drawn with the fleet's
            // rows (`fleet::view::render`, `welcome::view::render`).
            Screen::Welcome(_) | Screen::Fleet(_) => {}
            Screen::Account(s) => account::view::render(app, s, theme, frame, areas, body),
            Screen::Subaccounts(s) => subaccounts::view::render(app, s, theme, frame, body),
            Screen::Usage(s) => {
                let seen = usage::view::Seen {
                    standing: &app.usage,
                    now: app.now,
                    keymap: &app.session.keymap,
                };
                usage::view::render(seen, s, theme, frame, body);
            }
        }
    }
}
