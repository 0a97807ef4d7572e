//! Every response fixture of the six official SDKs parses.
//!
//! The fixtures live in `../shared/fixtures/plivo-sdk/` (beside the repo, and
//! in CI); they are not copied in. Where they are absent the test says so.

use std::path::PathBuf;

use plivo_dash::plivo::{Account, UpdateReply};

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/plivo-sdk")
}

fn fixtures(kinds: &[&str]) -> Option<Vec<(String, String)>> {
    let dir = fixture_dir();
    let entries = std::fs::read_dir(&dir).ok()?;
    let mut found: Vec<(String, String)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let kind = name.split_once("__")?.1.strip_suffix(".json")?.to_owned();
            kinds.contains(&kind.as_str()).then(|| {
                (
                    name,
                    std::fs::read_to_string(e.path()).expect("readable fixture"),
                )
            })
        })
        .collect();
    found.sort();
    Some(found)
}

/// Says so on the terminal even though the harness captures test output
/// (it captures the print macros, not writes to the stderr handle).
fn skipped() {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "skipped: SDK fixtures not found at {}",
        fixture_dir().display()
    );
}

#[test]
fn every_account_fixture_parses() {
    let Some(found) = fixtures(&["accountGetResponse"]) else {
        skipped();
        return;
    };
    assert_eq!(found.len(), 6, "one per SDK: {found:?}");
    for (name, text) in found {
        let account: Account =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let raw: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(
            account.cash_credits.to_string(),
            raw["cash_credits"].as_str().expect("string credits"),
            "{name}: credits keep the API's digits"
        );
        assert_eq!(account.auth_id, raw["auth_id"], "{name}");
        assert_eq!(account.name, raw["name"], "{name}");
        assert_eq!(account.timezone, raw["timezone"], "{name}");
        // What we write back out is the same object.
        let round: serde_json::Value = serde_json::to_value(&account).expect("serialise");
        assert_eq!(round, raw, "{name}: round trip");
    }
}

#[test]
fn every_update_fixture_parses_as_an_update_reply() {
    let Some(found) = fixtures(&["accountModifyResponse", "accountUpdateResponse"]) else {
        skipped();
        return;
    };
    assert_eq!(found.len(), 6, "one per SDK: {found:?}");
    for (name, text) in found {
        let reply: UpdateReply =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(reply.message, "changed", "{name}");
        assert!(reply.api_id.is_some(), "{name}");
    }
}

#[test]
fn every_subaccount_fixture_parses() {
    use plivo_dash::plivo::{Created, Page, Subaccount};
    let Some(gets) = fixtures(&["subaccountGetResponse"]) else {
        skipped();
        return;
    };
    assert_eq!(gets.len(), 6, "one per SDK: {gets:?}");
    for (name, text) in gets {
        let sub: Subaccount = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let raw: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(sub.name, raw["name"], "{name}");
        assert_eq!(sub.auth_id, raw["auth_id"], "{name}");
        assert!(
            !format!("{sub:?}").contains(raw["auth_token"].as_str().expect("token")),
            "{name}: the token stays secret"
        );
    }
    let lists = fixtures(&["subaccountListResponse"]).expect("fixtures");
    assert_eq!(lists.len(), 6, "one per SDK: {lists:?}");
    for (name, text) in lists {
        let page: Page = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let raw: serde_json::Value = serde_json::from_str(&text).expect("json");
        assert_eq!(
            page.objects.len(),
            raw["objects"].as_array().expect("objects").len(),
            "{name}"
        );
        assert_eq!(
            u64::from(page.meta.total_count),
            raw["meta"]["total_count"].as_u64().expect("count"),
            "{name}"
        );
    }
    let created = fixtures(&["subaccountCreateResponse"]).expect("fixtures");
    assert_eq!(created.len(), 6, "one per SDK: {created:?}");
    for (name, text) in created {
        let reply: Created = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(reply.message, "created", "{name}");
    }
    let changed =
        fixtures(&["subaccountModifyResponse", "subaccountUpdateResponse"]).expect("fixtures");
    assert_eq!(changed.len(), 6, "one per SDK: {changed:?}");
    for (name, text) in changed {
        let reply: UpdateReply =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(reply.message, "changed", "{name}");
    }
}

/// Every record fixture of `kind` (both SDKs', list and get) parses: each
/// list's objects all arrive, and each object's amount keeps the API's
/// digits and its time (or date) is read as the instant it names.
fn records<R: plivo_dash::plivo::Record>(
    kind: &str,
    fields: [&str; 2],
    check: fn(&R) -> [String; 2],
) {
    use plivo_dash::plivo::RecordPage;
    let list = format!("{kind}ListResponse");
    let get = format!("{kind}GetResponse");
    let Some(found) = fixtures(&[&list, &get]) else {
        skipped();
        return;
    };
    assert_eq!(found.len(), 4, "python and go, list and get: {found:?}");
    for (name, text) in found {
        let raw: serde_json::Value = serde_json::from_str(&text).expect("json");
        let (objects, raws): (Vec<R>, Vec<serde_json::Value>) = if name.contains("List") {
            let page: RecordPage<R> =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                page.meta.total_count.map(u64::from),
                raw["meta"]["total_count"].as_u64(),
                "{name}: the count, or none where the fixture has none"
            );
            let raws = raw["objects"].as_array().expect("objects").clone();
            (page.objects, raws)
        } else {
            let one: R = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (vec![one], vec![raw])
        };
        assert_eq!(objects.len(), raws.len(), "{name}");
        assert!(!objects.is_empty(), "{name}");
        for (object, raw) in objects.iter().zip(&raws) {
            let [amount, at] = check(object);
            assert_eq!(
                amount,
                raw[fields[0]].as_str().expect("a string amount"),
                "{name}"
            );
            let text = raw[fields[1]].as_str().expect("a time");
            let expected = match text.replace(' ', "T").parse::<jiff::Timestamp>() {
                Ok(instant) => instant.to_string(),
                Err(_) => text.to_owned(),
            };
            assert_eq!(at, expected, "{name}: {}", fields[1]);
        }
    }
}

#[test]
fn every_call_fixture_parses() {
    use plivo_dash::plivo::Call;
    records::<Call>("call", ["total_amount", "end_time"], |c: &Call| {
        [c.total_amount.to_string(), c.end_time.to_string()]
    });
}

#[test]
fn every_message_fixture_parses() {
    use plivo_dash::plivo::Message;
    records::<Message>(
        "message",
        ["total_amount", "message_time"],
        |m: &Message| [m.total_amount.to_string(), m.message_time.to_string()],
    );
}

#[test]
fn every_number_fixture_parses() {
    use plivo_dash::plivo::Number;
    records::<Number>(
        "number",
        ["monthly_rental_rate", "renewal_date"],
        |n: &Number| {
            let renewal = n.renewal_date.map(|d| d.to_string()).unwrap_or_default();
            [n.monthly_rental_rate.to_string(), renewal]
        },
    );
}
