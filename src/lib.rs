//! plivo-dash: a terminal dashboard, credit monitor and script-friendly CLI
//! for a Plivo account, with a Plivo-compatible sandbox built in.

pub mod alert;
pub mod app;
pub mod cli;
pub mod clock;
pub mod commands;
pub mod config;
pub mod exporter;
pub mod keymap;
pub mod layout;
pub mod logging;
pub mod monitor;
pub mod plivo;
pub mod sandbox;
pub mod screens;
pub mod signals;
pub mod text;
pub mod tui;
pub mod tz;
pub mod ui;
pub mod worker;
