//! The consumer runner: a durable consumer that applies each event exactly
//! once and in order. The effect and the event id (the inbox) commit in one
//! transaction, the bus is acknowledged after the commit, and a redelivered
//! event already in the inbox is skipped.
//!
//! Failures are retried *in place*, so an aggregate's later events never
//! overtake an earlier one: a database or bus outage is retried until it
//! passes (never counted against the event); an event its handler refuses
//! (or panics on) is retried `max_deliveries` times with backoff, then parked
//! where an operator can list and replay it, and the events after it flow on.
//! On PostgreSQL one replica at a time runs a given consumer (an advisory
//! lock), so replicas sharing a durable consumer cannot reorder events.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use prost::Message;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, Statement};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::bus::{Bus, BusError, Delivery, Settle, Subscription};
use super::outbox::unix_millis;
use crate::config::EventsConfig;
use interlink_proto::events::v1::Event;

/// What a service does with the events it consumes.
pub trait EventHandler: Send + Sync + 'static {
    /// Applies `event` inside `txn`. An error rolls the transaction back and
    /// the event is retried, then parked.
    fn handle(
        &self,
        txn: &DatabaseTransaction,
        event: &Event,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Called after the effects of `events` committed (for metrics and tests).
    fn after_commit(&self, _events: &[Event]) {}

    /// Whether [`EventHandler::handle_batch`] receives the new events of a
    /// batch together (one span per batch) instead of one by one through
    /// [`EventHandler::handle`]. For handlers that write in bulk.
    fn batches(&self) -> bool {
        false
    }

    /// Applies the new events of a batch, in order, inside `txn`; by
    /// default one by one through [`EventHandler::handle`]. When a batch
    /// fails, the consumer applies its events one at a time (batches of
    /// one) to find the one at fault.
    fn handle_batch(
        &self,
        txn: &DatabaseTransaction,
        events: &[Event],
    ) -> impl Future<Output = anyhow::Result<()>> + Send {
        async move {
            for event in events {
                self.handle(txn, event).await?;
            }
            Ok(())
        }
    }
}

/// A failure that stops the runner.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// The bus could not open the consumer.
    #[error(transparent)]
    Bus(#[from] BusError),
    /// The database could not be reached to take the consumer's lock.
    #[error("consumer lock: {0}")]
    Lock(String),
}

/// An event given up on after too many failed deliveries.
#[derive(Debug, Clone, PartialEq)]
pub struct ParkedEvent {
    /// The consumer that failed it.
    pub consumer: String,
    /// The event id.
    pub event_id: String,
    /// The subject it came on.
    pub subject: String,
    /// The last error of the handler.
    pub error: String,
    /// Deliveries before it was parked.
    pub deliveries: u64,
    /// When it was parked (Unix milliseconds).
    pub parked_at: i64,
    /// The encoded envelope (empty envelope fields if it never decoded).
    pub payload: Vec<u8>,
}

/// A durable consumer of `filter` named `name`, applying events to `db`.
pub struct Consumer<H> {
    name: String,
    filter: String,
    db: DatabaseConnection,
    bus: Bus,
    handler: Arc<H>,
    config: EventsConfig,
    announce: Option<super::Outbox>,
    lag: Arc<super::lag::LagCell>,
}

enum Failure {
    /// The database or the bus failed: not the event's fault, never parked.
    Infrastructure(String),
    /// The handler refused an event of the batch.
    Handler { error: String },
}

impl<H: EventHandler> Consumer<H> {
    /// A consumer; nothing happens until [`Consumer::run`].
    pub fn new(
        name: impl Into<String>,
        filter: impl Into<String>,
        db: DatabaseConnection,
        bus: Bus,
        handler: Arc<H>,
        config: EventsConfig,
    ) -> Self {
        let name = name.into();
        Self {
            lag: super::lag::cell(&name),
            name,
            filter: filter.into(),
            db,
            bus,
            handler,
            config,
            announce: None,
        }
    }

    /// Announces each parked event as `runtime.consumer.event_parked`
    /// through `outbox`, in the transaction that parks it (monitoring lists
    /// them for the whole mesh).
    pub fn announce_parked(mut self, outbox: super::Outbox) -> Self {
        self.announce = Some(outbox);
        self
    }

