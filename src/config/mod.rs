//! Where the credentials and settings come from: flags, then the
//! environment, then the config file. Resolves; never prints.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

use std::ops::RangeInclusive;
use std::time::Duration;

use jiff::SignedDuration;

use crate::cli::Global;
use crate::keymap::Keymap;
use crate::monitor::file::HistoryFile;
use crate::plivo::{DEFAULT_API_URL, Limits};

/// The environment variables read, as the official SDKs name them.
pub const ENV_AUTH_ID: &str = "PLIVO_AUTH_ID";
/// The token's variable.
pub const ENV_AUTH_TOKEN: &str = "PLIVO_AUTH_TOKEN";
/// The API URL's variable.
pub const ENV_API_URL: &str = "PLIVO_API_URL";
/// Overrides the config file's location.
pub const ENV_CONFIG: &str = "PLIVO_DASH_CONFIG";

/// The environment as far as configuration goes, read once so resolution can
/// be tested without touching the process environment.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `PLIVO_AUTH_ID`
    pub auth_id: Option<String>,
    /// `PLIVO_AUTH_TOKEN`
    pub auth_token: Option<SecretString>,
    /// `PLIVO_API_URL`
    pub api_url: Option<String>,
    /// The config file to read, if one could be located.
    pub config_path: Option<PathBuf>,
    /// Whether `PLIVO_DASH_CONFIG` named the file: then it must exist.
    pub config_named: bool,
    /// Whether a token missing from the file is looked for in the OS
    /// keychain (not when `PLIVO_DASH_NO_KEYCHAIN` is set).
    pub keychain: bool,
}

impl Env {
    /// This environment without the `PLIVO_*` account variables: the
    /// config file's accounts alone.
    pub fn file_only(&self) -> Self {
        Self {
            auth_id: None,
            auth_token: None,
            api_url: None,
            ..self.clone()
        }
    }

    /// Reads the process environment. Empty variables count as unset.
    pub fn from_process() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let named = var(ENV_CONFIG).map(PathBuf::from);
        Self {
            auth_id: var(ENV_AUTH_ID).map(|v| v.trim().to_owned()),
            auth_token: var(ENV_AUTH_TOKEN).map(|v| SecretString::from(v.trim().to_owned())),
            api_url: var(ENV_API_URL),
            config_named: named.is_some(),
            config_path: named.or_else(default_config_path),
            keychain: crate::keychain::enabled(),
        }
    }
}

/// `$XDG_CONFIG_HOME/plivo-dash/config.toml` (usually `~/.config/…`).
pub fn default_config_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy as _;
    let strategy = etcetera::choose_base_strategy().ok()?;
    Some(strategy.config_dir().join("plivo-dash").join("config.toml"))
}

/// Everything needed to talk to one account.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account id, not yet validated.
    pub auth_id: String,
    /// The token; never displayed.
    pub auth_token: SecretString,
    /// The API base URL.
    pub api_url: String,
    /// Where the token came from, in words: `PLIVO_AUTH_TOKEN`, or the
    /// config file (and profile). Named when the token is refused.
    pub token_source: String,
    /// Where the token came from.
    pub token_from: TokenFrom,
}

/// Where a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFrom {
    /// `PLIVO_AUTH_TOKEN`.
    Environment,
    /// The config file.
    ConfigFile,
    /// The OS keychain (`plivo-dash login` put it there).
    Keychain,
}

impl TokenFrom {
    /// As `profiles` lists it.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenFrom::Environment => "environment",
            TokenFrom::ConfigFile => "config",
            TokenFrom::Keychain => "keychain",
        }
    }
}

/// The seconds `interval` may be, as a flag or in the config file.
pub const INTERVAL_SECS: RangeInclusive<u64> = 1..=86_400;
/// How often the dashboard polls unless told otherwise.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);
/// The days `history_days` may be.
const HISTORY_DAYS: RangeInclusive<u32> = 1..=3650;

/// Everything a command runs with, resolved once (flags > environment >
/// config file) with every default filled in.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Who to talk to, or why that is not known.
    pub credentials: Result<Credentials, ConfigError>,
    /// How often the dashboard polls.
    pub interval: Duration,
    /// Alert when the balance falls below this many USD.
    pub alert_below: Option<Decimal>,
    /// How long credit history is kept.
    pub retention: SignedDuration,
    /// Where the history files live (`$XDG_STATE_HOME/plivo-dash`), if the
    /// platform has such a place.
    pub state_dir: Option<PathBuf>,
    /// Whether the dashboard captures the mouse at start.
    pub mouse: bool,
    /// The keys, with the config file's `[keys]` applied.
    pub keymap: Keymap,
    /// The time limits of a request.
    pub limits: Limits,
    /// Things the user should know but that do not stop the program.
    pub warnings: Vec<String>,
    /// The profile these settings are for (`None`: the file's top level).
    pub profile: Option<String>,
    /// The account id, when one is given, even if the credentials are not
    /// complete (a profile without a token still says whose it is).
    pub auth_id: Option<String>,
    /// The API those credentials are for, even when they are not complete
    /// (a profile of a sandbox logs in again there, not at Plivo).
    pub api_url: String,
    /// A command to run when the balance crosses the alert (`on_alert`).
    pub on_alert: Option<String>,
    /// Also send a desktop notification through the terminal (`notify`).
    pub notify: bool,
}

