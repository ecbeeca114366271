//! The guide panel's forms: edit an item (title, description, a task's
//! dates and problem profiles), choose its prerequisites (a loop refused
//! with its steps named), add, copy and disable items, make assets (from
//! an interlinker or as a link) and delete them, claim a contribution and
//! decide on one. Each posts to co-production, which decides; its field
//! violations come back beside their inputs on the guide itself.

use axum::body::Bytes;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use interlink_proto::common::v1::TranslatableText;
use interlink_proto::coproduction::v1 as coproduction;
use serde::Deserialize;

use crate::Shared;
use crate::guide::{CLAIM_KINDS, Retry, item_href, item_name, render};
use crate::i18n::parse_iso_date;
use crate::organizations::{ButtonPosted, ConfirmPage, sign_in_first};
use crate::pages::{FieldErrors, PageCtx, field_errors, page, problem, shown};
use crate::processes::{coproduction_client, coproduction_form, process_href};
use crate::sign_in::{FieldError, Posted, see_other};

/// Where an item's violations are shown in the edit form.
const EDIT_RULES: [(&str, &str, &str); 5] = [
    ("item.title", "title", "item-title-invalid"),
    ("item.description", "description", "process-text-invalid"),
    ("item.start_time", "start", "item-date-invalid"),
    ("item.end_time", "end", "item-end-invalid"),
    ("item.problem_profiles", "profiles", "item-problems-invalid"),
];

/// Where an asset's violations are shown in the link form.
const LINK_RULES: [(&str, &str, &str); 2] = [
    ("asset.display_name", "link-name", "asset-link-name-invalid"),
    ("asset.uri", "link-uri", "asset-link-uri-invalid"),
];

/// Where a claim's violations are shown.
const CLAIM_RULES: [(&str, &str, &str); 1] = [(
    "claim.description",
    "claim-description",
    "claim-description-invalid",
)];

/// The item `{kind}/{id}` of a path, or the page saying there is none.
#[allow(clippy::result_large_err)]
fn named_item(ctx: PageCtx, kind: &str, id: &str) -> Result<(PageCtx, String), Response> {
    match item_name(kind, id) {
        Some(name) => Ok((ctx, name)),
        None => Err(problem(
            ctx,
            &tonic::Status::not_found(format!("{kind}/{id}")),
        )),
    }
}

/// `{item's guide}?done={done}{fragment}`.
fn back_to(process: &str, item: &str, done: &str, fragment: &str) -> Response {
    see_other(
        &format!("{}?done={done}{fragment}", item_href(process, item)),
        None,
    )
}

/// The edit form of an item.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EditPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    /// A task's dates, `YYYY-MM-DD` or empty.
    #[serde(default)]
    start: Option<String>,
    #[serde(default)]
    end: Option<String>,
    /// A task's problem profile codes, by commas.
    #[serde(default)]
    problem_profiles: Option<String>,
}

impl Posted for EditPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `text` with `value` as its `lang` text (removed when blank).
fn with_text(text: Option<&TranslatableText>, lang: &str, value: &str) -> TranslatableText {
    let mut text = text.cloned().unwrap_or_default();
    if value.trim().is_empty() {
        text.values.remove(lang);
    } else {
        text.values.insert(lang.to_owned(), value.trim().to_owned());
    }
    text
}

/// The language an edited text is written in: the one the form showed.
fn shown_language(text: Option<&TranslatableText>, ctx: &PageCtx) -> String {
    shown(text, ctx.lang)
        .lang
        .unwrap_or_else(|| ctx.lang.tag().to_owned())
}

