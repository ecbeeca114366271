//! The adoption KPIs of DOMAIN.md, kept live: each event adds its effects
//! to running totals and to the day's change, per organisation and for the
//! platform (scope ''). A rebuild applies the stored events again, from the
//! first, through the same function.

use std::collections::HashMap;

use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::community::v1 as community;
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::events::v1::Event;
use interlink_runtime::api::id_in as id_of;
use interlink_runtime::db::{run, statement};
use interlink_runtime::events::payload;
use sea_orm::{ConnectionTrait, DbErr};

use crate::trail::occurred_ms;

/// The KPIs, by name.
pub const KPIS: &[&str] = &[
    "registered_users",
    "organizations",
    "teams",
    "participants",
    "processes",
    "processes_per_schema",
    "cloned_processes",
    "co_delivered_processes",
    "assets",
    "assets_per_process",
    "interlinkers_used",
    "interlinker_use",
    "interlinkers_published",
    "claims",
    "claims_accepted",
    "stories",
    "cross_deployment_reuse",
];

/// The process (id) a co-production event concerns, if any.
pub fn process_of(event: &Event) -> Option<String> {
    use coproduction as c;
    let name: Option<String> = match event.r#type.as_str() {
        "coproduction.process.created" => {
            payload::<c::ProcessCreated>(event)?.process.map(|p| p.name)
        }
        "coproduction.process.updated" => {
            payload::<c::ProcessUpdated>(event)?.process.map(|p| p.name)
        }
        "coproduction.process.deleted" => Some(payload::<c::ProcessDeleted>(event)?.process),
        "coproduction.process.schema_set" => payload::<c::ProcessSchemaSet>(event)?
            .tree
            .and_then(|t| t.process)
            .map(|p| p.name),
        "coproduction.process.schema_cleared" => payload::<c::ProcessSchemaCleared>(event)?
            .process
            .map(|p| p.name),
        "coproduction.process.cloned" => payload::<c::ProcessCloned>(event)?
            .tree
            .and_then(|t| t.process)
            .map(|p| p.name),
        "coproduction.process.imported" => payload::<c::ProcessImported>(event)?
            .tree
            .and_then(|t| t.process)
            .map(|p| p.name),
        "coproduction.item.added" => payload::<c::ItemAdded>(event)?.item.map(|i| i.process),
        "coproduction.item.updated" => payload::<c::ItemUpdated>(event)?.item.map(|i| i.process),
        "coproduction.item.disabled" => payload::<c::ItemDisabled>(event)?.item.map(|i| i.process),
        "coproduction.item.copied" => payload::<c::ItemCopied>(event)?.item.map(|i| i.process),
        "coproduction.task.status_changed" => Some(payload::<c::TaskStatusChanged>(event)?.process),
        "coproduction.grant.added" => Some(payload::<c::GrantAdded>(event)?.process),
        "coproduction.grant.removed" => Some(payload::<c::GrantRemoved>(event)?.process),
        "coproduction.asset.added" => payload::<c::AssetAdded>(event)?.asset.map(|a| a.process),
        "coproduction.asset.removed" => payload::<c::AssetRemoved>(event)?.asset.map(|a| a.process),
        "coproduction.claim.submitted" => payload::<c::ClaimSubmitted>(event)?
            .claim
            .map(|c| c.name.split("/claims/").next().unwrap_or("").to_owned()),
        "coproduction.claim.decided" => payload::<c::ClaimDecided>(event)?
            .claim
            .map(|c| c.name.split("/claims/").next().unwrap_or("").to_owned()),
        "coproduction.story.published" => payload::<c::StoryPublished>(event)?
            .story
            .map(|s| s.process),
        "coproduction.story.rated" => payload::<c::StoryRated>(event)?.story.map(|s| s.process),
        _ => None,
    };
    name.map(|n| id_of(&n, "processes").to_owned())
        .filter(|id| !id.is_empty())
}

