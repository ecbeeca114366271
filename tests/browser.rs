//! The pages in a real browser: `interlink up` serves them and
//! `tests/browser/*.test.mjs` drive Debian's chromium through them with
//! playwright-core and axe-core (both installed by `scripts/browser.sh`,
//! which the README's test command runs); signing in with an OpenID
//! provider runs against npm `oidc-provider`, started by its test.
//! Screenshots of every page land in `target/browser-artefacts/`. A machine
//! without node, chromium or the npm packages fails these tests; they never
//! skip.

mod common;

use std::path::Path;
use std::process::Command;

use common::{free_port, serve_up, serve_up_at};

/// Runs `tests/browser/{script}` against the site at `base`, with `envs`
/// beside, and fails with its report unless every test in it passed.
async fn run_browser_tests(script: &'static str, base: String, envs: Vec<(&'static str, String)>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let suite = root.join("tests/browser");
    assert!(
        suite.join("node_modules/playwright-core").is_dir()
            && suite.join("node_modules/@axe-core/playwright").is_dir()
            && suite.join("node_modules/oidc-provider").is_dir(),
        "the browser tests' npm packages are missing: run scripts/browser.sh"
    );
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        Path::new(&chromium).exists(),
        "{chromium} is missing: run scripts/browser.sh"
    );
    let artefacts = root.join("target/browser-artefacts");
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(["--test", "--test-reporter=spec", script])
            .current_dir(&suite)
            .env("INTERLINK_BASE_URL", &base)
            .env("INTERLINK_ARTEFACTS", &artefacts)
            .env("CHROMIUM", &chromium)
            .envs(envs)
            .output()
    })
    .await
    .expect("the browser run")
    .expect("node runs (is Node.js installed?)");
    let report = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{report}");
    assert!(
        output.status.success(),
        "the browser tests of {script} failed:\n{report}"
    );
}

#[tokio::test]
async fn pages_pass_in_a_real_browser_in_every_language() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let (_up, base) = serve_up(&data, &[]).await;
    // A public process with a story, for their pages.
    let admin = common::Api {
        http: reqwest::Client::new(),
        base: base.clone(),
        token: common::mint(&data, "process-admin", true),
    };
    common::public_process_with_story(&admin).await;
    run_browser_tests("pages.test.mjs", base, Vec::new()).await;
}

#[tokio::test]
async fn the_co_production_scenario_plays_through_the_pages_only() {
    let dir = tempfile::tempdir().expect("temporary directory");
    // The documents and surveys interlinkers on ports known before `up`
    // starts, so its catalogue seed points the collaborative editor, the
    // survey builder and their templates at them.
    let documents = format!("127.0.0.1:{}", free_port());
    let surveys = format!("127.0.0.1:{}", free_port());
    let (_up, base) = serve_up(
        &dir.path().join("data"),
        &[
            ("INTERLINK__DOCUMENTS__LISTEN", documents.clone()),
            ("INTERLINK__SURVEYS__LISTEN", surveys.clone()),
        ],
    )
    .await;
    run_browser_tests(
        "scenario.test.mjs",
        base,
        vec![
            ("INTERLINK_DOCUMENTS_URL", format!("http://{documents}")),
            ("INTERLINK_SURVEYS_URL", format!("http://{surveys}")),
        ],
    )
    .await;
}

/// A token of the data directory's dev key for Ana, with an interlinker at
/// `audience` as its audience (what the platform gives the pages it frames).
fn interlinker_token(data_dir: &Path, audience: &str) -> String {
    let output = Command::new(common::BIN)
        .args(["token", "--sub", "ana", "--name", "Ana Zaragoza"])
        .args(["--audience", audience, "--data-dir"])
        .arg(data_dir)
        .output()
        .expect("interlink token");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

#[tokio::test]
async fn the_documents_interlinkers_pages_pass_in_every_language() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let up = common::start(dir.path());
    let token = interlinker_token(dir.path(), &up.documents);
    run_browser_tests(
        "documents.test.mjs",
        up.http.clone(),
        vec![
            ("INTERLINK_DOCUMENTS_URL", up.documents.clone()),
            ("INTERLINK_DOCUMENTS_TOKEN", token),
        ],
    )
    .await;
    common::stop(up, "-TERM").await;
}

#[tokio::test]
async fn the_surveys_interlinkers_pages_pass_in_every_language() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let up = common::start(dir.path());
    let token = interlinker_token(dir.path(), &up.surveys);
    run_browser_tests(
        "surveys.test.mjs",
        up.http.clone(),
        vec![
            ("INTERLINK_SURVEYS_URL", up.surveys.clone()),
            ("INTERLINK_SURVEYS_TOKEN", token),
        ],
    )
    .await;
    common::stop(up, "-TERM").await;
}

