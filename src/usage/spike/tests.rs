use super::*;
use crate::store::{Kind, SyncPosition, UsageRecord};
use rust_decimal::dec;

/// The settings' defaults.
const DEFAULTS: Thresholds = Thresholds {
    factor: dec!(3),
    new_destination: dec!(1),
};

fn top(country: &str, subaccount: &str, number: &str) -> Top {
    Top {
        country: Some(country.to_owned()),
        subaccount: Some(subaccount.to_owned()),
        number: Some(number.to_owned()),
    }
}

/// An hour after a week whose same hour spent `usual` each day.
fn hour(last_hour: Decimal, usual: Decimal) -> Observation {
    Observation {
        last_hour,
        same_hour: vec![usual; 7],
        top: top("GB", "SA0000000000000000A1", "14155550100"),
        new_countries: Some(Vec::new()),
        days_before: LOOKBACK_DAYS,
    }
}

fn rate_spikes(detector: &mut Detector, last_hour: Decimal, usual: Decimal) -> usize {
    detector
        .update(&hour(last_hour, usual))
        .iter()
        .filter(|s| matches!(s, Spike::Rate { .. }))
        .count()
}

#[test]
fn a_quiet_account_does_not_alert_on_cents() {
    let mut d = Detector::new(DEFAULTS);
    // Fifty times its usual cent, and still under a dollar.
    assert!(d.update(&hour(dec!(0.50), dec!(0.01))).is_empty());
    assert!(d.update(&hour(dec!(1.00), dec!(0))).is_empty());
    // Above the floor it does.
    assert_eq!(rate_spikes(&mut d, dec!(1.01), dec!(0)), 1);
}

#[test]
fn a_steady_account_does_not_alert() {
    let mut d = Detector::new(DEFAULTS);
    for last in [dec!(10), dec!(14), dec!(29.99), dec!(30)] {
        assert!(d.update(&hour(last, dec!(10))).is_empty(), "{last}");
    }
}

#[test]
fn a_burst_alerts_once_naming_its_top_contributor() {
    let mut d = Detector::new(DEFAULTS);
    let burst = hour(dec!(30.01), dec!(10));
    assert_eq!(
        d.update(&burst),
        vec![Spike::Rate {
            last_hour: dec!(30.01),
            usual: dec!(10),
            top: top("GB", "SA0000000000000000A1", "14155550100"),
        }]
    );
    // The usual is the average of the days there are.
    let mut uneven = hour(dec!(13), dec!(0));
    uneven.same_hour = vec![dec!(2), dec!(6)];
    assert_eq!(
        rate_threshold(dec!(3), &uneven.same_hour),
        Some((dec!(4), dec!(12)))
    );
    assert_eq!(Detector::new(DEFAULTS).update(&uneven).len(), 1);
    // No day to compare with: nothing judged.
    uneven.same_hour.clear();
    assert!(Detector::new(DEFAULTS).update(&uneven).is_empty());
    // A factor of its own.
    let mut five = Detector::new(Thresholds {
        factor: dec!(5),
        new_destination: dec!(1),
    });
    assert!(five.update(&burst).is_empty());
}

#[test]
fn hysteresis_says_a_spike_once_and_rearms_below_half() {
    let mut d = Detector::new(DEFAULTS);
    // Threshold 30, rearmed at 15 or less.
    assert_eq!(rate_spikes(&mut d, dec!(40), dec!(10)), 1);
    assert_eq!(
        rate_spikes(&mut d, dec!(60), dec!(10)),
        0,
        "still the same spike"
    );
    assert_eq!(rate_spikes(&mut d, dec!(20), dec!(10)), 0, "down, not half");
    assert_eq!(
        rate_spikes(&mut d, dec!(31), dec!(10)),
        0,
        "up again: the same spike"
    );
    // Nothing to compare with forgets nothing.
    let mut blind = hour(dec!(0), dec!(0));
    blind.same_hour.clear();
    assert!(d.update(&blind).is_empty());
    assert_eq!(rate_spikes(&mut d, dec!(31), dec!(10)), 0);
    assert_eq!(rate_spikes(&mut d, dec!(15), dec!(10)), 0, "half: rearmed");
    assert_eq!(rate_spikes(&mut d, dec!(31), dec!(10)), 1, "a new spike");
}

