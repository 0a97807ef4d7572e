//! The sync: the account's calls and messages read into the store, page by
//! page, each page stored with its list's position in one transaction, so a
//! sync killed at any moment resumes where it stopped and no record is lost
//! or counted twice (records are keyed by uuid). Which windows are read is
//! [`plan`]'s (pure); this module asks for them.
//!
//! Each run first reads the rented numbers (stored, and used to attribute
//! every record to the subaccount whose number it went through, see
//! [`super::attribute`]) and then, per list, the windows the plan gives.
//! The calls and the messages are read at once, each list a page at a time
//! and each page a whole gap after the one before (the message list's 20 a
//! minute), their pages together at the account's pace; the pages are
//! stored one at a time.
//! A `Retry-After` is waited out when it is short ([`Client::record_page`]);
//! a longer one up to [`Options::long_wait`] in all (said to the progress),
//! and past that ends the sync, its position kept for the next run.
//!
//! What the numbers do not attribute is then asked of each subaccount's
//! list, with the `subaccount` filter, over the span those records lie in
//! only, at the list's own pace (so the message list's 20 a minute holds
//! across both readings). What no subaccount's list holds stays
//! unattributed, said as such, and is not asked about again.

pub mod plan;

use std::sync::Arc;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use tokio::time::Instant;

use self::plan::{Depth, Seen, Window};
use super::attribute::{self, Attribution, Basis, Countries, Numbers, Owner, Route, Source};
use crate::plivo::{
    ApiError, Call, CallQuery, Client, ErrorClass, MESSAGE_PACE, Message, MessageQuery, Number,
    NumberQuery, PAGE_GAP, PAGE_LIMIT, Record, RecordPage, RecordQuery, TimeRange,
};
use crate::store::{self, Decided, Kind, Store, StoreError, SyncPosition, UsageRecord};

/// The most pages one window is read in: a million records. A server that
/// keeps promising more is stopped there, and the sync says so.
const WINDOW_PAGES: u32 = 50_000;

/// How a sync runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How deep a list never synced is back-filled.
    pub depth: Depth,
    /// The least time between the starts of two call pages.
    pub call_gap: Duration,
    /// The least time between the starts of two message pages: Plivo
    /// allows 20 a minute. Only a sandbox whose limit is scaled down
    /// (tests, benchmarks) wants less.
    pub message_gap: Duration,
    /// The longest a page waits, in all, for `Retry-After`s longer than the
    /// client waits out by itself (30 s): a sync run by hand
    /// ([`LONG_WAIT`]) would rather wait than stop; zero (the default, a
    /// sync on a schedule) ends the sync at once, to run again later.
    pub long_wait: Duration,
}

/// How long `usage` and `usage sync` wait out a long `Retry-After`, in all,
/// for one page: past it the sync stops, what was read kept.
pub const LONG_WAIT: Duration = Duration::from_secs(300);

impl Default for Options {
    fn default() -> Self {
        Self {
            depth: Depth::MonthAhead,
            call_gap: PAGE_GAP,
            message_gap: MESSAGE_PACE.gap,
            long_wait: Duration::ZERO,
        }
    }
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// A request failed (after its retries).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The store could not be written or read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Plivo asked to wait longer than the sync waits; what was read is
    /// kept, and the next sync goes on from there.
    #[error(
        "rate limited (429): Plivo asks to wait {} s before the next page of the {} list, longer \
         than the sync waits ({} s in all); what was read is kept, run it again later",
        .wait.as_secs(), .kind.as_str(), .cap.as_secs()
    )]
    TooLong {
        /// The list.
        kind: Kind,
        /// The wait asked for.
        wait: Duration,
        /// [`Options::long_wait`].
        cap: Duration,
    },
}

/// What a sync tells as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The rented numbers were read.
    Numbers {
        /// How many.
        count: usize,
    },
    /// A page of one subaccount's list was read and its records claimed.
    Claimed {
        /// Its list.
        kind: Kind,
        /// The subaccount.
        subaccount: &'a str,
        /// How many records it held.
        records: usize,
    },
    /// Plivo asked to wait longer than the client waits by itself, and
    /// the sync waits it out ([`Options::long_wait`]).
    Waiting {
        /// The list.
        kind: Kind,
        /// How long.
        wait: Duration,
    },
    /// A page was stored.
    Page {
        /// Its list.
        kind: Kind,
        /// The window it belongs to.
        window: &'a Window,
        /// How many records it held.
        records: usize,
        /// The list's position stored with it.
        position: &'a SyncPosition,
    },
}

