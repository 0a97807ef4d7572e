//! Which time windows a sync reads, and where its position stands after
//! each page: pure, so every case is a unit test.
//!
//! A list's [`SyncPosition`] holds two marks. `backfill` is the back-fill's
//! edge: every record at or after it (up to the newest) has been read, the
//! ones before it not yet. `newest` is the newest record time kept. A sync
//! reads two parts:
//!
//! - **Recent**: from `newest` less [`MARGIN`] (records arrive late, and a
//!   call's amount changes once billed) up to now, oldest window first. Its
//!   pages come newest first, so `newest` only moves when a whole window is
//!   read: moved after its first page, a kill would leave the older part of
//!   the window unread and never asked for again.
//! - **Back-fill**: from the edge down to the start (the month so far, or
//!   `days` back), newest window first. Each page moves the edge down to the
//!   second of its oldest record, so a kill resumes there: the records of
//!   that second are read again (stored once, by uuid), none is skipped.
//!
//! No window is wider than [`WINDOW`] (Plivo refuses a call range wider than
//! 30 days) or older than the lists keep ([`KEPT`]). Times are whole seconds:
//! a record's time is written to the second, so a bound with a fraction
//! would split a second between a window and the store's totals.

use jiff::{SignedDuration, Timestamp, ToSpan as _};

use crate::store::SyncPosition;
use crate::usage::forecast;

/// How far behind the newest record kept each sync reads again.
pub const MARGIN: SignedDuration = SignedDuration::from_hours(1);
/// The widest window one query asks for.
pub const WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);
/// The most days a back-fill reaches: what Plivo's lists keep.
pub const MAX_DAYS: u32 = 90;
/// How far back the lists reach.
pub const KEPT: SignedDuration = SignedDuration::from_hours(24 * 90);
/// Kept clear of the lists' 90-day edge, which moves while a sync runs.
const EDGE: SignedDuration = SignedDuration::from_mins(10);

/// The furthest any time zone is ahead of UTC (Kiribati's +14): its 1st
/// begins this long before UTC's.
const FURTHEST_AHEAD: SignedDuration = SignedDuration::from_hours(14);

/// How deep a first sync back-fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Depth {
    /// From the first of this month, UTC.
    MonthToDate,
    /// What the month ahead needs whatever the account's zone: from the
    /// earliest any zone's 1st begins, or the trailing week when that
    /// reaches further. What a background sync and `usage sync` read when
    /// `usage_days` says nothing.
    #[default]
    MonthAhead,
    /// This many days back (at most [`MAX_DAYS`]).
    Days(u32),
    /// From this time (at most [`MAX_DAYS`] back): as deep as a window
    /// asked for needs, and no deeper.
    Since(Timestamp),
}

/// Which part of a sync a window belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// From the newest record kept (less the margin) to now.
    Recent,
    /// Older records not read yet.
    Backfill,
}

/// One query's time range: `from` included, `to` excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Recent or back-fill.
    pub part: Part,
    /// The oldest time asked for.
    pub from: Timestamp,
    /// The time asked up to, excluded.
    pub to: Timestamp,
}

/// `at` cut down to its whole second.
pub fn whole_second(at: Timestamp) -> Timestamp {
    Timestamp::from_second(at.as_second()).unwrap_or(at)
}

/// The oldest time a sync at `now` reads back to for `depth`: never older
/// than the lists keep.
pub fn start(now: Timestamp, depth: Depth) -> Timestamp {
    let now = whole_second(now);
    let floor = now - KEPT + EDGE;
    let start = match depth {
        Depth::MonthToDate => {
            let today = now.to_zoned_datetime(jiff::tz::TimeZone::UTC).date();
            today
                .first_of_month()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .map_or(floor, |z| z.timestamp())
        }
        Depth::MonthAhead => {
            start(now, Depth::MonthToDate).min(now - forecast::TRAILING) - FURTHEST_AHEAD
        }
        Depth::Days(days) => now - SignedDuration::from_hours(24 * i64::from(days.min(MAX_DAYS))),
        Depth::Since(since) => whole_second(since),
    };
    start.max(floor)
}

