//! `login`, `logout` and `profiles`: credentials checked once and kept,
//! the token in the OS keychain when one answers, else in the config file
//! (edited in place, written atomically, 0600).

use std::io::{BufRead as _, IsTerminal as _};

use secrecy::SecretString;

use super::{Exit, Failure};
use crate::cli::{Global, LoginArgs};
use crate::config;
use crate::config::file::ConfigFile;
use crate::config::keychain;
use crate::plivo::{AuthId, ErrorClass, Http};

/// Where the config file is, or why there is none to write.
fn config_path(env: &config::Env) -> Result<std::path::PathBuf, Failure> {
    env.config_path.clone().ok_or_else(|| {
        Failure::Usage(format!(
            "no place for a config file (no home directory): set {}",
            config::ENV_CONFIG
        ))
    })
}

/// `login`: asks for what the flags leave out, checks it with one request
/// (unless `--no-verify`), then keeps it. Says what it did on stdout.
pub async fn login(global: &Global, http: &Http, args: &LoginArgs) -> Result<String, Failure> {
    let env = config::Env::from_process();
    let path = config_path(&env)?;
    if let Some(name) = &global.profile {
        if name.trim().is_empty() {
            return Err(Failure::Usage("a profile needs a name".to_owned()));
        }
        if let Some(why) = config::unusable_profile_name(name) {
            return Err(Failure::Usage(why));
        }
    }
    // A file that cannot be edited is said before anything is asked.
    let file = ConfigFile::open(&path)?;
    let profile = file.table_named(global.profile.as_deref());
    let stored_url = file.text(profile, "api_url");
    // Logging in again (after `logout`, say): the profile's own account
    // unless another is named.
    let stored_id = file
        .text(profile, "auth_id")
        .map(|id| id.trim().to_owned())
        .filter(|id| AuthId::parse(id).is_ok());
    let shown_profile = file.shown_name(profile);
    drop(file);
    let auth_id = match (
        global.auth_id.clone().or_else(|| env.auth_id.clone()),
        stored_id,
    ) {
        (Some(id), _) => id,
        (None, Some(id)) if !std::io::stdin().is_terminal() => id,
        (None, Some(id)) => ask_auth_id(&format!("Auth ID [{id}]: "))?.unwrap_or(id),
        (None, None) => ask_auth_id("Auth ID (MA… or SA…, from console.plivo.com): ")?
            .ok_or_else(|| Failure::Usage("no auth id was given; nothing was stored".to_owned()))?,
    };
    let auth_id = AuthId::parse(auth_id.trim())?.to_string();
    // At a terminal the token is asked for unseen, whatever the flags say.
    let token = if args.auth_token_stdin && !std::io::stdin().is_terminal() {
        read_token_from_stdin()?
    } else {
        ask_token().await?
    };
    let given_url = global.api_url.clone().or_else(|| env.api_url.clone());
    // Checked where it will be used: the profile's own API when none is given.
    let api_url = given_url.clone().or(stored_url);
    let mut answer = String::new();
    if !args.no_verify {
        let checked = crate::config::credentials::check(
            http,
            api_url.as_deref().unwrap_or(crate::plivo::DEFAULT_API_URL),
            &auth_id,
            &token,
            config::limits(global.timeout),
        );
        match checked.await {
            Ok(account) => {
                answer = format!(
                    "{} ({auth_id}), {} USD",
                    crate::text::sanitize(&account.name),
                    account.cash_credits
                );
            }
            Err(e) if e.class() == ErrorClass::Auth => {
                return Err(Failure::Refused {
                    error: e,
                    token_source: "the one given to login; nothing was stored".to_owned(),
                });
            }
            Err(e) if e.class() == ErrorClass::Transient => return Err(Failure::Unchecked(e)),
            Err(e) => return Err(Failure::Api(e)),
        }
    }
    let place =
        crate::config::credentials::keep(&path, profile, &auth_id, &token, given_url.as_deref())?;
    let checked = if args.no_verify {
        format!("{auth_id} (not checked)")
    } else {
        answer
    };
    Ok(format!(
        "Logged in as {checked} · profile {} in {} · {place}\n",
        shown_profile,
        path.display()
    ))
}

/// The auth id, typed at the terminal after `prompt` on stderr; `None`
/// for an empty answer.
fn ask_auth_id(prompt: &str) -> Result<Option<String>, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "no terminal to ask on: give --auth-id (or PLIVO_AUTH_ID)".to_owned(),
        ));
    }
    // The answer is typed on the prompt's line.
    let mut err = std::io::stderr().lock();
    let _ = std::io::Write::write_all(&mut err, prompt.as_bytes());
    let _ = std::io::Write::flush(&mut err);
    drop(err);
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::Usage(format!("cannot read the answer: {e}")))?;
    Ok(Some(line.trim().to_owned()).filter(|id| !id.is_empty()))
}

