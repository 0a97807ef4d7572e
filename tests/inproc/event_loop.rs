//! The real event loop on a TestBackend, a channel for keys and tokio's
//! paused clock: an idle dashboard draws nothing, a key is drawn at once.

use crate::support;

use std::io;
use std::time::Duration;

use plivo_dash::app::Session;
use plivo_dash::app::fleet::{Fleet, Member};
use plivo_dash::clock::Clock;
use plivo_dash::plivo::Client;
use plivo_dash::sandbox::{self, Options};
use plivo_dash::tui::{Frames, Io, event_loop};
use plivo_dash::worker;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event as TermEvent, KeyCode, KeyEvent, KeyModifiers};
use support::TOKEN;
use support::app::{now, session};
use tokio::sync::mpsc;

fn press(code: KeyCode) -> io::Result<TermEvent> {
    Ok(TermEvent::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

#[tokio::test(start_paused = true)]
async fn an_idle_dashboard_draws_nothing_and_a_key_is_drawn_at_once() {
    let sandbox = sandbox::spawn(Options {
        auth_token: TOKEN.into(),
        ..Options::default()
    })
    .await
    .expect("sandbox");
    let client = Client::new(
        &crate::support::http(),
        &sandbox.base_url,
        &sandbox.auth_id,
        TOKEN.into(),
    )
    .expect("client");
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    let mut tty = io::sink();
    let (keys, rx) = mpsc::unbounded_channel::<io::Result<TermEvent>>();
    let input = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (event, rx))
    }));
    let frames = Frames::default();
    // On the hour, so no minute boundary falls inside the idle stretch.
    let clock = Clock::starting_at("2026-11-26T19:00:00Z".parse().expect("time"));
    let session = Session {
        auth_id: sandbox.auth_id.clone(),
        ..session()
    };
    let period = Duration::from_secs(600);
    let options = worker::Options {
        period,
        history: None,
        clock,
        shared: None,
        usage: None,
    };
    let io = Io {
        terminal: &mut terminal,
        tty: &mut tty,
        input,
        stop: std::future::pending(),
        workers: vec![Some(worker::spawn(client, options))],
        login: None,
    };
    let mut fleet = alone(session, period);
    let dashboard = event_loop(io, &mut fleet, clock, &frames);
    let user = async {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let loaded = frames.count();
        assert!(
            loaded >= 2,
            "the first frame and the loaded account: {loaded}"
        );

        // Let the age settle into minutes, then watch 5 s of nothing.
        tokio::time::sleep(Duration::from_secs(70)).await;
        let idle = frames.count();
        tokio::time::sleep(Duration::from_secs(5)).await;
        assert_eq!(frames.count(), idle, "nothing changed, nothing drawn");

        keys.send(press(KeyCode::Char('?'))).expect("send");
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert_eq!(frames.count(), idle + 1, "one key, one frame, at once");
        keys.send(press(KeyCode::Esc)).expect("send");

        // In a field, keys that only move the cursor are drawn at once too,
        // or the next letter lands where the user did not see the cursor.
        keys.send(press(KeyCode::Tab)).expect("send");
        tokio::time::sleep(Duration::from_millis(1)).await;
        for code in [KeyCode::Home, KeyCode::Right, KeyCode::End, KeyCode::Left] {
            let before = frames.count();
            keys.send(press(code)).expect("send");
            tokio::time::sleep(Duration::from_millis(1)).await;
            assert_eq!(frames.count(), before + 1, "{code:?}: one frame, at once");
        }
        keys.send(press(KeyCode::Esc)).expect("send");
        keys.send(press(KeyCode::Char('q'))).expect("send");
    };
    let (result, ()) = tokio::join!(dashboard, user);
    assert_eq!(
        result.expect("the loop ends cleanly on q"),
        Ok(plivo_dash::app::fleet::Ending::Quit)
    );
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("1 min ago · every 10 min"), "{screen}");
    // The account once and its subaccount count once: no poll before the
    // period is up.
    assert_eq!(sandbox.requests(), 2, "no poll before the period is up");
}

