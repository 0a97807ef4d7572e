//! Attribution and country on the official SDKs' own records: their Number
//! lists indexed, their calls and messages attributed and placed.
//!
//! The fixtures live in `../shared/fixtures/plivo-sdk/` (beside the repo, and
//! in CI), or where `PLIVO_SDK_FIXTURES` says; where they are absent each
//! test says so and checks nothing.

use std::path::PathBuf;

use plivo_dash::plivo::{Call, Message, Number, RecordPage};
use plivo_dash::store::{Kind, product};
use plivo_dash::usage::attribute::{Attribution, Basis, Countries, Numbers, Owner, Route, Source};
use serde::de::DeserializeOwned;

/// The fixtures holding calls.
const CALLS: [&str; 4] = [
    "python__callListResponse.json",
    "go__callListResponse.json",
    "python__callGetResponse.json",
    "go__callGetResponse.json",
];

/// The fixtures holding messages.
const MESSAGES: [&str; 4] = [
    "python__messageListResponse.json",
    "go__messageListResponse.json",
    "python__messageGetResponse.json",
    "go__messageGetResponse.json",
];

fn fixture_dir() -> PathBuf {
    std::env::var_os("PLIVO_SDK_FIXTURES").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/plivo-sdk"),
        PathBuf::from,
    )
}

/// The records of one fixture, a list's objects or a single record; `None`
/// (said on stderr, which the harness does not capture) when it is absent.
fn records<R: DeserializeOwned>(name: &str) -> Option<Vec<R>> {
    let path = fixture_dir().join(name);
    let Ok(text) = std::fs::read_to_string(&path) else {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: SDK fixture not found at {}",
            path.display()
        );
        return None;
    };
    Some(if name.contains("List") {
        serde_json::from_str::<RecordPage<R>>(&text)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .objects
    } else {
        vec![serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))]
    })
}

#[test]
fn each_sdks_numbers_are_indexed_by_their_sub_account() {
    for name in [
        "python__numberListResponse.json",
        "go__numberListResponse.json",
        "python__numberGetResponse.json",
        "go__numberGetResponse.json",
    ] {
        let Some(numbers) = records::<Number>(name) else {
            continue;
        };
        let index: Numbers = numbers.iter().collect();
        assert_eq!(index.len(), numbers.len(), "{name}: every number indexed");
        for number in &numbers {
            let expected = match &number.sub_account {
                None => Owner::Main,
                Some(id) => Owner::Subaccount(id.as_str().into()),
            };
            let digits = number.number.as_str();
            assert_eq!(index.owner_of(digits), Some(&expected), "{name}: {digits}");
            let plussed = format!("+{digits}");
            assert_eq!(index.owner_of(&plussed), Some(&expected), "{name}");
        }
    }
    // The Go SDK's list gives its first number to a subaccount.
    if let Some(go) = records::<Number>("go__numberListResponse.json") {
        let index: Numbers = go.iter().collect();
        assert_eq!(
            index.owner_of("18135401302"),
            Some(&Owner::Subaccount("SAXXXXXXXXXXXXXXXXXX".into()))
        );
        assert_eq!(index.owner_of("14153661106"), Some(&Owner::Main));
    }
}

#[test]
fn the_sdks_calls_go_by_their_caller_written_with_a_plus() {
    let Some(numbers) = records::<Number>("go__numberListResponse.json") else {
        return;
    };
    let listed: Numbers = numbers.iter().collect();
    for name in CALLS {
        let Some(calls) = records::<Call>(name) else {
            continue;
        };
        for call in &calls {
            let route = Route::from(call);
            // The fixtures' callers ("+14158572518") are none of the listed
            // numbers: nothing says whose these calls are.
            assert_eq!(
                listed.attribute(route, &Source::Account),
                Attribution::Unattributed,
                "{name}"
            );
            // Read from a subaccount's list, the list says.
            let queried = Source::Subaccount("SAQUERIEDXXXXXXXXXXX".into());
            assert_eq!(
                listed.attribute(route, &queried),
                Attribution::Known {
                    owner: Owner::Subaccount("SAQUERIEDXXXXXXXXXXX".into()),
                    by: Basis::ByQuery
                },
                "{name}"
            );
            // Rent the caller, written as the Number list writes numbers (no
            // "+"), to a subaccount: the call, whose caller has a "+", is its.
            let caller = call.from_number.as_str().trim_start_matches('+');
            let mut rented = numbers.clone();
            rented.push(
                serde_json::from_value(serde_json::json!({
                    "number": caller,
                    "monthly_rental_rate": "0.80000",
                    "sub_account": "SARENTEDXXXXXXXXXXXX",
                }))
                .expect("a number"),
            );
            let rented: Numbers = rented.iter().collect();
            assert_eq!(
                rented.attribute(route, &Source::Account),
                Attribution::Known {
                    owner: Owner::Subaccount("SARENTEDXXXXXXXXXXXX".into()),
                    by: Basis::ByNumber
                },
                "{name}: {caller}"
            );
        }
    }
}

#[test]
fn the_sdks_records_are_placed_in_their_destinations_country() {
    // Every destination in the fixtures, and where libphonenumber puts it.
    let expected = |to: &str| match to {
        "14153268174" => "US",
        "919999999999" | "911231231231" | "919876543210" => "IN",
        other => panic!("a destination this test does not know: {other}"),
    };
    for name in CALLS {
        for call in records::<Call>(name).unwrap_or_default() {
            let to = call.to_number.as_str();
            assert_eq!(
                Countries::default()
                    .of_call(&call)
                    .map(|c| c.to_string())
                    .as_deref(),
                Some(expected(to)),
                "{name}: {to}"
            );
        }
    }
    for name in MESSAGES {
        for message in records::<Message>(name).unwrap_or_default() {
            // The fixtures leave destination_country_iso2 out: the recipient
            // says it.
            let to = message.to_number.as_str();
            assert_eq!(
                Countries::default()
                    .of_message(&message)
                    .map(|c| c.to_string())
                    .as_deref(),
                Some(expected(to)),
                "{name}: {to}"
            );
        }
    }
}

#[test]
fn the_sdks_records_are_of_designs_products() {
    // Every record in the fixtures is outbound; their messages are SMS.
    for name in CALLS {
        for call in records::<Call>(name).unwrap_or_default() {
            assert_eq!(
                product(Kind::Call, call.call_direction.as_str(), None).as_deref(),
                Some("voice-outbound"),
                "{name}"
            );
        }
    }
    for name in MESSAGES {
        for m in records::<Message>(name).unwrap_or_default() {
            assert_eq!(
                product(
                    Kind::Message,
                    m.message_direction.as_str(),
                    Some(m.message_type.as_str())
                )
                .as_deref(),
                Some("sms-outbound"),
                "{name}"
            );
        }
    }
}
