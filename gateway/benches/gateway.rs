//! The gateway's cost, measured against a bare tonic echo server in the
//! same run: `cargo bench -p interlink-gateway --bench gateway [-- --quick]`.
//!
//! - baseline: `interlink.echo.v1.EchoService/Echo` on a bare tonic server,
//!   called by a tonic client;
//! - gateway: `GET /v1/echo?message=…` over HTTP/1.1 keep-alive with a
//!   bearer JWT, through the gateway (admission, rate limiter, request id,
//!   span and access log line, JSON ⇄ protobuf) to the same service called
//!   in process behind the runtime's authentication and span, as
//!   `interlink up` wires it. A tracing subscriber formats every span and
//!   log line (into a sink), so tracing costs what it costs in production.
//!
//! Each is measured open-loop at 1,000 requests/s (a call starts every
//! millisecond whether or not the others have finished) and closed-loop
//! with 32 concurrent callers for the maximum throughput.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use interlink_gateway::Gateway;
use interlink_proto::echo::v1::EchoRequest;
use interlink_proto::echo::v1::echo_service_client::EchoServiceClient;
use interlink_proto::echo::v1::echo_service_server::EchoServiceServer;
use interlink_runtime::auth::{DevSigner, DevTokenRequest};
use interlink_runtime::config::{AuthConfig, GatewayConfig};
use interlink_runtime::echo::Echo;
use tokio::sync::mpsc;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const CONCURRENCY: usize = 32;

/// Whether a failed call was reported already (the first is shown).
static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

struct Settings {
    rate: u64,
    open_loop: Duration,
    closed_loop: Duration,
}

#[derive(Default)]
struct Outcome {
    latencies: Vec<Duration>,
    errors: u64,
}

impl Outcome {
    fn percentile(&mut self, p: f64) -> Duration {
        self.latencies.sort_unstable();
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[index]
    }
}

/// Something to call: one request, `Ok` on success.
trait Target: Clone + Send + Sync + 'static {
    fn call(&self) -> impl std::future::Future<Output = bool> + Send;
}

#[derive(Clone)]
struct Tonic {
    client: EchoServiceClient<tonic::transport::Channel>,
}

impl Target for Tonic {
    async fn call(&self) -> bool {
        let mut client = self.client.clone();
        client
            .echo(EchoRequest {
                message: "hello".into(),
            })
            .await
            .is_ok_and(|r| r.get_ref().message == "hello")
    }
}

type Sender = hyper::client::conn::http1::SendRequest<Empty<Bytes>>;

/// HTTP/1.1 keep-alive connections to the gateway, lent one call at a time.
#[derive(Clone)]
struct Rest {
    pool: Arc<tokio::sync::Mutex<mpsc::Receiver<Sender>>>,
    give_back: mpsc::Sender<Sender>,
    uri: http::Uri,
    authorization: http::HeaderValue,
}

impl Rest {
    async fn connect(address: std::net::SocketAddr, token: &str, connections: usize) -> Self {
        let (give_back, pool) = mpsc::channel(connections);
        for _ in 0..connections {
            let stream = tokio::net::TcpStream::connect(address)
                .await
                .expect("connect");
            stream.set_nodelay(true).expect("nodelay");
            let (sender, connection) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
                    .await
                    .expect("handshake");
            tokio::spawn(connection);
            give_back.send(sender).await.expect("pool");
        }
        Self {
            pool: Arc::new(tokio::sync::Mutex::new(pool)),
            give_back,
            uri: format!("http://{address}/v1/echo?message=hello")
                .parse()
                .expect("uri"),
            authorization: format!("Bearer {token}").parse().expect("header"),
        }
    }
}

impl Target for Rest {
    async fn call(&self) -> bool {
        let Some(mut sender) = self.pool.lock().await.recv().await else {
            return false;
        };
        let request = http::Request::get(self.uri.clone())
            .header(http::header::AUTHORIZATION, self.authorization.clone())
            .header(http::header::HOST, "gateway")
            .body(Empty::new())
            .expect("request");
        let ok = match sender.send_request(request).await {
            Ok(response) => {
                let status = response.status();
                let body = response.into_body().collect().await.map(|b| b.to_bytes());
                let ok = status == 200
                    && body
                        .as_ref()
                        .is_ok_and(|b| b.as_ref() == b"{\"message\":\"hello\"}");
                if !ok && !REPORTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    eprintln!("gateway answered {status}: {body:?}");
                }
                ok
            }
            Err(e) => {
                if !REPORTED.swap(true, std::sync::atomic::Ordering::Relaxed) {
                    eprintln!("gateway call failed: {e}");
                }
                false
            }
        };
        let _ = self.give_back.send(sender).await;
        ok
    }
}

