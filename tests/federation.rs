//! Federation through the gateway of `interlink up`: an editor marks a
//! published interlinker shared and the deployment's feed, read over REST
//! without a token, carries it signed by the key at the well-known URL;
//! unchanged pages answer 304 to their ETag; deprecating the entry
//! withdraws it.

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
