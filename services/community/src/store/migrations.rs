//! The community database's migrations.

use sea_orm::{ConnectionTrait, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Every migration of the community database, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(UsersAndOrganizations),
            Box::new(Teams),
            Box::new(ApplicationsAndInvitations),
            Box::new(Erasure),
            Box::new(interlink_runtime::events::IdempotencyMigration),
            Box::new(interlink_runtime::events::IdempotencyDigestMigration),
        ]
    }
}

struct UsersAndOrganizations;

impl MigrationName for UsersAndOrganizations {
    fn name(&self) -> &str {
        "m0001_users_and_organizations"
    }
}

// Types both databases accept as written; times are Unix milliseconds and
// translatable texts JSON objects.
const TABLES: &str = r#"
CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    subject           TEXT NOT NULL UNIQUE,
    display_name      TEXT NOT NULL,
    email             TEXT NOT NULL,
    additional_emails TEXT NOT NULL,
    locale            TEXT NOT NULL,
    terms_accepted_at BIGINT,
    platform_admin    BOOLEAN NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    version           BIGINT NOT NULL
);
CREATE TABLE organizations (
    id                   TEXT PRIMARY KEY,
    display_name         TEXT NOT NULL,
    description          TEXT NOT NULL,
    logo_url             TEXT NOT NULL,
    public               BOOLEAN NOT NULL,
    default_team_type    TEXT NOT NULL,
    team_creation_policy TEXT NOT NULL,
    created_by           TEXT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    version              BIGINT NOT NULL
);
CREATE TABLE organization_administrators (
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    user_id         TEXT NOT NULL REFERENCES users (id),
    added_at        BIGINT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX organization_administrators_by_user ON organization_administrators (user_id)
"#;

#[async_trait::async_trait]
impl MigrationTrait for UsersAndOrganizations {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), TABLES).await
    }
}

struct Teams;

impl MigrationName for Teams {
    fn name(&self) -> &str {
        "m0002_teams"
    }
}

const TEAM_TABLES: &str = r#"
CREATE TABLE teams (
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations (id),
    display_name    TEXT NOT NULL,
    description     TEXT NOT NULL,
    logo_url        TEXT NOT NULL,
    team_type       TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    version         BIGINT NOT NULL
);
CREATE INDEX teams_by_organization ON teams (organization_id, id);
CREATE TABLE team_members (
    team_id       TEXT NOT NULL REFERENCES teams (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    administrator BOOLEAN NOT NULL,
    joined_at     BIGINT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_by_user ON team_members (user_id)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Teams {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), TEAM_TABLES).await
    }
}

struct ApplicationsAndInvitations;

impl MigrationName for ApplicationsAndInvitations {
    fn name(&self) -> &str {
        "m0003_applications_and_invitations"
    }
}

// Invitation tokens are kept only as SHA-256 digests.
const APPLICATION_TABLES: &str = r#"
CREATE TABLE team_applications (
    id         TEXT PRIMARY KEY,
    team_id    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    reason     TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT
);
CREATE INDEX team_applications_by_team ON team_applications (team_id, id);
CREATE TABLE invitations (
    id            TEXT PRIMARY KEY,
    team_id       TEXT NOT NULL,
    email         TEXT NOT NULL,
    administrator BOOLEAN NOT NULL,
    token_sha256  TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL,
    expires_at    BIGINT NOT NULL,
    invited_by    TEXT NOT NULL,
    accepted_by   TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX invitations_by_team ON invitations (team_id, id)
"#;

#[async_trait::async_trait]
impl MigrationTrait for ApplicationsAndInvitations {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), APPLICATION_TABLES).await
    }
}

struct Erasure;

impl MigrationName for Erasure {
    fn name(&self) -> &str {
        "m0004_user_erasure"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Erasure {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE users ADD COLUMN erased_at BIGINT")
            .await?;
        Ok(())
    }
}
