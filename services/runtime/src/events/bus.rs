//! The two buses behind one interface: NATS JetStream for cluster mode, and an
//! embedded durable log in SQLite for one-process mode. Both deduplicate by
//! message id, keep every event until it is acknowledged, redeliver with a
//! delay after a nak, and count deliveries.

use std::time::Duration;

use async_nats::jetstream::{self, AckKind};
use bytes::Bytes;
use futures::{FutureExt, StreamExt};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};
use tokio::sync::watch;

use super::outbox::unix_millis;
use super::subjects::subject_matches;
use crate::config::{EventsConfig, NatsConfig};

/// A failure of the bus.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The NATS server could not be reached or refused the request.
    #[error("nats: {0}")]
    Nats(String),
    /// The embedded log's database failed.
    #[error("embedded bus: {0}")]
    Store(#[from] DbErr),
}

fn nats_error(e: impl std::fmt::Display) -> BusError {
    BusError::Nats(e.to_string())
}

/// An event leaving the outbox.
#[derive(Debug, Clone)]
pub struct OutgoingEvent {
    /// The subject it is published on.
    pub subject: String,
    /// The event id: the bus drops a second message with the same id.
    pub msg_id: String,
    /// W3C trace context of the change that caused it.
    pub traceparent: Option<String>,
    /// The encoded envelope.
    pub payload: Bytes,
}

/// How a consumer settles a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settle {
    /// Handled; never deliver again.
    Ack,
    /// Not handled now; deliver again after the delay.
    Nak(Duration),
    /// Given up on (parked by the consumer); never deliver again.
    Term,
}

/// One delivery of an event to a consumer.
#[derive(Debug)]
pub struct Delivery {
    /// The subject it was published on.
    pub subject: String,
    /// W3C trace context, if the publisher had one.
    pub traceparent: Option<String>,
    /// The encoded envelope.
    pub payload: Bytes,
    /// How many times it has been delivered, this time included.
    pub delivered: u64,
    /// Events after this one the consumer has yet to take (JetStream: its
    /// pending count; the embedded log: entries past this one, whatever
    /// their subject).
    pub pending: u64,
    token: DeliveryToken,
}

#[derive(Debug)]
enum DeliveryToken {
    JetStream(Box<jetstream::Message>),
    /// From the log past the cursor.
    EmbeddedLog {
        seq: i64,
    },
    /// From the redelivery queue.
    EmbeddedRedelivery {
        seq: i64,
    },
}

/// A bus: publish acknowledged batches, subscribe durable consumers.
#[derive(Debug, Clone)]
pub enum Bus {
    /// NATS JetStream.
    JetStream(JetStreamBus),
    /// The embedded SQLite log.
    Embedded(EmbeddedBus),
}

impl Bus {
    /// Publishes `events` in order. Returns how many of them, from the first,
    /// the bus has acknowledged, and the error that stopped it if not all.
    pub async fn publish(&self, events: &[OutgoingEvent]) -> (usize, Option<BusError>) {
        match self {
            Bus::JetStream(bus) => bus.publish(events).await,
            Bus::Embedded(bus) => match bus.publish(events).await {
                Ok(()) => (events.len(), None),
                Err(e) => (0, Some(e)),
            },
        }
    }

    /// Opens the durable consumer `name` over subjects matching `filter`,
    /// created on first use; it starts from the first event of the bus.
    pub async fn subscribe(
        &self,
        name: &str,
        filter: &str,
        config: &EventsConfig,
    ) -> Result<Subscription, BusError> {
        match self {
            Bus::JetStream(bus) => bus
                .subscribe(name, filter, config)
                .await
                .map(|s| Subscription::JetStream(Box::new(s))),
            Bus::Embedded(bus) => bus
                .subscribe(name, filter, config)
                .await
                .map(Subscription::Embedded),
        }
    }
}

/// An open durable consumer.
#[derive(Debug)]
pub enum Subscription {
    /// On JetStream.
    JetStream(Box<JetStreamSubscription>),
    /// On the embedded log.
    Embedded(EmbeddedSubscription),
}

