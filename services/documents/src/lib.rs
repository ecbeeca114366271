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
use interlink_runtime::Config;
use interlink_runtime::auth::{Authenticator, DevSigner};
use interlink_runtime::config::{AuthConfig, InterlinkerConfig};
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DbErr};
use tonic::service::RoutesBuilder;

pub use http::Documents;
pub use migrations::Migrator;

/// The documents interlinker as a role of the binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct DocumentsRole;

/// What verifies the platform's tokens for the interlinker `config`
/// reached at `public_url`: the platform's JWKS when configured, else the
/// data directory's dev signer (embedded mode), in both cases with the
/// interlinker's own audience (its public URL unless configured).
pub fn authenticator(
    config: &Config,
    interlinker: &InterlinkerConfig,
    public_url: &str,
) -> anyhow::Result<Authenticator> {
    let audience = if interlinker.audience.is_empty() {
        public_url.to_owned()
    } else {
        interlinker.audience.clone()
    };
    let auth = AuthConfig {
        issuer: interlinker.issuer.clone(),
        audience,
        jwks_url: interlinker.jwks_url.clone(),
        ..config.auth.clone()
    };
    if interlinker.jwks_url.is_empty() {
        let signer = DevSigner::load_or_create(&config.data_dir).context("dev signing key")?;
        Ok(signer.authenticator(&auth))
    } else {
        Ok(Authenticator::remote(&auth)?)
    }
}

/// The address people reach an interlinker at: `public_url`, else `http://`
/// and the address it is bound to.
pub fn public_url(interlinker: &InterlinkerConfig, bound: std::net::SocketAddr) -> String {
    if interlinker.public_url.is_empty() {
        format!("http://{bound}")
    } else {
        interlinker.public_url.trim_end_matches('/').to_owned()
    }
}

/// The platform's web origin for an interlinker: `platform_origin`, else the
/// gateway's own address.
pub fn platform_origin(config: &Config, interlinker: &InterlinkerConfig) -> String {
    if interlinker.platform_origin.is_empty() {
        format!("http://{}", config.gateway.listen)
    } else {
        interlinker.platform_origin.trim_end_matches('/').to_owned()
    }
}

/// A random secret for page sessions, kept in the database so sessions
/// outlive a restart and replicas share it.
async fn session_secret(db: &DatabaseConnection) -> anyhow::Result<Vec<u8>> {
    use rand::RngCore;
    let hex = store::setting(db, "session_secret", || {
        let mut bytes = [0u8; 64];
        rand::thread_rng().fill_bytes(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    })
    .await?;
    Ok(hex.into_bytes())
}

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
                &session_secret(&db).await?,
                public_url.clone(),
                platform_origin(&context.config, settings),
            );
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