/// What a sync did to one list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Synced {
    /// The list.
    pub kind: Kind,
    /// Records read (a record read again counts again; it is stored once).
    pub records: u64,
    /// Pages asked for.
    pub pages: u32,
    /// Where the list stands now.
    pub position: SyncPosition,
    /// The server's pages disagreed with themselves: the list was read up
    /// to there, and the next sync reads on from there.
    pub disagreement: Option<String>,
    /// Records read from the subaccounts' lists (their pages are counted
    /// in `pages`).
    pub claimed: u64,
    /// Why the subaccounts' lists were not all read to their end, so the
    /// records they did not claim are asked about again next time.
    pub unasked: Option<String>,
}

/// What a whole sync did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The rented numbers read.
    pub numbers: usize,
    /// The Number list disagreed with itself: the numbers stored were kept.
    pub numbers_disagreement: Option<String>,
    /// Calls, then messages.
    pub lists: Vec<Synced>,
    /// The subaccounts asked for the records their numbers did not
    /// attribute; `None` when no record needed it (the list not read).
    pub subaccounts: Option<usize>,
}

/// Where a sync keeps what it reads: the [`Store`] itself, for a command
/// with nothing else to do meanwhile, or one whose every write runs off the
/// runtime's thread (a dashboard's, whose polls must not wait on the disk).
pub trait Sink: Send {
    /// `op` on the store, where this sink runs it.
    fn with<T: Send + 'static>(
        &mut self,
        op: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> impl Future<Output = Result<T, StoreError>> + Send;
}

impl Sink for Store {
    async fn with<T: Send + 'static>(
        &mut self,
        op: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        op(self)
    }
}

/// A call or a message, as the sync reads and stores it.
trait Usage: Record {
    const KIND: Kind;
    /// The time the list's time filter reads.
    fn at(&self) -> Timestamp;
    /// The query of the records from `from` (included) to `to` (excluded),
    /// of one subaccount's only when given.
    fn query(from: Timestamp, to: Timestamp, subaccount: Option<&str>) -> Self::Query;
    fn uuid(&self) -> &str;
    /// The country its spend belongs to.
    fn country(&self, countries: &mut Countries) -> Option<attribute::Country>;
    /// Its direction and numbers.
    fn route(&self) -> Route<'_>;
    fn amount(&self) -> rust_decimal::Decimal;
    /// A message's type; `None` for a call.
    fn message_type(&self) -> Option<&str>;
}

fn records_in(from: Timestamp, to: Timestamp, subaccount: Option<&str>) -> RecordQuery {
    RecordQuery {
        subaccount: subaccount.map(str::to_owned),
        time: TimeRange::between(from, to),
        limit: PAGE_LIMIT,
        ..RecordQuery::default()
    }
}

impl Usage for Call {
    const KIND: Kind = Kind::Call;
    fn at(&self) -> Timestamp {
        self.end_time
    }
    fn query(from: Timestamp, to: Timestamp, subaccount: Option<&str>) -> CallQuery {
        CallQuery(records_in(from, to, subaccount))
    }
    fn uuid(&self) -> &str {
        self.call_uuid.as_str()
    }
    fn country(&self, countries: &mut Countries) -> Option<attribute::Country> {
        countries.of_call(self)
    }
    fn route(&self) -> Route<'_> {
        Route::from(self)
    }
    fn amount(&self) -> rust_decimal::Decimal {
        self.total_amount
    }
    fn message_type(&self) -> Option<&str> {
        None
    }
}

impl Usage for Message {
    const KIND: Kind = Kind::Message;
    fn at(&self) -> Timestamp {
        self.message_time
    }
    fn query(from: Timestamp, to: Timestamp, subaccount: Option<&str>) -> MessageQuery {
        MessageQuery(records_in(from, to, subaccount))
    }
    fn uuid(&self) -> &str {
        self.message_uuid.as_str()
    }
    fn country(&self, countries: &mut Countries) -> Option<attribute::Country> {
        countries.of_message(self)
    }
    fn route(&self) -> Route<'_> {
        Route::from(self)
    }
    fn amount(&self) -> rust_decimal::Decimal {
        self.total_amount
    }
    fn message_type(&self) -> Option<&str> {
        Some(self.message_type.as_str())
    }
}

