//! The usage screen: keys that ask the worker for a view (window, narrow,
//! widen), its reports redrawing it, its drawing on a TestBackend
//! (snapshots plus text, bars and colours), and the worker reading a view
//! from a real store that a sync filled over the sandbox.

use crate::support;

use std::time::Duration;

use jiff::Timestamp;
use plivo_dash::app::{App, Msg};
use plivo_dash::screens::Screen;
use plivo_dash::screens::usage::{Tab, UsageScreen};
use plivo_dash::store::{self, GroupBy, Narrow, Store, Total};
use plivo_dash::usage::view::{Query, View, Window};
use plivo_dash::worker::usage::{self as sync_worker, List, Status};
use plivo_dash::worker::{self, Report, Request};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;
use rust_decimal::Decimal;
use support::app::*;

fn total(key: Option<&str>, count: u64, cents: i64) -> Total {
    Total {
        key: key.map(str::to_owned),
        count,
        amount: Decimal::new(cents, 2),
    }
}

/// A day of spend: every product, three subaccounts (one named to attack
/// the terminal), countries with one unknown, a few numbers.
fn view(query: &Query) -> View {
    let products = vec![
        total(Some("sms-outbound"), 9_000, 4_250),
        total(Some("voice-outbound"), 1_200, 2_810),
        total(Some("whatsapp-outbound"), 800, 640),
        total(Some("mms-outbound"), 120, 310),
        total(Some("voice-inbound"), 400, 220),
        total(Some("sms-inbound"), 300, 0),
        total(Some("mms-inbound"), 10, 0),
        total(Some("whatsapp-inbound"), 5, 0),
    ];
    let subaccounts = vec![
        total(Some("SA0000000000000000C1"), 6_000, 4_000),
        total(None, 4_000, 2_930),
        total(Some("SA\u{1b}[31mEVIL\u{7}"), 1_835, 1_300),
    ];
    let countries = vec![
        total(Some("US"), 7_000, 3_100),
        total(Some("ID"), 3_000, 2_900),
        total(Some("GB"), 1_800, 2_100),
        total(None, 35, 130),
    ];
    let numbers = vec![
        total(Some("14155550100"), 5_000, 4_100),
        total(Some("14155550101"), 4_000, 3_000),
        total(Some("14155550102"), 2_835, 1_130),
    ];
    View {
        query: query.clone(),
        from: now() - jiff::SignedDuration::from_hours(24),
        to: now(),
        unattributed: subaccounts[1].clone(),
        no_country: countries[3].clone(),
        total: total(None, 11_835, 8_230),
        number_count: 140,
        products,
        subaccounts,
        countries,
        numbers,
        rentals: None,
    }
}

fn screen(app: &App) -> &UsageScreen {
    match app.screens.top() {
        Screen::Usage(s) => s,
        _ => panic!("the usage screen is on top"),
    }
}

/// The account, synced 40 s ago, with the usage screen open (`u`); the
/// requests it made.
fn opened() -> (App, Vec<Request>) {
    let mut app = loaded();
    app.update(Msg::Worker(Report::Usage(Status::Synced {
        at: now() - jiff::SignedDuration::from_secs(40),
        records: 10,
    })));
    let out = app.update(key(KeyCode::Char('u')));
    (app, out.requests)
}

/// Answers the question the screen asked last.
fn answer(app: &mut App) -> bool {
    let query = screen(app).query.clone();
    let out = app.update(Msg::Worker(Report::UsageView {
        view: Ok(Box::new(view(&query))),
        query,
    }));
    out.redraw
}

fn draw(app: &App, w: u16, h: u16) -> (String, Buffer) {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| app.render(f)).expect("draw");
    let buffer = t.backend().buffer().clone();
    (screen_text(&buffer), buffer)
}

fn asked(requests: &[Request]) -> &Query {
    match requests {
        [Request::UsageView(query)] => query,
        other => panic!("one view asked for, not {other:?}"),
    }
}

