//! The dashboard: resolve the settings, connect (or start the demo's own
//! sandbox), then hand the terminal to [`tui::run`] until the user quits or
//! a signal stops it.

use std::time::Duration;

use rust_decimal::Decimal;

use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::Semaphore;

use super::{Exit, Failure};
use crate::app::fleet::{Ending, Fleet, Member};
use crate::app::{App, FetchState, Notice, Session};
use crate::cli::Global;
use crate::config::{self, Settings};
use crate::monitor::schedule;
use crate::plivo::{ApiError, BillingMode, Client, Http};
use crate::screens::welcome::Welcome;
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
/// Past days of calls and messages the demo's main account has: a week,
/// the credit chart's, the forecast's trailing rate's and the spike
/// rules' same-hour average's.
const DEMO_TRAFFIC_DAYS: u32 = 7;
/// The demo's first subaccount pumping SMS to a new country: 30 s in, an
/// SMS (0.05 USD) every 3 s for 90 s. It passes the default
/// `new_destination_usd` (1 USD) at 90 s, so the sync after names it within
/// the first two minutes; and at 1 USD a minute, over by 1.50 USD, the
/// balance's top-ups keep up without re-crossing the alert every few
/// seconds, as `sandbox --pumping`'s two a second would make them.
const DEMO_PUMPING: sandbox::Pumping = sandbox::Pumping {
    after: Duration::from_secs(30),
    every: Duration::from_secs(3),
    lasting: Some(Duration::from_secs(90)),
};
/// The demo's usage syncs: short, so the burst is named within its first
/// two minutes (an account's are a minute apart at least).
const DEMO_USAGE_INTERVAL: Duration = Duration::from_secs(20);
/// The demo sandbox's message list takes its 20 requests a second, and
/// the sync keeps to that, so the week back-fills in seconds (Plivo's 20
/// a minute would take the demo's first three minutes).
const DEMO_MESSAGE_WINDOW: Duration = Duration::from_secs(1);
/// The demo's credit chart has a point this often over its week: as
/// often as a quiet balance is kept ([`monitor::HEARTBEAT`]), so no two
/// points are far enough apart to draw as a gap.
const DEMO_HISTORY_STEP: Duration = Duration::from_secs(300);

/// One of the demo's other accounts, beside the main one.
struct DemoAccount {
    profile: &'static str,
    name: &'static str,
    credits: Decimal,
    drain_per_min: Decimal,
    alert_below: Option<Decimal>,
    billing_mode: BillingMode,
}

/// The other demo accounts: a healthy one and a postpaid one, each on its
/// own sandbox.
const DEMO_OTHERS: [DemoAccount; 2] = [
    DemoAccount {
        profile: "healthy",
        name: "Wayne Foundation",
        credits: Decimal::from_parts(241_850_000, 0, 0, false, 5),
        drain_per_min: Decimal::from_parts(2, 0, 0, false, 2),
        alert_below: Some(Decimal::from_parts(100, 0, 0, false, 0)),
        billing_mode: BillingMode::Prepaid,
    },
    DemoAccount {
        profile: "postpaid",
        name: "Wayne Logistics",
        credits: Decimal::from_parts(0, 0, 0, false, 5),
        drain_per_min: Decimal::ZERO,
        alert_below: None,
        billing_mode: BillingMode::Postpaid,
    },
];

/// Runs the dashboard, on the embedded demo sandbox if `demo`: one
/// account, or every profile (the fleet screen) when asked for or when
/// the config file has several and none was chosen.
pub async fn run(global: &Global, http: &Http, demo: bool) -> Exit {
    if !tui::has_terminal() {
        crate::say!(
            "plivo-dash: the dashboard needs a terminal; from a script, try 'plivo-dash get' or 'check' (set up with 'plivo-dash login')"
        );
        return Exit::Usage;
    }
    let env = config::Env::from_process();
    if demo {
        return run_demo(global, http, config::resolve(global, &env)).await;
    }
    open(global, http, &env, None).await
}

