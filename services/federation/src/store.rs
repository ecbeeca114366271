//! The federation database: the signing keys and the feed.

use interlink_runtime::api::now_ms;
use interlink_runtime::db::{begin_write, statement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult};
use sha2::{Digest, Sha256};

use crate::keys::{ENDORSEMENT_TYPE, ENTRY_TYPE, Endorsement, SigningKey};

/// Serialises the writers of keys and of the feed on PostgreSQL (replicas
/// of the service share the database); SQLite has one writer anyway.
pub(crate) async fn lock(txn: &impl ConnectionTrait, what: &str) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(statement(
            txn,
            "SELECT pg_advisory_xact_lock(hashtext($1))",
            [format!("interlink-federation-{what}").into()],
        ))
        .await?;
    }
    Ok(())
}

fn string(row: &QueryResult, column: &str) -> Result<String, DbErr> {
    row.try_get("", column)
}

fn bad_key(e: crate::keys::JwsError) -> DbErr {
    DbErr::Custom(format!("federation signing key: {e}"))
}

/// A key as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    /// Its thumbprint.
    pub kid: String,
    /// Public x, base64url.
    pub x: String,
    /// Public y, base64url.
    pub y: String,
    /// Its endorsement by the key before it ('' for the first).
    pub endorsement: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms; `None` for the current key.
    pub retired_at: Option<i64>,
}

/// Every key, the current one first, then the retired ones newest first.
pub async fn keys(db: &impl ConnectionTrait) -> Result<Vec<KeyRow>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT kid, x, y, endorsement, created_at, retired_at FROM signing_keys \
             ORDER BY retired_at IS NOT NULL, created_at DESC, kid",
            [],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(KeyRow {
                kid: string(row, "kid")?,
                x: string(row, "x")?,
                y: string(row, "y")?,
                endorsement: string(row, "endorsement")?,
                created_at: row.try_get("", "created_at")?,
                retired_at: row.try_get("", "retired_at")?,
            })
        })
        .collect()
}

/// The current signing key, if there is one.
async fn current(txn: &impl ConnectionTrait) -> Result<Option<SigningKey>, DbErr> {
    let row = txn
        .query_one_raw(statement(
            txn,
            "SELECT private_pem FROM signing_keys WHERE retired_at IS NULL",
            [],
        ))
        .await?;
    row.map(|row| SigningKey::from_pem(&string(&row, "private_pem")?).map_err(bad_key))
        .transpose()
}

