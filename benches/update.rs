//! One keystroke through `App::update`: typing into a field, moving focus.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use plivo_dash::app::Msg;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod support;

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn update(c: &mut Criterion) {
    let mut group = c.benchmark_group("update");
    let mut focused = support::loaded(60);
    focused.update(key(KeyCode::Tab));
    group.bench_function("type a character into a field", |b| {
        b.iter_batched_ref(
            || focused.clone(),
            |app| black_box(app.update(key(KeyCode::Char('x')))),
            BatchSize::SmallInput,
        );
    });
    group.bench_function("Tab to the next field", |b| {
        b.iter_batched_ref(
            || focused.clone(),
            |app| black_box(app.update(key(KeyCode::Tab))),
            BatchSize::SmallInput,
        );
    });
    let mut tz = support::loaded(60);
    tz.update(Msg::Key(KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    tz.update(key(KeyCode::Home));
    tz.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('k'),
        KeyModifiers::CONTROL,
    )));
    for c in "europe/".chars() {
        tz.update(key(KeyCode::Char(c)));
    }
    group.bench_function(
        "type into the timezone field (IANA check, suggestions)",
        |b| {
            b.iter_batched_ref(
                || tz.clone(),
                |app| black_box(app.update(key(KeyCode::Char('e')))),
                BatchSize::SmallInput,
            );
        },
    );
    group.finish();
}

criterion_group!(benches, update);
criterion_main!(benches);
