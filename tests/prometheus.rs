//! The Grafana dashboards against a real Prometheus (Debian's 2.42,
//! installed by `scripts/services.sh`): `interlink up` serves its metrics
//! for scraping, a co-production story is played through the gateway while
//! more calls keep coming, Prometheus scrapes every second, and every query
//! of every dashboard, asked through Prometheus's HTTP API, returns data.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Api, Killed, free_port, mint, serve_up};
use serde_json::{Value, json};

const PROMETHEUS: &str = "/usr/bin/prometheus";

/// Every query of every dashboard, its variables given their widest value.
fn dashboard_queries() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/grafana/dashboards");
    let mut queries = Vec::new();
    for entry in std::fs::read_dir(dir).expect("dashboards") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("dashboard");
        let dashboard: Value = serde_json::from_str(&text).expect("JSON");
        for panel in dashboard["panels"].as_array().expect("panels") {
            for target in panel["targets"].as_array().expect("targets") {
                let expr = target["expr"].as_str().expect("expr");
                queries.push(expr.replace("$pa", ".*"));
            }
        }
    }
    queries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_dashboard_query_returns_data_from_a_real_prometheus() {
    assert!(
        std::path::Path::new(PROMETHEUS).exists(),
        "{PROMETHEUS} is missing: scripts/services.sh installs it"
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let metrics_port = free_port();
    let (_up, base) = serve_up(
        &dir.path().join("data"),
        &[
            (
                "INTERLINK__TELEMETRY__PROMETHEUS_LISTEN",
                format!("127.0.0.1:{metrics_port}"),
            ),
            ("OTEL_RESOURCE_ATTRIBUTES", "interlink.pa=test".into()),
        ],
    )
    .await;
    let http = reqwest::Client::new();

    // Prometheus, scraping every second.
    let prometheus_port = free_port();
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global: {{scrape_interval: 1s, evaluation_interval: 1s}}\n\
             scrape_configs:\n  - job_name: interlink\n    static_configs:\n      \
             - targets: [\"127.0.0.1:{metrics_port}\"]\n"
        ),
    )
    .expect("config");
    let _prometheus = Killed(
        Command::new(PROMETHEUS)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{prometheus_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("prometheus"),
    );

    // A co-production story through the gateway, feeding every KPI the
    // dashboards show.
    let data = dir.path().join("data");
    let admin = Api {
        http: http.clone(),
        base: base.clone(),
        token: mint(&data, "pa-admin", true),
    };
    let citizen = Api {
        http: http.clone(),
        base: base.clone(),
        token: mint(&data, "citizen", false),
    };
    use reqwest::Method as M;
    let me = citizen.ok(M::GET, "/v1/users/me", None).await;
    let org = admin
        .ok(
            M::POST,
            "/v1/organizations",
            Some(json!({
                "displayName": {"values": {"en": "Test city"}},
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
                "public": true,
            })),
        )
        .await;
    let org_name = org["name"].as_str().expect("org").to_owned();
    let team = admin
        .ok(
            M::POST,
            &format!("/v1/{org_name}/teams"),
            Some(json!({"displayName": {"values": {"en": "Mobility"}}})),
        )
        .await;
    let team_name = team["name"].as_str().expect("team").to_owned();
    admin
        .ok(
            M::POST,
            &format!("/v1/{team_name}/members"),
            Some(json!({"user": me["name"]})),
        )
        .await;
    let process = admin
        .ok(
            M::POST,
            "/v1/processes",
            Some(json!({"title": "Lights", "language": "en", "organization": org_name})),
        )
        .await;
    let process_name = process["name"].as_str().expect("process").to_owned();
    let tree = admin
        .ok(
            M::POST,
            &format!("/v1/{process_name}:buildFromSchema"),
            Some(json!({"schema": "schemas/default"})),
        )
        .await;
    let task = tree["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "ITEM_KIND_TASK" && i.get("prerequisites").is_none())
        .and_then(|i| i["name"].as_str())
        .expect("a task without prerequisites")
        .to_owned();
    admin
        .ok(
            M::POST,
            &format!("/v1/{task}:setStatus"),
            Some(json!({"status": "STATUS_IN_PROGRESS"})),
        )
        .await;
    let interlinkers = admin.ok(M::GET, "/v1/interlinkers?pageSize=1", None).await;
    let interlinker = interlinkers["interlinkers"][0]["name"].clone();
    admin
        .ok(
            M::POST,
            &format!("/v1/{task}/assets"),
            Some(json!({"kind": "ASSET_KIND_INTERNAL", "interlinker": interlinker})),
        )
        .await;
    admin
        .ok(
            M::POST,
            &format!("/v1/{process_name}/claims"),
            Some(json!({"target": task, "type": "CLAIM_TYPE_DEVELOPMENT", "description": "Maps"})),
        )
        .await;
    admin
        .ok(
            M::POST,
            &format!("/v1/{process_name}/stories"),
            Some(json!({"title": "Brighter streets"})),
        )
        .await;

    // More calls while Prometheus scrapes (some refused, for the error
    // ratio), until every query answers with data.
    let queries = dashboard_queries();
    assert!(queries.len() >= 15, "{} queries", queries.len());
    let prometheus = format!("http://127.0.0.1:{prometheus_port}");
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut empty: Vec<String>;
    loop {
        for _ in 0..5 {
            admin
                .call(M::GET, "/v1/interlinkers?pageSize=5", None)
                .await;
            admin
                .call(
                    M::GET,
                    "/v1/processes/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2aff",
                    None,
                )
                .await;
        }
        empty = Vec::new();
        for query in &queries {
            let answer = http
                .get(format!("{prometheus}/api/v1/query"))
                .query(&[("query", query.as_str())])
                .send()
                .await;
            let answer: Value = match answer {
                Ok(response) => response.json().await.unwrap_or(Value::Null),
                Err(_) => Value::Null,
            };
            let has_data = answer["status"] == "success"
                && answer["data"]["result"]
                    .as_array()
                    .is_some_and(|r| !r.is_empty());
            if !has_data {
                empty.push(format!("{query} → {answer}"));
            }
        }
        if empty.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "queries without data:\n{}",
            empty.join("\n")
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // The PA's name reached the scraped series as a label.
    let labelled: Value = http
        .get(format!("{prometheus}/api/v1/query"))
        .query(&[("query", "interlink_kpi{interlink_pa=\"test\"}")])
        .send()
        .await
        .expect("query")
        .json()
        .await
        .expect("JSON");
    assert!(
        labelled["data"]["result"]
            .as_array()
            .is_some_and(|r| !r.is_empty()),
        "{labelled}"
    );
}