/// The UTC day (`YYYY-MM-DD`) of Unix ms.
pub fn day(ms: i64) -> String {
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = ms.div_euclid(86_400_000) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The KPI days and process activity a batch of events changes, written
/// together by [`Changes::flush`] (one statement per hundred rows).
#[derive(Debug, Default)]
pub struct Changes {
    days: HashMap<(String, String, String, String), i64>,
    activity: HashMap<(String, String), (String, i64)>,
}

impl Changes {
    /// Adds `delta` to a KPI's day in the organisation's scope and the
    /// platform's.
    fn bump(&mut self, organization_id: &str, kpi: &str, dimension: &str, delta: i64, day: &str) {
        let scopes: &[&str] = if organization_id.is_empty() {
            &[""]
        } else {
            &[organization_id, ""]
        };
        for scope in scopes {
            *self
                .days
                .entry((
                    (*scope).to_owned(),
                    kpi.to_owned(),
                    dimension.to_owned(),
                    day.to_owned(),
                ))
                .or_default() += delta;
        }
    }

    fn seen(&mut self, process_id: &str, organization_id: &str, actor: &str, at: i64) {
        let slot = self
            .activity
            .entry((process_id.to_owned(), actor.to_owned()))
            .or_insert_with(|| (organization_id.to_owned(), at));
        slot.1 = slot.1.max(at);
    }

    /// Writes the accumulated changes in `txn`.
    pub async fn flush(self, txn: &impl ConnectionTrait) -> Result<(), DbErr> {
        let days: Vec<_> = self.days.into_iter().collect();
        for chunk in days.chunks(100) {
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 5);
            let rows: Vec<String> = chunk
                .iter()
                .map(|((scope, kpi, dimension, day), delta)| {
                    let n = values.len();
                    values.extend([
                        scope.clone().into(),
                        kpi.clone().into(),
                        dimension.clone().into(),
                        day.clone().into(),
                        (*delta).into(),
                    ]);
                    format!(
                        "(${}, ${}, ${}, ${}, ${})",
                        n + 1,
                        n + 2,
                        n + 3,
                        n + 4,
                        n + 5
                    )
                })
                .collect();
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                txn.get_database_backend(),
                format!(
                    "INSERT INTO kpi_daily (scope, kpi, dimension, day, delta) VALUES {} \
                     ON CONFLICT (scope, kpi, dimension, day) \
                     DO UPDATE SET delta = kpi_daily.delta + excluded.delta",
                    rows.join(", ")
                ),
                values,
            ))
            .await?;
        }
        let activity: Vec<_> = self.activity.into_iter().collect();
        for chunk in activity.chunks(100) {
            let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 4);
            let rows: Vec<String> = chunk
                .iter()
                .map(|((process, actor), (organization, at))| {
                    let n = values.len();
                    values.extend([
                        process.clone().into(),
                        organization.clone().into(),
                        actor.clone().into(),
                        (*at).into(),
                    ]);
                    format!("(${}, ${}, ${}, ${})", n + 1, n + 2, n + 3, n + 4)
                })
                .collect();
            txn.execute_raw(sea_orm::Statement::from_sql_and_values(
                txn.get_database_backend(),
                format!(
                    "INSERT INTO process_activity (process_id, organization_id, actor_pseudonym, \
                     last_seen) VALUES {} ON CONFLICT (process_id, actor_pseudonym) \
                     DO UPDATE SET last_seen = CASE WHEN process_activity.last_seen > \
                     excluded.last_seen THEN process_activity.last_seen ELSE excluded.last_seen END",
                    rows.join(", ")
                ),
                values,
            ))
            .await?;
        }
        Ok(())
    }
}

