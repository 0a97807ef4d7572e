//! The app's behaviour, by feeding it messages: no terminal, no network.

use crate::support;

use plivo_dash::app::{FetchState, Msg, NoticeKind, Overlay, SaveState};
use plivo_dash::plivo::{AccountUpdate, ApiError, Field};
use plivo_dash::sandbox::demo_account;
use plivo_dash::screens::account::MAX_CHARS;
use plivo_dash::worker::{Op, Report, Request};
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use support::app::*;

fn text(app: &plivo_dash::app::App, field: Field) -> String {
    form(app).field(field).text().to_owned()
}

#[test]
fn starting_asks_for_the_account_once() {
    let mut app = plivo_dash::app::App::new(session(), now(), (120, 35), PERIOD);
    assert_eq!(app.start(), vec![Request::Refresh]);
    assert_eq!(app.fetch, FetchState::Loading);
    let out = app.update(key(KeyCode::Char('r')));
    assert!(
        out.requests.is_empty(),
        "no second fetch while one is in flight"
    );
}

#[test]
fn tab_enters_the_form_and_moves_through_every_field() {
    let mut app = loaded();
    assert_eq!(form(&app).focus(), None);
    let order: Vec<_> = (0..6)
        .map(|_| {
            app.update(key(KeyCode::Tab));
            form(&app).focus()
        })
        .collect();
    use Field::*;
    assert_eq!(
        order,
        [
            Some(Name),
            Some(Address),
            Some(City),
            Some(State),
            Some(Timezone),
            Some(Name)
        ]
    );
    app.update(shift_tab());
    assert_eq!(form(&app).focus(), Some(Timezone));
    app.update(key(KeyCode::Up));
    assert_eq!(form(&app).focus(), Some(State));
    app.update(key(KeyCode::Down));
    assert_eq!(form(&app).focus(), Some(Timezone));
    app.update(key(KeyCode::Esc));
    assert_eq!(form(&app).focus(), None);
    app.update(shift_tab());
    assert_eq!(
        form(&app).focus(),
        Some(Timezone),
        "Shift-Tab from outside enters at the end"
    );
}

#[test]
fn keep_editing_after_a_review_asked_for_outside_the_form_goes_back_into_it() {
    let mut app = loaded();
    focus(&mut app, Field::City);
    type_str(&mut app, " Heights");
    app.update(key(KeyCode::Esc));
    assert_eq!(form(&app).focus(), None);
    app.update(ctrl('s'));
    assert!(review(&app).is_some());
    app.update(key(KeyCode::Esc));
    assert!(review(&app).is_none());
    assert_eq!(form(&app).focus(), Some(Field::City), "at the change");
    // Esc with no review open leaves the form as ever.
    app.update(key(KeyCode::Esc));
    assert_eq!(form(&app).focus(), None);
    app.update(key(KeyCode::Esc));
    assert_eq!(form(&app).focus(), None, "not back in by itself");
}

#[test]
fn typing_edits_the_focused_field_and_marks_it_unsaved() {
    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    clear_field(&mut app);
    let outcomes = type_str(&mut app, "Metropolis");
    assert!(outcomes.iter().all(|o| o.redraw && o.requests.is_empty()));
    assert_eq!(text(&app, Field::City), "Metropolis");
    assert!(form(&app).field(Field::City).dirty());
    assert!(!form(&app).field(Field::Name).dirty());
    assert!(!form(&app).diff().is_empty());
    let mut expected = AccountUpdate::default();
    expected.set(Field::City, "Metropolis");
    assert_eq!(form(&app).diff(), expected);
}

#[test]
fn keys_that_would_break_the_line_never_reach_the_field() {
    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Enter));
    assert_eq!(form(&app).focus(), Some(Field::Address), "Enter moves on");
    app.update(ctrl('m'));
    app.update(release(KeyCode::Char('x')));
    assert_eq!(text(&app, Field::Address), "Wayne Enterprises Inc.");
    assert!(
        form(&app)
            .fields()
            .iter()
            .all(|s| !s.text().contains(['\n', '\r']))
    );
}

