//! Federation serving benchmark: a deployment (`interlink up`, the release
//! binary, as a PA runs it) serving its feed of 10,000 shared interlinkers
//! (2,000 with `--quick`) to 50 subscribers at once, each reading it from
//! its beginning in pages of 500 through the gateway's REST API, keeps its
//! own API answering: the p99 of `GET /v1/interlinkers/{id}` called at a
//! steady 100 requests/s is measured idle, then while the 50 read, and
//! compared (the target: within 2× of idle). The probe runs on a thread
//! of its own; the readers count a page's entries without keeping them (a
//! real peer verifies them on its own machine).
//!
//! `cargo bench --bench federation_serving [-- --quick]`

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_interlink");
const SUBSCRIBERS: usize = 50;
const PAGE: usize = 500;
const PROBE_RATE: u64 = 100;

struct Up(std::process::Child);

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start(dir: &std::path::Path) -> (Up, String) {
    let port = free_port();
    let child = std::process::Command::new(BIN)
        .args(["up", "--data-dir"])
        .arg(dir)
        .env("INTERLINK__GRPC__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__GATEWAY__LISTEN", format!("127.0.0.1:{port}"))
        .env("INTERLINK__DOCUMENTS__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__SURVEYS__LISTEN", "127.0.0.1:0")
        // The bench's callers come from one address: no per-client limit.
        .env("INTERLINK__GATEWAY__RATE_LIMIT_PER_SECOND", "0")
        .env("INTERLINK__TELEMETRY__FORMAT", "json")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("interlink up");
    let up = Up(child);
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "interlink up did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (up, base)
}

fn token(dir: &std::path::Path) -> String {
    let out = std::process::Command::new(BIN)
        .args(["token", "--data-dir"])
        .arg(dir)
        .args(["--sub", "bench-editor", "--admin"])
        .output()
        .expect("interlink token");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

/// Shares `total` published interlinkers; returns their names.
async fn populate(http: &reqwest::Client, base: &str, token: &str, total: usize) -> Vec<String> {
    let names = Arc::new(tokio::sync::Mutex::new(Vec::with_capacity(total)));
    let next = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let (http, base, token) = (http.clone(), base.to_owned(), token.to_owned());
            let (names, next) = (Arc::clone(&names), Arc::clone(&next));
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total as u64 {
                        return;
                    }
                    let created: Value = http
                        .post(format!("{base}/v1/interlinkers"))
                        .bearer_auth(&token)
                        .json(&json!({
                            "nature": "NATURE_EXTERNAL_KNOWLEDGE",
                            "title": {"values": {"en": format!("Participatory budgeting guide {i}")}},
                            "description": {"values": {"en": "How a municipality runs participatory budgeting with its citizens: the phases, who decides what, how proposals are collected, checked and voted, and how the results are followed up."}},
                            "languages": ["en"],
                            "licence": "LICENCE_PERMISSIVE",
                            "difficulty": "DIFFICULTY_EASY",
                            "problemProfiles": ["org-01"],
                            "targets": ["all/pas/public_servants"],
                            "external": {"uri": format!("https://guides.example.org/pb/{i}")},
                            "shared": true,
                        }))
                        .send()
                        .await
                        .expect("create")
                        .json()
                        .await
                        .expect("json");
                    let name = created["name"].as_str().expect("name").to_owned();
                    let published = http
                        .post(format!("{base}/v1/{name}:publish"))
                        .bearer_auth(&token)
                        .json(&json!({}))
                        .send()
                        .await
                        .expect("publish");
                    assert!(published.status().is_success());
                    names.lock().await.push(name);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    Arc::try_unwrap(names).expect("alone").into_inner()
}

/// What a reader takes from a page: the entries are counted, not kept.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    #[serde(default)]
    entries: Vec<serde::de::IgnoredAny>,
    #[serde(default)]
    next_cursor: String,
    #[serde(default)]
    more: bool,
}

/// Reads the whole feed from its beginning; returns the entries read.
async fn read_feed(http: &reqwest::Client, base: &str) -> usize {
    let mut cursor = String::new();
    let mut read = 0;
    loop {
        let body = http
            .get(format!(
                "{base}/v1/federation/feed?cursor={cursor}&pageSize={PAGE}"
            ))
            .send()
            .await
            .expect("feed")
            .bytes()
            .await
            .expect("page");
        let page: Page = serde_json::from_slice(&body).expect("json");
        read += page.entries.len();
        cursor = page.next_cursor;
        if !page.more {
            return read;
        }
    }
}

