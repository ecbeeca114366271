//! The peers this deployment subscribes to, their mirrors and refusals,
//! as stored.

use std::collections::BTreeMap;

use interlink_runtime::db::statement;
use sea_orm::{ConnectionTrait, DbErr, QueryResult};

use crate::keys::PublicKey;

/// A peer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRow {
    /// UUID.
    pub id: String,
    /// Its name here ('' for the one its keys give).
    pub display_name: String,
    /// Its feed's URL.
    pub feed_url: String,
    /// The key ids pinned.
    pub pinned_keys: Vec<String>,
    /// The keys trusted at the latest read of its keys.
    pub trusted_keys: BTreeMap<String, PublicKey>,
    /// Its issuer, as its keys say ('' before they were read).
    pub issuer: String,
    /// Its name, as its keys say.
    pub origin_display_name: String,
    /// Nothing is read while paused.
    pub paused: bool,
    /// Where the next page starts.
    pub cursor: String,
    /// The current link of its chain of jobs.
    pub job_id: String,
    /// Unix ms of the latest read to the feed's end.
    pub last_sync_at: Option<i64>,
    /// What went wrong last ('' when the latest read went well).
    pub last_error: String,
    /// Unix ms.
    pub last_error_at: Option<i64>,
    /// Unix ms of the latest read of its keys.
    pub keys_checked_at: Option<i64>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

impl PeerRow {
    /// A new peer read from its feed's beginning, created `now` (unix ms)
    /// with a new id; nothing read yet.
    pub fn new(
        feed_url: &str,
        pinned_keys: Vec<String>,
        display_name: &str,
        paused: bool,
        now: i64,
    ) -> Self {
        Self {
            id: uuid::Uuid::now_v7().to_string(),
            display_name: display_name.to_owned(),
            feed_url: feed_url.to_owned(),
            pinned_keys,
            trusted_keys: BTreeMap::new(),
            issuer: String::new(),
            origin_display_name: String::new(),
            paused,
            cursor: String::new(),
            job_id: String::new(),
            last_sync_at: None,
            last_error: String::new(),
            last_error_at: None,
            keys_checked_at: None,
            created_at: now,
            updated_at: now,
        }
    }
}

const PEER_COLUMNS: &str = "id, display_name, feed_url, pinned_keys, trusted_keys, issuer, \
     origin_display_name, paused, cursor, job_id, last_sync_at, last_error, last_error_at, \
     keys_checked_at, created_at, updated_at";

