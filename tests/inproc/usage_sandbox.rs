//! The usage record lists (calls, messages, numbers) between the client and
//! the sandbox, over real HTTP: Plivo's rules as the sandbox keeps them,
//! and the client reading them.

use crate::support;

use std::collections::HashSet;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};
use plivo_dash::plivo::{
    ApiError, Call, CallQuery, Client, Direction, Message, MessageQuery, Number, NumberQuery,
    RecordQuery, TimeRange, filter_time,
};
use plivo_dash::sandbox::{Handle, Options};
use rust_decimal::Decimal;
use rust_decimal::dec;
use serde_json::Value;
use support::{TOKEN, sandbox_and_client};

/// A sandbox with `days` of seeded traffic and three subaccounts.
async fn with_traffic(days: u32) -> (Handle, Client) {
    sandbox_and_client(Options {
        traffic_days: days,
        subaccounts: 3,
        ..Options::default()
    })
    .await
}

/// `GET path` (from the account's root, or a whole `/v1/…` link) as
/// sent by hand: the status, the Retry-After header, the body.
async fn get(handle: &Handle, path: &str) -> (u16, Option<String>, Value) {
    let url = if path.starts_with("/v1/") {
        format!("{}{path}", handle.base_url)
    } else {
        format!("{}/v1/Account/{}/{path}", handle.base_url, handle.auth_id)
    };
    let response = reqwest::Client::new()
        .get(url)
        .basic_auth(&handle.auth_id, Some(TOKEN))
        .send()
        .await
        .expect("an answer");
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().expect("ascii").to_owned());
    let body = response.json().await.expect("a JSON body");
    (status, retry_after, body)
}

fn ago(days: i64) -> Timestamp {
    Timestamp::now() - SignedDuration::from_hours(24 * days)
}

fn calls(time: TimeRange) -> CallQuery {
    CallQuery(RecordQuery {
        time,
        ..RecordQuery::default()
    })
}

fn is_plivo_error(body: &Value) -> bool {
    body["api_id"].is_string() && body["error"].as_str().is_some_and(|e| !e.is_empty())
}

#[tokio::test]
async fn a_page_over_twenty_is_a_400_and_the_client_refuses_it_unsent() {
    let (handle, client) = with_traffic(1).await;
    for list in ["Call", "Message", "Number"] {
        let (status, _, body) = get(&handle, &format!("{list}/?limit=21")).await;
        assert_eq!(status, 400, "{list}: {body}");
        assert!(is_plivo_error(&body), "{list}: {body}");
        let (status, _, body) = get(&handle, &format!("{list}/?limit=20")).await;
        assert_eq!(status, 200, "{list}: {body}");
    }
    let sent = handle.requests();
    let query = CallQuery(RecordQuery {
        limit: 21,
        ..RecordQuery::default()
    });
    let refused = client
        .list_records::<Call>(&query, 0)
        .await
        .expect_err("refused");
    assert!(matches!(refused, ApiError::InvalidQuery(_)), "{refused}");
    assert!(refused.to_string().contains("limit 21"), "{refused}");
    let refused = client
        .all_records::<Call>(&query, |_| {})
        .await
        .expect_err("refused");
    assert!(matches!(refused, ApiError::InvalidQuery(_)), "{refused}");
    assert_eq!(handle.requests(), sent, "nothing was sent");
}

#[tokio::test]
async fn a_call_range_wider_than_thirty_days_is_a_400() {
    let (handle, client) = with_traffic(40).await;
    let wide = calls(TimeRange::between(ago(31), ago(0)));
    let refused = client
        .list_records::<Call>(&wide, 0)
        .await
        .expect_err("too wide");
    assert!(
        matches!(refused, ApiError::InvalidRequest { status: 400, .. }),
        "{refused}"
    );
    assert!(refused.to_string().contains("30 days"), "{refused}");
    // A lower bound alone reaches to now.
    let from = filter_time(ago(31));
    let (status, _, body) = get(&handle, &format!("Call/?end_time__gte={from}")).await;
    assert_eq!(status, 400, "{body}");
    // Thirty days is allowed, and messages have no such rule.
    let month = calls(TimeRange::between(ago(30), ago(0)));
    let page = client
        .list_records::<Call>(&month, 0)
        .await
        .expect("30 days");
    assert!(page.meta.total_count.expect("a count") > 2_500);
    let wide = MessageQuery(RecordQuery {
        time: TimeRange::between(ago(35), ago(0)),
        ..RecordQuery::default()
    });
    client
        .list_records::<Message>(&wide, 0)
        .await
        .expect("messages over 35 days");
}