/// `POST /processes/{id}/guide/{kind}/{item}/edit`: saves the item's
/// texts, and a task's dates and problem profiles, by field mask.
pub(crate) async fn edit(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
    form: Result<Form<EditPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, name) = match named_item(ctx, &kind, &item) {
        Ok(named) => named,
        Err(response) => return response,
    };
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let process = format!("processes/{id}");
    let retry = || Retry::Edit {
        title: posted.title.clone(),
        description: posted.description.clone(),
        start: posted.start.clone().unwrap_or_default(),
        end: posted.end.clone().unwrap_or_default(),
        problem_profiles: posted.problem_profiles.clone().unwrap_or_default(),
    };
    // Dates a date input could not have sent are the page's to refuse.
    let mut errors = FieldErrors::default();
    let mut date =
        |value: &Option<String>, field: &'static str| -> Option<prost_types::Timestamp> {
            let value = value.as_deref().unwrap_or_default().trim();
            if value.is_empty() {
                return None;
            }
            match parse_iso_date(value) {
                Some(seconds) => Some(prost_types::Timestamp { seconds, nanos: 0 }),
                None => {
                    errors.0.push(FieldError {
                        field,
                        text: ctx.t("item-date-invalid"),
                    });
                    None
                }
            }
        };
    let start_time = date(&posted.start, "start");
    let end_time = date(&posted.end, "end");
    if !errors.is_empty() {
        return render(
            &state,
            ctx,
            &id,
            Some(name),
            None,
            Some((retry(), errors)),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let tree = match client
        .get_tree(ctx.call(coproduction::GetTreeRequest {
            process: process.clone(),
        }))
        .await
    {
        Ok(tree) => tree.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let Some(current) = tree.items.iter().find(|i| i.name == name) else {
        return problem(ctx, &tonic::Status::not_found(name));
    };
    let is_task = current.kind == coproduction::ItemKind::Task as i32;
    let title_lang = shown_language(current.title.as_ref(), &ctx);
    let description_lang = shown_language(current.description.as_ref(), &ctx);
    let mut paths = vec!["title".to_owned(), "description".to_owned()];
    let mut item = coproduction::TreeItem {
        name: name.clone(),
        title: Some(with_text(
            current.title.as_ref(),
            &title_lang,
            &posted.title,
        )),
        description: Some(with_text(
            current.description.as_ref(),
            &description_lang,
            &posted.description,
        )),
        ..Default::default()
    };
    if is_task {
        paths.extend(["start_time", "end_time", "problem_profiles"].map(str::to_owned));
        item.start_time = start_time;
        item.end_time = end_time;
        item.problem_profiles = posted
            .problem_profiles
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .map(str::to_owned)
            .collect();
    }
    let request = coproduction::UpdateItemRequest {
        item: Some(item),
        update_mask: Some(prost_types::FieldMask { paths }),
    };
    match client.update_item(ctx.call(request)).await {
        Ok(_) => back_to(&process, &name, "saved", ""),
        Err(status) => {
            let errors = field_errors(&ctx, &status, &EDIT_RULES);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            render(
                &state,
                ctx,
                &id,
                Some(name),
                None,
                Some((retry(), errors)),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// The prerequisites chosen: check boxes, so the same key many times.
#[derive(Debug, Default)]
pub(crate) struct PrerequisitesPosted {
    csrf: String,
    chosen: Vec<String>,
}

impl Posted for PrerequisitesPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

impl PrerequisitesPosted {
    fn parse(body: &[u8]) -> Self {
        let mut out = Self::default();
        for (key, value) in form_urlencoded::parse(body) {
            match key.as_ref() {
                "csrf" => out.csrf = value.into_owned(),
                "prerequisite" if !value.is_empty() => out.chosen.push(value.into_owned()),
                _ => {}
            }
        }
        out
    }
}

/// The items of a loop as the service names it (`prerequisites would
/// form a cycle: tasks/a → tasks/b → tasks/a`).
fn cycle_of(message: &str) -> Vec<String> {
    message
        .split_once("cycle: ")
        .map(|(_, path)| path.split(" → ").map(str::to_owned).collect())
        .unwrap_or_default()
}

/// `POST /processes/{id}/guide/{kind}/{item}/prerequisites`: sets what
/// must finish before the item may start; a loop is refused with its
/// steps, each a link.
pub(crate) async fn prerequisites(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, name) = match named_item(ctx, &kind, &item) {
        Ok(named) => named,
        Err(response) => return response,
    };
    let posted = PrerequisitesPosted::parse(&body);
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, Ok(Form(posted)))
    {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let process = format!("processes/{id}");
    let request = coproduction::UpdateItemRequest {
        item: Some(coproduction::TreeItem {
            name: name.clone(),
            prerequisites: posted.chosen.clone(),
            ..Default::default()
        }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["prerequisites".to_owned()],
        }),
    };
    match client.update_item(ctx.call(request)).await {
        Ok(_) => back_to(&process, &name, "saved", ""),
        Err(status) if status.code() == tonic::Code::InvalidArgument => {
            use tonic_types::StatusExt;
            let violations = status
                .get_details_bad_request()
                .map(|bad| bad.field_violations)
                .unwrap_or_default();
            let Some(violation) = violations
                .iter()
                .find(|v| v.field.starts_with("item.prerequisites"))
            else {
                return problem(ctx, &status);
            };
            let cycle = cycle_of(&violation.description);
            let message = if cycle.is_empty() {
                "item-prerequisites-invalid"
            } else {
                "item-prerequisites-cycle"
            };
            let errors = FieldErrors(vec![FieldError {
                field: "prerequisites",
                text: ctx.t(message),
            }]);
            render(
                &state,
                ctx,
                &id,
                Some(name),
                None,
                Some((
                    Retry::Prerequisites {
                        chosen: posted.chosen,
                        cycle,
                    },
                    errors,
                )),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(status) => problem(ctx, &status),
    }
}

/// A new item under `parent` (none: a phase).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ChildPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    title: String,
}

impl Posted for ChildPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /processes/{id}/items`: adds a phase, an objective to a phase or
/// a task to an objective, then shows it.
pub(crate) async fn add(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path(id): Path<String>,
    form: Result<Form<ChildPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let kind = match posted.parent.split_once('/').map(|(kind, _)| kind) {
        None if posted.parent.is_empty() => coproduction::ItemKind::Phase,
        Some("phases") => coproduction::ItemKind::Objective,
        Some("objectives") => coproduction::ItemKind::Task,
        _ => {
            return problem(
                ctx,
                &tonic::Status::invalid_argument("parent: must be a phase or an objective"),
            );
        }
    };
    let process = format!("processes/{id}");
    let phase = kind == coproduction::ItemKind::Phase;
    let mut title = TranslatableText::default();
    if !posted.title.trim().is_empty() {
        title
            .values
            .insert(ctx.lang.tag().to_owned(), posted.title.trim().to_owned());
    }
    let request = coproduction::AddItemRequest {
        process: process.clone(),
        item: Some(coproduction::TreeItem {
            kind: kind as i32,
            parent: posted.parent.clone(),
            title: Some(title),
            ..Default::default()
        }),
    };
    match client.add_item(ctx.call(request)).await {
        Ok(made) => back_to(&process, &made.into_inner().name, "added", ""),
        Err(status) => {
            let field = if phase { "phase-title" } else { "child-title" };
            let errors = field_errors(
                &ctx,
                &status,
                &[("item.title", field, "item-title-invalid")],
            );
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            let selected = (!phase).then(|| posted.parent.clone());
            render(
                &state,
                ctx,
                &id,
                selected,
                None,
                Some((
                    Retry::Child {
                        title: posted.title,
                        phase,
                    },
                    errors,
                )),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// `POST /processes/{id}/guide/{kind}/{item}/copy`: copies the item with
/// everything under it beside it, then shows the copy.
pub(crate) async fn copy(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, name) = match named_item(ctx, &kind, &item) {
        Ok(named) => named,
        Err(response) => return response,
    };
    let (ctx, _, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    match client
        .copy_item(ctx.call(coproduction::CopyItemRequest {
            name,
            parent: String::new(),
        }))
        .await
    {
        Ok(copy) => back_to(
            &format!("processes/{id}"),
            &copy.into_inner().name,
            "copied",
            "",
        ),
        Err(status) => problem(ctx, &status),
    }
}

/// `GET /processes/{id}/guide/{kind}/{item}/disable`: what disabling
/// does, and the button.
pub(crate) async fn confirm_disable(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(name) = item_name(&kind, &item) else {
        return problem(ctx, &tonic::Status::not_found(format!("{kind}/{item}")));
    };
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let process = format!("processes/{id}");
    let tree = match client
        .get_tree(ctx.call(coproduction::GetTreeRequest {
            process: process.clone(),
        }))
        .await
    {
        Ok(tree) => tree.into_inner(),
        Err(status) => return problem(ctx, &status),
    };
    let Some(current) = tree.items.iter().find(|i| i.name == name) else {
        return problem(ctx, &tonic::Status::not_found(name));
    };
    let title = shown(current.title.as_ref(), ctx.lang).text;
    let href = item_href(&process, &name);
    let csrf = ctx.csrf(&state);
    page(
        &ConfirmPage {
            title: ctx.t_with("item-disable-title", "name", &title),
            text: ctx.t("item-disable-text"),
            action: format!("{href}/disable"),
            csrf,
            button: ctx.t("item-disable"),
            back: href,
            ctx,
        },
        StatusCode::OK,
    )
}

/// `POST /processes/{id}/guide/{kind}/{item}/disable`: disables the item
/// and everything under it (kept, marked, out of the roll-up).
pub(crate) async fn disable(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, name) = match named_item(ctx, &kind, &item) {
        Ok(named) => named,
        Err(response) => return response,
    };
    let (ctx, _, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    match client
        .disable_item(ctx.call(coproduction::DisableItemRequest { name: name.clone() }))
        .await
    {
        Ok(_) => back_to(&format!("processes/{id}"), &name, "disabled", ""),
        Err(status) => problem(ctx, &status),
    }
}

/// A new asset: an interlinker of the catalogue, or a link.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct AssetPosted {
    #[serde(default)]
    csrf: String,
    /// `interlinkers/{id}`, for an interlinker.
    #[serde(default)]
    interlinker: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    uri: String,
}

impl Posted for AssetPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /processes/{id}/guide/tasks/{item}/assets`: makes an asset of
/// the task from an interlinker, or from a name and a link.
pub(crate) async fn add_asset(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
    form: Result<Form<AssetPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, name) = match named_item(ctx, &kind, &item) {
        Ok(named) => named,
        Err(response) => return response,
    };
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let internal = !posted.interlinker.trim().is_empty();
    let asset = if internal {
        coproduction::Asset {
            kind: coproduction::AssetKind::Internal as i32,
            interlinker: posted.interlinker.trim().to_owned(),
            ..Default::default()
        }
    } else {
        coproduction::Asset {
            kind: coproduction::AssetKind::External as i32,
            display_name: posted.display_name.trim().to_owned(),
            uri: posted.uri.trim().to_owned(),
            ..Default::default()
        }
    };
    match client
        .create_asset(ctx.call(coproduction::CreateAssetRequest {
            parent: name.clone(),
            asset: Some(asset),
        }))
        .await
    {
        Ok(_) => back_to(&format!("processes/{id}"), &name, "asset", "#resources"),
        Err(status) if !internal => {
            let errors = field_errors(&ctx, &status, &LINK_RULES);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            render(
                &state,
                ctx,
                &id,
                Some(name),
                None,
                Some((
                    Retry::Link {
                        name: posted.display_name,
                        uri: posted.uri,
                    },
                    errors,
                )),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
        Err(status) => problem(ctx, &status),
    }
}

/// The asset `name` (`assets/{id}`) if it belongs to the process `id` (a
/// page's address names both; another process's asset is not found).
async fn asset_in_process(
    client: &mut interlink_proto::coproduction::v1::coproduction_service_client::CoproductionServiceClient<crate::Channel>,
    ctx: &PageCtx,
    id: &str,
    name: &str,
) -> Result<coproduction::Asset, tonic::Status> {
    let found = client
        .get_asset(ctx.call(coproduction::GetAssetRequest {
            name: name.to_owned(),
        }))
        .await?
        .into_inner();
    if found.process == format!("processes/{id}") {
        Ok(found)
    } else {
        Err(tonic::Status::not_found(name.to_owned()))
    }
}

/// `GET /processes/{id}/assets/{asset}/delete`: what deleting takes, and
/// the button.
pub(crate) async fn confirm_delete_asset(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, asset)): Path<(String, String)>,
) -> Response {
    let mut ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let found = match asset_in_process(&mut client, &ctx, &id, &format!("assets/{asset}")).await {
        Ok(found) => found,
        Err(status) => return problem(ctx, &status),
    };
    let csrf = ctx.csrf(&state);
    page(
        &ConfirmPage {
            title: ctx.t_with("asset-delete", "name", &found.display_name),
            text: ctx.t("asset-delete-text"),
            action: format!("{}/assets/{asset}/delete", process_href(&found.process)),
            csrf,
            button: ctx.t("asset-delete-button"),
            back: format!("{}#resources", item_href(&found.process, &found.task)),
            ctx,
        },
        StatusCode::OK,
    )
}

/// `POST /processes/{id}/assets/{asset}/delete`: deletes the asset, then
/// shows its task.
pub(crate) async fn delete_asset(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, asset)): Path<(String, String)>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, _, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("assets/{asset}");
    let found = match asset_in_process(&mut client, &ctx, &id, &name).await {
        Ok(found) => found,
        Err(status) => return problem(ctx, &status),
    };
    let process = format!("processes/{id}");
    match client
        .delete_asset(ctx.call(coproduction::DeleteAssetRequest { name }))
        .await
    {
        Ok(_) => back_to(&process, &found.task, "asset-deleted", "#resources"),
        Err(status) => problem(ctx, &status),
    }
}

/// The page that frames a software interlinker's instantiate page.
#[derive(askama::Template)]
#[template(path = "instantiate.html")]
pub(crate) struct InstantiatePage {
    pub(crate) ctx: PageCtx,
    frame: String,
    origin: String,
    action: String,
    csrf: String,
    interlinker: String,
    back: String,
    script: &'static str,
}

crate::pages::web_pages!(InstantiatePage);

/// Which interlinker's page to frame.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct InstantiateQuery {
    #[serde(default)]
    interlinker: String,
}

/// `GET /processes/{id}/guide/tasks/{item}/instantiate?interlinker=…`:
/// the interlinker's instantiate page framed, with the visitor signed in
/// there; what it makes is registered on the task by `instantiated`.
pub(crate) async fn instantiate(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
    axum::extract::Query(query): axum::extract::Query<InstantiateQuery>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (mut ctx, name) = match named_item(ctx, &kind, &item) {
        Ok(named) => named,
        Err(response) => return response,
    };
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let link = match client
        .get_instantiate_link(ctx.call(coproduction::GetInstantiateLinkRequest {
            parent: name.clone(),
            interlinker: query.interlinker.clone(),
        }))
        .await
    {
        Ok(link) => link.into_inner().uri,
        Err(status) => return problem(ctx, &status),
    };
    let Some(origin) = origin_of(&link) else {
        return problem(ctx, &tonic::Status::internal("the interlinker's address"));
    };
    let process = format!("processes/{id}");
    let csrf = ctx.csrf(&state);
    let mut response = page(
        &InstantiatePage {
            frame: link,
            origin: origin.clone(),
            action: format!("{}/instantiated", item_href(&process, &name)),
            csrf,
            interlinker: query.interlinker,
            back: format!("{}#resources", item_href(&process, &name)),
            script: crate::assets::INSTANTIATE_JS,
            ctx,
        },
        StatusCode::OK,
    );
    // The one other site this page frames.
    response.extensions_mut().insert(crate::FrameOrigin(origin));
    response
}

/// `scheme://host[:port]` of an absolute address.
fn origin_of(address: &str) -> Option<String> {
    let uri: axum::http::Uri = address.parse().ok()?;
    Some(format!("{}://{}", uri.scheme_str()?, uri.authority()?))
}

/// What the framed instantiate page made, as its script posts it.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct InstantiatedPosted {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    interlinker: String,
    #[serde(default)]
    external_id: String,
    #[serde(default)]
    display_name: String,
}

