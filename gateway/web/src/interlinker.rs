//! An interlinker's page: what it is and how to use it, its ratings (with
//! a rate form for signed-in people) and related interlinkers. Its data is
//! three catalogue calls made at once and one batch of display names.
//! Another deployment's entry (a mirror) says where it came from, with its
//! signature; catalogue editors adopt it into a local draft, and share
//! this deployment's own entries with other deployments.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use fluent_bundle::FluentValue;
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use interlink_proto::community::v1 as community;
use serde::Deserialize;

use crate::pages::{
    PageCtx, Shown, nature_message, page, paragraphs, problem, problem_page, shown, web_pages,
};
use crate::sign_in::{FieldError, form_allowed, form_refused, see_other, unreadable_form};
use crate::{Lang, Shared, WebState};

/// Ratings shown on the page, newest first.
const RATINGS_SHOWN: i32 = 20;
/// Related interlinkers shown.
const RELATED_SHOWN: i32 = 5;

/// A titled block of translatable text, split into paragraphs.
pub(crate) struct Section {
    pub(crate) heading: String,
    pub(crate) paragraphs: Vec<String>,
    /// The text's language when it is not the page's.
    pub(crate) lang: Option<String>,
}

/// A link to another interlinker.
pub(crate) struct Related {
    pub(crate) href: String,
    pub(crate) title: Shown,
    pub(crate) nature: String,
}

/// One rating as shown.
pub(crate) struct RatingRow {
    pub(crate) stars: String,
    pub(crate) title: String,
    pub(crate) paragraphs: Vec<String>,
    pub(crate) author: String,
    /// `YYYY-MM-DD` for `<time datetime>`.
    pub(crate) iso_date: String,
    pub(crate) date: String,
}

/// A knowledge interlinker's template in one language.
pub(crate) struct Genesis {
    pub(crate) href: String,
    pub(crate) lang: String,
    pub(crate) label: String,
}

/// One choice of the rate form's 1-to-5 scale.
pub(crate) struct StarChoice {
    pub(crate) value: i32,
    pub(crate) label: String,
    pub(crate) checked: bool,
}

/// The rate form: what it shows, and what was typed.
pub(crate) struct RateForm {
    pub(crate) action: String,
    pub(crate) csrf: String,
    pub(crate) choices: Vec<StarChoice>,
    pub(crate) title: String,
    pub(crate) text: String,
    pub(crate) errors: Vec<FieldError>,
    /// The person rated it before: the form replaces that rating.
    pub(crate) replaces: bool,
}

#[derive(Template)]
#[template(path = "interlinker.html")]
struct InterlinkerPage {
    ctx: PageCtx,
    title: Shown,
    nature: String,
    rating_summary: String,
    state_note: Option<String>,
    sections: Vec<Section>,
    languages: Vec<String>,
    /// Each problem addressed, with the catalogue's search for it.
    problem_profiles: Vec<(Shown, String)>,
    external: Option<String>,
    genesis: Vec<Genesis>,
    ratings: Vec<RatingRow>,
    /// The form for a signed-in person; otherwise the sign-in link shows.
    rate: Option<RateForm>,
    /// "Thank you" after a rating was saved.
    saved: Option<String>,
    related: Vec<Related>,
    /// What was just done (shared, adopted).
    notice: Option<String>,
    /// Where a mirror came from.
    origin: Option<crate::origins::OriginNote>,
    /// Where an adopted copy's content came from.
    adopted_from: Option<crate::origins::OriginNote>,
    /// For editors: where a mirror's "Adopt" posts.
    adopt_action: Option<String>,
    /// For editors: the switch sharing a local entry.
    sharing: Option<crate::origins::SharingForm>,
    /// Whether it is published (only then does a shared entry go out).
    published: bool,
    /// The editors' forms' token.
    csrf: String,
}

web_pages!(InterlinkerPage);

impl InterlinkerPage {
    fn rate_error(&self, field: &str) -> Option<&str> {
        self.rate
            .as_ref()?
            .errors
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.text.as_str())
    }
}

/// An `http(s)` address, safe as a link (never `javascript:` and the like).
fn web_link(uri: &str) -> Option<String> {
    (uri.starts_with("https://") || uri.starts_with("http://")).then(|| uri.to_owned())
}

