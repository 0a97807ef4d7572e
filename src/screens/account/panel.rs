//! The account panel: credits first and large, the account at a glance, and
//! the monitor: when it was updated, the burn rate, the runway and a chart.

use jiff::SignedDuration;
use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::symbols;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Axis, Block, BorderType, Chart, Dataset, GraphType, Padding, Paragraph, Sparkline, SparklineBar,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use crate::keymap::Action;
use crate::layout::wrap;
use crate::monitor::chart::{self, Plot};
use crate::monitor::threshold::Level;
use crate::monitor::{Estimate, ago, human};
use crate::plivo::{Account, ErrorClass};
use crate::state::AccountState;
use crate::state::{AccountText, FetchState};
use crate::text::SafeText;
use crate::ui::{Theme, clip};

const LABEL: usize = 11;
/// The rows the chart keeps before warnings take more than three lines
/// each.
const CHART_MIN: usize = 6;

pub(super) fn render(
    app: &AccountState,
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
    let wrapped: Vec<Vec<String>> = problems.iter().map(|p| wrap(p, width.max(1))).collect();
    // Each problem whole where there is room (a path and its reason are
    // what a warning is for); cut at three lines each only where the
    // chart would lose its own rows.
    let room = usize::from(inner.height).saturating_sub(3 + lines.len() + CHART_MIN);
    let whole = wrapped.iter().map(Vec::len).sum::<usize>() <= room;
    let stale: Vec<Line> = wrapped
        .into_iter()
        .flat_map(|mut lines| {
            if !whole {
                lines.truncate(3);
            }
            lines
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

fn credit_style(app: &AccountState, account: &Account, theme: Theme) -> Style {
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

fn render_credits(
    app: &AccountState,
    account: &Account,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
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
fn updated(app: &AccountState, theme: Theme, width: usize) -> Vec<Span<'static>> {
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
    app: &AccountState,
    account: &Account,
    theme: Theme,
    width: usize,
    row: &dyn Fn(&str, Vec<Span<'static>>) -> Line<'a>,
) -> Vec<Line<'a>> {
    let dim = |text: String| vec![Span::styled(clip(&text, width), theme.dim())];
    let credits = account.cash_credits;
    // At or below zero there is no runway left to estimate, whatever the
    // rate: say what is true, in red.
    // A postpaid account is invoiced afterwards: no credit to run out of.
    let postpaid = account.billing_mode == crate::plivo::BillingMode::Postpaid;
    let empty = (credits <= Decimal::ZERO && !postpaid).then(|| {
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
    app: &AccountState,
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

/// The credit chart: the balance over the range as a braille line (gaps
/// where nothing was recorded), the alert threshold as a line, top-ups as
/// green strokes, local times under it and the visible lowest and highest
/// balance beside it. Its data was downsampled when the history changed;
/// drawing only turns columns into points. Small, it is a sparkline.
fn render_chart(app: &AccountState, theme: Theme, frame: &mut Frame, area: Rect) {
    if area.height < 2 || area.width < 8 {
        return;
    }
    let plot = &app.plot;
    let keys = &app.session.keymap;
    let range = app.chart_range.label(app.session.retention);
    let [legend, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let Some((low, high)) = plot.bounds else {
        let note = if app.tracker.history().samples().is_empty() {
            "the chart starts with the first balance".to_owned()
        } else {
            format!(
                "nothing recorded in the last {range} ({} changes the range)",
                keys.key_label(Action::ChartRange)
            )
        };
        frame.render_widget(
            Paragraph::new(Span::styled(
                clip(&note, usize::from(area.width)),
                theme.dim(),
            )),
            legend,
        );
        return;
    };
    let title = Span::styled(
        format!("Credit · {range} ({})", keys.key_label(Action::ChartRange)),
        theme.dim(),
    );
    let top_up = app
        .tracker
        .history()
        .top_ups(plot.from)
        .last()
        .map(|(at, amount)| {
            Span::styled(
                // Rounded: `{:.2}` alone would cut +0.99599 to +0.99.
                format!(" · ▲ +{:.2} {}", amount.round_dp(2), ago(app.now, *at)),
                theme.good(),
            )
        });
    let alert = app
        .alarm
        .as_ref()
        .map(|alarm| Span::styled(format!(" · alert {}", alarm.alert_below()), theme.warn()));
    // Whole pieces or none: a number cut at the border would misread
    // ("alert 1" for 1.5). The top-up goes first, then the alert.
    let fits = |spans: &[&Span]| {
        spans.iter().map(|s| s.width()).sum::<usize>() <= usize::from(legend.width)
    };
    let all: Vec<&Span> = [Some(&title), top_up.as_ref(), alert.as_ref()]
        .into_iter()
        .flatten()
        .collect();
    let spans: Vec<Span> = if fits(&all) {
        all.into_iter().cloned().collect()
    } else {
        match alert {
            Some(alert) if fits(&[&title, &alert]) => vec![title, alert],
            _ => vec![title],
        }
    };
    frame.render_widget(Paragraph::new(Line::from(spans)), legend);
    if body.height < 5 || body.width < 30 {
        sparkline(plot, theme, frame, body);
        return;
    }
    let f = |d: Decimal| plot.place(d);
    // The threshold is drawn when it is near what is shown (within one
    // height of it); farther off, taking it in would flatten the line,
    // and the legend says where it is instead.
    let spread = (high - low).max(high.abs() / Decimal::from(100));
    let alert = app
        .alarm
        .as_ref()
        .map(|a| a.alert_below())
        .filter(|a| *a >= low - spread && *a <= high + spread);
    let (lo, hi) = match alert {
        Some(a) => (low.min(a), high.max(a)),
        None => (low, high),
    };
    let (lo, hi) = if lo == hi {
        let pad = chart::flat_height(lo);
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    };
    let n = plot.columns.len();
    let x = |i: usize| i as f64;
    let threshold: Vec<(f64, f64)> = alert
        .map(|a| vec![(0.0, f(a)), (x(n.saturating_sub(1)), f(a))])
        .unwrap_or_default();
    let top_ups: Vec<Vec<(f64, f64)>> = plot
        .top_ups
        .iter()
        .filter_map(|i| plot.columns[*i].map(|c| vec![(x(*i), f(lo)), (x(*i), f(c.high))]))
        .collect();
    // Drawn in order, and a cell takes the colour of the last line through
    // it: the threshold first, so the balance stays cyan where it crosses.
    let mut datasets = Vec::new();
    if !threshold.is_empty() {
        let style = match app.level() {
            Level::Critical => theme.error(),
            Level::Ok | Level::Warning => theme.warn(),
        };
        // Without colour the threshold would look like the balance: dots.
        let marker = if app.session.color {
            symbols::Marker::Braille
        } else {
            symbols::Marker::Dot
        };
        datasets.push(line(&threshold, style).marker(marker));
    }
    datasets.extend(plot.runs.iter().map(|p| line(p, theme.accent())));
    datasets.extend(top_ups.iter().map(|p| line(p, theme.good())));
    let value_labels = value_labels(lo, hi);
    // Where ratatui puts the plot: right of the value labels (at most a
    // third of the width) and the axis line. Times are placed under it.
    let label_width = value_labels
        .iter()
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(usize::from(body.width / 3));
    // The x labels are blank: ratatui keeps their row and draws the axis
    // line, and the row is filled below with times at round values.
    let x_axis = Axis::default()
        .style(theme.dim())
        .bounds([0.0, x(n.saturating_sub(1)).max(1.0)])
        .labels(["", ""]);
    let y_axis = Axis::default()
        .style(theme.dim())
        .bounds([f(lo), f(hi)])
        .labels(value_labels);
    frame.render_widget(Chart::new(datasets).x_axis(x_axis).y_axis(y_axis), body);
    let times = time_labels(app, label_width + 1, usize::from(body.width));
    let row = Rect {
        y: body.bottom().saturating_sub(1),
        height: 1,
        ..body
    };
    frame.render_widget(Paragraph::new(Span::styled(times, theme.dim())), row);
}

/// The row under the chart: round local times where they fall on a plot
/// starting `left` cells into a row `width` wide, and "now" at the end.
/// A time that would touch its neighbour or "now" is left out.
fn time_labels(app: &AccountState, left: usize, width: usize) -> String {
    const NOW: &str = "now";
    let mut row = vec![' '; width];
    let plot_width = width.saturating_sub(left);
    if plot_width < NOW.len() + 2 {
        return String::new();
    }
    let end = width - NOW.len();
    row[end..]
        .iter_mut()
        .zip(NOW.chars())
        .for_each(|(c, n)| *c = n);
    let mut free = 0;
    let ticks = chart::ticks(app.plot.from, app.plot.to, &app.session.tz, plot_width);
    for (cell, label) in ticks {
        let len = label.chars().count();
        let at = left + cell;
        let start = at.saturating_sub(len / 2);
        // Three cells before "now", or "18:00 now" reads as one phrase.
        if start < free || start + len + 3 > end {
            continue;
        }
        row[start..start + len]
            .iter_mut()
            .zip(label.chars())
            .for_each(|(c, l)| *c = l);
        free = start + len + 1;
    }
    row.into_iter().collect()
}

/// The value axis's lowest and highest balance, with the decimals it takes
/// to tell them apart (at least two, at most eight), the same for both.
fn value_labels(lo: Decimal, hi: Decimal) -> [String; 2] {
    let dp: u32 = (2..8)
        .find(|dp| lo.round_dp(*dp) != hi.round_dp(*dp))
        .unwrap_or(8);
    // Rounded first: `{:.N}` on a Decimal truncates.
    let (lo, hi) = (lo.round_dp(dp), hi.round_dp(dp));
    let dp = dp as usize;
    [format!("{lo:.dp$}"), format!("{hi:.dp$}")]
}

/// A braille line through `points`.
fn line(points: &[(f64, f64)], style: Style) -> Dataset<'_> {
    Dataset::default()
        .marker(symbols::Marker::Braille)
        .graph_type(GraphType::Line)
        .style(style)
        .data(points)
}

/// The chart where there is no room for axes: one bar per cell, the
/// highest balance of the columns it covers.
fn sparkline(plot: &Plot, theme: Theme, frame: &mut Frame, area: Rect) {
    let Some((low, high)) = plot.bounds else {
        return;
    };
    let cells = usize::from(area.width).max(1);
    let per = plot.columns.len().div_ceil(cells).max(1);
    let range = high - low;
    let bars: Vec<SparklineBar> = plot
        .columns
        .chunks(per)
        .map(|chunk| {
            let value = chunk.iter().flatten().map(|c| c.high).max().map(|v| {
                if range.is_zero() {
                    4
                } else {
                    ((v - low) / range * Decimal::from(7)).to_u64().unwrap_or(0) + 1
                }
            });
            SparklineBar::from(value).style(theme.accent())
        })
        .collect();
    frame.render_widget(Sparkline::default().data(bars).max(8), area);
}

/// The time now in the account's zone, e.g. "14:03 EST (Thu)".
fn local_time(app: &AccountState, zone: &str) -> SafeText {
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
