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
use interlink_proto::community::v1 as community;
use interlink_proto::community::v1::community_service_client::CommunityServiceClient;
use interlink_proto::coproduction::v1 as coproduction;
use serde::Deserialize;

use crate::organizations::sign_in_first;
use crate::pages::{
    FieldErrors, PageCtx, field_errors, form_urlencoded_component, page, problem, shown, web_pages,
};
use crate::processes::{ProcessRow, coproduction_client, process_href};
use crate::sign_in::{Posted, see_other, signed_in_form};
use crate::{Lang, Shared, WebState};

/// Processes per page of the workspace.
const PROCESSES_PER_PAGE: i32 = 20;
/// Organisations offered (the service's largest page).
const ORGANIZATIONS_OFFERED: i32 = 500;

/// The workspace's filters, as its address says.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct WorkspaceFilters {
    status: Option<&'static str>,
    organization: String,
    page: String,
}

/// The statuses as the filter names them.
const STATUSES: [(&str, coproduction::Status); 3] = [
    ("awaiting", coproduction::Status::Awaiting),
    ("in-progress", coproduction::Status::InProgress),
    ("finished", coproduction::Status::Finished),
];

impl WorkspaceFilters {
    /// The filters of a query string; `Err` names the value not understood.
    pub(crate) fn parse(query: Option<&str>) -> Result<Self, tonic::Status> {
        let mut filters = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "status" if !value.is_empty() => {
                    let Some((name, _)) = STATUSES.iter().find(|(name, _)| *name == value) else {
                        return Err(tonic::Status::invalid_argument(
                            "status: must be awaiting, in-progress or finished",
                        ));
                    };
                    filters.status = Some(name);
                }
                "organization" => filters.organization = value.to_owned(),
                "page" => filters.page = value.to_owned(),
                _ => {}
            }
        }
        Ok(filters)
    }

    fn request(&self) -> coproduction::ListProcessesRequest {
        coproduction::ListProcessesRequest {
            page_size: PROCESSES_PER_PAGE,
            page_token: self.page.clone(),
            mine: true,
            organization: if self.organization.is_empty() {
                String::new()
            } else {
                format!("organizations/{}", self.organization)
            },
            public_only: false,
            status: self
                .status
                .and_then(|s| STATUSES.iter().find(|(name, _)| *name == s))
                .map_or(0, |(_, status)| *status as i32),
        }
    }

    /// `/workspace?…` for these filters at `page` (none: the first).
    fn href(&self, page: Option<&str>) -> String {
        let mut pairs = Vec::new();
        if let Some(status) = self.status {
            pairs.push(format!("status={status}"));
        }
        if !self.organization.is_empty() {
            pairs.push(format!(
                "organization={}",
                form_urlencoded_component(&self.organization)
            ));
        }
        if let Some(page) = page {
            pairs.push(format!("page={}", form_urlencoded_component(page)));
        }
        if pairs.is_empty() {
            "/workspace".to_owned()
        } else {
            format!("/workspace?{}", pairs.join("&"))
        }
    }
}

/// A choice of a select or radio group.
pub(crate) struct Choice {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) label_lang: Option<String>,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "workspace.html")]
struct WorkspacePage {
    ctx: PageCtx,
    processes: Vec<ProcessRow>,
    statuses: Vec<Choice>,
    organizations: Vec<Choice>,
    filtered: bool,
    next_page: Option<String>,
    notice: Option<String>,
}

/// The organisations the visitor may see (empty without community).
async fn organizations(state: &WebState, ctx: &PageCtx) -> Vec<community::Organization> {
    let Some(channel) = state.services.community.clone() else {
        return Vec::new();
    };
    match CommunityServiceClient::new(channel)
        .list_organizations(ctx.call(community::ListOrganizationsRequest {
            page_size: ORGANIZATIONS_OFFERED,
            page_token: String::new(),
        }))
        .await
    {
        Ok(answer) => answer.into_inner().organizations,
        Err(status) => {
            tracing::warn!(code = ?status.code(), "organisations did not come");
            Vec::new()
        }
    }
}

/// An organisation's id (`organizations/{id}` → `{id}`).
fn id_of(name: &str) -> &str {
    name.split_once('/').map_or(name, |(_, id)| id)
}

/// The organisations as choices, `chosen` (an id) selected, after an
/// "any" choice with `any_label` when given.
fn organization_choices(
    lang: Lang,
    organizations: &[community::Organization],
    chosen: &str,
    any_label: Option<String>,
) -> Vec<Choice> {
    let mut choices: Vec<Choice> = any_label
        .map(|label| Choice {
            value: String::new(),
            label,
            label_lang: None,
            selected: chosen.is_empty(),
        })
        .into_iter()
        .collect();
    choices.extend(organizations.iter().map(|o| {
        let title = shown(o.display_name.as_ref(), lang);
        Choice {
            value: id_of(&o.name).to_owned(),
            label: title.text,
            label_lang: title.lang,
            selected: id_of(&o.name) == chosen,
        }
    }));
    choices
}

/// `GET /workspace?status=…&organization=…&page=…`: the signed-in
/// person's processes, newest first.
pub(crate) async fn workspace(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let filters = match WorkspaceFilters::parse(uri.query()) {
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
        .map(|p| crate::processes::process_row(&ctx, p, &organizations))
        .collect();
    let statuses = std::iter::once(("", "status-any"))
        .chain(
            STATUSES
                .iter()
                .map(|(name, status)| (*name, crate::processes::status_message(*status as i32))),
        )
        .map(|(value, message)| Choice {
            value: value.to_owned(),
            label: ctx.t(message),
            label_lang: None,
            selected: filters.status.unwrap_or_default() == value,
        })
        .collect();
    let next_page =
        (!listed.next_page_token.is_empty()).then(|| filters.href(Some(&listed.next_page_token)));
    let notice = (uri.query() == Some("deleted=1")).then(|| ctx.t("process-deleted"));
    page(
        &WorkspacePage {
            organizations: organization_choices(
                ctx.lang,
                &organizations,
                &filters.organization,
                Some(ctx.t("organization-any")),
            ),
            filtered: filters.status.is_some() || !filters.organization.is_empty(),
            ctx,
            processes,
            statuses,
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
    languages: Vec<Choice>,
    organizations: Vec<Choice>,
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
        .map(|lang| Choice {
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
    let (ctx, posted) = match signed_in_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_filters_ask_for_the_persons_own_processes() {
        let filters =
            WorkspaceFilters::parse(Some("status=finished&organization=o-1")).expect("filters");
        let request = filters.request();
        assert!(request.mine && !request.public_only);
        assert_eq!(request.status, coproduction::Status::Finished as i32);
        assert_eq!(request.organization, "organizations/o-1");
        assert_eq!(
            filters.href(Some("p")),
            "/workspace?status=finished&organization=o-1&page=p"
        );
        assert_eq!(WorkspaceFilters::default().href(None), "/workspace");
        assert!(WorkspaceFilters::parse(Some("status=later")).is_err());
    }
}
