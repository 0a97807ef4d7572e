//! The subaccounts screen: behaviour by feeding messages, and its drawing
//! on a TestBackend (snapshots plus what matters: text, colour, no token).

use crate::support;

use plivo_dash::app::{App, Clipboard, Msg};
use plivo_dash::plivo::pager::Stop;
use plivo_dash::plivo::{ApiError, Disagreement, Subaccount, SubaccountChange};
use plivo_dash::screens::Screen;
use plivo_dash::screens::subaccounts::{Dialog, SubaccountsScreen};
use plivo_dash::worker::{Op, Report, Request};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use secrecy::ExposeSecret as _;
use support::app::*;

fn sub(i: u32) -> Subaccount {
    serde_json::from_value(serde_json::json!({
        "auth_id": format!("SA{:018}", i),
        "auth_token": format!("sub-token-{i}-must-never-show"),
        "name": if i.is_multiple_of(2) { format!("Gotham {i}") } else { format!("Metropolis {i}") },
        "enabled": !i.is_multiple_of(3),
        "created": "2026-11-20",
        "modified": null,
        "account": "/v1/Account/MA2025RK4E639VJFZAGV/",
        "resource_uri": format!("/v1/Account/MA2025RK4E639VJFZAGV/Subaccount/SA{:018}/", i),
    }))
    .expect("a subaccount")
}

/// The dashboard with the subaccounts screen open, as `s` opens it.
fn opened() -> (App, Vec<Request>) {
    let mut app = loaded();
    let out = app.update(key(KeyCode::Char('s')));
    (app, out.requests)
}

fn screen(app: &App) -> &SubaccountsScreen {
    match app.screens.top() {
        Screen::Subaccounts(s) => s,
        _ => panic!("the subaccounts screen is on top"),
    }
}

fn pages(app: &mut App, total: u32, upto: u32) {
    for offset in (0..upto).step_by(20) {
        let subaccounts = (offset..(offset + 20).min(upto)).map(sub).collect();
        app.update(Msg::Worker(Report::SubaccountsPage {
            offset,
            total,
            subaccounts,
        }));
    }
}

