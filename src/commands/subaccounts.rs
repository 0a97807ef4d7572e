//! `subaccounts list|get|create|update|delete`. Each returns what to print;
//! tokens only with `--show-token(s)`. `delete` asks for the subaccount's
//! name on a terminal and refuses without one unless `--yes`.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use secrecy::ExposeSecret as _;

use super::{Failure, Printed};
use crate::cli::SubaccountsCommand;
use crate::plivo::{ApiError, Client, PAGE_LIMIT, Subaccount, SubaccountChange};
use crate::text::sanitize;

/// Runs one `subaccounts` command; the text to print.
pub async fn run(client: &Client, command: SubaccountsCommand) -> Result<Printed, Failure> {
    match command {
        SubaccountsCommand::List {
            all,
            json,
            limit,
            offset,
            show_tokens,
            ..
        } => {
            let (limit, offset) = (limit.unwrap_or(PAGE_LIMIT), offset.unwrap_or(0));
            list(client, all, json, limit, offset, show_tokens)
                .await
                .map(Printed::from)
        }
        SubaccountsCommand::Get {
            sub_id,
            json,
            show_token,
            ..
        } => {
            let sub = client
                .get_subaccount(&sub_id)
                .await
                .map_err(|e| no_such(e, &sub_id))?;
            Ok(Printed::from(if json {
                pretty(&sub.to_json(show_token))?
            } else {
                details(&sub, show_token)
            }))
        }
        SubaccountsCommand::Create {
            name,
            enabled,
            show_token,
            ..
        } => {
            let name = plain(client, &name, "NAME")?;
            let created = client
                .create_subaccount(&SubaccountChange {
                    name: name.clone(),
                    enabled,
                })
                .await?;
            // The id alone on stdout, for scripts: `id=$(plivo-dash subaccounts create x)`.
            let mut out = format!("{}\n", sanitize(&created.auth_id));
            if show_token {
                out.push_str(&format!("{}\n", created.auth_token.expose_secret()));
            }
            let done = format!(
                "created subaccount {} (\"{}\")",
                sanitize(&created.auth_id),
                sanitize(&name)
            );
            Ok(Printed::done(out, done))
        }
        SubaccountsCommand::Update {
            sub_id,
            name,
            enable,
            disable,
            ..
        } => update(client, &sub_id, name, enable, disable).await,
        SubaccountsCommand::Delete {
            sub_id,
            cascade,
            yes,
            ..
        } => delete(client, &sub_id, cascade, yes).await,
    }
}

async fn list(
    client: &Client,
    all: bool,
    json: bool,
    limit: u32,
    offset: u32,
    show_tokens: bool,
) -> Result<String, Failure> {
    let (subs, total) = if all {
        let listed = client.all_subaccounts(|_| {}).await?;
        if let Some(disagreement) = listed.disagreement {
            // The rows that did arrive are still the output; the exit code
            // and one line on stderr say they are not what was promised.
            let shown = list_text(
                &listed.objects,
                json,
                show_tokens,
                listed.objects.len(),
                true,
                0,
            )?;
            super::print_out(&shown);
            return Err(Failure::Disagreed(disagreement));
        }
        let total = listed.objects.len();
        (listed.objects, total)
    } else {
        let page = client
            .list_subaccounts(limit.clamp(1, PAGE_LIMIT), offset)
            .await?;
        let total = usize::try_from(page.meta.total_count).unwrap_or(usize::MAX);
        (page.objects, total)
    };
    list_text(&subs, json, show_tokens, total, all, offset)
}

/// What `list` prints: a JSON array, or the table and how much of the list
/// it is.
fn list_text(
    subs: &[Subaccount],
    json: bool,
    show_tokens: bool,
    total: usize,
    all: bool,
    offset: u32,
) -> Result<String, Failure> {
    if json {
        let objects: Vec<serde_json::Value> = subs.iter().map(|s| s.to_json(show_tokens)).collect();
        return pretty(&serde_json::Value::Array(objects));
    }
    if subs.is_empty() && total > 0 {
        return Ok(format!(
            "No subaccounts from offset {offset}: there are {total}.\n"
        ));
    }
    let mut out = table(subs);
    if !all && subs.len() < total {
        let first = usize::try_from(offset).unwrap_or(0);
        out.push_str(&format!(
            "{} to {} of {total}; --all lists every one\n",
            (first + 1).min(total),
            first + subs.len()
        ));
    } else {
        out.push_str(&format!(
            "{total} subaccount{}\n",
            if total == 1 { "" } else { "s" }
        ));
    }
    Ok(out)
}

/// The list as a table: auth id, name, enabled, created.
fn table(subs: &[Subaccount]) -> String {
    let names: Vec<String> = subs.iter().map(|s| sanitize(&s.name)).collect();
    let width = names
        .iter()
        .map(|n| unicode_width::UnicodeWidthStr::width(n.as_str()))
        .max()
        .unwrap_or(0)
        .clamp(4, 40);
    let mut out = format!(
        "{:<20}  {:<width$}  {:<7}  CREATED\n",
        "AUTH ID", "NAME", "ENABLED"
    );
    for (sub, name) in subs.iter().zip(&names) {
        let shown = crate::ui::clip(name, width);
        let pad = width.saturating_sub(unicode_width::UnicodeWidthStr::width(shown.as_str()));
        out.push_str(&format!(
            "{:<20}  {shown}{}  {:<7}  {}\n",
            sanitize(&sub.auth_id),
            " ".repeat(pad),
            if sub.enabled { "yes" } else { "no" },
            sanitize(&sub.created),
        ));
    }
    out
}

