//! The catalogue service through its generated gRPC client, in process on
//! port 0, on PostgreSQL and on SQLite.

use std::collections::BTreeMap;
use std::sync::Arc;

use interlink_catalogue::{CatalogueApi, Migrator, SearchIndex};
use interlink_proto::catalogue::v1 as pb;
use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use interlink_proto::catalogue::v1::catalogue_service_server::CatalogueServiceServer;
use interlink_proto::common::v1::TranslatableText;
use interlink_proto::events::v1::Event;
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::{Backend, TestEnv, TestServer, violated_fields, with_token};
use prost::Message;
use tonic::Code;
use tonic::transport::Channel;

type Client = CatalogueServiceClient<Channel>;

struct Catalogue {
    server: TestServer,
    /// The service's search index (refreshed by hand after events).
    index: Arc<SearchIndex>,
    /// A platform administrator's token (an editor by right).
    admin: String,
    /// A plain user's token.
    user: String,
}

impl Catalogue {
    async fn start(backend: Backend) -> Self {
        let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
        let index = Arc::new(SearchIndex::new().expect("index"));
        let server = TestServer::start(env, interlink_catalogue::SERVICE_NAME, |env| {
            let index = index.clone();
            let mut routes = tonic::service::RoutesBuilder::default();
            routes.add_service(CatalogueServiceServer::new(CatalogueApi::new(
                env.db.clone(),
                env.outbox(),
                index,
            )));
            routes
        })
        .await;
        let admin = server.token("admin", true);
        let user = server.token("ana", false);
        let catalogue = Self {
            server,
            index,
            admin,
            user,
        };
        for (code, family) in [
            ("org-01", "organisational"),
            ("und-01", "understanding"),
            ("und-02", "understanding"),
            ("bld-01", "building"),
        ] {
            catalogue
                .client()
                .create_problem_profile(with_token(
                    pb::CreateProblemProfileRequest {
                        problem_profile_id: code.into(),
                        problem_profile: Some(pb::ProblemProfile {
                            family: family.into(),
                            title: text(&[("en", code)]),
                            ..Default::default()
                        }),
                    },
                    &catalogue.admin,
                ))
                .await
                .expect("profile");
        }
        catalogue
    }

    fn client(&self) -> Client {
        CatalogueServiceClient::new(self.server.channel.clone())
    }

    async fn create(&self, interlinker: pb::Interlinker) -> pb::Interlinker {
        self.client()
            .create_interlinker(with_token(
                pb::CreateInterlinkerRequest {
                    interlinker: Some(interlinker),
                },
                &self.admin,
            ))
            .await
            .expect("create")
            .into_inner()
    }

    async fn publish(&self, name: &str) -> pb::Interlinker {
        self.client()
            .publish_interlinker(with_token(
                pb::PublishInterlinkerRequest { name: name.into() },
                &self.admin,
            ))
            .await
            .expect("publish")
            .into_inner()
    }

    async fn create_published(&self, interlinker: pb::Interlinker) -> pb::Interlinker {
        let created = self.create(interlinker).await;
        self.publish(&created.name).await
    }

    async fn search(
        &self,
        request: pb::SearchInterlinkersRequest,
    ) -> pb::SearchInterlinkersResponse {
        self.client()
            .search_interlinkers(request)
            .await
            .expect("search")
            .into_inner()
    }

