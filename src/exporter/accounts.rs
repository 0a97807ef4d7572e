//! Every account the exporter follows, between its worker and the
//! scrapes: each report taken into the account's [`Exported`], what that
//! asks sent back to its worker, and its reading published for the HTTP
//! side to read.

use jiff::Timestamp;
use tokio::sync::watch;

use super::state::{Exported, Reading};
use crate::worker::{Report, Request};

/// The accounts of one exporter, in the order their reports are numbered.
#[derive(Debug)]
pub struct Accounts {
    exported: Vec<Exported>,
    publish: watch::Sender<Vec<Reading>>,
}

impl Accounts {
    /// `exported[i]`, fed by worker `i`'s reports; and the readings, as
    /// scrapes see them.
    pub fn new(exported: Vec<Exported>) -> (Self, watch::Receiver<Vec<Reading>>) {
        let (publish, readings) =
            watch::channel(exported.iter().map(|a| a.reading().clone()).collect());
        (Self { exported, publish }, readings)
    }

    /// Takes in account `index`'s report at `now`, `None` once its worker
    /// has ended (which it never does by itself: a panic), and publishes
    /// the account's reading; what the account asks of its worker.
    pub fn take(&mut self, index: usize, report: Option<Report>, now: Timestamp) -> Vec<Request> {
        let Some(account) = self.exported.get_mut(index) else {
            return Vec::new();
        };
        let asks = match report {
            Some(report) => account.update(report, now),
            None => {
                let why = "internal error: the account's poller stopped; restart the exporter";
                tracing::error!(profile = %account.reading().profile, why);
                account.stopped(why.to_owned());
                Vec::new()
            }
        };
        let reading = account.reading().clone();
        self.publish.send_modify(|all| {
            if let Some(slot) = all.get_mut(index) {
                *slot = reading;
            }
        });
        asks
    }

    /// The accounts as they stand.
    pub fn exported(&self) -> &[Exported] {
        &self.exported
    }
}
