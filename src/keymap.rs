//! Every key the dashboard knows, in one table: what each does ([`Action`]),
//! where it works ([`Context`]), the keys bound to it, its footer hint and
//! its line of help. Key handling, the footer, the help overlay and the
//! key table in docs/keys.md all read it; the config file's `[keys]` table rebinds
//! it. Pure: no I/O.

use std::collections::BTreeMap;
use std::fmt;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Quit from anywhere; asks first if there are unsaved edits, and a
    /// second press insists.
    Interrupt,
    /// Quit (outside the form); asks first if there are unsaved edits.
    Quit,
    /// Open (or close) the help.
    Help,
    /// Fetch the account now.
    Refresh,
    /// Pause or resume polling.
    Pause,
    /// Poll less often.
    Slower,
    /// Poll more often.
    Faster,
    /// Turn mouse capture off or on.
    Mouse,
    /// Enter the form at its first field.
    Edit,
    /// Enter the form at its last field.
    EditLast,
    /// Next field.
    NextField,
    /// Previous field.
    PrevField,
    /// Next field, or pick the highlighted time zone.
    Advance,
    /// Leave the form.
    LeaveForm,
    /// Review the changes, then send them.
    Save,
    /// Put the field back to the server's value.
    Revert,
    /// Highlight the next time zone suggestion.
    ChooseNext,
    /// Highlight the previous time zone suggestion.
    ChoosePrev,
    /// Take the highlighted time zone.
    Pick,
    /// Close the help.
    Close,
    /// Send the reviewed changes.
    Confirm,
    /// Back to editing.
    Cancel,
    /// Scroll a long list of changes down.
    ScrollDown,
    /// Scroll it up.
    ScrollUp,
    /// Quit without saving.
    Yes,
    /// Stay.
    No,
    /// Cursor one character left.
    Left,
    /// Cursor one character right.
    Right,
    /// Cursor to the start of the word.
    WordLeft,
    /// Cursor to the end of the word.
    WordRight,
    /// Cursor to the start of the field.
    Home,
    /// Cursor to the end of the field.
    End,
    /// Delete the character before the cursor.
    Backspace,
    /// Delete the character under the cursor.
    Delete,
    /// Delete the word before the cursor (kept for `Yank`).
    DeleteWordBack,
    /// Delete the word after the cursor (kept for `Yank`).
    DeleteWordForward,
    /// Delete to the end of the field (kept for `Yank`).
    KillToEnd,
    /// Delete to the start of the field (kept for `Yank`).
    KillToStart,
    /// Put back what was last deleted by word or to an end.
    Yank,
    /// Undo the last edit in the field.
    Undo,
    /// Open the subaccounts screen.
    Subaccounts,
    /// Back to the screen before.
    Back,
    /// Select the row above.
    RowUp,
    /// Select the row below.
    RowDown,
    /// A page of rows up.
    PageUp,
    /// A page of rows down.
    PageDown,
    /// The first row.
    FirstRow,
    /// The last row.
    LastRow,
    /// Filter the rows by what is typed.
    Filter,
    /// Create a subaccount.
    Create,
    /// Rename the selected subaccount.
    Rename,
    /// Enable or disable the selected subaccount.
    Toggle,
    /// Delete the selected subaccount (asks for its name).
    DeleteRow,
    /// Copy the selected subaccount's token to the clipboard.
    CopyToken,
    /// Flip a dialog's option (enabled, cascade).
    Option,
    /// The chart's next range (1 h, 24 h, all kept).
    ChartRange,
    /// Back to the table of every account (the fleet screen).
    Fleet,
    /// Open the selected account's dashboard.
    Open,
    /// Sort the accounts another way (runway, balance, name).
    Sort,
    /// The welcome screen: open the demo instead of logging in.
    Demo,
    /// Open the usage screen: where the money goes.
    Usage,
    /// The usage screen's next window (last hour, 24 h, month to date).
    Window,
    /// The usage screen's next table (product, subaccount, country,
    /// number).
    NextTable,
    /// Its table before.
    PrevTable,
    /// Narrow the usage screen to the selected subaccount or country.
    Narrow,
}

/// Where a set of keys works. Several are active at once (see
/// [`Keymap::action`]): the first that binds a key wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Everywhere.
    Global,
    /// The dashboard, outside the form.
    Dashboard,
    /// Inside a field of the form.
    Form,
    /// Inside the timezone field while it offers zones (before `Form`).
    Suggestions,
    /// Editing the text of a field (after `Form`); any other printable
    /// character is typed.
    Editing,
    /// The help overlay.
    Help,
    /// The save confirmation.
    ConfirmSave,
    /// The quit question.
    ConfirmQuit,
    /// The subaccounts table.
    Rows,
    /// Typing a filter for the rows (before `Editing`).
    RowFilter,
    /// A dialog that takes a name: create, rename, delete (before
    /// `Editing`).
    Dialog,
    /// The fleet screen: every account in a table.
    Fleet,
    /// The welcome screen, on a first run with no account set up (before
    /// `Editing`).
    Welcome,
    /// The usage screen's tables.
    Usage,
}

/// One key: a code and the modifiers that matter (Ctrl, Alt; Shift only
/// where it is not already in the character, as in Shift-Tab).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
    /// Shift, on a key whose code does not already carry it (Shift-↑,
    /// Shift-F2; not 'A' or Shift-Tab).
    shift: bool,
}

/// `KeyCode` with an order, so keys can live in sorted maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(Named),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Named {
    Enter,
    Esc,
    Tab,
    BackTab,
    Backspace,
    Delete,
    Insert,
    Up,
    Down,
    Left,
    Right,
    Home,
    End,
    PageUp,
    PageDown,
}

