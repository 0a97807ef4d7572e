//! Every account watched, one [`App`] each, and the fleet screen over them.
//!
//! Each member's `App` keeps its own state (balance, history, estimate,
//! alarm, screens) and hears its own worker's reports whether or not it is
//! on screen, so an account's alert fires while the user looks at another.
//! The fleet's own screens (its table, the welcome screen over it) are
//! in its [`Router`]; keys go to the welcome screen while it is open, else
//! to the account opened, else to the table, each the one way
//! (`keys::key`).
//! One account alone is a fleet of one, opened, with no fleet screen.
//! Pure, like `App`: no I/O; alerts leave as [`Alert`]s for the caller to
//! deliver.

use jiff::{SignedDuration, Timestamp};
use ratatui::crossterm::event::{MouseButton, MouseEventKind};
use ratatui::layout::Rect;
use rust_decimal::Decimal;

use super::keys::{self, Keyed, Shell};
use super::{App, Clipboard, Msg, Notice, Outcome, Overlay};
use crate::keymap::{Action, Context, Keymap};
use crate::monitor::Estimate;
use crate::monitor::threshold::Crossing;
use crate::screens::fleet::{FleetScreen, Row, view};
use crate::screens::welcome::{Login, Welcome, WelcomeEnd, WelcomeMsg};
use crate::screens::{Ctx, Router, Screen};
use crate::state::{SaveState, ToFleet};
use crate::text;
use crate::worker::usage::Status;
use crate::worker::{Report, Request};

/// One watched account.
#[derive(Debug, Clone)]
pub struct Member {
    /// The profile's name (made safe to draw).
    pub profile: String,
    /// A command run on each crossing of the alert (`on_alert`).
    pub on_alert: Option<String>,
    /// Send a desktop notification on each crossing (`notify`).
    pub notify: bool,
    /// The account's own dashboard state.
    pub app: App,
    /// What the filter matches: profile, auth id and (once loaded) name,
    /// as [`text::searchable`] makes them.
    pub search: String,
    /// The account name `search` was made with.
    named: String,
    /// Its profile names an account whose token is missing (a first run
    /// elsewhere, or after `logout`): opening it offers the welcome screen.
    pub needs_login: bool,
}

impl Member {
    /// A member for `profile`, watched by `app`.
    pub fn new(profile: &str, on_alert: Option<String>, notify: bool, app: App) -> Self {
        let profile = text::sanitize(profile);
        let search = text::searchable(&format!("{profile} {}", app.session.auth_id));
        Self {
            profile,
            on_alert,
            notify,
            app,
            search,
            named: String::new(),
            needs_login: false,
        }
    }

    /// A member whose token is missing: opening it logs in.
    #[must_use]
    pub fn needing_login(mut self) -> Self {
        self.needs_login = true;
        self
    }
}

impl Row for Member {
    fn profile(&self) -> &str {
        &self.profile
    }

    fn search(&self) -> &str {
        &self.search
    }

    fn needs_login(&self) -> bool {
        self.needs_login
    }

    fn account(&self) -> &crate::state::AccountState {
        &self.app.state
    }
}

/// What happens to the fleet.
#[derive(Debug, Clone, PartialEq)]
pub enum FleetMsg {
    /// A key, paste, click, resize or tick: for the screen shown (ticks
    /// and resizes for every member).
    Term(Msg),
    /// A member's worker reported.
    Report(usize, Report),
    /// A member's worker is gone.
    Stopped(usize),
    /// Something to tell the user (an `on_alert` command failed).
    Said(Notice),
    /// The answer to the welcome screen's check: where the token was
    /// kept, or why not.
    Checked(Result<String, String>),
}

/// How the fleet asked to end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// The user quit.
    Quit,
    /// The user quit with the interrupt key (Ctrl-C): leave altogether,
    /// where `q` may leave only this dashboard (the demo, back to the
    /// welcome screen).
    Interrupted,
    /// The welcome screen kept an account's credentials.
    LoggedIn {
        /// The profile it is kept under (`None`: the top level).
        profile: Option<String>,
        /// Where the token went, to say on the dashboard.
        kept: String,
    },
    /// The welcome screen asked for the demo.
    Demo,
}

