//! The operating system's keychain (macOS Keychain, Windows Credential
//! Manager, the Secret Service on Linux), through the `keyring` crate.
//! Tokens are kept under the service `plivo-dash`, one per profile and auth
//! id ([`user`]).
//!
//! Every call runs on a thread of its own and is given [`LIMIT`]: a locked
//! keychain may wait for a password prompt nobody sees, and a Secret Service
//! that does not answer must not hang a command or the dashboard.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};

/// The service name the tokens are kept under.
pub(crate) const SERVICE: &str = "plivo-dash";
/// How long one keychain call may take.
pub(crate) const LIMIT: Duration = Duration::from_secs(5);
/// Set to anything to leave the keychain alone (a CI runner, a test).
pub(crate) const ENV_OFF: &str = "PLIVO_DASH_NO_KEYCHAIN";

/// Why the keychain could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// There is no keychain here, or it cannot be reached.
    #[error("no keychain available ({0})")]
    Unavailable(String),
    /// It did not answer within [`LIMIT`].
    #[error("the keychain did not answer within {} s (locked?)", LIMIT.as_secs())]
    TimedOut,
    /// It answered with an error.
    #[error("the keychain refused: {0}")]
    Failed(String),
}

/// The keychain entry for `auth_id` under `profile` (`None`: the config
/// file's top level). Two profiles of one account (production and staging
/// URLs, say) keep a token each, and logging out of one leaves the other.
pub fn user(profile: Option<&str>, auth_id: &str) -> String {
    match profile {
        Some(name) => format!("{auth_id} (profile {name})"),
        None => auth_id.to_owned(),
    }
}

/// Whether the keychain is to be used at all (not when [`ENV_OFF`] is set).
pub fn enabled() -> bool {
    std::env::var_os(ENV_OFF).is_none_or(|v| v.is_empty())
}

/// The token kept for the entry `user`, if any.
pub fn get(auth_id: &str) -> Result<Option<SecretString>, KeychainError> {
    let auth_id = auth_id.to_owned();
    bounded(move || match entry(&auth_id)?.get_password() {
        Ok(token) => Ok(Some(SecretString::from(token))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(e) => Err(failed(&e)),
    })
}

/// Keeps `token` in the entry `auth_id` (see [`user`]), replacing any there.
pub fn set(auth_id: &str, token: &SecretString) -> Result<(), KeychainError> {
    let auth_id = auth_id.to_owned();
    let token = token.clone();
    bounded(move || {
        entry(&auth_id)?
            .set_password(token.expose_secret())
            .map_err(|e| failed(&e))
    })
}

/// Removes the entry `auth_id` (see [`user`]); false when there was none.
pub fn delete(auth_id: &str) -> Result<bool, KeychainError> {
    let auth_id = auth_id.to_owned();
    bounded(move || match entry(&auth_id)?.delete_credential() {
        Ok(()) => Ok(true),
        Err(keyring::Error::NoEntry) => Ok(false),
        Err(e) => Err(failed(&e)),
    })
}

fn entry(auth_id: &str) -> Result<keyring::Entry, KeychainError> {
    keyring::Entry::new(SERVICE, auth_id).map_err(|e| failed(&e))
}

/// No keychain at all is `Unavailable` (nothing can be in it); one that is
/// there but locked or refusing is `Failed` (a token may be in it).
fn failed(e: &keyring::Error) -> KeychainError {
    match e {
        // The crate's own words here ("No default store has been set")
        // read like a bug of ours; why the store did not start is news.
        keyring::Error::NoDefaultStore => {
            KeychainError::Unavailable(match keyring::Entry::store_status() {
                Err(why) => format!("none answered: {}", describe(why)),
                Ok(()) => describe(e),
            })
        }
        keyring::Error::NoStorageAccess(_) => {
            KeychainError::Failed(format!("it is locked or refused access ({})", describe(e)))
        }
        e => KeychainError::Failed(describe(e)),
    }
}

/// The keychain's own words, on one line and safe to print; never holds
/// the secret (the crate's errors name the entry, not its password).
fn describe(e: &keyring::Error) -> String {
    crate::text::sanitize(&e.to_string().replace('\n', " "))
}

/// Set once a call has not come back in time: a keychain that hung once is
/// not asked again by this process, so listing ten profiles costs one wait,
/// not ten.
static STUCK: AtomicBool = AtomicBool::new(false);

/// Runs `call` on its own thread, giving up after [`LIMIT`]. A call that
/// does not come back is left to finish (or not) on its thread.
fn bounded<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, KeychainError> + Send + 'static,
) -> Result<T, KeychainError> {
    if !enabled() {
        return Err(KeychainError::Unavailable(format!("{ENV_OFF} is set")));
    }
    within(LIMIT, &STUCK, call)
}

fn within<T: Send + 'static>(
    limit: Duration,
    stuck: &AtomicBool,
    call: impl FnOnce() -> Result<T, KeychainError> + Send + 'static,
) -> Result<T, KeychainError> {
    if stuck.load(Ordering::Relaxed) {
        return Err(KeychainError::TimedOut);
    }
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keychain".to_owned())
        .spawn(move || {
            let _ = tx.send(call());
        })
        .map_err(|e| KeychainError::Unavailable(format!("cannot start a thread: {e}")))?;
    rx.recv_timeout(limit).unwrap_or_else(|_| {
        stuck.store(true, Ordering::Relaxed);
        Err(KeychainError::TimedOut)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_keychain_that_hangs_is_waited_for_once() {
        let stuck = AtomicBool::new(false);
        let limit = Duration::from_millis(50);
        let hang = || {
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        };
        let start = std::time::Instant::now();
        assert_eq!(within(limit, &stuck, hang), Err(KeychainError::TimedOut));
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "gave up at the limit"
        );
        let asked = std::sync::Arc::new(AtomicBool::new(false));
        let flag = asked.clone();
        let call = move || {
            flag.store(true, Ordering::Relaxed);
            Ok(())
        };
        assert_eq!(within(limit, &stuck, call), Err(KeychainError::TimedOut));
        std::thread::sleep(Duration::from_millis(100));
        assert!(!asked.load(Ordering::Relaxed), "not asked again");
        let fresh = AtomicBool::new(false);
        assert_eq!(within(limit, &fresh, || Ok(7)), Ok(7));
    }
}
