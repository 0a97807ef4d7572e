//! Why the settings could not be resolved, as the user is told it.

use super::keychain::KeychainError;
use super::keys::KeysError;
use super::parse::Invalid;

/// What an account lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Missing {
    /// Both the auth id and the token.
    #[error("credentials")]
    Credentials,
    /// The auth id (a token alone).
    #[error("auth id")]
    AuthId,
    /// The token (an auth id alone).
    #[error("auth token")]
    AuthToken,
}

impl Missing {
    /// The variables that would provide it.
    fn vars(self) -> &'static str {
        match self {
            Missing::Credentials => "PLIVO_AUTH_ID and PLIVO_AUTH_TOKEN",
            Missing::AuthId => "PLIVO_AUTH_ID (or --auth-id)",
            Missing::AuthToken => "PLIVO_AUTH_TOKEN",
        }
    }
}

/// Why the settings could not be resolved.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ConfigError {
    /// No auth id or no token anywhere.
    #[error(
        "no Plivo {missing}: run `plivo-dash login{}`, or set {}, or put auth_id and auth_token in {path}; or try `plivo-dash --demo`",
        login_flag(.profile.as_deref()),
        .missing.vars()
    )]
    MissingCredentials {
        /// What is missing.
        missing: Missing,
        /// The profile it is missing from (`None`: the top level).
        profile: Option<String>,
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
        reason: Invalid,
    },
    /// The config file's `[keys]` cannot be applied.
    #[error("config file {path} is not valid: {reason}")]
    Keys {
        /// The file.
        path: String,
        /// What is wrong with which action's keys.
        reason: KeysError,
    },
    /// A profile, watched with every other, lacks its auth id or token.
    #[error(
        "profile {profile:?} in {path} has no {missing}: run `plivo-dash login{}` (with every profile watched, the PLIVO_AUTH_* variables are not read)",
        login_flag(Some(.profile.as_str()))
    )]
    IncompleteProfile {
        /// The profile.
        profile: String,
        /// What is missing.
        missing: Missing,
        /// The file.
        path: String,
    },
    /// Every profile was asked for, and the file has none (or there is no
    /// file).
    #[error(
        "{} {path}: `plivo-dash login --profile NAME` adds one, or add [profiles.NAME] tables, each with auth_id and auth_token",
        if *found { "no profiles in" } else { "no profiles: there is no config file at" }
    )]
    NoProfiles {
        /// The file.
        path: String,
        /// Whether the file is there.
        found: bool,
    },
    /// The token should be in the keychain, which could not give it.
    #[error(
        "the token for {auth_id} is not in the config file and the keychain could not give it: {reason}; run `plivo-dash login` again, or set PLIVO_AUTH_TOKEN"
    )]
    Keychain {
        /// The account.
        auth_id: String,
        /// Why not.
        reason: KeychainError,
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

/// The `--profile` that `login` would need for `profile`, quoted for a
/// shell where it has to be.
pub(super) fn login_flag(profile: Option<&str>) -> String {
    profile.map_or_else(String::new, |name| {
        format!(" --profile {}", shell_word(name))
    })
}

/// `text` as one shell word, to paste into a command: bare when it is
/// plain, else single-quoted.
pub(super) fn shell_word(text: &str) -> String {
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
