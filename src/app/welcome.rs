//! The welcome screen's state: a first run with no account anywhere asks
//! for an auth id, a token (never drawn) and a profile name, has them
//! checked, and hands over to the account; or opens the demo. Pure: the
//! check is asked for in the outcome and its answer comes back as a
//! message.

use std::fmt;

use ratatui::crossterm::event::KeyEvent;
use secrecy::SecretString;

use super::input::LineInput;
use crate::keymap::{Action, Context, Keymap};
use crate::plivo::AuthId;

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
    /// The keys.
    pub keymap: Keymap,
    /// The terminal's size.
    pub size: (u16, u16),
    /// Colour, unless `NO_COLOR`.
    pub color: bool,
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
        Self {
            fields: [
                LineInput::new(&id),
                LineInput::default(),
                LineInput::new(&profile.map(crate::text::sanitize).unwrap_or_default()),
            ],
            focus,
            returning: !id.is_empty(),
            checking: false,
            problem: None,
            keymap,
            size,
            color,
            end: None,
        }
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

    /// Whether the terminal has room for the fields.
    fn fits(&self) -> bool {
        crate::screens::welcome::fits(self.size)
    }

    /// The key contexts in force, most general first.
    pub fn contexts(&self) -> [Context; 3] {
        [Context::Global, Context::Welcome, Context::Editing]
    }

    /// Takes in one message.
    pub fn update(&mut self, msg: WelcomeMsg) -> WelcomeOutcome {
        match msg {
            WelcomeMsg::Resize(w, h) => self.size = (w, h),
            WelcomeMsg::Paste(text) => {
                // Unseen, a paste could land anywhere: it waits for room.
                if !self.checking && self.fits() {
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
    /// copied at once, or the `export` lines `plivo-dash sandbox` prints) is
    /// split: an auth id among them goes to its field, the word after it
    /// (or named `PLIVO_AUTH_TOKEN=`) to the token's, and nothing of a
    /// token ever lands in the auth id's field, which is drawn.
    fn paste(&mut self, text: &str) {
        let clean: String = crate::text::pasted(text).collect();
        if self.focus == Field::Profile {
            self.fields[index(Field::Profile)].insert(clean.trim());
            return;
        }
        let words: Vec<&str> = clean
            .split_whitespace()
            .filter(|w| *w != "export")
            .collect();
        let value = |w: &str| {
            w.rsplit_once('=')
                .map_or(w, |(_, v)| v)
                .trim_matches(['"', '\''])
                .to_owned()
        };
        let id_at = words
            .iter()
            .position(|w| AuthId::parse(&value(w).to_ascii_uppercase()).is_ok());
        let named_token = words
            .iter()
            .find(|w| w.contains("AUTH_TOKEN="))
            .map(|w| value(w));
        let token = named_token.or_else(|| {
            id_at
                .and_then(|i| words.get(i + 1))
                .map(|w| value(w))
                .filter(|t| !t.is_empty())
        });
        match (self.focus, id_at) {
            (_, Some(i)) => {
                self.fields[index(Field::AuthId)] = LineInput::new(&value(words[i]));
                if let Some(token) = token {
                    self.fields[index(Field::Token)] = LineInput::new(&token);
                }
            }
            // Not an auth id: what it is, is not drawn here.
            (Field::AuthId, None) => {
                self.problem = Some(
                    "That paste is not an auth id (MA or SA and 18 capital letters or digits)"
                        .to_owned(),
                );
            }
            // A token wrapped over lines is one token.
            (_, None) => {
                self.fields[index(Field::Token)].insert(&words.concat());
            }
        }
    }

    fn key(&mut self, key: &KeyEvent) -> WelcomeOutcome {
        let contexts = self.contexts();
        let action = self.keymap.action(&contexts, key);
        let mut outcome = WelcomeOutcome {
            redraw: true,
            ..WelcomeOutcome::default()
        };
        match action {
            Some(Action::Interrupt | Action::Cancel) => self.end = Some(WelcomeEnd::Quit),
            // While the screen is too small to show the fields, nothing is
            // typed into them unseen.
            _ if !self.fits() => outcome.redraw = false,
            // While a check is out, what was typed stays as it was sent,
            // and the demo waits: the check would keep them behind its back.
            _ if self.checking => outcome.redraw = false,
            Some(Action::Demo) => self.end = Some(WelcomeEnd::Demo),
            Some(Action::NextField) => self.focus = step(self.focus, 1),
            Some(Action::PrevField) => self.focus = step(self.focus, 2),
            Some(Action::Confirm) => outcome.check = self.submit(),
            Some(editing) => {
                self.fields[index(self.focus)].apply(editing);
            }
            None => match super::keys::typed(key, &contexts) {
                Some(c) => {
                    self.fields[index(self.focus)].type_char(c);
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
        let token = self.text(Field::Token).trim().to_owned();
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
        } else if token.len() > 1024 {
            Some((Field::Token, "That is too long to be a token".to_owned()))
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
        })
    }
}

/// The profile named `typed`, or `None` (the config file's top level) for
/// nothing or "default".
fn top_level_or(typed: &str) -> Option<String> {
    let name = typed.trim();
    (!name.is_empty() && name != crate::config::TOP_LEVEL).then(|| name.to_owned())
}

fn index(field: Field) -> usize {
    FIELDS.iter().position(|f| *f == field).unwrap_or(0)
}

/// The field `by` places on, going round.
fn step(field: Field, by: usize) -> Field {
    FIELDS[(index(field) + by) % FIELDS.len()]
}
