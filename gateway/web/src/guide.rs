//! A process's guide: its phases as tabs, the selected phase's objectives
//! and tasks with their status, progress and dates, and a panel for the
//! selected item (every item has its own address): what it is, what comes
//! before it, its resources, who may do what on it, and the contributions
//! claimed on it. The forms each panel offers are only offered: co-production
//! decides on every one (see [`crate::guide_forms`]).

use askama::Template;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use interlink_proto::community::v1 as community;
use interlink_proto::community::v1::community_service_client::CommunityServiceClient;
use interlink_proto::coproduction::v1 as coproduction;

use crate::i18n::iso_date;
use crate::interlinker::interlinker_href;
use crate::pages::{
    FieldErrors, PageCtx, Shown, display_name, nature_message, page, paragraphs, people, problem,
    shown, web_pages,
};
use crate::processes::{
    Tab, coproduction_client, process_href, process_tabs, status_message, status_value,
};
use crate::{Shared, WebState};

/// Interlinkers recommended for a task.
const RECOMMENDED: i32 = 5;
/// Catalogue search results offered in the panel.
const SEARCH_RESULTS: i32 = 10;
/// Teams looked through to name those with grants.
const TEAMS_LISTED: i32 = 500;

/// The kinds of tree items as their addresses name them.
pub(crate) const ITEM_KINDS: [&str; 3] = ["phases", "objectives", "tasks"];

/// The guide's address of item `name` (`tasks/{id}` …) of process `process`
/// (`processes/{id}`).
pub(crate) fn item_href(process: &str, name: &str) -> String {
    format!("{}/guide/{name}", process_href(process))
}