fn new_country(country: &str, amount: Decimal) -> NewCountry {
    NewCountry {
        country: country.to_owned(),
        amount,
        top: top(country, "SA0000000000000000B2", "447700900123"),
    }
}

fn countries(list: Vec<NewCountry>) -> Observation {
    Observation {
        new_countries: Some(list),
        ..Observation::default()
    }
}

#[test]
fn a_new_country_alerts_past_its_threshold_once() {
    let mut d = Detector::new(DEFAULTS);
    assert!(
        d.update(&countries(vec![new_country("LV", dec!(0.99))]))
            .is_empty()
    );
    assert!(
        d.update(&countries(vec![new_country("LV", dec!(1))]))
            .is_empty(),
        "passes: above"
    );
    assert_eq!(
        d.update(&countries(vec![
            new_country("LV", dec!(1.05)),
            new_country("TD", dec!(0.6))
        ])),
        vec![Spike::NewDestination {
            country: "LV".into(),
            amount: dec!(1.05),
            top: top("LV", "SA0000000000000000B2", "447700900123"),
        }]
    );
    assert!(
        d.update(&countries(vec![new_country("LV", dec!(9))]))
            .is_empty(),
        "once"
    );
    // A second country is a spike of its own.
    assert_eq!(
        d.update(&countries(vec![
            new_country("LV", dec!(9)),
            new_country("TD", dec!(2))
        ]))
        .len(),
        1
    );
    // Too little history to say: nothing judged, nothing forgotten.
    assert!(d.update(&Observation::default()).is_empty());
    assert!(
        d.update(&countries(vec![new_country("LV", dec!(9))]))
            .is_empty()
    );
    // Seen now (no longer listed): rearmed, and new again some day.
    assert!(d.update(&countries(Vec::new())).is_empty());
    assert_eq!(
        d.update(&countries(vec![new_country("LV", dec!(2))])).len(),
        1
    );
    // Down to half: rearmed as well.
    assert!(
        d.update(&countries(vec![new_country("LV", dec!(0.5))]))
            .is_empty()
    );
    assert_eq!(
        d.update(&countries(vec![new_country("LV", dec!(2))])).len(),
        1
    );
}

// The store's side: what `observe` reads for the rules.

const ACCOUNT: &str = "MA2025RK4E639VJFZAGV";

fn at(text: &str) -> Timestamp {
    text.parse().expect("a time")
}

fn record(
    uuid: &str,
    when: Timestamp,
    country: &str,
    sub: Option<&str>,
    from: &str,
    amount: Decimal,
) -> UsageRecord {
    UsageRecord {
        uuid: uuid.to_owned(),
        at: when,
        direction: "outbound".to_owned(),
        from: from.to_owned(),
        to: "15550000000".to_owned(),
        country: Some(country.to_owned()),
        message_type: None,
        subaccount: sub.map(str::to_owned),
        decided: sub.map(|_| crate::store::Decided::Number),
        amount,
    }
}

fn store(records: &[UsageRecord]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("a directory");
    let mut store = Store::open(
        &dir.path().join("store.sqlite3"),
        at("2026-12-05T00:00:00Z"),
    )
    .expect("a store")
    .store;
    store
        .insert_page(ACCOUNT, Kind::Message, records, &SyncPosition::default())
        .expect("stored");
    (dir, store)
}

