//! The client against the real sandbox, over real HTTP on 127.0.0.1.

use crate::support;

use plivo_dash::plivo::{
    AccountType, AccountUpdate, ApiError, BillingMode, Client, ErrorClass, Field,
};
use plivo_dash::sandbox::{self, Options, demo_account};
use rust_decimal::Decimal;
use support::{Canned, CannedServer, TOKEN};

async fn start() -> (sandbox::Handle, Client) {
    support::sandbox_and_client(Options::default()).await
}

#[tokio::test]
async fn get_returns_the_demo_account_field_by_field() {
    let (_sandbox, client) = start().await;
    let account = client.get_account().await.expect("get");
    assert_eq!(account.account_type, AccountType::Standard);
    assert_eq!(account.address, "Wayne Enterprises Inc.");
    assert_eq!(account.auth_id, "MA2025RK4E639VJFZAGV");
    assert!(!account.auto_recharge);
    assert_eq!(account.billing_mode, BillingMode::Prepaid);
    assert_eq!(account.cash_credits, Decimal::new(180_900, 5));
    assert_eq!(account.cash_credits.to_string(), "1.80900", "scale kept");
    assert_eq!(account.city, "Gotham");
    assert_eq!(account.name, "Bruce Wayne");
    assert_eq!(account.resource_uri, "/v1/Account/MA2025RK4E639VJFZAGV/");
    assert_eq!(account.state, "New Jersey");
    assert_eq!(account.timezone, "America/New_York");
    let first = account.api_id.expect("api_id");
    let second = client
        .get_account()
        .await
        .expect("get")
        .api_id
        .expect("api_id");
    assert_ne!(first, second, "each response has a fresh api_id");
}

#[tokio::test]
async fn updating_one_field_changes_only_that_field() {
    let (sandbox, client) = start().await;
    let before = client.get_account().await.expect("get");
    let mut update = AccountUpdate::default();
    update.set(Field::City, "Metropolis");
    let reply = client.update_account(&update).await.expect("update");
    assert_eq!(reply.message, "changed");
    assert!(reply.api_id.is_some());

    let after = client.get_account().await.expect("get");
    assert_eq!(after.city, "Metropolis");
    let mut expected = before.clone();
    expected.city = "Metropolis".into();
    expected.api_id = after.api_id.clone();
    assert_eq!(after, expected);
    assert_eq!(sandbox.account().city, "Metropolis");
}

#[tokio::test]
async fn json_nulls_mean_not_provided() {
    let (sandbox, _client) = start().await;
    let before = sandbox.account();
    // What the official Python SDK sends when only the name is given.
    let body = r#"{"name":"Dick Grayson","address":null,"city":null,"state":null,"timezone":null}"#;
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1/Account/{}/",
            sandbox.base_url, sandbox.auth_id
        ))
        .basic_auth(&sandbox.auth_id, Some(TOKEN))
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 202);
    let reply: serde_json::Value = response.json().await.expect("json");
    assert_eq!(reply["message"], "changed");
    let mut expected = before;
    expected.name = "Dick Grayson".into();
    assert_eq!(sandbox.account(), expected);
}

