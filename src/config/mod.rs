//! Where the credentials and settings come from: flags, then the
//! environment, then the config file. Resolves; never prints.

pub mod credentials;
mod error;
pub mod file;
pub mod keychain;
mod keys;
mod parse;

pub use error::{ConfigError, Missing};
pub use keys::KeysError;
pub use parse::{
    FROM_ENVIRONMENT, Invalid, TOP_LEVEL, TOP_LEVEL_SHOWN, means_top_level, unusable_profile_name,
    validate,
};
use parse::{Profile, parse};

use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use secrecy::{ExposeSecret as _, SecretString};

use std::time::Duration;

use jiff::SignedDuration;

use crate::cli::Global;
use crate::keymap::Keymap;
use crate::monitor::file::HistoryFile;
use crate::plivo::{DEFAULT_API_URL, Limits};

/// The environment variables read, as the official SDKs name them.
pub(crate) const ENV_AUTH_ID: &str = "PLIVO_AUTH_ID";
/// The token's variable.
pub(crate) const ENV_AUTH_TOKEN: &str = "PLIVO_AUTH_TOKEN";
/// The API URL's variable.
pub(crate) const ENV_API_URL: &str = "PLIVO_API_URL";
/// Overrides the config file's location.
pub(crate) const ENV_CONFIG: &str = "PLIVO_DASH_CONFIG";

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
    pub(crate) fn file_only(&self) -> Self {
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
            keychain: crate::config::keychain::enabled(),
        }
    }
}

/// `$XDG_CONFIG_HOME/plivo-dash/config.toml` (usually `~/.config/…`).
pub(crate) fn default_config_path() -> Option<PathBuf> {
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

/// `spike_factor` unless the file says otherwise.
const DEFAULT_SPIKE_FACTOR: Decimal = rust_decimal::dec!(3);

/// How often the dashboard polls unless told otherwise.
pub(crate) const DEFAULT_INTERVAL: Duration = Duration::from_secs(60);

/// How often the usage records are synced unless told otherwise.
pub(crate) const DEFAULT_USAGE_INTERVAL: Duration = Duration::from_secs(300);

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
    /// How many days `usage sync` back-fills a list never synced
    /// (`usage_days`); `None`: what the month ahead needs (the month so far
    /// in any zone, and the last week).
    pub usage_days: Option<u32>,
    /// A spend spike is the last hour above this many times the same
    /// hour's usual (`spike_factor`, above 1).
    pub spike_factor: Decimal,
    /// Spend to a country not seen for 30 days alerts past this many USD
    /// (`new_destination_usd`).
    pub new_destination_usd: Decimal,
    /// How often the dashboard and the exporter sync the usage records in
    /// the background (`usage_interval`).
    pub usage_interval: Duration,
    /// Where the store lives (`$XDG_STATE_HOME/plivo-dash`), and the old
    /// history files until they are moved into it, if the platform has
    /// such a place.
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

/// The config file as read: its tables (none when there is no file) and
/// what it warned about. Read once per resolution, however many accounts
/// that resolves.
struct Loaded {
    file: Option<Profile>,
    warnings: Vec<String>,
    /// The file's path, as messages name it.
    path: String,
}

impl Loaded {
    /// Reads the file `env` points at, if any.
    fn read(env: &Env) -> Result<Self, ConfigError> {
        let mut warnings = Vec::new();
        let file = match &env.config_path {
            Some(path) => read_file(path, env.config_named, &mut warnings)?,
            None => None,
        };
        let path = env
            .config_path
            .as_deref()
            .map_or_else(|| "the config file".to_owned(), |p| p.display().to_string());
        Ok(Self {
            file,
            warnings,
            path,
        })
    }
}

/// The tables a profile's settings come from: its own, then the top level.
#[derive(Clone, Copy)]
struct Layers<'a> {
    named: Option<&'a Profile>,
    top: Option<&'a Profile>,
}

