//! The federation service: what this deployment shares with other
//! Interlink deployments (one per public administration).
//!
//! Editors mark catalogue entries as shared; the [`publisher`] turns the
//! catalogue's events about them into entries of this deployment's feed,
//! each signed (JWS, ES256) by the deployment's current key ([`keys`],
//! [`store`]). Peers pull the feed through the gateway ([`grpc`]), page by
//! page from a cursor, and verify each entry against the key they pinned,
//! following the endorsements a key rotation leaves. What the
//! configuration declares — the signing key and the peers — is applied
//! at each start ([`configured`]).

pub mod configured;
pub mod error;
pub mod feed_pages;
pub mod genesis;
pub mod grpc;
pub mod grpc_peers;
pub mod keys;
pub mod migrations;
pub mod peers;
pub mod publisher;
pub mod store;
pub mod subscriber;
pub mod work;

use std::sync::Arc;

use futures::future::BoxFuture;
use interlink_proto::federation::v1::federation_service_server::FederationServiceServer;
use interlink_runtime::events::Consumer;
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DbErr};
use tonic::service::RoutesBuilder;

pub use grpc::{FederationApi, Identity};
pub use migrations::Migrator;
pub use publisher::Publisher;

/// The largest answer read from a peer (a page of its feed).
pub const MAX_PAGE_BYTES: usize = 64 << 20;

/// The fully-qualified name of the gRPC service.
pub const SERVICE_NAME: &str = "interlink.federation.v1.FederationService";

/// Who this deployment is to its peers, from `config`: its public URL
/// (else the gateway's own address) and its name (else the site's).
pub fn identity(config: &interlink_runtime::Config) -> Identity {
    let federation = &config.federation;
    let issuer = if federation.public_url.is_empty() {
        format!("http://{}", config.gateway.listen)
    } else {
        federation.public_url.trim_end_matches('/').to_owned()
    };
    let display_name = if federation.display_name.trim().is_empty() {
        config.gateway.web.site_name.trim().to_owned()
    } else {
        federation.display_name.trim().to_owned()
    };
    Identity {
        issuer,
        display_name,
    }
}

/// The `federation` role of the `interlink` binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct FederationRole;

impl Role for FederationRole {
    fn name(&self) -> &'static str {
        "federation"
    }

    fn has_database(&self) -> bool {
        true
    }

    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(interlink_runtime::db::migrate::<Migrator>(db, "federation"))
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
                .ok_or_else(|| anyhow::anyhow!("the federation role needs its database"))?;
            let federation = &context.config.federation;
            // What the configuration declares, checked before anything.
            let key = configured::signing_key(federation)?;
            federation.validate_peers()?;
            let identity = identity(&context.config);
            configured::ensure_key(&db, &identity.issuer, key.as_ref()).await?;
            // The shared entries' events: the catalogue's interlinkers and
            // schemas, co-production's stories.
            let publisher = Arc::new(Publisher::new(identity.issuer.clone()));
            for service in ["catalogue", "coproduction"] {
                let consumer = Consumer::new(
                    format!("federation-{service}"),
                    context.subjects().service(service),
                    db.clone(),
                    context.bus.clone(),
                    publisher.clone(),
                    context.config.events.clone(),
                )
                .announce_parked(context.outbox.clone());
                let shutdown = context.shutdown.clone();
                context.tasks.spawn(async move {
                    if let Err(e) = consumer.run(shutdown).await {
                        tracing::error!(error = %e, "federation consumer stopped");
                    }
                });
            }
            let settings = subscriber::SyncSettings {
                interval: std::time::Duration::from_secs(federation.sync_interval_secs),
                page_size: federation.page_size,
                ..subscriber::SyncSettings::default()
            };
            let jobs = interlink_runtime::jobs::JobsConfig {
                retry_initial: std::time::Duration::from_secs(1),
                retry_max: settings.interval,
                timeout: std::time::Duration::from_secs(30),
                concurrency: 4,
                ..interlink_runtime::jobs::JobsConfig::default()
            };
            // Genesis assets are downloaded with the platform's tokens for
            // interlinkers, as co-production's calls to them are.
            let tokens =
                interlink_runtime::auth::interlinker_signer(&context.config)?.map(|signer| {
                    interlink_runtime::jobs::signed_by(
                        Arc::new(signer),
                        context.config.auth.admin_claim.clone(),
                        std::time::Duration::from_secs(300),
                    )
                });
            let worker = interlink_runtime::jobs::Worker::with_transport(
                db.clone(),
                Arc::new(work::FederationJobs::new(
                    subscriber::Subscriber::new(context.outbox.clone(), settings),
                    identity.issuer.clone(),
                )),
                work::FederationTransport::new(
                    subscriber::PeerTransport::new(
                        jobs.timeout,
                        federation.allow_http,
                        MAX_PAGE_BYTES,
                    )?,
                    genesis::GenesisTransport::new(jobs.timeout, tokens)?,
                ),
                jobs,
            );
            configured::declare_peers(&db, &federation.peers, &settings).await?;
            let peers = grpc_peers::PeersConfig {
                allow_http: federation.allow_http,
                settings,
                wake: worker.waker(),
            };
            context.tasks.spawn(worker.run(context.shutdown.clone()));
            let max = context.config.grpc.max_message_bytes;
            routes.add_service(
                FederationServiceServer::new(
                    FederationApi::new(db, identity, peers)
                        .with_key_from_file(!federation.signing_key_file.is_empty())
                        .with_feed_pace(federation.feed_bytes_per_second),
                )
                .max_decoding_message_size(max)
                .max_encoding_message_size(max),
            );
            Ok(vec![SERVICE_NAME.to_owned()])
        })
    }
}
