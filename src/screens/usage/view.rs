//! Drawing the usage screen: the window and the total, how fresh the
//! records are, the tables' tabs, the filter, the table (only the rows in
//! view are built, each with its share as a bar), and what could not be
//! attributed.

use jiff::Timestamp;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row as TableRow, Table};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive as _;

use super::{Tab, UsageScreen};
use crate::keymap::{Action, Keymap};
use crate::monitor::ago;
use crate::screens::subaccounts::view::{filter_line, rows_of, thousands};
use crate::store::{Narrow, Total};
use crate::text::drawable;
use crate::ui::{Theme, clip};
use crate::worker::usage::{List, Standing};

/// What the screen is drawn from besides its own state.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    /// Where the account's background sync stands.
    pub standing: &'a Standing,
    /// The time now.
    pub now: Timestamp,
    /// The keys, for what the screen says about them.
    pub keymap: &'a Keymap,
}

/// An amount as the tables show it: cents, or four places under a cent
/// (an hour of SMS can be fractions of a cent); a debt as -$.
pub fn usd(amount: Decimal) -> String {
    let sign = if amount.is_sign_negative() && !amount.is_zero() {
        "-"
    } else {
        ""
    };
    let amount = amount.abs();
    if amount >= Decimal::new(1, 2) || amount.is_zero() {
        format!("{sign}${}", crate::usage::cents(amount))
    } else {
        format!("{sign}${:.4}", amount.round_dp(4))
    }
}

fn count(n: u64) -> String {
    thousands(u32::try_from(n).unwrap_or(u32::MAX))
}

/// Draws the screen in `area` (between the header and the footer).
pub fn render(seen: Seen<'_>, screen: &UsageScreen, theme: Theme, frame: &mut Frame, area: Rect) {
    let [title, fresh, tabs, filter, table, notes] = layout(screen, area);
    let keymap = seen.keymap;

    let mut heading = vec![
        Span::styled(" Usage · ", theme.accent()),
        Span::styled(screen.query.window.label(), theme.accent()),
    ];
    if let Some(narrow) = &screen.query.narrow {
        let (what, key) = match narrow {
            Narrow::Subaccount(key) => ("subaccount", key.as_deref().unwrap_or("unattributed")),
            Narrow::Country(key) => ("country", key.as_deref().unwrap_or("unknown")),
        };
        heading.push(Span::styled(
            format!(
                " · only {what} {} ({} widens)",
                clip(&drawable(key), 24),
                keymap.key_label(Action::Back)
            ),
            theme.warn(),
        ));
    }
    if let Some(view) = &screen.view {
        heading.push(Span::raw(format!(
            " · {} in {} records",
            usd(view.total.amount),
            count(view.total.count)
        )));
    }
    heading.push(Span::styled(
        format!(" ({} next window)", keymap.key_label(Action::Window)),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(Line::from(heading)), title);

    frame.render_widget(Paragraph::new(freshness(seen, screen, theme)), fresh);

    let mut tab_line = vec![Span::raw(" ")];
    for (i, tab) in Tab::ALL.iter().enumerate() {
        if i > 0 {
            tab_line.push(Span::styled(" │ ", theme.dim()));
        }
        let style = if *tab == screen.tab {
            theme.accent().add_modifier(Modifier::REVERSED)
        } else {
            Style::new()
        };
        tab_line.push(Span::styled(tab.label(), style));
    }
    tab_line.push(Span::styled(
        format!(
            "   sorted by {} ({} sorts, {} next table)",
            screen.sort.label(),
            keymap.key_label(Action::Sort),
            keymap.key_label(Action::NextTable)
        ),
        theme.dim(),
    ));
    frame.render_widget(Paragraph::new(Line::from(tab_line)), tabs);

    let narrow = match screen.tab {
        Tab::Subaccounts | Tab::Countries => format!(
            ", {} narrows the others to the selected row",
            keymap.key_label(Action::Narrow)
        ),
        _ => String::new(),
    };
    let hint = format!(" {} to filter{narrow}", keymap.key_label(Action::Filter));
    let filter_line = filter_line(&screen.filter, screen.filtering, filter.width, hint, theme);
    frame.render_widget(Paragraph::new(filter_line), filter);

    render_table(screen, theme, frame, table);
    frame.render_widget(Paragraph::new(notes_lines(screen, theme)), notes);
}

/// How fresh the records are: the sync's last success, a back-fill under
/// way, its failure; and a view being read.
fn freshness<'a>(seen: Seen<'_>, screen: &UsageScreen, theme: Theme) -> Line<'a> {
    let standing = seen.standing;
    let mut spans = vec![Span::raw(" ")];
    match standing.synced_at {
        Some(at) => spans.push(Span::styled(
            format!("synced {}", ago(seen.now, at)),
            theme.dim(),
        )),
        None => spans.push(Span::styled("not synced yet", theme.warn())),
    }
    if let Some((list, done, of)) = standing.backfilling {
        let list = match list {
            List::Calls => "calls",
            List::Messages => "messages",
        };
        spans.push(Span::styled(
            format!(" · back-filling {list}: {done} of ~{of} days (totals still growing)"),
            theme.warn(),
        ));
    }
    if let Some(error) = &standing.error {
        spans.push(Span::styled(
            format!(" · ⚠ last sync failed: {}", drawable(error)),
            theme.warn(),
        ));
    }
    if screen.loading {
        spans.push(Span::styled(" · reading…", theme.accent()));
    }
    Line::from(spans)
}

