//! The official Python SDK, unchanged, against the sandbox: what a user of
//! Plivo's own tooling would run. `.ci/run` installs it in a virtualenv and
//! names its python in `PLIVO_DASH_PYTHON`; without it the test says
//! "skipped" aloud.

use crate::support;

use plivo_dash::sandbox::Options;
use support::{TOKEN, TestSandbox};

const SCRIPT: &str = r#"
import os, plivo
for name in ("PLIVO_API_BASE_URI", "API_VOICE_BASE_URI",
             "API_VOICE_BASE_URI_FALLBACK_1", "API_VOICE_BASE_URI_FALLBACK_2"):
    # Calls go to Plivo's voice host; here everything is the sandbox.
    setattr(plivo.rest.client, name, os.environ["PLIVO_API_URL"] + "/v1/Account")
c = plivo.RestClient(os.environ["PLIVO_AUTH_ID"], os.environ["PLIVO_AUTH_TOKEN"])
r = c.subaccounts.create("From Python", enabled=True)
assert r.message == "created", r
g = c.subaccounts.get(r.auth_id)
assert (g.name, g.enabled) == ("From Python", True), g
page = c.subaccounts.list(limit=2, offset=0)
assert [s.name for s in page][0] == "From Python", page
c.subaccounts.update(r.auth_id, "Renamed in Python")
g = c.subaccounts.get(r.auth_id)
# The SDK sends enabled=False unless told otherwise: a rename disables.
assert (g.name, g.enabled) == ("Renamed in Python", False), g
c.subaccounts.delete(r.auth_id, cascade=True)

# The usage records: calls, messages and numbers, listed and fetched.
calls = c.calls.list(limit=20)
assert len(calls) == 20, calls
assert all(float(x.total_amount) >= 0 for x in calls), calls
times = [x.end_time for x in calls]
assert times == sorted(times, reverse=True), times
one = c.calls.get(calls[0].call_uuid)
assert one.total_amount == calls[0].total_amount, one
later = c.calls.list(limit=20, offset=20)
assert not {x.call_uuid for x in calls} & {x.call_uuid for x in later}
messages = c.messages.list(limit=5, message_direction="outbound")
assert len(messages) == 5 and all(m.message_direction == "outbound" for m in messages), messages
m = c.messages.get(messages[0].message_uuid)
assert m.total_amount == messages[0].total_amount, m
numbers = c.numbers.list(limit=20)
assert len(numbers) >= 5, numbers
n = c.numbers.get(numbers[0].number)
assert n.monthly_rental_rate == numbers[0].monthly_rental_rate, n
sub = next(x.sub_account for x in numbers if x.sub_account)
theirs = c.calls.list(subaccount=sub, limit=20)
assert 0 < len(theirs) <= 20, theirs
try:
    c.calls.list(limit=21)
    raise SystemExit("a page of 21 was not refused")
except plivo.exceptions.PlivoRestError:
    pass
print("ok", r.auth_id)
"#;

#[test]
fn the_official_python_sdk_works_against_the_sandbox() {
    let Some(python) = std::env::var_os("PLIVO_DASH_PYTHON") else {
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: PLIVO_DASH_PYTHON names no python with the plivo SDK (.ci/run sets it up)"
        );
        return;
    };
    let sandbox = TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        subaccounts: 3,
        traffic_days: 2,
        ..Options::default()
    });
    let output = std::process::Command::new(python)
        .arg("-c")
        .arg(SCRIPT)
        .envs(sandbox.env())
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    let id = stdout
        .trim()
        .strip_prefix("ok ")
        .expect("the script's last word");
    assert!(
        !sandbox.handle.subaccounts().iter().any(|s| s.0 == id),
        "deleted through the SDK"
    );
    assert_eq!(sandbox.handle.subaccounts().len(), 3);
}
