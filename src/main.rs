use std::io::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory as _, Parser as _};
use plivo_dash::app::Session;
use plivo_dash::cli::{Cli, Command, Global, SandboxArgs};
use plivo_dash::history::HistoryFile;
use plivo_dash::plivo::Client;
use plivo_dash::signals::Stop;
use plivo_dash::{commands, config, monitor, sandbox, tui, worker};
use rust_decimal::Decimal;
use secrecy::{ExposeSecret as _, SecretString};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(e),
    };
    if cli.demo && cli.command.is_some() {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--demo opens the dashboard; it cannot be combined with a command",
            )
            .exit();
    }
    if let Some(path) = &cli.global.log_file {
        let level = std::env::var(plivo_dash::logging::ENV_LEVEL).ok();
        if let Err(e) = plivo_dash::logging::init(path, level.as_deref()) {
            if matches!(cli.command, Some(Command::Check(_))) {
                println!("PLIVO CREDITS UNKNOWN - {e}");
                return ExitCode::from(3);
            }
            eprintln!("plivo-dash: {e}");
            return ExitCode::from(2);
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("plivo-dash: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    ExitCode::from(runtime.block_on(run(cli)))
}

async fn run(cli: Cli) -> u8 {
    match cli.command {
        Some(Command::Get { json }) => report(get(&cli.global, json).await),
        Some(Command::Update(args)) => report(update(&cli.global, args).await),
        Some(Command::Check(args)) => {
            let client = commands::connect(&cli.global).map(|(client, _)| client);
            let outcome = commands::check(client, args.warning, args.critical).await;
            println!("{}", outcome.line);
            outcome.code
        }
        Some(Command::Sandbox(args)) => run_sandbox(&cli.global, args).await,
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "plivo-dash",
                &mut std::io::stdout(),
            );
            0
        }
        None => dashboard(&cli.global, cli.demo).await,
    }
}

/// A command line clap refused. `check` answers as a monitoring plugin must
/// (UNKNOWN, exit 3, one line on stdout); everything else exits as clap does
/// (2 for usage, 0 for --help and --version).
fn usage_error(e: clap::Error) -> ExitCode {
    let lenient = Cli::command().ignore_errors(true).try_get_matches();
    let is_check = lenient.is_ok_and(|m| m.subcommand_name() == Some("check"));
    if !is_check || !e.use_stderr() {
        e.exit();
    }
    let reason = e
        .to_string()
        .lines()
        .next()
        .unwrap_or("invalid arguments")
        .trim_start_matches("error: ")
        .to_owned();
    println!("PLIVO CREDITS UNKNOWN - {reason}");
    let _ = e.print();
    ExitCode::from(3)
}

/// Prints a command's output, or its one-line error, and gives the exit code.
fn report(result: Result<String, commands::Failure>) -> u8 {
    match result {
        Ok(text) => {
            print!("{text}");
            let _ = std::io::stdout().flush();
            0
        }
        Err(e) => {
            eprintln!("plivo-dash: {e}");
            e.exit_code()
        }
    }
}

/// The client, with the configuration's warnings said on stderr.
fn connect(global: &Global) -> Result<(Client, config::Settings), commands::Failure> {
    let (client, settings) = commands::connect(global)?;
    for w in &settings.warnings {
        eprintln!("plivo-dash: {w}");
    }
    Ok((client, settings))
}

async fn get(global: &Global, json: bool) -> Result<String, commands::Failure> {
    commands::get(&connect(global)?.0, json).await
}

async fn update(
    global: &Global,
    args: plivo_dash::cli::UpdateArgs,
) -> Result<String, commands::Failure> {
    commands::update(&connect(global)?.0, args).await
}

/// The demo: a balance that visibly drains (30 cents a minute), is topped up
/// as auto-recharge would, and crosses the demo alert within a minute.
const DEMO_DRAIN: Decimal = Decimal::from_parts(30, 0, 0, false, 2);
const DEMO_RECHARGE: sandbox::Recharge = sandbox::Recharge {
    below: Decimal::from_parts(110, 0, 0, false, 2),
    amount: Decimal::from_parts(75, 0, 0, false, 2),
};
const DEMO_ALERT: Decimal = Decimal::from_parts(160, 0, 0, false, 2);
const DEMO_INTERVAL: u64 = 3;
const DEFAULT_INTERVAL: u64 = 60;

