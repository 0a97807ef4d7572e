//! The sync between the sandbox and the store, over real HTTP: what it
//! stores is exactly what the sandbox served over the window, a second run
//! changes no total, a run stopped mid-back-fill resumes to the same totals,
//! windows are never wider than the call list takes, and the limits hold.

use crate::support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use plivo_dash::plivo::{Call, CallQuery, Client, Number, NumberQuery, RecordQuery, TimeRange};
use plivo_dash::sandbox::{Fault, Handle, ListFault, Options};
use plivo_dash::store::{GroupBy, Kind, Store};
use plivo_dash::usage::sync::plan::{Depth, Part, WINDOW, whole_second};
use plivo_dash::usage::sync::{self, Progress, Report};
use rust_decimal::Decimal;
use support::sandbox_and_client;

/// The message list's window in these tests, and a gap that keeps to its
/// 20 requests with room to spare: Plivo's minute and 3 s, scaled down.
const MESSAGE_WINDOW: Duration = Duration::from_millis(400);
const MESSAGE_GAP: Duration = Duration::from_millis(30);

async fn sandbox(days: u32) -> (Handle, Client) {
    sandbox_and_client(Options {
        traffic_days: days,
        subaccounts: 3,
        message_window: MESSAGE_WINDOW,
        ..Options::default()
    })
    .await
}

fn options(days: u32) -> sync::Options {
    sync::Options {
        depth: Depth::Days(days),
        call_gap: Duration::from_millis(1),
        message_gap: MESSAGE_GAP,
        ..sync::Options::default()
    }
}

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a directory");
    let opened = Store::open(&dir.path().join("store.sqlite3"), Timestamp::now()).expect("opens");
    assert_eq!(opened.notice, None);
    (dir, opened.store)
}

/// The store's totals by product (`voice-outbound` … `whatsapp-inbound`)
/// over `from..to`.
fn stored(
    store: &Store,
    auth_id: &str,
    from: Timestamp,
    to: Timestamp,
) -> BTreeMap<String, (u64, Decimal)> {
    store
        .totals(auth_id, from, to, GroupBy::Product)
        .expect("totals")
        .into_iter()
        .map(|t| (t.key.expect("a product"), (t.count, t.amount)))
        .collect()
}

/// What the sandbox served over `from..to`, by product.
fn served(handle: &Handle, from: Timestamp, to: Timestamp) -> BTreeMap<String, (u64, Decimal)> {
    handle.served_by_product(from, to)
}

async fn run(
    client: &Client,
    store: &mut Store,
    options: &sync::Options,
    now: Timestamp,
) -> Report {
    sync::sync(client, store, options, now, |_| {})
        .await
        .expect("a sync")
}

#[tokio::test]
async fn a_first_sync_stores_exactly_what_was_served_and_a_second_changes_no_total() {
    let (handle, client) = sandbox(3).await;
    let (_dir, mut store) = store();
    let now = Timestamp::now();
    let from = sync::plan::start(now, Depth::Days(2));
    let to = whole_second(now);
    let first = run(&client, &mut store, &options(2), now).await;
    let expected = served(&handle, from, to);
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        [
            "mms-inbound",
            "mms-outbound",
            "sms-inbound",
            "sms-outbound",
            "voice-inbound",
            "voice-outbound",
            "whatsapp-inbound",
            "whatsapp-outbound"
        ],
        "the sandbox served all eight products"
    );
    assert_eq!(stored(&store, &handle.auth_id, from, to), expected);
    let records: u64 = expected.values().map(|(n, _)| n).sum();
    assert_eq!(
        store.record_count(&handle.auth_id).expect("a count"),
        records
    );
    assert!(first.numbers > 0);
    assert_eq!(
        store.numbers(&handle.auth_id).expect("numbers").len(),
        first.numbers
    );
    for list in &first.lists {
        assert_eq!(list.disagreement, None, "{list:?}");
        assert!(list.position.backfill_done, "{list:?}");
        assert_eq!(list.position.backfill, Some(from));
        assert!(list.position.newest.is_some_and(|n| n < to));
    }
    // Whose: by the rented numbers, the main account by its own id.
    let owners: Vec<Option<String>> = store
        .totals(&handle.auth_id, from, to, GroupBy::Subaccount)
        .expect("totals")
        .into_iter()
        .map(|t| t.key)
        .collect();
    let subaccounts = subaccount_ids(&handle);
    assert!(owners.contains(&Some(handle.auth_id.clone())), "{owners:?}");
    assert!(
        owners.iter().flatten().any(|o| subaccounts.contains(o)),
        "{owners:?}"
    );
    // Again, a minute later: the margin is read again, nothing changes.
    let second = run(
        &client,
        &mut store,
        &options(2),
        now + SignedDuration::from_secs(60),
    )
    .await;
    assert_eq!(stored(&store, &handle.auth_id, from, to), expected);
    assert_eq!(
        store.record_count(&handle.auth_id).expect("a count"),
        records
    );
    assert!(
        second.lists.iter().all(|l| l.records > 0),
        "the margin was read again"
    );
    assert!(
        second
            .lists
            .iter()
            .all(|l| l.position.backfill == Some(from))
    );
}

