//! Where everything goes on screen: pure arithmetic on the terminal size,
//! shared by `ui` (to draw) and `app` (to know which field a click hit).

use ratatui::layout::{Constraint, Layout, Rect};
use unicode_segmentation::UnicodeSegmentation as _;
use unicode_width::UnicodeWidthStr as _;

/// The smallest terminal that fits the panel beside the form.
pub(crate) const WIDE_MIN: (u16, u16) = (80, 22);
/// The smallest terminal that fits the panel above the form.
pub(crate) const STACKED_MIN: (u16, u16) = (44, 38);
/// The smallest terminal the welcome screen fits in: the intro, three
/// fields, two lines of why, the keys.
pub(crate) const WELCOME_MIN: (u16, u16) = (60, 24);

const HEADER: u16 = 1;
/// The footer at its smallest: a notice line and the key hints.
const FOOTER: u16 = 2;
/// The most lines a footer notice wraps onto.
pub(crate) const NOTICE_MAX_LINES: u16 = 3;
const FIELD_HEIGHT: u16 = 3;
const FORM_HEIGHT: u16 = 1 + 5 * FIELD_HEIGHT;
const PANEL_HEIGHT: u16 = STACKED_MIN.1 - HEADER - FOOTER - FORM_HEIGHT;
/// The widest the panel grows; its rows are short.
pub(crate) const PANEL_MAX_WIDTH: u16 = 64;
/// The widest the form grows: a 200-column field helps nobody type a city.
pub(crate) const FORM_MAX_WIDTH: u16 = 80;

/// The regions of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// Title line.
    pub header: Rect,
    /// The account panel.
    pub panel: Rect,
    /// The form's heading line.
    pub form_heading: Rect,
    /// One box per editable field, in form order.
    pub fields: [Rect; 5],
    /// Notice and key hints.
    pub footer: Rect,
    /// The whole screen.
    pub screen: Rect,
}

impl Areas {
    /// The space between the header and the footer, where the screen on
    /// top draws (and is clicked).
    pub fn body(&self) -> Rect {
        Rect {
            y: self.header.bottom(),
            height: self.footer.y.saturating_sub(self.header.bottom()),
            ..self.screen
        }
    }
}

/// The dashboard's regions for a screen of this size, or `None` when the
/// screen is too small for any layout. The footer's notice takes
/// `notice_lines` lines (see [`notice_lines`]); the body gives way to it
/// only where it has rows to spare.
pub fn areas(screen: Rect, notice_lines: u16) -> Option<Areas> {
    let fits = |(w, h): (u16, u16)| screen.width >= w && screen.height >= h;
    let body_min = if screen.width >= WIDE_MIN.0 {
        WIDE_MIN.1
    } else {
        STACKED_MIN.1
    } - HEADER
        - FOOTER;
    let spare = screen.height.saturating_sub(HEADER + FOOTER + body_min);
    let footer_height = FOOTER
        + notice_lines
            .clamp(1, NOTICE_MAX_LINES)
            .saturating_sub(1)
            .min(spare);
    let [header, main, footer] = Layout::vertical([
        Constraint::Length(HEADER),
        Constraint::Min(0),
        Constraint::Length(footer_height),
    ])
    .areas(screen);
    let (panel, form) = if fits(WIDE_MIN) {
        let panel_width = (screen.width * 9 / 20).clamp(40, PANEL_MAX_WIDTH);
        // The panel takes the whole height: rows left empty under it on a
        // tall terminal are the chart's.
        let [panel, _, form, _] = Layout::horizontal([
            Constraint::Length(panel_width),
            Constraint::Length(1),
            Constraint::Max(FORM_MAX_WIDTH),
            Constraint::Min(0),
        ])
        .areas(main);
        (panel, form)
    } else if fits(STACKED_MIN) {
        let [panel, form] =
            Layout::vertical([Constraint::Length(PANEL_HEIGHT), Constraint::Min(0)]).areas(main);
        (panel, form)
    } else {
        return None;
    };
    let rows = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(FIELD_HEIGHT),
        Constraint::Length(FIELD_HEIGHT),
        Constraint::Length(FIELD_HEIGHT),
        Constraint::Length(FIELD_HEIGHT),
        Constraint::Length(FIELD_HEIGHT),
        Constraint::Min(0),
    ])
    .split(form);
    Some(Areas {
        header,
        panel,
        form_heading: rows[0],
        fields: [rows[1], rows[2], rows[3], rows[4], rows[5]],
        footer,
        screen,
    })
}

/// How many lines a footer notice needs on a screen `width` columns wide
/// (one column of margin), at most [`NOTICE_MAX_LINES`].
pub(crate) fn notice_lines(notice: Option<&str>, width: u16) -> u16 {
    notice.map_or(1, |text| {
        let lines = wrap(text, usize::from(width.saturating_sub(1))).len();
        u16::try_from(lines)
            .unwrap_or(u16::MAX)
            .clamp(1, NOTICE_MAX_LINES)
    })
}

