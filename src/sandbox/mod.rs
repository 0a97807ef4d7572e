//! The embedded Plivo-compatible server.
//!
//! Speaks the Account API as Plivo does (paths, Basic auth, status codes,
//! JSON error bodies), its subaccounts, and its usage records (calls,
//! messages, rented numbers: one traffic model, whose live part is what
//! drains the balance), so that the dashboard, the commands and every test
//! can run with no account and no network. It uses the wire types from
//! [`crate::plivo`]; the client never knows it exists.

mod records;
mod reply;
mod routes;
mod subaccounts;
mod traffic;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};

use rust_decimal::Decimal;
use secrecy::SecretString;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::plivo::Account;

/// The auth id the sandbox answers to unless told otherwise.
pub const DEFAULT_AUTH_ID: &str = "MA2025RK4E639VJFZAGV";

const DEMO_ACCOUNT: &str = include_str!("../../assets/demo-account.json");

/// The starting account: the example from Plivo's API documentation.
pub fn demo_account() -> Account {
    serde_json::from_str(DEMO_ACCOUNT).expect("assets/demo-account.json is a valid Account")
}

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct Options {
    /// Where to listen; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The account id it answers to.
    pub auth_id: String,
    /// The token it accepts.
    pub auth_token: SecretString,
    /// USD drawn from the balance per minute, to give a monitor something to
    /// watch: spent by live calls and messages, whose records add up to it.
    pub drain_per_min: Decimal,
    /// How many past days of calls and messages to seed (about 100 calls
    /// and 150 messages a day).
    pub traffic_days: u32,
    /// Multiplies the seeded days' volume (for benchmarks).
    pub traffic_scale: u32,
    /// Draws the traffic: the same seed gives the same records.
    pub traffic_seed: u64,
    /// A burst of SMS from the first subaccount (the main account without
    /// one), 0.05 USD each, to a country the rest of the traffic never
    /// reaches (LV): SMS pumping, a spend spike to detect. It drains the
    /// balance as live traffic does.
    pub pumping: Option<Pumping>,
    /// The window in which the message list takes 20 requests (Plivo's is
    /// a minute; a test may shorten it).
    pub message_window: std::time::Duration,
    /// Top the balance up as Plivo's auto-recharge would.
    pub recharge: Option<Recharge>,
    /// Faults to answer with, one per request in order, before serving
    /// normally again: for showing (and testing) how clients recover.
    pub faults: Vec<Fault>,
    /// How long every answer on the account's path is held back.
    pub latency: std::time::Duration,
    /// The share of requests (0 to 1) answered 503 at random, after the
    /// scripted faults.
    pub fail_rate: f64,
    /// The account it starts with; its `auth_id` and `resource_uri` are set
    /// to match `auth_id`.
    pub account: Account,
    /// How many subaccounts it starts with (made up: names, dates a day
    /// apart, every third disabled).
    pub subaccounts: u32,
    /// How the lists (subaccounts, calls, messages, numbers) misbehave,
    /// for testing clients that page.
    pub list_fault: ListFault,
    /// A fault's `Retry-After` is sent as the HTTP date it stands for
    /// rather than in seconds (servers may send either).
    pub retry_after_as_date: bool,
}

/// When a pumping burst ([`Options::pumping`]) starts, its pace, and how
/// long it goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pumping {
    /// How long after the start it begins.
    pub after: std::time::Duration,
    /// An SMS this often.
    pub every: std::time::Duration,
    /// How long it goes on; `None`: until the balance runs out (for ever
    /// with auto-recharge).
    pub lasting: Option<std::time::Duration>,
}

impl Pumping {
    /// `sandbox --pumping`'s burst: from `after` on, two SMS a second,
    /// until the balance runs out.
    pub fn starting(after: std::time::Duration) -> Self {
        Self {
            after,
            every: std::time::Duration::from_millis(500),
            lasting: None,
        }
    }
}