#[tokio::test]
async fn the_bell_and_the_inbox_pass_in_every_language() {
    use reqwest::Method as M;
    use serde_json::json;
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let (_up, base) = serve_up(&data, &[]).await;
    let api = |subject: &str| common::Api {
        http: reqwest::Client::new(),
        base: base.clone(),
        token: common::mint(&data, subject, false),
    };
    // A team, and a person per language added to it: one notification each.
    let admin = api("team-admin");
    let team =
        common::team_in_new_organization(&admin, json!({"en": "Gardens", "es": "Huertos"})).await;
    for lang in ["en", "es", "it", "lv"] {
        let subject = format!("notified-{lang}");
        api(&subject).ok(M::GET, "/v1/users/me", None).await;
        admin
            .ok(
                M::POST,
                &format!("/v1/{team}/members"),
                Some(json!({"user": interlink_runtime::api::user_name(&subject)})),
            )
            .await;
        // Told before the browser looks.
        let person = api(&subject);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while person
            .ok(M::GET, "/v1/notifications:unseenCount", None)
            .await["unseenCount"]
            != json!("1")
        {
            assert!(std::time::Instant::now() < deadline, "{subject} never told");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    // Someone the browser watches while the team's administrator adds them.
    api("watcher").ok(M::GET, "/v1/users/me", None).await;
    // A process of the team's organisation (its administrator is the
    // team's, who watches its page), and another team to give it to while
    // the page is open: its feed grows. Not the first team: its members'
    // bells count one notification each.
    let organization = admin.ok(M::GET, &format!("/v1/{team}"), None).await["organization"]
        .as_str()
        .expect("the team's organisation")
        .to_owned();
    let process = admin
        .ok(
            M::POST,
            "/v1/processes",
            Some(json!({"title": "Allotments", "language": "en", "organization": organization})),
        )
        .await["name"]
        .as_str()
        .expect("a process")
        .to_owned();
    let orchards = admin
        .ok(
            M::POST,
            &format!("/v1/{organization}/teams"),
            Some(json!({"displayName": {"values": {"en": "Orchards"}}})),
        )
        .await["name"]
        .as_str()
        .expect("a second team")
        .to_owned();
    run_browser_tests(
        "notifications.test.mjs",
        base,
        vec![
            ("INTERLINK_TEAM", team),
            ("INTERLINK_PROCESS", process),
            ("INTERLINK_SECOND_TEAM", orchards),
            ("INTERLINK_TEAM_ADMIN_TOKEN", admin.token.clone()),
            (
                "INTERLINK_WATCHER_USER",
                interlink_runtime::api::user_name("watcher"),
            ),
        ],
    )
    .await;
}

#[tokio::test]
async fn people_sign_in_with_the_pas_openid_provider() {
    let provider_port = free_port();
    let issuer = format!("http://127.0.0.1:{provider_port}");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let secret = uuid::Uuid::new_v4().simple().to_string();
    let dir = tempfile::tempdir().expect("temporary directory");
    // The mesh trusts the provider's tokens; the pages sign people in there.
    let (_up, base) = serve_up_at(
        &dir.path().join("data"),
        port,
        &[
            ("INTERLINK__AUTH__ISSUER", issuer.clone()),
            ("INTERLINK__AUTH__JWKS_URL", format!("{issuer}/jwks")),
            ("INTERLINK__GATEWAY__WEB__PUBLIC_URL", base),
            (
                "INTERLINK__GATEWAY__WEB__OIDC_CLIENT_ID",
                "interlink-web".into(),
            ),
            (
                "INTERLINK__GATEWAY__WEB__OIDC_CLIENT_SECRET",
                secret.clone(),
            ),
            (
                "INTERLINK__GATEWAY__WEB__OIDC_SCOPES",
                "profile email interlink".into(),
            ),
            // A PA's colour: axe checks its contrast on these pages too.
            ("INTERLINK__GATEWAY__WEB__ACCENT_COLOUR", "#a6192e".into()),
        ],
    )
    .await;
    run_browser_tests(
        "oidc.test.mjs",
        base,
        vec![
            ("OIDC_PORT", provider_port.to_string()),
            ("OIDC_CLIENT_SECRET", secret),
        ],
    )
    .await;
}

/// A document made on the documents interlinker's own page, framed in a
/// task's guide, is added to the task; forged messages are ignored.
#[tokio::test]
async fn a_resource_made_on_an_interlinkers_own_page_is_added_to_the_task() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let documents = format!("127.0.0.1:{}", free_port());
    let (_up, base) = serve_up(
        &data,
        &[("INTERLINK__DOCUMENTS__LISTEN", documents.clone())],
    )
    .await;
    let admin = common::Api {
        http: reqwest::Client::new(),
        base: base.clone(),
        token: common::mint(&data, "ana", true),
    };
    let made = common::public_process_with_story(&admin).await;
    let tree = admin
        .ok(
            reqwest::Method::GET,
            &format!("/v1/{}/tree", made.process),
            None,
        )
        .await;
    let task = tree["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "ITEM_KIND_TASK")
        .and_then(|i| i["name"].as_str())
        .expect("a task")
        .to_owned();
    let task_page = format!("{base}/{}/guide/{task}", made.process);
    run_browser_tests(
        "instantiate.test.mjs",
        base,
        vec![
            ("INTERLINK_TASK_PAGE", task_page),
            ("INTERLINK_DOCUMENTS_URL", format!("http://{documents}")),
        ],
    )
    .await;
}

#[tokio::test]
async fn an_organisations_webhooks_pages_pass_in_every_language() {
    use reqwest::Method as M;
    use serde_json::json;
    let dir = tempfile::tempdir().expect("temporary directory");
    let data = dir.path().join("data");
    let (_up, base) = serve_up(&data, &[]).await;
    // An organisation whose first administrator the browser signs in as.
    let admin = common::Api {
        http: reqwest::Client::new(),
        base: base.clone(),
        token: common::mint(&data, "webhook-admin", false),
    };
    let organization = admin
        .ok(
            M::POST,
            "/v1/organizations",
            Some(json!({
                "displayName": {"values": {"en": "Hooks City Council", "es": "Ayuntamiento de los ganchos"}},
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
                "public": true,
            })),
        )
        .await;
    let organization = organization["name"]
        .as_str()
        .expect("organisation")
        .to_owned();
    // The notifications service knows its administrator before the
    // browser looks (it learns them from community's events).
    admin
        .ok(M::GET, &format!("/v1/{organization}/webhooks"), None)
        .await;
    run_browser_tests(
        "webhooks.test.mjs",
        base,
        vec![
            ("INTERLINK_ORGANIZATION", organization),
            ("INTERLINK_ADMIN_TOKEN", admin.token.clone()),
        ],
    )
    .await;
}

#[tokio::test]
async fn the_federation_peers_pages_pass_in_every_language() {
    // A second deployment whose feed this one reads over loopback http.
    let (dir_a, dir) = (
        tempfile::tempdir().expect("temporary directory"),
        tempfile::tempdir().expect("temporary directory"),
    );
    let (_a, base_a) = serve_up(&dir_a.path().join("data"), &[]).await;
    let (_up, base) = serve_up(
        &dir.path().join("data"),
        &[
            ("INTERLINK__FEDERATION__ALLOW_HTTP", "true".into()),
            ("INTERLINK__FEDERATION__SYNC_INTERVAL_SECS", "1".into()),
        ],
    )
    .await;
    let keys: serde_json::Value =
        reqwest::get(format!("{base_a}/.well-known/interlink-federation"))
            .await
            .expect("the other deployment's keys")
            .json()
            .await
            .expect("JSON");
    let kid = keys["keys"][0]["kid"]
        .as_str()
        .expect("a key id")
        .to_owned();
    run_browser_tests(
        "peers.test.mjs",
        base,
        vec![
            (
                "INTERLINK_PEER_FEED",
                format!("{base_a}/v1/federation/feed"),
            ),
            ("INTERLINK_PEER_KID", kid),
        ],
    )
    .await;
}

/// Repeats `GET path` on `api` until `check` holds of the answer; that
/// answer.
async fn api_until(
    api: &common::Api,
    path: &str,
    check: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (status, value) = api.call(reqwest::Method::GET, path, None).await;
        if status == 200 && check(&value) {
            return value;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{path}: {status} {value}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn shared_and_mirrored_entries_pages_pass_in_every_language() {
    use reqwest::Method as M;
    use serde_json::json;
    // Deployment A shares an interlinker, its default schema and a story;
    // the browser visits B, which mirrors them.
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("temporary directory"),
        tempfile::tempdir().expect("temporary directory"),
    );
    let (data_a, data_b) = (dir_a.path().join("data"), dir_b.path().join("data"));
    let (_a, base_a) = serve_up(
        &data_a,
        &[(
            "INTERLINK__GATEWAY__WEB__SITE_NAME",
            "Zaragoza Participa".into(),
        )],
    )
    .await;
    let (_b, base_b) = serve_up(
        &data_b,
        &[
            ("INTERLINK__FEDERATION__ALLOW_HTTP", "true".into()),
            ("INTERLINK__FEDERATION__SYNC_INTERVAL_SECS", "1".into()),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    let a = common::Api {
        http: http.clone(),
        base: base_a.clone(),
        token: common::mint(&data_a, "editor-a", true),
    };
    let b = common::Api {
        http: http.clone(),
        base: base_b.clone(),
        token: common::mint(&data_b, "editor-b", true),
    };
    let created = a
        .ok(
            M::POST,
            "/v1/interlinkers",
            Some(json!({
                "nature": "NATURE_EXTERNAL_KNOWLEDGE",
                "title": {"values": {"en": "Participatory budgeting guide", "es": "Guía de presupuestos participativos"}},
                "description": {"values": {"en": "How to run participatory budgeting"}},
                "languages": ["en", "es"],
                "licence": "LICENCE_PERMISSIVE",
                "difficulty": "DIFFICULTY_EASY",
                "problemProfiles": ["org-01"],
                "targets": ["all/pas/public_servants"],
                "external": {"uri": "https://guides.example.org/pb"},
                "shared": true,
            })),
        )
        .await;
    let name = created["name"].as_str().expect("name").to_owned();
    a.ok(M::POST, &format!("/v1/{name}:publish"), Some(json!({})))
        .await;
    a.ok(
        M::PATCH,
        "/v1/schemas/default?updateMask=shared",
        Some(json!({"shared": true})),
    )
    .await;
    let made = common::public_process_with_story(&a).await;
    a.ok(
        M::PATCH,
        &format!("/v1/{}?updateMask=shared", made.story),
        Some(json!({"shared": true})),
    )
    .await;
    let keys: serde_json::Value = http
        .get(format!("{base_a}/.well-known/interlink-federation"))
        .send()
        .await
        .expect("keys")
        .json()
        .await
        .expect("JSON");
    let kid = keys["keys"][0]["kid"].as_str().expect("kid").to_owned();
    b.ok(
        M::POST,
        "/v1/peers",
        Some(json!({"feedUrl": format!("{base_a}/v1/federation/feed"), "pinnedKeys": [kid]})),
    )
    .await;
    let encoded: String = base_a
        .bytes()
        .map(|c| match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (c as char).to_string()
            }
            _ => format!("%{c:02X}"),
        })
        .collect();
    let interlinker = api_until(
        &b,
        &format!("/v1/interlinkers:search?origins={encoded}"),
        |v| v["results"].as_array().is_some_and(|r| r.len() == 1),
    )
    .await["results"][0]["interlinker"]["name"]
        .as_str()
        .expect("the interlinker mirror")
        .to_owned();
    let story = api_until(&b, &format!("/v1/stories?origins={encoded}"), |v| {
        v["stories"].as_array().is_some_and(|s| s.len() == 1)
    })
    .await["stories"][0]["name"]
        .as_str()
        .expect("the story mirror")
        .to_owned();
    let schemas = api_until(&b, "/v1/schemas", |v| {
        v["schemas"].as_array().is_some_and(|s| {
            s.iter()
                .any(|s| s["origin"]["deployment"] == base_a.as_str())
        })
    })
    .await;
    let schema = schemas["schemas"]
        .as_array()
        .expect("schemas")
        .iter()
        .find(|s| s["origin"]["deployment"] == base_a.as_str())
        .and_then(|s| s["name"].as_str())
        .expect("the schema mirror")
        .to_owned();
    // Someone of an organisation of B, which co-production knows of (it
    // lets them open a process there), adopts the story in the browser.
    let adopter = common::Api {
        http: http.clone(),
        base: base_b.clone(),
        token: common::mint(&data_b, "adopter", false),
    };
    let organization = adopter
        .ok(
            M::POST,
            "/v1/organizations",
            Some(json!({
                "displayName": {"values": {"en": "Riga City Council", "lv": "Rīgas dome"}},
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
            })),
        )
        .await["name"]
        .as_str()
        .expect("organisation")
        .to_owned();
    adopter
        .ok(
            M::POST,
            "/v1/processes",
            Some(json!({"title": "Parks", "language": "lv", "organization": organization})),
        )
        .await;
    let page = |base: &str, name: &str| {
        let (kind, id) = name.split_once('/').expect("a resource name");
        let path = match kind {
            "interlinkers" => "catalogue",
            other => other,
        };
        format!("{base}/{path}/{id}")
    };
    run_browser_tests(
        "federated.test.mjs",
        base_b.clone(),
        vec![
            ("INTERLINK_PEER_URL", base_a.clone()),
            ("INTERLINK_PEER_NAME", "Zaragoza Participa".into()),
            ("INTERLINK_MIRROR_INTERLINKER", page("", &interlinker)),
            ("INTERLINK_MIRROR_STORY", page("", &story)),
            ("INTERLINK_MIRROR_SCHEMA", page("", &schema)),
        ],
    )
    .await;
}