#[tokio::test]
async fn a_sixty_day_back_fill_reads_windows_of_thirty_days_at_most() {
    let (handle, client) = sandbox(61).await;
    let (_dir, mut store) = store();
    let now = Timestamp::now();
    let mut windows: HashMap<Kind, BTreeSet<(Timestamp, Timestamp)>> = HashMap::new();
    let report = sync::sync(&client, &mut store, &options(60), now, |p| {
        if let Progress::Page { kind, window, .. } = p {
            assert_eq!(window.part, Part::Backfill);
            windows
                .entry(kind)
                .or_default()
                .insert((window.from, window.to));
        }
    })
    .await
    .expect("a sync: a window over 30 days would be a 400");
    for (kind, windows) in &windows {
        assert!(windows.len() >= 2, "{kind:?}: {windows:?}");
        assert!(
            windows.iter().all(|(from, to)| *to - *from <= WINDOW),
            "{windows:?}"
        );
    }
    assert_eq!(windows.len(), 2, "calls and messages");
    let from = sync::plan::start(now, Depth::Days(60));
    let to = whole_second(now);
    assert_eq!(
        stored(&store, &handle.auth_id, from, to),
        served(&handle, from, to)
    );
    assert!(report.lists.iter().all(|l| l.disagreement.is_none()));
}

#[tokio::test]
async fn a_sync_stopped_mid_back_fill_resumes_to_the_same_totals() {
    let (handle, client) = sandbox(3).await;
    let (_dir, mut store) = store();
    let now = Timestamp::now();
    // The numbers' page and five pages pass (calls and messages, read at
    // once); the next is refused.
    handle.inject(std::iter::repeat_n(Fault::PASS, 6).chain([Fault::status(403)]));
    let stopped = sync::sync(&client, &mut store, &options(3), now, |_| {}).await;
    assert!(stopped.is_err(), "stopped by the 403");
    let calls = store
        .position(&handle.auth_id, Kind::Call)
        .expect("a position");
    let from = sync::plan::start(now, Depth::Days(3));
    let to = whole_second(now);
    assert!(
        calls.backfill.is_some_and(|edge| edge > from) && !calls.backfill_done,
        "stopped mid-back-fill: {calls:?}"
    );
    let partway = store.record_count(&handle.auth_id).expect("a count");
    // Whole pages only, each kept with its position: at most the five that
    // passed (fewer by the other list's page in flight when the 403 ended
    // the sync, or by a request a loaded machine's client sent again).
    assert!(
        partway % 20 == 0 && (20..=5 * 20).contains(&partway),
        "{partway} records: not one to five whole pages"
    );
    // The next run, later, picks up where it stopped.
    let resumed = run(
        &client,
        &mut store,
        &options(3),
        now + SignedDuration::from_secs(30),
    )
    .await;
    assert!(resumed.lists.iter().all(|l| l.position.backfill_done));
    assert_eq!(
        stored(&store, &handle.auth_id, from, to),
        served(&handle, from, to)
    );
}