/// The token, typed with nothing shown. The prompt turns the terminal's
/// echo off; a stop signal meanwhile (Ctrl-C) would leave it off for the
/// shell, so it is caught, the echo put back, and the command ended.
async fn ask_token() -> Result<SecretString, Failure> {
    if !std::io::stdin().is_terminal() {
        return Err(Failure::Usage(
            "no terminal to ask for the token on: pipe it in with --auth-token-stdin".to_owned(),
        ));
    }
    let modes = TerminalModes::now();
    let mut stop = crate::signals::Stop::new()
        .map_err(|e| Failure::Usage(format!("cannot watch for signals: {e}")))?;
    // A thread of its own, not tokio's blocking pool: a read still waiting
    // when a signal ends the command must not hold the runtime's shutdown.
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = tx.send(rpassword::prompt_password(
            "Auth token (not shown as you type): ",
        ));
    });
    let stopped = |signal| {
        modes.restore();
        crate::say!();
        Failure::Stopped(signal)
    };
    tokio::select! {
        biased;
        signal = stop.recv() => Err(stopped(signal)),
        typed = rx => match typed {
            Ok(Ok(typed)) => nonempty(typed),
            // The signal's handler cut the read short: it is on its way.
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::Interrupted => {
                match tokio::time::timeout(std::time::Duration::from_secs(1), stop.recv()).await {
                    Ok(signal) => Err(stopped(signal)),
                    Err(_) => {
                        modes.restore();
                        Err(Failure::Usage(format!("cannot read the token: {e}")))
                    }
                }
            }
            // Ctrl-D: nothing ended the prompt's line.
            Ok(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                crate::say!();
                Err(Failure::Usage("no token was given; nothing was stored".to_owned()))
            }
            Ok(Err(e)) => {
                crate::say!();
                Err(Failure::Usage(format!("cannot read the token: {e}")))
            }
            Err(_) => Err(Failure::Usage("cannot read the token".to_owned())),
        },
    }
}

/// The terminal's modes as they were, to put back.
struct TerminalModes {
    #[cfg(unix)]
    saved: Option<(std::fs::File, rustix::termios::Termios)>,
}

impl TerminalModes {
    /// The controlling terminal's modes now (what the prompt reads from).
    fn now() -> Self {
        #[cfg(unix)]
        {
            let saved = std::fs::File::open("/dev/tty")
                .ok()
                .and_then(|tty| rustix::termios::tcgetattr(&tty).ok().map(|m| (tty, m)));
            Self { saved }
        }
        #[cfg(not(unix))]
        Self {}
    }

    fn restore(&self) {
        #[cfg(unix)]
        if let Some((tty, modes)) = &self.saved {
            let _ = rustix::termios::tcsetattr(tty, rustix::termios::OptionalActions::Now, modes);
        }
    }
}

/// The token, the first line of standard input.
fn read_token_from_stdin() -> Result<SecretString, Failure> {
    use std::io::Read as _;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .take(crate::config::credentials::MAX_TOKEN as u64 + 2)
        .read_line(&mut line)
        .map_err(|e| Failure::Usage(format!("cannot read the token from standard input: {e}")))?;
    nonempty(line)
}

fn nonempty(text: String) -> Result<SecretString, Failure> {
    let token = text.trim();
    if token.is_empty() {
        return Err(Failure::Usage(
            "no token was given; nothing was stored".to_owned(),
        ));
    }
    if token.len() > crate::config::credentials::MAX_TOKEN
        || token.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(Failure::Usage(
            "that is not a token (Plivo's are 40 letters and digits, on one line); nothing was stored"
                .to_owned(),
        ));
    }
    Ok(SecretString::from(token.to_owned()))
}

/// `logout`: removes the profile's token from the keychain and the config
/// file, saying from where; the auth id stays, for the next `login`.
pub fn logout(global: &Global) -> Result<String, Failure> {
    let env = config::Env::from_process();
    let path = config_path(&env)?;
    let file_only = config::Env {
        keychain: false,
        ..env.file_only()
    };
    let one = Global {
        profile: global.profile.clone(),
        ..Global::default()
    };
    // The profile `get` would use: the one named, or the file's only one.
    let settings = config::resolve(&one, &file_only)?;
    let profile = settings.profile.as_deref();
    let mut file = ConfigFile::open(&path)?;
    let shown = file.shown_name(profile);
    let mut said = Vec::new();
    if file.remove_token(profile) {
        file.save()?;
        said.push(format!("the config file {}", path.display()));
    }
    if let Some(auth_id) = &settings.auth_id {
        match keychain::delete(&keychain::user(profile, auth_id)) {
            Ok(true) => said.insert(0, "the keychain".to_owned()),
            Ok(false) => {}
            // No keychain here: nothing can be in it.
            Err(keychain::KeychainError::Unavailable(_)) => {}
            Err(e) => {
                return Err(Failure::Usage(format!(
                    "{e}: a token kept there for profile {shown} may still be there{}",
                    if said.is_empty() {
                        String::new()
                    } else {
                        format!(" (it was removed from {})", said.join(""))
                    }
                )));
            }
        }
    }
    let mut text = if said.is_empty() {
        format!("No token was kept for profile {shown}.\n")
    } else {
        format!(
            "Removed the token of profile {shown} from {}.\n",
            said.join(" and ")
        )
    };
    // A profile of the top level's account borrows the top level's token
    // from the file: logging it out leaves that one, so say which and how
    // it goes (it is the top level's too, so it is not removed unasked).
    let still = config::resolve(&one, &file_only)
        .ok()
        .filter(|s| s.credentials().is_ok());
    if let (Some(still), Some(_)) = (still, profile) {
        let how = if file.shown_name(None) == config::TOP_LEVEL {
            format!("`plivo-dash logout --profile {}`", config::TOP_LEVEL)
        } else {
            format!(
                "deleting the top level's auth_token line in {}",
                path.display()
            )
        };
        let id = still
            .auth_id
            .as_deref()
            .map(crate::text::sanitize)
            .unwrap_or_default();
        text.push_str(&format!(
            "Profile {shown} still authenticates: it is the top level's account ({id}) and uses the top level's token in {}. {how} removes that token, for the top level too.\n",
            path.display()
        ));
    }
    if env.auth_token.is_some() {
        text.push_str(&format!(
            "{} is still set in this environment.\n",
            config::ENV_AUTH_TOKEN
        ));
    }
    Ok(text)
}

