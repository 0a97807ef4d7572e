//! Alerts that reach people beyond the bell: the `on_alert` command and a
//! desktop notification through the terminal. The app decides when (once
//! per crossing, [`crate::app::fleet::Alert`]); this module delivers.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt as _;

use crate::app::fleet::{Alert, Event};
use crate::monitor::threshold::Crossing;
use crate::text;

/// How long an `on_alert` command may run before it is killed.
pub(crate) const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// The variables an `on_alert` command gets. Only numbers, the event word,
/// the profile and auth id from the config file, and a spike's top
/// contributors as the worker checked them (a country's two capitals, a
/// subaccount's letters and digits, a number's digits): no free text from
/// the API, so nothing a server sends can reach a shell.
pub fn environment(alert: &Alert) -> Vec<(&'static str, String)> {
    let mut env = vec![
        ("PLIVO_DASH_PROFILE", alert.profile.clone()),
        ("PLIVO_DASH_AUTH_ID", alert.auth_id.clone()),
        ("PLIVO_DASH_BALANCE", alert.balance.normalize().to_string()),
        (
            "PLIVO_DASH_THRESHOLD",
            alert.threshold.normalize().to_string(),
        ),
        (
            "PLIVO_DASH_RUNWAY_SECONDS",
            alert
                .runway
                .map(|d| d.as_secs().max(0).to_string())
                .unwrap_or_default(),
        ),
        ("PLIVO_DASH_EVENT", alert.event.as_str().to_owned()),
    ];
    if let Event::Spike(found) = &alert.event {
        let top = found.top();
        let named = |value: &Option<String>| value.clone().unwrap_or_default();
        env.extend([
            ("PLIVO_DASH_SPIKE", found.rule().to_owned()),
            ("PLIVO_DASH_SPEND", found.amount().normalize().to_string()),
            ("PLIVO_DASH_TOP_COUNTRY", named(&top.country)),
            ("PLIVO_DASH_TOP_SUBACCOUNT", named(&top.subaccount)),
            ("PLIVO_DASH_TOP_NUMBER", named(&top.number)),
        ]);
    }
    env
}

/// Why an `on_alert` command failed, said with the profile it was for.
#[derive(Debug, thiserror::Error)]
#[error("on_alert for {profile}: {why}")]
pub(crate) struct CommandFailed {
    /// The profile the alert was for.
    pub profile: String,
    /// What went wrong.
    pub why: Why,
}

/// What went wrong with an `on_alert` command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Why {
    /// The shell could not be started.
    #[error("cannot start: {0}")]
    Start(std::io::Error),
    /// It ran past its time limit and was stopped, with all it started.
    #[error("still running after {} s, stopped", .0.as_secs_f32())]
    Stopped(Duration),
    /// Waiting for it failed.
    #[error("{0}")]
    Wait(std::io::Error),
    /// It ended unsuccessfully: its code (none if killed) and the first
    /// line it said on stderr, made safe.
    #[error("{}", ended(*code, said))]
    Ended {
        /// Its exit code, if it exited.
        code: Option<i32>,
        /// The first line it said, at most 160 characters.
        said: String,
    },
}

/// "exited 4: what it said", or "was killed" when a signal ended it.
fn ended(code: Option<i32>, said: &str) -> String {
    let code = code.map_or_else(|| "was killed".to_owned(), |c| format!("exited {c}"));
    if said.is_empty() {
        code
    } else {
        format!("{code}: {said}")
    }
}