/// What an [`Alert`] is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The balance crossed the alert threshold, this way.
    Crossed(Crossing),
    /// A spend spike (its contributors checked for shape by the worker).
    Spike(Box<crate::worker::usage::Found>),
}

impl Event {
    /// The word `on_alert` commands get in `PLIVO_DASH_EVENT`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Event::Crossed(crossing) => crossing.as_str(),
            Event::Spike(_) => "spike",
        }
    }
}

impl PartialEq<Crossing> for Event {
    fn eq(&self, other: &Crossing) -> bool {
        *self == Event::Crossed(*other)
    }
}

/// A crossing of a member's alert, or a spend spike, for the caller to
/// deliver (`on_alert`, a desktop notification). Holds no API text but a
/// spike's subaccount name, made safe, and never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The profile's name.
    pub profile: String,
    /// The account id.
    pub auth_id: String,
    /// The balance that crossed (for a spike: the last one fetched), USD.
    pub balance: Decimal,
    /// The threshold, USD (for a spike: what its spend had to pass).
    pub threshold: Decimal,
    /// Until the balance reaches zero at the current rate, when known.
    pub runway: Option<SignedDuration>,
    /// What happened.
    pub event: Event,
    /// The command to run, if one is set.
    pub command: Option<String>,
    /// Whether to send a desktop notification.
    pub notify: bool,
}

/// What `Fleet::update` asks of the caller.
#[derive(Debug, Default)]
pub struct FleetOutcome {
    /// Requests, each for its member's worker.
    pub requests: Vec<(usize, Request)>,
    /// Whether the screen needs drawing again.
    pub redraw: bool,
    /// Ring the bell: a balance fell below its alert, or spend spiked.
    pub bell: bool,
    /// Turn the terminal's mouse capture on or off.
    pub mouse_capture: Option<bool>,
    /// Put this on the clipboard (OSC 52).
    pub clipboard: Option<Clipboard>,
    /// Alerts to deliver.
    pub alerts: Vec<Alert>,
    /// Credentials the welcome screen asks to have checked (and kept if
    /// they work); the answer comes back as [`FleetMsg::Checked`].
    pub check: Option<Login>,
}

/// Every account watched, and which one is open.
#[derive(Debug)]
pub struct Fleet {
    /// The accounts: the file's top level, then its profiles by name.
    pub members: Vec<Member>,
    /// The member whose dashboard is shown, or `None` for the fleet's
    /// own screens.
    pub open: Option<usize>,
    /// The fleet's screens: its table, and the welcome screen over it
    /// while that is open (a first run's, or one account's of the fleet
    /// whose token is missing), over everything.
    pub screens: Router,
    /// How the welcome screen ended the fleet, when it did.
    welcomed: Option<Ending>,

    /// What covers the fleet screen.
    pub overlay: Option<Overlay>,
    /// The fleet screen's footer message.
    pub notice: Option<Notice>,
    /// The keys.
    pub keymap: Keymap,
    /// Colours allowed.
    pub color: bool,
    /// Running on the embedded sandbox.
    pub demo: bool,
    /// The time now, as of the last tick.
    pub now: Timestamp,
    /// The terminal's size.
    pub size: (u16, u16),
    /// Whether the terminal's mouse capture is on: one setting for the
    /// table and every dashboard.
    pub mouse: bool,
    quit: bool,
    /// The members whose setup has a problem said on the table.
    warned: Vec<usize>,
    /// How many members' old history files were moved into the store
    /// while the table showed.
    moved: usize,
    /// The quit came from the interrupt key (Ctrl-C).
    interrupted: bool,
    /// The quit question up now was asked by the interrupt key: its `y`
    /// ends the fleet as the interrupt would have.
    asked_by_interrupt: bool,
}

