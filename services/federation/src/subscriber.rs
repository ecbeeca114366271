//! Subscribing to peers: each trusted peer's keys and feed are read by
//! durable jobs (rule 10), one link of a chain at a time: the keys, then
//! the feed page by page from the peer's cursor, then the next poll. Each
//! page is applied in the transaction that records its job's end, with the
//! cursor after it, so a read cut short (this service or the peer down)
//! resumes exactly where it stopped, and nothing is imported twice.
//!
//! Every entry is verified against the peer's trusted keys (the pinned
//! ones and those they endorse). An entry that fails (a bad signature, a
//! malformed payload, another issuer's) is refused: recorded, and it
//! changes nothing. One signed by a key that is not trusted stops the
//! read before it (the keys are read again: a rotation the peer endorsed
//! is followed; else the read waits, and an administrator sees why). An
//! entry at a version not newer than its mirror's (a replay) is ignored.
//! A verified one updates the mirror and is told to the mesh as
//! `federation.mirror.updated`, which the catalogue makes a read-only
//! entry of.

use std::time::Duration;

use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::federation::v1 as pb;
use interlink_runtime::api::now_ms;
use interlink_runtime::events::{EventType, NewEvent, Outbox, service_actor};
use interlink_runtime::jobs::{self, Job, JobHandler, NewJob, Outcome, Transport};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};

use crate::keys::{self, ENTRY_TYPE, JwsError, ListedKey, PublicKey};
use crate::peers::{self, PeerRow};
use crate::store::{EntryClaims, Kind};

/// The job that reads a peer's keys.
pub const KEYS_JOB: &str = "federation.keys";
/// The job that reads a page of a peer's feed.
pub const FEED_JOB: &str = "federation.feed";
/// A verified entry of a peer, new or newer.
pub const MIRROR_UPDATED: EventType = EventType::new("federation", "mirror", "updated");

/// How a subscription paces itself.
#[derive(Debug, Clone, Copy)]
pub struct SyncSettings {
    /// Between reads of a feed read to its end.
    pub interval: Duration,
    /// Entries asked per page.
    pub page_size: u32,
    /// Keys read less than this long ago are not read again when an entry
    /// names an unknown key (the read waits for the next poll instead).
    pub keys_fresh: Duration,
}

impl Default for SyncSettings {
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(300),
            page_size: 500,
            keys_fresh: Duration::from_secs(60),
        }
    }
}

/// The URL of the keys of the deployment whose feed is at `feed_url`: at
/// the well-known path of its origin (RFC 8615).
pub fn keys_url(feed_url: &str) -> Option<String> {
    let url = url::Url::parse(feed_url).ok()?;
    let mut keys = url.clone();
    keys.set_path("/.well-known/interlink-federation");
    keys.set_query(None);
    keys.set_fragment(None);
    Some(keys.to_string())
}

/// The URL of the page of `feed_url` after `cursor`.
pub fn page_url(feed_url: &str, cursor: &str, page_size: u32) -> Option<String> {
    let mut url = url::Url::parse(feed_url).ok()?;
    url.query_pairs_mut()
        .append_pair("cursor", cursor)
        .append_pair("pageSize", &page_size.to_string());
    Some(url.to_string())
}

/// Writes the next link of `peer`'s chain, due at `due` (unix ms): a read
/// of its keys or of the page after its cursor. The peer keeps the job's
/// id; a job it does not name any more (replaced by a later one) does
/// nothing when it runs.
pub async fn schedule(
    txn: &impl ConnectionTrait,
    peer: &PeerRow,
    kind: &str,
    due: i64,
    settings: &SyncSettings,
) -> Result<(), DbErr> {
    let url = if kind == KEYS_JOB {
        keys_url(&peer.feed_url)
    } else {
        page_url(&peer.feed_url, &peer.cursor, settings.page_size)
    }
    .ok_or_else(|| DbErr::Custom(format!("peer {}: bad feed URL", peer.id)))?;
    let id = jobs::enqueue_at(
        txn,
        &NewJob {
            kind: kind.to_owned(),
            reference: peer.id.clone(),
            method: "GET".into(),
            url,
            body: None,
            idempotency_key: uuid::Uuid::now_v7().to_string(),
            subject: String::new(),
            audience: String::new(),
        },
        due,
    )
    .await?;
    peers::set_job(txn, &peer.id, &id.to_string()).await
}

