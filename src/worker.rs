//! The background task that owns the client: `Request`s in, `Report`s out.
//!
//! One request at a time, in the order asked, so a refresh can never overtake
//! a save. Every command ends in an event, success or failure; the client's
//! own time limit means none can hang, and nothing waits out a `Retry-After`
//! while commands queue: a save that may not be sent yet is refused at once.
//! Between commands it polls on the [`Schedule`], backing off after failures.
//! The credit history is read from and written to the store by a task of
//! its own, every store call on tokio's blocking pool, so a slow disk or a
//! store locked by another process never holds up a request or a keystroke.
//! The usage records are synced by another ([`usage`]), on a schedule of
//! its own.

pub mod usage;

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};
use tokio::time::Instant;

use crate::clock::Clock;
use crate::monitor::Sample;
use crate::monitor::schedule::{Schedule, Slot};
use crate::plivo::{
    Account, AccountUpdate, ApiError, Client, Disagreement, Subaccount, SubaccountChange,
};
use crate::store::{CreditHistory, Kept, Store};

/// What the app asks of the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Fetch the account as soon as allowed.
    Refresh,
    /// Send these changes, then fetch the account to confirm them.
    Save(AccountUpdate),
    /// Poll this often from now on.
    SetPeriod(Duration),
    /// Stop (true) or resume (false) background polling.
    Pause(bool),
    /// Keep this sample in the credit history.
    Record(Sample),
    /// Count the subaccounts (one request: a page of one).
    CountSubaccounts,
    /// List every subaccount, page by page.
    ListSubaccounts,
    /// Create a subaccount, then fetch it.
    CreateSubaccount(SubaccountChange),
    /// Rename, enable or disable one, then fetch it.
    UpdateSubaccount {
        /// Its id.
        id: String,
        /// Its name and state from now on.
        change: SubaccountChange,
    },
    /// Delete one.
    DeleteSubaccount {
        /// Its id.
        id: String,
        /// Its numbers, endpoints and applications go too.
        cascade: bool,
    },
    /// Read the usage digest from the store, the month in `zone` (the
    /// account's IANA zone; UTC where it is not one): asked after each
    /// sync, answered by `Report::Digest`.
    Digest {
        /// The account's time zone, as the API says it.
        zone: String,
    },
}

/// Which kind of request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A fetch.
    Refresh,
    /// A save.
    Save,
    /// Listing, creating, changing or deleting subaccounts.
    Subaccounts,
}

/// What the worker reports back.
#[derive(Debug, Clone, PartialEq)]
pub enum Report {
    /// The account as fetched at `at`.
    Loaded {
        /// The account (boxed: it dwarfs every other message).
        account: Box<Account>,
        /// When the answer arrived.
        at: Timestamp,
    },
    /// The server accepted these changes; a confirming `Loaded` follows.
    Saved {
        /// What was sent.
        update: AccountUpdate,
    },
    /// A request failed.
    Failed {
        /// Which one.
        op: Op,
        /// Why.
        error: ApiError,
        /// When a failed fetch will be retried by itself.
        retry_in: Option<Duration>,
    },
    /// How the background sync of the usage records stands.
    Usage(usage::Status),
    /// The usage digest asked for, or why it could not be read (boxed:
    /// it dwarfs the other messages).
    Digest(Result<Box<crate::usage::digest::Digest>, String>),
    /// The stored history, once, before the first fetch.
    History {
        /// The samples, oldest first.
        samples: Vec<Sample>,
        /// Something wrong with where it is kept (a damaged store set
        /// aside, a store that cannot be opened, so the history is kept in
        /// memory only), naming the file.
        warning: Option<String>,
        /// The account's old history file, moved into the store on this
        /// run: said once.
        moved: Option<String>,
    },
    /// The polling schedule now in force (the answer to `SetPeriod`/`Pause`).
    Schedule {
        /// The period.
        period: Duration,
        /// Whether background polling is paused.
        paused: bool,
    },
    /// Samples stopped reaching the store (said once, not per sample);
    /// the history goes on in memory.
    HistoryUnwritable {
        /// Why, naming the file.
        error: String,
    },
    /// A page of the subaccount list, in order.
    SubaccountsPage {
        /// How many come before it.
        offset: u32,
        /// How many there are in all.
        total: u32,
        /// The subaccounts on it, newest first.
        subaccounts: Vec<Subaccount>,
    },
    /// Every page of the list has come.
    SubaccountsListed {
        /// Set when the pages disagreed with the server's count (the rows
        /// that came are kept).
        disagreement: Option<Disagreement>,
    },
    /// How many subaccounts the account has.
    SubaccountCount {
        /// The server's count.
        total: u32,
    },
    /// A subaccount was created or changed; here it is as it is now.
    SubaccountChanged {
        /// The subaccount, fetched afresh.
        subaccount: Box<Subaccount>,
        /// Whether it is new.
        created: bool,
    },
    /// A subaccount was deleted.
    SubaccountDeleted {
        /// Its id.
        id: String,
    },
}

