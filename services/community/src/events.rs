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
/// A team was created.
pub const TEAM_CREATED: EventType = EventType::new(SERVICE, "team", "created");
/// A team's fields changed.
pub const TEAM_UPDATED: EventType = EventType::new(SERVICE, "team", "updated");
/// A team was deleted with its memberships.
pub const TEAM_DELETED: EventType = EventType::new(SERVICE, "team", "deleted");
/// A user joined a team, or their role in it changed.
pub const TEAM_MEMBER_ADDED: EventType = EventType::new(SERVICE, "team", "member_added");
/// A user left a team.
pub const TEAM_MEMBER_REMOVED: EventType = EventType::new(SERVICE, "team", "member_removed");
/// A user asked to join a team.
pub const APPLICATION_SUBMITTED: EventType =
    EventType::new(SERVICE, "team_application", "submitted");
/// A team accepted an application (the member event follows).
pub const APPLICATION_ACCEPTED: EventType = EventType::new(SERVICE, "team_application", "accepted");
/// A team rejected an application.
pub const APPLICATION_REJECTED: EventType = EventType::new(SERVICE, "team_application", "rejected");
/// An applicant withdrew.
pub const APPLICATION_WITHDRAWN: EventType =
    EventType::new(SERVICE, "team_application", "withdrawn");
/// A team invited an e-mail address.
pub const INVITATION_CREATED: EventType = EventType::new(SERVICE, "invitation", "created");
/// An invitee accepted (the member event follows).
pub const INVITATION_ACCEPTED: EventType = EventType::new(SERVICE, "invitation", "accepted");
/// A team revoked an invitation.
pub const INVITATION_REVOKED: EventType = EventType::new(SERVICE, "invitation", "revoked");
/// A user was erased (GDPR): anonymise what you hold about them.
pub const USER_ERASED: EventType = EventType::new(SERVICE, "user", "erased");
