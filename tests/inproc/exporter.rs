//! `plivo-dash exporter`, the real binary, against sandboxes over HTTP:
//! what a scrape says, that it is answered from memory, what a failing
//! account looks like, and that no token ever shows.

use crate::support;

use plivo_dash::monitor::Sample;
use plivo_dash::plivo::AuthId;
use plivo_dash::sandbox::{Fault, Options};
use plivo_dash::store::CreditHistory;
use rust_decimal::dec;
use support::exporter::{Exporter, Stored, value};
use support::{TOKEN, sandbox_and_client};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scrape_says_everything_and_a_thousand_cause_no_request() {
    let mut account = plivo_dash::sandbox::demo_account();
    account.cash_credits = dec!(1234.56789);
    account.auto_recharge = true;
    let (sandbox, _) = sandbox_and_client(Options {
        account,
        subaccounts: 3,
        ..Options::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    // A day deep: the first sync of the usage records reads one window of
    // each list, whatever the day of the month.
    let config = home.path().join("config/plivo-dash");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "usage_days = 1\n").unwrap();
    let exporter = Exporter::watching(home.path(), &sandbox, &["--interval", "600"]);
    exporter.ready().await;
    // The exporter syncs the account's records in the background, at once.
    let store = home
        .path()
        .join("state/plivo-dash")
        .join(plivo_dash::store::FILE_NAME);
    synced(&store, &sandbox.auth_id).await;
    let scrape = exporter
        .until("counted the subaccounts", |s| {
            value(s, "plivo_account_subaccounts", &[]).is_some()
        })
        .await;
    let labels = [r#"profile="default""#, r#"auth_id="MA2025RK4E639VJFZAGV""#];
    assert_eq!(
        value(&scrape, "plivo_account_cash_credits", &labels),
        Some(1234.56789)
    );
    assert_eq!(value(&scrape, "plivo_account_up", &labels), Some(1.0));
    assert_eq!(
        value(&scrape, "plivo_account_auto_recharge", &labels),
        Some(1.0)
    );
    assert_eq!(
        value(&scrape, "plivo_account_subaccounts", &labels),
        Some(3.0)
    );
    let fetched = value(
        &scrape,
        "plivo_account_last_success_timestamp_seconds",
        &labels,
    )
    .expect("a last success");
    let now = jiff::Timestamp::now().as_second() as f64;
    assert!(
        (now - 60.0..=now + 1.0).contains(&fetched),
        "{fetched} vs {now}"
    );
    assert!(
        scrape.contains(r#"plivo_account_info{profile="default",auth_id="MA2025RK4E639VJFZAGV",name="Bruce Wayne",account_type="standard",billing_mode="prepaid",timezone="America/New_York"} 1"#),
        "{scrape}"
    );
    assert!(scrape.contains(&format!(
        r#"plivo_exporter_build_info{{version="{}"}} 1"#,
        env!("CARGO_PKG_VERSION")
    )));
    // One fetch, one count and the sync's three pages (the numbers, the
    // calls, the messages) so far, all answered.
    assert_eq!(
        value(&scrape, "plivo_api_requests_total", &[r#"code="200""#]),
        Some(5.0),
        "{scrape}"
    );
    // Measuring: not yet two polls' worth of history.
    assert_eq!(
        value(&scrape, "plivo_account_burn_rate_usd_per_hour", &[]),
        None
    );
    assert_eq!(value(&scrape, "plivo_account_runway_seconds", &[]), None);

    let before = sandbox.requests();
    for i in 0..1000 {
        let accept = if i % 2 == 0 {
            None
        } else {
            Some("application/openmetrics-text;version=1.0.0")
        };
        assert_eq!(exporter.get("/metrics", accept).await.status, 200);
    }
    assert_eq!(
        sandbox.requests(),
        before,
        "scrapes are answered from memory"
    );
    assert_eq!(before, 5);
    let (status, stderr, log) = exporter.stop();
    assert_eq!(status.code(), Some(0), "SIGTERM stops it cleanly: {stderr}");
    assert!(log.contains("exporter stopping"), "{log}");
}

/// Waits until the store at `path` holds both lists of `auth_id` synced.
async fn synced(path: &std::path::Path, auth_id: &str) {
    use plivo_dash::store::{Kind, Store};
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Ok(opened) = Store::open(path, jiff::Timestamp::now())
            && [Kind::Call, Kind::Message].into_iter().all(|kind| {
                opened
                    .store
                    .position(auth_id, kind)
                    .is_ok_and(|p| p.backfill_done)
            })
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the exporter never synced the records into {}",
            path.display()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// `scrape`'s value for `metric` of the sandbox's account with `more`
/// labels.
fn of_account(scrape: &str, metric: &str, more: &str) -> Option<f64> {
    let mut labels = vec![r#"profile="default""#, r#"auth_id="MA2025RK4E639VJFZAGV""#];
    if !more.is_empty() {
        labels.push(more);
    }
    value(scrape, metric, &labels)
}

/// How many series of `metric` `scrape` has.
fn series(scrape: &str, metric: &str) -> usize {
    scrape
        .lines()
        .filter(|l| l.strip_prefix(metric).is_some_and(|r| r.starts_with('{')))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_sync_metrics_show_the_spend_its_countries_and_the_month_ahead() {
    use jiff::{SignedDuration, Timestamp};
    use plivo_dash::store::{GroupBy, Store};
    use plivo_dash::usage::ahead;
    use rust_decimal::prelude::ToPrimitive as _;

    let day = SignedDuration::from_hours(24);
    let before = Timestamp::now();
    // Two days of seeded calls and messages: the counter holds both, the
    // countries only the last.
    let Stored {
        sandbox,
        home: _home,
        store: path,
        exporter,
    } = Stored::start(2).await;
    let scrape = exporter
        .until("the spend after a sync", |s| {
            series(s, "plivo_spend_usd_total") > 0
                && of_account(s, "plivo_balance_after_rentals_usd", "").is_some()
        })
        .await;
    let after = Timestamp::now();

    // The counter: everything the sandbox served, by product.
    let served = sandbox.served_by_product(before - 3 * day, after);
    assert!(served.len() >= 4, "{served:?}");
    for (product, (_, amount)) in &served {
        assert_eq!(
            of_account(
                &scrape,
                "plivo_spend_usd_total",
                &format!(r#"product="{product}""#)
            ),
            amount.to_f64(),
            "{product}:\n{scrape}"
        );
    }
    assert_eq!(series(&scrape, "plivo_spend_usd_total"), served.len());

    // The last 24 hours hold the second day the sandbox seeded, as long as
    // no record fell in the first moments of that day (the seed is fixed).
    for calls in [true, false] {
        assert_eq!(
            sandbox.served(calls, before - day, after - day).0,
            0,
            "a seeded record lies where the exporter's day began: pick another seed"
        );
    }
    let store = Store::open(&path, Timestamp::now()).unwrap().store;
    let countries = store
        .totals(&sandbox.auth_id, before - day, after, GroupBy::Country)
        .unwrap();
    assert!(
        (2..=plivo_dash::exporter::spend::TOP_COUNTRIES).contains(&countries.len()),
        "a few usual countries, none cut: {countries:?}"
    );
    for total in &countries {
        let country = total.key.as_deref().unwrap_or("unknown");
        assert_eq!(
            of_account(
                &scrape,
                "plivo_spend_by_country_usd",
                &format!(r#"country="{country}",window="24h""#)
            ),
            total.amount.to_f64(),
            "{country}:\n{scrape}"
        );
    }
    assert_eq!(
        series(&scrape, "plivo_spend_by_country_usd"),
        countries.len()
    );

    // The month ahead, as `forecast` works it out from the same store. The
    // exporter read it a moment earlier: within those seconds the trailing
    // rate and the days left move it by far less than 0.1 %.
    let account = sandbox.account();
    let zone = jiff::tz::TimeZone::get(&account.timezone).unwrap();
    let ahead = ahead::read(
        &store,
        &sandbox.auth_id,
        ahead::Facts {
            balance: account.cash_credits,
            auto_recharge: account.auto_recharge,
            zone: &zone,
            alert_below: None,
        },
        after,
    )
    .unwrap()
    .forecast;
    for (metric, expected) in [
        ("plivo_forecast_month_end_usd", ahead.projected_month_end),
        ("plivo_balance_after_rentals_usd", ahead.balance_after_first),
    ] {
        let expected = expected.to_f64().unwrap();
        let shown = of_account(&scrape, metric, "").expect(metric);
        assert!(
            (shown - expected).abs() <= expected.abs() / 1000.0 + 0.01,
            "{metric}: {shown} against {expected}"
        );
    }
    assert!(ahead.projected_month_end > ahead.spent_to_date, "{ahead:?}");

    let age = of_account(&scrape, "plivo_usage_sync_age_seconds", "").expect("an age");
    // The sync's time is a whole second: up to one before `before`.
    let since_start = after.duration_since(before).as_secs_f64() + 1.0;
    assert!((0.0..=since_start).contains(&age), "{age} of {since_start}");
    let (status, stderr, _) = exporter.stop();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_scraper_gets_the_format_it_asks_for() {
    let (sandbox, _) = sandbox_and_client(Options::default()).await;
    let home = tempfile::tempdir().unwrap();
    let exporter = Exporter::watching(home.path(), &sandbox, &[]);
    exporter.ready().await;
    let text = exporter.get("/metrics", Some("*/*")).await;
    assert_eq!(
        text.content_type,
        "text/plain; version=0.0.4; charset=utf-8"
    );
    assert!(
        text.body.contains("# TYPE plivo_account_info gauge"),
        "{}",
        text.body
    );
    assert!(!text.body.contains("# EOF"));
    // Prometheus 2's own Accept header.
    let open = exporter
        .get(
            "/metrics",
            Some("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
        )
        .await;
    assert_eq!(
        open.content_type,
        "application/openmetrics-text; version=1.0.0; charset=utf-8"
    );
    assert!(
        open.body.contains("# TYPE plivo_account info"),
        "{}",
        open.body
    );
    assert!(
        open.body
            .contains("# UNIT plivo_account_runway_seconds seconds")
    );
    assert!(open.body.ends_with("# EOF\n"), "{}", open.body);

    let index = exporter.get("/", None).await;
    assert_eq!(index.status, 200);
    assert!(
        index.content_type.starts_with("text/html"),
        "{}",
        index.content_type
    );
    assert!(
        index.body.contains(r#"<a href="/metrics">"#),
        "{}",
        index.body
    );
    assert!(index.body.contains("MA2025RK4E639VJFZAGV"));
    let missing = exporter.get("/metric", None).await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("/metrics"), "{}", missing.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_account_keeps_its_last_balance_and_goes_down() {
    let (sandbox, _) = sandbox_and_client(Options {
        // The first poll fails; the retry after it does not.
        faults: vec![Fault::status(503)],
        ..Options::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let exporter = Exporter::watching(home.path(), &sandbox, &["--interval", "1"]);
    exporter.ready().await;
    let up = exporter
        .until("up after a 503", |s| {
            value(s, "plivo_account_up", &[]) == Some(1.0)
        })
        .await;
    assert_eq!(
        value(&up, "plivo_api_requests_total", &[r#"code="503""#]),
        Some(1.0),
        "{up}"
    );
    sandbox.shutdown().await.unwrap();
    let gone = exporter
        .until("down, counting unanswered requests", |s| {
            value(s, "plivo_api_requests_total", &[r#"code="none""#]).is_some()
                && value(s, "plivo_account_up", &[]) == Some(0.0)
        })
        .await;
    // The last balance fetched, and when, are still there for alerts to
    // tell "low" from "unknown".
    let last_up = exporter_values(&up);
    let last_gone = exporter_values(&gone);
    assert!(last_gone.0.is_some(), "{gone}");
    assert!(last_gone.1 >= last_up.1, "{last_gone:?} {last_up:?}");
    assert_eq!(exporter.get("/healthz", None).await.status, 200);
    let index = exporter.get("/", None).await;
    assert!(
        index.body.contains("down: network error: cannot connect"),
        "{}",
        index.body
    );
    let (status, _, log) = exporter.stop();
    assert_eq!(status.code(), Some(0));
    assert!(log.contains("poll failed"), "{log}");
}

/// The balance and when it was fetched.
fn exporter_values(scrape: &str) -> (Option<f64>, Option<f64>) {
    (
        value(scrape, "plivo_account_cash_credits", &[]),
        value(scrape, "plivo_account_last_success_timestamp_seconds", &[]),
    )
}

/// An earlier run's last hour: 20 USD spent, 1 USD every 3 minutes, down
/// to 100 USD.
fn an_hour_spending_20_usd(now: jiff::Timestamp) -> Vec<Sample> {
    (0..=60)
        .step_by(3)
        .map(|minutes| Sample {
            at: now - jiff::SignedDuration::from_mins(63 - minutes),
            credits: dec!(120) - rust_decimal::Decimal::from(minutes / 3),
        })
        .collect()
}

/// The exporter's burn rate and runway for an account of 100 USD with
/// [`an_hour_spending_20_usd`] behind it: about 20 USD an hour, five hours.
async fn assert_burning_20_an_hour(exporter: &Exporter) {
    const BURN: &str = "plivo_account_burn_rate_usd_per_hour";
    exporter.ready().await;
    // The store is opened off the worker's way, so its history may come
    // a moment after the first poll.
    let scrape = exporter
        .until("the stored history", |s| value(s, BURN, &[]).is_some())
        .await;
    let burn = value(&scrape, BURN, &[]).unwrap_or_else(|| panic!("{scrape}"));
    assert!(
        (19.0..=21.0).contains(&burn),
        "about 20 USD an hour: {burn}"
    );
    let runway = value(&scrape, "plivo_account_runway_seconds", &[]).expect("a runway");
    // 100 USD at about 20 an hour: about five hours.
    assert!((4.5 * 3600.0..=5.5 * 3600.0).contains(&runway), "{runway}");
}

async fn sandbox_of_100_usd() -> plivo_dash::sandbox::Handle {
    let mut account = plivo_dash::sandbox::demo_account();
    account.cash_credits = dec!(100);
    sandbox_and_client(Options {
        account,
        ..Options::default()
    })
    .await
    .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn burn_rate_and_runway_come_back_from_the_history_after_a_restart() {
    let sandbox = sandbox_of_100_usd().await;
    let home = tempfile::tempdir().unwrap();
    let now = jiff::Timestamp::now();
    let history = CreditHistory::new(
        &home.path().join("state").join("plivo-dash"),
        &AuthId::parse(&sandbox.auth_id).unwrap(),
        plivo_dash::monitor::RETENTION,
    );
    let mut kept = history.open(now).unwrap();
    for sample in an_hour_spending_20_usd(now) {
        history.record(&mut kept.store, &sample, now).unwrap();
    }
    drop(kept);
    let exporter = Exporter::watching(home.path(), &sandbox, &["--interval", "600"]);
    assert_burning_20_an_hour(&exporter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_history_file_is_moved_into_the_store_once_and_said_on_stderr() {
    let sandbox = sandbox_of_100_usd().await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("state").join("plivo-dash");
    std::fs::create_dir_all(&dir).unwrap();
    let old = dir.join(format!("{}.history", sandbox.auth_id));
    let mut text = format!("# plivo-dash credit history v1 {}\n", sandbox.auth_id);
    for s in an_hour_spending_20_usd(jiff::Timestamp::now()) {
        text.push_str(&format!("{} {}\n", s.at, s.credits));
    }
    std::fs::write(&old, &text).unwrap();

    let first = Exporter::watching(home.path(), &sandbox, &["--interval", "600"]);
    assert_burning_20_an_hour(&first).await;
    let (_, said, _) = first.stop();
    let store = dir.join(plivo_dash::store::FILE_NAME);
    assert_eq!(
        said.matches("credit history moved into").count(),
        1,
        "{said}"
    );
    assert!(
        said.contains(&store.display().to_string()) && said.contains("21 samples"),
        "{said}"
    );
    assert!(!old.exists());
    let migrated = dir.join(format!("{}.history.migrated", sandbox.auth_id));
    assert_eq!(
        std::fs::read_to_string(&migrated).unwrap(),
        text,
        "kept as it was"
    );

    let second = Exporter::watching(home.path(), &sandbox, &["--interval", "600"]);
    assert_burning_20_an_hour(&second).await;
    let (_, said, _) = second.stop();
    assert!(!said.contains("moved"), "said once: {said}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_never_shows_even_planted_in_the_name() {
    let mut account = plivo_dash::sandbox::demo_account();
    account.name = format!("{TOKEN} \"quoted\" back\\slash\nnext line \u{1b}[31m");
    let (sandbox, client) = sandbox_and_client(Options {
        account,
        subaccounts: 4,
        ..Options::default()
    })
    .await;
    let subaccount_tokens: Vec<String> = client
        .list_subaccounts(20, 0)
        .await
        .unwrap()
        .objects
        .into_iter()
        .map(|s| secrecy::ExposeSecret::expose_secret(&s.auth_token).to_owned())
        .collect();
    assert_eq!(subaccount_tokens.len(), 4);
    let home = tempfile::tempdir().unwrap();
    let exporter = Exporter::watching(home.path(), &sandbox, &["--interval", "1"]);
    exporter.ready().await;
    let scrape = exporter
        .until("counted", |s| {
            value(s, "plivo_account_subaccounts", &[]).is_some()
        })
        .await;
    assert!(
        scrape.contains(r#"name="[redacted] \"quoted\" back\\slash␊next line ␛[31m""#),
        "the name, token cut out, escaped: {scrape}"
    );
    let open = exporter
        .get("/metrics", Some("application/openmetrics-text"))
        .await
        .body;
    let index = exporter.get("/", None).await.body;
    let health = exporter.get("/healthz", None).await.body;
    let (status, stderr, log) = exporter.stop();
    assert_eq!(status.code(), Some(0));
    assert!(log.contains("answer"), "the debug log was written: {log}");
    for (what, text) in [
        ("/metrics", &scrape),
        ("OpenMetrics", &open),
        ("/", &index),
        ("/healthz", &health),
        ("stderr", &stderr),
        ("log", &log),
    ] {
        assert!(!text.contains(TOKEN), "the token in {what}: {text}");
        for sub in &subaccount_tokens {
            assert!(!text.contains(sub.as_str()), "a subaccount token in {what}");
        }
        assert!(!text.contains('\u{1b}'), "an escape in {what}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_profile_is_watched_and_a_broken_one_is_down_not_missing() {
    let (first, _) = sandbox_and_client(Options::default()).await;
    let (second, _) = sandbox_and_client(Options {
        auth_id: "MA2025SANDBOX0000002".to_owned(),
        ..Options::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config").join("plivo-dash");
    std::fs::create_dir_all(&config).unwrap();
    let file = config.join("config.toml");
    std::fs::write(
        &file,
        format!(
            "[profiles.\"ops \\\"eu\\\"\"]\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\napi_url = \"{}\"\n\n\
             [profiles.billing]\nauth_id = \"{}\"\nauth_token = \"{TOKEN}\"\napi_url = \"{}\"\n\n\
             [profiles.broken]\nauth_id = \"MA2025BROKEN00000003\"\n",
            first.auth_id, first.base_url, second.auth_id, second.base_url
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let exporter = Exporter::start(home.path(), &[], &["--all-profiles", "--interval", "600"]);
    exporter.ready().await;
    let scrape = exporter.scrape().await;
    assert_eq!(
        value(&scrape, "plivo_account_up", &[r#"profile="ops \"eu\"""#]),
        Some(1.0),
        "{scrape}"
    );
    assert_eq!(
        value(
            &scrape,
            "plivo_account_up",
            &[r#"auth_id="MA2025SANDBOX0000002""#]
        ),
        Some(1.0)
    );
    assert_eq!(
        value(
            &scrape,
            "plivo_account_up",
            &[r#"profile="broken""#, r#"auth_id="MA2025BROKEN00000003""#]
        ),
        Some(0.0),
        "a profile without a token is down from the start: {scrape}"
    );
    assert_eq!(
        value(
            &scrape,
            "plivo_account_cash_credits",
            &[r#"profile="broken""#]
        ),
        None
    );
    let (status, stderr, _) = exporter.stop();
    assert_eq!(status.code(), Some(0));
    assert!(stderr.contains("profile broken"), "{stderr}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_nohup_a_hangup_leaves_it_serving() {
    let (sandbox, _) = sandbox_and_client(Options::default()).await;
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("PLIVO_API_URL", sandbox.base_url.as_str()),
        ("PLIVO_AUTH_ID", sandbox.auth_id.as_str()),
        ("PLIVO_AUTH_TOKEN", TOKEN),
    ];
    let exporter = Exporter::start_under(&["nohup"], home.path(), &env, &[]);
    exporter.ready().await;
    exporter.signal("HUP");
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(exporter.get("/healthz", None).await.status, 200);
    let (status, stderr, _) = exporter.stop();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stderr_does_not_stop_it() {
    let (sandbox, _) = sandbox_and_client(Options::default()).await;
    let home = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .args(["exporter", "--listen", &format!("127.0.0.1:{port}")])
        .env_clear()
        .env("HOME", home.path())
        .env("PLIVO_API_URL", &sandbox.base_url)
        .env("PLIVO_AUTH_ID", &sandbox.auth_id)
        .env("PLIVO_AUTH_TOKEN", TOKEN)
        .stderr(writer)
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/healthz");
    let mut ready = false;
    for _ in 0..200 {
        if reqwest::get(&url).await.is_ok_and(|r| r.status() == 200) {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let alive = child.try_wait().unwrap().is_none();
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(ready && alive, "it serves with nobody reading its stderr");
    assert_eq!(status.code(), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_port_is_said_and_exits_4() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let (sandbox, _) = sandbox_and_client(Options::default()).await;
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .args(["exporter", "--listen", &address])
        .env_clear()
        .env("HOME", home.path())
        .env("PLIVO_API_URL", &sandbox.base_url)
        .env("PLIVO_AUTH_ID", &sandbox.auth_id)
        .env("PLIVO_AUTH_TOKEN", TOKEN)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(4), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot listen on {address}")),
        "{stderr}"
    );
    drop(taken);
}

#[test]
fn no_credentials_at_all_is_a_usage_error_not_a_server() {
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .args(["exporter", "--listen", "127.0.0.1:0"])
        .env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("PLIVO_AUTH_ID"));
}

/// `exporter --listen ADDR` against `sandbox`: the URL it says it serves
/// on, and the running child.
fn exporter_on(
    listen: &str,
    sandbox: &support::TestSandbox,
    home: &std::path::Path,
) -> (std::process::Child, String) {
    use std::io::BufRead as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .args(["exporter", "--listen", listen])
        .env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home)
        .env("XDG_STATE_HOME", home)
        .envs(sandbox.env())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let stderr = child.stderr.take().expect("stderr");
    let line = std::io::BufReader::new(stderr)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("serving "))
        .expect("says where it serves");
    let url = line
        .split("serving ")
        .nth(1)
        .and_then(|rest| rest.split("/metrics").next())
        .expect("a url")
        .to_owned();
    (child, url)
}

/// One plain HTTP/1.0 GET of `/healthz` at `addr`: its status line.
fn status_at(addr: std::net::SocketAddr) -> String {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect_timeout(&addr, std::time::Duration::from_secs(5))
        .unwrap_or_else(|e| panic!("{addr}: {e}"));
    stream
        .write_all(b"GET /healthz HTTP/1.0\r\nHost: x\r\n\r\n")
        .expect("write");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.lines().next().unwrap_or_default().to_owned()
}

/// `:PORT` is every interface, IPv6 and IPv4 alike; a wildcard address is
/// where it listens, not a URL: the one printed is one that works here.
#[test]
fn listen_on_every_interface_serves_ipv4_and_ipv6_and_prints_a_usable_url() {
    let sandbox = support::TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        ..Options::default()
    });
    let home = tempfile::tempdir().expect("tempdir");
    let (mut child, url) = exporter_on("0.0.0.0:0", &sandbox, home.path());
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );

    let (mut child, url) = exporter_on(":0", &sandbox, home.path());
    let port: u16 = url
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("a port in {url}"));
    let v4 = status_at(std::net::SocketAddr::from(([127, 0, 0, 1], port)));
    let ipv6 = std::net::TcpListener::bind("[::1]:0").is_ok();
    let v6 = ipv6.then(|| {
        status_at(std::net::SocketAddr::from((
            std::net::Ipv6Addr::LOCALHOST,
            port,
        )))
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(!url.contains("[::]") && !url.contains("0.0.0.0"), "{url}");
    assert!(v4.starts_with("HTTP/1."), "IPv4: {v4:?}");
    match v6 {
        Some(v6) => assert!(v6.starts_with("HTTP/1."), "IPv6: {v6:?}"),
        None => eprintln!("skipped IPv6: this machine has no ::1"),
    }
}

/// An exporter under `ulimit -n 64` with `args`, `slow` connections that
/// never finish a request (every other one sends half a request's head,
/// the rest nothing), then a scrape that must be answered `within`: its
/// body, and the exporter's log once stopped.
#[cfg(unix)]
async fn scrape_past_slow_connections(
    args: &[&str],
    slow: usize,
    within: std::time::Duration,
) -> (String, String) {
    use tokio::io::AsyncWriteExt as _;
    let (sandbox, _) = sandbox_and_client(Options::default()).await;
    let home = tempfile::tempdir().expect("a home");
    let env = [
        ("PLIVO_API_URL", sandbox.base_url.as_str()),
        ("PLIVO_AUTH_ID", sandbox.auth_id.as_str()),
        ("PLIVO_AUTH_TOKEN", TOKEN),
    ];
    let few_files = ["sh", "-c", "ulimit -n 64 && exec \"$0\" \"$@\""];
    let exporter = Exporter::start_under(&few_files, home.path(), &env, args);
    exporter.ready().await;
    let address = exporter.url.trim_start_matches("http://");
    let mut held = Vec::with_capacity(slow);
    for i in 0..slow {
        let mut stream = tokio::net::TcpStream::connect(address)
            .await
            .expect("a connection");
        if i % 2 == 0 {
            stream
                .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
                .await
                .expect("half a request sent");
        }
        held.push(stream);
    }
    let scrape = tokio::time::timeout(within, exporter.get("/metrics", None))
        .await
        .expect("a scrape is answered past the slow connections");
    assert_eq!(scrape.status, 200, "{}", scrape.body);
    drop(held);
    let (status, stderr, log) = exporter.stop();
    assert_eq!(status.code(), Some(0), "{stderr}");
    (scrape.body, log)
}

/// Far more slow connections than the process may hold files: without a
/// cap they take every descriptor and a scrape waits for HEAD_TIMEOUT.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_connections_beyond_the_cap_do_not_starve_a_scrape() {
    let (scrape, _) = scrape_past_slow_connections(
        &["--interval", "600", "--max-connections", "16"],
        200,
        std::time::Duration::from_secs(3),
    )
    .await;
    assert_eq!(value(&scrape, "plivo_account_up", &[]), Some(1.0));
}

/// The default cap is above this process's file limit: when accepting
/// fails for want of a descriptor, the oldest idle connection gives one up.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_files_the_oldest_idle_connection_makes_room() {
    let (_, log) = scrape_past_slow_connections(
        &["--interval", "600"],
        120,
        std::time::Duration::from_secs(10),
    )
    .await;
    assert!(log.contains("cannot accept a connection"), "{log}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_whose_first_poll_never_ends_is_down_from_the_first_scrape() {
    let (sandbox, _) = sandbox_and_client(Options {
        latency: std::time::Duration::from_secs(3600),
        ..Options::default()
    })
    .await;
    let home = tempfile::tempdir().unwrap();
    let exporter = Exporter::watching(home.path(), &sandbox, &["--interval", "600"]);
    let scrape = exporter.scrape().await;
    assert_eq!(
        value(
            &scrape,
            "plivo_account_up",
            &[
                r#"profile="default""#,
                &format!(r#"auth_id="{}""#, sandbox.auth_id)
            ]
        ),
        Some(0.0),
        "{scrape}"
    );
    // Nothing answered yet: still waiting, no balance made up.
    let health = exporter.get("/healthz", None).await;
    assert_eq!(health.status, 503, "{}", health.body);
    assert_eq!(value(&scrape, "plivo_account_cash_credits", &[]), None);
    let (status, stderr, _) = exporter.stop();
    assert_eq!(status.code(), Some(0), "{stderr}");
}

/// Not under `nohup`: the exporter's own choice, said in its log.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hangup_is_ignored_and_logged_then_sigterm_stops_it() {
    let (sandbox, _) = sandbox_and_client(Options::default()).await;
    let home = tempfile::tempdir().unwrap();
    let exporter = Exporter::watching(home.path(), &sandbox, &["--interval", "600"]);
    exporter.ready().await;
    exporter.signal("HUP");
    let start = std::time::Instant::now();
    while !std::fs::read_to_string(&exporter.log)
        .unwrap_or_default()
        .contains("SIGHUP ignored")
    {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "never logged"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    exporter.signal("HUP");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(exporter.get("/healthz", None).await.status, 200);
    assert_eq!(
        value(&exporter.scrape().await, "plivo_account_up", &[]),
        Some(1.0)
    );
    let (status, stderr, log) = exporter.stop();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert_eq!(log.matches("SIGHUP ignored").count(), 2, "{log}");
}
