//! E-mail on PostgreSQL + NATS and on SQLite + the embedded bus, against a
//! real SMTP server (aiosmtpd from PyPI, installed by scripts/tools.sh):
//! each notification mailed once as its person prefers, in their
//! language, with a plain and an HTML part and a one-click unsubscribe
//! that works; daily kinds gathered in one digest; a server that is down
//! for a while gets every e-mail exactly once when it comes back; a mail
//! worker killed mid-send (the server frozen) loses none, and none comes
//! twice.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Mesh, ORG, TEAM, member, team_created, user};
use interlink_notifications::mail::{MailJobs, MailSettings, SmtpMailer};
use interlink_notifications::{NoticeKeeper, Notifier};
use interlink_proto::community::v1 as community;
use interlink_proto::events::v1::Event;
use interlink_proto::notifications::v1 as pb;
use interlink_runtime::jobs::{self, JobState, JobsConfig, Worker};
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::smtp::{Mail, SmtpServer};
use interlink_runtime::testing::{Backend, count, wait_until, with_token};
use tokio_util::sync::CancellationToken;
use tonic::Code;

const PUBLIC_URL: &str = "https://participa.example.org";

/// The service with its mail worker, sending to an SMTP server.
struct Service {
    mesh: Mesh,
    smtp: SmtpServer,
    worker_stop: CancellationToken,
    worker_task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for Service {
    type Target = Mesh;

    fn deref(&self) -> &Mesh {
        &self.mesh
    }
}

impl Service {
    async fn start(backend: Backend, smtp_up: bool) -> Self {
        let dir = tempfile::tempdir().expect("dir");
        let mut smtp = SmtpServer::reserve(dir.path());
        if smtp_up {
            smtp.start().await;
        }
        let mut mesh = Mesh::start(backend, true, |_| Notifier::default()).await;
        let db = mesh.server.env.db.clone();
        let worker = mail_worker(&db, &smtp).await;
        mesh.notifier = Arc::new(Notifier::new(
            NoticeKeeper::with_mail(7, worker.waker()),
            Default::default(),
        ));
        let worker_stop = CancellationToken::new();
        let worker_task = tokio::spawn(worker.run(worker_stop.clone()));
        Self {
            mesh,
            smtp,
            worker_stop,
            worker_task,
            _dir: dir,
        }
    }

    async fn mails(&self, expected: usize) -> Vec<Mail> {
        self.smtp.wait_for(expected).await
    }

