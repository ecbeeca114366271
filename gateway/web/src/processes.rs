//! Public co-production processes and their success stories, for anyone
//! to browse, filter and read: the processes listed (by status and
//! organisation), each process with its aims and its plan's progress, the
//! stories newest first, and each story. What a visitor may see is
//! co-production's to say; signed in, a person also sees the processes
//! they take part in through these pages' calls. The co-production
//! workspace (editing, assets, permissions) is not here. Stories other
//! deployments share (mirrors) are marked with where they came from and
//! filtered by it; signed in, one adopts such a story as a new process of
//! one's organisation; administrators share their process's story.

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::community::v1 as community;
use interlink_proto::community::v1::community_service_client::CommunityServiceClient;
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::coproduction::v1::coproduction_service_client::CoproductionServiceClient;

use crate::pages::{
    PageCtx, Shown, display_name, form_urlencoded_component, page, paragraphs, people, problem,
    problem_page, resource_href, shown, web_pages,
};
use crate::{Lang, Shared, WebState};

/// Processes per page.
const PROCESSES_PER_PAGE: i32 = 20;
/// Stories per page.
const STORIES_PER_PAGE: i32 = 20;
/// Organisations offered in the filter.
const ORGANIZATIONS_LISTED: i32 = 500;
/// The stories looked through for one process's.
const STORIES_LOOKED_THROUGH: i32 = 500;
/// The longest excerpt in a list.
const EXCERPT_CHARS: usize = 280;
/// The longest deployment address the origin filter takes.
const MAX_ORIGIN_CHARS: usize = 2000;

/// The statuses as the filter names them.
const STATUSES: [(&str, coproduction::Status); 3] = [
    ("awaiting", coproduction::Status::Awaiting),
    ("in-progress", coproduction::Status::InProgress),
    ("finished", coproduction::Status::Finished),
];

/// Co-production's client, if it is part of this mesh.
pub(crate) fn coproduction_client(
    state: &WebState,
) -> Option<CoproductionServiceClient<crate::Channel>> {
    state
        .services
        .coproduction
        .clone()
        .map(CoproductionServiceClient::new)
}

/// The checks before a signed-in person's form goes to co-production (see
/// [`crate::sign_in::signed_in_form`]), then co-production's client. `Err`
/// is the page to answer with instead.
// The `Err` is the response sent at once, so boxing it would gain nothing.
#[allow(clippy::result_large_err)]
pub(crate) fn coproduction_form<T: crate::sign_in::Posted>(
    state: &WebState,
    headers: &HeaderMap,
    ctx: PageCtx,
    form: Result<axum::extract::Form<T>, axum::extract::rejection::FormRejection>,
) -> Result<(PageCtx, T, CoproductionServiceClient<crate::Channel>), Response> {
    let (ctx, form) = crate::sign_in::signed_in_form(state, headers, ctx, form)?;
    match coproduction_client(state) {
        Some(client) => Ok((ctx, form, client)),
        None => Err(no_coproduction(ctx)),
    }
}

/// The page when co-production is not part of this gateway's mesh.
fn no_coproduction(ctx: PageCtx) -> Response {
    problem_page(
        ctx,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable-title",
        "unavailable-text",
    )
}

/// `/processes/{id}` for `processes/{id}`.
pub(crate) fn process_href(name: &str) -> String {
    resource_href("/processes", name)
}

/// `/stories/{id}` for `stories/{id}`.
pub(crate) fn story_href(name: &str) -> String {
    resource_href("/stories", name)
}

/// The message naming a status.
pub(crate) fn status_message(status: i32) -> &'static str {
    match coproduction::Status::try_from(status) {
        Ok(coproduction::Status::InProgress) => "status-in-progress",
        Ok(coproduction::Status::Finished) => "status-finished",
        _ => "status-awaiting",
    }
}

/// "40 % done" in the page's language.
fn progress_text(ctx: &PageCtx, progress: f64) -> String {
    // Progress is 0–100 by contract; clamped so a stray value stays sane.
    let percent = progress.clamp(0.0, 100.0).round() as i64;
    ctx.t_with("progress-done", "percent", &ctx.lang.number(percent))
}

/// The first `EXCERPT_CHARS` of `text`'s first paragraph.
pub(crate) fn excerpt(text: &str) -> String {
    let first = paragraphs(text).into_iter().next().unwrap_or_default();
    if first.chars().count() > EXCERPT_CHARS {
        first.chars().take(EXCERPT_CHARS).collect::<String>() + "…"
    } else {
        first
    }
}

/// A process's language as a `lang` attribute: set when it is not the
/// page's (its texts are written in one language).
fn text_lang(process_language: &str, lang: Lang) -> Option<String> {
    (!process_language.is_empty() && !process_language.eq_ignore_ascii_case(lang.tag()))
        .then(|| process_language.to_owned())
}

/// Which processes a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Scope {
    /// The public ones, at `/processes`.
    #[default]
    Public,
    /// The visitor's own (administered, or with a team's grant), at
    /// `/workspace`.
    Mine,
}

/// A process list's filters as its address says.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ProcessFilters {
    scope: Scope,
    status: Option<&'static str>,
    organization: String,
    /// Words of the title.
    query: String,
    tag: String,
    /// `newest` (empty), `oldest`, `title` or `updated`.
    sort: &'static str,
    page: String,
}

