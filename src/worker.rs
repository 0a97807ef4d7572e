//! The background task that owns the client: `Command`s in, `Event`s out.
//!
//! One request at a time, in the order asked, so a refresh can never overtake
//! a save. Every command ends in an event, success or failure; the client's
//! own time limit means none can hang.

use jiff::Timestamp;
use tokio::sync::mpsc;

use crate::plivo::{Account, AccountUpdate, ApiError, Client};

/// What the app asks of the worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Fetch the account now.
    Refresh,
    /// Send these changes, then fetch the account to confirm them.
    Save(AccountUpdate),
}

/// Which kind of request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// A fetch.
    Refresh,
    /// A save.
    Save,
}

/// What the worker reports back.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// The account as fetched at `at`.
    Loaded {
        /// The account (boxed: it dwarfs every other message).
        account: Box<Account>,
        /// When the answer arrived.
        at: Timestamp,
    },
    /// The server accepted these changes; a confirming `Loaded` follows.
    Saved {
        /// What was sent.
        update: AccountUpdate,
    },
    /// A request failed.
    Failed {
        /// Which one.
        op: Op,
        /// Why.
        error: ApiError,
    },
}

/// Starts the worker on the current runtime. It stops when the command
/// sender is dropped.
pub fn spawn(
    client: Client,
) -> (
    mpsc::UnboundedSender<Command>,
    mpsc::UnboundedReceiver<Event>,
) {
    let (command_tx, mut command_rx) = mpsc::unbounded_channel();
    let (event_tx, event_rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(command) = command_rx.recv().await {
            for event in execute(&client, command).await {
                if event_tx.send(event).is_err() {
                    return;
                }
            }
        }
    });
    (command_tx, event_rx)
}

/// Runs one command to completion and returns what to report.
pub async fn execute(client: &Client, command: Command) -> Vec<Event> {
    match command {
        Command::Refresh => vec![fetch(client).await],
        Command::Save(update) => match client.update_account(&update).await {
            Ok(_) => vec![Event::Saved { update }, fetch(client).await],
            Err(error) => vec![Event::Failed {
                op: Op::Save,
                error,
            }],
        },
    }
}

async fn fetch(client: &Client) -> Event {
    match client.get_account().await {
        Ok(account) => Event::Loaded {
            account: Box::new(account),
            at: Timestamp::now(),
        },
        Err(error) => Event::Failed {
            op: Op::Refresh,
            error,
        },
    }
}