#[tokio::test]
async fn the_message_list_keeps_its_pace_and_a_retry_after_is_waited_out() {
    let (handle, client) = sandbox(3).await;
    let (_dir, mut store) = store();
    let now = Timestamp::now();
    // A 429 asking for a second, on the third page of calls.
    handle.inject([
        Fault::PASS,
        Fault::PASS,
        Fault::PASS,
        Fault {
            status: 429,
            retry_after: Some(1),
        },
    ]);
    let started = Instant::now();
    let mut message_pages = Vec::new();
    let report = sync::sync(&client, &mut store, &options(3), now, |p| {
        // The account's pages and the subaccounts' alike: one pace.
        if let Progress::Page {
            kind: Kind::Message,
            ..
        }
        | Progress::Claimed {
            kind: Kind::Message,
            ..
        } = p
        {
            message_pages.push(Instant::now());
        }
    })
    .await
    .expect("a sync");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "the Retry-After was waited out"
    );
    // Every page asked once: no other 429 (the message list's) was met.
    // Besides the lists' pages: the numbers, the 429 and the subaccount
    // list (one page), read to ask whose the unattributed records are.
    let pages: u32 = report.lists.iter().map(|l| l.pages).sum();
    assert_eq!(report.subaccounts, Some(3));
    assert!(report.lists.iter().all(|l| l.claimed > 0), "{report:?}");
    assert_eq!(
        handle.requests(),
        1 + 1 + 1 + usize::try_from(pages).expect("a count")
    );
    assert!(
        message_pages.len() > 20,
        "{} message pages",
        message_pages.len()
    );
    // No 21 message pages inside one window.
    for twenty_one in message_pages.windows(21) {
        assert!(twenty_one[20] - twenty_one[0] >= MESSAGE_WINDOW - MESSAGE_GAP);
    }
    let from = sync::plan::start(now, Depth::Days(3));
    let to = whole_second(now);
    assert_eq!(
        stored(&store, &handle.auth_id, from, to),
        served(&handle, from, to)
    );
}

#[tokio::test]
async fn calls_are_read_while_the_message_list_waits_for_its_next_page() {
    // Three days: about 15 call pages and 23 message pages.
    let (_handle, client) = sandbox(3).await;
    let (_dir, mut store) = store();
    let mut kinds = Vec::new();
    sync::sync(&client, &mut store, &options(3), Timestamp::now(), |p| {
        if let Progress::Page { kind, .. } = p {
            kinds.push(kind);
        }
    })
    .await
    .expect("a sync");
    let last_call = kinds.iter().rposition(|k| *k == Kind::Call).expect("calls");
    let first_message = kinds
        .iter()
        .position(|k| *k == Kind::Message)
        .expect("messages");
    assert!(
        first_message < last_call,
        "the calls were all read before the first message page: {kinds:?}"
    );
}

/// The sandbox's subaccounts' ids.
fn subaccount_ids(handle: &Handle) -> BTreeSet<String> {
    handle
        .subaccounts()
        .into_iter()
        .map(|(id, _, _)| id)
        .collect()
}

/// The store's totals by subaccount over `from..to`.
fn owners(
    store: &Store,
    auth_id: &str,
    from: Timestamp,
    to: Timestamp,
) -> BTreeMap<Option<String>, (u64, Decimal)> {
    store
        .totals(auth_id, from, to, GroupBy::Subaccount)
        .expect("totals")
        .into_iter()
        .map(|t| (t.key, (t.count, t.amount)))
        .collect()
}

#[tokio::test]
async fn what_no_rented_number_attributes_is_asked_of_each_subaccount_and_the_rest_stays_unattributed()
 {
    let (handle, client) = sandbox(3).await;
    let (_dir, mut store) = store();
    let now = Timestamp::now();
    let from = sync::plan::start(now, Depth::Days(2));
    let to = whole_second(now);
    // A subaccount releases a number it made calls through: the Number list
    // no longer says whose those calls are.
    let released = release_a_subaccounts_number(&handle, &client, from, to).await;
    let first = run(&client, &mut store, &options(2), now).await;
    let by_owner = handle.served_by_owner(from, to);
    // The traffic holds both cases: subaccounts' records through no rented
    // number (only their list says whose), and the main account's through
    // none (no list says).
    let subaccounts = subaccount_ids(&handle);
    assert!(
        by_owner
            .keys()
            .any(|(owner, rented)| !rented
                && owner.as_ref().is_some_and(|o| subaccounts.contains(o))),
        "{by_owner:?}"
    );
    assert!(by_owner.contains_key(&(None, false)), "{by_owner:?}");
    let mut expected: BTreeMap<Option<String>, (u64, Decimal)> = BTreeMap::new();
    for ((owner, _), (n, amount)) in &by_owner {
        let sum = expected.entry(owner.clone()).or_default();
        sum.0 += n;
        sum.1 += amount;
    }
    assert_eq!(owners(&store, &handle.auth_id, from, to), expected);
    assert_eq!(first.subaccounts, Some(subaccounts.len()));
    assert!(
        first
            .lists
            .iter()
            .all(|l| l.claimed > 0 && l.unasked.is_none()),
        "{first:?}"
    );
    // Again, a minute later: the account's list read again leaves every
    // owner as the subaccounts' lists said, and the records none claimed
    // are not asked about again.
    let second = run(
        &client,
        &mut store,
        &options(2),
        now + SignedDuration::from_secs(60),
    )
    .await;
    assert_eq!(owners(&store, &handle.auth_id, from, to), expected);
    assert_eq!(
        stored(&store, &handle.auth_id, from, to),
        served(&handle, from, to)
    );
    assert_eq!(second.subaccounts, None, "nothing left to ask: {second:?}");
    let numbers = store.numbers(&handle.auth_id).expect("numbers");
    assert!(
        numbers.iter().all(|n| n.number != released),
        "released: {released}"
    );
}