/// The accounts `global` names, on the dashboard (or, with none set up,
/// the welcome screen first), with `hello` in the first footer.
async fn open(global: &Global, http: &Http, env: &config::Env, hello: Option<Notice>) -> Exit {
    let config::Plan {
        accounts: all,
        open,
    } = match config::plan(global, env) {
        Ok(plan) => plan,
        // The file PLIVO_DASH_CONFIG names, not there yet, with nothing
        // else set up: the welcome screen will create it, where `login`
        // would. (With credentials in flags or variables, a typo in the
        // name must not run silently without its settings.)
        Err(config::ConfigError::Read { .. })
            if env.config_named
                && env.auth_id.is_none()
                && env.auth_token.is_none()
                && global.auth_id.is_none()
                && env
                    .config_path
                    .as_deref()
                    .is_some_and(|p| matches!(p.try_exists(), Ok(false))) =>
        {
            let unnamed = config::Env {
                config_named: false,
                ..env.clone()
            };
            return Box::pin(self::open(global, http, &unnamed, hello)).await;
        }
        Err(e) => {
            crate::say!("plivo-dash: {e}");
            return Failure::from(e).exit();
        }
    };
    let clients: Vec<Result<Client, Failure>> = all
        .iter()
        .map(|(_, s)| super::client_for(http, s))
        .collect();
    // The account to open, alone or chosen among others, without its token
    // (a first run, or after `logout`): welcomed rather than sent away.
    let opened = if all.len() == 1 { Some(0) } else { open };
    if let Some(i) = opened
        && let (Some((_, settings)), Some(Err(missing))) = (all.get(i), clients.get(i))
        && missing_token(missing)
        && let Some(config_path) = env.config_path.clone()
    {
        return welcome(global, http, env, settings, config_path).await;
    }
    if let ([_], [Err(e)]) = (all.as_slice(), clients.as_slice()) {
        // One account alone must be usable: its error ends the command.
        crate::say!("plivo-dash: {e}");
        return e.exit();
    }
    let count = all.len();
    let gate = Arc::new(Semaphore::new(schedule::IN_FLIGHT));
    let mut stores = super::Stores::default();
    let (members, pollers) = all
        .into_iter()
        .zip(clients)
        .enumerate()
        .map(|(i, ((name, settings), client))| {
            // The account opened polls first; the others after it in order.
            let slot = match open {
                Some(o) if i == o => 0,
                Some(o) if i < o => i + 1,
                _ => i,
            };
            member(&name, settings, client, slot, count, &gate, &mut stores)
        })
        .unzip();
    // A row whose token is missing logs in where it stands: the welcome
    // screen keeps what it is given where `login` would.
    let login = env
        .config_path
        .clone()
        .map(|config_path| tui::WelcomeSetup {
            config_path,
            api_url: global
                .api_url
                .clone()
                .unwrap_or_else(|| crate::plivo::DEFAULT_API_URL.to_owned()),
            limits: crate::plivo::Limits::default(),
            http: http.clone(),
        });
    match dashboard(Fleet::new(members, open), pollers, hello, login).await {
        Ok(Ending::LoggedIn { profile, kept }) => {
            Box::pin(logged_in(global, http, env, profile, &kept)).await
        }
        ended => exit_of(ended),
    }
}

/// The welcome screen; then the account just kept, or the demo and back.
async fn welcome(
    global: &Global,
    http: &Http,
    env: &config::Env,
    settings: &Settings,
    config_path: std::path::PathBuf,
) -> Exit {
    let setup = tui::WelcomeSetup {
        config_path,
        api_url: settings.api_url.clone(),
        limits: settings.limits,
        http: http.clone(),
    };
    // A profile that lost its token (after `logout`) is named already.
    let mut fleet = Fleet::welcoming(Welcome::known(
        settings.keymap.clone(),
        (80, 24),
        color(),
        settings.auth_id.as_deref(),
        settings.profile.as_deref(),
    ));
    loop {
        match tui::run(&mut fleet, Vec::new(), Some(setup.clone())).await {
            Ok(Ok(Ending::LoggedIn { profile, kept })) => {
                return Box::pin(logged_in(global, http, env, profile, &kept)).await;
            }
            Ok(Ok(Ending::Demo)) => {
                // Leaving the demo comes back here, with what was typed;
                // Ctrl-C leaves altogether.
                let back = Notice::info(format!(
                    "The demo: {} goes back to the welcome screen",
                    settings.keymap.key_label(crate::keymap::Action::Quit)
                ));
                match demo_ended(global, http, Ok(settings.clone()), Some(back), true).await {
                    Ok(Ending::Quit) => fleet.resume(),
                    Ok(_) => return Exit::Ok,
                    Err(exit) => return exit,
                }
            }
            Ok(Err(signal)) => return Exit::from(signal),
            Ok(_) => return Exit::Ok,
            Err(e) => {
                crate::say!("plivo-dash: terminal error: {e}");
                return Exit::Failed;
            }
        }
    }
}

