use std::fs;
use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use rust_decimal::{Decimal, dec};

use super::records::{self, Decided, GroupBy, Kind, Number, SyncPosition, Total, UsageRecord};
use super::schema::{self, MIGRATIONS};
use super::*;
use crate::monitor::Sample;
use crate::plivo::AuthId;

const ACCOUNT: &str = "MA2025RK4E639VJFZAGV";

fn t(secs: i64) -> Timestamp {
    Timestamp::from_second(1_780_000_000 + secs).unwrap()
}

fn open(path: &Path) -> Store {
    let opened = Store::open(path, t(0)).unwrap();
    assert_eq!(opened.notice, None);
    opened.store
}

fn rec(uuid: &str, secs: i64, country: &str, amount: Decimal) -> UsageRecord {
    UsageRecord {
        uuid: uuid.to_owned(),
        at: t(secs),
        direction: "outbound".to_owned(),
        from: "14155550100".to_owned(),
        to: "447700900123".to_owned(),
        country: Some(country.to_owned()),
        message_type: None,
        subaccount: None,
        decided: None,
        amount,
    }
}

fn total(key: Option<&str>, count: u64, amount: Decimal) -> Total {
    Total {
        key: key.map(str::to_owned),
        count,
        amount,
    }
}

fn schema_sql(store: &Store) -> Vec<String> {
    let mut stmt = store
        .conn
        .prepare("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name")
        .unwrap();
    stmt.query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn a_record_seen_twice_is_stored_once_with_its_later_reading() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join(FILE_NAME));
    let first = rec("a", 0, "GB", dec!(0.00500));
    let position = SyncPosition {
        newest: Some(t(0)),
        ..SyncPosition::default()
    };
    let page = [first.clone(), rec("b", 10, "US", dec!(0.01))];
    assert_eq!(
        store
            .insert_page(ACCOUNT, Kind::Call, &page, &position)
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .insert_page(ACCOUNT, Kind::Call, &page, &position)
            .unwrap(),
        0,
        "the same page again changes nothing"
    );
    let billed = UsageRecord {
        amount: dec!(0.00700),
        ..first
    };
    assert_eq!(
        store
            .insert_page(ACCOUNT, Kind::Call, &[billed], &position)
            .unwrap(),
        1
    );
    assert_eq!(store.record_count(ACCOUNT).unwrap(), 2);
    let by_country = store
        .totals(ACCOUNT, t(0), t(60), GroupBy::Country)
        .unwrap();
    assert_eq!(
        by_country,
        [
            total(Some("US"), 1, dec!(0.01)),
            total(Some("GB"), 1, dec!(0.007))
        ]
    );
}

#[test]
fn totals_are_exact_sums_by_every_view_inside_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join(FILE_NAME));
    let mut message = rec("m", 86_400, "IN", dec!(0.00035));
    message.direction = "inbound".to_owned();
    message.message_type = Some("sms".to_owned());
    message.to = "14155550199".to_owned();
    message.subaccount = Some("SA1111111111111111AA".to_owned());
    let page = [
        rec("c1", 0, "GB", dec!(0.1)),
        rec("c2", 5, "GB", dec!(0.2)),
        rec("outside", 3 * 86_400, "GB", dec!(9)),
        UsageRecord {
            country: None,
            ..rec("c3", 7, "", dec!(0.00001))
        },
    ];
    let none = SyncPosition::default();
    store
        .insert_page(ACCOUNT, Kind::Call, &page, &none)
        .unwrap();
    store
        .insert_page(ACCOUNT, Kind::Message, &[message], &none)
        .unwrap();
    let window = |by| store.totals(ACCOUNT, t(0), t(2 * 86_400), by).unwrap();
    // 0.1 + 0.2 is exactly 0.3 here, as it never is in a float.
    assert_eq!(
        window(GroupBy::Country),
        [
            total(Some("GB"), 2, dec!(0.3)),
            total(Some("IN"), 1, dec!(0.00035)),
            total(None, 1, dec!(0.00001)),
        ]
    );
    assert_eq!(
        window(GroupBy::Product),
        [
            total(Some("voice-outbound"), 3, dec!(0.30001)),
            total(Some("sms-inbound"), 1, dec!(0.00035)),
        ]
    );
    assert_eq!(
        window(GroupBy::Subaccount),
        [
            total(None, 3, dec!(0.30001)),
            total(Some("SA1111111111111111AA"), 1, dec!(0.00035)),
        ]
    );
    assert_eq!(
        window(GroupBy::Number),
        [
            total(Some("14155550100"), 3, dec!(0.30001)),
            total(Some("14155550199"), 1, dec!(0.00035)),
        ],
        "outbound by its sender, inbound by its receiver"
    );
    let day = |secs| t(secs).strftime("%Y-%m-%d").to_string();
    assert_eq!(
        window(GroupBy::Day),
        [
            total(Some(&day(0)), 3, dec!(0.30001)),
            total(Some(&day(86_400)), 1, dec!(0.00035)),
        ]
    );
    let other = store
        .totals(
            "MA0000000000000000ZZ",
            t(0),
            t(2 * 86_400),
            GroupBy::Country,
        )
        .unwrap();
    assert!(other.is_empty(), "another account's totals: {other:?}");
}