/// Reads peers over HTTP(S): GET only, no redirect, no proxy, a bounded
/// body, `http://` only where the deployment allows it.
#[derive(Debug, Clone)]
pub struct PeerTransport {
    http: reqwest::Client,
    allow_http: bool,
    max_bytes: usize,
}

impl PeerTransport {
    /// Reads taking at most `timeout`, of at most `max_bytes`.
    pub fn new(timeout: Duration, allow_http: bool, max_bytes: usize) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()?;
        Ok(Self {
            http,
            allow_http,
            max_bytes,
        })
    }
}

impl Transport for PeerTransport {
    async fn call(&self, job: &Job) -> Outcome {
        if !(job.call.url.starts_with("https://")
            || (self.allow_http && job.call.url.starts_with("http://")))
        {
            return Outcome::Refused(0, "the peer's URL must be https://".into());
        }
        let response = match self
            .http
            .get(&job.call.url)
            .header("accept", "application/json")
            .send()
            .await
        {
            Ok(response) => response,
            Err(e) => return Outcome::Transient(None, format!("no answer: {e}")),
        };
        let status = response.status().as_u16();
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Outcome::Transient(Some(status), "the answer is too large".into());
        }
        let body = match response.text().await {
            Ok(body) if body.len() <= self.max_bytes => body,
            Ok(_) => return Outcome::Transient(Some(status), "the answer is too large".into()),
            Err(e) => return Outcome::Transient(Some(status), format!("the answer broke: {e}")),
        };
        match status {
            200..=299 => Outcome::Succeeded(status, body),
            408 | 425 | 429 | 500..=599 => {
                Outcome::Transient(Some(status), format!("HTTP {status}"))
            }
            _ => Outcome::Refused(status, format!("HTTP {status}")),
        }
    }
}

/// What the subscription does with its jobs' answers.
#[derive(Debug, Clone)]
pub struct Subscriber {
    outbox: Outbox,
    settings: SyncSettings,
}

impl Subscriber {
    /// Tells the mesh through `outbox`, pacing reads by `settings`.
    pub fn new(outbox: Outbox, settings: SyncSettings) -> Self {
        Self { outbox, settings }
    }

    /// The peer `job` is the current link of, unless it is paused or the
    /// job was replaced.
    async fn current_peer(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
    ) -> anyhow::Result<Option<PeerRow>> {
        let peer = peers::get(txn, &job.call.reference).await?;
        Ok(peer.filter(|p| !p.paused && p.job_id == job.id.to_string()))
    }

    async fn keys_read(
        &self,
        txn: &DatabaseTransaction,
        peer: &PeerRow,
        body: &str,
    ) -> anyhow::Result<()> {
        let now = now_ms();
        let document: pb::FederationKeys = match parse_keys(body) {
            Ok(document) => document,
            Err(reason) => {
                peers::set_error(txn, &peer.id, &format!("its keys document: {reason}"), now)
                    .await?;
                return self.later(txn, peer, KEYS_JOB, now).await;
            }
        };
        // Only the kind of key entries are signed with.
        let listed: Vec<ListedKey> = document
            .keys
            .iter()
            .filter(|k| k.kty == "EC" && k.crv == "P-256" && k.alg == "ES256")
            .map(|k| ListedKey {
                kid: k.kid.clone(),
                public: PublicKey {
                    x: k.x.clone(),
                    y: k.y.clone(),
                },
                endorsement: k.endorsement.clone(),
            })
            .collect();
        let trusted = keys::trusted_keys(&peer.pinned_keys, &listed);
        peers::set_keys(
            txn,
            &peer.id,
            &document.issuer,
            &document.display_name,
            &trusted,
            now,
        )
        .await?;
        if trusted.is_empty() {
            let listed: Vec<&str> = listed.iter().map(|k| k.kid.as_str()).collect();
            peers::set_error(
                txn,
                &peer.id,
                &format!(
                    "none of its keys ({}) is a pinned key or endorsed by one",
                    listed.join(", ")
                ),
                now,
            )
            .await?;
            return self.later(txn, peer, KEYS_JOB, now).await;
        }
        let peer = peers::get(txn, &peer.id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("peer {} vanished", peer.id))?;
        schedule(txn, &peer, FEED_JOB, now, &self.settings).await?;
        Ok(())
    }

