//! Events: subjects, the transactional outbox, the relay, the consumer runner
//! and the two buses (JetStream and embedded).

pub mod bus;
pub mod consumer;
pub mod lag;
pub mod outbox;
pub mod relay;
pub mod schema;
pub mod subjects;

pub use bus::{Bus, EmbeddedBus, JetStreamBus};
pub use consumer::{Consumer, EventHandler, ParkedEvent, list_parked};
pub use outbox::{NewEvent, Outbox, payload, service_actor, user_actor};
pub use relay::{Relay, outbox_backlog};
pub use schema::{
    BusMigrator, EventTablesMigration, EventTablesMigrator, IdempotencyDigestMigration,
    IdempotencyMigration,
};
pub use subjects::{EventType, Subjects};
