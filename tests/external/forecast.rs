//! `plivo-dash forecast`, the binary against a sandbox with seeded traffic:
//! DESIGN's JSON, its amounts agreeing with the store and the account; a
//! young account's rate said as such; every profile with one refused; and
//! output into a closed pipe or a full disk.

use crate::support;
use crate::usage::{amount, bin, exits_6_into_a_full_disk, run};

use std::process::Command;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use plivo_dash::sandbox::Options;
use plivo_dash::store::Store;
use rust_decimal::Decimal;
use serde_json::Value;
use support::{TOKEN, TestSandbox};

fn balance(sandbox: &TestSandbox) -> (Decimal, TimeZone) {
    let mut get = bin(sandbox);
    get.args(["get", "--json"]);
    let (out, _) = run(get, 0);
    let account: Value = serde_json::from_str(&out).expect("JSON");
    let zone = account["timezone"].as_str().expect("a zone");
    (
        amount(&account["cash_credits"]),
        TimeZone::get(zone).expect("an IANA zone"),
    )
}

#[test]
fn forecast_json_is_designs_object_and_agrees_with_the_store_and_the_account() {
    let sandbox = TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        traffic_days: 1,
        ..Options::default()
    });
    let (before, zone) = balance(&sandbox);
    let mut cmd = bin(&sandbox);
    cmd.args(["forecast", "--json"]);
    let (out, err) = run(cmd, 0);
    let (after, _) = balance(&sandbox);
    let json: Value = serde_json::from_str(&out).expect("JSON");
    let mut keys: Vec<&str> = json
        .as_object()
        .expect("an object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "auth_id",
            "auto_recharge",
            "balance_after_first",
            "balance_now",
            "month",
            "projected_month_end",
            "rentals_due",
            "spent_to_date"
        ]
    );
    assert_eq!(json["auth_id"], sandbox.handle.auth_id.as_str());
    assert_eq!(json["auto_recharge"], false);
    // Live traffic drains the balance while it runs.
    let now = amount(&json["balance_now"]);
    assert!(before >= now && now >= after, "{before} {now} {after}");
    // The month is the account's, in its zone.
    let month = json["month"].as_str().expect("a month");
    let first: Date = format!("{month}-01").parse().expect("YYYY-MM");
    let start = first
        .to_zoned_datetime(zone.clone())
        .expect("a time")
        .timestamp();
    assert!(start <= jiff::Timestamp::now(), "{month}");
    // The spend so far is the store's since the 1st, as `usage` reads it.
    let mut usage = bin(&sandbox);
    usage.args([
        "usage",
        "--no-sync",
        "--json",
        "--since",
        &start.to_string(),
    ]);
    let (usage, _) = run(usage, 0);
    let usage: Value = serde_json::from_str(&usage).expect("JSON");
    let spent = amount(&json["spent_to_date"]);
    assert_eq!(spent, amount(&usage["total"]));
    assert!(spent > Decimal::ZERO, "a day of traffic: {out}");
    // The rentals due are the numbers renewing on the account's next 1st.
    let store = Store::open(
        &sandbox
            .home()
            .join("state/plivo-dash")
            .join(plivo_dash::store::FILE_NAME),
        jiff::Timestamp::now(),
    )
    .expect("the store")
    .store;
    let numbers = store.numbers(&sandbox.handle.auth_id).expect("numbers");
    assert!(!numbers.is_empty());
    let next = first
        .checked_add(jiff::ToSpan::month(1))
        .expect("a month on");
    let due: Decimal = numbers
        .iter()
        .filter(|n| n.renewal_date.as_deref() == Some(next.to_string().as_str()))
        .map(|n| n.monthly_rental_rate)
        .sum();
    assert_eq!(amount(&json["rentals_due"]), due);
    // After the 1st: the balance, less what the rest of the month spends
    // (the projection less the spend so far), less the 1st's rentals; each
    // rounded to five places.
    let projected = amount(&json["projected_month_end"]);
    assert!(projected > spent, "spending goes on: {out}");
    let worked = now - (projected - spent) - due;
    let after_first = amount(&json["balance_after_first"]);
    assert!(
        (after_first - worked).abs() <= Decimal::new(1, 5),
        "{after_first} against {worked}"
    );
    // The sandbox's 1.809 cannot pay a month of traffic: warned, on stderr
    // beside the JSON.
    assert!(after_first < Decimal::ZERO, "{out}");
    assert!(
        err.contains(&format!(
            "WARNING: the balance would be {} after the 1st, below zero",
            json["balance_after_first"].as_str().expect("a string")
        )),
        "{err}"
    );

    // The table, from the store: one day of records is a young account,
    // its rate taken over what there is, and said.
    let mut table = bin(&sandbox);
    table.args(["forecast", "--no-sync"]);
    let (text, _) = run(table, 0);
    assert!(
        text.starts_with(&format!("The month ahead: {month} (")),
        "{text}"
    );
    for needle in [
        "\nvoice-outbound ",
        "\nsms-outbound ",
        "\nTOTAL ",
        "\nBalance after the 1st ≈ ",
        "\nRunway ",
        "from the store, not synced now",
        "of records there are (fewer than 7 days)",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
}

