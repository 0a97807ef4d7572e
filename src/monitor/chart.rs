//! The credit chart's data: the history over a time range, downsampled once
//! (when the history, the range or the width changes, never per frame) to
//! one column per plot position holding the lowest and highest balance in
//! it, with gaps where nothing was recorded. Pure: no clock, no I/O.

use std::collections::VecDeque;

use jiff::tz::TimeZone;

use jiff::{RoundMode, SignedDuration, Span, Timestamp, Unit, ZonedDateTimeRound};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::Sample;

/// How much history the chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Range {
    /// The last hour.
    Hour,
    /// The last day.
    Day,
    /// All that is kept (7 days unless the config file says otherwise).
    Kept,
}

impl Range {
    /// The next range, round again after the longest.
    pub fn next(self) -> Self {
        match self {
            Range::Hour => Range::Day,
            Range::Day => Range::Kept,
            Range::Kept => Range::Hour,
        }
    }

    /// How long it spans, given the retention.
    pub fn span(self, retention: SignedDuration) -> SignedDuration {
        match self {
            Range::Hour => SignedDuration::from_hours(1),
            Range::Day => SignedDuration::from_hours(24),
            Range::Kept => retention,
        }
    }

    /// How the chart's title names it: "1 h", "24 h", "7 d".
    pub fn label(self, retention: SignedDuration) -> String {
        match self {
            Range::Hour => "1 h".to_owned(),
            Range::Day => "24 h".to_owned(),
            Range::Kept => super::human(retention),
        }
    }

    /// The smallest range that holds `history` (how far back it goes), up
    /// to a day.
    pub(crate) fn fitting(history: SignedDuration) -> Self {
        if history <= SignedDuration::from_hours(1) {
            Range::Hour
        } else {
            Range::Day
        }
    }
}

/// One column: the lowest and highest balance in its stretch of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The lowest balance.
    pub low: Decimal,
    /// The highest balance.
    pub high: Decimal,
    /// The balance it ended on.
    pub last: Decimal,
}

/// The chart's data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plot {
    /// Where it starts.
    pub from: Timestamp,
    /// Where it ends (now).
    pub to: Timestamp,
    /// One per plot position, oldest first; `None` where nothing was
    /// recorded (the monitor was not running) or before the history.
    pub columns: Vec<Option<Column>>,
    /// The lowest and highest balance shown.
    pub bounds: Option<(Decimal, Decimal)>,
    /// The columns in which money came in.
    pub top_ups: Vec<usize>,
    /// The line as drawing points, one run per stretch without a gap: x
    /// the column, y the balance's [`place`](Plot::place). Worked out
    /// here, once per change, so a frame only draws them.
    pub runs: Vec<Vec<(f64, f64)>>,
}

impl Plot {
    /// Where a balance sits on the chart's height: 0 at the lowest shown,
    /// 1 at the highest (a flat line's unit is its [`flat_height`]). A
    /// drawing coordinate only; the money stays decimal.
    pub fn place(&self, credits: Decimal) -> f64 {
        let Some((low, high)) = self.bounds else {
            return 0.0;
        };
        let unit = if high > low {
            high - low
        } else {
            flat_height(low)
        };
        ((credits - low) / unit).to_f64().unwrap_or(0.0)
    }
}

/// The height the chart gives a line that does not move at `credits`: a
/// cent or 1% of it, whichever is more, so it is drawn mid-chart.
pub(crate) fn flat_height(credits: Decimal) -> Decimal {
    Decimal::new(1, 2).max(credits.abs() / Decimal::from(100))
}

