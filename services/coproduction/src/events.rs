//! What the co-production service publishes, and the projections it keeps
//! of the community's and the catalogue's events.

use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::community::v1 as community;
use interlink_proto::events::v1::Event;
use interlink_runtime::api::id_in as id_of;
use interlink_runtime::events::{EventHandler, EventType};
use sea_orm::DatabaseTransaction;

use crate::store::{self, InterlinkerRow, SchemaItem, SchemaVersionRow};

/// The service token of every subject.
pub const SERVICE: &str = "coproduction";

/// A process was created.
pub const PROCESS_CREATED: EventType = EventType::new(SERVICE, "process", "created");
/// A process's fields or administrators changed.
pub const PROCESS_UPDATED: EventType = EventType::new(SERVICE, "process", "updated");
/// A process was deleted.
pub const PROCESS_DELETED: EventType = EventType::new(SERVICE, "process", "deleted");
/// A process's tree was built from a schema.
pub const SCHEMA_SET: EventType = EventType::new(SERVICE, "process", "schema_set");
/// A process's tree was removed.
pub const SCHEMA_CLEARED: EventType = EventType::new(SERVICE, "process", "schema_cleared");
/// An item was added by hand.
pub const ITEM_ADDED: EventType = EventType::new(SERVICE, "item", "added");
/// An item was copied with its subtree.
pub const ITEM_COPIED: EventType = EventType::new(SERVICE, "item", "copied");
/// An item changed.
pub const ITEM_UPDATED: EventType = EventType::new(SERVICE, "item", "updated");
/// An item (and everything under it) was disabled.
pub const ITEM_DISABLED: EventType = EventType::new(SERVICE, "item", "disabled");
/// A task's status changed, with the roll-up.
pub const TASK_STATUS_CHANGED: EventType = EventType::new(SERVICE, "task", "status_changed");
/// A team was granted permissions.
pub const GRANT_ADDED: EventType = EventType::new(SERVICE, "grant", "added");
/// A grant was withdrawn.
pub const GRANT_REMOVED: EventType = EventType::new(SERVICE, "grant", "removed");
/// An asset was added to a task.
pub const ASSET_ADDED: EventType = EventType::new(SERVICE, "asset", "added");
/// An asset was removed.
pub const ASSET_REMOVED: EventType = EventType::new(SERVICE, "asset", "removed");
/// A claim of work was submitted.
pub const CLAIM_SUBMITTED: EventType = EventType::new(SERVICE, "claim", "submitted");
/// People or teams were asked to contribute.
pub const CONTRIBUTION_REQUESTED: EventType = EventType::new(SERVICE, "contribution", "requested");
/// A claim was accepted or rejected.
pub const CLAIM_DECIDED: EventType = EventType::new(SERVICE, "claim", "decided");
/// A story was published.
pub const STORY_PUBLISHED: EventType = EventType::new(SERVICE, "story", "published");
/// A story was rated.
pub const STORY_RATED: EventType = EventType::new(SERVICE, "story", "rated");
/// A story became shared, stopped being shared, or changed while shared.
pub const STORY_SHARING_CHANGED: EventType = EventType::new(SERVICE, "story", "sharing_changed");
/// A process was made from a mirrored story.
pub const STORY_ADOPTED: EventType = EventType::new(SERVICE, "story", "adopted");
/// A process was cloned from another.
pub const PROCESS_CLONED: EventType = EventType::new(SERVICE, "process", "cloned");
/// A process was imported from a document.
pub const PROCESS_IMPORTED: EventType = EventType::new(SERVICE, "process", "imported");

/// Keeps the projections: teams and memberships and organisation
/// administrators (community), published schema versions and interlinkers
/// (catalogue). Every effect is an upsert or a delete keyed by the
/// event's ids, so a replay from the start rebuilds the same tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct Projections;

