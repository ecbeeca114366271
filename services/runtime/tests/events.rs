//! The event plumbing's guarantees, each checked on both backend pairs:
//! PostgreSQL + JetStream and SQLite + the embedded bus.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use interlink_proto::common::v1::TranslatableText;
use interlink_proto::events::v1::Event;
use interlink_runtime::events::schema::EventTablesMigration;
use interlink_runtime::events::{
    Consumer, EventHandler, EventType, NewEvent, Outbox, lag, list_parked, service_actor,
};
use interlink_runtime::testing::{Backend, Pipeline, TestEnv, count, wait_until};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, Statement, TransactionTrait};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};
use tokio_util::sync::CancellationToken;

const THING_CHANGED: EventType = EventType::new("test", "thing", "changed");
const WAIT: Duration = Duration::from_secs(60);

/// The event tables plus an `effects` table the test handler writes to.
struct TestMigrator;

struct EffectsTable;

impl MigrationName for EffectsTable {
    fn name(&self) -> &str {
        "m0001_effects"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for EffectsTable {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let id = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BIGSERIAL PRIMARY KEY",
            _ => "INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE effects (applied {id}, event_id TEXT NOT NULL, aggregate_id TEXT NOT NULL, version BIGINT NOT NULL)"
        ))
        .await?;
        Ok(())
    }
}

impl MigratorTrait for TestMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(EventTablesMigration), Box::new(EffectsTable)]
    }
}

/// Writes one `effects` row per event; fails on demand: always for poison
/// ids, a number of times for flaky ones (as the handler's own error, or as
/// a lost database connection), or by panicking.
#[derive(Default)]
struct RecordingHandler {
    poison: Mutex<HashSet<String>>,
    flaky: Mutex<HashMap<String, u32>>,
    outage: Mutex<HashMap<String, u32>>,
    panics: Mutex<HashSet<String>>,
    calls: AtomicU64,
    applied: AtomicU64,
}

fn take_one(failures: &Mutex<HashMap<String, u32>>, id: &str) -> bool {
    let mut failures = failures.lock().expect("lock");
    match failures.get_mut(id) {
        Some(left) if *left > 0 => {
            *left -= 1;
            true
        }
        _ => false,
    }
}

impl EventHandler for RecordingHandler {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.poison.lock().expect("lock").contains(&event.id) {
            anyhow::bail!("poisoned on purpose");
        }
        if take_one(&self.flaky, &event.id) {
            anyhow::bail!("flaky on purpose");
        }
        if take_one(&self.outage, &event.id) {
            return Err(
                DbErr::Conn(sea_orm::RuntimeErr::Internal("connection reset".into())).into(),
            );
        }
        if self.panics.lock().expect("lock").contains(&event.id) {
            panic!("handler bug on purpose");
        }
        txn.execute_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "INSERT INTO effects (event_id, aggregate_id, version) VALUES ($1, $2, $3)",
            [
                event.id.clone().into(),
                event.aggregate_id.clone().into(),
                (event.aggregate_version as i64).into(),
            ],
        ))
        .await?;
        Ok(())
    }

    fn after_commit(&self, events: &[Event]) {
        self.applied
            .fetch_add(events.len() as u64, Ordering::SeqCst);
    }
}

fn event(outbox: &Outbox, aggregate: &str, version: u64) -> Event {
    outbox
        .envelope(NewEvent {
            event_type: THING_CHANGED,
            actor: service_actor("test"),
            organization_id: "org-1",
            aggregate_id: aggregate,
            aggregate_version: version,
            payload: &TranslatableText {
                values: std::collections::BTreeMap::from([(
                    "en".into(),
                    format!("{aggregate} v{version}"),
                )]),
            },
        })
        .expect("envelope")
}

fn consumer(env: &TestEnv, handler: &Arc<RecordingHandler>) -> Consumer<RecordingHandler> {
    env.consumer("effects", handler)
}

