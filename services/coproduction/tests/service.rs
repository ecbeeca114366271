//! The co-production service through its generated gRPC client, in process
//! on port 0, on PostgreSQL and on SQLite, with its projections fed by the
//! community's and the catalogue's events (the catalogue's are those its
//! real seed publishes).

use std::collections::BTreeMap;
use std::time::Duration;

use interlink_coproduction::events::Projections;
use interlink_coproduction::{CoproductionApi, Migrator};
use interlink_proto::common::v1::TranslatableText;
use interlink_proto::community::v1 as community;
use interlink_proto::coproduction::v1 as pb;
use interlink_proto::coproduction::v1::coproduction_service_client::CoproductionServiceClient;
use interlink_proto::coproduction::v1::coproduction_service_server::CoproductionServiceServer;
use interlink_proto::events::v1::Event;
use interlink_runtime::events::{EventHandler, EventType, NewEvent, Outbox, user_actor};
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::{
    Backend, TestEnv, TestServer, outbox_events, violated_fields, wait_until, with_token,
};
use sea_orm::TransactionTrait;
use tonic::Code;
use tonic::transport::Channel;

type Client = CoproductionServiceClient<Channel>;

const ORG: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10";
const OTHER_ORG: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a11";
const TEAM: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a20";

struct Coproduction {
    server: TestServer,
    /// Administrator of ORG (created it).
    ana: String,
    /// A member of TEAM in ORG.
    bea: String,
    /// Nobody in particular.
    carla: String,
    /// Builds the envelopes of the other services' events.
    outbox: Outbox,
}

impl Coproduction {
    async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |api, _| api).await
    }

    /// [`Coproduction::start`] with the API as `adjust` makes it.
    async fn start_with(
        backend: Backend,
        adjust: impl FnOnce(CoproductionApi, &TestEnv) -> CoproductionApi,
    ) -> Self {
        let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
        let outbox = env.outbox();
        let server = TestServer::start(env, interlink_coproduction::SERVICE_NAME, |env| {
            let mut routes = tonic::service::RoutesBuilder::default();
            routes.add_service(CoproductionServiceServer::new(adjust(
                CoproductionApi::new(env.db.clone(), env.outbox()),
                env,
            )));
            routes
        })
        .await;
        let c = Self {
            ana: server.token("ana", false),
            bea: server.token("bea", false),
            carla: server.token("carla", false),
            server,
            outbox,
        };
        let created = c.community_event(
            "organization",
            "created",
            "ana",
            ORG,
            &community::OrganizationCreated::default(),
        );
        let member = c.member_added("bea", TEAM, ORG);
        let users = ["ana", "bea", "carla"].map(|s| c.user_registered(s));
        c.feed(&[created, member]).await;
        c.feed(&users).await;
        c.feed(&seeded_schema_events().await).await;
        c
    }

    fn client(&self) -> Client {
        CoproductionServiceClient::new(self.server.channel.clone())
    }

    fn community_event<M: prost::Name>(
        &self,
        aggregate: &'static str,
        verb: &'static str,
        actor: &str,
        aggregate_id: &str,
        payload: &M,
    ) -> Event {
        self.outbox
            .envelope(NewEvent {
                event_type: EventType::new("community", aggregate, verb),
                actor: user_actor(actor),
                organization_id: "",
                aggregate_id,
                aggregate_version: 1,
                payload,
            })
            .expect("envelope")
    }

    /// Community's announcement of a user.
    fn user_registered(&self, subject: &str) -> Event {
        self.community_event(
            "user",
            "registered",
            subject,
            &interlink_runtime::api::user_id(subject),
            &community::UserRegistered {
                user: Some(community::User {
                    name: user(subject),
                    subject: subject.into(),
                    ..Default::default()
                }),
            },
        )
    }

    fn member_added(&self, subject: &str, team: &str, org: &str) -> Event {
        self.community_event(
            "team",
            "member_added",
            "ana",
            team,
            &community::TeamMemberAdded {
                member: Some(community::TeamMember {
                    team: format!("teams/{team}"),
                    subject: subject.into(),
                    ..Default::default()
                }),
                organization: format!("organizations/{org}"),
                team_type: community::TeamType::PublicAdministration as i32,
            },
        )
    }

    /// Applies events as the projection consumer does, one transaction.
    async fn feed(&self, events: &[Event]) {
        let txn = self.server.env.db.begin().await.expect("begin");
        for event in events {
            Projections.handle(&txn, event).await.expect("projection");
        }
        txn.commit().await.expect("commit");
    }

    async fn create(&self, token: &str, title: &str, public: bool) -> pb::Process {
        self.client()
            .create_process(with_token(
                pb::CreateProcessRequest {
                    process: Some(process(title, public)),
                },
                token,
            ))
            .await
            .expect("create process")
            .into_inner()
    }

    async fn build(&self, process: &pb::Process) -> pb::ProcessTree {
        self.client()
            .build_from_schema(with_token(
                pb::BuildFromSchemaRequest {
                    process: process.name.clone(),
                    schema: "schemas/default".into(),
                    version: 0,
                },
                &self.ana,
            ))
            .await
            .expect("build")
            .into_inner()
    }

    async fn set(&self, task: &str, status: pb::Status) -> Result<pb::ProcessTree, tonic::Status> {
        self.client()
            .set_task_status(with_token(
                pb::SetTaskStatusRequest {
                    task: task.into(),
                    status: status as i32,
                },
                &self.ana,
            ))
            .await
            .map(|r| r.into_inner())
    }
}

/// The first task of `tree` without prerequisites (one that can start).
fn free_task(tree: &pb::ProcessTree) -> String {
    tree.items
        .iter()
        .find(|i| i.kind == pb::ItemKind::Task as i32 && i.prerequisites.is_empty())
        .expect("task")
        .name
        .clone()
}

/// How the API names the person with this OIDC subject.
fn user(subject: &str) -> String {
    interlink_runtime::api::user_name(subject)
}

/// The events the catalogue publishes when it seeds itself.
async fn seeded_schema_events() -> Vec<Event> {
    let catalogue = TestEnv::new::<interlink_catalogue::Migrator>(Backend::Embedded, |_| {}).await;
    interlink_catalogue::seed::SeedData::load()
        .expect("seed")
        .apply(&catalogue.db, &catalogue.outbox(), |_| {})
        .await
        .expect("seeded");
    let events = outbox_events(&catalogue.db).await;
    catalogue.cleanup().await;
    events
}

fn process(title: &str, public: bool) -> pb::Process {
    pb::Process {
        title: title.into(),
        description: "Rethinking how residents report broken street lights".into(),
        aim: "Fewer dark streets".into(),
        language: "es".into(),
        public,
        intergovernmental_model: pb::IntergovernmentalModel::G2c as i32,
        organization: format!("organizations/{ORG}"),
        tags: vec!["mobility".into()],
        ..Default::default()
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

fn code<T>(result: Result<tonic::Response<T>, tonic::Status>) -> Code {
    match result {
        Ok(_) => Code::Ok,
        Err(status) => status.code(),
    }
}

fn mask(paths: &[&str]) -> Option<prost_types::FieldMask> {
    Some(prost_types::FieldMask {
        paths: paths.iter().map(|p| p.to_string()).collect(),
    })
}

fn by_key<'a>(tree: &'a pb::ProcessTree, key: &str) -> &'a pb::TreeItem {
    tree.items
        .iter()
        .find(|i| i.schema_key == key)
        .unwrap_or_else(|| panic!("no item {key}"))
}

fn children<'a>(tree: &'a pb::ProcessTree, parent: &str) -> Vec<&'a pb::TreeItem> {
    tree.items.iter().filter(|i| i.parent == parent).collect()
}

