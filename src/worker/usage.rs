//! The usage records synced in the background, every `usage_interval`, by
//! a task of the worker's own beside its poll loop: a balance poll never
//! waits for it. Its requests go through the account's [`Budget`] as
//! [`Share::Background`], so it only takes what the polls leave of Plivo's
//! limit; the message list keeps to its own 20 a minute
//! ([`sync::Options::message_gap`]). Every store operation runs on the
//! blocking pool, so a slow disk or another process's write lock holds up
//! only the sync. A sync killed at any moment resumes at the next start:
//! the sync keeps each page with its position in one transaction.
//!
//! [`Budget`]: crate::plivo::Budget
//! [`Share::Background`]: crate::plivo::Share::Background

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use rust_decimal::Decimal;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::Report;
use crate::clock::Clock;
use crate::monitor::schedule::Slot;
use crate::plivo::{Budget, Client, Share};
use crate::store::{Kind, Store, StoreError};
use crate::text::SafeText;
use crate::usage::digest::Digest;
use crate::usage::spike::{self, Detector, Spike, Thresholds, Top};
use crate::usage::sync::plan::{self, Part};
use crate::usage::sync::{self, Progress, Sink};
use crate::usage::{cents, view};

/// How often a back-fill's progress is reported at most.
const PROGRESS_EVERY: Duration = Duration::from_secs(1);

/// How the account's records are synced.
#[derive(Debug, Clone)]
pub struct Options {
    /// The time from one sync's start to the next's.
    pub interval: Duration,
    /// The store, shared by every account of the command.
    pub store: StoreAt,
    /// How deep the first sync back-fills, and each list's pace.
    pub sync: sync::Options,
    /// When spend spikes are alerted on, after each sync that ended well
    /// (`None`: never judged).
    pub spikes: Option<Thresholds>,
}

/// The store the syncs of one command write, opened once, by the first
/// that needs it: one connection however many accounts, their writes taking
/// turns on it as SQLite's would on one file anyway.
#[derive(Debug, Clone)]
pub struct StoreAt {
    path: PathBuf,
    opened: Arc<tokio::sync::OnceCell<Result<Arc<Mutex<Store>>, String>>>,
}

impl StoreAt {
    /// The store at `path`, not opened yet.
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            opened: Arc::default(),
        }
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store, or why it cannot be opened; and what its opening found
    /// (a damaged file set aside), to the one that opened it.
    async fn open(&self, now: Timestamp) -> (Result<Arc<Mutex<Store>>, String>, Option<String>) {
        let mut notice = None;
        let store = self
            .opened
            .get_or_init(|| async {
                let path = self.path.clone();
                match off_thread(move || Store::open(&path, now)).await {
                    Ok(opened) => {
                        notice = opened.notice;
                        Ok(Arc::new(Mutex::new(opened.store)))
                    }
                    Err(e) => Err(e.to_string()),
                }
            })
            .await
            .clone();
        (store, notice)
    }
}

/// Reads the account's [`Digest`] at `now`, its month in `zone` (UTC
/// where that is no IANA zone, as the `forecast` command says), off the
/// runtime's threads, the store opened now if no sync has opened it yet:
/// the answer to [`Request::Digest`](super::Request::Digest).
pub(super) async fn digest(
    store: Option<StoreAt>,
    auth_id: String,
    zone: String,
    now: Timestamp,
) -> Result<Digest, String> {
    read_store(store, now, move |store| {
        let zone = TimeZone::get(&zone).unwrap_or(TimeZone::UTC);
        Digest::read(store, &auth_id, &zone, now).map_err(|e| e.to_string())
    })
    .await
}

/// The usage screen's view for `query` at `now`, off the runtime's
/// threads: the answer to [`Request::UsageView`](super::Request::UsageView).
pub(super) async fn view(
    store: Option<StoreAt>,
    auth_id: String,
    query: view::Query,
    now: Timestamp,
) -> Result<view::View, String> {
    read_store(store, now, move |store| {
        view::read(store, &auth_id, &query, now).map_err(|e| e.to_string())
    })
    .await
}

/// `read` on the blocking pool with the store, opened now if no sync has
/// opened it yet.
async fn read_store<T: Send + 'static>(
    store: Option<StoreAt>,
    now: Timestamp,
    read: impl FnOnce(&Store) -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let store = store.ok_or("usage records are not synced: there is no store to read")?;
    let store = store.open(now).await.0?;
    off_thread(move || read(&store.lock().unwrap_or_else(PoisonError::into_inner))).await
}

/// One of the lists a sync reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum List {
    /// The calls.
    Calls,
    /// The messages.
    Messages,
}

