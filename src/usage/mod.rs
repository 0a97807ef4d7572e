//! The usage records turned into spend: whose each record is and where it
//! went ([`attribute`]), and the sync that reads them into the store
//! ([`sync`]); the month ahead ([`forecast`], read from the store by
//! [`ahead`]) spend spikes ([`spike`]); and
//! what the usage screen shows ([`view`]).

pub mod ahead;
pub mod attribute;
pub mod forecast;
pub mod spike;
pub mod sync;
pub mod view;
