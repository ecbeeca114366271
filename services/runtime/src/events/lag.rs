//! How far behind each consumer of this process is, as two OpenTelemetry
//! gauges with a `consumer` attribute:
//!
//! - `interlink.consumer.lag.events`: events after the last one the
//!   consumer took (JetStream: the consumer's pending count; the embedded
//!   log: entries not yet looked at, whatever their subject, so an upper
//!   bound);
//! - `interlink.consumer.lag` (seconds): while events are pending, seconds
//!   since the newest applied event was committed at its source (it grows
//!   while a consumer is stuck); once caught up, the delay with which that
//!   event was applied.
//!
//! Every [`super::Consumer`] reports here; the telemetry set-up registers
//! the gauges on the meter provider it exports with.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use opentelemetry::KeyValue;
use opentelemetry::metrics::{Meter, ObservableGauge};

use super::outbox::unix_millis;

/// One consumer's lag at a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsumerLag {
    /// The durable consumer's name.
    pub consumer: String,
    /// Events after the last one taken.
    pub events_behind: u64,
    /// Seconds behind (see the module documentation).
    pub seconds_behind: f64,
}

/// The latest report of one consumer.
#[derive(Debug, Default)]
pub(crate) struct LagCell {
    pending: AtomicU64,
    /// Source commit time of the newest event taken (Unix ms; 0: none yet).
    occurred_ms: AtomicI64,
    /// When it was applied (Unix ms).
    applied_ms: AtomicI64,
}

impl LagCell {
    /// Notes that a batch was settled: `pending` events remain after it and
    /// its newest event, committed at `occurred_ms`, was applied now.
    pub(crate) fn settled(&self, pending: u64, occurred_ms: Option<i64>) {
        self.pending.store(pending, Ordering::Relaxed);
        if let Some(occurred) = occurred_ms {
            self.occurred_ms.fetch_max(occurred, Ordering::Relaxed);
            self.applied_ms.store(unix_millis(), Ordering::Relaxed);
        }
    }

    fn seconds_behind(&self, now_ms: i64) -> f64 {
        let occurred = self.occurred_ms.load(Ordering::Relaxed);
        if occurred == 0 {
            return 0.0;
        }
        let until = if self.pending.load(Ordering::Relaxed) > 0 {
            now_ms
        } else {
            self.applied_ms.load(Ordering::Relaxed)
        };
        (until - occurred).max(0) as f64 / 1000.0
    }
}

static CELLS: LazyLock<Mutex<BTreeMap<String, Arc<LagCell>>>> = LazyLock::new(Default::default);

/// The cell `consumer` reports to (one per name in the process).
pub(crate) fn cell(consumer: &str) -> Arc<LagCell> {
    CELLS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(consumer.to_owned())
        .or_default()
        .clone()
}

/// The lag of every consumer that has run in this process, by name.
pub fn snapshot() -> Vec<ConsumerLag> {
    let now = unix_millis();
    CELLS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .map(|(name, cell)| ConsumerLag {
            consumer: name.clone(),
            events_behind: cell.pending.load(Ordering::Relaxed),
            seconds_behind: cell.seconds_behind(now),
        })
        .collect()
}

/// The registered lag gauges; keep them as long as they should report.
#[derive(Debug)]
pub struct LagGauges {
    _events: ObservableGauge<u64>,
    _seconds: ObservableGauge<f64>,
}

/// Registers the two lag gauges on `meter`.
pub fn register(meter: &Meter) -> LagGauges {
    LagGauges {
        _events: meter
            .u64_observable_gauge("interlink.consumer.lag.events")
            .with_description("Events a consumer has yet to take")
            .with_callback(|observer| {
                for lag in snapshot() {
                    observer.observe(
                        lag.events_behind,
                        &[KeyValue::new("consumer", lag.consumer)],
                    );
                }
            })
            .build(),
        _seconds: meter
            .f64_observable_gauge("interlink.consumer.lag")
            .with_unit("s")
            .with_description("How far behind its sources a consumer is, in seconds")
            .with_callback(|observer| {
                for lag in snapshot() {
                    observer.observe(
                        lag.seconds_behind,
                        &[KeyValue::new("consumer", lag.consumer)],
                    );
                }
            })
            .build(),
    }
}