/// A way a server's list pages can break their own promises.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ListFault {
    /// Pages as Plivo's.
    #[default]
    None,
    /// Every page is the first one again (offset 0, its `next` the second
    /// page), counting a million.
    RepeatNext,
    /// Every page holds the first page's objects again, at the offset asked
    /// for and with a `next`, counting a million.
    SameObjects,
    /// `total_count` is this, whatever the list holds.
    Total(u32),
    /// Pages from this offset on come back empty, while `next` and the
    /// count still promise more.
    EmptyFrom(u32),
    /// The call and message lists answer a `subaccount` filter with 400,
    /// as Plivo does for a subaccount that is not (or no longer) the
    /// account's.
    RefuseSubaccount,
}

impl Default for Options {
    /// The demo account on `127.0.0.1:0` with a fresh random token and no drain.
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            auth_id: DEFAULT_AUTH_ID.to_owned(),
            auth_token: random_token().into(),
            drain_per_min: Decimal::ZERO,
            traffic_days: 0,
            traffic_scale: 1,
            traffic_seed: 2025,
            pumping: None,
            message_window: std::time::Duration::from_secs(60),
            recharge: None,
            faults: Vec::new(),
            latency: std::time::Duration::ZERO,
            fail_rate: 0.0,
            account: demo_account(),
            subaccounts: 0,
            list_fault: ListFault::None,
            retry_after_as_date: false,
        }
    }
}

/// Auto-recharge: whenever the balance falls below `below`, `amount` is added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recharge {
    /// The balance that triggers a top-up.
    pub below: Decimal,
    /// How much each top-up adds.
    pub amount: Decimal,
}

/// One scripted failure, or ([`Fault::PASS`]) a request let through, to
/// script a later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// The HTTP status to answer with (0: none, answered as usual).
    pub status: u16,
    /// A `Retry-After` header, in seconds.
    pub retry_after: Option<u64>,
}

impl Fault {
    /// No failure: the request is answered as usual.
    pub const PASS: Self = Self {
        status: 0,
        retry_after: None,
    };

    /// A plain failure with `status`.
    pub fn status(status: u16) -> Self {
        Self {
            status,
            retry_after: None,
        }
    }
}

impl std::str::FromStr for Fault {
    type Err = String;

