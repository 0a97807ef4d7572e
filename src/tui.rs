//! The terminal and the event loop: one `select!` over keys, worker events
//! and a clock, drawing only when something changed.

use std::io::{self, Write as _};
use std::time::Duration;

use futures_util::StreamExt as _;
use jiff::Timestamp;
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event as TermEvent, EventStream, KeyEventKind,
};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};

use crate::app::{App, Msg, Session};
use crate::plivo::Client;
use crate::{ui, worker};

/// Set in the environment, the dashboard panics after its first frame: the
/// end-to-end tests use it to show that a crash leaves the terminal usable.
pub const TEST_PANIC: &str = "PLIVO_DASH_TEST_PANIC";

/// Runs the dashboard until the user quits. The terminal is restored on
/// every way out, a panic included.
pub async fn run(session: Session, client: Client, options: worker::Options) -> io::Result<()> {
    let mut terminal = ratatui::init();
    install_panic_hook();
    let result = match execute!(io::stdout(), EnableBracketedPaste, EnableMouseCapture) {
        Ok(()) => event_loop(&mut terminal, session, client, options).await,
        Err(e) => Err(e),
    };
    restore();
    result
}

fn restore() {
    let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
    ratatui::restore();
}

/// ratatui's hook leaves raw mode and the alternate screen; this one also
/// turns off mouse capture and bracketed paste, which it does not know about.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let _ = execute!(io::stdout(), DisableMouseCapture, DisableBracketedPaste);
        previous(info);
    }));
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    session: Session,
    client: Client,
    options: worker::Options,
) -> io::Result<()> {
    let size = terminal.size()?;
    let mut app = App::new(
        session,
        Timestamp::now(),
        (size.width, size.height),
        options.period,
    );
    let (commands, mut events) = worker::spawn(client, options);
    let mut input = EventStream::new();
    // The clock only moves "12 s ago" along; the app redraws on a tick only
    // when what is shown changed.
    let mut clock = tokio::time::interval(Duration::from_secs(1));
    clock.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);

    let mut stop = Stop::new()?;
    for command in app.start() {
        let _ = commands.send(command);
    }
    draw(terminal, &app)?;
    if std::env::var_os(TEST_PANIC).is_some() {
        panic!("{TEST_PANIC} is set: a deliberate panic, to prove the terminal is restored");
    }
    loop {
        let msg = tokio::select! {
            next = input.next() => match next {
                Some(Ok(event)) => match to_msg(event) {
                    Some(msg) => msg,
                    None => continue,
                },
                Some(Err(e)) => return Err(e),
                None => return Ok(()),
            },
            Some(event) = events.recv() => Msg::Worker(event),
            _ = clock.tick() => Msg::Tick(Timestamp::now()),
            () = stop.recv() => return Ok(()),
        };
        let outcome = app.update(msg);
        for command in outcome.commands {
            let _ = commands.send(command);
        }
        if app.should_quit() {
            return Ok(());
        }
        if outcome.redraw {
            draw(terminal, &app)?;
        }
        if outcome.bell {
            // BEL, once per crossing: the app decides when.
            io::stdout().write_all(b"\x07")?;
            io::stdout().flush()?;
        }
    }
}

fn to_msg(event: TermEvent) -> Option<Msg> {
    match event {
        TermEvent::Key(key) if key.kind != KeyEventKind::Release => Some(Msg::Key(key)),
        TermEvent::Paste(text) => Some(Msg::Paste(text)),
        TermEvent::Mouse(mouse) => Some(Msg::Mouse(mouse)),
        TermEvent::Resize(w, h) => Some(Msg::Resize(w, h)),
        _ => None,
    }
}

/// One frame, sent as a synchronized update so the terminal never shows
/// half of it.
fn draw(terminal: &mut DefaultTerminal, app: &App) -> io::Result<()> {
    execute!(io::stdout(), BeginSynchronizedUpdate)?;
    let drawn = terminal.draw(|frame| ui::render(app, frame));
    execute!(io::stdout(), EndSynchronizedUpdate)?;
    io::stdout().flush()?;
    drawn.map(|_| ())
}

/// SIGTERM and SIGHUP: leave cleanly (restoring the terminal) instead of
/// dying with it in raw mode. Ctrl-C arrives as a key in raw mode.
struct Stop {
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
    #[cfg(unix)]
    hangup: tokio::signal::unix::Signal,
}

impl Stop {
    fn new() -> io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                term: signal(SignalKind::terminate())?,
                hangup: signal(SignalKind::hangup())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Self {})
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hangup.recv() => {}
        }
        #[cfg(not(unix))]
        std::future::pending::<()>().await
    }
}
