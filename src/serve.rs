//! `interlink serve <role>`: one role against PostgreSQL and NATS JetStream,
//! as the container image runs it in Kubernetes.

use std::sync::Arc;

use anyhow::Context;
use interlink_runtime::Config;
use interlink_runtime::auth::{Authenticator, DevSigner, DevTokenRequest};
use interlink_runtime::events::{Bus, JetStreamBus};
use interlink_runtime::grpc::{ServeOptions, serve};
use interlink_runtime::host::{Host, Role};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The authenticator of a process: the configured OIDC issuer, or (both
/// `auth.issuer` and `auth.jwks_url` empty) the data directory's dev signer.
pub(crate) fn authenticator(config: &Config) -> anyhow::Result<Arc<Authenticator>> {
    if config.auth.jwks_url.is_empty() {
        let signer = DevSigner::load_or_create(&config.data_dir).context("dev signing key")?;
        Ok(Arc::new(signer.authenticator(&config.auth)))
    } else {
        Ok(Arc::new(Authenticator::remote(&config.auth)?))
    }
}

/// How the web pages sign people in: the dev sign-in page when `signer`
/// (the dev signer) is trusted, and the session key from
/// `gateway.web.session_key`, else `fallback_key`.
pub(crate) fn web_sign_in(
    config: &Config,
    signer: Option<Arc<DevSigner>>,
    fallback_key: Vec<u8>,
) -> interlink_gateway::SignIn {
    let session_key = if config.gateway.web.session_key.is_empty() {
        fallback_key
    } else {
        config.gateway.web.session_key.as_bytes().to_vec()
    };
    let dev = signer.map(|signer| {
        let audience = config.auth.audience.clone();
        let admin_claim = config.auth.admin_claim.clone();
        let mint: interlink_gateway::DevSignIn =
            Arc::new(move |token: &interlink_gateway::DevToken| {
                signer
                    .mint(
                        &DevTokenRequest {
                            subject: token.subject.clone(),
                            name: token.name.clone(),
                            email: None,
                            admin: token.admin,
                            ttl: token.ttl,
                        },
                        &audience,
                        &admin_claim,
                    )
                    .map_err(|e| e.to_string())
            });
        mint
    });
    let web = &config.gateway.web;
    let oidc = (!web.oidc_client_id.is_empty()).then(|| interlink_gateway::OidcSignIn {
        issuer: config.auth.issuer.clone(),
        client_id: web.oidc_client_id.clone(),
        client_secret: (!web.oidc_client_secret.is_empty()).then(|| web.oidc_client_secret.clone()),
        scopes: web
            .oidc_scopes
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
        admin_claim: config.auth.admin_claim.clone(),
    });
    interlink_gateway::SignIn {
        session_key,
        dev,
        dev_session: std::time::Duration::from_secs(web.dev_session_minutes * 60),
        oidc,
    }
}

/// Connects to `url` and applies `role`'s migrations.
pub(crate) async fn open_role_database(
    role: &dyn Role,
    url: &str,
    config: &Config,
) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let db = interlink_runtime::db::connect(url, &config.database)
        .await
        .with_context(|| format!("connecting the database of role `{}`", role.name()))?;
    role.migrate(&db)
        .await
        .with_context(|| format!("migrating role `{}`", role.name()))?;
    Ok(db)
}

/// Serves the roles' `routes` until shutdown, then stops their tasks and
/// waits for them to flush.
pub(crate) async fn serve_roles(
    host: &Host,
    listener: TcpListener,
    routes: tonic::service::RoutesBuilder,
    services: Vec<String>,
) -> anyhow::Result<()> {
    let served = serve(
        listener,
        routes,
        ServeOptions {
            config: host.config.grpc.clone(),
            authenticator: Arc::clone(&host.authenticator),
            health_services: services,
            extra_descriptor_sets: Vec::new(),
            idempotency: host.idempotency.clone(),
        },
        host.shutdown.clone(),
    )
    .await;
    // Whatever ended the server, stop the roles' tasks and let them flush.
    host.drain().await;
    Ok(served?)
}

/// Connects and migrates `role`'s database from `database.url`, if it keeps one.
pub(crate) async fn role_database(
    role: &dyn Role,
    config: &Config,
) -> anyhow::Result<Option<sea_orm::DatabaseConnection>> {
    if !role.has_database() {
        return Ok(None);
    }
    if config.database.url.is_empty() {
        anyhow::bail!(
            "configuration key `database.url` must be set to serve role `{}`",
            role.name()
        );
    }
    open_role_database(role, &config.database.url, config)
        .await
        .map(Some)
}

