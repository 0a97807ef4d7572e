//! The profile form: one bordered single-line editor per field, whose border
//! and title say focused, unsaved, changed on the server, or invalid.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph};

use super::{Theme, clip};
use crate::app::{App, FieldState};
use crate::layout::{self, Areas};
use crate::text::{drawable, sanitize};

pub(super) fn render(app: &App, theme: Theme, frame: &mut Frame, areas: &Areas) {
    let unsaved = app.form.fields().iter().filter(|s| s.dirty()).count();
    let heading = match (app.form.focus(), unsaved) {
        (None, 0) => Line::from(vec![
            Span::styled("Profile", theme.accent()),
            Span::styled("  Tab to edit", theme.dim()),
        ]),
        (_, 0) => Line::from(Span::styled("Profile", theme.accent())),
        (_, n) => Line::from(vec![
            Span::styled("Profile", theme.accent()),
            Span::styled(
                format!("  {n} unsaved change{}", if n == 1 { "" } else { "s" }),
                theme.warn(),
            ),
            Span::styled(" · Ctrl-S saves", theme.dim()),
        ]),
    };
    frame.render_widget(Paragraph::new(heading), areas.form_heading);
    for (state, area) in app.form.fields().iter().zip(areas.fields) {
        field(app, state, theme, frame, area);
    }
    let suggestions = app.form.suggestions();
    if !suggestions.is_empty() {
        render_suggestions(&suggestions, app.form.choice(), theme, frame, areas);
    }
}

fn field(app: &App, state: &FieldState, theme: Theme, frame: &mut Frame, area: Rect) {
    let focused = app.form.focus() == Some(state.field);
    let error = state.error();
    let mut title = vec![Span::raw(format!(" {} ", state.field.label()))];
    let border = if let Some(reason) = error {
        title.push(Span::raw(format!("· {reason} ")));
        theme.error()
    } else if state.conflict {
        title.push(Span::raw(format!(
            "· server now says \"{}\" ",
            drawable(&sanitize(&state.server))
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

fn render_suggestions(
    names: &[String],
    choice: usize,
    theme: Theme,
    frame: &mut Frame,
    areas: &Areas,
) {
    let area = layout::suggestions(areas, names.len() as u16);
    if area.height < 3 {
        return;
    }
    let width = area.width.saturating_sub(2) as usize;
    let items: Vec<ListItem> = names
        .iter()
        .map(|n| ListItem::new(clip(n, width)))
        .collect();
    let list = List::new(items)
        .block(
            Block::bordered()
                .border_style(theme.accent())
                .title(Span::styled(" ↑↓ choose · Enter picks ", theme.accent())),
        )
        .highlight_style(theme.selected());
    let mut state = ListState::default().with_selected(Some(choice));
    frame.render_widget(Clear, area);
    frame.render_stateful_widget(list, area, &mut state);
}
