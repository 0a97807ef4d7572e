//! The Prometheus exporter's parts: what it knows of each account
//! ([`state`]), how that is exposed ([`metrics`]) and served ([`http`]).
//! `commands::exporter` wires them to the workers and a listener.

pub mod http;
pub mod metrics;
pub mod state;
