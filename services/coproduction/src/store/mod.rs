//! The co-production tables and the projections of other services' data.
//! The one place that touches SQL; plain statements that run unchanged on
//! PostgreSQL and SQLite.

pub mod migrations;

use std::collections::HashMap;

use interlink_runtime::db::{run, statement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement, Value};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::{Kind, Model, Status, Text};

fn from_json<T: DeserializeOwned>(row: &QueryResult, column: &str) -> Result<T, DbErr> {
    let text: String = row.try_get("", column)?;
    serde_json::from_str(&text).map_err(|e| DbErr::Custom(format!("{column}: {e}")))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Custom(format!("encoding JSON: {e}")))
}

fn status(row: &QueryResult, column: &str) -> Result<Status, DbErr> {
    let text: String = row.try_get("", column)?;
    Status::parse(&text).ok_or_else(|| DbErr::Custom(format!("{column}: unknown status {text}")))
}

/// A stored process.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcessRow {
    /// UUIDv7.
    pub id: String,
    /// Owning organisation's id.
    pub organization_id: String,
    /// Required.
    pub title: String,
    /// Free text.
    pub description: String,
    /// Free text.
    pub aim: String,
    /// Free text.
    pub idea: String,
    /// Free text.
    pub organization_description: String,
    /// Free text.
    pub challenges: String,
    /// Free text.
    pub requirements: String,
    /// BCP 47 tag.
    pub language: String,
    /// URL or empty.
    pub logo_uri: String,
    /// Rolled up.
    pub status: Status,
    /// Rolled up, 0–100.
    pub progress: f64,
    /// Visible to all.
    pub public: bool,
    /// Intergovernmental model, if set.
    pub model: Option<Model>,
    /// OIDC subject.
    pub creator: String,
    /// Free tags.
    pub tags: Vec<String>,
    /// Id of the process it was cloned from, or empty.
    pub cloned_from: String,
    /// Schema id its tree came from, or empty.
    pub schema_id: String,
    /// That schema's version, or 0.
    pub schema_version: i32,
    /// Earliest phase start (Unix ms).
    pub start_at: Option<i64>,
    /// Latest phase end (Unix ms).
    pub end_at: Option<i64>,
    /// Aggregate version (events).
    pub version: i64,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// OIDC subjects, first added first.
    pub administrators: Vec<String>,
    /// Where it came from, when another deployment's work went into it.
    pub provenance: Provenance,
}

/// Where an entry came from: another deployment that shares it (the
/// catalogue's `Origin`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Origin {
    /// `peers/{id}` of the federation service.
    pub peer: String,
    /// The deployment's issuer (public URL).
    pub deployment: String,
    /// Its name for people.
    pub deployment_name: String,
    /// The entry's name there.
    pub name: String,
    /// Its version there.
    pub version: i64,
    /// The signed entry it came in (JWS).
    pub signature: String,
}

/// What of a process came from other deployments.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Provenance {
    /// The origin of the (mirrored) schema version its tree was built from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema_origin: Option<Origin>,
    /// Id of the mirrored story it was adopted from, or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub adopted_from: String,
    /// That story's origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adopted_origin: Option<Origin>,
}

const PROCESS_COLUMNS: &str = "id, organization_id, title, description, aim, idea, \
     organization_description, challenges, requirements, language, logo_uri, status, progress, \
     public, model, creator, tags, cloned_from, schema_id, schema_version, start_at, end_at, \
     version, created_at, updated_at, provenance";

/// An optional origin, stored as JSON ('' for none).
fn origin_from(row: &QueryResult, column: &str) -> Result<Option<Origin>, DbErr> {
    let text: String = row.try_get("", column)?;
    if text.is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| DbErr::Custom(format!("{column}: {e}")))
}

fn origin_to(origin: &Option<Origin>) -> Result<String, DbErr> {
    origin
        .as_ref()
        .map(to_json)
        .unwrap_or_else(|| Ok(String::new()))
}

fn process_row(row: &QueryResult) -> Result<ProcessRow, DbErr> {
    let model: String = row.try_get("", "model")?;
    Ok(ProcessRow {
        id: row.try_get("", "id")?,
        organization_id: row.try_get("", "organization_id")?,
        title: row.try_get("", "title")?,
        description: row.try_get("", "description")?,
        aim: row.try_get("", "aim")?,
        idea: row.try_get("", "idea")?,
        organization_description: row.try_get("", "organization_description")?,
        challenges: row.try_get("", "challenges")?,
        requirements: row.try_get("", "requirements")?,
        language: row.try_get("", "language")?,
        logo_uri: row.try_get("", "logo_uri")?,
        status: status(row, "status")?,
        progress: row.try_get("", "progress")?,
        public: row.try_get("", "public")?,
        model: Model::parse(&model),
        creator: row.try_get("", "creator")?,
        tags: from_json(row, "tags")?,
        cloned_from: row.try_get("", "cloned_from")?,
        schema_id: row.try_get("", "schema_id")?,
        schema_version: row.try_get("", "schema_version")?,
        start_at: row.try_get("", "start_at")?,
        end_at: row.try_get("", "end_at")?,
        version: row.try_get("", "version")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
        administrators: Vec::new(),
        provenance: from_json(row, "provenance")?,
    })
}

fn process_values(p: &ProcessRow) -> Result<Vec<Value>, DbErr> {
    Ok(vec![
        p.id.clone().into(),
        p.organization_id.clone().into(),
        p.title.clone().into(),
        p.description.clone().into(),
        p.aim.clone().into(),
        p.idea.clone().into(),
        p.organization_description.clone().into(),
        p.challenges.clone().into(),
        p.requirements.clone().into(),
        p.language.clone().into(),
        p.logo_uri.clone().into(),
        p.status.as_str().into(),
        p.progress.into(),
        p.public.into(),
        p.model.map(Model::as_str).unwrap_or("").into(),
        p.creator.clone().into(),
        to_json(&p.tags)?.into(),
        p.cloned_from.clone().into(),
        p.schema_id.clone().into(),
        p.schema_version.into(),
        p.start_at.into(),
        p.end_at.into(),
        p.version.into(),
        p.created_at.into(),
        p.updated_at.into(),
        to_json(&p.provenance)?.into(),
    ])
}

fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inserts a process and its administrators.
pub async fn insert_process(db: &impl ConnectionTrait, p: &ProcessRow) -> Result<(), DbErr> {
    let values = process_values(p)?;
    let sql = format!(
        "INSERT INTO processes ({PROCESS_COLUMNS}) VALUES ({})",
        placeholders(values.len())
    );
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?;
    set_administrators(db, &p.id, &p.administrators).await
}

/// Writes back every column of a process, and its administrators.
pub async fn update_process(db: &impl ConnectionTrait, p: &ProcessRow) -> Result<(), DbErr> {
    let values = process_values(p)?;
    let assignments: Vec<String> = PROCESS_COLUMNS
        .split(", ")
        .enumerate()
        .skip(1)
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE processes SET {} WHERE id = $1",
        assignments.join(", ")
    );
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?;
    set_administrators(db, &p.id, &p.administrators).await
}

