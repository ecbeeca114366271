//! Who may come in, and how many: the bearer token (checked with the
//! runtime's authenticator), a token bucket per client (the token's subject,
//! else the address), a cap on requests in flight beyond which new ones are
//! shed, and apart from it a cap on open server streams, in all and per
//! client. Also the request span and the access log line.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use interlink_runtime::config::GatewayConfig;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tracing::Span;

use crate::{GatewayError, Shared};

/// The admission rules of one gateway.
pub struct Admission {
    limiter: Option<DefaultKeyedRateLimiter<String>>,
    in_flight: Arc<Semaphore>,
    streams: Arc<Semaphore>,
    streams_per_client: usize,
    open_streams: Arc<Mutex<HashMap<String, usize>>>,
    trust_forwarded_for: bool,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission")
            .field("rate_limited", &self.limiter.is_some())
            .finish_non_exhaustive()
    }
}

/// A request that passed the token check and its client's rate: who it is
/// from, for the stream cap.
#[derive(Debug)]
pub(crate) struct Caller {
    key: String,
}

impl Caller {
    /// Whether the request carried a (valid) bearer token.
    pub(crate) fn signed_in(&self) -> bool {
        self.key.starts_with("sub:")
    }
}

/// A request's place among those in flight, held while it is served: a
/// request slot for a call, a stream slot (apart from the request slots,
/// and counted per client) for a server stream.
#[derive(Debug)]
pub(crate) enum Permit {
    /// One of `gateway.max_concurrent_requests`.
    Request {
        /// Released when dropped.
        _slot: OwnedSemaphorePermit,
    },
    /// One of `gateway.max_streams`, and of the client's
    /// `gateway.max_streams_per_client`.
    Stream {
        /// Released when dropped.
        _slot: OwnedSemaphorePermit,
        /// Forgotten when dropped.
        _client: ClientStream,
    },
}

/// One of a client's open streams; forgotten when dropped.
#[derive(Debug)]
pub(crate) struct ClientStream {
    key: String,
    open: Arc<Mutex<HashMap<String, usize>>>,
}

impl Drop for ClientStream {
    fn drop(&mut self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(count) = open.get_mut(&self.key) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.key);
            }
        }
    }
}

impl Admission {
    /// The rules of `config`.
    pub fn new(config: &GatewayConfig) -> Self {
        let limiter = NonZeroU32::new(config.rate_limit_per_second).map(|rate| {
            let burst = NonZeroU32::new(config.rate_limit_burst).unwrap_or(rate);
            RateLimiter::keyed(Quota::per_second(rate).allow_burst(burst))
        });
        Self {
            limiter,
            in_flight: Arc::new(Semaphore::new(config.max_concurrent_requests)),
            streams: Arc::new(Semaphore::new(config.max_streams)),
            streams_per_client: config.max_streams_per_client,
            open_streams: Arc::default(),
            trust_forwarded_for: config.trust_forwarded_for,
        }
    }

    /// Checks the bearer token of a request with `headers` from `peer` and
    /// charges its client's rate, or says why not. Takes no slot: a request
    /// takes one with [`Admission::enter`] once its body has arrived.
    pub(crate) async fn check(
        &self,
        shared: &Shared,
        headers: &http::HeaderMap,
        peer: Option<SocketAddr>,
    ) -> Result<Caller, GatewayError> {
        let address_key = || format!("ip:{}", self.client_address(headers, peer));
        let identity = match bearer(headers) {
            Ok(Some(token)) => match shared.authenticator.authenticate(token).await {
                Ok(identity) => Some(identity),
                Err(e) => {
                    // Refused tokens count against the address, so forging
                    // them is rate limited like anything else.
                    self.charge(&address_key())?;
                    return Err(GatewayError::Unauthenticated(e.to_string()));
                }
            },
            Ok(None) => None,
            Err(e) => {
                self.charge(&address_key())?;
                return Err(e);
            }
        };
        let key = match &identity {
            Some(identity) => format!("sub:{}", identity.subject),
            None => address_key(),
        };
        self.charge(&key)?;
        Span::current().record(
            "enduser.id",
            identity.as_ref().map_or("", |i| i.subject.as_str()),
        );
        Ok(Caller { key })
    }

    /// A slot for `caller`'s request: a stream slot when it opens a server
    /// stream, else a request slot; refused when they are all taken (503)
    /// or the client holds its share of streams already (429).
    pub(crate) fn enter(&self, caller: &Caller, streaming: bool) -> Result<Permit, GatewayError> {
        if !streaming {
            return Arc::clone(&self.in_flight)
                .try_acquire_owned()
                .map(|slot| Permit::Request { _slot: slot })
                .map_err(|_| GatewayError::Overloaded);
        }
        let slot = Arc::clone(&self.streams)
            .try_acquire_owned()
            .map_err(|_| GatewayError::Overloaded)?;
        let mut open = self
            .open_streams
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let count = open.entry(caller.key.clone()).or_insert(0);
        if *count >= self.streams_per_client {
            return Err(GatewayError::TooManyStreams {
                limit: self.streams_per_client,
            });
        }
        *count += 1;
        Ok(Permit::Stream {
            _slot: slot,
            _client: ClientStream {
                key: caller.key.clone(),
                open: Arc::clone(&self.open_streams),
            },
        })
    }

