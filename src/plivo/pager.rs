//! Reading a whole paged list so that it ends by construction, whatever the
//! server answers: one rule for every list the client reads.
//!
//! The server's `total_count` only plans the first pages fetched together; it
//! never decides alone where the list ends. Paging goes on while a page is
//! full or names a `next`, and stops at an empty or short page, at a page
//! (or an offset) already seen, or at [`MAX_PAGES`]. Objects are kept once
//! by id. When the count and what arrived disagree, the list says so in a
//! [`Disagreement`] beside the objects that did arrive. A list whose pages
//! carry no count (Plivo's message list may leave it out) follows `next`.

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use futures_util::StreamExt as _;

use super::{ApiError, Meta, PAGE_GAP, PAGES_IN_FLIGHT};

/// How fast a list's pages are asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// The least time between the starts of two page requests.
    pub gap: Duration,
    /// How many pages the count foresees are asked for at once.
    pub in_flight: usize,
}

impl Pace {
    /// Inside Plivo's 300 requests per 5 s for the account.
    pub const ACCOUNT: Self = Self {
        gap: PAGE_GAP,
        in_flight: PAGES_IN_FLIGHT,
    };
}

/// Where a page says it is in its list.
pub trait Position {
    /// How many objects come before the page.
    fn offset(&self) -> u32;
    /// How many there are in all, when the server says.
    fn total_count(&self) -> Option<u32>;
    /// Whether the page names a next one.
    fn has_next(&self) -> bool;
}

impl Position for Meta {
    fn offset(&self) -> u32 {
        self.offset
    }

    fn total_count(&self) -> Option<u32> {
        Some(self.total_count)
    }

    fn has_next(&self) -> bool {
        self.next.is_some()
    }
}

/// The most pages one list reads: 10,000 objects at 20 a page, far beyond
/// any account's subaccounts, and under a minute at Plivo's rate limit. A
/// server that keeps saying "more" is stopped here.
pub(crate) const MAX_PAGES: u32 = 500;

/// An object of a list, known by its id.
pub trait Keyed {
    /// Its id, unique in the list.
    fn key(&self) -> &str;
}

/// One page as the pager sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T, M = Meta> {
    /// Where the server says the page is.
    pub meta: M,
    /// The objects on it not seen on an earlier page.
    pub objects: Vec<T>,
}

/// A whole list: what arrived, and whether it is what the server promised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed<T> {
    /// Every object that arrived, once, in the server's order.
    pub objects: Vec<T>,
    /// Set when the list is not what the server's answers promised.
    pub disagreement: Option<Disagreement>,
}

/// How a list's answers disagreed with themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disagreement {
    /// The server's `total_count` on the first page, if it gave one.
    pub counted: Option<u32>,
    /// How many distinct objects arrived.
    pub arrived: usize,
    /// Why paging stopped where it did.
    pub stop: Stop,
}

/// Why paging stopped, when that is not the end the server announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The pages ended where they said; only the count was wrong.
    Ended,
    /// A page came back empty before the count was reached.
    EmptyEarly,
    /// A page repeated an offset or only objects already seen.
    Repeated,
    /// [`MAX_PAGES`] were read and the server still promised more.
    Ceiling,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self {
            counted, arrived, ..
        } = self;
        match counted {
            Some(counted) => write!(f, "the server counted {counted} but {arrived} arrived")?,
            None => write!(f, "{arrived} arrived")?,
        }
        match self.stop {
            Stop::Ended => Ok(()),
            Stop::EmptyEarly => write!(f, " (a page came back empty early)"),
            Stop::Repeated => write!(f, " (a page repeated one already read; stopped there)"),
            Stop::Ceiling => write!(f, " (stopped after {MAX_PAGES} pages)"),
        }
    }
}

/// What the pager keeps between pages.
struct Reading<T> {
    limit: u32,
    counted: Option<u32>,
    offsets: HashSet<u32>,
    ids: HashSet<String>,
    objects: Vec<T>,
    pages: u32,
}

impl<T: Keyed> Reading<T> {
    /// Takes in one page: `Ok(more)` if the page asks for another, `Err` the
    /// stop it calls for.
    fn take<M: Position>(
        &mut self,
        meta: M,
        objects: Vec<T>,
        on_page: &mut impl FnMut(&Paged<T, M>),
    ) -> Result<bool, Stop> {
        self.pages += 1;
        if !self.offsets.insert(meta.offset()) {
            return Err(Stop::Repeated);
        }
        if objects.is_empty() {
            return Err(if self.below_count() {
                Stop::EmptyEarly
            } else {
                Stop::Ended
            });
        }
        let full = u32::try_from(objects.len()).unwrap_or(u32::MAX) >= self.limit;
        let fresh: Vec<T> = objects
            .into_iter()
            .filter(|o| self.ids.insert(o.key().to_owned()))
            .collect();
        if fresh.is_empty() {
            return Err(Stop::Repeated);
        }
        let page = Paged {
            meta,
            objects: fresh,
        };
        on_page(&page);
        self.objects.extend(page.objects);
        // `next` is followed past the count; a full page without one
        // only while the count says there are more.
        let more = page.meta.has_next() || (full && self.below_count());
        if more && self.pages >= MAX_PAGES {
            return Err(Stop::Ceiling);
        }
        Ok(more)
    }

    /// Whether fewer objects arrived than the server counted (never, when
    /// it gave no count).
    fn below_count(&self) -> bool {
        self.counted
            .is_some_and(|c| self.objects.len() < usize::try_from(c).unwrap_or(usize::MAX))
    }