async fn set_administrators(
    db: &impl ConnectionTrait,
    process_id: &str,
    subjects: &[String],
) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM process_administrators WHERE process_id = $1",
        [process_id.into()],
    )
    .await?;
    for (position, subject) in subjects.iter().enumerate() {
        run(
            db,
            "INSERT INTO process_administrators (process_id, subject, position) VALUES ($1, $2, $3)",
            [process_id.into(), subject.clone().into(), (position as i32).into()],
        )
        .await?;
    }
    Ok(())
}

/// Deletes a process with its tree and administrators.
pub async fn delete_process(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM story_ratings WHERE story_id IN (SELECT id FROM stories WHERE process_id = $1)",
        [id.into()],
    )
    .await?;
    run(db, "DELETE FROM stories WHERE process_id = $1", [id.into()]).await?;
    run(db, "DELETE FROM claims WHERE process_id = $1", [id.into()]).await?;
    run(db, "DELETE FROM assets WHERE process_id = $1", [id.into()]).await?;
    run(db, "DELETE FROM grants WHERE process_id = $1", [id.into()]).await?;
    run(db, "DELETE FROM items WHERE process_id = $1", [id.into()]).await?;
    run(
        db,
        "DELETE FROM process_administrators WHERE process_id = $1",
        [id.into()],
    )
    .await?;
    run(db, "DELETE FROM processes WHERE id = $1", [id.into()]).await?;
    Ok(())
}

async fn administrators(db: &impl ConnectionTrait, process_id: &str) -> Result<Vec<String>, DbErr> {
    db.query_all_raw(statement(
        db,
        "SELECT subject FROM process_administrators WHERE process_id = $1 ORDER BY position",
        [process_id.into()],
    ))
    .await?
    .iter()
    .map(|r| r.try_get("", "subject"))
    .collect()
}

/// The administrators of each of `process_ids`, in one query.
async fn administrators_of(
    db: &impl ConnectionTrait,
    process_ids: &[String],
) -> Result<HashMap<String, Vec<String>>, DbErr> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    if process_ids.is_empty() {
        return Ok(out);
    }
    let marks: Vec<String> = (1..=process_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT process_id, subject FROM process_administrators WHERE process_id IN ({}) \
         ORDER BY process_id, position",
        marks.join(", ")
    );
    let values: Vec<Value> = process_ids.iter().map(|id| id.clone().into()).collect();
    for row in db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            values,
        ))
        .await?
    {
        out.entry(row.try_get("", "process_id")?)
            .or_default()
            .push(row.try_get("", "subject")?);
    }
    Ok(out)
}

/// The process `id` with its administrators.
pub async fn process(db: &impl ConnectionTrait, id: &str) -> Result<Option<ProcessRow>, DbErr> {
    let sql = format!("SELECT {PROCESS_COLUMNS} FROM processes WHERE id = $1");
    let Some(row) = db.query_one_raw(statement(db, &sql, [id.into()])).await? else {
        return Ok(None);
    };
    let mut process = process_row(&row)?;
    process.administrators = administrators(db, id).await?;
    Ok(Some(process))
}

/// What a process list keeps.
#[derive(Debug, Clone, Default)]
pub struct ProcessFilter {
    /// The caller's subject; `None` for anonymous callers.
    pub subject: Option<String>,
    /// Platform administrators see everything.
    pub platform_admin: bool,
    /// Only those the caller administers or has a team grant in.
    pub mine: bool,
    /// Only this organisation's.
    pub organization_id: Option<String>,
    /// Only public ones.
    pub public_only: bool,
    /// Only this status.
    pub status: Option<Status>,
    /// Only those whose title holds this (case-insensitive).
    pub query: Option<String>,
    /// Only those with this tag.
    pub tag: Option<String>,
    /// In which order.
    pub order: ProcessOrder,
}

/// The orders processes are listed in; each pages by the last one's id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProcessOrder {
    /// Newest first.
    #[default]
    Newest,
    /// Oldest first.
    Oldest,
    /// By title, A to Z.
    Title,
    /// Most recently changed first.
    Updated,
}

/// `text` as a LIKE pattern matching it anywhere (`\` escapes).
fn contains_pattern(text: &str) -> String {
    let mut out = String::from("%");
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// SQL: process `p` is administered by the subject in parameter `s`.
fn administers_condition(s: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM process_administrators a WHERE a.process_id = p.id AND a.subject = {s})"
    )
}

/// SQL: a team of the subject in parameter `s` holds a grant in process `p`.
fn granted_condition(s: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM grants g JOIN p_team_members m ON m.team_id = g.team_id \
         WHERE g.process_id = p.id AND m.subject = {s})"
    )
}

/// SQL: process `p` is visible to the subject in parameter `s` (not a
/// platform administrator): public, administered by them, granted to one of
/// their teams, or of an organisation they administer. The same rule as the
/// service's `may_see`.
fn visible_condition(s: &str) -> String {
    format!(
        "(p.public OR {} OR {} OR EXISTS (SELECT 1 FROM p_organization_administrators o \
         WHERE o.organization_id = p.organization_id AND o.subject = {s}))",
        administers_condition(s),
        granted_condition(s)
    )
}

/// Up to `limit` processes the filter keeps with ids below `before`,
/// newest first.
pub async fn list_processes(
    db: &impl ConnectionTrait,
    filter: &ProcessFilter,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<ProcessRow>, DbErr> {
    let mut values: Vec<Value> = Vec::new();
    let mut conditions = vec!["1 = 1".to_owned()];
    let param = |value: Value, values: &mut Vec<Value>| {
        values.push(value);
        format!("${}", values.len())
    };
    // After the last process of the page before, in the list's order.
    if let Some(before) = before {
        let b = param(before.into(), &mut values);
        conditions.push(match filter.order {
            ProcessOrder::Newest => format!("p.id < {b}"),
            ProcessOrder::Oldest => format!("p.id > {b}"),
            ProcessOrder::Title => format!(
                "(LOWER(p.title) > (SELECT LOWER(t.title) FROM processes t WHERE t.id = {b}) \
                 OR (LOWER(p.title) = (SELECT LOWER(t.title) FROM processes t WHERE t.id = {b}) \
                 AND p.id > {b}))"
            ),
            ProcessOrder::Updated => format!(
                "(p.updated_at < (SELECT t.updated_at FROM processes t WHERE t.id = {b}) \
                 OR (p.updated_at = (SELECT t.updated_at FROM processes t WHERE t.id = {b}) \
                 AND p.id < {b}))"
            ),
        });
    }
    if let Some(query) = &filter.query {
        // Both sides folded by the database, so they fold alike.
        let q = param(contains_pattern(query).into(), &mut values);
        conditions.push(format!("LOWER(p.title) LIKE LOWER({q}) ESCAPE '\\'"));
    }
    if let Some(tag) = &filter.tag {
        // Tags are kept as a JSON array: the tag as a JSON string is one
        // whole element.
        let quoted = serde_json::to_string(tag).map_err(|e| DbErr::Custom(e.to_string()))?;
        let t = param(contains_pattern(&quoted).into(), &mut values);
        conditions.push(format!("p.tags LIKE {t} ESCAPE '\\'"));
    }
    let subject = filter.subject.clone().unwrap_or_default();
    if filter.mine {
        let s = param(subject.clone().into(), &mut values);
        conditions.push(format!(
            "({} OR {})",
            administers_condition(&s),
            granted_condition(&s)
        ));
    } else if !filter.platform_admin {
        let s = param(subject.clone().into(), &mut values);
        conditions.push(visible_condition(&s));
    }
    if let Some(org) = &filter.organization_id {
        let o = param(org.clone().into(), &mut values);
        conditions.push(format!("p.organization_id = {o}"));
    }
    if filter.public_only {
        conditions.push("p.public".to_owned());
    }
    if let Some(status) = filter.status {
        let s = param(status.as_str().into(), &mut values);
        conditions.push(format!("p.status = {s}"));
    }
    let l = param((limit as i64).into(), &mut values);
    let columns: Vec<String> = PROCESS_COLUMNS
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect();
    let order = match filter.order {
        ProcessOrder::Newest => "p.id DESC",
        ProcessOrder::Oldest => "p.id ASC",
        ProcessOrder::Title => "LOWER(p.title) ASC, p.id ASC",
        ProcessOrder::Updated => "p.updated_at DESC, p.id DESC",
    };
    let sql = format!(
        "SELECT {} FROM processes p WHERE {} ORDER BY {order} LIMIT {l}",
        columns.join(", "),
        conditions.join(" AND ")
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            values,
        ))
        .await?;
    let mut out = rows
        .iter()
        .map(process_row)
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<String> = out.iter().map(|p| p.id.clone()).collect();
    let mut administrators = administrators_of(db, &ids).await?;
    for process in &mut out {
        process.administrators = administrators.remove(&process.id).unwrap_or_default();
    }
    Ok(out)
}

