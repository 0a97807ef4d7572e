//! The store shared by processes: several writing at once lose nothing
//! (records, and the credit history as two dashboards and an exporter keep
//! it, the account's old history file moved in once), and one killed
//! mid-page leaves whole pages with their sync position. The child
//! processes are this test binary again, running `child` with what to do in
//! the environment.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use plivo_dash::monitor::Sample;
use plivo_dash::plivo::AuthId;
use plivo_dash::store::{
    CreditHistory, FILE_NAME, GroupBy, Kind, Store, SyncPosition, UsageRecord,
};
use rust_decimal::dec;

const ACCOUNT: &str = "MA2025RK4E639VJFZAGV";
const ROLE: &str = "PLIVO_DASH_STORE_CHILD";
const PAGES: i64 = 40;
const PAGE: i64 = 100;
const BIG_PAGE: i64 = 5_000;
/// How many samples the account's old history file holds.
const OLD: i64 = 30;
/// What every writer's history keeps, and the time they all open it at.
const DAY: SignedDuration = SignedDuration::from_hours(24);
const NOW: i64 = 3_000;

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_780_000_000 + secs).expect("the store test")
}

fn record(uuid: String, secs: i64) -> UsageRecord {
    UsageRecord {
        uuid,
        at: t(secs),
        direction: "outbound".to_owned(),
        from: "14155550100".to_owned(),
        to: "447700900123".to_owned(),
        country: Some("GB".to_owned()),
        message_type: None,
        subaccount: None,
        decided: None,
        amount: dec!(0.01),
    }
}

fn open(path: &Path) -> Store {
    let opened = Store::open(path, Timestamp::now()).expect("the store test");
    assert_eq!(opened.notice, None);
    opened.store
}

