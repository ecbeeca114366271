//! The notifications database: the projections of other services' data
//! the rules read, who an audience is, and the inbox rows. The one place
//! that writes SQL.

use std::collections::BTreeSet;

use interlink_proto::community::v1 as community;
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::events::v1::Event;
use interlink_runtime::api::id_in;
use interlink_runtime::db::{run, statement};
use interlink_runtime::events::payload;
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement, Value};

use crate::rules::{self, Audience, Notice, TreeNode};

fn id(name: &str, collection: &str) -> String {
    id_in(name, collection).to_owned()
}

/// The last segment of a resource name (`tasks/{id}` → id).
fn last(name: &str) -> String {
    name.rsplit('/').next().unwrap_or_default().to_owned()
}

fn texts(text: &Option<interlink_proto::common::v1::TranslatableText>) -> String {
    let values = text.as_ref().map(|t| t.values.clone()).unwrap_or_default();
    serde_json::to_string(&values).unwrap_or_else(|_| "{}".into())
}

pub(crate) fn ms(t: &Option<prost_types::Timestamp>) -> i64 {
    t.as_ref()
        .map(|t| t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000))
        .unwrap_or_default()
}

pub(crate) async fn rows<const N: usize>(
    db: &impl ConnectionTrait,
    sql: &str,
    values: [Value; N],
) -> Result<Vec<QueryResult>, DbErr> {
    db.query_all_raw(statement(db, sql, values)).await
}

pub(crate) async fn strings<const N: usize>(
    db: &impl ConnectionTrait,
    sql: &str,
    values: [Value; N],
) -> Result<Vec<String>, DbErr> {
    rows(db, sql, values)
        .await?
        .iter()
        .map(|r| r.try_get_by_index::<String>(0))
        .collect()
}

