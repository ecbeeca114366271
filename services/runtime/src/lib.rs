//! What every Interlink service shares: configuration, telemetry, database
//! connections and migrations, the event plumbing (outbox → bus → inbox),
//! authentication, gRPC serving and the error vocabulary.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod descriptors;
pub mod echo;
pub mod error;
pub mod events;
pub mod grpc;
pub mod host;
pub mod idempotency;
pub mod jobs;
pub mod telemetry;
pub mod testing;
pub mod text;
pub mod validation;

pub use config::Config;
