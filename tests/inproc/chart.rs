//! The credit chart over a synthetic week: spending by day, little at
//! night, two top-ups, a day with nothing recorded, an alert threshold.
//! Snapshots of each range, and assertions on what a person reads: the
//! labels, the threshold line, the gap.

use crate::support;

use jiff::{SignedDuration, Timestamp};
use plivo_dash::app::{App, Msg};
use plivo_dash::monitor::Sample;
use plivo_dash::monitor::chart::Range;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use rust_decimal::{Decimal, dec};
use support::app::*;

const W: u16 = 120;
const H: u16 = 40;

/// A week sampled every 5 minutes, as a monitor stores it: 0.17 USD per
/// step from 08:00 to 20:00, 0.02 at night, +60 on days 2 and 5, nothing
/// on day 4.
fn week() -> App {
    week_alerting_at(dec!(50))
}

/// [`week`] with the alert at `alert`.
fn week_alerting_at(alert: Decimal) -> App {
    let mut s = session();
    s.alert_below = Some(alert);
    s.retention = SignedDuration::from_hours(7 * 24);
    let mut app = App::new(s, now(), (W, H), PERIOD);
    app.start();
    let start = now() - SignedDuration::from_hours(7 * 24);
    let mut credits = dec!(100);
    let mut samples = Vec::new();
    for step in 0..(7 * 288) {
        let at: Timestamp = start + SignedDuration::from_mins(5 * step);
        let day = step / 288;
        if day == 4 {
            continue;
        }
        let hour = at.to_zoned_datetime(jiff::tz::TimeZone::UTC).hour();
        credits -= if (8..20).contains(&hour) {
            dec!(0.17)
        } else {
            dec!(0.02)
        };
        if step == 2 * 288 + 120 || step == 5 * 288 + 120 {
            credits += dec!(60);
        }
        samples.push(Sample { at, credits });
    }
    feed(&mut app, &samples);
    app
}

fn draw(app: &App) -> (String, Buffer) {
    panel(app, W, H)
}

/// Whether cell `(x, y)` holds chart dots (braille) in `colour`.
fn braille(b: &Buffer, x: u16, y: u16, colour: Color) -> bool {
    let cell = &b[(x, y)];
    cell.fg == colour
        && cell
            .symbol()
            .chars()
            .all(|c| ('\u{2801}'..='\u{28ff}').contains(&c))
}

/// Whether the line (cyan braille) is drawn anywhere in column `x`; the
/// footer's cyan key names are not the line.
fn line_in(b: &Buffer, x: u16) -> bool {
    (0..H).any(|y| braille(b, x, y, Color::Cyan))
}

#[test]
fn each_range_reads_at_a_glance() {
    let mut app = week();
    assert_eq!(
        app.chart_range,
        Range::Day,
        "the history is longer than a day"
    );
    let (day, b) = draw(&app);
    insta::assert_snapshot!("chart_24h", day);
    assert!(day.contains("Credit · 24 h (v)"), "{day}");
    assert!(day.contains("now"), "{day}");
    assert!(day.contains("alert 50"), "{day}");
    // The threshold is a line across the chart, coloured as a warning.
    let threshold =
        (0..H).any(|y| (0..W).filter(|x| braille(&b, *x, y, Color::Yellow)).count() > 20);
    assert!(threshold, "a horizontal threshold line:\n{day}");

    app.update(key(KeyCode::Char('v')));
    assert_eq!(app.chart_range, Range::Kept);
    let (kept, b) = draw(&app);
    insta::assert_snapshot!("chart_7d", kept);
    assert!(
        kept.contains("Credit · 7 d (v) · ▲ +59.98 1 d ago · alert 50"),
        "{kept}"
    );
    assert!(
        ["Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun "]
            .iter()
            .any(|d| kept.contains(d)),
        "week-long times name the day: {kept}"
    );
    assert!(kept.contains('▲'), "a top-up is marked: {kept}");
    // Where the balance crosses the threshold, the balance's colour wins.
    let row = (0..H)
        .max_by_key(|y| {
            (0..W)
                .filter(|x| braille(&b, *x, *y, Color::Yellow))
                .count()
        })
        .expect("rows");
    assert!(
        (0..W).any(|x| braille(&b, x, row, Color::Cyan)),
        "the line is drawn over the threshold:\n{kept}"
    );
    // The day with nothing recorded is a gap, not a line across it: a run
    // of columns with no line, between columns with one.
    let columns: Vec<bool> = (0..W).map(|x| line_in(&b, x)).collect();
    let first = columns.iter().position(|d| *d).expect("a line");
    let last = columns.iter().rposition(|d| *d).expect("a line");
    let gap = columns[first..=last]
        .windows(4)
        .any(|w| w.iter().all(|drawn| !drawn));
    assert!(gap, "a gap in the line:\n{kept}");

    app.update(key(KeyCode::Char('v')));
    assert_eq!(app.chart_range, Range::Hour);
    let (hour, _) = draw(&app);
    insta::assert_snapshot!("chart_1h", hour);
    assert!(hour.contains("Credit · 1 h (v)"), "{hour}");
}

#[test]
fn a_small_panel_gets_a_sparkline_and_a_tiny_one_nothing() {
    let mut app = week();
    app.update(Msg::Resize(80, 22));
    let mut t = Terminal::new(TestBackend::new(80, 22)).expect("terminal");
    t.draw(|f| app.render(f)).expect("draw");
    let text = format!("{}", t.backend());
    assert!(text.contains("Credit · 24 h"), "{text}");
    assert!(
        !text.contains("now"),
        "no axes where there is no room: {text}"
    );
}

