//! End-to-end event benchmark: from the commit of a change with its event to
//! the commit of the consumer's effect, on both backend pairs.
//!
//! - throughput with 16 concurrent writers (one event per transaction);
//! - latency (p50/p99/max) at a fixed, open-loop 200 events/s.
//!
//! `cargo bench -p interlink-runtime --bench events [-- --quick]`. Needs
//! PostgreSQL and NATS as the tests do (`scripts/services.sh`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use interlink_proto::common::v1::TranslatableText;
use interlink_proto::events::v1::Event;
use interlink_runtime::events::schema::EventTablesMigration;
use interlink_runtime::events::{EventHandler, EventType, NewEvent, Outbox, service_actor};
use interlink_runtime::testing::{Backend, Pipeline, TestEnv};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, Statement, TransactionTrait};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

struct BenchMigrator;
struct BenchTables;

impl MigrationName for BenchTables {
    fn name(&self) -> &str {
        "m0001_bench_tables"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for BenchTables {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // The writer's state change and the consumer's effect.
        db.execute_unprepared("CREATE TABLE things (id TEXT PRIMARY KEY, version BIGINT NOT NULL)")
            .await?;
        db.execute_unprepared("CREATE TABLE seen (event_id TEXT PRIMARY KEY)")
            .await?;
        Ok(())
    }
}

impl MigratorTrait for BenchMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(EventTablesMigration), Box::new(BenchTables)]
    }
}

#[derive(Default)]
struct Recorder {
    applied: AtomicU64,
    applied_at: Mutex<HashMap<String, Instant>>,
}

impl EventHandler for Recorder {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        txn.execute_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "INSERT INTO seen (event_id) VALUES ($1)",
            [event.id.clone().into()],
        ))
        .await?;
        Ok(())
    }

    fn after_commit(&self, events: &[Event]) {
        let now = Instant::now();
        let mut applied_at = self.applied_at.lock().expect("lock");
        for e in events {
            applied_at.insert(e.id.clone(), now);
        }
        self.applied
            .fetch_add(events.len() as u64, Ordering::SeqCst);
    }
}

const THING_CHANGED: EventType = EventType::new("bench", "thing", "changed");

/// One change: update the thing's row and append its event, one transaction.
async fn write(
    db: &sea_orm::DatabaseConnection,
    outbox: &Outbox,
    thing: &str,
    version: u64,
) -> String {
    let event = outbox
        .envelope(NewEvent {
            event_type: THING_CHANGED,
            actor: service_actor("bench"),
            organization_id: "org",
            aggregate_id: thing,
            aggregate_version: version,
            payload: &TranslatableText {
                values: std::collections::BTreeMap::from([(
                    "en".into(),
                    format!("{thing} v{version}"),
                )]),
            },
        })
        .expect("envelope");
    let txn = db.begin().await.expect("begin");
    txn.execute_raw(Statement::from_sql_and_values(
        txn.get_database_backend(),
        "INSERT INTO things (id, version) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET version = excluded.version",
        [thing.into(), (version as i64).into()],
    ))
    .await
    .expect("change");
    outbox
        .append(&txn, std::slice::from_ref(&event))
        .await
        .expect("append");
    outbox.commit(txn).await.expect("commit");
    event.id
}

struct Mesh {
    env: TestEnv,
    outbox: Outbox,
    recorder: Arc<Recorder>,
    pipeline: Pipeline,
}

