//! `sandbox`: the Plivo-compatible server alone, in the foreground, until a
//! signal stops it.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use secrecy::{ExposeSecret as _, SecretString};

use super::{Exit, print_out};
use crate::cli::{Global, SandboxArgs};
use crate::plivo::AuthId;
use crate::sandbox;
use crate::signals::Stop;

/// Serves until stopped; prints the lines to paste into another shell.
pub async fn run(global: &Global, args: SandboxArgs) -> Exit {
    let options = sandbox::Options {
        listen: args.listen,
        auth_id: global
            .auth_id
            .clone()
            .unwrap_or_else(|| sandbox::DEFAULT_AUTH_ID.to_owned()),
        auth_token: SecretString::from(args.auth_token.unwrap_or_else(sandbox::random_token)),
        drain_per_min: args.drain,
        latency: Duration::from_millis(args.latency),
        fail_rate: args.fail_rate,
        faults: args.faults,
        subaccounts: args.subaccounts,
        ..sandbox::Options::default()
    };
    // Listening for signals before anything is printed: a script that
    // stops the sandbox as soon as it has read the lines gets a clean exit.
    let mut stop = match Stop::new() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("plivo-dash: cannot listen for signals: {e}");
            return Exit::Failed;
        }
    };
    if let Err(e) = AuthId::parse(&options.auth_id) {
        eprintln!("plivo-dash: {e}");
        return Exit::Usage;
    }
    let handle = match sandbox::spawn(options).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("plivo-dash: cannot listen on {}: {e}", args.listen);
            return Exit::Unreachable;
        }
    };
    // The sandbox's token is made up and meant to be pasted, so printing it
    // is the point; a real Plivo token is never printed anywhere.
    let url = reachable_url(&handle.base_url);
    // Unwritten (a full disk), the lines are still said on stderr below.
    let _ = print_out(&format!(
        "export PLIVO_API_URL={url}\nexport PLIVO_AUTH_ID={}\nexport PLIVO_AUTH_TOKEN={}\n",
        handle.auth_id,
        handle.auth_token.expose_secret()
    ));
    eprintln!(
        "plivo-dash sandbox: serving {} at {}; Ctrl-C stops it",
        handle.auth_id, handle.base_url
    );
    tokio::select! {
        result = handle.serve_forever() => match result {
            Ok(()) => Exit::Ok,
            Err(e) => {
                eprintln!("plivo-dash: sandbox failed: {e}");
                Exit::Unreachable
            }
        },
        signal = stop.recv() => signal.exit(),
    }
}

/// The URL a client on this machine uses for a server bound to `base_url`:
/// a wildcard address (0.0.0.0, ::) is where it listens, not where to
/// connect, and plain http is accepted only for loopback.
fn reachable_url(base_url: &str) -> String {
    let Some(addr) = base_url
        .strip_prefix("http://")
        .and_then(|a| a.parse::<SocketAddr>().ok())
    else {
        return base_url.to_owned();
    };
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}
