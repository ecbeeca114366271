//! Export, import and clone of a whole process. The document is JSON in a
//! versioned format (`interlink.process/1`) keyed by position (items `i0`,
//! `i1` … in tree order, assets `a0` …), so a process its administrator
//! exports and imports again exports the same document. What an import
//! creates is the importer's: every creator, claimant, decider and author
//! becomes the caller, story ratings are left behind, and grants to teams
//! the caller could not grant by hand are dropped.

use std::collections::{BTreeMap, HashMap};

use interlink_proto::coproduction::v1 as pb;
use interlink_runtime::api::{now_ms, parse_name};
use interlink_runtime::auth::{Identity, identity};
use interlink_runtime::db::begin_write;
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use tonic::Request;

use crate::convert::{process_name, tree_order};
use crate::domain::permissions::Perms;
use crate::domain::{Kind, Model, Status, Text, Violation, tree};
use crate::error::{Error, Result};
use crate::events::{PROCESS_CLONED, PROCESS_IMPORTED, STORY_ADOPTED};
use crate::grpc::{CoproductionApi, MAX_TITLE_CHARS};
use crate::store::{self, AssetRow, ClaimRow, GrantRow, ItemRow, ProcessRow, StoryRow};

/// The format of documents this version writes and reads.
pub(crate) const FORMAT: &str = "interlink.process/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Document {
    format: String,
    process: DocProcess,
    items: Vec<DocItem>,
    grants: Vec<DocGrant>,
    assets: Vec<DocAsset>,
    claims: Vec<DocClaim>,
    stories: Vec<DocStory>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocProcess {
    title: String,
    description: String,
    aim: String,
    idea: String,
    organization_description: String,
    challenges: String,
    requirements: String,
    language: String,
    logo_uri: String,
    public: bool,
    intergovernmental_model: String,
    tags: Vec<String>,
    schema: String,
    schema_version: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocItem {
    key: String,
    kind: String,
    parent: String,
    title: Text,
    description: Text,
    status: String,
    prerequisites: Vec<String>,
    problem_profiles: Vec<String>,
    co_delivery: bool,
    start_at: Option<i64>,
    end_at: Option<i64>,
    effort: [i32; 3],
    schema_key: String,
    creator: String,
    disabled_at: Option<i64>,
    disabled_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocGrant {
    team: String,
    item: String,
    access_assets: bool,
    create_assets: bool,
    delete_assets: bool,
    granted_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocAsset {
    key: String,
    task: String,
    kind: String,
    interlinker: String,
    interlinker_nature: String,
    genesis_asset_uri: String,
    display_name: String,
    uri: String,
    creator: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocClaim {
    task: String,
    asset: String,
    claim_type: String,
    description: String,
    claimant: String,
    state: String,
    decided_by: String,
    decided_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DocStory {
    title: String,
    description: String,
    results: String,
    lessons_learned: String,
    licences: Vec<String>,
    keywords: Vec<String>,
    start_at: Option<i64>,
    end_at: Option<i64>,
    author: String,
    published_at: i64,
    /// Written empty (who rated what is the raters' own) and ignored on
    /// import; kept so documents of earlier versions still read.
    #[serde(default)]
    ratings: Vec<(String, i32)>,
}

/// What goes into a document besides the process and its enabled tree.
struct Contents {
    disabled_items: bool,
    statuses: bool,
    grants: bool,
    /// The assets, without the claims and stories.
    assets: bool,
    /// The assets, claims and stories.
    work: bool,
}

impl CoproductionApi {
    /// The document of `process` as stored in `db`.
    async fn document(
        &self,
        db: &impl ConnectionTrait,
        process: &ProcessRow,
        contents: Contents,
    ) -> Result<Document> {
        let items = store::items(db, &process.id).await?;
        let ordered: Vec<&ItemRow> = tree_order(&items)
            .into_iter()
            .filter(|i| contents.disabled_items || i.disabled_at.is_none())
            .collect();
        let keys: HashMap<&str, String> = ordered
            .iter()
            .enumerate()
            .map(|(n, i)| (i.id.as_str(), format!("i{n}")))
            .collect();
        let key = |id: &str| keys.get(id).cloned().unwrap_or_default();
        let doc_items = ordered
            .iter()
            .map(|i| DocItem {
                key: key(&i.id),
                kind: i.kind.as_str().to_owned(),
                parent: i.parent_id.as_deref().map(key).unwrap_or_default(),
                title: i.title.clone(),
                description: i.description.clone(),
                status: if contents.statuses {
                    i.status
                } else {
                    Status::Awaiting
                }
                .as_str()
                .to_owned(),
                prerequisites: i
                    .prerequisites
                    .iter()
                    .filter(|p| keys.contains_key(p.as_str()))
                    .map(|p| key(p))
                    .collect(),
                problem_profiles: i.problem_profiles.clone(),
                co_delivery: i.co_delivery,
                start_at: i.start_at,
                end_at: i.end_at,
                effort: i.effort,
                schema_key: i.schema_key.clone(),
                creator: interlink_runtime::api::user_name(&i.creator),
                disabled_at: i.disabled_at,
                disabled_by: i
                    .disabled_by
                    .as_deref()
                    .map(interlink_runtime::api::user_name),
            })
            .collect();
        let grants = if contents.grants {
            store::grants(db, &process.id)
                .await?
                .iter()
                .filter(|g| g.item_id.is_empty() || keys.contains_key(g.item_id.as_str()))
                .map(|g| DocGrant {
                    team: g.team_id.clone(),
                    item: if g.item_id.is_empty() {
                        String::new()
                    } else {
                        key(&g.item_id)
                    },
                    access_assets: g.perms.access,
                    create_assets: g.perms.create,
                    delete_assets: g.perms.delete,
                    granted_by: interlink_runtime::api::user_name(&g.granted_by),
                })
                .collect()
        } else {
            Vec::new()
        };
        let (mut claims, mut stories) = (Vec::new(), Vec::new());
        let rows = if contents.work || contents.assets {
            store::assets(db, &process.id).await?
        } else {
            Vec::new()
        };
        let asset_keys: HashMap<&str, String> = rows
            .iter()
            .enumerate()
            .map(|(n, a)| (a.id.as_str(), format!("a{n}")))
            .collect();
        // Keys by position among all the assets (a clone finds its sources
        // by them), though assets of items left out are left out too.
        let assets = rows
            .iter()
            .filter(|a| keys.contains_key(a.task_id.as_str()))
            .map(|a| DocAsset {
                key: asset_keys[a.id.as_str()].clone(),
                task: key(&a.task_id),
                kind: a.kind.clone(),
                interlinker: a.interlinker_id.clone(),
                interlinker_nature: a.interlinker_nature.clone(),
                genesis_asset_uri: a.genesis_asset_uri.clone(),
                display_name: a.display_name.clone(),
                uri: a.uri.clone(),
                creator: interlink_runtime::api::user_name(&a.creator),
            })
            .collect();
        if contents.work {
            claims = store::claims(db, &process.id)
                .await?
                .iter()
                .map(|c| DocClaim {
                    task: key(&c.task_id),
                    asset: asset_keys
                        .get(c.asset_id.as_str())
                        .cloned()
                        .unwrap_or_default(),
                    claim_type: c.claim_type.clone(),
                    description: c.description.clone(),
                    claimant: interlink_runtime::api::user_name(&c.claimant),
                    state: c.state.clone(),
                    decided_by: interlink_runtime::api::user_name(&c.decided_by),
                    decided_at: c.decided_at,
                })
                .collect();
            let mut rows =
                store::list_stories(db, Some(&process.id), None, None, u32::MAX as u64).await?;
            rows.reverse();
            for s in rows {
                stories.push(DocStory {
                    ratings: Vec::new(),
                    title: s.title,
                    description: s.description,
                    results: s.results,
                    lessons_learned: s.lessons_learned,
                    licences: s.licences,
                    keywords: s.keywords,
                    start_at: s.start_at,
                    end_at: s.end_at,
                    author: interlink_runtime::api::user_name(&s.author),
                    published_at: s.published_at,
                });
            }
        }
        Ok(Document {
            format: FORMAT.to_owned(),
            process: DocProcess {
                title: process.title.clone(),
                description: process.description.clone(),
                aim: process.aim.clone(),
                idea: process.idea.clone(),
                organization_description: process.organization_description.clone(),
                challenges: process.challenges.clone(),
                requirements: process.requirements.clone(),
                language: process.language.clone(),
                logo_uri: process.logo_uri.clone(),
                public: process.public,
                intergovernmental_model: process.model.map(Model::as_str).unwrap_or("").to_owned(),
                tags: process.tags.clone(),
                schema: process.schema_id.clone(),
                schema_version: process.schema_version,
            },
            items: doc_items,
            grants,
            assets,
            claims,
            stories,
        })
    }

    /// Checks `doc` and writes it as a new process of `organization_id`
    /// administered and authored by `caller`, in `txn`.
    async fn materialize(
        &self,
        txn: &impl ConnectionTrait,
        doc: &Document,
        organization_id: &str,
        caller: &Identity,
        cloned_from: &str,
        sources: &HashMap<String, AssetRow>,
    ) -> Result<(ProcessRow, Vec<ItemRow>, usize)> {
        // Whatever the document says, what it creates is the caller's: it
        // credits no one else (see `ImportProcess`).
        let subject = caller.subject.as_str();
        let mut out = Vec::new();
        let at = |f: &str| format!("document.{f}");
        if doc.format != FORMAT {
            out.push(Violation::new(
                at("format"),
                format!("must be `{FORMAT}`, the format this version reads"),
            ));
            return Err(Error::Invalid(out));
        }
        let now = now_ms();
        let p = &doc.process;
        let mut process = ProcessRow {
            id: uuid::Uuid::now_v7().to_string(),
            organization_id: organization_id.to_owned(),
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
            creator: subject.to_owned(),
            tags: Vec::new(),
            cloned_from: cloned_from.to_owned(),
            schema_id: p.schema.clone(),
            schema_version: p.schema_version,
            start_at: None,
            end_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
            administrators: vec![subject.to_owned()],
            provenance: Default::default(),
        };
        let model = if p.intergovernmental_model.is_empty() {
            None
        } else {
            match Model::parse(&p.intergovernmental_model) {
                Some(m) => Some(m),
                None => {
                    out.push(Violation::new(
                        at("process.intergovernmental_model"),
                        "must be c2c, c2g, g2c or g_plus_g",
                    ));
                    None
                }
            }
        };
        let input = pb::Process {
            title: p.title.clone(),
            description: p.description.clone(),
            aim: p.aim.clone(),
            idea: p.idea.clone(),
            organization_description: p.organization_description.clone(),
            challenges: p.challenges.clone(),
            requirements: p.requirements.clone(),
            language: p.language.clone(),
            logo_uri: p.logo_uri.clone(),
            public: p.public,
            tags: p.tags.clone(),
            ..Default::default()
        };
        let paths: Vec<String> = crate::grpc::PROCESS_PATHS
            .iter()
            .filter(|p| **p != "intergovernmental_model")
            .map(|p| (*p).to_owned())
            .collect();
        let mut field_violations = Vec::new();
        Self::apply_process_fields(&input, &mut process, &paths, &mut field_violations);
        out.extend(
            field_violations
                .into_iter()
                .map(|v| Violation::new(format!("document.{}", v.field), v.reason)),
        );
        process.model = model;

        // Items: new ids; parents before children, of the right kind.
        let mut ids: HashMap<&str, (String, Kind)> = HashMap::new();
        let mut items = Vec::with_capacity(doc.items.len());
        for (n, item) in doc.items.iter().enumerate() {
            let field = |f: &str| at(&format!("items[{n}].{f}"));
            let Some(kind) = Kind::parse(&item.kind) else {
                out.push(Violation::new(
                    field("kind"),
                    "must be phase, objective or task",
                ));
                continue;
            };
            let parent = if item.parent.is_empty() {
                if kind != Kind::Phase {
                    out.push(Violation::new(field("parent"), "is required below phases"));
                }
                None
            } else {
                match ids.get(item.parent.as_str()) {
                    Some((id, parent_kind)) if Some(*parent_kind) == kind.parent() => {
                        Some(id.clone())
                    }
                    _ => {
                        out.push(Violation::new(
                            field("parent"),
                            format!(
                                "`{}` is not an earlier item of the kind above a {}",
                                item.parent,
                                kind.as_str()
                            ),
                        ));
                        None
                    }
                }
            };
            let status = Status::parse(&item.status).unwrap_or_else(|| {
                out.push(Violation::new(
                    field("status"),
                    "must be awaiting, in_progress or finished",
                ));
                Status::Awaiting
            });
            crate::domain::check_text(&field("title"), &item.title, true, 200, &mut out);
            let id = uuid::Uuid::now_v7().to_string();
            if ids.insert(item.key.as_str(), (id.clone(), kind)).is_some() {
                out.push(Violation::new(
                    field("key"),
                    format!("`{}` is used twice", item.key),
                ));
            }
            items.push(ItemRow {
                id,
                process_id: process.id.clone(),
                kind,
                parent_id: parent,
                position: n as i32,
                title: item.title.clone(),
                description: item.description.clone(),
                status,
                progress: 0.0,
                prerequisites: Vec::new(),
                problem_profiles: item.problem_profiles.clone(),
                co_delivery: item.co_delivery,
                start_at: item.start_at,
                end_at: item.end_at,
                effort: item.effort,
                schema_key: item.schema_key.clone(),
                creator: subject.to_owned(),
                disabled_at: item.disabled_at,
                disabled_by: item.disabled_at.map(|_| subject.to_owned()),
                created_at: now,
                updated_at: now,
            });
        }
        // Prerequisites: siblings, no cycle.
        if out.is_empty() {
            for (n, item) in doc.items.iter().enumerate() {
                let mut wanted = Vec::new();
                for (i, key) in item.prerequisites.iter().enumerate() {
                    match ids.get(key.as_str()) {
                        Some((id, _)) => wanted.push(id.clone()),
                        None => out.push(Violation::new(
                            at(&format!("items[{n}].prerequisites[{i}]")),
                            format!("`{key}` is not an item of the document"),
                        )),
                    }
                }
                let me = &items[n];
                let siblings: BTreeMap<String, Vec<String>> = items
                    .iter()
                    .filter(|s| s.parent_id == me.parent_id && s.kind == me.kind && s.id != me.id)
                    .map(|s| (s.id.clone(), s.prerequisites.clone()))
                    .collect();
                out.extend(tree::check_prerequisites(
                    &at(&format!("items[{n}].prerequisites")),
                    &me.id,
                    &wanted,
                    &siblings,
                    |id| id.to_owned(),
                ));
                items[n].prerequisites = wanted;
            }
        }
        let task_id = |key: &str| {
            ids.get(key)
                .filter(|(_, kind)| *kind == Kind::Task)
                .map(|(id, _)| id.clone())
        };
        let mut grants = Vec::new();
        for (n, g) in doc.grants.iter().enumerate() {
            let item_id = if g.item.is_empty() {
                Some(String::new())
            } else {
                ids.get(g.item.as_str()).map(|(id, _)| id.clone())
            };
            let perms = Perms {
                access: g.access_assets,
                create: g.create_assets,
                delete: g.delete_assets,
            };
            match item_id {
                Some(item_id)
                    if interlink_runtime::api::is_canonical_uuid(&g.team) && !perms.is_empty() =>
                {
                    // A grant to a team the caller could not grant by hand
                    // (another deployment's, a private organisation's) is
                    // dropped: the rest of the plan still comes across.
                    if Self::may_grant_to(txn, caller, organization_id, &g.team).await? {
                        grants.push(GrantRow {
                            id: uuid::Uuid::now_v7().to_string(),
                            process_id: process.id.clone(),
                            team_id: g.team.clone(),
                            item_id,
                            perms,
                            granted_by: subject.to_owned(),
                            created_at: now,
                        })
                    }
                }
                _ => out.push(Violation::new(
                    at(&format!("grants[{n}]")),
                    "needs a team id, an item of the document (or none) and a permission",
                )),
            }
        }
        let mut asset_ids: HashMap<&str, (String, String)> = HashMap::new();
        let mut assets = Vec::new();
        let mut remote_calls = Vec::new();
        for (n, a) in doc.assets.iter().enumerate() {
            let Some(task) = task_id(&a.task) else {
                out.push(Violation::new(
                    at(&format!("assets[{n}].task")),
                    "is not a task of the document",
                ));
                continue;
            };
            if a.kind != "internal" && a.kind != "external" {
                out.push(Violation::new(
                    at(&format!("assets[{n}].kind")),
                    "must be internal or external",
                ));
            }
            let id = uuid::Uuid::now_v7().to_string();
            asset_ids.insert(a.key.as_str(), (id.clone(), task.clone()));
            assets.push(AssetRow {
                id,
                process_id: process.id.clone(),
                task_id: task,
                kind: a.kind.clone(),
                interlinker_id: a.interlinker.clone(),
                interlinker_nature: a.interlinker_nature.clone(),
                genesis_asset_uri: a.genesis_asset_uri.clone(),
                display_name: a.display_name.clone(),
                uri: a.uri.clone(),
                creator: subject.to_owned(),
                created_at: now,
                // What another deployment's interlinkers hold is not ours;
                // a clone's copies are made below from the sources'.
                remote: crate::store::RemoteAsset::default(),
            });
            if self.remote_calls.is_some()
                && let Some(source) = sources.get(&a.key)
                && let Some(copy) = assets.last_mut()
                && let Some((remote, call)) =
                    crate::remote::copy_call(source, copy, &process.language, subject)
            {
                copy.remote = remote;
                remote_calls.push(call);
            }
        }
        let mut claims = Vec::new();
        for (n, c) in doc.claims.iter().enumerate() {
            let (task, asset) = if c.asset.is_empty() {
                (task_id(&c.task), String::new())
            } else {
                match asset_ids.get(c.asset.as_str()) {
                    Some((asset, task)) => (Some(task.clone()), asset.clone()),
                    None => (None, String::new()),
                }
            };
            let Some(task) = task else {
                out.push(Violation::new(
                    at(&format!("claims[{n}]")),
                    "claims no task or asset of the document",
                ));
                continue;
            };
            claims.push(ClaimRow {
                id: uuid::Uuid::now_v7().to_string(),
                process_id: process.id.clone(),
                task_id: task,
                asset_id: asset,
                claim_type: c.claim_type.clone(),
                description: c.description.clone(),
                claimant: subject.to_owned(),
                state: c.state.clone(),
                decided_by: if c.decided_by.is_empty() {
                    String::new()
                } else {
                    subject.to_owned()
                },
                created_at: now,
                decided_at: c.decided_at,
            });
        }
        let mut stories = Vec::new();
        for (n, s) in doc.stories.iter().enumerate() {
            let mut v = Vec::new();
            crate::work::story_fields(
                &pb::Story {
                    title: s.title.clone(),
                    description: s.description.clone(),
                    results: s.results.clone(),
                    lessons_learned: s.lessons_learned.clone(),
                    licences: s.licences.clone(),
                    keywords: s.keywords.clone(),
                    ..Default::default()
                },
                &mut v,
            );
            out.extend(v.into_iter().map(|v| {
                Violation::new(
                    v.field.replacen("story", &at(&format!("stories[{n}]")), 1),
                    v.reason,
                )
            }));
            // Ratings are other people's: a story starts unrated here.
            stories.push(StoryRow {
                id: uuid::Uuid::now_v7().to_string(),
                process_id: process.id.clone(),
                title: s.title.clone(),
                description: s.description.clone(),
                results: s.results.clone(),
                lessons_learned: s.lessons_learned.clone(),
                licences: s.licences.clone(),
                keywords: s.keywords.clone(),
                start_at: s.start_at,
                end_at: s.end_at,
                author: subject.to_owned(),
                rating_sum: 0,
                rating_count: 0,
                published_at: s.published_at,
                shared: false,
                origin: None,
                withdrawn: false,
            });
        }
        Error::check(out)?;

        store::insert_process(txn, &process).await?;
        store::insert_items(txn, &items).await?;
        self.roll_up(txn, &mut process, &mut items).await?;
        store::update_process(txn, &process).await?;
        for g in &grants {
            store::insert_grant(txn, g).await?;
        }
        for a in &assets {
            store::insert_asset(txn, a).await?;
        }
        for call in &remote_calls {
            interlink_runtime::jobs::enqueue(txn, call).await?;
        }
        for c in &claims {
            store::save_claim(txn, c).await?;
        }
        for story in &stories {
            store::save_story(txn, story).await?;
        }
        Ok((process, items, remote_calls.len()))
    }

    /// Whether `caller` may open processes in the organisation.
    async fn may_open(
        &self,
        caller: &interlink_runtime::auth::Identity,
        organization_id: &str,
    ) -> Result<()> {
        if caller.platform_admin
            || store::belongs_to_organization(&self.db, organization_id, &caller.subject).await?
        {
            Ok(())
        } else {
            Err(Error::Denied(format!(
                "only members and administrators of organizations/{organization_id} open processes \
                 in it (as far as co-production has learnt from the community service)"
            )))
        }
    }

    /// The document of `process` that goes to other deployments with a
    /// shared story: its fields and enabled tree, statuses reset, without
    /// people, grants, assets, claims, stories or its local schema.
    pub(crate) async fn shared_document(
        &self,
        db: &impl ConnectionTrait,
        process: &ProcessRow,
    ) -> Result<String> {
        let mut doc = self
            .document(
                db,
                process,
                Contents {
                    disabled_items: false,
                    statuses: false,
                    grants: false,
                    assets: false,
                    work: false,
                },
            )
            .await?;
        for item in &mut doc.items {
            item.creator = String::new();
        }
        doc.process.schema = String::new();
        doc.process.schema_version = 0;
        serde_json::to_string(&doc).map_err(|e| Error::Store(sea_orm::DbErr::Custom(e.to_string())))
    }

    /// Whether `json` is a document this version reads: a mirrored story's
    /// process is checked before it is kept.
    pub(crate) fn readable_document(json: &str) -> std::result::Result<(), String> {
        let doc: Document = serde_json::from_str(json).map_err(|e| e.to_string())?;
        if doc.format == FORMAT {
            Ok(())
        } else {
            Err(format!("format `{}`, not `{FORMAT}`", doc.format))
        }
    }

    pub(crate) async fn adopt_story_(
        &self,
        request: Request<pb::AdoptStoryRequest>,
    ) -> Result<pb::ProcessTree> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.get_ref();
        let mut violations = Vec::new();
        let id = parse_name("name", "stories", &r.name)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        let organization = parse_name("organization", "organizations", &r.organization)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        Error::check(violations)?;
        let (id, organization) = (id.unwrap_or_default(), organization.unwrap_or_default());
        let story = store::story(&self.db, &id)
            .await?
            .ok_or_else(|| Error::NotFound(r.name.clone()))?;
        let Some(origin) = story.origin.clone() else {
            return Err(Error::Precondition(format!(
                "{} is this deployment's own story: clone its process instead",
                r.name
            )));
        };
        if story.withdrawn {
            return Err(Error::Precondition(format!(
                "{} is no longer shared by {}",
                r.name, origin.deployment
            )));
        }
        self.may_open(&caller, &organization).await?;
        let json = store::mirrored_story_document(&self.db, &id)
            .await?
            .unwrap_or_default();
        let doc: Document = serde_json::from_str(&json).map_err(|e| {
            Error::Precondition(format!("{}: its process does not read here: {e}", r.name))
        })?;
        let txn = begin_write(&self.db).await?;
        let (mut process, items, _) = self
            .materialize(&txn, &doc, &organization, &caller, "", &HashMap::new())
            .await?;
        process.provenance.adopted_from = id.clone();
        process.provenance.adopted_origin = Some(origin);
        store::update_process(&txn, &process).await?;
        let tree = Self::tree(&process, &items);
        let events = [
            self.event(
                PROCESS_IMPORTED,
                &caller.subject,
                &process,
                &process.id,
                process.version,
                &pb::ProcessImported {
                    tree: Some(tree.clone()),
                },
            )?,
            self.event(
                STORY_ADOPTED,
                &caller.subject,
                &process,
                &id,
                process.version,
                &pb::StoryAdopted {
                    story: Some(crate::work::story_to(&story)),
                    process: process_name(&process.id),
                },
            )?,
        ];
        self.commit(txn, &events).await?;
        Ok(tree)
    }

    pub(crate) async fn export_process_(
        &self,
        request: Request<pb::ExportProcessRequest>,
    ) -> Result<pb::ProcessDocument> {
        let id = parse_name("name", "processes", &request.get_ref().name)?.to_owned();
        let (process, _) = self.administered(&self.db, &request, &id).await?;
        let doc = self
            .document(
                &self.db,
                &process,
                Contents {
                    disabled_items: true,
                    statuses: true,
                    grants: true,
                    assets: true,
                    work: true,
                },
            )
            .await?;
        Ok(pb::ProcessDocument {
            format: FORMAT.to_owned(),
            json: serde_json::to_string_pretty(&doc)
                .map_err(|e| Error::Store(sea_orm::DbErr::Custom(e.to_string())))?,
        })
    }

    pub(crate) async fn import_process_(
        &self,
        request: Request<pb::ImportProcessRequest>,
    ) -> Result<pb::ProcessTree> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.get_ref();
        let mut violations = Vec::new();
        let organization = parse_name("organization", "organizations", &r.organization)
            .map_err(|v| violations.push(v))
            .ok()
            .map(str::to_owned);
        let document = r.document.clone().unwrap_or_default();
        if r.document.is_none() {
            violations.push(Violation::new("document", "is required"));
        } else if document.format != FORMAT {
            violations.push(Violation::new(
                "document.format",
                format!("must be `{FORMAT}`, the format this version reads"),
            ));
        }
        let doc: Option<Document> = if violations.is_empty() {
            match serde_json::from_str(&document.json) {
                Ok(doc) => Some(doc),
                Err(e) => {
                    violations.push(Violation::new(
                        "document.json",
                        format!("is not a process document: {e}"),
                    ));
                    None
                }
            }
        } else {
            None
        };
        Error::check(violations)?;
        let (organization, doc) = (
            organization.unwrap_or_default(),
            doc.ok_or_else(|| Error::invalid("document", "is required"))?,
        );
        self.may_open(&caller, &organization).await?;
        let txn = begin_write(&self.db).await?;
        let (process, items, _) = self
            .materialize(&txn, &doc, &organization, &caller, "", &HashMap::new())
            .await?;
        let tree = Self::tree(&process, &items);
        let event = self.event(
            PROCESS_IMPORTED,
            &caller.subject,
            &process,
            &process.id,
            process.version,
            &pb::ProcessImported {
                tree: Some(tree.clone()),
            },
        )?;
        self.commit(txn, &[event]).await?;
        Ok(tree)
    }

    pub(crate) async fn clone_process_(
        &self,
        request: Request<pb::CloneProcessRequest>,
    ) -> Result<pb::ProcessTree> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.get_ref();
        let id = parse_name("name", "processes", &r.name)?.to_owned();
        // The request is checked before anything is looked up.
        let mut violations = Vec::new();
        let title = interlink_runtime::validation::check_line(
            "title",
            &r.title,
            false,
            MAX_TITLE_CHARS,
            &mut violations,
        );
        if !violations.is_empty() {
            return Err(Error::Invalid(violations));
        }
        let source = self.visible(&request, &id).await?;
        self.may_open(&caller, &source.organization_id).await?;
        let mut doc = self
            .document(
                &self.db,
                &source,
                Contents {
                    disabled_items: false,
                    statuses: false,
                    grants: r.include_grants,
                    assets: true,
                    work: false,
                },
            )
            .await?;
        doc.process.title = if title.is_empty() {
            copy_title(&source.title)
        } else {
            title
        };
        // The document names the source's assets `a0`, `a1` … in this
        // order: their copies are made from them on their interlinkers.
        let sources: HashMap<String, AssetRow> = store::assets(&self.db, &id)
            .await?
            .into_iter()
            .enumerate()
            .map(|(n, a)| (format!("a{n}"), a))
            .collect();
        let txn = begin_write(&self.db).await?;
        let (process, items, remote_calls) = self
            .materialize(&txn, &doc, &source.organization_id, &caller, &id, &sources)
            .await?;
        let tree = Self::tree(&process, &items);
        let event = self.event(
            PROCESS_CLONED,
            &caller.subject,
            &process,
            &process.id,
            process.version,
            &pb::ProcessCloned {
                tree: Some(tree.clone()),
                source: process_name(&id),
            },
        )?;
        self.commit(txn, &[event]).await?;
        if remote_calls > 0 {
            self.wake_remote_calls();
        }
        Ok(tree)
    }
}

/// The default title of a clone: the source's with " (copy)", the source's
/// shortened where both would pass [`MAX_TITLE_CHARS`].
fn copy_title(source: &str) -> String {
    const SUFFIX: &str = " (copy)";
    let room = MAX_TITLE_CHARS - SUFFIX.chars().count();
    let kept: String = source.chars().take(room).collect();
    format!("{}{SUFFIX}", kept.trim_end())
}