/// `rate` calls per second for `length`, each timed from its scheduled start.
async fn open_loop<T: Target>(target: &T, rate: u64, length: Duration) -> Outcome {
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let count = (length.as_secs_f64() * rate as f64) as u64;
    let start = tokio::time::Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..count {
        let scheduled = start + interval * i as u32;
        tokio::time::sleep_until(scheduled).await;
        let target = target.clone();
        let tx = tx.clone();
        // Timed from when the call really starts: the timer wakes the
        // generator up to a millisecond late, which is not the target's doing.
        let started = tokio::time::Instant::now();
        tokio::spawn(async move {
            let ok = target.call().await;
            let _ = tx.send((ok, started.elapsed()));
        });
    }
    drop(tx);
    let mut outcome = Outcome::default();
    while let Some((ok, latency)) = rx.recv().await {
        if ok {
            outcome.latencies.push(latency);
        } else {
            outcome.errors += 1;
        }
    }
    outcome
}

/// `CONCURRENCY` callers as fast as they can for `length`: calls per second.
async fn closed_loop<T: Target>(target: &T, length: Duration) -> (f64, u64) {
    let deadline = Instant::now() + length;
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            let (mut done, mut errors) = (0u64, 0u64);
            while Instant::now() < deadline {
                if target.call().await {
                    done += 1;
                } else {
                    errors += 1;
                }
            }
            (done, errors)
        }));
    }
    let (mut done, mut errors) = (0, 0);
    for task in tasks {
        let (d, e) = task.await.expect("caller");
        done += d;
        errors += e;
    }
    (done as f64 / length.as_secs_f64(), errors)
}

async fn measure<T: Target>(name: &str, target: &T, settings: &Settings) -> (Duration, f64) {
    // Warm up connections, caches and the allocator.
    let _ = closed_loop(target, Duration::from_millis(500)).await;
    let mut outcome = open_loop(target, settings.rate, settings.open_loop).await;
    let (p50, p99) = (outcome.percentile(0.50), outcome.percentile(0.99));
    let (throughput, errors) = closed_loop(target, settings.closed_loop).await;
    println!(
        "{name:<44} at {} req/s: p50 {:>7.1} µs  p99 {:>7.1} µs  errors {}   max {:>7.0} req/s (errors {errors})",
        settings.rate,
        p50.as_secs_f64() * 1e6,
        p99.as_secs_f64() * 1e6,
        outcome.errors,
        throughput,
    );
    (p50, throughput)
}

async fn bare_tonic() -> Tonic {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(EchoServiceServer::new(Echo))
            .serve_with_incoming(
                tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
            ),
    );
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))
        .expect("url")
        .tcp_nodelay(true)
        .connect()
        .await
        .expect("connect");
    Tonic {
        client: EchoServiceClient::new(channel),
    }
}

async fn gateway(dir: &std::path::Path) -> Rest {
    let signer = DevSigner::load_or_create(dir).expect("dev signer");
    let auth = AuthConfig::default();
    let authenticator = Arc::new(signer.authenticator(&auth));
    let token = signer
        .mint(
            &DevTokenRequest {
                subject: "bench".into(),
                name: None,
                email: None,
                admin: false,
                ttl: Duration::from_secs(3600),
            },
            &auth.audience,
            &auth.admin_claim,
        )
        .expect("token");
    let mut routes = tonic::service::RoutesBuilder::default();
    routes.add_service(EchoServiceServer::new(Echo));
    // One client: no per-client rate limit in the way of the measurement.
    let config = GatewayConfig {
        rate_limit_per_second: 0,
        ..GatewayConfig::default()
    };
    let gateway = Gateway::in_process(
        config,
        authenticator,
        routes,
        Default::default(),
        &["echo"],
        &[interlink_runtime::echo::ECHO_SERVICE.to_owned()],
    )
    .await
    .expect("gateway");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(interlink_gateway::serve(
        listener,
        gateway.router(),
        interlink_gateway::ConnectionLimits::of(&Default::default()),
        tokio_util::sync::CancellationToken::new(),
    ));
    Rest::connect(address, &token, CONCURRENCY).await
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let settings = Settings {
        rate: 1_000,
        open_loop: Duration::from_secs(if quick { 2 } else { 10 }),
        closed_loop: Duration::from_secs(if quick { 2 } else { 10 }),
    };
    // Spans and log lines are built and formatted, then thrown away.
    tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("info"))
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::sink))
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temporary directory");
        let tonic = bare_tonic().await;
        let rest = gateway(dir.path()).await;
        let (tonic_p50, tonic_max) = measure("bare tonic echo (gRPC)", &tonic, &settings).await;
        let (rest_p50, rest_max) =
            measure("gateway REST GET /v1/echo (JWT, tracing)", &rest, &settings).await;
        println!(
            "gateway / bare tonic: p50 {:.2}× (target ≤ 3×), throughput {:.0} % (target ≥ 40 %)",
            rest_p50.as_secs_f64() / tonic_p50.as_secs_f64(),
            100.0 * rest_max / tonic_max,
        );
    });
}
