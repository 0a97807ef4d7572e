//! What every screen draws alike: the footer (a notice and the key hints),
//! the help overlay, popups, a long text's scrolled window, the too-small
//! notice, the colours (`Theme`) and cutting text to a width. The screens
//! call these; this module knows none of them.

mod overlay;
mod theme;

pub use overlay::{help, popup, scrolled};
pub use theme::Theme;

use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use unicode_segmentation::UnicodeSegmentation as _;
use unicode_width::UnicodeWidthStr;

use crate::layout;
use crate::state::{Notice, NoticeKind};
use crate::text;

/// The footer: `notice` wrapped onto the lines it has, and under it the
/// key hints, as many whole ones as fit, where `ranks[i]` says how much hint
/// `i` should stay when not all fit (lower stays longer; see
/// `Keymap::hint_rank`). Unranked hints drop from the end.
pub fn footer(
    notice: Option<&Notice>,
    hints: &[(String, &'static str)],
    ranks: &[u8],
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
) {
    let mut lines: Vec<Line> = match notice {
        Some(n) => {
            let style = match n.kind {
                NoticeKind::Info => theme.dim(),
                NoticeKind::Success => theme.good(),
                NoticeKind::Error => theme.error(),
            };
            let room = area.height.saturating_sub(1).max(1);
            let mut wrapped = layout::wrap(&n.text, usize::from(area.width.saturating_sub(1)));
            if wrapped.len() > usize::from(room) {
                wrapped.truncate(usize::from(room));
                if let Some(last) = wrapped.last_mut() {
                    *last = clip(
                        &format!("{last} …"),
                        usize::from(area.width.saturating_sub(1)),
                    );
                }
            }
            wrapped
                .into_iter()
                .map(|l| Line::from(Span::styled(format!(" {l}"), style)))
                .collect()
        }
        None => vec![Line::default()],
    };
    while lines.len() + 1 < usize::from(area.height) {
        lines.push(Line::default());
    }
    // Whole hints only (half of one would read wrong), as many as fit,
    // the lowest ranked first, shown in their order.
    let shown: Vec<(String, String)> = hints
        .iter()
        .map(|(key, what)| (format!(" {key}"), format!(" {what} ")))
        .collect();
    let mut by_rank: Vec<usize> = (0..shown.len()).collect();
    by_rank.sort_by_key(|i| (ranks.get(*i).copied().unwrap_or(u8::MAX), *i));
    let mut kept = vec![false; shown.len()];
    let mut used = 0;
    for i in by_rank {
        let width = shown[i].0.width() + shown[i].1.width();
        if used + width <= usize::from(area.width) {
            used += width;
            kept[i] = true;
        }
    }
    let spans = shown
        .into_iter()
        .zip(kept)
        .filter(|(_, kept)| *kept)
        .flat_map(|((key, what), _)| {
            [
                Span::styled(key, theme.key()),
                Span::styled(what, theme.dim()),
            ]
        });
    lines.push(Line::from(spans.collect::<Vec<_>>()));
    frame.render_widget(Paragraph::new(lines), area);
}

/// "Terminal too small", what is needed (`need`) and what there is,
/// centred in `area`, under `first` when there is something to ask.
pub(crate) fn too_small_notice(
    frame: &mut Frame,
    area: Rect,
    theme: Theme,
    need: &str,
    first: Option<Line<'static>>,
) {
    let mut text: Vec<Line> = first.into_iter().collect();
    text.extend([
        Line::from(Span::styled("Terminal too small", theme.warn())),
        Line::raw(need.to_owned()),
        Line::raw(format!("now {}×{}", area.width, area.height)),
    ]);
    // The rows the lines take once wrapped to the width, so that none is
    // cut off below a box sized for them unwrapped.
    let rows: usize = text
        .iter()
        .map(|line| {
            let plain: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            layout::wrap(&plain, usize::from(area.width)).len().max(1)
        })
        .sum();
    let height = u16::try_from(rows).unwrap_or(u16::MAX).min(area.height);
    let rect = Rect {
        y: area.y + (area.height - height) / 2,
        height,
        ..area
    };
    frame.render_widget(
        Paragraph::new(text)
            .alignment(Alignment::Center)
            .wrap(Wrap { trim: true }),
        rect,
    );
}

/// `text` as drawn (see [`text::drawable`]), cut to `width` terminal
/// columns between characters, with "…" where it was cut. Wide characters
/// (CJK, emoji) count as two.
pub(crate) fn clip(text: &str, width: usize) -> String {
    // Plain printable ASCII (numbers, ids, most labels) is one column a
    // byte and safe as it is: no need to look at graphemes.
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return match width {
            _ if text.len() <= width => text.to_owned(),
            0 => String::new(),
            _ => format!("{}…", &text[..width - 1]),
        };
    }
    let text = text::drawable(text);
    if text.width() <= width {
        return text.into_owned();
    }
    let mut used = 0;
    let mut out = String::new();
    for g in text.graphemes(true) {
        let w = g.width();
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push_str(g);
    }
    if width > 0 {
        out.push('…');
    }
    out
}
