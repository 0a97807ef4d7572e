//! One account as the dashboard holds it: what was fetched, the history
//! and estimate, where fetching and saving stand, the footer and what
//! covers the screen. Below the screens that draw it; the app changes it.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use ratatui::layout::Rect;

use super::{AccountText, FetchState, Notice, Overlay, SaveState, Session};
use crate::layout;
use crate::monitor::chart::{self, Plot, Range};
use crate::monitor::threshold::{Alarm, Level};
use crate::monitor::{self, Estimate, Tracker};
use crate::plivo::Account;
use crate::worker::Request;

/// How long the header shows a spend spike after it was found.
pub const SPIKE_SHOWN: SignedDuration = SignedDuration::from_hours(1);

/// One account's state, as its screens draw it.
#[derive(Debug, Clone)]
pub struct AccountState {
    /// Fixed facts.
    pub session: Session,
    /// The last account fetched successfully.
    pub account: Option<Account>,
    /// Its text, made safe to draw when it arrived.
    pub shown: Option<AccountText>,
    /// How many subaccounts it has, once counted.
    pub subaccount_count: Option<u32>,
    /// Where the background sync of its usage records stands.
    pub usage: crate::worker::usage::Standing,
    /// What the store said of its usage after the last sync.
    pub digest: Option<Box<crate::usage::digest::Digest>>,
    /// The last spend spike found, and when it was heard of: the header
    /// says so for [`SPIKE_SHOWN`].
    pub spike: Option<(Timestamp, Box<crate::worker::usage::Found>)>,
    /// When that account was fetched.
    pub fetched_at: Option<Timestamp>,
    /// Where fetching stands.
    pub fetch: FetchState,
    /// Where saving stands.
    pub save: SaveState,
    /// What covers the screen, if anything.
    pub overlay: Option<Overlay>,
    /// The footer's message: the answer to the user's last action.
    pub notice: Option<Notice>,
    /// Problems with the setup that stay true (an unwritable history file,
    /// a config file others can read): shown in the panel, each once.
    pub warnings: Vec<String>,
    /// Whether the terminal's mouse capture is on (clicks focus fields; off
    /// lets the terminal select text to copy).
    pub mouse: bool,
    /// The time now, as of the last tick.
    pub now: Timestamp,
    /// The terminal's size.
    pub size: (u16, u16),
    /// Balances seen, for the chart, and the burn rate and runway they give.
    pub tracker: Tracker,
    /// The alert, if a threshold is set.
    pub alarm: Option<Alarm>,
    /// How often the worker polls.
    pub period: Duration,
    /// Background polling is paused.
    pub paused: bool,
    /// The chart's range.
    pub chart_range: Range,
    /// The chart's data, downsampled when the history, the range, the
    /// width or the minute changes, not per frame.
    pub plot: Plot,
    /// The fleet screen's one-line chart of this account as text, one bar
    /// per cell, over the chart's range: made when the chart's data is,
    /// not per frame.
    pub spark: String,
    /// How many cells that line has (0 outside a fleet).
    spark_cells: usize,
    /// Whether this account's dashboard is on screen (always, alone): its
    /// chart is downsampled and its subaccounts counted only then, so a
    /// fleet of many costs what its table shows.
    on_screen: bool,
    /// The subaccounts were asked to be counted.
    count_asked: bool,
    /// The user chose the range (else it follows the history's length).
    range_chosen: bool,
}

impl AccountState {
    /// A fresh account, before anything is fetched, polling every `period`.
    pub fn new(session: Session, now: Timestamp, size: (u16, u16), period: Duration) -> Self {
        let mut state = Self {
            alarm: session.alert_below.map(Alarm::new),
            tracker: Tracker::new(session.retention),
            period,
            paused: false,
            chart_range: Range::Hour,
            plot: Plot::default(),
            spark: String::new(),
            spark_cells: 0,
            on_screen: true,
            count_asked: false,
            range_chosen: false,
            notice: session.warnings.first().cloned().map(Notice::error),
            warnings: session.warnings.clone(),
            mouse: session.mouse,
            session,
            account: None,
            shown: None,
            subaccount_count: None,
            usage: crate::worker::usage::Standing::default(),
            digest: None,
            spike: None,
            fetched_at: None,
            fetch: FetchState::Loading,
            save: SaveState::Idle,
            overlay: None,
            now,
            size,
        };
        state.refresh_estimate();
        state
    }

    /// Moves the clock on for an account that is not on screen: nothing
    /// is drawn, so nothing is formatted; its chart moves on a minute.
    pub(crate) fn tick_off_screen(&mut self, now: Timestamp) {
        let moved = minute(now) != minute(self.now);
        self.now = now;
        if moved {
            self.refresh_plot();
        }
    }

    /// Where everything is on the screen now, or `None` when it is too
    /// small to show the dashboard.
    pub fn areas(&self) -> Option<layout::Areas> {
        let notice = self.notice.as_ref().map(|n| n.text.as_str());
        let lines = layout::notice_lines(notice, self.size.0);
        layout::areas(Rect::new(0, 0, self.size.0, self.size.1), lines)
    }

