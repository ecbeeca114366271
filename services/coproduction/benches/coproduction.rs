//! Co-production benchmark: building a process from a 100-task schema and
//! changing a task's status (with the roll-up), through gRPC on
//! PostgreSQL (`INTERLINK_TEST_DATABASE_URL`) and on SQLite.
//!
//! `cargo bench -p interlink-coproduction --bench coproduction`

use std::time::{Duration, Instant};

use interlink_coproduction::events::Projections;
use interlink_coproduction::{CoproductionApi, Migrator};
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::common::v1::TranslatableText;
use interlink_proto::coproduction::v1 as pb;
use interlink_proto::coproduction::v1::coproduction_service_client::CoproductionServiceClient;
use interlink_proto::coproduction::v1::coproduction_service_server::CoproductionServiceServer;
use interlink_runtime::events::{EventHandler, EventType, NewEvent, user_actor};
use interlink_runtime::testing::{Backend, TestEnv, TestServer, with_token};
use rand::{Rng, SeedableRng};
use sea_orm::TransactionTrait;

const ORG: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10";
const BUILDS: usize = 200;
const CHANGES: usize = 1_000;

fn title(text: &str) -> Option<TranslatableText> {
    Some(TranslatableText {
        values: [("en".to_owned(), text.to_owned())].into(),
    })
}

/// 4 phases × 5 objectives × 5 tasks: 100 tasks, 124 items.
fn schema() -> catalogue::SchemaVersion {
    let mut items = Vec::new();
    for p in 0..4 {
        let phase = format!("p{p}");
        items.push(catalogue::SchemaItem {
            key: phase.clone(),
            kind: catalogue::ItemKind::Phase as i32,
            title: title(&phase),
            prerequisites: if p > 0 {
                vec![format!("p{}", p - 1)]
            } else {
                vec![]
            },
            ..Default::default()
        });
        for o in 0..5 {
            let objective = format!("{phase}o{o}");
            items.push(catalogue::SchemaItem {
                key: objective.clone(),
                kind: catalogue::ItemKind::Objective as i32,
                parent: phase.clone(),
                title: title(&objective),
                ..Default::default()
            });
            for t in 0..5 {
                let task = format!("{objective}t{t}");
                items.push(catalogue::SchemaItem {
                    key: task.clone(),
                    kind: catalogue::ItemKind::Task as i32,
                    parent: objective.clone(),
                    title: title(&task),
                    problem_profiles: vec!["org-01".into()],
                    ..Default::default()
                });
            }
        }
    }
    catalogue::SchemaVersion {
        name: "schemas/bench/versions/1".into(),
        schema: "schemas/bench".into(),
        version: 1,
        title: title("Bench"),
        items,
        ..Default::default()
    }
}

fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.50).as_secs_f64() * 1e3, at(0.99).as_secs_f64() * 1e3)
}

async fn run(name: &str, backend: Backend) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let outbox = env.outbox();
    let events = [
        outbox
            .envelope(NewEvent {
                event_type: EventType::new("community", "organization", "created"),
                actor: user_actor("ana"),
                organization_id: "",
                aggregate_id: ORG,
                aggregate_version: 1,
                payload: &interlink_proto::community::v1::OrganizationCreated::default(),
            })
            .expect("envelope"),
        outbox
            .envelope(NewEvent {
                event_type: EventType::new("catalogue", "schema", "version_published"),
                actor: user_actor("catalogue"),
                organization_id: "",
                aggregate_id: "bench",
                aggregate_version: 1,
                payload: &catalogue::SchemaVersionPublished {
                    version: Some(schema()),
                    shared: false,
                },
            })
            .expect("envelope"),
    ];
    let txn = env.db.begin().await.expect("begin");
    for event in &events {
        Projections.handle(&txn, event).await.expect("projection");
    }
    txn.commit().await.expect("commit");
    let server = TestServer::start(env, interlink_coproduction::SERVICE_NAME, |env| {
        let mut routes = tonic::service::RoutesBuilder::default();
        routes.add_service(CoproductionServiceServer::new(CoproductionApi::new(
            env.db.clone(),
            env.outbox(),
        )));
        routes
    })
    .await;
    let token = server.token("ana", false);
    let client = CoproductionServiceClient::new(server.channel.clone());
    let mut builds = Vec::with_capacity(BUILDS);
    let mut last = None;
    for i in 0..BUILDS {
        let process = client
            .clone()
            .create_process(with_token(
                pb::CreateProcessRequest {
                    process: Some(pb::Process {
                        title: format!("Process {i}"),
                        language: "en".into(),
                        organization: format!("organizations/{ORG}"),
                        ..Default::default()
                    }),
                },
                &token,
            ))
            .await
            .expect("create")
            .into_inner();
        let t = Instant::now();
        let tree = client
            .clone()
            .build_from_schema(with_token(
                pb::BuildFromSchemaRequest {
                    process: process.name.clone(),
                    schema: "schemas/bench".into(),
                    version: 0,
                },
                &token,
            ))
            .await
            .expect("build")
            .into_inner();
        builds.push(t.elapsed());
        assert_eq!(tree.items.len(), 124);
        last = Some(tree);
    }
    let (p50, p99) = percentiles(builds);
    println!(
        "{name:<11} BuildFromSchema, 100 tasks (124 items)   p50 {p50:>7.2} ms   p99 {p99:>7.2} ms"
    );

    // Status changes on the tasks of the first phase (no prerequisites).
    let tree = last.expect("a tree");
    let first_phase = tree.items[0].name.clone();
    let objectives: Vec<String> = tree
        .items
        .iter()
        .filter(|i| i.parent == first_phase)
        .map(|i| i.name.clone())
        .collect();
    let tasks: Vec<String> = tree
        .items
        .iter()
        .filter(|i| objectives.contains(&i.parent))
        .map(|i| i.name.clone())
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let statuses = [
        pb::Status::Awaiting,
        pb::Status::InProgress,
        pb::Status::Finished,
    ];
    let mut changes = Vec::with_capacity(CHANGES);
    for _ in 0..CHANGES {
        let task = tasks[rng.gen_range(0..tasks.len())].clone();
        let status = statuses[rng.gen_range(0..3)];
        let t = Instant::now();
        client
            .clone()
            .set_task_status(with_token(
                pb::SetTaskStatusRequest {
                    task,
                    status: status as i32,
                },
                &token,
            ))
            .await
            .expect("status");
        changes.push(t.elapsed());
    }
    let (p50, p99) = percentiles(changes);
    println!(
        "{name:<11} SetTaskStatus with roll-up (124 items)  p50 {p50:>7.2} ms   p99 {p99:>7.2} ms"
    );
    server.stop().await;
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        run("PostgreSQL", Backend::Postgres).await;
        run("SQLite", Backend::Embedded).await;
    });
}
