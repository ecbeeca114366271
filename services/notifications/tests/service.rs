//! The notifications service on PostgreSQL + NATS and on SQLite + the
//! embedded bus: a scripted history of the mesh's events, published and
//! consumed through the real bus, notifies exactly the people concerned,
//! once, in their language; each person reads and marks only their own;
//! an erased person is forgotten.

mod common;

use std::time::Duration;

use common::{Mesh, ORG, TEAM, member, team_created, texts, user};
use interlink_notifications::Notifier;
use interlink_proto::community::v1 as community;
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::events::v1::Event;
use interlink_proto::notifications::v1 as pb;
use interlink_runtime::api::{user_id, user_name};
use interlink_runtime::events::EventHandler;
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::{Backend, count, violated_fields, wait_until, with_token};
use pb::NotificationKind as K;
use sea_orm::TransactionTrait;
use tonic::Code;

const PROCESS: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a30";
const P1: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a41";
const P2: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a42";
const O1: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a51";
const O2: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a52";
const T1: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a61";
const T2: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a62";
const CLAIM: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a70";
const STORY: &str = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a80";

async fn start(backend: Backend) -> Mesh {
    Mesh::start(backend, false, |_| Notifier::default()).await
}

fn item(
    id: &str,
    kind: coproduction::ItemKind,
    parent: &str,
    title: &str,
    prerequisites: &[&str],
) -> coproduction::TreeItem {
    coproduction::TreeItem {
        name: format!("{}/{id}", collection(kind)),
        process: format!("processes/{PROCESS}"),
        kind: kind as i32,
        parent: parent.into(),
        title: texts(&[("en", title), ("es", &format!("{title} (es)"))]),
        status: coproduction::Status::Awaiting as i32,
        prerequisites: prerequisites.iter().map(|p| (*p).to_owned()).collect(),
        ..Default::default()
    }
}

fn collection(kind: coproduction::ItemKind) -> &'static str {
    match kind {
        coproduction::ItemKind::Phase => "phases",
        coproduction::ItemKind::Objective => "objectives",
        _ => "tasks",
    }
}

fn process(status: coproduction::Status) -> coproduction::Process {
    coproduction::Process {
        name: format!("processes/{PROCESS}"),
        title: "Bike lanes".into(),
        organization: format!("organizations/{ORG}"),
        administrators: vec![user_name("ana")],
        status: status as i32,
        ..Default::default()
    }
}

fn status_changed(
    task: &str,
    new: coproduction::Status,
    objective: (&str, coproduction::Status),
    phase: (&str, coproduction::Status),
    process: coproduction::Status,
) -> coproduction::TaskStatusChanged {
    let rolled = |kind: coproduction::ItemKind, (id, status): (&str, coproduction::Status)| {
        coproduction::TreeItem {
            name: format!("{}/{id}", collection(kind)),
            status: status as i32,
            ..Default::default()
        }
    };
    coproduction::TaskStatusChanged {
        task: format!("tasks/{task}"),
        process: format!("processes/{PROCESS}"),
        old_status: coproduction::Status::Awaiting as i32,
        new_status: new as i32,
        objective: Some(rolled(coproduction::ItemKind::Objective, objective)),
        phase: Some(rolled(coproduction::ItemKind::Phase, phase)),
        process_status: process as i32,
        process_progress: 0.0,
    }
}

