//! The gRPC adapter of processes and their trees: converts and validates
//! requests, checks who may do what, calls the store, rolls the tree up and
//! appends events in the same transaction.

use std::collections::{BTreeMap, HashMap};

use interlink_proto::coproduction::v1 as pb;
use interlink_proto::coproduction::v1::coproduction_service_server::CoproductionService;
use interlink_proto::events::v1::Event;
use interlink_runtime::api::{
    now_ms, page_size, parse_name, parse_name_with, take_page, uuid_page_token,
};
use interlink_runtime::auth::{Identity, identity};
use interlink_runtime::db::begin_write;
use interlink_runtime::events::{EventType, NewEvent, Outbox, user_actor};
use interlink_runtime::text::is_language_tag;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction};
use tonic::Request;

use crate::convert::{self, item_name, item_to, process_name, process_to, tree_order};
use crate::domain::rollup::{self, Node};
use crate::domain::tree::{self, Prerequisite};
use crate::domain::{Kind, Status, Violation, check_text, check_url};
use crate::error::{Error, Result};
use crate::events::*;
use crate::store::{self, ItemRow, ProcessFilter, ProcessOrder, ProcessRow};
use interlink_runtime::text::text_problem;
use interlink_runtime::validation::check_paragraphs;

/// Most prerequisites an item names (the request is refused beyond).
const MAX_PREREQUISITES: usize = 100;
/// Most problem profiles a task addresses, as an interlinker in the
/// catalogue.
const MAX_PROBLEM_PROFILES: usize = 50;
/// Longest title.
pub(crate) const MAX_TITLE_CHARS: usize = 200;
/// Longest free text field.
const MAX_TEXT_CHARS: usize = 10_000;
/// Most tags, and longest tag.
const MAX_TAGS: usize = 50;
const MAX_TAG_CHARS: usize = 60;
/// Most items in one process.
const MAX_ITEMS: usize = 5_000;

/// The co-production service.
#[derive(Clone)]
pub struct CoproductionApi {
    pub(crate) db: DatabaseConnection,
    pub(crate) outbox: Outbox,
    /// Wakes the worker of calls to software interlinkers; `None` when
    /// this deployment makes no assets on interlinkers.
    pub(crate) remote_calls: Option<std::sync::Arc<tokio::sync::Notify>>,
    /// Mints the platform's tokens for interlinkers (with `remote_calls`).
    pub(crate) remote_tokens: Option<interlink_runtime::jobs::TokenSource>,
    /// The platform's key for interlinkers' tokens, to check the tokens
    /// interlinkers ask with ([`CoproductionApi::with_interlinker_keys`]).
    pub(crate) interlinker_keys: Option<std::sync::Arc<interlink_runtime::auth::DevSigner>>,
}

/// The editable text fields of a process, with how to read and write each.
type TextField = (
    &'static str,
    fn(&pb::Process) -> &String,
    fn(&mut ProcessRow) -> &mut String,
);
const TEXT_FIELDS: &[TextField] = &[
    ("description", |p| &p.description, |r| &mut r.description),
    ("aim", |p| &p.aim, |r| &mut r.aim),
    ("idea", |p| &p.idea, |r| &mut r.idea),
    (
        "organization_description",
        |p| &p.organization_description,
        |r| &mut r.organization_description,
    ),
    ("challenges", |p| &p.challenges, |r| &mut r.challenges),
    ("requirements", |p| &p.requirements, |r| &mut r.requirements),
];

use interlink_runtime::text::is_subject;

fn is_schema_id(id: &str) -> bool {
    id.len() <= 64
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn is_profile_code(code: &str) -> bool {
    code.len() <= 32
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The kind and id of an item name (`tasks/{id}` …), or a violation of
/// `field`; `only` restricts the kinds accepted.
pub(crate) fn parse_item_name(field: &str, name: &str, only: &[Kind]) -> Result<(Kind, String)> {
    for kind in only {
        if let Ok(id) = parse_name(field, kind.collection(), name) {
            return Ok((*kind, id.to_owned()));
        }
    }
    let shapes: Vec<String> = only
        .iter()
        .map(|k| format!("`{}/{{id}}`", k.collection()))
        .collect();
    Err(Error::invalid(
        field,
        format!("must be a resource name {}", shapes.join(" or ")),
    ))
}

pub(crate) const ALL_KINDS: &[Kind] = &[Kind::Phase, Kind::Objective, Kind::Task];

impl std::fmt::Debug for CoproductionApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoproductionApi")
            .field("remote_calls", &self.remote_calls.is_some())
            .finish_non_exhaustive()
    }
}

impl CoproductionApi {
    /// The service over `db`, publishing through `outbox`.
    pub fn new(db: DatabaseConnection, outbox: Outbox) -> Self {
        Self {
            db,
            outbox,
            remote_calls: None,
            remote_tokens: None,
            interlinker_keys: None,
        }
    }

    /// Makes assets on software interlinkers through durable calls, whose
    /// worker `waker` wakes, and opens them there with tokens from `tokens`.
    pub fn with_remote_calls(
        mut self,
        waker: std::sync::Arc<tokio::sync::Notify>,
        tokens: interlink_runtime::jobs::TokenSource,
    ) -> Self {
        self.remote_calls = Some(waker);
        self.remote_tokens = Some(tokens);
        self
    }

    /// Answers interlinkers' `CheckInterlinkerAccess` for the tokens
    /// `keys` signed for them.
    pub fn with_interlinker_keys(
        mut self,
        keys: std::sync::Arc<interlink_runtime::auth::DevSigner>,
    ) -> Self {
        self.interlinker_keys = Some(keys);
        self
    }

    /// Wakes the remote calls' worker (after a commit that wrote calls).
    pub(crate) fn wake_remote_calls(&self) {
        if let Some(waker) = &self.remote_calls {
            waker.notify_one();
        }
    }

    pub(crate) fn event<M: prost::Name>(
        &self,
        event_type: EventType,
        subject: &str,
        process: &ProcessRow,
        aggregate: &str,
        version: i64,
        payload: &M,
    ) -> Result<Event> {
        Ok(self.outbox.envelope(NewEvent {
            event_type,
            actor: user_actor(subject),
            organization_id: &process.organization_id,
            aggregate_id: aggregate,
            aggregate_version: version.max(0) as u64,
            payload,
        })?)
    }

    pub(crate) async fn commit(&self, txn: DatabaseTransaction, events: &[Event]) -> Result<()> {
        self.outbox.append(&txn, events).await?;
        self.outbox.commit(txn).await?;
        Ok(())
    }

    /// Whether `caller` may see `process`.
    async fn may_see(&self, caller: Option<&Identity>, process: &ProcessRow) -> Result<bool> {
        if process.public {
            return Ok(true);
        }
        let Some(caller) = caller else {
            return Ok(false);
        };
        Ok(caller.platform_admin
            || process.administrators.contains(&caller.subject)
            || store::administers_organization(&self.db, &process.organization_id, &caller.subject)
                .await?
            || store::has_grant(&self.db, &process.id, &caller.subject).await?)
    }

