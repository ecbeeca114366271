//! The one place that touches the documents database.

use interlink_runtime::db::{begin_write, run, statement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};
use uuid::Uuid;

use crate::domain::{Document, Revision};

/// Who asks for a change.
#[derive(Debug, Clone)]
pub struct Author {
    /// The token's subject.
    pub subject: String,
    /// The name to show in the history.
    pub name: String,
}

/// A store failure that is not the database's.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// No such document.
    #[error("no such document")]
    NotFound,
    /// The document changed since the revision the edit started from.
    #[error("the document was saved by someone else since revision {0}")]
    Stale(i64),
    /// The clone an idempotency key made has been deleted since.
    #[error("the copy made under this idempotency key has been deleted")]
    CloneDeleted,
}

const DOCUMENT_COLUMNS: &str =
    "id, title, body, language, created_by, created_at, updated_at, revisions";

fn document(row: &QueryResult) -> Result<Document, DbErr> {
    let id: String = row.try_get("", "id")?;
    Ok(Document {
        id: Uuid::parse_str(&id).map_err(|e| DbErr::Custom(format!("document id {id}: {e}")))?,
        title: row.try_get("", "title")?,
        body: row.try_get("", "body")?,
        language: row.try_get("", "language")?,
        created_by: row.try_get("", "created_by")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
        revisions: row.try_get("", "revisions")?,
    })
}

fn revision(row: &QueryResult) -> Result<Revision, DbErr> {
    Ok(Revision {
        number: row.try_get("", "number")?,
        title: row.try_get("", "title")?,
        body: row.try_get("", "body")?,
        author: row.try_get("", "author")?,
        author_name: row.try_get("", "author_name")?,
        created_at: row.try_get("", "created_at")?,
        restored_from: row.try_get("", "restored_from")?,
    })
}

async fn insert(
    db: &impl ConnectionTrait,
    document: &Document,
    author: &Author,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO documents (id, title, body, language, created_by, created_at, updated_at, revisions) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, 1)",
        [
            document.id.to_string().into(),
            document.title.clone().into(),
            document.body.clone().into(),
            document.language.clone().into(),
            document.created_by.clone().into(),
            document.created_at.into(),
        ],
    )
    .await?;
    add_revision(db, document, 1, author, None).await
}

async fn add_revision(
    db: &impl ConnectionTrait,
    document: &Document,
    number: i64,
    author: &Author,
    restored_from: Option<i64>,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO revisions (document_id, number, title, body, author, author_name, created_at, restored_from) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            document.id.to_string().into(),
            number.into(),
            document.title.clone().into(),
            document.body.clone().into(),
            author.subject.clone().into(),
            author.name.clone().into(),
            document.updated_at.into(),
            restored_from.into(),
        ],
    )
    .await?;
    Ok(())
}

/// A new document by `author`, its first revision saved with it.
pub async fn create(
    db: &DatabaseConnection,
    title: String,
    body: String,
    language: String,
    author: &Author,
) -> Result<Document, StoreError> {
    create_with_id(db, Uuid::now_v7(), title, body, language, author).await
}

/// [`create`] under a given `id` (the seed's genesis documents).
pub async fn create_with_id(
    db: &DatabaseConnection,
    id: Uuid,
    title: String,
    body: String,
    language: String,
    author: &Author,
) -> Result<Document, StoreError> {
    let now = interlink_runtime::api::now_ms();
    let document = Document {
        id,
        title,
        body,
        language,
        created_by: author.subject.clone(),
        created_at: now,
        updated_at: now,
        revisions: 1,
    };
    let txn = begin_write(db).await?;
    insert(&txn, &document, author).await?;
    txn.commit().await?;
    Ok(document)
}

/// The document `id`, if it exists.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Document>, DbErr> {
    db.query_one_raw(statement(
        db,
        &format!("SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1"),
        [id.to_string().into()],
    ))
    .await?
    .as_ref()
    .map(document)
    .transpose()
}