fn details(sub: &Subaccount, show_token: bool) -> String {
    let token = if show_token {
        sub.auth_token.expose_secret().to_owned()
    } else {
        "(hidden; --show-token prints it)".to_owned()
    };
    let rows = [
        ("Name", sanitize(&sub.name)),
        ("Auth ID", sanitize(&sub.auth_id)),
        ("Enabled", if sub.enabled { "yes" } else { "no" }.to_owned()),
        ("Created", sanitize(&sub.created)),
        (
            "Modified",
            sub.modified
                .as_deref()
                .map_or_else(|| "—".to_owned(), sanitize),
        ),
        ("Account", sanitize(&sub.account)),
        ("Resource URI", sanitize(&sub.resource_uri)),
        ("Auth token", token),
    ];
    rows.iter()
        .map(|(label, value)| format!("{label:<14}{value}\n"))
        .collect()
}

/// Renames, enables or disables; what is not given stays as it is (the API
/// wants the name every time, and an SDK left alone sends "disabled").
async fn update(
    client: &Client,
    sub_id: &str,
    name: Option<String>,
    enable: bool,
    disable: bool,
) -> Result<Printed, Failure> {
    let name = name.map(|n| plain(client, &n, "--name")).transpose()?;
    if name.is_none() && !enable && !disable {
        return Err(Failure::Usage(
            "nothing to update: give --name, --enable or --disable".to_owned(),
        ));
    }
    let before = client
        .get_subaccount(sub_id)
        .await
        .map_err(|e| no_such(e, sub_id))?;
    let change = SubaccountChange {
        name: name.unwrap_or_else(|| before.name.clone()),
        enabled: if enable {
            true
        } else if disable {
            false
        } else {
            before.enabled
        },
    };
    client.update_subaccount(sub_id, &change).await?;
    let state = |on: bool| if on { "enabled" } else { "disabled" };
    let mut out = format!("Updated {}:\n", sanitize(&before.auth_id));
    if change.name != before.name {
        out.push_str(&format!(
            "  name     \"{}\" → \"{}\"\n",
            sanitize(&before.name),
            sanitize(&change.name)
        ));
    }
    if change.enabled != before.enabled {
        out.push_str(&format!(
            "  enabled  {} → {}\n",
            state(before.enabled),
            state(change.enabled)
        ));
    }
    if change.name == before.name && change.enabled == before.enabled {
        out.push_str("  nothing changed\n");
    }
    let done = format!("updated subaccount {}", sanitize(&before.auth_id));
    Ok(Printed::done(out, done))
}

async fn delete(
    client: &Client,
    sub_id: &str,
    cascade: bool,
    yes: bool,
) -> Result<Printed, Failure> {
    let sub = client
        .get_subaccount(sub_id)
        .await
        .map_err(|e| no_such(e, sub_id))?;
    let name = sanitize(&sub.name);
    let fate = if cascade {
        "its numbers, endpoints and applications are deleted with it"
    } else {
        "its numbers, endpoints and applications move to the main account"
    };
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Failure::Usage(format!(
                "not deleting {} without a terminal to confirm on; add --yes to delete it",
                sanitize(&sub.auth_id)
            )));
        }
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "Delete subaccount \"{name}\" ({})? {fate}.\nType its name to confirm: ",
            sanitize(&sub.auth_id)
        );
        let _ = err.flush();
        let mut typed = String::new();
        let read = std::io::stdin()
            .lock()
            .read_line(&mut typed)
            .map_err(|e| Failure::Usage(format!("cannot read the confirmation: {e}")))?;
        if read == 0 {
            // End of input (Ctrl-D): end the prompt's line before saying so.
            let _ = writeln!(err);
        }
        if !crate::text::names_match(&typed, &sub.name) {
            return Err(Failure::Usage(
                "not deleted: the name typed does not match".to_owned(),
            ));
        }
    }
    client.delete_subaccount(sub_id, cascade).await?;
    let id = sanitize(&sub.auth_id);
    Ok(Printed::done(
        format!("Deleted {id} (\"{name}\"); {fate}.\n"),
        format!("deleted subaccount {id} (\"{name}\")"),
    ))
}

/// A subaccount's name as given on the command line, trimmed, by the rule
/// the subaccounts screen keeps too; never one holding the token.
fn plain(client: &Client, value: &str, what: &str) -> Result<String, Failure> {
    if client.holds_token(value) {
        return Err(super::update::token_given(what));
    }
    match crate::plivo::name_problem(value) {
        Some(problem) => Err(Failure::Usage(format!("{what} is {problem}"))),
        None => Ok(value.trim().to_owned()),
    }
}

/// A 404 for a subaccount: the account answered, so the id names none of
/// its subaccounts (not a wrong API URL, as a 404 for the account means).
fn no_such(error: ApiError, sub_id: &str) -> Failure {
    match error {
        ApiError::NotFound { .. } => Failure::NoSuch(format!(
            "no such subaccount {}: `plivo-dash subaccounts list --all` shows them (404)",
            sanitize(sub_id.trim())
        )),
        other => Failure::Api(other),
    }
}

fn pretty(value: &serde_json::Value) -> Result<String, Failure> {
    serde_json::to_string_pretty(value)
        .map(|text| text + "\n")
        .map_err(|e| Failure::Usage(format!("cannot encode the answer: {e}")))
}
