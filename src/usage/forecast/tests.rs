use super::*;
use rust_decimal::dec;

fn at(text: &str) -> Timestamp {
    text.parse().expect("a time")
}

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).expect("a zone")
}

fn total(key: &str, amount: Decimal) -> Total {
    Total {
        key: Some(key.to_owned()),
        count: 1,
        amount,
    }
}

fn number(n: &str, rent: Decimal, renewal: Option<&str>) -> Number {
    Number {
        number: n.to_owned(),
        monthly_rental_rate: rent,
        sub_account: None,
        renewal_date: renewal.map(str::to_owned),
        number_type: "local".to_owned(),
        country: Some("US".to_owned()),
    }
}

/// A week of history, so the rate is over the whole trailing week.
fn week(now: Timestamp) -> Option<Basis> {
    Basis::at(now, Some(now - SignedDuration::from_hours(30 * 24)))
}

fn inputs<'a>(
    now: Timestamp,
    zone: &'a TimeZone,
    spent: &'a [Total],
    trailing: &'a [Total],
    numbers: &'a [Number],
) -> Inputs<'a> {
    Inputs {
        now,
        zone,
        spent,
        trailing,
        basis: week(now),
        numbers,
        balance: dec!(100),
        auto_recharge: false,
        alert_below: None,
    }
}

#[test]
fn december_ends_on_the_first_of_january_with_each_product_at_its_rate() {
    let now = at("2026-12-20T00:00:00Z");
    let utc = TimeZone::UTC;
    let spent = [total("call", dec!(10)), total("message", dec!(5))];
    // 7 and 14 over the week: 1 and 2 a day.
    let trailing = [total("call", dec!(7)), total("message", dec!(14))];
    let numbers = [
        number("14155550001", dec!(0.8), Some("2027-01-01")),
        number("14155550002", dec!(1.5), Some("2026-12-25")),
        number("14155550003", dec!(1.0), None),
    ];
    let f = project(&inputs(now, &utc, &spent, &trailing, &numbers)).expect("a forecast");
    assert_eq!(f.month.name(), "2026-12");
    assert_eq!(f.month.end.timestamp(), at("2027-01-01T00:00:00Z"));
    assert_eq!(f.days_left, dec!(12));
    assert_eq!(f.daily, dec!(3));
    assert_eq!(
        f.lines,
        vec![
            Line {
                product: "message".into(),
                spent: dec!(5),
                daily: dec!(2),
                projected: dec!(29),
            },
            Line {
                product: "call".into(),
                spent: dec!(10),
                daily: dec!(1),
                projected: dec!(22),
            },
        ]
    );
    assert_eq!(f.spent_to_date, dec!(15));
    assert_eq!(
        f.rentals,
        Rentals {
            this_month: dec!(1.5),
            due_first: dec!(1.8),
            assumed: 1,
        }
    );
    // 15 spent + 36 at 3 a day for 12 days + the rent renewing on the 25th.
    assert_eq!(f.projected_month_end, dec!(52.5));
    assert_eq!(
        f.balance_after_first,
        dec!(100) - dec!(36) - dec!(1.5) - dec!(1.8)
    );
    assert_eq!(f.warning, None);
}

#[test]
fn february_is_28_days_and_a_renewal_on_the_31st_falls_on_its_last() {
    let utc = TimeZone::UTC;
    let numbers = [number("14155550001", dec!(2), Some("2027-01-31"))];
    let trailing = [total("call", dec!(7))];
    let now = at("2027-02-27T12:00:00Z");
    let f = project(&inputs(now, &utc, &[], &trailing, &numbers)).expect("a forecast");
    assert_eq!(f.month.name(), "2027-02");
    assert_eq!(f.month.end.timestamp(), at("2027-03-01T00:00:00Z"));
    assert_eq!(f.days_left, dec!(1.5));
    // January's renewal has passed: the next is February's last day.
    assert_eq!(f.rentals.this_month, dec!(2));
    assert_eq!(f.rentals.due_first, dec!(0));
    assert_eq!(f.projected_month_end, dec!(1.5) + dec!(2));
}

