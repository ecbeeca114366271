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
