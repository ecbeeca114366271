//! The pages: each gathers its data from the services, then renders its
//! template in the request's language.

use askama::Template;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use fluent_bundle::FluentValue;
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::common::v1::TranslatableText;

use crate::session::{Found, Session, SetCookies, SignedIn};
use crate::sign_in::FieldError;
use crate::{Lang, Shared, WebState, assets, request_language};

/// What every page's frame needs: language, site name, where we are, and
/// who is signed in.
pub(crate) struct PageCtx {
    pub(crate) lang: Lang,
    pub(crate) site: String,
    /// `home`, `catalogue` …, for the menu's current item.
    pub(crate) section: &'static str,
    /// The path and query of this page, for the language links.
    path: String,
    session: Option<Session>,
    /// The session cookie to send, when the session began or changed.
    set_cookie: Option<SetCookies>,
    /// A message about the visit itself (the session ended …).
    pub(crate) notice: Option<String>,
    /// Whether a way to sign in exists here.
    pub(crate) can_sign_in: bool,
    /// The stylesheet of the PA's colours, when set.
    pub(crate) brand_css: Option<String>,
    /// The PA's logo, when set.
    pub(crate) logo: Option<String>,
    /// The signed-in person's unseen notifications, when read for this
    /// page (see [`crate::notifications::bell`]).
    unseen: Option<i64>,
}

/// A page template: it has the frame's context.
pub(crate) trait WebPage: Template {
    fn ctx(&self) -> &PageCtx;
}

/// Each page struct has a `ctx` field.
macro_rules! web_pages {
    ($($page:ty),* $(,)?) => {
        $(impl $crate::pages::WebPage for $page {
            fn ctx(&self) -> &$crate::pages::PageCtx {
                &self.ctx
            }
        })*
    };
}
pub(crate) use web_pages;

/// One entry of the language switcher.
pub(crate) struct LanguageChoice {
    pub(crate) tag: &'static str,
    pub(crate) name: &'static str,
    pub(crate) href: String,
    pub(crate) current: bool,
}

impl PageCtx {
    pub(crate) fn new(
        state: &WebState,
        headers: &HeaderMap,
        uri: &Uri,
        section: &'static str,
    ) -> Self {
        let lang = request_language(headers, state.settings.default_language);
        let (session, set_cookie, notice) = match state.sessions.read(headers) {
            Found::None => (None, None, None),
            Found::Valid(session) => (Some(session), None, None),
            Found::Ended(session, _) => {
                let cookie = state.sessions.write(&session);
                (
                    Some(session),
                    cookie,
                    Some(lang.message("session-ended", &[])),
                )
            }
        };
        Self {
            lang,
            site: state.settings.site_name.clone(),
            section,
            path: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            session,
            set_cookie,
            notice,
            can_sign_in: state.sign_in.dev.is_some() || state.oidc.is_some(),
            brand_css: state.brand_href.clone(),
            logo: state.settings.logo_url.clone(),
            unseen: crate::notifications::unseen_count(),
        }
    }

    /// The frame of a page the gateway answers itself (a refusal, an
    /// unknown path): the visitor's language, no session.
    pub(crate) fn bare(settings: &crate::WebSettings, headers: &HeaderMap) -> Self {
        Self {
            lang: request_language(headers, settings.default_language),
            site: settings.site_name.clone(),
            section: "",
            path: "/".to_owned(),
            session: None,
            set_cookie: None,
            notice: None,
            can_sign_in: false,
            brand_css: settings.brand_css().map(|(href, _)| href),
            logo: settings.logo_url.clone(),
            unseen: None,
        }
    }

    /// The signed-in person, if any.
    pub(crate) fn user(&self) -> Option<&SignedIn> {
        self.session.as_ref()?.user.as_ref()
    }

    /// Whether the signed-in person is a platform administrator: only to
    /// offer the links to their pages; the services decide.
    pub(crate) fn platform_admin(&self) -> bool {
        self.user().is_some_and(|user| user.admin)
    }

    /// The session, if the visitor has one.
    pub(crate) fn session(&self) -> Option<&Session> {
        self.session.as_ref()
    }

    /// The bell's count: the unseen notifications, when there are some.
    pub(crate) fn bell_count(&self) -> Option<i64> {
        self.unseen.filter(|n| *n > 0)
    }

    /// What the bell's count means, for screen readers.
    pub(crate) fn bell_unseen(&self, count: &i64) -> String {
        self.lang
            .message("bell-unseen", &[("count", FluentValue::from(*count))])
    }

    /// "Signed in as …" for the header.
    pub(crate) fn signed_in_as(&self) -> Option<String> {
        self.user()
            .map(|user| self.t_with("signed-in-as", "name", &user.name))
    }

