//! The catalogue service (WP3). This first part is the domain of
//! co-production schemas: the phase → objective → task tree and the rules a
//! schema must meet before it is stored. The gRPC service, storage,
//! interlinkers, problem profiles, ratings, search and the seed follow.

pub mod domain;
