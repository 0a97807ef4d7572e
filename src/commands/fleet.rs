//! `get --all-profiles` and `check --all-profiles`: every profile in the
//! config file, one request each, started [`FILL_GAP`] apart and never
//! more than [`IN_FLIGHT`] at once, as the dashboard's fleet polls.

use std::sync::Arc;

use rust_decimal::Decimal;
use tokio::sync::Semaphore;

use super::check::{CheckOutcome, Status};
use super::{Exit, Failure};
use crate::cli::Global;
use crate::config;
use crate::monitor::schedule::{FILL_GAP, IN_FLIGHT};
use crate::monitor::threshold::{Level, Thresholds};
use crate::plivo::{Account, Http};
use crate::text::sanitize;

/// One profile's answer.
#[derive(Debug)]
pub struct Fetched {
    /// The profile's name, made safe to print.
    pub profile: String,
    /// The account id asked for (empty when the profile names none).
    pub auth_id: String,
    /// The account, or why not.
    pub result: Result<Account, Failure>,
}

/// Every profile's account, by profile name (the top level first).
pub async fn fetch_all(global: &Global, http: &Http) -> Result<Vec<Fetched>, Failure> {
    Ok(fetch_each(http, super::resolve_all(global)?).await)
}

/// The account of each profile already resolved, in their order.
pub(crate) async fn fetch_each(http: &Http, all: Vec<(String, config::Settings)>) -> Vec<Fetched> {
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let start = tokio::time::Instant::now();
    let asks = all.into_iter().enumerate().map(|(i, (name, settings))| {
        let gate = gate.clone();
        async move {
            let profile = sanitize(&name);
            let auth_id = sanitize(settings.auth_id.as_deref().unwrap_or_default());
            let at = start + FILL_GAP * u32::try_from(i).unwrap_or(u32::MAX);
            tokio::time::sleep_until(at).await;
            let result = match super::client_for(http, &settings) {
                Ok(client) => {
                    let _permit = gate.acquire().await;
                    let source = settings
                        .credentials
                        .as_ref()
                        .map(|c| c.token_source.clone())
                        .unwrap_or_default();
                    client
                        .get_account()
                        .await
                        .map_err(|e| Failure::from(e).with_token_source(&source))
                }
                Err(e) => Err(e),
            };
            Fetched {
                profile,
                auth_id,
                result,
            }
        }
    });
    futures_util::future::join_all(asks).await
}

/// The exit code of the first profile that failed, or success.
pub(crate) fn first_failure(fetched: &[Fetched]) -> Exit {
    fetched
        .iter()
        .find_map(|f| f.result.as_ref().err().map(Failure::exit))
        .unwrap_or(Exit::Ok)
}

/// `get --all-profiles`: a line per account (profile, auth id, balance,
/// name, or the error), or with `json` an array of `{profile, account}` /
/// `{profile, error}`. Exits with the first failure's code, after saying
/// every account.
pub fn get_all(fetched: &[Fetched], json: bool) -> (String, Exit) {
    use unicode_width::UnicodeWidthStr as _;
    let exit = first_failure(fetched);
    if json {
        let items: Vec<serde_json::Value> = fetched
            .iter()
            .map(|f| match &f.result {
                Ok(account) => serde_json::json!({ "profile": f.profile, "account": account }),
                Err(e) => serde_json::json!({
                    "profile": f.profile,
                    "auth_id": f.auth_id,
                    "error": e.to_string(),
                }),
            })
            .collect();
        let text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
        return (text + "\n", exit);
    }
    let width = fetched
        .iter()
        .map(|f| f.profile.width())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut out = String::new();
    for f in fetched {
        let id = if f.auth_id.is_empty() {
            "—"
        } else {
            &f.auth_id
        };
        // Padded by the columns a terminal gives it, not by characters:
        // 日本 is four columns, an accent none.
        let profile = format!("{}{}", f.profile, " ".repeat(width - f.profile.width()));
        let line = match &f.result {
            Ok(a) => format!(
                "{profile}  {id:<20}  {:>14} USD  {}",
                a.cash_credits.to_string(),
                sanitize(&a.name)
            ),
            Err(e) => format!("{profile}  {id:<20}  error: {e}"),
        };
        out.push_str(line.trim_end());
        out.push('\n');
    }
    (out, exit)
}