    fn end(self, stop: Stop) -> Listed<T> {
        let arrived = self.objects.len();
        let agrees = stop == Stop::Ended
            && self
                .counted
                .is_none_or(|c| usize::try_from(c).is_ok_and(|counted| counted == arrived));
        Listed {
            objects: self.objects,
            disagreement: (!agrees).then_some(Disagreement {
                counted: self.counted,
                arrived,
                stop,
            }),
        }
    }
}

/// Reads a whole list of pages of `limit`, `fetch(offset)` answering one.
/// The pages the first page's count foresees are fetched
/// `pace.in_flight` at a time, each started `pace.gap` after the one
/// before; any the server still promises beyond them, one at a time. Every
/// page's new objects go to `on_page` as they arrive, in order.
pub(crate) async fn read_all<T, M, F, Fut>(
    limit: u32,
    pace: Pace,
    fetch: F,
    mut on_page: impl FnMut(&Paged<T, M>),
) -> Result<Listed<T>, ApiError>
where
    T: Keyed,
    M: Position,
    F: Fn(u32) -> Fut,
    Fut: Future<Output = Result<(M, Vec<T>), ApiError>>,
{
    let limit = limit.max(1);
    // Every page starts a whole gap after the one before, the second
    // after the first too: at the message list's 3 s, two pages back to
    // back would make 21 requests in a minute.
    let start = tokio::time::Instant::now();
    let (meta, objects) = fetch(0).await?;
    let mut reading = Reading {
        limit,
        counted: meta.total_count(),
        offsets: HashSet::new(),
        ids: HashSet::new(),
        objects: Vec::new(),
        pages: 0,
    };
    let mut more = match reading.take(meta, objects, &mut on_page) {
        Ok(more) => more,
        Err(stop) => return Ok(reading.end(stop)),
    };
    let foreseen = reading.counted.unwrap_or(0).div_ceil(limit).min(MAX_PAGES);
    let mut pages = futures_util::stream::iter(1..foreseen)
        .map(|page| {
            let fetch = &fetch;
            async move {
                tokio::time::sleep_until(start + pace.gap.saturating_mul(page)).await;
                fetch(page.saturating_mul(limit)).await
            }
        })
        .buffered(pace.in_flight.max(1));
    let mut next = limit;
    while more && let Some(page) = pages.next().await {
        let (meta, objects) = page?;
        next = next.saturating_add(limit);
        more = match reading.take(meta, objects, &mut on_page) {
            Ok(more) => more,
            Err(stop) => return Ok(reading.end(stop)),
        };
    }
    drop(pages);
    while more {
        tokio::time::sleep(pace.gap).await;
        let (meta, objects) = fetch(next).await?;
        next = next.saturating_add(limit);
        more = match reading.take(meta, objects, &mut on_page) {
            Ok(more) => more,
            Err(stop) => return Ok(reading.end(stop)),
        };
    }
    Ok(reading.end(Stop::Ended))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Item(String);

    impl Keyed for Item {
        fn key(&self) -> &str {
            &self.0
        }
    }

    /// A page with no count, as Plivo's message list may send.
    struct Uncounted {
        offset: u32,
        next: bool,
    }

    impl Position for Uncounted {
        fn offset(&self) -> u32 {
            self.offset
        }

        fn total_count(&self) -> Option<u32> {
            None
        }

        fn has_next(&self) -> bool {
            self.next
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_list_without_a_count_follows_next_to_its_end_and_agrees() {
        let listed = read_all(
            2,
            Pace::ACCOUNT,
            |offset| async move {
                let items = vec![Item(format!("a{offset}")), Item(format!("b{offset}"))];
                let next = offset < 8;
                Ok((Uncounted { offset, next }, items))
            },
            |_| {},
        )
        .await
        .expect("a list");
        assert_eq!(listed.objects.len(), 10, "five pages, by next");
        assert_eq!(listed.disagreement, None, "no count to disagree with");
        // One that repeats itself is still stopped, and says so.
        let listed = read_all(
            2,
            Pace::ACCOUNT,
            |_| async move {
                let items = vec![Item("a".to_owned()), Item("b".to_owned())];
                Ok((
                    Uncounted {
                        offset: 0,
                        next: true,
                    },
                    items,
                ))
            },
            |_| {},
        )
        .await
        .expect("a list");
        assert_eq!(
            listed.disagreement.map(|d| d.to_string()).as_deref(),
            Some("2 arrived (a page repeated one already read; stopped there)")
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_list_that_never_ends_stops_at_the_ceiling() {
        let asked = std::sync::atomic::AtomicU32::new(0);
        // New objects on every page, a `next` always, and a count of two.
        let listed = read_all(
            2,
            Pace::ACCOUNT,
            |offset| {
                asked.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                async move {
                    let meta = Meta {
                        limit: 2,
                        offset,
                        total_count: 2,
                        next: Some("more".to_owned()),
                        previous: None,
                    };
                    let items = vec![Item(format!("a{offset}")), Item(format!("b{offset}"))];
                    Ok((meta, items))
                }
            },
            |_| {},
        )
        .await
        .expect("a list");
        assert_eq!(asked.into_inner(), MAX_PAGES);
        assert_eq!(listed.objects.len(), 2 * 500);
        assert_eq!(
            listed.disagreement.map(|d| d.to_string()).as_deref(),
            Some("the server counted 2 but 1000 arrived (stopped after 500 pages)")
        );
    }
}
