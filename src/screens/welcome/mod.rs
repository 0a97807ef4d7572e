//! The welcome screen's state: a first run with no account anywhere asks
//! for an auth id, a token (never drawn) and a profile name, has them
//! checked, and hands over to the account; or opens the demo. Pure: the
//! check is asked for in the outcome and its answer comes back as a
//! message.

pub mod view;

use std::fmt;

use ratatui::crossterm::event::KeyEvent;
use secrecy::SecretString;

use crate::keymap::{Action, Context, Keymap};
use crate::plivo::AuthId;
use crate::state::LineInput;

/// The fields, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The auth id.
    AuthId,
    /// The token: masked on screen.
    Token,
    /// The profile to keep them under.
    Profile,
}

const FIELDS: [Field; 3] = [Field::AuthId, Field::Token, Field::Profile];

/// What comes into the welcome screen.
#[derive(Debug)]
pub enum WelcomeMsg {
    /// A key.
    Key(KeyEvent),
    /// Pasted text.
    Paste(String),
    /// The terminal's new size.
    Resize(u16, u16),
    /// The answer to a check: where the token was kept, or why not.
    Checked(Result<String, String>),
}

/// Credentials to check, and keep if they work.
#[derive(Debug)]
pub struct Login {
    /// The auth id, upper-cased and well-formed.
    pub auth_id: String,
    /// The token.
    pub token: SecretString,
    /// The profile (`None`: the config file's top level).
    pub profile: Option<String>,
    /// The API to check them with, when a paste named one (the `export`
    /// lines `plivo-dash sandbox` prints); else the one set up.
    pub api_url: Option<String>,
}

/// How the welcome screen ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WelcomeEnd {
    /// Logged in.
    LoggedIn {
        /// The profile the account is kept under (`None`: the top level).
        profile: Option<String>,
        /// Where the token went, to say on the dashboard.
        kept: String,
    },
    /// The demo, instead.
    Demo,
    /// Nothing: the user left.
    Quit,
}

/// What an update asks for.
#[derive(Debug, Default)]
pub struct WelcomeOutcome {
    /// Check these credentials (and keep them if they work).
    pub check: Option<Login>,
    /// Something on screen changed.
    pub redraw: bool,
}

/// The welcome screen.
#[derive(Clone)]
pub struct Welcome {
    fields: [LineInput; 3],
    /// The field being typed in.
    pub focus: Field,
    /// An account already named, whose token is missing.
    pub returning: bool,
    /// A check is under way.
    pub checking: bool,
    /// Why the last attempt failed, made safe to draw.
    pub problem: Option<String>,
    /// The API a paste named (`PLIVO_API_URL=…`), made safe to draw.
    pub api_url: Option<String>,
    /// The keys.
    pub keymap: Keymap,
    /// The terminal's size.
    pub size: (u16, u16),
    /// Colour, unless `NO_COLOR`.
    pub color: bool,
    /// Leaving was asked for with something typed: quit, or keep editing?
    pub quitting: bool,
    /// Opened from the fleet screen for one of its accounts: leaving goes
    /// back to the fleet, the demo is not offered, and only the token is
    /// typed (the row's profile and, when known, its auth id are fixed:
    /// logging in there never re-points or overwrites another profile).
    pub from_fleet: bool,
    /// The API the row's profile names (not Plivo's own), which its token
    /// is checked with.
    pub profile_api: Option<String>,
    /// The quit question was asked by the interrupt key (Ctrl-C): yes
    /// leaves the program, not only this screen.
    pub interrupted: bool,
    /// Fields that cannot be changed here.
    fixed: [bool; 3],
    /// The fields as the screen opened, to tell whether anything was typed.
    start: [String; 3],
    end: Option<WelcomeEnd>,
}

impl fmt::Debug for Welcome {
    /// Everything but the token.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Welcome")
            .field("auth_id", &self.text(Field::AuthId))
            .field("token", &"[REDACTED]")
            .field("profile", &self.text(Field::Profile))
            .field("focus", &self.focus)
            .field("checking", &self.checking)
            .field("problem", &self.problem)
            .finish_non_exhaustive()
    }
}