/// `check --all-profiles`: the worst state of all (CRITICAL, then UNKNOWN,
/// then WARNING, as Icinga ranks them), a word on each account that is not
/// OK, and every account in the perfdata (`U` where its balance is not
/// known).
pub fn check_all(fetched: &[Fetched], warning: Decimal, critical: Decimal) -> CheckOutcome {
    let thresholds = match Thresholds::new(warning, critical) {
        Ok(t) => t,
        Err(e) => return super::check::unknown(&e.to_string()),
    };
    if fetched.is_empty() {
        return super::check::unknown("no profiles in the config file");
    }
    let rank = |s: Status| match s {
        Status::Ok => 0,
        Status::Warning => 1,
        Status::Unknown => 2,
        Status::Critical => 3,
    };
    let mut worst = Status::Ok;
    let mut notes = Vec::new();
    let mut perf = Vec::new();
    for f in fetched {
        let label = perf_label(&f.profile);
        let (status, note, value) = match &f.result {
            Ok(a) => {
                let credits = a.cash_credits;
                let (status, note) = match thresholds.level(credits) {
                    Level::Ok => (Status::Ok, None),
                    Level::Warning => (
                        Status::Warning,
                        Some(format!(
                            "{} {} USD < {}",
                            one_line(&f.profile),
                            credits.normalize(),
                            warning.normalize()
                        )),
                    ),
                    Level::Critical => (
                        Status::Critical,
                        Some(format!(
                            "{} {} USD < {}",
                            one_line(&f.profile),
                            credits.normalize(),
                            critical.normalize()
                        )),
                    ),
                };
                (status, note, credits.normalize().to_string())
            }
            Err(e) => (
                Status::Unknown,
                Some(format!(
                    "{}: {}",
                    one_line(&f.profile),
                    one_line(&e.to_string())
                )),
                "U".to_owned(),
            ),
        };
        if rank(status) > rank(worst) {
            worst = status;
        }
        notes.extend(note);
        perf.push(format!(
            "{label}={value};{}:;{}:",
            warning.normalize(),
            critical.normalize()
        ));
    }
    let text = if notes.is_empty() {
        format!("{} accounts OK", fetched.len())
    } else {
        notes.join("; ")
    };
    CheckOutcome {
        status: worst,
        line: format!(
            "PLIVO CREDITS {} - {text} | {}",
            worst.word(),
            perf.join(" ")
        ),
    }
}

/// A perfdata label, as the monitoring-plugins guidelines ask: `=` (which
/// ends a label) and `|` (which starts perfdata) never appear, control
/// characters are made visible, and anything but letters, digits, `_`, `-`
/// and `.` is quoted in single quotes, a quote inside doubled.
fn perf_label(profile: &str) -> String {
    let label = one_line(profile).replace('=', "_");
    if label
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        label
    } else {
        format!("'{}'", label.replace('\'', "''"))
    }
}

/// Text for the plugin's line: one line (perfdata ends at a newline),
/// control characters made visible, and no `|`, which would start the
/// perfdata.
fn one_line(text: &str) -> String {
    crate::text::sanitize(&text.lines().collect::<Vec<_>>().join(" ")).replace('|', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plivo::ApiError;
    use rust_decimal::dec;

    fn ok(profile: &str, credits: Decimal) -> Fetched {
        let mut account = crate::sandbox::demo_account();
        account.cash_credits = credits;
        Fetched {
            profile: profile.into(),
            auth_id: account.auth_id.clone(),
            result: Ok(account),
        }
    }

    #[test]
    fn the_worst_state_wins_and_every_account_is_in_the_perfdata() {
        let failed = Fetched {
            profile: "old one".into(),
            auth_id: "MA2025RK4E639VJFZAGV".into(),
            result: Err(Failure::Api(ApiError::Unauthorized { message: None })),
        };
        let all = [ok("prod", dec!(1.5)), ok("staging", dec!(812)), failed];
        let out = check_all(&all, dec!(5), dec!(2));
        assert_eq!(out.status, Status::Critical);
        assert!(
            out.line.starts_with(
                "PLIVO CREDITS CRITICAL - prod 1.5 USD < 2; old one: authentication failed"
            ),
            "{}",
            out.line
        );
        assert!(
            out.line
                .ends_with("| prod=1.5;5:;2: staging=812;5:;2: 'old one'=U;5:;2:"),
            "{}",
            out.line
        );
        let fine = check_all(&[ok("a", dec!(10)), ok("b", dec!(9))], dec!(5), dec!(2));
        assert_eq!(fine.status, Status::Ok);
        assert_eq!(
            fine.line,
            "PLIVO CREDITS OK - 2 accounts OK | a=10;5:;2: b=9;5:;2:"
        );
        let warn = check_all(&[ok("a", dec!(3)), ok("b", dec!(9))], dec!(5), dec!(2));
        assert_eq!(warn.status, Status::Warning);
    }

    #[test]
    fn lines_line_up_by_the_columns_a_terminal_gives() {
        use unicode_width::UnicodeWidthStr as _;
        let (text, exit) = get_all(
            &[ok("日本語", dec!(1)), ok("e\u{301}t\u{e9}", dec!(2))],
            false,
        );
        assert_eq!(exit, Exit::Ok);
        let starts: Vec<usize> = text
            .lines()
            .map(|l| l[..l.find("MA2025").unwrap()].width())
            .collect();
        // "PROFILE" is seven wide, 日本語 six: the ids start together.
        assert_eq!(starts, [9, 9], "{text}");
    }
}
