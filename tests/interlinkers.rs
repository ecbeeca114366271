//! The software interlinkers `interlink up` runs, checked from outside by
//! the contract's conformance kit (`interlink interlinker-check`), as any
//! interlinker would be.

mod common;

use std::process::{Command, Output};

use common::BIN;

fn token(data_dir: &std::path::Path, audience: &str) -> String {
    token_as(data_dir, "kit", audience)
}

/// A token of the platform's for `subject`, with `audience`.
fn token_as(data_dir: &std::path::Path, subject: &str, audience: &str) -> String {
    let output = Command::new(BIN)
        .args([
            "token",
            "--sub",
            subject,
            "--name",
            subject,
            "--audience",
            audience,
            "--data-dir",
        ])
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

fn check(url: &str, token: &str, more: &[&str]) -> Output {
    Command::new(BIN)
        .args(["interlinker-check", url, "--token", token])
        .args(more)
        .output()
        .expect("interlink interlinker-check")
}

/// The rows of the kit's table: (check, result).
fn rows(output: &Output) -> Vec<(String, String)> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut words = line.split("  ").map(str::trim).filter(|w| !w.is_empty());
            Some((words.next()?.to_owned(), words.next()?.to_owned()))
        })
        .filter(|(_, result)| ["pass", "FAIL", "skip"].contains(&result.as_str()))
        .collect()
}

/// Asserts the kit passes every check of the interlinker at `url`.
fn assert_passes(url: &str, token: &str) {
    let passed = check(url, token, &[]);
    let report = String::from_utf8_lossy(&passed.stdout).into_owned();
    assert!(
        passed.status.success(),
        "{url}: {report}{}",
        String::from_utf8_lossy(&passed.stderr)
    );
    let passed_rows = rows(&passed);
    for expected in [
        "manifest",
        "no token refused",
        "forged token refused",
        "unknown asset",
        "instantiate page",
        "create",
        "blank name refused",
        "get",
        "view page",
        "edit page",
        "preview page",
        "framed by the platform only",
        "download",
        "clone needs a key",
        "clone",
        "clone once per key",
        "delete",
        "delete twice",
    ] {
        assert!(
            passed_rows.contains(&(expected.to_owned(), "pass".to_owned())),
            "{url}: {expected} did not pass:\n{report}"
        );
    }
    assert!(report.contains(" 0 failed"), "{report}");
}

#[tokio::test]
async fn the_first_party_interlinkers_pass_the_contract_kit() {
    let dir = tempfile::tempdir().expect("data dir");
    let up = common::start(dir.path());
    let documents_token = token(dir.path(), &up.documents);
    assert_passes(&up.documents, &documents_token);
    assert_passes(&up.surveys, &token(dir.path(), &up.surveys));

    // The kit fails what breaks the contract: a token for the platform's
    // API is refused by the interlinker, so nothing can be made.
    let platform_token = token(dir.path(), "interlink");
    let refused = check(&up.documents, &platform_token, &[]);
    assert!(!refused.status.success());
    assert!(
        rows(&refused).contains(&("create".to_owned(), "FAIL".to_owned())),
        "{}",
        String::from_utf8_lossy(&refused.stdout)
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("does not pass the interlinker contract")
    );

    // Capabilities not declared are skipped; unknown ones are refused.
    let some = check(
        &up.documents,
        &documents_token,
        &["--capabilities", "view,delete"],
    );
    assert!(some.status.success());
    let some_rows = rows(&some);
    assert!(some_rows.contains(&("clone".to_owned(), "skip".to_owned())));
    assert!(some_rows.contains(&("delete".to_owned(), "pass".to_owned())));
    let unknown = check(
        &up.documents,
        &documents_token,
        &["--capabilities", "view,teleport"],
    );
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr)
            .contains("--capabilities: unknown capability `teleport`")
    );

    // The platform's gateway is no interlinker.
    let gateway = check(&up.http, &documents_token, &[]);
    assert!(!gateway.status.success());
    common::stop(up, "-TERM").await;
}

