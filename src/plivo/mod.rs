//! The wire: the Plivo Account and Subaccount APIs, and the usage record
//! lists (calls, messages, numbers), as the official SDKs speak them.

mod account;
pub mod budget;
mod call;
mod client;
mod error;
mod http;
mod message;
mod number;
pub mod pager;
mod records;
mod subaccount;
mod tally;

pub use account::{
    Account, AccountType, AccountUpdate, AuthId, BillingMode, Field, MAX_FIELD_CHARS, UpdateReply,
    text_problem,
};
pub use budget::{Budget, Share};
pub use call::Call;
pub use client::{Client, DEFAULT_API_URL, Limits, PAGE_GAP, PAGES_IN_FLIGHT};
pub use error::{ApiError, ErrorClass};
pub use http::{Http, Tls, install_tls};
pub use message::Message;
pub use number::Number;
pub use pager::{Disagreement, Listed, Pace, Paged};
pub use records::{
    CallQuery, Direction, ListQuery, MESSAGE_PACE, MessageQuery, NumberQuery, Record, RecordMeta,
    RecordPage, RecordQuery, TimeRange, filter_time, parse_time,
};
pub use subaccount::{Created, Meta, PAGE_LIMIT, Page, Subaccount, SubaccountChange, name_problem};
pub use tally::{Answer, Tally};
