//! The JSON of large answers, kept. Transcoding a large answer to JSON
//! and hashing it for its `ETag` costs milliseconds; when many callers get
//! the very same bytes from a service (fifty peers reading the same page
//! of a federation feed), it is done once and served to all. The JSON is a
//! function of the answer's type, bytes and the `$languages` cut alone (not
//! of the caller), so an answer whose bytes are equal has equal JSON.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bytes::Bytes;

/// Answers smaller than this are transcoded each time: cheaper than
/// keeping them.
pub(crate) const MIN_BYTES: usize = 64 * 1024;
/// The most answer and JSON bytes kept; past it the oldest goes first.
const BUDGET_BYTES: usize = 64 << 20;

/// An answer's JSON and its `ETag`.
#[derive(Debug, Clone)]
pub(crate) struct Json {
    pub(crate) body: Bytes,
    pub(crate) etag: String,
}

type Slot = Arc<tokio::sync::OnceCell<Json>>;

#[derive(Debug)]
struct Kept {
    /// The answer's message type.
    output: String,
    languages: Vec<String>,
    answer: Bytes,
    slot: Slot,
}

/// Large answers' JSON, oldest first.
#[derive(Debug, Default)]
pub(crate) struct LargeAnswers {
    kept: Mutex<(VecDeque<Kept>, usize)>,
}

impl LargeAnswers {
    /// The JSON of `answer` (of type `output`, cut to `languages`): kept,
    /// or made by `make` once while concurrent callers with the same
    /// answer wait for it.
    pub(crate) async fn json<E>(
        &self,
        output: &str,
        languages: &[String],
        answer: &Bytes,
        make: impl FnOnce() -> Result<Json, E>,
    ) -> Result<Json, E> {
        let slot = self.slot(output, languages, answer);
        slot.get_or_try_init(|| async { make() }).await.cloned()
    }

    fn slot(&self, output: &str, languages: &[String], answer: &Bytes) -> Slot {
        let mut guard = self.kept.lock().unwrap_or_else(|e| e.into_inner());
        let (kept, bytes) = &mut *guard;
        // Lengths first: bytes are compared only for a likely match.
        if let Some(found) = kept.iter().find(|k| {
            k.answer.len() == answer.len()
                && k.output == output
                && k.languages == languages
                && k.answer == answer
        }) {
            return Arc::clone(&found.slot);
        }
        // The JSON is about as large as the answer: count both.
        let cost = answer.len() * 3;
        if cost > BUDGET_BYTES {
            // Never kept: made for this caller alone.
            return Slot::default();
        }
        while *bytes + cost > BUDGET_BYTES {
            let Some(gone) = kept.pop_front() else { break };
            *bytes -= gone.answer.len() * 3;
        }
        let slot = Slot::default();
        kept.push_back(Kept {
            output: output.to_owned(),
            languages: languages.to_vec(),
            answer: answer.clone(),
            slot: Arc::clone(&slot),
        });
        *bytes += cost;
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn json(text: &str) -> Result<Json, String> {
        Ok(Json {
            body: Bytes::from(text.to_owned()),
            etag: format!("\"{text}\""),
        })
    }

    #[tokio::test]
    async fn the_same_answer_is_made_once() {
        let answers = LargeAnswers::default();
        let made = AtomicUsize::new(0);
        let answer = Bytes::from(vec![7u8; MIN_BYTES]);
        for _ in 0..3 {
            let got = answers
                .json("pkg.Page", &[], &answer, || {
                    made.fetch_add(1, Ordering::Relaxed);
                    json("page")
                })
                .await
                .expect("json");
            assert_eq!(got.body, "page");
            assert_eq!(got.etag, "\"page\"");
        }
        assert_eq!(made.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn another_type_cut_or_answer_is_made_again() {
        let answers = LargeAnswers::default();
        let answer = Bytes::from(vec![7u8; MIN_BYTES]);
        let mut other = vec![7u8; MIN_BYTES];
        other[MIN_BYTES - 1] = 8;
        let other = Bytes::from(other);
        let es = vec!["es".to_owned()];
        let cases: [(&str, &[String], &Bytes, &str); 4] = [
            ("pkg.Page", &[], &answer, "a"),
            ("pkg.Other", &[], &answer, "b"),
            ("pkg.Page", &es, &answer, "c"),
            ("pkg.Page", &[], &other, "d"),
        ];
        for (output, languages, answer, text) in cases {
            let got = answers
                .json(output, languages, answer, || json(text))
                .await
                .expect("json");
            assert_eq!(got.body, text);
        }
    }

    #[tokio::test]
    async fn a_failure_is_not_kept() {
        let answers = LargeAnswers::default();
        let answer = Bytes::from(vec![1u8; MIN_BYTES]);
        let failed = answers
            .json("pkg.Page", &[], &answer, || {
                Err::<Json, _>("bad".to_owned())
            })
            .await;
        assert_eq!(failed.map(|j| j.body), Err("bad".to_owned()));
        let got = answers
            .json("pkg.Page", &[], &answer, || json("good"))
            .await
            .expect("json");
        assert_eq!(got.body, "good");
    }

    #[tokio::test]
    async fn the_oldest_goes_past_the_budget() {
        let answers = LargeAnswers::default();
        let size = BUDGET_BYTES / 3 / 3 + 1;
        for n in 0u8..3 {
            let answer = Bytes::from(vec![n; size]);
            answers
                .json("pkg.Page", &[], &answer, || json(&format!("v{n}")))
                .await
                .expect("json");
        }
        // The first was dropped for the third: made again.
        let first = Bytes::from(vec![0u8; size]);
        let got = answers
            .json("pkg.Page", &[], &first, || json("again"))
            .await
            .expect("json");
        assert_eq!(got.body, "again");
        // The third is still there.
        let third = Bytes::from(vec![2u8; size]);
        let got = answers
            .json("pkg.Page", &[], &third, || json("never"))
            .await
            .expect("json");
        assert_eq!(got.body, "v2");
    }
}