fn draw(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| app.render(f)).expect("draw");
    let b = t.backend().buffer().clone();
    (0..h)
        .map(|y| (0..w).map(|x| b[(x, y)].symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn s_opens_the_screen_and_lists_esc_goes_back() {
    let (mut app, commands) = opened();
    assert_eq!(commands, vec![Request::ListSubaccounts]);
    assert!(screen(&app).loading);
    app.update(key(KeyCode::Esc));
    assert!(matches!(app.screens.top(), Screen::Account(_)));
}

#[test]
fn rows_appear_with_the_first_page_and_fill_in() {
    let (mut app, _) = opened();
    pages(&mut app, 1000, 20);
    let text = draw(&app, 120, 35);
    assert!(text.contains("loaded 20 of 1,000…"), "{text}");
    assert!(text.contains("Gotham 0"), "{text}");
    pages(&mut app, 1000, 1000);
    app.update(Msg::Worker(Report::SubaccountsListed {
        disagreement: None,
    }));
    let text = draw(&app, 120, 35);
    assert!(text.contains("1,000 subaccounts"), "{text}");
    assert!(!text.contains("loaded"), "{text}");
    assert!(!text.contains("must-never-show"), "no token on screen");
}

#[test]
fn the_filter_narrows_as_you_type_and_esc_clears_it() {
    let (mut app, _) = opened();
    pages(&mut app, 1000, 1000);
    app.update(Msg::Worker(Report::SubaccountsListed {
        disagreement: None,
    }));
    app.update(key(KeyCode::Char('/')));
    type_str(&mut app, "metropolis 99");
    // 99, 990..999 odd: 99, 991, 993, 995, 997, 999.
    assert_eq!(screen(&app).visible().len(), 6);
    let text = draw(&app, 120, 35);
    insta::assert_snapshot!("subaccounts_filtered", text);
    assert!(text.contains("6 match"), "{text}");
    app.update(key(KeyCode::Enter));
    assert!(!screen(&app).filtering, "Enter keeps the filter");
    assert_eq!(screen(&app).visible().len(), 6);
    app.update(key(KeyCode::Char('/')));
    app.update(key(KeyCode::Esc));
    assert_eq!(screen(&app).visible().len(), 1000, "Esc clears it");
}

#[test]
fn esc_clears_a_kept_filter_first_then_goes_back() {
    let (mut app, _) = opened();
    pages(&mut app, 1000, 1000);
    app.update(key(KeyCode::Char('/')));
    type_str(&mut app, "metropolis 99");
    app.update(key(KeyCode::Enter));
    assert_eq!(screen(&app).visible().len(), 6, "the filter kept");
    app.update(key(KeyCode::Esc));
    assert!(matches!(app.screens.top(), Screen::Subaccounts(_)), "stays");
    assert_eq!(screen(&app).filter.text(), "");
    assert_eq!(screen(&app).visible().len(), 1000, "Esc cleared it");
    app.update(key(KeyCode::Esc));
    assert!(matches!(app.screens.top(), Screen::Account(_)), "then back");
}

#[test]
fn moving_pages_and_ends() {
    let (mut app, _) = opened();
    pages(&mut app, 100, 100);
    app.update(key(KeyCode::Char('j')));
    assert_eq!(screen(&app).table.selected, 1);
    app.update(key(KeyCode::End));
    assert_eq!(screen(&app).table.selected, 99);
    app.update(key(KeyCode::PageUp));
    assert!(screen(&app).table.selected < 99);
    app.update(key(KeyCode::Home));
    assert_eq!(screen(&app).table.selected, 0);
    app.update(key(KeyCode::Up));
    assert_eq!(screen(&app).table.selected, 0);
    let text = draw(&app, 120, 35);
    assert!(text.contains("Gotham 0"), "{text}");
}

#[test]
fn create_rename_toggle_and_delete_ask_the_worker() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    app.update(key(KeyCode::Char('n')));
    type_str(&mut app, "Wayne Tower");
    app.update(key(KeyCode::Tab));
    let out = app.update(key(KeyCode::Enter));
    assert_eq!(
        out.requests,
        vec![Request::CreateSubaccount(SubaccountChange {
            name: "Wayne Tower".into(),
            enabled: true
        })]
    );
    // The dialog waits for the worker; Esc closes it meanwhile.
    assert!(screen(&app).dialog.is_some());
    app.update(key(KeyCode::Esc));
    // Rename the selected (first) row: its current name is there to edit.
    app.update(key(KeyCode::Char('e')));
    app.update(ctrl('z'));
    let Some(Dialog::Rename { name, .. }) = &screen(&app).dialog else {
        panic!("a rename dialog");
    };
    assert_eq!(name.text(), "Gotham 0");
    app.update(key(KeyCode::Esc));
    let out = app.update(key(KeyCode::Char('t')));
    assert_eq!(
        out.requests,
        vec![Request::UpdateSubaccount {
            id: sub(0).auth_id,
            change: SubaccountChange {
                name: "Gotham 0".into(),
                enabled: true
            }
        }],
        "toggling keeps the name"
    );
    // Delete needs the name typed; cascade is a separate choice.
    app.update(key(KeyCode::Char('d')));
    type_str(&mut app, "Gotham");
    let out = app.update(key(KeyCode::Enter));
    assert!(out.requests.is_empty(), "not the whole name");
    // The whole name confirms; so does the auth id, shown whole where a
    // long name is cut short.
    let id = sub(0).auth_id;
    for (i, rest) in [" 0".to_owned(), id.to_ascii_lowercase()]
        .iter()
        .enumerate()
    {
        if i > 0 {
            app.update(key(KeyCode::Esc));
            app.update(key(KeyCode::Char('d')));
        }
        type_str(&mut app, rest);
        let out = app.update(key(KeyCode::Enter));
        assert_eq!(
            out.requests,
            vec![Request::DeleteSubaccount {
                id: id.clone(),
                cascade: false
            }],
            "{rest}"
        );
    }
}

#[test]
fn the_worker_s_answers_update_the_rows_and_say_so() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    let mut renamed = sub(1);
    renamed.name = "Metropolis One".into();
    app.update(Msg::Worker(Report::SubaccountChanged {
        subaccount: Box::new(renamed),
        created: false,
    }));
    assert_eq!(screen(&app).rows[1].name, "Metropolis One");
    assert_eq!(
        app.notice.as_ref().map(|n| n.text.as_str()),
        Some("Renamed Metropolis 1 to Metropolis One")
    );
    assert_eq!(app.subaccount_count, Some(3));
    app.update(Msg::Worker(Report::SubaccountDeleted {
        id: sub(2).auth_id,
    }));
    assert_eq!(screen(&app).rows.len(), 2);
    // The account panel's count follows, without a reload.
    assert_eq!(app.subaccount_count, Some(2));
    let mut made = sub(9);
    made.name = "Wayne Tower".into();
    app.update(Msg::Worker(Report::SubaccountChanged {
        subaccount: Box::new(made),
        created: true,
    }));
    assert_eq!(app.subaccount_count, Some(3));
    app.update(Msg::Worker(Report::SubaccountDeleted {
        id: sub(9).auth_id,
    }));
    assert_eq!(app.subaccount_count, Some(2));
    app.update(Msg::Worker(Report::Failed {
        op: Op::Subaccounts,
        error: ApiError::Network("down".into()),
        retry_in: None,
    }));
    let text = draw(&app, 120, 35);
    insta::assert_snapshot!("subaccounts_failure", text);
    assert!(
        text.contains("⚠ network error: down (r tries again)"),
        "{text}"
    );
    assert_eq!(screen(&app).rows.len(), 2, "the rows stay");
}

