//! The fleet: every account's App under one, the fleet screen's table
//! (sorting, filtering, the total, a failing account in its row), opening
//! an account and coming back, and alerts raised once per crossing. Pure:
//! messages in, state and `TestBackend` frames out.

use crate::support;

use jiff::SignedDuration;
use plivo_dash::app::fleet::{Ending, Fleet, FleetMsg, Member};
use plivo_dash::app::{App, FetchState, Msg};
use plivo_dash::monitor::Sample;
use plivo_dash::monitor::threshold::Crossing;
use plivo_dash::plivo::{ApiError, BillingMode};
use plivo_dash::sandbox::demo_account;
use plivo_dash::screens::welcome::Field;
use plivo_dash::worker::{Report, Request};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::style::{Color, Modifier};
use rust_decimal::{Decimal, dec};
use support::app::{PERIOD, key, now, screen_text, session};

/// A member on profile `profile`, alerting below `alert`, with `on_alert`.
/// The fleet's table of every account.
fn table(fleet: &Fleet) -> &plivo_dash::screens::fleet::FleetScreen {
    fleet.table().expect("the table")
}

fn member(profile: &str, auth_id: &str, alert: Option<Decimal>) -> Member {
    let mut s = session();
    s.auth_id = auth_id.into();
    s.alert_below = alert;
    s.in_fleet = true;
    s.profile = Some(profile.into());
    let app = App::new(s, now(), (120, 35), PERIOD);
    Member::new(profile, Some("notify-team".into()), false, app)
}

/// An hour of balances, one a minute, spending `per_min` down to `end`.
fn hour(end: Decimal, per_min: Decimal) -> Vec<Sample> {
    (0..=60)
        .map(|m| Sample {
            at: now() - SignedDuration::from_mins(60 - m),
            credits: end + per_min * Decimal::from(60 - m),
        })
        .collect()
}

/// Loads `samples` into member `i` as its stored history and last poll.
fn feed(fleet: &mut Fleet, i: usize, name: &str, samples: &[Sample]) {
    let (latest, earlier) = samples.split_last().expect("a sample");
    fleet.update(FleetMsg::Report(
        i,
        Report::History {
            samples: earlier.to_vec(),
            warning: None,
            moved: None,
        },
    ));
    let mut account = demo_account();
    account.name = name.into();
    account.cash_credits = latest.credits;
    fleet.update(FleetMsg::Report(
        i,
        Report::Loaded {
            account: Box::new(account),
            at: latest.at,
        },
    ));
}

/// Three accounts: production spending fast and below its alert, staging
/// healthy, and one whose token is refused.
fn three() -> Fleet {
    let mut fleet = Fleet::new(
        vec![
            member("staging", "MA2025STAGING00000001", Some(dec!(5))),
            member("production", "MA2025PRODUCTION00001", Some(dec!(50))),
            member("legacy", "MA2025LEGACY0000000001", None),
        ],
        None,
    );
    fleet.update(FleetMsg::Term(Msg::Resize(120, 35)));
    feed(&mut fleet, 0, "Staging Co", &hour(dec!(812.25), dec!(0.01)));
    feed(&mut fleet, 1, "Prod Inc", &hour(dec!(42.10), dec!(0.5)));
    fleet.update(FleetMsg::Report(
        2,
        Report::Failed {
            op: plivo_dash::worker::Op::Refresh,
            error: ApiError::Unauthorized { message: None },
            retry_in: Some(std::time::Duration::from_secs(30)),
        },
    ));
    fleet
}

/// Member `i` loads a postpaid account with nothing on it.
fn postpaid(fleet: &mut Fleet, i: usize) {
    let mut account = demo_account();
    account.billing_mode = BillingMode::Postpaid;
    account.cash_credits = Decimal::ZERO;
    fleet.update(FleetMsg::Report(
        i,
        Report::Loaded {
            account: Box::new(account),
            at: now(),
        },
    ));
}

fn draw(fleet: &Fleet, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| fleet.render(f)).expect("draw");
    t
}

/// The row that holds `needle`.
fn row_of(buffer: &Buffer, needle: &str) -> u16 {
    let screen = screen_text(buffer);
    let at = screen
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} on screen:\n{screen}"));
    u16::try_from(at).expect("row")
}

fn fg_of(buffer: &Buffer, needle: &str, column_text: &str) -> Color {
    let y = row_of(buffer, needle);
    let line: String = (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol())
        .collect();
    let byte = line.find(column_text).expect("on the row");
    let x = line[..byte].chars().count();
    buffer[(u16::try_from(x).expect("x"), y)].fg
}

#[test]
fn the_table_puts_the_shortest_runway_first_and_totals() {
    let fleet = three();
    let t = draw(&fleet, 120, 35);
    let buffer = t.backend().buffer();
    let screen = screen_text(buffer);
    let (prod, staging, legacy) = (
        row_of(buffer, "production"),
        row_of(buffer, "staging"),
        row_of(buffer, "legacy"),
    );
    assert!(prod < staging && staging < legacy, "{screen}");
    // 30 USD/h spent: 42.10 lasts 1 h 24 min; the burn is per day.
    let prod_line = screen.lines().nth(usize::from(prod)).expect("row");
    assert!(prod_line.contains("42.1"), "{prod_line}");
    assert!(prod_line.contains("720"), "{prod_line}");
    assert!(prod_line.contains("1 h 24 min"), "{prod_line}");
    assert!(prod_line.contains("< 50"), "{prod_line}");
    assert_eq!(fg_of(buffer, "production", "42.1"), Color::Red);
    // The refused token in its own row, the others untouched.
    let legacy_line = screen.lines().nth(usize::from(legacy)).expect("row");
    assert!(
        legacy_line.contains("authentication failed (401)"),
        "{legacy_line}"
    );
    assert_eq!(fg_of(buffer, "legacy", "authentication"), Color::Red);
    // The total sums what is known, and says how much that is.
    assert!(screen.contains("Total 2/3"), "{screen}");
    assert!(screen.contains("854.35"), "{screen}");
    assert!(screen.contains("734.4"), "{screen}");
    assert!(screen.contains("1 below alert"), "{screen}");
    assert!(screen.contains("1 not answering"), "{screen}");
    insta::assert_snapshot!("fleet_three", t.backend());
}

