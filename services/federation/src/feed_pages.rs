//! Feed pages already made. Many subscribers read the same pages (each
//! from its own cursor, most from the beginning); a page is made once per
//! feed head and served to all of them, so fifty readers cost about what
//! one does and the deployment's own API keeps its cores.

use std::collections::HashMap;
use std::sync::Mutex;

use interlink_proto::federation::v1 as pb;
use prost::Message;

/// The most bytes of pages kept; past it the oldest page goes first.
const BUDGET_BYTES: usize = 64 << 20;

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
    page: pb::ListFeedEntriesResponse,
    bytes: usize,
    made: u64,
}

impl FeedPages {
    /// The page after `after` of `limit` entries made at `head`, if kept.
    pub fn get(&self, after: i64, limit: u64, head: i64) -> Option<pb::ListFeedEntriesResponse> {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if inner.head != head {
            return None;
        }
        inner
            .pages
            .get(&(after, limit))
            .map(|kept| kept.page.clone())
    }

    /// Keeps `page`, made at `head`. Pages of an older head are dropped;
    /// a page made at an older head than those kept is not kept.
    pub fn put(&self, after: i64, limit: u64, head: i64, page: &pb::ListFeedEntriesResponse) {
        let bytes = page.encoded_len();
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
                page: page.clone(),
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
/// per second, reserved in arrival order (a reader waits for its turn, none
/// is refused), so however many peers read at once the feed goes out at
/// that rate at most.
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
    /// reserved.
    pub fn reserve(&self, bytes: usize, now: std::time::Instant) -> std::time::Duration {
        if self.bytes_per_second == 0 {
            return std::time::Duration::ZERO;
        }
        let mut next_free = self.next_free.lock().unwrap_or_else(|e| e.into_inner());
        let start = next_free.map_or(now, |free| free.max(now));
        let takes = std::time::Duration::from_secs_f64(bytes as f64 / self.bytes_per_second as f64);
        *next_free = Some(start + takes);
        start - now
    }

    /// Waits for the turn of a page of `bytes`.
    pub async fn wait(&self, bytes: usize) {
        let wait = self.reserve(bytes, std::time::Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn pages_take_turns_at_the_paced_rate() {
        let pace = FeedPace::new(1_000_000);
        let now = std::time::Instant::now();
        let ms = std::time::Duration::from_millis;
        // The first goes at once; the next ones wait for the bytes before.
        assert_eq!(pace.reserve(500_000, now), ms(0));
        assert_eq!(pace.reserve(500_000, now), ms(500));
        assert_eq!(pace.reserve(1_000, now), ms(1000));
        // After a quiet while, at once again.
        assert_eq!(pace.reserve(1_000, now + ms(5000)), ms(0));
        // Unpaced: never waits.
        let free = FeedPace::new(0);
        assert_eq!(free.reserve(usize::MAX, now), ms(0));
        assert_eq!(free.reserve(usize::MAX, now), ms(0));
    }

    #[test]
    fn a_page_is_served_while_the_head_stays() {
        let pages = FeedPages::default();
        assert_eq!(pages.get(0, 2, 3), None);
        pages.put(0, 2, 3, &page(&[1, 2]));
        assert_eq!(pages.get(0, 2, 3), Some(page(&[1, 2])));
        // Another size or cursor is another page.
        assert_eq!(pages.get(0, 3, 3), None);
        assert_eq!(pages.get(1, 2, 3), None);
        // The feed moved: the page may have changed.
        assert_eq!(pages.get(0, 2, 4), None);
    }

    #[test]
    fn a_new_head_drops_the_old_pages_and_an_old_one_is_not_kept() {
        let pages = FeedPages::default();
        pages.put(0, 2, 3, &page(&[1, 2]));
        pages.put(2, 2, 5, &page(&[4, 5]));
        assert_eq!(pages.get(0, 2, 3), None);
        assert_eq!(pages.get(2, 2, 5), Some(page(&[4, 5])));
        pages.put(0, 2, 3, &page(&[1, 2]));
        assert_eq!(pages.get(0, 2, 3), None);
        assert_eq!(pages.get(2, 2, 5), Some(page(&[4, 5])));
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
            pages.put(after, 1, 9, &big);
        }
        assert_eq!(pages.get(0, 1, 9), None, "the oldest went");
        for after in 1..4 {
            assert!(pages.get(after, 1, 9).is_some(), "page {after} is kept");
        }
        // Too large for the budget at all: never kept.
        let huge = pb::ListFeedEntriesResponse {
            entries: vec![pb::FeedEntry {
                signature: "x".repeat(BUDGET_BYTES + 1),
                ..Default::default()
            }],
            ..Default::default()
        };
        pages.put(7, 1, 9, &huge);
        assert_eq!(pages.get(7, 1, 9), None);
    }
}
