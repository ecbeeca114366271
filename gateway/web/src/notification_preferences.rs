//! A person's notification preferences (per kind: e-mailed at once, in a
//! daily summary, or never) and the unsubscribe page an e-mail's link
//! opens — no sign-in needed there: the link's token is the proof, and a
//! mail program's one-click `POST` (RFC 8058) works the same.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::notifications::v1 as pb;
use serde::Deserialize;

use crate::Shared;
use crate::notifications::{client, unavailable};
use crate::organizations::sign_in_first;
use crate::pages::{Choice, PageCtx, page, problem, problem_page, web_pages};
use crate::sign_in::{Posted, see_other, signed_in_form};

/// The kinds in the API's order, with the message naming each.
const KINDS: [(pb::NotificationKind, &str, &str); 13] = [
    (
        pb::NotificationKind::TeamMemberAdded,
        "team_member_added",
        "preference-team-member-added",
    ),
    (
        pb::NotificationKind::TeamMemberRemoved,
        "team_member_removed",
        "preference-team-member-removed",
    ),
    (
        pb::NotificationKind::TeamGranted,
        "team_granted",
        "preference-team-granted",
    ),
    (
        pb::NotificationKind::ApplicationSubmitted,
        "application_submitted",
        "preference-application-submitted",
    ),
    (
        pb::NotificationKind::ApplicationDecided,
        "application_decided",
        "preference-application-decided",
    ),
    (
        pb::NotificationKind::Invitation,
        "invitation",
        "preference-invitation",
    ),
    (
        pb::NotificationKind::ClaimSubmitted,
        "claim_submitted",
        "preference-claim-submitted",
    ),
    (
        pb::NotificationKind::ClaimDecided,
        "claim_decided",
        "preference-claim-decided",
    ),
    (
        pb::NotificationKind::TaskStartable,
        "task_startable",
        "preference-task-startable",
    ),
    (
        pb::NotificationKind::ProcessFinished,
        "process_finished",
        "preference-process-finished",
    ),
    (
        pb::NotificationKind::StoryPublished,
        "story_published",
        "preference-story-published",
    ),
    (
        pb::NotificationKind::WebhookDisabled,
        "webhook_disabled",
        "preference-webhook-disabled",
    ),
    (
        pb::NotificationKind::ContributionRequested,
        "contribution_requested",
        "preference-contribution-requested",
    ),
];

const DELIVERIES: [(pb::EmailDelivery, &str, &str); 3] = [
    (
        pb::EmailDelivery::Immediate,
        "immediate",
        "preferences-immediate",
    ),
    (pb::EmailDelivery::Daily, "daily", "preferences-daily"),
    (pb::EmailDelivery::Never, "never", "preferences-never"),
];

/// One kind's choices.
pub(crate) struct KindRow {
    pub(crate) code: &'static str,
    pub(crate) legend: String,
    pub(crate) choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "notification_preferences.html")]
struct PreferencesPage {
    ctx: PageCtx,
    csrf: String,
    kinds: Vec<KindRow>,
    address: String,
    enabled: bool,
    notice: Option<String>,
}

web_pages!(PreferencesPage);

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PreferencesQuery {
    #[serde(default)]
    done: String,
}

/// `GET /notifications/preferences`.
pub(crate) async fn preferences(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<PreferencesQuery>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "notifications");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    let preferences = match client
        .get_notification_preferences(ctx.call(pb::GetNotificationPreferencesRequest {}))
        .await
    {
        Ok(preferences) => preferences.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let kinds = KINDS
        .iter()
        .map(|(kind, code, legend)| {
            let chosen = preferences
                .kinds
                .iter()
                .find(|k| k.kind == *kind as i32)
                .map_or(0, |k| k.email);
            KindRow {
                code,
                legend: ctx.t(legend),
                choices: DELIVERIES
                    .iter()
                    .map(|(delivery, value, label)| Choice {
                        value,
                        label: ctx.t(label),
                        checked: chosen == *delivery as i32,
                    })
                    .collect(),
            }
        })
        .collect();
    let notice = (query.done == "saved").then(|| ctx.t("changes-saved"));
    let csrf = ctx.csrf(&state);
    page(
        &PreferencesPage {
            csrf,
            kinds,
            address: preferences.email_address,
            enabled: preferences.email_enabled,
            notice,
            ctx,
        },
        StatusCode::OK,
    )
}

