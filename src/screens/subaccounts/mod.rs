//! The subaccounts screen: every subaccount of the account in a table that
//! fills in as pages arrive, a filter typed as you go, and create, rename,
//! enable/disable and delete through the worker. Tokens are kept for the
//! clipboard and never drawn.

pub mod view;

use ratatui::layout::{Position, Rect};
use secrecy::SecretString;

use super::Ctx;
use crate::keymap::{Action, Context, Keymap};
use crate::plivo::{ApiError, Disagreement, Subaccount, SubaccountChange};
use crate::scroll::Table;
use crate::state::{Edit, LineInput, Notice, Outcome};
use crate::text::{self, SafeText};
use crate::worker::{Report, Request};

/// The longest name typed into a dialog.
const MAX_NAME: usize = crate::plivo::MAX_FIELD_CHARS;

/// One subaccount as the screen keeps it: its text made safe on arrival,
/// the raw values the API wants back, and the token for the clipboard.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its id, as sent back to the API.
    pub id: String,
    /// Its name as the API has it (sent back on enable/disable).
    pub name: String,
    /// The name, drawable.
    pub shown_name: SafeText,
    /// The id, drawable.
    pub shown_id: SafeText,
    /// Whether it may be used.
    pub enabled: bool,
    /// When it was created.
    pub created: SafeText,
    /// When it was last changed, or empty.
    pub modified: SafeText,
    /// What the filter matches: name and id, lowercased once.
    key: String,
    token: SecretString,
}

impl Row {
    fn new(sub: &Subaccount) -> Self {
        Self {
            id: sub.auth_id.clone(),
            name: sub.name.clone(),
            shown_name: SafeText::new(&sub.name),
            shown_id: SafeText::new(&sub.auth_id),
            enabled: sub.enabled,
            created: SafeText::new(&sub.created),
            modified: SafeText::new(sub.modified.as_deref().unwrap_or("")),
            key: text::searchable(&format!("{} {}", sub.name, sub.auth_id)),
            token: sub.auth_token.clone(),
        }
    }
}

/// A dialog over the table.
#[derive(Debug, Clone)]
pub enum Dialog {
    /// A new subaccount: its name, and whether it starts enabled.
    Create {
        /// The name typed.
        name: LineInput,
        /// Enabled from the start.
        enabled: bool,
    },
    /// A new name for one.
    Rename {
        /// Its id.
        id: String,
        /// The name typed.
        name: LineInput,
    },
    /// Deleting one: its name must be typed; cascade is its own choice.
    Delete {
        /// Its id.
        id: String,
        /// Its name, to type.
        name: String,
        /// What has been typed.
        typed: LineInput,
        /// Delete its numbers, endpoints and applications too.
        cascade: bool,
    },
}

impl Dialog {
    fn input(&mut self) -> &mut LineInput {
        match self {
            Dialog::Create { name, .. } | Dialog::Rename { name, .. } => name,
            Dialog::Delete { typed, .. } => typed,
        }
    }
}

/// The screen's state.
#[derive(Debug, Clone, Default)]
pub struct SubaccountsScreen {
    /// Every subaccount listed so far, newest first.
    pub rows: Vec<Row>,
    /// How many the server says there are, once a page has come.
    pub total: Option<u32>,
    /// Pages are still coming.
    pub loading: bool,
    /// The last failure, shown until the next success.
    pub error: Option<ApiError>,
    /// How the last list disagreed with the server's count, shown until the
    /// next list.
    pub disagreement: Option<Disagreement>,
    /// The selected row, among those the filter shows, and the rows in
    /// view.
    pub table: Table,
    /// What the rows are filtered by.
    pub filter: LineInput,
    /// The filter is being typed.
    pub filtering: bool,
    /// The dialog open, if any.
    pub dialog: Option<Dialog>,
    /// The dialog's request is with the worker: it closes when that works
    /// and stays, with what was typed, when it fails.
    pub sending: bool,
}

