//! The terminal and the event loop: one `select!` over keys, worker events
//! and a clock, drawing only when something changed.

use std::io::{self, Write};
use std::time::Duration;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use futures_util::{Stream, StreamExt as _};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend};
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event as TermEvent, EventStream,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen,
};

use crate::app::fleet::{Ending, Fleet, FleetMsg};
use crate::app::{Msg, Notice};
use crate::clock::Clock;
use crate::plivo::Client;
use crate::signals::{Signal, Stop};
use crate::worker;

/// The most often the fleet screen is drawn for what the accounts report
/// (keys are drawn at once).
const FLEET_FRAME_GAP: Duration = Duration::from_secs(2);

/// Set in the environment, the dashboard panics after its first frame: the
/// end-to-end tests use it to show that a crash leaves the terminal usable.
pub const TEST_PANIC: &str = "PLIVO_DASH_TEST_PANIC";

/// Whether the dashboard can run here: it reads keys from standard input
/// and draws on standard output, so both must be a terminal (not so under
/// cron, `ssh host plivo-dash` without `-t`, or with output redirected).
pub(crate) fn has_terminal() -> bool {
    use std::io::IsTerminal as _;
    io::stdin().is_terminal() && io::stdout().is_terminal()
}

/// What polls one account: its worker's client and options, or `None` when
/// its profile names no usable account (its row says why).
pub(crate) type Poller = Option<(Client, worker::Options)>;

/// How the dashboard ended: as the fleet ended it (quit, interrupted,
/// logged in, the demo asked for), or stopped by a signal.
pub type Ended = Result<Ending, Signal>;

