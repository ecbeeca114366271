//! Webhooks on PostgreSQL + NATS and on SQLite + the embedded bus, against
//! a real receiver that verifies every delivery with the Standard Webhooks
//! reference library (PyPI `standardwebhooks`, installed by
//! scripts/tools.sh): an organisation's administrators subscribe an
//! endpoint to event types; each event of theirs of those types arrives
//! signed, once; a secret rotation keeps both secrets signing; a receiver
//! failing, timing out, down, and then recovering gets every delivery,
//! counted; a dispatcher killed mid-flight loses none; an endpoint failing
//! for its whole window is disabled and its administrators are told.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::{Mesh, ORG, TEAM, member, organization_administrator, team_created, user};
use interlink_notifications::Notifier;
use interlink_notifications::dispatch::{DispatchSettings, Dispatcher, pending_count};
use interlink_notifications::webhooks::{Schedule, UrlPolicy};
use interlink_proto::events::v1::Event;
use interlink_proto::notifications::v1 as pb;
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::webhook_receiver::{Received, WebhookReceiver};
use interlink_runtime::testing::{Backend, count, wait_until, with_token};
use tokio_util::sync::CancellationToken;
use tonic::Code;

const ADMIN: &str = "org-admin";
const OTHER_ORG: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a99";

struct Service {
    mesh: Mesh,
    receiver: WebhookReceiver,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for Service {
    type Target = Mesh;

    fn deref(&self) -> &Mesh {
        &self.mesh
    }
}

/// A running dispatcher, stopped gracefully or killed.
struct Running {
    stop: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        self.stop.cancel();
        self.task.await.expect("the dispatcher ends");
    }

    /// As a killed process: attempts in flight are never recorded.
    async fn kill(self) {
        self.task.abort();
        let _ = self.task.await;
    }
}

impl Service {
    async fn start(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let mut receiver = WebhookReceiver::reserve(dir.path());
        receiver.start().await;
        let mesh = Mesh::start(backend, false, |_| Notifier::default()).await;
        let admin = mesh.event(
            "community.user.registered",
            ADMIN,
            &user(ADMIN, "Ada Admin", "ada@example.org", "en"),
        );
        let made = mesh.event(
            "community.organization.administrator_added",
            "platform",
            &organization_administrator(ADMIN),
        );
        mesh.publish(&[admin, made]).await;
        Self {
            mesh,
            receiver,
            _dir: dir,
        }
    }

    fn dispatcher(&self, timeout: Duration, window: Duration) -> Running {
        let dispatcher = Dispatcher::new(
            self.server.env.db.clone(),
            DispatchSettings {
                policy: UrlPolicy {
                    allow_http: true,
                    allow_private: true,
                },
                timeout,
                schedule: Schedule {
                    initial: Duration::from_millis(100),
                    max: Duration::from_millis(400),
                    window,
                },
                concurrency: 16,
                poll: Duration::from_millis(50),
            },
            Default::default(),
        )
        .expect("a dispatcher");
        let stop = CancellationToken::new();
        let task = tokio::spawn(dispatcher.run(stop.clone()));
        Running { stop, task }
    }

    fn token(&self, subject: &str) -> String {
        self.server.token(subject, false)
    }

    async fn create(&self, types: &[&str]) -> pb::Webhook {
        self.webhooks()
            .create_webhook(with_token(
                pb::CreateWebhookRequest {
                    parent: format!("organizations/{ORG}"),
                    webhook: Some(pb::Webhook {
                        url: self.receiver.url("/in"),
                        description: "Our case system".into(),
                        event_types: types.iter().map(|t| (*t).to_owned()).collect(),
                        ..Default::default()
                    }),
                },
                &self.token(ADMIN),
            ))
            .await
            .expect("created")
            .into_inner()
    }

