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
use crate::text::sanitize;

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

/// Every changed field with its old and new value whole: a long value
/// wraps onto more lines rather than being cut, so two values that differ
/// only at the end can still be told apart.
pub(super) fn confirm_save(
    app: &App,
    update: &AccountUpdate,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    // The popup's text column: the area less borders and margins.
    let room = usize::from(area.width.saturating_sub(8)).clamp(10, 72);
    let mut lines = vec![Line::raw(" These fields will change:")];
    for (field, new) in update.fields() {
        let old = &app.form.field(field).server;
        lines.push(Line::raw(""));
        lines.push(Line::from(Span::styled(
            format!(" {}", field.label()),
            theme.dim(),
        )));
        for part in wrap(&format!("\"{}\"", sanitize(old)), room - 2) {
            lines.push(Line::raw(format!("   {part}")));
        }
        for (i, part) in wrap(&format!("\"{}\"", sanitize(new)), room - 2)
            .into_iter()
            .enumerate()
        {
            let lead = if i == 0 { " → " } else { "   " };
            lines.push(Line::from(vec![
                Span::raw(lead),
                Span::styled(part, theme.warn()),
            ]));
        }
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled(" Enter", theme.key()),
        Span::raw(" save   "),
        Span::styled("Esc", theme.key()),
        Span::raw(" keep editing"),
    ]));
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