fn peer_from(row: &QueryResult) -> Result<PeerRow, DbErr> {
    let json = |column: &str| -> Result<String, DbErr> { row.try_get("", column) };
    let bad = |e: serde_json::Error| DbErr::Custom(format!("peer row: {e}"));
    Ok(PeerRow {
        id: row.try_get("", "id")?,
        display_name: row.try_get("", "display_name")?,
        feed_url: row.try_get("", "feed_url")?,
        pinned_keys: serde_json::from_str(&json("pinned_keys")?).map_err(bad)?,
        trusted_keys: serde_json::from_str(&json("trusted_keys")?).map_err(bad)?,
        issuer: row.try_get("", "issuer")?,
        origin_display_name: row.try_get("", "origin_display_name")?,
        paused: row.try_get("", "paused")?,
        cursor: row.try_get("", "cursor")?,
        job_id: row.try_get("", "job_id")?,
        last_sync_at: row.try_get("", "last_sync_at")?,
        last_error: row.try_get("", "last_error")?,
        last_error_at: row.try_get("", "last_error_at")?,
        keys_checked_at: row.try_get("", "keys_checked_at")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, DbErr> {
    serde_json::to_string(value).map_err(|e| DbErr::Custom(e.to_string()))
}

/// Peer `id`.
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<PeerRow>, DbErr> {
    db.query_one_raw(statement(
        db,
        &format!("SELECT {PEER_COLUMNS} FROM peers WHERE id = $1"),
        [id.into()],
    ))
    .await?
    .as_ref()
    .map(peer_from)
    .transpose()
}

/// Every peer, oldest first.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<PeerRow>, DbErr> {
    db.query_all_raw(statement(
        db,
        &format!("SELECT {PEER_COLUMNS} FROM peers ORDER BY created_at, id"),
        [],
    ))
    .await?
    .iter()
    .map(peer_from)
    .collect()
}

/// The peer whose feed is at `feed_url`, if any.
pub async fn by_feed(db: &impl ConnectionTrait, feed_url: &str) -> Result<Option<PeerRow>, DbErr> {
    db.query_one_raw(statement(
        db,
        &format!("SELECT {PEER_COLUMNS} FROM peers WHERE feed_url = $1"),
        [feed_url.into()],
    ))
    .await?
    .as_ref()
    .map(peer_from)
    .transpose()
}

/// Writes `peer` whole (new or changed).
pub async fn save(db: &impl ConnectionTrait, peer: &PeerRow) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db,
        "DELETE FROM peers WHERE id = $1",
        [peer.id.clone().into()],
    ))
    .await?;
    db.execute_raw(statement(
        db,
        &format!(
            "INSERT INTO peers ({PEER_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
        ),
        [
            peer.id.clone().into(),
            peer.display_name.clone().into(),
            peer.feed_url.clone().into(),
            to_json(&peer.pinned_keys)?.into(),
            to_json(&peer.trusted_keys)?.into(),
            peer.issuer.clone().into(),
            peer.origin_display_name.clone().into(),
            peer.paused.into(),
            peer.cursor.clone().into(),
            peer.job_id.clone().into(),
            peer.last_sync_at.into(),
            peer.last_error.clone().into(),
            peer.last_error_at.into(),
            peer.keys_checked_at.into(),
            peer.created_at.into(),
            peer.updated_at.into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn update<const N: usize>(
    db: &impl ConnectionTrait,
    sql: &str,
    values: [sea_orm::Value; N],
) -> Result<(), DbErr> {
    db.execute_raw(statement(db, sql, values)).await?;
    Ok(())
}

/// Sets `id`'s name here and pinned keys (and nothing else: not where
/// its read stands, nor whether it is paused).
pub async fn set_trust(
    db: &impl ConnectionTrait,
    id: &str,
    display_name: &str,
    pinned_keys: &[String],
    now: i64,
) -> Result<(), DbErr> {
    update(
        db,
        "UPDATE peers SET display_name = $2, pinned_keys = $3, updated_at = $4 WHERE id = $1",
        [
            id.into(),
            display_name.into(),
            to_json(&pinned_keys)?.into(),
            now.into(),
        ],
    )
    .await
}

/// Names `job` the current link of `id`'s chain.
pub async fn set_job(db: &impl ConnectionTrait, id: &str, job: &str) -> Result<(), DbErr> {
    update(
        db,
        "UPDATE peers SET job_id = $2 WHERE id = $1",
        [id.into(), job.into()],
    )
    .await
}

/// Records what its keys document said.
pub async fn set_keys(
    db: &impl ConnectionTrait,
    id: &str,
    issuer: &str,
    display_name: &str,
    trusted: &BTreeMap<String, PublicKey>,
    now: i64,
) -> Result<(), DbErr> {
    update(
        db,
        "UPDATE peers SET issuer = $2, origin_display_name = $3, trusted_keys = $4, \
         keys_checked_at = $5 WHERE id = $1",
        [
            id.into(),
            issuer.into(),
            display_name.into(),
            to_json(trusted)?.into(),
            now.into(),
        ],
    )
    .await
}

/// Records why its latest read failed.
pub async fn set_error(
    db: &impl ConnectionTrait,
    id: &str,
    error: &str,
    now: i64,
) -> Result<(), DbErr> {
    update(
        db,
        "UPDATE peers SET last_error = $2, last_error_at = $3 WHERE id = $1",
        [id.into(), error.into(), now.into()],
    )
    .await
}

/// Forgets the latest error (a read went well).
pub async fn clear_error(db: &impl ConnectionTrait, id: &str) -> Result<(), DbErr> {
    update(
        db,
        "UPDATE peers SET last_error = '' WHERE id = $1",
        [id.into()],
    )
    .await
}

/// Moves its cursor; `synced` (unix ms) when the feed was read to its end.
pub async fn set_cursor(
    db: &impl ConnectionTrait,
    id: &str,
    cursor: &str,
    synced: Option<i64>,
) -> Result<(), DbErr> {
    update(
        db,
        "UPDATE peers SET cursor = $2, last_sync_at = COALESCE($3, last_sync_at) WHERE id = $1",
        [id.into(), cursor.into(), synced.into()],
    )
    .await
}

/// Records a refused entry.
pub async fn refuse(
    db: &impl ConnectionTrait,
    id: &str,
    sequence: i64,
    entry_name: &str,
    reason: &str,
    now: i64,
) -> Result<(), DbErr> {
    let name: String = entry_name.chars().take(300).collect();
    let reason: String = reason.chars().take(1000).collect();
    update(
        db,
        "INSERT INTO refused_entries (peer_id, entry_seq, entry_name, reason, refused_at) \
         VALUES ($1, $2, $3, $4, $5)",
        [
            id.into(),
            sequence.into(),
            name.into(),
            reason.into(),
            now.into(),
        ],
    )
    .await
}

/// A refused entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusalRow {
    /// Its row.
    pub seq: i64,
    /// Its place in the peer's feed.
    pub entry_seq: i64,
    /// The name it claimed.
    pub entry_name: String,
    /// Why.
    pub reason: String,
    /// Unix ms.
    pub refused_at: i64,
}

/// Up to `limit` of `id`'s refusals before row `before` (newest first).
pub async fn refusals(
    db: &impl ConnectionTrait,
    id: &str,
    before: i64,
    limit: u64,
) -> Result<Vec<RefusalRow>, DbErr> {
    db.query_all_raw(statement(
        db,
        "SELECT seq, entry_seq, entry_name, reason, refused_at FROM refused_entries \
         WHERE peer_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
        [
            id.into(),
            before.into(),
            i64::try_from(limit).unwrap_or(i64::MAX).into(),
        ],
    ))
    .await?
    .iter()
    .map(|row| {
        Ok(RefusalRow {
            seq: row.try_get("", "seq")?,
            entry_seq: row.try_get("", "entry_seq")?,
            entry_name: row.try_get("", "entry_name")?,
            reason: row.try_get("", "reason")?,
            refused_at: row.try_get("", "refused_at")?,
        })
    })
    .collect()
}

/// How many entries of `id` are mirrored (not withdrawn) and refused.
pub async fn counts(db: &impl ConnectionTrait, id: &str) -> Result<(i64, i64), DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT (SELECT COUNT(*) FROM mirrors WHERE peer_id = $1 AND NOT withdrawn) AS mirrored, \
             (SELECT COUNT(*) FROM refused_entries WHERE peer_id = $1) AS refused",
            [id.into()],
        ))
        .await?;
    match row {
        Some(row) => Ok((row.try_get("", "mirrored")?, row.try_get("", "refused")?)),
        None => Ok((0, 0)),
    }
}

