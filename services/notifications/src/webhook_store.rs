//! Webhooks as stored: endpoints, their deliveries and the log of every
//! attempt. Deliveries are written in the transaction that handles their
//! event (rule 10: nothing acknowledged is lost), sent by the
//! [`crate::dispatch`]er.

use interlink_proto::events::v1::Event;
use interlink_runtime::api::now_ms;
use interlink_runtime::db::run;
use sea_orm::{ConnectionTrait, DbErr, QueryResult};

use crate::store;
use crate::webhooks;

/// An endpoint as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Its id.
    pub id: String,
    /// The organisation whose events it hears (id).
    pub organization: String,
    /// Where deliveries go.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types it hears.
    pub event_types: Vec<String>,
    /// The current signing secret.
    pub secret: String,
    /// The previous one, signing too until `previous_until` (ms).
    pub previous_secret: String,
    /// See `previous_secret`.
    pub previous_until: i64,
    /// Whether deliveries are made.
    pub enabled: bool,
    /// Why the platform disabled it.
    pub disabled_reason: String,
    /// Since when deliveries fail (ms).
    pub failing_since: Option<i64>,
    /// Who created it (user id, or '' once erased).
    pub created_by: String,
    /// When (ms).
    pub created_at: i64,
    /// Last changed (ms).
    pub updated_at: i64,
}

impl Endpoint {
    /// The secrets that sign a delivery at `now`: the current one, and
    /// the previous one while a rotation is under way.
    pub fn signing_secrets(&self, now: i64) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if !self.previous_secret.is_empty() && self.previous_until > now {
            secrets.push(self.previous_secret.as_str());
        }
        secrets
    }
}

const ENDPOINT_COLUMNS: &str = "id, organization_id, url, description, event_types, secret, \
     previous_secret, previous_until, enabled, disabled_reason, failing_since, created_by, \
     created_at, updated_at";

fn endpoint(r: &QueryResult) -> Result<Endpoint, DbErr> {
    let types: String = r.try_get_by_index(4)?;
    Ok(Endpoint {
        id: r.try_get_by_index(0)?,
        organization: r.try_get_by_index(1)?,
        url: r.try_get_by_index(2)?,
        description: r.try_get_by_index(3)?,
        event_types: serde_json::from_str(&types).unwrap_or_default(),
        secret: r.try_get_by_index(5)?,
        previous_secret: r.try_get_by_index(6)?,
        previous_until: r.try_get_by_index(7)?,
        enabled: r.try_get_by_index(8)?,
        disabled_reason: r.try_get_by_index(9)?,
        failing_since: r.try_get_by_index(10)?,
        created_by: r.try_get_by_index(11)?,
        created_at: r.try_get_by_index(12)?,
        updated_at: r.try_get_by_index(13)?,
    })
}

/// Writes the deliveries of `event` to the enabled endpoints of its
/// organisation that hear its type (once per endpoint: a redelivered
/// event adds nothing). Returns how many were written.
pub async fn enqueue(txn: &impl ConnectionTrait, event: &Event) -> Result<usize, DbErr> {
    if event.organization_id.is_empty() || !webhooks::is_event_type(&event.r#type) {
        return Ok(0);
    }
    let listening: Vec<(String, String)> = store::rows(
        txn,
        "SELECT id, event_types FROM webhooks WHERE organization_id = $1 AND enabled",
        [event.organization_id.clone().into()],
    )
    .await?
    .iter()
    .map(|r| Ok((r.try_get_by_index(0)?, r.try_get_by_index(1)?)))
    .collect::<Result<_, DbErr>>()?;
    let mut written = 0;
    let mut body = None;
    for (id, types) in listening {
        let types: Vec<String> = serde_json::from_str(&types).unwrap_or_default();
        if !types.contains(&event.r#type) {
            continue;
        }
        let body = match &body {
            Some(body) => body,
            None => body
                .insert(webhooks::body(event).ok_or_else(|| {
                    DbErr::Custom(format!("event {} has no JSON form", event.id))
                })?),
        };
        let now = now_ms();
        written += run(
            txn,
            "INSERT INTO webhook_deliveries (webhook_id, event_id, event_type, payload, state, \
             attempts, next_attempt_at, last_error, created_at, retry_from, updated_at) \
             VALUES ($1, $2, $3, $4, 'pending', 0, $5, '', $5, $5, $5) \
             ON CONFLICT (webhook_id, event_id) DO NOTHING",
            [
                id.into(),
                event.id.clone().into(),
                event.r#type.clone().into(),
                body.clone().into(),
                now.into(),
            ],
        )
        .await? as usize;
    }
    Ok(written)
}

/// A new endpoint's fields.
#[derive(Debug, Clone)]
pub struct NewEndpoint {
    /// Its organisation (id).
    pub organization: String,
    /// Where deliveries go.
    pub url: String,
    /// What it is for.
    pub description: String,
    /// The event types it hears.
    pub event_types: Vec<String>,
    /// Who creates it (user id).
    pub created_by: String,
}