const NAMES: &[(&str, Named)] = &[
    ("enter", Named::Enter),
    ("return", Named::Enter),
    ("esc", Named::Esc),
    ("escape", Named::Esc),
    ("tab", Named::Tab),
    ("backtab", Named::BackTab),
    ("backspace", Named::Backspace),
    ("delete", Named::Delete),
    ("del", Named::Delete),
    ("insert", Named::Insert),
    ("up", Named::Up),
    ("down", Named::Down),
    ("left", Named::Left),
    ("right", Named::Right),
    ("home", Named::Home),
    ("end", Named::End),
    ("pageup", Named::PageUp),
    ("pgup", Named::PageUp),
    ("pagedown", Named::PageDown),
    ("pgdn", Named::PageDown),
];

impl Key {
    /// The key a terminal event stands for.
    pub(crate) fn from_event(event: &KeyEvent) -> Option<Self> {
        let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
        let alt = event.modifiers.contains(KeyModifiers::ALT);
        let code = match event.code {
            // A terminal sends Ctrl-_ (and Ctrl-/) as the byte 0x1F,
            // which reads back as Ctrl-7.
            KeyCode::Char('7') if ctrl => KeyCodeOrd::Char('_'),
            // Shift is already in the character ('A', '?').
            KeyCode::Char(c) if ctrl => KeyCodeOrd::Char(c.to_ascii_lowercase()),
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            KeyCode::Enter => KeyCodeOrd::Named(Named::Enter),
            KeyCode::Esc => KeyCodeOrd::Named(Named::Esc),
            KeyCode::Tab if event.modifiers.contains(KeyModifiers::SHIFT) => {
                KeyCodeOrd::Named(Named::BackTab)
            }
            KeyCode::Tab => KeyCodeOrd::Named(Named::Tab),
            KeyCode::BackTab => KeyCodeOrd::Named(Named::BackTab),
            KeyCode::Backspace => KeyCodeOrd::Named(Named::Backspace),
            KeyCode::Delete => KeyCodeOrd::Named(Named::Delete),
            KeyCode::Insert => KeyCodeOrd::Named(Named::Insert),
            KeyCode::Up => KeyCodeOrd::Named(Named::Up),
            KeyCode::Down => KeyCodeOrd::Named(Named::Down),
            KeyCode::Left => KeyCodeOrd::Named(Named::Left),
            KeyCode::Right => KeyCodeOrd::Named(Named::Right),
            KeyCode::Home => KeyCodeOrd::Named(Named::Home),
            KeyCode::End => KeyCodeOrd::Named(Named::End),
            KeyCode::PageUp => KeyCodeOrd::Named(Named::PageUp),
            KeyCode::PageDown => KeyCodeOrd::Named(Named::PageDown),
            _ => return None,
        };
        let shift = event.modifiers.contains(KeyModifiers::SHIFT)
            && !matches!(
                code,
                KeyCodeOrd::Char(_) | KeyCodeOrd::Named(Named::BackTab)
            );
        Some(Self {
            code,
            ctrl,
            alt,
            shift,
        })
    }

    /// Whether this key, in a field, would type a character.
    fn types_text(self) -> bool {
        matches!(self.code, KeyCodeOrd::Char(_)) && !self.ctrl && !self.alt
    }
}

impl std::str::FromStr for Key {
    type Err = String;

    /// `x`, `?`, `F5`, `ctrl-s`, `alt-b`, `shift-tab`, `esc`, `pgdn`,
    /// `space`: case does not matter in names and modifiers.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "{s:?} is not a key: write a character (x, ?), a name (enter, esc, tab, up, \
                 pgdn, f5, space …), optionally after ctrl-, alt- or shift-"
            )
        };
        let mut rest = s.trim();
        let (mut ctrl, mut alt, mut shift) = (false, false, false);
        loop {
            let lower = rest.to_ascii_lowercase();
            let prefix = ["ctrl-", "control-", "alt-", "shift-"]
                .into_iter()
                .find(|p| lower.starts_with(p) && rest.len() > p.len());
            match prefix {
                Some(p) => {
                    match p {
                        "alt-" => alt = true,
                        "shift-" => shift = true,
                        _ => ctrl = true,
                    }
                    rest = &rest[p.len()..];
                }
                None => break,
            }
        }
        let lower = rest.to_ascii_lowercase();
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            // A key must be something a keyboard sends and a person can
            // see in the help: no control, invisible or combining mark.
            (Some(c), None)
                if !c.is_whitespace()
                    && !crate::text::is_unsafe(c)
                    && unicode_width::UnicodeWidthChar::width(c).is_some_and(|w| w > 0) =>
            {
                let c = if ctrl { c.to_ascii_lowercase() } else { c };
                KeyCodeOrd::Char(if shift && !ctrl {
                    c.to_ascii_uppercase()
                } else {
                    c
                })
            }
            _ if lower == "space" => KeyCodeOrd::Char(' '),
            _ if lower.starts_with('f')
                && lower[1..]
                    .parse::<u8>()
                    .is_ok_and(|n| (1..=24).contains(&n)) =>
            {
                KeyCodeOrd::F(lower[1..].parse().map_err(|_| bad())?)
            }
            _ => {
                let named = NAMES
                    .iter()
                    .find(|(name, _)| *name == lower)
                    .map(|(_, n)| *n)
                    .ok_or_else(bad)?;
                if shift && named == Named::Tab {
                    shift = false;
                    KeyCodeOrd::Named(Named::BackTab)
                } else {
                    KeyCodeOrd::Named(named)
                }
            }
        };
        // A terminal sends Ctrl-I as Tab, Ctrl-M as Enter, Ctrl-[ as Esc
        // and Ctrl-H as Backspace: bound, they are those keys (and clash
        // with them where they are taken).
        let (code, ctrl) = match (code, ctrl, alt) {
            (KeyCodeOrd::Char('i'), true, false) => (KeyCodeOrd::Named(Named::Tab), false),
            (KeyCodeOrd::Char('m'), true, false) => (KeyCodeOrd::Named(Named::Enter), false),
            (KeyCodeOrd::Char('['), true, false) => (KeyCodeOrd::Named(Named::Esc), false),
            (KeyCodeOrd::Char('h'), true, false) => (KeyCodeOrd::Named(Named::Backspace), false),
            other => (other.0, other.1),
        };
        let shift = shift && !matches!(code, KeyCodeOrd::Char(_));
        Ok(Self {
            code,
            ctrl,
            alt,
            shift,
        })
    }
}

