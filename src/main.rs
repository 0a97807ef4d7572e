use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
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
    if let Some(path) = &cli.global().log_file {
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
    let global = cli.global();
    match cli.command {
        Some(Command::Get { json, .. }) => report(get(&global, json).await),
        Some(Command::Update(args)) => report(update(&global, args).await),
        Some(Command::Check(args)) => {
            let client = commands::connect(&global).map(|(client, _)| client);
            let outcome = commands::check(client, args.warning, args.critical).await;
            print_out(&format!("{}\n", outcome.line));
            outcome.code
        }
        Some(Command::Sandbox(args)) => run_sandbox(&global, args).await,
        Some(Command::Completions { shell }) => {
            // Generated into memory first: clap_complete panics on a write
            // error, and a closed pipe is no reason to panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "plivo-dash", &mut script);
            print_out(&String::from_utf8_lossy(&script));
            0
        }
        None => dashboard(&global, cli.demo).await,
    }
}

/// Writes `text` to standard output. A reader that went away (`| head`)
/// is not an error: what was done is done, and the exit code says so.
/// Any other failure to write is said on stderr.
fn print_out(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(
            std::io::stderr(),
            "plivo-dash: cannot write the output: {e}"
        );
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
    print_out(&format!(
        "PLIVO CREDITS UNKNOWN - {}\n",
        one_line(&e.to_string())
    ));
    let _ = e.print();
    ExitCode::from(3)
}

/// clap's message on one line: the sentence and what it names on the lines
/// after it ("… not provided: --critical <USD>"), without the usage and
/// help hints.
fn one_line(message: &str) -> String {
    let mut parts = Vec::new();
    for line in message.lines() {
        let line = line.trim();
        if line.starts_with("Usage:") || line.starts_with("For more information") {
            break;
        }
        if !line.is_empty() {
            parts.push(line.trim_start_matches("error: "));
        }
    }
    if parts.is_empty() {
        "invalid arguments".to_owned()
    } else {
        parts.join(" ")
    }
}

/// Prints a command's output, or its one-line error, and gives the exit code.
fn report(result: Result<String, commands::Failure>) -> u8 {
    match result {
        Ok(text) => {
            print_out(&text);
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
    let (client, settings) = connect(global)?;
    commands::get(&client, json)
        .await
        .map_err(|e| e.with_token_source(&settings.credentials.token_source))
}

async fn update(
    global: &Global,
    args: plivo_dash::cli::UpdateArgs,
) -> Result<String, commands::Failure> {
    let (client, settings) = connect(global)?;
    commands::update(&client, args)
        .await
        .map_err(|e| e.with_token_source(&settings.credentials.token_source))
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
    if !plivo_dash::tui::has_terminal() {
        eprintln!("plivo-dash: the dashboard needs a terminal; try 'plivo-dash get'");
        return 2;
    }
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
                    let settings = Prepared {
                        api_url: url,
                        interval,
                        alert_below: alert,
                        history: None,
                        retention: monitor::RETENTION,
                        token_source: "the demo sandbox".to_owned(),
                        mouse: true,
                        warnings: Vec::new(),
                    };
                    (client, settings)
                })
            }
            Err(e) => Err(commands::Failure::Usage(format!(
                "cannot start the demo sandbox: {e}"
            ))),
        }
    } else {
        // The configuration's warnings are shown inside the dashboard: on
        // stderr they would be hidden by it until the user quit.
        commands::connect(global).map(|(client, settings)| {
            let retention = settings.history_days.map_or(monitor::RETENTION, |days| {
                jiff::SignedDuration::from_hours(i64::from(days) * 24)
            });
            let history = HistoryFile::default_dir()
                .map(|dir| HistoryFile::new(&dir, client.auth_id()).with_retention(retention));
            let prepared = Prepared {
                api_url: settings.credentials.api_url,
                interval: settings.interval.unwrap_or(DEFAULT_INTERVAL),
                alert_below: settings.alert_below,
                history,
                retention,
                token_source: settings.credentials.token_source,
                mouse: settings.mouse.unwrap_or(true),
                warnings: settings.warnings,
            };
            (client, prepared)
        })
    };
    let (client, prepared) = match prepared {
        Ok(prepared) => prepared,
        Err(e) => {
            eprintln!("plivo-dash: {e}");
            return e.exit_code();
        }
    };
    let session = Session {
        auth_id: client.auth_id().to_string(),
        api_url: prepared.api_url,
        demo,
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        alert_below: prepared.alert_below,
        retention: prepared.retention,
        token_source: prepared.token_source,
        mouse: prepared.mouse,
        warnings: prepared.warnings,
    };
    let options = worker::Options {
        period: Duration::from_secs(prepared.interval),
        history: prepared.history,
        clock: plivo_dash::clock::Clock::system(),
    };
    let result = tui::run(session, client, options).await;
    drop(sandbox_handle);
    match result {
        Ok(None) => 0,
        Ok(Some(signal)) => signal.exit_code(),
        Err(e) => {
            eprintln!("plivo-dash: terminal error: {e}");
            1
        }
    }
}

/// What the dashboard runs with, besides its client.
struct Prepared {
    api_url: String,
    interval: u64,
    alert_below: Option<Decimal>,
    history: Option<HistoryFile>,
    retention: jiff::SignedDuration,
    token_source: String,
    mouse: bool,
    warnings: Vec<String>,
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
    let url = reachable_url(&handle.base_url);
    print_out(&format!(
        "export PLIVO_API_URL={url}\nexport PLIVO_AUTH_ID={}\nexport PLIVO_AUTH_TOKEN={}\n",
        handle.auth_id,
        handle.auth_token.expose_secret()
    ));
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
        signal = stop.recv() => signal.exit_code(),
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
