//! Idempotency keys. A client that may have to repeat a changing call (a
//! timeout, a dropped connection, a service restarted mid-call) sends the
//! same `idempotency-key` metadata (the `Idempotency-Key` header through the
//! gateway) with every attempt: the call takes effect once, and the repeats
//! get the first attempt's answer.
//!
//! - [`IdempotencyLayer`] looks the key up in the database of the service the
//!   call is for. A known key is answered from the database; an unknown one
//!   runs the call inside a task-local scope.
//! - In that scope, [`crate::events::Outbox::commit`] inserts the key, with
//!   the digest of a canonical form of the request, in the transaction that
//!   makes the call's change, and leaves that transaction to the layer
//!   instead of committing it. The layer writes the call's answer in it and
//!   then commits: the change, the key and the answer commit together or
//!   not at all. A call killed before that commit left nothing, and its
//!   repeat runs it; one killed after left its key and answer, and its
//!   repeat gets that answer.
//! - Two attempts running at once both run; the key's primary key lets one
//!   of them commit, and the other answers as a repeat of it. Keys kept
//!   without an answer (by an older version) answer `ABORTED` with the
//!   reason [`IN_FLIGHT`] for [`ANSWER_GRACE`] after their commit, then
//!   `ALREADY_EXISTS` with the reason [`APPLIED_WITHOUT_ANSWER`].
//! - Keys belong to the caller (the token's subject), to one method and to
//!   one request: a key reused for another method, or with another request
//!   (compared in a canonical form, so re-encoded maps do not differ), is
//!   refused with the reason [`KEY_REUSED`] (HTTP 422 through the gateway);
//!   calls without a token ignore keys. They are kept for [`RETENTION`].
//!
//! A call that commits nothing (a read, a refusal, a change to what already
//! is) records no key, so repeating it simply runs it again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::future::BoxFuture;
use http_body_util::BodyExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use tonic::Code;
use tonic_types::{ErrorDetails, StatusExt};

use crate::api::now_ms;
use crate::auth::Identity;
use crate::db::{run, statement};

/// The metadata key (and, through the gateway, the HTTP header).
pub const HEADER: &str = "idempotency-key";

/// The longest key accepted.
pub const MAX_KEY_CHARS: usize = 128;

/// How long keys and answers are kept.
pub const RETENTION: Duration = Duration::from_secs(24 * 3600);

/// The `ErrorInfo` reason of a repeat whose first attempt took effect but
/// whose answer was not kept.
pub const APPLIED_WITHOUT_ANSWER: &str = "IDEMPOTENT_CALL_APPLIED";

/// The `ErrorInfo` reason of a key reused for another method.
pub const KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";

/// The `ErrorInfo` reason of a repeat that came while the first attempt,
/// already committed, was still storing its answer (retry shortly).
pub const IN_FLIGHT: &str = "IDEMPOTENT_CALL_IN_FLIGHT";

/// How long after its commit a key without an answer is taken for a call
/// still finishing (repeats get ABORTED, retryable) rather than one whose
/// process died (repeats get ALREADY_EXISTS).
pub const ANSWER_GRACE: Duration = Duration::from_secs(10);

/// Which database keeps the keys of which gRPC service: each role registers
/// its services with its database when it starts. Services without one
/// (echo, health) ignore keys.
#[derive(Debug, Clone, Default)]
pub struct Idempotency {
    databases: Arc<RwLock<HashMap<String, DatabaseConnection>>>,
}

impl Idempotency {
    /// Keys of calls to `services` (fully-qualified names) live in `db`.
    pub fn register(&self, services: &[String], db: &DatabaseConnection) {
        if let Ok(mut databases) = self.databases.write() {
            for service in services {
                databases.insert(service.clone(), db.clone());
            }
        }
    }

    fn database(&self, service: &str) -> Option<DatabaseConnection> {
        self.databases.read().ok()?.get(service).cloned()
    }
}

