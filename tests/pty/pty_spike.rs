//! A spend spike named end to end: the real binary's `sandbox --pumping`
//! bursts SMS to a country the account never sent to, the real dashboard
//! syncs it, rings once, shows it, and runs `on_alert` once with the
//! country, the subaccount and the number in its environment; the next
//! sync says nothing more.

use crate::support;

use std::io::{BufRead as _, BufReader};
use std::num::NonZeroU16;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::TOKEN;
use support::pty::Pty;

const COLS: NonZeroU16 = NonZeroU16::new(120).unwrap();
const ROWS: NonZeroU16 = NonZeroU16::new(32).unwrap();
/// The message list's pace in both the sandbox and the back-fill before
/// the dashboard, so three days are read in seconds.
const MESSAGE_RATE: &str = "1200";

/// The sandbox process, killed when the test ends however it ends.
struct Sandbox(Child);

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `plivo-dash sandbox` with `args`, and the variables it printed.
fn sandbox(args: &[&str]) -> (Sandbox, Vec<(String, String)>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .arg("sandbox")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the sandbox starts");
    let stdout = child.stdout.take().expect("its output");
    let child = Sandbox(child);
    let vars = BufReader::new(stdout)
        .lines()
        .take(3)
        .map(|line| {
            let line = line.expect("a line");
            let (name, value) = line
                .strip_prefix("export ")
                .and_then(|l| l.split_once('='))
                .expect("export NAME=value");
            (name.to_owned(), value.to_owned())
        })
        .collect();
    (child, vars)
}

/// The alerts `on_alert` wrote: one block of sorted variables each.
fn alerts(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .split_terminator("--\n")
        .map(str::to_owned)
        .collect()
}

#[cfg(unix)]
#[test]
fn a_pumping_burst_alerts_once_naming_its_country_subaccount_and_number() {
    let started = Instant::now();
    let (_sandbox, vars) = sandbox(&[
        "--traffic",
        "3",
        "--subaccounts",
        "3",
        "--pumping=0",
        "--message-rate",
        MESSAGE_RATE,
        "--auth-token",
        TOKEN,
    ]);
    let dir = tempfile::tempdir().expect("a directory");
    let state = dir.path().join("state").to_string_lossy().into_owned();
    let config = dir.path().join("config.toml");
    let fired = dir.path().join("alerts");
    std::fs::write(
        &config,
        format!(
            "usage_days = 3\non_alert = \"{{ env | grep '^PLIVO_DASH_' | sort; echo --; }} >> '{}'\"\n",
            fired.display()
        ),
    )
    .expect("a config file");
    let config = config.to_string_lossy().into_owned();
    let mut env: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    env.extend([
        ("XDG_STATE_HOME", state.as_str()),
        ("PLIVO_DASH_CONFIG", config.as_str()),
    ]);

    // The three days read first, at the sandbox's raised pace (the
    // dashboard keeps to Plivo's 20 pages a minute); the burst meanwhile
    // spends the sandbox's 1.809 USD at 0.10 USD a second, all of it to
    // LV: past new_destination_usd's 1 USD within 18 s.
    let synced = Command::new(env!("CARGO_BIN_EXE_plivo-dash"))
        .args([
            "usage",
            "sync",
            "--days",
            "3",
            "--message-rate",
            MESSAGE_RATE,
        ])
        .env_clear()
        .envs(env.iter().copied())
        .env("HOME", dir.path())
        .output()
        .expect("usage sync runs");
    assert!(synced.status.success(), "{synced:?}");
    std::thread::sleep(Duration::from_secs(20).saturating_sub(started.elapsed()));

    let pty = Pty::spawn(&[], &env, COLS, ROWS);
    pty.wait_for("Wayne Enterprises Inc.");
    let opened = Instant::now();
    while alerts(&fired).is_empty() {
        assert!(
            opened.elapsed() < Duration::from_secs(50),
            "no alert; screen:\n{}",
            pty.contents()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    pty.wait_for("⚠ spend spike");
    let screen = pty.contents();
    assert!(
        screen.contains("New destination: ") && screen.contains(" USD to LV"),
        "{screen}"
    );
    assert!(screen.contains("from subaccount "), "{screen}");

    let [alert] = alerts(&fired).try_into().expect("one alert");
    let var = |name: &str| {
        alert
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or_else(|| panic!("{name} in {alert}"))
            .to_owned()
    };
    assert_eq!(var("PLIVO_DASH_EVENT"), "spike");
    assert_eq!(var("PLIVO_DASH_SPIKE"), "new-destination");
    assert_eq!(var("PLIVO_DASH_TOP_COUNTRY"), "LV");
    assert_eq!(var("PLIVO_DASH_THRESHOLD"), "1");
    let spend: rust_decimal::Decimal = var("PLIVO_DASH_SPEND").parse().expect("an amount");
    assert!(spend > rust_decimal::Decimal::ONE, "{spend}");
    let subaccount = var("PLIVO_DASH_TOP_SUBACCOUNT");
    assert!(
        subaccount.starts_with("SA") && subaccount.len() == 20,
        "{subaccount}"
    );
    assert!(
        screen.contains(&subaccount),
        "the screen names it too:\n{screen}"
    );
    let number = var("PLIVO_DASH_TOP_NUMBER");
    assert!(
        screen.contains(&format!("+{number}")),
        "{number}:\n{screen}"
    );

    // The next sync, a minute after the first began, finds the same burst:
    // nothing more is said.
    std::thread::sleep(Duration::from_secs(70).saturating_sub(opened.elapsed()));
    assert_eq!(alerts(&fired).len(), 1, "{:?}", alerts(&fired));
    assert_eq!(pty.bells(), 1, "one bell for one spike");
}
