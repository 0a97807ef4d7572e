//! `sandbox`: the Plivo-compatible server alone, in the foreground, until a
//! signal stops it.

use std::net::SocketAddr;
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};

use super::{Exit, print_out};
use crate::cli::{Global, SandboxArgs};
use crate::listen;
use crate::plivo::AuthId;
use crate::sandbox;
use crate::signals::Stop;

/// The balances the accounts after the first start with, in turn: a
/// spread of small, middling and large, so a fleet has something to sort.
const BALANCES: [&str; 5] = [
    "250.00000",
    "42.50000",
    "5000.00000",
    "12.75000",
    "980.20000",
];

/// Serves until stopped; prints the lines to paste into another shell (or,
/// for several accounts, a config file with a profile each).
pub async fn run(global: &Global, args: SandboxArgs) -> Exit {
    let first = sandbox::Options {
        listen: args.listen,
        auth_id: global
            .auth_id
            .clone()
            .unwrap_or_else(|| sandbox::DEFAULT_AUTH_ID.to_owned()),
        auth_token: SecretString::from(
            args.auth_token
                .clone()
                .unwrap_or_else(sandbox::random_token),
        ),
        drain_per_min: args.drain,
        traffic_days: args.traffic,
        traffic_scale: args.traffic_scale,
        pumping: args
            .pumping
            .map(|secs| sandbox::Pumping::starting(Duration::from_secs(secs))),
        latency: Duration::from_millis(args.latency),
        // The list's 20 requests, in the window that gives this rate.
        message_window: Duration::from_secs(60) * crate::cli::MESSAGE_RATE / args.message_rate,
        fail_rate: args.fail_rate,
        faults: args.faults.clone(),
        subaccounts: args.subaccounts,
        ..sandbox::Options::default()
    };
    // Listening for signals before anything is printed: a script that
    // stops the sandbox as soon as it has read the lines gets a clean exit.
    let mut stop = match Stop::new() {
        Ok(stop) => stop,
        Err(e) => {
            crate::say!("plivo-dash: cannot listen for signals: {e}");
            return Exit::Failed;
        }
    };
    if let Err(e) = AuthId::parse(&first.auth_id) {
        crate::say!("plivo-dash: {e}");
        return Exit::Usage;
    }
    let mut handles = Vec::new();
    for i in 0..args.accounts {
        let options = if i == 0 {
            first.clone()
        } else {
            account(&first, &args, i)
        };
        match sandbox::spawn(options).await {
            Ok(h) => handles.push(h),
            Err(e) => {
                crate::say!("plivo-dash: cannot listen on {}: {e}", listen_of(&args, i));
                return Exit::Unreachable;
            }
        }
    }
    // The sandbox's tokens are made up and meant to be pasted, so printing
    // them is the point; a real Plivo token is never printed anywhere.
    // Unwritten (a full disk), the lines are still said on stderr below.
    let _ = print_out(&match handles.as_slice() {
        [one] => format!(
            "export PLIVO_API_URL={}\nexport PLIVO_AUTH_ID={}\nexport PLIVO_AUTH_TOKEN={}\n",
            reachable_url(&one.base_url),
            one.auth_id,
            one.auth_token.expose_secret()
        ),
        many => config_file(many),
    });
    for h in &handles {
        crate::say!(
            "plivo-dash sandbox: serving {} at {}",
            h.auth_id,
            h.base_url
        );
    }
    crate::say!("plivo-dash sandbox: Ctrl-C stops it");
    let serving = handles.into_iter().map(|h| Box::pin(h.serve_forever()));
    tokio::select! {
        (result, _, _) = futures_util::future::select_all(serving) => match result {
            Ok(()) => Exit::Ok,
            Err(e) => {
                crate::say!("plivo-dash: sandbox failed: {e}");
                Exit::Unreachable
            }
        },
        signal = stop.recv() => Exit::from(signal),
    }
}

/// Account `i` (from 1) of several: its own id, token, balance, drain
/// (the first's times `i + 1`) and traffic, on the next port when one was
/// given.
fn account(first: &sandbox::Options, args: &SandboxArgs, i: u16) -> sandbox::Options {
    let mut account = sandbox::demo_account();
    account.name = format!("Sandbox account {}", i + 1);
    account.cash_credits = BALANCES[usize::from(i - 1) % BALANCES.len()]
        .parse()
        .unwrap_or(account.cash_credits);
    sandbox::Options {
        listen: listen_of(args, i),
        auth_id: format!("MA2025SANDBOX{:07}", i + 1),
        auth_token: SecretString::from(sandbox::random_token()),
        drain_per_min: first.drain_per_min * rust_decimal::Decimal::from(i + 1),
        // Traffic of its own, not a copy of the first account's.
        traffic_seed: first.traffic_seed.wrapping_add(u64::from(i)),
        account,
        ..first.clone()
    }
}

/// Where account `i` listens: the next port after the first's, or any
/// free one when the first's was 0.
fn listen_of(args: &SandboxArgs, i: u16) -> SocketAddr {
    let port = match args.listen.port() {
        0 => 0,
        p => p.saturating_add(i),
    };
    SocketAddr::new(args.listen.ip(), port)
}

/// A config file with one profile per account, to save and point
/// `PLIVO_DASH_CONFIG` at (or put in the default place).
fn config_file(handles: &[sandbox::Handle]) -> String {
    let mut out = format!(
        "# plivo-dash sandbox: {} accounts. Save as a file and run\n\
         # PLIVO_DASH_CONFIG=that-file plivo-dash   (the fleet screen)\n",
        handles.len()
    );
    for (i, h) in handles.iter().enumerate() {
        out.push_str(&format!(
            "\n[profiles.sandbox{}]\napi_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"{}\"\n",
            i + 1,
            reachable_url(&h.base_url),
            h.auth_id,
            h.auth_token.expose_secret()
        ));
    }
    out
}

/// The URL a client on this machine uses for a server bound to `base_url`
/// ([`listen::reachable`]); plain http is accepted only for loopback.
fn reachable_url(base_url: &str) -> String {
    match base_url
        .strip_prefix("http://")
        .and_then(|a| a.parse::<SocketAddr>().ok())
    {
        Some(addr) => format!("http://{}", listen::reachable(addr)),
        None => base_url.to_owned(),
    }
}
