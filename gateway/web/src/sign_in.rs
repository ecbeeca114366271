//! Signing in and out. With the deployment's dev signer on (`interlink
//! up`), the dev sign-in page lets one be anyone: the same person as
//! `interlink token --sub <subject>`. Without it the page does not exist.
//! Every form here carries the session's CSRF token and must come from
//! this site; a sign-in begins a new session (new id, new token).

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use interlink_proto::community::v1 as community;
use interlink_proto::community::v1::community_service_client::CommunityServiceClient;
use serde::Deserialize;
use subtle::ConstantTimeEq;

use crate::oidc::{Oidc, PENDING_COOKIE, PENDING_SECS, Pending};
use crate::pages::{PageCtx, page, problem_page, web_pages};
use crate::session::{Session, SetCookies, SignedIn, now_secs, same_origin};
use crate::{DevToken, Shared, WebState, is_local_path};

/// The longest subject the dev page takes.
const SUBJECT_MAX: usize = 64;
/// The longest display name the dev page takes.
const NAME_MAX: usize = 100;

/// An input's message, shown beside it and in the summary above the form.
pub(crate) struct FieldError {
    /// The input's id.
    pub(crate) field: &'static str,
    pub(crate) text: String,
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    ctx: PageCtx,
    csrf: String,
    next: String,
    subject: String,
    name: String,
    admin: bool,
    errors: Vec<FieldError>,
}

web_pages!(SignInPage);

impl SignInPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.text.as_str())
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInQuery {
    #[serde(default)]
    next: String,
}

/// Where to go after signing in: `next` when it is a path of this site.
fn local_next(next: &str) -> String {
    if is_local_path(next) && !next.starts_with("/sign-in") {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

/// The page for a path that does not exist here.
fn not_found(ctx: PageCtx) -> Response {
    problem_page(
        ctx,
        StatusCode::NOT_FOUND,
        "not-found-title",
        "not-found-text",
    )
}

/// `GET /sign-in?next=/path`: the dev sign-in form.
pub(crate) async fn sign_in_page(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<SignInQuery>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "sign-in");
    if let Some(oidc) = &state.oidc {
        return begin_oidc(&state, oidc, ctx, local_next(&query.next)).await;
    }
    if state.sign_in.dev.is_none() {
        return not_found(ctx);
    }
    let csrf = ctx.csrf(&state);
    page(
        &SignInPage {
            ctx,
            csrf,
            next: local_next(&query.next),
            subject: String::new(),
            name: String::new(),
            admin: false,
            errors: Vec::new(),
        },
        StatusCode::OK,
    )
}

/// Sends the visitor to the PA's OpenID provider, keeping the sign-in's
/// secrets sealed in a cookie only the callback receives.
async fn begin_oidc(state: &WebState, oidc: &Oidc, ctx: PageCtx, next: String) -> Response {
    let begun = oidc.begin(next, ctx.lang.tag()).await;
    let (url, pending) = match begun {
        Ok(begun) => begun,
        Err(e) => {
            tracing::error!(error = %e, "cannot send people to the OpenID provider");
            return problem_page(
                ctx,
                StatusCode::SERVICE_UNAVAILABLE,
                "sign-in-unavailable-title",
                "sign-in-unavailable-text",
            );
        }
    };
    let cookie = serde_json::to_string(&pending).ok().and_then(|json| {
        state
            .sessions
            .sealed_cookie(PENDING_COOKIE, json, PENDING_SECS)
    });
    let Some(cookie) = cookie else {
        return problem_page(
            ctx,
            StatusCode::INTERNAL_SERVER_ERROR,
            "unavailable-title",
            "unavailable-text",
        );
    };
    see_other(&url, Some(SetCookies::one(cookie)))
}

/// What the OpenID provider sends back.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CallbackQuery {
    #[serde(default)]
    code: String,
    #[serde(default)]
    state: String,
    /// Set when the person did not sign in (`access_denied`, …).
    #[serde(default)]
    error: String,
}

