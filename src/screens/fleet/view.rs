//! Drawing the fleet screen: a header, the table (one row per account, a
//! total row, a one-line chart each where the width allows), the footer.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use rust_decimal::Decimal;
use unicode_width::UnicodeWidthStr as _;

use super::{FleetScreen, Row};
use crate::keymap::{Context, Keymap};
use crate::monitor::threshold::Level;
use crate::monitor::{Estimate, ago, human};
use crate::plivo::BillingMode;
use crate::state::{AccountState, FetchState, Notice, Overlay};
use crate::ui::{self, Theme, clip};

/// The smallest terminal the table fits: the profile, the balance and the
/// runway, with the header and footer.
pub(crate) const FLEET_MIN: (u16, u16) = (40, 8);
const HEADER: u16 = 1;
const FOOTER: u16 = 2;

/// Column widths, in cells: profile, name, balance, burn, runway, alert,
/// updated. The name and the chart give way first on narrow screens.
const PROFILE: usize = 14;
const NAME: usize = 20;
/// The narrowest the name column is drawn at all.
const NAME_MIN: usize = 12;
const BALANCE: usize = 12;
const BURN: usize = 11;
const RUNWAY: usize = 13;
const ALERT: usize = 10;
const UPDATED: usize = 14;
/// Month-to-date spend, from the store's records.
const MONTH: usize = 10;
/// A chart narrower than this says nothing.
const SPARK_MIN: usize = 8;
const SPARK_MAX: usize = 40;

/// What the fleet screen draws: its table, the accounts in it, and the
/// frame around it (the footer's notice, the help over it, the keys).
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a, M> {
    /// The table's state.
    pub screen: &'a FleetScreen,
    /// The accounts, one row each.
    pub members: &'a [M],
    /// The footer's message.
    pub notice: &'a Option<Notice>,
    /// What covers the table.
    pub overlay: Option<Overlay>,
    /// The keys.
    pub keymap: &'a Keymap,
    /// Colours allowed.
    pub color: bool,
    /// Running on the embedded sandbox.
    pub demo: bool,
    /// The time now, as of the last tick.
    pub now: jiff::Timestamp,
    /// The terminal's size.
    pub size: (u16, u16),
}

/// Whether the fleet screen fits a terminal of `size`.
pub fn fits(size: (u16, u16)) -> bool {
    size.0 >= FLEET_MIN.0 && size.1 >= FLEET_MIN.1
}

/// Which columns a width holds, and how wide the name and the chart are.
#[derive(Debug, Clone, Copy)]
struct Columns {
    name: usize,
    burn: bool,
    alert: bool,
    updated: bool,
    month: bool,
    spark: usize,
}

/// `month`: some account has its usage read, so the month-to-date column
/// has something to say (before the name grows and the chart).
fn columns(width: u16, month: bool) -> Columns {
    let width = usize::from(width).saturating_sub(1);
    let mut used = PROFILE + 1 + BALANCE + 1 + RUNWAY;
    let mut take = |w: usize| {
        let fits = used + 1 + w <= width;
        if fits {
            used += 1 + w;
        }
        fits
    };
    // What matters most first: the alert, the burn, who it is, then when.
    let alert = take(ALERT);
    let burn = take(BURN);
    let mut name = if take(NAME_MIN) { NAME_MIN } else { 0 };
    let updated = take(UPDATED);
    let month = month && take(MONTH);
    if name > 0 {
        // Leaving a chart its narrowest where there is room for one.
        let spare = width.saturating_sub(used);
        let spare = if spare > SPARK_MIN + 1 {
            spare - SPARK_MIN - 1
        } else {
            spare
        };
        let grow = spare.min(NAME - NAME_MIN);
        name += grow;
        used += grow;
    }
    let room = width.saturating_sub(used + 1);
    let spark = if room >= SPARK_MIN {
        room.min(SPARK_MAX)
    } else {
        0
    };
    Columns {
        name,
        burn,
        alert,
        updated,
        month,
        spark,
    }
}

/// How many cells each account's chart gets at this width (0: none).
pub(crate) fn spark_cells(width: u16, month: bool) -> usize {
    columns(width, month).spark
}

