//! The gRPC adapter: each signed-in person reads and marks their own
//! notifications.

use interlink_proto::notifications::v1 as pb;
use interlink_proto::notifications::v1::notification_service_server::NotificationService;
use interlink_runtime::api::{
    is_canonical_uuid, page_cursor, page_size, parse_name, take_page, timestamp,
};
use interlink_runtime::auth::{Identity, identity};
use interlink_runtime::db::begin_write;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::Notify;
use tonic::{Request, Response, Status};

use crate::delivery::{self, Delivery, Scope};
use crate::error::{Error, Result};
use crate::feed;
use crate::rules::Kind;
use crate::store::{self, Row};
use crate::texts::{self, Lang};

/// The notifications service.
#[derive(Debug, Clone)]
pub struct NotificationsApi {
    db: DatabaseConnection,
    mail: bool,
    news: Arc<Notify>,
}

/// How often an open stream looks for changes when nothing wakes it (a
/// notification kept by another replica, one marked seen there).
pub const STREAM_POLL: Duration = Duration::from_secs(1);

/// Notifications read per query of a stream.
const STREAM_BATCH: u64 = 50;

type NotificationStream = std::pin::Pin<
    Box<dyn futures::Stream<Item = std::result::Result<pb::NotificationEvent, Status>> + Send>,
>;

type FeedStream = std::pin::Pin<
    Box<dyn futures::Stream<Item = std::result::Result<pb::FeedEntry, Status>> + Send>,
>;

impl NotificationsApi {
    /// The service over `db` (telling that no e-mail is sent).
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            db,
            mail: false,
            news: Arc::new(Notify::new()),
        }
    }

    /// Wakes the open streams through `news` (the notifier's, woken after
    /// each commit of new notifications).
    pub fn with_news(mut self, news: Arc<Notify>) -> Self {
        self.news = news;
        self
    }

    /// Whether the deployment sends e-mail (the preferences say so).
    pub fn with_mail(mut self, enabled: bool) -> Self {
        self.mail = enabled;
        self
    }

    /// `user`'s preferences as the API tells them.
    async fn preferences(&self, user: &str) -> Result<pb::NotificationPreferences> {
        let chosen = store::preferences(&self.db, user).await?;
        let address = store::address(&self.db, user)
            .await?
            .map(|(address, ..)| address)
            .unwrap_or_default();
        Ok(pb::NotificationPreferences {
            kinds: Kind::ALL
                .into_iter()
                .map(|kind| {
                    let own = chosen
                        .get(kind.code())
                        .and_then(|code| Delivery::from_code(code));
                    pb::KindPreference {
                        kind: kind.number(),
                        email: own.unwrap_or_else(|| Delivery::default_for(kind)).number(),
                        default: own.is_none(),
                    }
                })
                .collect(),
            email_address: address,
            email_enabled: self.mail,
        })
    }
}

/// A stream of what `look` finds, asked again whenever a commit of the
/// notifier wakes `news` (or every [`STREAM_POLL`], for other replicas'),
/// and at once while it finds something. `look` carries the stream's
/// state (its cursor) from one look to the next.
fn watched<S, T, F, Fut>(
    news: Arc<Notify>,
    state: S,
    look: F,
) -> std::pin::Pin<Box<dyn futures::Stream<Item = std::result::Result<T, Status>> + Send>>
where
    S: Send + 'static,
    T: Send + 'static,
    F: Fn(S) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = (S, std::result::Result<Vec<T>, Status>)> + Send,
{
    let start = (state, std::collections::VecDeque::new(), news, look);
    Box::pin(futures::stream::unfold(
        start,
        |(mut state, mut buffer, news, look)| async move {
            loop {
                if let Some(next) = buffer.pop_front() {
                    return Some((Ok(next), (state, buffer, news, look)));
                }
                // Interest first, so a commit between the look and the
                // wait is not missed.
                let interest = Arc::clone(&news);
                let woken = interest.notified();
                tokio::pin!(woken);
                woken.as_mut().enable();
                let (next_state, found) = look(state).await;
                state = next_state;
                match found {
                    Ok(items) if !items.is_empty() => {
                        buffer.extend(items);
                        continue;
                    }
                    Ok(_) => {}
                    Err(status) => return Some((Err(status), (state, buffer, news, look))),
                }
                tokio::select! {
                    _ = &mut woken => {}
                    _ = tokio::time::sleep(STREAM_POLL) => {}
                }
            }
        },
    ))
}

