//! The worker against the real sandbox: every command ends in an event, in
//! order, and a save is confirmed by a fetch.

mod support;

use std::time::Duration;

use plivo_dash::plivo::{AccountUpdate, ApiError, Client, Field, Limits};
use plivo_dash::sandbox::{self, Options};
use plivo_dash::worker::{self, Command, Event, Op};
use support::{Canned, CannedServer, TOKEN};

async fn next(events: &mut tokio::sync::mpsc::UnboundedReceiver<Event>) -> Event {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("the worker answers")
        .expect("an event")
}

#[tokio::test]
async fn refresh_then_save_arrive_in_order_and_the_save_is_confirmed() {
    let sandbox = sandbox::spawn(Options {
        auth_token: TOKEN.into(),
        ..Options::default()
    })
    .await
    .expect("sandbox");
    let client = Client::new(&sandbox.base_url, &sandbox.auth_id, TOKEN.into()).expect("client");
    let (commands, mut events) = worker::spawn(client);
    let mut update = AccountUpdate::default();
    update.set(Field::City, "Metropolis");
    commands.send(Command::Refresh).expect("send");
    commands.send(Command::Save(update.clone())).expect("send");

    let Event::Loaded { account, .. } = next(&mut events).await else {
        panic!("first the refresh");
    };
    assert_eq!(account.city, "Gotham");
    assert_eq!(next(&mut events).await, Event::Saved { update });
    let Event::Loaded { account, .. } = next(&mut events).await else {
        panic!("then the confirming fetch");
    };
    assert_eq!(account.city, "Metropolis");
}

#[tokio::test]
async fn failures_are_reported_not_swallowed() {
    let sandbox = sandbox::spawn(Options::default()).await.expect("sandbox");
    let client = Client::new(
        &sandbox.base_url,
        &sandbox.auth_id,
        "wrong".to_owned().into(),
    )
    .expect("client");
    let (commands, mut events) = worker::spawn(client);
    commands.send(Command::Refresh).expect("send");
    commands
        .send(Command::Save(AccountUpdate::default()))
        .expect("send");
    for op in [Op::Refresh, Op::Save] {
        match next(&mut events).await {
            Event::Failed { op: got, error } => {
                assert_eq!(got, op);
                assert!(matches!(error, ApiError::Unauthorized { .. }), "{error:?}");
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_server_that_never_answers_ends_in_a_timeout_event() {
    let server = CannedServer::start(Canned::Silent).await;
    let limits = Limits {
        timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let client = Client::with_limits(&server.url, "MA2025RK4E639VJFZAGV", TOKEN.into(), limits)
        .expect("client");
    let (commands, mut events) = worker::spawn(client);
    commands.send(Command::Refresh).expect("send");
    assert_eq!(
        next(&mut events).await,
        Event::Failed {
            op: Op::Refresh,
            error: ApiError::Timeout(Duration::from_millis(300))
        }
    );
}
