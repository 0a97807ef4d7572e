//! A single-line text input that edits by extended grapheme cluster, as
//! people see characters: `👩‍👩‍👧` or `e` + a combining accent is one step for
//! the cursor, Backspace and Delete, and the cursor's column is the display
//! width of what lies before it.
//!
//! It replaces ratatui-textarea, which edits by code point (Backspace left a
//! dangling zero-width joiner behind, Left could split an accent from its
//! letter) and places its cursor by code point (past a wide emoji the
//! terminal cursor sat one column short). It is driven by actions from
//! the keymap, whose default keys are the ones textarea offered.

use unicode_segmentation::UnicodeSegmentation as _;
use unicode_width::UnicodeWidthStr as _;

use crate::keymap::Action;
use crate::text;

/// How many edits undo (Ctrl-_) can take back.
const UNDO_DEPTH: usize = 64;

/// One line of text with a cursor, undo and a kill buffer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineInput {
    text: String,
    /// Byte offset into `text`, always on a grapheme boundary.
    cursor: usize,
    undo: Vec<(String, usize)>,
    /// What Ctrl-K, Ctrl-U and Ctrl-W last cut, for Ctrl-Y.
    killed: String,
}

/// What a key did to the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit {
    /// The key is not an editing key.
    Ignored,
    /// Only the cursor moved (or nothing visible changed).
    Moved,
    /// The text changed.
    Changed,
    /// Refused: the field holds no more (its length limit).
    Full,
}

impl LineInput {
    /// An input holding `text`, cursor at the end.
    pub fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            cursor: text.len(),
            ..Self::default()
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor as a byte offset into [`Self::text`].
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The display width of the text before the cursor: the terminal column
    /// the cursor sits at, counted from the start of the text as drawn.
    pub(crate) fn cursor_column(&self) -> usize {
        width(&self.text[..self.cursor])
    }

    /// Puts the cursor at the grapheme boundary nearest display column
    /// `column` (a click): on the left edge of the character clicked.
    pub(crate) fn set_cursor_column(&mut self, column: usize) {
        let mut used = 0;
        for (at, g) in self.text.grapheme_indices(true) {
            let w = width(g);
            if used + w > column {
                self.cursor = at;
                return;
            }
            used += w;
        }
        self.cursor = self.text.len();
    }

    /// The number of characters (code points), for length limits.
    pub fn chars(&self) -> usize {
        self.text.chars().count()
    }

    /// Inserts `s` at the cursor as one undoable edit.
    pub fn insert(&mut self, s: &str) -> bool {
        if s.is_empty() {
            return false;
        }
        self.remember();
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
        self.snap();
        true
    }

    /// Types one character. Control characters typed on their own (a bidi
    /// override, say) are refused, like pasted ones.
    pub(crate) fn type_char(&mut self, c: char) -> Edit {
        if text::is_unsafe(c) {
            return Edit::Ignored;
        }
        self.insert(c.encode_utf8(&mut [0; 4]));
        Edit::Changed
    }

    /// Applies an editing action; actions that are not about editing text
    /// are [`Edit::Ignored`].
    pub(crate) fn apply(&mut self, action: Action) -> Edit {
        match action {
            Action::Left => self.move_to(self.prev_boundary()),
            Action::Right => self.move_to(self.next_boundary()),
            Action::Home => self.move_to(0),
            Action::End => self.move_to(self.text.len()),
            Action::WordLeft => self.move_to(self.word_start()),
            Action::WordRight => self.move_to(self.word_end()),
            Action::Backspace => self.delete(self.prev_boundary(), self.cursor, false),
            Action::Delete => self.delete(self.cursor, self.next_boundary(), false),
            Action::DeleteWordBack => self.delete(self.word_start(), self.cursor, true),
            Action::DeleteWordForward => self.delete(self.cursor, self.word_end(), true),
            Action::KillToEnd => self.delete(self.cursor, self.text.len(), true),
            Action::KillToStart => self.delete(0, self.cursor, true),
            Action::Yank => {
                let killed = self.killed.clone();
                if self.insert(&killed) {
                    Edit::Changed
                } else {
                    Edit::Moved
                }
            }
            Action::Undo => match self.undo.pop() {
                Some((text, cursor)) => {
                    self.text = text;
                    self.cursor = cursor;
                    Edit::Changed
                }
                None => Edit::Moved,
            },
            _ => Edit::Ignored,
        }
    }

