//! Webhooks benchmark: deliveries per second from the dispatcher to a
//! local receiver (a minimal HTTP server counting what it is sent, so the
//! receiver is not what is measured), on PostgreSQL and on SQLite. The
//! deliveries of 10,000 events (5,000 with `--quick`) are written first,
//! as the notifier writes them; the clock runs from the dispatcher's start
//! until every delivery is recorded as delivered.
//!
//! `cargo bench -p interlink-notifications --bench webhooks [-- --quick]`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use interlink_notifications::Migrator;
use interlink_notifications::dispatch::{DispatchSettings, Dispatcher, pending_count};
use interlink_notifications::webhook_store::{self, NewEndpoint};
use interlink_notifications::webhooks::UrlPolicy;
use interlink_proto::community::v1 as community;
use interlink_proto::events::v1::Event;
use interlink_runtime::api::user_name;
use interlink_runtime::events::{EventType, NewEvent, Outbox, user_actor};
use interlink_runtime::testing::{Backend, TestEnv};
use sea_orm::TransactionTrait;
use tokio_util::sync::CancellationToken;

const ORG: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10";

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
                    team: format!("teams/0190b4a2-7a3e-7cc0-9a53-{i:012x}"),
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

/// A receiver answering 204 to every POST, counting them.
async fn receiver() -> (String, Arc<AtomicU64>) {
    let received = Arc::new(AtomicU64::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/in",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::Relaxed);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a port");
    let url = format!("http://{}/in", listener.local_addr().expect("address"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

async fn throughput(backend: Backend, total: u64) -> (f64, Duration) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let outbox = env.outbox();
    let (url, received) = receiver().await;
    webhook_store::create(
        &env.db,
        NewEndpoint {
            organization: ORG.into(),
            url,
            description: "bench".into(),
            event_types: vec!["community.team.member_added".into()],
            created_by: String::new(),
        },
    )
    .await
    .expect("an endpoint");
    for chunk in (0..total).collect::<Vec<_>>().chunks(500) {
        let txn = env.db.begin().await.expect("begin");
        for i in chunk {
            webhook_store::enqueue(&txn, &event(&outbox, *i))
                .await
                .expect("enqueue");
        }
        txn.commit().await.expect("commit");
    }
    let dispatcher = Dispatcher::new(
        env.db.clone(),
        DispatchSettings {
            policy: UrlPolicy {
                allow_http: true,
                allow_private: true,
            },
            ..DispatchSettings::default()
        },
        Default::default(),
    )
    .expect("a dispatcher");
    let stop = CancellationToken::new();
    let started = Instant::now();
    let task = tokio::spawn(dispatcher.run(stop.clone()));
    loop {
        if pending_count(&env.db).await.expect("pending") == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    stop.cancel();
    task.await.expect("dispatcher");
    assert!(
        received.load(Ordering::Relaxed) >= total,
        "every delivery arrived"
    );
    (total as f64 / took.as_secs_f64(), took)
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let total = if quick { 5_000 } else { 10_000 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for (name, backend) in [
            ("PostgreSQL", Backend::Postgres),
            ("SQLite", Backend::Embedded),
        ] {
            let (rate, took) = throughput(backend, total).await;
            println!(
                "{name:<12} {total} webhook deliveries signed, sent and recorded in {:.2} s: {rate:.0} deliveries/s",
                took.as_secs_f64()
            );
        }
    });
}
