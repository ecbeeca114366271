//! Monitoring benchmark: events of the mesh (a realistic co-production mix)
//! published through an outbox, the relay and the bus, recorded into the
//! audit trail and the KPIs by monitoring's consumer. Sustained ingest
//! rate, and end-to-end lag (source commit → recorded) at 200 events/s, on
//! PostgreSQL + NATS JetStream and SQLite + the embedded bus.
//!
//! `cargo bench -p interlink-monitoring --bench monitoring [-- --quick]`

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use interlink_monitoring::{Migrator, Recorder};
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::events::v1::Event;
use interlink_runtime::events::{EventHandler, EventType, NewEvent, Outbox, user_actor};
use interlink_runtime::testing::{Backend, TestEnv, count};
use sea_orm::DatabaseTransaction;

const ORGS: [&str; 3] = [
    "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10",
    "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a11",
    "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a12",
];

/// Records when each event's effects committed.
struct Timed {
    inner: Recorder,
    recorded_at: Mutex<HashMap<String, Instant>>,
}

impl EventHandler for Timed {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        self.inner.handle(txn, event).await
    }

    fn batches(&self) -> bool {
        self.inner.batches()
    }

    async fn handle_batch(
        &self,
        txn: &DatabaseTransaction,
        events: &[Event],
    ) -> anyhow::Result<()> {
        self.inner.handle_batch(txn, events).await
    }

    fn after_commit(&self, events: &[Event]) {
        let now = Instant::now();
        let mut at = self.recorded_at.lock().expect("lock");
        for e in events {
            at.insert(e.id.clone(), now);
        }
    }
}

/// The `i`th event of the mix: assets added, task status changes, claims.
fn event(outbox: &Outbox, i: u64) -> Event {
    let org = ORGS[(i % 3) as usize];
    let process = format!("processes/0190b4a2-7a3e-7cc0-9a53-{:012x}", i % 50);
    let actor = user_actor(&format!("user-{}", i % 200));
    let new = |verb: &'static str, aggregate: &'static str| {
        EventType::new("coproduction", aggregate, verb)
    };
    match i % 3 {
        0 => outbox.envelope(NewEvent {
            event_type: new("added", "asset"),
            actor,
            organization_id: org,
            aggregate_id: &format!("a{i}"),
            aggregate_version: 1,
            payload: &coproduction::AssetAdded {
                asset: Some(coproduction::Asset {
                    process,
                    interlinker: format!("interlinkers/k{}", i % 64),
                    interlinker_nature: "knowledge".into(),
                    ..Default::default()
                }),
            },
        }),
        1 => outbox.envelope(NewEvent {
            event_type: new("status_changed", "task"),
            actor,
            organization_id: org,
            aggregate_id: &format!("t{i}"),
            aggregate_version: 1,
            payload: &coproduction::TaskStatusChanged {
                process,
                new_status: coproduction::Status::InProgress as i32,
                ..Default::default()
            },
        }),
        _ => outbox.envelope(NewEvent {
            event_type: new("submitted", "claim"),
            actor,
            organization_id: org,
            aggregate_id: &format!("c{i}"),
            aggregate_version: 1,
            payload: &coproduction::ClaimSubmitted {
                claim: Some(coproduction::Claim {
                    name: format!("{process}/claims/c{i}"),
                    r#type: coproduction::ClaimType::Development as i32,
                    ..Default::default()
                }),
            },
        }),
    }
    .expect("envelope")
}

async fn wait_recorded(env: &TestEnv, n: u64, within: Duration) {
    let deadline = Instant::now() + within;
    while count(&env.db, "SELECT COUNT(*) AS n FROM audit").await < n {
        assert!(Instant::now() < deadline, "events not recorded in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn ingest(backend: Backend, total: u64) -> f64 {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let outbox = env.outbox();
    // Everything waits in the outbox first: the rate is monitoring's.
    let events: Vec<Event> = (0..total).map(|i| event(&outbox, i)).collect();
    for chunk in events.chunks(500) {
        outbox.publish(&env.db, chunk).await.expect("append");
    }
    let timed = Arc::new(Timed {
        inner: Recorder::default(),
        recorded_at: Mutex::default(),
    });
    let started = Instant::now();
    let pipeline = env.start_pipeline(&outbox, "monitoring", &timed);
    wait_recorded(&env, total, Duration::from_secs(600)).await;
    let rate = total as f64 / started.elapsed().as_secs_f64();
    pipeline.stop().await;
    env.cleanup().await;
    rate
}

async fn lag(backend: Backend, rate: u64, seconds: u64) -> (Duration, Duration, Duration) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let outbox = env.outbox();
    let timed = Arc::new(Timed {
        inner: Recorder::default(),
        recorded_at: Mutex::default(),
    });
    let pipeline = env.start_pipeline(&outbox, "monitoring", &timed);
    let committed: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let total = rate * seconds;
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut writes = Vec::new();
    for i in 0..total {
        ticker.tick().await;
        let (db, outbox, committed) = (env.db.clone(), outbox.clone(), committed.clone());
        writes.push(tokio::spawn(async move {
            let e = event(&outbox, i);
            outbox
                .publish(&db, std::slice::from_ref(&e))
                .await
                .expect("publish");
            committed.lock().expect("lock").insert(e.id, Instant::now());
        }));
    }
    for w in writes {
        w.await.expect("write");
    }
    wait_recorded(&env, total, Duration::from_secs(120)).await;
    let recorded = timed.recorded_at.lock().expect("lock").clone();
    let mut samples: Vec<Duration> = committed
        .lock()
        .expect("lock")
        .iter()
        .map(|(id, at)| recorded[id].saturating_duration_since(*at))
        .collect();
    samples.sort();
    pipeline.stop().await;
    env.cleanup().await;
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.5), at(0.99), *samples.last().expect("samples"))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (total, seconds) = if quick { (2_000, 5) } else { (20_000, 15) };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for (name, backend) in [
            ("PostgreSQL + JetStream", Backend::Postgres),
            ("SQLite + embedded bus", Backend::Embedded),
        ] {
            let rate = ingest(backend, total).await;
            println!("{name:<24} ingest into trail + KPIs: {rate:>8.0} events/s ({total} events)");
            let (p50, p99, max) = lag(backend, 200, seconds).await;
            println!(
                "{name:<24} lag at 200 events/s: p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3,
                max.as_secs_f64() * 1e3
            );
        }
    });
}
