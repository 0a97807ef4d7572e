//! The monitor's part of the panel in each state it can be in, on
//! TestBackend: snapshots of the account panel plus the colours that carry
//! meaning.

use crate::support;

use jiff::SignedDuration;
use plivo_dash::app::{App, Msg};
use plivo_dash::monitor::Sample;
use plivo_dash::plivo::ApiError;
use plivo_dash::sandbox::demo_account;
use plivo_dash::worker::{Op, Report};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use rust_decimal::Decimal;
use rust_decimal::dec;
use support::app::*;

const W: u16 = 100;
const H: u16 = 30;

/// An app with an alert at `alert` that has seen `credits`, one poll a
/// minute, the last one 12 s before `now()`.
fn monitored(alert: Option<Decimal>, credits: &[Decimal]) -> App {
    let mut s = session();
    s.alert_below = alert;
    let mut app = App::new(s, now(), (W, H), PERIOD);
    app.start();
    let last = now() - SignedDuration::from_secs(12);
    let n = i64::try_from(credits.len()).expect("few");
    let samples: Vec<Sample> = credits
        .iter()
        .enumerate()
        .map(|(i, c)| Sample {
            at: last - SignedDuration::from_mins(n - 1 - i64::try_from(i).expect("few")),
            credits: *c,
        })
        .collect();
    feed(&mut app, &samples);
    app
}

fn colour_of(buffer: &Buffer, needle: &str) -> Color {
    for y in 0..buffer.area.height {
        let row: String = (0..buffer.area.width)
            .map(|x| buffer[(x, y)].symbol())
            .collect();
        if let Some(i) = row.find(needle) {
            let x = u16::try_from(row[..i].chars().count()).expect("narrow");
            return buffer[(x, y)].fg;
        }
    }
    panic!("{needle:?} not on screen");
}

/// A balance falling by 0.01 a minute from `from`.
fn falling(from: Decimal, minutes: usize) -> Vec<Decimal> {
    (0..minutes)
        .map(|i| from - dec!(0.01) * Decimal::from(i))
        .collect()
}

#[test]
fn healthy() {
    let app = monitored(Some(dec!(1)), &falling(dec!(5), 10));
    let (text, buffer) = panel(&app, W, H);
    insta::assert_snapshot!(text);
    assert!(text.contains("≈ 0.6 USD/h · 14.4 USD/d"), "{text}");
    assert!(text.contains("≈ 8 h 11 min left"), "{text}");
    assert_eq!(colour_of(&buffer, "4.91 USD"), Color::Green);
}

#[test]
fn approaching_the_threshold() {
    let app = monitored(Some(dec!(2)), &falling(dec!(2.4), 10));
    let (text, buffer) = panel(&app, W, H);
    insta::assert_snapshot!(text);
    assert!(text.contains("Credits · nearing 2"), "{text}");
    assert!(text.contains("≈ 31 min to 2 USD"), "{text}");
    assert_eq!(colour_of(&buffer, "2.31 USD"), Color::Yellow);
}

#[test]
fn below_the_threshold() {
    let app = monitored(Some(dec!(2)), &falling(dec!(2.04), 10));
    let (text, buffer) = panel(&app, W, H);
    insta::assert_snapshot!(text);
    assert!(text.contains("Credits · below 2"), "{text}");
    assert_eq!(colour_of(&buffer, "1.95 USD"), Color::Red);
    assert_eq!(
        colour_of(&buffer, "⚠ balance below 2 USD"),
        Color::White,
        "the banner"
    );
    assert_eq!(buffer[(0, 0)].symbol(), " ");
}

#[test]
fn a_top_up_is_marked_not_counted_as_spending() {
    let mut credits = falling(dec!(1.5), 6);
    credits.extend(falling(dec!(3.5), 5));
    let app = monitored(None, &credits);
    let (text, buffer) = panel(&app, W, H);
    insta::assert_snapshot!(text);
    assert!(text.contains('▲'), "{text}");
    assert_eq!(colour_of(&buffer, "▲"), Color::Green);
    // 0.01 a minute on both sides of the top-up: 9 cents over 10 minutes.
    assert!(text.contains("≈ 0.54 USD/h"), "{text}");
}

#[test]
fn stale_with_a_retry_pending() {
    let mut app = monitored(Some(dec!(1)), &falling(dec!(5), 10));
    app.update(Msg::Worker(Report::Failed {
        op: Op::Refresh,
        error: ApiError::Server {
            status: 503,
            message: None,
        },
        retry_in: Some(std::time::Duration::from_secs(8)),
    }));
    let (text, buffer) = panel(&app, W, H);
    insta::assert_snapshot!(text);
    assert!(text.contains("stale, 12 s ago · retry in 8 s"), "{text}");
    assert_eq!(colour_of(&buffer, "stale, 12 s ago"), Color::Yellow);
    assert!(text.contains("4.91 USD"), "the last good balance stays");

    app.update(key(KeyCode::Char('p')));
    let (text, _) = panel(&app, W, H);
    assert!(text.contains("stale, 12 s ago · paused"), "{text}");
}

#[test]
fn paused() {
    let mut app = monitored(Some(dec!(1)), &falling(dec!(5), 10));
    app.update(key(KeyCode::Char('p')));
    let (text, buffer) = panel(&app, W, H);
    insta::assert_snapshot!(text);
    assert!(text.contains("12 s ago · paused (p resumes)"), "{text}");
    assert_eq!(colour_of(&buffer, "paused"), Color::Yellow);
}