    /// The first column to draw so the cursor is visible in a box `width`
    /// columns wide (one column kept for the cursor past the end), moved in
    /// whole graphemes so a wide character is never cut in half.
    pub fn scroll(&self, width: usize) -> usize {
        let column = self.cursor_column();
        if width == 0 || column < width {
            return 0;
        }
        let need = column + 1 - width;
        let mut skipped = 0;
        for g in self.text.graphemes(true) {
            if skipped >= need {
                break;
            }
            skipped += self::width(g);
        }
        skipped
    }

    /// The part of the text seen in a box `width` columns wide, after
    /// [`Self::scroll`] columns.
    pub fn visible(&self, width: usize) -> String {
        let skip = self.scroll(width);
        let mut used = 0;
        let mut out = String::new();
        for g in self.text.graphemes(true) {
            let w = self::width(g);
            if used >= skip {
                if used + w > skip + width {
                    break;
                }
                out.push_str(&text::drawable(g));
            }
            used += w;
        }
        out
    }

    fn move_to(&mut self, at: usize) -> Edit {
        self.cursor = at;
        Edit::Moved
    }

    fn delete(&mut self, from: usize, to: usize, kill: bool) -> Edit {
        if from >= to {
            return Edit::Moved;
        }
        self.remember();
        let cut: String = self.text.drain(from..to).collect();
        if kill {
            self.killed = cut;
        }
        self.cursor = from;
        self.snap();
        Edit::Changed
    }

    fn remember(&mut self) {
        if self.undo.len() == UNDO_DEPTH {
            self.undo.remove(0);
        }
        self.undo.push((self.text.clone(), self.cursor));
    }

    /// Keeps the cursor on a grapheme boundary after an edit: a joiner or
    /// combining mark typed there may have merged it into a cluster, and the
    /// cursor then sits after the whole cluster.
    fn snap(&mut self) {
        let at = self.cursor;
        if at == 0 {
            return;
        }
        self.cursor = self
            .text
            .grapheme_indices(true)
            .map(|(start, g)| start + g.len())
            .find(|end| *end >= at)
            .unwrap_or(self.text.len());
    }

    fn prev_boundary(&self) -> usize {
        self.text[..self.cursor]
            .grapheme_indices(true)
            .next_back()
            .map_or(0, |(at, _)| at)
    }

    fn next_boundary(&self) -> usize {
        self.text[self.cursor..]
            .graphemes(true)
            .next()
            .map_or(self.cursor, |g| self.cursor + g.len())
    }

    /// The start of the word before the cursor (skipping spaces first).
    fn word_start(&self) -> usize {
        let before = &self.text[..self.cursor];
        let mut words = before.split_word_bound_indices().rev();
        let mut at = self.cursor;
        for (i, w) in words.by_ref() {
            at = i;
            if !w.trim().is_empty() {
                break;
            }
        }
        at
    }

    /// The end of the word after the cursor (skipping spaces first).
    fn word_end(&self) -> usize {
        let mut at = self.cursor;
        for (i, w) in self.text[self.cursor..].split_word_bound_indices() {
            at = self.cursor + i + w.len();
            if !w.trim().is_empty() {
                break;
            }
        }
        at
    }
}

