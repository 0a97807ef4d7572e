use super::{Failure, Printed};
use crate::cli::UpdateArgs;
use crate::plivo::{AccountUpdate, Client, Field};
use crate::text::sanitize;
use crate::tz;

/// `update`: sends only the fields given, then says what changed.
///
/// The time zone is checked locally first so a typo costs no request. The
/// account is read before the change so the report can show old → new.
pub async fn update(client: &Client, args: UpdateArgs) -> Result<Printed, Failure> {
    let update = to_update(args)?;
    if let Some((field, _)) = update.fields().find(|(_, value)| client.holds_token(value)) {
        return Err(token_given(&format!("--{}", field.key())));
    }
    let before = client.get_account().await?;
    client.update_account(&update).await?;
    let mut out = format!("Updated {}:\n", client.auth_id());
    for (field, new) in update.fields() {
        let old = field.get(&before);
        let line = if old == new {
            format!("  {:<9} unchanged ({})\n", field.key(), quoted(new))
        } else {
            format!("  {:<9} {} → {}\n", field.key(), quoted(old), quoted(new))
        };
        out.push_str(&line);
    }
    let done = format!("updated account {}", client.auth_id());
    Ok(Printed::done(out, done))
}

/// `what` holds the auth token: refused before anything is sent, so the
/// token never lands in the account (where anyone with the console sees
/// it) or in what this command prints.
pub(super) fn token_given(what: &str) -> Failure {
    Failure::Usage(format!(
        "{what} holds the auth token: nothing was sent (a token pasted in the wrong place?)"
    ))
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", sanitize(s))
}

fn to_update(args: UpdateArgs) -> Result<AccountUpdate, Failure> {
    let mut update = AccountUpdate::default();
    for (field, value) in [
        (Field::Name, args.name),
        (Field::Address, args.address),
        (Field::City, args.city),
        (Field::State, args.state),
        (Field::Timezone, args.timezone),
    ] {
        if let Some(value) = value {
            // The form's rule; a zone given but unknown gets suggestions.
            if let Some(problem) = crate::plivo::text_problem(&value).or(field.problem(&value)) {
                return Err(if field == Field::Timezone && !value.trim().is_empty() {
                    unknown_zone(value.trim())
                } else {
                    Failure::Usage(format!("--{} is {problem}", field.key()))
                });
            }
            update.set(field, value.trim());
        }
    }
    if update.is_empty() {
        return Err(Failure::Usage(
            "nothing to update: give at least one of --name, --address, --city, --state, --timezone"
                .to_owned(),
        ));
    }
    Ok(update)
}

/// A time zone that is not an IANA name, with the closest that are.
fn unknown_zone(zone: &str) -> Failure {
    let hint = match tz::suggestions(zone, 3).as_slice() {
        [] => "an IANA name such as Europe/Paris".to_owned(),
        close => format!("did you mean {}?", close.join(", ")),
    };
    Failure::Usage(format!("unknown time zone {}: {hint}", quoted(zone)))
}
