//! Federation import benchmark: how fast a subscription imports a peer's
//! feed, on PostgreSQL and on SQLite. The peer (a minimal HTTP server, so
//! it is not what is measured) serves 10,000 signed interlinker entries
//! (2,000 with `--quick`), each a realistic entry of about 1.5 KB, in
//! pages of 500; the clock runs from the peer's creation until its cursor
//! is at the feed's end with every entry verified, kept and told as a
//! `federation.mirror.updated` event in the outbox.
//!
//! `cargo bench -p interlink-federation --bench import [-- --quick]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use interlink_federation::Migrator;
use interlink_federation::keys::{ENTRY_TYPE, SigningKey};
use interlink_federation::peers::{self, PeerRow};
use interlink_federation::store::EntryClaims;
use interlink_federation::subscriber::{self, KEYS_JOB, PeerTransport, Subscriber, SyncSettings};
use interlink_runtime::api::now_ms;
use interlink_runtime::jobs::{JobsConfig, Worker};
use interlink_runtime::testing::{Backend, TestEnv, count};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

const PAGE: u32 = 500;

/// The signed entries of the peer's feed, in order.
fn feed(key: &SigningKey, issuer: &str, total: u64) -> Vec<Value> {
    (1..=total)
        .map(|i| {
            let name = format!("interlinkers/0190b4a2-7a3e-7cc0-9a53-{i:012x}");
            let claims = EntryClaims {
                iss: issuer.to_owned(),
                name: name.clone(),
                kind: "interlinker".into(),
                ver: 1,
                withdrawn: false,
                iat: 1,
                body: Some(json!({
                    "name": name,
                    "nature": "NATURE_EXTERNAL_KNOWLEDGE",
                    "state": "INTERLINKER_STATE_PUBLISHED",
                    "title": {"values": {"en": format!("Participatory budgeting guide {i}"),
                                         "lv": format!("Līdzdalības budžeta ceļvedis {i}")}},
                    "description": {"values": {"en": "How a municipality runs participatory budgeting with its citizens: the phases, who decides what, how proposals are collected, checked and voted, and how the results are followed up. ".repeat(3)}},
                    "tags": [{"values": {"en": "budget"}}, {"values": {"en": "participation"}}],
                    "languages": ["en", "lv"],
                    "licence": "LICENCE_PERMISSIVE",
                    "problemProfiles": ["org-01", "und-02"],
                    "difficulty": "DIFFICULTY_EASY",
                    "targets": ["all/pas/public_servants", "all/citizens"],
                    "external": {"uri": format!("https://guides.example.lv/pb/{i}")},
                    "createTime": "2026-11-01T10:00:00Z",
                    "publishTime": "2026-11-02T10:00:00Z",
                })),
            };
            json!({
                "sequence": i.to_string(),
                "name": name,
                "kind": "ENTRY_KIND_INTERLINKER",
                "version": "1",
                "signature": key.sign(ENTRY_TYPE, &claims).expect("sign"),
            })
        })
        .collect()
}

