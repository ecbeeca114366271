//! Tables of the event plumbing. `interlink_outbox`, `interlink_inbox` and
//! `interlink_parked` live in every service's own database (each service puts
//! [`EventTablesMigration`] first in its migrator); the embedded bus keeps its
//! log in a database of its own ([`BusMigrator`]).

use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use crate::db::execute_script;
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Runs `postgres` or `sqlite`, whichever the migrated database is.
async fn per_backend(
    manager: &SchemaManager<'_>,
    postgres: &str,
    sqlite: &str,
) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => postgres,
        DbBackend::Sqlite => sqlite,
        other => return Err(DbErr::Custom(format!("unsupported database {other:?}"))),
    };
    execute_script(db, sql).await
}

/// Creates the outbox, inbox and parked-event tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct EventTablesMigration;

impl MigrationName for EventTablesMigration {
    fn name(&self) -> &str {
        "m0000_interlink_event_tables"
    }
}

const POSTGRES_EVENT_TABLES: &str = r#"
CREATE TABLE interlink_outbox (
    seq         BIGSERIAL PRIMARY KEY,
    event_id    TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL,
    traceparent TEXT,
    payload     BYTEA NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE interlink_inbox (
    consumer   TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    handled_at BIGINT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
CREATE TABLE interlink_parked (
    consumer    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    traceparent TEXT,
    payload     BYTEA NOT NULL,
    error       TEXT NOT NULL,
    deliveries  BIGINT NOT NULL,
    parked_at   BIGINT NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
"#;

// AUTOINCREMENT: sequence numbers are never reused after rows are deleted.
const SQLITE_EVENT_TABLES: &str = r#"
CREATE TABLE interlink_outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL,
    traceparent TEXT,
    payload     BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE TABLE interlink_inbox (
    consumer   TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    handled_at INTEGER NOT NULL,
    PRIMARY KEY (consumer, event_id)
) WITHOUT ROWID;
CREATE TABLE interlink_parked (
    consumer    TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    traceparent TEXT,
    payload     BLOB NOT NULL,
    error       TEXT NOT NULL,
    deliveries  INTEGER NOT NULL,
    parked_at   INTEGER NOT NULL,
    PRIMARY KEY (consumer, event_id)
);
"#;

#[async_trait::async_trait]
impl MigrationTrait for EventTablesMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        per_backend(manager, POSTGRES_EVENT_TABLES, SQLITE_EVENT_TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        execute_script(
            manager.get_connection(),
            "DROP TABLE interlink_parked; DROP TABLE interlink_inbox; DROP TABLE interlink_outbox;",
        )
        .await
    }
}

/// Creates `interlink_idempotency`, the keys of changing calls and their
/// answers (see [`crate::idempotency`]); every service lists it in its
/// migrator after its own migrations.
#[derive(Debug, Clone, Copy, Default)]
pub struct IdempotencyMigration;

impl MigrationName for IdempotencyMigration {
    fn name(&self) -> &str {
        "m0001_interlink_idempotency"
    }
}

const POSTGRES_IDEMPOTENCY: &str = r#"
CREATE TABLE interlink_idempotency (
    subject         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    method          TEXT NOT NULL,
    answer          BYTEA,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (subject, idempotency_key)
);
CREATE INDEX interlink_idempotency_created ON interlink_idempotency (created_at);
"#;

const SQLITE_IDEMPOTENCY: &str = r#"
CREATE TABLE interlink_idempotency (
    subject         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    method          TEXT NOT NULL,
    answer          BLOB,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (subject, idempotency_key)
);
CREATE INDEX interlink_idempotency_created ON interlink_idempotency (created_at);
"#;

#[async_trait::async_trait]
impl MigrationTrait for IdempotencyMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        per_backend(manager, POSTGRES_IDEMPOTENCY, SQLITE_IDEMPOTENCY).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        execute_script(
            manager.get_connection(),
            "DROP TABLE interlink_idempotency;",
        )
        .await
    }
}

/// Adds the digest of the request to each idempotency key, so a key reused
/// with another request is refused (listed after [`IdempotencyMigration`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct IdempotencyDigestMigration;

impl MigrationName for IdempotencyDigestMigration {
    fn name(&self) -> &str {
        "m0002_interlink_idempotency_digest"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for IdempotencyDigestMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        execute_script(
            manager.get_connection(),
            "ALTER TABLE interlink_idempotency ADD COLUMN request_digest TEXT NOT NULL DEFAULT ''",
        )
        .await
    }
}

/// The migrator of a database that holds only the event tables (used by the
/// runtime's own tests and benchmarks; services list [`EventTablesMigration`]
/// in theirs).
#[derive(Debug, Clone, Copy, Default)]
pub struct EventTablesMigrator;

impl MigratorTrait for EventTablesMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(EventTablesMigration),
            Box::new(IdempotencyMigration),
            Box::new(IdempotencyDigestMigration),
        ]
    }
}

/// Creates the embedded bus's log, consumer cursors and pending redeliveries.
#[derive(Debug, Clone, Copy, Default)]
pub struct BusLogMigration;

impl MigrationName for BusLogMigration {
    fn name(&self) -> &str {
        "m0000_interlink_bus_log"
    }
}

const SQLITE_BUS_TABLES: &str = r#"
CREATE TABLE bus_log (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    msg_id      TEXT NOT NULL UNIQUE,
    subject     TEXT NOT NULL,
    traceparent TEXT,
    payload     BLOB NOT NULL,
    stored_at   INTEGER NOT NULL
);
CREATE TABLE bus_consumer (
    name   TEXT PRIMARY KEY,
    filter TEXT NOT NULL,
    cursor INTEGER NOT NULL
);
CREATE TABLE bus_redelivery (
    consumer   TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    deliveries INTEGER NOT NULL,
    due_at     INTEGER NOT NULL,
    PRIMARY KEY (consumer, seq)
);
"#;

#[async_trait::async_trait]
impl MigrationTrait for BusLogMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        execute_script(manager.get_connection(), SQLITE_BUS_TABLES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        execute_script(
            manager.get_connection(),
            "DROP TABLE bus_redelivery; DROP TABLE bus_consumer; DROP TABLE bus_log;",
        )
        .await
    }
}

/// The migrator of the embedded bus's database.
#[derive(Debug, Clone, Copy, Default)]
pub struct BusMigrator;

impl MigratorTrait for BusMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(BusLogMigration)]
    }
}
