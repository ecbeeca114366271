//! The Grafana dashboards are valid dashboard JSON, and every metric they
//! query is one the code really emits, under the name the OpenTelemetry
//! collector's Prometheus exporter gives it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// `(OTel name, unit, instrument)` of each instrument built in `source`.
fn instruments(source: &str) -> Vec<(String, String, &'static str)> {
    let mut found = Vec::new();
    for (marker, kind) in [
        ("_observable_gauge(\"", "gauge"),
        ("_gauge(\"", "gauge"),
        ("_histogram(\"", "histogram"),
        ("_counter(\"", "counter"),
    ] {
        let mut rest = source;
        while let Some(at) = rest.find(marker) {
            let after = &rest[at + marker.len()..];
            let Some(end) = after.find('"') else { break };
            let name = after[..end].to_owned();
            // `.with_unit("s")` directly after the name, if any.
            let tail = after[end + 1..].trim_start_matches([')', ' ', '\n', '\t']);
            let unit = tail
                .strip_prefix(".with_unit(\"")
                .and_then(|u| u.split('"').next())
                .unwrap_or("")
                .to_owned();
            if !found
                .iter()
                .any(|(n, _, _): &(String, String, _)| *n == name)
            {
                found.push((name, unit, kind));
            }
            rest = &after[end..];
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Prometheus names of everything the services and the gateway emit.
fn emitted() -> BTreeSet<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["services", "gateway/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut names = BTreeSet::new();
    for file in files {
        let path = file.to_string_lossy();
        if path.contains("/tests/") || path.contains("/benches/") {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("source");
        for (name, unit, kind) in instruments(&source) {
            let mut prometheus = name.replace('.', "_");
            if unit == "s" && !prometheus.ends_with("_seconds") {
                prometheus.push_str("_seconds");
            }
            if kind == "histogram" {
                for suffix in ["_bucket", "_sum", "_count"] {
                    names.insert(format!("{prometheus}{suffix}"));
                }
            } else {
                names.insert(prometheus);
            }
        }
    }
    names
}

/// Metric names in a PromQL expression: identifiers followed by `{`, `[`
/// or `)` that are not functions, aggregations or labels.
fn metrics_in(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    let mut in_braces = 0;
    let mut in_string = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            in_string = !in_string;
        }
        if !in_string {
            if c == '{' {
                in_braces += 1;
            } else if c == '}' {
                in_braces -= 1;
            }
        }
        if !in_string && in_braces == 0 && (c.is_ascii_alphabetic() || c == '_') {
            let start = i;
            while i < chars.len()
                && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == ':')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let next = chars[i..].iter().find(|c| !c.is_whitespace());
            let previous = chars[..start].iter().rev().find(|c| !c.is_whitespace());
            let is_call = next == Some(&'(');
            let in_grouping = previous == Some(&'(') && {
                let before: String = chars[..start].iter().collect();
                before
                    .trim_end()
                    .trim_end_matches('(')
                    .trim_end()
                    .ends_with("by")
                    || before
                        .trim_end()
                        .trim_end_matches('(')
                        .trim_end()
                        .ends_with("without")
            } || previous == Some(&',');
            if !is_call && !in_grouping && word.contains('_') {
                out.push(word);
            }
            continue;
        }
        i += 1;
    }
    out
}

#[test]
fn dashboards_query_only_metrics_the_code_emits() {
    let emitted = emitted();
    for expected in [
        "interlink_kpi",
        "interlink_monitoring_lag_seconds",
        "interlink_consumer_lag_events",
        "interlink_consumer_lag_seconds",
        "interlink_outbox_backlog",
        "rpc_server_call_duration_seconds_bucket",
        "http_server_request_duration_seconds_count",
    ] {
        assert!(
            emitted.contains(expected),
            "{expected} not found in {emitted:?}"
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/grafana/dashboards");
    let mut dashboards = 0;
    let mut used = BTreeSet::new();
    for entry in std::fs::read_dir(&dir).expect("dashboards") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("dashboard");
        let dashboard: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for key in ["uid", "title", "schemaVersion", "panels"] {
            assert!(!dashboard[key].is_null(), "{}: no {key}", path.display());
        }
        let panels = dashboard["panels"].as_array().expect("panels");
        assert!(!panels.is_empty());
        for panel in panels {
            assert!(panel["gridPos"].is_object() && panel["type"].is_string());
            let targets = panel["targets"].as_array().expect("targets");
            assert!(
                !targets.is_empty(),
                "{}: a panel without queries",
                path.display()
            );
            for target in targets {
                let expr = target["expr"].as_str().expect("expr");
                let metrics = metrics_in(expr);
                assert!(!metrics.is_empty(), "no metric in {expr}");
                for metric in metrics {
                    assert!(
                        emitted.contains(&metric),
                        "{}: `{metric}` in `{expr}` is not emitted; emitted: {emitted:?}",
                        path.display()
                    );
                    used.insert(metric);
                }
            }
        }
        dashboards += 1;
    }
    assert!(dashboards >= 3, "{dashboards} dashboards");
    // Adoption, RPC latency and errors, consumer lag and the outbox backlog are all shown.
    for needed in [
        "interlink_kpi",
        "rpc_server_call_duration_seconds_bucket",
        "rpc_server_call_duration_seconds_count",
        "interlink_consumer_lag_events",
        "interlink_consumer_lag_seconds",
        "interlink_outbox_backlog",
    ] {
        assert!(used.contains(needed), "no dashboard shows {needed}");
    }
}

#[test]
fn promql_metric_names_are_found() {
    assert_eq!(
        metrics_in(
            "histogram_quantile(0.99, sum by (le, rpc_service) (rate(rpc_server_call_duration_seconds_bucket[5m])))"
        ),
        ["rpc_server_call_duration_seconds_bucket"]
    );
    assert_eq!(
        metrics_in("max by (consumer) (interlink_consumer_lag_events{job=\"x_y\"})"),
        ["interlink_consumer_lag_events"]
    );
}
