//! The catalogue's tables. The one place that touches SQL; plain statements
//! that run unchanged on PostgreSQL and SQLite.

pub mod migrations;

use std::collections::BTreeSet;

use interlink_runtime::db::{run, statement};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::domain::Text;
use crate::domain::interlinker::{Fields, Label, Nature, Origin, State};
use crate::domain::profile::Profile;
use crate::domain::schema::Item;

fn from_json<T: DeserializeOwned>(row: &QueryResult, column: &str) -> Result<T, DbErr> {
    let text: String = row.try_get("", column)?;
    serde_json::from_str(&text).map_err(|e| DbErr::Custom(format!("{column}: {e}")))
}

fn to_json<T: Serialize>(value: &T) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Custom(format!("encoding JSON: {e}")))
}

fn label<T: Label>(row: &QueryResult, column: &str) -> Result<T, DbErr> {
    let text: String = row.try_get("", column)?;
    T::parse(&text).ok_or_else(|| DbErr::Custom(format!("{column}: unknown value {text}")))
}

/// Takes the next catalogue revision. Call it in the write transaction:
/// the counter row stays locked until commit, so revisions commit in order.
pub async fn next_revision(txn: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = txn
        .query_one_raw(statement(
            txn,
            "UPDATE catalogue_revision SET value = value + 1 WHERE id = 1 RETURNING value",
            [],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("catalogue_revision".into()))?;
    row.try_get("", "value")
}

/// A stored interlinker.
#[derive(Debug, Clone, PartialEq)]
pub struct InterlinkerRow {
    /// UUID.
    pub id: String,
    /// Fixed at creation.
    pub nature: Nature,
    /// Lifecycle.
    pub state: State,
    /// Creator's OIDC subject.
    pub owner: String,
    /// What editors write.
    pub fields: Fields,
    /// Sum of the rating values.
    pub rating_sum: i64,
    /// Number of ratings.
    pub rating_count: i64,
    /// Assets made from it.
    pub adoption_count: i64,
    /// Catalogue revision of the last change.
    pub revision: i64,
    /// Aggregate version (events).
    pub version: i64,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// Unix ms of the last publication.
    pub published_at: Option<i64>,
}

const INTERLINKER_COLUMNS: &str = "id, nature, state, owner, fields, rating_sum, rating_count, \
     adoption_count, revision, version, created_at, updated_at, published_at";

fn interlinker_row(row: &QueryResult) -> Result<InterlinkerRow, DbErr> {
    Ok(InterlinkerRow {
        id: row.try_get("", "id")?,
        nature: label(row, "nature")?,
        state: label(row, "state")?,
        owner: row.try_get("", "owner")?,
        fields: from_json(row, "fields")?,
        rating_sum: row.try_get("", "rating_sum")?,
        rating_count: row.try_get("", "rating_count")?,
        adoption_count: row.try_get("", "adoption_count")?,
        revision: row.try_get("", "revision")?,
        version: row.try_get("", "version")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
        published_at: row.try_get("", "published_at")?,
    })
}

/// Inserts a new interlinker.
pub async fn insert_interlinker(
    db: &impl ConnectionTrait,
    row: &InterlinkerRow,
) -> Result<(), DbErr> {
    let sql = format!(
        "INSERT INTO interlinkers ({INTERLINKER_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    );
    run(
        db,
        &sql,
        [
            row.id.clone().into(),
            row.nature.as_str().into(),
            row.state.as_str().into(),
            row.owner.clone().into(),
            to_json(&row.fields)?.into(),
            row.rating_sum.into(),
            row.rating_count.into(),
            row.adoption_count.into(),
            row.revision.into(),
            row.version.into(),
            row.created_at.into(),
            row.updated_at.into(),
            row.published_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Writes back an interlinker's state, fields, counters and times.
pub async fn update_interlinker(
    db: &impl ConnectionTrait,
    row: &InterlinkerRow,
) -> Result<(), DbErr> {
    run(
        db,
        "UPDATE interlinkers SET state = $2, fields = $3, rating_sum = $4, rating_count = $5, \
         adoption_count = $6, revision = $7, version = $8, updated_at = $9, published_at = $10 \
         WHERE id = $1",
        [
            row.id.clone().into(),
            row.state.as_str().into(),
            to_json(&row.fields)?.into(),
            row.rating_sum.into(),
            row.rating_count.into(),
            row.adoption_count.into(),
            row.revision.into(),
            row.version.into(),
            row.updated_at.into(),
            row.published_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes an interlinker and its ratings.
pub async fn delete_interlinker(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM ratings WHERE interlinker_id = $1",
        [id.into()],
    )
    .await?;
    run(db, "DELETE FROM interlinkers WHERE id = $1", [id.into()]).await?;
    Ok(())
}

/// The interlinker `id`.
pub async fn interlinker(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<InterlinkerRow>, DbErr> {
    let sql = format!("SELECT {INTERLINKER_COLUMNS} FROM interlinkers WHERE id = $1");
    db.query_one_raw(statement(db, &sql, [id.into()]))
        .await?
        .map(|r| interlinker_row(&r))
        .transpose()
}

/// Up to `limit` interlinkers in `state` with ids after `after`, by id
/// (UUIDv7: oldest first).
pub async fn list_interlinkers(
    db: &impl ConnectionTrait,
    state: State,
    after: Option<&str>,
    limit: u64,
) -> Result<Vec<InterlinkerRow>, DbErr> {
    let sql = format!(
        "SELECT {INTERLINKER_COLUMNS} FROM interlinkers WHERE state = $1 AND id > $2 \
         ORDER BY id LIMIT $3"
    );
    db.query_all_raw(statement(
        db,
        &sql,
        [
            state.as_str().into(),
            after.unwrap_or("").into(),
            (limit as i64).into(),
        ],
    ))
    .await?
    .iter()
    .map(interlinker_row)
    .collect()
}

/// Interlinkers changed after catalogue revision `revision`, oldest change
/// first, at most `limit`.
pub async fn interlinkers_since(
    db: &impl ConnectionTrait,
    revision: i64,
    limit: u64,
) -> Result<Vec<InterlinkerRow>, DbErr> {
    let sql = format!(
        "SELECT {INTERLINKER_COLUMNS} FROM interlinkers WHERE revision > $1 \
         ORDER BY revision LIMIT $2"
    );
    db.query_all_raw(statement(
        db,
        &sql,
        [revision.into(), (limit as i64).into()],
    ))
    .await?
    .iter()
    .map(interlinker_row)
    .collect()
}

/// Moves the revision counter to `revision` (after a writer that took a
/// range of revisions under the counter's lock).
pub async fn set_revision(txn: &impl ConnectionTrait, revision: i64) -> Result<(), DbErr> {
    run(
        txn,
        "UPDATE catalogue_revision SET value = $1 WHERE id = 1",
        [revision.into()],
    )
    .await?;
    Ok(())
}

/// Adds `delta` to an interlinker's adoption count (never below zero) as
/// catalogue revision `revision`.
pub async fn adjust_adoption(
    txn: &impl ConnectionTrait,
    id: &str,
    delta: i64,
    revision: i64,
) -> Result<(), DbErr> {
    run(
        txn,
        "UPDATE interlinkers SET adoption_count = CASE WHEN adoption_count + $2 < 0 THEN 0 \
         ELSE adoption_count + $2 END, revision = $3 WHERE id = $1",
        [id.into(), delta.into(), revision.into()],
    )
    .await?;
    Ok(())
}

/// The newest catalogue revision committed.
pub async fn current_revision(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT value FROM catalogue_revision WHERE id = 1",
            [],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("catalogue_revision".into()))?;
    row.try_get("", "value")
}

/// A stored rating.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingRow {
    /// UUIDv7.
    pub id: String,
    /// The rated interlinker.
    pub interlinker_id: String,
    /// OIDC subject.
    pub author: String,
    /// 1–5.
    pub value: i32,
    /// May be empty.
    pub title: String,
    /// May be empty.
    pub text: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

const RATING_COLUMNS: &str =
    "id, interlinker_id, author, value, title, body, created_at, updated_at";

fn rating_row(row: &QueryResult) -> Result<RatingRow, DbErr> {
    Ok(RatingRow {
        id: row.try_get("", "id")?,
        interlinker_id: row.try_get("", "interlinker_id")?,
        author: row.try_get("", "author")?,
        value: row.try_get("", "value")?,
        title: row.try_get("", "title")?,
        text: row.try_get("", "body")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
    })
}

/// `author`'s rating of `interlinker_id`.
pub async fn rating_by_author(
    db: &impl ConnectionTrait,
    interlinker_id: &str,
    author: &str,
) -> Result<Option<RatingRow>, DbErr> {
    let sql =
        format!("SELECT {RATING_COLUMNS} FROM ratings WHERE interlinker_id = $1 AND author = $2");
    db.query_one_raw(statement(db, &sql, [interlinker_id.into(), author.into()]))
        .await?
        .map(|r| rating_row(&r))
        .transpose()
}

/// The rating `id` of `interlinker_id`.
pub async fn rating(
    db: &impl ConnectionTrait,
    interlinker_id: &str,
    id: &str,
) -> Result<Option<RatingRow>, DbErr> {
    let sql = format!("SELECT {RATING_COLUMNS} FROM ratings WHERE interlinker_id = $1 AND id = $2");
    db.query_one_raw(statement(db, &sql, [interlinker_id.into(), id.into()]))
        .await?
        .map(|r| rating_row(&r))
        .transpose()
}

/// Inserts or replaces (by id) a rating.
pub async fn upsert_rating(db: &impl ConnectionTrait, row: &RatingRow) -> Result<(), DbErr> {
    run(
        db,
        "DELETE FROM ratings WHERE id = $1",
        [row.id.clone().into()],
    )
    .await?;
    let sql =
        format!("INSERT INTO ratings ({RATING_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)");
    run(
        db,
        &sql,
        [
            row.id.clone().into(),
            row.interlinker_id.clone().into(),
            row.author.clone().into(),
            row.value.into(),
            row.title.clone().into(),
            row.text.clone().into(),
            row.created_at.into(),
            row.updated_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Deletes the rating `id`.
pub async fn delete_rating(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    run(db, "DELETE FROM ratings WHERE id = $1", [id.into()]).await?;
    Ok(())
}

/// Up to `limit` ratings of `interlinker_id` older than `before`, newest
/// first.
pub async fn list_ratings(
    db: &impl ConnectionTrait,
    interlinker_id: &str,
    before: Option<&str>,
    limit: u64,
) -> Result<Vec<RatingRow>, DbErr> {
    // Every UUID sorts below "g".
    let sql = format!(
        "SELECT {RATING_COLUMNS} FROM ratings WHERE interlinker_id = $1 AND id < $2 \
         ORDER BY id DESC LIMIT $3"
    );
    db.query_all_raw(statement(
        db,
        &sql,
        [
            interlinker_id.into(),
            before.unwrap_or("g").into(),
            (limit as i64).into(),
        ],
    ))
    .await?
    .iter()
    .map(rating_row)
    .collect()
}

/// A stored problem profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRow {
    /// Code, family and texts.
    pub profile: Profile,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

const PROFILE_COLUMNS: &str = "code, family, title, description, created_at, updated_at";

fn profile_row(row: &QueryResult) -> Result<ProfileRow, DbErr> {
    Ok(ProfileRow {
        profile: Profile {
            code: row.try_get("", "code")?,
            family: row.try_get("", "family")?,
            title: from_json(row, "title")?,
            description: from_json(row, "description")?,
        },
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
    })
}

/// Inserts a profile; false when its code exists.
pub async fn insert_profile(db: &impl ConnectionTrait, row: &ProfileRow) -> Result<bool, DbErr> {
    let sql = format!(
        "INSERT INTO problem_profiles ({PROFILE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (code) DO NOTHING"
    );
    let p = &row.profile;
    let inserted = run(
        db,
        &sql,
        [
            p.code.clone().into(),
            p.family.clone().into(),
            to_json(&p.title)?.into(),
            to_json(&p.description)?.into(),
            row.created_at.into(),
            row.updated_at.into(),
        ],
    )
    .await?;
    Ok(inserted == 1)
}

/// Writes back a profile's family and texts.
pub async fn update_profile(db: &impl ConnectionTrait, row: &ProfileRow) -> Result<(), DbErr> {
    let p = &row.profile;
    run(
        db,
        "UPDATE problem_profiles SET family = $2, title = $3, description = $4, updated_at = $5 \
         WHERE code = $1",
        [
            p.code.clone().into(),
            p.family.clone().into(),
            to_json(&p.title)?.into(),
            to_json(&p.description)?.into(),
            row.updated_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The profile `code`.
pub async fn profile(db: &impl ConnectionTrait, code: &str) -> Result<Option<ProfileRow>, DbErr> {
    let sql = format!("SELECT {PROFILE_COLUMNS} FROM problem_profiles WHERE code = $1");
    db.query_one_raw(statement(db, &sql, [code.into()]))
        .await?
        .map(|r| profile_row(&r))
        .transpose()
}

/// Every profile (of `family`, when given), by code.
pub async fn list_profiles(
    db: &impl ConnectionTrait,
    family: Option<&str>,
) -> Result<Vec<ProfileRow>, DbErr> {
    let rows = match family {
        Some(family) => {
            let sql = format!(
                "SELECT {PROFILE_COLUMNS} FROM problem_profiles WHERE family = $1 ORDER BY code"
            );
            db.query_all_raw(statement(db, &sql, [family.into()]))
                .await?
        }
        None => {
            let sql = format!("SELECT {PROFILE_COLUMNS} FROM problem_profiles ORDER BY code");
            db.query_all_raw(statement(db, &sql, [])).await?
        }
    };
    rows.iter().map(profile_row).collect()
}

/// The codes of every profile.
pub async fn profile_codes(db: &impl ConnectionTrait) -> Result<BTreeSet<String>, DbErr> {
    db.query_all_raw(statement(db, "SELECT code FROM problem_profiles", []))
        .await?
        .iter()
        .map(|r| r.try_get("", "code"))
        .collect()
}

/// A stored schema and its draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaRow {
    /// `default`, `hackathon` …
    pub id: String,
    /// Per language.
    pub title: Text,
    /// Per language.
    pub description: Text,
    /// The draft tree, in tree order.
    pub items: Vec<Item>,
    /// 0 before the first publication.
    pub latest_version: i32,
    /// Whether the draft differs from the latest version.
    pub draft_changed: bool,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
    /// Shared with federated deployments.
    pub shared: bool,
    /// Set on a mirror of another deployment's schema (read-only).
    pub origin: Option<Origin>,
    /// A mirror its origin no longer shares.
    pub withdrawn: bool,
    /// Set on a local schema adopted from a mirror.
    pub adopted_from: Option<Origin>,
}

const SCHEMA_COLUMNS: &str = "id, title, description, items, latest_version, draft_changed, \
     created_at, updated_at, shared, origin, withdrawn, adopted_from";

/// An optional origin, stored as JSON ('' for none).
fn origin_from(row: &QueryResult) -> Result<Option<Origin>, DbErr> {
    origin_column(row, "origin")
}

fn origin_column(row: &QueryResult, column: &str) -> Result<Option<Origin>, DbErr> {
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

fn schema_row(row: &QueryResult) -> Result<SchemaRow, DbErr> {
    Ok(SchemaRow {
        id: row.try_get("", "id")?,
        title: from_json(row, "title")?,
        description: from_json(row, "description")?,
        items: from_json(row, "items")?,
        latest_version: row.try_get("", "latest_version")?,
        draft_changed: row.try_get("", "draft_changed")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
        shared: row.try_get("", "shared")?,
        origin: origin_from(row)?,
        withdrawn: row.try_get("", "withdrawn")?,
        adopted_from: origin_column(row, "adopted_from")?,
    })
}

/// Inserts a schema; false when its id exists.
pub async fn insert_schema(db: &impl ConnectionTrait, row: &SchemaRow) -> Result<bool, DbErr> {
    let sql = format!(
        "INSERT INTO schemas ({SCHEMA_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING"
    );
    let inserted = run(
        db,
        &sql,
        [
            row.id.clone().into(),
            to_json(&row.title)?.into(),
            to_json(&row.description)?.into(),
            to_json(&row.items)?.into(),
            row.latest_version.into(),
            row.draft_changed.into(),
            row.created_at.into(),
            row.updated_at.into(),
            row.shared.into(),
            origin_to(&row.origin)?.into(),
            row.withdrawn.into(),
            origin_to(&row.adopted_from)?.into(),
        ],
    )
    .await?;
    Ok(inserted == 1)
}

/// Writes back a schema's texts, draft, version bookkeeping, sharing and
/// origin.
pub async fn update_schema(db: &impl ConnectionTrait, row: &SchemaRow) -> Result<(), DbErr> {
    run(
        db,
        "UPDATE schemas SET title = $2, description = $3, items = $4, latest_version = $5, \
         draft_changed = $6, updated_at = $7, shared = $8, origin = $9, withdrawn = $10 \
         WHERE id = $1",
        [
            row.id.clone().into(),
            to_json(&row.title)?.into(),
            to_json(&row.description)?.into(),
            to_json(&row.items)?.into(),
            row.latest_version.into(),
            row.draft_changed.into(),
            row.updated_at.into(),
            row.shared.into(),
            origin_to(&row.origin)?.into(),
            row.withdrawn.into(),
        ],
    )
    .await?;
    Ok(())
}

/// The schema `id`.
pub async fn schema(db: &impl ConnectionTrait, id: &str) -> Result<Option<SchemaRow>, DbErr> {
    let sql = format!("SELECT {SCHEMA_COLUMNS} FROM schemas WHERE id = $1");
    db.query_one_raw(statement(db, &sql, [id.into()]))
        .await?
        .map(|r| schema_row(&r))
        .transpose()
}

/// Up to `limit` schemas with ids after `after`, by id; with
/// `published_only`, those with a version.
pub async fn list_schemas(
    db: &impl ConnectionTrait,
    after: Option<&str>,
    published_only: bool,
    limit: u64,
) -> Result<Vec<SchemaRow>, DbErr> {
    let sql = format!(
        "SELECT {SCHEMA_COLUMNS} FROM schemas WHERE id > $1 AND latest_version >= $2 \
         ORDER BY id LIMIT $3"
    );
    db.query_all_raw(statement(
        db,
        &sql,
        [
            after.unwrap_or("").into(),
            i32::from(published_only).into(),
            (limit as i64).into(),
        ],
    ))
    .await?
    .iter()
    .map(schema_row)
    .collect()
}

/// A published, immutable schema version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    /// The schema's id.
    pub schema_id: String,
    /// 1, 2 …
    pub version: i32,
    /// Per language.
    pub title: Text,
    /// Per language.
    pub description: Text,
    /// The tree, in tree order.
    pub items: Vec<Item>,
    /// OIDC subject.
    pub publisher: String,
    /// Unix ms.
    pub published_at: i64,
    /// Where a mirrored version came from.
    pub origin: Option<Origin>,
}

const VERSION_COLUMNS: &str =
    "schema_id, version, title, description, items, publisher, published_at, origin";

fn version_row(row: &QueryResult) -> Result<VersionRow, DbErr> {
    Ok(VersionRow {
        schema_id: row.try_get("", "schema_id")?,
        version: row.try_get("", "version")?,
        title: from_json(row, "title")?,
        description: from_json(row, "description")?,
        items: from_json(row, "items")?,
        publisher: row.try_get("", "publisher")?,
        published_at: row.try_get("", "published_at")?,
        origin: origin_from(row)?,
    })
}

/// Inserts a version; false when it exists already.
pub async fn insert_version(db: &impl ConnectionTrait, row: &VersionRow) -> Result<bool, DbErr> {
    let sql = format!(
        "INSERT INTO schema_versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (schema_id, version) DO NOTHING"
    );
    let inserted = run(
        db,
        &sql,
        [
            row.schema_id.clone().into(),
            row.version.into(),
            to_json(&row.title)?.into(),
            to_json(&row.description)?.into(),
            to_json(&row.items)?.into(),
            row.publisher.clone().into(),
            row.published_at.into(),
            origin_to(&row.origin)?.into(),
        ],
    )
    .await?;
    Ok(inserted == 1)
}

/// Version `version` of `schema_id`.
pub async fn version(
    db: &impl ConnectionTrait,
    schema_id: &str,
    version: i32,
) -> Result<Option<VersionRow>, DbErr> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM schema_versions WHERE schema_id = $1 AND version = $2"
    );
    db.query_one_raw(statement(db, &sql, [schema_id.into(), version.into()]))
        .await?
        .map(|r| version_row(&r))
        .transpose()
}

/// Up to `limit` versions of `schema_id` below `before`, newest first.
pub async fn list_versions(
    db: &impl ConnectionTrait,
    schema_id: &str,
    before: Option<i32>,
    limit: u64,
) -> Result<Vec<VersionRow>, DbErr> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM schema_versions WHERE schema_id = $1 AND version < $2 \
         ORDER BY version DESC LIMIT $3"
    );
    db.query_all_raw(statement(
        db,
        &sql,
        [
            schema_id.into(),
            before.unwrap_or(i32::MAX).into(),
            (limit as i64).into(),
        ],
    ))
    .await?
    .iter()
    .map(version_row)
    .collect()
}

/// A catalogue editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditorRow {
    /// OIDC subject.
    pub subject: String,
    /// The platform administrator who added them.
    pub added_by: String,
    /// Unix ms.
    pub added_at: i64,
}

/// Whether `subject` is a listed editor.
pub async fn is_editor(db: &impl ConnectionTrait, subject: &str) -> Result<bool, DbErr> {
    Ok(db
        .query_one_raw(statement(
            db,
            "SELECT subject FROM catalogue_editors WHERE subject = $1",
            [subject.into()],
        ))
        .await?
        .is_some())
}

/// Lists `row.subject` as an editor (again: no change).
pub async fn add_editor(db: &impl ConnectionTrait, row: &EditorRow) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO catalogue_editors (subject, added_by, added_at) VALUES ($1, $2, $3) \
         ON CONFLICT (subject) DO NOTHING",
        [
            row.subject.clone().into(),
            row.added_by.clone().into(),
            row.added_at.into(),
        ],
    )
    .await?;
    Ok(())
}

/// Removes an editor; false when they were not one.
pub async fn remove_editor(db: &impl ConnectionTrait, subject: &str) -> Result<bool, DbErr> {
    Ok(run(
        db,
        "DELETE FROM catalogue_editors WHERE subject = $1",
        [subject.into()],
    )
    .await?
        == 1)
}

/// The editor `subject`.
pub async fn editor(db: &impl ConnectionTrait, subject: &str) -> Result<Option<EditorRow>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT subject, added_by, added_at FROM catalogue_editors WHERE subject = $1",
        [subject.into()],
    ))
    .await?
    .map(|r| {
        Ok(EditorRow {
            subject: r.try_get("", "subject")?,
            added_by: r.try_get("", "added_by")?,
            added_at: r.try_get("", "added_at")?,
        })
    })
    .transpose()
}

/// Every editor, by subject.
pub async fn list_editors(db: &impl ConnectionTrait) -> Result<Vec<EditorRow>, DbErr> {
    db.query_all_raw(statement(
        db,
        "SELECT subject, added_by, added_at FROM catalogue_editors ORDER BY subject",
        [],
    ))
    .await?
    .iter()
    .map(|r| {
        Ok(EditorRow {
            subject: r.try_get("", "subject")?,
            added_by: r.try_get("", "added_by")?,
            added_at: r.try_get("", "added_at")?,
        })
    })
    .collect()
}