/// The totals from brute force over `records`, for comparison.
fn expected(records: &[UsageRecord], from: i64, to: i64, by: GroupBy) -> Vec<Total> {
    let mut groups: std::collections::BTreeMap<Option<String>, (u64, Decimal)> =
        std::collections::BTreeMap::new();
    for r in records {
        let at = r.at.as_second() - t(0).as_second();
        if at < from || at >= to {
            continue;
        }
        let key = match by {
            GroupBy::Country => r.country.clone(),
            GroupBy::Subaccount => r.subaccount.clone(),
            GroupBy::Number => Some(r.from.clone()),
            GroupBy::Day => Some(r.at.strftime("%Y-%m-%d").to_string()),
            GroupBy::Product => Some("voice-outbound".to_owned()),
        };
        let group = groups.entry(key).or_default();
        group.0 += 1;
        group.1 += r.amount;
    }
    groups
        .into_iter()
        .map(|(key, (count, amount))| Total { key, count, amount })
        .collect()
}

#[test]
fn totals_over_any_window_match_the_records_whole_days_and_partial() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join(FILE_NAME));
    let mut rng = fastrand::Rng::with_seed(7);
    let countries = [None, Some("GB"), Some("US")];
    let mut records: Vec<UsageRecord> = (0..3_000)
        .map(|i| UsageRecord {
            from: format!("1415555010{}", rng.u8(..3)),
            country: countries[rng.usize(..3)].map(str::to_owned),
            subaccount: rng.bool().then(|| "SA1111111111111111AA".to_owned()),
            ..rec(
                &format!("r{i}"),
                rng.i64(-86_400..5 * 86_400),
                "",
                Decimal::new(rng.i64(1..99_999), 5),
            )
        })
        .collect();
    store
        .insert_page(ACCOUNT, Kind::Call, &records, &SyncPosition::default())
        .unwrap();
    // Later readings move some records to another day, country and amount.
    for r in records.iter_mut().step_by(7) {
        r.at = t(rng.i64(-86_400..5 * 86_400));
        r.country = Some("IN".to_owned());
        r.amount += dec!(0.5);
    }
    let changed: Vec<UsageRecord> = records.iter().step_by(7).cloned().collect();
    store
        .insert_page(ACCOUNT, Kind::Call, &changed, &SyncPosition::default())
        .unwrap();
    let windows = [
        (-86_400, 5 * 86_400),
        (0, 3 * 86_400),
        (100, 150),
        (-5, 86_400 * 2 + 5),
        (7, 7),
    ];
    for (from, to) in windows {
        for by in [
            GroupBy::Country,
            GroupBy::Subaccount,
            GroupBy::Number,
            GroupBy::Day,
            GroupBy::Product,
        ] {
            let mut got = store.totals(ACCOUNT, t(from), t(to), by).unwrap();
            got.sort_by(|a, b| a.key.cmp(&b.key));
            assert_eq!(
                got,
                expected(&records, from, to, by),
                "{by:?} over {from}..{to}"
            );
        }
    }
}

#[test]
fn an_amount_the_store_would_round_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join(FILE_NAME));
    let page = [
        rec("ok", 0, "GB", dec!(1)),
        rec("fine", 1, "GB", dec!(0.0000001)),
    ];
    let e = store
        .insert_page(ACCOUNT, Kind::Call, &page, &SyncPosition::default())
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "record fine: amount 0.0000001 has more than 6 decimal places"
    );
    assert_eq!(store.record_count(ACCOUNT).unwrap(), 0);
}