    /// Consumes until `shutdown`. The batch in hand when it fires is left
    /// unsettled if it is still retrying (the bus delivers it again, and the
    /// inbox skips what was applied).
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), ConsumerError> {
        loop {
            let Some(lease) = self.lead(&shutdown).await? else {
                return Ok(());
            };
            let mut subscription = loop {
                match self
                    .bus
                    .subscribe(&self.name, &self.filter, &self.config)
                    .await
                {
                    Ok(s) => break s,
                    Err(e) => {
                        tracing::warn!(consumer = %self.name, error = %e, "cannot open consumer; retrying");
                        tokio::select! {
                            _ = shutdown.cancelled() => return Err(e.into()),
                            _ = tokio::time::sleep(self.config.retry_delay(3)) => {}
                        }
                    }
                }
            };
            if !self.consume(&mut subscription, lease, &shutdown).await {
                return Ok(());
            }
            tracing::warn!(consumer = %self.name, "consumer lock lost; taking it again");
        }
    }

    /// Consumes while the lease holds. `false` when shutting down, `true`
    /// when the lease was lost.
    async fn consume(
        &self,
        subscription: &mut Subscription,
        mut lease: Option<Lease>,
        shutdown: &CancellationToken,
    ) -> bool {
        let max = self.config.consumer_batch as usize;
        let mut failures: u64 = 0;
        loop {
            if let Some(lease) = &mut lease
                && !lease.still_held().await
            {
                return true;
            }
            let batch = tokio::select! {
                _ = shutdown.cancelled() => return false,
                batch = subscription.next_batch(max) => batch,
            };
            let batch = match batch {
                Ok(batch) => batch,
                Err(e) => {
                    failures += 1;
                    tracing::warn!(consumer = %self.name, error = %e, "bus fetch failed");
                    tokio::select! {
                        _ = shutdown.cancelled() => return false,
                        _ = tokio::time::sleep(self.config.retry_delay(failures)) => continue,
                    }
                }
            };
            failures = 0;
            let pending = batch.last().map(|d| d.pending).unwrap_or_default();
            let Some((outcomes, newest)) = self.process(subscription, batch, shutdown).await else {
                return false;
            };
            if let Err(e) = subscription.settle(outcomes).await {
                // The effects are committed; an unsettled event comes back
                // and the inbox recognises it.
                tracing::warn!(consumer = %self.name, error = %e, "settling deliveries failed");
            }
            self.lag.settled(pending, newest);
        }
    }

    /// On PostgreSQL, waits until this process holds the consumer's advisory
    /// lock (on a connection of its own, so the lock lives exactly as long as
    /// the connection). `None` inside means shutdown came first.
    async fn lead(
        &self,
        shutdown: &CancellationToken,
    ) -> Result<Option<Option<Lease>>, ConsumerError> {
        if self.db.get_database_backend() != sea_orm::DbBackend::Postgres {
            return Ok(Some(None));
        }
        let key = format!("interlink_consumer:{}", self.name);
        let mut failures = 0;
        loop {
            match Lease::try_take(&self.db, &key).await {
                Ok(Some(lease)) => return Ok(Some(Some(lease))),
                Ok(None) => failures = 0,
                Err(e) => {
                    failures += 1;
                    tracing::warn!(consumer = %self.name, error = %e, "cannot take the consumer lock");
                }
            }
            let wait = if failures == 0 {
                Duration::from_millis(self.config.relay_poll_ms)
            } else {
                self.config.retry_delay(failures)
            };
            tokio::select! {
                _ = shutdown.cancelled() => return Ok(None),
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Test hook: takes one batch, commits its effects and "dies" before
    /// acknowledging it, as a consumer killed after its commit would.
    #[doc(hidden)]
    pub async fn apply_one_batch_then_crash(&self) -> Result<usize, ConsumerError> {
        let mut subscription = self
            .bus
            .subscribe(&self.name, &self.filter, &self.config)
            .await?;
        let batch = subscription
            .next_batch(self.config.consumer_batch as usize)
            .await?;
        let n = batch.len();
        drop(
            self.process(&mut subscription, batch, &CancellationToken::new())
                .await,
        );
        Ok(n)
    }

    /// Applies a batch in order and says how to settle each delivery, with
    /// the source commit time (Unix ms) of its newest event; `None` if
    /// shutdown came while retrying.
    async fn process(
        &self,
        subscription: &mut Subscription,
        batch: Vec<Delivery>,
        shutdown: &CancellationToken,
    ) -> Option<(Vec<(Delivery, Settle)>, Option<i64>)> {
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut decoded = Vec::with_capacity(batch.len());
        for delivery in batch {
            let problem = match Event::decode(delivery.payload.as_ref()) {
                Ok(event) if !event.id.is_empty() => {
                    decoded.push((delivery, event));
                    continue;
                }
                Ok(_) => "event has no id".to_owned(),
                Err(e) => format!("undecodable envelope: {e}"),
            };
            // It can never succeed: park it at once.
            let deliveries = delivery.delivered;
            self.park_retrying(subscription, &delivery, "", &problem, deliveries, shutdown)
                .await?;
            outcomes.push((delivery, Settle::Term));
        }
        let newest = decoded
            .iter()
            .filter_map(|(_, e)| e.occurred_at.as_ref())
            .map(|t| t.seconds * 1000 + i64::from(t.nanos) / 1_000_000)
            .max();
        if decoded.is_empty() {
            return Some((outcomes, newest));
        }

        // The common case: the whole batch in one transaction.
        let mut outages = 0;
        loop {
            let events: Vec<(&Event, Option<&str>)> = decoded
                .iter()
                .map(|(d, e)| (e, d.traceparent.as_deref()))
                .collect();
            match self.apply(&events).await {
                Ok(applied) => {
                    self.after_commit(applied);
                    outcomes.extend(decoded.into_iter().map(|(d, _)| (d, Settle::Ack)));
                    return Some((outcomes, newest));
                }
                Err(Failure::Infrastructure(error)) => {
                    outages += 1;
                    tracing::warn!(consumer = %self.name, %error, "applying events failed; retrying");
                    let delay = self.config.retry_delay(outages);
                    let hand: Vec<&Delivery> = decoded.iter().map(|(d, _)| d).collect();
                    if !pause(subscription, &hand, delay, shutdown).await {
                        return None;
                    }
                }
                Err(Failure::Handler { .. }) => break,
            }
        }

        // A handler refused one: go one by one, in order, to find it.
        for (delivery, event) in decoded {
            let mut attempts = delivery.delivered.max(1);
            let mut outages = 0;
            let settle = loop {
                match self
                    .apply(&[(&event, delivery.traceparent.as_deref())])
                    .await
                {
                    Ok(applied) => {
                        self.after_commit(applied);
                        break Settle::Ack;
                    }
                    Err(Failure::Infrastructure(error)) => {
                        outages += 1;
                        tracing::warn!(consumer = %self.name, event_id = %event.id, %error, "applying event failed; retrying");
                        let delay = self.config.retry_delay(outages);
                        if !pause(subscription, &[&delivery], delay, shutdown).await {
                            return None;
                        }
                    }
                    Err(Failure::Handler { error }) => {
                        if attempts >= u64::from(self.config.max_deliveries) {
                            self.park_retrying(
                                subscription,
                                &delivery,
                                &event.id,
                                &error,
                                attempts,
                                shutdown,
                            )
                            .await?;
                            break Settle::Term;
                        }
                        tracing::warn!(consumer = %self.name, event_id = %event.id, attempts, %error, "handler failed; retrying");
                        let delay = self.config.retry_delay(attempts);
                        attempts += 1;
                        if !pause(subscription, &[&delivery], delay, shutdown).await {
                            return None;
                        }
                    }
                }
            };
            outcomes.push((delivery, settle));
        }
        Some((outcomes, newest))
    }

    fn after_commit(&self, applied: Vec<Event>) {
        if !applied.is_empty() {
            self.handler.after_commit(&applied);
        }
    }

    /// Applies `events` in one transaction; returns those that were new.
    async fn apply(&self, events: &[(&Event, Option<&str>)]) -> Result<Vec<Event>, Failure> {
        let txn = crate::db::begin_write(&self.db)
            .await
            .map_err(|e| Failure::Infrastructure(e.to_string()))?;
        let mut applied = Vec::new();
        if self.handler.batches() {
            let mut ids: Vec<&str> = events.iter().map(|(e, _)| e.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            let fresh = record_batch_in_inbox(&txn, &self.name, &ids)
                .await
                .map_err(classify_db)?;
            let mut seen = std::collections::HashSet::new();
            let new: Vec<Event> = events
                .iter()
                .filter(|(e, _)| fresh.contains(&e.id) && seen.insert(e.id.clone()))
                .map(|(e, _)| (*e).clone())
                .collect();
            if !new.is_empty() {
                let span = tracing::info_span!(
                    "consume",
                    otel.kind = "consumer",
                    messaging.system = "nats",
                    messaging.consumer.group.name = %self.name,
                    messaging.batch.message_count = new.len(),
                );
                // The batch continues the trace of its first event.
                if let Some((_, traceparent)) = events.iter().find(|(e, _)| fresh.contains(&e.id)) {
                    crate::telemetry::set_remote_parent(&span, *traceparent);
                }
                let handled =
                    AssertUnwindSafe(self.handler.handle_batch(&txn, &new).instrument(span))
                        .catch_unwind()
                        .await;
                match handled {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => return Err(classify(error)),
                    Err(panic) => {
                        let message = panic
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_owned())
                            .or_else(|| panic.downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        return Err(Failure::Handler {
                            error: format!("handler panicked: {message}"),
                        });
                    }
                }
            }
            txn.commit().await.map_err(classify_db)?;
            return Ok(new);
        }
        for &(event, traceparent) in events {
            if !record_in_inbox(&txn, &self.name, &event.id)
                .await
                .map_err(classify_db)?
            {
                continue;
            }
            // A span per event, continuing the trace of the change that caused it.
            let span = tracing::info_span!(
                "consume",
                otel.kind = "consumer",
                messaging.system = "nats",
                messaging.consumer.group.name = %self.name,
                messaging.message.id = %event.id,
                event_type = %event.r#type,
            );
            crate::telemetry::set_remote_parent(&span, traceparent);
            let handled = AssertUnwindSafe(self.handler.handle(&txn, event).instrument(span))
                .catch_unwind()
                .await;
            match handled {
                Ok(Ok(())) => {}
                Ok(Err(error)) => return Err(classify(error)),
                Err(panic) => {
                    let message = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_default();
                    return Err(Failure::Handler {
                        error: format!("handler panicked: {message}"),
                    });
                }
            }
            applied.push(event.clone());
        }
        txn.commit().await.map_err(classify_db)?;
        Ok(applied)
    }

    /// Parks, retrying while the database is away.
    async fn park_retrying(
        &self,
        subscription: &mut Subscription,
        delivery: &Delivery,
        event_id: &str,
        error: &str,
        deliveries: u64,
        shutdown: &CancellationToken,
    ) -> Option<()> {
        let mut outages = 0;
        loop {
            match self.park(delivery, event_id, error, deliveries).await {
                Ok(()) => return Some(()),
                Err(e) => {
                    outages += 1;
                    tracing::warn!(consumer = %self.name, error = %e, "parking failed; retrying");
                    if !pause(
                        subscription,
                        &[delivery],
                        self.config.retry_delay(outages),
                        shutdown,
                    )
                    .await
                    {
                        return None;
                    }
                }
            }
        }
    }

    async fn park(
        &self,
        delivery: &Delivery,
        event_id: &str,
        error: &str,
        deliveries: u64,
    ) -> Result<(), DbErr> {
        // An undecodable message has no event id: key it by its payload digest
        // so it is parked once however often it comes.
        let key = if event_id.is_empty() {
            format!("undecodable-{:016x}", fnv1a(&delivery.payload))
        } else {
            event_id.to_owned()
        };
        let parked_at = unix_millis();
        let txn = crate::db::begin_write(&self.db).await?;
        txn
            .execute_raw(Statement::from_sql_and_values(
                self.db.get_database_backend(),
                "INSERT INTO interlink_parked (consumer, event_id, subject, traceparent, payload, error, deliveries, parked_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (consumer, event_id) DO UPDATE SET error = excluded.error, \
                 deliveries = excluded.deliveries, parked_at = excluded.parked_at",
                [
                    self.name.clone().into(),
                    key.clone().into(),
                    delivery.subject.clone().into(),
                    delivery.traceparent.clone().into(),
                    delivery.payload.to_vec().into(),
                    error.into(),
                    (deliveries as i64).into(),
                    parked_at.into(),
                ],
            ))
            .await?;
        if let Some(outbox) = &self.announce {
            let event_type = Event::decode(delivery.payload.as_ref())
                .map(|e| e.r#type)
                .unwrap_or_default();
            let announcement = outbox.envelope(super::NewEvent {
                event_type: super::EventType::new("runtime", "consumer", "event_parked"),
                actor: super::service_actor(&self.name),
                organization_id: "",
                aggregate_id: &key,
                aggregate_version: deliveries,
                payload: &interlink_proto::events::v1::EventParked {
                    consumer: self.name.clone(),
                    event_id: key.clone(),
                    event_type,
                    subject: delivery.subject.clone(),
                    error: error.to_owned(),
                    deliveries,
                    park_time: Some(prost_types::Timestamp {
                        seconds: parked_at / 1000,
                        nanos: ((parked_at % 1000) * 1_000_000) as i32,
                    }),
                },
            })?;
            outbox.append(&txn, &[announcement]).await?;
            outbox.commit(txn).await?;
        } else {
            txn.commit().await?;
        }
        tracing::error!(consumer = %self.name, event_id = %key, deliveries, %error, "event parked");
        Ok(())
    }

    /// Applies the parked event `event_id` again (after a fix), removing it
    /// from the parked list when it succeeds. Returns `Ok(false)` if no such
    /// event is parked for this consumer.
    pub async fn replay_parked(&self, event_id: &str) -> anyhow::Result<bool> {
        let backend = self.db.get_database_backend();
        let txn = crate::db::begin_write(&self.db).await?;
        let row = txn
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                "SELECT payload FROM interlink_parked WHERE consumer = $1 AND event_id = $2",
                [self.name.clone().into(), event_id.into()],
            ))
            .await?;
        let Some(row) = row else {
            return Ok(false);
        };
        let payload: Vec<u8> = row.try_get("", "payload")?;
        let event = Event::decode(payload.as_slice())?;
        let fresh = record_in_inbox(&txn, &self.name, &event.id).await?;
        if fresh {
            self.handler.handle(&txn, &event).await?;
        }
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            "DELETE FROM interlink_parked WHERE consumer = $1 AND event_id = $2",
            [self.name.clone().into(), event_id.into()],
        ))
        .await?;
        txn.commit().await?;
        if fresh {
            self.handler.after_commit(std::slice::from_ref(&event));
        }
        Ok(true)
    }
}

