//! The transactional outbox: a service appends the events of a change inside
//! the transaction that makes the change, so both commit or neither does. The
//! relay publishes them afterwards.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use prost::Message;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, Statement};
use tokio::sync::Notify;

use super::subjects::{EventType, Subjects};
use interlink_proto::events::v1::{Actor, ActorKind, Event};

/// Builds envelopes and appends them to the outbox; shared by a service's
/// handlers and its relay, which it wakes after each commit.
#[derive(Debug, Clone)]
pub struct Outbox {
    subjects: Subjects,
    wake: Arc<Notify>,
}

/// The parts of an event that its source decides.
#[derive(Debug, Clone)]
pub struct NewEvent<'a, M: prost::Name> {
    /// What happened.
    pub event_type: EventType,
    /// Who did it.
    pub actor: Actor,
    /// The organisation it belongs to (empty for platform-wide events).
    pub organization_id: &'a str,
    /// The id of the aggregate that changed.
    pub aggregate_id: &'a str,
    /// The version the aggregate reached with this change.
    pub aggregate_version: u64,
    /// The versioned payload.
    pub payload: &'a M,
}

impl Outbox {
    /// An outbox publishing under `subjects`.
    pub fn new(subjects: Subjects) -> Self {
        Self {
            subjects,
            wake: Arc::new(Notify::new()),
        }
    }

    /// The subjects events are published under.
    pub fn subjects(&self) -> &Subjects {
        &self.subjects
    }

    /// Builds the envelope of a new event (UUIDv7 id, current time).
    pub fn envelope<M: prost::Name>(&self, new: NewEvent<'_, M>) -> Result<Event, DbErr> {
        let payload = prost_types::Any::from_msg(new.payload)
            .map_err(|e| DbErr::Custom(format!("event payload does not encode: {e}")))?;
        Ok(Event {
            id: uuid::Uuid::now_v7().to_string(),
            r#type: new.event_type.to_string(),
            occurred_at: Some(prost_types::Timestamp::from(SystemTime::now())),
            actor: Some(new.actor),
            organization_id: new.organization_id.to_owned(),
            aggregate_type: new.event_type.aggregate.to_owned(),
            aggregate_id: new.aggregate_id.to_owned(),
            aggregate_version: new.aggregate_version,
            payload: Some(payload),
        })
    }

    /// Appends `events` to the outbox inside `txn` (the caller's transaction)
    /// with the current trace context. Nothing is published until the
    /// transaction commits; call [`Outbox::committed`] after the commit.
    ///
    /// Append *after* the write that changes (and so locks) the aggregate's
    /// row: outbox sequence numbers are taken at insert time, so writers of
    /// one aggregate must already be serialised by that lock for the relay's
    /// order to be their commit order.
    pub async fn append(&self, txn: &impl ConnectionTrait, events: &[Event]) -> Result<(), DbErr> {
        let backend = txn.get_database_backend();
        let traceparent = crate::telemetry::current_traceparent();
        let now = unix_millis();
        for event in events {
            let subject = self.subjects.for_type(&event.r#type);
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO interlink_outbox (event_id, subject, traceparent, payload, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
                [
                    event.id.clone().into(),
                    subject.into(),
                    traceparent.clone().into(),
                    event.encode_to_vec().into(),
                    now.into(),
                ],
            ))
            .await?;
        }
        Ok(())
    }

    /// Commits `txn` and wakes the relay, so the events go out at once.
    /// Inside a call with an idempotency key, the key is recorded in `txn`
    /// and the commit left to the idempotency layer, so the change, the key
    /// and the call's answer commit together (see [`crate::idempotency`]).
    pub async fn commit(&self, txn: DatabaseTransaction) -> Result<(), DbErr> {
        let wake = Arc::clone(&self.wake);
        crate::idempotency::commit_then(txn, move || wake.notify_one()).await
    }

    /// Commits `txn` without taking the call's idempotency key: for side
    /// effects that repeat harmlessly (registering a caller on their first
    /// call) and precede the call's own change.
    pub async fn commit_side_effect(&self, txn: DatabaseTransaction) -> Result<(), DbErr> {
        txn.commit().await?;
        self.committed();
        Ok(())
    }

    /// Tells the relay that a transaction with events has committed.
    pub fn committed(&self) {
        self.wake.notify_one();
    }

    /// Appends `events` in a transaction of their own and commits it.
    pub async fn publish(
        &self,
        db: &sea_orm::DatabaseConnection,
        events: &[Event],
    ) -> Result<(), DbErr> {
        let txn = crate::db::begin_write(db).await?;
        self.append(&txn, events).await?;
        self.commit(txn).await
    }

    pub(crate) fn wake_handle(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }
}

/// A system actor: a service acting on its own.
pub fn service_actor(service: &str) -> Actor {
    Actor {
        subject: service.to_owned(),
        kind: ActorKind::Service as i32,
        user: String::new(),
    }
}

/// A user actor, by OIDC subject, with the `users/{id}` the APIs name them
/// by (so partners reading the change feed see people as the APIs show
/// them).
pub fn user_actor(subject: &str) -> Actor {
    Actor {
        subject: subject.to_owned(),
        kind: ActorKind::User as i32,
        user: crate::api::user_name(subject),
    }
}

pub(crate) fn unix_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The payload of `event` as `M`, if it is one.
pub fn payload<M: prost::Name + Default>(event: &Event) -> Option<M> {
    event.payload.as_ref().and_then(|p| p.to_msg::<M>().ok())
}