/// The columns `s` takes as drawn: a joined emoji is drawn unjoined (see
/// [`text::drawable`]), so it takes the width of its parts.
fn width(s: &str) -> usize {
    text::drawable(s).width()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(input: &mut LineInput, action: Action) -> Edit {
        input.apply(action)
    }

    #[test]
    fn backspace_removes_a_whole_family_emoji() {
        let mut input = LineInput::new("a👩‍👩‍👧");
        assert_eq!(input.cursor_column(), 7, "drawn unjoined: three emoji");
        assert_eq!(input.visible(20), "a👩👩👧");
        assert_eq!(press(&mut input, Action::Backspace), Edit::Changed);
        assert_eq!(input.text(), "a", "no dangling joiner");
        assert_eq!(input.cursor_column(), 1);
    }

    #[test]
    fn left_then_typing_keeps_an_accent_on_its_letter() {
        let mut input = LineInput::new("Cafe\u{301}");
        press(&mut input, Action::Left);
        input.type_char('x');
        assert_eq!(input.text(), "Cafxe\u{301}");
    }

    #[test]
    fn delete_removes_the_next_cluster() {
        let mut input = LineInput::new("e\u{301}z");
        press(&mut input, Action::Home);
        press(&mut input, Action::Delete);
        assert_eq!(input.text(), "z");
    }

    #[test]
    fn the_cursor_column_is_the_display_width() {
        let mut input = LineInput::new("🦇東x");
        assert_eq!(input.cursor_column(), 5);
        press(&mut input, Action::Left);
        assert_eq!(input.cursor_column(), 4);
        press(&mut input, Action::Left);
        assert_eq!(input.cursor_column(), 2);
        input.set_cursor_column(3);
        assert_eq!(input.cursor_column(), 2, "a click on the right half of 東");
        input.set_cursor_column(99);
        assert_eq!(input.cursor_column(), 5);
    }

    #[test]
    fn typed_control_characters_are_refused() {
        let mut input = LineInput::new("ab");
        for c in ['\u{202E}', '\u{1b}', '\u{7}', '\u{200F}'] {
            assert_eq!(input.type_char(c), Edit::Ignored);
        }
        assert_eq!(input.text(), "ab");
    }

    #[test]
    fn a_combining_mark_typed_after_a_letter_joins_it() {
        let mut input = LineInput::new("e");
        input.type_char('\u{301}');
        assert_eq!(input.text(), "e\u{301}");
        assert_eq!(input.cursor(), input.text().len());
        press(&mut input, Action::Backspace);
        assert_eq!(input.text(), "");
    }

    #[test]
    fn kill_yank_and_undo() {
        let mut input = LineInput::new("hello world");
        press(&mut input, Action::DeleteWordBack);
        assert_eq!(input.text(), "hello ");
        press(&mut input, Action::Home);
        press(&mut input, Action::Yank);
        assert_eq!(input.text(), "worldhello ");
        press(&mut input, Action::Undo);
        assert_eq!(input.text(), "hello ");
        press(&mut input, Action::Undo);
        assert_eq!(input.text(), "hello world");
        assert_eq!(
            press(&mut input, Action::Undo),
            Edit::Moved,
            "nothing left to undo"
        );
        press(&mut input, Action::Home);
        press(&mut input, Action::KillToEnd);
        assert_eq!(input.text(), "", "Ctrl-K from the start cuts all");
    }

    /// The keys as readline has them: Ctrl-U cuts to the start, Ctrl-_
    /// (which a terminal sends as Ctrl-7) and Ctrl-Z undo, Ctrl-J is free.
    #[test]
    fn editing_keys_follow_readline() {
        use crate::keymap::{Context, Keymap};
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let keymap = Keymap::default();
        let ctrl = |c| {
            keymap.action(
                &[Context::Global, Context::Form, Context::Editing],
                &KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
            )
        };
        let mut input = LineInput::new("hello world");
        press(&mut input, Action::WordLeft);
        press(&mut input, ctrl('u').expect("Ctrl-U is bound"));
        assert_eq!(input.text(), "world", "cut to the start");
        assert_eq!(input.cursor(), 0);
        press(&mut input, ctrl('7').expect("Ctrl-_ is bound"));
        assert_eq!(input.text(), "hello world", "undone");
        press(&mut input, Action::End);
        press(&mut input, ctrl('u').expect("Ctrl-U is bound"));
        assert_eq!(input.text(), "");
        press(&mut input, ctrl('z').expect("Ctrl-Z is bound"));
        assert_eq!(input.text(), "hello world", "undone");
        assert_eq!(ctrl('j'), None, "Ctrl-J is free");
    }

    #[test]
    fn word_moves_skip_spaces() {
        let mut input = LineInput::new("one  two three");
        press(&mut input, Action::WordLeft);
        assert_eq!(&input.text()[input.cursor()..], "three");
        press(&mut input, Action::WordLeft);
        assert_eq!(&input.text()[input.cursor()..], "two three");
        press(&mut input, Action::WordRight);
        assert_eq!(&input.text()[input.cursor()..], " three");
    }

    #[test]
    fn scrolling_keeps_the_cursor_in_view_without_cutting_wide_characters() {
        let input = LineInput::new("ab東東東");
        // 8 columns of text and the cursor after it, in a 6-column box.
        assert_eq!(input.scroll(6), 4);
        assert_eq!(input.visible(6), "東東");
        let input = LineInput::new("abc");
        assert_eq!(input.scroll(6), 0);
        assert_eq!(input.visible(4), "abc");
        assert_eq!(
            input.visible(2),
            "c",
            "the cursor past the end needs its column"
        );
    }
}