/// A stored tree item.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemRow {
    /// UUIDv7.
    pub id: String,
    /// Its process's id.
    pub process_id: String,
    /// Its level.
    pub kind: Kind,
    /// Its parent's id; `None` for phases.
    pub parent_id: Option<String>,
    /// Order of addition within the process.
    pub position: i32,
    /// Per language.
    pub title: Text,
    /// Per language.
    pub description: Text,
    /// Own (tasks) or rolled-up status.
    pub status: Status,
    /// 0–100.
    pub progress: f64,
    /// Ids of siblings.
    pub prerequisites: Vec<String>,
    /// Problem profile codes.
    pub problem_profiles: Vec<String>,
    /// Part of co-delivery (phases).
    pub co_delivery: bool,
    /// Unix ms.
    pub start_at: Option<i64>,
    /// Unix ms.
    pub end_at: Option<i64>,
    /// Effort points: management, development, exploitation.
    pub effort: [i32; 3],
    /// The schema item's key it came from, or empty.
    pub schema_key: String,
    /// OIDC subject.
    pub creator: String,
    /// When it was disabled.
    pub disabled_at: Option<i64>,
    /// Who disabled it.
    pub disabled_by: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

const ITEM_COLUMNS: &str = "id, process_id, kind, parent_id, position, title, description, \
     status, progress, prerequisites, problem_profiles, co_delivery, start_at, end_at, \
     effort_management, effort_development, effort_exploitation, schema_key, creator, \
     disabled_at, disabled_by, created_at, updated_at";

fn item_row(row: &QueryResult) -> Result<ItemRow, DbErr> {
    let kind: String = row.try_get("", "kind")?;
    Ok(ItemRow {
        id: row.try_get("", "id")?,
        process_id: row.try_get("", "process_id")?,
        kind: Kind::parse(&kind).ok_or_else(|| DbErr::Custom(format!("kind: {kind}")))?,
        parent_id: row.try_get("", "parent_id")?,
        position: row.try_get("", "position")?,
        title: from_json(row, "title")?,
        description: from_json(row, "description")?,
        status: status(row, "status")?,
        progress: row.try_get("", "progress")?,
        prerequisites: from_json(row, "prerequisites")?,
        problem_profiles: from_json(row, "problem_profiles")?,
        co_delivery: row.try_get("", "co_delivery")?,
        start_at: row.try_get("", "start_at")?,
        end_at: row.try_get("", "end_at")?,
        effort: [
            row.try_get("", "effort_management")?,
            row.try_get("", "effort_development")?,
            row.try_get("", "effort_exploitation")?,
        ],
        schema_key: row.try_get("", "schema_key")?,
        creator: row.try_get("", "creator")?,
        disabled_at: row.try_get("", "disabled_at")?,
        disabled_by: row.try_get("", "disabled_by")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
    })
}

fn item_values(i: &ItemRow) -> Result<Vec<Value>, DbErr> {
    Ok(vec![
        i.id.clone().into(),
        i.process_id.clone().into(),
        i.kind.as_str().into(),
        i.parent_id.clone().into(),
        i.position.into(),
        to_json(&i.title)?.into(),
        to_json(&i.description)?.into(),
        i.status.as_str().into(),
        i.progress.into(),
        to_json(&i.prerequisites)?.into(),
        to_json(&i.problem_profiles)?.into(),
        i.co_delivery.into(),
        i.start_at.into(),
        i.end_at.into(),
        i.effort[0].into(),
        i.effort[1].into(),
        i.effort[2].into(),
        i.schema_key.clone().into(),
        i.creator.clone().into(),
        i.disabled_at.into(),
        i.disabled_by.clone().into(),
        i.created_at.into(),
        i.updated_at.into(),
    ])
}

/// Inserts tree items: on PostgreSQL many rows per statement (one round
/// trip per hundred items); SQLite, in process, is faster reusing one
/// prepared single-row statement.
pub async fn insert_items(db: &impl ConnectionTrait, items: &[ItemRow]) -> Result<(), DbErr> {
    const COLUMNS: usize = 23;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        let sql = format!(
            "INSERT INTO items ({ITEM_COLUMNS}) VALUES ({})",
            placeholders(COLUMNS)
        );
        for item in items {
            db.execute_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                &sql,
                item_values(item)?,
            ))
            .await?;
        }
        return Ok(());
    }
    for chunk in items.chunks(100) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let params: Vec<String> = (1..=COLUMNS)
                    .map(|c| format!("${}", r * COLUMNS + c))
                    .collect();
                format!("({})", params.join(", "))
            })
            .collect();
        let mut values = Vec::with_capacity(chunk.len() * COLUMNS);
        for item in chunk {
            values.extend(item_values(item)?);
        }
        let sql = format!(
            "INSERT INTO items ({ITEM_COLUMNS}) VALUES {}",
            rows.join(", ")
        );
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            sql,
            values,
        ))
        .await?;
    }
    Ok(())
}

/// Writes back every column of an item.
pub async fn update_item(db: &impl ConnectionTrait, item: &ItemRow) -> Result<(), DbErr> {
    let assignments: Vec<String> = ITEM_COLUMNS
        .split(", ")
        .enumerate()
        .skip(1)
        .map(|(i, c)| format!("{c} = ${}", i + 1))
        .collect();
    let sql = format!("UPDATE items SET {} WHERE id = $1", assignments.join(", "));
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        item_values(item)?,
    ))
    .await?;
    Ok(())
}

