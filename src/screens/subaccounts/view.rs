//! Drawing the subaccounts screen: a title with the count, the filter, the
//! table (only the rows in view are built), a failure line, and a dialog.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TableRow, Table};
use unicode_width::UnicodeWidthStr as _;

use super::{Dialog, SubaccountsScreen};
use crate::keymap::{Action, Keymap};
use crate::layout::wrap;
use crate::state::AccountState;
use crate::text::drawable;
use crate::ui::{Theme, clip, popup};

/// Draws the screen in `area` (between the header and the footer).
pub fn render(
    app: &AccountState,
    screen: &SubaccountsScreen,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let visible = screen.visible();
    let (failure_lines, [title, filter, table, problem]) =
        layout(screen, &app.session.keymap, area);

    let have = u32::try_from(screen.rows.len()).unwrap_or(u32::MAX);
    let count = match screen.total {
        Some(total) if screen.loading => {
            format!("loaded {} of {}…", thousands(have), thousands(total))
        }
        // A list that stopped short says so: it is not the whole list.
        Some(total) if have < total => format!(
            "{} of {} loaded; {} loads them again",
            thousands(have),
            thousands(total),
            app.session.keymap.key_label(Action::Refresh)
        ),
        Some(total) => {
            let noun = if total == 1 {
                "subaccount"
            } else {
                "subaccounts"
            };
            format!("{} {noun}", thousands(total))
        }
        None if screen.loading => "loading…".to_owned(),
        None => "not loaded".to_owned(),
    };
    let shown = if visible.len() == screen.rows.len() {
        String::new()
    } else {
        let n = u32::try_from(visible.len()).unwrap_or(u32::MAX);
        format!(
            " · {} match{}",
            thousands(n),
            if n == 1 { "" } else { "es" }
        )
    };
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(" Subaccounts · ", theme.accent()),
            Span::styled(format!("{count}{shown}"), theme.dim()),
        ])),
        title,
    );

    let hint = format!(
        " {} to filter by name or id",
        app.session.keymap.key_label(Action::Filter)
    );
    let line = filter_line(&screen.filter, screen.filtering, filter.width, hint, theme);
    frame.render_widget(Paragraph::new(line), filter);

    render_table(screen, &visible, theme, frame, table);
    if !failure_lines.is_empty() {
        let lines: Vec<Line> = failure_lines
            .into_iter()
            .map(|l| Line::from(Span::styled(format!(" {l}"), theme.warn())))
            .collect();
        frame.render_widget(Paragraph::new(lines), problem);
    }
    if let Some(dialog) = &screen.dialog {
        render_dialog(app, dialog, screen.sending, theme, frame, area);
    }
}

/// A table's filter line `width` wide: being typed, with its cursor; kept;
/// or, when empty, `hint`.
pub(crate) fn filter_line(
    filter: &crate::state::LineInput,
    filtering: bool,
    width: u16,
    hint: String,
    theme: Theme,
) -> Line<'static> {
    let typed = drawable(filter.text()).into_owned();
    if filtering {
        Line::from(vec![
            Span::styled(" / ", theme.key()),
            Span::raw(clip(&typed, usize::from(width.saturating_sub(4)))),
            Span::styled("▏", theme.accent()),
        ])
    } else if typed.is_empty() {
        Line::from(Span::styled(hint, theme.dim()))
    } else {
        Line::from(vec![
            Span::styled(" filter: ", theme.dim()),
            Span::raw(clip(&typed, usize::from(width.saturating_sub(10)))),
        ])
    }
}

/// The failure's lines, if any, and the title, filter, table and failure
/// areas of `area`.
fn layout(screen: &SubaccountsScreen, keymap: &Keymap, area: Rect) -> (Vec<String>, [Rect; 4]) {
    let refresh = keymap.key_label(Action::Refresh);
    let failure = match (&screen.error, &screen.disagreement) {
        (Some(e), _) => Some(format!("⚠ {e} ({refresh} tries again)")),
        (None, Some(d)) => Some(format!(
            "⚠ The list and its count disagree: {d} ({refresh} loads it again)"
        )),
        (None, None) => None,
    };
    let failure_lines = failure
        .as_ref()
        .map(|f| wrap(f, usize::from(area.width.saturating_sub(2))))
        .unwrap_or_default();
    let areas = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(u16::try_from(failure_lines.len()).unwrap_or(u16::MAX)),
    ])
    .areas(area);
    (failure_lines, areas)
}

/// The table's rows (under its heading) when the screen is drawn in
/// `area`: where a click selects and how many rows a page holds.
pub(crate) fn rows_area(screen: &SubaccountsScreen, keymap: &Keymap, area: Rect) -> Rect {
    let (_, [_, _, table, _]) = layout(screen, keymap, area);
    rows_of(table)
}

/// The rows of a table drawn in `table`: all but its heading, at least one.
pub(crate) fn rows_of(table: Rect) -> Rect {
    Rect {
        y: table.y.saturating_add(1),
        height: table.height.saturating_sub(1).max(1),
        ..table
    }
}

