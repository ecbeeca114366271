//! gRPC and gRPC-Web: calls are passed through, as they are, to the
//! service that owns the package (gRPC-Web translated by tonic-web on the
//! way), with a deadline when the caller gave none; and the gateway's own
//! `grpc.health.v1`, aggregated over the upstreams.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use futures::Stream;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_health::pb::health_server::{Health, HealthServer};
use tonic_health::pb::{HealthCheckRequest, HealthCheckResponse};
use tower::{Layer, ServiceExt};
use tracing::Span;

use crate::upstream::GrpcService;
use crate::{GatewayError, Shared};

/// The content type of a gRPC or gRPC-Web request, if it is one.
pub(crate) fn grpc_content_type(headers: &http::HeaderMap) -> Option<http::HeaderValue> {
    headers
        .get(http::header::CONTENT_TYPE)
        .filter(|v| v.as_bytes().starts_with(b"application/grpc"))
        .cloned()
}

/// Passes a gRPC or gRPC-Web call to the service named in its path.
pub(crate) async fn passthrough(shared: &Shared, mut request: http::Request<Body>) -> Response {
    let content_type = grpc_content_type(request.headers())
        .unwrap_or_else(|| http::HeaderValue::from_static("application/grpc"));
    let path = request.uri().path().trim_start_matches('/');
    let (service, method) = path.split_once('/').unwrap_or((path, ""));
    let span = Span::current();
    span.record("rpc.system", "grpc");
    span.record("rpc.service", service);
    span.record("rpc.method", method);
    let Some(upstream) = shared.upstreams.get(service) else {
        return GatewayError::NotServed(service.to_owned()).into_grpc_response(&content_type);
    };
    // The service enforces the gateway's time budget unless the caller's is shorter.
    let headers = request.headers_mut();
    let budget = headers
        .get("grpc-timeout")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_grpc_timeout)
        .map_or(shared.timeout, |asked| asked.min(shared.timeout));
    if let Ok(value) =
        http::HeaderValue::from_str(&format!("{}m", budget.as_millis().clamp(1, 99_999_999)))
    {
        headers.insert("grpc-timeout", value);
    }
    if let Some(traceparent) = interlink_runtime::telemetry::current_traceparent()
        && let Ok(value) = http::HeaderValue::from_str(&traceparent)
    {
        headers.insert("traceparent", value);
    }
    let web = content_type.as_bytes().starts_with(b"application/grpc-web");
    let endpoint = upstream.service.clone();
    let call = async {
        if web {
            tonic_web::GrpcWebLayer::new()
                .layer(endpoint)
                .oneshot(request)
                .await
        } else {
            endpoint.oneshot(request.map(tonic::body::Body::new)).await
        }
    };
    // Until the response starts (a unary call's whole answer); a service
    // reached over the network enforces the deadline itself as well.
    match tokio::time::timeout(budget, call).await {
        Ok(Ok(response)) => response.map(Body::new),
        Ok(Err(e)) => GatewayError::Upstream(tonic::Status::unavailable(format!(
            "{} is unreachable: {e}",
            upstream.role
        )))
        .into_grpc_response(&content_type),
        Err(_) => GatewayError::Timeout(budget).into_grpc_response(&content_type),
    }
}

