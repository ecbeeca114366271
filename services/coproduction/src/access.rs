//! Handlers of grants, permissions and assets.

use std::collections::{BTreeSet, HashMap};

use interlink_proto::coproduction::v1 as pb;
use interlink_runtime::api::{now_ms, parse_name, timestamp};
use interlink_runtime::auth::{Identity, identity};
use interlink_runtime::db::begin_write;
use tonic::Request;

use crate::convert::{item_name, process_name};
use crate::domain::permissions::{Perms, resolve};
use crate::domain::{Kind, Violation, check_url};
use crate::error::{Error, Result};
use crate::events::{ASSET_ADDED, ASSET_REMOVED, GRANT_ADDED, GRANT_REMOVED};
use crate::grpc::{ALL_KINDS, CoproductionApi, parse_item_name};
use crate::remote;
use crate::store::{self, AssetRow, GrantRow, ItemRow, ProcessRow};

/// Longest asset name.
const MAX_ASSET_NAME_CHARS: usize = 200;

fn grant_to(g: &GrantRow, items: &[ItemRow]) -> pb::Grant {
    pb::Grant {
        name: format!("processes/{}/grants/{}", g.process_id, g.id),
        team: format!("teams/{}", g.team_id),
        item: items
            .iter()
            .find(|i| i.id == g.item_id)
            .map(|i| item_name(i.kind, &i.id))
            .unwrap_or_default(),
        access_assets: g.perms.access,
        create_assets: g.perms.create,
        delete_assets: g.perms.delete,
        granted_by: interlink_runtime::api::user_name(&g.granted_by),
        create_time: Some(timestamp(g.created_at)),
    }
}

pub(crate) fn asset_to(a: &AssetRow) -> pb::Asset {
    pb::Asset {
        name: format!("assets/{}", a.id),
        task: format!("tasks/{}", a.task_id),
        process: process_name(&a.process_id),
        kind: if a.kind == "internal" {
            pb::AssetKind::Internal as i32
        } else {
            pb::AssetKind::External as i32
        },
        interlinker: if a.interlinker_id.is_empty() {
            String::new()
        } else {
            format!("interlinkers/{}", a.interlinker_id)
        },
        interlinker_nature: a.interlinker_nature.clone(),
        genesis_asset_uri: a.genesis_asset_uri.clone(),
        display_name: a.display_name.clone(),
        uri: a.uri.clone(),
        creator: interlink_runtime::api::user_name(&a.creator),
        create_time: Some(timestamp(a.created_at)),
        external_id: a.remote.external_id.clone(),
        interlinker_endpoint: a.remote.endpoint.clone(),
        capabilities: a.remote.capabilities.clone(),
        preparation: match a.remote.preparation.as_str() {
            "preparing" => pb::AssetPreparation::Preparing,
            "ready" => pb::AssetPreparation::Ready,
            "failed" => pb::AssetPreparation::Failed,
            _ => pb::AssetPreparation::Unspecified,
        } as i32,
        preparation_error: a.remote.error.clone(),
    }
}

/// The ids of `item_id` and its ancestors, most specific first.
fn chain<'a>(items: &'a [ItemRow], item_id: Option<&'a str>) -> Vec<&'a str> {
    let by_id: HashMap<&str, &ItemRow> = items.iter().map(|i| (i.id.as_str(), i)).collect();
    let mut out = Vec::new();
    let mut at = item_id;
    while let Some(id) = at {
        out.push(id);
        at = by_id.get(id).and_then(|i| i.parent_id.as_deref());
    }
    out
}