#[test]
fn u_opens_the_screen_asking_for_the_last_day_in_the_accounts_zone() {
    let (app, requests) = opened();
    let query = asked(&requests);
    assert_eq!(query.window, Window::Day);
    assert_eq!(query.narrow, None);
    assert_eq!(
        query.zone,
        app.account.as_ref().expect("loaded").timezone,
        "the month is the account's"
    );
    assert!(screen(&app).loading);
}

#[test]
fn w_switches_the_window_and_asks_for_it_and_an_old_answer_is_dropped() {
    let (mut app, _) = opened();
    assert!(answer(&mut app));
    let stale = screen(&app).query.clone();
    let out = app.update(key(KeyCode::Char('w')));
    assert_eq!(asked(&out.requests).window, Window::Month);
    let out = app.update(key(KeyCode::Char('w')));
    assert_eq!(asked(&out.requests).window, Window::Hour);
    // The day's answer, late, is not the hour's.
    let mut late = view(&stale);
    late.total = total(None, 1, 99_999);
    app.update(Msg::Worker(Report::UsageView {
        query: stale,
        view: Ok(Box::new(late)),
    }));
    assert!(screen(&app).loading, "still waiting for the hour");
    let (text, _) = draw(&app, 120, 40);
    assert!(!text.contains("$999.99"), "{text}");
    answer(&mut app);
    let (text, _) = draw(&app, 120, 40);
    assert!(text.contains("Usage · last hour"), "{text}");
    assert!(!screen(&app).loading);
}

#[test]
fn enter_on_a_country_narrows_the_others_to_it_and_esc_widens_then_goes_back() {
    let (mut app, _) = opened();
    answer(&mut app);
    // Enter on products narrows nothing: it says where it does.
    let out = app.update(key(KeyCode::Enter));
    assert!(out.requests.is_empty());
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    assert_eq!(screen(&app).tab, Tab::Countries);
    app.update(key(KeyCode::Down));
    let out = app.update(key(KeyCode::Enter));
    let query = asked(&out.requests).clone();
    assert_eq!(query.narrow, Some(Narrow::Country(Some("ID".to_owned()))));
    assert_eq!(screen(&app).tab, Tab::Products, "the others, narrowed");
    answer(&mut app);
    let (text, _) = draw(&app, 120, 40);
    assert!(text.contains("only country ID (Esc widens)"), "{text}");
    insta::assert_snapshot!("usage_narrowed", text);
    let out = app.update(key(KeyCode::Esc));
    assert_eq!(asked(&out.requests).narrow, None);
    assert!(
        matches!(app.screens.top(), Screen::Usage(_)),
        "widened, not gone"
    );
    app.update(key(KeyCode::Esc));
    assert!(matches!(app.screens.top(), Screen::Account(_)));
}

#[test]
fn the_unattributed_row_narrows_to_the_records_of_no_subaccount() {
    let (mut app, _) = opened();
    answer(&mut app);
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Down));
    let out = app.update(key(KeyCode::Enter));
    assert_eq!(asked(&out.requests).narrow, Some(Narrow::Subaccount(None)));
}

#[test]
fn each_table_with_its_bars_at_120_by_40() {
    let (mut app, _) = opened();
    answer(&mut app);
    let (text, buffer) = draw(&app, 120, 40);
    insta::assert_snapshot!("usage_products", text);
    assert!(text.contains("synced 40 s ago"), "{text}");
    assert!(text.contains("$82.30 in 11,835 records"), "{text}");
    assert!(
        text.contains("no subaccount found for $29.30 (4,000 records)"),
        "{text}"
    );
    // SMS, the costliest, has the longest bar, drawn in the key colour.
    let sms = text
        .lines()
        .position(|l| l.contains("sms-outbound"))
        .expect("row");
    let bars: Vec<usize> = text
        .lines()
        .map(|l| l.chars().filter(|c| *c == '█').count())
        .collect();
    assert!(
        bars[sms] > 0 && bars.iter().all(|b| *b <= bars[sms]),
        "{text}"
    );
    let bar_x = (0..120u16)
        .find(|x| buffer[(*x, u16::try_from(sms).expect("row"))].symbol() == "█")
        .expect("a bar");
    assert_eq!(
        buffer[(bar_x, u16::try_from(sms).expect("row"))].fg,
        Color::Cyan
    );
    for (tab, name) in [
        (1, "usage_subaccounts"),
        (2, "usage_countries"),
        (3, "usage_numbers"),
    ] {
        app.update(key(KeyCode::Tab));
        assert_eq!(screen(&app).tab, Tab::ALL[tab]);
        let (text, _) = draw(&app, 120, 40);
        insta::assert_snapshot!(name, text);
    }
    let (text, _) = draw(&app, 120, 40);
    assert!(text.contains("the costliest 3 of 140 numbers"), "{text}");
}