/// Records `event_id` as handled by `consumer`; `false` if it already was.
async fn record_in_inbox(
    txn: &impl ConnectionTrait,
    consumer: &str,
    event_id: &str,
) -> Result<bool, DbErr> {
    let result = txn
        .execute_raw(Statement::from_sql_and_values(
            txn.get_database_backend(),
            "INSERT INTO interlink_inbox (consumer, event_id, handled_at) VALUES ($1, $2, $3) \
             ON CONFLICT (consumer, event_id) DO NOTHING",
            [consumer.into(), event_id.into(), unix_millis().into()],
        ))
        .await?;
    Ok(result.rows_affected() == 1)
}

/// Records the ids of a batch in the inbox in one statement per chunk;
/// returns those that were new.
async fn record_batch_in_inbox(
    txn: &impl ConnectionTrait,
    consumer: &str,
    ids: &[&str],
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut fresh = std::collections::HashSet::new();
    let now = unix_millis();
    for chunk in ids.chunks(300) {
        let mut values: Vec<sea_orm::Value> = vec![consumer.into(), now.into()];
        let rows: Vec<String> = chunk
            .iter()
            .map(|id| {
                values.push((*id).into());
                format!("($1, ${}, $2)", values.len())
            })
            .collect();
        let sql = format!(
            "INSERT INTO interlink_inbox (consumer, event_id, handled_at) VALUES {} \
             ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id",
            rows.join(", ")
        );
        for row in txn
            .query_all_raw(Statement::from_sql_and_values(
                txn.get_database_backend(),
                sql,
                values,
            ))
            .await?
        {
            fresh.insert(row.try_get("", "event_id")?);
        }
    }
    Ok(fresh)
}

