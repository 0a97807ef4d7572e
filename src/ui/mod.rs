//! Drawing: a pure function of the app's state.

mod form;
mod overlay;
mod panel;
mod theme;

pub use overlay::HELP;
pub use theme::Theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use unicode_segmentation::UnicodeSegmentation as _;
use unicode_width::UnicodeWidthStr as _;

use crate::app::{App, Fetch, Mode, NoticeKind};
use crate::layout::{self, STACKED_MIN, WIDE_MIN, centered};
use crate::plivo::{ErrorClass, Field};
use crate::text::{self, sanitize};
use crate::threshold::Level;

/// Draws the whole screen for `app`.
pub fn render(app: &App, frame: &mut Frame) {
    let theme = Theme::new(app.session.color);
    let screen = frame.area();
    let notice = app.notice.as_ref().map(|n| n.text.as_str());
    let Some(areas) = layout::areas(screen, layout::notice_lines(notice, screen.width)) else {
        too_small(app, frame, screen, theme);
        return;
    };
    header(app, frame, areas.header, theme);
    footer(app, frame, areas.footer, theme);
    let body = Rect {
        y: areas.header.bottom(),
        height: areas.footer.y - areas.header.bottom(),
        ..screen
    };
    match &app.account {
        Some(account) => {
            panel::render(app, account, theme, frame, areas.panel);
            form::render(app, theme, frame, &areas);
        }
        None => no_account(app, frame, body, theme),
    }
    match &app.mode {
        Mode::Normal => {}
        Mode::Help => overlay::help(frame, body, theme),
        Mode::ConfirmSave(update) => overlay::confirm_save(app, update, frame, body, theme),
        Mode::ConfirmQuit => overlay::confirm_quit(app, frame, body, theme),
    }
}

fn header(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let mut left = vec![Span::styled(" plivo-dash ", theme.accent())];
    if app.session.demo {
        left.push(Span::styled(" DEMO ", theme.badge()));
        left.push(Span::raw(" "));
    }
    let mut right = Vec::new();
    let activity = if app.saving {
        Some("saving…")
    } else if app.refreshing {
        Some("refreshing…")
    } else {
        None
    };
    if let Some(activity) = activity {
        right.push(Span::styled(format!("  ⟳ {activity}"), theme.dim()));
    }
    if let (Some(alarm), Level::Critical) = (&app.alarm, app.level()) {
        right.push(Span::raw("  "));
        right.push(Span::styled(
            format!(" ⚠ balance below {} USD ", alarm.alert_below()),
            theme.alert(),
        ));
    }
    // The auth id always shows whole; the account's name gets what room is
    // left, cut with an ellipsis, and goes entirely before the id would.
    let used: usize = left.iter().chain(&right).map(Span::width).sum();
    let auth_id = &app.session.auth_id;
    let room = usize::from(area.width).saturating_sub(used + auth_id.chars().count());
    let who = match &app.account {
        Some(a) if !a.name.is_empty() && room >= 6 => {
            format!("{} · {auth_id}", clip(&sanitize(&a.name), room - 3))
        }
        _ => auth_id.clone(),
    };
    left.push(Span::raw(who));
    left.extend(right);
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}

fn footer(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let mut lines: Vec<Line> = match &app.notice {
        Some(n) => {
            let style = match n.kind {
                NoticeKind::Info => theme.dim(),
                NoticeKind::Success => theme.good(),
                NoticeKind::Error => theme.error(),
            };
            let room = area.height.saturating_sub(1).max(1);
            let mut wrapped = layout::wrap(&n.text, usize::from(area.width.saturating_sub(1)));
            if wrapped.len() > usize::from(room) {
                wrapped.truncate(usize::from(room));
                if let Some(last) = wrapped.last_mut() {
                    *last = clip(
                        &format!("{last} …"),
                        usize::from(area.width.saturating_sub(1)),
                    );
                }
            }
            wrapped
                .into_iter()
                .map(|l| Line::from(Span::styled(format!(" {l}"), style)))
                .collect()
        }
        None => vec![Line::default()],
    };
    while lines.len() + 1 < usize::from(area.height) {
        lines.push(Line::default());
    }
    let mut spans = Vec::new();
    for (key, what) in hints(app) {
        spans.push(Span::styled(format!(" {key}"), theme.key()));
        spans.push(Span::styled(format!(" {what} "), theme.dim()));
    }
    lines.push(Line::from(spans));
    frame.render_widget(Paragraph::new(lines), area);
}

