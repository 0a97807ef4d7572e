//! Every way a server can answer badly maps to the right `ApiError`, with a
//! message a user can act on. Canned answers over real HTTP on 127.0.0.1.

mod support;

use std::time::Duration;

use plivo_dash::plivo::{AccountType, ApiError, BillingMode, Client, ErrorClass, Limits};
use support::{Canned, CannedServer, TOKEN};

const ID: &str = "MA2025RK4E639VJFZAGV";
const ACCOUNT: &str = r#"{"account_type":"standard","address":"","api_id":"x","auth_id":"MA2025RK4E639VJFZAGV","auto_recharge":false,"billing_mode":"prepaid","cash_credits":"1.80900","city":"","name":"n","resource_uri":"/v1/Account/MA2025RK4E639VJFZAGV/","state":"","timezone":"UTC"}"#;

fn limits() -> Limits {
    Limits {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(700),
        max_body: 64 * 1024,
    }
}

async fn get_from(canned: Canned) -> Result<plivo_dash::plivo::Account, ApiError> {
    let server = CannedServer::start(canned).await;
    let client =
        Client::with_limits(&server.url, ID, TOKEN.to_owned().into(), limits()).expect("client");
    let result = client.get_account().await;
    if let Err(e) = &result {
        assert!(
            !format!("{e} {e:?}").contains(TOKEN),
            "token in error: {e:?}"
        );
    }
    result
}

