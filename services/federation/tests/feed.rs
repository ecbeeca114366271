//! The federation feed on PostgreSQL + NATS and on SQLite + the embedded
//! bus: the catalogue's events, published and consumed through the real
//! outbox, relay and bus, put exactly the shared, published interlinkers
//! in the feed, each signed so that a subscriber pinning the first key
//! verifies it, across a key rotation; the feed pages by cursor and a
//! subscriber resumes where it stopped. Shared schemas (their newest
//! version) and stories (with their process's document) go out the same
//! way, without what stays at home; mirrors never go out again. A shared
//! knowledge interlinker's genesis documents are downloaded from its
//! software interlinker with a platform token and go out as entries of
//! their own, withdrawn with it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use interlink_federation::keys::{self, ENTRY_TYPE, ListedKey, PublicKey};
use interlink_federation::store::EntryClaims;
use interlink_federation::{FederationApi, Identity, Migrator, Publisher};
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::common::v1::TranslatableText;
use interlink_proto::events::v1::Event;
use interlink_proto::federation::v1 as pb;
use interlink_proto::federation::v1::federation_service_client::FederationServiceClient;
use interlink_proto::federation::v1::federation_service_server::FederationServiceServer;
use interlink_runtime::events::{EventType, NewEvent, Outbox, user_actor};
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::{
    Backend, TestEnv, TestServer, count, violated_fields, wait_until, with_token,
};
use sea_orm::TransactionTrait;
use tonic::transport::Channel;

const ISSUER: &str = "https://participa.zaragoza.example";
const A: &str = "interlinkers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a01";
const B: &str = "interlinkers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a02";
const EDITOR: &str = "editor-1";

struct Deployment {
    server: TestServer,
    outbox: Outbox,
    publisher: Arc<Publisher>,
}