    /// The process `id` if the caller may see it (NOT_FOUND otherwise).
    pub(crate) async fn visible<T>(&self, request: &Request<T>, id: &str) -> Result<ProcessRow> {
        match store::process(&self.db, id).await? {
            Some(p) if self.may_see(identity(request), &p).await? => Ok(p),
            _ => Err(Error::NotFound(process_name(id))),
        }
    }

    /// The process `id` read in `txn` for a change by its administrators;
    /// returns it and the caller's subject.
    pub(crate) async fn administered<T>(
        &self,
        txn: &impl ConnectionTrait,
        request: &Request<T>,
        id: &str,
    ) -> Result<(ProcessRow, String)> {
        let caller = identity(request).ok_or(Error::Unauthenticated)?;
        let Some(process) = store::process(txn, id).await? else {
            return Err(Error::NotFound(process_name(id)));
        };
        if process.administrators.contains(&caller.subject) || caller.platform_admin {
            Ok((process, caller.subject.clone()))
        } else if self.may_see(Some(caller), &process).await? {
            Err(Error::Denied(format!(
                "only the administrators of {} may do this",
                process_name(id)
            )))
        } else {
            Err(Error::NotFound(process_name(id)))
        }
    }

    /// The `asset.removed` events of every asset of `process`, for a change
    /// that deletes them with the tree (the catalogue counts adoption from
    /// them).
    async fn assets_removed(
        &self,
        txn: &impl ConnectionTrait,
        process: &ProcessRow,
        subject: &str,
    ) -> Result<Vec<Event>> {
        let assets = store::assets(txn, &process.id).await?;
        // What the interlinkers hold of them goes too.
        if self.remote_calls.is_some() {
            for asset in &assets {
                crate::remote::forget(txn, asset, subject).await?;
            }
        }
        assets
            .iter()
            .map(|asset| {
                self.event(
                    ASSET_REMOVED,
                    subject,
                    process,
                    &asset.id,
                    2,
                    &pb::AssetRemoved {
                        asset: Some(crate::access::asset_to(asset)),
                    },
                )
            })
            .collect()
    }

    /// Rolls the tree up after a change and writes what moved; returns the
    /// items as stored.
    pub(crate) async fn roll_up(
        &self,
        txn: &impl ConnectionTrait,
        process: &mut ProcessRow,
        items: &mut [ItemRow],
    ) -> Result<()> {
        let nodes: Vec<Node> = items
            .iter()
            .map(|i| Node {
                id: i.id.clone(),
                kind: i.kind,
                parent: i.parent_id.clone(),
                enabled: i.disabled_at.is_none(),
                status: i.status,
                start: i.start_at,
                end: i.end_at,
            })
            .collect();
        let rolled = rollup::roll_up(&nodes);
        for item in items.iter_mut() {
            if let Some(r) = rolled.get(&item.id) {
                let (start, end) = if item.kind == Kind::Task {
                    (item.start_at, item.end_at)
                } else {
                    (r.start, r.end)
                };
                if item.status != r.status
                    || item.progress != r.progress
                    || item.start_at != start
                    || item.end_at != end
                {
                    item.status = r.status;
                    item.progress = r.progress;
                    item.start_at = start;
                    item.end_at = end;
                    store::update_rollup(txn, item).await?;
                }
            }
        }
        if let Some(r) = rolled.get("") {
            process.status = r.status;
            process.progress = r.progress;
            process.start_at = r.start;
            process.end_at = r.end;
        }
        Ok(())
    }

    pub(crate) fn tree(process: &ProcessRow, items: &[ItemRow]) -> pb::ProcessTree {
        let kinds: HashMap<&str, Kind> = items.iter().map(|i| (i.id.as_str(), i.kind)).collect();
        pb::ProcessTree {
            process: Some(process_to(process)),
            items: tree_order(items)
                .into_iter()
                .map(|i| item_to(i, |id| kinds.get(id).copied()))
                .collect(),
        }
    }

    fn item_proto(item: &ItemRow, items: &[ItemRow]) -> pb::TreeItem {
        let kinds: HashMap<&str, Kind> = items.iter().map(|i| (i.id.as_str(), i.kind)).collect();
        item_to(item, |id| kinds.get(id).copied())
    }

    /// Reads the fields of a process from `input` into `row` (those in
    /// `paths`), checking each.
    pub(crate) fn apply_process_fields(
        input: &pb::Process,
        row: &mut ProcessRow,
        paths: &[String],
        out: &mut Vec<Violation>,
    ) {
        for path in paths {
            let field = format!("process.{path}");
            match path.as_str() {
                "title" => {
                    row.title = interlink_runtime::validation::check_line(
                        &field,
                        &input.title,
                        true,
                        MAX_TITLE_CHARS,
                        out,
                    );
                }
                "language" => {
                    if !is_language_tag(&input.language) {
                        out.push(Violation::new(
                            field,
                            "must be a language tag such as es, it or lv",
                        ));
                    }
                    row.language = input.language.clone();
                }
                "logo_uri" => {
                    check_url(&field, &input.logo_uri, out);
                    row.logo_uri = input.logo_uri.clone();
                }
                "public" => row.public = input.public,
                "intergovernmental_model" => {
                    row.model = convert::model_from(&field, input.intergovernmental_model, out);
                }
                "tags" => {
                    if input.tags.len() > MAX_TAGS {
                        out.push(Violation::new(
                            field.clone(),
                            format!("has more than {MAX_TAGS} tags"),
                        ));
                    }
                    for (i, tag) in input.tags.iter().enumerate() {
                        let tag = tag.trim();
                        if tag.is_empty() || tag.chars().count() > MAX_TAG_CHARS {
                            out.push(Violation::new(
                                format!("{field}[{i}]"),
                                format!("must be 1 to {MAX_TAG_CHARS} characters"),
                            ));
                        } else if let Some(problem) = text_problem(tag, false) {
                            out.push(Violation::new(format!("{field}[{i}]"), problem));
                        }
                    }
                    row.tags = input.tags.iter().map(|t| t.trim().to_owned()).collect();
                }
                other => {
                    if let Some((_, read, write)) = TEXT_FIELDS.iter().find(|(n, _, _)| *n == other)
                    {
                        *write(row) = check_paragraphs(&field, read(input), MAX_TEXT_CHARS, out);
                    }
                }
            }
        }
    }
}

pub(crate) const PROCESS_PATHS: &[&str] = &[
    "title",
    "description",
    "aim",
    "idea",
    "organization_description",
    "challenges",
    "requirements",
    "language",
    "logo_uri",
    "public",
    "intergovernmental_model",
    "tags",
];

const ITEM_PATHS: &[&str] = &[
    "title",
    "description",
    "prerequisites",
    "problem_profiles",
    "start_time",
    "end_time",
    "effort",
];

/// The paths of `mask` (all of `allowed` when absent or empty), each one
/// of `allowed`.
fn mask_paths(mask: &Option<prost_types::FieldMask>, allowed: &[&str]) -> Result<Vec<String>> {
    interlink_runtime::api::mask_paths(mask, allowed).map_err(Error::Invalid)
}

use interlink_runtime::grpc::{Reply, reply};