fn team_type(value: i32) -> String {
    community::TeamType::try_from(value)
        .map(|t| {
            t.as_str_name()
                .trim_start_matches("TEAM_TYPE_")
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

fn payload<M: prost::Name + Default>(event: &Event) -> anyhow::Result<M> {
    interlink_runtime::events::payload(event).ok_or_else(|| {
        anyhow::anyhow!(
            "event {} ({}) has no readable payload",
            event.id,
            event.r#type
        )
    })
}

impl EventHandler for Projections {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        // The event type without the subject root: `community.team.created`.
        match event.r#type.as_str() {
            "community.organization.created" => {
                let e: community::OrganizationCreated = payload(event)?;
                let public = e.organization.is_some_and(|o| o.public);
                store::set_organization_public(txn, &event.aggregate_id, public).await?;
                // The creator is its first administrator.
                if let Some(actor) = &event.actor {
                    store::set_organization_administrator(
                        txn,
                        &event.aggregate_id,
                        &actor.subject,
                        true,
                    )
                    .await?;
                }
            }
            "community.organization.updated" => {
                let e: community::OrganizationUpdated = payload(event)?;
                let public = e.organization.is_some_and(|o| o.public);
                store::set_organization_public(txn, &event.aggregate_id, public).await?;
            }
            "community.organization.administrator_added" => {
                let e: community::OrganizationAdministratorAdded = payload(event)?;
                let org = id_of(&e.organization, "organizations");
                store::set_organization_administrator(txn, org, &e.subject, true).await?;
            }
            "community.organization.administrator_removed" => {
                let e: community::OrganizationAdministratorRemoved = payload(event)?;
                let org = id_of(&e.organization, "organizations");
                store::set_organization_administrator(txn, org, &e.subject, false).await?;
            }
            "community.organization.deleted" => {
                let e: community::OrganizationDeleted = payload(event)?;
                store::forget_organization(txn, id_of(&e.organization, "organizations")).await?;
                for team in &e.cascaded_teams {
                    store::delete_team(txn, id_of(team, "teams")).await?;
                }
            }
            "community.team.created" | "community.team.updated" => {
                let team = if event.r#type.ends_with("created") {
                    payload::<community::TeamCreated>(event)?.team
                } else {
                    payload::<community::TeamUpdated>(event)?.team
                };
                if let Some(team) = team {
                    store::upsert_team(
                        txn,
                        id_of(&team.name, "teams"),
                        id_of(&team.organization, "organizations"),
                        &team_type(team.r#type),
                    )
                    .await?;
                }
            }
            "community.team.deleted" => {
                let e: community::TeamDeleted = payload(event)?;
                store::delete_team(txn, id_of(&e.team, "teams")).await?;
            }
            "community.team.member_added" => {
                let e: community::TeamMemberAdded = payload(event)?;
                if let Some(member) = e.member {
                    let team = id_of(&member.team, "teams");
                    // The team is known from its creation; recorded again in
                    // case this consumer started after it.
                    store::upsert_team(
                        txn,
                        team,
                        id_of(&e.organization, "organizations"),
                        &team_type(e.team_type),
                    )
                    .await?;
                    store::add_member(txn, team, &member.subject).await?;
                }
            }
            "community.team.member_removed" => {
                let e: community::TeamMemberRemoved = payload(event)?;
                store::remove_member(txn, id_of(&e.team, "teams"), &e.subject).await?;
            }
            "community.user.registered" => {
                let e: community::UserRegistered = payload(event)?;
                if let Some(user) = e.user {
                    store::remember_user(txn, id_of(&user.name, "users"), &user.subject).await?;
                }
            }
            "community.user.erased" => {
                let e: community::UserErased = payload(event)?;
                store::forget_subject(txn, &e.subject).await?;
            }
            "catalogue.schema.version_published" => {
                let e: catalogue::SchemaVersionPublished = payload(event)?;
                if let Some(version) = e.version {
                    store::upsert_schema_version(txn, &schema_version(&version)).await?;
                }
            }
            "catalogue.interlinker.published"
            | "catalogue.interlinker.updated"
            | "catalogue.interlinker.deprecated" => {
                let interlinker = match event.r#type.rsplit('.').next() {
                    Some("published") => {
                        payload::<catalogue::InterlinkerPublished>(event)?.interlinker
                    }
                    Some("updated") => payload::<catalogue::InterlinkerUpdated>(event)?.interlinker,
                    _ => payload::<catalogue::InterlinkerDeprecated>(event)?.interlinker,
                };
                if let Some(i) = interlinker {
                    store::upsert_interlinker(txn, &interlinker_row(&i, event.aggregate_version))
                        .await?;
                }
            }
            // Everything else of these services is of no use here.
            _ => {}
        }
        Ok(())
    }
}

fn text(value: &Option<interlink_proto::common::v1::TranslatableText>) -> crate::domain::Text {
    value.as_ref().map(|t| t.values.clone()).unwrap_or_default()
}

fn schema_version(version: &catalogue::SchemaVersion) -> SchemaVersionRow {
    SchemaVersionRow {
        schema_id: id_of(&version.schema, "schemas").to_owned(),
        version: version.version,
        title: text(&version.title),
        items: version
            .items
            .iter()
            .map(|item| SchemaItem {
                key: item.key.clone(),
                kind: catalogue::ItemKind::try_from(item.kind)
                    .map(|k| {
                        k.as_str_name()
                            .trim_start_matches("ITEM_KIND_")
                            .to_ascii_lowercase()
                    })
                    .unwrap_or_default(),
                parent: item.parent.clone(),
                title: text(&item.title),
                description: text(&item.description),
                prerequisites: item.prerequisites.clone(),
                problem_profiles: item.problem_profiles.clone(),
                co_delivery: item.co_delivery,
            })
            .collect(),
        origin: version.origin.as_ref().map(crate::convert::origin_from),
    }
}

fn interlinker_row(i: &catalogue::Interlinker, version: u64) -> InterlinkerRow {
    let (software_interlinker, genesis_assets) = match &i.details {
        Some(catalogue::interlinker::Details::Knowledge(k)) => (
            id_of(&k.software_interlinker, "interlinkers").to_owned(),
            k.genesis_assets.clone(),
        ),
        _ => (String::new(), Default::default()),
    };
    let label = |name: &str, prefix: &str| name.trim_start_matches(prefix).to_ascii_lowercase();
    let (endpoint_uri, capabilities) = match &i.details {
        Some(catalogue::interlinker::Details::Software(software)) => (
            software.endpoint_uri.trim_end_matches('/').to_owned(),
            software
                .capabilities
                .iter()
                .filter_map(|c| catalogue::Capability::try_from(*c).ok())
                .map(|c| label(c.as_str_name(), "CAPABILITY_"))
                .collect(),
        ),
        _ => (String::new(), Vec::new()),
    };
    InterlinkerRow {
        id: id_of(&i.name, "interlinkers").to_owned(),
        nature: label(
            catalogue::Nature::try_from(i.nature)
                .map(|n| n.as_str_name())
                .unwrap_or(""),
            "NATURE_",
        ),
        state: label(
            catalogue::InterlinkerState::try_from(i.state)
                .map(|s| s.as_str_name())
                .unwrap_or(""),
            "INTERLINKER_STATE_",
        ),
        title: text(&i.title),
        problem_profiles: i.problem_profiles.clone(),
        software_interlinker,
        genesis_assets,
        endpoint_uri,
        capabilities,
        version: version as i64,
    }
}