    /// The space between the header and the footer.
    pub fn body(&self) -> Rect {
        self.areas()
            .as_ref()
            .map_or_else(Rect::default, layout::Areas::body)
    }

    pub(crate) fn fits(&self) -> bool {
        self.areas().is_some()
    }

    /// Everything on screen that moves with the clock alone, so a tick
    /// redraws only when one of them changed.
    pub(crate) fn clock_labels(&self) -> [Option<String>; 4] {
        [
            self.fetched_at.map(|at| monitor::ago(self.now, at)),
            self.usage.synced_at.map(|at| monitor::ago(self.now, at)),
            Some(minute(self.now).to_string()),
            self.retry_in().map(|d| d.as_secs().to_string()),
        ]
    }

    /// How long until a failed fetch is retried, while one is pending.
    pub fn retry_in(&self) -> Option<SignedDuration> {
        self.fetch.retry_in(self.now)
    }

    /// The spend spike the header shows: one heard of within
    /// [`SPIKE_SHOWN`] (the window the rate rule judges).
    pub fn spiking(&self) -> Option<&crate::worker::usage::Found> {
        self.spike
            .as_ref()
            .filter(|(at, _)| self.now.duration_since(*at) < SPIKE_SHOWN)
            .map(|(_, found)| found.as_ref())
    }

    /// How the current balance stands against the alert.
    pub fn level(&self) -> Level {
        match (&self.alarm, &self.account) {
            (Some(alarm), Some(account)) => alarm.level(account.cash_credits),
            _ => Level::Ok,
        }
    }

    /// Burn rate and runway from the history.
    pub fn estimate(&self) -> &Estimate {
        self.tracker.estimate()
    }

    /// Works the estimate out again (when a balance arrives or the period
    /// changes, not at every frame), and the chart with it.
    pub(crate) fn refresh_estimate(&mut self) {
        self.tracker
            .reestimate(self.period, self.alarm.as_ref().map(Alarm::alert_below));
        self.refresh_plot();
    }

    /// Downsamples the history for the chart: one column per braille dot
    /// across the panel, over the range ending now. A silence longer than
    /// two heartbeats or three polls (whichever is longer) is a gap.
    pub(crate) fn refresh_plot(&mut self) {
        let first = self.tracker.history().samples().front().map(|s| s.at);
        if !self.range_chosen {
            self.chart_range = Range::fitting(
                first.map_or(SignedDuration::ZERO, |at| self.now.duration_since(at)),
            );
        }
        let columns = self
            .areas()
            .map_or(0, |a| usize::from(a.panel.width.saturating_sub(4)) * 2);
        let gap = (monitor::HEARTBEAT * 2).max(crate::state::signed(self.period.saturating_mul(3)));
        let to = self
            .tracker
            .history()
            .samples()
            .back()
            .map_or(self.now, |s| s.at.max(self.now));
        let from = to - self.chart_range.span(self.session.retention);
        if self.on_screen {
            self.plot = chart::plot(self.tracker.history().samples(), from, to, columns, gap);
        }
        if self.spark_cells > 0 {
            // One cell is precious: the line starts where the history does
            // rather than leaving most of its cells empty.
            let start = first.map_or(from, |at| at.max(from));
            self.spark = chart::bars(&chart::plot(
                self.tracker.history().samples(),
                start,
                to,
                self.spark_cells,
                gap,
            ));
        }
    }

    /// Puts this account's dashboard on screen or takes it off (a fleet's
    /// members are off until opened); on screen, its chart is brought up
    /// to date and, once it has loaded, its subaccounts counted.
    pub(crate) fn set_on_screen(&mut self, on: bool) -> Vec<Request> {
        self.on_screen = on;
        if !on {
            self.plot = Plot::default();
            return Vec::new();
        }
        self.refresh_plot();
        self.count_subaccounts().into_iter().collect()
    }

    /// The request that counts the subaccounts, the first time it can go:
    /// once the account has loaded, and it is on screen.
    pub(crate) fn count_subaccounts(&mut self) -> Option<Request> {
        let due = self.on_screen && !self.count_asked && self.account.is_some();
        if due {
            self.count_asked = true;
        }
        due.then_some(Request::CountSubaccounts)
    }

    /// Sets how many cells the fleet screen gives this account's line, and
    /// downsamples for it.
    pub(crate) fn set_spark_cells(&mut self, cells: usize) {
        if cells != self.spark_cells {
            self.spark_cells = cells;
            self.spark.clear();
            self.refresh_plot();
        }
    }

    /// The chart shows its next range.
    pub(crate) fn next_range(&mut self) {
        self.chart_range = self.chart_range.next();
        self.range_chosen = true;
        self.refresh_plot();
    }

    /// Notes a problem with the setup, once however often it recurs.
    pub(crate) fn warn(&mut self, text: String) {
        if !self.warnings.contains(&text) {
            self.warnings.push(text);
        }
    }
}

/// The minute `t` falls in: what the chart's end moves by.
fn minute(t: Timestamp) -> i64 {
    t.as_second().div_euclid(60)
}