    async fn deliveries(&self, webhook: &str) -> Vec<pb::WebhookDelivery> {
        self.webhooks()
            .list_webhook_deliveries(with_token(
                pb::ListWebhookDeliveriesRequest {
                    parent: webhook.into(),
                    page_size: 100,
                    ..Default::default()
                },
                &self.token(ADMIN),
            ))
            .await
            .expect("deliveries")
            .into_inner()
            .deliveries
    }

    async fn get(&self, webhook: &str) -> pb::Webhook {
        self.webhooks()
            .get_webhook(with_token(
                pb::GetWebhookRequest {
                    name: webhook.into(),
                },
                &self.token(ADMIN),
            ))
            .await
            .expect("webhook")
            .into_inner()
    }

    /// `count` people added to the team: one event each.
    fn joins(&self, from: usize, count: usize) -> Vec<Event> {
        (from..from + count)
            .map(|i| {
                self.event(
                    "community.team.member_added",
                    ADMIN,
                    &member(&format!("person-{i}"), false),
                )
            })
            .collect()
    }

    /// Waits until nothing is pending.
    async fn settled(&self) {
        let db = &self.server.env.db;
        wait_until(
            "every delivery to settle",
            Duration::from_secs(60),
            || async { pending_count(db).await.expect("pending") == 0 },
        )
        .await;
    }
}

fn status(result: Result<tonic::Response<impl Sized>, tonic::Status>) -> (Code, String) {
    match result {
        Ok(_) => (Code::Ok, String::new()),
        Err(status) => (status.code(), status.message().to_owned()),
    }
}

fn accepted(received: &[Received]) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for r in received.iter().filter(|r| r.status == 200) {
        *ids.entry(r.id.clone()).or_default() += 1;
    }
    ids
}

