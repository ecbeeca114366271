//! Served calls are measured as `rpc.server.call.duration`, with the
//! service, method and gRPC status of each.

use std::sync::Arc;

use interlink_proto::echo::v1::EchoRequest;
use interlink_proto::echo::v1::echo_service_client::EchoServiceClient;
use interlink_proto::echo::v1::echo_service_server::EchoServiceServer;
use interlink_runtime::auth::{AuthLayer, DevSigner};
use interlink_runtime::config::AuthConfig;
use interlink_runtime::echo::Echo;
use interlink_runtime::grpc::RpcMetricsLayer;
use opentelemetry::metrics::MeterProvider;
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporterBuilder, PeriodicReader, SdkMeterProvider};
use tower::ServiceExt;

#[tokio::test]
async fn calls_are_measured_with_their_status() {
    let exporter = InMemoryMetricExporterBuilder::new().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    let dir = tempfile::tempdir().expect("temporary directory");
    let signer = DevSigner::load_or_create(dir.path()).expect("dev signer");
    let mut routes = tonic::service::RoutesBuilder::default();
    routes.add_service(EchoServiceServer::new(Echo));
    let service = tower::ServiceBuilder::new()
        .map_request(|r: http::Request<tonic::body::Body>| r)
        .layer(RpcMetricsLayer::new(&provider.meter("test")))
        .layer(AuthLayer::new(Arc::new(
            signer.authenticator(&AuthConfig::default()),
        )))
        .service(routes.routes())
        .map_response(|r: http::Response<_>| r.map(tonic::body::Body::new));
    let mut client = EchoServiceClient::new(service);
    for _ in 0..2 {
        client
            .echo(EchoRequest {
                message: "hi".into(),
            })
            .await
            .expect("echo");
    }
    let mut refused = tonic::Request::new(EchoRequest {
        message: "hi".into(),
    });
    refused
        .metadata_mut()
        .insert("authorization", "Bearer nope".parse().expect("header"));
    assert_eq!(
        client.echo(refused).await.expect_err("refused").code(),
        tonic::Code::Unauthenticated
    );

    provider.force_flush().expect("flush");
    let mut counts = std::collections::BTreeMap::new();
    for resource in exporter.get_finished_metrics().expect("metrics") {
        for scope in resource.scope_metrics() {
            for metric in scope.metrics() {
                if let (
                    "rpc.server.call.duration",
                    AggregatedMetrics::F64(MetricData::Histogram(h)),
                ) = (metric.name(), metric.data())
                {
                    assert_eq!(metric.unit(), "s");
                    for point in h.data_points() {
                        let attribute = |key: &str| {
                            point
                                .attributes()
                                .find(|kv| kv.key.as_str() == key)
                                .map(|kv| kv.value.to_string())
                                .unwrap_or_default()
                        };
                        assert_eq!(attribute("rpc.service"), "interlink.echo.v1.EchoService");
                        assert_eq!(attribute("rpc.method"), "Echo");
                        counts.insert(attribute("rpc.grpc.status_code"), point.count());
                    }
                }
            }
        }
    }
    assert_eq!(
        counts,
        std::collections::BTreeMap::from([("0".to_owned(), 2), ("16".to_owned(), 1)])
    );
    provider.shutdown().expect("shutdown");
}