/// The samples over `[from, to]` in `n` columns. A column with no sample
/// carries the balance before it unless that is more than `gap` old at the
/// column's end (then it is a gap); a column with samples also holds the
/// balance it started from, so a drop between two columns is drawn whole.
pub fn plot(
    samples: &VecDeque<Sample>,
    from: Timestamp,
    to: Timestamp,
    n: usize,
    gap: SignedDuration,
) -> Plot {
    let mut plot = Plot {
        from,
        to,
        columns: vec![None; n],
        bounds: None,
        top_ups: Vec::new(),
        runs: Vec::new(),
    };
    if n == 0 || to <= from {
        return plot;
    }
    let span = to.duration_since(from).as_secs_f64();
    let end_of = |i: usize| from + SignedDuration::from_secs_f64(span * (i + 1) as f64 / n as f64);
    let start = samples.partition_point(|s| s.at < from);
    let mut carried: Option<Sample> = start.checked_sub(1).map(|i| samples[i]);
    let mut next = start;
    for (i, column) in plot.columns.iter_mut().enumerate() {
        let end = end_of(i);
        let mut cell: Option<Column> =
            carried
                .filter(|c| end.duration_since(c.at) <= gap)
                .map(|c| Column {
                    low: c.credits,
                    high: c.credits,
                    last: c.credits,
                });
        while let Some(s) = samples.get(next).filter(|s| s.at <= end) {
            if carried.is_some_and(|c| super::is_top_up(c.credits, s.credits)) {
                plot.top_ups.push(i);
            }
            // After a gap the line starts afresh at this sample.
            if carried.is_some_and(|c| s.at.duration_since(c.at) > gap) {
                cell = None;
            }
            cell = Some(match cell {
                Some(c) => Column {
                    low: c.low.min(s.credits),
                    high: c.high.max(s.credits),
                    last: s.credits,
                },
                None => Column {
                    low: s.credits,
                    high: s.credits,
                    last: s.credits,
                },
            });
            carried = Some(*s);
            next += 1;
        }
        *column = cell;
    }
    plot.top_ups.dedup();
    plot.bounds = plot
        .columns
        .iter()
        .flatten()
        .fold(None, |b: Option<(Decimal, Decimal)>, c| {
            Some(match b {
                Some((lo, hi)) => (lo.min(c.low), hi.max(c.high)),
                None => (c.low, c.high),
            })
        });
    let mut run = Vec::new();
    for (i, column) in plot.columns.iter().enumerate() {
        match column {
            Some(c) => {
                let x = i as f64;
                run.push((x, plot.place(c.high)));
                if c.low != c.high {
                    run.push((x, plot.place(c.low)));
                }
            }
            None if !run.is_empty() => plot.runs.push(std::mem::take(&mut run)),
            None => {}
        }
    }
    if !run.is_empty() {
        plot.runs.push(run);
    }
    plot
}

/// Steps between time labels, finest first: minutes, hours, then days.
const STEPS: [(Unit, i64); 14] = [
    (Unit::Minute, 5),
    (Unit::Minute, 10),
    (Unit::Minute, 15),
    (Unit::Minute, 30),
    (Unit::Hour, 1),
    (Unit::Hour, 2),
    (Unit::Hour, 3),
    (Unit::Hour, 6),
    (Unit::Hour, 12),
    (Unit::Day, 1),
    (Unit::Day, 2),
    (Unit::Day, 3),
    (Unit::Day, 7),
    (Unit::Day, 14),
];