/// What could not be attributed, and what the table leaves out.
fn notes_lines<'a>(screen: &UsageScreen, theme: Theme) -> Vec<Line<'a>> {
    let mut lines = Vec::new();
    if let (Some(error), Some(_)) = (&screen.error, &screen.view) {
        lines.push(Line::styled(
            format!(" ⚠ could not read the store: {}", drawable(error)),
            theme.error(),
        ));
    }
    let Some(view) = &screen.view else {
        return lines;
    };
    let part =
        |label: &str, t: &Total| format!("{label} {} ({} records)", usd(t.amount), count(t.count));
    let mut unknown = Vec::new();
    if view.unattributed.count > 0 {
        unknown.push(part("no subaccount found for", &view.unattributed));
    }
    if view.no_country.count > 0 {
        unknown.push(part("no country known for", &view.no_country));
    }
    if !unknown.is_empty() {
        lines.push(Line::styled(
            format!(" {}", unknown.join(" · ")),
            theme.warn(),
        ));
    }
    let mut more = Vec::new();
    if screen.tab == Tab::Numbers && view.number_count > view.numbers.len() {
        more.push(format!(
            "the costliest {} of {} numbers",
            view.numbers.len(),
            count(u64::try_from(view.number_count).unwrap_or(u64::MAX))
        ));
    }
    if let Some(rentals) = view.rentals.filter(|r| !r.is_zero()) {
        more.push(format!(
            "number rentals {} a month, debited on the 1st (not in the total)",
            usd(rentals)
        ));
    }
    if !more.is_empty() {
        lines.push(Line::styled(format!(" {}", more.join(" · ")), theme.dim()));
    }
    lines
}

/// The title, freshness, tabs, filter, table and notes areas of `area`.
fn layout(screen: &UsageScreen, area: Rect) -> [Rect; 6] {
    let notes = u16::try_from(notes_lines(screen, Theme::new(false)).len()).unwrap_or(0);
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(notes),
    ])
    .areas(area)
}

/// The table's rows (under its heading) when the screen is drawn in
/// `area`: where a click selects and how many rows a page holds.
pub(crate) fn rows_area(screen: &UsageScreen, _keymap: &Keymap, area: Rect) -> Rect {
    let [_, _, _, _, table, _] = layout(screen, area);
    rows_of(table)
}