async fn an_organisations_events_reach_its_endpoint_signed_once(backend: Backend) {
    let s = Service::start(backend).await;
    let mut client = s.webhooks();

    // Only the organisation's administrators manage its webhooks, and bad
    // fields are refused by name, changing nothing.
    let outsider = client
        .create_webhook(with_token(
            pb::CreateWebhookRequest {
                parent: format!("organizations/{ORG}"),
                webhook: Some(pb::Webhook {
                    url: s.receiver.url("/in"),
                    event_types: vec!["community.team.created".into()],
                    ..Default::default()
                }),
            },
            &s.token("someone-else"),
        ))
        .await;
    assert_eq!(status(outsider).0, Code::PermissionDenied);
    for (webhook, field) in [
        (
            pb::Webhook {
                url: "ftp://example.org/in".into(),
                event_types: vec!["community.team.created".into()],
                ..Default::default()
            },
            "webhook.url",
        ),
        (
            pb::Webhook {
                url: s.receiver.url("/in"),
                event_types: vec!["community.user.registered".into()],
                ..Default::default()
            },
            "webhook.event_types[0]",
        ),
        (
            pb::Webhook {
                url: s.receiver.url("/in"),
                ..Default::default()
            },
            "webhook.event_types",
        ),
    ] {
        let (code, message) = status(
            client
                .create_webhook(with_token(
                    pb::CreateWebhookRequest {
                        parent: format!("organizations/{ORG}"),
                        webhook: Some(webhook),
                    },
                    &s.token(ADMIN),
                ))
                .await,
        );
        assert_eq!(code, Code::InvalidArgument, "{field}");
        assert!(message.contains(field), "{message} names {field}");
    }
    let listed = client
        .list_webhooks(with_token(
            pb::ListWebhooksRequest {
                parent: format!("organizations/{ORG}"),
            },
            &s.token(ADMIN),
        ))
        .await
        .expect("listed")
        .into_inner();
    assert!(listed.webhooks.is_empty(), "nothing was kept");

    let types = client
        .list_webhook_event_types(with_token(
            pb::ListWebhookEventTypesRequest {},
            &s.token(ADMIN),
        ))
        .await
        .expect("types")
        .into_inner()
        .event_types;
    assert!(types.contains(&"community.team.member_added".to_owned()));
    assert!(!types.contains(&"community.user.registered".to_owned()));

    // Created once, however often the call is repeated with its key.
    let keyed = || {
        let mut request = with_token(
            pb::CreateWebhookRequest {
                parent: format!("organizations/{ORG}"),
                webhook: Some(pb::Webhook {
                    url: s.receiver.url("/in"),
                    description: "Our case system".into(),
                    event_types: vec![
                        "community.team.created".into(),
                        "community.team.member_added".into(),
                    ],
                    ..Default::default()
                }),
            },
            &s.token(ADMIN),
        );
        request
            .metadata_mut()
            .insert("idempotency-key", "create-the-hook".parse().expect("key"));
        request
    };
    let hook = client
        .create_webhook(keyed())
        .await
        .expect("created")
        .into_inner();
    let again = client
        .create_webhook(keyed())
        .await
        .expect("repeated")
        .into_inner();
    assert_eq!(again, hook, "the first answer");
    assert!(hook.secret.starts_with("whsec_"), "the secret, once");
    assert!(hook.enabled);
    assert!(s.get(&hook.name).await.secret.is_empty(), "never again");
    let listed = client
        .list_webhooks(with_token(
            pb::ListWebhooksRequest {
                parent: format!("organizations/{ORG}"),
            },
            &s.token(ADMIN),
        ))
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(listed.webhooks.len(), 1, "one, for two calls with one key");
    s.receiver.set_secrets(&[&hook.secret]);
    let running = s.dispatcher(Duration::from_secs(5), Duration::from_secs(3_600));

    // Events of the organisation, of a type not heard, and of another
    // organisation.
    let mut events = vec![s.event("community.team.created", ADMIN, &team_created())];
    events.extend(s.joins(0, 5));
    events.push(s.event(
        "community.team.updated",
        ADMIN,
        &interlink_proto::community::v1::TeamUpdated {
            team: team_created().team,
            changed_fields: vec!["description".into()],
        },
    ));
    events.push(s.event_in(
        OTHER_ORG,
        "community.team.member_added",
        ADMIN,
        &member("person-x", false),
    ));
    s.publish(&events).await;
    let expected: BTreeSet<String> = events[..6].iter().map(|e| e.id.clone()).collect();
    let received = s
        .receiver
        .wait_for("six deliveries", Duration::from_secs(30), |r| r.len() >= 6)
        .await;
    s.settled().await;
    let received_now = s.receiver.received();
    assert_eq!(received_now.len(), 6, "nothing else: {received:?}");
    let ids: BTreeSet<String> = received_now.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, expected, "each event once, by its id");
    assert!(
        received_now.iter().all(|r| r.verified),
        "every signature verifies with the reference library: {received_now:?}"
    );

    let deliveries = s.deliveries(&hook.name).await;
    assert_eq!(deliveries.len(), 6);
    for d in &deliveries {
        assert_eq!(d.state, pb::DeliveryState::Delivered as i32, "{d:?}");
        assert_eq!(d.response_code, 200);
        assert_eq!(d.attempts, 1);
        assert!(d.deliver_time.is_some());
    }
    // Newest first.
    assert_eq!(deliveries[0].event_id, events[5].id);
    let one = client
        .get_webhook_delivery(with_token(
            pb::GetWebhookDeliveryRequest {
                name: deliveries[0].name.clone(),
            },
            &s.token(ADMIN),
        ))
        .await
        .expect("one delivery")
        .into_inner();
    assert_eq!(one.attempt_log.len(), 1);
    assert_eq!(one.attempt_log[0].response_code, 200);
    let body: serde_json::Value = serde_json::from_str(&one.payload).expect("JSON");
    assert_eq!(body["type"], "community.team.member_added");
    assert_eq!(body["data"]["id"], events[5].id.as_str());
    assert_eq!(body["data"]["organizationId"], ORG);
    assert_eq!(
        body["data"]["payload"]["member"]["team"],
        format!("teams/{TEAM}")
    );
    assert!(
        body["data"]["actor"].get("subject").is_none(),
        "no OIDC subject leaves: {body}"
    );
    // Another organisation's administrator does not see it.
    let (code, _) = status(
        client
            .get_webhook_delivery(with_token(
                pb::GetWebhookDeliveryRequest {
                    name: deliveries[0].name.clone(),
                },
                &s.token("someone-else"),
            ))
            .await,
    );
    assert_eq!(code, Code::NotFound);

    // A rotation: both secrets sign for a while, so a receiver that still
    // knows only the old one, or already only the new one, verifies.
    let rotated = client
        .rotate_webhook_secret(with_token(
            pb::RotateWebhookSecretRequest {
                name: hook.name.clone(),
            },
            &s.token(ADMIN),
        ))
        .await
        .expect("rotated")
        .into_inner();
    assert_ne!(rotated.secret, hook.secret);
    assert!(rotated.previous_secret_expire_time.is_some());
    s.receiver.set_secrets(&[&hook.secret, &rotated.secret]);
    s.publish(&s.joins(5, 1)).await;
    let received = s
        .receiver
        .wait_for(
            "the delivery after the rotation",
            Duration::from_secs(30),
            |r| r.len() >= 7,
        )
        .await;
    assert_eq!(received[6].verified_with, vec![0, 1], "both secrets sign");

    // A replay sends the same delivery again, with the same id.
    let replayed = client
        .replay_webhook_delivery(with_token(
            pb::ReplayWebhookDeliveryRequest {
                name: deliveries[1].name.clone(),
            },
            &s.token(ADMIN),
        ))
        .await
        .expect("replayed")
        .into_inner();
    assert_eq!(replayed.state, pb::DeliveryState::Pending as i32);
    let received = s
        .receiver
        .wait_for("the replay", Duration::from_secs(30), |r| r.len() >= 8)
        .await;
    assert_eq!(received[7].id, deliveries[1].event_id);
    s.settled().await;

    // Unsubscribing from a type, and deleting.
    client
        .update_webhook(with_token(
            pb::UpdateWebhookRequest {
                webhook: Some(pb::Webhook {
                    name: hook.name.clone(),
                    event_types: vec!["community.team.created".into()],
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["event_types".into()],
                }),
            },
            &s.token(ADMIN),
        ))
        .await
        .expect("updated");
    s.publish(&s.joins(6, 2)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.receiver.received().len(), 8, "no longer heard");
    client
        .delete_webhook(with_token(
            pb::DeleteWebhookRequest {
                name: hook.name.clone(),
            },
            &s.token(ADMIN),
        ))
        .await
        .expect("deleted");
    assert_eq!(
        status(
            client
                .get_webhook(with_token(
                    pb::GetWebhookRequest {
                        name: hook.name.clone()
                    },
                    &s.token(ADMIN),
                ))
                .await
        )
        .0,
        Code::NotFound
    );
    running.stop().await;
}