/// The orders a list may be sorted in, as the sort filter names them.
const SORTS: [&str; 4] = ["newest", "oldest", "title", "updated"];

impl ProcessFilters {
    /// The filters of a query string; `Err` names the value not understood.
    pub(crate) fn parse(scope: Scope, query: Option<&str>) -> Result<Self, tonic::Status> {
        let mut filters = Self {
            scope,
            ..Self::default()
        };
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "status" if !value.is_empty() => {
                    match STATUSES.iter().find(|(name, _)| *name == value) {
                        Some((name, _)) => filters.status = Some(name),
                        None => {
                            return Err(tonic::Status::invalid_argument(
                                "status: must be awaiting, in-progress or finished",
                            ));
                        }
                    }
                }
                "organization" => filters.organization = value.to_owned(),
                "q" => filters.query = value.to_owned(),
                "tag" => filters.tag = value.to_owned(),
                "sort" if !value.is_empty() => match SORTS.iter().find(|s| **s == value) {
                    Some(sort) => filters.sort = sort,
                    None => {
                        return Err(tonic::Status::invalid_argument(
                            "sort: must be newest, oldest, title or updated",
                        ));
                    }
                },
                "page" => filters.page = value.to_owned(),
                _ => {}
            }
        }
        Ok(filters)
    }

    /// Whether a filter is chosen.
    pub(crate) fn filtered(&self) -> bool {
        self.status.is_some()
            || !self.organization.is_empty()
            || !self.query.is_empty()
            || !self.tag.is_empty()
    }

    /// The words searched for.
    pub(crate) fn query(&self) -> &str {
        &self.query
    }

    /// The tag chosen.
    pub(crate) fn tag(&self) -> &str {
        &self.tag
    }

    /// The sort choices, `newest` first.
    pub(crate) fn sort_choices(&self, ctx: &PageCtx) -> Vec<Selectable> {
        SORTS
            .iter()
            .map(|sort| Selectable {
                value: (*sort).to_owned(),
                label: ctx.t(&format!("sort-{sort}")),
                label_lang: None,
                selected: *sort == self.sort || (self.sort.is_empty() && *sort == "newest"),
            })
            .collect()
    }

    /// The list's address for the tag `tag`, other filters kept.
    pub(crate) fn tag_href(&self, tag: &str) -> String {
        Self {
            tag: tag.to_owned(),
            page: String::new(),
            ..self.clone()
        }
        .href(None)
    }

    pub(crate) fn request(&self) -> coproduction::ListProcessesRequest {
        coproduction::ListProcessesRequest {
            page_size: PROCESSES_PER_PAGE,
            page_token: self.page.clone(),
            mine: self.scope == Scope::Mine,
            organization: if self.organization.is_empty() {
                String::new()
            } else {
                format!("organizations/{}", self.organization)
            },
            public_only: self.scope == Scope::Public,
            status: self
                .status
                .and_then(|s| STATUSES.iter().find(|(name, _)| *name == s))
                .map_or(0, |(_, status)| *status as i32),
            query: self.query.clone(),
            tag: self.tag.clone(),
            order_by: self.sort.to_owned(),
        }
    }

    /// The list's address for these filters at `page` (none: the first).
    pub(crate) fn href(&self, page: Option<&str>) -> String {
        let base = match self.scope {
            Scope::Public => "/processes",
            Scope::Mine => "/workspace",
        };
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
        if !self.query.is_empty() {
            pairs.push(format!("q={}", form_urlencoded_component(&self.query)));
        }
        if !self.tag.is_empty() {
            pairs.push(format!("tag={}", form_urlencoded_component(&self.tag)));
        }
        if !self.sort.is_empty() {
            pairs.push(format!("sort={}", self.sort));
        }
        if let Some(page) = page {
            pairs.push(format!("page={}", form_urlencoded_component(page)));
        }
        if pairs.is_empty() {
            base.to_owned()
        } else {
            format!("{base}?{}", pairs.join("&"))
        }
    }

    /// The status filter's choices, "any" first.
    pub(crate) fn status_choices(&self, ctx: &PageCtx) -> Vec<Selectable> {
        std::iter::once(("", "status-any"))
            .chain(
                STATUSES
                    .iter()
                    .map(|(name, status)| (*name, status_message(*status as i32))),
            )
            .map(|(value, message)| Selectable {
                value: value.to_owned(),
                label: ctx.t(message),
                label_lang: None,
                selected: self.status.unwrap_or_default() == value,
            })
            .collect()
    }

    /// The organisation filter's choices, "any" first.
    pub(crate) fn organization_choices(
        &self,
        ctx: &PageCtx,
        organizations: &[community::Organization],
    ) -> Vec<Selectable> {
        organization_choices(
            ctx.lang,
            organizations,
            &self.organization,
            Some(ctx.t("organization-any")),
        )
    }
}

/// The organisations as choices (by id), `chosen` selected, after an
/// "any" choice labelled `any_label` when given.
pub(crate) fn organization_choices(
    lang: Lang,
    organizations: &[community::Organization],
    chosen: &str,
    any_label: Option<String>,
) -> Vec<Selectable> {
    let mut choices: Vec<Selectable> = any_label
        .map(|label| Selectable {
            value: String::new(),
            label,
            label_lang: None,
            selected: chosen.is_empty(),
        })
        .into_iter()
        .collect();
    choices.extend(organizations.iter().map(|o| {
        let id = o.name.split_once('/').map_or(o.name.as_str(), |(_, id)| id);
        let title = shown(o.display_name.as_ref(), lang);
        Selectable {
            value: id.to_owned(),
            label: title.text,
            label_lang: title.lang,
            selected: id == chosen,
        }
    }));
    choices
}