/// The key of the call being served, while its handler runs.
struct Pending {
    subject: String,
    key: String,
    method: String,
    /// Of the canonical request (see [`request_digest`]).
    digest: String,
    committed: AtomicBool,
    /// The call's change, recorded with its key and left for the layer to
    /// commit with the answer.
    parked: std::sync::Mutex<Option<Parked>>,
}

/// A transaction waiting for its call's answer, and what to do once it
/// committed.
struct Parked {
    txn: sea_orm::DatabaseTransaction,
    after: Vec<Box<dyn FnOnce() + Send>>,
}

tokio::task_local! {
    static PENDING: Arc<Pending>;
}

/// Inserts the current call's key inside `txn`, the transaction that makes
/// the call's change (a no-op outside a keyed call, and after the call's
/// first committed transaction). [`crate::events::Outbox::commit`] calls it.
pub async fn record(txn: &impl ConnectionTrait) -> Result<(), DbErr> {
    let Ok(pending) = PENDING.try_with(Arc::clone) else {
        return Ok(());
    };
    if pending.committed.load(Ordering::Acquire) {
        return Ok(());
    }
    run(
        txn,
        "INSERT INTO interlink_idempotency \
         (subject, idempotency_key, method, created_at, request_digest) \
         VALUES ($1, $2, $3, $4, $5)",
        [
            pending.subject.clone().into(),
            pending.key.clone().into(),
            pending.method.clone().into(),
            now_ms().into(),
            pending.digest.clone().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Commits `txn`, the transaction of the current call's change, with the
/// call's key; for writes that do not go through
/// [`crate::events::Outbox::commit`].
pub async fn commit(txn: sea_orm::DatabaseTransaction) -> Result<(), DbErr> {
    commit_then(txn, || {}).await
}

/// Commits `txn` and then runs `after`; inside a keyed call, the first such
/// transaction gets the call's key and is left to [`IdempotencyLayer`],
/// which commits it with the call's answer (and then runs `after`).
pub async fn commit_then(
    txn: sea_orm::DatabaseTransaction,
    after: impl FnOnce() + Send + 'static,
) -> Result<(), DbErr> {
    if let Ok(pending) = PENDING.try_with(Arc::clone) {
        if !pending.committed.load(Ordering::Acquire) {
            record(&txn).await?;
            pending.committed.store(true, Ordering::Release);
            let mut parked = pending
                .parked
                .lock()
                .map_err(|_| DbErr::Custom("idempotency state poisoned".into()))?;
            *parked = Some(Parked {
                txn,
                after: vec![Box::new(after)],
            });
            return Ok(());
        }
        // A second change in a keyed call would wait on the first's locks
        // until its answer (SQLite: busy, then "database is locked"): a
        // keyed call makes one change.
        if pending.parked.lock().is_ok_and(|p| p.is_some()) {
            return Err(DbErr::Custom(
                "a call with an idempotency key makes one change; this one tried a second".into(),
            ));
        }
    }
    txn.commit().await?;
    after();
    Ok(())
}

/// Whether the current call's change waits to commit with its answer (a
/// keyed call, after its commit): what it changed is not visible to other
/// connections until the call returns.
pub fn deferred() -> bool {
    PENDING
        .try_with(|p| p.parked.lock().is_ok_and(|parked| parked.is_some()))
        .unwrap_or(false)
}

/// Runs `work` once the current call's change has committed: at once,
/// unless it waits to commit with the call's answer ([`deferred`]).
pub fn after_commit(work: impl FnOnce() + Send + 'static) {
    let parked = PENDING.try_with(Arc::clone).ok();
    if let Some(pending) = parked
        && let Ok(mut parked) = pending.parked.lock()
        && let Some(parked) = parked.as_mut()
    {
        parked.after.push(Box::new(work));
        return;
    }
    work();
}

/// The digest of a request to `method` (`/package.Service/Method`) whose
/// body is `frames`: of its message decoded and written as JSON with sorted
/// keys (so two encodings of one request, maps in any order, agree), else
/// of its bytes.
fn request_digest(method: &str, frames: &[u8]) -> String {
    use sha2::Digest;
    let canonical = canonical_request(method, frames);
    let digest = sha2::Sha256::digest(canonical.as_deref().unwrap_or(frames));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn canonical_request(method: &str, frames: &[u8]) -> Option<Vec<u8>> {
    let (header, message) = frames.split_first_chunk::<5>()?;
    let length = u32::from_be_bytes([header[1], header[2], header[3], header[4]]) as usize;
    if header[0] != 0 || message.len() != length {
        return None;
    }
    let (service, name) = method.trim_start_matches('/').split_once('/')?;
    let descriptor = crate::descriptors::pool()?
        .get_service_by_name(service)?
        .methods()
        .find(|m| m.name() == name)?;
    let message = prost_reflect::DynamicMessage::decode(descriptor.input(), message).ok()?;
    // A `Value`'s objects are ordered maps: keys come out sorted.
    serde_json::to_vec(&serde_json::to_value(&message).ok()?).ok()
}

/// Runs `work` outside the current call's key: for side effects that repeat
/// harmlessly (registering the caller on their first call), so they do not
/// take the key before the call's own change.
pub async fn unkeyed<F: Future>(work: F) -> F::Output {
    match PENDING.try_with(Arc::clone) {
        Ok(_) => {
            // A scope without a key: shadow it with an already-committed one.
            let none = Arc::new(Pending {
                subject: String::new(),
                key: String::new(),
                method: String::new(),
                digest: String::new(),
                committed: AtomicBool::new(true),
                parked: std::sync::Mutex::new(None),
            });
            PENDING.scope(none, work).await
        }
        Err(_) => work.await,
    }
}

/// Deletes keys older than [`RETENTION`]; returns how many.
pub async fn prune(db: &DatabaseConnection) -> Result<u64, DbErr> {
    let cutoff = now_ms() - RETENTION.as_millis() as i64;
    crate::db::run_write(
        db,
        "DELETE FROM interlink_idempotency WHERE created_at < $1",
        [cutoff.into()],
    )
    .await
}

/// A stored key: the method and request it was used for, the answer if
/// kept, and when its call committed.
struct Stored {
    method: String,
    digest: String,
    answer: Option<Vec<u8>>,
    created_at: i64,
}

async fn lookup(
    db: &DatabaseConnection,
    subject: &str,
    key: &str,
) -> Result<Option<Stored>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT method, request_digest, answer, created_at FROM interlink_idempotency \
         WHERE subject = $1 AND idempotency_key = $2",
        [subject.into(), key.into()],
    ))
    .await?
    .map(|row| {
        Ok(Stored {
            method: row.try_get("", "method")?,
            digest: row.try_get("", "request_digest")?,
            answer: row.try_get("", "answer")?,
            created_at: row.try_get("", "created_at")?,
        })
    })
    .transpose()
}

/// The answer to a repeat of a call whose key is `stored`.
fn repeat_answer(stored: Stored, method: &str, digest: &str) -> http::Response<tonic::body::Body> {
    // Keys kept before digests were (empty) match any request.
    if stored.method == method && !stored.digest.is_empty() && stored.digest != digest {
        return refusal(
            Code::InvalidArgument,
            &format!(
                "{HEADER}: this key was used with another request already; use a new key for \
                 each call"
            ),
            KEY_REUSED,
        );
    }
    if stored.method != method {
        return refusal(
            Code::InvalidArgument,
            &format!(
                "{HEADER}: this key was used for {} already; use a new key for each call",
                stored.method
            ),
            KEY_REUSED,
        );
    }
    match stored.answer {
        Some(answer) => ok_response(Bytes::from(answer)),
        None if now_ms() - stored.created_at < ANSWER_GRACE.as_millis() as i64 => refusal(
            Code::Aborted,
            &format!(
                "{HEADER}: the first attempt with this key took effect and is still finishing; \
                 repeat the call shortly to get its answer"
            ),
            IN_FLIGHT,
        ),
        None => refusal(
            Code::AlreadyExists,
            &format!(
                "{HEADER}: this call took effect already, but its answer was not kept (the \
                 service stopped before recording it); read the resource to see it"
            ),
            APPLIED_WITHOUT_ANSWER,
        ),
    }
}

fn refusal(code: Code, message: &str, reason: &str) -> http::Response<tonic::body::Body> {
    let mut details = ErrorDetails::new();
    details.set_error_info(reason, "interlink", HashMap::new());
    tonic::Status::with_error_details(code, message, details).into_http()
}

/// A unary gRPC answer from its encoded frames.
fn ok_response(frames: Bytes) -> http::Response<tonic::body::Body> {
    let mut trailers = http::HeaderMap::new();
    trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
    let body = http_body_util::StreamBody::new(futures::stream::iter([
        Ok::<_, std::convert::Infallible>(http_body::Frame::data(frames)),
        Ok(http_body::Frame::trailers(trailers)),
    ]));
    let mut response = http::Response::new(tonic::body::Body::new(body));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/grpc"),
    );
    response
}

