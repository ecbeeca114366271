//! Durable calls out of the mesh (rule 10 of the architecture): a call to
//! another system (a software interlinker, later an SMTP server, a webhook
//! receiver, a federated peer) is written as a job in the same transaction
//! as the change that needs it ([`enqueue`]), and a [`Worker`] makes the
//! call, retrying with backoff while the other side is down, so nothing
//! acknowledged is lost and no request waits on another system. Every call
//! carries the job's idempotency key, so a call repeated after a lost answer
//! has its effect once. A job's state is visible ([`get`], [`for_reference`])
//! and a failed one can be tried again ([`retry`]).
//!
//! A job is *claimed* by a lease before its call, so replicas sharing the
//! table never call at once for one job; a worker that dies mid-call leaves
//! a lease that expires, and the job is called again (with the same key).

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, QueryResult};
use sea_orm_migration::{MigrationName, MigrationTrait, SchemaManager, async_trait};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::api::now_ms;
use crate::db::{begin_write, execute_script, run, statement};

/// Creates `interlink_jobs` (a service that makes outgoing calls lists it
/// in its migrator).
#[derive(Debug, Clone, Copy, Default)]
pub struct JobsMigration;

impl MigrationName for JobsMigration {
    fn name(&self) -> &str {
        "m0000_interlink_jobs"
    }
}

// Times are milliseconds since the epoch. `lease_until` is set while a
// worker calls; `reference` is what the job is about (an asset's id …).
const JOBS_TABLE: &str = r#"
CREATE TABLE interlink_jobs (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    reference       TEXT NOT NULL,
    method          TEXT NOT NULL,
    url             TEXT NOT NULL,
    body            TEXT,
    idempotency_key TEXT NOT NULL,
    subject         TEXT NOT NULL,
    audience        TEXT NOT NULL,
    state           TEXT NOT NULL,
    attempts        BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT,
    last_status     BIGINT,
    last_error      TEXT NOT NULL,
    result          TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX interlink_jobs_due ON interlink_jobs (state, next_attempt_at);
CREATE INDEX interlink_jobs_by_reference ON interlink_jobs (reference)
"#;

#[async_trait::async_trait]
impl MigrationTrait for JobsMigration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        execute_script(manager.get_connection(), JOBS_TABLE).await
    }
}

/// The longest answer body kept on a job.
const MAX_RESULT_BYTES: usize = 64 * 1024;

/// A call to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewJob {
    /// What it is for (`interlinker.clone` …), for the handler and for people.
    pub kind: String,
    /// What it is about (an asset's id …).
    pub reference: String,
    /// `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// Where.
    pub url: String,
    /// A JSON body, if any.
    pub body: Option<String>,
    /// Sent as `Idempotency-Key` with every attempt.
    pub idempotency_key: String,
    /// Whose token the call carries (empty: none).
    pub subject: String,
    /// The audience of that token.
    pub audience: String,
}

/// Where a job stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// To be called, now or after a backoff.
    Pending,
    /// Answered with success.
    Done,
    /// Refused for good, or out of attempts.
    Failed,
}

impl JobState {
    fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<Self, DbErr> {
        match text {
            "pending" => Ok(JobState::Pending),
            "done" => Ok(JobState::Done),
            "failed" => Ok(JobState::Failed),
            other => Err(DbErr::Custom(format!("unknown job state {other}"))),
        }
    }
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Its id.
    pub id: Uuid,
    /// The call it makes.
    pub call: NewJob,
    /// Where it stands.
    pub state: JobState,
    /// Calls made so far.
    pub attempts: i64,
    /// The latest answer's HTTP status, if one came.
    pub last_status: Option<i64>,
    /// Why the latest attempt failed (empty when none did).
    pub last_error: String,
    /// The successful answer's body.
    pub result: Option<String>,
    /// When the next attempt is due (milliseconds since the epoch).
    pub next_attempt_at: i64,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// Milliseconds since the epoch.
    pub updated_at: i64,
}

const JOB_COLUMNS: &str = "id, kind, reference, method, url, body, idempotency_key, subject, \
     audience, state, attempts, next_attempt_at, last_status, last_error, result, created_at, updated_at";

