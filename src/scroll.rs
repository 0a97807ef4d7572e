//! Where a table or a long text is scrolled to, kept between frames. Pure
//! state, below the screens that draw it: `update` moves it, drawing and
//! hit-testing read the same window from it.
//!
//! A table keeps its first row in view as ratatui's `TableState` keeps its
//! offset: the selection moves within the view, and the view moves only
//! when the selection would leave it. Unlike `TableState` the window is
//! worked out here, not while drawing, so a click is tested against the
//! rows drawn and `update` can be tested without a frame.

use crate::keymap::Action;

/// A table's selected row and the first row in view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Table {
    /// The selected row, among those shown.
    pub selected: usize,
    offset: usize,
}

impl Table {
    /// The first row in view of `count` rows when `rows` fit: where the
    /// view was left, moved only as far as the selection (or the rows
    /// there are) needs.
    pub fn first(&self, count: usize, rows: usize) -> usize {
        let rows = rows.max(1);
        let selected = self.selected.min(count.saturating_sub(1));
        // A view left below the rows (they were deleted, the screen grew)
        // comes back to show as many as fit.
        let first = self.offset.min(count.saturating_sub(rows)).min(selected);
        first.max((selected + 1).saturating_sub(rows))
    }

    /// Keeps the view where [`Self::first`] draws it, after the rows, the
    /// selection or the room changed.
    pub(crate) fn keep_in_view(&mut self, count: usize, rows: usize) {
        self.offset = self.first(count, rows);
    }

    /// Selects the row `row` rows below the top of the view, if there is
    /// one (a click); the view stays.
    pub fn click(&mut self, row: usize, count: usize, rows: usize) -> bool {
        let first = self.first(count, rows);
        if row >= rows.max(1) || first + row >= count {
            return false;
        }
        self.offset = first;
        self.selected = first + row;
        true
    }

    /// Moves the selection for a row action (a row, a page of `rows`, the
    /// first or last) and the view with it only as far as it must; false
    /// when `action` is not one.
    pub fn act(&mut self, action: Action, count: usize, rows: usize) -> bool {
        let last = count.saturating_sub(1);
        let page = rows.max(1);
        // From the view as drawn, which a resize may have moved.
        self.keep_in_view(count, rows);
        self.selected = match action {
            Action::RowDown => (self.selected + 1).min(last),
            Action::RowUp => self.selected.saturating_sub(1),
            Action::PageDown => (self.selected + page).min(last),
            Action::PageUp => self.selected.saturating_sub(page),
            Action::FirstRow => 0,
            Action::LastRow => last,
            _ => return false,
        };
        self.keep_in_view(count, rows);
        true
    }

    /// Selects `selected` (the filter changed, the order changed), showing it.
    pub(crate) fn select(&mut self, selected: usize, count: usize, rows: usize) {
        self.selected = selected;
        self.keep_in_view(count, rows);
    }
}

/// How far a long text in a popup (help, the save review) is scrolled.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Text {
    offset: u16,
}

/// The part of a scrolled text a popup shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// The first line shown.
    pub start: usize,
    /// How many lines are shown from it.
    pub len: usize,
    /// Where the text is scrolled to, for its "more" line; `None` when it
    /// all fits.
    pub at: Option<At>,
}

/// Where a text that does not fit is scrolled to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum At {
    /// Its first line is shown.
    Start,
    /// Lines are hidden above and below.
    Middle,
    /// Its last line is shown.
    End,
}

/// The rows a popup in a body `height` rows tall gives its text: its
/// borders, a blank line and its keys take four.
fn text_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(4)).max(1)
}

impl Text {
    /// The first line shown of `lines` in a popup in a body `height` rows
    /// tall, and how many: a text that does not fit gives one row to its
    /// "more" line.
    pub fn window(&self, lines: usize, height: u16) -> Window {
        let fits = text_rows(height);
        if lines <= fits {
            return Window {
                start: 0,
                len: lines,
                at: None,
            };
        }
        let last_start = lines - fits + 1;
        let start = usize::from(self.offset).min(last_start);
        let at = if start == last_start {
            At::End
        } else if start == 0 {
            At::Start
        } else {
            At::Middle
        };
        Window {
            start,
            len: fits - 1,
            at: Some(at),
        }
    }

    /// Moved by a scroll action (a line or a page up or down) within what
    /// a body `height` rows tall shows of `lines`; false when `action` is
    /// not one.
    pub fn act(&mut self, action: Action, lines: usize, height: u16) -> bool {
        let page = height.saturating_sub(5).max(1);
        let offset = match action {
            Action::ScrollDown => self.offset.saturating_add(1),
            Action::PageDown => self.offset.saturating_add(page),
            Action::ScrollUp => self.offset.saturating_sub(1),
            Action::PageUp => self.offset.saturating_sub(page),
            _ => return false,
        };
        // No further than the last line in view: one step back moves at once.
        let limit = if lines > text_rows(height) {
            lines - text_rows(height) + 1
        } else {
            0
        };
        self.offset = offset.min(u16::try_from(limit).unwrap_or(u16::MAX));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_holds_while_the_selection_moves_within_it() {
        let mut table = Table::default();
        for _ in 0..9 {
            table.act(Action::RowDown, 20, 5);
        }
        assert_eq!(table.first(20, 5), 5, "scrolled as the selection left it");
        table.act(Action::RowUp, 20, 5);
        assert_eq!((table.selected, table.first(20, 5)), (8, 5));
        for _ in 0..4 {
            table.act(Action::RowUp, 20, 5);
        }
        assert_eq!((table.selected, table.first(20, 5)), (4, 4));
    }

    #[test]
    fn a_page_is_the_rows_in_view_and_a_smaller_view_keeps_the_selection() {
        let mut table = Table::default();
        table.act(Action::PageDown, 100, 7);
        assert_eq!((table.selected, table.first(100, 7)), (7, 1));
        assert_eq!(
            table.first(100, 3),
            5,
            "shrunk: the selection stays in view"
        );
        table.keep_in_view(6, 7);
        assert_eq!(table.first(6, 7), 0, "fewer rows: as many shown as fit");
    }

    #[test]
    fn a_click_selects_the_row_under_it_and_the_view_stays() {
        let mut table = Table::default();
        table.act(Action::LastRow, 30, 10);
        assert!(table.click(0, 30, 10));
        assert_eq!((table.selected, table.first(30, 10)), (20, 20));
        assert!(!table.click(10, 30, 10), "below the rows in view");
    }

    #[test]
    fn a_text_scrolls_to_its_last_line_and_no_further() {
        let mut text = Text::default();
        assert_eq!(text.window(10, 20).at, None, "fits");
        assert!(text.act(Action::PageDown, 40, 14));
        assert_eq!(text.window(40, 14).at, Some(At::Middle));
        for _ in 0..10 {
            text.act(Action::PageDown, 40, 14);
        }
        let end = text.window(40, 14);
        assert_eq!((end.start + end.len, end.at), (40, Some(At::End)));
        text.act(Action::ScrollUp, 40, 14);
        assert_eq!(text.window(40, 14).at, Some(At::Middle), "one up moves");
    }
}
