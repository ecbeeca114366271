//! Connections and migrations on both databases.

use interlink_runtime::config::DatabaseConfig;
use interlink_runtime::db::{connect, migrate};
use interlink_runtime::events::EventTablesMigrator;
use interlink_runtime::testing::{count, create_postgres_database, drop_postgres_database};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

#[tokio::test]
async fn sqlite_files_are_created_in_wal_mode_with_full_sync() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("nested-name.db");
    let db = connect(
        &format!("sqlite://{}", path.display()),
        &DatabaseConfig::default(),
    )
    .await
    .expect("connect");
    assert!(path.exists());
    let pragma = |sql: &'static str| {
        let db = db.clone();
        async move {
            let row = db
                .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
                .await
                .expect("pragma")
                .expect("row");
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
                .expect("value")
        }
    };
    assert_eq!(pragma("PRAGMA journal_mode").await, "wal");
    assert_eq!(pragma("PRAGMA synchronous").await, "2"); // FULL
    assert_eq!(pragma("PRAGMA foreign_keys").await, "1");
    migrate::<EventTablesMigrator>(&db, "t")
        .await
        .expect("migrate");
    // Applying again is a no-op.
    migrate::<EventTablesMigrator>(&db, "t")
        .await
        .expect("migrate again");
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM interlink_outbox").await,
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_starting_together_apply_migrations_once() {
    let (url, name) = create_postgres_database().await;
    let mut replicas = Vec::new();
    for _ in 0..6 {
        let url = url.clone();
        replicas.push(tokio::spawn(async move {
            let db = connect(&url, &DatabaseConfig::default())
                .await
                .expect("connect");
            migrate::<EventTablesMigrator>(&db, "interlink_runtime_test").await
        }));
    }
    for replica in replicas {
        replica
            .await
            .expect("task")
            .expect("every replica's migrate succeeds");
    }
    let db = connect(&url, &DatabaseConfig::default())
        .await
        .expect("connect");
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM seaql_migrations").await,
        // The event tables, the idempotency keys and their digests, each once.
        3
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) AS n FROM interlink_inbox").await,
        0
    );
    db.close().await.ok();
    drop_postgres_database(&name).await;
}