/// Brings the projections up to date with `event`, and returns the
/// notices that need their state before and after it: tasks that can
/// start because items finished, and a process that finished.
pub async fn apply(txn: &impl ConnectionTrait, event: &Event) -> Result<Vec<Notice>, DbErr> {
    match event.r#type.as_str() {
        "community.user.registered" | "community.user.updated" => {
            let user = payload::<community::UserRegistered>(event)
                .and_then(|r| r.user)
                .or_else(|| payload::<community::UserUpdated>(event).and_then(|u| u.user));
            if let Some(user) = user {
                upsert_user(txn, &user).await?;
            }
        }
        "community.user.erased" => {
            if let Some(erased) = payload::<community::UserErased>(event) {
                let user = if erased.user.is_empty() {
                    interlink_runtime::api::user_id(&erased.subject)
                } else {
                    id(&erased.user, "users")
                };
                erase(txn, &user).await?;
                crate::webhook_store::erase(txn, &user).await?;
            }
        }
        "community.organization.created" => {
            if let Some(org) =
                payload::<community::OrganizationCreated>(event).and_then(|c| c.organization)
            {
                let org_id = id(&org.name, "organizations");
                for admin in &org.administrators {
                    add_org_admin(txn, &org_id, &id(admin, "users")).await?;
                }
            }
        }
        "community.organization.deleted" => {
            if let Some(deleted) = payload::<community::OrganizationDeleted>(event) {
                let org_id = id(&deleted.organization, "organizations");
                run(
                    txn,
                    "DELETE FROM n_organization_administrators WHERE organization_id = $1",
                    [org_id.into()],
                )
                .await?;
            }
        }
        "community.organization.administrator_added" => {
            if let Some(added) = payload::<community::OrganizationAdministratorAdded>(event) {
                add_org_admin(
                    txn,
                    &id(&added.organization, "organizations"),
                    &user_of(&added.user, &added.subject),
                )
                .await?;
            }
        }
        "community.organization.administrator_removed" => {
            if let Some(removed) = payload::<community::OrganizationAdministratorRemoved>(event) {
                run(
                    txn,
                    "DELETE FROM n_organization_administrators \
                     WHERE organization_id = $1 AND user_id = $2",
                    [
                        id(&removed.organization, "organizations").into(),
                        user_of(&removed.user, &removed.subject).into(),
                    ],
                )
                .await?;
            }
        }
        "community.team.created" | "community.team.updated" => {
            let team = payload::<community::TeamCreated>(event)
                .and_then(|c| c.team)
                .or_else(|| payload::<community::TeamUpdated>(event).and_then(|u| u.team));
            if let Some(team) = team {
                run(
                    txn,
                    "INSERT INTO n_teams (team_id, organization_id, display_name) \
                     VALUES ($1, $2, $3) ON CONFLICT (team_id) DO UPDATE SET \
                     organization_id = excluded.organization_id, \
                     display_name = excluded.display_name",
                    [
                        id(&team.name, "teams").into(),
                        id(&team.organization, "organizations").into(),
                        texts(&team.display_name).into(),
                    ],
                )
                .await?;
            }
        }
        "community.team.deleted" => {
            if let Some(deleted) = payload::<community::TeamDeleted>(event) {
                let team = id(&deleted.team, "teams");
                run(
                    txn,
                    "DELETE FROM n_members WHERE team_id = $1",
                    [team.clone().into()],
                )
                .await?;
                run(txn, "DELETE FROM n_teams WHERE team_id = $1", [team.into()]).await?;
            }
        }
        "community.team.member_added" => {
            if let Some(member) =
                payload::<community::TeamMemberAdded>(event).and_then(|a| a.member)
            {
                run(
                    txn,
                    "INSERT INTO n_members (team_id, user_id, administrator) VALUES ($1, $2, $3) \
                     ON CONFLICT (team_id, user_id) DO UPDATE SET administrator = excluded.administrator",
                    [
                        id(&member.team, "teams").into(),
                        user_of(&member.user, &member.subject).into(),
                        member.administrator.into(),
                    ],
                )
                .await?;
            }
        }
        "community.team.member_removed" => {
            if let Some(removed) = payload::<community::TeamMemberRemoved>(event) {
                run(
                    txn,
                    "DELETE FROM n_members WHERE team_id = $1 AND user_id = $2",
                    [
                        id(&removed.team, "teams").into(),
                        user_of(&removed.user, &removed.subject).into(),
                    ],
                )
                .await?;
            }
        }
        "coproduction.process.created" | "coproduction.process.updated" => {
            let process = payload::<coproduction::ProcessCreated>(event)
                .and_then(|c| c.process)
                .or_else(|| payload::<coproduction::ProcessUpdated>(event).and_then(|u| u.process));
            if let Some(process) = process {
                upsert_process(txn, &process).await?;
            }
        }
        "coproduction.process.schema_cleared" => {
            if let Some(process) =
                payload::<coproduction::ProcessSchemaCleared>(event).and_then(|c| c.process)
            {
                upsert_process(txn, &process).await?;
                run(
                    txn,
                    "DELETE FROM n_items WHERE process_id = $1",
                    [id(&process.name, "processes").into()],
                )
                .await?;
            }
        }
        "coproduction.process.schema_set"
        | "coproduction.process.cloned"
        | "coproduction.process.imported" => {
            let tree = payload::<coproduction::ProcessSchemaSet>(event)
                .and_then(|s| s.tree)
                .or_else(|| payload::<coproduction::ProcessCloned>(event).and_then(|c| c.tree))
                .or_else(|| payload::<coproduction::ProcessImported>(event).and_then(|i| i.tree));
            if let Some(tree) = tree {
                if let Some(process) = &tree.process {
                    upsert_process(txn, process).await?;
                    run(
                        txn,
                        "DELETE FROM n_items WHERE process_id = $1",
                        [id(&process.name, "processes").into()],
                    )
                    .await?;
                }
                for item in &tree.items {
                    upsert_item(txn, item).await?;
                }
            }
        }
        "coproduction.process.deleted" => {
            if let Some(deleted) = payload::<coproduction::ProcessDeleted>(event) {
                let process = id(&deleted.process, "processes");
                for table in ["n_items", "n_grants", "n_processes", "process_feed"] {
                    run(
                        txn,
                        &format!("DELETE FROM {table} WHERE process_id = $1"),
                        [process.clone().into()],
                    )
                    .await?;
                }
            }
        }
        "coproduction.item.added"
        | "coproduction.item.updated"
        | "coproduction.item.copied"
        | "coproduction.item.disabled" => {
            let item = payload::<coproduction::ItemAdded>(event)
                .and_then(|a| a.item)
                .or_else(|| payload::<coproduction::ItemUpdated>(event).and_then(|u| u.item))
                .or_else(|| payload::<coproduction::ItemCopied>(event).and_then(|c| c.item))
                .or_else(|| payload::<coproduction::ItemDisabled>(event).and_then(|d| d.item));
            if let Some(item) = item {
                upsert_item(txn, &item).await?;
            }
        }
        "coproduction.grant.added" => {
            if let Some(added) = payload::<coproduction::GrantAdded>(event)
                && let Some(grant) = &added.grant
            {
                run(
                    txn,
                    "INSERT INTO n_grants (grant_id, process_id, team_id, item_id) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT (grant_id) DO NOTHING",
                    [
                        grant.name.clone().into(),
                        id(&added.process, "processes").into(),
                        id(&grant.team, "teams").into(),
                        if grant.item.is_empty() {
                            String::new()
                        } else {
                            last(&grant.item)
                        }
                        .into(),
                    ],
                )
                .await?;
            }
        }
        "coproduction.grant.removed" => {
            if let Some(removed) = payload::<coproduction::GrantRemoved>(event)
                && let Some(grant) = &removed.grant
            {
                run(
                    txn,
                    "DELETE FROM n_grants WHERE grant_id = $1",
                    [grant.name.clone().into()],
                )
                .await?;
            }
        }
        "coproduction.task.status_changed" => {
            if let Some(changed) = payload::<coproduction::TaskStatusChanged>(event) {
                return status_changed(txn, &changed).await;
            }
        }
        _ => {}
    }
    Ok(Vec::new())
}