/// The language names the pages know, else the tag itself.
fn language_name(tag: &str) -> String {
    match Lang::from_tag(tag) {
        Some(lang) if lang.tag() == tag => lang.endonym().to_owned(),
        _ => tag.to_owned(),
    }
}

/// The page of `interlinkers/{id}` (or of `id`), its id percent-encoded
/// whole so it stays one path segment.
pub(crate) fn interlinker_href(name: &str) -> String {
    let id = name.trim_start_matches("interlinkers/");
    crate::pages::resource_href("/catalogue", &format!("interlinkers/{id}"))
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct InterlinkerQuery {
    #[serde(default)]
    rated: Option<String>,
    /// After adopting: this is the new copy.
    #[serde(default)]
    adopted: Option<String>,
}

/// `GET /catalogue/{id}/documents/{language}`: a genesis document the
/// catalogue keeps, as a download. Its media type is the origin's word, so
/// it is never rendered here: an attachment, not sniffed (and under the
/// site's content security policy, which runs nothing but its own).
pub(crate) async fn genesis_document(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, language)): Path<(String, String)>,
) -> Response {
    use axum::response::IntoResponse;
    let ctx = PageCtx::new(&state, &headers, &uri, "catalogue");
    let mut client = CatalogueServiceClient::new(state.services.catalogue.clone());
    let document = match client
        .get_genesis_document(ctx.call(catalogue::GetGenesisDocumentRequest {
            name: format!("interlinkers/{id}/genesisDocuments/{language}"),
        }))
        .await
    {
        Ok(answer) => answer.into_inner(),
        Err(status)
            if matches!(
                status.code(),
                tonic::Code::NotFound | tonic::Code::InvalidArgument
            ) =>
        {
            return problem_page(
                ctx,
                StatusCode::NOT_FOUND,
                "not-found-title",
                "not-found-text",
            );
        }
        Err(status) => return problem(ctx, &status),
    };
    let media_type = axum::http::HeaderValue::from_str(&document.media_type).unwrap_or(
        axum::http::HeaderValue::from_static("application/octet-stream"),
    );
    // The catalogue checked the name (no quotes, paths or controls); a
    // name that is not plain ASCII goes as RFC 8187's `filename*` too.
    let ascii: String = document
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = crate::pages::form_urlencoded_component(&document.file_name).replace('+', "%20");
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let disposition = axum::http::HeaderValue::from_str(&disposition)
        .unwrap_or(axum::http::HeaderValue::from_static("attachment"));
    (
        [
            (axum::http::header::CONTENT_TYPE, media_type),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (
                axum::http::header::X_CONTENT_TYPE_OPTIONS,
                axum::http::HeaderValue::from_static("nosniff"),
            ),
        ],
        document.content,
    )
        .into_response()
}

/// `GET /catalogue/{id}`.
pub(crate) async fn interlinker_page(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<InterlinkerQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "catalogue");
    let saved = query.rated.is_some().then(|| ctx.t("rate-saved"));
    let notice = if query.adopted.is_some() {
        Some(ctx.t("adopt-interlinker-done"))
    } else {
        crate::origins::sharing_notice(&ctx, uri.query(), "interlinker")
    };
    render(&state, ctx, &id, None, saved, notice).await
}