/// The history: people, an organisation and its team, a process with two
/// phases, a grant, an application, an invitation, a claim, tasks
/// finishing until the process does, and a story.
fn history(s: &Mesh) -> Vec<Event> {
    use coproduction::ItemKind::{Objective, Phase, Task};
    use coproduction::Status::{Awaiting, Finished, InProgress};
    let team = format!("teams/{TEAM}");
    vec![
        s.event(
            "community.user.registered",
            "ana",
            &user("ana", "Ana", "ana@example.org", "es"),
        ),
        s.event(
            "community.user.registered",
            "ben",
            &user("ben", "Ben", "Ben@Example.org", "en"),
        ),
        s.event(
            "community.user.registered",
            "cris",
            &user("cris", "Cris", "cris@example.org", "it"),
        ),
        s.event(
            "community.user.registered",
            "dana",
            &user("dana", "Dana", "dana@example.org", "lv"),
        ),
        s.event(
            "community.organization.created",
            "dana",
            &community::OrganizationCreated {
                organization: Some(community::Organization {
                    name: format!("organizations/{ORG}"),
                    administrators: vec![user_name("dana")],
                    ..Default::default()
                }),
            },
        ),
        s.event("community.team.created", "dana", &team_created()),
        // Dana makes Ana the team's administrator; Ana adds Ben.
        s.event("community.team.member_added", "dana", &member("ana", true)),
        s.event("community.team.member_added", "ana", &member("ben", false)),
        s.event(
            "coproduction.process.created",
            "ana",
            &coproduction::ProcessCreated {
                process: Some(process(Awaiting)),
            },
        ),
        s.event(
            "coproduction.process.schema_set",
            "ana",
            &coproduction::ProcessSchemaSet {
                tree: Some(coproduction::ProcessTree {
                    process: Some(process(Awaiting)),
                    items: vec![
                        item(P1, Phase, "", "Explore", &[]),
                        item(O1, Objective, &format!("phases/{P1}"), "Listen", &[]),
                        item(T1, Task, &format!("objectives/{O1}"), "Survey", &[]),
                        item(P2, Phase, "", "Build", &[&format!("phases/{P1}")]),
                        item(O2, Objective, &format!("phases/{P2}"), "Design", &[]),
                        item(T2, Task, &format!("objectives/{O2}"), "Draw lanes", &[]),
                    ],
                }),
            },
        ),
        // The team is given the second phase.
        s.event(
            "coproduction.grant.added",
            "ana",
            &coproduction::GrantAdded {
                process: format!("processes/{PROCESS}"),
                grant: Some(coproduction::Grant {
                    name: format!("processes/{PROCESS}/grants/g1"),
                    team: team.clone(),
                    item: format!("phases/{P2}"),
                    ..Default::default()
                }),
            },
        ),
        // Cris applies; Ana accepts.
        s.event(
            "community.team_application.submitted",
            "cris",
            &community::TeamApplicationSubmitted {
                application: Some(community::TeamApplication {
                    name: "teamApplications/a1".into(),
                    team: team.clone(),
                    applicant: user_name("cris"),
                    ..Default::default()
                }),
                organization: format!("organizations/{ORG}"),
            },
        ),
        s.event(
            "community.team_application.accepted",
            "ana",
            &community::TeamApplicationDecided {
                application: Some(community::TeamApplication {
                    name: "teamApplications/a1".into(),
                    team: team.clone(),
                    applicant: user_name("cris"),
                    ..Default::default()
                }),
                organization: format!("organizations/{ORG}"),
            },
        ),
        s.event("community.team.member_added", "ana", &member("cris", false)),
        // An invitation to Ben's address, spelt otherwise.
        s.event(
            "community.invitation.created",
            "ana",
            &community::InvitationCreated {
                invitation: Some(community::Invitation {
                    name: "invitations/i1".into(),
                    team: team.clone(),
                    email: "ben@EXAMPLE.org".into(),
                    ..Default::default()
                }),
                organization: format!("organizations/{ORG}"),
            },
        ),
        // Ana finishes the first phase's task: the second phase's task can
        // start, for the team holding that phase.
        s.event(
            "coproduction.task.status_changed",
            "ana",
            &status_changed(T1, Finished, (O1, Finished), (P1, Finished), InProgress),
        ),
        // Ben claims work on it; Ana approves.
        s.event(
            "coproduction.claim.submitted",
            "ben",
            &coproduction::ClaimSubmitted {
                claim: Some(coproduction::Claim {
                    name: format!("processes/{PROCESS}/claims/{CLAIM}"),
                    target: format!("tasks/{T2}"),
                    claimant: user_name("ben"),
                    ..Default::default()
                }),
            },
        ),
        s.event(
            "coproduction.claim.decided",
            "ana",
            &coproduction::ClaimDecided {
                claim: Some(coproduction::Claim {
                    name: format!("processes/{PROCESS}/claims/{CLAIM}"),
                    target: format!("tasks/{T2}"),
                    claimant: user_name("ben"),
                    state: coproduction::ClaimState::Accepted as i32,
                    ..Default::default()
                }),
            },
        ),
        // Ben finishes the last task: the process is finished.
        s.event(
            "coproduction.task.status_changed",
            "ben",
            &status_changed(T2, Finished, (O2, Finished), (P2, Finished), Finished),
        ),
        s.event(
            "coproduction.story.published",
            "ana",
            &coproduction::StoryPublished {
                story: Some(coproduction::Story {
                    name: format!("stories/{STORY}"),
                    process: format!("processes/{PROCESS}"),
                    title: "Lanes for all".into(),
                    ..Default::default()
                }),
            },
        ),
    ]
}