#[test]
fn the_token_goes_to_the_clipboard_never_to_the_screen() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    let out = app.update(key(KeyCode::Char('c')));
    let Some(Clipboard(token)) = out.clipboard else {
        panic!("a clipboard copy");
    };
    assert_eq!(token.expose_secret(), "sub-token-0-must-never-show");
    let text = draw(&app, 120, 35);
    assert!(!text.contains("must-never-show"), "{text}");
    assert!(text.contains("Copied the token of Gotham 0"), "{text}");
}

#[test]
fn empty_loading_and_hostile_names() {
    let (mut app, _) = opened();
    insta::assert_snapshot!("subaccounts_loading", draw(&app, 100, 30));
    app.update(Msg::Worker(Report::SubaccountsPage {
        offset: 0,
        total: 0,
        subaccounts: Vec::new(),
    }));
    app.update(Msg::Worker(Report::SubaccountsListed {
        disagreement: None,
    }));
    let text = draw(&app, 100, 30);
    insta::assert_snapshot!("subaccounts_empty", text);
    assert!(text.contains("No subaccounts yet."), "{text}");
    let mut evil = sub(7);
    evil.name = "Evil\u{1b}]0;pwned\u{7}\u{202e}x".into();
    app.update(Msg::Worker(Report::SubaccountChanged {
        subaccount: Box::new(evil),
        created: true,
    }));
    let text = draw(&app, 100, 30);
    assert!(text.contains("Evil␛]0;pwned␇?x"), "{text}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
}

#[test]
fn r_reloads_the_list_and_a_list_cut_short_says_so() {
    let (mut app, _) = opened();
    pages(&mut app, 1000, 40);
    app.update(Msg::Worker(Report::Failed {
        op: Op::Subaccounts,
        error: ApiError::Server {
            status: 503,
            message: None,
        },
        retry_in: None,
    }));
    let text = draw(&app, 120, 35);
    assert!(
        text.contains("40 of 1,000 loaded; r loads them again"),
        "{text}"
    );
    let out = app.update(key(KeyCode::Char('r')));
    assert_eq!(
        out.requests,
        vec![Request::ListSubaccounts],
        "r reloads the list, not the account"
    );
}

#[test]
fn a_failed_create_keeps_the_dialog_and_what_was_typed() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    app.update(key(KeyCode::Char('n')));
    type_str(&mut app, "Lost name");
    let out = app.update(key(KeyCode::Enter));
    assert_eq!(out.requests.len(), 1);
    assert!(
        screen(&app).dialog.is_some(),
        "open until the worker answers"
    );
    app.update(Msg::Worker(Report::Failed {
        op: Op::Subaccounts,
        error: ApiError::Network("down".into()),
        retry_in: None,
    }));
    let Some(Dialog::Create { name, .. }) = &screen(&app).dialog else {
        panic!("the dialog stays");
    };
    assert_eq!(name.text(), "Lost name");
    // Sent again, and this time it works: the dialog closes.
    app.update(key(KeyCode::Enter));
    let mut made = sub(9);
    made.name = "Lost name".into();
    app.update(Msg::Worker(Report::SubaccountChanged {
        subaccount: Box::new(made),
        created: true,
    }));
    assert!(screen(&app).dialog.is_none());
}

