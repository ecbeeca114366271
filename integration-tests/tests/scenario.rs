//! The co-production scenario, end to end, through the gateway only (REST
//! for some steps, gRPC for others, as real clients mix them), in both
//! shapes of the mesh: `interlink up` on SQLite, and one `interlink serve`
//! process per role on PostgreSQL and NATS.
//!
//! A PA administrator registers, creates an organisation and a PA team and
//! invites a citizen, who accepts; a nonprofit's member applies to a team of
//! their own and is accepted; the seeded catalogue is there; a process is
//! built from the `default` schema; the teams get grants on a phase and a
//! task; tasks move through their statuses and a premature start is
//! refused; assets are made from the interlinkers recommended for a task's
//! problem profiles; a claim is accepted; every task finishes, so the
//! process does; a story is published and rated. Then monitoring must hold
//! every step in order in its (verified) audit trail, KPIs equal to what the
//! scenario did, and a change feed that delivers each event exactly once.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use interlink_integration_tests::client::bearer;
use interlink_integration_tests::{Client, Mesh, Mode};
use interlink_proto::catalogue::v1 as cat;
use interlink_proto::community::v1 as com;
use interlink_proto::coproduction::v1 as cop;
use interlink_proto::monitoring::v1 as mon;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_interlink-it");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenario_runs_on_the_embedded_mesh() {
    let mesh = Mesh::start(BIN.as_ref(), Mode::Embedded)
        .await
        .expect("interlink up");
    run(&mesh).await;
    mesh.shutdown().await.expect("clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scenario_runs_on_the_cluster_mesh() {
    let mesh = Mesh::start(BIN.as_ref(), Mode::Cluster)
        .await
        .expect("serve processes on PostgreSQL and NATS");
    run(&mesh).await;
    mesh.shutdown().await.expect("clean shutdown");
}