/// `tasks/{id}` for the path segments `tasks` and `{id}`, if `kind` is an
/// item kind and `id` looks like one.
pub(crate) fn item_name(kind: &str, id: &str) -> Option<String> {
    (ITEM_KINDS.contains(&kind)
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'))
    .then(|| format!("{kind}/{id}"))
}

/// A form of the panel posted back with mistakes: what was typed, to show
/// again beside the service's messages.
pub(crate) enum Retry {
    Edit {
        title: String,
        description: String,
        start: String,
        end: String,
        problem_profiles: String,
    },
    Prerequisites {
        chosen: Vec<String>,
        /// The loop the choice would make, as the service named it.
        cycle: Vec<String>,
    },
    Child {
        title: String,
        /// A new phase (the form above the tree), not a child of the item.
        phase: bool,
    },
    Link {
        name: String,
        uri: String,
    },
    Claim {
        kind: String,
        description: String,
    },
}

/// A phase tab, or an objective or task of the tree.
pub(crate) struct TreeRow {
    href: String,
    title: Shown,
    status: String,
    dates: Option<String>,
    current: bool,
    disabled: bool,
    children: Vec<TreeRow>,
}

/// An item linked from the panel (a prerequisite, a step of a loop).
struct LinkedItem {
    href: String,
    title: Shown,
    status: String,
}

/// A check box.
struct Check {
    value: String,
    label: Shown,
    checked: bool,
}

/// An option of a select.
struct SelectOption {
    value: &'static str,
    label: String,
    selected: bool,
}

/// An asset of the item.
struct AssetRow {
    title: String,
    href: String,
    external: bool,
    meta: String,
    delete_href: Option<String>,
    /// Where it is made, or why it is not (when it is made on an
    /// interlinker).
    preparation: Option<String>,
    /// The form that tries making it again, when that failed.
    retry_href: Option<String>,
}

/// An interlinker that may become an asset.
struct Pick {
    interlinker: String,
    title: Shown,
    href: String,
    meta: String,
    /// A software interlinker whose instantiate page the platform may
    /// frame (`instantiate` and `open_in_modal`).
    instantiates: bool,
}

/// A team's grant, on the process or this item.
struct GrantRow {
    team: String,
    team_href: String,
    rights: String,
    on_process: bool,
}

/// A contribution claimed on the task.
struct ClaimRow {
    claimant: String,
    kind: String,
    state: String,
    description: Vec<String>,
    /// Where accept and reject post, for an administrator while pending.
    decide: Option<String>,
}

/// The forms of the panel, when the visitor may use them.
#[derive(Default)]
struct Forms {
    status: Option<(String, Vec<SelectOption>)>,
    edit: bool,
    prerequisites: Vec<Check>,
    /// The child's kind message and where it posts.
    child: Option<(String, String)>,
    copy: Option<String>,
    disable: Option<String>,
    assets: bool,
    claim: Vec<SelectOption>,
}

#[derive(Template)]
#[template(path = "guide.html")]
struct GuidePage {
    ctx: PageCtx,
    csrf: String,
    notice: Option<String>,
    title: String,
    text_lang: Option<String>,
    href: String,
    tabs: Vec<Tab>,
    phases: Vec<TreeRow>,
    /// Where a new phase posts, for those who edit the tree.
    add_phase: Option<String>,
    tree: Vec<TreeRow>,
    selected: Option<Panel>,
    errors: FieldErrors,
    retry: Option<Retry>,
}

/// The panel of the selected item.
struct Panel {
    name: String,
    href: String,
    kind: String,
    is_task: bool,
    title: Shown,
    description: Vec<String>,
    description_lang: Option<String>,
    status: String,
    dates: Option<String>,
    disabled: bool,
    prerequisites: Vec<LinkedItem>,
    problem_profiles: Vec<String>,
    /// The edit form's values.
    title_value: String,
    description_value: String,
    start_value: String,
    end_value: String,
    profiles_value: String,
    cycle: Vec<LinkedItem>,
    forms: Forms,
    assets: Vec<AssetRow>,
    recommended: Vec<Pick>,
    query: String,
    results: Option<Vec<Pick>>,
    link_name: String,
    link_uri: String,
    may: Vec<String>,
    grants: Vec<GrantRow>,
    claims: Vec<ClaimRow>,
    claim_description: String,
}

web_pages!(GuidePage);

impl GuidePage {
    /// Whether the folded form `form` is shown open: it came back with
    /// mistakes.
    fn open(&self, form: &str) -> bool {
        matches!(
            (&self.retry, form),
            (Some(Retry::Edit { .. }), "edit")
                | (Some(Retry::Prerequisites { .. }), "prerequisites")
                | (Some(Retry::Child { phase: true, .. }), "phase")
                | (Some(Retry::Child { phase: false, .. }), "child")
                | (Some(Retry::Link { .. }), "link")
                | (Some(Retry::Claim { .. }), "claim")
        )
    }

    /// The title typed into the new phase's (`phase`) or child's form.
    fn child_title(&self, form: &str) -> &str {
        match &self.retry {
            Some(Retry::Child { title, phase }) if *phase == (form == "phase") => title,
            _ => "",
        }
    }
}

/// `GET /processes/{id}/guide`: the guide at the first phase.
pub(crate) async fn guide(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    render(&state, ctx, &id, None, uri.query(), None, StatusCode::OK).await
}

/// `GET /processes/{id}/guide/{kind}/{item}`: the guide at one item.
pub(crate) async fn guide_item(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let Some(name) = item_name(&kind, &item) else {
        return problem(ctx, &tonic::Status::not_found(format!("{kind}/{item}")));
    };
    render(
        &state,
        ctx,
        &id,
        Some(name),
        uri.query(),
        None,
        StatusCode::OK,
    )
    .await
}

/// The guide's query: a catalogue search and a notice.
#[derive(Default)]
struct GuideQuery {
    search: Option<String>,
    done: String,
}

impl GuideQuery {
    fn parse(query: Option<&str>) -> Self {
        let mut out = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "q" => out.search = Some(value.trim().to_owned()),
                "done" => out.done = value.into_owned(),
                _ => {}
            }
        }
        out
    }
}

/// The message of a notice the guide's forms leave.
fn notice_message(done: &str) -> Option<&'static str> {
    Some(match done {
        "saved" => "changes-saved",
        "status" => "task-status-saved",
        "added" => "item-added",
        "copied" => "item-copied",
        "disabled" => "item-disabled",
        "asset" => "asset-added",
        "asset-deleted" => "asset-deleted",
        "asset-retried" => "asset-retried",
        "claimed" => "claim-made",
        "decided" => "claim-decided",
        _ => return None,
    })
}

/// What the visitor may do on an item, as co-production says (nothing
/// when anonymous or when it does not say).
async fn permissions_on(
    state: &WebState,
    ctx: &PageCtx,
    target: &str,
) -> coproduction::Permissions {
    let Some(mut client) = coproduction_client(state) else {
        return coproduction::Permissions::default();
    };
    if ctx.user().is_none() {
        return coproduction::Permissions::default();
    }
    client
        .get_my_permissions(ctx.call(coproduction::GetMyPermissionsRequest {
            target: target.to_owned(),
        }))
        .await
        .map(|answer| answer.into_inner())
        .unwrap_or_default()
}