#[tokio::test]
async fn nothing_older_than_ninety_days_is_served() {
    let (handle, client) = with_traffic(100).await;
    let old = calls(TimeRange::between(ago(99), ago(91)));
    let page = client.list_records::<Call>(&old, 0).await.expect("a page");
    assert_eq!(page.meta.total_count, Some(0));
    assert!(page.objects.is_empty());
    let kept = calls(TimeRange::between(ago(89), ago(81)));
    let page = client.list_records::<Call>(&kept, 0).await.expect("a page");
    assert!(page.meta.total_count.expect("a count") > 700);
    // Straddling the edge: only the part inside 90 days.
    let edge = calls(TimeRange::between(ago(95), ago(88)));
    let listed = client
        .all_records::<Call>(&edge, |_| {})
        .await
        .expect("a list");
    let oldest = listed
        .objects
        .iter()
        .map(|c| c.end_time)
        .min()
        .expect("some");
    assert!(
        oldest >= ago(90) - SignedDuration::from_secs(60),
        "{oldest}"
    );
    assert!(oldest < ago(89), "{oldest}");
    drop(handle);
}

#[tokio::test]
async fn without_a_time_filter_calls_are_the_last_week_and_messages_the_last_day() {
    let (_handle, client) = with_traffic(10).await;
    let week = client
        .all_records::<Call>(&CallQuery::default(), |_| {})
        .await
        .expect("calls");
    assert_eq!(week.disagreement, None);
    let oldest = week
        .objects
        .iter()
        .map(|c| c.end_time)
        .min()
        .expect("calls");
    let newest = week
        .objects
        .iter()
        .map(|c| c.end_time)
        .max()
        .expect("calls");
    assert!(oldest >= ago(7), "{oldest}");
    assert!(oldest < ago(6), "reaches a week back: {oldest}");
    assert!(newest > ago(1), "{newest}");
    assert!(
        (600..=800).contains(&week.objects.len()),
        "{}",
        week.objects.len()
    );
    let first = client
        .list_records::<Message>(&MessageQuery::default(), 0)
        .await
        .expect("messages");
    let total = first.meta.total_count.expect("a count");
    assert!((100..=200).contains(&total), "one day's: {total}");
    assert!(first.objects.iter().all(|m| m.message_time >= ago(1)));
}

#[tokio::test]
async fn the_message_list_takes_20_requests_a_window_then_429_with_retry_after() {
    let (handle, client) = sandbox_and_client(Options {
        traffic_days: 1,
        message_window: Duration::from_secs(2),
        ..Options::default()
    })
    .await;
    for i in 0..20 {
        let (status, _, body) = get(&handle, "Message/?limit=1").await;
        assert_eq!(status, 200, "request {i}: {body}");
    }
    let (status, retry_after, body) = get(&handle, "Message/?limit=1").await;
    assert_eq!(status, 429, "{body}");
    assert!(is_plivo_error(&body), "{body}");
    let wait: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
    assert!((1..=2).contains(&wait), "{wait}");
    // Only the message list is held to it.
    for _ in 0..25 {
        let (status, _, _) = get(&handle, "Call/?limit=1").await;
        assert_eq!(status, 200);
    }
    match client
        .list_records::<Message>(&MessageQuery::default(), 0)
        .await
    {
        Err(ApiError::RateLimited { retry_after }) => {
            assert!(retry_after.is_some_and(|d| d <= Duration::from_secs(2)));
        }
        other => panic!("{other:?}"),
    }
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let (status, _, body) = get(&handle, "Message/?limit=1").await;
    assert_eq!(status, 200, "the window has passed: {body}");
}