impl CoproductionApi {
    /// Whether `caller` administers `process`, and what the grants of
    /// their teams let them do on `item_id` (the process when `None`).
    pub(crate) async fn permissions(
        &self,
        caller: Option<&Identity>,
        process: &ProcessRow,
        items: &[ItemRow],
        item_id: Option<&str>,
    ) -> Result<(bool, Perms)> {
        let Some(caller) = caller else {
            return Ok((false, Perms::default()));
        };
        let administrator =
            caller.platform_admin || process.administrators.contains(&caller.subject);
        if administrator {
            return Ok((true, Perms::ALL));
        }
        let teams: BTreeSet<String> = store::teams_of(&self.db, &caller.subject)
            .await?
            .into_iter()
            .collect();
        let grants: Vec<GrantRow> = store::grants(&self.db, &process.id)
            .await?
            .into_iter()
            .filter(|g| teams.contains(&g.team_id))
            .collect();
        let at = |target: &str| -> Vec<Perms> {
            grants
                .iter()
                .filter(|g| g.item_id == target)
                .map(|g| g.perms)
                .collect()
        };
        let mut levels: Vec<Vec<Perms>> = chain(items, item_id).into_iter().map(at).collect();
        levels.push(at(""));
        Ok((false, resolve(false, &levels)))
    }

    /// Per task id, the caller's permissions, for filtering lists.
    async fn permissions_per_task(
        &self,
        caller: Option<&Identity>,
        process: &ProcessRow,
        items: &[ItemRow],
    ) -> Result<HashMap<String, Perms>> {
        let mut out = HashMap::new();
        for task in items.iter().filter(|i| i.kind == Kind::Task) {
            let (_, perms) = self
                .permissions(caller, process, items, Some(&task.id))
                .await?;
            out.insert(task.id.clone(), perms);
        }
        Ok(out)
    }

