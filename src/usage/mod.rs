//! The usage records turned into spend: whose each record is and where it
//! went ([`attribute`]), and the sync that reads them into the store
//! ([`sync`]).

pub mod attribute;
pub mod forecast;
pub mod spike;
pub mod sync;