/// Writes back the rolled-up columns of an item.
pub async fn update_rollup(db: &impl ConnectionTrait, item: &ItemRow) -> Result<(), DbErr> {
    run(
        db,
        "UPDATE items SET status = $2, progress = $3, start_at = $4, end_at = $5 WHERE id = $1",
        [
            item.id.clone().into(),
            item.status.as_str().into(),
            item.progress.into(),
            item.start_at.into(),
            item.end_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The item `id`.
pub async fn item(db: &impl ConnectionTrait, id: &str) -> Result<Option<ItemRow>, DbErr> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = $1");
    db.query_one_raw(statement(db, &sql, [id.into()]))
        .await?
        .map(|r| item_row(&r))
        .transpose()
}

/// Every item of a process, in order of addition.
pub async fn items(db: &impl ConnectionTrait, process_id: &str) -> Result<Vec<ItemRow>, DbErr> {
    let sql = format!("SELECT {ITEM_COLUMNS} FROM items WHERE process_id = $1 ORDER BY position");
    db.query_all_raw(statement(db, &sql, [process_id.into()]))
        .await?
        .iter()
        .map(item_row)
        .collect()
}

/// Deletes every item of a process, with the assets, grants and claims on
/// them.
pub async fn delete_items(db: &impl ConnectionTrait, process_id: &str) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM claims WHERE process_id = $1",
        [process_id.into()],
    )
    .await?;
    run(
        db,
        "DELETE FROM assets WHERE process_id = $1",
        [process_id.into()],
    )
    .await?;
    run(
        db,
        "DELETE FROM grants WHERE process_id = $1 AND item_id <> ''",
        [process_id.into()],
    )
    .await?;
    run(
        db,
        "DELETE FROM items WHERE process_id = $1",
        [process_id.into()],
    )
    .await?;
    Ok(())
}

// ---- projections ----

/// Records a team (created or updated).
pub async fn upsert_team(
    db: &impl ConnectionTrait,
    team_id: &str,
    organization_id: &str,
    team_type: &str,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO p_teams (team_id, organization_id, team_type) VALUES ($1, $2, $3) \
         ON CONFLICT (team_id) DO UPDATE SET organization_id = $2, team_type = $3",
        [team_id.into(), organization_id.into(), team_type.into()],
    )
    .await?;
    Ok(())
}

/// Forgets a team and its members.
pub async fn delete_team(db: &impl ConnectionTrait, team_id: &str) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM p_team_members WHERE team_id = $1",
        [team_id.into()],
    )
    .await?;
    run(
        db,
        "DELETE FROM p_teams WHERE team_id = $1",
        [team_id.into()],
    )
    .await?;
    Ok(())
}

/// Records a membership.
pub async fn add_member(
    db: &impl ConnectionTrait,
    team_id: &str,
    subject: &str,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO p_team_members (team_id, subject) VALUES ($1, $2) \
         ON CONFLICT (team_id, subject) DO NOTHING",
        [team_id.into(), subject.into()],
    )
    .await?;
    Ok(())
}

/// Forgets a membership.
pub async fn remove_member(
    db: &impl ConnectionTrait,
    team_id: &str,
    subject: &str,
) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM p_team_members WHERE team_id = $1 AND subject = $2",
        [team_id.into(), subject.into()],
    )
    .await?;
    Ok(())
}

/// Records a user community announced: their id and OIDC subject.
pub async fn remember_user(
    db: &impl ConnectionTrait,
    user_id: &str,
    subject: &str,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO p_users (user_id, subject) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET subject = $2",
        [user_id.into(), subject.into()],
    )
    .await?;
    Ok(())
}

/// The OIDC subject of a user community announced.
pub async fn user_subject(
    db: &impl ConnectionTrait,
    user_id: &str,
) -> Result<Option<String>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT subject FROM p_users WHERE user_id = $1",
        [user_id.into()],
    ))
    .await?
    .map(|r| r.try_get("", "subject"))
    .transpose()
}

/// Forgets every membership and organisation role of `subject` (erased).
pub async fn forget_subject(db: &impl ConnectionTrait, subject: &str) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM p_team_members WHERE subject = $1",
        [subject.into()],
    )
    .await?;
    run(
        db,
        "DELETE FROM p_organization_administrators WHERE subject = $1",
        [subject.into()],
    )
    .await?;
    run(
        db,
        "DELETE FROM p_users WHERE subject = $1",
        [subject.into()],
    )
    .await?;
    Ok(())
}

/// Records or forgets an organisation administrator.
pub async fn set_organization_administrator(
    db: &impl ConnectionTrait,
    organization_id: &str,
    subject: &str,
    administrator: bool,
) -> Result<(), DbErr> {
    if administrator {
        run(
            db,
            "INSERT INTO p_organization_administrators (organization_id, subject) VALUES ($1, $2) \
             ON CONFLICT (organization_id, subject) DO NOTHING",
            [organization_id.into(), subject.into()],
        )
        .await?;
    } else {
        run(
            db,
            "DELETE FROM p_organization_administrators WHERE organization_id = $1 AND subject = $2",
            [organization_id.into(), subject.into()],
        )
        .await?;
    }
    Ok(())
}

/// Forgets an organisation: its administrators and its visibility.
pub async fn forget_organization(
    db: &impl ConnectionTrait,
    organization_id: &str,
) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM p_organization_administrators WHERE organization_id = $1",
        [organization_id.into()],
    )
    .await?;
    run(
        db,
        "DELETE FROM p_organizations WHERE organization_id = $1",
        [organization_id.into()],
    )
    .await?;
    Ok(())
}

/// Whether `subject` belongs to a team of the organisation or administers it.
pub async fn belongs_to_organization(
    db: &impl ConnectionTrait,
    organization_id: &str,
    subject: &str,
) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            db,
            "SELECT 1 AS one FROM p_organization_administrators \
             WHERE organization_id = $1 AND subject = $2 \
             UNION ALL SELECT 1 AS one FROM p_team_members m JOIN p_teams t ON t.team_id = m.team_id \
             WHERE t.organization_id = $1 AND m.subject = $2",
            [organization_id.into(), subject.into()],
        ))
        .await?
        .is_some())
}

/// Whether `subject` administers the organisation.
pub async fn administers_organization(
    db: &impl ConnectionTrait,
    organization_id: &str,
    subject: &str,
) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            db,
            "SELECT 1 AS one FROM p_organization_administrators \
             WHERE organization_id = $1 AND subject = $2",
            [organization_id.into(), subject.into()],
        ))
        .await?
        .is_some())
}

/// A published schema version as learnt from the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaVersionRow {
    /// Schema id.
    pub schema_id: String,
    /// Version number.
    pub version: i32,
    /// Per language.
    pub title: Text,
    /// The encoded `SchemaVersion` items, as JSON of [`SchemaItem`]s.
    pub items: Vec<SchemaItem>,
    /// Where a mirrored version came from.
    pub origin: Option<Origin>,
}

/// One item of a learnt schema version.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SchemaItem {
    /// Key in the schema.
    pub key: String,
    /// `phase`, `objective` or `task`.
    pub kind: String,
    /// Parent's key; empty for phases.
    pub parent: String,
    /// Per language.
    pub title: Text,
    /// Per language.
    pub description: Text,
    /// Keys of siblings.
    pub prerequisites: Vec<String>,
    /// Codes.
    pub problem_profiles: Vec<String>,
    /// Phases.
    pub co_delivery: bool,
}

