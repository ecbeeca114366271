//! What the configuration declares, applied at each start: the signing
//! key of `federation.signing_key_file` and the peers of
//! `federation.peers`.
//!
//! A configured key is made the current one unless it is already, as a
//! rotation does (the key before it retired, endorsing it), so a
//! deployment's key id is known before it first starts and survives the
//! loss of its database. A declared peer is found by its feed URL:
//! trusted when absent, else given the configuration's pinned keys and
//! name; where its read stands, whether it is paused and what it mirrors
//! are never touched, and peers added through the API are left alone.

use std::collections::BTreeMap;
use std::path::Path;

use interlink_runtime::api::now_ms;
use interlink_runtime::config::{FederationConfig, PeerConfig};
use interlink_runtime::db::begin_write;
use sea_orm::{DatabaseConnection, DbErr};

use crate::keys::SigningKey;
use crate::peers::{self, PeerRow};
use crate::store::{self, KeyChange};
use crate::subscriber::{self, KEYS_JOB, SyncSettings};

/// The key of `federation.signing_key_file`, if the setting is given; an
/// error naming the setting when its file does not read or is not a
/// P-256 private key in PKCS#8 PEM.
pub fn signing_key(config: &FederationConfig) -> anyhow::Result<Option<SigningKey>> {
    if config.signing_key_file.trim().is_empty() {
        return Ok(None);
    }
    SigningKey::from_pem_file(Path::new(config.signing_key_file.trim()))
        .map(Some)
        .map_err(|e| anyhow::anyhow!("configuration key `federation.signing_key_file`: {e}"))
}

/// Makes sure the deployment has a current key: `key` (the configured
/// one, see [`store::use_key`]) when given, else its own (made on first
/// start). Endorsements name `issuer`.
pub async fn ensure_key(
    db: &DatabaseConnection,
    issuer: &str,
    key: Option<&SigningKey>,
) -> Result<(), DbErr> {
    let Some(key) = key else {
        return store::ensure_key(db).await;
    };
    match store::use_key(db, issuer, key).await? {
        KeyChange::Unchanged => {}
        KeyChange::Rotated(row) if row.endorsement.is_empty() => {
            tracing::info!(kid = %row.kid, "federation signing key from federation.signing_key_file");
        }
        KeyChange::Rotated(row) => {
            tracing::info!(
                kid = %row.kid,
                "federation signing key rotated to federation.signing_key_file's, endorsed by the key it retired"
            );
        }
        KeyChange::Reinstated => {
            tracing::warn!(
                kid = %key.kid(),
                "federation signing key of federation.signing_key_file, retired since, made current again"
            );
        }
    }
    Ok(())
}

/// What [`declare_peers`] did to one declared peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Declared {
    /// It was trusted (a new peer, read from its feed's beginning).
    Created {
        /// Its label in `federation.peers`.
        label: String,
        /// Its id.
        id: String,
    },
    /// Its pinned keys or name were set to the configuration's.
    Updated {
        /// Its label in `federation.peers`.
        label: String,
        /// Its id.
        id: String,
    },
    /// It was as declared already.
    Unchanged {
        /// Its label in `federation.peers`.
        label: String,
        /// Its id.
        id: String,
    },
}

/// Trusts each peer of `declared` (`federation.peers`, checked already by
/// [`FederationConfig::validate_peers`]) found by its feed URL, or sets
/// its pinned keys and name to the declared ones where they differ; a
/// peer whose pinned keys changed has its keys read again (unless
/// paused). Nothing else of a peer changes, nor any other peer. One
/// transaction, under the peers' lock (replicas start at once).
pub async fn declare_peers(
    db: &DatabaseConnection,
    declared: &BTreeMap<String, PeerConfig>,
    settings: &SyncSettings,
) -> Result<Vec<Declared>, DbErr> {
    if declared.is_empty() {
        return Ok(Vec::new());
    }
    let txn = begin_write(db).await?;
    store::lock(&txn, "peers").await?;
    let now = now_ms();
    let mut done = Vec::new();
    for (label, peer) in declared {
        let feed_url = peer.feed_url.trim();
        let display_name = peer.display_name.trim();
        let label = label.clone();
        match peers::by_feed(&txn, feed_url).await? {
            None => {
                let row =
                    PeerRow::new(feed_url, peer.pinned_keys.clone(), display_name, false, now);
                peers::save(&txn, &row).await?;
                subscriber::schedule(&txn, &row, KEYS_JOB, now, settings).await?;
                tracing::info!(peer = %row.id, feed = %row.feed_url, setting = %format!("federation.peers.{label}"), "declared federated peer trusted");
                done.push(Declared::Created { label, id: row.id });
            }
            Some(row)
                if row.pinned_keys == peer.pinned_keys && row.display_name == display_name =>
            {
                done.push(Declared::Unchanged { label, id: row.id });
            }
            Some(mut row) => {
                let reread = row.pinned_keys != peer.pinned_keys;
                row.pinned_keys = peer.pinned_keys.clone();
                row.display_name = display_name.to_owned();
                peers::set_trust(&txn, &row.id, &row.display_name, &row.pinned_keys, now).await?;
                if reread && !row.paused {
                    subscriber::schedule(&txn, &row, KEYS_JOB, now, settings).await?;
                }
                tracing::info!(peer = %row.id, feed = %row.feed_url, setting = %format!("federation.peers.{label}"), "declared federated peer updated");
                done.push(Declared::Updated { label, id: row.id });
            }
        }
    }
    txn.commit().await?;
    Ok(done)
}
