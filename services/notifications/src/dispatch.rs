//! The webhook dispatcher: sends due deliveries, signed as the Standard
//! Webhooks specification says, many at once, and records each attempt as
//! it ends (those ending together in one transaction). A delivery not
//! answered with a 2xx is retried with exponential backoff for a day; an
//! endpoint failing for a day is disabled and its organisation's
//! administrators are told. Addresses are checked on every attempt: a host
//! name resolving to a private address is refused unless the deployment
//! allows it (no server-side request forgery, even by DNS rebinding).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::stream::{FuturesUnordered, StreamExt};
use interlink_proto::events::v1::{Actor, ActorKind, Event};
use interlink_runtime::api::{now_ms, timestamp};
use interlink_runtime::db::{begin_write, run, statement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::rules::{Audience, Kind, Notice};
use crate::webhooks::{self, Schedule, UrlPolicy};

/// How the dispatcher works.
#[derive(Debug, Clone)]
pub struct DispatchSettings {
    /// What endpoints may be.
    pub policy: UrlPolicy,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// How deliveries are retried.
    pub schedule: Schedule,
    /// Attempts in flight at once.
    pub concurrency: usize,
    /// How often to look for due deliveries when nothing wakes it.
    pub poll: Duration,
}

impl Default for DispatchSettings {
    fn default() -> Self {
        Self {
            policy: UrlPolicy::default(),
            timeout: Duration::from_secs(10),
            schedule: Schedule::default(),
            concurrency: 64,
            poll: Duration::from_secs(1),
        }
    }
}

/// Resolves host names to their public addresses only.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let public: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|address| webhooks::is_public(address.ip()))
                .collect();
            if public.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A claimed delivery, with what sending it needs.
struct Claimed {
    webhook: String,
    event_id: String,
    payload: String,
    attempt: i64,
    retry_from: i64,
    url: String,
    secrets: Vec<String>,
}

/// How one attempt ended.
struct Sent {
    webhook: String,
    event_id: String,
    attempt: i64,
    retry_from: i64,
    at: i64,
    status: Option<u16>,
    latency_ms: i64,
    /// Empty when answered with a 2xx.
    error: String,
}

/// How an endpoint's attempts went in one recording.
struct Streak {
    succeeded: bool,
    first_failure: i64,
    gave_up_from: i64,
}

impl Streak {
    fn new(at: i64) -> Self {
        Self {
            succeeded: false,
            first_failure: at,
            gave_up_from: i64::MIN,
        }
    }
}

/// Sends the deliveries of one database.
pub struct Dispatcher {
    db: DatabaseConnection,
    http: reqwest::Client,
    settings: DispatchSettings,
    wake: Arc<Notify>,
    notices: crate::NoticeKeeper,
}

impl std::fmt::Debug for Dispatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dispatcher")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl Dispatcher {
    /// A dispatcher for `db`'s deliveries, keeping the notices it gives
    /// (an endpoint disabled) through `notices`.
    pub fn new(
        db: DatabaseConnection,
        settings: DispatchSettings,
        notices: crate::NoticeKeeper,
    ) -> anyhow::Result<Self> {
        let mut http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            // A redirect is an answer that is not a 2xx, never followed: it
            // could lead anywhere.
            .redirect(reqwest::redirect::Policy::none())
            // A proxy would resolve names where the guard cannot see.
            .no_proxy()
            .user_agent(concat!("Interlink-Webhooks/", env!("CARGO_PKG_VERSION")));
        if !settings.policy.allow_private {
            http = http.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Self {
            db,
            http: http.build()?,
            settings,
            wake: Arc::new(Notify::new()),
            notices,
        })
    }

    /// Notify it after committing deliveries, for sending at once.
    pub fn waker(&self) -> Arc<Notify> {
        Arc::clone(&self.wake)
    }

    /// Sends due deliveries until `shutdown`; attempts in flight end and
    /// are recorded first.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut in_flight = FuturesUnordered::new();
        let mut may_claim = true;
        loop {
            let stopping = shutdown.is_cancelled();
            if stopping && in_flight.is_empty() {
                return;
            }
            let room = self.settings.concurrency.saturating_sub(in_flight.len());
            if !stopping && may_claim && room > 0 {
                match self.claim(room).await {
                    Ok(claimed) => {
                        may_claim = claimed.len() == room;
                        for delivery in claimed {
                            in_flight.push(self.send(delivery));
                        }
                    }
                    Err(e) => {
                        may_claim = false;
                        tracing::warn!(error = %e, "webhooks: claiming due deliveries failed");
                    }
                }
            }
            if in_flight.is_empty() {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = self.wake.notified() => {}
                    _ = tokio::time::sleep(self.settings.poll) => {}
                }
                may_claim = true;
                continue;
            }
            tokio::select! {
                Some(sent) = in_flight.next() => {
                    // Those ending meanwhile are recorded together.
                    let mut ended = vec![sent];
                    while let Some(Some(sent)) = in_flight.next().now_or_never() {
                        ended.push(sent);
                    }
                    if let Err(e) = self.record(&ended).await {
                        // Their leases expire and they are sent again, with
                        // the same `webhook-id`.
                        tracing::warn!(error = %e, count = ended.len(), "webhooks: recording attempts failed");
                    }
                    may_claim = true;
                }
                _ = self.wake.notified(), if !stopping => may_claim = true,
                _ = tokio::time::sleep(self.settings.poll), if !stopping => may_claim = true,
                _ = shutdown.cancelled(), if !stopping => {}
            }
        }
    }

    /// Leases up to `limit` due deliveries of enabled endpoints.
    async fn claim(&self, limit: usize) -> Result<Vec<Claimed>, DbErr> {
        let now = now_ms();
        // The lease outlasts an attempt, so only a dead dispatcher's lease
        // expires with its attempt unrecorded.
        let lease = now + 2 * self.settings.timeout.as_millis() as i64 + 5_000;
        let txn = begin_write(&self.db).await?;
        let rows = txn
            .query_all_raw(statement(
                &txn,
                "UPDATE webhook_deliveries SET lease_until = $1, attempts = attempts + 1, \
                 updated_at = $2 \
                 WHERE state = 'pending' AND next_attempt_at <= $2 \
                 AND (lease_until IS NULL OR lease_until < $2) \
                 AND (webhook_id, event_id) IN (SELECT d.webhook_id, d.event_id \
                   FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                   WHERE d.state = 'pending' AND d.next_attempt_at <= $2 \
                   AND (d.lease_until IS NULL OR d.lease_until < $2) AND w.enabled \
                   ORDER BY d.next_attempt_at LIMIT $3) \
                 RETURNING webhook_id, event_id, payload, attempts, retry_from",
                [lease.into(), now.into(), (limit as i64).into()],
            ))
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        let mut endpoints: BTreeMap<String, Option<(String, Vec<String>)>> = BTreeMap::new();
        for row in &rows {
            let webhook: String = row.try_get_by_index(0)?;
            if !endpoints.contains_key(&webhook) {
                let endpoint = crate::webhook_store::get(&txn, &webhook).await?;
                endpoints.insert(
                    webhook.clone(),
                    endpoint.map(|e| {
                        let secrets = e
                            .signing_secrets(now)
                            .into_iter()
                            .map(str::to_owned)
                            .collect();
                        (e.url, secrets)
                    }),
                );
            }
            let Some(Some((url, secrets))) = endpoints.get(&webhook) else {
                continue;
            };
            claimed.push(Claimed {
                webhook,
                event_id: row.try_get_by_index(1)?,
                payload: row.try_get_by_index(2)?,
                attempt: row.try_get_by_index(3)?,
                retry_from: row.try_get_by_index(4)?,
                url: url.clone(),
                secrets: secrets.clone(),
            });
        }
        txn.commit().await?;
        Ok(claimed)
    }

    /// Makes one attempt.
    async fn send(&self, delivery: Claimed) -> Sent {
        let at = now_ms();
        let started = Instant::now();
        let outcome = self.post(&delivery, at / 1000).await;
        let latency_ms = started.elapsed().as_millis() as i64;
        let (status, error) = match outcome {
            Ok(status) if (200..300).contains(&status) => (Some(status), String::new()),
            Ok(status) => (Some(status), format!("answered {status}")),
            Err(error) => (None, error),
        };
        Sent {
            webhook: delivery.webhook,
            event_id: delivery.event_id,
            attempt: delivery.attempt,
            retry_from: delivery.retry_from,
            at,
            status,
            latency_ms,
            error,
        }
    }

    async fn post(&self, delivery: &Claimed, seconds: i64) -> Result<u16, String> {
        if let Some(problem) = webhooks::url_problem(&delivery.url, self.settings.policy) {
            return Err(format!("the URL {problem}"));
        }
        let secrets: Vec<&str> = delivery.secrets.iter().map(String::as_str).collect();
        let signature =
            webhooks::signature(&secrets, &delivery.event_id, seconds, &delivery.payload);
        let response = self
            .http
            .post(&delivery.url)
            .header("content-type", "application/json")
            .header("webhook-id", &delivery.event_id)
            .header("webhook-timestamp", seconds.to_string())
            .header("webhook-signature", signature)
            .body(delivery.payload.clone())
            .send()
            .await
            .map_err(|e| explain(&e, self.settings.timeout))?;
        Ok(response.status().as_u16())
    }

    /// Records attempts that ended, in one transaction: each delivery's
    /// new state and log line, then each endpoint's failing streak.
    async fn record(&self, ended: &[Sent]) -> anyhow::Result<()> {
        let now = now_ms();
        let schedule = self.settings.schedule;
        let window = schedule.window.as_millis() as i64;
        let txn = begin_write(&self.db).await?;
        // Per endpoint: whether any attempt succeeded, the first failure's
        // time, and the earliest a given-up delivery was due.
        let mut streaks: BTreeMap<&str, Streak> = BTreeMap::new();
        for sent in ended {
            let changed = if sent.error.is_empty() {
                run(
                    &txn,
                    "UPDATE webhook_deliveries SET state = 'delivered', lease_until = NULL, \
                     last_status = $3, last_error = '', latency_ms = $4, delivered_at = $5, \
                     updated_at = $5 WHERE webhook_id = $1 AND event_id = $2 AND state = 'pending'",
                    [
                        sent.webhook.clone().into(),
                        sent.event_id.clone().into(),
                        sent.status.map(i64::from).into(),
                        sent.latency_ms.into(),
                        now.into(),
                    ],
                )
                .await?
            } else {
                let next = now + schedule.delay(sent.attempt).as_millis() as i64;
                let gives_up = next > sent.retry_from + window;
                if gives_up {
                    let streak = streaks.entry(&sent.webhook).or_insert(Streak::new(sent.at));
                    streak.gave_up_from = streak.gave_up_from.max(sent.retry_from);
                }
                let (state, error) = if gives_up {
                    (
                        "failed",
                        format!("gave up after {} attempts: {}", sent.attempt, sent.error),
                    )
                } else {
                    ("pending", sent.error.clone())
                };
                run(
                    &txn,
                    "UPDATE webhook_deliveries SET state = $3, lease_until = NULL, \
                     next_attempt_at = $4, last_status = $5, last_error = $6, latency_ms = $7, \
                     updated_at = $8 WHERE webhook_id = $1 AND event_id = $2 AND state = 'pending'",
                    [
                        sent.webhook.clone().into(),
                        sent.event_id.clone().into(),
                        state.into(),
                        next.into(),
                        sent.status.map(i64::from).into(),
                        error.into(),
                        sent.latency_ms.into(),
                        now.into(),
                    ],
                )
                .await?
            };
            if changed == 0 {
                // Deleted, or replayed and sent elsewhere meanwhile.
                continue;
            }
            run(
                &txn,
                "INSERT INTO webhook_attempts (webhook_id, event_id, attempt, at, status, \
                 latency_ms, error) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (webhook_id, event_id, attempt) DO NOTHING",
                [
                    sent.webhook.clone().into(),
                    sent.event_id.clone().into(),
                    sent.attempt.into(),
                    sent.at.into(),
                    sent.status.map(i64::from).into(),
                    sent.latency_ms.into(),
                    sent.error.clone().into(),
                ],
            )
            .await?;
            let streak = streaks.entry(&sent.webhook).or_insert(Streak::new(sent.at));
            streak.succeeded |= sent.error.is_empty();
            streak.first_failure = streak.first_failure.min(sent.at);
        }
        let mut told = false;
        for (webhook, streak) in streaks {
            if streak.succeeded {
                run(
                    &txn,
                    "UPDATE webhooks SET failing_since = NULL WHERE id = $1 \
                     AND failing_since IS NOT NULL",
                    [webhook.into()],
                )
                .await?;
            } else {
                run(
                    &txn,
                    "UPDATE webhooks SET failing_since = $2 WHERE id = $1 AND failing_since IS NULL",
                    [webhook.into(), streak.first_failure.into()],
                )
                .await?;
                // Failing for the whole window, or since before a delivery
                // it gave up on was first due (the first attempt's lag
                // allowed for).
                let since = (now - window).max(
                    streak
                        .gave_up_from
                        .saturating_add(schedule.initial.as_millis() as i64),
                );
                told |= self.disable_if_failing(&txn, webhook, now, since).await?;
            }
        }
        txn.commit().await?;
        if told {
            self.notices.after_commit();
        }
        Ok(())
    }

    /// Disables `webhook` when it has failed since `since` (ms) or
    /// earlier, fails its pending deliveries, and tells its
    /// organisation's administrators. Returns whether it did.
    async fn disable_if_failing(
        &self,
        txn: &DatabaseTransaction,
        webhook: &str,
        now: i64,
        since: i64,
    ) -> anyhow::Result<bool> {
        let disabled = run(
            txn,
            "UPDATE webhooks SET enabled = $2, disabled_reason = $3, updated_at = $4 \
             WHERE id = $1 AND enabled AND failing_since IS NOT NULL AND failing_since <= $5",
            [
                webhook.into(),
                false.into(),
                "its deliveries failed for a day".into(),
                now.into(),
                since.into(),
            ],
        )
        .await?;
        if disabled == 0 {
            return Ok(false);
        }
        run(
            txn,
            "UPDATE webhook_deliveries SET state = 'failed', lease_until = NULL, \
             last_error = 'its endpoint was disabled after a day of failures', updated_at = $2 \
             WHERE webhook_id = $1 AND state = 'pending'",
            [webhook.into(), now.into()],
        )
        .await?;
        let Some(endpoint) = crate::webhook_store::get(txn, webhook).await? else {
            return Ok(false);
        };
        tracing::warn!(webhook, url = %endpoint.url, "webhooks: an endpoint failing for a day was disabled");
        let event = Event {
            id: uuid::Uuid::now_v7().to_string(),
            r#type: "notifications.webhook.disabled".into(),
            occurred_at: Some(timestamp(now)),
            actor: Some(Actor {
                subject: "notifications".into(),
                kind: ActorKind::Service as i32,
                user: String::new(),
            }),
            organization_id: endpoint.organization.clone(),
            aggregate_type: "webhook".into(),
            aggregate_id: webhook.to_owned(),
            aggregate_version: 0,
            payload: None,
        };
        let mut notice = Notice::new(
            Kind::WebhookDisabled,
            vec![Audience::OrganizationAdministrators(
                endpoint.organization.clone(),
            )],
            format!("webhooks/{webhook}"),
            format!("/webhooks/{webhook}"),
        );
        notice.args.insert(
            "url".into(),
            serde_json::Value::String(endpoint.url.clone()),
        );
        self.notices.keep(txn, &event, &[notice]).await?;
        Ok(true)
    }
}

/// Why an attempt got no answer, in words for the delivery log.
fn explain(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("no answer within {} ms", timeout.as_millis());
    }
    let mut words = String::from("no answer");
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(error);
    let mut last = String::new();
    while let Some(cause) = source {
        last = cause.to_string();
        source = cause.source();
    }
    if !last.is_empty() {
        words.push_str(": ");
        words.push_str(&last);
    }
    words
}

/// How many deliveries are waiting to be sent (for tests and operators).
pub async fn pending_count(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db,
            "SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'",
            [],
        ))
        .await?;
    Ok(rows
        .first()
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or_default())
}