#[test]
fn a_hostile_subaccount_name_is_drawn_harmless() {
    let (mut app, _) = opened();
    answer(&mut app);
    app.update(key(KeyCode::Tab));
    let (text, _) = draw(&app, 120, 40);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text}"
    );
    assert!(text.contains("EVIL"), "{text}");
    assert!(text.contains("unattributed"), "{text}");
}

#[test]
fn sorting_and_filtering_reorder_and_narrow_the_rows_shown() {
    let (mut app, _) = opened();
    answer(&mut app);
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    let labels = |app: &App| -> Vec<String> {
        screen(app)
            .visible()
            .iter()
            .map(|r| r.label.as_str().to_owned())
            .collect()
    };
    assert_eq!(labels(&app), ["US", "ID", "GB", "unknown"]);
    app.update(key(KeyCode::Char('o')));
    assert_eq!(labels(&app), ["GB", "ID", "unknown", "US"], "by name");
    app.update(key(KeyCode::Char('/')));
    type_str(&mut app, "i");
    app.update(key(KeyCode::Enter));
    assert_eq!(labels(&app), ["ID"]);
    let (text, _) = draw(&app, 120, 40);
    assert!(text.contains("filter: i"), "{text}");
    insta::assert_snapshot!("usage_filtered", text);
    // Esc clears the kept filter first, as on the other tables, and stays.
    let out = app.update(key(KeyCode::Esc));
    assert!(out.requests.is_empty(), "nothing to read again");
    assert_eq!(labels(&app), ["GB", "ID", "unknown", "US"]);
    assert!(matches!(app.screens.top(), Screen::Usage(_)));
    app.update(key(KeyCode::Esc));
    assert!(matches!(app.screens.top(), Screen::Account(_)));
}

#[test]
fn an_empty_store_says_there_is_no_spend_and_a_small_terminal_still_draws() {
    let (mut app, _) = opened();
    let query = screen(&app).query.clone();
    let mut empty = view(&query);
    for rows in [
        &mut empty.products,
        &mut empty.subaccounts,
        &mut empty.countries,
        &mut empty.numbers,
    ] {
        rows.clear();
    }
    empty.total = total(None, 0, 0);
    empty.unattributed = total(None, 0, 0);
    empty.no_country = total(None, 0, 0);
    empty.number_count = 0;
    app.update(Msg::Worker(Report::UsageView {
        query,
        view: Ok(Box::new(empty)),
    }));
    let (text, _) = draw(&app, 120, 40);
    assert!(
        text.contains("No spend stored for the last 24 h."),
        "{text}"
    );
    insta::assert_snapshot!("usage_empty", text);
    answer(&mut app);
    app.update(Msg::Resize(80, 22));
    let (text, _) = draw(&app, 80, 22);
    insta::assert_snapshot!("usage_small", text);
}

#[test]
fn a_back_fill_is_said_and_its_end_asks_for_the_view_again() {
    let (mut app, _) = opened();
    answer(&mut app);
    let out = app.update(Msg::Worker(Report::Usage(Status::Backfilling {
        list: List::Calls,
        done: 12,
        of: 31,
    })));
    assert!(out.redraw, "the screen says it");
    let (text, _) = draw(&app, 120, 40);
    assert!(
        text.contains("back-filling calls: 12 of ~31 days"),
        "{text}"
    );
    insta::assert_snapshot!("usage_backfilling", text);
    let out = app.update(Msg::Worker(Report::Usage(Status::Synced {
        at: now(),
        records: 200,
    })));
    let view: Vec<&Request> = out
        .requests
        .iter()
        .filter(|r| matches!(r, Request::UsageView(_)))
        .collect();
    assert!(
        matches!(view[..], [Request::UsageView(q)] if q.window == Window::Day),
        "read again: {:?}",
        out.requests
    );
}