    async fn page_read(
        &self,
        txn: &DatabaseTransaction,
        peer: &PeerRow,
        body: &str,
    ) -> anyhow::Result<()> {
        let now = now_ms();
        let page: pb::ListFeedEntriesResponse = match parse_page(body) {
            Ok(page) => page,
            Err(reason) => {
                peers::set_error(txn, &peer.id, &format!("its feed page: {reason}"), now).await?;
                return self.later(txn, peer, FEED_JOB, now).await;
            }
        };
        let mut cursor = peer.cursor.clone();
        let mut events = Vec::new();
        for entry in &page.entries {
            match self.entry(txn, peer, entry, now).await? {
                Verdict::Imported(event) => events.push(*event),
                Verdict::Ignored => {}
                Verdict::Refused(reason) => {
                    peers::refuse(txn, &peer.id, entry.sequence, &entry.name, &reason, now).await?;
                }
                Verdict::UntrustedKey(kid) => {
                    // Stop before it: what follows waits for the key.
                    peers::set_cursor(txn, &peer.id, &cursor, None).await?;
                    self.tell(txn, &events).await?;
                    let fresh = peer
                        .keys_checked_at
                        .is_some_and(|at| now - at < self.settings.keys_fresh.as_millis() as i64);
                    let reason = format!(
                        "entry {} is signed by key {kid}, which is not pinned nor endorsed by a pinned key",
                        entry.sequence
                    );
                    peers::set_error(txn, &peer.id, &reason, now).await?;
                    let due = if fresh {
                        now + self.settings.interval.as_millis() as i64
                    } else {
                        now
                    };
                    let peer = reload(txn, peer).await?;
                    return Ok(schedule(txn, &peer, KEYS_JOB, due, &self.settings).await?);
                }
            }
            cursor = format!("c{}", entry.sequence);
        }
        if !page.next_cursor.is_empty() {
            cursor = page.next_cursor.clone();
        }
        if page.more && cursor == peer.cursor {
            // A page that moves nothing would be read again and again.
            peers::set_error(
                txn,
                &peer.id,
                "its feed said more entries follow but its page moved nothing",
                now,
            )
            .await?;
            return self.later(txn, peer, FEED_JOB, now).await;
        }
        let synced = (!page.more).then_some(now);
        peers::set_cursor(txn, &peer.id, &cursor, synced).await?;
        peers::clear_error(txn, &peer.id).await?;
        self.tell(txn, &events).await?;
        let peer = reload(txn, peer).await?;
        let due = if page.more {
            now
        } else {
            now + self.settings.interval.as_millis() as i64
        };
        schedule(txn, &peer, FEED_JOB, due, &self.settings).await?;
        Ok(())
    }

    /// What to do with one entry of `peer`'s feed.
    async fn entry(
        &self,
        txn: &DatabaseTransaction,
        peer: &PeerRow,
        entry: &pb::FeedEntry,
        now: i64,
    ) -> anyhow::Result<Verdict> {
        let head = match keys::header(&entry.signature) {
            Ok(head) => head,
            Err(e) => return Ok(Verdict::Refused(e.to_string())),
        };
        let Some(key) = peer.trusted_keys.get(&head.kid) else {
            return Ok(Verdict::UntrustedKey(head.kid));
        };
        let claims: EntryClaims = match keys::verify(&entry.signature, ENTRY_TYPE, key) {
            Ok(claims) => claims,
            Err(JwsError::UntrustedKey(kid)) => return Ok(Verdict::UntrustedKey(kid)),
            Err(e) => return Ok(Verdict::Refused(e.to_string())),
        };
        if claims.iss != peer.issuer {
            return Ok(Verdict::Refused(format!(
                "issued by {}, not by the peer ({})",
                claims.iss, peer.issuer
            )));
        }
        let mirror = match mirror_of(peer, &claims, &entry.signature) {
            Ok(mirror) => mirror,
            Err(reason) => return Ok(Verdict::Refused(reason)),
        };
        let known = peers::mirror_version(txn, &peer.id, &claims.name).await?;
        if known.is_some_and(|version| version >= claims.ver) {
            return Ok(Verdict::Ignored);
        }
        peers::put_mirror(
            txn,
            &peer.id,
            &claims.name,
            &claims.kind,
            claims.ver,
            claims.withdrawn,
            &entry.signature,
            now,
        )
        .await?;
        if known.is_none() && claims.withdrawn {
            // Withdrawn before this deployment ever saw it: nothing to tell.
            return Ok(Verdict::Ignored);
        }
        let event = self.outbox.envelope(NewEvent {
            event_type: MIRROR_UPDATED,
            actor: service_actor("federation"),
            organization_id: "",
            aggregate_id: &interlink_runtime::api::mirror_id(&peer.issuer, &claims.name),
            aggregate_version: claims.ver.max(0) as u64,
            payload: &mirror,
        })?;
        Ok(Verdict::Imported(Box::new(event)))
    }