/// A loop whose worker the test plays: it gets the channels' other ends.
fn fake_worker() -> (
    worker::Channels,
    mpsc::UnboundedReceiver<worker::Request>,
    mpsc::UnboundedSender<worker::Report>,
) {
    let (commands, command_rx) = mpsc::unbounded_channel();
    let (event_tx, events) = mpsc::unbounded_channel();
    (worker::Channels { commands, events }, command_rx, event_tx)
}

#[tokio::test(start_paused = true)]
async fn a_worker_that_dies_is_said_not_left_refreshing_forever() {
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    let mut tty = io::sink();
    let (keys, rx) = mpsc::unbounded_channel::<io::Result<TermEvent>>();
    let input = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (event, rx))
    }));
    let (channels, mut commands, events) = fake_worker();
    let clock = Clock::starting_at("2026-11-26T19:00:00Z".parse().expect("time"));
    let frames = Frames::default();
    let io = Io {
        terminal: &mut terminal,
        tty: &mut tty,
        input,
        stop: std::future::pending(),
        workers: vec![Some(channels)],
        login: None,
    };
    let mut fleet = alone(session(), Duration::from_secs(60));
    let dashboard = event_loop(io, &mut fleet, clock, &frames);
    let user = async {
        assert_eq!(commands.recv().await, Some(worker::Request::Refresh));
        // The worker's task ends (a panic, say): its event sender goes.
        drop(events);
        tokio::time::sleep(Duration::from_millis(10)).await;
        keys.send(press(KeyCode::Char('q'))).expect("send");
    };
    let (result, ()) = tokio::join!(dashboard, user);
    assert_eq!(
        result.expect("the loop ends cleanly on q"),
        Ok(plivo_dash::app::fleet::Ending::Quit)
    );
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("background worker stopped"), "{screen}");
    assert!(!screen.contains("refreshing…"), "{screen}");
}

/// The dashboard of one account: a fleet of one.
fn alone(session: Session, period: Duration) -> Fleet {
    let app = plivo_dash::app::App::new(session, now(), (120, 35), period);
    Fleet::new(vec![Member::new("default", None, false, app)], None)
}

#[tokio::test(start_paused = true)]
async fn on_the_fleet_screen_many_reports_make_one_frame_every_two_seconds() {
    let mut terminal = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    let mut tty = io::sink();
    let (keys, rx) = mpsc::unbounded_channel::<io::Result<TermEvent>>();
    let input = Box::pin(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|event| (event, rx))
    }));
    let (first, _commands_a, reports_a) = fake_worker();
    let (second, _commands_b, reports_b) = fake_worker();
    let clock = Clock::starting_at("2026-11-26T19:00:00Z".parse().expect("time"));
    let frames = Frames::default();
    let members = ["alpha", "beta"]
        .map(|name| {
            let mut s = session();
            s.in_fleet = true;
            let app = plivo_dash::app::App::new(s, now(), (120, 35), Duration::from_secs(60));
            Member::new(name, None, false, app)
        })
        .into_iter()
        .collect();
    let io = Io {
        terminal: &mut terminal,
        tty: &mut tty,
        input,
        stop: std::future::pending(),
        workers: vec![Some(first), Some(second)],
        login: None,
    };
    let mut fleet = Fleet::new(members, None);
    let dashboard = event_loop(io, &mut fleet, clock, &frames);
    let user = async {
        // Half a second past a tick, twenty balances arrive at once.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let before = frames.count();
        for cents in 0..10 {
            for tx in [&reports_a, &reports_b] {
                let mut account = plivo_dash::sandbox::demo_account();
                account.cash_credits = rust_decimal::Decimal::new(500 - cents, 2);
                tx.send(worker::Report::Loaded {
                    account: Box::new(account),
                    at: clock.now(),
                })
                .expect("send");
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(frames.count(), before, "held for a later tick");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(frames.count(), before + 1, "all of them in one frame");
        // A key is drawn at once.
        keys.send(press(KeyCode::Down)).expect("send");
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(frames.count(), before + 2);
        keys.send(press(KeyCode::Char('q'))).expect("send");
    };
    let (result, ()) = tokio::join!(dashboard, user);
    assert_eq!(
        result.expect("the loop ends cleanly on q"),
        Ok(plivo_dash::app::fleet::Ending::Quit)
    );
    let screen = format!("{}", terminal.backend());
    assert!(
        screen.contains("4.91 "),
        "the last balances are shown: {screen}"
    );
}