    pub(crate) async fn create_grant_(
        &self,
        request: Request<pb::CreateGrantRequest>,
    ) -> Result<pb::Grant> {
        let r = request.get_ref();
        let mut violations = Vec::new();
        let process_id = parse_name("parent", "processes", &r.parent)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        let input = r.grant.clone().unwrap_or_default();
        if r.grant.is_none() {
            violations.push(Violation::new("grant", "is required"));
        }
        let team_id = parse_name("grant.team", "teams", &input.team)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        let item_id = if input.item.is_empty() {
            Some(String::new())
        } else {
            match parse_item_name("grant.item", &input.item, ALL_KINDS) {
                Ok((_, id)) => Some(id),
                Err(Error::Invalid(v)) => {
                    violations.extend(v);
                    None
                }
                Err(e) => return Err(e),
            }
        };
        let perms = Perms {
            access: input.access_assets,
            create: input.create_assets,
            delete: input.delete_assets,
        };
        if r.grant.is_some() && perms.is_empty() {
            violations.push(Violation::new(
                "grant",
                "gives no permission: set access_assets, create_assets or delete_assets",
            ));
        }
        Error::check(violations)?;
        let (process_id, team_id, item_id) = (
            process_id.unwrap_or_default(),
            team_id.unwrap_or_default(),
            item_id.unwrap_or_default(),
        );
        let txn = begin_write(&self.db).await?;
        let (process, subject) = self.administered(&txn, &request, &process_id).await?;
        let items = store::items(&txn, &process_id).await?;
        if !item_id.is_empty()
            && !items
                .iter()
                .any(|i| i.id == item_id && item_name(i.kind, &i.id) == input.item)
        {
            return Err(Error::invalid(
                "grant.item",
                format!(
                    "{} is not an item of {}",
                    input.item,
                    process_name(&process_id)
                ),
            ));
        }
        // A team the caller may not see gets the answer an unknown team
        // gets, so a grant tells nothing of other organisations.
        let caller = identity(&request).ok_or(Error::Unauthenticated)?;
        if !Self::may_grant_to(&txn, caller, &process.organization_id, &team_id).await? {
            return Err(Error::Precondition(format!(
                "teams/{team_id} is not a team you can grant to: grant teams of this \
                 process's organisation, of public organisations or of organisations you \
                 belong to (a new team takes a moment to reach co-production)"
            )));
        }
        let grant = GrantRow {
            id: uuid::Uuid::now_v7().to_string(),
            process_id: process_id.clone(),
            team_id,
            item_id,
            perms,
            granted_by: subject.clone(),
            created_at: now_ms(),
        };
        if !store::insert_grant(&txn, &grant).await? {
            return Err(Error::AlreadyExists(format!(
                "teams/{} has a grant on {} already: delete it to change it",
                grant.team_id,
                if input.item.is_empty() {
                    process_name(&process_id)
                } else {
                    input.item.clone()
                }
            )));
        }
        let proto = grant_to(&grant, &items);
        let event = self.event(
            GRANT_ADDED,
            &subject,
            &process,
            &grant.id,
            1,
            &pb::GrantAdded {
                process: process_name(&process_id),
                grant: Some(proto.clone()),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(proto)
    }

    /// Whether the caller may grant `team_id` in `process`: a team this
    /// service knows, of the process's organisation, of a public
    /// organisation, or of one the caller belongs to (platform
    /// administrators: any team it knows).
    pub(crate) async fn may_grant_to(
        txn: &impl sea_orm::ConnectionTrait,
        caller: &Identity,
        process_organization: &str,
        team_id: &str,
    ) -> Result<bool> {
        let Some(organization) = store::team_organization(txn, team_id).await? else {
            return Ok(false);
        };
        Ok(caller.platform_admin
            || organization == process_organization
            || store::organization_public(txn, &organization).await?
            || store::belongs_to_organization(txn, &organization, &caller.subject).await?)
    }

    pub(crate) async fn list_grants_(
        &self,
        request: Request<pb::ListGrantsRequest>,
    ) -> Result<pb::ListGrantsResponse> {
        let id = parse_name("parent", "processes", &request.get_ref().parent)?.to_owned();
        self.visible(&request, &id).await?;
        let items = store::items(&self.db, &id).await?;
        let grants = store::grants(&self.db, &id).await?;
        Ok(pb::ListGrantsResponse {
            grants: grants.iter().map(|g| grant_to(g, &items)).collect(),
        })
    }

    pub(crate) async fn delete_grant_(
        &self,
        request: Request<pb::DeleteGrantRequest>,
    ) -> Result<()> {
        let name = request.get_ref().name.clone();
        let bad = || {
            Error::invalid(
                "name",
                "must be a resource name `processes/{id}/grants/{id}`",
            )
        };
        let (process, grant) = name.split_once("/grants/").ok_or_else(bad)?;
        let process_id = parse_name("name", "processes", process)
            .map_err(|_| bad())?
            .to_owned();
        if !interlink_runtime::api::is_canonical_uuid(grant) {
            return Err(bad());
        }
        let txn = begin_write(&self.db).await?;
        let (row, subject) = self.administered(&txn, &request, &process_id).await?;
        let items = store::items(&txn, &process_id).await?;
        let Some(existing) = store::grants(&txn, &process_id)
            .await?
            .into_iter()
            .find(|g| g.id == grant)
        else {
            return Err(Error::NotFound(name));
        };
        store::delete_grant(&txn, grant).await?;
        let event = self.event(
            GRANT_REMOVED,
            &subject,
            &row,
            grant,
            2,
            &pb::GrantRemoved {
                process: process_name(&process_id),
                grant: Some(grant_to(&existing, &items)),
            },
        )?;
        self.commit(txn, &[event]).await
    }

    /// The process of `target` (a process or item name) as the caller may
    /// see it, its items, and the item's id (none for the process).
    async fn target<T>(
        &self,
        request: &Request<T>,
        field: &str,
        target: &str,
        kinds: &[Kind],
    ) -> Result<(ProcessRow, Vec<ItemRow>, Option<ItemRow>)> {
        if target.starts_with("processes/") {
            let id = parse_name(field, "processes", target)?.to_owned();
            let process = self.visible(request, &id).await?;
            let items = store::items(&self.db, &id).await?;
            return Ok((process, items, None));
        }
        let (_, item_id) = parse_item_name(field, target, kinds)?;
        let item = store::item(&self.db, &item_id)
            .await?
            .filter(|i| item_name(i.kind, &i.id) == target)
            .ok_or_else(|| Error::NotFound(target.to_owned()))?;
        let process = self
            .visible(request, &item.process_id)
            .await
            .map_err(|_| Error::NotFound(target.to_owned()))?;
        let items = store::items(&self.db, &item.process_id).await?;
        Ok((process, items, Some(item)))
    }

    pub(crate) async fn get_my_permissions_(
        &self,
        request: Request<pb::GetMyPermissionsRequest>,
    ) -> Result<pb::Permissions> {
        let target = request.get_ref().target.clone();
        let (process, items, item) = self
            .target(&request, "target", &target, ALL_KINDS)
            .await
            .map_err(|e| match e {
                Error::Invalid(_) => Error::invalid(
                    "target",
                    "must be a resource name `processes/{id}`, `phases/{id}`, `objectives/{id}` or `tasks/{id}`",
                ),
                other => other,
            })?;
        let (administrator, perms) = self
            .permissions(
                identity(&request),
                &process,
                &items,
                item.as_ref().map(|i| i.id.as_str()),
            )
            .await?;
        Ok(pb::Permissions {
            target,
            administrator,
            access_assets: perms.access,
            create_assets: perms.create,
            delete_assets: perms.delete,
            set_status: administrator || perms.create,
            edit_tree: administrator,
        })
    }

    pub(crate) async fn create_asset_(
        &self,
        request: Request<pb::CreateAssetRequest>,
    ) -> Result<pb::Asset> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.get_ref();
        let mut violations = Vec::new();
        if let Err(Error::Invalid(v)) = parse_item_name("parent", &r.parent, &[Kind::Task]) {
            violations.extend(v);
        }
        let input = r.asset.clone().unwrap_or_default();
        if r.asset.is_none() {
            violations.push(Violation::new("asset", "is required"));
        }
        let display_name = interlink_runtime::validation::check_line(
            "asset.display_name",
            &input.display_name,
            false,
            MAX_ASSET_NAME_CHARS,
            &mut violations,
        );
        let uri = input.uri.clone();
        let external_id = input.external_id.trim().to_owned();
        if !external_id.is_empty()
            && (external_id.len() > 200
                || !external_id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        {
            violations.push(Violation::new(
                "asset.external_id",
                "is an interlinker's asset id: letters, digits, '-' and '_', at most 200",
            ));
        }
        let kind = pb::AssetKind::try_from(input.kind);
        let mut interlinker_id = String::new();
        match kind {
            Ok(pb::AssetKind::Internal) => {
                match parse_name("asset.interlinker", "interlinkers", &input.interlinker) {
                    Ok(id) => interlinker_id = id.to_owned(),
                    Err(v) => violations.push(v),
                }
                if !uri.is_empty() {
                    violations.push(Violation::new(
                        "asset.uri",
                        "is for external assets; an internal one is the interlinker's",
                    ));
                }
            }
            Ok(pb::AssetKind::External) => {
                if !input.interlinker.is_empty() {
                    violations.push(Violation::new(
                        "asset.interlinker",
                        "is for internal assets",
                    ));
                }
                if display_name.is_empty() {
                    violations.push(Violation::new("asset.display_name", "is required"));
                }
                if uri.is_empty() {
                    violations.push(Violation::new("asset.uri", "is required"));
                } else {
                    check_url("asset.uri", &uri, &mut violations);
                }
            }
            Ok(pb::AssetKind::Unspecified) if r.asset.is_some() => {
                violations.push(Violation::new("asset.kind", "is required"));
            }
            Ok(pb::AssetKind::Unspecified) => {}
            Err(_) => violations.push(Violation::new(
                "asset.kind",
                format!("unknown kind {}", input.kind),
            )),
        }
        Error::check(violations)?;
        let (process, items, task) = self
            .target(&request, "parent", &r.parent, &[Kind::Task])
            .await?;
        let task = task.ok_or_else(|| Error::NotFound(r.parent.clone()))?;
        let (_, perms) = self
            .permissions(Some(&caller), &process, &items, Some(&task.id))
            .await?;
        if !perms.create {
            return Err(Error::Denied(format!(
                "creating assets on {} needs the create_assets permission",
                r.parent
            )));
        }
        if task.disabled_at.is_some() {
            return Err(Error::Precondition(format!("{} is disabled", r.parent)));
        }
        let mut asset = AssetRow {
            id: uuid::Uuid::now_v7().to_string(),
            process_id: process.id.clone(),
            task_id: task.id.clone(),
            kind: if interlinker_id.is_empty() {
                "external"
            } else {
                "internal"
            }
            .to_owned(),
            interlinker_id: interlinker_id.clone(),
            interlinker_nature: String::new(),
            genesis_asset_uri: String::new(),
            display_name,
            uri,
            creator: caller.subject.clone(),
            created_at: now_ms(),
            remote: store::RemoteAsset::default(),
        };
        let mut remote_call = None;
        if !interlinker_id.is_empty() {
            let interlinker = store::interlinker(&self.db, &interlinker_id)
                .await?
                .filter(|i| i.state == "published")
                .ok_or_else(|| {
                    Error::Precondition(format!(
                        "interlinkers/{interlinker_id} is not a published interlinker that has \
                         reached co-production from the catalogue"
                    ))
                })?;
            let pick = |text: &crate::domain::Text| {
                text.get(&process.language)
                    .or_else(|| text.get("en"))
                    .or_else(|| text.values().next())
                    .cloned()
                    .unwrap_or_default()
            };
            asset.interlinker_nature = interlinker.nature.clone();
            if interlinker.nature == "knowledge" {
                asset.genesis_asset_uri = pick(&interlinker.genesis_assets);
            }
            if asset.display_name.is_empty() {
                asset.display_name = pick(&interlinker.title);
            }
            // Made already, by the person on the interlinker's own page:
            // registered as it is, once.
            if !external_id.is_empty() {
                if interlinker.nature != "software"
                    || interlinker.endpoint_uri.is_empty()
                    || !interlinker.capabilities.iter().any(|c| c == "instantiate")
                {
                    return Err(Error::invalid(
                        "asset.external_id",
                        "registers an asset made on a software interlinker that instantiates",
                    ));
                }
                if store::asset_made_at(&self.db, &interlinker.endpoint_uri, &external_id)
                    .await?
                    .is_some()
                {
                    return Err(Error::AlreadyExists(format!(
                        "the asset {external_id} of {} is registered already",
                        interlinker.endpoint_uri
                    )));
                }
                asset.remote = store::RemoteAsset {
                    external_id: external_id.clone(),
                    endpoint: interlinker.endpoint_uri.clone(),
                    capabilities: interlinker.capabilities.clone(),
                    preparation: "ready".into(),
                    error: String::new(),
                };
            } else if self.remote_calls.is_some() {
                if interlinker.nature == "knowledge" && !interlinker.software_interlinker.is_empty()
                {
                    let software =
                        store::interlinker(&self.db, &interlinker.software_interlinker).await?;
                    if let Some(software) = software
                        && asset
                            .genesis_asset_uri
                            .starts_with(&format!("{}/assets/", software.endpoint_uri))
                        && let Some(remote) =
                            remote::planned(&software.endpoint_uri, &software.capabilities, "clone")
                    {
                        asset.remote = remote;
                        remote_call = Some(remote::clone_call(
                            &asset,
                            &asset.genesis_asset_uri,
                            &caller.subject,
                        ));
                    }
                } else if interlinker.nature == "software"
                    && let Some(remote) = remote::planned(
                        &interlinker.endpoint_uri,
                        &interlinker.capabilities,
                        "instantiate",
                    )
                {
                    asset.remote = remote;
                    remote_call = Some(remote::create_call(
                        &asset,
                        &process.language,
                        &caller.subject,
                    ));
                }
            }
        }
        let txn = begin_write(&self.db).await?;
        store::insert_asset(&txn, &asset).await?;
        if let Some(call) = &remote_call {
            interlink_runtime::jobs::enqueue(&txn, call).await?;
        }
        let proto = asset_to(&asset);
        let event = self.event(
            ASSET_ADDED,
            &caller.subject,
            &process,
            &asset.id,
            1,
            &pb::AssetAdded {
                asset: Some(proto.clone()),
            },
        )?;
        self.commit(txn, &[event]).await?;
        if remote_call.is_some() {
            self.wake_remote_calls();
        }
        Ok(proto)
    }

    /// The asset named `name` with its process and items, if the caller
    /// may see the process.
    async fn asset_in_sight<T>(
        &self,
        request: &Request<T>,
        name: &str,
    ) -> Result<(AssetRow, ProcessRow, Vec<ItemRow>)> {
        let id = parse_name("name", "assets", name)?;
        let asset = store::asset(&self.db, id)
            .await?
            .ok_or_else(|| Error::NotFound(name.to_owned()))?;
        let process = self
            .visible(request, &asset.process_id)
            .await
            .map_err(|_| Error::NotFound(name.to_owned()))?;
        let items = store::items(&self.db, &asset.process_id).await?;
        Ok((asset, process, items))
    }

    pub(crate) async fn get_asset_(
        &self,
        request: Request<pb::GetAssetRequest>,
    ) -> Result<pb::Asset> {
        let name = request.get_ref().name.clone();
        let (asset, process, items) = self.asset_in_sight(&request, &name).await?;
        let (_, perms) = self
            .permissions(identity(&request), &process, &items, Some(&asset.task_id))
            .await?;
        if !perms.access {
            return Err(Error::Denied(format!(
                "reading {name} needs the access_assets permission on tasks/{}",
                asset.task_id
            )));
        }
        Ok(asset_to(&asset))
    }

    pub(crate) async fn list_assets_(
        &self,
        request: Request<pb::ListAssetsRequest>,
    ) -> Result<pb::ListAssetsResponse> {
        let parent = request.get_ref().parent.clone();
        let (process, items, item) = self.target(&request, "parent", &parent, ALL_KINDS).await?;
        // The tasks under the parent.
        let under: BTreeSet<String> = match &item {
            None => items.iter().map(|i| i.id.clone()).collect(),
            Some(root) => {
                let mut ids = vec![root.id.clone()];
                let mut i = 0;
                while i < ids.len() {
                    let parent = ids[i].clone();
                    ids.extend(
                        items
                            .iter()
                            .filter(|c| c.parent_id.as_deref() == Some(parent.as_str()))
                            .map(|c| c.id.clone()),
                    );
                    i += 1;
                }
                ids.into_iter().collect()
            }
        };
        let perms = self
            .permissions_per_task(identity(&request), &process, &items)
            .await?;
        let assets = store::assets(&self.db, &process.id).await?;
        Ok(pb::ListAssetsResponse {
            assets: assets
                .iter()
                .filter(|a| under.contains(&a.task_id))
                .filter(|a| perms.get(&a.task_id).is_some_and(|p| p.access))
                .map(asset_to)
                .collect(),
        })
    }

    pub(crate) async fn delete_asset_(
        &self,
        request: Request<pb::DeleteAssetRequest>,
    ) -> Result<()> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let name = request.get_ref().name.clone();
        let (asset, process, items) = self.asset_in_sight(&request, &name).await?;
        let (_, perms) = self
            .permissions(Some(&caller), &process, &items, Some(&asset.task_id))
            .await?;
        if !perms.delete {
            return Err(Error::Denied(format!(
                "deleting {name} needs the delete_assets permission on tasks/{}",
                asset.task_id
            )));
        }
        let txn = begin_write(&self.db).await?;
        store::delete_asset(&txn, &asset.id).await?;
        if self.remote_calls.is_some() {
            remote::forget(&txn, &asset, &caller.subject).await?;
        }
        let event = self.event(
            ASSET_REMOVED,
            &caller.subject,
            &process,
            &asset.id,
            2,
            &pb::AssetRemoved {
                asset: Some(asset_to(&asset)),
            },
        )?;
        self.commit(txn, &[event]).await?;
        self.wake_remote_calls();
        Ok(())
    }

    /// A token for a page of the interlinker at `audience` that `caller`
    /// opens: naming them by their name too (the interlinker shows who
    /// saved what), where the platform's key is at hand.
    fn page_token(&self, caller: &Identity, audience: &str) -> Option<String> {
        match &self.interlinker_keys {
            Some(keys) => keys
                .mint(
                    &interlink_runtime::auth::DevTokenRequest {
                        subject: caller.subject.clone(),
                        name: caller.name.clone(),
                        email: None,
                        admin: false,
                        ttl: remote::TOKEN_TTL,
                    },
                    audience,
                    "interlink_admin",
                )
                .map_err(|e| tracing::warn!(error = %e, "minting a page token failed"))
                .ok(),
            None => self
                .remote_tokens
                .as_ref()
                .and_then(|mint| mint(&caller.subject, audience)),
        }
    }

    pub(crate) async fn get_instantiate_link_(
        &self,
        request: Request<pb::GetInstantiateLinkRequest>,
    ) -> Result<pb::AssetLink> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.get_ref();
        let mut violations = Vec::new();
        if let Err(Error::Invalid(v)) = parse_item_name("parent", &r.parent, &[Kind::Task]) {
            violations.extend(v);
        }
        let interlinker_id = parse_name("interlinker", "interlinkers", &r.interlinker)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        Error::check(violations)?;
        let interlinker_id = interlinker_id.unwrap_or_default();
        let (process, items, task) = self
            .target(&request, "parent", &r.parent, &[Kind::Task])
            .await?;
        let task = task.ok_or_else(|| Error::NotFound(r.parent.clone()))?;
        let (_, perms) = self
            .permissions(Some(&caller), &process, &items, Some(&task.id))
            .await?;
        if !perms.create {
            return Err(Error::Denied(format!(
                "making assets on {} needs the create_assets permission",
                r.parent
            )));
        }
        let interlinker = store::interlinker(&self.db, &interlinker_id)
            .await?
            .filter(|i| i.state == "published" && i.nature == "software")
            .ok_or_else(|| {
                Error::Precondition(format!(
                    "{} is not a published software interlinker that has reached \
                     co-production from the catalogue",
                    r.interlinker
                ))
            })?;
        let has = |capability: &str| interlinker.capabilities.iter().any(|c| c == capability);
        if interlinker.endpoint_uri.is_empty() || !has("instantiate") || !has("open_in_modal") {
            return Err(Error::Precondition(format!(
                "{} has no instantiate page the platform may frame (instantiate, open_in_modal)",
                r.interlinker
            )));
        }
        let token = self
            .page_token(&caller, &interlinker.endpoint_uri)
            .ok_or_else(|| {
                Error::Precondition("this deployment signs no tokens for interlinkers".into())
            })?;
        Ok(pb::AssetLink {
            uri: format!(
                "{}/assets/instantiate?language={}&token={token}",
                interlinker.endpoint_uri, process.language
            ),
            expire_time: Some(timestamp(now_ms() + remote::TOKEN_TTL.as_millis() as i64)),
        })
    }

