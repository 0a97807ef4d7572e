//! A full frame of the dashboard rendered to ratatui's TestBackend.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use plivo_dash::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

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
                ui::render(black_box(&app), &mut frame);
                terminal.current_buffer_mut().reset();
            });
        });
        group.bench_function(format!("frame, unchanged {w}x{h}"), |b| {
            b.iter(|| {
                terminal
                    .draw(|frame| ui::render(black_box(&app), frame))
                    .expect("draw");
            });
        });
        group.bench_function(format!("full frame {w}x{h}"), |b| {
            b.iter(|| {
                // Clearing forces a whole frame, not a diff against the last.
                terminal.clear().expect("clear");
                terminal
                    .draw(|frame| ui::render(black_box(&app), frame))
                    .expect("draw");
            });
        });
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
