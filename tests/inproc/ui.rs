//! Every screen on ratatui's TestBackend: insta snapshots of the text, plus
//! assertions on the colours and cursor that matter.

use crate::support;

use plivo_dash::app::{App, Msg};
use plivo_dash::keymap::{Context, HelpLine};
use plivo_dash::plivo::{Account, ApiError, Field};
use plivo_dash::sandbox::demo_account;
use plivo_dash::worker::{Op, Report};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::KeyCode;
use ratatui::layout::Position;
use ratatui::style::{Color, Modifier};
use support::app::*;

fn draw(app: &App, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| app.render(f)).expect("draw");
    terminal
}

/// Where `needle` first appears on screen.
fn find(buffer: &Buffer, needle: &str) -> Option<Position> {
    let area = buffer.area;
    for y in 0..area.height {
        let row: Vec<&str> = (0..area.width).map(|x| buffer[(x, y)].symbol()).collect();
        let line = row.concat();
        if let Some(byte) = line.find(needle) {
            // Count cells up to the match (every cell here holds one symbol).
            let mut taken = 0;
            for (x, symbol) in row.iter().enumerate() {
                if taken == byte {
                    return Some(Position::new(u16::try_from(x).ok()?, y));
                }
                taken += symbol.len();
            }
        }
    }
    None
}

fn failed(app: &mut App, error: ApiError) {
    app.update(Msg::Worker(Report::Failed {
        op: Op::Refresh,
        error,
        retry_in: None,
    }));
}

#[test]
fn loading() {
    let mut app = App::new(session(), now(), (120, 35), PERIOD);
    app.start();
    let t = draw(&app, 120, 35);
    insta::assert_snapshot!(t.backend());
    assert!(screen_text(t.backend().buffer()).contains("Fetching account MA2025RK4E639VJFZAGV"));
}

#[test]
fn loaded_wide() {
    let app = loaded();
    let t = draw(&app, 120, 35);
    insta::assert_snapshot!(t.backend());
    let buffer = t.backend().buffer();
    let credits = find(buffer, "1.80900").expect("credits shown");
    let cell = &buffer[(credits.x, credits.y)];
    assert_eq!(cell.fg, Color::Green);
    assert!(cell.modifier.contains(Modifier::BOLD));
    let name = find(buffer, "Bruce Wayne").expect("name");
    let form = find(buffer, "Name").expect("form");
    assert_eq!(name.y, 0, "the header names the account");
    assert!(form.x > 40, "the form sits beside the panel");
}

#[test]
fn loaded_narrow_stacks_the_form_under_the_panel() {
    let app = loaded();
    let t = draw(&app, 60, 40);
    insta::assert_snapshot!(t.backend());
    let buffer = t.backend().buffer();
    let credits = find(buffer, "1.80900").expect("credits");
    let city = find(buffer, "Gotham").expect("city");
    assert!(city.y > credits.y + 10, "form below the panel");
}

#[test]
fn a_developer_account_is_spelled_out_as_a_free_trial() {
    let mut account = demo_account();
    account.account_type = "developer".to_owned().into();
    let t = draw(&loaded_with(account), 120, 35);
    assert!(screen_text(t.backend().buffer()).contains("developer (free trial)"));
}

#[test]
fn editing_with_an_invalid_timezone() {
    let mut app = loaded();
    app.update(shift_tab());
    clear_field(&mut app);
    type_str(&mut app, "Mars/Base");
    let mut t = draw(&app, 120, 35);
    insta::assert_snapshot!(t.backend());
    let buffer = t.backend().buffer().clone();
    let title = find(&buffer, "Timezone · not an IANA time zone").expect("the border says why");
    assert_eq!(buffer[(title.x, title.y)].fg, Color::Red);
    let corner = Position::new(title.x - 2, title.y);
    assert_eq!(buffer[(corner.x, corner.y)].symbol(), "┌");
    assert_eq!(
        buffer[(corner.x, corner.y)].fg,
        Color::Red,
        "the border turns red"
    );
    let text = find(&buffer, "Mars/Base").expect("typed text");
    let cursor = t.get_cursor_position().expect("cursor");
    assert_eq!(
        cursor,
        Position::new(text.x + 9, text.y),
        "cursor after the text"
    );
    assert!(
        buffer[(cursor.x, cursor.y)]
            .modifier
            .contains(Modifier::REVERSED),
        "the editor's own cursor is drawn there too"
    );
}

