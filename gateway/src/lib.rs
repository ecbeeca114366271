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
mod body;
pub mod error;
pub mod grpc;
mod large_answers;
pub mod openapi;
pub mod rest;
pub mod routes;
pub mod transcode;
pub mod upstream;
mod wirejson;

pub use error::GatewayError;
pub use interlink_web::{DevSignIn, DevToken, OidcSignIn, SignIn};
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
    /// The gRPC paths (`/package.Service/Method`) of server-streaming methods.
    pub(crate) streaming_grpc_paths: std::collections::HashSet<String>,
    /// The web pages' settings, when the gateway serves them (it fronts
    /// the catalogue): browsers then get pages, not JSON, for its refusals
    /// and unknown paths.
    pub(crate) web: Option<interlink_web::WebSettings>,
    /// Large answers' JSON, made once for every caller of the same bytes.
    pub(crate) large_answers: large_answers::LargeAnswers,
}

/// The gateway: build it once, then serve its [`Gateway::router`].
#[derive(Clone)]
pub struct Gateway {
    shared: Arc<Shared>,
    pool: DescriptorPool,
    /// How the web pages sign people in, and their session key.
    sign_in: interlink_web::SignIn,
    /// The public keys of the platform's tokens for interlinkers, served at
    /// [`INTERLINKER_JWKS_PATH`] for them to verify those tokens.
    interlinker_jwks: Option<bytes::Bytes>,
}

/// Where the gateway serves the public keys of the platform's tokens for
/// interlinkers (an interlinker's `jwks_url`).
pub const INTERLINKER_JWKS_PATH: &str = "/.well-known/interlinker-jwks.json";

impl Shared {
    /// The time a client has to send a request's body.
    fn body_timeout(&self) -> Duration {
        Duration::from_millis(self.config.body_timeout_ms)
    }
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
        let streaming_grpc_paths = pool
            .services()
            .flat_map(|service| service.methods().collect::<Vec<_>>())
            .filter(|method| method.is_server_streaming())
            .map(|method| interlink_runtime::descriptors::method_path(&method))
            .collect();
        let web = options
            .upstreams
            .roles()
            .contains_key("catalogue")
            .then(|| web_settings(&options.config));
        Ok(Self {
            shared: Arc::new(Shared {
                web,
                streaming_grpc_paths,
                timeout: Duration::from_millis(options.config.request_timeout_ms),
                admission: admission::Admission::new(&options.config),
                config: options.config,
                routes,
                upstreams: options.upstreams,
                authenticator: options.authenticator,
                openapi,
                large_answers: large_answers::LargeAnswers::default(),
            }),
            pool,
            sign_in: interlink_web::SignIn::random_key(),
            interlinker_jwks: None,
        })
    }

    /// Serves `keys`, the public keys of the platform's tokens for
    /// interlinkers, at [`INTERLINKER_JWKS_PATH`].
    pub fn with_interlinker_keys(mut self, keys: &impl serde::Serialize) -> anyhow::Result<Self> {
        self.interlinker_jwks = Some(serde_json::to_vec(keys)?.into());
        Ok(self)
    }

    /// The web pages' sign-in: the session key every replica shares and,
    /// with the dev signer, the dev sign-in page.
    pub fn with_sign_in(mut self, sign_in: interlink_web::SignIn) -> Self {
        self.sign_in = sign_in;
        self
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
        let mut router = Router::new()
            .route("/healthz", get(|| async { "ok" }))
            .route("/readyz", get(readyz))
            .route("/openapi.json", get(openapi_json))
            .route_service(
                "/grpc.health.v1.Health/{method}",
                grpc::with_grpc_web(health),
            );
        // Reflection of every Interlink service (v1 and v1alpha, which
        // grpcurl speaks), so gRPC tools work against the gateway's port.
        match grpc::reflection_services() {
            Ok((v1, v1alpha)) => {
                router = router
                    .route_service("/grpc.reflection.v1.ServerReflection/{method}", v1)
                    .route_service(
                        "/grpc.reflection.v1alpha.ServerReflection/{method}",
                        v1alpha,
                    );
            }
            Err(e) => tracing::error!(error = %e, "gRPC reflection is off at the gateway"),
        }
        if let Some(keys) = self.interlinker_jwks.clone() {
            router = router.route(
                INTERLINKER_JWKS_PATH,
                get(move || {
                    let keys = keys.clone();
                    async move {
                        (
                            [
                                (http::header::CONTENT_TYPE, "application/jwk-set+json"),
                                (http::header::CACHE_CONTROL, "public, max-age=300"),
                            ],
                            keys,
                        )
                    }
                }),
            );
        }
        let router = router.fallback(dispatch).with_state(Arc::clone(&shared));
        let router = match self.web() {
            // Pages pass the same admission as API calls: the client's rate
            // and a slot among the requests in flight, held while the page
            // gathers its data and renders.
            Some(web) => {
                router.merge(web.layer(axum::middleware::from_fn_with_state(shared, admit_page)))
            }
            None => router,
        };
        let router = match cors(&self.shared.config) {
            Some(cors) => router.layer(cors),
            None => router,
        };
        // gzip or brotli when the client asks (a page of 50 interlinkers is
        // ~137 KB of JSON); never gRPC (it compresses its own messages) nor
        // streams, whose lines must leave as they come.
        let router = router.layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Precise(4))
                .compress_when(tower_http::compression::Predicate::and(
                    tower_http::compression::DefaultPredicate::new(),
                    tower_http::compression::predicate::NotForContentType::const_new(
                        "application/x-ndjson",
                    ),
                )),
        );
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
            .layer(axum::middleware::map_request(
                |request: http::Request<axum::body::Body>| async move { safe_request_id(request) },
            ))
    }
}