#[test]
fn healthy_accounts_and_a_narrow_terminal() {
    let mut fleet = Fleet::new(
        vec![
            member("alpha", "MA2025ALPHA00000000001", Some(dec!(5))),
            member("beta", "MA2025BETA000000000001", Some(dec!(5))),
        ],
        None,
    );
    feed(&mut fleet, 0, "Alpha", &hour(dec!(120), dec!(0.01)));
    feed(&mut fleet, 1, "Beta", &hour(dec!(80), Decimal::ZERO));
    fleet.update(FleetMsg::Term(Msg::Resize(120, 12)));
    let wide = draw(&fleet, 120, 12);
    let screen = screen_text(wide.backend().buffer());
    assert!(!screen.contains("below alert"), "{screen}");
    assert!(
        screen.contains("Trend"),
        "a line each where the width allows"
    );
    assert!(screen.contains('█'), "{screen}");
    assert!(screen.contains("no end"), "beta spends nothing: {screen}");
    insta::assert_snapshot!("fleet_healthy", wide.backend());

    // At 80 columns the name stays; when it was updated gives way.
    fleet.update(FleetMsg::Term(Msg::Resize(80, 12)));
    let screen = screen_text(draw(&fleet, 80, 12).backend().buffer());
    assert!(
        screen.contains("Alpha") && screen.contains("Burn/day"),
        "{screen}"
    );
    assert!(!screen.contains("Updated"), "{screen}");

    fleet.update(FleetMsg::Term(Msg::Resize(44, 12)));
    let narrow = draw(&fleet, 44, 12);
    let screen = screen_text(narrow.backend().buffer());
    assert!(
        screen.contains("alpha") && screen.contains("120"),
        "{screen}"
    );
    assert!(!screen.contains("Trend"), "no room for lines: {screen}");
    insta::assert_snapshot!("fleet_narrow", narrow.backend());

    let tiny = draw(&fleet, 30, 6);
    assert!(screen_text(tiny.backend().buffer()).contains("Terminal too small"));
}

#[test]
fn sort_and_filter_change_the_rows_and_keep_the_selection() {
    let mut fleet = three();
    let order = |f: &Fleet| -> Vec<String> {
        table(f)
            .order(&f.members)
            .into_iter()
            .map(|i| f.members[i].profile.clone())
            .collect()
    };
    assert_eq!(order(&fleet), ["production", "staging", "legacy"]);
    fleet.update(FleetMsg::Term(key(KeyCode::Down)));
    assert_eq!(table(&fleet).selected_member(&fleet.members), Some(0));
    fleet.update(FleetMsg::Term(key(KeyCode::Char('o'))));
    assert_eq!(
        order(&fleet),
        ["production", "staging", "legacy"],
        "by balance"
    );
    fleet.update(FleetMsg::Term(key(KeyCode::Char('o'))));
    assert_eq!(
        order(&fleet),
        ["legacy", "production", "staging"],
        "by name"
    );
    assert_eq!(
        table(&fleet).selected_member(&fleet.members),
        Some(0),
        "still staging"
    );
    for c in "/prod".chars() {
        fleet.update(FleetMsg::Term(key(KeyCode::Char(c))));
    }
    assert_eq!(order(&fleet), ["production"]);
    // The account's name matches too, once it is known.
    fleet.update(FleetMsg::Term(key(KeyCode::Esc)));
    for c in "/staging co".chars() {
        fleet.update(FleetMsg::Term(key(KeyCode::Char(c))));
    }
    assert_eq!(order(&fleet), ["staging"]);
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    assert!(!table(&fleet).filtering, "Enter keeps the filter");
    let t = draw(&fleet, 120, 35);
    let screen = screen_text(t.backend().buffer());
    assert!(screen.contains("1 of 3"), "{screen}");
    // The total is of the rows shown.
    let total = screen.lines().find(|l| l.contains("Total")).expect("total");
    assert!(
        total.contains("812.25") && total.contains("14.40"),
        "{total}"
    );
    assert!(!total.contains("854.35"), "{total}");
}

#[test]
fn enter_opens_an_account_and_a_key_comes_back() {
    let mut fleet = three();
    assert!(fleet.opened().is_none());
    // Off screen, an account is polled but not charted or counted.
    assert!(fleet.members[1].app.plot.columns.is_empty());
    let out = fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    assert!(out.redraw);
    assert_eq!(fleet.open, Some(1), "production, the first row");
    assert_eq!(
        out.requests,
        [(1, Request::CountSubaccounts)],
        "counted once open"
    );
    assert!(!fleet.members[1].app.plot.columns.is_empty(), "and charted");
    let t = draw(&fleet, 120, 35);
    let screen = screen_text(t.backend().buffer());
    assert!(
        screen.contains("Prod Inc · MA2025PRODUCTION00001"),
        "{screen}"
    );
    assert!(screen.contains("a all accounts"), "{screen}");
    // Keys are the account's now: r refreshes production only.
    let out = fleet.update(FleetMsg::Term(key(KeyCode::Char('r'))));
    assert_eq!(out.requests, [(1, Request::Refresh)]);
    fleet.update(FleetMsg::Term(key(KeyCode::Char('a'))));
    assert!(fleet.opened().is_none());
    let t = draw(&fleet, 120, 35);
    assert!(screen_text(t.backend().buffer()).contains("Total"));
}

#[test]
fn an_account_with_unsaved_edits_is_not_left_behind() {
    let mut fleet = three();
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Term(key(KeyCode::Tab)));
    fleet.update(FleetMsg::Term(key(KeyCode::Char('x'))));
    fleet.update(FleetMsg::Term(key(KeyCode::Esc)));
    fleet.update(FleetMsg::Term(key(KeyCode::Char('a'))));
    assert_eq!(fleet.open, Some(1), "stays on the account with the edit");
    let notice = &fleet.opened().expect("open").notice;
    let notice = notice.as_ref().expect("a notice").text.clone();
    assert!(notice.contains("Unsaved edits (Name)"), "{notice}");
}

#[test]
fn a_crossing_in_an_account_not_shown_raises_one_alert() {
    let mut fleet = three();
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Term(key(KeyCode::Char('a'))));
    // Open staging, then let it fall below 5 while production is shown.
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    let load = |fleet: &mut Fleet, credits: Decimal, mins: i64| {
        let mut account = demo_account();
        account.cash_credits = credits;
        fleet.update(FleetMsg::Report(
            0,
            Report::Loaded {
                account: Box::new(account),
                at: now() + SignedDuration::from_mins(mins),
            },
        ))
    };
    let out = load(&mut fleet, dec!(4.99), 1);
    assert!(out.bell);
    assert!(!out.redraw, "staging is not on screen");
    let [alert] = out.alerts.as_slice() else {
        panic!("one alert: {:?}", out.alerts);
    };
    assert_eq!(alert.profile, "staging");
    assert_eq!(alert.auth_id, "MA2025STAGING00000001");
    assert_eq!(alert.balance, dec!(4.99));
    assert_eq!(alert.threshold, dec!(5));
    assert_eq!(alert.event, Crossing::Below);
    assert_eq!(alert.command.as_deref(), Some("notify-team"));
    assert!(load(&mut fleet, dec!(4.98), 2).alerts.is_empty(), "once");
    let back = load(&mut fleet, dec!(6), 3);
    assert!(!back.bell);
    assert_eq!(back.alerts[0].event, Crossing::Recovered);
}

