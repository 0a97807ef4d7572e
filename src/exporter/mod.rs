//! The Prometheus exporter's parts: what it knows of each account
//! ([`state`]), the accounts between their workers and the scrapes
//! ([`accounts`]), the store's spend as series ([`spend`]), how that is
//! exposed ([`metrics`]) and served ([`http`]).
//! `commands::exporter` wires them to the workers and a listener.

pub mod accounts;
pub mod http;
pub mod metrics;
pub mod spend;
pub mod state;