/// When an account was last heard from, as the table says it: to the
/// minute, so a table of many accounts is not redrawn every second for
/// its clock alone.
pub fn age(now: jiff::Timestamp, at: jiff::Timestamp) -> String {
    if now.duration_since(at).as_secs() < 60 {
        "< 1 min ago".to_owned()
    } else {
        ago(now, at)
    }
}

/// Where the fleet screen's parts go: worked out once for drawing, for
/// clicks and for the rows a page holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    /// The title line.
    pub header: Rect,
    /// The table, between the header and the footer (help covers it).
    pub body: Rect,
    /// The account rows in view: under the filter and the heading, above
    /// the total row.
    pub rows: Rect,
    /// The notice (as tall as it needs) and the key hints.
    pub footer: Rect,
}

/// The fleet screen's areas on `screen`, or `None` when it does not fit.
pub fn areas<M: Row>(fleet: &Shown<M>, screen: Rect) -> Option<Areas> {
    if !fits((screen.width, screen.height)) {
        return None;
    }
    let notice = footer_notice(fleet, screen.width);
    let notice = notice.as_ref().map(|n| n.text.as_str());
    let notice_lines = crate::layout::notice_lines(notice, screen.width)
        .clamp(1, crate::layout::NOTICE_MAX_LINES)
        .min(screen.height.saturating_sub(FLEET_MIN.1) + 1);
    let footer_height = FOOTER + notice_lines - 1;
    let header = Rect {
        height: HEADER,
        ..screen
    };
    let footer = Rect {
        y: screen.bottom() - footer_height,
        height: footer_height,
        ..screen
    };
    let body = Rect {
        y: header.bottom(),
        height: footer.y - header.bottom(),
        ..screen
    };
    // Above the accounts: the filter, when there is one, and the heading;
    // the total row stays under them.
    let filtered = fleet.screen.filtering || !fleet.screen.filter.text().is_empty();
    let above = u16::from(filtered) + 1;
    let rows = Rect {
        y: body.y + above,
        height: body.height.saturating_sub(above + 1).max(1),
        ..body
    };
    Some(Areas {
        header,
        body,
        rows,
        footer,
    })
}

/// The footer's message: the fleet's own, else why the selected account
/// fails where its row has no room to say it (no chart column).
fn footer_notice<M: Row>(fleet: &Shown<M>, width: u16) -> Option<Notice> {
    if let Some(notice) = fleet.notice {
        return Some(notice.clone());
    }
    let month = fleet.members.iter().any(|m| m.account().digest.is_some());
    if columns(width, month).spark > 0 {
        return None;
    }
    let member = fleet
        .screen
        .selected_member(fleet.members)
        .and_then(|i| fleet.members.get(i))?;
    let why = why(member.account())?;
    Some(Notice::error(format!("{}: {why}", member.profile())))
}

/// Why an account's figures are stale: its last fetch failed, or its
/// worker is gone.
fn why(app: &AccountState) -> Option<String> {
    match &app.fetch {
        FetchState::Failed { error, .. } => Some(format!("✗ {error}")),
        FetchState::Stopped => Some("✗ worker stopped".to_owned()),
        _ => None,
    }
}