    async fn event_types(&self) -> Vec<String> {
        self.server
            .outbox_events()
            .await
            .into_iter()
            .map(|e| e.r#type)
            .collect()
    }
}

fn text(pairs: &[(&str, &str)]) -> Option<TranslatableText> {
    Some(TranslatableText {
        values: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    })
}

fn mask(paths: &[&str]) -> Option<prost_types::FieldMask> {
    Some(prost_types::FieldMask {
        paths: paths.iter().map(|p| p.to_string()).collect(),
    })
}

/// A complete, publishable external-knowledge interlinker.
fn entry(title: &[(&str, &str)], description: &[(&str, &str)]) -> pb::Interlinker {
    pb::Interlinker {
        nature: pb::Nature::ExternalKnowledge as i32,
        title: text(title),
        description: text(description),
        tags: vec![TranslatableText {
            values: BTreeMap::from([("en".into(), "guide".into())]),
        }],
        languages: title.iter().map(|(l, _)| l.to_string()).collect(),
        licence: pb::Licence::Permissive as i32,
        difficulty: pb::Difficulty::Easy as i32,
        problem_profiles: vec!["org-01".into()],
        targets: vec!["all/pas/public_servants".into()],
        details: Some(pb::interlinker::Details::External(pb::ExternalDetails {
            uri: "https://guides.example.org/entry".into(),
        })),
        ..Default::default()
    }
}

fn software() -> pb::Interlinker {
    pb::Interlinker {
        nature: pb::Nature::Software as i32,
        title: text(&[
            ("en", "Collaborative editor"),
            ("es", "Editor colaborativo"),
        ]),
        description: text(&[("en", "Write documents together")]),
        languages: vec!["en".into(), "es".into()],
        licence: pb::Licence::Copyleft as i32,
        difficulty: pb::Difficulty::Medium as i32,
        problem_profiles: vec!["bld-01".into()],
        targets: vec!["all".into()],
        details: Some(pb::interlinker::Details::Software(pb::SoftwareDetails {
            support: pb::SupportMode::Saas as i32,
            endpoint_uri: "https://editor.example.org/api".into(),
            capabilities: vec![
                pb::Capability::Instantiate as i32,
                pb::Capability::Edit as i32,
            ],
            status: pb::SoftwareStatus::On as i32,
        })),
        ..Default::default()
    }
}

fn code<T>(result: Result<tonic::Response<T>, tonic::Status>) -> Code {
    match result {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

fn names(results: &[pb::SearchResult]) -> Vec<String> {
    results
        .iter()
        .map(|r| {
            r.interlinker
                .as_ref()
                .and_then(|i| i.title.as_ref())
                .and_then(|t| t.values.values().next().cloned())
                .unwrap_or_default()
        })
        .collect()
}

fn query(q: &str) -> pb::SearchInterlinkersRequest {
    pb::SearchInterlinkersRequest {
        query: q.into(),
        ..Default::default()
    }
}

async fn interlinkers_go_from_draft_to_published_to_deprecated(backend: Backend) {
    let c = Catalogue::start(backend).await;
    let mut client = c.client();
    let draft = c
        .create(pb::Interlinker {
            nature: pb::Nature::Software as i32,
            title: text(&[("en", "Whiteboard")]),
            details: Some(pb::interlinker::Details::Software(Default::default())),
            ..Default::default()
        })
        .await;
    assert_eq!(draft.state, pb::InterlinkerState::Draft as i32);
    assert_eq!(draft.owner, interlink_runtime::api::user_name("admin"));

    // Drafts are the editors' alone.
    let get = |token: Option<&str>| {
        let mut client = c.client();
        let request = pb::GetInterlinkerRequest {
            name: draft.name.clone(),
        };
        let token = token.map(str::to_owned);
        async move {
            match token {
                Some(t) => code(client.get_interlinker(with_token(request, &t)).await),
                None => code(client.get_interlinker(request).await),
            }
        }
    };
    assert_eq!(get(None).await, Code::NotFound);
    assert_eq!(get(Some(&c.user)).await, Code::NotFound);
    assert_eq!(get(Some(&c.admin)).await, Code::Ok);
    let listed = client
        .list_interlinkers(pb::ListInterlinkersRequest::default())
        .await
        .expect("list")
        .into_inner();
    assert!(listed.interlinkers.is_empty());
    assert_eq!(
        code(
            client
                .list_interlinkers(with_token(
                    pb::ListInterlinkersRequest {
                        state: pb::InterlinkerState::Draft as i32,
                        ..Default::default()
                    },
                    &c.user
                ))
                .await
        ),
        Code::PermissionDenied
    );

    // Incomplete: publishing names what is missing.
    let refused = client
        .publish_interlinker(with_token(
            pb::PublishInterlinkerRequest {
                name: draft.name.clone(),
            },
            &c.admin,
        ))
        .await
        .expect_err("incomplete");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    for field in [
        "description",
        "licence",
        "difficulty",
        "software.endpoint_uri",
    ] {
        assert!(refused.message().contains(field), "{refused:?}");
    }

    // Completed through a field mask, then published.
    let full = software();
    let updated = client
        .update_interlinker(with_token(
            pb::UpdateInterlinkerRequest {
                interlinker: Some(pb::Interlinker {
                    name: draft.name.clone(),
                    ..full.clone()
                }),
                update_mask: mask(&[
                    "description",
                    "languages",
                    "licence",
                    "difficulty",
                    "software",
                ]),
            },
            &c.admin,
        ))
        .await
        .expect("update")
        .into_inner();
    assert_eq!(
        updated.title,
        text(&[("en", "Whiteboard")]),
        "unmasked fields stay"
    );
    assert_eq!(updated.licence, pb::Licence::Copyleft as i32);
    let published = c.publish(&draft.name).await;
    assert_eq!(published.state, pb::InterlinkerState::Published as i32);
    assert!(published.publish_time.is_some());
    assert_eq!(get(None).await, Code::Ok);
    assert_eq!(
        names(&c.search(query("whiteboard")).await.results),
        ["Whiteboard"]
    );

    // Published entries are not deleted, and change with an event.
    assert_eq!(
        code(
            client
                .delete_interlinker(with_token(
                    pb::DeleteInterlinkerRequest {
                        name: draft.name.clone()
                    },
                    &c.admin
                ))
                .await
        ),
        Code::FailedPrecondition
    );
    client
        .update_interlinker(with_token(
            pb::UpdateInterlinkerRequest {
                interlinker: Some(pb::Interlinker {
                    name: draft.name.clone(),
                    title: text(&[("en", "Digital whiteboard")]),
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
            },
            &c.admin,
        ))
        .await
        .expect("rename");
    assert_eq!(
        names(&c.search(query("digital")).await.results),
        ["Digital whiteboard"]
    );

    // Deprecated: readable by name, gone from search.
    let deprecated = client
        .deprecate_interlinker(with_token(
            pb::DeprecateInterlinkerRequest {
                name: draft.name.clone(),
            },
            &c.admin,
        ))
        .await
        .expect("deprecate")
        .into_inner();
    assert_eq!(deprecated.state, pb::InterlinkerState::Deprecated as i32);
    assert_eq!(get(None).await, Code::Ok);
    assert!(c.search(query("whiteboard")).await.results.is_empty());
    assert_eq!(
        code(
            client
                .deprecate_interlinker(with_token(
                    pb::DeprecateInterlinkerRequest {
                        name: draft.name.clone()
                    },
                    &c.admin
                ))
                .await
        ),
        Code::FailedPrecondition
    );

    // A draft is deleted for good.
    let scratch = c.create(software()).await;
    client
        .delete_interlinker(with_token(
            pb::DeleteInterlinkerRequest {
                name: scratch.name.clone(),
            },
            &c.admin,
        ))
        .await
        .expect("delete draft");
    assert_eq!(
        code(
            client
                .get_interlinker(with_token(
                    pb::GetInterlinkerRequest { name: scratch.name },
                    &c.admin
                ))
                .await
        ),
        Code::NotFound
    );

    // Drafts publish nothing; each visible change is one event.
    assert_eq!(
        c.event_types().await,
        [
            "catalogue.interlinker.published",
            "catalogue.interlinker.updated",
            "catalogue.interlinker.deprecated",
        ]
    );
    let events = c.server.outbox_events().await;
    let updated = pb::InterlinkerUpdated::decode(
        events[1]
            .payload
            .as_ref()
            .expect("payload")
            .value
            .as_slice(),
    )
    .expect("payload decodes");
    assert_eq!(updated.changed_fields, ["title"]);
    assert_eq!(
        events[1].aggregate_id,
        draft.name.trim_start_matches("interlinkers/")
    );
    c.server.stop().await;
}

async fn only_editors_write_and_platform_admins_name_them(backend: Backend) {
    let c = Catalogue::start(backend).await;
    let mut client = c.client();
    let create = |token: Option<String>| {
        let mut client = c.client();
        async move {
            let request = pb::CreateInterlinkerRequest {
                interlinker: Some(software()),
            };
            match token {
                Some(t) => code(client.create_interlinker(with_token(request, &t)).await),
                None => code(client.create_interlinker(request).await),
            }
        }
    };
    assert_eq!(create(None).await, Code::Unauthenticated);
    assert_eq!(create(Some(c.user.clone())).await, Code::PermissionDenied);

    // Only platform administrators manage the editors.
    assert_eq!(
        code(
            client
                .add_catalogue_editor(with_token(
                    pb::AddCatalogueEditorRequest {
                        subject: "ana".into()
                    },
                    &c.user
                ))
                .await
        ),
        Code::PermissionDenied
    );
    // With an idempotency key the change commits with the answer, after
    // the handler: the answer is still the editor added.
    let mut keyed = with_token(
        pb::AddCatalogueEditorRequest {
            subject: "ana".into(),
        },
        &c.admin,
    );
    keyed
        .metadata_mut()
        .insert("idempotency-key", "add-ana".parse().expect("key"));
    let editor = client
        .add_catalogue_editor(keyed)
        .await
        .expect("add editor")
        .into_inner();
    assert_eq!(editor.name, "catalogueEditors/ana");
    assert_eq!(editor.added_by, "admin");
    assert_eq!(create(Some(c.user.clone())).await, Code::Ok);
    let editors = client
        .list_catalogue_editors(with_token(pb::ListCatalogueEditorsRequest {}, &c.admin))
        .await
        .expect("list editors")
        .into_inner();
    assert_eq!(editors.editors.len(), 1);
    client
        .remove_catalogue_editor(with_token(
            pb::RemoveCatalogueEditorRequest {
                name: "catalogueEditors/ana".into(),
            },
            &c.admin,
        ))
        .await
        .expect("remove editor");
    assert_eq!(create(Some(c.user.clone())).await, Code::PermissionDenied);
    assert_eq!(
        code(
            client
                .remove_catalogue_editor(with_token(
                    pb::RemoveCatalogueEditorRequest {
                        name: "catalogueEditors/ana".into()
                    },
                    &c.admin
                ))
                .await
        ),
        Code::NotFound
    );
    c.server.stop().await;
}

async fn schemas_are_validated_and_versions_never_change(backend: Backend) {
    let c = Catalogue::start(backend).await;
    let mut client = c.client();
    let item =
        |key: &str, kind: pb::ItemKind, parent: &str, prerequisites: &[&str]| pb::SchemaItem {
            key: key.into(),
            kind: kind as i32,
            parent: parent.into(),
            title: text(&[("en", key)]),
            prerequisites: prerequisites.iter().map(|p| p.to_string()).collect(),
            problem_profiles: if kind == pb::ItemKind::Task {
                vec!["und-01".into()]
            } else {
                Vec::new()
            },
            ..Default::default()
        };
    use pb::ItemKind::{Objective, Phase, Task};
    let tree = vec![
        item("engage", Phase, "", &[]),
        item("stakeholders", Objective, "engage", &[]),
        item("map", Task, "stakeholders", &[]),
        item("design", Phase, "", &["engage"]),
        item("ideas", Objective, "design", &[]),
        item("workshop", Task, "ideas", &[]),
    ];
    let create = |items: Vec<pb::SchemaItem>, id: &str| pb::CreateSchemaRequest {
        schema_id: id.into(),
        schema: Some(pb::Schema {
            title: text(&[("en", "Default"), ("es", "Por defecto")]),
            items,
            ..Default::default()
        }),
    };

    // Bad trees are refused item by item.
    let mut task_under_phase = tree.clone();
    task_under_phase[2].parent = "engage".into();
    let mut cross_level = tree.clone();
    cross_level[4].prerequisites = vec!["engage".into()];
    let mut cycle = tree.clone();
    cycle[0].prerequisites = vec!["design".into()];
    let mut unknown_profile = tree.clone();
    unknown_profile[5].problem_profiles = vec!["zzz-99".into()];
    for (items, field) in [
        (task_under_phase, "schema.items[2].parent"),
        (cross_level, "schema.items[4].prerequisites[0]"),
        (cycle, "schema.items[0].prerequisites"),
        (unknown_profile, "schema.items[5].problem_profiles[0]"),
    ] {
        let status = client
            .create_schema(with_token(create(items, "bad"), &c.admin))
            .await
            .expect_err("bad tree");
        assert!(
            violated_fields(&status).contains(&field.to_owned()),
            "{field}: {status:?}"
        );
    }

    let created = client
        .create_schema(with_token(create(tree.clone(), "default"), &c.admin))
        .await
        .expect("create schema")
        .into_inner();
    assert_eq!(created.name, "schemas/default");
    assert_eq!(created.latest_version, 0);
    assert_eq!(
        code(
            client
                .create_schema(with_token(create(tree.clone(), "default"), &c.admin))
                .await
        ),
        Code::AlreadyExists
    );
    // Unpublished: hidden from readers.
    let get = pb::GetSchemaRequest {
        name: "schemas/default".into(),
    };
    assert_eq!(code(client.get_schema(get.clone()).await), Code::NotFound);

    let v1 = client
        .publish_schema(with_token(
            pb::PublishSchemaRequest {
                name: "schemas/default".into(),
            },
            &c.admin,
        ))
        .await
        .expect("publish")
        .into_inner();
    assert_eq!(v1.name, "schemas/default/versions/1");
    assert_eq!(v1.items.len(), 6);
    assert_eq!(v1.publisher, interlink_runtime::api::user_name("admin"));
    let seen = client
        .get_schema(get.clone())
        .await
        .expect("visible")
        .into_inner();
    assert_eq!(seen.latest_version, 1);
    assert!(seen.items.is_empty(), "the draft is for editors");
    // Nothing changed: nothing to publish.
    assert_eq!(
        code(
            client
                .publish_schema(with_token(
                    pb::PublishSchemaRequest {
                        name: "schemas/default".into()
                    },
                    &c.admin
                ))
                .await
        ),
        Code::FailedPrecondition
    );

    // Editing makes a draft; publishing it makes version 2; version 1 stays.
    let mut edited = tree.clone();
    edited.push(item("prototype", Task, "ideas", &["workshop"]));
    let draft = client
        .update_schema(with_token(
            pb::UpdateSchemaRequest {
                schema: Some(pb::Schema {
                    name: "schemas/default".into(),
                    items: edited,
                    ..Default::default()
                }),
                update_mask: mask(&["items"]),
            },
            &c.admin,
        ))
        .await
        .expect("edit")
        .into_inner();
    assert!(draft.draft_changed);
    assert_eq!(
        draft.title,
        text(&[("en", "Default"), ("es", "Por defecto")])
    );
    client
        .publish_schema(with_token(
            pb::PublishSchemaRequest {
                name: "schemas/default".into(),
            },
            &c.admin,
        ))
        .await
        .expect("publish v2");
    let version = |name: &str| {
        let mut client = c.client();
        let name = name.to_owned();
        async move {
            client
                .get_schema_version(pb::GetSchemaVersionRequest { name })
                .await
                .map(|r| r.into_inner())
        }
    };
    assert_eq!(version("schemas/default/versions/1").await.expect("v1"), v1);
    let latest = version("schemas/default/versions/latest")
        .await
        .expect("latest");
    assert_eq!(latest.version, 2);
    assert_eq!(latest.items.len(), 7);
    // Anyone reads the published trees in one call, in the full view.
    let listed = |view: pb::SchemaView| {
        let mut client = c.client();
        async move {
            client
                .list_schemas(pb::ListSchemasRequest {
                    view: view as i32,
                    ..Default::default()
                })
                .await
                .expect("list schemas")
                .into_inner()
                .schemas
        }
    };
    let full = listed(pb::SchemaView::Full).await;
    let default = full
        .iter()
        .find(|s| s.name == "schemas/default")
        .expect("the default schema");
    assert_eq!(default.latest.as_ref(), Some(&latest));
    assert!(default.items.is_empty(), "no draft for readers");
    assert!(
        listed(pb::SchemaView::Basic)
            .await
            .iter()
            .all(|s| s.latest.is_none())
    );
    assert_eq!(
        version("schemas/default/versions/3")
            .await
            .map_err(|s| s.code())
            .err(),
        Some(Code::NotFound)
    );
    let versions = client
        .list_schema_versions(pb::ListSchemaVersionsRequest {
            parent: "schemas/default".into(),
            page_size: 1,
            ..Default::default()
        })
        .await
        .expect("versions")
        .into_inner();
    assert_eq!(versions.versions[0].version, 2);
    assert_eq!(
        interlink_runtime::api::page_cursor(&versions.next_page_token, |c| Some(c.to_owned())),
        Ok(Some("2".to_owned())),
        "an opaque token of the last version served"
    );
    let older = client
        .list_schema_versions(pb::ListSchemaVersionsRequest {
            parent: "schemas/default".into(),
            page_size: 1,
            page_token: versions.next_page_token,
        })
        .await
        .expect("older")
        .into_inner();
    assert_eq!(older.versions[0].version, 1);
    assert!(older.next_page_token.is_empty());

    // Each version went out with its whole tree.
    let events = c.server.outbox_events().await;
    let published: Vec<pb::SchemaVersionPublished> = events
        .iter()
        .filter(|e| e.r#type == "catalogue.schema.version_published")
        .map(|e| {
            pb::SchemaVersionPublished::decode(
                e.payload.as_ref().expect("payload").value.as_slice(),
            )
            .expect("decodes")
        })
        .collect();
    assert_eq!(published.len(), 2);
    assert_eq!(
        published[1].version.as_ref().map(|v| v.items.len()),
        Some(7)
    );
    c.server.stop().await;
}

async fn ratings_keep_an_exact_average(backend: Backend) {
    let c = Catalogue::start(backend).await;
    let mut client = c.client();
    let guide = c
        .create_published(entry(
            &[("en", "Co-design guide")],
            &[("en", "How to co-design")],
        ))
        .await;
    let rate = |token: String, value: i32| {
        let mut client = c.client();
        let parent = guide.name.clone();
        async move {
            client
                .rate_interlinker(with_token(
                    pb::RateInterlinkerRequest {
                        parent,
                        rating: Some(pb::Rating {
                            value,
                            title: "Useful".into(),
                            ..Default::default()
                        }),
                    },
                    &token,
                ))
                .await
        }
    };
    let bea = c.server.token("bea", false);
    let carla = c.server.token("carla", false);
    rate(c.user.clone(), 5).await.expect("ana rates");
    rate(bea.clone(), 4).await.expect("bea rates");
    let first = rate(carla.clone(), 4)
        .await
        .expect("carla rates")
        .into_inner();
    // A second rating by the same user replaces the first.
    let again = rate(carla.clone(), 1)
        .await
        .expect("carla again")
        .into_inner();
    assert_eq!(again.name, first.name);
    let read = |client: &mut Client| {
        let name = guide.name.clone();
        let mut client = client.clone();
        async move {
            client
                .get_interlinker(pb::GetInterlinkerRequest { name })
                .await
                .expect("get")
                .into_inner()
        }
    };
    let now = read(&mut client).await;
    assert_eq!(now.rating_count, 3);
    assert_eq!(now.rating_average, 10.0 / 3.0);

    // Refused values change nothing.
    let status = rate(bea.clone(), 6).await.expect_err("6 stars");
    assert_eq!(violated_fields(&status), ["rating.value"]);
    assert_eq!(code(rate(String::new(), 3).await), Code::Unauthenticated);

    // Only the author (or a platform administrator) deletes a rating.
    assert_eq!(
        code(
            client
                .delete_rating(with_token(
                    pb::DeleteRatingRequest {
                        name: first.name.clone()
                    },
                    &bea
                ))
                .await
        ),
        Code::PermissionDenied
    );
    client
        .delete_rating(with_token(
            pb::DeleteRatingRequest {
                name: first.name.clone(),
            },
            &carla,
        ))
        .await
        .expect("delete own");
    let now = read(&mut client).await;
    assert_eq!((now.rating_count, now.rating_average), (2, 4.5));
    let ratings = client
        .list_ratings(pb::ListRatingsRequest {
            parent: guide.name.clone(),
            page_size: 1,
            ..Default::default()
        })
        .await
        .expect("ratings")
        .into_inner();
    assert_eq!(
        ratings.ratings[0].author,
        interlink_runtime::api::user_name("bea"),
        "newest first"
    );
    let rest = client
        .list_ratings(pb::ListRatingsRequest {
            parent: guide.name.clone(),
            page_size: 1,
            page_token: ratings.next_page_token,
        })
        .await
        .expect("more")
        .into_inner();
    assert_eq!(
        rest.ratings[0].author,
        interlink_runtime::api::user_name("ana")
    );

    // The rating floor filters search.
    c.create_published(entry(
        &[("en", "Unrated guide")],
        &[("en", "Nobody rated it")],
    ))
    .await;
    let good = c
        .search(pb::SearchInterlinkersRequest {
            query: "guide".into(),
            min_rating: 4.0,
            ..Default::default()
        })
        .await;
    assert_eq!(names(&good.results), ["Co-design guide"]);

    // Drafts cannot be rated; each change announced the new average.
    let draft = c.create(software()).await;
    let status = c
        .client()
        .rate_interlinker(with_token(
            pb::RateInterlinkerRequest {
                parent: draft.name,
                rating: Some(pb::Rating {
                    value: 3,
                    ..Default::default()
                }),
            },
            &c.user,
        ))
        .await
        .expect_err("draft");
    assert_eq!(status.code(), Code::NotFound);
    let changes: Vec<pb::InterlinkerRatingChanged> = c
        .server
        .outbox_events()
        .await
        .iter()
        .filter(|e| e.r#type == "catalogue.interlinker.rating_changed")
        .map(|e| {
            pb::InterlinkerRatingChanged::decode(
                e.payload.as_ref().expect("payload").value.as_slice(),
            )
            .expect("decodes")
        })
        .collect();
    let averages: Vec<(f64, i64)> = changes
        .iter()
        .map(|c| (c.rating_average, c.rating_count))
        .collect();
    assert_eq!(
        averages,
        [
            (5.0, 1),
            (4.5, 2),
            (13.0 / 3.0, 3),
            (10.0 / 3.0, 3),
            (4.5, 2)
        ]
    );
    assert!(changes[4].rating.is_none(), "a deletion carries no rating");
    c.server.stop().await;
}

async fn search_stems_each_language_and_ranks_titles_first(backend: Backend) {
    let c = Catalogue::start(backend).await;
    c.create_published(entry(
        &[("es", "Plantilla de encuesta ciudadana")],
        &[("es", "Preguntas para conocer la opinión de los vecinos")],
    ))
    .await;
    c.create_published(entry(
        &[("en", "Survey template")],
        &[("en", "Questions to ask residents")],
    ))
    .await;
    c.create_published(entry(
        &[("en", "Workshop kit")],
        &[("en", "Run workshops after the surveys are done")],
    ))
    .await;
    c.create_published(entry(
        &[("it", "Modello di sondaggio")],
        &[("it", "Domande per i cittadini")],
    ))
    .await;
    c.create_published(entry(
        &[("lv", "Aptaujas veidne")],
        &[("lv", "Jautājumi iedzīvotājiem")],
    ))
    .await;

    // Each language's stemming: plural queries find singular titles.
    assert_eq!(
        names(&c.search(query("encuestas")).await.results),
        ["Plantilla de encuesta ciudadana"]
    );
    assert_eq!(
        names(&c.search(query("sondaggi")).await.results),
        ["Modello di sondaggio"]
    );
    assert_eq!(
        names(&c.search(query("aptauja")).await.results),
        ["Aptaujas veidne"]
    );
    // Accents are optional.
    assert_eq!(
        names(&c.search(query("opinion vecinos")).await.results),
        ["Plantilla de encuesta ciudadana"]
    );
    // A title match ranks above a description match.
    let surveys = c.search(query("surveys")).await;
    assert_eq!(names(&surveys.results), ["Survey template", "Workshop kit"]);
    assert!(surveys.results[0].score > surveys.results[1].score);
    // Every word must match.
    assert_eq!(
        names(&c.search(query("survey residents")).await.results),
        ["Survey template"]
    );
    assert!(c.search(query("survey zebra")).await.results.is_empty());
    c.server.stop().await;
}

async fn search_filters_facets_and_pages(backend: Backend) {
    let c = Catalogue::start(backend).await;
    let mut easy_es = entry(&[("es", "Guía uno")], &[("es", "Participación")]);
    easy_es.languages = vec!["es".into()];
    let mut hard_en = entry(&[("en", "Guide two")], &[("en", "Participation")]);
    hard_en.difficulty = pb::Difficulty::VeryDifficult as i32;
    hard_en.licence = pb::Licence::Proprietary as i32;
    hard_en.targets = vec!["all/citizens/expert_citizens".into()];
    hard_en.problem_profiles = vec!["und-01".into()];
    let mut tool = software();
    tool.title = text(&[("en", "Guide three")]);
    for e in [easy_es, hard_en, tool] {
        c.create_published(e).await;
    }
    let all = c.search(query("")).await;
    assert_eq!(all.total_size, 3);
    let facet = |response: &pb::SearchInterlinkersResponse, field: &str| -> Vec<(String, i64)> {
        response
            .facets
            .iter()
            .find(|f| f.field == field)
            .map(|f| {
                f.values
                    .iter()
                    .map(|v| (v.value.clone(), v.count))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        facet(&all, "nature"),
        [
            ("NATURE_EXTERNAL_KNOWLEDGE".to_owned(), 2),
            ("NATURE_SOFTWARE".to_owned(), 1)
        ]
    );
    assert_eq!(facet(&all, "target")[0], ("all".to_owned(), 3));

    // Filtering by nature narrows the hits and the other facets, but the
    // nature facet still counts the other natures.
    let knowledge = c
        .search(pb::SearchInterlinkersRequest {
            natures: vec![pb::Nature::ExternalKnowledge as i32],
            ..Default::default()
        })
        .await;
    assert_eq!(knowledge.total_size, 2);
    assert_eq!(facet(&knowledge, "nature"), facet(&all, "nature"));
    assert_eq!(
        facet(&knowledge, "licence"),
        [
            ("LICENCE_PERMISSIVE".to_owned(), 1),
            ("LICENCE_PROPRIETARY".to_owned(), 1)
        ]
    );
    for (request, expected) in [
        (
            pb::SearchInterlinkersRequest {
                difficulties: vec![pb::Difficulty::VeryDifficult as i32],
                ..Default::default()
            },
            vec!["Guide two"],
        ),
        (
            pb::SearchInterlinkersRequest {
                languages: vec!["es".into()],
                ..Default::default()
            },
            vec!["Guide three", "Guía uno"],
        ),
        (
            pb::SearchInterlinkersRequest {
                targets: vec!["all/citizens".into()],
                ..Default::default()
            },
            vec!["Guide two"],
        ),
        (
            pb::SearchInterlinkersRequest {
                licences: vec![pb::Licence::Permissive as i32, pb::Licence::Copyleft as i32],
                problem_profiles: vec!["org-01".into()],
                ..Default::default()
            },
            vec!["Guía uno"],
        ),
    ] {
        let mut got = names(&c.search(request.clone()).await.results);
        got.sort();
        assert_eq!(got, expected, "{request:?}");
    }

    // Pages: disjoint, complete, then done.
    let first = c
        .search(pb::SearchInterlinkersRequest {
            page_size: 2,
            ..Default::default()
        })
        .await;
    assert_eq!(first.results.len(), 2);
    let second = c
        .search(pb::SearchInterlinkersRequest {
            page_size: 2,
            page_token: first.next_page_token.clone(),
            ..Default::default()
        })
        .await;
    assert_eq!(second.results.len(), 1);
    assert!(second.next_page_token.is_empty());
    let mut seen = names(&first.results);
    seen.extend(names(&second.results));
    seen.sort();
    assert_eq!(seen, ["Guide three", "Guide two", "Guía uno"]);
    c.server.stop().await;
}

async fn related_and_recommended_follow_problem_profiles(backend: Backend) {
    let c = Catalogue::start(backend).await;
    let mut client = c.client();
    let with_profiles = |title: &str, profiles: &[&str]| {
        let mut e = entry(&[("en", title)], &[("en", "A guide")]);
        e.problem_profiles = profiles.iter().map(|p| p.to_string()).collect();
        e
    };
    let base = c
        .create_published(with_profiles("Base", &["und-01", "und-02"]))
        .await;
    c.create_published(with_profiles("Both", &["und-01", "und-02"]))
        .await;
    let one = c.create_published(with_profiles("One", &["und-02"])).await;
    c.create_published(with_profiles("None", &["bld-01"])).await;
    let related = client
        .list_related_interlinkers(pb::ListRelatedInterlinkersRequest {
            name: base.name.clone(),
            page_size: 0,
        })
        .await
        .expect("related")
        .into_inner();
    let titles: Vec<_> = related
        .interlinkers
        .iter()
        .map(|i| i.title.clone().unwrap_or_default().values["en"].clone())
        .collect();
    assert_eq!(titles, ["Both", "One"]);

    // A well-rated partial match can beat nothing, but coverage leads.
    client
        .rate_interlinker(with_token(
            pb::RateInterlinkerRequest {
                parent: one.name.clone(),
                rating: Some(pb::Rating {
                    value: 5,
                    ..Default::default()
                }),
            },
            &c.user,
        ))
        .await
        .expect("rate");
    let recommended = client
        .recommend_interlinkers(pb::RecommendInterlinkersRequest {
            problem_profiles: vec!["und-01".into(), "und-02".into()],
            language: "en".into(),
            page_size: 0,
        })
        .await
        .expect("recommend")
        .into_inner();
    let ranked: Vec<_> = recommended
        .recommendations
        .iter()
        .map(|r| {
            (
                r.interlinker
                    .clone()
                    .unwrap_or_default()
                    .title
                    .unwrap_or_default()
                    .values["en"]
                    .clone(),
                r.matched_problem_profiles.len(),
            )
        })
        .collect();
    assert_eq!(ranked.len(), 3);
    assert_eq!(ranked[2], ("One".to_owned(), 1));
    assert!(recommended.recommendations[0].score > recommended.recommendations[2].score);
    // Between the two full matches, the rated one would lead; both unrated
    // here, so they tie on score and order by id.
    assert_eq!(ranked[0].1, 2);
    let unknown = client
        .recommend_interlinkers(pb::RecommendInterlinkersRequest {
            problem_profiles: vec!["nope-1".into()],
            ..Default::default()
        })
        .await
        .expect_err("unknown profile");
    assert_eq!(violated_fields(&unknown), ["problem_profiles[0]"]);
    c.server.stop().await;
}

async fn bad_input_is_refused_by_field_and_changes_nothing(backend: Backend) {
    let c = Catalogue::start(backend).await;
    let mut client = c.client();
    let admin = c.admin.clone();
    macro_rules! a {
        ($m:expr) => {
            with_token($m, &admin)
        };
    }
    let unknown = "interlinkers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10".to_owned();
    let published = c
        .create_published(entry(&[("en", "Kept")], &[("en", "Kept as is")]))
        .await;
    let fields = |r: Result<tonic::Response<pb::Interlinker>, tonic::Status>| {
        violated_fields(&r.expect_err("refused"))
    };

    // Create: every field checked and named.
    let mut bad = software();
    bad.nature = 9;
    bad.licence = 42;
    bad.languages = vec!["english".into()];
    bad.targets = vec!["all/robots".into()];
    bad.logo_uri = "ftp://x".into();
    let got = fields(
        client
            .create_interlinker(a!(pb::CreateInterlinkerRequest {
                interlinker: Some(bad),
            }))
            .await,
    );
    for field in [
        "interlinker.nature",
        "interlinker.licence",
        "interlinker.languages[0]",
        "interlinker.targets[0]",
        "interlinker.logo_uri",
    ] {
        assert!(got.contains(&field.to_owned()), "{field}: {got:?}");
    }
    let mut mismatched = software();
    mismatched.nature = pb::Nature::Knowledge as i32;
    assert_eq!(
        fields(
            client
                .create_interlinker(a!(pb::CreateInterlinkerRequest {
                    interlinker: Some(mismatched)
                }))
                .await
        ),
        ["interlinker.knowledge"]
    );
    let mut dangling = software();
    dangling.nature = pb::Nature::Knowledge as i32;
    dangling.details = Some(pb::interlinker::Details::Knowledge(pb::KnowledgeDetails {
        software_interlinker: published.name.clone(),
        ..Default::default()
    }));
    assert_eq!(
        fields(
            client
                .create_interlinker(a!(pb::CreateInterlinkerRequest {
                    interlinker: Some(dangling)
                }))
                .await
        ),
        ["interlinker.knowledge.software_interlinker"]
    );
    assert_eq!(
        fields(
            client
                .create_interlinker(a!(pb::CreateInterlinkerRequest { interlinker: None }))
                .await
        ),
        ["interlinker"]
    );

    // Update: mask paths, and a published entry must stay publishable.
    let update = |paths: &[&str], interlinker: pb::Interlinker| pb::UpdateInterlinkerRequest {
        interlinker: Some(pb::Interlinker {
            name: published.name.clone(),
            ..interlinker
        }),
        update_mask: mask(paths),
    };
    assert_eq!(
        fields(
            client
                .update_interlinker(a!(update(&["nature"], software())))
                .await
        ),
        ["update_mask.paths[0]"]
    );
    assert_eq!(
        fields(
            client
                .update_interlinker(a!(update(&["owner"], software())))
                .await
        ),
        ["update_mask.paths[0]"]
    );
    assert_eq!(
        fields(
            client
                .update_interlinker(a!(update(&["description"], pb::Interlinker::default())))
                .await
        ),
        ["interlinker.description"]
    );
    assert_eq!(
        code(
            client
                .update_interlinker(a!(pb::UpdateInterlinkerRequest {
                    interlinker: Some(pb::Interlinker {
                        name: unknown.clone(),
                        ..software()
                    }),
                    update_mask: mask(&["title"]),
                }))
                .await
        ),
        Code::NotFound
    );

    // Malformed names, everywhere.
    for name in [
        "",
        "interlinkers/",
        "interlinkers/42",
        "teams/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10",
    ] {
        let n = || name.to_owned();
        assert_eq!(
            violated_fields(
                &client
                    .get_interlinker(pb::GetInterlinkerRequest { name: n() })
                    .await
                    .expect_err("get")
            ),
            ["name"]
        );
        assert_eq!(
            code(
                client
                    .publish_interlinker(a!(pb::PublishInterlinkerRequest { name: n() }))
                    .await
            ),
            Code::InvalidArgument
        );
        assert_eq!(
            code(
                client
                    .deprecate_interlinker(a!(pb::DeprecateInterlinkerRequest { name: n() }))
                    .await
            ),
            Code::InvalidArgument
        );
        assert_eq!(
            code(
                client
                    .delete_interlinker(a!(pb::DeleteInterlinkerRequest { name: n() }))
                    .await
            ),
            Code::InvalidArgument
        );
        assert_eq!(
            code(
                client
                    .list_related_interlinkers(pb::ListRelatedInterlinkersRequest {
                        name: n(),
                        page_size: 0
                    })
                    .await
            ),
            Code::InvalidArgument
        );
        assert_eq!(
            code(
                client
                    .list_ratings(pb::ListRatingsRequest {
                        parent: n(),
                        ..Default::default()
                    })
                    .await
            ),
            Code::InvalidArgument
        );
        assert_eq!(
            code(
                client
                    .rate_interlinker(with_token(
                        pb::RateInterlinkerRequest {
                            parent: n(),
                            rating: Some(pb::Rating {
                                value: 3,
                                ..Default::default()
                            })
                        },
                        &c.user
                    ))
                    .await
            ),
            Code::InvalidArgument
        );
    }
    assert_eq!(
        code(
            client
                .get_interlinker(pb::GetInterlinkerRequest {
                    name: unknown.clone()
                })
                .await
        ),
        Code::NotFound
    );
    for name in [
        "",
        "interlinkers/x/ratings/y",
        &format!("{}/ratings/42", published.name),
    ] {
        assert_eq!(
            violated_fields(
                &client
                    .delete_rating(with_token(
                        pb::DeleteRatingRequest { name: name.into() },
                        &c.user
                    ))
                    .await
                    .expect_err("delete rating")
            ),
            ["name"]
        );
    }

    // Search: every filter checked.
    let search = |request: pb::SearchInterlinkersRequest| {
        let mut client = c.client();
        async move {
            violated_fields(
                &client
                    .search_interlinkers(request)
                    .await
                    .expect_err("bad search"),
            )
        }
    };
    assert_eq!(
        search(pb::SearchInterlinkersRequest {
            natures: vec![0, 77],
            difficulties: vec![9],
            licences: vec![0],
            problem_profiles: vec!["Not A Code".into()],
            languages: vec!["english".into()],
            targets: vec!["everyone".into()],
            min_rating: 7.5,
            page_size: -1,
            page_token: "abc".into(),
            query: "x".repeat(501),
            origins: vec![String::new()],
        })
        .await,
        [
            "natures[0]",
            "natures[1]",
            "difficulties[0]",
            "licences[0]",
            "problem_profiles[0]",
            "languages[0]",
            "targets[0]",
            "origins[0]",
            "min_rating",
            "query",
            "page_size",
            "page_token"
        ]
    );
    assert_eq!(
        search(pb::SearchInterlinkersRequest {
            min_rating: f64::NAN,
            ..Default::default()
        })
        .await,
        ["min_rating"]
    );
    assert_eq!(
        violated_fields(
            &client
                .recommend_interlinkers(pb::RecommendInterlinkersRequest {
                    problem_profiles: Vec::new(),
                    language: "EN!".into(),
                    page_size: -3,
                })
                .await
                .expect_err("recommend")
        ),
        ["problem_profiles", "language", "page_size"]
    );
    assert_eq!(
        violated_fields(
            &client
                .list_interlinkers(pb::ListInterlinkersRequest {
                    page_size: -1,
                    ..Default::default()
                })
                .await
                .expect_err("list")
        ),
        ["page_size"]
    );
    assert_eq!(
        violated_fields(
            &client
                .list_interlinkers(pb::ListInterlinkersRequest {
                    page_token: "zzz".into(),
                    ..Default::default()
                })
                .await
                .expect_err("list")
        ),
        ["page_token"]
    );
    assert_eq!(
        violated_fields(
            &client
                .list_interlinkers(pb::ListInterlinkersRequest {
                    state: 12,
                    ..Default::default()
                })
                .await
                .expect_err("list")
        ),
        ["state"]
    );

    // Problem profiles.
    let profile =
        |id: &str, family: &str, title: Option<TranslatableText>| pb::CreateProblemProfileRequest {
            problem_profile_id: id.into(),
            problem_profile: Some(pb::ProblemProfile {
                family: family.into(),
                title,
                ..Default::default()
            }),
        };
    assert_eq!(
        violated_fields(
            &client
                .create_problem_profile(a!(profile("Bad Code", "Family!", None)))
                .await
                .expect_err("profile")
        ),
        [
            "problem_profile_id",
            "problem_profile.family",
            "problem_profile.title"
        ]
    );
    assert_eq!(
        code(
            client
                .create_problem_profile(a!(profile(
                    "org-01",
                    "organisational",
                    text(&[("en", "x")])
                )))
                .await
        ),
        Code::AlreadyExists
    );
    assert_eq!(
        code(
            client
                .create_problem_profile(with_token(
                    profile("new-01", "organisational", text(&[("en", "x")])),
                    &c.user
                ))
                .await
        ),
        Code::PermissionDenied
    );
    for name in ["", "problemProfiles/", "problemProfiles/Org 1"] {
        assert_eq!(
            violated_fields(
                &client
                    .get_problem_profile(pb::GetProblemProfileRequest { name: name.into() })
                    .await
                    .expect_err("get profile")
            ),
            ["name"]
        );
    }
    assert_eq!(
        code(
            client
                .get_problem_profile(pb::GetProblemProfileRequest {
                    name: "problemProfiles/zzz-1".into()
                })
                .await
        ),
        Code::NotFound
    );
    assert_eq!(
        violated_fields(
            &client
                .update_problem_profile(a!(pb::UpdateProblemProfileRequest {
                    problem_profile: Some(pb::ProblemProfile {
                        name: "problemProfiles/org-01".into(),
                        ..Default::default()
                    }),
                    update_mask: mask(&["code"]),
                }))
                .await
                .expect_err("mask")
        ),
        ["update_mask.paths[0]"]
    );
    assert_eq!(
        violated_fields(
            &client
                .update_problem_profile(a!(pb::UpdateProblemProfileRequest {
                    problem_profile: Some(pb::ProblemProfile {
                        name: "problemProfiles/org-01".into(),
                        ..Default::default()
                    }),
                    update_mask: mask(&["title"]),
                }))
                .await
                .expect_err("blank title")
        ),
        ["problem_profile.title"]
    );

    assert_eq!(
        violated_fields(
            &client
                .list_problem_profiles(pb::ListProblemProfilesRequest {
                    family: "Org!".into()
                })
                .await
                .expect_err("family")
        ),
        ["family"]
    );
    let family = client
        .list_problem_profiles(pb::ListProblemProfilesRequest {
            family: "understanding".into(),
        })
        .await
        .expect("family")
        .into_inner();
    let codes: Vec<_> = family
        .problem_profiles
        .iter()
        .map(|p| p.code.as_str())
        .collect();
    assert_eq!(codes, ["und-01", "und-02"]);

    // Schemas.
    assert_eq!(
        violated_fields(
            &client
                .create_schema(a!(pb::CreateSchemaRequest {
                    schema_id: "Not An Id".into(),
                    schema: Some(pb::Schema::default()),
                }))
                .await
                .expect_err("schema")
        ),
        ["schema_id", "schema.title"]
    );
    assert_eq!(
        violated_fields(
            &client
                .create_schema(a!(pb::CreateSchemaRequest {
                    schema_id: "empty".into(),
                    schema: Some(pb::Schema {
                        title: text(&[("en", "Empty")]),
                        items: vec![pb::SchemaItem {
                            key: "x".into(),
                            kind: 0,
                            ..Default::default()
                        }],
                        ..Default::default()
                    }),
                }))
                .await
                .expect_err("kindless item")
        ),
        ["schema.items[0].kind"]
    );
    for name in [
        "",
        "schemas/",
        "schemas/Bad Id",
        "schemas/x/versions/0",
        "schemas/x/versions/01",
        "schemas/x/versions/y",
    ] {
        let get_version = client
            .get_schema_version(pb::GetSchemaVersionRequest { name: name.into() })
            .await;
        let get_schema = client
            .get_schema(pb::GetSchemaRequest { name: name.into() })
            .await;
        assert_eq!(code(get_version), Code::InvalidArgument, "{name}");
        if !name.contains("/versions/") {
            assert_eq!(code(get_schema), Code::InvalidArgument, "{name}");
        }
    }
    assert_eq!(
        code(
            client
                .publish_schema(a!(pb::PublishSchemaRequest {
                    name: "schemas/missing".into()
                }))
                .await
        ),
        Code::NotFound
    );
    assert_eq!(
        violated_fields(
            &client
                .publish_schema(a!(pb::PublishSchemaRequest {
                    name: "schemas/Bad".into()
                }))
                .await
                .expect_err("bad name")
        ),
        ["name"]
    );
    assert_eq!(
        violated_fields(
            &client
                .update_schema(a!(pb::UpdateSchemaRequest {
                    schema: Some(pb::Schema {
                        name: "schemas/missing".into(),
                        ..Default::default()
                    }),
                    update_mask: mask(&["latest_version"]),
                }))
                .await
                .expect_err("bad mask")
        ),
        ["update_mask.paths[0]"]
    );
    assert_eq!(
        code(
            client
                .update_schema(a!(pb::UpdateSchemaRequest {
                    schema: Some(pb::Schema {
                        name: "schemas/missing".into(),
                        title: text(&[("en", "Missing")]),
                        ..Default::default()
                    }),
                    update_mask: mask(&["title"]),
                }))
                .await
        ),
        Code::NotFound
    );
    assert_eq!(
        code(
            client
                .list_schema_versions(pb::ListSchemaVersionsRequest {
                    parent: "schemas/missing".into(),
                    page_token: "-1".into(),
                    ..Default::default()
                })
                .await
        ),
        Code::InvalidArgument
    );
    assert_eq!(
        code(
            client
                .list_schemas(pb::ListSchemasRequest {
                    page_token: "Bad!".into(),
                    ..Default::default()
                })
                .await
        ),
        Code::InvalidArgument
    );
    // A token shaped like a key is not a token: every list refuses what it
    // did not hand out.
    for garbage in ["default", "garbage", "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10"] {
        assert_eq!(
            code(
                client
                    .list_schemas(pb::ListSchemasRequest {
                        page_token: garbage.into(),
                        ..Default::default()
                    })
                    .await
            ),
            Code::InvalidArgument,
            "{garbage}"
        );
        assert_eq!(
            code(
                client
                    .list_interlinkers(pb::ListInterlinkersRequest {
                        page_token: garbage.into(),
                        ..Default::default()
                    })
                    .await
            ),
            Code::InvalidArgument,
            "{garbage}"
        );
    }

    // Editors.
    assert_eq!(
        violated_fields(
            &client
                .add_catalogue_editor(a!(pb::AddCatalogueEditorRequest {
                    subject: "a/b".into()
                }))
                .await
                .expect_err("subject")
        ),
        ["subject"]
    );
    assert_eq!(
        code(
            client
                .remove_catalogue_editor(a!(pb::RemoveCatalogueEditorRequest {
                    name: "editors/x".into()
                }))
                .await
        ),
        Code::InvalidArgument
    );
    assert_eq!(
        code(
            client
                .list_catalogue_editors(pb::ListCatalogueEditorsRequest {})
                .await
        ),
        Code::Unauthenticated
    );

    // Nothing above changed the catalogue.
    let kept = client
        .get_interlinker(pb::GetInterlinkerRequest {
            name: published.name.clone(),
        })
        .await
        .expect("kept")
        .into_inner();
    assert_eq!(kept, published);
    assert_eq!(c.event_types().await, ["catalogue.interlinker.published"]);
    let listed = client
        .list_interlinkers(a!(pb::ListInterlinkersRequest {
            state: pb::InterlinkerState::Draft as i32,
            ..Default::default()
        }))
        .await
        .expect("drafts")
        .into_inner();
    assert!(listed.interlinkers.is_empty());
    c.server.stop().await;
}

/// A second replica's index (its own, on the same database) follows the
/// writes made through the first: published, renamed, rated, deprecated.
async fn another_replica_index_follows_the_table(backend: Backend) {
    let c = Catalogue::start(backend).await;
    let replica = SearchIndex::new().expect("index");
    let db = &c.server.env.db;
    let seen = |index: &SearchIndex, q: &str| {
        index
            .search(q, &Default::default(), 0, 10)
            .expect("search")
            .hits
            .iter()
            .map(|(e, _)| e.row.fields.title["en"].clone())
            .collect::<Vec<_>>()
    };
    let guide = c
        .create_published(entry(
            &[("en", "Mobility guide")],
            &[("en", "Plan transport")],
        ))
        .await;
    assert!(seen(&replica, "mobility").is_empty());
    replica.refresh(db).await.expect("refresh");
    assert_eq!(seen(&replica, "mobility"), ["Mobility guide"]);

    c.client()
        .update_interlinker(with_token(
            pb::UpdateInterlinkerRequest {
                interlinker: Some(pb::Interlinker {
                    name: guide.name.clone(),
                    title: text(&[("en", "Cycling guide")]),
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
            },
            &c.admin,
        ))
        .await
        .expect("rename");
    c.client()
        .rate_interlinker(with_token(
            pb::RateInterlinkerRequest {
                parent: guide.name.clone(),
                rating: Some(pb::Rating {
                    value: 4,
                    ..Default::default()
                }),
            },
            &c.user,
        ))
        .await
        .expect("rate");
    replica.refresh(db).await.expect("refresh");
    assert!(seen(&replica, "mobility").is_empty());
    assert_eq!(seen(&replica, "cycling"), ["Cycling guide"]);
    let id = guide.name.trim_start_matches("interlinkers/");
    assert_eq!(replica.get(id).map(|e| e.rating), Some(4.0));

    c.client()
        .deprecate_interlinker(with_token(
            pb::DeprecateInterlinkerRequest {
                name: guide.name.clone(),
            },
            &c.admin,
        ))
        .await
        .expect("deprecate");
    replica.refresh(db).await.expect("refresh");
    assert!(seen(&replica, "cycling").is_empty());
    assert_eq!(replica.len(), 0);
    c.server.stop().await;
}

/// Co-production's asset events count adoption, which recommendations
/// weigh; removals count down, never below zero; replays are the
/// consumer's inbox's business, so each event here counts once.
async fn adoption_follows_coproduction_asset_events(backend: Backend) {
    use interlink_catalogue::adoption::Adoption;
    use interlink_proto::coproduction::v1 as coproduction;
    use interlink_runtime::events::{EventHandler, EventType, NewEvent, user_actor};
    use sea_orm::TransactionTrait;

    let c = Catalogue::start(backend).await;
    let mut one = entry(&[("en", "Adopted guide")], &[("en", "Used a lot")]);
    one.problem_profiles = vec!["und-01".into()];
    let mut two = entry(&[("en", "Quiet guide")], &[("en", "Used less")]);
    two.problem_profiles = vec!["und-01".into()];
    let quiet = c.create_published(two).await;
    let adopted = c.create_published(one).await;
    let outbox = c.server.env.outbox();
    let asset_event = |added: bool, interlinker: &str| -> Event {
        let asset = Some(coproduction::Asset {
            name: format!("assets/{}", uuid::Uuid::now_v7()),
            kind: coproduction::AssetKind::Internal as i32,
            interlinker: interlinker.to_owned(),
            ..Default::default()
        });
        let actor = user_actor("ana");
        let made = if added {
            outbox.envelope(NewEvent {
                event_type: EventType::new("coproduction", "asset", "added"),
                actor,
                organization_id: "",
                aggregate_id: "a",
                aggregate_version: 1,
                payload: &coproduction::AssetAdded { asset },
            })
        } else {
            outbox.envelope(NewEvent {
                event_type: EventType::new("coproduction", "asset", "removed"),
                actor,
                organization_id: "",
                aggregate_id: "a",
                aggregate_version: 2,
                payload: &coproduction::AssetRemoved { asset },
            })
        };
        made.expect("envelope")
    };
    let events = [
        asset_event(true, &adopted.name),
        asset_event(true, &adopted.name),
        asset_event(true, &adopted.name),
        asset_event(false, &adopted.name),
        asset_event(false, &quiet.name),
    ];
    let db = &c.server.env.db;
    let txn = db.begin().await.expect("begin");
    for event in &events {
        Adoption.handle(&txn, event).await.expect("counted");
    }
    txn.commit().await.expect("commit");
    let read = |name: &str| {
        let mut client = c.client();
        let name = name.to_owned();
        async move {
            client
                .get_interlinker(pb::GetInterlinkerRequest { name })
                .await
                .expect("get")
                .into_inner()
                .adoption_count
        }
    };
    assert_eq!(read(&adopted.name).await, 2);
    assert_eq!(read(&quiet.name).await, 0, "never below zero");
    c.index.refresh(db).await.expect("refresh");
    let recommended = c
        .client()
        .recommend_interlinkers(pb::RecommendInterlinkersRequest {
            problem_profiles: vec!["und-01".into()],
            ..Default::default()
        })
        .await
        .expect("recommend")
        .into_inner()
        .recommendations;
    assert_eq!(
        recommended[0].interlinker.as_ref().map(|i| i.name.clone()),
        Some(adopted.name.clone())
    );
    assert!(recommended[0].score > recommended[1].score);
    c.server.stop().await;
}

on_both_backends!(
    interlinkers_go_from_draft_to_published_to_deprecated,
    only_editors_write_and_platform_admins_name_them,
    schemas_are_validated_and_versions_never_change,
    ratings_keep_an_exact_average,
    search_stems_each_language_and_ranks_titles_first,
    search_filters_facets_and_pages,
    related_and_recommended_follow_problem_profiles,
    bad_input_is_refused_by_field_and_changes_nothing,
    another_replica_index_follows_the_table,
    adoption_follows_coproduction_asset_events,
);