    /// `503`, or `429:7` for a status with a `Retry-After` of 7 seconds.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not a fault: write a status such as 503, or 429:7");
        let (status, retry_after) = match s.trim().split_once(':') {
            Some((status, after)) => (status, Some(after.parse().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let status: u16 = status.parse().map_err(|_| bad())?;
        if !(400..=599).contains(&status) {
            return Err(bad());
        }
        Ok(Self {
            status,
            retry_after,
        })
    }
}

/// A token shaped like Plivo's: 40 letters and digits.
pub(crate) fn random_token() -> String {
    std::iter::repeat_with(fastrand::alphanumeric)
        .take(40)
        .collect()
}

/// A running sandbox. Dropping it stops the server.
#[derive(Debug)]
pub struct Handle {
    /// `http://127.0.0.1:PORT`, to use as the API URL.
    pub base_url: String,
    /// The account id it answers to.
    pub auth_id: String,
    /// The token it accepts.
    pub auth_token: SecretString,
    state: Shared,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Handle {
    /// The account as the sandbox holds it now.
    pub fn account(&self) -> Account {
        self.state.snapshot()
    }

    /// How many requests have reached the account's paths, faults included.
    pub fn requests(&self) -> usize {
        self.state.with(|l| l.requests)
    }

    /// How many of them were for the account itself (`/v1/Account/{id}/`,
    /// a monitor's polls and saves), not its lists.
    pub fn account_requests(&self) -> usize {
        self.state.with(|l| l.account_requests)
    }

    /// The subaccounts as the sandbox holds them now, newest first: (id,
    /// name, enabled).
    pub fn subaccounts(&self) -> Vec<(String, String, bool)> {
        self.state.with(|l| {
            l.subaccounts
                .iter()
                .map(|r| (r.auth_id.clone(), r.name.clone(), r.enabled))
                .collect()
        })
    }

    /// What the calls (`calls`) or the messages with their time in `from`
    /// (included) to `to` (excluded) add up to, as the lists serve them
    /// now: how many, and what they cost. A client that read them all must
    /// find the same.
    pub fn served(
        &self,
        calls: bool,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> (u64, Decimal) {
        let kind = if calls {
            traffic::Kind::Call
        } else {
            traffic::Kind::Message
        };
        self.served_by(&[kind], from, to, |_, _| ())
            .remove(&())
            .unwrap_or_default()
    }

    /// What the calls and messages with their time in `from` (included)
    /// to `to` (excluded) add up to by product (`voice-outbound`,
    /// `mms-inbound`, …), as the lists serve them now.
    pub fn served_by_product(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> BTreeMap<String, (u64, Decimal)> {
        self.served_by(&traffic::KINDS, from, to, |r, _| {
            r.medium.product(r.inbound)
        })
    }

    /// What the calls and messages with their time in `from` (included)
    /// to `to` (excluded) add up to by the far end's country (ISO 3166
    /// alpha-2), as the lists serve them now.
    pub fn served_by_country(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> BTreeMap<String, (u64, Decimal)> {
        self.served_by(&traffic::KINDS, from, to, |r, _| {
            traffic::COUNTRIES[usize::from(r.country)].iso2.to_owned()
        })
    }

    /// What the calls and messages with their time in `from` (included)
    /// to `to` (excluded) add up to by whose they are as far as Plivo can
    /// tell, and whether they went through one of the account's rented
    /// numbers: a subaccount's (its id), the main account's through one of
    /// its rented numbers (its auth id), or `None`, the main account's
    /// through no rented number, which no list says is its own.
    pub fn served_by_owner(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> BTreeMap<(Option<String>, bool), (u64, Decimal)> {
        let auth_id = self.auth_id.clone();
        self.served_by(&traffic::KINDS, from, to, |r, t| {
            let ours = if r.inbound { r.to } else { r.from };
            let rented = t.numbers.iter().any(|n| n.number == ours);
            let owner = match r.owner {
                0 => rented.then(|| auth_id.clone()),
                owner => t.owners.get(usize::from(owner - 1)).cloned(),
            };
            (owner, rented)
        })
    }

    fn served_by<K: Ord>(
        &self,
        kinds: &[traffic::Kind],
        from: jiff::Timestamp,
        to: jiff::Timestamp,
        key: impl Fn(&traffic::Rec, &traffic::Traffic) -> K,
    ) -> BTreeMap<K, (u64, Decimal)> {
        self.state.with(|l| {
            l.catch_up(Instant::now());
            let (from, to) = (from.as_millisecond(), to.as_millisecond());
            let mut sums = BTreeMap::new();
            for kind in kinds {
                for r in l.traffic.list(*kind) {
                    if (from..to).contains(&r.at_ms) {
                        let (n, sum) = sums.entry(key(r, &l.traffic)).or_insert((0, Decimal::ZERO));
                        *n += 1;
                        *sum += r.amount();
                    }
                }
            }
            sums
        })
    }

    /// The balance over the seeded days, a point every `every`, oldest
    /// first, ending at the starting balance: worked back from it through
    /// what each seeded record cost and, with auto-recharge, the top-ups
    /// that kept it above the trigger (one undone whenever the balance
    /// worked back would stand a whole top-up above it). What a monitor
    /// would have drawn had it watched those days.
    pub fn balance_history(&self, every: std::time::Duration) -> Vec<(jiff::Timestamp, Decimal)> {
        let every = i64::try_from(every.as_millis()).unwrap_or(i64::MAX).max(1);
        self.state.with(|l| {
            let start = l.traffic.wall(l.traffic.start());
            let mut spent: Vec<(i64, Decimal)> = traffic::KINDS
                .iter()
                .flat_map(|kind| l.traffic.list(*kind))
                .filter(|r| r.at_ms < start.as_millisecond())
                .map(|r| (r.at_ms, r.amount()))
                .collect();
            spent.sort_unstable_by_key(|(at, _)| std::cmp::Reverse(*at));
            let Some(oldest) = spent.last().map(|(at, _)| *at) else {
                return Vec::new();
            };
            let mut balance = l.account.cash_credits;
            let mut at = start.as_millisecond();
            let mut points = vec![(start, balance)];
            let mut records = spent.into_iter().peekable();
            while at > oldest {
                at -= every;
                while let Some((_, amount)) = records.next_if(|(t, _)| *t >= at) {
                    balance += amount;
                    if let Some(r) = l.recharge.filter(|r| r.amount > Decimal::ZERO) {
                        while balance >= r.below + r.amount {
                            balance -= r.amount;
                        }
                    }
                }
                if let Ok(t) = jiff::Timestamp::from_millisecond(at) {
                    points.push((t, balance));
                }
            }
            points.reverse();
            points
        })
    }

    /// Answers the next requests with these faults, in order, after any
    /// still queued: an outage or a rate limit that starts now.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.with(|l| l.faults.extend(faults));
    }

    /// Stops the server and waits until it has closed its socket.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        self.stop();
        match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }

    /// Serves until the process is killed or the server fails.
    pub(crate) async fn serve_forever(mut self) -> std::io::Result<()> {
        match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }

    fn stop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts a sandbox on the current tokio runtime.
pub async fn spawn(options: Options) -> std::io::Result<Handle> {
    let listener = crate::listen::bind(options.listen).await?;
    let addr = listener.local_addr()?;
    let mut account = options.account;
    account.auth_id.clone_from(&options.auth_id);
    account.resource_uri = format!("/v1/Account/{}/", options.auth_id);
    let since = Instant::now();
    let subaccounts = subaccounts::seed(options.subaccounts, today());
    let mut traffic = traffic::Traffic::new(
        subaccounts.iter().map(|s| s.auth_id.clone()).collect(),
        options.traffic_days,
        options.traffic_scale,
        options.traffic_seed,
        options.drain_per_min,
        since,
        jiff::Timestamp::now(),
    );
    if let Some(pumping) = options.pumping {
        traffic.pump(pumping);
    }
    let state = Shared(Arc::new(Mutex::new(Ledger {
        account,
        drain_per_min: options.drain_per_min,
        recharge: options.recharge,
        faults: options.faults.into(),
        requests: 0,
        account_requests: 0,
        subaccounts,
        list_fault: options.list_fault,
        traffic,
        message_requests: Default::default(),
        message_window: options.message_window,
    })));
    let app = routes::router(routes::Context {
        state: state.clone(),
        auth_id: options.auth_id.clone(),
        auth_token: options.auth_token.clone(),
        latency: options.latency,
        fail_rate: options.fail_rate.clamp(0.0, 1.0),
        retry_after_as_date: options.retry_after_as_date,
    });
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = rx.await;
            })
            .await
    });
    Ok(Handle {
        base_url: format!("http://{addr}"),
        auth_id: options.auth_id,
        auth_token: options.auth_token,
        state,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// The account and how its balance moves, behind one short-held lock.
#[derive(Debug, Clone)]
struct Shared(Arc<Mutex<Ledger>>);

#[derive(Debug)]
struct Ledger {
    account: Account,
    drain_per_min: Decimal,
    recharge: Option<Recharge>,
    faults: std::collections::VecDeque<Fault>,
    requests: usize,
    account_requests: usize,
    subaccounts: Vec<subaccounts::Record>,
    list_fault: ListFault,
    traffic: traffic::Traffic,
    /// When the message list was asked, within the last window.
    message_requests: std::collections::VecDeque<Instant>,
    message_window: std::time::Duration,
}

/// Today's date here, for subaccounts' `created` and `modified`.
fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned_datetime(jiff::tz::TimeZone::system())
        .date()
}

impl Shared {
    fn with<R>(&self, f: impl FnOnce(&mut Ledger) -> R) -> R {
        // A handler that panicked mid-update cannot leave the account half
        // written (each update is a set of plain assignments), so a poisoned
        // lock is still safe to use.
        let mut ledger = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut ledger)
    }

    fn snapshot(&self) -> Account {
        self.with(|l| l.view(Instant::now()))
    }
}

impl Ledger {
    /// Makes the live traffic due by `now`, as far as the balance pays for
    /// it (without auto-recharge, the last record takes what is left).
    fn catch_up(&mut self, now: Instant) {
        let start = self.account.cash_credits;
        let topped_up = self.recharge.is_some_and(|r| r.amount > Decimal::ZERO);
        self.traffic
            .catch_up(now, |spent| (!topped_up).then(|| start - spent));
    }

    /// `Some(wait)` when the message list has had its 20 requests in the
    /// last window; else the request is counted.
    fn message_gate(&mut self, now: Instant) -> Option<std::time::Duration> {
        let window = self.message_window;
        while self
            .message_requests
            .front()
            .is_some_and(|&at| now.saturating_duration_since(at) >= window)
        {
            self.message_requests.pop_front();
        }
        if self.message_requests.len() >= records::MESSAGE_REQUESTS {
            let oldest = self.message_requests.front().copied().unwrap_or(now);
            return Some((oldest + window).saturating_duration_since(now));
        }
        self.message_requests.push_back(now);
        None
    }

    /// The account as seen at `now`: the balance is the starting one less
    /// what the live traffic's records cost (the drain's and a pumping
    /// burst's alike), made on demand so an idle sandbox costs nothing,
    /// and exact.
    fn view(&mut self, now: Instant) -> Account {
        self.catch_up(now);
        let mut account = self.account.clone();
        if self.drain_per_min.is_zero() && self.traffic.spent().is_zero() {
            return account;
        }
        let mut credits = account.cash_credits - self.traffic.spent();
        match self.recharge {
            // As many top-ups as it took to stay above the trigger.
            Some(r) if credits < r.below && r.amount > Decimal::ZERO => {
                credits += ((r.below - credits) / r.amount).ceil() * r.amount;
            }
            _ => credits = credits.max(Decimal::ZERO),
        }
        let scale = account.cash_credits.scale().max(5);
        credits = credits.round_dp(scale);
        credits.rescale(scale);
        account.cash_credits = credits;
        account
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use std::time::Duration;

    fn ledger(drain_per_min: Decimal, start: Instant) -> Ledger {
        Ledger {
            account: demo_account(),
            drain_per_min,
            recharge: None,
            faults: Default::default(),
            requests: 0,
            account_requests: 0,
            subaccounts: Vec::new(),
            list_fault: ListFault::None,
            traffic: traffic::Traffic::new(
                Vec::new(),
                0,
                1,
                1,
                drain_per_min,
                start,
                jiff::Timestamp::now(),
            ),
            message_requests: Default::default(),
            message_window: Duration::from_secs(60),
        }
    }

    #[test]
    fn auto_recharge_tops_up_below_the_trigger() {
        let start = Instant::now();
        let mut l = ledger(Decimal::ONE, start);
        l.recharge = Some(Recharge {
            below: Decimal::ONE,
            amount: Decimal::TWO,
        });
        let opening = l.account.cash_credits;
        for secs in [30, 60, 90, 300] {
            let credits = l.view(start + Duration::from_secs(secs)).cash_credits;
            let spent = l.traffic.spent();
            assert!(
                credits >= Decimal::ONE,
                "topped up above the trigger: {credits}"
            );
            let top_ups = credits - (opening - spent);
            assert_eq!(top_ups % Decimal::TWO, Decimal::ZERO, "whole top-ups of 2");
            if secs == 300 {
                assert!(spent > opening, "spent {spent}: more than it started with");
            }
        }
    }

    #[test]
    fn the_balance_drains_by_what_the_records_cost_and_stops_at_zero() {
        let start = Instant::now();
        let mut l = ledger(Decimal::new(6, 2), start);
        assert_eq!(l.view(start).cash_credits.to_string(), "1.80900");
        let half_minute = l.view(start + Duration::from_secs(30)).cash_credits;
        let spent: Decimal = l
            .traffic
            .calls
            .iter()
            .chain(&l.traffic.messages)
            .map(|r| r.amount())
            .sum();
        assert_eq!(
            half_minute,
            dec!(1.80900) - spent,
            "exactly what the records cost"
        );
        assert!(spent <= dec!(0.03), "no faster than the drain: {spent}");
        let much_later = l.view(start + Duration::from_secs(3600)).cash_credits;
        assert_eq!(much_later.to_string(), "0.00000");
    }

    #[test]
    fn without_drain_the_balance_stands_still() {
        let start = Instant::now();
        let mut l = ledger(Decimal::ZERO, start);
        let later = l.view(start + Duration::from_secs(86_400));
        assert_eq!(later.cash_credits.to_string(), "1.80900");
        assert!(l.traffic.calls.is_empty() && l.traffic.messages.is_empty());
    }
}
