//! Helpers for tests of the runtime and of services: a fresh database and bus
//! per test (a new PostgreSQL database and a JetStream stream with its own
//! subject root, or temporary SQLite files), so tests run in parallel. A test
//! that needs PostgreSQL or NATS fails when they are unreachable; it never
//! skips.

pub mod smtp;
pub mod webhook_receiver;

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement};
use sea_orm_migration::MigratorTrait;
use tokio_util::sync::CancellationToken;

use crate::config::{Config, DatabaseConfig, TestServices};
use crate::events::{
    Bus, Consumer, EmbeddedBus, EventHandler, JetStreamBus, Outbox, Relay, Subjects,
};

/// Which pair of database and bus a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL + NATS JetStream (cluster mode).
    Postgres,
    /// SQLite + the embedded bus (one-process mode).
    Embedded,
}

/// A database and a bus of a test's own.
#[derive(Debug)]
pub struct TestEnv {
    /// The backend pair.
    pub backend: Backend,
    /// The service database, migrated with the test's migrator.
    pub db: DatabaseConnection,
    /// The bus.
    pub bus: Bus,
    /// The configuration the test runs with (unique stream and subject root).
    pub config: Config,
    /// The subjects of this test.
    pub subjects: Subjects,
    database_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestEnv {
    /// A fresh environment on `backend`, its database migrated by `M`;
    /// `tune` adjusts the configuration first (batch sizes, retry delays).
    pub async fn new<M: MigratorTrait>(backend: Backend, tune: impl FnOnce(&mut Config)) -> Self {
        let services = TestServices::from_env();
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut config = Config {
            data_dir: dir.path().to_path_buf(),
            ..Config::default()
        };
        config.nats.url = services.nats_url.clone();
        config.nats.stream = format!("TEST_{unique}");
        config.nats.subject_root = format!("t{unique}");
        config.events.retry_initial_ms = 20;
        config.events.retry_max_ms = 500;
        config.events.relay_poll_ms = 200;
        tune(&mut config);

        let (db_url, database_name) = match backend {
            Backend::Postgres => {
                let (url, name) = create_postgres_database().await;
                (url, Some(name))
            }
            Backend::Embedded => (
                format!("sqlite://{}/service.db", dir.path().display()),
                None,
            ),
        };
        config.database.url = db_url.clone();
        let db = crate::db::connect(&db_url, &config.database)
            .await
            .expect("connect test database");
        crate::db::migrate::<M>(&db, "test")
            .await
            .expect("migrate test database");

        let bus = match backend {
            Backend::Postgres => Bus::JetStream(
                tokio::time::timeout(Duration::from_secs(10), JetStreamBus::connect(&config.nats))
                    .await
                    .unwrap_or_else(|_| {
                        panic!("NATS at {} is required (timed out)", config.nats.url)
                    })
                    .unwrap_or_else(|e| panic!("NATS at {} is required: {e}", config.nats.url)),
            ),
            Backend::Embedded => Bus::Embedded(
                EmbeddedBus::open(
                    &format!("sqlite://{}/bus.db", dir.path().display()),
                    &small_pool(),
                )
                .await
                .expect("open embedded bus"),
            ),
        };
        let subjects = Subjects::new(config.nats.subject_root.clone());
        Self {
            backend,
            db,
            bus,
            config,
            subjects,
            database_name,
            _dir: dir,
        }
    }

    /// An outbox publishing under this test's subjects.
    pub fn outbox(&self) -> Outbox {
        Outbox::new(self.subjects.clone())
    }

    /// A relay of this test's outbox.
    pub fn relay(&self, outbox: &Outbox) -> Relay {
        Relay::new(
            self.db.clone(),
            self.bus.clone(),
            outbox,
            self.config.events.clone(),
        )
    }

    /// A consumer `name` of every subject of this test, applying to its database.
    pub fn consumer<H: EventHandler>(&self, name: &str, handler: &Arc<H>) -> Consumer<H> {
        Consumer::new(
            name,
            self.subjects.all(),
            self.db.clone(),
            self.bus.clone(),
            Arc::clone(handler),
            self.config.events.clone(),
        )
    }

    /// Runs a relay of `outbox` and the consumer `name` until [`Pipeline::stop`].
    pub fn start_pipeline<H: EventHandler>(
        &self,
        outbox: &Outbox,
        name: &str,
        handler: &Arc<H>,
    ) -> Pipeline {
        let shutdown = CancellationToken::new();
        let relay = self.relay(outbox);
        let consumer = self.consumer(name, handler);
        let tasks = vec![
            tokio::spawn(relay.run(shutdown.clone())),
            tokio::spawn({
                let shutdown = shutdown.clone();
                async move { consumer.run(shutdown).await.expect("consumer runs") }
            }),
        ];
        Pipeline { shutdown, tasks }
    }

    /// How many messages the bus holds.
    pub async fn bus_message_count(&self) -> u64 {
        match &self.bus {
            Bus::JetStream(bus) => {
                let mut stream = bus
                    .context()
                    .get_stream(bus.stream_name())
                    .await
                    .expect("stream");
                stream.info().await.expect("stream info").state.messages
            }
            Bus::Embedded(bus) => count(bus.database(), "SELECT COUNT(*) AS n FROM bus_log").await,
        }
    }

    /// Whether consumer `name` has nothing delivered-but-unsettled and nothing
    /// waiting for it.
    pub async fn consumer_idle(&self, name: &str) -> bool {
        match &self.bus {
            Bus::JetStream(bus) => {
                let stream = bus
                    .context()
                    .get_stream(bus.stream_name())
                    .await
                    .expect("stream");
                let mut consumer: async_nats::jetstream::consumer::PullConsumer =
                    stream.get_consumer(name).await.expect("consumer");
                let info = consumer.info().await.expect("consumer info");
                info.num_ack_pending == 0 && info.num_pending == 0
            }
            Bus::Embedded(bus) => {
                let db = bus.database();
                let last = count(db, "SELECT COALESCE(MAX(seq), 0) AS n FROM bus_log").await;
                let row = db
                    .query_one_raw(Statement::from_sql_and_values(
                        DbBackend::Sqlite,
                        "SELECT cursor AS n FROM bus_consumer WHERE name = $1",
                        [name.into()],
                    ))
                    .await
                    .expect("cursor");
                let cursor = row
                    .map(|r| r.try_get::<i64>("", "n").expect("n"))
                    .unwrap_or(0) as u64;
                let waiting = count(db, "SELECT COUNT(*) AS n FROM bus_redelivery").await;
                cursor == last && waiting == 0
            }
        }
    }

    /// Drops the test's database and stream.
    pub async fn cleanup(self) {
        if let Bus::JetStream(bus) = &self.bus {
            bus.context().delete_stream(bus.stream_name()).await.ok();
        }
        self.db.close().await.ok();
        if let Some(name) = &self.database_name {
            drop_postgres_database(name).await;
        }
    }
}

/// Creates an empty PostgreSQL database of the test's own; returns its URL
/// and name. Panics (the test fails) when PostgreSQL is unreachable.
pub async fn create_postgres_database() -> (String, String) {
    let services = TestServices::from_env();
    let name = format!("interlink_test_{}", uuid::Uuid::new_v4().simple());
    let admin = crate::db::connect(&services.postgres_url, &small_pool())
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {} is required: {e}", services.postgres_url));
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    (replace_database(&services.postgres_url, &name), name)
}

/// Drops a database made by [`create_postgres_database`].
pub async fn drop_postgres_database(name: &str) {
    let services = TestServices::from_env();
    if let Ok(admin) = crate::db::connect(&services.postgres_url, &small_pool()).await {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
            .ok();
        admin.close().await.ok();
    }
}

/// A running relay and consumer.
#[derive(Debug)]
pub struct Pipeline {
    shutdown: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Pipeline {
    /// Stops both and waits for them (the relay flushes, the consumer
    /// settles its batch).
    pub async fn stop(self) {
        self.shutdown.cancel();
        for task in self.tasks {
            task.await.expect("task ends cleanly");
        }
    }
}

/// `SELECT … AS n` as a number.
pub async fn count(db: &impl ConnectionTrait, sql: &str) -> u64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .expect("count query");
    row.map(|r| r.try_get::<i64>("", "n").expect("n"))
        .unwrap_or(0) as u64
}

/// Polls `condition` every 20 ms until it holds; panics after `timeout`.
pub async fn wait_until<F, Fut>(what: &str, timeout: Duration, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if condition().await {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn small_pool() -> DatabaseConfig {
    DatabaseConfig {
        max_connections: 2,
        min_connections: 0,
        ..DatabaseConfig::default()
    }
}

fn replace_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{database}?{q}"),
        None => format!("{server}/{database}"),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_of_a_url() {
        assert_eq!(
            super::replace_database("postgres://postgres@127.0.0.1:5432/postgres", "x"),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            super::replace_database("postgres://u:p@h/db?sslmode=disable", "x"),
            "postgres://u:p@h/x?sslmode=disable"
        );
    }
}

/// A `nats-server` of the test's own, on a free loopback port with its own
/// store, that the test can kill and start again.
#[derive(Debug)]
pub struct NatsProcess {
    port: u16,
    store: tempfile::TempDir,
    child: Option<tokio::process::Child>,
}

impl NatsProcess {
    /// Starts a JetStream-enabled server and waits until it accepts connections.
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let mut process = Self {
            port,
            store: tempfile::tempdir().expect("store dir"),
            child: None,
        };
        process.restart().await;
        process
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Kills the server with SIGKILL.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.ok();
        }
    }

