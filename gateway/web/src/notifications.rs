//! The bell and the inbox: each signed-in person's notifications, as the
//! notifications service tells them (in the page's language), marked seen
//! one by one or all at once, archived, and opened (seen, then the page of
//! the thing). Every page of a signed-in person shows the bell with the
//! unseen count, read once per page before it is made.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::notifications::v1 as pb;
use interlink_proto::notifications::v1::notification_service_client::NotificationServiceClient;
use serde::Deserialize;

use crate::organizations::{ButtonPosted, sign_in_first};
use crate::pages::{PageCtx, page, problem, problem_page, web_pages};
use crate::sign_in::{Posted, see_other, signed_in_form};
use crate::{Shared, WebState};

tokio::task_local! {
    /// The signed-in person's unseen count for the page being made, read
    /// by [`bell`] before the handler runs.
    static UNSEEN: i64;
}

/// The unseen count the bell shows on this page, if it was read.
pub(crate) fn unseen_count() -> Option<i64> {
    UNSEEN.try_with(|count| *count).ok()
}

/// How long a page waits for the count before it is made without one.
const COUNT_WAIT: std::time::Duration = std::time::Duration::from_millis(300);

/// The notifications service, when this gateway fronts it.
pub(crate) fn client(state: &WebState) -> Option<NotificationServiceClient<crate::Channel>> {
    state
        .services
        .notifications
        .clone()
        .map(NotificationServiceClient::new)
}

/// Whether a request asks for a stream of events (`EventSource`).
pub(crate) fn wants_events(headers: &HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/event-stream"))
}

/// Reads the unseen count of a signed-in person's page (a `GET`) before
/// the page is made. Without the service, or when it is slow, the page
/// is made with the bell but no count.
pub(crate) async fn bell(
    State(state): State<std::sync::Arc<WebState>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if request.method() != Method::GET || wants_events(request.headers()) {
        return next.run(request).await;
    }
    let (Some(mut client), crate::session::Found::Valid(session)) =
        (client(&state), state.sessions.read(request.headers()))
    else {
        return next.run(request).await;
    };
    let Some(user) = session.user else {
        return next.run(request).await;
    };
    let mut call = tonic::Request::new(pb::GetUnseenCountRequest {});
    if let Ok(value) = format!("Bearer {}", user.token).parse() {
        call.metadata_mut().insert("authorization", value);
    }
    match tokio::time::timeout(COUNT_WAIT, client.get_unseen_count(call)).await {
        Ok(Ok(count)) => {
            UNSEEN
                .scope(count.into_inner().unseen_count, next.run(request))
                .await
        }
        Ok(Err(status)) => {
            tracing::debug!(%status, "no unseen count for the bell");
            next.run(request).await
        }
        Err(_) => {
            tracing::debug!("the unseen count came too late for the bell");
            next.run(request).await
        }
    }
}

/// One notification as the inbox shows it.
pub(crate) struct Row {
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) seen: bool,
    pub(crate) archived: bool,
    pub(crate) iso_date: String,
    pub(crate) date: String,
}

#[derive(Template)]
#[template(path = "notifications.html")]
struct InboxPage {
    ctx: PageCtx,
    csrf: String,
    archived: bool,
    rows: Vec<Row>,
    unseen: i64,
    unseen_text: String,
    /// The newest shown: "mark all seen" stops there.
    newest: String,
    older: Option<String>,
    notice: Option<String>,
}

web_pages!(InboxPage);

#[derive(Debug, Default, Deserialize)]
pub(crate) struct InboxQuery {
    #[serde(default)]
    archived: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    done: String,
}

/// The page when the notifications service is not part of the mesh.
pub(crate) fn unavailable(ctx: PageCtx) -> Response {
    problem_page(
        ctx,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable-title",
        "unavailable-text",
    )
}

