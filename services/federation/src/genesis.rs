//! Genesis documents of shared knowledge interlinkers. A knowledge
//! interlinker is cloned from its genesis asset in each language; a peer
//! cannot clone from this deployment's interlinkers (they trust this
//! platform's tokens only), so the documents themselves go out: where the
//! software interlinker that edits them declares `download`, a durable job
//! (rule 10) downloads each genesis asset with a platform token, and the
//! document goes into the feed as an entry of its own
//! (`interlinkers/{id}/genesis/{language}`, kind `genesis_document`),
//! signed like every entry, the bytes inside (so what a peer keeps is what
//! was signed). A document is downloaded again when its interlinker's
//! shared content changes, and withdrawn with it.
//!
//! This module keeps what it needs from the catalogue's events: the
//! software interlinkers' endpoints and whether they download
//! (`genesis_software`), and the genesis assets of shared knowledge
//! interlinkers (`genesis_sources`, with the last download's error).

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use interlink_proto::catalogue::v1 as catalogue;
use interlink_runtime::db::statement;
use interlink_runtime::jobs::{self, Job, NewJob, Outcome, TokenSource};
use sea_orm::{ConnectionTrait, DbErr};
use sha2::{Digest, Sha256};

use crate::store::{self, Kind};

/// The job that downloads a genesis asset.
pub const GENESIS_JOB: &str = "federation.genesis";
/// The largest genesis document shared: larger ones stay at home (the
/// download is refused and its error kept).
pub const MAX_DOCUMENT_BYTES: usize = 256 * 1024;
/// Who the download's platform token names.
pub const SUBJECT: &str = "services/federation";

/// The feed's name of `interlinker`'s genesis document in `language`.
pub fn entry_name(interlinker: &str, language: &str) -> String {
    format!("{interlinker}/genesis/{language}")
}

/// The interlinker and language of a genesis document's entry name, when
/// it is one (`interlinkers/{uuid}/genesis/{language}`).
pub fn parse_entry_name(name: &str) -> Option<(&str, &str)> {
    let (interlinker, language) = name.rsplit_once("/genesis/")?;
    let id = interlinker.strip_prefix("interlinkers/")?;
    (interlink_runtime::api::is_canonical_uuid(id) && is_language_tag(language))
        .then_some((interlinker, language))
}

/// A language tag as genesis assets are keyed: 2–3 letters, then up to
/// three subtags of 2–8 letters or digits.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let first = parts.next().unwrap_or_default();
    let subtags: Vec<&str> = parts.collect();
    (2..=3).contains(&first.len())
        && first.bytes().all(|b| b.is_ascii_lowercase())
        && subtags.len() <= 3
        && subtags
            .iter()
            .all(|s| (2..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A media type as a download may name it: `type/subtype` and parameters,
/// printable ASCII without quotes, at most 120 characters.
pub fn is_media_type(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&-^_.+".contains(&b))
    };
    media_type.len() <= 120
        && media_type
            .bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
        && essence
            .split_once('/')
            .is_some_and(|(kind, sub)| token(kind) && token(sub))
}

/// A file name as it may be offered for download: 1–200 characters, no
/// path separators, quotes or control characters.
pub fn is_file_name(name: &str) -> bool {
    !name.trim().is_empty()
        && name.chars().count() <= 200
        && !name
            .chars()
            .any(|c| c.is_control() || matches!(c, '/' | '\\' | '"'))
        && name != "."
        && name != ".."
}

/// What a genesis document's entry carries (the REST API's JSON of
/// `interlink.catalogue.v1.GenesisDocument`, with its content in base64).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentBody {
    /// `interlinkers/{id}` at the origin.
    pub interlinker: String,
    /// The genesis asset's language.
    pub language: String,
    /// Its media type, as the interlinker gave it.
    pub media_type: String,
    /// Its file name, as the interlinker gave it.
    pub file_name: String,
    /// Its bytes' count.
    pub size: i64,
    /// Its bytes' SHA-256, hex.
    pub sha256: String,
    /// Its bytes, base64 (standard, padded).
    pub content: String,
}