/// Draws the fleet screen.
pub fn render<M: Row>(fleet: &Shown<M>, frame: &mut Frame) {
    let theme = Theme::new(fleet.color);
    let screen = frame.area();
    // The demo opened from the welcome screen goes back to it.
    let back = fleet
        .members
        .first()
        .is_some_and(|m| m.account().session.back_to_welcome);
    let Some(areas) = areas(fleet, screen) else {
        let need = format!(
            "need {}×{}; {} {}",
            FLEET_MIN.0,
            FLEET_MIN.1,
            fleet.keymap.key_label(crate::keymap::Action::Quit),
            if back { "goes back" } else { "quits" }
        );
        ui::too_small_notice(frame, screen, theme, &need, None);
        return;
    };
    let Areas {
        header,
        body,
        footer,
        ..
    } = areas;
    render_header(fleet, frame, header, theme);
    let contexts = crate::screens::contexts(fleet.overlay, || fleet.screen.contexts());
    let context = contexts.get(1).copied().unwrap_or(Context::Global);
    // A row whose token is missing opens the welcome screen for it.
    let login = fleet
        .screen
        .selected_member(fleet.members)
        .and_then(|i| fleet.members.get(i))
        .is_some_and(Row::needs_login);
    let (hints, ranks): (Vec<_>, Vec<_>) = fleet
        .keymap
        .hints(context)
        .into_iter()
        .map(|(keys, action, label)| {
            let label = match action {
                crate::keymap::Action::Open if login => "log in",
                _ => crate::screens::leave_label(action, label, back),
            };
            ((keys, label), Keymap::hint_rank(context, action))
        })
        .unzip();
    let notice = footer_notice(fleet, screen.width);
    ui::footer(notice.as_ref(), &hints, &ranks, frame, footer, theme);
    render_table(fleet, frame, &areas, theme);
    if let Some(Overlay::Help { scroll, screen }) = fleet.overlay {
        ui::help(fleet.keymap, screen, scroll, frame, body, theme);
    }
}

fn render_header<M: Row>(fleet: &Shown<M>, frame: &mut Frame, area: Rect, theme: Theme) {
    let mut spans = vec![Span::styled(" plivo-dash ", theme.accent())];
    if fleet.demo {
        spans.push(Span::styled(" DEMO ", theme.badge()));
    }
    let n = fleet.members.len();
    spans.push(Span::raw(format!(
        " {n} account{}",
        if n == 1 { "" } else { "s" }
    )));
    let below = fleet
        .members
        .iter()
        .filter(|m| m.account().level() == Level::Critical)
        .count();
    if below > 0 {
        spans.push(Span::raw("  "));
        spans.push(Span::styled(
            format!(" ⚠ {below} below alert "),
            theme.alert(),
        ));
    }
    // A profile without its token is not an account failing to answer:
    // it waits for a login (Enter on its row).
    let (tokenless, failing) = fleet
        .members
        .iter()
        .filter(|m| matches!(m.account().fetch, FetchState::Failed { .. }))
        .fold((0, 0), |(t, f), m| {
            if m.needs_login() {
                (t + 1, f)
            } else {
                (t, f + 1)
            }
        });
    if failing > 0 {
        spans.push(Span::styled(
            format!("  {failing} not answering"),
            theme.error(),
        ));
    }
    if tokenless > 0 {
        spans.push(Span::styled(
            format!("  {tokenless} to log in"),
            theme.warn(),
        ));
    }
    spans.push(Span::styled(
        format!("  · sorted by {}", fleet.screen.sort.label()),
        theme.dim(),
    ));
    let line = Line::from(spans);
    frame.render_widget(Paragraph::new(line), area);
}

/// One cell of a row: its text, drawn from the left of its column (or
/// against its right edge), in a style.
struct Cell {
    text: String,
    width: usize,
    right: bool,
    style: Style,
}

impl Cell {
    fn left(text: impl Into<String>, width: usize, style: Style) -> Self {
        Self {
            text: text.into(),
            width,
            right: false,
            style,
        }
    }

    fn right(text: impl Into<String>, width: usize, style: Style) -> Self {
        Self {
            right: true,
            ..Self::left(text, width, style)
        }
    }
}

