//! The sync: the account's calls and messages read into the store, page by
//! page, each page stored with its list's position in one transaction, so a
//! sync killed at any moment resumes where it stopped and no record is lost
//! or counted twice (records are keyed by uuid). Which windows are read is
//! [`plan`]'s (pure); this module asks for them.
//!
//! Each run first reads the rented numbers (stored, and used to attribute
//! every record to the subaccount whose number it went through, see
//! [`super::attribute`]) and then, per list, the windows the plan gives.
//! Pages are asked for one at a time, each a whole gap after the one
//! before: the message list's 20 a minute, the account's budget for calls.
//! A `Retry-After` is waited out when it is short ([`Client::record_page`]);
//! a longer one ends the sync, its position kept for the next run.
//!
//! Not yet: reading each subaccount's lists with the `subaccount` filter
//! for what the numbers do not attribute; such records are stored
//! unattributed, said as such.

pub mod plan;

use std::time::Duration;

use jiff::Timestamp;
use tokio::time::Instant;

use self::plan::{Depth, Seen, Window};
use super::attribute::{self, Attribution, Countries, Numbers, Owner, Route, Source};
use crate::plivo::{
    ApiError, Call, CallQuery, Client, MESSAGE_PACE, Message, MessageQuery, Number, NumberQuery,
    PAGE_GAP, PAGE_LIMIT, Record, RecordQuery, TimeRange,
};
use crate::store::{self, Kind, Store, StoreError, SyncPosition, UsageRecord};

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
}

