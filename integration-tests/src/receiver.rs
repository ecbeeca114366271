//! A webhook receiver inside the test process: an HTTP server on
//! 127.0.0.1 that answers `POST /hooks` and counts, per `webhook-id`, the
//! deliveries it answered with 200. It can refuse every n-th request with
//! 500, so the dispatcher's retries are exercised; those are not counted
//! as received. Each request is counted as it arrives (as a receiver that
//! processes, then answers) and answered after a short delay, so a sender
//! killed meanwhile leaves a delivery received but not known as answered.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};

/// What the receiver saw.
#[derive(Debug, Default)]
struct Seen {
    /// Requests of any outcome.
    requests: AtomicUsize,
    /// Requests answered 500 on purpose.
    refused: AtomicUsize,
    /// Requests without a `webhook-id` (answered 400).
    without_id: AtomicUsize,
    /// Requests not yet answered.
    in_flight: AtomicUsize,
    /// `webhook-id` → deliveries answered 200.
    received: Mutex<BTreeMap<String, usize>>,
}

/// A running receiver; it stops when dropped.
#[derive(Debug)]
pub struct WebhookReceiver {
    url: String,
    seen: Arc<Seen>,
    task: tokio::task::JoinHandle<()>,
}

/// A receiver's counts at one moment.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// Requests of any outcome.
    pub requests: usize,
    /// Requests answered 500 on purpose.
    pub refused: usize,
    /// Requests without a `webhook-id`.
    pub without_id: usize,
    /// `webhook-id` → deliveries answered 200.
    pub by_id: BTreeMap<String, usize>,
}

impl WebhookReceiver {
    /// Serves on a free loopback port, answering each request after
    /// `delay`; every `fail_every`-th request (0: none) is answered 500.
    pub async fn start(fail_every: usize, delay: Duration) -> anyhow::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hooks", listener.local_addr()?);
        let seen = Arc::new(Seen::default());
        let router = axum::Router::new()
            .route("/hooks", axum::routing::post(hook))
            .with_state(Behaviour {
                seen: Arc::clone(&seen),
                fail_every,
                delay,
            });
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "the webhook receiver stopped");
            }
        });
        Ok(Self { url, seen, task })
    }

    /// `http://127.0.0.1:{port}/hooks`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Requests received and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.seen.in_flight.load(Ordering::Acquire)
    }

    /// Waits (at most `within`) until a request is in flight; how many are.
    pub async fn wait_in_flight(&self, within: Duration) -> usize {
        let deadline = Instant::now() + within;
        loop {
            let n = self.in_flight();
            if n > 0 || Instant::now() > deadline {
                return n;
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    /// What it saw so far.
    pub fn received(&self) -> Received {
        Received {
            requests: self.seen.requests.load(Ordering::Relaxed),
            refused: self.seen.refused.load(Ordering::Relaxed),
            without_id: self.seen.without_id.load(Ordering::Relaxed),
            by_id: self
                .seen
                .received
                .lock()
                .map(|r| r.clone())
                .unwrap_or_default(),
        }
    }
}

impl Drop for WebhookReceiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// How the receiver answers.
#[derive(Debug, Clone)]
struct Behaviour {
    seen: Arc<Seen>,
    fail_every: usize,
    delay: Duration,
}

/// Counts a request in flight until dropped (answered, or its connection
/// closed).
struct InFlight(Arc<Seen>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

async fn hook(
    State(behaviour): State<Behaviour>,
    headers: HeaderMap,
    // Read whole, as a receiver verifying signatures would.
    _body: axum::body::Bytes,
) -> StatusCode {
    let seen = &behaviour.seen;
    seen.in_flight.fetch_add(1, Ordering::AcqRel);
    let _in_flight = InFlight(Arc::clone(seen));
    let status = take(seen, behaviour.fail_every, &headers);
    tokio::time::sleep(behaviour.delay).await;
    status
}

/// Takes one request in: counts it, and its `webhook-id` if answered 200.
fn take(seen: &Seen, fail_every: usize, headers: &HeaderMap) -> StatusCode {
    let n = seen.requests.fetch_add(1, Ordering::Relaxed) + 1;
    if fail_every > 0 && n.is_multiple_of(fail_every) {
        seen.refused.fetch_add(1, Ordering::Relaxed);
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    let Some(id) = headers
        .get("webhook-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
    else {
        seen.without_id.fetch_add(1, Ordering::Relaxed);
        return StatusCode::BAD_REQUEST;
    };
    match seen.received.lock() {
        Ok(mut received) => {
            *received.entry(id.to_owned()).or_default() += 1;
            StatusCode::OK
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}
