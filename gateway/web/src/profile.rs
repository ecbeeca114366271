//! The signed-in person's own page: their name, language and e-mail
//! addresses, the terms of use, a download of what community holds about
//! them, and erasing their account (refused, with community's reason,
//! while they are the last administrator of something).

use askama::Template;
use axum::extract::Form;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use interlink_proto::community::v1 as community;
use prost::Message;
use serde::Deserialize;

use crate::organizations::{
    ButtonPosted, ConfirmPage, community_client, community_form, no_community, sign_in_first,
};
use crate::pages::{Choice, FieldErrors, PageCtx, field_errors, page, problem, web_pages};
use crate::sign_in::{Posted, see_other};
use crate::{Lang, Shared, WebState};

/// The profile form: what it shows, and what was typed.
pub(crate) struct ProfileFields {
    pub(crate) name: String,
    pub(crate) locale: String,
    pub(crate) emails: String,
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    ctx: PageCtx,
    csrf: String,
    subject: String,
    email: String,
    admin: bool,
    /// When the terms were accepted, as (`YYYY-MM-DD`, in words).
    terms: Option<(String, String)>,
    fields: ProfileFields,
    languages: Vec<Choice>,
    errors: FieldErrors,
    notice: Option<String>,
}

web_pages!(ProfilePage);

/// The language choices, the four of the pages and the person's own when
/// it is another.
fn language_choices(ctx: &PageCtx, locale: &str) -> Vec<Choice> {
    let mut choices: Vec<Choice> = Lang::ALL
        .into_iter()
        .map(|lang| Choice {
            value: lang.tag(),
            label: lang.endonym().to_owned(),
            checked: lang.tag() == locale,
        })
        .collect();
    if !locale.is_empty() && choices.iter().all(|choice| !choice.checked) {
        choices.push(Choice {
            value: "other",
            label: ctx.t_with("language-other", "tag", locale),
            checked: true,
        });
    }
    choices
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ProfileQuery {
    #[serde(default)]
    done: String,
}

/// `GET /me`.
pub(crate) async fn profile(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    axum::extract::Query(query): axum::extract::Query<ProfileQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "me");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let notice = match query.done.as_str() {
        "saved" => Some(ctx.t("changes-saved")),
        "terms" => Some(ctx.t("terms-accepted")),
        _ => None,
    };
    render(&state, ctx, None, FieldErrors::default(), notice).await
}

/// The profile page, with `typed` in its form when it came back with
/// `errors`.
async fn render(
    state: &WebState,
    mut ctx: PageCtx,
    typed: Option<ProfileFields>,
    errors: FieldErrors,
    notice: Option<String>,
) -> Response {
    let Some(mut client) = community_client(state) else {
        return no_community(ctx);
    };
    let me = match client.get_me(ctx.call(community::GetMeRequest {})).await {
        Ok(me) => me.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let fields = typed.unwrap_or_else(|| ProfileFields {
        name: me.display_name.clone(),
        locale: me.locale.clone(),
        emails: me.additional_emails.join("\n"),
    });
    let terms = me
        .terms_accepted_time
        .as_ref()
        .map(|t| (crate::i18n::iso_date(t.seconds), ctx.lang.date(t.seconds)));
    let csrf = ctx.csrf(state);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let languages = language_choices(&ctx, &fields.locale);
    page(
        &ProfilePage {
            csrf,
            subject: me.subject,
            email: me.email,
            admin: me.platform_admin,
            terms,
            fields,
            languages,
            errors,
            notice,
            ctx,
        },
        status,
    )
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ProfilePosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    locale: String,
    #[serde(default)]
    emails: String,
}

impl Posted for ProfilePosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /me`: saves the name, language and further e-mail addresses (one
/// per line), then shows the page again with the new name in its header.
pub(crate) async fn update(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<ProfilePosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "me");
    let (ctx, form, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let emails: Vec<String> = form
        .emails
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    // "other" keeps the language the person has, which the form cannot name.
    let mut paths = vec!["display_name", "additional_emails"];
    if form.locale != "other" {
        paths.push("locale");
    }
    let request = community::UpdateMeRequest {
        user: Some(community::User {
            display_name: form.name.clone(),
            locale: form.locale.clone(),
            additional_emails: emails,
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: paths.into_iter().map(str::to_owned).collect(),
        }),
    };
    match client.update_me(ctx.call(request)).await {
        Ok(me) => {
            // The header shows the new name from now on.
            let me = me.into_inner();
            let cookie = ctx.session().cloned().and_then(|mut session| {
                if let Some(user) = session.user.as_mut() {
                    user.name = me.display_name.clone();
                }
                state.sessions.write(&session)
            });
            see_other("/me?done=saved", cookie)
        }
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(
                &ctx,
                &status,
                &[
                    ("user.display_name", "name", "profile-name-invalid"),
                    ("user.locale", "locale-en", "profile-locale-invalid"),
                    ("user.additional_emails", "emails", "profile-emails-invalid"),
                ],
            );
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            let typed = ProfileFields {
                name: form.name,
                locale: form.locale,
                emails: form.emails,
            };
            render(&state, ctx, Some(typed), errors, None).await
        }
        Err(status) => problem(ctx, &status),
    }
}

/// `POST /me/terms`: accepts the terms of use.
pub(crate) async fn accept_terms(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "me");
    let (ctx, _, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    match client
        .accept_terms(ctx.call(community::AcceptTermsRequest {}))
        .await
    {
        Ok(_) => see_other("/me?done=terms", None),
        Err(status) => problem(ctx, &status),
    }
}

/// `GET /me/export`: what community holds about the person, as the JSON
/// the REST API answers (`GET /v1/users/me:export`), downloaded.
pub(crate) async fn export(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "me");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = community_client(&state) else {
        return no_community(ctx);
    };
    let data = match client
        .export_my_data(ctx.call(community::ExportMyDataRequest {}))
        .await
    {
        Ok(data) => data.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    json_download(
        ctx,
        &state,
        "interlink.community.v1.MyData",
        &data.encode_to_vec(),
        "my-interlink-data.json",
    )
}

/// A message (its full name, its bytes) as a JSON file to download,
/// written as the REST API writes it; never stored by caches.
pub(crate) fn json_download(
    ctx: PageCtx,
    state: &WebState,
    message: &str,
    bytes: &[u8],
    filename: &'static str,
) -> Response {
    let Some(json) = state
        .services
        .to_json
        .as_ref()
        .and_then(|to_json| to_json(message, bytes))
    else {
        tracing::error!(message, "no JSON for an export of personal data");
        return problem(ctx, &tonic::Status::internal("no JSON writer"));
    };
    let mut response = (StatusCode::OK, json).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /me/erase`: what erasing the account does, and the button.
pub(crate) async fn confirm_erase(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "me");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let csrf = ctx.csrf(&state);
    page(
        &ConfirmPage {
            title: ctx.t("erase-title"),
            text: ctx.t("erase-text"),
            action: "/me/erase".to_owned(),
            csrf,
            button: ctx.t("erase-button"),
            back: "/me".to_owned(),
            ctx,
        },
        StatusCode::OK,
    )
}

/// `POST /me/erase`: erases the account, ends the session and goes home.
pub(crate) async fn erase(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "me");
    let (ctx, _, mut client) = match community_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    match client
        .erase_user(ctx.call(community::EraseUserRequest {
            name: "users/me".to_owned(),
        }))
        .await
    {
        Ok(_) => see_other("/?erased=1", Some(state.sessions.clear())),
        Err(status) => problem(ctx, &status),
    }
}
