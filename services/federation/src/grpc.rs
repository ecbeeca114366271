//! The gRPC adapter: the keys, the feed, and key rotation.

use interlink_proto::federation::v1 as pb;
use interlink_proto::federation::v1::federation_service_server::FederationService;
use interlink_runtime::api::{page_size, timestamp};
use sea_orm::DatabaseConnection;
use tonic::{Request, Response, Status};

use crate::error::{Error, Result};
use crate::grpc_peers::{self, PeersConfig};
use crate::store::{self, KeyRow, Kind};

/// Entries per page unless asked otherwise.
const DEFAULT_PAGE: u64 = 100;
/// The most entries per page.
const MAX_PAGE: u64 = 1000;
/// The most signed bytes per page (more than one entry's worth): well
/// under what a subscriber reads at once ([`crate::MAX_PAGE_BYTES`]).
const PAGE_BYTES: usize = 8 << 20;

/// Who this deployment is to its peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Its public URL: the `iss` of its entries.
    pub issuer: String,
    /// Its name for people.
    pub display_name: String,
}

/// Feed pages built at once per replica. A page is large (hundreds of
/// signed entries); many subscribers reading at once queue for this
/// instead of taking every core from the deployment's own API.
const FEED_CONCURRENCY: usize = 1;

/// The federation service.
#[derive(Debug, Clone)]
pub struct FederationApi {
    db: DatabaseConnection,
    identity: Identity,
    peers: PeersConfig,
    feed_permits: std::sync::Arc<tokio::sync::Semaphore>,
    /// Pages already made, for every reader of the same page.
    feed_pages: std::sync::Arc<crate::feed_pages::FeedPages>,
    /// The feed's pace.
    feed_pace: std::sync::Arc<crate::feed_pages::FeedPace>,
    /// The signing key comes from `federation.signing_key_file`.
    key_from_file: bool,
}

impl FederationApi {
    /// The service over `db`, publishing as `identity`, subscribing to
    /// peers as `peers` says.
    pub fn new(db: DatabaseConnection, identity: Identity, peers: PeersConfig) -> Self {
        Self {
            db,
            identity,
            peers,
            feed_permits: std::sync::Arc::new(tokio::sync::Semaphore::new(FEED_CONCURRENCY)),
            feed_pages: std::sync::Arc::default(),
            feed_pace: std::sync::Arc::new(crate::feed_pages::FeedPace::new(0)),
            key_from_file: false,
        }
    }

    /// Serves at most `bytes_per_second` of feed pages (0: no limit).
    pub fn with_feed_pace(mut self, bytes_per_second: u64) -> Self {
        self.feed_pace = std::sync::Arc::new(crate::feed_pages::FeedPace::new(bytes_per_second));
        self
    }

    /// The signing key is the configured file's: rotation through the API
    /// is refused (the next start would put the file's key back).
    pub fn with_key_from_file(mut self, key_from_file: bool) -> Self {
        self.key_from_file = key_from_file;
        self
    }
}

fn key_to(row: KeyRow) -> pb::FederationKey {
    pb::FederationKey {
        kty: "EC".into(),
        crv: "P-256".into(),
        x: row.x,
        y: row.y,
        kid: row.kid,
        alg: "ES256".into(),
        r#use: "sig".into(),
        endorsement: row.endorsement,
        create_time: Some(timestamp(row.created_at)),
        retire_time: row.retired_at.map(timestamp),
    }
}

fn kind_to(word: &str) -> pb::EntryKind {
    match Kind::parse(word) {
        Some(Kind::Interlinker) => pb::EntryKind::Interlinker,
        Some(Kind::SchemaVersion) => pb::EntryKind::SchemaVersion,
        Some(Kind::Story) => pb::EntryKind::Story,
        Some(Kind::GenesisDocument) => pb::EntryKind::GenesisDocument,
        None => pb::EntryKind::Unspecified,
    }
}

/// The sequence after which `cursor` starts (`c<seq>`; empty: 0).
fn parse_cursor(cursor: &str) -> Result<i64> {
    if cursor.is_empty() {
        return Ok(0);
    }
    cursor
        .strip_prefix('c')
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse::<i64>().ok())
        .ok_or_else(|| Error::invalid("cursor", "must be a `next_cursor` of an earlier answer"))
}

impl FederationApi {
    async fn list_feed(
        &self,
        request: &pb::ListFeedEntriesRequest,
    ) -> Result<pb::ListFeedEntriesResponse> {
        let (page, bytes) = self.feed_page(request).await?;
        // Paced before it is copied out: a reader waiting for its turn
        // holds the one page every reader shares.
        if !self.feed_pace.wait(bytes).await {
            return Err(Error::Busy(
                "the feed is serving many peers: try again in a moment".into(),
            ));
        }
        Ok(std::sync::Arc::unwrap_or_clone(page))
    }

