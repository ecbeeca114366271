//! Serving a service's gRPC API the same way everywhere: health
//! (`grpc.health.v1`), reflection (v1 and v1alpha, so grpcurl works),
//! bearer-token authentication, a span per call, request timeouts, and a
//! graceful shutdown that reports NOT_SERVING before draining.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tonic::service::RoutesBuilder;
use tonic::transport::server::TcpIncoming;
use tonic_health::ServingStatus;
use tracing::Span;

use crate::auth::{AuthLayer, Authenticator};
use crate::config::GrpcConfig;
use crate::idempotency::{Idempotency, IdempotencyLayer};

/// What a server offers besides its own routes.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Timeouts, limits, drain time.
    pub config: GrpcConfig,
    /// Verifies bearer tokens.
    pub authenticator: Arc<Authenticator>,
    /// Fully-qualified service names reported by the health service
    /// (`interlink.community.v1.CommunityService` …).
    pub health_services: Vec<String>,
    /// Encoded descriptor sets offered by reflection, besides Interlink's
    /// own and the health service's.
    pub extra_descriptor_sets: Vec<&'static [u8]>,
    /// Where the services' idempotency keys live (see
    /// [`crate::idempotency`]); services not registered there ignore keys.
    pub idempotency: Idempotency,
}

/// A failure to serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Reflection could not read a descriptor set.
    #[error("reflection: {0}")]
    Reflection(String),
    /// The transport failed.
    #[error("grpc transport: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Serves the services of `routes` on `listener` until `shutdown` fires; then health turns
/// NOT_SERVING, new connections are refused and in-flight calls get
/// `config.drain_timeout_ms` to finish.
pub async fn serve(
    listener: TcpListener,
    routes: RoutesBuilder,
    options: ServeOptions,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    let (reporter, health) = tonic_health::server::health_reporter();
    for name in options
        .health_services
        .iter()
        .map(String::as_str)
        .chain([""])
    {
        reporter
            .set_service_status(name, ServingStatus::Serving)
            .await;
    }
    let mut reflection_v1 = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(interlink_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET);
    let mut reflection_v1alpha = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(interlink_proto::FILE_DESCRIPTOR_SET)
        .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET);
    for set in &options.extra_descriptor_sets {
        reflection_v1 = reflection_v1.register_encoded_file_descriptor_set(set);
        reflection_v1alpha = reflection_v1alpha.register_encoded_file_descriptor_set(set);
    }
    let reflection_v1 = reflection_v1
        .build_v1()
        .map_err(|e| ServeError::Reflection(e.to_string()))?;
    let reflection_v1alpha = reflection_v1alpha
        .build_v1alpha()
        .map_err(|e| ServeError::Reflection(e.to_string()))?;

    let mut routes = routes;
    routes
        .add_service(health)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha);
    let routes = routes.routes();

    let drain = Duration::from_millis(options.config.drain_timeout_ms);
    let signal = {
        let shutdown = shutdown.clone();
        let names = options.health_services.clone();
        async move {
            shutdown.cancelled().await;
            for name in names.iter().map(String::as_str).chain([""]) {
                reporter
                    .set_service_status(name, ServingStatus::NotServing)
                    .await;
            }
            tracing::info!("grpc server draining");
        }
    };
    let server = tonic::transport::Server::builder()
        .timeout(Duration::from_millis(options.config.request_timeout_ms))
        .layer(call_trace())
        .layer(RpcMetricsLayer::default())
        .layer(AuthLayer::new(options.authenticator))
        .layer(IdempotencyLayer::new(options.idempotency))
        .add_routes(routes)
        // No Nagle: a response split over two segments would otherwise wait
        // for the client's delayed ACK (~40 ms).
        .serve_with_incoming_shutdown(TcpIncoming::from(listener).with_nodelay(Some(true)), signal);
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result?,
        _ = async { shutdown.cancelled().await; tokio::time::sleep(drain).await } => {
            tracing::warn!(drain_ms = drain.as_millis() as u64, "grpc calls still running after the drain time; stopping");
        }
    }
    Ok(())
}

/// The trace layer of [`call_trace`].
type CallTrace = tower_http::trace::TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::GrpcErrorsAsFailures>,
    fn(&http::Request<tonic::body::Body>) -> Span,
>;

/// The span of every call, whose failures are logged at ERROR only when
/// they are the server's: a caller's mistake (a bad argument, an unknown
/// id, a refused permission, a missing token …) is an answer, logged with
/// the response at DEBUG.
fn call_trace() -> CallTrace {
    use tower_http::classify::{GrpcCode as C, GrpcErrorsAsFailures, SharedClassifier};
    let classifier = [
        C::InvalidArgument,
        C::NotFound,
        C::AlreadyExists,
        C::PermissionDenied,
        C::ResourceExhausted,
        C::FailedPrecondition,
        C::Aborted,
        C::OutOfRange,
        C::Unauthenticated,
    ]
    .into_iter()
    .fold(
        GrpcErrorsAsFailures::new(),
        GrpcErrorsAsFailures::with_success,
    );
    tower_http::trace::TraceLayer::new(SharedClassifier::new(classifier))
        .make_span_with(grpc_span::<tonic::body::Body> as fn(&_) -> Span)
}