/// The keys that do something right now.
fn hints(app: &App) -> Vec<(&'static str, &'static str)> {
    match &app.mode {
        Mode::Help => vec![("Esc", "close")],
        Mode::ConfirmSave(_) => vec![("Enter", "save"), ("Esc", "keep editing")],
        Mode::ConfirmQuit => vec![("y", "quit without saving"), ("n", "stay")],
        Mode::Normal if app.account.is_none() => {
            vec![("r", "retry"), ("?", "help"), ("q", "quit")]
        }
        Mode::Normal => match app.form.focus() {
            None => vec![
                ("Tab", "edit"),
                ("r", "refresh"),
                ("p", if app.paused { "resume" } else { "pause" }),
                ("+/-", "period"),
                ("?", "help"),
                ("q", "quit"),
            ],
            Some(Field::Timezone) if !app.form.suggestions().is_empty() => vec![
                ("↑↓", "choose"),
                ("Enter", "pick"),
                ("Tab", "next"),
                ("Esc", "leave form"),
            ],
            Some(_) => vec![
                ("Tab", "next"),
                ("S-Tab", "prev"),
                ("Ctrl-S", "save"),
                ("Ctrl-R", "revert"),
                ("Esc", "leave form"),
            ],
        },
    }
}

/// Loading and failure before any account has arrived: screens of their own.
fn no_account(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let (title, style, lines) = match &app.fetch {
        Fetch::Failed(error) if error.class() == ErrorClass::Auth => (
            "Authentication failed",
            theme.error(),
            vec![
                error.to_string(),
                String::new(),
                format!(
                    "Check the auth id ({}) and the token, which came from {}.",
                    app.session.auth_id, app.session.token_source
                ),
                "Press r to try again, q to quit.".to_owned(),
            ],
        ),
        Fetch::Failed(error) => (
            "Cannot load the account",
            theme.error(),
            vec![
                error.to_string(),
                String::new(),
                format!("API: {}", app.session.api_url),
                "Press r to try again, q to quit.".to_owned(),
            ],
        ),
        Fetch::Loading | Fetch::Fresh => (
            "Loading",
            theme.accent(),
            vec![format!(
                "Fetching account {} from {}…",
                app.session.auth_id, app.session.api_url
            )],
        ),
    };
    let mut lines = lines;
    for warning in &app.warnings {
        lines.push(String::new());
        lines.push(format!("⚠ {warning}"));
    }
    let width = area.width.saturating_sub(4).min(72);
    let text: Vec<Line> = lines.into_iter().map(Line::raw).collect();
    let inner = width.saturating_sub(2).max(1) as usize;
    let height = text
        .iter()
        .map(|l| l.width().div_ceil(inner).max(1))
        .sum::<usize>() as u16
        + 2;
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(
            Block::bordered()
                .border_style(style)
                .title(Span::styled(format!(" {title} "), style)),
        ),
        centered(area, width, height),
    );
}

fn too_small(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let mut text = vec![
        Line::from(Span::styled("Terminal too small", theme.warn())),
        Line::raw(format!(
            "need {}×{} (or {}×{})",
            WIDE_MIN.0, WIDE_MIN.1, STACKED_MIN.0, STACKED_MIN.1
        )),
        Line::raw(format!("now {}×{}", area.width, area.height)),
    ];
    if app.mode == Mode::ConfirmQuit {
        text.insert(
            0,
            Line::from(Span::styled(
                "Unsaved edits: y quits without them, n stays",
                theme.error(),
            )),
        );
    }
    let height = (text.len() as u16).min(area.height);
    let rect = Rect {
        y: area.y + (area.height - height) / 2,
        height,
        ..area
    };
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}

/// `text` as drawn (see [`text::drawable`]), cut to `width` terminal
/// columns between characters, with "…" where it was cut. Wide characters
/// (CJK, emoji) count as two.
pub fn clip(text: &str, width: usize) -> String {
    let text = text::drawable(text);
    if text.width() <= width {
        return text.into_owned();
    }
    let mut used = 0;
    let mut out = String::new();
    for g in text.graphemes(true) {
        let w = g.width();
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push_str(g);
    }
    if width > 0 {
        out.push('…');
    }
    out
}
