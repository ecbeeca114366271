//! The gRPC adapter: who may read what, and the queries.

use interlink_proto::monitoring::v1 as pb;
use interlink_proto::monitoring::v1::monitoring_service_server::MonitoringService;
use interlink_runtime::api::{is_canonical_uuid, now_ms, page_size, timestamp};
use interlink_runtime::auth::{Identity, identity};
use interlink_runtime::db::{begin_write, statement};
use interlink_runtime::validation::Violation;
use std::sync::Arc;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use tokio::sync::Notify;
use tonic::{Request, Status};

use crate::error::{Error, Result};
use crate::{kpis, trail};

/// The monitoring service.
#[derive(Debug, Clone)]
pub struct MonitoringApi {
    db: DatabaseConnection,
    feed: Arc<Notify>,
}

const DAY_MS: i64 = 86_400_000;

/// How often an idle change feed looks for new events without being woken.
pub const FEED_POLL: std::time::Duration = std::time::Duration::from_millis(250);
/// Events read per query of a change feed.
const FEED_BATCH: u64 = 500;

type FeedStream = std::pin::Pin<
    Box<dyn futures::Stream<Item = std::result::Result<pb::FeedEvent, Status>> + Send>,
>;

/// The organisation id of `organizations/{id}` ('' for `organizations/-`).
fn scope(field: &str, name: &str) -> Result<String> {
    match name.strip_prefix("organizations/") {
        Some("-") => Ok(String::new()),
        Some(id) if is_canonical_uuid(id) => Ok(id.to_owned()),
        _ => Err(Error::invalid(
            field,
            "must be `organizations/{id}`, or `organizations/-` for the platform",
        )),
    }
}

fn millis(t: &prost_types::Timestamp) -> i64 {
    t.seconds.saturating_mul(1000) + i64::from(t.nanos / 1_000_000)
}

/// Who acted, as the API names them: `users/{id}`, or `services/{name}`
/// for a service acting on its own; empty once erased.
fn actor_name(e: &trail::Entry) -> String {
    let Some(subject) = &e.actor else {
        return String::new();
    };
    let by_service = e
        .event
        .as_deref()
        .and_then(|bytes| {
            <interlink_proto::events::v1::Event as prost::Message>::decode(bytes).ok()
        })
        .and_then(|event| event.actor)
        .is_some_and(|actor| actor.kind == interlink_proto::events::v1::ActorKind::Service as i32);
    if by_service {
        format!("services/{subject}")
    } else {
        interlink_runtime::api::user_name(subject)
    }
}

fn entry_to(e: &trail::Entry) -> pb::AuditEntry {
    let mut parts = e.event_type.splitn(3, '.');
    let (service, model, action) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    pb::AuditEntry {
        sequence: e.seq,
        event_id: e.event_id.clone(),
        r#type: e.event_type.clone(),
        service: service.to_owned(),
        model: model.to_owned(),
        action: action.to_owned(),
        occur_time: Some(timestamp(e.occurred_at)),
        actor: actor_name(e),
        organization: if e.organization_id.is_empty() {
            String::new()
        } else {
            format!("organizations/{}", e.organization_id)
        },
        process: if e.process_id.is_empty() {
            String::new()
        } else {
            format!("processes/{}", e.process_id)
        },
        aggregate_id: e.aggregate_id.clone(),
        aggregate_version: e.aggregate_version.max(0) as u64,
        hash: e.hash.clone(),
    }
}

impl MonitoringApi {
    /// The service over `db`; `feed` is woken when new events are stored
    /// (the change feed also looks every [`FEED_POLL`]).
    pub fn new(db: DatabaseConnection, feed: Arc<Notify>) -> Self {
        Self { db, feed }
    }