impl Settings {
    /// The credentials, or why there are none.
    pub fn credentials(&self) -> Result<&Credentials, ConfigError> {
        self.credentials.as_ref().map_err(Clone::clone)
    }
}

/// Why the settings could not be resolved.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    /// No auth id or no token anywhere.
    #[error(
        "no Plivo {missing}: run `plivo-dash login{}`, or set {vars}, or put auth_id and auth_token in {path}; or try `plivo-dash --demo`",
        login_flag(.profile.as_deref())
    )]
    MissingCredentials {
        /// What is missing, in words.
        missing: &'static str,
        /// The profile it is missing from (`None`: the top level).
        profile: Option<String>,
        /// The variables that would provide it.
        vars: &'static str,
        /// Where the config file would be.
        path: String,
    },
    /// The config file exists but cannot be read.
    #[error("cannot read config file {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The config file is not valid.
    #[error("config file {path} is not valid: {reason}")]
    Invalid {
        /// The file.
        path: String,
        /// What is wrong, with its line.
        reason: String,
    },
    /// A profile, watched with every other, lacks its auth id or token.
    #[error(
        "profile {profile:?} in {path} has no {missing}: run `plivo-dash login{}` (with every profile watched, the PLIVO_AUTH_* variables are not read)",
        login_flag(Some(.profile.as_str()))
    )]
    IncompleteProfile {
        /// The profile.
        profile: String,
        /// What is missing, in words.
        missing: &'static str,
        /// The file.
        path: String,
    },
    /// Every profile was asked for, and the file has none.
    #[error("no profiles in {path}: add [profiles.NAME] tables, each with auth_id and auth_token")]
    NoProfiles {
        /// The file.
        path: String,
    },
    /// The token should be in the keychain, which could not give it.
    #[error(
        "the token for {auth_id} is not in the config file and the keychain could not give it: {reason}; run `plivo-dash login` again, or set PLIVO_AUTH_TOKEN"
    )]
    Keychain {
        /// The account.
        auth_id: String,
        /// Why not.
        reason: String,
    },
    /// `--profile` names a profile, and there is no config file at all.
    #[error(
        "no profile {name:?}: there is no config file ({path} does not exist); `plivo-dash login --profile {login}` creates it with that profile"
    )]
    NoConfigFile {
        /// The profile asked for.
        name: String,
        /// Where the file would be.
        path: String,
        /// The profile's name as a shell word.
        login: String,
    },
    /// `--profile` names a profile the file does not have.
    #[error("no profile {name:?} in {path} (profiles there: {available})")]
    UnknownProfile {
        /// The profile asked for.
        name: String,
        /// The file.
        path: String,
        /// The profiles it has.
        available: String,
    },
}

/// The config file, and each profile in it. Top-level keys are the default
/// profile; `[profiles.NAME]` tables are named ones, which fall back to the
/// top level for keys they leave out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Profile {
    auth_id: Option<String>,
    auth_token: Option<SecretString>,
    api_url: Option<String>,
    interval: Option<u64>,
    alert_below: Option<Decimal>,
    history_days: Option<u32>,
    mouse: Option<bool>,
    on_alert: Option<String>,
    notify: Option<bool>,
    /// Action name → a key or a list of keys (top level only), checked
    /// by hand so a wrong type names the action.
    keys: Option<BTreeMap<String, toml::Value>>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

impl Profile {
    /// Whether this table names an account of its own (the top level is
    /// then a profile among the others).
    fn has_credentials(&self) -> bool {
        self.auth_id.is_some() || self.auth_token.is_some()
    }
}

