//! The platform's durable jobs against the real documents interlinker,
//! killed mid-way and brought back: every clone finishes, none is lost and
//! none is made twice (the remote documents are counted).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use interlink_documents::{Documents, Migrator, store};
use interlink_runtime::auth::DevSigner;
use interlink_runtime::config::AuthConfig;
use interlink_runtime::jobs::{self, Job, JobHandler, JobState, JobsConfig, NewJob, Worker};
use interlink_runtime::testing::{Backend, TestEnv};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use sea_orm_migration::{MigrationTrait, MigratorTrait};

/// The platform's side: a database with its jobs.
struct PlatformMigrator;

impl MigratorTrait for PlatformMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(jobs::JobsMigration),
        ]
    }
}

struct Nothing;

impl JobHandler for Nothing {
    async fn succeeded(
        &self,
        _: &DatabaseTransaction,
        _: &Job,
        _: u16,
        _: &str,
    ) -> anyhow::Result<()> {
        Ok(())
    }

    async fn failed(&self, _: &DatabaseTransaction, _: &Job, _: &str) -> anyhow::Result<()> {
        Ok(())
    }
}

/// The documents interlinker on `listener`, until the handle is aborted.
fn serve_documents(
    db: DatabaseConnection,
    signer: &DevSigner,
    listener: tokio::net::TcpListener,
    base: &str,
) -> tokio::task::JoinHandle<()> {
    let auth = AuthConfig {
        audience: base.to_owned(),
        ..AuthConfig::default()
    };
    let documents = Documents::new(
        db,
        Arc::new(signer.authenticator(&auth)),
        &[9u8; 64],
        base.to_owned(),
        "http://platform.example".into(),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, documents.router()).await;
    })
}

async fn clones_survive_the_interlinker_going_away(backend: Backend) {
    let documents_env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let platform = TestEnv::new::<PlatformMigrator>(backend, |_| {}).await;
    let dir = tempfile::tempdir().expect("dir");
    let signer = Arc::new(DevSigner::load_or_create(dir.path()).expect("signer"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("addr");
    let base = format!("http://{address}");
    let mut server = serve_documents(documents_env.db.clone(), &signer, listener, &base);

    // The genesis document, and one clone job per task that uses it.
    let genesis = store::create(
        &documents_env.db,
        "Stakeholder map".into(),
        "# Who is involved\n".into(),
        "en".into(),
        &store::Author {
            subject: "editor".into(),
            name: "Editor".into(),
        },
    )
    .await
    .expect("genesis");
    const CLONES: usize = 40;
    let txn = interlink_runtime::db::begin_write(&platform.db)
        .await
        .expect("begin");
    for i in 0..CLONES {
        jobs::enqueue(
            &txn,
            &NewJob {
                kind: "interlinker.clone".into(),
                reference: format!("asset-{i}"),
                method: "POST".into(),
                url: format!("{base}/assets/{}/clone", genesis.id),
                body: Some(format!(r#"{{"name":"Stakeholder map {i}"}}"#)),
                idempotency_key: format!("asset-{i}"),
                subject: "ana".into(),
                audience: base.clone(),
            },
        )
        .await
        .expect("enqueue");
    }
    txn.commit().await.expect("commit");

    let tokens = jobs::signed_by(
        Arc::clone(&signer),
        "interlink_admin".into(),
        Duration::from_secs(300),
    );
    let config = JobsConfig {
        poll: Duration::from_millis(20),
        retry_initial: Duration::from_millis(20),
        retry_max: Duration::from_millis(100),
        max_attempts: 1_000,
        timeout: Duration::from_secs(2),
        concurrency: 4,
    };
    let worker =
        Worker::new(platform.db.clone(), Arc::new(Nothing), tokens, config).expect("worker");
    let shutdown = tokio_util::sync::CancellationToken::new();
    let running = tokio::spawn(worker.run(shutdown.clone()));

    // Kill the interlinker once some clones are made, keep it away a while,
    // then bring it back on its address with its database.
    interlink_runtime::testing::wait_until("a few clones", Duration::from_secs(20), || async {
        jobs::count(&platform.db, JobState::Done)
            .await
            .expect("count")
            >= 5
    })
    .await;
    server.abort();
    let _ = server.await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pending = jobs::count(&platform.db, JobState::Pending)
        .await
        .expect("count");
    assert!(
        pending > 0,
        "the interlinker went away with clones still to make"
    );
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .expect("rebind");
    server = serve_documents(documents_env.db.clone(), &signer, listener, &base);

    interlink_runtime::testing::wait_until("every clone", Duration::from_secs(60), || async {
        jobs::count(&platform.db, JobState::Done)
            .await
            .expect("count")
            == CLONES as i64
    })
    .await;
    shutdown.cancel();
    running.await.expect("worker");
    server.abort();

    // None lost, none doubled: one copy per job, and the genesis.
    assert_eq!(
        store::count(&documents_env.db).await.expect("count"),
        CLONES as i64 + 1
    );
    let mut copies = HashSet::new();
    for i in 0..CLONES {
        let job = &jobs::for_reference(&platform.db, &format!("asset-{i}"))
            .await
            .expect("jobs")[0];
        let answer: serde_json::Value =
            serde_json::from_str(job.result.as_deref().expect("answer")).expect("json");
        assert_eq!(answer["name"], format!("Stakeholder map {i}"));
        copies.insert(answer["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(copies.len(), CLONES);
    assert_eq!(
        jobs::count(&platform.db, JobState::Failed)
            .await
            .expect("count"),
        0
    );
    documents_env.cleanup().await;
    platform.cleanup().await;
}

#[tokio::test]
async fn clones_survive_the_interlinker_going_away_on_sqlite() {
    clones_survive_the_interlinker_going_away(Backend::Embedded).await;
}

#[tokio::test]
async fn clones_survive_the_interlinker_going_away_on_postgres() {
    clones_survive_the_interlinker_going_away(Backend::Postgres).await;
}