impl fmt::Display for Key {
    /// As the footer and help show it: `Ctrl-S`, `Shift-Tab`, `↓`, `x`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("Ctrl-")?;
        }
        if self.alt {
            f.write_str("Alt-")?;
        }
        if self.shift {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCodeOrd::Char(' ') => f.write_str("Space"),
            KeyCodeOrd::Char(c) if self.ctrl || self.alt => write!(f, "{}", c.to_ascii_uppercase()),
            KeyCodeOrd::Char(c) => write!(f, "{c}"),
            KeyCodeOrd::F(n) => write!(f, "F{n}"),
            KeyCodeOrd::Named(named) => f.write_str(match named {
                Named::Enter => "Enter",
                Named::Esc => "Esc",
                Named::Tab => "Tab",
                Named::BackTab => "Shift-Tab",
                Named::Backspace => "Backspace",
                Named::Delete => "Delete",
                Named::Insert => "Insert",
                Named::Up => "↑",
                Named::Down => "↓",
                Named::Left => "←",
                Named::Right => "→",
                Named::Home => "Home",
                Named::End => "End",
                Named::PageUp => "PgUp",
                Named::PageDown => "PgDn",
            }),
        }
    }
}

/// One row of the table: an action, where it works, its default keys, and
/// how it is described.
struct Entry {
    action: Action,
    name: &'static str,
    contexts: &'static [Context],
    keys: &'static [&'static str],
    help: &'static str,
}

use Action as A;
use Context as C;