    /// The CSRF token for a form on this page, beginning an anonymous
    /// session when the visitor has none (so forms before sign-in, the
    /// sign-in form itself included, are protected too).
    pub(crate) fn csrf(&mut self, state: &WebState) -> String {
        if let Some(session) = &self.session {
            return session.csrf.clone();
        }
        let session = Session::new(None);
        self.set_cookie = state.sessions.write(&session);
        let csrf = session.csrf.clone();
        self.session = Some(session);
        csrf
    }

    /// The current session's CSRF token ("" without one), for the header's
    /// sign-out form, shown only to signed-in visitors.
    pub(crate) fn session_csrf(&self) -> &str {
        self.session.as_ref().map_or("", |s| s.csrf.as_str())
    }

    /// The sign-in link, coming back here afterwards.
    pub(crate) fn sign_in_href(&self) -> String {
        if self.path.starts_with("/sign-in") {
            return "/sign-in".to_owned();
        }
        format!("/sign-in?next={}", form_urlencoded_component(&self.path))
    }

    /// `message` as a call to a service, with the signed-in person's token.
    pub(crate) fn call<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        if let Some(user) = self.user() {
            match format!("Bearer {}", user.token).parse() {
                Ok(value) => {
                    request.metadata_mut().insert("authorization", value);
                }
                Err(_) => tracing::warn!("a session's token is not a header value"),
            }
        }
        request
    }

    /// The message `id` in the page's language.
    pub(crate) fn t(&self, id: &str) -> String {
        self.lang.message(id, &[])
    }

    /// The message `id` with one argument.
    pub(crate) fn t_with(&self, id: &str, name: &str, value: &str) -> String {
        self.lang
            .message(id, &[(name, FluentValue::from(value.to_owned()))])
    }

    pub(crate) fn css(&self) -> &'static str {
        assets::APP_CSS
    }

    /// The bell's script, which keeps its count live.
    pub(crate) fn bell_js(&self) -> &'static str {
        assets::BELL_JS
    }

    /// The script that keeps a process's feed live.
    pub(crate) fn feed_js(&self) -> &'static str {
        assets::FEED_JS
    }

    pub(crate) fn favicon(&self) -> &'static str {
        assets::FAVICON_SVG
    }

    pub(crate) fn footer(&self) -> String {
        self.t_with("footer-text", "site", &self.site)
    }

    pub(crate) fn languages(&self) -> Vec<LanguageChoice> {
        let next: String = form_urlencoded_component(&self.path);
        Lang::ALL
            .into_iter()
            .map(|lang| LanguageChoice {
                tag: lang.tag(),
                name: lang.endonym(),
                href: format!("/language/{}?next={next}", lang.tag()),
                current: lang == self.lang,
            })
            .collect()
    }
}

/// `value` percent-encoded for a query parameter.
/// An id of a path when it is a UUID (lower-case, hyphenated), as the
/// services name their resources; any other names nothing (and never
/// reaches a service's resource name).
pub(crate) fn path_uuid(id: &str) -> Option<&str> {
    let shaped = id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        });
    shaped.then_some(id)
}

