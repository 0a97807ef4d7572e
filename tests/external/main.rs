//! Tests that run programs: the binary through assert_cmd, and Prometheus,
//! promtool, the Python SDK, a Secret Service, systemd-analyze, man and the
//! Debian package where present (each skips aloud without). One binary for
//! all of them.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod deploy;
mod forecast;
mod package;
mod prometheus;
mod python_sdk;
mod secrets;
mod store;
mod subaccounts;
mod usage;