/// (kind, title, link) of a person's inbox, oldest first.
fn seen_as(inbox: &pb::ListNotificationsResponse) -> Vec<(K, String, String)> {
    let mut out: Vec<_> = inbox
        .notifications
        .iter()
        .map(|n| {
            (
                K::try_from(n.kind).expect("kind"),
                n.title.clone(),
                n.link.clone(),
            )
        })
        .collect();
    out.reverse();
    out
}

async fn the_people_concerned_hear_once_in_their_language(backend: Backend) {
    let s = start(backend).await;
    let events = history(&s);
    s.publish(&events).await;
    let task2 = format!("/processes/{PROCESS}/guide/tasks/{T2}");
    let process = format!("/processes/{PROCESS}");
    let team = format!("/teams/{TEAM}");

    // Ben (English).
    let ben = s.inbox("ben", "").await;
    assert_eq!(
        seen_as(&ben),
        vec![
            (
                K::TeamMemberAdded,
                "Ana added you to the team Mobility.".into(),
                team.clone()
            ),
            (
                K::TeamGranted,
                "Your team Mobility was given “Build” in Bike lanes.".into(),
                format!("/processes/{PROCESS}/guide/phases/{P2}"),
            ),
            (
                K::Invitation,
                "Ana invited you to join the team Mobility.".into(),
                team.clone()
            ),
            (
                K::TaskStartable,
                "“Draw lanes” in Bike lanes can start: what it waits for is finished.".into(),
                task2.clone(),
            ),
            (
                K::ClaimDecided,
                "Your claim of work in Bike lanes was approved.".into(),
                task2.clone(),
            ),
            (
                K::StoryPublished,
                "A story of Bike lanes was published: “Lanes for all”.".into(),
                format!("/stories/{STORY}"),
            ),
        ]
    );
    assert_eq!(ben.unseen_count, 6);
    assert!(ben.notifications.iter().all(|n| !n.seen && !n.archived));
    let claim = &ben.notifications[1];
    assert_eq!(claim.actor, user_name("ana"));
    assert_eq!(claim.process, format!("processes/{PROCESS}"));
    assert_eq!(claim.target, format!("processes/{PROCESS}/claims/{CLAIM}"));

    // Ana (Spanish), who acted in most of it: told only of others' acts.
    let ana = s.inbox("ana", "").await;
    assert_eq!(
        seen_as(&ana),
        vec![
            (
                K::TeamMemberAdded,
                "Dana te ha añadido al equipo Movilidad.".into(),
                team.clone()
            ),
            (
                K::ApplicationSubmitted,
                "Cris ha solicitado unirse al equipo Movilidad.".into(),
                team.clone(),
            ),
            (
                K::ClaimSubmitted,
                "Ben ha declarado trabajo en «Draw lanes (es)» de Bike lanes.".into(),
                task2.clone(),
            ),
            (
                K::ProcessFinished,
                "El proceso Bike lanes ha terminado.".into(),
                process.clone()
            ),
        ]
    );

    // Cris (Italian) joined after the grant: hears of what followed.
    let cris = s.inbox("cris", "").await;
    assert_eq!(
        seen_as(&cris).iter().map(|(k, ..)| *k).collect::<Vec<_>>(),
        vec![
            K::ApplicationDecided,
            K::TeamMemberAdded,
            K::TaskStartable,
            K::ProcessFinished,
            K::StoryPublished,
        ]
    );
    assert_eq!(
        cris.notifications[4].title,
        "La tua richiesta di entrare nel gruppo Mobility è stata accettata."
    );

    // Dana (Latvian), the organisation's administrator: the application.
    let dana = s.inbox("dana", "").await;
    assert_eq!(seen_as(&dana).len(), 1);
    assert_eq!(
        dana.notifications[0].title,
        "Cris pieteicās komandai Mobility."
    );
    // Asked in another language, the same notification in it.
    let dana_en = s.inbox("dana", "en-GB").await;
    assert_eq!(
        dana_en.notifications[0].title,
        "Cris applied to join the team Mobility."
    );

    // The same events published again (a relay that crashed before
    // noting them sent): the bus and the consumer's inbox drop them.
    let db = &s.server.env.db;
    let before = count(db, "SELECT COUNT(*) AS n FROM notifications").await;
    assert_eq!(before, 6 + 4 + 5 + 1);
    let txn = db.begin().await.expect("begin");
    s.outbox.append(&txn, &events).await.expect("append");
    txn.commit().await.expect("commit");
    let pipeline = s
        .server
        .env
        .start_pipeline(&s.outbox, "notifications", &s.notifier);
    wait_until(
        "the relay to send them again",
        Duration::from_secs(20),
        || async {
            count(db, "SELECT COUNT(*) AS n FROM interlink_outbox").await == 0
                && s.server.env.consumer_idle("notifications").await
        },
    )
    .await;
    pipeline.stop().await;
    assert_eq!(
        count(db, "SELECT COUNT(*) AS n FROM notifications").await,
        before
    );
    // Handled twice all the same (past the consumer's inbox), an event
    // tells each person once.
    let story = events.last().expect("story");
    let txn = db.begin().await.expect("begin");
    s.notifier.handle(&txn, story).await.expect("handled");
    txn.commit().await.expect("commit");
    assert_eq!(
        count(db, "SELECT COUNT(*) AS n FROM notifications").await,
        before
    );
    s.server.stop().await;
}

