//! The real binary in a pseudo-terminal: keys typed, frames read back,
//! signals sent. One binary for all of them.

#[path = "../support/mod.rs"]
mod support;

mod login;
mod pty;
mod pty_fleet;
mod pty_spike;
mod pty_usage;
