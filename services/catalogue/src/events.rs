//! What the catalogue publishes. Payloads are the versioned messages of
//! `interlink/catalogue/v1/events.proto`.

use interlink_runtime::events::EventType;

/// The service token of every subject.
pub const SERVICE: &str = "catalogue";

/// A draft (or deprecated entry) became visible.
pub const INTERLINKER_PUBLISHED: EventType = EventType::new(SERVICE, "interlinker", "published");
/// A published entry changed.
pub const INTERLINKER_UPDATED: EventType = EventType::new(SERVICE, "interlinker", "updated");
/// A published entry left search and recommendations.
pub const INTERLINKER_DEPRECATED: EventType = EventType::new(SERVICE, "interlinker", "deprecated");
/// A mirror was copied into a local draft.
pub const INTERLINKER_ADOPTED: EventType = EventType::new(SERVICE, "interlinker", "adopted");
/// A rating was added, replaced or deleted.
pub const RATING_CHANGED: EventType = EventType::new(SERVICE, "interlinker", "rating_changed");
/// A schema version was published, with its whole tree.
pub const SCHEMA_VERSION_PUBLISHED: EventType =
    EventType::new(SERVICE, "schema", "version_published");
/// A schema became shared, or stopped being shared.
pub const SCHEMA_SHARING_CHANGED: EventType = EventType::new(SERVICE, "schema", "sharing_changed");
/// A mirrored schema was copied into a local one.
pub const SCHEMA_ADOPTED: EventType = EventType::new(SERVICE, "schema", "adopted");
