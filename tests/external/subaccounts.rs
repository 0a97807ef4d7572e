//! Subaccounts over real HTTP: the client against the sandbox for every
//! endpoint and error, paging through a thousand, and the commands.

use crate::support;

use std::time::Duration;

use plivo_dash::plivo::{ApiError, Client, Listed, PAGES_IN_FLIGHT, SubaccountChange};
use plivo_dash::sandbox::{self, ListFault, Options};
use support::{TOKEN, TestSandbox};

async fn start(subaccounts: u32) -> (sandbox::Handle, Client) {
    support::sandbox_and_client(Options {
        subaccounts,
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn create_get_update_and_delete_round_trip() {
    let (sandbox, client) = start(0).await;
    let created = client
        .create_subaccount(&SubaccountChange {
            name: "Gotham Support".into(),
            enabled: false,
        })
        .await
        .expect("created");
    assert!(created.auth_id.starts_with("SA") && created.auth_id.len() == 20);
    let sub = client.get_subaccount(&created.auth_id).await.expect("get");
    assert_eq!((sub.name.as_str(), sub.enabled), ("Gotham Support", false));
    assert_eq!(sub.modified, None);
    client
        .update_subaccount(
            &created.auth_id,
            &SubaccountChange {
                name: "Gotham Ops".into(),
                enabled: true,
            },
        )
        .await
        .expect("update");
    let sub = client.get_subaccount(&created.auth_id).await.expect("get");
    assert_eq!((sub.name.as_str(), sub.enabled), ("Gotham Ops", true));
    assert!(sub.modified.is_some());
    client
        .delete_subaccount(&created.auth_id, true)
        .await
        .expect("delete with cascade");
    assert!(sandbox.subaccounts().is_empty());
    let gone = client
        .get_subaccount(&created.auth_id)
        .await
        .expect_err("gone");
    assert!(matches!(gone, ApiError::NotFound { .. }), "{gone:?}");
}

#[tokio::test]
async fn paging_is_newest_first_with_links_and_refuses_bad_limits() {
    let (sandbox, client) = start(45).await;
    let first = client.list_subaccounts(20, 0).await.expect("page");
    assert_eq!(first.meta.total_count, 45);
    assert_eq!(first.objects.len(), 20);
    assert_eq!(
        first.objects[0].auth_id,
        sandbox.subaccounts()[0].0,
        "newest first"
    );
    assert!(first.meta.previous.is_none());
    let next = first.meta.next.clone().expect("a next link");
    assert!(next.ends_with("limit=20&offset=20"), "{next}");
    // The link works when followed.
    let followed = reqwest::Client::new()
        .get(format!("{}{next}", sandbox.base_url))
        .basic_auth(&sandbox.auth_id, Some(TOKEN))
        .send()
        .await
        .expect("follow");
    assert_eq!(followed.status(), 200);
    let last = client.list_subaccounts(20, 40).await.expect("page");
    assert_eq!(last.objects.len(), 5);
    assert!(last.meta.next.is_none());
    for query in ["limit=21", "limit=0", "offset=-1", "limit=x"] {
        let status = reqwest::Client::new()
            .get(format!(
                "{}/v1/Account/{}/Subaccount/?{query}",
                sandbox.base_url, sandbox.auth_id
            ))
            .basic_auth(&sandbox.auth_id, Some(TOKEN))
            .send()
            .await
            .expect("ask")
            .status();
        assert_eq!(status, 400, "{query}");
    }
}

#[tokio::test]
async fn errors_are_plivos() {
    let (sandbox, client) = start(1).await;
    let missing = client
        .get_subaccount("SA0000000000000000ZZ")
        .await
        .expect_err("404");
    assert!(matches!(missing, ApiError::NotFound { .. }), "{missing:?}");
    let nameless = client
        .create_subaccount(&SubaccountChange {
            name: " ".into(),
            enabled: true,
        })
        .await
        .expect_err("400");
    assert!(
        nameless.to_string().contains("name is required"),
        "{nameless}"
    );
    let wrong = Client::new(
        &crate::support::http(),
        &sandbox.base_url,
        &sandbox.auth_id,
        "wrong".to_owned().into(),
    )
    .expect("client");
    let refused = wrong.list_subaccounts(20, 0).await.expect_err("401");
    assert!(
        matches!(refused, ApiError::Unauthorized { .. }),
        "{refused:?}"
    );
    let odd = client
        .get_subaccount("../../x")
        .await
        .expect_err("refused locally");
    assert!(matches!(odd, ApiError::InvalidAuthId(_)), "{odd:?}");
}

#[tokio::test(start_paused = true)]
async fn all_of_a_thousand_come_in_order_within_the_rate_limit() {
    let (sandbox, client) = start(1000).await;
    let mut pages = Vec::new();
    let started = tokio::time::Instant::now();
    let all = client
        .all_subaccounts(|page| pages.push(page.meta.offset))
        .await
        .expect("all");
    assert_eq!(all.disagreement, None);
    let all = all.objects;
    assert_eq!(all.len(), 1000);
    let expected: Vec<String> = sandbox.subaccounts().into_iter().map(|s| s.0).collect();
    let got: Vec<String> = all.iter().map(|s| s.auth_id.clone()).collect();
    assert_eq!(got, expected, "every one, in order, none twice");
    assert_eq!(pages.len(), 50);
    assert!(pages.windows(2).all(|w| w[0] < w[1]), "pages in order");
    // 49 pages after the first, each started at least PAGE_GAP apart: at
    // most 50 a second, where Plivo allows 60.
    let span = tokio::time::Instant::now() - started;
    assert!(span >= plivo_dash::plivo::PAGE_GAP * 48, "{span:?}");
    assert_eq!(sandbox.requests(), 50);
}

/// The binary pointed at `sandbox`, with an empty home of its own (the
/// command's state dir lives in the test's temp dir, removed after).
fn cmd(sandbox: &TestSandbox) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("plivo-dash").expect("binary");
    cmd.env_clear()
        .env("HOME", sandbox.home())
        .env("XDG_CONFIG_HOME", sandbox.home())
        .envs(sandbox.env());
    cmd
}

fn output(mut cmd: assert_cmd::Command, code: i32) -> (String, String) {
    let out = cmd.output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {stdout}\nstderr: {stderr}"
    );
    assert!(
        !stdout.contains(TOKEN) && !stderr.contains(TOKEN),
        "main token leaked"
    );
    (stdout, stderr)
}

#[test]
fn the_commands_list_create_update_and_delete() {
    let sandbox = TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        subaccounts: 25,
        ..Options::default()
    });
    let mut list = cmd(&sandbox);
    list.args(["subaccounts", "list"]);
    let (out, _) = output(list, 0);
    assert!(out.starts_with("AUTH ID"), "{out}");
    assert_eq!(out.lines().count(), 22, "header, 20 rows, a count: {out}");
    assert!(
        out.contains("1 to 20 of 25; --all lists every one"),
        "{out}"
    );

    let mut all = cmd(&sandbox);
    all.args(["subaccounts", "list", "--all", "--json"]);
    let (out, _) = output(all, 0);
    let objects: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    assert_eq!(objects.len(), 25);
    assert!(
        objects.iter().all(|o| o.get("auth_token").is_none()),
        "no tokens by default"
    );

    let mut create = cmd(&sandbox);
    create.args(["subaccounts", "create", "Wayne Tower", "--enabled"]);
    let (out, _) = output(create, 0);
    let id = out.trim().to_owned();
    assert!(id.starts_with("SA") && id.len() == 20, "{out}");
    assert!(
        sandbox
            .handle
            .subaccounts()
            .contains(&(id.clone(), "Wayne Tower".into(), true))
    );

    // Only the state changes: the name stays.
    let mut disable = cmd(&sandbox);
    disable.args(["subaccounts", "update", &id, "--disable"]);
    let (out, _) = output(disable, 0);
    assert!(out.contains("enabled  enabled → disabled"), "{out}");
    assert!(
        sandbox
            .handle
            .subaccounts()
            .contains(&(id.clone(), "Wayne Tower".into(), false))
    );
    // Only the name changes: the state stays.
    let mut rename = cmd(&sandbox);
    rename.args(["subaccounts", "update", &id, "--name", "Wayne Manor"]);
    output(rename, 0);
    assert!(
        sandbox
            .handle
            .subaccounts()
            .contains(&(id.clone(), "Wayne Manor".into(), false))
    );

    let mut get = cmd(&sandbox);
    get.args(["subaccounts", "get", &id]);
    let (out, _) = output(get, 0);
    assert!(
        out.contains("Wayne Manor") && out.contains("(hidden; --show-token prints it)"),
        "{out}"
    );

    // No terminal and no --yes: refused, nothing deleted.
    let mut refuse = cmd(&sandbox);
    refuse
        .args(["subaccounts", "delete", &id])
        .write_stdin("Wayne Manor\n");
    let (_, err) = output(refuse, 2);
    assert!(err.contains("--yes"), "{err}");
    assert_eq!(sandbox.handle.subaccounts().len(), 26);
    let mut delete = cmd(&sandbox);
    delete.args(["subaccounts", "delete", &id, "--yes"]);
    let (out, _) = output(delete, 0);
    assert!(out.contains("move to the main account"), "{out}");
    assert_eq!(sandbox.handle.subaccounts().len(), 25);

    // An id the account has not: said as that, not as a wrong API URL.
    for args in [
        vec!["subaccounts", "get", "SA0000000000000000ZZ"],
        vec!["subaccounts", "delete", "SA0000000000000000ZZ", "--yes"],
        vec!["subaccounts", "update", "SA0000000000000000ZZ", "--enable"],
    ] {
        let mut missing = cmd(&sandbox);
        missing.args(&args);
        let (_, err) = output(missing, 1);
        assert!(
            err.contains("no such subaccount SA0000000000000000ZZ"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("API URL"), "{args:?}: {err}");
    }
}

