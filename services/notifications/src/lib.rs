//! The notifications service: who hears of what in the co-production
//! processes. Fed only by the mesh's events, it keeps projections of
//! teams, memberships, grants, process trees and administrators; its rules
//! ([`rules`]) turn each event into notices for the people concerned,
//! kept once per event and person in each one's in-app inbox, told in
//! their language (Fluent templates, [`texts`]), and e-mailed as they
//! prefer ([`delivery`], [`mail`]); each process keeps a feed of what
//! happened in it ([`feed`]). Partner systems hear of an
//! organisation's events through signed webhooks ([`webhooks`],
//! [`webhook_store`], [`dispatch`]).

pub mod delivery;
pub mod dispatch;
pub mod error;
pub mod feed;
pub mod grpc;
pub mod grpc_webhooks;
pub mod mail;
pub mod migrations;
pub mod rules;
pub mod store;
pub mod texts;
pub mod webhook_store;
pub mod webhooks;

use std::sync::Arc;

use futures::future::BoxFuture;
use interlink_proto::events::v1::Event;
use interlink_proto::notifications::v1::notification_service_server::NotificationServiceServer;
use interlink_proto::notifications::v1::webhook_service_server::WebhookServiceServer;
use interlink_runtime::events::{Consumer, EventHandler};
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::Notify;
use tonic::service::RoutesBuilder;

pub use grpc::NotificationsApi;
pub use grpc_webhooks::WebhooksApi;
pub use migrations::Migrator;

/// The fully-qualified name of the gRPC service.
pub const SERVICE_NAME: &str = "interlink.notifications.v1.NotificationService";
/// The fully-qualified name of the webhooks' gRPC service.
pub const WEBHOOK_SERVICE_NAME: &str = "interlink.notifications.v1.WebhookService";

/// Keeps notices for their people (never for who acted), plans their
/// e-mails when the deployment sends e-mail, and wakes what waits for
/// them after the commit.
#[derive(Debug, Clone, Default)]
pub struct NoticeKeeper {
    mail: Option<MailPlanning>,
    news: Arc<Notify>,
}

#[derive(Debug, Clone)]
struct MailPlanning {
    digest_hour: u32,
    wake: Arc<Notify>,
}

impl NoticeKeeper {
    /// A keeper that plans e-mails too (digests at `digest_hour` UTC),
    /// waking the mail worker through `wake` after each commit.
    pub fn with_mail(digest_hour: u32, wake: Arc<Notify>) -> Self {
        Self {
            mail: Some(MailPlanning { digest_hour, wake }),
            news: Arc::new(Notify::new()),
        }
    }

    /// What wakes the open streams after each commit (for
    /// [`NotificationsApi::with_news`]).
    pub fn news(&self) -> Arc<Notify> {
        Arc::clone(&self.news)
    }

    /// Keeps `notices` of `event` in `txn`.
    pub(crate) async fn keep(
        &self,
        txn: &DatabaseTransaction,
        event: &Event,
        notices: &[rules::Notice],
    ) -> anyhow::Result<()> {
        let actor = rules::actor_id(event);
        for notice in notices {
            let mut people = std::collections::BTreeSet::new();
            for audience in &notice.audience {
                people.extend(store::resolve(txn, audience).await?);
            }
            people.remove(&actor);
            let added = store::insert(txn, event, notice, &people).await?;
            if let Some(mail) = &self.mail {
                for (user, id) in &added {
                    mail::plan(txn, user, id, notice.kind, mail.digest_hour).await?;
                }
            }
        }
        Ok(())
    }

    /// Wakes the streams and the mail worker once notices committed.
    pub(crate) fn after_commit(&self) {
        self.news.notify_waiters();
        if let Some(mail) = &self.mail {
            mail.wake.notify_one();
        }
    }
}

/// The consumer of every event of the mesh: projections first, then the
/// notices they decide, kept by the [`NoticeKeeper`], and the deliveries
/// of the organisation's webhooks that hear the event.
#[derive(Debug, Default)]
pub struct Notifier {
    keeper: NoticeKeeper,
    webhooks: Arc<Notify>,
}

impl Notifier {
    /// A notifier keeping notices through `keeper`, waking the webhook
    /// dispatcher through `webhooks` after each commit.
    pub fn new(keeper: NoticeKeeper, webhooks: Arc<Notify>) -> Self {
        Self { keeper, webhooks }
    }

    /// What wakes the open streams after each commit.
    pub fn news(&self) -> Arc<Notify> {
        self.keeper.news()
    }
}

