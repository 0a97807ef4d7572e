//! The usage records turned into spend: whose each record is and where it
//! went ([`attribute`]), and the sync that reads them into the store
//! ([`sync`]); the month ahead ([`forecast`], read from the store by
//! [`ahead`]), what a dashboard or an exporter shows after each sync
//! ([`digest`]) and spend spikes ([`spike`]).

pub mod ahead;
pub mod attribute;
pub mod digest;
pub mod forecast;
pub mod spike;
pub mod sync;