impl Fleet {
    /// A fleet of `members`, showing `open`'s dashboard (or the table).
    /// One member alone is always open.
    pub fn new(members: Vec<Member>, open: Option<usize>) -> Self {
        let first = members.first().map(|m| &m.app);
        let mut fleet = Self {
            keymap: first.map(|a| a.session.keymap.clone()).unwrap_or_default(),
            color: first.is_none_or(|a| a.session.color),
            demo: first.is_some_and(|a| a.session.demo),
            now: first.map_or_else(Timestamp::now, |a| a.now),
            size: first.map_or((80, 24), |a| a.size),
            mouse: members.iter().any(|m| m.app.mouse),
            open: if members.len() == 1 {
                Some(0)
            } else {
                open.filter(|i| *i < members.len())
            },
            members,
            screens: Router::new(Screen::Fleet(Box::default())),
            welcomed: None,
            overlay: None,
            notice: None,
            quit: false,
            warned: Vec::new(),
            moved: 0,
            interrupted: false,
            asked_by_interrupt: false,
        };
        fleet.size_sparks();
        let open = fleet.open;
        for (i, member) in fleet.members.iter_mut().enumerate() {
            member.app.set_on_screen(open == Some(i));
        }
        fleet
    }

    /// The first requests: one account alone asks for its first fetch; in
    /// a fleet, each worker starts in its own slot.
    pub fn start(&mut self) -> Vec<(usize, Request)> {
        match self.members.as_mut_slice() {
            [only] => only.app.start().into_iter().map(|r| (0, r)).collect(),
            _ => Vec::new(),
        }
    }

    /// The welcome screen alone, before any account is set up.
    pub(crate) fn welcoming(welcome: Welcome) -> Self {
        let mut fleet = Self::new(Vec::new(), None);
        fleet.keymap = welcome.keymap.clone();
        fleet.color = welcome.color;
        fleet.size = welcome.size;
        fleet.screens.push(Screen::Welcome(Box::new(welcome)));
        fleet
    }

    /// Whether the user has asked to quit (or the welcome screen ended).
    pub fn should_quit(&self) -> bool {
        self.quit || self.welcomed.is_some()
    }

    /// Whether the quit was the interrupt key's: leave altogether, where
    /// `q` may leave only this dashboard (the demo, back to the welcome
    /// screen).
    pub fn interrupted(&self) -> bool {
        self.interrupted
    }

    /// How the fleet ended, once it has.
    pub fn ending(&self) -> Option<Ending> {
        match (&self.welcomed, self.quit) {
            (Some(ending), _) => Some(ending.clone()),
            (None, true) if self.interrupted => Some(Ending::Interrupted),
            (None, true) => Some(Ending::Quit),
            (None, false) => None,
        }
    }

    /// Whether the quit question is up, on the table or the account shown.
    fn asking_to_quit(&self) -> bool {
        let asking = |overlay: Option<Overlay>| overlay == Some(Overlay::ConfirmQuit);
        asking(self.overlay) || self.opened().is_some_and(|app| asking(app.overlay))
    }

    /// Open again after the demo the welcome screen ended for, with what
    /// was typed.
    pub fn resume(&mut self) {
        self.quit = false;
        self.interrupted = false;
        self.asked_by_interrupt = false;
        self.welcomed = None;
        if let Some(welcome) = self.welcome_mut() {
            welcome.resume();
        }
    }

    /// The fleet's table of every account.
    pub fn table(&self) -> Option<&FleetScreen> {
        self.screens.all().find_map(|screen| match screen {
            Screen::Fleet(table) => Some(&**table),
            _ => None,
        })
    }

    fn table_mut(&mut self) -> Option<&mut FleetScreen> {
        self.screens.all_mut().find_map(|screen| match screen {
            Screen::Fleet(table) => Some(&mut **table),
            _ => None,
        })
    }