/// The dashboard again, on the account the welcome screen just kept.
async fn logged_in(
    global: &Global,
    http: &Http,
    env: &config::Env,
    profile: Option<String>,
    kept: &str,
) -> Exit {
    let next = Global {
        profile,
        ..global.clone()
    };
    let hello = Notice::success(format!("Logged in · {kept}"));
    open(&next, http, env, Some(hello)).await
}

/// Whether `failure` is only a missing token (a first run, or after
/// `logout`): the welcome screen mends it.
fn missing_token(failure: &Failure) -> bool {
    matches!(
        failure,
        Failure::Config(
            config::ConfigError::MissingCredentials {
                missing: config::Missing::Credentials | config::Missing::AuthToken,
                ..
            } | config::ConfigError::IncompleteProfile {
                missing: config::Missing::Credentials | config::Missing::AuthToken,
                ..
            }
        )
    )
}

/// One profile's member of the fleet and its worker's set-up; a profile
/// whose settings name no usable account is a member with its error.
fn member(
    name: &str,
    settings: Settings,
    client: Result<Client, Failure>,
    index: usize,
    count: usize,
    gate: &Arc<Semaphore>,
    stores: &mut super::Stores,
) -> (Member, tui::Poller) {
    let (on_alert, notify, period) = (
        settings.on_alert.clone(),
        settings.notify,
        settings.interval,
    );
    let credentials = settings.credentials.clone();
    let history = client
        .as_ref()
        .ok()
        .and_then(|client| super::credit_history(&settings, client));
    let usage = stores.in_state_dir(&settings);
    let (auth_id, api_url, token_source) = match &credentials {
        Ok(c) => (c.auth_id.clone(), c.api_url.clone(), c.token_source.clone()),
        Err(_) => (
            settings.auth_id.clone().unwrap_or_default(),
            settings.api_url.clone(),
            String::new(),
        ),
    };
    let mut session = session(auth_id, api_url, false, token_source, settings);
    session.in_fleet = count > 1;
    let mut app = App::new(session, Timestamp::now(), (80, 24), period);
    let mut login = false;
    let poller = match client {
        Ok(client) => Some((
            client,
            worker::Options {
                history,
                shared: (count > 1).then(|| super::shared(index, count, period, gate)),
                usage,
                ..worker::Options::every(period)
            },
        )),
        Err(e) => {
            app.fetch = FetchState::Failed {
                error: ApiError::Config(e.to_string()),
                retry_at: None,
                in_flight: false,
            };
            login = missing_token(&e);
            None
        }
    };
    let member = Member::new(name, on_alert, notify, app);
    let member = if login {
        member.needing_login()
    } else {
        member
    };
    (member, poller)
}

/// The demo needs no account: its sandboxes live as long as the dashboard.
/// It opens on the main account, the fleet screen of the others one key
/// away. A broken config file does not stop it; the dashboard says what is
/// wrong.
async fn run_demo(
    global: &Global,
    http: &Http,
    resolved: Result<Settings, config::ConfigError>,
) -> Exit {
    exit_of(demo_ended(global, http, resolved, None, false).await)
}

