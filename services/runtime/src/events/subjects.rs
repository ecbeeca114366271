//! Every NATS subject and stream name of the mesh is built here.
//!
//! An event of type `<service>.<aggregate>.<verb>` travels on
//! `<root>.<service>.<aggregate>.<verb>`, where the root is `interlink` in
//! production and a unique prefix in tests.

use std::fmt;

/// The type of an event: which service, aggregate and verb. Each token is
/// lower-case letters, digits and `_`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EventType {
    /// The publishing service, e.g. `community`.
    pub service: &'static str,
    /// The aggregate that changed, e.g. `team`.
    pub aggregate: &'static str,
    /// What happened to it, e.g. `created`.
    pub verb: &'static str,
}

impl EventType {
    /// An event type from its three tokens.
    pub const fn new(service: &'static str, aggregate: &'static str, verb: &'static str) -> Self {
        Self {
            service,
            aggregate,
            verb,
        }
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.service, self.aggregate, self.verb)
    }
}

/// Builds subjects under one root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subjects {
    root: String,
}

impl Subjects {
    /// Subjects under `root` (e.g. `interlink`).
    pub fn new(root: impl Into<String>) -> Self {
        Self { root: root.into() }
    }

    /// The root token(s).
    pub fn root(&self) -> &str {
        &self.root
    }

    /// The subject an event of `event_type` (as in the envelope's `type`) is published on.
    pub fn for_type(&self, event_type: &str) -> String {
        format!("{}.{}", self.root, event_type)
    }

    /// The subject of an [`EventType`].
    pub fn event(&self, event_type: EventType) -> String {
        self.for_type(&event_type.to_string())
    }

    /// Every subject of the mesh: what the stream captures.
    pub fn all(&self) -> String {
        format!("{}.>", self.root)
    }

    /// Every event of one service.
    pub fn service(&self, service: &str) -> String {
        format!("{}.{}.>", self.root, service)
    }

    /// Every event of one aggregate type of one service.
    pub fn aggregate(&self, service: &str, aggregate: &str) -> String {
        format!("{}.{}.{}.*", self.root, service, aggregate)
    }
}

/// Whether `subject` matches the NATS filter `filter` (`*` is one token, a
/// final `>` is one or more tokens).
pub fn subject_matches(filter: &str, subject: &str) -> bool {
    let mut subject_tokens = subject.split('.');
    let mut filter_tokens = filter.split('.').peekable();
    while let Some(f) = filter_tokens.next() {
        if f == ">" && filter_tokens.peek().is_none() {
            return subject_tokens.next().is_some();
        }
        match subject_tokens.next() {
            Some(s) if f == "*" || f == s => {}
            _ => return false,
        }
    }
    subject_tokens.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEAM_CREATED: EventType = EventType::new("community", "team", "created");

    #[test]
    fn subjects_are_rooted() {
        let subjects = Subjects::new("interlink");
        assert_eq!(
            subjects.event(TEAM_CREATED),
            "interlink.community.team.created"
        );
        assert_eq!(subjects.all(), "interlink.>");
        assert_eq!(subjects.service("community"), "interlink.community.>");
        assert_eq!(
            subjects.aggregate("community", "team"),
            "interlink.community.team.*"
        );
    }

    #[test]
    fn wildcards_follow_nats() {
        let s = "interlink.community.team.created";
        assert!(subject_matches("interlink.>", s));
        assert!(subject_matches("interlink.community.>", s));
        assert!(subject_matches("interlink.*.team.*", s));
        assert!(subject_matches(s, s));
        assert!(!subject_matches("interlink.catalogue.>", s));
        assert!(!subject_matches("interlink.community.team", s));
        assert!(!subject_matches("interlink.community.team.created.x", s));
        assert!(!subject_matches("interlink.community.team.created.>", s));
        assert!(!subject_matches("interlink.*", s));
        assert!(!subject_matches("other.>", s));
    }
}