/// Runs `command` through the shell (it is the user's own text, from the
/// config file) with the alert in its environment and without the token
/// variable; stops it, and all it started, after `limit`
/// ([`COMMAND_TIMEOUT`] in the dashboard). Says why it failed.
pub(crate) async fn run_command(
    command: &str,
    alert: &Alert,
    limit: Duration,
) -> Result<(), CommandFailed> {
    let mut shell = shell(command);
    shell
        .envs(environment(alert))
        .env_remove(crate::config::ENV_AUTH_TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let failed = |why| CommandFailed {
        profile: alert.profile.clone(),
        why,
    };
    let mut child = shell.spawn().map_err(|e| failed(Why::Start(e)))?;
    // Killing the shell alone would leave what it started running (a
    // `sleep` past the time limit, or past the dashboard's end): the guard
    // stops the whole group unless the command finished by itself.
    let mut group = Group::of(&child);
    let mut stderr = child.stderr.take();
    let waited = tokio::time::timeout(limit, async {
        let mut said = Vec::new();
        if let Some(stderr) = &mut stderr {
            // At most a line's worth is shown; the rest is read and dropped
            // so the command never blocks on a full pipe.
            let _ = stderr.read_to_end(&mut said).await;
        }
        (child.wait().await, said)
    })
    .await;
    if waited.is_ok() {
        group.release();
    }
    drop(group);
    match waited {
        Err(_) => Err(failed(Why::Stopped(limit))),
        Ok((Err(e), _)) => Err(failed(Why::Wait(e))),
        Ok((Ok(status), _)) if status.success() => Ok(()),
        Ok((Ok(status), said)) => {
            let said = String::from_utf8_lossy(&said);
            let first = said.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let first = text::sanitize(first);
            Err(failed(Why::Ended {
                code: status.code(),
                said: first.chars().take(160).collect(),
            }))
        }
    }
}

#[cfg(unix)]
fn shell(command: &str) -> tokio::process::Command {
    let mut shell = tokio::process::Command::new("/bin/sh");
    // A group of its own, so everything it starts can be stopped together.
    shell.arg("-c").arg(command).process_group(0);
    shell
}

/// A command's process group, killed when dropped unless released.
struct Group(Option<i32>);

impl Group {
    fn of(child: &tokio::process::Child) -> Self {
        Self(child.id().and_then(|id| i32::try_from(id).ok()))
    }

    /// It ended by itself: what it left running in the background is its
    /// own business.
    fn release(&mut self) {
        self.0 = None;
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(pid) = self.0.and_then(rustix::process::Pid::from_raw) {
            let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
        }
    }
}

#[cfg(not(unix))]
fn shell(command: &str) -> tokio::process::Command {
    let mut shell = tokio::process::Command::new("cmd");
    shell.arg("/C").arg(command);
    shell
}

/// The desktop notification as terminals take it: OSC 777 (kitty, foot,
/// WezTerm, urxvt, VTE) and OSC 9 (iTerm2, WezTerm, Windows Terminal);
/// a terminal that knows neither ignores both. Ended with ST, never BEL.
pub fn notification(alert: &Alert) -> String {
    let title = format!("plivo-dash: {}", alert.profile);
    let body = match &alert.event {
        Event::Crossed(Crossing::Below) => format!(
            "balance {} USD is below {} USD{}",
            alert.balance.normalize(),
            alert.threshold.normalize(),
            alert
                .runway
                .map(|d| format!(", {} left at this rate", crate::monitor::human(d)))
                .unwrap_or_default()
        ),
        Event::Crossed(Crossing::Recovered) => format!(
            "balance {} USD is back above {} USD",
            alert.balance.normalize(),
            alert.threshold.normalize()
        ),
        Event::Spike(found) => found.text(),
    };
    // ';' separates OSC 777's fields; control characters would end the
    // sequence early. The profile (and a spike's subaccount name, made
    // safe to draw) is the only text not made here.
    let clean = |s: &str| {
        text::sanitize(s)
            .chars()
            .filter(|c| *c != ';' && !c.is_control())
            .collect::<String>()
    };
    let (title, body) = (clean(&title), clean(&body));
    format!("\x1b]777;notify;{title};{body}\x1b\\\x1b]9;{title}: {body}\x1b\\")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn alert() -> Alert {
        Alert {
            profile: "prod;\x07evil".into(),
            auth_id: "MA2025RK4E639VJFZAGV".into(),
            balance: dec!(1.50000),
            threshold: dec!(2),
            runway: Some(jiff::SignedDuration::from_mins(90)),
            event: Event::Crossed(Crossing::Below),
            command: None,
            notify: true,
        }
    }

    #[test]
    fn the_environment_says_everything_in_plain_values() {
        let env = environment(&alert());
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PLIVO_DASH_BALANCE"), Some("1.5"));
        assert_eq!(get("PLIVO_DASH_THRESHOLD"), Some("2"));
        assert_eq!(get("PLIVO_DASH_RUNWAY_SECONDS"), Some("5400"));
        assert_eq!(get("PLIVO_DASH_EVENT"), Some("below"));
        assert_eq!(get("PLIVO_DASH_AUTH_ID"), Some("MA2025RK4E639VJFZAGV"));
    }

    fn spike() -> Alert {
        use crate::usage::spike::{Spike, Top};
        use crate::worker::usage::Found;
        Alert {
            threshold: dec!(1),
            event: Event::Spike(Box::new(Found {
                spike: Spike::NewDestination {
                    country: "LV".into(),
                    amount: dec!(3.05000),
                    top: Top {
                        country: Some("LV".into()),
                        subaccount: Some("SA2025MARKETING00001".into()),
                        number: Some("14155550123".into()),
                    },
                },
                threshold: dec!(1),
                subaccount_name: Some(crate::text::SafeText::new("Marketing;\x1b]0;x\x07")),
                top_new: true,
                days_before: crate::usage::spike::LOOKBACK_DAYS,
            })),
            ..alert()
        }
    }

    #[test]
    fn a_spike_says_its_amounts_and_top_contributors() {
        let env = environment(&spike());
        let get = |k: &str| env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("PLIVO_DASH_EVENT"), Some("spike"));
        assert_eq!(get("PLIVO_DASH_SPIKE"), Some("new-destination"));
        assert_eq!(get("PLIVO_DASH_SPEND"), Some("3.05"));
        assert_eq!(get("PLIVO_DASH_THRESHOLD"), Some("1"));
        assert_eq!(get("PLIVO_DASH_TOP_COUNTRY"), Some("LV"));
        assert_eq!(
            get("PLIVO_DASH_TOP_SUBACCOUNT"),
            Some("SA2025MARKETING00001")
        );
        assert_eq!(get("PLIVO_DASH_TOP_NUMBER"), Some("14155550123"));
        assert_eq!(
            get("PLIVO_DASH_BALANCE"),
            Some("1.5"),
            "the balance last fetched"
        );
        // The subaccount's name is the server's text: never in the
        // environment, and defused in the notification.
        assert!(env.iter().all(|(_, v)| !v.contains("Marketing")));
        let balance = environment(&alert());
        assert!(
            balance
                .iter()
                .all(|(k, _)| !k.starts_with("PLIVO_DASH_TOP_")),
            "a balance alert names no contributor"
        );
        let osc = notification(&spike());
        assert!(osc.contains("New destination: 3.05 USD to LV"), "{osc}");
        assert!(osc.contains("from subaccount Marketing"), "{osc}");
        assert!(osc.contains("via +14155550123"), "{osc}");
        assert_eq!(osc.matches('\x1b').count(), 4, "{osc:?}");
        assert!(!osc.contains('\x07'));
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_command_past_its_time_is_stopped_with_all_it_started() {
        let dir = tempfile::tempdir().unwrap();
        let pid_file = dir.path().join("pid");
        let command = format!("sleep 30 & echo $! > '{}'; wait", pid_file.display());
        let error = run_command(&command, &alert(), Duration::from_millis(300))
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("still running after 0.3 s, stopped"),
            "{error}"
        );
        let pid = std::fs::read_to_string(&pid_file).unwrap();
        let stat = format!("/proc/{}/stat", pid.trim());
        // Gone, or dead and waiting for init to reap it.
        let gone = || std::fs::read_to_string(&stat).map_or(true, |s| s.contains(") Z "));
        for _ in 0..50 {
            if gone() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(gone(), "the sleep it started was stopped too");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_failing_command_says_its_code_and_first_words() {
        let error = run_command(
            "echo; echo 'no such hook' >&2; exit 4",
            &alert(),
            COMMAND_TIMEOUT,
        )
        .await
        .unwrap_err()
        .to_string();
        assert_eq!(error, "on_alert for prod;\u{7}evil: exited 4: no such hook");
        let env = run_command(
            "test \"$PLIVO_DASH_EVENT\" = below && test -z \"$PLIVO_AUTH_TOKEN\"",
            &alert(),
            COMMAND_TIMEOUT,
        )
        .await;
        assert!(env.is_ok(), "{env:?}");
    }

    #[test]
    fn a_notification_cannot_be_broken_out_of() {
        let osc = notification(&alert());
        assert!(osc.starts_with("\x1b]777;notify;plivo-dash: prod␇evil;balance 1.5 USD"));
        assert!(osc.contains("1 h 30 min left at this rate"));
        // Two sequences, each ended by ST, and nothing else escapes.
        assert_eq!(osc.matches("\x1b\\").count(), 2);
        assert_eq!(osc.matches('\x1b').count(), 4);
        assert!(!osc.contains('\x07'));
    }
}