async fn each_person_reads_and_marks_only_their_own(backend: Backend) {
    let s = start(backend).await;
    s.publish(&history(&s)).await;
    let mut client = s.client();
    let ben = s.server.token("ben", false);
    let ana = s.server.token("ana", false);

    // Pages, newest first, with a token to the next.
    let first = client
        .list_notifications(with_token(
            pb::ListNotificationsRequest {
                page_size: 4,
                ..Default::default()
            },
            &ben,
        ))
        .await
        .expect("first page")
        .into_inner();
    assert_eq!(first.notifications.len(), 4);
    assert!(!first.next_page_token.is_empty());
    let second = client
        .list_notifications(with_token(
            pb::ListNotificationsRequest {
                page_size: 4,
                page_token: first.next_page_token.clone(),
                ..Default::default()
            },
            &ben,
        ))
        .await
        .expect("second page")
        .into_inner();
    assert_eq!(second.notifications.len(), 2);
    assert!(second.next_page_token.is_empty());
    let all: Vec<_> = first
        .notifications
        .iter()
        .chain(&second.notifications)
        .collect();
    assert_eq!(
        all.iter().map(|n| n.kind).collect::<Vec<_>>(),
        seen_as(&s.inbox("ben", "").await)
            .iter()
            .rev()
            .map(|(k, ..)| *k as i32)
            .collect::<Vec<_>>()
    );

    // Marking one seen.
    let newest = all[0].name.clone();
    let marked = client
        .mark_notification_seen(with_token(
            pb::MarkNotificationSeenRequest {
                name: all[1].name.clone(),
            },
            &ben,
        ))
        .await
        .expect("marked")
        .into_inner();
    assert!(marked.seen && !marked.archived);
    let count_of = |token: String| {
        let mut client = s.client();
        async move {
            client
                .get_unseen_count(with_token(pb::GetUnseenCountRequest {}, &token))
                .await
                .expect("count")
                .into_inner()
        }
    };
    let unseen = count_of(ben.clone()).await;
    assert_eq!(unseen.unseen_count, 5);
    assert_eq!(unseen.newest, newest);

    // Another's notification is not found for Ana; nothing changes.
    let refused = client
        .mark_notification_seen(with_token(
            pb::MarkNotificationSeenRequest {
                name: all[2].name.clone(),
            },
            &ana,
        ))
        .await
        .expect_err("not hers");
    assert_eq!(refused.code(), Code::NotFound);
    let refused = client
        .archive_notification(with_token(
            pb::ArchiveNotificationRequest {
                name: all[2].name.clone(),
            },
            &ana,
        ))
        .await
        .expect_err("not hers");
    assert_eq!(refused.code(), Code::NotFound);
    assert_eq!(count_of(ben.clone()).await.unseen_count, 5);

    // Bad names and tokens name their field.
    let bad = client
        .mark_notification_seen(with_token(
            pb::MarkNotificationSeenRequest {
                name: "notifications/nope".into(),
            },
            &ben,
        ))
        .await
        .expect_err("bad name");
    assert_eq!(violated_fields(&bad), vec!["name"]);
    let bad = client
        .list_notifications(with_token(
            pb::ListNotificationsRequest {
                page_token: "garbage".into(),
                ..Default::default()
            },
            &ben,
        ))
        .await
        .expect_err("bad token");
    assert_eq!(violated_fields(&bad), vec!["page_token"]);
    let bad = client
        .list_notifications(with_token(
            pb::ListNotificationsRequest {
                language_code: "not a tag!".into(),
                ..Default::default()
            },
            &ben,
        ))
        .await
        .expect_err("bad language");
    assert_eq!(violated_fields(&bad), vec!["language_code"]);
    let bad = client
        .mark_all_notifications_seen(with_token(
            pb::MarkAllNotificationsSeenRequest {
                up_to: "teams/x".into(),
            },
            &ben,
        ))
        .await
        .expect_err("bad up_to");
    assert_eq!(violated_fields(&bad), vec!["up_to"]);
    let anonymous = client
        .get_unseen_count(pb::GetUnseenCountRequest {})
        .await
        .expect_err("anonymous");
    assert_eq!(anonymous.code(), Code::Unauthenticated);

    // Mark all up to the third newest: the two newer stay unseen.
    let marked = client
        .mark_all_notifications_seen(with_token(
            pb::MarkAllNotificationsSeenRequest {
                up_to: all[2].name.clone(),
            },
            &ben,
        ))
        .await
        .expect("mark all")
        .into_inner();
    // all[1] was seen already; all[2..] are four.
    assert_eq!(marked.marked, 4);
    assert_eq!(count_of(ben.clone()).await.unseen_count, 1);
    let unseen_only = client
        .list_notifications(with_token(
            pb::ListNotificationsRequest {
                unseen_only: true,
                ..Default::default()
            },
            &ben,
        ))
        .await
        .expect("unseen")
        .into_inner();
    assert_eq!(
        unseen_only
            .notifications
            .iter()
            .map(|n| n.name.clone())
            .collect::<Vec<_>>(),
        vec![newest.clone()]
    );

    // Archiving takes it out of the inbox, into the archive, seen.
    let archived = client
        .archive_notification(with_token(
            pb::ArchiveNotificationRequest {
                name: newest.clone(),
            },
            &ben,
        ))
        .await
        .expect("archived")
        .into_inner();
    assert!(archived.archived && archived.seen);
    assert_eq!(count_of(ben.clone()).await.unseen_count, 0);
    assert_eq!(s.inbox("ben", "").await.notifications.len(), 5);
    let archive = client
        .list_notifications(with_token(
            pb::ListNotificationsRequest {
                archived: true,
                ..Default::default()
            },
            &ben,
        ))
        .await
        .expect("archive")
        .into_inner();
    assert_eq!(archive.notifications.len(), 1);
    assert_eq!(archive.notifications[0].name, newest);
    // Ana's own are untouched.
    assert_eq!(count_of(ana).await.unseen_count, 4);
    s.server.stop().await;
}