/// Where the background sync stands, as the worker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// A back-fill under way: `list` read back `done` of about `of` days.
    Backfilling {
        /// The list being back-filled.
        list: List,
        /// Days read back so far.
        done: u32,
        /// Days the back-fill reaches (about: the first day is partial).
        of: u32,
    },
    /// A sync ended well, having read `records`.
    Synced {
        /// The time it synced up to: every record before it is stored.
        at: Timestamp,
        /// Records read (a record read again counts again).
        records: u64,
    },
    /// A sync stopped short; the next one, an interval later, resumes.
    Failed {
        /// Why, naming the store or the request.
        error: String,
    },
    /// The store cannot be opened: nothing is synced this run (said once;
    /// the balance is polled as ever).
    Unavailable {
        /// Why, naming the file.
        error: String,
    },
    /// A damaged store was set aside and a new one started (said once).
    SetAside {
        /// Both paths.
        notice: String,
    },
    /// A spend spike, found after a sync: said once per spike, as the
    /// account's [`Detector`] judges.
    Spike(Box<Found>),
}

/// A spend spike to alert on, its contributors checked for shape where they
/// come out of the store (a country is two capitals, a subaccount letters
/// and digits, a number digits; anything else is left unnamed), so they
/// may go into a command's environment and a terminal's notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// What the rules found, its `top` checked.
    pub spike: Spike,
    /// What it had to pass, USD: the rate's bar, or `new_destination_usd`.
    pub threshold: Decimal,
    /// The top subaccount's name as Plivo gives it, made safe; `None` when
    /// there is none or it could not be had.
    pub subaccount_name: Option<SafeText>,
    /// The top country is one the account sent nothing to on the days
    /// before the last two (a new destination, whether or not it has
    /// passed `new_destination_usd` yet).
    pub top_new: bool,
    /// How many days before the last two a new country was looked for and
    /// not found: [`spike::LOOKBACK_DAYS`], or fewer when the store's
    /// records reach back less far.
    pub days_before: i32,
}

impl Found {
    /// What was spent: in the last hour, or to the new country.
    pub fn amount(&self) -> Decimal {
        match &self.spike {
            Spike::Rate { last_hour, .. } => *last_hour,
            Spike::NewDestination { amount, .. } => *amount,
        }
    }

    /// Who spent most.
    pub fn top(&self) -> &Top {
        match &self.spike {
            Spike::Rate { top, .. } | Spike::NewDestination { top, .. } => top,
        }
    }

    /// `rate` or `new-destination`, as `PLIVO_DASH_SPIKE` says it.
    pub fn rule(&self) -> &'static str {
        match self.spike {
            Spike::Rate { .. } => "rate",
            Spike::NewDestination { .. } => "new-destination",
        }
    }

    /// One line that says it and names its top contributor, e.g. "Spend
    /// spike: 4.20 USD in the last hour (3.1× the usual 1.35 USD), mostly
    /// to LV from subaccount Marketing (SA…) via +14155550123".
    pub fn text(&self) -> String {
        let top = self.top();
        let mut source = Vec::new();
        let (mut text, country) = match &self.spike {
            Spike::Rate {
                last_hour, usual, ..
            } => {
                let usual = if usual.is_zero() {
                    "usually nothing".to_owned()
                } else {
                    format!(
                        "{:.1}× the usual {} USD",
                        (last_hour / usual).round_dp(1),
                        cents(*usual)
                    )
                };
                let text = format!(
                    "Spend spike: {} USD in the last hour ({usual})",
                    cents(*last_hour)
                );
                (text, top.country.as_deref())
            }
            Spike::NewDestination {
                country, amount, ..
            } => (
                format!(
                    "New destination: {} USD to {country} since yesterday {}",
                    cents(*amount),
                    self.none_before()
                ),
                None,
            ),
        };
        if let Some(country) = country {
            source.push(format!("mostly to {country}"));
            if self.top_new {
                source.push(self.none_before());
            }
        }
        match (&self.subaccount_name, &top.subaccount) {
            (Some(name), Some(id)) if !name.as_str().is_empty() => {
                source.push(format!("from subaccount {name} ({id})"));
            }
            (_, Some(id)) => source.push(format!("from subaccount {id}")),
            _ => {}
        }
        if let Some(number) = &top.number {
            source.push(format!("via +{number}"));
        }
        if !source.is_empty() {
            text.push_str(", ");
            text.push_str(&source.join(" "));
        }
        text
    }
}

