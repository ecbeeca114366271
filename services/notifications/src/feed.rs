//! Each process's feed: what happened in it, once per event, for the
//! people taking part in it — the notices that concern the process (a
//! team given part of it, claims, contributions asked, tasks that can
//! start, the process finished, stories) told in the third person, and
//! its tasks started and finished. Written in the transaction that handles
//! the event, by the one notifier of the database, so the sequence grows
//! in commit order and a stream resuming after a cursor misses nothing.

use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::events::v1::Event;
use interlink_runtime::db::run;
use interlink_runtime::events::payload;
use sea_orm::{ConnectionTrait, DbErr};

use crate::rules::{self, Notice};
use crate::store::{self, ROW_COLUMNS, Row};

/// One line of a process's feed, before it is kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Its code: a notice's kind (`team_granted` …) or `task_status`;
    /// its text is the message `feed-{code}`.
    pub code: String,
    /// The process (id).
    pub process: String,
    /// The resource it concerns.
    pub target: String,
    /// Its page.
    pub link: String,
    /// The team its text names (id, or '').
    pub team: String,
    /// The item its text names (id, or '').
    pub item: String,
    /// Further words of its text.
    pub args: serde_json::Map<String, serde_json::Value>,
}

impl Line {
    /// The line of a notice that concerns a process.
    pub fn of_notice(notice: &Notice) -> Option<Line> {
        if notice.process.is_empty() {
            return None;
        }
        Some(Line {
            code: notice.kind.code().to_owned(),
            process: notice.process.clone(),
            target: notice.target.clone(),
            link: notice.link.clone(),
            team: notice.team.clone(),
            item: notice.item.clone(),
            args: notice.args.clone(),
        })
    }
}

/// The lines an event gives beside its notices': a task started or
/// finished.
pub fn own_lines(event: &Event) -> Vec<Line> {
    if event.r#type != "coproduction.task.status_changed" {
        return Vec::new();
    }
    let Some(changed) = payload::<coproduction::TaskStatusChanged>(event) else {
        return Vec::new();
    };
    let status = match coproduction::Status::try_from(changed.new_status) {
        Ok(coproduction::Status::InProgress) => "in_progress",
        Ok(coproduction::Status::Finished) => "finished",
        _ => return Vec::new(),
    };
    let process = rules::id(&changed.process, "processes");
    let task = rules::id(&changed.task, "tasks");
    let mut args = serde_json::Map::new();
    args.insert("status".into(), status.into());
    vec![Line {
        code: "task_status".into(),
        link: rules::item_link(&process, &changed.task),
        process,
        target: changed.task.clone(),
        team: String::new(),
        item: task,
        args,
    }]
}

/// Keeps `lines` of `event` (a redelivered event adds nothing).
pub async fn keep(txn: &impl ConnectionTrait, event: &Event, lines: &[Line]) -> Result<(), DbErr> {
    let actor = rules::actor_id(event);
    for line in lines {
        run(
            txn,
            "INSERT INTO process_feed (id, process_id, event_id, kind, target, link, team_id, \
             item_id, actor_id, args, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (event_id, kind, target) DO NOTHING",
            [
                uuid::Uuid::now_v7().to_string().into(),
                line.process.clone().into(),
                event.id.clone().into(),
                line.code.clone().into(),
                line.target.clone().into(),
                line.link.clone().into(),
                line.team.clone().into(),
                line.item.clone().into(),
                actor.clone().into(),
                serde_json::Value::Object(line.args.clone())
                    .to_string()
                    .into(),
                store::ms(&event.occurred_at).into(),
            ],
        )
        .await?;
    }
    Ok(())
}

/// The columns of a feed line as an inbox [`Row`] reads them (never seen
/// nor archived; its kind is its message id).
fn columns() -> String {
    ROW_COLUMNS
        .replace("kind,", "'feed-' || kind,")
        .replace("seen, archived", "FALSE, FALSE")
}

/// A process's lines, newest first, before seq `before`, at most `limit`.
pub async fn page(
    db: &impl ConnectionTrait,
    process: &str,
    before: Option<i64>,
    limit: u64,
) -> Result<Vec<Row>, DbErr> {
    store::rows(
        db,
        &format!(
            "SELECT {} FROM process_feed WHERE process_id = $1 AND seq < $2 \
             ORDER BY seq DESC LIMIT $3",
            columns()
        ),
        [
            process.into(),
            before.unwrap_or(i64::MAX).into(),
            (limit as i64).into(),
        ],
    )
    .await?
    .iter()
    .map(store::row)
    .collect()
}

/// A process's lines after seq `after`, oldest first, at most `limit`.
pub async fn after(
    db: &impl ConnectionTrait,
    process: &str,
    after: i64,
    limit: u64,
) -> Result<Vec<Row>, DbErr> {
    store::rows(
        db,
        &format!(
            "SELECT {} FROM process_feed WHERE process_id = $1 AND seq > $2 \
             ORDER BY seq LIMIT $3",
            columns()
        ),
        [process.into(), after.into(), (limit as i64).into()],
    )
    .await?
    .iter()
    .map(store::row)
    .collect()
}

/// The newest seq of a process's feed (0 when empty).
pub async fn newest(db: &impl ConnectionTrait, process: &str) -> Result<i64, DbErr> {
    Ok(store::rows(
        db,
        "SELECT COALESCE(MAX(seq), 0) FROM process_feed WHERE process_id = $1",
        [process.into()],
    )
    .await?
    .first()
    .map(|r| r.try_get_by_index::<i64>(0))
    .transpose()?
    .unwrap_or_default())
}

/// Whether `user` takes part in `process` — one of its administrators, a
/// member of a team granted part of it, or an administrator of its
/// organisation —, or `None` when the process is unknown.
pub async fn takes_part(
    db: &impl ConnectionTrait,
    process: &str,
    user: &str,
) -> Result<Option<bool>, DbErr> {
    let found = store::rows(
        db,
        "SELECT organization_id, administrators FROM n_processes WHERE process_id = $1",
        [process.into()],
    )
    .await?;
    let Some(row) = found.first() else {
        return Ok(None);
    };
    let organization: String = row.try_get_by_index(0)?;
    let administrators: String = row.try_get_by_index(1)?;
    let administrators: Vec<String> = serde_json::from_str(&administrators).unwrap_or_default();
    if administrators.iter().any(|a| a == user) {
        return Ok(Some(true));
    }
    let member = store::strings(
        db,
        "SELECT m.user_id FROM n_grants g JOIN n_members m ON m.team_id = g.team_id \
         WHERE g.process_id = $1 AND m.user_id = $2 \
         UNION SELECT user_id FROM n_organization_administrators \
         WHERE organization_id = $3 AND user_id = $2",
        [process.into(), user.into(), organization.into()],
    )
    .await?;
    Ok(Some(!member.is_empty()))
}