/// Resolves credentials and settings: flags > environment > config file.
pub fn resolve(global: &Global, env: &Env) -> Result<Settings, ConfigError> {
    let path_text = env
        .config_path
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "the config file".to_owned());
    let mut warnings = Vec::new();
    let file = match &env.config_path {
        Some(path) => read_file(path, env.config_named, &mut warnings)?,
        None => None,
    };
    // A file whose only account is one named profile: that profile, with
    // no --profile needed.
    let sole = file.as_ref().and_then(|f| {
        let chosen = global.auth_id.is_some() || env.auth_id.is_some();
        match (f.has_credentials() || chosen, f.profiles.len()) {
            (false, 1) => f.profiles.keys().next().cloned(),
            _ => None,
        }
    });
    let asked = global.profile.clone().filter(|name| {
        !means_top_level(
            name,
            file.as_ref()
                .is_some_and(|f| f.profiles.contains_key(TOP_LEVEL)),
        )
    });
    let profile = asked.or(sole);
    let (top, named) = match (&file, &profile) {
        (Some(file), Some(name)) => match file.profiles.get(name) {
            Some(profile) => (Some(file), Some(profile)),
            None => return Err(unknown_profile(name, &path_text, file)),
        },
        (None, Some(name)) => {
            return Err(ConfigError::NoConfigFile {
                name: crate::text::sanitize(name),
                path: path_text.clone(),
                login: shell_word(name),
            });
        }
        (Some(file), None) => (Some(file), None),
        (None, None) => (None, None),
    };
    // A setting from the file: the named profile first, then the top level.
    fn layered<T>(
        named: Option<&Profile>,
        top: Option<&Profile>,
        get: impl Fn(&Profile) -> Option<T>,
    ) -> Option<T> {
        named.and_then(&get).or_else(|| top.and_then(&get))
    }
    // An empty value (`auth_token = ""`) is no value: it falls through.
    let text = |get: fn(&Profile) -> Option<&String>| {
        layered(named, top, |p| {
            get(p)
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        })
    };
    let token = |p: &Profile| {
        p.auth_token
            .clone()
            .filter(|t| !t.expose_secret().trim().is_empty())
    };
    let auth_id = global
        .auth_id
        .clone()
        .or_else(|| env.auth_id.clone())
        .or_else(|| text(|p| p.auth_id.as_ref()));
    let mut keychain_error = None;
    let auth_token = match &env.auth_token {
        Some(token) => Some((
            token.clone(),
            ENV_AUTH_TOKEN.to_owned(),
            TokenFrom::Environment,
        )),
        None => {
            // A token in the file is its table's account's: never sent
            // with another account's id (a profile naming another account,
            // or an id from a flag or the environment), perhaps to another
            // host.
            let ours = |table: &&Profile| {
                table
                    .auth_id
                    .as_deref()
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .is_none_or(|id| {
                        auth_id
                            .as_deref()
                            .is_some_and(|wanted| wanted.trim().eq_ignore_ascii_case(id))
                    })
            };
            let in_profile = named.filter(ours).and_then(token);
            let source = match (&profile, &in_profile) {
                (Some(name), Some(_)) => format!("profile {name:?} in {path_text}"),
                _ => path_text.clone(),
            };
            let top_token = top.filter(ours).and_then(token);
            let in_file = in_profile
                .or(top_token)
                .map(|token| (token, source, TokenFrom::ConfigFile));
            // Not in the file: where `login` keeps it, if it knows whose.
            let key = |id: &str| crate::keychain::user(profile.as_deref(), id);
            match (in_file, &auth_id) {
                (Some(found), _) => Some(found),
                (None, Some(id)) if env.keychain => match crate::keychain::get(&key(id)) {
                    Ok(token) => {
                        token.map(|t| (t, format!("the keychain ({id})"), TokenFrom::Keychain))
                    }
                    Err(e) => {
                        keychain_error = Some(ConfigError::Keychain {
                            auth_id: crate::text::sanitize(id),
                            reason: e.to_string(),
                        });
                        None
                    }
                },
                (None, _) => None,
            }
        }
    };
    let api_url = global
        .api_url
        .clone()
        .or_else(|| env.api_url.clone())
        .or_else(|| text(|p| p.api_url.as_ref()))
        .unwrap_or_else(|| DEFAULT_API_URL.to_owned());
    let missing = |missing, vars| ConfigError::MissingCredentials {
        missing,
        profile: profile.clone(),
        vars,
        path: path_text.clone(),
    };
    let given_id = auth_id.clone();
    let credentials = match (auth_id, auth_token) {
        (Some(auth_id), Some((auth_token, token_source, token_from))) => Ok(Credentials {
            auth_id,
            auth_token,
            api_url: api_url.clone(),
            token_source,
            token_from,
        }),
        (None, None) => Err(missing("credentials", "PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN")),
        (None, Some(_)) => Err(missing("auth id", "PLIVO_AUTH_ID (or --auth-id)")),
        (Some(_), None) => {
            Err(keychain_error.unwrap_or_else(|| missing("auth token", "PLIVO_AUTH_TOKEN")))
        }
    };
    let keymap = match top.and_then(|p| p.keys.as_ref()) {
        Some(keys) => {
            let invalid = |reason: String| ConfigError::Invalid {
                path: path_text.clone(),
                reason,
            };
            let mut changes = BTreeMap::new();
            for (action, value) in keys {
                let wrong = || {
                    invalid(format!(
                        "[keys] {action}: give a key as a string, such as \"x\", or a list of them, such as [\"r\", \"F5\"]"
                    ))
                };
                let keys = match value {
                    toml::Value::String(key) => vec![key.clone()],
                    toml::Value::Array(items) => items
                        .iter()
                        .map(|item| item.as_str().map(str::to_owned).ok_or_else(wrong))
                        .collect::<Result<Vec<String>, ConfigError>>()?,
                    _ => return Err(wrong()),
                };
                changes.insert(action.clone(), keys);
            }
            Keymap::with_changes(&changes).map_err(invalid)?
        }
        None => Keymap::default(),
    };
    let days = layered(named, top, |p| p.history_days).unwrap_or(RETENTION_DAYS);
    Ok(Settings {
        credentials,
        interval: global
            .interval
            .or_else(|| layered(named, top, |p| p.interval))
            .map_or(DEFAULT_INTERVAL, Duration::from_secs),
        alert_below: global
            .alert_below
            .or_else(|| layered(named, top, |p| p.alert_below)),
        retention: SignedDuration::from_hours(i64::from(days) * 24),
        state_dir: HistoryFile::default_dir(),
        mouse: layered(named, top, |p| p.mouse).unwrap_or(true),
        keymap,
        limits: limits(global.timeout),
        warnings,
        profile,
        auth_id: given_id,
        api_url,
        on_alert: layered(named, top, |p| p.on_alert.clone()).filter(|c| !c.trim().is_empty()),
        notify: layered(named, top, |p| p.notify).unwrap_or(false),
    })
}

