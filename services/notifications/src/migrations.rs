//! The notifications database's migrations.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use sea_orm_migration::{MigrationName, MigrationTrait, MigratorTrait, SchemaManager, async_trait};

/// Every migration of the notifications database, in order.
#[derive(Debug, Clone, Copy, Default)]
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(interlink_runtime::events::EventTablesMigration),
            Box::new(interlink_runtime::events::IdempotencyMigration),
            Box::new(interlink_runtime::events::IdempotencyDigestMigration),
            Box::new(InboxAndProjections),
            Box::new(interlink_runtime::jobs::JobsMigration),
            Box::new(MailAndPreferences),
        ]
    }
}

struct InboxAndProjections;

impl MigrationName for InboxAndProjections {
    fn name(&self) -> &str {
        "m0001_inbox_and_projections"
    }
}

// The `n_*` tables are what the rules need to know of other services'
// data, kept from their events (people by user id: `users/{id}` is derived
// from the subject, so events naming either resolve). Names (of teams,
// processes, items) are read when a notification is shown, so a rename or
// an erasure shows at once. JSON columns hold per-language texts and
// lists.
const COMMON: &str = r#"
CREATE UNIQUE INDEX notifications_once ON notifications (event_id, user_id, kind, target);
CREATE INDEX notifications_inbox ON notifications (user_id, archived, seq);
CREATE INDEX notifications_by_actor ON notifications (actor_id);
CREATE TABLE n_users (
    user_id      TEXT PRIMARY KEY,
    subject      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    email        TEXT NOT NULL,
    locale       TEXT NOT NULL
);
CREATE INDEX n_users_by_email ON n_users (email);
CREATE TABLE n_organization_administrators (
    organization_id TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
);
CREATE TABLE n_teams (
    team_id         TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    display_name    TEXT NOT NULL
);
CREATE TABLE n_members (
    team_id       TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    administrator BOOLEAN NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX n_members_by_user ON n_members (user_id);
CREATE TABLE n_processes (
    process_id      TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL,
    title           TEXT NOT NULL,
    status          INTEGER NOT NULL,
    administrators  TEXT NOT NULL
);
CREATE TABLE n_grants (
    grant_id   TEXT PRIMARY KEY,
    process_id TEXT NOT NULL,
    team_id    TEXT NOT NULL,
    item_id    TEXT NOT NULL
);
CREATE INDEX n_grants_by_process ON n_grants (process_id);
CREATE TABLE n_items (
    item_id       TEXT PRIMARY KEY,
    process_id    TEXT NOT NULL,
    kind          INTEGER NOT NULL,
    parent_id     TEXT NOT NULL,
    title         TEXT NOT NULL,
    status        INTEGER NOT NULL,
    prerequisites TEXT NOT NULL,
    disabled      BOOLEAN NOT NULL
);
CREATE INDEX n_items_by_process ON n_items (process_id)
"#;

// One row per notification of one person. `kind` is the rule's code,
// `target` the resource it concerns, `team_id`/`process_id`/`item_id`
// what its text names, `args` (JSON) what else the text needs.
const POSTGRES_INBOX: &str = r#"
CREATE TABLE notifications (
    seq        BIGSERIAL PRIMARY KEY,
    id         TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    target     TEXT NOT NULL,
    link       TEXT NOT NULL,
    team_id    TEXT NOT NULL,
    process_id TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    args       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    seen       BOOLEAN NOT NULL,
    archived   BOOLEAN NOT NULL
)
"#;

const SQLITE_INBOX: &str = r#"
CREATE TABLE notifications (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    target     TEXT NOT NULL,
    link       TEXT NOT NULL,
    team_id    TEXT NOT NULL,
    process_id TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    args       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    seen       BOOLEAN NOT NULL,
    archived   BOOLEAN NOT NULL
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for InboxAndProjections {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let inbox = match db.get_database_backend() {
            DbBackend::Postgres => POSTGRES_INBOX,
            _ => SQLITE_INBOX,
        };
        db.execute_unprepared(inbox).await?;
        interlink_runtime::db::execute_script(db, COMMON).await
    }
}

struct MailAndPreferences;

impl MigrationName for MailAndPreferences {
    fn name(&self) -> &str {
        "m0002_mail_and_preferences"
    }
}

// `preferences` holds the kinds a person chose a delivery for (the others
// take their kind's default); `digest` on a notification is '' (not in a
// digest), 'pending' or 'sent'; `digests` holds the one digest due per
// person and hour; `settings` the secret signing unsubscribe links.
const MAIL: &str = r#"
ALTER TABLE notifications ADD COLUMN digest TEXT NOT NULL DEFAULT '';
CREATE INDEX notifications_digest ON notifications (user_id, digest);
CREATE TABLE preferences (
    user_id  TEXT NOT NULL,
    kind     TEXT NOT NULL,
    delivery TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
CREATE TABLE digests (
    user_id TEXT NOT NULL,
    due_at  BIGINT NOT NULL,
    PRIMARY KEY (user_id, due_at)
);
CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for MailAndPreferences {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        interlink_runtime::db::execute_script(db, MAIL).await?;
        // A random secret per deployment: links cannot be forged without
        // the database.
        use rand::Rng;
        let secret: String = (0..32)
            .map(|_| format!("{:02x}", rand::thread_rng().r#gen::<u8>()))
            .collect();
        interlink_runtime::db::run(
            db,
            "INSERT INTO settings (name, value) VALUES ('unsubscribe_secret', $1)",
            [secret.into()],
        )
        .await?;
        Ok(())
    }
}