impl Subscription {
    /// Waits for at least one delivery and returns up to `max` of those ready.
    /// Every delivery returned must be settled before the next call.
    pub async fn next_batch(&mut self, max: usize) -> Result<Vec<Delivery>, BusError> {
        match self {
            Subscription::JetStream(s) => s.next_batch(max).await,
            Subscription::Embedded(s) => s.next_batch(max).await,
        }
    }

    /// Tells the bus the deliveries are still being worked on, so it does not
    /// redeliver them while the consumer retries (JetStream's ack wait).
    pub async fn in_progress(&mut self, deliveries: &[&Delivery]) {
        if let Subscription::JetStream(_) = self {
            for delivery in deliveries {
                if let DeliveryToken::JetStream(message) = &delivery.token
                    && let Err(e) = message.ack_with(AckKind::Progress).await
                {
                    tracing::debug!(error = %e, "progress ack failed");
                }
            }
        }
    }

    /// Settles deliveries of the last batch.
    pub async fn settle(&mut self, outcomes: Vec<(Delivery, Settle)>) -> Result<(), BusError> {
        match self {
            Subscription::JetStream(s) => s.settle(outcomes).await,
            Subscription::Embedded(s) => s.settle(outcomes).await,
        }
    }
}

// ---------------------------------------------------------------------------
// JetStream

/// The JetStream bus: one stream captures every subject under the root.
#[derive(Debug, Clone)]
pub struct JetStreamBus {
    context: jetstream::Context,
    stream: String,
}

impl JetStreamBus {
    /// Connects (retrying while the server is away) and creates or updates
    /// the stream with the configured duplicate window.
    pub async fn connect(config: &NatsConfig) -> Result<Self, BusError> {
        let client = async_nats::ConnectOptions::new()
            .name("interlink")
            .retry_on_initial_connect()
            .connection_timeout(Duration::from_secs(5))
            .connect(config.url.as_str())
            .await
            .map_err(nats_error)?;
        let context = jetstream::new(client);
        context
            .create_or_update_stream(jetstream::stream::Config {
                name: config.stream.clone(),
                subjects: vec![format!("{}.>", config.subject_root)],
                duplicate_window: Duration::from_secs(config.duplicate_window_secs),
                storage: jetstream::stream::StorageType::File,
                retention: jetstream::stream::RetentionPolicy::Limits,
                ..Default::default()
            })
            .await
            .map_err(nats_error)?;
        Ok(Self {
            context,
            stream: config.stream.clone(),
        })
    }

    /// The JetStream context, for administration and tests.
    pub fn context(&self) -> &jetstream::Context {
        &self.context
    }

    /// The stream name.
    pub fn stream_name(&self) -> &str {
        &self.stream
    }

    async fn publish(&self, events: &[OutgoingEvent]) -> (usize, Option<BusError>) {
        // One at a time: each waits for its PubAck before the next is sent.
        // Pipelining could store k+1 before a failed k that is then retried,
        // putting an aggregate's events out of order in the stream.
        for (acked, event) in events.iter().enumerate() {
            let mut headers = async_nats::HeaderMap::new();
            headers.insert("Nats-Msg-Id", event.msg_id.as_str());
            if let Some(tp) = &event.traceparent {
                headers.insert("traceparent", tp.as_str());
            }
            let result = match self
                .context
                .publish_with_headers(event.subject.clone(), headers, event.payload.clone())
                .await
            {
                Ok(ack) => ack.await.map(drop).map_err(nats_error),
                Err(e) => Err(nats_error(e)),
            };
            if let Err(e) = result {
                return (acked, Some(e));
            }
        }
        (events.len(), None)
    }

    async fn subscribe(
        &self,
        name: &str,
        filter: &str,
        config: &EventsConfig,
    ) -> Result<JetStreamSubscription, BusError> {
        let stream = self
            .context
            .get_stream(&self.stream)
            .await
            .map_err(nats_error)?;
        let consumer: jetstream::consumer::PullConsumer = stream
            .get_or_create_consumer(
                name,
                jetstream::consumer::pull::Config {
                    durable_name: Some(name.to_owned()),
                    filter_subject: filter.to_owned(),
                    deliver_policy: jetstream::consumer::DeliverPolicy::All,
                    ack_policy: jetstream::consumer::AckPolicy::Explicit,
                    ack_wait: Duration::from_secs(config.ack_wait_secs),
                    // Parking after `max_deliveries` is the consumer's job, so
                    // the server never drops an event on its own.
                    max_deliver: -1,
                    max_ack_pending: 20_000,
                    ..Default::default()
                },
            )
            .await
            .map_err(nats_error)?;
        Ok(JetStreamSubscription {
            consumer,
            messages: None,
            batch: config.consumer_batch as usize,
        })
    }
}