/// The name the file's top level goes by among the profiles.
pub const TOP_LEVEL: &str = "default";

/// Whether the profile `name` means the file's top level, as every command
/// reads it: "default" does, unless a profile has that name.
pub fn means_top_level(name: &str, a_profile_is_called_default: bool) -> bool {
    name == TOP_LEVEL && !a_profile_is_called_default
}
/// What the top level is listed as where a profile is called "default".
pub const TOP_LEVEL_SHOWN: &str = "(top level)";
/// What an account the environment names is listed as.
pub const FROM_ENVIRONMENT: &str = "(environment)";

/// Why `name` cannot be a new profile's, if it cannot: the lists use it
/// for something else.
pub fn unusable_profile_name(name: &str) -> Option<String> {
    [TOP_LEVEL_SHOWN, FROM_ENVIRONMENT]
        .contains(&name.trim())
        .then(|| {
            format!(
                "{:?} is what the profile list calls something else: choose another name",
                name.trim()
            )
        })
}

/// The profiles the config file holds: the top level first (as
/// [`TOP_LEVEL`]) when it has credentials of its own, then each
/// `[profiles.NAME]` by name.
pub fn profile_names(env: &Env) -> Result<Vec<Option<String>>, ConfigError> {
    let file = match &env.config_path {
        Some(path) => read_file(path, env.config_named, &mut Vec::new())?,
        None => None,
    };
    Ok(file.map_or_else(Vec::new, |file| {
        let top = file.has_credentials();
        let mut names: Vec<String> = file.profiles.keys().cloned().collect();
        names.sort_by(|a, b| crate::text::natural_cmp(a, b));
        top.then_some(None)
            .into_iter()
            .chain(names.into_iter().map(Some))
            .collect()
    }))
}

/// Whether to watch every profile: asked for, or the file has several and
/// nothing chose one (no `--profile`, `--auth-id` or `PLIVO_AUTH_ID`).
pub fn wants_fleet(global: &Global, env: &Env) -> bool {
    if global.all_profiles {
        return true;
    }
    let chosen = global.profile.is_some() || global.auth_id.is_some() || env.auth_id.is_some();
    !chosen && profile_names(env).is_ok_and(|names| names.len() > 1)
}