#[test]
fn a_paste_lands_on_one_line_without_control_characters() {
    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    clear_field(&mut app);
    app.update(Msg::Paste("Selina\r\nKyle\u{1b}[31m\u{202e}\t!".into()));
    // The whole colour sequence goes, not only its ESC; a CRLF is one space.
    assert_eq!(text(&app, Field::Name), "Selina Kyle !");
    app.update(Msg::Paste("x".repeat(1000)));
    assert_eq!(text(&app, Field::Name).chars().count(), MAX_CHARS);
    type_str(&mut app, "more");
    assert_eq!(
        text(&app, Field::Name).chars().count(),
        MAX_CHARS,
        "full is full"
    );
}

#[test]
fn an_invalid_time_zone_blocks_saving_and_says_why() {
    let mut app = loaded();
    app.update(shift_tab());
    clear_field(&mut app);
    type_str(&mut app, "Mars/Olympus");
    let state = form(&app).field(Field::Timezone);
    assert_eq!(state.error(), Some("not an IANA time zone"));
    let out = app.update(ctrl('s'));
    assert!(out.requests.is_empty());
    assert!(plain(&app));
    let notice = app.notice.clone().expect("a notice");
    assert_eq!(notice.kind, NoticeKind::Error);
    assert!(
        notice.text.contains("Timezone is not an IANA time zone"),
        "{notice:?}"
    );
}

#[test]
fn the_timezone_field_offers_matching_zones_to_pick() {
    let mut app = loaded();
    app.update(shift_tab());
    clear_field(&mut app);
    type_str(&mut app, "paris");
    assert_eq!(form(&app).suggestions(), ["Europe/Paris"]);
    app.update(key(KeyCode::Enter));
    assert_eq!(text(&app, Field::Timezone), "Europe/Paris");
    assert_eq!(form(&app).field(Field::Timezone).error(), None);
    assert!(
        form(&app).suggestions().is_empty(),
        "a valid zone needs no list"
    );

    clear_field(&mut app);
    type_str(&mut app, "america/north");
    let names = form(&app).suggestions();
    assert!(names.len() >= 2, "{names:?}");
    app.update(key(KeyCode::Down));
    assert_eq!(
        form(&app).focus(),
        Some(Field::Timezone),
        "↓ moves in the list"
    );
    app.update(key(KeyCode::Enter));
    assert_eq!(text(&app, Field::Timezone), names[1]);
}

#[test]
fn saving_shows_the_diff_then_sends_only_changed_fields() {
    let mut app = loaded();
    let out = app.update(ctrl('s'));
    assert!(out.requests.is_empty());
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("Nothing to save"))
    );

    for _ in 0..3 {
        app.update(key(KeyCode::Tab));
    }
    clear_field(&mut app);
    type_str(&mut app, "Metropolis");
    app.update(ctrl('s'));
    let mut expected = AccountUpdate::default();
    expected.set(Field::City, "Metropolis");
    assert_eq!(review(&app).map(|r| &r.update), Some(&expected));

    app.update(key(KeyCode::Esc));
    assert!(plain(&app), "Esc goes back to editing");
    assert_eq!(text(&app, Field::City), "Metropolis");

    app.update(ctrl('s'));
    let out = app.update(key(KeyCode::Enter));
    assert_eq!(out.requests, vec![Request::Save(expected.clone())]);
    assert!(matches!(app.save, SaveState::Sending(_)));

    app.update(Msg::Worker(Report::Saved { update: expected }));
    assert!(
        form(&app).field(Field::City).dirty(),
        "unsaved until the fetch agrees"
    );
    let mut confirmed = demo_account();
    confirmed.city = "Metropolis".into();
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(confirmed),
        at: now(),
    }));
    assert!(form(&app).diff().is_empty());
    let notice = app.notice.clone().expect("notice");
    assert_eq!(
        (notice.kind, notice.text.as_str()),
        (NoticeKind::Success, "Saved city")
    );
}

#[test]
fn a_refresh_while_editing_updates_only_untouched_fields() {
    let mut app = loaded();
    for _ in 0..3 {
        app.update(key(KeyCode::Tab));
    }
    clear_field(&mut app);
    type_str(&mut app, "Metropolis");

    let mut server = demo_account();
    server.city = "Bludhaven".into();
    server.name = "Bruce T. Wayne".into();
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(server),
        at: now(),
    }));

    assert_eq!(
        text(&app, Field::Name),
        "Bruce T. Wayne",
        "untouched fields follow"
    );
    assert!(!form(&app).field(Field::Name).dirty());
    let city = form(&app).field(Field::City);
    assert_eq!(city.text(), "Metropolis", "the edit is kept");
    assert!(city.conflict, "and says the server moved");
    assert_eq!(city.server, "Bludhaven");
    assert_eq!(form(&app).focus(), Some(Field::City));
}