#[tonic::async_trait]
impl CoproductionService for CoproductionApi {
    async fn create_process(&self, r: Request<pb::CreateProcessRequest>) -> Reply<pb::Process> {
        reply(self.create_process_(r).await)
    }
    async fn get_process(&self, r: Request<pb::GetProcessRequest>) -> Reply<pb::Process> {
        reply(self.get_process_(r).await)
    }
    async fn list_processes(
        &self,
        r: Request<pb::ListProcessesRequest>,
    ) -> Reply<pb::ListProcessesResponse> {
        reply(self.list_processes_(r).await)
    }
    async fn update_process(&self, r: Request<pb::UpdateProcessRequest>) -> Reply<pb::Process> {
        reply(self.update_process_(r).await)
    }
    async fn delete_process(&self, r: Request<pb::DeleteProcessRequest>) -> Reply<()> {
        reply(self.delete_process_(r).await)
    }
    async fn add_process_administrator(
        &self,
        r: Request<pb::AddProcessAdministratorRequest>,
    ) -> Reply<pb::Process> {
        let r_ = r.get_ref();
        let (process, user, subject) = (r_.process.clone(), r_.user.clone(), r_.subject.clone());
        reply(
            self.set_administrator(r, &process, &user, &subject, true)
                .await,
        )
    }
    async fn remove_process_administrator(
        &self,
        r: Request<pb::RemoveProcessAdministratorRequest>,
    ) -> Reply<pb::Process> {
        let r_ = r.get_ref();
        let (process, user, subject) = (r_.process.clone(), r_.user.clone(), r_.subject.clone());
        reply(
            self.set_administrator(r, &process, &user, &subject, false)
                .await,
        )
    }
    async fn build_from_schema(
        &self,
        r: Request<pb::BuildFromSchemaRequest>,
    ) -> Reply<pb::ProcessTree> {
        reply(self.build_from_schema_(r).await)
    }
    async fn clear_tree(&self, r: Request<pb::ClearTreeRequest>) -> Reply<pb::Process> {
        reply(self.clear_tree_(r).await)
    }
    async fn get_tree(&self, r: Request<pb::GetTreeRequest>) -> Reply<pb::ProcessTree> {
        reply(self.get_tree_(r).await)
    }
    async fn add_item(&self, r: Request<pb::AddItemRequest>) -> Reply<pb::TreeItem> {
        reply(self.add_item_(r).await)
    }
    async fn update_item(&self, r: Request<pb::UpdateItemRequest>) -> Reply<pb::TreeItem> {
        reply(self.update_item_(r).await)
    }
    async fn disable_item(&self, r: Request<pb::DisableItemRequest>) -> Reply<pb::TreeItem> {
        reply(self.disable_item_(r).await)
    }
    async fn set_task_status(
        &self,
        r: Request<pb::SetTaskStatusRequest>,
    ) -> Reply<pb::ProcessTree> {
        reply(self.set_task_status_(r).await)
    }
    async fn copy_item(&self, r: Request<pb::CopyItemRequest>) -> Reply<pb::TreeItem> {
        reply(self.copy_item_(r).await)
    }
    async fn create_grant(&self, r: Request<pb::CreateGrantRequest>) -> Reply<pb::Grant> {
        reply(self.create_grant_(r).await)
    }
    async fn list_grants(
        &self,
        r: Request<pb::ListGrantsRequest>,
    ) -> Reply<pb::ListGrantsResponse> {
        reply(self.list_grants_(r).await)
    }
    async fn delete_grant(&self, r: Request<pb::DeleteGrantRequest>) -> Reply<()> {
        reply(self.delete_grant_(r).await)
    }
    async fn get_my_permissions(
        &self,
        r: Request<pb::GetMyPermissionsRequest>,
    ) -> Reply<pb::Permissions> {
        reply(self.get_my_permissions_(r).await)
    }
    async fn create_asset(&self, r: Request<pb::CreateAssetRequest>) -> Reply<pb::Asset> {
        reply(self.create_asset_(r).await)
    }
    async fn get_asset(&self, r: Request<pb::GetAssetRequest>) -> Reply<pb::Asset> {
        reply(self.get_asset_(r).await)
    }
    async fn list_assets(
        &self,
        r: Request<pb::ListAssetsRequest>,
    ) -> Reply<pb::ListAssetsResponse> {
        reply(self.list_assets_(r).await)
    }
    async fn delete_asset(&self, r: Request<pb::DeleteAssetRequest>) -> Reply<()> {
        reply(self.delete_asset_(r).await)
    }
    async fn open_asset(&self, r: Request<pb::OpenAssetRequest>) -> Reply<pb::AssetLink> {
        reply(self.open_asset_(r).await)
    }
    async fn get_instantiate_link(
        &self,
        r: Request<pb::GetInstantiateLinkRequest>,
    ) -> Reply<pb::AssetLink> {
        reply(self.get_instantiate_link_(r).await)
    }
    async fn check_interlinker_access(
        &self,
        r: Request<pb::CheckInterlinkerAccessRequest>,
    ) -> Reply<pb::InterlinkerAccess> {
        reply(self.check_interlinker_access_(r).await)
    }
    async fn retry_asset_preparation(
        &self,
        r: Request<pb::RetryAssetPreparationRequest>,
    ) -> Reply<pb::Asset> {
        reply(self.retry_asset_preparation_(r).await)
    }
    async fn create_claim(&self, r: Request<pb::CreateClaimRequest>) -> Reply<pb::Claim> {
        reply(self.create_claim_(r).await)
    }
    async fn ask_for_contribution(
        &self,
        r: Request<pb::AskForContributionRequest>,
    ) -> Reply<pb::ContributionRequest> {
        reply(self.ask_for_contribution_(r).await)
    }
    async fn list_claims(
        &self,
        r: Request<pb::ListClaimsRequest>,
    ) -> Reply<pb::ListClaimsResponse> {
        reply(self.list_claims_(r).await)
    }
    async fn decide_claim(&self, r: Request<pb::DecideClaimRequest>) -> Reply<pb::Claim> {
        reply(self.decide_claim_(r).await)
    }
    async fn create_story(&self, r: Request<pb::CreateStoryRequest>) -> Reply<pb::Story> {
        reply(self.create_story_(r).await)
    }
    async fn get_story(&self, r: Request<pb::GetStoryRequest>) -> Reply<pb::Story> {
        reply(self.get_story_(r).await)
    }
    async fn list_stories(
        &self,
        r: Request<pb::ListStoriesRequest>,
    ) -> Reply<pb::ListStoriesResponse> {
        reply(self.list_stories_(r).await)
    }
    async fn rate_story(&self, r: Request<pb::RateStoryRequest>) -> Reply<pb::Story> {
        reply(self.rate_story_(r).await)
    }
    async fn update_story(&self, r: Request<pb::UpdateStoryRequest>) -> Reply<pb::Story> {
        reply(self.update_story_(r).await)
    }
    async fn adopt_story(&self, r: Request<pb::AdoptStoryRequest>) -> Reply<pb::ProcessTree> {
        reply(self.adopt_story_(r).await)
    }
    async fn clone_process(&self, r: Request<pb::CloneProcessRequest>) -> Reply<pb::ProcessTree> {
        reply(self.clone_process_(r).await)
    }
    async fn export_process(
        &self,
        r: Request<pb::ExportProcessRequest>,
    ) -> Reply<pb::ProcessDocument> {
        reply(self.export_process_(r).await)
    }
    async fn import_process(&self, r: Request<pb::ImportProcessRequest>) -> Reply<pb::ProcessTree> {
        reply(self.import_process_(r).await)
    }
}