#[test]
fn a_store_that_cannot_be_read_says_why() {
    let (mut app, _) = opened();
    let query = screen(&app).query.clone();
    app.update(Msg::Worker(Report::UsageView {
        query,
        view: Err("usage records cannot be read: the store /x/store.sqlite3: locked".to_owned()),
    }));
    let (text, _) = draw(&app, 120, 40);
    assert!(text.contains("⚠ usage records cannot be read"), "{text}");
}

#[test]
fn u_on_the_fleet_opens_the_selected_account_on_its_usage_screen() {
    use plivo_dash::app::fleet::{Fleet, FleetMsg, Member};
    let member = |profile: &str| {
        let mut s = session();
        s.in_fleet = true;
        s.profile = Some(profile.into());
        Member::new(profile, None, false, App::new(s, now(), (120, 35), PERIOD))
    };
    let mut fleet = Fleet::new(vec![member("staging"), member("production")], None);
    fleet.update(FleetMsg::Term(Msg::Resize(120, 35)));
    for i in 0..2 {
        fleet.update(FleetMsg::Report(
            i,
            Report::Loaded {
                account: Box::new(plivo_dash::sandbox::demo_account()),
                at: now(),
            },
        ));
    }
    let out = fleet.update(FleetMsg::Term(key(KeyCode::Char('u'))));
    let opened = fleet.opened().expect("an account opened");
    assert!(matches!(opened.screens.top(), Screen::Usage(_)));
    assert!(
        out.requests
            .iter()
            .any(|(_, r)| matches!(r, Request::UsageView(_))),
        "{:?}",
        out.requests
    );
}

/// The worker reads the view from the store a sync filled from the
/// sandbox: the same totals the store gives, narrowed too.
#[tokio::test]
async fn the_worker_reads_a_view_from_the_synced_store() {
    let (_sandbox, client) = support::sandbox_and_client(plivo_dash::sandbox::Options {
        subaccounts: 3,
        traffic_days: 2,
        // Plivo's minute for 20 message pages, scaled down.
        message_window: Duration::from_millis(400),
        ..plivo_dash::sandbox::Options::default()
    })
    .await;
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join(store::FILE_NAME);
    let auth_id = client.auth_id().to_string();
    let mut channels = worker::spawn(
        client,
        worker::Options {
            usage: Some(sync_worker::Options {
                interval: Duration::from_secs(3600),
                spikes: None,
                store: sync_worker::StoreAt::new(path.clone()),
                sync: plivo_dash::usage::sync::Options {
                    depth: plivo_dash::usage::sync::plan::Depth::Days(2),
                    call_gap: Duration::from_millis(1),
                    message_gap: Duration::from_millis(20),
                    ..plivo_dash::usage::sync::Options::default()
                },
            }),
            ..worker::Options::every(Duration::from_secs(3600))
        },
    );
    let next = async |channels: &mut worker::Channels| {
        tokio::time::timeout(Duration::from_secs(60), channels.events.recv())
            .await
            .expect("in time")
            .expect("a report")
    };
    loop {
        match next(&mut channels).await {
            Report::Usage(Status::Synced { .. }) => break,
            Report::Usage(Status::Failed { error } | Status::Unavailable { error }) => {
                panic!("{error}")
            }
            _ => {}
        }
    }
    let query = Query {
        window: Window::Day,
        narrow: None,
        zone: "Asia/Kolkata".to_owned(),
    };
    channels
        .commands
        .send(Request::UsageView(query.clone()))
        .expect("sent");
    let view = loop {
        if let Report::UsageView { query: q, view } = next(&mut channels).await {
            assert_eq!(q, query);
            break view.expect("read");
        }
    };
    let store = Store::open(&path, Timestamp::now()).expect("opens").store;
    let expect = store
        .totals(&auth_id, view.from, view.to, GroupBy::Country)
        .expect("totals");
    assert!(!expect.is_empty(), "the sandbox's day has spend");
    assert_eq!(view.countries, expect);
    assert_eq!(
        view.total.amount,
        expect.iter().map(|t| t.amount).sum::<Decimal>()
    );
    // Narrowed to its costliest country: only that country's products.
    let top = expect[0].key.clone();
    let narrowed = Query {
        narrow: Some(Narrow::Country(top.clone())),
        ..query
    };
    channels
        .commands
        .send(Request::UsageView(narrowed.clone()))
        .expect("sent");
    let view = loop {
        if let Report::UsageView { query: q, view } = next(&mut channels).await {
            assert_eq!(q, narrowed);
            break view.expect("read");
        }
    };
    assert_eq!(view.countries.len(), 1);
    assert_eq!(view.countries[0].key, top);
    assert_eq!(view.total.amount, expect[0].amount);
}

