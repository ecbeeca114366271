//! Federation through the gateway of `interlink up`: an editor marks a
//! published interlinker shared and the deployment's feed, read over REST
//! without a token, carries it signed by the key at the well-known URL;
//! unchanged pages answer 304 to their ETag; deprecating the entry
//! withdraws it. Between two deployments: interlinkers, schemas and
//! stories (with their process, without personal data) shared by one are
//! mirrored by the other, which builds from and adopts them; a shared
//! knowledge interlinker takes its genesis documents along.

mod common;

use std::time::{Duration, Instant};

use common::{Api, mint, serve_up};
use interlink_federation::keys::{self, ENTRY_TYPE, ListedKey, PublicKey};
use interlink_federation::store::EntryClaims;
use reqwest::Method;
use serde_json::{Value, json};

fn text(language: &str, value: &str) -> Value {
    json!({"values": {language: value}})
}

/// The keys at the well-known URL that a subscriber pinning the first
/// listed key's id trusts.
fn trusted(keys: &Value) -> std::collections::BTreeMap<String, PublicKey> {
    let listed: Vec<ListedKey> = keys["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| ListedKey {
            kid: k["kid"].as_str().expect("kid").to_owned(),
            public: PublicKey {
                x: k["x"].as_str().expect("x").to_owned(),
                y: k["y"].as_str().expect("y").to_owned(),
            },
            endorsement: k["endorsement"].as_str().unwrap_or_default().to_owned(),
        })
        .collect();
    let pin = listed.last().expect("a key").kid.clone();
    keys::trusted_keys(&[pin], &listed)
}

