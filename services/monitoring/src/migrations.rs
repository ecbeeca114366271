//! The monitoring database's migrations.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Every migration of the monitoring database, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(TrailAndKpis),
            Box::new(Parked),
            Box::new(Redaction),
            Box::new(OrderFreeProjections),
            Box::new(interlink_runtime::events::IdempotencyMigration),
            Box::new(interlink_runtime::events::IdempotencyDigestMigration),
        ]
    }
}

struct TrailAndKpis;

impl MigrationName for TrailAndKpis {
    fn name(&self) -> &str {
        "m0001_trail_and_kpis"
    }
}

// `audit` keeps every event once, encoded, with its place in its
// organisation's hash chain (`organization_id` '' for platform events).
// The `m_*` tables are what the KPIs need to remember about teams,
// memberships and processes; `settings` holds the pseudonym salt.
const COMMON: &str = r#"
CREATE INDEX audit_by_organization ON audit (organization_id, seq);
CREATE INDEX audit_by_process ON audit (process_id, seq);
CREATE INDEX audit_by_actor ON audit (actor_pseudonym, seq);
CREATE TABLE chain_heads (
    organization_id TEXT PRIMARY KEY,
    hash            TEXT NOT NULL,
    length          BIGINT NOT NULL
);
CREATE TABLE kpi_daily (
    scope     TEXT NOT NULL,
    kpi       TEXT NOT NULL,
    dimension TEXT NOT NULL,
    day       TEXT NOT NULL,
    delta     BIGINT NOT NULL,
    PRIMARY KEY (scope, kpi, dimension, day)
);
CREATE TABLE process_activity (
    process_id      TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    actor_pseudonym TEXT NOT NULL,
    last_seen       BIGINT NOT NULL,
    PRIMARY KEY (process_id, actor_pseudonym)
);
CREATE TABLE m_teams (
    team_id         TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    team_type       TEXT NOT NULL
);
CREATE TABLE m_members (
    team_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    PRIMARY KEY (team_id, subject)
);
CREATE TABLE m_processes (
    process_id      TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    schema_id       TEXT NOT NULL,
    co_delivered    BOOLEAN NOT NULL
);
CREATE TABLE m_organization_administrators (
    organization_id TEXT NOT NULL,
    subject         TEXT NOT NULL,
    PRIMARY KEY (organization_id, subject)
);
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
"#;

const POSTGRES_AUDIT: &str = r#"
CREATE TABLE audit (
    seq               BIGSERIAL PRIMARY KEY,
    event_id          TEXT NOT NULL UNIQUE,
    type              TEXT NOT NULL,
    occurred_at       BIGINT NOT NULL,
    actor             TEXT,
    actor_pseudonym   TEXT NOT NULL,
    organization_id   TEXT NOT NULL,
    process_id        TEXT NOT NULL,
    aggregate_id      TEXT NOT NULL,
    aggregate_version BIGINT NOT NULL,
    event             BYTEA,
    event_digest      TEXT NOT NULL,
    hash              TEXT NOT NULL
)
"#;

const SQLITE_AUDIT: &str = r#"
CREATE TABLE audit (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id          TEXT NOT NULL UNIQUE,
    type              TEXT NOT NULL,
    occurred_at       INTEGER NOT NULL,
    actor             TEXT,
    actor_pseudonym   TEXT NOT NULL,
    organization_id   TEXT NOT NULL,
    process_id        TEXT NOT NULL,
    aggregate_id      TEXT NOT NULL,
    aggregate_version INTEGER NOT NULL,
    event             BLOB,
    event_digest      TEXT NOT NULL,
    hash              TEXT NOT NULL
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for TrailAndKpis {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let audit = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES_AUDIT,
            _ => SQLITE_AUDIT,
        };
        interlink_runtime::db::execute_script(db, audit).await?;
        interlink_runtime::db::execute_script(db, COMMON).await?;
        // A random salt per deployment: pseudonyms cannot be recomputed
        // from a guessed subject without the database.
        use rand::Rng;
        let salt: String = (0..32)
            .map(|_| format!("{:02x}", rand::thread_rng().r#gen::<u8>()))
            .collect();
        interlink_runtime::db::run(
            db,
            "INSERT INTO settings (name, value) VALUES ('pseudonym_salt', $1)",
            [salt.into()],
        )
        .await?;
        Ok(())
    }
}

struct Parked;

impl MigrationName for Parked {
    fn name(&self) -> &str {
        "m0002_parked_events"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Parked {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(
            manager.get_connection(),
            r#"
CREATE TABLE parked (
    consumer   TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    event_type TEXT NOT NULL,
    error      TEXT NOT NULL,
    deliveries BIGINT NOT NULL,
    parked_at  BIGINT NOT NULL,
    PRIMARY KEY (consumer, event_id)
)
"#,
        )
        .await
    }
}

struct Redaction;

impl MigrationName for Redaction {
    fn name(&self) -> &str {
        "m0003_redaction"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Redaction {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER TABLE audit ADD COLUMN redacted BOOLEAN NOT NULL DEFAULT FALSE",
            )
            .await?;
        Ok(())
    }
}

/// The teams and processes monitoring remembers record which of their facts
/// were seen (created, deleted, the schema's version), so the KPIs do not
/// depend on the order a redelivery brings events in.
struct OrderFreeProjections;

impl MigrationName for OrderFreeProjections {
    fn name(&self) -> &str {
        "m0004_order_free_projections"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for OrderFreeProjections {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(
            manager.get_connection(),
            r#"
ALTER TABLE m_teams ADD COLUMN created BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE m_teams ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE m_processes ADD COLUMN created BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE m_processes ADD COLUMN deleted BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE m_processes ADD COLUMN schema_version BIGINT NOT NULL DEFAULT 0;
"#,
        )
        .await
    }
}