#[test]
fn ctrl_u_cuts_a_field_to_its_start_and_ctrl_underscore_undoes() {
    let mut app = loaded();
    app.update(shift_tab());
    clear_field(&mut app);
    type_str(&mut app, "Asia/Tokyo");
    for _ in 0.."Tokyo".len() {
        app.update(key(KeyCode::Left));
    }
    let tz = |app: &App| {
        support::app::form(app)
            .field(Field::Timezone)
            .text()
            .to_owned()
    };
    app.update(ctrl('u'));
    assert_eq!(tz(&app), "Tokyo", "cut to the start");
    let mut t = draw(&app, 120, 35);
    let field = find(t.backend().buffer(), "Timezone · not an IANA").expect("its border");
    let cursor = t.get_cursor_position().expect("cursor");
    assert_eq!(
        cursor,
        Position::new(field.x - 1, field.y + 1),
        "the cursor at the start of the field"
    );
    app.update(ctrl('7'));
    assert_eq!(tz(&app), "Asia/Tokyo", "Ctrl-_ undoes");
    app.update(key(KeyCode::End));
    app.update(ctrl('u'));
    assert_eq!(tz(&app), "");
    app.update(ctrl('z'));
    assert_eq!(tz(&app), "Asia/Tokyo", "Ctrl-Z undoes too");
    app.update(ctrl('j'));
    assert_eq!(tz(&app), "Asia/Tokyo", "Ctrl-J does nothing");
}

#[test]
fn timezone_suggestions() {
    let mut app = loaded();
    app.update(shift_tab());
    clear_field(&mut app);
    type_str(&mut app, "america/north");
    app.update(key(KeyCode::Down));
    let t = draw(&app, 120, 35);
    insta::assert_snapshot!(t.backend());
    let buffer = t.backend().buffer();
    let second = find(buffer, "America/North_Dakota/Center").expect("listed");
    assert!(
        buffer[(second.x, second.y)]
            .modifier
            .contains(Modifier::REVERSED)
    );
}

#[test]
fn timezone_suggestions_say_how_many_more_match() {
    let mut app = loaded();
    app.update(shift_tab());
    clear_field(&mut app);
    type_str(&mut app, "america/");
    let shown = support::app::form(&app).suggestions().len();
    let all = plivo_dash::tz::matching("america/");
    assert!(all > shown, "{all}");
    let t = draw(&app, 120, 35);
    let text = format!("{}", t.backend());
    assert!(
        text.contains(&format!(" {} more: type more ", all - shown)),
        "{text}"
    );
    // Narrowed to what fits, nothing more is said.
    type_str(&mut app, "north");
    let text = format!("{}", draw(&app, 120, 35).backend());
    assert!(!text.contains("more: type more"), "{text}");
}

#[test]
fn dirty_and_conflicting_fields_are_marked() {
    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    type_str(&mut app, " (east wing)");
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "!");
    let mut server = demo_account();
    server.city = "Bludhaven".into();
    app.update(Msg::Worker(Report::Loaded {
        account: Box::new(server),
        at: now(),
    }));
    let t = draw(&app, 120, 35);
    let buffer = t.backend().buffer();
    let unsaved = find(buffer, "Address ● unsaved").expect("dirty mark");
    assert_eq!(buffer[(unsaved.x, unsaved.y)].fg, Color::Yellow);
    assert!(
        find(buffer, "City · server now says \"Bludhaven\"").is_some(),
        "conflict mark"
    );
    assert!(find(buffer, "Gotham!").is_some(), "the edit is still there");
    assert!(find(buffer, "2 unsaved changes").is_some());
}

