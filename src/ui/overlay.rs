//! What pops up over the dashboard: help, the save confirmation, the quit
//! question.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::Theme;
use crate::app::App;
use crate::layout::{centered, wrap};
use crate::plivo::AccountUpdate;
use crate::text::{drawable, sanitize};
use unicode_width::UnicodeWidthStr as _;

/// Every key, grouped as the user meets them.
pub const HELP: &[(&str, &str)] = &[
    ("Tab / ↓", "enter the form, next field"),
    ("Shift-Tab / ↑", "previous field"),
    ("Esc", "leave the form"),
    ("Enter", "next field (picks a time zone)"),
    ("Ctrl-S", "save: review the changes, Enter to send"),
    ("Ctrl-R", "revert the field to the server's value"),
    ("Ctrl-U / Ctrl-Y", "undo in the field / paste"),
    ("click", "focus a field, cursor where clicked"),
    ("r", "refresh now (outside the form)"),
    ("p", "pause / resume polling"),
    ("+ / -", "poll less / more often"),
    ("m", "mouse on / off (off lets the terminal select text)"),
    ("?", "this help (outside the form)"),
    ("q", "quit (outside the form; asks if unsaved)"),
    ("Ctrl-C", "quit from anywhere"),
];

fn popup(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, theme: Theme) {
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .max(title.chars().count() + 4) as u16
        + 4;
    let height = lines.len() as u16 + 2;
    let rect = centered(area, width, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::bordered()
                .border_style(theme.accent())
                .title(Span::styled(format!(" {title} "), theme.accent())),
        ),
        rect,
    );
}

pub(super) fn help(frame: &mut Frame, area: Rect, theme: Theme) {
    let lines = HELP
        .iter()
        .map(|(key, what)| {
            Line::from(vec![
                Span::styled(format!(" {key:<16}"), theme.key()),
                Span::raw(*what),
            ])
        })
        .chain([
            Line::raw(""),
            Line::from(Span::styled(" Esc or ? closes", theme.dim())),
        ])
        .collect();
    popup(frame, area, "Keys", lines, theme);
}

/// Every changed field with its old and new value whole: on one line when
/// both fit, else each wrapped onto lines of its own, so two values that
/// differ only at the end can still be told apart. When that is taller
/// than the screen, the list scrolls (↑ ↓) above the keys, which stay.
pub(super) fn confirm_save(
    app: &App,
    update: &AccountUpdate,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    // The popup's text column: the area less borders and margins.
    let room = usize::from(area.width.saturating_sub(8)).clamp(12, 72);
    let mut lines = vec![Line::raw(" These fields will change:"), Line::raw("")];
    for (field, new) in update.fields() {
        let old = format!("\"{}\"", drawable(&sanitize(&app.form.field(field).server)));
        let new = format!("\"{}\"", drawable(&sanitize(new)));
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
    let keys = Line::from(vec![
        Span::styled(" Enter", theme.key()),
        Span::raw(" save   "),
        Span::styled("Esc", theme.key()),
        Span::raw(" keep editing"),
    ]);
    // Borders, a blank line and the keys take four rows.
    let fits = usize::from(area.height.saturating_sub(4)).max(1);
    if lines.len() > fits {
        let last_start = lines.len() - fits + 1;
        let start = usize::from(app.overlay_scroll).min(last_start);
        let more = if start == last_start {
            " ↑ for the start"
        } else if start == 0 {
            " ↓ for more"
        } else {
            " ↑ ↓ for more"
        };
        lines = lines.into_iter().skip(start).take(fits - 1).collect();
        lines.push(Line::from(Span::styled(more, theme.dim())));
    }
    lines.push(Line::raw(""));
    lines.push(keys);
    popup(frame, area, "Save changes?", lines, theme);
}

pub(super) fn confirm_quit(app: &App, frame: &mut Frame, area: Rect, theme: Theme) {
    let fields: Vec<&str> = app
        .form
        .fields()
        .iter()
        .filter(|s| s.dirty())
        .map(|s| s.field.label())
        .collect();
    let lines = vec![
        Line::raw(format!(
            " Unsaved changes to {} will be lost.",
            fields.join(", ")
        )),
        Line::raw(""),
        Line::from(vec![
            Span::styled(" y", theme.key()),
            Span::raw(" quit anyway   "),
            Span::styled("n", theme.key()),
            Span::raw(" / "),
            Span::styled("Esc", theme.key()),
            Span::raw(" stay"),
        ]),
    ];
    popup(frame, area, "Quit?", lines, theme);
}
