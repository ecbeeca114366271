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
            Box::new(Webhooks),
            Box::new(ProcessFeeds),
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

struct Webhooks;

impl MigrationName for Webhooks {
    fn name(&self) -> &str {
        "m0003_webhooks"
    }
}

// An endpoint's `event_types` is a JSON list; `previous_secret` signs too
// until `previous_until` (ms) after a rotation; `failing_since` is when
// its deliveries began failing, cleared by a success. A delivery is one
// event for one endpoint (its `webhook-id` is the event's id), with its
// exact body kept so every attempt sends the same bytes; `lease_until` is
// set while a dispatcher sends it; it is retried for a day from
// `retry_from` (its writing, or its last replay). Every attempt is logged.
const WEBHOOKS: &str = r#"
CREATE TABLE webhooks (
    id               TEXT PRIMARY KEY,
    organization_id  TEXT NOT NULL,
    url              TEXT NOT NULL,
    description      TEXT NOT NULL,
    event_types      TEXT NOT NULL,
    secret           TEXT NOT NULL,
    previous_secret  TEXT NOT NULL,
    previous_until   BIGINT NOT NULL,
    enabled          BOOLEAN NOT NULL,
    disabled_reason  TEXT NOT NULL,
    failing_since    BIGINT,
    created_by       TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX webhooks_by_organization ON webhooks (organization_id, enabled);
CREATE TABLE webhook_deliveries (
    webhook_id      TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    last_status     BIGINT,
    last_error      TEXT NOT NULL,
    latency_ms      BIGINT,
    created_at      BIGINT NOT NULL,
    retry_from      BIGINT NOT NULL,
    delivered_at    BIGINT,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);
CREATE INDEX webhook_deliveries_listed ON webhook_deliveries (webhook_id, created_at);
CREATE TABLE webhook_attempts (
    webhook_id TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    attempt    BIGINT NOT NULL,
    at         BIGINT NOT NULL,
    status     BIGINT,
    latency_ms BIGINT NOT NULL,
    error      TEXT NOT NULL,
    PRIMARY KEY (webhook_id, event_id, attempt)
)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Webhooks {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        interlink_runtime::db::execute_script(manager.get_connection(), WEBHOOKS).await
    }
}

struct ProcessFeeds;

impl MigrationName for ProcessFeeds {
    fn name(&self) -> &str {
        "m0004_process_feeds"
    }
}

// One line per event and thing it tells of, per process; `kind` names its
// text (`feed-{kind}`), the other columns as in `notifications`.
const FEED_COLUMNS: &str = r#"
    id         TEXT NOT NULL UNIQUE,
    process_id TEXT NOT NULL,
    event_id   TEXT NOT NULL,
    kind       TEXT NOT NULL,
    target     TEXT NOT NULL,
    link       TEXT NOT NULL,
    team_id    TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    args       TEXT NOT NULL,
    created_at BIGINT NOT NULL
"#;

#[async_trait::async_trait]
impl MigrationTrait for ProcessFeeds {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let seq = match db.get_database_backend() {
            DbBackend::Postgres => "seq BIGSERIAL PRIMARY KEY",
            _ => "seq INTEGER PRIMARY KEY AUTOINCREMENT",
        };
        db.execute_unprepared(&format!(
            "CREATE TABLE process_feed ({seq}, {FEED_COLUMNS})"
        ))
        .await?;
        interlink_runtime::db::execute_script(
            db,
            "CREATE UNIQUE INDEX process_feed_once ON process_feed (event_id, kind, target);\n\
             CREATE INDEX process_feed_by_process ON process_feed (process_id, seq);\n\
             CREATE INDEX process_feed_by_actor ON process_feed (actor_id)",
        )
        .await
    }
}
