//! "Where it goes", in the space under the account's form: the last 24
//! hours' top products and destinations, a line each, and the month ahead
//! (the projected month end, the balance after the 1st, the warning when it
//! would go below zero or the alert with auto-recharge off). Drawn from the
//! digest the worker read after the last sync, never from the store; what
//! does not fit goes, the least telling first, and nothing is drawn where
//! too little fits.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use rust_decimal::Decimal;

use crate::plivo::Account;
use crate::screens::usage::view::usd;
use crate::store::Total;
use crate::text::drawable;
use crate::ui::{Theme, clip};
use crate::usage::digest::Digest;
use crate::usage::forecast::Warning;

/// How many products and destinations are listed at most.
const TOP: usize = 3;
/// The fewest rows worth drawing: a heading and a line.
const FEWEST: u16 = 2;

/// Draws the section in `area` from `digest`, with `account`'s balance and
/// settings for the month ahead (`alert_below`: the alert threshold).
pub(super) fn render(
    digest: &Digest,
    account: &Account,
    alert_below: Option<Decimal>,
    theme: Theme,
    frame: &mut Frame,
    area: Rect,
) {
    if area.height < FEWEST {
        return;
    }
    let lines = fit(
        lines(digest, account, alert_below, theme),
        usize::from(area.height),
    );
    let width = usize::from(area.width);
    let lines: Vec<Line> = lines.into_iter().map(|line| clipped(line, width)).collect();
    frame.render_widget(Paragraph::new(lines), area);
}

/// `line` cut to `width` cells, its spans' styles kept.
fn clipped(line: Line<'static>, width: usize) -> Line<'static> {
    let style = line.style;
    let mut left = width;
    let spans: Vec<Span> = line
        .spans
        .into_iter()
        .map_while(|span| {
            if left == 0 {
                return None;
            }
            let text = clip(&span.content, left);
            left = left.saturating_sub(unicode_width::UnicodeWidthStr::width(text.as_str()));
            Some(Span::styled(text, span.style))
        })
        .collect();
    Line::from(spans).style(style)
}

/// Keeps the lines that fit in `rows`: those of the lowest rank stay
/// longest (rank 0 last to go; of one rank, the first), in their order.
fn fit(lines: Vec<(u8, Line<'static>)>, rows: usize) -> Vec<Line<'static>> {
    let mut order: Vec<(u8, usize)> = lines
        .iter()
        .enumerate()
        .map(|(i, (r, _))| (*r, i))
        .collect();
    order.sort_unstable();
    let mut kept: Vec<usize> = order.into_iter().take(rows).map(|(_, i)| i).collect();
    kept.sort_unstable();
    lines
        .into_iter()
        .enumerate()
        .filter(|(i, _)| kept.binary_search(i).is_ok())
        .map(|(_, (_, line))| line)
        .collect()
}

/// A share of `total` as a percentage, for a line.
fn share(amount: Decimal, total: Decimal) -> String {
    if total.is_zero() {
        String::new()
    } else {
        format!("{:>4}%", (amount * Decimal::ONE_HUNDRED / total).round())
    }
}

/// Every line the section could show, each with its rank.
fn lines(
    digest: &Digest,
    account: &Account,
    alert_below: Option<Decimal>,
    theme: Theme,
) -> Vec<(u8, Line<'static>)> {
    let day: Decimal = digest.day_products.iter().map(|t| t.amount).sum();
    let mut out = vec![(
        0,
        Line::from(vec![
            Span::styled("Where it goes", theme.accent()),
            Span::styled(" · last 24 h ", theme.dim()),
            Span::raw(usd(day)),
        ]),
    )];
    let listed = |totals: &[Total], prefix: &str, unknown: &str| -> Vec<(u8, Line<'static>)> {
        totals
            .iter()
            .filter(|t| !t.amount.is_zero())
            .take(TOP)
            .enumerate()
            .map(|(i, t)| {
                let name = t
                    .key
                    .as_deref()
                    .map_or_else(|| unknown.to_owned(), |k| drawable(k).into_owned());
                let rank = if i == 0 { 1 } else { 3 };
                (
                    rank,
                    Line::from(vec![
                        Span::raw(format!(
                            " {:<18} {:>10}",
                            format!("{prefix}{name}"),
                            usd(t.amount)
                        )),
                        Span::styled(format!(" {}", share(t.amount, day)), theme.dim()),
                    ]),
                )
            })
            .collect()
    };
    if day.is_zero() {
        out.push((
            1,
            Line::styled(" no spend stored for the last 24 h", theme.dim()),
        ));
    } else {
        out.extend(listed(&digest.day_products, "", "unknown product"));
        out.extend(listed(&digest.day_countries, "to ", "unknown"));
    }
    match digest
        .month
        .project(account.cash_credits, account.auto_recharge, alert_below)
    {
        Ok(forecast) => {
            let short = if digest.month.short() { "≥ " } else { "" };
            out.push((
                2,
                Line::from(vec![
                    Span::styled("The month ahead", theme.accent()),
                    Span::styled(
                        format!(" · so far {short}{}", usd(forecast.spent_to_date)),
                        theme.dim(),
                    ),
                ]),
            ));
            out.push((
                2,
                Line::raw(format!(
                    " month end ≈ {} · balance after the 1st ≈ {}",
                    usd(forecast.projected_month_end),
                    usd(forecast.balance_after_first)
                )),
            ));
            if let Some(warning) = forecast.warning {
                let (below, style) = match warning {
                    Warning::BelowZero => ("zero".to_owned(), theme.error()),
                    Warning::BelowAlert(alert) => {
                        (format!("the alert ({})", usd(alert)), theme.warn())
                    }
                };
                out.push((
                    0,
                    Line::styled(
                        format!(" ⚠ below {below} after the 1st, and auto-recharge is off"),
                        style,
                    ),
                ));
            }
        }
        Err(e) => out.push((
            2,
            Line::styled(
                format!(" the month ahead cannot be placed: {e}"),
                Style::new(),
            ),
        )),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_does_not_fit_goes_least_telling_first_in_order() {
        let line = |s: &'static str| Line::raw(s);
        let lines = || {
            vec![
                (0, line("head")),
                (1, line("top product")),
                (3, line("second product")),
                (2, line("month")),
                (0, line("warning")),
            ]
        };
        let text =
            |kept: Vec<Line>| -> Vec<String> { kept.iter().map(ToString::to_string).collect() };
        assert_eq!(text(fit(lines(), 5)).len(), 5);
        assert_eq!(
            text(fit(lines(), 4)),
            ["head", "top product", "month", "warning"]
        );
        assert_eq!(text(fit(lines(), 2)), ["head", "warning"]);
        assert_eq!(text(fit(lines(), 3)), ["head", "top product", "warning"]);
        let tied = vec![(2, line("a")), (2, line("b")), (0, line("warning"))];
        assert_eq!(text(fit(tied, 2)), ["a", "warning"], "the warning stays");
    }
}