    async fn tell(
        &self,
        txn: &DatabaseTransaction,
        events: &[interlink_proto::events::v1::Event],
    ) -> anyhow::Result<()> {
        if !events.is_empty() {
            self.outbox.append(txn, events).await?;
            self.outbox.committed();
        }
        Ok(())
    }

    /// Schedules the same read again after the interval.
    async fn later(
        &self,
        txn: &DatabaseTransaction,
        peer: &PeerRow,
        kind: &str,
        now: i64,
    ) -> anyhow::Result<()> {
        let peer = reload(txn, peer).await?;
        let due = now + self.settings.interval.as_millis() as i64;
        Ok(schedule(txn, &peer, kind, due, &self.settings).await?)
    }
}

async fn reload(txn: &DatabaseTransaction, peer: &PeerRow) -> anyhow::Result<PeerRow> {
    peers::get(txn, &peer.id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("peer {} vanished", peer.id))
}

enum Verdict {
    Imported(Box<interlink_proto::events::v1::Event>),
    Ignored,
    Refused(String),
    UntrustedKey(String),
}

/// `json` as the message `M`, by the REST API's JSON mapping (members it
/// does not know are ignored: a newer peer may send more).
fn from_json<M: prost::Name + Default>(json: &serde_json::Value) -> Result<M, String> {
    let pool = interlink_runtime::descriptors::pool().ok_or("no descriptors")?;
    let descriptor = pool
        .get_message_by_name(&M::full_name())
        .ok_or("no descriptor")?;
    let options = prost_reflect::DeserializeOptions::new().deny_unknown_fields(false);
    let dynamic =
        prost_reflect::DynamicMessage::deserialize_with_options(descriptor, json, &options)
            .map_err(|e| e.to_string())?;
    M::decode(prost::Message::encode_to_vec(&dynamic).as_slice()).map_err(|e| e.to_string())
}

fn parse_keys(body: &str) -> Result<pb::FederationKeys, String> {
    let json: serde_json::Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    from_json(&json)
}

fn parse_page(body: &str) -> Result<pb::ListFeedEntriesResponse, String> {
    let json: serde_json::Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    from_json(&json)
}