impl DocumentBody {
    /// The body of `content` for `interlinker` in `language`.
    pub fn new(
        interlinker: &str,
        language: &str,
        media_type: &str,
        file_name: &str,
        content: &[u8],
    ) -> Self {
        Self {
            interlinker: interlinker.to_owned(),
            language: language.to_owned(),
            media_type: media_type.to_owned(),
            file_name: file_name.to_owned(),
            size: content.len() as i64,
            sha256: hex(&Sha256::digest(content)),
            content: base64::engine::general_purpose::STANDARD.encode(content),
        }
    }

    /// The document this body carries, checked: named as `entry` says, of
    /// the size and digest it states, of an acceptable media type and file
    /// name and size. Why not, otherwise.
    pub fn document(&self, entry: &str) -> Result<catalogue::GenesisDocument, String> {
        let (interlinker, language) = parse_entry_name(entry)
            .ok_or_else(|| format!("`{entry}` is not a genesis document's name"))?;
        if self.interlinker != interlinker || self.language != language {
            return Err(format!(
                "the body is of `{}` in `{}`, the entry `{entry}`",
                self.interlinker, self.language
            ));
        }
        if !is_media_type(&self.media_type) {
            return Err(format!("`{}` is not a media type", self.media_type));
        }
        if !is_file_name(&self.file_name) {
            return Err("the file name is empty, too long or has a path in it".into());
        }
        let content = base64::engine::general_purpose::STANDARD
            .decode(&self.content)
            .map_err(|e| format!("the content is not base64: {e}"))?;
        if content.len() > MAX_DOCUMENT_BYTES {
            return Err(format!(
                "the document is larger than {MAX_DOCUMENT_BYTES} bytes"
            ));
        }
        if content.len() as i64 != self.size {
            return Err(format!(
                "the document has {} bytes, its entry says {}",
                content.len(),
                self.size
            ));
        }
        if hex(&Sha256::digest(&content)) != self.sha256 {
            return Err("the document's SHA-256 is not the one its entry states".into());
        }
        Ok(catalogue::GenesisDocument {
            name: String::new(),
            language: self.language.clone(),
            media_type: self.media_type.clone(),
            file_name: self.file_name.clone(),
            size: self.size,
            sha256: self.sha256.clone(),
            content,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A genesis asset of a shared knowledge interlinker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// Its entry's name ([`entry_name`]).
    pub entry: String,
    /// `interlinkers/{id}`.
    pub interlinker: String,
    /// Its language.
    pub language: String,
    /// The genesis asset's URI.
    pub uri: String,
    /// `interlinkers/{id}` of the software interlinker that edits it.
    pub software: String,
    /// Why its last download failed ('' when it did not).
    pub error: String,
}

fn source_of(row: &sea_orm::QueryResult) -> Result<SourceRow, DbErr> {
    Ok(SourceRow {
        entry: row.try_get("", "entry")?,
        interlinker: row.try_get("", "interlinker")?,
        language: row.try_get("", "language")?,
        uri: row.try_get("", "uri")?,
        software: row.try_get("", "software")?,
        error: row.try_get("", "error")?,
    })
}

/// The genesis assets of `interlinker` kept here.
pub async fn sources(
    db: &impl ConnectionTrait,
    interlinker: &str,
) -> Result<Vec<SourceRow>, DbErr> {
    db.query_all_raw(statement(
        db,
        "SELECT entry, interlinker, language, uri, software, error FROM genesis_sources \
         WHERE interlinker = $1 ORDER BY language",
        [interlinker.into()],
    ))
    .await?
    .iter()
    .map(source_of)
    .collect()
}

async fn source(db: &impl ConnectionTrait, entry: &str) -> Result<Option<SourceRow>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT entry, interlinker, language, uri, software, error FROM genesis_sources \
         WHERE entry = $1",
        [entry.into()],
    ))
    .await?
    .as_ref()
    .map(source_of)
    .transpose()
}

/// Where a software interlinker downloads from, if it does.
async fn download_endpoint(
    db: &impl ConnectionTrait,
    software: &str,
) -> Result<Option<String>, DbErr> {
    let row = db
        .query_one_raw(statement(
            db,
            "SELECT endpoint FROM genesis_software WHERE name = $1 AND download",
            [software.into()],
        ))
        .await?;
    row.map(|row| row.try_get("", "endpoint")).transpose()
}