/// The table. Its order is the help's order, grouped as the user meets the
/// keys.
const TABLE: &[Entry] = &[
    Entry {
        action: A::Edit,
        name: "edit",
        contexts: &[C::Dashboard],
        keys: &["tab", "down"],
        help: "enter the form at its first field",
    },
    Entry {
        action: A::EditLast,
        name: "edit_last",
        contexts: &[C::Dashboard],
        keys: &["shift-tab", "up"],
        help: "enter the form at its last field",
    },
    Entry {
        action: A::NextField,
        name: "next_field",
        contexts: &[C::Form, C::Welcome],
        keys: &["tab", "down"],
        help: "next field",
    },
    Entry {
        action: A::PrevField,
        name: "prev_field",
        contexts: &[C::Form, C::Welcome],
        keys: &["shift-tab", "up"],
        help: "previous field",
    },
    Entry {
        action: A::Advance,
        name: "advance",
        contexts: &[C::Form],
        keys: &["enter"],
        help: "next field",
    },
    Entry {
        action: A::LeaveForm,
        name: "leave_form",
        contexts: &[C::Form],
        keys: &["esc"],
        help: "leave the form",
    },
    Entry {
        action: A::ChooseNext,
        name: "choose_next",
        contexts: &[C::Suggestions],
        keys: &["down"],
        help: "in the timezone field, highlight the next matching zone",
    },
    Entry {
        action: A::ChoosePrev,
        name: "choose_prev",
        contexts: &[C::Suggestions],
        keys: &["up"],
        help: "highlight the previous zone",
    },
    Entry {
        action: A::Pick,
        name: "pick",
        contexts: &[C::Suggestions],
        keys: &["enter"],
        help: "take the highlighted zone",
    },
    Entry {
        action: A::Save,
        name: "save",
        contexts: &[C::Dashboard, C::Form],
        keys: &["ctrl-s"],
        help: "save: review the changes, then confirm",
    },
    Entry {
        action: A::Revert,
        name: "revert",
        contexts: &[C::Form],
        keys: &["ctrl-r"],
        help: "revert the field to the server's value",
    },
    Entry {
        action: A::Left,
        name: "left",
        contexts: &[C::Editing],
        keys: &["left", "ctrl-b"],
        help: "cursor left (a character as you see it)",
    },
    Entry {
        action: A::Right,
        name: "right",
        contexts: &[C::Editing],
        keys: &["right", "ctrl-f"],
        help: "cursor right",
    },
    Entry {
        action: A::WordLeft,
        name: "word_left",
        contexts: &[C::Editing],
        keys: &["ctrl-left", "alt-b"],
        help: "cursor to the word before",
    },
    Entry {
        action: A::WordRight,
        name: "word_right",
        contexts: &[C::Editing],
        keys: &["ctrl-right", "alt-f"],
        help: "cursor past the word after",
    },
    Entry {
        action: A::Home,
        name: "home",
        contexts: &[C::Editing],
        keys: &["home", "ctrl-a"],
        help: "cursor to the start",
    },
    Entry {
        action: A::End,
        name: "end",
        contexts: &[C::Editing],
        keys: &["end", "ctrl-e"],
        help: "cursor to the end",
    },
    Entry {
        action: A::Backspace,
        name: "backspace",
        contexts: &[C::Editing],
        keys: &["backspace"],
        help: "delete the character before the cursor",
    },
    Entry {
        action: A::Delete,
        name: "delete",
        contexts: &[C::Editing],
        keys: &["delete", "ctrl-d"],
        help: "delete the character under the cursor",
    },
    Entry {
        action: A::DeleteWordBack,
        name: "delete_word_back",
        contexts: &[C::Editing],
        keys: &["ctrl-w", "alt-backspace"],
        help: "delete the word before the cursor",
    },
    Entry {
        action: A::DeleteWordForward,
        name: "delete_word_forward",
        contexts: &[C::Editing],
        keys: &["alt-d", "ctrl-delete"],
        help: "delete the word after the cursor",
    },
    Entry {
        action: A::KillToEnd,
        name: "kill_to_end",
        contexts: &[C::Editing],
        keys: &["ctrl-k"],
        help: "delete to the end of the field",
    },
    Entry {
        action: A::KillToStart,
        name: "kill_to_start",
        contexts: &[C::Editing],
        keys: &["ctrl-u"],
        help: "delete to the start of the field",
    },
    Entry {
        action: A::Yank,
        name: "yank",
        contexts: &[C::Editing],
        keys: &["ctrl-y"],
        help: "paste back what was deleted by word or to an end",
    },
    Entry {
        action: A::Undo,
        name: "undo",
        contexts: &[C::Editing],
        keys: &["ctrl-_", "ctrl-z"],
        help: "undo the last edit in the field",
    },
    Entry {
        action: A::Refresh,
        name: "refresh",
        contexts: &[C::Dashboard, C::Rows, C::Fleet, C::Usage],
        keys: &["r"],
        help: "refresh now (outside the form)",
    },
    Entry {
        action: A::Pause,
        name: "pause",
        contexts: &[C::Dashboard],
        keys: &["p"],
        help: "pause / resume polling",
    },
    Entry {
        action: A::Slower,
        name: "slower",
        contexts: &[C::Dashboard],
        keys: &["+", "="],
        help: "poll less often",
    },
    Entry {
        action: A::Faster,
        name: "faster",
        contexts: &[C::Dashboard],
        keys: &["-", "_"],
        help: "poll more often",
    },
    Entry {
        action: A::Mouse,
        name: "mouse",
        contexts: &[C::Dashboard, C::Rows, C::Fleet, C::Usage],
        keys: &["m"],
        help: "mouse on / off (off lets the terminal select text)",
    },
    Entry {
        action: A::ChartRange,
        name: "chart_range",
        contexts: &[C::Dashboard],
        keys: &["v"],
        help: "the chart's range: 1 h, 24 h, all kept (7 d by default)",
    },
    Entry {
        action: A::Subaccounts,
        name: "subaccounts",
        contexts: &[C::Dashboard],
        keys: &["s"],
        help: "the subaccounts screen",
    },
    Entry {
        action: A::Fleet,
        name: "fleet",
        contexts: &[C::Dashboard, C::Rows, C::Usage],
        keys: &["a"],
        help: "all accounts: the fleet screen (with several profiles)",
    },
    Entry {
        action: A::Open,
        name: "open",
        contexts: &[C::Fleet],
        keys: &["enter"],
        help: "fleet: open the selected account's dashboard",
    },
    Entry {
        action: A::Demo,
        name: "demo",
        contexts: &[C::Welcome],
        keys: &["f2"],
        help: "welcome screen: open the demo instead",
    },
    Entry {
        action: A::Sort,
        name: "sort",
        contexts: &[C::Fleet, C::Usage],
        keys: &["o"],
        help: "sort by runway (shortest first), balance or name",
    },
    Entry {
        action: A::Usage,
        name: "usage",
        contexts: &[C::Dashboard, C::Fleet],
        keys: &["u"],
        help: "the usage screen: where the money goes",
    },
    Entry {
        action: A::Window,
        name: "window",
        contexts: &[C::Usage],
        keys: &["w"],
        help: "usage: the window (last hour, 24 h, month to date)",
    },
    Entry {
        action: A::NextTable,
        name: "next_table",
        contexts: &[C::Usage],
        keys: &["tab", "right"],
        help: "usage: the next table (product, subaccount, country, number)",
    },
    Entry {
        action: A::PrevTable,
        name: "prev_table",
        contexts: &[C::Usage],
        keys: &["shift-tab", "left"],
        help: "usage: the table before",
    },
    Entry {
        action: A::Narrow,
        name: "narrow",
        contexts: &[C::Usage],
        keys: &["enter"],
        help: "usage: narrow the others to the selected subaccount or country",
    },
    Entry {
        action: A::RowDown,
        name: "row_down",
        contexts: &[C::Rows, C::Fleet, C::Usage],
        keys: &["down", "j"],
        help: "tables (subaccounts, fleet): the row below",
    },
    Entry {
        action: A::RowUp,
        name: "row_up",
        contexts: &[C::Rows, C::Fleet, C::Usage],
        keys: &["up", "k"],
        help: "the row above",
    },
    Entry {
        action: A::PageDown,
        name: "page_down",
        contexts: &[C::Rows, C::ConfirmSave, C::Help, C::Fleet, C::Usage],
        keys: &["pgdn"],
        help: "a page down",
    },
    Entry {
        action: A::PageUp,
        name: "page_up",
        contexts: &[C::Rows, C::ConfirmSave, C::Help, C::Fleet, C::Usage],
        keys: &["pgup"],
        help: "a page up",
    },
    Entry {
        action: A::FirstRow,
        name: "first_row",
        contexts: &[C::Rows, C::Fleet, C::Usage],
        keys: &["home", "g"],
        help: "the first row",
    },
    Entry {
        action: A::LastRow,
        name: "last_row",
        contexts: &[C::Rows, C::Fleet, C::Usage],
        keys: &["end", "G"],
        help: "the last row",
    },
    Entry {
        action: A::Filter,
        name: "filter",
        contexts: &[C::Rows, C::Fleet, C::Usage],
        keys: &["/"],
        help: "filter by name or id as you type (Enter keeps it, Esc clears)",
    },
    Entry {
        action: A::Create,
        name: "create",
        contexts: &[C::Rows],
        keys: &["n"],
        help: "create a subaccount",
    },
    Entry {
        action: A::Rename,
        name: "rename",
        contexts: &[C::Rows],
        keys: &["e"],
        help: "rename the selected one",
    },
    Entry {
        action: A::Toggle,
        name: "toggle",
        contexts: &[C::Rows],
        keys: &["t"],
        help: "enable or disable it",
    },
    Entry {
        action: A::DeleteRow,
        name: "delete_row",
        contexts: &[C::Rows],
        keys: &["d"],
        help: "delete it (type its name or auth id to confirm)",
    },
    Entry {
        action: A::CopyToken,
        name: "copy_token",
        contexts: &[C::Rows],
        keys: &["c"],
        help: "copy its token to the clipboard (OSC 52; never drawn)",
    },
    Entry {
        action: A::Option,
        name: "option",
        contexts: &[C::Dialog],
        keys: &["tab"],
        help: "in a dialog, flip enabled (create) or cascade (delete)",
    },
    Entry {
        action: A::Back,
        name: "back",
        contexts: &[C::Rows, C::Fleet, C::Usage],
        keys: &["esc", "b"],
        help: "clear a filter that was kept, else back to the account",
    },
    Entry {
        action: A::Help,
        name: "help",
        contexts: &[C::Dashboard, C::Rows, C::Fleet, C::Usage],
        keys: &["?"],
        help: "this help (outside the form)",
    },
    Entry {
        action: A::Quit,
        name: "quit",
        contexts: &[C::Dashboard, C::Rows, C::Fleet, C::Usage],
        keys: &["q"],
        help: "quit (outside the form; asks if unsaved)",
    },
    Entry {
        action: A::Interrupt,
        name: "interrupt",
        contexts: &[C::Global],
        keys: &["ctrl-c"],
        help: "quit from anywhere (asks if unsaved; again insists)",
    },
    Entry {
        action: A::Close,
        name: "close",
        contexts: &[C::Help],
        keys: &["esc", "?", "q", "enter"],
        help: "close the help",
    },
    Entry {
        action: A::Confirm,
        name: "confirm",
        contexts: &[C::ConfirmSave, C::Dialog, C::RowFilter, C::Welcome],
        keys: &["enter"],
        help: "send the reviewed changes",
    },
    Entry {
        action: A::Cancel,
        name: "cancel",
        contexts: &[C::ConfirmSave, C::Dialog, C::RowFilter, C::Welcome],
        keys: &["esc"],
        help: "back to editing",
    },
    Entry {
        action: A::ScrollDown,
        name: "scroll_down",
        contexts: &[C::ConfirmSave, C::Help],
        keys: &["down"],
        help: "scroll a long list (changes, this help) down",
    },
    Entry {
        action: A::ScrollUp,
        name: "scroll_up",
        contexts: &[C::ConfirmSave, C::Help],
        keys: &["up"],
        help: "scroll it back up",
    },
    Entry {
        action: A::Yes,
        name: "yes",
        contexts: &[C::ConfirmQuit],
        keys: &["y", "Y"],
        help: "quit without saving",
    },
    Entry {
        action: A::No,
        name: "no",
        contexts: &[C::ConfirmQuit],
        keys: &["n", "N", "esc"],
        help: "stay",
    },
];

