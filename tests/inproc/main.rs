//! In-process tests: the library's screens, state, workers, client, sandbox
//! and exporter driven directly, on ratatui's TestBackend and real HTTP on
//! 127.0.0.1. One binary, so the crate is linked once for all of them.

#[path = "../support/mod.rs"]
mod support;

mod app;
mod architecture;
mod attribution;
mod chart;
mod client_sandbox;
mod error_matrix;
mod event_loop;
mod exporter;
mod faults;
mod fixtures;
mod fleet;
mod fuzz;
mod monitor_ui;
mod readme;
mod scheduler;
mod subaccounts_screen;
mod ui;
mod usage_sandbox;
mod usage_schedule;
mod usage_screen;
mod usage_sync;
mod welcome;
mod worker;