/// Where `uri`, a genesis asset of the software interlinker at
/// `endpoint`, downloads from: `{uri}/download`, when `uri` is one of that
/// interlinker's assets (`{endpoint}/assets/…`, no query, fragment or dot
/// segments), as co-production clones only from there. The platform's
/// token for that interlinker goes nowhere else.
pub fn download_url(uri: &str, endpoint: &str) -> Option<String> {
    let prefix = format!("{}/assets/", endpoint.trim_end_matches('/'));
    let rest = uri.trim_end_matches('/').strip_prefix(&prefix)?;
    let plain = !endpoint.is_empty()
        && (endpoint.starts_with("https://") || endpoint.starts_with("http://"))
        && !rest.is_empty()
        && !rest.contains(['?', '#', '\\', '%'])
        && rest
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
    plain.then(|| format!("{}/download", uri.trim_end_matches('/')))
}

/// The download of `source` from the interlinker at `endpoint`, at `url`.
fn download_job(source: &SourceRow, endpoint: &str, url: String) -> NewJob {
    NewJob {
        kind: GENESIS_JOB.into(),
        reference: source.entry.clone(),
        method: "GET".into(),
        url,
        body: None,
        idempotency_key: uuid::Uuid::now_v7().to_string(),
        subject: SUBJECT.into(),
        audience: endpoint.to_owned(),
    }
}

/// Downloads `source` again, if its software interlinker downloads and
/// the asset is one of its own; else withdraws what the feed has of it,
/// saying why. The source keeps the job, so only the newest one counts.
async fn enqueue(
    txn: &impl ConnectionTrait,
    issuer: &str,
    source: &SourceRow,
) -> Result<(), DbErr> {
    let endpoint = download_endpoint(txn, &source.software).await?;
    let planned = endpoint
        .as_deref()
        .map(|endpoint| (endpoint, download_url(&source.uri, endpoint)));
    let (job_id, error) = match planned {
        Some((endpoint, Some(url))) => {
            let id = jobs::enqueue(txn, &download_job(source, endpoint, url)).await?;
            (id.to_string(), String::new())
        }
        Some((_, None)) => (
            String::new(),
            "the genesis asset is not one of its software interlinker's assets".to_owned(),
        ),
        None => (
            String::new(),
            "its software interlinker is unknown here or does not download".to_owned(),
        ),
    };
    if job_id.is_empty() {
        store::publish(txn, issuer, Kind::GenesisDocument, &source.entry, None).await?;
    }
    txn.execute_raw(statement(
        txn,
        "UPDATE genesis_sources SET job_id = $2, error = $3 WHERE entry = $1",
        [source.entry.clone().into(), job_id.into(), error.into()],
    ))
    .await?;
    Ok(())
}

/// Follows `interlinker`'s change, whose feed entry now is `shared` (and
/// `changed` from what the feed had): a software interlinker's endpoint and
/// capabilities are kept; a shared knowledge interlinker's genesis assets
/// are downloaded when it changed or they are new, and the documents of
/// assets it no longer has (or of it, no longer shared) are withdrawn.
pub async fn interlinker_changed(
    txn: &impl ConnectionTrait,
    issuer: &str,
    interlinker: &catalogue::Interlinker,
    shared: bool,
    changed: bool,
) -> Result<(), DbErr> {
    if let Some(catalogue::interlinker::Details::Software(software)) = &interlinker.details {
        return software_changed(txn, issuer, &interlinker.name, software).await;
    }
    let mut wanted = BTreeMap::new();
    if let Some(catalogue::interlinker::Details::Knowledge(knowledge)) = &interlinker.details
        && shared
    {
        for (language, uri) in &knowledge.genesis_assets {
            if is_language_tag(language) && !uri.is_empty() {
                wanted.insert(
                    language.clone(),
                    (uri.clone(), knowledge.software_interlinker.clone()),
                );
            }
        }
    }
    for old in sources(txn, &interlinker.name).await? {
        if !wanted.contains_key(&old.language) {
            txn.execute_raw(statement(
                txn,
                "DELETE FROM genesis_sources WHERE entry = $1",
                [old.entry.clone().into()],
            ))
            .await?;
            store::publish(txn, issuer, Kind::GenesisDocument, &old.entry, None).await?;
        }
    }
    for (language, (uri, software)) in wanted {
        let entry = entry_name(&interlinker.name, &language);
        let old = source(txn, &entry).await?;
        let new = SourceRow {
            entry: entry.clone(),
            interlinker: interlinker.name.clone(),
            language,
            uri,
            software,
            error: String::new(),
        };
        let moved = old
            .as_ref()
            .is_none_or(|old| old.uri != new.uri || old.software != new.software);
        if !moved && !changed {
            continue;
        }
        txn.execute_raw(statement(
            txn,
            "DELETE FROM genesis_sources WHERE entry = $1",
            [entry.into()],
        ))
        .await?;
        txn.execute_raw(statement(
            txn,
            "INSERT INTO genesis_sources (entry, interlinker, language, uri, software, error, \
             job_id) VALUES ($1, $2, $3, $4, $5, '', '')",
            [
                new.entry.clone().into(),
                new.interlinker.clone().into(),
                new.language.clone().into(),
                new.uri.clone().into(),
                new.software.clone().into(),
            ],
        ))
        .await?;
        enqueue(txn, issuer, &new).await?;
    }
    Ok(())
}