/// What the footer offers in each context: the actions (two joined, as
/// "+/-"), with a word for what they do.
struct Hint {
    actions: &'static [Action],
    join: &'static str,
    label: &'static str,
}

const fn hint(actions: &'static [Action], label: &'static str) -> Hint {
    Hint {
        actions,
        join: "/",
        label,
    }
}

const HINTS: &[(Context, &[Hint])] = &[
    (C::Help, &[hint(&[A::Close], "close")]),
    (
        C::ConfirmSave,
        &[
            hint(&[A::Confirm], "save"),
            hint(&[A::Cancel], "keep editing"),
        ],
    ),
    (
        C::ConfirmQuit,
        &[
            hint(&[A::Yes], "quit without saving"),
            hint(&[A::No], "stay"),
        ],
    ),
    (
        C::Dashboard,
        &[
            hint(&[A::Edit], "edit"),
            hint(&[A::Refresh], "refresh"),
            hint(&[A::Pause], "pause"),
            hint(&[A::Slower, A::Faster], "period"),
            hint(&[A::Help], "help"),
            hint(&[A::Quit], "quit"),
            hint(&[A::Subaccounts], "subaccounts"),
            hint(&[A::Fleet], "all accounts"),
        ],
    ),
    (
        C::Rows,
        &[
            hint(&[A::Filter], "filter"),
            hint(&[A::Create], "new"),
            hint(&[A::Rename], "rename"),
            hint(&[A::Toggle], "on/off"),
            hint(&[A::DeleteRow], "delete"),
            hint(&[A::CopyToken], "copy token"),
            hint(&[A::Back], "back"),
            hint(&[A::Help], "help"),
        ],
    ),
    (
        C::Fleet,
        &[
            hint(&[A::Open], "open"),
            hint(&[A::Sort], "sort"),
            hint(&[A::Filter], "filter"),
            hint(&[A::Refresh], "refresh"),
            hint(&[A::Help], "help"),
            hint(&[A::Quit], "quit"),
        ],
    ),
    (
        C::Usage,
        &[
            hint(&[A::Window], "window"),
            hint(&[A::NextTable], "table"),
            hint(&[A::Narrow], "narrow"),
            hint(&[A::Sort], "sort"),
            hint(&[A::Filter], "filter"),
            hint(&[A::Back], "back"),
            hint(&[A::Help], "help"),
        ],
    ),
    (
        C::RowFilter,
        &[
            hint(&[A::Confirm], "keep filter"),
            hint(&[A::Cancel], "clear"),
        ],
    ),
    (
        C::Dialog,
        &[
            hint(&[A::Confirm], "ok"),
            hint(&[A::Option], "option"),
            hint(&[A::Cancel], "cancel"),
        ],
    ),
    (
        C::Suggestions,
        &[
            Hint {
                actions: &[A::ChoosePrev, A::ChooseNext],
                join: "",
                label: "choose",
            },
            hint(&[A::Pick], "pick"),
            hint(&[A::NextField], "next"),
            hint(&[A::LeaveForm], "leave form"),
        ],
    ),
    (
        C::Welcome,
        &[
            hint(&[A::Confirm], "check and save"),
            hint(&[A::NextField], "next"),
            hint(&[A::Demo], "demo"),
            hint(&[A::Cancel], "quit"),
        ],
    ),
    (
        C::Form,
        &[
            hint(&[A::NextField], "next"),
            hint(&[A::PrevField], "prev"),
            hint(&[A::Save], "save"),
            hint(&[A::Revert], "revert"),
            hint(&[A::LeaveForm], "leave form"),
        ],
    ),
];

