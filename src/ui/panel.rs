//! The account panel: credits first and large, then the rest at a glance.

use ratatui::Frame;
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Padding, Paragraph, Wrap};

use super::{Theme, age, clip};
use crate::app::{App, Fetch};
use crate::plivo::{Account, AccountType};
use crate::text::sanitize;

const LABEL: usize = 15;

pub(super) fn render(app: &App, account: &Account, theme: Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .title(Span::styled(" Account ", theme.accent()))
        .border_style(theme.dim())
        .padding(Padding::horizontal(1));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [credits, rows] =
        Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(inner);

    let credit_style = if account.cash_credits.is_sign_positive() && !account.cash_credits.is_zero()
    {
        theme.good()
    } else {
        theme.error()
    };
    let amount = Paragraph::new(Line::from(vec![
        Span::styled(
            account.cash_credits.to_string(),
            credit_style.add_modifier(Modifier::BOLD),
        ),
        Span::styled(" USD", credit_style),
    ]))
    .alignment(Alignment::Center)
    .block(
        Block::bordered()
            .border_type(BorderType::Thick)
            .border_style(credit_style)
            .title(Span::styled(" Credits ", credit_style)),
    );
    frame.render_widget(amount, credits);

    let width = rows.width as usize;
    let row = |label: &str, value: String| {
        Line::from(vec![
            Span::styled(format!("{label:<LABEL$}"), theme.dim()),
            Span::raw(clip(&value, width.saturating_sub(LABEL))),
        ])
    };
    let account_type = match &account.account_type {
        AccountType::Developer => "developer (free trial)".to_owned(),
        other => sanitize(other.as_str()),
    };
    let mut lines = vec![
        row("Billing mode", sanitize(account.billing_mode.as_str())),
        row("Account type", account_type),
        row(
            "Auto-recharge",
            if account.auto_recharge { "on" } else { "off" }.to_owned(),
        ),
        row("Auth ID", sanitize(&account.auth_id)),
        row("Resource URI", sanitize(&account.resource_uri)),
        row("Time zone", sanitize(&account.timezone)),
        row("Local time", local_time(app, &account.timezone)),
        row("Fetched", fetched(app)),
    ];
    if let Fetch::Failed(error) = &app.fetch {
        lines.push(Line::from(Span::styled(
            format!("⚠ Stale: {error}"),
            theme.warn(),
        )));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), rows);
}

/// The time now in the account's zone, e.g. "Thu 14:03 EST".
fn local_time(app: &App, zone: &str) -> String {
    match jiff::tz::TimeZone::get(zone) {
        Ok(tz) => app
            .now
            .to_zoned_datetime(tz)
            .strftime("%a %H:%M %Z")
            .to_string(),
        Err(_) => "— (unknown time zone)".to_owned(),
    }
}

/// "19:03:22 (12 s ago)" in the user's own time zone.
fn fetched(app: &App) -> String {
    match app.fetched_at {
        Some(at) => format!(
            "{} ({})",
            at.to_zoned_datetime(app.session.local_tz.clone())
                .strftime("%H:%M:%S"),
            age(app.now, at)
        ),
        None => "—".to_owned(),
    }
}