#[test]
fn toggling_says_enabled_or_disabled() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    let mut off = sub(1);
    off.enabled = false;
    app.update(Msg::Worker(Report::SubaccountChanged {
        subaccount: Box::new(off),
        created: false,
    }));
    assert_eq!(
        app.notice.as_ref().map(|n| n.text.as_str()),
        Some("Disabled Metropolis 1")
    );
}

#[test]
fn the_dialog_shows_the_cursor_where_the_next_letter_goes() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    app.update(key(KeyCode::Char('n')));
    type_str(&mut app, "abc");
    app.update(key(KeyCode::Left));
    let mut t = Terminal::new(TestBackend::new(100, 30)).expect("terminal");
    t.draw(|f| app.render(f)).expect("draw");
    let cursor = t.get_cursor_position().expect("a cursor");
    let b = t.backend().buffer();
    assert_eq!(
        b[(cursor.x, cursor.y)].symbol(),
        "c",
        "on the c, before which typing goes"
    );
    assert_eq!(b[(cursor.x - 1, cursor.y)].symbol(), "b");
}

#[test]
fn a_narrow_screen_keeps_names_and_ids_whole() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    let text = draw(&app, 44, 38);
    assert!(text.contains(&sub(0).auth_id), "the id whole: {text}");
    assert!(!text.contains("Modifie"), "{text}");
}

#[test]
fn the_filter_matches_an_accent_however_it_was_typed() {
    let (mut app, _) = opened();
    let mut decomposed = sub(4);
    decomposed.name = "e\u{301}te\u{301} cafe\u{301}".into();
    app.update(Msg::Worker(Report::SubaccountsPage {
        offset: 0,
        total: 2,
        subaccounts: vec![decomposed, sub(5)],
    }));
    app.update(key(KeyCode::Char('/')));
    type_str(&mut app, "été");
    assert_eq!(screen(&app).visible().len(), 1);
}

#[test]
fn a_list_that_disagrees_with_its_count_says_so_until_the_next_list() {
    let (mut app, _) = opened();
    pages(&mut app, 5, 45);
    app.update(Msg::Worker(Report::SubaccountsListed {
        disagreement: Some(Disagreement {
            counted: Some(5),
            arrived: 45,
            stop: Stop::Ended,
        }),
    }));
    let text = draw(&app, 100, 30);
    insta::assert_snapshot!("subaccounts_disagreement", text);
    assert!(
        text.contains("⚠ The list and its count disagree: the server counted 5 but 45 arrived"),
        "{text}"
    );
    assert!(
        text.contains("Subaccounts · 45 subaccounts"),
        "every row kept: {text}"
    );
    assert_eq!(screen(&app).rows.len(), 45);

    app.update(key(KeyCode::Char('r')));
    pages(&mut app, 45, 45);
    app.update(Msg::Worker(Report::SubaccountsListed {
        disagreement: None,
    }));
    let text = draw(&app, 100, 30);
    assert!(
        !text.contains("disagree"),
        "gone once a list agrees: {text}"
    );
}

#[test]
fn help_here_shows_the_subaccounts_keys_first_and_not_the_accounts() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    app.update(key(KeyCode::Char('?')));
    let screen = draw(&app, 120, 50);
    insta::assert_snapshot!(screen);
    let first = screen.find(" Subaccounts ").expect("its own section");
    assert!(first < screen.find(" Dialogs ").expect("the dialogs' keys"));
    assert!(screen.contains("create a subaccount"), "{screen}");
    // The account screen's keys do nothing here.
    for what in ["pause / resume", "chart's range", "revert the field"] {
        assert!(!screen.contains(what), "{what}:\n{screen}");
    }
}