/// `GET /sign-in/callback?code&state`: the provider sends the person back.
/// Only the browser that began this sign-in (its sealed cookie) with the
/// same `state` gets in, once: the cookie is removed whatever happens, so
/// a replayed or forged answer finds nothing to finish.
pub(crate) async fn callback(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    query: Result<Query<CallbackQuery>, QueryRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "sign-in");
    let Some(oidc) = &state.oidc else {
        return not_found(ctx);
    };
    let spent = SetCookies::one(state.sessions.sealed_removal(PENDING_COOKIE));
    let refused = |ctx: PageCtx, status: StatusCode, title: &str, text: &str| {
        let mut response = problem_page(ctx, status, title, text);
        spent.apply(response.headers_mut());
        response
    };
    let pending = state
        .sessions
        .read_sealed(&headers, PENDING_COOKIE)
        .and_then(|json| serde_json::from_str::<Pending>(&json).ok())
        // The browser keeps it no longer; neither does the server.
        .filter(|pending| pending.issued_at + PENDING_SECS.unsigned_abs() > now_secs());
    let Some(pending) = pending else {
        tracing::info!("a sign-in came back that this browser did not begin, or came back twice");
        return refused(
            ctx,
            StatusCode::BAD_REQUEST,
            "sign-in-expired-title",
            "sign-in-expired-text",
        );
    };
    let Ok(Query(query)) = query else {
        return refused(
            ctx,
            StatusCode::BAD_REQUEST,
            "sign-in-refused-title",
            "sign-in-refused-text",
        );
    };
    // The state first: a forged answer (an error included) must not
    // spend or cancel this browser's sign-in.
    if !bool::from(pending.state.as_bytes().ct_eq(query.state.as_bytes())) {
        tracing::warn!("a sign-in came back with another state than it left with");
        return refused(
            ctx,
            StatusCode::BAD_REQUEST,
            "sign-in-refused-title",
            "sign-in-refused-text",
        );
    }
    if !query.error.is_empty() || query.code.is_empty() {
        let error: String = query.error.chars().take(64).collect();
        tracing::info!(error = ?error, "the OpenID provider did not sign the person in");
        return refused(
            ctx,
            StatusCode::BAD_REQUEST,
            "sign-in-cancelled-title",
            "sign-in-cancelled-text",
        );
    }
    let next = pending.next.clone();
    let tokens = match oidc.finish(pending, query.code).await {
        Ok(tokens) => tokens,
        Err(e) => {
            tracing::warn!(error = %e, "a sign-in with the OpenID provider failed");
            return refused(
                ctx,
                StatusCode::BAD_GATEWAY,
                "sign-in-failed-title",
                "sign-in-failed-text",
            );
        }
    };
    let registered = registered(&state, &tokens.access_token).await;
    let user_name = registered
        .as_ref()
        .map(|me| me.name.clone())
        .unwrap_or_default();
    let name = match registered.map(|me| me.display_name) {
        Some(registered) if !registered.is_empty() => registered,
        _ => tokens.name.unwrap_or_else(|| tokens.subject.clone()),
    };
    let session = Session::new(Some(SignedIn {
        subject: tokens.subject,
        user_name,
        name,
        admin: tokens.admin,
        token: tokens.access_token,
        expires_at: tokens.expires_at,
        refresh_token: tokens.refresh_token,
        id_token: tokens.id_token,
    }));
    let Some(cookies) = state.sessions.write(&session) else {
        return refused(
            ctx,
            StatusCode::INTERNAL_SERVER_ERROR,
            "unavailable-title",
            "unavailable-text",
        );
    };
    tracing::info!(session = %session.id, "signed in with the OpenID provider");
    see_other(&local_next(&next), Some(cookies.and(spent)))
}

/// The dev sign-in form as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    name: String,
    /// Present (any value) when the box is ticked.
    #[serde(default)]
    admin: Option<String>,
}

/// Why a posted form is refused before it is read: it did not come from
/// this site's page, or the page's session is gone.
pub(crate) fn form_refused(ctx: PageCtx) -> Response {
    problem_page(
        ctx,
        StatusCode::FORBIDDEN,
        "form-refused-title",
        "form-refused-text",
    )
}

/// Whether a posted form may be acted on: from this site, with the token
/// of the visitor's session.
pub(crate) fn form_allowed(
    state: &WebState,
    headers: &HeaderMap,
    ctx: &PageCtx,
    csrf: &str,
) -> bool {
    same_origin(headers, state.settings.public_url.as_deref())
        && ctx
            .session()
            .is_some_and(|session| session.csrf_matches(csrf))
}

/// A posted form: it carries the session's CSRF token.
pub(crate) trait Posted {
    fn csrf(&self) -> &str;
}

/// The checks before a signed-in person's form is acted on: a readable
/// form, from this site, with the session's token, from someone signed in.
/// `Err` is the page to answer with instead.
// The `Err` is the response sent at once, so boxing it would gain nothing.
#[allow(clippy::result_large_err)]
pub(crate) fn signed_in_form<T: Posted>(
    state: &WebState,
    headers: &HeaderMap,
    ctx: PageCtx,
    form: Result<Form<T>, FormRejection>,
) -> Result<(PageCtx, T), Response> {
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return Err(unreadable_form(ctx, &rejection)),
    };
    if !form_allowed(state, headers, &ctx, form.csrf()) {
        return Err(form_refused(ctx));
    }
    if ctx.user().is_none() {
        // The session ended between the page and the post.
        return Err(problem_page(
            ctx,
            StatusCode::UNAUTHORIZED,
            "sign-in-needed-title",
            "sign-in-needed-text",
        ));
    }
    Ok((ctx, form))
}

/// The page for a body that is not a form.
pub(crate) fn unreadable_form(ctx: PageCtx, rejection: &FormRejection) -> Response {
    tracing::debug!(%rejection, "a form could not be read");
    problem_page(
        ctx,
        StatusCode::BAD_REQUEST,
        "bad-request-title",
        "bad-request-text",
    )
}