impl SubaccountsScreen {
    /// A screen about to list, and the request that lists.
    pub fn open() -> (Self, Request) {
        (
            Self {
                loading: true,
                ..Self::default()
            },
            Request::ListSubaccounts,
        )
    }

    /// The rows the filter lets through, in order.
    pub fn visible(&self) -> Vec<&Row> {
        let needle = text::searchable(self.filter.text().trim());
        self.rows
            .iter()
            .filter(|r| needle.is_empty() || r.key.contains(&needle))
            .collect()
    }

    fn selected_row(&self) -> Option<&Row> {
        self.visible().get(self.table.selected).copied()
    }

    /// How many rows are in view when the screen is drawn in `body`.
    fn rows_in_view(&self, keymap: &Keymap, body: Rect) -> usize {
        usize::from(view::rows_area(self, keymap, body).height)
    }

    /// The terminal was resized: the selection stays in view of `body`.
    pub(super) fn resized(&mut self, keymap: &Keymap, body: Rect) {
        let rows = self.rows_in_view(keymap, body);
        self.table.keep_in_view(self.visible().len(), rows);
    }

    pub(super) fn contexts(&self) -> Vec<Context> {
        if self.dialog.is_some() {
            vec![Context::Dialog, Context::Editing]
        } else if self.filtering {
            vec![Context::RowFilter, Context::Editing]
        } else {
            vec![Context::Rows]
        }
    }

    /// A click on a row selects it (not while a dialog or the filter
    /// is open); whether it did.
    pub(super) fn click(&mut self, keymap: &Keymap, body: Rect, at: Position) -> bool {
        if self.dialog.is_some() || self.filtering {
            return false;
        }
        let rows = view::rows_area(self, keymap, body);
        if !rows.contains(at) {
            return false;
        }
        let count = self.visible().len();
        self.table
            .click(usize::from(at.y - rows.y), count, usize::from(rows.height))
    }

    pub(super) fn act(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        if self.dialog.is_some() {
            return self.dialog_act(action, ctx);
        }
        let count = self.visible().len();
        let rows = self.rows_in_view(ctx.keymap, ctx.body);
        let (filter, filtering) = (&mut self.filter, &mut self.filtering);
        if super::table_key(action, filter, filtering, &mut self.table, count, rows) {
            return Outcome::redraw();
        }
        match action {
            Action::Filter => self.filtering = true,
            Action::Refresh if !self.loading => {
                self.loading = true;
                return Outcome::request(Request::ListSubaccounts);
            }
            Action::Create => {
                self.dialog = Some(Dialog::Create {
                    name: LineInput::default(),
                    enabled: false,
                });
            }
            Action::Rename => {
                if let Some(row) = self.selected_row() {
                    self.dialog = Some(Dialog::Rename {
                        id: row.id.clone(),
                        name: LineInput::new(&row.name),
                    });
                }
            }
            Action::Toggle => {
                if let Some(row) = self.selected_row() {
                    let change = SubaccountChange {
                        name: row.name.clone(),
                        enabled: !row.enabled,
                    };
                    *ctx.notice = Some(Notice::info(format!(
                        "{} {}…",
                        if change.enabled {
                            "Enabling"
                        } else {
                            "Disabling"
                        },
                        row.shown_name
                    )));
                    return Outcome::request(Request::UpdateSubaccount {
                        id: row.id.clone(),
                        change,
                    });
                }
            }
            Action::DeleteRow => {
                if let Some(row) = self.selected_row() {
                    self.dialog = Some(Dialog::Delete {
                        id: row.id.clone(),
                        name: row.name.clone(),
                        typed: LineInput::default(),
                        cascade: false,
                    });
                }
            }
            Action::CopyToken => {
                if let Some(row) = self.selected_row() {
                    *ctx.notice = Some(Notice::success(format!(
                        "Copied the token of {} to the clipboard (OSC 52; it is not shown)",
                        row.shown_name
                    )));
                    return Outcome {
                        clipboard: Some(row.token.clone().into()),
                        ..Outcome::redraw()
                    };
                }
            }
            _ => {}
        }
        Outcome::redraw()
    }