/// The windows a sync at `now` reads, in order, for a list at `position`,
/// back-filling down to `start` (see the module doc).
pub fn plan(position: &SyncPosition, start: Timestamp, now: Timestamp) -> Vec<Window> {
    let now = whole_second(now);
    let floor = now - KEPT + EDGE;
    let start = whole_second(start).max(floor);
    let mut windows = Vec::new();
    let Some(edge) = position.backfill else {
        // Never synced: everything is back-fill, from now down.
        backfill(&mut windows, start, now);
        return windows;
    };
    let from = position.newest.map_or(edge, whole_second) - MARGIN;
    let mut lower = from.max(floor);
    while lower < now {
        let to = (lower + WINDOW).min(now);
        windows.push(Window {
            part: Part::Recent,
            from: lower,
            to,
        });
        lower = to;
    }
    backfill(&mut windows, start, edge.min(now));
    windows
}

/// Back-fill windows from `upper` down to `start`, newest first.
fn backfill(windows: &mut Vec<Window>, start: Timestamp, upper: Timestamp) {
    let mut upper = upper;
    while upper > start {
        let from = (upper - WINDOW).max(start);
        windows.push(Window {
            part: Part::Backfill,
            from,
            to: upper,
        });
        upper = from;
    }
}

/// What one page held: its newest and oldest record times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    /// The newest record's time.
    pub newest: Timestamp,
    /// The oldest record's time.
    pub oldest: Timestamp,
}

impl Seen {
    /// The span of `times`, or `None` when there are none.
    pub fn of(times: impl IntoIterator<Item = Timestamp>) -> Option<Self> {
        times.into_iter().fold(None, |seen, at| {
            Some(match seen {
                None => Seen {
                    newest: at,
                    oldest: at,
                },
                Some(s) => Seen {
                    newest: s.newest.max(at),
                    oldest: s.oldest.min(at),
                },
            })
        })
    }

    /// Both spans together.
    pub fn join(self, other: Option<Self>) -> Self {
        match other {
            None => self,
            Some(o) => Seen {
                newest: self.newest.max(o.newest),
                oldest: self.oldest.min(o.oldest),
            },
        }
    }
}

