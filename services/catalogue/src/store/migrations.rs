//! The catalogue database's migrations.

use sea_orm::{ConnectionTrait, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Every migration of the catalogue database, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(Catalogue),
            Box::new(interlink_runtime::events::IdempotencyMigration),
            Box::new(interlink_runtime::events::IdempotencyDigestMigration),
            Box::new(SchemaSharing),
            Box::new(GenesisDocuments),
        ]
    }
}

struct Catalogue;

impl MigrationName for Catalogue {
    fn name(&self) -> &str {
        "m0001_catalogue"
    }
}

// Types both databases accept as written; times are Unix milliseconds,
// translatable texts and an interlinker's editable fields JSON documents.
// `catalogue_revision` is one counter row: every write takes the next value
// under the row's lock, so revisions commit in order and a search index can
// follow the table with `revision > last seen`.
const TABLES: &str = r#"
CREATE TABLE catalogue_revision (
    id    INTEGER PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO catalogue_revision (id, value) VALUES (1, 0);
CREATE TABLE interlinkers (
    id             TEXT PRIMARY KEY,
    nature         TEXT NOT NULL,
    state          TEXT NOT NULL,
    owner          TEXT NOT NULL,
    fields         TEXT NOT NULL,
    rating_sum     BIGINT NOT NULL,
    rating_count   BIGINT NOT NULL,
    adoption_count BIGINT NOT NULL,
    revision       BIGINT NOT NULL,
    version        BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    published_at   BIGINT
);
CREATE INDEX interlinkers_by_state ON interlinkers (state, id);
CREATE INDEX interlinkers_by_revision ON interlinkers (revision);
CREATE TABLE ratings (
    id             TEXT PRIMARY KEY,
    interlinker_id TEXT NOT NULL REFERENCES interlinkers (id),
    author         TEXT NOT NULL,
    value          INTEGER NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    UNIQUE (interlinker_id, author)
);
CREATE INDEX ratings_by_interlinker ON ratings (interlinker_id, id);
CREATE TABLE problem_profiles (
    code        TEXT PRIMARY KEY,
    family      TEXT NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE TABLE schemas (
    id             TEXT PRIMARY KEY,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    items          TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    draft_changed  BOOLEAN NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE TABLE schema_versions (
    schema_id    TEXT NOT NULL REFERENCES schemas (id),
    version      INTEGER NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    items        TEXT NOT NULL,
    publisher    TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    PRIMARY KEY (schema_id, version)
);
CREATE TABLE catalogue_editors (
    subject  TEXT PRIMARY KEY,
    added_by TEXT NOT NULL,
    added_at BIGINT NOT NULL
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Catalogue {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), TABLES).await
    }
}

struct SchemaSharing;

impl MigrationName for SchemaSharing {
    fn name(&self) -> &str {
        "m0002_schema_sharing"
    }
}

// A schema's shared mark, the origin of mirrored schemas and versions and
// that of adopted schemas (JSON, '' for none).
const SCHEMA_SHARING: &str = r#"
ALTER TABLE schemas ADD COLUMN shared BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE schemas ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE schemas ADD COLUMN withdrawn BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE schemas ADD COLUMN adopted_from TEXT NOT NULL DEFAULT '';
ALTER TABLE schema_versions ADD COLUMN origin TEXT NOT NULL DEFAULT ''
"#;

#[async_trait::async_trait]
impl MigrationTrait for SchemaSharing {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), SCHEMA_SHARING).await
    }
}

struct GenesisDocuments;

impl MigrationName for GenesisDocuments {
    fn name(&self) -> &str {
        "m0003_genesis_documents"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for GenesisDocuments {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The genesis documents of mirrored (and adopted) knowledge
        // interlinkers, one per language, with their bytes.
        let db = manager.get_connection();
        let bytes = match db.get_database_backend() {
            sea_orm::DbBackend::Postgres => "BYTEA",
            _ => "BLOB",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE genesis_documents ( \
                interlinker_id TEXT NOT NULL, \
                language       TEXT NOT NULL, \
                media_type     TEXT NOT NULL, \
                file_name      TEXT NOT NULL, \
                size           BIGINT NOT NULL, \
                sha256         TEXT NOT NULL, \
                content        {bytes} NOT NULL, \
                updated_at     BIGINT NOT NULL, \
                PRIMARY KEY (interlinker_id, language))"
        ))
        .await?;
        Ok(())
    }
}