/// `GET /notifications` (`?archived=1` for the archive, `?page=` for older
/// ones).
pub(crate) async fn inbox(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<InboxQuery>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "notifications");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    let archived = !query.archived.is_empty();
    let listed = match client
        .list_notifications(ctx.call(pb::ListNotificationsRequest {
            page_size: 20,
            page_token: query.page.clone(),
            archived,
            language_code: ctx.lang.tag().to_owned(),
            ..Default::default()
        }))
        .await
    {
        Ok(listed) => listed.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let rows: Vec<Row> = listed
        .notifications
        .iter()
        .map(|n| {
            let seconds = n.create_time.as_ref().map_or(0, |t| t.seconds);
            Row {
                id: n
                    .name
                    .strip_prefix("notifications/")
                    .unwrap_or_default()
                    .to_owned(),
                title: n.title.clone(),
                seen: n.seen,
                archived: n.archived,
                iso_date: crate::i18n::iso_date(seconds),
                date: ctx.lang.date(seconds),
            }
        })
        .collect();
    let newest = if query.page.is_empty() {
        listed
            .notifications
            .first()
            .map(|n| n.name.clone())
            .unwrap_or_default()
    } else {
        String::new()
    };
    let older = (!listed.next_page_token.is_empty()).then(|| {
        format!(
            "/notifications?{}page={}",
            if archived { "archived=1&" } else { "" },
            crate::pages::form_urlencoded_component(&listed.next_page_token)
        )
    });
    let notice = match query.done.as_str() {
        "all-seen" => Some(ctx.t("notifications-all-seen")),
        "archived" => Some(ctx.t("notifications-archived-done")),
        _ => None,
    };
    let csrf = ctx.csrf(&state);
    let unseen_text = ctx.lang.message(
        "notifications-unseen-count",
        &[(
            "count",
            fluent_bundle::FluentValue::from(listed.unseen_count),
        )],
    );
    page(
        &InboxPage {
            csrf,
            archived,
            rows,
            unseen: listed.unseen_count,
            unseen_text,
            newest,
            older,
            notice,
            ctx,
        },
        StatusCode::OK,
    )
}

/// The name of a notification whose id is in a path, if it is one.
fn checked_id(id: &str) -> Option<String> {
    crate::pages::path_uuid(id).map(|id| format!("notifications/{id}"))
}

/// `GET /notifications/{id}/open`: marks it seen and goes to its page.
pub(crate) async fn open(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "notifications");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    let Some(name) = checked_id(&id) else {
        return problem(ctx, &tonic::Status::not_found("notification"));
    };
    match client
        .mark_notification_seen(ctx.call(pb::MarkNotificationSeenRequest { name }))
        .await
    {
        // Only a path of these pages: never another site.
        Ok(seen) => {
            let link = seen.into_inner().link;
            if link.starts_with('/') && !link.starts_with("//") && !link.contains('\\') {
                see_other(&link, None)
            } else {
                see_other("/notifications", None)
            }
        }
        Err(status) => problem(ctx, &status),
    }
}

