//! `history`: the credit history the dashboard keeps, printed as a table,
//! CSV or JSON, straight from the file (no request is made).

use jiff::Timestamp;

use super::Failure;
use crate::cli::HistoryArgs;
use crate::config::Settings;
use crate::monitor::file::HistoryFile;
use crate::monitor::{self, Sample};
use crate::plivo::AuthId;

/// The samples of the account `settings` name, as asked; a damaged file's
/// good samples, with the damage said on stderr by the caller (`Ok` with a
/// warning).
pub fn history(
    settings: &Settings,
    args: &HistoryArgs,
    now: Timestamp,
) -> Result<(String, Option<String>), Failure> {
    let auth_id = AuthId::parse(&settings.credentials()?.auth_id)?;
    let Some(dir) = &settings.state_dir else {
        return Err(Failure::Usage(
            "this system has no state directory to keep a history in".to_owned(),
        ));
    };
    let file = HistoryFile::new(dir, &auth_id).with_retention(settings.retention);
    let (samples, warning) = file.read(now).map_err(Failure::Usage)?;
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
    let text = if args.json {
        let objects: Vec<serde_json::Value> = rows
            .iter()
            .map(|(s, top_up)| {
                serde_json::json!({
                    "time": s.at.to_string(),
                    "credits": s.credits.to_string(),
                    "top_up": top_up,
                })
            })
            .collect();
        serde_json::to_string_pretty(&objects)
            .map(|t| t + "\n")
            .map_err(|e| Failure::Usage(format!("cannot encode the history: {e}")))?
    } else if args.csv {
        let mut out = String::from("time,credits,top_up\n");
        for (s, top_up) in &rows {
            out.push_str(&format!("{},{},{top_up}\n", s.at, s.credits));
        }
        out
    } else {
        table(&rows, file.path(), since.is_some())
    };
    Ok((text, warning))
}

fn table(rows: &[(Sample, bool)], path: &std::path::Path, filtered: bool) -> String {
    if rows.is_empty() {
        return format!(
            "No samples{} in {} yet: the dashboard records them while it runs.\n",
            if filtered { " in that time" } else { "" },
            path.display()
        );
    }
    let mut out = format!("{:<20}  {:>14}  TOP-UP\n", "TIME", "CREDITS (USD)");
    for (s, top_up) in rows {
        // To the second: the dashboard's own samples carry nanoseconds,
        // which would push the column about; CSV and JSON keep them.
        let at = s.at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let line = format!(
            "{at:<20}  {:>14}  {}",
            s.credits.to_string(),
            if *top_up { "▲" } else { "" }
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