/// The gRPC status code of an answer: in the headers (trailers-only
/// answers) or the trailers.
fn grpc_status(headers: &http::HeaderMap, trailers: Option<&http::HeaderMap>) -> Option<i32> {
    headers
        .get("grpc-status")
        .or_else(|| trailers.and_then(|t| t.get("grpc-status")))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
}

/// A checked key, or why it is refused.
fn checked_key(value: &http::HeaderValue) -> Result<String, String> {
    let key = value
        .to_str()
        .map_err(|_| format!("{HEADER}: must be printable ASCII"))?;
    if key.is_empty() || key.len() > MAX_KEY_CHARS {
        return Err(format!(
            "{HEADER}: must be 1 to {MAX_KEY_CHARS} characters (a UUID is a good key)"
        ));
    }
    if !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(format!("{HEADER}: must be printable ASCII without spaces"));
    }
    Ok(key.to_owned())
}

/// Applies idempotency keys to the calls of the services registered in
/// `Idempotency` (see the module's documentation). Put it inside the
/// authentication layer: keys belong to the token's subject.
#[derive(Debug, Clone)]
pub struct IdempotencyLayer {
    registry: Idempotency,
}

impl IdempotencyLayer {
    /// A layer keeping keys where `registry` says.
    pub fn new(registry: Idempotency) -> Self {
        Self { registry }
    }
}