async fn a_receiver_failing_timing_out_and_down_gets_every_delivery(backend: Backend) {
    let mut s = Service::start(backend).await;
    let hook = s.create(&["community.team.member_added"]).await;
    s.receiver.set_secrets(&[&hook.secret]);
    let running = s.dispatcher(Duration::from_millis(700), Duration::from_secs(3_600));

    // 500s first …
    s.receiver.set_mode("fail");
    let events = s.joins(0, 6);
    s.publish(&events).await;
    s.receiver
        .wait_for("failed attempts", Duration::from_secs(30), |r| {
            r.iter().filter(|r| r.status == 500).count() >= 12
        })
        .await;
    let failing = s.get(&hook.name).await;
    assert!(failing.failing_since.is_some(), "its failures are known");
    // … then answers too late …
    s.receiver.set_mode("sleep 1.5");
    s.receiver
        .wait_for("timed-out attempts", Duration::from_secs(30), |r| {
            r.iter().filter(|r| r.status == 200).count() >= 6
        })
        .await;
    // … then down (once the late answers are written) …
    s.receiver.set_mode("fail");
    tokio::time::sleep(Duration::from_secs(2)).await;
    s.receiver.stop().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pending = s.deliveries(&hook.name).await;
    assert!(
        pending
            .iter()
            .all(|d| d.state == pb::DeliveryState::Pending as i32),
        "nothing given up within the window: {pending:?}"
    );
    // … and back.
    s.receiver.set_mode("ok");
    s.receiver.start().await;
    s.settled().await;

    let deliveries = s.deliveries(&hook.name).await;
    assert_eq!(deliveries.len(), 6);
    let accepted = accepted(&s.receiver.received());
    let expected: BTreeSet<String> = events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(
        accepted.keys().cloned().collect::<BTreeSet<_>>(),
        expected,
        "every delivery arrived"
    );
    let mut client = s.webhooks();
    for d in &deliveries {
        assert_eq!(d.state, pb::DeliveryState::Delivered as i32, "{d:?}");
        let log = client
            .get_webhook_delivery(with_token(
                pb::GetWebhookDeliveryRequest {
                    name: d.name.clone(),
                },
                &s.token(ADMIN),
            ))
            .await
            .expect("delivery")
            .into_inner()
            .attempt_log;
        assert_eq!(log.len() as i64, d.attempts, "every attempt is logged");
        let succeeded = log.iter().filter(|a| a.error.is_empty()).count();
        assert_eq!(succeeded, 1, "acknowledged once: {log:?}");
        assert!(log.iter().any(|a| a.response_code == 500), "{log:?}");
        // The receiver kept what it answered 200 to: the acknowledged
        // attempt and each one the dispatcher gave up waiting for.
        let late = log
            .iter()
            .filter(|a| a.error.starts_with("no answer within"))
            .count();
        assert_eq!(
            accepted[&d.event_id],
            1 + late,
            "exactly once, counting the answers that came too late: {log:?}"
        );
    }
    assert!(s.get(&hook.name).await.failing_since.is_none(), "recovered");
    running.stop().await;
}

