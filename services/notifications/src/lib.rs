//! The notifications service: who hears of what in the co-production
//! processes. Fed only by the mesh's events, it keeps projections of
//! teams, memberships, grants, process trees and administrators; its rules
//! ([`rules`]) turn each event into notices for the people concerned,
//! kept once per event and person in each one's in-app inbox, told in
//! their language (Fluent templates, [`texts`]), and e-mailed as they
//! prefer ([`delivery`], [`mail`]).

pub mod delivery;
pub mod error;
pub mod grpc;
pub mod mail;
pub mod migrations;
pub mod rules;
pub mod store;
pub mod texts;

use std::sync::Arc;

use futures::future::BoxFuture;
use interlink_proto::events::v1::Event;
use interlink_proto::notifications::v1::notification_service_server::NotificationServiceServer;
use interlink_runtime::events::{Consumer, EventHandler};
use interlink_runtime::host::{Role, RoleContext};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::Notify;
use tonic::service::RoutesBuilder;

pub use grpc::NotificationsApi;
pub use migrations::Migrator;

/// The fully-qualified name of the gRPC service.
pub const SERVICE_NAME: &str = "interlink.notifications.v1.NotificationService";

/// The consumer of every event of the mesh: projections first, then the
/// notices they decide, each kept for its people (never for who acted),
/// and their e-mails planned when the deployment sends e-mail.
#[derive(Debug, Default)]
pub struct Notifier {
    mail: Option<MailPlanning>,
    news: Arc<Notify>,
}

#[derive(Debug)]
struct MailPlanning {
    digest_hour: u32,
    wake: Arc<Notify>,
}

impl Notifier {
    /// A notifier that plans e-mails too (digests at `digest_hour` UTC),
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
}

impl EventHandler for Notifier {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        let mut notices = rules::notices(event);
        notices.extend(store::apply(txn, event).await?);
        let actor = rules::actor_id(event);
        for notice in &notices {
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

    fn after_commit(&self, _events: &[Event]) {
        self.news.notify_waiters();
        if let Some(mail) = &self.mail {
            mail.wake.notify_one();
        }
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
            let notifier = if settings.smtp_url.is_empty() {
                Notifier::default()
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
                let notifier = Notifier::with_mail(settings.digest_hour_utc, worker.waker());
                context.tasks.spawn(worker.run(context.shutdown.clone()));
                notifier
            };
            let news = notifier.news();
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
                    NotificationsApi::new(db)
                        .with_mail(!settings.smtp_url.is_empty())
                        .with_news(news),
                )
                .max_decoding_message_size(max)
                .max_encoding_message_size(max),
            );
            Ok(vec![SERVICE_NAME.to_owned()])
        })
    }
}