/// How the worker starts.
#[derive(Debug)]
pub struct Options {
    /// The polling period.
    pub period: Duration,
    /// Where the credit history is kept, if anywhere.
    pub history: Option<CreditHistory>,
    /// What time it is, for the samples' timestamps.
    pub clock: Clock,
    /// Its place among other accounts' workers, when it is one of a fleet.
    pub shared: Option<Shared>,
    /// The usage records' background sync, if there is one.
    pub usage: Option<usage::Options>,
}

impl Options {
    /// Polling every `period` on the system clock, alone, keeping no
    /// history.
    pub fn every(period: Duration) -> Self {
        Self {
            period,
            history: None,
            clock: Clock::system(),
            shared: None,
            usage: None,
        }
    }
}

/// What a fleet's workers share: each its own slot in the timetable, all
/// one limit on the requests in flight.
#[derive(Debug, Clone)]
pub struct Shared {
    /// This worker's place in the timetable. Its first fetch is its own
    /// to start (the app does not ask for it).
    pub slot: Slot,
    /// Permits for requests in flight, one per request, shared by all.
    pub gate: Arc<Semaphore>,
}

/// The app's ends of a worker's channels.
#[derive(Debug)]
pub struct Channels {
    /// Where commands go.
    pub commands: mpsc::UnboundedSender<Request>,
    /// Where events come from; closed when the worker's task has ended.
    pub events: mpsc::UnboundedReceiver<Report>,
}

/// Starts the worker on the current runtime. It stops when the command
/// sender is dropped.
pub fn spawn(client: Client, options: Options) -> Channels {
    let (command_tx, command_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    tokio::spawn(run(client, options, command_rx, event_tx));
    Channels {
        commands: command_tx,
        events: event_rx,
    }
}

/// One worker's reports, tagged with its index.
type Numbered = std::pin::Pin<Box<dyn futures_util::Stream<Item = (usize, Option<Report>)> + Send>>;

/// Every worker of one command, by account index: each one's request
/// sender (`None` for an account with no worker) and all their reports
/// merged into one stream. The dashboard's loop and the exporter's both
/// run their workers through it.
pub struct Workers {
    senders: Vec<Option<mpsc::UnboundedSender<Request>>>,
    reports: futures_util::stream::SelectAll<Numbered>,
}

impl Workers {
    /// The workers of `channels`, numbered in order (`None`: an account
    /// with no worker, which keeps its place).
    pub fn new(channels: impl IntoIterator<Item = Option<Channels>>) -> Self {
        let mut senders = Vec::new();
        let mut reports = futures_util::stream::SelectAll::new();
        for (i, channel) in channels.into_iter().enumerate() {
            match channel {
                Some(Channels { commands, events }) => {
                    senders.push(Some(commands));
                    reports.push(numbered(i, events));
                }
                None => senders.push(None),
            }
        }
        Self { senders, reports }
    }

    /// Sends `request` to account `i`'s worker; nothing where it has none
    /// (a worker that is gone says so through its reports' end).
    pub fn send(&self, i: usize, request: Request) {
        if let Some(Some(worker)) = self.senders.get(i) {
            let _ = worker.send(request);
        }
    }

    /// The next report of any worker, tagged with its index: `Some` for a
    /// report, then one `None` when that worker's task has ended (it never
    /// does by itself while its sender is held: a panic), so that is said,
    /// not silent. `None` outright once no worker is left.
    pub async fn next(&mut self) -> Option<(usize, Option<Report>)> {
        use futures_util::StreamExt as _;
        self.reports.next().await
    }

    /// Whether no worker is left to report.
    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
    }
}