impl Layers<'_> {
    /// A setting from the file: the named profile first, then the top level.
    fn get<T>(self, get: impl Fn(&Profile) -> Option<T>) -> Option<T> {
        self.named
            .and_then(&get)
            .or_else(|| self.top.and_then(&get))
    }

    /// A text setting; an empty value (`auth_token = ""`) is no value: it
    /// falls through.
    fn text(self, get: fn(&Profile) -> Option<&String>) -> Option<String> {
        self.get(|p| {
            get(p)
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        })
    }
}

/// Resolves credentials and settings: flags > environment > config file.
pub fn resolve(global: &Global, env: &Env) -> Result<Settings, ConfigError> {
    resolve_in(global, env, &Loaded::read(env)?)
}

/// [`resolve`], from the file as read.
fn resolve_in(global: &Global, env: &Env, loaded: &Loaded) -> Result<Settings, ConfigError> {
    let (profile, layers) = choose_profile(global, env, loaded)?;
    let auth_id = global
        .auth_id
        .clone()
        .or_else(|| env.auth_id.clone())
        .or_else(|| layers.text(|p| p.auth_id.as_ref()));
    let api_url = global
        .api_url
        .clone()
        .or_else(|| env.api_url.clone())
        .or_else(|| layers.text(|p| p.api_url.as_ref()))
        .unwrap_or_else(|| DEFAULT_API_URL.to_owned());
    let token = find_token(
        env,
        &loaded.path,
        profile.as_deref(),
        layers,
        auth_id.as_deref(),
    );
    let missing = |missing| ConfigError::MissingCredentials {
        missing,
        profile: profile.clone(),
        path: loaded.path.clone(),
    };
    let credentials = match (auth_id.clone(), token) {
        (Some(auth_id), Ok(Some((auth_token, token_source, token_from)))) => Ok(Credentials {
            auth_id,
            auth_token,
            api_url: api_url.clone(),
            token_source,
            token_from,
        }),
        (None, Ok(None)) => Err(missing(Missing::Credentials)),
        (None, _) => Err(missing(Missing::AuthId)),
        (Some(_), Ok(None)) => Err(missing(Missing::AuthToken)),
        (Some(_), Err(keychain)) => Err(keychain),
    };
    let keymap = keymap(layers, &loaded.path)?;
    let days = layers.get(|p| p.history_days).unwrap_or(RETENTION_DAYS);
    Ok(Settings {
        credentials,
        interval: global
            .interval
            .or_else(|| layers.get(|p| p.interval))
            .map_or(DEFAULT_INTERVAL, Duration::from_secs),
        alert_below: global.alert_below.or_else(|| layers.get(|p| p.alert_below)),
        retention: SignedDuration::from_hours(i64::from(days) * 24),
        usage_days: layers.get(|p| p.usage_days),
        spike_factor: layers
            .get(|p| p.spike_factor)
            .unwrap_or(DEFAULT_SPIKE_FACTOR),
        new_destination_usd: layers
            .get(|p| p.new_destination_usd)
            .unwrap_or(Decimal::ONE),
        usage_interval: layers
            .get(|p| p.usage_interval)
            .map_or(DEFAULT_USAGE_INTERVAL, Duration::from_secs),
        state_dir: HistoryFile::default_dir(),
        mouse: layers.get(|p| p.mouse).unwrap_or(true),
        keymap,
        limits: limits(global.timeout),
        warnings: loaded.warnings.clone(),
        profile,
        auth_id,
        api_url,
        on_alert: layers
            .get(|p| p.on_alert.clone())
            .filter(|c| !c.trim().is_empty()),
        notify: layers.get(|p| p.notify).unwrap_or(false),
    })
}

/// The keys, with the file's `[keys]` (top level only) applied.
fn keymap(layers: Layers<'_>, path: &str) -> Result<Keymap, ConfigError> {
    match layers.top.and_then(|p| p.keys.as_ref()) {
        Some(keys) => keys::keymap(keys).map_err(|reason| ConfigError::Keys {
            path: path.to_owned(),
            reason,
        }),
        None => Ok(Keymap::default()),
    }
}