/// A spike report for member `i`: 3.05 USD to LV, from a subaccount
/// named by its server as `name`.
fn spiked(i: usize, name: &str) -> FleetMsg {
    use plivo_dash::usage::spike::{Spike, Top};
    use plivo_dash::worker::usage::{Found, Status};
    FleetMsg::Report(
        i,
        Report::Usage(Status::Spike(Box::new(Found {
            spike: Spike::NewDestination {
                country: "LV".into(),
                amount: dec!(3.05),
                top: Top {
                    country: Some("LV".into()),
                    subaccount: Some("SA2025MARKETING00001".into()),
                    number: Some("14155550123".into()),
                },
            },
            threshold: dec!(1),
            subaccount_name: Some(plivo_dash::text::SafeText::new(name)),
            top_new: true,
            days_before: plivo_dash::usage::spike::LOOKBACK_DAYS,
        }))),
    )
}

#[test]
fn a_spike_in_an_account_not_shown_rings_once_names_its_source_and_alerts() {
    use plivo_dash::app::fleet::Event;
    use plivo_dash::worker::usage::Status;
    let mut fleet = three();
    let out = fleet.update(spiked(0, "Marketing\x1b[2J"));
    assert!(out.bell, "a spike rings");
    assert!(out.redraw, "the table's footer says it");
    let [alert] = out.alerts.as_slice() else {
        panic!("one alert: {:?}", out.alerts);
    };
    assert_eq!(alert.profile, "staging");
    assert_eq!(alert.auth_id, "MA2025STAGING00000001");
    assert_eq!(alert.balance, dec!(812.25), "the balance last fetched");
    assert_eq!(alert.threshold, dec!(1), "what the spend had to pass");
    assert_eq!(alert.command.as_deref(), Some("notify-team"));
    let Event::Spike(found) = &alert.event else {
        panic!("a spike: {:?}", alert.event);
    };
    assert_eq!(found.top().country.as_deref(), Some("LV"));
    assert_eq!(alert.event.as_str(), "spike");
    let notice = fleet.notice.as_ref().expect("a notice").text.clone();
    assert!(
        notice.starts_with("staging: New destination: 3.05 USD to LV")
            && notice
                .contains("from subaccount Marketing␛[2J (SA2025MARKETING00001) via +14155550123"),
        "{notice}"
    );
    // What follows the spike (the next sync, a poll) raises nothing more.
    let later = fleet.update(FleetMsg::Report(
        0,
        Report::Usage(Status::Synced {
            at: now(),
            records: 3,
        }),
    ));
    assert!(later.alerts.is_empty() && !later.bell);
    let mut account = demo_account();
    account.cash_credits = dec!(812.20);
    let polled = fleet.update(FleetMsg::Report(
        0,
        Report::Loaded {
            account: Box::new(account),
            at: now() + SignedDuration::from_mins(1),
        },
    ));
    assert!(polled.alerts.is_empty() && !polled.bell);
    // Opened (second in the table, after production), its dashboard says
    // it in the header and the footer.
    fleet.update(FleetMsg::Term(key(KeyCode::Down)));
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    assert_eq!(fleet.open, Some(0));
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(
        screen
            .lines()
            .next()
            .is_some_and(|l| l.contains("⚠ spend spike")),
        "{screen}"
    );
    assert!(
        screen.contains("New destination: 3.05 USD to LV"),
        "{screen}"
    );
}

#[test]
fn a_spike_shows_beside_the_balances_alert_and_leaves_the_header_after_the_hour() {
    let mut fleet = three();
    fleet.update(spiked(1, "Marketing"));
    // Production, below its alert, is first in the table.
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    assert_eq!(fleet.open, Some(1));
    let header = |fleet: &Fleet, w: u16| {
        let screen = screen_text(draw(fleet, w, 35).backend().buffer());
        screen.lines().next().expect("a header").to_owned()
    };
    let wide = header(&fleet, 120);
    assert!(
        wide.contains("⚠ balance below 50 USD") && wide.contains("⚠ spend spike"),
        "{wide}"
    );
    let narrow = header(&fleet, 80);
    assert!(
        narrow.contains("⚠ spike") && narrow.contains("50 USD"),
        "{narrow}"
    );
    fleet.update(FleetMsg::Term(Msg::Tick(
        now() + SignedDuration::from_mins(61),
    )));
    let later = header(&fleet, 120);
    assert!(
        !later.contains("spike") && later.contains("balance below"),
        "{later}"
    );
}

#[test]
fn at_80_columns_a_demo_header_says_the_spike_and_the_alert_in_short() {
    let mut main = member("main", "MA2025RK4E639VJFZAGV", Some(dec!(1.60)));
    main.app.session.demo = true;
    let mut fleet = Fleet::new(vec![main], None);
    fleet.update(FleetMsg::Term(Msg::Resize(80, 24)));
    feed(&mut fleet, 0, "Gotham", &hour(dec!(1.20), dec!(0.005)));
    fleet.update(spiked(0, "Gotham Support 7"));
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    assert_eq!(fleet.open, Some(0));
    let screen = screen_text(draw(&fleet, 80, 24).backend().buffer());
    let header = screen.lines().next().expect("a header");
    assert!(
        header.contains("⚠ < 1.60 USD") && header.contains("⚠ spend spike"),
        "{header}"
    );
    assert!(header.contains("MA2025RK4E639VJFZAGV"), "{header}");
}

#[test]
fn a_spike_before_the_balance_loads_still_rings_and_shows() {
    let mut fleet = Fleet::new(vec![member("staging", "MA2025STAGING00000001", None)], None);
    let out = fleet.update(spiked(0, "Marketing"));
    assert!(out.bell);
    assert!(
        out.alerts.is_empty(),
        "on_alert waits for a balance to pass"
    );
    let notice = fleet
        .opened()
        .and_then(|a| a.notice.as_ref())
        .expect("a notice");
    assert!(notice.text.contains("to LV"), "{}", notice.text);
}

#[test]
fn a_postpaid_account_has_no_runway_to_run_out_of() {
    let mut fleet = three();
    postpaid(&mut fleet, 2);
    let t = draw(&fleet, 120, 35);
    let screen = screen_text(t.backend().buffer());
    let line = screen.lines().find(|l| l.contains("legacy")).expect("row");
    assert!(
        line.contains("postpaid") && !line.contains("exhausted"),
        "{line}"
    );
    assert_eq!(
        fleet.members[2].app.fetch,
        FetchState::Fresh { in_flight: false }
    );
}

