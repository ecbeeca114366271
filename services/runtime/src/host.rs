//! Hosting roles. A role is one service of the mesh; the `interlink` binary
//! runs one of them against PostgreSQL and NATS (`serve <role>`) or all of
//! them in one process on SQLite and the embedded bus (`up`). Either way a
//! role gets the same [`RoleContext`] (its database, the bus, its outbox, a
//! shutdown token and a task tracker) and mounts its gRPC services and
//! consumers the same way.

use std::sync::Arc;

use futures::future::BoxFuture;
use sea_orm::{DatabaseConnection, DbErr};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tonic::service::RoutesBuilder;

use crate::auth::Authenticator;
use crate::config::Config;
use crate::events::{Bus, Outbox, Relay, Subjects};
use crate::idempotency::Idempotency;

/// One service of the mesh, as the binary hosts it.
pub trait Role: Send + Sync + 'static {
    /// The role's name: `community`, `catalogue` … It names the SQLite file
    /// in embedded mode and prefixes the role's consumer names.
    fn name(&self) -> &'static str;

    /// Whether the role keeps a database (and so an outbox and a relay).
    fn has_database(&self) -> bool;

    /// Applies the role's migrations (its migrator lists
    /// [`crate::events::EventTablesMigration`] first).
    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>>;

    /// Adds the role's gRPC services to `routes`, spawns its consumers on
    /// `context.tasks` and returns the fully-qualified names of its gRPC
    /// services (for health).
    fn start<'a>(
        &'a self,
        context: RoleContext,
        routes: &'a mut RoutesBuilder,
    ) -> BoxFuture<'a, anyhow::Result<Vec<String>>>;
}

/// What a running role is given.
#[derive(Debug, Clone)]
pub struct RoleContext {
    /// The role's database, when it has one.
    pub db: Option<DatabaseConnection>,
    /// The bus of the mesh.
    pub bus: Bus,
    /// The role's outbox (its relay runs already).
    pub outbox: Outbox,
    /// The whole configuration.
    pub config: Config,
    /// Verifies bearer tokens.
    pub authenticator: Arc<Authenticator>,
    /// Fires when the role's background work must stop: after the gRPC
    /// server has drained, so events committed by the last calls still go
    /// out before the relay's final flush.
    pub shutdown: CancellationToken,
    /// Spawn long-running work here: the host waits for it on shutdown.
    pub tasks: TaskTracker,
}

impl RoleContext {
    /// The subjects of the mesh.
    pub fn subjects(&self) -> &Subjects {
        self.outbox.subjects()
    }
}

/// What every role of one process shares: the bus, the configuration, the
/// authenticator, the shutdown token and the roles' background tasks.
#[derive(Debug, Clone)]
pub struct Host {
    /// The bus of the mesh.
    pub bus: Bus,
    /// The whole configuration.
    pub config: Config,
    /// Verifies bearer tokens.
    pub authenticator: Arc<Authenticator>,
    /// Fires when the process is asked to stop (the servers drain on it).
    pub shutdown: CancellationToken,
    /// Where each started role's services keep their idempotency keys: give
    /// it to the gRPC server ([`crate::grpc::ServeOptions`]).
    pub idempotency: Idempotency,
    /// Stops the roles' background tasks; fired by [`Host::drain`].
    tasks_shutdown: CancellationToken,
    tasks: TaskTracker,
}

impl Host {
    /// A host for roles sharing `bus`, stopping on `shutdown`.
    pub fn new(
        bus: Bus,
        config: Config,
        authenticator: Arc<Authenticator>,
        shutdown: CancellationToken,
    ) -> Self {
        Self {
            bus,
            config,
            authenticator,
            shutdown,
            idempotency: Idempotency::default(),
            tasks_shutdown: CancellationToken::new(),
            tasks: TaskTracker::new(),
        }
    }

    /// Starts `role` on `db`: spawns its relay (when it has a database), then
    /// lets it mount its services on `routes` and spawn its consumers, and
    /// registers their idempotency keys in `db` (pruned hourly).
    /// Returns the names of its gRPC services.
    pub async fn start(
        &self,
        role: &dyn Role,
        db: Option<DatabaseConnection>,
        routes: &mut RoutesBuilder,
    ) -> anyhow::Result<Vec<String>> {
        let outbox = Outbox::new(Subjects::new(self.config.nats.subject_root.clone()));
        if let Some(db) = &db {
            let relay = Relay::new(
                db.clone(),
                self.bus.clone(),
                &outbox,
                self.config.events.clone(),
            )
            .named(role.name());
            self.tasks.spawn(relay.run(self.tasks_shutdown.clone()));
        }
        let keys = db.clone();
        let context = RoleContext {
            db,
            bus: self.bus.clone(),
            outbox,
            config: self.config.clone(),
            authenticator: Arc::clone(&self.authenticator),
            shutdown: self.tasks_shutdown.clone(),
            tasks: self.tasks.clone(),
        };
        let services = role.start(context, routes).await?;
        if let Some(db) = keys {
            self.idempotency.register(&services, &db);
            self.tasks
                .spawn(prune_keys(db, role.name(), self.tasks_shutdown.clone()));
        }
        Ok(services)
    }

    /// Stops the roles' background tasks and waits for them (relays flush,
    /// consumers settle their batch). Call it once the servers have drained.
    pub async fn drain(&self) {
        self.tasks_shutdown.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}

/// Deletes expired idempotency keys of `role` at start and every hour.
async fn prune_keys(db: DatabaseConnection, role: &'static str, shutdown: CancellationToken) {
    loop {
        match crate::idempotency::prune(&db).await {
            Ok(0) => {}
            Ok(n) => tracing::debug!(role, keys = n, "expired idempotency keys deleted"),
            Err(e) => tracing::warn!(role, error = %e, "pruning idempotency keys failed"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(std::time::Duration::from_secs(3600)) => {}
        }
    }
}
