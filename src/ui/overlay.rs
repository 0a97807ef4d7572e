//! What pops up over any screen: help and the quit question, and the box
//! they (and a screen's own dialogs) are drawn in.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

use super::Theme;
use crate::keymap::{Action, Context, HelpLine, Keymap};
use crate::layout::centered;
use crate::scroll::{At, Text};
use unicode_width::UnicodeWidthStr as _;

/// A bordered box titled `title`, as wide as its widest line, centred in
/// `area`; where it was drawn.
pub fn popup(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, theme: Theme) -> Rect {
    let widest = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .max(title.chars().count() + 4);
    let width = u16::try_from(widest).unwrap_or(u16::MAX).saturating_add(4);
    let height = u16::try_from(lines.len())
        .unwrap_or(u16::MAX)
        .saturating_add(2);
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
    rect
}

/// The keys of `screen` as bound, from the keymap, then those that work
/// everywhere; scrolled by `scroll` lines when taller than the screen.
pub fn help(
    keymap: &Keymap,
    screen: Context,
    scroll: Text,
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let rows = keymap.help(screen);
    // One screen line per row, so scrolling counts true: the keys padded
    // by display width, the text cut to what is left.
    let avail = usize::from(area.width.saturating_sub(4));
    let key_width = rows
        .iter()
        .filter_map(|row| match row {
            HelpLine::Key(keys, _) => Some(keys.width()),
            _ => None,
        })
        .max()
        .unwrap_or(0)
        .min(24)
        .min(avail / 2);
    let text_width = avail.saturating_sub(key_width + 3);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|row| match row {
            HelpLine::Title(title) => Line::from(Span::styled(
                super::clip(&format!(" {title}"), avail),
                theme.accent(),
            )),
            HelpLine::Key(keys, what) => {
                let keys = super::clip(&keys, key_width);
                let pad = " ".repeat(key_width.saturating_sub(keys.width()));
                Line::from(vec![
                    Span::styled(format!(" {keys}{pad}  "), theme.key()),
                    Span::raw(super::clip(what, text_width)),
                ])
            }
            HelpLine::Blank => Line::raw(""),
        })
        .collect();
    let close: Vec<String> = keymap
        .keys_for(Action::Close)
        .iter()
        .map(ToString::to_string)
        .collect();
    let footer = format!(" {} closes", close.join(" or "));
    let mut lines = scrolled(lines, scroll, area.height, keymap, theme);
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled(footer, theme.dim())));
    popup(frame, area, "Keys", lines, theme);
}

/// The part of a long text in view in a popup over a body `height` rows
/// tall, scrolled by `scroll`, with a line saying which way the rest is
/// when it does not all fit. The popup's blank line and keys go under it.
pub fn scrolled<'a>(
    lines: Vec<Line<'a>>,
    scroll: Text,
    height: u16,
    keymap: &Keymap,
    theme: Theme,
) -> Vec<Line<'a>> {
    let window = scroll.window(lines.len(), height);
    let Some(at) = window.at else {
        return lines;
    };
    let (up, down) = (
        keymap.key_label(Action::ScrollUp),
        keymap.key_label(Action::ScrollDown),
    );
    let more = match at {
        At::End => format!(" {up} for the start"),
        At::Start => format!(" {down} for more"),
        At::Middle => format!(" {up} {down} for more"),
    };
    let mut lines: Vec<Line> = lines
        .into_iter()
        .skip(window.start)
        .take(window.len)
        .collect();
    lines.push(Line::from(Span::styled(more, theme.dim())));
    lines
}