impl Window {
    /// The position to store with a page of this window: `seen` is what the
    /// window's pages so far held (this one included), `ended` whether this
    /// page was its last, `start` the back-fill's start.
    pub fn after_page(
        &self,
        position: &SyncPosition,
        seen: Option<Seen>,
        ended: bool,
        start: Timestamp,
    ) -> SyncPosition {
        let newest = |position: &SyncPosition| match (position.newest, seen) {
            (Some(n), Some(s)) => Some(n.max(s.newest)),
            (n, s) => n.or(s.map(|s| s.newest)),
        };
        match self.part {
            Part::Recent => SyncPosition {
                newest: if ended {
                    newest(position)
                } else {
                    position.newest
                },
                ..*position
            },
            Part::Backfill => {
                let edge = if ended {
                    self.from
                } else {
                    // The oldest record's whole second is read again next
                    // time: others of that second may be on the next page.
                    seen.map_or(self.to, |s| whole_second(s.oldest) + 1.second())
                };
                let edge = position.backfill.map_or(edge, |e| e.min(edge));
                SyncPosition {
                    newest: newest(position),
                    backfill: Some(edge),
                    backfill_done: edge <= start,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().expect("a time")
    }

    fn days(n: i64) -> SignedDuration {
        SignedDuration::from_hours(24 * n)
    }

    #[test]
    fn the_lists_keep_max_days() {
        assert_eq!(KEPT, days(i64::from(MAX_DAYS)));
    }

    #[test]
    fn the_start_is_the_first_of_the_month_or_days_back_never_past_ninety() {
        let now = at("2026-12-05T16:21:07.5Z");
        assert_eq!(start(now, Depth::MonthToDate), at("2026-12-01T00:00:00Z"));
        assert_eq!(start(now, Depth::Days(7)), at("2026-11-28T16:21:07Z"));
        // The week before the 5th reaches past the 1st, and Kiribati's
        // day begins 14 hours before UTC's.
        assert_eq!(start(now, Depth::MonthAhead), at("2026-11-28T02:21:07Z"));
        let late = at("2026-12-20T08:00:00Z");
        assert_eq!(start(late, Depth::MonthAhead), at("2026-11-30T10:00:00Z"));
        let deepest = start(now, Depth::Days(400));
        assert_eq!(
            deepest,
            at("2026-09-06T16:31:07Z"),
            "90 days, less the edge"
        );
        assert_eq!(start(now, Depth::Days(90)), deepest);
        let since = at("2026-12-05T10:00:00.75Z");
        assert_eq!(start(now, Depth::Since(since)), at("2026-12-05T10:00:00Z"));
        assert_eq!(start(now, Depth::Since(now - days(120))), deepest);
    }

    #[test]
    fn a_first_sync_back_fills_from_now_in_windows_of_thirty_days_at_most() {
        let now = at("2026-12-05T16:21:07.9Z");
        let windows = plan(&SyncPosition::default(), now - days(60), now);
        assert_eq!(windows.len(), 2, "{windows:?}");
        assert!(windows.iter().all(|w| w.part == Part::Backfill));
        assert!(windows.iter().all(|w| w.to - w.from <= WINDOW));
        assert_eq!(windows[0].to, at("2026-12-05T16:21:07Z"), "whole seconds");
        assert_eq!(windows[0].from, windows[1].to, "no gap, no overlap");
        assert_eq!(windows[1].from, at("2026-10-06T16:21:07Z"));
        // 61 days take three, the last one short.
        let windows = plan(&SyncPosition::default(), now - days(61), now);
        assert_eq!(windows.len(), 3);
        assert_eq!(windows[2].to - windows[2].from, days(1));
    }

    #[test]
    fn a_later_sync_reads_from_the_newest_record_less_the_margin() {
        let now = at("2026-12-05T16:00:00Z");
        let position = SyncPosition {
            newest: Some(at("2026-12-05T15:55:30.25Z")),
            backfill: Some(at("2026-12-01T00:00:00Z")),
            backfill_done: true,
        };
        let windows = plan(&position, at("2026-12-01T00:00:00Z"), now);
        assert_eq!(
            windows,
            [Window {
                part: Part::Recent,
                from: at("2026-12-05T14:55:30Z"),
                to: now,
            }]
        );
        // A list with no record yet reads again from its back-fill's edge.
        let empty = SyncPosition {
            newest: None,
            ..position
        };
        assert_eq!(
            plan(&empty, at("2026-12-01T00:00:00Z"), now)[0].from,
            at("2026-11-30T23:00:00Z")
        );
    }

    #[test]
    fn a_long_pause_is_read_oldest_window_first_and_never_past_ninety_days() {
        let now = at("2026-12-05T00:00:00Z");
        let position = SyncPosition {
            newest: Some(now - days(200)),
            backfill: Some(now - days(230)),
            backfill_done: true,
        };
        let windows = plan(&position, now - days(10), now);
        assert_eq!(windows.len(), 3, "{windows:?}");
        assert_eq!(windows[0].from, now - KEPT + EDGE);
        assert!(windows.windows(2).all(|w| w[0].to == w[1].from));
        assert!(windows.iter().all(|w| w.to - w.from <= WINDOW));
        assert_eq!(windows[2].to, now);
    }

    #[test]
    fn an_unfinished_back_fill_resumes_at_its_edge_after_the_recent_part() {
        let now = at("2026-12-05T12:00:00Z");
        let position = SyncPosition {
            newest: Some(at("2026-12-05T11:00:00Z")),
            backfill: Some(at("2026-12-03T08:00:01Z")),
            backfill_done: false,
        };
        let windows = plan(&position, at("2026-12-01T00:00:00Z"), now);
        assert_eq!(
            windows,
            [
                Window {
                    part: Part::Recent,
                    from: at("2026-12-05T10:00:00Z"),
                    to: now,
                },
                Window {
                    part: Part::Backfill,
                    from: at("2026-12-01T00:00:00Z"),
                    to: at("2026-12-03T08:00:01Z"),
                },
            ]
        );
        // A deeper start asked later opens the back-fill again.
        let done = SyncPosition {
            backfill: Some(at("2026-12-01T00:00:00Z")),
            backfill_done: true,
            ..position
        };
        assert_eq!(plan(&done, at("2026-12-01T00:00:00Z"), now).len(), 1);
        let deeper = plan(&done, at("2026-11-20T00:00:00Z"), now);
        assert_eq!(deeper[1].from, at("2026-11-20T00:00:00Z"));
        assert_eq!(deeper[1].to, at("2026-12-01T00:00:00Z"));
    }

    #[test]
    fn a_back_fill_page_moves_the_edge_to_its_oldest_second_and_newest_up() {
        let start = at("2026-12-01T00:00:00Z");
        let window = Window {
            part: Part::Backfill,
            from: start,
            to: at("2026-12-05T00:00:00Z"),
        };
        let page = Seen {
            newest: at("2026-12-04T23:59:00Z"),
            oldest: at("2026-12-04T20:10:05.75Z"),
        };
        let after = window.after_page(&SyncPosition::default(), Some(page), false, start);
        assert_eq!(
            after,
            SyncPosition {
                newest: Some(page.newest),
                backfill: Some(at("2026-12-04T20:10:06Z")),
                backfill_done: false,
            }
        );
        // The window's last page: its start is reached.
        let last = window.after_page(&after, Some(page), true, start);
        assert_eq!(last.backfill, Some(start));
        assert!(last.backfill_done);
        // The next run's window starts at the edge; a page of it that held
        // nothing (cut short) leaves the edge there, and newest where it was.
        let resumed = Window {
            to: after.backfill.expect("an edge"),
            ..window
        };
        let cut_short = resumed.after_page(&after, None, false, start);
        assert_eq!(cut_short, after);
        let deeper = Seen::of([at("2026-12-02T10:00:00Z")]);
        let page = resumed.after_page(&after, deeper, false, start);
        assert_eq!(page.backfill, Some(at("2026-12-02T10:00:01Z")));
        assert_eq!(page.newest, after.newest, "never moved down");
    }

    #[test]
    fn a_recent_window_moves_newest_only_once_it_is_read_whole() {
        let position = SyncPosition {
            newest: Some(at("2026-12-05T10:00:00Z")),
            backfill: Some(at("2026-12-01T00:00:00Z")),
            backfill_done: true,
        };
        let window = Window {
            part: Part::Recent,
            from: at("2026-12-05T09:00:00Z"),
            to: at("2026-12-05T12:00:00Z"),
        };
        let seen = Seen::of([at("2026-12-05T11:59:00Z"), at("2026-12-05T11:00:00Z")]);
        // Killed after this page, the next sync must still read 09:00–11:00.
        assert_eq!(
            window.after_page(&position, seen, false, at("2026-12-01T00:00:00Z")),
            position
        );
        let ended = window.after_page(&position, seen, true, at("2026-12-01T00:00:00Z"));
        assert_eq!(ended.newest, Some(at("2026-12-05T11:59:00Z")));
        assert_eq!(ended.backfill, position.backfill);
    }

    #[test]
    fn seen_spans_its_times_and_joins() {
        assert_eq!(Seen::of([]), None);
        let a = Seen::of([at("2026-12-05T10:00:00Z"), at("2026-12-05T09:00:00Z")]);
        let b = Seen::of([at("2026-12-05T08:00:00Z")]).expect("one");
        let both = b.join(a);
        assert_eq!(both.newest, at("2026-12-05T10:00:00Z"));
        assert_eq!(both.oldest, at("2026-12-05T08:00:00Z"));
    }
}