impl Default for Options {
    fn default() -> Self {
        Self {
            depth: Depth::MonthToDate,
            call_gap: PAGE_GAP,
            message_gap: MESSAGE_PACE.gap,
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
}

/// What a sync tells as it goes.
#[derive(Debug, Clone, Copy)]
pub enum Progress<'a> {
    /// The rented numbers were read.
    Numbers {
        /// How many.
        count: usize,
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
}

/// Where a sync keeps what it reads: the [`Store`] itself, for a command
/// with nothing else to do meanwhile, or one whose every write runs off the
/// runtime's thread (a dashboard's, whose polls must not wait on the disk).
pub trait Sink: Send {
    /// The list's stored position.
    fn position(
        &mut self,
        auth_id: &str,
        kind: Kind,
    ) -> impl Future<Output = Result<SyncPosition, StoreError>> + Send;
    /// The rented numbers, as a whole list read them.
    fn put_numbers(
        &mut self,
        auth_id: &str,
        numbers: Vec<store::Number>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A page's records with the list's position after it, in one
    /// transaction.
    fn insert_page(
        &mut self,
        auth_id: &str,
        kind: Kind,
        records: Vec<UsageRecord>,
        position: SyncPosition,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl Sink for Store {
    async fn position(&mut self, auth_id: &str, kind: Kind) -> Result<SyncPosition, StoreError> {
        Store::position(self, auth_id, kind)
    }

    async fn put_numbers(
        &mut self,
        auth_id: &str,
        numbers: Vec<store::Number>,
    ) -> Result<(), StoreError> {
        Store::put_numbers(self, auth_id, &numbers)
    }

    async fn insert_page(
        &mut self,
        auth_id: &str,
        kind: Kind,
        records: Vec<UsageRecord>,
        position: SyncPosition,
    ) -> Result<(), StoreError> {
        Store::insert_page(self, auth_id, kind, &records, &position).map(|_| ())
    }
}

/// A call or a message, as the sync reads and stores it.
trait Usage: Record {
    const KIND: Kind;
    /// The time the list's time filter reads.
    fn at(&self) -> Timestamp;
    fn query(window: &Window) -> Self::Query;
    fn uuid(&self) -> &str;
    /// The country its spend belongs to.
    fn country(&self, countries: &mut Countries) -> Option<attribute::Country>;
    /// Its direction and numbers.
    fn route(&self) -> Route<'_>;
    fn amount(&self) -> rust_decimal::Decimal;
}

fn records_in(window: &Window) -> RecordQuery {
    RecordQuery {
        time: TimeRange::between(window.from, window.to),
        limit: PAGE_LIMIT,
        ..RecordQuery::default()
    }
}

impl Usage for Call {
    const KIND: Kind = Kind::Call;
    fn at(&self) -> Timestamp {
        self.end_time
    }
    fn query(window: &Window) -> CallQuery {
        CallQuery(records_in(window))
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
}

impl Usage for Message {
    const KIND: Kind = Kind::Message;
    fn at(&self) -> Timestamp {
        self.message_time
    }
    fn query(window: &Window) -> MessageQuery {
        MessageQuery(records_in(window))
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
    auth_id: &str,
) -> UsageRecord {
    let route = record.route();
    let attribution = numbers.attribute(route, &Source::Account);
    UsageRecord {
        uuid: record.uuid().to_owned(),
        at: record.at(),
        direction: route.direction.as_str().to_owned(),
        from: route.from_number.to_owned(),
        to: route.to_number.to_owned(),
        country: record.country(countries).map(|c| c.to_string()),
        subaccount: owner_id(&attribution, auth_id),
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
/// calls, then messages, as of `now`. `progress` hears of each step.
pub async fn sync(
    client: &Client,
    store: &mut impl Sink,
    options: &Options,
    now: Timestamp,
    mut progress: impl FnMut(Progress<'_>),
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
        store.put_numbers(&auth_id, rows).await?;
    }
    progress(Progress::Numbers {
        count: listed.objects.len(),
    });
    let start = plan::start(now, options.depth);
    // Both lists at once: the message list's pace is its own, so calls
    // read while it waits cost no time. Their pages share the account's
    // pace, and are stored one at a time (no await while the store is held).
    let account = Pacer::new(options.call_gap);
    let store = tokio::sync::Mutex::new(store);
    let progress = std::sync::Mutex::new(&mut progress);
    let shared = Shared {
        client,
        store: &store,
        numbers: &numbers,
        account: &account,
        progress: &progress,
        start,
        now,
    };
    let (calls, messages) = tokio::try_join!(
        list::<Call, _, _>(&shared, None),
        list::<Message, _, _>(&shared, Some(options.message_gap)),
    )?;
    Ok(Report {
        numbers: listed.objects.len(),
        numbers_disagreement: listed.disagreement.map(|d| d.to_string()),
        lists: vec![calls, messages],
    })
}

/// The account's pace, shared by the lists read at once: each page
/// request takes the next free slot, `gap` after the one before it.
struct Pacer {
    gap: Duration,
    next: std::sync::Mutex<Option<Instant>>,
}

impl Pacer {
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

/// What the lists read at once share. The store takes one page at a time
/// (a page and its position are one transaction), so it is behind a lock
/// held across its write.
struct Shared<'a, S, P> {
    client: &'a Client,
    store: &'a tokio::sync::Mutex<&'a mut S>,
    numbers: &'a Numbers,
    account: &'a Pacer,
    progress: &'a std::sync::Mutex<P>,
    start: Timestamp,
    now: Timestamp,
}

/// One list's windows, as planned from its stored position; `own_gap` is
/// the least time between two of its pages where the list has a limit of
/// its own.
async fn list<R: Usage, S: Sink, P: FnMut(Progress<'_>)>(
    shared: &Shared<'_, S, &mut P>,
    own_gap: Option<Duration>,
) -> Result<Synced, SyncError> {
    let Shared {
        client,
        store,
        numbers,
        account,
        progress,
        start,
        now,
    } = shared;
    let (start, now) = (*start, *now);
    let auth_id = client.auth_id().to_string();
    let mut synced = Synced {
        kind: R::KIND,
        records: 0,
        pages: 0,
        position: store.lock().await.position(&auth_id, R::KIND).await?,
        disagreement: None,
    };
    let mut last_ask: Option<Instant> = None;
    let mut countries = Countries::default();
    for window in plan::plan(&synced.position, start, now) {
        let query = R::query(&window);
        let mut offset: u32 = 0;
        let mut seen: Option<Seen> = None;
        let mut previous: Vec<String> = Vec::new();
        let mut pages: u32 = 0;
        loop {
            if let (Some(last), Some(gap)) = (last_ask, own_gap) {
                tokio::time::sleep_until(last + gap).await;
            }
            account.wait().await;
            last_ask = Some(Instant::now());
            let page = client.record_page::<R>(&query, offset).await?;
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
                .map(|r| stored(r, numbers, &mut countries, &auth_id))
                .collect();
            let count = records.len();
            store
                .lock()
                .await
                .insert_page(&auth_id, R::KIND, records, position)
                .await?;
            synced.position = position;
            synced.records += u64::from(read);
            (progress
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner))(Progress::Page {
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