/// The settings of every profile in the config file, each resolved as
/// `--profile NAME` would be, from the file alone: one `PLIVO_AUTH_TOKEN`
/// cannot belong to every account, so the credential variables are not
/// read. Flags other than the account's (interval, alert, timeout) apply
/// to all. An empty file, or one without profiles, is an error that says
/// how to add them.
pub fn resolve_all(global: &Global, env: &Env) -> Result<Vec<(String, Settings)>, ConfigError> {
    let names = profile_names(env)?;
    // The top level goes by "default", unless a profile has that name.
    let taken = names.iter().any(|n| n.as_deref() == Some(TOP_LEVEL));
    let top = if taken { TOP_LEVEL_SHOWN } else { TOP_LEVEL };
    let path = env
        .config_path
        .as_deref()
        .map_or_else(|| "the config file".to_owned(), |p| p.display().to_string());
    if names.is_empty() {
        return Err(ConfigError::NoProfiles { path });
    }
    let file_only = env.file_only();
    let mut all: Vec<(String, Settings)> = Vec::with_capacity(names.len());
    for name in names {
        let shown = name.clone().unwrap_or_else(|| top.to_owned());
        let one = Global {
            profile: name,
            auth_id: None,
            api_url: None,
            all_profiles: false,
            ..global.clone()
        };
        let mut settings = resolve(&one, &file_only)?;
        // Said as what it is here: the variables are not read for a fleet.
        if let Err(ConfigError::MissingCredentials { missing, path, .. }) = &settings.credentials {
            settings.credentials = Err(ConfigError::IncompleteProfile {
                profile: shown.clone(),
                missing,
                path: path.clone(),
            });
        }
        // The file's warning is the same for every profile: said once.
        if !all.is_empty() {
            settings.warnings.clear();
        }
        all.push((shown, settings));
    }
    Ok(all)
}

/// The days of history kept unless the config file says otherwise.
const RETENTION_DAYS: u32 = 7;

/// The request limits, with `--timeout` if given.
pub fn limits(timeout: Option<u64>) -> Limits {
    let defaults = Limits::default();
    match timeout {
        Some(secs) => {
            let timeout = Duration::from_secs(secs);
            Limits {
                timeout,
                connect_timeout: defaults.connect_timeout.min(timeout),
                ..defaults
            }
        }
        None => defaults,
    }
}

/// The `--profile` that `login` would need for `profile`, quoted for a
/// shell where it has to be.
fn login_flag(profile: Option<&str>) -> String {
    profile.map_or_else(String::new, |name| {
        format!(" --profile {}", shell_word(name))
    })
}

/// `text` as one shell word, to paste into a command: bare when it is
/// plain, else single-quoted.
fn shell_word(text: &str) -> String {
    let text = crate::text::sanitize(text);
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

fn unknown_profile(name: &str, path: &str, file: &Profile) -> ConfigError {
    let mut names = Vec::new();
    if file.has_credentials() {
        names.push(format!("{TOP_LEVEL} (the top level)"));
    }
    names.extend(file.profiles.keys().map(|n| crate::text::sanitize(n)));
    let available = if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    };
    ConfigError::UnknownProfile {
        name: crate::text::sanitize(name),
        path: path.to_owned(),
        available,
    }
}

/// Whether `text` is a config file plivo-dash can use, or why not (with
/// its line): what `login` checks before it edits one.
pub fn validate(text: &str) -> Result<(), String> {
    parse(text).map(|_| ())
}

/// The config file in `text`, checked.
fn parse(text: &str) -> Result<Profile, String> {
    let file: Profile = toml::from_str(text).map_err(|e| describe_toml_error(&e, text))?;
    check_ranges(&file)?;
    for (name, profile) in &file.profiles {
        if name.trim().is_empty() {
            return Err("a profile's name cannot be empty".to_owned());
        }
        if !profile.profiles.is_empty() {
            return Err(format!("profile {name:?}: profiles cannot nest"));
        }
        if profile.keys.is_some() {
            return Err(format!(
                "profile {name:?}: [keys] belongs at the top of the file, for every profile"
            ));
        }
        check_ranges(profile).map_err(|e| format!("profile {name:?}: {e}"))?;
    }
    Ok(file)
}

/// Reads the config file. A missing file is no error where it is only the
/// default location; one named by `PLIVO_DASH_CONFIG` must exist, or a
/// typo in the name would silently run with no settings at all.
fn read_file(
    path: &Path,
    named: bool,
    warnings: &mut Vec<String>,
) -> Result<Option<Profile>, ConfigError> {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && named => {
            return Err(ConfigError::Read {
                path: shown,
                reason: format!("no such file (named by {ENV_CONFIG})"),
            });
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::Read {
                path: shown,
                reason: e.to_string(),
            });
        }
    };
    let file = parse(&text).map_err(|reason| ConfigError::Invalid {
        path: shown.clone(),
        reason,
    })?;
    let holds_token =
        file.auth_token.is_some() || file.profiles.values().any(|p| p.auth_token.is_some());
    if holds_token && readable_by_others(path) {
        warnings.push(format!(
            "warning: {shown} holds an auth token and can be read by other users; run `chmod 600 {shown}`"
        ));
    }
    if let Some(dir) = writable_by_others(path) {
        let dir = dir.display();
        warnings.push(format!(
            "warning: {shown} is in a directory other users can write to, so they can replace it (and where its token is sent); run `chmod go-w {dir}`"
        ));
    }
    Ok(Some(file))
}