impl Found {
    /// How far back a new country went unseen, and that this is all the
    /// store holds when it is less than the rule's month.
    fn none_before(&self) -> String {
        let synced = if self.days_before < spike::LOOKBACK_DAYS {
            " synced"
        } else {
            ""
        };
        match self.days_before {
            1 => format!("(none on the day{synced} before)"),
            n => format!("(none in the {n} days{synced} before)"),
        }
    }
}

/// `top` with only what has the shape its kind has (see [`Found`]).
fn checked(top: Top) -> Top {
    let shaped = |value: Option<String>, ok: fn(&str) -> bool| value.filter(|v| ok(v));
    Top {
        country: shaped(top.country, |c| {
            c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())
        }),
        subaccount: shaped(top.subaccount, |id| {
            id.len() <= 40 && sync::usable_id(id) == Some(id)
        }),
        number: shaped(top.number, |n| {
            (1..=20).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit())
        }),
    }
}

/// What an account's state keeps of its sync: when it last ended well,
/// how far a back-fill has got, the last failure.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Standing {
    /// The time the last sync that ended well read up to.
    pub synced_at: Option<Timestamp>,
    /// A back-fill under way: its list, days done, days it reaches.
    pub backfilling: Option<(List, u32, u32)>,
    /// Why the last sync failed, until one succeeds.
    pub error: Option<String>,
}

impl Standing {
    /// Takes in a report of the sync's.
    pub fn take(&mut self, status: &Status) {
        match status {
            Status::Backfilling { list, done, of } => {
                self.backfilling = Some((*list, *done, *of));
            }
            Status::Synced { at, .. } => {
                self.synced_at = Some(*at);
                self.backfilling = None;
                self.error = None;
            }
            Status::Failed { error } | Status::Unavailable { error } => {
                self.backfilling = None;
                self.error = Some(error.clone());
            }
            Status::SetAside { .. } | Status::Spike(_) => {}
        }
    }
}

/// Where account `slot` of a fleet polling every `period` first syncs,
/// every `interval`: as far into the interval as its polls are into the
/// period, so a fleet's back-fills never all start at once.
pub(super) fn first_sync(slot: &Slot, period: Duration, interval: Duration) -> Duration {
    let share = (slot.first + slot.phase).as_secs_f64() / period.as_secs_f64().max(f64::EPSILON);
    interval.mul_f64(share.clamp(0.0, 1.0))
}

/// Aborts the sync's task when dropped: it lives as long as its worker.
#[derive(Debug)]
pub(super) struct Running(tokio::task::AbortHandle);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the account's background sync, if `options` ask for one: the
/// first after `delay` (a back-fill the first time, as `usage sync` does),
/// then every `options.interval` from the start of the one before. Gives
/// the worker's client, now counting its requests in the budget the sync
/// shares, and the sync's task.
pub(super) fn start(
    client: Client,
    options: Option<Options>,
    delay: Duration,
    clock: Clock,
    events: &mpsc::UnboundedSender<Report>,
) -> (Client, Option<Running>) {
    let Some(options) = options else {
        return (client, None);
    };
    let budget = Budget::default();
    let client = client.with_budget(budget.clone(), Share::Foreground);
    let sync = client.clone().with_budget(budget, Share::Background);
    let task = tokio::spawn(run(sync, options, delay, clock, events.clone()));
    (client, Some(Running(task.abort_handle())))
}

async fn run(
    client: Client,
    options: Options,
    delay: Duration,
    clock: Clock,
    events: mpsc::UnboundedSender<Report>,
) {
    let say = |status: Status| events.send(Report::Usage(status)).is_ok();
    tokio::time::sleep(delay).await;
    let mut store = match options.store.open(clock.now()).await {
        (Ok(store), notice) => {
            if let Some(notice) = notice
                && !say(Status::SetAside { notice })
            {
                return;
            }
            off_thread(crate::usage::attribute::load_metadata).await;
            OffThread(store)
        }
        (Err(e), _) => {
            say(Status::Unavailable {
                error: format!("usage records are not synced: {e}"),
            });
            return;
        }
    };
    let mut judge = options.spikes.map(|thresholds| Judge {
        detector: Detector::new(thresholds),
        rate_country: None,
    });
    loop {
        let started = Instant::now();
        let now = clock.now();
        let start = plan::start(now, options.sync.depth);
        let mut progress = Backfill::new(start, now);
        let result = sync::sync(&client, &mut store, &options.sync, now, |p| {
            if let Some(status) = progress.step(p) {
                let _ = events.send(Report::Usage(status));
            }
        })
        .await;
        let status = match result {
            Ok(report) => Status::Synced {
                at: plan::whole_second(now),
                records: report.lists.iter().map(|l| l.records).sum(),
            },
            Err(e) => {
                tracing::info!(error = %e, "usage sync failed; trying again at the next interval");
                Status::Failed {
                    error: e.to_string(),
                }
            }
        };
        let synced = matches!(status, Status::Synced { .. });
        if !say(status) {
            return;
        }
        if synced && let Some(judge) = &mut judge {
            for found in spikes(&client, &mut store, judge, now).await {
                tracing::warn!(spike = %found.text(), "spend spike");
                if !say(Status::Spike(Box::new(found))) {
                    return;
                }
            }
        }
        // Asleep until the next is due: an idle dashboard costs nothing.
        // Never sooner than a message page's gap after this one's last, so
        // the message list's pace holds across syncs too.
        let due = (started + options.interval).max(Instant::now() + options.sync.message_gap);
        tokio::time::sleep_until(due).await;
    }
}

