//! Database connections and migrations. A service's database is PostgreSQL in
//! cluster mode and one SQLite file in embedded mode; the URL decides.

use std::time::Duration;

use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr,
    TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::config::DatabaseConfig;

/// Opens a pool for `url` (`postgres://…` or `sqlite://…`) with the pool
/// settings of `config`. SQLite files are created when missing and run in WAL
/// mode with full fsync, so a committed transaction survives a crash; their
/// WAL is checkpointed by a task of their own (see [`spawn_checkpointer`]).
pub async fn connect(url: &str, config: &DatabaseConfig) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(config.max_connections)
        .min_connections(config.min_connections)
        .connect_timeout(config.connect_timeout())
        .acquire_timeout(config.acquire_timeout())
        .sqlx_logging(false);
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Full)
                .busy_timeout(WRITE_WAIT)
                .foreign_keys(true)
                // Checkpoints run beside the writers, not in their commits.
                .pragma("wal_autocheckpoint", "0")
        });
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        spawn_checkpointer(&db);
    }
    Ok(db)
}

/// How often a SQLite file's WAL is copied back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Checkpoints `db`'s WAL every [`CHECKPOINT_EVERY`] on a reading
/// connection (`PASSIVE`: it waits for no one), until the pool closes.
/// SQLite's automatic checkpoint runs inside the commit that crosses its
/// threshold, and with full fsync that commit waited tens of milliseconds:
/// the embedded write tail.
fn spawn_checkpointer(db: &DatabaseConnection) {
    let pool = db.get_sqlite_connection_pool().clone();
    let file = pool
        .connect_options()
        .get_filename()
        .to_string_lossy()
        .into_owned();
    if file.is_empty() || file == ":memory:" || file.starts_with("file:sqlx-in-memory") {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tick.tick().await;
            if pool.is_closed() {
                break;
            }
            if let Err(error) = sea_orm::sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                .execute(&pool)
                .await
            {
                tracing::debug!(%error, "WAL checkpoint");
            }
        }
    });
}

/// Applies the pending migrations of `M`. On PostgreSQL they run in one
/// transaction holding an advisory lock keyed by the migrator, so replicas
/// starting together apply them once; SQLite serialises writers itself.
pub async fn migrate<M: MigratorTrait>(
    db: &DatabaseConnection,
    lock_name: &str,
) -> Result<(), DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            let txn = db.begin().await?;
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(hashtext($1))",
                [lock_name.into()],
            ))
            .await?;
            M::up(&txn, None).await?;
            txn.commit().await
        }
        _ => M::up(db, None).await,
    }
}

/// Begins a transaction that will write. On SQLite it is `BEGIN IMMEDIATE`
/// on the file's one writer connection: writers of one file queue in this
/// process, first come first served, for that connection (the transaction
/// holds it until it ends), instead of sleeping in SQLite's busy handler,
/// whose growing naps made the write tail. PostgreSQL begins as usual.
///
/// Inside a call with an idempotency key whose change already waits for its
/// answer, a second write transaction is refused at once on SQLite: it
/// would wait for the connection the first one holds until that call
/// returns.
pub async fn begin_write(db: &DatabaseConnection) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    let options = sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    };
    match sqlite_writer(db) {
        Some(writer) => {
            if crate::idempotency::deferred() {
                return Err(DbErr::Custom(
                    "a call with an idempotency key makes one change; this one tried a second"
                        .into(),
                ));
            }
            writer.begin_with_options(options).await
        }
        None => db.begin_with_options(options).await,
    }
}

/// The one-connection pool through which every [`begin_write`] on `db`'s
/// SQLite file goes (`None` for PostgreSQL and in-memory databases). One per
/// file, however many pools a process opens on it; its connection closes
/// when idle, so a file no longer used is not held open.
fn sqlite_writer(db: &DatabaseConnection) -> Option<DatabaseConnection> {
    use sea_orm::sqlx::sqlite::SqlitePoolOptions;
    use std::collections::HashMap;
    use std::sync::{LazyLock, Mutex};

    static WRITERS: LazyLock<Mutex<HashMap<std::path::PathBuf, DatabaseConnection>>> =
        LazyLock::new(Default::default);

    if db.get_database_backend() != DbBackend::Sqlite {
        return None;
    }
    let pool = db.get_sqlite_connection_pool();
    let options = pool.connect_options();
    let file = options.get_filename();
    let name = file.to_string_lossy();
    if name.is_empty() || name == ":memory:" || name.starts_with("file:sqlx-in-memory") {
        return None;
    }
    let mut writers = WRITERS.lock().unwrap_or_else(|e| e.into_inner());
    let writer = writers.entry(file.to_path_buf()).or_insert_with(|| {
        // Waiting for the writer replaces waiting in the busy handler: as
        // long as that did at most.
        let acquire = pool.options().get_acquire_timeout().max(WRITE_WAIT);
        sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(0)
                .acquire_timeout(acquire)
                .idle_timeout(Some(Duration::from_secs(30)))
                .connect_lazy_with((*options).clone()),
        )
    });
    Some(writer.clone())
}

/// How long a writer waits for another's lock on a SQLite file.
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// Runs `;`-separated SQL statements one by one (a prepared statement takes
/// one each): for migrations written as plain SQL.
pub async fn execute_script(db: &impl ConnectionTrait, script: &str) -> Result<(), DbErr> {
    for statement in script.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

/// A statement for `db`'s backend with `$1 … $n` placeholders, which both
/// PostgreSQL and SQLite accept.
pub fn statement<const N: usize>(
    db: &impl ConnectionTrait,
    sql: &str,
    values: [sea_orm::Value; N],
) -> sea_orm::Statement {
    sea_orm::Statement::from_sql_and_values(db.get_database_backend(), sql, values)
}

/// Executes one statement that writes, in a transaction of its own begun
/// with [`begin_write`] (so on SQLite it queues with the other writers);
/// returns how many rows it changed.
pub async fn run_write<const N: usize>(
    db: &DatabaseConnection,
    sql: &str,
    values: [sea_orm::Value; N],
) -> Result<u64, DbErr> {
    let txn = begin_write(db).await?;
    let changed = run(&txn, sql, values).await?;
    txn.commit().await?;
    Ok(changed)
}

/// Executes one statement; returns how many rows it changed.
pub async fn run<const N: usize>(
    db: &impl ConnectionTrait,
    sql: &str,
    values: [sea_orm::Value; N],
) -> Result<u64, DbErr> {
    Ok(db
        .execute_raw(statement(db, sql, values))
        .await?
        .rows_affected())
}
