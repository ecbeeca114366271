//! The documents database's migrations.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Every migration of the documents database, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(Documents),
            // The host's tables for every role with a database (its
            // idempotency keys are pruned whether or not calls use them).
            Box::new(interlink_runtime::events::IdempotencyMigration),
            Box::new(interlink_runtime::events::IdempotencyDigestMigration),
        ]
    }
}

struct Documents;

impl MigrationName for Documents {
    fn name(&self) -> &str {
        "m0001_documents"
    }
}

// A document's current state sits in `documents`; every save adds a row to
// `revisions` (the first one included), so history and restore need no
// diffing. `clones` remembers which clone an idempotency key made, so a
// retried clone answers the first one's copy instead of making another.
// Times are milliseconds since the epoch.
const TABLES: &str = r#"
CREATE TABLE documents (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    language   TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    revisions  BIGINT NOT NULL
);
CREATE TABLE revisions (
    document_id   TEXT NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    number        BIGINT NOT NULL,
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    author        TEXT NOT NULL,
    author_name   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    restored_from BIGINT,
    PRIMARY KEY (document_id, number)
);
CREATE TABLE clones (
    source_id       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    clone_id        TEXT NOT NULL,
    PRIMARY KEY (source_id, idempotency_key)
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Documents {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        interlink_runtime::db::execute_script(db, TABLES).await?;
        interlink_runtime::db::execute_script(db, interlink_interlinker_http::SETTINGS_TABLE).await
    }
}
