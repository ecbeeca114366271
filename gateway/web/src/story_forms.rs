//! Telling and rating success stories: a process's administrators publish
//! its story once it has started (co-production refuses before, with its
//! reason), and signed-in people who may see a story rate it from 1 to 5
//! (a second rating replaces the first).

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::coproduction::v1 as coproduction;
use serde::Deserialize;

use crate::organizations::sign_in_first;
use crate::pages::{FieldErrors, PageCtx, field_errors, page, problem, web_pages};
use crate::processes::{coproduction_client, coproduction_form, process_href, story_href};
use crate::sign_in::{Posted, see_other};
use crate::{Shared, WebState};

/// Co-production's field violations, by the input they belong beside.
const STORY_RULES: [(&str, &str, &str); 6] = [
    ("story.title", "title", "story-title-invalid"),
    ("story.description", "description", "process-text-invalid"),
    ("story.results", "results", "process-text-invalid"),
    ("story.lessons_learned", "lessons", "process-text-invalid"),
    ("story.keywords", "keywords", "story-words-invalid"),
    ("story.licences", "licences", "story-words-invalid"),
];

/// The story form as posted (and shown).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StoryPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    results: String,
    #[serde(default)]
    lessons: String,
    /// Separated by commas.
    #[serde(default)]
    keywords: String,
    /// Separated by commas.
    #[serde(default)]
    licences: String,
    /// Present (any value) when the story is to be shared with other
    /// deployments.
    #[serde(default)]
    pub(crate) shared: Option<String>,
}

impl Posted for StoryPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The words of a comma-separated list, trimmed, empty ones left out.
fn words(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Template)]
#[template(path = "story_form.html")]
struct StoryFormPage {
    ctx: PageCtx,
    process_href: String,
    process_title: String,
    csrf: String,
    fields: StoryPosted,
    errors: FieldErrors,
}

web_pages!(StoryFormPage);

/// The story form for `process`, with `fields` and `errors`.
async fn form_page(
    state: &WebState,
    mut ctx: PageCtx,
    process: &str,
    fields: StoryPosted,
    errors: FieldErrors,
) -> Response {
    let Some(mut client) = coproduction_client(state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let found = match client
        .get_process(ctx.call(coproduction::GetProcessRequest {
            name: process.to_owned(),
        }))
        .await
    {
        Ok(found) => found.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let csrf = ctx.csrf(state);
    page(
        &StoryFormPage {
            ctx,
            process_href: process_href(&found.name),
            process_title: found.title,
            csrf,
            fields,
            errors,
        },
        status,
    )
}

/// `GET /processes/{id}/stories/new`: the form telling the process's story.
pub(crate) async fn new_story(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "stories");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    form_page(
        &state,
        ctx,
        &format!("processes/{id}"),
        StoryPosted::default(),
        FieldErrors::default(),
    )
    .await
}

/// `POST /processes/{id}/stories`: publishes the story and shows it.
pub(crate) async fn publish_story(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<StoryPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "stories");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let process = format!("processes/{id}");
    let request = coproduction::CreateStoryRequest {
        parent: process.clone(),
        story: Some(coproduction::Story {
            title: posted.title.trim().to_owned(),
            description: posted.description.trim().to_owned(),
            results: posted.results.trim().to_owned(),
            lessons_learned: posted.lessons.trim().to_owned(),
            keywords: words(&posted.keywords),
            licences: words(&posted.licences),
            shared: posted.shared.is_some(),
            ..Default::default()
        }),
    };
    match client.create_story(ctx.call(request)).await {
        Ok(story) => see_other(
            &format!("{}?published=1", story_href(&story.into_inner().name)),
            None,
        ),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &STORY_RULES);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            form_page(&state, ctx, &process, posted, errors).await
        }
        Err(status) => problem(ctx, &status),
    }
}

/// A story's rating as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RatingPosted {
    #[serde(default)]
    csrf: String,
    /// 1 to 5.
    #[serde(default)]
    value: String,
}

impl Posted for RatingPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /stories/{id}/rating`: rates the story as the signed-in person.
pub(crate) async fn rate_story(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<RatingPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "stories");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let value = match posted.value.trim().parse::<i32>() {
        Ok(value @ 1..=5) => value,
        _ => {
            return problem(
                ctx,
                &tonic::Status::invalid_argument("value: choose from 1 to 5 stars"),
            );
        }
    };
    let story = format!("stories/{id}");
    match client
        .rate_story(ctx.call(coproduction::RateStoryRequest {
            story: story.clone(),
            value,
        }))
        .await
    {
        Ok(_) => see_other(&format!("{}?rated=1", story_href(&story)), None),
        Err(status) => problem(ctx, &status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_separated_words_are_trimmed_and_blank_ones_dropped() {
        assert_eq!(words(" movilidad, bici ,, "), ["movilidad", "bici"]);
        assert!(words("").is_empty());
    }
}
