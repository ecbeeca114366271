//! The peers' part of the gRPC adapter: platform administrators list the
//! deployments they trust and see how each subscription stands.

use std::sync::Arc;

use interlink_proto::federation::v1 as pb;
use interlink_runtime::api::{mask_paths, now_ms, page_cursor, page_size, page_token, timestamp};
use interlink_runtime::auth::identity;
use interlink_runtime::db::begin_write;
use interlink_runtime::jobs::{self, JobState};
use interlink_runtime::validation::{self, Violation};
use sea_orm::DatabaseConnection;
use tokio::sync::Notify;
use tonic::Request;

use crate::error::{Error, Result};
use crate::peers::{self, PeerRow};
use crate::subscriber::{self, FEED_JOB, KEYS_JOB, SyncSettings};

/// The fields of a peer an update mask may name.
const MASKABLE: &[&str] = &["display_name", "feed_url", "pinned_keys", "paused"];

/// What the peers' calls need.
#[derive(Debug, Clone)]
pub struct PeersConfig {
    /// Whether a feed may be read over `http://` (tests, closed networks).
    pub allow_http: bool,
    /// How the subscriptions pace themselves.
    pub settings: SyncSettings,
    /// Wakes the subscriptions' worker after a change.
    pub wake: Arc<Notify>,
}

/// Only platform administrators manage peers.
pub(crate) fn require_admin<T>(request: &Request<T>) -> Result<()> {
    let caller = identity(request).ok_or(Error::Unauthenticated)?;
    if caller.platform_admin {
        Ok(())
    } else {
        Err(Error::Denied(
            "only platform administrators manage federated peers".into(),
        ))
    }
}

fn peer_id(field: &str, name: &str) -> Result<String> {
    Ok(interlink_runtime::api::parse_name(field, "peers", name)?.to_owned())
}

/// The checks of a peer's writable fields named by `paths`: the rules
/// `federation.peers` is held to as well.
fn check(peer: &pb::Peer, paths: &[&str], allow_http: bool) -> Vec<Violation> {
    let mut out = Vec::new();
    if paths.contains(&"display_name") {
        validation::check_peer_display_name("peer.display_name", &peer.display_name, &mut out);
    }
    if paths.contains(&"feed_url") {
        validation::check_feed_url("peer.feed_url", &peer.feed_url, allow_http, &mut out);
    }
    if paths.contains(&"pinned_keys") {
        validation::check_pinned_keys("peer.pinned_keys", &peer.pinned_keys, &mut out);
    }
    out
}

/// `row` as the API shows it, with how its subscription stands.
pub(crate) async fn peer_to(db: &DatabaseConnection, row: PeerRow) -> Result<pb::Peer> {
    let (mirrored, refused) = peers::counts(db, &row.id).await?;
    let mut last_error = row.last_error.clone();
    let mut last_error_at = row.last_error_at;
    // A read being retried (the peer down …) says so while it lasts.
    if let Ok(id) = uuid::Uuid::parse_str(&row.job_id)
        && let Some(job) = jobs::get(db, id).await?
        && job.state == JobState::Pending
        && !job.last_error.is_empty()
    {
        last_error = format!(
            "{} (attempt {}; trying again)",
            job.last_error, job.attempts
        );
        last_error_at = Some(job.updated_at);
    }
    Ok(pb::Peer {
        name: format!("peers/{}", row.id),
        display_name: row.display_name,
        feed_url: row.feed_url,
        pinned_keys: row.pinned_keys,
        paused: row.paused,
        issuer: row.issuer,
        origin_display_name: row.origin_display_name,
        trusted_keys: row.trusted_keys.into_keys().collect(),
        cursor: row.cursor,
        last_sync_time: row.last_sync_at.map(timestamp),
        last_error_time: if last_error.is_empty() {
            None
        } else {
            last_error_at.map(timestamp)
        },
        last_error,
        mirrored_count: mirrored,
        refused_count: refused,
        create_time: Some(timestamp(row.created_at)),
        update_time: Some(timestamp(row.updated_at)),
    })
}

/// Trusts a new peer and starts reading it.
pub(crate) async fn create(
    db: &DatabaseConnection,
    config: &PeersConfig,
    request: Request<pb::CreatePeerRequest>,
) -> Result<pb::Peer> {
    require_admin(&request)?;
    let input = request
        .get_ref()
        .peer
        .as_ref()
        .ok_or_else(|| Error::invalid("peer", "is required"))?;
    Error::check(check(input, MASKABLE, config.allow_http))?;
    let row = PeerRow::new(
        input.feed_url.trim(),
        input.pinned_keys.clone(),
        input.display_name.trim(),
        input.paused,
        now_ms(),
    );
    let now = row.created_at;
    let txn = begin_write(db).await?;
    if peers::by_feed(&txn, &row.feed_url).await?.is_some() {
        return Err(Error::AlreadyExists(format!(
            "a peer reads {} already",
            row.feed_url
        )));
    }
    peers::save(&txn, &row).await?;
    if !row.paused {
        subscriber::schedule(&txn, &row, KEYS_JOB, now, &config.settings).await?;
    }
    let wake = Arc::clone(&config.wake);
    interlink_runtime::idempotency::commit_then(txn, move || wake.notify_one()).await?;
    tracing::info!(peer = %row.id, feed = %row.feed_url, "federated peer trusted");
    let mut shown = row;
    shown.job_id = String::new();
    peer_to(db, shown).await
}

