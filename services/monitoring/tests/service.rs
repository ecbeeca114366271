//! The monitoring service on PostgreSQL and SQLite: a scripted history of
//! events from every service gives exact KPIs, twice-delivered events
//! count once, a rebuild equals the live values, the hash chain shows
//! tampering, and the trail is read only by those entitled to it.

use interlink_monitoring::{Migrator, MonitoringApi, Recorder};
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::community::v1 as community;
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::events::v1::Event;
use interlink_proto::monitoring::v1 as pb;
use interlink_proto::monitoring::v1::monitoring_service_client::MonitoringServiceClient;
use interlink_proto::monitoring::v1::monitoring_service_server::MonitoringServiceServer;
use interlink_runtime::api::{user_id, user_name as user};
use interlink_runtime::events::{EventHandler, EventType, NewEvent, Outbox, user_actor};
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::{Backend, TestEnv, TestServer, violated_fields, with_token};
use sea_orm::{ConnectionTrait, TransactionTrait};
use tonic::Code;
use tonic::transport::Channel;

const ORG: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10";
const OTHER: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a11";
const PA_TEAM: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a20";
const CITIZENS: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a21";
const P1: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a30";
const P2: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a31";
const P3: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a32";

struct Monitoring {
    server: TestServer,
    outbox: Outbox,
}

impl Monitoring {
    async fn start(backend: Backend) -> Self {
        let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
        let outbox = env.outbox();
        let server = TestServer::start(env, interlink_monitoring::SERVICE_NAME, |env| {
            let mut routes = tonic::service::RoutesBuilder::default();
            routes.add_service(MonitoringServiceServer::new(MonitoringApi::new(
                env.db.clone(),
                Default::default(),
            )));
            routes
        })
        .await;
        Self { server, outbox }
    }

    fn client(&self) -> MonitoringServiceClient<Channel> {
        MonitoringServiceClient::new(self.server.channel.clone())
    }