impl Gateway {
    /// The web pages, when the gateway fronts the catalogue they show.
    fn web(&self) -> Option<Router> {
        let roles = self.shared.upstreams.roles();
        let catalogue = roles.get("catalogue")?.service.clone();
        let settings = self.shared.web.clone()?;
        let channel = |service: upstream::GrpcService| {
            interlink_web::Channel::new(tower::ServiceExt::map_err(service, |e| {
                interlink_web::Unreachable(e.0)
            }))
        };
        let catalogue = channel(catalogue);
        let community = roles.get("community").map(|u| channel(u.service.clone()));
        let coproduction = roles
            .get("coproduction")
            .map(|u| channel(u.service.clone()));
        let monitoring = roles.get("monitoring").map(|u| channel(u.service.clone()));
        let notifications = roles
            .get("notifications")
            .map(|u| channel(u.service.clone()));
        let federation = roles.get("federation").map(|u| channel(u.service.clone()));
        Some(interlink_web::router(
            settings,
            self.sign_in.clone(),
            interlink_web::Services {
                catalogue,
                coproduction,
                community,
                monitoring,
                notifications,
                federation,
                to_json: Some(self.proto_json()),
            },
        ))
    }
}

impl Gateway {
    /// Protobuf to the REST API's JSON, by the gateway's descriptors.
    fn proto_json(&self) -> interlink_web::ProtoJson {
        let pool = self.pool.clone();
        Arc::new(move |name: &str, bytes: &[u8]| {
            let descriptor = pool.get_message_by_name(name)?;
            transcode::response_json(&descriptor, bytes).ok()
        })
    }
}

/// The web pages' settings from the gateway's configuration.
fn web_settings(config: &GatewayConfig) -> interlink_web::WebSettings {
    let web = &config.web;
    interlink_web::WebSettings {
        site_name: web.site_name.trim().to_owned(),
        default_language: interlink_web::Lang::from_tag(&web.default_language)
            .unwrap_or(interlink_web::Lang::En),
        public_url: (!web.public_url.is_empty()).then(|| web.public_url.clone()),
        accent_colour: (!web.accent_colour.is_empty()).then(|| web.accent_colour.clone()),
        logo_url: (!web.logo_url.is_empty()).then(|| web.logo_url.clone()),
    }
}