/// A share of `of` as a bar `width` cells wide, in eighths of a cell.
fn bar(share: f64, width: u16) -> String {
    const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (share.clamp(0.0, 1.0) * f64::from(width) * 8.0).round();
    // At most 8 × width: it fits.
    let eighths = eighths.to_u32().unwrap_or(0);
    let mut out = "█".repeat(usize::try_from(eighths / 8).unwrap_or(0));
    out.push_str(EIGHTHS[usize::try_from(eighths % 8).unwrap_or(0)]);
    out
}

fn render_table(screen: &UsageScreen, theme: Theme, frame: &mut Frame, area: Rect) {
    let visible = screen.visible();
    if visible.is_empty() {
        let note = match (&screen.view, &screen.error) {
            (None, Some(error)) => Line::styled(format!(" ⚠ {}", drawable(error)), theme.error()),
            (None, None) => Line::styled(" Reading the store…", theme.dim()),
            (Some(_), _) if !screen.filter.text().trim().is_empty() => {
                Line::styled(" Nothing matches the filter.", theme.dim())
            }
            (Some(view), _) => Line::styled(
                format!(" No spend stored for the {}.", view.query.window.label()),
                theme.dim(),
            ),
        };
        frame.render_widget(Paragraph::new(note), area);
        return;
    }
    let total = screen
        .view
        .as_ref()
        .map_or(Decimal::ZERO, |v| v.total.amount);
    let selected = screen.table.selected.min(visible.len() - 1);
    let height = usize::from(rows_of(area).height);
    let first = screen.table.first(visible.len(), height);
    const RECORDS: u16 = 9;
    const AMOUNT: u16 = 11;
    const PERCENT: u16 = 6;
    let name_width = area.width.saturating_sub(RECORDS + AMOUNT + 8).clamp(8, 32);
    let bar_width = area
        .width
        .saturating_sub(name_width + RECORDS + AMOUNT + PERCENT + 8);
    let rows = visible
        .iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, row)| {
            let share = if total.is_zero() {
                0.0
            } else {
                (row.amount / total).to_f64().unwrap_or(0.0)
            };
            let style = if i == selected {
                theme.selected()
            } else {
                Style::new()
            };
            TableRow::new(vec![
                Cell::from(clip(row.label.as_str(), usize::from(name_width))),
                Cell::from(Line::from(count(row.count)).right_aligned()),
                Cell::from(Line::from(usd(row.amount)).right_aligned()),
                Cell::from(Line::from(format!("{:.1}%", share * 100.0)).right_aligned()),
                Cell::from(Span::styled(bar(share, bar_width), theme.key())),
            ])
            .style(style)
        });
    let header = TableRow::new(vec![
        Cell::from(screen.tab.label()),
        Cell::from(Line::from("Records").right_aligned()),
        Cell::from(Line::from("USD").right_aligned()),
        Cell::from(Line::from("Share").right_aligned()),
        Cell::from(""),
    ])
    .style(theme.dim().add_modifier(Modifier::BOLD));
    let widths = [
        Constraint::Length(name_width),
        Constraint::Length(RECORDS),
        Constraint::Length(AMOUNT),
        Constraint::Length(PERCENT),
        Constraint::Length(bar_width),
    ];
    frame.render_widget(
        Table::new(rows, widths).header(header).column_spacing(2),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_is_its_share_of_the_width_in_eighths() {
        assert_eq!(bar(0.0, 10), "");
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 3), "█▌");
        assert_eq!(bar(2.0, 2), "██", "never wider than its room");
    }

    #[test]
    fn amounts_under_a_cent_keep_four_places() {
        assert_eq!(usd(Decimal::new(123_456, 3)), "$123.46");
        assert_eq!(usd(Decimal::new(35, 4)), "$0.0035");
        assert_eq!(usd(Decimal::new(64, 2)), "$0.64");
        assert_eq!(
            usd(Decimal::new(-56_349, 2)),
            "-$563.49",
            "the sign before the $"
        );
        assert_eq!(usd(Decimal::ZERO), "$0.00");
    }
}