async fn dashboard(global: &Global, demo: bool) -> u8 {
    // In demo mode the sandbox lives as long as the dashboard.
    let mut sandbox_handle = None;
    let prepared = if demo {
        let mut account = sandbox::demo_account();
        account.auto_recharge = true;
        let options = sandbox::Options {
            drain_per_min: DEMO_DRAIN,
            recharge: Some(DEMO_RECHARGE),
            account,
            ..sandbox::Options::default()
        };
        match sandbox::spawn(options).await {
            Ok(handle) => {
                let client = Client::with_limits(
                    &handle.base_url,
                    &handle.auth_id,
                    handle.auth_token.clone(),
                    commands::limits(global),
                );
                let url = handle.base_url.clone();
                sandbox_handle = Some(handle);
                client.map_err(commands::Failure::from).map(|client| {
                    let interval = global.interval.unwrap_or(DEMO_INTERVAL);
                    let alert = global.alert_below.or(Some(DEMO_ALERT));
                    // The demo's made-up history is not worth keeping.
                    (client, url, interval, alert, None, monitor::RETENTION)
                })
            }
            Err(e) => Err(commands::Failure::Usage(format!(
                "cannot start the demo sandbox: {e}"
            ))),
        }
    } else {
        connect(global).map(|(client, settings)| {
            let retention = settings.history_days.map_or(monitor::RETENTION, |days| {
                jiff::SignedDuration::from_hours(i64::from(days) * 24)
            });
            let history = HistoryFile::default_dir()
                .map(|dir| HistoryFile::new(&dir, client.auth_id()).with_retention(retention));
            let interval = settings.interval.unwrap_or(DEFAULT_INTERVAL);
            (
                client,
                settings.credentials.api_url,
                interval,
                settings.alert_below,
                history,
                retention,
            )
        })
    };
    let (client, api_url, interval, alert_below, history, retention) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => {
            eprintln!("plivo-dash: {e}");
            return e.exit_code();
        }
    };
    let session = Session {
        auth_id: client.auth_id().to_string(),
        api_url,
        demo,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        local_tz: jiff::tz::TimeZone::system(),
        alert_below,
        retention,
    };
    let options = worker::Options {
        period: Duration::from_secs(interval),
        history,
        clock: plivo_dash::clock::Clock::system(),
    };
    let result = tui::run(session, client, options).await;
    drop(sandbox_handle);
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("plivo-dash: terminal error: {e}");
            1
        }
    }
}

async fn run_sandbox(global: &Global, args: SandboxArgs) -> u8 {
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
        ..sandbox::Options::default()
    };
    if let Err(e) = plivo_dash::plivo::AuthId::parse(&options.auth_id) {
        eprintln!("plivo-dash: {e}");
        return 2;
    }
    let handle = match sandbox::spawn(options).await {
        Ok(h) => h,
        Err(e) => {
            eprintln!("plivo-dash: cannot listen on {}: {e}", args.listen);
            return 4;
        }
    };
    // The sandbox's token is made up and meant to be pasted, so printing it
    // is the point; a real Plivo token is never printed anywhere.
    println!("export PLIVO_API_URL={}", handle.base_url);
    println!("export PLIVO_AUTH_ID={}", handle.auth_id);
    println!(
        "export PLIVO_AUTH_TOKEN={}",
        handle.auth_token.expose_secret()
    );
    let _ = std::io::stdout().flush();
    eprintln!(
        "plivo-dash sandbox: serving {} at {}; Ctrl-C stops it",
        handle.auth_id, handle.base_url
    );
    let mut stop = match Stop::new() {
        Ok(stop) => stop,
        Err(e) => {
            eprintln!("plivo-dash: cannot listen for signals: {e}");
            return 1;
        }
    };
    tokio::select! {
        result = handle.serve_forever() => match result {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("plivo-dash: sandbox failed: {e}");
                4
            }
        },
        () = stop.recv() => 0,
    }
}