#[test]
fn a_sync_position_is_kept_per_account_and_list() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let mut store = open(&path);
    assert_eq!(
        store.position(ACCOUNT, Kind::Call).unwrap(),
        SyncPosition::default()
    );
    let position = SyncPosition {
        newest: Some(t(100)),
        backfill: Some(t(-86_400)),
        backfill_done: true,
    };
    store
        .insert_page(ACCOUNT, Kind::Call, &[], &position)
        .unwrap();
    drop(store);
    let store = open(&path);
    assert_eq!(store.position(ACCOUNT, Kind::Call).unwrap(), position);
    assert_eq!(
        store.position(ACCOUNT, Kind::Message).unwrap(),
        SyncPosition::default()
    );
    assert_eq!(
        store.position("MA0000000000000000ZZ", Kind::Call).unwrap(),
        SyncPosition::default()
    );
}

#[test]
fn numbers_are_replaced_by_the_latest_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join(FILE_NAME));
    let number = |n: &str, rate| Number {
        number: n.to_owned(),
        monthly_rental_rate: rate,
        sub_account: Some("SA1111111111111111AA".to_owned()),
        renewal_date: Some("2026-12-20".to_owned()),
        number_type: "local".to_owned(),
        country: Some("US".to_owned()),
    };
    store
        .put_numbers(
            ACCOUNT,
            &[
                number("14155550100", dec!(0.8)),
                number("14155550101", dec!(0.8)),
            ],
        )
        .unwrap();
    let kept = [number("14155550100", dec!(0.85))];
    store.put_numbers(ACCOUNT, &kept).unwrap();
    assert_eq!(
        store.numbers(ACCOUNT).unwrap(),
        kept,
        "the released number is gone"
    );
    assert!(store.numbers("MA0000000000000000ZZ").unwrap().is_empty());
}

#[test]
fn credit_samples_keep_their_scale_once_each_within_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join(FILE_NAME));
    let id = AuthId::parse(ACCOUNT).unwrap();
    let sample = |secs, credits| Sample {
        at: t(secs),
        credits,
    };
    for s in [
        sample(-10 * 86_400, dec!(9)),
        sample(0, dec!(1.80900)),
        sample(0, dec!(1.80900)),
        sample(60, dec!(1.7)),
        sample(50 * 86_400, dec!(1)),
    ] {
        // Nothing forgotten here: loading is what trims.
        store.append_sample(&id, &s, t(-365 * 86_400)).unwrap();
    }
    let loaded = store
        .load_samples(&id, t(120), SignedDuration::from_hours(7 * 24))
        .unwrap();
    assert_eq!(loaded, [sample(0, dec!(1.80900)), sample(60, dec!(1.7))]);
    assert_eq!(loaded[0].credits.to_string(), "1.80900");
    let longer = store
        .load_samples(&id, t(120), SignedDuration::from_hours(30 * 24))
        .unwrap();
    assert_eq!(
        longer.len(),
        2,
        "the old sample was deleted, not hidden: {longer:?}"
    );
}

/// An old history file as the dashboard appended it before the store.
fn old_history(dir: &Path, id: &str, samples: &[Sample]) -> std::path::PathBuf {
    let path = dir.join(format!("{id}.history"));
    let mut text = format!("# plivo-dash credit history v1 {id}\n");
    for s in samples {
        text.push_str(&format!("{} {}\n", s.at, s.credits));
    }
    fs::write(&path, text).unwrap();
    path
}

const WEEK: SignedDuration = SignedDuration::from_hours(7 * 24);

