//! The worker against the real sandbox: every command ends in an event, in
//! order; failures back off and recover. Timing runs on tokio's paused clock,
//! so seconds of backoff take no time and are measured exactly.

use crate::support;

use std::time::Duration;

use plivo_dash::plivo::{AccountUpdate, ApiError, Client, Field, Limits};
use plivo_dash::sandbox::{self, Fault, Options};
use plivo_dash::worker::{self, Op, Report, Request};
use support::{Canned, CannedServer, TOKEN};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::Instant;

const PERIOD: Duration = Duration::from_secs(60);

async fn next(events: &mut UnboundedReceiver<Report>) -> Report {
    tokio::time::timeout(Duration::from_secs(3600), events.recv())
        .await
        .expect("the worker answers")
        .expect("an event")
}

async fn start(faults: Vec<Fault>) -> (sandbox::Handle, Client) {
    support::sandbox_and_client(Options {
        faults,
        ..Options::default()
    })
    .await
}

fn options() -> worker::Options {
    worker::Options::every(PERIOD)
}

/// A worker on `client`, asked for a refresh at once.
fn refreshing(
    client: Client,
) -> (
    tokio::sync::mpsc::UnboundedSender<Request>,
    UnboundedReceiver<Report>,
) {
    let worker::Channels { commands, events } = worker::spawn(client, options());
    commands.send(Request::Refresh).expect("send");
    (commands, events)
}

#[tokio::test(start_paused = true)]
async fn a_save_is_never_overtaken_and_is_confirmed_by_a_fetch() {
    let (_sandbox, client) = start(Vec::new()).await;
    let worker::Channels {
        commands,
        mut events,
    } = worker::spawn(client, options());
    let mut update = AccountUpdate::default();
    update.set(Field::City, "Metropolis");
    commands.send(Request::Save(update.clone())).expect("send");
    commands.send(Request::Refresh).expect("send");

    assert_eq!(next(&mut events).await, Report::Saved { update });
    let Report::Loaded { account, .. } = next(&mut events).await else {
        panic!("then the confirming fetch");
    };
    assert_eq!(account.city, "Metropolis");
    let Report::Loaded { account, .. } = next(&mut events).await else {
        panic!("then the refresh");
    };
    assert_eq!(account.city, "Metropolis");
}

#[tokio::test(start_paused = true)]
async fn failures_back_off_exponentially_then_recover_and_polling_resumes() {
    let (sandbox, client) = start(vec![Fault::status(503); 3]).await;
    let worker::Channels {
        commands,
        mut events,
    } = worker::spawn(client, options());
    commands.send(Request::Refresh).expect("send");

    let mut last = Instant::now();
    let mut waited = Vec::new();
    for attempt in 1..=3u32 {
        let Report::Failed {
            op: Op::Refresh,
            error,
            retry_in: Some(retry_in),
        } = next(&mut events).await
        else {
            panic!("attempt {attempt} should fail");
        };
        assert_eq!(
            error,
            ApiError::Server {
                status: 503,
                message: Some("injected fault".into())
            }
        );
        let step = Duration::from_secs(1 << (attempt - 1));
        assert!(
            retry_in <= step && retry_in >= step / 2,
            "attempt {attempt}: {retry_in:?} not within {:?}..{step:?}",
            step / 2
        );
        waited.push(retry_in);
        last = Instant::now();
    }
    let Report::Loaded { .. } = next(&mut events).await else {
        panic!("recovers after the faults run out");
    };
    let late = (Instant::now() - last).abs_diff(waited[2]);
    assert!(
        late <= Duration::from_millis(1),
        "retried when it said, not {late:?} off"
    );
    assert_eq!(sandbox.requests(), 4);

    let recovered = Instant::now();
    let Report::Loaded { .. } = next(&mut events).await else {
        panic!("polls on by itself");
    };
    assert_eq!(Instant::now() - recovered, PERIOD);
    assert_eq!(sandbox.requests(), 5);
}

