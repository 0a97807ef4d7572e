//! The usage records synced by the worker in the background, against the
//! sandbox over real HTTP: on its schedule, back-filling first; a message
//! list held back by 429s never delays a balance poll; a worker dropped
//! mid-back-fill resumes in the next with every record once; a store that
//! cannot be opened is said once and the balance is still polled; the
//! totals after two scheduled syncs are what `usage --no-sync` reads; a
//! pumping burst is reported once, its subaccount named as Plivo names it,
//! and one from an account with no records before is a new destination.

use crate::support;

use std::path::Path;
use std::time::Duration;

use clap::Parser as _;
use jiff::Timestamp;
use plivo_dash::app::Msg;
use plivo_dash::cli::{Cli, Subcommand};
use plivo_dash::plivo::{Answer, Client, Tally};
use plivo_dash::sandbox::{Handle, Options};
use plivo_dash::store::{self, Store};
use plivo_dash::usage::sync::plan::{self, Depth};
use plivo_dash::worker::usage::{self, List, Status};
use plivo_dash::worker::{self, Channels, Report, Request};
use rust_decimal::Decimal;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, timeout};

/// The message list's window here: Plivo's minute, scaled down.
const MESSAGE_WINDOW: Duration = Duration::from_millis(400);
/// How long a test waits for a report before it fails.
const PATIENCE: Duration = Duration::from_secs(60);

async fn sandbox(options: Options) -> (Handle, Client) {
    support::sandbox_and_client(Options {
        subaccounts: 3,
        ..options
    })
    .await
}

/// A sync every `interval` into the store in `dir`, a day deep, its lists
/// paced by `message_gap` (calls at once).
fn syncing(dir: &Path, interval: Duration, message_gap: Duration) -> usage::Options {
    usage::Options {
        interval,
        store: usage::StoreAt::new(dir.join(store::FILE_NAME)),
        sync: plivo_dash::usage::sync::Options {
            depth: Depth::Days(1),
            call_gap: Duration::from_millis(1),
            message_gap,
            ..plivo_dash::usage::sync::Options::default()
        },
        spikes: None,
    }
}

/// A worker polling every `period` and syncing as `usage` says.
fn spawn(client: Client, period: Duration, usage: usage::Options) -> Channels {
    worker::spawn(
        client,
        worker::Options {
            usage: Some(usage),
            ..worker::Options::every(period)
        },
    )
}

async fn next(events: &mut UnboundedReceiver<Report>) -> Report {
    timeout(PATIENCE, events.recv())
        .await
        .expect("a report in time")
        .expect("the worker goes on")
}

/// Reports up to the next sync's end, and when it came.
async fn until_synced(events: &mut UnboundedReceiver<Report>) -> (Vec<Report>, Timestamp, u64) {
    let mut seen = Vec::new();
    loop {
        match next(events).await {
            Report::Usage(Status::Synced { at, records }) => return (seen, at, records),
            Report::Usage(Status::Failed { error } | Status::Unavailable { error }) => {
                panic!("the sync failed: {error}")
            }
            other => seen.push(other),
        }
    }
}

fn open(dir: &Path) -> Store {
    Store::open(&dir.join(store::FILE_NAME), Timestamp::now())
        .expect("opens")
        .store
}