/// The numbers a profile may hold, within their bounds.
fn check_ranges(profile: &Profile) -> Result<(), String> {
    if profile
        .interval
        .is_some_and(|i| !INTERVAL_SECS.contains(&i))
    {
        return Err(format!(
            "interval must be between {} and {} seconds",
            INTERVAL_SECS.start(),
            INTERVAL_SECS.end()
        ));
    }
    if profile
        .history_days
        .is_some_and(|d| !HISTORY_DAYS.contains(&d))
    {
        return Err(format!(
            "history_days must be between {} and {}",
            HISTORY_DAYS.start(),
            HISTORY_DAYS.end()
        ));
    }
    Ok(())
}

/// A TOML error as one line with its position; never the offending text,
/// which might be the token.
fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let message = e
        .message()
        .lines()
        .next()
        .unwrap_or("syntax error")
        .to_owned();
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {message}")
        }
        None => message,
    }
}

#[cfg(unix)]
fn readable_by_others(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o077 != 0)
}

#[cfg(not(unix))]
fn readable_by_others(_: &Path) -> bool {
    false
}

/// The directory holding `path`, if users other than its owner may replace
/// what is in it: writable by group or others, without the sticky bit
/// (which, as on /tmp, keeps them from renaming another's file).
#[cfg(unix)]
fn writable_by_others(path: &Path) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let mode = std::fs::metadata(&dir).ok()?.permissions().mode();
    (mode & 0o022 != 0 && mode & 0o1000 == 0).then_some(dir)
}

#[cfg(not(unix))]
fn writable_by_others(_: &Path) -> Option<std::path::PathBuf> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::io::Write as _;

    fn file(contents: &str, mode: u32) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(contents.as_bytes()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(mode)).unwrap();
        }
        f
    }

    #[test]
    fn a_profile_of_another_account_never_borrows_the_top_level_token() {
        let f = file(
            "auth_id = \"MA2025TOP00000000001\"\nauth_token = \"top-token\"\n\n[profiles.other]\nauth_id = \"MA2025OTHER000000001\"\napi_url = \"http://127.0.0.1:1\"\n\n[profiles.same]\nauth_id = \"MA2025TOP00000000001\"\n\n[profiles.bare]\ninterval = 5\n",
            0o600,
        );
        let env = env_with(f.path());
        let token = |name: &str| {
            let global = Global {
                profile: Some(name.to_owned()),
                ..Global::default()
            };
            resolve(&global, &env)
                .unwrap()
                .credentials
                .map(|c| c.auth_token.expose_secret().to_owned())
        };
        assert!(
            token("other").is_err(),
            "another account: no token of its own"
        );
        assert_eq!(token("same").unwrap(), "top-token", "the same account");
        assert_eq!(token("bare").unwrap(), "top-token", "no account of its own");
        // `--profile default` is the top level.
        let top = resolve(
            &Global {
                profile: Some(TOP_LEVEL.to_owned()),
                ..Global::default()
            },
            &env,
        )
        .unwrap();
        assert_eq!(top.auth_id.as_deref(), Some("MA2025TOP00000000001"));
    }

    #[test]
    fn an_empty_token_is_none_and_the_error_names_the_login_that_mends_it() {
        let f = file(
            "[profiles.\"my work\"]\nauth_id = \"MA0000000000000000BB\"\nauth_token = \" \"\napi_url = \"http://127.0.0.1:9\"\n",
            0o600,
        );
        let env = Env {
            keychain: false,
            ..env_with(f.path())
        };
        let s = resolve(&Global::default(), &env).unwrap();
        let e = s.credentials().unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::MissingCredentials {
                    missing: "auth token",
                    ..
                }
            ),
            "{e:?}"
        );
        assert!(
            e.to_string()
                .contains("run `plivo-dash login --profile 'my work'`"),
            "{e}"
        );
        // Whose it is and where, even without the token.
        assert_eq!(s.auth_id.as_deref(), Some("MA0000000000000000BB"));
        assert_eq!(s.api_url, "http://127.0.0.1:9");
        assert_eq!(login_flag(Some("it's")), r" --profile 'it'\''s'");
        assert_eq!(login_flag(Some("ops-2")), " --profile ops-2");
        assert_eq!(login_flag(None), "");
    }

    #[test]
    fn a_token_in_the_file_is_never_sent_with_another_account_s_id() {
        let f = file(FILE, 0o600);
        let env = Env {
            auth_id: Some("MA0000000000000000EE".into()),
            keychain: false,
            ..env_with(f.path())
        };
        let s = resolve(&Global::default(), &env).unwrap();
        assert!(
            matches!(
                s.credentials,
                Err(ConfigError::MissingCredentials {
                    missing: "auth token",
                    ..
                })
            ),
            "the top level's token is MA…AA's: {:?}",
            s.credentials
        );
        // The same id, however written, is the same account.
        let same = Global {
            auth_id: Some("ma0000000000000000aa".into()),
            ..Global::default()
        };
        let s = resolve(&same, &env_with(f.path())).unwrap();
        assert_eq!(
            s.credentials().unwrap().auth_token.expose_secret(),
            "top-token"
        );
    }

    fn env_with(path: &Path) -> Env {
        Env {
            config_path: Some(path.to_owned()),
            ..Env::default()
        }
    }

    const FILE: &str = r#"
