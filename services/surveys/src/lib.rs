//! Interlink's first-party *surveys* interlinker: questionnaires of single
//! and multiple choice, scale and text questions, published for citizens to
//! answer (signed in, once each, or anonymously as the survey says), closed,
//! and read back as charts and CSV, served over the interlinker contract
//! (`docs/interlinker-contract/v1`) on an HTTP origin of its own, with a
//! database of its own. It runs as the `surveys` role of the binary, in
//! `interlink up` and alone with `interlink serve surveys`.

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

pub use http::Surveys;
pub use migrations::Migrator;

/// The surveys interlinker as a role of the binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct SurveysRole;

impl Role for SurveysRole {
    fn name(&self) -> &'static str {
        "surveys"
    }

    fn has_database(&self) -> bool {
        true
    }

    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(interlink_runtime::db::migrate::<Migrator>(db, "surveys"))
    }

    fn start<'a>(
        &'a self,
        context: RoleContext,
        _routes: &'a mut RoutesBuilder,
    ) -> BoxFuture<'a, anyhow::Result<Vec<String>>> {
        Box::pin(async move {
            use interlink_interlinker_http as kit;
            let db = context
                .db
                .clone()
                .ok_or_else(|| anyhow::anyhow!("the surveys role needs its database"))?;
            let settings = &context.config.surveys;
            let listener = tokio::net::TcpListener::bind(settings.listen)
                .await
                .with_context(|| format!("binding surveys.listen {}", settings.listen))?;
            let added = genesis::seed(&db).await?;
            if added > 0 {
                tracing::info!(added, "added the seed's genesis surveys");
            }
            let public_url = kit::public_url(settings, listener.local_addr()?);
            let surveys = Surveys::new(
                db.clone(),
                Arc::new(kit::authenticator(&context.config, settings, &public_url)?),
                &kit::session_secret(&db).await?,
                public_url.clone(),
                kit::platform_origin(&context.config, settings),
            )
            .with_access_checks(kit::Gate::access_url(&kit::platform_origin(
                &context.config,
                settings,
            )))?;
            println!("surveys: {public_url} (the surveys interlinker)");
            tracing::info!(%public_url, "the surveys interlinker is serving");
            let shutdown = context.shutdown.clone();
            context.tasks.spawn(async move {
                let served = axum::serve(listener, surveys.router())
                    .with_graceful_shutdown(shutdown.cancelled_owned())
                    .await;
                if let Err(e) = served {
                    tracing::error!(error = %e, "the surveys interlinker stopped");
                }
            });
            // No gRPC service: it speaks the interlinker contract over HTTP.
            Ok(Vec::new())
        })
    }
}