/// Serves `entries` as a peer's keys and feed; returns the feed's URL.
async fn serve(key: &SigningKey, issuer_slot: &str, entries: Arc<Vec<Value>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let keys = json!({
        "issuer": issuer_slot,
        "displayName": "Riga",
        "keys": [{"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig",
                  "kid": key.kid(), "x": key.public().x, "y": key.public().y}],
    });
    let app = axum::Router::new()
        .route(
            "/.well-known/interlink-federation",
            axum::routing::get(move || {
                let keys = keys.clone();
                async move { axum::Json(keys) }
            }),
        )
        .route(
            "/v1/federation/feed",
            axum::routing::get(
                move |axum::extract::RawQuery(query): axum::extract::RawQuery| {
                    let entries = Arc::clone(&entries);
                    async move {
                        let after: usize =
                            url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                                .find(|(k, _)| k == "cursor")
                                .and_then(|(_, v)| v.strip_prefix('c').and_then(|n| n.parse().ok()))
                                .unwrap_or(0);
                        let page: Vec<Value> = entries
                            .iter()
                            .skip(after)
                            .take(PAGE as usize)
                            .cloned()
                            .collect();
                        let next = after + page.len();
                        axum::Json(json!({
                            "entries": page,
                            "nextCursor": format!("c{next}"),
                            "more": next < entries.len(),
                        }))
                    }
                },
            ),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("{base}/v1/federation/feed")
}

async fn import(backend: Backend, total: u64) -> (f64, Duration) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let key = SigningKey::generate().expect("key");
    // The issuer is the peer's address, known once it listens: the entries
    // are signed for a fixed one, which its keys document names.
    let issuer = "https://interlink.varam.gov.lv";
    let entries = Arc::new(feed(&key, issuer, total));
    let feed_url = serve(&key, issuer, entries).await;
    let settings = SyncSettings {
        interval: Duration::from_secs(3_600),
        page_size: PAGE,
        keys_fresh: Duration::from_secs(60),
    };
    let worker = Worker::with_transport(
        env.db.clone(),
        Arc::new(Subscriber::new(env.outbox(), settings)),
        PeerTransport::new(Duration::from_secs(30), true, 64 << 20).expect("transport"),
        JobsConfig {
            poll: Duration::from_millis(20),
            ..JobsConfig::default()
        },
    );
    let wake = worker.waker();
    let stop = CancellationToken::new();
    tokio::spawn(worker.run(stop.clone()));

    let now = now_ms();
    let peer = PeerRow {
        id: uuid::Uuid::now_v7().to_string(),
        display_name: String::new(),
        feed_url,
        pinned_keys: vec![key.kid().to_owned()],
        trusted_keys: Default::default(),
        issuer: String::new(),
        origin_display_name: String::new(),
        paused: false,
        cursor: String::new(),
        job_id: String::new(),
        last_sync_at: None,
        last_error: String::new(),
        last_error_at: None,
        keys_checked_at: None,
        created_at: now,
        updated_at: now,
    };
    let started = Instant::now();
    let txn = interlink_runtime::db::begin_write(&env.db)
        .await
        .expect("begin");
    peers::save(&txn, &peer).await.expect("peer");
    subscriber::schedule(&txn, &peer, KEYS_JOB, now, &settings)
        .await
        .expect("schedule");
    txn.commit().await.expect("commit");
    wake.notify_one();
    let end = format!("c{total}");
    loop {
        let row = peers::get(&env.db, &peer.id)
            .await
            .expect("peer")
            .expect("there");
        if row.cursor == end {
            break;
        }
        assert!(
            row.last_error.is_empty(),
            "the import failed: {}",
            row.last_error
        );
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "too slow: at {}",
            row.cursor
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let elapsed = started.elapsed();
    stop.cancel();
    let mirrored = count(&env.db, "SELECT COUNT(*) AS n FROM mirrors").await;
    let told = count(
        &env.db,
        "SELECT COUNT(*) AS n FROM interlink_outbox WHERE subject LIKE '%federation.mirror.updated'",
    )
    .await;
    assert_eq!((mirrored, told), (total, total), "every entry once");
    env.cleanup().await;
    (total as f64 / elapsed.as_secs_f64(), elapsed)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let total = if quick { 2_000 } else { 10_000 };
    println!("federation import: a peer's feed of {total} signed entries, pages of {PAGE}");
    for (backend, label) in [
        (Backend::Postgres, "PostgreSQL + JetStream"),
        (Backend::Embedded, "SQLite + embedded bus"),
    ] {
        let (rate, elapsed) = import(backend, total).await;
        println!(
            "  {label:<24} {rate:>8.0} entries/s ({:.2} s, target ≥ 1,000/s)",
            elapsed.as_secs_f64()
        );
    }
}