#[tokio::test(start_paused = true)]
async fn retry_after_on_429_is_honoured() {
    let fault = Fault {
        status: 429,
        retry_after: Some(7),
    };
    let (sandbox, client) = start(vec![fault]).await;
    let (_commands, mut events) = refreshing(client);
    let Report::Failed {
        error, retry_in, ..
    } = next(&mut events).await
    else {
        panic!("rate limited first");
    };
    assert_eq!(
        error,
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(7))
        }
    );
    assert_eq!(retry_in, Some(Duration::from_secs(7)));
    let failed_at = Instant::now();
    let Report::Loaded { .. } = next(&mut events).await else {
        panic!("then served");
    };
    assert_eq!(Instant::now() - failed_at, Duration::from_secs(7));
    assert_eq!(sandbox.requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_huge_retry_after_holds_polling_back_one_period_at_most() {
    let fault = Fault {
        status: 429,
        retry_after: Some(99_999_999_999),
    };
    let (sandbox, client) = start(vec![fault]).await;
    let (_commands, mut events) = refreshing(client);
    let Report::Failed { retry_in, .. } = next(&mut events).await else {
        panic!("rate limited first");
    };
    assert_eq!(retry_in, Some(PERIOD), "the wait is capped at the period");
    let failed_at = Instant::now();
    let Report::Loaded { .. } = next(&mut events).await else {
        panic!("polling resumes");
    };
    assert_eq!(Instant::now() - failed_at, PERIOD);
    let Report::Loaded { .. } = next(&mut events).await else {
        panic!("and goes on");
    };
    assert_eq!(Instant::now() - failed_at, PERIOD * 2);
    assert_eq!(sandbox.requests(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_retry_after_as_a_far_http_date_holds_polling_back_one_period_at_most() {
    let (sandbox, client) = support::sandbox_and_client(Options {
        faults: vec![Fault {
            status: 429,
            // Ten years on, sent as an HTTP date.
            retry_after: Some(10 * 365 * 24 * 3600),
        }],
        retry_after_as_date: true,
        ..Options::default()
    })
    .await;
    let (_commands, mut events) = refreshing(client);
    let Report::Failed {
        error: ApiError::RateLimited {
            retry_after: Some(asked),
        },
        retry_in,
        ..
    } = next(&mut events).await
    else {
        panic!("rate limited, the date read");
    };
    assert!(
        asked > Duration::from_secs(9 * 365 * 24 * 3600),
        "{asked:?}"
    );
    assert_eq!(retry_in, Some(PERIOD), "the wait is capped at the period");
    let failed_at = Instant::now();
    let Report::Loaded { .. } = next(&mut events).await else {
        panic!("polling resumes");
    };
    assert_eq!(Instant::now() - failed_at, PERIOD);
    assert_eq!(sandbox.requests(), 2);
}

#[tokio::test(start_paused = true)]
async fn key_mashing_makes_one_request() {
    let (sandbox, client) = start(Vec::new()).await;
    let worker::Channels {
        commands,
        mut events,
    } = worker::spawn(client, options());
    for _ in 0..100 {
        commands.send(Request::Refresh).expect("send");
    }
    let Report::Loaded { .. } = next(&mut events).await else {
        panic!("loaded");
    };
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(events.try_recv().is_err(), "nothing more");
    assert_eq!(sandbox.requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn pause_period_and_record_are_answered() {
    let (sandbox, client) = start(Vec::new()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let auth_id = plivo_dash::plivo::AuthId::parse(&sandbox.auth_id).expect("id");
    let worker::Channels {
        commands,
        mut events,
    } = keeping(client, credit_history(dir.path(), &auth_id));
    assert_eq!(
        next(&mut events).await,
        Report::History {
            samples: Vec::new(),
            warning: None,
            moved: None,
        }
    );
    commands.send(Request::Pause(true)).expect("send");
    assert_eq!(
        next(&mut events).await,
        Report::Schedule {
            period: PERIOD,
            paused: true
        }
    );
    tokio::time::sleep(PERIOD * 3).await;
    assert_eq!(sandbox.requests(), 0, "paused: no polling");
    commands
        .send(Request::SetPeriod(Duration::from_secs(5)))
        .expect("send");
    assert_eq!(
        next(&mut events).await,
        Report::Schedule {
            period: Duration::from_secs(5),
            paused: true
        }
    );
    commands.send(Request::Pause(false)).expect("send");
    assert!(matches!(
        next(&mut events).await,
        Report::Schedule { paused: false, .. }
    ));
    let Report::Loaded { account, at } = next(&mut events).await else {
        panic!("resumed polling");
    };
    let sample = plivo_dash::monitor::Sample {
        at,
        credits: account.cash_credits,
    };
    commands.send(Request::Record(sample)).expect("send");
    assert!(
        written(|| stored(dir.path(), &auth_id, at) == [sample]).await,
        "the sample reaches the store"
    );
    assert!(events.try_recv().is_err(), "a good write says nothing");
}

/// The first report, a history kept in memory only: its samples and why.
async fn kept_in_memory(
    events: &mut UnboundedReceiver<Report>,
) -> (Vec<plivo_dash::monitor::Sample>, String) {
    match next(events).await {
        Report::History {
            samples,
            warning: Some(warning),
            moved: None,
        } => (samples, warning),
        other => panic!("history first, with why it is not kept: {other:?}"),
    }
}

/// A worker on `client` keeping its credit history in `history`.
fn keeping(client: Client, history: plivo_dash::store::CreditHistory) -> worker::Channels {
    worker::spawn(
        client,
        worker::Options {
            history: Some(history),
            ..worker::Options::every(PERIOD)
        },
    )
}

/// `auth_id`'s history in the store in `dir`, keeping the default week.
fn credit_history(
    dir: &std::path::Path,
    auth_id: &plivo_dash::plivo::AuthId,
) -> plivo_dash::store::CreditHistory {
    plivo_dash::store::CreditHistory::new(dir, auth_id, plivo_dash::monitor::RETENTION)
}

/// The samples the store in `dir` holds for `auth_id` at `now`, read as
/// another process would.
fn stored(
    dir: &std::path::Path,
    auth_id: &plivo_dash::plivo::AuthId,
    now: jiff::Timestamp,
) -> Vec<plivo_dash::monitor::Sample> {
    let mut store = plivo_dash::store::Store::open(&dir.join(plivo_dash::store::FILE_NAME), now)
        .expect("the store")
        .store;
    store
        .load_samples(auth_id, now, plivo_dash::monitor::RETENTION)
        .expect("the samples")
}

/// Waits (in real time: the store is written on the blocking pool) until
/// `done` holds, for up to two seconds.
async fn written(done: impl Fn() -> bool) -> bool {
    for _ in 0..200 {
        if done() {
            return true;
        }
        tokio::task::yield_now().await;
        std::thread::sleep(Duration::from_millis(10));
    }
    done()
}

#[tokio::test(start_paused = true)]
async fn a_save_during_a_retry_after_is_refused_at_once_and_the_worker_still_answers() {
    let fault = Fault {
        status: 429,
        retry_after: Some(3600),
    };
    let (sandbox, client) = start(vec![fault]).await;
    let (commands, mut events) = refreshing(client);
    let Report::Failed { .. } = next(&mut events).await else {
        panic!("rate limited first");
    };
    let asked = Instant::now();
    let mut update = AccountUpdate::default();
    update.set(Field::City, "Metropolis");
    commands.send(Request::Save(update)).expect("send");
    let Report::Failed {
        op: Op::Save,
        error: ApiError::RateLimited {
            retry_after: Some(wait),
        },
        ..
    } = next(&mut events).await
    else {
        panic!("the save is refused, not held");
    };
    assert!(Instant::now() - asked < Duration::from_secs(1), "at once");
    assert!(
        wait > PERIOD - Duration::from_secs(1) && wait <= PERIOD,
        "says how long, at most a period: {wait:?}"
    );
    commands.send(Request::Pause(true)).expect("send");
    assert!(matches!(
        next(&mut events).await,
        Report::Schedule { paused: true, .. }
    ));
    assert!(
        Instant::now() - asked < Duration::from_secs(1),
        "pause answered"
    );
    assert_eq!(sandbox.requests(), 1, "nothing sent inside the Retry-After");
    assert_eq!(sandbox.account().city, "Gotham");
}

/// Three samples for a history task to keep.
fn record_three(commands: &tokio::sync::mpsc::UnboundedSender<Request>) {
    let t0: jiff::Timestamp = "2026-11-26T19:00:00Z".parse().expect("time");
    for i in 0..3 {
        let sample = plivo_dash::monitor::Sample {
            at: t0 + jiff::SignedDuration::from_secs(i),
            credits: rust_decimal::Decimal::from(i),
        };
        commands.send(Request::Record(sample)).expect("send");
    }
}

#[cfg(unix)]
#[tokio::test]
async fn a_read_only_state_directory_is_said_once_with_the_store_path() {
    use std::os::unix::fs::PermissionsExt as _;
    let (sandbox, client) = start(Vec::new()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o500)).expect("chmod");
    // Root writes through a mode: then a directory no one may write in.
    let state = if std::fs::write(dir.path().join("probe"), "").is_ok() {
        std::path::Path::new("/sys/plivo-dash").to_owned()
    } else {
        dir.path().join("plivo-dash")
    };
    let auth_id = plivo_dash::plivo::AuthId::parse(&sandbox.auth_id).expect("id");
    let history = credit_history(&state, &auth_id);
    let worker::Channels {
        commands,
        mut events,
    } = keeping(client, history.clone());
    let (samples, warning) = kept_in_memory(&mut events).await;
    assert!(samples.is_empty());
    assert!(
        warning.contains(&history.store_path().display().to_string()),
        "{warning}"
    );
    assert!(warning.contains("memory only"), "{warning}");
    record_three(&commands);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(events.try_recv().is_err(), "said once, not per sample");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
}

#[tokio::test]
async fn a_store_that_cannot_be_opened_still_shows_the_old_file_untouched() {
    let (sandbox, client) = start(Vec::new()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    // A directory where the database should be: unopenable even for root.
    std::fs::create_dir(dir.path().join(plivo_dash::store::FILE_NAME)).expect("mkdir");
    let auth_id = plivo_dash::plivo::AuthId::parse(&sandbox.auth_id).expect("id");
    let old = dir.path().join(format!("{auth_id}.history"));
    let at = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1);
    let text = format!("# plivo-dash credit history v1 {auth_id}\n{at} 5.00000\n");
    std::fs::write(&old, &text).expect("the old file");
    let worker::Channels {
        commands: _commands,
        mut events,
    } = keeping(client, credit_history(dir.path(), &auth_id));
    let (samples, warning) = kept_in_memory(&mut events).await;
    assert_eq!(
        samples,
        [plivo_dash::monitor::Sample {
            at,
            credits: rust_decimal::dec!(5.00000)
        }],
        "the old file's history, not nothing"
    );
    assert!(warning.contains("memory only"), "{warning}");
    assert_eq!(
        std::fs::read_to_string(&old).expect("still there"),
        text,
        "not moved into a store that is not there"
    );
}

#[tokio::test]
async fn a_damaged_store_is_set_aside_said_and_a_new_one_kept() {
    let (sandbox, client) = start(Vec::new()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(plivo_dash::store::FILE_NAME);
    let damaged = b"SQLite format 3\0 but not a database at all, just bytes".repeat(100);
    std::fs::write(&path, &damaged).expect("write");
    let auth_id = plivo_dash::plivo::AuthId::parse(&sandbox.auth_id).expect("id");
    let worker::Channels {
        commands,
        mut events,
    } = keeping(client, credit_history(dir.path(), &auth_id));
    let Report::History {
        warning: Some(warning),
        ..
    } = next(&mut events).await
    else {
        panic!("history first, with the damage said");
    };
    assert!(
        warning.contains(&path.display().to_string()) && warning.contains("damaged"),
        "{warning}"
    );
    let aside: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path())
        .expect("ls")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        std::fs::read(&aside[0]).expect("kept"),
        damaged,
        "never emptied"
    );
    let sample = plivo_dash::monitor::Sample {
        at: jiff::Timestamp::now(),
        credits: rust_decimal::Decimal::ONE,
    };
    commands.send(Request::Record(sample)).expect("send");
    assert!(
        written(|| stored(dir.path(), &auth_id, sample.at) == [sample]).await,
        "the new store keeps the history"
    );
}

#[tokio::test]
async fn a_store_that_refuses_writes_is_said_once_and_picked_up_again() {
    let (sandbox, client) = start(Vec::new()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let auth_id = plivo_dash::plivo::AuthId::parse(&sandbox.auth_id).expect("id");
    let history = credit_history(dir.path(), &auth_id);
    let worker::Channels {
        commands,
        mut events,
    } = keeping(client, history.clone());
    let Report::History { warning: None, .. } = next(&mut events).await else {
        panic!("history first");
    };
    // Another process's connection makes every insert fail, as a full or
    // failing disk would.
    let other = rusqlite::Connection::open(history.store_path()).expect("open");
    other
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON credit_sample
             BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
        )
        .expect("trigger");
    record_three(&commands);
    let Report::HistoryUnwritable { error } = next(&mut events).await else {
        panic!("the failure is reported");
    };
    assert!(
        error.contains(&history.store_path().display().to_string()),
        "{error}"
    );
    assert!(error.contains("memory"), "{error}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(events.try_recv().is_err(), "and only once");
    other.execute_batch("DROP TRIGGER refuse").expect("drop");
    let sample = plivo_dash::monitor::Sample {
        at: jiff::Timestamp::now(),
        credits: rust_decimal::Decimal::TEN,
    };
    commands.send(Request::Record(sample)).expect("send");
    assert!(
        written(|| stored(dir.path(), &auth_id, sample.at).contains(&sample)).await,
        "written again once the store takes it"
    );
    assert!(events.try_recv().is_err(), "a good write says nothing");
}

#[tokio::test]
async fn a_server_that_never_answers_ends_in_a_timeout_event() {
    let server = CannedServer::start(Canned::Silent).await;
    let limits = Limits {
        timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let client = Client::with_limits(
        &crate::support::http(),
        &server.url,
        "MA2025RK4E639VJFZAGV",
        TOKEN.into(),
        limits,
    )
    .expect("client");
    let (_commands, mut events) = refreshing(client);
    let Report::Failed { op, error, .. } = next(&mut events).await else {
        panic!("a failure");
    };
    assert_eq!(op, Op::Refresh);
    assert_eq!(error, ApiError::Timeout(Duration::from_millis(300)));
}

/// A history file on a disk that does not answer (a FIFO with no writer
/// blocks whoever opens it) must not hold up the worker: the file is read
/// on the blocking pool, so the fetch goes ahead on the runtime's one
/// thread. Run on a thread of its own so that, were the runtime blocked,
/// the test fails by its deadline instead of hanging.
#[cfg(unix)]
#[test]
fn a_history_file_that_blocks_never_holds_up_a_fetch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let auth_id =
        plivo_dash::plivo::AuthId::parse(plivo_dash::sandbox::DEFAULT_AUTH_ID).expect("id");
    // The old history file, read to move it into the store.
    let file = dir.path().join(format!("{auth_id}.history"));
    let made = std::process::Command::new("mkfifo")
        .arg(&file)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let (done, result) = std::sync::mpsc::channel();
    let history = credit_history(dir.path(), &auth_id);
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let (_sandbox, client) = start(Vec::new()).await;
            let worker::Channels {
                commands,
                mut events,
            } = keeping(client, history);
            commands.send(Request::Refresh).expect("send");
            let event = next(&mut events).await;
            let _ = done.send(matches!(event, Report::Loaded { .. }));
        });
    });
    let loaded = result.recv_timeout(Duration::from_secs(20));
    // Let the blocked reader go: opening the FIFO's other end ends its wait
    // (read-write, which on Linux never blocks, even with no reader).
    let _ = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&file);
    assert_eq!(loaded, Ok(true), "the fetch went ahead while the file hung");
}

#[tokio::test(start_paused = true)]
async fn a_save_refused_with_retry_after_holds_the_next_save_back() {
    let fault = Fault {
        status: 429,
        retry_after: Some(30),
    };
    let (sandbox, client) = start(vec![fault]).await;
    let worker::Channels {
        commands,
        mut events,
    } = worker::spawn(client, options());
    let mut update = AccountUpdate::default();
    update.set(Field::City, "Metropolis");
    commands.send(Request::Save(update.clone())).expect("send");
    let Report::Failed { op: Op::Save, .. } = next(&mut events).await else {
        panic!("the first save meets the 429");
    };
    tokio::time::sleep(Duration::from_secs(3)).await;
    commands.send(Request::Save(update)).expect("send");
    let Report::Failed {
        op: Op::Save,
        error: ApiError::RateLimited {
            retry_after: Some(wait),
        },
        ..
    } = next(&mut events).await
    else {
        panic!("the second is refused without a request");
    };
    assert_eq!(wait, Duration::from_secs(27));
    assert_eq!(sandbox.requests(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_create_whose_read_back_fails_is_still_a_create() {
    // The create goes through; reading the new subaccount back does not.
    let (sandbox, client) = start(vec![Fault::PASS, Fault::status(503)]).await;
    let worker::Channels {
        commands,
        mut events,
    } = worker::spawn(client, options());
    let change = plivo_dash::plivo::SubaccountChange {
        name: "Dup".into(),
        enabled: true,
    };
    commands
        .send(Request::CreateSubaccount(change))
        .expect("send");
    let Report::SubaccountChanged {
        subaccount,
        created,
    } = next(&mut events).await
    else {
        panic!("a create, not a failure: retried, it would be made twice");
    };
    assert!(created);
    assert_eq!(subaccount.name, "Dup");
    let made = sandbox.subaccounts();
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].0, subaccount.auth_id);
    assert_eq!(sandbox.requests(), 2, "the create and the read-back");
}