/// What the worker reads after a sync: a day of SMS and calls to three
/// countries, the month so far and a week's rate, two numbers renewing
/// on the 1st.
fn digest() -> plivo_dash::usage::digest::Digest {
    use plivo_dash::usage::ahead::MonthRecords;
    use plivo_dash::usage::forecast::Basis;
    let zone = jiff::tz::TimeZone::get("America/New_York").expect("a zone");
    let number = |n: &str| plivo_dash::store::Number {
        number: n.to_owned(),
        monthly_rental_rate: Decimal::new(80, 2),
        sub_account: None,
        renewal_date: Some("2026-12-01".to_owned()),
        number_type: "local".to_owned(),
        country: Some("US".to_owned()),
    };
    plivo_dash::usage::digest::Digest {
        at: now(),
        ever: vec![total(Some("sms-outbound"), 90_000, 42_000)],
        day_products: vec![
            total(Some("sms-outbound"), 900, 425),
            total(Some("voice-outbound"), 120, 281),
            total(Some("whatsapp-outbound"), 80, 64),
            total(Some("mms-inbound"), 8, 0),
        ],
        day_countries: vec![
            total(Some("US"), 700, 310),
            total(Some("ID"), 300, 290),
            total(Some("GB"), 100, 170),
        ],
        month: MonthRecords {
            now: now(),
            zone,
            spent: vec![
                total(Some("sms-outbound"), 9_000, 3_000),
                total(Some("voice-outbound"), 1_000, 1_000),
            ],
            trailing: vec![
                total(Some("sms-outbound"), 2_000, 2_100),
                total(Some("voice-outbound"), 700, 700),
            ],
            basis: Basis::at(
                now(),
                Some(now() - jiff::SignedDuration::from_hours(30 * 24)),
            ),
            numbers: vec![number("14155550100"), number("14155550101")],
            covered: Some(now() - jiff::SignedDuration::from_hours(60 * 24)),
            newest: Some(now()),
        },
    }
}

fn account_with(credits: i64, auto_recharge: bool) -> App {
    let mut account = plivo_dash::sandbox::demo_account();
    account.cash_credits = Decimal::new(credits, 2);
    account.auto_recharge = auto_recharge;
    account.timezone = "America/New_York".to_owned();
    let mut app = loaded_with(account);
    let out = app.update(Msg::Worker(Report::Digest(Ok(Box::new(digest())))));
    assert!(out.redraw, "the account screen shows it");
    app
}

