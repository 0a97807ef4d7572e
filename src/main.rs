use std::io::Write as _;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};
use plivo_dash::cli::{Cli, Command, Global, SandboxArgs};
use plivo_dash::{commands, sandbox};
use secrecy::{ExposeSecret as _, SecretString};

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.demo && cli.command.is_some() {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--demo opens the dashboard; it cannot be combined with a command",
            )
            .exit();
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
        None if cli.demo => report(demo().await),
        None => report(get(&cli.global, false).await.map(|s| {
            s + "\n(the interactive dashboard is not built yet; this is `plivo-dash get`)\n"
        })),
    }
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

fn connect(global: &Global) -> Result<plivo_dash::plivo::Client, commands::Failure> {
    let (client, warnings) = commands::connect(global)?;
    for w in warnings {
        eprintln!("plivo-dash: {w}");
    }
    Ok(client)
}

async fn get(global: &Global, json: bool) -> Result<String, commands::Failure> {
    commands::get(&connect(global)?, json).await
}

async fn update(
    global: &Global,
    args: plivo_dash::cli::UpdateArgs,
) -> Result<String, commands::Failure> {
    commands::update(&connect(global)?, args).await
}

async fn demo() -> Result<String, commands::Failure> {
    let handle = sandbox::spawn(sandbox::Options::default())
        .await
        .map_err(|e| commands::Failure::Usage(format!("cannot start the demo sandbox: {e}")))?;
    let client = plivo_dash::plivo::Client::new(
        &handle.base_url,
        &handle.auth_id,
        handle.auth_token.clone(),
    )?;
    let text = commands::get(&client, false).await?;
    Ok(format!(
        "{text}\n(demo account from the embedded sandbox; the interactive dashboard is not built yet)\n"
    ))
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
    tokio::select! {
        result = handle.serve_forever() => match result {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("plivo-dash: sandbox failed: {e}");
                4
            }
        },
        () = shutdown_signal() => 0,
    }
}

/// Ctrl-C, or SIGTERM from a service manager.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