/// A durable pull consumer on JetStream.
pub struct JetStreamSubscription {
    consumer: jetstream::consumer::PullConsumer,
    messages: Option<jetstream::consumer::pull::Stream>,
    batch: usize,
}

impl std::fmt::Debug for JetStreamSubscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JetStreamSubscription")
            .finish_non_exhaustive()
    }
}

impl JetStreamSubscription {
    async fn next_batch(&mut self, max: usize) -> Result<Vec<Delivery>, BusError> {
        let mut batch = Vec::new();
        loop {
            let messages = match &mut self.messages {
                Some(m) => m,
                None => self.messages.insert(
                    self.consumer
                        .stream()
                        .max_messages_per_batch(self.batch.max(max))
                        .heartbeat(Duration::from_secs(5))
                        .expires(Duration::from_secs(30))
                        .messages()
                        .await
                        .map_err(nats_error)?,
                ),
            };
            let next = if batch.is_empty() {
                messages.next().await
            } else {
                match messages.next().now_or_never() {
                    Some(next) => next,
                    None => return Ok(batch),
                }
            };
            match next {
                Some(Ok(message)) => {
                    let (delivered, pending) = message
                        .info()
                        .map(|i| (i.delivered.max(1) as u64, i.pending))
                        .unwrap_or((1, 0));
                    let traceparent = message
                        .headers
                        .as_ref()
                        .and_then(|h| h.get("traceparent"))
                        .map(|v| v.as_str().to_owned());
                    batch.push(Delivery {
                        subject: message.subject.to_string(),
                        traceparent,
                        payload: message.payload.clone(),
                        delivered,
                        pending,
                        token: DeliveryToken::JetStream(Box::new(message)),
                    });
                    if batch.len() >= max {
                        return Ok(batch);
                    }
                }
                Some(Err(e)) => {
                    if batch.is_empty() {
                        self.messages = None;
                        return Err(nats_error(e));
                    }
                    return Ok(batch);
                }
                None => {
                    self.messages = None;
                    if !batch.is_empty() {
                        return Ok(batch);
                    }
                }
            }
        }
    }

    async fn settle(&mut self, outcomes: Vec<(Delivery, Settle)>) -> Result<(), BusError> {
        for (delivery, settle) in outcomes {
            let DeliveryToken::JetStream(message) = delivery.token else {
                return Err(BusError::Nats(
                    "a delivery of another bus was settled here".into(),
                ));
            };
            let kind = match settle {
                Settle::Ack => AckKind::Ack,
                Settle::Nak(delay) => AckKind::Nak(Some(delay)),
                Settle::Term => AckKind::Term,
            };
            message.ack_with(kind).await.map_err(nats_error)?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Embedded

/// The embedded bus: an append-only log in its own SQLite database with a
/// cursor per consumer and a queue of pending redeliveries.
#[derive(Debug, Clone)]
pub struct EmbeddedBus {
    db: DatabaseConnection,
    appended: watch::Sender<u64>,
    poll: Duration,
}

impl EmbeddedBus {
    /// A bus over `db` (its migrations already applied: see
    /// [`super::schema::BusMigrator`]).
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            appended: watch::channel(0).0,
            poll: Duration::from_millis(500),
        }
    }

    /// Opens (creating and migrating) the log at `url`.
    pub async fn open(url: &str, config: &crate::config::DatabaseConfig) -> Result<Self, DbErr> {
        let db = crate::db::connect(url, config).await?;
        crate::db::migrate::<super::schema::BusMigrator>(&db, "interlink_bus").await?;
        Ok(Self::new(db))
    }

    /// The log's database, for administration and tests.
    pub fn database(&self) -> &DatabaseConnection {
        &self.db
    }

    async fn publish(&self, events: &[OutgoingEvent]) -> Result<(), BusError> {
        let txn = crate::db::begin_write(&self.db).await?;
        let now = unix_millis();
        for event in events {
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "INSERT INTO bus_log (msg_id, subject, traceparent, payload, stored_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (msg_id) DO NOTHING",
                [
                    event.msg_id.clone().into(),
                    event.subject.clone().into(),
                    event.traceparent.clone().into(),
                    event.payload.to_vec().into(),
                    now.into(),
                ],
            ))
            .await?;
        }
        txn.commit().await?;
        self.appended.send_modify(|n| *n = n.wrapping_add(1));
        Ok(())
    }

    async fn subscribe(
        &self,
        name: &str,
        filter: &str,
        _config: &EventsConfig,
    ) -> Result<EmbeddedSubscription, BusError> {
        crate::db::run_write(
            &self.db,
            "INSERT INTO bus_consumer (name, filter, cursor) VALUES ($1, $2, 0) \
             ON CONFLICT (name) DO UPDATE SET filter = excluded.filter",
            [name.into(), filter.into()],
        )
        .await?;
        let row = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT cursor FROM bus_consumer WHERE name = $1",
                [name.into()],
            ))
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(format!("bus consumer {name}")))?;
        let cursor: i64 = row.try_get("", "cursor")?;
        Ok(EmbeddedSubscription {
            db: self.db.clone(),
            name: name.to_owned(),
            filter: filter.to_owned(),
            cursor,
            scanned_to: cursor,
            appended: self.appended.subscribe(),
            poll: self.poll,
        })
    }
}