fn numbered(i: usize, events: mpsc::UnboundedReceiver<Report>) -> Numbered {
    use futures_util::StreamExt as _;
    let reports = futures_util::stream::unfold(events, |mut events| async move {
        events.recv().await.map(|report| (report, events))
    })
    .map(move |report| (i, Some(report)))
    .chain(futures_util::stream::once(async move { (i, None) }));
    Box::pin(reports)
}

async fn run(
    client: Client,
    options: Options,
    mut commands: mpsc::UnboundedReceiver<Request>,
    events: mpsc::UnboundedSender<Report>,
) {
    let first_sync = options.shared.as_ref().map_or(Duration::ZERO, |s| {
        usage::first_sync(
            &s.slot,
            options.period,
            options
                .usage
                .as_ref()
                .map_or(Duration::ZERO, |u| u.interval),
        )
    });
    let store = options.usage.as_ref().map(|u| u.store.clone());
    let (client, _sync) = usage::start(client, options.usage, first_sync, options.clock, &events);
    let records = options
        .history
        .map(|history| spawn_history(history, options.clock, events.clone()));
    // Alone, the first fetch is the app's to ask for, and polling takes
    // over after it; in a fleet, the slot says when.
    let (first, phase) = options
        .shared
        .as_ref()
        .map_or((options.period, Duration::ZERO), |s| {
            (s.slot.first, s.slot.phase)
        });
    let gate = options.shared.map(|s| s.gate);
    let mut schedule = Schedule::new(
        options.period,
        false,
        Instant::now() + first,
        fastrand::Rng::new(),
    )
    .with_phase(phase);
    let gate = gate.as_ref();
    loop {
        let next = schedule.next_fetch();
        // Commands first: a burst of refreshes is absorbed into one asked
        // fetch before the timer gets a turn.
        let command = tokio::select! {
            biased;
            command = commands.recv() => match command {
                Some(command) => command,
                None => return,
            },
            () = sleep_until(next), if next.is_some() => {
                let event = fetch(&client, &mut schedule, gate, options.clock).await;
                if events.send(event).is_err() {
                    return;
                }
                continue;
            }
        };
        tracing::debug!(?command, "command");
        let reply = match command {
            // Answered by the fetch it makes due, or at once while the
            // server's Retry-After holds every request back.
            Request::Refresh => match schedule.held_for(Instant::now()) {
                Some(wait) => vec![Report::Failed {
                    op: Op::Refresh,
                    error: ApiError::RateLimited {
                        retry_after: Some(wait),
                    },
                    retry_in: Some(wait),
                }],
                None => {
                    schedule.ask(Instant::now());
                    Vec::new()
                }
            },
            Request::Save(update) => {
                save(&client, &mut schedule, gate, update, options.clock).await
            }
            Request::CountSubaccounts => count(&client, &mut schedule, gate).await,
            Request::ListSubaccounts
            | Request::CreateSubaccount(_)
            | Request::UpdateSubaccount { .. }
            | Request::DeleteSubaccount { .. } => {
                subaccounts(&client, &mut schedule, gate, command, &events).await
            }
            Request::SetPeriod(period) => {
                schedule.set_period(period, Instant::now());
                vec![schedule_event(&schedule)]
            }
            Request::Pause(paused) => {
                schedule.set_paused(paused);
                vec![schedule_event(&schedule)]
            }
            // Off the loop: a slow store holds up only its answer.
            Request::Digest { zone } => {
                let (store, auth_id, now) = (
                    store.clone(),
                    client.auth_id().to_string(),
                    options.clock.now(),
                );
                let events = events.clone();
                tokio::spawn(async move {
                    let digest = usage::digest(store, auth_id, zone, now).await;
                    let _ = events.send(Report::Digest(digest.map(Box::new)));
                });
                Vec::new()
            }
            Request::Record(sample) => {
                if let Some(records) = &records {
                    let _ = records.send(sample);
                }
                Vec::new()
            }
        };
        for event in reply {
            if events.send(event).is_err() {
                return;
            }
        }
    }
}

