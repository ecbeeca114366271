//! Cloning a genesis document, as the platform does it, on the embedded
//! mode's storage (SQLite): the clone's durable call written in the
//! platform's database, the worker woken, the call made with a freshly
//! minted token, the documents interlinker's copy committed, and the job's
//! end recorded — timed from before the platform's commit to after the
//! job reads `done`. Beside it, the interlinker's `POST …/clone` alone.
//!
//! `cargo bench -p interlink-documents --bench clone [-- --quick]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use interlink_documents::{Documents, Migrator, store};
use interlink_interlinker_http::testing::report;
use interlink_runtime::auth::DevSigner;
use interlink_runtime::config::AuthConfig;
use interlink_runtime::jobs::{self, Job, JobHandler, JobState, JobsConfig, NewJob, Worker};
use interlink_runtime::testing::{Backend, TestEnv};
use sea_orm::DatabaseTransaction;
use sea_orm_migration::{MigrationTrait, MigratorTrait};
use tokio::sync::mpsc;

struct PlatformMigrator;

impl MigratorTrait for PlatformMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(jobs::JobsMigration),
        ]
    }
}

/// Says which job ended (from inside the transaction that records it).
struct Ended(mpsc::UnboundedSender<String>);

impl JobHandler for Ended {
    async fn succeeded(
        &self,
        _: &DatabaseTransaction,
        job: &Job,
        _: u16,
        _: &str,
    ) -> anyhow::Result<()> {
        let _ = self.0.send(job.call.reference.clone());
        Ok(())
    }

    async fn failed(&self, _: &DatabaseTransaction, job: &Job, reason: &str) -> anyhow::Result<()> {
        anyhow::bail!("job {} failed: {reason}", job.id)
    }
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 200 } else { 1_000 };
    let documents_env = TestEnv::new::<Migrator>(Backend::Embedded, |_| {}).await;
    let platform = TestEnv::new::<PlatformMigrator>(Backend::Embedded, |_| {}).await;
    let dir = tempfile::tempdir().expect("dir");
    let signer = Arc::new(DevSigner::load_or_create(dir.path()).expect("signer"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let auth = AuthConfig {
        audience: base.clone(),
        ..AuthConfig::default()
    };
    let documents = Documents::new(
        documents_env.db.clone(),
        Arc::new(signer.authenticator(&auth)),
        &[5u8; 64],
        base.clone(),
        "http://platform.example".into(),
    );
    tokio::spawn(async move { axum::serve(listener, documents.router()).await });
    let genesis = store::create(
        &documents_env.db,
        "Co-production agreement".into(),
        include_str!("../genesis/co-production-agreement.en.md").into(),
        "en".into(),
        &store::Author {
            subject: "interlink".into(),
            name: "Interlink".into(),
        },
    )
    .await
    .expect("genesis");

    let tokens = jobs::signed_by(
        Arc::clone(&signer),
        "interlink_admin".into(),
        Duration::from_secs(300),
    );
    let (ended, mut ends) = mpsc::unbounded_channel();
    let worker = Worker::new(
        platform.db.clone(),
        Arc::new(Ended(ended)),
        Arc::clone(&tokens),
        JobsConfig::default(),
    )
    .expect("worker");
    let waker = worker.waker();
    let shutdown = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn(worker.run(shutdown.clone()));

    println!(
        "documents clone bench (embedded storage: SQLite files), {rounds} sequential clones of a {}-byte genesis",
        genesis.body.len()
    );
    // The interlinker alone: its clone route over loopback.
    let http = reqwest::Client::new();
    let token = tokens("bench", &base).expect("token");
    let mut direct = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let started = Instant::now();
        let answer = http
            .post(format!("{base}/assets/{}/clone", genesis.id))
            .bearer_auth(&token)
            .header("idempotency-key", format!("direct-{i}"))
            .send()
            .await
            .expect("clone");
        assert_eq!(answer.status(), 201);
        answer.bytes().await.expect("body");
        direct.push(started.elapsed());
    }
    report("interlinker: POST /assets/{id}/clone", direct);

    // The platform's way: a durable call, end to end.
    let mut durable = Vec::with_capacity(rounds);
    for i in 0..rounds {
        let reference = format!("asset-{i}");
        let started = Instant::now();
        let txn = interlink_runtime::db::begin_write(&platform.db)
            .await
            .expect("begin");
        let id = jobs::enqueue(
            &txn,
            &NewJob {
                kind: "interlinker.clone".into(),
                reference: reference.clone(),
                method: "POST".into(),
                url: format!("{base}/assets/{}/clone", genesis.id),
                body: Some(format!(r#"{{"name":"Agreement {i}"}}"#)),
                idempotency_key: reference.clone(),
                subject: "ana".into(),
                audience: base.clone(),
            },
        )
        .await
        .expect("enqueue");
        txn.commit().await.expect("commit");
        waker.notify_one();
        let done = ends.recv().await.expect("a job ended");
        assert_eq!(done, reference);
        while jobs::get(&platform.db, id)
            .await
            .expect("get")
            .map(|j| j.state)
            != Some(JobState::Done)
        {
            tokio::task::yield_now().await;
        }
        durable.push(started.elapsed());
    }
    report("platform: durable clone call, commit to done", durable);
    assert_eq!(
        store::count(&documents_env.db).await.expect("count"),
        1 + 2 * rounds as i64,
        "every clone made once"
    );
    shutdown.cancel();
    let _ = running.await;
    documents_env.cleanup().await;
    platform.cleanup().await;
}
