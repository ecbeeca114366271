//! The consumer runner: a durable consumer that applies each event exactly
//! once. The effect and the event id (the inbox) commit in one transaction,
//! the bus is acknowledged after the commit, a redelivered event already in
//! the inbox is skipped, a failing one is retried with backoff and parked
//! after `max_deliveries`, where an operator can list and replay it.

use std::future::Future;
use std::sync::Arc;

use prost::Message;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, Statement, TransactionTrait,
};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::bus::{Bus, BusError, Delivery, Settle};
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
}

/// A failure that stops the runner.
#[derive(Debug, thiserror::Error)]
pub enum ConsumerError {
    /// The bus could not open the consumer.
    #[error(transparent)]
    Bus(#[from] BusError),
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
        Self {
            name: name.into(),
            filter: filter.into(),
            db,
            bus,
            handler,
            config,
        }
    }

    /// Consumes until `shutdown`. The batch in hand when it fires is finished
    /// and settled first.
    pub async fn run(self, shutdown: CancellationToken) -> Result<(), ConsumerError> {
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
        let max = self.config.consumer_batch as usize;
        let mut failures: u64 = 0;
        loop {
            let batch = tokio::select! {
                _ = shutdown.cancelled() => return Ok(()),
                batch = subscription.next_batch(max) => batch,
            };
            let batch = match batch {
                Ok(batch) => batch,
                Err(e) => {
                    failures += 1;
                    tracing::warn!(consumer = %self.name, error = %e, "bus fetch failed");
                    tokio::select! {
                        _ = shutdown.cancelled() => return Ok(()),
                        _ = tokio::time::sleep(self.config.retry_delay(failures)) => continue,
                    }
                }
            };
            failures = 0;
            let outcomes = self.process(batch).await;
            if let Err(e) = subscription.settle(outcomes).await {
                // The effects are committed; an unsettled event comes back
                // and the inbox recognises it.
                tracing::warn!(consumer = %self.name, error = %e, "settling deliveries failed");
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
        drop(self.process(batch).await);
        Ok(n)
    }

    async fn process(&self, batch: Vec<Delivery>) -> Vec<(Delivery, Settle)> {
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut decoded = Vec::with_capacity(batch.len());
        for delivery in batch {
            match Event::decode(delivery.payload.as_ref()) {
                Ok(event) if !event.id.is_empty() => decoded.push((delivery, event)),
                Ok(_) => {
                    let settle = self.park(&delivery, "", "event has no id").await;
                    outcomes.push((delivery, settle));
                }
                Err(e) => {
                    let settle = self
                        .park(&delivery, "", &format!("undecodable envelope: {e}"))
                        .await;
                    outcomes.push((delivery, settle));
                }
            }
        }
        if decoded.is_empty() {
            return outcomes;
        }
        let events: Vec<(&Event, Option<&str>)> = decoded
            .iter()
            .map(|(d, e)| (e, d.traceparent.as_deref()))
            .collect();
        match self.apply(&events).await {
            Ok(applied) => {
                self.after_commit(applied);
                outcomes.extend(decoded.into_iter().map(|(d, _)| (d, Settle::Ack)));
            }
            Err(Failure::Infrastructure(error)) => {
                tracing::warn!(consumer = %self.name, %error, "applying events failed; will retry");
                outcomes.extend(decoded.into_iter().map(|(d, _)| {
                    let delay = self.config.retry_delay(d.delivered);
                    (d, Settle::Nak(delay))
                }));
            }
            Err(Failure::Handler { .. }) => {
                // Find the culprit: apply one by one, so the others still go through.
                outcomes.extend(self.apply_alone(decoded).await);
            }
        }
        outcomes
    }

    async fn apply_alone(&self, decoded: Vec<(Delivery, Event)>) -> Vec<(Delivery, Settle)> {
        let mut outcomes = Vec::with_capacity(decoded.len());
        for (delivery, event) in decoded {
            let settle = match self
                .apply(&[(&event, delivery.traceparent.as_deref())])
                .await
            {
                Ok(applied) => {
                    self.after_commit(applied);
                    Settle::Ack
                }
                Err(Failure::Infrastructure(error)) => {
                    tracing::warn!(consumer = %self.name, event_id = %event.id, %error, "applying event failed; will retry");
                    Settle::Nak(self.config.retry_delay(delivery.delivered))
                }
                Err(Failure::Handler { error, .. }) => {
                    if delivery.delivered >= u64::from(self.config.max_deliveries) {
                        self.park(&delivery, &event.id, &error).await
                    } else {
                        tracing::warn!(consumer = %self.name, event_id = %event.id, delivered = delivery.delivered, %error, "handler failed; will retry");
                        Settle::Nak(self.config.retry_delay(delivery.delivered))
                    }
                }
            };
            outcomes.push((delivery, settle));
        }
        outcomes
    }

    fn after_commit(&self, applied: Vec<Event>) {
        if !applied.is_empty() {
            self.handler.after_commit(&applied);
        }
    }

    /// Applies `events` in one transaction; returns those that were new.
    async fn apply(&self, events: &[(&Event, Option<&str>)]) -> Result<Vec<Event>, Failure> {
        let infra = |e: DbErr| Failure::Infrastructure(e.to_string());
        let txn = self.db.begin().await.map_err(infra)?;
        let mut applied = Vec::new();
        for &(event, traceparent) in events {
            if !record_in_inbox(&txn, &self.name, &event.id)
                .await
                .map_err(infra)?
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
            if let Err(error) = self.handler.handle(&txn, event).instrument(span).await {
                return Err(classify(error));
            }
            applied.push(event.clone());
        }
        txn.commit().await.map_err(infra)?;
        Ok(applied)
    }

    async fn park(&self, delivery: &Delivery, event_id: &str, error: &str) -> Settle {
        // An undecodable message has no event id: key it by its payload digest
        // so it is parked once however often it comes.
        let key = if event_id.is_empty() {
            format!("undecodable-{:016x}", fnv1a(&delivery.payload))
        } else {
            event_id.to_owned()
        };
        let result = self
            .db
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
                    (delivery.delivered as i64).into(),
                    unix_millis().into(),
                ],
            ))
            .await;
        match result {
            Ok(_) => {
                tracing::error!(consumer = %self.name, event_id = %key, deliveries = delivery.delivered, %error, "event parked");
                Settle::Term
            }
            Err(e) => {
                tracing::warn!(consumer = %self.name, event_id = %key, error = %e, "parking failed; will retry");
                Settle::Nak(self.config.retry_delay(delivery.delivered))
            }
        }
    }

    /// Applies the parked event `event_id` again (after a fix), removing it
    /// from the parked list when it succeeds. Returns `Ok(false)` if no such
    /// event is parked for this consumer.
    pub async fn replay_parked(&self, event_id: &str) -> anyhow::Result<bool> {
        let backend = self.db.get_database_backend();
        let txn = self.db.begin().await?;
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

/// A handler error caused by a lost database connection is the
/// infrastructure's, not the event's: it must not count towards parking.
fn classify(error: anyhow::Error) -> Failure {
    let infrastructure = error.chain().any(|cause| {
        matches!(
            cause.downcast_ref::<DbErr>(),
            Some(DbErr::Conn(_) | DbErr::ConnectionAcquire(_))
        )
    });
    if infrastructure {
        Failure::Infrastructure(format!("{error:#}"))
    } else {
        Failure::Handler {
            error: format!("{error:#}"),
        }
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