/// Saves a new revision of `id` with `title` and `body`, made from revision
/// `base` (refused as stale when another was saved since). `restored_from`
/// names the revision a restore brings back.
pub async fn save(
    db: &DatabaseConnection,
    id: Uuid,
    base: i64,
    title: String,
    body: String,
    author: &Author,
    restored_from: Option<i64>,
) -> Result<Document, StoreError> {
    let txn = begin_write(db).await?;
    let mut document = get(&txn, id).await?.ok_or(StoreError::NotFound)?;
    if document.revisions != base {
        return Err(StoreError::Stale(base));
    }
    document.title = title;
    document.body = body;
    document.revisions += 1;
    // Never backwards, even if the clock is.
    document.updated_at = interlink_runtime::api::now_ms().max(document.updated_at);
    run(
        &txn,
        "UPDATE documents SET title = $2, body = $3, updated_at = $4, revisions = $5 WHERE id = $1",
        [
            id.to_string().into(),
            document.title.clone().into(),
            document.body.clone().into(),
            document.updated_at.into(),
            document.revisions.into(),
        ],
    )
    .await?;
    add_revision(&txn, &document, document.revisions, author, restored_from).await?;
    txn.commit().await?;
    Ok(document)
}

/// The revisions of `id`, newest first (at most `limit`).
pub async fn history(
    db: &DatabaseConnection,
    id: Uuid,
    limit: u32,
) -> Result<Vec<Revision>, DbErr> {
    db.query_all_raw(statement(
        db,
        "SELECT number, title, body, author, author_name, created_at, restored_from FROM revisions \
         WHERE document_id = $1 ORDER BY number DESC LIMIT $2",
        [id.to_string().into(), i64::from(limit).into()],
    ))
    .await?
    .iter()
    .map(revision)
    .collect()
}

/// Revision `number` of `id`, if both exist.
pub async fn revision_of(
    db: &DatabaseConnection,
    id: Uuid,
    number: i64,
) -> Result<Option<Revision>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT number, title, body, author, author_name, created_at, restored_from FROM revisions \
         WHERE document_id = $1 AND number = $2",
        [id.to_string().into(), number.into()],
    ))
    .await?
    .as_ref()
    .map(revision)
    .transpose()
}

/// A copy of `source` by `author` (`title` if given, else the source's),
/// made once per `key`: asked again with the same key, the first copy is
/// returned and `false` says nothing new was made.
pub async fn clone(
    db: &DatabaseConnection,
    source: Uuid,
    key: &str,
    title: Option<String>,
    author: &Author,
) -> Result<(Document, bool), StoreError> {
    let txn = begin_write(db).await?;
    let earlier = interlink_interlinker_http::earlier_clone(&txn, &source.to_string(), key).await?;
    if let Some(clone_id) = earlier {
        let clone_id = Uuid::parse_str(&clone_id).map_err(|e| DbErr::Custom(e.to_string()))?;
        return match get(&txn, clone_id).await? {
            Some(copy) => Ok((copy, false)),
            None => Err(StoreError::CloneDeleted),
        };
    }
    let original = get(&txn, source).await?.ok_or(StoreError::NotFound)?;
    let now = interlink_runtime::api::now_ms();
    let copy = Document {
        id: Uuid::now_v7(),
        title: title.unwrap_or(original.title),
        body: original.body,
        language: original.language,
        created_by: author.subject.clone(),
        created_at: now,
        updated_at: now,
        revisions: 1,
    };
    insert(&txn, &copy, author).await?;
    interlink_interlinker_http::remember_clone(
        &txn,
        &source.to_string(),
        key,
        &copy.id.to_string(),
    )
    .await?;
    txn.commit().await?;
    Ok((copy, true))
}

/// Deletes `id` and its history; `false` when there was no such document.
pub async fn delete(db: &DatabaseConnection, id: Uuid) -> Result<bool, DbErr> {
    let txn = begin_write(db).await?;
    run(
        &txn,
        "DELETE FROM revisions WHERE document_id = $1",
        [id.to_string().into()],
    )
    .await?;
    let deleted = run(
        &txn,
        "DELETE FROM documents WHERE id = $1",
        [id.to_string().into()],
    )
    .await?;
    txn.commit().await?;
    Ok(deleted > 0)
}

/// How many documents there are.
pub async fn count(db: &DatabaseConnection) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(statement(db, "SELECT COUNT(*) AS n FROM documents", []))
        .await?
        .ok_or_else(|| DbErr::Custom("COUNT(*) returned no row".into()))?;
    row.try_get("", "n")
}
