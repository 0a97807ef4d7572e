//! `exporter`: polls every watched account in the background, with the
//! dashboard's workers (timetable, back-off, `Retry-After`, history file),
//! and serves what it last saw to Prometheus until a signal stops it.
//!
//! One way round, as in the dashboard: worker reports → [`Exported::update`]
//! → requests back to the worker, and the account's reading published to
//! the HTTP side, which only reads.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::Semaphore;

use super::{Exit, Failure};
use crate::cli::Global;
use crate::config;
use crate::exporter::accounts::Accounts;
use crate::exporter::http;
use crate::exporter::state::Exported;
use crate::monitor::schedule;
use crate::plivo::{Http, Tally};
use crate::signals::{Signal, Stop};
use crate::worker;

/// How long requests under way may take to finish once a signal came.
const DRAIN: Duration = Duration::from_secs(2);

/// Serves `/metrics` on `listen`, holding at most `max_connections` open,
/// until SIGTERM, SIGINT or SIGQUIT (exit 0: a service stopped is not a
/// failure). SIGHUP is ignored, said in the log: the exporter has no
/// configuration to reload, and a hangup (a closed terminal, a stray
/// `kill -HUP`) must not end a monitor silently.
pub async fn run(global: &Global, http: &Http, listen: SocketAddr, max_connections: usize) -> Exit {
    let mut stop = match Stop::new() {
        Ok(stop) => stop,
        Err(e) => {
            crate::say!("plivo-dash: cannot listen for signals: {e}");
            return Exit::Failed;
        }
    };
    let all = match config::monitored(global, &config::Env::from_process()) {
        Ok(all) => all,
        Err(e) => {
            crate::say!("plivo-dash: {e}");
            return Failure::from(e).exit();
        }
    };
    if let Some((_, first)) = all.first() {
        super::warn(&first.warnings);
    }
    let count = all.len();
    let names: Vec<String> = all.iter().map(|(name, _)| name.clone()).collect();
    let gate = Arc::new(Semaphore::new(schedule::IN_FLIGHT));
    let mut accounts = Vec::with_capacity(count);
    let mut workers = Vec::with_capacity(count);
    let mut stores = super::Stores::default();
    for (index, (name, settings)) in all.into_iter().enumerate() {
        let client = match super::client_for(http, &settings) {
            Ok(client) => client,
            // One account alone must be usable: its error ends the command.
            Err(e) if count == 1 => {
                crate::say!("plivo-dash: {e}");
                return e.exit();
            }
            Err(e) => {
                crate::say!("plivo-dash: profile {name}: {e}; exported as down");
                let auth_id = settings.auth_id.clone().unwrap_or_default();
                accounts.push(Exported::unusable(&name, &auth_id, e.to_string()));
                workers.push(None);
                continue;
            }
        };
        let tally = Tally::default();
        let client = client.with_tally(tally.clone());
        let period = settings.interval;
        accounts.push(Exported::new(
            &name,
            client.auth_id().as_str(),
            period,
            settings.retention,
            tally,
        ));
        let options = worker::Options {
            history: super::credit_history(&settings, &client),
            shared: Some(super::shared(index, count, period, &gate)),
            usage: stores.in_state_dir(&settings),
            ..worker::Options::every(period)
        };
        workers.push(Some(worker::spawn(client, options)));
    }
    let listener = match crate::listen::bind(listen).await {
        Ok(listener) => listener,
        Err(e) => {
            crate::say!("plivo-dash: cannot listen on {listen}: {e}");
            return Exit::Unreachable;
        }
    };
    let address = listener.local_addr().unwrap_or(listen);
    let (mut accounts, readings) = Accounts::new(accounts);
    let mut workers = worker::Workers::new(workers);
    let (closing, closed) = tokio::sync::oneshot::channel::<()>();
    let router = http::router(readings);
    let mut server = tokio::spawn(http::serve(listener, router, max_connections, async {
        let _ = closed.await;
    }));
    tracing::info!(%address, accounts = count, "exporter serving");
    crate::say!(
        "plivo-dash exporter: serving http://{}/metrics for {count} account{}; SIGTERM or Ctrl-C stops it",
        crate::listen::reachable(address),
        if count == 1 { "" } else { "s" }
    );
    let exit = loop {
        tokio::select! {
            signal = stop.recv() => {
                if signal == Signal::HANGUP {
                    tracing::info!("SIGHUP ignored: the exporter has no configuration to reload");
                    continue;
                }
                tracing::info!(signal = signal.0, "exporter stopping");
                break Exit::Ok;
            }
            ended = &mut server => {
                let why = match ended {
                    Ok(()) => "the server stopped".to_owned(),
                    Err(e) => e.to_string(),
                };
                crate::say!("plivo-dash: exporter failed: {why}");
                return Exit::Failed;
            }
            Some((index, report)) = workers.next() => {
                if let Some(worker::Report::History { warning, moved, .. }) = &report {
                    said_once(names.get(index).filter(|_| count > 1), moved.iter().chain(warning));
                }
                for ask in accounts.take(index, report, Timestamp::now()) {
                    workers.send(index, ask);
                }
            }
        }
    };
    let _ = closing.send(());
    let _ = tokio::time::timeout(DRAIN, server).await;
    exit
}

/// What an account's history said as it was opened (its old file moved
/// into the store, a store set aside or kept in memory only), on stderr
/// once, as the other commands say it; a profile named when there are
/// several.
fn said_once<'a>(profile: Option<&String>, said: impl Iterator<Item = &'a String>) {
    for text in said {
        match profile {
            Some(name) => crate::say!("plivo-dash: profile {name}: {text}"),
            None => crate::say!("plivo-dash: {text}"),
        }
    }
}