/// The user id of a `users/{id}` name, or of the subject when the name is
/// missing.
fn user_of(name: &str, subject: &str) -> String {
    if name.is_empty() {
        interlink_runtime::api::user_id(subject)
    } else {
        id(name, "users")
    }
}

async fn upsert_user(txn: &impl ConnectionTrait, user: &community::User) -> Result<(), DbErr> {
    run(
        txn,
        "INSERT INTO n_users (user_id, subject, display_name, email, locale) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET \
         subject = excluded.subject, display_name = excluded.display_name, \
         email = excluded.email, locale = excluded.locale",
        [
            user_of(&user.name, &user.subject).into(),
            user.subject.clone().into(),
            user.display_name.clone().into(),
            user.email.to_lowercase().into(),
            user.locale.clone().into(),
        ],
    )
    .await?;
    Ok(())
}

async fn add_org_admin(txn: &impl ConnectionTrait, org: &str, user: &str) -> Result<(), DbErr> {
    run(
        txn,
        "INSERT INTO n_organization_administrators (organization_id, user_id) VALUES ($1, $2) \
         ON CONFLICT (organization_id, user_id) DO NOTHING",
        [org.into(), user.into()],
    )
    .await?;
    Ok(())
}

async fn upsert_process(
    txn: &impl ConnectionTrait,
    process: &coproduction::Process,
) -> Result<(), DbErr> {
    let administrators: Vec<String> = process
        .administrators
        .iter()
        .map(|a| id(a, "users"))
        .collect();
    run(
        txn,
        "INSERT INTO n_processes (process_id, organization_id, title, status, administrators) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (process_id) DO UPDATE SET \
         organization_id = excluded.organization_id, title = excluded.title, \
         status = excluded.status, administrators = excluded.administrators",
        [
            id(&process.name, "processes").into(),
            id(&process.organization, "organizations").into(),
            process.title.clone().into(),
            process.status.into(),
            serde_json::to_string(&administrators)
                .unwrap_or_else(|_| "[]".into())
                .into(),
        ],
    )
    .await?;
    Ok(())
}

