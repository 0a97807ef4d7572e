//! Colours, or none: with `NO_COLOR` every style keeps its weight
//! (bold, reversed) but loses its colour.

use ratatui::style::{Color, Modifier, Style};

/// The dashboard's styles.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Styles with colour, or without.
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Titles and the focused field.
    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Labels and secondary text.
    pub(crate) fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    /// A healthy balance, a confirmed save.
    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    /// Unsaved edits, stale data.
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Failures and invalid input.
    pub fn error(&self) -> Style {
        self.fg(Color::Red)
    }

    /// Key names in hints.
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan)
    }

    /// The highlighted entry of a list.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// The banner when the balance is below the alert threshold.
    pub fn alert(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// The "DEMO" badge.
    pub(crate) fn badge(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Magenta)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }
}
