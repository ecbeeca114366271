//! The community service (WP5): users and organisations (teams, memberships,
//! join requests, invitations and GDPR follow), the source of truth for who
//! belongs where. Other services learn it from its events.

pub mod domain;
pub mod error;
pub mod events;
mod gdpr;
pub mod grpc;
mod requests;
pub mod store;
mod teams;

use futures::future::BoxFuture;
use interlink_proto::community::v1::community_service_server::CommunityServiceServer;
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DbErr};
use tonic::service::RoutesBuilder;

pub use grpc::CommunityApi;
pub use store::migrations::Migrator;

/// The fully-qualified name of the gRPC service.
pub const SERVICE_NAME: &str = "interlink.community.v1.CommunityService";

/// The `community` role of the `interlink` binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct CommunityRole;

impl Role for CommunityRole {
    fn name(&self) -> &'static str {
        "community"
    }

    fn has_database(&self) -> bool {
        true
    }

    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(interlink_runtime::db::migrate::<Migrator>(db, "community"))
    }

    fn start<'a>(
        &'a self,
        context: RoleContext,
        routes: &'a mut RoutesBuilder,
    ) -> BoxFuture<'a, anyhow::Result<Vec<String>>> {
        Box::pin(async move {
            let db = context
                .db
                .clone()
                .ok_or_else(|| anyhow::anyhow!("the community role needs its database"))?;
            let max = context.config.grpc.max_message_bytes;
            routes.add_service(
                CommunityServiceServer::new(CommunityApi::new(db, context.outbox.clone()))
                    .max_decoding_message_size(max)
                    .max_encoding_message_size(max),
            );
            Ok(vec![SERVICE_NAME.to_owned()])
        })
    }
}