#[test]
fn a_list_that_failed_to_load_says_only_the_error_and_how_to_retry() {
    let (mut app, _) = opened();
    app.update(Msg::Worker(Report::Failed {
        op: Op::Subaccounts,
        error: ApiError::Network("connection refused".into()),
        retry_in: None,
    }));
    let text = draw(&app, 100, 30);
    insta::assert_snapshot!(text);
    assert!(!text.contains("No subaccounts yet"), "{text}");
    assert!(text.contains("r tries again"), "{text}");
    assert!(text.contains("connection refused"), "{text}");
}

#[test]
fn a_create_says_creating_while_it_waits_and_create_failed_when_it_fails() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    app.update(key(KeyCode::Char('n')));
    type_str(&mut app, "Slow one");
    let out = app.update(key(KeyCode::Enter));
    assert_eq!(out.requests.len(), 1);
    let text = draw(&app, 100, 30);
    insta::assert_snapshot!("subaccounts_creating", text);
    assert!(text.contains("creating…"), "{text}");
    assert!(!text.contains("Enter create"), "not offered twice: {text}");
    let again = app.update(key(KeyCode::Enter));
    assert!(again.requests.is_empty(), "one create per Enter, not two");
    app.update(Msg::Worker(Report::Failed {
        op: Op::Subaccounts,
        error: ApiError::Server {
            status: 500,
            message: None,
        },
        retry_in: None,
    }));
    let said = app
        .notice
        .as_ref()
        .map(|n| n.text.clone())
        .unwrap_or_default();
    assert!(said.starts_with("Create failed: "), "{said}");
    let text = draw(&app, 100, 30);
    assert!(text.contains("Create failed"), "{text}");
    assert!(text.contains("Enter create"), "offered again: {text}");
}

