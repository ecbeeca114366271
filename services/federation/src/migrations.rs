//! The federation database's migrations.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Every migration of the federation database, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(interlink_runtime::events::IdempotencyMigration),
            Box::new(interlink_runtime::events::IdempotencyDigestMigration),
            Box::new(KeysAndFeed),
            Box::new(interlink_runtime::jobs::JobsMigration),
            Box::new(Peers),
            Box::new(Genesis),
        ]
    }
}

struct KeysAndFeed;

impl MigrationName for KeysAndFeed {
    fn name(&self) -> &str {
        "m0001_keys_and_feed"
    }
}

// `signing_keys`: the deployment's keys, the current one with no
// `retired_at`. `feed_entries`: one row per shared thing at its newest
// version; a change deletes the row and inserts it again, so `seq` orders
// the feed by last change. `body_hash` spots changes that change nothing
// shared.
const TABLES: &str = r#"
CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    private_pem TEXT NOT NULL,
    x           TEXT NOT NULL,
    y           TEXT NOT NULL,
    endorsement TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    retired_at  BIGINT
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for KeysAndFeed {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let seq = match db.get_database_backend() {
            DbBackend::Postgres => "seq BIGSERIAL PRIMARY KEY",
            _ => "seq INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE feed_entries ({seq}, \
                name       TEXT NOT NULL UNIQUE, \
                kind       TEXT NOT NULL, \
                version    BIGINT NOT NULL, \
                withdrawn  BOOLEAN NOT NULL, \
                body_hash  TEXT NOT NULL, \
                jws        TEXT NOT NULL, \
                updated_at BIGINT NOT NULL)"
        ))
        .await?;
        interlink_runtime::db::execute_script(db, TABLES).await
    }
}

struct Peers;

impl MigrationName for Peers {
    fn name(&self) -> &str {
        "m0002_peers"
    }
}

// `peers`: the deployments this one subscribes to, with where each read
// stands (`job_id` names the current link of its chain of jobs).
// `mirrors`: the newest version seen of each of their entries, so a
// replayed older one is ignored. `refused_entries`: what was refused, why.
const PEER_TABLES: &str = r#"
CREATE TABLE peers (
    id                  TEXT PRIMARY KEY,
    display_name        TEXT NOT NULL,
    feed_url            TEXT NOT NULL UNIQUE,
    pinned_keys         TEXT NOT NULL,
    trusted_keys        TEXT NOT NULL,
    issuer              TEXT NOT NULL,
    origin_display_name TEXT NOT NULL,
    paused              BOOLEAN NOT NULL,
    cursor              TEXT NOT NULL,
    job_id              TEXT NOT NULL,
    last_sync_at        BIGINT,
    last_error          TEXT NOT NULL,
    last_error_at       BIGINT,
    keys_checked_at     BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE TABLE mirrors (
    peer_id    TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    version    BIGINT NOT NULL,
    withdrawn  BOOLEAN NOT NULL,
    signature  TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (peer_id, name)
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Peers {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let seq = match db.get_database_backend() {
            DbBackend::Postgres => "seq BIGSERIAL PRIMARY KEY",
            _ => "seq INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        interlink_runtime::db::execute_script(db, PEER_TABLES).await?;
        db.execute_unprepared(&format!(
            "CREATE TABLE refused_entries ({seq}, \
                peer_id    TEXT NOT NULL, \
                entry_seq  BIGINT NOT NULL, \
                entry_name TEXT NOT NULL, \
                reason     TEXT NOT NULL, \
                refused_at BIGINT NOT NULL)"
        ))
        .await?;
        db.execute_unprepared(
            "CREATE INDEX refused_entries_by_peer ON refused_entries (peer_id, seq)",
        )
        .await?;
        Ok(())
    }
}

struct Genesis;

impl MigrationName for Genesis {
    fn name(&self) -> &str {
        "m0003_genesis"
    }
}

// `genesis_software`: software interlinkers' endpoints, and whether they
// download (from the catalogue's events). `genesis_sources`: the genesis
// assets of shared knowledge interlinkers, one per entry of the feed they
// become, with the newest download's job and the last one's error.
const GENESIS_TABLES: &str = r#"
CREATE TABLE genesis_software (
    name     TEXT PRIMARY KEY,
    endpoint TEXT NOT NULL,
    download BOOLEAN NOT NULL
);
CREATE TABLE genesis_sources (
    entry       TEXT PRIMARY KEY,
    interlinker TEXT NOT NULL,
    language    TEXT NOT NULL,
    uri         TEXT NOT NULL,
    software    TEXT NOT NULL,
    error       TEXT NOT NULL,
    job_id      TEXT NOT NULL
);
CREATE INDEX genesis_sources_by_interlinker ON genesis_sources (interlinker);
CREATE INDEX genesis_sources_by_software ON genesis_sources (software)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Genesis {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), GENESIS_TABLES).await
    }
}