async fn software_changed(
    txn: &impl ConnectionTrait,
    issuer: &str,
    name: &str,
    software: &catalogue::SoftwareDetails,
) -> Result<(), DbErr> {
    let download = software
        .capabilities
        .contains(&(catalogue::Capability::Download as i32));
    let endpoint = software.endpoint_uri.trim_end_matches('/').to_owned();
    let old = txn
        .query_one_raw(statement(
            txn,
            "SELECT endpoint, download FROM genesis_software WHERE name = $1",
            [name.into()],
        ))
        .await?;
    let same = match &old {
        Some(row) => {
            let (old_endpoint, old_download): (String, bool) =
                (row.try_get("", "endpoint")?, row.try_get("", "download")?);
            old_endpoint == endpoint && old_download == download
        }
        None => false,
    };
    if same {
        return Ok(());
    }
    txn.execute_raw(statement(
        txn,
        "DELETE FROM genesis_software WHERE name = $1",
        [name.into()],
    ))
    .await?;
    txn.execute_raw(statement(
        txn,
        "INSERT INTO genesis_software (name, endpoint, download) VALUES ($1, $2, $3)",
        [name.into(), endpoint.into(), download.into()],
    ))
    .await?;
    // The documents it edits go out now (shared before it was known here,
    // or while it did not download), from where it now is; or, when it no
    // longer downloads, are withdrawn.
    let rows = txn
        .query_all_raw(statement(
            txn,
            "SELECT entry, interlinker, language, uri, software, error FROM genesis_sources \
             WHERE software = $1",
            [name.into()],
        ))
        .await?;
    for row in &rows {
        enqueue(txn, issuer, &source_of(row)?).await?;
    }
    Ok(())
}

/// A download's answer as the transport hands it on: the document and
/// what its interlinker said it is.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Downloaded {
    media_type: String,
    file_name: String,
    content: String,
}

/// `job` downloaded its genesis asset (`body`, from [`GenesisTransport`]):
/// the document goes into the feed, unless the asset was dropped or moved
/// since (a later job is then the one that counts).
pub async fn downloaded(
    txn: &impl ConnectionTrait,
    issuer: &str,
    job: &Job,
    body: &str,
) -> anyhow::Result<()> {
    // The feed's lock first: a change of the interlinker (which drops or
    // replaces the source under it) is then wholly before or after this.
    store::lock(txn, "feed").await?;
    let Some(source) = current_source(txn, job).await? else {
        return Ok(());
    };
    let downloaded: Downloaded = serde_json::from_str(body)?;
    let content = base64::engine::general_purpose::STANDARD.decode(&downloaded.content)?;
    let document = DocumentBody::new(
        &source.interlinker,
        &source.language,
        &downloaded.media_type,
        &downloaded.file_name,
        &content,
    );
    if let Err(reason) = document.document(&source.entry) {
        return set_error(txn, &source.entry, &reason).await;
    }
    store::publish(
        txn,
        issuer,
        Kind::GenesisDocument,
        &source.entry,
        Some(&serde_json::to_value(&document)?),
    )
    .await?;
    set_error(txn, &source.entry, "").await
}