#[test]
fn a_leap_february_has_its_29th() {
    let utc = TimeZone::UTC;
    let numbers = [number("14155550001", dec!(2), Some("2028-01-31"))];
    let trailing = [total("call", dec!(7))];
    let now = at("2028-02-28T12:00:00Z");
    let f = project(&inputs(now, &utc, &[], &trailing, &numbers)).expect("a forecast");
    assert_eq!(f.month.end.timestamp(), at("2028-03-01T00:00:00Z"));
    assert_eq!(f.days_left, dec!(1.5));
    assert_eq!(f.rentals.this_month, dec!(2), "renews on the 29th");
    assert_eq!(
        next_renewal(&numbers[0], now.to_zoned_datetime(utc).date()),
        "2028-02-29".parse().ok()
    );
}

#[test]
fn the_month_is_the_accounts_and_its_days_are_real_time_across_dst() {
    let ny = zone("America/New_York");
    // March 2027 loses an hour on the 14th: 31 days less one hour.
    let march = Month::at(at("2027-03-10T17:00:00Z"), &ny).expect("a month");
    assert_eq!(march.start.timestamp(), at("2027-03-01T05:00:00Z"));
    assert_eq!(march.end.timestamp(), at("2027-04-01T04:00:00Z"));
    // November 2026 gains one on the 1st: 30 days and an hour.
    let november = Month::at(at("2026-11-15T12:00:00Z"), &ny).expect("a month");
    assert_eq!(
        november
            .end
            .timestamp()
            .duration_since(november.start.timestamp()),
        SignedDuration::from_hours(30 * 24 + 1)
    );
    // 24 a day from 2027-03-10 12:00 EST to 2027-04-01 00:00 EDT: 21 days
    // and 11 hours, not the wall clock's 21.5 days.
    let now = at("2027-03-10T17:00:00Z");
    let trailing = [total("call", dec!(168))];
    let f = project(&inputs(now, &ny, &[], &trailing, &[])).expect("a forecast");
    assert_eq!(f.projected_month_end, dec!(515));
}

#[test]
fn past_midnight_utc_it_is_still_the_last_of_the_month_in_new_york() {
    let ny = zone("America/New_York");
    let now = at("2026-12-01T03:00:00Z");
    let numbers = [number("14155550001", dec!(0.8), Some("2026-12-01"))];
    let trailing = [total("call", dec!(84))];
    let f = project(&inputs(now, &ny, &[], &trailing, &numbers)).expect("a forecast");
    assert_eq!(f.month.name(), "2026-11");
    assert_eq!(f.month.end.timestamp(), at("2026-12-01T05:00:00Z"));
    // Two hours left at 12 a day.
    assert_eq!(f.projected_month_end, dec!(1));
    assert_eq!(
        f.rentals.due_first,
        dec!(0.8),
        "the 1st is still ahead there"
    );
    assert_eq!(f.balance_after_first, dec!(100) - dec!(1) - dec!(0.8));
}

#[test]
fn an_account_younger_than_a_week_takes_its_rate_from_what_exists() {
    let now = at("2026-12-05T12:00:00Z");
    // Back-filled from the 1st, but its first record is from the 3rd, noon.
    let history = history_start(
        Some(at("2026-12-01T00:00:00Z")),
        Some(at("2026-12-03T12:00:00Z")),
    );
    assert_eq!(history, Some(at("2026-12-03T12:00:00Z")));
    let basis = Basis::at(now, history).expect("a basis");
    assert!(!basis.full);
    assert_eq!(basis.length(), SignedDuration::from_hours(48));
    let utc = TimeZone::UTC;
    let trailing = [total("call", dec!(10))];
    let mut i = inputs(now, &utc, &trailing, &trailing, &[]);
    i.basis = Some(basis);
    let f = project(&i).expect("a forecast");
    assert_eq!(f.daily, dec!(5), "10 over two days, not over seven");
    assert_eq!(f.basis, Some(basis));
    // A week of history: the week, said as whole.
    let old = Basis::at(
        now,
        history_start(
            Some(at("2026-11-01T00:00:00Z")),
            Some(at("2026-11-02T00:00:00Z")),
        ),
    )
    .expect("a basis");
    assert!(old.full);
    assert_eq!(old.from, now - TRAILING);
    // A first record a day after the edge: quiet hours, not a new account.
    let edge = at("2026-11-28T17:10:01Z");
    let day = SignedDuration::from_hours(24);
    assert_eq!(history_start(Some(edge), Some(edge + day)), Some(edge));
    let later = edge + day + SignedDuration::from_secs(1);
    assert_eq!(history_start(Some(edge), Some(later)), Some(later));
    // No record at all: the back-fill's edge, and a rate of nothing.
    assert_eq!(history_start(Some(edge), None), Some(edge));
    // Minutes of history: an hour at least.
    let minutes = Basis::at(now, Some(now - SignedDuration::from_mins(5))).expect("a basis");
    assert_eq!(minutes.length(), SHORTEST);
    // Never synced: no rate, none made up.
    assert_eq!(history_start(None, Some(now)), None);
    assert_eq!(Basis::at(now, None), None);
    i.basis = None;
    let f = project(&i).expect("a forecast");
    assert_eq!(f.daily, dec!(0));
    assert_eq!(f.projected_month_end, dec!(10));
}