impl CoproductionApi {
    async fn create_process_(
        &self,
        request: Request<pb::CreateProcessRequest>,
    ) -> Result<pb::Process> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let input = request
            .get_ref()
            .process
            .as_ref()
            .ok_or_else(|| Error::invalid("process", "is required"))?;
        let mut violations = Vec::new();
        let organization =
            match parse_name("process.organization", "organizations", &input.organization) {
                Ok(id) => id.to_owned(),
                Err(v) => {
                    violations.push(v);
                    String::new()
                }
            };
        let now = now_ms();
        let mut row = ProcessRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: organization.clone(),
            title: String::new(),
            description: String::new(),
            aim: String::new(),
            idea: String::new(),
            organization_description: String::new(),
            challenges: String::new(),
            requirements: String::new(),
            language: String::new(),
            logo_uri: String::new(),
            status: Status::Awaiting,
            progress: 0.0,
            public: false,
            model: None,
            creator: caller.subject.clone(),
            tags: Vec::new(),
            cloned_from: String::new(),
            schema_id: String::new(),
            schema_version: 0,
            start_at: None,
            end_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
            administrators: vec![caller.subject.clone()],
            provenance: Default::default(),
        };
        let paths: Vec<String> = PROCESS_PATHS.iter().map(|p| (*p).to_owned()).collect();
        Self::apply_process_fields(input, &mut row, &paths, &mut violations);
        Error::check(violations)?;
        if !caller.platform_admin
            && !store::belongs_to_organization(&self.db, &organization, &caller.subject).await?
        {
            return Err(Error::Denied(format!(
                "only members and administrators of organizations/{organization} open processes \
                 in it (as far as co-production has learnt from the community service)"
            )));
        }
        let txn = begin_write(&self.db).await?;
        store::insert_process(&txn, &row).await?;
        let proto = process_to(&row);
        let event = self.event(
            PROCESS_CREATED,
            &caller.subject,
            &row,
            &row.id,
            row.version,
            &pb::ProcessCreated {
                process: Some(proto.clone()),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    async fn get_process_(&self, request: Request<pb::GetProcessRequest>) -> Result<pb::Process> {
        let id = parse_name("name", "processes", &request.get_ref().name)?.to_owned();
        Ok(process_to(&self.visible(&request, &id).await?))
    }

    async fn list_processes_(
        &self,
        request: Request<pb::ListProcessesRequest>,
    ) -> Result<pb::ListProcessesResponse> {
        let r = request.get_ref();
        let mut violations = Vec::new();
        let limit = page_size(r.page_size, 50, 500)
            .map_err(|v| violations.push(v))
            .ok();
        let before = uuid_page_token(&r.page_token)
            .map_err(|v| violations.push(v))
            .ok()
            .flatten();
        let organization = if r.organization.is_empty() {
            None
        } else {
            parse_name("organization", "organizations", &r.organization)
                .map_err(|v| violations.push(v))
                .ok()
                .map(str::to_owned)
        };
        let status = if r.status == 0 {
            None
        } else {
            convert::status_from("status", r.status, &mut violations)
        };
        let query = interlink_runtime::validation::check_line(
            "query",
            &r.query,
            false,
            200,
            &mut violations,
        );
        let tag =
            interlink_runtime::validation::check_line("tag", &r.tag, false, 60, &mut violations);
        let order = match r.order_by.as_str() {
            "" | "newest" => ProcessOrder::Newest,
            "oldest" => ProcessOrder::Oldest,
            "title" => ProcessOrder::Title,
            "updated" => ProcessOrder::Updated,
            _ => {
                violations.push(Violation::new(
                    "order_by",
                    "must be newest, oldest, title or updated",
                ));
                ProcessOrder::Newest
            }
        };
        Error::check(violations)?;
        let limit = limit.unwrap_or(50);
        let caller = identity(&request);
        if r.mine && caller.is_none() {
            return Err(Error::Unauthenticated);
        }
        let filter = ProcessFilter {
            subject: caller.map(|c| c.subject.clone()),
            platform_admin: caller.is_some_and(|c| c.platform_admin),
            mine: r.mine,
            organization_id: organization,
            public_only: r.public_only,
            status,
            query: (!query.is_empty()).then_some(query),
            tag: (!tag.is_empty()).then_some(tag),
            order,
        };
        let mut rows =
            store::list_processes(&self.db, &filter, before.as_deref(), limit + 1).await?;
        let next_page_token = take_page(&mut rows, limit, |p| p.id.clone());
        Ok(pb::ListProcessesResponse {
            processes: rows.iter().map(process_to).collect(),
            next_page_token,
        })
    }

    async fn update_process_(
        &self,
        request: Request<pb::UpdateProcessRequest>,
    ) -> Result<pb::Process> {
        let r = request.get_ref();
        let input = r
            .process
            .as_ref()
            .ok_or_else(|| Error::invalid("process", "is required"))?;
        let id = parse_name("process.name", "processes", &input.name)?.to_owned();
        let paths = mask_paths(&r.update_mask, PROCESS_PATHS)?;
        let txn = begin_write(&self.db).await?;
        let (mut row, subject) = self.administered(&txn, &request, &id).await?;
        let before = row.clone();
        let mut violations = Vec::new();
        Self::apply_process_fields(input, &mut row, &paths, &mut violations);
        Error::check(violations)?;
        let changed: Vec<String> = paths
            .iter()
            .filter(|p| {
                let mut a = before.clone();
                let mut v = Vec::new();
                Self::apply_process_fields(input, &mut a, &[(*p).clone()], &mut v);
                a != before
            })
            .cloned()
            .collect();
        if changed.is_empty() {
            return Ok(process_to(&before));
        }
        row.version += 1;
        row.updated_at = now_ms();
        store::update_process(&txn, &row).await?;
        let proto = process_to(&row);
        let event = self.event(
            PROCESS_UPDATED,
            &subject,
            &row,
            &row.id,
            row.version,
            &pb::ProcessUpdated {
                process: Some(proto.clone()),
                changed_fields: changed,
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    async fn delete_process_(&self, request: Request<pb::DeleteProcessRequest>) -> Result<()> {
        let id = parse_name("name", "processes", &request.get_ref().name)?.to_owned();
        let txn = begin_write(&self.db).await?;
        let (row, subject) = self.administered(&txn, &request, &id).await?;
        let mut events = self.assets_removed(&txn, &row, &subject).await?;
        store::delete_process(&txn, &id).await?;
        events.push(self.event(
            PROCESS_DELETED,
            &subject,
            &row,
            &row.id,
            row.version + 1,
            &pb::ProcessDeleted {
                process: process_name(&id),
                organization: format!("organizations/{}", row.organization_id),
            },
        )?);
        self.commit(txn, &events).await?;
        self.wake_remote_calls();
        Ok(())
    }

    /// Adds or removes the administrator named by `user` (`users/{id}`),
    /// or by `subject` (the older way, still accepted).
    async fn set_administrator<T>(
        &self,
        request: Request<T>,
        process: &str,
        user: &str,
        subject: &str,
        add: bool,
    ) -> Result<pb::Process> {
        let id = parse_name("process", "processes", process)?.to_owned();
        let user_id = match (user.is_empty(), subject.is_empty()) {
            (false, true) => Some(parse_name("user", "users", user)?.to_owned()),
            (true, false) if is_subject(subject) => None,
            (true, false) => {
                return Err(Error::invalid(
                    "subject",
                    "must be an OIDC subject: 1 to 255 visible characters without `/`",
                ));
            }
            (true, true) => {
                return Err(Error::invalid(
                    "user",
                    "is required: name the user as `users/{id}` (or, the older way, by `subject`)",
                ));
            }
            (false, false) => {
                return Err(Error::invalid(
                    "user",
                    "name the user as `users/{id}` (or, the older way, by `subject`), not both",
                ));
            }
        };
        let txn = begin_write(&self.db).await?;
        let (mut row, actor) = self.administered(&txn, &request, &id).await?;
        // The subject behind a user's name: among the administrators for a
        // removal, else as community announced the user.
        let target = match user_id {
            None => subject.to_owned(),
            Some(user_id) => {
                let name = format!("users/{user_id}");
                let known = row
                    .administrators
                    .iter()
                    .find(|a| interlink_runtime::api::user_name(a) == name)
                    .cloned();
                match known {
                    Some(subject) => subject,
                    None if add => store::user_subject(&txn, &user_id).await?.ok_or_else(|| {
                        Error::NotFound(format!(
                            "{name} (a user who has signed in here; a new one takes a moment to \
                             reach co-production)"
                        ))
                    })?,
                    None => return Ok(process_to(&row)),
                }
            }
        };
        let target = target.as_str();
        let present = row.administrators.iter().any(|a| a == target);
        if add == present {
            return Ok(process_to(&row));
        }
        if add {
            row.administrators.push(target.to_owned());
        } else {
            if row.administrators.len() == 1 {
                return Err(Error::Precondition(format!(
                    "{} is the last administrator of {}: add another first",
                    interlink_runtime::api::user_name(target),
                    process_name(&id)
                )));
            }
            row.administrators.retain(|a| a != target);
        }
        row.version += 1;
        row.updated_at = now_ms();
        store::update_process(&txn, &row).await?;
        let proto = process_to(&row);
        let event = self.event(
            PROCESS_UPDATED,
            &actor,
            &row,
            &row.id,
            row.version,
            &pb::ProcessUpdated {
                process: Some(proto.clone()),
                changed_fields: vec!["administrators".into()],
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    async fn build_from_schema_(
        &self,
        request: Request<pb::BuildFromSchemaRequest>,
    ) -> Result<pb::ProcessTree> {
        let r = request.get_ref();
        let mut violations = Vec::new();
        let id = parse_name("process", "processes", &r.process)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        let schema_id = parse_name_with("schema", "schemas", &r.schema, is_schema_id)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        if r.version < 0 {
            violations.push(Violation::new("version", "must not be negative"));
        }
        Error::check(violations)?;
        let (id, schema_id) = (id.unwrap_or_default(), schema_id.unwrap_or_default());
        let txn = begin_write(&self.db).await?;
        let (mut process, subject) = self.administered(&txn, &request, &id).await?;
        if !store::items(&txn, &id).await?.is_empty() {
            return Err(Error::Precondition(format!(
                "{} already has a tree (from schemas/{} version {}): clear it first",
                process_name(&id),
                process.schema_id,
                process.schema_version
            )));
        }
        let Some(schema) = store::schema_version(&txn, &schema_id, r.version).await? else {
            return Err(Error::Precondition(if r.version == 0 {
                format!("no published version of schemas/{schema_id} has reached co-production yet")
            } else {
                format!(
                    "version {} of schemas/{schema_id} has not reached co-production yet",
                    r.version
                )
            }));
        };
        let now = now_ms();
        let ids: HashMap<&str, String> = schema
            .items
            .iter()
            .map(|i| (i.key.as_str(), uuid::Uuid::now_v7().to_string()))
            .collect();
        let mut items = Vec::with_capacity(schema.items.len());
        for (position, item) in schema.items.iter().enumerate() {
            let kind = Kind::parse(&item.kind).ok_or_else(|| {
                Error::Precondition(format!(
                    "schemas/{schema_id} version {} has an item of unknown kind `{}`",
                    schema.version, item.kind
                ))
            })?;
            let id_of = |key: &str| ids.get(key).cloned();
            items.push(ItemRow {
                id: id_of(&item.key).unwrap_or_default(),
                process_id: id.clone(),
                kind,
                parent_id: if item.parent.is_empty() {
                    None
                } else {
                    id_of(&item.parent)
                },
                position: position as i32,
                title: item.title.clone(),
                description: item.description.clone(),
                status: Status::Awaiting,
                progress: 0.0,
                prerequisites: item.prerequisites.iter().filter_map(|p| id_of(p)).collect(),
                problem_profiles: item.problem_profiles.clone(),
                co_delivery: item.co_delivery,
                start_at: None,
                end_at: None,
                effort: [0; 3],
                schema_key: item.key.clone(),
                creator: subject.clone(),
                disabled_at: None,
                disabled_by: None,
                created_at: now,
                updated_at: now,
            });
        }
        store::insert_items(&txn, &items).await?;
        self.roll_up(&txn, &mut process, &mut items).await?;
        process.schema_id = schema_id;
        process.schema_version = schema.version;
        process.provenance.schema_origin = schema.origin.clone();
        process.version += 1;
        process.updated_at = now;
        store::update_process(&txn, &process).await?;
        let tree = Self::tree(&process, &items);
        let event = self.event(
            SCHEMA_SET,
            &subject,
            &process,
            &process.id,
            process.version,
            &pb::ProcessSchemaSet {
                tree: Some(tree.clone()),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(tree)
    }

    async fn clear_tree_(&self, request: Request<pb::ClearTreeRequest>) -> Result<pb::Process> {
        let id = parse_name("process", "processes", &request.get_ref().process)?.to_owned();
        let txn = begin_write(&self.db).await?;
        let (mut process, subject) = self.administered(&txn, &request, &id).await?;
        let mut events = self.assets_removed(&txn, &process, &subject).await?;
        store::delete_items(&txn, &id).await?;
        process.schema_id.clear();
        process.schema_version = 0;
        process.provenance.schema_origin = None;
        process.status = Status::Awaiting;
        process.progress = 0.0;
        process.start_at = None;
        process.end_at = None;
        process.version += 1;
        process.updated_at = now_ms();
        store::update_process(&txn, &process).await?;
        let proto = process_to(&process);
        events.push(self.event(
            SCHEMA_CLEARED,
            &subject,
            &process,
            &process.id,
            process.version,
            &pb::ProcessSchemaCleared {
                process: Some(proto.clone()),
            },
        )?);
        self.commit(txn, &events).await?;
        self.wake_remote_calls();
        Ok(proto)
    }

    async fn get_tree_(&self, request: Request<pb::GetTreeRequest>) -> Result<pb::ProcessTree> {
        let id = parse_name("process", "processes", &request.get_ref().process)?.to_owned();
        let process = self.visible(&request, &id).await?;
        let items = store::items(&self.db, &id).await?;
        Ok(Self::tree(&process, &items))
    }

    /// Checks the editable fields of `input` named by `paths` and writes
    /// them into `item`; `siblings` are the other items under the same
    /// parent (id → prerequisites).
    fn apply_item_fields(
        input: &pb::TreeItem,
        item: &mut ItemRow,
        paths: &[String],
        siblings: &BTreeMap<String, Vec<String>>,
        kinds: &HashMap<String, Kind>,
        out: &mut Vec<Violation>,
    ) {
        for path in paths {
            let field = format!("item.{path}");
            match path.as_str() {
                "title" => {
                    item.title = convert::text(&input.title);
                    check_text(&field, &item.title, true, MAX_TITLE_CHARS, out);
                }
                "description" => {
                    item.description = convert::text(&input.description);
                    check_text(&field, &item.description, false, MAX_TEXT_CHARS, out);
                }
                "prerequisites" => {
                    if input.prerequisites.len() > MAX_PREREQUISITES {
                        out.push(Violation::new(
                            field.clone(),
                            format!("has more than {MAX_PREREQUISITES} entries"),
                        ));
                    }
                    let mut ids = Vec::new();
                    for (i, name) in input.prerequisites.iter().enumerate() {
                        match parse_item_name(&format!("{field}[{i}]"), name, &[item.kind]) {
                            Ok((_, id)) => ids.push(id),
                            Err(Error::Invalid(v)) => out.extend(v),
                            Err(_) => {}
                        }
                    }
                    if out.is_empty() {
                        out.extend(tree::check_prerequisites(
                            &field,
                            &item.id,
                            &ids,
                            siblings,
                            |id| item_name(kinds.get(id).copied().unwrap_or(item.kind), id),
                        ));
                    }
                    item.prerequisites = ids;
                }
                "problem_profiles" => {
                    if item.kind != Kind::Task && !input.problem_profiles.is_empty() {
                        out.push(Violation::new(
                            field.clone(),
                            "only tasks address problem profiles",
                        ));
                    }
                    if input.problem_profiles.len() > MAX_PROBLEM_PROFILES {
                        out.push(Violation::new(
                            field.clone(),
                            format!("has more than {MAX_PROBLEM_PROFILES} entries"),
                        ));
                    }
                    for (i, code) in input.problem_profiles.iter().enumerate() {
                        if !is_profile_code(code) {
                            out.push(Violation::new(
                                format!("{field}[{i}]"),
                                "is not a problem profile code",
                            ));
                        } else if input.problem_profiles[..i].contains(code) {
                            out.push(Violation::new(format!("{field}[{i}]"), "is listed twice"));
                        }
                    }
                    item.problem_profiles = input.problem_profiles.clone();
                }
                "start_time" | "end_time" => {
                    let value = if path == "start_time" {
                        &input.start_time
                    } else {
                        &input.end_time
                    };
                    if item.kind != Kind::Task && value.is_some() {
                        out.push(Violation::new(
                            field,
                            "only tasks have their own dates (phases and objectives span theirs)",
                        ));
                        continue;
                    }
                    let ms = value.as_ref().map(convert::millis);
                    if path == "start_time" {
                        item.start_at = ms;
                    } else {
                        item.end_at = ms;
                    }
                }
                _ => {
                    let effort = input.effort.unwrap_or_default();
                    if item.kind != Kind::Task && input.effort.is_some() {
                        out.push(Violation::new(field, "only tasks have effort points"));
                        continue;
                    }
                    for (name, value) in [
                        ("management", effort.management),
                        ("development", effort.development),
                        ("exploitation", effort.exploitation),
                    ] {
                        if !(0..=10_000).contains(&value) {
                            out.push(Violation::new(
                                format!("{field}.{name}"),
                                "must be between 0 and 10000",
                            ));
                        }
                    }
                    item.effort = [effort.management, effort.development, effort.exploitation];
                }
            }
        }
        if let (Some(start), Some(end)) = (item.start_at, item.end_at)
            && end < start
        {
            out.push(Violation::new("item.end_time", "is before the start"));
        }
    }

    async fn add_item_(&self, request: Request<pb::AddItemRequest>) -> Result<pb::TreeItem> {
        let r = request.get_ref();
        let id = parse_name("process", "processes", &r.process)?.to_owned();
        let input = r
            .item
            .as_ref()
            .ok_or_else(|| Error::invalid("item", "is required"))?;
        let mut violations = Vec::new();
        let kind = convert::kind_from("item.kind", input.kind, &mut violations);
        Error::check(violations)?;
        let kind = kind.ok_or_else(|| Error::invalid("item.kind", "is required"))?;
        let parent = match kind.parent() {
            None if input.parent.is_empty() => None,
            None => {
                return Err(Error::invalid("item.parent", "phases have no parent"));
            }
            Some(parent_kind) => {
                Some(parse_item_name("item.parent", &input.parent, &[parent_kind])?.1)
            }
        };
        let txn = begin_write(&self.db).await?;
        let (mut process, subject) = self.administered(&txn, &request, &id).await?;
        let mut items = store::items(&txn, &id).await?;
        if items.len() >= MAX_ITEMS {
            return Err(Error::Precondition(format!(
                "{} has {MAX_ITEMS} items, the most a process holds",
                process_name(&id)
            )));
        }
        if let Some(parent_id) = &parent {
            match items.iter().find(|i| &i.id == parent_id) {
                Some(p) if p.disabled_at.is_some() => {
                    return Err(Error::Precondition(format!(
                        "{} is disabled",
                        item_name(p.kind, &p.id)
                    )));
                }
                Some(_) => {}
                None => {
                    return Err(Error::invalid(
                        "item.parent",
                        format!("{} is not an item of {}", input.parent, process_name(&id)),
                    ));
                }
            }
        }
        let now = now_ms();
        let mut item = ItemRow {
            id: uuid::Uuid::now_v7().to_string(),
            process_id: id.clone(),
            kind,
            parent_id: parent.clone(),
            position: items.iter().map(|i| i.position + 1).max().unwrap_or(0),
            title: Default::default(),
            description: Default::default(),
            status: Status::Awaiting,
            progress: 0.0,
            prerequisites: Vec::new(),
            problem_profiles: Vec::new(),
            co_delivery: false,
            start_at: None,
            end_at: None,
            effort: [0; 3],
            schema_key: String::new(),
            creator: subject.clone(),
            disabled_at: None,
            disabled_by: None,
            created_at: now,
            updated_at: now,
        };
        let siblings: BTreeMap<String, Vec<String>> = items
            .iter()
            .filter(|i| i.parent_id == parent && i.kind == kind && i.disabled_at.is_none())
            .map(|i| (i.id.clone(), i.prerequisites.clone()))
            .collect();
        let kinds: HashMap<String, Kind> = items.iter().map(|i| (i.id.clone(), i.kind)).collect();
        let mut violations = Vec::new();
        let mut paths: Vec<String> =
            vec!["title".into(), "description".into(), "prerequisites".into()];
        if kind == Kind::Task {
            paths
                .extend(["problem_profiles", "start_time", "end_time", "effort"].map(String::from));
        } else {
            for (field, set) in [
                ("problem_profiles", !input.problem_profiles.is_empty()),
                ("start_time", input.start_time.is_some()),
                ("end_time", input.end_time.is_some()),
                ("effort", input.effort.is_some()),
            ] {
                if set {
                    violations.push(Violation::new(
                        format!("item.{field}"),
                        "only tasks have it",
                    ));
                }
            }
        }
        Self::apply_item_fields(input, &mut item, &paths, &siblings, &kinds, &mut violations);
        Error::check(violations)?;
        store::insert_items(&txn, std::slice::from_ref(&item)).await?;
        items.push(item.clone());
        self.roll_up(&txn, &mut process, &mut items).await?;
        process.version += 1;
        process.updated_at = now;
        store::update_process(&txn, &process).await?;
        let stored = items
            .iter()
            .find(|i| i.id == item.id)
            .cloned()
            .unwrap_or(item);
        let proto = Self::item_proto(&stored, &items);
        let event = self.event(
            ITEM_ADDED,
            &subject,
            &process,
            &stored.id,
            1,
            &pb::ItemAdded {
                item: Some(proto.clone()),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    /// The item named `name`, its process administered by the caller, and
    /// every item of that process.
    async fn administered_item<T>(
        &self,
        txn: &impl ConnectionTrait,
        request: &Request<T>,
        field: &str,
        name: &str,
        kinds: &[Kind],
    ) -> Result<(ItemRow, ProcessRow, String, Vec<ItemRow>)> {
        let (_, item_id) = parse_item_name(field, name, kinds)?;
        let Some(item) = store::item(txn, &item_id).await?.filter(|i| {
            // A name of the wrong kind does not find an item of another.
            item_name(i.kind, &i.id) == name
        }) else {
            return Err(Error::NotFound(name.to_owned()));
        };
        let (process, subject) = self.administered(txn, request, &item.process_id).await?;
        let items = store::items(txn, &item.process_id).await?;
        Ok((item, process, subject, items))
    }

    /// The task named `name` for a status change: by its process's
    /// administrators and those whose teams may create assets on it.
    async fn workable_task<T>(
        &self,
        txn: &impl ConnectionTrait,
        request: &Request<T>,
        name: &str,
    ) -> Result<(ItemRow, ProcessRow, String, Vec<ItemRow>)> {
        let caller = identity(request).ok_or(Error::Unauthenticated)?;
        let (_, task_id) = parse_item_name("task", name, &[Kind::Task])?;
        let Some(task) = store::item(txn, &task_id)
            .await?
            .filter(|i| item_name(i.kind, &i.id) == name)
        else {
            return Err(Error::NotFound(name.to_owned()));
        };
        let Some(process) = store::process(txn, &task.process_id).await? else {
            return Err(Error::NotFound(name.to_owned()));
        };
        if !self.may_see(Some(caller), &process).await? {
            return Err(Error::NotFound(name.to_owned()));
        }
        let items = store::items(txn, &process.id).await?;
        let (_, perms) = self
            .permissions(Some(caller), &process, &items, Some(&task.id))
            .await?;
        if !perms.create {
            return Err(Error::Denied(format!(
                "changing the status of {name} is for the process's administrators and teams \
                 with create_assets on it"
            )));
        }
        Ok((task, process, caller.subject.clone(), items))
    }

    async fn update_item_(&self, request: Request<pb::UpdateItemRequest>) -> Result<pb::TreeItem> {
        let r = request.get_ref();
        let input = r
            .item
            .as_ref()
            .ok_or_else(|| Error::invalid("item", "is required"))?;
        let paths = mask_paths(&r.update_mask, ITEM_PATHS)?;
        let txn = begin_write(&self.db).await?;
        let (mut item, mut process, subject, mut items) = self
            .administered_item(&txn, &request, "item.name", &input.name, ALL_KINDS)
            .await?;
        let siblings: BTreeMap<String, Vec<String>> = items
            .iter()
            .filter(|i| {
                i.parent_id == item.parent_id && i.kind == item.kind && i.disabled_at.is_none()
            })
            .map(|i| (i.id.clone(), i.prerequisites.clone()))
            .collect();
        let kinds: HashMap<String, Kind> = items.iter().map(|i| (i.id.clone(), i.kind)).collect();
        let before = item.clone();
        let mut violations = Vec::new();
        Self::apply_item_fields(input, &mut item, &paths, &siblings, &kinds, &mut violations);
        Error::check(violations)?;
        if item == before {
            return Ok(Self::item_proto(&item, &items));
        }
        let changed: Vec<String> = paths
            .iter()
            .filter(|p| {
                let mut a = before.clone();
                let mut v = Vec::new();
                Self::apply_item_fields(input, &mut a, &[(*p).clone()], &siblings, &kinds, &mut v);
                a != before
            })
            .cloned()
            .collect();
        item.updated_at = now_ms();
        store::update_item(&txn, &item).await?;
        if let Some(slot) = items.iter_mut().find(|i| i.id == item.id) {
            *slot = item.clone();
        }
        self.roll_up(&txn, &mut process, &mut items).await?;
        process.version += 1;
        store::update_process(&txn, &process).await?;
        let stored = items
            .iter()
            .find(|i| i.id == item.id)
            .cloned()
            .unwrap_or(item);
        let proto = Self::item_proto(&stored, &items);
        let event = self.event(
            ITEM_UPDATED,
            &subject,
            &process,
            &stored.id,
            stored.updated_at,
            &pb::ItemUpdated {
                item: Some(proto.clone()),
                changed_fields: changed,
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    async fn copy_item_(&self, request: Request<pb::CopyItemRequest>) -> Result<pb::TreeItem> {
        let r = request.get_ref();
        let name = r.name.clone();
        if let Err(Error::Invalid(v)) = parse_item_name("name", &name, ALL_KINDS) {
            return Err(Error::Invalid(v));
        }
        let txn = begin_write(&self.db).await?;
        let (source, mut process, subject, mut items) = self
            .administered_item(&txn, &request, "name", &name, ALL_KINDS)
            .await?;
        if source.disabled_at.is_some() {
            return Err(Error::Precondition(format!("{name} is disabled")));
        }
        let parent = if r.parent.is_empty() {
            source.parent_id.clone()
        } else {
            let Some(kind) = source.kind.parent() else {
                return Err(Error::invalid("parent", "phases have no parent"));
            };
            let (_, id) = parse_item_name("parent", &r.parent, &[kind])?;
            match items.iter().find(|i| i.id == id && i.kind == kind) {
                Some(p) if p.disabled_at.is_none() => Some(id),
                Some(_) => return Err(Error::Precondition(format!("{} is disabled", r.parent))),
                None => {
                    return Err(Error::invalid(
                        "parent",
                        format!(
                            "{} is not an item of {}",
                            r.parent,
                            process_name(&process.id)
                        ),
                    ));
                }
            }
        };
        if items.len() >= MAX_ITEMS {
            return Err(Error::Precondition(format!(
                "{} has {MAX_ITEMS} items, the most a process holds",
                process_name(&process.id)
            )));
        }
        // The source and its enabled descendants, parents first.
        let mut subtree = vec![source.clone()];
        let mut i = 0;
        while i < subtree.len() {
            let id = subtree[i].id.clone();
            subtree.extend(
                items
                    .iter()
                    .filter(|c| {
                        c.parent_id.as_deref() == Some(id.as_str()) && c.disabled_at.is_none()
                    })
                    .cloned(),
            );
            i += 1;
        }
        let now = now_ms();
        let ids: HashMap<String, String> = subtree
            .iter()
            .map(|i| (i.id.clone(), uuid::Uuid::now_v7().to_string()))
            .collect();
        let mut position = items.iter().map(|i| i.position + 1).max().unwrap_or(0);
        let copies: Vec<ItemRow> = subtree
            .iter()
            .map(|item| {
                let is_root = item.id == source.id;
                position += 1;
                ItemRow {
                    id: ids[&item.id].clone(),
                    parent_id: if is_root {
                        parent.clone()
                    } else {
                        item.parent_id.as_ref().map(|p| ids[p].clone())
                    },
                    position,
                    status: Status::Awaiting,
                    progress: 0.0,
                    prerequisites: if is_root {
                        // Beside the original its prerequisites still make sense.
                        if parent == source.parent_id {
                            item.prerequisites.clone()
                        } else {
                            Vec::new()
                        }
                    } else {
                        item.prerequisites
                            .iter()
                            .filter_map(|p| ids.get(p).cloned())
                            .collect()
                    },
                    creator: subject.clone(),
                    disabled_at: None,
                    disabled_by: None,
                    created_at: now,
                    updated_at: now,
                    ..item.clone()
                }
            })
            .collect();
        store::insert_items(&txn, &copies).await?;
        items.extend(copies.iter().cloned());
        self.roll_up(&txn, &mut process, &mut items).await?;
        process.version += 1;
        process.updated_at = now;
        store::update_process(&txn, &process).await?;
        let root = items
            .iter()
            .find(|i| i.id == ids[&source.id])
            .cloned()
            .unwrap_or_else(|| copies[0].clone());
        let proto = Self::item_proto(&root, &items);
        let event = self.event(
            ITEM_COPIED,
            &subject,
            &process,
            &root.id,
            1,
            &pb::ItemCopied {
                item: Some(proto.clone()),
                source: name.clone(),
                descendants: copies
                    .iter()
                    .skip(1)
                    .map(|c| item_name(c.kind, &c.id))
                    .collect(),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    async fn disable_item_(
        &self,
        request: Request<pb::DisableItemRequest>,
    ) -> Result<pb::TreeItem> {
        let name = request.get_ref().name.clone();
        let txn = begin_write(&self.db).await?;
        let (item, mut process, subject, mut items) = self
            .administered_item(&txn, &request, "name", &name, ALL_KINDS)
            .await?;
        if item.disabled_at.is_some() {
            return Err(Error::Precondition(format!("{name} is disabled already")));
        }
        // The item and everything under it.
        let mut disabled = vec![item.id.clone()];
        let mut i = 0;
        while i < disabled.len() {
            let parent = disabled[i].clone();
            disabled.extend(
                items
                    .iter()
                    .filter(|c| {
                        c.parent_id.as_deref() == Some(parent.as_str()) && c.disabled_at.is_none()
                    })
                    .map(|c| c.id.clone()),
            );
            i += 1;
        }
        let now = now_ms();
        for row in items.iter_mut().filter(|r| disabled.contains(&r.id)) {
            row.disabled_at = Some(now);
            row.disabled_by = Some(subject.clone());
            row.updated_at = now;
            store::update_item(&txn, row).await?;
        }
        self.roll_up(&txn, &mut process, &mut items).await?;
        process.version += 1;
        process.updated_at = now;
        store::update_process(&txn, &process).await?;
        let kinds: HashMap<&str, Kind> = items.iter().map(|i| (i.id.as_str(), i.kind)).collect();
        let stored = items
            .iter()
            .find(|i| i.id == item.id)
            .cloned()
            .unwrap_or(item);
        let proto = Self::item_proto(&stored, &items);
        let event = self.event(
            ITEM_DISABLED,
            &subject,
            &process,
            &stored.id,
            now,
            &pb::ItemDisabled {
                item: Some(proto.clone()),
                descendants: disabled
                    .iter()
                    .skip(1)
                    .map(|id| item_name(kinds.get(id.as_str()).copied().unwrap_or(Kind::Task), id))
                    .collect(),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    async fn set_task_status_(
        &self,
        request: Request<pb::SetTaskStatusRequest>,
    ) -> Result<pb::ProcessTree> {
        let r = request.get_ref();
        let mut violations = Vec::new();
        if let Err(Error::Invalid(v)) = parse_item_name("task", &r.task, &[Kind::Task]) {
            violations.extend(v);
        }
        let status = convert::status_from("status", r.status, &mut violations);
        Error::check(violations)?;
        let (task_name, status) = (r.task.clone(), status.unwrap_or(Status::Awaiting));
        let txn = begin_write(&self.db).await?;
        let (task, mut process, subject, mut items) =
            self.workable_task(&txn, &request, &task_name).await?;
        if task.disabled_at.is_some() {
            return Err(Error::Precondition(format!("{task_name} is disabled")));
        }
        let old = task.status;
        if old == status {
            return Ok(Self::tree(&process, &items));
        }
        if status != Status::Awaiting {
            // The prerequisites of the task, its objective and its phase.
            let by_id: HashMap<&str, &ItemRow> = items.iter().map(|i| (i.id.as_str(), i)).collect();
            let mut chain = Vec::new();
            let mut at = Some(&task);
            while let Some(item) = at {
                for p in &item.prerequisites {
                    if let Some(pre) = by_id.get(p.as_str()) {
                        chain.push(Prerequisite {
                            name: item_name(pre.kind, &pre.id),
                            status: pre.status,
                            enabled: pre.disabled_at.is_none(),
                        });
                    }
                }
                at = item
                    .parent_id
                    .as_deref()
                    .and_then(|p| by_id.get(p).copied());
            }
            if let Some(blocking) = tree::blocking(&chain) {
                return Err(Error::Precondition(format!(
                    "{task_name} cannot leave `awaiting`: its prerequisite {} is {}, not finished",
                    blocking.name,
                    blocking.status.as_str()
                )));
            }
        }
        let now = now_ms();
        if let Some(row) = items.iter_mut().find(|i| i.id == task.id) {
            row.status = status;
            row.updated_at = now;
            store::update_item(&txn, row).await?;
        }
        self.roll_up(&txn, &mut process, &mut items).await?;
        process.version += 1;
        process.updated_at = now;
        store::update_process(&txn, &process).await?;
        let tree = Self::tree(&process, &items);
        let find = |id: Option<&str>| {
            id.and_then(|id| tree.items.iter().find(|i| i.name.ends_with(id)).cloned())
        };
        let objective = find(task.parent_id.as_deref());
        let phase = items
            .iter()
            .find(|i| Some(&i.id) == task.parent_id.as_ref())
            .and_then(|o| find(o.parent_id.as_deref()));
        let event = self.event(
            TASK_STATUS_CHANGED,
            &subject,
            &process,
            &task.id,
            now,
            &pb::TaskStatusChanged {
                task: task_name.clone(),
                process: process_name(&process.id),
                old_status: convert::status_to(old),
                new_status: convert::status_to(status),
                objective,
                phase,
                process_status: convert::status_to(process.status),
                process_progress: process.progress,
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(tree)
    }
}