/// The version of `name` mirrored from `id`, if any.
pub async fn mirror_version(
    db: &impl ConnectionTrait,
    id: &str,
    name: &str,
) -> Result<Option<i64>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT version FROM mirrors WHERE peer_id = $1 AND name = $2",
            [id.into(), name.into()],
        ))
        .await?;
    row.map(|row| row.try_get("", "version")).transpose()
}

/// Keeps `name` of `id` at `version`.
#[allow(clippy::too_many_arguments)]
pub async fn put_mirror(
    db: &impl ConnectionTrait,
    id: &str,
    name: &str,
    kind: &str,
    version: i64,
    withdrawn: bool,
    signature: &str,
    now: i64,
) -> Result<(), DbErr> {
    update(
        db,
        "DELETE FROM mirrors WHERE peer_id = $1 AND name = $2",
        [id.into(), name.into()],
    )
    .await?;
    update(
        db,
        "INSERT INTO mirrors (peer_id, name, kind, version, withdrawn, signature, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            id.into(),
            name.into(),
            kind.into(),
            version.into(),
            withdrawn.into(),
            signature.into(),
            now.into(),
        ],
    )
    .await
}

/// Drops `id`'s finished reads but `keep` (a chain leaves one per poll).
pub async fn forget_done_jobs(
    db: &impl ConnectionTrait,
    id: &str,
    keep: &str,
) -> Result<(), DbErr> {
    update(
        db,
        "DELETE FROM interlink_jobs WHERE reference = $1 AND state = 'done' AND id <> $2",
        [id.into(), keep.into()],
    )
    .await
}