impl Welcome {
    /// Empty fields (an empty profile is the config file's top level).
    pub fn new(keymap: Keymap, size: (u16, u16), color: bool) -> Self {
        Self::known(keymap, size, color, None, None)
    }

    /// With what is already known filled in (a profile whose token is
    /// missing, say), the cursor where something is still needed.
    pub fn known(
        keymap: Keymap,
        size: (u16, u16),
        color: bool,
        auth_id: Option<&str>,
        profile: Option<&str>,
    ) -> Self {
        let id = auth_id.map(crate::text::sanitize).unwrap_or_default();
        let focus = if id.is_empty() {
            Field::AuthId
        } else {
            Field::Token
        };
        let profile = profile.map(crate::text::sanitize).unwrap_or_default();
        Self {
            fields: [
                LineInput::new(&id),
                LineInput::default(),
                LineInput::new(&profile),
            ],
            focus,
            returning: !id.is_empty(),
            checking: false,
            problem: None,
            api_url: None,
            keymap,
            size,
            color,
            quitting: false,
            from_fleet: false,
            profile_api: None,
            interrupted: false,
            fixed: [false; 3],
            start: [id, String::new(), profile],
            end: None,
        }
    }

    /// For an account of the fleet whose token is missing, whose profile
    /// names `api_url` (`None`: Plivo's own): leaving goes back to the
    /// fleet, the demo is not offered there, and the row's profile and
    /// known auth id stay as they are.
    #[must_use]
    pub(crate) fn for_fleet(mut self, api_url: Option<&str>) -> Self {
        self.from_fleet = true;
        self.profile_api = api_url.map(crate::text::sanitize);
        self.fixed = [self.returning, false, true];
        self
    }

    /// Whether `field` can be changed here.
    pub(crate) fn is_fixed(&self, field: Field) -> bool {
        self.fixed[index(field)]
    }

    /// The next field that can be changed, `by` places on, going round.
    fn step(&self, by: usize) -> Field {
        let mut field = self.focus;
        for _ in FIELDS {
            field = step(field, by);
            if !self.is_fixed(field) {
                return field;
            }
        }
        self.focus
    }

    /// The API the token goes to: one a paste named, or the profile's.
    pub(crate) fn check_api(&self) -> Option<&str> {
        self.api_url.as_deref().or(self.profile_api.as_deref())
    }

    /// A field's text (the token's too: the view masks it).
    pub fn text(&self, field: Field) -> &str {
        self.input(field).text()
    }

    /// A field's input, for drawing it.
    pub fn input(&self, field: Field) -> &LineInput {
        &self.fields[index(field)]
    }

    /// How it ended, once it has.
    pub fn end(&self) -> Option<&WelcomeEnd> {
        self.end.as_ref()
    }

    /// Open again, as it was, after the demo it ended for.
    pub fn resume(&mut self) {
        if self.end == Some(WelcomeEnd::Demo) {
            self.end = None;
        }
    }

    /// The profile as named on screen: the top level has no name.
    fn shown_profile(&self) -> String {
        match self.text(Field::Profile).trim() {
            "" => crate::config::TOP_LEVEL_SHOWN.to_owned(),
            name => name.to_owned(),
        }
    }

    /// Whether the terminal has room for the fields.
    fn fits(&self) -> bool {
        crate::layout::welcome_fits(self.size)
    }

    /// The key contexts in force, the first binding a key winning.
    pub(crate) fn contexts(&self) -> [Context; 3] {
        if self.quitting {
            // The dashboard's question, and Enter (the Welcome's confirm)
            // answers yes to it.
            [Context::Global, Context::ConfirmQuit, Context::Welcome]
        } else {
            [Context::Global, Context::Welcome, Context::Editing]
        }
    }

    /// Whether anything was typed (or pasted) since the screen opened.
    fn edited(&self) -> bool {
        FIELDS
            .iter()
            .zip(&self.start)
            .any(|(field, start)| self.text(*field) != start)
    }