#[test]
fn one_account_alone_is_its_dashboard_with_no_fleet_to_go_to() {
    let mut s = session();
    s.in_fleet = false;
    let app = App::new(s, now(), (120, 35), PERIOD);
    let mut fleet = Fleet::new(vec![Member::new("default", None, false, app)], None);
    assert_eq!(fleet.open, Some(0));
    assert_eq!(fleet.start(), [(0, Request::Refresh)]);
    fleet.update(FleetMsg::Term(key(KeyCode::Char('a'))));
    assert_eq!(fleet.open, Some(0));
    let notice = fleet.opened().and_then(|a| a.notice.clone()).expect("said");
    assert!(notice.text.contains("--all-profiles"), "{}", notice.text);
}

#[test]
fn ctrl_c_is_told_from_q_on_an_account_and_on_the_table() {
    for (open, interrupted) in [(true, false), (true, true), (false, false), (false, true)] {
        let mut fleet = three();
        if open {
            fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
            assert!(fleet.open.is_some());
        }
        let press = if interrupted {
            support::app::ctrl('c')
        } else {
            key(KeyCode::Char('q'))
        };
        fleet.update(FleetMsg::Term(press));
        assert!(fleet.should_quit(), "open: {open}");
        assert_eq!(fleet.interrupted(), interrupted, "open: {open}");
    }
}

#[test]
fn the_fleet_is_reachable_from_an_account_too_small_to_draw() {
    let mut fleet = three();
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Term(Msg::Resize(100, 12)));
    let screen = screen_text(draw(&fleet, 100, 12).backend().buffer());
    assert!(screen.contains("Terminal too small"), "{screen}");
    fleet.update(FleetMsg::Term(key(KeyCode::Char('a'))));
    assert!(fleet.opened().is_none());
    let screen = screen_text(draw(&fleet, 100, 12).backend().buffer());
    assert!(screen.contains("production"), "{screen}");
}

#[test]
fn alert_failures_arriving_together_are_all_said() {
    use plivo_dash::app::Notice;
    let mut fleet = three();
    fleet.update(FleetMsg::Said(Notice::error("on_alert for a: exited 1")));
    fleet.update(FleetMsg::Said(Notice::error("on_alert for b: exited 127")));
    let notice = fleet.notice.clone().expect("said");
    assert_eq!(
        notice.text,
        "on_alert for a: exited 1; on_alert for b: exited 127"
    );
    // A key clears it; the next failure starts afresh.
    fleet.update(FleetMsg::Term(key(KeyCode::Down)));
    fleet.update(FleetMsg::Said(Notice::error("on_alert for c: exited 2")));
    assert_eq!(fleet.notice.expect("said").text, "on_alert for c: exited 2");
}

#[test]
fn an_account_that_stops_answering_says_why_in_its_row() {
    let mut fleet = three();
    fleet.update(FleetMsg::Report(
        0,
        Report::Failed {
            op: plivo_dash::worker::Op::Refresh,
            error: ApiError::Unauthorized { message: None },
            retry_in: Some(std::time::Duration::from_secs(30)),
        },
    ));
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    let row = screen.lines().find(|l| l.contains("staging")).expect("row");
    assert!(
        row.contains("812.25") && row.contains("stale < 1 min "),
        "{row}"
    );
    // The reason's start where the line was; the whole of it on Enter.
    assert!(row.contains("✗ authentication"), "{row}");
}

#[test]
fn a_history_file_that_cannot_be_written_is_said_on_the_table() {
    let mut fleet = three();
    let unwritable = |profile: &str| Report::HistoryUnwritable {
        error: format!(
            "cannot write the history file /ro/{profile}.csv: Read-only file system (os error 30); history is kept in memory only"
        ),
    };
    assert!(
        fleet
            .update(FleetMsg::Report(1, unwritable("production")))
            .redraw
    );
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(
        screen.contains("production: cannot write the history file /ro/production.csv"),
        "{screen}"
    );
    // The same again is not news; a second account is counted.
    fleet.notice = None;
    fleet.update(FleetMsg::Report(1, unwritable("production")));
    assert_eq!(fleet.notice, None);
    fleet.update(FleetMsg::Report(2, unwritable("legacy")));
    let said = fleet.notice.clone().expect("said").text;
    assert!(said.starts_with("legacy: cannot write"), "{said}");
    assert!(
        said.ends_with("(2 accounts have warnings: open one to read)"),
        "{said}"
    );
    // An account open says it on its own panel, not twice.
    fleet.notice = None;
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    let open = fleet.open.expect("an account open");
    fleet.update(FleetMsg::Report(open, unwritable("x")));
    assert_eq!(fleet.notice, None);
}

#[test]
fn old_history_files_moved_into_the_store_are_said_in_passing_on_the_table() {
    let mut fleet = three();
    let moved = |profile: &str| Report::History {
        samples: Vec::new(),
        warning: None,
        moved: Some(format!(
            "credit history moved into /state/store.sqlite3 (12 samples); \
             the old file is kept beside it as {profile}.history.migrated"
        )),
    };
    assert!(
        fleet
            .update(FleetMsg::Report(1, moved("production")))
            .redraw
    );
    let said = fleet.notice.clone().expect("said");
    assert_eq!(
        said.kind,
        plivo_dash::state::NoticeKind::Info,
        "not a warning"
    );
    assert!(
        said.text
            .starts_with("production: credit history moved into /state/store.sqlite3"),
        "{said:?}"
    );
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(
        screen.contains("production: credit history moved"),
        "{screen}"
    );
    // More accounts: one line for them all, not one over another.
    fleet.update(FleetMsg::Report(0, moved("staging")));
    let said = fleet.notice.clone().expect("said").text;
    assert!(
        said.starts_with("2 accounts' credit histories moved into the store"),
        "{said}"
    );
    // Never over a warning still up.
    fleet.update(FleetMsg::Report(
        2,
        Report::HistoryUnwritable {
            error: "the store /ro/store.sqlite3: disk I/O error".into(),
        },
    ));
    fleet.update(FleetMsg::Report(2, moved("legacy")));
    let said = fleet.notice.clone().expect("said").text;
    assert!(said.starts_with("legacy: the store /ro"), "{said}");
    // An account open says it on its own dashboard.
    fleet.notice = None;
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    let open = fleet.open.expect("an account open");
    fleet.update(FleetMsg::Report(open, moved("open")));
    assert_eq!(fleet.notice, None);
    let own = fleet.members[open].app.notice.clone().expect("its own");
    assert!(own.text.contains("open.history.migrated"), "{own:?}");
}