fn render_table<M: Row>(fleet: &Shown<M>, frame: &mut Frame, areas: &Areas, theme: Theme) {
    let area = areas.body;
    let month = fleet.members.iter().any(|m| m.account().digest.is_some());
    let cols = columns(area.width, month);
    let order = fleet.screen.order(fleet.members);
    let mut rows: Vec<(Vec<Cell>, Style)> = Vec::new();
    let filter = fleet.screen.filter.text();
    if fleet.screen.filtering || !filter.is_empty() {
        let cursor = if fleet.screen.filtering { "▏" } else { "" };
        let typed = format!("{}{cursor}", clip(filter, usize::from(area.width) / 2));
        let width = typed.width();
        rows.push((
            vec![
                Cell::left("/", 1, theme.key()),
                Cell::left(typed, width, Style::new()),
                Cell::left(
                    format!(" {} of {}", order.len(), fleet.members.len()),
                    usize::from(area.width),
                    theme.dim(),
                ),
            ],
            Style::new(),
        ));
    }
    rows.push((heading(cols), theme.dim().add_modifier(Modifier::BOLD)));
    // The total row and the heading stay; the rows scroll to keep the
    // selection in sight. Only the rows in view are made.
    let room = usize::from(areas.rows.height);
    let first = fleet.screen.table.first(order.len(), room);
    let selected = fleet
        .screen
        .table
        .selected
        .min(order.len().saturating_sub(1));
    let mut highlight = None;
    for (row, &i) in order.iter().enumerate().skip(first).take(room) {
        if row == selected {
            highlight = Some(rows.len());
        }
        rows.push((
            account_row(fleet, &fleet.members[i], cols, theme),
            Style::new(),
        ));
    }
    if order.is_empty() {
        let text = if fleet.members.is_empty() {
            "no accounts"
        } else {
            "no account matches the filter"
        };
        rows.push((
            vec![Cell::left(text, usize::from(area.width), theme.dim())],
            Style::new(),
        ));
    }
    rows.push((
        total_row(fleet, &order, cols),
        theme.dim().add_modifier(Modifier::BOLD),
    ));
    // Cells go straight into the buffer at their columns: the padding
    // between them is never drawn (a frame of 100 accounts is mostly
    // spaces, and ratatui would walk each one).
    let buf = frame.buffer_mut();
    for (y, (cells, row_style)) in (area.y..area.bottom()).zip(&rows) {
        let mut x = usize::from(area.x) + 1;
        let end = usize::from(area.right());
        for cell in cells {
            if x >= end {
                break;
            }
            let room = cell.width.min(end - x);
            let text_width = cell.text.width().min(room);
            let at = if cell.right { x + room - text_width } else { x };
            let at = u16::try_from(at).unwrap_or(u16::MAX);
            buf.set_stringn(at, y, &cell.text, room, row_style.patch(cell.style));
            x += cell.width + 1;
        }
    }
    if let Some(row) = highlight {
        let y = area.y + u16::try_from(row).unwrap_or(0);
        buf.set_style(
            Rect {
                y,
                height: 1,
                ..area
            },
            theme.selected(),
        );
    }
}

fn heading(cols: Columns) -> Vec<Cell> {
    let plain = Style::new();
    let mut cells = vec![Cell::left("Profile", PROFILE, plain)];
    if cols.name > 0 {
        cells.push(Cell::left("Account", cols.name, plain));
    }
    cells.push(Cell::right("Balance USD", BALANCE, plain));
    if cols.burn {
        cells.push(Cell::right("Burn/day", BURN, plain));
    }
    cells.push(Cell::left("Runway", RUNWAY, plain));
    if cols.alert {
        cells.push(Cell::left("Alert", ALERT, plain));
    }
    if cols.updated {
        cells.push(Cell::left("Updated", UPDATED, plain));
    }
    if cols.month {
        cells.push(Cell::right("Month USD", MONTH, plain));
    }
    if cols.spark > 0 {
        cells.push(Cell::left("Trend", cols.spark, plain));
    }
    cells
}