pub(crate) async fn run(
    role: Box<dyn Role>,
    config: Config,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    if config.auth.jwks_url.is_empty() {
        if !config.auth.dev_signer {
            anyhow::bail!(
                "configuration key `auth.jwks_url` (with `auth.issuer`) must be set to serve role `{}`; \
                 for a trial on one machine set `auth.dev_signer = true` to trust the data directory's dev key",
                role.name()
            );
        }
        tracing::warn!("auth.dev_signer: trusting the data directory's dev key");
    }
    let authenticator = authenticator(&config)?;
    let db = role_database(role.as_ref(), &config).await?;
    let bus = Bus::JetStream(
        JetStreamBus::connect(&config.nats)
            .await
            .with_context(|| format!("connecting nats.url {}", config.nats.url))?,
    );
    let listener = TcpListener::bind(config.grpc.listen)
        .await
        .with_context(|| format!("binding grpc.listen {}", config.grpc.listen))?;
    let address = listener.local_addr()?;
    let host = Host::new(
        bus,
        config.clone(),
        Arc::clone(&authenticator),
        shutdown.clone(),
    );
    let mut routes = tonic::service::RoutesBuilder::default();
    let services = host.start(role.as_ref(), db, &mut routes).await?;
    println!("serving role {} on grpc: http://{address}", role.name());
    tracing::info!(role = role.name(), %address, "serving");
    serve_roles(&host, listener, routes, services).await?;
    tracing::info!(role = role.name(), "stopped");
    Ok(())
}

/// `serve gateway`: the front door in front of the roles at
/// `gateway.upstreams`, on `gateway.listen`.
pub(crate) async fn run_gateway(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    if config.auth.jwks_url.is_empty() && !config.auth.dev_signer {
        anyhow::bail!(
            "configuration key `auth.jwks_url` (with `auth.issuer`) must be set to serve role `gateway`; \
             for a trial on one machine set `auth.dev_signer = true` to trust the data directory's dev key"
        );
    }
    if config.gateway.upstreams.is_empty() {
        anyhow::bail!(
            "configuration key `gateway.upstreams` must name at least one role's URL \
             (e.g. INTERLINK__GATEWAY__UPSTREAMS__CATALOGUE=http://catalogue:50051)"
        );
    }
    let known: Vec<&str> = crate::roles::all().iter().map(|r| r.name()).collect();
    let pool = interlink_gateway::descriptor_pool()?;
    let mut upstreams = interlink_gateway::Upstreams::default();
    for (role, url) in &config.gateway.upstreams {
        if !known.contains(&role.as_str()) {
            anyhow::bail!(
                "configuration key `gateway.upstreams` names unknown role `{role}`; roles are: {}",
                known.join(", ")
            );
        }
        let upstream = interlink_gateway::Upstream::connect(role, url)
            .with_context(|| format!("gateway.upstreams.{role} = {url}"))?;
        upstreams.add_role(&pool, upstream);
    }
    let dev_signer = if config.auth.jwks_url.is_empty() {
        Some(Arc::new(
            DevSigner::load_or_create(&config.data_dir).context("dev signing key")?,
        ))
    } else {
        None
    };
    if config.gateway.web.session_key.is_empty() {
        tracing::warn!(
            "gateway.web.session_key is empty: a random key seals this replica's sessions, \
             which end when it stops and are not served by other replicas"
        );
    }
    let sign_in = web_sign_in(
        &config,
        dev_signer,
        interlink_gateway::SignIn::random_key().session_key,
    );
    let gateway = interlink_gateway::Gateway::new(interlink_gateway::GatewayOptions {
        config: config.gateway.clone(),
        authenticator: authenticator(&config)?,
        upstreams,
    })?
    .with_sign_in(sign_in);
    let gateway = match interlink_runtime::auth::interlinker_signer(&config)? {
        Some(keys) => gateway.with_interlinker_keys(&keys.jwks())?,
        None => gateway,
    };
    let listener = TcpListener::bind(config.gateway.listen)
        .await
        .with_context(|| format!("binding gateway.listen {}", config.gateway.listen))?;
    let address = listener.local_addr()?;
    println!("serving role gateway on http: http://{address}");
    tracing::info!(%address, routes = gateway.routes().len(), "gateway serving");
    interlink_gateway::serve(
        listener,
        gateway.router(),
        interlink_gateway::ConnectionLimits::of(&config.gateway),
        shutdown,
    )
    .await?;
    tracing::info!("gateway stopped");
    Ok(())
}