#[test]
fn forecast_all_profiles_prints_each_and_exits_with_the_first_failure() {
    use std::os::unix::fs::PermissionsExt as _;
    let sandbox = TestSandbox::start();
    let config = sandbox.home().join("fleet.toml");
    let profile = |name: &str, token: &str| {
        format!(
            "[profiles.{name}]\napi_url = \"{}\"\nauth_id = \"{}\"\nauth_token = \"{token}\"\n",
            sandbox.handle.base_url, sandbox.handle.auth_id
        )
    };
    std::fs::write(
        &config,
        profile("prod", TOKEN) + &profile("\"old one\"", "not-the-token"),
    )
    .expect("write");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let cmd = |args: &[&str]| {
        let mut cmd = bin(&sandbox);
        cmd.env_remove("PLIVO_AUTH_ID")
            .env_remove("PLIVO_AUTH_TOKEN")
            .env("PLIVO_DASH_CONFIG", &config)
            .args(args);
        cmd
    };
    let (out, err) = run(cmd(&["forecast", "--all-profiles", "--json"]), 3);
    let json: Value = serde_json::from_str(&out).expect("JSON");
    let items = json.as_array().expect("an array");
    assert_eq!(items.len(), 1, "{out}");
    assert_eq!(items[0]["profile"], "prod");
    assert_eq!(items[0]["balance_now"], "1.80900");
    assert!(
        err.contains("plivo-dash: old one: authentication failed (401"),
        "{err}"
    );
    assert!(
        err.contains("profile \"old one\""),
        "names the token's source: {err}"
    );
    let (text, _) = run(cmd(&["forecast", "--all-profiles", "--no-sync"]), 3);
    assert!(text.starts_with("prod\nThe month ahead: "), "{text}");
}

#[test]
fn forecast_warns_below_the_alert_given_as_a_flag_or_in_the_config_file() {
    let mut options = Options {
        auth_token: TOKEN.into(),
        ..Options::default()
    };
    options.account.cash_credits = Decimal::from(100);
    let sandbox = TestSandbox::with(options);
    let forecast = |args: &[&str]| {
        let mut cmd = bin(&sandbox);
        cmd.arg("forecast").args(args);
        let (out, err) = run(cmd, 0);
        let json: Value = serde_json::from_str(&out).expect("JSON");
        (amount(&json["balance_after_first"]), err)
    };
    // No traffic: the 1st takes the rentals alone.
    let (after, err) = forecast(&["--json"]);
    assert!(
        after > Decimal::ZERO && after < Decimal::from(100),
        "{after}"
    );
    assert!(!err.contains("WARNING"), "{err}");
    let above = (after + Decimal::ONE).to_string();
    let (_, err) = forecast(&["--json", "--no-sync", "--alert-below", &above]);
    assert!(
        err.contains(&format!(
            "WARNING: the balance would be {after} after the 1st, below the alert ({above})"
        )),
        "{err}"
    );
    let config = sandbox.home().join("plivo-dash");
    std::fs::create_dir_all(&config).expect("a config directory");
    std::fs::write(
        config.join("config.toml"),
        format!("alert_below = \"{above}\"\n"),
    )
    .expect("a config file");
    let (_, err) = forecast(&["--json", "--no-sync"]);
    assert!(err.contains("below the alert"), "{err}");
    // The flag beats the file.
    let (_, err) = forecast(&["--json", "--no-sync", "--alert-below", "0"]);
    assert!(!err.contains("WARNING"), "{err}");
}

#[test]
fn an_account_zone_that_is_not_one_is_said_and_its_month_taken_in_utc() {
    let mut options = Options {
        auth_token: TOKEN.into(),
        ..Options::default()
    };
    options.account.timezone = "Mars/Olympus_Mons\u{1b}[2J".into();
    let sandbox = TestSandbox::with(options);
    let mut cmd = bin(&sandbox);
    cmd.args(["forecast", "--no-sync"]);
    let (out, _) = run(cmd, 0);
    let month = jiff::Timestamp::now().strftime("%Y-%m").to_string();
    assert!(
        out.starts_with(&format!("The month ahead: {month} (UTC), ")),
        "{out}"
    );
    assert!(
        out.contains("is not an IANA zone: its month is taken in UTC"),
        "{out}"
    );
    assert!(
        !out.contains('\u{1b}'),
        "the server's text is made safe: {out:?}"
    );
    // Nothing was ever synced here: said as that, not as a short store.
    assert!(out.contains("no records are synced yet"), "{out}");
    assert!(!out.contains("nowhere"), "{out}");
}

#[test]
fn forecast_into_a_closed_pipe_ends_quietly_and_into_a_full_disk_exits_6() {
    let sandbox = TestSandbox::start();
    // bash's pipefail: the exit code is the forecast's, not head's.
    let mut piped = Command::new("bash");
    piped
        .env_clear()
        .envs(sandbox.env())
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", sandbox.home())
        .env("XDG_CONFIG_HOME", sandbox.home())
        .env("XDG_STATE_HOME", sandbox.home().join("state"))
        .arg("-c")
        .arg(format!(
            "set -o pipefail; {} forecast --no-sync | head -c 0",
            env!("CARGO_BIN_EXE_plivo-dash")
        ));
    let (out, _) = run(piped, 0);
    assert!(out.is_empty(), "{out}");

    let mut cmd = bin(&sandbox);
    cmd.args(["forecast", "--no-sync"]);
    exits_6_into_a_full_disk(cmd);
}
