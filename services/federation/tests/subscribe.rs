//! Subscribing to a peer, on PostgreSQL + NATS and on SQLite + the
//! embedded bus, against a peer served over HTTP by the test from entries
//! it signs itself: verified entries become mirror events; a tampered
//! entry is refused and reported; a replayed older version is ignored; a
//! key that does not match the pin imports nothing until the pin is
//! fixed; a peer that is down is retried, and nothing is lost once it
//! returns; schema and story entries arrive, and ones whose body does
//! not match their name or lack their process are refused; an endorsed
//! rotation is followed, an unendorsed key stops the read before it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{RawQuery, State};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use interlink_federation::grpc_peers::PeersConfig;
use interlink_federation::keys::{ENDORSEMENT_TYPE, ENTRY_TYPE, Endorsement, SigningKey};
use interlink_federation::store::EntryClaims;
use interlink_federation::subscriber::{PeerTransport, Subscriber, SyncSettings};
use interlink_federation::{FederationApi, Identity, Migrator};
use interlink_proto::federation::v1 as pb;
use interlink_proto::federation::v1::federation_service_client::FederationServiceClient;
use interlink_proto::federation::v1::federation_service_server::FederationServiceServer;
use interlink_runtime::jobs::{JobsConfig, Worker};
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::{
    Backend, TestEnv, TestServer, outbox_events, violated_fields, wait_until, with_token,
};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

const ADMIN: &str = "admin-1";

/// A peer deployment as the test plays it: its keys and its feed.
#[derive(Default)]
struct Origin {
    issuer: String,
    /// Newest first, each with its endorsement.
    keys: Vec<(Arc<SigningKey>, String)>,
    /// (sequence, name, version, jws) in feed order.
    feed: Vec<(i64, String, i64, bool, String)>,
    next: i64,
    /// Answers 503 to everything while down.
    down: bool,
    /// Says more entries follow, but sends none and stays where it is.
    stuck: bool,
}

impl Origin {
    fn key(&self) -> Arc<SigningKey> {
        Arc::clone(&self.keys[0].0)
    }

    fn rotate(&mut self, endorsed: bool) -> Arc<SigningKey> {
        let key = Arc::new(SigningKey::generate().expect("key"));
        let endorsement = if endorsed {
            self.key()
                .sign(
                    ENDORSEMENT_TYPE,
                    &Endorsement {
                        iss: self.issuer.clone(),
                        kid: key.kid().to_owned(),
                        iat: 1,
                    },
                )
                .expect("endorse")
        } else {
            String::new()
        };
        self.keys.insert(0, (Arc::clone(&key), endorsement));
        key
    }

    /// Appends a signed entry for `id` at `version` (compacting: an older
    /// row of the same name leaves the feed).
    fn put(&mut self, id: u8, version: i64, title: Option<&str>) -> String {
        let name = interlinker_name(id);
        let claims = EntryClaims {
            iss: self.issuer.clone(),
            name: name.clone(),
            kind: "interlinker".into(),
            ver: version,
            withdrawn: title.is_none(),
            iat: 1,
            body: title.map(|t| interlinker_body(&name, t)),
        };
        let jws = self.key().sign(ENTRY_TYPE, &claims).expect("sign");
        self.append(&name, version, title.is_none(), jws.clone());
        jws
    }

    /// Appends a signed entry of any kind.
    fn put_entry(&mut self, name: &str, kind: &str, version: i64, body: Value) {
        let claims = EntryClaims {
            iss: self.issuer.clone(),
            name: name.to_owned(),
            kind: kind.into(),
            ver: version,
            withdrawn: false,
            iat: 1,
            body: Some(body),
        };
        let jws = self.key().sign(ENTRY_TYPE, &claims).expect("sign");
        self.append(name, version, false, jws);
    }

    fn append(&mut self, name: &str, version: i64, withdrawn: bool, jws: String) {
        self.feed.retain(|(_, n, ..)| n != name);
        self.next += 1;
        self.feed
            .push((self.next, name.to_owned(), version, withdrawn, jws));
    }
}

fn interlinker_name(id: u8) -> String {
    format!("interlinkers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a{id:02x}")
}

fn interlinker_body(name: &str, title: &str) -> Value {
    json!({
        "name": name,
        "nature": "NATURE_EXTERNAL_KNOWLEDGE",
        "state": "INTERLINKER_STATE_PUBLISHED",
        "title": {"values": {"en": title}},
        "external": {"uri": "https://guides.example.org/pb"},
    })
}

