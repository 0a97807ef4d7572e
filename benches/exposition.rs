//! Encoding `/metrics` for 100 accounts, each with every series (balance,
//! burn rate, runway, info, request counts), in both formats: the part of a
//! scrape that grows with the fleet.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::{SignedDuration, Timestamp};
use plivo_dash::exporter::metrics::{Exposition, Format};
use plivo_dash::exporter::state::{Exported, Reading};
use plivo_dash::monitor::RETENTION;
use plivo_dash::plivo::{Answer, Tally};
use plivo_dash::worker::Report;
use rust_decimal::Decimal;

/// Account `i`, two hours of a balance falling by a cent a minute.
fn reading(i: usize, now: Timestamp) -> Reading {
    let tally = Tally::default();
    let mut exported = Exported::new(
        &format!("profile{i}"),
        &format!("MA2025SANDBOX{i:07}"),
        Duration::from_secs(60),
        RETENTION,
        tally.clone(),
    );
    for minute in 0..120 {
        let mut account = plivo_dash::sandbox::demo_account();
        account.auth_id = format!("MA2025SANDBOX{i:07}");
        account.name = format!("Account \"{i}\" 🚀");
        account.cash_credits = Decimal::from(500) - Decimal::new(minute, 2);
        let at = now - SignedDuration::from_mins(120 - minute);
        exported.update(
            Report::Loaded {
                account: Box::new(account),
                at,
            },
            at,
        );
        tally.count(Answer::Status(200));
    }
    exported.update(Report::SubaccountCount { total: 7 }, now);
    tally.count(Answer::Status(503));
    tally.count(Answer::None);
    exported.reading().clone()
}

fn exposition(c: &mut Criterion) {
    let now = Timestamp::now();
    let readings: Vec<Reading> = (0..100).map(|i| reading(i, now)).collect();
    assert!(
        readings.iter().all(|r| r.runway.is_some()),
        "every series present"
    );
    let (_publish, receiver) = tokio::sync::watch::channel(readings);
    let exposition = Exposition::new(receiver);
    let mut group = c.benchmark_group("exposition");
    group.bench_function("100 accounts, 0.0.4 text", |b| {
        b.iter(|| exposition.encode(black_box(Format::Text)).expect("encodes"));
    });
    group.bench_function("100 accounts, OpenMetrics", |b| {
        b.iter(|| {
            exposition
                .encode(black_box(Format::OpenMetrics))
                .expect("encodes")
        });
    });
    group.finish();
}

criterion_group!(benches, exposition);
criterion_main!(benches);