impl Posted for InstantiatedPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /processes/{id}/guide/tasks/{item}/instantiated`: registers the
/// asset made on the interlinker's instantiate page on the task.
pub(crate) async fn instantiated(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
    form: Result<Form<InstantiatedPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, name) = match named_item(ctx, &kind, &item) {
        Ok(named) => named,
        Err(response) => return response,
    };
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    match client
        .create_asset(ctx.call(coproduction::CreateAssetRequest {
            parent: name.clone(),
            asset: Some(coproduction::Asset {
                kind: coproduction::AssetKind::Internal as i32,
                interlinker: posted.interlinker.trim().to_owned(),
                external_id: posted.external_id.trim().to_owned(),
                display_name: posted.display_name.trim().to_owned(),
                ..Default::default()
            }),
        }))
        .await
    {
        Ok(_) => back_to(&format!("processes/{id}"), &name, "asset", "#resources"),
        Err(status) => problem(ctx, &status),
    }
}

/// `GET /processes/{id}/assets/{asset}/open`: the asset on its
/// interlinker, with the visitor signed in there (co-production checks
/// the rights and signs the token).
pub(crate) async fn open_asset(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, asset)): Path<(String, String)>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    if ctx.user().is_none() {
        return sign_in_first(ctx);
    }
    let Some(mut client) = coproduction_client(&state) else {
        return problem(ctx, &tonic::Status::unavailable("co-production"));
    };
    let name = format!("assets/{asset}");
    if let Err(status) = asset_in_process(&mut client, &ctx, &id, &name).await {
        return problem(ctx, &status);
    }
    match client
        .open_asset(ctx.call(coproduction::OpenAssetRequest { name, edit: false }))
        .await
    {
        Ok(link) => see_other(&link.into_inner().uri, None),
        Err(status) => problem(ctx, &status),
    }
}

/// `POST /processes/{id}/assets/{asset}/retry`: tries making the asset on
/// its interlinker again, then shows its task.
pub(crate) async fn retry_asset(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, asset)): Path<(String, String)>,
    form: Result<Form<ButtonPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, _, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let name = format!("assets/{asset}");
    let found = match asset_in_process(&mut client, &ctx, &id, &name).await {
        Ok(found) => found,
        Err(status) => return problem(ctx, &status),
    };
    let process = format!("processes/{id}");
    match client
        .retry_asset_preparation(ctx.call(coproduction::RetryAssetPreparationRequest { name }))
        .await
    {
        Ok(_) => back_to(&process, &found.task, "asset-retried", "#resources"),
        Err(status) => problem(ctx, &status),
    }
}

/// A contribution claimed.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ClaimPosted {
    #[serde(default)]
    csrf: String,
    /// `management`, `development` or `exploitation`.
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
}

impl Posted for ClaimPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /processes/{id}/guide/tasks/{item}/claims`: claims work done on
/// the task, for its administrators to decide.
pub(crate) async fn claim(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, kind, item)): Path<(String, String, String)>,
    form: Result<Form<ClaimPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, name) = match named_item(ctx, &kind, &item) {
        Ok(named) => named,
        Err(response) => return response,
    };
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let Some((_, claim_type)) = CLAIM_KINDS.iter().find(|(value, _)| *value == posted.kind) else {
        return problem(
            ctx,
            &tonic::Status::invalid_argument(
                "kind: must be management, development or exploitation",
            ),
        );
    };
    let process = format!("processes/{id}");
    let request = coproduction::CreateClaimRequest {
        parent: process.clone(),
        claim: Some(coproduction::Claim {
            target: name.clone(),
            r#type: *claim_type as i32,
            description: posted.description.trim().to_owned(),
            ..Default::default()
        }),
    };
    match client.create_claim(ctx.call(request)).await {
        Ok(_) => back_to(&process, &name, "claimed", "#contributions"),
        Err(status) => {
            let errors = field_errors(&ctx, &status, &CLAIM_RULES);
            if errors.is_empty() {
                return problem(ctx, &status);
            }
            render(
                &state,
                ctx,
                &id,
                Some(name),
                None,
                Some((
                    Retry::Claim {
                        kind: posted.kind,
                        description: posted.description,
                    },
                    errors,
                )),
                StatusCode::BAD_REQUEST,
            )
            .await
        }
    }
}