auth_id = "MA0000000000000000AA"
auth_token = "top-token"
interval = 30
history_days = 30

[profiles.work]
auth_id = "MA0000000000000000BB"
auth_token = "work-token"
alert_below = "2.50"
"#;

    #[test]
    fn flags_beat_environment_beat_file() {
        let f = file(FILE, 0o600);
        let mut env = env_with(f.path());
        let s = resolve(&Global::default(), &env).unwrap();
        assert_eq!(s.credentials().unwrap().auth_id, "MA0000000000000000AA");
        assert_eq!(
            s.credentials().unwrap().auth_token.expose_secret(),
            "top-token"
        );
        assert_eq!(s.credentials().unwrap().api_url, DEFAULT_API_URL);
        assert_eq!(s.interval, Duration::from_secs(30));
        assert_eq!(s.retention, SignedDuration::from_hours(30 * 24));
        assert!(s.warnings.is_empty());

        env.auth_id = Some("MA0000000000000000EE".into());
        env.auth_token = Some("env-token".into());
        env.api_url = Some("http://127.0.0.1:1".into());
        let s = resolve(&Global::default(), &env).unwrap();
        assert_eq!(s.credentials().unwrap().auth_id, "MA0000000000000000EE");
        assert_eq!(
            s.credentials().unwrap().auth_token.expose_secret(),
            "env-token"
        );
        assert_eq!(s.credentials().unwrap().api_url, "http://127.0.0.1:1");

        let flags = Global {
            auth_id: Some("MA0000000000000000FF".into()),
            api_url: Some("http://127.0.0.1:2".into()),
            interval: Some(5),
            ..Global::default()
        };
        let s = resolve(&flags, &env).unwrap();
        assert_eq!(s.credentials().unwrap().auth_id, "MA0000000000000000FF");
        assert_eq!(s.credentials().unwrap().api_url, "http://127.0.0.1:2");
        assert_eq!(s.interval, Duration::from_secs(5));
    }

    #[test]
    fn a_named_profile_falls_back_to_the_top_level() {
        let f = file(FILE, 0o600);
        let flags = Global {
            profile: Some("work".into()),
            ..Global::default()
        };
        let s = resolve(&flags, &env_with(f.path())).unwrap();
        assert_eq!(s.credentials().unwrap().auth_id, "MA0000000000000000BB");
        assert_eq!(
            s.credentials().unwrap().auth_token.expose_secret(),
            "work-token"
        );
        assert_eq!(s.alert_below, Some(Decimal::new(250, 2)));
        assert_eq!(s.interval, Duration::from_secs(30));
    }

    #[test]
    fn an_unknown_profile_lists_the_known_ones() {
        let f = file(FILE, 0o600);
        let flags = Global {
            profile: Some("home".into()),
            ..Global::default()
        };
        let err = resolve(&flags, &env_with(f.path()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"home\"") && err.contains("work"), "{err}");
    }

    #[test]
    fn missing_credentials_name_every_way_to_give_them() {
        let env = env_with(Path::new("/nonexistent/plivo-dash/config.toml"));
        let err = resolve(&Global::default(), &env)
            .and_then(|s| s.credentials().cloned())
            .unwrap_err()
            .to_string();
        for needle in [
            "PLIVO_AUTH_ID",
            "PLIVO_AUTH_TOKEN",
            "/nonexistent/plivo-dash/config.toml",
            "--demo",
        ] {
            assert!(err.contains(needle), "{needle} missing from: {err}");
        }
        let env = Env {
            auth_id: Some("MA0000000000000000AA".into()),
            ..env
        };
        let err = resolve(&Global::default(), &env)
            .and_then(|s| s.credentials().cloned())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("no Plivo auth token"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn a_token_others_can_read_draws_a_warning() {
        let f = file(FILE, 0o644);
        let s = resolve(&Global::default(), &env_with(f.path())).unwrap();
        assert_eq!(s.warnings.len(), 1);
        assert!(s.warnings[0].contains("chmod 600"), "{:?}", s.warnings);
    }

    #[test]
    fn invalid_files_say_where_without_echoing_secrets() {
        for (contents, expect) in [
            ("auth_token = \"s3cr3t-value\nauth_id = 1", "line 1"),
            ("auth_id = 5\nauth_token = \"s3cr3t-value\"", "line 1"),
            ("auth_token = \"s3cr3t-value\"\ncolour = \"red\"", "line 2"),
            (
                "interval = 0\nauth_token = \"s3cr3t-value\"",
                "between 1 and 86400",
            ),
            (
                "history_days = 0\nauth_token = \"s3cr3t-value\"",
                "history_days must be",
            ),
        ] {
            let f = file(contents, 0o600);
            let err = resolve(&Global::default(), &env_with(f.path()))
                .unwrap_err()
                .to_string();
            assert!(err.contains(expect), "{expect} missing from: {err}");
            assert!(!err.contains("s3cr3t-value"), "secret leaked: {err}");
        }
    }

    #[test]
    fn a_named_config_file_that_does_not_exist_is_an_error() {
        let env = Env {
            config_path: Some("/nonexistent/plivo.toml".into()),
            config_named: true,
            ..Env::default()
        };
        let err = resolve(&Global::default(), &env)
            .and_then(|s| s.credentials().cloned())
            .unwrap_err()
            .to_string();
        assert!(err.contains("/nonexistent/plivo.toml"), "{err}");
        assert!(err.contains(ENV_CONFIG), "{err}");
    }

    #[test]
    fn the_token_source_is_named() {
        let f = file(FILE, 0o600);
        let mut env = env_with(f.path());
        let s = resolve(&Global::default(), &env).unwrap();
        assert_eq!(
            s.credentials().unwrap().token_source,
            f.path().display().to_string()
        );
        let work = Global {
            profile: Some("work".into()),
            ..Global::default()
        };
        let s = resolve(&work, &env).unwrap();
        assert!(
            s.credentials()
                .unwrap()
                .token_source
                .starts_with("profile \"work\" in "),
            "{}",
            s.credentials().unwrap().token_source
        );
        env.auth_token = Some("env-token".into());
        let s = resolve(&work, &env).unwrap();
        assert_eq!(s.credentials().unwrap().token_source, ENV_AUTH_TOKEN);
    }

    #[test]
    fn every_profile_resolves_from_the_file_alone_and_names_stay_apart() {
        let f = file(
            "auth_id = \"MA2025RK4E639VJFZAGV\"\nauth_token = \"top\"\ninterval = 30\n\
             [profiles.default]\nauth_id = \"MA2025DEFAULT0000001\"\nauth_token = \"d\"\n\
             [profiles.s10]\nauth_id = \"MA2025S10000000000001\"\n\
             [profiles.s9]\nauth_id = \"MA2025S90000000000001\"\nauth_token = \"n\"\nalert_below = 3\n",
            0o600,
        );
        let mut env = env_with(f.path());
        env.auth_token = Some(SecretString::from("from-env"));
        env.auth_id = Some("MA2025ENV00000000001".into());
        let all = resolve_all(&Global::default(), &env).unwrap();
        let names: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["(top level)", "default", "s9", "s10"]);
        let token = |i: usize| {
            all[i]
                .1
                .credentials
                .as_ref()
                .map(|c| c.auth_token.expose_secret().to_owned())
        };
        assert_eq!(token(0).unwrap(), "top", "the variables are not read");
        assert_eq!(token(1).unwrap(), "d");
        assert_eq!(token(2).unwrap(), "n");
        assert_eq!(all[2].1.alert_below, Some(Decimal::from(3)));
        assert_eq!(
            all[2].1.interval,
            Duration::from_secs(30),
            "the top level's"
        );
        // A profile without a token still says whose it is; its own token
        // is missing, so it falls back to the top level's.
        assert_eq!(all[3].1.auth_id.as_deref(), Some("MA2025S10000000000001"));
        assert!(wants_fleet(
            &Global::default(),
            &Env {
                auth_id: None,
                ..env.clone()
            }
        ));
        assert!(
            !wants_fleet(&Global::default(), &env),
            "PLIVO_AUTH_ID chose one"
        );

        let empty = file(
            "[profiles.\" \"]\nauth_id = \"MA2025RK4E639VJFZAGV\"\n",
            0o600,
        );
        let error = resolve_all(&Global::default(), &env_with(empty.path())).unwrap_err();
        assert!(error.to_string().contains("cannot be empty"), "{error}");
    }
}
