//! The fault matrix end to end: for every case in `support::faults`, the real
//! `get` binary exits with the right code and one clear line, and the
//! dashboard (worker, app and screen) keeps running, says what went wrong,
//! and keeps the last good balance and every unsaved edit.

use crate::support;

use std::time::Duration;

use plivo_dash::app::{App, FetchState, Msg};
use plivo_dash::plivo::{Client, Field, Limits};
use plivo_dash::worker::{self, Report, Request};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use support::app::{PERIOD, form, key, now, screen_text, session, type_str};
use support::faults::{ACCOUNT, Expect, cases};
use support::{Canned, CannedServer, TOKEN};

const ID: &str = "MA2025RK4E639VJFZAGV";

fn free_port_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    format!("http://127.0.0.1:{port}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_get_command_exits_with_the_right_code_and_one_line() {
    let home = tempfile::tempdir().expect("tempdir");
    for case in cases() {
        let url = match case.answer {
            Some(answer) => CannedServer::start(answer).await.url,
            None => free_port_url(),
        };
        let home = home.path().to_owned();
        let output = tokio::task::spawn_blocking(move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
                .env_clear()
                .env("HOME", &home)
                .env("PLIVO_API_URL", &url)
                .env("PLIVO_AUTH_ID", ID)
                .env("PLIVO_AUTH_TOKEN", TOKEN)
                .args(["--timeout", "1", "get", "--json"])
                .output()
                .expect("runs")
        })
        .await
        .expect("joined");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
            "{}",
            case.name
        );
        match case.expect {
            Expect::Accepted(credits) => {
                assert!(output.status.success(), "{}: {stderr}", case.name);
                let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
                assert_eq!(v["cash_credits"], credits, "{}", case.name);
            }
            Expect::Error(exit, words) => {
                assert_eq!(output.status.code(), Some(exit), "{}: {stderr}", case.name);
                assert!(stdout.is_empty(), "{}: {stdout}", case.name);
                assert_eq!(
                    stderr.lines().count(),
                    1,
                    "{}: one line: {stderr}",
                    case.name
                );
                assert!(
                    stderr.starts_with("plivo-dash: "),
                    "{}: {stderr}",
                    case.name
                );
                assert!(
                    stderr.contains(words),
                    "{}: {stderr:?} lacks {words:?}",
                    case.name
                );
                assert!(!stderr.contains('\u{1b}'), "{}: raw escape", case.name);
            }
        }
    }
}

async fn next(events: &mut tokio::sync::mpsc::UnboundedReceiver<Report>) -> Report {
    tokio::time::timeout(Duration::from_secs(3600), events.recv())
        .await
        .expect("the worker answers")
        .expect("an event")
}

fn screen(app: &App) -> String {
    let mut t = Terminal::new(TestBackend::new(120, 35)).expect("terminal");
    t.draw(|f| app.render(f)).expect("draw");
    screen_text(t.backend().buffer())
}

/// The dashboard loads a good account, the user starts an edit, then the
/// server turns bad: the screen must say so and keep both.
#[tokio::test(start_paused = true)]
async fn the_dashboard_survives_every_fault_and_keeps_data_and_edits() {
    for case in cases() {
        // "Connection refused" cannot follow a good answer on the same
        // port; a connection closed before any HTTP stands in for it.
        let bad = case.answer.unwrap_or(Canned::Raw(Vec::new()));
        let server = CannedServer::script(vec![Canned::json("200 OK", ACCOUNT), bad]).await;
        let limits = Limits {
            timeout: Duration::from_secs(1),
            ..Limits::default()
        };
        let client = Client::with_limits(
            &crate::support::http(),
            &server.url,
            ID,
            TOKEN.into(),
            limits,
        )
        .expect("client");
        let worker::Channels {
            commands,
            mut events,
        } = worker::spawn(client, worker::Options::every(PERIOD));
        let mut app = App::new(session(), now(), (120, 35), PERIOD);
        for command in app.start() {
            commands.send(command).expect("send");
        }
        app.update(Msg::Worker(next(&mut events).await));
        assert_eq!(
            app.fetch,
            FetchState::Fresh { in_flight: false },
            "{}",
            case.name
        );

        app.update(key(KeyCode::Tab));
        type_str(&mut app, " (edited)");
        let out = app.update(key(KeyCode::Char('x')));
        assert!(out.redraw);
        app.update(key(KeyCode::Esc));
        commands.send(Request::Refresh).expect("send");
        let event = next(&mut events).await;
        let out = app.update(Msg::Worker(event));
        for command in out.requests {
            commands.send(command).expect("send");
        }

        let text = screen(&app);
        assert_eq!(
            form(&app).field(Field::Name).text(),
            "n (edited)x",
            "{}: edit kept",
            case.name
        );
        assert!(form(&app).field(Field::Name).dirty(), "{}", case.name);
        match case.expect {
            Expect::Accepted(credits) => {
                assert_eq!(
                    app.fetch,
                    FetchState::Fresh { in_flight: false },
                    "{}",
                    case.name
                );
                assert!(
                    text.contains(&format!("{credits} USD")),
                    "{}:\n{text}",
                    case.name
                );
            }
            Expect::Error(..) => {
                let Some(error) = app.fetch.error() else {
                    panic!("{}: the failure is shown", case.name);
                };
                assert!(
                    text.contains("1.80900 USD"),
                    "{}: last good data kept:\n{text}",
                    case.name
                );
                assert!(
                    text.contains("stale"),
                    "{}: marked stale:\n{text}",
                    case.name
                );
                let start: String = format!("⚠ {error}").chars().take(30).collect();
                assert!(
                    text.contains(&start),
                    "{}: says why ({start}):\n{text}",
                    case.name
                );
            }
        }
    }
}

#[test]
fn every_case_is_in_the_table_in_docs_faults_md() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/faults.md"))
        .expect("docs/faults.md");
    for case in cases() {
        assert!(
            doc.contains(&format!("| {} |", case.name)),
            "{} missing from docs/faults.md",
            case.name
        );
    }
}