    /// Starts the server again on the same port and store.
    pub async fn restart(&mut self) {
        self.kill().await;
        let services = TestServices::from_env();
        let child = tokio::process::Command::new(&services.nats_server_bin)
            .args([
                "-a",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-js",
                "-sd",
            ])
            .arg(self.store.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{} is required: {e}", services.nats_server_bin));
        self.child = Some(child);
        let address = format!("127.0.0.1:{}", self.port);
        wait_until(
            "nats-server to accept connections",
            Duration::from_secs(10),
            || async { tokio::net::TcpStream::connect(&address).await.is_ok() },
        )
        .await;
    }
}

/// A service under test: its [`TestEnv`], served over gRPC on 127.0.0.1:0
/// with real authentication (tokens from a dev signer of its own).
#[derive(Debug)]
pub struct TestServer {
    /// The environment the service runs on.
    pub env: TestEnv,
    /// A connected channel to the server.
    pub channel: tonic::transport::Channel,
    signer: crate::auth::DevSigner,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Serves what `routes` builds on `env` (health reporting `service`).
    pub async fn start(
        env: TestEnv,
        service: &str,
        routes: impl FnOnce(&TestEnv) -> tonic::service::RoutesBuilder,
    ) -> Self {
        Self::start_services(env, &[service], routes).await
    }

