//! The surveys database's migrations.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Every migration of the surveys database, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(Surveys),
            // The host's tables for every role with a database: its outbox
            // relay and idempotency keys run whether or not the role uses
            // them.
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(interlink_runtime::events::IdempotencyMigration),
            Box::new(interlink_runtime::events::IdempotencyDigestMigration),
        ]
    }
}

struct Surveys;

impl MigrationName for Surveys {
    fn name(&self) -> &str {
        "m0001_surveys"
    }
}

// A survey's questions are one JSON array: they change only together, and
// only while it is a draft. An answer is a row of its own (one JSON object
// of replies by question id), added by one statement without touching the
// survey's row, so answers to a survey do not queue behind each other. The
// unique index keeps one answer per signed-in person; anonymous answers
// have no respondent, and NULLs never collide. `clones` remembers which
// copy an idempotency key made. Times are milliseconds since the epoch.
const TABLES: &str = r#"
CREATE TABLE surveys (
    id         TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    intro      TEXT NOT NULL,
    language   TEXT NOT NULL,
    status     TEXT NOT NULL,
    anonymous  BIGINT NOT NULL,
    questions  TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE responses (
    id         TEXT PRIMARY KEY,
    survey_id  TEXT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    respondent TEXT,
    replies    TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX responses_once_per_person ON responses (survey_id, respondent);
CREATE INDEX responses_in_order ON responses (survey_id, created_at);
CREATE TABLE clones (
    source_id       TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    clone_id        TEXT NOT NULL,
    PRIMARY KEY (source_id, idempotency_key)
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Surveys {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        interlink_runtime::db::execute_script(db, TABLES).await?;
        interlink_runtime::db::execute_script(db, interlink_interlinker_http::SETTINGS_TABLE).await
    }
}