#[test]
fn observe_reads_the_hour_the_same_hour_before_and_who_spent_most() {
    let now = at("2026-12-20T12:00:00Z");
    let h = SignedDuration::from_hours;
    let mut records = Vec::new();
    // The same hour on each of 9 days before: 1 USD each.
    for day in 1..=9 {
        records.push(record(
            &format!("d{day}"),
            now - h(24 * day) - h(1) + SignedDuration::from_mins(30),
            "US",
            None,
            "14155550100",
            dec!(1),
        ));
        // Outside the same hour: not counted.
        records.push(record(
            &format!("o{day}"),
            now - h(24 * day),
            "US",
            None,
            "14155550100",
            dec!(5),
        ));
    }
    // The last hour: two to GB from SA…B2's number, one to the US.
    records.push(record(
        "b1",
        now - h(1),
        "GB",
        Some("SA0000000000000000B2"),
        "447700900001",
        dec!(3),
    ));
    records.push(record(
        "b2",
        now - SignedDuration::from_secs(1),
        "GB",
        Some("SA0000000000000000B2"),
        "447700900001",
        dec!(3),
    ));
    records.push(record(
        "b3",
        now - h(1) + SignedDuration::from_mins(1),
        "US",
        None,
        "14155550100",
        dec!(2),
    ));
    records.push(record("late", now, "GB", None, "14155550100", dec!(100)));
    let (_dir, store) = store(&records);
    let history = Some(now - h(30 * 24));
    let o = observe(&store, ACCOUNT, now, history, &DEFAULTS).expect("observed");
    assert_eq!(o.last_hour, dec!(8));
    assert_eq!(o.same_hour, vec![dec!(1); 7], "seven days, not nine");
    assert_eq!(o.top, top("GB", "SA0000000000000000B2", "447700900001"));
    // 8 against 1: a rate spike; and GB, never seen before, passes 1 USD.
    let spikes = Detector::new(DEFAULTS).update(&o);
    assert!(
        matches!(spikes[0], Spike::Rate { last_hour, usual, .. } if last_hour == dec!(8) && usual == dec!(1)),
        "{spikes:?}"
    );
    assert!(
        matches!(&spikes[1], Spike::NewDestination { country, amount, .. } if country == "GB" && *amount == dec!(106)),
        "{spikes:?}"
    );
    assert_eq!(spikes.len(), 2);
    // A history of three days and a half: three days to compare with.
    let short = observe(&store, ACCOUNT, now, Some(now - h(84)), &DEFAULTS).expect("observed");
    assert_eq!(short.same_hour, vec![dec!(1); 3]);
    // Never synced: nothing to compare with or call new.
    let none = observe(&store, ACCOUNT, now, None, &DEFAULTS).expect("observed");
    assert!(none.same_hour.is_empty() && none.new_countries.is_none());
}

#[test]
fn observe_finds_a_country_the_month_before_never_saw() {
    let now = at("2026-12-20T12:00:00Z");
    let d = |text: &str| at(text);
    let records = [
        // Seen 20 days ago: not new.
        record(
            "us-old",
            d("2026-11-30T10:00:00Z"),
            "US",
            None,
            "14155550100",
            dec!(0.1),
        ),
        record(
            "us-now",
            d("2026-12-20T11:00:00Z"),
            "US",
            None,
            "14155550100",
            dec!(4),
        ),
        // Seen 40 days ago only: new again, from yesterday on.
        record(
            "fr-old",
            d("2026-11-09T10:00:00Z"),
            "FR",
            None,
            "14155550100",
            dec!(0.1),
        ),
        record(
            "fr-1",
            d("2026-12-19T01:00:00Z"),
            "FR",
            Some("SA0000000000000000C3"),
            "33100000001",
            dec!(0.7),
        ),
        record(
            "fr-2",
            d("2026-12-20T02:00:00Z"),
            "FR",
            Some("SA0000000000000000C3"),
            "33100000001",
            dec!(0.7),
        ),
        record(
            "fr-3",
            d("2026-12-20T03:00:00Z"),
            "FR",
            None,
            "14155550100",
            dec!(0.2),
        ),
        // Never seen, and too little to say (half the threshold or less).
        record(
            "td",
            d("2026-12-20T04:00:00Z"),
            "TD",
            None,
            "14155550100",
            dec!(0.5),
        ),
    ];
    let (_dir, store) = store(&records);
    let t = DEFAULTS;
    let o = observe(&store, ACCOUNT, now, Some(d("2026-10-01T00:00:00Z")), &t).expect("observed");
    assert_eq!(
        o.new_countries,
        Some(vec![NewCountry {
            country: "FR".into(),
            amount: dec!(1.6),
            top: top("FR", "SA0000000000000000C3", "33100000001"),
        }])
    );
    // A store that begins yesterday holds no day before the recent two.
    let o = observe(&store, ACCOUNT, now, Some(d("2026-12-19T00:00:00Z")), &t).expect("observed");
    assert_eq!(o.new_countries, None);
    // One that begins the day before: the US was seen then, France was not.
    let o = observe(&store, ACCOUNT, now, Some(d("2026-12-18T00:00:00Z")), &t).expect("observed");
    let found: Vec<String> = o
        .new_countries
        .expect("judged")
        .into_iter()
        .map(|c| c.country)
        .collect();
    assert_eq!(found, ["US", "FR"], "largest first");
}

