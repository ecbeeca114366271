//! The monitoring service (WP4): every event of the mesh kept once in a
//! tamper-evident audit trail (a SHA-256 chain per organisation), and the
//! adoption KPIs kept live as events arrive, with daily series and a
//! rebuild from the stored events.

pub mod error;
pub mod grpc;
pub mod kpis;
pub mod metrics;
pub mod migrations;
pub mod trail;

use std::sync::Arc;

use futures::future::BoxFuture;
use interlink_proto::events::v1::{Event, EventParked};
use interlink_proto::monitoring::v1::monitoring_service_server::MonitoringServiceServer;
use interlink_runtime::events::{Consumer, EventHandler};
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::Notify;
use tonic::service::RoutesBuilder;

pub use grpc::MonitoringApi;
pub use migrations::Migrator;

/// The fully-qualified name of the gRPC service.
pub const SERVICE_NAME: &str = "interlink.monitoring.v1.MonitoringService";

/// The consumer of every event of the mesh: into the trail, then the KPIs;
/// after each commit it wakes the change feeds.
#[derive(Debug, Default)]
pub struct Recorder {
    feed: Arc<Notify>,
    exported: metrics::Exported,
    /// The pseudonym salt, read once.
    salt: tokio::sync::OnceCell<String>,
}

impl Recorder {
    /// A recorder waking `feed` after each commit and noting its lag in
    /// `exported`.
    pub fn new(feed: Arc<Notify>, exported: metrics::Exported) -> Self {
        Self {
            feed,
            exported,
            salt: tokio::sync::OnceCell::new(),
        }
    }
}

impl EventHandler for Recorder {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        self.handle_batch(txn, std::slice::from_ref(event)).await
    }

    fn batches(&self) -> bool {
        true
    }

    async fn handle_batch(
        &self,
        txn: &DatabaseTransaction,
        events: &[Event],
    ) -> anyhow::Result<()> {
        let salt = self.salt.get_or_try_init(|| trail::salt(txn)).await?;
        let with_process: Vec<(&Event, String)> = events
            .iter()
            .map(|e| (e, kpis::process_of(e).unwrap_or_default()))
            .collect();
        // Stored once: events already in the trail change nothing.
        let entries = trail::append_batch(txn, &with_process, salt).await?;
        let mut changes = kpis::Changes::default();
        for (i, entry) in &entries {
            let (event, process) = &with_process[*i];
            let process = (!process.is_empty()).then_some(process.as_str());
            kpis::apply(txn, &mut changes, event, &entry.actor_pseudonym, process).await?;
            if event.r#type == "community.user.erased"
                && let Some(erased) = event.payload.as_ref().and_then(|p| {
                    p.to_msg::<interlink_proto::community::v1::UserErased>()
                        .ok()
                })
            {
                trail::erase(txn, &erased.subject).await?;
            }
            if event.r#type == "runtime.consumer.event_parked"
                && let Some(parked) = event
                    .payload
                    .as_ref()
                    .and_then(|p| p.to_msg::<EventParked>().ok())
            {
                trail::record_parked(txn, &parked).await?;
            }
        }
        changes.flush(txn).await?;
        Ok(())
    }

    fn after_commit(&self, events: &[Event]) {
        self.feed.notify_waiters();
        if let Some(newest) = events.iter().map(trail::occurred_ms).max() {
            self.exported
                .recorded(newest, interlink_runtime::api::now_ms());
        }
    }
}

/// The `monitoring` role of the `interlink` binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct MonitoringRole;

impl Role for MonitoringRole {
    fn name(&self) -> &'static str {
        "monitoring"
    }

    fn has_database(&self) -> bool {
        true
    }

    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(interlink_runtime::db::migrate::<Migrator>(db, "monitoring"))
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
                .ok_or_else(|| anyhow::anyhow!("the monitoring role needs its database"))?;
            let feed = Arc::new(Notify::new());
            let exported = metrics::Exported::default();
            let gauges = exported.register(&opentelemetry::global::meter("interlink.monitoring"));
            // The gauges read a snapshot of the KPIs, refreshed every 15 s.
            let (refresh_db, refreshed, stop) =
                (db.clone(), exported.clone(), context.shutdown.clone());
            context.tasks.spawn(async move {
                let _gauges = gauges;
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
                loop {
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tick.tick() => {
                            if let Err(e) = refreshed.refresh(&refresh_db).await {
                                tracing::warn!(error = %e, "refreshing the KPI gauges failed");
                            }
                        }
                    }
                }
            });
            let consumer = Consumer::new(
                "monitoring",
                context.subjects().all(),
                db.clone(),
                context.bus.clone(),
                Arc::new(Recorder::new(feed.clone(), exported)),
                context.config.events.clone(),
            )
            .announce_parked(context.outbox.clone());
            let shutdown = context.shutdown.clone();
            context.tasks.spawn(async move {
                if let Err(e) = consumer.run(shutdown).await {
                    tracing::error!(error = %e, "monitoring consumer stopped");
                }
            });
            let max = context.config.grpc.max_message_bytes;
            routes.add_service(
                MonitoringServiceServer::new(MonitoringApi::new(db, feed))
                    .max_decoding_message_size(max)
                    .max_encoding_message_size(max),
            );
            Ok(vec![SERVICE_NAME.to_owned()])
        })
    }
}
