//! The account panel: credits first and large, the account at a glance, and
//! the monitor: when it was updated, the burn rate, the runway and a chart.

use jiff::SignedDuration;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Padding, Paragraph, Sparkline, SparklineBar};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use crate::app::{AccountText, App, FetchState};
use crate::keymap::Action;
use crate::layout::wrap;
use crate::monitor::threshold::Level;
use crate::monitor::{Estimate, WINDOW, ago, human};
use crate::plivo::{Account, ErrorClass};
use crate::text::SafeText;
use crate::ui::{Theme, clip};

const LABEL: usize = 11;

pub(super) fn render(
    app: &App,
    account: &Account,
    shown: &AccountText,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let block = Block::bordered()
        .title(Span::styled(" Account ", theme.accent()))
        .border_style(theme.dim())
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let width = usize::from(inner.width);
    let value_width = width.saturating_sub(LABEL);
    let row = |label: &str, spans: Vec<Span<'static>>| {
        let mut line = vec![Span::styled(format!("{label:<LABEL$}"), theme.dim())];
        line.extend(spans);
        Line::from(line)
    };
    // Only safe text goes into a row: the API's arrives as `AccountText`.
    let plain = |text: &SafeText| vec![Span::raw(clip(text.as_str(), value_width))];
    let recharge = SafeText::from(if account.auto_recharge {
        "automatic"
    } else {
        "manual (auto-recharge off)"
    });
    let mut lines = vec![
        row("Billing", plain(&shown.billing)),
        row("Recharge", plain(&recharge)),
        row("Auth ID", plain(&shown.auth_id)),
        row("Resource", plain(&shown.resource_uri)),
        row("Time zone", plain(&shown.timezone)),
        row("Local time", plain(&local_time(app, &account.timezone))),
        row("Updated", updated(app, theme, value_width)),
    ];
    if let Some(count) = app.subaccount_count {
        let text = SafeText::new(&format!(
            "{} ({} lists them)",
            crate::screens::subaccounts::view::thousands(count),
            app.session.keymap.key_label(Action::Subaccounts)
        ));
        lines.insert(2, row("Subaccts", plain(&text)));
    }
    lines.extend(monitor_rows(app, account, theme, value_width, &row));
    // What is wrong, under the chart: the failed fetch, then the setup's
    // problems (an unwritable history file, a token others can read).
    let mut problems: Vec<String> = app
        .fetch
        .error()
        .map(|error| match error.class() {
            ErrorClass::Auth => format!(
                "⚠ {error} (the token came from {})",
                app.session.token_source
            ),
            _ => format!("⚠ {error}"),
        })
        .into_iter()
        .collect();
    problems.extend(app.warnings.iter().map(|w| format!("⚠ {w}")));
    let stale: Vec<Line> = problems
        .iter()
        .flat_map(|p| {
            let mut wrapped = wrap(p, width.max(1));
            wrapped.truncate(3);
            wrapped
        })
        .map(|l| Line::from(Span::styled(l, theme.warn())))
        .collect();
    let stale_height = u16::try_from(stale.len()).unwrap_or(u16::MAX);

    let [credits, info, chart, reason] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(u16::try_from(lines.len()).unwrap_or(u16::MAX)),
        Constraint::Min(0),
        Constraint::Length(stale_height),
    ])
    .areas(inner);
    render_credits(app, account, theme, frame, credits);
    frame.render_widget(Paragraph::new(lines), info);
    render_chart(app, theme, frame, chart);
    frame.render_widget(Paragraph::new(stale), reason);
}

fn credit_style(app: &App, account: &Account, theme: Theme) -> Style {
    let level = match app.level() {
        Level::Ok if account.cash_credits <= Decimal::ZERO => Level::Critical,
        level => level,
    };
    match level {
        Level::Ok => theme.good(),
        Level::Warning => theme.warn(),
        Level::Critical => theme.error(),
    }
}

