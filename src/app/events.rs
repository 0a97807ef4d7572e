//! What the worker's reports do to the state: a fetched account, a save
//! taken or refused, the stored history, the schedule, the history file's
//! trouble.

use super::{AccountText, App, FetchState, Notice, Outcome, SaveState};
use crate::monitor::Sample;
use crate::plivo::{Account, AccountUpdate, ApiError, ErrorClass};
use crate::state::signed;
use crate::worker::usage::Status;
use crate::worker::{Op, Report, Request};

impl App {
    pub(super) fn report(&mut self, report: Report) -> Outcome {
        let mut outcome = Outcome::redraw();
        match report {
            Report::Loaded { account, at } => {
                let first = self.account.is_none();
                let sent = match std::mem::replace(&mut self.save, SaveState::Idle) {
                    SaveState::Confirming(sent) => Some(sent),
                    other => {
                        self.save = other;
                        None
                    }
                };
                self.screens.sync(&account, sent.as_ref());
                if let Some(sent) = &sent {
                    self.notice = Some(confirmation(sent, &account));
                }
                let sample = Sample {
                    at,
                    credits: account.cash_credits,
                };
                if self.tracker.seen(sample) {
                    outcome.requests.push(Request::Record(sample));
                }
                if let Some(alarm) = &mut self.alarm {
                    outcome.alert = alarm.observe(account.cash_credits);
                }
                self.shown = Some(AccountText::new(&account));
                self.account = Some(*account);
                // Counted once, after the first account: a page of one.
                if first && let Some(count) = self.count_subaccounts() {
                    outcome.requests.insert(0, count);
                }
                // A sync that ended before the account arrived could not
                // say which zone its month is in.
                if first && self.usage.synced_at.is_some() {
                    outcome.requests.extend(self.ask_digest());
                }
                self.fetched_at = Some(at);
                self.fetch = FetchState::Fresh { in_flight: false };
                // Every balance moves the estimate, stored or not: the burn
                // rate must fall as soon as spending stops.
                self.refresh_estimate();
            }
            Report::Saved { update } => {
                // The worker fetches right after a save; that fetch confirms.
                self.save = SaveState::Confirming(update);
                self.fetch = self.fetch.clone().with_in_flight(true);
                self.notice = Some(Notice::info("Saved; confirming with the server…"));
            }
            Report::Failed {
                op: Op::Refresh,
                error,
                retry_in,
            } => {
                if let SaveState::Confirming(sent) =
                    std::mem::replace(&mut self.save, SaveState::Idle)
                {
                    let saved: Vec<&str> = sent.fields().map(|(f, _)| f.key()).collect();
                    self.notice = Some(Notice::error(format!(
                        "Saved {}, but could not confirm it with the server: {error}",
                        saved.join(", ")
                    )));
                    self.screens.saved(&sent);
                }
                let retry_at = retry_in.and_then(|d| self.now.checked_add(signed(d)).ok());
                self.fetch = FetchState::Failed {
                    error,
                    retry_at,
                    in_flight: false,
                };
            }
            Report::Failed {
                op: Op::Save,
                error,
                ..
            } => {
                self.save = SaveState::Idle;
                let reason = match &error {
                    ApiError::RateLimited {
                        retry_after: Some(wait),
                    } => format!(
                        "Not saved: rate limited, retry in {} s",
                        wait.as_secs().max(1)
                    ),
                    error if error.class() == ErrorClass::Auth => format!(
                        "Save failed: {error}; check the token ({})",
                        self.session.token_source
                    ),
                    error => format!("Save failed: {error}"),
                };
                self.notice = Some(Notice::error(format!("{reason}. Your edits are kept.")));
            }
            Report::History {
                samples,
                warning,
                moved,
            } => {
                self.tracker.restore(samples);
                self.refresh_estimate();
                if let Some(text) = warning {
                    self.warn(text);
                }
                // Said once, in passing: nothing is wrong, and the next
                // run finds no file to move.
                if let Some(text) = moved {
                    self.notice = Some(Notice::info(text));
                }
            }
            Report::Schedule { period, paused } => {
                self.period = period;
                self.paused = paused;
                self.refresh_estimate();
            }
            Report::HistoryUnwritable { error } => self.warn(error),
            Report::Usage(status) => {
                self.usage.take(&status);
                // The usage screen says how fresh its records are.
                let shown = matches!(self.screens.top(), crate::screens::Screen::Usage(_));
                match status {
                    Status::Unavailable { error } => self.warn(error),
                    Status::SetAside { notice } => self.warn(notice),
                    Status::Synced { .. } => {
                        outcome.requests.extend(self.ask_digest());
                        outcome.requests.extend(self.screens.usage_synced());
                        outcome.redraw = shown;
                    }
                    // Said where the user looks; the fleet rings and runs
                    // `on_alert`.
                    Status::Spike(found) => {
                        self.notice = Some(Notice::error(found.text()));
                        self.spike = Some((self.now, found));
                    }
                    _ => outcome.redraw = shown,
                }
            }
            Report::UsageView { .. } => self.screens.usage_view(&report),
            Report::Digest(Ok(digest)) => self.digest = Some(digest),
            // Said where the usage is shown, as a failed sync is.
            Report::Digest(Err(error)) => {
                self.usage.error = Some(error);
                outcome.redraw = false;
            }
            Report::SubaccountCount { total } => self.subaccount_count = Some(total),
            Report::Failed {
                op: Op::Subaccounts,
                ..
            }
            | Report::SubaccountsPage { .. }
            | Report::SubaccountsListed { .. }
            | Report::SubaccountChanged { .. }
            | Report::SubaccountDeleted { .. } => {
                self.screens.subaccounts(&report, &mut self.state.notice);
                // The panel's count follows what this dashboard changed.
                match report {
                    Report::SubaccountsPage { total, .. } => self.subaccount_count = Some(total),
                    Report::SubaccountChanged { created: true, .. } => {
                        self.subaccount_count = self.subaccount_count.map(|n| n.saturating_add(1));
                    }
                    Report::SubaccountDeleted { .. } => {
                        self.subaccount_count = self.subaccount_count.map(|n| n.saturating_sub(1));
                    }
                    _ => {}
                }
            }
        }
        outcome
    }
}

impl App {
    /// The digest of the account's usage, asked in the account's zone;
    /// none before the account is known.
    fn ask_digest(&self) -> Option<Request> {
        self.account.as_ref().map(|account| Request::Digest {
            zone: account.timezone.clone(),
        })
    }
}

/// Whether the fetch after a save shows what was sent.
fn confirmation(sent: &AccountUpdate, account: &Account) -> Notice {
    let differing: Vec<&str> = sent
        .fields()
        .filter(|(field, value)| field.get(account) != *value)
        .map(|(field, _)| field.key())
        .collect();
    if differing.is_empty() {
        let saved: Vec<&str> = sent.fields().map(|(f, _)| f.key()).collect();
        Notice::success(format!("Saved {}", saved.join(", ")))
    } else {
        Notice::error(format!(
            "Saved, but the server still shows other values for {}",
            differing.join(", ")
        ))
    }
}