    /// Whether `caller` may read the scope (an organisation id, '' for the
    /// platform).
    async fn may_read(&self, caller: &Identity, organization_id: &str) -> Result<bool> {
        if caller.platform_admin {
            return Ok(true);
        }
        if organization_id.is_empty() {
            return Ok(false);
        }
        Ok(self
            .db
            .query_one_raw(statement(
                &self.db,
                "SELECT 1 AS one FROM m_organization_administrators \
                 WHERE organization_id = $1 AND subject = $2",
                [organization_id.into(), caller.subject.clone().into()],
            ))
            .await?
            .is_some())
    }

    async fn require_reader(&self, caller: &Identity, organization_id: &str) -> Result<()> {
        if self.may_read(caller, organization_id).await? {
            Ok(())
        } else if organization_id.is_empty() {
            Err(Error::Denied(
                "only platform administrators read platform-wide monitoring".into(),
            ))
        } else {
            Err(Error::Denied(format!(
                "only administrators of organizations/{organization_id} read its monitoring"
            )))
        }
    }
}

use interlink_runtime::grpc::{Reply, reply};

#[tonic::async_trait]
impl MonitoringService for MonitoringApi {
    type StreamEventsStream = FeedStream;

    async fn stream_events(&self, r: Request<pb::StreamEventsRequest>) -> Reply<FeedStream> {
        reply(self.stream_events_(r).await)
    }
    async fn list_parked_events(
        &self,
        r: Request<pb::ListParkedEventsRequest>,
    ) -> Reply<pb::ListParkedEventsResponse> {
        reply(self.list_parked_events_(r).await)
    }
    async fn list_activity(
        &self,
        r: Request<pb::ListActivityRequest>,
    ) -> Reply<pb::ListActivityResponse> {
        reply(self.list_activity_(r).await)
    }
    async fn verify_chain(
        &self,
        r: Request<pb::VerifyChainRequest>,
    ) -> Reply<pb::ChainVerification> {
        reply(self.verify_chain_(r).await)
    }
    async fn get_kpis(&self, r: Request<pb::GetKpisRequest>) -> Reply<pb::Kpis> {
        reply(self.get_kpis_(r).await)
    }
    async fn rebuild_kpis(
        &self,
        r: Request<pb::RebuildKpisRequest>,
    ) -> Reply<pb::RebuildKpisResponse> {
        reply(self.rebuild_kpis_(r).await)
    }
}

