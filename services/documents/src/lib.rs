//! Interlink's first-party *documents* interlinker: collaborative Markdown
//! documents with revisions, history and restore, per-user attribution,
//! safe rendering and downloads, served over the interlinker contract
//! (`docs/interlinker-contract/v1`) on an HTTP origin of its own, with a
//! database of its own. It runs as the `documents` role of the binary, in
//! `interlink up` and alone with `interlink serve documents`.

pub mod domain;
pub mod error;
pub mod genesis;
pub mod http;
pub mod i18n;
pub mod migrations;
pub mod store;

use std::sync::Arc;

use anyhow::Context;
use futures::future::BoxFuture;
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DbErr};
use tonic::service::RoutesBuilder;

pub use http::Documents;
pub use migrations::Migrator;

/// The documents interlinker as a role of the binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentsRole;

pub use interlink_interlinker_http::{authenticator, platform_origin, public_url};

impl Role for DocumentsRole {
    fn name(&self) -> &'static str {
        "documents"
    }

    fn has_database(&self) -> bool {
        true
    }

    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(interlink_runtime::db::migrate::<Migrator>(db, "documents"))
    }

    fn start<'a>(
        &'a self,
        context: RoleContext,
        _routes: &'a mut RoutesBuilder,
    ) -> BoxFuture<'a, anyhow::Result<Vec<String>>> {
        Box::pin(async move {
            let db = context
                .db
                .clone()
                .ok_or_else(|| anyhow::anyhow!("the documents role needs its database"))?;
            let settings = &context.config.documents;
            let listener = tokio::net::TcpListener::bind(settings.listen)
                .await
                .with_context(|| format!("binding documents.listen {}", settings.listen))?;
            let bound = listener.local_addr()?;
            let added = genesis::seed(&db).await?;
            if added > 0 {
                tracing::info!(added, "added the seed's genesis documents");
            }
            let public_url = public_url(settings, bound);
            let documents = Documents::new(
                db.clone(),
                Arc::new(authenticator(&context.config, settings, &public_url)?),
                &interlink_interlinker_http::session_secret(&db).await?,
                public_url.clone(),
                platform_origin(&context.config, settings),
            )
            .with_access_checks(interlink_interlinker_http::Gate::access_url(
                &platform_origin(&context.config, settings),
            ))?;
            println!("documents: {public_url} (the documents interlinker)");
            tracing::info!(%public_url, "the documents interlinker is serving");
            let shutdown = context.shutdown.clone();
            context.tasks.spawn(async move {
                let served = axum::serve(listener, documents.router())
                    .with_graceful_shutdown(shutdown.cancelled_owned())
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "the documents interlinker stopped");
                }
            });
            // No gRPC service: it speaks the interlinker contract over HTTP.
            Ok(Vec::new())
        })
    }
}
