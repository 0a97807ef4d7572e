//! Drawing: a pure function of the app's state. This module draws what
//! every screen shares (header, footer, help, the quit question, the
//! too-small notice) and leaves the rest to the screen on top.

mod overlay;
mod theme;

pub use overlay::{help, popup, scrolled};
pub use theme::Theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_segmentation::UnicodeSegmentation as _;
use unicode_width::UnicodeWidthStr;

use crate::app::{App, Notice, NoticeKind, Overlay};
use crate::keymap::{Action, Context, Keymap};
use crate::layout::{self, STACKED_MIN, WIDE_MIN};
use crate::monitor::threshold::Level;
use crate::text;

/// Draws the fleet: the welcome screen over it while it is open, else the
/// account opened, or the fleet screen.
pub fn render_fleet(fleet: &crate::app::fleet::Fleet, frame: &mut Frame) {
    if let Some(welcome) = &fleet.welcome {
        crate::screens::welcome::render(welcome, frame);
        return;
    }
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
    let (hints, ranks) = hints(app);
    footer(
        app.notice.as_ref(),
        &hints,
        &ranks,
        frame,
        areas.footer,
        theme,
    );
    let body = areas.body();
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
    let width = usize::from(area.width);
    let base: usize = left.iter().map(Span::width).sum();
    let auth_id = &app.session.auth_id;
    // The alert says its amount whatever the width: shorter, and the
    // activity and the auth id give way first.
    let alert = match (&app.alarm, app.level()) {
        (Some(alarm), Level::Critical) => {
            let long = format!(" ⚠ balance below {} USD ", alarm.alert_below());
            let short = format!(" ⚠ < {} USD ", alarm.alert_below());
            Some(if base + long.width() + 2 + auth_id.width() <= width {
                ("  ", long)
            } else {
                (" ", short)
            })
        }
        _ => None,
    };
    let alert_width = alert
        .as_ref()
        .map_or(0, |(gap, text)| gap.len() + text.width());
    if let Some(activity) = activity {
        let activity = format!("  ⟳ {activity}");
        if base + activity.width() + alert_width + auth_id.width() <= width {
            right.push(Span::styled(activity, theme.dim()));
        }
    }
    if let Some((gap, text)) = alert {
        right.push(Span::raw(gap));
        right.push(Span::styled(text, theme.alert()));
    }
    // The auth id shows whole where it can (cut only to keep the alert's
    // amount); the account's name gets what room is left, cut with an
    // ellipsis, and goes entirely before the id would.
    let used: usize = left.iter().chain(&right).map(Span::width).sum();
    let auth_id = &clip(auth_id, width.saturating_sub(used));
    let room = width.saturating_sub(used + auth_id.chars().count());
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
/// key hints, as many whole ones as fit, where `ranks[i]` says how much hint
/// `i` should stay when not all fit (lower stays longer; see
/// `Keymap::hint_rank`). Unranked hints drop from the end.
pub fn footer(
    notice: Option<&Notice>,
    hints: &[(String, &'static str)],
    ranks: &[u8],
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
    // Whole hints only (half of one would read wrong), as many as fit,
    // the lowest ranked first, shown in their order.
    let shown: Vec<(String, String)> = hints
        .iter()
        .map(|(key, what)| (format!(" {key}"), format!(" {what} ")))
        .collect();
    let mut by_rank: Vec<usize> = (0..shown.len()).collect();
    by_rank.sort_by_key(|i| (ranks.get(*i).copied().unwrap_or(u8::MAX), *i));
    let mut kept = vec![false; shown.len()];
    let mut used = 0;
    for i in by_rank {
        let width = shown[i].0.width() + shown[i].1.width();
        if used + width <= usize::from(area.width) {
            used += width;
            kept[i] = true;
        }
    }
    let spans = shown
        .into_iter()
        .zip(kept)
        .filter(|(_, kept)| *kept)
        .flat_map(|((key, what), _)| {
            [
                Span::styled(key, theme.key()),
                Span::styled(what, theme.dim()),
            ]
        });
    lines.push(Line::from(spans.collect::<Vec<_>>()));
    frame.render_widget(Paragraph::new(lines), area);
}

/// The keys that do something right now, as bound, with what they do,
/// and their ranks for a narrow footer.
fn hints(app: &App) -> (Vec<(String, &'static str)>, Vec<u8>) {
    let keymap = &app.session.keymap;
    // The most specific context after Global names the situation.
    let context = app.contexts().get(1).copied().unwrap_or(Context::Global);
    keymap
        .hints(context)
        .into_iter()
        .filter_map(|(keys, action, label)| match action {
            Action::Pause if app.paused => Some((keys, "resume", action)),
            Action::Fleet if !app.session.in_fleet => None,
            // Before the account loads, only these keys do anything.
            Action::Refresh if app.account.is_none() => Some((keys, "retry", action)),
            Action::Help | Action::Quit | Action::Fleet => Some((keys, label, action)),
            _ if app.account.is_none() && context == Context::Dashboard => None,
            _ => Some((keys, label, action)),
        })
        .map(|(keys, label, action)| ((keys, label), Keymap::hint_rank(context, action)))
        .unzip()
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
    // Only leaving works here: say how.
    let need = format!(
        "need {}×{} (or {}×{}); {} quits",
        WIDE_MIN.0,
        WIDE_MIN.1,
        STACKED_MIN.0,
        STACKED_MIN.1,
        app.session.keymap.key_label(Action::Quit)
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