/// The credit history's own task: opens the store once (moving the
/// account's old history file in) and reports what it holds, then keeps
/// each sample in order, every store call on the blocking pool. A store
/// that cannot be opened is said once with its path, and the history goes
/// on in memory (with the old file's samples, if it is still there). A
/// failure to write is reported once; samples after it are still tried,
/// silently, so the store picks up again if the disk comes back.
fn spawn_history(
    history: CreditHistory,
    clock: Clock,
    events: mpsc::UnboundedSender<Report>,
) -> mpsc::UnboundedSender<Sample> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Sample>();
    tokio::spawn(async move {
        let history = Arc::new(history);
        let now = clock.now();
        let opening = history.clone();
        let opened = tokio::task::spawn_blocking(move || open_history(&opening, now)).await;
        let (mut store, report) = opened.unwrap_or_else(|e| {
            (
                None,
                Report::History {
                    samples: Vec::new(),
                    warning: Some(in_memory(format_args!(
                        "the store {} could not be opened ({e})",
                        history.store_path().display()
                    ))),
                    moved: None,
                },
            )
        });
        if events.send(report).is_err() {
            return;
        }
        let mut reported = false;
        while let Some(sample) = rx.recv().await {
            // In memory only: the store could not be opened, or its
            // blocking call died with it.
            let Some(mut open) = store.take() else {
                continue;
            };
            let writer = history.clone();
            let now = clock.now();
            let result = tokio::task::spawn_blocking(move || {
                let written = writer.record(&mut open, &sample, now);
                (open, written)
            })
            .await;
            let error = match result {
                Ok((open, written)) => {
                    store = Some(open);
                    written.err().map(|e| e.to_string())
                }
                Err(e) => Some(format!("the store {}: {e}", history.store_path().display())),
            };
            match error {
                Some(e) if !reported => {
                    reported = true;
                    let error = in_memory(e);
                    if events.send(Report::HistoryUnwritable { error }).is_err() {
                        return;
                    }
                }
                Some(_) => {}
                None => reported = false,
            }
        }
    });
    tx
}

/// The store opened and its samples read, or why not with the old file's
/// samples instead: what the history task reports first.
fn open_history(history: &CreditHistory, now: Timestamp) -> (Option<Store>, Report) {
    match history.open(now) {
        Ok(Kept {
            store,
            samples,
            moved,
            warning,
        }) => (
            Some(store),
            Report::History {
                samples,
                warning,
                moved,
            },
        ),
        Err(e) => {
            let (samples, problem) = history.unmoved(now).unwrap_or_default();
            let mut warning = in_memory(e);
            if let Some(problem) = problem {
                warning = format!("{warning}; {problem}");
            }
            (
                None,
                Report::History {
                    samples,
                    warning: Some(warning),
                    moved: None,
                },
            )
        }
    }
}