#[test]
fn save_confirmation() {
    let mut app = loaded();
    for _ in 0..3 {
        app.update(key(KeyCode::Tab));
    }
    clear_field(&mut app);
    type_str(&mut app, "Metropolis");
    app.update(ctrl('s'));
    let t = draw(&app, 120, 35);
    insta::assert_snapshot!(t.backend());
    let text = screen_text(t.backend().buffer());
    assert!(
        text.contains("City     \"Gotham\" → \"Metropolis\""),
        "{text}"
    );
    assert!(
        !text.contains("Address  "),
        "only changed fields are listed"
    );
}

#[test]
fn authentication_error() {
    let mut app = App::new(session(), now(), (120, 35), PERIOD);
    app.start();
    failed(
        &mut app,
        ApiError::Unauthorized {
            message: Some("authentication credentials were not provided".into()),
        },
    );
    let t = draw(&app, 120, 35);
    insta::assert_snapshot!(t.backend());
    let buffer = t.backend().buffer();
    let title = find(buffer, "Authentication failed").expect("title");
    assert_eq!(buffer[(title.x, title.y)].fg, Color::Red);
    assert!(
        find(buffer, "PLIVO_AUTH_TOKEN").is_some(),
        "says what to check"
    );
}

#[test]
fn network_error_keeps_the_last_data_marked_stale() {
    let mut app = loaded();
    app.update(key(KeyCode::Char('r')));
    failed(
        &mut app,
        ApiError::Network("cannot connect to 127.0.0.1:8080 (Connection refused)".into()),
    );
    let t = draw(&app, 120, 35);
    insta::assert_snapshot!(t.backend());
    let buffer = t.backend().buffer();
    assert!(
        find(buffer, "1.80900").is_some(),
        "last good balance still shown"
    );
    let stale = find(buffer, "stale, 12 s ago").expect("stale mark with its age");
    assert_eq!(buffer[(stale.x, stale.y)].fg, Color::Yellow);
    let reason = find(buffer, "⚠ network error: cannot connect").expect("the reason");
    assert_eq!(buffer[(reason.x, reason.y)].fg, Color::Yellow);
}

#[test]
fn too_small() {
    let app = loaded();
    let t = draw(&app, 40, 10);
    insta::assert_snapshot!(t.backend());
    assert!(screen_text(t.backend().buffer()).contains("need 80×22"));
    for (w, h) in [(1, 1), (2, 1), (79, 21), (80, 21), (43, 60), (10, 3)] {
        draw(&app, w, h);
    }
}

#[test]
fn help_overlay() {
    let mut app = loaded();
    app.update(key(KeyCode::Char('?')));
    let t = draw(&app, 120, 35);
    insta::assert_snapshot!(t.backend());
    let first = screen_text(t.backend().buffer());
    assert!(first.contains(" Account"), "titled sections:\n{first}");
    // Every key of the account screen is in the help, scrolling down
    // through it, under its section, with the keys that work everywhere
    // last.
    let mut seen = first;
    for _ in 0..60 {
        app.update(key(KeyCode::Down));
        seen.push_str(&screen_text(draw(&app, 120, 35).backend().buffer()));
    }
    let help = app.session.keymap.help(Context::Dashboard);
    for line in &help {
        match line {
            HelpLine::Key(keys, what) => assert!(
                seen.lines()
                    .any(|l| l.contains(&format!(" {keys} ")) && l.contains(what)),
                "{keys} {what} missing from help"
            ),
            HelpLine::Title(title) => assert!(seen.contains(title), "{title}"),
            HelpLine::Blank => {}
        }
    }
    assert_eq!(
        help.iter().rev().find_map(|l| match l {
            HelpLine::Title(t) => Some(*t),
            _ => None,
        }),
        Some("Everywhere")
    );
    // Not the subaccounts' or the fleet's keys: they do nothing here.
    assert!(!seen.contains("create a subaccount"), "{seen}");
    assert!(!seen.contains("sort by runway"), "{seen}");
}