impl NotificationsApi {
    /// The caller's user id, if they may read `process`'s feed (`name` as
    /// asked); else not found, as for an unknown process.
    async fn participant(&self, caller: &Identity, name: &str, process: &str) -> Result<String> {
        let user = recipient(caller);
        if caller.platform_admin {
            return Ok(user);
        }
        match feed::takes_part(&self.db, process, &user).await? {
            Some(true) => Ok(user),
            _ => Err(Error::NotFound(name.to_owned())),
        }
    }
}

/// A feed line as the API tells it.
fn feed_entry(lang: Lang, row: &Row, names: &store::Names) -> pb::FeedEntry {
    pb::FeedEntry {
        cursor: row.seq.max(0) as u64,
        kind: row.kind.trim_start_matches("feed-").to_owned(),
        title: texts::title(lang, row, names),
        link: row.link.clone(),
        target: row.target.clone(),
        actor: if row.actor.is_empty() {
            String::new()
        } else {
            format!("users/{}", row.actor)
        },
        create_time: Some(timestamp(row.created_at)),
        event_id: row.event_id.clone(),
    }
}

fn caller<T>(request: &Request<T>) -> Result<&Identity> {
    identity(request).ok_or(Error::Unauthenticated)
}

/// The user id of the caller: notifications are kept by user id.
fn recipient(caller: &Identity) -> String {
    interlink_runtime::api::user_id(&caller.subject)
}

/// The id of `notifications/{id}` in `field`.
fn notification_id<'a>(field: &str, name: &'a str) -> Result<&'a str> {
    match name.strip_prefix("notifications/") {
        Some(id) if is_canonical_uuid(id) => Ok(id),
        _ => Err(Error::invalid(field, "must be `notifications/{id}`")),
    }
}

/// The language of the texts: the one asked for, else the reader's, else
/// English.
async fn language(db: &DatabaseConnection, asked: &str, user: &str) -> Result<Lang> {
    if !asked.is_empty() {
        if interlink_runtime::text::is_language_tag(asked) {
            return Ok(Lang::from_tag(asked).unwrap_or(Lang::En));
        }
        return Err(Error::invalid(
            "language_code",
            "must be a BCP 47 language tag such as `en` or `es`",
        ));
    }
    Ok(store::locale(db, user)
        .await?
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En))
}

fn to_proto(lang: Lang, row: &Row, names: &store::Names) -> pb::Notification {
    pb::Notification {
        name: format!("notifications/{}", row.id),
        kind: Kind::from_code(&row.kind).map_or(0, Kind::number),
        title: texts::title(lang, row, names),
        link: row.link.clone(),
        target: row.target.clone(),
        process: if row.process.is_empty() {
            String::new()
        } else {
            format!("processes/{}", row.process)
        },
        actor: if row.actor.is_empty() {
            String::new()
        } else {
            format!("users/{}", row.actor)
        },
        create_time: Some(timestamp(row.created_at)),
        seen: row.seen,
        archived: row.archived,
        event_id: row.event_id.clone(),
    }
}

impl NotificationsApi {
    async fn one(&self, user: &str, id: &str, lang: Lang) -> Result<pb::Notification> {
        let row = store::get(&self.db, user, id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("notifications/{id}")))?;
        let names = store::names(&self.db, std::slice::from_ref(&row)).await?;
        Ok(to_proto(lang, &row, &names))
    }

    async fn mark(&self, user: &str, name: &str, archive: bool) -> Result<pb::Notification> {
        let id = notification_id("name", name)?;
        let txn = begin_write(&self.db).await?;
        let changed = store::mark(&txn, user, id, archive).await?;
        txn.commit().await?;
        self.news.notify_waiters();
        if changed == 0 {
            return Err(Error::NotFound(name.to_owned()));
        }
        let lang = language(&self.db, "", user).await?;
        self.one(user, id, lang).await
    }
}

