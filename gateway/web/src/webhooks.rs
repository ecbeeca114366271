//! An organisation's webhooks: its endpoints and the form to add one
//! (the signing secret shown once, on the answer to the form), an
//! endpoint's page (change it, enable or disable it, give it a new secret,
//! delete it, and its deliveries, filtered by state and paged), and one
//! delivery with its body and every attempt; deliveries may be sent again.
//! The notifications service (`WebhookService`) decides who may: an
//! organisation's administrators or a platform administrator.

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use fluent_bundle::FluentValue;
use interlink_proto::community::v1 as community;
use interlink_proto::community::v1::community_service_client::CommunityServiceClient;
use interlink_proto::notifications::v1 as pb;
use interlink_proto::notifications::v1::webhook_service_client::WebhookServiceClient;
use serde::Deserialize;

use crate::notifications::unavailable;
use crate::organizations::{
    ButtonPosted, ConfirmPage, not_found_or_problem, organization_href, sign_in_first,
};
use crate::pages::{
    FieldErrors, PageCtx, Shown, display_name, field_errors, form_urlencoded_component, page,
    path_uuid, people, problem, problem_page, resource_href, shown, web_pages,
};
use crate::sign_in::{Posted, see_other, signed_in_form};
use crate::{Lang, Shared, WebState};

/// Deliveries shown per page of an endpoint's page.
const DELIVERIES_PER_PAGE: i32 = 20;

/// The webhooks service: served by the notifications role, over the same
/// channel as the inbox.
pub(crate) fn client(state: &WebState) -> Option<WebhookServiceClient<crate::Channel>> {
    state
        .services
        .notifications
        .clone()
        .map(WebhookServiceClient::new)
}

/// The service's violations of an endpoint, beside the form's inputs.
const WEBHOOK_RULES: [(&str, &str, &str); 3] = [
    ("webhook.url", "url", "webhook-url-invalid"),
    (
        "webhook.description",
        "description",
        "webhook-description-invalid",
    ),
    (
        "webhook.event_types",
        "event-types",
        "webhook-events-invalid",
    ),
];

/// The event groups the pages name, by their first two parts.
const GROUPS: [(&str, &str); 11] = [
    ("community.organization", "webhook-group-organization"),
    ("community.team", "webhook-group-team"),
    (
        "community.team_application",
        "webhook-group-team-application",
    ),
    ("community.invitation", "webhook-group-invitation"),
    ("coproduction.process", "webhook-group-process"),
    ("coproduction.item", "webhook-group-item"),
    ("coproduction.task", "webhook-group-task"),
    ("coproduction.grant", "webhook-group-grant"),
    ("coproduction.asset", "webhook-group-asset"),
    ("coproduction.claim", "webhook-group-claim"),
    ("coproduction.story", "webhook-group-story"),
];

/// The delivery states a list may be filtered by: the query's value, the
/// state, and the message naming it.
const STATES: [(&str, pb::DeliveryState, &str); 3] = [
    (
        "pending",
        pb::DeliveryState::Pending,
        "delivery-state-pending",
    ),
    (
        "delivered",
        pb::DeliveryState::Delivered,
        "delivery-state-delivered",
    ),
    ("failed", pb::DeliveryState::Failed, "delivery-state-failed"),
];

/// What a form posted about one webhook or organisation needs: the
/// checked form in its page context, the webhooks client and the id of the
/// path (a canonical UUID) — or the page that answers instead (sign-in,
/// refused form, no notifications service, not found).
// The `Err` is the response sent at once, so boxing it would gain nothing.
#[allow(clippy::result_large_err)]
fn posted_about<T: Posted>(
    state: &WebState,
    headers: &HeaderMap,
    uri: &Uri,
    id: &str,
    form: Result<Form<T>, FormRejection>,
) -> Result<Posting<T>, Response> {
    let ctx = PageCtx::new(state, headers, uri, "organizations");
    let (ctx, posted) = signed_in_form(state, headers, ctx, form)?;
    let Some(client) = client(state) else {
        return Err(unavailable(ctx));
    };
    let Some(id) = path_uuid(id) else {
        return Err(not_found(ctx));
    };
    Ok(Posting {
        id: id.to_owned(),
        ctx,
        posted,
        client,
    })
}

/// A checked post about one webhook or organisation (see
/// [`posted_about`]).
struct Posting<T> {
    ctx: PageCtx,
    posted: T,
    client: WebhookServiceClient<crate::Channel>,
    /// The id of the path.
    id: String,
}

/// The page for a path that names nothing.
fn not_found(ctx: PageCtx) -> Response {
    problem_page(
        ctx,
        StatusCode::NOT_FOUND,
        "not-found-title",
        "not-found-text",
    )
}

/// `/webhooks/{id}` for `webhooks/{id}`.
pub(crate) fn webhook_href(name: &str) -> String {
    resource_href("/webhooks", name)
}

/// `/webhooks/{id}/deliveries/{event id}` for
/// `webhooks/{id}/deliveries/{event id}`.
fn delivery_href(name: &str) -> String {
    match name
        .strip_prefix("webhooks/")
        .and_then(|rest| rest.split_once("/deliveries/"))
    {
        Some((webhook, event)) => format!(
            "{}{}",
            webhook_href(&format!("webhooks/{webhook}")),
            resource_href("/deliveries", &format!("deliveries/{event}"))
        ),
        None => "/".to_owned(),
    }
}

/// A moment as the pages show it: the day in the page's language and the
/// time (UTC, as the headings say), and the machine-readable value.
pub(crate) struct When {
    pub(crate) datetime: String,
    pub(crate) text: String,
}

/// `timestamp` as a [`When`], if there is one.
pub(crate) fn when(lang: Lang, timestamp: Option<&prost_types::Timestamp>) -> Option<When> {
    let seconds = timestamp?.seconds;
    let (hours, minutes, secs) = (
        seconds.rem_euclid(86_400) / 3_600,
        seconds.rem_euclid(3_600) / 60,
        seconds.rem_euclid(60),
    );
    Some(When {
        datetime: format!(
            "{}T{hours:02}:{minutes:02}:{secs:02}Z",
            crate::i18n::iso_date(seconds)
        ),
        text: format!("{} {hours:02}:{minutes:02}:{secs:02}", lang.date(seconds)),
    })
}

// ------------------------------------------------------- the form's fields

/// One event type's check box.
pub(crate) struct EventChoice {
    pub(crate) id: String,
    pub(crate) value: String,
    pub(crate) checked: bool,
}

/// The event types sharing their first two parts (`community.team`).
pub(crate) struct EventGroup {
    /// The group's name in the page's language, when the pages know it.
    pub(crate) name: Option<String>,
    pub(crate) code: String,
    pub(crate) choices: Vec<EventChoice>,
}

/// The first two dot-separated parts of an event type.
fn group_of(event_type: &str) -> &str {
    match event_type.match_indices('.').nth(1) {
        Some((at, _)) => &event_type[..at],
        None => event_type,
    }
}

/// The event types in groups by their first two parts, each group and
/// type in the order the service lists them, `chosen` ticked (one chosen
/// that the service no longer lists is kept, so a save does not drop it).
pub(crate) fn event_groups(lang: Lang, listed: &[String], chosen: &[String]) -> Vec<EventGroup> {
    let mut groups: Vec<EventGroup> = Vec::new();
    let unlisted = chosen.iter().filter(|t| !listed.contains(t));
    for event_type in listed.iter().chain(unlisted) {
        let code = group_of(event_type);
        let at = match groups.iter().position(|g| g.code == code) {
            Some(at) => at,
            None => {
                groups.push(EventGroup {
                    name: GROUPS
                        .iter()
                        .find(|(prefix, _)| *prefix == code)
                        .map(|(_, message)| lang.message(message, &[])),
                    code: code.to_owned(),
                    choices: Vec::new(),
                });
                groups.len() - 1
            }
        };
        if groups[at].choices.iter().any(|c| c.value == *event_type) {
            continue;
        }
        let id: String = event_type
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        groups[at].choices.push(EventChoice {
            id: format!("event-{id}"),
            value: event_type.clone(),
            checked: chosen.contains(event_type),
        });
    }
    groups
}