fn start(env: &TestEnv, outbox: &Outbox, handler: &Arc<RecordingHandler>) -> Pipeline {
    env.start_pipeline(outbox, "effects", handler)
}

async fn effect_ids(env: &TestEnv) -> Vec<String> {
    env.db
        .query_all_raw(Statement::from_string(
            env.db.get_database_backend(),
            "SELECT event_id FROM effects ORDER BY applied",
        ))
        .await
        .expect("effects")
        .into_iter()
        .map(|r| r.try_get::<String>("", "event_id").expect("event_id"))
        .collect()
}

async fn assert_applied_exactly(env: &TestEnv, expected: &HashSet<String>) {
    let ids = effect_ids(env).await;
    let distinct: HashSet<String> = ids.iter().cloned().collect();
    assert_eq!(ids.len(), distinct.len(), "an event was applied twice");
    assert_eq!(
        &distinct, expected,
        "applied events differ from committed ones"
    );
}

// ---------------------------------------------------------------------------

async fn committed_events_applied_once(backend: Backend) {
    let env = TestEnv::new::<TestMigrator>(backend, |_| {}).await;
    let outbox = env.outbox();
    let handler = Arc::new(RecordingHandler::default());
    let running = start(&env, &outbox, &handler);

    // 1,000 transactions of 10 events from 8 writers; every 4th rolls back.
    let mut writers = Vec::new();
    for writer in 0..8u64 {
        let db = env.db.clone();
        let outbox = outbox.clone();
        writers.push(tokio::spawn(async move {
            let mut committed = Vec::new();
            for tx in (writer..1_000).step_by(8) {
                let aggregate = format!("agg-{tx}");
                let events: Vec<Event> = (1..=10).map(|v| event(&outbox, &aggregate, v)).collect();
                let txn = db.begin().await.expect("begin");
                outbox.append(&txn, &events).await.expect("append");
                if tx % 4 == 3 {
                    txn.rollback().await.expect("rollback");
                } else {
                    outbox.commit(txn).await.expect("commit");
                    committed.extend(events.into_iter().map(|e| e.id));
                }
            }
            committed
        }));
    }
    let mut expected = HashSet::new();
    for w in writers {
        expected.extend(w.await.expect("writer"));
    }
    assert_eq!(expected.len(), 7_500);

    wait_until("7,500 events applied", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) >= 7_500
    })
    .await;
    wait_until("consumer idle", WAIT, || env.consumer_idle("effects")).await;
    running.stop().await;
    assert_applied_exactly(&env, &expected).await;
    assert_eq!(handler.calls.load(Ordering::SeqCst), 7_500);
    assert_eq!(
        count(&env.db, "SELECT COUNT(*) AS n FROM interlink_outbox").await,
        0
    );
    assert_eq!(env.bus_message_count().await, 7_500);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_events_applied_once_postgres_jetstream() {
    committed_events_applied_once(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn committed_events_applied_once_sqlite_embedded() {
    committed_events_applied_once(Backend::Embedded).await;
}

// ---------------------------------------------------------------------------

async fn relay_crash_between_publish_and_delete(backend: Backend) {
    let env = TestEnv::new::<TestMigrator>(backend, |c| c.events.relay_batch = 64).await;
    let outbox = env.outbox();
    let events: Vec<Event> = (1..=100).map(|v| event(&outbox, "agg", v)).collect();
    outbox.publish(&env.db, &events).await.expect("append");

    let relay = env.relay(&outbox);
    assert_eq!(relay.publish_batch_then_crash().await.expect("publish"), 64);
    // The rows are still there: the "crashed" relay never deleted them.
    assert_eq!(
        count(&env.db, "SELECT COUNT(*) AS n FROM interlink_outbox").await,
        100
    );
    assert_eq!(env.bus_message_count().await, 64);

    let handler = Arc::new(RecordingHandler::default());
    let running = start(&env, &outbox, &handler);
    wait_until("100 events applied", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) >= 100
    })
    .await;
    wait_until("consumer idle", WAIT, || env.consumer_idle("effects")).await;
    running.stop().await;

    let expected: HashSet<String> = events.iter().map(|e| e.id.clone()).collect();
    assert_applied_exactly(&env, &expected).await;
    // Republished ids were dropped by the bus: one message per event.
    assert_eq!(env.bus_message_count().await, 100);
    assert_eq!(
        count(&env.db, "SELECT COUNT(*) AS n FROM interlink_outbox").await,
        0
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_crash_between_publish_and_delete_postgres_jetstream() {
    relay_crash_between_publish_and_delete(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_crash_between_publish_and_delete_sqlite_embedded() {
    relay_crash_between_publish_and_delete(Backend::Embedded).await;
}

/// A relay task aborted at arbitrary points and restarted, over and over,
/// while writers commit: still every event once.
async fn relay_aborted_repeatedly(backend: Backend) {
    let env = TestEnv::new::<TestMigrator>(backend, |c| c.events.relay_batch = 16).await;
    let outbox = env.outbox();
    let handler = Arc::new(RecordingHandler::default());
    let shutdown = CancellationToken::new();
    let consumer_task = tokio::spawn({
        let consumer = consumer(&env, &handler);
        let shutdown = shutdown.clone();
        async move { consumer.run(shutdown).await.expect("consumer runs") }
    });
    let writer = tokio::spawn({
        let db = env.db.clone();
        let outbox = outbox.clone();
        async move {
            let mut ids = HashSet::new();
            for v in 1..=400 {
                let e = event(&outbox, &format!("agg-{}", v % 7), v);
                ids.insert(e.id.clone());
                outbox.publish(&db, &[e]).await.expect("publish");
            }
            ids
        }
    });
    for round in 0..40u64 {
        let relay = env.relay(&outbox);
        let task = tokio::spawn(relay.run(CancellationToken::new()));
        tokio::time::sleep(Duration::from_millis(1 + round % 7)).await;
        task.abort();
        let _ = task.await;
    }
    let expected = writer.await.expect("writer");
    let relay = env.relay(&outbox);
    let relay_task = tokio::spawn(relay.run(shutdown.clone()));
    wait_until("400 events applied", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) >= 400
    })
    .await;
    wait_until("consumer idle", WAIT, || env.consumer_idle("effects")).await;
    shutdown.cancel();
    relay_task.await.expect("relay");
    consumer_task.await.expect("consumer");
    assert_applied_exactly(&env, &expected).await;
    assert_eq!(env.bus_message_count().await, 400);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_aborted_repeatedly_postgres_jetstream() {
    relay_aborted_repeatedly(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_aborted_repeatedly_sqlite_embedded() {
    relay_aborted_repeatedly(Backend::Embedded).await;
}

// ---------------------------------------------------------------------------

async fn consumer_crash_after_commit(backend: Backend) {
    let env = TestEnv::new::<TestMigrator>(backend, |c| {
        c.events.ack_wait_secs = 1;
        c.events.consumer_batch = 20;
    })
    .await;
    let outbox = env.outbox();
    let events: Vec<Event> = (1..=50).map(|v| event(&outbox, "agg", v)).collect();
    outbox.publish(&env.db, &events).await.expect("append");
    let relay = env.relay(&outbox);
    assert_eq!(relay.drain().await.expect("relay"), 50);

    let handler = Arc::new(RecordingHandler::default());
    let crashed = consumer(&env, &handler)
        .apply_one_batch_then_crash()
        .await
        .expect("batch");
    assert!(crashed > 0);
    assert_eq!(handler.applied.load(Ordering::SeqCst), crashed as u64);

    let running = start(&env, &outbox, &handler);
    wait_until("50 events applied", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) >= 50
    })
    .await;
    // The unacknowledged batch comes back (after ack_wait on JetStream) and is
    // recognised: the consumer goes idle without applying anything again.
    wait_until("consumer idle", WAIT, || env.consumer_idle("effects")).await;
    running.stop().await;
    let expected: HashSet<String> = events.iter().map(|e| e.id.clone()).collect();
    assert_applied_exactly(&env, &expected).await;
    assert_eq!(
        handler.calls.load(Ordering::SeqCst),
        50,
        "a redelivered event reached the handler"
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumer_crash_after_commit_postgres_jetstream() {
    consumer_crash_after_commit(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumer_crash_after_commit_sqlite_embedded() {
    consumer_crash_after_commit(Backend::Embedded).await;
}

// ---------------------------------------------------------------------------

async fn poison_event_parked_and_replayed(backend: Backend) {
    let env = TestEnv::new::<TestMigrator>(backend, |c| {
        c.events.max_deliveries = 3;
        c.events.retry_initial_ms = 10;
        c.events.retry_max_ms = 50;
    })
    .await;
    let outbox = env.outbox();
    let handler = Arc::new(RecordingHandler::default());
    let events: Vec<Event> = (1..=20)
        .map(|v| event(&outbox, &format!("agg-{v}"), 1))
        .collect();
    let poison_id = events[7].id.clone();
    handler
        .poison
        .lock()
        .expect("lock")
        .insert(poison_id.clone());
    let running = start(&env, &outbox, &handler);
    outbox.publish(&env.db, &events).await.expect("append");

    wait_until("19 events applied and the poison parked", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) >= 19
            && !list_parked(&env.db, Some("effects"))
                .await
                .expect("parked")
                .is_empty()
    })
    .await;
    let parked = list_parked(&env.db, None).await.expect("parked");
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].event_id, poison_id);
    assert_eq!(parked[0].deliveries, 3);
    assert!(
        parked[0].error.contains("poisoned on purpose"),
        "{}",
        parked[0].error
    );

    // Later events still flow.
    let later = event(&outbox, "agg-late", 1);
    outbox
        .publish(&env.db, std::slice::from_ref(&later))
        .await
        .expect("append");
    wait_until("the later event applied", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) >= 20
    })
    .await;
    wait_until("consumer idle", WAIT, || env.consumer_idle("effects")).await;
    running.stop().await;

    // Fixed: the operator replays it.
    handler.poison.lock().expect("lock").clear();
    let replayer = consumer(&env, &handler);
    assert!(replayer.replay_parked(&poison_id).await.expect("replay"));
    assert!(
        !replayer
            .replay_parked(&poison_id)
            .await
            .expect("second replay")
    );
    assert!(list_parked(&env.db, None).await.expect("parked").is_empty());

    let mut expected: HashSet<String> = events.iter().map(|e| e.id.clone()).collect();
    expected.insert(later.id);
    assert_applied_exactly(&env, &expected).await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_event_parked_and_replayed_postgres_jetstream() {
    poison_event_parked_and_replayed(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_event_parked_and_replayed_sqlite_embedded() {
    poison_event_parked_and_replayed(Backend::Embedded).await;
}

/// `writers` tasks, one aggregate each, publish versions 1..=`versions`,
/// one transaction per event.
async fn write_versions(env: &TestEnv, outbox: &Outbox, writers: u64, versions: u64) {
    let mut tasks = Vec::new();
    for a in 0..writers {
        let db = env.db.clone();
        let outbox = outbox.clone();
        tasks.push(tokio::spawn(async move {
            for v in 1..=versions {
                outbox
                    .publish(&db, &[event(&outbox, &format!("agg-{a}"), v)])
                    .await
                    .expect("publish");
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer");
    }
}

/// Asserts each aggregate's versions were applied as 1, 2, 3 …; returns the
/// last version applied per aggregate.
async fn assert_each_aggregate_in_order(env: &TestEnv) -> HashMap<String, i64> {
    let rows = env
        .db
        .query_all_raw(Statement::from_string(
            env.db.get_database_backend(),
            "SELECT aggregate_id, version FROM effects ORDER BY applied",
        ))
        .await
        .expect("effects");
    let mut last: HashMap<String, i64> = HashMap::new();
    for row in rows {
        let aggregate: String = row.try_get("", "aggregate_id").expect("aggregate");
        let version: i64 = row.try_get("", "version").expect("version");
        let previous = last.insert(aggregate.clone(), version).unwrap_or(0);
        assert_eq!(
            version,
            previous + 1,
            "{aggregate}: v{version} applied after v{previous}"
        );
    }
    last
}

// ---------------------------------------------------------------------------

async fn events_of_an_aggregate_arrive_in_commit_order(backend: Backend) {
    let env = TestEnv::new::<TestMigrator>(backend, |c| c.events.relay_batch = 32).await;
    let outbox = env.outbox();
    let handler = Arc::new(RecordingHandler::default());
    let running = start(&env, &outbox, &handler);
    write_versions(&env, &outbox, 10, 50).await;
    wait_until("500 events applied", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) >= 500
    })
    .await;
    running.stop().await;

    let last = assert_each_aggregate_in_order(&env).await;
    assert_eq!(last.len(), 10);
    assert!(last.values().all(|v| *v == 50));
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_of_an_aggregate_arrive_in_commit_order_postgres_jetstream() {
    events_of_an_aggregate_arrive_in_commit_order(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_of_an_aggregate_arrive_in_commit_order_sqlite_embedded() {
    events_of_an_aggregate_arrive_in_commit_order(Backend::Embedded).await;
}

// ---------------------------------------------------------------------------

/// Failures are retried in place: a flaky event is applied before the later
/// events of its aggregate; a database outage never counts towards parking;
/// a panicking handler parks the event instead of killing the consumer.
async fn failures_keep_order_and_panics_are_parked(backend: Backend) {
    let env = TestEnv::new::<TestMigrator>(backend, |c| {
        c.events.max_deliveries = 3;
        c.events.retry_initial_ms = 5;
        c.events.retry_max_ms = 20;
    })
    .await;
    let outbox = env.outbox();
    let handler = Arc::new(RecordingHandler::default());
    let events: Vec<Event> = (1..=30).map(|v| event(&outbox, "agg", v)).collect();
    // v5 fails twice (under the limit of 3); v12 meets ten "outages" (more
    // than the limit, but not its fault); v20 panics every time.
    handler
        .flaky
        .lock()
        .expect("lock")
        .insert(events[4].id.clone(), 2);
    handler
        .outage
        .lock()
        .expect("lock")
        .insert(events[11].id.clone(), 10);
    handler
        .panics
        .lock()
        .expect("lock")
        .insert(events[19].id.clone());
    let running = start(&env, &outbox, &handler);
    outbox.publish(&env.db, &events).await.expect("append");

    wait_until("29 events applied and one parked", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) >= 29
            && list_parked(&env.db, None).await.expect("parked").len() == 1
    })
    .await;
    wait_until("consumer idle", WAIT, || env.consumer_idle("effects")).await;
    running.stop().await;

    let parked = list_parked(&env.db, None).await.expect("parked");
    assert_eq!(parked[0].event_id, events[19].id);
    assert!(parked[0].error.contains("panicked"), "{}", parked[0].error);
    let versions: Vec<i64> = env
        .db
        .query_all_raw(Statement::from_string(
            env.db.get_database_backend(),
            "SELECT version FROM effects ORDER BY applied",
        ))
        .await
        .expect("effects")
        .into_iter()
        .map(|r| r.try_get::<i64>("", "version").expect("version"))
        .collect();
    let expected: Vec<i64> = (1..=30).filter(|v| *v != 20).collect();
    assert_eq!(
        versions, expected,
        "applied in commit order, the parked one left out"
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_keep_order_and_panics_are_parked_postgres_jetstream() {
    failures_keep_order_and_panics_are_parked(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_keep_order_and_panics_are_parked_sqlite_embedded() {
    failures_keep_order_and_panics_are_parked(Backend::Embedded).await;
}

/// Three replicas of one consumer (and of the relay) on one PostgreSQL
/// database and one durable JetStream consumer: one of them works at a time,
/// so every aggregate's events still apply once and in order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_of_a_consumer_keep_order_postgres_jetstream() {
    let env = TestEnv::new::<TestMigrator>(Backend::Postgres, |c| {
        c.events.consumer_batch = 16;
        c.events.relay_batch = 16;
    })
    .await;
    let outbox = env.outbox();
    let handler = Arc::new(RecordingHandler::default());
    let replicas: Vec<Pipeline> = (0..3)
        .map(|_| env.start_pipeline(&outbox, "effects", &handler))
        .collect();
    write_versions(&env, &outbox, 5, 60).await;
    wait_until("300 events applied", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) >= 300
    })
    .await;
    wait_until("consumer idle", WAIT, || env.consumer_idle("effects")).await;
    for replica in replicas {
        replica.stop().await;
    }
    assert_eq!(handler.calls.load(Ordering::SeqCst), 300);
    let last = assert_each_aggregate_in_order(&env).await;
    assert_eq!(last.len(), 5);
    assert!(last.values().all(|v| *v == 60));
    env.cleanup().await;
}

/// Records what it receives (the watcher of parked-event announcements).
#[derive(Default)]
struct Watcher {
    seen: Mutex<Vec<Event>>,
}

impl EventHandler for Watcher {
    async fn handle(&self, _txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        self.seen.lock().expect("lock").push(event.clone());
        Ok(())
    }
}

/// A consumer told to announce what it parks publishes
/// `runtime.consumer.event_parked` through its service's outbox, so the
/// mesh (monitoring) hears of it.
async fn parked_events_are_announced(backend: Backend) {
    let env = TestEnv::new::<TestMigrator>(backend, |c| {
        c.events.max_deliveries = 2;
        c.events.retry_initial_ms = 10;
        c.events.retry_max_ms = 50;
    })
    .await;
    let outbox = env.outbox();
    let handler = Arc::new(RecordingHandler::default());
    let events: Vec<Event> = (1..=3)
        .map(|v| event(&outbox, &format!("agg-{v}"), 1))
        .collect();
    let poison_id = events[1].id.clone();
    handler
        .poison
        .lock()
        .expect("lock")
        .insert(poison_id.clone());
    let watcher = Arc::new(Watcher::default());
    let shutdown = CancellationToken::new();
    let relay = env.relay(&outbox);
    let effects = consumer(&env, &handler).announce_parked(outbox.clone());
    let watch = Consumer::new(
        "watch",
        env.subjects
            .event(EventType::new("runtime", "consumer", "event_parked")),
        env.db.clone(),
        env.bus.clone(),
        watcher.clone(),
        env.config.events.clone(),
    );
    let tasks = [
        tokio::spawn(relay.run(shutdown.clone())),
        tokio::spawn({
            let s = shutdown.clone();
            async move { effects.run(s).await.expect("effects") }
        }),
        tokio::spawn({
            let s = shutdown.clone();
            async move { watch.run(s).await.expect("watch") }
        }),
    ];
    outbox.publish(&env.db, &events).await.expect("append");
    wait_until("the parking announced", WAIT, || async {
        !watcher.seen.lock().expect("lock").is_empty()
    })
    .await;
    let seen = watcher.seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].r#type, "runtime.consumer.event_parked");
    let parked: interlink_proto::events::v1::EventParked = seen[0]
        .payload
        .as_ref()
        .expect("payload")
        .to_msg()
        .expect("decodes");
    assert_eq!(parked.consumer, "effects");
    assert_eq!(parked.event_id, poison_id);
    assert_eq!(parked.deliveries, 2);
    assert!(
        parked.error.contains("poisoned on purpose"),
        "{}",
        parked.error
    );
    shutdown.cancel();
    for task in tasks {
        task.await.expect("task");
    }
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_events_are_announced_postgres_jetstream() {
    parked_events_are_announced(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_events_are_announced_sqlite_embedded() {
    parked_events_are_announced(Backend::Embedded).await;
}

/// The recording handler taking whole batches, counting their sizes.
struct Batching {
    inner: Arc<RecordingHandler>,
    largest: AtomicU64,
}

impl EventHandler for Batching {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        self.inner.handle(txn, event).await
    }

    fn batches(&self) -> bool {
        true
    }

    async fn handle_batch(
        &self,
        txn: &DatabaseTransaction,
        events: &[Event],
    ) -> anyhow::Result<()> {
        self.largest
            .fetch_max(events.len() as u64, Ordering::SeqCst);
        for event in events {
            self.inner.handle(txn, event).await?;
        }
        Ok(())
    }

    fn after_commit(&self, events: &[Event]) {
        self.inner.after_commit(events);
    }
}

/// A batch handler gets several events at once, each applied exactly once
/// (the inbox in one statement), and a poisoned event in a batch is found
/// one by one and parked while the others go through.
async fn batch_handlers_apply_once_and_isolate_poison(backend: Backend) {
    let env = TestEnv::new::<TestMigrator>(backend, |c| {
        c.events.max_deliveries = 2;
        c.events.retry_initial_ms = 10;
        c.events.retry_max_ms = 50;
    })
    .await;
    let outbox = env.outbox();
    let inner = Arc::new(RecordingHandler::default());
    let handler = Arc::new(Batching {
        inner: inner.clone(),
        largest: AtomicU64::new(0),
    });
    let events: Vec<Event> = (1..=200)
        .map(|v| event(&outbox, &format!("agg-{}", v % 10), v))
        .collect();
    let poison = events[57].id.clone();
    inner.poison.lock().expect("lock").insert(poison.clone());
    // Everything waits in the outbox before the pipeline starts, so
    // batches fill up.
    outbox.publish(&env.db, &events).await.expect("append");
    let pipeline = env.start_pipeline(&outbox, "effects", &handler);
    wait_until("199 applied and the poison parked", WAIT, || async {
        inner.applied.load(Ordering::SeqCst) >= 199
            && !list_parked(&env.db, Some("effects"))
                .await
                .expect("parked")
                .is_empty()
    })
    .await;
    pipeline.stop().await;
    assert!(
        handler.largest.load(Ordering::SeqCst) > 1,
        "no batch of more than one"
    );
    let expected: HashSet<String> = events
        .iter()
        .map(|e| e.id.clone())
        .filter(|id| *id != poison)
        .collect();
    assert_applied_exactly(&env, &expected).await;
    let parked = list_parked(&env.db, None).await.expect("parked");
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].event_id, poison);
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_handlers_apply_once_and_isolate_poison_postgres_jetstream() {
    batch_handlers_apply_once_and_isolate_poison(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batch_handlers_apply_once_and_isolate_poison_sqlite_embedded() {
    batch_handlers_apply_once_and_isolate_poison(Backend::Embedded).await;
}

/// Applies each event only once its version has been released.
#[derive(Default)]
struct Gated {
    released: AtomicU64,
    applied: AtomicU64,
}

impl EventHandler for Gated {
    async fn handle(&self, _txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        while event.aggregate_version > self.released.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    }

    fn after_commit(&self, events: &[Event]) {
        self.applied
            .fetch_add(events.len() as u64, Ordering::SeqCst);
    }
}

fn lag_of(consumer: &str) -> Option<lag::ConsumerLag> {
    lag::snapshot().into_iter().find(|l| l.consumer == consumer)
}

fn names<'a>(
    mut attributes: impl Iterator<Item = &'a opentelemetry::KeyValue>,
    consumer: &str,
) -> bool {
    attributes.any(|kv| kv.key.as_str() == "consumer" && kv.value.to_string() == consumer)
}

/// Reads the exported lag gauges of `consumer`: (events, seconds).
fn exported_lag(
    provider: &opentelemetry_sdk::metrics::SdkMeterProvider,
    exporter: &opentelemetry_sdk::metrics::InMemoryMetricExporter,
    consumer: &str,
) -> (Option<u64>, Option<f64>) {
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    provider.force_flush().expect("flush");
    let mut found = (None, None);
    for resource in exporter.get_finished_metrics().expect("metrics") {
        for scope in resource.scope_metrics() {
            for metric in scope.metrics() {
                match (metric.name(), metric.data()) {
                    (
                        "interlink.consumer.lag.events",
                        AggregatedMetrics::U64(MetricData::Gauge(gauge)),
                    ) => {
                        if let Some(point) = gauge
                            .data_points()
                            .find(|p| names(p.attributes(), consumer))
                        {
                            found.0 = Some(point.value());
                        }
                    }
                    (
                        "interlink.consumer.lag",
                        AggregatedMetrics::F64(MetricData::Gauge(gauge)),
                    ) => {
                        if let Some(point) = gauge
                            .data_points()
                            .find(|p| names(p.attributes(), consumer))
                        {
                            found.1 = Some(point.value());
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    exporter.reset();
    found
}

/// A consumer reports how many events it has yet to take and how far
/// behind it is: the seconds grow while it is stuck and stop once it has
/// caught up; both reach OpenTelemetry as gauges named by consumer.
async fn consumer_lag_is_reported(backend: Backend) {
    use opentelemetry::metrics::MeterProvider;
    let env = TestEnv::new::<TestMigrator>(backend, |c| c.events.consumer_batch = 1).await;
    let outbox = env.outbox();
    let events: Vec<Event> = (1..=5).map(|v| event(&outbox, "lagging", v)).collect();
    outbox.publish(&env.db, &events).await.expect("append");
    assert_eq!(env.relay(&outbox).drain().await.expect("relay"), 5);

    let exporter = opentelemetry_sdk::metrics::InMemoryMetricExporterBuilder::new().build();
    let provider = opentelemetry_sdk::metrics::SdkMeterProvider::builder()
        .with_reader(opentelemetry_sdk::metrics::PeriodicReader::builder(exporter.clone()).build())
        .build();
    let _gauges = lag::register(&provider.meter("test"));

    let name = format!("lag-{}", uuid::Uuid::new_v4().simple());
    let handler = Arc::new(Gated::default());
    let shutdown = CancellationToken::new();
    let run = tokio::spawn(env.consumer(&name, &handler).run(shutdown.clone()));

    handler.released.store(1, Ordering::SeqCst);
    wait_until("the first event applied and four behind", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) == 1
            && lag_of(&name).is_some_and(|l| l.events_behind == 4)
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stuck = lag_of(&name).expect("lag");
    assert!(stuck.seconds_behind >= 0.3, "{stuck:?}");
    let (events_behind, seconds_behind) = exported_lag(&provider, &exporter, &name);
    assert_eq!(events_behind, Some(4));
    assert!(seconds_behind.is_some_and(|s| s >= stuck.seconds_behind));

    handler.released.store(5, Ordering::SeqCst);
    wait_until("all applied and none behind", WAIT, || async {
        handler.applied.load(Ordering::SeqCst) == 5
            && lag_of(&name).is_some_and(|l| l.events_behind == 0)
    })
    .await;
    let caught_up = lag_of(&name).expect("lag");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        lag_of(&name).expect("lag"),
        caught_up,
        "the lag of a consumer that caught up keeps growing"
    );
    assert_eq!(exported_lag(&provider, &exporter, &name).0, Some(0));

    shutdown.cancel();
    run.await.expect("join").expect("consumer");
    provider.shutdown().expect("shutdown");
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumer_lag_is_reported_postgres_jetstream() {
    consumer_lag_is_reported(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consumer_lag_is_reported_sqlite_embedded() {
    consumer_lag_is_reported(Backend::Embedded).await;
}
