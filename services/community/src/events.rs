//! What the community service publishes. Payloads are the versioned
//! messages of `interlink/community/v1/events.proto`.

use interlink_runtime::events::EventType;

/// The service token of every subject.
pub const SERVICE: &str = "community";

/// A user's first authenticated call.
pub const USER_REGISTERED: EventType = EventType::new(SERVICE, "user", "registered");
/// A profile changed.
pub const USER_UPDATED: EventType = EventType::new(SERVICE, "user", "updated");
/// An organisation was created.
pub const ORGANIZATION_CREATED: EventType = EventType::new(SERVICE, "organization", "created");
/// An organisation's fields changed.
pub const ORGANIZATION_UPDATED: EventType = EventType::new(SERVICE, "organization", "updated");
/// An organisation was deleted.
pub const ORGANIZATION_DELETED: EventType = EventType::new(SERVICE, "organization", "deleted");
/// An organisation got an administrator.
pub const ADMINISTRATOR_ADDED: EventType =
    EventType::new(SERVICE, "organization", "administrator_added");
/// An organisation lost an administrator.
pub const ADMINISTRATOR_REMOVED: EventType =
    EventType::new(SERVICE, "organization", "administrator_removed");