/// A store whose lists were both back-filled to `edge`, holding `records`.
fn synced_to(edge: Timestamp, records: &[UsageRecord]) -> (tempfile::TempDir, Store) {
    let (dir, mut store) = store(records);
    let position = SyncPosition {
        newest: records.iter().map(|r| r.at).max(),
        backfill: Some(edge),
        backfill_done: true,
    };
    for kind in [Kind::Call, Kind::Message] {
        store
            .insert_page(ACCOUNT, kind, &[], &position)
            .expect("stored");
    }
    (dir, store)
}

#[test]
fn a_burst_on_an_account_silent_for_the_month_synced_is_a_new_destination() {
    // `sandbox --pumping` alone: the back-fill found nothing, then 37 SMS
    // to LV within the last hour.
    let now = at("2026-12-20T12:00:00Z");
    let burst: Vec<UsageRecord> = (0..37)
        .map(|i| {
            let amount = if i == 36 { dec!(0.00900) } else { dec!(0.05) };
            record(
                &format!("lv{i}"),
                now - SignedDuration::from_secs(60 - i),
                "LV",
                None,
                "14155550100",
                amount,
            )
        })
        .collect();
    let h = SignedDuration::from_hours;
    let (_dir, store) = synced_to(now - h(40 * 24), &burst);
    let covered = history(&store, ACCOUNT).expect("read");
    assert_eq!(covered, Some(now - h(40 * 24)));
    let o = observe(&store, ACCOUNT, now, covered, &DEFAULTS).expect("observed");
    assert!(
        o.same_hour.is_empty(),
        "no usual hour before its first record"
    );
    assert_eq!(o.days_before, LOOKBACK_DAYS);
    let lv = NewCountry {
        country: "LV".into(),
        amount: dec!(1.809),
        top: Top {
            country: Some("LV".into()),
            subaccount: None,
            number: Some("14155550100".into()),
        },
    };
    assert_eq!(o.new_countries, Some(vec![lv.clone()]));
    assert_eq!(
        Detector::new(DEFAULTS).update(&o),
        vec![Spike::NewDestination {
            country: lv.country,
            amount: lv.amount,
            top: lv.top,
        }]
    );
    // Back-filled a week and a day: judged over the days it reaches, and
    // says how many.
    let (_dir, store) = synced_to(now - h(8 * 24), &burst);
    let covered = history(&store, ACCOUNT).expect("read");
    let o = observe(&store, ACCOUNT, now, covered, &DEFAULTS).expect("observed");
    assert_eq!(o.days_before, 7);
    assert_eq!(Detector::new(DEFAULTS).update(&o).len(), 1);
    // Only since yesterday: no day before the recent two, nothing judged.
    let (_dir, store) = synced_to(now - h(30), &burst);
    let covered = history(&store, ACCOUNT).expect("read");
    let o = observe(&store, ACCOUNT, now, covered, &DEFAULTS).expect("observed");
    assert_eq!((o.new_countries, o.days_before), (None, 0));
}
