//! Feed pages already made. Many subscribers read the same pages (each
//! from its own cursor, most from the beginning); a page is made once per
//! feed head and served to all of them, so fifty readers cost about what
//! one does and the deployment's own API keeps its cores.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use interlink_proto::federation::v1 as pb;

/// The most bytes of pages kept; past it the oldest page goes first.
const BUDGET_BYTES: usize = 64 << 20;
/// The longest a reader waits for its turn; later ones are refused.
pub const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Pages by (cursor's sequence, page size), all made at one feed head.
#[derive(Debug, Default)]
pub struct FeedPages {
    inner: Mutex<Pages>,
}

#[derive(Debug, Default)]
struct Pages {
    /// The feed head the pages were made at; a new head empties the cache.
    head: i64,
    pages: HashMap<(i64, u64), Kept>,
    /// Bytes kept (encoded sizes).
    bytes: usize,
    /// Insertions so far, to find the oldest.
    clock: u64,
}

#[derive(Debug)]
struct Kept {
    page: Arc<pb::ListFeedEntriesResponse>,
    bytes: usize,
    made: u64,
}

impl FeedPages {
    /// The page after `after` of `limit` entries made at `head`, if kept,
    /// with its encoded size.
    pub fn get(
        &self,
        after: i64,
        limit: u64,
        head: i64,
    ) -> Option<(Arc<pb::ListFeedEntriesResponse>, usize)> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.head != head {
            return None;
        }
        inner
            .pages
            .get(&(after, limit))
            .map(|kept| (Arc::clone(&kept.page), kept.bytes))
    }

    /// Keeps `page` (of `bytes` encoded), made at `head`. Pages of an older
    /// head are dropped; a page made at an older head than those kept is
    /// not kept.
    pub fn put(
        &self,
        after: i64,
        limit: u64,
        head: i64,
        page: &Arc<pb::ListFeedEntriesResponse>,
        bytes: usize,
    ) {
        if bytes > BUDGET_BYTES {
            return;
        }
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if head < inner.head {
            return;
        }
        if head > inner.head {
            inner.head = head;
            inner.pages.clear();
            inner.bytes = 0;
        }
        while inner.bytes + bytes > BUDGET_BYTES {
            let Some(oldest) = inner
                .pages
                .iter()
                .min_by_key(|(_, kept)| kept.made)
                .map(|(key, _)| *key)
            else {
                break;
            };
            if let Some(gone) = inner.pages.remove(&oldest) {
                inner.bytes -= gone.bytes;
            }
        }
        inner.clock += 1;
        let made = inner.clock;
        if let Some(replaced) = inner.pages.insert(
            (after, limit),
            Kept {
                page: Arc::clone(page),
                bytes,
                made,
            },
        ) {
            inner.bytes -= replaced.bytes;
        }
        inner.bytes += bytes;
    }
}

/// Paces the feed: each page served takes its share of a budget of bytes
/// per second, reserved in arrival order (a reader waits for its turn), so
/// however many peers read at once the feed goes out at that rate at most.
/// A reader whose turn is further than [`MAX_WAIT`] away is refused (and
/// reserves nothing): the queue, and what waits in it, stays bounded.
#[derive(Debug)]
pub struct FeedPace {
    bytes_per_second: u64,
    /// When the budget is next free.
    next_free: Mutex<Option<std::time::Instant>>,
}

impl FeedPace {
    /// At most `bytes_per_second` (0: no limit).
    pub fn new(bytes_per_second: u64) -> Self {
        Self {
            bytes_per_second,
            next_free: Mutex::new(None),
        }
    }

    /// How long a page of `bytes` waits for its turn from `now`, its turn
    /// reserved; `None` (nothing reserved) when that is over [`MAX_WAIT`].
    pub fn reserve(&self, bytes: usize, now: std::time::Instant) -> Option<std::time::Duration> {
        if self.bytes_per_second == 0 {
            return Some(std::time::Duration::ZERO);
        }
        let mut next_free = self.next_free.lock().unwrap_or_else(|e| e.into_inner());
        let start = next_free.map_or(now, |free| free.max(now));
        let wait = start - now;
        if wait > MAX_WAIT {
            return None;
        }
        let takes = std::time::Duration::from_secs_f64(bytes as f64 / self.bytes_per_second as f64);
        *next_free = Some(start + takes);
        Some(wait)
    }