/// Admits a page request as [`dispatch`] admits an API call, answering a
/// refusal as a page in the visitor's language. Static files (cached for a
/// year, and part of every page) are not charged.
async fn admit_page(
    State(shared): State<Arc<Shared>>,
    request: http::Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> Response {
    if request.uri().path().starts_with("/static/") {
        return next.run(request).await;
    }
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address);
    let admitted = match shared
        .admission
        .check(&shared, request.headers(), peer)
        .await
    {
        // An event stream (the bell's) holds a stream slot, not a
        // request slot, for as long as it is open.
        Ok(caller) => shared
            .admission
            .enter(&caller, wants_events(request.headers())),
        Err(e) => Err(e),
    };
    match admitted {
        Ok(slot) => {
            let response = next.run(request).await;
            match slot {
                admission::Permit::Request { .. } => response,
                // The slot is held until the stream's body ends.
                stream => response
                    .map(|body| axum::body::Body::new(admission::Admitted::new(body, stream))),
            }
        }
        Err(e) => web_refusal(&shared, request.headers(), &e),
    }
}

/// A gateway refusal as a page for a browser.
fn web_refusal(shared: &Shared, headers: &http::HeaderMap, error: &GatewayError) -> Response {
    let Some(settings) = &shared.web else {
        return http::StatusCode::NOT_FOUND.into_response();
    };
    let refusal = match error {
        GatewayError::RateLimited { .. } | GatewayError::TooManyStreams { .. } => {
            interlink_web::Refusal::TooManyRequests
        }
        GatewayError::Overloaded => interlink_web::Refusal::Busy,
        GatewayError::NoRoute { .. } => interlink_web::Refusal::NotFound,
        _ => interlink_web::Refusal::Unreadable,
    };
    let mut response = interlink_web::refusal_page(settings, headers, refusal);
    if let Some(after) = error.retry_after() {
        response
            .headers_mut()
            .insert(http::header::RETRY_AFTER, after);
    }
    response
}

/// Whether a request asks for server-sent events (a page's `EventSource`).
fn wants_events(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"))
}

