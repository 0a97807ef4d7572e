//! Alerts that reach people beyond the bell: the `on_alert` command and a
//! desktop notification through the terminal. The app decides when (once
//! per crossing, [`crate::app::fleet::Alert`]); this module delivers.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt as _;

use crate::app::fleet::Alert;
use crate::text;

/// How long an `on_alert` command may run before it is killed.
pub const COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// The variables an `on_alert` command gets. Only numbers, the event word,
/// the profile and auth id from the config file: no text from the API, so
/// nothing a server sends can reach a shell.
pub fn environment(alert: &Alert) -> Vec<(&'static str, String)> {
    vec![
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
    ]
}

/// Runs `command` through the shell (it is the user's own text, from the
/// config file) with the alert in its environment and without the token
/// variable; kills it after [`COMMAND_TIMEOUT`]. Says why it failed.
pub async fn run_command(command: &str, alert: &Alert) -> Result<(), String> {
    let mut shell = shell(command);
    shell
        .envs(environment(alert))
        .env_remove(crate::config::ENV_AUTH_TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let failed = |why: String| format!("on_alert for {}: {why}", alert.profile);
    let mut child = shell
        .spawn()
        .map_err(|e| failed(format!("cannot start: {e}")))?;
    let mut stderr = child.stderr.take();
    let waited = tokio::time::timeout(COMMAND_TIMEOUT, async {
        let mut said = Vec::new();
        if let Some(stderr) = &mut stderr {
            // At most a line's worth is shown; the rest is read and dropped
            // so the command never blocks on a full pipe.
            let _ = stderr.read_to_end(&mut said).await;
        }
        (child.wait().await, said)
    })
    .await;
    match waited {
        Err(_) => Err(failed(format!(
            "still running after {} s, stopped",
            COMMAND_TIMEOUT.as_secs()
        ))),
        Ok((Err(e), _)) => Err(failed(e.to_string())),
        Ok((Ok(status), _)) if status.success() => Ok(()),
        Ok((Ok(status), said)) => {
            let said = String::from_utf8_lossy(&said);
            let first = said.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            let first = text::sanitize(first);
            let code = status
                .code()
                .map_or_else(|| "was killed".to_owned(), |c| format!("exited {c}"));
            Err(failed(if first.is_empty() {
                code
            } else {
                format!("{code}: {}", first.chars().take(160).collect::<String>())
            }))
        }
    }
}

#[cfg(unix)]
fn shell(command: &str) -> tokio::process::Command {
    let mut shell = tokio::process::Command::new("/bin/sh");
    shell.arg("-c").arg(command);
    shell
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
    let body = match alert.event {
        crate::monitor::threshold::Crossing::Below => format!(
            "balance {} USD is below {} USD{}",
            alert.balance.normalize(),
            alert.threshold.normalize(),
            alert
                .runway
                .map(|d| format!(", about {} left", crate::monitor::human(d)))
                .unwrap_or_default()
        ),
        crate::monitor::threshold::Crossing::Recovered => format!(
            "balance {} USD is back above {} USD",
            alert.balance.normalize(),
            alert.threshold.normalize()
        ),
    };
    // ';' separates OSC 777's fields; control characters would end the
    // sequence early. The profile is the only text not made here.
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
    use crate::monitor::threshold::Crossing;
    use rust_decimal::dec;

    fn alert() -> Alert {
        Alert {
            profile: "prod;\x07evil".into(),
            auth_id: "MA2025RK4E639VJFZAGV".into(),
            balance: dec!(1.50000),
            threshold: dec!(2),
            runway: Some(jiff::SignedDuration::from_mins(90)),
            event: Crossing::Below,
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

    #[test]
    fn a_notification_cannot_be_broken_out_of() {
        let osc = notification(&alert());
        assert!(osc.starts_with("\x1b]777;notify;plivo-dash: prod␇evil;balance 1.5 USD"));
        assert!(osc.contains("about 1 h 30 min left"));
        // Two sequences, each ended by ST, and nothing else escapes.
        assert_eq!(osc.matches("\x1b\\").count(), 2);
        assert_eq!(osc.matches('\x1b').count(), 4);
        assert!(!osc.contains('\x07'));
    }
}