async fn upsert_item(
    txn: &impl ConnectionTrait,
    item: &coproduction::TreeItem,
) -> Result<(), DbErr> {
    let prerequisites: Vec<String> = item.prerequisites.iter().map(|p| last(p)).collect();
    run(
        txn,
        "INSERT INTO n_items (item_id, process_id, kind, parent_id, title, status, prerequisites, disabled) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (item_id) DO UPDATE SET \
         process_id = excluded.process_id, kind = excluded.kind, parent_id = excluded.parent_id, \
         title = excluded.title, status = excluded.status, \
         prerequisites = excluded.prerequisites, disabled = excluded.disabled",
        [
            last(&item.name).into(),
            id(&item.process, "processes").into(),
            item.kind.into(),
            last(&item.parent).into(),
            texts(&item.title).into(),
            item.status.into(),
            serde_json::to_string(&prerequisites)
                .unwrap_or_else(|_| "[]".into())
                .into(),
            item.disabled.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A task's new status, and its objective's, phase's and process's
/// rolled-up ones: the tasks that can start because items finished, and
/// the process finishing.
async fn status_changed(
    txn: &impl ConnectionTrait,
    changed: &coproduction::TaskStatusChanged,
) -> Result<Vec<Notice>, DbErr> {
    let finished = coproduction::Status::Finished as i32;
    let process = id(&changed.process, "processes");
    let mut updates = vec![(last(&changed.task), changed.new_status)];
    for item in [&changed.objective, &changed.phase].into_iter().flatten() {
        updates.push((last(&item.name), item.status));
    }
    let mut finished_now = Vec::new();
    for (item, status) in updates {
        let before = rows(
            txn,
            "SELECT status FROM n_items WHERE item_id = $1",
            [item.clone().into()],
        )
        .await?
        .first()
        .map(|r| r.try_get_by_index::<i32>(0))
        .transpose()?;
        if status == finished && before != Some(finished) {
            finished_now.push(item.clone());
        }
        run(
            txn,
            "UPDATE n_items SET status = $2 WHERE item_id = $1",
            [item.into(), status.into()],
        )
        .await?;
    }
    let mut notices = Vec::new();
    if !finished_now.is_empty() {
        let tree = tree(txn, &process).await?;
        for task in rules::newly_startable(&tree, &finished_now) {
            notices.push(rules::task_startable(&process, &task));
        }
    }
    let before = rows(
        txn,
        "SELECT status FROM n_processes WHERE process_id = $1",
        [process.clone().into()],
    )
    .await?
    .first()
    .map(|r| r.try_get_by_index::<i32>(0))
    .transpose()?;
    if changed.process_status == finished && before.is_some_and(|b| b != finished) {
        notices.push(rules::process_finished(&process));
    }
    run(
        txn,
        "UPDATE n_processes SET status = $2 WHERE process_id = $1",
        [process.into(), changed.process_status.into()],
    )
    .await?;
    Ok(notices)
}

/// A process's tree as the startable rule reads it.
async fn tree(txn: &impl ConnectionTrait, process: &str) -> Result<Vec<TreeNode>, DbErr> {
    rows(
        txn,
        "SELECT item_id, kind, parent_id, status, prerequisites, disabled \
         FROM n_items WHERE process_id = $1 ORDER BY item_id",
        [process.into()],
    )
    .await?
    .iter()
    .map(|r| {
        let prerequisites: String = r.try_get_by_index(4)?;
        Ok(TreeNode {
            id: r.try_get_by_index(0)?,
            kind: r.try_get_by_index(1)?,
            parent: r.try_get_by_index(2)?,
            status: r.try_get_by_index(3)?,
            prerequisites: serde_json::from_str(&prerequisites).unwrap_or_default(),
            disabled: r.try_get_by_index(5)?,
        })
    })
    .collect()
}

/// Forgets a person: their notifications, their place in the projections,
/// and their name as the actor of others' notifications.
async fn erase(txn: &impl ConnectionTrait, user: &str) -> Result<(), DbErr> {
    for sql in [
        "DELETE FROM notifications WHERE user_id = $1",
        "DELETE FROM preferences WHERE user_id = $1",
        "DELETE FROM digests WHERE user_id = $1",
        "DELETE FROM interlink_jobs WHERE reference = $1 AND kind LIKE 'mail.%'",
        "DELETE FROM n_users WHERE user_id = $1",
        "DELETE FROM n_members WHERE user_id = $1",
        "DELETE FROM n_organization_administrators WHERE user_id = $1",
        "UPDATE notifications SET actor_id = '' WHERE actor_id = $1",
        "UPDATE process_feed SET actor_id = '' WHERE actor_id = $1",
    ] {
        run(txn, sql, [user.into()]).await?;
    }
    Ok(())
}

/// The people an audience is (user ids).
pub async fn resolve(
    txn: &impl ConnectionTrait,
    audience: &Audience,
) -> Result<BTreeSet<String>, DbErr> {
    let found = match audience {
        Audience::User(user) => vec![user.clone()],
        Audience::Email(email) => {
            strings(
                txn,
                "SELECT user_id FROM n_users WHERE email = $1",
                [email.to_lowercase().into()],
            )
            .await?
        }
        Audience::TeamMembers(team) => {
            strings(
                txn,
                "SELECT user_id FROM n_members WHERE team_id = $1",
                [team.clone().into()],
            )
            .await?
        }
        Audience::TeamAdministrators(team) => {
            strings(
                txn,
                "SELECT user_id FROM n_members WHERE team_id = $1 AND administrator \
                 UNION SELECT a.user_id FROM n_organization_administrators a \
                 JOIN n_teams t ON t.organization_id = a.organization_id WHERE t.team_id = $1",
                [team.clone().into()],
            )
            .await?
        }
        Audience::ProcessAdministrators(process) => process_administrators(txn, process).await?,
        Audience::OrganizationAdministrators(org) => {
            strings(
                txn,
                "SELECT user_id FROM n_organization_administrators WHERE organization_id = $1",
                [org.clone().into()],
            )
            .await?
        }
        Audience::ProcessParticipants(process) => {
            let mut people = process_administrators(txn, process).await?;
            people.extend(
                strings(
                    txn,
                    "SELECT DISTINCT m.user_id FROM n_grants g \
                     JOIN n_members m ON m.team_id = g.team_id WHERE g.process_id = $1",
                    [process.clone().into()],
                )
                .await?,
            );
            people
        }
        Audience::TaskHolders { process, task } => {
            // The task, its objective and its phase.
            let mut chain = vec![task.clone()];
            while chain.len() < 3 {
                let parent = strings(
                    txn,
                    "SELECT parent_id FROM n_items WHERE item_id = $1",
                    [chain[chain.len() - 1].clone().into()],
                )
                .await?;
                match parent.into_iter().next().filter(|p| !p.is_empty()) {
                    Some(parent) => chain.push(parent),
                    None => break,
                }
            }
            chain.resize(3, String::new());
            strings(
                txn,
                "SELECT DISTINCT m.user_id FROM n_grants g \
                 JOIN n_members m ON m.team_id = g.team_id \
                 WHERE g.process_id = $1 AND g.item_id IN ('', $2, $3, $4)",
                [
                    process.clone().into(),
                    chain[0].clone().into(),
                    chain[1].clone().into(),
                    chain[2].clone().into(),
                ],
            )
            .await?
        }
    };
    Ok(found.into_iter().filter(|u| !u.is_empty()).collect())
}

async fn process_administrators(
    txn: &impl ConnectionTrait,
    process: &str,
) -> Result<Vec<String>, DbErr> {
    Ok(strings(
        txn,
        "SELECT administrators FROM n_processes WHERE process_id = $1",
        [process.into()],
    )
    .await?
    .first()
    .and_then(|json| serde_json::from_str(json).ok())
    .unwrap_or_default())
}

/// Keeps `notice` for each of `recipients`, once per event, person, kind
/// and target (a redelivered event adds nothing); returns the new ones as
/// (user, notification id).
pub async fn insert(
    txn: &impl ConnectionTrait,
    event: &Event,
    notice: &Notice,
    recipients: &BTreeSet<String>,
) -> Result<Vec<(String, String)>, DbErr> {
    let mut added = Vec::new();
    let args = serde_json::Value::Object(notice.args.clone()).to_string();
    let actor = rules::actor_id(event);
    for user in recipients {
        let id = uuid::Uuid::now_v7().to_string();
        let inserted = txn
            .execute_raw(Statement::from_sql_and_values(
                txn.get_database_backend(),
                "INSERT INTO notifications (id, user_id, event_id, kind, target, link, team_id, \
                 process_id, item_id, actor_id, args, created_at, seen, archived) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                 ON CONFLICT (event_id, user_id, kind, target) DO NOTHING",
                [
                    id.clone().into(),
                    user.clone().into(),
                    event.id.clone().into(),
                    notice.kind.code().into(),
                    notice.target.clone().into(),
                    notice.link.clone().into(),
                    notice.team.clone().into(),
                    notice.process.clone().into(),
                    notice.item.clone().into(),
                    actor.clone().into(),
                    args.clone().into(),
                    ms(&event.occurred_at).into(),
                    false.into(),
                    false.into(),
                ],
            ))
            .await?
            .rows_affected();
        if inserted == 1 {
            added.push((user.clone(), id));
        }
    }
    Ok(added)
}

/// One stored notification.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its place in the inbox (increasing).
    pub seq: i64,
    /// Its id.
    pub id: String,
    /// Its rule's code.
    pub kind: String,
    /// The resource it concerns.
    pub target: String,
    /// Its page.
    pub link: String,
    /// The team, process and item its text names (ids, or '').
    pub team: String,
    /// See `team`.
    pub process: String,
    /// See `team`.
    pub item: String,
    /// Who acted (user id, or '').
    pub actor: String,
    /// Further words of its text.
    pub args: serde_json::Map<String, serde_json::Value>,
    /// When it happened (ms).
    pub created_at: i64,
    /// Whether seen.
    pub seen: bool,
    /// Whether archived.
    pub archived: bool,
    /// The event it comes from.
    pub event_id: String,
}

pub(crate) const ROW_COLUMNS: &str = "seq, id, kind, target, link, team_id, process_id, item_id, actor_id, \
                           args, created_at, seen, archived, event_id";

pub(crate) fn row(r: &QueryResult) -> Result<Row, DbErr> {
    let args: String = r.try_get_by_index(9)?;
    Ok(Row {
        seq: r.try_get_by_index(0)?,
        id: r.try_get_by_index(1)?,
        kind: r.try_get_by_index(2)?,
        target: r.try_get_by_index(3)?,
        link: r.try_get_by_index(4)?,
        team: r.try_get_by_index(5)?,
        process: r.try_get_by_index(6)?,
        item: r.try_get_by_index(7)?,
        actor: r.try_get_by_index(8)?,
        args: serde_json::from_str(&args).unwrap_or_default(),
        created_at: r.try_get_by_index(10)?,
        seen: r.try_get_by_index(11)?,
        archived: r.try_get_by_index(12)?,
        event_id: r.try_get_by_index(13)?,
    })
}

/// A page of a person's notifications, newest first: those before `before`
/// (a seq), at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    user: &str,
    archived: bool,
    unseen_only: bool,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Row>, DbErr> {
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM notifications WHERE user_id = $1 AND archived = $2 \
         AND seq < $3 {} ORDER BY seq DESC LIMIT $4",
        if unseen_only { "AND NOT seen" } else { "" }
    );
    rows(
        db,
        &sql,
        [
            user.into(),
            archived.into(),
            before.unwrap_or(i64::MAX).into(),
            (limit as i64).into(),
        ],
    )
    .await?
    .iter()
    .map(row)
    .collect()
}

/// One notification of a person, if it is theirs.
pub async fn get(db: &impl ConnectionTrait, user: &str, id: &str) -> Result<Option<Row>, DbErr> {
    rows(
        db,
        &format!("SELECT {ROW_COLUMNS} FROM notifications WHERE id = $1 AND user_id = $2"),
        [id.into(), user.into()],
    )
    .await?
    .first()
    .map(row)
    .transpose()
}

/// How many of a person's notifications are unseen, and the newest one's
/// id.
pub async fn unseen(db: &impl ConnectionTrait, user: &str) -> Result<(i64, String), DbErr> {
    let count = rows(
        db,
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND NOT archived AND NOT seen",
        [user.into()],
    )
    .await?
    .first()
    .map(|r| r.try_get_by_index::<i64>(0))
    .transpose()?
    .unwrap_or_default();
    let newest = strings(
        db,
        "SELECT id FROM notifications WHERE user_id = $1 AND NOT archived \
         ORDER BY seq DESC LIMIT 1",
        [user.into()],
    )
    .await?
    .into_iter()
    .next()
    .unwrap_or_default();
    Ok((count, newest))
}

/// Marks one notification seen (and archived when `archive`).
pub async fn mark(
    db: &impl ConnectionTrait,
    user: &str,
    id: &str,
    archive: bool,
) -> Result<u64, DbErr> {
    let sql = if archive {
        "UPDATE notifications SET seen = TRUE, archived = TRUE WHERE id = $1 AND user_id = $2"
    } else {
        "UPDATE notifications SET seen = TRUE WHERE id = $1 AND user_id = $2"
    };
    run(db, sql, [id.into(), user.into()]).await
}

/// Marks every unseen notification of a person seen, up to the one with
/// seq `up_to`.
pub async fn mark_all(db: &impl ConnectionTrait, user: &str, up_to: i64) -> Result<u64, DbErr> {
    run(
        db,
        "UPDATE notifications SET seen = TRUE WHERE user_id = $1 AND NOT seen AND seq <= $2",
        [user.into(), up_to.into()],
    )
    .await
}

/// The names a page of notifications shows: teams' and items' per
/// language (JSON), processes' titles, people's display names; and the
/// recipient's language.
#[derive(Debug, Default)]
pub struct Names {
    /// Team id → per-language names.
    pub teams: std::collections::HashMap<String, std::collections::BTreeMap<String, String>>,
    /// Item id → per-language titles.
    pub items: std::collections::HashMap<String, std::collections::BTreeMap<String, String>>,
    /// Process id → title.
    pub processes: std::collections::HashMap<String, String>,
    /// User id → display name.
    pub people: std::collections::HashMap<String, String>,
}

/// Reads the names `rows` show.
pub async fn names(db: &impl ConnectionTrait, rows: &[Row]) -> Result<Names, DbErr> {
    let mut names = Names::default();
    let wanted = |pick: fn(&Row) -> &String| -> BTreeSet<String> {
        rows.iter()
            .map(pick)
            .filter(|s| !s.is_empty())
            .cloned()
            .collect()
    };
    for team in wanted(|r| &r.team) {
        if let Some(json) = strings(
            db,
            "SELECT display_name FROM n_teams WHERE team_id = $1",
            [team.clone().into()],
        )
        .await?
        .into_iter()
        .next()
        {
            names
                .teams
                .insert(team, serde_json::from_str(&json).unwrap_or_default());
        }
    }
    for item in wanted(|r| &r.item) {
        if let Some(json) = strings(
            db,
            "SELECT title FROM n_items WHERE item_id = $1",
            [item.clone().into()],
        )
        .await?
        .into_iter()
        .next()
        {
            names
                .items
                .insert(item, serde_json::from_str(&json).unwrap_or_default());
        }
    }
    for process in wanted(|r| &r.process) {
        if let Some(title) = strings(
            db,
            "SELECT title FROM n_processes WHERE process_id = $1",
            [process.clone().into()],
        )
        .await?
        .into_iter()
        .next()
        {
            names.processes.insert(process, title);
        }
    }
    for person in wanted(|r| &r.actor) {
        if let Some(name) = strings(
            db,
            "SELECT display_name FROM n_users WHERE user_id = $1",
            [person.clone().into()],
        )
        .await?
        .into_iter()
        .next()
        {
            names.people.insert(person, name);
        }
    }
    Ok(names)
}

/// A person's preferred language tag, if known.
pub async fn locale(db: &impl ConnectionTrait, user: &str) -> Result<Option<String>, DbErr> {
    Ok(strings(
        db,
        "SELECT locale FROM n_users WHERE user_id = $1",
        [user.into()],
    )
    .await?
    .into_iter()
    .next())
}

/// The delivery `user` chose for `kind`, else the kind's default.
pub async fn delivery(
    db: &impl ConnectionTrait,
    user: &str,
    kind: crate::rules::Kind,
) -> Result<crate::delivery::Delivery, DbErr> {
    Ok(strings(
        db,
        "SELECT delivery FROM preferences WHERE user_id = $1 AND kind = $2",
        [user.into(), kind.code().into()],
    )
    .await?
    .first()
    .and_then(|code| crate::delivery::Delivery::from_code(code))
    .unwrap_or_else(|| crate::delivery::Delivery::default_for(kind)))
}

/// The kinds `user` chose a delivery for.
pub async fn preferences(
    db: &impl ConnectionTrait,
    user: &str,
) -> Result<std::collections::HashMap<String, String>, DbErr> {
    rows(
        db,
        "SELECT kind, delivery FROM preferences WHERE user_id = $1",
        [user.into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
    .collect()
}

/// Sets `user`'s delivery of `kind`.
pub async fn set_preference(
    txn: &impl ConnectionTrait,
    user: &str,
    kind: crate::rules::Kind,
    delivery: crate::delivery::Delivery,
) -> Result<(), DbErr> {
    run(
        txn,
        "INSERT INTO preferences (user_id, kind, delivery) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery",
        [user.into(), kind.code().into(), delivery.code().into()],
    )
    .await?;
    Ok(())
}

/// Where `user`'s e-mails go: (address, display name, language tag), when
/// they have an address.
pub async fn address(
    db: &impl ConnectionTrait,
    user: &str,
) -> Result<Option<(String, String, String)>, DbErr> {
    Ok(rows(
        db,
        "SELECT email, display_name, locale FROM n_users WHERE user_id = $1",
        [user.into()],
    )
    .await?
    .first()
    .map(|r| {
        Ok::<_, DbErr>((
            r.try_get_by_index::<String>(0)?,
            r.try_get_by_index::<String>(1)?,
            r.try_get_by_index::<String>(2)?,
        ))
    })
    .transpose()?
    .filter(|(email, ..)| !email.is_empty()))
}

/// `user`'s notifications waiting for their digest, oldest first.
pub async fn digest_pending(db: &impl ConnectionTrait, user: &str) -> Result<Vec<Row>, DbErr> {
    rows(
        db,
        &format!(
            "SELECT {ROW_COLUMNS} FROM notifications WHERE user_id = $1 AND digest = 'pending' \
             ORDER BY seq LIMIT 200"
        ),
        [user.into()],
    )
    .await?
    .iter()
    .map(row)
    .collect()
}

/// The service's secret for signing unsubscribe links (made at its first
/// migration).
pub async fn secret(db: &impl ConnectionTrait) -> Result<Vec<u8>, DbErr> {
    strings(
        db,
        "SELECT value FROM settings WHERE name = 'unsubscribe_secret'",
        [],
    )
    .await?
    .into_iter()
    .next()
    .map(String::into_bytes)
    .ok_or_else(|| DbErr::Custom("the unsubscribe secret is missing".into()))
}

/// Every notification of `user`, archived ones too, newest first.
pub async fn all_of(db: &impl ConnectionTrait, user: &str) -> Result<Vec<Row>, DbErr> {
    rows(
        db,
        &format!("SELECT {ROW_COLUMNS} FROM notifications WHERE user_id = $1 ORDER BY seq DESC"),
        [user.into()],
    )
    .await?
    .iter()
    .map(row)
    .collect()
}

/// The newest notification's seq of `user` (0 when none).
pub async fn newest_seq(db: &impl ConnectionTrait, user: &str) -> Result<i64, DbErr> {
    Ok(rows(
        db,
        "SELECT COALESCE(MAX(seq), 0) FROM notifications WHERE user_id = $1",
        [user.into()],
    )
    .await?
    .first()
    .map(|r| r.try_get_by_index::<i64>(0))
    .transpose()?
    .unwrap_or_default())
}

/// `user`'s notifications after seq `after`, oldest first, at most `limit`.
pub async fn after(
    db: &impl ConnectionTrait,
    user: &str,
    after: i64,
    limit: u64,
) -> Result<Vec<Row>, DbErr> {
    rows(
        db,
        &format!(
            "SELECT {ROW_COLUMNS} FROM notifications WHERE user_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3"
        ),
        [user.into(), after.into(), (limit as i64).into()],
    )
    .await?
    .iter()
    .map(row)
    .collect()
}