#[test]
fn tokens_are_shown_only_when_asked() {
    let sandbox = TestSandbox::with(Options {
        auth_token: TOKEN.into(),
        subaccounts: 2,
        ..Options::default()
    });
    let mut json = cmd(&sandbox);
    json.args(["subaccounts", "list", "--json", "--show-tokens"]);
    let (out, _) = output(json, 0);
    let objects: Vec<serde_json::Value> = serde_json::from_str(&out).expect("json");
    assert!(
        objects
            .iter()
            .all(|o| o["auth_token"].as_str().is_some_and(|t| t.len() == 40))
    );
    let mut wrong = cmd(&sandbox);
    wrong
        .env("PLIVO_AUTH_TOKEN", "wrong")
        .args(["subaccounts", "list"]);
    let (_, err) = output(wrong, 3);
    assert!(err.contains("came from PLIVO_AUTH_TOKEN"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_page_that_fails_once_is_asked_for_again() {
    let (handle, client) = support::sandbox_and_client(Options {
        subaccounts: 45,
        faults: vec![
            plivo_dash::sandbox::Fault::status(503),
            plivo_dash::sandbox::Fault {
                status: 429,
                retry_after: Some(1),
            },
        ],
        ..Options::default()
    })
    .await;
    let all = client
        .all_subaccounts(|_| {})
        .await
        .expect("the list, despite two faults");
    assert_eq!((all.objects.len(), all.disagreement), (45, None));
    assert_eq!(handle.requests(), 5, "two faults, then three pages");
}

/// The official SDKs of other languages send booleans as the strings
/// `"true"` / `"false"`, in JSON and in form bodies; Plivo takes them, and so
/// must the sandbox. Any other string is refused as Plivo refuses it.
#[tokio::test]
async fn booleans_as_strings_are_taken_in_json_and_form_bodies() {
    let (sandbox, _client) = start(0).await;
    let http = reqwest::Client::new();
    let collection = format!(
        "{}/v1/Account/{}/Subaccount/",
        sandbox.base_url, sandbox.auth_id
    );
    let send = |url: String, content_type: &'static str, body: &'static str| {
        http.post(url)
            .basic_auth(&sandbox.auth_id, Some(TOKEN))
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    const JSON: &str = "application/json";
    const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

    let created = send(
        collection.clone(),
        JSON,
        r#"{"name":"By JSON","enabled":"true"}"#,
    )
    .await
    .expect("create");
    assert_eq!(created.status(), 201);
    let created = send(collection.clone(), FORM, "name=By+form&enabled=true")
        .await
        .expect("create");
    assert_eq!(created.status(), 201);
    let held = sandbox.subaccounts();
    assert_eq!(
        held.iter()
            .map(|(_, name, enabled)| (name.as_str(), *enabled))
            .collect::<Vec<_>>(),
        [("By form", true), ("By JSON", true)]
    );

    let by_form = format!("{collection}{}/", held[0].0);
    let by_json = format!("{collection}{}/", held[1].0);
    let changed = send(
        by_json.clone(),
        JSON,
        r#"{"name":"By JSON","enabled":"false"}"#,
    )
    .await
    .expect("update");
    assert_eq!(changed.status(), 202);
    let changed = send(by_form.clone(), FORM, "name=By+form&enabled=false")
        .await
        .expect("update");
    assert_eq!(changed.status(), 202);
    assert!(
        sandbox.subaccounts().iter().all(|(_, _, enabled)| !enabled),
        "both disabled: {:?}",
        sandbox.subaccounts()
    );

    for (url, content_type, body) in [
        (collection.clone(), JSON, r#"{"name":"x","enabled":"yes"}"#),
        (collection.clone(), FORM, "name=x&enabled=True"),
        (by_json.clone(), JSON, r#"{"name":"x","enabled":"1"}"#),
        (by_form.clone(), FORM, "name=x&enabled="),
    ] {
        let refused = send(url, content_type, body).await.expect("answered");
        assert_eq!(refused.status(), 400, "{body}");
        let text = refused.text().await.expect("body");
        assert!(
            text.contains(r#""error":"enabled must be true or false""#),
            "{body}: {text}"
        );
    }
    assert_eq!(sandbox.subaccounts().len(), 2, "nothing made by a refusal");
    assert!(sandbox.subaccounts().iter().all(|(_, _, enabled)| !enabled));

    // The account takes a form body too.
    let account = format!("{}/v1/Account/{}/", sandbox.base_url, sandbox.auth_id);
    let changed = send(account, FORM, "city=Gotham+City")
        .await
        .expect("update");
    assert_eq!(changed.status(), 202);
    assert_eq!(sandbox.account().city, "Gotham City");
}

/// A list against a sandbox whose pages break their promises: it ends, in
/// few requests, with every object once and the disagreement said.
async fn misbehaving(fault: ListFault) -> (Listed<plivo_dash::plivo::Subaccount>, usize) {
    let (sandbox, client) = support::sandbox_and_client(Options {
        subaccounts: 45,
        list_fault: fault,
        ..Options::default()
    })
    .await;
    let listed = tokio::time::timeout(Duration::from_secs(60), client.all_subaccounts(|_| {}))
        .await
        .expect("the list ends")
        .expect("a list");
    let ids: std::collections::HashSet<&str> =
        listed.objects.iter().map(|s| s.auth_id.as_str()).collect();
    assert_eq!(ids.len(), listed.objects.len(), "{fault:?}: none twice");
    (listed, sandbox.requests())
}

#[tokio::test(start_paused = true)]
async fn a_list_that_repeats_itself_ends_and_says_so() {
    for fault in [ListFault::RepeatNext, ListFault::SameObjects] {
        let (listed, requests) = misbehaving(fault).await;
        assert_eq!(listed.objects.len(), 20, "{fault:?}: the first page once");
        let said = listed.disagreement.expect("a disagreement").to_string();
        assert_eq!(
            said,
            "the server counted 1000000 but 20 arrived (a page repeated one already read; stopped there)",
            "{fault:?}"
        );
        assert!(
            requests <= 1 + PAGES_IN_FLIGHT,
            "{fault:?}: {requests} requests"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_count_smaller_than_the_list_truncates_nothing() {
    let (listed, requests) = misbehaving(ListFault::Total(5)).await;
    assert_eq!(listed.objects.len(), 45, "next is followed past the count");
    assert_eq!(
        listed.disagreement.expect("said").to_string(),
        "the server counted 5 but 45 arrived"
    );
    assert_eq!(requests, 3);
}

#[tokio::test(start_paused = true)]
async fn a_count_larger_than_the_list_is_said() {
    let (listed, requests) = misbehaving(ListFault::Total(1000)).await;
    assert_eq!(listed.objects.len(), 45);
    assert_eq!(
        listed.disagreement.expect("said").to_string(),
        "the server counted 1000 but 45 arrived"
    );
    assert!(requests <= 3 + PAGES_IN_FLIGHT, "{requests} requests");
}

#[tokio::test(start_paused = true)]
async fn an_early_empty_page_is_said() {
    let (listed, requests) = misbehaving(ListFault::EmptyFrom(20)).await;
    assert_eq!(listed.objects.len(), 20);
    assert_eq!(
        listed.disagreement.expect("said").to_string(),
        "the server counted 45 but 20 arrived (a page came back empty early)"
    );
    assert!(requests <= 1 + PAGES_IN_FLIGHT, "{requests} requests");
}

#[test]
fn all_prints_what_arrived_and_says_the_disagreement_with_exit_4() {
    for (fault, rows, said) in [
        (
            ListFault::Total(5),
            45,
            "plivo-dash: subaccounts: the server counted 5 but 45 arrived\n",
        ),
        (
            ListFault::SameObjects,
            20,
            "plivo-dash: subaccounts: the server counted 1000000 but 20 arrived (a page repeated one already read; stopped there)\n",
        ),
    ] {
        let sandbox = TestSandbox::with(Options {
            auth_token: TOKEN.into(),
            subaccounts: 45,
            list_fault: fault,
            ..Options::default()
        });
        let mut list = cmd(&sandbox);
        list.args(["subaccounts", "list", "--all"]);
        let (out, err) = output(list, 4);
        assert!(out.starts_with("AUTH ID"), "{out}");
        assert_eq!(
            out.lines().count(),
            rows + 2,
            "header, rows, a count: {out}"
        );
        assert_eq!(err, said);
        assert!(sandbox.handle.requests() <= 5, "{fault:?}");
    }
}
