//! plivo-dash: a terminal dashboard, credit monitor and script-friendly CLI
//! for a Plivo account, with a Plivo-compatible sandbox built in.

pub mod cli;
pub mod commands;
pub mod config;
pub mod plivo;
pub mod sandbox;
pub mod text;
pub mod threshold;
pub mod tz;