/// Whether a request is a browser opening a page: a GET or HEAD outside
/// the API's paths that accepts HTML.
fn wants_page(parts: &http::request::Parts) -> bool {
    matches!(parts.method, http::Method::GET | http::Method::HEAD)
        && !parts.uri.path().starts_with("/v1/")
        && parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"))
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

/// Longest request target read (a `BatchGetUsers` of 500 names fits).
const MAX_URI_BYTES: usize = 32 * 1024;
/// Most request header bytes (names and values) read.
const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Most request headers read (hyper's own limit is set above it).
const MAX_HEADERS: usize = 100;

/// Refuses what the HTTP layer should not carry further — a target or
/// headers beyond the gateway's limits, a body that is not JSON on a REST
/// route — with the same JSON error body as every other error.
fn check_http(parts: &http::request::Parts, grpc: bool) -> Result<(), GatewayError> {
    let target = parts.uri.path_and_query().map_or(0, |pq| pq.as_str().len())
        + parts.uri.authority().map_or(0, |a| a.as_str().len());
    if target > MAX_URI_BYTES {
        return Err(GatewayError::UriTooLong {
            limit: MAX_URI_BYTES,
        });
    }
    let header_bytes: usize = parts
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES || parts.headers.len() > MAX_HEADERS {
        return Err(GatewayError::HeadersTooLarge {
            limit: MAX_HEADER_BYTES,
        });
    }
    if !grpc
        && body::declared(&parts.headers)
        && let Some(content_type) = parts.headers.get(http::header::CONTENT_TYPE)
    {
        let essence = content_type
            .to_str()
            .unwrap_or_default()
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(GatewayError::UnsupportedMediaType(
                String::from_utf8_lossy(content_type.as_bytes()).into_owned(),
            ));
        }
    }
    Ok(())
}

/// Drops an `x-request-id` that is not a safe token (1–128 of letters,
/// digits, `-`, `_`, `.`, `:`), so a fresh one is made: ids end up in logs
/// and in other systems' headers.
fn safe_request_id<B>(mut request: http::Request<B>) -> http::Request<B> {
    let safe = |value: &http::HeaderValue| {
        let bytes = value.as_bytes();
        (1..=128).contains(&bytes.len())
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    };
    let headers = request.headers_mut();
    let ids: Vec<_> = headers.get_all("x-request-id").iter().collect();
    if ids.len() > 1 || ids.first().is_some_and(|id| !safe(id)) {
        headers.remove("x-request-id");
    }
    request
}

/// Everything but health and OpenAPI: the token and the client's rate
/// checked, the body read in full (in time, within its size), a slot taken,
/// then gRPC(-Web) or REST. A slow client holds its connection, never a
/// slot; a server stream takes a stream slot, not a request slot.
async fn dispatch(
    State(shared): State<Arc<Shared>>,
    request: http::Request<axum::body::Body>,
) -> Response {
    let grpc_content = grpc::grpc_content_type(request.headers());
    let refuse = |e: GatewayError| match &grpc_content {
        Some(content_type) => e.into_grpc_response(content_type),
        None => e.into_response(),
    };
    let (parts, body) = request.into_parts();
    // Refused before its body is read: an HTTP/1 connection says it closes.
    let unread = parts.version < http::Version::HTTP_2 && body::declared(&parts.headers);
    let refuse_unread = |e: GatewayError| {
        if unread {
            body::closing(refuse(e))
        } else {
            refuse(e)
        }
    };
    if let Err(e) = check_http(&parts, grpc_content.is_some()) {
        return refuse_unread(e);
    }
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address);
    let caller = match shared.admission.check(&shared, &parts.headers, peer).await {
        Ok(caller) => caller,
        Err(e) => return refuse_unread(e),
    };
    let resolved = match grpc_content {
        Some(_) => None,
        None => Some(routes::resolve(
            &shared.routes,
            &parts.method,
            parts.uri.path(),
        )),
    };
    // A route that needs a token answers 401 without one, before its body
    // is read or checked.
    if let Some(routes::Resolved::Route(route, _)) = &resolved
        && route.needs_token
        && !caller.signed_in()
    {
        return refuse_unread(GatewayError::Unauthenticated(
            "this call needs a bearer token".into(),
        ));
    }
    let limit = match &grpc_content {
        Some(content_type) => body::grpc_limit(content_type, shared.config.max_grpc_message_bytes),
        None => shared.config.max_body_bytes,
    };
    let body = match body::read(&parts.headers, body, limit, shared.body_timeout()).await {
        Ok(body) => body,
        Err(body::Refused { error, drained }) => {
            return if drained {
                refuse(error)
            } else {
                refuse_unread(error)
            };
        }
    };
    let method = parts.method.clone();
    let (mut response, permit) = match (grpc_content.clone(), resolved) {
        (Some(content_type), _) => {
            if let Err(e) = body::check_grpc_frames(
                &content_type,
                &parts.headers,
                &body,
                shared.config.max_grpc_message_bytes,
            ) {
                return refuse(e);
            }
            let path = parts.uri.path().to_owned();
            let streaming = shared.streaming_grpc_paths.contains(&path);
            let permit = match shared.admission.enter(&caller, streaming) {
                Ok(permit) => permit,
                Err(e) => return refuse(e),
            };
            let request = http::Request::from_parts(parts, axum::body::Body::from(body));
            let mut response = grpc::passthrough(&shared, request).await;
            response
                .extensions_mut()
                .insert(admission::MatchedRoute(path));
            (response, permit)
        }
        (None, resolved) => {
            let resolved = resolved.unwrap_or(routes::Resolved::NotFound);
            // A browser that opens an address with no page gets a page.
            if matches!(resolved, routes::Resolved::NotFound)
                && shared.web.is_some()
                && wants_page(&parts)
            {
                let no_route = GatewayError::NoRoute {
                    method: parts.method.clone(),
                    path: parts.uri.path().to_owned(),
                };
                return web_refusal(&shared, &parts.headers, &no_route);
            }
            let permit = match shared.admission.enter(&caller, rest::streams(&resolved)) {
                Ok(permit) => permit,
                Err(e) => return refuse(e),
            };
            (rest::handle(&shared, parts, body, resolved).await, permit)
        }
    };
    response
        .extensions_mut()
        .insert(admission::RequestMethod(method));
    match permit {
        // A call's answer is whole by now: its slot is free again, and a
        // client slow to read it holds only its connection.
        admission::Permit::Request { .. } => response,
        // A stream is open until its body ends.
        stream => {
            response.map(|body| axum::body::Body::new(admission::Admitted::new(body, stream)))
        }
    }
}