/// `plivo-dash usage --no-sync --json` over `since..until`, read in-process
/// from the store in `state`: each product's (count, amount).
async fn usage_no_sync(
    state: &Path,
    client: &Client,
    since: Timestamp,
    until: Timestamp,
) -> Vec<(String, (u64, Decimal))> {
    let cli = Cli::try_parse_from([
        "plivo-dash",
        "usage",
        "--no-sync",
        "--json",
        "--since",
        &since.to_string(),
        "--until",
        &until.to_string(),
    ])
    .expect("parses");
    let Some(Subcommand::Usage(args)) = cli.command else {
        panic!("the usage command")
    };
    let mut settings = plivo_dash::config::resolve(
        &plivo_dash::cli::Global::default(),
        &plivo_dash::config::Env::default(),
    )
    .expect("defaults");
    settings.state_dir = Some(state.to_owned());
    let spend = plivo_dash::commands::usage::spend(&settings, client, &args, Timestamp::now())
        .await
        .expect("a read of the store");
    let json: Value =
        serde_json::from_str(&plivo_dash::commands::usage::render(&[spend], &args).expect("JSON"))
            .expect("JSON");
    let mut rows: Vec<(String, (u64, Decimal))> = json["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let amount = r["amount"]
                .as_str()
                .expect("a string")
                .parse()
                .expect("a decimal");
            (
                r["key"].as_str().expect("a key").to_owned(),
                (r["count"].as_u64().expect("a count"), amount),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// What the sandbox served over `since..until`, as `usage` names it.
fn served(handle: &Handle, since: Timestamp, until: Timestamp) -> Vec<(String, (u64, Decimal))> {
    handle.served_by_product(since, until).into_iter().collect()
}

#[tokio::test]
async fn the_worker_syncs_on_its_schedule_and_two_syncs_total_what_usage_no_sync_reads() {
    let (handle, client) = sandbox(Options {
        traffic_days: 1,
        message_window: MESSAGE_WINDOW,
        // Live traffic: the second sync has new records to read.
        drain_per_min: Decimal::from(30),
        ..Options::default()
    })
    .await;
    let state = tempfile::tempdir().expect("a directory");
    let interval = Duration::from_secs(2);
    let began = Timestamp::now();
    let started = Instant::now();
    let Channels {
        commands,
        mut events,
    } = spawn(
        client.clone(),
        Duration::from_secs(3600),
        syncing(state.path(), interval, Duration::from_millis(30)),
    );
    // The first, at once: a back-fill, its progress said as it goes.
    let (before, first_at, first_records) = until_synced(&mut events).await;
    assert!(first_records > 0, "the back-fill read the seeded day");
    assert!(
        before.iter().any(|r| matches!(
            r,
            Report::Usage(Status::Backfilling {
                list: List::Calls,
                of: 1,
                ..
            })
        )),
        "{before:?}"
    );
    // Nothing between two syncs: no request until the next is due.
    let sent = handle.requests();
    tokio::time::sleep(interval / 2).await;
    assert_eq!(handle.requests(), sent, "an idle worker asks for nothing");
    // The second, on schedule: an interval after the first began.
    let (_, second_at, _) = until_synced(&mut events).await;
    assert!(started.elapsed() >= interval, "{:?}", started.elapsed());
    assert!(second_at > first_at);
    drop(commands);
    let since = plan::start(began, Depth::Days(1));
    let read = usage_no_sync(state.path(), &client, since, second_at).await;
    assert_eq!(read, served(&handle, since, second_at));
    assert!(read.len() >= 2, "calls and messages: {read:?}");
    // Records that arrived between the two syncs are there once.
    assert!(
        served(&handle, first_at, second_at)
            .iter()
            .any(|(_, (n, _))| *n > 0),
        "live traffic between the syncs"
    );
    let total: u64 = read.iter().map(|(_, (n, _))| n).sum();
    let kept = open(state.path())
        .record_count(&handle.auth_id)
        .expect("a count");
    assert!(kept >= total, "{kept} stored, {total} in the window");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_list_held_back_by_429s_never_delays_a_balance_poll() {
    // Two days of messages, thrice the volume, are more pages than the
    // list's 20 a window: the sync, asking as fast as it may, meets 429s
    // and waits them out.
    let window = Duration::from_secs(4);
    let (handle, client) = sandbox(Options {
        traffic_days: 2,
        traffic_scale: 3,
        message_window: window,
        ..Options::default()
    })
    .await;
    let tally = Tally::default();
    let client = client.with_tally(tally.clone());
    let state = tempfile::tempdir().expect("a directory");
    let period = Duration::from_millis(300);
    let mut sync = syncing(state.path(), Duration::from_secs(3600), Duration::ZERO);
    sync.sync.depth = Depth::Days(2);
    let Channels {
        commands,
        mut events,
    } = spawn(client, period, sync);
    commands.send(Request::Refresh).expect("send");
    let mut polls: Vec<Instant> = Vec::new();
    let records = loop {
        match next(&mut events).await {
            Report::Loaded { .. } => polls.push(Instant::now()),
            Report::Usage(Status::Synced { records, .. }) => break records,
            Report::Usage(Status::Failed { error } | Status::Unavailable { error }) => {
                panic!("the sync failed: {error}")
            }
            Report::Failed { error, .. } => panic!("a poll failed: {error}"),
            _ => {}
        }
    };
    let limited = tally
        .counts()
        .into_iter()
        .find(|(a, _)| *a == Answer::Status(429))
        .map_or(0, |(_, n)| n);
    assert!(
        limited > 0,
        "the message list said 429: {:?}",
        tally.counts()
    );
    assert!(records > 0);
    // Polls went on at their period all along, the Retry-After waits
    // (each about `window` long) included: none waited for one, though
    // a loaded machine may hold one back a little.
    assert!(
        polls.len() >= 10,
        "{} polls while the sync waited out 429s",
        polls.len()
    );
    let slowest = polls.windows(2).map(|w| w[1] - w[0]).max().expect("polls");
    assert!(slowest < window / 2, "a poll waited {slowest:?}");
    let now = Timestamp::now();
    let since = plan::start(now, Depth::Days(2));
    let stored = open(state.path())
        .record_count(&handle.auth_id)
        .expect("a count");
    let served: u64 = served(&handle, since, now)
        .iter()
        .map(|(_, (n, _))| n)
        .sum();
    assert!(stored > 0 && stored <= served, "{stored} of {served}");
}

#[tokio::test]
async fn a_worker_dropped_mid_backfill_resumes_in_the_next_with_every_record_once() {
    let (handle, client) = sandbox(Options {
        traffic_days: 1,
        message_window: MESSAGE_WINDOW,
        ..Options::default()
    })
    .await;
    let state = tempfile::tempdir().expect("a directory");
    let interval = Duration::from_secs(3600);
    // Messages slow enough to be stopped half-way.
    let slow = syncing(state.path(), interval, Duration::from_millis(200));
    let Channels {
        commands,
        mut events,
    } = spawn(client.clone(), interval, slow.clone());
    loop {
        if let Report::Usage(Status::Backfilling {
            list: List::Messages,
            ..
        }) = next(&mut events).await
        {
            break;
        }
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The dashboard goes away mid-back-fill (its worker's sender dropped).
    drop(commands);
    while timeout(PATIENCE, events.recv())
        .await
        .expect("the worker ends")
        .is_some()
    {}
    tokio::time::sleep(Duration::from_millis(300)).await;
    let partial = open(state.path())
        .record_count(&handle.auth_id)
        .expect("a count");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(
        open(state.path())
            .record_count(&handle.auth_id)
            .expect("a count"),
        partial,
        "the sync stopped with its worker"
    );
    let positions = open(state.path())
        .position(&handle.auth_id, store::Kind::Message)
        .expect("a position");
    assert!(
        !positions.backfill_done,
        "stopped mid-back-fill: {positions:?}"
    );
    // The next start resumes and ends with every record once.
    let Channels {
        commands,
        mut events,
    } = spawn(client.clone(), interval, slow);
    let (_, at, _) = until_synced(&mut events).await;
    drop(commands);
    let since = plan::start(at, Depth::Days(1));
    let expected = served(&handle, since, at);
    let stored = open(state.path());
    let mut totals: Vec<(String, (u64, Decimal))> = stored
        .totals(&handle.auth_id, since, at, store::GroupBy::Product)
        .expect("totals")
        .into_iter()
        .map(|t| (t.key.expect("a product"), (t.count, t.amount)))
        .collect();
    totals.sort();
    assert_eq!(totals, expected);
    let count: u64 = expected.iter().map(|(_, (n, _))| n).sum();
    assert!(partial < count, "{partial} of {count} before the drop");
}

#[tokio::test]
async fn a_store_that_cannot_be_opened_is_said_once_and_the_balance_is_still_polled() {
    let (_handle, client) = sandbox(Options::default()).await;
    let state = tempfile::tempdir().expect("a directory");
    // The store's directory is a file: nothing can be made under it.
    let blocked = state.path().join("not-a-directory");
    std::fs::write(&blocked, b"").expect("a file");
    let period = Duration::from_millis(300);
    let Channels {
        commands,
        mut events,
    } = spawn(
        client,
        period,
        syncing(&blocked, Duration::from_secs(60), Duration::ZERO),
    );
    commands.send(Request::Refresh).expect("send");
    let mut said = Vec::new();
    let mut polls = 0;
    while polls < 4 {
        match next(&mut events).await {
            Report::Loaded { .. } => polls += 1,
            Report::Usage(status) => said.push(status),
            _ => {}
        }
    }
    let [Status::Unavailable { error }] = said.as_slice() else {
        panic!("said once: {said:?}")
    };
    assert!(
        error.contains("not-a-directory") && error.contains("not synced"),
        "{error}"
    );
    // The dashboard keeps it among its warnings, once.
    let mut app = support::app::loaded();
    for _ in 0..2 {
        app.update(Msg::Worker(Report::Usage(said[0].clone())));
    }
    assert_eq!(
        app.warnings.iter().filter(|w| *w == error).count(),
        1,
        "{:?}",
        app.warnings
    );
    assert_eq!(app.usage.error.as_deref(), Some(error.as_str()));
}

#[test]
fn the_state_keeps_when_it_synced_how_far_a_backfill_got_and_the_last_failure() {
    let mut app = support::app::loaded();
    let at: Timestamp = "2026-11-26T19:00:00Z".parse().expect("a time");
    let backfilling = Status::Backfilling {
        list: List::Messages,
        done: 3,
        of: 26,
    };
    let outcome = app.update(Msg::Worker(Report::Usage(backfilling)));
    assert!(!outcome.redraw, "nothing drawn changes");
    assert_eq!(app.usage.backfilling, Some((List::Messages, 3, 26)));
    app.update(Msg::Worker(Report::Usage(Status::Failed {
        error: "the message list: rate limited".to_owned(),
    })));
    assert_eq!(app.usage.backfilling, None);
    assert_eq!(
        app.usage.error.as_deref(),
        Some("the message list: rate limited")
    );
    assert_eq!(app.usage.synced_at, None);
    app.update(Msg::Worker(Report::Usage(Status::Synced {
        at,
        records: 40,
    })));
    assert_eq!(app.usage.synced_at, Some(at));
    assert_eq!(app.usage.error, None);
    assert!(app.warnings.is_empty(), "{:?}", app.warnings);
}

#[tokio::test]
async fn the_message_lists_pace_holds_from_one_sync_to_the_next() {
    // 20 message pages in 2 s, and syncs due far more often than that:
    // each waits a message page's gap after the one before.
    let (_handle, client) = sandbox(Options {
        message_window: Duration::from_secs(2),
        ..Options::default()
    })
    .await;
    let tally = Tally::default();
    let client = client.with_tally(tally.clone());
    let state = tempfile::tempdir().expect("a directory");
    let gap = Duration::from_millis(150);
    let Channels {
        commands,
        mut events,
    } = spawn(
        client,
        Duration::from_secs(3600),
        syncing(state.path(), Duration::from_millis(10), gap),
    );
    let started = Instant::now();
    let mut syncs = 0;
    while started.elapsed() < Duration::from_secs(3) {
        until_synced(&mut events).await;
        syncs += 1;
    }
    drop(commands);
    assert!(syncs >= 10, "{syncs} syncs");
    assert!(
        tally
            .counts()
            .iter()
            .all(|(a, _)| *a == Answer::Status(200)),
        "no 429 from the message list: {:?}",
        tally.counts()
    );
}

#[tokio::test]
async fn the_accounts_of_one_command_sync_into_one_store_each_its_own_records() {
    let state = tempfile::tempdir().expect("a directory");
    let shared = syncing(
        state.path(),
        Duration::from_secs(3600),
        Duration::from_millis(30),
    );
    let mut accounts = Vec::new();
    for n in 0..2 {
        let (handle, client) = sandbox(Options {
            auth_id: format!("MA2025SHARED000000{n:02}"),
            traffic_days: 1,
            traffic_seed: 7 + n,
            message_window: MESSAGE_WINDOW,
            ..Options::default()
        })
        .await;
        let channels = spawn(client, Duration::from_secs(3600), shared.clone());
        accounts.push((handle, channels));
    }
    let mut ends = Vec::new();
    for (handle, channels) in &mut accounts {
        let (_, at, _) = until_synced(&mut channels.events).await;
        ends.push((handle.auth_id.clone(), at));
    }
    let store = open(state.path());
    for ((handle, _), (auth_id, at)) in accounts.iter().zip(&ends) {
        let since = plan::start(*at, Depth::Days(1));
        let served: u64 = served(handle, since, *at).iter().map(|(_, (n, _))| n).sum();
        assert!(served > 0);
        assert_eq!(
            store.record_count(auth_id).expect("a count"),
            served,
            "{auth_id}: its own records, each once"
        );
    }
}

#[tokio::test]
async fn the_sync_waits_for_room_in_the_accounts_budget_and_a_poll_never_does() {
    use plivo_dash::plivo::budget::{LIMIT, RESERVE, WINDOW};
    use plivo_dash::plivo::{Budget, Share};
    let (_handle, client) = sandbox(Options::default()).await;
    let budget = Budget::default();
    // The worker has spent all but the polls' reserve (a long subaccount
    // list, say) just now.
    for _ in 0..LIMIT - RESERVE {
        budget.spend(Share::Foreground).await;
    }
    let worker = client
        .clone()
        .with_budget(budget.clone(), Share::Foreground);
    let sync = client.with_budget(budget.clone(), Share::Background);
    let asked = Instant::now();
    worker.get_account().await.expect("a poll");
    assert!(
        asked.elapsed() < Duration::from_secs(1),
        "a poll goes at once: {:?}",
        asked.elapsed()
    );
    let asked = Instant::now();
    sync.get_account().await.expect("the sync's request");
    assert!(
        asked.elapsed() >= WINDOW - Duration::from_secs(1),
        "the sync waited for the window to have room: {:?}",
        asked.elapsed()
    );
    assert!(
        budget.in_window() <= LIMIT - RESERVE,
        "{}",
        budget.in_window()
    );
}

/// A store total as the sandbox's `served_by_product` names it.
fn by_product(totals: &[store::Total]) -> Vec<(String, (u64, Decimal))> {
    let mut rows: Vec<_> = totals
        .iter()
        .map(|t| {
            let key = t.key.clone().expect("every record's product is known");
            (key, (t.count, t.amount))
        })
        .collect();
    rows.sort();
    rows
}

#[tokio::test]
async fn the_digest_asked_after_a_sync_is_what_the_sandbox_served() {
    let (handle, client) = sandbox(Options {
        traffic_days: 2,
        message_window: MESSAGE_WINDOW,
        ..Options::default()
    })
    .await;
    let state = tempfile::tempdir().expect("a directory");
    let mut usage = syncing(
        state.path(),
        Duration::from_secs(3600),
        Duration::from_millis(30),
    );
    usage.sync.depth = Depth::Days(3);
    let Channels {
        commands,
        mut events,
    } = spawn(client.clone(), Duration::from_secs(3600), usage);
    let (_, synced, _) = until_synced(&mut events).await;
    commands
        .send(Request::Digest {
            zone: "Pacific/Auckland".to_owned(),
        })
        .expect("the worker listens");
    let digest = loop {
        match next(&mut events).await {
            Report::Digest(answer) => break answer.expect("the store is read"),
            _ => continue,
        }
    };
    assert!(digest.at >= synced);
    let ever = Timestamp::UNIX_EPOCH;
    assert_eq!(by_product(&digest.ever), served(&handle, ever, digest.at));
    assert!(!digest.ever.is_empty(), "two seeded days");
    let day = digest.at - plivo_dash::usage::digest::DAY;
    assert_eq!(
        by_product(&digest.day_products),
        served(&handle, day, digest.at)
    );
    let countries: Decimal = digest.day_countries.iter().map(|t| t.amount).sum();
    let products: Decimal = digest.day_products.iter().map(|t| t.amount).sum();
    assert_eq!(
        countries, products,
        "the day's countries add up to its products"
    );
    // The month is the account's: it begins at midnight in Auckland.
    let month = plivo_dash::usage::forecast::Month::at(
        digest.at,
        &jiff::tz::TimeZone::get("Pacific/Auckland").expect("a zone"),
    )
    .expect("a month");
    let to_date: Decimal = served(&handle, month.start.timestamp(), digest.at)
        .iter()
        .map(|(_, (_, amount))| *amount)
        .sum();
    assert_eq!(digest.month_to_date(), to_date);
    // A zone that is not one is taken as UTC, not refused.
    commands
        .send(Request::Digest {
            zone: "Mars/Olympus".to_owned(),
        })
        .expect("the worker listens");
    let utc = loop {
        if let Report::Digest(answer) = next(&mut events).await {
            break answer.expect("the store is read");
        }
    };
    assert_eq!(utc.month.zone, jiff::tz::TimeZone::UTC);
}

#[tokio::test]
async fn a_digest_asked_of_a_worker_that_syncs_nothing_says_why() {
    let (_handle, client) = sandbox(Options::default()).await;
    let Channels {
        commands,
        mut events,
    } = worker::spawn(client, worker::Options::every(Duration::from_secs(3600)));
    commands
        .send(Request::Digest {
            zone: "UTC".to_owned(),
        })
        .expect("the worker listens");
    match next(&mut events).await {
        Report::Digest(Err(error)) => assert!(error.contains("not synced"), "{error}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_dashboard_asks_for_the_digest_in_the_accounts_zone_after_each_sync_and_keeps_it() {
    let at: Timestamp = "2026-11-26T19:00:00Z".parse().expect("a time");
    let synced = Report::Usage(Status::Synced { at, records: 4 });
    // A sync that ends before the account is known asks nothing yet: its
    // month is in a zone not known; the account's arrival asks instead.
    let mut app = plivo_dash::app::App::new(
        support::app::session(),
        support::app::now(),
        (120, 35),
        support::app::PERIOD,
    );
    let early = app.update(Msg::Worker(synced.clone()));
    assert!(
        !early
            .requests
            .iter()
            .any(|r| matches!(r, Request::Digest { .. }))
    );
    let account = plivo_dash::sandbox::demo_account();
    let zone = account.timezone.clone();
    let loaded = app.update(Msg::Worker(Report::Loaded {
        account: Box::new(account),
        at,
    }));
    assert!(
        loaded
            .requests
            .contains(&Request::Digest { zone: zone.clone() }),
        "{:?}",
        loaded.requests
    );
    // Every later sync asks again, in the account's zone.
    let again = app.update(Msg::Worker(synced));
    assert_eq!(again.requests, vec![Request::Digest { zone }]);
    assert!(app.digest.is_none(), "none until it arrives");
    let dir = tempfile::tempdir().expect("a directory");
    let digest = plivo_dash::usage::digest::Digest::read(
        &open(dir.path()),
        "MAXXXXXXXXXXXXXXXXXX",
        &jiff::tz::TimeZone::UTC,
        at,
    )
    .expect("an empty store reads");
    app.update(Msg::Worker(Report::Digest(Ok(Box::new(digest.clone())))));
    assert_eq!(app.digest.as_deref(), Some(&digest));
    // A store that cannot be read is said where the sync's failures are.
    app.update(Msg::Worker(Report::Digest(
        Err("disk I/O error".to_owned()),
    )));
    assert_eq!(app.usage.error.as_deref(), Some("disk I/O error"));
}

/// The spikes a worker syncing `client` three days deep every second, a
/// new destination alerted past `new_destination` USD, reports over the
/// syncs that end within `lasting`.
async fn spikes_within(
    client: Client,
    new_destination: Decimal,
    lasting: Duration,
) -> Vec<Box<usage::Found>> {
    let state = tempfile::tempdir().expect("a directory");
    let usage = usage::Options {
        sync: plivo_dash::usage::sync::Options {
            depth: Depth::Days(3),
            ..syncing(state.path(), Duration::ZERO, Duration::ZERO).sync
        },
        spikes: Some(plivo_dash::usage::spike::Thresholds {
            factor: Decimal::from(3),
            new_destination,
        }),
        ..syncing(
            state.path(),
            Duration::from_secs(1),
            Duration::from_millis(30),
        )
    };
    let Channels {
        commands,
        mut events,
    } = spawn(client, Duration::from_secs(3600), usage);
    let mut found = Vec::new();
    let until = Instant::now() + lasting;
    while Instant::now() < until {
        let (seen, _, _) = until_synced(&mut events).await;
        found.extend(seen.into_iter().filter_map(|r| match r {
            Report::Usage(Status::Spike(found)) => Some(found),
            _ => None,
        }));
    }
    drop(commands);
    found
}

#[tokio::test]
async fn a_pumping_burst_is_reported_once_by_the_worker_naming_its_subaccount() {
    use plivo_dash::usage::spike::Spike;
    let mut account = plivo_dash::sandbox::demo_account();
    // Enough credit for the burst to go on past both rules' thresholds.
    account.cash_credits = Decimal::from(100);
    let (handle, client) = sandbox(Options {
        traffic_days: 3,
        message_window: MESSAGE_WINDOW,
        pumping: Some(plivo_dash::sandbox::Pumping::starting(Duration::ZERO)),
        account,
        ..Options::default()
    })
    .await;
    // The burst passes 1 USD to LV after 10 s and 2.5 USD, above any hour
    // of the seeded days thrice over, after 25 s; syncs until then, and a
    // few more.
    let found = spikes_within(client, Decimal::ONE, Duration::from_secs(32)).await;
    let [spike] = found.as_slice() else {
        panic!("one spike: {found:?}");
    };
    // Whichever rule the burst passed first names it; the other is the
    // same burst, not said again.
    let top = spike.top();
    assert_eq!(top.country.as_deref(), Some("LV"), "{spike:?}");
    assert!(
        spike.top_new,
        "said as never sent to before: {}",
        spike.text()
    );
    assert!(spike.amount() > spike.threshold, "{spike:?}");
    if let Spike::NewDestination { country, .. } = &spike.spike {
        assert_eq!(country, "LV");
    }
    let pumping = handle.subaccounts().first().cloned().expect("subaccounts");
    assert_eq!(top.subaccount.as_deref(), Some(pumping.0.as_str()));
    assert_eq!(
        spike
            .subaccount_name
            .as_ref()
            .map(|n| n.as_str().to_owned()),
        Some(pumping.1),
        "named as Plivo names it"
    );
    assert!(top.number.as_deref().is_some_and(|n| n.len() > 6));
}

#[tokio::test]
async fn a_burst_from_an_account_with_no_records_before_is_a_new_destination_said_so() {
    use plivo_dash::usage::spike::{LOOKBACK_DAYS, Spike};
    // `sandbox --pumping` alone: no seeded days, no subaccounts, the
    // demo's balance.
    let (_handle, client) = support::sandbox_and_client(Options {
        message_window: MESSAGE_WINDOW,
        pumping: Some(plivo_dash::sandbox::Pumping::starting(Duration::ZERO)),
        ..Options::default()
    })
    .await;
    // Passed at the fifth SMS, two seconds in.
    let found = spikes_within(client, Decimal::new(2, 1), Duration::from_secs(6)).await;
    let [spike] = found.as_slice() else {
        panic!("one spike: {found:?}");
    };
    assert!(
        matches!(&spike.spike, Spike::NewDestination { country, .. } if country == "LV"),
        "{spike:?}"
    );
    assert!(spike.top().number.is_some(), "{spike:?}");
    // Three days synced, the recent two judged against the days before
    // them: fewer than the rule's month, and said so.
    assert!((1..LOOKBACK_DAYS).contains(&spike.days_before), "{spike:?}");
    let said = format!("(none in the {} days synced before)", spike.days_before);
    assert!(spike.text().contains(&said), "{}", spike.text());
}