/// An administrator's decision on a claim.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DecisionPosted {
    #[serde(default)]
    csrf: String,
    /// `accept` or `reject`.
    #[serde(default)]
    decision: String,
}

impl Posted for DecisionPosted {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// `POST /processes/{id}/claims/{claim}/decision`: accepts or rejects a
/// pending claim, then shows its task.
pub(crate) async fn decide(
    state: Shared,
    headers: HeaderMap,
    uri: Uri,
    Path((id, claim)): Path<(String, String)>,
    form: Result<Form<DecisionPosted>, FormRejection>,
) -> Response {
    let ctx = PageCtx::new(&state, &headers, &uri, "workspace");
    let (ctx, posted, mut client) = match coproduction_form(&state, &headers, ctx, form) {
        Ok(checked) => checked,
        Err(response) => return response,
    };
    let accept = match posted.decision.as_str() {
        "accept" => true,
        "reject" => false,
        _ => {
            return problem(
                ctx,
                &tonic::Status::invalid_argument("decision: must be accept or reject"),
            );
        }
    };
    let process = format!("processes/{id}");
    match client
        .decide_claim(ctx.call(coproduction::DecideClaimRequest {
            name: format!("{process}/claims/{claim}"),
            accept,
        }))
        .await
    {
        Ok(decided) => back_to(
            &process,
            &decided.into_inner().target,
            "decided",
            "#contributions",
        ),
        Err(status) => problem(ctx, &status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loops_steps_are_read_from_the_services_reason() {
        assert_eq!(
            cycle_of("prerequisites would form a cycle: tasks/a → tasks/b → tasks/a"),
            ["tasks/a", "tasks/b", "tasks/a"]
        );
        assert!(cycle_of("is not a sibling").is_empty());
    }

    #[test]
    fn check_boxes_post_the_same_key_once_each() {
        let posted = PrerequisitesPosted::parse(
            b"csrf=t&prerequisite=tasks%2Fa&prerequisite=tasks%2Fb&prerequisite=",
        );
        assert_eq!(posted.csrf, "t");
        assert_eq!(posted.chosen, ["tasks/a", "tasks/b"]);
    }

    #[test]
    fn an_edited_text_keeps_its_other_languages() {
        let mut text = TranslatableText::default();
        text.values.insert("en".into(), "Map".into());
        text.values.insert("es".into(), "Mapa".into());
        let edited = with_text(Some(&text), "es", " Mapa nuevo ");
        assert_eq!(
            edited.values.get("es").map(String::as_str),
            Some("Mapa nuevo")
        );
        assert_eq!(edited.values.get("en").map(String::as_str), Some("Map"));
        assert!(!with_text(Some(&text), "es", "  ").values.contains_key("es"));
    }
}