#[test]
fn an_accounts_history_file_moves_into_the_store_once() {
    let dir = tempfile::tempdir().unwrap();
    let id = AuthId::parse(ACCOUNT).unwrap();
    let samples = [
        Sample {
            at: t(0),
            credits: dec!(5.00000),
        },
        Sample {
            at: t(60),
            credits: dec!(4.5),
        },
    ];
    let file = old_history(dir.path(), ACCOUNT, &samples);
    let other = old_history(dir.path(), "MA0000000000000000ZZ", &samples);
    let before = fs::read(&file).unwrap();
    fs::write(dir.path().join("notes.history"), "not an account's\n").unwrap();
    let history = CreditHistory::new(dir.path(), &id, WEEK);
    let kept = history.open(t(120)).unwrap();
    let moved = kept.moved.unwrap();
    let migrated = dir.path().join(format!("{ACCOUNT}.history.migrated"));
    for part in [
        history.store_path().display().to_string(),
        format!("kept beside it as {ACCOUNT}.history.migrated"),
        "2 samples".to_owned(),
    ] {
        assert!(moved.contains(&part), "{part} in {moved}");
    }
    assert_eq!(kept.warning, None);
    assert_eq!(kept.samples, samples, "exact, scale and all");
    assert_eq!(kept.samples[0].credits.to_string(), "5.00000");
    assert!(!file.exists());
    assert_eq!(
        fs::read(&migrated).unwrap(),
        before,
        "left in place as it was"
    );
    assert!(other.exists(), "another account's file is its own to move");
    assert!(dir.path().join("notes.history").exists());
    drop(kept.store);
    let again = history.open(t(120)).unwrap();
    assert_eq!(again.moved, None, "said once");
    assert_eq!(again.samples, samples, "and kept");
}

#[test]
fn a_damaged_history_file_moves_its_good_samples_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let id = AuthId::parse(ACCOUNT).unwrap();
    let good = Sample {
        at: t(0),
        credits: dec!(5),
    };
    let file = old_history(dir.path(), ACCOUNT, &[good]);
    let mut text = fs::read_to_string(&file).unwrap();
    text.push_str("garbage\n");
    fs::write(&file, text).unwrap();
    let kept = CreditHistory::new(dir.path(), &id, WEEK)
        .open(t(120))
        .unwrap();
    assert_eq!(kept.samples, [good]);
    assert!(kept.moved.unwrap().contains("1 samples"));
    let warning = kept.warning.unwrap();
    assert!(
        warning.contains(&file.display().to_string()) && warning.contains("damaged at line 3"),
        "{warning}"
    );
}

#[test]
fn accounts_opening_a_new_store_at_once_all_open_it_and_move_the_file_once() {
    let dir = tempfile::tempdir().unwrap();
    let id = AuthId::parse(ACCOUNT).unwrap();
    let samples: Vec<Sample> = (0..50)
        .map(|i| Sample {
            at: t(i),
            credits: Decimal::from(100 - i),
        })
        .collect();
    old_history(dir.path(), ACCOUNT, &samples);
    let barrier = std::sync::Barrier::new(8);
    let opened: Vec<Kept> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    barrier.wait();
                    CreditHistory::new(dir.path(), &id, WEEK).open(t(120))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    assert_eq!(
        opened.iter().filter(|k| k.moved.is_some()).count(),
        1,
        "the move said once"
    );
    assert!(opened.iter().all(|k| k.warning.is_none()), "none set aside");
    let mut again = CreditHistory::new(dir.path(), &id, WEEK)
        .open(t(120))
        .unwrap();
    assert_eq!(again.samples, samples);
    assert_eq!(
        again.store.load_samples(&id, t(120), WEEK).unwrap(),
        samples
    );
}

#[test]
fn recording_forgets_what_falls_out_of_the_retention() {
    let dir = tempfile::tempdir().unwrap();
    let id = AuthId::parse(ACCOUNT).unwrap();
    let day = SignedDuration::from_hours(24);
    let history = CreditHistory::new(dir.path(), &id, day);
    let mut kept = history.open(t(0)).unwrap();
    let sample = |secs| Sample {
        at: t(secs),
        credits: dec!(1),
    };
    history.record(&mut kept.store, &sample(0), t(0)).unwrap();
    history
        .record(&mut kept.store, &sample(86_000), t(86_000))
        .unwrap();
    history
        .record(&mut kept.store, &sample(90_000), t(90_000))
        .unwrap();
    let longer = SignedDuration::from_hours(30 * 24);
    assert_eq!(
        kept.store.load_samples(&id, t(90_000), longer).unwrap(),
        [sample(86_000), sample(90_000)],
        "the first is deleted as the day passes, not only at the next start"
    );
}

#[test]
fn an_unopenable_store_still_shows_the_old_file_without_touching_it() {
    let dir = tempfile::tempdir().unwrap();
    let id = AuthId::parse(ACCOUNT).unwrap();
    let history = CreditHistory::new(dir.path(), &id, WEEK);
    assert_eq!(history.unmoved(t(120)), None, "no old file");
    let sample = Sample {
        at: t(0),
        credits: dec!(5),
    };
    let file = old_history(dir.path(), ACCOUNT, &[sample]);
    let before = fs::read(&file).unwrap();
    assert_eq!(history.unmoved(t(120)), Some((vec![sample], None)));
    assert_eq!(fs::read(&file).unwrap(), before);
}

