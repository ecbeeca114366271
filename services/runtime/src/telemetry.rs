//! Logs, traces and metrics: a `tracing` subscriber (pretty on terminals,
//! JSON when asked), OTLP trace and metric export when the standard
//! `OTEL_EXPORTER_OTLP_*` variables name an endpoint, the W3C trace-context propagator, and a guard
//! that flushes spans on exit.

use std::collections::HashMap;

use opentelemetry::metrics::MeterProvider as _;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::config::{Config, LogFormat, TelemetryConfig};

/// Flushes and shuts down the trace and metric exporters when dropped.
#[derive(Debug)]
pub struct TelemetryGuard {
    provider: Option<SdkTracerProvider>,
    meters: Option<opentelemetry_sdk::metrics::SdkMeterProvider>,
    _lag: Option<crate::events::lag::LagGauges>,
    _backlog: Option<opentelemetry::metrics::ObservableGauge<u64>>,
}

impl Drop for TelemetryGuard {
    fn drop(&mut self) {
        if let Some(provider) = self.provider.take()
            && let Err(e) = provider.shutdown()
        {
            eprintln!("telemetry: flushing spans failed: {e}");
        }
        if let Some(meters) = self.meters.take()
            && let Err(e) = meters.shutdown()
        {
            eprintln!("telemetry: flushing metrics failed: {e}");
        }
    }
}

/// A failure to start telemetry.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The OTLP exporter could not be built.
    #[error("otlp exporter: {0}")]
    Exporter(String),
    /// A global subscriber was already installed.
    #[error("tracing subscriber: {0}")]
    Subscriber(String),
}