fn account_row<M: Row>(fleet: &Shown<M>, member: &M, cols: Columns, theme: Theme) -> Vec<Cell> {
    let app = member.account();
    let mut cells = vec![Cell::left(
        clip(member.profile(), PROFILE),
        PROFILE,
        theme.accent(),
    )];
    let Some(account) = &app.account else {
        // Nothing yet: loading, or its error across the rest of the row.
        let rest = usize::from(fleet.size.0).saturating_sub(PROFILE + 3);
        let (text, style) = match &app.fetch {
            FetchState::Failed { .. } if member.needs_login() => (
                format!(
                    "no auth token here: {} logs in",
                    fleet.keymap.key_label(crate::keymap::Action::Open)
                ),
                theme.warn(),
            ),
            FetchState::Failed { error, .. } => (format!("✗ {error}"), theme.error()),
            FetchState::Stopped => ("✗ worker stopped".to_owned(), theme.error()),
            _ => ("loading…".to_owned(), theme.dim()),
        };
        cells.push(Cell::left(clip(&text, rest), rest, style));
        return cells;
    };
    if cols.name > 0 {
        let name = app.shown.as_ref().map_or("", |s| s.name.as_str());
        cells.push(Cell::left(clip(name, cols.name), cols.name, Style::new()));
    }
    let level = app.level();
    let money = match level {
        Level::Critical => theme.error().add_modifier(Modifier::BOLD),
        Level::Warning => theme.warn(),
        Level::Ok => Style::new(),
    };
    // As the API has it (five decimals): the points line up.
    cells.push(Cell::right(
        clip(&account.cash_credits.to_string(), BALANCE),
        BALANCE,
        money,
    ));
    let credits = account.cash_credits;
    let postpaid = account.billing_mode == BillingMode::Postpaid;
    let (burn, runway, runway_style) = match (burning(app), app.estimate()) {
        (Some(per_day), Estimate::Burning { to_zero, .. }) => {
            (format!("{per_day:.2}"), human(*to_zero), Style::new())
        }
        // Invoiced afterwards: no credit to run out of.
        (_, Estimate::Steady { .. } | Estimate::NotEnoughData { .. }) if postpaid => {
            ("—".to_owned(), "postpaid".to_owned(), theme.dim())
        }
        _ if credits <= Decimal::ZERO && !postpaid => (
            "—".to_owned(),
            if credits.is_zero() {
                "exhausted".to_owned()
            } else {
                "overdrawn".to_owned()
            },
            theme.error(),
        ),
        (_, Estimate::NotEnoughData { .. }) => {
            ("…".to_owned(), "measuring".to_owned(), theme.dim())
        }
        _ => ("0.00".to_owned(), "no end".to_owned(), theme.dim()),
    };
    if cols.burn {
        cells.push(Cell::right(clip(&burn, BURN), BURN, Style::new()));
    }
    cells.push(Cell::left(clip(&runway, RUNWAY), RUNWAY, runway_style));
    if cols.alert {
        let (text, style) = match (&app.alarm, level) {
            (None, _) => ("—".to_owned(), theme.dim()),
            (Some(a), Level::Critical) => (format!("< {}", a.alert_below()), theme.alert()),
            (Some(a), Level::Warning) => (format!("≈ {}", a.alert_below()), theme.warn()),
            (Some(_), Level::Ok) => ("ok".to_owned(), theme.good()),
        };
        cells.push(Cell::left(clip(&text, ALERT), ALERT, style));
    }
    if cols.updated {
        let age = app
            .fetched_at
            .map_or_else(String::new, |at| age(fleet.now, at));
        let (text, style) = match &app.fetch {
            FetchState::Failed { .. } | FetchState::Stopped => (
                format!("stale {}", age.trim_end_matches(" ago")),
                theme.warn(),
            ),
            _ => (age, theme.dim()),
        };
        cells.push(Cell::left(clip(&text, UPDATED), UPDATED, style));
    }
    if cols.month {
        let (text, style) = month_to_date(app, theme);
        cells.push(Cell::right(clip(&text, MONTH), MONTH, style));
    }
    // A failing account says why where its line would be: its row keeps
    // the last balance, marked stale, and this is the reason.
    match why(app) {
        Some(why) if cols.spark > 0 => {
            let room = usize::from(fleet.size.0).saturating_sub(cells_width(&cells) + 2);
            cells.push(Cell::left(clip(&why, room), room, theme.error()));
        }
        _ if cols.spark > 0 => {
            cells.push(Cell::left(app.spark.clone(), cols.spark, theme.accent()));
        }
        _ => {}
    }
    cells
}

/// What an account has spent since the 1st in its zone, from the digest
/// read after its last sync: "≥" when the store does not reach back to
/// the 1st, "—" before the first digest.
fn month_to_date(app: &AccountState, theme: Theme) -> (String, Style) {
    match &app.digest {
        Some(digest) if digest.month.short() => {
            (format!("≥{:.2}", digest.month_to_date()), theme.dim())
        }
        Some(digest) => (format!("{:.2}", digest.month_to_date()), Style::new()),
        None => ("—".to_owned(), theme.dim()),
    }
}