#[tonic::async_trait]
impl NotificationService for NotificationsApi {
    async fn list_notifications(
        &self,
        request: Request<pb::ListNotificationsRequest>,
    ) -> std::result::Result<Response<pb::ListNotificationsResponse>, Status> {
        let user = recipient(caller(&request)?);
        let r = request.get_ref();
        let limit = page_size(r.page_size, 20, 100).map_err(Error::from)?;
        let before = page_cursor(&r.page_token, |c| c.parse::<i64>().ok().filter(|s| *s > 0))
            .map_err(Error::from)?;
        let lang = language(&self.db, &r.language_code, &user).await?;
        let mut rows = store::list(
            &self.db,
            &user,
            r.archived,
            r.unseen_only,
            before,
            limit + 1,
        )
        .await
        .map_err(Error::from)?;
        let next_page_token = take_page(&mut rows, limit, |row| row.seq.to_string());
        let names = store::names(&self.db, &rows).await.map_err(Error::from)?;
        let (unseen_count, _) = store::unseen(&self.db, &user).await.map_err(Error::from)?;
        Ok(Response::new(pb::ListNotificationsResponse {
            notifications: rows.iter().map(|r| to_proto(lang, r, &names)).collect(),
            next_page_token,
            unseen_count,
        }))
    }

    type StreamNotificationsStream = NotificationStream;

    async fn stream_notifications(
        &self,
        request: Request<pb::StreamNotificationsRequest>,
    ) -> std::result::Result<Response<NotificationStream>, Status> {
        let user = recipient(caller(&request)?);
        let r = request.into_inner();
        let lang = language(&self.db, &r.language_code, &user).await?;
        // Seqs are positive i64s: a cursor past them tells nothing yet.
        let cursor = if r.after > 0 {
            i64::try_from(r.after).unwrap_or(i64::MAX)
        } else {
            store::newest_seq(&self.db, &user)
                .await
                .map_err(Error::from)?
        };
        struct Watch {
            db: DatabaseConnection,
            user: String,
            lang: Lang,
            cursor: i64,
            told: Option<i64>,
        }
        let watch = Watch {
            db: self.db.clone(),
            user,
            lang,
            cursor,
            told: None,
        };
        let stream = watched(self.news.clone(), watch, |mut w: Watch| async move {
            let looked = async {
                let rows = store::after(&w.db, &w.user, w.cursor, STREAM_BATCH).await?;
                let names = store::names(&w.db, &rows).await?;
                let (count, _) = store::unseen(&w.db, &w.user).await?;
                Ok::<_, sea_orm::DbErr>((rows, names, count))
            }
            .await;
            let (rows, names, count) = match looked {
                Ok(looked) => looked,
                Err(e) => return (w, Err(Status::from(Error::Store(e)))),
            };
            let mut events = Vec::new();
            for row in &rows {
                w.cursor = row.seq;
                events.push(pb::NotificationEvent {
                    cursor: row.seq.max(0) as u64,
                    notification: Some(to_proto(w.lang, row, &names)),
                    unseen_count: count,
                });
            }
            if rows.is_empty() && w.told != Some(count) {
                events.push(pb::NotificationEvent {
                    cursor: w.cursor.max(0) as u64,
                    notification: None,
                    unseen_count: count,
                });
            }
            if !events.is_empty() {
                w.told = Some(count);
            }
            (w, Ok(events))
        });
        Ok(Response::new(stream))
    }

    async fn list_process_feed(
        &self,
        request: Request<pb::ListProcessFeedRequest>,
    ) -> std::result::Result<Response<pb::ListProcessFeedResponse>, Status> {
        let caller = caller(&request)?.clone();
        let r = request.get_ref();
        let mut violations = Vec::new();
        let process = parse_name("process", "processes", &r.process)
            .map_err(|v| violations.push(v))
            .ok();
        let limit = page_size(r.page_size, 20, 100).unwrap_or_else(|v| {
            violations.push(v);
            20
        });
        let before = page_cursor(&r.page_token, |c| c.parse::<i64>().ok().filter(|s| *s > 0))
            .unwrap_or_else(|v| {
                violations.push(v);
                None
            });
        Error::check(violations)?;
        let process = process.unwrap_or_default();
        let user = self.participant(&caller, &r.process, process).await?;
        let lang = language(&self.db, &r.language_code, &user).await?;
        let mut rows = feed::page(&self.db, process, before, limit + 1)
            .await
            .map_err(Error::from)?;
        let next_page_token = take_page(&mut rows, limit, |row| row.seq.to_string());
        let names = store::names(&self.db, &rows).await.map_err(Error::from)?;
        let cursor = feed::newest(&self.db, process).await.map_err(Error::from)?;
        Ok(Response::new(pb::ListProcessFeedResponse {
            entries: rows
                .iter()
                .map(|row| feed_entry(lang, row, &names))
                .collect(),
            next_page_token,
            cursor: cursor.max(0) as u64,
        }))
    }