    /// Takes in one message.
    pub fn update(&mut self, msg: WelcomeMsg) -> WelcomeOutcome {
        match msg {
            WelcomeMsg::Resize(w, h) => self.size = (w, h),
            WelcomeMsg::Paste(text) => {
                // Unseen, a paste could land anywhere: it waits for room.
                if !self.checking && !self.quitting && self.fits() {
                    self.paste(&text);
                }
            }
            WelcomeMsg::Checked(Ok(kept)) => {
                let profile = top_level_or(self.text(Field::Profile));
                self.checking = false;
                self.end = Some(WelcomeEnd::LoggedIn {
                    profile,
                    kept: crate::text::sanitize(&kept),
                });
            }
            WelcomeMsg::Checked(Err(why)) => {
                self.checking = false;
                self.problem = Some(crate::text::sanitize(&why));
            }
            WelcomeMsg::Key(key) => return self.key(&key),
        }
        WelcomeOutcome {
            redraw: true,
            ..WelcomeOutcome::default()
        }
    }

    /// Pasted text into the focused field. Neither an auth id nor a token
    /// has spaces or line breaks, so a paste holding several words (both
    /// copied at once, labelled or not, `ID:TOKEN`, or the `export` lines
    /// `plivo-dash sandbox` prints) is split: an auth id among them goes to
    /// its field and the token to its own, and nothing of a token ever
    /// lands in a field that is drawn.
    fn paste(&mut self, text: &str) {
        let clean: String = crate::text::pasted(text).collect();
        // A token meant for another API is not sent to Plivo's own.
        let named_api = clean
            .split_whitespace()
            .find_map(|w| w.strip_prefix("PLIVO_API_URL="))
            .map(|url| url.trim_matches(['"', '\'']))
            .filter(|url| !url.is_empty())
            .map(crate::text::sanitize);
        let words = words(&clean);
        let id_at = words.iter().position(|w| is_auth_id(w));
        // A row's account stays the row's: a paste for another is refused
        // whole, not taken in part.
        let other_id = id_at
            .filter(|_| self.is_fixed(Field::AuthId))
            .filter(|i| !words[*i].eq_ignore_ascii_case(self.text(Field::AuthId).trim()));
        let other_api = named_api
            .as_deref()
            .filter(|url| self.from_fleet && Some(*url) != self.profile_api.as_deref());
        if other_id.is_some() || other_api.is_some() {
            self.problem = Some(format!(
                "That paste is for another account: this is {}'s; paste its token alone",
                self.shown_profile()
            ));
            return;
        }
        if named_api.is_some() && !self.from_fleet {
            self.api_url = named_api;
        }
        let Some(i) = id_at else {
            match self.focus {
                // A token, by its look, goes where it is not drawn.
                Field::Profile if looks_like_token(clean.trim()) => {
                    self.fields[index(Field::Token)] = LineInput::new(clean.trim());
                    self.problem = Some(MOVED_TOKEN.to_owned());
                    return;
                }
                Field::Profile => {
                    self.fields[index(Field::Profile)].insert(clean.trim());
                    if self.keep_token_unseen(Field::Profile) {
                        return;
                    }
                }
                // A labelled token (or one by its look) pasted here goes
                // where it is not drawn, as it does from the profile.
                Field::AuthId => {
                    if let Some((_, token)) =
                        token_in(&clean, true).filter(|(_, token)| !token.is_empty())
                    {
                        self.fields[index(Field::Token)] = LineInput::new(token);
                        self.focus = Field::Token;
                        self.problem = Some(MOVED_TOKEN.to_owned());
                        return;
                    }
                    // Not an auth id: what it is, is not drawn here.
                    self.problem = Some(
                        "That paste is not an auth id (MA or SA and 18 capital letters or digits)"
                            .to_owned(),
                    );
                    return;
                }
                // A token wrapped over lines is one token; words side by
                // side on a line are not a token.
                Field::Token if text.lines().any(|l| l.split_whitespace().count() > 1) => {
                    self.problem = Some("That paste has spaces: a token has none".to_owned());
                    return;
                }
                Field::Token => {
                    self.fields[index(Field::Token)].insert(&words.concat());
                }
            }
            self.problem = None;
            return;
        };
        if !self.is_fixed(Field::AuthId) {
            self.fields[index(Field::AuthId)] = LineInput::new(&words[i].to_ascii_uppercase());
        }
        match token_among(&words, i) {
            Some(token) => {
                self.fields[index(Field::Token)] = LineInput::new(&token);
                self.focus = if self.is_fixed(Field::Profile) {
                    Field::Token
                } else {
                    Field::Profile
                };
                self.problem = None;
            }
            None if words.len() > 1 => {
                self.focus = Field::Token;
                self.problem = Some(
                    "Took the auth id; the token was not clear in that paste: paste it on its own"
                        .to_owned(),
                );
            }
            None => {
                self.focus = Field::Token;
                self.problem = None;
            }
        }
    }