async fn an_erased_person_is_forgotten(backend: Backend) {
    let s = start(backend).await;
    s.publish(&history(&s)).await;
    // What she may take away first: her notifications and preferences.
    let ana_token = s.server.token("ana", false);
    let mut client = s.client();
    client
        .update_notification_preferences(with_token(
            pb::UpdateNotificationPreferencesRequest {
                kinds: vec![pb::KindPreference {
                    kind: K::StoryPublished as i32,
                    email: pb::EmailDelivery::Never as i32,
                    default: false,
                }],
            },
            &ana_token,
        ))
        .await
        .expect("preference");
    let export = client
        .export_my_notification_data(with_token(
            pb::ExportMyNotificationDataRequest {},
            &ana_token,
        ))
        .await
        .expect("export")
        .into_inner();
    assert_eq!(export.notifications.len(), 4);
    assert_eq!(
        export.notifications[0].title,
        "El proceso Bike lanes ha terminado."
    );
    let preferences = export.preferences.expect("preferences");
    assert_eq!(preferences.email_address, "ana@example.org");
    assert_eq!(preferences.kinds.len(), 13);
    assert!(
        preferences
            .kinds
            .iter()
            .any(|k| k.kind == K::StoryPublished as i32
                && k.email == pb::EmailDelivery::Never as i32
                && !k.default)
    );
    s.publish(&[s.event(
        "community.user.erased",
        "ana",
        &community::UserErased {
            user: user_name("ana"),
            subject: "ana".into(),
        },
    )])
    .await;
    let db = &s.server.env.db;
    let ana = user_id("ana");
    for (table, column) in [
        ("notifications", "user_id"),
        ("notifications", "actor_id"),
        ("n_users", "user_id"),
        ("n_members", "user_id"),
        ("preferences", "user_id"),
    ] {
        assert_eq!(
            count(
                db,
                &format!("SELECT COUNT(*) AS n FROM {table} WHERE {column} = '{ana}'")
            )
            .await,
            0,
            "{table}.{column}"
        );
    }
    // What she did is still told, by no one's name.
    let ben = s.inbox("ben", "").await;
    assert_eq!(
        seen_as(&ben)[0].1,
        "Someone added you to the team Mobility."
    );
    s.server.stop().await;
}