/// Reads the feed until it has `n` entries, verified.
async fn feed_of(http: &reqwest::Client, base: &str, keys: &Value, n: usize) -> Vec<EntryClaims> {
    let pins = trusted(keys);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page: Value = http
            .get(format!("{base}/v1/federation/feed"))
            .send()
            .await
            .expect("feed")
            .json()
            .await
            .expect("json");
        let entries = page["entries"].as_array().cloned().unwrap_or_default();
        if entries.len() == n {
            return entries
                .iter()
                .map(|entry| {
                    let jws = entry["signature"].as_str().expect("signature");
                    let kid = keys::header(jws).expect("header").kid;
                    let key = pins.get(&kid).expect("a trusted key");
                    keys::verify(jws, ENTRY_TYPE, key).expect("verifies")
                })
                .collect();
        }
        assert!(Instant::now() < deadline, "the feed: {page}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_shared_interlinker_reaches_the_signed_feed() {
    let dir = tempfile::tempdir().expect("data dir");
    let (_up, base) = serve_up(dir.path(), &[]).await;
    let http = reqwest::Client::new();
    let admin = Api {
        http: http.clone(),
        base: base.clone(),
        token: mint(dir.path(), "fed-admin", true),
    };

    // The keys, anonymously, at the well-known URL.
    let keys: Value = http
        .get(format!("{base}/.well-known/interlink-federation"))
        .send()
        .await
        .expect("keys")
        .json()
        .await
        .expect("json");
    assert_eq!(keys["issuer"], base.as_str(), "{keys}");
    assert_eq!(keys["keys"][0]["alg"], "ES256");

    let draft = json!({
        "nature": "NATURE_EXTERNAL_KNOWLEDGE",
        "title": text("en", "Participatory budgeting guide"),
        "description": text("en", "How to run participatory budgeting"),
        "languages": ["en"],
        "licence": "LICENCE_PERMISSIVE",
        "difficulty": "DIFFICULTY_EASY",
        "problemProfiles": ["org-01"],
        "targets": ["all/pas/public_servants"],
        "external": {"uri": "https://guides.example.org/pb"},
    });
    let created = admin
        .ok(Method::POST, "/v1/interlinkers", Some(draft))
        .await;
    let name = created["name"].as_str().expect("name").to_owned();
    assert_eq!(created["shared"], Value::Null, "not shared by default");
    let marked = admin
        .ok(
            Method::PATCH,
            &format!("/v1/{name}?updateMask=shared"),
            Some(json!({"shared": true})),
        )
        .await;
    assert_eq!(marked["shared"], true);
    // A draft is not in the feed, even marked.
    let page: Value = http
        .get(format!("{base}/v1/federation/feed"))
        .send()
        .await
        .expect("feed")
        .json()
        .await
        .expect("json");
    assert!(
        page["entries"].as_array().is_none_or(Vec::is_empty),
        "{page}"
    );

    admin
        .ok(
            Method::POST,
            &format!("/v1/{name}:publish"),
            Some(json!({})),
        )
        .await;
    let entries = feed_of(&http, &base, &keys, 1).await;
    assert_eq!(entries[0].name, name);
    assert_eq!(entries[0].iss, base);
    assert_eq!(
        entries[0].body.as_ref().expect("body")["title"]["values"]["en"],
        "Participatory budgeting guide"
    );

    // An unchanged page costs a 304 against its ETag.
    let first = http
        .get(format!("{base}/v1/federation/feed"))
        .send()
        .await
        .expect("feed");
    assert_eq!(first.status(), 200);
    let etag = first
        .headers()
        .get("etag")
        .expect("an ETag")
        .to_str()
        .expect("ascii")
        .to_owned();
    let again = http
        .get(format!("{base}/v1/federation/feed"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("feed");
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers().get("etag").expect("ETag"), etag.as_str());
    assert!(again.bytes().await.expect("body").is_empty());

    // Deprecated: withdrawn, and the page's ETag changes.
    admin
        .ok(
            Method::POST,
            &format!("/v1/{name}:deprecate"),
            Some(json!({})),
        )
        .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let page = http
            .get(format!("{base}/v1/federation/feed"))
            .header("if-none-match", &etag)
            .send()
            .await
            .expect("feed");
        if page.status() == 200 {
            let page: Value = page.json().await.expect("json");
            assert_eq!(page["entries"][0]["withdrawn"], true, "{page}");
            assert_eq!(page["entries"][0]["version"], "2", "{page}");
            break;
        }
        assert_eq!(page.status(), 304);
        assert!(Instant::now() < deadline, "never withdrawn");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Repeats `GET path` on `api` until `check` holds of the answer.
async fn eventually(api: &Api, path: &str, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, value) = api.call(Method::GET, path, None).await;
        if status == 200 && check(&value) {
            return value;
        }
        assert!(Instant::now() < deadline, "{what}: {status} {value}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Two `interlink up` deployments, A (with `envs_a`) and B (reading its
/// peers over loopback http every second), each with an administrator's
/// API; alive while this is.
struct Pair {
    a: Api,
    b: Api,
    _up: (common::Killed, common::Killed),
    _dirs: (tempfile::TempDir, tempfile::TempDir),
}

async fn pair(envs_a: &[(&str, String)]) -> Pair {
    let (dir_a, dir_b) = (
        tempfile::tempdir().expect("data dir"),
        tempfile::tempdir().expect("data dir"),
    );
    let (up_a, base_a) = serve_up(dir_a.path(), envs_a).await;
    let (up_b, base_b) = serve_up(
        dir_b.path(),
        &[
            // The two talk over loopback http in the test.
            ("INTERLINK__FEDERATION__ALLOW_HTTP", "true".into()),
            ("INTERLINK__FEDERATION__SYNC_INTERVAL_SECS", "1".into()),
        ],
    )
    .await;
    let http = reqwest::Client::new();
    Pair {
        a: Api {
            http: http.clone(),
            base: base_a,
            token: mint(dir_a.path(), "editor-a", true),
        },
        b: Api {
            http,
            base: base_b,
            token: mint(dir_b.path(), "editor-b", true),
        },
        _up: (up_a, up_b),
        _dirs: (dir_a, dir_b),
    }
}

#[tokio::test]
async fn a_peer_mirrors_what_another_deployment_shares_and_adopts_it() {
    let Pair { a, b, _up, _dirs } = pair(&[]).await;
    let base_a = a.base.clone();

    // A shares a published interlinker.
    let created = a
        .ok(
            Method::POST,
            "/v1/interlinkers",
            Some(json!({
                "nature": "NATURE_EXTERNAL_KNOWLEDGE",
                "title": text("en", "Participatory budgeting guide"),
                "description": text("en", "How to run participatory budgeting"),
                "languages": ["en"],
                "licence": "LICENCE_PERMISSIVE",
                "difficulty": "DIFFICULTY_EASY",
                "problemProfiles": ["org-01"],
                "targets": ["all/pas/public_servants"],
                "external": {"uri": "https://guides.example.org/pb"},
                "shared": true,
            })),
        )
        .await;
    let original = created["name"].as_str().expect("name").to_owned();
    a.ok(
        Method::POST,
        &format!("/v1/{original}:publish"),
        Some(json!({})),
    )
    .await;

    // B trusts A by the key it read out of band.
    let (keys, peer_name) = subscribe(&b, &base_a).await;

    // It appears in B's catalogue, found by its origin, and verifies.
    let search = format!(
        "/v1/interlinkers:search?origins={}",
        percent_encode(&base_a)
    );
    let found = eventually(&b, &search, "the mirror in B's search", |v| {
        v["results"].as_array().is_some_and(|r| r.len() == 1)
    })
    .await;
    let mirror = found["results"][0]["interlinker"].clone();
    let mirror_name = mirror["name"].as_str().expect("name").to_owned();
    assert_ne!(mirror_name, original);
    assert_eq!(mirror["origin"]["deployment"], base_a.as_str());
    assert_eq!(mirror["origin"]["name"], original.as_str());
    let pins = trusted(&keys);
    let signature = mirror["origin"]["signature"].as_str().expect("signature");
    let key = pins
        .get(&keys::header(signature).expect("header").kid)
        .expect("A's key");
    let claims: EntryClaims = keys::verify(signature, ENTRY_TYPE, key).expect("verifies");
    assert_eq!(claims.name, original);
    // Read-only in B.
    let (status, refused) = b
        .call(
            Method::PATCH,
            &format!("/v1/{mirror_name}?updateMask=title"),
            Some(json!({"title": text("en", "Ours now")})),
        )
        .await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["status"], "FAILED_PRECONDITION", "{refused}");

    // An update at A propagates.
    a.ok(
        Method::PATCH,
        &format!("/v1/{original}?updateMask=title"),
        Some(json!({"title": text("en", "Budgeting together")})),
    )
    .await;
    eventually(&b, &format!("/v1/{mirror_name}"), "the update in B", |v| {
        v["title"]["values"]["en"] == "Budgeting together" && v["origin"]["version"] == "2"
    })
    .await;

    // Adopted in B: an editable local draft that keeps its origin, counted
    // as reuse across deployments.
    let adopted = b
        .ok(
            Method::POST,
            &format!("/v1/{mirror_name}:adopt"),
            Some(json!({})),
        )
        .await;
    let copy = adopted["name"].as_str().expect("name").to_owned();
    assert_eq!(adopted["state"], "INTERLINKER_STATE_DRAFT");
    assert_eq!(adopted["adoptedFrom"]["deployment"], base_a.as_str());
    b.ok(
        Method::PATCH,
        &format!("/v1/{copy}?updateMask=title"),
        Some(json!({"title": text("en", "Budgeting, our way")})),
    )
    .await;
    eventually(&b, "/v1/organizations/-/kpis", "the reuse KPI", |v| {
        v["values"].as_array().is_some_and(|values| {
            values.iter().any(|k| {
                k["kpi"] == "cross_deployment_reuse"
                    && k["dimension"] == base_a.as_str()
                    && k["value"] == "1"
            })
        })
    })
    .await;

    // Withdrawn at A: deprecated in B, not deleted; the copy stays.
    a.ok(
        Method::POST,
        &format!("/v1/{original}:deprecate"),
        Some(json!({})),
    )
    .await;
    eventually(
        &b,
        &format!("/v1/{mirror_name}"),
        "the withdrawal in B",
        |v| v["state"] == "INTERLINKER_STATE_DEPRECATED",
    )
    .await;
    let kept = b.ok(Method::GET, &format!("/v1/{copy}"), None).await;
    assert_eq!(kept["title"]["values"]["en"], "Budgeting, our way");
    let shown = b.ok(Method::GET, &format!("/v1/{peer_name}"), None).await;
    assert_eq!(shown["issuer"], base_a.as_str(), "{shown}");
    assert!(shown["lastSyncTime"].is_string(), "{shown}");
    assert_eq!(shown["refusedCount"], Value::Null, "{shown}");
}

#[tokio::test]
async fn schemas_and_stories_reach_a_peer_that_builds_from_and_adopts_them() {
    let Pair { a, b, _up, _dirs } = pair(&[]).await;
    let base_a = a.base.clone();
    let http = a.http.clone();

    // A shares its default schema and a story of one of its processes.
    let shared = a
        .ok(
            Method::PATCH,
            "/v1/schemas/default?updateMask=shared",
            Some(json!({"shared": true})),
        )
        .await;
    assert_eq!(shared["shared"], true, "{shared}");
    let made = common::public_process_with_story(&a).await;
    a.ok(
        Method::PATCH,
        &format!("/v1/{}?updateMask=shared", made.story),
        Some(json!({"shared": true})),
    )
    .await;
    // The story goes out without its people: no author, and its process
    // without creators, grants, assets, claims or stories.
    let keys: Value = http
        .get(format!("{base_a}/.well-known/interlink-federation"))
        .send()
        .await
        .expect("keys")
        .json()
        .await
        .expect("json");
    let entries = feed_of(&http, &base_a, &keys, 2).await;
    let story_entry = entries
        .iter()
        .find(|e| e.kind == "story")
        .expect("the story in the feed");
    let body = story_entry.body.as_ref().expect("body");
    assert_eq!(body["story"]["title"], "Mil viajes en bicicleta");
    assert!(body["story"].get("author").is_none(), "{body}");
    let document = &body["processDocument"];
    assert_eq!(document["format"], "interlink.process/1");
    for empty in ["grants", "assets", "claims", "stories"] {
        assert_eq!(document[empty], json!([]), "{empty}: {document}");
    }
    let items = document["items"].as_array().expect("items");
    assert!(!items.is_empty());
    assert!(items.iter().all(|i| i["creator"] == ""), "{document}");
    assert!(!document.to_string().contains("editor-a"), "{document}");

    // B trusts A.
    let kid = keys["keys"][0]["kid"].as_str().expect("kid").to_owned();
    b.ok(
        Method::POST,
        "/v1/peers",
        Some(json!({"feedUrl": format!("{base_a}/v1/federation/feed"), "pinnedKeys": [kid]})),
    )
    .await;

    // The schema is mirrored in B, read-only, and B builds a process from
    // it that records where it came from.
    let schemas = eventually(&b, "/v1/schemas", "the schema mirror in B", |v| {
        v["schemas"].as_array().is_some_and(|s| {
            s.iter()
                .any(|s| s["origin"]["deployment"] == base_a.as_str())
        })
    })
    .await;
    let mirror_schema = schemas["schemas"]
        .as_array()
        .expect("schemas")
        .iter()
        .find(|s| s["origin"]["deployment"] == base_a.as_str())
        .expect("the mirror")
        .clone();
    assert_eq!(mirror_schema["origin"]["name"], "schemas/default");
    let mirror_schema_name = mirror_schema["name"].as_str().expect("name").to_owned();
    let (status, refused) = b
        .call(
            Method::POST,
            &format!("/v1/{mirror_schema_name}:publish"),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        refused["status"], "FAILED_PRECONDITION",
        "{status} {refused}"
    );
    let org_b = b
        .ok(
            Method::POST,
            "/v1/organizations",
            Some(json!({
                "displayName": {"values": {"en": "Riga City Council"}},
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
            })),
        )
        .await["name"]
        .as_str()
        .expect("organisation")
        .to_owned();
    let process_b = b
        .ok(
            Method::POST,
            "/v1/processes",
            Some(json!({"title": "Shared bikes", "language": "en", "organization": org_b})),
        )
        .await["name"]
        .as_str()
        .expect("process")
        .to_owned();
    let tree = b
        .ok(
            Method::POST,
            &format!("/v1/{process_b}:buildFromSchema"),
            Some(json!({"schema": mirror_schema_name})),
        )
        .await;
    assert_eq!(
        tree["process"]["schemaOrigin"]["deployment"],
        base_a.as_str(),
        "{tree}"
    );
    assert_eq!(tree["process"]["schemaOrigin"]["name"], "schemas/default");
    // Adopted: a local schema of B's, editable, keeping its origin.
    let adopted_schema = b
        .ok(
            Method::POST,
            &format!("/v1/{mirror_schema_name}:adopt"),
            Some(json!({"schemaId": "default-from-zaragoza"})),
        )
        .await;
    assert_eq!(adopted_schema["adoptedFrom"]["deployment"], base_a.as_str());
    b.ok(
        Method::PATCH,
        "/v1/schemas/default-from-zaragoza?updateMask=title",
        Some(json!({"title": text("en", "Our default")})),
    )
    .await;

    // The story is mirrored in B, found by its origin, and adopted as a
    // process of B's organisation that keeps its origin.
    let stories = eventually(
        &b,
        &format!("/v1/stories?origins={}", percent_encode(&base_a)),
        "the story mirror in B",
        |v| v["stories"].as_array().is_some_and(|s| s.len() == 1),
    )
    .await;
    let mirror_story = stories["stories"][0].clone();
    assert_eq!(mirror_story["title"], "Mil viajes en bicicleta");
    assert_eq!(mirror_story["origin"]["name"], made.story.as_str());
    let mirror_story_name = mirror_story["name"].as_str().expect("name").to_owned();
    let local_only = b.ok(Method::GET, "/v1/stories?origins=local", None).await;
    assert!(local_only.get("stories").is_none(), "{local_only}");
    let (status, refused) = b
        .call(
            Method::POST,
            &format!("/v1/{mirror_story_name}:rate"),
            Some(json!({"value": 5})),
        )
        .await;
    assert_eq!(
        refused["status"], "FAILED_PRECONDITION",
        "{status} {refused}"
    );
    let adopted = b
        .ok(
            Method::POST,
            &format!("/v1/{mirror_story_name}:adopt"),
            Some(json!({"organization": org_b})),
        )
        .await;
    assert_eq!(adopted["process"]["title"], "Bicicletas compartidas");
    assert_eq!(adopted["process"]["organization"], org_b.as_str());
    assert_eq!(
        adopted["process"]["adoptedOrigin"]["deployment"],
        base_a.as_str()
    );
    assert_eq!(
        adopted["process"]["adoptedFrom"],
        mirror_story_name.as_str()
    );
    assert!(
        adopted["items"].as_array().is_some_and(|i| !i.is_empty()),
        "{adopted}"
    );
    // The three count as reuse of A's work.
    eventually(&b, "/v1/organizations/-/kpis", "the reuse KPI", |v| {
        v["values"].as_array().is_some_and(|values| {
            values.iter().any(|k| {
                k["kpi"] == "cross_deployment_reuse"
                    && k["dimension"] == base_a.as_str()
                    && k["value"] == "3"
            })
        })
    })
    .await;

    // A stops sharing the story: B keeps it, marked withdrawn, no longer
    // adoptable.
    a.ok(
        Method::PATCH,
        &format!("/v1/{}?updateMask=shared", made.story),
        Some(json!({"shared": false})),
    )
    .await;
    eventually(
        &b,
        &format!("/v1/{mirror_story_name}"),
        "the withdrawal in B",
        |v| v["withdrawn"] == true,
    )
    .await;
    let (_, refused) = b
        .call(
            Method::POST,
            &format!("/v1/{mirror_story_name}:adopt"),
            Some(json!({"organization": org_b})),
        )
        .await;
    assert_eq!(refused["status"], "FAILED_PRECONDITION", "{refused}");
}

/// A peer of `a` in `b`, trusting the key it reads at A's well-known URL:
/// A's keys, and the peer's name in B.
async fn subscribe(b: &Api, base_a: &str) -> (Value, String) {
    let keys: Value = b
        .http
        .get(format!("{base_a}/.well-known/interlink-federation"))
        .send()
        .await
        .expect("keys")
        .json()
        .await
        .expect("json");
    let kid = keys["keys"][0]["kid"].as_str().expect("kid").to_owned();
    let (status, peer) = b
        .call(
            Method::POST,
            "/v1/peers",
            Some(json!({"feedUrl": format!("{base_a}/v1/federation/feed"), "pinnedKeys": [kid]})),
        )
        .await;
    assert_eq!(status, 200, "{peer}");
    let name = peer["name"].as_str().expect("peer").to_owned();
    (keys, name)
}

#[tokio::test]
async fn a_shared_knowledge_interlinker_takes_its_genesis_documents_to_a_peer() {
    use base64::Engine;
    use sha2::Digest;
    let Pair { a, b, _up, _dirs } = pair(&[(
        // A's documents interlinker on a port known before it starts, so
        // the seed points its knowledge interlinkers at it.
        "INTERLINK__DOCUMENTS__LISTEN",
        format!("127.0.0.1:{}", common::free_port()),
    )])
    .await;
    let (base_a, base_b) = (a.base.clone(), b.base.clone());
    let http = a.http.clone();

    // A seeded knowledge interlinker of A's collaborative editor, whose
    // genesis documents A's documents interlinker holds.
    let listed = a
        .ok(Method::GET, "/v1/interlinkers?pageSize=500", None)
        .await;
    let (original, key, languages) = listed["interlinkers"]
        .as_array()
        .expect("interlinkers")
        .iter()
        .find_map(|i| {
            let assets = i["knowledge"]["genesisAssets"].as_object()?;
            let en = assets.get("en")?.as_str()?;
            let key = interlink_documents::genesis::DOCUMENTS
                .iter()
                .find_map(|(key, _, _)| {
                    en.ends_with(&interlink_runtime::api::genesis_asset_id(key, "en").to_string())
                        .then_some(*key)
                })?;
            let mut languages: Vec<String> = assets.keys().cloned().collect();
            languages.sort();
            Some((i["name"].as_str()?.to_owned(), key, languages))
        })
        .unwrap_or_else(|| {
            let knowledge: Vec<&Value> = listed["interlinkers"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|i| i["knowledge"].is_object())
                .collect();
            panic!("no seeded knowledge interlinker of the documents interlinker: {knowledge:?}")
        });
    let source = |language: &str| {
        interlink_documents::genesis::DOCUMENTS
            .iter()
            .find(|(k, l, _)| *k == key && *l == language)
            .map(|(_, _, text)| *text)
            .expect("its genesis text")
    };
    a.ok(
        Method::PATCH,
        &format!("/v1/{original}?updateMask=shared"),
        Some(json!({"shared": true})),
    )
    .await;
    subscribe(&b, &base_a).await;

    // B's mirror has each language's document, as A's interlinker made it.
    let search = format!(
        "/v1/interlinkers:search?origins={}",
        percent_encode(&base_a)
    );
    let found = eventually(&b, &search, "the mirror in B", |v| {
        v["results"].as_array().is_some_and(|r| r.len() == 1)
    })
    .await;
    let mirror_name = found["results"][0]["interlinker"]["name"]
        .as_str()
        .expect("name")
        .to_owned();
    let mirror = eventually(&b, &format!("/v1/{mirror_name}"), "its documents", |v| {
        v["genesisDocuments"].as_array().map(Vec::len) == Some(languages.len())
    })
    .await;
    let listed: Vec<&str> = mirror["genesisDocuments"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| d["language"].as_str().expect("language"))
        .collect();
    assert_eq!(listed, languages);
    assert!(
        mirror["genesisDocuments"][0]["content"].is_null(),
        "listed without bytes"
    );
    let document = b
        .ok(
            Method::GET,
            &format!("/v1/{mirror_name}/genesisDocuments/en"),
            None,
        )
        .await;
    let content = base64::engine::general_purpose::STANDARD
        .decode(document["content"].as_str().expect("content"))
        .expect("base64");
    let text = String::from_utf8(content.clone()).expect("utf-8");
    let first_line = source("en")
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .expect("a line of text");
    assert!(text.contains(first_line.trim()), "{text}");
    assert!(
        document["mediaType"]
            .as_str()
            .is_some_and(|m| m.starts_with("text/markdown")),
        "{document}"
    );
    let digest: String = sha2::Sha256::digest(&content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(document["sha256"], digest.as_str());
    assert_eq!(document["size"], content.len().to_string().as_str());
    let (status, missing) = b
        .call(
            Method::GET,
            &format!("/v1/{mirror_name}/genesisDocuments/zz"),
            None,
        )
        .await;
    assert_eq!(status, 404, "{missing}");

    // The page offers them; the download is an attachment never rendered.
    let id = mirror_name.trim_start_matches("interlinkers/");
    let page = http
        .get(format!("{base_b}/catalogue/{id}"))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains(&format!("/catalogue/{id}/documents/en")),
        "{page}"
    );
    let download = http
        .get(format!("{base_b}/catalogue/{id}/documents/en"))
        .send()
        .await
        .expect("download");
    assert_eq!(download.status(), 200);
    let headers = download.headers().clone();
    assert!(
        headers["content-disposition"]
            .to_str()
            .is_ok_and(|d| d.starts_with("attachment;")),
        "{headers:?}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(
        headers["content-security-policy"]
            .to_str()
            .is_ok_and(|csp| csp.starts_with("default-src 'none'")),
        "{headers:?}"
    );
    assert_eq!(
        download.bytes().await.expect("bytes").as_ref(),
        content.as_slice()
    );

    // Adopted: the copy keeps the documents.
    let adopted = b
        .ok(
            Method::POST,
            &format!("/v1/{mirror_name}:adopt"),
            Some(json!({})),
        )
        .await;
    let copy = adopted["name"].as_str().expect("name").to_owned();
    assert_eq!(
        adopted["genesisDocuments"].as_array().map(Vec::len),
        Some(languages.len()),
        "{adopted}"
    );
    let copied = b
        .ok(
            Method::GET,
            &format!("/v1/{copy}/genesisDocuments/en"),
            None,
        )
        .await;
    assert_eq!(copied["sha256"], digest.as_str());

    // Unshared at A: the mirror is deprecated and its documents withdrawn;
    // the adopted copy keeps its own.
    a.ok(
        Method::PATCH,
        &format!("/v1/{original}?updateMask=shared"),
        Some(json!({"shared": false})),
    )
    .await;
    eventually(
        &b,
        &format!("/v1/{mirror_name}"),
        "the withdrawal in B",
        |v| v["state"] == "INTERLINKER_STATE_DEPRECATED" && v["genesisDocuments"].is_null(),
    )
    .await;
    let kept = b.ok(Method::GET, &format!("/v1/{copy}"), None).await;
    assert_eq!(
        kept["genesisDocuments"].as_array().map(Vec::len),
        Some(languages.len())
    );
}

fn percent_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