/// The mirror event of a verified entry, or why it is malformed.
fn mirror_of(
    peer: &PeerRow,
    claims: &EntryClaims,
    signature: &str,
) -> Result<pb::MirrorUpdated, String> {
    let kind =
        Kind::parse(&claims.kind).ok_or_else(|| format!("unknown kind `{}`", claims.kind))?;
    if claims.ver < 1 {
        return Err(format!("version {} is not positive", claims.ver));
    }
    let mut mirror = pb::MirrorUpdated {
        peer: format!("peers/{}", peer.id),
        origin: peer.issuer.clone(),
        origin_display_name: peer.origin_display_name.clone(),
        origin_name: claims.name.clone(),
        kind: 0,
        version: claims.ver,
        withdrawn: claims.withdrawn,
        signature: signature.to_owned(),
        body: None,
        process_document: String::new(),
    };
    match kind {
        Kind::Interlinker => {
            mirror.kind = pb::EntryKind::Interlinker as i32;
            let named = claims
                .name
                .strip_prefix("interlinkers/")
                .is_some_and(interlink_runtime::api::is_canonical_uuid);
            if !named {
                return Err(format!("`{}` is not an interlinker's name", claims.name));
            }
            if !claims.withdrawn {
                let body = claims.body.as_ref().ok_or("no body")?;
                let interlinker: catalogue::Interlinker =
                    from_json(body).map_err(|e| format!("the interlinker: {e}"))?;
                if interlinker.name != claims.name {
                    return Err(format!(
                        "the body is `{}`, the entry `{}`",
                        interlinker.name, claims.name
                    ));
                }
                let titled = interlinker
                    .title
                    .as_ref()
                    .is_some_and(|t| t.values.values().any(|v| !v.trim().is_empty()));
                if !titled || interlinker.nature == 0 {
                    return Err("the interlinker has no title or no nature".into());
                }
                mirror.body = Some(pb::mirror_updated::Body::Interlinker(interlinker));
            }
        }
        Kind::SchemaVersion => {
            mirror.kind = pb::EntryKind::SchemaVersion as i32;
            let named = claims.name.strip_prefix("schemas/").is_some_and(|id| {
                id.len() <= 64
                    && id.starts_with(|c: char| c.is_ascii_lowercase())
                    && id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            });
            if !named {
                return Err(format!("`{}` is not a schema's name", claims.name));
            }
            if !claims.withdrawn {
                let body = claims.body.as_ref().ok_or("no body")?;
                let version: catalogue::SchemaVersion =
                    from_json(body).map_err(|e| format!("the schema version: {e}"))?;
                if version.schema != claims.name {
                    return Err(format!(
                        "the body is of `{}`, the entry `{}`",
                        version.schema, claims.name
                    ));
                }
                let titled = version
                    .title
                    .as_ref()
                    .is_some_and(|t| t.values.values().any(|v| !v.trim().is_empty()));
                if !titled || version.version < 1 || version.items.is_empty() {
                    return Err("the schema version has no title, number or items".into());
                }
                mirror.body = Some(pb::mirror_updated::Body::SchemaVersion(version));
            }
        }
        Kind::Story => {
            mirror.kind = pb::EntryKind::Story as i32;
            let named = claims
                .name
                .strip_prefix("stories/")
                .is_some_and(interlink_runtime::api::is_canonical_uuid);
            if !named {
                return Err(format!("`{}` is not a story's name", claims.name));
            }
            if !claims.withdrawn {
                let body = claims.body.as_ref().ok_or("no body")?;
                let story: coproduction::Story = body
                    .get("story")
                    .ok_or_else(|| "no story".to_owned())
                    .and_then(|story| from_json(story).map_err(|e| format!("the story: {e}")))?;
                if story.name != claims.name {
                    return Err(format!(
                        "the body is `{}`, the entry `{}`",
                        story.name, claims.name
                    ));
                }
                if story.title.trim().is_empty() {
                    return Err("the story has no title".into());
                }
                let document = body
                    .get("processDocument")
                    .filter(|d| {
                        d.get("format").and_then(|f| f.as_str()) == Some(PROCESS_DOCUMENT_FORMAT)
                    })
                    .ok_or_else(|| {
                        format!("no process document in the format `{PROCESS_DOCUMENT_FORMAT}`")
                    })?;
                mirror.process_document = document.to_string();
                mirror.body = Some(pb::mirror_updated::Body::Story(story));
            }
        }
        Kind::GenesisDocument => {
            mirror.kind = pb::EntryKind::GenesisDocument as i32;
            if crate::genesis::parse_entry_name(&claims.name).is_none() {
                return Err(format!(
                    "`{}` is not a genesis document's name",
                    claims.name
                ));
            }
            if !claims.withdrawn {
                let body = claims.body.as_ref().ok_or("no body")?;
                let document: crate::genesis::DocumentBody =
                    serde_json::from_value(body.clone())
                        .map_err(|e| format!("the genesis document: {e}"))?;
                let document = document.document(&claims.name)?;
                mirror.body = Some(pb::mirror_updated::Body::GenesisDocument(document));
            }
        }
    }
    Ok(mirror)
}

/// The format of the process documents that come with stories.
const PROCESS_DOCUMENT_FORMAT: &str = "interlink.process/1";

impl JobHandler for Subscriber {
    async fn succeeded(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        _status: u16,
        body: &str,
    ) -> anyhow::Result<()> {
        let Some(peer) = self.current_peer(txn, job).await? else {
            return Ok(());
        };
        peers::forget_done_jobs(txn, &peer.id, &job.id.to_string()).await?;
        match job.call.kind.as_str() {
            KEYS_JOB => self.keys_read(txn, &peer, body).await,
            FEED_JOB => self.page_read(txn, &peer, body).await,
            _ => Ok(()),
        }
    }

    async fn failed(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        reason: &str,
    ) -> anyhow::Result<()> {
        let Some(peer) = self.current_peer(txn, job).await? else {
            return Ok(());
        };
        let now = now_ms();
        peers::set_error(txn, &peer.id, reason, now).await?;
        self.later(txn, &peer, &job.call.kind, now).await
    }
}
