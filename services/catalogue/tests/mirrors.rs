//! Mirrors of other deployments' interlinkers, on PostgreSQL and on
//! SQLite: the federation service's verified entries become read-only
//! published entries marked with their origin, found by origin in search;
//! a newer version replaces one, an older one changes nothing, a
//! withdrawal deprecates it; adopting one makes an editable local draft
//! that keeps its origin, told as `catalogue.interlinker.adopted`. Shared
//! schemas are told with their newest version; mirrored schemas are
//! read-only, keep every version received, and are marked when withdrawn.
//! A mirror's genesis documents are kept with it (even when they come
//! first), listed without bytes, read one at a time, copied on adoption and
//! dropped when withdrawn.

use std::collections::BTreeMap;
use std::sync::Arc;

use interlink_catalogue::mirrors::Mirrors;
use interlink_catalogue::{CatalogueApi, Migrator, SearchIndex};
use interlink_proto::catalogue::v1 as pb;
use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use interlink_proto::catalogue::v1::catalogue_service_server::CatalogueServiceServer;
use interlink_proto::common::v1::TranslatableText;
use interlink_proto::federation::v1 as federation;
use interlink_runtime::events::{EventHandler, EventType, NewEvent, Outbox, service_actor};
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::{Backend, TestEnv, TestServer, outbox_events, with_token};
use sea_orm::TransactionTrait;
use tonic::Code;

const RIGA: &str = "https://interlink.varam.gov.lv";
const GUIDE: &str = "interlinkers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a01";

fn text(en: &str) -> Option<TranslatableText> {
    Some(TranslatableText {
        values: BTreeMap::from([("en".to_owned(), en.to_owned())]),
    })
}

fn mirror(version: i64, title: Option<&str>) -> federation::MirrorUpdated {
    federation::MirrorUpdated {
        peer: "peers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2aff".into(),
        origin: RIGA.into(),
        origin_display_name: "VARAM".into(),
        origin_name: GUIDE.into(),
        kind: federation::EntryKind::Interlinker as i32,
        version,
        withdrawn: title.is_none(),
        signature: format!("signed.v{version}.jws"),
        process_document: String::new(),
        body: title.map(|t| {
            federation::mirror_updated::Body::Interlinker(pb::Interlinker {
                name: GUIDE.into(),
                nature: pb::Nature::ExternalKnowledge as i32,
                state: pb::InterlinkerState::Published as i32,
                title: text(t),
                languages: vec!["lv".into()],
                problem_profiles: vec!["unknown-here".into()],
                details: Some(pb::interlinker::Details::External(pb::ExternalDetails {
                    uri: "https://example.lv/guide".into(),
                })),
                ..Default::default()
            })
        }),
    }
}

/// A catalogue served for a test, with the federation's mirror events
/// applied to it as its consumer applies them.
struct Catalogue {
    server: TestServer,
    index: Arc<SearchIndex>,
    mirrors: Mirrors,
    outbox: Outbox,
}

impl Catalogue {
    async fn start(backend: Backend) -> Self {
        let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
        let outbox = env.outbox();
        let index = Arc::new(SearchIndex::new().expect("index"));
        let server = TestServer::start(env, interlink_catalogue::SERVICE_NAME, |env| {
            let mut routes = tonic::service::RoutesBuilder::default();
            routes.add_service(CatalogueServiceServer::new(CatalogueApi::new(
                env.db.clone(),
                env.outbox(),
                index.clone(),
            )));
            routes
        })
        .await;
        Self {
            server,
            index,
            mirrors: Mirrors::new(outbox.clone()),
            outbox,
        }
    }

    /// Applies `m` as the catalogue's consumer of mirror events does, and
    /// brings the search index up to date.
    async fn apply(&self, m: federation::MirrorUpdated) {
        let db = &self.server.env.db;
        let event = self
            .outbox
            .envelope(NewEvent {
                event_type: EventType::new("federation", "mirror", "updated"),
                actor: service_actor("federation"),
                organization_id: "",
                aggregate_id: "x",
                aggregate_version: 1,
                payload: &m,
            })
            .expect("envelope");
        let txn = db.begin().await.expect("begin");
        self.mirrors.handle(&txn, &event).await.expect("handle");
        txn.commit().await.expect("commit");
        self.index.refresh(db).await.expect("refresh");
    }
}

