//! The `plivo-dash` binary: parse the command line, start logging and the
//! runtime, run the command, and exit with its code.

use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};
use plivo_dash::cli::{Cli, Global, Subcommand, UpdateArgs};
use plivo_dash::commands::{self, Exit, Failure, Printed, print_out};
use plivo_dash::plivo::{Http, Tls};

fn main() -> ExitCode {
    // Once for the whole process: the terminal is put back before a panic
    // is printed, however many times the dashboard takes it.
    plivo_dash::tui::install_panic_hook();
    // reqwest is built without a crypto provider of its own; this process's
    // TLS is ring's, chosen here once.
    let tls = plivo_dash::plivo::install_tls();
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
            if matches!(cli.command, Some(Subcommand::Check(_))) {
                let outcome = commands::check::unknown(&e.to_string());
                print_out(&format!("{}\n", outcome.line));
                return ExitCode::from(outcome.status.code());
            }
            plivo_dash::say!("plivo-dash: {e}");
            return Exit::Usage.into();
        }
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            plivo_dash::say!("plivo-dash: cannot start the async runtime: {e}");
            return Exit::Failed.into();
        }
    };
    runtime.block_on(run(cli, tls))
}

async fn run(cli: Cli, tls: Tls) -> ExitCode {
    let global = cli.global();
    // One HTTP client for every account this command speaks to.
    let connect_timeout = plivo_dash::config::limits(global.timeout).connect_timeout;
    let http = Http::new(tls, connect_timeout);
    if global.all_profiles && (global.profile.is_some() || global.auth_id.is_some()) {
        plivo_dash::say!(
            "plivo-dash: --all-profiles watches every profile in the config file; \
             it cannot go with --profile or --auth-id"
        );
        return Exit::Usage.into();
    }
    match cli.command {
        Some(Subcommand::Get { json, .. }) if global.all_profiles => {
            match commands::fleet::fetch_all(&global, &http).await {
                Ok(fetched) => {
                    let (text, exit) = commands::fleet::get_all(&fetched, json);
                    printed(&text, exit)
                }
                Err(e) => report(Err::<String, _>(e)),
            }
        }
        Some(Subcommand::Get { json, .. }) => report(get(&global, &http, json).await),
        Some(Subcommand::Check(args)) if global.all_profiles => {
            let outcome = match commands::fleet::fetch_all(&global, &http).await {
                Ok(fetched) => commands::fleet::check_all(&fetched, args.warning, args.critical),
                Err(e) => commands::check::unknown(&e.to_string()),
            };
            if !print_out(&format!("{}\n", outcome.line)) {
                return ExitCode::from(commands::Status::Unknown.code());
            }
            ExitCode::from(outcome.status.code())
        }
        Some(Subcommand::Update(args)) => report(update(&global, &http, args).await),
        Some(Subcommand::Check(args)) => {
            // The configuration's warnings go to stderr, as `get` says them:
            // the plugin's one line stays on stdout.
            let client = connect(&global, &http).map(|(client, _)| client);
            let outcome = commands::check(client, args.warning, args.critical).await;
            if !print_out(&format!("{}\n", outcome.line)) {
                return ExitCode::from(commands::Status::Unknown.code());
            }
            ExitCode::from(outcome.status.code())
        }
        Some(Subcommand::Sandbox(args)) => commands::sandbox::run(&global, args).await.into(),
        Some(Subcommand::Subaccounts(command)) => {
            report(subaccounts(&global, &http, command).await)
        }
        Some(Subcommand::History(args)) => report(history(&global, &args)),
        Some(Subcommand::Usage(args)) => match commands::usage::run(&global, &http, &args).await {
            Ok((text, exit)) => printed(&text, exit),
            Err(e) => report(Err::<String, _>(e)),
        },
        Some(Subcommand::Forecast(args)) => {
            match commands::forecast::run(&global, &http, &args).await {
                Ok((text, exit)) => printed(&text, exit),
                Err(e) => report(Err::<String, _>(e)),
            }
        }
        Some(Subcommand::Login(args)) => {
            report(commands::login::login(&global, &http, &args).await)
        }
        Some(Subcommand::Logout { .. }) => report(commands::login::logout(&global)),
        Some(Subcommand::Profiles { verify, .. }) => {
            match commands::login::profiles(&global, &http, verify).await {
                Ok((text, exit)) => printed(&text, exit),
                Err(e) => report(Err::<String, _>(e)),
            }
        }
        Some(Subcommand::Exporter(args)) => commands::exporter::run(
            &global,
            &http,
            args.listen,
            usize::from(args.max_connections),
        )
        .await
        .into(),
        Some(Subcommand::Completions { shell }) => {
            // Generated into memory first: clap_complete panics on a write
            // error, and a closed pipe is no reason to panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "plivo-dash", &mut script);
            let mut script = String::from_utf8_lossy(&script).into_owned();
            if shell == clap_complete::Shell::Bash {
                // clap_complete 4.6 spells the hyphenated name's subcommand
                // states one way where it sets them and another in the case
                // labels that read them, so nothing after a subcommand ever
                // completed (clap-rs/clap#6421): the labels are spelled as
                // the states are.
                script = script.replace("plivo__subcmd__dash", "plivo__dash");
            }
            written(print_out(&script))
        }
        Some(Subcommand::Man { dir }) => {
            // create_dir_all says only "File exists" of a file in the way.
            let written = if dir.exists() && !dir.is_dir() {
                Err(std::io::Error::new(
                    std::io::ErrorKind::NotADirectory,
                    "it is not a directory",
                ))
            } else {
                std::fs::create_dir_all(&dir)
                    .and_then(|()| clap_mangen::generate_to(Cli::command(), &dir))
            };
            match written {
                Ok(()) => Exit::Ok.into(),
                Err(e) => {
                    plivo_dash::say!(
                        "plivo-dash: cannot write the man pages to {}: {e}",
                        dir.display()
                    );
                    Exit::Output.into()
                }
            }
        }
        None => commands::dashboard::run(&global, &http, cli.demo)
            .await
            .into(),
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
    let outcome = commands::check::unknown(&one_line(&e.to_string()));
    print_out(&format!("{}\n", outcome.line));
    let _ = e.print();
    ExitCode::from(outcome.status.code())
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
/// Output that cannot be written is never said on stderr instead (it may
/// hold a token); what the command changed is, so a script does not redo it.
fn report(result: Result<impl Into<Printed>, Failure>) -> ExitCode {
    match result.map(Into::into) {
        Ok(Printed { text, done }) => {
            let ok = print_out(&text);
            if let (false, Some(done)) = (ok, done) {
                plivo_dash::say!("plivo-dash: {done}, but its output was not written");
            }
            written(ok)
        }
        Err(e) => {
            plivo_dash::say!("plivo-dash: {e}");
            e.exit().into()
        }
    }
}

/// `exit`, if `text` could be written to stdout; else [`Exit::Output`].
fn printed(text: &str, exit: Exit) -> ExitCode {
    if print_out(text) {
        exit.into()
    } else {
        Exit::Output.into()
    }
}

/// Success, if the output was written.
fn written(ok: bool) -> ExitCode {
    if ok { Exit::Ok } else { Exit::Output }.into()
}

/// The client, with the configuration's warnings said on stderr.
fn connect(global: &Global, http: &Http) -> Result<(plivo_dash::plivo::Client, String), Failure> {
    let (client, settings) = commands::connect(global, http)?;
    commands::warn(&settings.warnings);
    let source = settings.credentials()?.token_source.clone();
    Ok((client, source))
}

async fn get(global: &Global, http: &Http, json: bool) -> Result<String, Failure> {
    let (client, token_source) = connect(global, http)?;
    commands::get(&client, json)
        .await
        .map_err(|e| e.with_token_source(&token_source))
}

async fn subaccounts(
    global: &Global,
    http: &Http,
    command: plivo_dash::cli::SubaccountsCommand,
) -> Result<Printed, Failure> {
    let (client, token_source) = connect(global, http)?;
    commands::subaccounts::run(&client, command)
        .await
        .map_err(|e| e.with_token_source(&token_source))
}

/// The history from the store: no client, no request.
fn history(global: &Global, args: &plivo_dash::cli::HistoryArgs) -> Result<String, Failure> {
    if global.all_profiles {
        let all = commands::resolve_all(global)?;
        let (text, warnings) = commands::history::history_all(&all, args, jiff::Timestamp::now())?;
        commands::warn(&warnings);
        return Ok(text);
    }
    let settings = plivo_dash::config::resolve(global, &plivo_dash::config::Env::from_process())?;
    commands::warn(&settings.warnings);
    let (text, said) = commands::history::history(&settings, args, jiff::Timestamp::now())?;
    commands::warn(&said);
    Ok(text)
}

async fn update(global: &Global, http: &Http, args: UpdateArgs) -> Result<Printed, Failure> {
    let (client, token_source) = connect(global, http)?;
    commands::update(&client, args)
        .await
        .map_err(|e| e.with_token_source(&token_source))
}