/// The guide of process `id` at `selected` (its first phase when `None`),
/// with `retry`'s form shown again with its mistakes, answered with
/// `status`.
pub(crate) async fn render(
    state: &WebState,
    mut ctx: PageCtx,
    id: &str,
    selected: Option<String>,
    query: Option<&str>,
    retry: Option<(Retry, FieldErrors)>,
    status: StatusCode,
) -> Response {
    let Some(mut client) = coproduction_client(state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let query = GuideQuery::parse(query);
    let process_name = format!("processes/{id}");
    let signed_in = ctx.user().is_some();
    let (tree, process_permissions, claims, grants) = {
        let (mut c1, mut c2) = (client.clone(), client.clone());
        tokio::join!(
            client.get_tree(ctx.call(coproduction::GetTreeRequest {
                process: process_name.clone(),
            })),
            permissions_on(state, &ctx, &process_name),
            async {
                if signed_in {
                    c1.list_claims(ctx.call(coproduction::ListClaimsRequest {
                        parent: process_name.clone(),
                    }))
                    .await
                    .map(|a| a.into_inner().claims)
                    .unwrap_or_default()
                } else {
                    Vec::new()
                }
            },
            async {
                if signed_in {
                    c2.list_grants(ctx.call(coproduction::ListGrantsRequest {
                        parent: process_name.clone(),
                    }))
                    .await
                    .map(|a| a.into_inner().grants)
                    .unwrap_or_default()
                } else {
                    Vec::new()
                }
            },
        )
    };
    let tree = match tree {
        Ok(answer) => answer.into_inner(),
        Err(refusal) => return problem(ctx, &refusal),
    };
    let Some(process) = tree.process else {
        return problem(ctx, &tonic::Status::not_found(process_name));
    };
    let items = &tree.items;
    let find = |name: &str| items.iter().find(|i| i.name == name);
    let phases: Vec<&coproduction::TreeItem> = items
        .iter()
        .filter(|i| i.kind == coproduction::ItemKind::Phase as i32)
        .collect();
    let selected = match selected {
        Some(name) => match find(&name) {
            Some(item) => Some(item),
            None => return problem(ctx, &tonic::Status::not_found(name)),
        },
        None => phases.first().copied(),
    };
    // The phase the selected item is in.
    let mut phase = selected;
    while let Some(item) = phase.filter(|i| !i.parent.is_empty()) {
        phase = find(&item.parent);
    }

    // The item's own facts, then names and suggestions, in one round each.
    let (permissions, assets) = match selected {
        Some(item) => {
            let mut assets_client = client.clone();
            tokio::join!(permissions_on(state, &ctx, &item.name), async {
                assets_client
                    .list_assets(ctx.call(coproduction::ListAssetsRequest {
                        parent: item.name.clone(),
                    }))
                    .await
                    .map(|a| a.into_inner().assets)
                    .unwrap_or_default()
            },)
        }
        None => (process_permissions.clone(), Vec::new()),
    };
    let is_task = selected.is_some_and(|i| i.kind == coproduction::ItemKind::Task as i32);
    let item_claims: Vec<&coproduction::Claim> = selected
        .map(|item| claims.iter().filter(|c| c.target == item.name).collect())
        .unwrap_or_default();
    let item_grants: Vec<&coproduction::Grant> = selected
        .map(|item| {
            grants
                .iter()
                .filter(|g| g.item.is_empty() || g.item == item.name)
                .collect()
        })
        .unwrap_or_default();
    let adds_assets = is_task && (permissions.administrator || permissions.create_assets);
    let profiles: Vec<String> = selected
        .map(|i| i.problem_profiles.clone())
        .unwrap_or_default();
    let search = query
        .search
        .clone()
        .filter(|q| !q.is_empty() && adds_assets);
    let (names, teams, recommended, results) = tokio::join!(
        people(
            state,
            &ctx,
            assets
                .iter()
                .map(|a| a.creator.clone())
                .chain(item_claims.iter().map(|c| c.claimant.clone())),
        ),
        teams_of(state, &ctx, &process.organization, !item_grants.is_empty()),
        recommendations(state, &ctx, &profiles, &process.language, adds_assets),
        catalogue_search(state, &ctx, search.as_deref()),
    );

    let href = process_href(&process.name);
    let row = |item: &coproduction::TreeItem, children: Vec<TreeRow>| TreeRow {
        href: item_href(&process.name, &item.name),
        title: shown(item.title.as_ref(), ctx.lang),
        status: item_status(&ctx, item),
        dates: period(&ctx, item),
        current: selected.is_some_and(|s| s.name == item.name),
        disabled: item.disabled,
        children,
    };
    let phase_tabs = phases
        .iter()
        .map(|p| TreeRow {
            // The phase the selected item is in.
            current: phase.is_some_and(|ph| ph.name == p.name),
            ..row(p, Vec::new())
        })
        .collect();
    let of = |parent: &str| -> Vec<&coproduction::TreeItem> {
        items.iter().filter(|i| i.parent == parent).collect()
    };
    let tree_rows = phase
        .map(|phase| {
            of(&phase.name)
                .into_iter()
                .map(|objective| {
                    let tasks = of(&objective.name)
                        .into_iter()
                        .map(|t| row(t, Vec::new()))
                        .collect();
                    row(objective, tasks)
                })
                .collect()
        })
        .unwrap_or_default();

    let edits = process_permissions.administrator || process_permissions.edit_tree;
    let wants_csrf = signed_in;
    let csrf = if wants_csrf {
        ctx.csrf(state)
    } else {
        String::new()
    };
    let (retry, errors) = match retry {
        Some((retry, errors)) => (Some(retry), errors),
        None => (None, FieldErrors::default()),
    };
    let panel = selected.map(|item| {
        let item_href = item_href(&process.name, &item.name);
        let linked = |name: &String| {
            find(name).map(|p| LinkedItem {
                href: item_href_of(&process.name, p),
                title: shown(p.title.as_ref(), ctx.lang),
                status: ctx.t(status_message(p.status)),
            })
        };
        let description = shown(item.description.as_ref(), ctx.lang);
        let title = shown(item.title.as_ref(), ctx.lang);
        let mut forms = Forms::default();
        let edits_item = edits || permissions.edit_tree || permissions.administrator;
        if is_task && (permissions.administrator || permissions.set_status) && !item.disabled {
            let id = item.name.trim_start_matches("tasks/");
            forms.status = Some((
                format!("{href}/tasks/{id}/status"),
                ["awaiting", "in-progress", "finished"]
                    .into_iter()
                    .map(|value| SelectOption {
                        value,
                        label: ctx.t(status_message(status_from(value) as i32)),
                        selected: value == status_value(item.status),
                    })
                    .collect(),
            ));
        }
        if edits_item && !item.disabled {
            forms.edit = true;
            let chosen: Vec<String> = match &retry {
                Some(Retry::Prerequisites { chosen, .. }) => chosen.clone(),
                _ => item.prerequisites.clone(),
            };
            forms.prerequisites = items
                .iter()
                .filter(|s| {
                    s.parent == item.parent
                        && s.kind == item.kind
                        && s.name != item.name
                        && !s.disabled
                })
                .map(|s| Check {
                    value: s.name.clone(),
                    label: shown(s.title.as_ref(), ctx.lang),
                    checked: chosen.contains(&s.name),
                })
                .collect();
            let child = match coproduction::ItemKind::try_from(item.kind) {
                Ok(coproduction::ItemKind::Phase) => Some("item-add-objective"),
                Ok(coproduction::ItemKind::Objective) => Some("item-add-task"),
                _ => None,
            };
            forms.child = child.map(|message| (ctx.t(message), format!("{href}/items")));
            forms.copy = Some(format!("{item_href}/copy"));
            forms.disable = Some(format!("{item_href}/disable"));
        }
        forms.assets = adds_assets && !item.disabled;
        if is_task && signed_in && !item.disabled {
            let chosen = match &retry {
                Some(Retry::Claim { kind, .. }) => kind.as_str(),
                _ => "development",
            };
            forms.claim = CLAIM_KINDS
                .iter()
                .map(|(value, kind)| SelectOption {
                    value,
                    label: ctx.t(claim_kind_message(*kind as i32)),
                    selected: *value == chosen,
                })
                .collect();
        }
        let (mut title_value, mut description_value) =
            (title.text.clone(), description.text.clone());
        let mut start_value = item
            .start_time
            .as_ref()
            .map(|t| iso_date(t.seconds))
            .unwrap_or_default();
        let mut end_value = item
            .end_time
            .as_ref()
            .map(|t| iso_date(t.seconds))
            .unwrap_or_default();
        let mut profiles_value = item.problem_profiles.join(", ");
        let (mut link_name, mut link_uri, mut claim_description) = Default::default();
        let mut cycle = Vec::new();
        match &retry {
            Some(Retry::Edit {
                title,
                description,
                start,
                end,
                problem_profiles,
            }) => {
                title_value.clone_from(title);
                description_value.clone_from(description);
                start_value.clone_from(start);
                end_value.clone_from(end);
                profiles_value.clone_from(problem_profiles);
            }
            Some(Retry::Prerequisites { cycle: names, .. }) => {
                cycle = names.iter().filter_map(linked).collect();
            }
            Some(Retry::Link { name, uri }) => {
                link_name = name.clone();
                link_uri = uri.clone();
            }
            Some(Retry::Claim { description, .. }) => claim_description = description.clone(),
            Some(Retry::Child { .. }) | None => {}
        }
        let decides = permissions.administrator;
        Panel {
            name: item.name.clone(),
            kind: ctx.t(kind_message(item.kind)),
            is_task,
            description: paragraphs(&description.text),
            description_lang: description.lang,
            status: item_status(&ctx, item),
            dates: period(&ctx, item),
            disabled: item.disabled,
            prerequisites: item.prerequisites.iter().filter_map(linked).collect(),
            problem_profiles: item.problem_profiles.clone(),
            title,
            title_value,
            description_value,
            start_value,
            end_value,
            profiles_value,
            cycle,
            forms,
            assets: assets
                .iter()
                .map(|asset| asset_row(&ctx, &names, asset, &href, &permissions))
                .collect(),
            recommended,
            query: query.search.clone().unwrap_or_default(),
            results,
            link_name,
            link_uri,
            may: may_do(&ctx, &permissions),
            grants: item_grants
                .iter()
                .map(|grant| grant_row(&ctx, &teams, grant))
                .collect(),
            claims: item_claims
                .iter()
                .map(|claim| ClaimRow {
                    claimant: display_name(&ctx, &names, &claim.claimant),
                    kind: ctx.t(claim_kind_message(claim.r#type)),
                    state: ctx.t(claim_state_message(claim.state)),
                    description: paragraphs(&claim.description),
                    decide: (decides && claim.state == coproduction::ClaimState::Pending as i32)
                        .then(|| {
                            format!(
                                "{href}/claims/{}/decision",
                                claim.name.rsplit('/').next().unwrap_or_default()
                            )
                        }),
                })
                .collect(),
            claim_description,
            href: item_href,
        }
    });
    let notice = notice_message(&query.done).map(|m| ctx.t(m));
    let add_phase = edits.then(|| format!("{href}/items"));
    page(
        &GuidePage {
            csrf,
            notice,
            title: process.title.clone(),
            text_lang: (!process.language.is_empty()
                && !process.language.eq_ignore_ascii_case(ctx.lang.tag()))
            .then(|| process.language.clone()),
            tabs: process_tabs(&ctx, &href, "guide", process_permissions.administrator),
            href,
            phases: phase_tabs,
            add_phase,
            tree: tree_rows,
            selected: panel,
            errors,
            retry,
            ctx,
        },
        status,
    )
}

/// The guide's address of a tree item.
fn item_href_of(process: &str, item: &coproduction::TreeItem) -> String {
    item_href(process, &item.name)
}

/// The status a form's value names.
pub(crate) fn status_from(value: &str) -> coproduction::Status {
    match value {
        "in-progress" => coproduction::Status::InProgress,
        "finished" => coproduction::Status::Finished,
        _ => coproduction::Status::Awaiting,
    }
}

/// "In progress · 40 % done".
fn item_status(ctx: &PageCtx, item: &coproduction::TreeItem) -> String {
    let percent = item.progress.clamp(0.0, 100.0).round() as i64;
    format!(
        "{} · {}",
        ctx.t(status_message(item.status)),
        ctx.t_with("progress-done", "percent", &ctx.lang.number(percent))
    )
}

/// An item's dates in words, if it has any.
fn period(ctx: &PageCtx, item: &coproduction::TreeItem) -> Option<String> {
    crate::processes::period(ctx, item.start_time.as_ref(), item.end_time.as_ref())
}

/// The message naming an item's kind.
fn kind_message(kind: i32) -> &'static str {
    match coproduction::ItemKind::try_from(kind) {
        Ok(coproduction::ItemKind::Phase) => "item-kind-phase",
        Ok(coproduction::ItemKind::Objective) => "item-kind-objective",
        _ => "item-kind-task",
    }
}

/// The kinds of contribution as the claim form names them.
pub(crate) const CLAIM_KINDS: [(&str, coproduction::ClaimType); 3] = [
    ("management", coproduction::ClaimType::Management),
    ("development", coproduction::ClaimType::Development),
    ("exploitation", coproduction::ClaimType::Exploitation),
];

fn claim_kind_message(kind: i32) -> &'static str {
    match coproduction::ClaimType::try_from(kind) {
        Ok(coproduction::ClaimType::Management) => "claim-kind-management",
        Ok(coproduction::ClaimType::Exploitation) => "claim-kind-exploitation",
        _ => "claim-kind-development",
    }
}

fn claim_state_message(state: i32) -> &'static str {
    match coproduction::ClaimState::try_from(state) {
        Ok(coproduction::ClaimState::Accepted) => "claim-accepted",
        Ok(coproduction::ClaimState::Rejected) => "claim-rejected",
        _ => "claim-pending",
    }
}