fn render_table(
    screen: &SubaccountsScreen,
    visible: &[&super::Row],
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    if visible.is_empty() {
        let note = if screen.loading {
            ""
        } else if screen.rows.is_empty() && screen.error.is_none() {
            " No subaccounts yet."
        } else if screen.rows.is_empty() {
            // The failure line says why there are none, and how to retry.
            ""
        } else {
            " Nothing matches the filter."
        };
        frame.render_widget(Paragraph::new(Span::styled(note, theme.dim())), area);
        return;
    }
    // Only the rows in view are built: a thousand rows cost what a screen does.
    let selected = screen.table.selected.min(visible.len() - 1);
    let height = usize::from(rows_of(area).height);
    let first = screen.table.first(visible.len(), height);
    // On a narrow screen the dates go first, modified before created: the
    // name and the id are what a row is for.
    let dates: u16 = match area.width {
        w if w >= 8 + 20 + 7 + 10 + 10 + 8 => 2,
        w if w >= 8 + 20 + 7 + 10 + 6 => 1,
        _ => 0,
    };
    let fixed = 20 + 7 + 4 + dates * 12;
    let columns = usize::from(3 + dates);
    let name_width = area.width.saturating_sub(fixed).clamp(8, 48);
    let rows = visible
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, row)| {
            let style = if i == selected {
                theme.selected()
            } else {
                ratatui::style::Style::new()
            };
            let enabled = if row.enabled {
                Span::styled("yes", theme.good())
            } else {
                Span::styled("no", theme.dim())
            };
            let mut cells = vec![
                Cell::from(clip(row.shown_name.as_str(), usize::from(name_width))),
                Cell::from(row.shown_id.as_str().to_owned()),
                Cell::from(enabled),
                Cell::from(row.created.as_str().to_owned()),
                Cell::from(row.modified.as_str().to_owned()),
            ];
            cells.truncate(columns);
            TableRow::new(cells).style(style)
        });
    let mut titles = vec!["Name", "Auth ID", "Enabled", "Created", "Modified"];
    titles.truncate(columns);
    let header = TableRow::new(titles).style(theme.dim().add_modifier(Modifier::BOLD));
    let mut widths = vec![
        Constraint::Length(name_width),
        Constraint::Length(20),
        Constraint::Length(7),
        Constraint::Length(10),
        Constraint::Length(10),
    ];
    widths.truncate(columns);
    let table = Table::new(rows, widths).header(header).column_spacing(2);
    frame.render_widget(table, area);
}

fn render_dialog(
    app: &AccountState,
    dialog: &Dialog,
    sending: bool,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    let keys = &app.session.keymap;
    let (ok, option, cancel) = (
        keys.key_label(Action::Confirm),
        keys.key_label(Action::Option),
        keys.key_label(Action::Cancel),
    );
    // Under latency the key row says the request is on its way.
    let keys_line = |doing: &str, sent: &str| {
        if sending {
            Line::styled(format!(" {sent}"), theme.accent())
        } else {
            Line::styled(format!(" {ok} {doing}   {cancel} cancel"), theme.dim())
        }
    };
    let room = usize::from(area.width.saturating_sub(8)).clamp(10, 60);
    let box_width = room.saturating_sub(4);
    // The field is as wide as the room, so the box does not change width
    // as it is typed into.
    let field = |input: &crate::state::LineInput| {
        let shown = input.visible(box_width);
        let pad = " ".repeat(box_width.saturating_sub(shown.width()));
        Line::from(vec![
            Span::raw(" > "),
            Span::styled(format!("{shown}{pad}"), theme.selected()),
        ])
    };
    let (title, lines) = match dialog {
        Dialog::Create { name, enabled } => (
            "New subaccount",
            vec![
                Line::raw(" Name:"),
                field(name),
                Line::raw(""),
                Line::raw(format!(
                    " Enabled: {}   ({option} changes it)",
                    if *enabled { "yes" } else { "no" }
                )),
                Line::raw(""),
                keys_line("create", "creating…"),
            ],
        ),
        Dialog::Rename { name, .. } => (
            "Rename subaccount",
            vec![
                Line::raw(" New name:"),
                field(name),
                Line::raw(""),
                keys_line("rename", "renaming…"),
            ],
        ),
        Dialog::Delete {
            name,
            typed,
            cascade,
            ..
        } => {
            let fate = if *cascade {
                "Its numbers, endpoints and applications are DELETED with it."
            } else {
                "Its numbers, endpoints and applications move to the main account."
            };
            let mut lines = vec![Line::raw(format!(
                " Delete \"{}\"?",
                clip(&drawable(name), room.saturating_sub(12))
            ))];
            lines.extend(wrap(fate, room).into_iter().map(|l| {
                Line::styled(
                    format!(" {l}"),
                    if *cascade { theme.error() } else { theme.dim() },
                )
            }));
            lines.push(Line::raw(format!(
                " Cascade: {}   ({option} changes it)",
                if *cascade { "yes" } else { "no" }
            )));
            lines.push(Line::raw(""));
            lines.extend(
                wrap("Type its name (or its auth id) to confirm:", room)
                    .into_iter()
                    .map(|l| Line::raw(format!(" {l}"))),
            );
            lines.push(field(typed));
            lines.push(Line::raw(""));
            lines.push(keys_line("delete", "deleting…"));
            ("Delete subaccount", lines)
        }
    };
    let (input, row) = match dialog {
        Dialog::Create { name, .. } | Dialog::Rename { name, .. } => (name, 1),
        Dialog::Delete { typed, .. } => (typed, lines.len() - 3),
    };
    let rect = popup(frame, area, title, lines, theme);
    // The terminal's cursor where the next character goes.
    let column = input.cursor_column() - input.scroll(box_width);
    let at = Position::new(
        rect.x
            .saturating_add(4)
            .saturating_add(u16::try_from(column).unwrap_or(u16::MAX)),
        rect.y
            .saturating_add(1)
            .saturating_add(u16::try_from(row).unwrap_or(u16::MAX)),
    );
    if rect.contains(at) && at.x < rect.right().saturating_sub(1) {
        frame.set_cursor_position(at);
    }
}

/// 1000 as "1,000".
pub(crate) fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_read_with_commas() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
