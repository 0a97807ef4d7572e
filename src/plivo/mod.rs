//! The wire: the Plivo Account API as the official SDKs speak it.

mod account;
mod client;
mod error;

pub use account::{Account, AccountType, AccountUpdate, AuthId, BillingMode, Field, UpdateReply};
pub use client::{Client, DEFAULT_API_URL, Limits};
pub use error::{ApiError, ErrorClass};