/// The demo, with `hello` in its first footer (`back_to_welcome`: quitting
/// it goes back to the welcome screen), and how the user left it
/// (or how the command ends).
async fn demo_ended(
    global: &Global,
    http: &Http,
    resolved: Result<Settings, config::ConfigError>,
    hello: Option<Notice>,
    back_to_welcome: bool,
) -> Result<Ending, Exit> {
    let settings = resolved.unwrap_or_else(|e| {
        let mut defaults = config::resolve(&Global::default(), &config::Env::default())
            .unwrap_or_else(|_| unreachable!("no file, no error"));
        defaults
            .warnings
            .push(format!("{e}; the demo runs with the defaults"));
        defaults
    });
    let mut accounts = vec![(
        "main".to_owned(),
        demo_main(),
        Some(global.alert_below.unwrap_or(DEMO_ALERT)),
    )];
    for (n, other) in DEMO_OTHERS.into_iter().enumerate() {
        let mut account = sandbox::demo_account();
        account.name = other.name.to_owned();
        account.cash_credits = other.credits;
        account.billing_mode = other.billing_mode;
        accounts.push((
            other.profile.to_owned(),
            sandbox::Options {
                auth_id: format!("MA2025DEMO0000000{:03}", n + 1),
                drain_per_min: other.drain_per_min,
                account,
                ..sandbox::Options::default()
            },
            other.alert_below,
        ));
    }
    // The demo's pace is its own; only flags change it, not the file.
    let period = global.interval.map_or(DEMO_INTERVAL, Duration::from_secs);
    let count = accounts.len();
    let gate = Arc::new(Semaphore::new(schedule::IN_FLIGHT));
    // The demo's records are synced as an account's are, into a store of
    // its own that goes with it (named unguessably: the directory is shared).
    let records = std::env::temp_dir().join(format!(
        "plivo-dash-demo-{}-{:016x}",
        std::process::id(),
        fastrand::u64(..)
    ));
    let mut stores = super::Stores::default();
    let mut handles = Vec::new();
    let mut members = Vec::new();
    let mut pollers = Vec::new();
    for (index, (profile, options, alert)) in accounts.into_iter().enumerate() {
        let handle = match sandbox::spawn(options).await {
            Ok(handle) => handle,
            Err(e) => {
                crate::say!("plivo-dash: cannot start the demo sandbox: {e}");
                return Err(Exit::Usage);
            }
        };
        let client = match Client::with_limits(
            http,
            &handle.base_url,
            &handle.auth_id,
            handle.auth_token.clone(),
            settings.limits,
        ) {
            Ok(client) => client,
            Err(e) => {
                crate::say!("plivo-dash: {e}");
                return Err(Failure::from(e).exit());
            }
        };
        let mut session = session(
            handle.auth_id.clone(),
            handle.base_url.clone(),
            true,
            "the demo sandbox".to_owned(),
            settings.clone(),
        );
        session.alert_below = alert;
        session.retention = monitor::RETENTION;
        session.in_fleet = true;
        session.back_to_welcome = back_to_welcome;
        session.profile = Some(profile.clone());
        // Only the main account's warnings are the user's to read.
        if index > 0 {
            session.warnings.clear();
        }
        let mut app = App::new(session, Timestamp::now(), (80, 24), period);
        // The week the seeded records spent, as the chart would have
        // drawn it (the demo keeps no history of its own).
        let samples: Vec<monitor::Sample> = handle
            .balance_history(DEMO_HISTORY_STEP)
            .into_iter()
            .map(|(at, credits)| monitor::Sample { at, credits })
            .collect();
        if !samples.is_empty() {
            app.update(crate::app::Msg::Worker(worker::Report::History {
                samples,
                warning: None,
                moved: None,
            }));
        }
        members.push(Member::new(
            &profile,
            settings.on_alert.clone(),
            settings.notify,
            app,
        ));
        // The demo's made-up history is not worth keeping.
        pollers.push(Some((
            client,
            worker::Options {
                shared: Some(super::shared(index, count, period, &gate)),
                usage: Some(demo_sync(stores.sync(&settings, &records))),
                ..worker::Options::every(period)
            },
        )));
        handles.push(handle);
    }
    // The main account's dashboard, unless every account was asked for.
    let open = (!global.all_profiles).then_some(0);
    let ended = dashboard(Fleet::new(members, open), pollers, hello, None).await;
    drop(handles);
    let _ = std::fs::remove_dir_all(&records);
    ended
}

