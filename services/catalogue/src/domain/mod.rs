//! The catalogue's rules, free of transport and storage.

pub mod interlinker;
pub mod profile;
pub mod rating;
pub mod schema;

use std::collections::BTreeMap;

pub use interlink_runtime::validation::{
    Violation, check_translatable as check_text, check_url as check_uri,
};

/// Text per BCP 47 language tag.
pub type Text = BTreeMap<String, String>;