    fn event<M: prost::Name>(
        &self,
        (service, aggregate, verb): (&'static str, &'static str, &'static str),
        actor: &str,
        organization: &str,
        aggregate_id: &str,
        payload: &M,
    ) -> Event {
        self.outbox
            .envelope(NewEvent {
                event_type: EventType::new(service, aggregate, verb),
                actor: user_actor(actor),
                organization_id: organization,
                aggregate_id,
                aggregate_version: 1,
                payload,
            })
            .expect("envelope")
    }

    async fn record(&self, events: &[Event]) {
        let db = &self.server.env.db;
        for event in events {
            let txn = db.begin().await.expect("begin");
            Recorder::default()
                .handle(&txn, event)
                .await
                .expect("recorded");
            txn.commit().await.expect("commit");
        }
    }

    async fn kpis(&self, scope: &str, series: bool) -> pb::Kpis {
        self.client()
            .get_kpis(with_token(
                pb::GetKpisRequest {
                    scope: scope.into(),
                    include_series: series,
                },
                &self.server.token("root", true),
            ))
            .await
            .expect("kpis")
            .into_inner()
    }
}

fn values(kpis: &pb::Kpis) -> Vec<(String, String, i64)> {
    kpis.values
        .iter()
        .map(|v| (v.kpi.clone(), v.dimension.clone(), v.value))
        .collect()
}

fn process(id: &str, schema: &str) -> coproduction::Process {
    coproduction::Process {
        name: format!("processes/{id}"),
        organization: format!("organizations/{ORG}"),
        schema: schema.into(),
        ..Default::default()
    }
}

/// A history touching every KPI.
fn history(m: &Monitoring) -> Vec<Event> {
    let team = |id: &str, kind: community::TeamType| community::TeamCreated {
        team: Some(community::Team {
            name: format!("teams/{id}"),
            organization: format!("organizations/{ORG}"),
            r#type: kind as i32,
            ..Default::default()
        }),
    };
    let member =
        |team: &str, subject: &str, kind: community::TeamType| community::TeamMemberAdded {
            member: Some(community::TeamMember {
                team: format!("teams/{team}"),
                subject: subject.into(),
                ..Default::default()
            }),
            organization: format!("organizations/{ORG}"),
            team_type: kind as i32,
        };
    let asset = |process: &str, interlinker: &str, nature: &str| coproduction::Asset {
        name: format!("assets/{}", uuid_like(process, interlinker)),
        process: format!("processes/{process}"),
        interlinker: interlinker.into(),
        interlinker_nature: nature.into(),
        ..Default::default()
    };
    use community::TeamType::{Citizen, PublicAdministration};
    let mut events = vec![
        m.event(
            ("community", "user", "registered"),
            "ana",
            "",
            &user_id("ana"),
            &community::UserRegistered::default(),
        ),
        m.event(
            ("community", "user", "registered"),
            "bea",
            "",
            &user_id("bea"),
            &community::UserRegistered::default(),
        ),
        m.event(
            ("community", "user", "registered"),
            "carla",
            "",
            &user_id("carla"),
            &community::UserRegistered::default(),
        ),
        m.event(
            ("community", "organization", "created"),
            "ana",
            ORG,
            ORG,
            &community::OrganizationCreated::default(),
        ),
        m.event(
            ("community", "team", "created"),
            "ana",
            ORG,
            PA_TEAM,
            &team(PA_TEAM, PublicAdministration),
        ),
        m.event(
            ("community", "team", "created"),
            "ana",
            ORG,
            CITIZENS,
            &team(CITIZENS, Citizen),
        ),
        m.event(
            ("community", "team", "member_added"),
            "ana",
            ORG,
            PA_TEAM,
            &member(PA_TEAM, "ana", PublicAdministration),
        ),
        m.event(
            ("community", "team", "member_added"),
            "ana",
            ORG,
            PA_TEAM,
            &member(PA_TEAM, "bea", PublicAdministration),
        ),
        // bea's role changes: the same event again, no new participant.
        m.event(
            ("community", "team", "member_added"),
            "ana",
            ORG,
            PA_TEAM,
            &member(PA_TEAM, "bea", PublicAdministration),
        ),
        m.event(
            ("community", "team", "member_added"),
            "ana",
            ORG,
            CITIZENS,
            &member(CITIZENS, "carla", Citizen),
        ),
        m.event(
            ("community", "team", "member_added"),
            "ana",
            ORG,
            CITIZENS,
            &member(CITIZENS, "dan", Citizen),
        ),
        m.event(
            ("community", "team", "member_removed"),
            "ana",
            ORG,
            CITIZENS,
            &community::TeamMemberRemoved {
                team: format!("teams/{CITIZENS}"),
                subject: "dan".into(),
                organization: format!("organizations/{ORG}"),
                team_type: Citizen as i32,
                ..Default::default()
            },
        ),
        m.event(
            ("catalogue", "interlinker", "published"),
            "editor",
            "",
            "i1",
            &catalogue::InterlinkerPublished {
                interlinker: Some(catalogue::Interlinker {
                    nature: catalogue::Nature::Knowledge as i32,
                    ..Default::default()
                }),
            },
        ),
        m.event(
            ("catalogue", "interlinker", "published"),
            "editor",
            "",
            "i2",
            &catalogue::InterlinkerPublished {
                interlinker: Some(catalogue::Interlinker {
                    nature: catalogue::Nature::Software as i32,
                    ..Default::default()
                }),
            },
        ),
        // A mirror of another deployment's entry is not published here;
        // adopting it is reuse across deployments.
        m.event(
            ("catalogue", "interlinker", "published"),
            "federation",
            "",
            "i3",
            &catalogue::InterlinkerPublished {
                interlinker: Some(catalogue::Interlinker {
                    nature: catalogue::Nature::Software as i32,
                    origin: Some(catalogue::Origin {
                        deployment: "https://interlink.varam.gov.lv".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
            },
        ),
        m.event(
            ("catalogue", "interlinker", "adopted"),
            "editor",
            "",
            "i4",
            &catalogue::InterlinkerAdopted {
                interlinker: Some(catalogue::Interlinker {
                    nature: catalogue::Nature::Software as i32,
                    adopted_from: Some(catalogue::Origin {
                        deployment: "https://interlink.varam.gov.lv".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                source: "interlinkers/i3".into(),
            },
        ),
        m.event(
            ("coproduction", "process", "created"),
            "ana",
            ORG,
            P1,
            &coproduction::ProcessCreated {
                process: Some(process(P1, "")),
            },
        ),
        m.event(
            ("coproduction", "process", "created"),
            "ana",
            ORG,
            P2,
            &coproduction::ProcessCreated {
                process: Some(process(P2, "")),
            },
        ),
        m.event(
            ("coproduction", "process", "schema_set"),
            "ana",
            ORG,
            P1,
            &coproduction::ProcessSchemaSet {
                tree: Some(coproduction::ProcessTree {
                    process: Some(process(P1, "schemas/default")),
                    items: Vec::new(),
                }),
            },
        ),
        m.event(
            ("coproduction", "process", "cloned"),
            "bea",
            ORG,
            P3,
            &coproduction::ProcessCloned {
                tree: Some(coproduction::ProcessTree {
                    process: Some(process(P3, "schemas/default")),
                    items: Vec::new(),
                }),
                source: format!("processes/{P1}"),
            },
        ),
        m.event(
            ("coproduction", "task", "status_changed"),
            "bea",
            ORG,
            "t1",
            &coproduction::TaskStatusChanged {
                task: "tasks/t1".into(),
                process: format!("processes/{P1}"),
                phase: Some(coproduction::TreeItem {
                    co_delivery: true,
                    status: coproduction::Status::InProgress as i32,
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
        // A second start in the same co-delivery phase counts nothing new.
        m.event(
            ("coproduction", "task", "status_changed"),
            "carla",
            ORG,
            "t2",
            &coproduction::TaskStatusChanged {
                task: "tasks/t2".into(),
                process: format!("processes/{P1}"),
                phase: Some(coproduction::TreeItem {
                    co_delivery: true,
                    status: coproduction::Status::InProgress as i32,
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
        m.event(
            ("coproduction", "asset", "added"),
            "bea",
            ORG,
            "a1",
            &coproduction::AssetAdded {
                asset: Some(asset(P1, "interlinkers/k1", "knowledge")),
            },
        ),
        m.event(
            ("coproduction", "asset", "added"),
            "bea",
            ORG,
            "a2",
            &coproduction::AssetAdded {
                asset: Some(asset(P1, "interlinkers/k1", "knowledge")),
            },
        ),
        m.event(
            ("coproduction", "asset", "added"),
            "carla",
            ORG,
            "a3",
            &coproduction::AssetAdded {
                asset: Some(asset(P2, "interlinkers/s1", "software")),
            },
        ),
        m.event(
            ("coproduction", "asset", "added"),
            "carla",
            ORG,
            "a4",
            &coproduction::AssetAdded {
                asset: Some(asset(P2, "", "")),
            },
        ),
        m.event(
            ("coproduction", "asset", "removed"),
            "ana",
            ORG,
            "a3",
            &coproduction::AssetRemoved {
                asset: Some(asset(P2, "interlinkers/s1", "software")),
            },
        ),
        m.event(
            ("coproduction", "claim", "submitted"),
            "bea",
            ORG,
            "c1",
            &coproduction::ClaimSubmitted {
                claim: Some(coproduction::Claim {
                    name: format!("processes/{P1}/claims/c1"),
                    r#type: coproduction::ClaimType::Development as i32,
                    ..Default::default()
                }),
            },
        ),
        m.event(
            ("coproduction", "claim", "decided"),
            "ana",
            ORG,
            "c1",
            &coproduction::ClaimDecided {
                claim: Some(coproduction::Claim {
                    name: format!("processes/{P1}/claims/c1"),
                    r#type: coproduction::ClaimType::Development as i32,
                    state: coproduction::ClaimState::Accepted as i32,
                    ..Default::default()
                }),
            },
        ),
        m.event(
            ("coproduction", "story", "published"),
            "ana",
            ORG,
            "s1",
            &coproduction::StoryPublished {
                story: Some(coproduction::Story {
                    process: format!("processes/{P1}"),
                    ..Default::default()
                }),
            },
        ),
        // Deleting a process removes its assets first (as co-production does).
        m.event(
            ("coproduction", "asset", "removed"),
            "ana",
            ORG,
            "a4",
            &coproduction::AssetRemoved {
                asset: Some(asset(P2, "", "")),
            },
        ),
        m.event(
            ("coproduction", "process", "deleted"),
            "ana",
            ORG,
            P2,
            &coproduction::ProcessDeleted {
                process: format!("processes/{P2}"),
                organization: format!("organizations/{ORG}"),
            },
        ),
    ];
    // One event of another organisation: never in ORG's numbers.
    events.push(m.event(
        ("coproduction", "process", "created"),
        "zoe",
        OTHER,
        "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a99",
        &coproduction::ProcessCreated {
            process: Some(coproduction::Process {
                name: "processes/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a99".into(),
                organization: format!("organizations/{OTHER}"),
                ..Default::default()
            }),
        },
    ));
    events
}

fn uuid_like(a: &str, b: &str) -> String {
    format!("{}-{}", &a[..8], b.len())
}

async fn a_scripted_history_yields_exact_kpis_once_and_on_rebuild(backend: Backend) {
    let m = Monitoring::start(backend).await;
    let events = history(&m);
    m.record(&events).await;
    let s = |k: &str, d: &str, v: i64| (k.to_owned(), d.to_owned(), v);
    let expected_org = vec![
        s("assets", "", 2),
        s("assets_per_process", P1, 2),
        s("assets_per_process", P2, 0),
        s("claims", "development", 1),
        s("claims_accepted", "development", 1),
        s("cloned_processes", "", 1),
        s("co_delivered_processes", "", 1),
        s("interlinker_use", "k1", 2),
        s("interlinker_use", "s1", 1),
        s("interlinkers_used", "knowledge", 2),
        s("interlinkers_used", "software", 1),
        s("participants", "citizen", 1),
        s("participants", "public_administration", 2),
        s("processes", "", 2),
        s("processes_per_schema", "default", 2),
        s("stories", "", 1),
        s("teams", "citizen", 1),
        s("teams", "public_administration", 1),
    ];
    let org = m.kpis(&format!("organizations/{ORG}"), true).await;
    assert_eq!(values(&org), expected_org);
    let platform = m.kpis("organizations/-", false).await;
    let mut expected_platform = expected_org.clone();
    expected_platform.extend([
        s(
            "cross_deployment_reuse",
            "https://interlink.varam.gov.lv",
            1,
        ),
        s("interlinkers_published", "knowledge", 1),
        s("interlinkers_published", "software", 1),
        s("organizations", "", 1),
        s("registered_users", "", 3),
    ]);
    expected_platform.sort();
    // The other organisation's process counts on the platform only.
    for v in expected_platform.iter_mut() {
        if v.0 == "processes" {
            v.2 = 3;
        }
    }
    assert_eq!(values(&platform), expected_platform);
    // Today's change is the whole value for what only grew today.
    let stories = org
        .values
        .iter()
        .find(|v| v.kpi == "stories")
        .expect("stories");
    assert_eq!(stories.daily.values().sum::<i64>(), 1);
    // Active users per process: ana, bea, carla acted on P1.
    let p1 = org
        .active_users
        .iter()
        .find(|a| a.process == format!("processes/{P1}"))
        .expect("P1 activity");
    assert_eq!((p1.last_7_days, p1.last_30_days), (3, 3));

    // Everything delivered again: nothing counts twice.
    m.record(&events).await;
    assert_eq!(m.kpis(&format!("organizations/{ORG}"), true).await, org);

    // A rebuild from the stored events gives the live values exactly.
    let rebuilt = m
        .client()
        .rebuild_kpis(with_token(
            pb::RebuildKpisRequest {},
            &m.server.token("root", true),
        ))
        .await
        .expect("rebuild")
        .into_inner();
    assert_eq!(rebuilt.events, events.len() as i64);
    assert_eq!(m.kpis(&format!("organizations/{ORG}"), true).await, org);
    assert_eq!(m.kpis("organizations/-", false).await, platform);
    assert_eq!(
        m.client()
            .rebuild_kpis(with_token(
                pb::RebuildKpisRequest {},
                &m.server.token("ana", false)
            ))
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::PermissionDenied)
    );
    m.server.stop().await;
}

async fn the_chain_verifies_and_shows_tampering(backend: Backend) {
    let m = Monitoring::start(backend).await;
    m.record(&history(&m)).await;
    let verify = |scope: &str| {
        let mut client = m.client();
        let token = m.server.token("root", true);
        let scope = scope.to_owned();
        async move {
            client
                .verify_chain(with_token(
                    pb::VerifyChainRequest {
                        organization: scope,
                    },
                    &token,
                ))
                .await
                .expect("verify")
                .into_inner()
        }
    };
    let ok = verify(&format!("organizations/{ORG}")).await;
    assert!(ok.valid, "{ok:?}");
    assert_eq!(ok.entries, 25);
    assert!(verify("organizations/-").await.valid);
    let db = &m.server.env.db;
    let seq_of = |n: usize| async move {
        let rows = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT seq FROM audit WHERE organization_id = '{ORG}' ORDER BY seq"),
            ))
            .await
            .expect("seqs");
        rows[n].try_get::<i64>("", "seq").expect("seq")
    };
    // A changed field.
    let target = seq_of(10).await;
    let original: String = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!("SELECT type FROM audit WHERE seq = {target}"),
        ))
        .await
        .expect("row")
        .expect("exists")
        .try_get("", "type")
        .expect("type");
    db.execute_unprepared(&format!(
        "UPDATE audit SET type = 'coproduction.process.deleted' WHERE seq = {target}"
    ))
    .await
    .expect("tamper");
    let broken = verify(&format!("organizations/{ORG}")).await;
    assert!(!broken.valid);
    assert_eq!(broken.first_broken_sequence, target);
    db.execute_unprepared(&format!(
        "UPDATE audit SET type = '{original}' WHERE seq = {target}"
    ))
    .await
    .expect("restore");
    assert!(
        verify(&format!("organizations/{ORG}")).await.valid,
        "restored"
    );
    // A changed event body.
    let body = seq_of(12).await;
    db.execute_unprepared(&format!("UPDATE audit SET event = NULL WHERE seq = {body}"))
        .await
        .expect("redact");
    // (a removed body alone is a redaction, which the chain allows)
    let after_redaction = verify(&format!("organizations/{ORG}")).await;
    assert!(after_redaction.valid, "{after_redaction:?}");
    // A changed body is not.
    db.execute_raw(sea_orm::Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE audit SET event = $1 WHERE seq = $2",
        [vec![1u8, 2, 3].into(), body.into()],
    ))
    .await
    .expect("forge");
    let forged = verify(&format!("organizations/{ORG}")).await;
    assert_eq!(forged.first_broken_sequence, body);
    assert!(forged.reason.contains("digest"), "{forged:?}");
    db.execute_unprepared(&format!("UPDATE audit SET event = NULL WHERE seq = {body}"))
        .await
        .expect("redact again");
    // A removed entry at the end.
    let last = seq_of(24).await;
    db.execute_unprepared(&format!("DELETE FROM audit WHERE seq = {last}"))
        .await
        .expect("delete");
    let truncated = verify(&format!("organizations/{ORG}")).await;
    assert!(!truncated.valid);
    assert!(truncated.reason.contains("missing"), "{truncated:?}");
    m.server.stop().await;
}

async fn the_trail_is_read_by_those_entitled_with_filters(backend: Backend) {
    let m = Monitoring::start(backend).await;
    m.record(&history(&m)).await;
    let list = |token: String, request: pb::ListActivityRequest| {
        let mut client = m.client();
        async move {
            client
                .list_activity(with_token(request, &token))
                .await
                .map(|r| r.into_inner())
        }
    };
    let ana = m.server.token("ana", false);
    let carla = m.server.token("carla", false);
    // ana administers ORG (she created it).
    let org = list(
        ana.clone(),
        pb::ListActivityRequest {
            organization: format!("organizations/{ORG}"),
            page_size: 10,
            ..Default::default()
        },
    )
    .await
    .expect("org trail");
    assert_eq!(org.entries.len(), 10);
    assert_eq!(
        org.entries[0].r#type, "coproduction.process.deleted",
        "newest first"
    );
    let next = list(
        ana.clone(),
        pb::ListActivityRequest {
            organization: format!("organizations/{ORG}"),
            page_size: 100,
            page_token: org.next_page_token.clone(),
            ..Default::default()
        },
    )
    .await
    .expect("page 2");
    assert_eq!(org.entries.len() + next.entries.len(), 25);
    // A process's activity, filtered by model.
    let p1 = list(
        ana.clone(),
        pb::ListActivityRequest {
            process: format!("processes/{P1}"),
            model: "asset".into(),
            ..Default::default()
        },
    )
    .await
    .expect("process trail");
    assert_eq!(p1.entries.len(), 2);
    assert!(
        p1.entries
            .iter()
            .all(|e| e.model == "asset" && e.action == "added")
    );
    // carla reads her own actions, not the organisation's.
    let own = list(
        carla.clone(),
        pb::ListActivityRequest {
            actor: user("carla"),
            ..Default::default()
        },
    )
    .await
    .expect("own");
    assert_eq!(own.entries.len(), 4);
    assert!(own.entries.iter().all(|e| e.actor == user("carla")));
    for request in [
        pb::ListActivityRequest {
            organization: format!("organizations/{ORG}"),
            ..Default::default()
        },
        pb::ListActivityRequest {
            actor: user("ana"),
            ..Default::default()
        },
        pb::ListActivityRequest::default(),
    ] {
        assert_eq!(
            list(carla.clone(), request)
                .await
                .map(|_| ())
                .map_err(|s| s.code()),
            Err(Code::PermissionDenied)
        );
    }
    // Someone else's process and a process no one made get the same
    // answer, naming nothing carla did not send.
    let process_trail = |id: &str| {
        list(
            carla.clone(),
            pb::ListActivityRequest {
                process: format!("processes/{id}"),
                ..Default::default()
            },
        )
    };
    let theirs = process_trail(P1).await.expect_err("ana's process");
    let nowhere = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2aff";
    let unknown = process_trail(nowhere).await.expect_err("no process");
    assert_eq!(theirs.code(), Code::PermissionDenied);
    assert_eq!(unknown.code(), theirs.code());
    assert_eq!(unknown.message().replace(nowhere, P1), theirs.message());
    assert!(!theirs.message().contains(ORG), "{theirs:?}");
    // KPIs and chains: organisation administrators and platform ones.
    let mut client = m.client();
    assert_eq!(
        client
            .get_kpis(with_token(
                pb::GetKpisRequest {
                    scope: format!("organizations/{ORG}"),
                    include_series: false
                },
                &carla
            ))
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::PermissionDenied)
    );
    assert!(
        client
            .get_kpis(with_token(
                pb::GetKpisRequest {
                    scope: format!("organizations/{ORG}"),
                    include_series: false
                },
                &ana
            ))
            .await
            .is_ok()
    );
    assert_eq!(
        client
            .verify_chain(with_token(
                pb::VerifyChainRequest {
                    organization: "organizations/-".into()
                },
                &ana
            ))
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::PermissionDenied)
    );
    // Bad input, by field.
    let bad = list(
        m.server.token("root", true),
        pb::ListActivityRequest {
            organization: "orgs/1".into(),
            process: "processes/1".into(),
            model: "Process!".into(),
            action: "x y".into(),
            page_size: -1,
            page_token: "zz".into(),
            ..Default::default()
        },
    )
    .await
    .expect_err("bad");
    assert_eq!(
        violated_fields(&bad),
        [
            "organization",
            "process",
            "model",
            "action",
            "page_size",
            "page_token"
        ]
    );
    for scope in ["", "organizations/", "organizations/x", "teams/-"] {
        assert_eq!(
            client
                .get_kpis(with_token(
                    pb::GetKpisRequest {
                        scope: scope.into(),
                        include_series: false
                    },
                    &m.server.token("root", true)
                ))
                .await
                .map(|_| ())
                .map_err(|s| s.code()),
            Err(Code::InvalidArgument)
        );
        assert_eq!(
            client
                .verify_chain(with_token(
                    pb::VerifyChainRequest {
                        organization: scope.into()
                    },
                    &m.server.token("root", true)
                ))
                .await
                .map(|_| ())
                .map_err(|s| s.code()),
            Err(Code::InvalidArgument)
        );
    }
    assert_eq!(
        client
            .list_activity(pb::ListActivityRequest::default())
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::Unauthenticated)
    );
    m.server.stop().await;
}

async fn next(stream: &mut tonic::Streaming<pb::FeedEvent>) -> pb::FeedEvent {
    use futures::StreamExt;
    tokio::time::timeout(std::time::Duration::from_secs(10), stream.next())
        .await
        .expect("an event in time")
        .expect("stream open")
        .expect("ok")
}

async fn the_change_feed_resumes_without_gap_or_repeat_and_follows_live(backend: Backend) {
    let m = Monitoring::start(backend).await;
    let events = history(&m);
    m.record(&events).await;
    let open = |cursor: i64| {
        let mut client = m.client();
        let token = m.server.token("ana", false);
        async move {
            client
                .stream_events(with_token(
                    pb::StreamEventsRequest {
                        organization: format!("organizations/{ORG}"),
                        type_prefixes: Vec::new(),
                        cursor,
                    },
                    &token,
                ))
                .await
                .expect("stream")
                .into_inner()
        }
    };
    // Ten, then a disconnect.
    let mut first = open(0).await;
    let mut seen = Vec::new();
    for _ in 0..10 {
        seen.push(next(&mut first).await);
    }
    drop(first);
    // Resume after the last one received: the rest, then live events.
    let mut resumed = open(seen.last().map(|e| e.sequence).unwrap_or(0)).await;
    for _ in 10..25 {
        seen.push(next(&mut resumed).await);
    }
    let live = m.event(
        ("coproduction", "story", "published"),
        "ana",
        ORG,
        "s2",
        &coproduction::StoryPublished {
            story: Some(coproduction::Story {
                process: format!("processes/{P1}"),
                ..Default::default()
            }),
        },
    );
    m.record(std::slice::from_ref(&live)).await;
    let followed = next(&mut resumed).await;
    assert_eq!(
        followed.event.as_ref().map(|e| e.id.clone()),
        Some(live.id.clone())
    );
    seen.push(followed);
    // Every event of ORG, once each, in order.
    let ids: Vec<String> = seen
        .iter()
        .map(|f| f.event.as_ref().map(|e| e.id.clone()).unwrap_or_default())
        .collect();
    let mut expected: Vec<String> = events
        .iter()
        .filter(|e| e.organization_id == ORG)
        .map(|e| e.id.clone())
        .collect();
    expected.push(live.id.clone());
    assert_eq!(ids, expected);
    assert!(seen.windows(2).all(|w| w[0].sequence < w[1].sequence));
    // Type filters, and who may follow what.
    let mut claims = m
        .client()
        .stream_events(with_token(
            pb::StreamEventsRequest {
                organization: format!("organizations/{ORG}"),
                type_prefixes: vec!["coproduction.claim.".into()],
                cursor: 0,
            },
            &m.server.token("ana", false),
        ))
        .await
        .expect("filtered")
        .into_inner();
    assert_eq!(
        next(&mut claims).await.event.map(|e| e.r#type),
        Some("coproduction.claim.submitted".into())
    );
    assert_eq!(
        next(&mut claims).await.event.map(|e| e.r#type),
        Some("coproduction.claim.decided".into())
    );
    for (token, request, expected) in [
        (
            m.server.token("carla", false),
            pb::StreamEventsRequest {
                organization: format!("organizations/{ORG}"),
                ..Default::default()
            },
            Code::PermissionDenied,
        ),
        (
            m.server.token("ana", false),
            pb::StreamEventsRequest::default(),
            Code::PermissionDenied,
        ),
        (
            m.server.token("root", true),
            pb::StreamEventsRequest {
                organization: "orgs/x".into(),
                type_prefixes: vec!["Bad Prefix".into()],
                cursor: -1,
            },
            Code::InvalidArgument,
        ),
    ] {
        let status = m
            .client()
            .stream_events(with_token(request, &token))
            .await
            .map(|_| ())
            .expect_err("refused");
        assert_eq!(status.code(), expected, "{status:?}");
    }
    m.server.stop().await;
}

async fn parked_events_of_every_service_are_listed(backend: Backend) {
    let m = Monitoring::start(backend).await;
    let parked = m.event(
        ("runtime", "consumer", "event_parked"),
        "coproduction-community",
        "",
        "e-1",
        &interlink_proto::events::v1::EventParked {
            consumer: "coproduction-community".into(),
            event_id: "e-1".into(),
            event_type: "community.team.created".into(),
            error: "bad payload".into(),
            deliveries: 5,
            ..Default::default()
        },
    );
    m.record(&[parked.clone(), parked]).await;
    let listed = m
        .client()
        .list_parked_events(with_token(
            pb::ListParkedEventsRequest { page_size: 0 },
            &m.server.token("root", true),
        ))
        .await
        .expect("parked")
        .into_inner();
    assert_eq!(listed.total, 1);
    assert_eq!(listed.events[0].consumer, "coproduction-community");
    assert_eq!(listed.events[0].r#type, "community.team.created");
    assert_eq!(listed.events[0].deliveries, 5);
    assert_eq!(
        m.client()
            .list_parked_events(with_token(
                pb::ListParkedEventsRequest { page_size: 0 },
                &m.server.token("ana", false),
            ))
            .await
            .map(|_| ())
            .map_err(|s| s.code()),
        Err(Code::PermissionDenied)
    );
    m.server.stop().await;
}

async fn an_erased_user_leaves_the_trail_and_the_chains_still_verify(backend: Backend) {
    let m = Monitoring::start(backend).await;
    m.record(&history(&m)).await;
    let root = m.server.token("root", true);
    let trail_of = |actor: &str| {
        let mut client = m.client();
        let token = root.clone();
        let actor = actor.to_owned();
        async move {
            client
                .list_activity(with_token(
                    pb::ListActivityRequest {
                        actor,
                        ..Default::default()
                    },
                    &token,
                ))
                .await
                .expect("trail")
                .into_inner()
                .entries
        }
    };
    let carlas = trail_of(&user("carla")).await;
    assert!(!carlas.is_empty() && carlas.iter().all(|e| e.actor == user("carla")));
    let before = m.kpis(&format!("organizations/{ORG}"), false).await;
    m.record(&[m.event(
        ("community", "user", "erased"),
        "carla",
        "",
        &user_id("carla"),
        &community::UserErased {
            user: user("carla"),
            subject: "carla".into(),
        },
    )])
    .await;
    // Still found by pseudonym, but nothing personal is left.
    let after = trail_of(&user("carla")).await;
    assert_eq!(after.len(), 5);
    assert!(after.iter().all(|e| e.actor.is_empty()), "{after:?}");
    let db = &m.server.env.db;
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT event FROM audit WHERE event IS NOT NULL",
        ))
        .await
        .expect("rows");
    let carla_user = user("carla");
    let mut carlas_events = 0;
    let mut anas_events = 0;
    for row in rows {
        let bytes: Vec<u8> = row.try_get("", "event").expect("bytes");
        assert!(
            !bytes.windows(5).any(|w| w == b"carla"),
            "a stored event still names carla"
        );
        // Her events' actor no longer carries her `users/{id}` either.
        let event =
            <interlink_proto::events::v1::Event as prost::Message>::decode(bytes.as_slice())
                .expect("event");
        let actor = event.actor.unwrap_or_default();
        assert_ne!(actor.user, carla_user);
        // Everyone else's name the person as the APIs do.
        if actor.subject == "ana" {
            assert_eq!(actor.user, user("ana"));
            anas_events += 1;
        }
        if actor.kind == interlink_proto::events::v1::ActorKind::User as i32
            && actor.user.is_empty()
        {
            carlas_events += 1;
        }
    }
    assert!(
        carlas_events >= 5,
        "{carlas_events} events of carla's scrubbed"
    );
    assert!(anas_events > 0);
    for scope in [format!("organizations/{ORG}"), "organizations/-".to_owned()] {
        let v = m
            .client()
            .verify_chain(with_token(
                pb::VerifyChainRequest {
                    organization: scope,
                },
                &root,
            ))
            .await
            .expect("verify")
            .into_inner();
        assert!(v.valid, "{v:?}");
    }
    // The KPIs did not move, and a rebuild over the scrubbed events agrees.
    assert_eq!(
        values(&m.kpis(&format!("organizations/{ORG}"), false).await),
        values(&before)
    );
    m.client()
        .rebuild_kpis(with_token(pb::RebuildKpisRequest {}, &root))
        .await
        .expect("rebuild");
    assert_eq!(
        values(&m.kpis(&format!("organizations/{ORG}"), false).await),
        values(&before)
    );
    m.server.stop().await;
}

/// The whole history as one batch (as the consumer hands it over) gives
/// the same KPIs and valid chains as event by event.
async fn a_batch_records_what_single_events_record(backend: Backend) {
    let single = Monitoring::start(backend).await;
    let events = history(&single);
    single.record(&events).await;
    let batched = Monitoring::start(backend).await;
    let db = &batched.server.env.db;
    let txn = db.begin().await.expect("begin");
    let mut twice = events.clone();
    twice.extend(events.iter().take(5).cloned());
    Recorder::default()
        .handle_batch(&txn, &twice)
        .await
        .expect("batch");
    txn.commit().await.expect("commit");
    for scope in [format!("organizations/{ORG}"), "organizations/-".to_owned()] {
        assert_eq!(
            values(&batched.kpis(&scope, false).await),
            values(&single.kpis(&scope, false).await),
            "{scope}"
        );
        let v = batched
            .client()
            .verify_chain(with_token(
                pb::VerifyChainRequest {
                    organization: scope,
                },
                &batched.server.token("root", true),
            ))
            .await
            .expect("verify")
            .into_inner();
        assert!(v.valid, "{v:?}");
    }
    single.server.stop().await;
    batched.server.stop().await;
}

/// The KPIs (and the trail's lag) reach OpenTelemetry as gauges with
/// organisation, KPI and dimension attributes.
async fn kpis_are_exported_as_opentelemetry_gauges(backend: Backend) {
    use opentelemetry::metrics::MeterProvider;
    use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
    use opentelemetry_sdk::metrics::{
        InMemoryMetricExporterBuilder, PeriodicReader, SdkMeterProvider,
    };
    let m = Monitoring::start(backend).await;
    m.record(&history(&m)).await;
    let exporter = InMemoryMetricExporterBuilder::new().build();
    let provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(exporter.clone()).build())
        .build();
    let exported = interlink_monitoring::metrics::Exported::default();
    let _gauges = exported.register(&provider.meter("test"));
    exported.refresh(&m.server.env.db).await.expect("refresh");
    exported.recorded(1_000, 3_500);
    provider.force_flush().expect("flush");
    let finished = exporter.get_finished_metrics().expect("metrics");
    let mut kpis: Vec<(String, String, String, i64)> = Vec::new();
    let mut lag = None;
    for resource in &finished {
        for scope in resource.scope_metrics() {
            for metric in scope.metrics() {
                match (metric.name(), metric.data()) {
                    ("interlink.kpi", AggregatedMetrics::I64(MetricData::Gauge(gauge))) => {
                        for point in gauge.data_points() {
                            let attribute = |key: &str| {
                                point
                                    .attributes()
                                    .find(|kv| kv.key.as_str() == key)
                                    .map(|kv| kv.value.to_string())
                                    .unwrap_or_default()
                            };
                            kpis.push((
                                attribute("organization"),
                                attribute("kpi"),
                                attribute("dimension"),
                                point.value(),
                            ));
                        }
                    }
                    (
                        "interlink.monitoring.lag",
                        AggregatedMetrics::F64(MetricData::Gauge(gauge)),
                    ) => {
                        lag = gauge.data_points().next().map(|p| p.value());
                    }
                    _ => {}
                }
            }
        }
    }
    assert!(
        kpis.contains(&(ORG.into(), "stories".into(), String::new(), 1)),
        "{kpis:?}"
    );
    assert!(kpis.contains(&(String::new(), "registered_users".into(), String::new(), 3)));
    assert!(kpis.contains(&(
        ORG.into(),
        "participants".into(),
        "public_administration".into(),
        2
    )));
    assert_eq!(lag, Some(2.5));
    provider.shutdown().expect("shutdown");
    m.server.stop().await;
}

on_both_backends!(
    a_scripted_history_yields_exact_kpis_once_and_on_rebuild,
    the_chain_verifies_and_shows_tampering,
    the_trail_is_read_by_those_entitled_with_filters,
    the_change_feed_resumes_without_gap_or_repeat_and_follows_live,
    parked_events_of_every_service_are_listed,
    an_erased_user_leaves_the_trail_and_the_chains_still_verify,
    a_batch_records_what_single_events_record,
    kpis_are_exported_as_opentelemetry_gauges,
    kpis_do_not_depend_on_creations_arriving_late,
);

/// A redelivery after a crash brings an event after newer ones: here every
/// team's and process's creation arrives last, after its members, its
/// schema and its deletion. The KPIs come out as in order.
async fn kpis_do_not_depend_on_creations_arriving_late(backend: Backend) {
    let in_order = Monitoring::start(backend).await;
    let events = history(&in_order);
    in_order.record(&events).await;
    let late = Monitoring::start(backend).await;
    let (creations, mut others): (Vec<Event>, Vec<Event>) =
        history(&late).into_iter().partition(|e| {
            e.r#type == "community.team.created" || e.r#type == "coproduction.process.created"
        });
    // As in life, setting a schema is a later version of the process than
    // its creation (the scripted history numbers every event 1).
    for e in others.iter_mut() {
        if e.r#type == "coproduction.process.schema_set" {
            e.aggregate_version = 2;
        }
    }
    assert!(
        creations.len() >= 4,
        "the history creates teams and processes"
    );
    late.record(&others).await;
    late.record(&creations).await;
    for scope in [format!("organizations/{ORG}"), "organizations/-".to_owned()] {
        assert_eq!(
            values(&late.kpis(&scope, false).await),
            values(&in_order.kpis(&scope, false).await),
            "{scope}"
        );
    }
    // A process deleted before its creation arrives never counts.
    let ghost = late.event(
        ("coproduction", "process", "deleted"),
        "ana",
        ORG,
        "ghost",
        &coproduction::ProcessDeleted {
            process: "processes/ghost".into(),
            organization: format!("organizations/{ORG}"),
        },
    );
    let ghost_created = late.event(
        ("coproduction", "process", "created"),
        "ana",
        ORG,
        "ghost",
        &coproduction::ProcessCreated {
            process: Some(process("ghost", "")),
        },
    );
    late.record(&[ghost, ghost_created]).await;
    assert_eq!(
        values(&late.kpis(&format!("organizations/{ORG}"), false).await),
        values(&in_order.kpis(&format!("organizations/{ORG}"), false).await)
    );
    in_order.server.stop().await;
    late.server.stop().await;
}
