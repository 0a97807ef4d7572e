//! The fault matrix: every way a server can answer badly, and what must come
//! of it. Shared by the client-level matrix and the end-to-end one; the table
//! in docs/faults.md lists the same cases by name.

use std::time::Duration;

use super::Canned;

/// A good Account object.
pub const ACCOUNT: &str = r#"{"account_type":"standard","address":"","api_id":"x","auth_id":"MA2025RK4E639VJFZAGV","auto_recharge":false,"billing_mode":"prepaid","cash_credits":"1.80900","city":"","name":"n","resource_uri":"/v1/Account/MA2025RK4E639VJFZAGV/","state":"","timezone":"UTC"}"#;

/// What must come of a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The answer is odd but usable: `get` succeeds with these credits.
    Accepted(&'static str),
    /// `get` exits with this code and its one line holds these words.
    Error(i32, &'static str),
}

/// One case: a name (as in docs/faults.md), the answer (`None`: nobody
/// listening), and the expectation.
pub struct Case {
    pub name: &'static str,
    pub answer: Option<Canned>,
    pub expect: Expect,
}

fn with_credits(credits: &str) -> String {
    ACCOUNT.replace(r#""1.80900""#, credits)
}

/// Every case of the matrix.
pub fn cases() -> Vec<Case> {
    use Expect::*;
    let json = |status, body: &str| Some(Canned::json(status, body));
    let raw = |status, headers: &[(&str, &str)], body: &[u8]| {
        Some(Canned::response(status, headers, body))
    };
    let html_page = b"<!doctype html><html><body><h1>502 Bad Gateway</h1></body></html>";
    vec![
        Case {
            name: "connection refused",
            answer: None,
            expect: Error(4, "cannot connect to 127.0.0.1"),
        },
        Case {
            name: "reset in the middle of the body",
            answer: Some(Canned::Raw(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{}",
                    ACCOUNT.len(),
                    &ACCOUNT[..40]
                )
                .into_bytes(),
            )),
            expect: Error(4, "connection broke"),
        },
        Case {
            name: "accepts and never answers",
            answer: Some(Canned::Silent),
            expect: Error(4, "timed out after"),
        },
        Case {
            name: "400 with an error text",
            answer: json(
                "400 Bad Request",
                r#"{"api_id":"a","error":"invalid timezone"}"#,
            ),
            expect: Error(1, "request refused (400: invalid timezone)"),
        },
        Case {
            name: "401",
            answer: json(
                "401 Unauthorized",
                r#"{"error":"authentication credentials were not provided"}"#,
            ),
            expect: Error(3, "authentication failed (401"),
        },
        Case {
            name: "403",
            answer: json("403 Forbidden", r#"{"error":"not allowed"}"#),
            expect: Error(3, "forbidden (403: not allowed)"),
        },
        Case {
            name: "404",
            answer: json("404 Not Found", r#"{"api_id":"a","error":"not found"}"#),
            expect: Error(1, "check the auth id and the API URL"),
        },
        Case {
            name: "405",
            answer: json(
                "405 Method Not Allowed",
                r#"{"error":"method not allowed"}"#,
            ),
            expect: Error(1, "request refused (405"),
        },
        Case {
            name: "429 with Retry-After",
            answer: raw("429 Too Many Requests", &[("Retry-After", "7")], b""),
            expect: Error(5, "wait 7 s"),
        },
        Case {
            name: "429 without Retry-After",
            answer: json("429 Too Many Requests", r#"{"error":"too many"}"#),
            expect: Error(5, "try again shortly"),
        },
        Case {
            name: "500",
            answer: json("500 Internal Server Error", r#"{"error":"boom"}"#),
            expect: Error(4, "server error (500: boom)"),
        },
        Case {
            name: "502 HTML error page",
            answer: raw(
                "502 Bad Gateway",
                &[("Content-Type", "text/html")],
                html_page,
            ),
            expect: Error(4, "server error (502)"),
        },
        Case {
            name: "503 plain text",
            answer: raw("503 Service Unavailable", &[], b"upstream unavailable\n"),
            expect: Error(4, "server error (503: upstream unavailable)"),
        },
        Case {
            name: "200 HTML page",
            answer: raw(
                "200 OK",
                &[("Content-Type", "text/html")],
                b"<!doctype html><html>login</html>",
            ),
            expect: Error(4, "HTML page"),
        },
        Case {
            name: "200 empty body",
            answer: raw("200 OK", &[], b""),
            expect: Error(4, "body is empty"),
        },
        Case {
            name: "200 truncated JSON",
            answer: json("200 OK", &ACCOUNT[..60]),
            expect: Error(4, "cut short"),
        },
        Case {
            name: "200 not JSON",
            answer: json("200 OK", "account: yes"),
            expect: Error(4, "not valid JSON"),
        },
        Case {
            name: "credits as a number",
            answer: json("200 OK", &with_credits("1.809")),
            expect: Accepted("1.809"),
        },
        Case {
            name: "credits as garbage",
            answer: json("200 OK", &with_credits(r#""lots""#)),
            expect: Error(4, "\"lots\" is not a decimal amount"),
        },
        Case {
            name: "credits negative",
            answer: json("200 OK", &with_credits(r#""-12.50""#)),
            expect: Accepted("-12.50"),
        },
        Case {
            name: "credits absurdly large",
            answer: json("200 OK", &with_credits(r#""1e400""#)),
            expect: Error(4, "\"1e400\" is out of range"),
        },
        Case {
            name: "credits of too many digits",
            answer: json(
                "200 OK",
                &with_credits(r#""123456789012345678901234567890""#),
            ),
            expect: Error(4, "is out of range"),
        },
        Case {
            name: "credits an object",
            answer: json("200 OK", &with_credits(r#"{"usd":1}"#)),
            expect: Error(4, "neither a string nor a number"),
        },
        Case {
            name: "unknown enum values",
            answer: json(
                "200 OK",
                &ACCOUNT
                    .replace(r#""standard""#, r#""enterprise""#)
                    .replace(r#""prepaid""#, r#""invoiced""#),
            ),
            expect: Accepted("1.80900"),
        },
        Case {
            name: "missing text fields",
            answer: json(
                "200 OK",
                &ACCOUNT
                    .replace(r#""city":"","#, "")
                    .replace(r#""name":"n","#, ""),
            ),
            expect: Accepted("1.80900"),
        },
        Case {
            name: "missing credits",
            answer: json(
                "200 OK",
                &ACCOUNT.replace(r#""cash_credits":"1.80900","#, ""),
            ),
            expect: Error(4, "missing field `cash_credits`"),
        },
        Case {
            name: "wrong type",
            answer: json(
                "200 OK",
                &ACCOUNT.replace(r#""auto_recharge":false"#, r#""auto_recharge":"yes""#),
            ),
            expect: Error(4, "does not match the API"),
        },
        Case {
            name: "body of many megabytes",
            answer: json(
                "200 OK",
                &format!("{}{ACCOUNT}", " ".repeat(8 * 1024 * 1024)),
            ),
            expect: Error(4, "larger than 1024 KiB"),
        },
        Case {
            name: "slow drip of bytes",
            answer: Some(Canned::Drip(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{ACCOUNT}",
                    ACCOUNT.len()
                )
                .into_bytes(),
                Duration::from_millis(50),
            )),
            expect: Error(4, "timed out after"),
        },
        Case {
            name: "redirect elsewhere",
            answer: raw(
                "302 Found",
                &[("Location", "https://elsewhere.example/")],
                b"",
            ),
            expect: Error(4, "redirect"),
        },
        Case {
            name: "status the API never uses",
            answer: raw("418 I'm a teapot", &[], b""),
            expect: Error(4, "status 418"),
        },
    ]
}