/// "You may …" in words, from co-production's answer.
fn may_do(ctx: &PageCtx, permissions: &coproduction::Permissions) -> Vec<String> {
    [
        (permissions.administrator, "may-administer"),
        (permissions.edit_tree, "may-edit-tree"),
        (permissions.set_status, "may-set-status"),
        (permissions.access_assets, "may-access-assets"),
        (permissions.create_assets, "may-create-assets"),
        (permissions.delete_assets, "may-delete-assets"),
    ]
    .into_iter()
    .filter(|(granted, _)| *granted)
    .map(|(_, message)| ctx.t(message))
    .collect()
}

/// A grant's team and rights in words.
fn grant_row(ctx: &PageCtx, teams: &[community::Team], grant: &coproduction::Grant) -> GrantRow {
    let team = teams.iter().find(|t| t.name == grant.team).map_or_else(
        || ctx.t("a-team"),
        |t| shown(t.display_name.as_ref(), ctx.lang).text,
    );
    let rights: Vec<String> = [
        (grant.access_assets, "grant-access-assets"),
        (grant.create_assets, "grant-create-assets"),
        (grant.delete_assets, "grant-delete-assets"),
    ]
    .into_iter()
    .filter(|(granted, _)| *granted)
    .map(|(_, message)| ctx.t(message))
    .collect();
    GrantRow {
        team,
        team_href: crate::pages::resource_href("/teams", &grant.team),
        rights: rights.join(", "),
        on_process: grant.item.is_empty(),
    }
}

