//! plivo-dash: a terminal dashboard, credit monitor and script-friendly CLI
//! for a Plivo account, with a Plivo-compatible sandbox built in.

/// `eprintln!` that never panics. What is said on stderr is for a person;
/// one who closed the pipe (`2>&1 | head -1`) asked for no more, and that is
/// no reason for a command, or a service, to die.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        let _ = writeln!(::std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod alert;
pub mod app;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod exporter;
pub mod keymap;
pub mod layout;
pub mod listen;
pub mod logging;
pub mod monitor;
pub mod plivo;
pub mod sandbox;
pub mod screens;
pub mod scroll;
pub mod signals;
pub mod state;
pub mod store;
pub mod text;
pub mod tui;
pub mod tz;
pub mod ui;
pub mod usage;
pub mod worker;