/// The asset `name` once it is ready on its interlinker (within 30 s).
async fn when_ready(admin: &common::Api, name: &str) -> serde_json::Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let got = admin
            .ok(reqwest::Method::GET, &format!("/v1/{name}"), None)
            .await;
        if got["preparation"] == "ASSET_PREPARATION_READY" {
            return got;
        }
        assert!(std::time::Instant::now() < deadline, "{got}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// The first task of a new public Spanish process of `admin`'s.
async fn a_task(admin: &common::Api) -> String {
    a_process_and_task(admin).await.1
}

/// A new public Spanish process of `admin`'s, and its first task.
async fn a_process_and_task(admin: &common::Api) -> (String, String) {
    let made = common::public_process_with_story(admin).await;
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
    (made.process, task)
}

/// The seeded knowledge interlinker `query` finds first.
async fn seeded_template(admin: &common::Api, query: &str) -> serde_json::Value {
    let found = admin
        .ok(
            reqwest::Method::GET,
            &format!("/v1/interlinkers:search?query={query}&pageSize=10"),
            None,
        )
        .await;
    found["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| &r["interlinker"])
        .find(|i| i["nature"] == "NATURE_KNOWLEDGE")
        .unwrap_or_else(|| panic!("a template for {query}: {found}"))
        .clone()
}

/// A JSON call to an interlinker with `token`.
async fn interlinker_call(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let mut request = http.request(method, url).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("documents");
    let status = response.status().as_u16();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// The platform makes assets on the documents interlinker through its
/// durable calls: a knowledge interlinker used on a task of a Spanish
/// process clones the Spanish genesis document; a software interlinker used
/// on a task makes a new document; deleting the assets deletes the
/// documents there.
#[tokio::test]
async fn assets_are_made_and_deleted_on_the_documents_interlinker() {
    use reqwest::Method as M;
    use serde_json::json;
    let dir = tempfile::tempdir().expect("data dir");
    let up = common::start(dir.path());
    let http = reqwest::Client::new();
    let admin = common::Api {
        http: http.clone(),
        base: up.http.clone(),
        token: common::mint(dir.path(), "ana", true),
    };
    let editor = token_as(dir.path(), "ana", &up.documents);

    // Genesis documents, one per language.
    let mut genesis = serde_json::Map::new();
    for (language, name, body) in [
        ("en", "Stakeholder map", "# Who is involved\n"),
        ("es", "Mapa de actores", "# Quién participa\n"),
    ] {
        let (status, made) = interlinker_call(
            &http,
            M::POST,
            &format!("{}/assets", up.documents),
            &editor,
            Some(json!({"name": name, "language": language, "body": body})),
        )
        .await;
        assert_eq!(status, 201, "{made}");
        genesis.insert(
            language.into(),
            json!(format!(
                "{}/assets/{}",
                up.documents,
                made["id"].as_str().expect("id")
            )),
        );
    }

    // The documents interlinker and a knowledge interlinker of it, published.
    let common_fields = |title: &str| {
        json!({
            "title": {"values": {"en": title}},
            "description": {"values": {"en": "For the checks of the interlinker contract"}},
            "languages": ["en", "es"],
            "licence": "LICENCE_PERMISSIVE",
            "difficulty": "DIFFICULTY_EASY",
            "problemProfiles": ["org-01"],
            "targets": ["all/pas/public_servants"],
        })
    };
    let mut software = common_fields("Shared documents");
    software["nature"] = json!("NATURE_SOFTWARE");
    software["software"] = json!({
        "support": "SUPPORT_MODE_SAAS",
        "endpointUri": up.documents,
        "capabilities": ["CAPABILITY_INSTANTIATE", "CAPABILITY_VIEW", "CAPABILITY_EDIT",
            "CAPABILITY_CLONE", "CAPABILITY_DELETE", "CAPABILITY_DOWNLOAD"],
        "status": "SOFTWARE_STATUS_ON",
    });
    let software = admin.ok(M::POST, "/v1/interlinkers", Some(software)).await;
    let software = software["name"].as_str().expect("name").to_owned();
    admin
        .ok(M::POST, &format!("/v1/{software}:publish"), Some(json!({})))
        .await;
    let mut knowledge = common_fields("Stakeholder map template");
    knowledge["nature"] = json!("NATURE_KNOWLEDGE");
    knowledge["knowledge"] = json!({"softwareInterlinker": software, "genesisAssets": genesis});
    let knowledge = admin.ok(M::POST, "/v1/interlinkers", Some(knowledge)).await;
    let knowledge = knowledge["name"].as_str().expect("name").to_owned();
    admin
        .ok(
            M::POST,
            &format!("/v1/{knowledge}:publish"),
            Some(json!({})),
        )
        .await;

    // A Spanish process with a task.
    let made = common::public_process_with_story(&admin).await;
    let tree = admin
        .ok(M::GET, &format!("/v1/{}/tree", made.process), None)
        .await;
    let task = tree["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "ITEM_KIND_TASK")
        .and_then(|i| i["name"].as_str())
        .expect("a task")
        .to_owned();

    // Both interlinkers used on it, once co-production knows them.
    let cloned = admin
        .ok(
            M::POST,
            &format!("/v1/{task}/assets"),
            Some(json!({"kind": "ASSET_KIND_INTERNAL", "interlinker": knowledge})),
        )
        .await;
    assert_eq!(
        cloned["preparation"], "ASSET_PREPARATION_PREPARING",
        "{cloned}"
    );
    assert_eq!(cloned["interlinkerEndpoint"], up.documents.as_str());
    let blank = admin
        .ok(M::POST, &format!("/v1/{task}/assets"), Some(json!({"kind": "ASSET_KIND_INTERNAL", "interlinker": software, "displayName": "Actas de la reunión"})))
        .await;
    let ready = |asset: serde_json::Value| {
        let admin = &admin;
        async move {
            let name = asset["name"].as_str().expect("name").to_owned();
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            loop {
                let got = admin.ok(M::GET, &format!("/v1/{name}"), None).await;
                if got["preparation"] == "ASSET_PREPARATION_READY" {
                    return got;
                }
                assert!(std::time::Instant::now() < deadline, "{got}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    };
    let cloned = ready(cloned).await;
    let blank = ready(blank).await;

    // The clone is the Spanish genesis, named as the asset; the new one is
    // blank, in the process's language.
    let clone_id = cloned["externalId"]
        .as_str()
        .expect("external id")
        .to_owned();
    let (status, remote) = interlinker_call(
        &http,
        M::GET,
        &format!("{}/assets/{clone_id}", up.documents),
        &editor,
        None,
    )
    .await;
    assert_eq!(status, 200, "{remote}");
    assert_eq!(remote["name"], cloned["displayName"]);
    assert_eq!(remote["language"], "es");
    let markdown = http
        .get(format!(
            "{}/assets/{clone_id}/download?format=md",
            up.documents
        ))
        .bearer_auth(&editor)
        .send()
        .await
        .expect("download")
        .text()
        .await
        .expect("text");
    assert!(markdown.ends_with("# Quién participa\n"), "{markdown}");
    let blank_id = blank["externalId"]
        .as_str()
        .expect("external id")
        .to_owned();
    let (_, remote) = interlinker_call(
        &http,
        M::GET,
        &format!("{}/assets/{blank_id}", up.documents),
        &editor,
        None,
    )
    .await;
    assert_eq!(
        (remote["name"].as_str(), remote["language"].as_str()),
        (Some("Actas de la reunión"), Some("es"))
    );

    // On the task's page Ana opens the clone there, signed in: the platform
    // checks her rights and signs the link's token.
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    let form = browser
        .get(format!("{}/sign-in", up.http))
        .send()
        .await
        .expect("sign-in page")
        .text()
        .await
        .expect("page");
    let csrf = form
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("csrf")
        .to_owned();
    let signed = browser
        .post(format!("{}/sign-in", up.http))
        .form(&[("csrf", csrf.as_str()), ("subject", "ana"), ("name", "Ana")])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed.status(), 303);
    let process_id = made.process.trim_start_matches("processes/");
    let task_id = task.trim_start_matches("tasks/");
    let guide = browser
        .get(format!(
            "{}/processes/{process_id}/guide/tasks/{task_id}",
            up.http
        ))
        .send()
        .await
        .expect("guide")
        .text()
        .await
        .expect("page");
    let asset_id = cloned["name"]
        .as_str()
        .expect("name")
        .trim_start_matches("assets/");
    let open = format!("/processes/{process_id}/assets/{asset_id}/open");
    assert!(guide.contains(&format!("href=\"{open}\"")), "{guide}");
    let resources = browser
        .get(format!("{}/processes/{process_id}/resources", up.http))
        .send()
        .await
        .expect("resources")
        .text()
        .await
        .expect("page");
    assert!(
        resources.contains(&format!("href=\"{open}\"")),
        "{resources}"
    );
    let opened = browser
        .get(format!("{}{open}", up.http))
        .send()
        .await
        .expect("open");
    assert_eq!(opened.status(), 303);
    let location = opened.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(
        location.starts_with(&format!("{}/assets/{clone_id}/view?token=", up.documents)),
        "{location}"
    );
    let there = browser.get(&location).send().await.expect("interlinker");
    assert_eq!(there.status(), 303, "the token is exchanged for a session");
    let page = browser
        .get(format!("{}/assets/{clone_id}/view", up.documents))
        .send()
        .await
        .expect("view")
        .text()
        .await
        .expect("page");
    assert!(page.contains("Quién participa"), "{page}");

    // Deleting the assets deletes the documents there.
    for asset in [&cloned, &blank] {
        let name = asset["name"].as_str().expect("name");
        let (status, _) = admin.call(M::DELETE, &format!("/v1/{name}"), None).await;
        assert_eq!(status, 200);
    }
    for id in [&clone_id, &blank_id] {
        let url = format!("{}/assets/{id}", up.documents);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while interlinker_call(&http, M::GET, &url, &editor, None).await.0 != 404 {
            assert!(std::time::Instant::now() < deadline, "{url} is still there");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
    // The genesis documents stay.
    for uri in genesis.values() {
        let (status, _) =
            interlinker_call(&http, M::GET, uri.as_str().expect("uri"), &editor, None).await;
        assert_eq!(status, 200);
    }
    common::stop(up, "-TERM").await;
}

/// With the first-party interlinkers' addresses known before they start
/// (fixed ports), `interlink up` seeds the catalogue's collaborative editor
/// and survey builder as them, and the templates they edit clone real
/// genesis assets: used on a task of a Spanish process, the co-production
/// agreement is the Spanish text the documents interlinker holds, and the
/// survey template the Spanish questionnaire of the surveys interlinker.
#[tokio::test]
async fn the_seeded_templates_clone_the_genesis_documents_and_surveys() {
    use reqwest::Method as M;
    use serde_json::json;
    let dir = tempfile::tempdir().expect("data dir");
    let port = common::free_port();
    let surveys_port = loop {
        let other = common::free_port();
        if other != port {
            break other;
        }
    };
    let up = common::start_with(
        dir.path(),
        &[
            ("INTERLINK__DOCUMENTS__LISTEN", format!("127.0.0.1:{port}")),
            (
                "INTERLINK__SURVEYS__LISTEN",
                format!("127.0.0.1:{surveys_port}"),
            ),
        ],
    );
    assert_eq!(up.documents, format!("http://127.0.0.1:{port}"));
    assert_eq!(up.surveys, format!("http://127.0.0.1:{surveys_port}"));
    let http = reqwest::Client::new();
    let admin = common::Api {
        http: http.clone(),
        base: up.http.clone(),
        token: common::mint(dir.path(), "ana", true),
    };
    let agreement = seeded_template(&admin, "co-production%20agreement").await;
    let genesis = agreement["knowledge"]["genesisAssets"]["es"]
        .as_str()
        .expect("es")
        .to_owned();
    assert!(
        genesis.starts_with(&format!("{}/assets/", up.documents)),
        "{genesis}"
    );
    let editor = agreement["knowledge"]["softwareInterlinker"]
        .as_str()
        .expect("editor")
        .to_owned();
    let editor = admin.ok(M::GET, &format!("/v1/{editor}"), None).await;
    assert_eq!(editor["software"]["endpointUri"], up.documents.as_str());

    let task = a_task(&admin).await;
    let asset = admin
        .ok(
            M::POST,
            &format!("/v1/{task}/assets"),
            Some(json!({"kind": "ASSET_KIND_INTERNAL", "interlinker": agreement["name"]})),
        )
        .await;
    let ready = when_ready(&admin, asset["name"].as_str().expect("name")).await;
    let reader = token_as(dir.path(), "ana", &up.documents);
    let markdown = http
        .get(format!(
            "{}/assets/{}/download?format=md",
            up.documents,
            ready["externalId"].as_str().expect("external id")
        ))
        .bearer_auth(&reader)
        .send()
        .await
        .expect("download")
        .text()
        .await
        .expect("text");
    let spanish = include_str!("../services/documents/genesis/co-production-agreement.es.md");
    assert!(markdown.ends_with(spanish), "{markdown}");

    // The survey template: a copy of the Spanish genesis survey.
    let template = seeded_template(&admin, "survey%20template").await;
    let builder = template["knowledge"]["softwareInterlinker"]
        .as_str()
        .expect("builder")
        .to_owned();
    let builder = admin.ok(M::GET, &format!("/v1/{builder}"), None).await;
    assert_eq!(builder["software"]["endpointUri"], up.surveys.as_str());
    let asset = admin
        .ok(
            M::POST,
            &format!("/v1/{task}/assets"),
            Some(json!({"kind": "ASSET_KIND_INTERNAL", "interlinker": template["name"]})),
        )
        .await;
    let ready = when_ready(&admin, asset["name"].as_str().expect("name")).await;
    assert_eq!(ready["interlinkerEndpoint"], up.surveys.as_str());
    let surveyor = token_as(dir.path(), "ana", &up.surveys);
    let (status, survey) = interlinker_call(
        &http,
        M::GET,
        &format!(
            "{}/assets/{}",
            up.surveys,
            ready["externalId"].as_str().expect("external id")
        ),
        &surveyor,
        None,
    )
    .await;
    assert_eq!(status, 200, "{survey}");
    // Named as the platform names it, asking what the genesis asks.
    assert_eq!(
        survey["name"], template["title"]["values"]["es"],
        "{template}"
    );
    assert_eq!(survey["language"], "es");
    assert_eq!(survey["status"], "draft");
    let csv = http
        .get(format!(
            "{}/assets/{}/download",
            up.surveys,
            ready["externalId"].as_str().expect("external id")
        ))
        .bearer_auth(&surveyor)
        .send()
        .await
        .expect("download")
        .text()
        .await
        .expect("text");
    assert!(
        csv.starts_with(
            "\"response\",\"submitted_at\",\"¿Cómo utilizó el servicio la última vez?\""
        ),
        "{csv}"
    );
    common::stop(up, "-TERM").await;
}

/// Where people sign in with another issuer, the platform signs its tokens
/// for interlinkers with a key of its own (`auth.interlinker_key_file`),
/// whose public half the gateway serves: an interlinker that trusts only
/// those keys (`documents.issuer`, `documents.jwks_url`) takes the
/// platform's calls and links, and refuses the data directory's dev key.
#[tokio::test]
async fn the_platform_signs_for_interlinkers_with_a_key_of_its_own() {
    use reqwest::Method as M;
    use serde_json::json;
    let dir = tempfile::tempdir().expect("data dir");
    let keys = tempfile::tempdir().expect("key dir");
    let key_file = keys.path().join("interlinker-key.pem");
    let made = Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
        ])
        .arg(&key_file)
        .output()
        .expect("openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let gateway_port = common::free_port();
    let documents_port = loop {
        let other = common::free_port();
        if other != gateway_port {
            break other;
        }
    };
    let platform = format!("http://127.0.0.1:{gateway_port}");
    let jwks = format!("{platform}/.well-known/interlinker-jwks.json");
    let up = common::start_with(
        dir.path(),
        &[
            (
                "INTERLINK__GATEWAY__LISTEN",
                format!("127.0.0.1:{gateway_port}"),
            ),
            (
                "INTERLINK__DOCUMENTS__LISTEN",
                format!("127.0.0.1:{documents_port}"),
            ),
            (
                "INTERLINK__AUTH__INTERLINKER_KEY_FILE",
                key_file.display().to_string(),
            ),
            ("INTERLINK__AUTH__INTERLINKER_ISSUER", platform.clone()),
            ("INTERLINK__DOCUMENTS__ISSUER", platform.clone()),
            ("INTERLINK__DOCUMENTS__JWKS_URL", jwks.clone()),
        ],
    );
    let http = reqwest::Client::new();
    let served: serde_json::Value = http
        .get(&jwks)
        .send()
        .await
        .expect("jwks")
        .json()
        .await
        .expect("a key set");
    let kid = served["keys"][0]["kid"].as_str().expect("kid");
    assert!(kid.starts_with("platform-"), "{served}");
    assert_eq!(served["keys"].as_array().map(Vec::len), Some(1));

    let admin = common::Api {
        http: http.clone(),
        base: up.http.clone(),
        token: common::mint(dir.path(), "ana", true),
    };
    let agreement = seeded_template(&admin, "co-production%20agreement").await;
    let task = a_task(&admin).await;
    let asset = admin
        .ok(
            M::POST,
            &format!("/v1/{task}/assets"),
            Some(json!({"kind": "ASSET_KIND_INTERNAL", "interlinker": agreement["name"]})),
        )
        .await;
    let name = asset["name"].as_str().expect("name").to_owned();
    let ready = when_ready(&admin, &name).await;
    let id = ready["externalId"].as_str().expect("external id");

    // The link that opens it carries the platform's token, which the
    // interlinker takes; the dev key's token it refuses.
    let opened = admin.ok(M::GET, &format!("/v1/{name}:open"), None).await;
    let link = opened["uri"].as_str().expect("a link");
    assert!(link.starts_with(&up.documents), "{opened}");
    let page = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(link)
        .send()
        .await
        .expect("open");
    assert_eq!(page.status(), 303, "the token opens a session");
    let dev = token(dir.path(), &up.documents);
    let (status, _) = interlinker_call(
        &http,
        M::GET,
        &format!("{}/assets/{id}", up.documents),
        &dev,
        None,
    )
    .await;
    assert_eq!(status, 401, "the dev key is not the platform's");
    common::stop(up, "-TERM").await;
}

/// Who may view or edit an asset on an interlinker stays co-production's:
/// the interlinker asks the platform before each page, so a person without
/// a grant is refused there even holding a token of the platform's, and a
/// change of their rights takes effect there at once.
#[tokio::test]
async fn interlinkers_ask_the_platform_who_may_open_an_asset() {
    use reqwest::Method as M;
    use serde_json::json;
    let dir = tempfile::tempdir().expect("data dir");
    let port = common::free_port();
    let up = common::start_with(
        dir.path(),
        &[("INTERLINK__DOCUMENTS__LISTEN", format!("127.0.0.1:{port}"))],
    );
    let http = reqwest::Client::new();
    let admin = common::Api {
        http: http.clone(),
        base: up.http.clone(),
        token: common::mint(dir.path(), "ana", true),
    };
    let agreement = seeded_template(&admin, "co-production%20agreement").await;
    let (process, task) = a_process_and_task(&admin).await;
    let asset = admin
        .ok(
            M::POST,
            &format!("/v1/{task}/assets"),
            Some(json!({"kind": "ASSET_KIND_INTERNAL", "interlinker": agreement["name"]})),
        )
        .await;
    let ready = when_ready(&admin, asset["name"].as_str().expect("name")).await;
    let id = ready["externalId"]
        .as_str()
        .expect("external id")
        .to_owned();

    // Ben holds a token of the platform's for the interlinker, no grant.
    let ben = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let page = |path: &str| {
        let ben = ben.clone();
        let url = format!("{}/assets/{id}/{path}", up.documents);
        async move {
            let response = ben.get(url).send().await.expect("page");
            (
                response.status().as_u16(),
                response.text().await.expect("body"),
            )
        }
    };
    let signed_in = ben
        .get(format!(
            "{}/assets/{id}/view?token={}",
            up.documents,
            token_as(dir.path(), "ben", &up.documents)
        ))
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 303);
    let (status, body) = page("view").await;
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("does not let you open this"), "{body}");
    assert_eq!(page("edit").await.0, 403);
    assert_eq!(page("download").await.0, 403);

    // Made an administrator of the process: he views and edits at once.
    admin
        .ok(
            M::POST,
            &format!("/v1/{process}/administrators"),
            Some(json!({"subject": "ben"})),
        )
        .await;
    assert_eq!(page("view").await.0, 200);
    assert_eq!(page("edit").await.0, 200);
    // No longer: refused again at once.
    admin
        .ok(
            M::DELETE,
            &format!("/v1/{process}/administrators/ben"),
            None,
        )
        .await;
    assert_eq!(page("edit").await.0, 403);

    // The platform's answer, and its refusal of a token it did not sign.
    let check = |token: String| {
        let http = http.clone();
        let url = format!("{}/v1/interlinkerAccess:check", up.http);
        let id = id.clone();
        async move {
            let response = http
                .post(url)
                .json(&json!({"token": token, "externalId": id}))
                .send()
                .await
                .expect("check");
            let status = response.status().as_u16();
            (
                status,
                response.json::<serde_json::Value>().await.expect("json"),
            )
        }
    };
    let (status, answer) = check(token_as(dir.path(), "ana", &up.documents)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["asset"], asset["name"]);
    assert_eq!(
        (&answer["view"], &answer["edit"]),
        (&json!(true), &json!(true))
    );
    let (status, answer) = check("not-a-token".into()).await;
    assert_eq!(status, 401, "{answer}");
    assert!(answer.to_string().contains("token"), "{answer}");
    common::stop(up, "-TERM").await;
}
