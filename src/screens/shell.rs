//! The frame around an account's screens: the header, the footer with the
//! keys that work now, the overlays (help, the quit question) and the
//! too-small notice.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::keymap::{Action, Context, Keymap};
use crate::layout::{self, STACKED_MIN, WIDE_MIN};
use crate::monitor::threshold::Level;
use crate::state::{AccountState, Overlay};
use crate::ui::{self, Theme, clip, footer, popup, too_small_notice};

use super::Router;

/// Draws the whole screen for an account: its state, and the screens
/// open on it, the top one shown.
pub fn render(app: &AccountState, screens: &Router, frame: &mut Frame) {
    let theme = Theme::new(app.session.color);
    let screen = frame.area();
    let notice = app.notice.as_ref().map(|n| n.text.as_str());
    let Some(areas) = layout::areas(screen, layout::notice_lines(notice, screen.width)) else {
        too_small(app, screens, frame, screen, theme);
        return;
    };
    header(app, frame, areas.header, theme);
    let (hints, ranks) = hints(app, screens);
    footer(
        app.notice.as_ref(),
        &hints,
        &ranks,
        frame,
        areas.footer,
        theme,
    );
    let body = areas.body();
    screens.render(app, theme, frame, &areas, body);
    match app.overlay {
        None => {}
        Some(Overlay::Help { scroll, screen }) => {
            ui::help(&app.session.keymap, screen, scroll, frame, body, theme);
        }
        Some(Overlay::ConfirmQuit) => confirm_quit(screens, app, frame, body, theme),
    }
}

fn header(app: &AccountState, frame: &mut Frame, area: Rect, theme: Theme) {
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
    let alert_forms = match (&app.alarm, app.level()) {
        (Some(alarm), Level::Critical) => Some((
            format!(" ⚠ < {} USD ", alarm.alert_below()),
            format!(" ⚠ balance below {} USD ", alarm.alert_below()),
        )),
        _ => None,
    };
    let mut alert = alert_forms.as_ref().map(|(short, long)| {
        if base + long.width() + 2 + auth_id.width() <= width {
            ("  ", long.clone())
        } else {
            (" ", short.clone())
        }
    });
    let widths = |alert: &Option<(&str, String)>| {
        alert
            .as_ref()
            .map_or(0, |(gap, text)| gap.len() + text.width())
    };
    let mut alert_width = widths(&alert);
    // Which profile this is comes first, when one was chosen: two
    // profiles may hold the same account.
    let profile = app
        .session
        .profile
        .as_deref()
        .map(|p| format!("{} ", clip(p, 16)));
    // A spend spike names its source in the footer; the header keeps it in
    // sight for the hour after, beside the balance's alert where it fits.
    let spike_beside = |alert_width: usize| {
        app.spiking().and_then(|_| {
            [("  ", " ⚠ spend spike "), (" ", " ⚠ spike ")]
                .into_iter()
                .find(|(gap, text)| {
                    let profile = profile.as_deref().map_or(0, UnicodeWidthStr::width);
                    base + profile + alert_width + gap.len() + text.width() + auth_id.width()
                        <= width
                })
        })
    };
    let mut spike = spike_beside(alert_width);
    // Both said, the alert in short, rather than either alone.
    if let (None, Some((short, _))) = (spike, &alert_forms) {
        let shorter = Some((" ", short.clone()));
        let shorter_width = widths(&shorter);
        if let Some(fits) = spike_beside(shorter_width) {
            (alert, alert_width, spike) = (shorter, shorter_width, Some(fits));
        }
    }
    alert_width += spike.map_or(0, |(gap, text)| gap.len() + text.width());
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
    if let Some((gap, text)) = spike {
        right.push(Span::raw(gap));
        right.push(Span::styled(text, theme.alert()));
    }
    // The auth id shows whole where it can (cut only to keep the alert's
    // amount); the account's name gets what room is left, cut with an
    // ellipsis, and goes entirely before the id would.
    let used: usize = left.iter().chain(&right).map(Span::width).sum();
    let auth_id = &clip(auth_id, width.saturating_sub(used));
    let room = width.saturating_sub(used + auth_id.chars().count());
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

/// The keys that do something right now, as bound, with what they do,
/// and their ranks for a narrow footer.
fn hints(app: &AccountState, screens: &Router) -> (Vec<(String, &'static str)>, Vec<u8>) {
    let keymap = &app.session.keymap;
    // The most specific context after Global names the situation.
    let context = super::contexts(app.overlay, || screens.contexts())
        .get(1)
        .copied()
        .unwrap_or(Context::Global);
    let back = app.session.back_to_welcome;
    keymap
        .hints(context)
        .into_iter()
        .map(|(keys, action, label)| (keys, action, super::leave_label(action, label, back)))
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

/// Whether the fleet's table can be opened from behind an account's
/// too-small notice (which then says so): there is one, it fits, and no
/// edit would keep the account from being left.
pub(crate) fn fleet_in_reach(app: &AccountState, screens: &Router) -> bool {
    app.session.in_fleet && super::fleet::view::fits(app.size) && screens.unsaved().is_empty()
}

fn too_small(app: &AccountState, screens: &Router, frame: &mut Frame, area: Rect, theme: Theme) {
    let quits = if app.session.back_to_welcome {
        "goes back"
    } else {
        "quits"
    };
    let question = (app.overlay == Some(Overlay::ConfirmQuit)).then(|| {
        let keys = &app.session.keymap;
        Line::from(Span::styled(
            format!(
                "Unsaved edits: {} {quits} without them, {} stays",
                keys.key_label(Action::Yes),
                keys.key_label(Action::No)
            ),
            theme.error(),
        ))
    });
    // Only leaving works here: say how.
    let keys = &app.session.keymap;
    let mut need = format!(
        "need {}×{} (or {}×{}); {} {quits}",
        WIDE_MIN.0,
        WIDE_MIN.1,
        STACKED_MIN.0,
        STACKED_MIN.1,
        keys.key_label(Action::Quit)
    );
    if fleet_in_reach(app, screens) {
        need.push_str(&format!(", {} all accounts", keys.key_label(Action::Fleet)));
    }
    too_small_notice(frame, area, theme, &need, question);
}

fn confirm_quit(screens: &Router, app: &AccountState, frame: &mut Frame, area: Rect, theme: Theme) {
    let keys = &app.session.keymap;
    let no: Vec<String> = keys
        .keys_for(Action::No)
        .iter()
        .map(ToString::to_string)
        .collect();
    let lines = vec![
        Line::raw(format!(
            " Unsaved changes to {} will be lost.",
            screens.unsaved().join(", ")
        )),
        Line::raw(""),
        Line::from(vec![
            Span::styled(format!(" {}", keys.key_label(Action::Yes)), theme.key()),
            Span::raw(if app.session.back_to_welcome {
                " leave anyway   "
            } else {
                " quit anyway   "
            }),
            Span::styled(no.join(" / "), theme.key()),
            Span::raw(" stay"),
        ]),
    ];
    let title = if app.session.back_to_welcome {
        "Leave?"
    } else {
        "Quit?"
    };
    popup(frame, area, title, lines, theme);
}