#[test]
fn times_under_a_narrow_chart_are_whole_or_left_out() {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let zones = [
        "UTC",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Pacific/Chatham",
        "Australia/Lord_Howe",
    ];
    for ((w, h), zone) in [(80, 24), (100, 30), (120, 40), (120, 35), (200, 35)]
        .into_iter()
        .flat_map(|size| zones.map(|z| (size, z)))
    {
        let mut app = week();
        app.session.tz = jiff::tz::TimeZone::get(zone).expect("zone");
        app.update(Msg::Resize(w, h));
        for _ in 0..3 {
            let (text, _) = panel(&app, w, h);
            let axis = text
                .lines()
                .find(|l| l.trim_end().ends_with("now │"))
                .unwrap_or_else(|| panic!("a time axis:\n{text}"));
            let words: Vec<&str> = axis
                .trim_matches(|c| c == '│' || c == ' ')
                .split_whitespace()
                .collect();
            assert_eq!(words.last(), Some(&"now"), "{axis}");
            let now_at = axis.rfind("now").unwrap_or_default();
            let before = axis[..now_at].trim_end_matches(' ');
            assert!(
                before.ends_with('│') || now_at - before.len() >= 3,
                "{w}x{h} {zone}: a time too close to now: {axis:?}"
            );
            let mut labels = 0;
            let mut rest = &words[..words.len() - 1];
            while let Some((word, after)) = rest.split_first() {
                labels += 1;
                let clock = word.len() == 5 && word.as_bytes()[2] == b':';
                if DAYS.contains(word) {
                    let day = after
                        .first()
                        .filter(|d| d.len() == 2 && d.parse::<u8>().is_ok());
                    assert!(day.is_some(), "{w}x{h}: a clipped date in {axis:?}");
                    rest = &after[1..];
                } else {
                    assert!(clock, "{w}x{h}: a clipped time {word:?} in {axis:?}");
                    rest = after;
                }
            }
            assert!(labels >= 1, "{w}x{h}: a time besides now: {axis:?}");
            app.update(key(KeyCode::Char('v')));
        }
    }
}

#[test]
fn the_legend_drops_whole_pieces_never_cuts_a_number() {
    for (w, h) in [(120, 40), (100, 30), (80, 24)] {
        let mut app = week_alerting_at(dec!(50.5));
        app.update(Msg::Resize(w, h));
        app.update(key(KeyCode::Char('v')));
        let (text, _) = panel(&app, w, h);
        let legend = text
            .lines()
            .find(|l| l.contains("Credit ·"))
            .unwrap_or_else(|| panic!("a legend:\n{text}"));
        assert!(
            legend.contains(" · alert 50.5 ") || !legend.contains("alert"),
            "{w}x{h}: {legend}"
        );
        assert!(
            legend.contains("▲ +59.98 1 d ago") || !legend.contains('▲'),
            "{w}x{h}: {legend}"
        );
    }
}

/// A steady balance with rises of a thousandth of a cent (the server
/// rounding): no top-ups, and a value axis that tells its ends apart.
#[test]
fn rounding_noise_is_no_top_up_and_the_axis_shows_the_decimals_it_needs() {
    let mut app = App::new(session(), now(), (W, H), PERIOD);
    app.start();
    let samples: Vec<Sample> = (0..48)
        .map(|i| Sample {
            at: now() - SignedDuration::from_mins(5 * (48 - i)),
            credits: dec!(1.80900) + Decimal::new(i % 7, 5),
        })
        .collect();
    feed(&mut app, &samples);
    let (text, b) = panel(&app, W, H);
    assert!(!text.contains('▲'), "{text}");
    let green = (0..H)
        .flat_map(|y| (0..W).map(move |x| (x, y)))
        .any(|(x, y)| braille(&b, x, y, Color::Green));
    assert!(!green, "no top-up strokes:\n{text}");
    let ends: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("│ ")?.split('│').next())
        .map(str::trim)
        .filter(|l| l.starts_with("1."))
        .collect();
    assert_eq!(
        ends,
        ["1.8091", "1.8090"],
        "the axis ends, told apart:\n{text}"
    );
}

/// With NO_COLOR the threshold cannot be told by colour: it is dotted.
#[test]
fn without_colour_the_threshold_is_dotted() {
    let mut s = session();
    s.color = false;
    s.alert_below = Some(dec!(50));
    let mut app = App::new(s, now(), (W, H), PERIOD);
    app.start();
    let samples: Vec<Sample> = (0..48)
        .map(|i| Sample {
            at: now() - SignedDuration::from_mins(5 * (48 - i)),
            credits: dec!(60) - Decimal::from(i) / dec!(4),
        })
        .collect();
    feed(&mut app, &samples);
    let (text, _) = panel(&app, W, H);
    assert!(
        text.lines().any(|l| l.matches('•').count() > 20),
        "a dotted threshold:\n{text}"
    );
}

#[test]
fn a_top_up_in_the_title_is_rounded_not_cut() {
    let mut app = App::new(session(), now(), (W, H), PERIOD);
    app.start();
    let at = |mins: i64| now() - SignedDuration::from_mins(mins);
    let samples = [
        Sample {
            at: at(30),
            credits: dec!(0.81301),
        },
        Sample {
            at: at(20),
            credits: dec!(0.81301),
        },
        Sample {
            at: at(10),
            credits: dec!(1.80900),
        },
    ];
    feed(&mut app, &samples);
    let (text, _) = panel(&app, W, H);
    assert!(text.contains("▲ +1.00 10 min ago"), "+0.99599:\n{text}");
}