/// Changes a peer; reads it again where that matters.
pub(crate) async fn update(
    db: &DatabaseConnection,
    config: &PeersConfig,
    request: Request<pb::UpdatePeerRequest>,
) -> Result<pb::Peer> {
    require_admin(&request)?;
    let r = request.get_ref();
    let input = r
        .peer
        .as_ref()
        .ok_or_else(|| Error::invalid("peer", "is required"))?;
    let id = peer_id("peer.name", &input.name)?;
    let paths = mask_paths(&r.update_mask, MASKABLE).map_err(Error::Invalid)?;
    let named: Vec<&str> = paths.iter().map(String::as_str).collect();
    Error::check(check(input, &named, config.allow_http))?;
    let now = now_ms();
    let txn = begin_write(db).await?;
    let mut row = peers::get(&txn, &id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("peers/{id}")))?;
    let mut reread = false;
    for path in &named {
        match *path {
            "display_name" => row.display_name = input.display_name.trim().to_owned(),
            "feed_url" => {
                let url = input.feed_url.trim().to_owned();
                if url != row.feed_url {
                    if peers::by_feed(&txn, &url).await?.is_some() {
                        return Err(Error::AlreadyExists(format!("a peer reads {url} already")));
                    }
                    // Another feed: from its beginning.
                    row.feed_url = url;
                    row.cursor = String::new();
                    reread = true;
                }
            }
            "pinned_keys" if input.pinned_keys != row.pinned_keys => {
                row.pinned_keys = input.pinned_keys.clone();
                reread = true;
            }
            "paused" if input.paused != row.paused => {
                row.paused = input.paused;
                reread = !row.paused;
            }
            _ => {}
        }
    }
    row.updated_at = now;
    if row.paused {
        // The pending read, if any, does nothing when it comes.
        row.job_id = String::new();
    }
    peers::save(&txn, &row).await?;
    if reread && !row.paused {
        subscriber::schedule(&txn, &row, KEYS_JOB, now, &config.settings).await?;
    }
    let wake = Arc::clone(&config.wake);
    interlink_runtime::idempotency::commit_then(txn, move || wake.notify_one()).await?;
    peer_to(db, row).await
}

/// Reads a peer now.
pub(crate) async fn sync(
    db: &DatabaseConnection,
    config: &PeersConfig,
    request: Request<pb::SyncPeerRequest>,
) -> Result<pb::Peer> {
    require_admin(&request)?;
    let id = peer_id("name", &request.get_ref().name)?;
    let txn = begin_write(db).await?;
    let row = peers::get(&txn, &id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("peers/{id}")))?;
    if row.paused {
        return Err(Error::Precondition(format!(
            "peers/{id} is paused: resume it to read it"
        )));
    }
    let kind = if row.trusted_keys.is_empty() {
        KEYS_JOB
    } else {
        FEED_JOB
    };
    subscriber::schedule(&txn, &row, kind, now_ms(), &config.settings).await?;
    let wake = Arc::clone(&config.wake);
    interlink_runtime::idempotency::commit_then(txn, move || wake.notify_one()).await?;
    peer_to(db, row).await
}

/// One peer.
pub(crate) async fn get(
    db: &DatabaseConnection,
    request: Request<pb::GetPeerRequest>,
) -> Result<pb::Peer> {
    require_admin(&request)?;
    let id = peer_id("name", &request.get_ref().name)?;
    let row = peers::get(db, &id)
        .await?
        .ok_or_else(|| Error::NotFound(format!("peers/{id}")))?;
    peer_to(db, row).await
}

/// Every peer.
pub(crate) async fn list(
    db: &DatabaseConnection,
    request: Request<pb::ListPeersRequest>,
) -> Result<pb::ListPeersResponse> {
    require_admin(&request)?;
    let mut out = Vec::new();
    for row in peers::list(db).await? {
        out.push(peer_to(db, row).await?);
    }
    Ok(pb::ListPeersResponse { peers: out })
}

/// A peer's refused entries, newest first.
pub(crate) async fn refused(
    db: &DatabaseConnection,
    request: Request<pb::ListRefusedEntriesRequest>,
) -> Result<pb::ListRefusedEntriesResponse> {
    require_admin(&request)?;
    let r = request.get_ref();
    let id = peer_id("parent", &r.parent)?;
    let limit = page_size(r.page_size, 50, 500)?;
    let before = page_cursor(&r.page_token, |c| c.parse::<i64>().ok())?.unwrap_or(i64::MAX);
    if peers::get(db, &id).await?.is_none() {
        return Err(Error::NotFound(format!("peers/{id}")));
    }
    let mut rows = peers::refusals(db, &id, before, limit + 1).await?;
    let more = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let next_page_token = match (more, rows.last()) {
        (true, Some(last)) => page_token(&last.seq.to_string()),
        _ => String::new(),
    };
    Ok(pb::ListRefusedEntriesResponse {
        refused_entries: rows
            .into_iter()
            .map(|row| pb::RefusedEntry {
                sequence: row.entry_seq,
                entry_name: row.entry_name,
                reason: row.reason,
                refuse_time: Some(timestamp(row.refused_at)),
            })
            .collect(),
        next_page_token,
    })
}