fn job(row: &QueryResult) -> Result<Job, DbErr> {
    let id: String = row.try_get("", "id")?;
    let state: String = row.try_get("", "state")?;
    Ok(Job {
        id: Uuid::parse_str(&id).map_err(|e| DbErr::Custom(format!("job id {id}: {e}")))?,
        call: NewJob {
            kind: row.try_get("", "kind")?,
            reference: row.try_get("", "reference")?,
            method: row.try_get("", "method")?,
            url: row.try_get("", "url")?,
            body: row.try_get("", "body")?,
            idempotency_key: row.try_get("", "idempotency_key")?,
            subject: row.try_get("", "subject")?,
            audience: row.try_get("", "audience")?,
        },
        state: JobState::parse(&state)?,
        attempts: row.try_get("", "attempts")?,
        last_status: row.try_get("", "last_status")?,
        last_error: row.try_get("", "last_error")?,
        result: row.try_get("", "result")?,
        next_attempt_at: row.try_get("", "next_attempt_at")?,
        created_at: row.try_get("", "created_at")?,
        updated_at: row.try_get("", "updated_at")?,
    })
}

/// Writes `job` in `txn` (the transaction of the change that needs it);
/// due at once. Wake the worker after the commit for a prompt call.
pub async fn enqueue(txn: &impl ConnectionTrait, job: &NewJob) -> Result<Uuid, DbErr> {
    enqueue_at(txn, job, now_ms()).await
}

/// Writes `job` in `txn`, due at `due` (milliseconds since the epoch): a
/// call to make later (a daily digest …).
pub async fn enqueue_at(txn: &impl ConnectionTrait, job: &NewJob, due: i64) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let now = now_ms();
    run(
        txn,
        "INSERT INTO interlink_jobs (id, kind, reference, method, url, body, idempotency_key, subject, \
         audience, state, attempts, next_attempt_at, last_error, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', 0, $11, '', $10, $10)",
        [
            id.to_string().into(),
            job.kind.clone().into(),
            job.reference.clone().into(),
            job.method.clone().into(),
            job.url.clone().into(),
            job.body.clone().into(),
            job.idempotency_key.clone().into(),
            job.subject.clone().into(),
            job.audience.clone().into(),
            now.into(),
            due.into(),
        ],
    )
    .await?;
    Ok(id)
}

/// The job `id`, if it exists.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Job>, DbErr> {
    db.query_one_raw(statement(
        db,
        &format!("SELECT {JOB_COLUMNS} FROM interlink_jobs WHERE id = $1"),
        [id.to_string().into()],
    ))
    .await?
    .as_ref()
    .map(job)
    .transpose()
}

/// The jobs about `reference`, oldest first.
pub async fn for_reference(db: &impl ConnectionTrait, reference: &str) -> Result<Vec<Job>, DbErr> {
    db.query_all_raw(statement(
        db,
        &format!(
            "SELECT {JOB_COLUMNS} FROM interlink_jobs WHERE reference = $1 ORDER BY created_at, id"
        ),
        [reference.into()],
    ))
    .await?
    .iter()
    .map(job)
    .collect()
}

/// How many jobs are in `state`.
pub async fn count(db: &impl ConnectionTrait, state: JobState) -> Result<i64, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT COUNT(*) AS n FROM interlink_jobs WHERE state = $1",
        [state.as_str().into()],
    ))
    .await?
    .ok_or_else(|| DbErr::Custom("COUNT(*) returned no row".into()))?
    .try_get("", "n")
}

/// Makes the failed job `id` due again, with its attempts counted afresh;
/// `false` when there is no such failed job.
pub async fn retry(db: &DatabaseConnection, id: Uuid) -> Result<bool, DbErr> {
    let txn = begin_write(db).await?;
    let retried = retry_in(&txn, id).await?;
    txn.commit().await?;
    Ok(retried)
}

/// [`retry`] in the caller's transaction (with the change that asks).
pub async fn retry_in(txn: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let now = now_ms();
    let changed = run(
        txn,
        "UPDATE interlink_jobs SET state = 'pending', attempts = 0, next_attempt_at = $2, \
         lease_until = NULL, updated_at = $2 WHERE id = $1 AND state = 'failed'",
        [id.to_string().into(), now.into()],
    )
    .await?;
    Ok(changed == 1)
}