async fn a_dispatcher_killed_mid_flight_loses_nothing(backend: Backend) {
    let s = Service::start(backend).await;
    let hook = s.create(&["community.team.member_added"]).await;
    s.receiver.set_secrets(&[&hook.secret]);
    s.receiver.set_mode("sleep 1");
    let first = s.dispatcher(Duration::from_millis(1_500), Duration::from_secs(3_600));
    let events = s.joins(0, 8);
    s.publish(&events).await;
    // Killed while every attempt waits for its answer: leased, and
    // arrived at the receiver (a lease is taken before its request leaves,
    // so a kill right after the leases could beat the requests there).
    let db = &s.server.env.db;
    wait_until(
        "every delivery in flight and arrived",
        Duration::from_secs(30),
        || async {
            s.receiver.arrived() >= 8
                && count(
                    db,
                    "SELECT COUNT(*) AS n FROM webhook_deliveries WHERE lease_until IS NOT NULL",
                )
                .await
                    == 8
        },
    )
    .await;
    first.kill().await;
    // The receiver logs them all once their held answers are given, though
    // no answer was recorded.
    s.receiver
        .wait_for("the first attempts", Duration::from_secs(30), |r| {
            r.len() >= 8
        })
        .await;
    s.receiver.set_mode("ok");
    // Their leases expire (twice the timeout and 5 s) and another
    // dispatcher sends them again.
    let second = s.dispatcher(Duration::from_millis(1_500), Duration::from_secs(3_600));
    s.settled().await;
    let accepted = accepted(&s.receiver.received());
    let expected: BTreeSet<String> = events.iter().map(|e| e.id.clone()).collect();
    assert_eq!(accepted.keys().cloned().collect::<BTreeSet<_>>(), expected);
    let mut client = s.webhooks();
    for d in s.deliveries(&hook.name).await {
        assert_eq!(d.state, pb::DeliveryState::Delivered as i32, "{d:?}");
        // Sent by the killed dispatcher, unrecorded, and once again with
        // the same `webhook-id`, by which the receiver tells them apart.
        assert_eq!(d.attempts, 2, "{d:?}");
        assert_eq!(accepted[&d.event_id], 2, "{d:?}");
        let log = client
            .get_webhook_delivery(with_token(
                pb::GetWebhookDeliveryRequest {
                    name: d.name.clone(),
                },
                &s.token(ADMIN),
            ))
            .await
            .expect("delivery")
            .into_inner()
            .attempt_log;
        assert_eq!(log.len(), 1, "only the recorded attempt: {log:?}");
    }
    second.stop().await;
}