#[tokio::test]
async fn the_message_list_keeps_plivos_minute_by_default() {
    let (handle, _client) = with_traffic(0).await;
    for _ in 0..20 {
        assert_eq!(get(&handle, "Message/").await.0, 200);
    }
    let (status, retry_after, _) = get(&handle, "Message/").await;
    assert_eq!(status, 429);
    let wait: u64 = retry_after.expect("Retry-After").parse().expect("seconds");
    assert!((55..=60).contains(&wait), "{wait}");
}

#[tokio::test]
async fn pages_walk_newest_first_by_next_and_back_by_previous() {
    let (handle, client) = with_traffic(3).await;
    let day = filter_time(ago(1));
    let first = format!("Call/?end_time__gte={}&limit=20", day.replace(' ', "%20"));
    let (status, _, mut page) = get(&handle, &first).await;
    assert_eq!(status, 200, "{page}");
    assert!(page["meta"]["previous"].is_null());
    let total = page["meta"]["total_count"].as_u64().expect("a count");
    let mut seen = Vec::new();
    let mut pages = vec![page.clone()];
    loop {
        for object in page["objects"].as_array().expect("objects") {
            seen.push((
                object["end_time"].as_str().expect("a time").to_owned(),
                object["call_uuid"].as_str().expect("a uuid").to_owned(),
            ));
        }
        let Some(next) = page["meta"]["next"].as_str().map(str::to_owned) else {
            break;
        };
        assert!(
            next.contains("end_time__gte="),
            "the filter is kept: {next}"
        );
        page = get(&handle, &next).await.2;
        pages.push(page.clone());
    }
    assert_eq!(seen.len() as u64, total);
    let ids: HashSet<&String> = seen.iter().map(|(_, id)| id).collect();
    assert_eq!(ids.len(), seen.len(), "no record twice");
    let times: Vec<Timestamp> = seen
        .iter()
        .map(|(t, _)| t.replace(' ', "T").parse().expect("a time"))
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first");
    // Back from the last page by `previous`, to the first.
    let mut back = pages.last().expect("pages").clone();
    for expected in pages.iter().rev().skip(1) {
        let previous = back["meta"]["previous"].as_str().expect("a previous");
        back = get(&handle, previous).await.2;
        assert_eq!(back["objects"], expected["objects"]);
    }
    // The client, reading the same range whole, agrees.
    let from = plivo_dash::plivo::parse_time(&day).expect("a time");
    let mut pages_seen = 0;
    let listed = client
        .all_records::<Call>(
            &calls(TimeRange {
                gte: Some(from),
                ..TimeRange::default()
            }),
            |_| pages_seen += 1,
        )
        .await
        .expect("the list");
    assert_eq!(listed.disagreement, None);
    assert_eq!(listed.objects.len(), seen.len());
    assert_eq!(pages_seen, pages.len());
}

#[tokio::test]
async fn the_records_add_up_to_exactly_what_the_balance_lost() {
    let mut account = plivo_dash::sandbox::demo_account();
    account.cash_credits = dec!(3.00000);
    let opening = account.cash_credits;
    let (handle, client) = sandbox_and_client(Options {
        account,
        subaccounts: 2,
        drain_per_min: dec!(600),
        ..Options::default()
    })
    .await;
    let started = Timestamp::now() - SignedDuration::from_secs(5);
    // Partway: what was spent so far is what the records so far cost.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let (partway, spent_partway) = {
        let credits = client
            .get_account()
            .await
            .expect("the account")
            .cash_credits;
        (credits, spent(&client, started).await)
    };
    assert!(partway < opening, "{partway}");
    assert!(spent_partway >= opening - partway, "{spent_partway}");
    // 10 USD a second: the credit is gone within the second.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let credits = client
        .get_account()
        .await
        .expect("the account")
        .cash_credits;
    assert_eq!(credits, Decimal::ZERO);
    assert_eq!(spent(&client, started).await, opening);
    drop(handle);
}

