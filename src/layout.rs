//! Where everything goes on screen: pure arithmetic on the terminal size,
//! shared by `ui` (to draw) and `app` (to know which field a click hit).

use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest terminal that fits the panel beside the form.
pub const WIDE_MIN: (u16, u16) = (80, 22);
/// The smallest terminal that fits the panel above the form.
pub const STACKED_MIN: (u16, u16) = (44, 38);

const HEADER: u16 = 1;
const FOOTER: u16 = 2;
const FIELD_HEIGHT: u16 = 3;
const FORM_HEIGHT: u16 = 1 + 5 * FIELD_HEIGHT;
const PANEL_HEIGHT: u16 = STACKED_MIN.1 - HEADER - FOOTER - FORM_HEIGHT;
/// The tallest the panel grows: enough for every row and a chart of eight
/// rows of bars. Past that, more height would only mean taller bars, and a
/// frame's cost grows with every cell drawn.
pub const PANEL_MAX_HEIGHT: u16 = 32;
/// The widest the panel grows; its rows are short.
pub const PANEL_MAX_WIDTH: u16 = 64;
/// The widest the form grows: a 200-column field helps nobody type a city.
pub const FORM_MAX_WIDTH: u16 = 80;

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

/// The dashboard's regions for a screen of this size, or `None` when the
/// screen is too small for any layout.
pub fn areas(screen: Rect) -> Option<Areas> {
    let fits = |(w, h): (u16, u16)| screen.width >= w && screen.height >= h;
    let [header, main, footer] = Layout::vertical([
        Constraint::Length(HEADER),
        Constraint::Min(0),
        Constraint::Length(FOOTER),
    ])
    .areas(screen);
    let (panel, form) = if fits(WIDE_MIN) {
        let panel_width = (screen.width * 9 / 20).clamp(40, PANEL_MAX_WIDTH);
        let [panel, _, form, _] = Layout::horizontal([
            Constraint::Length(panel_width),
            Constraint::Length(1),
            Constraint::Max(FORM_MAX_WIDTH),
            Constraint::Min(0),
        ])
        .areas(main);
        let panel = Rect {
            height: panel.height.min(PANEL_MAX_HEIGHT),
            ..panel
        };
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

/// A box of `width` × `height` centred in `area`, clipped to it.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_puts_the_form_beside_the_panel() {
        let a = areas(Rect::new(0, 0, 120, 35)).unwrap();
        assert_eq!(a.panel.y, a.form_heading.y);
        assert!(a.fields.iter().all(|f| f.x >= a.panel.right()));
        assert!(a.fields[4].bottom() <= a.footer.y);
    }

    #[test]
    fn very_wide_screens_do_not_stretch_the_fields() {
        let a = areas(Rect::new(0, 0, 300, 90)).unwrap();
        assert!(a.panel.width <= PANEL_MAX_WIDTH && a.panel.height <= PANEL_MAX_HEIGHT);
        assert!(a.fields.iter().all(|f| f.width <= FORM_MAX_WIDTH));
        assert_eq!(
            a.footer.width, 300,
            "header and footer still span the screen"
        );
    }

    #[test]
    fn narrow_stacks_the_form_below_the_panel() {
        let a = areas(Rect::new(0, 0, 60, 40)).unwrap();
        assert_eq!(a.panel.x, a.fields[0].x);
        assert!(a.form_heading.y >= a.panel.bottom());
        assert!(a.fields[4].bottom() <= a.footer.y);
    }

    #[test]
    fn the_minimum_sizes_fit_exactly_and_one_less_does_not() {
        for (w, h) in [WIDE_MIN, STACKED_MIN] {
            let a = areas(Rect::new(0, 0, w, h)).expect("fits");
            assert!(a.fields[4].bottom() <= a.footer.y, "{w}x{h}");
            assert_eq!(a.fields[4].height, FIELD_HEIGHT);
        }
        assert!(areas(Rect::new(0, 0, WIDE_MIN.0, WIDE_MIN.1 - 1)).is_none());
        assert!(areas(Rect::new(0, 0, STACKED_MIN.0 - 1, 200)).is_none());
        assert!(areas(Rect::new(0, 0, 1, 1)).is_none());
    }
}