    fn dialog_act(&mut self, action: Action, ctx: &mut Ctx) -> Outcome {
        let Some(dialog) = &mut self.dialog else {
            return Outcome::default();
        };
        match action {
            Action::Cancel => {
                self.dialog = None;
                self.sending = false;
            }
            // Once sent, the dialog waits for the answer.
            _ if self.sending => {}
            Action::Option => match dialog {
                Dialog::Create { enabled, .. } => *enabled = !*enabled,
                Dialog::Delete { cascade, .. } => *cascade = !*cascade,
                Dialog::Rename { .. } => {}
            },
            Action::Confirm => return self.confirm(ctx),
            editing => {
                if dialog.input().apply(editing) == Edit::Changed
                    && dialog.input().chars() > MAX_NAME
                {
                    dialog.input().apply(Action::Undo);
                }
            }
        }
        Outcome::redraw()
    }

    fn confirm(&mut self, ctx: &mut Ctx) -> Outcome {
        // Sent once: the dialog says so until the worker answers.
        if self.sending {
            return Outcome::default();
        }
        let Some(dialog) = self.dialog.clone() else {
            return Outcome::default();
        };
        let (request, doing) = match &dialog {
            Dialog::Create { name, enabled } => {
                let name = name.text().trim().to_owned();
                if let Some(problem) = crate::plivo::name_problem(&name) {
                    *ctx.notice = Some(Notice::error(format!("Name is {problem}")));
                    return Outcome::redraw();
                }
                let doing = format!("Creating {}…", SafeText::new(&name));
                (
                    Request::CreateSubaccount(SubaccountChange {
                        name,
                        enabled: *enabled,
                    }),
                    doing,
                )
            }
            Dialog::Rename { id, name } => {
                let name = name.text().trim().to_owned();
                let enabled = self
                    .rows
                    .iter()
                    .find(|r| &r.id == id)
                    .is_some_and(|r| r.enabled);
                if let Some(problem) = crate::plivo::name_problem(&name) {
                    *ctx.notice = Some(Notice::error(format!("Name is {problem}")));
                    return Outcome::redraw();
                }
                let doing = format!("Renaming to {}…", SafeText::new(&name));
                (
                    Request::UpdateSubaccount {
                        id: id.clone(),
                        change: SubaccountChange { name, enabled },
                    },
                    doing,
                )
            }
            Dialog::Delete {
                id,
                name,
                typed,
                cascade,
            } => {
                // A name cut short on screen can still be confirmed: by the
                // auth id, which is shown whole.
                if !text::names_match(typed.text(), name)
                    && !typed.text().trim().eq_ignore_ascii_case(id)
                {
                    *ctx.notice = Some(Notice::error(
                        "Type the subaccount's name, or its auth id, to delete it",
                    ));
                    return Outcome::redraw();
                }
                (
                    Request::DeleteSubaccount {
                        id: id.clone(),
                        cascade: *cascade,
                    },
                    format!("Deleting {}…", SafeText::new(name)),
                )
            }
        };
        *ctx.notice = Some(Notice::info(doing));
        self.sending = true;
        Outcome::request(request)
    }

    pub(super) fn type_char(&mut self, c: char) -> Option<Notice> {
        let input = match (&mut self.dialog, self.filtering) {
            (Some(dialog), _) => dialog.input(),
            (None, true) => &mut self.filter,
            (None, false) => return None,
        };
        if input.chars() >= MAX_NAME {
            return Some(Notice::error(format!(
                "At most {MAX_NAME} characters: the rest was not taken"
            )));
        }
        input.type_char(c);
        if self.filtering {
            self.table = Table::default();
        }
        None
    }

