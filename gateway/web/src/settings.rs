//! A process's settings, for its administrators: its texts, language,
//! logo and public flag edited (only the fields of the form, by field
//! mask), its export downloaded as the `interlink.process/1` document, and
//! the process deleted after a confirmation. Co-production decides who may;
//! its field violations show beside their inputs.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use interlink_proto::coproduction::v1 as coproduction;
use serde::Deserialize;

use crate::organizations::{ButtonPosted, ConfirmPage, sign_in_first};
use crate::pages::{FieldErrors, PageCtx, field_errors, page, problem, web_pages};
use crate::processes::{Selectable, coproduction_client, coproduction_form, process_href};
use crate::sign_in::{Posted, see_other};
use crate::{Lang, Shared, WebState};

/// The fields the settings form edits, as co-production's mask names them.
const EDITED: [&str; 8] = [
    "title",
    "description",
    "aim",
    "idea",
    "language",
    "logo_uri",
    "public",
    "tags",
];

/// Co-production's field violations, by the input they belong beside.
const SETTINGS_RULES: [(&str, &str, &str); 7] = [
    ("process.tags", "tags", "process-tags-invalid"),
    ("process.title", "title", "process-title-invalid"),
    ("process.language", "language", "process-language-invalid"),
    (
        "process.description",
        "description",
        "process-description-invalid",
    ),
    ("process.aim", "aim", "process-text-invalid"),
    ("process.idea", "idea", "process-text-invalid"),
    ("process.logo_uri", "logo", "logo-invalid"),
];

/// The settings form as posted (and as shown).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct SettingsPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    aim: String,
    #[serde(default)]
    idea: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    logo: String,
    /// Tags, separated by commas.
    #[serde(default)]
    tags: String,
    /// Present (any value) when the box is ticked.
    #[serde(default)]
    public: Option<String>,
}

impl Posted for SettingsPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl SettingsPosted {
    fn of(process: &coproduction::Process) -> Self {
        Self {
            csrf: String::new(),
            title: process.title.clone(),
            description: process.description.clone(),
            aim: process.aim.clone(),
            idea: process.idea.clone(),
            language: process.language.clone(),
            logo: process.logo_uri.clone(),
            tags: process.tags.join(", "),
            public: process.public.then(|| "yes".to_owned()),
        }
    }
}

#[derive(Template)]
#[template(path = "process_settings.html")]
struct SettingsPage {
    ctx: PageCtx,
    href: String,
    title: String,
    tabs: Vec<crate::processes::Tab>,
    csrf: String,
    fields: SettingsPosted,
    languages: Vec<Selectable>,
    errors: FieldErrors,
}

web_pages!(SettingsPage);

/// The settings page with `fields` shown and `errors` beside them.
fn settings_page(
    state: &WebState,
    mut ctx: PageCtx,
    href: String,
    title: String,
    fields: SettingsPosted,
    errors: FieldErrors,
) -> Response {
    let mut languages: Vec<Selectable> = Lang::ALL
        .into_iter()
        .map(|lang| Selectable {
            value: lang.tag().to_owned(),
            label: lang.endonym().to_owned(),
            label_lang: Some(lang.tag().to_owned()),
            selected: lang.tag() == fields.language,
        })
        .collect();
    // A process run in another language keeps it as a choice.
    if !fields.language.is_empty() && !languages.iter().any(|l| l.selected) {
        languages.push(Selectable {
            value: fields.language.clone(),
            label: fields.language.clone(),
            label_lang: None,
            selected: true,
        });
    }
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let csrf = ctx.csrf(state);
    // Only its administrators come this far with a form to fill in.
    let tabs = crate::processes::process_tabs(&ctx, &href, "settings", true);
    page(
        &SettingsPage {
            ctx,
            tabs,
            href,
            title,
            csrf,
            fields,
            languages,
            errors,
        },
        status,
    )
}

/// `GET /processes/{id}/settings`: the form, filled in.
pub(crate) async fn settings(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let name = format!("processes/{id}");
    let process = match client
        .get_process(ctx.call(coproduction::GetProcessRequest { name }))
        .await
    {
        Ok(process) => process.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    settings_page(
        &state,
        ctx,
        process_href(&process.name),
        process.title.clone(),
        SettingsPosted::of(&process),
        FieldErrors::default(),
    )
}

/// `POST /processes/{id}/settings`: saves the form's fields (the others
/// are left as they are) and goes back to the process.
pub(crate) async fn save_settings(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<SettingsPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("processes/{id}");
    let request = coproduction::UpdateProcessRequest {
        process: Some(coproduction::Process {
            name: name.clone(),
            title: posted.title.trim().to_owned(),
            description: posted.description.trim().to_owned(),
            aim: posted.aim.trim().to_owned(),
            idea: posted.idea.trim().to_owned(),
            language: posted.language.trim().to_owned(),
            logo_uri: posted.logo.trim().to_owned(),
            public: posted.public.is_some(),
            tags: posted
                .tags
                .split(',')
                .map(str::trim)
                .filter(|tag| !tag.is_empty())
                .map(str::to_owned)
                .collect(),
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: EDITED.iter().map(|p| (*p).to_owned()).collect(),
        }),
    };
    let href = process_href(&name);
    match client.update_process(ctx.call(request)).await {
        Ok(_) => see_other(&format!("{href}?saved=1"), None),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &SETTINGS_RULES);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            let title = posted.title.clone();
            settings_page(&state, ctx, href, title, posted, errors)
        }
        Err(status) => problem(ctx, &status),
    }
}

/// `GET /processes/{id}/export`: the whole process as its
/// `interlink.process/1` JSON document, downloaded.
pub(crate) async fn export(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let document = match client
        .export_process(ctx.call(coproduction::ExportProcessRequest {
            name: format!("processes/{id}"),
        }))
        .await
    {
        Ok(document) => document.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    // The id is co-production's (letters, digits, `-`), so it is safe in
    // a header; anything else is left out of the file name.
    let file: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"process-{file}.json\""))
            .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        document.json,
    )
        .into_response()
}

/// `GET /processes/{id}/delete`: what deleting takes with it, and the
/// button.
pub(crate) async fn confirm_delete(
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
            title: ctx.t_with("process-delete-title", "name", &process.title),
            text: ctx.t("process-delete-text"),
            action: format!("{href}/delete"),
            csrf,
            button: ctx.t("process-delete-button"),
            back: format!("{href}/settings"),
            ctx,
        },
        StatusCode::OK,
    )
}

/// `POST /processes/{id}/delete`: deletes it with its plan, assets, claims
/// and stories, then shows the workspace.
pub(crate) async fn delete(
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
    match client
        .delete_process(ctx.call(coproduction::DeleteProcessRequest {
            name: format!("processes/{id}"),
        }))
        .await
    {
        Ok(_) => see_other("/workspace?deleted=1", None),
        Err(status) => problem(ctx, &status),
    }
}