/// The owner as the store keeps it: a subaccount's id, the account's own
/// auth id for the main account, none when nothing said whose it is (so
/// "unattributed" is never folded into the main account).
fn owner_id(attribution: &Attribution, auth_id: &str) -> Option<String> {
    match attribution.owner()? {
        Owner::Main => Some(auth_id.to_owned()),
        Owner::Subaccount(id) => Some(id.to_string()),
    }
}

fn stored<R: Usage>(
    record: &R,
    numbers: &Numbers,
    countries: &mut Countries,
    source: &Source,
    auth_id: &str,
) -> UsageRecord {
    let route = record.route();
    let attribution = numbers.attribute(route, source);
    UsageRecord {
        uuid: record.uuid().to_owned(),
        at: record.at(),
        direction: route.direction.as_str().to_owned(),
        from: route.from_number.to_owned(),
        to: route.to_number.to_owned(),
        country: record.country(countries).map(|c| c.to_string()),
        message_type: record.message_type().map(str::to_owned),
        subaccount: owner_id(&attribution, auth_id),
        decided: attribution.basis().map(|basis| match basis {
            Basis::ByNumber => Decided::Number,
            Basis::ByQuery => Decided::Query,
        }),
        amount: record.amount(),
    }
}

/// A rented number as the store keeps it.
fn stored_number(number: &Number) -> store::Number {
    store::Number {
        number: number.number.as_str().to_owned(),
        monthly_rental_rate: number.monthly_rental_rate,
        sub_account: number
            .sub_account
            .as_ref()
            .map(|s| s.as_str().trim().to_owned())
            .filter(|s| !s.is_empty()),
        renewal_date: number.renewal_date.map(|d| d.to_string()),
        number_type: number.number_type.as_str().to_owned(),
        country: attribute::number_country(number.number.as_str()).map(|c| c.to_string()),
    }
}

/// Syncs the account `client` reads into `store`: the rented numbers, then
/// calls and messages at once, as of `now`. `progress` hears of each step.
pub async fn sync<S: Sink, P: FnMut(Progress<'_>) + Send>(
    client: &Client,
    store: &mut S,
    options: &Options,
    now: Timestamp,
    mut progress: P,
) -> Result<Report, SyncError> {
    let auth_id = client.auth_id().to_string();
    let listed = client
        .all_records::<Number>(&NumberQuery::default(), |_| {})
        .await?;
    let numbers: Numbers = listed.objects.iter().collect();
    // A Number list cut short would drop numbers still rented: the ones
    // stored stay until a whole list says otherwise.
    if listed.disagreement.is_none() {
        let rows: Vec<store::Number> = listed.objects.iter().map(stored_number).collect();
        let owner = auth_id.clone();
        store
            .with(move |store| store.put_numbers(&owner, &rows))
            .await?;
    }
    progress(Progress::Numbers {
        count: listed.objects.len(),
    });
    let subaccounts = tokio::sync::Mutex::new(Subaccounts::default());
    let shared = Shared {
        client,
        auth_id: &auth_id,
        store: &tokio::sync::Mutex::new(store),
        numbers: &numbers,
        account: &Account::new(options.call_gap),
        progress: &std::sync::Mutex::new(&mut progress),
        subaccounts: &subaccounts,
        start: plan::start(now, options.depth),
        now,
        long_wait: options.long_wait,
    };
    // Both lists at once: the message list's pace is its own, so calls
    // read while it waits cost no time.
    let (calls, messages) = tokio::try_join!(
        read::<Call, _, _>(&shared, None),
        read::<Message, _, _>(&shared, Some(options.message_gap)),
    )?;
    let read_ids = subaccounts
        .lock()
        .await
        .read
        .as_ref()
        .map(|(ids, _)| ids.len());
    Ok(Report {
        numbers: listed.objects.len(),
        numbers_disagreement: listed.disagreement.map(|d| d.to_string()),
        lists: vec![calls, messages],
        subaccounts: read_ids,
    })
}