async fn insert_key(
    txn: &impl ConnectionTrait,
    key: &SigningKey,
    endorsement: &str,
    now: i64,
) -> Result<(), DbErr> {
    txn.execute_raw(statement(
        txn,
        "INSERT INTO signing_keys (kid, private_pem, x, y, endorsement, created_at, retired_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        [
            key.kid().into(),
            key.pem().into(),
            key.public().x.clone().into(),
            key.public().y.clone().into(),
            endorsement.into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Makes the deployment's first key unless it has one.
pub async fn ensure_key(db: &DatabaseConnection) -> Result<(), DbErr> {
    let txn = begin_write(db).await?;
    lock(&txn, "keys").await?;
    if current(&txn).await?.is_none() {
        let key = SigningKey::generate().map_err(bad_key)?;
        insert_key(&txn, &key, "", now_ms()).await?;
    }
    txn.commit().await
}

/// Makes a new current key, endorsed by the one it retires (if any, for
/// `issuer`); returns it. Commits with the call's idempotency key.
pub async fn rotate(db: &DatabaseConnection, issuer: &str) -> Result<KeyRow, DbErr> {
    let key = SigningKey::generate().map_err(bad_key)?;
    rotate_to(db, issuer, &key).await
}

/// Makes `key` (one the deployment has never had) the current key,
/// endorsed by the one it retires (if any, for `issuer`); returns it.
/// Commits with the call's idempotency key, if any.
pub async fn rotate_to(
    db: &DatabaseConnection,
    issuer: &str,
    key: &SigningKey,
) -> Result<KeyRow, DbErr> {
    let txn = begin_write(db).await?;
    lock(&txn, "keys").await?;
    let row = succeed(&txn, issuer, key, now_ms()).await?;
    interlink_runtime::idempotency::commit(txn).await?;
    Ok(row)
}

/// In `txn`, which holds the keys' lock: retires the current key, if
/// any, and makes `key` the current one, endorsed by the retired one for
/// `issuer` (the first key carries no endorsement).
async fn succeed(
    txn: &impl ConnectionTrait,
    issuer: &str,
    key: &SigningKey,
    now: i64,
) -> Result<KeyRow, DbErr> {
    let endorsement = match current(txn).await? {
        Some(old) => {
            txn.execute_raw(statement(
                txn,
                "UPDATE signing_keys SET retired_at = $1 WHERE kid = $2",
                [now.into(), old.kid().into()],
            ))
            .await?;
            old.sign(
                ENDORSEMENT_TYPE,
                &Endorsement {
                    iss: issuer.to_owned(),
                    kid: key.kid().to_owned(),
                    iat: now / 1000,
                },
            )
            .map_err(bad_key)?
        }
        None => String::new(),
    };
    insert_key(txn, key, &endorsement, now).await?;
    Ok(KeyRow {
        kid: key.kid().to_owned(),
        x: key.public().x.clone(),
        y: key.public().y.clone(),
        endorsement,
        created_at: now,
        retired_at: None,
    })
}

/// What [`use_key`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyChange {
    /// The key was the current one already.
    Unchanged,
    /// The key is new here and now current: the deployment's first key,
    /// or endorsed by the one it retired, as [`rotate`] does.
    Rotated(KeyRow),
    /// The key was a retired one of the deployment's (a rotation through
    /// the API since it was configured, say): current again, with the
    /// endorsement it always had, the key it replaces retired.
    Reinstated,
}

/// Makes `key` (the configured one) the current key unless it is already:
/// a key new here as [`rotate_to`] does, a retired one of the deployment's
/// by retiring the current one. Safe to run from several replicas at once.
pub async fn use_key(
    db: &DatabaseConnection,
    issuer: &str,
    key: &SigningKey,
) -> Result<KeyChange, DbErr> {
    let txn = begin_write(db).await?;
    lock(&txn, "keys").await?;
    let current_kid = current(&txn).await?.map(|k| k.kid().to_owned());
    if current_kid.as_deref() == Some(key.kid()) {
        return Ok(KeyChange::Unchanged);
    }
    let now = now_ms();
    let known = txn
        .query_one_raw(statement(
            &txn,
            "SELECT kid FROM signing_keys WHERE kid = $1",
            [key.kid().into()],
        ))
        .await?
        .is_some();
    let change = if known {
        txn.execute_raw(statement(
            &txn,
            "UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL",
            [now.into()],
        ))
        .await?;
        txn.execute_raw(statement(
            &txn,
            "UPDATE signing_keys SET retired_at = NULL WHERE kid = $1",
            [key.kid().into()],
        ))
        .await?;
        KeyChange::Reinstated
    } else {
        KeyChange::Rotated(succeed(&txn, issuer, key, now).await?)
    };
    txn.commit().await?;
    Ok(change)
}

/// What a feed entry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `interlinkers/{id}`.
    Interlinker,
    /// `schemas/{id}/versions/{n}`.
    SchemaVersion,
    /// `stories/{id}`.
    Story,
    /// `interlinkers/{id}/genesis/{language}`.
    GenesisDocument,
}

impl Kind {
    /// Its word in entries and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Interlinker => "interlinker",
            Kind::SchemaVersion => "schema_version",
            Kind::Story => "story",
            Kind::GenesisDocument => "genesis_document",
        }
    }

    /// The kind of `word`.
    pub fn parse(word: &str) -> Option<Self> {
        match word {
            "interlinker" => Some(Kind::Interlinker),
            "schema_version" => Some(Kind::SchemaVersion),
            "story" => Some(Kind::Story),
            "genesis_document" => Some(Kind::GenesisDocument),
            _ => None,
        }
    }
}

/// The signed payload of an entry.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EntryClaims {
    /// The publishing deployment's issuer.
    pub iss: String,
    /// The thing's name at its origin.
    pub name: String,
    /// [`Kind::as_str`].
    pub kind: String,
    /// Its version.
    pub ver: i64,
    /// No longer shared.
    pub withdrawn: bool,
    /// When, in seconds since 1970.
    pub iat: i64,
    /// The thing, as the REST API's JSON; absent when withdrawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<serde_json::Value>,
}

