//! Reading the API's answers: the Account object and an error body.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use plivo_dash::plivo::Account;

const ACCOUNT: &str = include_str!("../assets/demo-account.json");

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    group.bench_function("Account object", |b| {
        b.iter(|| serde_json::from_str::<Account>(black_box(ACCOUNT)).expect("parses"));
    });
    let account: Account = serde_json::from_str(ACCOUNT).expect("parses");
    group.bench_function("Account to JSON (get --json)", |b| {
        b.iter(|| serde_json::to_string_pretty(black_box(&account)).expect("serialises"));
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
