//! The wire: the Plivo Account and Subaccount APIs as the official SDKs
//! speak them.

mod account;
mod client;
mod error;
pub mod pager;
mod subaccount;
mod tally;

pub use account::{
    Account, AccountType, AccountUpdate, AuthId, BillingMode, Field, MAX_FIELD_CHARS, UpdateReply,
    text_problem,
};
pub use client::{Client, DEFAULT_API_URL, Limits, PAGE_GAP, PAGES_IN_FLIGHT};
pub use error::{ApiError, ErrorClass};
pub use pager::{Disagreement, Listed, Paged};
pub use subaccount::{Created, Meta, PAGE_LIMIT, Page, Subaccount, SubaccountChange, name_problem};
pub use tally::{Answer, Tally};
