//! A fleet's workers under one timetable, against real sandboxes on
//! tokio's paused clock: first fetches close together but never in one
//! burst, later polls spread over the period, one account's failures back
//! off without touching the others, and never more than a few requests in
//! flight.

use crate::support;

use std::sync::Arc;
use std::time::Duration;

use plivo_dash::monitor::schedule::{self, IN_FLIGHT, Slot};
use plivo_dash::sandbox::{Fault, Handle, Options};
use plivo_dash::worker::{self, Report};
use tokio::sync::{Semaphore, mpsc};
use tokio::time::Instant;

const PERIOD: Duration = Duration::from_secs(60);

/// `n` sandboxes, each with a worker in a fleet of `n`, at `slots`; every
/// report arrives tagged with its member and the time.
async fn fleet(
    options: impl Fn(usize) -> Options,
    slots: impl Fn(usize) -> Slot,
    n: usize,
) -> (
    Vec<Handle>,
    mpsc::UnboundedReceiver<(usize, Instant, Report)>,
) {
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let (tx, rx) = mpsc::unbounded_channel();
    let mut handles = Vec::new();
    for i in 0..n {
        let (handle, client) = support::sandbox_and_client(options(i)).await;
        let worker::Channels {
            commands,
            mut events,
        } = worker::spawn(
            client,
            worker::Options {
                shared: Some(worker::Shared {
                    slot: slots(i),
                    gate: gate.clone(),
                }),
                ..worker::Options::every(PERIOD)
            },
        );
        let tx = tx.clone();
        tokio::spawn(async move {
            // Held so the worker lives as long as the test.
            let _commands = commands;
            while let Some(report) = events.recv().await {
                let _ = tx.send((i, Instant::now(), report));
            }
        });
        handles.push(handle);
    }
    (handles, rx)
}

async fn loads(
    rx: &mut mpsc::UnboundedReceiver<(usize, Instant, Report)>,
    count: usize,
    start: Instant,
) -> Vec<(usize, Duration)> {
    let mut out = Vec::new();
    while out.len() < count {
        let (i, at, report) = tokio::time::timeout(Duration::from_secs(3600), rx.recv())
            .await
            .expect("the workers report")
            .expect("a report");
        if matches!(report, Report::Loaded { .. }) {
            out.push((i, at - start));
        }
    }
    out
}

#[tokio::test(start_paused = true)]
async fn first_fetches_come_close_together_then_polls_spread_over_the_period() {
    let n = 20;
    let start = Instant::now();
    let (_sandboxes, mut rx) =
        fleet(|_| Options::default(), |i| schedule::slot(i, n, PERIOD), n).await;
    let first = loads(&mut rx, n, start).await;
    for (i, at) in &first {
        assert_eq!(
            *at,
            schedule::FILL_GAP * u32::try_from(*i).unwrap(),
            "member {i}"
        );
    }
    let second = loads(&mut rx, n, start).await;
    for (i, at) in &second {
        let slot = PERIOD / 20 * u32::try_from(*i).unwrap();
        assert_eq!(*at, PERIOD + slot, "member {i}: evenly over the period");
    }
    // The timeline's worst 100 ms holds as many first fetches as the gap
    // lets in (three, 40 ms apart), and one later poll.
    let window = |times: &[(usize, Duration)]| {
        times
            .iter()
            .map(|(_, a)| {
                times
                    .iter()
                    .filter(|(_, b)| *b >= *a && *b < *a + Duration::from_millis(100))
                    .count()
            })
            .max()
            .unwrap_or(0)
    };
    let per_window = 100u128.div_ceil(schedule::FILL_GAP.as_millis());
    assert_eq!(window(&first), usize::try_from(per_window).unwrap());
    assert_eq!(window(&second), 1);
}

#[tokio::test(start_paused = true)]
async fn one_account_backs_off_while_the_others_keep_their_period() {
    let n = 3;
    let start = Instant::now();
    let (sandboxes, mut rx) = fleet(
        |i| Options {
            faults: if i == 1 {
                vec![Fault::status(503); 3]
            } else {
                Vec::new()
            },
            ..Options::default()
        },
        |i| schedule::slot(i, n, PERIOD),
        n,
    )
    .await;
    let mut failures = Vec::new();
    let mut loaded = Vec::new();
    while loaded.len() < 6 {
        let (i, at, report) = rx.recv().await.expect("a report");
        match report {
            Report::Failed { retry_in, .. } => failures.push((i, at - start, retry_in)),
            Report::Loaded { .. } => loaded.push((i, at - start)),
            _ => {}
        }
    }
    assert_eq!(failures.len(), 3, "{failures:?}");
    assert!(failures.iter().all(|(i, ..)| *i == 1));
    // Backing off: each wait about double the one before, within the jitter.
    for (k, (_, _, retry_in)) in failures.iter().enumerate() {
        let step = Duration::from_secs(1 << k);
        let retry_in = retry_in.expect("a retry time");
        assert!(
            retry_in <= step && retry_in >= step / 2,
            "{k}: {retry_in:?}"
        );
    }
    // The others polled at their own times, untouched.
    let of = |who: usize| -> Vec<Duration> {
        loaded
            .iter()
            .filter(|(i, _)| *i == who)
            .map(|(_, at)| *at)
            .collect()
    };
    assert_eq!(of(0), [Duration::ZERO, PERIOD]);
    assert_eq!(
        of(2),
        [schedule::FILL_GAP * 2, PERIOD + PERIOD / 3 * 2],
        "its slot"
    );
    assert_eq!(sandboxes[0].requests(), 2);
    let recovered = of(1);
    assert!(
        recovered[0] < Duration::from_secs(8),
        "back within 1 + 2 + 4 s: {recovered:?}"
    );
    assert_eq!(
        sandboxes[1].requests(),
        3 + recovered.len(),
        "three failures, then only its polls"
    );
}

#[tokio::test(start_paused = true)]
async fn no_more_than_a_few_requests_are_ever_in_flight() {
    let n = 10;
    let start = Instant::now();
    // Every first fetch due at once, each answer a second in coming.
    let (_sandboxes, mut rx) = fleet(
        |_| Options {
            latency: Duration::from_secs(1),
            ..Options::default()
        },
        |_| Slot {
            first: Duration::ZERO,
            phase: Duration::ZERO,
        },
        n,
    )
    .await;
    let mut times: Vec<Duration> = loads(&mut rx, n, start)
        .await
        .into_iter()
        .map(|(_, at)| at)
        .collect();
    times.sort();
    let secs = |s| Duration::from_secs(s);
    assert_eq!(
        times,
        [
            secs(1),
            secs(1),
            secs(1),
            secs(1),
            secs(2),
            secs(2),
            secs(2),
            secs(2),
            secs(3),
            secs(3)
        ],
        "{IN_FLIGHT} at a time"
    );
}
