//! NATS down while events are committed: they wait in the outbox and are
//! delivered, once each, when NATS is back.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use interlink_proto::common::v1::TranslatableText;
use interlink_proto::events::v1::Event;
use interlink_runtime::events::{
    EventHandler, EventTablesMigrator, EventType, NewEvent, outbox_backlog, relay, service_actor,
};
use interlink_runtime::testing::{Backend, NatsProcess, TestEnv, wait_until};
use sea_orm::DatabaseTransaction;
use std::sync::Mutex;

#[derive(Default)]
struct Seen {
    ids: Mutex<Vec<String>>,
    applied: AtomicU64,
}

impl EventHandler for Seen {
    async fn handle(&self, _txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        self.ids.lock().expect("lock").push(event.id.clone());
        Ok(())
    }
    fn after_commit(&self, events: &[Event]) {
        self.applied
            .fetch_add(events.len() as u64, Ordering::SeqCst);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_committed_while_nats_is_down_are_delivered_when_it_returns() {
    let mut nats = NatsProcess::start().await;
    let url = nats.url();
    let env = TestEnv::new::<EventTablesMigrator>(Backend::Postgres, |c| {
        c.nats.url = url;
        c.events.retry_max_ms = 200;
        // A killed server may lose recent acks: redeliver them soon.
        c.events.ack_wait_secs = 2;
    })
    .await;
    let outbox = env.outbox();
    let make = |i: u64| {
        outbox
            .envelope(NewEvent {
                event_type: EventType::new("test", "thing", "changed"),
                actor: service_actor("test"),
                organization_id: "",
                aggregate_id: "agg",
                aggregate_version: i,
                payload: &TranslatableText::default(),
            })
            .expect("envelope")
    };
    let seen = Arc::new(Seen::default());
    let relay = env.relay(&outbox);
    let pipeline = env.start_pipeline(&outbox, "seen", &seen);

    let before: Vec<Event> = (1..=10).map(make).collect();
    outbox.publish(&env.db, &before).await.expect("commit");
    wait_until("first events applied", Duration::from_secs(30), || async {
        seen.applied.load(Ordering::SeqCst) >= 10
    })
    .await;

    nats.kill().await;
    let during: Vec<Event> = (11..=30).map(make).collect();
    outbox
        .publish(&env.db, &during)
        .await
        .expect("commits succeed without NATS");
    // Nothing can go out (the running relay may hold the round's lock, in
    // which case this one publishes nothing either).
    match relay.drain().await {
        Err(_) | Ok(0) => {}
        Ok(n) => panic!("{n} events published while NATS is down"),
    }
    assert_eq!(outbox_backlog(&env.db).await.expect("backlog"), 20);
    // The relay reports what waits (the interlink.outbox.backlog gauge).
    wait_until("the backlog reported", Duration::from_secs(30), || async {
        relay::backlog_of("outbox") == Some(20)
    })
    .await;

    nats.restart().await;
    wait_until(
        "events applied after NATS returned",
        Duration::from_secs(60),
        || async { seen.applied.load(Ordering::SeqCst) >= 30 },
    )
    .await;
    wait_until("consumer idle", Duration::from_secs(30), || {
        env.consumer_idle("seen")
    })
    .await;
    pipeline.stop().await;

    let ids = seen.ids.lock().expect("lock").clone();
    let expected: HashSet<String> = before.iter().chain(&during).map(|e| e.id.clone()).collect();
    assert_eq!(ids.len(), 30, "each event applied once");
    assert_eq!(ids.into_iter().collect::<HashSet<_>>(), expected);
    assert_eq!(outbox_backlog(&env.db).await.expect("backlog"), 0);
    assert_eq!(relay::backlog_of("outbox"), Some(0));
    env.cleanup().await;
}