/// The page of interlinker `id`, with `form` when a rating came back with
/// mistakes.
async fn render(
    state: &WebState,
    mut ctx: PageCtx,
    id: &str,
    form: Option<RateForm>,
    saved: Option<String>,
    notice: Option<String>,
) -> Response {
    let name = format!("interlinkers/{id}");
    let mut client = CatalogueServiceClient::new(state.services.catalogue.clone());
    let (mut one, mut two, mut three) = (client.clone(), client.clone(), client.clone());
    let (interlinker, ratings, related, profiles, editor) = tokio::join!(
        client.get_interlinker(ctx.call(catalogue::GetInterlinkerRequest { name: name.clone() })),
        one.list_ratings(ctx.call(catalogue::ListRatingsRequest {
            parent: name.clone(),
            page_size: RATINGS_SHOWN,
            page_token: String::new(),
        })),
        two.list_related_interlinkers(ctx.call(catalogue::ListRelatedInterlinkersRequest {
            name: name.clone(),
            page_size: RELATED_SHOWN,
        })),
        three.list_problem_profiles(ctx.call(catalogue::ListProblemProfilesRequest::default())),
        crate::origins::is_catalogue_editor(state, &ctx),
    );
    let interlinker = match interlinker {
        Ok(answer) => answer.into_inner(),
        // An id that is no interlinker's is a page that does not exist.
        Err(status)
            if matches!(
                status.code(),
                tonic::Code::NotFound | tonic::Code::InvalidArgument
            ) =>
        {
            return problem_page(
                ctx,
                StatusCode::NOT_FOUND,
                "not-found-title",
                "not-found-text",
            );
        }
        Err(status) => return problem(ctx, &status),
    };
    let ratings = match ratings {
        Ok(answer) => answer.into_inner().ratings,
        Err(status) => return problem(ctx, &status),
    };
    // Related entries are a help, not the page: without them it still shows.
    let related = match related {
        Ok(answer) => answer.into_inner().interlinkers,
        Err(status) => {
            tracing::warn!(code = ?status.code(), "related interlinkers did not come");
            Vec::new()
        }
    };
    // Without the profiles' titles, their codes still say which they are.
    let profiles = match profiles {
        Ok(answer) => answer.into_inner().problem_profiles,
        Err(status) => {
            tracing::warn!(code = ?status.code(), "problem profiles did not come");
            Vec::new()
        }
    };
    let lang = ctx.lang;
    let problem_profiles = interlinker
        .problem_profiles
        .iter()
        .map(|code| {
            let title = profiles
                .iter()
                .find(|p| &p.code == code)
                .map(|p| shown(p.title.as_ref(), lang))
                .filter(|title| !title.text.is_empty())
                .unwrap_or_else(|| Shown {
                    text: code.clone(),
                    lang: None,
                });
            let href = format!(
                "/catalogue?profile={}",
                crate::pages::form_urlencoded_component(code)
            );
            (title, href)
        })
        .collect();
    let people = display_names(state, &ctx, &ratings).await;
    let mine = ctx.user().and_then(|user| {
        people
            .iter()
            .find(|p| p.subject == user.subject && !p.subject.is_empty())
            .and_then(|me| ratings.iter().find(|r| r.author == me.name))
    });
    let rate = if ctx.user().is_some() {
        let csrf = ctx.csrf(state);
        Some(form.unwrap_or_else(|| {
            rate_form(
                &ctx,
                id,
                csrf.clone(),
                mine.map_or(0, |r| r.value),
                mine.map(|r| r.title.clone()).unwrap_or_default(),
                mine.map(|r| r.text.clone()).unwrap_or_default(),
                Vec::new(),
                mine.is_some(),
            )
        }))
    } else {
        None
    };
    let origin = interlinker
        .origin
        .as_ref()
        .map(|o| crate::origins::origin_note(&ctx, o, "/catalogue"));
    let adopted_from = interlinker
        .adopted_from
        .as_ref()
        .map(|o| crate::origins::origin_note(&ctx, o, "/catalogue"));
    let href = interlinker_href(&interlinker.name);
    let adopt_action = (editor && origin.is_some()).then(|| format!("{href}/adopt"));
    let sharing = (editor && origin.is_none()).then(|| crate::origins::SharingForm {
        action: format!("{href}/sharing"),
        shared: interlinker.shared,
    });
    let csrf = if editor {
        ctx.csrf(state)
    } else {
        String::new()
    };
    let status = if rate.as_ref().is_some_and(|r| !r.errors.is_empty()) {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let sections = [
        ("section-description", interlinker.description.as_ref()),
        ("section-instructions", interlinker.instructions.as_ref()),
        (
            "section-constraints",
            interlinker.constraints_and_limitations.as_ref(),
        ),
        (
            "section-regulations",
            interlinker.regulations_and_standards.as_ref(),
        ),
    ]
    .into_iter()
    .filter_map(|(heading, text)| {
        let text = shown(text, lang);
        (!text.text.trim().is_empty()).then(|| Section {
            heading: ctx.t(heading),
            paragraphs: paragraphs(&text.text),
            lang: text.lang,
        })
    })
    .collect();
    let rating_summary = lang.message(
        "rating-summary",
        &[
            ("count", FluentValue::from(interlinker.rating_count)),
            (
                "shown",
                FluentValue::from(lang.number(interlinker.rating_count)),
            ),
            (
                "average",
                FluentValue::from(lang.decimal(interlinker.rating_average)),
            ),
        ],
    );
    let state_note = match catalogue::InterlinkerState::try_from(interlinker.state) {
        Ok(catalogue::InterlinkerState::Draft) => Some(ctx.t("state-draft")),
        Ok(catalogue::InterlinkerState::Deprecated) => Some(ctx.t("state-deprecated")),
        _ => None,
    };
    let (external, genesis) = match &interlinker.details {
        Some(catalogue::interlinker::Details::External(external)) => {
            (web_link(&external.uri), Vec::new())
        }
        Some(catalogue::interlinker::Details::Knowledge(knowledge)) => {
            let mut genesis: Vec<Genesis> = knowledge
                .genesis_assets
                .iter()
                .filter_map(|(tag, uri)| {
                    Some(Genesis {
                        href: web_link(uri)?,
                        lang: tag.clone(),
                        label: language_name(tag),
                    })
                })
                .collect();
            genesis.sort_by(|a, b| a.lang.cmp(&b.lang));
            // Documents kept here (a mirror's, an adopted copy's) take the
            // place of links to the origin's interlinker, which trusts its
            // own platform only.
            if !interlinker.genesis_documents.is_empty() {
                genesis = interlinker
                    .genesis_documents
                    .iter()
                    .map(|document| Genesis {
                        href: format!(
                            "/catalogue/{id}/documents/{}",
                            crate::pages::form_urlencoded_component(&document.language)
                        ),
                        lang: document.language.clone(),
                        label: format!(
                            "{} — {} ({})",
                            language_name(&document.language),
                            document.file_name,
                            lang.message(
                                "genesis-document-size",
                                &[(
                                    "kib",
                                    FluentValue::from(lang.number((document.size + 1023) / 1024)),
                                )],
                            )
                        ),
                    })
                    .collect();
            }
            (None, genesis)
        }
        _ => (None, Vec::new()),
    };
    let ratings = ratings
        .iter()
        .map(|rating| {
            let seconds = rating
                .update_time
                .as_ref()
                .or(rating.create_time.as_ref())
                .map_or(0, |t| t.seconds);
            let author = people
                .iter()
                .find(|p| p.name == rating.author && !p.display_name.is_empty())
                .map_or_else(|| ctx.t("someone"), |p| p.display_name.clone());
            RatingRow {
                stars: stars(&ctx, rating.value),
                title: rating.title.clone(),
                paragraphs: paragraphs(&rating.text),
                author,
                iso_date: crate::i18n::iso_date(seconds),
                date: lang.date(seconds),
            }
        })
        .collect();
    let related = related
        .iter()
        .filter(|r| r.name != interlinker.name)
        .map(|r| Related {
            href: interlinker_href(&r.name),
            title: shown(r.title.as_ref(), lang),
            nature: ctx.t(nature_message(r.nature)),
        })
        .collect();
    page(
        &InterlinkerPage {
            title: shown(interlinker.title.as_ref(), lang),
            nature: ctx.t(nature_message(interlinker.nature)),
            rating_summary,
            state_note,
            sections,
            languages: interlinker
                .languages
                .iter()
                .map(|tag| language_name(tag))
                .collect(),
            problem_profiles,
            external,
            genesis,
            ratings,
            rate,
            saved,
            related,
            notice,
            origin,
            adopted_from,
            adopt_action,
            sharing,
            published: interlinker.state == catalogue::InterlinkerState::Published as i32,
            csrf,
            ctx,
        },
        status,
    )
}

/// "4 out of 5 stars" in the page's language.
fn stars(ctx: &PageCtx, value: i32) -> String {
    ctx.lang
        .message("rating-stars", &[("value", FluentValue::from(value))])
}

#[allow(clippy::too_many_arguments)]
fn rate_form(
    ctx: &PageCtx,
    id: &str,
    csrf: String,
    value: i32,
    title: String,
    text: String,
    errors: Vec<FieldError>,
    replaces: bool,
) -> RateForm {
    RateForm {
        action: format!("{}/rating", interlinker_href(id)),
        csrf,
        choices: (1..=5)
            .map(|n| StarChoice {
                value: n,
                label: stars(ctx, n),
                checked: n == value,
            })
            .collect(),
        title,
        text,
        errors,
        replaces,
    }
}

/// The ratings' authors, in one call. Without the community service (or
/// if it fails) the page says "someone" instead.
async fn display_names(
    state: &WebState,
    ctx: &PageCtx,
    ratings: &[catalogue::Rating],
) -> Vec<community::User> {
    crate::pages::people(state, ctx, ratings.iter().map(|r| r.author.clone())).await
}

/// The rate form as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RatePosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
}

