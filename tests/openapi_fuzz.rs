//! The OpenAPI document against the running mesh: schemathesis (pinned in
//! `scripts/python/schemathesis.txt`, installed by `scripts/tools.sh`)
//! drives every operation of `interlink up` from `/openapi.json`, without a
//! token and with a platform administrator's, the ids of a seeded
//! organisation, team, process, tree, asset, claim and story offered beside
//! generated ones. Any finding fails the test: a server error, an answer off
//! its schema, a request the document forbids but the server accepts, or one
//! the document allows but the server refuses for a reason it could state.

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::{Api, mint, serve_up};
use serde_json::{Value, json};

/// Examples per operation and phase: enough to reach every rule of every
/// operation, few enough for the test command.
const MAX_EXAMPLES: &str = "25";

fn schemathesis() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tools/schemathesis/bin/schemathesis")
}

/// The id (last segment) of a resource name in `value[key]`.
fn id_of(value: &Value, key: &str) -> String {
    value[key]
        .as_str()
        .and_then(|name| name.rsplit('/').next())
        .unwrap_or_else(|| panic!("no `{key}` in {value}"))
        .to_owned()
}

/// Seeds one of everything through the gateway; returns, per path
/// parameter of the document, the ids to offer.
async fn seed(api: &Api) -> BTreeMap<&'static str, Vec<String>> {
    use reqwest::Method as M;
    let mut ids: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let me = api.ok(M::GET, "/v1/users/me", None).await;
    ids.insert("userId", vec![id_of(&me, "name")]);
    let org = api
        .ok(
            M::POST,
            "/v1/organizations",
            Some(json!({
                "displayName": {"values": {"en": "Fuzz city"}},
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
                "public": true,
            })),
        )
        .await;
    ids.insert("organizationId", vec![id_of(&org, "name")]);
    let org_name = org["name"].as_str().expect("org").to_owned();
    let webhook = api
        .ok(
            M::POST,
            &format!("/v1/{org_name}/webhooks"),
            Some(json!({
                "url": "https://hooks.example.org/in",
                "eventTypes": ["community.team.created"],
            })),
        )
        .await;
    ids.insert("webhookId", vec![id_of(&webhook, "name")]);
    let peer = api
        .ok(
            M::POST,
            "/v1/peers",
            Some(json!({
                "feedUrl": "https://peer.example.org/v1/federation/feed",
                "pinnedKeys": ["cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s"],
            })),
        )
        .await;
    ids.insert("peerId", vec![id_of(&peer, "name")]);
    let team = api
        .ok(
            M::POST,
            &format!("/v1/{org_name}/teams"),
            Some(json!({"displayName": {"values": {"en": "Mobility"}}})),
        )
        .await;
    ids.insert("teamId", vec![id_of(&team, "name")]);
    let process = api
        .ok(
            M::POST,
            "/v1/processes",
            Some(json!({"title": "Lights", "language": "en", "organization": org_name})),
        )
        .await;
    let process_name = process["name"].as_str().expect("process").to_owned();
    ids.insert("processId", vec![id_of(&process, "name")]);
    let tree = api
        .ok(
            M::POST,
            &format!("/v1/{process_name}:buildFromSchema"),
            Some(json!({"schema": "schemas/default"})),
        )
        .await;
    for item in tree["items"].as_array().expect("items") {
        let key = match item["kind"].as_str() {
            Some("ITEM_KIND_PHASE") => "phaseId",
            Some("ITEM_KIND_OBJECTIVE") => "objectiveId",
            _ => "taskId",
        };
        ids.entry(key).or_default().push(id_of(item, "name"));
    }
    let task = format!("tasks/{}", ids["taskId"][0]);
    let interlinkers = api.ok(M::GET, "/v1/interlinkers?pageSize=5", None).await;
    for interlinker in interlinkers["interlinkers"].as_array().expect("list") {
        ids.entry("interlinkerId")
            .or_default()
            .push(id_of(interlinker, "name"));
    }
    let asset = api
        .ok(
            M::POST,
            &format!("/v1/{task}/assets"),
            Some(json!({
                "kind": "ASSET_KIND_EXTERNAL",
                "displayName": "Minutes",
                "uri": "https://example.org/minutes",
            })),
        )
        .await;
    ids.insert("assetId", vec![id_of(&asset, "name")]);
    let claim = api
        .ok(
            M::POST,
            &format!("/v1/{process_name}/claims"),
            Some(json!({"target": task, "type": "CLAIM_TYPE_DEVELOPMENT"})),
        )
        .await;
    ids.insert("claimId", vec![id_of(&claim, "name")]);
    let grant = api
        .ok(
            M::POST,
            &format!("/v1/{process_name}/grants"),
            Some(json!({"team": team["name"], "accessAssets": true})),
        )
        .await;
    ids.insert("grantId", vec![id_of(&grant, "name")]);
    let schemas = api.ok(M::GET, "/v1/schemas", None).await;
    for schema in schemas["schemas"].as_array().expect("schemas") {
        ids.entry("schemaId")
            .or_default()
            .push(id_of(schema, "name"));
    }
    let profiles = api.ok(M::GET, "/v1/problemProfiles", None).await;
    for profile in profiles["problemProfiles"]
        .as_array()
        .expect("profiles")
        .iter()
        .take(5)
    {
        ids.entry("problemProfileId")
            .or_default()
            .push(id_of(profile, "name"));
    }
    ids
}