#[tokio::test]
async fn a_pumping_burst_alone_drains_the_balance_by_what_its_records_cost() {
    let mut account = plivo_dash::sandbox::demo_account();
    account.cash_credits = dec!(0.12000);
    let opening = account.cash_credits;
    // No drain: the burst is the only traffic.
    let (handle, client) = sandbox_and_client(Options {
        account,
        subaccounts: 2,
        pumping: Some(plivo_dash::sandbox::Pumping::starting(Duration::ZERO)),
        ..Options::default()
    })
    .await;
    let started = Timestamp::now() - SignedDuration::from_secs(5);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let partway = client
        .get_account()
        .await
        .expect("the account")
        .cash_credits;
    assert!(partway < opening, "the first SMS is paid for: {partway}");
    assert!(spent(&client, started).await >= opening - partway);
    // 0.05 USD every half second: the third SMS takes the 0.02 left.
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let credits = client
        .get_account()
        .await
        .expect("the account")
        .cash_credits;
    assert_eq!(credits, Decimal::ZERO);
    assert_eq!(spent(&client, started).await, opening);
    drop(handle);
}

/// What every call and message since `from` cost.
async fn spent(client: &Client, from: Timestamp) -> Decimal {
    let range = TimeRange {
        gte: Some(from),
        ..TimeRange::default()
    };
    let calls = client
        .all_records::<Call>(&calls(range), |_| {})
        .await
        .expect("calls");
    let message_query = MessageQuery(RecordQuery {
        time: range,
        ..RecordQuery::default()
    });
    let messages = client
        .all_records::<Message>(&message_query, |_| {})
        .await
        .expect("messages");
    assert_eq!(calls.disagreement, None);
    assert_eq!(messages.disagreement, None);
    calls
        .objects
        .iter()
        .map(|c| c.total_amount)
        .sum::<Decimal>()
        + messages
            .objects
            .iter()
            .map(|m| m.total_amount)
            .sum::<Decimal>()
}

#[tokio::test]
async fn the_subaccount_filter_gives_that_subaccounts_records_and_numbers() {
    let (handle, client) = with_traffic(3).await;
    let range = TimeRange::between(ago(3), ago(0));
    let all = client
        .all_records::<Call>(&calls(range), |_| {})
        .await
        .expect("calls");
    let numbers = client
        .all_records::<Number>(&NumberQuery::default(), |_| {})
        .await
        .expect("numbers");
    let mut owned = 0;
    for (sub, _, _) in handle.subaccounts() {
        let query = CallQuery(RecordQuery {
            subaccount: Some(sub.clone()),
            time: range,
            ..RecordQuery::default()
        });
        let theirs = client
            .all_records::<Call>(&query, |_| {})
            .await
            .expect("their calls");
        assert!(!theirs.objects.is_empty(), "{sub} makes calls");
        assert!(theirs.objects.iter().all(|c| all.objects.contains(c)));
        owned += theirs.objects.len();
        // Their numbers carry their id, and every call through one of
        // them is among theirs.
        let rented: Vec<String> = numbers
            .objects
            .iter()
            .filter(|n| n.sub_account.as_ref().is_some_and(|s| s.as_str() == sub))
            .map(|n| n.number.as_str().to_owned())
            .collect();
        let only_theirs = client
            .all_records::<Number>(
                &NumberQuery {
                    subaccount: Some(sub.clone()),
                    ..NumberQuery::default()
                },
                |_| {},
            )
            .await
            .expect("their numbers");
        assert_eq!(
            only_theirs
                .objects
                .iter()
                .map(|n| n.number.as_str().to_owned())
                .collect::<Vec<_>>(),
            rented
        );
        let through = |c: &&Call| {
            let ours = match c.call_direction {
                Direction::Outbound => c.from_number.as_str(),
                _ => c.to_number.as_str(),
            };
            rented.iter().any(|n| n == ours)
        };
        let through_theirs = all.objects.iter().filter(through).count();
        assert_eq!(
            theirs.objects.iter().filter(through).count(),
            through_theirs,
            "{sub}"
        );
    }
    assert!(owned < all.objects.len(), "the main account calls too");
    let unknown = CallQuery(RecordQuery {
        subaccount: Some("SAZZZZZZZZZZZZZZZZZZ".to_owned()),
        ..RecordQuery::default()
    });
    let refused = client
        .list_records::<Call>(&unknown, 0)
        .await
        .expect_err("not theirs");
    assert!(
        matches!(refused, ApiError::InvalidRequest { status: 400, .. }),
        "{refused}"
    );
}