/// Records a published schema version (again: no change).
pub async fn upsert_schema_version(
    db: &impl ConnectionTrait,
    row: &SchemaVersionRow,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO p_schema_versions (schema_id, version, title, items, origin) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (schema_id, version) DO NOTHING",
        [
            row.schema_id.clone().into(),
            row.version.into(),
            to_json(&row.title)?.into(),
            to_json(&row.items)?.into(),
            origin_to(&row.origin)?.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Version `version` of `schema_id` (0: the newest known).
pub async fn schema_version(
    db: &impl ConnectionTrait,
    schema_id: &str,
    version: i32,
) -> Result<Option<SchemaVersionRow>, DbErr> {
    let row = if version == 0 {
        db.query_one_raw(statement(
            db,
            "SELECT schema_id, version, title, items, origin FROM p_schema_versions \
             WHERE schema_id = $1 ORDER BY version DESC LIMIT 1",
            [schema_id.into()],
        ))
        .await?
    } else {
        db.query_one_raw(statement(
            db,
            "SELECT schema_id, version, title, items, origin FROM p_schema_versions \
             WHERE schema_id = $1 AND version = $2",
            [schema_id.into(), version.into()],
        ))
        .await?
    };
    row.map(|r| {
        Ok(SchemaVersionRow {
            schema_id: r.try_get("", "schema_id")?,
            version: r.try_get("", "version")?,
            title: from_json(&r, "title")?,
            items: from_json(&r, "items")?,
            origin: origin_from(&r, "origin")?,
        })
    })
    .transpose()
}

/// An interlinker as learnt from the catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct InterlinkerRow {
    /// UUID.
    pub id: String,
    /// `software`, `knowledge` …
    pub nature: String,
    /// `published`, `deprecated` …
    pub state: String,
    /// Per language.
    pub title: Text,
    /// Codes.
    pub problem_profiles: Vec<String>,
    /// Knowledge: the software interlinker's id.
    pub software_interlinker: String,
    /// Knowledge: per language, the genesis asset URI.
    pub genesis_assets: Text,
    /// Software: the base URL of its interlinker contract.
    pub endpoint_uri: String,
    /// Software: what it can do with its assets (`clone`, `delete` …).
    pub capabilities: Vec<String>,
    /// The catalogue's aggregate version.
    pub version: i64,
}

/// Records an interlinker unless a newer version is known.
pub async fn upsert_interlinker(
    db: &impl ConnectionTrait,
    row: &InterlinkerRow,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO p_interlinkers (id, nature, state, title, problem_profiles, \
         software_interlinker, genesis_assets, version, endpoint_uri, capabilities) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (id) DO UPDATE SET nature = $2, state = $3, title = $4, \
         problem_profiles = $5, software_interlinker = $6, genesis_assets = $7, version = $8, \
         endpoint_uri = $9, capabilities = $10 WHERE p_interlinkers.version < $8",
        [
            row.id.clone().into(),
            row.nature.clone().into(),
            row.state.clone().into(),
            to_json(&row.title)?.into(),
            to_json(&row.problem_profiles)?.into(),
            row.software_interlinker.clone().into(),
            to_json(&row.genesis_assets)?.into(),
            row.version.into(),
            row.endpoint_uri.clone().into(),
            to_json(&row.capabilities)?.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The interlinker `id`, as far as it is known.
pub async fn interlinker(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<InterlinkerRow>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT id, nature, state, title, problem_profiles, software_interlinker, genesis_assets, \
         version, endpoint_uri, capabilities FROM p_interlinkers WHERE id = $1",
        [id.into()],
    ))
    .await?
    .map(|r| {
        Ok(InterlinkerRow {
            id: r.try_get("", "id")?,
            nature: r.try_get("", "nature")?,
            state: r.try_get("", "state")?,
            title: from_json(&r, "title")?,
            problem_profiles: from_json(&r, "problem_profiles")?,
            software_interlinker: r.try_get("", "software_interlinker")?,
            genesis_assets: from_json(&r, "genesis_assets")?,
            endpoint_uri: r.try_get("", "endpoint_uri")?,
            capabilities: from_json(&r, "capabilities")?,
            version: r.try_get("", "version")?,
        })
    })
    .transpose()
}

// ---- grants and assets ----

/// A stored grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRow {
    /// UUIDv7.
    pub id: String,
    /// Its process.
    pub process_id: String,
    /// The team granted.
    pub team_id: String,
    /// The item, or empty for the whole process.
    pub item_id: String,
    /// Access, create, delete assets.
    pub perms: crate::domain::permissions::Perms,
    /// OIDC subject.
    pub granted_by: String,
    /// Unix ms.
    pub created_at: i64,
}

const GRANT_COLUMNS: &str = "id, process_id, team_id, item_id, access_assets, create_assets, \
     delete_assets, granted_by, created_at";

fn grant_row(r: &QueryResult) -> Result<GrantRow, DbErr> {
    Ok(GrantRow {
        id: r.try_get("", "id")?,
        process_id: r.try_get("", "process_id")?,
        team_id: r.try_get("", "team_id")?,
        item_id: r.try_get("", "item_id")?,
        perms: crate::domain::permissions::Perms {
            access: r.try_get("", "access_assets")?,
            create: r.try_get("", "create_assets")?,
            delete: r.try_get("", "delete_assets")?,
        },
        granted_by: r.try_get("", "granted_by")?,
        created_at: r.try_get("", "created_at")?,
    })
}

/// Inserts a grant; false when the team has one on that target already.
pub async fn insert_grant(db: &impl ConnectionTrait, g: &GrantRow) -> Result<bool, DbErr> {
    let sql = format!(
        "INSERT INTO grants ({GRANT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (process_id, team_id, item_id) DO NOTHING"
    );
    Ok(run(
        db,
        &sql,
        [
            g.id.clone().into(),
            g.process_id.clone().into(),
            g.team_id.clone().into(),
            g.item_id.clone().into(),
            g.perms.access.into(),
            g.perms.create.into(),
            g.perms.delete.into(),
            g.granted_by.clone().into(),
            g.created_at.into(),
        ],
    )
    .await?
        == 1)
}

/// Deletes a grant.
pub async fn delete_grant(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    run(db, "DELETE FROM grants WHERE id = $1", [id.into()]).await?;
    Ok(())
}

/// The grants of a process, oldest first.
pub async fn grants(db: &impl ConnectionTrait, process_id: &str) -> Result<Vec<GrantRow>, DbErr> {
    let sql = format!("SELECT {GRANT_COLUMNS} FROM grants WHERE process_id = $1 ORDER BY id");
    db.query_all_raw(statement(db, &sql, [process_id.into()]))
        .await?
        .iter()
        .map(grant_row)
        .collect()
}

/// The organisation of a team this service knows.
pub async fn team_organization(
    db: &impl ConnectionTrait,
    team_id: &str,
) -> Result<Option<String>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT organization_id FROM p_teams WHERE team_id = $1",
        [team_id.into()],
    ))
    .await?
    .map(|r| r.try_get("", "organization_id"))
    .transpose()
}

/// Records whether an organisation is public.
pub async fn set_organization_public(
    db: &impl ConnectionTrait,
    organization_id: &str,
    public: bool,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO p_organizations (organization_id, public) VALUES ($1, $2) \
         ON CONFLICT (organization_id) DO UPDATE SET public = $2",
        [organization_id.into(), public.into()],
    )
    .await?;
    Ok(())
}