/// The schemathesis configuration: the seeded ids offered for each path
/// parameter half of the time, and what the document cannot state.
fn config(ids: &BTreeMap<&'static str, Vec<String>>) -> String {
    let mut toml = String::from("[dictionaries]\n");
    for (name, values) in ids {
        let _ = writeln!(toml, "{name} = {{ values = {} }}", json!(values));
    }
    toml.push_str("\n[parameters]\n");
    for name in ids.keys() {
        let _ = writeln!(
            toml,
            "\"path.{name}\" = {{ dictionary = \"{name}\", probability = 0.5 }}"
        );
    }
    // An update changes what its mask names and ignores the rest of its
    // body: the mask is a query parameter, which the document cannot tie
    // to the body, so an invalid value outside the mask is accepted.
    // (Schema-valid updates refused for the mask are let through by
    // tests/schemathesis/hooks.py, which replaces that check.)
    toml.push_str(
        "\n[[operations]]\ninclude-method = \"PATCH\"\n\
         checks.negative_data_rejection.enabled = false\n",
    );
    toml
}

/// Runs schemathesis against `base`; returns its exit status and report.
fn run(dir: &Path, base: &str, token: Option<&str>) -> (bool, String) {
    let mut command = Command::new(schemathesis());
    command
        .current_dir(dir)
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env(
            "PYTHONPATH",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis"),
        )
        .args(["--config-file", "schemathesis.toml", "run"])
        .arg(format!("{base}/openapi.json"))
        .args([
            // Every check, but this one replaced by the hooks' own, which
            // knows the rules no schema can state.
            "--exclude-checks",
            "positive_data_acceptance",
            "--max-examples",
            MAX_EXAMPLES,
            // One worker: CPython 3.11's `ast`, which hypothesis uses to
            // describe strategies, is not safe across threads.
            "--workers",
            "1",
            "--request-timeout",
            "10",
            "--seed",
            "1",
            "--no-color",
            "--generation-database",
            "none",
            // Streams that stay open as long as asked.
            "--exclude-path",
            "/v1/events:stream",
            "--exclude-path",
            "/v1/echo:stream",
            "--exclude-path",
            "/v1/notifications:stream",
            "--exclude-path",
            "/v1/processes/{processId}/feed:stream",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(token) = token {
        command.args(["-H", &format!("Authorization: Bearer {token}")]);
    }
    let output = command.output().expect("schemathesis runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), findings(&report))
}

/// The findings of a report (from its list of errors or failures on), cut
/// to a readable length.
fn findings(report: &str) -> String {
    let start = ["= ERRORS =", "= FAILURES =", "SUMMARY"]
        .iter()
        .filter_map(|mark| report.find(mark))
        .min()
        .unwrap_or(0);
    report[start..].chars().take(30_000).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_nothing_against_interlink_up() {
    let tool = schemathesis();
    assert!(
        tool.exists(),
        "{} is missing: scripts/tools.sh installs it (scripts/test runs it)",
        tool.display()
    );
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let (_up, base) = serve_up(&data, &[]).await;
    let admin = mint(&data, "fuzz-admin", true);
    let api = Api {
        http: reqwest::Client::new(),
        base: base.clone(),
        token: admin.clone(),
    };
    let ids = seed(&api).await;
    std::fs::write(dir.path().join("schemathesis.toml"), config(&ids)).expect("config");

    let mut failed = Vec::new();
    for (who, token) in [
        ("without a token", None),
        ("as an administrator", Some(&admin)),
    ] {
        let (ok, report) = run(dir.path(), &base, token.map(String::as_str));
        if !ok {
            failed.push(format!("--- schemathesis {who} ---\n{report}"));
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