    /// The welcome screen, while it is open (over everything).
    pub fn welcome(&self) -> Option<&Welcome> {
        match self.screens.top() {
            Screen::Welcome(welcome) => Some(welcome),
            _ => None,
        }
    }

    fn welcome_mut(&mut self) -> Option<&mut Welcome> {
        match self.screens.top_mut() {
            Screen::Welcome(welcome) => Some(welcome),
            _ => None,
        }
    }

    /// Says `notice` in the footer of what is shown.
    pub fn say(&mut self, notice: Notice) {
        match self.open.and_then(|i| self.members.get_mut(i)) {
            Some(member) => member.app.notice = Some(notice),
            None => self.notice = Some(notice),
        }
    }

    /// The member shown, if an account's dashboard is.
    pub fn opened(&self) -> Option<&App> {
        self.open.and_then(|i| self.members.get(i)).map(|m| &m.app)
    }

    /// Handles one message.
    pub fn update(&mut self, msg: FleetMsg) -> FleetOutcome {
        let interrupt = matches!(
            &msg,
            FleetMsg::Term(Msg::Key(key))
                if self.keymap.action(&[Context::Global], key) == Some(Action::Interrupt)
        );
        let asked = self.asked_by_interrupt;
        let outcome = self.route(msg, interrupt);
        self.interrupted |= self.quit && (interrupt || asked);
        self.asked_by_interrupt = self.asking_to_quit() && (interrupt || asked);
        outcome
    }

    fn route(&mut self, msg: FleetMsg, interrupt: bool) -> FleetOutcome {
        match msg {
            FleetMsg::Checked(answer) => {
                self.welcome_update(WelcomeMsg::Checked(answer), interrupt)
            }
            FleetMsg::Report(i, report) => {
                // The first usage read brings the month's column, which
                // the charts make room for.
                let digest = matches!(report, crate::worker::Report::Digest(Ok(_)));
                let outcome = self.deliver(i, Msg::Worker(report));
                if digest {
                    self.size_sparks();
                }
                outcome
            }
            FleetMsg::Stopped(i) => self.deliver(i, Msg::WorkerStopped),
            FleetMsg::Said(notice) => {
                // Several alerts may fail at once: each is said, none
                // hides the one before while it is still up.
                let joined = |old: &Option<Notice>| match old {
                    Some(old) if old.kind == notice.kind && old.text != notice.text => {
                        Notice::error(format!("{}; {}", old.text, notice.text))
                    }
                    _ => notice.clone(),
                };
                if let Some(app) = self.open.and_then(|i| self.members.get_mut(i)) {
                    app.app.notice = Some(joined(&app.app.notice));
                }
                self.notice = Some(joined(&self.notice));
                FleetOutcome {
                    redraw: true,
                    ..FleetOutcome::default()
                }
            }
            FleetMsg::Term(msg @ (Msg::Tick(_) | Msg::Resize(..))) => {
                let ages = self.ages();
                match msg {
                    Msg::Tick(now) => self.now = now,
                    Msg::Resize(w, h) => {
                        self.size = (w, h);
                        if let Some(welcome) = self.welcome_mut() {
                            welcome.update(WelcomeMsg::Resize(w, h));
                        }
                    }
                    _ => {}
                }
                let mut outcome = FleetOutcome::default();
                for i in 0..self.members.len() {
                    match msg {
                        // A tick for an account not on screen only moves
                        // its clock: a hundred of them every second.
                        Msg::Tick(now) if self.open != Some(i) => {
                            self.members[i].app.tick_off_screen(now);
                        }
                        _ => outcome.redraw |= self.deliver(i, msg.clone()).redraw,
                    }
                }
                if self.open.is_none() {
                    // The table moves with the clock only where an age it
                    // shows changed: once a minute or so, not every second.
                    outcome.redraw = self.ages() != ages;
                }
                if matches!(msg, Msg::Resize(..)) {
                    self.size_sparks();
                    // The view keeps its place where it can and the
                    // selection in sight.
                    let count = self.table().map_or(0, |t| t.order(&self.members).len());
                    if let Some(areas) = self.areas()
                        && let Some(table) = self.table_mut()
                    {
                        let rows = usize::from(areas.rows.height);
                        table.table.keep_in_view(count, rows);
                    }
                    outcome.redraw = true;
                }
                outcome
            }
            FleetMsg::Term(Msg::Key(key)) if self.welcome().is_some() => {
                self.welcome_update(WelcomeMsg::Key(key), interrupt)
            }
            FleetMsg::Term(Msg::Paste(text)) if self.welcome().is_some() => {
                self.welcome_update(WelcomeMsg::Paste(text), interrupt)
            }
            FleetMsg::Term(_) if self.welcome().is_some() => FleetOutcome::default(),
            FleetMsg::Term(msg) => match self.open {
                Some(i) => {
                    let mut outcome = self.deliver(i, msg);
                    if self.members.get(i).is_some_and(|m| m.app.should_quit()) {
                        self.quit = true;
                    }
                    outcome.redraw = true;
                    outcome
                }
                None => self.on_table(msg),
            },
        }
    }

