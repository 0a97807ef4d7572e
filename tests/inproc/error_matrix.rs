//! Every way a server can answer badly maps to the right `ApiError`, with a
//! message a user can act on. Canned answers over real HTTP on 127.0.0.1.

use crate::support;

use std::time::Duration;

use plivo_dash::commands::Failure;
use plivo_dash::plivo::{AccountType, ApiError, BillingMode, Client, Limits};
use support::faults::{self, ACCOUNT, Expect};
use support::{Canned, CannedServer, TOKEN};

const ID: &str = "MA2025RK4E639VJFZAGV";

fn limits() -> Limits {
    Limits {
        connect_timeout: Duration::from_secs(2),
        timeout: Duration::from_millis(700),
        max_body: 1024 * 1024,
    }
}

async fn get_from(canned: Canned) -> Result<plivo_dash::plivo::Account, ApiError> {
    let server = CannedServer::start(canned).await;
    let client = Client::with_limits(
        &crate::support::http(),
        &server.url,
        ID,
        TOKEN.to_owned().into(),
        limits(),
    )
    .expect("client");
    let result = client.get_account().await;
    if let Err(e) = &result {
        assert!(
            !format!("{e} {e:?}").contains(TOKEN),
            "token in error: {e:?}"
        );
    }
    result
}

#[tokio::test]
async fn each_bad_answer_maps_to_the_right_error() {
    for case in faults::cases() {
        let Some(answer) = case.answer else {
            continue; // connection refused has its own test below
        };
        let result = get_from(answer).await;
        match case.expect {
            Expect::Accepted(credits) => {
                let account = result.unwrap_or_else(|e| panic!("{}: {e}", case.name));
                assert_eq!(account.cash_credits.to_string(), credits, "{}", case.name);
            }
            Expect::Error(exit, words) => {
                let err = result.expect_err(case.name);
                assert_eq!(
                    i32::from(u8::from(Failure::Api(err.clone()).exit())),
                    exit,
                    "{}: {err:?}",
                    case.name
                );
                let message = err.to_string();
                assert!(
                    message.contains(words),
                    "{}: {message:?} lacks {words:?}",
                    case.name
                );
            }
        }
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
        &crate::support::http(),
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

#[tokio::test]
async fn https_speaks_tls_and_refuses_a_server_that_does_not() {
    // A plain-HTTP server behind an https:// URL: the TLS handshake must be
    // attempted (the crypto provider is installed) and fail with a clear error.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("https://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt as _;
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket.write_all(b"HTTP/1.1 200 OK\r\n\r\n").await;
        }
    });
    let client = Client::with_limits(
        &crate::support::http(),
        &url,
        ID,
        TOKEN.to_owned().into(),
        limits(),
    )
    .expect("client");
    let err = client.get_account().await.expect_err("not TLS");
    assert!(matches!(err, ApiError::Network(_)), "{err:?}");
    assert!(!err.to_string().contains(TOKEN));
}
