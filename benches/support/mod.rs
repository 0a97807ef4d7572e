//! An app as the benchmarks need it: loaded, with a day of history.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use plivo_dash::app::{App, Msg, Session};
use plivo_dash::monitor::Sample;
use plivo_dash::sandbox::demo_account;
use plivo_dash::worker::Report;
use rust_decimal::Decimal;

pub fn now() -> Timestamp {
    "2026-11-26T19:03:22Z".parse().expect("timestamp")
}

/// A loaded app with `samples` of history a minute apart, an alert set.
pub fn loaded(samples: i64) -> App {
    spaced(samples, SignedDuration::from_mins(1))
}

/// A loaded app with `samples` of history `step` apart, an alert set.
#[allow(dead_code, reason = "not every bench uses it")]
pub fn spaced(samples: i64, step: SignedDuration) -> App {
    let session = Session {
        auth_id: "MA2025RK4E639VJFZAGV".into(),
        api_url: "https://api.plivo.com".into(),
        demo: false,
        color: true,
        alert_below: Some(Decimal::ONE),
        retention: plivo_dash::monitor::RETENTION,
        token_source: "PLIVO_AUTH_TOKEN".into(),
        mouse: true,
        warnings: Vec::new(),
        keymap: plivo_dash::keymap::Keymap::default(),
        tz: jiff::tz::TimeZone::UTC,
        profile: None,
        in_fleet: false,
        back_to_welcome: false,
    };
    let mut app = App::new(session, now(), (120, 40), Duration::from_secs(60));
    app.start();
    let history = (0..samples)
        .map(|i| Sample {
            at: now() - step * i32::try_from(samples - i).expect("fits"),
            credits: Decimal::new(500_000 - i * 7, 5),
        })
        .collect();
    app.update(Msg::Worker(Report::History {
        samples: history,
        warning: None,
        moved: None,
    }));
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(demo_account()),
        at: now(),
    }));
    app
}