async fn an_endpoint_failing_for_its_window_is_disabled_and_its_owners_told(backend: Backend) {
    let s = Service::start(backend).await;
    let hook = s.create(&["community.team.member_added"]).await;
    s.receiver.set_secrets(&[&hook.secret]);
    s.receiver.set_mode("fail");
    let running = s.dispatcher(Duration::from_secs(2), Duration::from_secs(2));
    s.publish(&s.joins(0, 2)).await;
    let mut client = s.webhooks();
    wait_until(
        "the endpoint to be disabled",
        Duration::from_secs(30),
        || async { !s.get(&hook.name).await.enabled },
    )
    .await;
    let disabled = s.get(&hook.name).await;
    assert!(!disabled.disabled_reason.is_empty());
    let deliveries = s.deliveries(&hook.name).await;
    assert!(
        deliveries
            .iter()
            .all(|d| d.state == pb::DeliveryState::Failed as i32),
        "{deliveries:?}"
    );
    let inbox = s.inbox(ADMIN, "en").await;
    let told = inbox
        .notifications
        .iter()
        .find(|n| n.kind == pb::NotificationKind::WebhookDisabled as i32)
        .expect("the administrator is told");
    assert!(told.title.contains(&s.receiver.url("/in")), "{told:?}");
    assert_eq!(told.link, format!("/{}", hook.name));

    // Nothing is replayed to a disabled endpoint; enabled again, a replay
    // arrives.
    let (code, _) = status(
        client
            .replay_webhook_delivery(with_token(
                pb::ReplayWebhookDeliveryRequest {
                    name: deliveries[0].name.clone(),
                },
                &s.token(ADMIN),
            ))
            .await,
    );
    assert_eq!(code, Code::FailedPrecondition);
    s.receiver.set_mode("ok");
    let enabled = client
        .update_webhook(with_token(
            pb::UpdateWebhookRequest {
                webhook: Some(pb::Webhook {
                    name: hook.name.clone(),
                    enabled: true,
                    ..Default::default()
                }),
                update_mask: Some(prost_types::FieldMask {
                    paths: vec!["enabled".into()],
                }),
            },
            &s.token(ADMIN),
        ))
        .await
        .expect("enabled")
        .into_inner();
    assert!(enabled.enabled && enabled.failing_since.is_none());
    assert!(enabled.disabled_reason.is_empty());
    client
        .replay_webhook_delivery(with_token(
            pb::ReplayWebhookDeliveryRequest {
                name: deliveries[0].name.clone(),
            },
            &s.token(ADMIN),
        ))
        .await
        .expect("replayed");
    s.settled().await;
    let accepted = accepted(&s.receiver.received());
    assert_eq!(accepted.get(&deliveries[0].event_id), Some(&1));
    running.stop().await;
}

on_both_backends!(
    an_organisations_events_reach_its_endpoint_signed_once,
    a_receiver_failing_timing_out_and_down_gets_every_delivery,
    a_dispatcher_killed_mid_flight_loses_nothing,
    an_endpoint_failing_for_its_window_is_disabled_and_its_owners_told,
);