impl MonitoringApi {
    async fn stream_events_(
        &self,
        request: Request<pb::StreamEventsRequest>,
    ) -> Result<FeedStream> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.into_inner();
        let mut violations = Vec::new();
        let organization = if r.organization.is_empty() {
            None
        } else {
            match scope("organization", &r.organization) {
                Ok(o) => Some(o),
                Err(Error::Invalid(v)) => {
                    violations.extend(v);
                    None
                }
                Err(e) => return Err(e),
            }
        };
        if r.type_prefixes.len() > 20 {
            violations.push(Violation::new("type_prefixes", "has more than 20 prefixes"));
        }
        for (i, p) in r.type_prefixes.iter().enumerate() {
            if p.is_empty()
                || p.len() > 100
                || !p
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_')
            {
                violations.push(Violation::new(
                    format!("type_prefixes[{i}]"),
                    "must be lower-case letters, `.` and `_` (`coproduction.`)",
                ));
            }
        }
        if r.cursor < 0 {
            violations.push(Violation::new("cursor", "must not be negative"));
        }
        Error::check(violations)?;
        match &organization {
            Some(o) => self.require_reader(&caller, o).await?,
            None if caller.platform_admin => {}
            None => {
                return Err(Error::Denied(
                    "name an organisation you administer to follow its events".into(),
                ));
            }
        }
        struct Feed {
            db: DatabaseConnection,
            notify: Arc<Notify>,
            organization: Option<String>,
            prefixes: Vec<String>,
            cursor: i64,
            buffer: std::collections::VecDeque<pb::FeedEvent>,
        }
        let feed = Feed {
            db: self.db.clone(),
            notify: self.feed.clone(),
            organization,
            prefixes: r.type_prefixes,
            cursor: r.cursor,
            buffer: Default::default(),
        };
        let stream = futures::stream::unfold(feed, |mut f| async move {
            loop {
                if let Some(next) = f.buffer.pop_front() {
                    return Some((Ok(next), f));
                }
                // Register interest before looking, so a commit between the
                // query and the wait is not missed.
                let notify = f.notify.clone();
                let woken = notify.notified();
                tokio::pin!(woken);
                woken.as_mut().enable();
                let rows = match trail::feed(
                    &f.db,
                    f.organization.as_deref(),
                    &f.prefixes,
                    f.cursor,
                    FEED_BATCH,
                )
                .await
                {
                    Ok(rows) => rows,
                    Err(e) => return Some((Err(Status::from(Error::Store(e))), f)),
                };
                if rows.is_empty() {
                    let _ = tokio::time::timeout(FEED_POLL, woken).await;
                    continue;
                }
                for (sequence, bytes) in rows {
                    f.cursor = sequence;
                    let event = bytes.and_then(|b| {
                        <interlink_proto::events::v1::Event as prost::Message>::decode(b.as_slice())
                            .ok()
                    });
                    f.buffer.push_back(pb::FeedEvent { sequence, event });
                }
            }
        });
        Ok(Box::pin(stream))
    }

    async fn list_parked_events_(
        &self,
        request: Request<pb::ListParkedEventsRequest>,
    ) -> Result<pb::ListParkedEventsResponse> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?;
        if !caller.platform_admin {
            return Err(Error::Denied(
                "only platform administrators list parked events".into(),
            ));
        }
        let limit = page_size(request.get_ref().page_size, 50, 500)?;
        let total: i64 = self
            .db
            .query_one_raw(statement(&self.db, "SELECT COUNT(*) AS n FROM parked", []))
            .await?
            .map(|r| r.try_get("", "n"))
            .transpose()?
            .unwrap_or(0);
        let rows = self
            .db
            .query_all_raw(statement(
                &self.db,
                "SELECT consumer, event_id, event_type, error, deliveries, parked_at FROM parked \
                 ORDER BY parked_at DESC, event_id LIMIT $1",
                [(limit as i64).into()],
            ))
            .await?;
        let events = rows
            .iter()
            .map(|r| {
                Ok(pb::ParkedEvent {
                    consumer: r.try_get("", "consumer")?,
                    event_id: r.try_get("", "event_id")?,
                    r#type: r.try_get("", "event_type")?,
                    error: r.try_get("", "error")?,
                    deliveries: r.try_get::<i64>("", "deliveries")? as i32,
                    park_time: Some(timestamp(r.try_get("", "parked_at")?)),
                })
            })
            .collect::<std::result::Result<Vec<_>, sea_orm::DbErr>>()?;
        Ok(pb::ListParkedEventsResponse { events, total })
    }

    async fn list_activity_(
        &self,
        request: Request<pb::ListActivityRequest>,
    ) -> Result<pb::ListActivityResponse> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.get_ref();
        let mut violations = Vec::new();
        let mut filter = trail::Filter::default();
        if !r.organization.is_empty() {
            match scope("organization", &r.organization) {
                Ok(o) => filter.organization_id = Some(o),
                Err(Error::Invalid(v)) => violations.extend(v),
                Err(e) => return Err(e),
            }
        }
        if !r.process.is_empty() {
            match r
                .process
                .strip_prefix("processes/")
                .filter(|id| is_canonical_uuid(id))
            {
                Some(id) => filter.process_id = Some(id.to_owned()),
                None => violations.push(Violation::new("process", "must be `processes/{id}`")),
            }
        }
        for (field, value, target) in [
            ("model", &r.model, &mut filter.model),
            ("action", &r.action, &mut filter.action),
        ] {
            if !value.is_empty() {
                if value.chars().all(|c| c.is_ascii_lowercase() || c == '_') && value.len() <= 64 {
                    *target = Some(value.clone());
                } else {
                    violations.push(Violation::new(field, "must be lower-case letters and `_`"));
                }
            }
        }
        let actor_id = if r.actor.is_empty() {
            None
        } else {
            match r
                .actor
                .strip_prefix("users/")
                .filter(|id| is_canonical_uuid(id))
            {
                Some(id) => Some(id.to_owned()),
                None => {
                    violations.push(Violation::new("actor", "must be `users/{id}`"));
                    None
                }
            }
        };
        filter.start = r.start_time.as_ref().map(millis);
        filter.end = r.end_time.as_ref().map(millis);
        let limit = page_size(r.page_size, 50, 500)
            .map_err(|v| violations.push(v))
            .ok()
            .unwrap_or(50);
        let before = interlink_runtime::api::page_cursor(&r.page_token, |cursor| {
            cursor.parse::<i64>().ok().filter(|seq| *seq > 0)
        })
        .map_err(|v| violations.push(v))
        .ok()
        .flatten();
        Error::check(violations)?;
        // Who may read: their own actions; an organisation's administrators
        // its trail (a process's through its organisation); platform
        // administrators everything.
        let own = actor_id
            .as_deref()
            .is_some_and(|id| id == interlink_runtime::api::user_id(&caller.subject));
        if own {
            filter.actor_pseudonym = Some(trail::pseudonym(&self.db, &caller.subject).await?);
        } else if let Some(id) = &actor_id {
            // Someone else: known from community's announcement of them.
            filter.actor_pseudonym = Some(
                trail::registered_pseudonym(&self.db, id)
                    .await?
                    .unwrap_or_default(),
            );
        }
        if !own && !caller.platform_admin {
            match (filter.organization_id.clone(), filter.process_id.clone()) {
                (Some(o), _) => self.require_reader(&caller, &o).await?,
                (None, Some(p)) => {
                    let organization = self
                        .db
                        .query_one_raw(statement(
                            &self.db,
                            "SELECT organization_id FROM m_processes WHERE process_id = $1",
                            [p.clone().into()],
                        ))
                        .await?
                        .map(|row| row.try_get::<String>("", "organization_id"))
                        .transpose()?;
                    // An unknown process and one of an organisation the
                    // caller does not administer get the same answer, which
                    // names nothing the caller did not send.
                    match organization {
                        Some(o) if self.may_read(&caller, &o).await? => {
                            filter.organization_id = Some(o);
                        }
                        _ => {
                            return Err(Error::Denied(format!(
                                "only administrators of the organisation of processes/{p} \
                                 read its activity"
                            )));
                        }
                    }
                }
                (None, None) => {
                    return Err(Error::Denied(
                        "name an organisation you administer, or ask for your own actions".into(),
                    ));
                }
            }
        }
        let mut rows = trail::list(&self.db, &filter, before, limit + 1).await?;
        let next_page_token =
            interlink_runtime::api::take_page(&mut rows, limit, |e| e.seq.to_string());
        Ok(pb::ListActivityResponse {
            entries: rows.iter().map(entry_to).collect(),
            next_page_token,
        })
    }

    async fn verify_chain_(
        &self,
        request: Request<pb::VerifyChainRequest>,
    ) -> Result<pb::ChainVerification> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let organization = scope("organization", &request.get_ref().organization)?;
        self.require_reader(&caller, &organization).await?;
        let v = trail::verify(&self.db, &organization).await?;
        Ok(pb::ChainVerification {
            valid: v.broken.is_none(),
            entries: v.entries,
            first_broken_sequence: v.broken.as_ref().map(|(s, _)| *s).unwrap_or_default(),
            reason: v.broken.map(|(_, r)| r).unwrap_or_default(),
        })
    }

    async fn get_kpis_(&self, request: Request<pb::GetKpisRequest>) -> Result<pb::Kpis> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let r = request.get_ref();
        let organization = scope("scope", &r.scope)?;
        self.require_reader(&caller, &organization).await?;
        let totals = self
            .db
            .query_all_raw(statement(
                &self.db,
                "SELECT kpi, dimension, CAST(SUM(delta) AS BIGINT) AS value FROM kpi_daily \
                 WHERE scope = $1 \
                 GROUP BY kpi, dimension ORDER BY kpi, dimension",
                [organization.clone().into()],
            ))
            .await?;
        let mut values = Vec::with_capacity(totals.len());
        for row in &totals {
            let kpi: String = row.try_get("", "kpi")?;
            let dimension: String = row.try_get("", "dimension")?;
            let mut value = pb::KpiValue {
                value: row.try_get("", "value")?,
                kpi,
                dimension,
                daily: Default::default(),
            };
            if r.include_series {
                for day in self
                    .db
                    .query_all_raw(statement(
                        &self.db,
                        "SELECT day, delta FROM kpi_daily WHERE scope = $1 AND kpi = $2 \
                         AND dimension = $3",
                        [
                            organization.clone().into(),
                            value.kpi.clone().into(),
                            value.dimension.clone().into(),
                        ],
                    ))
                    .await?
                {
                    value
                        .daily
                        .insert(day.try_get("", "day")?, day.try_get("", "delta")?);
                }
            }
            values.push(value);
        }
        let now = now_ms();
        let activity = self
            .db
            .query_all_raw(statement(
                &self.db,
                "SELECT process_id, \
                 SUM(CASE WHEN last_seen >= $2 THEN 1 ELSE 0 END) AS week, \
                 SUM(CASE WHEN last_seen >= $3 THEN 1 ELSE 0 END) AS month \
                 FROM process_activity WHERE ($1 = '' OR organization_id = $1) \
                 GROUP BY process_id ORDER BY process_id",
                [
                    organization.clone().into(),
                    (now - 7 * DAY_MS).into(),
                    (now - 30 * DAY_MS).into(),
                ],
            ))
            .await?;
        let active_users = activity
            .iter()
            .map(|row| {
                Ok(pb::ProcessActivity {
                    process: format!("processes/{}", row.try_get::<String>("", "process_id")?),
                    last_7_days: row.try_get("", "week")?,
                    last_30_days: row.try_get("", "month")?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sea_orm::DbErr>>()?;
        Ok(pb::Kpis {
            scope: r.scope.clone(),
            values,
            active_users,
        })
    }

    async fn rebuild_kpis_(
        &self,
        request: Request<pb::RebuildKpisRequest>,
    ) -> Result<pb::RebuildKpisResponse> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?;
        if !caller.platform_admin {
            return Err(Error::Denied(
                "only platform administrators rebuild the KPIs".into(),
            ));
        }
        Ok(pb::RebuildKpisResponse {
            events: rebuild(&self.db).await?,
        })
    }
}

/// Recomputes every KPI from the stored events, in one transaction (the
/// consumer waits meanwhile); returns how many events were replayed.
pub async fn rebuild(db: &DatabaseConnection) -> std::result::Result<i64, sea_orm::DbErr> {
    let txn = begin_write(db).await?;
    kpis::clear(&txn).await?;
    let mut after = 0;
    let mut count = 0;
    let salt = trail::salt(&txn).await?;
    loop {
        let batch = trail::events_from(&txn, after, 1_000).await?;
        if batch.is_empty() {
            break;
        }
        let mut changes = kpis::Changes::default();
        for (seq, event) in batch {
            after = seq;
            if let Some(event) = event {
                let subject = event
                    .actor
                    .as_ref()
                    .map(|a| a.subject.clone())
                    .unwrap_or_default();
                let actor = trail::pseudonym_with(&salt, &subject);
                let process = kpis::process_of(&event);
                kpis::apply(&txn, &mut changes, &event, &actor, process.as_deref()).await?;
                count += 1;
            }
        }
        changes.flush(&txn).await?;
    }
    txn.commit().await?;
    Ok(count)
}
