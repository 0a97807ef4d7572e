//! The dashboard: resolve the settings, connect (or start the demo's own
//! sandbox), then hand the terminal to [`tui::run`] until the user quits or
//! a signal stops it.

use std::time::Duration;

use rust_decimal::Decimal;

use super::{Exit, Failure};
use crate::app::Session;
use crate::cli::Global;
use crate::clock::Clock;
use crate::config::{self, Settings};
use crate::monitor::file::HistoryFile;
use crate::plivo::Client;
use crate::{monitor, sandbox, tui, worker};

/// The demo: a balance that visibly drains (30 cents a minute), is topped up
/// as auto-recharge would, and crosses the demo alert within a minute.
const DEMO_DRAIN: Decimal = Decimal::from_parts(30, 0, 0, false, 2);
const DEMO_RECHARGE: sandbox::Recharge = sandbox::Recharge {
    below: Decimal::from_parts(110, 0, 0, false, 2),
    amount: Decimal::from_parts(75, 0, 0, false, 2),
};
const DEMO_ALERT: Decimal = Decimal::from_parts(160, 0, 0, false, 2);
const DEMO_INTERVAL: Duration = Duration::from_secs(3);
/// A handful, to see the subaccounts screen with.
const DEMO_SUBACCOUNTS: u32 = 7;

/// Runs the dashboard, on the embedded demo sandbox if `demo`.
pub async fn run(global: &Global, demo: bool) -> Exit {
    if !tui::has_terminal() {
        eprintln!("plivo-dash: the dashboard needs a terminal; try 'plivo-dash get'");
        return Exit::Usage;
    }
    let resolved = config::resolve(global, &config::Env::from_process());
    if demo {
        return run_demo(global, resolved).await;
    }
    let prepared = resolved.map_err(Failure::from).and_then(|settings| {
        let client = super::client_for(&settings)?;
        let credentials = settings.credentials()?.clone();
        Ok((client, credentials, settings))
    });
    let (client, credentials, settings) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => {
            eprintln!("plivo-dash: {e}");
            return e.exit();
        }
    };
    let history = settings
        .state_dir
        .as_ref()
        .map(|dir| HistoryFile::new(dir, client.auth_id()).with_retention(settings.retention));
    let period = settings.interval;
    // The configuration's warnings are shown inside the dashboard: on
    // stderr they would be hidden by it until the user quit.
    let session = session(
        &client,
        credentials.api_url,
        false,
        credentials.token_source,
        settings,
    );
    dashboard(session, client, period, history).await
}

/// The demo needs no account: its sandbox lives as long as the dashboard.
/// A broken config file does not stop it; the dashboard says what is wrong.
async fn run_demo(global: &Global, resolved: Result<Settings, config::ConfigError>) -> Exit {
    let settings = resolved.unwrap_or_else(|e| {
        let mut defaults = config::resolve(&Global::default(), &config::Env::default())
            .unwrap_or_else(|_| unreachable!("no file, no error"));
        defaults
            .warnings
            .push(format!("{e}; the demo runs with the defaults"));
        defaults
    });
    let mut account = sandbox::demo_account();
    account.auto_recharge = true;
    let options = sandbox::Options {
        drain_per_min: DEMO_DRAIN,
        recharge: Some(DEMO_RECHARGE),
        account,
        subaccounts: DEMO_SUBACCOUNTS,
        ..sandbox::Options::default()
    };
    let handle = match sandbox::spawn(options).await {
        Ok(handle) => handle,
        Err(e) => {
            eprintln!("plivo-dash: cannot start the demo sandbox: {e}");
            return Exit::Usage;
        }
    };
    let client = match Client::with_limits(
        &handle.base_url,
        &handle.auth_id,
        handle.auth_token.clone(),
        settings.limits,
    ) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("plivo-dash: {e}");
            return Failure::from(e).exit();
        }
    };
    // The demo's pace is its own; only flags change it, not the file.
    let period = global.interval.map_or(DEMO_INTERVAL, Duration::from_secs);
    let mut session = session(
        &client,
        handle.base_url.clone(),
        true,
        "the demo sandbox".to_owned(),
        settings,
    );
    session.alert_below = global.alert_below.or(Some(DEMO_ALERT));
    session.retention = monitor::RETENTION;
    // The demo's made-up history is not worth keeping.
    let exit = dashboard(session, client, period, None).await;
    drop(handle);
    exit
}

fn session(
    client: &Client,
    api_url: String,
    demo: bool,
    token_source: String,
    settings: Settings,
) -> Session {
    Session {
        auth_id: client.auth_id().to_string(),
        api_url,
        demo,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        alert_below: settings.alert_below,
        retention: settings.retention,
        token_source,
        mouse: settings.mouse,
        warnings: settings.warnings,
        keymap: settings.keymap,
        tz: jiff::tz::TimeZone::system(),
    }
}

async fn dashboard(
    session: Session,
    client: Client,
    period: Duration,
    history: Option<HistoryFile>,
) -> Exit {
    let options = worker::Options {
        period,
        history,
        clock: Clock::system(),
    };
    match tui::run(session, client, options).await {
        Ok(None) => Exit::Ok,
        Ok(Some(signal)) => signal.exit(),
        Err(e) => {
            eprintln!("plivo-dash: terminal error: {e}");
            Exit::Failed
        }
    }
}