#[test]
fn where_it_goes_lists_the_days_products_and_destinations_and_the_month_ahead() {
    let app = account_with(4_000, false);
    let (text, _) = draw(&app, 120, 40);
    insta::assert_snapshot!("where_it_goes", text);
    for said in [
        "Where it goes · last 24 h $7.70",
        "sms-outbound",
        "to US",
        "The month ahead · so far $40.00",
        "balance after the 1st ≈",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
    assert!(
        !text.contains("mms-inbound"),
        "nothing spent, not listed: {text}"
    );
    assert!(!text.contains('⚠'), "{text}");
}

#[test]
fn where_it_goes_warns_in_red_when_the_1st_would_overdraw_without_auto_recharge() {
    let app = account_with(500, false);
    let (text, buffer) = draw(&app, 120, 40);
    let row = text
        .lines()
        .position(|l| l.contains("⚠ below zero after the 1st, and auto-recharge is off"))
        .unwrap_or_else(|| panic!("the warning: {text}"));
    let line = text.lines().nth(row).expect("row");
    let x = line.chars().position(|c| c == '⚠').expect("sign");
    assert_eq!(
        buffer[(u16::try_from(x).expect("x"), u16::try_from(row).expect("y"))].fg,
        Color::Red
    );
    // With auto-recharge on, Plivo tops it up: no warning.
    let (text, _) = draw(&account_with(500, true), 120, 40);
    assert!(!text.contains('⚠'), "{text}");
}

#[test]
fn where_it_goes_fits_a_small_terminal_keeping_the_warning() {
    let mut app = account_with(500, false);
    app.update(Msg::Resize(80, 22));
    let (text, _) = draw(&app, 80, 22);
    insta::assert_snapshot!("where_it_goes_small", text);
    assert!(text.contains("Where it goes"), "{text}");
    assert!(text.contains("⚠ below zero"), "{text}");
}

#[test]
fn the_fleet_gains_a_month_to_date_column_once_usage_is_read() {
    use plivo_dash::app::fleet::{Fleet, FleetMsg, Member};
    let member = |profile: &str, auth_id: &str| {
        let mut s = session();
        s.in_fleet = true;
        s.profile = Some(profile.into());
        s.auth_id = auth_id.into();
        Member::new(profile, None, false, App::new(s, now(), (120, 35), PERIOD))
    };
    let mut fleet = Fleet::new(
        vec![
            member("staging", "MA2025STAGING00000001"),
            member("production", "MA2025PRODUCTION00001"),
        ],
        None,
    );
    fleet.update(FleetMsg::Term(Msg::Resize(120, 12)));
    for i in 0..2 {
        fleet.update(FleetMsg::Report(
            i,
            Report::Loaded {
                account: Box::new(plivo_dash::sandbox::demo_account()),
                at: now(),
            },
        ));
    }
    let text = |fleet: &Fleet| {
        let mut t = Terminal::new(TestBackend::new(120, 12)).expect("terminal");
        t.draw(|f| fleet.render(f)).expect("draw");
        screen_text(t.backend().buffer())
    };
    assert!(!text(&fleet).contains("Month USD"), "nothing to say yet");
    fleet.update(FleetMsg::Report(0, Report::Digest(Ok(Box::new(digest())))));
    let screen = text(&fleet);
    insta::assert_snapshot!("fleet_month_to_date", screen);
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}: {screen}"))
            .to_owned()
    };
    assert!(screen.contains("Month USD"), "{screen}");
    assert!(row("staging").contains("40.00"), "{screen}");
    assert!(row("production").contains('—'), "{screen}");
    assert!(
        row("Total").contains("≥40.00"),
        "one account not read yet: at least: {screen}"
    );
}

#[test]
fn the_wheel_moves_the_selection_on_the_usage_screen() {
    use ratatui::crossterm::event::{KeyModifiers, MouseEvent, MouseEventKind};
    let (mut app, _) = opened();
    answer(&mut app);
    let wheel = |kind| {
        Msg::Mouse(MouseEvent {
            kind,
            column: 10,
            row: 10,
            modifiers: KeyModifiers::NONE,
        })
    };
    app.update(wheel(MouseEventKind::ScrollDown));
    app.update(wheel(MouseEventKind::ScrollDown));
    assert_eq!(screen(&app).table.selected, 2);
    app.update(wheel(MouseEventKind::ScrollUp));
    assert_eq!(screen(&app).table.selected, 1);
}