#[tokio::test]
async fn an_unreachable_database_is_an_error_not_a_hang() {
    let config = DatabaseConfig {
        connect_timeout_ms: 500,
        acquire_timeout_ms: 500,
        ..DatabaseConfig::default()
    };
    let started = std::time::Instant::now();
    assert!(
        connect("postgres://postgres@127.0.0.1:9/nothing", &config)
            .await
            .is_err()
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

/// A write transaction that reads first must wait for a concurrent writer,
/// not fail with "database is locked" once that writer commits (SQLite's
/// deferred transactions cannot upgrade a stale read snapshot).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_write_transactions_that_read_first_do_not_fail_on_concurrent_commits() {
    use sea_orm::TransactionTrait;
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let db = connect(&url, &DatabaseConfig::default())
        .await
        .expect("connect");
    db.execute_unprepared("CREATE TABLE t (x INTEGER)")
        .await
        .expect("table");

    let txn = interlink_runtime::db::begin_write(&db)
        .await
        .expect("begin");
    txn.execute_unprepared("SELECT COUNT(*) FROM t")
        .await
        .expect("read");
    let other = tokio::spawn({
        let db = db.clone();
        async move { db.execute_unprepared("INSERT INTO t VALUES (1)").await }
    });
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    txn.execute_unprepared("INSERT INTO t VALUES (2)")
        .await
        .expect("the transaction's own write");
    txn.commit().await.expect("commit");
    other
        .await
        .expect("task")
        .expect("the other writer waited its turn");
    assert_eq!(count(&db, "SELECT COUNT(*) AS n FROM t").await, 2);
    // The plain deferred kind is what fails here; keep the contrast visible.
    let deferred = db.begin().await.expect("begin");
    deferred
        .execute_unprepared("SELECT COUNT(*) FROM t")
        .await
        .expect("read");
    db.execute_unprepared("INSERT INTO t VALUES (3)")
        .await
        .expect("other commit");
    assert!(
        deferred
            .execute_unprepared("INSERT INTO t VALUES (4)")
            .await
            .is_err(),
        "a deferred transaction cannot write after another commit"
    );
}

/// Writers of one SQLite file queue in the process and get the lock in the
/// order they asked, whichever pool they came through: none sleeps in
/// SQLite's busy handler (whose naps grow to 100 ms, and whose wake-ups
/// come in no particular order).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_writers_of_one_file_take_turns_in_the_order_they_came() {
    use sea_orm::TransactionTrait;
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/t.db", dir.path().display());
    let db = connect(&url, &DatabaseConfig::default())
        .await
        .expect("connect");
    db.execute_unprepared("CREATE TABLE turns (n INTEGER)")
        .await
        .expect("table");
    // Another pool on the same file, as a second service of one process
    // might open: its writers join the same queue.
    let other = connect(&url, &DatabaseConfig::default())
        .await
        .expect("connect");

    let holder = interlink_runtime::db::begin_write(&db)
        .await
        .expect("begin");
    let mut writers = Vec::new();
    for n in 0..12_i64 {
        let db = if n % 2 == 0 {
            db.clone()
        } else {
            other.clone()
        };
        writers.push(tokio::spawn(async move {
            let txn = interlink_runtime::db::begin_write(&db).await?;
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "INSERT INTO turns (n) VALUES ($1)",
                [n.into()],
            ))
            .await?;
            txn.commit().await
        }));
        // Each has asked before the next does.
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    }
    holder.commit().await.expect("commit");
    for writer in writers {
        writer
            .await
            .expect("task")
            .expect("the writer had its turn");
    }
    let order: Vec<i64> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT n FROM turns ORDER BY rowid",
        ))
        .await
        .expect("rows")
        .iter()
        .map(|row| row.try_get_by_index::<i64>(0).expect("n"))
        .collect();
    assert_eq!(order, (0..12).collect::<Vec<_>>());
    // A deferred transaction is not a writer of the queue; it still works.
    let txn = other.begin().await.expect("begin");
    txn.execute_unprepared("INSERT INTO turns (n) VALUES (12)")
        .await
        .expect("insert");
    txn.commit().await.expect("commit");
}

/// A SQLite file's WAL is checkpointed beside the writers (a task every
/// second), not in the commit that crosses SQLite's threshold: commits
/// leave their pages in the WAL, and a second later nothing is left to copy
/// back, though far fewer pages than SQLite's own threshold were written.
#[tokio::test]
async fn sqlite_wal_is_checkpointed_beside_the_writers() {
    let dir = tempfile::tempdir().expect("dir");
    let url = format!("sqlite://{}/c.db", dir.path().display());
    let db = connect(&url, &DatabaseConfig::default())
        .await
        .expect("connect");
    let auto = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA wal_autocheckpoint",
        ))
        .await
        .expect("pragma")
        .expect("row");
    assert_eq!(auto.try_get_by_index::<i64>(0).expect("value"), 0);
    db.execute_unprepared("CREATE TABLE pages (body TEXT)")
        .await
        .expect("table");
    for _ in 0..20 {
        interlink_runtime::db::run_write(
            &db,
            "INSERT INTO pages (body) VALUES ($1)",
            ["x".repeat(8_000).into()],
        )
        .await
        .expect("insert");
    }
    // What a checkpoint now would find: (busy, frames in the WAL, frames
    // copied back).
    let left = |db: sea_orm::DatabaseConnection| async move {
        let row = db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA wal_checkpoint(NOOP)",
            ))
            .await
            .expect("checkpoint")
            .expect("row");
        let log: i64 = row.try_get_by_index(1).expect("log");
        let copied: i64 = row.try_get_by_index(2).expect("copied");
        log - copied
    };
    assert!(
        left(db.clone()).await > 0,
        "the commits left pages in the WAL"
    );
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    assert_eq!(left(db.clone()).await, 0, "checkpointed a second later");
}