#[tokio::test]
async fn an_update_with_only_nulls_changes_nothing() {
    let (sandbox, _client) = start().await;
    let before = sandbox.account();
    let status = reqwest::Client::new()
        .post(format!(
            "{}/v1/Account/{}/",
            sandbox.base_url, sandbox.auth_id
        ))
        .basic_auth(&sandbox.auth_id, Some(TOKEN))
        .body(r#"{"name":null,"address":null,"city":null,"state":null,"timezone":null}"#)
        .send()
        .await
        .expect("post")
        .status();
    assert_eq!(status, 202);
    assert_eq!(sandbox.account(), before);
}

#[tokio::test]
async fn a_wrong_token_is_an_authentication_error() {
    let (sandbox, _client) = start().await;
    let client = Client::new(
        &crate::support::http(),
        &sandbox.base_url,
        &sandbox.auth_id,
        "wrong".to_owned().into(),
    )
    .expect("client");
    let err = client.get_account().await.expect_err("refused");
    assert!(matches!(err, ApiError::Unauthorized { .. }), "{err:?}");
    assert_eq!(err.class(), ErrorClass::Auth);
    // Which token to check is for the caller to say: it knows where the
    // token came from (the environment, or which config file).
    assert!(
        err.to_string().contains("check the auth id and token"),
        "{err}"
    );
}

#[tokio::test]
async fn a_malformed_auth_id_is_refused_before_any_request() {
    let server = CannedServer::start(Canned::json("200 OK", "{}")).await;
    for bad in [
        "MA123",
        "XX2025RK4E639VJFZAGV",
        "ma2025rk4e639vjfzagv",
        "MA2025RK4E639VJFZAG/",
        "MA2025RK4E639VJFZAGV/../x",
    ] {
        let err = Client::new(
            &crate::support::http(),
            &server.url,
            bad,
            TOKEN.to_owned().into(),
        )
        .expect_err(bad);
        assert!(matches!(err, ApiError::InvalidAuthId(_)), "{bad}: {err:?}");
        assert!(err.to_string().contains("MA or SA"), "{err}");
    }
    assert_eq!(server.connections(), 0);
    Client::new(
        &crate::support::http(),
        &server.url,
        "SA2025RK4E639VJFZAGV",
        TOKEN.to_owned().into(),
    )
    .expect("subaccount ids are accepted");
}

#[tokio::test]
async fn the_sandbox_speaks_plivo_paths_methods_and_errors() {
    let (sandbox, _client) = start().await;
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", sandbox.base_url);
    let account = format!("/v1/Account/{}/", sandbox.auth_id);

    let doubled = http
        .get(url(&format!("{account}/")))
        .basic_auth(&sandbox.auth_id, Some(TOKEN))
        .send()
        .await
        .expect("get");
    assert_eq!(
        doubled.status(),
        200,
        "a doubled trailing slash is accepted"
    );

    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (http.get(url(&account)), 401, "authentication"),
        (
            http.get(url(&account))
                .basic_auth(&sandbox.auth_id, Some("nope")),
            401,
            "authentication",
        ),
        (
            http.delete(url(&account))
                .basic_auth(&sandbox.auth_id, Some(TOKEN)),
            405,
            "method not allowed",
        ),
        (
            http.get(url("/v1/Account/MA2025RK4E639VJFZAGV/Application/"))
                .basic_auth(&sandbox.auth_id, Some(TOKEN)),
            404,
            "not found",
        ),
        (
            http.get(url("/v1/Account/MA0000000000000000XX/"))
                .basic_auth(&sandbox.auth_id, Some(TOKEN)),
            404,
            "not found",
        ),
        (
            http.post(url(&account))
                .basic_auth(&sandbox.auth_id, Some(TOKEN))
                .body(r#"{"colour":"red"}"#),
            400,
            "unknown field `colour`",
        ),
        (
            http.post(url(&account))
                .basic_auth(&sandbox.auth_id, Some(TOKEN))
                .body(r#"{"city":42}"#),
            400,
            "invalid type",
        ),
        (
            http.post(url(&account))
                .basic_auth(&sandbox.auth_id, Some(TOKEN))
                .body(r#"{"timezone":"Mars/Olympus"}"#),
            400,
            "invalid timezone",
        ),
        (
            http.post(url(&account))
                .basic_auth(&sandbox.auth_id, Some(TOKEN))
                .body("city=Gotham"),
            400,
            "not valid JSON",
        ),
        (
            http.post(url(&account))
                .basic_auth(&sandbox.auth_id, Some(TOKEN)),
            400,
            "empty",
        ),
    ];
    for (request, status, needle) in cases {
        let response = request.send().await.expect("send");
        assert_eq!(response.status().as_u16(), status, "{needle}");
        let body: serde_json::Value = response.json().await.expect("a JSON error body");
        let error = body["error"].as_str().expect("error text");
        assert!(
            error.contains(needle),
            "{status}: {error:?} lacks {needle:?}"
        );
        assert!(body["api_id"].is_string());
    }
    assert_eq!(
        sandbox.account(),
        demo_account(),
        "no refused request changed anything"
    );
}

#[tokio::test]
async fn the_sandbox_is_safe_under_concurrent_requests() {
    let (sandbox, client) = start().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let client = client.clone();
        tasks.spawn(async move {
            if i % 2 == 0 {
                let mut update = AccountUpdate::default();
                update.set(Field::State, format!("State {i}"));
                client.update_account(&update).await.map(|_| ())
            } else {
                client.get_account().await.map(|_| ())
            }
        });
    }
    while let Some(result) = tasks.join_next().await {
        result.expect("task").expect("request");
    }
    let state = sandbox.account().state;
    assert!(state.starts_with("State "), "{state}");
    assert_eq!(sandbox.account().city, "Gotham");
}

#[tokio::test]
async fn a_stopped_sandbox_is_a_network_error() {
    let (sandbox, client) = start().await;
    sandbox.shutdown().await.expect("shutdown");
    let err = client.get_account().await.expect_err("nobody listening");
    assert_eq!(err.class(), ErrorClass::Transient, "{err:?}");
    assert!(
        err.to_string().contains("cannot connect to 127.0.0.1"),
        "{err}"
    );
}

#[test]
fn debug_output_never_shows_the_token() {
    let client = Client::new(
        &crate::support::http(),
        "https://api.plivo.com",
        "MA2025RK4E639VJFZAGV",
        TOKEN.to_owned().into(),
    )
    .expect("client");
    let shown = format!("{client:?} {client:#?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    let options = Options {
        auth_token: TOKEN.into(),
        ..Options::default()
    };
    assert!(!format!("{options:?}").contains(TOKEN));
}