#[test]
fn esc_clears_a_filter_that_was_kept() {
    let mut fleet = three();
    for c in "/prod".chars() {
        fleet.update(FleetMsg::Term(key(KeyCode::Char(c))));
    }
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    assert_eq!(table(&fleet).order(&fleet.members).len(), 1);
    fleet.update(FleetMsg::Term(key(KeyCode::Esc)));
    assert_eq!(table(&fleet).order(&fleet.members).len(), 3);
}

#[test]
fn one_account_under_two_profiles_is_totalled_once_and_postpaid_sorts_after() {
    let mut fleet = Fleet::new(
        vec![
            member("prod", "MA2025PRODUCTION00001", None),
            member("prod-again", "MA2025PRODUCTION00001", None),
            member("invoiced", "MA2025POSTPAID0000001", None),
        ],
        None,
    );
    feed(&mut fleet, 0, "Prod Inc", &hour(dec!(42.10), dec!(0.5)));
    feed(&mut fleet, 1, "Prod Inc", &hour(dec!(42.10), dec!(0.5)));
    postpaid(&mut fleet, 2);
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    let total = screen.lines().find(|l| l.contains("Total")).expect("total");
    assert!(
        total.contains("42.10") && !total.contains("84.2"),
        "{total}"
    );
    fleet.update(FleetMsg::Term(key(KeyCode::Char('o'))));
    let order: Vec<usize> = table(&fleet).order(&fleet.members);
    assert_eq!(order, [0, 1, 2], "by balance, postpaid after: {order:?}");
    // Whichever of its profiles comes first, one that has not heard from
    // the account yet does not hide its balance.
    let mut lonely = Fleet::new(
        vec![
            member("a-first", "MA2025PRODUCTION00001", None),
            member("b-second", "MA2025PRODUCTION00001", None),
        ],
        None,
    );
    feed(&mut lonely, 1, "Prod Inc", &hour(dec!(42.10), dec!(0.5)));
    // By name, the profile that has not heard from it comes first.
    lonely.update(FleetMsg::Term(key(KeyCode::Char('o'))));
    lonely.update(FleetMsg::Term(key(KeyCode::Char('o'))));
    assert_eq!(table(&lonely).order(&lonely.members), [0, 1]);
    let screen = screen_text(draw(&lonely, 120, 35).backend().buffer());
    let total = screen.lines().find(|l| l.contains("Total")).expect("total");
    assert!(total.contains("42.10"), "{total}");
    assert!(
        !total.contains('/'),
        "one account, and it is known: {total}"
    );
}

#[test]
fn help_on_the_fleet_shows_only_what_works_there() {
    let mut fleet = three();
    fleet.update(FleetMsg::Term(key(KeyCode::Char('?'))));
    let t = draw(&fleet, 120, 48);
    insta::assert_snapshot!(t.backend());
    let screen = screen_text(t.backend().buffer());
    for title in ["All accounts", "Filter", "Editing text", "Everywhere"] {
        assert!(screen.contains(&format!(" {title} ")), "{title}:\n{screen}");
    }
    assert!(
        screen.find(" All accounts ") < screen.find(" Everywhere "),
        "the fleet's own keys first"
    );
    // Pause, chart range, new, delete, the demo: none works on the fleet.
    for (keys, what) in [
        (" p ", "pause"),
        (" v ", "chart"),
        (" n ", "create"),
        (" d ", "delete it"),
        (" F2 ", "demo"),
    ] {
        assert!(
            !screen.lines().any(|l| l.contains(keys) && l.contains(what)),
            "{keys}{what} offered on the fleet:\n{screen}"
        );
    }
    assert!(screen.contains("sort by runway"), "{screen}");
    // It fits without scrolling: no "↓ for more".
    assert!(!screen.contains("for more"), "{screen}");
}

fn mouse(kind: MouseEventKind, row: u16) -> FleetMsg {
    FleetMsg::Term(Msg::Mouse(MouseEvent {
        kind,
        column: 5,
        row,
        modifiers: KeyModifiers::NONE,
    }))
}

#[test]
fn the_mouse_works_on_the_fleet_as_on_an_account() {
    let mut fleet = three();
    assert!(fleet.mouse, "on, as the session asked");
    let t = draw(&fleet, 120, 35);
    let staging = row_of(t.backend().buffer(), "staging");
    fleet.update(mouse(MouseEventKind::Down(MouseButton::Left), staging));
    let t = draw(&fleet, 120, 35);
    insta::assert_snapshot!(t.backend());
    assert_eq!(
        table(&fleet)
            .selected_member(&fleet.members)
            .map(|i| fleet.members[i].profile.as_str()),
        Some("staging"),
        "a click selects its row"
    );
    fleet.update(mouse(MouseEventKind::ScrollDown, 0));
    assert_eq!(
        table(&fleet)
            .selected_member(&fleet.members)
            .map(|i| fleet.members[i].profile.as_str()),
        Some("legacy"),
        "the wheel moves the selection"
    );
    fleet.update(mouse(MouseEventKind::ScrollUp, 0));
    assert_eq!(table(&fleet).table.selected, 1);
    // A click on the heading selects nothing.
    fleet.update(mouse(MouseEventKind::Down(MouseButton::Left), 1));
    assert_eq!(table(&fleet).table.selected, 1);
    // m turns the capture off here, for the table and every dashboard.
    let out = fleet.update(FleetMsg::Term(key(KeyCode::Char('m'))));
    assert_eq!(out.mouse_capture, Some(false));
    assert!(!fleet.mouse && fleet.members.iter().all(|m| !m.app.mouse));
    let out = fleet.update(FleetMsg::Term(key(KeyCode::Char('m'))));
    assert_eq!(out.mouse_capture, Some(true));
    // Off on an opened dashboard is off on the table too.
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Term(key(KeyCode::Char('m'))));
    assert!(!fleet.mouse, "one setting");
}

#[test]
fn the_fleet_too_small_says_how_to_leave() {
    let fleet = three();
    let text = screen_text(draw(&fleet, 30, 6).backend().buffer());
    assert!(text.contains("q quits"), "{text}");
}

/// A member whose profile names an account without its token (after
/// `logout`, say), as the dashboard makes it.
fn tokenless(profile: &str, auth_id: &str) -> Member {
    let mut m = member(profile, auth_id, None);
    m.app.fetch = FetchState::Failed {
        error: ApiError::Config(format!("profile '{profile}' has no auth token")),
        retry_at: None,
        in_flight: false,
    };
    m.needing_login()
}

/// Staging, loaded, and ops, whose token is missing, on the ops row.
fn with_tokenless() -> Fleet {
    let mut fleet = Fleet::new(
        vec![
            member("staging", "MA2025STAGING00000001", None),
            tokenless("ops", "MA2025OPS0000000001A"),
        ],
        None,
    );
    fleet.update(FleetMsg::Term(Msg::Resize(120, 35)));
    feed(&mut fleet, 0, "Staging Co", &hour(dec!(812.25), dec!(0.01)));
    while table(&fleet).selected_member(&fleet.members) != Some(1) {
        fleet.update(FleetMsg::Term(key(KeyCode::Down)));
    }
    fleet
}