/// The demo's main account's sandbox: its week, its drain and top-ups, its
/// subaccounts and their burst.
fn demo_main() -> sandbox::Options {
    let mut main = sandbox::demo_account();
    main.auto_recharge = true;
    sandbox::Options {
        drain_per_min: DEMO_DRAIN,
        recharge: Some(DEMO_RECHARGE),
        account: main,
        subaccounts: DEMO_SUBACCOUNTS,
        traffic_days: DEMO_TRAFFIC_DAYS,
        pumping: Some(DEMO_PUMPING),
        message_window: DEMO_MESSAGE_WINDOW,
        ..sandbox::Options::default()
    }
}

/// The demo's usage sync: `usual` at the demo's pace, a week deep.
fn demo_sync(usual: worker::usage::Options) -> worker::usage::Options {
    worker::usage::Options {
        interval: DEMO_USAGE_INTERVAL,
        sync: crate::usage::sync::Options {
            depth: crate::usage::sync::plan::Depth::Days(DEMO_TRAFFIC_DAYS),
            message_gap: DEMO_MESSAGE_WINDOW / crate::cli::MESSAGE_RATE,
            ..usual.sync
        },
        ..usual
    }
}

/// Colour, unless `NO_COLOR` is set (to anything).
fn color() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn session(
    auth_id: String,
    api_url: String,
    demo: bool,
    token_source: String,
    settings: Settings,
) -> Session {
    Session {
        auth_id,
        api_url,
        demo,
        color: color(),
        alert_below: settings.alert_below,
        retention: settings.retention,
        token_source,
        mouse: settings.mouse,
        warnings: settings.warnings,
        keymap: settings.keymap,
        tz: jiff::tz::TimeZone::system(),
        profile: settings.profile,
        in_fleet: false,
        back_to_welcome: false,
    }
}

/// How a command that ran the dashboard ends, however the user left it.
fn exit_of(ended: Result<Ending, Exit>) -> Exit {
    ended.map_or_else(|exit| exit, |_| Exit::Ok)
}

async fn dashboard(
    mut fleet: Fleet,
    pollers: Vec<tui::Poller>,
    hello: Option<Notice>,
    login: Option<tui::WelcomeSetup>,
) -> Result<Ending, Exit> {
    if let Some(hello) = hello {
        fleet.say(hello);
    }
    match tui::run(&mut fleet, pollers, login).await {
        Ok(Err(signal)) => Err(Exit::from(signal)),
        Ok(Ok(ending)) => Ok(ending),
        Err(e) => {
            crate::say!("plivo-dash: terminal error: {e}");
            Err(Exit::Failed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_demos_burst_passes_a_new_destination_in_time_then_ends() {
        let handle = sandbox::spawn(demo_main()).await.expect("a sandbox");
        let (from, to) = (
            Timestamp::now() - jiff::SignedDuration::from_mins(1),
            Timestamp::now() + jiff::SignedDuration::from_hours(2),
        );
        let latvia = || {
            handle
                .served_by_country(from, to)
                .remove("LV")
                .unwrap_or_default()
        };
        let defaults =
            config::resolve(&Global::default(), &config::Env::default()).expect("the defaults");
        // Past the threshold by the last sync that can name it within the
        // first two minutes.
        tokio::time::advance(Duration::from_secs(120) - DEMO_USAGE_INTERVAL).await;
        let (_, by_then) = latvia();
        assert!(
            by_then > defaults.new_destination_usd,
            "{by_then} by {:?}",
            Duration::from_secs(120) - DEMO_USAGE_INTERVAL
        );
        // Thirty SMS in all, one every 3 s from 30 s to 120 s; none after.
        tokio::time::advance(Duration::from_secs(20)).await;
        let (sent, at_end) = latvia();
        assert_eq!((sent, at_end), (30, Decimal::new(150, 2)));
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert_eq!(latvia(), (30, Decimal::new(150, 2)), "bounded");
    }
}