#[test]
fn a_failed_save_keeps_every_edit_and_says_why() {
    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    type_str(&mut app, " Jr.");
    app.update(ctrl('s'));
    app.update(key(KeyCode::Enter));
    app.update(Msg::Worker(Report::Failed {
        op: Op::Save,
        error: ApiError::Server {
            status: 503,
            message: None,
        },
        retry_in: None,
    }));
    assert_eq!(app.save, SaveState::Idle);
    assert_eq!(text(&app, Field::Name), "Bruce Wayne Jr.");
    assert!(form(&app).field(Field::Name).dirty());
    let notice = app.notice.clone().expect("notice");
    assert_eq!(notice.kind, NoticeKind::Error);
    assert!(
        notice.text.contains("503") && notice.text.contains("edits are kept"),
        "{notice:?}"
    );
}

#[test]
fn a_failed_refresh_keeps_the_last_good_account() {
    let mut app = loaded();
    app.update(key(KeyCode::Char('r')));
    app.update(Msg::Worker(Report::Failed {
        op: Op::Refresh,
        error: ApiError::Network("cannot connect".into()),
        retry_in: None,
    }));
    assert_eq!(app.account, Some(demo_account()));
    assert!(matches!(app.fetch.error(), Some(ApiError::Network(_))));
    let out = app.update(key(KeyCode::Char('r')));
    assert_eq!(out.requests, vec![Request::Refresh], "r retries");
}

#[test]
fn reverting_a_field_restores_the_server_value() {
    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "xyz");
    assert!(form(&app).field(Field::Name).dirty());
    app.update(ctrl('r'));
    assert_eq!(text(&app, Field::Name), "Bruce Wayne");
    assert!(form(&app).diff().is_empty());
}

#[test]
fn quitting_with_unsaved_edits_asks_first() {
    let mut app = loaded();
    app.update(key(KeyCode::Char('q')));
    assert!(app.should_quit(), "nothing to lose: q quits");

    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "q");
    assert!(!app.should_quit(), "q in a field is a letter");
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Char('q')));
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    assert!(!app.should_quit());
    app.update(key(KeyCode::Char('n')));
    assert!(plain(&app));
    assert_eq!(text(&app, Field::Name), "Bruce Wayneq");

    app.update(ctrl('c'));
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit), "Ctrl-C asks too");
    app.update(ctrl('c'));
    assert!(app.should_quit(), "a second Ctrl-C insists");

    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "!");
    app.update(ctrl('c'));
    app.update(key(KeyCode::Char('y')));
    assert!(app.should_quit());
}

#[test]
fn help_opens_outside_a_field_and_closes_with_esc() {
    let mut app = loaded();
    app.update(key(KeyCode::Char('?')));
    assert_eq!(
        app.overlay,
        Some(Overlay::Help {
            scroll: plivo_dash::scroll::Text::default(),
            screen: plivo_dash::keymap::Context::Dashboard
        })
    );
    app.update(key(KeyCode::Esc));
    assert!(plain(&app));
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Char('?')));
    assert!(plain(&app), "in a field ? is typed");
    assert!(text(&app, Field::Name).ends_with('?'));
}

#[test]
fn clicking_a_field_focuses_it() {
    let mut app = loaded();
    let areas = app.areas().expect("fits");
    let city = areas.fields[Field::City.index()];
    let out = app.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: city.x + 3,
        row: city.y + 1,
        modifiers: KeyModifiers::NONE,
    }));
    assert!(out.redraw);
    assert_eq!(form(&app).focus(), Some(Field::City));
    let out = app.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Moved,
        column: 1,
        row: 1,
        modifiers: KeyModifiers::NONE,
    }));
    assert!(!out.redraw, "mouse movement costs no frame");
}

#[test]
fn ticks_redraw_only_when_the_shown_time_changes() {
    let mut app = loaded();
    let out = app.update(Msg::Tick(now() + jiff::SignedDuration::from_secs(1)));
    assert!(out.redraw, "the age moved on");
    let mut idle = plivo_dash::app::App::new(session(), now(), (120, 35), PERIOD);
    let same_minute = now() + jiff::SignedDuration::from_secs(5);
    assert!(
        !idle.update(Msg::Tick(same_minute)).redraw,
        "nothing shown changed"
    );
}