/// An asset in the panel's list.
fn asset_row(
    ctx: &PageCtx,
    names: &[community::User],
    asset: &coproduction::Asset,
    process_href: &str,
    permissions: &coproduction::Permissions,
) -> AssetRow {
    let external = asset.kind == coproduction::AssetKind::External as i32;
    let id = asset.name.trim_start_matches("assets/");
    let preparation = coproduction::AssetPreparation::try_from(asset.preparation)
        .unwrap_or(coproduction::AssetPreparation::Unspecified);
    // Made on its interlinker: opened there, signed in, through
    // co-production (which checks the rights and signs the token).
    let opens = preparation == coproduction::AssetPreparation::Ready
        && asset.capabilities.iter().any(|c| c == "view");
    let href = if opens {
        format!("{process_href}/assets/{id}/open")
    } else if external || asset.interlinker.is_empty() {
        asset.uri.clone()
    } else {
        interlinker_href(&asset.interlinker)
    };
    let mut meta = vec![ctx.t_with(
        "asset-added-by",
        "name",
        &display_name(ctx, names, &asset.creator),
    )];
    if let Some(made) = &asset.create_time {
        meta.push(ctx.lang.date(made.seconds));
    }
    let failed = preparation == coproduction::AssetPreparation::Failed;
    AssetRow {
        title: asset.display_name.clone(),
        href,
        external: external || opens,
        meta: meta.join(" · "),
        delete_href: (permissions.administrator || permissions.delete_assets)
            .then(|| format!("{process_href}/assets/{id}/delete")),
        preparation: match preparation {
            coproduction::AssetPreparation::Preparing => Some(ctx.t("asset-preparing")),
            coproduction::AssetPreparation::Failed => {
                Some(ctx.t_with("asset-prepare-failed", "reason", &asset.preparation_error))
            }
            _ => None,
        },
        retry_href: (failed && (permissions.administrator || permissions.create_assets))
            .then(|| format!("{process_href}/assets/{id}/retry")),
    }
}

