//! `interlink up`: the embedded mesh. Every service that exists runs in this
//! process on its own SQLite file under the data directory, over the
//! embedded bus, behind one gRPC server, with the gateway (REST/JSON, gRPC,
//! gRPC-Web) on the HTTP port calling the services in process.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::routing::get;
use interlink_gateway::Gateway;
use interlink_runtime::Config;
use interlink_runtime::auth::{DevSigner, DevTokenRequest};
use interlink_runtime::events::{Bus, EmbeddedBus};
use interlink_runtime::host::Host;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::{roles, serve};

/// The embedded bus's log.
pub(crate) fn bus_url(config: &Config) -> String {
    format!("sqlite://{}", config.data_dir.join("bus.db").display())
}

/// The data directory's session key for the web pages (made on first
/// start, readable by its owner only), so sessions outlive a restart.
fn session_key(data_dir: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let path = data_dir.join("web-session-key");
    match std::fs::read(&path) {
        Ok(key) if key.len() >= 32 => return Ok(key),
        Ok(_) => {
            tracing::warn!(path = %path.display(), "the session key is too short; making a new one")
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let key = interlink_gateway::SignIn::random_key().session_key;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(&path)
        .with_context(|| format!("creating {}", path.display()))?;
    std::io::Write::write_all(&mut file, &key)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}

pub(crate) async fn run(mut config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    // The gateway's port is taken first, so the roles that tell others
    // where the platform is (the interlinkers' platform origin and access
    // checks) know it even when it was any free one.
    let http_listener = TcpListener::bind(config.gateway.listen)
        .await
        .with_context(|| format!("binding gateway.listen {}", config.gateway.listen))?;
    config.gateway.listen = http_listener.local_addr()?;
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    // With an issuer configured (auth.issuer, auth.jwks_url) the mesh trusts
    // its tokens alone; otherwise the data directory's dev signer.
    let signer = if config.auth.jwks_url.is_empty() {
        Some(Arc::new(
            DevSigner::load_or_create(&config.data_dir).context("dev signing key")?,
        ))
    } else {
        None
    };
    let authenticator = serve::authenticator(&config)?;
    let bus = EmbeddedBus::open(&bus_url(&config), &config.database)
        .await
        .context("opening the embedded bus")?;
    let host = Host::new(
        Bus::Embedded(bus),
        config.clone(),
        Arc::clone(&authenticator),
        shutdown.clone(),
    );
    let mut routes = tonic::service::RoutesBuilder::default();
    let mut services = Vec::new();
    let mut upstream_roles = Vec::new();
    for role in roles::all() {
        upstream_roles.push(role.name());
        let db = if role.has_database() {
            let url = roles::embedded_database_url(&config, role.name());
            Some(serve::open_role_database(role.as_ref(), &url, &config).await?)
        } else {
            None
        };
        services.extend(host.start(role.as_ref(), db, &mut routes).await?);
    }

    let grpc_listener = TcpListener::bind(config.grpc.listen)
        .await
        .with_context(|| format!("binding grpc.listen {}", config.grpc.listen))?;
    let grpc_addr = grpc_listener.local_addr()?;
    let http_addr = http_listener.local_addr()?;

    // The gateway calls the roles in process, through the same
    // authentication and spans as the gRPC server.
    let gateway = Gateway::in_process(
        config.gateway.clone(),
        Arc::clone(&authenticator),
        routes.clone(),
        host.idempotency.clone(),
        &upstream_roles,
        &services,
    )
    .await?
    .with_sign_in(serve::web_sign_in(
        &config,
        signer.clone(),
        session_key(&config.data_dir)?,
    ));
    let gateway = match interlink_runtime::auth::interlinker_signer(&config)? {
        Some(keys) => gateway.with_interlinker_keys(&keys.jwks())?,
        None => gateway,
    };
    let mut http = gateway.router();
    if let Some(signer) = &signer {
        let jwks = signer.jwks();
        http = http.route(
            "/.well-known/jwks.json",
            get(move || {
                let jwks = jwks.clone();
                async move { axum::Json(jwks) }
            }),
        );
    }
    let http_task = tokio::spawn(interlink_gateway::serve(
        http_listener,
        http,
        interlink_gateway::ConnectionLimits::of(&config.gateway),
        shutdown.clone(),
    ));
    println!(
        "interlink is up (embedded mode, data in {})",
        config.data_dir.display()
    );
    println!("grpc: http://{grpc_addr}");
    println!("http: http://{http_addr}");
    println!("      REST/JSON, gRPC and gRPC-Web; OpenAPI at http://{http_addr}/openapi.json");
    println!("web:  http://{http_addr}/ (the pages, for a browser)");
    match &signer {
        Some(signer) => {
            let token = signer.mint(
                &DevTokenRequest {
                    subject: "dev-admin".into(),
                    name: Some("Dev Admin".into()),
                    email: Some("dev-admin@localhost".into()),
                    admin: true,
                    ttl: Duration::from_secs(12 * 3600),
                },
                &config.auth.audience,
                &config.auth.admin_claim,
            )?;
            println!("jwks: http://{http_addr}/.well-known/jwks.json");
            println!("dev token (platform admin, 12 h): {token}");
        }
        None => println!("auth: tokens of {}", config.auth.issuer),
    }

    let grpc = serve::serve_roles(&host, grpc_listener, routes, services).await;
    // If the gRPC server failed, stop the HTTP one too.
    shutdown.cancel();
    let http = http_task.await.context("http server task")?;
    grpc?;
    http?;
    tracing::info!("interlink stopped");
    Ok(())
}