/// A durable consumer of the embedded log.
#[derive(Debug)]
pub struct EmbeddedSubscription {
    db: DatabaseConnection,
    name: String,
    filter: String,
    cursor: i64,
    /// The last log position looked at by the current batch.
    scanned_to: i64,
    appended: watch::Receiver<u64>,
    poll: Duration,
}

impl EmbeddedSubscription {
    async fn next_batch(&mut self, max: usize) -> Result<Vec<Delivery>, BusError> {
        let max = max.max(1);
        loop {
            // Mark the current state seen before looking, so an append that
            // lands after the look wakes us.
            self.appended.borrow_and_update();
            let now = unix_millis();
            let due = self
                .db
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT r.seq, r.deliveries, l.subject, l.traceparent, l.payload, \
                     (SELECT MAX(seq) FROM bus_log) AS head \
                     FROM bus_redelivery r JOIN bus_log l ON l.seq = r.seq \
                     WHERE r.consumer = $1 AND r.due_at <= $2 ORDER BY r.seq LIMIT $3",
                    [self.name.clone().into(), now.into(), (max as i64).into()],
                ))
                .await?;
            if !due.is_empty() {
                let mut batch = Vec::with_capacity(due.len());
                for row in due {
                    let seq: i64 = row.try_get("", "seq")?;
                    let deliveries: i64 = row.try_get("", "deliveries")?;
                    let head: i64 = row.try_get("", "head")?;
                    let payload: Vec<u8> = row.try_get("", "payload")?;
                    batch.push(Delivery {
                        subject: row.try_get("", "subject")?,
                        traceparent: row.try_get("", "traceparent")?,
                        payload: payload.into(),
                        delivered: deliveries as u64 + 1,
                        pending: (head - self.cursor).max(0) as u64,
                        token: DeliveryToken::EmbeddedRedelivery { seq },
                    });
                }
                self.scanned_to = self.cursor;
                return Ok(batch);
            }

