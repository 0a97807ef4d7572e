//! Drawing: a pure function of the app's state. This module draws what
//! every screen shares (header, footer, help, the quit question, the
//! too-small notice) and leaves the rest to the screen on top.

mod overlay;
mod theme;

pub use overlay::{help, popup};
pub use theme::Theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_segmentation::UnicodeSegmentation as _;
use unicode_width::UnicodeWidthStr;

use crate::app::{App, Notice, NoticeKind, Overlay};
use crate::keymap::{Action, Context};
use crate::layout::{self, STACKED_MIN, WIDE_MIN};
use crate::monitor::threshold::Level;
use crate::text;

/// Draws the fleet: the account opened, or the fleet screen.
pub fn render_fleet(fleet: &crate::app::fleet::Fleet, frame: &mut Frame) {
    match fleet.opened() {
        Some(app) => render(app, frame),
        None => crate::screens::fleet::view::render(fleet, frame),
    }
}

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
    footer(app.notice.as_ref(), &hints(app), frame, areas.footer, theme);
    let body = Rect {
        y: areas.header.bottom(),
        height: areas.footer.y - areas.header.bottom(),
        ..screen
    };
    app.screens.render(app, theme, frame, &areas, body);
    match app.overlay {
        None => {}
        Some(Overlay::Help { scroll, screen }) => {
            overlay::help(&app.session.keymap, screen, scroll, frame, body, theme);
        }
        Some(Overlay::ConfirmQuit) => overlay::confirm_quit(app, frame, body, theme),
    }
}

fn header(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let mut left = vec![Span::styled(" plivo-dash ", theme.accent())];
    if app.session.demo {
        left.push(Span::styled(" DEMO ", theme.badge()));
        left.push(Span::raw(" "));
    }
    let mut right = Vec::new();
    let activity = if app.save.busy() {
        Some("saving…")
    } else if app.fetch.in_flight() {
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
    // Which profile this is comes first, when one was chosen: two
    // profiles may hold the same account.
    let profile = app
        .session
        .profile
        .as_deref()
        .map(|p| format!("{} ", clip(p, 16)));
    let room = room.saturating_sub(profile.as_deref().map_or(0, UnicodeWidthStr::width));
    let who = match &app.shown {
        Some(a) if !a.name.as_str().is_empty() && room >= 6 => {
            format!("{} · {auth_id}", clip(a.name.as_str(), room - 3))
        }
        _ => auth_id.clone(),
    };
    if let Some(profile) = profile {
        left.push(Span::styled(profile, theme.key()));
    }
    left.push(Span::raw(who));
    left.extend(right);
    frame.render_widget(Paragraph::new(Line::from(left)), area);
}

/// The footer: `notice` wrapped onto the lines it has, and under it the
/// key hints, as many whole ones as fit.
pub fn footer(
    notice: Option<&Notice>,
    hints: &[(String, &'static str)],
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let mut lines: Vec<Line> = match notice {
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
    // Whole hints only, as many as fit: half of one would read wrong.
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, what) in hints {
        let (key, what) = (format!(" {key}"), format!(" {what} "));
        used += key.width() + what.width();
        if used > usize::from(area.width) {
            break;
        }
        spans.push(Span::styled(key, theme.key()));
        spans.push(Span::styled(what, theme.dim()));
    }
    lines.push(Line::from(spans));
    frame.render_widget(Paragraph::new(lines), area);
}

/// The keys that do something right now, as bound, with what they do.
fn hints(app: &App) -> Vec<(String, &'static str)> {
    let keymap = &app.session.keymap;
    // The most specific context after Global names the situation.
    let context = app.contexts().get(1).copied().unwrap_or(Context::Global);
    keymap
        .hints(context)
        .into_iter()
        .filter_map(|(keys, action, label)| match action {
            Action::Pause if app.paused => Some((keys, "resume")),
            Action::Fleet if !app.session.in_fleet => None,
            // Before the account loads, only these keys do anything.
            Action::Refresh if app.account.is_none() => Some((keys, "retry")),
            Action::Help | Action::Quit | Action::Fleet => Some((keys, label)),
            _ if app.account.is_none() && context == Context::Dashboard => None,
            _ => Some((keys, label)),
        })
        .collect()
}

fn too_small(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let question = (app.overlay == Some(Overlay::ConfirmQuit)).then(|| {
        let keys = &app.session.keymap;
        Line::from(Span::styled(
            format!(
                "Unsaved edits: {} quits without them, {} stays",
                keys.key_label(Action::Yes),
                keys.key_label(Action::No)
            ),
            theme.error(),
        ))
    });
    let need = format!(
        "need {}×{} (or {}×{})",
        WIDE_MIN.0, WIDE_MIN.1, STACKED_MIN.0, STACKED_MIN.1
    );
    too_small_notice(frame, area, theme, &need, question);
}

/// "Terminal too small", what is needed (`need`) and what there is,
/// centred in `area`, under `first` when there is something to ask.
pub fn too_small_notice(
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
    need: &str,
    first: Option<Line<'static>>,
) {
    let mut text: Vec<Line> = first.into_iter().collect();
    text.extend([
        Line::from(Span::styled("Terminal too small", theme.warn())),
        Line::raw(need.to_owned()),
        Line::raw(format!("now {}×{}", area.width, area.height)),
    ]);
    let height = u16::try_from(text.len())
        .unwrap_or(u16::MAX)
        .min(area.height);
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
    // Plain printable ASCII (numbers, ids, most labels) is one column a
    // byte and safe as it is: no need to look at graphemes.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return match width {
            _ if text.len() <= width => text.to_owned(),
            0 => String::new(),
            _ => format!("{}…", &text[..width - 1]),
        };
    }
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
