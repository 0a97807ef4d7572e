//! A simulated week on tokio's paused clock: two exporters, one watching a
//! single account and one a fleet of 20, every account polled every 5 s
//! over real HTTP against its own sandbox, which fails, rate-limits (short
//! and, once Retry-After has its ceiling, long `Retry-After`) and recovers
//! over and over; each exporter scraped every 15 s over HTTP. Nothing may
//! stall for longer than a period after a failure, no request may go out
//! inside a `Retry-After` or closer than the minimum gap, and the history
//! and what a scrape says stay bounded by the retention.
//!
//! About 2.5 million requests: minutes of one core, so `--ignored`:
//! `cargo test --test soak -- --ignored --nocapture`
//! (`PLIVO_DASH_SOAK_HOURS=8` for a shorter run). The figures of a run are
//! in docs/benchmarks.md.

mod support;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use plivo_dash::clock::Clock;
use plivo_dash::exporter::accounts::Accounts;
use plivo_dash::exporter::http;
use plivo_dash::exporter::state::Exported;
use plivo_dash::monitor::schedule::{self, IN_FLIGHT, MIN_GAP};
use plivo_dash::plivo::{ApiError, Tally};
use plivo_dash::sandbox::{Fault, Handle, Options};
use plivo_dash::worker::{self, Op, Report};
use rust_decimal::dec;
use support::exporter::value;
use tokio::sync::Semaphore;
use tokio::time::Instant;

const PERIOD: Duration = Duration::from_secs(5);
const SCRAPE: Duration = Duration::from_secs(15);
/// Short enough that a week trims it 168 times.
const RETENTION: SignedDuration = SignedDuration::from_hours(1);
/// Each account goes through every trouble once per cycle.
const CYCLE: Duration = Duration::from_secs(6 * 3600);
/// No trouble starts this close to the end, so every account ends healthy.
const QUIET_END: Duration = Duration::from_secs(3600);
/// Counted every 15 minutes (`exporter::state::RECOUNT`).
const RECOUNT: Duration = Duration::from_secs(15 * 60);

fn retry_after(status: u16, secs: u64) -> Fault {
    Fault {
        status,
        retry_after: Some(secs),
    }
}

/// The troubles of one cycle, in order, 90 minutes apart: an outage, a
/// short rate limit, a mix, and (`long`) a `Retry-After` of a day.
fn troubles(long: bool) -> Vec<Vec<Fault>> {
    let mut all = vec![
        [vec![Fault::status(503); 40], vec![Fault::status(500); 10]].concat(),
        vec![retry_after(429, 3); 12],
        vec![
            Fault::status(502),
            retry_after(429, 1),
            Fault::status(503),
            Fault::PASS,
            retry_after(429, 4),
            Fault::status(503),
            Fault::status(500),
        ],
    ];
    if long {
        all.push(vec![retry_after(429, 86_400); 3]);
    }
    all
}

/// What one account's fetches did, as its reports told.
#[derive(Debug, Default)]
struct Seen {
    fetches: usize,
    failed: usize,
    rate_limited: usize,
    last: Option<Instant>,
    /// The first success: the wait after it includes the account's phase.
    first_loaded: Option<Instant>,
    /// Nothing may go out before this (a 429's `Retry-After`, capped at
    /// the period).
    held_until: Option<Instant>,
    min_gap: Option<Duration>,
    max_gap: Duration,
    /// The last 5 s of fetches, for the most in any 5 s.
    window: VecDeque<Instant>,
    most_in_5s: usize,
    trouble: Vec<String>,
}

