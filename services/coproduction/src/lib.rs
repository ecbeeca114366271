//! The co-production service (WP2): processes planned as a tree of phases
//! → objectives → tasks built from catalogue schemas, with the status
//! roll-up stored as it changes; teams, memberships, schemas and
//! interlinkers are projections of the other services' events.

mod access;
mod convert;
pub mod domain;
pub mod error;
pub mod events;
pub mod grpc;
pub mod mirrors;
pub mod remote;
pub mod store;
mod transfer;
mod work;

pub use grpc::CoproductionApi;
pub use store::migrations::Migrator;

/// The fully-qualified name of the gRPC service.
pub const SERVICE_NAME: &str = "interlink.coproduction.v1.CoproductionService";

use std::sync::Arc;

use futures::future::BoxFuture;
use interlink_proto::coproduction::v1::coproduction_service_server::CoproductionServiceServer;
use interlink_runtime::events::Consumer;
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DbErr};
use tonic::service::RoutesBuilder;

/// The services whose events co-production projects, each with its own
/// durable consumer (`coproduction-<service>`).
pub const PROJECTED_SERVICES: [&str; 2] = ["community", "catalogue"];

/// The `coproduction` role of the `interlink` binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct CoproductionRole;

impl Role for CoproductionRole {
    fn name(&self) -> &'static str {
        "coproduction"
    }

    fn has_database(&self) -> bool {
        true
    }

    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(interlink_runtime::db::migrate::<Migrator>(
            db,
            "coproduction",
        ))
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
                .ok_or_else(|| anyhow::anyhow!("the coproduction role needs its database"))?;
            let projections = Arc::new(events::Projections);
            for service in PROJECTED_SERVICES {
                let consumer = Consumer::new(
                    format!("coproduction-{service}"),
                    context.subjects().service(service),
                    db.clone(),
                    context.bus.clone(),
                    projections.clone(),
                    context.config.events.clone(),
                )
                .announce_parked(context.outbox.clone());
                let shutdown = context.shutdown.clone();
                context.tasks.spawn(async move {
                    if let Err(e) = consumer.run(shutdown).await {
                        tracing::error!(error = %e, "co-production projection consumer stopped");
                    }
                });
            }
            // Other deployments' stories, as the federation service
            // verified them.
            let mirrors = Consumer::new(
                "coproduction-mirrors",
                context.subjects().aggregate("federation", "mirror"),
                db.clone(),
                context.bus.clone(),
                Arc::new(mirrors::Mirrors),
                context.config.events.clone(),
            )
            .announce_parked(context.outbox.clone());
            let shutdown = context.shutdown.clone();
            context.tasks.spawn(async move {
                if let Err(e) = mirrors.run(shutdown).await {
                    tracing::error!(error = %e, "co-production mirror consumer stopped");
                }
            });
            let mut api = CoproductionApi::new(db.clone(), context.outbox.clone());
            if let Some(tokens) = remote::tokens(&context.config)? {
                let worker = interlink_runtime::jobs::Worker::new(
                    db,
                    Arc::new(remote::RemoteAssets),
                    Arc::clone(&tokens),
                    interlink_runtime::jobs::JobsConfig::default(),
                )?;
                api = api.with_remote_calls(worker.waker(), tokens);
                if let Some(keys) = interlink_runtime::auth::interlinker_signer(&context.config)? {
                    api = api.with_interlinker_keys(Arc::new(keys));
                }
                let shutdown = context.shutdown.clone();
                context.tasks.spawn(worker.run(shutdown));
            }
            let max = context.config.grpc.max_message_bytes;
            routes.add_service(
                CoproductionServiceServer::new(api)
                    .max_decoding_message_size(max)
                    .max_encoding_message_size(max),
            );
            Ok(vec![SERVICE_NAME.to_owned()])
        })
    }
}