/// (what, canned answer, expected class, words the message must hold)
fn cases() -> Vec<(&'static str, Canned, ErrorClass, &'static str)> {
    use ErrorClass::*;
    vec![
        (
            "401 json",
            Canned::json(
                "401 Unauthorized",
                r#"{"api_id":"a","error":"authentication credentials were not provided"}"#,
            ),
            Auth,
            "authentication failed (401: authentication credentials were not provided)",
        ),
        (
            "401 empty",
            Canned::response("401 Unauthorized", &[], b""),
            Auth,
            "check the auth id and PLIVO_AUTH_TOKEN",
        ),
        (
            "403",
            Canned::json("403 Forbidden", r#"{"error":"not allowed"}"#),
            Auth,
            "forbidden (403: not allowed)",
        ),
        (
            "404",
            Canned::json("404 Not Found", r#"{"api_id":"a","error":"not found"}"#),
            Rejected,
            "check the auth id and the API URL",
        ),
        (
            "400",
            Canned::json(
                "400 Bad Request",
                r#"{"api_id":"a","error":"invalid timezone"}"#,
            ),
            Rejected,
            "request refused (400: invalid timezone)",
        ),
        (
            "405",
            Canned::json(
                "405 Method Not Allowed",
                r#"{"error":"method not allowed"}"#,
            ),
            Rejected,
            "request refused (405: method not allowed)",
        ),
        (
            "429 with Retry-After",
            Canned::response("429 Too Many Requests", &[("Retry-After", "7")], b""),
            RateLimited,
            "wait 7 s",
        ),
        (
            "429 without",
            Canned::json("429 Too Many Requests", r#"{"error":"too many"}"#),
            RateLimited,
            "try again shortly",
        ),
        (
            "500",
            Canned::json("500 Internal Server Error", r#"{"error":"boom"}"#),
            Transient,
            "server error (500: boom)",
        ),
        (
            "502 html",
            Canned::response(
                "502 Bad Gateway",
                &[("Content-Type", "text/html")],
                b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            ),
            Transient,
            "server error (502)",
        ),
        (
            "503 text",
            Canned::response("503 Service Unavailable", &[], b"upstream unavailable\n"),
            Transient,
            "server error (503: upstream unavailable)",
        ),
        (
            "200 html",
            Canned::response(
                "200 OK",
                &[("Content-Type", "text/html")],
                b"<!doctype html><html>login</html>",
            ),
            Transient,
            "HTML page",
        ),
        (
            "200 empty",
            Canned::response("200 OK", &[], b""),
            Transient,
            "body is empty",
        ),
        (
            "200 truncated",
            Canned::json("200 OK", &ACCOUNT[..60]),
            Transient,
            "cut short",
        ),
        (
            "200 not json",
            Canned::json("200 OK", "account: yes"),
            Transient,
            "not valid JSON",
        ),
        (
            "200 credits garbage",
            Canned::json("200 OK", &ACCOUNT.replace(r#""1.80900""#, r#""lots""#)),
            Transient,
            "\"lots\" is not a decimal amount",
        ),
        (
            "200 credits object",
            Canned::json("200 OK", &ACCOUNT.replace(r#""1.80900""#, r#"{"usd":1}"#)),
            Transient,
            "neither a string nor a number",
        ),
        (
            "200 credits absurd",
            Canned::json("200 OK", &ACCOUNT.replace(r#""1.80900""#, r#""1e400""#)),
            Transient,
            "not a decimal amount",
        ),
        (
            "200 wrong type",
            Canned::json(
                "200 OK",
                &ACCOUNT.replace(r#""auto_recharge":false"#, r#""auto_recharge":"yes""#),
            ),
            Transient,
            "does not match the API",
        ),
        (
            "200 missing credits",
            Canned::json(
                "200 OK",
                &ACCOUNT.replace(r#""cash_credits":"1.80900","#, ""),
            ),
            Transient,
            "missing field `cash_credits`",
        ),
        (
            "200 too big",
            Canned::json("200 OK", &format!("{}{}", " ".repeat(100 * 1024), ACCOUNT)),
            Transient,
            "larger than 64 KiB",
        ),
        (
            "302 redirect",
            Canned::response(
                "302 Found",
                &[("Location", "https://elsewhere.example/")],
                b"",
            ),
            Transient,
            "redirect",
        ),
        (
            "418",
            Canned::response("418 I'm a teapot", &[], b""),
            Transient,
            "status 418",
        ),
        (
            "reset mid-body",
            Canned::Raw(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{}",
                    ACCOUNT.len(),
                    &ACCOUNT[..40]
                )
                .into_bytes(),
            ),
            Transient,
            "connection broke",
        ),
        (
            "never answers",
            Canned::Silent,
            Transient,
            "timed out after 0.7 s",
        ),
        (
            "slow drip",
            Canned::Drip(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n{ACCOUNT}",
                    ACCOUNT.len()
                )
                .into_bytes(),
                Duration::from_millis(50),
            ),
            Transient,
            "timed out",
        ),
    ]
}

#[tokio::test]
async fn each_bad_answer_maps_to_the_right_error() {
    for (what, canned, class, words) in cases() {
        let err = get_from(canned).await.expect_err(what);
        assert_eq!(err.class(), class, "{what}: {err:?}");
        let message = err.to_string();
        assert!(
            message.contains(words),
            "{what}: {message:?} lacks {words:?}"
        );
    }
}

#[tokio::test]
async fn retry_after_is_carried_in_the_error() {
    let err = get_from(Canned::response(
        "429 Too Many Requests",
        &[("Retry-After", "12")],
        b"",
    ))
    .await
    .expect_err("429");
    assert_eq!(
        err,
        ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(12))
        }
    );
}

#[tokio::test]
async fn odd_but_valid_accounts_are_accepted() {
    let odd = ACCOUNT
        .replace(r#""standard""#, r#""enterprise""#)
        .replace(r#""prepaid""#, r#""invoiced""#)
        .replace(r#""1.80900""#, "-12.5")
        .replace(r#""city":"","#, r#""city":"","extra_field":{"a":[1,2]},"#);
    let account = get_from(Canned::json("200 OK", &odd))
        .await
        .expect("accepted");
    assert_eq!(
        account.account_type,
        AccountType::Other("enterprise".into())
    );
    assert_eq!(account.billing_mode, BillingMode::Other("invoiced".into()));
    assert_eq!(account.cash_credits.to_string(), "-12.5");
    let out = serde_json::to_value(&account).expect("json");
    assert_eq!(
        out["account_type"], "enterprise",
        "unknown values kept as sent"
    );
}

#[tokio::test]
async fn hostile_text_in_errors_is_neutralised() {
    let err = get_from(Canned::json(
        "400 Bad Request",
        r#"{"error":"\u001b]0;owned\u0007\u001b[2Jgone"}"#,
    ))
    .await
    .expect_err("400");
    let message = err.to_string();
    assert!(
        !message.contains('\u{1b}') && !message.contains('\u{7}'),
        "{message:?}"
    );
    assert!(message.contains("owned"), "{message:?}");
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let client = Client::with_limits(
        &format!("http://127.0.0.1:{port}"),
        ID,
        TOKEN.to_owned().into(),
        limits(),
    )
    .expect("client");
    let err = client.get_account().await.expect_err("refused");
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("cannot connect to 127.0.0.1:{port}")),
        "{err}"
    );
}
