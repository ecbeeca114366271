//! The gRPC adapter: each signed-in person reads and marks their own
//! notifications.

use interlink_proto::notifications::v1 as pb;
use interlink_proto::notifications::v1::notification_service_server::NotificationService;
use interlink_runtime::api::{is_canonical_uuid, page_cursor, page_size, take_page, timestamp};
use interlink_runtime::auth::{Identity, identity};
use interlink_runtime::db::begin_write;
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

use crate::error::{Error, Result};
use crate::rules::Kind;
use crate::store::{self, Row};
use crate::texts::{self, Lang};

/// The notifications service.
#[derive(Debug, Clone)]
pub struct NotificationsApi {
    db: DatabaseConnection,
}

impl NotificationsApi {
    /// The service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
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
        Ok(Response::new(pb::MarkAllNotificationsSeenResponse {
            marked: marked as i64,
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
