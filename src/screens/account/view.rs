//! Drawing the account screen: the panel beside the profile form (one
//! bordered single-line editor per field, whose border and title say
//! focused, unsaved, changed on the server, or invalid), a screen of its own
//! while no account has loaded, and the review of a save.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};
use unicode_width::UnicodeWidthStr as _;

use super::{AccountScreen, FieldState, Review, goes, panel};
use crate::keymap::Action;
use crate::layout::{self, Areas, centered, wrap};
use crate::plivo::{ApiError, ErrorClass};
use crate::state::AccountState;
use crate::state::FetchState;
use crate::text::drawable;
use crate::ui::{Theme, clip, popup, scrolled};

/// Draws the screen: `areas` as the dashboard lays them out, `body` the
/// whole space between the header and the footer.
pub fn render(
    app: &AccountState,
    screen: &AccountScreen,
    theme: Theme,
    frame: &mut Frame,
    areas: &Areas,
    body: Rect,
) {
    match (&app.account, &app.shown) {
        (Some(account), Some(shown)) => {
            panel::render(app, account, shown, theme, frame, areas.panel);
            if let Some(digest) = &app.digest {
                // The rows under the form's last field, a row apart.
                let last = areas.fields[4];
                let under = Rect {
                    y: last.bottom().saturating_add(1),
                    height: body
                        .bottom()
                        .saturating_sub(last.bottom().saturating_add(1)),
                    ..last
                };
                let alert = app
                    .alarm
                    .as_ref()
                    .map(crate::monitor::threshold::Alarm::alert_below);
                goes::render(digest, account, alert, theme, frame, under);
            }
            form(app, screen, theme, frame, areas);
        }
        _ => no_account(app, frame, body, theme),
    }
    if let Some(review) = &screen.review {
        confirm_save(app, screen, review, frame, body, theme);
    }
}

fn form(
    app: &AccountState,
    screen: &AccountScreen,
    theme: Theme,
    frame: &mut Frame,
    areas: &Areas,
) {
    let keys = &app.session.keymap;
    let unsaved = screen.form.fields().iter().filter(|s| s.dirty()).count();
    let heading = match (screen.form.focus(), unsaved) {
        (None, 0) => Line::from(vec![
            Span::styled("Profile", theme.accent()),
            Span::styled(
                format!("  {} to edit", keys.key_label(Action::Edit)),
                theme.dim(),
            ),
        ]),
        (_, 0) => Line::from(Span::styled("Profile", theme.accent())),
        (_, n) => Line::from(vec![
            Span::styled("Profile", theme.accent()),
            Span::styled(
                format!("  {n} unsaved change{}", if n == 1 { "" } else { "s" }),
                theme.warn(),
            ),
            Span::styled(
                format!(" · {} saves", keys.key_label(Action::Save)),
                theme.dim(),
            ),
        ]),
    };
    frame.render_widget(Paragraph::new(heading), areas.form_heading);
    for (state, area) in screen.form.fields().iter().zip(areas.fields) {
        field(screen, state, theme, frame, area);
    }
    let suggestions = screen.form.suggestions();
    if !suggestions.is_empty() {
        let more = screen.form.more_suggestions();
        render_suggestions(
            app,
            &suggestions,
            (screen.form.choice(), more),
            theme,
            frame,
            areas,
        );
    }
}

fn field(screen: &AccountScreen, state: &FieldState, theme: Theme, frame: &mut Frame, area: Rect) {
    let focused = screen.form.focus() == Some(state.field);
    let error = state.error();
    let mut title = vec![Span::raw(format!(" {} ", state.field.label()))];
    let border = if let Some(reason) = error {
        title.push(Span::raw(format!("· {reason} ")));
        theme.error()
    } else if state.conflict {
        title.push(Span::raw(format!(
            "· server now says \"{}\" ",
            drawable(&state.server)
        )));
        theme.warn()
    } else if state.dirty() {
        title.push(Span::raw("● unsaved "));
        theme.warn()
    } else if focused {
        theme.accent()
    } else {
        theme.dim()
    };
    let border = if focused {
        border.add_modifier(Modifier::BOLD)
    } else {
        border
    };
    let title: Line = title
        .into_iter()
        .map(|s| s.style(border))
        .collect::<Vec<_>>()
        .into();
    let block = Block::bordered().border_style(border).title(title);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = usize::from(inner.width);
    let line = if focused {
        Line::raw(state.input.visible(width))
    } else if state.text().is_empty() {
        Line::from(Span::styled("—", theme.dim()))
    } else {
        Line::raw(clip(state.text(), width))
    };
    frame.render_widget(Paragraph::new(line), inner);
    if focused {
        // The terminal's own cursor, at the display column of the text
        // before it, so a wide character or an accent never puts it off by
        // one (and screen readers that follow it land on the field).
        let column = state.input.cursor_column() - state.input.scroll(width);
        let x = inner.x + u16::try_from(column).unwrap_or(u16::MAX);
        if x < inner.right() {
            let at = Position::new(x, inner.y);
            frame.set_cursor_position(at);
            // Drawn as a block too, for terminals that hide their cursor.
            if let Some(cell) = frame.buffer_mut().cell_mut(at) {
                cell.set_style(Style::new().add_modifier(Modifier::REVERSED));
            }
        }
    }
}