/// Which footer hints stay when not all fit, lowest first: help and quit
/// always, then what a screen is for. A hint not listed here ranks after
/// these, in its order.
const HINT_RANKS: &[(Context, Action, u8)] = &[
    (C::Dashboard, A::Help, 0),
    (C::Dashboard, A::Quit, 0),
    (C::Dashboard, A::Edit, 1),
    (C::Dashboard, A::Fleet, 2),
    (C::Dashboard, A::Refresh, 3),
    (C::Dashboard, A::Subaccounts, 4),
    (C::Dashboard, A::Pause, 5),
    (C::Rows, A::Help, 0),
    (C::Rows, A::Back, 0),
    (C::Rows, A::Create, 1),
    (C::Rows, A::Filter, 2),
    (C::Fleet, A::Help, 0),
    (C::Fleet, A::Quit, 0),
    (C::Fleet, A::Open, 1),
    (C::Fleet, A::Filter, 2),
    (C::Usage, A::Help, 0),
    (C::Usage, A::Back, 0),
    (C::Usage, A::Window, 1),
    (C::Usage, A::NextTable, 2),
];

/// Which contexts must never share a key between two actions: each alone,
/// each with `Global`, and the form with its text editing (a form key that
/// is also an editing key would take that edit away). The suggestions take
/// ↑ ↓ Enter from the form on purpose, so that pair is not checked.
const MUST_NOT_CLASH: &[&[Context]] = &[
    &[C::Global, C::Dashboard],
    &[C::Global, C::Form, C::Editing],
    &[C::Global, C::Suggestions],
    &[C::Global, C::Help],
    &[C::Global, C::ConfirmSave],
    &[C::Global, C::ConfirmQuit],
    &[C::Global, C::Rows],
    &[C::Global, C::Fleet],
    &[C::Global, C::Usage],
    &[C::Global, C::RowFilter, C::Editing],
    &[C::Global, C::Dialog, C::Editing],
    &[C::Global, C::Welcome, C::Editing],
];

/// The keys in force: the defaults with the config file's changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    keys: BTreeMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        let keys = TABLE
            .iter()
            .map(|e| {
                (
                    e.action,
                    e.keys.iter().filter_map(|k| k.parse().ok()).collect(),
                )
            })
            .collect();
        Self { keys }
    }
}

/// Why a `[keys]` rebinding cannot be applied, as the config file's
/// error says it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RebindError {
    /// A name no action has.
    #[error("[keys] {0:?} is not an action; the actions are {names}", names = action_names())]
    NotAnAction(String),
    /// An empty list: the action could not be reached.
    #[error("[keys] {0} would have no key")]
    NoKey(String),
    /// A key that does not parse.
    #[error("[keys] {action}: {why}")]
    NotAKey {
        /// The action rebound.
        action: String,
        /// Why the key is not one.
        why: String,
    },
    /// A printable key for an action inside a text field.
    #[error(
        "[keys] {action} = {key:?} would be typed into a field instead; use a key with Ctrl or Alt, or a named key"
    )]
    TypesText {
        /// The action rebound.
        action: String,
        /// The key, as written back.
        key: String,
    },
    /// One key for two actions that could both act.
    #[error("[keys] {key} is bound to both {first} and {second}; give one of them another key")]
    Clash {
        /// The key.
        key: String,
        /// The action that had it first.
        first: &'static str,
        /// The other.
        second: &'static str,
    },
}

/// Every action's name, as `[keys]` takes them.
fn action_names() -> String {
    let names: Vec<&str> = TABLE.iter().map(|e| e.name).collect();
    names.join(", ")
}

impl Keymap {
    /// The defaults with `changes` (action name → its keys) applied, or why
    /// they cannot be: an unknown action or key, an action left with no
    /// key, two actions on one key where both could act, or a printable
    /// key for an action inside the form (it would be typed instead).
    pub(crate) fn with_changes(
        changes: &BTreeMap<String, Vec<String>>,
    ) -> Result<Self, RebindError> {
        let mut map = Self::default();
        for (name, keys) in changes {
            let entry = TABLE
                .iter()
                .find(|e| e.name == name)
                .ok_or_else(|| RebindError::NotAnAction(name.clone()))?;
            if keys.is_empty() {
                return Err(RebindError::NoKey(name.clone()));
            }
            let mut parsed = Vec::new();
            for key in keys {
                let key = key.parse::<Key>().map_err(|why| RebindError::NotAKey {
                    action: name.clone(),
                    why,
                })?;
                if !parsed.contains(&key) {
                    parsed.push(key);
                }
            }
            let in_text = entry.contexts.iter().any(|c| {
                matches!(
                    c,
                    C::Form | C::Editing | C::Suggestions | C::RowFilter | C::Dialog
                )
            });
            if let Some(key) = parsed.iter().find(|k| in_text && k.types_text()) {
                return Err(RebindError::TypesText {
                    action: name.clone(),
                    key: key.to_string(),
                });
            }
            map.keys.insert(entry.action, parsed);
        }
        map.check_clashes()?;
        Ok(map)
    }

    fn check_clashes(&self) -> Result<(), RebindError> {
        for group in MUST_NOT_CLASH {
            let mut seen: BTreeMap<Key, &'static str> = BTreeMap::new();
            for entry in TABLE
                .iter()
                .filter(|e| e.contexts.iter().any(|c| group.contains(c)))
            {
                for key in self.keys_for(entry.action) {
                    if let Some(other) = seen.insert(*key, entry.name)
                        && other != entry.name
                    {
                        return Err(RebindError::Clash {
                            key: key.to_string(),
                            first: other,
                            second: entry.name,
                        });
                    }
                }
            }
        }
        Ok(())
    }

    /// The action `event` asks for among `contexts`, the first context
    /// that binds it winning.
    pub fn action(&self, contexts: &[Context], event: &KeyEvent) -> Option<Action> {
        let key = Key::from_event(event)?;
        contexts.iter().find_map(|context| {
            TABLE
                .iter()
                .filter(|e| e.contexts.contains(context))
                .find(|e| self.keys_for(e.action).contains(&key))
                .map(|e| e.action)
        })
    }

    /// The keys bound to `action`.
    pub(crate) fn keys_for(&self, action: Action) -> &[Key] {
        self.keys.get(&action).map_or(&[], Vec::as_slice)
    }