fn team_type(value: i32) -> String {
    community::TeamType::try_from(value)
        .map(|t| {
            t.as_str_name()
                .trim_start_matches("TEAM_TYPE_")
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// What monitoring remembers of a team. Events of one team may arrive in
/// any order (a redelivery after a crash comes after newer events), so
/// whichever comes first makes the row and the flags say which facts were
/// seen: a team counts once created and until deleted, and a deletion is
/// kept (a tombstone) so a late creation or membership does not revive it.
#[derive(Debug, Clone)]
struct TeamRow {
    organization_id: String,
    team_type: String,
    created: bool,
    deleted: bool,
}

async fn team(txn: &impl ConnectionTrait, team_id: &str) -> Result<Option<TeamRow>, DbErr> {
    txn.query_one_raw(statement(
        txn,
        "SELECT organization_id, team_type, created, deleted FROM m_teams WHERE team_id = $1",
        [team_id.into()],
    ))
    .await?
    .map(|r| {
        Ok(TeamRow {
            organization_id: r.try_get("", "organization_id")?,
            team_type: r.try_get("", "team_type")?,
            created: r.try_get("", "created")?,
            deleted: r.try_get("", "deleted")?,
        })
    })
    .transpose()
}

async fn save_team(txn: &impl ConnectionTrait, team_id: &str, row: &TeamRow) -> Result<(), DbErr> {
    run(
        txn,
        "INSERT INTO m_teams (team_id, organization_id, team_type, created, deleted) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (team_id) DO UPDATE SET \
         organization_id = excluded.organization_id, team_type = excluded.team_type, \
         created = excluded.created, deleted = excluded.deleted",
        [
            team_id.into(),
            row.organization_id.clone().into(),
            row.team_type.clone().into(),
            row.created.into(),
            row.deleted.into(),
        ],
    )
    .await?;
    Ok(())
}

/// What monitoring remembers of a process, in any order of its events (see
/// [`TeamRow`]): created and deleted are facts, the schema is the one of
/// the newest version seen, co-delivery once seen stays.
#[derive(Debug, Clone, Default)]
struct ProcessRow {
    organization_id: String,
    schema_id: String,
    schema_version: i64,
    co_delivered: bool,
    created: bool,
    deleted: bool,
}

impl ProcessRow {
    /// The KPI entries (kpi, dimension) the process counts in.
    fn counts(&self) -> Vec<(&'static str, String)> {
        if !self.created || self.deleted {
            return Vec::new();
        }
        let mut counts = vec![("processes", String::new())];
        if !self.schema_id.is_empty() {
            counts.push(("processes_per_schema", self.schema_id.clone()));
        }
        if self.co_delivered {
            counts.push(("co_delivered_processes", String::new()));
        }
        counts
    }

    /// Takes `schema` unless the schema it has is of a newer version.
    fn schema_at(&mut self, schema: &str, version: u64) {
        let version = version as i64;
        if version >= self.schema_version {
            self.schema_id = schema.to_owned();
            self.schema_version = version;
        }
    }
}

async fn process_row(txn: &impl ConnectionTrait, id: &str) -> Result<Option<ProcessRow>, DbErr> {
    txn.query_one_raw(statement(
        txn,
        "SELECT organization_id, schema_id, schema_version, co_delivered, created, deleted \
         FROM m_processes WHERE process_id = $1",
        [id.into()],
    ))
    .await?
    .map(|r| {
        Ok(ProcessRow {
            organization_id: r.try_get("", "organization_id")?,
            schema_id: r.try_get("", "schema_id")?,
            schema_version: r.try_get("", "schema_version")?,
            co_delivered: r.try_get("", "co_delivered")?,
            created: r.try_get("", "created")?,
            deleted: r.try_get("", "deleted")?,
        })
    })
    .transpose()
}

/// Applies `change` to what monitoring remembers of process `id` and bumps
/// the KPIs by the difference it makes (so the totals do not depend on the
/// order the process's events arrive in).
async fn change_process(
    txn: &impl ConnectionTrait,
    changes: &mut Changes,
    id: &str,
    organization_id: &str,
    day: &str,
    change: impl FnOnce(&mut ProcessRow),
) -> Result<(), DbErr> {
    let existing = process_row(txn, id).await?;
    let before = existing
        .as_ref()
        .map(ProcessRow::counts)
        .unwrap_or_default();
    let mut row = existing.unwrap_or_else(|| ProcessRow {
        organization_id: organization_id.to_owned(),
        ..ProcessRow::default()
    });
    if row.organization_id.is_empty() {
        row.organization_id = organization_id.to_owned();
    }
    change(&mut row);
    let after = row.counts();
    for (kpi, dimension) in &before {
        if !after.contains(&(kpi, dimension.clone())) {
            changes.bump(&row.organization_id, kpi, dimension, -1, day);
        }
    }
    for (kpi, dimension) in &after {
        if !before.contains(&(kpi, dimension.clone())) {
            changes.bump(&row.organization_id, kpi, dimension, 1, day);
        }
    }
    run(
        txn,
        "INSERT INTO m_processes (process_id, organization_id, schema_id, schema_version, \
         co_delivered, created, deleted) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (process_id) DO UPDATE SET organization_id = excluded.organization_id, \
         schema_id = excluded.schema_id, schema_version = excluded.schema_version, \
         co_delivered = excluded.co_delivered, created = excluded.created, \
         deleted = excluded.deleted",
        [
            id.into(),
            row.organization_id.clone().into(),
            row.schema_id.clone().into(),
            row.schema_version.into(),
            row.co_delivered.into(),
            row.created.into(),
            row.deleted.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A process created, cloned or imported, as its event's `tree` says.
async fn process_created(
    txn: &impl ConnectionTrait,
    changes: &mut Changes,
    event: &Event,
    tree: Option<coproduction::ProcessTree>,
    day: &str,
) -> Result<(), DbErr> {
    let Some(p) = tree.and_then(|t| t.process) else {
        return Ok(());
    };
    let id = id_of(&p.name, "processes").to_owned();
    let schema = id_of(&p.schema, "schemas").to_owned();
    let version = event.aggregate_version;
    change_process(txn, changes, &id, &event.organization_id, day, |row| {
        row.created = true;
        row.schema_at(&schema, version);
    })
    .await
}

/// Applies the KPI effects of `event`; `actor` is the actor's pseudonym.
pub async fn apply(
    txn: &impl ConnectionTrait,
    changes: &mut Changes,
    event: &Event,
    actor: &str,
    process_id: Option<&str>,
) -> Result<(), DbErr> {
    let at = occurred_ms(event);
    let day = day(at);
    let day = day.as_str();
    let org = event.organization_id.as_str();
    if let Some(process_id) = process_id {
        changes.seen(process_id, org, actor, at);
    }
    match event.r#type.as_str() {
        "community.user.registered" => changes.bump("", "registered_users", "", 1, day),
        "community.organization.created" => {
            changes.bump("", "organizations", "", 1, day);
            if let Some(actor) = &event.actor {
                run(
                    txn,
                    "INSERT INTO m_organization_administrators (organization_id, subject) \
                     VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    [
                        event.aggregate_id.clone().into(),
                        actor.subject.clone().into(),
                    ],
                )
                .await?;
            }
        }
        "community.organization.administrator_added" => {
            if let Some(e) = payload::<community::OrganizationAdministratorAdded>(event) {
                run(
                    txn,
                    "INSERT INTO m_organization_administrators (organization_id, subject) \
                     VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    [
                        id_of(&e.organization, "organizations").into(),
                        e.subject.into(),
                    ],
                )
                .await?;
            }
        }
        "community.organization.administrator_removed" => {
            if let Some(e) = payload::<community::OrganizationAdministratorRemoved>(event) {
                run(
                    txn,
                    "DELETE FROM m_organization_administrators WHERE organization_id = $1 \
                     AND subject = $2",
                    [
                        id_of(&e.organization, "organizations").into(),
                        e.subject.into(),
                    ],
                )
                .await?;
            }
        }
        "community.team.created" => {
            if let Some(t) = payload::<community::TeamCreated>(event).and_then(|e| e.team) {
                let id = id_of(&t.name, "teams").to_owned();
                let existing = team(txn, &id).await?;
                let was_counted = existing.as_ref().is_some_and(|r| r.created && !r.deleted);
                let deleted = existing.as_ref().is_some_and(|r| r.deleted);
                let row = TeamRow {
                    organization_id: id_of(&t.organization, "organizations").to_owned(),
                    team_type: team_type(t.r#type),
                    created: true,
                    deleted,
                };
                save_team(txn, &id, &row).await?;
                if !was_counted && !deleted {
                    changes.bump(&row.organization_id, "teams", &row.team_type, 1, day);
                }
            }
        }
        "community.team.deleted" => {
            if let Some(e) = payload::<community::TeamDeleted>(event) {
                let id = id_of(&e.team, "teams");
                let mut row = team(txn, id).await?.unwrap_or_else(|| TeamRow {
                    organization_id: org.to_owned(),
                    team_type: String::new(),
                    created: false,
                    deleted: false,
                });
                if !row.deleted {
                    if row.created {
                        changes.bump(&row.organization_id, "teams", &row.team_type, -1, day);
                    }
                    let members = txn
                        .query_all_raw(statement(
                            txn,
                            "SELECT subject FROM m_members WHERE team_id = $1",
                            [id.into()],
                        ))
                        .await?
                        .len() as i64;
                    if members > 0 {
                        changes.bump(
                            &row.organization_id,
                            "participants",
                            &row.team_type,
                            -members,
                            day,
                        );
                    }
                    run(txn, "DELETE FROM m_members WHERE team_id = $1", [id.into()]).await?;
                    row.deleted = true;
                    save_team(txn, id, &row).await?;
                }
            }
        }
        "community.team.member_added" => {
            if let Some(e) = payload::<community::TeamMemberAdded>(event)
                && let Some(m) = e.member
            {
                let id = id_of(&m.team, "teams");
                let known = team(txn, id).await?;
                if known.as_ref().is_some_and(|r| r.deleted) {
                    return Ok(());
                }
                let row = known.unwrap_or_else(|| TeamRow {
                    organization_id: id_of(&e.organization, "organizations").to_owned(),
                    team_type: team_type(e.team_type),
                    created: false,
                    deleted: false,
                });
                save_team(txn, id, &row).await?;
                // Also sent when a member's role changes: count newcomers.
                let joined = run(
                    txn,
                    "INSERT INTO m_members (team_id, subject) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    [id.into(), m.subject.into()],
                )
                .await?;
                if joined == 1 {
                    changes.bump(&row.organization_id, "participants", &row.team_type, 1, day);
                }
            }
        }
        "community.team.member_removed" => {
            if let Some(e) = payload::<community::TeamMemberRemoved>(event) {
                let id = id_of(&e.team, "teams");
                if let Some(row) = team(txn, id).await?
                    && !row.deleted
                {
                    let left = run(
                        txn,
                        "DELETE FROM m_members WHERE team_id = $1 AND subject = $2",
                        [id.into(), e.subject.into()],
                    )
                    .await?;
                    if left == 1 {
                        changes.bump(
                            &row.organization_id,
                            "participants",
                            &row.team_type,
                            -1,
                            day,
                        );
                    }
                }
            }
        }
        "coproduction.process.created" => {
            let p = payload::<coproduction::ProcessCreated>(event).and_then(|e| e.process);
            let tree = p.map(|p| coproduction::ProcessTree {
                process: Some(p),
                items: Vec::new(),
            });
            process_created(txn, changes, event, tree, day).await?;
        }
        "coproduction.process.cloned" => {
            let tree = payload::<coproduction::ProcessCloned>(event).and_then(|e| e.tree);
            process_created(txn, changes, event, tree, day).await?;
            changes.bump(org, "cloned_processes", "", 1, day);
        }
        "coproduction.process.imported" => {
            let tree = payload::<coproduction::ProcessImported>(event).and_then(|e| e.tree);
            process_created(txn, changes, event, tree, day).await?;
        }
        "coproduction.process.deleted" => {
            if let Some(id) = process_id {
                change_process(txn, changes, id, org, day, |row| row.deleted = true).await?;
            }
        }
        "coproduction.process.schema_set" => {
            let process = payload::<coproduction::ProcessSchemaSet>(event)
                .and_then(|e| e.tree)
                .and_then(|t| t.process);
            // A tree built from another PA's schema is reuse too.
            if let Some(origin) = process.as_ref().and_then(|p| p.schema_origin.as_ref()) {
                changes.bump("", "cross_deployment_reuse", &origin.deployment, 1, day);
            }
            let schema = process
                .map(|p| id_of(&p.schema, "schemas").to_owned())
                .unwrap_or_default();
            if let Some(id) = process_id {
                let version = event.aggregate_version;
                change_process(txn, changes, id, org, day, |row| {
                    row.schema_at(&schema, version);
                })
                .await?;
            }
        }
        "coproduction.process.schema_cleared" => {
            if let Some(id) = process_id {
                let version = event.aggregate_version;
                change_process(txn, changes, id, org, day, |row| row.schema_at("", version))
                    .await?;
            }
        }
        "coproduction.task.status_changed" => {
            if let Some(e) = payload::<coproduction::TaskStatusChanged>(event)
                && let Some(phase) = e.phase
                && phase.co_delivery
                && phase.status != coproduction::Status::Awaiting as i32
                && let Some(id) = process_id
            {
                // Co-delivered once a co-delivery phase has started.
                change_process(txn, changes, id, org, day, |row| row.co_delivered = true).await?;
            }
        }
        "coproduction.asset.added" | "coproduction.asset.removed" => {
            let added = event.r#type.ends_with("added");
            let asset = if added {
                payload::<coproduction::AssetAdded>(event).and_then(|e| e.asset)
            } else {
                payload::<coproduction::AssetRemoved>(event).and_then(|e| e.asset)
            };
            if let Some(a) = asset {
                let delta = if added { 1 } else { -1 };
                changes.bump(org, "assets", "", delta, day);
                if let Some(id) = process_id {
                    changes.bump(org, "assets_per_process", id, delta, day);
                }
                // Use is counted when it happens and stays counted.
                if added && !a.interlinker.is_empty() {
                    changes.bump(org, "interlinkers_used", &a.interlinker_nature, 1, day);
                    let interlinker = id_of(&a.interlinker, "interlinkers");
                    changes.bump(org, "interlinker_use", interlinker, 1, day);
                }
            }
        }
        "coproduction.claim.submitted" => {
            if let Some(c) = payload::<coproduction::ClaimSubmitted>(event).and_then(|e| e.claim) {
                changes.bump(org, "claims", &claim_type(c.r#type), 1, day);
            }
        }
        "coproduction.claim.decided" => {
            if let Some(c) = payload::<coproduction::ClaimDecided>(event).and_then(|e| e.claim)
                && c.state == coproduction::ClaimState::Accepted as i32
            {
                changes.bump(org, "claims_accepted", &claim_type(c.r#type), 1, day);
            }
        }
        "coproduction.story.published" => changes.bump(org, "stories", "", 1, day),
        "catalogue.interlinker.published" | "catalogue.interlinker.deprecated" => {
            let (interlinker, delta) = if event.r#type.ends_with("published") {
                (
                    payload::<catalogue::InterlinkerPublished>(event).and_then(|e| e.interlinker),
                    1,
                )
            } else {
                (
                    payload::<catalogue::InterlinkerDeprecated>(event).and_then(|e| e.interlinker),
                    -1,
                )
            };
            // Mirrors are other deployments' entries, not published here.
            if let Some(i) = interlinker.filter(|i| i.origin.is_none()) {
                let nature = catalogue::Nature::try_from(i.nature)
                    .map(|n| {
                        n.as_str_name()
                            .trim_start_matches("NATURE_")
                            .to_ascii_lowercase()
                    })
                    .unwrap_or_default();
                changes.bump("", "interlinkers_published", &nature, delta, day);
            }
        }
        // Reuse across deployments: another PA's schema copied here.
        "catalogue.schema.adopted" => {
            if let Some(origin) = payload::<catalogue::SchemaAdopted>(event)
                .and_then(|e| e.schema)
                .and_then(|s| s.adopted_from)
            {
                changes.bump("", "cross_deployment_reuse", &origin.deployment, 1, day);
            }
        }
        // Reuse across deployments: another PA's story made into a process
        // here, by the deployment it came from.
        "coproduction.story.adopted" => {
            if let Some(origin) = payload::<coproduction::StoryAdopted>(event)
                .and_then(|e| e.story)
                .and_then(|s| s.origin)
            {
                changes.bump("", "cross_deployment_reuse", &origin.deployment, 1, day);
            }
        }
        // Reuse across deployments: another PA's entry adopted here, by
        // the deployment it came from.
        "catalogue.interlinker.adopted" => {
            if let Some(origin) = payload::<catalogue::InterlinkerAdopted>(event)
                .and_then(|e| e.interlinker)
                .and_then(|i| i.adopted_from)
            {
                changes.bump("", "cross_deployment_reuse", &origin.deployment, 1, day);
            }
        }
        _ => {}
    }
    Ok(())
}

fn claim_type(value: i32) -> String {
    coproduction::ClaimType::try_from(value)
        .map(|t| {
            t.as_str_name()
                .trim_start_matches("CLAIM_TYPE_")
                .to_ascii_lowercase()
        })
        .unwrap_or_default()
}

/// Forgets every KPI and what they remember, before a rebuild.
pub async fn clear(txn: &impl ConnectionTrait) -> Result<(), DbErr> {
    for table in [
        "kpi_daily",
        "process_activity",
        "m_teams",
        "m_members",
        "m_processes",
        "m_organization_administrators",
    ] {
        txn.execute_unprepared(&format!("DELETE FROM {table}"))
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_utc_dates() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(86_399_999), "1970-01-01");
        assert_eq!(day(1_795_737_600_000), "2026-11-27");
        assert_eq!(day(951_782_400_000), "2000-02-29");
        assert_eq!(day(-1), "1969-12-31");
    }
}