/// The profile the settings are for (`--profile`, or a file whose only
/// account is one named profile), and the tables they come from.
fn choose_profile<'a>(
    global: &Global,
    env: &Env,
    loaded: &'a Loaded,
) -> Result<(Option<String>, Layers<'a>), ConfigError> {
    let file = loaded.file.as_ref();
    // A file whose only account is one named profile: that profile, with
    // no --profile needed.
    let sole = file.and_then(|f| {
        let chosen = global.auth_id.is_some() || env.auth_id.is_some();
        match (f.has_credentials() || chosen, f.profiles.len()) {
            (false, 1) => f.profiles.keys().next().cloned(),
            _ => None,
        }
    });
    let asked = global.profile.clone().filter(|name| {
        !means_top_level(
            name,
            file.is_some_and(|f| f.profiles.contains_key(TOP_LEVEL)),
        )
    });
    let profile = asked.or(sole);
    let named = match (file, &profile) {
        (Some(file), Some(name)) => match file.profiles.get(name) {
            Some(named) => Some(named),
            None => return Err(unknown_profile(name, &loaded.path, file)),
        },
        (None, Some(name)) => {
            return Err(ConfigError::NoConfigFile {
                name: crate::text::sanitize(name),
                path: loaded.path.clone(),
                login: error::shell_word(name),
            });
        }
        (_, None) => None,
    };
    Ok((profile, Layers { named, top: file }))
}

/// A token, what it is called and where it came from.
type Found = (SecretString, String, TokenFrom);

/// The token: `PLIVO_AUTH_TOKEN`, else the file's own for this account,
/// else the keychain's (an error when the keychain cannot say).
fn find_token(
    env: &Env,
    path: &str,
    profile: Option<&str>,
    layers: Layers<'_>,
    auth_id: Option<&str>,
) -> Result<Option<Found>, ConfigError> {
    if let Some(token) = &env.auth_token {
        return Ok(Some((
            token.clone(),
            ENV_AUTH_TOKEN.to_owned(),
            TokenFrom::Environment,
        )));
    }
    // A token in the file is its table's account's: never sent with
    // another account's id (a profile naming another account, or an id
    // from a flag or the environment), perhaps to another host.
    let ours = |table: &&Profile| {
        table
            .auth_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .is_none_or(|id| auth_id.is_some_and(|wanted| wanted.trim().eq_ignore_ascii_case(id)))
    };
    let token = |p: &Profile| {
        p.auth_token
            .clone()
            .filter(|t| !t.expose_secret().trim().is_empty())
    };
    let in_profile = layers.named.filter(ours).and_then(token);
    let source = match (profile, &in_profile) {
        (Some(name), Some(_)) => format!("profile {name:?} in {path}"),
        _ => path.to_owned(),
    };
    if let Some(found) = in_profile.or_else(|| layers.top.filter(ours).and_then(token)) {
        return Ok(Some((found, source, TokenFrom::ConfigFile)));
    }
    // Not in the file: where `login` keeps it, if it knows whose.
    match auth_id {
        Some(id) if env.keychain => keychain::get(&keychain::user(profile, id))
            .map(|token| token.map(|t| (t, format!("the keychain ({id})"), TokenFrom::Keychain)))
            .map_err(|reason| ConfigError::Keychain {
                auth_id: crate::text::sanitize(id),
                reason,
            }),
        _ => Ok(None),
    }
}

/// The profiles the config file holds: the top level first (as
/// [`TOP_LEVEL`]) when it has credentials of its own, then each
/// `[profiles.NAME]` by name.
fn names_in(file: Option<&Profile>) -> Vec<Option<String>> {
    file.map_or_else(Vec::new, |file| {
        let top = file.has_credentials();
        let mut names: Vec<String> = file.profiles.keys().cloned().collect();
        names.sort_by(|a, b| crate::text::natural_cmp(a, b));
        top.then_some(None)
            .into_iter()
            .chain(names.into_iter().map(Some))
            .collect()
    })
}

