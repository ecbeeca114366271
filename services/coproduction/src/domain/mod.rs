//! Co-production's rules, free of transport and storage: the status
//! roll-up and progress, and the checks on a tree's items.

pub mod permissions;
pub mod rollup;
pub mod tree;

use std::collections::BTreeMap;

pub use interlink_runtime::validation::{Violation, check_translatable as check_text, check_url};

/// Text per BCP 47 language tag.
pub type Text = BTreeMap<String, String>;

/// Where a task, or a rolled-up item, stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    /// Not started.
    Awaiting,
    /// Started.
    InProgress,
    /// Done.
    Finished,
}

impl Status {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Awaiting => "awaiting",
            Status::InProgress => "in_progress",
            Status::Finished => "finished",
        }
    }

    /// The status named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Status::Awaiting, Status::InProgress, Status::Finished]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// The level of a tree item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Under the process.
    Phase,
    /// Under a phase.
    Objective,
    /// Under an objective.
    Task,
}

impl Kind {
    /// The stored name, also the collection of its resource name
    /// (`phases/{id}` …) without the plural.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Phase => "phase",
            Kind::Objective => "objective",
            Kind::Task => "task",
        }
    }

    /// The kind named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Kind::Phase, Kind::Objective, Kind::Task]
            .into_iter()
            .find(|k| k.as_str() == name)
    }

    /// The collection of its resource names.
    pub fn collection(self) -> &'static str {
        match self {
            Kind::Phase => "phases",
            Kind::Objective => "objectives",
            Kind::Task => "tasks",
        }
    }

    /// The kind its parent has; `None` for phases (under the process).
    pub fn parent(self) -> Option<Kind> {
        match self {
            Kind::Phase => None,
            Kind::Objective => Some(Kind::Phase),
            Kind::Task => Some(Kind::Objective),
        }
    }
}

/// Who co-produces with whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Citizens with citizens.
    C2c,
    /// Citizens with government.
    C2g,
    /// Government with citizens.
    G2c,
    /// Governments together.
    GPlusG,
}

impl Model {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Model::C2c => "c2c",
            Model::C2g => "c2g",
            Model::G2c => "g2c",
            Model::GPlusG => "g_plus_g",
        }
    }

    /// The model named `name`.
    pub fn parse(name: &str) -> Option<Self> {
        [Model::C2c, Model::C2g, Model::G2c, Model::GPlusG]
            .into_iter()
            .find(|m| m.as_str() == name)
    }
}
