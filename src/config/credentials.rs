//! Checking an account's credentials with Plivo and keeping them: what
//! `login` and the dashboard's welcome screen share. The token goes to the
//! OS keychain when one answers, else into the config file.

use std::path::Path;

use secrecy::SecretString;

use super::file::{ConfigFile, FileError};
use super::keychain;
use crate::plivo::{Account, ApiError, Client, Http, Limits};

/// The longest token taken, typed or pasted: Plivo's are 40 characters.
pub(crate) const MAX_TOKEN: usize = 1024;

/// One GET of the account with these credentials.
pub async fn check(
    http: &Http,
    api_url: &str,
    auth_id: &str,
    token: &SecretString,
    limits: Limits,
) -> Result<Account, ApiError> {
    Client::with_limits(http, api_url, auth_id, token.clone(), limits)?
        .get_account()
        .await
}

/// Keeps `auth_id` and `token` (and `api_url`, if given) under `profile`
/// (`None`: the file's top level) in the config file at `path`, the token
/// in the keychain when one answers. Says where the token went. Blocking:
/// the keychain and the disk.
pub fn keep(
    path: &Path,
    profile: Option<&str>,
    auth_id: &str,
    token: &SecretString,
    api_url: Option<&str>,
) -> Result<String, FileError> {
    let mut file = ConfigFile::open(path)?;
    let profile = file.table_named(profile);
    // The profile's old account, if it changes: its token goes, and that
    // is said (a name typed for a new profile may have been taken).
    let replaced = file
        .text(profile, "auth_id")
        .map(|old| old.trim().to_owned())
        .filter(|old| !old.is_empty() && !old.eq_ignore_ascii_case(auth_id));
    if let Some(old) = &replaced {
        let _ = keychain::delete(&keychain::user(profile, old));
    }
    let place = match keychain::set(&keychain::user(profile, auth_id), token) {
        Ok(()) => {
            file.set_credentials(profile, auth_id, None, api_url);
            "token stored in the keychain".to_owned()
        }
        Err(e) => {
            file.set_credentials(profile, auth_id, Some(token), api_url);
            format!("token stored in the config file: {e}")
        }
    };
    file.save()?;
    Ok(match replaced {
        Some(old) => format!(
            "{place}; the profile was {}'s until now",
            crate::text::sanitize(&old)
        ),
        None => place,
    })
}