fn load(
    app: &mut plivo_dash::app::App,
    credits: rust_decimal::Decimal,
    secs: i64,
) -> plivo_dash::app::Outcome {
    let mut account = demo_account();
    account.cash_credits = credits;
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(account),
        at: now() + jiff::SignedDuration::from_secs(secs),
    }))
}

#[test]
fn the_bell_rings_once_per_real_crossing() {
    use plivo_dash::monitor::threshold::Crossing;
    use rust_decimal::dec;
    let mut s = session();
    s.alert_below = Some(dec!(2));
    let mut app = plivo_dash::app::App::new(s, now(), (120, 35), PERIOD);
    let rings: Vec<Option<Crossing>> = [
        dec!(3),
        dec!(1.99),
        dec!(2.01),
        dec!(1.98),
        dec!(2.5),
        dec!(1.5),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, c)| load(&mut app, c, i64::try_from(i).expect("few") * 60).alert)
    .collect();
    let (below, back) = (Some(Crossing::Below), Some(Crossing::Recovered));
    assert_eq!(rings, [None, below, None, None, back, below]);
}

#[test]
fn samples_are_recorded_for_the_history_file() {
    use rust_decimal::dec;
    let mut app = plivo_dash::app::App::new(session(), now(), (120, 35), PERIOD);
    let first = load(&mut app, dec!(5), 0);
    // The first account also has its subaccounts counted, once.
    assert!(matches!(
        first.requests.as_slice(),
        [Request::CountSubaccounts, Request::Record(s)] if s.credits == dec!(5)
    ));
    assert!(
        load(&mut app, dec!(5), 60).requests.is_empty(),
        "unchanged: not stored"
    );
    assert_eq!(load(&mut app, dec!(4.9), 120).requests.len(), 1);
    assert_eq!(app.tracker.history().samples().len(), 2);
}

#[test]
fn stored_history_is_merged_and_damage_is_reported() {
    use plivo_dash::monitor::Sample;
    use rust_decimal::dec;
    let mut app = plivo_dash::app::App::new(session(), now(), (120, 35), PERIOD);
    load(&mut app, dec!(4), 0);
    let earlier = Sample {
        at: now() - jiff::SignedDuration::from_hours(1),
        credits: dec!(6),
    };
    app.update(Msg::Worker(Report::History {
        samples: vec![earlier],
        warning: Some("history x is damaged at line 3: moved to y".into()),
        moved: None,
    }));
    assert_eq!(app.tracker.history().samples().len(), 2);
    assert_eq!(app.tracker.history().samples()[0], earlier);
    // Said where setup problems stay in view, not in the footer, which
    // answers the user's own actions.
    assert_eq!(app.warnings.len(), 1, "{:?}", app.warnings);
    assert!(app.warnings[0].contains("damaged"), "{:?}", app.warnings);
    assert_eq!(app.notice, None);
}

#[test]
fn an_old_history_file_moved_into_the_store_is_a_notice_not_a_warning() {
    use rust_decimal::dec;
    let mut app = plivo_dash::app::App::new(session(), now(), (120, 35), PERIOD);
    load(&mut app, dec!(4), 0);
    let text = "credit history moved into /s/store.sqlite3 (2 samples); \
                the old file is kept beside it as MA2025RK4E639VJFZAGV.history.migrated";
    app.update(Msg::Worker(Report::History {
        samples: Vec::new(),
        warning: None,
        moved: Some(text.into()),
    }));
    assert_eq!(app.notice, Some(plivo_dash::state::Notice::info(text)));
    assert!(
        app.warnings.is_empty(),
        "nothing is wrong: {:?}",
        app.warnings
    );
}

#[test]
fn p_pauses_and_plus_minus_step_the_period() {
    use std::time::Duration;
    let mut app = loaded();
    assert_eq!(
        app.update(key(KeyCode::Char('p'))).requests,
        vec![Request::Pause(true)]
    );
    assert!(app.paused);
    assert_eq!(
        app.update(key(KeyCode::Char('p'))).requests,
        vec![Request::Pause(false)]
    );
    assert_eq!(
        app.update(key(KeyCode::Char('+'))).requests,
        vec![Request::SetPeriod(Duration::from_secs(120))]
    );
    assert_eq!(
        app.update(key(KeyCode::Char('-'))).requests,
        vec![Request::SetPeriod(Duration::from_secs(60))]
    );
    for _ in 0..20 {
        app.update(key(KeyCode::Char('-')));
    }
    assert_eq!(app.period, Duration::from_secs(1));
    assert!(
        app.update(key(KeyCode::Char('-'))).requests.is_empty(),
        "1 s is the floor"
    );
    app.update(key(KeyCode::Tab));
    assert!(
        app.update(key(KeyCode::Char('p'))).requests.is_empty(),
        "in a field p is a letter"
    );
}