async fn a_process_is_built_from_the_seeded_default_schema(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let p = c.create(&c.ana, "Street lights", false).await;
    let tree = c.build(&p).await;
    let process = tree.process.clone().expect("process");
    assert_eq!(process.schema, "schemas/default");
    assert_eq!(process.schema_version, 1);
    let phases: Vec<&str> = tree
        .items
        .iter()
        .filter(|i| i.kind == pb::ItemKind::Phase as i32)
        .map(|i| i.schema_key.as_str())
        .collect();
    assert_eq!(phases, ["engage", "design", "build", "sustain"]);
    let kinds = |k: pb::ItemKind| tree.items.iter().filter(|i| i.kind == k as i32).count();
    assert_eq!(
        (
            kinds(pb::ItemKind::Phase),
            kinds(pb::ItemKind::Objective),
            kinds(pb::ItemKind::Task)
        ),
        (4, 12, 33)
    );
    // Prerequisites point at the new items, not at schema keys.
    let engage = by_key(&tree, "engage");
    let design = by_key(&tree, "design");
    assert!(engage.name.starts_with("phases/"));
    assert_eq!(design.prerequisites, std::slice::from_ref(&engage.name));
    assert!(by_key(&tree, "build").co_delivery);
    // Tree order: each phase followed by its objectives and their tasks.
    assert_eq!(tree.items[0].name, engage.name);
    assert_eq!(tree.items[1].parent, engage.name);
    assert_eq!(tree.items[2].parent, tree.items[1].name);
    for task in tree
        .items
        .iter()
        .filter(|i| i.kind == pb::ItemKind::Task as i32)
    {
        assert!(!task.problem_profiles.is_empty(), "{}", task.schema_key);
        assert_eq!(task.status, pb::Status::Awaiting as i32);
    }
    // A second build is refused until the tree is cleared.
    let again = c
        .client()
        .build_from_schema(with_token(
            pb::BuildFromSchemaRequest {
                process: p.name.clone(),
                schema: "schemas/hackathon".into(),
                version: 0,
            },
            &c.ana,
        ))
        .await
        .expect_err("second build");
    assert_eq!(again.code(), Code::FailedPrecondition);
    assert!(again.message().contains("clear it first"), "{again:?}");
    let cleared = c
        .client()
        .clear_tree(with_token(
            pb::ClearTreeRequest {
                process: p.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("clear")
        .into_inner();
    assert!(cleared.schema.is_empty());
    let hackathon = c
        .client()
        .build_from_schema(with_token(
            pb::BuildFromSchemaRequest {
                process: p.name.clone(),
                schema: "schemas/hackathon".into(),
                version: 1,
            },
            &c.ana,
        ))
        .await
        .expect("build hackathon")
        .into_inner();
    assert_eq!(hackathon.items.len(), 3 + 7 + 16);
    // A schema co-production has not heard of: a clear refusal.
    let p2 = c.create(&c.ana, "Parks", false).await;
    for (schema, version, words) in [
        (
            "schemas/unheard-of",
            0,
            "no published version of schemas/unheard-of",
        ),
        ("schemas/default", 7, "version 7 of schemas/default"),
    ] {
        let refused = c
            .client()
            .build_from_schema(with_token(
                pb::BuildFromSchemaRequest {
                    process: p2.name.clone(),
                    schema: schema.into(),
                    version,
                },
                &c.ana,
            ))
            .await
            .expect_err("unknown schema");
        assert_eq!(refused.code(), Code::FailedPrecondition);
        assert!(refused.message().contains(words), "{refused:?}");
    }
    let types: Vec<String> = c
        .server
        .outbox_events()
        .await
        .into_iter()
        .map(|e| e.r#type)
        .collect();
    assert_eq!(
        types,
        [
            "coproduction.process.created",
            "coproduction.process.schema_set",
            "coproduction.process.schema_cleared",
            "coproduction.process.schema_set",
            "coproduction.process.created",
        ]
    );
    c.server.stop().await;
}

async fn statuses_roll_up_and_prerequisites_hold_tasks_back(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let p = c.create(&c.ana, "Street lights", false).await;
    let tree = c.build(&p).await;
    let engage = by_key(&tree, "engage").name.clone();
    let design = by_key(&tree, "design").name.clone();
    let engage_objectives: Vec<String> = children(&tree, &engage)
        .iter()
        .map(|o| o.name.clone())
        .collect();
    let first_objective = engage_objectives[0].clone();
    let tasks: Vec<(String, Vec<String>)> = children(&tree, &first_objective)
        .iter()
        .map(|t| (t.name.clone(), t.prerequisites.clone()))
        .collect();
    // A task whose sibling prerequisites are met.
    let (free, _) = tasks
        .iter()
        .find(|(_, pre)| pre.is_empty())
        .cloned()
        .expect("a task without prerequisites");

    // A design task cannot start while Engage is not finished.
    let design_task = tree
        .items
        .iter()
        .find(|i| {
            i.kind == pb::ItemKind::Task as i32
                && children(&tree, &design).iter().any(|o| o.name == i.parent)
                && i.prerequisites.is_empty()
        })
        .expect("a design task")
        .name
        .clone();
    let refused = c
        .set(&design_task, pb::Status::InProgress)
        .await
        .expect_err("engage first");
    assert_eq!(refused.code(), Code::FailedPrecondition);
    assert!(refused.message().contains(&engage), "{refused:?}");

    // One task in progress: its objective, phase and the process move.
    let after = c.set(&free, pb::Status::InProgress).await.expect("start");
    let n = tasks.len() as f64;
    let objective = after
        .items
        .iter()
        .find(|i| i.name == first_objective)
        .expect("objective");
    assert_eq!(objective.status, pb::Status::InProgress as i32);
    assert_eq!(objective.progress, 50.0 / n);
    let engage_now = after
        .items
        .iter()
        .find(|i| i.name == engage)
        .expect("engage");
    assert_eq!(engage_now.status, pb::Status::InProgress as i32);
    assert_eq!(engage_now.progress, 50.0 / engage_objectives.len() as f64);
    let process = after.process.clone().expect("process");
    assert_eq!(process.status, pb::Status::InProgress as i32);
    assert_eq!(process.progress, 50.0 / 4.0);

    // Finishing every Engage task (in an order their prerequisites allow)
    // finishes Engage, and the design task may start.
    let mut remaining: Vec<String> = after
        .items
        .iter()
        .filter(|i| i.kind == pb::ItemKind::Task as i32 && engage_objectives.contains(&i.parent))
        .map(|i| i.name.clone())
        .collect();
    let mut rounds = 0;
    while !remaining.is_empty() {
        rounds += 1;
        assert!(rounds < 50, "prerequisites never let {remaining:?} finish");
        let mut left = Vec::new();
        for task in remaining {
            if c.set(&task, pb::Status::Finished).await.is_err() {
                left.push(task);
            }
        }
        remaining = left;
    }
    let tree = c
        .set(&design_task, pb::Status::InProgress)
        .await
        .expect("design may start");
    let engage_now = tree
        .items
        .iter()
        .find(|i| i.name == engage)
        .expect("engage");
    assert_eq!(
        (engage_now.status, engage_now.progress),
        (pb::Status::Finished as i32, 100.0)
    );
    let process = tree.process.clone().expect("process");
    // Engage finished (1) + Design in progress (1/2), over 4 phases.
    assert_eq!(process.progress, 150.0 / 4.0);

    // Disabling the Design phase takes it out of the roll-up.
    c.client()
        .disable_item(with_token(
            pb::DisableItemRequest {
                name: design.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("disable");
    let tree = c
        .client()
        .get_tree(with_token(
            pb::GetTreeRequest {
                process: p.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("tree")
        .into_inner();
    let process = tree.process.clone().expect("process");
    assert_eq!(process.progress, 100.0 / 3.0);
    let disabled: Vec<&pb::TreeItem> = tree.items.iter().filter(|i| i.disabled).collect();
    assert!(disabled.iter().any(|i| i.name == design));
    assert!(disabled.iter().all(|i| i.disabled_by == user("ana")));
    assert_eq!(
        disabled.len(),
        1 + children(&tree, &design).len()
            + tree
                .items
                .iter()
                .filter(|i| children(&tree, &design).iter().any(|o| o.name == i.parent))
                .count()
    );
    // A disabled task no longer moves.
    assert_eq!(
        c.set(&design_task, pb::Status::Finished)
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::FailedPrecondition)
    );
    // Each change went out with its roll-up.
    let changes: Vec<Event> = c
        .server
        .outbox_events()
        .await
        .into_iter()
        .filter(|e| e.r#type == "coproduction.task.status_changed")
        .collect();
    let first: pb::TaskStatusChanged = changes[0]
        .payload
        .as_ref()
        .expect("payload")
        .to_msg()
        .expect("decodes");
    assert_eq!(first.old_status, pb::Status::Awaiting as i32);
    assert_eq!(first.new_status, pb::Status::InProgress as i32);
    assert_eq!(first.process_progress, 12.5);
    assert_eq!(first.phase.map(|p| p.name), Some(engage));
    assert_eq!(changes[0].organization_id, ORG);
    c.server.stop().await;
}

async fn processes_are_seen_by_those_concerned_and_kept_by_their_administrators(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    // Only members and administrators of the organisation open processes.
    assert_eq!(
        code(
            client
                .create_process(with_token(
                    pb::CreateProcessRequest {
                        process: Some(process("Outsider", false))
                    },
                    &c.carla
                ))
                .await
        ),
        Code::PermissionDenied
    );
    assert_eq!(
        code(
            client
                .create_process(pb::CreateProcessRequest {
                    process: Some(process("Anonymous", false))
                })
                .await
        ),
        Code::Unauthenticated
    );
    let private = c.create(&c.bea, "Private", false).await;
    assert_eq!(private.administrators, [user("bea")]);
    assert_eq!(private.creator, user("bea"));
    let public = c.create(&c.ana, "Public", true).await;

    // Private: its administrators and the organisation's administrators.
    let get = |token: Option<String>, name: String| {
        let mut client = c.client();
        async move {
            let request = pb::GetProcessRequest { name };
            match token {
                Some(t) => code(client.get_process(with_token(request, &t)).await),
                None => code(client.get_process(request).await),
            }
        }
    };
    assert_eq!(
        get(Some(c.bea.clone()), private.name.clone()).await,
        Code::Ok
    );
    assert_eq!(
        get(Some(c.ana.clone()), private.name.clone()).await,
        Code::Ok
    );
    assert_eq!(
        get(Some(c.carla.clone()), private.name.clone()).await,
        Code::NotFound
    );
    assert_eq!(get(None, private.name.clone()).await, Code::NotFound);
    assert_eq!(get(None, public.name.clone()).await, Code::Ok);

    // Lists: what each may see, newest first, with filters.
    let list = |token: Option<String>, request: pb::ListProcessesRequest| {
        let mut client = c.client();
        async move {
            let response = match token {
                Some(t) => client.list_processes(with_token(request, &t)).await,
                None => client.list_processes(request).await,
            };
            response
                .expect("list")
                .into_inner()
                .processes
                .into_iter()
                .map(|p| p.title)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(list(None, Default::default()).await, ["Public"]);
    assert_eq!(
        list(Some(c.carla.clone()), Default::default()).await,
        ["Public"]
    );
    assert_eq!(
        list(Some(c.ana.clone()), Default::default()).await,
        ["Public", "Private"]
    );
    assert_eq!(
        list(
            Some(c.ana.clone()),
            pb::ListProcessesRequest {
                mine: true,
                ..Default::default()
            }
        )
        .await,
        ["Public"]
    );
    assert_eq!(
        list(
            Some(c.bea.clone()),
            pb::ListProcessesRequest {
                public_only: true,
                ..Default::default()
            }
        )
        .await,
        ["Public"]
    );
    assert!(
        list(
            Some(c.ana.clone()),
            pb::ListProcessesRequest {
                organization: format!("organizations/{OTHER_ORG}"),
                ..Default::default()
            }
        )
        .await
        .is_empty()
    );
    assert!(
        list(
            Some(c.ana.clone()),
            pb::ListProcessesRequest {
                status: pb::Status::Finished as i32,
                ..Default::default()
            }
        )
        .await
        .is_empty()
    );
    let first = client
        .list_processes(with_token(
            pb::ListProcessesRequest {
                page_size: 1,
                ..Default::default()
            },
            &c.ana,
        ))
        .await
        .expect("page")
        .into_inner();
    let second = client
        .list_processes(with_token(
            pb::ListProcessesRequest {
                page_size: 1,
                page_token: first.next_page_token.clone(),
                ..Default::default()
            },
            &c.ana,
        ))
        .await
        .expect("page 2")
        .into_inner();
    assert_eq!(first.processes[0].title, "Public");
    assert_eq!(second.processes[0].title, "Private");

    // Updates with a mask, by administrators only.
    let update = |token: &str, title: &str| {
        with_token(
            pb::UpdateProcessRequest {
                process: Some(pb::Process {
                    name: private.name.clone(),
                    title: title.into(),
                    public: true,
                    ..Default::default()
                }),
                update_mask: mask(&["title"]),
            },
            token,
        )
    };
    assert_eq!(
        code(client.update_process(update(&c.ana, "x")).await),
        Code::PermissionDenied
    );
    assert_eq!(
        code(client.update_process(update(&c.carla, "x")).await),
        Code::NotFound
    );
    let renamed = client
        .update_process(update(&c.bea, "Private lights"))
        .await
        .expect("rename")
        .into_inner();
    assert_eq!(renamed.title, "Private lights");
    assert!(!renamed.public, "unmasked fields stay");
    assert_eq!(renamed.description, private.description);

    // Administrators: never zero.
    // Named as community names them: `users/{id}`.
    let admins = |subject: &str, add: bool, token: &str| {
        let mut client = c.client();
        let (process, user, token) = (private.name.clone(), user(subject), token.to_owned());
        async move {
            if add {
                client
                    .add_process_administrator(with_token(
                        pb::AddProcessAdministratorRequest {
                            process,
                            user,
                            ..Default::default()
                        },
                        &token,
                    ))
                    .await
            } else {
                client
                    .remove_process_administrator(with_token(
                        pb::RemoveProcessAdministratorRequest {
                            process,
                            user,
                            ..Default::default()
                        },
                        &token,
                    ))
                    .await
            }
        }
    };
    // Only a user community announced can be made an administrator.
    let unannounced = admins("zoe", true, &c.bea).await.expect_err("zoe");
    assert_eq!(unannounced.code(), Code::NotFound);
    c.feed(&[c.user_registered("zoe")]).await;
    assert_eq!(
        code(admins("bea", false, &c.bea).await),
        Code::FailedPrecondition
    );
    let two = admins("carla", true, &c.bea)
        .await
        .expect("add")
        .into_inner();
    assert_eq!(two.administrators, [user("bea"), user("carla")]);
    let one = admins("bea", false, &c.carla)
        .await
        .expect("remove")
        .into_inner();
    assert_eq!(one.administrators, [user("carla")]);
    // The older way, by subject, still works.
    let by_subject = c
        .client()
        .add_process_administrator(with_token(
            pb::AddProcessAdministratorRequest {
                process: private.name.clone(),
                subject: "zoe".into(),
                ..Default::default()
            },
            &c.carla,
        ))
        .await
        .expect("by subject")
        .into_inner();
    assert_eq!(by_subject.administrators, [user("carla"), user("zoe")]);
    // Both ways at once is ambiguous.
    let both = c
        .client()
        .add_process_administrator(with_token(
            pb::AddProcessAdministratorRequest {
                process: private.name.clone(),
                subject: "zoe".into(),
                user: user("zoe"),
            },
            &c.carla,
        ))
        .await
        .expect_err("both");
    assert_eq!(violated_fields(&both), ["user"]);
    assert_eq!(code(admins("dan", true, &c.bea).await), Code::NotFound);

    // Deleted with its tree.
    c.build(&public).await;
    client
        .delete_process(with_token(
            pb::DeleteProcessRequest {
                name: public.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("delete");
    assert_eq!(
        get(Some(c.ana.clone()), public.name.clone()).await,
        Code::NotFound
    );
    c.server.stop().await;
}

async fn items_added_by_hand_keep_the_tree_rules(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    let p = c.create(&c.ana, "Hand made", false).await;
    let add = |kind: pb::ItemKind, parent: &str, title: &str, prerequisites: Vec<String>| {
        let mut client = c.client();
        let request = with_token(
            pb::AddItemRequest {
                process: p.name.clone(),
                item: Some(pb::TreeItem {
                    kind: kind as i32,
                    parent: parent.into(),
                    title: text(&[("es", title)]),
                    prerequisites,
                    ..Default::default()
                }),
            },
            &c.ana,
        );
        async move { client.add_item(request).await.map(|r| r.into_inner()) }
    };
    let phase = add(pb::ItemKind::Phase, "", "Escuchar", vec![])
        .await
        .expect("phase");
    let objective = add(pb::ItemKind::Objective, &phase.name, "Entender", vec![])
        .await
        .expect("objective");
    let t1 = add(pb::ItemKind::Task, &objective.name, "Encuesta", vec![])
        .await
        .expect("t1");
    let t2 = add(
        pb::ItemKind::Task,
        &objective.name,
        "Taller",
        vec![t1.name.clone()],
    )
    .await
    .expect("t2");
    assert_eq!(t2.prerequisites, std::slice::from_ref(&t1.name));

    // A task under a phase, a prerequisite that is no sibling, a cycle.
    let wrong_parent = add(pb::ItemKind::Task, &phase.name, "x", vec![])
        .await
        .expect_err("task under phase");
    assert_eq!(violated_fields(&wrong_parent), ["item.parent"]);
    let cross = add(
        pb::ItemKind::Task,
        &objective.name,
        "x",
        vec![phase.name.clone()],
    )
    .await
    .expect_err("cross level");
    assert_eq!(violated_fields(&cross), ["item.prerequisites[0]"]);
    let cycle = client
        .update_item(with_token(
            pb::UpdateItemRequest {
                item: Some(pb::TreeItem {
                    name: t1.name.clone(),
                    prerequisites: vec![t2.name.clone()],
                    ..Default::default()
                }),
                update_mask: mask(&["prerequisites"]),
            },
            &c.ana,
        ))
        .await
        .expect_err("cycle");
    assert_eq!(violated_fields(&cycle), ["item.prerequisites"]);
    assert!(cycle.message().contains("cycle"), "{cycle:?}");
    // An item of another process is no sibling either.
    let other = c.create(&c.ana, "Other", false).await;
    let foreign_tree = c.build(&other).await;
    let foreign_task = foreign_tree
        .items
        .iter()
        .find(|i| i.kind == pb::ItemKind::Task as i32)
        .expect("task")
        .name
        .clone();
    let foreign = add(
        pb::ItemKind::Task,
        &objective.name,
        "x",
        vec![foreign_task.clone()],
    )
    .await
    .expect_err("foreign prerequisite");
    assert_eq!(violated_fields(&foreign), ["item.prerequisites[0]"]);
    let foreign_parent = add(pb::ItemKind::Task, &foreign_tree.items[1].name, "x", vec![])
        .await
        .expect_err("foreign parent");
    assert_eq!(violated_fields(&foreign_parent), ["item.parent"]);

    // Dates and effort on tasks; parents span their tasks' dates.
    let day = |d: i64| prost_types::Timestamp {
        seconds: 1_800_000_000 + d * 86_400,
        nanos: 0,
    };
    let dated = client
        .update_item(with_token(
            pb::UpdateItemRequest {
                item: Some(pb::TreeItem {
                    name: t2.name.clone(),
                    start_time: Some(day(1)),
                    end_time: Some(day(9)),
                    effort: Some(pb::Effort {
                        management: 2,
                        development: 5,
                        exploitation: 1,
                    }),
                    ..Default::default()
                }),
                update_mask: mask(&["start_time", "end_time", "effort"]),
            },
            &c.ana,
        ))
        .await
        .expect("dates")
        .into_inner();
    assert_eq!(dated.effort.map(|e| e.development), Some(5));
    let tree = client
        .get_tree(with_token(
            pb::GetTreeRequest {
                process: p.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("tree")
        .into_inner();
    let phase_now = tree
        .items
        .iter()
        .find(|i| i.name == phase.name)
        .expect("phase");
    assert_eq!(phase_now.start_time, Some(day(1)));
    assert_eq!(phase_now.end_time, Some(day(9)));
    assert_eq!(tree.process.and_then(|p| p.end_time), Some(day(9)));
    let backwards = client
        .update_item(with_token(
            pb::UpdateItemRequest {
                item: Some(pb::TreeItem {
                    name: t2.name.clone(),
                    end_time: Some(day(0)),
                    ..Default::default()
                }),
                update_mask: mask(&["end_time"]),
            },
            &c.ana,
        ))
        .await
        .expect_err("end before start");
    assert_eq!(violated_fields(&backwards), ["item.end_time"]);
    // t2 waits for t1.
    let held = c
        .set(&t2.name, pb::Status::InProgress)
        .await
        .expect_err("t1 first");
    assert!(held.message().contains(&t1.name), "{held:?}");
    // Only administrators edit the tree.
    assert_eq!(
        code(
            client
                .disable_item(with_token(
                    pb::DisableItemRequest {
                        name: t1.name.clone()
                    },
                    &c.carla
                ))
                .await
        ),
        Code::NotFound
    );
    // Disabling t1 releases t2.
    client
        .disable_item(with_token(
            pb::DisableItemRequest {
                name: t1.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("disable");
    c.set(&t2.name, pb::Status::InProgress)
        .await
        .expect("t2 starts");
    assert_eq!(
        code(
            client
                .disable_item(with_token(
                    pb::DisableItemRequest {
                        name: t1.name.clone()
                    },
                    &c.ana
                ))
                .await
        ),
        Code::FailedPrecondition
    );
    c.server.stop().await;
}

async fn bad_input_is_refused_by_field_and_changes_nothing(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    let p = c.create(&c.ana, "Kept", false).await;
    let before = c.server.outbox_events().await.len();
    macro_rules! a {
        ($m:expr) => {
            with_token($m, &c.ana)
        };
    }
    let mut bad = process("", false);
    bad.language = "spanish".into();
    bad.logo_uri = "ftp://x".into();
    bad.organization = "organizations/nope".into();
    bad.intergovernmental_model = 9;
    bad.tags = vec![String::new()];
    bad.aim = "x".repeat(10_001);
    assert_eq!(
        violated_fields(
            &client
                .create_process(a!(pb::CreateProcessRequest { process: Some(bad) }))
                .await
                .expect_err("bad process")
        ),
        [
            "process.organization",
            "process.title",
            "process.aim",
            "process.language",
            "process.logo_uri",
            "process.intergovernmental_model",
            "process.tags[0]"
        ]
    );
    // Titles people could not read, or that read differently from what
    // they are.
    for title in [
        "\u{200B}\u{200C}\u{2060}",
        "\u{1}\u{2}\u{3}",
        "invoice\u{202E}fdp.exe",
        "unassigned \u{0378}",
    ] {
        assert_eq!(
            violated_fields(
                &client
                    .create_process(a!(pb::CreateProcessRequest {
                        process: Some(process(title, false))
                    }))
                    .await
                    .expect_err("unreadable title")
            ),
            ["process.title"],
            "{title:?}"
        );
    }
    assert_eq!(
        violated_fields(
            &client
                .create_process(a!(pb::CreateProcessRequest { process: None }))
                .await
                .expect_err("no process")
        ),
        ["process"]
    );
    for name in [
        "",
        "processes/",
        "processes/42",
        &format!("organizations/{ORG}"),
    ] {
        assert_eq!(
            violated_fields(
                &client
                    .get_process(pb::GetProcessRequest { name: name.into() })
                    .await
                    .expect_err("get")
            ),
            ["name"]
        );
        assert_eq!(
            code(
                client
                    .delete_process(a!(pb::DeleteProcessRequest { name: name.into() }))
                    .await
            ),
            Code::InvalidArgument
        );
        assert_eq!(
            code(
                client
                    .get_tree(a!(pb::GetTreeRequest {
                        process: name.into()
                    }))
                    .await
            ),
            Code::InvalidArgument
        );
        assert_eq!(
            code(
                client
                    .clear_tree(a!(pb::ClearTreeRequest {
                        process: name.into()
                    }))
                    .await
            ),
            Code::InvalidArgument
        );
        assert_eq!(
            code(
                client
                    .add_process_administrator(a!(pb::AddProcessAdministratorRequest {
                        process: name.into(),
                        subject: "x".into(),
                        ..Default::default()
                    }))
                    .await
            ),
            Code::InvalidArgument
        );
    }
    assert_eq!(
        violated_fields(
            &client
                .add_process_administrator(a!(pb::AddProcessAdministratorRequest {
                    process: p.name.clone(),
                    subject: "a b".into(),
                    ..Default::default()
                }))
                .await
                .expect_err("subject")
        ),
        ["subject"]
    );
    assert_eq!(
        violated_fields(
            &client
                .list_processes(a!(pb::ListProcessesRequest {
                    page_size: -1,
                    page_token: "x".into(),
                    organization: "orgs/1".into(),
                    status: 9,
                    ..Default::default()
                }))
                .await
                .expect_err("list")
        ),
        ["page_size", "page_token", "organization", "status"]
    );
    assert_eq!(
        code(
            client
                .list_processes(pb::ListProcessesRequest {
                    mine: true,
                    ..Default::default()
                })
                .await
        ),
        Code::Unauthenticated
    );
    assert_eq!(
        violated_fields(
            &client
                .update_process(a!(pb::UpdateProcessRequest {
                    process: Some(pb::Process {
                        name: p.name.clone(),
                        ..Default::default()
                    }),
                    update_mask: mask(&["organization", "status"]),
                }))
                .await
                .expect_err("mask")
        ),
        ["update_mask.paths[0]", "update_mask.paths[1]"]
    );
    assert_eq!(
        violated_fields(
            &client
                .update_process(a!(pb::UpdateProcessRequest {
                    process: Some(pb::Process {
                        name: p.name.clone(),
                        ..Default::default()
                    }),
                    update_mask: mask(&["title"]),
                }))
                .await
                .expect_err("blank title")
        ),
        ["process.title"]
    );
    assert_eq!(
        violated_fields(
            &client
                .build_from_schema(a!(pb::BuildFromSchemaRequest {
                    process: "processes/x".into(),
                    schema: "schemas/Bad Id".into(),
                    version: -1,
                }))
                .await
                .expect_err("build")
        ),
        ["process", "schema", "version"]
    );
    // Items.
    let item = |kind: i32, parent: &str| pb::AddItemRequest {
        process: p.name.clone(),
        item: Some(pb::TreeItem {
            kind,
            parent: parent.into(),
            title: text(&[("es", "x")]),
            ..Default::default()
        }),
    };
    assert_eq!(
        violated_fields(&client.add_item(a!(item(0, ""))).await.expect_err("kind")),
        ["item.kind"]
    );
    assert_eq!(
        violated_fields(&client.add_item(a!(item(7, ""))).await.expect_err("kind")),
        ["item.kind"]
    );
    assert_eq!(
        violated_fields(
            &client
                .add_item(a!(item(pb::ItemKind::Phase as i32, "phases/x")))
                .await
                .expect_err("parent")
        ),
        ["item.parent"]
    );
    assert_eq!(
        violated_fields(
            &client
                .add_item(a!(item(pb::ItemKind::Objective as i32, "")))
                .await
                .expect_err("parent")
        ),
        ["item.parent"]
    );
    let mut untitled = item(pb::ItemKind::Phase as i32, "");
    if let Some(i) = untitled.item.as_mut() {
        i.title = None;
        i.effort = Some(pb::Effort::default());
        i.problem_profiles = vec!["org-01".into()];
    }
    assert_eq!(
        violated_fields(
            &client
                .add_item(a!(untitled))
                .await
                .expect_err("phase with task fields")
        ),
        ["item.problem_profiles", "item.effort", "item.title"]
    );
    let mut task_fields = item(pb::ItemKind::Phase as i32, "");
    if let Some(i) = task_fields.item.as_mut() {
        i.title = text(&[("es", "ok")]);
    }
    let phase = client
        .add_item(a!(task_fields))
        .await
        .expect("phase")
        .into_inner();
    let objective = client
        .add_item(a!(item(pb::ItemKind::Objective as i32, &phase.name)))
        .await
        .expect("objective")
        .into_inner();
    let mut bad_task = item(pb::ItemKind::Task as i32, &objective.name);
    if let Some(i) = bad_task.item.as_mut() {
        i.problem_profiles = vec!["Not A Code".into()];
        i.effort = Some(pb::Effort {
            management: -1,
            development: 0,
            exploitation: 10_001,
        });
        i.prerequisites = vec!["tasks/nope".into()];
    }
    assert_eq!(
        violated_fields(&client.add_item(a!(bad_task)).await.expect_err("bad task")),
        [
            "item.prerequisites[0]",
            "item.problem_profiles[0]",
            "item.effort.management",
            "item.effort.exploitation"
        ]
    );
    for name in [
        "",
        "tasks/",
        "items/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10",
        "tasks/x",
    ] {
        assert_eq!(
            code(
                client
                    .disable_item(a!(pb::DisableItemRequest { name: name.into() }))
                    .await
            ),
            Code::InvalidArgument,
            "{name}"
        );
        assert_eq!(
            code(
                client
                    .set_task_status(a!(pb::SetTaskStatusRequest {
                        task: name.into(),
                        status: pb::Status::Finished as i32
                    }))
                    .await
            ),
            Code::InvalidArgument,
            "{name}"
        );
    }
    // A name of the wrong kind finds nothing.
    assert_eq!(
        code(
            client
                .set_task_status(a!(pb::SetTaskStatusRequest {
                    task: objective.name.replace("objectives/", "tasks/"),
                    status: pb::Status::Finished as i32
                }))
                .await
        ),
        Code::NotFound
    );
    assert_eq!(
        violated_fields(
            &client
                .set_task_status(a!(pb::SetTaskStatusRequest {
                    task: objective.name.replace("objectives/", "tasks/"),
                    status: 0
                }))
                .await
                .expect_err("status")
        ),
        ["status"]
    );
    assert_eq!(
        violated_fields(
            &client
                .update_item(a!(pb::UpdateItemRequest {
                    item: Some(pb::TreeItem {
                        name: phase.name.clone(),
                        ..Default::default()
                    }),
                    update_mask: mask(&["kind"]),
                }))
                .await
                .expect_err("mask")
        ),
        ["update_mask.paths[0]"]
    );
    // Grants, permissions and assets.
    assert_eq!(
        violated_fields(
            &client
                .create_grant(a!(pb::CreateGrantRequest {
                    parent: "processes/1".into(),
                    grant: Some(pb::Grant {
                        team: "team-1".into(),
                        item: "steps/1".into(),
                        ..Default::default()
                    }),
                }))
                .await
                .expect_err("grant")
        ),
        ["parent", "grant.team", "grant.item", "grant"]
    );
    let other = c.create(&c.ana, "Other", false).await;
    let other_tree = c.build(&other).await;
    assert_eq!(
        violated_fields(
            &client
                .create_grant(a!(pb::CreateGrantRequest {
                    parent: p.name.clone(),
                    grant: Some(pb::Grant {
                        team: format!("teams/{TEAM}"),
                        item: other_tree.items[0].name.clone(),
                        access_assets: true,
                        ..Default::default()
                    }),
                }))
                .await
                .expect_err("foreign item")
        ),
        ["grant.item"]
    );
    assert_eq!(
        code(
            client
                .create_grant(a!(pb::CreateGrantRequest {
                    parent: p.name.clone(),
                    grant: Some(pb::Grant {
                        team: "teams/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a99".into(),
                        access_assets: true,
                        ..Default::default()
                    }),
                }))
                .await
        ),
        Code::FailedPrecondition
    );
    for name in ["", "processes/x/grants/y", &format!("{}/grants/1", p.name)] {
        assert_eq!(
            violated_fields(
                &client
                    .delete_grant(a!(pb::DeleteGrantRequest { name: name.into() }))
                    .await
                    .expect_err("grant name")
            ),
            ["name"]
        );
    }
    for target in ["", "teams/x", "tasks/1"] {
        assert_eq!(
            violated_fields(
                &client
                    .get_my_permissions(a!(pb::GetMyPermissionsRequest {
                        target: target.into()
                    }))
                    .await
                    .expect_err("target")
            ),
            ["target"]
        );
    }
    let task = other_tree
        .items
        .iter()
        .find(|i| i.kind == pb::ItemKind::Task as i32)
        .expect("task")
        .name
        .clone();
    let asset = |kind: i32, interlinker: &str, name: &str, uri: &str| pb::CreateAssetRequest {
        parent: task.clone(),
        asset: Some(pb::Asset {
            kind,
            interlinker: interlinker.into(),
            display_name: name.into(),
            uri: uri.into(),
            ..Default::default()
        }),
    };
    for (request, fields) in [
        (asset(0, "", "", ""), vec!["asset.kind"]),
        (asset(9, "", "", ""), vec!["asset.kind"]),
        (
            asset(
                pb::AssetKind::External as i32,
                "interlinkers/x",
                "",
                "ftp://x",
            ),
            vec!["asset.interlinker", "asset.display_name", "asset.uri"],
        ),
        (
            asset(
                pb::AssetKind::Internal as i32,
                "interlinkers/x",
                "",
                "https://x.org",
            ),
            vec!["asset.interlinker", "asset.uri"],
        ),
        (
            pb::CreateAssetRequest {
                parent: "phases/1".into(),
                asset: None,
            },
            vec!["parent", "asset"],
        ),
    ] {
        assert_eq!(
            violated_fields(&client.create_asset(a!(request)).await.expect_err("asset")),
            fields
        );
    }
    for name in ["", "assets/1", "tasks/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10"] {
        assert_eq!(
            code(
                client
                    .get_asset(a!(pb::GetAssetRequest { name: name.into() }))
                    .await
            ),
            Code::InvalidArgument
        );
        assert_eq!(
            code(
                client
                    .delete_asset(a!(pb::DeleteAssetRequest { name: name.into() }))
                    .await
            ),
            Code::InvalidArgument
        );
    }
    assert_eq!(
        code(
            client
                .list_assets(a!(pb::ListAssetsRequest {
                    parent: "assets/1".into()
                }))
                .await
        ),
        Code::InvalidArgument
    );
    assert_eq!(
        code(
            client
                .get_asset(a!(pb::GetAssetRequest {
                    name: "assets/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10".into()
                }))
                .await
        ),
        Code::NotFound
    );

    // Claims, stories, clone, export, import.
    assert_eq!(
        violated_fields(
            &client
                .create_claim(a!(pb::CreateClaimRequest {
                    parent: "processes/x".into(),
                    claim: Some(pb::Claim {
                        target: "phases/1".into(),
                        r#type: 0,
                        description: "x".repeat(2_001),
                        ..Default::default()
                    }),
                }))
                .await
                .expect_err("claim")
        ),
        ["parent", "claim.target", "claim.type", "claim.description"]
    );
    assert_eq!(
        violated_fields(
            &client
                .create_claim(a!(pb::CreateClaimRequest {
                    parent: p.name.clone(),
                    claim: None,
                }))
                .await
                .expect_err("no claim")
        ),
        ["claim"]
    );
    assert_eq!(
        code(
            client
                .create_claim(a!(pb::CreateClaimRequest {
                    parent: p.name.clone(),
                    claim: Some(pb::Claim {
                        target: task.clone(),
                        r#type: pb::ClaimType::Management as i32,
                        ..Default::default()
                    }),
                }))
                .await
        ),
        Code::InvalidArgument,
        "a task of another process"
    );
    for name in ["", "processes/x/claims/y", &format!("{}/claims/1", p.name)] {
        assert_eq!(
            code(
                client
                    .decide_claim(a!(pb::DecideClaimRequest {
                        name: name.into(),
                        accept: true
                    }))
                    .await
            ),
            Code::InvalidArgument
        );
    }
    assert_eq!(
        violated_fields(
            &client
                .create_story(a!(pb::CreateStoryRequest {
                    parent: p.name.clone(),
                    story: Some(pb::Story {
                        title: " ".into(),
                        keywords: vec![String::new(); 31],
                        start_time: Some(prost_types::Timestamp {
                            seconds: 100,
                            nanos: 0
                        }),
                        end_time: Some(prost_types::Timestamp {
                            seconds: 50,
                            nanos: 0
                        }),
                        ..Default::default()
                    }),
                }))
                .await
                .expect_err("story")
        )[..3],
        ["story.title", "story.keywords", "story.keywords[0]"]
    );
    assert_eq!(
        code(
            client
                .get_story(pb::GetStoryRequest {
                    name: "stories/1".into()
                })
                .await
        ),
        Code::InvalidArgument
    );
    assert_eq!(
        code(
            client
                .list_stories(pb::ListStoriesRequest {
                    page_size: 0,
                    page_token: "x".into(),
                    origins: Vec::new(),
                })
                .await
        ),
        Code::InvalidArgument
    );
    assert_eq!(
        violated_fields(
            &client
                .rate_story(a!(pb::RateStoryRequest {
                    story: "stories/x".into(),
                    value: 9
                }))
                .await
                .expect_err("rate")
        ),
        ["story", "value"]
    );
    assert_eq!(
        code(
            client
                .clone_process(a!(pb::CloneProcessRequest {
                    name: "x".into(),
                    ..Default::default()
                }))
                .await
        ),
        Code::InvalidArgument
    );
    assert_eq!(
        code(
            client
                .export_process(a!(pb::ExportProcessRequest { name: "x".into() }))
                .await
        ),
        Code::InvalidArgument
    );
    assert_eq!(
        violated_fields(
            &client
                .import_process(a!(pb::ImportProcessRequest {
                    organization: "x".into(),
                    document: Some(pb::ProcessDocument {
                        format: "other/2".into(),
                        json: "{}".into(),
                    }),
                }))
                .await
                .expect_err("import")
        ),
        ["organization", "document.format"]
    );
    assert_eq!(
        violated_fields(
            &client
                .import_process(a!(pb::ImportProcessRequest {
                    organization: format!("organizations/{ORG}"),
                    document: None,
                }))
                .await
                .expect_err("no document")
        ),
        ["document"]
    );

    // Nothing but the two items changed anything.
    let types: Vec<String> = c
        .server
        .outbox_events()
        .await
        .into_iter()
        .skip(before)
        .map(|e| e.r#type)
        .collect();
    assert_eq!(
        types,
        [
            "coproduction.item.added",
            "coproduction.item.added",
            "coproduction.process.created",
            "coproduction.process.schema_set"
        ]
    );
    let kept = client
        .get_process(a!(pb::GetProcessRequest {
            name: p.name.clone()
        }))
        .await
        .expect("kept")
        .into_inner();
    assert_eq!((kept.title.as_str(), kept.public), ("Kept", false));
    c.server.stop().await;
}

/// The projections through the real bus: a membership published by the
/// community reaches co-production's consumer and takes effect; a replay
/// of the same events changes nothing.
async fn memberships_arrive_as_events_and_replays_change_nothing(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let dan = c.server.token("dan", false);
    let denied = c
        .client()
        .create_process(with_token(
            pb::CreateProcessRequest {
                process: Some(process("Dan's", false)),
            },
            &dan,
        ))
        .await
        .expect_err("not a member yet");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let joined = c.member_added("dan", TEAM, ORG);
    let pipeline = c.server.env.start_pipeline(
        &c.outbox,
        "coproduction-test",
        &std::sync::Arc::new(Projections),
    );
    c.outbox
        .publish(&c.server.env.db, std::slice::from_ref(&joined))
        .await
        .expect("publish");
    let db = c.server.env.db.clone();
    wait_until(
        "dan's membership is projected",
        Duration::from_secs(20),
        || {
            let db = db.clone();
            async move {
                interlink_coproduction::store::belongs_to_organization(&db, ORG, "dan")
                    .await
                    .expect("query")
            }
        },
    )
    .await;
    c.create(&dan, "Dan's", false).await;
    // The same event again (as a replay would deliver it) and a removal.
    c.feed(std::slice::from_ref(&joined)).await;
    let left = c.community_event(
        "team",
        "member_removed",
        "ana",
        TEAM,
        &community::TeamMemberRemoved {
            team: format!("teams/{TEAM}"),
            subject: "dan".into(),
            organization: format!("organizations/{ORG}"),
            ..Default::default()
        },
    );
    c.feed(&[left.clone(), left]).await;
    assert!(
        !interlink_coproduction::store::belongs_to_organization(&c.server.env.db, ORG, "dan")
            .await
            .expect("query")
    );
    assert_eq!(
        code(
            c.client()
                .create_process(with_token(
                    pb::CreateProcessRequest {
                        process: Some(process("Again", false))
                    },
                    &dan
                ))
                .await
        ),
        Code::PermissionDenied
    );
    pipeline.stop().await;
    c.server.stop().await;
}

const TEAM_B: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a21";
const TEAM_C: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a22";

fn perms(p: &pb::Permissions) -> (bool, bool, bool) {
    (p.access_assets, p.create_assets, p.delete_assets)
}

async fn grants_resolve_at_the_most_specific_level_and_guard_assets(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    // bea is in TEAM and TEAM_B; carla in TEAM_C (another organisation).
    c.feed(&[
        c.member_added("bea", TEAM_B, ORG),
        c.member_added("carla", TEAM_C, OTHER_ORG),
    ])
    .await;
    let p = c.create(&c.ana, "Permissions", false).await;
    let tree = c.build(&p).await;
    let engage = by_key(&tree, "engage").name.clone();
    let design = by_key(&tree, "design").name.clone();
    let engage_objective = children(&tree, &engage)[0].name.clone();
    let engage_task = children(&tree, &engage_objective)[0].name.clone();
    let design_objective = children(&tree, &design)[0].name.clone();
    let design_task = children(&tree, &design_objective)[0].name.clone();
    let grant = |team: &str, item: &str, a: bool, cr: bool, d: bool| {
        let mut client = c.client();
        let request = with_token(
            pb::CreateGrantRequest {
                parent: p.name.clone(),
                grant: Some(pb::Grant {
                    team: format!("teams/{team}"),
                    item: item.into(),
                    access_assets: a,
                    create_assets: cr,
                    delete_assets: d,
                    ..Default::default()
                }),
            },
            &c.ana,
        );
        async move { client.create_grant(request).await.map(|r| r.into_inner()) }
    };
    // Before any grant, carla does not even see the process.
    assert_eq!(
        code(
            client
                .get_process(with_token(
                    pb::GetProcessRequest {
                        name: p.name.clone()
                    },
                    &c.carla
                ))
                .await
        ),
        Code::NotFound
    );
    grant(TEAM, "", true, false, false)
        .await
        .expect("process grant");
    grant(TEAM_B, &engage, false, true, false)
        .await
        .expect("phase grant");
    // TEAM_C's organisation is private and ana is not in it: granting it is
    // refused exactly as granting a team no one has heard of.
    let hidden = grant(TEAM_C, &engage_task, true, false, true)
        .await
        .expect_err("a team of a private organisation");
    let nowhere = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2aff";
    let unknown = grant(nowhere, &engage_task, true, false, true)
        .await
        .expect_err("an unknown team");
    assert_eq!(hidden.code(), Code::FailedPrecondition);
    assert_eq!(unknown.code(), hidden.code());
    assert_eq!(
        unknown.message().replace(nowhere, TEAM_C),
        hidden.message(),
        "the two refusals must not tell a hidden team from an unknown one"
    );
    assert!(!hidden.message().contains(OTHER_ORG), "{hidden:?}");
    // Once the organisation is public, its teams may be granted.
    c.feed(&[c.community_event(
        "organization",
        "created",
        "olga",
        OTHER_ORG,
        &community::OrganizationCreated {
            organization: Some(community::Organization {
                name: format!("organizations/{OTHER_ORG}"),
                public: true,
                ..Default::default()
            }),
        },
    )])
    .await;
    let task_grant = grant(TEAM_C, &engage_task, true, false, true)
        .await
        .expect("task grant");
    assert_eq!(task_grant.granted_by, user("ana"));
    assert_eq!(
        code(grant(TEAM_C, &engage_task, true, true, true).await),
        Code::AlreadyExists
    );
    fn code<T>(r: Result<T, tonic::Status>) -> Code {
        r.map(|_| Code::Ok).unwrap_or_else(|s| s.code())
    }

    // (who, target) → (access, create, delete)
    let table = [
        (&c.bea, p.name.clone(), (true, false, false)),
        // The phase grant (TEAM_B) overrides the process grant (TEAM).
        (&c.bea, engage.clone(), (false, true, false)),
        (&c.bea, engage_objective.clone(), (false, true, false)),
        (&c.bea, engage_task.clone(), (false, true, false)),
        // Design has no grant of its own: the process grant.
        (&c.bea, design_task.clone(), (true, false, false)),
        (&c.carla, engage_task.clone(), (true, false, true)),
        (&c.carla, design_task.clone(), (false, false, false)),
        (&c.carla, p.name.clone(), (false, false, false)),
        (&c.ana, design_task.clone(), (true, true, true)),
    ];
    for (token, target, expected) in table {
        let got = client
            .get_my_permissions(with_token(
                pb::GetMyPermissionsRequest {
                    target: target.clone(),
                },
                token,
            ))
            .await
            .expect("permissions")
            .into_inner();
        assert_eq!(perms(&got), expected, "{target}");
    }
    let mine = client
        .get_my_permissions(with_token(
            pb::GetMyPermissionsRequest {
                target: design_task.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("admin")
        .into_inner();
    assert!(mine.administrator && mine.edit_tree && mine.set_status);

    // Status: create_assets lets bea work on Engage, not on Design.
    let set = |token: &str, task: &str, status: pb::Status| {
        let mut client = c.client();
        let request = with_token(
            pb::SetTaskStatusRequest {
                task: task.into(),
                status: status as i32,
            },
            token,
        );
        async move { code(client.set_task_status(request).await) }
    };
    assert_eq!(
        set(&c.bea, &engage_task, pb::Status::InProgress).await,
        Code::Ok
    );
    assert_eq!(
        set(&c.bea, &design_task, pb::Status::InProgress).await,
        Code::PermissionDenied
    );
    assert_eq!(
        set(&c.carla, &engage_task, pb::Status::Finished).await,
        Code::PermissionDenied
    );

    // Assets: bea may create on the Engage task but not read there; carla
    // reads and deletes there.
    let external = |task: &str, name: &str| pb::CreateAssetRequest {
        parent: task.into(),
        asset: Some(pb::Asset {
            kind: pb::AssetKind::External as i32,
            display_name: name.into(),
            uri: "https://pad.example.org/street-lights".into(),
            ..Default::default()
        }),
    };
    let asset = client
        .create_asset(with_token(external(&engage_task, "Minutes"), &c.bea))
        .await
        .expect("bea creates")
        .into_inner();
    assert_eq!(asset.creator, user("bea"));
    assert_eq!(
        code(
            client
                .create_asset(with_token(external(&design_task, "No"), &c.bea))
                .await
        ),
        Code::PermissionDenied
    );
    assert_eq!(
        code(
            client
                .get_asset(with_token(
                    pb::GetAssetRequest {
                        name: asset.name.clone()
                    },
                    &c.bea
                ))
                .await
        ),
        Code::PermissionDenied
    );
    assert_eq!(
        code(
            client
                .get_asset(with_token(
                    pb::GetAssetRequest {
                        name: asset.name.clone()
                    },
                    &c.carla
                ))
                .await
        ),
        Code::Ok
    );
    client
        .create_asset(with_token(external(&design_task, "Sketches"), &c.ana))
        .await
        .expect("ana creates");
    let listed = |token: String, parent: String| {
        let mut client = c.client();
        async move {
            client
                .list_assets(with_token(pb::ListAssetsRequest { parent }, &token))
                .await
                .expect("list")
                .into_inner()
                .assets
                .into_iter()
                .map(|a| a.display_name)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        listed(c.ana.clone(), p.name.clone()).await,
        ["Minutes", "Sketches"]
    );
    assert_eq!(listed(c.ana.clone(), design.clone()).await, ["Sketches"]);
    assert_eq!(listed(c.bea.clone(), p.name.clone()).await, ["Sketches"]);
    assert_eq!(listed(c.carla.clone(), p.name.clone()).await, ["Minutes"]);
    assert_eq!(
        code(
            client
                .delete_asset(with_token(
                    pb::DeleteAssetRequest {
                        name: asset.name.clone()
                    },
                    &c.bea
                ))
                .await
        ),
        Code::PermissionDenied
    );
    client
        .delete_asset(with_token(
            pb::DeleteAssetRequest {
                name: asset.name.clone(),
            },
            &c.carla,
        ))
        .await
        .expect("carla deletes");

    // Leaving the team (an event) takes carla's access away at once.
    let left = c.community_event(
        "team",
        "member_removed",
        "ana",
        TEAM_C,
        &community::TeamMemberRemoved {
            team: format!("teams/{TEAM_C}"),
            subject: "carla".into(),
            organization: format!("organizations/{OTHER_ORG}"),
            ..Default::default()
        },
    );
    c.feed(&[left]).await;
    assert_eq!(
        code(
            client
                .get_my_permissions(with_token(
                    pb::GetMyPermissionsRequest {
                        target: engage_task.clone()
                    },
                    &c.carla
                ))
                .await
        ),
        Code::NotFound
    );

    // Grants are listed, and withdrawn by administrators.
    let grants = client
        .list_grants(with_token(
            pb::ListGrantsRequest {
                parent: p.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("grants")
        .into_inner()
        .grants;
    assert_eq!(grants.len(), 3);
    assert_eq!(grants[1].item, engage);
    assert_eq!(
        code(
            client
                .delete_grant(with_token(
                    pb::DeleteGrantRequest {
                        name: grants[1].name.clone()
                    },
                    &c.bea
                ))
                .await
        ),
        Code::PermissionDenied
    );
    client
        .delete_grant(with_token(
            pb::DeleteGrantRequest {
                name: grants[1].name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("withdraw");
    let now = client
        .get_my_permissions(with_token(
            pb::GetMyPermissionsRequest {
                target: engage_task.clone(),
            },
            &c.bea,
        ))
        .await
        .expect("after withdrawal")
        .into_inner();
    assert_eq!(perms(&now), (true, false, false));
    let types: Vec<String> = c
        .server
        .outbox_events()
        .await
        .into_iter()
        .map(|e| e.r#type)
        .filter(|t| t.contains("grant") || t.contains("asset"))
        .collect();
    assert_eq!(
        types,
        [
            "coproduction.grant.added",
            "coproduction.grant.added",
            "coproduction.grant.added",
            "coproduction.asset.added",
            "coproduction.asset.added",
            "coproduction.asset.removed",
            "coproduction.grant.removed",
        ]
    );
    c.server.stop().await;
}

async fn internal_assets_instantiate_published_interlinkers(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    let p = c.create(&c.ana, "Interlinkers", false).await;
    let tree = c.build(&p).await;
    let task = tree
        .items
        .iter()
        .find(|i| i.kind == pb::ItemKind::Task as i32)
        .expect("task")
        .name
        .clone();
    // The seed's knowledge interlinkers reached co-production as events.
    let seeded = seeded_schema_events().await;
    let knowledge = seeded
        .iter()
        .filter(|e| e.r#type == "catalogue.interlinker.published")
        .map(|e| {
            e.payload
                .as_ref()
                .expect("payload")
                .to_msg::<interlink_proto::catalogue::v1::InterlinkerPublished>()
                .expect("decodes")
                .interlinker
                .expect("interlinker")
        })
        .find(|i| {
            matches!(
                &i.details,
                Some(interlink_proto::catalogue::v1::interlinker::Details::Knowledge(k))
                    if k.genesis_assets.contains_key("es")
            )
        })
        .expect("a knowledge interlinker with a Spanish genesis asset");
    let internal = |interlinker: &str| pb::CreateAssetRequest {
        parent: task.clone(),
        asset: Some(pb::Asset {
            kind: pb::AssetKind::Internal as i32,
            interlinker: interlinker.into(),
            ..Default::default()
        }),
    };
    let asset = client
        .create_asset(with_token(internal(&knowledge.name), &c.ana))
        .await
        .expect("internal asset")
        .into_inner();
    assert_eq!(asset.interlinker, knowledge.name);
    assert_eq!(asset.interlinker_nature, "knowledge");
    let genesis = match &knowledge.details {
        Some(interlink_proto::catalogue::v1::interlinker::Details::Knowledge(k)) => {
            k.genesis_assets["es"].clone()
        }
        _ => unreachable!("chosen for its details"),
    };
    // The process runs in Spanish: the Spanish genesis asset and title.
    assert_eq!(asset.genesis_asset_uri, genesis);
    assert_eq!(
        asset.display_name,
        knowledge.title.clone().unwrap_or_default().values["es"]
    );
    let unknown = client
        .create_asset(with_token(
            internal("interlinkers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a99"),
            &c.ana,
        ))
        .await
        .expect_err("unknown interlinker");
    assert_eq!(unknown.code(), Code::FailedPrecondition);
    let added: pb::AssetAdded = c
        .server
        .outbox_events()
        .await
        .iter()
        .find(|e| e.r#type == "coproduction.asset.added")
        .expect("event")
        .payload
        .as_ref()
        .expect("payload")
        .to_msg()
        .expect("decodes");
    assert_eq!(
        added.asset.map(|a| a.interlinker),
        Some(knowledge.name.clone())
    );
    // Clearing the tree removes its assets, and says so (adoption counts
    // down in the catalogue).
    client
        .clear_tree(with_token(
            pb::ClearTreeRequest {
                process: p.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("clear");
    let removed: pb::AssetRemoved = c
        .server
        .outbox_events()
        .await
        .iter()
        .find(|e| e.r#type == "coproduction.asset.removed")
        .expect("removal event")
        .payload
        .as_ref()
        .expect("payload")
        .to_msg()
        .expect("decodes");
    assert_eq!(removed.asset.map(|a| a.name), Some(asset.name.clone()));
    c.server.stop().await;
}

/// The team (Bea's) given `task` of `p` by Ana, and an external asset
/// Bea adds to it.
async fn grant_and_asset(c: &Coproduction, p: &pb::Process, task: &str) -> pb::Asset {
    let mut client = c.client();
    client
        .create_grant(with_token(
            pb::CreateGrantRequest {
                parent: p.name.clone(),
                grant: Some(pb::Grant {
                    team: format!("teams/{TEAM}"),
                    item: task.to_owned(),
                    create_assets: true,
                    access_assets: true,
                    ..Default::default()
                }),
            },
            &c.ana,
        ))
        .await
        .expect("grant");
    client
        .create_asset(with_token(
            pb::CreateAssetRequest {
                parent: task.to_owned(),
                asset: Some(pb::Asset {
                    kind: pb::AssetKind::External as i32,
                    display_name: "Map".into(),
                    uri: "https://maps.example.org/lights".into(),
                    ..Default::default()
                }),
            },
            &c.bea,
        ))
        .await
        .expect("asset")
        .into_inner()
}

async fn contributions_are_asked_of_known_people_and_teams(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let p = c.create(&c.ana, "Asks", true).await;
    let tree = c.build(&p).await;
    let task = free_task(&tree);
    let asset = grant_and_asset(&c, &p, &task).await;
    let before = c.server.outbox_events().await.len();
    let ask = |token: &str, request: pb::ContributionRequest| {
        let mut client = c.client();
        let request = with_token(
            pb::AskForContributionRequest {
                parent: p.name.clone(),
                contribution_request: Some(request),
            },
            token,
        );
        async move {
            client
                .ask_for_contribution(request)
                .await
                .map(|r| r.into_inner())
        }
    };
    // bea holds a permission on the task: she asks carla and her own team.
    let asked = ask(
        &c.bea,
        pb::ContributionRequest {
            target: task.clone(),
            users: vec![user("carla")],
            teams: vec![format!("teams/{TEAM}")],
            message: "Could you check the crossings?".into(),
            ..Default::default()
        },
    )
    .await
    .expect("asked");
    assert!(
        asked
            .name
            .starts_with(&format!("{}/contributionRequests/", p.name))
    );
    assert_eq!(asked.requester, user("bea"));
    let on_asset = ask(
        &c.ana,
        pb::ContributionRequest {
            target: asset.name.clone(),
            users: vec![user("bea")],
            ..Default::default()
        },
    )
    .await
    .expect("asked on the asset");
    // carla has no permission on the task.
    let refused = ask(
        &c.carla,
        pb::ContributionRequest {
            target: task.clone(),
            users: vec![user("ana")],
            ..Default::default()
        },
    )
    .await
    .expect_err("no permission");
    assert_eq!(refused.code(), Code::PermissionDenied);
    // Nobody asked, someone unknown, a team unknown: refused by field.
    for (request, field) in [
        (
            pb::ContributionRequest {
                target: task.clone(),
                ..Default::default()
            },
            "contribution_request.users",
        ),
        (
            pb::ContributionRequest {
                target: task.clone(),
                users: vec![format!("users/{}", uuid::Uuid::now_v7())],
                ..Default::default()
            },
            "contribution_request.users[0]",
        ),
        (
            pb::ContributionRequest {
                target: task.clone(),
                teams: vec![format!("teams/{TEAM_C}"), format!("teams/{TEAM_C}")],
                ..Default::default()
            },
            "contribution_request.teams[1]",
        ),
    ] {
        let status = ask(&c.ana, request).await.expect_err(field);
        assert_eq!(violated_fields(&status), [field]);
    }
    let events: Vec<_> = c
        .server
        .outbox_events()
        .await
        .into_iter()
        .skip(before)
        .filter(|e| e.r#type == "coproduction.contribution.requested")
        .collect();
    assert_eq!(events.len(), 2, "one event per request, none for refusals");
    let told: pb::ContributionRequested =
        interlink_runtime::events::payload(&events[0]).expect("payload");
    assert_eq!(told.request, Some(asked));
    assert_eq!(told.task, task);
    let told: pb::ContributionRequested =
        interlink_runtime::events::payload(&events[1]).expect("payload");
    assert_eq!(told.request, Some(on_asset));
    assert_eq!(told.task, task, "the asset's task");
}

async fn claims_are_decided_and_stories_told_and_rated(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    c.feed(&[c.member_added("carla", TEAM_C, OTHER_ORG)]).await;
    let p = c.create(&c.ana, "Claims", true).await;
    let tree = c.build(&p).await;
    let task = free_task(&tree);
    let asset = grant_and_asset(&c, &p, &task).await;
    let claim = |token: &str, target: &str, kind: pb::ClaimType| {
        let mut client = c.client();
        let request = with_token(
            pb::CreateClaimRequest {
                parent: p.name.clone(),
                claim: Some(pb::Claim {
                    target: target.into(),
                    r#type: kind as i32,
                    description: "Drew the map with residents".into(),
                    ..Default::default()
                }),
            },
            token,
        );
        async move { client.create_claim(request).await.map(|r| r.into_inner()) }
    };
    let on_asset = claim(&c.bea, &asset.name, pb::ClaimType::Development)
        .await
        .expect("claim asset");
    assert_eq!(on_asset.state, pb::ClaimState::Pending as i32);
    assert_eq!(on_asset.claimant, user("bea"));
    let on_task = claim(&c.bea, &task, pb::ClaimType::Management)
        .await
        .expect("claim task");
    // carla sees the public process but has no permission on the task.
    assert_eq!(
        claim(&c.carla, &task, pb::ClaimType::Management)
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::PermissionDenied)
    );
    let decide = |token: &str, name: &str, accept: bool| {
        let mut client = c.client();
        let request = with_token(
            pb::DecideClaimRequest {
                name: name.into(),
                accept,
            },
            token,
        );
        async move { client.decide_claim(request).await.map(|r| r.into_inner()) }
    };
    assert_eq!(
        decide(&c.bea, &on_asset.name, true)
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::PermissionDenied)
    );
    let accepted = decide(&c.ana, &on_asset.name, true).await.expect("accept");
    assert_eq!(
        (accepted.state, accepted.decided_by.clone()),
        (pb::ClaimState::Accepted as i32, user("ana"))
    );
    decide(&c.ana, &on_task.name, false).await.expect("reject");
    assert_eq!(
        decide(&c.ana, &on_task.name, true)
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::FailedPrecondition)
    );
    let claims = client
        .list_claims(pb::ListClaimsRequest {
            parent: p.name.clone(),
        })
        .await
        .expect("claims")
        .into_inner()
        .claims;
    assert_eq!(
        claims.iter().map(|c| c.state).collect::<Vec<_>>(),
        [
            pb::ClaimState::Accepted as i32,
            pb::ClaimState::Rejected as i32
        ]
    );

    // Stories: not before the process starts; public; rated exactly.
    let story = |token: &str| {
        let mut client = c.client();
        let request = with_token(
            pb::CreateStoryRequest {
                parent: p.name.clone(),
                story: Some(pb::Story {
                    title: "Brighter streets".into(),
                    results: "Reports answered in two days".into(),
                    licences: vec!["CC-BY-4.0".into()],
                    keywords: vec!["lighting".into()],
                    ..Default::default()
                }),
            },
            token,
        );
        async move { client.create_story(request).await.map(|r| r.into_inner()) }
    };
    assert_eq!(
        story(&c.ana).await.map(|_| ()).map_err(|s| s.code()),
        Err(Code::FailedPrecondition)
    );
    c.set(&task, pb::Status::InProgress).await.expect("start");
    assert_eq!(
        story(&c.bea).await.map(|_| ()).map_err(|s| s.code()),
        Err(Code::PermissionDenied)
    );
    let told = story(&c.ana).await.expect("story");
    let rate = |token: &str, value: i32| {
        let mut client = c.client();
        let request = with_token(
            pb::RateStoryRequest {
                story: told.name.clone(),
                value,
            },
            token,
        );
        async move { client.rate_story(request).await.map(|r| r.into_inner()) }
    };
    rate(&c.bea, 5).await.expect("bea");
    rate(&c.carla, 4).await.expect("carla");
    let again = rate(&c.carla, 2).await.expect("carla again");
    assert_eq!((again.rating_count, again.rating_average), (2, 3.5));
    assert_eq!(
        rate(&c.carla, 0).await.map(|_| ()).map_err(|s| s.code()),
        Err(Code::InvalidArgument)
    );
    let read = client
        .get_story(pb::GetStoryRequest {
            name: told.name.clone(),
        })
        .await
        .expect("anyone reads a story")
        .into_inner();
    assert_eq!(read.rating_average, 3.5);
    let listed = client
        .list_stories(pb::ListStoriesRequest::default())
        .await
        .expect("stories")
        .into_inner();
    assert_eq!(listed.stories.len(), 1);
    c.server.stop().await;
}

async fn export_import_round_trips_and_clones_copy_the_plan(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    let p = c.create(&c.ana, "Round trip", false).await;
    let tree = c.build(&p).await;
    let task = free_task(&tree);
    // Some of everything: a status, a disabled item, a grant, an asset, a
    // decided claim, a rated story.
    c.set(&task, pb::Status::InProgress).await.expect("start");
    let last_phase = tree
        .items
        .iter()
        .rev()
        .find(|i| i.kind == pb::ItemKind::Phase as i32)
        .expect("phase")
        .name
        .clone();
    client
        .disable_item(with_token(
            pb::DisableItemRequest { name: last_phase },
            &c.ana,
        ))
        .await
        .expect("disable");
    client
        .create_grant(with_token(
            pb::CreateGrantRequest {
                parent: p.name.clone(),
                grant: Some(pb::Grant {
                    team: format!("teams/{TEAM}"),
                    item: task.clone(),
                    access_assets: true,
                    ..Default::default()
                }),
            },
            &c.ana,
        ))
        .await
        .expect("grant");
    let asset = client
        .create_asset(with_token(
            pb::CreateAssetRequest {
                parent: task.clone(),
                asset: Some(pb::Asset {
                    kind: pb::AssetKind::External as i32,
                    display_name: "Notes".into(),
                    uri: "https://pad.example.org/notes".into(),
                    ..Default::default()
                }),
            },
            &c.ana,
        ))
        .await
        .expect("asset")
        .into_inner();
    let claim = client
        .create_claim(with_token(
            pb::CreateClaimRequest {
                parent: p.name.clone(),
                claim: Some(pb::Claim {
                    target: asset.name.clone(),
                    r#type: pb::ClaimType::Exploitation as i32,
                    ..Default::default()
                }),
            },
            &c.ana,
        ))
        .await
        .expect("claim")
        .into_inner();
    client
        .decide_claim(with_token(
            pb::DecideClaimRequest {
                name: claim.name,
                accept: true,
            },
            &c.ana,
        ))
        .await
        .expect("decide");
    let story = client
        .create_story(with_token(
            pb::CreateStoryRequest {
                parent: p.name.clone(),
                story: Some(pb::Story {
                    title: "Halfway".into(),
                    ..Default::default()
                }),
            },
            &c.ana,
        ))
        .await
        .expect("story")
        .into_inner();
    client
        .rate_story(with_token(
            pb::RateStoryRequest {
                story: story.name,
                value: 4,
            },
            &c.bea,
        ))
        .await
        .expect("rate");

    let export = |name: String| {
        let mut client = c.client();
        let token = c.ana.clone();
        async move {
            client
                .export_process(with_token(pb::ExportProcessRequest { name }, &token))
                .await
                .expect("export")
                .into_inner()
        }
    };
    let document = export(p.name.clone()).await;
    assert_eq!(document.format, "interlink.process/1");
    // Only administrators export.
    assert_eq!(
        code(
            client
                .export_process(with_token(
                    pb::ExportProcessRequest {
                        name: p.name.clone()
                    },
                    &c.bea
                ))
                .await
        ),
        Code::PermissionDenied
    );
    // Into another organisation ana administers.
    c.feed(&[c.community_event(
        "organization",
        "created",
        "ana",
        OTHER_ORG,
        &community::OrganizationCreated::default(),
    )])
    .await;
    let imported = client
        .import_process(with_token(
            pb::ImportProcessRequest {
                organization: format!("organizations/{OTHER_ORG}"),
                document: Some(document.clone()),
            },
            &c.ana,
        ))
        .await
        .expect("import")
        .into_inner();
    let copy = imported.process.clone().expect("process");
    assert_eq!(copy.organization, format!("organizations/{OTHER_ORG}"));
    assert_ne!(copy.name, p.name);
    assert_eq!(copy.progress, tree_progress(&c, &p.name).await);
    let again = export(copy.name.clone()).await;
    assert_eq!(again, document, "export → import → export loses nothing");

    // A document crediting others: what it creates is the importer's.
    c.feed(&[c.member_added("carla", TEAM_C, OTHER_ORG)]).await;
    let mut forged: serde_json::Value = serde_json::from_str(&document.json).expect("json");
    for item in forged["items"].as_array_mut().expect("items") {
        item["creator"] = serde_json::json!("mallory");
    }
    forged["assets"][0]["creator"] = serde_json::json!("mallory");
    forged["claims"][0]["claimant"] = serde_json::json!("mallory");
    forged["claims"][0]["decided_by"] = serde_json::json!("mallory");
    forged["stories"][0]["author"] = serde_json::json!("mallory");
    forged["stories"][0]["ratings"] = (0..20)
        .map(|n| serde_json::json!([format!("fan-{n}"), 5]))
        .collect();
    forged["grants"][0]["granted_by"] = serde_json::json!("mallory");
    // A grant to a team of a private organisation bea is not in.
    let mut hidden_grant = forged["grants"][0].clone();
    hidden_grant["team"] = serde_json::json!(TEAM_C);
    forged["grants"]
        .as_array_mut()
        .expect("grants")
        .push(hidden_grant);
    let by_bea = client
        .import_process(with_token(
            pb::ImportProcessRequest {
                organization: format!("organizations/{ORG}"),
                document: Some(pb::ProcessDocument {
                    format: "interlink.process/1".into(),
                    json: forged.to_string(),
                }),
            },
            &c.bea,
        ))
        .await
        .expect("bea imports")
        .into_inner();
    let bea_process = by_bea.process.clone().expect("process");
    assert_eq!(bea_process.creator, user("bea"));
    assert_eq!(bea_process.administrators, [user("bea")]);
    assert!(by_bea.items.iter().all(|i| i.creator == user("bea")));
    assert!(
        by_bea
            .items
            .iter()
            .filter(|i| i.disabled)
            .all(|i| i.disabled_by == user("bea"))
    );
    let mut bea_client = c.client();
    let grants = bea_client
        .list_grants(with_token(
            pb::ListGrantsRequest {
                parent: bea_process.name.clone(),
            },
            &c.bea,
        ))
        .await
        .expect("grants")
        .into_inner()
        .grants;
    assert_eq!(
        grants
            .iter()
            .map(|g| (g.team.as_str(), g.granted_by.as_str()))
            .collect::<Vec<_>>(),
        [(format!("teams/{TEAM}").as_str(), user("bea").as_str())],
        "the grant is bea's, the hidden team's grant is dropped"
    );
    let assets = bea_client
        .list_assets(with_token(
            pb::ListAssetsRequest {
                parent: bea_process.name.clone(),
            },
            &c.bea,
        ))
        .await
        .expect("assets")
        .into_inner()
        .assets;
    assert!(!assets.is_empty() && assets.iter().all(|a| a.creator == user("bea")));
    let claims = bea_client
        .list_claims(with_token(
            pb::ListClaimsRequest {
                parent: bea_process.name.clone(),
            },
            &c.bea,
        ))
        .await
        .expect("claims")
        .into_inner()
        .claims;
    assert_eq!(
        claims
            .iter()
            .map(|c| (c.claimant.as_str(), c.decided_by.as_str()))
            .collect::<Vec<_>>(),
        [(user("bea").as_str(), user("bea").as_str())]
    );
    let stories = bea_client
        .list_stories(with_token(pb::ListStoriesRequest::default(), &c.bea))
        .await
        .expect("stories")
        .into_inner()
        .stories;
    let imported_story = stories
        .iter()
        .find(|s| s.process == bea_process.name)
        .expect("the imported story");
    assert_eq!(
        (
            imported_story.author.as_str(),
            imported_story.rating_count,
            imported_story.rating_average
        ),
        (user("bea").as_str(), 0, 0.0),
        "no one rated it here"
    );

    // Bad documents are refused with the field named.
    let refused = |json: String| {
        let mut client = c.client();
        let token = c.ana.clone();
        async move {
            violated_fields(
                &client
                    .import_process(with_token(
                        pb::ImportProcessRequest {
                            organization: format!("organizations/{ORG}"),
                            document: Some(pb::ProcessDocument {
                                format: "interlink.process/1".into(),
                                json,
                            }),
                        },
                        &token,
                    ))
                    .await
                    .expect_err("bad document"),
            )
        }
    };
    assert_eq!(refused("{".into()).await, ["document.json"]);
    let mut value: serde_json::Value = serde_json::from_str(&document.json).expect("json");
    value["items"][2]["parent"] = serde_json::json!("i0");
    assert_eq!(
        refused(value.to_string()).await,
        ["document.items[2].parent"]
    );
    let mut value: serde_json::Value = serde_json::from_str(&document.json).expect("json");
    value["items"][0]["prerequisites"] = serde_json::json!(["i0"]);
    assert_eq!(
        refused(value.to_string()).await,
        ["document.items[0].prerequisites[0]"]
    );
    assert_eq!(
        code(
            client
                .import_process(with_token(
                    pb::ImportProcessRequest {
                        organization: format!("organizations/{ORG}"),
                        document: Some(document.clone()),
                    },
                    &c.carla,
                ))
                .await
        ),
        Code::PermissionDenied
    );

    // A clone copies the enabled plan, statuses reset, grants on request.
    let clone = client
        .clone_process(with_token(
            pb::CloneProcessRequest {
                name: p.name.clone(),
                title: String::new(),
                include_grants: true,
            },
            &c.ana,
        ))
        .await
        .expect("clone")
        .into_inner();
    let cloned = clone.process.clone().expect("process");
    assert_eq!(cloned.title, "Round trip (copy)");
    assert_eq!(cloned.cloned_from, p.name);
    assert_eq!(cloned.progress, 0.0);
    let enabled = tree.items.len()
        - c.client()
            .get_tree(with_token(
                pb::GetTreeRequest {
                    process: p.name.clone(),
                },
                &c.ana,
            ))
            .await
            .expect("tree")
            .into_inner()
            .items
            .iter()
            .filter(|i| i.disabled)
            .count();
    assert_eq!(clone.items.len(), enabled);
    assert!(
        clone
            .items
            .iter()
            .all(|i| i.status == pb::Status::Awaiting as i32 && !i.disabled)
    );
    let grants = client
        .list_grants(with_token(
            pb::ListGrantsRequest {
                parent: cloned.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("grants")
        .into_inner()
        .grants;
    assert_eq!(grants.len(), 1);
    assert!(clone.items.iter().any(|i| i.name == grants[0].item));
    assert_eq!(
        code(
            client
                .clone_process(with_token(
                    pb::CloneProcessRequest {
                        name: p.name.clone(),
                        title: "x".repeat(201),
                        include_grants: false,
                    },
                    &c.ana,
                ))
                .await
        ),
        Code::InvalidArgument
    );
    // A bad title is refused before the process is looked up.
    let unknown = client
        .clone_process(with_token(
            pb::CloneProcessRequest {
                name: "processes/0192f3a0-0000-7000-8000-000000000000".into(),
                title: "x".repeat(201),
                include_grants: false,
            },
            &c.carla,
        ))
        .await
        .expect_err("title");
    assert_eq!(unknown.code(), Code::InvalidArgument);
    assert_eq!(violated_fields(&unknown), ["title"]);
    // The default title stays within the limit: a long source's is shortened.
    let long = c.create(&c.ana, &"é".repeat(200), false).await;
    let long_clone = client
        .clone_process(with_token(
            pb::CloneProcessRequest {
                name: long.name.clone(),
                title: String::new(),
                include_grants: false,
            },
            &c.ana,
        ))
        .await
        .expect("clone of a long title")
        .into_inner()
        .process
        .expect("process");
    assert_eq!(
        long_clone.title,
        format!("{} (copy)", "é".repeat(193)),
        "200 characters"
    );
    let types: Vec<String> = c
        .server
        .outbox_events()
        .await
        .into_iter()
        .map(|e| e.r#type)
        .collect();
    assert!(types.contains(&"coproduction.process.imported".to_owned()));
    assert!(types.contains(&"coproduction.process.cloned".to_owned()));
    c.server.stop().await;
}

async fn items_are_copied_with_their_subtree(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    let p = c.create(&c.ana, "Copies", false).await;
    let tree = c.build(&p).await;
    let engage = by_key(&tree, "engage").name.clone();
    let objective = children(&tree, &engage)[0].clone();
    let tasks = children(&tree, &objective.name);
    let copy = |name: &str, parent: &str| {
        let mut client = c.client();
        let request = with_token(
            pb::CopyItemRequest {
                name: name.into(),
                parent: parent.into(),
            },
            &c.ana,
        );
        async move { client.copy_item(request).await.map(|r| r.into_inner()) }
    };
    let copied = copy(&objective.name, "").await.expect("copy objective");
    assert_ne!(copied.name, objective.name);
    assert_eq!(copied.parent, engage);
    assert_eq!(copied.title, objective.title);
    let after = client
        .get_tree(with_token(
            pb::GetTreeRequest {
                process: p.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("tree")
        .into_inner();
    let copies = children(&after, &copied.name);
    assert_eq!(copies.len(), tasks.len());
    // Prerequisites among the copied tasks point at the copies.
    for (original, copy) in tasks.iter().zip(&copies) {
        assert_eq!(original.schema_key, copy.schema_key);
        assert_eq!(original.prerequisites.len(), copy.prerequisites.len());
        for prerequisite in &copy.prerequisites {
            assert!(
                copies.iter().any(|c| &c.name == prerequisite),
                "{prerequisite}"
            );
        }
    }
    // Engage now has one more objective, so its progress denominator grew.
    assert_eq!(
        children(&after, &engage).len(),
        children(&tree, &engage).len() + 1
    );
    // A task copied under another objective loses its prerequisites there.
    let with_prerequisite = tasks.iter().find(|t| !t.prerequisites.is_empty());
    if let Some(task) = with_prerequisite {
        let moved = copy(&task.name, &copied.name).await.expect("copy task");
        assert!(moved.prerequisites.is_empty());
        assert_eq!(moved.parent, copied.name);
    }
    // Wrong targets.
    assert_eq!(
        violated_fields(
            &copy(&objective.name, &tasks[0].name)
                .await
                .expect_err("task as parent")
        ),
        ["parent"]
    );
    assert_eq!(
        violated_fields(
            &copy(&engage, &objective.name)
                .await
                .expect_err("phase parent")
        ),
        ["parent"]
    );
    assert_eq!(
        copy(&objective.name, "")
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Ok(())
    );
    assert_eq!(
        c.client()
            .copy_item(with_token(
                pb::CopyItemRequest {
                    name: objective.name.clone(),
                    parent: String::new(),
                },
                &c.bea,
            ))
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::NotFound)
    );
    c.server.stop().await;
}

/// The projections, as text, in a stable order.
async fn projections(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    use sea_orm::{ConnectionTrait, Statement};
    let mut out = Vec::new();
    for sql in [
        "SELECT team_id || '|' || organization_id || '|' || team_type AS r FROM p_teams",
        "SELECT team_id || '|' || subject AS r FROM p_team_members",
        "SELECT organization_id || '|' || subject AS r FROM p_organization_administrators",
        "SELECT schema_id || '|' || CAST(version AS TEXT) || '|' || items AS r FROM p_schema_versions",
        "SELECT id || '|' || state || '|' || title || '|' || CAST(version AS TEXT) AS r FROM p_interlinkers",
    ] {
        let mut rows: Vec<String> = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                format!("{sql} ORDER BY 1"),
            ))
            .await
            .expect("projection")
            .iter()
            .map(|r| r.try_get::<String>("", "r").expect("text"))
            .collect();
        out.push(format!("{} rows", rows.len()));
        out.append(&mut rows);
    }
    out
}

async fn projections_are_rebuilt_exactly_from_a_replay(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut history = vec![
        c.community_event(
            "organization",
            "created",
            "ana",
            ORG,
            &community::OrganizationCreated::default(),
        ),
        c.member_added("bea", TEAM, ORG),
        c.member_added("dan", TEAM_B, ORG),
        c.member_added("erin", TEAM_B, ORG),
        c.community_event(
            "team",
            "member_removed",
            "ana",
            TEAM_B,
            &community::TeamMemberRemoved {
                team: format!("teams/{TEAM_B}"),
                subject: "dan".into(),
                organization: format!("organizations/{ORG}"),
                ..Default::default()
            },
        ),
        c.community_event(
            "organization",
            "administrator_added",
            "ana",
            ORG,
            &community::OrganizationAdministratorAdded {
                organization: format!("organizations/{ORG}"),
                subject: "bea".into(),
                ..Default::default()
            },
        ),
        c.community_event(
            "user",
            "erased",
            "erin",
            "erin",
            &community::UserErased {
                subject: "erin".into(),
                ..Default::default()
            },
        ),
    ];
    history.extend(seeded_schema_events().await);
    let db = c.server.env.db.clone();
    c.feed(&history).await;
    let live = projections(&db).await;
    assert!(live.contains(&format!("{TEAM}|bea")));
    assert!(
        !live
            .iter()
            .any(|r| r.contains("|dan") || r.contains("|erin"))
    );
    assert!(live.contains(&format!("{ORG}|bea")));
    // Wipe and replay from the start: the same tables, and again with
    // every event delivered twice.
    for table in [
        "p_teams",
        "p_team_members",
        "p_organization_administrators",
        "p_schema_versions",
        "p_interlinkers",
    ] {
        use sea_orm::ConnectionTrait;
        db.execute_unprepared(&format!("DELETE FROM {table}"))
            .await
            .expect("wipe");
    }
    c.feed(&history).await;
    assert_eq!(projections(&db).await, live);
    let twice: Vec<Event> = history
        .iter()
        .flat_map(|e| [e.clone(), e.clone()])
        .collect();
    c.feed(&twice).await;
    assert_eq!(projections(&db).await, live);
    c.server.stop().await;
}

async fn tree_progress(c: &Coproduction, process: &str) -> f64 {
    c.client()
        .get_process(with_token(
            pb::GetProcessRequest {
                name: process.into(),
            },
            &c.ana,
        ))
        .await
        .expect("process")
        .into_inner()
        .progress
}

async fn stories_are_as_visible_as_their_process(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    let p = c.create(&c.ana, "Quiet work", false).await;
    let tree = c.build(&p).await;
    let task = free_task(&tree);
    c.set(&task, pb::Status::InProgress).await.expect("start");
    let told = client
        .create_story(with_token(
            pb::CreateStoryRequest {
                parent: p.name.clone(),
                story: Some(pb::Story {
                    title: "Not yet for everyone".into(),
                    ..Default::default()
                }),
            },
            &c.ana,
        ))
        .await
        .expect("story")
        .into_inner();
    let listed = |token: Option<&str>| {
        let mut client = c.client();
        let request = match token {
            Some(token) => with_token(pb::ListStoriesRequest::default(), token),
            None => tonic::Request::new(pb::ListStoriesRequest::default()),
        };
        async move {
            client
                .list_stories(request)
                .await
                .expect("list stories")
                .into_inner()
                .stories
                .into_iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
        }
    };
    let read = |token: Option<&str>, name: &str| {
        let mut client = c.client();
        let body = pb::GetStoryRequest { name: name.into() };
        let request = match token {
            Some(token) => with_token(body, token),
            None => tonic::Request::new(body),
        };
        async move {
            client
                .get_story(request)
                .await
                .map(|_| ())
                .map_err(|s| s.code())
        }
    };
    let rate = |token: &str| {
        let mut client = c.client();
        let request = with_token(
            pb::RateStoryRequest {
                story: told.name.clone(),
                value: 5,
            },
            token,
        );
        async move { client.rate_story(request).await.map(|r| r.into_inner()) }
    };
    // A private process's story: no one outside sees or rates it, and the
    // answer is the one an unknown story gets.
    assert!(listed(None).await.is_empty());
    assert!(listed(Some(&c.carla)).await.is_empty());
    assert_eq!(read(None, &told.name).await, Err(Code::NotFound));
    assert_eq!(read(Some(&c.carla), &told.name).await, Err(Code::NotFound));
    let unknown = format!("stories/{}", uuid::Uuid::now_v7());
    assert_eq!(read(Some(&c.carla), &unknown).await, Err(Code::NotFound));
    let refused = rate(&c.carla).await.expect_err("carla may not rate");
    assert_eq!(refused.code(), Code::NotFound);
    assert!(!refused.message().contains("processes/"), "{refused:?}");
    let before = outbox_events(&c.server.env.db).await.len();
    // Its administrator and a platform administrator see it.
    assert_eq!(listed(Some(&c.ana)).await, std::slice::from_ref(&told.name));
    let root = c.server.token("root", true);
    assert_eq!(listed(Some(&root)).await, std::slice::from_ref(&told.name));
    assert_eq!(read(Some(&c.ana), &told.name).await, Ok(()));
    // bea sees it once her team holds a grant in the process, and rates it.
    assert!(listed(Some(&c.bea)).await.is_empty());
    client
        .create_grant(with_token(
            pb::CreateGrantRequest {
                parent: p.name.clone(),
                grant: Some(pb::Grant {
                    team: format!("teams/{TEAM}"),
                    access_assets: true,
                    ..Default::default()
                }),
            },
            &c.ana,
        ))
        .await
        .expect("grant");
    assert_eq!(listed(Some(&c.bea)).await, std::slice::from_ref(&told.name));
    assert_eq!(rate(&c.bea).await.expect("bea rates").rating_count, 1);
    // carla's refusal left nothing behind: one grant, one rating.
    assert_eq!(outbox_events(&c.server.env.db).await.len(), before + 2);
    // Made public, the story is everyone's.
    client
        .update_process(with_token(
            pb::UpdateProcessRequest {
                process: Some(pb::Process {
                    name: p.name.clone(),
                    public: true,
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["public".into()],
                }),
            },
            &c.ana,
        ))
        .await
        .expect("publish the process");
    assert_eq!(listed(None).await, std::slice::from_ref(&told.name));
    assert_eq!(read(None, &told.name).await, Ok(()));
    assert_eq!(rate(&c.carla).await.expect("carla rates").rating_count, 2);
    c.server.stop().await;
}

async fn processes_are_searched_by_title_and_tag_and_listed_in_four_orders(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    let north = c.create(&c.ana, "Parque norte", false).await;
    let library = c.create(&c.ana, "Biblioteca 100% abierta", false).await;
    let south = c.create(&c.ana, "parque sur", false).await;
    let tag = |process: &pb::Process, tags: &[&str]| {
        with_token(
            pb::UpdateProcessRequest {
                process: Some(pb::Process {
                    name: process.name.clone(),
                    tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                    ..Default::default()
                }),
                update_mask: mask(&["tags"]),
            },
            &c.ana,
        )
    };
    client
        .update_process(tag(&north, &["verde", "barrio \"norte\""]))
        .await
        .expect("tags");
    client
        .update_process(tag(&library, &["cultura"]))
        .await
        .expect("tags");
    let list = |request: pb::ListProcessesRequest| {
        let mut client = c.client();
        let token = c.ana.clone();
        async move {
            client
                .list_processes(with_token(request, &token))
                .await
                .expect("list")
                .into_inner()
                .processes
                .into_iter()
                .map(|p| p.title)
                .collect::<Vec<_>>()
        }
    };
    let asked = |query: &str, tag: &str, order_by: &str| pb::ListProcessesRequest {
        query: query.into(),
        tag: tag.into(),
        order_by: order_by.into(),
        ..Default::default()
    };
    // Words of the title, in any case; LIKE's wildcards are plain letters.
    assert_eq!(
        list(asked("PARQUE", "", "")).await,
        ["parque sur", "Parque norte"]
    );
    assert_eq!(
        list(asked("100%", "", "")).await,
        ["Biblioteca 100% abierta"]
    );
    assert!(list(asked("_", "", "")).await.is_empty());
    assert!(list(asked("%", "", "")).await.len() == 1);
    // A tag is matched whole, quotes and all.
    assert_eq!(list(asked("", "verde", "")).await, ["Parque norte"]);
    assert!(list(asked("", "verd", "")).await.is_empty());
    assert_eq!(
        list(asked("", "barrio \"norte\"", "")).await,
        ["Parque norte"]
    );
    assert!(list(asked("sur", "verde", "")).await.is_empty());
    // Four orders, each paged one by one to the same list.
    assert_eq!(
        list(asked("", "", "oldest")).await,
        ["Parque norte", "Biblioteca 100% abierta", "parque sur"]
    );
    assert_eq!(
        list(asked("", "", "title")).await,
        ["Biblioteca 100% abierta", "Parque norte", "parque sur"]
    );
    // The library changed last: first when most recently changed comes first.
    assert_eq!(
        list(asked("", "", "updated")).await,
        ["Biblioteca 100% abierta", "Parque norte", "parque sur"]
    );
    for order in ["newest", "oldest", "title", "updated"] {
        let whole = list(asked("", "", order)).await;
        let mut paged = Vec::new();
        let mut token = String::new();
        loop {
            let page = client
                .list_processes(with_token(
                    pb::ListProcessesRequest {
                        page_size: 1,
                        page_token: token.clone(),
                        order_by: order.into(),
                        ..Default::default()
                    },
                    &c.ana,
                ))
                .await
                .expect("page")
                .into_inner();
            paged.extend(page.processes.into_iter().map(|p| p.title));
            if page.next_page_token.is_empty() {
                break;
            }
            token = page.next_page_token;
        }
        assert_eq!(paged, whole, "{order}");
    }
    // Out of shape: refused by field.
    for (request, field) in [
        (asked("", "", "size"), "order_by"),
        (asked("two\nlines", "", ""), "query"),
        (asked("", &"t".repeat(61), ""), "tag"),
    ] {
        let refused = client
            .list_processes(with_token(request, &c.ana))
            .await
            .expect_err("refused");
        assert_eq!(refused.code(), Code::InvalidArgument);
        assert!(refused.message().contains(field), "{}", refused.message());
    }
    let _ = south;
}

const RIGA: &str = "https://interlink.varam.gov.lv";
const RIGA_STORY: &str = "stories/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a99";

/// The federation service's event of a verified story entry of Riga's
/// (withdrawn when `story` is `None`).
fn story_mirror(c: &Coproduction, version: i64, story: Option<(&str, &str)>) -> Event {
    let mirror = interlink_proto::federation::v1::MirrorUpdated {
        peer: "peers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2aff".into(),
        origin: RIGA.into(),
        origin_display_name: "VARAM".into(),
        origin_name: RIGA_STORY.into(),
        kind: interlink_proto::federation::v1::EntryKind::Story as i32,
        version,
        withdrawn: story.is_none(),
        signature: format!("story.v{version}.jws"),
        process_document: story.map(|(_, d)| d.to_owned()).unwrap_or_default(),
        body: story.map(|(title, _)| {
            interlink_proto::federation::v1::mirror_updated::Body::Story(pb::Story {
                name: RIGA_STORY.into(),
                title: title.into(),
                results: "Twice the riders".into(),
                ..Default::default()
            })
        }),
    };
    c.outbox
        .envelope(NewEvent {
            event_type: EventType::new("federation", "mirror", "updated"),
            actor: interlink_runtime::events::service_actor("federation"),
            organization_id: "",
            aggregate_id: "x",
            aggregate_version: 1,
            payload: &mirror,
        })
        .expect("envelope")
}

async fn mirror(c: &Coproduction, event: &Event) -> anyhow::Result<()> {
    let txn = c.server.env.db.begin().await.expect("begin");
    interlink_coproduction::mirrors::Mirrors
        .handle(&txn, event)
        .await?;
    txn.commit().await.expect("commit");
    Ok(())
}

async fn stories_are_shared_and_mirrors_adopted(backend: Backend) {
    let c = Coproduction::start(backend).await;
    let mut client = c.client();
    let p = c.create(&c.ana, "Shared bikes", false).await;
    let tree = c.build(&p).await;
    c.set(&free_task(&tree), pb::Status::InProgress)
        .await
        .expect("start");
    let story = client
        .create_story(with_token(
            pb::CreateStoryRequest {
                parent: p.name.clone(),
                story: Some(pb::Story {
                    title: "A thousand rides".into(),
                    ..Default::default()
                }),
            },
            &c.ana,
        ))
        .await
        .expect("story")
        .into_inner();
    assert!(!story.shared);
    let update = |token: &str, story: pb::Story, paths: &[&str]| {
        let mut client = c.client();
        let request = with_token(
            pb::UpdateStoryRequest {
                story: Some(story),
                update_mask: mask(paths),
            },
            token,
        );
        async move { client.update_story(request).await.map(|r| r.into_inner()) }
    };
    // Bad input names the field and changes nothing; strangers are told
    // nothing of a private process's story.
    let status = update(
        &c.ana,
        pb::Story {
            name: story.name.clone(),
            ..Default::default()
        },
        &["author"],
    )
    .await
    .expect_err("not a path");
    assert_eq!(violated_fields(&status), vec!["update_mask.paths[0]"]);
    let status = update(
        &c.ana,
        pb::Story {
            name: story.name.clone(),
            title: " ".into(),
            shared: true,
            ..Default::default()
        },
        &["title", "shared"],
    )
    .await
    .expect_err("no title");
    assert_eq!(violated_fields(&status), vec!["story.title"]);
    let status = update(
        &c.carla,
        pb::Story {
            name: story.name.clone(),
            shared: true,
            ..Default::default()
        },
        &["shared"],
    )
    .await
    .expect_err("a stranger");
    assert_eq!(status.code(), Code::NotFound);
    assert!(
        !outbox_events(&c.server.env.db)
            .await
            .iter()
            .any(|e| e.r#type == "coproduction.story.sharing_changed")
    );

    // Shared: told with its process's document, without its people.
    let shared = update(
        &c.ana,
        pb::Story {
            name: story.name.clone(),
            shared: true,
            ..Default::default()
        },
        &["shared"],
    )
    .await
    .expect("share");
    assert!(shared.shared);
    let told: Vec<pb::StorySharingChanged> = outbox_events(&c.server.env.db)
        .await
        .iter()
        .filter(|e| e.r#type == "coproduction.story.sharing_changed")
        .filter_map(interlink_runtime::events::payload)
        .collect();
    assert_eq!(told.len(), 1);
    let document: serde_json::Value =
        serde_json::from_str(&told[0].process_document).expect("a document");
    assert_eq!(document["format"], "interlink.process/1");
    assert_eq!(document["process"]["title"], "Shared bikes");
    assert_eq!(document["process"]["schema"], "");
    assert!(!told[0].process_document.contains(&user("ana")));

    // Another deployment's story: kept read-only, found by origin, seen by
    // everyone; a replayed version changes nothing.
    let riga_document = told[0]
        .process_document
        .replace("Shared bikes", "Riga bikes");
    mirror(
        &c,
        &story_mirror(&c, 1, Some(("Riga rides", &riga_document))),
    )
    .await
    .expect("mirrored");
    mirror(
        &c,
        &story_mirror(&c, 2, Some(("Riga rides, again", &riga_document))),
    )
    .await
    .expect("mirrored");
    mirror(
        &c,
        &story_mirror(&c, 1, Some(("Riga rides, replayed", &riga_document))),
    )
    .await
    .expect("ignored");
    let from_riga = client
        .list_stories(pb::ListStoriesRequest {
            origins: vec![RIGA.into()],
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner()
        .stories;
    assert_eq!(from_riga.len(), 1);
    let listed = client
        .list_stories(pb::ListStoriesRequest::default())
        .await
        .expect("list")
        .into_inner();
    assert_eq!(
        listed
            .origins
            .iter()
            .map(|o| (o.deployment.as_str(), o.deployment_name.as_str(), o.count))
            .collect::<Vec<_>>(),
        vec![(RIGA, "VARAM", 1)]
    );
    let riga = from_riga[0].clone();
    assert_eq!(riga.title, "Riga rides, again");
    assert_eq!(riga.process, "");
    let origin = riga.origin.clone().expect("origin");
    assert_eq!((origin.name.as_str(), origin.version), (RIGA_STORY, 2));
    let local = client
        .list_stories(with_token(
            pb::ListStoriesRequest {
                origins: vec!["local".into()],
                ..Default::default()
            },
            &c.ana,
        ))
        .await
        .expect("list")
        .into_inner()
        .stories;
    assert_eq!(
        local.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        vec![story.name.clone()]
    );
    let nowhere = client
        .list_stories(pb::ListStoriesRequest {
            origins: vec!["https://nowhere.example".into()],
            ..Default::default()
        })
        .await
        .expect("list")
        .into_inner()
        .stories;
    assert!(nowhere.is_empty());
    client
        .get_story(pb::GetStoryRequest {
            name: riga.name.clone(),
        })
        .await
        .expect("everyone sees a mirror");
    let status = update(
        &c.ana,
        pb::Story {
            name: riga.name.clone(),
            title: "Ours".into(),
            ..Default::default()
        },
        &["title"],
    )
    .await
    .expect_err("read-only");
    assert_eq!(status.code(), Code::FailedPrecondition);
    // A document this version cannot read is refused, and nothing changes.
    assert!(
        mirror(
            &c,
            &story_mirror(&c, 3, Some(("Broken", "{\"format\": 1}")))
        )
        .await
        .is_err()
    );

    // Adopted: a process of the adopter's organisation, theirs, with the
    // story's origin; a local story is cloned, not adopted.
    let adopt = |token: &str, name: &str| {
        let mut client = c.client();
        let request = with_token(
            pb::AdoptStoryRequest {
                name: name.into(),
                organization: format!("organizations/{ORG}"),
            },
            token,
        );
        async move { client.adopt_story(request).await.map(|r| r.into_inner()) }
    };
    assert_eq!(
        adopt(&c.carla, &riga.name)
            .await
            .expect_err("not a member")
            .code(),
        Code::PermissionDenied
    );
    assert_eq!(
        adopt(&c.ana, &story.name).await.expect_err("local").code(),
        Code::FailedPrecondition
    );
    let adopted = adopt(&c.ana, &riga.name).await.expect("adopted");
    let process = adopted.process.expect("process");
    assert_eq!(process.title, "Riga bikes");
    assert_eq!(process.administrators, vec![user("ana")]);
    assert_eq!(process.adopted_from, riga.name);
    assert_eq!(
        process.adopted_origin.expect("origin").deployment,
        RIGA.to_owned()
    );
    assert_eq!(adopted.items.len(), tree.items.len());
    let told: Vec<pb::StoryAdopted> = outbox_events(&c.server.env.db)
        .await
        .iter()
        .filter(|e| e.r#type == "coproduction.story.adopted")
        .filter_map(interlink_runtime::events::payload)
        .collect();
    assert_eq!(told.len(), 1);
    assert_eq!(told[0].process, process.name);

    // Withdrawn at its origin: kept, marked, no longer adopted.
    mirror(&c, &story_mirror(&c, 4, None))
        .await
        .expect("withdrawn");
    let shown = client
        .get_story(pb::GetStoryRequest {
            name: riga.name.clone(),
        })
        .await
        .expect("kept")
        .into_inner();
    assert!(shown.withdrawn);
    assert_eq!(shown.title, "Riga rides, again");
    assert_eq!(
        adopt(&c.ana, &riga.name)
            .await
            .expect_err("withdrawn")
            .code(),
        Code::FailedPrecondition
    );
    c.server.stop().await;
}

on_both_backends!(
    a_process_is_built_from_the_seeded_default_schema,
    statuses_roll_up_and_prerequisites_hold_tasks_back,
    processes_are_seen_by_those_concerned_and_kept_by_their_administrators,
    items_added_by_hand_keep_the_tree_rules,
    bad_input_is_refused_by_field_and_changes_nothing,
    memberships_arrive_as_events_and_replays_change_nothing,
    grants_resolve_at_the_most_specific_level_and_guard_assets,
    internal_assets_instantiate_published_interlinkers,
    claims_are_decided_and_stories_told_and_rated,
    contributions_are_asked_of_known_people_and_teams,
    stories_are_as_visible_as_their_process,
    export_import_round_trips_and_clones_copy_the_plan,
    items_are_copied_with_their_subtree,
    projections_are_rebuilt_exactly_from_a_replay,
    processes_are_searched_by_title_and_tag_and_listed_in_four_orders,
    assets_are_made_on_software_interlinkers_by_durable_calls,
    stories_are_shared_and_mirrors_adopted,
);

/// The documents interlinker, for real, with its own database on `backend`.
struct DocumentsServer {
    env: TestEnv,
    base: String,
    signer: std::sync::Arc<interlink_runtime::auth::DevSigner>,
    _dir: tempfile::TempDir,
}

impl DocumentsServer {
    async fn start(backend: Backend) -> Self {
        let env = TestEnv::new::<interlink_documents::Migrator>(backend, |_| {}).await;
        let dir = tempfile::tempdir().expect("dir");
        let signer = std::sync::Arc::new(
            interlink_runtime::auth::DevSigner::load_or_create(dir.path()).expect("signer"),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let auth = interlink_runtime::config::AuthConfig {
            audience: base.clone(),
            ..Default::default()
        };
        let documents = interlink_documents::Documents::new(
            env.db.clone(),
            std::sync::Arc::new(signer.authenticator(&auth)),
            &[3u8; 64],
            base.clone(),
            "http://platform.example".into(),
        );
        tokio::spawn(async move { axum::serve(listener, documents.router()).await });
        Self {
            env,
            base,
            signer,
            _dir: dir,
        }
    }

    /// The platform's tokens for it, as co-production mints them.
    fn tokens(&self) -> interlink_runtime::jobs::TokenSource {
        interlink_runtime::jobs::signed_by(
            std::sync::Arc::clone(&self.signer),
            "interlink_admin".into(),
            Duration::from_secs(300),
        )
    }

    async fn genesis(&self, title: &str, language: &str, body: &str) -> String {
        let document = interlink_documents::store::create(
            &self.env.db,
            title.into(),
            body.into(),
            language.into(),
            &interlink_documents::store::Author {
                subject: "editor".into(),
                name: "Editor".into(),
            },
        )
        .await
        .expect("genesis");
        format!("{}/assets/{}", self.base, document.id)
    }
}

async fn assets_are_made_on_software_interlinkers_by_durable_calls(backend: Backend) {
    use interlink_coproduction::store::{InterlinkerRow, upsert_interlinker};
    let documents = DocumentsServer::start(backend).await;
    let tokens = documents.tokens();
    let keys = std::sync::Arc::clone(&documents.signer);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let stop = shutdown.clone();
    let c = Coproduction::start_with(backend, move |api, env| {
        let worker = interlink_runtime::jobs::Worker::new(
            env.db.clone(),
            std::sync::Arc::new(interlink_coproduction::remote::RemoteAssets),
            std::sync::Arc::clone(&tokens),
            interlink_runtime::jobs::JobsConfig {
                poll: Duration::from_millis(20),
                retry_initial: Duration::from_millis(10),
                ..Default::default()
            },
        )
        .expect("worker");
        let api = api
            .with_remote_calls(worker.waker(), tokens)
            .with_interlinker_keys(keys);
        tokio::spawn(worker.run(stop));
        api
    })
    .await;
    let mut client = c.client();

    // The documents interlinker and a template of it, as the catalogue
    // publishes them; one template's Spanish genesis is missing there.
    const SOFTWARE: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2b01";
    const TEMPLATE: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2b02";
    const BROKEN: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2b03";
    let english = documents
        .genesis("Stakeholder map", "en", "# Who is involved\n")
        .await;
    let spanish = documents
        .genesis("Mapa de actores", "es", "# Quién participa\n")
        .await;
    let row = |id: &str, nature: &str| InterlinkerRow {
        id: id.into(),
        nature: nature.into(),
        state: "published".into(),
        title: [("en".to_owned(), format!("Interlinker {id}"))].into(),
        problem_profiles: Vec::new(),
        software_interlinker: String::new(),
        genesis_assets: Default::default(),
        endpoint_uri: String::new(),
        capabilities: Vec::new(),
        version: 1,
    };
    let db = &c.server.env.db;
    upsert_interlinker(
        db,
        &InterlinkerRow {
            endpoint_uri: documents.base.clone(),
            capabilities: ["instantiate", "view", "clone", "delete", "open_in_modal"]
                .map(String::from)
                .to_vec(),
            ..row(SOFTWARE, "software")
        },
    )
    .await
    .expect("software");
    upsert_interlinker(
        db,
        &InterlinkerRow {
            software_interlinker: SOFTWARE.into(),
            genesis_assets: [
                ("en".to_owned(), english.clone()),
                ("es".to_owned(), spanish),
            ]
            .into(),
            ..row(TEMPLATE, "knowledge")
        },
    )
    .await
    .expect("template");
    upsert_interlinker(
        db,
        &InterlinkerRow {
            software_interlinker: SOFTWARE.into(),
            genesis_assets: [(
                "es".to_owned(),
                format!(
                    "{}/assets/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2bff",
                    documents.base
                ),
            )]
            .into(),
            ..row(BROKEN, "knowledge")
        },
    )
    .await
    .expect("broken template");

    let p = c.create(&c.ana, "Remote assets", false).await;
    let task = free_task(&c.build(&p).await);
    let use_interlinker = |id: &str| pb::CreateAssetRequest {
        parent: task.clone(),
        asset: Some(pb::Asset {
            kind: pb::AssetKind::Internal as i32,
            interlinker: format!("interlinkers/{id}"),
            ..Default::default()
        }),
    };
    let mut made = Vec::new();
    for id in [TEMPLATE, SOFTWARE, BROKEN] {
        let asset = client
            .create_asset(with_token(use_interlinker(id), &c.ana))
            .await
            .expect("asset")
            .into_inner();
        assert_eq!(asset.preparation, pb::AssetPreparation::Preparing as i32);
        assert_eq!(asset.interlinker_endpoint, documents.base);
        made.push(asset.name);
    }
    let settled = |name: String| {
        let mut client = c.client();
        let token = c.ana.clone();
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
            loop {
                let asset = client
                    .get_asset(with_token(
                        pb::GetAssetRequest { name: name.clone() },
                        &token,
                    ))
                    .await
                    .expect("get")
                    .into_inner();
                if asset.preparation != pb::AssetPreparation::Preparing as i32 {
                    return asset;
                }
                assert!(tokio::time::Instant::now() < deadline, "{asset:?}");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    let cloned = settled(made[0].clone()).await;
    let blank = settled(made[1].clone()).await;
    let broken = settled(made[2].clone()).await;

    // The Spanish process got the Spanish genesis, as its own document.
    assert_eq!(
        cloned.preparation,
        pb::AssetPreparation::Ready as i32,
        "{cloned:?}"
    );
    let copy = interlink_documents::store::get(
        &documents.env.db,
        cloned.external_id.parse().expect("uuid"),
    )
    .await
    .expect("get")
    .expect("the clone exists");
    assert_eq!(
        (copy.body.as_str(), copy.language.as_str()),
        ("# Quién participa\n", "es")
    );
    assert_eq!(copy.created_by, "ana");
    assert_eq!(
        cloned.capabilities,
        vec!["instantiate", "view", "clone", "delete", "open_in_modal"]
    );
    // The software interlinker made a new, empty one named as the asset.
    assert_eq!(
        blank.preparation,
        pb::AssetPreparation::Ready as i32,
        "{blank:?}"
    );
    let fresh = interlink_documents::store::get(
        &documents.env.db,
        blank.external_id.parse().expect("uuid"),
    )
    .await
    .expect("get")
    .expect("the new document exists");
    assert_eq!(
        (fresh.title.as_str(), fresh.body.as_str()),
        (blank.display_name.as_str(), "")
    );
    // A genesis the interlinker does not have: refused, and said why.
    assert_eq!(
        broken.preparation,
        pb::AssetPreparation::Failed as i32,
        "{broken:?}"
    );
    assert!(
        broken.preparation_error.starts_with("answered 404"),
        "{}",
        broken.preparation_error
    );
    assert_eq!(
        interlink_documents::store::count(&documents.env.db)
            .await
            .expect("count"),
        4
    );

    // Opened there with Ana signed in: the link's token opens a session.
    let open = |name: &str, edit: bool, token: &str| {
        let mut client = c.client();
        let request = with_token(
            pb::OpenAssetRequest {
                name: name.to_owned(),
                edit,
            },
            token,
        );
        async move { client.open_asset(request).await }
    };
    let link = open(&cloned.name, false, &c.ana)
        .await
        .expect("open")
        .into_inner();
    assert!(
        link.uri.starts_with(&format!(
            "{}/assets/{}/view?token=",
            documents.base, cloned.external_id
        )),
        "{}",
        link.uri
    );
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("browser");
    let page = browser
        .get(&link.uri)
        .send()
        .await
        .expect("open")
        .text()
        .await
        .expect("page");
    assert!(
        page.contains(&format!("<h1>{}</h1>", cloned.display_name)),
        "{page}"
    );
    assert!(page.contains("Quién participa"), "{page}");
    // Its interlinker declared no `edit` when it was made: not offered.
    let no_edit = open(&cloned.name, true, &c.ana).await.expect_err("no edit");
    assert_eq!(no_edit.code(), Code::FailedPrecondition);
    assert!(
        no_edit.message().contains("does not edit"),
        "{}",
        no_edit.message()
    );
    let refused = open(&cloned.name, false, &c.carla)
        .await
        .expect_err("not hers");
    assert_eq!(refused.code(), Code::NotFound);
    let not_made = open(&broken.name, false, &c.ana).await.expect_err("failed");
    assert_eq!(not_made.code(), Code::FailedPrecondition);
    assert!(
        not_made.message().contains("answered 404"),
        "{}",
        not_made.message()
    );

    // The interlinker asks what a person may do, with the token the
    // platform gave it: Ana (its process's administrator) views and edits,
    // Carla neither; another interlinker's token asks of no asset here; a
    // token the platform did not sign is refused by field.
    let ask = |subject: &str, audience: &str| {
        let token = documents
            .signer
            .mint(
                &interlink_runtime::auth::DevTokenRequest {
                    subject: subject.into(),
                    name: None,
                    email: None,
                    admin: false,
                    ttl: Duration::from_secs(60),
                },
                audience,
                "interlink_admin",
            )
            .expect("token");
        let mut client = c.client();
        let request = pb::CheckInterlinkerAccessRequest {
            token,
            external_id: cloned.external_id.clone(),
        };
        async move { client.check_interlinker_access(request).await }
    };
    let ana = ask("ana", &documents.base).await.expect("ana").into_inner();
    assert_eq!(
        (ana.asset.as_str(), ana.view, ana.edit),
        (cloned.name.as_str(), true, true)
    );
    let carla = ask("carla", &documents.base)
        .await
        .expect("carla")
        .into_inner();
    assert_eq!((carla.view, carla.edit), (false, false));
    let elsewhere = ask("ana", "http://surveys.example")
        .await
        .expect("elsewhere")
        .into_inner();
    assert_eq!(elsewhere, pb::InterlinkerAccess::default());
    let forged = c
        .client()
        .check_interlinker_access(pb::CheckInterlinkerAccessRequest {
            token: "e30.e30.c2ln".into(),
            external_id: cloned.external_id.clone(),
        })
        .await
        .expect_err("not the platform's");
    assert_eq!(forged.code(), Code::Unauthenticated);
    assert!(
        forged.message().starts_with("token: "),
        "{}",
        forged.message()
    );

    // A failed making is tried again on demand (and fails again here).
    let retry = |name: &str| {
        let mut client = c.client();
        let request = with_token(
            pb::RetryAssetPreparationRequest {
                name: name.to_owned(),
            },
            &c.ana,
        );
        async move { client.retry_asset_preparation(request).await }
    };
    let retried = retry(&broken.name).await.expect("retry").into_inner();
    assert_eq!(retried.preparation, pb::AssetPreparation::Preparing as i32);
    let again = settled(broken.name.clone()).await;
    assert_eq!(again.preparation, pb::AssetPreparation::Failed as i32);
    let ready_refused = retry(&cloned.name).await.expect_err("ready");
    assert_eq!(ready_refused.code(), Code::FailedPrecondition);

    // Cloning the process copies its assets there too: a made one from
    // its work so far, a failed one made as it was to be (and failing
    // again); deleting the clone deletes its copies.
    let worked = interlink_documents::store::save(
        &documents.env.db,
        copy.id,
        copy.revisions,
        copy.title.clone(),
        "# Quién participa\n\nAna y Ben\n".into(),
        &interlink_documents::store::Author {
            subject: "ana".into(),
            name: "Ana".into(),
        },
        None,
    )
    .await
    .expect("Ana writes");
    let clone = client
        .clone_process(with_token(
            pb::CloneProcessRequest {
                name: p.name.clone(),
                ..Default::default()
            },
            &c.ana,
        ))
        .await
        .expect("clone")
        .into_inner();
    let clone_name = clone.process.as_ref().expect("process").name.clone();
    let copies = client
        .list_assets(with_token(
            pb::ListAssetsRequest {
                parent: clone_name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("the clone's assets")
        .into_inner()
        .assets;
    assert_eq!(copies.len(), 3, "{copies:?}");
    let mut copied = Vec::new();
    for copy in &copies {
        copied.push(settled(copy.name.clone()).await);
    }
    let by_name = |name: &str| {
        copied
            .iter()
            .find(|a| a.display_name == name)
            .unwrap_or_else(|| panic!("a copy of {name}: {copied:?}"))
    };
    let work_copy = by_name(&cloned.display_name);
    assert_eq!(work_copy.preparation, pb::AssetPreparation::Ready as i32);
    assert_ne!(work_copy.external_id, cloned.external_id);
    let held = interlink_documents::store::get(
        &documents.env.db,
        work_copy.external_id.parse().expect("uuid"),
    )
    .await
    .expect("get")
    .expect("the copy's document");
    assert_eq!(held.body, worked.body, "the work so far is copied");
    assert_eq!(
        by_name(&blank.display_name).preparation,
        pb::AssetPreparation::Ready as i32
    );
    assert_eq!(
        by_name(&broken.display_name).preparation,
        pb::AssetPreparation::Failed as i32
    );
    assert_eq!(
        interlink_documents::store::count(&documents.env.db)
            .await
            .expect("count"),
        6,
        "two copies made there, none twice"
    );
    client
        .delete_process(with_token(
            pb::DeleteProcessRequest { name: clone_name },
            &c.ana,
        ))
        .await
        .expect("delete the clone");
    wait_until(
        "the clone's documents are deleted",
        Duration::from_secs(20),
        || async {
            interlink_documents::store::count(&documents.env.db)
                .await
                .expect("count")
                == 4
        },
    )
    .await;

    // Made by a person on the interlinker's own page: the page's link
    // signs them in there, and the asset it made is registered, once.
    let link = client
        .get_instantiate_link(with_token(
            pb::GetInstantiateLinkRequest {
                parent: task.clone(),
                interlinker: format!("interlinkers/{SOFTWARE}"),
            },
            &c.ana,
        ))
        .await
        .expect("instantiate link")
        .into_inner();
    assert!(
        link.uri.starts_with(&format!(
            "{}/assets/instantiate?language=es&token=",
            documents.base
        )),
        "{}",
        link.uri
    );
    let not_software = client
        .get_instantiate_link(with_token(
            pb::GetInstantiateLinkRequest {
                parent: task.clone(),
                interlinker: format!("interlinkers/{TEMPLATE}"),
            },
            &c.ana,
        ))
        .await
        .expect_err("a template has no instantiate page");
    assert_eq!(not_software.code(), Code::FailedPrecondition);
    let not_hers = client
        .get_instantiate_link(with_token(
            pb::GetInstantiateLinkRequest {
                parent: task.clone(),
                interlinker: format!("interlinkers/{SOFTWARE}"),
            },
            &c.carla,
        ))
        .await
        .expect_err("no rights");
    assert_ne!(not_hers.code(), Code::Ok);
    let made_there = documents.genesis("Actas", "es", "# Actas\n").await;
    let external_id = made_there.rsplit('/').next().expect("id").to_owned();
    let register = |external_id: &str| {
        let mut client = c.client();
        let request = with_token(
            pb::CreateAssetRequest {
                parent: task.clone(),
                asset: Some(pb::Asset {
                    kind: pb::AssetKind::Internal as i32,
                    interlinker: format!("interlinkers/{SOFTWARE}"),
                    external_id: external_id.to_owned(),
                    display_name: "Actas".into(),
                    ..Default::default()
                }),
            },
            &c.ana,
        );
        async move { client.create_asset(request).await }
    };
    let bad = register("../../admin").await.expect_err("not an id");
    assert_eq!(bad.code(), Code::InvalidArgument);
    assert!(
        bad.message().contains("asset.external_id"),
        "{}",
        bad.message()
    );
    let registered = register(&external_id)
        .await
        .expect("registered")
        .into_inner();
    assert_eq!(registered.preparation, pb::AssetPreparation::Ready as i32);
    assert_eq!(registered.external_id, external_id);
    assert_eq!(registered.interlinker_endpoint, documents.base);
    let twice = register(&external_id).await.expect_err("once");
    assert_eq!(twice.code(), Code::AlreadyExists);
    client
        .delete_asset(with_token(
            pb::DeleteAssetRequest {
                name: registered.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("delete the registered asset");
    wait_until(
        "the registered asset's document is deleted there",
        Duration::from_secs(20),
        || async {
            interlink_documents::store::count(&documents.env.db)
                .await
                .expect("count")
                == 4
        },
    )
    .await;

    // Deleting the assets deletes their documents there, not the genesis.
    for name in &made {
        client
            .delete_asset(with_token(
                pb::DeleteAssetRequest { name: name.clone() },
                &c.ana,
            ))
            .await
            .expect("delete");
    }
    wait_until(
        "the documents are deleted",
        Duration::from_secs(20),
        || async {
            interlink_documents::store::count(&documents.env.db)
                .await
                .expect("count")
                == 2
        },
    )
    .await;

    // Clearing the plan deletes what its assets made there too.
    let again = client
        .create_asset(with_token(use_interlinker(TEMPLATE), &c.ana))
        .await
        .expect("asset")
        .into_inner();
    let again = settled(again.name).await;
    assert_eq!(again.preparation, pb::AssetPreparation::Ready as i32);
    let documents_now = || async {
        interlink_documents::store::count(&documents.env.db)
            .await
            .expect("count")
    };
    assert_eq!(documents_now().await, 3);
    client
        .clear_tree(with_token(
            pb::ClearTreeRequest {
                process: p.name.clone(),
            },
            &c.ana,
        ))
        .await
        .expect("clear");
    wait_until(
        "the cleared plan's document is deleted",
        Duration::from_secs(20),
        || async { documents_now().await == 2 },
    )
    .await;
    shutdown.cancel();
    documents.env.cleanup().await;
}