/// A tab of a process's pages.
pub(crate) struct Tab {
    pub(crate) href: String,
    pub(crate) label: String,
    pub(crate) current: bool,
}

/// The tabs of the process whose page is `href`, `current` (`overview`,
/// `guide`, `workplan`, `team`, `resources`, `monitoring`, `settings`)
/// marked; its monitoring and settings only for its administrators (the
/// monitoring service shows its figures to organisation administrators).
pub(crate) fn process_tabs(
    ctx: &PageCtx,
    href: &str,
    current: &str,
    administers: bool,
) -> Vec<Tab> {
    let mut tabs = vec![
        ("overview", href.to_owned(), "process-tab-overview"),
        ("guide", format!("{href}/guide"), "process-tab-guide"),
        (
            "workplan",
            format!("{href}/workplan"),
            "process-tab-workplan",
        ),
        ("team", format!("{href}/team"), "process-tab-team"),
        (
            "resources",
            format!("{href}/resources"),
            "process-tab-resources",
        ),
    ];
    if administers {
        tabs.push((
            "monitoring",
            format!("{href}/monitoring"),
            "process-tab-monitoring",
        ));
        tabs.push(("settings", format!("{href}/settings"), "process-settings"));
    }
    tabs.into_iter()
        .map(|(id, href, message)| Tab {
            href,
            label: ctx.t(message),
            current: id == current,
        })
        .collect()
}

/// A process in a list.
pub(crate) struct ProcessRow {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) lang: Option<String>,
    pub(crate) meta: String,
    pub(crate) excerpt: String,
    /// Its tags, each with the list's address for it (none on the home
    /// page).
    pub(crate) tags: Vec<(String, String)>,
}

/// A choice of a select or radio group.
pub(crate) struct Selectable {
    pub(crate) value: String,
    pub(crate) label: String,
    pub(crate) label_lang: Option<String>,
    pub(crate) selected: bool,
}

#[derive(Template)]
#[template(path = "processes.html")]
struct ProcessesPage {
    ctx: PageCtx,
    processes: Vec<ProcessRow>,
    query: String,
    tag: String,
    sorts: Vec<Selectable>,
    statuses: Vec<Selectable>,
    organizations: Vec<Selectable>,
    filtered: bool,
    next_page: Option<String>,
}