impl Seen {
    fn fetch(&mut self, now: Instant, report: &Report) {
        if let Some(last) = self.last {
            let gap = now - last;
            self.min_gap = Some(self.min_gap.map_or(gap, |g| g.min(gap)));
            if gap < MIN_GAP {
                self.trouble.push(format!("{gap:?} after the one before"));
            }
            if self.first_loaded != Some(last) {
                self.max_gap = self.max_gap.max(gap);
                if gap > PERIOD + MIN_GAP {
                    self.trouble.push(format!("stalled {gap:?}"));
                }
            }
            if self.held_until.is_some_and(|until| now < until) {
                self.trouble
                    .push(format!("sent inside a Retry-After, {gap:?} after the 429"));
            }
        }
        self.held_until = None;
        match report {
            Report::Loaded { .. } => {
                self.first_loaded.get_or_insert(now);
            }
            Report::Failed { error, .. } => {
                self.failed += 1;
                if let ApiError::RateLimited {
                    retry_after: Some(after),
                } = error
                {
                    self.rate_limited += 1;
                    self.held_until = Some(now + (*after).min(PERIOD));
                }
            }
            _ => {}
        }
        self.fetches += 1;
        self.last = Some(now);
        self.window.push_back(now);
        while self
            .window
            .front()
            .is_some_and(|t| now - *t >= Duration::from_secs(5))
        {
            self.window.pop_front();
        }
        self.most_in_5s = self.most_in_5s.max(self.window.len());
    }
}

/// What the scrapes of one exporter saw.
#[derive(Debug, Default)]
struct Scrapes {
    count: usize,
    largest: usize,
    /// The oldest balance a scrape showed, in seconds.
    stalest: f64,
    trouble: Vec<String>,
}

/// One exporter: its sandboxes, its accounts and what was seen of them.
struct Exporter {
    sandboxes: Vec<Handle>,
    tallies: Vec<Tally>,
    accounts: Arc<Mutex<Accounts>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    scrapes: Arc<Mutex<Scrapes>>,
    url: String,
}

fn profile(first: usize, i: usize) -> String {
    format!("p{}", first + i)
}

/// An exporter of `n` accounts (profiles `p{first}`…), as `commands::exporter`
/// wires one, with `clock` for the samples, serving on a free port.
async fn exporter(first: usize, n: usize, clock: Clock) -> Exporter {
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut sandboxes = Vec::new();
    let mut tallies = Vec::new();
    let mut exported = Vec::new();
    let mut workers = Vec::new();
    for i in 0..n {
        let mut account = plivo_dash::sandbox::demo_account();
        account.cash_credits = dec!(100000);
        let (sandbox, client) = support::sandbox_and_client(Options {
            auth_id: format!("MA2025SOAK{:010}", first + i),
            account,
            drain_per_min: dec!(0.06),
            ..Options::default()
        })
        .await;
        let tally = Tally::default();
        let client = client.with_tally(tally.clone());
        exported.push(Exported::new(
            &profile(first, i),
            &sandbox.auth_id,
            PERIOD,
            RETENTION,
            tally.clone(),
        ));
        let channels = worker::spawn(
            client,
            worker::Options {
                clock,
                shared: Some(worker::Shared {
                    slot: schedule::slot(i, n, PERIOD),
                    gate: gate.clone(),
                }),
                ..worker::Options::every(PERIOD)
            },
        );
        workers.push(Some(channels));
        sandboxes.push(sandbox);
        tallies.push(tally);
    }
    let (accounts, readings) = Accounts::new(exported);
    let mut workers = worker::Workers::new(workers);
    let accounts = Arc::new(Mutex::new(accounts));
    let seen: Arc<Mutex<Vec<Seen>>> =
        Arc::new(Mutex::new((0..n).map(|_| Seen::default()).collect()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!(
        "http://{}/metrics",
        listener.local_addr().expect("its address")
    );
    tokio::spawn(http::serve(
        listener,
        http::router(readings),
        usize::from(http::MAX_CONNECTIONS),
        std::future::pending(),
    ));
    {
        let (accounts, seen) = (accounts.clone(), seen.clone());
        tokio::spawn(async move {
            while let Some((i, report)) = workers.next().await {
                if let Some(
                    report @ (Report::Loaded { .. }
                    | Report::Failed {
                        op: Op::Refresh, ..
                    }),
                ) = &report
                {
                    seen.lock().expect("not poisoned")[i].fetch(Instant::now(), report);
                }
                let asks = accounts
                    .lock()
                    .expect("not poisoned")
                    .take(i, report, clock.now());
                for ask in asks {
                    workers.send(i, ask);
                }
            }
        });
    }
    let scrapes = Arc::new(Mutex::new(Scrapes::default()));
    {
        let (scrapes, url) = (scrapes.clone(), url.clone());
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut ticks = tokio::time::interval(SCRAPE);
            loop {
                ticks.tick().await;
                let body = match client.get(&url).send().await {
                    Ok(r) if r.status() == 200 => r.text().await.unwrap_or_default(),
                    Ok(r) => format!("status {}", r.status()),
                    Err(e) => format!("no answer: {e}"),
                };
                let now = clock.now().as_millisecond() as f64 / 1000.0;
                let mut s = scrapes.lock().expect("not poisoned");
                s.count += 1;
                s.largest = s.largest.max(body.len());
                for i in 0..n {
                    let labels = format!("profile=\"{}\"", profile(first, i));
                    if value(&body, "plivo_account_up", &[&labels]).is_none() {
                        s.trouble.push(format!("{labels} missing: {body}"));
                        continue;
                    }
                    if let Some(at) = value(
                        &body,
                        "plivo_account_last_success_timestamp_seconds",
                        &[&labels],
                    ) {
                        s.stalest = s.stalest.max(now - at);
                    }
                }
                s.trouble.truncate(10);
            }
        });
    }
    Exporter {
        sandboxes,
        tallies,
        accounts,
        seen,
        scrapes,
        url,
    }
}

