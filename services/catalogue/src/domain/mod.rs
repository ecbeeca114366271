//! The catalogue's rules, free of transport and storage.

pub mod schema;

/// One refused field: its path in the request and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Dotted path, as in the proto (`schema.items[3].parent`).
    pub field: String,
    /// For a person.
    pub reason: String,
}

impl Violation {
    /// A violation of `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}