    pub(super) fn paste(&mut self, pasted: &str) -> Option<Notice> {
        let mut cut = false;
        for c in text::pasted(pasted) {
            if self.type_char(c).is_some() {
                cut = true;
                break;
            }
        }
        cut.then(|| {
            Notice::error(format!(
                "At most {MAX_NAME} characters: the rest was not taken"
            ))
        })
    }

    /// What the worker said about subaccounts.
    pub fn report(&mut self, report: &Report, notice: &mut Option<Notice>) {
        match report {
            Report::SubaccountsPage {
                offset,
                total,
                subaccounts,
            } => {
                if *offset == 0 {
                    self.rows.clear();
                    self.disagreement = None;
                }
                self.rows.extend(subaccounts.iter().map(Row::new));
                self.total = Some(*total);
                self.error = None;
            }
            Report::SubaccountsListed { disagreement } => {
                self.loading = false;
                self.disagreement.clone_from(disagreement);
                self.total = u32::try_from(self.rows.len()).ok().or(self.total);
            }
            Report::SubaccountChanged {
                subaccount,
                created,
            } => {
                let row = Row::new(subaccount);
                let shown = row.shown_name.clone();
                let said = match self.rows.iter().position(|r| r.id == row.id) {
                    Some(at) => {
                        let before = std::mem::replace(&mut self.rows[at], row);
                        let now = &self.rows[at];
                        if before.name != now.name {
                            format!("Renamed {} to {shown}", before.shown_name)
                        } else if before.enabled != now.enabled {
                            let state = if now.enabled { "Enabled" } else { "Disabled" };
                            format!("{state} {shown}")
                        } else {
                            format!("Saved {shown}")
                        }
                    }
                    None => {
                        self.rows.insert(0, row);
                        self.total = self.total.map(|t| t.saturating_add(1));
                        if *created {
                            format!("Created {shown}")
                        } else {
                            format!("Saved {shown}")
                        }
                    }
                };
                *notice = Some(Notice::success(said));
                self.close_sent_dialog();
                self.error = None;
            }
            Report::SubaccountDeleted { id } => {
                if let Some(at) = self.rows.iter().position(|r| &r.id == id) {
                    let row = self.rows.remove(at);
                    *notice = Some(Notice::success(format!("Deleted {}", row.shown_name)));
                    self.total = self.total.map(|t| t.saturating_sub(1));
                }
                self.close_sent_dialog();
                self.table.selected = self
                    .table
                    .selected
                    .min(self.visible().len().saturating_sub(1));
            }
            Report::Failed { error, .. } => {
                self.loading = false;
                // What failed, when it was the dialog's request.
                let what = match (&self.dialog, self.sending) {
                    (Some(Dialog::Create { .. }), true) => "Create failed",
                    (Some(Dialog::Rename { .. }), true) => "Rename failed",
                    (Some(Dialog::Delete { .. }), true) => "Delete failed",
                    _ => "Subaccounts",
                };
                // The dialog stays open with what was typed.
                self.sending = false;
                self.error = Some(error.clone());
                *notice = Some(Notice::error(match error {
                    ApiError::NotFound { .. } => {
                        "That subaccount is gone (deleted elsewhere?): r reloads the list"
                            .to_owned()
                    }
                    error => format!("{what}: {error}"),
                }));
            }
            _ => {}
        }
    }

    fn close_sent_dialog(&mut self) {
        if self.sending {
            self.dialog = None;
            self.sending = false;
        }
    }

    pub(super) fn unsaved(&self) -> Vec<&'static str> {
        match &self.dialog {
            Some(Dialog::Create { name, .. }) if !name.text().trim().is_empty() => {
                vec!["a new subaccount's name"]
            }
            Some(Dialog::Rename { .. }) => vec!["a subaccount's new name"],
            _ => Vec::new(),
        }
    }
}
