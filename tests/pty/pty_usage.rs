//! The dashboard syncs the account's usage records in the background: the
//! real binary, SIGKILLed mid-back-fill, resumes at its next start with
//! every record the sandbox served stored once.

use crate::support;

use std::num::NonZeroU16;
use std::path::Path;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use plivo_dash::sandbox::Options;
use plivo_dash::store::{GroupBy, Kind, Store, SyncPosition};
use support::pty::Pty;
use support::{TOKEN, TestSandbox};

const COLS: NonZeroU16 = NonZeroU16::new(100).unwrap();
const ROWS: NonZeroU16 = NonZeroU16::new(30).unwrap();

/// Both lists' positions in the store at `path`, once it is there.
fn positions(path: &Path, auth_id: &str) -> Option<[SyncPosition; 2]> {
    if !path.exists() {
        return None;
    }
    let store = Store::open(path, Timestamp::now()).ok()?.store;
    Some([
        store.position(auth_id, Kind::Call).ok()?,
        store.position(auth_id, Kind::Message).ok()?,
    ])
}

/// Polls the store until `ok` holds of the positions.
fn wait_store(path: &Path, auth_id: &str, what: &str, ok: impl Fn(&[SyncPosition; 2]) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        if positions(path, auth_id).is_some_and(|p| ok(&p)) {
            return;
        }
        assert!(Instant::now() < deadline, "never {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[cfg(unix)]
#[test]
fn a_dashboard_killed_mid_back_fill_resumes_at_its_next_start_with_every_record_once() {
    let sandbox = TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        traffic_days: 1,
        subaccounts: 3,
        ..Options::default()
    });
    let auth_id = sandbox.handle.auth_id.clone();
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("state");
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "usage_days = 1\n").expect("a config file");
    let state_env = state.to_string_lossy().into_owned();
    let config_env = config.to_string_lossy().into_owned();
    let env = [
        sandbox.env().as_slice(),
        &[
            ("XDG_STATE_HOME", state_env.as_str()),
            ("PLIVO_DASH_CONFIG", config_env.as_str()),
        ],
    ]
    .concat();
    let path = state.join("plivo-dash").join(plivo_dash::store::FILE_NAME);

    // The message list goes at its 20 a minute: killed a page or two in.
    let mut pty = Pty::spawn(&[], &env, COLS, ROWS);
    pty.wait_for("Wayne Enterprises Inc.");
    wait_store(&path, &auth_id, "mid-back-fill", |[_, messages]| {
        messages.backfill.is_some() && !messages.backfill_done
    });
    pty.signal("-KILL");
    pty.wait_exit();
    let [_, messages] = positions(&path, &auth_id).expect("the store");
    assert!(
        !messages.backfill_done,
        "killed mid-back-fill: {messages:?}"
    );

    // The next start picks it up where it stopped.
    let mut again = Pty::spawn(&[], &env, COLS, ROWS);
    again.wait_for("Wayne Enterprises Inc.");
    wait_store(&path, &auth_id, "back-filled", |lists| {
        lists.iter().all(|p| p.backfill_done)
    });
    again.signal("-TERM");
    assert_eq!(again.wait_exit(), 143);

    let store = Store::open(&path, Timestamp::now()).expect("opens").store;
    let to = Timestamp::now();
    let mut count = 0;
    for (kind, calls) in [(Kind::Call, true), (Kind::Message, false)] {
        let from = store
            .position(&auth_id, kind)
            .expect("a position")
            .backfill
            .expect("an edge");
        let served = sandbox.handle.served(calls, from, to);
        assert!(served.0 > 0, "{kind:?}: the sandbox served some");
        // The list's products: voice-… for calls, the rest for messages.
        let stored = store
            .totals(&auth_id, from, to, GroupBy::Product)
            .expect("totals")
            .into_iter()
            .filter(|t| {
                t.key
                    .as_deref()
                    .is_some_and(|k| k.starts_with("voice-") == calls)
            })
            .fold((0, rust_decimal::Decimal::ZERO), |(n, m), t| {
                (n + t.count, m + t.amount)
            });
        assert_eq!(stored, served, "{kind:?}: every record, once");
        count += served.0;
    }
    assert_eq!(store.record_count(&auth_id).expect("a count"), count);
}