/// Whether to watch every profile: asked for, or the file has several and
/// nothing chose one (no `--profile`, `--auth-id` or `PLIVO_AUTH_ID`).
fn wants_fleet(global: &Global, env: &Env, loaded: &Loaded) -> bool {
    if global.all_profiles {
        return true;
    }
    let chosen = global.profile.is_some() || global.auth_id.is_some() || env.auth_id.is_some();
    !chosen && names_in(loaded.file.as_ref()).len() > 1
}

/// The settings of every profile in the config file, each resolved as
/// `--profile NAME` would be, from the file alone: one `PLIVO_AUTH_TOKEN`
/// cannot belong to every account, so the credential variables are not
/// read. Flags other than the account's (interval, alert, timeout) apply
/// to all. An empty file, or one without profiles, is an error that says
/// how to add them.
pub fn resolve_all(global: &Global, env: &Env) -> Result<Vec<(String, Settings)>, ConfigError> {
    all_in(global, env, &Loaded::read(env)?)
}

/// [`resolve_all`], from the file as read.
fn all_in(
    global: &Global,
    env: &Env,
    loaded: &Loaded,
) -> Result<Vec<(String, Settings)>, ConfigError> {
    let names = names_in(loaded.file.as_ref());
    // The top level goes by "default", unless a profile has that name.
    let taken = names.iter().any(|n| n.as_deref() == Some(TOP_LEVEL));
    let top = if taken { TOP_LEVEL_SHOWN } else { TOP_LEVEL };
    if names.is_empty() {
        return Err(ConfigError::NoProfiles {
            path: loaded.path.clone(),
            found: loaded.file.is_some(),
        });
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
        let mut settings = resolve_in(&one, &file_only, loaded)?;
        // Said as what it is here: the variables are not read for a fleet.
        if let Err(ConfigError::MissingCredentials { missing, path, .. }) = &settings.credentials {
            settings.credentials = Err(ConfigError::IncompleteProfile {
                profile: shown.clone(),
                missing: *missing,
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

/// The profiles a monitoring command (the dashboard, the exporter)
/// follows, each under its name: every one when `--all-profiles` asks or
/// the file has several and none was chosen; else the one resolved.
pub fn monitored(global: &Global, env: &Env) -> Result<Vec<(String, Settings)>, ConfigError> {
    monitored_in(global, env, &Loaded::read(env)?)
}

/// [`monitored`], from the file as read.
fn monitored_in(
    global: &Global,
    env: &Env,
    loaded: &Loaded,
) -> Result<Vec<(String, Settings)>, ConfigError> {
    if wants_fleet(global, env, loaded) {
        return all_in(global, env, loaded);
    }
    let one = resolve_in(global, env, loaded)?;
    let name = one.profile.clone().unwrap_or_else(|| TOP_LEVEL.to_owned());
    Ok(vec![(name, one)])
}

/// What the dashboard opens: every account it watches, each with its
/// settings, and the one it opens on, if one.
#[derive(Debug)]
pub struct Plan {
    /// The accounts, each under its name.
    pub accounts: Vec<(String, Settings)>,
    /// The account opened among the others, if one was chosen.
    pub open: Option<usize>,
}

/// The dashboard's accounts, resolved from one reading of the file. A
/// profile chosen (by `--profile`, or as the file's only named one) opens
/// among every profile in the file, so switching to another needs no
/// restart; with none chosen, every profile on the fleet screen; an
/// account named by `--auth-id` or `PLIVO_AUTH_ID` alone.
pub fn plan(global: &Global, env: &Env) -> Result<Plan, ConfigError> {
    let loaded = Loaded::read(env)?;
    let chosen = monitored_in(global, env, &loaded)?;
    let alone = Plan {
        accounts: Vec::new(),
        open: None,
    };
    if chosen.len() != 1 || global.auth_id.is_some() || env.auth_id.is_some() {
        return Ok(Plan {
            accounts: chosen,
            ..alone
        });
    }
    let every = Global {
        profile: None,
        ..global.clone()
    };
    let Ok(mut all) = all_in(&every, env, &loaded) else {
        return Ok(Plan {
            accounts: chosen,
            ..alone
        });
    };
    let Some((name, settings)) = chosen.into_iter().next() else {
        return Ok(alone);
    };
    match all.iter().position(|(n, _)| *n == name) {
        Some(i) if all.len() > 1 => {
            // The file's warnings are said once, on the account opened.
            for (_, other) in &mut all {
                other.warnings.clear();
            }
            all[i] = (name, settings);
            Ok(Plan {
                accounts: all,
                open: Some(i),
            })
        }
        _ => Ok(Plan {
            accounts: vec![(name, settings)],
            ..alone
        }),
    }
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
    use super::error::login_flag;
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
                    missing: Missing::AuthToken,
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
                    missing: Missing::AuthToken,
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
usage_days = 45

[profiles.work]
auth_id = "MA0000000000000000BB"
auth_token = "work-token"
alert_below = "2.50"
usage_interval = 900
"#;

    #[test]
    fn every_profile_asked_of_no_file_or_an_empty_one_says_which_and_how_to_add_one() {
        let dir = tempfile::tempdir().unwrap();
        let none = resolve_all(
            &Global::default(),
            &env_with(&dir.path().join("config.toml")),
        )
        .unwrap_err()
        .to_string();
        assert!(none.contains("there is no config file at"), "{none}");
        assert!(none.contains("plivo-dash login --profile NAME"), "{none}");
        let f = file("interval = 30\n", 0o600);
        let empty = resolve_all(&Global::default(), &env_with(f.path()))
            .unwrap_err()
            .to_string();
        assert!(empty.starts_with("no profiles in "), "{empty}");
    }

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
        assert_eq!(s.usage_days, Some(45));
        assert_eq!(s.usage_interval, DEFAULT_USAGE_INTERVAL);
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
        assert_eq!(s.usage_interval, Duration::from_secs(900));
    }

    #[test]
    fn spike_settings_default_and_a_profile_overrides_the_top_level() {
        let f = file(FILE, 0o600);
        let s = resolve(&Global::default(), &env_with(f.path())).unwrap();
        assert_eq!(
            (s.spike_factor, s.new_destination_usd),
            (Decimal::from(3), Decimal::ONE)
        );
        let f = file(
            "auth_id = \"MA0000000000000000AA\"\nauth_token = \"t\"\n\
             spike_factor = 2.5\nnew_destination_usd = 0\n\
             [profiles.work]\nauth_id = \"MA0000000000000000BB\"\nauth_token = \"t\"\n\
             new_destination_usd = \"0.25\"\n",
            0o600,
        );
        let top = resolve(&Global::default(), &env_with(f.path())).unwrap();
        assert_eq!(
            (top.spike_factor, top.new_destination_usd),
            (Decimal::new(25, 1), Decimal::ZERO)
        );
        let work = Global {
            profile: Some("work".into()),
            ..Global::default()
        };
        let s = resolve(&work, &env_with(f.path())).unwrap();
        assert_eq!(
            (s.spike_factor, s.new_destination_usd),
            (Decimal::new(25, 1), Decimal::new(25, 2))
        );
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
            (
                "usage_days = 91\nauth_token = \"s3cr3t-value\"",
                "usage_days must be between 1 and 90",
            ),
            (
                "spike_factor = 1\nauth_token = \"s3cr3t-value\"",
                "spike_factor must be a number above 1",
            ),
            (
                "[profiles.a]\nspike_factor = 0.5\nauth_token = \"s3cr3t-value\"",
                "profile \"a\": spike_factor must be a number above 1",
            ),
            (
                "new_destination_usd = \"-0.01\"\nauth_token = \"s3cr3t-value\"",
                "new_destination_usd must be an amount of 0 USD or more",
            ),
            (
                "new_destination_usd = \"lots\"\nauth_token = \"s3cr3t-value\"",
                "line 1",
            ),
            (
                "usage_interval = 59\nauth_token = \"s3cr3t-value\"",
                "usage_interval must be between 60 and 86400 seconds",
            ),
            (
                "auth_token = \"s3cr3t-value\"\n[profiles.a]\nusage_interval = 86401",
                "profile \"a\": usage_interval must be between 60 and 86400 seconds",
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
    fn keys_are_a_key_or_a_list_of_keys_and_anything_else_names_its_action() {
        let f = file("[keys]\nquit = \"x\"\nrefresh = [\"r\", \"F5\"]\n", 0o600);
        let s = resolve(&Global::default(), &env_with(f.path())).unwrap();
        let quit = crate::keymap::Action::Quit;
        assert_eq!(s.keymap.key_label(quit), "x");
        let refresh = crate::keymap::Action::Refresh;
        assert_eq!(s.keymap.keys_for(refresh).len(), 2);
        for (keys, action) in [
            ("refresh = [\"r\", 5]", "refresh"),
            ("quit = { key = \"x\" }", "quit"),
            ("quit = true", "quit"),
        ] {
            let f = file(&format!("[keys]\n{keys}\n"), 0o600);
            let err = resolve(&Global::default(), &env_with(f.path())).unwrap_err();
            assert!(
                matches!(&err, ConfigError::Keys { reason: KeysError::NotKeys(a), .. } if a == action),
                "{keys}: {err:?}"
            );
            assert!(
                err.to_string()
                    .ends_with(&format!("is not valid: [keys] {action}: give a key as a string, such as \"x\", or a list of them, such as [\"r\", \"F5\"]")),
                "{err}"
            );
        }
        let f = file("[keys]\nquit = \"hyper-q\"\n", 0o600);
        let err = resolve(&Global::default(), &env_with(f.path())).unwrap_err();
        assert!(
            err.to_string()
                .contains("[keys] quit: \"hyper-q\" is not a key"),
            "{err}"
        );
    }

    #[test]
    fn the_plan_opens_a_chosen_profile_among_every_other_from_one_reading() {
        let f = file(
            "[profiles.a]\nauth_id = \"MA2025AAAAAAAAAAAAA1\"\nauth_token = \"ta\"\n\
             [profiles.b]\nauth_id = \"MA2025BBBBBBBBBBBBB1\"\nauth_token = \"tb\"\n",
            0o644,
        );
        let env = env_with(f.path());
        let names =
            |plan: &Plan| -> Vec<String> { plan.accounts.iter().map(|(n, _)| n.clone()).collect() };
        let b = Global {
            profile: Some("b".into()),
            ..Global::default()
        };
        let chosen = plan(&b, &env).unwrap();
        assert_eq!(names(&chosen), ["a", "b"]);
        assert_eq!(chosen.open, Some(1));
        let warned: Vec<bool> = chosen
            .accounts
            .iter()
            .map(|(_, s)| !s.warnings.is_empty())
            .collect();
        assert_eq!(warned, [false, true], "the file's warning, said once, on b");
        let none = plan(&Global::default(), &env).unwrap();
        assert_eq!(
            names(&none),
            ["a", "b"],
            "every profile, on the fleet screen"
        );
        assert_eq!(none.open, None);
        let by_id = Env {
            auth_id: Some("MA2025AAAAAAAAAAAAA1".into()),
            ..env.clone()
        };
        let alone = plan(&Global::default(), &by_id).unwrap();
        assert_eq!(names(&alone), [TOP_LEVEL], "an account named alone");
        assert_eq!(alone.open, None);
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
        let fleet = |env: &Env| wants_fleet(&Global::default(), env, &Loaded::read(env).unwrap());
        assert!(fleet(&Env {
            auth_id: None,
            ..env.clone()
        }));
        assert!(!fleet(&env), "PLIVO_AUTH_ID chose one");

        let empty = file(
            "[profiles.\" \"]\nauth_id = \"MA2025RK4E639VJFZAGV\"\n",
            0o600,
        );
        let error = resolve_all(&Global::default(), &env_with(empty.path())).unwrap_err();
        assert!(error.to_string().contains("cannot be empty"), "{error}");
    }
}