/// A handler error caused by the database being away, busy or in a
/// serialisation conflict is the infrastructure's, not the event's: it is
/// retried without counting towards parking.
fn classify(error: anyhow::Error) -> Failure {
    let transient = error
        .chain()
        .any(|cause| cause.downcast_ref::<DbErr>().is_some_and(is_transient));
    if transient {
        Failure::Infrastructure(format!("{error:#}"))
    } else {
        Failure::Handler {
            error: format!("{error:#}"),
        }
    }
}

fn classify_db(error: DbErr) -> Failure {
    if is_transient(&error) {
        Failure::Infrastructure(error.to_string())
    } else {
        Failure::Handler {
            error: error.to_string(),
        }
    }
}

/// Connection loss, pool exhaustion, SQLite busy/locked, PostgreSQL
/// serialisation failures and deadlocks: worth retrying as they are.
pub(crate) fn is_transient(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as SqlxError;
    let runtime = match error {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => return true,
        DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(sqlx) = runtime else {
        return false;
    };
    match sqlx.as_ref() {
        SqlxError::Io(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed => true,
        SqlxError::Database(db) => matches!(
            db.code().as_deref(),
            Some("40001" | "40P01" | "57P01" | "5" | "6" | "261" | "262" | "517")
        ),
        _ => false,
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// Every parked event in `db`, of one consumer or of all, oldest first.
pub async fn list_parked(
    db: &impl ConnectionTrait,
    consumer: Option<&str>,
) -> Result<Vec<ParkedEvent>, DbErr> {
    let backend = db.get_database_backend();
    let statement = match consumer {
        Some(name) => Statement::from_sql_and_values(
            backend,
            "SELECT * FROM interlink_parked WHERE consumer = $1 ORDER BY parked_at, event_id",
            [name.into()],
        ),
        None => Statement::from_string(
            backend,
            "SELECT * FROM interlink_parked ORDER BY parked_at, event_id",
        ),
    };
    db.query_all_raw(statement)
        .await?
        .into_iter()
        .map(|row| {
            Ok(ParkedEvent {
                consumer: row.try_get("", "consumer")?,
                event_id: row.try_get("", "event_id")?,
                subject: row.try_get("", "subject")?,
                error: row.try_get("", "error")?,
                deliveries: row.try_get::<i64>("", "deliveries")? as u64,
                parked_at: row.try_get("", "parked_at")?,
                payload: row.try_get("", "payload")?,
            })
        })
        .collect()
}

/// Waits `delay` (extending the ack deadline of the deliveries in hand, so
/// the bus does not hand them to someone else meanwhile); `false` on shutdown.
async fn pause(
    subscription: &mut Subscription,
    in_hand: &[&Delivery],
    delay: Duration,
    shutdown: &CancellationToken,
) -> bool {
    subscription.in_progress(in_hand).await;
    tokio::select! {
        _ = shutdown.cancelled() => false,
        _ = tokio::time::sleep(delay) => true,
    }
}

/// A PostgreSQL session advisory lock held on a connection of its own: the
/// lock is released when the connection closes, whatever ends the process.
struct Lease {
    connection: sea_orm::sqlx::PgConnection,
}

impl Lease {
    async fn try_take(db: &DatabaseConnection, key: &str) -> Result<Option<Self>, ConsumerError> {
        use sea_orm::sqlx::Connection as _;
        let lock_error = |e: sea_orm::sqlx::Error| ConsumerError::Lock(e.to_string());
        let pooled = db
            .get_postgres_connection_pool()
            .acquire()
            .await
            .map_err(lock_error)?;
        // Out of the pool: closing it is what releases the lock.
        let mut connection = pooled.detach();
        let locked: bool = sea_orm::sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtext($1))")
            .bind(key)
            .fetch_one(&mut connection)
            .await
            .map_err(lock_error)?;
        if locked {
            Ok(Some(Self { connection }))
        } else {
            connection.close().await.ok();
            Ok(None)
        }
    }

    async fn still_held(&mut self) -> bool {
        use sea_orm::sqlx::Connection as _;
        self.connection.ping().await.is_ok()
    }
}