#[test]
fn no_color_draws_without_colours() {
    let mut app = loaded();
    app.session.color = false;
    app.update(shift_tab());
    type_str(&mut app, "x");
    let t = draw(&app, 120, 35);
    let buffer = t.backend().buffer();
    for cell in buffer.content() {
        assert_eq!((cell.fg, cell.bg), (Color::Reset, Color::Reset), "{cell:?}");
    }
    let credits = find(buffer, "1.80900").expect("credits");
    assert!(
        buffer[(credits.x, credits.y)]
            .modifier
            .contains(Modifier::BOLD)
    );
}

#[test]
fn wide_characters_stay_aligned() {
    let mut account = demo_account();
    account.name = "東京 Zoë 🦇 Ωmega".into();
    account.city = "Ærøskøbing".into();
    let t = draw(&loaded_with(account), 120, 35);
    let buffer = t.backend().buffer();
    let name = find(buffer, "Name").expect("name field");
    let right = (name.x..buffer.area.width)
        .find(|x| buffer[(*x, name.y)].symbol() == "┐")
        .expect("top-right corner");
    assert_eq!(
        buffer[(right, name.y + 1)].symbol(),
        "│",
        "the text row ends at the border"
    );
    assert_eq!(buffer[(right, name.y + 2)].symbol(), "┘");
    assert!(screen_text(buffer).contains("Ærøskøbing"));
}

#[test]
fn hostile_text_from_the_api_is_neutralised_on_screen() {
    let mut account = demo_account();
    account.name = "Evil\u{1b}]0;pwned\u{7}\u{1b}[2J".into();
    account.city = "Gotham\u{202e}x".into();
    let mut app = loaded_with(account);
    app.update(key(KeyCode::Tab));
    let t = draw(&app, 120, 35);
    let text = screen_text(t.backend().buffer());
    assert!(
        !text
            .lines()
            .flat_map(str::chars)
            .any(|c| c.is_control() || c == '\u{202e}'),
        "{text:?}"
    );
    assert!(text.contains("Evil␛]0;pwned␇"), "{text}");
    assert!(form(&app).field(Field::Name).text().contains("pwned"));
}

#[test]
fn the_save_confirmation_shows_long_values_whole_on_a_narrow_screen() {
    let mut app = loaded_with(Account {
        address: "Gotham Heights West, 1007 Mountain Drive".into(),
        ..demo_account()
    });
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Tab));
    clear_field(&mut app);
    type_str(&mut app, "Gotham Heights East, 1007 Mountain Drive");
    app.update(ctrl('s'));
    let t = draw(&app, 44, 38);
    let text = screen_text(t.backend().buffer());
    // Wrapped, each value can be read to its end: West and East both show.
    let popup: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains("Save changes?"))
        .take_while(|l| !l.contains("keep editing"))
        .collect();
    let joined: String = popup
        .iter()
        .map(|l| l.trim_matches(|c| c == '│' || c == ' '))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(joined.contains("\"Gotham Heights West, 1007"), "{text}");
    assert!(joined.contains("→ \"Gotham Heights East, 1007"), "{text}");
    assert!(joined.contains("Mountain Drive\""), "{text}");
    assert!(!joined.contains('…'), "nothing is cut: {text}");
}

#[test]
fn the_cursor_sits_after_a_wide_character_not_inside_it() {
    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    clear_field(&mut app);
    type_str(&mut app, "🦇x");
    app.update(key(KeyCode::Left));
    let mut t = draw(&app, 120, 35);
    let buffer = t.backend().buffer().clone();
    let bat = find(&buffer, "🦇").expect("the emoji");
    let cursor = t.get_cursor_position().expect("cursor");
    assert_eq!(
        cursor,
        Position::new(bat.x + 2, bat.y),
        "two columns past the emoji's start, on the x"
    );
    assert_eq!(buffer[(cursor.x, cursor.y)].symbol(), "x");
}

