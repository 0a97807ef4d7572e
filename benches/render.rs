//! A full frame of the dashboard rendered to ratatui's TestBackend.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jiff::SignedDuration;
use plivo_dash::app::Msg;
use plivo_dash::monitor::{MAX_SAMPLES, RETENTION, chart};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

mod support;

fn render(c: &mut Criterion) {
    let app = support::loaded(24 * 60);
    let mut group = c.benchmark_group("render");
    for (w, h) in [(80, 24), (120, 40), (240, 70)] {
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        group.bench_function(format!("render {w}x{h}"), |b| {
            b.iter(|| {
                // Our part of a frame: every widget into the buffer, without
                // ratatui's diff against the last frame and the write-out.
                let mut frame = terminal.get_frame();
                black_box(&app).render(&mut frame);
                terminal.current_buffer_mut().reset();
            });
        });
        group.bench_function(format!("frame, unchanged {w}x{h}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| black_box(&app).render(frame))
                    .expect("draw");
            });
        });
        group.bench_function(format!("full frame {w}x{h}"), |b| {
            b.iter(|| {
                // Clearing forces a whole frame, not a diff against the last.
                terminal.clear().expect("clear");
                terminal
                    .draw(|frame| black_box(&app).render(frame))
                    .expect("draw");
            });
        });
    }
    group.finish();
}

/// The chart with the most history a monitor keeps: 20,000 samples over
/// the week retained. A frame draws the columns downsampled when the
/// history last changed; the downsampling itself is measured apart.
fn chart(c: &mut Criterion) {
    let samples = i64::try_from(MAX_SAMPLES).expect("fits");
    let step = RETENTION / i32::try_from(samples).expect("fits");
    let mut app = support::spaced(samples, step);
    assert_eq!(
        app.tracker.history().samples().len(),
        MAX_SAMPLES,
        "all retained"
    );
    let mut group = c.benchmark_group("chart");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    for range in ["24 h", "7 d"] {
        if range == "7 d" {
            let v = KeyEvent::new(KeyCode::Char('v'), KeyModifiers::NONE);
            while app.chart_range != chart::Range::Kept {
                app.update(Msg::Key(v));
            }
        }
        group.bench_function(format!("render 120x40, {range} of 20,000 samples"), |b| {
            b.iter(|| {
                let mut frame = terminal.get_frame();
                black_box(&app).render(&mut frame);
                terminal.current_buffer_mut().reset();
            });
        });
    }
    let (from, to) = (support::now() - RETENTION, support::now());
    group.bench_function("downsample 20,000 samples to 232 columns", |b| {
        b.iter(|| {
            chart::plot(
                black_box(app.tracker.history().samples()),
                from,
                to,
                232,
                SignedDuration::from_mins(10),
            )
        });
    });
    group.finish();
}

/// The fleet screen with 100 accounts, each with a day of history: a
/// frame of the table, and the second's tick that reaches every account.
fn fleet(c: &mut Criterion) {
    use plivo_dash::app::fleet::{Fleet, FleetMsg, Member};
    let members = (0..100)
        .map(|i| {
            let mut app = support::loaded(24 * 60);
            app.session.in_fleet = true;
            Member::new(&format!("account-{i:03}"), None, false, app)
        })
        .collect();
    let mut fleet = Fleet::new(members, None);
    fleet.update(FleetMsg::Term(Msg::Resize(120, 40)));
    let mut group = c.benchmark_group("fleet");
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    group.bench_function("render 120x40, 100 accounts", |b| {
        b.iter(|| {
            let mut frame = terminal.get_frame();
            black_box(&fleet).render(&mut frame);
            terminal.current_buffer_mut().reset();
        });
    });
    group.bench_function("full frame 120x40, 100 accounts", |b| {
        b.iter(|| {
            terminal.clear().expect("clear");
            terminal
                .draw(|frame| black_box(&fleet).render(frame))
                .expect("draw");
        });
    });
    // Inside one minute: only "12 s ago" moves.
    let mut second = 0;
    group.bench_function("a second's tick through 100 accounts", |b| {
        b.iter(|| {
            second += 1;
            let now = support::now() + SignedDuration::from_secs(second % 30);
            fleet.update(FleetMsg::Term(Msg::Tick(black_box(now))))
        });
    });
    // Each new minute moves every chart's end: 100 accounts downsampled.
    let mut minute = 0;
    group.bench_function("a minute's tick through 100 accounts", |b| {
        b.iter(|| {
            minute += 1;
            let now = support::now() + SignedDuration::from_mins(minute % 2);
            fleet.update(FleetMsg::Term(Msg::Tick(black_box(now))))
        });
    });
    group.finish();
}

criterion_group!(benches, render, chart, fleet);
criterion_main!(benches);