/// Calls `GET /v1/{name}` at [`PROBE_RATE`] per second until `stop`;
/// returns the latencies.
async fn probe(
    http: reqwest::Client,
    base: String,
    names: Arc<Vec<String>>,
    stop: Arc<AtomicBool>,
) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / PROBE_RATE));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut i = 0;
    let mut calls = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        let (http, url) = (
            http.clone(),
            format!("{base}/v1/{}", names[i % names.len()]),
        );
        i += 1;
        // Open loop: a call starts on time whether or not the last ended.
        calls.push(tokio::spawn(async move {
            let started = Instant::now();
            let ok = http
                .get(url)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            assert!(ok, "the API failed");
            started.elapsed()
        }));
    }
    for call in calls {
        latencies.push(call.await.expect("call"));
    }
    latencies
}

/// [`probe`] on a runtime and thread of its own, so the readers' work in
/// this process never delays its calls or their timing.
async fn probe_apart(
    base: String,
    names: Arc<Vec<String>>,
    stop: Arc<AtomicBool>,
) -> Vec<Duration> {
    let thread = std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(probe(reqwest::Client::new(), base, names, stop))
    });
    tokio::task::spawn_blocking(move || thread.join().expect("probe"))
        .await
        .expect("join")
}

fn percentile(latencies: &mut [Duration], p: f64) -> Duration {
    latencies.sort_unstable();
    let index = ((latencies.len() as f64 - 1.0) * p).round() as usize;
    latencies[index]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let total = if quick { 2_000 } else { 10_000 };
    let dir = tempfile::tempdir().expect("data dir");
    let (_up, base) = start(dir.path()).await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let token = token(dir.path());
    let started = Instant::now();
    let names = Arc::new(populate(&http, &base, &token, total).await);
    // The feed fills from the catalogue's events.
    let deadline = Instant::now() + Duration::from_secs(600);
    while read_feed(&http, &base).await < total {
        assert!(Instant::now() < deadline, "the feed did not fill");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    println!(
        "federation serving: {total} shared interlinkers in the feed ({:.0} s to make), {SUBSCRIBERS} subscribers, pages of {PAGE}",
        started.elapsed().as_secs_f64()
    );

    // Idle.
    let stop = Arc::new(AtomicBool::new(false));
    let idle = tokio::spawn(probe_apart(
        base.clone(),
        Arc::clone(&names),
        Arc::clone(&stop),
    ));
    tokio::time::sleep(Duration::from_secs(10)).await;
    stop.store(true, Ordering::Relaxed);
    let mut idle = idle.await.expect("idle");

    // While 50 subscribers read the whole feed at once.
    let stop = Arc::new(AtomicBool::new(false));
    let loaded = tokio::spawn(probe_apart(
        base.clone(),
        Arc::clone(&names),
        Arc::clone(&stop),
    ));
    let reading = Instant::now();
    let readers: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| {
            let (http, base) = (http.clone(), base.clone());
            tokio::spawn(async move { read_feed(&http, &base).await })
        })
        .collect();
    let mut served = 0;
    for reader in readers {
        served += reader.await.expect("reader");
    }
    let read_time = reading.elapsed();
    stop.store(true, Ordering::Relaxed);
    let mut loaded = loaded.await.expect("loaded");
    assert_eq!(served, total * SUBSCRIBERS, "every subscriber read it all");

    let (idle_p50, idle_p99) = (percentile(&mut idle, 0.5), percentile(&mut idle, 0.99));
    let (load_p50, load_p99) = (percentile(&mut loaded, 0.5), percentile(&mut loaded, 0.99));
    println!(
        "  feed served: {served} entries in {:.1} s ({:.0} entries/s)",
        read_time.as_secs_f64(),
        served as f64 / read_time.as_secs_f64()
    );
    println!(
        "  GET /v1/interlinkers/{{id}} at {PROBE_RATE}/s: idle p50 {:.2} ms p99 {:.2} ms ({} calls); \
         serving p50 {:.2} ms p99 {:.2} ms ({} calls); p99 ratio {:.2} (target ≤ 2)",
        idle_p50.as_secs_f64() * 1e3,
        idle_p99.as_secs_f64() * 1e3,
        idle.len(),
        load_p50.as_secs_f64() * 1e3,
        load_p99.as_secs_f64() * 1e3,
        loaded.len(),
        load_p99.as_secs_f64() / idle_p99.as_secs_f64()
    );
}