    /// `action`'s first key as shown in a hint ("Ctrl-S").
    pub(crate) fn key_label(&self, action: Action) -> String {
        self.keys_for(action)
            .first()
            .map_or_else(|| "—".to_owned(), Key::to_string)
    }

    /// The footer's hints in `context`: the keys as bound, the action (the
    /// first, for a pair) and what it does.
    pub fn hints(&self, context: Context) -> Vec<(String, Action, &'static str)> {
        HINTS
            .iter()
            .filter(|(c, _)| *c == context)
            .flat_map(|(_, hints)| hints.iter())
            .filter_map(|h| {
                let keys: Vec<String> = h.actions.iter().map(|a| self.key_label(*a)).collect();
                // "↑↓" reads as a pair; "Ctrl-↑Ctrl-↓" would not.
                let join = if keys.iter().all(|k| k.chars().count() == 1) {
                    h.join
                } else {
                    "/"
                };
                h.actions
                    .first()
                    .map(|first| (keys.join(join), *first, h.label))
            })
            .collect()
    }

    /// How much the footer wants `action`'s hint in `context`: lower stays
    /// longer on a narrow terminal (see [`HINT_RANKS`]).
    pub(crate) fn hint_rank(context: Context, action: Action) -> u8 {
        HINT_RANKS
            .iter()
            .find(|(c, a, _)| *c == context && *a == action)
            .map_or(u8::MAX, |(_, _, rank)| *rank)
    }

    /// Every action with its keys as bound ("Tab / ↓") and its help, in
    /// the keymap's order: the key table in docs/keys.md.
    pub fn table(&self) -> Vec<(String, &'static str)> {
        TABLE
            .iter()
            .map(|e| {
                let keys: Vec<String> =
                    self.keys_for(e.action).iter().map(Key::to_string).collect();
                (keys.join(" / "), e.help)
            })
            .collect()
    }

