//! What the notifications tests share: the service on a test database and
//! bus, events made as the mesh makes them, published through the real
//! outbox, relay and bus to the notifier.

#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use interlink_notifications::webhooks::UrlPolicy;
use interlink_notifications::{Migrator, NotificationsApi, Notifier, WebhooksApi};
use interlink_proto::common::v1::TranslatableText;
use interlink_proto::community::v1 as community;
use interlink_proto::events::v1::Event;
use interlink_proto::notifications::v1 as pb;
use interlink_proto::notifications::v1::notification_service_client::NotificationServiceClient;
use interlink_proto::notifications::v1::notification_service_server::NotificationServiceServer;
use interlink_proto::notifications::v1::webhook_service_client::WebhookServiceClient;
use interlink_proto::notifications::v1::webhook_service_server::WebhookServiceServer;
use interlink_runtime::api::user_name;
use interlink_runtime::events::{EventType, NewEvent, Outbox, user_actor};
use interlink_runtime::testing::{Backend, TestEnv, TestServer, count, wait_until, with_token};
use sea_orm::TransactionTrait;
use tonic::transport::Channel;

pub const ORG: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10";
pub const TEAM: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a20";
/// How long a rotated-out webhook secret still signs, in the tests.
pub const ROTATION_OVERLAP_MS: i64 = 60_000;

/// The service under test, with the notifier its events go to.
pub struct Mesh {
    pub server: TestServer,
    pub outbox: Outbox,
    pub notifier: Arc<Notifier>,
}

impl Mesh {
    /// The service on `backend`; `notifier` makes the notifier (and may
    /// start what it needs) from the environment, `mail` tells whether
    /// the API says e-mail is sent.
    pub async fn start(
        backend: Backend,
        mail: bool,
        notifier: impl FnOnce(&TestEnv) -> Notifier,
    ) -> Self {
        let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
        let outbox = env.outbox();
        let notifier = Arc::new(notifier(&env));
        let news = notifier.news();
        let services = [
            interlink_notifications::SERVICE_NAME,
            interlink_notifications::WEBHOOK_SERVICE_NAME,
        ];
        let server = TestServer::start_services(env, &services, |env| {
            let mut routes = tonic::service::RoutesBuilder::default();
            routes.add_service(NotificationServiceServer::new(
                NotificationsApi::new(env.db.clone())
                    .with_mail(mail)
                    .with_news(news),
            ));
            // Tests deliver to a receiver on loopback over http.
            let open = UrlPolicy {
                allow_http: true,
                allow_private: true,
            };
            routes.add_service(WebhookServiceServer::new(WebhooksApi::new(
                env.db.clone(),
                open,
                ROTATION_OVERLAP_MS,
            )));
            routes
        })
        .await;
        Self {
            server,
            outbox,
            notifier,
        }
    }

    pub fn client(&self) -> NotificationServiceClient<Channel> {
        NotificationServiceClient::new(self.server.channel.clone())
    }

    pub fn webhooks(&self) -> WebhookServiceClient<Channel> {
        WebhookServiceClient::new(self.server.channel.clone())
    }

    /// An event of `kind` (`service.aggregate.verb`) by `actor`.
    pub fn event<M: prost::Name>(&self, kind: &'static str, actor: &str, payload: &M) -> Event {
        self.event_in(ORG, kind, actor, payload)
    }

    /// An event of `kind` of organisation `org` by `actor`.
    pub fn event_in<M: prost::Name>(
        &self,
        org: &str,
        kind: &'static str,
        actor: &str,
        payload: &M,
    ) -> Event {
        let mut parts = kind.split('.');
        let (service, aggregate, verb) = (
            parts.next().expect("service"),
            parts.next().expect("aggregate"),
            parts.next().expect("verb"),
        );
        self.outbox
            .envelope(NewEvent {
                event_type: EventType::new(service, aggregate, verb),
                actor: user_actor(actor),
                organization_id: org,
                aggregate_id: "x",
                aggregate_version: 1,
                payload,
            })
            .expect("envelope")
    }

    /// Publishes `events` through the outbox, relay and bus to the
    /// notifier, and waits until it has handled them all.
    pub async fn publish(&self, events: &[Event]) {
        let env = &self.server.env;
        let handled = count(&env.db, "SELECT COUNT(*) AS n FROM interlink_inbox").await;
        let txn = env.db.begin().await.expect("begin");
        self.outbox.append(&txn, events).await.expect("append");
        txn.commit().await.expect("commit");
        let pipeline = env.start_pipeline(&self.outbox, "notifications", &self.notifier);
        let expected = handled + events.len() as u64;
        wait_until(
            "the notifier to handle the events",
            Duration::from_secs(20),
            || async {
                count(&env.db, "SELECT COUNT(*) AS n FROM interlink_inbox").await == expected
            },
        )
        .await;
        pipeline.stop().await;
    }

    /// `subject`'s inbox, in `language` (theirs when empty).
    pub async fn inbox(&self, subject: &str, language: &str) -> pb::ListNotificationsResponse {
        self.client()
            .list_notifications(with_token(
                pb::ListNotificationsRequest {
                    page_size: 100,
                    language_code: language.into(),
                    ..Default::default()
                },
                &self.server.token(subject, false),
            ))
            .await
            .expect("list")
            .into_inner()
    }
}

/// A text in several languages.
pub fn texts(pairs: &[(&str, &str)]) -> Option<TranslatableText> {
    Some(TranslatableText {
        values: pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<BTreeMap<_, _>>(),
    })
}

/// A person registering.
pub fn user(subject: &str, display: &str, email: &str, locale: &str) -> community::UserRegistered {
    community::UserRegistered {
        user: Some(community::User {
            name: user_name(subject),
            subject: subject.into(),
            display_name: display.into(),
            email: email.into(),
            locale: locale.into(),
            ..Default::default()
        }),
    }
}

/// `subject` joining [`TEAM`].
pub fn member(subject: &str, administrator: bool) -> community::TeamMemberAdded {
    community::TeamMemberAdded {
        member: Some(community::TeamMember {
            team: format!("teams/{TEAM}"),
            user: user_name(subject),
            subject: subject.into(),
            administrator,
            ..Default::default()
        }),
        organization: format!("organizations/{ORG}"),
        team_type: 0,
    }
}

/// [`TEAM`] made, named "Mobility" / "Movilidad".
pub fn team_created() -> community::TeamCreated {
    community::TeamCreated {
        team: Some(community::Team {
            name: format!("teams/{TEAM}"),
            organization: format!("organizations/{ORG}"),
            display_name: texts(&[("en", "Mobility"), ("es", "Movilidad")]),
            ..Default::default()
        }),
    }
}

/// `subject` made an administrator of [`ORG`].
pub fn organization_administrator(subject: &str) -> community::OrganizationAdministratorAdded {
    community::OrganizationAdministratorAdded {
        organization: format!("organizations/{ORG}"),
        user: user_name(subject),
        subject: subject.into(),
    }
}
