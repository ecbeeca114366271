//! The front door of the mesh, on one port:
//!
//! - **REST/JSON** for every RPC with a `google.api.http` annotation,
//!   transcoded with the descriptor set by the proto3 JSON mapping (no
//!   per-route code: a new RPC appears when its proto does);
//! - **gRPC** passed through to the service that owns the package, and
//!   **gRPC-Web** for browsers (tonic-web), with CORS per origin;
//! - authentication (bearer JWTs, checked here and again by the services),
//!   per-client rate limits, body size limit, deadlines, load shedding;
//! - `/healthz`, `/readyz` and an aggregated `grpc.health.v1`; a span and
//!   an access log line per request, `x-request-id` in and out.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use interlink_runtime::auth::Authenticator;
use interlink_runtime::config::GatewayConfig;
use prost_reflect::DescriptorPool;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

pub mod admission;
pub mod error;
pub mod grpc;
pub mod openapi;
pub mod rest;
pub mod routes;
pub mod transcode;
pub mod upstream;
mod wirejson;

pub use error::GatewayError;
pub use upstream::{Upstream, Upstreams};

/// The descriptors of every Interlink service, as the gateway reads them.
pub fn descriptor_pool() -> Result<DescriptorPool, prost_reflect::DescriptorError> {
    DescriptorPool::decode(interlink_proto::FILE_DESCRIPTOR_SET)
}

/// What the gateway is built from.
#[derive(Debug, Clone)]
pub struct GatewayOptions {
    /// Limits, timeouts, CORS.
    pub config: GatewayConfig,
    /// Verifies bearer tokens.
    pub authenticator: Arc<Authenticator>,
    /// The services behind the gateway.
    pub upstreams: Upstreams,
}

/// What every request handler shares.
pub(crate) struct Shared {
    pub(crate) config: GatewayConfig,
    pub(crate) routes: Vec<routes::Route>,
    pub(crate) upstreams: Upstreams,
    pub(crate) authenticator: Arc<Authenticator>,
    pub(crate) admission: admission::Admission,
    pub(crate) openapi: bytes::Bytes,
    pub(crate) timeout: Duration,
}

/// The gateway: build it once, then serve its [`Gateway::router`].
#[derive(Clone)]
pub struct Gateway {
    shared: Arc<Shared>,
    pool: DescriptorPool,
}

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("routes", &self.shared.routes.len())
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// Reads the REST routes of the served services from the descriptors.
    pub fn new(options: GatewayOptions) -> anyhow::Result<Self> {
        let pool = descriptor_pool()?;
        let routes = routes::routes(&pool, |service| options.upstreams.serves(service))?;
        let openapi = serde_json::to_vec(&openapi::document(&routes))?.into();
        Ok(Self {
            shared: Arc::new(Shared {
                timeout: Duration::from_millis(options.config.request_timeout_ms),
                admission: admission::Admission::new(&options.config),
                config: options.config,
                routes,
                upstreams: options.upstreams,
                authenticator: options.authenticator,
                openapi,
            }),
            pool,
        })
    }

    /// A gateway in front of `roles` served by `routes` in this process
    /// (as `interlink up` runs them), called through the same
    /// authentication, spans, metrics and idempotency keys (kept where
    /// `idempotency` says) as the gRPC server, with a health
    /// service reporting `health_services` SERVING.
    pub async fn in_process(
        config: GatewayConfig,
        authenticator: Arc<Authenticator>,
        routes: tonic::service::RoutesBuilder,
        idempotency: interlink_runtime::idempotency::Idempotency,
        roles: &[&str],
        health_services: &[String],
    ) -> anyhow::Result<Self> {
        let endpoint = interlink_runtime::grpc::in_process(
            routes,
            Arc::clone(&authenticator),
            idempotency,
            health_services,
        )
        .await;
        let pool = descriptor_pool()?;
        let mut upstreams = Upstreams::default();
        for role in roles {
            upstreams.add_role(&pool, Upstream::in_process(role, endpoint.clone()));
        }
        Self::new(GatewayOptions {
            config,
            authenticator,
            upstreams,
        })
    }

    /// The REST routes served, most specific first.
    pub fn routes(&self) -> &[routes::Route] {
        &self.shared.routes
    }

    /// The descriptors the gateway transcodes with.
    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// The HTTP application: health, OpenAPI, then REST, gRPC and gRPC-Web.
    pub fn router(&self) -> Router {
        let shared = Arc::clone(&self.shared);
        let health = grpc::health_service(Arc::clone(&shared));
        let router = Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route("/readyz", get(readyz))
            .route("/openapi.json", get(openapi_json))
            .route_service(
                "/grpc.health.v1.Health/{method}",
                grpc::with_grpc_web(health),
            )
            .fallback(dispatch)
            .with_state(shared);
        let router = match cors(&self.shared.config) {
            Some(cors) => router.layer(cors),
            None => router,
        };
        router
            .layer(
                tower_http::trace::TraceLayer::new_for_http()
                    .make_span_with(admission::request_span)
                    .on_request(())
                    .on_response(admission::access_log)
                    .on_failure(()),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
    }
}