/// What a service does when its jobs end, in the transaction that records
/// the end (so a job's effect and its state commit together).
pub trait JobHandler: Send + Sync + 'static {
    /// `job` was answered with success (`status`, `body`).
    fn succeeded(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        status: u16,
        body: &str,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// `job` failed for good, for `reason`.
    fn failed(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        reason: &str,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;
}

/// Mints the bearer token a job's call carries: `(subject, audience)` →
/// token, or `None` to call without one.
pub type TokenSource = Arc<dyn Fn(&str, &str) -> Option<String> + Send + Sync>;

/// Tokens signed by `signer` (the platform's key for interlinkers: the
/// data directory's dev key), living `ttl`, naming only their subject.
pub fn signed_by(
    signer: Arc<crate::auth::DevSigner>,
    admin_claim: String,
    ttl: Duration,
) -> TokenSource {
    Arc::new(move |subject: &str, audience: &str| {
        signer
            .mint(
                &crate::auth::DevTokenRequest {
                    subject: subject.to_owned(),
                    name: None,
                    email: None,
                    admin: false,
                    ttl,
                },
                audience,
                &admin_claim,
            )
            .map_err(|e| tracing::warn!(error = %e, "minting a token for a call failed"))
            .ok()
    })
}

/// How a worker paces its calls.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// How often to look for due jobs when nothing wakes the worker.
    pub poll: Duration,
    /// The first retry's delay; each next one doubles, up to `retry_max`.
    pub retry_initial: Duration,
    /// The longest delay between attempts.
    pub retry_max: Duration,
    /// Attempts before a job fails for good.
    pub max_attempts: i64,
    /// How long one call may take.
    pub timeout: Duration,
    /// Calls in flight at once.
    pub concurrency: usize,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(1),
            retry_initial: Duration::from_millis(500),
            retry_max: Duration::from_secs(300),
            // With the defaults, about a day and a half of retries.
            max_attempts: 450,
            timeout: Duration::from_secs(15),
            concurrency: 8,
        }
    }
}

/// How one attempt of a job ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Done, with the answer's status and body (kept on the job and given
    /// to [`JobHandler::succeeded`]).
    Succeeded(u16, String),
    /// Worth trying again (unreachable, timed out, 5xx, 408, 425, 429 …).
    Transient(Option<u16>, String),
    /// Refused for good (another 4xx …).
    Refused(u16, String),
}

/// What makes a job's call: HTTP ([`HttpTransport`]) for interlinkers,
/// or another protocol (SMTP for e-mail) a service brings.
pub trait Transport: Send + Sync + 'static {
    /// Makes one attempt of `job`.
    fn call(&self, job: &Job) -> impl Future<Output = Outcome> + Send;
}

/// Jobs as HTTP calls: the job's method, URL and JSON body, its
/// `Idempotency-Key`, and a bearer token minted at call time.
pub struct HttpTransport {
    http: reqwest::Client,
    tokens: TokenSource,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport").finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// Calls taking at most `timeout`, with tokens from `tokens`.
    pub fn new(tokens: TokenSource, timeout: Duration) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self { http, tokens })
    }
}

/// Calls due jobs of one database and records how they end.
pub struct Worker<H, T = HttpTransport> {
    db: DatabaseConnection,
    transport: T,
    handler: Arc<H>,
    config: JobsConfig,
    wake: Arc<Notify>,
}

impl<H, T> std::fmt::Debug for Worker<H, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl<H: JobHandler> Worker<H> {
    /// A worker for `db`'s jobs, calling over HTTP.
    pub fn new(
        db: DatabaseConnection,
        handler: Arc<H>,
        tokens: TokenSource,
        config: JobsConfig,
    ) -> anyhow::Result<Self> {
        let transport = HttpTransport::new(tokens, config.timeout)?;
        Ok(Self::with_transport(db, handler, transport, config))
    }
}