/// `POST /catalogue/{id}/rating`: rates the interlinker as the signed-in
/// person, then goes back to its page; the catalogue's refusals come back
/// beside the inputs they name.
pub(crate) async fn rate(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<RatePosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "catalogue");
    let form = match form {
        Ok(Form(form)) => form,
        Err(rejection) => return unreadable_form(ctx, &rejection),
    };
    if !form_allowed(&state, &headers, &ctx, &form.csrf) {
        return form_refused(ctx);
    }
    if ctx.user().is_none() {
        // The session ended between the page and the post.
        return problem_page(
            ctx,
            StatusCode::UNAUTHORIZED,
            "sign-in-needed-title",
            "sign-in-needed-text",
        );
    }
    // Not a number is "no choice": the catalogue names the field.
    let value = form.value.trim().parse::<i32>().unwrap_or(0);
    let mut client = CatalogueServiceClient::new(state.services.catalogue.clone());
    let request = catalogue::RateInterlinkerRequest {
        parent: format!("interlinkers/{id}"),
        rating: Some(catalogue::Rating {
            value,
            title: form.title.clone(),
            text: form.text.clone(),
            ..Default::default()
        }),
    };
    match client.rate_interlinker(ctx.call(request)).await {
        Ok(_) => see_other(&format!("{}?rated=1#ratings", interlinker_href(&id)), None),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = rating_errors(&ctx, &status);
            if errors.is_empty() {
                // Not about the rating's fields: the interlinker's id.
                return problem_page(
                    ctx,
                    StatusCode::NOT_FOUND,
                    "not-found-title",
                    "not-found-text",
                );
            }
            let csrf = ctx.session_csrf().to_owned();
            let form = rate_form(&ctx, &id, csrf, value, form.title, form.text, errors, false);
            render(&state, ctx, &id, Some(form), None, None).await
        }
        Err(status) if status.code() == tonic::Code::FailedPrecondition => problem_page(
            ctx,
            StatusCode::CONFLICT,
            "rate-unpublished-title",
            "rate-unpublished-text",
        ),
        Err(status) => problem(ctx, &status),
    }
}

