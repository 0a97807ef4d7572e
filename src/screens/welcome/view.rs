//! The welcome screen's drawing: what plivo-dash needs, three fields (the
//! token as dots), why the last try failed, and the keys.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Field, Welcome};
use crate::keymap::Context;
use crate::ui::{self, Theme};

/// The box's widest.
const WIDTH: u16 = 72;
/// Draws the welcome screen.
pub fn render(welcome: &Welcome, frame: &mut Frame) {
    let theme = Theme::new(welcome.color);
    let area = frame.area();
    if !crate::layout::welcome_fits((area.width, area.height)) {
        // Nothing typed here lands anywhere; only leaving works.
        let leave = welcome.keymap.key_label(crate::keymap::Action::Cancel);
        let question = welcome.quitting.then(|| {
            Line::from(Span::styled(
                format!(
                    "{} What was typed is lost. {}",
                    question(welcome),
                    answers(welcome)
                ),
                theme.error(),
            ))
        });
        ui::too_small_notice(
            frame,
            area,
            theme,
            &format!(
                "the welcome screen needs {}×{}; {leave} {}",
                crate::layout::WELCOME_MIN.0,
                crate::layout::WELCOME_MIN.1,
                leaving(welcome)
            ),
            question,
        );
        return;
    }
    let width = area.width.min(WIDTH);
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + 1,
        width,
        height: area.height.saturating_sub(3).min(22),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .title(Span::styled(" Welcome to plivo-dash ", theme.accent()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let demo = welcome.keymap.key_label(crate::keymap::Action::Demo);
    let intro = if welcome.from_fleet {
        format!(
            "This account's auth token is not set up here (after a logout, or kept in another computer's keychain). Paste it from the Overview page of console.plivo.com: it is checked with Plivo, then kept in your OS keychain where there is one, and the account joins the fleet. {} goes back to the fleet.",
            welcome.keymap.key_label(crate::keymap::Action::Cancel)
        )
    } else if welcome.returning {
        format!(
            "This account's auth token is not set up here (after a logout, or kept in another computer's keychain). Paste it from the Overview page of console.plivo.com: it is checked with Plivo, then kept in your OS keychain where there is one. Or press {demo} to try the demo."
        )
    } else {
        format!(
            "No Plivo account is set up yet. Log in with your auth id and auth token, from the Overview page of console.plivo.com. They are checked with Plivo, then kept: the token in your OS keychain where there is one. Or press {demo} to try the demo."
        )
    };
    let intro_width = usize::from(inner.width.saturating_sub(2));
    let intro_lines: Vec<Line> = crate::layout::wrap(&intro, intro_width)
        .into_iter()
        .map(Line::raw)
        .collect();
    let intro_height = u16::try_from(intro_lines.len()).unwrap_or(u16::MAX);
    frame.render_widget(
        Paragraph::new(intro_lines),
        Rect {
            x: inner.x + 1,
            width: inner.width.saturating_sub(2),
            height: intro_height.min(inner.height),
            ..inner
        },
    );
    let label_width: u16 = 10;
    let box_width = inner.width.saturating_sub(label_width + 2);
    let mut y = inner.y + intro_height + 1;
    for (field, label) in [
        (Field::AuthId, "Auth ID"),
        (Field::Token, "Token"),
        (Field::Profile, "Profile"),
    ] {
        let focused = welcome.focus == field;
        let input = welcome.input(field);
        let room = usize::from(box_width.saturating_sub(2));
        let shown = match field {
            Field::Token => Span::raw("•".repeat(input.chars().min(room))),
            // Left empty, the profile is the file's top level.
            Field::Profile if input.text().is_empty() => {
                Span::styled(crate::config::TOP_LEVEL, theme.dim())
            }
            _ => Span::raw(input.visible(room)),
        };
        let field_rect = Rect {
            x: inner.x + 1 + label_width,
            y,
            width: box_width,
            height: 3,
        };
        let style = if focused { theme.accent() } else { theme.dim() };
        frame.render_widget(
            Paragraph::new(shown).block(Block::default().borders(Borders::ALL).border_style(style)),
            field_rect,
        );
        frame.render_widget(
            Paragraph::new(Span::styled(
                label,
                if focused { theme.key() } else { theme.dim() },
            )),
            Rect {
                x: inner.x + 1,
                y: y + 1,
                width: label_width,
                height: 1,
            },
        );
        if focused && !welcome.checking && !welcome.quitting {
            let column = if field == Field::Token {
                input.cursor().min(room.saturating_sub(1))
            } else {
                input.cursor_column() - input.scroll(room)
            };
            let at = Position::new(
                field_rect.x + 1 + u16::try_from(column).unwrap_or(u16::MAX),
                y + 1,
            );
            if at.x < field_rect.right().saturating_sub(1) {
                frame.set_cursor_position(at);
            }
        }
        y += 3;
    }
    let status = match (&welcome.problem, &welcome.api_url, &welcome.profile_api) {
        (why, _, _) if welcome.checking => Some(Line::from(Span::styled(
            format!(
                "Checking with {}…{}",
                welcome.check_api().unwrap_or("Plivo"),
                why.as_deref()
                    .map(|why| format!(" {why}"))
                    .unwrap_or_default()
            ),
            theme.dim(),
        ))),
        (Some(why), _, _) => Some(Line::from(Span::styled(format!("✗ {why}"), theme.error()))),
        // Where the token will go, when it is not Plivo's own API.
        (None, Some(url), _) => Some(Line::from(Span::styled(
            format!("API {url}, from the paste"),
            theme.dim(),
        ))),
        (None, None, Some(url)) => Some(Line::from(Span::styled(
            format!("API {url}, the profile's"),
            theme.dim(),
        ))),
        (None, None, None) => None,
    };
    if let Some(status) = status {
        frame.render_widget(
            Paragraph::new(status).wrap(Wrap { trim: true }),
            Rect {
                x: inner.x + 1,
                y: y.min(inner.bottom().saturating_sub(1)),
                width: inner.width.saturating_sub(2),
                height: inner.bottom().saturating_sub(y).max(1),
            },
        );
    }
    // While a check is out, only leaving does anything.
    let context = if welcome.quitting {
        Context::ConfirmQuit
    } else {
        Context::Welcome
    };
    let mut hints: Vec<(String, &'static str)> = welcome
        .keymap
        .hints(context)
        .into_iter()
        // While a check is out, leaving waits for its answer; only the
        // interrupt key leaves at once.
        .filter(|_| welcome.quitting || !welcome.checking)
        .filter(|(_, action, _)| !(welcome.from_fleet && *action == crate::keymap::Action::Demo))
        .map(|(keys, action, label)| match action {
            crate::keymap::Action::Cancel if welcome.from_fleet && !welcome.quitting => {
                (keys, "back to the fleet")
            }
            crate::keymap::Action::Yes if welcome.quitting && back(welcome) => (keys, "leave"),
            _ => (keys, label),
        })
        .collect();
    if welcome.checking && !welcome.quitting {
        hints.push((
            welcome.keymap.key_label(crate::keymap::Action::Interrupt),
            "quit",
        ));
    }
    ui::footer(
        None,
        &hints,
        &[],
        frame,
        Rect {
            y: area.bottom().saturating_sub(2),
            height: 2,
            ..area
        },
        theme,
    );
    if welcome.quitting {
        ui::popup(
            frame,
            area,
            question(welcome),
            vec![
                Line::raw(" What was typed here will be lost."),
                Line::raw(""),
                Line::from(Span::styled(format!(" {}", answers(welcome)), theme.key())),
            ],
            theme,
        );
    }
}

/// What leaving does: quit, or (opened from the fleet) go back to it.
fn leaving(welcome: &Welcome) -> &'static str {
    if welcome.from_fleet {
        "goes back to the fleet"
    } else {
        "quits"
    }
}

/// Whether leaving goes back to the fleet (not the interrupt key's quit).
fn back(welcome: &Welcome) -> bool {
    welcome.from_fleet && !welcome.interrupted
}

/// The question asked before what was typed is dropped.
fn question(welcome: &Welcome) -> &'static str {
    if back(welcome) {
        "Back to the fleet?"
    } else {
        "Quit?"
    }
}

/// The keys that answer the quit question, as bound.
fn answers(welcome: &Welcome) -> String {
    use crate::keymap::Action;
    let keys = &welcome.keymap;
    format!(
        "{} / {} {}, {} keep editing",
        keys.key_label(Action::Yes),
        keys.key_label(Action::Confirm),
        if back(welcome) { "leave" } else { "quit" },
        keys.key_label(Action::No),
    )
}