/// What the account's spikes have said: the rules' own memory, and the
/// top country of the rate spike said last, while it stands.
struct Judge {
    detector: Detector,
    rate_country: Option<String>,
}

/// The spikes the store shows at `now` that `judge` has not said yet, read
/// on the blocking pool. One burst is one alert: a rate spike topped by a
/// country named as a new destination (now or before, still standing) is
/// that burst again, and so is a new destination that a standing rate
/// spike was topped by. Each top subaccount is asked for its name (one
/// request; unnamed if that fails). A store that cannot be read is
/// logged: the next sync judges again.
async fn spikes(
    client: &Client,
    store: &mut OffThread,
    judge: &mut Judge,
    now: Timestamp,
) -> Vec<Found> {
    let detector = &mut judge.detector;
    let auth_id = client.auth_id().to_string();
    let thresholds = detector.thresholds();
    let observed = store
        .with(move |s| {
            let history = spike::history(s, &auth_id)?;
            spike::observe(s, &auth_id, now, history, &thresholds)
        })
        .await;
    let observation = match observed {
        Ok(observation) => observation,
        Err(e) => {
            tracing::info!(error = %e, "spend spikes not judged; trying again after the next sync");
            return Vec::new();
        }
    };
    let said = detector.update(&observation);
    if !detector.rate_fired() {
        judge.rate_country = None;
    }
    let mut found = Vec::new();
    for spike in said {
        let (spike, threshold) = match spike {
            Spike::Rate { top, .. }
                if top.country.as_deref().is_some_and(|c| detector.named(c)) =>
            {
                continue;
            }
            Spike::NewDestination { country, .. }
                if judge.rate_country.as_ref() == Some(&country) =>
            {
                continue;
            }
            Spike::Rate {
                last_hour,
                usual,
                top,
            } => (
                {
                    judge.rate_country.clone_from(&top.country);
                    Spike::Rate {
                        last_hour,
                        usual,
                        top: checked(top),
                    }
                },
                spike::rate_bar(thresholds.factor, usual),
            ),
            Spike::NewDestination {
                country,
                amount,
                top,
            } => (
                Spike::NewDestination {
                    country: crate::text::sanitize(&country),
                    amount,
                    top: checked(top),
                },
                thresholds.new_destination,
            ),
        };
        let mut found_one = Found {
            spike,
            threshold,
            subaccount_name: None,
            top_new: false,
            days_before: observation.days_before,
        };
        found_one.top_new = found_one.top().country.as_ref().is_some_and(|top| {
            observation
                .new_countries
                .iter()
                .flatten()
                .any(|new| &new.country == top)
        });
        if let Some(id) = found_one.top().subaccount.clone() {
            found_one.subaccount_name = client
                .get_subaccount(&id)
                .await
                .ok()
                .map(|s| SafeText::new(&s.name));
        }
        found.push(found_one);
    }
    found
}

/// A back-fill's progress, said at most every [`PROGRESS_EVERY`] for a
/// list (and at once when the next list begins).
struct Backfill {
    start: Timestamp,
    now: Timestamp,
    said: Option<(Kind, Instant)>,
}

impl Backfill {
    fn new(start: Timestamp, now: Timestamp) -> Self {
        Self {
            start,
            now,
            said: None,
        }
    }