/// Releases (`DELETE …/Number/{number}/`) a number of a subaccount's that
/// calls went out through between `from` and `to`, and returns it.
async fn release_a_subaccounts_number(
    handle: &Handle,
    client: &Client,
    from: Timestamp,
    to: Timestamp,
) -> String {
    let numbers = client
        .all_records::<Number>(&NumberQuery::default(), |_| {})
        .await
        .expect("numbers");
    for number in &numbers.objects {
        if number.sub_account.is_none() {
            continue;
        }
        let through = CallQuery(RecordQuery {
            from_number: Some(number.number.as_str().to_owned()),
            time: TimeRange::between(from, to),
            ..RecordQuery::default()
        });
        let calls = client
            .list_records::<Call>(&through, 0)
            .await
            .expect("calls");
        if calls.objects.is_empty() {
            continue;
        }
        let url = format!(
            "{}/v1/Account/{}/Number/{}/",
            handle.base_url,
            handle.auth_id,
            number.number.as_str()
        );
        let answer = reqwest::Client::new()
            .delete(url)
            .basic_auth(&handle.auth_id, Some(support::TOKEN))
            .send()
            .await
            .expect("an answer");
        assert_eq!(answer.status().as_u16(), 204);
        return number.number.as_str().to_owned();
    }
    panic!("no subaccount's number made calls: {numbers:?}");
}

#[tokio::test]
async fn every_record_the_sandbox_serves_has_its_country() {
    // The sandbox's numbers are real ones, as Plivo's are: each call and
    // message, inbound or outbound, is given a country.
    let (handle, client) = sandbox(3).await;
    let (_dir, mut store) = store();
    let now = Timestamp::now();
    run(&client, &mut store, &options(3), now).await;
    let from = sync::plan::start(now, Depth::Days(3));
    let countries = store
        .totals(&handle.auth_id, from, whole_second(now), GroupBy::Country)
        .expect("totals");
    assert!(countries.len() >= 3, "{countries:?}");
    assert!(
        countries.iter().all(|t| t.key.is_some()),
        "records of no country: {countries:?}"
    );
}

#[tokio::test]
async fn a_subaccount_whose_list_is_refused_leaves_its_records_unasked_and_the_sync_goes_on() {
    let (handle, client) = sandbox_and_client(Options {
        traffic_days: 3,
        subaccounts: 3,
        message_window: MESSAGE_WINDOW,
        list_fault: ListFault::RefuseSubaccount,
        ..Options::default()
    })
    .await;
    let (_dir, mut store) = store();
    let now = Timestamp::now();
    let from = sync::plan::start(now, Depth::Days(2));
    let to = whole_second(now);
    // Records no rented number attributes: only a subaccount's list could.
    release_a_subaccounts_number(&handle, &client, from, to).await;
    let first = run(&client, &mut store, &options(2), now).await;
    // Every record is stored, none claimed, and the refusal is said.
    assert_eq!(
        stored(&store, &handle.auth_id, from, to),
        served(&handle, from, to)
    );
    for list in &first.lists {
        assert_eq!(list.claimed, 0, "{first:?}");
        let why = list.unasked.as_deref().expect("said why");
        assert!(
            why.contains("list was refused") && why.contains("400"),
            "{why}"
        );
    }
    // Not marked asked: the next sync asks the subaccounts again (records
    // marked asked would not be, and it would say nothing).
    let second = run(&client, &mut store, &options(2), now).await;
    assert!(
        second
            .lists
            .iter()
            .all(|l| l.unasked.as_deref().is_some_and(|w| w.contains("refused"))),
        "{second:?}"
    );
}