/// Installs the global subscriber (and the OTLP exporter if configured).
/// Keep the guard alive until the process exits.
pub fn init(config: &TelemetryConfig) -> Result<TelemetryGuard, TelemetryError> {
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let filter = EnvFilter::try_new(&config.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let fmt = match config.format {
        // Colours only for a person at a terminal, never into a file.
        LogFormat::Pretty => tracing_subscriber::fmt::layer()
            .with_target(true)
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .boxed(),
    };
    let provider = if Config::otlp_configured() {
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .build()
            .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
        // The batch exporter: the simple one blocks a current-thread runtime.
        Some(
            SdkTracerProvider::builder()
                .with_batch_exporter(exporter)
                .with_resource(
                    opentelemetry_sdk::Resource::builder()
                        .with_service_name(config.service_name.clone())
                        .build(),
                )
                .build(),
        )
    } else {
        None
    };
    // Metrics (consumer lag, monitoring's KPIs, RPC durations) over OTLP,
    // read every minute by default (`OTEL_METRIC_EXPORT_INTERVAL`), and for
    // Prometheus to scrape when `telemetry.prometheus_listen` is set.
    let scrape = if config.prometheus_listen.is_empty() {
        None
    } else {
        Some(prometheus_exposition(&config.prometheus_listen)?)
    };
    let meters = if Config::otlp_metrics_configured() || scrape.is_some() {
        let mut builder = opentelemetry_sdk::metrics::SdkMeterProvider::builder().with_resource(
            opentelemetry_sdk::Resource::builder()
                .with_service_name(config.service_name.clone())
                .build(),
        );
        if Config::otlp_metrics_configured() {
            let exporter = opentelemetry_otlp::MetricExporter::builder()
                .with_tonic()
                .build()
                .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
            builder = builder
                .with_reader(opentelemetry_sdk::metrics::PeriodicReader::builder(exporter).build());
        }
        if let Some(reader) = scrape {
            builder = builder.with_reader(reader);
        }
        let meters = builder.build();
        opentelemetry::global::set_meter_provider(meters.clone());
        Some(meters)
    } else {
        None
    };
    // Every consumer's lag, whichever service runs it.
    let lag = meters
        .as_ref()
        .map(|m| crate::events::lag::register(&m.meter("interlink.events")));
    let backlog = meters
        .as_ref()
        .map(|m| crate::events::relay::register_backlog(&m.meter("interlink.events")));
    let otel = provider.as_ref().map(|p| {
        opentelemetry::global::set_tracer_provider(p.clone());
        tracing_opentelemetry::layer().with_tracer(p.tracer("interlink"))
    });
    tracing_subscriber::registry()
        .with(filter)
        .with(fmt)
        .with(otel)
        .try_init()
        .map_err(|e| TelemetryError::Subscriber(e.to_string()))?;
    Ok(TelemetryGuard {
        provider,
        meters,
        _lag: lag,
        _backlog: backlog,
    })
}

/// The resource attribute that names the PA of a deployment
/// (`OTEL_RESOURCE_ATTRIBUTES=interlink.pa=zaragoza`), a label of every
/// scraped series as the collector's conversion makes it.
const PA_ATTRIBUTE: &str = "interlink.pa";

/// A metric reader whose readings `GET /metrics` on `listen` serves in
/// Prometheus's text format (spawned on the current runtime).
fn prometheus_exposition(
    listen: &str,
) -> Result<opentelemetry_prometheus::PrometheusExporter, TelemetryError> {
    let registry = prometheus::Registry::new();
    let exporter = opentelemetry_prometheus::exporter()
        .with_registry(registry.clone())
        .with_resource_selector(std::collections::HashSet::from([opentelemetry::Key::new(
            PA_ATTRIBUTE,
        )]))
        .build()
        .map_err(|e| TelemetryError::Exporter(e.to_string()))?;
    let listener = std::net::TcpListener::bind(listen)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .and_then(tokio::net::TcpListener::from_std)
        .map_err(|e| {
            TelemetryError::Exporter(format!("telemetry.prometheus_listen {listen}: {e}"))
        })?;
    tokio::spawn(serve_metrics(listener, registry));
    Ok(exporter)
}

/// Answers `GET /metrics` with `registry`'s families, until the process ends.
async fn serve_metrics(listener: tokio::net::TcpListener, registry: prometheus::Registry) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            // Out of descriptors, say: wait a little rather than spin.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let registry = registry.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: http::Request<_>| {
                let registry = registry.clone();
                async move {
                    if request.uri().path() == "/metrics" {
                        let mut body = Vec::new();
                        let encoded = prometheus::Encoder::encode(
                            &prometheus::TextEncoder::new(),
                            &registry.gather(),
                            &mut body,
                        );
                        match encoded {
                            Ok(()) => http::Response::builder()
                                .header(
                                    http::header::CONTENT_TYPE,
                                    "text/plain; version=0.0.4; charset=utf-8",
                                )
                                .body(http_body_util::Full::new(bytes::Bytes::from(body))),
                            Err(e) => http::Response::builder()
                                .status(http::StatusCode::INTERNAL_SERVER_ERROR)
                                .body(http_body_util::Full::new(bytes::Bytes::from(e.to_string()))),
                        }
                    } else {
                        http::Response::builder()
                            .status(http::StatusCode::NOT_FOUND)
                            .body(http_body_util::Full::new(bytes::Bytes::new()))
                    }
                }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, service)
                .await
            {
                tracing::debug!(error = %e, "metrics connection ended with an error");
            }
        });
    }
}

/// The W3C `traceparent` of the current span, when tracing exports spans.
pub fn current_traceparent() -> Option<String> {
    let context = tracing::Span::current().context();
    let mut carrier = HashMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut carrier);
    carrier.remove("traceparent")
}

/// Makes `span` a child of the remote trace named by `traceparent`.
pub fn set_remote_parent(span: &tracing::Span, traceparent: Option<&str>) {
    if let Some(tp) = traceparent {
        let carrier = HashMap::from([("traceparent".to_owned(), tp.to_owned())]);
        let context = TraceContextPropagator::new().extract(&carrier);
        let _ = span.set_parent(context);
    }
}