/// Round local times to label a time axis `cells` wide over `(from, to)`:
/// the finest step (a whole 15 minutes, 6 hours, a midnight …) whose labels
/// stand at least four cells apart. Each tick is the cell it falls in (0 at
/// `from`, `cells - 1` at `to`) with its label: "14:00", or "Tue 24" at a
/// midnight.
pub fn ticks(from: Timestamp, to: Timestamp, tz: &TimeZone, cells: usize) -> Vec<(usize, String)> {
    let span = i128::from(to.duration_since(from).as_secs());
    let Ok(last) = i128::try_from(cells.saturating_sub(1)) else {
        return Vec::new();
    };
    if span <= 0 || last == 0 {
        return Vec::new();
    }
    let label = |unit: Unit| if unit == Unit::Day { 6 } else { 5 };
    let Some((unit, every)) = STEPS.into_iter().find(|(unit, every)| {
        let seconds = match unit {
            Unit::Minute => 60,
            Unit::Hour => 3_600,
            _ => 86_400,
        } * i128::from(*every);
        seconds * last >= (label(*unit) + 4) * span
    }) else {
        return Vec::new();
    };
    let start = from.to_zoned_datetime(tz.clone());
    // Weeks and fortnights start at a midnight; the step is counted in days.
    let increment = if unit == Unit::Day { 1 } else { every };
    let Ok(mut at) = start.round(
        ZonedDateTimeRound::new()
            .smallest(unit)
            .increment(increment)
            .mode(RoundMode::Ceil),
    ) else {
        return Vec::new();
    };
    let step = match unit {
        Unit::Minute => Span::new().minutes(every),
        Unit::Hour => Span::new().hours(every),
        _ => Span::new().days(every),
    };
    let format = if unit == Unit::Day { "%a %d" } else { "%H:%M" };
    let mut ticks = Vec::new();
    // Stepped on the wall clock, not in elapsed time, so a day the clocks
    // change still reads 06:00, 12:00; a time the change skips is shown
    // at the moment after it.
    let mut clock = at.datetime();
    while at.timestamp() < to {
        let elapsed = i128::from(at.timestamp().duration_since(from).as_secs());
        // Rounded to the nearest cell.
        let cell = (2 * elapsed * last + span) / (2 * span);
        if let Ok(cell) = usize::try_from(cell) {
            ticks.push((cell, at.strftime(format).to_string()));
        }
        let Ok(next) = clock.checked_add(step) else {
            break;
        };
        clock = next;
        match tz.to_ambiguous_zoned_datetime(clock).compatible() {
            Ok(next) if next.timestamp() > at.timestamp() => at = next,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    ticks
}

/// A plot as one line of text: one bar per column at the balance it
/// ended on (so the last bar is where the account stands), eighths of the height between
/// the lowest and highest balance shown; a space where nothing was
/// recorded.
pub(crate) fn bars(plot: &Plot) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let Some((low, high)) = plot.bounds else {
        return String::new();
    };
    let range = high - low;
    plot.columns
        .iter()
        .map(|column| match column {
            None => ' ',
            Some(_) if range.is_zero() => BARS[3],
            Some(c) => {
                let step = ((c.last - low) / range * Decimal::from(7))
                    .round()
                    .to_usize()
                    .unwrap_or(0);
                BARS[step.min(7)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn a_line_of_bars_ends_where_the_balance_stands() {
        use crate::monitor::testing::{series, t};
        // Ten minutes of steady spending from 10 to 0, then nothing.
        let s = series(
            &(0..=10)
                .map(|m| (m * 60, Decimal::from(10 - m)))
                .collect::<Vec<_>>(),
        );
        let drained = plot(s.samples(), t(0), t(600), 10, SignedDuration::from_mins(10));
        let line = bars(&drained);
        assert_eq!(line.chars().count(), 10);
        let ranks: Vec<usize> = line
            .chars()
            .map(|c| "▁▂▃▄▅▆▇█".chars().position(|b| b == c).unwrap())
            .collect();
        // The first minute already spent one of ten: 9/10 of the height.
        assert!(ranks[0] >= 6 && line.ends_with('▁'), "{line}");
        assert!(
            ranks.windows(2).all(|w| w[0] >= w[1]),
            "falls all the way: {line}"
        );
        assert_eq!(bars(&Plot::default()), "");
        // A top-up in the last minute: the last bar is where it ended, high.
        let mut points: Vec<(i64, Decimal)> =
            (0..10).map(|m| (m * 60, Decimal::from(10 - m))).collect();
        points.push((590, Decimal::from(10)));
        let topped = plot(
            series(&points).samples(),
            t(0),
            t(600),
            10,
            SignedDuration::from_mins(10),
        );
        assert!(bars(&topped).ends_with('█'), "{}", bars(&topped));
    }

    #[test]
    fn ticks_fall_on_round_local_times() {
        let tz = TimeZone::get("Asia/Kathmandu").unwrap();
        let to: Timestamp = "2026-11-27T15:33:20Z".parse().unwrap();
        let day = ticks(to - SignedDuration::from_hours(24), to, &tz, 44);
        let labels: Vec<&str> = day.iter().map(|(_, l)| l.as_str()).collect();
        // 15:33 UTC is 21:18 in Kathmandu (+05:45); six-hour steps fit.
        assert_eq!(labels, ["00:00", "06:00", "12:00", "18:00"]);
        assert!(day.windows(2).all(|w| w[0].0 + 9 <= w[1].0), "{day:?}");
        assert!(day.iter().all(|(cell, _)| *cell < 43), "{day:?}");
        // 00:00 is 2 h 42 min after 21:18 the day before: 43 × 162 / 1440.
        assert_eq!(day[0].0, 5);
        let hour = ticks(to - SignedDuration::from_hours(1), to, &tz, 44);
        let labels: Vec<&str> = hour.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["20:30", "20:45", "21:00", "21:15"]);
        let week = ticks(to - SignedDuration::from_hours(7 * 24), to, &tz, 41);
        assert!(week.iter().all(|(_, l)| l.len() == 6), "{week:?}");
        assert!(week.len() >= 3, "{week:?}");
        assert!(ticks(to, to, &tz, 44).is_empty());
        // London's clocks go back at 02:00 BST on 2026-10-25: the day's
        // ticks stay on the wall clock's six hours.
        let london = TimeZone::get("Europe/London").unwrap();
        let after: Timestamp = "2026-10-25T20:00:00Z".parse().unwrap();
        let change = ticks(after - SignedDuration::from_hours(24), after, &london, 44);
        let labels: Vec<&str> = change.iter().map(|(_, l)| l.as_str()).collect();
        assert_eq!(labels, ["00:00", "06:00", "12:00", "18:00"], "{change:?}");
        assert!(ticks(to - SignedDuration::from_hours(1), to, &tz, 0).is_empty());
    }

    fn t(secs: i64) -> Timestamp {
        Timestamp::from_second(1_780_000_000 + secs).unwrap()
    }

    /// Column by column the slow way: every sample scanned for each.
    fn brute(
        samples: &[Sample],
        from: Timestamp,
        to: Timestamp,
        n: usize,
        gap: SignedDuration,
    ) -> Vec<Option<Column>> {
        let span = to.duration_since(from).as_secs_f64();
        let edge = |i: usize| from + SignedDuration::from_secs_f64(span * i as f64 / n as f64);
        (0..n)
            .map(|i| {
                let (start, end) = (edge(i), edge(i + 1));
                let in_column =
                    |s: &&Sample| s.at <= end && if i == 0 { s.at >= from } else { s.at > start };
                let before_column = |s: &&Sample| if i == 0 { s.at < from } else { s.at <= start };
                let prev = samples.iter().rfind(before_column);
                let inside: Vec<&Sample> = samples.iter().filter(in_column).collect();
                // The last sample that follows a silence longer than the gap.
                let reset = (0..inside.len()).rev().find(|&k| {
                    let pred = if k == 0 { prev } else { Some(inside[k - 1]) };
                    pred.is_some_and(|p| inside[k].at.duration_since(p.at) > gap)
                });
                let mut values: Vec<Decimal> = Vec::new();
                if let Some(p) = prev.filter(|p| reset.is_none() && end.duration_since(p.at) <= gap)
                {
                    values.push(p.credits);
                }
                values.extend(inside[reset.unwrap_or(0)..].iter().map(|s| s.credits));
                Some(Column {
                    low: *values.iter().min()?,
                    high: *values.iter().max()?,
                    last: *values.last()?,
                })
            })
            .collect()
    }

    #[test]
    fn columns_match_a_brute_force_scan() {
        let mut rng = fastrand::Rng::with_seed(42);
        for round in 0..50 {
            let mut at = 0;
            let mut credits = dec!(100);
            let mut samples = Vec::new();
            for _ in 0..rng.usize(1..300) {
                // Mostly minutes apart, now and then a long silence.
                at += if rng.u8(..20) == 0 {
                    rng.i64(3_600..20_000)
                } else {
                    rng.i64(30..600)
                };
                credits += Decimal::new(rng.i64(-300..100), 2);
                samples.push(Sample { at: t(at), credits });
            }
            let deque: VecDeque<Sample> = samples.iter().copied().collect();
            let (from, to) = (t(rng.i64(-1_000..at / 2)), t(at + rng.i64(0..1_000)));
            let n = rng.usize(1..200);
            let gap = SignedDuration::from_secs(rng.i64(600..4_000));
            let fast = plot(&deque, from, to, n, gap).columns;
            assert_eq!(fast, brute(&samples, from, to, n, gap), "round {round}");
        }
    }

    #[test]
    fn a_silence_longer_than_the_gap_is_a_gap_and_top_ups_are_found() {
        let samples: VecDeque<Sample> = [
            (0, dec!(5)),
            (60, dec!(4)),
            (7_200, dec!(3)),
            (7_260, dec!(9)),
        ]
        .into_iter()
        .map(|(s, c)| Sample {
            at: t(s),
            credits: c,
        })
        .collect();
        let p = plot(&samples, t(0), t(7_800), 13, SignedDuration::from_mins(20));
        assert!(p.columns[0].is_some());
        assert!(p.columns[5].is_none(), "nothing recorded for two hours");
        assert_eq!(p.top_ups, vec![12]);
        assert_eq!(p.bounds, Some((dec!(3), dec!(9))));
    }

    #[test]
    fn ranges_fit_the_history() {
        assert_eq!(Range::fitting(SignedDuration::from_mins(20)), Range::Hour);
        assert_eq!(Range::fitting(SignedDuration::from_hours(5)), Range::Day);
        assert_eq!(Range::fitting(SignedDuration::from_hours(80)), Range::Day);
        assert_eq!(Range::Kept.next(), Range::Hour);
    }
}