async fn the_bell_streams_what_comes_and_resumes_without_gap(backend: Backend) {
    let s = start(backend).await;
    s.publish(&[
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
        s.event("community.team.created", "ana", &team_created()),
    ])
    .await;
    let ben = s.server.token("ben", false);
    let mut client = s.client();
    let mut stream = client
        .stream_notifications(with_token(pb::StreamNotificationsRequest::default(), &ben))
        .await
        .expect("stream")
        .into_inner();
    // At once: the count.
    let first = next(&mut stream).await;
    assert_eq!(
        (first.unseen_count, first.notification.is_none()),
        (0, true)
    );

    // Ana adds Ben: it comes while the stream is open.
    s.publish(&[s.event("community.team.member_added", "ana", &member("ben", false))])
        .await;
    let added = next(&mut stream).await;
    let notification = added.notification.expect("the notification");
    assert_eq!(notification.title, "Ana added you to the team Mobility.");
    assert_eq!(added.unseen_count, 1);
    assert!(added.cursor > 0);

    // Seen elsewhere: the count follows.
    client
        .mark_notification_seen(with_token(
            pb::MarkNotificationSeenRequest {
                name: notification.name.clone(),
            },
            &ben,
        ))
        .await
        .expect("seen");
    let seen = next(&mut stream).await;
    assert_eq!((seen.unseen_count, seen.notification.is_none()), (0, true));
    assert_eq!(seen.cursor, added.cursor);
    drop(stream);

    // Away, two more come; resuming from the last cursor brings both, in
    // order, and nothing before them.
    s.publish(&[
        s.event(
            "community.team.member_removed",
            "ana",
            &community::TeamMemberRemoved {
                team: format!("teams/{TEAM}"),
                user: user_name("ben"),
                subject: "ben".into(),
                organization: format!("organizations/{ORG}"),
                team_type: 0,
            },
        ),
        s.event("community.team.member_added", "ana", &member("ben", false)),
    ])
    .await;
    let mut resumed = client
        .stream_notifications(with_token(
            pb::StreamNotificationsRequest {
                after: added.cursor,
                language_code: "es".into(),
            },
            &ben,
        ))
        .await
        .expect("resumed")
        .into_inner();
    let removed = next(&mut resumed).await;
    let again = next(&mut resumed).await;
    assert_eq!(
        removed.notification.expect("removed").title,
        "Ana te ha quitado del equipo Movilidad."
    );
    assert_eq!(
        again.notification.expect("added again").kind,
        K::TeamMemberAdded as i32
    );
    assert!(again.cursor > removed.cursor && removed.cursor > added.cursor);
    assert_eq!(again.unseen_count, 2);
    // A cursor past every notification: nothing until a new one comes.
    let mut ahead = client
        .stream_notifications(with_token(
            pb::StreamNotificationsRequest {
                after: u64::MAX,
                ..Default::default()
            },
            &ben,
        ))
        .await
        .expect("ahead")
        .into_inner();
    let count_only = next(&mut ahead).await;
    assert!(count_only.notification.is_none());
    assert_eq!(count_only.unseen_count, 2);
    s.server.stop().await;
}