/// The catalogue's field violations of a rating, as the form's messages
/// in the page's language (what the form's hints say the rules are).
fn rating_errors(ctx: &PageCtx, status: &tonic::Status) -> Vec<FieldError> {
    crate::pages::field_errors(
        ctx,
        status,
        &[
            ("rating.value", "value-1", "rate-value-invalid"),
            ("rating.title", "rating-title", "rate-title-invalid"),
            ("rating.text", "rating-text", "rate-text-invalid"),
        ],
    )
    .0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(
            web_link("https://example.org/a").as_deref(),
            Some("https://example.org/a")
        );
        assert_eq!(web_link("javascript:alert(1)"), None);
        assert_eq!(web_link("data:text/html,x"), None);
    }

    #[test]
    fn texts_become_paragraphs_without_empty_lines() {
        assert_eq!(
            paragraphs("First.\n\n  Second.\r\nThird."),
            vec!["First.", "Second.", "Third."]
        );
        assert!(paragraphs("  \n").is_empty());
    }

    #[test]
    fn interlinker_links_keep_to_the_catalogue() {
        assert_eq!(
            interlinker_href("interlinkers/0190a7b2-0000-7000-8000-000000000001"),
            "/catalogue/0190a7b2-0000-7000-8000-000000000001"
        );
        assert_eq!(
            interlinker_href("interlinkers/a/../b"),
            "/catalogue/a%2F%2E%2E%2Fb"
        );
    }
}