async fn a_mirror_is_read_only_found_by_origin_and_adopted(backend: Backend) {
    let catalogue = Catalogue::start(backend).await;
    let server = &catalogue.server;
    let admin = server.token("admin", true);
    let mut client = CatalogueServiceClient::new(server.channel.clone());
    let apply = |m: federation::MirrorUpdated| catalogue.apply(m);
    let local = client
        .create_interlinker(with_token(
            pb::CreateInterlinkerRequest {
                interlinker: Some(pb::Interlinker {
                    nature: pb::Nature::ExternalKnowledge as i32,
                    title: text("Our own guide"),
                    description: text("How we do it"),
                    languages: vec!["es".into()],
                    licence: pb::Licence::Permissive as i32,
                    difficulty: pb::Difficulty::Easy as i32,
                    details: Some(pb::interlinker::Details::External(pb::ExternalDetails {
                        uri: "https://example.es/guide".into(),
                    })),
                    ..Default::default()
                }),
            },
            &admin,
        ))
        .await
        .expect("create")
        .into_inner();
    client
        .publish_interlinker(with_token(
            pb::PublishInterlinkerRequest {
                name: local.name.clone(),
            },
            &admin,
        ))
        .await
        .expect("publish");

    apply(mirror(1, Some("Guide"))).await;
    let name = format!(
        "interlinkers/{}",
        interlink_runtime::api::mirror_id(RIGA, GUIDE)
    );
    let shown = client
        .get_interlinker(pb::GetInterlinkerRequest { name: name.clone() })
        .await
        .expect("the mirror")
        .into_inner();
    assert_eq!(shown.state, pb::InterlinkerState::Published as i32);
    let origin = shown.origin.clone().expect("an origin");
    assert_eq!(
        (
            origin.deployment.as_str(),
            origin.deployment_name.as_str(),
            origin.name.as_str(),
            origin.version
        ),
        (RIGA, "VARAM", GUIDE, 1)
    );
    assert_eq!(origin.signature, "signed.v1.jws");
    assert!(!shown.shared);
    assert_eq!(shown.problem_profiles, vec!["unknown-here"]);

    // Read-only: every change is refused, saying why.
    let status = client
        .update_interlinker(with_token(
            pb::UpdateInterlinkerRequest {
                interlinker: Some(pb::Interlinker {
                    name: name.clone(),
                    title: text("Mine now"),
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["title".into()],
                }),
            },
            &admin,
        ))
        .await
        .expect_err("read-only");
    assert_eq!(status.code(), Code::FailedPrecondition);
    assert!(status.message().contains("adopt"), "{}", status.message());
    let status = client
        .deprecate_interlinker(with_token(
            pb::DeprecateInterlinkerRequest { name: name.clone() },
            &admin,
        ))
        .await
        .expect_err("read-only");
    assert_eq!(status.code(), Code::FailedPrecondition);

    // Search: local and mirrored together, filtered and faceted by origin.
    let searcher = client.clone();
    let search = |origins: Vec<String>| {
        let mut client = searcher.clone();
        async move {
            client
                .search_interlinkers(pb::SearchInterlinkersRequest {
                    origins,
                    ..Default::default()
                })
                .await
                .expect("search")
                .into_inner()
        }
    };
    let all = search(vec![]).await;
    assert_eq!(all.results.len(), 2);
    let facet: Vec<(String, i64, String)> = all
        .facets
        .iter()
        .find(|f| f.field == "origin")
        .expect("an origin facet")
        .values
        .iter()
        .map(|v| (v.value.clone(), v.count, v.label.clone()))
        .collect();
    assert_eq!(facet.len(), 2, "{facet:?}");
    // Each deployment with its name for people; this one's own without.
    assert!(
        facet.contains(&(RIGA.to_owned(), 1, "VARAM".to_owned())),
        "{facet:?}"
    );
    assert!(
        facet.contains(&("local".to_owned(), 1, String::new())),
        "{facet:?}"
    );
    let mirrored = search(vec![RIGA.into()]).await;
    let names: Vec<&str> = mirrored
        .results
        .iter()
        .filter_map(|r| r.interlinker.as_ref().map(|i| i.name.as_str()))
        .collect();
    assert_eq!(names, vec![name.as_str()]);
    let own = search(vec!["local".into()]).await;
    assert_eq!(own.results.len(), 1);
    assert_eq!(
        own.results[0].interlinker.as_ref().expect("hit").name,
        local.name
    );

    // A newer version replaces it; an older one changes nothing.
    apply(mirror(3, Some("Guide, third edition"))).await;
    apply(mirror(2, Some("Guide, second edition"))).await;
    let shown = client
        .get_interlinker(pb::GetInterlinkerRequest { name: name.clone() })
        .await
        .expect("the mirror")
        .into_inner();
    assert_eq!(
        shown.title.as_ref().expect("title").values["en"],
        "Guide, third edition"
    );
    assert_eq!(shown.origin.as_ref().expect("origin").version, 3);

    // Adopting: a local draft, editable, keeping its origin; a local entry
    // is not adopted.
    let status = client
        .adopt_interlinker(with_token(
            pb::AdoptInterlinkerRequest {
                name: local.name.clone(),
            },
            &admin,
        ))
        .await
        .expect_err("local");
    assert_eq!(status.code(), Code::FailedPrecondition);
    let status = client
        .adopt_interlinker(with_token(
            pb::AdoptInterlinkerRequest { name: name.clone() },
            &server.token("ana", false),
        ))
        .await
        .expect_err("not an editor");
    assert_eq!(status.code(), Code::PermissionDenied);
    let adopted = client
        .adopt_interlinker(with_token(
            pb::AdoptInterlinkerRequest { name: name.clone() },
            &admin,
        ))
        .await
        .expect("adopt")
        .into_inner();
    assert_ne!(adopted.name, name);
    assert_eq!(adopted.state, pb::InterlinkerState::Draft as i32);
    // What this deployment lacks (an unknown problem profile) is left out.
    assert!(adopted.problem_profiles.is_empty());
    assert!(adopted.origin.is_none());
    assert_eq!(
        adopted
            .adopted_from
            .as_ref()
            .expect("adopted from")
            .deployment,
        RIGA
    );
    let edited = client
        .update_interlinker(with_token(
            pb::UpdateInterlinkerRequest {
                interlinker: Some(pb::Interlinker {
                    name: adopted.name.clone(),
                    title: text("Our guide, after Riga's"),
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["title".into()],
                }),
            },
            &admin,
        ))
        .await
        .expect("editable")
        .into_inner();
    assert_eq!(
        edited.title.expect("title").values["en"],
        "Our guide, after Riga's"
    );
    assert_eq!(
        edited.adopted_from.expect("kept").name,
        GUIDE,
        "an edit keeps the origin link"
    );
    let told: Vec<pb::InterlinkerAdopted> = outbox_events(&server.env.db)
        .await
        .iter()
        .filter(|e| e.r#type == "catalogue.interlinker.adopted")
        .filter_map(interlink_runtime::events::payload)
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].source, name);

    // Withdrawn at its origin: deprecated, never deleted; the adopted copy
    // stays as it is.
    apply(mirror(4, None)).await;
    let shown = client
        .get_interlinker(pb::GetInterlinkerRequest { name: name.clone() })
        .await
        .expect("still there")
        .into_inner();
    assert_eq!(shown.state, pb::InterlinkerState::Deprecated as i32);
    assert_eq!(shown.origin.expect("origin").version, 4);
    assert_eq!(search(vec![RIGA.into()]).await.results.len(), 0);
    let copy = client
        .get_interlinker(with_token(
            pb::GetInterlinkerRequest {
                name: adopted.name.clone(),
            },
            &admin,
        ))
        .await
        .expect("the copy")
        .into_inner();
    assert_eq!(copy.state, pb::InterlinkerState::Draft as i32);
    // The catalogue told each mirror change as its own events.
    let kinds: Vec<String> = outbox_events(&server.env.db)
        .await
        .iter()
        .filter(|e| e.actor.as_ref().is_some_and(|a| a.subject == "federation"))
        .map(|e| e.r#type.clone())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "catalogue.interlinker.published",
            "catalogue.interlinker.updated",
            "catalogue.interlinker.deprecated"
        ]
    );
    catalogue.server.stop().await;
}

