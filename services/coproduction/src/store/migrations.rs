//! The co-production database's migrations.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Every migration of the co-production database, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(Processes),
            Box::new(GrantsAndAssets),
            Box::new(ClaimsAndStories),
            Box::new(interlink_runtime::events::IdempotencyMigration),
            Box::new(OrganizationVisibility),
            Box::new(Users),
            Box::new(interlink_runtime::events::IdempotencyDigestMigration),
            Box::new(interlink_runtime::jobs::JobsMigration),
            Box::new(RemoteAssets),
            Box::new(Federation),
        ]
    }
}

struct Processes;

impl MigrationName for Processes {
    fn name(&self) -> &str {
        "m0001_processes_trees_and_projections"
    }
}

// Types both databases accept as written; times are Unix milliseconds,
// translatable texts and lists JSON. Tables named `p_*` are projections of
// other services' events.
const TABLES: &str = r#"
CREATE TABLE processes (
    id                       TEXT PRIMARY KEY,
    organization_id          TEXT NOT NULL,
    title                    TEXT NOT NULL,
    description              TEXT NOT NULL,
    aim                      TEXT NOT NULL,
    idea                     TEXT NOT NULL,
    organization_description TEXT NOT NULL,
    challenges               TEXT NOT NULL,
    requirements             TEXT NOT NULL,
    language                 TEXT NOT NULL,
    logo_uri                 TEXT NOT NULL,
    status                   TEXT NOT NULL,
    progress                 DOUBLE PRECISION NOT NULL,
    public                   BOOLEAN NOT NULL,
    model                    TEXT NOT NULL,
    creator                  TEXT NOT NULL,
    tags                     TEXT NOT NULL,
    cloned_from              TEXT NOT NULL,
    schema_id                TEXT NOT NULL,
    schema_version           INTEGER NOT NULL,
    start_at                 BIGINT,
    end_at                   BIGINT,
    version                  BIGINT NOT NULL,
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL
);
CREATE INDEX processes_by_organization ON processes (organization_id, id);
CREATE TABLE process_administrators (
    process_id TEXT NOT NULL REFERENCES processes (id),
    subject    TEXT NOT NULL,
    position   INTEGER NOT NULL,
    PRIMARY KEY (process_id, subject)
);
CREATE INDEX process_administrators_by_subject ON process_administrators (subject);
CREATE TABLE items (
    id                  TEXT PRIMARY KEY,
    process_id          TEXT NOT NULL REFERENCES processes (id),
    kind                TEXT NOT NULL,
    parent_id           TEXT,
    position            INTEGER NOT NULL,
    title               TEXT NOT NULL,
    description         TEXT NOT NULL,
    status              TEXT NOT NULL,
    progress            DOUBLE PRECISION NOT NULL,
    prerequisites       TEXT NOT NULL,
    problem_profiles    TEXT NOT NULL,
    co_delivery         BOOLEAN NOT NULL,
    start_at            BIGINT,
    end_at              BIGINT,
    effort_management   INTEGER NOT NULL,
    effort_development  INTEGER NOT NULL,
    effort_exploitation INTEGER NOT NULL,
    schema_key          TEXT NOT NULL,
    creator             TEXT NOT NULL,
    disabled_at         BIGINT,
    disabled_by         TEXT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX items_by_process ON items (process_id, position);
CREATE TABLE p_teams (
    team_id         TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    team_type       TEXT NOT NULL
);
CREATE TABLE p_team_members (
    team_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    PRIMARY KEY (team_id, subject)
);
CREATE INDEX p_team_members_by_subject ON p_team_members (subject);
CREATE TABLE p_organization_administrators (
    organization_id TEXT NOT NULL,
    subject         TEXT NOT NULL,
    PRIMARY KEY (organization_id, subject)
);
CREATE TABLE p_schema_versions (
    schema_id TEXT NOT NULL,
    version   INTEGER NOT NULL,
    title     TEXT NOT NULL,
    items     TEXT NOT NULL,
    PRIMARY KEY (schema_id, version)
);
CREATE TABLE p_interlinkers (
    id                   TEXT PRIMARY KEY,
    nature               TEXT NOT NULL,
    state                TEXT NOT NULL,
    title                TEXT NOT NULL,
    problem_profiles     TEXT NOT NULL,
    software_interlinker TEXT NOT NULL,
    genesis_assets       TEXT NOT NULL,
    version              BIGINT NOT NULL
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Processes {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), TABLES).await
    }
}

struct GrantsAndAssets;

impl MigrationName for GrantsAndAssets {
    fn name(&self) -> &str {
        "m0002_grants_and_assets"
    }
}

// `item_id` is empty for a grant on the whole process.
const GRANT_TABLES: &str = r#"
CREATE TABLE grants (
    id            TEXT PRIMARY KEY,
    process_id    TEXT NOT NULL REFERENCES processes (id),
    team_id       TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    access_assets BOOLEAN NOT NULL,
    create_assets BOOLEAN NOT NULL,
    delete_assets BOOLEAN NOT NULL,
    granted_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    UNIQUE (process_id, team_id, item_id)
);
CREATE TABLE assets (
    id                 TEXT PRIMARY KEY,
    process_id         TEXT NOT NULL REFERENCES processes (id),
    task_id            TEXT NOT NULL REFERENCES items (id),
    kind               TEXT NOT NULL,
    interlinker_id     TEXT NOT NULL,
    interlinker_nature TEXT NOT NULL,
    genesis_asset_uri  TEXT NOT NULL,
    display_name       TEXT NOT NULL,
    uri                TEXT NOT NULL,
    creator            TEXT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE INDEX assets_by_process ON assets (process_id, id)
"#;

#[async_trait::async_trait]
impl MigrationTrait for GrantsAndAssets {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), GRANT_TABLES).await
    }
}