/// A span per call with the OpenTelemetry RPC attributes, child of the
/// caller's trace when it sent `traceparent`.
fn grpc_span<B>(request: &http::Request<B>) -> Span {
    let path = request.uri().path();
    let (service, method) = path
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or((path, ""));
    let span = tracing::info_span!(
        "grpc",
        otel.name = %path.trim_start_matches('/'),
        otel.kind = "server",
        rpc.system = "grpc",
        rpc.service = %service,
        rpc.method = %method,
    );
    let traceparent = request
        .headers()
        .get("traceparent")
        .and_then(|v| v.to_str().ok());
    crate::telemetry::set_remote_parent(&span, traceparent);
    span
}

/// What a generated service method returns.
pub type Reply<T> = Result<tonic::Response<T>, tonic::Status>;

/// A handler's result as a service method's reply: the value in a
/// response, or the error mapped to its gRPC status.
pub fn reply<T, E: Into<tonic::Status>>(result: Result<T, E>) -> Reply<T> {
    result.map(tonic::Response::new).map_err(Into::into)
}

/// A gRPC endpoint called in process: what [`in_process`] returns.
pub type InProcess = tower::util::BoxCloneSyncService<
    http::Request<tonic::body::Body>,
    http::Response<tonic::body::Body>,
    std::convert::Infallible,
>;

/// The services of `routes` as an endpoint called in process (by the
/// gateway of `interlink up`), behind the same span and authentication as
/// [`serve`] puts them (idempotency keys included), with a health service reporting `health_services`
/// SERVING (in process, they live as long as the caller).
pub async fn in_process(
    routes: RoutesBuilder,
    authenticator: Arc<Authenticator>,
    idempotency: Idempotency,
    health_services: &[String],
) -> InProcess {
    let (reporter, health) = tonic_health::server::health_reporter();
    for name in health_services.iter().map(String::as_str).chain([""]) {
        reporter
            .set_service_status(name, ServingStatus::Serving)
            .await;
    }
    let mut routes = routes;
    routes.add_service(health);
    let service = tower::ServiceBuilder::new()
        .layer(call_trace())
        .layer(RpcMetricsLayer::default())
        .layer(AuthLayer::new(authenticator))
        .layer(IdempotencyLayer::new(idempotency))
        .service(routes.routes());
    tower::util::BoxCloneSyncService::new(tower::ServiceExt::map_response(
        service,
        |response: http::Response<_>| response.map(tonic::body::Body::new),
    ))
}

/// Records `rpc.server.call.duration` (seconds; attributes `rpc.system`,
/// `rpc.service`, `rpc.method`, `rpc.grpc.status_code`) for each call, as
/// the OpenTelemetry RPC conventions name it. The status is the one the
/// response headers carry (every failed unary call; a stream that fails
/// after its first message counts as OK).
#[derive(Debug, Clone)]
pub struct RpcMetricsLayer {
    duration: opentelemetry::metrics::Histogram<f64>,
}

impl Default for RpcMetricsLayer {
    fn default() -> Self {
        Self::new(&opentelemetry::global::meter("interlink.grpc"))
    }
}

impl RpcMetricsLayer {
    /// A layer recording on `meter`.
    pub fn new(meter: &opentelemetry::metrics::Meter) -> Self {
        Self {
            duration: meter
                .f64_histogram("rpc.server.call.duration")
                .with_unit("s")
                .with_description("Duration of gRPC calls served")
                .build(),
        }
    }
}

impl<S> tower::Layer<S> for RpcMetricsLayer {
    type Service = RpcMetrics<S>;
    fn layer(&self, inner: S) -> Self::Service {
        RpcMetrics {
            inner,
            duration: self.duration.clone(),
        }
    }
}

/// The service of [`RpcMetricsLayer`].
#[derive(Debug, Clone)]
pub struct RpcMetrics<S> {
    inner: S,
    duration: opentelemetry::metrics::Histogram<f64>,
}

impl<S, B, RB> tower::Service<http::Request<B>> for RpcMetrics<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<RB>>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = futures::future::BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let path = request.uri().path().trim_start_matches('/');
        let (service, method) = path.split_once('/').unwrap_or((path, ""));
        let (service, method) = (service.to_owned(), method.to_owned());
        let duration = self.duration.clone();
        let started = std::time::Instant::now();
        let call = self.inner.call(request);
        Box::pin(async move {
            let result = call.await;
            let code = match &result {
                Ok(response) => response
                    .headers()
                    .get("grpc-status")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<i64>().ok())
                    .unwrap_or(0),
                Err(_) => tonic::Code::Unavailable as i64,
            };
            duration.record(
                started.elapsed().as_secs_f64(),
                &[
                    opentelemetry::KeyValue::new("rpc.system", "grpc"),
                    opentelemetry::KeyValue::new("rpc.service", service),
                    opentelemetry::KeyValue::new("rpc.method", method),
                    opentelemetry::KeyValue::new("rpc.grpc.status_code", code),
                ],
            );
            result
        })
    }
}