async fn mesh(backend: Backend) -> Mesh {
    let env = TestEnv::new::<BenchMigrator>(backend, |c| {
        c.database.max_connections = 24;
    })
    .await;
    let outbox = env.outbox();
    let recorder = Arc::new(Recorder::default());
    let pipeline = env.start_pipeline(&outbox, "bench", &recorder);
    // Warm up: the consumer subscribed and the pool's connections opened
    // before anything is measured.
    write(&env.db, &outbox, "warm-up", 1).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while recorder.applied.load(Ordering::SeqCst) < 1 {
        assert!(Instant::now() < deadline, "warm-up event not applied");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    recorder.applied.store(0, Ordering::SeqCst);
    Mesh {
        env,
        outbox,
        recorder,
        pipeline,
    }
}

impl Mesh {
    async fn wait_applied(&self, n: u64, limit: Duration) {
        let deadline = Instant::now() + limit;
        while self.recorder.applied.load(Ordering::SeqCst) < n {
            assert!(
                Instant::now() < deadline,
                "only {} of {n} applied",
                self.recorder.applied.load(Ordering::SeqCst)
            );
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }

    async fn stop(self) {
        self.pipeline.stop().await;
        self.env.cleanup().await;
    }
}

async fn throughput(backend: Backend, writers: usize, per_writer: usize) -> f64 {
    let mesh = mesh(backend).await;
    let total = (writers * per_writer) as u64;
    let start = Instant::now();
    let mut handles = Vec::new();
    for w in 0..writers {
        let db = mesh.env.db.clone();
        let outbox = mesh.outbox.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..per_writer {
                write(&db, &outbox, &format!("thing-{w}-{}", i % 50), i as u64 + 1).await;
            }
        }));
    }
    for h in handles {
        h.await.expect("writer");
    }
    mesh.wait_applied(total, Duration::from_secs(600)).await;
    let rate = total as f64 / start.elapsed().as_secs_f64();
    mesh.stop().await;
    rate
}

struct Latency {
    p50: Duration,
    p99: Duration,
    max: Duration,
    count: usize,
}

async fn latency(backend: Backend, rate_per_sec: u64, seconds: u64) -> Latency {
    let mesh = mesh(backend).await;
    let committed_at: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let total = rate_per_sec * seconds;
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate_per_sec));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut writes = Vec::new();
    for i in 0..total {
        ticker.tick().await;
        // Open loop: each change on its own task, so a slow commit does not
        // hold back the schedule.
        let db = mesh.env.db.clone();
        let outbox = mesh.outbox.clone();
        let committed_at = Arc::clone(&committed_at);
        writes.push(tokio::spawn(async move {
            let id = write(&db, &outbox, &format!("thing-{}", i % 100), i + 1).await;
            committed_at
                .lock()
                .expect("lock")
                .insert(id, Instant::now());
        }));
    }
    for w in writes {
        w.await.expect("write");
    }
    mesh.wait_applied(total, Duration::from_secs(120)).await;
    let applied_at = mesh.recorder.applied_at.lock().expect("lock").clone();
    let mut samples: Vec<Duration> = committed_at
        .lock()
        .expect("lock")
        .iter()
        .map(|(id, committed)| applied_at[id].saturating_duration_since(*committed))
        .collect();
    samples.sort();
    mesh.stop().await;
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    Latency {
        p50: at(0.50),
        p99: at(0.99),
        max: *samples.last().expect("samples"),
        count: samples.len(),
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let latency_only = std::env::args().any(|a| a == "--latency-only");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (per_writer, seconds) = if quick { (100, 3) } else { (1_250, 10) };
    println!("events end to end: commit of the change → consumer's effect committed");
    println!(
        "{:<24} {:>16} {:>10} {:>10} {:>10} {:>8}",
        "backend", "16 writers ev/s", "p50 ms", "p99 ms", "max ms", "n"
    );
    for (name, backend) in [
        ("postgres + jetstream", Backend::Postgres),
        ("sqlite + embedded bus", Backend::Embedded),
    ] {
        let rate = if latency_only {
            f64::NAN
        } else {
            runtime.block_on(throughput(backend, 16, per_writer))
        };
        let lat = runtime.block_on(latency(backend, 200, seconds));
        let ms = |d: Duration| d.as_secs_f64() * 1_000.0;
        println!(
            "{:<24} {:>16.0} {:>10.2} {:>10.2} {:>10.2} {:>8}",
            name,
            rate,
            ms(lat.p50),
            ms(lat.p99),
            ms(lat.max),
            lat.count
        );
    }
}
