//! The KPIs and the trail's lag as OpenTelemetry gauges: `interlink.kpi`
//! (attributes `organization` — empty for the platform —, `kpi`,
//! `dimension`) from a snapshot refreshed from the database, and
//! `interlink.monitoring.lag` (seconds between an event's source commit and
//! its recording, for the newest event of the last batch).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, RwLock};

use interlink_runtime::db::statement;
use opentelemetry::KeyValue;
use opentelemetry::metrics::{Meter, ObservableGauge};
use sea_orm::{ConnectionTrait, DbErr};

/// One KPI value: scope, KPI, dimension, value.
type KpiRow = (String, String, String, i64);

/// The values the gauges report.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    kpis: Arc<RwLock<Vec<KpiRow>>>,
    lag_ms: Arc<AtomicI64>,
}

/// The registered gauges; keep them alive as long as they should report.
#[derive(Debug)]
pub struct Gauges {
    _kpis: ObservableGauge<i64>,
    _lag: ObservableGauge<f64>,
}

impl Exported {
    /// Registers the gauges on `meter`.
    pub fn register(&self, meter: &Meter) -> Gauges {
        let kpis = self.kpis.clone();
        let lag = self.lag_ms.clone();
        Gauges {
            _kpis: meter
                .i64_observable_gauge("interlink.kpi")
                .with_description(
                    "Adoption KPIs by organisation (empty: platform), KPI and dimension",
                )
                .with_callback(move |observer| {
                    let rows = kpis
                        .read()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    for (scope, kpi, dimension, value) in rows.iter() {
                        observer.observe(
                            *value,
                            &[
                                KeyValue::new("organization", scope.clone()),
                                KeyValue::new("kpi", kpi.clone()),
                                KeyValue::new("dimension", dimension.clone()),
                            ],
                        );
                    }
                })
                .build(),
            _lag: meter
                .f64_observable_gauge("interlink.monitoring.lag")
                .with_unit("s")
                .with_description("Seconds from an event's source commit to its recording")
                .with_callback(move |observer| {
                    observer.observe(lag.load(Ordering::Relaxed) as f64 / 1000.0, &[]);
                })
                .build(),
        }
    }

    /// Reloads the KPI values from the database.
    pub async fn refresh(&self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        let rows = db
            .query_all_raw(statement(
                db,
                "SELECT scope, kpi, dimension, CAST(SUM(delta) AS BIGINT) AS value \
                 FROM kpi_daily GROUP BY scope, kpi, dimension",
                [],
            ))
            .await?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("", "scope")?,
                    r.try_get("", "kpi")?,
                    r.try_get("", "dimension")?,
                    r.try_get("", "value")?,
                ))
            })
            .collect::<Result<Vec<_>, DbErr>>()?;
        *self
            .kpis
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = rows;
        Ok(())
    }

    /// Notes that events up to `occurred_ms` (source time) were recorded
    /// at `recorded_ms`.
    pub fn recorded(&self, occurred_ms: i64, recorded_ms: i64) {
        self.lag_ms
            .store((recorded_ms - occurred_ms).max(0), Ordering::Relaxed);
    }
}
