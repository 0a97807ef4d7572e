//! The usage records turned into spend: whose each record is and where it
//! went ([`attribute`]), before the sync stores it.

pub mod attribute;