/// `job`'s download failed for good, for `reason`: kept on its source.
pub async fn download_failed(
    txn: &impl ConnectionTrait,
    job: &Job,
    reason: &str,
) -> anyhow::Result<()> {
    if current_source(txn, job).await?.is_none() {
        return Ok(());
    }
    tracing::warn!(entry = %job.call.reference, reason, "a genesis document could not be downloaded");
    set_error(txn, &job.call.reference, reason).await
}

/// The source `job` downloads, while `job` is its newest download (a
/// source dropped, moved or downloaded again since makes it stale).
async fn current_source(txn: &impl ConnectionTrait, job: &Job) -> Result<Option<SourceRow>, DbErr> {
    let row = txn
        .query_one_raw(statement(
            txn,
            "SELECT entry, interlinker, language, uri, software, error FROM genesis_sources \
             WHERE entry = $1 AND job_id = $2",
            [job.call.reference.clone().into(), job.id.to_string().into()],
        ))
        .await?;
    row.as_ref().map(source_of).transpose()
}

async fn set_error(txn: &impl ConnectionTrait, entry: &str, reason: &str) -> anyhow::Result<()> {
    txn.execute_raw(statement(
        txn,
        "UPDATE genesis_sources SET error = $2 WHERE entry = $1",
        [entry.into(), reason.into()],
    ))
    .await?;
    Ok(())
}

/// Downloads genesis assets: GET with a platform token for the software
/// interlinker (the job's audience), no redirect, at most
/// [`MAX_DOCUMENT_BYTES`] read.
pub struct GenesisTransport {
    http: reqwest::Client,
    tokens: Option<TokenSource>,
}

impl std::fmt::Debug for GenesisTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GenesisTransport")
            .field("tokens", &self.tokens.is_some())
            .finish_non_exhaustive()
    }
}

impl GenesisTransport {
    /// Downloads taking at most `timeout`, carrying tokens from `tokens`
    /// (none when the platform has no key for interlinkers).
    pub fn new(timeout: Duration, tokens: Option<TokenSource>) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { http, tokens })
    }

    /// One attempt of the download `job`.
    pub async fn call(&self, job: &Job) -> Outcome {
        let mut request = self.http.get(&job.call.url);
        if let Some(token) = self
            .tokens
            .as_ref()
            .and_then(|tokens| tokens(&job.call.subject, &job.call.audience))
        {
            request = request.bearer_auth(token);
        }
        let mut response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Outcome::Transient(None, format!("no answer: {e}")),
        };
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            408 | 425 | 429 | 500..=599 => {
                return Outcome::Transient(Some(status), format!("HTTP {status}"));
            }
            _ => return Outcome::Refused(status, format!("HTTP {status}")),
        }
        let too_large = || {
            Outcome::Refused(
                status,
                format!("the document is larger than {MAX_DOCUMENT_BYTES} bytes"),
            )
        };
        if response
            .content_length()
            .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
        {
            return too_large();
        }
        let media_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .filter(|v| is_media_type(v))
            .unwrap_or("application/octet-stream")
            .to_owned();
        let file_name = response
            .headers()
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .and_then(disposition_file_name)
            .unwrap_or_else(|| {
                let language = parse_entry_name(&job.call.reference).map_or("", |(_, l)| l);
                format!("genesis-{language}")
            });
        let mut content = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    content.extend_from_slice(&chunk);
                    if content.len() > MAX_DOCUMENT_BYTES {
                        return too_large();
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    return Outcome::Transient(Some(status), format!("the answer broke: {e}"));
                }
            }
        }
        let downloaded = Downloaded {
            media_type,
            file_name,
            content: base64::engine::general_purpose::STANDARD.encode(&content),
        };
        match serde_json::to_string(&downloaded) {
            Ok(body) => Outcome::Succeeded(status, body),
            Err(e) => Outcome::Refused(status, e.to_string()),
        }
    }
}