/// The zones matching, the highlighted one and how many more match
/// (`choice`): the arrows reach only those listed, so the rest is said.
fn render_suggestions(
    app: &AccountState,
    names: &[String],
    (choice, more): (usize, usize),
    theme: Theme,
    frame: &mut Frame,
    areas: &Areas,
) {
    let area = layout::suggestions(areas, u16::try_from(names.len()).unwrap_or(u16::MAX));
    if area.height < 3 {
        return;
    }
    let width = usize::from(area.width.saturating_sub(2));
    let keys = &app.session.keymap;
    let title = format!(
        " {}{} choose · {} picks ",
        keys.key_label(Action::ChoosePrev),
        keys.key_label(Action::ChooseNext),
        keys.key_label(Action::Pick)
    );
    let items: Vec<ListItem> = names
        .iter()
        .map(|n| ListItem::new(clip(n, width)))
        .collect();
    let mut block = Block::bordered()
        .border_style(theme.accent())
        .title(Span::styled(title, theme.accent()));
    if more > 0 {
        block = block.title_bottom(Span::styled(
            format!(" {more} more: type more "),
            theme.dim(),
        ));
    }
    let list = List::new(items)
        .block(block)
        .highlight_style(theme.selected());
    let mut state = ListState::default().with_selected(Some(choice));
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(list, area, &mut state);
}

/// Loading and failure before any account has arrived: screens of their own.
fn no_account(app: &AccountState, frame: &mut Frame, area: Rect, theme: Theme) {
    let keys = &app.session.keymap;
    let again = format!(
        "Press {} to try again, {} to quit.",
        keys.key_label(Action::Refresh),
        keys.key_label(Action::Quit)
    );
    let (title, style, mut lines) = match &app.fetch {
        // Nothing was sent: the profile names no usable account, and no
        // retry can change that.
        FetchState::Failed {
            error: error @ ApiError::Config(_),
            ..
        } => (
            "This profile cannot be watched",
            theme.error(),
            vec![
                error.to_string(),
                String::new(),
                "Do as it says, then start plivo-dash again.".to_owned(),
            ],
        ),
        FetchState::Failed { error, .. } if error.class() == ErrorClass::Auth => (
            "Authentication failed",
            theme.error(),
            vec![
                error.to_string(),
                String::new(),
                format!(
                    "Check the auth id ({}) and the token, which came from {}.",
                    app.session.auth_id, app.session.token_source
                ),
                again,
            ],
        ),
        FetchState::Failed { error, .. } => (
            "Cannot load the account",
            theme.error(),
            vec![
                error.to_string(),
                String::new(),
                format!("API: {}", app.session.api_url),
                again,
            ],
        ),
        FetchState::Stopped => (
            "Stopped",
            theme.error(),
            vec!["The background worker stopped: nothing will be fetched.".to_owned()],
        ),
        FetchState::Loading | FetchState::Fresh { .. } => (
            "Loading",
            theme.accent(),
            vec![format!(
                "Fetching account {} from {}…",
                app.session.auth_id, app.session.api_url
            )],
        ),
    };
    for warning in &app.warnings {
        lines.push(String::new());
        lines.push(format!("⚠ {warning}"));
    }
    let width = area.width.saturating_sub(4).min(72);
    let text: Vec<Line> = lines.into_iter().map(Line::raw).collect();
    let inner = usize::from(width.saturating_sub(2).max(1));
    let height = text
        .iter()
        .map(|l| l.width().div_ceil(inner).max(1))
        .sum::<usize>();
    let height = u16::try_from(height).unwrap_or(u16::MAX).saturating_add(2);
    frame.render_widget(
        Paragraph::new(text).wrap(Wrap { trim: true }).block(
            Block::bordered()
                .border_style(style)
                .title(Span::styled(format!(" {title} "), style)),
        ),
        centered(area, width, height),
    );
}

/// The review's lines, before scrolling: each changed field with its old
/// and new value, on one line when both fit in `width`, else wrapped.
pub(super) fn review_lines(
    screen: &AccountScreen,
    review: &Review,
    width: u16,
    theme: Theme,
) -> Vec<Line<'static>> {
    // The popup's text column: the area less borders and margins.
    let room = usize::from(width.saturating_sub(8)).clamp(12, 72);
    let mut lines = vec![Line::raw(" These fields will change:"), Line::raw("")];
    for (field, new) in review.update.fields() {
        let old = format!("\"{}\"", drawable(&screen.form.field(field).server));
        let new = format!("\"{}\"", drawable(new));
        let label = format!(" {:<9}", field.label());
        if label.width() + old.width() + 3 + new.width() <= room {
            lines.push(Line::from(vec![
                Span::styled(label, theme.dim()),
                Span::raw(old),
                Span::raw(" → "),
                Span::styled(new, theme.warn()),
            ]));
            continue;
        }
        lines.push(Line::from(Span::styled(label, theme.dim())));
        for part in wrap(&old, room - 3) {
            lines.push(Line::raw(format!("   {part}")));
        }
        for (i, part) in wrap(&new, room - 3).into_iter().enumerate() {
            let lead = if i == 0 { " → " } else { "   " };
            lines.push(Line::from(vec![
                Span::raw(lead),
                Span::styled(part, theme.warn()),
            ]));
        }
    }
    lines
}

/// Every changed field with its old and new value whole: on one line when
/// both fit, else each wrapped onto lines of its own, so two values that
/// differ only at the end can still be told apart. When that is taller
/// than the screen, the list scrolls above the keys, which stay.
fn confirm_save(
    app: &AccountState,
    screen: &AccountScreen,
    review: &Review,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let keys = &app.session.keymap;
    let confirm = Line::from(vec![
        Span::styled(format!(" {}", keys.key_label(Action::Confirm)), theme.key()),
        Span::raw(" save   "),
        Span::styled(keys.key_label(Action::Cancel), theme.key()),
        Span::raw(" keep editing"),
    ]);
    let mut lines = scrolled(
        review_lines(screen, review, area.width, theme),
        review.scroll,
        area.height,
        keys,
        theme,
    );
    lines.push(Line::raw(""));
    lines.push(confirm);
    popup(frame, area, "Save changes?", lines, theme);
}
