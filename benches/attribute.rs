//! Attribution as the sync runs it on every record: a million calls
//! attributed against the account's rented numbers, and the country of ten
//! thousand calls read from their numbers.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use plivo_dash::plivo::{Call, Number};
use plivo_dash::usage::attribute::{Countries, Numbers, Route, Source};

/// Rented numbers, a quarter of them the main account's.
const RENTED: u64 = 200;
/// Distinct calls, attributed over and over to make a million.
const CALLS: u64 = 10_000;
const RECORDS: usize = 1_000_000;

fn rented(i: u64) -> String {
    format!("1415555{:04}", i % RENTED)
}

fn numbers() -> Numbers {
    let numbers: Vec<Number> = (0..RENTED)
        .map(|i| {
            let sub_account = (i % 4 != 0).then(|| format!("SA{:018}", i % 7));
            serde_json::from_value(serde_json::json!({
                "number": rented(i),
                "monthly_rental_rate": "0.80000",
                "sub_account": sub_account,
            }))
            .expect("a number")
        })
        .collect();
    numbers.iter().collect()
}

/// Calls in both directions, some written with "+", one in ten through no
/// rented number, to the US, the UK and India.
fn calls() -> Vec<Call> {
    (0..CALLS)
        .map(|i| {
            let ours = if i % 10 == 0 {
                format!("1212555{:04}", i % 10_000)
            } else {
                rented(i)
            };
            let ours = if i % 2 == 0 { format!("+{ours}") } else { ours };
            let theirs = match i % 3 {
                0 => format!("1646555{:04}", i % 10_000),
                1 => format!("44207946{:04}", i % 10_000),
                _ => format!("9198765{:05}", i % 100_000),
            };
            let inbound = i % 5 == 0;
            let (from, to) = if inbound {
                (theirs, ours)
            } else {
                (ours, theirs)
            };
            serde_json::from_value(serde_json::json!({
                "call_uuid": format!("call-{i}"),
                "call_direction": if inbound { "inbound" } else { "outbound" },
                "from_number": from,
                "to_number": to,
                "end_time": "2026-12-05 12:00:00+00:00",
                "total_amount": "0.01300",
                "total_rate": "0.01300",
            }))
            .expect("a call")
        })
        .collect()
}

fn attribute(c: &mut Criterion) {
    let numbers = numbers();
    let calls = calls();
    let mut group = c.benchmark_group("attribute");
    group.sample_size(10);
    group.bench_function("1,000,000 calls by number", |b| {
        b.iter(|| {
            let mut known = 0_u64;
            for call in calls.iter().cycle().take(RECORDS) {
                let decided = numbers.attribute(Route::from(call), &Source::Account);
                known += u64::from(black_box(decided).owner().is_some());
            }
            known
        });
    });
    group.bench_function("country of 10,000 calls", |b| {
        b.iter(|| {
            calls
                .iter()
                // A fresh memo for each: the parse itself, every time.
                .filter(|call| black_box(Countries::default().of_call(call)).is_some())
                .count()
        });
    });
    group.finish();
}

criterion_group!(benches, attribute);
criterion_main!(benches);