/// The organisations one may see, by name, with their titles (empty when
/// community is not there or does not answer: rows then go without).
pub(crate) async fn organizations(state: &WebState, ctx: &PageCtx) -> Vec<community::Organization> {
    let Some(channel) = state.services.community.clone() else {
        return Vec::new();
    };
    match CommunityServiceClient::new(channel)
        .list_organizations(ctx.call(community::ListOrganizationsRequest {
            page_size: ORGANIZATIONS_LISTED,
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

/// A process row's facts: organisation, status, progress, language.
pub(crate) fn process_row(
    ctx: &PageCtx,
    process: &coproduction::Process,
    organizations: &[community::Organization],
) -> ProcessRow {
    let mut meta = Vec::new();
    if let Some(organization) = organizations
        .iter()
        .find(|o| o.name == process.organization)
    {
        meta.push(shown(organization.display_name.as_ref(), ctx.lang).text);
    }
    meta.push(ctx.t(status_message(process.status)));
    meta.push(progress_text(ctx, process.progress));
    ProcessRow {
        href: process_href(&process.name),
        title: process.title.clone(),
        lang: text_lang(&process.language, ctx.lang),
        meta: meta.join(" · "),
        excerpt: excerpt(if process.description.is_empty() {
            &process.aim
        } else {
            &process.description
        }),
        tags: Vec::new(),
    }
}

/// [`process_row`] with its tags, each linked to the list `filters` give
/// for it.
pub(crate) fn listed_row(
    ctx: &PageCtx,
    process: &coproduction::Process,
    organizations: &[community::Organization],
    filters: &ProcessFilters,
) -> ProcessRow {
    ProcessRow {
        tags: process
            .tags
            .iter()
            .map(|tag| (tag.clone(), filters.tag_href(tag)))
            .collect(),
        ..process_row(ctx, process, organizations)
    }
}

/// `GET /processes?status=…&organization=…&page=…`: the public processes,
/// newest first, filtered.
pub(crate) async fn processes(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "processes");
    let filters = match ProcessFilters::parse(Scope::Public, uri.query()) {
        Ok(filters) => filters,
        Err(status) => return problem(ctx, &status),
    };
    let Some(mut client) = coproduction_client(&state) else {
        return no_coproduction(ctx);
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
    page(
        &ProcessesPage {
            query: filters.query().to_owned(),
            tag: filters.tag().to_owned(),
            sorts: filters.sort_choices(&ctx),
            statuses: filters.status_choices(&ctx),
            organizations: filters.organization_choices(&ctx, &organizations),
            filtered: filters.filtered(),
            ctx,
            processes,
            next_page,
        },
        StatusCode::OK,
    )
}

/// A titled text of a process or story.
pub(crate) struct Section {
    pub(crate) heading: String,
    pub(crate) paragraphs: Vec<String>,
}

/// The sections of `texts` that say something.
fn sections(ctx: &PageCtx, texts: &[(&str, &str)]) -> Vec<Section> {
    texts
        .iter()
        .filter(|(_, text)| !text.trim().is_empty())
        .map(|(heading, text)| Section {
            heading: ctx.t(heading),
            paragraphs: paragraphs(text),
        })
        .collect()
}

/// A task, objective or phase of a process's plan.
pub(crate) struct PlanItem {
    /// The element's id (`task-{id}` …), for links to it.
    pub(crate) anchor: String,
    pub(crate) title: Shown,
    pub(crate) status: String,
    /// The status as the status form names it.
    pub(crate) status_value: &'static str,
    /// Where a task's status form posts, when the visitor may change it.
    pub(crate) action: Option<String>,
    pub(crate) children: Vec<PlanItem>,
}

/// A published schema offered to plan a process from.
pub(crate) struct SchemaChoice {
    pub(crate) value: String,
    pub(crate) label: Shown,
    pub(crate) preview: String,
}

/// A story in a list.
pub(crate) struct StoryRow {
    pub(crate) href: String,
    pub(crate) title: String,
    pub(crate) meta: String,
    pub(crate) excerpt: String,
    /// "From …" on another deployment's story.
    pub(crate) origin: Option<String>,
    /// A mirror its origin no longer shares.
    pub(crate) withdrawn: bool,
}

#[derive(Template)]
#[template(path = "process.html")]
struct ProcessPage {
    ctx: PageCtx,
    notice: Option<String>,
    href: String,
    csrf: String,
    /// The schemas an administrator may plan the (empty) process from.
    schemas: Vec<SchemaChoice>,
    tabs: Vec<Tab>,
    /// The set-up steps, for its administrators.
    steps: Vec<crate::overview::Step>,
    /// Its latest activity, for those who may read it.
    feed: crate::overview::Feed,
    /// Whether the visitor administers it (the story link).
    administers: bool,
    /// Whether it has started (a story may be told).
    started: bool,
    statuses: Vec<(&'static str, String)>,
    title: String,
    text_lang: Option<String>,
    organization: Option<(String, String)>,
    meta: String,
    dates: Option<String>,
    tags: Vec<String>,
    sections: Vec<Section>,
    plan: Vec<PlanItem>,
    stories: Vec<StoryRow>,
    /// "Built from …'s schema", with the mirrored schema's page.
    schema_origin: Option<(String, String)>,
    /// "Adopted from …'s story", with the mirrored story's page.
    adopted_origin: Option<(String, String)>,
}

/// "From 3 March 2026 to 30 June 2026", "From …", "Until …".
pub(crate) fn period(
    ctx: &PageCtx,
    start: Option<&prost_types::Timestamp>,
    end: Option<&prost_types::Timestamp>,
) -> Option<String> {
    let date =
        |t: &prost_types::Timestamp| fluent_bundle::FluentValue::from(ctx.lang.date(t.seconds));
    match (start, end) {
        (Some(start), Some(end)) => Some(ctx.lang.message(
            "period-from-to",
            &[("start", date(start)), ("end", date(end))],
        )),
        (Some(start), None) => Some(ctx.lang.message("period-from", &[("start", date(start))])),
        (None, Some(end)) => Some(ctx.lang.message("period-until", &[("end", date(end))])),
        (None, None) => None,
    }
}

/// A story row: when it was published and how it is rated.
fn story_row(ctx: &PageCtx, story: &coproduction::Story) -> StoryRow {
    let mut meta = Vec::new();
    if let Some(published) = &story.publish_time {
        meta.push(ctx.t_with("published-on", "date", &ctx.lang.date(published.seconds)));
    }
    meta.push(rating_text(ctx, story.rating_average, story.rating_count));
    StoryRow {
        href: story_href(&story.name),
        title: story.title.clone(),
        meta: meta.join(" · "),
        excerpt: excerpt(if story.description.is_empty() {
            &story.results
        } else {
            &story.description
        }),
        origin: story
            .origin
            .as_ref()
            .map(|origin| crate::origins::from_label(ctx, origin)),
        withdrawn: story.withdrawn,
    }
}

/// "Rated 4.5 out of 5 by 2 people", or "Not rated yet".
fn rating_text(ctx: &PageCtx, average: f64, count: i64) -> String {
    ctx.lang.message(
        "rating-summary",
        &[
            ("count", fluent_bundle::FluentValue::from(count)),
            (
                "shown",
                fluent_bundle::FluentValue::from(ctx.lang.number(count)),
            ),
            (
                "average",
                fluent_bundle::FluentValue::from(ctx.lang.decimal(average)),
            ),
        ],
    )
}

/// The status form's name of a status.
pub(crate) fn status_value(status: i32) -> &'static str {
    match coproduction::Status::try_from(status) {
        Ok(coproduction::Status::InProgress) => "in-progress",
        Ok(coproduction::Status::Finished) => "finished",
        _ => "awaiting",
    }
}

/// The anchor of a tree item (`tasks/{id}` → `task-{id}`).
fn anchor(name: &str) -> String {
    let (kind, id) = name.split_once('/').unwrap_or(("item", name));
    format!("{}-{id}", kind.trim_end_matches('s'))
}

/// The process's plan as a tree of titles and statuses; each task with
/// its status form when `href` (the process's page) is given.
fn plan(ctx: &PageCtx, items: &[coproduction::TreeItem], href: Option<&str>) -> Vec<PlanItem> {
    let of = |parent: &str| -> Vec<&coproduction::TreeItem> {
        items.iter().filter(|i| i.parent == parent).collect()
    };
    let item = |i: &coproduction::TreeItem, children: Vec<PlanItem>| PlanItem {
        anchor: anchor(&i.name),
        title: shown(i.title.as_ref(), ctx.lang),
        status: format!(
            "{} · {}",
            ctx.t(status_message(i.status)),
            progress_text(ctx, i.progress)
        ),
        status_value: status_value(i.status),
        action: href
            .filter(|_| i.kind == coproduction::ItemKind::Task as i32)
            .map(|href| {
                let id = i.name.split_once('/').map_or(i.name.as_str(), |(_, id)| id);
                format!("{href}/tasks/{id}/status")
            }),
        children,
    };
    items
        .iter()
        .filter(|i| i.kind == coproduction::ItemKind::Phase as i32)
        .map(|phase| {
            let objectives = of(&phase.name)
                .into_iter()
                .map(|objective| {
                    let tasks = of(&objective.name)
                        .into_iter()
                        .map(|task| item(task, Vec::new()))
                        .collect();
                    item(objective, tasks)
                })
                .collect();
            item(phase, objectives)
        })
        .collect()
}

/// The published schemas, for an administrator planning an empty process.
async fn published_schemas(state: &WebState, ctx: &PageCtx) -> Vec<SchemaChoice> {
    use interlink_proto::catalogue::v1 as catalogue;
    let mut client = catalogue::catalogue_service_client::CatalogueServiceClient::new(
        state.services.catalogue.clone(),
    );
    match client
        .list_schemas(ctx.call(catalogue::ListSchemasRequest {
            page_size: 500,
            page_token: String::new(),
            view: catalogue::SchemaView::Basic as i32,
        }))
        .await
    {
        Ok(answer) => answer
            .into_inner()
            .schemas
            .iter()
            .filter(|s| s.latest_version > 0)
            .map(|s| SchemaChoice {
                value: s
                    .name
                    .split_once('/')
                    .map_or(s.name.as_str(), |(_, id)| id)
                    .to_owned(),
                label: shown(s.title.as_ref(), ctx.lang),
                preview: resource_href("/schemas", &s.name),
            })
            .collect(),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "the schemas did not come");
            Vec::new()
        }
    }
}

/// What the visitor may do in a process (nothing when anonymous, or when
/// co-production does not say).
async fn my_permissions(
    client: &mut CoproductionServiceClient<crate::Channel>,
    ctx: &PageCtx,
    name: &str,
) -> coproduction::Permissions {
    if ctx.user().is_none() {
        return coproduction::Permissions::default();
    }
    client
        .get_my_permissions(ctx.call(coproduction::GetMyPermissionsRequest {
            target: name.to_owned(),
        }))
        .await
        .map(|answer| answer.into_inner())
        .unwrap_or_default()
}

/// `GET /processes/{id}`: a process anyone (or the visitor) may see: what
/// it is for, its plan's progress and its stories.
pub(crate) async fn process(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "processes");
    let Some(mut client) = coproduction_client(&state) else {
        return no_coproduction(ctx);
    };
    let name = format!("processes/{id}");
    let mut stories_client = client.clone();
    let mut permissions_client = client.clone();
    let (tree, stories, permissions) = tokio::join!(
        client.get_tree(ctx.call(coproduction::GetTreeRequest {
            process: name.clone(),
        })),
        stories_client.list_stories(ctx.call(coproduction::ListStoriesRequest {
            page_size: STORIES_LOOKED_THROUGH,
            page_token: String::new(),
            // A process's stories are this deployment's.
            origins: vec!["local".into()],
        })),
        my_permissions(&mut permissions_client, &ctx, &name),
    );
    let tree = match tree {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let Some(process) = tree.process else {
        return problem(ctx, &tonic::Status::not_found(name));
    };
    let stories = stories
        .map(|answer| answer.into_inner().stories)
        .unwrap_or_default()
        .iter()
        .filter(|story| story.process == process.name)
        .map(|story| story_row(&ctx, story))
        .collect();
    let plans = permissions.administrator && tree.items.is_empty();
    let href = process_href(&process.name);
    let (organization, schemas, steps, feed) = tokio::join!(
        organization_link(&state, &ctx, &process.organization),
        async {
            if plans {
                published_schemas(&state, &ctx).await
            } else {
                Vec::new()
            }
        },
        async {
            if permissions.administrator {
                crate::overview::steps(&state, &ctx, &process, &tree.items, &href).await
            } else {
                Vec::new()
            }
        },
        crate::overview::feed(&state, &ctx, &process.name),
    );
    let sections = sections(
        &ctx,
        &[
            ("process-description", &process.description),
            ("process-aim", &process.aim),
            ("process-idea", &process.idea),
            ("process-organization", &process.organization_description),
            ("process-challenges", &process.challenges),
            ("process-requirements", &process.requirements),
        ],
    );
    let meta = format!(
        "{} · {}",
        ctx.t(status_message(process.status)),
        progress_text(&ctx, process.progress)
    );
    let notice = match uri.query() {
        Some("created=1") => Some(ctx.t("process-created")),
        Some("saved=1") => Some(ctx.t("changes-saved")),
        Some("planned=1") => Some(ctx.t("process-planned")),
        Some("status=1") => Some(ctx.t("task-status-saved")),
        Some("imported=1") => Some(ctx.t("process-imported")),
        Some("cloned=1") => Some(ctx.t("process-cloned")),
        Some("cleared=1") => Some(ctx.t("process-cleared")),
        Some("adopted=1") => Some(ctx.t("process-adopted")),
        _ => None,
    };
    let schema_origin = process.schema_origin.as_ref().map(|origin| {
        (
            ctx.t_with(
                "process-schema-origin",
                "deployment",
                &crate::origins::origin_deployment(origin),
            ),
            resource_href("/schemas", &process.schema),
        )
    });
    let adopted_origin = process.adopted_origin.as_ref().map(|origin| {
        (
            ctx.t_with(
                "process-adopted-origin",
                "deployment",
                &crate::origins::origin_deployment(origin),
            ),
            story_href(&process.adopted_from),
        )
    });
    // Only to offer the forms: co-production decides on each.
    let changes_status = permissions.administrator || permissions.set_status;
    let csrf = if changes_status || plans {
        ctx.csrf(&state)
    } else {
        String::new()
    };
    let statuses = STATUSES
        .iter()
        .map(|(value, status)| (*value, ctx.t(status_message(*status as i32))))
        .collect();
    page(
        &ProcessPage {
            notice,
            title: process.title.clone(),
            text_lang: text_lang(&process.language, ctx.lang),
            organization,
            meta,
            dates: period(&ctx, process.start_time.as_ref(), process.end_time.as_ref()),
            tags: process.tags.clone(),
            sections,
            plan: plan(&ctx, &tree.items, changes_status.then_some(href.as_str())),
            stories,
            csrf,
            schemas,
            statuses,
            tabs: process_tabs(&ctx, &href, "overview", permissions.administrator),
            steps,
            feed,
            administers: permissions.administrator,
            started: process.status != coproduction::Status::Awaiting as i32,
            schema_origin,
            adopted_origin,
            href,
            ctx,
        },
        StatusCode::OK,
    )
}

/// The organisation's title and page, if community shows it.
async fn organization_link(
    state: &WebState,
    ctx: &PageCtx,
    name: &str,
) -> Option<(String, String)> {
    let channel = state.services.community.clone()?;
    let organization = CommunityServiceClient::new(channel)
        .get_organization(ctx.call(community::GetOrganizationRequest {
            name: name.to_owned(),
        }))
        .await
        .ok()?
        .into_inner();
    Some((
        shown(organization.display_name.as_ref(), ctx.lang).text,
        crate::organizations::organization_href(&organization.name),
    ))
}

/// The newest public processes for the home page (none when co-production
/// is not there or does not answer).
pub(crate) async fn home_processes(state: &WebState, ctx: &PageCtx, count: i32) -> Vec<ProcessRow> {
    let Some(mut client) = coproduction_client(state) else {
        return Vec::new();
    };
    let (listed, organizations) = tokio::join!(
        client.list_processes(ctx.call(coproduction::ListProcessesRequest {
            page_size: count,
            public_only: true,
            ..Default::default()
        })),
        organizations(state, ctx),
    );
    match listed {
        Ok(answer) => answer
            .into_inner()
            .processes
            .iter()
            .map(|p| process_row(ctx, p, &organizations))
            .collect(),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "the home page's processes did not come");
            Vec::new()
        }
    }
}