#[tokio::test]
async fn direction_and_number_filters_keep_only_what_matches() {
    let (_handle, client) = with_traffic(3).await;
    let range = TimeRange::between(ago(3), ago(0));
    let numbers = client
        .all_records::<Number>(&NumberQuery::default(), |_| {})
        .await
        .expect("numbers");
    assert!(numbers.objects.len() >= 5);
    assert!(
        numbers
            .objects
            .iter()
            .all(|n| n.monthly_rental_rate > Decimal::ZERO)
    );
    let ours = numbers.objects[0].number.as_str().to_owned();
    let inbound = MessageQuery(RecordQuery {
        direction: Some(Direction::Inbound),
        to_number: Some(ours.clone()),
        time: range,
        ..RecordQuery::default()
    });
    let received = client
        .list_records::<Message>(&inbound, 0)
        .await
        .expect("messages");
    assert!(!received.objects.is_empty());
    assert!(
        received
            .objects
            .iter()
            .all(|m| { m.message_direction == Direction::Inbound && m.to_number.as_str() == ours })
    );
    let outbound = CallQuery(RecordQuery {
        direction: Some(Direction::Outbound),
        from_number: Some(format!("+{ours}")),
        time: range,
        ..RecordQuery::default()
    });
    let made = client
        .all_records::<Call>(&outbound, |_| {})
        .await
        .expect("calls");
    assert!(!made.objects.is_empty());
    assert!(
        made.objects
            .iter()
            .all(|c| { c.call_direction == Direction::Outbound && c.from_number.as_str() == ours })
    );
    // Each record is there by its id too, the same.
    let call = &made.objects[0];
    assert_eq!(
        &client
            .get_record::<Call>(call.call_uuid.as_str())
            .await
            .expect("the call"),
        call
    );
    let message = &received.objects[0];
    assert_eq!(
        &client
            .get_record::<Message>(message.message_uuid.as_str())
            .await
            .expect("the message"),
        message
    );
    assert_eq!(
        client
            .get_record::<Number>(&ours)
            .await
            .expect("the number")
            .number,
        ours.as_str()
    );
}

#[tokio::test]
async fn the_client_reads_the_message_list_at_its_pace_of_20_a_minute() {
    let (handle, client) = with_traffic(1).await;
    let query = MessageQuery(RecordQuery {
        time: TimeRange {
            gte: Some(Timestamp::now() - SignedDuration::from_hours(4)),
            ..TimeRange::default()
        },
        limit: 10,
        ..RecordQuery::default()
    });
    let started = std::time::Instant::now();
    let mut pages = 0u32;
    let listed = client
        .all_records::<Message>(&query, |_| pages += 1)
        .await
        .expect("the messages");
    let took = started.elapsed();
    assert_eq!(listed.disagreement, None);
    assert!(pages >= 2, "{pages} pages");
    // A page every 3 s: 20 a minute, never a 429.
    assert!(
        took >= Duration::from_secs(3) * (pages - 1),
        "{pages} pages in {took:?}"
    );
    drop(handle);
}