#[test]
fn a_failure_then_recovery_clears_the_stale_mark() {
    let mut app = loaded();
    app.update(Msg::Worker(Report::Failed {
        op: Op::Refresh,
        error: ApiError::Timeout(std::time::Duration::from_secs(15)),
        retry_in: Some(std::time::Duration::from_secs(4)),
    }));
    assert!(app.fetch.error().is_some());
    assert_eq!(app.retry_in(), Some(jiff::SignedDuration::from_secs(4)));
    let out = app.update(Msg::Tick(now() + jiff::SignedDuration::from_secs(1)));
    assert!(out.redraw, "the countdown moves");
    load(&mut app, rust_decimal::Decimal::ONE, 5);
    assert_eq!(app.fetch, FetchState::Fresh { in_flight: false });
    assert_eq!(app.retry_in(), None);
}

/// Focuses `field` from outside the form.
fn focus(app: &mut plivo_dash::app::App, field: Field) {
    for _ in 0..=field.index() {
        app.update(key(KeyCode::Tab));
    }
    assert_eq!(form(app).focus(), Some(field));
}

/// Saves what the form holds: Ctrl-S, then Enter; returns what was sent.
fn save(app: &mut plivo_dash::app::App) -> AccountUpdate {
    app.update(ctrl('s'));
    let out = app.update(key(KeyCode::Enter));
    match out.requests.as_slice() {
        [Request::Save(update)] => update.clone(),
        other => panic!("expected a save, got {other:?} ({:?})", app.notice),
    }
}

#[test]
fn a_confirming_fetch_that_fails_says_so_instead_of_confirming_forever() {
    let mut app = loaded();
    focus(&mut app, Field::Name);
    type_str(&mut app, " Jr");
    let sent = save(&mut app);
    app.update(Msg::Worker(Report::Saved { update: sent }));
    app.update(Msg::Worker(Report::Failed {
        op: Op::Refresh,
        error: ApiError::Network("connection reset".into()),
        retry_in: Some(std::time::Duration::from_secs(2)),
    }));
    let notice = app.notice.clone().expect("notice");
    assert!(
        !notice.text.contains("confirming"),
        "no longer waiting: {notice:?}"
    );
    assert!(
        notice.text.contains("Saved name") && notice.text.contains("could not confirm"),
        "{notice:?}"
    );
    assert!(notice.text.contains("connection reset"), "{notice:?}");
    // The server took it: nothing is unsaved, so q quits without asking.
    assert!(
        form(&app).diff().is_empty(),
        "the saved name is not an unsaved edit"
    );
    assert_eq!(text(&app, Field::Name), "Bruce Wayne Jr");
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Char('q')));
    assert!(app.should_quit(), "{:?}", app.overlay);
}

#[test]
fn typed_control_characters_never_reach_a_field() {
    let mut app = loaded();
    focus(&mut app, Field::City);
    for c in ['\u{202E}', '\u{1b}', '\u{200F}', '\u{7}'] {
        app.update(key(KeyCode::Char(c)));
    }
    assert_eq!(text(&app, Field::City), "Gotham");
    assert!(
        form(&app).diff().is_empty(),
        "nothing to save, so never stuck unsaved"
    );
}

#[test]
fn the_users_own_save_is_not_shown_as_a_conflict() {
    let mut app = loaded();
    focus(&mut app, Field::Name);
    type_str(&mut app, " II");
    let sent = save(&mut app);
    // Typing on while the (slow) save is under way.
    type_str(&mut app, "I");
    app.update(Msg::Worker(Report::Saved { update: sent }));
    let mut after = demo_account();
    after.name = "Bruce Wayne II".into();
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(after),
        at: now(),
    }));
    let name = form(&app).field(Field::Name);
    assert_eq!(name.text(), "Bruce Wayne III", "the newer typing is kept");
    assert!(name.dirty());
    assert!(!name.conflict, "the server holds what this user saved");

    // Someone else's change to a field being edited is a conflict.
    let mut theirs = demo_account();
    theirs.name = "Dick Grayson".into();
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(theirs),
        at: now(),
    }));
    assert!(form(&app).field(Field::Name).conflict);
}