    /// Moves a token out of `field`, which is drawn, the moment it shows
    /// there: after a label (`PLIVO_AUTH_TOKEN=`, `auth_token:`, `token `,
    /// `export` and quotes or not) what follows is the token, and goes on
    /// into the Token field as it is typed; a word with a token's look is
    /// one. The field keeps what came before; the focus goes to the token,
    /// so the rest of it is typed there. Whether one was moved.
    fn keep_token_unseen(&mut self, field: Field) -> bool {
        let text = self.text(field);
        let Some((keep, token)) = token_in(text, field == Field::AuthId) else {
            return false;
        };
        let keep = text[..keep].trim_end();
        let keep = keep
            .strip_suffix("export")
            .unwrap_or(keep)
            .trim_end()
            .to_owned();
        let token = token.to_owned();
        self.fields[index(field)] = LineInput::new(&keep);
        // The rest of it, typed or not yet, goes on where it is not drawn.
        self.focus = Field::Token;
        if !token.is_empty() {
            self.fields[index(Field::Token)] = LineInput::new(&token);
            self.problem = Some(MOVED_TOKEN.to_owned());
        }
        true
    }

    fn key(&mut self, key: &KeyEvent) -> WelcomeOutcome {
        let contexts = self.contexts();
        let action = self.keymap.action(&contexts, key);
        let mut outcome = WelcomeOutcome {
            redraw: true,
            ..WelcomeOutcome::default()
        };
        if self.quitting {
            match action {
                Some(Action::Yes | Action::Confirm | Action::Interrupt) => {
                    self.end = Some(WelcomeEnd::Quit);
                }
                Some(Action::No | Action::Cancel) => {
                    self.quitting = false;
                    self.interrupted = false;
                }
                _ => outcome.redraw = false,
            }
            return outcome;
        }
        match action {
            // The check's answer decides what is kept: leaving before it
            // would say "nothing kept" while the token may be.
            Some(Action::Cancel) if self.checking => {
                self.problem = Some(format!(
                    "Leaving waits for the answer: it says what was kept ({} quits now)",
                    self.keymap.key_label(Action::Interrupt)
                ));
            }
            // What was typed is not lost to one key: asked first.
            Some(leave @ (Action::Interrupt | Action::Cancel)) if self.edited() => {
                self.quitting = true;
                self.interrupted = leave == Action::Interrupt;
            }
            Some(leave @ (Action::Interrupt | Action::Cancel)) => {
                self.interrupted = leave == Action::Interrupt;
                self.end = Some(WelcomeEnd::Quit);
            }
            // While the screen is too small to show the fields, nothing is
            // typed into them unseen.
            _ if !self.fits() => outcome.redraw = false,
            // While a check is out, what was typed stays as it was sent,
            // and the demo waits: the check would keep them behind its back.
            _ if self.checking => outcome.redraw = false,
            Some(Action::Demo) if self.from_fleet => outcome.redraw = false,
            Some(Action::Demo) => self.end = Some(WelcomeEnd::Demo),
            Some(Action::NextField) => self.focus = self.step(1),
            Some(Action::PrevField) => self.focus = self.step(2),
            Some(Action::Confirm) => outcome.check = self.submit(),
            // An edit makes the last answer stale.
            Some(editing) => {
                self.fields[index(self.focus)].apply(editing);
                self.problem = None;
            }
            None => match crate::keymap::typed(key, &contexts) {
                // An auth id has no spaces: one typed after it (or a paste
                // a terminal types out) goes on to the token, never drawn;
                // so does the colon of `ID:TOKEN` after a whole auth id.
                Some(c) if c.is_whitespace() && self.focus == Field::AuthId => {
                    let text = self.text(Field::AuthId);
                    if text.trim().eq_ignore_ascii_case("export") {
                        // A shell line's first word: what follows says what it is.
                        self.fields[index(Field::AuthId)] = LineInput::default();
                    } else if begins_token_label(&format!("{text} ")) {
                        // `Auth Token:` goes on until it is seen whole.
                        self.fields[index(Field::AuthId)].type_char(c);
                    } else if !text.trim().is_empty() {
                        // A label (`token `) is not left behind as an auth id.
                        let spaced = format!("{} ", self.text(Field::AuthId));
                        if let Some((label, _)) = token_in(&spaced, true) {
                            let keep = spaced[..label].trim_end().to_owned();
                            self.fields[index(Field::AuthId)] = LineInput::new(&keep);
                        }
                        self.focus = Field::Token;
                    }
                }
                Some(':')
                    if self.focus == Field::AuthId
                        && is_auth_id(self.text(Field::AuthId).trim()) =>
                {
                    self.focus = Field::Token;
                }
                Some(c) => {
                    self.fields[index(self.focus)].type_char(c);
                    self.problem = None;
                    if self.focus != Field::Token {
                        self.keep_token_unseen(self.focus);
                    }
                }
                None => outcome.redraw = false,
            },
        }
        outcome
    }

