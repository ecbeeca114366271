//! Trace context travels as W3C `traceparent`: what a span exports is what a
//! consumer's span continues; and the global subscriber installs once.

use interlink_runtime::config::{LogFormat, TelemetryConfig};
use interlink_runtime::telemetry::{current_traceparent, init, set_remote_parent};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::layer::SubscriberExt;

fn trace_id(traceparent: &str) -> &str {
    traceparent.split('-').nth(1).expect("trace id field")
}

#[test]
fn traceparent_round_trips_through_a_remote_parent() {
    let provider = SdkTracerProvider::builder().build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("test")));
    tracing::subscriber::with_default(subscriber, || {
        assert_eq!(current_traceparent(), None, "no span, no context");
        let publisher = tracing::info_span!("publish");
        let sent = publisher
            .in_scope(current_traceparent)
            .expect("a traceparent inside a span");
        assert_eq!(sent.split('-').count(), 4, "{sent}");
        assert!(sent.starts_with("00-"), "{sent}");

        let consumer = tracing::info_span!("consume");
        set_remote_parent(&consumer, Some(&sent));
        let continued = consumer.in_scope(current_traceparent).expect("traceparent");
        assert_eq!(trace_id(&continued), trace_id(&sent), "same trace");
        assert_ne!(continued, sent, "a new span of that trace");

        // A malformed header starts a new trace instead of failing.
        let fresh = tracing::info_span!("consume-bad");
        set_remote_parent(&fresh, Some("garbage"));
        let own = fresh.in_scope(current_traceparent).expect("traceparent");
        assert_ne!(trace_id(&own), trace_id(&sent));
    });
}

#[test]
fn the_global_subscriber_installs_once() {
    let config = TelemetryConfig {
        format: LogFormat::Json,
        ..TelemetryConfig::default()
    };
    let guard = init(&config).expect("first init");
    assert!(
        init(&config).is_err(),
        "a second global subscriber is refused"
    );
    drop(guard);
}