/// Puts `name` (of `kind`) in the feed as `body` now says, or withdraws it
/// when `body` is `None`, signed by the current key for `issuer`. Changes
/// nothing when the feed says so already (the same body, or withdrawn, or
/// never shared); returns whether it changed.
pub async fn publish(
    txn: &impl ConnectionTrait,
    issuer: &str,
    kind: Kind,
    name: &str,
    body: Option<&serde_json::Value>,
) -> Result<bool, DbErr> {
    lock(txn, "feed").await?;
    let body_hash = body
        .map(|b| digest(b.to_string().as_bytes()))
        .unwrap_or_default();
    let existing = txn
        .query_one_raw(statement(
            txn,
            "SELECT version, withdrawn, body_hash FROM feed_entries WHERE name = $1",
            [name.into()],
        ))
        .await?;
    let version = match &existing {
        None if body.is_none() => return Ok(false),
        None => 1,
        Some(row) => {
            let withdrawn: bool = row.try_get("", "withdrawn")?;
            let hash = string(row, "body_hash")?;
            if (body.is_none() && withdrawn) || (!withdrawn && hash == body_hash) {
                return Ok(false);
            }
            row.try_get::<i64>("", "version")? + 1
        }
    };
    let key = current(txn)
        .await?
        .ok_or_else(|| DbErr::Custom("federation: no signing key".into()))?;
    let now = now_ms();
    let claims = EntryClaims {
        iss: issuer.to_owned(),
        name: name.to_owned(),
        kind: kind.as_str().to_owned(),
        ver: version,
        withdrawn: body.is_none(),
        iat: now / 1000,
        body: body.cloned(),
    };
    let jws = key.sign(ENTRY_TYPE, &claims).map_err(bad_key)?;
    txn.execute_raw(statement(
        txn,
        "DELETE FROM feed_entries WHERE name = $1",
        [name.into()],
    ))
    .await?;
    txn.execute_raw(statement(
        txn,
        "INSERT INTO feed_entries (name, kind, version, withdrawn, body_hash, jws, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            name.into(),
            kind.as_str().into(),
            version.into(),
            body.is_none().into(),
            body_hash.into(),
            jws.into(),
            now.into(),
        ],
    ))
    .await?;
    Ok(true)
}

/// The base64url SHA-256 of `bytes`.
fn digest(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(bytes))
}

/// An entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRow {
    /// Its place in the feed.
    pub seq: i64,
    /// The thing's name.
    pub name: String,
    /// [`Kind::as_str`].
    pub kind: String,
    /// Its version.
    pub version: i64,
    /// No longer shared.
    pub withdrawn: bool,
    /// The signed entry.
    pub jws: String,
    /// Unix ms.
    pub updated_at: i64,
}

/// The feed's head: its highest sequence (0 when empty). Every change to
/// the feed moves it.
pub async fn head(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT COALESCE(MAX(seq), CAST(0 AS BIGINT)) AS head FROM feed_entries",
            [],
        ))
        .await?;
    match row {
        Some(row) => row.try_get("", "head"),
        None => Ok(0),
    }
}

/// Up to `limit` entries after `after`, oldest change first, and whether
/// more follow.
pub async fn entries(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<(Vec<EntryRow>, bool), DbErr> {
    let fetch = i64::try_from(limit).unwrap_or(i64::MAX).saturating_add(1);
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT seq, name, kind, version, withdrawn, jws, updated_at FROM feed_entries \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
            [after.into(), fetch.into()],
        ))
        .await?;
    let more = rows.len() as u64 > limit;
    let entries = rows
        .iter()
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .map(|row| {
            Ok(EntryRow {
                seq: row.try_get("", "seq")?,
                name: string(row, "name")?,
                kind: string(row, "kind")?,
                version: row.try_get("", "version")?,
                withdrawn: row.try_get("", "withdrawn")?,
                jws: string(row, "jws")?,
                updated_at: row.try_get("", "updated_at")?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok((entries, more))
}