#[test]
fn every_earlier_version_migrates_to_the_current_schema() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = open(&dir.path().join("fresh.sqlite3"));
    let current = schema_sql(&fresh);
    assert!(!current.is_empty());
    let count = u32::try_from(MIGRATIONS.len()).unwrap();
    assert_eq!(count, VERSION);
    for earlier in 0..=VERSION {
        let path = dir.path().join(format!("v{earlier}.sqlite3"));
        {
            let mut conn = rusqlite::Connection::open(&path).unwrap();
            schema::migrate_to(&mut conn, earlier).unwrap();
            assert_eq!(schema::version(&conn).unwrap(), earlier);
        }
        let store = open(&path);
        assert_eq!(
            schema::version(&store.conn).unwrap(),
            VERSION,
            "from v{earlier}"
        );
        assert_eq!(schema_sql(&store), current, "from v{earlier}");
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    drop(open(&path));
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", VERSION + 1)
            .unwrap();
    }
    let e = Store::open(&path, t(0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "the store {} is schema version {}, newer than this plivo-dash knows ({VERSION}): \
             upgrade plivo-dash, or move the file away to start a new one",
            path.display(),
            VERSION + 1
        )
    );
    let conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(schema::version(&conn).unwrap(), VERSION + 1, "not touched");
}

/// The files in `dir` whose name contains `part`.
fn named(dir: &Path, part: &str) -> Vec<std::path::PathBuf> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(part))
        .collect()
}

fn assert_set_aside(path: &Path, damaged: &[u8]) {
    let opened = Store::open(path, t(0)).unwrap();
    let notice = opened.notice.expect("said");
    let aside = path.with_file_name(format!("{FILE_NAME}.corrupt-{}", t(0).as_second()));
    assert!(notice.contains(&path.display().to_string()), "{notice}");
    assert!(notice.contains(&aside.display().to_string()), "{notice}");
    assert_eq!(
        fs::read(&aside).unwrap(),
        damaged,
        "set aside whole, never emptied"
    );
    let mut store = opened.store;
    store
        .insert_page(
            ACCOUNT,
            Kind::Call,
            &[rec("a", 0, "GB", dec!(1))],
            &SyncPosition::default(),
        )
        .unwrap();
    assert_eq!(store.record_count(ACCOUNT).unwrap(), 1, "the new one works");
}

#[test]
fn a_file_of_garbage_is_set_aside_and_a_new_store_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    let garbage: Vec<u8> = (0..10_000u32)
        .map(|i| (i * 7 + 3).to_le_bytes()[0])
        .collect();
    fs::write(&path, &garbage).unwrap();
    assert_set_aside(&path, &garbage);
}

#[test]
fn a_truncated_database_is_set_aside_and_a_new_store_made() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    {
        let mut store = open(&path);
        let page: Vec<UsageRecord> = (0..5_000)
            .map(|i| rec(&format!("uuid-{i:06}"), i, "GB", dec!(0.01)))
            .collect();
        store
            .insert_page(ACCOUNT, Kind::Call, &page, &SyncPosition::default())
            .unwrap();
    }
    assert!(
        named(dir.path(), "-wal").is_empty(),
        "checkpointed on close"
    );
    let whole = fs::read(&path).unwrap();
    let cut = &whole[..whole.len() / 2];
    fs::write(&path, cut).unwrap();
    assert_set_aside(&path, cut);
}

#[cfg(unix)]
#[test]
fn the_database_is_private_and_an_existing_mode_never_widened() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state").join("plivo-dash");
    let path = state.join(FILE_NAME);
    let mut store = open(&path);
    store
        .insert_page(
            ACCOUNT,
            Kind::Call,
            &[rec("a", 0, "GB", dec!(1))],
            &SyncPosition::default(),
        )
        .unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o700);
    assert_eq!(mode(&path), 0o600);
    for side in named(&state, "-") {
        assert_eq!(mode(&side), 0o600, "{}", side.display());
    }
    drop(store);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o400)).unwrap();
    let _ = Store::open(&path, t(0));
    assert_eq!(mode(&path), 0o400, "narrowed by its owner: left so");
}