    type StreamProcessFeedStream = FeedStream;

    async fn stream_process_feed(
        &self,
        request: Request<pb::StreamProcessFeedRequest>,
    ) -> std::result::Result<Response<FeedStream>, Status> {
        let caller = caller(&request)?.clone();
        let r = request.into_inner();
        let process = parse_name("process", "processes", &r.process)
            .map_err(Error::from)?
            .to_owned();
        let user = self.participant(&caller, &r.process, &process).await?;
        let lang = language(&self.db, &r.language_code, &user).await?;
        let cursor = if r.after > 0 {
            i64::try_from(r.after).unwrap_or(i64::MAX)
        } else {
            feed::newest(&self.db, &process)
                .await
                .map_err(Error::from)?
        };
        struct Watch {
            db: DatabaseConnection,
            process: String,
            lang: Lang,
            cursor: i64,
            started: bool,
        }
        let watch = Watch {
            db: self.db.clone(),
            process,
            lang,
            cursor,
            started: false,
        };
        let stream = watched(self.news.clone(), watch, |mut w: Watch| async move {
            let looked = async {
                let rows = feed::after(&w.db, &w.process, w.cursor, STREAM_BATCH).await?;
                let names = store::names(&w.db, &rows).await?;
                Ok::<_, sea_orm::DbErr>((rows, names))
            }
            .await;
            let (rows, names) = match looked {
                Ok(looked) => looked,
                Err(e) => return (w, Err(Status::from(Error::Store(e)))),
            };
            let mut entries = Vec::new();
            if !w.started {
                w.started = true;
                entries.push(pb::FeedEntry {
                    cursor: w.cursor.max(0) as u64,
                    ..Default::default()
                });
            }
            for row in &rows {
                w.cursor = row.seq;
                entries.push(feed_entry(w.lang, row, &names));
            }
            (w, Ok(entries))
        });
        Ok(Response::new(stream))
    }

    async fn get_unseen_count(
        &self,
        request: Request<pb::GetUnseenCountRequest>,
    ) -> std::result::Result<Response<pb::UnseenCount>, Status> {
        let user = recipient(caller(&request)?);
        let (unseen_count, newest) = store::unseen(&self.db, &user).await.map_err(Error::from)?;
        Ok(Response::new(pb::UnseenCount {
            unseen_count,
            newest: if newest.is_empty() {
                newest
            } else {
                format!("notifications/{newest}")
            },
        }))
    }

    async fn mark_notification_seen(
        &self,
        request: Request<pb::MarkNotificationSeenRequest>,
    ) -> std::result::Result<Response<pb::Notification>, Status> {
        let user = recipient(caller(&request)?);
        Ok(Response::new(
            self.mark(&user, &request.get_ref().name, false).await?,
        ))
    }

    async fn mark_all_notifications_seen(
        &self,
        request: Request<pb::MarkAllNotificationsSeenRequest>,
    ) -> std::result::Result<Response<pb::MarkAllNotificationsSeenResponse>, Status> {
        let user = recipient(caller(&request)?);
        let up_to = &request.get_ref().up_to;
        let up_to = if up_to.is_empty() {
            i64::MAX
        } else {
            let id = notification_id("up_to", up_to)?;
            store::get(&self.db, &user, id)
                .await
                .map_err(Error::from)?
                .ok_or_else(|| Error::NotFound(up_to.clone()))?
                .seq
        };
        let txn = begin_write(&self.db).await.map_err(Error::from)?;
        let marked = store::mark_all(&txn, &user, up_to)
            .await
            .map_err(Error::from)?;
        txn.commit().await.map_err(Error::from)?;
        self.news.notify_waiters();
        Ok(Response::new(pb::MarkAllNotificationsSeenResponse {
            marked: marked as i64,
        }))
    }