    /// Takes one request from `key`'s bucket.
    fn charge(&self, key: &str) -> Result<(), GatewayError> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        let checked = limiter.check_key(&key.to_owned());
        // Forget idle clients now and then.
        if limiter.len() > 100_000 {
            limiter.retain_recent();
        }
        checked.map_err(|not_until| GatewayError::RateLimited {
            retry_after: not_until
                .wait_time_from(DefaultClock::default().now())
                .max(Duration::from_millis(1)),
        })
    }

    /// The client's address: the peer's, or behind a trusted proxy the one
    /// that proxy saw (the last `x-forwarded-for` entry: earlier ones are
    /// whatever the client wrote).
    fn client_address(&self, headers: &http::HeaderMap, peer: Option<SocketAddr>) -> String {
        if self.trust_forwarded_for
            && let Some(forwarded) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse::<IpAddr>().ok())
        {
            return forwarded.to_string();
        }
        peer.map(|p| p.ip().to_string()).unwrap_or_default()
    }
}

/// A response body that holds its stream's permit until the body is done
/// (or dropped), so a stream counts as open while it runs.
pub struct Admitted {
    body: axum::body::Body,
    _permit: Permit,
}

impl Admitted {
    /// `body`, holding `permit`.
    pub(crate) fn new(body: axum::body::Body, permit: Permit) -> Self {
        Self {
            body,
            _permit: permit,
        }
    }
}

impl http_body::Body for Admitted {
    type Data = bytes::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::pin::Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// The bearer token of `authorization`, if any; a malformed header is refused.
fn bearer(headers: &http::HeaderMap) -> Result<Option<&str>, GatewayError> {
    let mut values = headers.get_all(http::header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        // Which one a proxy or a service would read is anyone's guess.
        return Err(GatewayError::BadRequest(crate::transcode::BadRequest {
            field: String::new(),
            message: "send one authorization header, not several".into(),
        }));
    }
    let value = value
        .to_str()
        .map_err(|_| GatewayError::Unauthenticated("authorization header is not text".into()))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim()))
        }
        _ => Err(GatewayError::Unauthenticated(
            "authorization must be `Bearer <token>`".into(),
        )),
    }
}

/// A span per request with the OpenTelemetry HTTP attributes, child of the
/// caller's trace when it sent `traceparent`.
pub fn request_span<B>(request: &http::Request<B>) -> Span {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let span = tracing::info_span!(
        "request",
        otel.name = %request.method(),
        otel.kind = "server",
        http.request.method = %request.method(),
        url.path = %request.uri().path(),
        user_agent.original = %header("user-agent"),
        http.request_id = %header("x-request-id"),
        http.route = tracing::field::Empty,
        rpc.system = tracing::field::Empty,
        rpc.service = tracing::field::Empty,
        rpc.method = tracing::field::Empty,
        enduser.id = tracing::field::Empty,
        http.response.status_code = tracing::field::Empty,
    );
    let traceparent = request
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok());
    interlink_runtime::telemetry::set_remote_parent(&span, traceparent);
    span
}

/// The route a response answered (the REST template, or the gRPC path).
#[derive(Debug, Clone)]
pub struct MatchedRoute(pub String);

/// The method of the request a response answers.
#[derive(Debug, Clone)]
pub struct RequestMethod(pub http::Method);

/// `http.server.request.duration` (seconds; attributes
/// `http.request.method`, `http.route`, `http.response.status_code`).
static REQUEST_DURATION: std::sync::LazyLock<opentelemetry::metrics::Histogram<f64>> =
    std::sync::LazyLock::new(|| {
        opentelemetry::global::meter("interlink.gateway")
            .f64_histogram("http.server.request.duration")
            .with_unit("s")
            .with_description("Duration of requests through the gateway")
            .build()
    });

/// The access log line of a request, and its duration metric.
pub fn access_log<B>(response: &http::Response<B>, latency: Duration, span: &Span) {
    let status = response.status().as_u16();
    span.record("http.response.status_code", status);
    let route = response
        .extensions()
        .get::<MatchedRoute>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    let method = response
        .extensions()
        .get::<RequestMethod>()
        .map(|m| m.0.to_string())
        .unwrap_or_default();
    REQUEST_DURATION.record(
        latency.as_secs_f64(),
        &[
            opentelemetry::KeyValue::new("http.request.method", method),
            opentelemetry::KeyValue::new("http.route", route),
            opentelemetry::KeyValue::new("http.response.status_code", i64::from(status)),
        ],
    );
    let grpc_status = response
        .headers()
        .get("grpc-status")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    tracing::info!(
        target: "interlink_gateway::access",
        status,
        grpc_status,
        latency_us = latency.as_micros() as u64,
        "request"
    );
}
