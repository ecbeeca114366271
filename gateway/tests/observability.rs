//! What operators see of a request: the caller's trace continued through
//! the gateway into the service, and one access log line per request in
//! the gateway's span (route, RPC, request id, status).

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::Fixture;
use opentelemetry::trace::TracerProvider as _;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Collects what the JSON log layer writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traces_continue_into_services_and_each_request_is_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder().build();
    opentelemetry::global::set_text_map_propagator(
        opentelemetry_sdk::propagation::TraceContextPropagator::new(),
    );
    tracing_subscriber::registry()
        .with(tracing_subscriber::EnvFilter::new("info"))
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")))
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .flatten_event(true)
                .with_current_span(true)
                .with_writer(move || writer.clone()),
        )
        .init();

    let f = Fixture::start(|_| {}).await;
    let incoming = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let response = reqwest::Client::new()
        .get(format!("{}/v1/echo?message=traceparent", f.base))
        .header("traceparent", incoming)
        .header("x-request-id", "req-observed")
        .bearer_auth(&f.token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.expect("JSON");
    let received = body["message"].as_str().expect("traceparent");
    // Same trace, a new parent: the gateway's span.
    let parts: Vec<&str> = received.split('-').collect();
    assert_eq!(parts.len(), 4, "{received}");
    assert_eq!(parts[1], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_ne!(parts[2], "00f067aa0ba902b7");

    let text = String::from_utf8(captured.0.lock().expect("lock").clone()).expect("UTF-8");
    let access: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["target"] == "interlink_gateway::access")
        .collect();
    assert_eq!(access.len(), 1, "{text}");
    let line = &access[0];
    assert_eq!(line["status"], 200);
    assert_eq!(line["span"]["http.route"], "/v1/echo");
    assert_eq!(line["span"]["rpc.service"], "interlink.echo.v1.EchoService");
    assert_eq!(line["span"]["rpc.method"], "Echo");
    assert_eq!(line["span"]["http.request_id"], "req-observed");
    assert_eq!(line["span"]["enduser.id"], "citizen-1");
    assert_eq!(line["span"]["http.request.method"], "GET");
}