/// The teams of the process's organisation, to name those with grants
/// (none unless `wanted`).
async fn teams_of(
    state: &WebState,
    ctx: &PageCtx,
    organization: &str,
    wanted: bool,
) -> Vec<community::Team> {
    let Some(channel) = state.services.community.clone().filter(|_| wanted) else {
        return Vec::new();
    };
    CommunityServiceClient::new(channel)
        .list_teams(ctx.call(community::ListTeamsRequest {
            parent: organization.to_owned(),
            page_size: TEAMS_LISTED,
            page_token: String::new(),
        }))
        .await
        .map(|a| a.into_inner().teams)
        .unwrap_or_default()
}

/// An interlinker offered as an asset.
fn pick(ctx: &PageCtx, interlinker: &catalogue::Interlinker) -> Pick {
    Pick {
        interlinker: interlinker.name.clone(),
        title: shown(interlinker.title.as_ref(), ctx.lang),
        href: interlinker_href(&interlinker.name),
        meta: ctx.t(nature_message(interlinker.nature)),
        instantiates: match &interlinker.details {
            Some(catalogue::interlinker::Details::Software(software)) => {
                !software.endpoint_uri.is_empty()
                    && [
                        catalogue::Capability::Instantiate,
                        catalogue::Capability::OpenInModal,
                    ]
                    .iter()
                    .all(|c| software.capabilities.contains(&(*c as i32)))
            }
            _ => false,
        },
    }
}