    async fn get_notification_preferences(
        &self,
        request: Request<pb::GetNotificationPreferencesRequest>,
    ) -> std::result::Result<Response<pb::NotificationPreferences>, Status> {
        let user = recipient(caller(&request)?);
        Ok(Response::new(self.preferences(&user).await?))
    }

    async fn update_notification_preferences(
        &self,
        request: Request<pb::UpdateNotificationPreferencesRequest>,
    ) -> std::result::Result<Response<pb::NotificationPreferences>, Status> {
        let user = recipient(caller(&request)?);
        let kinds = &request.get_ref().kinds;
        if kinds.len() > 50 {
            return Err(Error::invalid("kinds", "has more than 50 entries").into());
        }
        let mut changes = Vec::new();
        let mut violations = Vec::new();
        for (i, preference) in kinds.iter().enumerate() {
            let kind = Kind::ALL
                .into_iter()
                .find(|k| k.number() == preference.kind);
            let delivery = Delivery::from_number(preference.email);
            if kind.is_none() {
                violations.push(interlink_runtime::validation::Violation::new(
                    format!("kinds[{i}].kind"),
                    "must be a notification kind",
                ));
            }
            if delivery.is_none() {
                violations.push(interlink_runtime::validation::Violation::new(
                    format!("kinds[{i}].email"),
                    "must be EMAIL_DELIVERY_IMMEDIATE, _DAILY or _NEVER",
                ));
            }
            if let (Some(kind), Some(delivery)) = (kind, delivery) {
                changes.push((kind, delivery));
            }
        }
        Error::check(violations)?;
        let txn = begin_write(&self.db).await.map_err(Error::from)?;
        for (kind, delivery) in changes {
            store::set_preference(&txn, &user, kind, delivery)
                .await
                .map_err(Error::from)?;
        }
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(self.preferences(&user).await?))
    }

    async fn export_my_notification_data(
        &self,
        request: Request<pb::ExportMyNotificationDataRequest>,
    ) -> std::result::Result<Response<pb::MyNotificationData>, Status> {
        let user = recipient(caller(&request)?);
        let rows = store::all_of(&self.db, &user).await.map_err(Error::from)?;
        let names = store::names(&self.db, &rows).await.map_err(Error::from)?;
        let lang = language(&self.db, "", &user).await?;
        Ok(Response::new(pb::MyNotificationData {
            notifications: rows.iter().map(|r| to_proto(lang, r, &names)).collect(),
            preferences: Some(self.preferences(&user).await?),
        }))
    }

    async fn unsubscribe(
        &self,
        request: Request<pb::UnsubscribeRequest>,
    ) -> std::result::Result<Response<pb::UnsubscribeResponse>, Status> {
        let token = &request.get_ref().token;
        if token.is_empty() {
            return Err(Error::invalid("token", "is required").into());
        }
        if token.chars().count() > 300 {
            return Err(Error::invalid("token", "is longer than 300 characters").into());
        }
        let secret = store::secret(&self.db).await.map_err(Error::from)?;
        let (user, scope) = delivery::verify_unsubscribe(&secret, token).ok_or_else(|| {
            Error::TokenRefused("token: not an unsubscribe link this platform sent".into())
        })?;
        let kinds = match scope {
            Scope::Kind(kind) => vec![kind],
            Scope::All => Kind::ALL.to_vec(),
        };
        let txn = begin_write(&self.db).await.map_err(Error::from)?;
        for kind in kinds {
            store::set_preference(&txn, &user, kind, Delivery::Never)
                .await
                .map_err(Error::from)?;
        }
        txn.commit().await.map_err(Error::from)?;
        Ok(Response::new(pb::UnsubscribeResponse {
            kind: match scope {
                Scope::Kind(kind) => kind.number(),
                Scope::All => 0,
            },
        }))
    }

    async fn archive_notification(
        &self,
        request: Request<pb::ArchiveNotificationRequest>,
    ) -> std::result::Result<Response<pb::Notification>, Status> {
        let user = recipient(caller(&request)?);
        Ok(Response::new(
            self.mark(&user, &request.get_ref().name, true).await?,
        ))
    }
}