    async fn stop(self) {
        self.worker_stop.cancel();
        self.mesh.server.stop().await;
    }
}

/// The mail worker of the service's database, sending to `smtp`.
async fn mail_worker(
    db: &sea_orm::DatabaseConnection,
    smtp: &SmtpServer,
) -> Worker<MailJobs, SmtpMailer> {
    let mailer = SmtpMailer::new(
        db.clone(),
        MailSettings {
            smtp_url: smtp.url(),
            from: "Interlink <no-reply@participa.example.org>".into(),
            public_url: PUBLIC_URL.into(),
            digest_hour: 7,
        },
        interlink_notifications::store::secret(db)
            .await
            .expect("secret"),
        Duration::from_secs(2),
    )
    .expect("mailer");
    Worker::with_transport(
        db.clone(),
        Arc::new(MailJobs),
        mailer,
        JobsConfig {
            poll: Duration::from_millis(50),
            retry_initial: Duration::from_millis(50),
            retry_max: Duration::from_millis(300),
            max_attempts: 1_000,
            timeout: Duration::from_secs(2),
            concurrency: 4,
        },
    )
}

fn people(s: &Service) -> Vec<Event> {
    vec![
        s.event(
            "community.user.registered",
            "ana",
            &user("ana", "Ana", "ana@example.org", "es"),
        ),
        s.event(
            "community.user.registered",
            "ben",
            &user("ben", "Ben", "ben@example.org", "en"),
        ),
        s.event(
            "community.user.registered",
            "cris",
            &user("cris", "Cris", "", "it"),
        ),
        s.event("community.team.created", "ana", &team_created()),
    ]
}

async fn each_notification_is_mailed_once_as_its_person_prefers(backend: Backend) {
    let s = Service::start(backend, true).await;
    s.publish(&people(&s)).await;
    let mut client = s.client();
    let ben = s.server.token("ben", false);

    // Ben takes invitations in the inbox only.
    let preferences = client
        .update_notification_preferences(with_token(
            pb::UpdateNotificationPreferencesRequest {
                kinds: vec![pb::KindPreference {
                    kind: pb::NotificationKind::Invitation as i32,
                    email: pb::EmailDelivery::Never as i32,
                    ..Default::default()
                }],
            },
            &ben,
        ))
        .await
        .expect("preferences")
        .into_inner();
    assert_eq!(preferences.email_address, "ben@example.org");
    let invitation = preferences
        .kinds
        .iter()
        .find(|k| k.kind == pb::NotificationKind::Invitation as i32)
        .expect("invitations");
    assert_eq!(invitation.email, pb::EmailDelivery::Never as i32);
    assert!(!invitation.default);

    // Ana adds Ben and Cris (who has no address), and invites Ben.
    s.publish(&[
        s.event("community.team.member_added", "ana", &member("ben", false)),
        s.event("community.team.member_added", "ana", &member("cris", false)),
        s.event(
            "community.invitation.created",
            "ana",
            &community::InvitationCreated {
                invitation: Some(community::Invitation {
                    name: "invitations/i1".into(),
                    team: format!("teams/{TEAM}"),
                    email: "ben@example.org".into(),
                    ..Default::default()
                }),
                organization: format!("organizations/{ORG}"),
            },
        ),
    ])
    .await;
    // One e-mail: Ben's "added"; none for Cris, none for the invitation.
    let mails = s.mails(1).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = if s.smtp.messages().len() == 1 {
        mails
    } else {
        s.smtp.messages()
    };
    assert_eq!(mails.len(), 1, "{mails:#?}");
    let mail = &mails[0];
    assert_eq!(mail.header("to"), "Ben <ben@example.org>");
    assert_eq!(
        mail.header("from"),
        "Interlink <no-reply@participa.example.org>"
    );
    assert_eq!(mail.subject(), "Ana added you to the team Mobility.");
    assert!(mail.header("message-id").starts_with("<notification-"));
    assert!(
        mail.header("message-id")
            .ends_with("@participa.example.org>")
    );
    assert_eq!(
        mail.header("list-unsubscribe-post"),
        "List-Unsubscribe=One-Click"
    );
    assert!(
        mail.header("list-unsubscribe")
            .starts_with(&format!("<{PUBLIC_URL}/unsubscribe?token="))
    );
    assert!(
        mail.header("content-type")
            .starts_with("multipart/alternative")
    );
    assert!(mail.raw.contains("text/plain") && mail.raw.contains("text/html"));
    let body = mail.decoded();
    assert!(
        body.contains(&format!("Open: {PUBLIC_URL}/teams/{TEAM}")),
        "{body}"
    );
    assert!(
        body.contains(&format!("<a href=\"{PUBLIC_URL}/teams/{TEAM}\">Open</a>")),
        "{body}"
    );
    assert!(body.contains(&format!("{PUBLIC_URL}/notifications/preferences")));

    // The link stops e-mails of that kind, with no token needed.
    let token = mail.unsubscribe_token();
    let stopped = client
        .unsubscribe(pb::UnsubscribeRequest {
            token: token.clone(),
        })
        .await
        .expect("unsubscribed")
        .into_inner();
    assert_eq!(stopped.kind, pb::NotificationKind::TeamMemberAdded as i32);
    let now = client
        .get_notification_preferences(with_token(pb::GetNotificationPreferencesRequest {}, &ben))
        .await
        .expect("preferences")
        .into_inner();
    assert!(
        now.kinds
            .iter()
            .any(|k| k.kind == pb::NotificationKind::TeamMemberAdded as i32
                && k.email == pb::EmailDelivery::Never as i32)
    );
    // A token changed by a character is refused, changing nothing.
    let mut forged = token.clone();
    forged.pop();
    forged.push(if token.ends_with('0') { '1' } else { '0' });
    let refused = client
        .unsubscribe(pb::UnsubscribeRequest { token: forged })
        .await
        .expect_err("forged");
    assert_eq!(refused.code(), Code::Unauthenticated);

    // Daily kinds wait for the digest: two grants, one e-mail.
    for (grant, item) in [("g1", ""), ("g2", "phases/p")] {
        s.publish(&[s.event(
            "coproduction.grant.added",
            "ana",
            &interlink_proto::coproduction::v1::GrantAdded {
                process: "processes/p".into(),
                grant: Some(interlink_proto::coproduction::v1::Grant {
                    name: format!("processes/p/grants/{grant}"),
                    team: format!("teams/{TEAM}"),
                    item: item.into(),
                    ..Default::default()
                }),
            },
        )])
        .await;
    }
    let db = &s.server.env.db;
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM interlink_jobs WHERE kind = 'mail.digest'"
        )
        .await,
        1,
        "one digest per person and day"
    );
    assert_eq!(s.smtp.messages().len(), 1);
    // The clock reaches the digest's hour.
    interlink_runtime::db::run(
        db,
        "UPDATE interlink_jobs SET next_attempt_at = 0 WHERE kind = 'mail.digest'",
        [],
    )
    .await
    .expect("due now");
    let mails = s.mails(2).await;
    let digest = mails
        .iter()
        .find(|m| m.header("message-id").starts_with("<digest-"))
        .expect("the digest");
    assert_eq!(digest.subject(), "Your daily summary: 2 notifications");
    assert!(
        digest.decoded().contains("Your team Mobility was given"),
        "{}",
        digest.decoded()
    );
    wait_until("the digest noted sent", Duration::from_secs(10), || async {
        count(
            db,
            "SELECT COUNT(*) AS n FROM notifications WHERE digest = 'sent'",
        )
        .await
            == 2
    })
    .await;
    assert_eq!(
        count(
            db,
            "SELECT COUNT(*) AS n FROM notifications WHERE digest = 'pending'"
        )
        .await,
        0
    );
    s.stop().await;
}