/// `profiles`: every profile, its auth id and where its token lives, the
/// one used without `--profile` marked `*`; with `verify`, whether each
/// works (one request each, spread as `get --all-profiles` spreads them).
pub async fn profiles(
    global: &Global,
    http: &Http,
    verify: bool,
) -> Result<(String, Exit), Failure> {
    let env = config::Env::from_process();
    // An account the environment names whole is what `get` uses, before
    // any profile: listed (and checked) first.
    let from_env = (env.auth_id.is_some() && env.auth_token.is_some())
        .then(|| {
            config::resolve(
                &Global {
                    profile: None,
                    ..global.clone()
                },
                &env,
            )
        })
        .transpose()?;
    let mut all = match super::resolve_all(global) {
        Ok(all) => all,
        // No profiles, but the environment names an account: that one.
        Err(Failure::Config(config::ConfigError::NoProfiles { .. })) if from_env.is_some() => {
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    if let Some(settings) = from_env {
        all.insert(0, (config::FROM_ENVIRONMENT.to_owned(), settings));
    }
    // The row `get` without --profile would use: the environment's, else
    // the profile the file resolves to (the top level is `None`).
    let default = match all.first() {
        Some((name, _)) if name == config::FROM_ENVIRONMENT => Some(0),
        _ => config::resolve(
            &Global {
                profile: None,
                auth_id: None,
                ..global.clone()
            },
            &env.file_only(),
        )
        .ok()
        .and_then(|d| all.iter().position(|(_, s)| s.profile == d.profile)),
    };
    // The profiles as resolved above: their keychain is not asked twice.
    let checks = if verify {
        Some(super::fleet::fetch_each(http, all.clone()).await)
    } else {
        None
    };
    let mut rows = vec![[
        String::new(),
        "PROFILE".to_owned(),
        "AUTH ID".to_owned(),
        "TOKEN".to_owned(),
        if verify {
            "CHECK".to_owned()
        } else {
            String::new()
        },
    ]];
    let exit = checks
        .as_deref()
        .map_or(Exit::Ok, super::fleet::first_failure);
    for (i, (name, settings)) in all.iter().enumerate() {
        let token = match &settings.credentials {
            Ok(c) => c.token_from.as_str().to_owned(),
            Err(config::ConfigError::Keychain { .. }) => "keychain (unreadable)".to_owned(),
            Err(_) => "none".to_owned(),
        };
        let check = match checks.as_ref().and_then(|c| c.get(i)) {
            Some(f) => match &f.result {
                Ok(account) => format!("ok: {} USD", account.cash_credits),
                Err(e) => format!("failed: {e}"),
            },
            None => String::new(),
        };
        let marked = default == Some(i);
        rows.push([
            if marked { "*" } else { " " }.to_owned(),
            crate::text::sanitize(name),
            crate::text::sanitize(settings.auth_id.as_deref().unwrap_or("-")),
            token,
            check,
        ]);
    }
    let mut text = table(&rows);
    match (&env.auth_id, &env.auth_token) {
        (None, Some(_)) => text.push_str(&format!(
            "{} is set: it is used instead of these tokens (but not with --all-profiles).\n",
            config::ENV_AUTH_TOKEN
        )),
        (Some(id), None) => text.push_str(&format!(
            "{} is set: commands ask for {}, with a token only a profile of that account (or {}) gives.\n",
            config::ENV_AUTH_ID,
            crate::text::sanitize(id),
            config::ENV_AUTH_TOKEN
        )),
        _ => {}
    }
    Ok((text, exit))
}

/// Rows padded into columns by their width on a terminal.
fn table(rows: &[[String; 5]]) -> String {
    use unicode_width::UnicodeWidthStr as _;
    let mut widths = [0; 5];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut text = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
            if i > 0 {
                line.push(' ');
            }
            line.push_str(cell);
            line.push_str(&" ".repeat(w - cell.width()));
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}