/// Keeps a new endpoint, enabled, with a new secret.
pub async fn create(db: &impl ConnectionTrait, new: NewEndpoint) -> Result<Endpoint, DbErr> {
    let now = now_ms();
    let endpoint = Endpoint {
        id: uuid::Uuid::now_v7().to_string(),
        organization: new.organization,
        url: new.url,
        description: new.description,
        event_types: new.event_types,
        secret: webhooks::new_secret(),
        previous_secret: String::new(),
        previous_until: 0,
        enabled: true,
        disabled_reason: String::new(),
        failing_since: None,
        created_by: new.created_by,
        created_at: now,
        updated_at: now,
    };
    run(
        db,
        "INSERT INTO webhooks (id, organization_id, url, description, event_types, secret, \
         previous_secret, previous_until, enabled, disabled_reason, failing_since, created_by, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, '', 0, $7, '', NULL, $8, $9, $9)",
        [
            endpoint.id.clone().into(),
            endpoint.organization.clone().into(),
            endpoint.url.clone().into(),
            endpoint.description.clone().into(),
            types_json(&endpoint.event_types).into(),
            endpoint.secret.clone().into(),
            true.into(),
            endpoint.created_by.clone().into(),
            now.into(),
        ],
    )
    .await?;
    Ok(endpoint)
}

fn types_json(types: &[String]) -> String {
    serde_json::Value::from(types.to_vec()).to_string()
}

/// One endpoint.
pub async fn get(db: &impl ConnectionTrait, id: &str) -> Result<Option<Endpoint>, DbErr> {
    store::rows(
        db,
        &format!("SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE id = $1"),
        [id.into()],
    )
    .await?
    .first()
    .map(endpoint)
    .transpose()
}

/// An organisation's endpoints, oldest first.
pub async fn list(db: &impl ConnectionTrait, organization: &str) -> Result<Vec<Endpoint>, DbErr> {
    store::rows(
        db,
        &format!("SELECT {ENDPOINT_COLUMNS} FROM webhooks WHERE organization_id = $1 ORDER BY id"),
        [organization.into()],
    )
    .await?
    .iter()
    .map(endpoint)
    .collect()
}

/// Writes an endpoint's changeable fields (`url`, `description`,
/// `event_types`, `enabled`); enabling starts its failures afresh.
pub async fn update(db: &impl ConnectionTrait, changed: &Endpoint) -> Result<(), DbErr> {
    run(
        db,
        "UPDATE webhooks SET url = $2, description = $3, event_types = $4, enabled = $5, \
         disabled_reason = CASE WHEN $5 THEN '' ELSE disabled_reason END, \
         failing_since = CASE WHEN $5 AND NOT enabled THEN NULL ELSE failing_since END, \
         updated_at = $6 WHERE id = $1",
        [
            changed.id.clone().into(),
            changed.url.clone().into(),
            changed.description.clone().into(),
            types_json(&changed.event_types).into(),
            changed.enabled.into(),
            now_ms().into(),
        ],
    )
    .await?;
    Ok(())
}

/// Removes an endpoint, its deliveries and their log.
pub async fn delete(db: &impl ConnectionTrait, id: &str) -> Result<bool, DbErr> {
    run(
        db,
        "DELETE FROM webhook_attempts WHERE webhook_id = $1",
        [id.into()],
    )
    .await?;
    run(
        db,
        "DELETE FROM webhook_deliveries WHERE webhook_id = $1",
        [id.into()],
    )
    .await?;
    Ok(run(db, "DELETE FROM webhooks WHERE id = $1", [id.into()]).await? == 1)
}

