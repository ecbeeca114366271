//! The catalogue service (WP3): interlinkers, problem profiles, versioned
//! co-production schemas, ratings and search.

pub mod domain;