#[test]
fn a_row_without_its_token_logs_in_where_it_stands() {
    let mut fleet = with_tokenless();
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("Enter log in"), "{screen}");
    assert!(!screen.contains("Enter open"), "{screen}");
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    assert_eq!(fleet.open, None, "no dashboard opened");
    let welcome = fleet.welcome().expect("the welcome screen");
    assert_eq!(welcome.text(Field::AuthId), "MA2025OPS0000000001A");
    assert_eq!(welcome.text(Field::Profile), "ops");
    assert_eq!(welcome.focus, Field::Token, "what is missing");
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("Welcome to plivo-dash"), "{screen}");
    assert!(screen.contains("goes back to the fleet"), "{screen}");
    assert!(
        screen.contains("Esc back to the fleet"),
        "the footer: {screen}"
    );
    assert!(!screen.contains("demo"), "no demo from the fleet: {screen}");
    // F2 (the demo elsewhere) does nothing here.
    fleet.update(FleetMsg::Term(key(KeyCode::F(2))));
    assert!(fleet.welcome().is_some() && fleet.ending().is_none());
    for c in "abcdefghijklmnopqrstuvwxyz0123456789ABCD".chars() {
        fleet.update(FleetMsg::Term(key(KeyCode::Char(c))));
    }
    let out = fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    let check = out.check.expect("the credentials go to be checked");
    assert_eq!(check.auth_id, "MA2025OPS0000000001A");
    assert_eq!(check.profile.as_deref(), Some("ops"));
    assert!(fleet.ending().is_none(), "not before the answer");
    // A refusal is said on the welcome screen, which stays.
    fleet.update(FleetMsg::Checked(Err("Plivo refused that token".into())));
    assert!(fleet.ending().is_none());
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("Plivo refused that token"), "{screen}");
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Checked(Ok("the keychain".into())));
    assert_eq!(
        fleet.ending(),
        Some(Ending::LoggedIn {
            profile: Some("ops".into()),
            kept: "the keychain".into()
        })
    );
}

#[test]
fn leaving_a_rows_welcome_goes_back_to_the_fleet_and_ctrl_c_quits() {
    let mut fleet = with_tokenless();
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Term(key(KeyCode::Esc)));
    assert!(fleet.welcome().is_none(), "nothing typed: back at once");
    assert!(!fleet.should_quit());
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("Total"), "the table again: {screen}");
    // Something typed: asked first, then back.
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Term(key(KeyCode::Char('x'))));
    fleet.update(FleetMsg::Term(key(KeyCode::Esc)));
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("Back to the fleet?"), "{screen}");
    fleet.update(FleetMsg::Term(key(KeyCode::Char('y'))));
    assert!(fleet.welcome().is_none() && !fleet.should_quit());
    // Ctrl-C leaves altogether, from the welcome screen too.
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Term(support::app::ctrl('c')));
    assert_eq!(fleet.ending(), Some(Ending::Interrupted));
}

#[test]
fn a_resize_reaches_a_rows_welcome_screen() {
    let mut fleet = with_tokenless();
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Term(Msg::Resize(50, 10)));
    assert_eq!(fleet.welcome().expect("open").size, (50, 10));
    let screen = screen_text(draw(&fleet, 50, 10).backend().buffer());
    assert!(screen.contains("Esc goes back to"), "{screen}");
}

#[test]
fn a_resize_under_a_rows_welcome_keeps_the_tables_selection_in_view() {
    // Twenty accounts, the last one's token missing, selected at a height
    // that shows them all; the terminal then shrinks.
    let fleet = || {
        let mut members: Vec<Member> = (0..19)
            .map(|i| member(&format!("acct{i:02}"), &format!("MA2025FLEET{i:011}"), None))
            .collect();
        members.push(tokenless("zz-ops", "MA2025OPS0000000001A"));
        let mut fleet = Fleet::new(members, None);
        fleet.update(FleetMsg::Term(Msg::Resize(120, 35)));
        for _ in 0..19 {
            fleet.update(FleetMsg::Term(key(KeyCode::Down)));
        }
        fleet
    };
    let mut plain = fleet();
    plain.update(FleetMsg::Term(Msg::Resize(120, 12)));
    let mut welcomed = fleet();
    welcomed.update(FleetMsg::Term(key(KeyCode::Enter)));
    assert!(welcomed.welcome().is_some());
    welcomed.update(FleetMsg::Term(Msg::Resize(120, 12)));
    welcomed.update(FleetMsg::Term(key(KeyCode::Esc)));
    assert!(welcomed.welcome().is_none());
    // The table under the welcome screen heard the resize as it would
    // have without it: the view where the selection stays in sight.
    assert_eq!(table(&welcomed).table, table(&plain).table);
    assert_ne!(table(&plain).table, table(&fleet()).table, "the view moved");
}

/// Thirty accounts not yet heard from, in the order made (acct00 first),
/// on a terminal `h` rows tall: `h - 5` of them in view (the header, the
/// heading, the total and a footer of two take the rest).
fn thirty(h: u16) -> Fleet {
    let members = (0..30)
        .map(|i| member(&format!("acct{i:02}"), &format!("MA2025FLEET{i:011}"), None))
        .collect();
    let mut fleet = Fleet::new(members, None);
    fleet.update(FleetMsg::Term(Msg::Resize(120, h)));
    fleet
}

fn press(fleet: &mut Fleet, code: KeyCode, times: usize) {
    for _ in 0..times {
        fleet.update(FleetMsg::Term(key(code)));
    }
}

fn selected_profile(fleet: &Fleet) -> &str {
    let i = table(fleet).selected_member(&fleet.members).expect("a row");
    &fleet.members[i].profile
}

/// The first account row is drawn under the header and the heading.
const FIRST_ROW: u16 = 2;

#[test]
fn the_fleet_view_holds_its_place_while_the_selection_moves_within_it() {
    let mut fleet = thirty(20);
    press(&mut fleet, KeyCode::Down, 20);
    let t = draw(&fleet, 120, 20);
    assert_eq!(
        row_of(t.backend().buffer(), "acct06"),
        FIRST_ROW,
        "scrolled"
    );
    press(&mut fleet, KeyCode::Up, 1);
    assert_eq!(selected_profile(&fleet), "acct19");
    let t = draw(&fleet, 120, 20);
    let buffer = t.backend().buffer();
    assert_eq!(row_of(buffer, "acct06"), FIRST_ROW, "the view stays put");
    let highlighted = row_of(buffer, "acct19");
    assert_eq!(highlighted, FIRST_ROW + 13, "the highlight moved up a row");
    let reversed = |y: u16| buffer[(3, y)].modifier.contains(Modifier::REVERSED);
    assert!(reversed(highlighted) && !reversed(highlighted + 1));
}