#[test]
fn a_long_name_is_cut_with_an_ellipsis_and_the_auth_id_stays_whole() {
    let mut account = demo_account();
    account.name = "Wayne Enterprises Applied Sciences Division, Gotham Research Campus".into();
    let app = loaded_with(account);
    let t = draw(&app, 80, 24);
    let header = screen_text(t.backend().buffer())
        .lines()
        .next()
        .expect("header")
        .to_owned();
    assert!(header.contains("…"), "{header}");
    assert!(header.contains("MA2025RK4E639VJFZAGV"), "{header}");
}

#[test]
fn a_long_notice_wraps_instead_of_losing_its_end() {
    let mut app = loaded();
    app.update(key(KeyCode::Tab));
    type_str(&mut app, "!");
    app.update(ctrl('s'));
    app.update(key(KeyCode::Enter));
    app.update(Msg::Worker(Report::Failed {
        op: Op::Save,
        error: ApiError::Network(
            "error sending request for url (http://127.0.0.1:47020/v1/Account/MA2025RK4E639VJFZAGV/)"
                .into(),
        ),
        retry_in: None,
    }));
    let t = draw(&app, 100, 30);
    let text = screen_text(t.backend().buffer());
    let footer: String = text
        .lines()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(footer.contains("Your edits are kept."), "{text}");
    assert!(footer.contains("MA2025RK4E639VJFZAGV/"), "{text}");
    assert!(footer.contains("Ctrl-S save"), "the hints stay: {text}");
}

#[test]
fn a_confirmation_taller_than_the_screen_scrolls_and_keeps_its_keys() {
    let mut app = loaded();
    app.update(Msg::Resize(80, 22));
    for _ in [Field::Name, Field::Address, Field::City, Field::State] {
        app.update(key(KeyCode::Tab));
        type_str(
            &mut app,
            " with a good deal more text than the field held before, enough to wrap twice",
        );
    }
    app.update(ctrl('s'));
    let keys_and = |app: &App, needle: &str| {
        let t = draw(app, 80, 22);
        let text = screen_text(t.backend().buffer());
        assert!(text.contains("Enter save   Esc keep editing"), "{text}");
        text.contains(needle)
    };
    assert!(keys_and(&app, "↓ for more"));
    assert!(keys_and(&app, "These fields will change"));
    assert!(!keys_and(&app, "State"), "the last field is below");
    for _ in 0..60 {
        app.update(key(KeyCode::Down));
    }
    assert!(keys_and(&app, "↑ for the start"));
    assert!(keys_and(&app, "State"), "scrolled to the last field");
    app.update(key(KeyCode::Enter));
    assert!(app.save.busy(), "Enter still saves");
}

#[test]
fn the_help_scrolls_to_its_end_on_a_small_screen_and_straight_back() {
    let mut app = loaded();
    app.size = (44, 38);
    app.update(key(KeyCode::Char('?')));
    for _ in 0..30 {
        app.update(key(KeyCode::PageDown));
    }
    let end = screen_text(draw(&app, 44, 38).backend().buffer());
    assert!(end.contains("Ctrl-C"), "the last row: {end}");
    assert!(end.contains("for the start"), "{end}");
    app.update(key(KeyCode::Up));
    let back = screen_text(draw(&app, 44, 38).backend().buffer());
    assert_ne!(back, end, "one Up moves at once");
}

#[test]
fn the_help_scrolled_part_way_says_both_ways_as_the_save_review_does() {
    let mut app = loaded();
    app.size = (44, 38);
    app.update(key(KeyCode::Char('?')));
    app.update(key(KeyCode::Down));
    let middle = screen_text(draw(&app, 44, 38).backend().buffer());
    assert!(middle.contains("↑ ↓ for more"), "{middle}");
}

#[test]
fn the_too_small_notice_says_how_to_leave() {
    let app = loaded();
    let text = screen_text(draw(&app, 30, 10).backend().buffer());
    assert!(text.contains("q quits"), "{text}");
}