fn render_credits(app: &App, account: &Account, theme: Theme, frame: &mut Frame, area: Rect) {
    let style = credit_style(app, account, theme);
    let title = match (&app.alarm, app.level()) {
        (Some(alarm), Level::Critical) => format!(" Credits · below {} ", alarm.alert_below()),
        (Some(alarm), Level::Warning) => format!(" Credits · nearing {} ", alarm.alert_below()),
        _ => " Credits ".to_owned(),
    };
    let amount = Paragraph::new(Line::from(vec![
        Span::styled(
            account.cash_credits.to_string(),
            style.add_modifier(Modifier::BOLD),
        ),
        Span::styled(" USD", style),
    ]))
    .alignment(Alignment::Center)
    .block(
        Block::bordered()
            .border_type(BorderType::Thick)
            .border_style(style)
            .title(Span::styled(title, style)),
    );
    frame.render_widget(amount, area);
}

/// "12 s ago · every 60 s", "paused", or how stale the data is.
fn updated(app: &App, theme: Theme, width: usize) -> Vec<Span<'static>> {
    let age = app
        .fetched_at
        .map_or_else(|| "—".to_owned(), |at| ago(app.now, at));
    let (text, style) = match (&app.fetch, app.paused) {
        (FetchState::Failed { .. }, _) => {
            let retry = if app.paused {
                " · paused".to_owned()
            } else {
                app.retry_in()
                    .map(|d| format!(" · retry in {}", short(d)))
                    .unwrap_or_default()
            };
            (format!("stale, {age}{retry}"), theme.warn())
        }
        (_, true) => (
            format!(
                "{age} · paused ({} resumes)",
                app.session.keymap.key_label(Action::Pause)
            ),
            theme.warn(),
        ),
        _ => (
            format!("{age} · every {}", short(duration(app.period))),
            Style::new(),
        ),
    };
    vec![Span::styled(clip(&text, width), style)]
}

fn monitor_rows<'a>(
    app: &App,
    account: &Account,
    theme: Theme,
    width: usize,
    row: &dyn Fn(&str, Vec<Span<'static>>) -> Line<'a>,
) -> Vec<Line<'a>> {
    let dim = |text: String| vec![Span::styled(clip(&text, width), theme.dim())];
    let credits = account.cash_credits;
    // At or below zero there is no runway left to estimate, whatever the
    // rate: say what is true, in red.
    let empty = (credits <= Decimal::ZERO).then(|| {
        let text = if credits.is_zero() {
            "exhausted: no credit left".to_owned()
        } else {
            format!("overdrawn by {} USD", -credits)
        };
        row(
            "Runway",
            vec![Span::styled(clip(&text, width), theme.error())],
        )
    });
    let mut rows = monitor_estimate_rows(app, theme, width, row, &dim);
    if let Some(empty) = empty {
        if let Some(runway) = rows.get_mut(1) {
            *runway = empty;
        }
        rows.truncate(2);
    }
    rows
}

fn monitor_estimate_rows<'a>(
    app: &App,
    theme: Theme,
    width: usize,
    row: &dyn Fn(&str, Vec<Span<'static>>) -> Line<'a>,
    dim: &dyn Fn(String) -> Vec<Span<'static>>,
) -> Vec<Line<'a>> {
    match app.estimate() {
        Estimate::NotEnoughData { have, need } => vec![
            row(
                "Burn rate",
                dim(format!("measuring ({} of {})", short(*have), short(*need))),
            ),
            row("Runway", dim("not enough data yet".to_owned())),
        ],
        Estimate::Steady { over } => vec![
            row(
                "Burn rate",
                dim(format!("no spending in the last {}", short(*over))),
            ),
            row("Runway", dim("no end in sight".to_owned())),
        ],
        Estimate::Burning {
            per_hour,
            per_day,
            to_zero,
            to_alert,
        } => {
            let (per_hour, per_day, to_zero, to_alert) = (*per_hour, *per_day, *to_zero, *to_alert);
            let mut rows = vec![
                row(
                    "Burn rate",
                    vec![Span::raw(clip(
                        &format!("≈ {per_hour} USD/h · {per_day} USD/d"),
                        width,
                    ))],
                ),
                row(
                    "Runway",
                    vec![Span::raw(clip(
                        &format!("≈ {} left", human(to_zero)),
                        width,
                    ))],
                ),
            ];
            if let (Some(alarm), Some(to_alert)) = (&app.alarm, to_alert) {
                rows.push(row(
                    "Alert",
                    vec![Span::styled(
                        clip(
                            &format!("≈ {} to {} USD", human(to_alert), alarm.alert_below()),
                            width,
                        ),
                        theme.warn(),
                    )],
                ));
            }
            rows
        }
    }
}