    /// The credentials to check, or the first field that cannot be sent
    /// (focused, with why).
    fn submit(&mut self) -> Option<Login> {
        let auth_id = self.text(Field::AuthId).trim().to_ascii_uppercase();
        // A token has no quotes: these are a shell line's, typed after a label.
        let token = self
            .text(Field::Token)
            .trim()
            .trim_matches(['"', '\''])
            .to_owned();
        let profile = self.text(Field::Profile).trim().to_owned();
        let problem = if auth_id.is_empty() {
            Some((Field::AuthId, "Type or paste your auth id".to_owned()))
        } else if AuthId::parse(&auth_id).is_err() {
            // Not quoted back: it may be something pasted by mistake.
            Some((
                Field::AuthId,
                "That is not an auth id: MA or SA and 18 capital letters or digits (MA2025RK4E639VJFZAGV, say)".to_owned(),
            ))
        } else if token.is_empty() {
            Some((Field::Token, "Type or paste the auth token".to_owned()))
        } else if token.chars().any(char::is_whitespace) {
            Some((
                Field::Token,
                "A token has no spaces or line breaks".to_owned(),
            ))
        } else if token.len() > crate::config::credentials::MAX_TOKEN {
            Some((Field::Token, "That is too long to be a token".to_owned()))
        } else if profile.contains(&token) {
            // Never a file's section name, a header, a list's line.
            Some((
                Field::Profile,
                "The profile name holds the token: type a name instead".to_owned(),
            ))
        } else if let Some(why) = crate::config::unusable_profile_name(&profile) {
            Some((Field::Profile, why))
        } else if profile.chars().any(char::is_control) {
            Some((
                Field::Profile,
                "A profile name is one line of text".to_owned(),
            ))
        } else {
            None
        };
        if let Some((field, why)) = problem {
            self.focus = field;
            self.problem = Some(why);
            return None;
        }
        self.checking = true;
        self.problem = None;
        Some(Login {
            auth_id,
            token: SecretString::from(token),
            profile: top_level_or(&profile),
            api_url: self.check_api().map(str::to_owned),
        })
    }
}

/// The words of a paste, as values: `NAME=value` and quotes taken off,
/// `ID:TOKEN` split in two, `export` and labels (`Token:`) left out.
fn words(clean: &str) -> Vec<String> {
    let mut words = Vec::new();
    for word in clean.split_whitespace() {
        if word == "export" || word.ends_with(':') {
            continue;
        }
        // `PLIVO_AUTH_TOKEN=…`, not the `=` a token may end with.
        let value = match word.split_once('=') {
            Some((name, value))
                if !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
            {
                value
            }
            _ => word,
        }
        .trim_matches(['"', '\'']);
        match value.split_once(':') {
            Some((id, token)) if is_auth_id(id) => {
                words.push(id.to_owned());
                if !token.is_empty() {
                    words.push(token.to_owned());
                }
            }
            _ if !value.is_empty() => words.push(value.to_owned()),
            _ => {}
        }
    }
    words
}