/// The newest stories for the home page.
pub(crate) async fn home_stories(state: &WebState, ctx: &PageCtx, count: i32) -> Vec<StoryRow> {
    let Some(mut client) = coproduction_client(state) else {
        return Vec::new();
    };
    match client
        .list_stories(ctx.call(coproduction::ListStoriesRequest {
            page_size: count,
            page_token: String::new(),
            origins: Vec::new(),
        }))
        .await
    {
        Ok(answer) => answer
            .into_inner()
            .stories
            .iter()
            .map(|s| story_row(ctx, s))
            .collect(),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "the home page's stories did not come");
            Vec::new()
        }
    }
}

#[derive(Template)]
#[template(path = "stories.html")]
struct StoriesPage {
    ctx: PageCtx,
    stories: Vec<StoryRow>,
    next_page: Option<String>,
    /// The origin filter: every deployment, this one, each other one
    /// (none while every story is this deployment's).
    origins: Vec<Selectable>,
    /// Whether an origin is chosen.
    filtered: bool,
}

/// `GET /stories?origin=…&page=…`: the success stories one may see,
/// newest first; from one deployment when `origin` is `local` or another
/// deployment's address.
pub(crate) async fn stories(state: Shared, headers: HeaderMap, uri: Uri) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "stories");
    let mut page_token = String::new();
    let mut origin = String::new();
    for (key, value) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "page" => page_token = value.into_owned(),
            "origin" => value.trim().clone_into(&mut origin),
            _ => {}
        }
    }
    if origin.chars().count() > MAX_ORIGIN_CHARS {
        return problem(
            ctx,
            &tonic::Status::invalid_argument(format!(
                "origin: at most {MAX_ORIGIN_CHARS} characters"
            )),
        );
    }
    let Some(mut client) = coproduction_client(&state) else {
        return no_coproduction(ctx);
    };
    let listed = client
        .list_stories(ctx.call(coproduction::ListStoriesRequest {
            page_size: STORIES_PER_PAGE,
            page_token,
            origins: if origin.is_empty() {
                Vec::new()
            } else {
                vec![origin.clone()]
            },
        }))
        .await;
    let listed = match listed {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let origins = story_origin_choices(&ctx, &listed.origins, &origin);
    let stories = listed.stories.iter().map(|s| story_row(&ctx, s)).collect();
    let next_page = (!listed.next_page_token.is_empty()).then(|| {
        let mut href = String::from("/stories?");
        if !origin.is_empty() {
            href.push_str(&format!("origin={}&", form_urlencoded_component(&origin)));
        }
        href.push_str(&format!(
            "page={}",
            form_urlencoded_component(&listed.next_page_token)
        ));
        href
    });
    page(
        &StoriesPage {
            ctx,
            stories,
            next_page,
            origins,
            filtered: !origin.is_empty(),
        },
        StatusCode::OK,
    )
}