    async fn feed_page(
        &self,
        request: &pb::ListFeedEntriesRequest,
    ) -> Result<(std::sync::Arc<pb::ListFeedEntriesResponse>, usize)> {
        let after = parse_cursor(&request.cursor)?;
        let limit = page_size(request.page_size, DEFAULT_PAGE, MAX_PAGE)?;
        // Any change to the feed moves its head (a changed entry is deleted
        // and inserted again, under the feed's lock), so a page made at the
        // same head is the same page.
        let head = store::head(&self.db).await?;
        if let Some(page) = self.feed_pages.get(after, limit, head) {
            return Ok(page);
        }
        let _permit = self
            .feed_permits
            .acquire()
            .await
            .map_err(|_| Error::Precondition("the service is stopping".into()))?;
        // Another reader may have made it while this one waited.
        if let Some(page) = self.feed_pages.get(after, limit, head) {
            return Ok(page);
        }
        let (mut rows, mut more) = store::entries(&self.db, after, limit).await?;
        // Entries carrying documents are large: a page ends before it would
        // pass its byte budget (with at least one entry, so it moves).
        let mut bytes = 0;
        if let Some(cut) = rows.iter().position(|row| {
            bytes += row.jws.len();
            bytes > PAGE_BYTES
        }) {
            rows.truncate(cut.max(1));
            more = true;
        }
        let next = rows.last().map_or(after, |row| row.seq);
        let page = pb::ListFeedEntriesResponse {
            entries: rows
                .into_iter()
                .map(|row| pb::FeedEntry {
                    sequence: row.seq,
                    kind: kind_to(&row.kind) as i32,
                    name: row.name,
                    version: row.version,
                    withdrawn: row.withdrawn,
                    update_time: Some(timestamp(row.updated_at)),
                    signature: row.jws,
                })
                .collect(),
            next_cursor: format!("c{next}"),
            more,
        };
        let page = std::sync::Arc::new(page);
        let bytes = prost::Message::encoded_len(&*page);
        // Rows read after `head` was: if the feed moved in between, the
        // page may hold the newer rows; it is kept only under `head` when
        // the feed still ends there.
        if store::head(&self.db).await? == head {
            self.feed_pages.put(after, limit, head, &page, bytes);
        }
        Ok((page, bytes))
    }
}

#[tonic::async_trait]
impl FederationService for FederationApi {
    async fn get_federation_keys(
        &self,
        _request: Request<pb::GetFederationKeysRequest>,
    ) -> std::result::Result<Response<pb::FederationKeys>, Status> {
        let keys = store::keys(&self.db).await.map_err(Error::from)?;
        Ok(Response::new(pb::FederationKeys {
            issuer: self.identity.issuer.clone(),
            display_name: self.identity.display_name.clone(),
            keys: keys.into_iter().map(key_to).collect(),
        }))
    }

    async fn list_feed_entries(
        &self,
        request: Request<pb::ListFeedEntriesRequest>,
    ) -> std::result::Result<Response<pb::ListFeedEntriesResponse>, Status> {
        Ok(Response::new(self.list_feed(request.get_ref()).await?))
    }

    async fn rotate_federation_key(
        &self,
        request: Request<pb::RotateFederationKeyRequest>,
    ) -> std::result::Result<Response<pb::FederationKey>, Status> {
        grpc_peers::require_admin(&request)?;
        if self.key_from_file {
            return Err(Error::Precondition(
                "the signing key is the one in `federation.signing_key_file`: rotate it by \
                 changing that file and restarting"
                    .into(),
            )
            .into());
        }
        let key = store::rotate(&self.db, &self.identity.issuer)
            .await
            .map_err(Error::from)?;
        tracing::info!(kid = %key.kid, "federation signing key rotated");
        Ok(Response::new(key_to(key)))
    }

    async fn create_peer(
        &self,
        request: Request<pb::CreatePeerRequest>,
    ) -> std::result::Result<Response<pb::Peer>, Status> {
        Ok(Response::new(
            grpc_peers::create(&self.db, &self.peers, request).await?,
        ))
    }

    async fn list_peers(
        &self,
        request: Request<pb::ListPeersRequest>,
    ) -> std::result::Result<Response<pb::ListPeersResponse>, Status> {
        Ok(Response::new(grpc_peers::list(&self.db, request).await?))
    }

    async fn get_peer(
        &self,
        request: Request<pb::GetPeerRequest>,
    ) -> std::result::Result<Response<pb::Peer>, Status> {
        Ok(Response::new(grpc_peers::get(&self.db, request).await?))
    }

    async fn update_peer(
        &self,
        request: Request<pb::UpdatePeerRequest>,
    ) -> std::result::Result<Response<pb::Peer>, Status> {
        Ok(Response::new(
            grpc_peers::update(&self.db, &self.peers, request).await?,
        ))
    }

    async fn sync_peer(
        &self,
        request: Request<pb::SyncPeerRequest>,
    ) -> std::result::Result<Response<pb::Peer>, Status> {
        Ok(Response::new(
            grpc_peers::sync(&self.db, &self.peers, request).await?,
        ))
    }

    async fn list_refused_entries(
        &self,
        request: Request<pb::ListRefusedEntriesRequest>,
    ) -> std::result::Result<Response<pb::ListRefusedEntriesResponse>, Status> {
        Ok(Response::new(grpc_peers::refused(&self.db, request).await?))
    }
}
