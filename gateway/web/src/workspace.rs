//! The co-production workspace's door: a signed-in person's processes
//! (those they administer or take part in through a team's grant), filtered
//! by status and organisation, and creating a process in an organisation.
//! Co-production decides who may create where; its field violations show
//! beside their inputs with what was typed kept.

use askama::Template;
use axum::extract::Form;
use axum::extract::rejection::FormRejection;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::coproduction::v1 as coproduction;
use serde::Deserialize;

use crate::organizations::sign_in_first;
use crate::pages::{FieldErrors, PageCtx, field_errors, page, problem, web_pages};
use crate::processes::{
    ProcessFilters, ProcessRow, Scope, Selectable, coproduction_client, coproduction_form,
    listed_row, organization_choices, organizations, process_href,
};
use crate::sign_in::{Posted, see_other};
use crate::{Lang, Shared, WebState};

#[derive(Template)]
#[template(path = "workspace.html")]
struct WorkspacePage {
    ctx: PageCtx,
    processes: Vec<ProcessRow>,
    query: String,
    tag: String,
    sorts: Vec<Selectable>,
    statuses: Vec<Selectable>,
    organizations: Vec<Selectable>,
    filtered: bool,
    next_page: Option<String>,
    notice: Option<String>,
}

/// `GET /workspace?status=…&organization=…&page=…`: the signed-in
/// person's processes, newest first.
pub(crate) async fn workspace(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let filters = match ProcessFilters::parse(Scope::Mine, uri.query()) {
        Ok(filters) => filters,
        Err(status) => return problem(ctx, &status),
    };
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let (listed, organizations) = tokio::join!(
        client.list_processes(ctx.call(filters.request())),
        organizations(&state, &ctx),
    );
    let listed = match listed {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let processes = listed
        .processes
        .iter()
        .map(|p| listed_row(&ctx, p, &organizations, &filters))
        .collect();
    let next_page =
        (!listed.next_page_token.is_empty()).then(|| filters.href(Some(&listed.next_page_token)));
    let notice = (uri.query() == Some("deleted=1")).then(|| ctx.t("process-deleted"));
    page(
        &WorkspacePage {
            query: filters.query().to_owned(),
            tag: filters.tag().to_owned(),
            sorts: filters.sort_choices(&ctx),
            statuses: filters.status_choices(&ctx),
            organizations: filters.organization_choices(&ctx, &organizations),
            filtered: filters.filtered(),
            ctx,
            processes,
            next_page,
            notice,
        },
        StatusCode::OK,
    )
}

/// The new-process form: what it shows, and what was typed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ProcessPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    organization: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    logo: String,
    /// Present (any value) when the box is ticked.
    #[serde(default)]
    public: Option<String>,
}

impl Posted for ProcessPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

#[derive(Template)]
#[template(path = "process_form.html")]
struct ProcessFormPage {
    ctx: PageCtx,
    csrf: String,
    title: String,
    description: String,
    logo: String,
    public: bool,
    languages: Vec<Selectable>,
    organizations: Vec<Selectable>,
    errors: FieldErrors,
}

web_pages!(WorkspacePage, ProcessFormPage);

/// Co-production's field violations, by the input they belong beside.
const PROCESS_RULES: [(&str, &str, &str); 5] = [
    ("process.title", "title", "process-title-invalid"),
    ("process.language", "language", "process-language-invalid"),
    (
        "process.organization",
        "organization",
        "process-organization-invalid",
    ),
    (
        "process.description",
        "description",
        "process-description-invalid",
    ),
    ("process.logo_uri", "logo", "logo-invalid"),
];

/// The process form, with what was typed and the mistakes found.
async fn form_page(
    state: &WebState,
    mut ctx: PageCtx,
    posted: ProcessPosted,
    errors: FieldErrors,
) -> Response {
    let organizations = organizations(state, &ctx).await;
    let language = if posted.language.is_empty() {
        ctx.lang.tag().to_owned()
    } else {
        posted.language.clone()
    };
    let languages = Lang::ALL
        .into_iter()
        .map(|lang| Selectable {
            value: lang.tag().to_owned(),
            label: lang.endonym().to_owned(),
            label_lang: Some(lang.tag().to_owned()),
            selected: lang.tag() == language,
        })
        .collect();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    let csrf = ctx.csrf(state);
    page(
        &ProcessFormPage {
            organizations: organization_choices(
                ctx.lang,
                &organizations,
                &posted.organization,
                None,
            ),
            ctx,
            csrf,
            title: posted.title,
            description: posted.description,
            logo: posted.logo,
            public: posted.public.is_some(),
            languages,
            errors,
        },
        status,
    )
}

/// `GET /workspace/new`: the form for a new process.
pub(crate) async fn new_process(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let chosen = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(key, _)| key == "organization")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    let posted = ProcessPosted {
        organization: chosen,
        ..ProcessPosted::default()
    };
    form_page(&state, ctx, posted, FieldErrors::default()).await
}

/// `POST /workspace/processes`: creates the process (the person becomes
/// its administrator) and goes to its page.
pub(crate) async fn create_process(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    form: Result<Form<ProcessPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let request = coproduction::CreateProcessRequest {
        process: Some(coproduction::Process {
            title: posted.title.trim().to_owned(),
            description: posted.description.trim().to_owned(),
            language: posted.language.trim().to_owned(),
            logo_uri: posted.logo.trim().to_owned(),
            public: posted.public.is_some(),
            organization: if posted.organization.is_empty() {
                String::new()
            } else {
                format!("organizations/{}", posted.organization.trim())
            },
            ..Default::default()
        }),
    };
    match client.create_process(ctx.call(request)).await {
        Ok(created) => see_other(
            &format!("{}?created=1", process_href(&created.into_inner().name)),
            None,
        ),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            let errors = field_errors(&ctx, &status, &PROCESS_RULES);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            form_page(&state, ctx, posted, errors).await
        }
        Err(status) => problem(ctx, &status),
    }
}