impl<H: JobHandler, T: Transport> Worker<H, T> {
    /// A worker for `db`'s jobs, calling through `transport`.
    pub fn with_transport(
        db: DatabaseConnection,
        handler: Arc<H>,
        transport: T,
        config: JobsConfig,
    ) -> Self {
        Self {
            db,
            transport,
            handler,
            config,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Notify it after committing a job, for a call at once.
    pub fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Calls due jobs until `shutdown`; a call in flight ends first.
    pub async fn run(self, shutdown: CancellationToken) {
        loop {
            match self.run_due().await {
                // More may be due at once: look again without waiting.
                Ok(n) if n > 0 => {
                    if shutdown.is_cancelled() {
                        return;
                    }
                    continue;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "jobs: looking for due jobs failed"),
            }
            tokio::select! {
                _ = shutdown.cancelled() => return,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.config.poll) => {}
            }
        }
    }

    /// One pass: calls the jobs due now (as many as `concurrency` at once)
    /// and returns how many it called.
    pub async fn run_due(&self) -> Result<usize, DbErr> {
        let now = now_ms();
        let due: Vec<String> = self
            .db
            .query_all_raw(statement(
                &self.db,
                "SELECT id FROM interlink_jobs WHERE state = 'pending' AND next_attempt_at <= $1 \
                 AND (lease_until IS NULL OR lease_until < $1) ORDER BY next_attempt_at, id LIMIT $2",
                [now.into(), (self.config.concurrency as i64 * 4).into()],
            ))
            .await?
            .iter()
            .map(|row| row.try_get("", "id"))
            .collect::<Result<_, _>>()?;
        let called = futures::stream::iter(due)
            .map(|id| self.attempt(id))
            .buffer_unordered(self.config.concurrency.max(1))
            .collect::<Vec<Result<bool, DbErr>>>()
            .await;
        let mut count = 0;
        for result in called {
            if result? {
                count += 1;
            }
        }
        Ok(count)
    }

    /// Claims job `id` and calls it; `false` when another worker had it.
    async fn attempt(&self, id: String) -> Result<bool, DbErr> {
        let now = now_ms();
        // The lease outlasts the call's timeout, so only a dead worker's
        // lease expires with its call unanswered.
        let lease = now + 2 * self.config.timeout.as_millis() as i64 + 1_000;
        let txn = begin_write(&self.db).await?;
        let claimed = run(
            &txn,
            "UPDATE interlink_jobs SET lease_until = $2, attempts = attempts + 1, updated_at = $3 \
             WHERE id = $1 AND state = 'pending' AND next_attempt_at <= $3 \
             AND (lease_until IS NULL OR lease_until < $3)",
            [id.clone().into(), lease.into(), now.into()],
        )
        .await?;
        let job = if claimed == 1 {
            get(
                &txn,
                Uuid::parse_str(&id).map_err(|e| DbErr::Custom(e.to_string()))?,
            )
            .await?
        } else {
            None
        };
        txn.commit().await?;
        let Some(job) = job else {
            return Ok(false);
        };
        let outcome = self.transport.call(&job).await;
        self.record(&job, outcome).await?;
        Ok(true)
    }

    async fn record(&self, job: &Job, outcome: Outcome) -> Result<(), DbErr> {
        if let Outcome::Transient(status, reason) = &outcome
            && job.attempts < self.config.max_attempts
        {
            return self.postpone(job, *status, reason).await;
        }
        let now = now_ms();
        let txn = begin_write(&self.db).await?;
        let id = job.id.to_string();
        match outcome {
            Outcome::Succeeded(status, body) => {
                run(
                    &txn,
                    "UPDATE interlink_jobs SET state = 'done', lease_until = NULL, last_status = $2, \
                     last_error = '', result = $3, updated_at = $4 WHERE id = $1",
                    [id.into(), i64::from(status).into(), body.clone().into(), now.into()],
                )
                .await?;
                let mut done = job.clone();
                done.state = JobState::Done;
                done.last_status = Some(i64::from(status));
                done.result = Some(body.clone());
                if let Err(e) = self.handler.succeeded(&txn, &done, status, &body).await {
                    // The effect could not be recorded: try the call again
                    // later (its idempotency key makes it harmless).
                    tracing::warn!(job = %job.id, kind = %job.call.kind, error = %e, "jobs: recording a success failed");
                    drop(txn);
                    return self
                        .postpone(job, None, &format!("recording the answer failed: {e}"))
                        .await;
                }
            }
            Outcome::Refused(status, reason) => {
                self.fail(&txn, job, Some(status), &reason, now).await?;
            }
            Outcome::Transient(status, reason) => {
                let reason = format!("gave up after {} attempts: {reason}", job.attempts);
                self.fail(&txn, job, status, &reason, now).await?;
            }
        }
        txn.commit().await
    }

    async fn fail(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        status: Option<u16>,
        reason: &str,
        now: i64,
    ) -> Result<(), DbErr> {
        run(
            txn,
            "UPDATE interlink_jobs SET state = 'failed', lease_until = NULL, last_status = $2, \
             last_error = $3, updated_at = $4 WHERE id = $1",
            [
                job.id.to_string().into(),
                status.map(i64::from).into(),
                reason.into(),
                now.into(),
            ],
        )
        .await?;
        let mut failed = job.clone();
        failed.state = JobState::Failed;
        failed.last_error = reason.to_owned();
        if let Err(e) = self.handler.failed(txn, &failed, reason).await {
            tracing::error!(job = %job.id, kind = %job.call.kind, error = %e, "jobs: recording a failure failed");
            return Err(DbErr::Custom(format!(
                "recording job {} failed: {e}",
                job.id
            )));
        }
        tracing::warn!(job = %job.id, kind = %job.call.kind, %reason, "jobs: a job failed for good");
        Ok(())
    }

    /// Makes `job` due again after its backoff.
    async fn postpone(&self, job: &Job, status: Option<u16>, reason: &str) -> Result<(), DbErr> {
        let now = now_ms();
        let delay = backoff(&self.config, job.attempts);
        let txn = begin_write(&self.db).await?;
        run(
            &txn,
            "UPDATE interlink_jobs SET lease_until = NULL, next_attempt_at = $2, last_status = $3, \
             last_error = $4, updated_at = $5 WHERE id = $1 AND state = 'pending'",
            [
                job.id.to_string().into(),
                (now + delay.as_millis() as i64).into(),
                status.map(i64::from).into(),
                reason.into(),
                now.into(),
            ],
        )
        .await?;
        txn.commit().await?;
        tracing::debug!(job = %job.id, kind = %job.call.kind, attempts = job.attempts, ?delay, %reason, "jobs: will try again");
        Ok(())
    }
}

impl Transport for HttpTransport {
    async fn call(&self, job: &Job) -> Outcome {
        let method = match reqwest::Method::from_bytes(job.call.method.as_bytes()) {
            Ok(method) => method,
            Err(_) => return Outcome::Refused(0, format!("unknown method {}", job.call.method)),
        };
        let mut request = self
            .http
            .request(method.clone(), &job.call.url)
            .header("idempotency-key", &job.call.idempotency_key);
        if !job.call.subject.is_empty() {
            match (self.tokens)(&job.call.subject, &job.call.audience) {
                Some(token) => request = request.bearer_auth(token),
                None => return Outcome::Transient(None, "no token could be minted".into()),
            }
        }
        if let Some(body) = &job.call.body {
            request = request
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let response = match request.send().await {
            Ok(response) => response,
            Err(e) => return Outcome::Transient(None, format!("no answer: {e}")),
        };
        let status = response.status().as_u16();
        let mut body = response.text().await.unwrap_or_default();
        if body.len() > MAX_RESULT_BYTES {
            let mut end = MAX_RESULT_BYTES;
            while !body.is_char_boundary(end) {
                end -= 1;
            }
            body.truncate(end);
        }
        match status {
            200..=299 => Outcome::Succeeded(status, body),
            // What a delete was to remove is gone either way.
            404 | 410 if method == reqwest::Method::DELETE => Outcome::Succeeded(status, body),
            408 | 425 | 429 | 500..=599 => Outcome::Transient(Some(status), answer(status, &body)),
            _ => Outcome::Refused(status, answer(status, &body)),
        }
    }
}

/// The delay after `attempts` failed attempts: doubling from
/// `retry_initial`, at most `retry_max`.
pub fn backoff(config: &JobsConfig, attempts: i64) -> Duration {
    let doublings = attempts.saturating_sub(1).clamp(0, 30) as u32;
    config
        .retry_initial
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(config.retry_max)
}

fn answer(status: u16, body: &str) -> String {
    let body: String = body.chars().take(300).collect();
    if body.trim().is_empty() {
        format!("answered {status}")
    } else {
        format!("answered {status}: {}", body.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_ceiling() {
        let config = JobsConfig {
            retry_initial: Duration::from_millis(100),
            retry_max: Duration::from_secs(1),
            ..JobsConfig::default()
        };
        let delays: Vec<u128> = (1..=6).map(|n| backoff(&config, n).as_millis()).collect();
        assert_eq!(delays, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(backoff(&config, 1_000_000), Duration::from_secs(1));
    }
}
