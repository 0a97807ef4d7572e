//! `history`: the credit history the dashboard and the exporter keep,
//! printed as a table, CSV or JSON, straight from the store (no request is
//! made). The account's old history file, if it is still there, is moved
//! into the store first, as either of them would.

use jiff::Timestamp;

use super::Failure;
use crate::cli::HistoryArgs;
use crate::config::Settings;
use crate::monitor::{self, Sample};
use crate::plivo::AuthId;
use crate::store::CreditHistory;

/// One account's samples, as asked, with the store they came from.
struct Rows {
    /// The profile, when several are printed.
    profile: Option<String>,
    rows: Vec<(Sample, bool)>,
    path: std::path::PathBuf,
}

/// The samples of the account `settings` name, as asked, with what to say
/// on stderr (the old history file moved in, a damaged store set aside, or
/// a store that cannot be opened while the old file's samples are printed).
pub fn history(
    settings: &Settings,
    args: &HistoryArgs,
    now: Timestamp,
) -> Result<(String, Vec<String>), Failure> {
    let (rows, said) = read(settings, args, now, None)?;
    Ok((render(&[rows], args, args.since.is_some())?, said))
}

/// Every profile's samples (`--all-profiles`), with a profile column; a
/// profile whose history cannot be read is said, not fatal.
pub fn history_all(
    all: &[(String, Settings)],
    args: &HistoryArgs,
    now: Timestamp,
) -> Result<(String, Vec<String>), Failure> {
    let mut sets = Vec::new();
    let mut warnings = Vec::new();
    for (name, settings) in all {
        match read(settings, args, now, Some(name)) {
            Ok((rows, said)) => {
                sets.push(rows);
                warnings.extend(said);
            }
            Err(e) => warnings.push(format!("{}: {e}", crate::text::sanitize(name))),
        }
    }
    Ok((render(&sets, args, args.since.is_some())?, warnings))
}

fn read(
    settings: &Settings,
    args: &HistoryArgs,
    now: Timestamp,
    profile: Option<&str>,
) -> Result<(Rows, Vec<String>), Failure> {
    let auth_id = AuthId::parse(&settings.credentials()?.auth_id)?;
    let Some(dir) = &settings.state_dir else {
        return Err(Failure::Usage(
            "this system has no state directory to keep a history in".to_owned(),
        ));
    };
    let history = CreditHistory::new(dir, &auth_id, settings.retention);
    let (samples, said) = match history.open(now) {
        Ok(kept) => (
            kept.samples,
            kept.moved.into_iter().chain(kept.warning).collect(),
        ),
        Err(e) => match history.unmoved(now) {
            // Not moved yet, since the store cannot be made: the old file
            // still has the history, so it is printed rather than nothing.
            Some((samples, problem)) => {
                let why = format!("{e}; these samples are the old history file's, not yet moved");
                (samples, std::iter::once(why).chain(problem).collect())
            }
            None => return Err(e.into()),
        },
    };
    let since = args.since.map(|d| now - d);
    let rows: Vec<(Sample, bool)> = samples
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                *s,
                i > 0 && monitor::is_top_up(samples[i - 1].credits, s.credits),
            )
        })
        .filter(|(s, _)| since.is_none_or(|from| s.at >= from))
        .collect();
    let rows = Rows {
        profile: profile.map(crate::text::sanitize),
        rows,
        path: history.store_path(),
    };
    Ok((rows, said))
}

fn render(sets: &[Rows], args: &HistoryArgs, filtered: bool) -> Result<String, Failure> {
    let several = sets.iter().any(|s| s.profile.is_some());
    let all = || {
        sets.iter()
            .flat_map(|set| set.rows.iter().map(move |r| (set.profile.as_deref(), r)))
    };
    Ok(if args.json {
        let objects: Vec<serde_json::Value> = all()
            .map(|(profile, (s, top_up))| {
                let mut o = serde_json::json!({
                    "time": s.at.to_string(),
                    "credits": s.credits.to_string(),
                    "top_up": top_up,
                });
                if let Some(profile) = profile {
                    o["profile"] = serde_json::Value::from(profile);
                }
                o
            })
            .collect();
        serde_json::to_string_pretty(&objects)
            .map(|t| t + "\n")
            .map_err(|e| Failure::Usage(format!("cannot encode the history: {e}")))?
    } else if args.csv {
        let mut out = String::from(if several {
            "profile,time,credits,top_up\n"
        } else {
            "time,credits,top_up\n"
        });
        for (profile, (s, top_up)) in all() {
            if let Some(profile) = profile {
                out.push_str(&csv_field(profile));
                out.push(',');
            }
            out.push_str(&format!("{},{},{top_up}\n", csv_time(s.at), s.credits));
        }
        out
    } else {
        table(sets, filtered)
    })
}

/// A sample's time in a CSV: RFC 3339 in UTC to the millisecond, always
/// three digits, so every row has the same shape for a spreadsheet to read
/// (a poll's time means nothing finer).
fn csv_time(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
pub(super) fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn table(sets: &[Rows], filtered: bool) -> String {
    let several = sets.iter().any(|s| s.profile.is_some());
    if sets.iter().all(|s| s.rows.is_empty()) {
        let mut paths: Vec<String> = sets.iter().map(|s| s.path.display().to_string()).collect();
        // Every profile's history is in the one store: named once.
        paths.dedup();
        return format!(
            "No samples{} in {} yet: the dashboard records them while it runs.\n",
            if filtered { " in that time" } else { "" },
            if paths.is_empty() {
                "the store".to_owned()
            } else {
                paths.join(", ")
            }
        );
    }
    let width = sets
        .iter()
        .filter_map(|s| s.profile.as_deref())
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0)
        .max(7);
    let mut out = String::new();
    if several {
        out.push_str(&format!("{:<width$}  ", "PROFILE"));
    }
    out.push_str(&format!(
        "{:<20}  {:>14}  TOP-UP\n",
        "TIME", "CREDITS (USD)"
    ));
    for set in sets {
        for (s, top_up) in &set.rows {
            // To the second: the dashboard's own samples carry nanoseconds,
            // which would push the column about; CSV and JSON keep them.
            let at = s.at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
            let mut line = String::new();
            if let Some(profile) = &set.profile {
                line.push_str(&format!("{profile:<width$}  "));
            }
            line.push_str(&format!(
                "{at:<20}  {:>14}  {}",
                s.credits.to_string(),
                if *top_up { "▲" } else { "" }
            ));
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}