/// `POST /notifications/{id}/seen` and `/archive`.
async fn mark(
    state: &WebState,
    headers: &HeaderMap,
    uri: &Uri,
    id: &str,
    form: Result<Form<ButtonPosted>, FormRejection>,
    archive: bool,
) -> Response {
    let ctx = PageCtx::new(state, headers, uri, "notifications");
    let (ctx, _form) = match signed_in_form(state, headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let Some(mut client) = client(state) else {
        return unavailable(ctx);
    };
    let Some(name) = checked_id(id) else {
        return problem(ctx, &tonic::Status::not_found("notification"));
    };
    let done = if archive {
        client
            .archive_notification(ctx.call(pb::ArchiveNotificationRequest { name }))
            .await
    } else {
        client
            .mark_notification_seen(ctx.call(pb::MarkNotificationSeenRequest { name }))
            .await
    };
    match done {
        Ok(_) if archive => see_other("/notifications?done=archived", None),
        Ok(_) => see_other("/notifications", None),
        Err(status) => problem(ctx, &status),
    }
}

/// `POST /notifications/{id}/seen`.
pub(crate) async fn mark_seen(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    mark(&state, &headers, &uri, &id, form, false).await
}

/// `POST /notifications/{id}/archive`.
pub(crate) async fn archive(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    mark(&state, &headers, &uri, &id, form, true).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AllSeenPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    up_to: String,
}

impl Posted for AllSeenPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /notifications/seen`: marks all seen, up to the newest the page
/// showed (one that came meanwhile stays unseen).
pub(crate) async fn mark_all_seen(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<AllSeenPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "notifications");
    let (ctx, form) = match signed_in_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    match client
        .mark_all_notifications_seen(
            ctx.call(pb::MarkAllNotificationsSeenRequest { up_to: form.up_to }),
        )
        .await
    {
        Ok(_) => see_other("/notifications?done=all-seen", None),
        Err(status) => problem(ctx, &status),
    }
}

/// `GET /notifications/stream`: the signed-in person's notifications as
/// server-sent events for the bell's script (`static/bell.js`): a `count`
/// event at once and whenever the unseen count changes, a `notification`
/// event for each new one; each event's id is the service's cursor, so a
/// browser reconnecting with `Last-Event-ID` misses nothing.
pub(crate) async fn stream(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    use axum::response::IntoResponse;
    use axum::response::sse::{Event, KeepAlive, Sse};
    use futures::StreamExt;
    let ctx = PageCtx::new(&state, &headers, &uri, "notifications");
    if ctx.user().is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(mut client) = client(&state) else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let after = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(0);
    let lang = ctx.lang;
    let opened = client
        .stream_notifications(ctx.call(pb::StreamNotificationsRequest {
            after,
            language_code: lang.tag().to_owned(),
        }))
        .await;
    let events = match opened {
        Ok(events) => events.into_inner(),
        Err(status) => {
            tracing::debug!(%status, "no notification stream");
            return match status.code() {
                tonic::Code::Unauthenticated => StatusCode::UNAUTHORIZED,
                tonic::Code::InvalidArgument => StatusCode::BAD_REQUEST,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            }
            .into_response();
        }
    };
    // A failed read ends the stream; the browser reconnects from its
    // last id.
    let events = events
        .take_while(|item| std::future::ready(item.is_ok()))
        .filter_map(move |item| {
            std::future::ready(item.ok().map(|event| {
                let count = event.unseen_count;
                let unseen = lang.message(
                    "bell-unseen",
                    &[("count", fluent_bundle::FluentValue::from(count))],
                );
                let (kind, data) = match &event.notification {
                    Some(n) => (
                        "notification",
                        serde_json::json!({
                            "count": count,
                            "unseen": unseen,
                            "title": n.title,
                            "link": n.link,
                        }),
                    ),
                    None => (
                        "count",
                        serde_json::json!({ "count": count, "unseen": unseen }),
                    ),
                };
                Ok::<_, std::convert::Infallible>(
                    Event::default()
                        .id(event.cursor.to_string())
                        .event(kind)
                        .data(data.to_string()),
                )
            }))
        });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct FeedQuery {
    /// The cursor the page was made at.
    #[serde(default)]
    after: Option<String>,
}

/// `GET /processes/{id}/feed/stream`: a process's feed as server-sent
/// events for its overview's script (`static/feed.js`): `ready` at once,
/// then an `entry` event for each new entry (its date, text and link),
/// from the cursor the page was made at (`?after=`) or, when the browser
/// reconnects, after its `Last-Event-ID`: nothing is missed.
pub(crate) async fn process_feed_stream(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::extract::Query(query): axum::extract::Query<FeedQuery>,
) -> Response {
    use axum::response::IntoResponse;
    use axum::response::sse::{Event, KeepAlive, Sse};
    use futures::StreamExt;
    let ctx = PageCtx::new(&state, &headers, &uri, "processes");
    if ctx.user().is_none() {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let Some(mut client) = client(&state) else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let cursor = |text: Option<&str>| text.and_then(|v| v.trim().parse::<u64>().ok());
    let after = cursor(headers.get("last-event-id").and_then(|v| v.to_str().ok()))
        .or_else(|| cursor(query.after.as_deref()))
        .unwrap_or(0);
    let opened = client
        .stream_process_feed(ctx.call(pb::StreamProcessFeedRequest {
            process: format!("processes/{id}"),
            after,
            language_code: ctx.lang.tag().to_owned(),
        }))
        .await;
    let entries = match opened {
        Ok(entries) => entries.into_inner(),
        Err(status) => {
            tracing::debug!(%status, "no process feed stream");
            return match status.code() {
                tonic::Code::Unauthenticated => StatusCode::UNAUTHORIZED,
                tonic::Code::InvalidArgument => StatusCode::BAD_REQUEST,
                tonic::Code::NotFound => StatusCode::NOT_FOUND,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            }
            .into_response();
        }
    };
    // A failed read ends the stream; the browser reconnects from its
    // last id.
    let events = entries
        .take_while(|item| std::future::ready(item.is_ok()))
        .filter_map(move |item| {
            std::future::ready(item.ok().map(|entry| {
                let event = Event::default().id(entry.cursor.to_string());
                let event = if entry.kind.is_empty() {
                    event.event("ready").data("{}")
                } else {
                    let shown = crate::overview::feed_entry(&ctx, &entry);
                    event.event("entry").data(
                        serde_json::json!({
                            "when": shown.when,
                            "title": shown.what,
                            "link": shown.link,
                        })
                        .to_string(),
                    )
                };
                Ok::<_, std::convert::Infallible>(event)
            }))
        });
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}