    /// `msg` for the welcome screen; how it ended, if it did: back to the
    /// fleet it was opened from (unless by the interrupt key), or the
    /// fleet's end.
    fn welcome_update(&mut self, msg: WelcomeMsg, interrupt: bool) -> FleetOutcome {
        let Some(welcome) = self.welcome_mut() else {
            return FleetOutcome::default();
        };
        let answer = welcome.update(msg);
        let (end, from_fleet, interrupted) = (
            welcome.end().cloned(),
            welcome.from_fleet,
            welcome.interrupted,
        );
        let mut outcome = FleetOutcome {
            redraw: answer.redraw,
            check: answer.check,
            ..FleetOutcome::default()
        };
        match end {
            None => {}
            Some(WelcomeEnd::Quit) if from_fleet && !interrupt && !interrupted => {
                self.screens.pop();
                outcome.redraw = true;
                if self.mouse {
                    outcome.mouse_capture = Some(true);
                }
            }
            Some(WelcomeEnd::Quit) => {
                self.quit = true;
                self.interrupted |= interrupted;
            }
            Some(WelcomeEnd::Demo) => self.welcomed = Some(Ending::Demo),
            Some(WelcomeEnd::LoggedIn { profile, kept }) => {
                self.welcomed = Some(Ending::LoggedIn { profile, kept });
            }
        }
        outcome
    }