    /// Waits for the turn of a page of `bytes`; `false` when refused.
    pub async fn wait(&self, bytes: usize) -> bool {
        match self.reserve(bytes, std::time::Instant::now()) {
            None => false,
            Some(wait) => {
                if !wait.is_zero() {
                    tokio::time::sleep(wait).await;
                }
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn page(seqs: &[i64]) -> pb::ListFeedEntriesResponse {
        pb::ListFeedEntriesResponse {
            entries: seqs
                .iter()
                .map(|&sequence| pb::FeedEntry {
                    sequence,
                    signature: "x".repeat(100),
                    ..Default::default()
                })
                .collect(),
            next_cursor: format!("c{}", seqs.last().copied().unwrap_or_default()),
            more: false,
        }
    }

    fn put(
        pages: &FeedPages,
        after: i64,
        limit: u64,
        head: i64,
        page: pb::ListFeedEntriesResponse,
    ) {
        let bytes = page.encoded_len();
        pages.put(after, limit, head, &Arc::new(page), bytes);
    }

    fn got(
        pages: &FeedPages,
        after: i64,
        limit: u64,
        head: i64,
    ) -> Option<pb::ListFeedEntriesResponse> {
        pages.get(after, limit, head).map(|(page, bytes)| {
            assert_eq!(bytes, page.encoded_len());
            (*page).clone()
        })
    }

    #[test]
    fn pages_take_turns_at_the_paced_rate() {
        let pace = FeedPace::new(1_000_000);
        let now = std::time::Instant::now();
        let ms = std::time::Duration::from_millis;
        // The first goes at once; the next ones wait for the bytes before.
        assert_eq!(pace.reserve(500_000, now), Some(ms(0)));
        assert_eq!(pace.reserve(500_000, now), Some(ms(500)));
        assert_eq!(pace.reserve(1_000, now), Some(ms(1000)));
        // After a quiet while, at once again.
        assert_eq!(pace.reserve(1_000, now + ms(5000)), Some(ms(0)));
        // A turn beyond the longest wait is refused and reserves nothing.
        assert_eq!(pace.reserve(6_000_000, now + ms(5000)), Some(ms(1)));
        assert_eq!(pace.reserve(1, now + ms(5000)), None);
        assert_eq!(pace.reserve(1, now + ms(5000)), None);
        assert_eq!(pace.reserve(1, now + ms(6001)), Some(MAX_WAIT));
        // Unpaced: never waits.
        let free = FeedPace::new(0);
        assert_eq!(free.reserve(usize::MAX, now), Some(ms(0)));
        assert_eq!(free.reserve(usize::MAX, now), Some(ms(0)));
    }

    #[test]
    fn a_page_is_served_while_the_head_stays() {
        let pages = FeedPages::default();
        assert_eq!(pages.get(0, 2, 3), None);
        put(&pages, 0, 2, 3, page(&[1, 2]));
        assert_eq!(got(&pages, 0, 2, 3), Some(page(&[1, 2])));
        // Another size or cursor is another page.
        assert_eq!(pages.get(0, 3, 3), None);
        assert_eq!(pages.get(1, 2, 3), None);
        // The feed moved: the page may have changed.
        assert_eq!(pages.get(0, 2, 4), None);
    }

    #[test]
    fn a_new_head_drops_the_old_pages_and_an_old_one_is_not_kept() {
        let pages = FeedPages::default();
        put(&pages, 0, 2, 3, page(&[1, 2]));
        put(&pages, 2, 2, 5, page(&[4, 5]));
        assert_eq!(got(&pages, 0, 2, 3), None);
        assert_eq!(got(&pages, 2, 2, 5), Some(page(&[4, 5])));
        put(&pages, 0, 2, 3, page(&[1, 2]));
        assert_eq!(got(&pages, 0, 2, 3), None);
        assert_eq!(got(&pages, 2, 2, 5), Some(page(&[4, 5])));
    }

    #[test]
    fn the_oldest_page_goes_when_the_budget_is_spent() {
        let pages = FeedPages::default();
        let big = pb::ListFeedEntriesResponse {
            entries: vec![pb::FeedEntry {
                signature: "x".repeat(BUDGET_BYTES / 4),
                ..Default::default()
            }],
            ..Default::default()
        };
        for after in 0..4 {
            put(&pages, after, 1, 9, big.clone());
        }
        assert_eq!(got(&pages, 0, 1, 9), None, "the oldest went");
        for after in 1..4 {
            assert!(got(&pages, after, 1, 9).is_some(), "page {after} is kept");
        }
        // Too large for the budget at all: never kept.
        let huge = pb::ListFeedEntriesResponse {
            entries: vec![pb::FeedEntry {
                signature: "x".repeat(BUDGET_BYTES + 1),
                ..Default::default()
            }],
            ..Default::default()
        };
        put(&pages, 7, 1, 9, huge);
        assert_eq!(got(&pages, 7, 1, 9), None);
    }
}