/// How long connections may take, from the gateway's configuration.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// To send a request's headers (a new connection's first bytes
    /// included); an idle keep-alive connection is closed after it too.
    pub header_timeout: Duration,
    /// Given to open requests and streams on shutdown.
    pub drain_timeout: Duration,
}

impl ConnectionLimits {
    /// The limits `config` sets.
    pub fn of(config: &GatewayConfig) -> Self {
        Self {
            header_timeout: Duration::from_millis(config.header_timeout_ms),
            drain_timeout: Duration::from_millis(config.request_timeout_ms),
        }
    }
}

/// Tells HTTP/1.1 clients, in a `keep-alive: timeout=N` answer header, how
/// many whole seconds an idle connection stays open: hyper closes it when
/// `idle_close` (the header time) passes without a request, and a client
/// that reuses it at that moment sees its request reset. Clients that read
/// the hint (Firefox, Node's undici, …) retire the connection first; for
/// the others the README gives the time. Nothing is said under a second.
fn announce_idle_close(router: Router, idle_close: Duration) -> Router {
    let seconds = idle_close.as_secs();
    let hint = match http::HeaderValue::from_str(&format!("timeout={seconds}")) {
        Ok(hint) if seconds > 0 => hint,
        _ => return router,
    };
    router.layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let hint = hint.clone();
            async move {
                // HTTP/2 has no such header (hyper would drop it), and an
                // HTTP/1.0 connection is closed after its answer anyway.
                let http1_1 = request.version() == http::Version::HTTP_11;
                let mut response = next.run(request).await;
                let closing = response
                    .headers()
                    .get(http::header::CONNECTION)
                    .is_some_and(|c| c.as_bytes().eq_ignore_ascii_case(b"close"));
                if http1_1 && !closing {
                    response
                        .headers_mut()
                        .insert(http::HeaderName::from_static("keep-alive"), hint);
                }
                response
            }
        },
    ))
}

/// Serves `router` on `listener` until `shutdown`, HTTP/1.1 and HTTP/2
/// (cleartext, for gRPC) on the same port, then drains open requests for
/// at most `limits.drain_timeout`. A connection that does not send a
/// request's headers within `limits.header_timeout` is closed.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
    use hyper_util::server::conn::auto::Builder;
    use tower::ServiceExt;

    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        // Above the gateway's own limit, which answers in JSON.
        .max_headers(4 * MAX_HEADERS);
    builder
        .http2()
        .timer(TokioTimer::new())
        // Dead peers of long streams are found and their streams closed.
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(20));
    let router = announce_idle_close(router, limits.header_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors, say: wait a little, keep serving.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = shutdown.cancelled() => break,
        };
        // No Nagle: a response split in two would wait for a delayed ACK.
        if let Err(e) = stream.set_nodelay(true) {
            tracing::debug!(error = %e, "TCP_NODELAY not set");
        }
        let started = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let seen = Arc::clone(&started);
        let service =
            router
                .clone()
                .map_request(move |mut request: http::Request<hyper::body::Incoming>| {
                    seen.store(true, std::sync::atomic::Ordering::Relaxed);
                    request.extensions_mut().insert(ConnectInfo(remote));
                    request.map(axum::body::Body::new)
                });
        let connection = builder
            .serve_connection_with_upgrades(
                TokioIo::new(stream),
                hyper_util::service::TowerToHyperService::new(service),
            )
            .into_owned();
        let connection = graceful.watch(connection);
        let header_timeout = limits.header_timeout;
        // Forget finished connections as new ones come.
        while connections.try_join_next().is_some() {}
        connections.spawn(async move {
            // hyper times HTTP/1 headers once it knows the protocol; this
            // also closes a connection that never says which it speaks.
            let first_request = async {
                tokio::time::sleep(header_timeout).await;
                if started.load(std::sync::atomic::Ordering::Relaxed) {
                    std::future::pending::<()>().await;
                }
            };
            tokio::select! {
                served = connection => {
                    if let Err(e) = served {
                        tracing::debug!(error = %e, "connection ended with an error");
                    }
                }
                () = first_request => {
                    tracing::debug!(%remote, "connection closed: no request in time");
                }
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain_timeout, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain time; closing them");
    }
    connections.abort_all();
    Ok(())
}