/// Runs the dashboard (or the welcome screen it holds) until the user
/// quits, logs in or asks for the demo, or a signal stops it; `fleet`
/// keeps what was typed, for a return from the demo. The terminal is
/// restored on every way out, a panic included (see [`install_panic_hook`]).
pub async fn run(
    fleet: &mut Fleet,
    pollers: Vec<Poller>,
    login: Option<WelcomeSetup>,
) -> io::Result<Ended> {
    let mouse = fleet.members.iter().any(|m| m.app.mouse);
    let mut terminal = enter()?;
    let setup = execute!(io::stdout(), EnableBracketedPaste)
        .and_then(|()| set_mouse(&mut io::stdout(), mouse));
    let result = match setup {
        Ok(()) => match Stop::new() {
            Ok(mut stop) => {
                let clock = pollers
                    .iter()
                    .flatten()
                    .map(|(_, o)| o.clock)
                    .next()
                    .unwrap_or_else(Clock::system);
                let workers = pollers
                    .into_iter()
                    .map(|w| w.map(|(client, options)| worker::spawn(client, options)))
                    .collect();
                let io = Io {
                    terminal: &mut terminal,
                    tty: &mut io::stdout(),
                    input: EventStream::new(),
                    stop: stop.recv(),
                    workers,
                    login,
                };
                event_loop(io, fleet, clock, &Frames::default()).await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    restore();
    result
}

/// Where the welcome screen's credentials are checked and kept.
#[derive(Debug, Clone)]
pub struct WelcomeSetup {
    /// The config file to keep them in.
    pub config_path: std::path::PathBuf,
    /// The API to check them with (and to note in the profile, when it is
    /// not Plivo's own).
    pub api_url: String,
    /// The request's time limits.
    pub limits: crate::plivo::Limits,
    /// The process's HTTP client, to check them through.
    pub http: crate::plivo::Http,
}

/// Checks the welcome screen's credentials with one request, then keeps
/// them (the keychain and the disk, off the event loop). Says where the
/// token went, or why nothing was kept.
async fn check_and_keep(
    setup: WelcomeSetup,
    login: crate::screens::welcome::Login,
) -> Result<String, String> {
    // The API the token is checked against is the one kept with it, even
    // under a profile name typed anew.
    let keep_api_url = login.api_url.clone().or_else(|| {
        (setup.api_url != crate::plivo::DEFAULT_API_URL).then(|| setup.api_url.clone())
    });
    let api_url = login.api_url.clone().unwrap_or(setup.api_url);
    crate::config::credentials::check(
        &setup.http,
        &api_url,
        &login.auth_id,
        &login.token,
        setup.limits,
    )
    .await
    .map_err(|e| format!("{e}; nothing was kept"))?;
    tokio::task::spawn_blocking(move || {
        crate::config::credentials::keep(
            &setup.config_path,
            login.profile.as_deref(),
            &login.auth_id,
            &login.token,
            keep_api_url.as_deref(),
        )
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| e.to_string())
}

/// Whether the terminal is in the dashboard's modes, for the panic hook
/// to put back (and only then: a panic in `get` writes no escapes into
/// its output).
static ENTERED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The terminal in raw mode on the alternate screen; put back at once if
/// that fails half way. (Not `ratatui::try_init`, which stacks another
/// panic hook on each call: the welcome screen and the demo may take turns.)
fn enter() -> io::Result<ratatui::DefaultTerminal> {
    ENTERED.store(true, Ordering::SeqCst);
    let entered = ratatui::crossterm::terminal::enable_raw_mode()
        .and_then(|()| execute!(io::stdout(), EnterAlternateScreen))
        .and_then(|()| Terminal::new(CrosstermBackend::new(io::stdout())));
    if entered.is_err() {
        restore();
    }
    entered
}

fn restore() {
    if ENTERED.swap(false, Ordering::SeqCst) {
        let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
        ratatui::restore();
    }
}

/// Turns the terminal's mouse capture on or off.
fn set_mouse<W: Write>(tty: &mut W, on: bool) -> io::Result<()> {
    if on {
        execute!(tty, EnableMouseCapture)
    } else {
        execute!(tty, DisableMouseCapture)
    }
}

/// Puts a secret on the system clipboard with OSC 52 (terminals that allow
/// it copy it; it is never drawn). Ended with ST rather than BEL, so no
/// terminal mistakes it for the bell.
fn copy<W: Write>(tty: &mut W, clipboard: &crate::app::Clipboard) -> io::Result<()> {
    use base64::Engine as _;
    use secrecy::ExposeSecret as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(clipboard.0.expose_secret());
    write!(tty, "\x1b]52;c;{encoded}\x1b\\")?;
    tty.flush()
}

/// Puts the terminal back (raw mode, the alternate screen, mouse capture,
/// bracketed paste) before a panic's message is printed, whenever the
/// dashboard holds it. Installed once, by `main`.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// What the loop talks to: the real terminal in [`run`], a `TestBackend`
/// and a channel in tests.
pub struct Io<'a, B: Backend, W, I, S> {
    /// Where frames are drawn.
    pub terminal: &'a mut Terminal<B>,
    /// Where the bell and the synchronized-update markers go.
    pub tty: &'a mut W,
    /// Terminal events: keys, pastes, mouse, resizes.
    pub input: I,
    /// Ends the loop cleanly when it completes, with the signal.
    pub stop: S,
    /// Each member's worker (`None` where it has none).
    pub workers: Vec<Option<worker::Channels>>,
    /// Where the welcome screen's credentials are checked and kept
    /// (`None`: nowhere, and a check says so).
    pub login: Option<WelcomeSetup>,
}

/// How many frames the loop has drawn: the proof that an idle dashboard
/// draws nothing.
#[derive(Debug, Clone, Default)]
pub struct Frames(Arc<AtomicU64>);

impl Frames {
    /// Frames drawn so far.
    pub fn count(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The loop: one `select!` over terminal input, the workers' reports, the
/// alert commands' answers, the clock and the stop signal; every message
/// goes through `Fleet::update`, and a frame is drawn only when it says
/// something changed. Ends as the user or a signal ended it.
pub async fn event_loop<B, W, I, S>(
    io: Io<'_, B, W, I, S>,
    fleet: &mut Fleet,
    clock: Clock,
    frames: &Frames,
) -> io::Result<Ended>
where
    B: Backend,
    B::Error: std::error::Error + Send + Sync + 'static,
    W: Write,
    I: Stream<Item = io::Result<TermEvent>> + Unpin,
    S: Future<Output = Signal>,
{
    let Io {
        terminal,
        tty,
        mut input,
        stop,
        workers,
        login,
    } = io;
    tokio::pin!(stop);
    let size = terminal.size().map_err(io::Error::other)?;
    fleet.update(FleetMsg::Term(Msg::Resize(size.width, size.height)));
    fleet.update(FleetMsg::Term(Msg::Tick(clock.now())));
    let mut workers = worker::Workers::new(workers);
    let mut reporting = !workers.is_empty();
    // The alert commands' failures come back as notices.
    let (said_tx, mut said) = tokio::sync::mpsc::unbounded_channel::<Notice>();
    // The welcome screen's checks, off the loop.
    let (answers, mut answered) = tokio::sync::mpsc::unbounded_channel();
    // The clock only moves "12 s ago" along; the app redraws on a tick only
    // when what is shown changed.
    let mut ticks = tokio::time::interval(Duration::from_secs(1));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    for (i, command) in fleet.start() {
        workers.send(i, command);
    }
    let mut pending = false;
    let mut last_frame = tokio::time::Instant::now();
    draw(terminal, tty, fleet, frames)?;
    if cfg!(debug_assertions) && std::env::var_os(TEST_PANIC).is_some() {
        panic!("{TEST_PANIC} is set: a deliberate panic, to prove the terminal is restored");
    }
    loop {
        let msg = tokio::select! {
            next = input.next() => match next {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => FleetMsg::Term(msg),
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => return Ok(Ok(Ending::Quit)),
            },
            report = workers.next(), if reporting => match report {
                Some((i, Some(report))) => FleetMsg::Report(i, report),
                Some((i, None)) => FleetMsg::Stopped(i),
                None => {
                    reporting = false;
                    continue;
                }
            },
            Some(notice) = said.recv() => FleetMsg::Said(notice),
            Some(answer) = answered.recv() => FleetMsg::Checked(answer),
            _ = ticks.tick() => FleetMsg::Term(Msg::Tick(clock.now())),
            signal = &mut stop => return Ok(Err(signal)),
        };
        // On the fleet screen, reports from many accounts and the ages they
        // show change all the time: what they change is drawn every
        // FLEET_FRAME_GAP at most, so a hundred accounts cost little more
        // than one. Keys are always drawn at once.
        let coalesce = fleet.open.is_none()
            && matches!(msg, FleetMsg::Report(..) | FleetMsg::Term(Msg::Tick(_)));
        let tick = matches!(msg, FleetMsg::Term(Msg::Tick(_)));
        let outcome = fleet.update(msg);
        for (i, command) in outcome.requests {
            // A worker that is gone says so through its stream's end.
            workers.send(i, command);
        }
        if let Some(check) = outcome.check {
            let login = login.clone();
            let answers = answers.clone();
            tokio::spawn(async move {
                let answer = match login {
                    Some(setup) => check_and_keep(setup, check).await,
                    None => Err("nothing can be kept here".to_owned()),
                };
                let _ = answers.send(answer);
            });
        }
        if let Some(ending) = fleet.ending() {
            return Ok(Ok(ending));
        }
        if let Some(on) = outcome.mouse_capture {
            set_mouse(tty, on)?;
        }
        if let Some(clipboard) = &outcome.clipboard {
            copy(tty, clipboard)?;
        }
        pending |= outcome.redraw && coalesce;
        let due = tick && pending && last_frame.elapsed() >= FLEET_FRAME_GAP;
        if (outcome.redraw && !coalesce) || due {
            draw(terminal, tty, fleet, frames)?;
            last_frame = tokio::time::Instant::now();
            pending = false;
        }
        if outcome.bell {
            // BEL, once per crossing: the app decides when.
            tty.write_all(b"\x07")?;
            tty.flush()?;
        }
        for alert in outcome.alerts {
            if alert.notify {
                tty.write_all(crate::alert::notification(&alert).as_bytes())?;
                tty.flush()?;
            }
            if let Some(command) = alert.command.clone() {
                let said = said_tx.clone();
                tokio::spawn(async move {
                    if let Err(why) =
                        crate::alert::run_command(&command, &alert, crate::alert::COMMAND_TIMEOUT)
                            .await
                    {
                        tracing::warn!(%why, "on_alert failed");
                        let _ = said.send(Notice::error(why.to_string()));
                    }
                });
            }
        }
    }
}

fn to_msg(event: TermEvent) -> Option<Msg> {
    match event {
        TermEvent::Key(key) => Some(Msg::Key(key)),
        TermEvent::Paste(text) => Some(Msg::Paste(text)),
        TermEvent::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        TermEvent::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// One frame, sent as a synchronized update so the terminal never shows
/// half of it.
fn draw<B, W>(
    terminal: &mut Terminal<B>,
    tty: &mut W,
    fleet: &Fleet,
    frames: &Frames,
) -> io::Result<()>
where
    B: Backend,
    W: Write,
    B::Error: std::error::Error + Send + Sync + 'static,
{
    execute!(tty, BeginSynchronizedUpdate)?;
    let drawn = terminal.draw(|frame| fleet.render(frame));
    execute!(tty, EndSynchronizedUpdate)?;
    tty.flush()?;
    frames.0.fetch_add(1, Ordering::Relaxed);
    drawn.map(|_| ()).map_err(io::Error::other)
}