/// CORS for the configured origins; none when the list is empty.
fn cors(config: &GatewayConfig) -> Option<tower_http::cors::CorsLayer> {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    if config.cors_origins.is_empty() {
        return None;
    }
    let origin = if config.cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .cors_origins
                .iter()
                .filter_map(|o| http::HeaderValue::from_str(o).ok()),
        )
    };
    let header = http::HeaderName::from_static;
    Some(
        CorsLayer::new()
            .allow_origin(origin)
            .allow_methods([
                http::Method::GET,
                http::Method::POST,
                http::Method::PUT,
                http::Method::PATCH,
                http::Method::DELETE,
            ])
            .allow_headers([
                http::header::AUTHORIZATION,
                http::header::CONTENT_TYPE,
                header("x-grpc-web"),
                header("x-user-agent"),
                header("grpc-timeout"),
                header("x-request-id"),
                header("traceparent"),
                header("idempotency-key"),
            ])
            .expose_headers([
                header("grpc-status"),
                header("grpc-message"),
                header("grpc-status-details-bin"),
                header("x-request-id"),
                http::header::RETRY_AFTER,
            ])
            .max_age(Duration::from_secs(600)),
    )
}

async fn openapi_json(State(shared): State<Arc<Shared>>) -> Response {
    (
        [(http::header::CONTENT_TYPE, "application/json")],
        shared.openapi.clone(),
    )
        .into_response()
}

/// Ready when every upstream answers its health check with SERVING.
async fn readyz(State(shared): State<Arc<Shared>>) -> Response {
    let states = grpc::upstream_health(&shared).await;
    let ready = states.values().all(|s| s == "SERVING");
    let status = if ready {
        http::StatusCode::OK
    } else {
        http::StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(states)).into_response()
}

/// Everything but health and OpenAPI: admitted, then gRPC(-Web) or REST.
async fn dispatch(
    State(shared): State<Arc<Shared>>,
    request: http::Request<axum::body::Body>,
) -> Response {
    let grpc_content = grpc::grpc_content_type(request.headers());
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address);
    let admitted = shared
        .admission
        .admit(&shared, request.headers(), peer)
        .await;
    let permit = match admitted {
        Ok(admitted) => admitted,
        Err(e) => {
            return match grpc_content {
                Some(content_type) => e.into_grpc_response(&content_type),
                None => e.into_response(),
            };
        }
    };
    let method = request.method().clone();
    let mut response = match grpc_content {
        Some(_) => {
            let path = request.uri().path().to_owned();
            let mut response = grpc::passthrough(&shared, request).await;
            response
                .extensions_mut()
                .insert(admission::MatchedRoute(path));
            response
        }
        None => rest::handle(&shared, request).await,
    };
    response
        .extensions_mut()
        .insert(admission::RequestMethod(method));
    // In flight until its body is sent, streams included.
    response.map(|body| axum::body::Body::new(admission::Admitted::new(body, permit)))
}

/// Serves `router` on `listener` until `shutdown`, HTTP/1.1 and HTTP/2
/// (cleartext, for gRPC) on the same port.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // No Nagle: a response split in two would wait for a delayed ACK.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
    });
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move { shutdown.cancelled().await })
    .await
}
