//! Processes made from others: imported from an exported file (each of
//! co-production's objections to it listed by the field it names), cloned
//! from a process's settings or from a success story into a new process
//! of the same organisation, and a plan cleared to start again. Each
//! destructive step is confirmed first.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Multipart, Path};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::coproduction::v1 as coproduction;
use serde::Deserialize;

use crate::organizations::{ButtonPosted, ConfirmPage, sign_in_first};
use crate::pages::{PageCtx, page, problem, problem_page, web_pages};
use crate::processes::{
    Selectable, coproduction_client, coproduction_form, organization_choices, organizations,
    process_href,
};
use crate::sign_in::{Posted, form_allowed, form_refused, see_other};
use crate::{Shared, WebState};

/// The format of an exported process.
const FORMAT: &str = "interlink.process/1";

/// A service's objection to a field of an imported file.
struct Objection {
    field: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "process_import.html")]
struct ImportPage {
    ctx: PageCtx,
    csrf: String,
    organizations: Vec<Selectable>,
    /// A mistake of the form itself (no file, no organisation).
    error: Option<String>,
    /// What co-production found wrong in the file, field by field.
    objections: Vec<Objection>,
}

web_pages!(ImportPage);

/// The import form, with `error` or `objections` when it came back.
async fn import_page(
    state: &WebState,
    mut ctx: PageCtx,
    chosen: &str,
    error: Option<String>,
    objections: Vec<Objection>,
) -> Response {
    let organizations = organizations(state, &ctx).await;
    let status = if error.is_some() || !objections.is_empty() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let csrf = ctx.csrf(state);
    page(
        &ImportPage {
            organizations: organization_choices(ctx.lang, &organizations, chosen, None),
            csrf,
            error,
            objections,
            ctx,
        },
        status,
    )
}

/// `GET /workspace/import`.
pub(crate) async fn import_form(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    import_page(&state, ctx, "", None, Vec::new()).await
}

/// The import form's parts.
#[derive(Default)]
struct ImportPosted {
    csrf: String,
    organization: String,
    file: Option<String>,
}

/// `POST /workspace/import` (multipart): a new process from an exported
/// `interlink.process/1` file, in the chosen organisation.
pub(crate) async fn import(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let Ok(mut multipart) = multipart else {
        return problem_page(
            ctx,
            StatusCode::BAD_REQUEST,
            "bad-request-title",
            "bad-request-text",
        );
    };
    let mut posted = ImportPosted::default();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let Ok(text) = field.text().await else {
                    let error = ctx.t("import-file-unreadable");
                    return import_page(&state, ctx, &posted.organization, Some(error), Vec::new())
                        .await;
                };
                match name.as_str() {
                    "csrf" => posted.csrf = text,
                    "organization" => posted.organization = text,
                    "file" if !text.trim().is_empty() => posted.file = Some(text),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(error) => {
                let status = error.status();
                tracing::debug!(%error, "an import did not arrive whole");
                if status == StatusCode::PAYLOAD_TOO_LARGE {
                    return problem_page(
                        ctx,
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "import-too-large-title",
                        "import-too-large-text",
                    );
                }
                return problem_page(ctx, status, "bad-request-title", "bad-request-text");
            }
        }
    }
    if !form_allowed(&state, &headers, &ctx, &posted.csrf) {
        return form_refused(ctx);
    }
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(json) = posted.file else {
        let error = ctx.t("import-file-missing");
        return import_page(&state, ctx, &posted.organization, Some(error), Vec::new()).await;
    };
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let request = coproduction::ImportProcessRequest {
        organization: format!("organizations/{}", posted.organization),
        document: Some(coproduction::ProcessDocument {
            format: FORMAT.to_owned(),
            json,
        }),
    };
    match client.import_process(ctx.call(request)).await {
        Ok(tree) => match tree.into_inner().process {
            Some(process) => {
                see_other(&format!("{}?imported=1", process_href(&process.name)), None)
            }
            None => see_other("/workspace", None),
        },
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            use tonic_types::StatusExt;
            let objections: Vec<Objection> = status
                .get_details_bad_request()
                .map(|bad| bad.field_violations)
                .unwrap_or_default()
                .into_iter()
                .map(|v| Objection {
                    // Named within the file, as its author knows it.
                    field: v
                        .field
                        .strip_prefix("document.")
                        .unwrap_or(&v.field)
                        .to_owned(),
                    reason: v.description,
                })
                .collect();
            if objections.is_empty() {
                return problem(ctx, &status);
            }
            import_page(&state, ctx, &posted.organization, None, objections).await
        }
        Err(status) => problem(ctx, &status),
    }
}

/// A clone's title and whether the teams' rights come along.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ClonePosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    /// Present when the box is ticked.
    #[serde(default)]
    include_grants: Option<String>,
}

impl Posted for ClonePosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Clones `name`, then shows the clone.
async fn clone_into_new(
    state: &WebState,
    headers: &HeaderMap,
    ctx: PageCtx,
    name: String,
    form: Result<Form<ClonePosted>, FormRejection>,
) -> Response {
    let (ctx, posted, mut client) = match coproduction_form(state, headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let request = coproduction::CloneProcessRequest {
        name,
        title: posted.title.trim().to_owned(),
        include_grants: posted.include_grants.is_some(),
    };
    match client.clone_process(ctx.call(request)).await {
        Ok(tree) => match tree.into_inner().process {
            Some(process) => see_other(&format!("{}?cloned=1", process_href(&process.name)), None),
            None => see_other("/workspace", None),
        },
        Err(status) => problem(ctx, &status),
    }
}

/// `POST /processes/{id}/clone`: a new process like this one, in the same
/// organisation, administered by the one who cloned it.
pub(crate) async fn clone_process(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ClonePosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    clone_into_new(&state, &headers, ctx, format!("processes/{id}"), form).await
}

/// `POST /stories/{id}/clone`: a new process like the one the story tells
/// of, to do it again.
pub(crate) async fn clone_story(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ClonePosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "stories");
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let story = match client
        .get_story(ctx.call(coproduction::GetStoryRequest {
            name: format!("stories/{id}"),
        }))
        .await
    {
        Ok(story) => story.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    clone_into_new(&state, &headers, ctx, story.process, form).await
}

/// `GET /processes/{id}/clear`: what clearing the plan does, and the
/// button.
pub(crate) async fn confirm_clear(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let process = match client
        .get_process(ctx.call(coproduction::GetProcessRequest {
            name: format!("processes/{id}"),
        }))
        .await
    {
        Ok(process) => process.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let href = process_href(&process.name);
    let csrf = ctx.csrf(&state);
    page(
        &ConfirmPage {
            title: ctx.t_with("process-clear-title", "name", &process.title),
            text: ctx.t("process-clear-text"),
            action: format!("{href}/clear"),
            csrf,
            button: ctx.t("process-clear-button"),
            back: format!("{href}/settings"),
            ctx,
        },
        StatusCode::OK,
    )
}

/// `POST /processes/{id}/clear`: empties the plan (its items, assets and
/// claims go), to plan it again.
pub(crate) async fn clear(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, _, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("processes/{id}");
    match client
        .clear_tree(ctx.call(coproduction::ClearTreeRequest {
            process: name.clone(),
        }))
        .await
    {
        Ok(_) => see_other(&format!("{}?cleared=1", process_href(&name)), None),
        Err(status) => problem(ctx, &status),
    }
}
