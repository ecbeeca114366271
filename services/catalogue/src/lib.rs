//! The catalogue service (WP3): interlinkers of four natures with their
//! lifecycle, problem profiles, versioned co-production schemas, ratings,
//! and ranked multilingual search over an in-process index.

pub mod adoption;
mod convert;
pub mod domain;
pub mod error;
pub mod events;
pub mod genesis;
pub mod grpc;
mod interlinkers;
pub mod mirrors;
mod schemas;
pub mod search;
pub mod seed;
pub mod store;

pub use grpc::CatalogueApi;
pub use search::SearchIndex;
pub use store::migrations::Migrator;

/// The fully-qualified name of the gRPC service.
pub const SERVICE_NAME: &str = "interlink.catalogue.v1.CatalogueService";

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use interlink_proto::catalogue::v1::catalogue_service_server::CatalogueServiceServer;
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DbErr};
use tonic::service::RoutesBuilder;

/// How often the search index looks for writes made by other replicas.
pub const INDEX_REFRESH_INTERVAL: Duration = Duration::from_secs(1);

/// The `catalogue` role of the `interlink` binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct CatalogueRole;

impl Role for CatalogueRole {
    fn name(&self) -> &'static str {
        "catalogue"
    }

    fn has_database(&self) -> bool {
        true
    }

    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(interlink_runtime::db::migrate::<Migrator>(db, "catalogue"))
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
                .ok_or_else(|| anyhow::anyhow!("the catalogue role needs its database"))?;
            if context.config.catalogue.seed_when_empty && seed::is_empty(&db).await? {
                let started = std::time::Instant::now();
                let data = seed::SeedData::load()?.for_deployment(&context.config);
                let report = data.apply(&db, &context.outbox, |_| {}).await?;
                tracing::info!(
                    profiles = report.profiles,
                    schemas = report.schemas,
                    interlinkers = report.interlinkers,
                    elapsed_ms = started.elapsed().as_millis() as u64,
                    "seeded the empty catalogue"
                );
            }
            let index = Arc::new(SearchIndex::new()?);
            index.refresh(&db).await?;
            let adoption = interlink_runtime::events::Consumer::new(
                "catalogue-adoption",
                context.subjects().service("coproduction"),
                db.clone(),
                context.bus.clone(),
                Arc::new(adoption::Adoption),
                context.config.events.clone(),
            )
            .announce_parked(context.outbox.clone());
            let shutdown = context.shutdown.clone();
            context.tasks.spawn(async move {
                if let Err(e) = adoption.run(shutdown).await {
                    tracing::error!(error = %e, "catalogue adoption consumer stopped");
                }
            });
            let mirrors = interlink_runtime::events::Consumer::new(
                "catalogue-mirrors",
                context.subjects().aggregate("federation", "mirror"),
                db.clone(),
                context.bus.clone(),
                Arc::new(mirrors::Mirrors::new(context.outbox.clone())),
                context.config.events.clone(),
            )
            .announce_parked(context.outbox.clone());
            let shutdown = context.shutdown.clone();
            context.tasks.spawn(async move {
                if let Err(e) = mirrors.run(shutdown).await {
                    tracing::error!(error = %e, "catalogue mirrors consumer stopped");
                }
            });
            context.tasks.spawn(follow_catalogue(
                index.clone(),
                db.clone(),
                context.shutdown.clone(),
            ));
            let max = context.config.grpc.max_message_bytes;
            routes.add_service(
                CatalogueServiceServer::new(CatalogueApi::new(db, context.outbox.clone(), index))
                    .max_decoding_message_size(max)
                    .max_encoding_message_size(max),
            );
            Ok(vec![SERVICE_NAME.to_owned()])
        })
    }
}

/// Keeps `index` up to the table until `shutdown`, for writes this
/// process did not make (other replicas, the seed command).
pub async fn follow_catalogue(
    index: Arc<SearchIndex>,
    db: DatabaseConnection,
    shutdown: tokio_util::sync::CancellationToken,
) {
    let mut tick = tokio::time::interval(INDEX_REFRESH_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tick.tick() => {
                if let Err(e) = index.refresh(&db).await {
                    tracing::warn!(error = %e, "search index refresh failed");
                }
            }
        }
    }
}