#[tokio::test]
async fn a_record_list_that_breaks_its_promises_still_ends_and_says_so() {
    use plivo_dash::sandbox::ListFault;
    for (fault, said) in [
        (ListFault::RepeatNext, "a page repeated one already read"),
        (ListFault::SameObjects, "a page repeated one already read"),
        (ListFault::EmptyFrom(40), "a page came back empty early"),
        (ListFault::Total(5), "the server counted 5 but"),
    ] {
        let (handle, client) = sandbox_and_client(Options {
            traffic_days: 2,
            list_fault: fault,
            ..Options::default()
        })
        .await;
        let listed = client
            .all_records::<Call>(&CallQuery::default(), |_| {})
            .await
            .expect("a list, whatever the pages say");
        let disagreement = listed.disagreement.expect("said").to_string();
        assert!(disagreement.contains(said), "{fault:?}: {disagreement}");
        let ids: HashSet<&str> = listed
            .objects
            .iter()
            .map(|c| c.call_uuid.as_str())
            .collect();
        assert_eq!(ids.len(), listed.objects.len(), "{fault:?}: each once");
        assert!(
            handle.requests() < 40,
            "{fault:?}: {} requests",
            handle.requests()
        );
    }
}

#[tokio::test]
async fn messages_are_sms_mms_and_whatsapp_both_ways_and_filter_by_type() {
    let (handle, _client) = with_traffic(3).await;
    let since = filter_time(ago(3));
    let mut seen = HashSet::new();
    for kind in ["sms", "mms", "whatsapp"] {
        let (status, _, body) = get(
            &handle,
            &format!("Message/?message_time__gte={since}&message_type={kind}&limit=20"),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let objects = body["objects"].as_array().expect("objects");
        assert_eq!(objects.len(), 20, "{kind}: a full page of them");
        for m in objects {
            assert_eq!(m["message_type"], kind, "{m}");
            let direction = m["message_direction"].as_str().expect("a direction");
            seen.insert((kind, direction.to_owned()));
            if kind == "mms" {
                assert_eq!(m["destination_country_iso2"], "US", "MMS is US only: {m}");
            }
        }
    }
    // Every product shows up across the seeded days.
    let products: Vec<String> = handle
        .served_by_product(ago(3), ago(0))
        .into_keys()
        .collect();
    assert_eq!(products.len(), 8, "{products:?}");
    assert!(seen.len() >= 4, "{seen:?}");
    let (status, _, body) = get(&handle, "Message/?message_type=fax").await;
    assert_eq!(status, 400);
    assert!(is_plivo_error(&body), "{body}");
}

#[tokio::test]
async fn the_seeded_weeks_balance_is_what_its_records_spent_and_its_top_ups_added() {
    let step = Duration::from_secs(300);
    let (plain, _) = with_traffic(7).await;
    let opening = plain.account().cash_credits;
    let points = plain.balance_history(step);
    let (first, last) = (points[0], points[points.len() - 1]);
    assert_eq!(last.1, opening, "it ends where the sandbox starts");
    assert!(
        last.0.duration_since(first.0) >= SignedDuration::from_hours(7 * 24 - 1),
        "a week: {first:?} to {last:?}"
    );
    // Without top-ups, each step falls by what the records in it cost.
    for pair in points.windows(2) {
        let ((from, before), (to, after)) = (pair[0], pair[1]);
        let spent = plain.served(true, from, to).1 + plain.served(false, from, to).1;
        assert_eq!(before - after, spent, "{from} to {to}");
    }

    let recharge = plivo_dash::sandbox::Recharge {
        below: dec!(1.10),
        amount: dec!(0.75),
    };
    let (topped, _) = sandbox_and_client(Options {
        traffic_days: 7,
        recharge: Some(recharge),
        ..Options::default()
    })
    .await;
    let points = topped.balance_history(step);
    assert_eq!(points.last().map(|p| p.1), Some(opening));
    // Topped up as auto-recharge would: never a whole top-up above its
    // trigger, and the week's spend far more than the balance ever held.
    assert!(
        points
            .iter()
            .all(|(_, b)| *b < recharge.below + recharge.amount),
        "{points:?}"
    );
    assert!(points.iter().any(|(_, b)| *b < opening));
}