/// What the lists read at once share. The store takes one write at a time
/// (a page and its position are one transaction), so it is behind a lock
/// held across its write.
struct Shared<'a, S, P> {
    client: &'a Client,
    auth_id: &'a str,
    store: &'a tokio::sync::Mutex<&'a mut S>,
    numbers: &'a Numbers,
    account: &'a Account,
    progress: &'a std::sync::Mutex<P>,
    subaccounts: &'a tokio::sync::Mutex<Subaccounts>,
    start: Timestamp,
    now: Timestamp,
    long_wait: Duration,
}

impl<S, P: FnMut(Progress<'_>)> Shared<'_, S, P> {
    fn say(&self, progress: Progress<'_>) {
        (self
            .progress
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))(progress);
    }
}

/// One list: its windows, then what its numbers did not attribute asked
/// of each subaccount, at the list's own pace (`own_gap`, where the list
/// has a limit of its own) and the account's.
async fn read<R: Usage, S: Sink, P: FnMut(Progress<'_>)>(
    shared: &Shared<'_, S, P>,
    own_gap: Option<Duration>,
) -> Result<Synced, SyncError> {
    let mut pacer = Pacer::new(own_gap);
    let mut synced = list::<R, S, P>(shared, &mut pacer).await?;
    claim::<R, S, P>(shared, &mut pacer, &mut synced).await?;
    Ok(synced)
}

/// One list's windows, as planned from its stored position.
async fn list<R: Usage, S: Sink, P: FnMut(Progress<'_>)>(
    shared: &Shared<'_, S, P>,
    pacer: &mut Pacer,
) -> Result<Synced, SyncError> {
    let Shared {
        auth_id,
        store,
        numbers,
        start,
        now,
        ..
    } = *shared;
    let mut synced = Synced {
        kind: R::KIND,
        records: 0,
        pages: 0,
        position: {
            let owner = auth_id.to_owned();
            store
                .lock()
                .await
                .with(move |store| store.position(&owner, R::KIND))
                .await?
        },
        disagreement: None,
        claimed: 0,
        unasked: None,
    };
    let mut countries = Countries::default();
    for window in plan::plan(&synced.position, start, now) {
        let query = R::query(window.from, window.to, None);
        let mut offset: u32 = 0;
        let mut seen: Option<Seen> = None;
        let mut previous: Vec<String> = Vec::new();
        let mut pages: u32 = 0;
        loop {
            pacer.wait(shared.account).await;
            let page = page::<R, S, P>(shared, &query, offset).await?;
            synced.pages += 1;
            pages += 1;
            let uuids: Vec<String> = page.objects.iter().map(|r| r.uuid().to_owned()).collect();
            if page.meta.offset != offset || (!uuids.is_empty() && uuids == previous) {
                synced.disagreement = Some(format!(
                    "a page at offset {offset} repeated one already read; stopped there"
                ));
                return Ok(synced);
            }
            let read = u32::try_from(page.objects.len()).unwrap_or(u32::MAX);
            let after = offset.saturating_add(read);
            let counted_more = page.meta.total_count.is_some_and(|c| after < c);
            let full = read >= PAGE_LIMIT;
            let more = read > 0 && (page.meta.next.is_some() || (full && counted_more));
            let cut_short = !more && counted_more;
            let ceiling = more && pages >= WINDOW_PAGES;
            if let Some(page_seen) = Seen::of(page.objects.iter().map(Usage::at)) {
                seen = Some(page_seen.join(seen));
            }
            let ended = !more && !cut_short;
            let position = window.after_page(&synced.position, seen, ended, start);
            let records: Vec<UsageRecord> = page
                .objects
                .iter()
                .map(|r| stored(r, numbers, &mut countries, &Source::Account, auth_id))
                .collect();
            let count = records.len();
            let owner = auth_id.to_owned();
            store
                .lock()
                .await
                .with(move |store| store.insert_page(&owner, R::KIND, &records, &position))
                .await?;
            synced.position = position;
            synced.records += u64::from(read);
            shared.say(Progress::Page {
                kind: R::KIND,
                window: &window,
                records: count,
                position: &synced.position,
            });
            if cut_short || ceiling {
                synced.disagreement = Some(if ceiling {
                    format!("stopped after {WINDOW_PAGES} pages of one window")
                } else {
                    format!(
                        "the server counted {} but its pages ended at {after}",
                        page.meta.total_count.unwrap_or(after)
                    )
                });
                return Ok(synced);
            }
            if !more {
                break;
            }
            offset = after;
            previous = uuids;
        }
    }
    Ok(synced)
}