/// Whether `text` has a token's look: one long run of letters and digits,
/// both (Plivo's are 40). A profile's name rarely does.
fn looks_like_token(text: &str) -> bool {
    text.len() >= 20
        && text.chars().all(|c| c.is_ascii_alphanumeric())
        && text.chars().any(|c| c.is_ascii_digit())
        && text.chars().any(|c| c.is_ascii_alphabetic())
}

/// The names a token goes by before its value, lower-case, `-` and spaces
/// as `_`: longest first, so `auth_token` is not read as `token`.
const TOKEN_LABELS: [&str; 4] = ["plivo_auth_token", "auth_token", "authtoken", "token"];

/// `text` as labels are compared: lower-case, `-` and spaces as `_`. Each
/// character folds to one of the same length, so offsets hold.
fn fold_label(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Whether `text` is the start of a token's label (`Auth ` of `Auth
/// Token:`), not yet the whole of it.
fn begins_token_label(text: &str) -> bool {
    let folded = fold_label(text.trim_start());
    TOKEN_LABELS
        .iter()
        .any(|label| label.len() > folded.len() && label.starts_with(&folded))
}

/// Said when a token left a drawn field for its own.
const MOVED_TOKEN: &str = "That looked like a token: it went to the Token field";

/// Where a token is in `text` typed or pasted into a drawn field: the byte
/// offset where its label (or, unlabelled, the token) starts, and the
/// token, empty while only the label and its `=`, `:` or space are there.
/// In the auth id's field only what is longer than an auth id has a
/// token's look: a mistyped auth id is not one.
fn token_in(text: &str, in_auth_id: bool) -> Option<(usize, &str)> {
    let folded = fold_label(text);
    let labelled = TOKEN_LABELS.iter().find_map(|label| {
        folded.match_indices(label).find_map(|(at, _)| {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| !c.is_whitespace() && !matches!(c, '"' | '\'')) {
                return None;
            }
            let rest = text[at + label.len()..].trim_start_matches(['"', '\'']);
            let value = rest.trim_start_matches([' ', '\t']);
            let sep = value.strip_prefix(['=', ':']);
            // The label alone is a name; a separator makes it a label.
            if sep.is_none() && value.len() == rest.len() {
                return None;
            }
            let value = sep.unwrap_or(value).trim_start().trim_matches(['"', '\'']);
            let value = value.split_whitespace().next().unwrap_or("");
            Some((at, value.trim_matches(['"', '\''])))
        })
    });
    labelled.or_else(|| {
        let mut at = 0;
        text.split_whitespace().find_map(|word| {
            let start = at + text[at..].find(word).unwrap_or(0);
            at = start + word.len();
            let value = word.trim_matches(['"', '\'']);
            let shaped =
                looks_like_token(value) && (!in_auth_id || value.chars().count() > AuthId::LEN);
            shaped.then_some((start, value))
        })
    })
}

fn is_auth_id(word: &str) -> bool {
    AuthId::parse(&word.to_ascii_uppercase()).is_ok()
}

/// The token among `words`, the auth id at `id`: a long word (Plivo's are
/// 40 characters) or the only other one; never an address.
fn token_among(words: &[String], id: usize) -> Option<String> {
    let others: Vec<&String> = words
        .iter()
        .enumerate()
        .filter(|(i, w)| *i != id && !w.contains("://") && !is_auth_id(w))
        .map(|(_, w)| w)
        .collect();
    let longest = others.iter().max_by_key(|w| w.chars().count());
    match (longest, others.len()) {
        (Some(w), _) if w.chars().count() >= 16 => Some((*w).clone()),
        (Some(w), 1) => Some((*w).clone()),
        _ => None,
    }
}

/// The profile named `typed`, or `None` (the config file's top level) for
/// nothing; "default" is read as every command reads it.
fn top_level_or(typed: &str) -> Option<String> {
    let name = typed.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

fn index(field: Field) -> usize {
    FIELDS.iter().position(|f| *f == field).unwrap_or(0)
}

/// The field `by` places on, going round.
fn step(field: Field, by: usize) -> Field {
    FIELDS[(index(field) + by) % FIELDS.len()]
}