            let rows = self
                .db
                .query_all_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT seq, subject, traceparent, payload, \
                     (SELECT MAX(seq) FROM bus_log) AS head FROM bus_log \
                     WHERE seq > $1 ORDER BY seq LIMIT $2",
                    [self.cursor.into(), (max as i64).into()],
                ))
                .await?;
            let mut batch: Vec<Delivery> = Vec::new();
            let mut scanned_to = self.cursor;
            let mut head = self.cursor;
            for row in rows {
                let seq: i64 = row.try_get("", "seq")?;
                scanned_to = seq;
                let subject: String = row.try_get("", "subject")?;
                head = row.try_get("", "head")?;
                if !subject_matches(&self.filter, &subject) {
                    continue;
                }
                let payload: Vec<u8> = row.try_get("", "payload")?;
                batch.push(Delivery {
                    subject,
                    traceparent: row.try_get("", "traceparent")?,
                    payload: payload.into(),
                    delivered: 1,
                    pending: (head - seq).max(0) as u64,
                    token: DeliveryToken::EmbeddedLog { seq },
                });
            }
            let behind = (head - scanned_to).max(0) as u64;
            if let Some(last) = batch.last_mut() {
                // What follows the last one was looked at already.
                last.pending = behind;
                self.scanned_to = scanned_to;
                return Ok(batch);
            }
            if scanned_to > self.cursor {
                // Only other consumers' subjects: step over them.
                super::lag::cell(&self.name).settled(behind, None);
                let txn = crate::db::begin_write(&self.db).await?;
                self.save_cursor(&txn, scanned_to).await?;
                txn.commit().await?;
                self.cursor = scanned_to;
                continue;
            }

            let next_due = self
                .db
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "SELECT MIN(due_at) AS due FROM bus_redelivery WHERE consumer = $1",
                    [self.name.clone().into()],
                ))
                .await?
                .and_then(|row| row.try_get::<Option<i64>>("", "due").ok().flatten());
            let mut wait = self.poll;
            if let Some(due) = next_due {
                wait = wait.min(Duration::from_millis(
                    due.saturating_sub(unix_millis()).max(1) as u64,
                ));
            }
            tokio::select! {
                _ = self.appended.changed() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    async fn save_cursor(&self, db: &impl ConnectionTrait, cursor: i64) -> Result<(), DbErr> {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            // Never backwards, whoever else moved it.
            "UPDATE bus_consumer SET cursor = MAX(cursor, $1) WHERE name = $2",
            [cursor.into(), self.name.clone().into()],
        ))
        .await?;
        Ok(())
    }

    async fn settle(&mut self, outcomes: Vec<(Delivery, Settle)>) -> Result<(), BusError> {
        let txn = crate::db::begin_write(&self.db).await?;
        let now = unix_millis();
        let mut advance = false;
        for (delivery, settle) in outcomes {
            match (delivery.token, settle) {
                (DeliveryToken::EmbeddedLog { .. }, Settle::Ack | Settle::Term) => advance = true,
                (DeliveryToken::EmbeddedLog { seq }, Settle::Nak(delay)) => {
                    advance = true;
                    txn.execute_raw(Statement::from_sql_and_values(
                        DbBackend::Sqlite,
                        "INSERT INTO bus_redelivery (consumer, seq, deliveries, due_at) \
                         VALUES ($1, $2, 1, $3) ON CONFLICT (consumer, seq) DO NOTHING",
                        [
                            self.name.clone().into(),
                            seq.into(),
                            (now + delay.as_millis() as i64).into(),
                        ],
                    ))
                    .await?;
                }
                (DeliveryToken::EmbeddedRedelivery { seq }, Settle::Ack | Settle::Term) => {
                    txn.execute_raw(Statement::from_sql_and_values(
                        DbBackend::Sqlite,
                        "DELETE FROM bus_redelivery WHERE consumer = $1 AND seq = $2",
                        [self.name.clone().into(), seq.into()],
                    ))
                    .await?;
                }
                (DeliveryToken::EmbeddedRedelivery { seq }, Settle::Nak(delay)) => {
                    txn.execute_raw(Statement::from_sql_and_values(
                        DbBackend::Sqlite,
                        "UPDATE bus_redelivery SET deliveries = deliveries + 1, due_at = $3 \
                         WHERE consumer = $1 AND seq = $2",
                        [
                            self.name.clone().into(),
                            seq.into(),
                            (now + delay.as_millis() as i64).into(),
                        ],
                    ))
                    .await?;
                }
                (DeliveryToken::JetStream(_), _) => {
                    return Err(BusError::Nats(
                        "a JetStream delivery was settled on the embedded bus".into(),
                    ));
                }
            }
        }
        let advance_to = (advance && self.scanned_to > self.cursor).then_some(self.scanned_to);
        if let Some(to) = advance_to {
            self.save_cursor(&txn, to).await?;
        }
        txn.commit().await?;
        if let Some(to) = advance_to {
            self.cursor = to;
        }
        Ok(())
    }
}