#[test]
fn rentals_fall_this_month_on_the_first_or_later_by_their_day() {
    let now = at("2026-12-05T12:00:00Z");
    let utc = TimeZone::UTC;
    let numbers = [
        number("1", dec!(1), Some("2026-12-05")), // today: not yet charged
        number("2", dec!(2), Some("2026-12-31")), // the month's last day
        number("3", dec!(4), Some("2027-01-01")), // the 1st
        number("4", dec!(8), Some("2027-01-05")), // after the 1st
        number("5", dec!(16), Some("2026-11-01")), // passed: next is the 1st
        number("6", dec!(32), Some("2026-11-20")), // passed: next is the 20th
        number("7", dec!(64), Some("soon")),      // unreadable: the 1st
    ];
    let f = project(&inputs(now, &utc, &[], &[], &numbers)).expect("a forecast");
    assert_eq!(
        f.rentals,
        Rentals {
            this_month: dec!(1) + dec!(2) + dec!(32),
            due_first: dec!(4) + dec!(16) + dec!(64),
            assumed: 1,
        }
    );
    assert_eq!(f.projected_month_end, dec!(35));
    assert_eq!(f.balance_after_first, dec!(100) - dec!(35) - dec!(84));
}

#[test]
fn the_first_warns_below_zero_or_the_alert_unless_auto_recharge_is_on() {
    let now = at("2026-12-20T00:00:00Z");
    let utc = TimeZone::UTC;
    let trailing = [total("call", dec!(7))];
    let numbers = [number("1", dec!(5), Some("2027-01-01"))];
    let mut i = inputs(now, &utc, &[], &trailing, &numbers);
    // 12 days at 1, then 5 on the 1st.
    i.balance = dec!(16);
    let f = project(&i).expect("a forecast");
    assert_eq!(f.balance_after_first, dec!(-1));
    assert_eq!(f.warning, Some(Warning::BelowZero));
    i.balance = dec!(20);
    i.alert_below = Some(dec!(5));
    assert_eq!(
        project(&i).expect("a forecast").warning,
        Some(Warning::BelowAlert(dec!(5)))
    );
    i.alert_below = Some(dec!(3));
    assert_eq!(
        project(&i).expect("a forecast").warning,
        None,
        "3 left, not below 3"
    );
    i.balance = dec!(1);
    i.auto_recharge = true;
    assert_eq!(project(&i).expect("a forecast").warning, None);
}

#[test]
fn runway_pays_each_rent_on_its_day_month_after_month() {
    let now = at("2026-12-20T00:00:00Z");
    let utc = TimeZone::UTC;
    let trailing = [total("call", dec!(7))];
    let numbers = [number("1", dec!(5), Some("2027-01-01"))];
    let mut i = inputs(now, &utc, &[], &trailing, &numbers);
    // Spent before the 1st: 10 days at 1 a day.
    i.balance = dec!(10);
    assert_eq!(
        project(&i).expect("a forecast").runway,
        Runway::Until(at("2026-12-30T00:00:00Z"))
    );
    // 8 left on the 1st, 3 after its rent, 3 more days.
    i.balance = dec!(20);
    assert_eq!(
        project(&i).expect("a forecast").runway,
        Runway::Until(at("2027-01-04T00:00:00Z"))
    );
    // Nothing spent but the rent: it runs out on the second 1st.
    i.trailing = &[];
    i.balance = dec!(10);
    assert_eq!(
        project(&i).expect("a forecast").runway,
        Runway::Until(at("2027-02-01T00:00:00Z"))
    );
    // Nothing spent at all.
    i.numbers = &[];
    assert_eq!(
        project(&i).expect("a forecast").runway,
        Runway::Beyond(now + HORIZON)
    );
    // Already empty.
    i.balance = dec!(-0.5);
    assert_eq!(project(&i).expect("a forecast").runway, Runway::Until(now));
}