#[test]
fn page_down_on_the_fleet_moves_by_the_rows_in_view() {
    for (h, rows) in [(20, 15), (30, 25)] {
        let mut fleet = thirty(h);
        press(&mut fleet, KeyCode::PageDown, 1);
        assert_eq!(
            selected_profile(&fleet),
            format!("acct{rows:02}"),
            "{h} rows tall"
        );
        let t = draw(&fleet, 120, h);
        let buffer = t.backend().buffer();
        assert_eq!(
            row_of(buffer, &format!("acct{rows:02}")),
            FIRST_ROW + rows - 1,
            "the new selection is the last row in view"
        );
        assert_eq!(row_of(buffer, "acct01"), FIRST_ROW, "{h} rows tall");
    }
}

#[test]
fn a_resize_keeps_the_fleet_selection_in_view_and_the_view_where_it_can() {
    let mut fleet = thirty(20);
    press(&mut fleet, KeyCode::Down, 20);
    press(&mut fleet, KeyCode::Up, 10);
    assert_eq!(selected_profile(&fleet), "acct10");
    fleet.update(FleetMsg::Term(Msg::Resize(120, 16)));
    let t = draw(&fleet, 120, 16);
    assert_eq!(row_of(t.backend().buffer(), "acct06"), FIRST_ROW, "held");
    assert_eq!(row_of(t.backend().buffer(), "acct10"), FIRST_ROW + 4);
    fleet.update(FleetMsg::Term(Msg::Resize(120, 9)));
    let t = draw(&fleet, 120, 9);
    assert_eq!(
        row_of(t.backend().buffer(), "acct10"),
        FIRST_ROW + 3,
        "four rows in view: the selection is the last of them"
    );
}

#[test]
fn a_click_after_scrolling_selects_the_fleet_row_under_it() {
    let mut fleet = thirty(20);
    press(&mut fleet, KeyCode::Down, 20);
    let t = draw(&fleet, 120, 20);
    let y = row_of(t.backend().buffer(), "acct08");
    fleet.update(mouse(MouseEventKind::Down(MouseButton::Left), y));
    assert_eq!(selected_profile(&fleet), "acct08");
    let t = draw(&fleet, 120, 20);
    assert_eq!(
        row_of(t.backend().buffer(), "acct08"),
        y,
        "the row stays under the pointer"
    );
}

/// The fleet with ops (no token) on a sandbox of its own, its login open.
fn rows_login() -> Fleet {
    let mut fleet = with_tokenless();
    fleet.members[1].app.session.api_url = "http://127.0.0.1:18813".into();
    let out = fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    assert_eq!(
        out.mouse_capture,
        Some(false),
        "the terminal selects text there"
    );
    fleet
}

#[test]
fn a_rows_login_checks_with_its_profiles_api_and_leaving_waits_for_the_answer() {
    let mut fleet = rows_login();
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(
        screen.contains("API http://127.0.0.1:18813, the profile's"),
        "{screen}"
    );
    for c in "abcdefghijklmnopqrstuvwxyz0123456789ABCD".chars() {
        fleet.update(FleetMsg::Term(key(KeyCode::Char(c))));
    }
    let check = fleet
        .update(FleetMsg::Term(key(KeyCode::Enter)))
        .check
        .expect("checked");
    assert_eq!(check.api_url.as_deref(), Some("http://127.0.0.1:18813"));
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(
        screen.contains("Checking with http://127.0.0.1:18813…"),
        "{screen}"
    );
    // Leaving now would say "nothing kept" while the check may keep it.
    fleet.update(FleetMsg::Term(key(KeyCode::Esc)));
    assert!(fleet.welcome().is_some(), "still there");
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("Leaving waits for the answer"), "{screen}");
    fleet.update(FleetMsg::Checked(Ok("the config file".into())));
    assert!(matches!(fleet.ending(), Some(Ending::LoggedIn { .. })));
}

#[test]
fn a_rows_login_types_only_the_token_and_refuses_another_accounts_paste() {
    let mut fleet = rows_login();
    fleet.update(FleetMsg::Term(key(KeyCode::Tab)));
    fleet.update(FleetMsg::Term(key(KeyCode::Tab)));
    let welcome = fleet.welcome().expect("open");
    assert_eq!(
        welcome.focus,
        Field::Token,
        "the profile and auth id are the row's"
    );
    fleet.update(FleetMsg::Term(Msg::Paste(format!(
        "export PLIVO_AUTH_ID=MA2025OTHER000000001\nexport PLIVO_AUTH_TOKEN={}\n",
        "x".repeat(40)
    ))));
    let welcome = fleet.welcome().expect("open");
    assert_eq!(welcome.text(Field::AuthId), "MA2025OPS0000000001A");
    assert_eq!(welcome.text(Field::Token), "", "nothing of it taken");
    assert_eq!(welcome.text(Field::Profile), "ops");
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(
        screen.contains("That paste is for another account"),
        "{screen}"
    );
    // Its own id with its token: the token is taken.
    fleet.update(FleetMsg::Term(Msg::Paste(format!(
        "MA2025OPS0000000001A {}",
        "y".repeat(40)
    ))));
    let welcome = fleet.welcome().expect("open");
    assert_eq!(welcome.text(Field::Token), "y".repeat(40));
    assert_eq!(welcome.focus, Field::Token);
}

#[test]
fn ctrl_c_after_typing_on_a_rows_login_asks_to_quit_the_program() {
    let mut fleet = rows_login();
    fleet.update(FleetMsg::Term(key(KeyCode::Char('w'))));
    fleet.update(FleetMsg::Term(support::app::ctrl('c')));
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("Quit?"), "{screen}");
    assert!(!screen.contains("Back to the fleet?"), "{screen}");
    fleet.update(FleetMsg::Term(key(KeyCode::Char('y'))));
    assert_eq!(fleet.ending(), Some(Ending::Interrupted));
}

#[test]
fn the_back_question_says_leave_in_its_footer_too_and_the_mouse_comes_back() {
    let mut fleet = rows_login();
    fleet.update(FleetMsg::Term(key(KeyCode::Char('w'))));
    fleet.update(FleetMsg::Term(key(KeyCode::Esc)));
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("Back to the fleet?"), "{screen}");
    let footer = screen.lines().last().expect("footer");
    assert!(footer.contains("y leave"), "{footer}");
    let out = fleet.update(FleetMsg::Term(key(KeyCode::Char('y'))));
    assert!(fleet.welcome().is_none());
    assert_eq!(out.mouse_capture, Some(true), "the table's mouse again");
}