const RIGA_SCHEMA: &str = "schemas/riga-hackathon";

/// A phase with one objective with one task.
fn tree(phase: &str) -> Vec<pb::SchemaItem> {
    let item = |key: &str, kind: pb::ItemKind, parent: &str| pb::SchemaItem {
        key: key.into(),
        kind: kind as i32,
        parent: parent.into(),
        title: text(key),
        ..Default::default()
    };
    vec![
        item(phase, pb::ItemKind::Phase, ""),
        item("aim", pb::ItemKind::Objective, phase),
        item("act", pb::ItemKind::Task, "aim"),
    ]
}

fn schema_mirror(version: i64, schema_version: Option<i32>) -> federation::MirrorUpdated {
    federation::MirrorUpdated {
        peer: "peers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2aff".into(),
        origin: RIGA.into(),
        origin_display_name: "VARAM".into(),
        origin_name: RIGA_SCHEMA.into(),
        kind: federation::EntryKind::SchemaVersion as i32,
        version,
        withdrawn: schema_version.is_none(),
        signature: format!("schema.v{version}.jws"),
        process_document: String::new(),
        body: schema_version.map(|n| {
            federation::mirror_updated::Body::SchemaVersion(pb::SchemaVersion {
                name: format!("{RIGA_SCHEMA}/versions/{n}"),
                schema: RIGA_SCHEMA.into(),
                version: n,
                title: text(&format!("Hackathon, edition {n}")),
                items: tree("ideate"),
                ..Default::default()
            })
        }),
    }
}