    /// `msg` for member `i`; its outcome, tagged with it. A redraw counts
    /// only where it shows: its own dashboard, or the table.
    fn deliver(&mut self, i: usize, msg: Msg) -> FleetOutcome {
        let shown = self.open.is_none_or(|open| open == i);
        let Some(member) = self.members.get_mut(i) else {
            return FleetOutcome::default();
        };
        let warnings = member.app.warnings.len();
        let moved = match &msg {
            Msg::Worker(Report::History {
                moved: Some(text), ..
            }) if self.open != Some(i) => Some(text.clone()),
            _ => None,
        };
        let spike = match &msg {
            Msg::Worker(Report::Usage(Status::Spike(found))) => Some(found.clone()),
            _ => None,
        };
        let Outcome {
            requests,
            redraw,
            alert,
            mouse_capture,
            clipboard,
            to_fleet,
        } = member.app.update(msg);
        let to_table = to_fleet == Some(ToFleet::Table);
        if to_table && self.open == Some(i) {
            self.open = None;
            member.app.set_on_screen(false);
        }
        if let Some(account) = &member.app.account
            && account.name != member.named
        {
            // The name joins the filter's text once it is known.
            member.named.clone_from(&account.name);
            member.search = text::searchable(&format!(
                "{} {} {}",
                member.profile, member.app.session.auth_id, account.name
            ));
        }
        let mut alerts: Vec<Alert> = alert
            .and_then(|event| alert_for(member, Event::Crossed(event)))
            .into_iter()
            .collect();
        if let Some(found) = &spike {
            // Off screen, the table's footer names the account and the
            // source; its own dashboard shows the same when opened.
            if self.open != Some(i) {
                self.notice = Some(Notice::error(format!(
                    "{}: {}",
                    member.profile,
                    found.text()
                )));
            }
            alerts.extend(alert_for(member, Event::Spike(found.clone())));
        }
        // A problem with an account's setup (its history file cannot be
        // written, say) shows on its own panel; on the table it would go
        // unseen, so it is said in the footer.
        let warned = match member.app.warnings.last() {
            Some(w) if member.app.warnings.len() > warnings && self.open != Some(i) => {
                Some((member.profile.clone(), w.clone()))
            }
            _ => None,
        };
        if let Some((profile, warning)) = &warned {
            if !self.warned.contains(&i) {
                self.warned.push(i);
            }
            let text = match self.warned.len() {
                1 => format!("{profile}: {warning}"),
                n => format!("{profile}: {warning} ({n} accounts have warnings: open one to read)"),
            };
            self.notice = Some(Notice::error(text));
        }
        // An account's old history file moved into the store is said on
        // its dashboard; on the table it is said in passing, as one line
        // however many accounts had one, and never over a warning.
        let moved = moved.filter(|_| {
            warned.is_none()
                && self
                    .notice
                    .as_ref()
                    .is_none_or(|n| n.kind != crate::state::NoticeKind::Error)
        });
        if let Some(text) = &moved {
            self.moved += 1;
            self.notice = Some(Notice::info(match self.moved {
                1 => format!("{}: {text}", member.profile),
                n => format!(
                    "{n} accounts' credit histories moved into the store; \
                     the old files are kept beside it, renamed ….history.migrated"
                ),
            }));
        }
        if let Some(on) = mouse_capture {
            self.set_mouse(on);
        }
        FleetOutcome {
            requests: requests.into_iter().map(|r| (i, r)).collect(),
            redraw: (redraw && shown)
                || to_table
                || warned.is_some()
                || moved.is_some()
                || (spike.is_some() && self.open.is_none()),
            bell: alert == Some(Crossing::Below) || spike.is_some(),
            mouse_capture,
            clipboard,
            alerts,
            check: None,
        }
    }

    /// A key, paste or click on the fleet's table.
    fn on_table(&mut self, msg: Msg) -> FleetOutcome {
        match msg {
            Msg::Key(key) => {
                keys::key(self, &key).map_or_else(FleetOutcome::default, |outcome| FleetOutcome {
                    redraw: true,
                    ..outcome
                })
            }
            Msg::Paste(pasted) => {
                // Nothing typed unseen behind the too-small notice.
                if self.overlay.is_none() && view::fits(self.size) {
                    self.notice = self.screens.paste(&pasted);
                }
                FleetOutcome {
                    redraw: true,
                    ..FleetOutcome::default()
                }
            }
            // Nothing moves unseen behind the too-small notice.
            Msg::Mouse(_) if !view::fits(self.size) => FleetOutcome::default(),
            Msg::Mouse(mouse) if self.mouse && self.overlay.is_none() => match mouse.kind {
                MouseEventKind::Down(MouseButton::Left) => {
                    let Some(rows) = self.areas().map(|a| a.rows) else {
                        return FleetOutcome::default();
                    };
                    let count = self.table().map_or(0, |t| t.order(&self.members).len());
                    let Some(screen) = self.table_mut() else {
                        return FleetOutcome::default();
                    };
                    let clicked = mouse.row.checked_sub(rows.y).is_some_and(|row| {
                        screen.table.click(row.into(), count, rows.height.into())
                    });
                    FleetOutcome {
                        redraw: clicked,
                        ..FleetOutcome::default()
                    }
                }
                MouseEventKind::ScrollDown => Keyed::act(self, Action::RowDown),
                MouseEventKind::ScrollUp => Keyed::act(self, Action::RowUp),
                _ => FleetOutcome::default(),
            },
            _ => FleetOutcome::default(),
        }
    }

