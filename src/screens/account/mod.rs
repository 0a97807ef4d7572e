//! The account screen: the panel (balance, account, monitor) beside the
//! profile form. Its state is the form and, while the user reviews a save,
//! the changes and how far that list is scrolled.

mod form;
mod goes;
mod panel;
pub mod view;

pub use form::{FieldState, Form, MAX_CHARS, SUGGESTIONS};

use ratatui::layout::Position;

use super::Ctx;
use crate::keymap::{Action, Context};
use crate::layout::Areas;
use crate::plivo::{Account, AccountUpdate, Field};
use crate::scroll::Text;
use crate::state::{Edit, Notice, Outcome, SaveState};
use crate::ui::Theme;
use crate::worker::Request;

/// The account screen's state.
#[derive(Debug, Clone, Default)]
pub struct AccountScreen {
    /// The profile form.
    pub form: Form,
    /// The changes under review ("Save changes?"), while they are.
    pub review: Option<Review>,
}

/// Changes the user is asked to confirm before they are sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// What would be sent.
    pub update: AccountUpdate,
    /// How far the list is scrolled.
    pub scroll: Text,
}

impl AccountScreen {
    pub(super) fn contexts(&self) -> Vec<Context> {
        if self.review.is_some() {
            return vec![Context::ConfirmSave];
        }
        match self.form.focus() {
            None => vec![Context::Dashboard],
            Some(Field::Timezone) if !self.form.suggestions().is_empty() => {
                vec![Context::Suggestions, Context::Form, Context::Editing]
            }
            Some(_) => vec![Context::Form, Context::Editing],
        }
    }

    pub(super) fn act(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        // Nothing to edit until the account has loaded.
        let editable = ctx.account.is_some();
        match action {
            Action::Edit if editable => self.form.cycle(true),
            Action::EditLast if editable => self.form.cycle(false),
            Action::NextField | Action::Advance => self.form.cycle(true),
            Action::PrevField => self.form.cycle(false),
            Action::LeaveForm => self.form.set_focus(None),
            Action::ChooseNext => {
                self.form.move_choice(true);
            }
            Action::ChoosePrev => {
                self.form.move_choice(false);
            }
            Action::Pick => {
                self.form.accept_choice();
            }
            Action::Revert => {
                self.form.revert_focused();
            }
            Action::Save => self.ask_save(ctx),
            Action::Confirm => {
                if let Some(review) = self.review.take() {
                    *ctx.save = SaveState::Sending(review.update.clone());
                    *ctx.notice = Some(Notice::info("Saving…"));
                    return Outcome::request(Request::Save(review.update));
                }
            }
            // "Keep editing", as the review says: back in the form at the
            // first change, even when the save was asked for outside it.
            Action::Cancel => {
                if self.review.take().is_some() && self.form.focus().is_none() {
                    let first = self
                        .form
                        .fields()
                        .iter()
                        .find(|s| s.dirty())
                        .map(|s| s.field);
                    self.form.set_focus(first);
                }
            }
            Action::ScrollDown | Action::ScrollUp | Action::PageDown | Action::PageUp => {
                if let Some(review) = &self.review {
                    let lines = view::review_lines(self, review, ctx.body.width, Theme::new(false));
                    if let Some(review) = &mut self.review {
                        review.scroll.act(action, lines.len(), ctx.body.height);
                    }
                }
            }
            editing => {
                let edit = self.form.edit(editing);
                if let Some(notice) = self.full(edit) {
                    *ctx.notice = Some(notice);
                }
            }
        }
        Outcome::redraw()
    }

    /// Opens the review of the changes, or says why there is none.
    fn ask_save(&mut self, ctx: &mut Ctx) {
        let update = self.form.diff();
        let refusal = if ctx.stopped {
            Notice::error("Cannot save: the background worker stopped. Your edits are kept.")
        } else if ctx.save.busy() {
            Notice::info("A save is already under way")
        } else if update.is_empty() {
            Notice::info("Nothing to save: no field has changed")
        } else if let Some((field, reason)) = self.form.first_error() {
            self.form.set_focus(Some(field));
            Notice::error(format!("Cannot save: {} is {reason}", field.label()))
        } else {
            self.review = Some(Review {
                update,
                scroll: Text::default(),
            });
            *ctx.notice = None;
            return;
        };
        *ctx.notice = Some(refusal);
    }

    pub(super) fn type_char(&mut self, c: char) -> Option<Notice> {
        if self.review.is_some() {
            return None;
        }
        let edit = self.form.type_char(c);
        self.full(edit)
    }

    pub(super) fn paste(&mut self, text: &str) -> Option<Notice> {
        if self.review.is_some() {
            return None;
        }
        let edit = self.form.paste(text);
        self.full(edit)
    }

    /// What to say when an edit did not fit: text is never dropped
    /// without a word.
    fn full(&self, edit: Edit) -> Option<Notice> {
        let field = self.form.focus()?;
        (edit == Edit::Full).then(|| {
            Notice::error(format!(
                "{} holds at most {MAX_CHARS} characters: the rest was not taken",
                field.label()
            ))
        })
    }

    /// A click on a field focuses it, with the cursor where it landed.
    pub(super) fn click(&mut self, areas: &Areas, at: Position) -> bool {
        if self.review.is_some() {
            return false;
        }
        let Some((field, area)) = Field::ALL
            .into_iter()
            .zip(areas.fields)
            .find(|(_, area)| area.contains(at))
        else {
            return false;
        };
        // The column inside the box, past the scrolled-off part the focused
        // field shows (an unfocused one shows its start).
        let inner = usize::from(area.width.saturating_sub(2));
        let scroll = if self.form.focus() == Some(field) {
            self.form.field(field).input.scroll(inner)
        } else {
            0
        };
        let column = usize::from(at.x.saturating_sub(area.x + 1)) + scroll;
        self.form.set_focus(Some(field));
        self.form.click(column);
        true
    }

    pub(super) fn unsaved(&self) -> Vec<&'static str> {
        self.form
            .fields()
            .iter()
            .filter(|s| s.dirty())
            .map(|s| s.field.label())
            .collect()
    }

    pub(super) fn sync(&mut self, account: &Account, sent: Option<&AccountUpdate>) {
        self.form.sync(account, sent);
    }

    pub(super) fn saved(&mut self, sent: &AccountUpdate) {
        self.form.saved(sent);
    }
}