    /// Serves what `routes` builds on `env`: `services` (fully-qualified
    /// names), each reported healthy and keeping its calls' idempotency
    /// keys in `env`'s database.
    pub async fn start_services(
        env: TestEnv,
        services: &[&str],
        routes: impl FnOnce(&TestEnv) -> tonic::service::RoutesBuilder,
    ) -> Self {
        let services: Vec<String> = services.iter().map(|s| (*s).to_owned()).collect();
        let dir = tempfile::tempdir().expect("dir");
        let signer = crate::auth::DevSigner::load_or_create(dir.path()).expect("signer");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let routes = routes(&env);
        let shutdown = CancellationToken::new();
        let options = crate::grpc::ServeOptions {
            config: crate::config::GrpcConfig::default(),
            authenticator: Arc::new(signer.authenticator(&env.config.auth)),
            health_services: services.clone(),
            extra_descriptor_sets: Vec::new(),
            idempotency: {
                let keys = crate::idempotency::Idempotency::default();
                keys.register(&services, &env.db);
                keys
            },
        };
        tokio::spawn({
            let shutdown = shutdown.clone();
            async move {
                crate::grpc::serve(listener, routes, options, shutdown)
                    .await
                    .expect("serve")
            }
        });
        let channel = tonic::transport::Channel::from_shared(url)
            .expect("url")
            .connect()
            .await
            .expect("connect");
        Self {
            env,
            channel,
            signer,
            shutdown,
            _dir: dir,
        }
    }

    /// A token for `subject`, a platform administrator when `admin`.
    pub fn token(&self, subject: &str, admin: bool) -> String {
        self.signer
            .mint(
                &crate::auth::DevTokenRequest {
                    subject: subject.into(),
                    name: Some(format!("{subject} name")),
                    email: Some(format!("{subject}@example.org")),
                    admin,
                    ttl: Duration::from_secs(600),
                },
                &self.env.config.auth.audience,
                &self.env.config.auth.admin_claim,
            )
            .expect("token")
    }

    /// The events in the outbox, in order (no relay runs unless the test
    /// starts one).
    pub async fn outbox_events(&self) -> Vec<interlink_proto::events::v1::Event> {
        outbox_events(&self.env.db).await
    }

    /// Stops the server and drops the test's database and stream.
    pub async fn stop(self) {
        self.shutdown.cancel();
        self.env.cleanup().await;
    }
}

/// `message` with `token` as its bearer token.
pub fn with_token<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    request
}

/// The fields named by an INVALID_ARGUMENT's BadRequest details; panics on
/// any other status.
pub fn violated_fields(status: &tonic::Status) -> Vec<String> {
    use tonic_types::StatusExt;
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    status
        .get_error_details()
        .bad_request()
        .expect("field violations")
        .field_violations
        .iter()
        .map(|v| v.field.clone())
        .collect()
}

/// Declares each named `async fn(Backend)` as two tests: on PostgreSQL +
/// NATS (`postgres::name`) and on SQLite + the embedded bus (`sqlite::name`).
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::testing::Backend::Postgres).await })*
        }
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() { super::$name($crate::testing::Backend::Embedded).await })*
        }
    };
}

/// The events in `db`'s outbox, in order.
pub async fn outbox_events(db: &DatabaseConnection) -> Vec<interlink_proto::events::v1::Event> {
    use prost::Message;
    db.query_all_raw(Statement::from_string(
        db.get_database_backend(),
        "SELECT payload FROM interlink_outbox ORDER BY seq",
    ))
    .await
    .expect("outbox")
    .into_iter()
    .map(|r| {
        let bytes: Vec<u8> = r.try_get("", "payload").expect("payload");
        interlink_proto::events::v1::Event::decode(bytes.as_slice()).expect("event")
    })
    .collect()
}