/// The stories' origin filter: every deployment, this one, then each other
/// one the stories come from (and the one chosen), by name.
fn story_origin_choices(
    ctx: &PageCtx,
    deployments: &[coproduction::StoryOrigin],
    chosen: &str,
) -> Vec<Selectable> {
    let mut others: Vec<(String, String)> = deployments
        .iter()
        .map(|d| {
            (
                d.deployment.clone(),
                crate::origins::deployment_label(&d.deployment_name, &d.deployment),
            )
        })
        .collect();
    if !chosen.is_empty() && chosen != "local" && !others.iter().any(|(v, _)| v == chosen) {
        others.push((
            chosen.to_owned(),
            crate::origins::deployment_label("", chosen),
        ));
    }
    if others.is_empty() && chosen.is_empty() {
        return Vec::new();
    }
    others.sort_by(|a, b| a.1.cmp(&b.1));
    [
        (String::new(), ctx.t("origin-any")),
        ("local".to_owned(), ctx.t("origin-local")),
    ]
    .into_iter()
    .chain(others)
    .map(|(value, label)| Selectable {
        selected: value == chosen,
        value,
        label,
        label_lang: None,
    })
    .collect()
}

#[derive(Template)]
#[template(path = "story.html")]
struct StoryPage {
    ctx: PageCtx,
    notice: Option<String>,
    /// The rating form's address and token, for someone signed in.
    rate: Option<(String, String)>,
    /// Where "start a process like this one" posts.
    clone_action: String,
    /// The rating form's choices: 1 to 5 stars, in words.
    stars: Vec<(i32, String)>,
    title: String,
    text_lang: Option<String>,
    process: Option<(String, String)>,
    author: String,
    published: Option<String>,
    rating: String,
    period: Option<String>,
    licences: Vec<String>,
    keywords: Vec<String>,
    sections: Vec<Section>,
    /// Where a mirror came from.
    origin: Option<crate::origins::OriginNote>,
    /// A mirror its origin no longer shares.
    withdrawn: bool,
    /// For someone signed in, on a mirror still shared: the form adopting
    /// it as a new process of one of their organisations.
    adopt: Option<AdoptForm>,
    /// For its process's administrators: the switch sharing it.
    sharing: Option<crate::origins::SharingForm>,
    /// The forms' token.
    csrf: String,
}