/// Whether an organisation is public (unknown ones are not).
pub async fn organization_public(
    db: &impl ConnectionTrait,
    organization_id: &str,
) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            db,
            "SELECT 1 AS one FROM p_organizations WHERE organization_id = $1 AND public",
            [organization_id.into()],
        ))
        .await?
        .is_some())
}

/// The ids of the teams `subject` belongs to.
pub async fn teams_of(db: &impl ConnectionTrait, subject: &str) -> Result<Vec<String>, DbErr> {
    db.query_all_raw(statement(
        db,
        "SELECT team_id FROM p_team_members WHERE subject = $1",
        [subject.into()],
    ))
    .await?
    .iter()
    .map(|r| r.try_get("", "team_id"))
    .collect()
}

/// Whether one of `subject`'s teams has a grant in the process.
pub async fn has_grant(
    db: &impl ConnectionTrait,
    process_id: &str,
    subject: &str,
) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            db,
            "SELECT 1 AS one FROM grants g JOIN p_team_members m ON m.team_id = g.team_id \
             WHERE g.process_id = $1 AND m.subject = $2",
            [process_id.into(), subject.into()],
        ))
        .await?
        .is_some())
}

/// A stored asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    /// UUIDv7.
    pub id: String,
    /// Its process.
    pub process_id: String,
    /// Its task.
    pub task_id: String,
    /// `internal` or `external`.
    pub kind: String,
    /// Internal: the interlinker's id.
    pub interlinker_id: String,
    /// Internal: its nature.
    pub interlinker_nature: String,
    /// Internal knowledge: the genesis asset cloned.
    pub genesis_asset_uri: String,
    /// Shown name.
    pub display_name: String,
    /// External: where it is.
    pub uri: String,
    /// OIDC subject.
    pub creator: String,
    /// Unix ms.
    pub created_at: i64,
    /// What its software interlinker holds of it.
    pub remote: RemoteAsset,
}

/// What a software interlinker holds of an asset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteAsset {
    /// Its id there (empty until made).
    pub external_id: String,
    /// The interlinker's base URL when it was made (empty: no remote asset).
    pub endpoint: String,
    /// What the interlinker could do with it then.
    pub capabilities: Vec<String>,
    /// `''` (nothing remote), `preparing`, `ready` or `failed`.
    pub preparation: String,
    /// Why it failed.
    pub error: String,
}

const ASSET_COLUMNS: &str = "id, process_id, task_id, kind, interlinker_id, interlinker_nature, \
     genesis_asset_uri, display_name, uri, creator, created_at, external_id, interlinker_endpoint, \
     capabilities, preparation, preparation_error";

fn asset_row(r: &QueryResult) -> Result<AssetRow, DbErr> {
    Ok(AssetRow {
        id: r.try_get("", "id")?,
        process_id: r.try_get("", "process_id")?,
        task_id: r.try_get("", "task_id")?,
        kind: r.try_get("", "kind")?,
        interlinker_id: r.try_get("", "interlinker_id")?,
        interlinker_nature: r.try_get("", "interlinker_nature")?,
        genesis_asset_uri: r.try_get("", "genesis_asset_uri")?,
        display_name: r.try_get("", "display_name")?,
        uri: r.try_get("", "uri")?,
        creator: r.try_get("", "creator")?,
        created_at: r.try_get("", "created_at")?,
        remote: RemoteAsset {
            external_id: r.try_get("", "external_id")?,
            endpoint: r.try_get("", "interlinker_endpoint")?,
            capabilities: from_json(r, "capabilities")?,
            preparation: r.try_get("", "preparation")?,
            error: r.try_get("", "preparation_error")?,
        },
    })
}

