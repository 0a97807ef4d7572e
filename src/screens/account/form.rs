//! The profile form: five single-line fields, each knowing the server's value
//! so it can tell what the user changed and never lose it.

use crate::keymap::Action;
use crate::plivo::{Account, AccountUpdate, Field};
use crate::state::{Edit, LineInput};
use crate::text;
use crate::tz;

/// The most characters a field holds; longer pastes are cut.
pub const MAX_CHARS: usize = crate::plivo::MAX_FIELD_CHARS;
/// How many time zone suggestions are offered at once.
pub const SUGGESTIONS: usize = 6;

/// One field: the editor, the server's latest value, and whether the server
/// changed it underneath an edit.
#[derive(Debug, Clone)]
pub struct FieldState {
    /// Which field.
    pub field: Field,
    /// The editor holding what the user sees and types.
    pub input: LineInput,
    /// The server's latest value as the server has it: a field starts from
    /// it unaltered, so editing one character never rewrites the rest (a
    /// control character in it is drawn as a stand-in, through
    /// [`text::drawable`], and saved back as it was).
    pub server: String,
    /// Set when the server's value changed while this field held an edit;
    /// the edit is kept and the field says so.
    pub conflict: bool,
}

impl FieldState {
    fn new(field: Field) -> Self {
        Self {
            field,
            input: LineInput::default(),
            server: String::new(),
            conflict: false,
        }
    }

    /// The text in the field, as typed.
    pub fn text(&self) -> &str {
        self.input.text()
    }

    /// What the field means: its text without leading or trailing spaces,
    /// as compared with the server's value and as saved (like `update`
    /// does), so a pasted "Europe/Paris\n" is Europe/Paris.
    pub fn value(&self) -> &str {
        self.text().trim()
    }

    /// Whether the field differs from the server's value.
    pub fn dirty(&self) -> bool {
        self.value() != self.server.trim()
    }

    /// Why the field's value cannot be saved, if it cannot: a phrase that
    /// follows the field's name ("Timezone is required"); the rule `update`
    /// applies too.
    pub fn error(&self) -> Option<&'static str> {
        if self.dirty() {
            self.field.problem(self.value())
        } else {
            None
        }
    }

    fn set_text(&mut self, text: &str) {
        self.input = LineInput::new(text);
    }
}

/// The form's fields and which one has focus.
#[derive(Debug, Clone)]
pub struct Form {
    fields: [FieldState; 5],
    focus: Option<Field>,
    choice: usize,
}

impl Default for Form {
    fn default() -> Self {
        Self {
            fields: Field::ALL.map(FieldState::new),
            focus: None,
            choice: 0,
        }
    }
}

impl Form {
    /// The fields, in form order.
    pub fn fields(&self) -> &[FieldState; 5] {
        &self.fields
    }

    /// One field.
    pub fn field(&self, field: Field) -> &FieldState {
        &self.fields[field.index()]
    }

    fn field_mut(&mut self, field: Field) -> &mut FieldState {
        &mut self.fields[field.index()]
    }

    /// The focused field, if any.
    pub fn focus(&self) -> Option<Field> {
        self.focus
    }

    /// Focuses `field`, or leaves the form with `None`.
    pub(crate) fn set_focus(&mut self, field: Option<Field>) {
        self.focus = field;
        self.choice = 0;
    }

    /// Moves focus forward (or back) through the fields, wrapping around;
    /// from outside the form, forward enters at the first field.
    pub fn cycle(&mut self, forward: bool) {
        let next = match (self.focus, forward) {
            (None, true) => 0,
            (None, false) => 4,
            (Some(f), true) => (f.index() + 1) % 5,
            (Some(f), false) => (f.index() + 4) % 5,
        };
        self.set_focus(Some(Field::ALL[next]));
    }

    /// Takes in the server's account. Untouched fields follow it; a field
    /// holding an edit keeps the edit, and is marked if someone else moved
    /// the server's value underneath it: a value that is what this
    /// dashboard just saved (`sent`) is the user's own, not a conflict.
    /// Values are neutralised first: an escape sequence in a name must never
    /// reach the editor, and from it the terminal.
    pub fn sync(&mut self, account: &Account, sent: Option<&AccountUpdate>) {
        for state in &mut self.fields {
            let incoming = state.field.get(account).to_owned();
            let own = sent
                .and_then(|sent| sent.value(state.field))
                .is_some_and(|value| value == incoming);
            if state.dirty() {
                if incoming != state.server && !own {
                    state.conflict = true;
                }
            } else if state.text() != incoming {
                state.set_text(&incoming);
            }
            state.server = incoming;
            if !state.dirty() {
                state.conflict = false;
            }
        }
    }