/// What is said when the history is kept in memory only: `why`, which
/// names the store.
fn in_memory(why: impl std::fmt::Display) -> String {
    format!("{why}; the credit history is kept in memory only")
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

fn schedule_event(schedule: &Schedule) -> Report {
    Report::Schedule {
        period: schedule.period(),
        paused: schedule.paused(),
    }
}

/// Waits out the minimum gap and, in a fleet, for a free place among the
/// requests in flight; then marks a request as started. The permit is held
/// until the request has its answer.
async fn begin(
    schedule: &mut Schedule,
    gate: Option<&Arc<Semaphore>>,
) -> Option<OwnedSemaphorePermit> {
    tokio::time::sleep_until(schedule.not_before(Instant::now())).await;
    // The gate is never closed; were it, the request would just go ungated.
    let permit = match gate {
        Some(gate) => gate.clone().acquire_owned().await.ok(),
        None => None,
    };
    schedule.started(Instant::now());
    permit
}

async fn fetch(
    client: &Client,
    schedule: &mut Schedule,
    gate: Option<&Arc<Semaphore>>,
    clock: Clock,
) -> Report {
    let permit = begin(schedule, gate).await;
    let result = client.get_account().await;
    drop(permit);
    match result {
        Ok(account) => {
            schedule.succeeded(Instant::now());
            Report::Loaded {
                account: Box::new(account),
                at: clock.now(),
            }
        }
        Err(error) => {
            let retry_in = schedule.failed(Instant::now(), &error);
            tracing::info!(
                retry_in_ms = u64::try_from(retry_in.as_millis()).unwrap_or(u64::MAX),
                "fetch failed; retrying"
            );
            Report::Failed {
                op: Op::Refresh,
                error,
                retry_in: Some(retry_in),
            }
        }
    }
}

async fn save(
    client: &Client,
    schedule: &mut Schedule,
    gate: Option<&Arc<Semaphore>>,
    update: AccountUpdate,
    clock: Clock,
) -> Vec<Report> {
    // Waiting out a Retry-After here would leave every later command
    // unanswered for as long as the server asked (up to a period).
    if let Some(wait) = schedule.held_for(Instant::now()) {
        return vec![Report::Failed {
            op: Op::Save,
            error: ApiError::RateLimited {
                retry_after: Some(wait),
            },
            retry_in: None,
        }];
    }
    let permit = begin(schedule, gate).await;
    let result = client.update_account(&update).await;
    drop(permit);
    match result {
        Ok(_) => vec![
            Report::Saved { update },
            fetch(client, schedule, gate, clock).await,
        ],
        Err(error) => {
            schedule.hold(Instant::now(), &error);
            vec![Report::Failed {
                op: Op::Save,
                error,
                retry_in: None,
            }]
        }
    }
}

/// A subaccount request: refused at once inside a `Retry-After`, else sent
/// after the minimum gap. A list reports each page as it arrives.
async fn subaccounts(
    client: &Client,
    schedule: &mut Schedule,
    gate: Option<&Arc<Semaphore>>,
    request: Request,
    events: &mpsc::UnboundedSender<Report>,
) -> Vec<Report> {
    let failed = |error| {
        vec![Report::Failed {
            op: Op::Subaccounts,
            error,
            retry_in: None,
        }]
    };
    if let Some(wait) = schedule.held_for(Instant::now()) {
        return failed(ApiError::RateLimited {
            retry_after: Some(wait),
        });
    }
    let permit = begin(schedule, gate).await;
    let result = match request {
        Request::ListSubaccounts => client
            .all_subaccounts(|page| {
                let _ = events.send(Report::SubaccountsPage {
                    offset: page.meta.offset,
                    total: page.meta.total_count,
                    subaccounts: page.objects.clone(),
                });
            })
            .await
            .map(|listed| {
                vec![Report::SubaccountsListed {
                    disagreement: listed.disagreement,
                }]
            }),
        Request::CreateSubaccount(change) => match client.create_subaccount(&change).await {
            // It exists now, whatever the read-back says: a create that
            // looked failed would be made again, a duplicate. Unread, it
            // is shown as sent (r reloads the list).
            Ok(created) => {
                let subaccount = match client.get_subaccount(&created.auth_id).await {
                    Ok(read) => read,
                    Err(_) => Subaccount {
                        account: String::new(),
                        auth_id: created.auth_id,
                        auth_token: created.auth_token,
                        created: Timestamp::now()
                            .to_zoned_datetime(jiff::tz::TimeZone::system())
                            .date()
                            .to_string(),
                        enabled: change.enabled,
                        modified: None,
                        name: change.name,
                        resource_uri: String::new(),
                        api_id: created.api_id,
                    },
                };
                Ok(vec![Report::SubaccountChanged {
                    subaccount: Box::new(subaccount),
                    created: true,
                }])
            }
            Err(e) => Err(e),
        },
        Request::UpdateSubaccount { id, change } => {
            match client.update_subaccount(&id, &change).await {
                Ok(_) => client.get_subaccount(&id).await.map(|subaccount| {
                    vec![Report::SubaccountChanged {
                        subaccount: Box::new(subaccount),
                        created: false,
                    }]
                }),
                Err(e) => Err(e),
            }
        }
        Request::DeleteSubaccount { id, cascade } => client
            .delete_subaccount(&id, cascade)
            .await
            .map(|()| vec![Report::SubaccountDeleted { id }]),
        _ => Ok(Vec::new()),
    };
    drop(permit);
    // Every request counts against the gap; the next starts after it.
    schedule.started(Instant::now());
    result.unwrap_or_else(|error| {
        schedule.hold(Instant::now(), &error);
        failed(error)
    })
}

/// How many subaccounts there are: a page of one, whose `total_count` says.
/// Quiet when it cannot be had (a subaccount cannot list its siblings, and
/// a Retry-After is not worth a word for it): the panel just shows no count.
async fn count(
    client: &Client,
    schedule: &mut Schedule,
    gate: Option<&Arc<Semaphore>>,
) -> Vec<Report> {
    if schedule.held_for(Instant::now()).is_some() {
        return Vec::new();
    }
    let permit = begin(schedule, gate).await;
    let result = client.list_subaccounts(1, 0).await;
    drop(permit);
    match result {
        Ok(page) => vec![Report::SubaccountCount {
            total: page.meta.total_count,
        }],
        Err(error) => {
            schedule.hold(Instant::now(), &error);
            tracing::info!(%error, "cannot count the subaccounts");
            Vec::new()
        }
    }
}