impl<S> tower::Layer<S> for IdempotencyLayer {
    type Service = IdempotencyService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        IdempotencyService {
            inner,
            registry: self.registry.clone(),
        }
    }
}

/// The service of [`IdempotencyLayer`].
#[derive(Debug, Clone)]
pub struct IdempotencyService<S> {
    inner: S,
    registry: Idempotency,
}

impl<S, RB> tower::Service<http::Request<tonic::body::Body>> for IdempotencyService<S>
where
    S: tower::Service<http::Request<tonic::body::Body>, Response = http::Response<RB>>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
    RB: http_body::Body<Data = Bytes> + Send + 'static,
    RB::Error: Into<tonic::codegen::StdError>,
{
    type Response = http::Response<tonic::body::Body>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<tonic::body::Body>) -> Self::Future {
        // The ready service is the one that must be called; keep a fresh clone.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let method = request.uri().path().to_owned();
        let service = method
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned();
        let key = request.headers().get(HEADER).cloned();
        // Keys belong to a caller: without a token there is none to keep
        // them for (and no anonymous call changes anything).
        let known = request.extensions().get::<Identity>().is_some();
        let db = key
            .as_ref()
            .filter(|_| known)
            .and_then(|_| self.registry.database(&service));
        let (Some(key), Some(db)) = (key, db) else {
            return Box::pin(
                async move { Ok(inner.call(request).await?.map(tonic::body::Body::new)) },
            );
        };
        Box::pin(async move {
            let key = match checked_key(&key) {
                Ok(key) => key,
                Err(message) => {
                    return Ok(crate::error::invalid_argument(&[
                        crate::error::FieldViolation::new(HEADER, message),
                    ])
                    .into_http());
                }
            };
            let subject = request
                .extensions()
                .get::<Identity>()
                .map(|i| i.subject.clone())
                .unwrap_or_default();
            // The request, whole (a unary call's one message), for its digest.
            let (parts, body) = request.into_parts();
            let frames = match body.collect().await {
                Ok(collected) => collected.to_bytes(),
                Err(status) => return Ok(status.into_http()),
            };
            let digest = request_digest(&method, &frames);
            let request = http::Request::from_parts(
                parts,
                tonic::body::Body::new(http_body_util::Full::new(frames)),
            );
            match lookup(&db, &subject, &key).await {
                Ok(Some(stored)) => return Ok(repeat_answer(stored, &method, &digest)),
                Ok(None) => {}
                Err(e) => return Ok(crate::error::internal(&e).into_http()),
            }
            let pending = Arc::new(Pending {
                subject,
                key,
                method: method.clone(),
                digest,
                committed: AtomicBool::new(false),
                parked: std::sync::Mutex::new(None),
            });
            let response = PENDING
                .scope(Arc::clone(&pending), inner.call(request))
                .await?;
            let parked = pending.parked.lock().ok().and_then(|mut p| p.take());
            let Some(parked) = parked else {
                if grpc_status(response.headers(), None).is_some_and(|code| code != 0) {
                    // Refused; if a concurrent attempt with the same key took
                    // effect meanwhile (our key then conflicted), answer as a
                    // repeat of it.
                    if let Ok(Some(stored)) = lookup(&db, &pending.subject, &pending.key).await {
                        return Ok(repeat_answer(stored, &method, &pending.digest));
                    }
                }
                return Ok(response.map(tonic::body::Body::new));
            };
            // The call's change waits in `parked`: its answer joins it, then
            // both commit.
            let (parts, body) = response.into_parts();
            let collected = match body.collect().await {
                Ok(collected) => collected,
                Err(e) => {
                    let e: tonic::codegen::StdError = e.into();
                    return Ok(crate::error::internal(e.as_ref()).into_http());
                }
            };
            let trailers = collected.trailers().cloned();
            let frames = collected.to_bytes();
            if grpc_status(&parts.headers, trailers.as_ref()) != Some(0) {
                // The call answered an error after its commit: its change
                // is not kept either (dropping the transaction rolls it
                // back), so what the client hears is what happened.
                drop(parked);
                let body = http_body_util::StreamBody::new(futures::stream::iter(
                    std::iter::once(Ok::<_, std::convert::Infallible>(http_body::Frame::data(
                        frames,
                    )))
                    .chain(trailers.map(|t| Ok(http_body::Frame::trailers(t)))),
                ));
                return Ok(http::Response::from_parts(
                    parts,
                    tonic::body::Body::new(body),
                ));
            }
            let Parked { txn, after } = parked;
            let stored = async {
                {
                    run(
                        &txn,
                        "UPDATE interlink_idempotency SET answer = $3 \
                         WHERE subject = $1 AND idempotency_key = $2",
                        [
                            pending.subject.clone().into(),
                            pending.key.clone().into(),
                            frames.to_vec().into(),
                        ],
                    )
                    .await?;
                }
                txn.commit().await
            };
            if let Err(e) = stored.await {
                // Nothing took effect: a concurrent attempt with the same key
                // may have (our key then conflicted); else the call failed.
                if let Ok(Some(stored)) = lookup(&db, &pending.subject, &pending.key).await {
                    return Ok(repeat_answer(stored, &method, &pending.digest));
                }
                return Ok(crate::error::internal(&e).into_http());
            }
            for after in after {
                after();
            }
            let body = http_body_util::StreamBody::new(futures::stream::iter(
                std::iter::once(Ok::<_, std::convert::Infallible>(http_body::Frame::data(
                    frames,
                )))
                .chain(trailers.map(|t| Ok(http_body::Frame::trailers(t)))),
            ));
            Ok(http::Response::from_parts(
                parts,
                tonic::body::Body::new(body),
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn keys_kept(db: &DatabaseConnection) -> i64 {
        db.query_one_raw(statement(
            db,
            "SELECT COUNT(*) AS n FROM interlink_idempotency",
            [],
        ))
        .await
        .expect("count")
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or_default()
    }

    /// A keyed call's change waits for its answer, unseen by other
    /// connections, and a second change in the same call is refused at once.
    #[tokio::test]
    async fn a_keyed_call_parks_its_one_change_postgres() {
        a_keyed_call_parks_its_one_change(crate::testing::Backend::Postgres).await;
    }

    /// On SQLite the second change is refused when it begins: it would wait
    /// for the file's writer connection, which the first holds.
    #[tokio::test]
    async fn a_keyed_call_parks_its_one_change_embedded() {
        a_keyed_call_parks_its_one_change(crate::testing::Backend::Embedded).await;
    }

    async fn a_keyed_call_parks_its_one_change(backend: crate::testing::Backend) {
        let env =
            crate::testing::TestEnv::new::<crate::events::EventTablesMigrator>(backend, |_| {})
                .await;
        let db = env.db.clone();
        let pending = Arc::new(Pending {
            subject: "ana".into(),
            key: "k-1".into(),
            method: "/interlink.community.v1.CommunityService/CreateOrganization".into(),
            digest: "d".into(),
            committed: AtomicBool::new(false),
            parked: std::sync::Mutex::new(None),
        });
        let hooked = Arc::new(AtomicBool::new(false));
        let second = PENDING
            .scope(Arc::clone(&pending), {
                let (db, hooked) = (db.clone(), Arc::clone(&hooked));
                async move {
                    let first = crate::db::begin_write(&db).await.expect("begin");
                    commit(first).await.expect("the first change parks");
                    assert!(deferred());
                    after_commit(move || hooked.store(true, Ordering::SeqCst));
                    assert_eq!(keys_kept(&db).await, 0, "not seen before its commit");
                    let started = std::time::Instant::now();
                    let second = match crate::db::begin_write(&db).await {
                        Ok(second) => commit(second).await,
                        Err(e) => Err(e),
                    };
                    assert!(
                        started.elapsed() < Duration::from_secs(1),
                        "refused at once"
                    );
                    second
                }
            })
            .await;
        assert!(second.is_err(), "a second change is refused");
        assert!(!hooked.load(Ordering::SeqCst), "hooks wait for the commit");
        let parked = pending
            .parked
            .lock()
            .expect("state")
            .take()
            .expect("the first change waits");
        parked.txn.commit().await.expect("commit");
        for after in parked.after {
            after();
        }
        assert!(hooked.load(Ordering::SeqCst));
        assert_eq!(keys_kept(&db).await, 1);
    }

    #[test]
    fn keys_are_short_printable_ascii() {
        let check = |s: &str| checked_key(&http::HeaderValue::from_str(s).expect("header"));
        assert!(check("0191f3c2-7d1e-7a40-9d8c-2b6f1e0c9a11").is_ok());
        assert!(check("").is_err());
        assert!(check(&"k".repeat(MAX_KEY_CHARS + 1)).is_err());
        assert!(check("two words").is_err());
        let latin1 = http::HeaderValue::from_bytes(b"cl\xe9").expect("header");
        assert!(checked_key(&latin1).is_err());
    }

    #[test]
    fn status_comes_from_headers_or_trailers() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(grpc_status(&headers, None), None);
        let mut trailers = http::HeaderMap::new();
        trailers.insert("grpc-status", http::HeaderValue::from_static("0"));
        assert_eq!(grpc_status(&headers, Some(&trailers)), Some(0));
        headers.insert("grpc-status", http::HeaderValue::from_static("6"));
        assert_eq!(grpc_status(&headers, Some(&trailers)), Some(6));
    }
}