/// The next event of a stream, within 10 s.
async fn next(stream: &mut tonic::Streaming<pb::NotificationEvent>) -> pb::NotificationEvent {
    tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("an event in time")
        .expect("a readable event")
        .expect("the stream open")
}

async fn a_contribution_asked_reaches_the_people_and_teams_asked(backend: Backend) {
    let s = start(backend).await;
    // People, the organisation, the team (Ana, Ben) and the process.
    let mut events: Vec<Event> = history(&s)[..10].to_vec();
    events.push(s.event(
        "coproduction.contribution.requested",
        "ana",
        &coproduction::ContributionRequested {
            request: Some(coproduction::ContributionRequest {
                name: format!("processes/{PROCESS}/contributionRequests/r1"),
                target: format!("tasks/{T1}"),
                users: vec![user_name("dana")],
                teams: vec![format!("teams/{TEAM}")],
                message: "Please count the bikes".into(),
                requester: user_name("ana"),
                ..Default::default()
            }),
            task: format!("tasks/{T1}"),
        },
    ));
    s.publish(&events).await;
    let asked = |inbox: &pb::ListNotificationsResponse| -> Vec<(String, String)> {
        inbox
            .notifications
            .iter()
            .filter(|n| n.kind == K::ContributionRequested as i32)
            .map(|n| (n.title.clone(), n.link.clone()))
            .collect()
    };
    let link = format!("/processes/{PROCESS}/guide/tasks/{T1}");
    assert_eq!(
        asked(&s.inbox("ben", "").await),
        [(
            "Ana asked you to contribute to “Survey” in Bike lanes: “Please count the bikes”"
                .to_owned(),
            link.clone()
        )]
    );
    assert_eq!(
        asked(&s.inbox("dana", "").await),
        [(
            "Ana lūdza jūs sniegt ieguldījumu “Survey” procesā Bike lanes: “Please count the bikes”"
                .to_owned(),
            link
        )]
    );
    assert!(asked(&s.inbox("ana", "").await).is_empty(), "not who asked");
    assert!(
        asked(&s.inbox("cris", "").await).is_empty(),
        "not in the team yet"
    );
}