/// The account's pace, shared by the lists read at once: each page request
/// takes the next free slot, `gap` after the one before it.
struct Account {
    gap: Duration,
    next: std::sync::Mutex<Option<Instant>>,
}

impl Account {
    fn new(gap: Duration) -> Self {
        Self {
            gap,
            next: std::sync::Mutex::new(None),
        }
    }

    /// Waits for this request's slot.
    async fn wait(&self) {
        let now = Instant::now();
        let at = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let at = next.map_or(now, |next| next.max(now));
            *next = Some(at + self.gap);
            at
        };
        tokio::time::sleep_until(at).await;
    }
}

/// One list's requests: where the list has a limit of its own, a whole
/// `gap` from the start of one to the start of the next; and each in its
/// turn at the account's pace.
struct Pacer {
    gap: Option<Duration>,
    last: Option<Instant>,
}

impl Pacer {
    fn new(gap: Option<Duration>) -> Self {
        Self { gap, last: None }
    }

    /// Returns when the next request may start.
    async fn wait(&mut self, account: &Account) {
        if let (Some(last), Some(gap)) = (self.last, self.gap) {
            tokio::time::sleep_until(last + gap).await;
        }
        account.wait().await;
        self.last = Some(Instant::now());
    }
}

/// The account's subaccounts, read once a sync needs them.
#[derive(Default)]
struct Subaccounts {
    /// Their ids, and whether the list was read whole.
    read: Option<(Vec<Arc<str>>, bool)>,
}

impl Subaccounts {
    async fn get(&mut self, client: &Client) -> Result<(Vec<Arc<str>>, bool), ApiError> {
        if self.read.is_none() {
            let listed = client.all_subaccounts(|_| {}).await?;
            let ids: Vec<Arc<str>> = listed
                .objects
                .iter()
                .filter_map(|s| usable_id(&s.auth_id))
                .map(Arc::from)
                .collect();
            let whole = listed.disagreement.is_none() && ids.len() == listed.objects.len();
            self.read = Some((ids, whole));
        }
        Ok(self
            .read
            .as_ref()
            .map_or((Vec::new(), false), |(ids, whole)| (ids.clone(), *whole)))
    }
}

/// A subaccount's id as the list gave it, if it is one to ask with: an id
/// is ASCII letters and digits, so anything else (an escape sequence, a
/// stray `&`) is neither sent nor printed, and the list counts as not read
/// whole.
pub(crate) fn usable_id(id: &str) -> Option<&str> {
    let id = id.trim();
    (!id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric())).then_some(id)
}

