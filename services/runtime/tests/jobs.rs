//! Durable outgoing calls against a real HTTP server, on SQLite and on
//! PostgreSQL: retried while the other side fails or is down, refused ones
//! failed for good, each job's effect committed with its state, and each
//! job called once even with two workers on one table.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode};
use interlink_runtime::db::run;
use interlink_runtime::jobs::{
    self, Job, JobHandler, JobState, JobsConfig, NewJob, TokenSource, Worker,
};
use interlink_runtime::testing::{Backend, TestEnv};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(jobs::JobsMigration),
            Box::new(Effects),
        ]
    }
}

struct Effects;

impl MigrationName for Effects {
    fn name(&self) -> &str {
        "m0001_effects"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Effects {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(
            manager.get_connection(),
            "CREATE TABLE effects (job_id TEXT PRIMARY KEY, outcome TEXT NOT NULL)",
        )
        .await
    }
}

/// Records each job's end in `effects`, in the job's own transaction.
struct Recorder;

impl JobHandler for Recorder {
    async fn succeeded(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        status: u16,
        body: &str,
    ) -> anyhow::Result<()> {
        run(
            txn,
            "INSERT INTO effects (job_id, outcome) VALUES ($1, $2) \
             ON CONFLICT (job_id) DO UPDATE SET outcome = excluded.outcome",
            [job.id.to_string().into(), format!("{status} {body}").into()],
        )
        .await?;
        Ok(())
    }

    async fn failed(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        reason: &str,
    ) -> anyhow::Result<()> {
        run(
            txn,
            "INSERT INTO effects (job_id, outcome) VALUES ($1, $2) \
             ON CONFLICT (job_id) DO UPDATE SET outcome = excluded.outcome",
            [
                job.id.to_string().into(),
                format!("failed: {reason}").into(),
            ],
        )
        .await?;
        Ok(())
    }
}

/// The other side: answers each idempotency key `fail_first` times with
/// 503, then as `answer` says; counts the calls per key.
#[derive(Clone, Default)]
struct Remote {
    calls: Arc<Mutex<HashMap<String, u32>>>,
    tokens: Arc<Mutex<Vec<String>>>,
    fail_first: u32,
    answer: u16,
}

async fn answer_call(
    State(remote): State<Remote>,
    method: Method,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, String) {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Some(token) = headers.get("authorization").and_then(|v| v.to_str().ok()) {
        remote.tokens.lock().expect("lock").push(token.to_owned());
    }
    let n = {
        let mut calls = remote.calls.lock().expect("lock");
        let n = calls.entry(key.clone()).or_default();
        *n += 1;
        *n
    };
    // A slow answer, so two workers would overlap if both called.
    tokio::time::sleep(Duration::from_millis(5)).await;
    if n <= remote.fail_first {
        return (StatusCode::SERVICE_UNAVAILABLE, "busy".into());
    }
    let status = StatusCode::from_u16(remote.answer).expect("status");
    (status, format!("{method} {key} {body}"))
}

async fn serve(remote: Remote, listener: tokio::net::TcpListener) -> tokio::task::JoinHandle<()> {
    let app = axum::Router::new()
        .route("/{*path}", axum::routing::any(answer_call))
        .with_state(remote);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    })
}

async fn start(remote: Remote) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    serve(remote, listener).await;
    url
}

fn quick() -> JobsConfig {
    JobsConfig {
        poll: Duration::from_millis(20),
        retry_initial: Duration::from_millis(1),
        retry_max: Duration::from_millis(5),
        max_attempts: 5,
        timeout: Duration::from_secs(2),
        concurrency: 4,
    }
}

fn tokens() -> TokenSource {
    Arc::new(|subject: &str, audience: &str| Some(format!("{subject}@{audience}")))
}