async fn a_process_feed_tells_its_participants_what_happened(backend: Backend) {
    let s = start(backend).await;
    s.publish(&history(&s)).await;
    let mut client = s.client();
    let feed = |subject: &str, page_size: i32, page_token: &str, language: &str| {
        let mut client = s.client();
        let request = with_token(
            pb::ListProcessFeedRequest {
                process: format!("processes/{PROCESS}"),
                page_size,
                page_token: page_token.into(),
                language_code: language.into(),
            },
            &s.server.token(subject, false),
        );
        async move {
            client
                .list_process_feed(request)
                .await
                .map(|r| r.into_inner())
        }
    };
    let told = feed("ben", 100, "", "").await.expect("Ben takes part");
    let mut lines: Vec<(String, String)> = told
        .entries
        .iter()
        .map(|e| (e.kind.clone(), e.title.clone()))
        .collect();
    lines.reverse();
    let expected = [
        ("team_granted", "The team Mobility was given “Build”."),
        (
            "task_startable",
            "“Draw lanes” can start: what it waits for is finished.",
        ),
        ("task_status", "Ana finished “Survey”."),
        ("claim_submitted", "Ben claimed work on “Draw lanes”."),
        ("claim_decided", "A claim of work was approved."),
        ("process_finished", "The process is finished."),
        ("task_status", "Ben finished “Draw lanes”."),
        ("story_published", "A story was published: “Lanes for all”."),
    ];
    assert_eq!(
        lines,
        expected
            .iter()
            .map(|(k, t)| ((*k).to_owned(), (*t).to_owned()))
            .collect::<Vec<_>>()
    );
    assert_eq!(told.cursor, told.entries[0].cursor, "the newest entry's");
    assert_eq!(told.entries[0].link, format!("/stories/{STORY}"));
    assert_eq!(told.entries[1].actor, user_name("ben"));
    // In the reader's language (Ana reads Spanish), and paged.
    let first = feed("ana", 3, "", "").await.expect("Ana administers it");
    assert_eq!(first.entries.len(), 3);
    assert_eq!(
        first.entries[0].title,
        "Se publicó una historia: «Lanes for all»."
    );
    let rest = feed("ana", 100, &first.next_page_token, "en")
        .await
        .expect("the next page");
    assert_eq!(rest.entries.len(), 5);
    assert_eq!(
        rest.entries[4].title,
        "The team Mobility was given “Build”."
    );
    // Dana administers the organisation; others do not learn it exists.
    feed("dana", 1, "", "")
        .await
        .expect("an organisation administrator");
    for (subject, process) in [
        ("zed", PROCESS),
        ("ana", "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2aff"),
    ] {
        let status = client
            .list_process_feed(with_token(
                pb::ListProcessFeedRequest {
                    process: format!("processes/{process}"),
                    ..Default::default()
                },
                &s.server.token(subject, false),
            ))
            .await
            .expect_err("not found");
        assert_eq!(status.code(), Code::NotFound, "{subject}");
    }
    let status = client
        .list_process_feed(with_token(
            pb::ListProcessFeedRequest {
                process: "processes/nope".into(),
                ..Default::default()
            },
            &s.server.token("ana", false),
        ))
        .await
        .expect_err("invalid");
    assert_eq!(violated_fields(&status), ["process"]);

    // Live: first where the feed is, then what comes.
    let stream_from = |after: u64| {
        let mut client = s.client();
        let request = with_token(
            pb::StreamProcessFeedRequest {
                process: format!("processes/{PROCESS}"),
                after,
                language_code: "en".into(),
            },
            &s.server.token("ben", false),
        );
        async move {
            client
                .stream_process_feed(request)
                .await
                .expect("stream")
                .into_inner()
        }
    };
    let mut stream = stream_from(0).await;
    let start = next_entry(&mut stream).await;
    assert_eq!((start.cursor, start.kind.as_str()), (told.cursor, ""));
    let reopened = s.event(
        "coproduction.task.status_changed",
        "ana",
        &status_changed(
            T2,
            coproduction::Status::InProgress,
            (O2, coproduction::Status::InProgress),
            (P2, coproduction::Status::InProgress),
            coproduction::Status::InProgress,
        ),
    );
    s.publish(&[reopened]).await;
    let live = next_entry(&mut stream).await;
    assert_eq!(live.title, "Ana started “Draw lanes”.");
    assert!(live.cursor > told.cursor);
    drop(stream);
    // Resuming after the third entry (oldest first) brings the six after
    // it, in order.
    let mut resumed = stream_from(told.entries[5].cursor).await;
    let first = next_entry(&mut resumed).await;
    assert_eq!(first.kind, "", "where it resumes");
    let mut titles = Vec::new();
    for _ in 0..6 {
        titles.push(next_entry(&mut resumed).await.title);
    }
    assert_eq!(titles[0], "Ben claimed work on “Draw lanes”.");
    assert_eq!(titles[5], "Ana started “Draw lanes”.");
}

async fn next_entry(stream: &mut tonic::Streaming<pb::FeedEntry>) -> pb::FeedEntry {
    tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("an entry in time")
        .expect("a readable entry")
        .expect("the stream open")
}

on_both_backends!(
    the_bell_streams_what_comes_and_resumes_without_gap,
    the_people_concerned_hear_once_in_their_language,
    each_person_reads_and_marks_only_their_own,
    an_erased_person_is_forgotten,
    a_contribution_asked_reaches_the_people_and_teams_asked,
    a_process_feed_tells_its_participants_what_happened,
);