#[cfg(unix)]
#[test]
fn a_read_only_state_directory_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o500)).unwrap();
    // Root writes through a mode: then a directory no one may write in.
    let state = if fs::write(dir.path().join("probe"), "").is_ok() {
        Path::new("/sys/plivo-dash").to_owned()
    } else {
        dir.path().join("plivo-dash")
    };
    let path = state.join(FILE_NAME);
    let e = Store::open(&path, t(0)).unwrap_err();
    let said = e.to_string();
    assert!(
        said.starts_with(&format!("cannot create the store {}: ", path.display())),
        "{said}"
    );
    assert!(
        said.contains("ermission denied") || said.contains("not permitted"),
        "{said}"
    );
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn a_records_product_is_one_of_the_eight_or_unknown() {
    let cases = [
        (Kind::Call, "outbound", None, Some("voice-outbound")),
        (Kind::Call, "inbound", Some("sms"), Some("voice-inbound")),
        (Kind::Message, "outbound", Some("sms"), Some("sms-outbound")),
        (Kind::Message, "inbound", Some("sms"), Some("sms-inbound")),
        (Kind::Message, "outbound", Some("mms"), Some("mms-outbound")),
        (Kind::Message, "inbound", Some("mms"), Some("mms-inbound")),
        (
            Kind::Message,
            "outbound",
            Some("whatsapp"),
            Some("whatsapp-outbound"),
        ),
        (
            Kind::Message,
            "inbound",
            Some("whatsapp"),
            Some("whatsapp-inbound"),
        ),
        (Kind::Message, "outbound", None, None),
        (Kind::Message, "outbound", Some("rcs"), None),
        (Kind::Message, "outbound", Some("SMS"), None),
        (Kind::Call, "sideways", None, None),
        (Kind::Message, "", Some("sms"), None),
    ];
    for (kind, direction, message_type, product) in cases {
        assert_eq!(
            records::product(kind, direction, message_type).as_deref(),
            product,
            "{kind:?} {direction} {message_type:?}"
        );
    }
}

/// A version 1 database holding `rows` (uuid, kind, direction, subaccount,
/// micros), as version 1 wrote them.
fn version_one(path: &Path, rows: &[(&str, &str, &str, Option<&str>, i64)]) {
    let mut conn = rusqlite::Connection::open(path).unwrap();
    schema::migrate_to(&mut conn, 1).unwrap();
    for (i, (uuid, kind, direction, subaccount, micros)) in (0..).zip(rows) {
        conn.execute(
            "INSERT INTO usage_record VALUES (?1, ?2, ?3, ?4, ?5, '14155550100', '447700900123',
                 '14155550100', 'GB', ?6, ?7)",
            rusqlite::params![
                uuid,
                ACCOUNT,
                kind,
                t(i * 3_600).as_second(),
                direction,
                subaccount,
                micros
            ],
        )
        .unwrap();
    }
}

#[test]
fn version_one_records_keep_the_product_they_knew_and_the_rest_are_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(FILE_NAME);
    version_one(
        &path,
        &[
            (
                "c-out",
                "call",
                "outbound",
                Some("SA1111111111111111AA"),
                100_000,
            ),
            ("c-in", "call", "inbound", None, 5_500),
            ("c-odd", "call", "sideways", None, 7),
            ("m-out", "message", "outbound", None, 2_500),
            ("m-in", "message", "inbound", None, 0),
        ],
    );
    let mut store = open(&path);
    let day = |by| store.totals(ACCOUNT, t(0), t(86_400), by).unwrap();
    assert_eq!(
        day(GroupBy::Product),
        [
            total(Some("voice-outbound"), 1, dec!(0.1)),
            total(Some("voice-inbound"), 1, dec!(0.0055)),
            total(None, 3, dec!(0.002507)),
        ],
        "a message's type was not kept: unknown, not guessed"
    );
    // Every view still adds up: the daily sums were rebuilt, not lost.
    assert_eq!(
        day(GroupBy::Country),
        [total(Some("GB"), 5, dec!(0.108007))]
    );
    let owners: u64 = day(GroupBy::Subaccount)
        .iter()
        .filter(|t| t.key.is_some())
        .map(|t| t.count)
        .sum();
    assert_eq!(owners, 1);
    let by_days = store
        .totals(ACCOUNT, t(-86_400), t(2 * 86_400), GroupBy::Product)
        .unwrap();
    assert_eq!(by_days, day(GroupBy::Product), "whole days, from usage_day");
    // A sync reading the message again tells its type.
    let mut again = rec("m-out", 3 * 3_600, "GB", dec!(0.0025));
    again.message_type = Some("sms".to_owned());
    store
        .insert_page(ACCOUNT, Kind::Message, &[again], &SyncPosition::default())
        .unwrap();
    let products = store
        .totals(ACCOUNT, t(-86_400), t(2 * 86_400), GroupBy::Product)
        .unwrap();
    assert!(
        products.contains(&total(Some("sms-outbound"), 1, dec!(0.0025))),
        "{products:?}"
    );
    assert!(
        products.contains(&total(None, 2, dec!(0.000007))),
        "{products:?}"
    );
}