/// The form adopting a mirrored story.
pub(crate) struct AdoptForm {
    pub(crate) action: String,
    /// The organisations one may choose.
    pub(crate) organizations: Vec<Selectable>,
    pub(crate) errors: crate::pages::FieldErrors,
}

web_pages!(ProcessesPage, ProcessPage, StoriesPage, StoryPage);

/// `GET /stories/{id}`: a success story, with its process and author (or,
/// for another deployment's, where it came from).
pub(crate) async fn story(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "stories");
    let notice = match uri.query() {
        Some("published=1") => Some(ctx.t("story-published")),
        Some("rated=1") => Some(ctx.t("story-rated")),
        query => crate::origins::sharing_notice(&ctx, query, "story"),
    };
    render_story(&state, ctx, &id, notice, None, StatusCode::OK).await
}

/// The page of story `id`, with `adopted` when the adopt form came back
/// with mistakes.
pub(crate) async fn render_story(
    state: &WebState,
    mut ctx: PageCtx,
    id: &str,
    notice: Option<String>,
    adopted: Option<crate::origins::AdoptChoice>,
    status: StatusCode,
) -> Response {
    let Some(mut client) = coproduction_client(state) else {
        return no_coproduction(ctx);
    };
    let story = match client
        .get_story(ctx.call(coproduction::GetStoryRequest {
            name: format!("stories/{id}"),
        }))
        .await
    {
        Ok(answer) => answer.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let mirror = story.origin.is_some();
    let signed_in = ctx.user().is_some();
    let mut process_client = client.clone();
    let (process, authors, permissions, organizations) = tokio::join!(
        async {
            if mirror {
                None
            } else {
                process_client
                    .get_process(ctx.call(coproduction::GetProcessRequest {
                        name: story.process.clone(),
                    }))
                    .await
                    .ok()
            }
        },
        people(state, &ctx, std::iter::once(story.author.clone())),
        async {
            if mirror {
                coproduction::Permissions::default()
            } else {
                my_permissions(&mut client, &ctx, &story.process).await
            }
        },
        async {
            if mirror && signed_in && !story.withdrawn {
                organizations(state, &ctx).await
            } else {
                Vec::new()
            }
        },
    );
    let process = process.map(|p| p.into_inner());
    let text_lang = process
        .as_ref()
        .and_then(|p| text_lang(&p.language, ctx.lang));
    let href = story_href(&story.name);
    let csrf = if signed_in {
        ctx.csrf(state)
    } else {
        String::new()
    };
    // A mirror is rated where it was told, not here.
    let rate = (signed_in && !mirror).then(|| (format!("{href}/rating"), csrf.clone()));
    let adopt = (signed_in && mirror && !story.withdrawn).then(|| {
        let adopted = adopted.unwrap_or_default();
        AdoptForm {
            action: format!("{href}/adopt"),
            organizations: organization_choices(
                ctx.lang,
                &organizations,
                &adopted.organization,
                None,
            ),
            errors: adopted.errors,
        }
    });
    let sharing = (permissions.administrator && !mirror).then(|| crate::origins::SharingForm {
        action: format!("{href}/sharing"),
        shared: story.shared,
    });
    let origin = story
        .origin
        .as_ref()
        .map(|o| crate::origins::origin_note(&ctx, o, "/stories"));
    let stars = (1..=5)
        .map(|value| {
            (
                value,
                ctx.lang.message(
                    "rating-stars",
                    &[("value", fluent_bundle::FluentValue::from(value))],
                ),
            )
        })
        .collect();
    page(
        &StoryPage {
            notice,
            rate,
            clone_action: format!("{href}/clone"),
            stars,
            title: story.title.clone(),
            process: process.map(|p| (p.title.clone(), process_href(&p.name))),
            author: display_name(&ctx, &authors, &story.author),
            published: story
                .publish_time
                .as_ref()
                .map(|t| ctx.t_with("published-on", "date", &ctx.lang.date(t.seconds))),
            rating: rating_text(&ctx, story.rating_average, story.rating_count),
            period: period(&ctx, story.start_time.as_ref(), story.end_time.as_ref()),
            licences: story.licences.clone(),
            keywords: story.keywords.clone(),
            sections: sections(
                &ctx,
                &[
                    ("story-description", &story.description),
                    ("story-results", &story.results),
                    ("story-lessons", &story.lessons_learned),
                ],
            ),
            text_lang,
            origin,
            withdrawn: story.withdrawn,
            adopt,
            sharing,
            csrf,
            ctx,
        },
        status,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_filters_read_and_write_the_same_address() {
        let filters = ProcessFilters::parse(
            Scope::Public,
            Some("status=in-progress&organization=abc-1&page=t%2B1"),
        )
        .expect("filters");
        assert_eq!(filters.status, Some("in-progress"));
        let request = filters.request();
        assert!(request.public_only && !request.mine);
        assert_eq!(request.status, coproduction::Status::InProgress as i32);
        assert_eq!(request.organization, "organizations/abc-1");
        assert_eq!(request.page_token, "t+1");
        assert_eq!(
            filters.href(None),
            "/processes?status=in-progress&organization=abc-1"
        );
        let again = ProcessFilters::parse(
            Scope::Public,
            filters.href(Some("t+1")).split_once('?').map(|(_, q)| q),
        )
        .expect("again");
        assert_eq!(again, filters);
        assert_eq!(ProcessFilters::default().href(None), "/processes");
        // Words, a tag and an order go to the service and come back in the
        // address; a tag's link keeps the other filters.
        let searched = ProcessFilters::parse(
            Scope::Mine,
            Some("q=parque%20norte&tag=verde&sort=title&status=finished"),
        )
        .expect("filters");
        let request = searched.request();
        assert_eq!(
            (
                request.query.as_str(),
                request.tag.as_str(),
                request.order_by.as_str()
            ),
            ("parque norte", "verde", "title")
        );
        assert_eq!(
            searched.href(None),
            "/workspace?status=finished&q=parque%20norte&tag=verde&sort=title"
        );
        assert_eq!(
            searched.tag_href("barrio"),
            "/workspace?status=finished&q=parque%20norte&tag=barrio&sort=title"
        );
        assert!(ProcessFilters::parse(Scope::Mine, Some("sort=size")).is_err());
        let refused =
            ProcessFilters::parse(Scope::Public, Some("status=paused")).expect_err("refused");
        assert!(refused.message().starts_with("status"));
        // The workspace's: the visitor's own processes, private ones too.
        let mine = ProcessFilters::parse(Scope::Mine, Some("status=finished&organization=o-1"))
            .expect("filters");
        let request = mine.request();
        assert!(request.mine && !request.public_only);
        assert_eq!(
            mine.href(Some("p")),
            "/workspace?status=finished&organization=o-1&page=p"
        );
        assert_eq!(
            ProcessFilters::parse(Scope::Mine, None)
                .map(|f| f.href(None))
                .ok()
                .as_deref(),
            Some("/workspace")
        );
    }

    #[test]
    fn excerpts_keep_the_first_paragraph_cut_short() {
        assert_eq!(excerpt("First.\n\nSecond."), "First.");
        let long = "x".repeat(EXCERPT_CHARS + 10);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
        assert_eq!(excerpt(""), "");
    }

    #[test]
    fn a_process_text_is_marked_with_its_language_when_not_the_pages() {
        assert_eq!(text_lang("es", Lang::En).as_deref(), Some("es"));
        assert_eq!(text_lang("es", Lang::Es), None);
        assert_eq!(text_lang("", Lang::En), None);
    }
}
