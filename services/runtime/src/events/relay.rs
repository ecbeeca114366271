//! The relay: publishes committed outbox rows to the bus in commit order and
//! deletes them only after the bus acknowledged them. A crash between the two
//! republishes the same event ids, which the bus drops as duplicates.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement, TransactionTrait};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::bus::{Bus, BusError, OutgoingEvent};
use super::outbox::Outbox;
use crate::config::EventsConfig;

/// A failure of one relay round; the relay retries with backoff.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// The service's database failed.
    #[error("outbox: {0}")]
    Store(#[from] DbErr),
    /// The bus refused or did not answer.
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// Moves a service's outbox to the bus.
#[derive(Debug, Clone)]
pub struct Relay {
    db: DatabaseConnection,
    bus: Bus,
    wake: Arc<Notify>,
    config: EventsConfig,
    name: String,
}

/// Events waiting in each outbox of this process, by outbox name.
static BACKLOGS: LazyLock<Mutex<BTreeMap<String, Arc<AtomicU64>>>> =
    LazyLock::new(Default::default);

fn backlog_cell(name: &str) -> Arc<AtomicU64> {
    BACKLOGS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(name.to_owned())
        .or_default()
        .clone()
}

/// Registers `interlink.outbox.backlog` on `meter`: events waiting in each
/// outbox of the process (attribute `outbox`, the role), 0 once the relay
/// has drained it, counted again while the bus refuses them.
pub fn register_backlog(
    meter: &opentelemetry::metrics::Meter,
) -> opentelemetry::metrics::ObservableGauge<u64> {
    meter
        .u64_observable_gauge("interlink.outbox.backlog")
        .with_description("Events committed but not yet acknowledged by the bus")
        .with_callback(|observer| {
            let backlogs = BACKLOGS.lock().unwrap_or_else(PoisonError::into_inner);
            for (name, backlog) in backlogs.iter() {
                observer.observe(
                    backlog.load(Ordering::Relaxed),
                    &[opentelemetry::KeyValue::new("outbox", name.clone())],
                );
            }
        })
        .build()
}

/// The backlog last seen of the outbox `name`.
pub fn backlog_of(name: &str) -> Option<u64> {
    BACKLOGS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(name)
        .map(|b| b.load(Ordering::Relaxed))
}

/// Whether a round deletes what it published (always, but for the test hook
/// that simulates a crash between publish and delete).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Delete,
    Keep,
}

impl Relay {
    /// A relay of `db`'s outbox to `bus`, woken by `outbox`'s commits.
    pub fn new(db: DatabaseConnection, bus: Bus, outbox: &Outbox, config: EventsConfig) -> Self {
        Self {
            db,
            bus,
            wake: outbox.wake_handle(),
            config,
            name: "outbox".to_owned(),
        }
    }

    /// Names the outbox in the backlog metric (the role's name).
    pub fn named(mut self, name: &str) -> Self {
        name.clone_into(&mut self.name);
        self
    }

    /// Runs until `shutdown`, then publishes what is left (one last drain) and
    /// returns.
    pub async fn run(self, shutdown: CancellationToken) {
        let poll = Duration::from_millis(self.config.relay_poll_ms);
        let backlog = backlog_cell(&self.name);
        let mut failures: u64 = 0;
        loop {
            match self.drain().await {
                Ok(_) => {
                    failures = 0;
                    backlog.store(0, Ordering::Relaxed);
                }
                Err(e) => {
                    failures += 1;
                    if let Ok(waiting) = outbox_backlog(&self.db).await {
                        backlog.store(waiting, Ordering::Relaxed);
                    }
                    let delay = self.config.retry_delay(failures);
                    tracing::warn!(error = %e, retry_in_ms = delay.as_millis() as u64, "outbox relay round failed");
                    tokio::select! {
                        _ = shutdown.cancelled() => break,
                        _ = tokio::time::sleep(delay) => continue,
                    }
                }
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(poll) => {}
            }
        }
        if let Err(e) = self.drain().await {
            tracing::warn!(error = %e, "outbox relay could not flush on shutdown; rows stay for the next start");
        }
    }

    /// Publishes batches until the outbox is empty; returns how many events
    /// went out.
    pub async fn drain(&self) -> Result<usize, RelayError> {
        let mut total = 0;
        loop {
            let n = self.round(Mark::Delete).await?;
            total += n;
            if n < self.config.relay_batch as usize {
                return Ok(total);
            }
        }
    }

    /// Test hook: publishes one batch and "dies" before deleting the rows, as
    /// a relay killed between the PubAck and its delete would.
    #[doc(hidden)]
    pub async fn publish_batch_then_crash(&self) -> Result<usize, RelayError> {
        self.round(Mark::Keep).await
    }

    async fn round(&self, mark: Mark) -> Result<usize, RelayError> {
        let (acked, error) = if self.db.get_database_backend() == DbBackend::Postgres {
            // One relay per database at a time (an advisory lock held by the
            // round's transaction), so replicas keep commit order.
            let txn = self.db.begin().await?;
            let row = txn
                .query_one_raw(Statement::from_string(
                    DbBackend::Postgres,
                    "SELECT pg_try_advisory_xact_lock(hashtext('interlink_outbox_relay')) AS locked",
                ))
                .await?;
            let locked = row
                .map(|r| r.try_get::<bool>("", "locked"))
                .transpose()?
                .unwrap_or(false);
            if !locked {
                return Ok(0);
            }
            let result = self.publish_rows(&txn, mark).await?;
            txn.commit().await?;
            result
        } else {
            // SQLite: one process, one relay. No enclosing transaction: a read
            // snapshot could not be upgraded to the delete after other commits.
            self.publish_rows(&self.db, mark).await?
        };
        match error {
            Some(e) => Err(e.into()),
            None => Ok(acked),
        }
    }

    async fn publish_rows(
        &self,
        db: &impl ConnectionTrait,
        mark: Mark,
    ) -> Result<(usize, Option<BusError>), DbErr> {
        let rows = db
            .query_all_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                "SELECT seq, event_id, subject, traceparent, payload FROM interlink_outbox ORDER BY seq LIMIT $1",
                [i64::from(self.config.relay_batch).into()],
            ))
            .await?;
        if rows.is_empty() {
            return Ok((0, None));
        }
        let mut seqs = Vec::with_capacity(rows.len());
        let mut events = Vec::with_capacity(rows.len());
        for row in rows {
            seqs.push(row.try_get::<i64>("", "seq")?);
            let payload: Vec<u8> = row.try_get("", "payload")?;
            events.push(OutgoingEvent {
                msg_id: row.try_get("", "event_id")?,
                subject: row.try_get("", "subject")?,
                traceparent: row.try_get("", "traceparent")?,
                payload: payload.into(),
            });
        }
        let (acked, error) = self.bus.publish(&events).await;
        if mark == Mark::Delete && acked > 0 {
            // Exactly the published rows: a lower sequence number still
            // uncommitted when we looked must not be swept away with them.
            let list = seqs[..acked]
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let delete = format!("DELETE FROM interlink_outbox WHERE seq IN ({list})");
            if db.get_database_backend() == DbBackend::Postgres {
                db.execute_unprepared(&delete).await?;
            } else {
                // SQLite: in the queue of the file's writers.
                let txn = crate::db::begin_write(&self.db).await?;
                txn.execute_unprepared(&delete).await?;
                txn.commit().await?;
            }
        }
        Ok((acked, error))
    }
}

/// How many events wait in the outbox of `db`.
pub async fn outbox_backlog(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM interlink_outbox",
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<i64>("", "n"))
        .transpose()?
        .unwrap_or(0) as u64)
}
