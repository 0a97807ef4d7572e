//! The usage store at a million records: inserting them page by page, the
//! "by country" totals over all of them, opening (with its integrity check),
//! the file's size, spike detection's reads after a sync, and the usage
//! screen's (a window switch) with a frame drawn from what it read. The million-record database is built once per run.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::Timestamp;
use plivo_dash::app::Msg;
use plivo_dash::store::Narrow;
use plivo_dash::store::{Decided, GroupBy, Kind, Store, SyncPosition, UsageRecord};
use plivo_dash::usage::spike::{self, Thresholds};
use plivo_dash::usage::view::{self, Query, Window};
use plivo_dash::worker::Report;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rust_decimal::Decimal;

mod support;

const ACCOUNT: &str = "MA2025RK4E639VJFZAGV";
const RECORDS: i64 = 1_000_000;
/// Records per transaction, as the sync stores a run of pages.
const BATCH: i64 = 1_000;
const START: i64 = 1_780_000_000;
/// The records are spread over 90 days, Plivo's furthest.
const SPAN: i64 = 90 * 86_400;
const COUNTRIES: [&str; 10] = ["US", "GB", "IN", "DE", "FR", "BR", "AU", "CA", "MX", "JP"];

/// Batch `n` of a realistic million: random uuids, 20 numbers over 5
/// subaccounts and the main account, 10 countries (calls and messages are
/// alternate batches).
fn batch(rng: &mut fastrand::Rng, n: i64) -> Vec<UsageRecord> {
    (n * BATCH..(n + 1) * BATCH)
        .map(|i| {
            let number = rng.u8(..20);
            // A record belongs to its number's subaccount (or the main account).
            let subaccount = number % 6;
            // The rented number is the caller outbound and the one called
            // inbound; the other end is anyone.
            let ours = format!("141555501{number:02}");
            let theirs = format!("4477009{:05}", rng.u32(..100_000));
            let inbound = rng.u8(..4) == 0;
            let (from, to) = if inbound {
                (theirs, ours)
            } else {
                (ours, theirs)
            };
            UsageRecord {
                uuid: uuid::Uuid::from_u128(rng.u128(..)).to_string(),
                at: Timestamp::from_second(START + i * SPAN / RECORDS).expect("in range"),
                direction: if inbound { "inbound" } else { "outbound" }.to_owned(),
                from,
                to,
                country: Some(COUNTRIES[rng.usize(..COUNTRIES.len())].to_owned()),
                // Odd batches are messages, of Plivo's three types.
                message_type: (n % 2 == 1)
                    .then(|| ["sms", "sms", "sms", "mms", "whatsapp"][rng.usize(..5)].to_owned()),
                subaccount: (subaccount > 0).then(|| format!("SA{subaccount:018}")),
                decided: (subaccount > 0).then_some(Decided::Number),
                amount: Decimal::new(rng.i64(35..120_000), 5),
            }
        })
        .collect()
}

fn fill(path: &Path) -> Store {
    let mut store = Store::open(path, Timestamp::now()).expect("opens").store;
    let mut rng = fastrand::Rng::with_seed(22);
    for n in 0..RECORDS / BATCH {
        let position = SyncPosition {
            newest: Some(Timestamp::from_second(START + SPAN).expect("in range")),
            ..SyncPosition::default()
        };
        let kind = if n % 2 == 0 {
            Kind::Call
        } else {
            Kind::Message
        };
        store
            .insert_page(ACCOUNT, kind, &batch(&mut rng, n), &position)
            .expect("inserts");
    }
    store
}

fn store(c: &mut Criterion) {
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    group.bench_function(
        "insert 1,000,000 records in 1,000-record transactions",
        |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let dir = tempfile::tempdir().expect("tempdir");
                    let started = Instant::now();
                    drop(fill(&dir.path().join("store.sqlite3")));
                    spent += started.elapsed();
                }
                spent
            });
        },
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("store.sqlite3");
    // Closed once so the log is checkpointed into the file measured.
    drop(fill(&path));
    let size = std::fs::metadata(&path).expect("exists").len();
    println!(
        "store: {RECORDS} records take {:.1} MiB ({size} bytes)",
        size as f64 / 1_048_576.0
    );
    group.bench_function("open a 1,000,000-record store (integrity check)", |b| {
        b.iter(|| Store::open(black_box(&path), Timestamp::now()).expect("opens"));
    });
    let store = Store::open(&path, Timestamp::now()).expect("opens").store;
    let from = Timestamp::from_second(START).expect("in range");
    let to = Timestamp::from_second(START + SPAN).expect("in range");
    for (name, by) in [
        ("totals by country over 1,000,000 records", GroupBy::Country),
        ("totals by day over 1,000,000 records", GroupBy::Day),
        ("totals by number over 1,000,000 records", GroupBy::Number),
        ("totals by product over 1,000,000 records", GroupBy::Product),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                store
                    .totals(ACCOUNT, black_box(from), to, by)
                    .expect("totals")
            });
        });
    }
    let thresholds = Thresholds {
        factor: Decimal::from(3),
        new_destination: Decimal::ONE,
    };
    group.bench_function(
        "spike detection's reads over 1,000,000 records (per sync)",
        |b| {
            b.iter(|| {
                spike::observe(&store, ACCOUNT, black_box(to), Some(from), &thresholds)
                    .expect("observed")
            });
        },
    );
    group.finish();
    usage_screen(c, &store, to);
}

/// The usage screen over the same million records: a window switch's read
/// (what the worker does off the runtime's threads when a key changes the
/// window or the narrowing), and a frame of the screen drawn from the view
/// so read (never from the store).
fn usage_screen(c: &mut Criterion, store: &Store, now: Timestamp) {
    let mut group = c.benchmark_group("usage screen");
    group.sample_size(10);
    let query = |window, narrow| Query {
        window,
        narrow,
        zone: "America/New_York".to_owned(),
    };
    for (name, query) in [
        ("read the last 24 h", query(Window::Day, None)),
        ("read the month to date", query(Window::Month, None)),
        (
            "read the month to date narrowed to a subaccount",
            query(
                Window::Month,
                Some(Narrow::Subaccount(Some(format!("SA{:018}", 1)))),
            ),
        ),
        (
            "read the month to date narrowed to a country",
            query(Window::Month, Some(Narrow::Country(Some("US".to_owned())))),
        ),
    ] {
        group.bench_function(format!("{name}, 1,000,000 records"), |b| {
            b.iter(|| view::read(store, ACCOUNT, black_box(&query), now).expect("read"));
        });
    }
    let mut app = support::loaded(24 * 60);
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::NONE,
    )));
    let query = query(Window::Month, None);
    let read = view::read(store, ACCOUNT, &query, now).expect("read");
    app.update(Msg::Worker(Report::UsageView {
        query,
        view: Ok(Box::new(read)),
    }));
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    group.bench_function("render 120x40, the month of 1,000,000 records", |b| {
        b.iter(|| {
            let mut frame = terminal.get_frame();
            black_box(&app).render(&mut frame);
            terminal.current_buffer_mut().reset();
        });
    });
    group.finish();
}

criterion_group!(benches, store);
criterion_main!(benches);