/// An endpoint's form: what it shows, and what was typed.
#[derive(Debug, Default, Clone)]
pub(crate) struct WebhookFields {
    pub(crate) url: String,
    pub(crate) description: String,
    pub(crate) event_types: Vec<String>,
}

/// An endpoint's form as posted: the event types are check boxes, so the
/// same key many times.
#[derive(Debug, Default)]
pub(crate) struct WebhookPosted {
    csrf: String,
    fields: WebhookFields,
}

impl Posted for WebhookPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl WebhookPosted {
    fn parse(body: &[u8]) -> Self {
        let mut out = Self::default();
        for (key, value) in form_urlencoded::parse(body) {
            match key.as_ref() {
                "csrf" => out.csrf = value.into_owned(),
                "url" => out.fields.url = value.trim().to_owned(),
                "description" => out.fields.description = value.trim().to_owned(),
                "event_type" if !value.is_empty() => {
                    out.fields.event_types.push(value.into_owned())
                }
                _ => {}
            }
        }
        out
    }

    /// The endpoint the form describes.
    fn webhook(&self, name: String) -> pb::Webhook {
        pb::Webhook {
            name,
            url: self.fields.url.clone(),
            description: self.fields.description.clone(),
            event_types: self.fields.event_types.clone(),
            ..Default::default()
        }
    }
}

/// The organisation's name for the pages' headings, when community
/// answers (the webhooks service decides who sees what; a page without the
/// name still does its job).
async fn organization_title(state: &WebState, ctx: &PageCtx, name: &str) -> Option<Shown> {
    let mut client = state
        .services
        .community
        .clone()
        .map(CommunityServiceClient::new)?;
    match client
        .get_organization(ctx.call(community::GetOrganizationRequest {
            name: name.to_owned(),
        }))
        .await
    {
        Ok(found) => Some(shown(found.into_inner().display_name.as_ref(), ctx.lang)),
        Err(status) => {
            tracing::debug!(code = ?status.code(), "no organisation name for a webhooks page");
            None
        }
    }
}

/// The organisation's name, else words that stand for it.
fn organization_or_default(ctx: &PageCtx, title: Option<Shown>) -> Shown {
    title.unwrap_or_else(|| Shown {
        text: ctx.t("webhook-organization-default"),
        lang: None,
    })
}

// ------------------------------------------------- an organisation's list

/// An endpoint as the organisation's list shows it.
pub(crate) struct WebhookRow {
    pub(crate) href: String,
    pub(crate) url: String,
    pub(crate) description: String,
    pub(crate) enabled: bool,
    /// The platform's reason (in English), when it disabled the endpoint.
    pub(crate) reason: Option<String>,
    pub(crate) failing_since: Option<When>,
    pub(crate) events: String,
}

#[derive(Template)]
#[template(path = "webhooks.html")]
struct WebhooksPage {
    ctx: PageCtx,
    organization_href: String,
    organization: Shown,
    action: String,
    csrf: String,
    rows: Vec<WebhookRow>,
    fields: WebhookFields,
    groups: Vec<EventGroup>,
    errors: FieldErrors,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    /// What was just done, for the notice: `deleted`.
    #[serde(default)]
    done: String,
}

/// "3 event types" in `lang`.
fn event_count(lang: Lang, count: usize) -> String {
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    lang.message(
        "webhook-event-count",
        &[
            ("count", FluentValue::from(count)),
            ("shown", FluentValue::from(lang.number(count))),
        ],
    )
}

/// The organisation `id`'s webhooks page, with `fields` in its form and
/// `errors` beside them.
async fn render_list(
    state: &WebState,
    mut ctx: PageCtx,
    id: &str,
    fields: WebhookFields,
    errors: FieldErrors,
    notice: Option<String>,
) -> Response {
    let Some(mut client) = client(state) else {
        return unavailable(ctx);
    };
    let Some(id) = path_uuid(id) else {
        return not_found(ctx);
    };
    let parent = format!("organizations/{id}");
    let mut types_client = client.clone();
    let (listed, types, title) = tokio::join!(
        client.list_webhooks(ctx.call(pb::ListWebhooksRequest {
            parent: parent.clone()
        })),
        types_client.list_webhook_event_types(ctx.call(pb::ListWebhookEventTypesRequest {})),
        organization_title(state, &ctx, &parent),
    );
    let listed = match listed {
        Ok(answer) => answer.into_inner().webhooks,
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let types = match types {
        Ok(answer) => answer.into_inner().event_types,
        Err(status) => return problem(ctx, &status),
    };
    let lang = ctx.lang;
    let rows = listed
        .iter()
        .map(|w| WebhookRow {
            href: webhook_href(&w.name),
            url: w.url.clone(),
            description: w.description.clone(),
            enabled: w.enabled,
            reason: (!w.enabled && !w.disabled_reason.is_empty())
                .then(|| w.disabled_reason.clone()),
            failing_since: when(lang, w.failing_since.as_ref()),
            events: event_count(lang, w.event_types.len()),
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let groups = event_groups(lang, &types, &fields.event_types);
    let csrf = ctx.csrf(state);
    let href = organization_href(&parent);
    page(
        &WebhooksPage {
            action: format!("{href}/webhooks"),
            organization_href: href,
            organization: organization_or_default(&ctx, title),
            csrf,
            rows,
            fields,
            groups,
            errors,
            notice,
            ctx,
        },
        status,
    )
}

/// `GET /organizations/{id}/webhooks`: the endpoints, and the form to add
/// one.
pub(crate) async fn list(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let notice = (query.done == "deleted").then(|| ctx.t("webhook-deleted"));
    render_list(
        &state,
        ctx,
        &id,
        WebhookFields::default(),
        FieldErrors::default(),
        notice,
    )
    .await
}

/// `POST /organizations/{id}/webhooks`: adds the endpoint and answers with
/// its signing secret, shown this once (never in an address, so it stays
/// out of histories and logs); mistakes come back beside their inputs.
pub(crate) async fn create(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let posted = WebhookPosted::parse(&body);
    let Posting {
        ctx,
        posted,
        mut client,
        id: organization,
    } = match posted_about(&state, &headers, &uri, &id, Ok(Form(posted))) {
        Ok(posting) => posting,
        Err(response) => return response,
    };
    let request = pb::CreateWebhookRequest {
        parent: format!("organizations/{organization}"),
        webhook: Some(posted.webhook(String::new())),
    };
    match client.create_webhook(ctx.call(request)).await {
        Ok(created) => secret_page(ctx, created.into_inner(), SecretKind::Created),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &WEBHOOK_RULES);
            if errors.is_empty() {
                return not_found_or_problem(ctx, &status);
            }
            render_list(&state, ctx, &id, posted.fields, errors, None).await
        }
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

// ------------------------------------------------- the secret, shown once

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretKind {
    Created,
    Rotated,
}

#[derive(Template)]
#[template(path = "webhook_secret.html")]
struct SecretPage {
    ctx: PageCtx,
    title: String,
    href: String,
    url: String,
    secret: String,
    /// After a rotation: until when the previous secret signs too.
    previous_until: Option<When>,
    webhooks_href: String,
}

/// The page showing an endpoint's new signing secret, once.
fn secret_page(ctx: PageCtx, webhook: pb::Webhook, kind: SecretKind) -> Response {
    let title = match kind {
        SecretKind::Created => ctx.t("webhook-created-title"),
        SecretKind::Rotated => ctx.t("webhook-rotated-title"),
    };
    let previous_until = match kind {
        SecretKind::Created => None,
        SecretKind::Rotated => when(ctx.lang, webhook.previous_secret_expire_time.as_ref()),
    };
    page(
        &SecretPage {
            title,
            href: webhook_href(&webhook.name),
            url: webhook.url,
            secret: webhook.secret,
            previous_until,
            webhooks_href: format!("{}/webhooks", organization_href(&webhook.organization)),
            ctx,
        },
        StatusCode::OK,
    )
}

// ------------------------------------------------------- an endpoint's page

/// A delivery as an endpoint's list shows it.
pub(crate) struct DeliveryRow {
    pub(crate) href: String,
    pub(crate) replay_action: String,
    pub(crate) event_type: String,
    pub(crate) state: String,
    pub(crate) attempts: String,
    pub(crate) response: String,
    pub(crate) latency: String,
    pub(crate) error: String,
    pub(crate) created: Option<When>,
    pub(crate) delivered: Option<When>,
    pub(crate) next_attempt: Option<When>,
}

/// One choice of a `<select>`.
pub(crate) struct Selectable {
    pub(crate) value: &'static str,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "webhook.html")]
struct WebhookPage {
    ctx: PageCtx,
    href: String,
    organization_href: String,
    organization: Shown,
    webhooks_href: String,
    url: String,
    description: String,
    enabled: bool,
    reason: Option<String>,
    failing_since: Option<When>,
    previous_until: Option<When>,
    created: Option<When>,
    creator: Option<String>,
    event_types: Vec<String>,
    csrf: String,
    fields: WebhookFields,
    groups: Vec<EventGroup>,
    errors: FieldErrors,
    notice: Option<String>,
    deliveries: Vec<DeliveryRow>,
    states: Vec<Selectable>,
    filtered: bool,
    next_page: Option<String>,
}

web_pages!(WebhooksPage, SecretPage, WebhookPage, DeliveryPage);

#[derive(Debug, Default, Deserialize)]
pub(crate) struct WebhookQuery {
    /// `pending`, `delivered` or `failed`: only those.
    #[serde(default)]
    state: String,
    /// From the previous page of deliveries.
    #[serde(default)]
    page: String,
    /// What was just done, for the notice.
    #[serde(default)]
    done: String,
}

/// What an endpoint's page says after a form, as a message id.
fn done_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "saved" => "changes-saved",
        "enabled" => "webhook-enabled-done",
        "disabled" => "webhook-disabled-done",
        "replayed" => "delivery-replayed",
        _ => return None,
    })
}

/// The message naming a delivery's state.
fn state_message(state: i32) -> &'static str {
    match pb::DeliveryState::try_from(state) {
        Ok(pb::DeliveryState::Delivered) => "delivery-state-delivered",
        Ok(pb::DeliveryState::Failed) => "delivery-state-failed",
        Ok(pb::DeliveryState::Pending) | Ok(pb::DeliveryState::Unspecified) | Err(_) => {
            "delivery-state-pending"
        }
    }
}