fn call(url: &str, key: &str) -> NewJob {
    NewJob {
        kind: "test.clone".into(),
        reference: "asset-1".into(),
        method: "POST".into(),
        url: format!("{url}/assets/1/clone"),
        body: Some(r#"{"name":"copy"}"#.into()),
        idempotency_key: key.into(),
        subject: "ana".into(),
        audience: "http://documents.example".into(),
    }
}

async fn enqueue(env: &TestEnv, job: &NewJob) -> uuid::Uuid {
    let txn = interlink_runtime::db::begin_write(&env.db)
        .await
        .expect("begin");
    let id = jobs::enqueue(&txn, job).await.expect("enqueue");
    txn.commit().await.expect("commit");
    id
}

/// Passes of `worker` until nothing is pending (or `passes` run out).
async fn drain(worker: &Worker<Recorder>, env: &TestEnv, passes: u32) {
    for _ in 0..passes {
        worker.run_due().await.expect("pass");
        if jobs::count(&env.db, JobState::Pending)
            .await
            .expect("count")
            == 0
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn effect(env: &TestEnv, id: uuid::Uuid) -> Option<String> {
    env.db
        .query_one_raw(interlink_runtime::db::statement(
            &env.db,
            "SELECT outcome FROM effects WHERE job_id = $1",
            [id.to_string().into()],
        ))
        .await
        .expect("query")
        .map(|row| row.try_get("", "outcome").expect("outcome"))
}

async fn retried_refused_and_recovered(backend: Backend) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let worker =
        Worker::new(env.db.clone(), Arc::new(Recorder), tokens(), quick()).expect("worker");

    // 503 twice, then made: the third attempt succeeds, with the token and
    // the key each time, and the effect commits with the state.
    let flaky = Remote {
        fail_first: 2,
        answer: 201,
        ..Remote::default()
    };
    let url = start(flaky.clone()).await;
    let id = enqueue(&env, &call(&url, "k-1")).await;
    let pending = jobs::get(&env.db, id).await.expect("get").expect("job");
    assert_eq!((pending.state, pending.attempts), (JobState::Pending, 0));
    drain(&worker, &env, 50).await;
    let done = jobs::get(&env.db, id).await.expect("get").expect("job");
    assert_eq!(done.state, JobState::Done, "{done:?}");
    assert_eq!(done.attempts, 3);
    assert_eq!(done.last_status, Some(201));
    assert_eq!(done.result.as_deref(), Some(r#"POST k-1 {"name":"copy"}"#));
    assert_eq!(flaky.calls.lock().expect("lock")["k-1"], 3);
    assert!(
        flaky
            .tokens
            .lock()
            .expect("lock")
            .iter()
            .all(|t| t == "Bearer ana@http://documents.example")
    );
    assert_eq!(
        effect(&env, id).await.as_deref(),
        Some(r#"201 POST k-1 {"name":"copy"}"#)
    );
    assert_eq!(
        jobs::for_reference(&env.db, "asset-1")
            .await
            .expect("list")
            .len(),
        1
    );

    // A refusal (400) fails at once, with the answer as the reason.
    let refusing = Remote {
        answer: 400,
        ..Remote::default()
    };
    let url = start(refusing.clone()).await;
    let id = enqueue(&env, &call(&url, "k-2")).await;
    drain(&worker, &env, 10).await;
    let failed = jobs::get(&env.db, id).await.expect("get").expect("job");
    assert_eq!((failed.state, failed.attempts), (JobState::Failed, 1));
    assert!(
        failed.last_error.starts_with("answered 400: POST k-2"),
        "{}",
        failed.last_error
    );
    assert!(
        effect(&env, id)
            .await
            .expect("effect")
            .starts_with("failed: answered 400")
    );

    // Always busy: after max_attempts it fails for good.
    let busy = Remote {
        fail_first: u32::MAX,
        answer: 200,
        ..Remote::default()
    };
    let url = start(busy.clone()).await;
    let id = enqueue(&env, &call(&url, "k-3")).await;
    drain(&worker, &env, 100).await;
    let gave_up = jobs::get(&env.db, id).await.expect("get").expect("job");
    assert_eq!((gave_up.state, gave_up.attempts), (JobState::Failed, 5));
    assert!(
        gave_up
            .last_error
            .starts_with("gave up after 5 attempts: answered 503"),
        "{}",
        gave_up.last_error
    );
    assert_eq!(busy.calls.lock().expect("lock")["k-3"], 5);

    // Tried again by hand, it is due at once with its attempts afresh.
    assert!(jobs::retry(&env.db, id).await.expect("retry"));
    assert!(
        !jobs::retry(&env.db, id).await.expect("retry"),
        "only a failed job is retried"
    );
    let again = jobs::get(&env.db, id).await.expect("get").expect("job");
    assert_eq!((again.state, again.attempts), (JobState::Pending, 0));

    // A delete of something already gone is done.
    let gone = Remote {
        answer: 404,
        ..Remote::default()
    };
    let url = start(gone).await;
    let delete = NewJob {
        method: "DELETE".into(),
        url: format!("{url}/assets/9"),
        body: None,
        ..call(&url, "k-4")
    };
    let id = enqueue(&env, &delete).await;
    drain(&worker, &env, 10).await;
    let deleted = jobs::get(&env.db, id).await.expect("get").expect("job");
    assert_eq!(
        (deleted.state, deleted.last_status),
        (JobState::Done, Some(404))
    );
    env.cleanup().await;
}

async fn waits_for_the_other_side(backend: Backend) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let worker =
        Worker::new(env.db.clone(), Arc::new(Recorder), tokens(), quick()).expect("worker");
    // Nothing listens there yet.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("addr");
    drop(listener);
    let url = format!("http://{address}");
    let ids = [
        enqueue(&env, &call(&url, "w-1")).await,
        enqueue(&env, &call(&url, "w-2")).await,
    ];
    worker.run_due().await.expect("pass");
    let waiting = jobs::get(&env.db, ids[0]).await.expect("get").expect("job");
    assert_eq!(waiting.state, JobState::Pending);
    assert!(
        waiting.last_error.starts_with("no answer"),
        "{}",
        waiting.last_error
    );
    assert!(waiting.next_attempt_at > waiting.created_at);

    // The other side comes up; the worker, running, finishes both.
    let up = Remote {
        answer: 201,
        ..Remote::default()
    };
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .expect("rebind");
    serve(up.clone(), listener).await;
    let shutdown = tokio_util::sync::CancellationToken::new();
    let waker = worker.waker();
    let running = tokio::spawn(worker.run(shutdown.clone()));
    waker.notify_one();
    interlink_runtime::testing::wait_until("both jobs done", Duration::from_secs(10), || async {
        jobs::count(&env.db, JobState::Done).await.expect("count") == 2
    })
    .await;
    shutdown.cancel();
    running.await.expect("worker");
    assert_eq!(up.calls.lock().expect("lock").values().sum::<u32>(), 2);
    env.cleanup().await;
}

#[tokio::test]
async fn jobs_retry_fail_and_recover_on_sqlite() {
    retried_refused_and_recovered(Backend::Embedded).await;
}

#[tokio::test]
async fn jobs_retry_fail_and_recover_on_postgres() {
    retried_refused_and_recovered(Backend::Postgres).await;
}

#[tokio::test]
async fn jobs_wait_for_the_other_side_on_sqlite() {
    waits_for_the_other_side(Backend::Embedded).await;
}

#[tokio::test]
async fn jobs_wait_for_the_other_side_on_postgres() {
    waits_for_the_other_side(Backend::Postgres).await;
}

/// Two workers on one table (as two replicas): every job is called once.
#[tokio::test]
async fn two_workers_call_each_job_once_on_postgres() {
    let env = TestEnv::new::<Migrator>(Backend::Postgres, |_| {}).await;
    let remote = Remote {
        answer: 201,
        ..Remote::default()
    };
    let url = start(remote.clone()).await;
    for i in 0..40 {
        enqueue(&env, &call(&url, &format!("p-{i}"))).await;
    }
    let workers: Vec<_> = (0..2)
        .map(|_| {
            Worker::new(env.db.clone(), Arc::new(Recorder), tokens(), quick()).expect("worker")
        })
        .collect();
    let (a, b) = tokio::join!(drain(&workers[0], &env, 50), drain(&workers[1], &env, 50));
    let _ = (a, b);
    assert_eq!(
        jobs::count(&env.db, JobState::Done).await.expect("count"),
        40
    );
    let calls = remote.calls.lock().expect("lock").clone();
    assert_eq!(calls.len(), 40);
    assert!(calls.values().all(|n| *n == 1), "{calls:?}");
    env.cleanup().await;
}