/// `POST /sign-in`: checks the form, then begins a new signed-in session
/// and goes on to `next`. Mistakes come back beside their inputs, with
/// what was typed kept.
pub(crate) async fn sign_in_submit(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "sign-in");
    let Some(dev) = state.sign_in.dev.clone() else {
        return not_found(ctx);
    };
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return unreadable_form(ctx, &rejection),
    };
    if !form_allowed(&state, &headers, &ctx, &form.csrf) {
        return form_refused(ctx);
    }
    let subject = form.subject.trim().to_owned();
    let name = form.name.trim().to_owned();
    let mut errors = Vec::new();
    if subject.is_empty() {
        errors.push(FieldError {
            field: "subject",
            text: ctx.t("sign-in-subject-missing"),
        });
    } else if subject.chars().count() > SUBJECT_MAX
        || !subject
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'@' | b'-'))
    {
        errors.push(FieldError {
            field: "subject",
            text: ctx.t("sign-in-subject-invalid"),
        });
    }
    if name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        errors.push(FieldError {
            field: "name",
            text: ctx.t("sign-in-name-invalid"),
        });
    }
    let admin = form.admin.is_some();
    if !errors.is_empty() {
        let csrf = ctx.session_csrf().to_owned();
        return page(
            &SignInPage {
                ctx,
                csrf,
                next: local_next(&form.next),
                subject: form.subject,
                name: form.name,
                admin,
                errors,
            },
            StatusCode::BAD_REQUEST,
        );
    }
    let ttl = state.sign_in.dev_session;
    let token = match dev(&DevToken {
        subject: subject.clone(),
        name: (!name.is_empty()).then(|| name.clone()),
        admin,
        ttl,
    }) {
        Ok(token) => token,
        Err(e) => {
            tracing::error!(error = %e, "the dev signer made no token");
            return problem_page(
                ctx,
                StatusCode::INTERNAL_SERVER_ERROR,
                "unavailable-title",
                "unavailable-text",
            );
        }
    };
    // Community registers the person from the token at their first call,
    // and knows the name they chose for themselves since.
    let registered = registered(&state, &token).await;
    let user_name = registered
        .as_ref()
        .map(|me| me.name.clone())
        .unwrap_or_default();
    let name = match registered.map(|me| me.display_name) {
        Some(registered) if !registered.is_empty() => registered,
        _ if name.is_empty() => subject.clone(),
        _ => name,
    };
    let session = Session::new(Some(SignedIn {
        user_name,
        name,
        subject,
        admin,
        token,
        expires_at: now_secs() + ttl.as_secs(),
        refresh_token: None,
        id_token: None,
    }));
    tracing::info!(session = %session.id, "signed in with the dev sign-in page");
    see_other(&local_next(&form.next), state.sessions.write(&session))
}

/// The person community keeps for the bearer of `token` (registering them
/// on this first call), if the community service answers.
async fn registered(state: &WebState, token: &str) -> Option<community::User> {
    let channel = state.services.community.clone()?;
    let mut client = CommunityServiceClient::new(channel);
    let mut request = tonic::Request::new(community::GetMeRequest::default());
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse().ok()?);
    match client.get_me(request).await {
        Ok(me) => Some(me.into_inner()),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "community did not register a signed-in person");
            None
        }
    }
}

/// The sign-out form as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /sign-out`: ends the session and goes home.
pub(crate) async fn sign_out(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<SignOutForm>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "sign-out");
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return unreadable_form(ctx, &rejection),
    };
    if !form_allowed(&state, &headers, &ctx, &form.csrf) {
        return form_refused(ctx);
    }
    // Signed in with the PA's provider: it ends its own session too, then
    // sends the person home.
    let provider_end = match &state.oidc {
        Some(oidc) if ctx.session().is_some() => {
            // An ended session still names whose provider session to end.
            let id_token = state
                .sessions
                .signed_in_anyway(&headers)
                .and_then(|user| user.id_token);
            oidc.end_session_url(ctx.lang.tag(), id_token.as_deref())
                .await
        }
        _ => None,
    };
    see_other(
        provider_end.as_deref().unwrap_or("/"),
        Some(state.sessions.clear()),
    )
}

/// A 303 to `location`, setting `cookies`.
pub(crate) fn see_other(location: &str, cookies: Option<SetCookies>) -> Response {
    let mut response = Redirect::to(location).into_response();
    let headers = response.headers_mut();
    if let Some(cookies) = cookies {
        cookies.apply(headers);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_sign_in_the_visitor_goes_back_only_within_the_site() {
        assert_eq!(local_next("/catalogue?q=x"), "/catalogue?q=x");
        assert_eq!(local_next("//evil.example/"), "/");
        assert_eq!(local_next("https://evil.example/"), "/");
        assert_eq!(local_next("/sign-in?next=/"), "/");
        assert_eq!(local_next(""), "/");
    }
}
