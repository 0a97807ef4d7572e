//! Memory after many polls: the worker, the app, the history store and a
//! frame per poll, against the in-process sandbox on tokio's paused clock (so
//! 10,000 one-second polls take seconds). Prints resident memory after 100,
//! 1,000, 10,000 and 30,000 polls: it must level off, not grow with polls.
//!
//! `cargo bench --bench memory`

use std::time::Duration;

use plivo_dash::app::Msg;
use plivo_dash::clock::Clock;
use plivo_dash::plivo::{AuthId, Client};
use plivo_dash::sandbox::{self, Options};
use plivo_dash::store::CreditHistory;
use plivo_dash::worker::{self, Report};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rust_decimal::Decimal;

mod support;

/// (resident now, peak resident) in KiB, from /proc/self/status.
fn rss_kib() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .start_paused(true)
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let token = "memory-bench-token";
        let handle = sandbox::spawn(Options {
            auth_token: token.to_owned().into(),
            // A balance that changes at every poll, so every sample is kept.
            drain_per_min: Decimal::new(1, 2),
            ..Options::default()
        })
        .await
        .expect("sandbox");
        let client = Client::new(
            &plivo_dash::plivo::Http::new(
                plivo_dash::plivo::install_tls(),
                plivo_dash::plivo::Limits::default().connect_timeout,
            ),
            &handle.base_url,
            &handle.auth_id,
            token.to_owned().into(),
        )
        .expect("client");
        let dir = tempfile::tempdir().expect("tempdir");
        let auth_id = AuthId::parse(&handle.auth_id).expect("id");
        let clock = Clock::starting_at(support::now());
        let worker::Channels {
            commands,
            mut events,
        } = worker::spawn(
            client,
            worker::Options {
                period: Duration::from_secs(1),
                history: Some(CreditHistory::new(
                    dir.path(),
                    &auth_id,
                    plivo_dash::monitor::RETENTION,
                )),
                clock,
                shared: None,
                usage: None,
            },
        );
        let mut app = support::loaded(0);
        let mut terminal = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
        for command in app.start() {
            commands.send(command).expect("send");
        }
        let checkpoints = [100, 1_000, 10_000, 30_000];
        let mut polls = 0;
        println!(
            "{:>8} {:>12} {:>12} {:>10}",
            "polls", "RSS KiB", "peak KiB", "samples"
        );
        while polls < *checkpoints.last().unwrap_or(&0) {
            let Some(event) = events.recv().await else {
                break;
            };
            if matches!(event, Report::Loaded { .. }) {
                polls += 1;
            }
            let outcome = app.update(Msg::Worker(event));
            for command in outcome.requests {
                commands.send(command).expect("send");
            }
            terminal.draw(|frame| app.render(frame)).expect("draw");
            if checkpoints.contains(&polls) && outcome.redraw {
                let (rss, peak) = rss_kib();
                println!(
                    "{polls:>8} {rss:>12} {peak:>12} {:>10}",
                    app.tracker.history().samples().len()
                );
            }
        }
    });
}