impl Deployment {
    async fn start(backend: Backend) -> Self {
        let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
        interlink_federation::store::ensure_key(&env.db)
            .await
            .expect("key");
        let outbox = env.outbox();
        let identity = Identity {
            issuer: ISSUER.into(),
            display_name: "Zaragoza".into(),
        };
        let server = TestServer::start(env, interlink_federation::SERVICE_NAME, |env| {
            let mut routes = tonic::service::RoutesBuilder::default();
            let peers = interlink_federation::grpc_peers::PeersConfig {
                allow_http: false,
                settings: Default::default(),
                wake: Default::default(),
            };
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
            outbox,
            publisher: Arc::new(Publisher::new(ISSUER)),
        }
    }

    fn client(&self) -> FederationServiceClient<Channel> {
        FederationServiceClient::new(self.server.channel.clone())
    }

    fn event<M: prost::Name>(&self, verb: &'static str, payload: &M) -> Event {
        self.outbox
            .envelope(NewEvent {
                event_type: EventType::new("catalogue", "interlinker", verb),
                actor: user_actor(EDITOR),
                organization_id: "",
                aggregate_id: "x",
                aggregate_version: 1,
                payload,
            })
            .expect("envelope")
    }

    /// Publishes `events` through the outbox, relay and bus, and waits
    /// until the publisher has handled them all.
    async fn publish(&self, events: &[Event]) {
        let env = &self.server.env;
        let handled = count(&env.db, "SELECT COUNT(*) AS n FROM interlink_inbox").await;
        let txn = env.db.begin().await.expect("begin");
        self.outbox.append(&txn, events).await.expect("append");
        txn.commit().await.expect("commit");
        let pipeline = env.start_pipeline(&self.outbox, "federation", &self.publisher);
        let expected = handled + events.len() as u64;
        wait_until(
            "the publisher to handle the events",
            Duration::from_secs(20),
            || async {
                count(&env.db, "SELECT COUNT(*) AS n FROM interlink_inbox").await == expected
            },
        )
        .await;
        pipeline.stop().await;
    }

    async fn keys(&self) -> pb::FederationKeys {
        self.client()
            .get_federation_keys(pb::GetFederationKeysRequest {})
            .await
            .expect("keys")
            .into_inner()
    }

    /// Every entry from `cursor` on, `page` at a time; and the cursor after.
    async fn read_feed(&self, cursor: &str, page: i32) -> (Vec<pb::FeedEntry>, String) {
        let mut cursor = cursor.to_owned();
        let mut entries = Vec::new();
        loop {
            let answer = self
                .client()
                .list_feed_entries(pb::ListFeedEntriesRequest {
                    cursor: cursor.clone(),
                    page_size: page,
                })
                .await
                .expect("feed")
                .into_inner();
            assert!(answer.entries.len() <= page as usize);
            entries.extend(answer.entries);
            cursor = answer.next_cursor;
            if !answer.more {
                return (entries, cursor);
            }
        }
    }
}

fn text(en: &str) -> Option<TranslatableText> {
    Some(TranslatableText {
        values: BTreeMap::from([("en".to_owned(), en.to_owned())]),
    })
}

fn interlinker(
    name: &str,
    title: &str,
    shared: bool,
    state: catalogue::InterlinkerState,
) -> catalogue::Interlinker {
    catalogue::Interlinker {
        name: name.into(),
        nature: catalogue::Nature::ExternalKnowledge as i32,
        state: state as i32,
        title: text(title),
        owner: format!("users/{EDITOR}"),
        rating_average: 4.5,
        rating_count: 2,
        adoption_count: 7,
        shared,
        details: Some(catalogue::interlinker::Details::External(
            catalogue::ExternalDetails {
                uri: "https://example.org/guide".into(),
            },
        )),
        ..Default::default()
    }
}

fn published(i: catalogue::Interlinker) -> catalogue::InterlinkerPublished {
    catalogue::InterlinkerPublished {
        interlinker: Some(i),
    }
}

fn updated(i: catalogue::Interlinker, changed: &str) -> catalogue::InterlinkerUpdated {
    catalogue::InterlinkerUpdated {
        interlinker: Some(i),
        changed_fields: vec![changed.into()],
    }
}

/// The keys a subscriber pinning `pin` trusts in `keys`.
fn trusted(pin: &str, keys: &pb::FederationKeys) -> BTreeMap<String, PublicKey> {
    let listed: Vec<ListedKey> = keys
        .keys
        .iter()
        .map(|k| ListedKey {
            kid: k.kid.clone(),
            public: PublicKey {
                x: k.x.clone(),
                y: k.y.clone(),
            },
            endorsement: k.endorsement.clone(),
        })
        .collect();
    keys::trusted_keys(&[pin.to_owned()], &listed)
}

/// `entry`'s claims, verified with a key of `trusted`.
fn verified(entry: &pb::FeedEntry, trusted: &BTreeMap<String, PublicKey>) -> EntryClaims {
    let head = keys::header(&entry.signature).expect("header");
    let key = trusted.get(&head.kid).expect("signed by a trusted key");
    let claims: EntryClaims = keys::verify(&entry.signature, ENTRY_TYPE, key).expect("verifies");
    // The unsigned fields repeat the signed ones.
    assert_eq!(claims.name, entry.name);
    assert_eq!(claims.ver, entry.version);
    assert_eq!(claims.withdrawn, entry.withdrawn);
    assert_eq!(claims.iss, ISSUER);
    claims
}

fn title(claims: &EntryClaims) -> &str {
    claims.body.as_ref().expect("body")["title"]["values"]["en"]
        .as_str()
        .expect("title")
}

async fn the_feed_carries_what_is_shared_signed(backend: Backend) {
    use catalogue::InterlinkerState::{Deprecated, Published};
    let zaragoza = Deployment::start(backend).await;
    let keys = zaragoza.keys().await;
    assert_eq!(keys.issuer, ISSUER);
    assert_eq!(keys.display_name, "Zaragoza");
    assert_eq!(keys.keys.len(), 1);
    let first = keys.keys[0].clone();
    assert_eq!(
        (first.kty.as_str(), first.crv.as_str(), first.alg.as_str()),
        ("EC", "P-256", "ES256")
    );
    assert!(first.endorsement.is_empty());

    // A shared, B not: only A is in the feed; a change that changes
    // nothing shared (a rating) adds nothing.
    zaragoza
        .publish(&[
            zaragoza.event(
                "published",
                &published(interlinker(A, "Guide", true, Published)),
            ),
            zaragoza.event(
                "published",
                &published(interlinker(B, "Canvas", false, Published)),
            ),
        ])
        .await;
    let mut rated = interlinker(A, "Guide", true, Published);
    rated.rating_average = 1.0;
    rated.rating_count = 9;
    zaragoza
        .publish(&[zaragoza.event("updated", &updated(rated, "rating"))])
        .await;
    let (entries, cursor) = zaragoza.read_feed("", 100).await;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let pins = trusted(&first.kid, &keys);
    let claims = verified(&entries[0], &pins);
    assert_eq!(
        (claims.name.as_str(), claims.ver, claims.withdrawn),
        (A, 1, false)
    );
    assert_eq!(claims.kind, "interlinker");
    assert_eq!(entries[0].kind, pb::EntryKind::Interlinker as i32);
    assert_eq!(title(&claims), "Guide");
    let body = claims.body.as_ref().expect("body");
    for local in [
        "owner",
        "ratingAverage",
        "ratingCount",
        "adoptionCount",
        "shared",
    ] {
        assert!(body.get(local).is_none(), "{local} left home: {body}");
    }
    assert_eq!(body["external"]["uri"], "https://example.org/guide");

    // A changes, B becomes shared, then A is deprecated: a subscriber
    // resuming from its cursor reads B, then A withdrawn (its newest
    // version only), and nothing else.
    zaragoza
        .publish(&[
            zaragoza.event(
                "updated",
                &updated(interlinker(A, "Guide v2", true, Published), "title"),
            ),
            zaragoza.event(
                "updated",
                &updated(interlinker(B, "Canvas", true, Published), "shared"),
            ),
            zaragoza.event(
                "deprecated",
                &catalogue::InterlinkerDeprecated {
                    interlinker: Some(interlinker(A, "Guide v2", true, Deprecated)),
                },
            ),
        ])
        .await;
    let (since, cursor) = zaragoza.read_feed(&cursor, 1).await;
    let claims: Vec<EntryClaims> = since.iter().map(|e| verified(e, &pins)).collect();
    let seen: Vec<(&str, i64, bool)> = claims
        .iter()
        .map(|c| (c.name.as_str(), c.ver, c.withdrawn))
        .collect();
    assert_eq!(seen, vec![(B, 1, false), (A, 3, true)]);
    assert!(claims[1].body.is_none());
    assert!(since.windows(2).all(|w| w[0].sequence < w[1].sequence));
    let (nothing, same) = zaragoza.read_feed(&cursor, 10).await;
    assert!(nothing.is_empty());
    assert_eq!(same, cursor);
    // The first page again, at the cursor and size read before the change
    // (a page kept from then would answer): it is the feed as it is now.
    let (again, _) = zaragoza.read_feed("", 100).await;
    let now: Vec<(&str, i64, bool)> = again
        .iter()
        .map(|e| (e.name.as_str(), e.version, e.withdrawn))
        .collect();
    assert_eq!(now, vec![(B, 1, false), (A, 3, true)]);

    // Withdrawing again, or unsharing what was never shared, adds nothing.
    zaragoza
        .publish(&[
            zaragoza.event(
                "deprecated",
                &catalogue::InterlinkerDeprecated {
                    interlinker: Some(interlinker(A, "Guide v2", true, Deprecated)),
                },
            ),
            zaragoza.event(
                "published",
                &published(interlinker(
                    "interlinkers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a03",
                    "Never shared",
                    false,
                    Published,
                )),
            ),
        ])
        .await;
    assert!(zaragoza.read_feed(&cursor, 10).await.0.is_empty());

    // Rotation: administrators only; the new key is endorsed by the old,
    // signs what changes next, and a subscriber that pinned the first key
    // trusts it; what the old key signed still verifies.
    let mut client = zaragoza.client();
    let status = client
        .rotate_federation_key(pb::RotateFederationKeyRequest {})
        .await
        .expect_err("no token");
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
    let status = client
        .rotate_federation_key(with_token(
            pb::RotateFederationKeyRequest {},
            &zaragoza.server.token(EDITOR, false),
        ))
        .await
        .expect_err("not an administrator");
    assert_eq!(status.code(), tonic::Code::PermissionDenied);
    let second = client
        .rotate_federation_key(with_token(
            pb::RotateFederationKeyRequest {},
            &zaragoza.server.token("admin-1", true),
        ))
        .await
        .expect("rotate")
        .into_inner();
    assert_ne!(second.kid, first.kid);
    assert!(!second.endorsement.is_empty());
    let keys = zaragoza.keys().await;
    let listed: Vec<(&str, bool)> = keys
        .keys
        .iter()
        .map(|k| (k.kid.as_str(), k.retire_time.is_some()))
        .collect();
    assert_eq!(
        listed,
        vec![(second.kid.as_str(), false), (first.kid.as_str(), true)]
    );
    zaragoza
        .publish(&[zaragoza.event(
            "updated",
            &updated(interlinker(B, "Canvas v2", true, Published), "title"),
        )])
        .await;
    let pins = trusted(&first.kid, &keys);
    assert_eq!(pins.len(), 2);
    let (all, _) = zaragoza.read_feed("", 2).await;
    let claims: Vec<EntryClaims> = all.iter().map(|e| verified(e, &pins)).collect();
    let seen: Vec<(&str, i64, bool)> = claims
        .iter()
        .map(|c| (c.name.as_str(), c.ver, c.withdrawn))
        .collect();
    assert_eq!(seen, vec![(A, 3, true), (B, 2, false)]);
    assert_eq!(
        keys::header(&all[0].signature).expect("header").kid,
        first.kid
    );
    assert_eq!(
        keys::header(&all[1].signature).expect("header").kid,
        second.kid
    );
    assert_eq!(title(&claims[1]), "Canvas v2");
    // Pinning only the new key does not vouch for what the old one signed.
    let newest_only = trusted(&second.kid, &keys);
    assert!(!newest_only.contains_key(&first.kid));

    // A cursor that was not given is refused, naming the field.
    for bad in ["12", "c", "cx1", "c99999999999999999999"] {
        let status = client
            .list_feed_entries(pb::ListFeedEntriesRequest {
                cursor: bad.into(),
                page_size: 0,
            })
            .await
            .expect_err(bad);
        assert_eq!(status.code(), tonic::Code::InvalidArgument, "{bad}");
        assert_eq!(violated_fields(&status), vec!["cursor"], "{bad}");
    }
    let status = client
        .list_feed_entries(pb::ListFeedEntriesRequest {
            cursor: String::new(),
            page_size: -1,
        })
        .await
        .expect_err("negative page");
    assert_eq!(violated_fields(&status), vec!["page_size"]);
    zaragoza.server.stop().await;
}

fn any_event<M: prost::Name>(
    zaragoza: &Deployment,
    service: &'static str,
    aggregate: &'static str,
    verb: &'static str,
    payload: &M,
) -> Event {
    zaragoza
        .outbox
        .envelope(NewEvent {
            event_type: EventType::new(service, aggregate, verb),
            actor: user_actor(EDITOR),
            organization_id: "",
            aggregate_id: "x",
            aggregate_version: 1,
            payload,
        })
        .expect("envelope")
}

fn schema_version(schema: &str, version: i32) -> catalogue::SchemaVersion {
    catalogue::SchemaVersion {
        name: format!("{schema}/versions/{version}"),
        schema: schema.into(),
        version,
        title: text(&format!("Ours, version {version}")),
        items: vec![catalogue::SchemaItem {
            key: "start".into(),
            kind: catalogue::ItemKind::Phase as i32,
            title: text("Start"),
            ..Default::default()
        }],
        publisher: format!("users/{EDITOR}"),
        ..Default::default()
    }
}

async fn schemas_and_stories_go_out_when_shared(backend: Backend) {
    use interlink_proto::coproduction::v1 as coproduction;
    let zaragoza = Deployment::start(backend).await;
    let keys = zaragoza.keys().await;
    let pins = trusted(&keys.keys[0].kid, &keys);
    const OURS: &str = "schemas/ours";
    const STORY: &str = "stories/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a07";
    let version_published = |version: catalogue::SchemaVersion, shared: bool| {
        any_event(
            &zaragoza,
            "catalogue",
            "schema",
            "version_published",
            &catalogue::SchemaVersionPublished {
                version: Some(version),
                shared,
            },
        )
    };
    let sharing = |shared: bool, latest: Option<catalogue::SchemaVersion>| {
        any_event(
            &zaragoza,
            "catalogue",
            "schema",
            "sharing_changed",
            &catalogue::SchemaSharingChanged {
                schema: Some(catalogue::Schema {
                    name: OURS.into(),
                    shared,
                    latest,
                    ..Default::default()
                }),
            },
        )
    };
    let mut mirrored = schema_version("schemas/mabc", 1);
    mirrored.origin = Some(catalogue::Origin {
        deployment: "https://interlink.varam.gov.lv".into(),
        ..Default::default()
    });
    let story = |shared: bool| {
        any_event(
            &zaragoza,
            "coproduction",
            "story",
            "sharing_changed",
            &coproduction::StorySharingChanged {
                story: Some(coproduction::Story {
                    name: STORY.into(),
                    process: "processes/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a08".into(),
                    title: "A thousand rides".into(),
                    author: format!("users/{EDITOR}"),
                    rating_count: 3,
                    shared,
                    ..Default::default()
                }),
                process_document: if shared {
                    r#"{"format": "interlink.process/1", "items": []}"#.into()
                } else {
                    String::new()
                },
            },
        )
    };
    zaragoza
        .publish(&[
            // Not shared yet; a mirror is never shared again.
            version_published(schema_version(OURS, 1), false),
            version_published(mirrored, true),
            // Shared: its newest version goes out, then each new one.
            sharing(true, Some(schema_version(OURS, 1))),
            version_published(schema_version(OURS, 2), true),
            story(true),
        ])
        .await;
    let (entries, cursor) = zaragoza.read_feed("", 100).await;
    let claims: Vec<EntryClaims> = entries.iter().map(|e| verified(e, &pins)).collect();
    let seen: Vec<(&str, &str, i64)> = claims
        .iter()
        .map(|c| (c.name.as_str(), c.kind.as_str(), c.ver))
        .collect();
    assert_eq!(
        seen,
        vec![(OURS, "schema_version", 2), (STORY, "story", 1)],
        "{claims:?}"
    );
    let schema = claims[0].body.as_ref().expect("body");
    assert_eq!(schema["version"], 2);
    assert_eq!(schema["schema"], OURS);
    assert!(schema.get("publisher").is_none(), "{schema}");
    assert_eq!(entries[0].kind, pb::EntryKind::SchemaVersion as i32);
    let story_body = claims[1].body.as_ref().expect("body");
    for local in ["author", "process", "ratingCount", "shared"] {
        assert!(
            story_body["story"].get(local).is_none(),
            "{local} left home: {story_body}"
        );
    }
    assert_eq!(story_body["story"]["title"], "A thousand rides");
    assert_eq!(
        story_body["processDocument"]["format"],
        "interlink.process/1"
    );

    // No longer shared: both withdrawn.
    zaragoza
        .publish(&[sharing(false, Some(schema_version(OURS, 2))), story(false)])
        .await;
    let (entries, _) = zaragoza.read_feed(&cursor, 100).await;
    let withdrawn: Vec<(String, i64, bool)> = entries
        .iter()
        .map(|e| verified(e, &pins))
        .map(|c| (c.name, c.ver, c.withdrawn))
        .collect();
    assert_eq!(
        withdrawn,
        vec![(OURS.to_owned(), 3, true), (STORY.to_owned(), 2, true)]
    );
    zaragoza.server.stop().await;
}

/// A software interlinker: `/assets/{id}/download` answers `# Genesis
/// {id}` as Markdown (`big`: a file too large to share), keeping the
/// `Authorization` of each call.
async fn fake_interlinker() -> (String, Arc<std::sync::Mutex<Vec<String>>>) {
    use axum::extract::{Path, State};
    use axum::response::IntoResponse;
    type Seen = Arc<std::sync::Mutex<Vec<String>>>;
    async fn download(
        State(seen): State<Seen>,
        Path(id): Path<String>,
        headers: axum::http::HeaderMap,
    ) -> axum::response::Response {
        let token = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        seen.lock().expect("seen").push(token);
        if id == "big" {
            let big = vec![b'x'; interlink_federation::genesis::MAX_DOCUMENT_BYTES + 1];
            return ([("content-type", "text/plain")], big).into_response();
        }
        (
            [
                ("content-type", "text/markdown; charset=utf-8".to_owned()),
                (
                    "content-disposition",
                    format!("attachment; filename=\"{id}.md\""),
                ),
            ],
            format!("# Genesis {id}"),
        )
            .into_response()
    }
    let seen = Seen::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let app = axum::Router::new()
        .route("/assets/{id}/download", axum::routing::get(download))
        .with_state(Arc::clone(&seen));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

fn knowledge(
    name: &str,
    software: &str,
    assets: &[(&str, String)],
    shared: bool,
) -> catalogue::Interlinker {
    catalogue::Interlinker {
        nature: catalogue::Nature::Knowledge as i32,
        details: Some(catalogue::interlinker::Details::Knowledge(
            catalogue::KnowledgeDetails {
                software_interlinker: software.into(),
                genesis_assets: assets
                    .iter()
                    .map(|(language, uri)| ((*language).to_owned(), uri.clone()))
                    .collect(),
            },
        )),
        ..interlinker(
            name,
            "Agreement",
            shared,
            catalogue::InterlinkerState::Published,
        )
    }
}

async fn genesis_documents_follow_shared_knowledge(backend: Backend) {
    use interlink_federation::genesis::{self, DocumentBody};
    use interlink_federation::subscriber::{PeerTransport, Subscriber};
    use interlink_federation::work::{FederationJobs, FederationTransport};
    const SOFTWARE: &str = "interlinkers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a09";
    let zaragoza = Deployment::start(backend).await;
    let (url, seen) = fake_interlinker().await;
    let env = &zaragoza.server.env;
    let tokens: interlink_runtime::jobs::TokenSource =
        Arc::new(|subject: &str, audience: &str| Some(format!("{subject}@{audience}")));
    let worker = interlink_runtime::jobs::Worker::with_transport(
        env.db.clone(),
        Arc::new(FederationJobs::new(
            Subscriber::new(zaragoza.outbox.clone(), Default::default()),
            ISSUER,
        )),
        FederationTransport::new(
            PeerTransport::new(Duration::from_secs(5), true, 1 << 20).expect("peers"),
            genesis::GenesisTransport::new(Duration::from_secs(5), Some(tokens)).expect("genesis"),
        ),
        interlink_runtime::jobs::JobsConfig {
            poll: Duration::from_millis(50),
            retry_initial: Duration::from_millis(50),
            ..Default::default()
        },
    );
    let stop = tokio_util::sync::CancellationToken::new();
    tokio::spawn(worker.run(stop.clone()));

    // Shared before its software interlinker is known here: the documents
    // go out once it is (the too-large one stays at home).
    let assets = [
        ("en", format!("{url}/assets/en1")),
        ("es", format!("{url}/assets/es1")),
        ("lv", format!("{url}/assets/big")),
    ];
    let software = catalogue::Interlinker {
        nature: catalogue::Nature::Software as i32,
        details: Some(catalogue::interlinker::Details::Software(
            catalogue::SoftwareDetails {
                endpoint_uri: url.clone(),
                capabilities: vec![catalogue::Capability::Download as i32],
                ..Default::default()
            },
        )),
        ..interlinker(
            SOFTWARE,
            "Editor",
            false,
            catalogue::InterlinkerState::Published,
        )
    };
    zaragoza
        .publish(&[
            zaragoza.event(
                "published",
                &published(knowledge(A, SOFTWARE, &assets, true)),
            ),
            zaragoza.event("published", &published(software.clone())),
        ])
        .await;
    let pins = trusted(&zaragoza.keys().await.keys[0].kid, &zaragoza.keys().await);
    let documents = |entries: &[pb::FeedEntry]| -> Vec<(String, i64, bool)> {
        entries
            .iter()
            .filter(|e| e.kind == pb::EntryKind::GenesisDocument as i32)
            .map(|e| (e.name.clone(), e.version, e.withdrawn))
            .collect()
    };
    let (en, es, lv) = (
        genesis::entry_name(A, "en"),
        genesis::entry_name(A, "es"),
        genesis::entry_name(A, "lv"),
    );
    wait_until(
        "the documents in the feed",
        Duration::from_secs(20),
        || async { documents(&zaragoza.read_feed("", 100).await.0).len() == 2 },
    )
    .await;
    let (entries, _) = zaragoza.read_feed("", 100).await;
    let mut shared = documents(&entries);
    shared.sort();
    assert_eq!(shared, vec![(en.clone(), 1, false), (es.clone(), 1, false)]);
    let entry = entries.iter().find(|e| e.name == en).expect("en");
    let claims = verified(entry, &pins);
    assert_eq!(claims.kind, "genesis_document");
    let body: DocumentBody =
        serde_json::from_value(claims.body.clone().expect("body")).expect("a document body");
    let document = body.document(&en).expect("it checks");
    assert_eq!(document.content, b"# Genesis en1");
    assert_eq!(document.media_type, "text/markdown; charset=utf-8");
    assert_eq!(document.file_name, "en1.md");
    assert!(
        seen.lock()
            .expect("seen")
            .iter()
            .all(|t| *t == format!("Bearer {}@{url}", genesis::SUBJECT)),
        "{seen:?}"
    );
    wait_until("the large one's error", Duration::from_secs(20), || async {
        genesis::sources(&env.db, A)
            .await
            .expect("sources")
            .iter()
            .any(|s| s.entry == lv && s.error.contains("larger"))
    })
    .await;

    // A language dropped: its document withdrawn; the others unchanged.
    let fewer = [assets[0].clone(), assets[2].clone()];
    let mut retitled = knowledge(A, SOFTWARE, &fewer, true);
    retitled.title = text("Agreement v2");
    zaragoza
        .publish(&[zaragoza.event("updated", &updated(retitled, "knowledge"))])
        .await;
    wait_until("es withdrawn", Duration::from_secs(20), || async {
        documents(&zaragoza.read_feed("", 100).await.0).contains(&(es.clone(), 2, true))
    })
    .await;
    // An asset that is not its software interlinker's own is never asked
    // for (the platform's token for it goes nowhere else).
    zaragoza
        .publish(&[zaragoza.event(
            "published",
            &published(knowledge(
                B,
                SOFTWARE,
                &[("en", "http://169.254.169.254/latest/meta-data#".to_owned())],
                true,
            )),
        )])
        .await;
    let sources = genesis::sources(&env.db, B).await.expect("sources");
    assert_eq!(sources.len(), 1);
    assert!(sources[0].error.contains("not one of"), "{sources:?}");
    assert!(
        !documents(&zaragoza.read_feed("", 100).await.0)
            .iter()
            .any(|(name, ..)| name.starts_with(B)),
        "nothing of B in the feed"
    );

    // Its software interlinker no longer downloads: its documents go.
    let mut no_download = software.clone();
    if let Some(catalogue::interlinker::Details::Software(details)) = &mut no_download.details {
        details.capabilities.clear();
    }
    zaragoza
        .publish(&[zaragoza.event("updated", &updated(no_download, "capabilities"))])
        .await;
    wait_until("en withdrawn", Duration::from_secs(20), || async {
        documents(&zaragoza.read_feed("", 100).await.0).contains(&(en.clone(), 2, true))
    })
    .await;

    // Unshared: every document withdrawn with it.
    zaragoza
        .publish(&[zaragoza.event(
            "updated",
            &updated(knowledge(A, SOFTWARE, &fewer, false), "shared"),
        )])
        .await;
    wait_until("all withdrawn", Duration::from_secs(20), || async {
        let (entries, _) = zaragoza.read_feed("", 100).await;
        let documents = documents(&entries);
        documents.len() == 2 && documents.iter().all(|(_, _, withdrawn)| *withdrawn)
    })
    .await;
    assert!(
        genesis::sources(&env.db, A)
            .await
            .expect("sources")
            .is_empty()
    );
    stop.cancel();
}

on_both_backends!(
    the_feed_carries_what_is_shared_signed,
    schemas_and_stories_go_out_when_shared,
    genesis_documents_follow_shared_knowledge
);