async fn a_server_down_for_a_while_gets_every_mail_once(backend: Backend) {
    let mut s = Service::start(backend, false).await;
    s.publish(&people(&s)).await;
    let newcomers: Vec<String> = (0..12).map(|i| format!("n{i}")).collect();
    let mut events = Vec::new();
    for n in &newcomers {
        events.push(s.event(
            "community.user.registered",
            n,
            &user(n, n, &format!("{n}@example.org"), "lv"),
        ));
        events.push(s.event("community.team.member_added", "ana", &member(n, false)));
    }
    s.publish(&events).await;
    let db = s.server.env.db.clone();
    // Tried, and waiting for the server.
    wait_until("failed attempts", Duration::from_secs(20), || async {
        count(
            &db,
            "SELECT COUNT(*) AS n FROM interlink_jobs WHERE attempts >= 2 AND state = 'pending'",
        )
        .await
            == 12
    })
    .await;
    s.smtp.start().await;
    let mails = s.mails(12).await;
    wait_until("every job done", Duration::from_secs(20), || async {
        jobs::count(&db, JobState::Done).await.unwrap_or_default() == 12
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = if s.smtp.messages().len() == mails.len() {
        mails
    } else {
        s.smtp.messages()
    };
    assert_eq!(mails.len(), 12, "each once");
    let ids: std::collections::BTreeSet<&str> =
        mails.iter().map(|m| m.header("message-id")).collect();
    assert_eq!(ids.len(), 12);
    // In Latvian, their language.
    assert!(
        mails
            .iter()
            .all(|m| m.subject() == "Ana jūs pievienoja komandai Mobility."),
        "{:?}",
        mails[0].subject()
    );
    s.stop().await;
}

async fn a_mail_worker_killed_mid_send_loses_none(backend: Backend) {
    let mut s = Service::start(backend, true).await;
    s.publish(&people(&s)).await;
    // The server takes the connections but answers nothing: the worker
    // waits mid-send, and dies there.
    s.smtp.freeze();
    let newcomers: Vec<String> = (0..6).map(|i| format!("k{i}")).collect();
    let mut events = Vec::new();
    for n in &newcomers {
        events.push(s.event(
            "community.user.registered",
            n,
            &user(n, n, &format!("{n}@example.org"), "en"),
        ));
        events.push(s.event("community.team.member_added", "ana", &member(n, false)));
    }
    s.publish(&events).await;
    let db = s.server.env.db.clone();
    wait_until("e-mails in flight", Duration::from_secs(20), || async {
        count(
            &db,
            "SELECT COUNT(*) AS n FROM interlink_jobs WHERE lease_until IS NOT NULL",
        )
        .await
            >= 1
    })
    .await;
    let dead = std::mem::replace(&mut s.worker_task, tokio::spawn(async {}));
    dead.abort();
    let _ = dead.await;
    s.smtp.thaw();
    // Another worker (a restarted role) sends what the dead one held once
    // its leases expire, and the rest at once.
    let worker = mail_worker(&db, &s.smtp).await;
    let stop = CancellationToken::new();
    tokio::spawn(worker.run(stop.clone()));
    wait_until("every job done", Duration::from_secs(30), || async {
        jobs::count(&db, JobState::Done).await.unwrap_or_default() == 6
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mails = s.smtp.messages();
    assert_eq!(mails.len(), 6, "each once");
    let ids: std::collections::BTreeSet<&str> =
        mails.iter().map(|m| m.header("message-id")).collect();
    assert_eq!(ids.len(), 6);
    stop.cancel();
    s.stop().await;
}

on_both_backends!(
    each_notification_is_mailed_once_as_its_person_prefers,
    a_server_down_for_a_while_gets_every_mail_once,
    a_mail_worker_killed_mid_send_loses_none,
);