fn spawn(role: &str) -> Child {
    Command::new(std::env::current_exe().expect("the store test"))
        .args(["store::child", "--exact", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the store test")
}

/// A balance at `secs`, as a poll would have it.
fn balance(secs: i64) -> Sample {
    Sample {
        at: t(secs),
        credits: rust_decimal::Decimal::from(10_000 - secs),
    }
}

/// What a child process does; nothing when run as an ordinary test.
#[test]
fn child() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let (what, rest) = role.split_once(':').expect("the store test");
    match what {
        "writer" => {
            let (n, db) = rest.split_once(':').expect("the store test");
            write_pages(n.parse().expect("the store test"), Path::new(db));
        }
        "endless" => write_endlessly(Path::new(rest)),
        _ => panic!("unknown role {role}"),
    }
}

/// Waits for the go file, then opens the account's credit history as a
/// dashboard's or an exporter's worker does (the store made, the old
/// history file moved in, by whichever comes first) and writes `PAGES`
/// pages: `PAGE` records of its own and `PAGE` every writer writes, and a
/// balance of its own and one every writer polled at the same instant per
/// page. Says `MOVED` on stdout if it moved the old file.
fn write_pages(n: i64, db: &Path) {
    let dir = db.parent().expect("the store test");
    let go = dir.join("go");
    while !go.exists() {
        std::thread::sleep(Duration::from_millis(5));
    }
    let id = AuthId::parse(ACCOUNT).expect("the store test");
    let history = CreditHistory::new(dir, &id, DAY);
    let mut kept = history.open(t(NOW)).expect("the store test");
    assert_eq!(kept.warning, None);
    if kept.moved.is_some() {
        println!("MOVED");
    }
    for page in 0..PAGES {
        let records: Vec<UsageRecord> = (0..PAGE)
            .map(|i| record(format!("own-{n}-{page}-{i}"), page))
            .chain((0..PAGE).map(|i| record(format!("shared-{page}-{i}"), page)))
            .collect();
        let position = SyncPosition {
            newest: Some(t(page)),
            ..SyncPosition::default()
        };
        kept.store
            .insert_page(ACCOUNT, Kind::Call, &records, &position)
            .expect("the store test");
        for secs in [n * 1_000 + page, 2_900 + page] {
            history
                .record(&mut kept.store, &balance(secs), t(NOW))
                .expect("the store test");
        }
    }
}

/// Writes page after page of `BIG_PAGE` records until killed, each page's
/// time being its number, and the position the newest page.
fn write_endlessly(db: &Path) {
    let mut store = open(db);
    for page in 0.. {
        let records: Vec<UsageRecord> = (0..BIG_PAGE)
            .map(|i| record(format!("{page}-{i}"), page))
            .collect();
        let position = SyncPosition {
            newest: Some(t(page)),
            ..SyncPosition::default()
        };
        store
            .insert_page(ACCOUNT, Kind::Call, &records, &position)
            .expect("the store test");
    }
}

fn db_in(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join(FILE_NAME)
}

#[test]
fn three_processes_writing_at_once_lose_nothing() {
    let dir = tempfile::tempdir().expect("the store test");
    let db = db_in(&dir);
    // The account's history from before the store: the three writers
    // start on a first run, so they race to make the store and move it in.
    let old = dir.path().join(format!("{ACCOUNT}.history"));
    let mut text = format!("# plivo-dash credit history v1 {ACCOUNT}\n");
    for secs in -OLD..0 {
        let s = balance(secs);
        text.push_str(&format!("{} {}\n", s.at, s.credits));
    }
    std::fs::write(&old, text).expect("the store test");
    let children: Vec<Child> = (0..3)
        .map(|n| spawn(&format!("writer:{n}:{}", db.display())))
        .collect();
    std::fs::write(dir.path().join("go"), "").expect("the store test");
    let mut moved = 0;
    for child in children {
        let output = child.wait_with_output().expect("the store test");
        assert!(output.status.success(), "a writer failed");
        moved += String::from_utf8_lossy(&output.stdout)
            .matches("MOVED")
            .count();
    }
    assert_eq!(moved, 1, "the old file moved by one writer, said once");
    assert!(!old.exists());
    assert!(
        dir.path()
            .join(format!("{ACCOUNT}.history.migrated"))
            .exists()
    );
    let mut store = open(&db);
    let own = 3 * PAGES * PAGE;
    let shared = PAGES * PAGE;
    assert_eq!(
        store.record_count(ACCOUNT).expect("the store test"),
        u64::try_from(own + shared).expect("the store test"),
        "every writer's records, the shared ones once"
    );
    let totals = store
        .totals(ACCOUNT, t(0), t(PAGES), GroupBy::Product)
        .expect("the store test");
    assert_eq!(
        totals[0].amount,
        dec!(0.01) * rust_decimal::Decimal::from(own + shared)
    );
    let samples = store
        .load_samples(
            &AuthId::parse(ACCOUNT).expect("the store test"),
            t(NOW),
            DAY,
        )
        .expect("the store test");
    let expected: Vec<Sample> = (-OLD..0)
        .chain((0..3).flat_map(|n| (0..PAGES).map(move |page| n * 1_000 + page)))
        .chain((0..PAGES).map(|page| 2_900 + page))
        .map(balance)
        .collect();
    assert_eq!(
        samples, expected,
        "the old file's, every writer's own, the instants they shared once"
    );
    assert_eq!(
        store
            .position(ACCOUNT, Kind::Call)
            .expect("the store test")
            .newest,
        Some(t(PAGES - 1))
    );
}

#[test]
fn a_writer_killed_mid_page_leaves_whole_pages_and_their_position() {
    let dir = tempfile::tempdir().expect("the store test");
    let db = db_in(&dir);
    let store = open(&db);
    let mut child = spawn(&format!("endless:{}", db.display()));
    let deadline = Instant::now() + Duration::from_secs(120);
    // Past a few pages, then at a moment that falls inside a page's
    // transaction far more often than between two.
    while store.record_count(ACCOUNT).expect("the store test")
        < 3 * u64::try_from(BIG_PAGE).expect("the store test")
    {
        assert!(Instant::now() < deadline, "the writer wrote nothing");
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(u64::from(fastrand::u8(..)) + 7));
    child.kill().expect("the store test");
    child.wait().expect("the store test");
    drop(store);

    let store = open(&db);
    let rows = i64::try_from(store.record_count(ACCOUNT).expect("the store test"))
        .expect("the store test");
    assert_eq!(rows % BIG_PAGE, 0, "{rows} rows: a page cut in two");
    assert_eq!(
        store
            .position(ACCOUNT, Kind::Call)
            .expect("the store test")
            .newest,
        Some(t(rows / BIG_PAGE - 1)),
        "the position is the last whole page's"
    );
}