    /// Takes in a save the server accepted but no fetch has confirmed: what
    /// was sent is the server's now, so a field still holding it is no
    /// longer an unsaved edit (a quit would otherwise warn of losing it).
    pub fn saved(&mut self, sent: &AccountUpdate) {
        for state in &mut self.fields {
            if let Some(value) = sent.value(state.field) {
                value.clone_into(&mut state.server);
            }
        }
    }

    /// The changes to send: every field that differs from the server.
    pub fn diff(&self) -> AccountUpdate {
        let mut update = AccountUpdate::default();
        for state in self.fields.iter().filter(|s| s.dirty()) {
            update.set(state.field, state.value());
        }
        update
    }

    /// The first field that cannot be saved as it is, with the reason.
    pub(crate) fn first_error(&self) -> Option<(Field, &'static str)> {
        self.fields
            .iter()
            .find_map(|s| s.error().map(|e| (s.field, e)))
    }

    /// Puts the focused field back to the server's value.
    pub(crate) fn revert_focused(&mut self) -> bool {
        let Some(field) = self.focus else {
            return false;
        };
        let state = self.field_mut(field);
        if !state.dirty() {
            return false;
        }
        let server = state.server.clone();
        state.set_text(&server);
        state.conflict = false;
        true
    }

    /// Applies an editing action to the focused field.
    pub fn edit(&mut self, action: Action) -> Edit {
        self.change(|input| input.apply(action))
    }

    /// Types a character into the focused field.
    pub(crate) fn type_char(&mut self, c: char) -> Edit {
        self.change(|input| input.type_char(c))
    }

    /// Changes the focused field's editor; a change past [`MAX_CHARS`] is
    /// undone. Text from the server may exceed the limit: it may shrink
    /// then, never grow.
    fn change(&mut self, f: impl FnOnce(&mut LineInput) -> Edit) -> Edit {
        let Some(field) = self.focus else {
            return Edit::Ignored;
        };
        let state = self.field_mut(field);
        let saved = state.input.clone();
        let length_before = state.input.chars();
        let edit = f(&mut state.input);
        if edit == Edit::Changed {
            if state.input.chars() > MAX_CHARS.max(length_before) {
                state.input = saved;
                return Edit::Full;
            }
            self.choice = 0;
        }
        edit
    }

    /// Puts the cursor of the focused field at display column `column` of
    /// its text (a click).
    pub fn click(&mut self, column: usize) {
        if let Some(field) = self.focus {
            self.field_mut(field).input.set_cursor_column(column);
        }
    }

    /// Inserts pasted text into the focused field: line breaks become
    /// spaces, other control characters are dropped (the same rule as for
    /// typed keys), and what does not fit within [`MAX_CHARS`] is cut, in
    /// which case it answers [`Edit::Full`].
    pub fn paste(&mut self, text: &str) -> Edit {
        let Some(field) = self.focus else {
            return Edit::Ignored;
        };
        let state = self.field_mut(field);
        let room = MAX_CHARS.saturating_sub(state.input.chars());
        let mut clean: Vec<char> = text::pasted(text).collect();
        let cut = clean.len() > room;
        clean.truncate(room);
        let inserted = state.input.insert(&clean.into_iter().collect::<String>());
        if inserted {
            self.choice = 0;
        }
        match (cut, inserted) {
            (true, _) => Edit::Full,
            (false, true) => Edit::Changed,
            (false, false) => Edit::Ignored,
        }
    }

    /// Zone names matching the timezone field while it is focused and not
    /// yet a valid zone.
    pub fn suggestions(&self) -> Vec<String> {
        let state = self.field(Field::Timezone);
        if self.focus != Some(Field::Timezone) || tz::is_valid(state.value()) {
            return Vec::new();
        }
        tz::suggestions(state.value(), SUGGESTIONS)
    }

    /// How many matching zones the suggestions leave out.
    pub(crate) fn more_suggestions(&self) -> usize {
        let shown = self.suggestions().len();
        if shown == 0 {
            return 0;
        }
        tz::matching(self.field(Field::Timezone).value()).saturating_sub(shown)
    }

    /// Which suggestion is highlighted.
    pub fn choice(&self) -> usize {
        self.choice
    }

    /// Moves the highlighted suggestion; false when there are none.
    pub(crate) fn move_choice(&mut self, down: bool) -> bool {
        let count = self.suggestions().len();
        if count == 0 {
            return false;
        }
        self.choice = if down {
            (self.choice + 1) % count
        } else {
            (self.choice + count - 1) % count
        };
        true
    }

    /// Puts the highlighted suggestion into the timezone field.
    pub(crate) fn accept_choice(&mut self) -> bool {
        let Some(name) = self.suggestions().get(self.choice).cloned() else {
            return false;
        };
        self.field_mut(Field::Timezone).set_text(&name);
        self.choice = 0;
        true
    }
}