pub(crate) fn form_urlencoded_component(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A text shown in the page's language, or in another one (then named, so
/// screen readers read it in its own language).
#[derive(Clone)]
pub(crate) struct Shown {
    pub(crate) text: String,
    /// The text's language when it is not the page's.
    pub(crate) lang: Option<String>,
}

/// A translatable text in `lang`, else English, else its first language.
pub(crate) fn shown(text: Option<&TranslatableText>, lang: Lang) -> Shown {
    let Some(values) = text.map(|t| &t.values) else {
        return Shown {
            text: String::new(),
            lang: None,
        };
    };
    if let Some(text) = values.get(lang.tag()) {
        return Shown {
            text: text.clone(),
            lang: None,
        };
    }
    let other = values
        .get_key_value("en")
        .or_else(|| values.iter().min_by(|a, b| a.0.cmp(b.0)));
    match other {
        Some((tag, text)) => Shown {
            text: text.clone(),
            lang: Some(tag.clone()),
        },
        None => Shown {
            text: String::new(),
            lang: None,
        },
    }
}

/// A rendered page with its language headers, its session cookie when it
/// changed, and `status`. A visitor's own pages are never stored by caches.
pub(crate) fn page(template: &impl WebPage, status: StatusCode) -> Response {
    let ctx = template.ctx();
    match template.render() {
        Ok(html) => {
            let mut response = (status, axum::response::Html(html)).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(ctx.lang.tag()),
            );
            headers.insert(
                header::VARY,
                HeaderValue::from_static("Cookie, Accept-Language"),
            );
            if ctx.session.is_some() {
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            }
            if let Some(cookies) = &ctx.set_cookie {
                cookies.apply(headers);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "a page did not render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "problem.html")]
pub(crate) struct ProblemPage {
    pub(crate) ctx: PageCtx,
    pub(crate) title: String,
    pub(crate) text: String,
}

web_pages!(ProblemPage, HomePage);

/// The mistakes of a posted form, each shown beside its input and in the
/// summary above the form.
#[derive(Default)]
pub(crate) struct FieldErrors(pub(crate) Vec<FieldError>);

impl FieldErrors {
    /// The message for the input `field`, if it has one.
    pub(crate) fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.text.as_str())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn list(&self) -> &[FieldError] {
        &self.0
    }
}

/// A service's field violations as a form's messages: each violation whose
/// field starts with a rule's prefix becomes that rule's message beside the
/// rule's input (once per input). Violations of other fields are left out.
pub(crate) fn field_errors(
    ctx: &PageCtx,
    status: &tonic::Status,
    rules: &[(&str, &'static str, &str)],
) -> FieldErrors {
    use tonic_types::StatusExt;
    let mut errors = FieldErrors::default();
    let Some(bad) = status.get_details_bad_request() else {
        return errors;
    };
    for violation in &bad.field_violations {
        let Some((_, input, message)) = rules
            .iter()
            .find(|(prefix, _, _)| violation.field.starts_with(prefix))
        else {
            continue;
        };
        if errors.get(input).is_none() {
            errors.0.push(FieldError {
                field: input,
                text: ctx.t(message),
            });
        }
    }
    errors
}

/// One choice of a group of radio buttons.
pub(crate) struct Choice {
    pub(crate) value: &'static str,
    pub(crate) label: String,
    pub(crate) checked: bool,
}

/// A page saying what went wrong, with `status`.
pub(crate) fn problem_page(ctx: PageCtx, status: StatusCode, title: &str, text: &str) -> Response {
    let (title, text) = (ctx.t(title), ctx.t(text));
    page(&ProblemPage { ctx, title, text }, status)
}

/// The page for a service's refusal or silence.
pub(crate) fn problem(ctx: PageCtx, status: &tonic::Status) -> Response {
    let (http_status, title, text) = match status.code() {
        tonic::Code::InvalidArgument => (
            StatusCode::BAD_REQUEST,
            ctx.t("bad-request-title"),
            status.message().to_owned(),
        ),
        tonic::Code::NotFound => (
            StatusCode::NOT_FOUND,
            ctx.t("not-found-title"),
            ctx.t("not-found-text"),
        ),
        tonic::Code::PermissionDenied => (
            StatusCode::FORBIDDEN,
            ctx.t("forbidden-title"),
            ctx.t("forbidden-text"),
        ),
        tonic::Code::Unauthenticated => (
            StatusCode::UNAUTHORIZED,
            ctx.t("sign-in-needed-title"),
            ctx.t("sign-in-needed-text"),
        ),
        // The service's reason names what stands in the way (the last
        // administrator, a team still there …); it is written in English.
        tonic::Code::FailedPrecondition | tonic::Code::AlreadyExists | tonic::Code::Aborted => (
            StatusCode::CONFLICT,
            ctx.t("conflict-title"),
            ctx.t_with("conflict-text", "reason", status.message()),
        ),
        tonic::Code::ResourceExhausted => (
            StatusCode::TOO_MANY_REQUESTS,
            ctx.t("too-many-title"),
            ctx.t("too-many-text"),
        ),
        _ => {
            tracing::warn!(code = ?status.code(), message = status.message(), "a page's call failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                ctx.t("unavailable-title"),
                ctx.t("unavailable-text"),
            )
        }
    };
    page(&ProblemPage { ctx, title, text }, http_status)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
    processes: Vec<crate::processes::ProcessRow>,
    stories: Vec<crate::processes::StoryRow>,
    highlights: Vec<Highlight>,
}

/// An interlinker shown on the home page.
pub(crate) struct Highlight {
    pub(crate) href: String,
    pub(crate) title: Shown,
    pub(crate) nature: String,
}

/// How many processes, stories and interlinkers the home page shows.
const HOME_ITEMS: i32 = 3;

/// `GET /`: what the platform is for, public processes under way, the
/// newest stories and the catalogue's best rated, all asked for at once.
/// A part that does not answer is left out rather than failing the page.
pub(crate) async fn home(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "home");
    if uri.query() == Some("erased=1") {
        ctx.notice = Some(ctx.t("account-erased"));
    }
    let (processes, stories, highlights) = tokio::join!(
        crate::processes::home_processes(&state, &ctx, HOME_ITEMS),
        crate::processes::home_stories(&state, &ctx, HOME_ITEMS),
        highlights(&state, &ctx),
    );
    page(
        &HomePage {
            ctx,
            processes,
            stories,
            highlights,
        },
        StatusCode::OK,
    )
}

/// The catalogue's best rated interlinkers (an empty search ranks them so).
async fn highlights(state: &WebState, ctx: &PageCtx) -> Vec<Highlight> {
    let mut client = catalogue::catalogue_service_client::CatalogueServiceClient::new(
        state.services.catalogue.clone(),
    );
    let request = catalogue::SearchInterlinkersRequest {
        page_size: HOME_ITEMS,
        ..Default::default()
    };
    match client.search_interlinkers(ctx.call(request)).await {
        Ok(answer) => answer
            .into_inner()
            .results
            .iter()
            .filter_map(|r| r.interlinker.as_ref())
            .map(|i| Highlight {
                href: crate::interlinker::interlinker_href(&i.name),
                title: shown(i.title.as_ref(), ctx.lang),
                nature: ctx.t(nature_message(i.nature)),
            })
            .collect(),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "the home page's highlights did not come");
            Vec::new()
        }
    }
}

pub(crate) fn nature_message(nature: i32) -> &'static str {
    match catalogue::Nature::try_from(nature) {
        Ok(catalogue::Nature::Knowledge) => "nature-knowledge",
        Ok(catalogue::Nature::ExternalSoftware) => "nature-external-software",
        Ok(catalogue::Nature::ExternalKnowledge) => "nature-external-knowledge",
        _ => "nature-software",
    }
}

/// `text`'s paragraphs: each non-empty line is one (single line breaks
/// kept as spaces would lose lists).
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The people named `names` (`users/{id}`), in one call to community;
/// none if it is not there or fails (pages then say "someone").
pub(crate) async fn people(
    state: &WebState,
    ctx: &PageCtx,
    names: impl Iterator<Item = String>,
) -> Vec<interlink_proto::community::v1::User> {
    use interlink_proto::community::v1 as community;
    let Some(channel) = state.services.community.clone() else {
        return Vec::new();
    };
    let mut names: Vec<String> = names.filter(|n| !n.is_empty()).collect();
    names.sort();
    names.dedup();
    if names.is_empty() {
        return Vec::new();
    }
    let mut client = community::community_service_client::CommunityServiceClient::new(channel);
    match client
        .batch_get_users(ctx.call(community::BatchGetUsersRequest { names }))
        .await
    {
        Ok(answer) => answer.into_inner().users,
        Err(status) => {
            tracing::warn!(code = ?status.code(), "display names did not come");
            Vec::new()
        }
    }
}

/// The display name of `name` among `people`, else "someone".
pub(crate) fn display_name(
    ctx: &PageCtx,
    people: &[interlink_proto::community::v1::User],
    name: &str,
) -> String {
    people
        .iter()
        .find(|p| p.name == name && !p.display_name.is_empty())
        .map_or_else(|| ctx.t("someone"), |p| p.display_name.clone())
}

/// The page of resource `name` (`kind/{id}`) under `base`, its id
/// percent-encoded whole so it stays one path segment.
pub(crate) fn resource_href(base: &str, name: &str) -> String {
    let id = name.split_once('/').map_or(name, |(_, id)| id);
    let mut href = String::from(base);
    href.push('/');
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' {
            href.push(char::from(b));
        } else {
            href.push_str(&format!("%{b:02X}"));
        }
    }
    href
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(values: &[(&str, &str)]) -> TranslatableText {
        TranslatableText {
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn a_text_shows_in_the_page_language_else_english_else_its_first_named() {
        let both = text(&[("en", "Survey"), ("es", "Encuesta")]);
        let es = shown(Some(&both), Lang::Es);
        assert_eq!((es.text.as_str(), es.lang), ("Encuesta", None));
        let lv = shown(Some(&both), Lang::Lv);
        assert_eq!(
            (lv.text.as_str(), lv.lang.as_deref()),
            ("Survey", Some("en"))
        );
        let italian_only = text(&[("it", "Sondaggio"), ("de", "Umfrage")]);
        let en = shown(Some(&italian_only), Lang::En);
        assert_eq!(
            (en.text.as_str(), en.lang.as_deref()),
            ("Umfrage", Some("de"))
        );
        assert_eq!(shown(None, Lang::En).text, "");
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(
            form_urlencoded_component("/catalogue?q=a b&c"),
            "/catalogue%3Fq%3Da%20b%26c"
        );
    }
}