/// `text` as drawn (see [`text::drawable`]) broken into lines of at most
/// `width` display columns: at spaces where it can, inside a word (between
/// graphemes) where a word is longer than a line. Wide characters count as
/// two columns.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let text = crate::text::drawable(text);
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    // A word and the punctuation after it ("end.") move to the next line
    // together: a line never starts with a lone "."; nor ends with a lone
    // "(", which goes with the word it opens.
    let mut words: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut after_word = false;
    let mut after_opener = false;
    for (at, bound) in text.split_word_bound_indices() {
        let space = bound.trim().is_empty();
        let punctuation = !space && !bound.chars().any(char::is_alphanumeric);
        if at > 0 && !(punctuation && after_word) && !after_opener {
            words.push(&text[start..at]);
            start = at;
        }
        after_word = !space;
        after_opener = bound
            .chars()
            .all(|c| matches!(c, '(' | '[' | '{' | '“' | '‘' | '«'));
    }
    if start < text.len() {
        words.push(&text[start..]);
    }
    for word in words {
        let w = word.width();
        if line.width() + w <= width {
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(line.trim_end().to_owned());
            line = String::new();
        }
        if word.trim().is_empty() {
            continue;
        }
        for g in word.graphemes(true) {
            if line.width() + g.width() > width && !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line.push_str(g);
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_owned());
    }
    lines
}

/// A box of `width` × `height` centred in `area`, clipped to it.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Where the time zone suggestions drop over the form: just above the
/// timezone field, as wide as it, at most `rows` entries tall.
pub fn suggestions(areas: &Areas, rows: u16) -> Rect {
    let field = areas.fields[4];
    let height = (rows + 2).min(field.y.saturating_sub(areas.form_heading.y));
    Rect {
        x: field.x,
        y: field.y - height,
        width: field.width,
        height,
    }
}

/// Whether a terminal of `size` has room for the welcome screen.
pub(crate) fn welcome_fits(size: (u16, u16)) -> bool {
    size.0 >= WELCOME_MIN.0 && size.1 >= WELCOME_MIN.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_puts_the_form_beside_the_panel() {
        let a = areas(Rect::new(0, 0, 120, 35), 1).unwrap();
        assert_eq!(a.panel.y, a.form_heading.y);
        assert!(a.fields.iter().all(|f| f.x >= a.panel.right()));
        assert!(a.fields[4].bottom() <= a.footer.y);
    }

    #[test]
    fn very_wide_screens_do_not_stretch_the_fields() {
        let a = areas(Rect::new(0, 0, 300, 90), 1).unwrap();
        assert!(a.panel.width <= PANEL_MAX_WIDTH);
        assert_eq!(a.panel.bottom(), a.footer.y, "no rows left empty under it");
        assert!(a.fields.iter().all(|f| f.width <= FORM_MAX_WIDTH));
        assert_eq!(
            a.footer.width, 300,
            "header and footer still span the screen"
        );
    }

    #[test]
    fn narrow_stacks_the_form_below_the_panel() {
        let a = areas(Rect::new(0, 0, 60, 40), 1).unwrap();
        assert_eq!(a.panel.x, a.fields[0].x);
        assert!(a.form_heading.y >= a.panel.bottom());
        assert!(a.fields[4].bottom() <= a.footer.y);
    }

    #[test]
    fn the_minimum_sizes_fit_exactly_and_one_less_does_not() {
        for (w, h) in [WIDE_MIN, STACKED_MIN] {
            let a = areas(Rect::new(0, 0, w, h), 3).expect("fits");
            assert!(a.fields[4].bottom() <= a.footer.y, "{w}x{h}");
            assert_eq!(a.fields[4].height, FIELD_HEIGHT);
        }
        assert!(areas(Rect::new(0, 0, WIDE_MIN.0, WIDE_MIN.1 - 1), 1).is_none());
        assert!(areas(Rect::new(0, 0, STACKED_MIN.0 - 1, 200), 1).is_none());
        assert!(areas(Rect::new(0, 0, 1, 1), 1).is_none());
    }

    #[test]
    fn a_long_notice_takes_more_footer_lines_where_there_is_room() {
        let one = areas(Rect::new(0, 0, 120, 35), 1).unwrap();
        let three = areas(Rect::new(0, 0, 120, 35), 3).unwrap();
        assert_eq!(one.footer.height, 2);
        assert_eq!(three.footer.height, 4);
        assert_eq!(three.fields, one.fields, "the form does not move");
    }

    #[test]
    fn wrapping_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(
            wrap("Save failed: network error. Your edits are kept.", 20),
            ["Save failed: network", "error. Your edits", "are kept."]
        );
        assert_eq!(
            wrap("/a/very/long/path", 6),
            ["/a/", "very/", "long/", "path"]
        );
        assert_eq!(wrap("東京東京", 5), ["東京", "東京"]);
        assert_eq!(
            wrap("Saved to file.", 13),
            ["Saved to", "file."],
            "no line holds only the full stop"
        );
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(
            wrap(
                "from subaccount Gotham Support 7 (SAHT0000000000000007) via +447400472875",
                40
            ),
            [
                "from subaccount Gotham Support 7",
                "(SAHT0000000000000007) via +447400472875"
            ],
            "an opening bracket goes with what it opens"
        );
        assert_eq!(
            notice_lines(Some(&"word ".repeat(100)), 80),
            NOTICE_MAX_LINES
        );
    }
}