fn s(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

/// The id part of a resource name (`teams/abc` → `abc`).
fn id(name: &str) -> String {
    name.rsplit('/').next().unwrap_or_default().to_owned()
}

/// The steps' events, as (type, aggregate id when the step knows it).
type Steps = Vec<(&'static str, Option<String>)>;

async fn run(mesh: &Mesh) {
    let client = Client::new(&mesh.gateway).expect("client");
    let token = |sub: &str, name: &str, email: &str, admin: bool| {
        mesh.token(sub, name, email, admin).expect("token")
    };
    let ana = token("ana-pa", "Ana García", "ana@zaragoza.es", false);
    let carla = token("carla-citizen", "Carla Pérez", "carla@example.org", false);
    let nico = token("nico-nonprofit", "Nico Ruiz", "nico@vecinos.org", false);
    let operator = token("operator", "Platform operator", "ops@zaragoza.es", true);
    let channel = client.channel();
    let mut community = com::community_service_client::CommunityServiceClient::new(channel.clone());
    let mut coproduction =
        cop::coproduction_service_client::CoproductionServiceClient::new(channel.clone());
    let mut catalogue = cat::catalogue_service_client::CatalogueServiceClient::new(channel.clone());
    let mut monitoring = mon::monitoring_service_client::MonitoringServiceClient::new(channel);
    let mut steps: Steps = Vec::new();

    // The PA administrator registers (REST) and creates the organisation.
    let me = client
        .get("/v1/users/me", Some(&ana))
        .await
        .ok("ana registers");
    assert_eq!(me["subject"], "ana-pa");
    // Her browser repeats the creation (a lost answer): one key, one
    // organisation (the platform's KPIs below count exactly one).
    let create_org = async || {
        client
            .call(
                reqwest::Method::POST,
                "/v1/organizations",
                Some(&ana),
                Some(&json!({
                    "displayName": {"values": {"es": "Ayuntamiento de Zaragoza"}},
                    "public": true,
                    "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
                })),
                &[("idempotency-key", "0191f3c2-create-zaragoza")],
            )
            .await
            .expect("create the organisation")
            .ok("create the organisation")
    };
    let org = create_org().await;
    let org_name = s(&org["name"]);
    assert_eq!(create_org().await, org, "the repeat gets the first answer");
    // The key with another request: 422, as the Idempotency-Key draft says.
    let reused = client
        .call(
            reqwest::Method::POST,
            "/v1/organizations",
            Some(&ana),
            Some(&json!({
                "displayName": {"values": {"es": "Otro ayuntamiento"}},
                "public": true,
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
            })),
            &[("idempotency-key", "0191f3c2-create-zaragoza")],
        )
        .await
        .expect("the key reused");
    assert_eq!(reused.status, 422, "{}", reused.body);
    assert!(
        reused.body.to_string().contains("IDEMPOTENCY_KEY_REUSED"),
        "{}",
        reused.body
    );
    steps.push(("community.organization.created", Some(id(&org_name))));

    // The PA team (gRPC).
    let pa_team = community
        .create_team(bearer(
            com::CreateTeamRequest {
                parent: org_name.clone(),
                team: Some(com::Team {
                    display_name: Some(text("es", "Servicios sociales")),
                    r#type: com::TeamType::PublicAdministration as i32,
                    ..Default::default()
                }),
            },
            &ana,
        ))
        .await
        .expect("create the PA team")
        .into_inner();
    steps.push(("community.team.created", Some(id(&pa_team.name))));

    // The citizen is invited (REST), registers (gRPC) and accepts (REST).
    let invitation = client
        .post(
            &format!("/v1/{}/invitations", pa_team.name),
            Some(&ana),
            json!({"email": "carla@example.org", "validHours": 48}),
        )
        .await
        .ok("invite the citizen");
    assert_eq!(invitation["state"], "STATE_PENDING");
    let invitation_token = s(&invitation["token"]);
    assert!(!invitation_token.is_empty(), "{invitation}");
    steps.push((
        "community.invitation.created",
        Some(id(&s(&invitation["name"]))),
    ));
    let carla_user = community
        .get_me(bearer(com::GetMeRequest {}, &carla))
        .await
        .expect("carla registers")
        .into_inner();
    let membership = client
        .post(
            "/v1/invitations:accept",
            Some(&carla),
            json!({"token": invitation_token}),
        )
        .await
        .ok("carla accepts");
    assert_eq!(membership["user"], carla_user.name.as_str());
    steps.push((
        "community.invitation.accepted",
        Some(id(&s(&invitation["name"]))),
    ));
    let reused = client
        .post(
            "/v1/invitations:accept",
            Some(&carla),
            json!({"token": invitation_token}),
        )
        .await;
    assert_eq!(
        reused.status, 400,
        "an invitation is used once: {}",
        reused.body
    );
    assert_eq!(reused.body["status"], "FAILED_PRECONDITION");

    // The nonprofit's team (REST); its member applies (gRPC), the
    // administrator accepts (REST).
    let nonprofit_team = client
        .post(
            &format!("/v1/{org_name}/teams"),
            Some(&ana),
            json!({
                "displayName": {"values": {"es": "Asociación vecinal Delicias"}},
                "type": "TEAM_TYPE_NONPROFIT_ORGANIZATION",
            }),
        )
        .await
        .ok("create the nonprofit team");
    let nonprofit_team_name = s(&nonprofit_team["name"]);
    steps.push(("community.team.created", Some(id(&nonprofit_team_name))));
    client
        .get("/v1/users/me", Some(&nico))
        .await
        .ok("nico registers");
    let application = community
        .apply_to_team(bearer(
            com::ApplyToTeamRequest {
                team: nonprofit_team_name.clone(),
                reason: "I coordinate the association's volunteers".into(),
            },
            &nico,
        ))
        .await
        .expect("nico applies")
        .into_inner();
    steps.push((
        "community.team_application.submitted",
        Some(id(&application.name)),
    ));
    let accepted = client
        .post(
            &format!("/v1/{}:accept", application.name),
            Some(&ana),
            json!({}),
        )
        .await
        .ok("the application is accepted");
    assert_eq!(accepted["state"], "STATE_ACCEPTED");
    steps.push((
        "community.team_application.accepted",
        Some(id(&application.name)),
    ));

    // The seeded catalogue: the default schema, and interlinkers (public).
    let schema = client
        .get("/v1/schemas/default", None)
        .await
        .ok("default schema");
    assert_eq!(schema["name"], "schemas/default");
    let search = catalogue
        .search_interlinkers(cat::SearchInterlinkersRequest::default())
        .await
        .expect("search")
        .into_inner();
    assert!(search.total_size >= 50, "{}", search.total_size);

    // A process in the organisation (gRPC), built from the schema (REST).
    let process = eventually_grpc("create the process", || {
        let mut coproduction = coproduction.clone();
        let request = bearer(
            cop::CreateProcessRequest {
                process: Some(cop::Process {
                    title: "Ayudas al alquiler joven".into(),
                    description: "Co-design the youth rent subsidy with its users".into(),
                    language: "es".into(),
                    organization: org_name.clone(),
                    ..Default::default()
                }),
            },
            &ana,
        );
        async move { coproduction.create_process(request).await }
    })
    .await;
    let process_id = id(&process.name);
    steps.push(("coproduction.process.created", Some(process_id.clone())));
    let tree = client
        .eventually("build from the default schema", async || {
            client
                .post(
                    &format!("/v1/{}:buildFromSchema", process.name),
                    Some(&ana),
                    json!({"schema": "schemas/default"}),
                )
                .await
        })
        .await;
    steps.push(("coproduction.process.schema_set", Some(process_id.clone())));
    let items = tree["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 49);
    let item = |key: &str| -> String {
        items
            .iter()
            .find(|i| i["schemaKey"] == key)
            .map(|i| s(&i["name"]))
            .unwrap_or_else(|| panic!("no item {key}"))
    };
    let engage = item("engage");
    let map_task = item("engage-stakeholders-map");
    let invite_task = item("engage-stakeholders-invite");
    let research_task = item("engage-context-research");
    let journey_task = item("design-insights-journey");

    // Grants: the PA team on the first phase (REST), the nonprofit on one
    // task (gRPC).
    let phase_grant = client
        .post(
            &format!("/v1/{}/grants", process.name),
            Some(&ana),
            json!({"team": pa_team.name, "item": engage, "accessAssets": true, "createAssets": true}),
        )
        .await
        .ok("grant the PA team the phase");
    steps.push(("coproduction.grant.added", None));
    let task_grant = coproduction
        .create_grant(bearer(
            cop::CreateGrantRequest {
                parent: process.name.clone(),
                grant: Some(cop::Grant {
                    team: nonprofit_team_name.clone(),
                    item: research_task.clone(),
                    access_assets: true,
                    create_assets: true,
                    ..Default::default()
                }),
            },
            &ana,
        ))
        .await
        .expect("grant the nonprofit the task")
        .into_inner();
    assert_eq!(task_grant.item, research_task);
    assert_eq!(phase_grant["item"], engage.as_str());
    steps.push(("coproduction.grant.added", None));

    // The citizen works through the phase the PA team was granted; a task
    // whose prerequisite is not finished cannot start.
    let set_status = |task: String, token: String, status: &'static str| {
        let client = client.clone();
        async move {
            client
                .post(
                    &format!("/v1/{task}:setStatus"),
                    Some(&token),
                    json!({"status": status}),
                )
                .await
        }
    };
    let premature = client
        .eventually("carla's membership reaches co-production", async || {
            let reply = set_status(invite_task.clone(), carla.clone(), "STATUS_IN_PROGRESS").await;
            // 403 until the membership event arrives; then the refusal.
            if reply.status == 400 {
                interlink_integration_tests::Reply {
                    status: 200,
                    body: reply.body,
                }
            } else {
                reply
            }
        })
        .await;
    assert_eq!(premature["status"], "FAILED_PRECONDITION", "{premature}");
    assert!(
        s(&premature["message"]).contains(&map_task),
        "the refusal names the prerequisite: {premature}"
    );
    let across_phases = set_status(journey_task.clone(), ana.clone(), "STATUS_IN_PROGRESS").await;
    assert_eq!(across_phases.status, 400, "{}", across_phases.body);
    assert!(
        s(&across_phases.body["message"]).contains(&engage),
        "{}",
        across_phases.body
    );
    let denied = set_status(journey_task.clone(), carla.clone(), "STATUS_IN_PROGRESS").await;
    assert_eq!(
        denied.status, 403,
        "outside the granted phase: {}",
        denied.body
    );

    let started = set_status(map_task.clone(), carla.clone(), "STATUS_IN_PROGRESS")
        .await
        .ok("carla starts mapping stakeholders");
    assert_eq!(started["process"]["status"], "STATUS_IN_PROGRESS");
    steps.push(("coproduction.task.status_changed", Some(id(&map_task))));
    set_status(map_task.clone(), carla.clone(), "STATUS_FINISHED")
        .await
        .ok("carla finishes it");
    steps.push(("coproduction.task.status_changed", Some(id(&map_task))));
    set_status(invite_task.clone(), carla.clone(), "STATUS_IN_PROGRESS")
        .await
        .ok("now the next task can start");
    steps.push(("coproduction.task.status_changed", Some(id(&invite_task))));

    // The nonprofit starts its task and instantiates the interlinkers the
    // catalogue recommends for the task's problem profiles.
    let research = items
        .iter()
        .find(|i| i["name"] == research_task.as_str())
        .cloned()
        .unwrap_or_default();
    let profiles: Vec<String> = research["problemProfiles"]
        .as_array()
        .map(|a| a.iter().map(s).collect())
        .unwrap_or_default();
    assert_eq!(profiles, ["und-01", "und-04"]);
    client
        .eventually("nico's membership reaches co-production", async || {
            set_status(research_task.clone(), nico.clone(), "STATUS_IN_PROGRESS").await
        })
        .await;
    steps.push(("coproduction.task.status_changed", Some(id(&research_task))));
    let recommended = client
        .post(
            "/v1/interlinkers:recommend",
            Some(&nico),
            json!({"problemProfiles": profiles, "language": "es", "pageSize": 3}),
        )
        .await
        .ok("recommendations");
    let recommendations = recommended["recommendations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(recommendations.len() >= 2, "{recommended}");
    let mut assets = Vec::new();
    for r in recommendations.iter().take(2) {
        let interlinker = s(&r["interlinker"]["name"]);
        let nature = s(&r["interlinker"]["nature"]);
        assert!(
            r["interlinker"]["problemProfiles"]
                .as_array()
                .is_some_and(|p| p.iter().any(|p| profiles.contains(&s(p)))),
            "{r}"
        );
        let asset = eventually_grpc("create an asset from the interlinker", || {
            let mut coproduction = coproduction.clone();
            let request = bearer(
                cop::CreateAssetRequest {
                    parent: research_task.clone(),
                    asset: Some(cop::Asset {
                        kind: cop::AssetKind::Internal as i32,
                        interlinker: interlinker.clone(),
                        ..Default::default()
                    }),
                },
                &nico,
            );
            async move { coproduction.create_asset(request).await }
        })
        .await;
        assert_eq!(asset.interlinker, interlinker);
        assert_eq!(
            asset.interlinker_nature,
            nature.trim_start_matches("NATURE_").to_ascii_lowercase()
        );
        steps.push(("coproduction.asset.added", Some(id(&asset.name))));
        assets.push(asset);
    }
    let listed = client
        .get(&format!("/v1/{research_task}/assets"), Some(&nico))
        .await
        .ok("list the task's assets");
    assert_eq!(listed["assets"].as_array().map(Vec::len), Some(2));

    // The nonprofit claims its work (REST); the administrator accepts it
    // (gRPC).
    let claim = client
        .post(
            &format!("/v1/{}/claims", process.name),
            Some(&nico),
            json!({
                "target": research_task,
                "type": "CLAIM_TYPE_DEVELOPMENT",
                "description": "Interviews with twenty young tenants",
            }),
        )
        .await
        .ok("nico claims");
    let claim_name = s(&claim["name"]);
    steps.push(("coproduction.claim.submitted", Some(id(&claim_name))));
    let decided = coproduction
        .decide_claim(bearer(
            cop::DecideClaimRequest {
                name: claim_name.clone(),
                accept: true,
            },
            &ana,
        ))
        .await
        .expect("accept the claim")
        .into_inner();
    assert_eq!(decided.state, cop::ClaimState::Accepted as i32);
    steps.push(("coproduction.claim.decided", Some(id(&claim_name))));

    // The administrator finishes every task. Going through them backwards,
    // each pass finishes only what its prerequisites allow so far; the
    // refusals change nothing (checked against the trail below).
    let mut finished_tree = Value::Null;
    let mut open: Vec<String> = items
        .iter()
        .filter(|i| i["kind"] == "ITEM_KIND_TASK" && i["name"] != map_task.as_str())
        .map(|i| s(&i["name"]))
        .rev()
        .collect();
    let mut passes = 0;
    while !open.is_empty() {
        passes += 1;
        assert!(passes <= 50, "tasks never became finishable: {open:?}");
        let mut still_open = Vec::new();
        for task in open {
            let reply = set_status(task.clone(), ana.clone(), "STATUS_FINISHED").await;
            match reply.status {
                200 => {
                    steps.push(("coproduction.task.status_changed", Some(id(&task))));
                    finished_tree = reply.body;
                }
                400 if reply.body["status"] == "FAILED_PRECONDITION" => still_open.push(task),
                _ => panic!("finishing {task}: {} {}", reply.status, reply.body),
            }
        }
        open = still_open;
    }
    assert!(passes > 1, "the prerequisites ordered the work");
    assert_eq!(finished_tree["process"]["status"], "STATUS_FINISHED");
    assert_eq!(finished_tree["process"]["progress"], 100.0);
    let final_items = finished_tree["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        final_items.iter().all(|i| i["status"] == "STATUS_FINISHED"),
        "every item rolled up to finished"
    );

    // The story (REST), rated by the citizen (gRPC) and the nonprofit
    // (REST).
    let story = client
        .post(
            &format!("/v1/{}/stories", process.name),
            Some(&ana),
            json!({
                "title": "Youth rent subsidy, co-designed",
                "description": "How tenants, the city and a neighbourhood association built it",
                "results": "Applications up 40 %",
                "lessonsLearned": "Start with the tenants' journey",
                "licences": ["CC-BY-4.0"],
                "keywords": ["housing", "youth"],
            }),
        )
        .await
        .ok("publish the story");
    let story_name = s(&story["name"]);
    steps.push(("coproduction.story.published", Some(id(&story_name))));
    coproduction
        .rate_story(bearer(
            cop::RateStoryRequest {
                story: story_name.clone(),
                value: 5,
            },
            &carla,
        ))
        .await
        .expect("carla rates");
    steps.push(("coproduction.story.rated", None));
    let rated = client
        .post(
            &format!("/v1/{story_name}:rate"),
            Some(&nico),
            json!({"value": 4}),
        )
        .await
        .ok("nico rates");
    steps.push(("coproduction.story.rated", None));
    assert_eq!(rated["ratingAverage"], 4.5);
    assert_eq!(rated["ratingCount"], "2");

    // Monitoring: the trail holds every step, in order.
    let trail = full_trail(&client, &org_name, &ana, steps.last().map(|s| s.0)).await;
    let by_time = {
        let mut entries = trail.clone();
        entries.sort_by_key(|e| {
            let at: prost_types::Timestamp = s(&e["occurTime"]).parse().expect("occurTime");
            let sequence: i64 = s(&e["sequence"]).parse().expect("sequence");
            (at.seconds, at.nanos, sequence)
        });
        entries
    };
    let mut at = 0;
    for (kind, aggregate) in &steps {
        let found = by_time[at..].iter().position(|e| {
            e["type"] == *kind
                && aggregate
                    .as_ref()
                    .is_none_or(|a| e["aggregateId"] == a.as_str())
        });
        let Some(offset) = found else {
            let types: Vec<String> = by_time.iter().map(|e| s(&e["type"])).collect();
            panic!("step {kind} {aggregate:?} is not in the trail after entry {at}: {types:?}");
        };
        at += offset + 1;
    }
    let status_changes = trail
        .iter()
        .filter(|e| e["type"] == "coproduction.task.status_changed")
        .count();
    assert_eq!(
        status_changes,
        steps
            .iter()
            .filter(|s| s.0 == "coproduction.task.status_changed")
            .count(),
        "refused status changes left no trace"
    );
    let chain = monitoring
        .verify_chain(bearer(
            mon::VerifyChainRequest {
                organization: org_name.clone(),
            },
            &ana,
        ))
        .await
        .expect("verify the chain")
        .into_inner();
    assert!(chain.valid, "{chain:?}");
    assert_eq!(chain.entries, trail.len() as i64);

    // KPIs equal what the scenario did.
    let members = |team: String| {
        let client = client.clone();
        let ana = ana.clone();
        async move {
            client
                .get(&format!("/v1/{team}/members"), Some(&ana))
                .await
                .ok("members")["members"]
                .as_array()
                .map(|m| m.len() as i64)
                .unwrap_or_default()
        }
    };
    let mut expected: BTreeMap<(String, String), i64> = BTreeMap::new();
    put(&mut expected, "teams", "public_administration", 1);
    put(&mut expected, "teams", "nonprofit_organization", 1);
    put(
        &mut expected,
        "participants",
        "public_administration",
        members(pa_team.name.clone()).await,
    );
    put(
        &mut expected,
        "participants",
        "nonprofit_organization",
        members(nonprofit_team_name.clone()).await,
    );
    put(&mut expected, "processes", "", 1);
    put(&mut expected, "processes_per_schema", "default", 1);
    let co_delivery = final_items
        .iter()
        .any(|i| i["kind"] == "ITEM_KIND_PHASE" && i["coDelivery"] == true);
    assert!(co_delivery, "the default schema has co-delivery phases");
    put(&mut expected, "co_delivered_processes", "", 1);
    put(&mut expected, "assets", "", assets.len() as i64);
    put(
        &mut expected,
        "assets_per_process",
        &process_id,
        assets.len() as i64,
    );
    for asset in &assets {
        put(
            &mut expected,
            "interlinkers_used",
            &asset.interlinker_nature,
            1,
        );
        put(&mut expected, "interlinker_use", &id(&asset.interlinker), 1);
    }
    put(&mut expected, "claims", "development", 1);
    put(&mut expected, "claims_accepted", "development", 1);
    put(&mut expected, "stories", "", 1);
    let organization_kpis = eventually_kpis(&mut monitoring, &org_name, &ana, &expected).await;
    assert_eq!(organization_kpis, expected);

    // The platform's scope adds what is platform-wide: users, organisations
    // and the catalogue's published interlinkers by nature.
    put(&mut expected, "registered_users", "", 3);
    put(&mut expected, "organizations", "", 1);
    for nature in (1..).map_while(|n| cat::Nature::try_from(n).ok()) {
        let published = catalogue
            .search_interlinkers(cat::SearchInterlinkersRequest {
                natures: vec![nature as i32],
                ..Default::default()
            })
            .await
            .expect("search by nature")
            .into_inner()
            .total_size;
        let dimension = nature
            .as_str_name()
            .trim_start_matches("NATURE_")
            .to_ascii_lowercase();
        if published > 0 {
            put(
                &mut expected,
                "interlinkers_published",
                &dimension,
                published,
            );
        }
    }
    let platform_kpis =
        eventually_kpis(&mut monitoring, "organizations/-", &operator, &expected).await;
    assert_eq!(platform_kpis, expected);

    // The change feed delivers each event of the trail exactly once.
    let feed = read_feed(&client, &org_name, &ana, trail.len()).await;
    let trail_ids: BTreeSet<String> = trail.iter().map(|e| s(&e["eventId"])).collect();
    let mut seen = BTreeSet::new();
    for id in &feed {
        assert!(seen.insert(id.clone()), "event {id} delivered twice");
    }
    assert_eq!(
        seen, trail_ids,
        "the feed and the trail hold the same events"
    );
    let parked = monitoring
        .list_parked_events(bearer(
            mon::ListParkedEventsRequest { page_size: 10 },
            &operator,
        ))
        .await
        .expect("parked events")
        .into_inner();
    assert_eq!(parked.total, 0, "{parked:?}");
}

fn put(kpis: &mut BTreeMap<(String, String), i64>, kpi: &str, dimension: &str, value: i64) {
    *kpis
        .entry((kpi.to_owned(), dimension.to_owned()))
        .or_default() += value;
}

fn text(language: &str, value: &str) -> interlink_proto::common::v1::TranslatableText {
    interlink_proto::common::v1::TranslatableText {
        values: [(language.to_owned(), value.to_owned())].into(),
    }
}

/// Repeats a gRPC call until it succeeds (a projection catching up), for at
/// most 30 s.
async fn eventually_grpc<T, F, Fut>(what: &str, call: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<tonic::Response<T>, tonic::Status>>,
{
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match call().await {
            Ok(answer) => return answer.into_inner(),
            Err(status) => assert!(Instant::now() < deadline, "{what}: {status:?}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every audit entry of the organisation, once the trail holds `last`
/// (the scenario's last step) and has stopped growing.
async fn full_trail(client: &Client, org: &str, token: &str, last: Option<&str>) -> Vec<Value> {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut previous = 0;
    loop {
        let mut entries = Vec::new();
        let mut page_token = String::new();
        loop {
            let reply = client
                .get(
                    &format!("/v1/activity?organization={org}&pageSize=100&pageToken={page_token}"),
                    Some(token),
                )
                .await;
            if reply.status != 200 {
                break;
            }
            entries.extend(
                reply.body["entries"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default(),
            );
            page_token = s(&reply.body["nextPageToken"]);
            if page_token.is_empty() {
                break;
            }
        }
        let complete =
            last.is_none_or(|last| entries.iter().filter(|e| e["type"] == last).count() >= 2);
        if complete && entries.len() == previous {
            return entries;
        }
        assert!(
            Instant::now() < deadline,
            "the trail did not settle: {} entries",
            entries.len()
        );
        previous = entries.len();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The KPIs of `scope` (`organizations/-` for the platform) as (kpi, dimension) → value
/// without zeros, once they equal `expected` or after 30 s.
async fn eventually_kpis(
    monitoring: &mut mon::monitoring_service_client::MonitoringServiceClient<
        tonic::transport::Channel,
    >,
    scope: &str,
    token: &str,
    expected: &BTreeMap<(String, String), i64>,
) -> BTreeMap<(String, String), i64> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let kpis = monitoring
            .get_kpis(bearer(
                mon::GetKpisRequest {
                    scope: scope.to_owned(),
                    include_series: false,
                },
                token,
            ))
            .await
            .expect("KPIs")
            .into_inner();
        let values: BTreeMap<(String, String), i64> = kpis
            .values
            .into_iter()
            .filter(|v| v.value != 0)
            .map(|v| ((v.kpi, v.dimension), v.value))
            .collect();
        if &values == expected || Instant::now() > deadline {
            return values;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The event ids the organisation's change feed (REST, newline-delimited
/// JSON) delivers from the start: `count` of them, then whatever else
/// arrives within a second (there must be nothing).
async fn read_feed(client: &Client, org: &str, token: &str, count: usize) -> Vec<String> {
    let http = reqwest::Client::new();
    let mut response = http
        .get(format!(
            "{}/v1/events:stream?organization={org}",
            client.base()
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("open the feed");
    assert_eq!(response.status(), 200);
    let mut ids = Vec::new();
    let mut buffer = Vec::new();
    let mut quiet_until: Option<Instant> = None;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let wait = match quiet_until {
            Some(t) => t.saturating_duration_since(Instant::now()),
            None => deadline.saturating_duration_since(Instant::now()),
        };
        match tokio::time::timeout(wait, response.chunk()).await {
            Ok(Ok(Some(chunk))) => buffer.extend_from_slice(&chunk),
            Ok(Ok(None)) => panic!("the feed ended"),
            Ok(Err(e)) => panic!("the feed failed: {e}"),
            Err(_) if quiet_until.is_some() => return ids,
            Err(_) => panic!("the feed delivered {} of {count} events", ids.len()),
        }
        while let Some(end) = buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buffer.drain(..=end).collect();
            let value: Value = serde_json::from_slice(&line).expect("a JSON line");
            assert!(value.get("error").is_none(), "{value}");
            ids.push(s(&value["result"]["event"]["id"]));
        }
        if ids.len() >= count && quiet_until.is_none() {
            quiet_until = Some(Instant::now() + Duration::from_secs(1));
        }
    }
}