struct ClaimsAndStories;

impl MigrationName for ClaimsAndStories {
    fn name(&self) -> &str {
        "m0003_claims_and_stories"
    }
}

const CLAIM_TABLES: &str = r#"
CREATE TABLE claims (
    id          TEXT PRIMARY KEY,
    process_id  TEXT NOT NULL REFERENCES processes (id),
    task_id     TEXT NOT NULL,
    asset_id    TEXT NOT NULL,
    claim_type  TEXT NOT NULL,
    description TEXT NOT NULL,
    claimant    TEXT NOT NULL,
    state       TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    decided_at  BIGINT
);
CREATE INDEX claims_by_process ON claims (process_id, id);
CREATE TABLE stories (
    id              TEXT PRIMARY KEY,
    process_id      TEXT NOT NULL REFERENCES processes (id),
    title           TEXT NOT NULL,
    description     TEXT NOT NULL,
    results         TEXT NOT NULL,
    lessons_learned TEXT NOT NULL,
    licences        TEXT NOT NULL,
    keywords        TEXT NOT NULL,
    start_at        BIGINT,
    end_at          BIGINT,
    author          TEXT NOT NULL,
    rating_sum      BIGINT NOT NULL,
    rating_count    BIGINT NOT NULL,
    published_at    BIGINT NOT NULL
);
CREATE INDEX stories_by_process ON stories (process_id);
CREATE TABLE story_ratings (
    story_id TEXT NOT NULL REFERENCES stories (id),
    rater    TEXT NOT NULL,
    value    INTEGER NOT NULL,
    rated_at BIGINT NOT NULL,
    PRIMARY KEY (story_id, rater)
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for ClaimsAndStories {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), CLAIM_TABLES).await
    }
}

struct OrganizationVisibility;

impl MigrationName for OrganizationVisibility {
    fn name(&self) -> &str {
        "m0004_organization_visibility"
    }
}

// Whether an organisation is public, from community's events: a process
// administrator may grant teams of public organisations beside their own.
const ORGANIZATION_TABLES: &str = r#"
CREATE TABLE p_organizations (
    organization_id TEXT PRIMARY KEY,
    public          BOOLEAN NOT NULL
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for OrganizationVisibility {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), ORGANIZATION_TABLES).await
    }
}

struct Users;

impl MigrationName for Users {
    fn name(&self) -> &str {
        "m0005_users"
    }
}

// The users community announced, so a `users/{id}` in a request finds the
// OIDC subject tokens carry.
const USER_TABLES: &str = r#"
CREATE TABLE p_users (
    user_id TEXT PRIMARY KEY,
    subject TEXT NOT NULL
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Users {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), USER_TABLES).await
    }
}

struct RemoteAssets;

impl MigrationName for RemoteAssets {
    fn name(&self) -> &str {
        "m0006_remote_assets"
    }
}

// Software interlinkers' endpoints and capabilities reach the projection;
// an asset keeps what its interlinker holds of it (made by a job).
const REMOTE_ASSET_COLUMNS: &str = r#"
ALTER TABLE p_interlinkers ADD COLUMN endpoint_uri TEXT NOT NULL DEFAULT '';
ALTER TABLE p_interlinkers ADD COLUMN capabilities TEXT NOT NULL DEFAULT '[]';
ALTER TABLE assets ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN interlinker_endpoint TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN capabilities TEXT NOT NULL DEFAULT '[]';
ALTER TABLE assets ADD COLUMN preparation TEXT NOT NULL DEFAULT '';
ALTER TABLE assets ADD COLUMN preparation_error TEXT NOT NULL DEFAULT ''
"#;

#[async_trait::async_trait]
impl MigrationTrait for RemoteAssets {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), REMOTE_ASSET_COLUMNS).await
    }
}

struct Federation;

impl MigrationName for Federation {
    fn name(&self) -> &str {
        "m0007_federation"
    }
}

// What came from other deployments: a process's provenance (JSON), the
// origin of mirrored schema versions (JSON, '' for local ones), a story's
// shared mark, and other deployments' shared stories with their process
// documents (kept apart: they have no process here).
const FEDERATION_TABLES: &str = r#"
ALTER TABLE processes ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}';
ALTER TABLE p_schema_versions ADD COLUMN origin TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN shared BOOLEAN NOT NULL DEFAULT FALSE;
CREATE TABLE mirrored_stories (
    id                TEXT PRIMARY KEY,
    origin_key        TEXT NOT NULL UNIQUE,
    origin_deployment TEXT NOT NULL,
    origin            TEXT NOT NULL,
    title             TEXT NOT NULL,
    description       TEXT NOT NULL,
    results           TEXT NOT NULL,
    lessons_learned   TEXT NOT NULL,
    licences          TEXT NOT NULL,
    keywords          TEXT NOT NULL,
    start_at          BIGINT,
    end_at            BIGINT,
    published_at      BIGINT NOT NULL,
    withdrawn         BOOLEAN NOT NULL,
    process_document  TEXT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX mirrored_stories_by_origin ON mirrored_stories (origin_deployment)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Federation {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), FEDERATION_TABLES).await
    }
}