    pub(crate) async fn check_interlinker_access_(
        &self,
        request: Request<pb::CheckInterlinkerAccessRequest>,
    ) -> Result<pb::InterlinkerAccess> {
        let r = request.get_ref();
        let mut violations = Vec::new();
        if r.token.is_empty() {
            violations.push(Violation::new("token", "is required"));
        }
        if r.external_id.trim().is_empty() || r.external_id.len() > 200 {
            violations.push(Violation::new(
                "external_id",
                "is required (at most 200 characters)",
            ));
        }
        Error::check(violations)?;
        let keys = self.interlinker_keys.as_ref().ok_or_else(|| {
            Error::Precondition("this deployment signs no tokens for interlinkers".into())
        })?;
        let (subject, interlinker) = keys
            .issued(&r.token, interlink_runtime::auth::INTERLINKER_SESSION)
            .map_err(|e| {
                Error::TokenRefused(format!(
                    "token: not a token this platform gave an interlinker: {e}"
                ))
            })?;
        let Some(asset) = store::asset_made_at(&self.db, &interlinker, &r.external_id).await?
        else {
            return Ok(pb::InterlinkerAccess::default());
        };
        let process = store::process(&self.db, &asset.process_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("processes/{}", asset.process_id)))?;
        let items = store::items(&self.db, &asset.process_id).await?;
        let person = Identity {
            subject,
            name: None,
            email: None,
            platform_admin: false,
        };
        let (_, perms) = self
            .permissions(Some(&person), &process, &items, Some(&asset.task_id))
            .await?;
        Ok(pb::InterlinkerAccess {
            asset: format!("assets/{}", asset.id),
            view: perms.access,
            edit: perms.create,
        })
    }

    pub(crate) async fn open_asset_(
        &self,
        request: Request<pb::OpenAssetRequest>,
    ) -> Result<pb::AssetLink> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let (name, edit) = (request.get_ref().name.clone(), request.get_ref().edit);
        let (asset, process, items) = self.asset_in_sight(&request, &name).await?;
        let (_, perms) = self
            .permissions(Some(&caller), &process, &items, Some(&asset.task_id))
            .await?;
        let (allowed, right) = if edit {
            (perms.create, "create_assets")
        } else {
            (perms.access, "access_assets")
        };
        if !allowed {
            return Err(Error::Denied(format!(
                "opening {name} to {} needs the {right} permission on tasks/{}",
                if edit { "edit" } else { "view" },
                asset.task_id
            )));
        }
        let remote = &asset.remote;
        match remote.preparation.as_str() {
            "ready" => {}
            "preparing" => {
                return Err(Error::Precondition(format!(
                    "{name} is still being made on its interlinker"
                )));
            }
            "failed" => {
                return Err(Error::Precondition(format!(
                    "{name} could not be made on its interlinker: {}",
                    remote.error
                )));
            }
            _ => {
                return Err(Error::Precondition(format!(
                    "{name} is not made on a software interlinker"
                )));
            }
        }
        let page = if edit { "edit" } else { "view" };
        if !remote.capabilities.iter().any(|c| c == page) {
            return Err(Error::Precondition(format!(
                "the interlinker of {name} does not {page} its assets"
            )));
        }
        let token = self.page_token(&caller, &remote.endpoint).ok_or_else(|| {
            Error::Precondition("this deployment signs no tokens for interlinkers".into())
        })?;
        Ok(pb::AssetLink {
            uri: format!(
                "{}/assets/{}/{page}?token={token}",
                remote.endpoint, remote.external_id
            ),
            expire_time: Some(timestamp(now_ms() + remote::TOKEN_TTL.as_millis() as i64)),
        })
    }

    pub(crate) async fn retry_asset_preparation_(
        &self,
        request: Request<pb::RetryAssetPreparationRequest>,
    ) -> Result<pb::Asset> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let name = request.get_ref().name.clone();
        let (mut asset, process, items) = self.asset_in_sight(&request, &name).await?;
        let (_, perms) = self
            .permissions(Some(&caller), &process, &items, Some(&asset.task_id))
            .await?;
        if !perms.create {
            return Err(Error::Denied(format!(
                "retrying {name} needs the create_assets permission on tasks/{}",
                asset.task_id
            )));
        }
        if asset.remote.preparation != "failed" {
            return Err(Error::Precondition(format!(
                "only an asset whose making failed is tried again; {name} has not failed"
            )));
        }
        let txn = begin_write(&self.db).await?;
        let failed = interlink_runtime::jobs::for_reference(&txn, &asset.id)
            .await?
            .into_iter()
            .rev()
            .find(|job| {
                job.state == interlink_runtime::jobs::JobState::Failed
                    && (job.call.kind == remote::CLONE || job.call.kind == remote::CREATE)
            })
            .ok_or_else(|| Error::Precondition(format!("{name} has no failed making to retry")))?;
        interlink_runtime::jobs::retry_in(&txn, failed.id).await?;
        store::set_asset_preparation(&txn, &asset.id, "preparing", "", "").await?;
        txn.commit().await?;
        self.wake_remote_calls();
        asset.remote.preparation = "preparing".into();
        asset.remote.error.clear();
        Ok(asset_to(&asset))
    }
}