/// Inserts an asset.
pub async fn insert_asset(db: &impl ConnectionTrait, a: &AssetRow) -> Result<(), DbErr> {
    let sql = format!(
        "INSERT INTO assets ({ASSET_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    );
    run(
        db,
        &sql,
        [
            a.id.clone().into(),
            a.process_id.clone().into(),
            a.task_id.clone().into(),
            a.kind.clone().into(),
            a.interlinker_id.clone().into(),
            a.interlinker_nature.clone().into(),
            a.genesis_asset_uri.clone().into(),
            a.display_name.clone().into(),
            a.uri.clone().into(),
            a.creator.clone().into(),
            a.created_at.into(),
            a.remote.external_id.clone().into(),
            a.remote.endpoint.clone().into(),
            to_json(&a.remote.capabilities)?.into(),
            a.remote.preparation.clone().into(),
            a.remote.error.clone().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Records how making asset `id` on its interlinker ended: `ready` with its
/// `external_id` there, or `failed` with `error`. `false` when the asset is
/// gone meanwhile.
pub async fn set_asset_preparation(
    db: &impl ConnectionTrait,
    id: &str,
    preparation: &str,
    external_id: &str,
    error: &str,
) -> Result<bool, DbErr> {
    Ok(run(
        db,
        "UPDATE assets SET preparation = $2, external_id = $3, preparation_error = $4 WHERE id = $1",
        [id.into(), preparation.into(), external_id.into(), error.into()],
    )
    .await?
        == 1)
}

/// The asset `id`.
pub async fn asset(db: &impl ConnectionTrait, id: &str) -> Result<Option<AssetRow>, DbErr> {
    let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE id = $1");
    db.query_one_raw(statement(db, &sql, [id.into()]))
        .await?
        .map(|r| asset_row(&r))
        .transpose()
}

/// The asset made on the interlinker at `endpoint` under `external_id`.
pub async fn asset_made_at(
    db: &impl ConnectionTrait,
    endpoint: &str,
    external_id: &str,
) -> Result<Option<AssetRow>, DbErr> {
    let sql = format!(
        "SELECT {ASSET_COLUMNS} FROM assets WHERE interlinker_endpoint = $1 AND external_id = $2"
    );
    db.query_one_raw(statement(db, &sql, [endpoint.into(), external_id.into()]))
        .await?
        .map(|r| asset_row(&r))
        .transpose()
}

/// Every asset of a process, oldest first.
pub async fn assets(db: &impl ConnectionTrait, process_id: &str) -> Result<Vec<AssetRow>, DbErr> {
    let sql = format!("SELECT {ASSET_COLUMNS} FROM assets WHERE process_id = $1 ORDER BY id");
    db.query_all_raw(statement(db, &sql, [process_id.into()]))
        .await?
        .iter()
        .map(asset_row)
        .collect()
}

/// Deletes an asset.
pub async fn delete_asset(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    run(db, "DELETE FROM assets WHERE id = $1", [id.into()]).await?;
    Ok(())
}

/// A stored claim.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimRow {
    /// UUIDv7.
    pub id: String,
    /// Its process.
    pub process_id: String,
    /// The task claimed (or the asset's task).
    pub task_id: String,
    /// The asset claimed, or empty for a task claim.
    pub asset_id: String,
    /// `management`, `development` or `exploitation`.
    pub claim_type: String,
    /// What was done.
    pub description: String,
    /// OIDC subject.
    pub claimant: String,
    /// `pending`, `accepted` or `rejected`.
    pub state: String,
    /// OIDC subject, or empty.
    pub decided_by: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub decided_at: Option<i64>,
}

const CLAIM_COLUMNS: &str = "id, process_id, task_id, asset_id, claim_type, description, \
     claimant, state, decided_by, created_at, decided_at";

fn claim_row(r: &QueryResult) -> Result<ClaimRow, DbErr> {
    Ok(ClaimRow {
        id: r.try_get("", "id")?,
        process_id: r.try_get("", "process_id")?,
        task_id: r.try_get("", "task_id")?,
        asset_id: r.try_get("", "asset_id")?,
        claim_type: r.try_get("", "claim_type")?,
        description: r.try_get("", "description")?,
        claimant: r.try_get("", "claimant")?,
        state: r.try_get("", "state")?,
        decided_by: r.try_get("", "decided_by")?,
        created_at: r.try_get("", "created_at")?,
        decided_at: r.try_get("", "decided_at")?,
    })
}

/// Inserts or replaces (by id) a claim.
pub async fn save_claim(db: &impl ConnectionTrait, c: &ClaimRow) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM claims WHERE id = $1",
        [c.id.clone().into()],
    )
    .await?;
    let sql = format!(
        "INSERT INTO claims ({CLAIM_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    );
    run(
        db,
        &sql,
        [
            c.id.clone().into(),
            c.process_id.clone().into(),
            c.task_id.clone().into(),
            c.asset_id.clone().into(),
            c.claim_type.clone().into(),
            c.description.clone().into(),
            c.claimant.clone().into(),
            c.state.clone().into(),
            c.decided_by.clone().into(),
            c.created_at.into(),
            c.decided_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The claims of a process, oldest first.
pub async fn claims(db: &impl ConnectionTrait, process_id: &str) -> Result<Vec<ClaimRow>, DbErr> {
    let sql = format!("SELECT {CLAIM_COLUMNS} FROM claims WHERE process_id = $1 ORDER BY id");
    db.query_all_raw(statement(db, &sql, [process_id.into()]))
        .await?
        .iter()
        .map(claim_row)
        .collect()
}

/// A stored story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryRow {
    /// UUIDv7.
    pub id: String,
    /// Its process.
    pub process_id: String,
    /// Required.
    pub title: String,
    /// Free text.
    pub description: String,
    /// Free text.
    pub results: String,
    /// Free text.
    pub lessons_learned: String,
    /// Licence names.
    pub licences: Vec<String>,
    /// Keywords.
    pub keywords: Vec<String>,
    /// Unix ms.
    pub start_at: Option<i64>,
    /// Unix ms.
    pub end_at: Option<i64>,
    /// OIDC subject.
    pub author: String,
    /// Sum of ratings.
    pub rating_sum: i64,
    /// Number of ratings.
    pub rating_count: i64,
    /// Unix ms.
    pub published_at: i64,
    /// Shared with federated deployments.
    pub shared: bool,
    /// Set on a mirror of another deployment's story (which has no
    /// process here).
    pub origin: Option<Origin>,
    /// A mirror its origin no longer shares.
    pub withdrawn: bool,
}

const STORY_COLUMNS: &str = "id, process_id, title, description, results, lessons_learned, \
     licences, keywords, start_at, end_at, author, rating_sum, rating_count, published_at, shared";

/// The columns of both tables as one row shape: a local story has no
/// origin; a mirror no process, author or local rating.
const LOCAL_STORY_SELECT: &str = "s.id, s.process_id, s.title, s.description, s.results, \
     s.lessons_learned, s.licences, s.keywords, s.start_at, s.end_at, s.author, s.rating_sum, \
     s.rating_count, s.published_at, s.shared, '' AS origin, FALSE AS withdrawn";
const MIRRORED_STORY_SELECT: &str = "m.id, '' AS process_id, m.title, m.description, m.results, \
     m.lessons_learned, m.licences, m.keywords, m.start_at, m.end_at, '' AS author, \
     CAST(0 AS BIGINT) AS rating_sum, CAST(0 AS BIGINT) AS rating_count, m.published_at, FALSE AS shared, m.origin, m.withdrawn";

fn story_row(r: &QueryResult) -> Result<StoryRow, DbErr> {
    Ok(StoryRow {
        id: r.try_get("", "id")?,
        process_id: r.try_get("", "process_id")?,
        title: r.try_get("", "title")?,
        description: r.try_get("", "description")?,
        results: r.try_get("", "results")?,
        lessons_learned: r.try_get("", "lessons_learned")?,
        licences: from_json(r, "licences")?,
        keywords: from_json(r, "keywords")?,
        start_at: r.try_get("", "start_at")?,
        end_at: r.try_get("", "end_at")?,
        author: r.try_get("", "author")?,
        rating_sum: r.try_get("", "rating_sum")?,
        rating_count: r.try_get("", "rating_count")?,
        published_at: r.try_get("", "published_at")?,
        shared: r.try_get("", "shared")?,
        origin: match r.try_get::<String>("", "origin") {
            Ok(_) => origin_from(r, "origin")?,
            Err(_) => None,
        },
        withdrawn: r.try_get("", "withdrawn").unwrap_or(false),
    })
}

/// Inserts or replaces (by id) a story.
pub async fn save_story(db: &impl ConnectionTrait, s: &StoryRow) -> Result<(), DbErr> {
    let exists = story(db, &s.id).await?.is_some();
    let values: Vec<Value> = vec![
        s.id.clone().into(),
        s.process_id.clone().into(),
        s.title.clone().into(),
        s.description.clone().into(),
        s.results.clone().into(),
        s.lessons_learned.clone().into(),
        to_json(&s.licences)?.into(),
        to_json(&s.keywords)?.into(),
        s.start_at.into(),
        s.end_at.into(),
        s.author.clone().into(),
        s.rating_sum.into(),
        s.rating_count.into(),
        s.published_at.into(),
        s.shared.into(),
    ];
    let sql = if exists {
        let assignments: Vec<String> = STORY_COLUMNS
            .split(", ")
            .enumerate()
            .skip(1)
            .map(|(i, c)| format!("{c} = ${}", i + 1))
            .collect();
        format!(
            "UPDATE stories SET {} WHERE id = $1",
            assignments.join(", ")
        )
    } else {
        format!(
            "INSERT INTO stories ({STORY_COLUMNS}) VALUES ({})",
            placeholders(values.len())
        )
    };
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?;
    Ok(())
}

/// The story `id`, local or mirrored.
pub async fn story(db: &impl ConnectionTrait, id: &str) -> Result<Option<StoryRow>, DbErr> {
    let sql = format!(
        "SELECT {LOCAL_STORY_SELECT} FROM stories s WHERE s.id = $1 \
         UNION ALL SELECT {MIRRORED_STORY_SELECT} FROM mirrored_stories m WHERE m.id = $1"
    );
    db.query_one_raw(statement(db, &sql, [id.into()]))
        .await?
        .map(|r| story_row(&r))
        .transpose()
}

/// The key of a mirrored story: its origin's issuer and name.
pub fn mirror_key(deployment: &str, name: &str) -> String {
    format!("{deployment}#{name}")
}

/// The mirrored story of `key` ([`mirror_key`]).
pub async fn mirrored_story_by_key(
    db: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<StoryRow>, DbErr> {
    let sql =
        format!("SELECT {MIRRORED_STORY_SELECT} FROM mirrored_stories m WHERE m.origin_key = $1");
    db.query_one_raw(statement(db, &sql, [key.into()]))
        .await?
        .map(|r| story_row(&r))
        .transpose()
}

/// Writes a mirrored story (by id) with the document of its process.
pub async fn save_mirrored_story(
    db: &impl ConnectionTrait,
    s: &StoryRow,
    process_document: &str,
    now: i64,
) -> Result<(), DbErr> {
    let origin = s
        .origin
        .as_ref()
        .ok_or_else(|| DbErr::Custom("a mirrored story without its origin".into()))?;
    run(
        db,
        "DELETE FROM mirrored_stories WHERE id = $1",
        [s.id.clone().into()],
    )
    .await?;
    run(
        db,
        "INSERT INTO mirrored_stories (id, origin_key, origin_deployment, origin, title, \
         description, results, lessons_learned, licences, keywords, start_at, end_at, \
         published_at, withdrawn, process_document, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
        [
            s.id.clone().into(),
            mirror_key(&origin.deployment, &origin.name).into(),
            origin.deployment.clone().into(),
            to_json(origin)?.into(),
            s.title.clone().into(),
            s.description.clone().into(),
            s.results.clone().into(),
            s.lessons_learned.clone().into(),
            to_json(&s.licences)?.into(),
            to_json(&s.keywords)?.into(),
            s.start_at.into(),
            s.end_at.into(),
            s.published_at.into(),
            s.withdrawn.into(),
            process_document.into(),
            now.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The deployments stories are mirrored from, by address: each with the
/// origin of one of its stories (for its name) and how many.
pub async fn mirrored_story_origins(
    db: &impl ConnectionTrait,
) -> Result<Vec<(Origin, i64)>, DbErr> {
    db.query_all_raw(statement(
        db,
        "SELECT MAX(origin) AS origin, COUNT(*) AS n FROM mirrored_stories \
         GROUP BY origin_deployment ORDER BY origin_deployment",
        [],
    ))
    .await?
    .iter()
    .map(|r| {
        let origin = origin_from(r, "origin")?.unwrap_or_default();
        Ok((origin, r.try_get("", "n")?))
    })
    .collect()
}

/// The process document of the mirrored story `id`.
pub async fn mirrored_story_document(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<String>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT process_document FROM mirrored_stories WHERE id = $1",
        [id.into()],
    ))
    .await?
    .map(|r| r.try_get("", "process_document"))
    .transpose()
}

/// Which stories a list takes, by where they come from.
#[derive(Debug, Clone, Default)]
pub struct StoryOrigins {
    /// This deployment's own.
    pub local: bool,
    /// Mirrors of these deployments' (issuers); with `all_mirrors`, every
    /// mirror.
    pub deployments: Vec<String>,
    /// Every mirror.
    pub all_mirrors: bool,
}

impl StoryOrigins {
    /// Local stories and every mirror.
    pub fn all() -> Self {
        Self {
            local: true,
            deployments: Vec::new(),
            all_mirrors: true,
        }
    }

    /// Local stories only.
    pub fn local() -> Self {
        Self {
            local: true,
            ..Self::default()
        }
    }
}

/// Up to `limit` stories below `before`, newest first; of one process when
/// `process_id` is given (then local ones only), else local ones and
/// mirrors as `origins` says.
pub async fn list_stories(
    db: &impl ConnectionTrait,
    process_id: Option<&str>,
    viewer: Option<&Viewer>,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<StoryRow>, DbErr> {
    let origins = if process_id.is_some() {
        StoryOrigins::local()
    } else {
        StoryOrigins::all()
    };
    list_stories_from(db, process_id, viewer, before, limit, &origins).await
}

/// [`list_stories`] from the given origins.
pub async fn list_stories_from(
    db: &impl ConnectionTrait,
    process_id: Option<&str>,
    viewer: Option<&Viewer>,
    before: Option<&str>,
    limit: u64,
    origins: &StoryOrigins,
) -> Result<Vec<StoryRow>, DbErr> {
    let visible = match viewer {
        None => "TRUE".to_owned(),
        Some(v) if v.platform_admin => "TRUE".to_owned(),
        Some(v) if v.subject.is_empty() => "p.public".to_owned(),
        Some(_) => visible_condition("$4"),
    };
    let mut parts = Vec::new();
    if origins.local {
        parts.push(format!(
            "SELECT {LOCAL_STORY_SELECT} FROM stories s JOIN processes p ON p.id = s.process_id \
             WHERE s.id < $1 AND ($2 = '' OR s.process_id = $2) AND {visible}"
        ));
    }
    let mut values: Vec<Value> = vec![
        before.unwrap_or("g").into(),
        process_id.unwrap_or("").into(),
        (limit as i64).into(),
    ];
    // PostgreSQL refuses a bound value the statement does not use.
    if origins.local && visible.contains("$4") {
        values.push(viewer.map(|v| v.subject.clone()).unwrap_or_default().into());
    }
    if origins.all_mirrors || !origins.deployments.is_empty() {
        let filter = if origins.all_mirrors {
            "TRUE".to_owned()
        } else {
            let first = values.len() + 1;
            let list: Vec<String> = (0..origins.deployments.len())
                .map(|i| format!("${}", first + i))
                .collect();
            values.extend(origins.deployments.iter().map(|d| Value::from(d.clone())));
            format!("m.origin_deployment IN ({})", list.join(", "))
        };
        parts.push(format!(
            "SELECT {MIRRORED_STORY_SELECT} FROM mirrored_stories m \
             WHERE m.id < $1 AND $2 = '' AND {filter}"
        ));
    }
    if parts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT * FROM ({}) AS listed ORDER BY id DESC LIMIT $3",
        parts.join(" UNION ALL ")
    );
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?
    .iter()
    .map(story_row)
    .collect()
}

/// Who reads a list, for the visibility of what it lists.
#[derive(Debug, Clone, Default)]
pub struct Viewer {
    /// The caller's subject; empty for anonymous callers (public only).
    pub subject: String,
    /// Platform administrators see everything.
    pub platform_admin: bool,
}

/// `rater`'s rating of a story, if any.
pub async fn story_rating(
    db: &impl ConnectionTrait,
    story_id: &str,
    rater: &str,
) -> Result<Option<i32>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT value FROM story_ratings WHERE story_id = $1 AND rater = $2",
        [story_id.into(), rater.into()],
    ))
    .await?
    .map(|r| r.try_get("", "value"))
    .transpose()
}

/// Records `rater`'s rating of a story (replacing theirs).
pub async fn set_story_rating(
    db: &impl ConnectionTrait,
    story_id: &str,
    rater: &str,
    value: i32,
    at: i64,
) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM story_ratings WHERE story_id = $1 AND rater = $2",
        [story_id.into(), rater.into()],
    )
    .await?;
    run(
        db,
        "INSERT INTO story_ratings (story_id, rater, value, rated_at) VALUES ($1, $2, $3, $4)",
        [story_id.into(), rater.into(), value.into(), at.into()],
    )
    .await?;
    Ok(())
}