#[test]
fn not_enough_data() {
    let app = monitored(Some(dec!(1)), &falling(dec!(5), 2));
    let (text, _) = panel(&app, W, H);
    insta::assert_snapshot!(text);
    assert!(text.contains("measuring (1 min of 2 min)"), "{text}");
    assert!(text.contains("not enough data yet"), "{text}");
}

#[test]
fn a_steady_balance_has_no_runway_to_speak_of() {
    let app = monitored(None, &[dec!(5); 2]);
    let (text, _) = panel(&app, W, H);
    assert!(
        text.contains("measuring"),
        "two samples are not enough: {text}"
    );
    let mut app = monitored(None, &[dec!(5), dec!(5)]);
    // Heartbeat samples five minutes apart.
    for i in 1..=3 {
        let mut account = demo_account();
        account.cash_credits = dec!(5);
        app.update(Msg::Worker(Report::Loaded {
            account: Box::new(account),
            at: now() + SignedDuration::from_mins(5 * i),
        }));
    }
    let (text, _) = panel(&app, W, H);
    assert!(text.contains("no spending in the last 16 min"), "{text}");
}

#[test]
fn no_credit_left_reads_exhausted_and_a_negative_balance_overdrawn() {
    let app = monitored(None, &[dec!(1.5), dec!(1), dec!(0.5), dec!(0)]);
    let (text, buffer) = panel(&app, W, H);
    assert!(text.contains("Runway     exhausted"), "{text}");
    assert_eq!(colour_of(&buffer, "exhausted"), Color::Red);
    assert!(!text.contains("under 1 min"), "{text}");
    let app = monitored(None, &[dec!(1), dec!(0.5), dec!(0), dec!(-0.55000)]);
    let (text, buffer) = panel(&app, W, H);
    assert!(text.contains("overdrawn by 0.55000 USD"), "{text}");
    assert_eq!(colour_of(&buffer, "overdrawn"), Color::Red);
}

#[test]
fn two_samples_far_enough_apart_give_a_rate_not_a_contradiction() {
    let mut app = monitored(None, &[dec!(2.0)]);
    let mut account = demo_account();
    account.cash_credits = dec!(1.809);
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(account),
        at: now() + SignedDuration::from_hours(1),
    }));
    let (text, _) = panel(&app, W, H);
    assert!(!text.contains("measuring"), "{text}");
    assert!(text.contains("USD/h"), "{text}");
}

#[test]
fn a_refused_token_in_the_panel_says_where_it_came_from() {
    let mut app = monitored(None, &[dec!(2.0), dec!(1.9)]);
    app.update(Msg::Worker(Report::Failed {
        op: plivo_dash::worker::Op::Refresh,
        error: plivo_dash::plivo::ApiError::Unauthorized { message: None },
        retry_in: None,
    }));
    let (text, _) = panel(&app, W, H);
    assert!(text.contains("token came from"), "{text}");
}

#[test]
fn the_panel_says_how_many_subaccounts_there_are() {
    let mut app = monitored(None, &[dec!(2.0)]);
    app.update(Msg::Worker(Report::SubaccountCount { total: 7 }));
    let (text, _) = panel(&app, W, H);
    assert!(text.contains("Subaccts   7 (s lists them)"), "{text}");
}

#[test]
fn a_long_warning_is_shown_whole_when_there_is_room() {
    let mut app = monitored(None, &falling(dec!(2.0), 30));
    app.size = (200, 45);
    let warning = "history: /home/operator/.local/state/plivo-dash/history/MA2025RK4E639VJFZAGV.history \
                   cannot be written (permission denied): the chart and the burn rate forget \
                   everything on restart; give the file back to this user or set history_dir";
    app.warnings.push(warning.to_owned());
    let (text, _) = panel(&app, 200, 45);
    insta::assert_snapshot!(text);
    let joined: String = text
        .lines()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    for part in ["permission denied", "set history_dir"] {
        assert!(joined.contains(part), "{part} cut off:\n{text}");
    }
}

#[test]
fn the_chart_takes_the_rows_of_a_tall_terminal() {
    let app = monitored(None, &falling(dec!(2.0), 30));
    let (text, _) = panel(&app, 120, 70);
    let lines: Vec<&str> = text.lines().collect();
    let bottom = lines
        .iter()
        .rposition(|l| l.starts_with('└'))
        .expect("the panel's bottom border");
    assert_eq!(bottom, 70 - 3, "the panel reaches the footer:\n{text}");
}

fn screen_of(app: &App, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| app.render(f)).expect("draw");
    screen_text(t.backend().buffer())
}

#[test]
fn a_narrow_terminal_keeps_help_quit_and_the_alert_amount() {
    let mut app = monitored(Some(dec!(2)), &falling(dec!(2.04), 10));
    app.session.in_fleet = true;
    app.size = (80, 30);
    let text = screen_of(&app, 80, 30);
    let footer = text.lines().last().expect("footer").to_owned();
    for hint in ["? help", "q quit", "a all accounts", "Tab edit"] {
        assert!(footer.contains(hint), "{hint} dropped at 80: {footer:?}");
    }
    app.size = (44, 38);
    let text = screen_of(&app, 44, 38);
    insta::assert_snapshot!(text);
    let footer = text.lines().last().expect("footer").to_owned();
    assert!(
        footer.contains("? help") && footer.contains("q quit"),
        "{footer:?}"
    );
    let header = text.lines().next().expect("header").to_owned();
    assert!(header.contains("2 USD"), "the amount: {header:?}");
}