fn mouse(kind: MouseEventKind, row: u16) -> Msg {
    Msg::Mouse(MouseEvent {
        kind,
        column: 3,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

#[test]
fn the_mouse_selects_rows_and_m_toggles_it_here_too() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    let text = draw(&app, 100, 30);
    let row = text
        .lines()
        .position(|l| l.starts_with("Gotham 2"))
        .expect("the third row");
    app.update(mouse(
        MouseEventKind::Down(MouseButton::Left),
        u16::try_from(row).expect("row"),
    ));
    assert_eq!(screen(&app).table.selected, 2, "a click selects its row");
    insta::assert_snapshot!(draw(&app, 100, 30));
    app.update(mouse(MouseEventKind::ScrollUp, 0));
    assert_eq!(
        screen(&app).table.selected,
        1,
        "the wheel moves the selection"
    );
    app.update(mouse(MouseEventKind::ScrollDown, 0));
    assert_eq!(screen(&app).table.selected, 2);
    // A click on the heading selects nothing.
    app.update(mouse(MouseEventKind::Down(MouseButton::Left), 3));
    assert_eq!(screen(&app).table.selected, 2);
    let out = app.update(key(KeyCode::Char('m')));
    assert_eq!(out.mouse_capture, Some(false), "m turns the capture off");
    let out = app.update(key(KeyCode::Char('m')));
    assert_eq!(out.mouse_capture, Some(true));
}

#[test]
fn the_delete_dialog_keeps_its_indent_and_key_row_at_44_columns() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    app.size = (44, 38);
    app.update(key(KeyCode::Char('d')));
    let text = draw(&app, 44, 38);
    insta::assert_snapshot!(text);
    assert!(text.contains("│ Enter delete   Esc cancel"), "{text}");
    // Every line inside the box starts indented, none wrapped to its edge.
    for line in text.lines().filter(|l| l.contains('│')) {
        let inside = line.split('│').nth(1).unwrap_or("");
        assert!(
            inside.is_empty() || inside.starts_with(' '),
            "lost its indent: {line:?}"
        );
    }
}

/// A hundred subaccounts listed, on a terminal 100 × `h`.
fn hundred(h: u16) -> App {
    let (mut app, _) = opened();
    app.update(Msg::Resize(100, h));
    pages(&mut app, 100, 100);
    app.update(Msg::Worker(Report::SubaccountsListed {
        disagreement: None,
    }));
    app
}

fn press(app: &mut App, code: KeyCode, times: usize) {
    for _ in 0..times {
        app.update(key(code));
    }
}

/// The screen row that shows subaccount `i` (by its auth id, shown whole).
fn row_of(text: &str, i: u32) -> usize {
    let id = format!("SA{i:018}");
    text.lines()
        .position(|l| l.contains(&id))
        .unwrap_or_else(|| panic!("{id} on screen:\n{text}"))
}

/// The first row of the table: under the header, the title, the filter
/// line and the table's heading.
const FIRST_ROW: usize = 4;

#[test]
fn the_view_holds_its_place_while_the_selection_moves_within_it() {
    // 24 rows: 18 subaccounts in view.
    let mut app = hundred(24);
    press(&mut app, KeyCode::Down, 25);
    assert_eq!(row_of(&draw(&app, 100, 24), 8), FIRST_ROW, "scrolled");
    press(&mut app, KeyCode::Up, 1);
    let text = draw(&app, 100, 24);
    assert_eq!(row_of(&text, 8), FIRST_ROW, "the view stays put:\n{text}");
    assert_eq!(row_of(&text, 24), FIRST_ROW + 16, "the highlight moved up");
}

#[test]
fn page_down_moves_by_the_rows_the_layout_shows() {
    // 24 and 35 rows tall, and the same with a failure line over the
    // footer taking a row from the table.
    for (h, failure, rows) in [
        (24, false, 18),
        (35, false, 29),
        (24, true, 17),
        (35, true, 28),
    ] {
        let mut app = hundred(h);
        if failure {
            app.update(Msg::Worker(Report::SubaccountsListed {
                disagreement: Some(Disagreement {
                    counted: Some(101),
                    arrived: 100,
                    stop: Stop::Ended,
                }),
            }));
        }
        press(&mut app, KeyCode::PageDown, 1);
        assert_eq!(screen(&app).table.selected, rows, "{h} rows tall");
        let text = draw(&app, 100, h);
        assert_eq!(
            row_of(&text, u32::try_from(rows).expect("rows")),
            FIRST_ROW + rows - 1,
            "{h} rows tall, failure {failure}: a page on, the last row in view:\n{text}"
        );
        assert_eq!(row_of(&text, 1), FIRST_ROW, "{text}");
    }
}

#[test]
fn a_resize_keeps_the_selection_in_view_and_the_view_where_it_can() {
    // 30 rows: 24 in view, from the third once the selection went past.
    let mut app = hundred(30);
    press(&mut app, KeyCode::Down, 25);
    press(&mut app, KeyCode::Up, 10);
    app.update(Msg::Resize(100, 24));
    let text = draw(&app, 100, 24);
    assert_eq!(row_of(&text, 2), FIRST_ROW, "held:\n{text}");
    assert_eq!(row_of(&text, 15), FIRST_ROW + 13);
    press(&mut app, KeyCode::Down, 5);
    app.update(Msg::Resize(100, 22));
    let text = draw(&app, 100, 22);
    assert_eq!(
        row_of(&text, 20),
        FIRST_ROW + 15,
        "16 rows in view: the selection is the last of them:\n{text}"
    );
}

#[test]
fn a_click_after_scrolling_selects_the_row_under_it() {
    let mut app = hundred(24);
    press(&mut app, KeyCode::Down, 25);
    let y = row_of(&draw(&app, 100, 24), 10);
    app.update(mouse(
        MouseEventKind::Down(MouseButton::Left),
        u16::try_from(y).expect("row"),
    ));
    assert_eq!(screen(&app).table.selected, 10);
    let text = draw(&app, 100, 24);
    assert_eq!(
        row_of(&text, 10),
        y,
        "the row stays under the pointer:\n{text}"
    );
}

#[test]
fn the_wheel_moves_nothing_behind_the_too_small_notice() {
    let (mut app, _) = opened();
    pages(&mut app, 3, 3);
    app.update(Msg::Resize(30, 8));
    app.update(mouse(MouseEventKind::ScrollDown, 3));
    assert_eq!(screen(&app).table.selected, 0);
    app.update(Msg::Resize(100, 30));
    app.update(mouse(MouseEventKind::ScrollDown, 3));
    assert_eq!(screen(&app).table.selected, 1, "where it shows, it moves");
}