#[test]
fn an_owner_said_by_query_outlives_a_later_reading_of_the_accounts_list() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir.path().join(FILE_NAME));
    let none = SyncPosition::default();
    let sa = "SA1111111111111111AA";
    let stranger = rec("s", 0, "GB", dec!(0.01));
    let by_number = UsageRecord {
        subaccount: Some(ACCOUNT.to_owned()),
        decided: Some(Decided::Number),
        ..rec("n", 5, "GB", dec!(0.02))
    };
    store
        .insert_page(ACCOUNT, Kind::Call, &[stranger.clone(), by_number], &none)
        .unwrap();
    let unasked = store
        .unasked(ACCOUNT, Kind::Call, t(0))
        .unwrap()
        .expect("one record unattributed");
    assert_eq!((unasked.oldest, unasked.newest), (t(0), t(0)));
    let claimed = UsageRecord {
        subaccount: Some(sa.to_owned()),
        decided: Some(Decided::Query),
        ..stranger.clone()
    };
    assert_eq!(
        store
            .insert_claimed(ACCOUNT, Kind::Call, &[claimed])
            .unwrap(),
        1
    );
    assert_eq!(store.unasked(ACCOUNT, Kind::Call, t(0)).unwrap(), None);
    // The account's list read again: it says nothing of whose, and the
    // subaccount's word stays.
    assert_eq!(
        store
            .insert_page(ACCOUNT, Kind::Call, std::slice::from_ref(&stranger), &none)
            .unwrap(),
        0
    );
    let owners = |store: &Store| {
        store
            .totals(ACCOUNT, t(0), t(60), GroupBy::Subaccount)
            .unwrap()
    };
    assert_eq!(
        owners(&store),
        [
            total(Some(ACCOUNT), 1, dec!(0.02)),
            total(Some(sa), 1, dec!(0.01))
        ]
    );
    // A record no subaccount claimed, once asked, is not asked again, and
    // stays unattributed through later readings.
    let orphan = rec("o", 9, "GB", dec!(0.03));
    store
        .insert_page(ACCOUNT, Kind::Call, std::slice::from_ref(&orphan), &none)
        .unwrap();
    let unasked = store.unasked(ACCOUNT, Kind::Call, t(0)).unwrap().unwrap();
    let late = rec("late", 9, "GB", dec!(0.04));
    store
        .insert_page(ACCOUNT, Kind::Call, &[late], &none)
        .unwrap();
    assert_eq!(store.mark_asked(ACCOUNT, Kind::Call, &unasked).unwrap(), 1);
    store
        .insert_page(ACCOUNT, Kind::Call, &[orphan], &none)
        .unwrap();
    let left = store.unasked(ACCOUNT, Kind::Call, t(0)).unwrap().unwrap();
    assert_eq!(
        (left.oldest, left.newest),
        (t(9), t(9)),
        "the record stored after the asking began is still to ask"
    );
    assert!(owners(&store).contains(&total(None, 2, dec!(0.07))));
}

#[test]
fn a_read_only_error_says_the_directory_must_be_writable_too() {
    let readonly = rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
        Some("attempt to write a readonly database".to_owned()),
    );
    let said = StoreError::Sqlite {
        path: PathBuf::from("/state/plivo-dash/store.sqlite3"),
        source: readonly,
    }
    .to_string();
    assert!(
        said.contains("attempt to write a readonly database"),
        "{said}"
    );
    assert!(
        said.contains("its directory must both be writable"),
        "{said}"
    );
    let other = StoreError::Sqlite {
        path: PathBuf::from("/x"),
        source: rusqlite::Error::QueryReturnedNoRows,
    }
    .to_string();
    assert!(!other.contains("writable"), "{other}");
}
