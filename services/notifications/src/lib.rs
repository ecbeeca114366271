//! The notifications service: who hears of what in the co-production
//! processes. Fed only by the mesh's events, it keeps projections of
//! teams, memberships, grants, process trees and administrators; its rules
//! ([`rules`]) turn each event into notices for the people concerned,
//! kept once per event and person in each one's in-app inbox, told in
//! their language (Fluent templates, [`texts`]).

pub mod error;
pub mod grpc;
pub mod migrations;
pub mod rules;
pub mod store;
pub mod texts;

use futures::future::BoxFuture;
use interlink_proto::events::v1::Event;
use interlink_proto::notifications::v1::notification_service_server::NotificationServiceServer;
use interlink_runtime::events::{Consumer, EventHandler};
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use tonic::service::RoutesBuilder;

pub use grpc::NotificationsApi;
pub use migrations::Migrator;

/// The fully-qualified name of the gRPC service.
pub const SERVICE_NAME: &str = "interlink.notifications.v1.NotificationService";

/// The consumer of every event of the mesh: projections first, then the
/// notices they decide, each kept for its people (never for who acted).
#[derive(Debug, Default)]
pub struct Notifier;

impl EventHandler for Notifier {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        let mut notices = rules::notices(event);
        notices.extend(store::apply(txn, event).await?);
        let actor = rules::actor_id(event);
        for notice in &notices {
            let mut people = std::collections::BTreeSet::new();
            for audience in &notice.audience {
                people.extend(store::resolve(txn, audience).await?);
            }
            people.remove(&actor);
            store::insert(txn, event, notice, &people).await?;
        }
        Ok(())
    }
}

/// The `notifications` role of the `interlink` binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotificationsRole;

impl Role for NotificationsRole {
    fn name(&self) -> &'static str {
        "notifications"
    }

    fn has_database(&self) -> bool {
        true
    }

    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(interlink_runtime::db::migrate::<Migrator>(
            db,
            "notifications",
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
                .ok_or_else(|| anyhow::anyhow!("the notifications role needs its database"))?;
            let consumer = Consumer::new(
                "notifications",
                context.subjects().all(),
                db.clone(),
                context.bus.clone(),
                std::sync::Arc::new(Notifier),
                context.config.events.clone(),
            )
            .announce_parked(context.outbox.clone());
            let shutdown = context.shutdown.clone();
            context.tasks.spawn(async move {
                if let Err(e) = consumer.run(shutdown).await {
                    tracing::error!(error = %e, "notifications consumer stopped");
                }
            });
            let max = context.config.grpc.max_message_bytes;
            routes.add_service(
                NotificationServiceServer::new(NotificationsApi::new(db))
                    .max_decoding_message_size(max)
                    .max_encoding_message_size(max),
            );
            Ok(vec![SERVICE_NAME.to_owned()])
        })
    }
}