/// The columns `cells` take, with the space after each.
fn cells_width(cells: &[Cell]) -> usize {
    cells.iter().map(|c| c.width + 1).sum()
}

/// What an account spends a day, as its row shows it: only while it has
/// credit to spend.
fn burning(app: &AccountState) -> Option<Decimal> {
    let credits = app.account.as_ref()?.cash_credits;
    match app.estimate() {
        Estimate::Burning { per_day, .. } if credits > Decimal::ZERO => Some(*per_day),
        _ => None,
    }
}

/// The sums of the rows shown (the filter's, when one is set).
fn total_row<M: Row>(fleet: &Shown<M>, order: &[usize], cols: Columns) -> Vec<Cell> {
    // An account under two profiles is one account: counted once, from a
    // profile that has heard from it if any has.
    let shown: Vec<&M> = order.iter().map(|i| &fleet.members[*i]).collect();
    // A profile that names no auth id is an account of its own, not the
    // same one as every other such profile.
    let unnamed = shown
        .iter()
        .filter(|m| m.account().session.auth_id.is_empty())
        .count();
    let accounts: std::collections::HashSet<&str> = shown
        .iter()
        .map(|m| m.account().session.auth_id.as_str())
        .filter(|id| !id.is_empty())
        .collect();
    let accounts = accounts.len() + unnamed;
    let mut seen = std::collections::HashSet::new();
    let known: Vec<&M> = shown
        .iter()
        .copied()
        .filter(|m: &&M| {
            let m: &M = m;
            m.account().account.is_some() && seen.insert(m.account().session.auth_id.as_str())
        })
        .collect();
    let balance: Decimal = known
        .iter()
        .filter_map(|m| m.account().account.as_ref())
        .map(|a| a.cash_credits)
        .sum();
    let burn: Decimal = known.iter().filter_map(|m| burning(m.account())).sum();
    let measuring = known
        .iter()
        .any(|m| matches!(m.account().estimate(), Estimate::NotEnoughData { .. }));
    let burn = if measuring && burn.is_zero() {
        "…".to_owned()
    } else {
        format!("{burn:.2}")
    };
    // A stale balance is summed as its row shows it, but not counted as
    // known now: the label says how many are.
    let current = known.iter().filter(|m| why(m.account()).is_none()).count();
    let label = if current == accounts {
        "Total".to_owned()
    } else {
        format!("Total {current}/{accounts}")
    };
    let plain = Style::new();
    let mut cells = vec![Cell::left(label, PROFILE, plain)];
    if cols.name > 0 {
        cells.push(Cell::left("", cols.name, plain));
    }
    let balance = if known.is_empty() {
        "—".to_owned()
    } else {
        balance.to_string()
    };
    cells.push(Cell::right(clip(&balance, BALANCE), BALANCE, plain));
    if cols.burn {
        let burn = if known.is_empty() {
            "—".to_owned()
        } else {
            burn
        };
        cells.push(Cell::right(clip(&burn, BURN), BURN, plain));
    }
    if cols.month {
        // Under its column: the runway, alert and age have no total.
        cells.push(Cell::left("", RUNWAY, plain));
        for (shown, width) in [(cols.alert, ALERT), (cols.updated, UPDATED)] {
            if shown {
                cells.push(Cell::left("", width, plain));
            }
        }
        let digests: Vec<_> = known
            .iter()
            .filter_map(|m| m.account().digest.as_ref())
            .collect();
        let month: Decimal = digests.iter().map(|d| d.month_to_date()).sum();
        // Some accounts not read yet, or not back to the 1st: at least.
        let partial = digests.len() < known.len() || digests.iter().any(|d| d.month.short());
        let text = match (digests.is_empty(), partial) {
            (true, _) => "—".to_owned(),
            (false, true) => format!("≥{month:.2}"),
            (false, false) => format!("{month:.2}"),
        };
        cells.push(Cell::right(clip(&text, MONTH), MONTH, plain));
    }
    cells
}