#[test]
fn a_profile_without_its_token_is_to_log_in_not_failing_and_unnamed_ones_count_apart() {
    let mut fleet = with_tokenless();
    let mut empty = tokenless("empty", "");
    empty.app.session.auth_id = String::new();
    let mut bare = tokenless("bare", "");
    bare.app.session.auth_id = String::new();
    fleet.members.push(empty);
    fleet.members.push(bare);
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("3 to log in"), "{screen}");
    assert!(!screen.contains("not answering"), "{screen}");
    assert!(screen.contains("Total 1/4"), "{screen}");
    assert!(
        screen.contains("no auth token here: Enter logs in"),
        "{screen}"
    );
}

/// `three()` with an unsaved edit on the opened account (a name typed
/// into, the form left).
fn three_with_an_edit() -> Fleet {
    let mut fleet = three();
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    for press in [
        key(KeyCode::Tab),
        key(KeyCode::Char('Q')),
        key(KeyCode::Esc),
    ] {
        fleet.update(FleetMsg::Term(press));
    }
    assert!(
        !fleet.opened().expect("opened").screens.unsaved().is_empty(),
        "an unsaved edit"
    );
    fleet
}

#[test]
fn yes_to_the_question_ctrl_c_asked_ends_as_an_interrupt() {
    let mut fleet = three_with_an_edit();
    fleet.update(FleetMsg::Term(support::app::ctrl('c')));
    assert!(!fleet.should_quit(), "asked first");
    fleet.update(FleetMsg::Term(key(KeyCode::Char('y'))));
    assert_eq!(fleet.ending(), Some(Ending::Interrupted));
    assert!(fleet.interrupted());

    // A question `q` asked stays `q`'s, and so does the next one after a
    // Ctrl-C question answered "stay".
    let mut fleet = three_with_an_edit();
    for press in [
        support::app::ctrl('c'),
        key(KeyCode::Char('n')),
        key(KeyCode::Char('q')),
        key(KeyCode::Char('y')),
    ] {
        fleet.update(FleetMsg::Term(press));
    }
    assert_eq!(fleet.ending(), Some(Ending::Quit));
}

#[test]
fn the_demo_opened_from_the_welcome_screen_says_q_goes_back() {
    let mut fleet = three_with_an_edit();
    for m in &mut fleet.members {
        m.app.session.back_to_welcome = true;
    }
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("q back"), "{screen}");
    assert!(!screen.contains("q quit"), "{screen}");
    fleet.update(FleetMsg::Term(key(KeyCode::Char('q'))));
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("y leave without saving"), "{screen}");
    assert!(!screen.contains("quit"), "{screen}");

    // The table says the same; elsewhere `q` still quits.
    let mut fleet = three();
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("q quit"), "{screen}");
    for m in &mut fleet.members {
        m.app.session.back_to_welcome = true;
    }
    let screen = screen_text(draw(&fleet, 120, 35).backend().buffer());
    assert!(screen.contains("q back"), "{screen}");
}

#[test]
fn behind_the_too_small_notice_only_what_it_offers_acts() {
    // Too small for the fleet's table too: `a` is not offered, nor done.
    for (w, h) in [(20, 5), (30, 8)] {
        let mut fleet = three();
        fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
        fleet.update(FleetMsg::Term(Msg::Resize(w, h)));
        let screen = screen_text(draw(&fleet, w, h).backend().buffer());
        assert!(!screen.contains("all accounts"), "{screen}");
        for code in [KeyCode::Char('a'), KeyCode::Char('s'), KeyCode::F(2)] {
            fleet.update(FleetMsg::Term(key(code)));
        }
        assert!(fleet.open.is_some(), "{w}×{h}: still the account");
        let app = fleet.opened().expect("opened");
        assert!(
            matches!(app.screens.top(), plivo_dash::screens::Screen::Account(_)),
            "{w}×{h}: no subaccounts opened unseen"
        );
        fleet.update(FleetMsg::Term(key(KeyCode::Char('q'))));
        assert_eq!(fleet.ending(), Some(Ending::Quit), "{w}×{h}");
    }
    // Where the table fits, the notice offers it.
    let mut fleet = three();
    fleet.update(FleetMsg::Term(key(KeyCode::Enter)));
    fleet.update(FleetMsg::Term(Msg::Resize(100, 12)));
    let screen = screen_text(draw(&fleet, 100, 12).backend().buffer());
    assert!(screen.contains("a all accounts"), "{screen}");

    // On the table, what was open does not hide `q`, and nothing is
    // pasted or scrolled unseen.
    for open in ['/', '?'] {
        let mut fleet = three();
        fleet.update(FleetMsg::Term(key(KeyCode::Char(open))));
        fleet.update(FleetMsg::Term(Msg::Resize(30, 6)));
        fleet.update(FleetMsg::Term(Msg::Paste("prod".into())));
        fleet.update(FleetMsg::Term(Msg::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollDown,
            column: 1,
            row: 3,
            modifiers: KeyModifiers::NONE,
        })));
        assert_eq!(table(&fleet).filter.text(), "", "{open}");
        assert_eq!(table(&fleet).table.selected, 0, "{open}");
        fleet.update(FleetMsg::Term(key(KeyCode::Char('q'))));
        assert_eq!(fleet.ending(), Some(Ending::Quit), "{open}");
    }
}

#[test]
fn a_stale_row_s_reason_is_in_the_footer_where_the_row_has_no_room_and_the_total_says_so() {
    let mut fleet = three();
    for i in [0, 1] {
        fleet.update(FleetMsg::Report(
            i,
            Report::Failed {
                op: plivo_dash::worker::Op::Refresh,
                error: ApiError::Unauthorized { message: None },
                retry_in: Some(std::time::Duration::from_secs(30)),
            },
        ));
    }
    fleet.update(FleetMsg::Term(Msg::Resize(100, 30)));
    while table(&fleet).selected_member(&fleet.members) != Some(0) {
        fleet.update(FleetMsg::Term(key(KeyCode::Down)));
    }
    let screen = screen_text(draw(&fleet, 100, 30).backend().buffer());
    let row = screen.lines().find(|l| l.contains("staging")).expect("row");
    assert!(!row.contains('✗'), "no room in the row: {row}");
    assert!(screen.contains("staging: ✗ authentication"), "{screen}");
    // Every balance known is stale: none is current.
    assert!(screen.contains("Total 0/3"), "{screen}");
    // The footer follows the selection.
    fleet.update(FleetMsg::Term(key(KeyCode::Down)));
    let screen = screen_text(draw(&fleet, 100, 30).backend().buffer());
    assert!(
        !screen.contains("staging: ✗"),
        "another row selected: {screen}"
    );
}