async fn schemas_are_shared_and_mirrored_read_only(backend: Backend) {
    let catalogue = Catalogue::start(backend).await;
    let server = &catalogue.server;
    let db = server.env.db.clone();
    let admin = server.token("admin", true);
    let mut client = CatalogueServiceClient::new(server.channel.clone());
    let apply = |m: federation::MirrorUpdated| catalogue.apply(m);

    // Sharing a local schema is told (with its newest version), as is
    // publishing a version of a shared one.
    client
        .create_schema(with_token(
            pb::CreateSchemaRequest {
                schema_id: "ours".into(),
                schema: Some(pb::Schema {
                    title: text("Ours"),
                    items: tree("start"),
                    ..Default::default()
                }),
            },
            &admin,
        ))
        .await
        .expect("create");
    client
        .publish_schema(with_token(
            pb::PublishSchemaRequest {
                name: "schemas/ours".into(),
            },
            &admin,
        ))
        .await
        .expect("publish");
    let shared = client
        .update_schema(with_token(
            pb::UpdateSchemaRequest {
                schema: Some(pb::Schema {
                    name: "schemas/ours".into(),
                    shared: true,
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["shared".into()],
                }),
            },
            &admin,
        ))
        .await
        .expect("share")
        .into_inner();
    assert!(shared.shared);
    let told: Vec<pb::SchemaSharingChanged> = outbox_events(&db)
        .await
        .iter()
        .filter(|e| e.r#type == "catalogue.schema.sharing_changed")
        .filter_map(interlink_runtime::events::payload)
        .collect();
    assert_eq!(told.len(), 1);
    let schema = told[0].schema.as_ref().expect("schema");
    assert!(schema.shared);
    assert_eq!(schema.latest.as_ref().expect("latest").version, 1);

    // A mirror: read-only, with its origin, each version kept.
    apply(schema_mirror(1, Some(1))).await;
    let id = interlink_catalogue::mirrors::schema_mirror_id(RIGA, RIGA_SCHEMA);
    let name = format!("schemas/{id}");
    let shown = client
        .get_schema(pb::GetSchemaRequest { name: name.clone() })
        .await
        .expect("the mirror")
        .into_inner();
    assert_eq!(shown.latest_version, 1);
    assert_eq!(shown.origin.as_ref().expect("origin").name, RIGA_SCHEMA);
    assert!(!shown.withdrawn);
    apply(schema_mirror(3, Some(2))).await;
    apply(schema_mirror(2, Some(1))).await;
    let versions = client
        .list_schema_versions(pb::ListSchemaVersionsRequest {
            parent: name.clone(),
            ..Default::default()
        })
        .await
        .expect("versions")
        .into_inner()
        .versions;
    let numbers: Vec<i32> = versions.iter().map(|v| v.version).collect();
    assert_eq!(numbers, vec![2, 1]);
    let origin = versions[0].origin.as_ref().expect("version origin");
    assert_eq!(
        (
            origin.deployment.as_str(),
            origin.name.as_str(),
            origin.version
        ),
        (RIGA, RIGA_SCHEMA, 2)
    );
    assert_eq!(versions[0].publisher, "services/federation");
    for (paths, schema) in [
        (
            vec!["title".to_owned()],
            pb::Schema {
                name: name.clone(),
                title: text("Mine"),
                ..Default::default()
            },
        ),
        (
            vec!["shared".to_owned()],
            pb::Schema {
                name: name.clone(),
                shared: true,
                ..Default::default()
            },
        ),
    ] {
        let status = client
            .update_schema(with_token(
                pb::UpdateSchemaRequest {
                    schema: Some(schema),
                    update_mask: Some(prost_types::FieldMask { paths }),
                },
                &admin,
            ))
            .await
            .expect_err("read-only");
        assert_eq!(status.code(), Code::FailedPrecondition);
        assert!(status.message().contains("mirror"), "{}", status.message());
    }
    let status = client
        .publish_schema(with_token(
            pb::PublishSchemaRequest { name: name.clone() },
            &admin,
        ))
        .await
        .expect_err("read-only");
    assert_eq!(status.code(), Code::FailedPrecondition);
    // Each new version reached the mesh with its origin (co-production
    // builds from its projection).
    let published: Vec<pb::SchemaVersionPublished> = outbox_events(&db)
        .await
        .iter()
        .filter(|e| e.r#type == "catalogue.schema.version_published")
        .filter_map(interlink_runtime::events::payload)
        .filter(|p: &pb::SchemaVersionPublished| {
            p.version.as_ref().is_some_and(|v| v.origin.is_some())
        })
        .collect();
    assert_eq!(published.len(), 2);
    assert!(published.iter().all(|p| !p.shared));

    // Adopted: a local schema whose draft is the mirror's newest version,
    // editable, keeping its origin; a local schema is not adopted, an id
    // taken is refused.
    let adopt = |name: &str, schema_id: &str| {
        let mut client = client.clone();
        let request = with_token(
            pb::AdoptSchemaRequest {
                name: name.into(),
                schema_id: schema_id.into(),
            },
            &admin,
        );
        async move { client.adopt_schema(request).await.map(|r| r.into_inner()) }
    };
    let status = adopt("schemas/ours", "ours-copy").await.expect_err("local");
    assert_eq!(status.code(), Code::FailedPrecondition);
    let status = adopt(&name, "ours").await.expect_err("taken");
    assert_eq!(status.code(), Code::AlreadyExists);
    let status = adopt(&name, "Not An Id").await.expect_err("bad id");
    assert_eq!(status.code(), Code::InvalidArgument);
    let adopted = adopt(&name, "riga-hackathon").await.expect("adopt");
    assert_eq!(adopted.name, "schemas/riga-hackathon");
    assert_eq!(adopted.latest_version, 0);
    assert!(adopted.draft_changed && adopted.origin.is_none());
    assert_eq!(
        adopted.adopted_from.as_ref().expect("adopted from").name,
        RIGA_SCHEMA
    );
    assert_eq!(
        adopted.title.as_ref().expect("title").values["en"],
        "Hackathon, edition 2"
    );
    client
        .publish_schema(with_token(
            pb::PublishSchemaRequest {
                name: adopted.name.clone(),
            },
            &admin,
        ))
        .await
        .expect("the copy is ours to publish");
    assert!(
        outbox_events(&db)
            .await
            .iter()
            .any(|e| e.r#type == "catalogue.schema.adopted")
    );

    // Withdrawn at its origin: kept, marked.
    apply(schema_mirror(4, None)).await;
    let shown = client
        .get_schema(pb::GetSchemaRequest { name: name.clone() })
        .await
        .expect("still there")
        .into_inner();
    assert!(shown.withdrawn);
    assert_eq!(shown.latest_version, 2);
    catalogue.server.stop().await;
}

fn genesis(language: &str, version: i64, content: Option<&[u8]>) -> federation::MirrorUpdated {
    federation::MirrorUpdated {
        peer: "peers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2aff".into(),
        origin: RIGA.into(),
        origin_display_name: "VARAM".into(),
        origin_name: format!("{GUIDE}/genesis/{language}"),
        kind: federation::EntryKind::GenesisDocument as i32,
        version,
        withdrawn: content.is_none(),
        signature: "signed.jws".into(),
        process_document: String::new(),
        body: content.map(|content| {
            federation::mirror_updated::Body::GenesisDocument(pb::GenesisDocument {
                language: language.into(),
                media_type: "text/markdown; charset=utf-8".into(),
                file_name: format!("guide.{language}.md"),
                size: content.len() as i64,
                sha256: "0".repeat(64),
                content: content.to_vec(),
                ..Default::default()
            })
        }),
    }
}

async fn genesis_documents_stay_with_the_mirror_and_its_copy(backend: Backend) {
    let catalogue = Catalogue::start(backend).await;
    let server = &catalogue.server;
    let admin = server.token("admin", true);
    let mut client = CatalogueServiceClient::new(server.channel.clone());
    let apply = |m: federation::MirrorUpdated| catalogue.apply(m);
    // A document may come before its interlinker's entry.
    apply(genesis("lv", 1, Some("# Ceļvedis".as_bytes()))).await;
    apply(mirror(1, Some("Guide"))).await;
    apply(genesis("en", 1, Some(b"# Guide"))).await;
    let name = format!(
        "interlinkers/{}",
        interlink_runtime::api::mirror_id(RIGA, GUIDE)
    );
    let shown = client
        .get_interlinker(pb::GetInterlinkerRequest { name: name.clone() })
        .await
        .expect("get")
        .into_inner();
    let listed: Vec<(&str, &str, usize)> = shown
        .genesis_documents
        .iter()
        .map(|d| (d.name.as_str(), d.file_name.as_str(), d.content.len()))
        .collect();
    let (en, lv) = (
        format!("{name}/genesisDocuments/en"),
        format!("{name}/genesisDocuments/lv"),
    );
    assert_eq!(
        listed,
        vec![
            (en.as_str(), "guide.en.md", 0),
            (lv.as_str(), "guide.lv.md", 0)
        ]
    );
    let reader = client.clone();
    let read = |name: String| {
        let mut client = reader.clone();
        async move {
            client
                .get_genesis_document(pb::GetGenesisDocumentRequest { name })
                .await
                .map(tonic::Response::into_inner)
        }
    };
    // Anyone reads it, bytes and all; a newer one replaces it.
    assert_eq!(
        read(lv.clone()).await.expect("lv").content,
        "# Ceļvedis".as_bytes()
    );
    apply(genesis("en", 2, Some(b"# Guide, again"))).await;
    let document = read(en.clone()).await.expect("en");
    assert_eq!(document.content, b"# Guide, again");
    assert_eq!(document.size, 14);
    assert_eq!(document.media_type, "text/markdown; charset=utf-8");
    // Bad names and missing ones.
    for (bad, code) in [
        (format!("{name}/genesisDocuments/fr"), Code::NotFound),
        (
            "interlinkers/nope/genesisDocuments/en".to_owned(),
            Code::InvalidArgument,
        ),
        (name.clone(), Code::InvalidArgument),
        (format!("{name}/genesisDocuments/"), Code::InvalidArgument),
    ] {
        let status = read(bad.clone()).await.expect_err(&bad);
        assert_eq!(status.code(), code, "{bad}: {status:?}");
    }

    // Adopted: the copy has its own.
    let copy = client
        .adopt_interlinker(with_token(
            pb::AdoptInterlinkerRequest { name: name.clone() },
            &admin,
        ))
        .await
        .expect("adopt")
        .into_inner();
    assert_eq!(copy.genesis_documents.len(), 2);
    // A draft: its editors read it, others do not see it.
    let copied_name = format!("{}/genesisDocuments/en", copy.name);
    let copied = client
        .get_genesis_document(with_token(
            pb::GetGenesisDocumentRequest {
                name: copied_name.clone(),
            },
            &admin,
        ))
        .await
        .expect("copied")
        .into_inner();
    assert_eq!(copied.content, b"# Guide, again");
    assert_eq!(
        read(copied_name).await.expect_err("a draft").code(),
        Code::NotFound
    );

    // Withdrawn at the origin: dropped from the mirror; the copy keeps it.
    apply(genesis("lv", 2, None)).await;
    assert_eq!(
        read(lv.clone()).await.expect_err("withdrawn").code(),
        Code::NotFound
    );
    let copied = client
        .get_interlinker(with_token(
            pb::GetInterlinkerRequest {
                name: copy.name.clone(),
            },
            &admin,
        ))
        .await
        .expect("get")
        .into_inner();
    assert_eq!(copied.genesis_documents.len(), 2);
}

on_both_backends!(
    a_mirror_is_read_only_found_by_origin_and_adopted,
    schemas_are_shared_and_mirrored_read_only,
    genesis_documents_stay_with_the_mirror_and_its_copy
);