/// An answer's HTTP status, or words saying there was none.
fn response_text(ctx: &PageCtx, code: i32) -> String {
    if code == 0 {
        ctx.t("delivery-no-response")
    } else {
        code.to_string()
    }
}

/// "120 ms" in `lang`.
fn latency_text(lang: Lang, ms: i64) -> String {
    lang.message(
        "delivery-latency-ms",
        &[("ms", FluentValue::from(lang.number(ms)))],
    )
}

/// The endpoint's page of `id`: its facts, its forms (`typed` kept in
/// the change form, with `errors` beside), and its deliveries as `query`
/// asks for them.
async fn render_webhook(
    state: &WebState,
    mut ctx: PageCtx,
    id: &str,
    query: &WebhookQuery,
    typed: Option<WebhookFields>,
    errors: FieldErrors,
    notice: Option<String>,
) -> Response {
    let Some(mut client) = client(state) else {
        return unavailable(ctx);
    };
    let Some(id) = path_uuid(id) else {
        return not_found(ctx);
    };
    let name = format!("webhooks/{id}");
    let filter = STATES.iter().find(|(value, _, _)| *value == query.state);
    let (mut deliveries_client, mut types_client) = (client.clone(), client.clone());
    let (found, deliveries, types) = tokio::join!(
        client.get_webhook(ctx.call(pb::GetWebhookRequest { name: name.clone() })),
        deliveries_client.list_webhook_deliveries(ctx.call(pb::ListWebhookDeliveriesRequest {
            parent: name.clone(),
            page_size: DELIVERIES_PER_PAGE,
            page_token: query.page.clone(),
            state: filter.map_or(pb::DeliveryState::Unspecified, |(_, s, _)| *s) as i32,
        })),
        types_client.list_webhook_event_types(ctx.call(pb::ListWebhookEventTypesRequest {})),
    );
    let webhook = match found {
        Ok(answer) => answer.into_inner(),
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let deliveries = match deliveries {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let types = match types {
        Ok(answer) => answer.into_inner().event_types,
        Err(status) => return problem(ctx, &status),
    };
    let (title, creators) = tokio::join!(
        organization_title(state, &ctx, &webhook.organization),
        people(state, &ctx, std::iter::once(webhook.creator.clone())),
    );
    let lang = ctx.lang;
    let href = webhook_href(&webhook.name);
    let rows = deliveries
        .deliveries
        .iter()
        .map(|d| {
            let delivery = delivery_href(&d.name);
            DeliveryRow {
                replay_action: format!("{delivery}/replay"),
                href: delivery,
                event_type: d.event_type.clone(),
                state: ctx.t(state_message(d.state)),
                attempts: lang.number(d.attempts),
                response: response_text(&ctx, d.response_code),
                latency: if d.attempts == 0 {
                    String::new()
                } else {
                    latency_text(lang, d.latency_ms)
                },
                error: d.error.clone(),
                created: when(lang, d.create_time.as_ref()),
                delivered: when(lang, d.deliver_time.as_ref()),
                next_attempt: when(lang, d.next_attempt_time.as_ref()),
            }
        })
        .collect();
    let states = std::iter::once(Selectable {
        value: "",
        label: ctx.t("delivery-state-any"),
        selected: filter.is_none(),
    })
    .chain(STATES.iter().map(|(value, _, message)| Selectable {
        value,
        label: ctx.t(message),
        selected: filter.is_some_and(|(v, _, _)| v == value),
    }))
    .collect();
    let next_page = (!deliveries.next_page_token.is_empty()).then(|| {
        format!(
            "{href}?{}page={}#deliveries",
            filter.map_or(String::new(), |(value, _, _)| format!("state={value}&")),
            form_urlencoded_component(&deliveries.next_page_token)
        )
    });
    let fields = typed.unwrap_or_else(|| WebhookFields {
        url: webhook.url.clone(),
        description: webhook.description.clone(),
        event_types: webhook.event_types.clone(),
    });
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let groups = event_groups(lang, &types, &fields.event_types);
    let csrf = ctx.csrf(state);
    let organization_link = organization_href(&webhook.organization);
    let creator =
        (!webhook.creator.is_empty()).then(|| display_name(&ctx, &creators, &webhook.creator));
    page(
        &WebhookPage {
            href,
            webhooks_href: format!("{organization_link}/webhooks"),
            organization_href: organization_link,
            organization: organization_or_default(&ctx, title),
            url: webhook.url.clone(),
            description: webhook.description.clone(),
            enabled: webhook.enabled,
            reason: (!webhook.enabled && !webhook.disabled_reason.is_empty())
                .then(|| webhook.disabled_reason.clone()),
            failing_since: when(lang, webhook.failing_since.as_ref()),
            previous_until: when(lang, webhook.previous_secret_expire_time.as_ref()),
            created: when(lang, webhook.create_time.as_ref()),
            creator,
            event_types: webhook.event_types,
            csrf,
            fields,
            groups,
            errors,
            notice,
            deliveries: rows,
            states,
            filtered: filter.is_some(),
            next_page,
            ctx,
        },
        status,
    )
}

/// `GET /webhooks/{id}` (`?state=` to filter its deliveries, `?page=`
/// for older ones).
pub(crate) async fn webhook_page(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<WebhookQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let notice = done_message(&query.done).map(|message| ctx.t(message));
    render_webhook(
        &state,
        ctx,
        &id,
        &query,
        None,
        FieldErrors::default(),
        notice,
    )
    .await
}

/// `POST /webhooks/{id}/edit`: saves the address, description and event
/// types; mistakes come back beside their inputs.
pub(crate) async fn update(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let posted = WebhookPosted::parse(&body);
    let Posting {
        ctx,
        posted,
        mut client,
        id: webhook,
    } = match posted_about(&state, &headers, &uri, &id, Ok(Form(posted))) {
        Ok(posting) => posting,
        Err(response) => return response,
    };
    let name = format!("webhooks/{webhook}");
    let request = pb::UpdateWebhookRequest {
        webhook: Some(posted.webhook(name.clone())),
        update_mask: Some(prost_types::FieldMask {
            paths: ["url", "description", "event_types"]
                .map(str::to_owned)
                .to_vec(),
        }),
    };
    match client.update_webhook(ctx.call(request)).await {
        Ok(_) => see_other(&format!("{}?done=saved", webhook_href(&name)), None),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &WEBHOOK_RULES);
            if errors.is_empty() {
                return not_found_or_problem(ctx, &status);
            }
            render_webhook(
                &state,
                ctx,
                &id,
                &WebhookQuery::default(),
                Some(posted.fields),
                errors,
                None,
            )
            .await
        }
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

/// The enable or disable button.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EnabledPosted {
    #[serde(default)]
    csrf: String,
    /// `yes` or `no`.
    #[serde(default)]
    enabled: String,
}

impl Posted for EnabledPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /webhooks/{id}/enabled`: enables (afresh, after failures) or
/// disables the endpoint.
pub(crate) async fn set_enabled(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<EnabledPosted>, FormRejection>,
) -> Response {
    let Posting {
        ctx,
        posted,
        mut client,
        id: webhook,
    } = match posted_about(&state, &headers, &uri, &id, form) {
        Ok(posting) => posting,
        Err(response) => return response,
    };
    let enabled = match posted.enabled.as_str() {
        "yes" => true,
        "no" => false,
        _ => {
            return problem_page(
                ctx,
                StatusCode::BAD_REQUEST,
                "bad-request-title",
                "bad-request-text",
            );
        }
    };
    let name = format!("webhooks/{webhook}");
    let request = pb::UpdateWebhookRequest {
        webhook: Some(pb::Webhook {
            name: name.clone(),
            enabled,
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["enabled".to_owned()],
        }),
    };
    match client.update_webhook(ctx.call(request)).await {
        Ok(_) => see_other(
            &format!(
                "{}?done={}",
                webhook_href(&name),
                if enabled { "enabled" } else { "disabled" }
            ),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

/// `POST /webhooks/{id}/secret`: gives the endpoint a new signing secret
/// and shows it, once.
pub(crate) async fn rotate_secret(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let Posting {
        ctx,
        mut client,
        id: webhook,
        ..
    } = match posted_about(&state, &headers, &uri, &id, form) {
        Ok(posting) => posting,
        Err(response) => return response,
    };
    match client
        .rotate_webhook_secret(ctx.call(pb::RotateWebhookSecretRequest {
            name: format!("webhooks/{webhook}"),
        }))
        .await
    {
        Ok(rotated) => secret_page(ctx, rotated.into_inner(), SecretKind::Rotated),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

/// `GET /webhooks/{id}/delete`: what deleting takes with it, and the
/// button.
pub(crate) async fn confirm_delete(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    let Some(webhook) = path_uuid(&id) else {
        return not_found(ctx);
    };
    let webhook = match client
        .get_webhook(ctx.call(pb::GetWebhookRequest {
            name: format!("webhooks/{webhook}"),
        }))
        .await
    {
        Ok(found) => found.into_inner(),
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let href = webhook_href(&webhook.name);
    let csrf = ctx.csrf(&state);
    page(
        &ConfirmPage {
            title: ctx.t_with("webhook-delete-title", "url", &webhook.url),
            text: ctx.t("webhook-delete-text"),
            action: format!("{href}/delete"),
            csrf,
            button: ctx.t("webhook-delete-button"),
            back: href,
            ctx,
        },
        StatusCode::OK,
    )
}

/// `POST /webhooks/{id}/delete`: deletes the endpoint with its deliveries,
/// then shows the organisation's others.
pub(crate) async fn delete(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let Posting {
        ctx,
        mut client,
        id: webhook,
        ..
    } = match posted_about(&state, &headers, &uri, &id, form) {
        Ok(posting) => posting,
        Err(response) => return response,
    };
    let name = format!("webhooks/{webhook}");
    // Its organisation first, for the page to go back to.
    let organization = match client
        .get_webhook(ctx.call(pb::GetWebhookRequest { name: name.clone() }))
        .await
    {
        Ok(found) => found.into_inner().organization,
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    match client
        .delete_webhook(ctx.call(pb::DeleteWebhookRequest { name }))
        .await
    {
        Ok(_) => see_other(
            &format!("{}/webhooks?done=deleted", organization_href(&organization)),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

// ---------------------------------------------------------- one delivery

/// One attempt of a delivery, as its page shows it.
pub(crate) struct AttemptRow {
    pub(crate) time: Option<When>,
    pub(crate) response: String,
    pub(crate) latency: String,
    pub(crate) error: String,
}

#[derive(Template)]
#[template(path = "webhook_delivery.html")]
struct DeliveryPage {
    ctx: PageCtx,
    webhook_href: String,
    webhook_url: String,
    organization_href: String,
    organization: Shown,
    webhooks_href: String,
    event_type: String,
    event_id: String,
    state: String,
    attempts: String,
    created: Option<When>,
    delivered: Option<When>,
    next_attempt: Option<When>,
    payload: String,
    log: Vec<AttemptRow>,
    replay_action: String,
    enabled: bool,
    csrf: String,
    notice: Option<String>,
}

/// A JSON body indented for reading (as sent when it is not JSON).
fn readable_json(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|value| serde_json::to_string_pretty(&value).ok())
        .unwrap_or_else(|| body.to_owned())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DeliveryQuery {
    #[serde(default)]
    done: String,
}

/// `GET /webhooks/{id}/deliveries/{event id}`: how the delivery stands,
/// the body sent, and every attempt.
pub(crate) async fn delivery_page(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, event)): Path<(String, String)>,
    Query(query): Query<DeliveryQuery>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    let (Some(webhook), Some(event)) = (path_uuid(&id), path_uuid(&event)) else {
        return not_found(ctx);
    };
    let name = format!("webhooks/{webhook}");
    let mut delivery_client = client.clone();
    let (found, delivery) = tokio::join!(
        client.get_webhook(ctx.call(pb::GetWebhookRequest { name: name.clone() })),
        delivery_client.get_webhook_delivery(ctx.call(pb::GetWebhookDeliveryRequest {
            name: format!("{name}/deliveries/{event}"),
        })),
    );
    let webhook = match found {
        Ok(answer) => answer.into_inner(),
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let delivery = match delivery {
        Ok(answer) => answer.into_inner(),
        Err(status) => return not_found_or_problem(ctx, &status),
    };
    let title = organization_title(&state, &ctx, &webhook.organization).await;
    let lang = ctx.lang;
    let log = delivery
        .attempt_log
        .iter()
        .map(|a| AttemptRow {
            time: when(lang, a.attempt_time.as_ref()),
            response: response_text(&ctx, a.response_code),
            latency: latency_text(lang, a.latency_ms),
            error: a.error.clone(),
        })
        .collect();
    let notice = (query.done == "replayed").then(|| ctx.t("delivery-replayed"));
    let csrf = ctx.csrf(&state);
    let organization_link = organization_href(&webhook.organization);
    page(
        &DeliveryPage {
            webhook_href: webhook_href(&webhook.name),
            webhook_url: webhook.url.clone(),
            webhooks_href: format!("{organization_link}/webhooks"),
            organization_href: organization_link,
            organization: organization_or_default(&ctx, title),
            event_type: delivery.event_type.clone(),
            event_id: delivery.event_id.clone(),
            state: ctx.t(state_message(delivery.state)),
            attempts: lang.number(delivery.attempts),
            created: when(lang, delivery.create_time.as_ref()),
            delivered: when(lang, delivery.deliver_time.as_ref()),
            next_attempt: when(lang, delivery.next_attempt_time.as_ref()),
            payload: readable_json(&delivery.payload),
            log,
            replay_action: format!("{}/replay", delivery_href(&delivery.name)),
            enabled: webhook.enabled,
            csrf,
            notice,
            ctx,
        },
        StatusCode::OK,
    )
}

/// The replay button: where it was pressed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ReplayPosted {
    #[serde(default)]
    csrf: String,
    /// `delivery` (its own page) or the endpoint's list.
    #[serde(default)]
    from: String,
}

impl Posted for ReplayPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /webhooks/{id}/deliveries/{event id}/replay`: sends the delivery
/// again at once, then goes back to where the button was.
pub(crate) async fn replay(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, event)): Path<(String, String)>,
    form: Result<Form<ReplayPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "organizations");
    let (ctx, posted) = match signed_in_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    let (Some(webhook), Some(event)) = (path_uuid(&id), path_uuid(&event)) else {
        return not_found(ctx);
    };
    let name = format!("webhooks/{webhook}/deliveries/{event}");
    match client
        .replay_webhook_delivery(ctx.call(pb::ReplayWebhookDeliveryRequest { name: name.clone() }))
        .await
    {
        Ok(_) if posted.from == "delivery" => {
            see_other(&format!("{}?done=replayed", delivery_href(&name)), None)
        }
        Ok(_) => see_other(
            &format!(
                "{}?done=replayed#deliveries",
                webhook_href(&format!("webhooks/{webhook}"))
            ),
            None,
        ),
        Err(status) => not_found_or_problem(ctx, &status),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use axum::Router;
    use axum::body::Body;
    use axum::http::{Request, header};
    use interlink_proto::notifications::v1::webhook_service_server::{
        WebhookService, WebhookServiceServer,
    };
    use tonic_types::{ErrorDetails, StatusExt};
    use tower::ServiceExt;

    use super::*;
    use crate::{Channel, DevToken, Services, SignIn, Unreachable, WebSettings};

    const ORG: &str = "0b6a5f6e-2f4e-4c1a-9a57-0d0f3c1e9a01";
    const HOOK: &str = "5d0c6a4e-8f7b-4f3e-9c1d-2a3b4c5d6e7f";
    const EVENT: &str = "9e8d7c6b-5a49-4837-a261-504f3e2d1c0b";
    const TYPES: [&str; 4] = [
        "community.organization.updated",
        "community.team.created",
        "community.team.member_added",
        "coproduction.story.published",
    ];

    /// What the fake service was asked to change.
    #[derive(Debug, Default)]
    struct Asked {
        created: Vec<pb::CreateWebhookRequest>,
        updated: Vec<pb::UpdateWebhookRequest>,
        deliveries: Vec<pb::ListWebhookDeliveriesRequest>,
        rotated: Vec<String>,
        deleted: Vec<String>,
        replayed: Vec<String>,
    }

    /// The webhooks service as the pages see it: Ana administers the
    /// organisation `ORG` and its endpoint `HOOK`; anyone else is refused
    /// as the real one refuses them.
    #[derive(Debug, Clone, Default)]
    struct Fake {
        asked: Arc<Mutex<Asked>>,
        disabled: bool,
    }

    fn is_ana<T>(request: &tonic::Request<T>) -> bool {
        request
            .metadata()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            == Some("Bearer token-ana")
    }

    fn at(seconds: i64) -> Option<prost_types::Timestamp> {
        Some(prost_types::Timestamp { seconds, nanos: 0 })
    }

    fn endpoint(enabled: bool) -> pb::Webhook {
        pb::Webhook {
            name: format!("webhooks/{HOOK}"),
            organization: format!("organizations/{ORG}"),
            url: "https://hooks.example.org/in".into(),
            description: "The city's CRM".into(),
            event_types: vec![TYPES[1].into(), TYPES[3].into()],
            enabled,
            disabled_reason: if enabled {
                String::new()
            } else {
                "its deliveries failed for a day".into()
            },
            // 2026-12-05 10:30:15 UTC.
            failing_since: if enabled { None } else { at(1_796_466_615) },
            create_time: at(1_796_428_800),
            update_time: at(1_796_428_800),
            ..Default::default()
        }
    }

    fn delivery(full: bool) -> pb::WebhookDelivery {
        pb::WebhookDelivery {
            name: format!("webhooks/{HOOK}/deliveries/{EVENT}"),
            event_id: EVENT.into(),
            event_type: TYPES[1].into(),
            state: pb::DeliveryState::Pending as i32,
            attempts: 2,
            response_code: 503,
            latency_ms: 1234,
            error: "the receiver answered 503".into(),
            create_time: at(1_796_466_615),
            next_attempt_time: at(1_796_466_715),
            payload: if full {
                r#"{"type":"community.team.created","data":{"team":"teams/1"}}"#.into()
            } else {
                String::new()
            },
            attempt_log: if full {
                vec![
                    pb::DeliveryAttempt {
                        attempt_time: at(1_796_466_615),
                        response_code: 0,
                        latency_ms: 10_000,
                        error: "timed out".into(),
                    },
                    pb::DeliveryAttempt {
                        attempt_time: at(1_796_466_645),
                        response_code: 503,
                        latency_ms: 1234,
                        error: "the receiver answered 503".into(),
                    },
                ]
            } else {
                Vec::new()
            },
            ..Default::default()
        }
    }

    fn refused() -> tonic::Status {
        tonic::Status::permission_denied("only the organisation's administrators")
    }

    fn invalid(field: &str) -> tonic::Status {
        tonic::Status::with_error_details(
            tonic::Code::InvalidArgument,
            format!("{field}: is not allowed"),
            ErrorDetails::with_bad_request_violation(field, "is not allowed"),
        )
    }

    /// The endpoint's violations as the real service names them.
    fn violations(webhook: &pb::Webhook, paths: &[&str]) -> Option<tonic::Status> {
        if paths.contains(&"url") && !webhook.url.starts_with("https://") {
            return Some(invalid("webhook.url"));
        }
        if paths.contains(&"event_types") {
            if webhook.event_types.is_empty() {
                return Some(invalid("webhook.event_types"));
            }
            if let Some(i) = webhook
                .event_types
                .iter()
                .position(|t| !TYPES.contains(&t.as_str()))
            {
                return Some(invalid(&format!("webhook.event_types[{i}]")));
            }
        }
        None
    }

    type Answer<T> = Result<tonic::Response<T>, tonic::Status>;

    #[tonic::async_trait]
    impl WebhookService for Fake {
        async fn list_webhook_event_types(
            &self,
            _: tonic::Request<pb::ListWebhookEventTypesRequest>,
        ) -> Answer<pb::ListWebhookEventTypesResponse> {
            Ok(tonic::Response::new(pb::ListWebhookEventTypesResponse {
                event_types: TYPES.map(str::to_owned).to_vec(),
            }))
        }

        async fn create_webhook(
            &self,
            request: tonic::Request<pb::CreateWebhookRequest>,
        ) -> Answer<pb::Webhook> {
            let ana = is_ana(&request);
            let request = request.into_inner();
            let webhook = request.webhook.clone().unwrap_or_default();
            if let Some(status) = violations(&webhook, &["url", "event_types"]) {
                return Err(status);
            }
            if !ana || request.parent != format!("organizations/{ORG}") {
                return Err(refused());
            }
            self.asked.lock().unwrap().created.push(request);
            Ok(tonic::Response::new(pb::Webhook {
                url: webhook.url,
                secret: "whsec_c2VjcmV0LW9uY2U=".into(),
                ..endpoint(true)
            }))
        }

        async fn list_webhooks(
            &self,
            request: tonic::Request<pb::ListWebhooksRequest>,
        ) -> Answer<pb::ListWebhooksResponse> {
            if !is_ana(&request) {
                return Err(refused());
            }
            if request.get_ref().parent != format!("organizations/{ORG}") {
                return Err(tonic::Status::not_found("organization"));
            }
            Ok(tonic::Response::new(pb::ListWebhooksResponse {
                webhooks: vec![
                    endpoint(true),
                    pb::Webhook {
                        url: "https://erp.example.org/events".into(),
                        ..endpoint(false)
                    },
                ],
            }))
        }

        async fn get_webhook(
            &self,
            request: tonic::Request<pb::GetWebhookRequest>,
        ) -> Answer<pb::Webhook> {
            if !is_ana(&request) || request.get_ref().name != format!("webhooks/{HOOK}") {
                return Err(tonic::Status::not_found("webhook"));
            }
            Ok(tonic::Response::new(endpoint(!self.disabled)))
        }

        async fn update_webhook(
            &self,
            request: tonic::Request<pb::UpdateWebhookRequest>,
        ) -> Answer<pb::Webhook> {
            let ana = is_ana(&request);
            let request = request.into_inner();
            let webhook = request.webhook.clone().unwrap_or_default();
            let paths: Vec<&str> = request
                .update_mask
                .as_ref()
                .map(|m| m.paths.iter().map(String::as_str).collect())
                .unwrap_or_default();
            if let Some(status) = violations(&webhook, &paths) {
                return Err(status);
            }
            if !ana || webhook.name != format!("webhooks/{HOOK}") {
                return Err(tonic::Status::not_found("webhook"));
            }
            self.asked.lock().unwrap().updated.push(request);
            Ok(tonic::Response::new(endpoint(true)))
        }

        async fn delete_webhook(
            &self,
            request: tonic::Request<pb::DeleteWebhookRequest>,
        ) -> Answer<()> {
            if !is_ana(&request) {
                return Err(tonic::Status::not_found("webhook"));
            }
            self.asked
                .lock()
                .unwrap()
                .deleted
                .push(request.into_inner().name);
            Ok(tonic::Response::new(()))
        }

        async fn rotate_webhook_secret(
            &self,
            request: tonic::Request<pb::RotateWebhookSecretRequest>,
        ) -> Answer<pb::Webhook> {
            if !is_ana(&request) {
                return Err(tonic::Status::not_found("webhook"));
            }
            self.asked
                .lock()
                .unwrap()
                .rotated
                .push(request.into_inner().name);
            Ok(tonic::Response::new(pb::Webhook {
                secret: "whsec_bmV3LXNlY3JldA==".into(),
                // 2026-12-06 10:30:15 UTC.
                previous_secret_expire_time: at(1_796_553_015),
                ..endpoint(true)
            }))
        }

        async fn list_webhook_deliveries(
            &self,
            request: tonic::Request<pb::ListWebhookDeliveriesRequest>,
        ) -> Answer<pb::ListWebhookDeliveriesResponse> {
            if !is_ana(&request) {
                return Err(tonic::Status::not_found("webhook"));
            }
            self.asked
                .lock()
                .unwrap()
                .deliveries
                .push(request.into_inner());
            Ok(tonic::Response::new(pb::ListWebhookDeliveriesResponse {
                deliveries: vec![delivery(false)],
                next_page_token: "c3RhcnQ=".into(),
            }))
        }

        async fn get_webhook_delivery(
            &self,
            request: tonic::Request<pb::GetWebhookDeliveryRequest>,
        ) -> Answer<pb::WebhookDelivery> {
            if !is_ana(&request)
                || request.get_ref().name != format!("webhooks/{HOOK}/deliveries/{EVENT}")
            {
                return Err(tonic::Status::not_found("delivery"));
            }
            Ok(tonic::Response::new(delivery(true)))
        }

        async fn replay_webhook_delivery(
            &self,
            request: tonic::Request<pb::ReplayWebhookDeliveryRequest>,
        ) -> Answer<pb::WebhookDelivery> {
            if !is_ana(&request) {
                return Err(tonic::Status::not_found("delivery"));
            }
            self.asked
                .lock()
                .unwrap()
                .replayed
                .push(request.into_inner().name);
            Ok(tonic::Response::new(delivery(false)))
        }
    }

    /// The pages with the dev sign-in (token `token-{subject}`) over
    /// `fake` as the notifications role (none: not part of the mesh).
    fn pages(fake: Option<Fake>) -> Router {
        let catalogue = Channel::new(tower::service_fn(
            |_: http::Request<tonic::body::Body>| async {
                Err::<http::Response<tonic::body::Body>, _>(Unreachable("no catalogue here".into()))
            },
        ));
        let notifications = fake.map(|fake| {
            Channel::new(ServiceExt::<http::Request<tonic::body::Body>>::map_err(
                WebhookServiceServer::new(fake),
                |never: std::convert::Infallible| -> Unreachable { match never {} },
            ))
        });
        let dev: crate::DevSignIn =
            Arc::new(|token: &DevToken| Ok(format!("token-{}", token.subject)));
        crate::router(
            WebSettings {
                site_name: "Test".into(),
                default_language: Lang::En,
                public_url: None,
                accent_colour: None,
                logo_url: None,
            },
            SignIn {
                session_key: vec![7; 32],
                dev: Some(dev),
                dev_session: std::time::Duration::from_secs(3600),
                oidc: None,
            },
            Services {
                catalogue,
                coproduction: None,
                community: None,
                monitoring: None,
                notifications,
                federation: None,
                to_json: None,
            },
        )
    }

    async fn body_of(response: Response) -> String {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// The `name=value` pairs a response sets, for the next request.
    fn cookies_of(response: &Response) -> String {
        response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The first form's CSRF token on a page.
    fn csrf_of(html: &str) -> String {
        html.split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap()
            .to_owned()
    }

    /// A visitor of `pages` in `lang`, signed in as `subject` (or not).
    struct Visitor {
        pages: Router,
        cookies: String,
        lang: &'static str,
    }

    impl Visitor {
        async fn signed_in(pages: &Router, subject: &str, lang: &'static str) -> Self {
            let anonymous = Visitor {
                pages: pages.clone(),
                cookies: String::new(),
                lang,
            };
            let form = anonymous.get("/sign-in").await;
            let cookies = cookies_of(&form);
            let csrf = csrf_of(&body_of(form).await);
            let visitor = Visitor {
                cookies,
                ..anonymous
            };
            let signed = visitor
                .post("/sign-in", &format!("csrf={csrf}&subject={subject}&next=/"))
                .await;
            assert_eq!(signed.status(), StatusCode::SEE_OTHER);
            Visitor {
                cookies: cookies_of(&signed),
                ..visitor
            }
        }

        async fn get(&self, path: &str) -> Response {
            let request = Request::get(path)
                .header(header::ACCEPT_LANGUAGE, self.lang)
                .header(header::COOKIE, &self.cookies)
                .body(Body::empty())
                .unwrap();
            self.pages.clone().oneshot(request).await.unwrap()
        }

        async fn post(&self, path: &str, form: &str) -> Response {
            let request = Request::post(path)
                .header(header::ACCEPT_LANGUAGE, self.lang)
                .header(header::COOKIE, &self.cookies)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(form.to_owned()))
                .unwrap();
            self.pages.clone().oneshot(request).await.unwrap()
        }

        /// The page at `path` (200), and its CSRF token.
        async fn page(&self, path: &str) -> (String, String) {
            let response = self.get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let html = body_of(response).await;
            let csrf = csrf_of(&html);
            (html, csrf)
        }
    }

    fn location(response: &Response) -> &str {
        response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    #[test]
    fn event_types_are_grouped_by_their_first_two_parts_in_the_services_order() {
        let listed: Vec<String> = TYPES.map(str::to_owned).to_vec();
        let chosen = vec![TYPES[2].to_owned(), "community.team.renamed".to_owned()];
        let groups = event_groups(Lang::Es, &listed, &chosen);
        let codes: Vec<&str> = groups.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "community.organization",
                "community.team",
                "coproduction.story"
            ]
        );
        assert_eq!(groups[1].name.as_deref(), Some("Equipos"));
        let team: Vec<(&str, &str, bool)> = groups[1]
            .choices
            .iter()
            .map(|c| (c.id.as_str(), c.value.as_str(), c.checked))
            .collect();
        assert_eq!(
            team,
            [
                ("event-community-team-created", TYPES[1], false),
                ("event-community-team-member-added", TYPES[2], true),
                // Chosen once, no longer listed: kept, so a save keeps it.
                (
                    "event-community-team-renamed",
                    "community.team.renamed",
                    true
                ),
            ]
        );
        let unknown = event_groups(Lang::En, &["audit.entry.made".to_owned()], &[]);
        assert_eq!(unknown[0].code, "audit.entry");
        assert!(unknown[0].name.is_none());
    }

    #[test]
    fn only_uuids_name_webhooks_and_their_deliveries() {
        assert_eq!(path_uuid(HOOK), Some(HOOK));
        assert_eq!(path_uuid(&HOOK.to_uppercase()), None);
        assert_eq!(path_uuid("../etc"), None);
        assert_eq!(
            delivery_href(&format!("webhooks/{HOOK}/deliveries/{EVENT}")),
            format!("/webhooks/{HOOK}/deliveries/{EVENT}")
        );
        assert_eq!(delivery_href("webhooks/x"), "/");
    }

    #[test]
    fn moments_are_the_pages_day_and_the_utc_time() {
        let moment = when(Lang::Lv, at(1_796_466_615).as_ref()).unwrap();
        assert_eq!(moment.datetime, "2026-12-05T10:30:15Z");
        assert_eq!(moment.text, "2026. gada 5. decembris 10:30:15");
        assert!(when(Lang::En, None).is_none());
        assert_eq!(latency_text(Lang::Lv, 12_345), "12\u{a0}345 ms");
    }

    #[test]
    fn a_posted_form_keeps_every_ticked_event_type() {
        let posted = WebhookPosted::parse(
            b"csrf=t&url=+https%3A%2F%2Fhooks.example.org%2Fin+&description=CRM\
              &event_type=community.team.created&event_type=&event_type=coproduction.story.published",
        );
        assert_eq!(posted.csrf, "t");
        assert_eq!(posted.fields.url, "https://hooks.example.org/in");
        assert_eq!(posted.fields.description, "CRM");
        assert_eq!(
            posted.fields.event_types,
            ["community.team.created", "coproduction.story.published"]
        );
    }

    #[tokio::test]
    async fn an_administrator_sees_the_endpoints_and_adds_one_seeing_its_secret_once() {
        let fake = Fake::default();
        let pages = pages(Some(fake.clone()));
        let ana = Visitor::signed_in(&pages, "ana", "es").await;
        let path = format!("/organizations/{ORG}/webhooks");
        let (html, csrf) = ana.page(&path).await;
        assert!(html.contains("<html lang=\"es\">"), "{html}");
        assert!(html.contains("https://hooks.example.org/in"), "{html}");
        assert!(
            html.contains(&format!("href=\"/webhooks/{HOOK}\"")),
            "{html}"
        );
        // The disabled one says so in words, with the platform's reason.
        assert!(html.contains("<strong>Desactivado</strong>: desactivado por la plataforma (<span lang=\"en\">its deliveries failed for a day</span>)"), "{html}");
        assert!(
            html.contains("<time datetime=\"2026-12-05T10:30:15Z\">"),
            "{html}"
        );
        assert!(html.contains("2 eventos"), "{html}");
        // The event types as check boxes, in groups with a legend.
        assert!(
            html.contains("<legend>Equipos (<code>community.team</code>)</legend>"),
            "{html}"
        );
        assert!(html.contains("<input type=\"checkbox\" id=\"event-community-team-member-added\" name=\"event_type\" value=\"community.team.member_added\">"), "{html}");
        assert!(
            html.contains("<label for=\"event-community-team-member-added\">"),
            "{html}"
        );

        let created = ana
            .post(
                &path,
                &format!(
                    "csrf={csrf}&url=https%3A%2F%2Fhooks.example.org%2Fin&description=CRM\
                     &event_type=community.team.created&event_type=coproduction.story.published"
                ),
            )
            .await;
        // The secret is on the answer itself, never in an address.
        assert_eq!(created.status(), StatusCode::OK);
        assert_eq!(
            created
                .headers()
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
        let html = body_of(created).await;
        assert!(
            html.contains("value=\"whsec_c2VjcmV0LW9uY2U=\" readonly"),
            "{html}"
        );
        assert!(html.contains("no se volverá a mostrar"), "{html}");
        assert!(
            html.contains(&format!("href=\"/webhooks/{HOOK}\"")),
            "{html}"
        );
        let asked = fake.asked.lock().unwrap();
        let request = &asked.created[0];
        assert_eq!(request.parent, format!("organizations/{ORG}"));
        let webhook = request.webhook.as_ref().unwrap();
        assert_eq!(webhook.url, "https://hooks.example.org/in");
        assert_eq!(webhook.description, "CRM");
        assert_eq!(
            webhook.event_types,
            ["community.team.created", "coproduction.story.published"]
        );
    }

    #[tokio::test]
    async fn a_refused_address_comes_back_beside_its_input_with_what_was_typed() {
        let pages = pages(Some(Fake::default()));
        let ana = Visitor::signed_in(&pages, "ana", "en").await;
        let path = format!("/organizations/{ORG}/webhooks");
        let (_, csrf) = ana.page(&path).await;
        let refused = ana
            .post(
                &path,
                &format!(
                    "csrf={csrf}&url=http%3A%2F%2F127.0.0.1%2Fin&description=Local\
                     &event_type=community.team.created"
                ),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let html = body_of(refused).await;
        assert!(html.contains("<title>Error: Webhooks"), "{html}");
        assert!(
            html.contains("<a href=\"#url\">Enter your receiver&#39;s address"),
            "{html}"
        );
        assert!(
            html.contains("<p class=\"error\" id=\"url-error\">"),
            "{html}"
        );
        assert!(html.contains("value=\"http://127.0.0.1/in\" autocomplete=\"off\" aria-describedby=\"url-hint url-error\" aria-invalid=\"true\""), "{html}");
        assert!(html.contains("value=\"Local\""), "{html}");
        assert!(
            html.contains("value=\"community.team.created\" checked"),
            "{html}"
        );

        // No event type: the message is beside the group of boxes.
        let (_, csrf) = ana.page(&path).await;
        let refused = ana
            .post(
                &path,
                &format!("csrf={csrf}&url=https%3A%2F%2Fhooks.example.org%2Fin"),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let html = body_of(refused).await;
        assert!(
            html.contains("<a href=\"#event-types\">Choose at least one"),
            "{html}"
        );
        assert!(html.contains("<fieldset class=\"field\" id=\"event-types\" aria-describedby=\"event-types-hint event-types-error\">"), "{html}");
    }

    #[tokio::test]
    async fn others_are_refused_and_a_form_from_elsewhere_is_not_taken() {
        let fake = Fake::default();
        let pages = pages(Some(fake.clone()));
        let path = format!("/organizations/{ORG}/webhooks");
        let stranger = Visitor::signed_in(&pages, "stranger", "it").await;
        let refused = stranger.get(&path).await;
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(body_of(refused).await.contains("<html lang=\"it\">"));
        assert_eq!(
            stranger.get(&format!("/webhooks/{HOOK}")).await.status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            stranger
                .get(&format!("/webhooks/{HOOK}/deliveries/{EVENT}"))
                .await
                .status(),
            StatusCode::NOT_FOUND
        );
        // Paths that name nothing.
        let ana = Visitor::signed_in(&pages, "ana", "en").await;
        for path in [
            "/organizations/not-an-id/webhooks".to_owned(),
            "/webhooks/not-an-id".to_owned(),
            format!("/webhooks/{HOOK}/deliveries/not-an-id"),
            format!("/organizations/{EVENT}/webhooks"),
        ] {
            assert_eq!(
                ana.get(&path).await.status(),
                StatusCode::NOT_FOUND,
                "{path}"
            );
        }
        // A post without the session's token changes nothing.
        let forged = ana
            .post(&format!("/webhooks/{HOOK}/secret"), "csrf=forged")
            .await;
        assert_eq!(forged.status(), StatusCode::FORBIDDEN);
        assert!(fake.asked.lock().unwrap().rotated.is_empty());
        // Signed out: the sign-in page first.
        let visitor = Visitor {
            pages: pages.clone(),
            cookies: String::new(),
            lang: "en",
        };
        let response = visitor.get(&path).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(location(&response).starts_with("/sign-in?next="));
    }

    #[tokio::test]
    async fn without_the_notifications_service_the_pages_say_so() {
        let pages = pages(None);
        let ana = Visitor::signed_in(&pages, "ana", "lv").await;
        let response = ana.get(&format!("/organizations/{ORG}/webhooks")).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(body_of(response).await.contains("<html lang=\"lv\">"));
    }

    #[tokio::test]
    async fn an_endpoints_page_shows_its_deliveries_filtered_and_paged_and_its_forms_work() {
        let fake = Fake::default();
        let pages = pages(Some(fake.clone()));
        let ana = Visitor::signed_in(&pages, "ana", "en").await;
        let href = format!("/webhooks/{HOOK}");
        let (html, csrf) = ana.page(&format!("{href}?state=failed&done=enabled")).await;
        assert!(html.contains("The webhook is enabled"), "{html}");
        assert!(
            html.contains("<option value=\"failed\" selected>Failed</option>"),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "<a href=\"{href}/deliveries/{EVENT}\"><code>community.team.created</code></a>"
            )),
            "{html}"
        );
        assert!(html.contains("<td>Pending: to be tried again</td><td>2</td><td>503</td><td>1,234 ms</td><td>the receiver answered 503</td>"), "{html}");
        assert!(
            html.contains(&format!("action=\"{href}/deliveries/{EVENT}/replay\"")),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "href=\"{href}?state=failed&#38;page=c3RhcnQ%3D#deliveries\" rel=\"next\""
            )),
            "{html}"
        );
        // The change form holds the endpoint's values.
        assert!(
            html.contains("value=\"https://hooks.example.org/in\""),
            "{html}"
        );
        assert!(
            html.contains("value=\"coproduction.story.published\" checked"),
            "{html}"
        );
        assert!(
            html.contains("value=\"community.team.member_added\">"),
            "{html}"
        );
        {
            let asked = fake.asked.lock().unwrap();
            assert_eq!(asked.deliveries[0].state, pb::DeliveryState::Failed as i32);
            assert_eq!(asked.deliveries[0].page_size, DELIVERIES_PER_PAGE);
        }
        let (_, _) = ana.page(&format!("{href}?page=c3RhcnQ%3D")).await;
        {
            let asked = fake.asked.lock().unwrap();
            assert_eq!(asked.deliveries[1].state, 0);
            assert_eq!(asked.deliveries[1].page_token, "c3RhcnQ=");
        }

        // Changed, disabled, replayed, deleted: each goes back to a page.
        let saved = ana
            .post(
                &format!("{href}/edit"),
                &format!(
                    "csrf={csrf}&url=https%3A%2F%2Fhooks.example.org%2Fv2&description=\
                     &event_type=community.team.member_added"
                ),
            )
            .await;
        assert_eq!(saved.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&saved), format!("{href}?done=saved"));
        let disabled = ana
            .post(
                &format!("{href}/enabled"),
                &format!("csrf={csrf}&enabled=no"),
            )
            .await;
        assert_eq!(location(&disabled), format!("{href}?done=disabled"));
        let replayed = ana
            .post(
                &format!("{href}/deliveries/{EVENT}/replay"),
                &format!("csrf={csrf}&from=delivery"),
            )
            .await;
        assert_eq!(
            location(&replayed),
            format!("{href}/deliveries/{EVENT}?done=replayed")
        );
        let replayed = ana
            .post(
                &format!("{href}/deliveries/{EVENT}/replay"),
                &format!("csrf={csrf}&from=list"),
            )
            .await;
        assert_eq!(
            location(&replayed),
            format!("{href}?done=replayed#deliveries")
        );
        let (confirm, csrf) = ana.page(&format!("{href}/delete")).await;
        assert!(
            confirm.contains("Delete the webhook to https://hooks.example.org/in?"),
            "{confirm}"
        );
        let deleted = ana
            .post(&format!("{href}/delete"), &format!("csrf={csrf}"))
            .await;
        assert_eq!(
            location(&deleted),
            format!("/organizations/{ORG}/webhooks?done=deleted")
        );
        let asked = fake.asked.lock().unwrap();
        let update = &asked.updated[0];
        assert_eq!(
            update.update_mask.as_ref().unwrap().paths,
            ["url", "description", "event_types"]
        );
        let webhook = update.webhook.as_ref().unwrap();
        assert_eq!(
            (
                webhook.name.as_str(),
                webhook.url.as_str(),
                webhook.description.as_str()
            ),
            (
                format!("webhooks/{HOOK}").as_str(),
                "https://hooks.example.org/v2",
                ""
            )
        );
        assert_eq!(webhook.event_types, ["community.team.member_added"]);
        let disable = &asked.updated[1];
        assert_eq!(disable.update_mask.as_ref().unwrap().paths, ["enabled"]);
        assert!(!disable.webhook.as_ref().unwrap().enabled);
        assert_eq!(
            asked.replayed,
            vec![format!("webhooks/{HOOK}/deliveries/{EVENT}"); 2]
        );
        assert_eq!(asked.deleted, [format!("webhooks/{HOOK}")]);
    }

    #[tokio::test]
    async fn a_refused_change_shows_the_endpoints_page_again_with_the_error() {
        let pages = pages(Some(Fake::default()));
        let ana = Visitor::signed_in(&pages, "ana", "it").await;
        let href = format!("/webhooks/{HOOK}");
        let (_, csrf) = ana.page(&href).await;
        let refused = ana
            .post(
                &format!("{href}/edit"),
                &format!("csrf={csrf}&url=ftp%3A%2F%2Fx&event_type=community.team.created"),
            )
            .await;
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        let html = body_of(refused).await;
        assert!(html.contains("<html lang=\"it\">"), "{html}");
        assert!(
            html.contains("<p class=\"error\" id=\"url-error\">"),
            "{html}"
        );
        assert!(html.contains("value=\"ftp://x\""), "{html}");
        assert!(
            html.contains("value=\"community.team.created\" checked"),
            "{html}"
        );
        assert!(
            html.contains("value=\"coproduction.story.published\">"),
            "{html}"
        );
    }

    #[tokio::test]
    async fn a_new_secret_is_shown_once_with_how_long_the_previous_one_signs() {
        let fake = Fake::default();
        let pages = pages(Some(fake.clone()));
        let ana = Visitor::signed_in(&pages, "ana", "en").await;
        let href = format!("/webhooks/{HOOK}");
        let (_, csrf) = ana.page(&href).await;
        let rotated = ana
            .post(&format!("{href}/secret"), &format!("csrf={csrf}"))
            .await;
        assert_eq!(rotated.status(), StatusCode::OK);
        let html = body_of(rotated).await;
        assert!(
            html.contains("value=\"whsec_bmV3LXNlY3JldA==\" readonly"),
            "{html}"
        );
        assert!(html.contains("it will not be shown again"), "{html}");
        assert!(html.contains("<dt>The previous secret also signs until (UTC)</dt><dd><time datetime=\"2026-12-06T10:30:15Z\">6 December 2026 10:30:15</time></dd>"), "{html}");
        assert_eq!(
            fake.asked.lock().unwrap().rotated,
            [format!("webhooks/{HOOK}")]
        );
    }

    #[tokio::test]
    async fn a_delivery_shows_its_body_and_every_attempt() {
        let pages = pages(Some(Fake::default()));
        let ana = Visitor::signed_in(&pages, "ana", "en").await;
        let (html, _) = ana
            .page(&format!(
                "/webhooks/{HOOK}/deliveries/{EVENT}?done=replayed"
            ))
            .await;
        assert!(html.contains("The delivery is being sent again."), "{html}");
        assert!(
            html.contains(
                "<pre>{\n  &#34;data&#34;: {\n    &#34;team&#34;: &#34;teams/1&#34;\n  },"
            ),
            "{html}"
        );
        assert!(
            html.contains("<td>None</td><td>10,000 ms</td><td>timed out</td>"),
            "{html}"
        );
        assert!(
            html.contains("<td>503</td><td>1,234 ms</td><td>the receiver answered 503</td>"),
            "{html}"
        );
        assert!(
            html.contains("<input type=\"hidden\" name=\"from\" value=\"delivery\">"),
            "{html}"
        );
    }

    #[tokio::test]
    async fn a_disabled_endpoint_offers_to_enable_it_and_no_replays() {
        let pages = pages(Some(Fake {
            disabled: true,
            ..Fake::default()
        }));
        let ana = Visitor::signed_in(&pages, "ana", "en").await;
        let (html, _) = ana.page(&format!("/webhooks/{HOOK}")).await;
        assert!(
            html.contains("<input type=\"hidden\" name=\"enabled\" value=\"yes\">"),
            "{html}"
        );
        assert!(
            html.contains("Enable the webhook to send its deliveries again."),
            "{html}"
        );
        assert!(!html.contains("/replay\""), "{html}");
        let (html, _) = ana
            .page(&format!("/webhooks/{HOOK}/deliveries/{EVENT}"))
            .await;
        assert!(!html.contains("/replay\""), "{html}");
    }
}
