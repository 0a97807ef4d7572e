//! The subaccounts screen at a thousand rows: a key typed into the filter
//! through `App::update`, and a frame of the filtered table.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use plivo_dash::app::{App, Msg};
use plivo_dash::plivo::Subaccount;
use plivo_dash::worker::Report;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod support;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// The dashboard with the subaccounts screen open on `n` rows.
fn listed(n: u32) -> App {
    let mut app = support::loaded(60);
    app.update(key(KeyCode::Char('s')));
    let subaccounts: Vec<Subaccount> = (0..n)
        .map(|i| {
            serde_json::from_value(serde_json::json!({
                "auth_id": format!("SA{i:018}"),
                "auth_token": "x".repeat(40),
                "name": format!("{} {i}", ["Gotham Support", "Wayne Tower", "Metropolis Ops"][i as usize % 3]),
                "enabled": i % 3 != 0,
                "created": "2026-11-20",
            }))
            .expect("a subaccount")
        })
        .collect();
    app.update(Msg::Worker(Report::SubaccountsPage {
        offset: 0,
        total: n,
        subaccounts,
    }));
    app.update(Msg::Worker(Report::SubaccountsListed {
        disagreement: None,
    }));
    app
}

fn subaccounts(c: &mut Criterion) {
    let mut group = c.benchmark_group("subaccounts");
    let mut filtering = listed(1000);
    filtering.update(key(KeyCode::Char('/')));
    filtering.update(key(KeyCode::Char('w')));
    group.bench_function("update: a key into the filter, 1,000 rows", |b| {
        b.iter_batched_ref(
            || filtering.clone(),
            |app| black_box(app.update(key(KeyCode::Char('a')))),
            BatchSize::SmallInput,
        );
    });
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    group.bench_function("render 120x40: the filtered table, 1,000 rows", |b| {
        b.iter(|| {
            let mut frame = terminal.get_frame();
            black_box(&filtering).render(&mut frame);
            terminal.current_buffer_mut().reset();
        });
    });
    let all = listed(1000);
    group.bench_function("render 120x40: the whole table, 1,000 rows", |b| {
        b.iter(|| {
            let mut frame = terminal.get_frame();
            black_box(&all).render(&mut frame);
            terminal.current_buffer_mut().reset();
        });
    });
    group.bench_function("draw 120x40 after the key: update and frame", |b| {
        b.iter_batched_ref(
            || filtering.clone(),
            |app| {
                app.update(key(KeyCode::Char('a')));
                terminal
                    .draw(|frame| black_box(app).render(frame))
                    .expect("draw");
            },
            BatchSize::SmallInput,
        );
    });
    group.finish();
}

criterion_group!(benches, subaccounts);
criterion_main!(benches);
