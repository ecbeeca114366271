//! The co-production service (WP2).

pub mod domain;