/// A `grpc-timeout` header's value (`100m`, `5S` …), if well formed.
pub(crate) fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    let unit = value.chars().last()?;
    let digits = &value[..value.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        'H' => Duration::from_secs(n * 3600),
        'M' => Duration::from_secs(n * 60),
        'S' => Duration::from_secs(n),
        'm' => Duration::from_millis(n),
        'u' => Duration::from_micros(n),
        'n' => Duration::from_nanos(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeouts_parse() {
        assert_eq!(parse_grpc_timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(parse_grpc_timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_grpc_timeout("5S"), Some(Duration::from_secs(5)));
        for bad in ["", "m", "10", "10x", "123456789S", "-5S", "1.5S", "5é"] {
            assert_eq!(parse_grpc_timeout(bad), None, "{bad}");
        }
    }
}

/// A gRPC service made reachable by gRPC-Web too.
pub(crate) fn with_grpc_web<S>(service: S) -> tonic_web::GrpcWebService<S> {
    tonic_web::GrpcWebLayer::new().layer(service)
}

/// The reflection services (v1, v1alpha) of Interlink's descriptors and the
/// health service's.
pub(crate) fn reflection_services() -> Result<
    (
        tonic_reflection::server::v1::ServerReflectionServer<
            impl tonic_reflection::server::v1::ServerReflection,
        >,
        tonic_reflection::server::v1alpha::ServerReflectionServer<
            impl tonic_reflection::server::v1alpha::ServerReflection,
        >,
    ),
    tonic_reflection::server::Error,
> {
    let builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(interlink_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    Ok((builder().build_v1()?, builder().build_v1alpha()?))
}

/// Each upstream role's health: `SERVING`, `NOT_SERVING`, or why it could
/// not be asked.
pub(crate) async fn upstream_health(shared: &Shared) -> BTreeMap<String, String> {
    let mut checks = Vec::new();
    for (role, upstream) in shared.upstreams.roles() {
        checks.push(tokio::spawn(role_health(role, upstream.service)));
    }
    let mut states = BTreeMap::new();
    for check in checks {
        if let Ok((role, state)) = check.await {
            states.insert(role, state);
        }
    }
    states
}

async fn role_health(role: String, service: GrpcService) -> (String, String) {
    (role, serving_status(service, String::new()).await)
}

/// The health of `service` (empty: the whole server) at `endpoint`.
async fn serving_status(endpoint: GrpcService, service: String) -> String {
    let mut client = HealthClient::new(endpoint);
    let mut request = tonic::Request::new(HealthCheckRequest { service });
    request.set_timeout(Duration::from_secs(2));
    match tokio::time::timeout(Duration::from_secs(2), client.check(request)).await {
        Ok(Ok(response)) => response.into_inner().status().as_str_name().to_owned(),
        Ok(Err(status)) => format!("UNREACHABLE: {}", status.message()),
        Err(_) => "UNREACHABLE: no answer in 2 s".to_owned(),
    }
}

/// `grpc.health.v1` of the gateway: the empty service name is SERVING when
/// every upstream is; a service's name is asked of its upstream.
#[derive(Clone)]
pub(crate) struct AggregatedHealth {
    shared: Arc<Shared>,
}

pub(crate) fn health_service(shared: Arc<Shared>) -> HealthServer<AggregatedHealth> {
    HealthServer::new(AggregatedHealth { shared })
}

impl AggregatedHealth {
    async fn status(&self, service: &str) -> Result<ServingStatus, tonic::Status> {
        if service.is_empty() {
            let states = upstream_health(&self.shared).await;
            return Ok(if states.values().all(|s| s == "SERVING") {
                ServingStatus::Serving
            } else {
                ServingStatus::NotServing
            });
        }
        let upstream = self
            .shared
            .upstreams
            .get(service)
            .ok_or_else(|| tonic::Status::not_found(format!("unknown service {service}")))?;
        let state = tokio::spawn(serving_status(upstream.service.clone(), service.to_owned()))
            .await
            .unwrap_or_default();
        Ok(ServingStatus::from_str_name(&state).unwrap_or(ServingStatus::NotServing))
    }
}

type WatchStream = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, tonic::Status>> + Send>>;

#[tonic::async_trait]
impl Health for AggregatedHealth {
    async fn check(
        &self,
        request: tonic::Request<HealthCheckRequest>,
    ) -> Result<tonic::Response<HealthCheckResponse>, tonic::Status> {
        let status = self.status(&request.into_inner().service).await?;
        Ok(tonic::Response::new(HealthCheckResponse {
            status: status as i32,
        }))
    }

    type WatchStream = WatchStream;

    /// Sends the status, then each change (checked every five seconds).
    async fn watch(
        &self,
        request: tonic::Request<HealthCheckRequest>,
    ) -> Result<tonic::Response<WatchStream>, tonic::Status> {
        let service = request.into_inner().service;
        let first = self.status(&service).await?;
        let this = self.clone();
        let stream = futures::stream::unfold(
            (this, service, None::<ServingStatus>, first),
            |(this, service, last, mut next)| async move {
                while Some(next) == last {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    next = this
                        .status(&service)
                        .await
                        .unwrap_or(ServingStatus::NotServing);
                }
                let item = Ok(HealthCheckResponse {
                    status: next as i32,
                });
                Some((item, (this, service, Some(next), next)))
            },
        );
        Ok(tonic::Response::new(Box::pin(stream)))
    }
}