#[test]
fn a_screen_too_small_to_show_the_dashboard_takes_no_edits_or_saves() {
    let mut app = loaded();
    focus(&mut app, Field::Name);
    app.update(Msg::Resize(20, 5));
    type_str(&mut app, "abc");
    app.update(Msg::Paste("pasted".into()));
    let save = app.update(ctrl('s'));
    let enter = app.update(key(KeyCode::Enter));
    assert!(save.requests.is_empty() && enter.requests.is_empty());
    assert_eq!(
        text(&app, Field::Name),
        "Bruce Wayne",
        "nothing typed unseen"
    );
    assert!(plain(&app));
    assert!(!app.should_quit());
    app.update(key(KeyCode::Char('q')));
    assert!(app.should_quit(), "quit still works");
}

#[test]
fn quitting_a_too_small_screen_with_edits_still_asks() {
    let mut app = loaded();
    focus(&mut app, Field::Name);
    type_str(&mut app, "!");
    app.update(Msg::Resize(20, 5));
    app.update(ctrl('c'));
    assert_eq!(app.overlay, Some(Overlay::ConfirmQuit));
    app.update(key(KeyCode::Char('y')));
    assert!(app.should_quit());
}

#[test]
fn a_pasted_time_zone_with_a_line_break_is_valid_and_saved_trimmed() {
    let mut app = loaded();
    app.update(shift_tab());
    clear_field(&mut app);
    app.update(Msg::Paste("Europe/Paris\n".into()));
    let tz = form(&app).field(Field::Timezone);
    assert_eq!(tz.error(), None, "{:?}", tz.text());
    let sent = save(&mut app);
    assert_eq!(sent.value(Field::Timezone), Some("Europe/Paris"));
}

#[test]
fn an_empty_time_zone_says_so_in_one_sentence() {
    let mut app = loaded();
    app.update(shift_tab());
    clear_field(&mut app);
    app.update(ctrl('s'));
    let notice = app.notice.clone().expect("notice");
    assert_eq!(notice.text, "Cannot save: Timezone is required");
}

/// The rule `update --name` keeps too: a blank name is not saved.
#[test]
fn a_blank_name_is_not_saved() {
    let mut app = loaded();
    focus(&mut app, Field::Name);
    clear_field(&mut app);
    type_str(&mut app, "   ");
    let out = app.update(ctrl('s'));
    assert!(out.requests.is_empty(), "{:?}", out.requests);
    let notice = app.notice.clone().expect("notice");
    assert_eq!(notice.text, "Cannot save: Name is required");
}

#[test]
fn history_problems_stay_out_of_the_footer_and_are_said_once() {
    let mut app = loaded();
    focus(&mut app, Field::Name);
    type_str(&mut app, "!");
    let sent = save(&mut app);
    for _ in 0..3 {
        app.update(Msg::Worker(Report::HistoryUnwritable {
            error: "cannot write the history file /x/MA.history: Permission denied".into(),
        }));
    }
    assert_eq!(
        app.notice.as_ref().map(|n| n.text.as_str()),
        Some("Saving…")
    );
    assert_eq!(app.warnings.len(), 1, "{:?}", app.warnings);
    assert!(app.warnings[0].contains("/x/MA.history"));
    app.update(Msg::Worker(Report::Saved {
        update: sent.clone(),
    }));
    let mut after = demo_account();
    after.name = "Bruce Wayne!".into();
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(after),
        at: now(),
    }));
    app.update(Msg::Worker(Report::HistoryUnwritable {
        error: "cannot write the history file /x/MA.history: Permission denied".into(),
    }));
    assert_eq!(
        app.notice.as_ref().map(|n| n.text.as_str()),
        Some("Saved name")
    );
}

#[test]
fn configuration_warnings_are_shown_inside_the_dashboard() {
    let mut s = session();
    s.warnings = vec!["warning: /home/u/.config/plivo-dash/config.toml holds an auth token and can be read by other users".into()];
    let app = plivo_dash::app::App::new(s, now(), (120, 35), PERIOD);
    let notice = app.notice.clone().expect("the first notice");
    assert_eq!(notice.kind, NoticeKind::Error);
    assert!(notice.text.contains("can be read by other users"));
    assert_eq!(app.warnings.len(), 1);
}