/// Gives an endpoint a new secret; the current one signs too for
/// `overlap_ms`. Returns the new secret.
pub async fn rotate(db: &impl ConnectionTrait, id: &str, overlap_ms: i64) -> Result<String, DbErr> {
    let secret = webhooks::new_secret();
    let now = now_ms();
    run(
        db,
        "UPDATE webhooks SET previous_secret = secret, previous_until = $2, secret = $3, \
         updated_at = $4 WHERE id = $1",
        [
            id.into(),
            (now + overlap_ms).into(),
            secret.clone().into(),
            now.into(),
        ],
    )
    .await?;
    Ok(secret)
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryState {
    /// Not yet answered with a 2xx.
    Pending,
    /// Answered with a 2xx.
    Delivered,
    /// Given up on.
    Failed,
}

impl DeliveryState {
    /// Its stored code.
    pub fn code(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    fn from_code(code: &str) -> DeliveryState {
        match code {
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            _ => DeliveryState::Pending,
        }
    }
}

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Its endpoint's id.
    pub webhook: String,
    /// Its event's id (its `webhook-id`).
    pub event_id: String,
    /// Its event's type.
    pub event_type: String,
    /// Where it stands.
    pub state: DeliveryState,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is tried next (ms).
    pub next_attempt_at: i64,
    /// The last attempt's answer, if any.
    pub last_status: Option<i64>,
    /// The last attempt's error.
    pub last_error: String,
    /// The last attempt's latency (ms).
    pub latency_ms: Option<i64>,
    /// When it was written (ms).
    pub created_at: i64,
    /// When it was answered with a 2xx (ms).
    pub delivered_at: Option<i64>,
}

const DELIVERY_COLUMNS: &str = "webhook_id, event_id, event_type, state, attempts, \
     next_attempt_at, last_status, last_error, latency_ms, created_at, delivered_at";

fn delivery(r: &QueryResult) -> Result<Delivery, DbErr> {
    let state: String = r.try_get_by_index(3)?;
    Ok(Delivery {
        webhook: r.try_get_by_index(0)?,
        event_id: r.try_get_by_index(1)?,
        event_type: r.try_get_by_index(2)?,
        state: DeliveryState::from_code(&state),
        attempts: r.try_get_by_index(4)?,
        next_attempt_at: r.try_get_by_index(5)?,
        last_status: r.try_get_by_index(6)?,
        last_error: r.try_get_by_index(7)?,
        latency_ms: r.try_get_by_index(8)?,
        created_at: r.try_get_by_index(9)?,
        delivered_at: r.try_get_by_index(10)?,
    })
}

/// An endpoint's deliveries, newest first, after the cursor `before` (an
/// event id), in `state` if given; at most `limit`.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    webhook: &str,
    before: Option<&str>,
    state: Option<DeliveryState>,
    limit: u64,
) -> Result<Vec<Delivery>, DbErr> {
    store::rows(
        db,
        &format!(
            "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 \
             AND ($2 = '' OR event_id < $2) AND ($3 = '' OR state = $3) \
             ORDER BY event_id DESC LIMIT $4"
        ),
        [
            webhook.into(),
            before.unwrap_or_default().into(),
            state.map(DeliveryState::code).unwrap_or_default().into(),
            (limit as i64).into(),
        ],
    )
    .await?
    .iter()
    .map(delivery)
    .collect()
}

/// One delivery, with its body.
pub async fn delivery_with_body(
    db: &impl ConnectionTrait,
    webhook: &str,
    event_id: &str,
) -> Result<Option<(Delivery, String)>, DbErr> {
    let rows = store::rows(
        db,
        &format!(
            "SELECT {DELIVERY_COLUMNS}, payload FROM webhook_deliveries \
             WHERE webhook_id = $1 AND event_id = $2"
        ),
        [webhook.into(), event_id.into()],
    )
    .await?;
    let Some(row) = rows.first() else {
        return Ok(None);
    };
    Ok(Some((delivery(row)?, row.try_get_by_index(11)?)))
}

/// One attempt, as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// When (ms).
    pub at: i64,
    /// The answer's status, if any.
    pub status: Option<i64>,
    /// How long it took (ms).
    pub latency_ms: i64,
    /// Why it failed ('' when it did not).
    pub error: String,
}

/// A delivery's attempts, oldest first.
pub async fn attempts(
    db: &impl ConnectionTrait,
    webhook: &str,
    event_id: &str,
) -> Result<Vec<Attempt>, DbErr> {
    store::rows(
        db,
        "SELECT at, status, latency_ms, error FROM webhook_attempts \
         WHERE webhook_id = $1 AND event_id = $2 ORDER BY attempt",
        [webhook.into(), event_id.into()],
    )
    .await?
    .iter()
    .map(|r| {
        Ok(Attempt {
            at: r.try_get_by_index(0)?,
            status: r.try_get_by_index(1)?,
            latency_ms: r.try_get_by_index(2)?,
            error: r.try_get_by_index(3)?,
        })
    })
    .collect()
}

/// Makes a delivery due again at once (any state); `false` when there is
/// no such delivery.
pub async fn replay(
    db: &impl ConnectionTrait,
    webhook: &str,
    event_id: &str,
) -> Result<bool, DbErr> {
    let now = now_ms();
    Ok(run(
        db,
        "UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $3, \
         lease_until = NULL, retry_from = $3, updated_at = $3 \
         WHERE webhook_id = $1 AND event_id = $2",
        [webhook.into(), event_id.into(), now.into()],
    )
    .await?
        == 1)
}

/// Forgets a person erased from the platform as an endpoint's creator.
pub async fn erase(db: &impl ConnectionTrait, user: &str) -> Result<(), DbErr> {
    run(
        db,
        "UPDATE webhooks SET created_by = '' WHERE created_by = $1",
        [user.into()],
    )
    .await?;
    Ok(())
}