    fn step(&mut self, progress: Progress<'_>) -> Option<Status> {
        let Progress::Page {
            kind,
            window,
            position,
            ..
        } = progress
        else {
            return None;
        };
        if window.part != Part::Backfill
            || self
                .said
                .is_some_and(|(list, at)| list == kind && at.elapsed() < PROGRESS_EVERY)
        {
            return None;
        }
        self.said = Some((kind, Instant::now()));
        let days = |from: Timestamp| {
            let secs = u64::try_from(self.now.duration_since(from).as_secs()).unwrap_or(0);
            u32::try_from(secs.div_ceil(86_400)).unwrap_or(u32::MAX)
        };
        Some(Status::Backfilling {
            list: match kind {
                Kind::Call => List::Calls,
                Kind::Message => List::Messages,
            },
            done: position.backfill.map_or(0, days),
            of: days(self.start),
        })
    }
}

/// The store, every operation on the blocking pool.
struct OffThread(Arc<Mutex<Store>>);

impl Sink for OffThread {
    async fn with<T: Send + 'static>(
        &mut self,
        op: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let store = self.0.clone();
        off_thread(move || op(&mut store.lock().unwrap_or_else(PoisonError::into_inner))).await
    }
}

/// `op` on the blocking pool. Its panic is the caller's; cancelled, the
/// runtime is going away, and so is the sync.
async fn off_thread<T: Send + 'static>(op: impl FnOnce() -> T + Send + 'static) -> T {
    match tokio::task::spawn_blocking(op).await {
        Ok(value) => value,
        Err(e) => match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(_) => std::future::pending().await,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::schedule;

    #[test]
    fn a_spikes_contributors_are_named_only_in_their_own_shape() {
        let top = |country: &str, subaccount: &str, number: &str| {
            checked(Top {
                country: Some(country.into()),
                subaccount: Some(subaccount.into()),
                number: Some(number.into()),
            })
        };
        let good = top("LV", "SA2025MARKETING00001", "14155550123");
        assert_eq!(good.country.as_deref(), Some("LV"));
        assert_eq!(good.subaccount.as_deref(), Some("SA2025MARKETING00001"));
        assert_eq!(good.number.as_deref(), Some("14155550123"));
        for bad in [
            top("lv", "SA1;rm -rf", "+1415"),
            top("L\x1bV", "SA 1", "1415$(id)"),
            top("LVA", "", &"1".repeat(21)),
        ] {
            assert_eq!(bad, Top::default(), "{bad:?}");
        }
    }

    #[test]
    fn a_spikes_text_names_the_hour_and_its_source() {
        use rust_decimal::dec;
        let found = Found {
            spike: Spike::Rate {
                last_hour: dec!(4.2),
                usual: dec!(1.35),
                top: Top {
                    country: Some("LV".into()),
                    subaccount: Some("SA2025MARKETING00001".into()),
                    number: Some("14155550123".into()),
                },
            },
            threshold: dec!(4.05),
            subaccount_name: Some(SafeText::new("Marketing")),
            top_new: true,
            days_before: spike::LOOKBACK_DAYS,
        };
        assert_eq!(
            found.text(),
            "Spend spike: 4.20 USD in the last hour (3.1× the usual 1.35 USD), mostly to LV \
             (none in the 30 days before) from subaccount Marketing (SA2025MARKETING00001) \
             via +14155550123"
        );
        assert_eq!((found.rule(), found.amount()), ("rate", dec!(4.2)));
    }

    #[test]
    fn a_spikes_amounts_are_said_rounded_to_the_cent_not_cut() {
        use rust_decimal::dec;
        let top = Top {
            country: Some("LV".into()),
            subaccount: None,
            number: Some("14155550123".into()),
        };
        let mut found = Found {
            spike: Spike::NewDestination {
                country: "LV".into(),
                amount: dec!(1.80900),
                top: top.clone(),
            },
            threshold: dec!(1),
            subaccount_name: None,
            top_new: true,
            days_before: spike::LOOKBACK_DAYS,
        };
        assert!(
            found.text().starts_with("New destination: 1.81 USD to LV "),
            "{}",
            found.text()
        );
        found.spike = Spike::Rate {
            last_hour: dec!(4.199),
            usual: dec!(1.3549),
            top,
        };
        assert!(
            found
                .text()
                .starts_with("Spend spike: 4.20 USD in the last hour (3.1× the usual 1.35 USD)"),
            "{}",
            found.text()
        );
    }

    #[test]
    fn a_fleets_first_syncs_are_spread_over_the_interval_as_its_polls_over_the_period() {
        let period = Duration::from_secs(60);
        let interval = Duration::from_secs(300);
        let firsts: Vec<Duration> = (0..4)
            .map(|i| first_sync(&schedule::slot(i, 4, period), period, interval))
            .collect();
        assert_eq!(
            firsts,
            [0, 75, 150, 225].map(Duration::from_secs),
            "a quarter of the interval apart"
        );
    }
}