    /// The mouse capture on or off for the table and every dashboard, so
    /// that opening one does not flip it.
    fn set_mouse(&mut self, on: bool) {
        self.mouse = on;
        for member in &mut self.members {
            member.app.mouse = on;
        }
    }

    /// Where the fleet screen's parts are on the terminal, as drawn; `None`
    /// when it does not fit.
    fn areas(&self) -> Option<view::Areas> {
        let (width, height) = self.size;
        view::areas(&self.shown()?, Rect::new(0, 0, width, height))
    }

    /// What the fleet's table draws.
    fn shown(&self) -> Option<view::Shown<'_, Member>> {
        Some(view::Shown {
            screen: self.table()?,
            members: &self.members,
            notice: &self.notice,
            overlay: self.overlay,
            keymap: &self.keymap,
            color: self.color,
            demo: self.demo,
            now: self.now,
            size: self.size,
        })
    }

    /// The contexts whose keys act on the fleet screen now.
    pub(crate) fn contexts(&self) -> Vec<Context> {
        crate::screens::contexts(self.overlay, || self.screens.contexts())
    }

    /// Draws what the fleet shows: the welcome screen over it while it is
    /// open, else the account opened, or the fleet screen.
    pub fn render(&self, frame: &mut ratatui::Frame) {
        if let Some(welcome) = self.welcome() {
            crate::screens::welcome::view::render(welcome, frame);
            return;
        }
        match self.opened() {
            Some(app) => app.render(frame),
            None => {
                if let Some(shown) = self.shown() {
                    view::render(&shown, frame);
                }
            }
        }
    }

    /// What the table asked of the fleet after an action: an account
    /// opened (or the welcome screen, for a row whose token is missing),
    /// or fetched now.
    fn answer(&mut self, asked: Option<ToFleet>) -> FleetOutcome {
        let mut outcome = FleetOutcome {
            redraw: true,
            ..FleetOutcome::default()
        };
        match asked {
            None | Some(ToFleet::Table) => {}
            Some(ToFleet::Open(i)) if self.members.get(i).is_some_and(|m| m.needs_login) => {
                let session = &self.members[i].app.session;
                // The token is checked with the API its profile
                // names, as the account itself would be.
                let api = Some(session.api_url.as_str())
                    .filter(|url| !url.is_empty() && *url != crate::plivo::DEFAULT_API_URL);
                let welcome = Welcome::known(
                    self.keymap.clone(),
                    self.size,
                    self.color,
                    Some(session.auth_id.as_str()).filter(|id| !id.is_empty()),
                    session.profile.as_deref(),
                )
                .for_fleet(api);
                self.screens.push(Screen::Welcome(Box::new(welcome)));
                // The terminal selects (and pastes) text there, as
                // on the first run's welcome screen.
                if self.mouse {
                    outcome.mouse_capture = Some(false);
                }
            }
            Some(ToFleet::Open(i)) => {
                self.open = Some(i);
                if let Some(m) = self.members.get_mut(i) {
                    // Its dashboard may have been laid out for
                    // another size while it was not shown.
                    m.app.update(Msg::Resize(self.size.0, self.size.1));
                    let asked = m.app.set_on_screen(true);
                    outcome.requests.extend(asked.into_iter().map(|r| (i, r)));
                }
            }
            // Opened as Enter opens it, then its usage screen.
            Some(ToFleet::Usage(i)) => {
                outcome = self.answer(Some(ToFleet::Open(i)));
                if self.open == Some(i)
                    && let Some(m) = self.members.get_mut(i)
                {
                    outcome.requests.push((i, m.app.open_usage()));
                }
            }
            Some(ToFleet::Refresh(i)) => {
                if let Some(request) = self.members.get_mut(i).and_then(|m| m.app.refresh()) {
                    outcome.requests.push((i, request));
                }
            }
        }
        outcome
    }

    /// Gives every member's line the width the table has for it.
    fn size_sparks(&mut self) {
        let month = self.members.iter().any(|m| m.app.digest.is_some());
        let cells = view::spark_cells(self.size.0, month);
        for member in &mut self.members {
            member.app.set_spark_cells(cells);
        }
    }

    /// How many whole minutes ago each account was heard from: the table's
    /// "Updated" column ([`view::age`]) changes with them, never between.
    fn ages(&self) -> Vec<Option<i64>> {
        if self.open.is_some() {
            return Vec::new();
        }
        self.members
            .iter()
            .map(|m| {
                m.app
                    .fetched_at
                    .map(|at| self.now.duration_since(at).as_secs() / 60)
            })
            .collect()
    }
}

