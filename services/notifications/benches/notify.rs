//! Notifications benchmark: an event committed in a source's outbox →
//! the notification readable through the API (the person's stream, which
//! reads the inbox as soon as the notifier's commit wakes it), at 200
//! events/s for 30 s, on PostgreSQL + NATS JetStream and on SQLite + the
//! embedded bus. The source keeps its outbox in a database of its own, as
//! a role does in a deployment (on SQLite, a file of its own: one file's
//! single writer is not shared by two roles). Each event adds the same
//! person to another team, so each gives one notification, told by that
//! team.
//!
//! `cargo bench -p interlink-notifications --bench notify [-- --quick]`

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use interlink_notifications::{Migrator, NotificationsApi, Notifier};
use interlink_proto::community::v1 as community;
use interlink_proto::events::v1::Event;
use interlink_proto::notifications::v1 as pb;
use interlink_proto::notifications::v1::notification_service_client::NotificationServiceClient;
use interlink_proto::notifications::v1::notification_service_server::NotificationServiceServer;
use interlink_runtime::api::user_name;
use interlink_runtime::events::{EventTablesMigration, Relay};
use interlink_runtime::events::{EventType, NewEvent, Outbox, user_actor};
use interlink_runtime::testing::{
    Backend, TestEnv, TestServer, create_postgres_database, drop_postgres_database, with_token,
};
use sea_orm::DatabaseConnection;
use sea_orm_migration::{MigrationTrait, MigratorTrait};
use tokio_util::sync::CancellationToken;

const ORG: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10";

/// The `i`th event: "ben" added to team `i` by "ana".
fn event(outbox: &Outbox, i: u64) -> Event {
    outbox
        .envelope(NewEvent {
            event_type: EventType::new("community", "team", "member_added"),
            actor: user_actor("ana"),
            organization_id: ORG,
            aggregate_id: &format!("m{i}"),
            aggregate_version: 1,
            payload: &community::TeamMemberAdded {
                member: Some(community::TeamMember {
                    team: format!("teams/{}", team(i)),
                    user: user_name("ben"),
                    subject: "ben".into(),
                    ..Default::default()
                }),
                organization: format!("organizations/{ORG}"),
                team_type: 0,
            },
        })
        .expect("envelope")
}

fn team(i: u64) -> String {
    format!("0190b4a2-7a3e-7cc0-9a53-{i:012x}")
}

/// The source role's outbox tables.
struct SourceMigrator;

impl MigratorTrait for SourceMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(EventTablesMigration)]
    }
}

/// A database of the source's own: another PostgreSQL database (its name,
/// to drop), or another SQLite file beside the service's.
async fn source_database(backend: Backend, env: &TestEnv) -> (DatabaseConnection, Option<String>) {
    let (url, name) = match backend {
        Backend::Postgres => {
            let (url, name) = create_postgres_database().await;
            (url, Some(name))
        }
        Backend::Embedded => (
            format!("sqlite://{}/source.db", env.config.data_dir.display()),
            None,
        ),
    };
    let db = interlink_runtime::db::connect(&url, &env.config.database)
        .await
        .expect("the source's database");
    interlink_runtime::db::migrate::<SourceMigrator>(&db, "source")
        .await
        .expect("the source's tables");
    (db, name)
}

async fn latency(backend: Backend, rate: u64, seconds: u64) -> (Duration, Duration, Duration) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let outbox = env.outbox();
    let notifier = Arc::new(Notifier::default());
    let news = notifier.news();
    let server = TestServer::start(env, interlink_notifications::SERVICE_NAME, |env| {
        let mut routes = tonic::service::RoutesBuilder::default();
        routes.add_service(NotificationServiceServer::new(
            NotificationsApi::new(env.db.clone()).with_news(news),
        ));
        routes
    })
    .await;
    let env = &server.env;
    let (source, source_name) = source_database(backend, env).await;
    let stop = CancellationToken::new();
    let relay = Relay::new(
        source.clone(),
        env.bus.clone(),
        &outbox,
        env.config.events.clone(),
    );
    let consumer = env.consumer("notifications", &notifier);
    let pipeline = [
        tokio::spawn(relay.run(stop.clone())),
        tokio::spawn({
            let stop = stop.clone();
            async move { consumer.run(stop).await.expect("consumer runs") }
        }),
    ];
    let total = rate * seconds;

    // Ben's stream, open before the first event.
    let mut client = NotificationServiceClient::new(server.channel.clone());
    let mut stream = client
        .stream_notifications(with_token(
            pb::StreamNotificationsRequest::default(),
            &server.token("ben", false),
        ))
        .await
        .expect("stream")
        .into_inner();
    let told: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let reader = {
        let told = told.clone();
        tokio::spawn(async move {
            while let Ok(Some(event)) = stream.message().await {
                if let Some(n) = event.notification {
                    let mut told = told.lock().expect("lock");
                    told.insert(
                        n.target.trim_start_matches("teams/").to_owned(),
                        Instant::now(),
                    );
                    if told.len() as u64 == total {
                        return;
                    }
                }
            }
        })
    };

    let committed: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut writes = Vec::new();
    for i in 0..total {
        ticker.tick().await;
        let (db, outbox, committed) = (source.clone(), outbox.clone(), committed.clone());
        writes.push(tokio::spawn(async move {
            let e = event(&outbox, i);
            outbox
                .publish(&db, std::slice::from_ref(&e))
                .await
                .expect("publish");
            committed
                .lock()
                .expect("lock")
                .insert(team(i), Instant::now());
        }));
    }
    for w in writes {
        w.await.expect("write");
    }
    tokio::time::timeout(Duration::from_secs(120), reader)
        .await
        .expect("every notification told in time")
        .expect("reader");
    let told = told.lock().expect("lock").clone();
    let mut samples: Vec<Duration> = committed
        .lock()
        .expect("lock")
        .iter()
        .map(|(team, at)| told[team].saturating_duration_since(*at))
        .collect();
    samples.sort();
    stop.cancel();
    for task in pipeline {
        task.await.expect("pipeline task");
    }
    server.stop().await;
    if let Some(name) = source_name {
        drop(source);
        drop_postgres_database(&name).await;
    }
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    (at(0.5), at(0.99), *samples.last().expect("samples"))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let seconds = if quick { 5 } else { 30 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for (name, backend) in [
            ("PostgreSQL + JetStream", Backend::Postgres),
            ("SQLite + embedded bus", Backend::Embedded),
        ] {
            let (p50, p99, max) = latency(backend, 200, seconds).await;
            println!(
                "{name:<24} event committed → notification read, at 200 events/s for {seconds} s: \
                 p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms",
                p50.as_secs_f64() * 1e3,
                p99.as_secs_f64() * 1e3,
                max.as_secs_f64() * 1e3
            );
        }
    });
}