/// Asks each subaccount's list, with the `subaccount` filter, for the
/// records of `R` that no rented number attributed: a record a subaccount's
/// list holds is that subaccount's, by Plivo's word. Only the span such
/// records lie in (from `start`) is read, in windows the call list accepts,
/// at the list's own pace. When every subaccount's list was read to its
/// end, the records none claimed are marked asked, and stay unattributed
/// without being asked about again; otherwise the next sync asks again.
async fn claim<R: Usage, S: Sink, P: FnMut(Progress<'_>)>(
    shared: &Shared<'_, S, P>,
    pacer: &mut Pacer,
    synced: &mut Synced,
) -> Result<(), SyncError> {
    let Shared {
        client,
        auth_id,
        store,
        numbers,
        start,
        ..
    } = *shared;
    let owner = auth_id.to_owned();
    let unasked = store
        .lock()
        .await
        .with(move |store| store.unasked(&owner, R::KIND, start))
        .await?;
    let Some(unasked) = unasked else {
        return Ok(());
    };
    let (ids, whole) = shared.subaccounts.lock().await.get(client).await?;
    let mut incomplete = (!whole).then(|| "the subaccount list disagreed with itself".to_owned());
    let mut countries = Countries::default();
    // Times are whole seconds: the newest one's second is included.
    let end = unasked.newest + SignedDuration::from_secs(1);
    'subaccounts: for id in &ids {
        let source = Source::Subaccount(Arc::clone(id));
        let mut from = unasked.oldest;
        while from < end {
            let to = (from + plan::WINDOW).min(end);
            let query = R::query(from, to, Some(id));
            let mut offset: u32 = 0;
            let mut previous: Vec<String> = Vec::new();
            for pages in 1.. {
                pacer.wait(shared.account).await;
                let page = match page::<R, S, P>(shared, &query, offset).await {
                    Ok(page) => page,
                    // One subaccount refused (gone since the list was read,
                    // or never the account's to ask): the others are still
                    // asked, and its records are asked about next time.
                    Err(SyncError::Api(e)) if e.class() == ErrorClass::Rejected => {
                        synced.pages += 1;
                        incomplete = Some(format!("{id}'s list was refused: {e}"));
                        continue 'subaccounts;
                    }
                    Err(e) => return Err(e),
                };
                synced.pages += 1;
                let uuids: Vec<String> = page.objects.iter().map(|r| r.uuid().to_owned()).collect();
                if page.meta.offset != offset || (!uuids.is_empty() && uuids == previous) {
                    incomplete = Some(format!(
                        "{id}'s page at offset {offset} repeated one already read"
                    ));
                    break;
                }
                let records: Vec<UsageRecord> = page
                    .objects
                    .iter()
                    .map(|r| stored(r, numbers, &mut countries, &source, auth_id))
                    .collect();
                let read = u32::try_from(records.len()).unwrap_or(u32::MAX);
                let count = records.len();
                let owner = auth_id.to_owned();
                store
                    .lock()
                    .await
                    .with(move |store| store.insert_claimed(&owner, R::KIND, &records))
                    .await?;
                synced.claimed += u64::from(read);
                shared.say(Progress::Claimed {
                    kind: R::KIND,
                    subaccount: id,
                    records: count,
                });
                let after = offset.saturating_add(read);
                let counted_more = page.meta.total_count.is_some_and(|c| after < c);
                let more =
                    read > 0 && (page.meta.next.is_some() || (read >= PAGE_LIMIT && counted_more));
                if !more {
                    if counted_more {
                        incomplete = Some(format!(
                            "{id}'s pages ended at {after} of the {} counted",
                            page.meta.total_count.unwrap_or(after)
                        ));
                    }
                    break;
                }
                if pages >= WINDOW_PAGES {
                    incomplete = Some(format!("stopped after {WINDOW_PAGES} pages of {id}'s"));
                    break;
                }
                offset = after;
                previous = uuids;
            }
            from = to;
        }
    }
    match incomplete {
        None => {
            let owner = auth_id.to_owned();
            store
                .lock()
                .await
                .with(move |store| store.mark_asked(&owner, R::KIND, &unasked))
                .await?;
        }
        Some(why) => synced.unasked = Some(why),
    }
    Ok(())
}

/// One page, as [`Client::record_page`] reads it, a `Retry-After` longer
/// than it waits by itself waited out here while the waits add up to no
/// more than the sync's `long_wait`, each said to the progress.
async fn page<R: Usage, S, P: FnMut(Progress<'_>)>(
    shared: &Shared<'_, S, P>,
    query: &R::Query,
    offset: u32,
) -> Result<RecordPage<R>, SyncError> {
    let long_wait = shared.long_wait;
    let mut waited = Duration::ZERO;
    loop {
        match shared.client.record_page::<R>(query, offset).await {
            Err(ApiError::RateLimited {
                retry_after: Some(wait),
            }) if !long_wait.is_zero() => {
                if waited.saturating_add(wait) > long_wait {
                    return Err(SyncError::TooLong {
                        kind: R::KIND,
                        wait,
                        cap: long_wait,
                    });
                }
                shared.say(Progress::Waiting {
                    kind: R::KIND,
                    wait,
                });
                tokio::time::sleep(wait).await;
                waited += wait;
            }
            answer => return Ok(answer?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::usable_id;

    #[test]
    fn only_letters_and_digits_are_a_subaccount_id_to_ask_with() {
        assert_eq!(
            usable_id(" SAKXD0GL0TLQMI80GNNZ "),
            Some("SAKXD0GL0TLQMI80GNNZ")
        );
        for bad in ["", " ", "SA\u{1b}[2J", "SA1&subaccount=SA2", "SAé", "SA 1"] {
            assert_eq!(usable_id(bad), None, "{bad:?}");
        }
    }
}