    /// The help for the screen whose keys are `screen`'s (`Dashboard`,
    /// `Rows` or `Fleet`): that screen's keys in titled sections, then the
    /// keys that work everywhere; nothing that does nothing there. A row
    /// shared by two sections of one screen is shown once.
    pub fn help(&self, screen: Context) -> Vec<HelpLine> {
        let sections = HELP_SECTIONS
            .iter()
            .find(|(c, _, _)| *c == screen)
            .map_or(&[][..], |(_, sections, _)| *sections);
        let mouse = HELP_SECTIONS
            .iter()
            .find(|(c, _, _)| *c == screen)
            .map(|(_, _, mouse)| *mouse);
        let mut lines = Vec::new();
        let mut shown: Vec<(String, &'static str)> = Vec::new();
        for (i, (context, title)) in sections
            .iter()
            .chain(std::iter::once(&(C::Global, "Everywhere")))
            .enumerate()
        {
            let rows: Vec<(String, &'static str)> = TABLE
                .iter()
                .filter(|e| e.contexts.contains(context))
                .map(|e| {
                    let keys: Vec<String> =
                        self.keys_for(e.action).iter().map(Key::to_string).collect();
                    (keys.join(" / "), self.help_text(e, *context))
                })
                .filter(|row| !shown.contains(row))
                .collect();
            if rows.is_empty() {
                continue;
            }
            if !lines.is_empty() {
                lines.push(HelpLine::Blank);
            }
            lines.push(HelpLine::Title(title));
            shown.extend(rows.iter().cloned());
            lines.extend(
                rows.into_iter()
                    .map(|(keys, what)| HelpLine::Key(keys, what)),
            );
            if i == 0
                && let Some(mouse) = mouse
            {
                lines.push(HelpLine::Key("click".to_owned(), mouse));
            }
        }
        lines
    }

    /// What `entry` does in `context`: its help, unless a key shared
    /// with another context does something else there.
    fn help_text(&self, entry: &Entry, context: Context) -> &'static str {
        HELP_HERE
            .iter()
            .find(|(c, a, _)| *c == context && *a == entry.action)
            .map_or(entry.help, |(_, _, help)| help)
    }
}

/// Where an action shared between contexts does something other than its
/// entry's help says (written for its first context).
const HELP_HERE: &[(Context, Action, &str)] = &[
    (C::Fleet, A::Back, "clear a filter that was kept"),
    (
        C::Usage,
        A::Back,
        "clear a filter that was kept, else widen a narrowed view, else back to the account",
    ),
    (C::Usage, A::Sort, "sort by spend, name or records"),
    (C::RowFilter, A::Confirm, "keep the filter"),
    (C::RowFilter, A::Cancel, "clear the filter"),
    (C::Dialog, A::Confirm, "do it: create, rename or delete"),
    (C::Dialog, A::Cancel, "close the dialog"),
];

/// One line of the help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HelpLine {
    /// A section's title ("Editing text").
    Title(&'static str),
    /// Keys as bound ("Tab / ↓") and what they do.
    Key(String, &'static str),
    /// Between sections.
    Blank,
}

/// A screen's help: the contexts that can be active on it, each with a
/// title, in the order shown; and what a click does there.
type ScreenHelp = (Context, &'static [(Context, &'static str)], &'static str);

/// Each screen's help.
const HELP_SECTIONS: &[ScreenHelp] = &[
    (
        C::Dashboard,
        &[
            (C::Dashboard, "Account"),
            (C::Form, "In the form"),
            (C::Suggestions, "Timezone suggestions"),
            (C::Editing, "Editing text"),
            (C::ConfirmSave, "Save review"),
        ],
        "focus a field, cursor where clicked (while the mouse is on)",
    ),
    (
        C::Rows,
        &[
            (C::Rows, "Subaccounts"),
            (C::RowFilter, "Filter"),
            (C::Dialog, "Dialogs"),
            (C::Editing, "Editing text"),
        ],
        "select a row (while the mouse is on)",
    ),
    (
        C::Fleet,
        &[
            (C::Fleet, "All accounts"),
            (C::RowFilter, "Filter"),
            (C::Editing, "Editing text"),
        ],
        "select a row (while the mouse is on)",
    ),
    (
        C::Usage,
        &[
            (C::Usage, "Usage"),
            (C::RowFilter, "Filter"),
            (C::Editing, "Editing text"),
        ],
        "select a row (while the mouse is on)",
    ),
];

/// The character `key` types, where text is being edited and no action
/// took the key: a plain character, without Ctrl or Alt.
pub fn typed(key: &KeyEvent, contexts: &[Context]) -> Option<char> {
    match key.code {
        KeyCode::Char(c)
            if contexts.contains(&Context::Editing)
                && !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
        {
            Some(c)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn changes(pairs: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(a, keys)| {
                (
                    (*a).to_owned(),
                    keys.iter().map(|k| (*k).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn every_default_key_parses_and_every_action_has_one() {
        for entry in TABLE {
            for key in entry.keys {
                assert!(key.parse::<Key>().is_ok(), "{}: {key}", entry.name);
            }
        }
        let map = Keymap::default();
        for entry in TABLE {
            assert!(!map.keys_for(entry.action).is_empty(), "{}", entry.name);
        }
        map.check_clashes().expect("the defaults do not clash");
    }

    #[test]
    fn keys_read_as_people_write_them() {
        for (text, shown) in [
            ("x", "x"),
            ("?", "?"),
            ("F5", "F5"),
            ("ctrl-s", "Ctrl-S"),
            ("Ctrl-S", "Ctrl-S"),
            ("alt-b", "Alt-B"),
            ("shift-tab", "Shift-Tab"),
            ("esc", "Esc"),
            ("pgdn", "PgDn"),
            ("space", "Space"),
            ("down", "↓"),
        ] {
            assert_eq!(
                text.parse::<Key>().map(|k| k.to_string()),
                Ok(shown.to_owned()),
                "{text}"
            );
        }
        for bad in ["", "ctrl-", "hyper-x", "f99", "xy", "\u{7}"] {
            assert!(bad.parse::<Key>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn events_find_their_action_in_the_first_context_that_binds_them() {
        let map = Keymap::default();
        let down = press(KeyCode::Down, KeyModifiers::NONE);
        assert_eq!(
            map.action(&[C::Suggestions, C::Form], &down),
            Some(A::ChooseNext)
        );
        assert_eq!(map.action(&[C::Form], &down), Some(A::NextField));
        let ctrl_s = press(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(
            map.action(&[C::Global, C::Form, C::Editing], &ctrl_s),
            Some(A::Save)
        );
        let shift_tab = press(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(map.action(&[C::Form], &shift_tab), Some(A::PrevField));
        let big_y = press(KeyCode::Char('Y'), KeyModifiers::SHIFT);
        assert_eq!(map.action(&[C::ConfirmQuit], &big_y), Some(A::Yes));
        let typed = press(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(
            map.action(&[C::Global, C::Form, C::Editing], &typed),
            None,
            "typed"
        );
    }

    #[test]
    fn rebinding_replaces_an_actions_keys() {
        let map = Keymap::with_changes(&changes(&[("quit", &["x"]), ("refresh", &["r", "F5"])]))
            .expect("valid");
        let x = press(KeyCode::Char('x'), KeyModifiers::NONE);
        let q = press(KeyCode::Char('q'), KeyModifiers::NONE);
        let f5 = press(KeyCode::F(5), KeyModifiers::NONE);
        assert_eq!(map.action(&[C::Dashboard], &x), Some(A::Quit));
        assert_eq!(map.action(&[C::Dashboard], &q), None);
        assert_eq!(map.action(&[C::Dashboard], &f5), Some(A::Refresh));
        assert_eq!(map.key_label(A::Quit), "x");
        assert!(
            map.table()
                .iter()
                .any(|(keys, help)| keys == "r / F5" && help.starts_with("refresh"))
        );
    }

    #[test]
    fn terminal_aliases_shift_and_invisible_keys() {
        assert_eq!(
            "ctrl-i".parse::<Key>(),
            "tab".parse::<Key>(),
            "what a terminal sends"
        );
        assert_eq!("ctrl-m".parse::<Key>(), "enter".parse::<Key>());
        assert_eq!("ctrl-[".parse::<Key>(), "esc".parse::<Key>());
        let err = Keymap::with_changes(&changes(&[("quit", &["ctrl-i"])]))
            .expect_err("Tab is taken")
            .to_string();
        assert!(err.contains("both"), "{err}");
        let shifted: Key = "shift-up".parse().unwrap();
        assert_ne!(Some(shifted), "up".parse().ok());
        assert_eq!(shifted.to_string(), "Shift-↑");
        let map =
            Keymap::with_changes(&changes(&[("quit", &["shift-up"])])).expect("Shift-↑ is free");
        let event = KeyEvent::new(KeyCode::Up, KeyModifiers::SHIFT);
        assert_eq!(map.action(&[C::Dashboard], &event), Some(A::Quit));
        for invisible in ["\u{ad}", "\u{301}", "\u{200b}", "\u{202e}"] {
            assert!(invisible.parse::<Key>().is_err(), "{invisible:?}");
        }
        let map = Keymap::with_changes(&changes(&[("quit", &["x", "x"])])).expect("valid");
        assert_eq!(map.keys_for(A::Quit).len(), 1, "duplicates merged");
    }

    #[test]
    fn bad_bindings_are_refused_with_a_reason() {
        for (pairs, needle) in [
            (changes(&[("explode", &["x"])]), "not an action"),
            (changes(&[("quit", &["hyper-q"])]), "not a key"),
            (changes(&[("quit", &[])]), "no key"),
            (changes(&[("refresh", &["q"])]), "both"),
            (changes(&[("save", &["s"])]), "typed into a field"),
            (changes(&[("revert", &["ctrl-k"])]), "both"),
            (changes(&[("quit", &["ctrl-c"])]), "both"),
        ] {
            let err = Keymap::with_changes(&pairs)
                .expect_err("refused")
                .to_string();
            assert!(err.contains(needle), "{needle}: {err}");
        }
    }
}