/// The interlinkers the catalogue recommends for the task's problem
/// profiles (none unless `wanted` and the task names some).
async fn recommendations(
    state: &WebState,
    ctx: &PageCtx,
    profiles: &[String],
    language: &str,
    wanted: bool,
) -> Vec<Pick> {
    if !wanted || profiles.is_empty() {
        return Vec::new();
    }
    let mut client = CatalogueServiceClient::new(state.services.catalogue.clone());
    match client
        .recommend_interlinkers(ctx.call(catalogue::RecommendInterlinkersRequest {
            problem_profiles: profiles.to_vec(),
            language: language.to_owned(),
            page_size: RECOMMENDED,
        }))
        .await
    {
        Ok(answer) => answer
            .into_inner()
            .recommendations
            .iter()
            .filter_map(|r| r.interlinker.as_ref())
            .map(|i| pick(ctx, i))
            .collect(),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "recommendations did not come");
            Vec::new()
        }
    }
}

/// The catalogue's answer to the panel's search, if one was made.
async fn catalogue_search(
    state: &WebState,
    ctx: &PageCtx,
    query: Option<&str>,
) -> Option<Vec<Pick>> {
    let query = query?;
    let mut client = CatalogueServiceClient::new(state.services.catalogue.clone());
    match client
        .search_interlinkers(ctx.call(catalogue::SearchInterlinkersRequest {
            query: query.to_owned(),
            page_size: SEARCH_RESULTS,
            ..Default::default()
        }))
        .await
    {
        Ok(answer) => Some(
            answer
                .into_inner()
                .results
                .iter()
                .filter_map(|r| r.interlinker.as_ref())
                .map(|i| pick(ctx, i))
                .collect(),
        ),
        Err(status) => {
            tracing::warn!(code = ?status.code(), "the panel's search failed");
            Some(Vec::new())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_item_kinds_with_ids_make_item_names() {
        assert_eq!(
            item_name("tasks", "0a1b-2c").as_deref(),
            Some("tasks/0a1b-2c")
        );
        assert_eq!(item_name("teams", "0a1b"), None);
        assert_eq!(item_name("tasks", "../x"), None);
        assert_eq!(item_name("phases", ""), None);
        assert_eq!(
            item_href("processes/p-1", "objectives/o-2"),
            "/processes/p-1/guide/objectives/o-2"
        );
    }

    #[test]
    fn the_guides_query_keeps_its_search_and_notice() {
        let query = GuideQuery::parse(Some("q=%20survey%20&done=asset"));
        assert_eq!(query.search.as_deref(), Some("survey"));
        assert_eq!(notice_message(&query.done), Some("asset-added"));
        assert_eq!(notice_message("nonsense"), None);
    }
}