impl Keyed for Fleet {
    type Out = FleetOutcome;

    fn keymap(&self) -> &Keymap {
        &self.keymap
    }

    fn contexts(&self) -> Vec<Context> {
        Fleet::contexts(self)
    }

    fn too_small(&self) -> Option<(Vec<Context>, &'static [Action])> {
        // The notice offers quitting whatever was open (help, the filter):
        // `q` is read as the table reads it.
        (!view::fits(self.size)).then(|| {
            (
                vec![Context::Global, Context::Fleet],
                &[Action::Interrupt, Action::Quit][..],
            )
        })
    }

    fn notice(&mut self) -> &mut Option<Notice> {
        &mut self.notice
    }

    /// `action` on the fleet's table: the shell's (quit, help, the
    /// mouse), else the table's, and what it asks of the fleet.
    fn act(&mut self, action: Action) -> FleetOutcome {
        let areas = self.areas();
        let shell = Shell {
            keymap: &self.keymap,
            screens: &self.screens,
            overlay: &mut self.overlay,
            notice: &mut self.notice,
            mouse: &mut self.mouse,
            quit: &mut self.quit,
            body: areas.map_or_else(Rect::default, |a| a.body),
        };
        if let Some(outcome) = shell.act(action) {
            if let Some(on) = outcome.mouse_capture {
                self.set_mouse(on);
            }
            return FleetOutcome {
                redraw: outcome.redraw,
                mouse_capture: outcome.mouse_capture,
                ..FleetOutcome::default()
            };
        }
        let rows: Vec<&dyn Row> = self.members.iter().map(|m| m as &dyn Row).collect();
        // The fleet saves nothing of its own.
        let mut save = SaveState::Idle;
        let mut ctx = Ctx {
            account: None,
            save: &mut save,
            notice: &mut self.notice,
            stopped: false,
            keymap: &self.keymap,
            // A page is the rows in view.
            body: areas.map_or(Rect::new(0, 0, 0, 1), |a| a.rows),
            rows: &rows,
        };
        let asked = self.screens.act(action, &mut ctx).to_fleet;
        self.answer(asked)
    }

    fn type_char(&mut self, c: char) -> Option<Notice> {
        self.screens.type_char(c)
    }
}

/// The alert to deliver for `member`'s crossing or spike, if it has
/// anywhere to go (a spike once the balance has loaded).
fn alert_for(member: &Member, event: Event) -> Option<Alert> {
    if member.on_alert.is_none() && !member.notify {
        return None;
    }
    let app = &member.app;
    let account = app.account.as_ref()?;
    let threshold = match &event {
        Event::Crossed(_) => app.alarm.as_ref()?.alert_below(),
        Event::Spike(found) => found.threshold,
    };
    let runway = match app.estimate() {
        Estimate::Burning { to_zero, .. } => Some(*to_zero),
        _ => None,
    };
    Some(Alert {
        profile: member.profile.clone(),
        auth_id: app.session.auth_id.clone(),
        balance: account.cash_credits,
        threshold,
        runway,
        event,
        command: member.on_alert.clone(),
        notify: member.notify,
    })
}