type Shared = Arc<Mutex<Origin>>;

async fn keys(State(origin): State<Shared>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let origin = origin.lock().expect("origin");
    if origin.down {
        return http::StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let keys: Vec<Value> = origin
        .keys
        .iter()
        .map(|(key, endorsement)| {
            json!({
                "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig",
                "kid": key.kid(), "x": key.public().x, "y": key.public().y,
                "endorsement": endorsement,
            })
        })
        .collect();
    axum::Json(json!({"issuer": origin.issuer, "displayName": "Riga", "keys": keys}))
        .into_response()
}

async fn feed(State(origin): State<Shared>, RawQuery(query): RawQuery) -> axum::response::Response {
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    use axum::response::IntoResponse;
    let origin = origin.lock().expect("origin");
    if origin.down {
        return http::StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let after: i64 = query
        .get("cursor")
        .and_then(|c| c.strip_prefix('c'))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let size: usize = query
        .get("pageSize")
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    if origin.stuck {
        return axum::Json(json!({"entries": [], "nextCursor": format!("c{after}"), "more": true}))
            .into_response();
    }
    let rest: Vec<_> = origin.feed.iter().filter(|e| e.0 > after).collect();
    let page: Vec<Value> = rest
        .iter()
        .take(size)
        .map(|(seq, name, version, withdrawn, jws)| {
            json!({"sequence": seq.to_string(), "name": name, "kind": "ENTRY_KIND_INTERLINKER",
                   "version": version.to_string(), "withdrawn": withdrawn, "signature": jws})
        })
        .collect();
    let last = page
        .last()
        .and_then(|e| e["sequence"].as_str().map(str::to_owned))
        .unwrap_or_else(|| after.to_string());
    axum::Json(json!({
        "entries": page,
        "nextCursor": format!("c{last}"),
        "more": rest.len() > size,
    }))
    .into_response()
}

struct Subscription {
    server: TestServer,
    origin: Shared,
    feed_url: String,
    stop: CancellationToken,
}

impl Subscription {
    async fn start(backend: Backend) -> Self {
        let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
        interlink_federation::store::ensure_key(&env.db)
            .await
            .expect("key");
        // The peer, on loopback over http.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("addr");
        let issuer = format!("http://{address}");
        let origin: Shared = Arc::new(Mutex::new(Origin {
            issuer: issuer.clone(),
            ..Origin::default()
        }));
        origin.lock().expect("origin").rotate(false);
        let app = axum::Router::new()
            .route("/.well-known/interlink-federation", get(keys))
            .route("/v1/federation/feed", get(feed))
            .with_state(Arc::clone(&origin));
        tokio::spawn(async move { axum::serve(listener, app).await });

        let settings = SyncSettings {
            interval: Duration::from_millis(300),
            page_size: 2,
            keys_fresh: Duration::from_millis(200),
        };
        let outbox = env.outbox();
        let worker = Worker::with_transport(
            env.db.clone(),
            Arc::new(Subscriber::new(outbox, settings)),
            PeerTransport::new(Duration::from_secs(5), true, 1 << 22).expect("transport"),
            JobsConfig {
                poll: Duration::from_millis(50),
                retry_initial: Duration::from_millis(50),
                retry_max: Duration::from_millis(200),
                ..JobsConfig::default()
            },
        );
        let peers = PeersConfig {
            allow_http: true,
            settings,
            wake: worker.waker(),
        };
        let stop = CancellationToken::new();
        tokio::spawn(worker.run(stop.clone()));
        let identity = Identity {
            issuer: "https://here.example".into(),
            display_name: "Here".into(),
        };
        let server = TestServer::start(env, interlink_federation::SERVICE_NAME, |env| {
            let mut routes = tonic::service::RoutesBuilder::default();
            routes.add_service(FederationServiceServer::new(FederationApi::new(
                env.db.clone(),
                identity,
                peers,
            )));
            routes
        })
        .await;
        Self {
            server,
            origin,
            feed_url: format!("{issuer}/v1/federation/feed"),
            stop,
        }
    }

    fn client(&self) -> FederationServiceClient<Channel> {
        FederationServiceClient::new(self.server.channel.clone())
    }

    fn admin<T>(&self, message: T) -> tonic::Request<T> {
        with_token(message, &self.server.token(ADMIN, true))
    }

    async fn peer(&self, name: &str) -> pb::Peer {
        self.client()
            .get_peer(self.admin(pb::GetPeerRequest { name: name.into() }))
            .await
            .expect("peer")
            .into_inner()
    }

    /// The mirror events told so far: (name, version, withdrawn, title).
    async fn told(&self) -> Vec<(String, i64, bool, String)> {
        outbox_events(&self.server.env.db)
            .await
            .iter()
            .filter(|e| e.r#type == "federation.mirror.updated")
            .map(|e| {
                let m: pb::MirrorUpdated = interlink_runtime::events::payload(e).expect("mirror");
                let title = match &m.body {
                    Some(pb::mirror_updated::Body::Interlinker(i)) => i
                        .title
                        .as_ref()
                        .and_then(|t| t.values.get("en").cloned())
                        .unwrap_or_default(),
                    Some(pb::mirror_updated::Body::SchemaVersion(v)) => v
                        .title
                        .as_ref()
                        .and_then(|t| t.values.get("en").cloned())
                        .unwrap_or_default(),
                    Some(pb::mirror_updated::Body::Story(s)) => s.title.clone(),
                    Some(pb::mirror_updated::Body::GenesisDocument(d)) => d.file_name.clone(),
                    None => String::new(),
                };
                (m.origin_name, m.version, m.withdrawn, title)
            })
            .collect()
    }

    async fn wait_told(&self, what: &str, n: usize) -> Vec<(String, i64, bool, String)> {
        wait_until(what, Duration::from_secs(30), || async {
            self.told().await.len() >= n
        })
        .await;
        self.told().await
    }
}

async fn a_subscription_imports_verified_entries_only(backend: Backend) {
    let sub = Subscription::start(backend).await;
    let mut client = sub.client();
    let first_kid = {
        let mut origin = sub.origin.lock().expect("origin");
        origin.put(1, 1, Some("Guide"));
        origin.put(2, 1, Some("Canvas"));
        origin.put(3, 1, Some("Checklist"));
        origin.key().kid().to_owned()
    };

    // Administrators only; bad fields are named.
    let new_peer = |feed_url: &str, kid: &str| pb::CreatePeerRequest {
        peer: Some(pb::Peer {
            feed_url: feed_url.into(),
            pinned_keys: vec![kid.into()],
            ..Default::default()
        }),
    };
    let status = client
        .create_peer(with_token(
            new_peer(&sub.feed_url, &first_kid),
            &sub.server.token("someone", false),
        ))
        .await
        .expect_err("not an administrator");
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    let status = client
        .create_peer(sub.admin(new_peer("ftp://x/feed", "short")))
        .await
        .expect_err("bad fields");
    assert_eq!(
        violated_fields(&status),
        vec!["peer.feed_url", "peer.pinned_keys[0]"]
    );

    // A wrong pin: the keys are read, nothing is trusted, nothing imported.
    let wrong = SigningKey::generate().expect("key");
    let peer = client
        .create_peer(sub.admin(new_peer(&sub.feed_url, wrong.kid())))
        .await
        .expect("create")
        .into_inner();
    let status = client
        .create_peer(sub.admin(new_peer(&sub.feed_url, wrong.kid())))
        .await
        .expect_err("twice");
    assert_eq!(status.code(), tonic::Code::AlreadyExists);
    wait_until(
        "the wrong pin reported",
        Duration::from_secs(30),
        || async { sub.peer(&peer.name).await.last_error.contains("pinned") },
    )
    .await;
    assert!(sub.told().await.is_empty());
    assert!(sub.peer(&peer.name).await.trusted_keys.is_empty());

    // The right pin: everything, in pages of two.
    let fixed = client
        .update_peer(sub.admin(pb::UpdatePeerRequest {
            peer: Some(pb::Peer {
                name: peer.name.clone(),
                pinned_keys: vec![first_kid.clone()],
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["pinned_keys".into()],
            }),
        }))
        .await
        .expect("fix the pin")
        .into_inner();
    assert_eq!(fixed.pinned_keys, vec![first_kid.clone()]);
    let told = sub.wait_told("three mirrors", 3).await;
    let names: Vec<(String, i64)> = told.iter().map(|t| (t.0.clone(), t.1)).collect();
    assert_eq!(
        names,
        vec![
            (interlinker_name(1), 1),
            (interlinker_name(2), 1),
            (interlinker_name(3), 1)
        ]
    );
    assert_eq!(told[1].3, "Canvas");
    wait_until("synced", Duration::from_secs(30), || async {
        let p = sub.peer(&peer.name).await;
        p.last_sync_time.is_some() && p.last_error.is_empty()
    })
    .await;
    let shown = sub.peer(&peer.name).await;
    assert_eq!(shown.issuer, sub.origin.lock().expect("o").issuer);
    assert_eq!(shown.origin_display_name, "Riga");
    assert_eq!(shown.mirrored_count, 3);
    assert_eq!(shown.trusted_keys, vec![first_kid.clone()]);

    // A tampered entry (its payload changed after signing) is refused and
    // reported; a replay of an older version is ignored; an update and a
    // withdrawal arrive.
    {
        let mut origin = sub.origin.lock().expect("origin");
        let jws = origin.put(4, 1, Some("Survey"));
        let parts: Vec<&str> = jws.split('.').collect();
        let mut claims: Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("json");
        claims["body"]["title"]["values"]["en"] = json!("Forged");
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(claims.to_string()),
            parts[2]
        );
        let name = interlinker_name(4);
        origin.append(&name, 1, false, forged);
        let old = origin.put(1, 1, Some("Guide"));
        let _ = old;
        origin.put(2, 2, Some("Canvas v2"));
        origin.put(3, 2, None);
    }
    let told = sub.wait_told("the update and the withdrawal", 5).await;
    let last: Vec<(String, i64, bool, String)> = told[3..].to_vec();
    assert_eq!(
        last,
        vec![
            (interlinker_name(2), 2, false, "Canvas v2".into()),
            (interlinker_name(3), 2, true, String::new()),
        ]
    );
    let refused = client
        .list_refused_entries(sub.admin(pb::ListRefusedEntriesRequest {
            parent: peer.name.clone(),
            ..Default::default()
        }))
        .await
        .expect("refused")
        .into_inner();
    assert_eq!(refused.refused_entries.len(), 1, "{refused:?}");
    assert_eq!(refused.refused_entries[0].entry_name, interlinker_name(4));
    assert!(refused.refused_entries[0].reason.contains("signature"));
    assert_eq!(sub.peer(&peer.name).await.refused_count, 1);

    // Down: the read is retried (the peer says so), and what was published
    // meanwhile arrives once it is back.
    sub.origin.lock().expect("origin").down = true;
    client
        .sync_peer(sub.admin(pb::SyncPeerRequest {
            name: peer.name.clone(),
        }))
        .await
        .expect("sync");
    wait_until("the retry shown", Duration::from_secs(30), || async {
        sub.peer(&peer.name)
            .await
            .last_error
            .contains("trying again")
    })
    .await;
    {
        let mut origin = sub.origin.lock().expect("origin");
        origin.put(5, 1, Some("Roadmap"));
        origin.down = false;
    }
    let told = sub.wait_told("the entry published while down", 6).await;
    assert_eq!(told[5].0, interlinker_name(5));

    // A schema's newest version and a story with its process arrive; one
    // of each that does not hold together is refused.
    const STORY: &str = "stories/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a70";
    const BAD_STORY: &str = "stories/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a71";
    let schema = |schema: &str| {
        json!({
            "name": "schemas/ours/versions/2",
            "schema": schema,
            "version": 2,
            "title": {"values": {"en": "Ours"}},
            "items": [{"key": "start", "kind": "ITEM_KIND_PHASE", "title": {"values": {"en": "Start"}}}],
        })
    };
    {
        let mut origin = sub.origin.lock().expect("origin");
        origin.put_entry("schemas/ours", "schema_version", 1, schema("schemas/ours"));
        origin.put_entry(
            STORY,
            "story",
            1,
            json!({
                "story": {"name": STORY, "title": "A thousand rides"},
                "processDocument": {"format": "interlink.process/1", "items": []},
            }),
        );
        origin.put_entry(
            "schemas/theirs",
            "schema_version",
            1,
            schema("schemas/ours"),
        );
        origin.put_entry(
            BAD_STORY,
            "story",
            1,
            json!({"story": {"name": BAD_STORY, "title": "No process"}}),
        );
    }
    let told = sub.wait_told("the schema and the story", 8).await;
    assert_eq!(
        told[6..].to_vec(),
        vec![
            ("schemas/ours".to_owned(), 1, false, "Ours".to_owned()),
            (STORY.to_owned(), 1, false, "A thousand rides".to_owned()),
        ]
    );
    wait_until("two more refused", Duration::from_secs(30), || async {
        sub.peer(&peer.name).await.refused_count == 3
    })
    .await;
    let refused = client
        .list_refused_entries(sub.admin(pb::ListRefusedEntriesRequest {
            parent: peer.name.clone(),
            ..Default::default()
        }))
        .await
        .expect("refused")
        .into_inner();
    let reasons: Vec<(String, String)> = refused
        .refused_entries
        .iter()
        .map(|r| (r.entry_name.clone(), r.reason.clone()))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|(n, r)| n == "schemas/theirs" && r.contains("schemas/ours")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|(n, r)| n == BAD_STORY && r.contains("process document")),
        "{reasons:?}"
    );

    // A genesis document arrives with its bytes; one whose bytes are not
    // the ones its entry states is refused.
    {
        use interlink_federation::genesis::{DocumentBody, entry_name};
        let interlinker = interlinker_name(1);
        let good = DocumentBody::new(
            &interlinker,
            "lv",
            "text/markdown",
            "celvedis.md",
            "# Ceļvedis".as_bytes(),
        );
        let mut tampered =
            DocumentBody::new(&interlinker, "en", "text/markdown", "guide.md", b"# Guide");
        tampered.content = "IyBHdWlkZSE=".into();
        let mut origin = sub.origin.lock().expect("origin");
        origin.put_entry(
            &entry_name(&interlinker, "lv"),
            "genesis_document",
            1,
            serde_json::to_value(good).expect("json"),
        );
        origin.put_entry(
            &entry_name(&interlinker, "en"),
            "genesis_document",
            1,
            serde_json::to_value(tampered).expect("json"),
        );
    }
    let told = sub.wait_told("the genesis document", 9).await;
    assert_eq!(
        told[8],
        (
            format!("{}/genesis/lv", interlinker_name(1)),
            1,
            false,
            "celvedis.md".to_owned()
        )
    );
    wait_until(
        "the tampered document refused",
        Duration::from_secs(30),
        || async { sub.peer(&peer.name).await.refused_count == 4 },
    )
    .await;

    // An endorsed rotation is followed; a key nobody endorsed stops the
    // read before its entry, and what follows waits.
    {
        let mut origin = sub.origin.lock().expect("origin");
        origin.rotate(true);
        origin.put(6, 1, Some("Endorsed"));
    }
    let told = sub.wait_told("the entry of the endorsed key", 10).await;
    assert_eq!(told[9].3, "Endorsed");
    {
        let mut origin = sub.origin.lock().expect("origin");
        origin.rotate(false);
        origin.put(7, 1, Some("Unendorsed"));
    }
    wait_until(
        "the unknown key reported",
        Duration::from_secs(30),
        || async { sub.peer(&peer.name).await.last_error.contains("not pinned") },
    )
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sub.told().await.len(), 10);
    assert_eq!(sub.peer(&peer.name).await.trusted_keys.len(), 2);

    // A feed that says more follow but moves nothing is not read in a
    // loop: the peer says why and waits.
    sub.origin.lock().expect("origin").stuck = true;
    client
        .sync_peer(sub.admin(pb::SyncPeerRequest {
            name: peer.name.clone(),
        }))
        .await
        .expect("sync");
    wait_until(
        "the stuck feed reported",
        Duration::from_secs(30),
        || async {
            sub.peer(&peer.name)
                .await
                .last_error
                .contains("moved nothing")
        },
    )
    .await;

    // Paused: nothing is read; sync is refused.
    let paused = client
        .update_peer(sub.admin(pb::UpdatePeerRequest {
            peer: Some(pb::Peer {
                name: peer.name.clone(),
                paused: true,
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["paused".into()],
            }),
        }))
        .await
        .expect("pause")
        .into_inner();
    assert!(paused.paused);
    let status = client
        .sync_peer(sub.admin(pb::SyncPeerRequest {
            name: peer.name.clone(),
        }))
        .await
        .expect_err("paused");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    let listed = client
        .list_peers(sub.admin(pb::ListPeersRequest {}))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(listed.peers.len(), 1);
    sub.stop.cancel();
    sub.server.stop().await;
}

on_both_backends!(a_subscription_imports_verified_entries_only);