/// The process's resident memory, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn hours() -> u64 {
    std::env::var("PLIVO_DASH_SOAK_HOURS")
        .ok()
        .and_then(|h| h.parse().ok())
        .unwrap_or(7 * 24)
}

async fn soak(long: bool) {
    let wall = std::time::Instant::now();
    let total = Duration::from_secs(hours() * 3600);
    let start = Instant::now();
    let clock = Clock::starting_at(Timestamp::now());
    let exporters = [exporter(0, 1, clock).await, exporter(1, 20, clock).await];
    // Every account's troubles, staggered 3 minutes apart.
    let mut plan: Vec<(Duration, usize, usize, Vec<Fault>)> = Vec::new();
    let phases = troubles(long);
    let mut cycle = Duration::ZERO;
    while cycle < total {
        for (k, faults) in phases.iter().enumerate() {
            for (e, exporter) in exporters.iter().enumerate() {
                for i in 0..exporter.sandboxes.len() {
                    let account = u32::try_from(e + i).expect("fits");
                    let at = cycle
                        + Duration::from_secs(20 * 60 + 90 * 60 * u64::try_from(k).expect("fits"))
                        + Duration::from_secs(180) * account;
                    if at + QUIET_END < total {
                        plan.push((at, e, i, faults.clone()));
                    }
                }
            }
        }
        cycle += CYCLE;
    }
    plan.sort_by_key(|(at, ..)| *at);
    let mut plan = plan.into_iter().peekable();
    let mut day = Duration::ZERO;
    let mut rss = Vec::new();
    loop {
        let next_day = (day + Duration::from_secs(24 * 3600)).min(total);
        let next = plan.peek().map_or(next_day, |(at, ..)| (*at).min(next_day));
        tokio::time::sleep_until(start + next).await;
        if next == next_day {
            day = next_day;
            // Bounded by the retention, whatever came before.
            let most = usize::try_from(RETENTION.as_secs()).expect("fits")
                / usize::try_from(PERIOD.as_secs()).expect("fits")
                + 1;
            for exporter in &exporters {
                for exported in exporter.accounts.lock().expect("not poisoned").exported() {
                    let samples = exported.history().samples();
                    assert!(samples.len() <= most, "{} samples", samples.len());
                    let span = samples
                        .back()
                        .expect("a sample")
                        .at
                        .duration_since(samples[0].at);
                    assert!(span <= RETENTION, "{span:?}");
                }
            }
            rss.push(rss_kib());
            eprintln!(
                "{} h: {} KiB resident, {:?} so far",
                day.as_secs() / 3600,
                rss_kib(),
                wall.elapsed()
            );
            if day == total {
                break;
            }
            continue;
        }
        let (_, e, i, faults) = plan.next().expect("planned");
        exporters[e].sandboxes[i].inject(faults);
    }
    // The last hour was quiet: everyone is up, the last balance fresh.
    let mut requests = 0;
    let mut fetches = 0;
    let mut failed = 0;
    let mut rate_limited = 0;
    let mut max_gap = Duration::ZERO;
    let mut min_gap = Duration::MAX;
    let mut most_in_5s = 0;
    let mut scrapes = 0;
    let mut stalest: f64 = 0.0;
    let mut largest = 0;
    let counts = usize::try_from(total.as_secs() / RECOUNT.as_secs()).expect("fits") + 1;
    for exporter in &exporters {
        let body = reqwest::get(&exporter.url)
            .await
            .expect("answered")
            .text()
            .await
            .expect("a body");
        let now = clock.now().as_millisecond() as f64 / 1000.0;
        let seen = exporter.seen.lock().expect("not poisoned");
        for (i, seen) in seen.iter().enumerate() {
            assert!(seen.trouble.is_empty(), "account {i}: {:?}", seen.trouble);
            let labels = format!("auth_id=\"{}\"", exporter.sandboxes[i].auth_id);
            assert_eq!(
                value(&body, "plivo_account_up", &[&labels]),
                Some(1.0),
                "{body}"
            );
            let at = value(
                &body,
                "plivo_account_last_success_timestamp_seconds",
                &[&labels],
            )
            .expect("a balance read");
            assert!(now - at <= (PERIOD + MIN_GAP).as_secs_f64(), "{}", now - at);
            // Every request the sandbox saw is a fetch, or a count at most
            // every 15 minutes; the client counted the same.
            let sent = exporter.sandboxes[i].requests();
            let tallied: u64 = exporter.tallies[i].counts().iter().map(|(_, n)| n).sum();
            assert_eq!(u64::try_from(sent).expect("fits"), tallied);
            assert!(
                sent >= seen.fetches && sent <= seen.fetches + counts,
                "{sent}"
            );
            requests += sent;
            fetches += seen.fetches;
            failed += seen.failed;
            rate_limited += seen.rate_limited;
            max_gap = max_gap.max(seen.max_gap);
            min_gap = min_gap.min(seen.min_gap.unwrap_or(Duration::MAX));
            most_in_5s = most_in_5s.max(seen.most_in_5s);
            if total >= CYCLE {
                assert!(seen.rate_limited > 0 && seen.failed > seen.rate_limited);
            }
        }
        let s = exporter.scrapes.lock().expect("not poisoned");
        assert!(s.trouble.is_empty(), "{:?}", s.trouble);
        scrapes += s.count;
        stalest = stalest.max(s.stalest);
        largest = largest.max(s.largest);
    }
    // Plivo allows 300 requests per 5 s; the gap allows 20.
    assert!(most_in_5s <= 20, "{most_in_5s}");
    assert!(min_gap >= MIN_GAP);
    eprintln!(
        "soak{}: {} h simulated in {:.0?}: {requests} requests ({fetches} fetches, {failed} failed, \
         {rate_limited} rate-limited), {scrapes} scrapes (largest {largest} bytes), longest gap \
         between fetches {max_gap:?}, shortest {min_gap:?}, most in 5 s {most_in_5s}, stalest \
         balance scraped {stalest:.1} s, resident KiB at each day's end {rss:?}",
        if long { " (long Retry-After)" } else { "" },
        total.as_secs() / 3600,
        wall.elapsed()
    );
    if let (Some(first), Some(last)) = (rss.first(), rss.last()) {
        assert!(*last <= first + first / 2, "memory grew: {rss:?}");
    }
}

#[tokio::test(start_paused = true)]
#[ignore = "a simulated week, minutes of one core: cargo test --test soak -- --ignored"]
async fn a_week_of_failures_and_short_rate_limits_never_stalls_or_grows() {
    soak(false).await;
}

/// Needs `Retry-After` capped at the polling period (issue 20, item 4):
/// without it a `Retry-After` of a day holds an account back for the hour
/// `MAX_RETRY_AFTER` allows, and the stall check fails.
#[tokio::test(start_paused = true)]
#[ignore = "a simulated week, minutes of one core: cargo test --test soak -- --ignored"]
async fn a_week_with_day_long_retry_after_too_never_stalls() {
    soak(true).await;
}