impl EventHandler for Notifier {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        let mut notices = rules::notices(event);
        notices.extend(store::apply(txn, event).await?);
        self.keeper.keep(txn, event, &notices).await?;
        let mut lines: Vec<feed::Line> = notices.iter().filter_map(feed::Line::of_notice).collect();
        lines.extend(feed::own_lines(event));
        feed::keep(txn, event, &lines).await?;
        webhook_store::enqueue(txn, event).await?;
        Ok(())
    }

    fn after_commit(&self, _events: &[Event]) {
        self.keeper.after_commit();
        self.webhooks.notify_one();
    }
}

/// The `notifications` role of the `interlink` binary.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotificationsRole;

impl Role for NotificationsRole {
    fn name(&self) -> &'static str {
        "notifications"
    }

    fn has_database(&self) -> bool {
        true
    }

    fn migrate<'a>(&'a self, db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(interlink_runtime::db::migrate::<Migrator>(
            db,
            "notifications",
        ))
    }

    fn start<'a>(
        &'a self,
        context: RoleContext,
        routes: &'a mut RoutesBuilder,
    ) -> BoxFuture<'a, anyhow::Result<Vec<String>>> {
        Box::pin(async move {
            let db = context
                .db
                .clone()
                .ok_or_else(|| anyhow::anyhow!("the notifications role needs its database"))?;
            let settings = &context.config.notifications;
            let keeper = if settings.smtp_url.is_empty() {
                NoticeKeeper::default()
            } else {
                let public_url = if settings.public_url.is_empty() {
                    format!("http://{}", context.config.gateway.listen)
                } else {
                    settings.public_url.trim_end_matches('/').to_owned()
                };
                let jobs = interlink_runtime::jobs::JobsConfig::default();
                let mailer = mail::SmtpMailer::new(
                    db.clone(),
                    mail::MailSettings {
                        smtp_url: settings.smtp_url.clone(),
                        from: settings.mail_from.clone(),
                        public_url,
                        digest_hour: settings.digest_hour_utc,
                    },
                    store::secret(&db).await?,
                    jobs.timeout,
                )?;
                let worker = interlink_runtime::jobs::Worker::with_transport(
                    db.clone(),
                    Arc::new(mail::MailJobs),
                    mailer,
                    jobs,
                );
                let keeper = NoticeKeeper::with_mail(settings.digest_hour_utc, worker.waker());
                context.tasks.spawn(worker.run(context.shutdown.clone()));
                keeper
            };
            let news = keeper.news();
            let policy = webhooks::UrlPolicy {
                allow_http: settings.webhook_allow_http,
                allow_private: settings.webhook_allow_private_networks,
            };
            let dispatcher = dispatch::Dispatcher::new(
                db.clone(),
                dispatch::DispatchSettings {
                    policy,
                    timeout: std::time::Duration::from_millis(settings.webhook_timeout_ms),
                    schedule: webhooks::Schedule {
                        initial: std::time::Duration::from_millis(
                            settings.webhook_retry_initial_ms,
                        ),
                        window: std::time::Duration::from_secs(settings.webhook_retry_window_secs),
                        ..webhooks::Schedule::default()
                    },
                    ..dispatch::DispatchSettings::default()
                },
                keeper.clone(),
            )?;
            let notifier = Notifier::new(keeper, dispatcher.waker());
            context
                .tasks
                .spawn(dispatcher.run(context.shutdown.clone()));
            let window_ms = settings.webhook_retry_window_secs.saturating_mul(1000) as i64;
            let consumer = Consumer::new(
                "notifications",
                context.subjects().all(),
                db.clone(),
                context.bus.clone(),
                Arc::new(notifier),
                context.config.events.clone(),
            )
            .announce_parked(context.outbox.clone());
            let shutdown = context.shutdown.clone();
            context.tasks.spawn(async move {
                if let Err(e) = consumer.run(shutdown).await {
                    tracing::error!(error = %e, "notifications consumer stopped");
                }
            });
            let max = context.config.grpc.max_message_bytes;
            routes.add_service(
                NotificationServiceServer::new(
                    NotificationsApi::new(db.clone())
                        .with_mail(!settings.smtp_url.is_empty())
                        .with_news(news),
                )
                .max_decoding_message_size(max)
                .max_encoding_message_size(max),
            );
            routes.add_service(
                WebhookServiceServer::new(WebhooksApi::new(db, policy, window_ms))
                    .max_decoding_message_size(max)
                    .max_encoding_message_size(max),
            );
            Ok(vec![
                SERVICE_NAME.to_owned(),
                WEBHOOK_SERVICE_NAME.to_owned(),
            ])
        })
    }
}