/// The balance over the history shown so far (up to a day), one bar per
/// column, with top-ups marked below it.
fn render_chart(app: &App, theme: Theme, frame: &mut Frame, area: Rect) {
    if area.height < 2 || area.width < 4 {
        return;
    }
    let Some(newest) = app.history.samples().back() else {
        return;
    };
    if app.history.samples().len() < 2 {
        let note = "the chart starts with the next sample";
        let legend = Rect {
            y: area.bottom() - 1,
            height: 1,
            ..area
        };
        frame.render_widget(
            Paragraph::new(Span::styled(
                clip(note, usize::from(area.width)),
                theme.dim(),
            )),
            legend,
        );
        return;
    }
    let to = app.now.max(newest.at);
    let from = app
        .history
        .samples()
        .front()
        .map_or(to, |s| s.at)
        .max(to - WINDOW);
    let columns = usize::from(area.width);
    let buckets = app.history.buckets(from, to, columns);
    let known: Vec<Decimal> = buckets.iter().flatten().copied().collect();
    let (Some(low), Some(high)) = (known.iter().min(), known.iter().max()) else {
        return;
    };
    let top_ups = app.history.top_ups(from);
    let span = to.duration_since(from).as_secs_f64().max(1.0);
    let column_of = |at: jiff::Timestamp| {
        let x = at.duration_since(from).as_secs_f64() / span * columns as f64;
        // A float to a column: `as` saturates (a negative is 0, a huge one
        // usize::MAX), and the column is clamped to the chart just after.
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "saturating, then clamped"
        )]
        let column = x.ceil() as usize;
        column.saturating_sub(1).min(columns - 1)
    };
    let mut marks = vec![false; columns];
    for (at, _) in &top_ups {
        marks[column_of(*at)] = true;
    }
    let range = high - low;
    let bars: Vec<SparklineBar> = buckets
        .iter()
        .zip(&marks)
        .map(|(b, mark)| {
            let value = b.map(|v| {
                if range.is_zero() {
                    4
                } else {
                    ((v - low) / range * Decimal::from(7)).to_u64().unwrap_or(0) + 1
                }
            });
            let style = if *mark { theme.good() } else { theme.accent() };
            SparklineBar::from(value).style(style)
        })
        .collect();
    let marker_height = u16::from(!top_ups.is_empty());
    let [chart, markers, legend] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(marker_height),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Sparkline::default().data(bars).max(8), chart);
    // A ▲ under each column where money came in.
    let marker_row: String = marks.iter().map(|m| if *m { '▲' } else { ' ' }).collect();
    frame.render_widget(
        Paragraph::new(Span::styled(marker_row, theme.good())),
        markers,
    );
    let mut text = format!("last {} · {low}–{high}", short(to.duration_since(from)));
    if let Some((at, amount)) = top_ups.last() {
        text.push_str(&format!(" · ▲ top-up +{amount} {}", ago(app.now, *at)));
    }
    frame.render_widget(
        Paragraph::new(Span::styled(clip(&text, columns), theme.dim())),
        legend,
    );
}

/// The time now in the account's zone, e.g. "14:03 EST (Thu)".
fn local_time(app: &App, zone: &str) -> SafeText {
    match jiff::tz::TimeZone::get(zone) {
        // jiff's own text for a zone the IANA database knows.
        Ok(tz) => SafeText::new(
            &app.now
                .to_zoned_datetime(tz)
                .strftime("%H:%M %Z (%a)")
                .to_string(),
        ),
        Err(_) => SafeText::from("unknown zone"),
    }
}

fn duration(d: std::time::Duration) -> SignedDuration {
    SignedDuration::try_from(d).unwrap_or(SignedDuration::MAX)
}

/// "45 s", "2 min", "1 h 5 min": like [`human`] but with seconds.
fn short(d: SignedDuration) -> String {
    let secs = d.as_secs();
    if secs < 60 {
        format!("{} s", secs.max(0))
    } else {
        human(d)
    }
}
