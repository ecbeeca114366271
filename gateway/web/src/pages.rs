//! The pages: each gathers its data from the services, then renders its
//! template in the request's language.

use askama::Template;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use fluent_bundle::FluentValue;
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::common::v1::TranslatableText;
use serde::Deserialize;

use crate::{Lang, Shared, assets, request_language};

/// What every page's frame needs: language, site name, where we are.
pub(crate) struct PageCtx {
    pub(crate) lang: Lang,
    pub(crate) site: String,
    /// `home`, `catalogue` …, for the menu's current item.
    pub(crate) section: &'static str,
    /// The path and query of this page, for the language links.
    path: String,
}

/// One entry of the language switcher.
pub(crate) struct LanguageChoice {
    pub(crate) tag: &'static str,
    pub(crate) name: &'static str,
    pub(crate) href: String,
    pub(crate) current: bool,
}

impl PageCtx {
    fn new(state: &Shared, headers: &HeaderMap, uri: &Uri, section: &'static str) -> Self {
        Self {
            lang: request_language(headers, state.settings.default_language),
            site: state.settings.site_name.clone(),
            section,
            path: uri
                .path_and_query()
                .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
        }
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
fn form_urlencoded_component(value: &str) -> String {
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

/// A rendered page with its language headers and `status`.
fn page(template: &impl Template, lang: Lang, status: StatusCode) -> Response {
    match template.render() {
        Ok(html) => {
            let mut response = (status, axum::response::Html(html)).into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_LANGUAGE,
                HeaderValue::from_static(lang.tag()),
            );
            headers.insert(
                header::VARY,
                HeaderValue::from_static("Cookie, Accept-Language"),
            );
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
struct ProblemPage {
    ctx: PageCtx,
    title: String,
    text: String,
}

/// The page for a service's refusal or silence.
fn problem(ctx: PageCtx, status: &tonic::Status) -> Response {
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
        _ => {
            tracing::warn!(code = ?status.code(), message = status.message(), "a page's call failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                ctx.t("unavailable-title"),
                ctx.t("unavailable-text"),
            )
        }
    };
    let lang = ctx.lang;
    page(&ProblemPage { ctx, title, text }, lang, http_status)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    ctx: PageCtx,
}

/// `GET /`: what the platform is for, and the way into the catalogue.
pub(crate) async fn home(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "home");
    let lang = ctx.lang;
    page(&HomePage { ctx }, lang, StatusCode::OK)
}

/// The catalogue page's query.
#[derive(Debug, Deserialize)]
pub(crate) struct CatalogueQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
}

pub(crate) struct ResultRow {
    pub(crate) title: Shown,
    pub(crate) summary: Shown,
    pub(crate) nature: String,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    ctx: PageCtx,
    query: String,
    count: String,
    results: Vec<ResultRow>,
    next_page: Option<String>,
}

const PAGE_SIZE: i32 = 20;
const SUMMARY_CHARS: usize = 300;

/// `GET /catalogue?q=…&page=…`: the catalogue's ranked search, in pages.
pub(crate) async fn catalogue(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Query(query): Query<CatalogueQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "catalogue");
    let lang = ctx.lang;
    let mut client = catalogue::catalogue_service_client::CatalogueServiceClient::new(
        state.services.catalogue.clone(),
    );
    let request = catalogue::SearchInterlinkersRequest {
        query: query.q.clone(),
        page_size: PAGE_SIZE,
        page_token: query.page.clone(),
        ..Default::default()
    };
    let answer = match client.search_interlinkers(request).await {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let results = answer
        .results
        .iter()
        .filter_map(|r| r.interlinker.as_ref())
        .map(|i| {
            let mut summary = shown(i.description.as_ref(), lang);
            if summary.text.chars().count() > SUMMARY_CHARS {
                summary.text = summary.text.chars().take(SUMMARY_CHARS).collect::<String>() + "…";
            }
            ResultRow {
                title: shown(i.title.as_ref(), lang),
                summary,
                nature: ctx.t(nature_message(i.nature)),
            }
        })
        .collect();
    let count = lang.message(
        "results-count",
        &[
            ("count", FluentValue::from(answer.total_size)),
            ("shown", FluentValue::from(lang.number(answer.total_size))),
        ],
    );
    let next_page = (!answer.next_page_token.is_empty()).then(|| {
        format!(
            "/catalogue?q={}&page={}",
            form_urlencoded_component(&query.q),
            form_urlencoded_component(&answer.next_page_token)
        )
    });
    page(
        &CataloguePage {
            ctx,
            query: query.q,
            count,
            results,
            next_page,
        },
        lang,
        StatusCode::OK,
    )
}

fn nature_message(nature: i32) -> &'static str {
    match catalogue::Nature::try_from(nature) {
        Ok(catalogue::Nature::Knowledge) => "nature-knowledge",
        Ok(catalogue::Nature::ExternalSoftware) => "nature-external-software",
        Ok(catalogue::Nature::ExternalKnowledge) => "nature-external-knowledge",
        _ => "nature-software",
    }
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