/// The `filename` of a `Content-Disposition`, when it is a plain one.
fn disposition_file_name(disposition: &str) -> Option<String> {
    disposition.split(';').find_map(|part| {
        let value = part.trim().strip_prefix("filename=")?;
        let name = value.trim_matches('"').to_owned();
        is_file_name(&name).then_some(name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "interlinkers/0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a01";

    #[test]
    fn entry_names_round_trip_and_odd_ones_are_not_documents() {
        let name = entry_name(A, "es");
        assert_eq!(parse_entry_name(&name), Some((A, "es")));
        assert_eq!(
            parse_entry_name(&entry_name(A, "pt-BR")),
            Some((A, "pt-BR"))
        );
        for odd in [
            "interlinkers/x/genesis/es",
            &format!("{A}/genesis/"),
            &format!("{A}/genesis/E$"),
            &format!("{A}/genesis/es/extra"),
            "schemas/s/genesis/es",
            A,
        ] {
            assert_eq!(parse_entry_name(odd), None, "{odd}");
        }
    }

    #[test]
    fn a_body_checks_its_content_against_what_it_states() {
        let entry = entry_name(A, "en");
        let body = DocumentBody::new(
            A,
            "en",
            "text/markdown; charset=utf-8",
            "guide.md",
            b"# Guide",
        );
        let document = body.document(&entry).expect("good");
        assert_eq!(document.content, b"# Guide");
        assert_eq!(document.size, 7);
        assert_eq!(document.sha256.len(), 64);

        let mut tampered = body.clone();
        tampered.content = base64::engine::general_purpose::STANDARD.encode(b"# Guidf");
        assert!(tampered.document(&entry).unwrap_err().contains("SHA-256"));
        let mut resized = body.clone();
        resized.size = 8;
        assert!(resized.document(&entry).unwrap_err().contains("bytes"));
        assert!(
            body.document(&entry_name(A, "es")).is_err(),
            "another language"
        );
        let mut html = body.clone();
        html.media_type = "text/html\"><script>".into();
        assert!(html.document(&entry).is_err());
        let mut pathy = body.clone();
        pathy.file_name = "../../etc/passwd".into();
        assert!(pathy.document(&entry).is_err());
        let large = DocumentBody::new(
            A,
            "en",
            "text/plain",
            "big.txt",
            &vec![b'x'; MAX_DOCUMENT_BYTES + 1],
        );
        assert!(large.document(&entry).unwrap_err().contains("larger"));
    }

    #[test]
    fn only_the_software_interlinkers_own_assets_download() {
        let endpoint = "https://docs.example.org";
        assert_eq!(
            download_url("https://docs.example.org/assets/g1", endpoint).as_deref(),
            Some("https://docs.example.org/assets/g1/download")
        );
        assert_eq!(
            download_url(
                "https://docs.example.org/assets/g1/",
                "https://docs.example.org/"
            )
            .as_deref(),
            Some("https://docs.example.org/assets/g1/download")
        );
        for elsewhere in [
            "http://169.254.169.254/latest/meta-data#",
            "https://evil.example/assets/g1",
            "https://docs.example.org.evil.example/assets/g1",
            "https://docs.example.org/assets/",
            "https://docs.example.org/assets/../admin",
            "https://docs.example.org/assets/g1?x=1",
            "https://docs.example.org/assets/g1#x",
            "https://docs.example.org/assets/%2e%2e/admin",
            "https://docs.example.org/other/g1",
        ] {
            assert_eq!(download_url(elsewhere, endpoint), None, "{elsewhere}");
        }
        assert_eq!(download_url("/assets/g1", ""), None);
    }

    #[test]
    fn media_types_and_file_names() {
        for good in [
            "text/markdown",
            "text/markdown; charset=utf-8",
            "application/vnd.oasis.opendocument.text",
        ] {
            assert!(is_media_type(good), "{good}");
        }
        for bad in ["", "text", "text/", "/x", "text/html\u{0}", "a/b\"c"] {
            assert!(!is_media_type(bad), "{bad:?}");
        }
        assert!(is_file_name("Guía de presupuestos.md"));
        for bad in ["", " ", "a/b", "a\\b", "a\"b", "..", "a\nb"] {
            assert!(!is_file_name(bad), "{bad:?}");
        }
        assert_eq!(
            disposition_file_name("attachment; filename=\"guide.md\""),
            Some("guide.md".into())
        );
        assert_eq!(disposition_file_name("attachment"), None);
    }
}