/// The preferences form: `csrf`, and one `kind-{code}` per kind.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct PreferencesPosted {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    choices: std::collections::BTreeMap<String, String>,
}

impl Posted for PreferencesPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /notifications/preferences`: saves the kinds chosen.
pub(crate) async fn save_preferences(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<PreferencesPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "notifications");
    let (ctx, form) = match signed_in_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    let kinds: Vec<pb::KindPreference> = KINDS
        .iter()
        .filter_map(|(kind, code, _)| {
            let chosen = form.choices.get(&format!("kind-{code}"))?;
            let (delivery, ..) = DELIVERIES.iter().find(|(_, value, _)| value == chosen)?;
            Some(pb::KindPreference {
                kind: *kind as i32,
                email: *delivery as i32,
                default: false,
            })
        })
        .collect();
    if kinds.is_empty() {
        return see_other("/notifications/preferences", None);
    }
    match client
        .update_notification_preferences(
            ctx.call(pb::UpdateNotificationPreferencesRequest { kinds }),
        )
        .await
    {
        Ok(_) => see_other("/notifications/preferences?done=saved", None),
        Err(status) => problem(ctx, &status),
    }
}

#[derive(Template)]
#[template(path = "unsubscribe.html")]
struct UnsubscribePage {
    ctx: PageCtx,
    token: String,
    done: Option<String>,
}

web_pages!(UnsubscribePage);

#[derive(Debug, Default, Deserialize)]
pub(crate) struct UnsubscribeQuery {
    #[serde(default)]
    token: String,
}

/// `GET /unsubscribe?token=…`: asks to confirm (a link opened by a mail
/// program's preview must not act).
pub(crate) async fn unsubscribe_page(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<UnsubscribeQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "");
    if query.token.is_empty() {
        return problem(ctx, &tonic::Status::not_found("unsubscribe link"));
    }
    page(
        &UnsubscribePage {
            ctx,
            token: query.token,
            done: None,
        },
        StatusCode::OK,
    )
}

/// The form of the unsubscribe page, or a mail program's one-click body
/// (`List-Unsubscribe=One-Click`, the token in the address).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct UnsubscribePosted {
    #[serde(default)]
    token: String,
}

/// `POST /unsubscribe`: stops the e-mails the token names.
pub(crate) async fn unsubscribe(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<UnsubscribeQuery>,
    form: Result<Form<UnsubscribePosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "");
    let token = if query.token.is_empty() {
        form.map(|Form(f)| f.token).unwrap_or_default()
    } else {
        query.token
    };
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    match client
        .unsubscribe(tonic::Request::new(pb::UnsubscribeRequest { token }))
        .await
    {
        Ok(stopped) => {
            let kind = stopped.into_inner().kind;
            let done = match KINDS.iter().find(|(k, ..)| *k as i32 == kind) {
                Some((_, _, legend)) => ctx.t_with("unsubscribed-kind", "kind", &ctx.t(legend)),
                None => ctx.t("unsubscribed-all"),
            };
            page(
                &UnsubscribePage {
                    ctx,
                    token: String::new(),
                    done: Some(done),
                },
                StatusCode::OK,
            )
        }
        Err(status) if status.code() == tonic::Code::Unauthenticated => problem_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "unsubscribe-invalid-title",
            "unsubscribe-invalid-text",
        ),
        Err(status) => problem(ctx, &status),
    }
}

/// `GET /me/export/notifications`: what the notifications service holds
/// about the person, as the REST API's JSON.
pub(crate) async fn export(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "me");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = client(&state) else {
        return unavailable(ctx);
    };
    let data = match client
        .export_my_notification_data(ctx.call(pb::ExportMyNotificationDataRequest {}))
        .await
    {
        Ok(data) => data.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    crate::profile::json_download(
        ctx,
        &state,
        "interlink.notifications.v1.MyNotificationData",
        &prost::Message::encode_to_vec(&data),
        "my-interlink-notifications.json",
    )
}