#[test]
fn a_click_puts_the_cursor_where_it_lands() {
    let mut app = loaded();
    let areas = app.areas().expect("fits");
    let city = areas.fields[Field::City.index()];
    app.update(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        // On the "h" of "Gotham": the box's border, then "Got".
        column: city.x + 1 + 3,
        row: city.y + 1,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(form(&app).focus(), Some(Field::City));
    type_str(&mut app, "X");
    assert_eq!(text(&app, Field::City), "GotXham");
}

#[test]
fn m_turns_mouse_capture_off_and_on() {
    let mut app = loaded();
    assert!(app.mouse);
    let out = app.update(key(KeyCode::Char('m')));
    assert_eq!(out.mouse_capture, Some(false));
    assert!(!app.mouse);
    let out = app.update(key(KeyCode::Char('m')));
    assert_eq!(out.mouse_capture, Some(true));
    focus(&mut app, Field::Name);
    let out = app.update(key(KeyCode::Char('m')));
    assert_eq!(out.mouse_capture, None, "in a field, m is typed");
    assert!(text(&app, Field::Name).ends_with('m'));
}

#[test]
fn a_save_refused_for_the_rate_limit_says_when_and_keeps_the_edit() {
    let mut app = loaded();
    focus(&mut app, Field::City);
    type_str(&mut app, "!");
    save(&mut app);
    app.update(Msg::Worker(Report::Failed {
        op: Op::Save,
        error: ApiError::RateLimited {
            retry_after: Some(std::time::Duration::from_secs(42)),
        },
        retry_in: None,
    }));
    let notice = app.notice.clone().expect("notice");
    assert!(
        notice.text.contains("rate limited, retry in 42 s"),
        "{notice:?}"
    );
    assert_eq!(text(&app, Field::City), "Gotham!");
    assert_eq!(app.save, SaveState::Idle);
}

#[test]
fn a_history_longer_than_a_week_survives_loading() {
    use plivo_dash::monitor::Sample;
    let mut s = session();
    s.retention = jiff::SignedDuration::from_hours(30 * 24);
    let mut app = plivo_dash::app::App::new(s, now(), (120, 35), PERIOD);
    let days = |d: i64| Sample {
        at: now() - jiff::SignedDuration::from_hours(24 * d),
        credits: rust_decimal::Decimal::from(d),
    };
    app.update(Msg::Worker(Report::History {
        samples: vec![days(20), days(15), days(10), days(1)],
        warning: None,
        moved: None,
    }));
    assert_eq!(app.tracker.history().samples().len(), 4);
}

#[test]
fn editing_a_field_never_rewrites_what_the_server_had_in_it() {
    let mut account = demo_account();
    account.city = "Line1\nLine2\u{1b}[31mRED\u{202e}".into();
    let mut app = loaded_with(account);
    focus(&mut app, Field::City);
    app.update(key(KeyCode::End));
    type_str(&mut app, "Z");
    let sent = save(&mut app);
    assert_eq!(
        sent.value(Field::City),
        Some("Line1\nLine2\u{1b}[31mRED\u{202e}Z"),
        "only the Z is new"
    );
}

#[test]
fn text_that_does_not_fit_is_not_dropped_without_a_word() {
    let mut app = loaded();
    focus(&mut app, Field::Name);
    app.update(Msg::Paste("x".repeat(500)));
    assert_eq!(text(&app, Field::Name).chars().count(), MAX_CHARS);
    let notice = app.notice.clone().expect("notice");
    assert!(notice.text.contains("at most 128 characters"), "{notice:?}");
    type_str(&mut app, "y");
    assert!(
        app.notice
            .as_ref()
            .is_some_and(|n| n.text.contains("at most")),
        "typing past the end says so too"
    );
}

#[test]
fn a_new_key_clears_an_answer_that_is_no_longer_true() {
    let mut app = loaded();
    app.update(shift_tab());
    clear_field(&mut app);
    app.update(ctrl('s'));
    assert!(app.notice.is_some(), "Cannot save: …");
    type_str(&mut app, "Europe/Paris");
    assert_eq!(app.notice, None, "the field is fixed; the complaint goes");
}
