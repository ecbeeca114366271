//! The webhooks' gRPC adapter: an organisation's administrators (or a
//! platform administrator) manage its endpoints and read and replay their
//! deliveries.

use interlink_proto::notifications::v1 as pb;
use interlink_proto::notifications::v1::webhook_service_server::WebhookService;
use interlink_runtime::api::{
    is_canonical_uuid, page_cursor, page_size, parse_name, take_page, timestamp,
};
use interlink_runtime::auth::{Identity, identity};
use interlink_runtime::db::{begin_write, statement};
use interlink_runtime::validation::{Violation, check_line, check_url};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use tonic::{Request, Response, Status};

use crate::error::{Error, Result};
use crate::webhook_store::{self, Delivery, DeliveryState, Endpoint, NewEndpoint};
use crate::webhooks::{self, UrlPolicy};

/// The webhooks service.
#[derive(Debug, Clone)]
pub struct WebhooksApi {
    db: DatabaseConnection,
    policy: UrlPolicy,
    overlap_ms: i64,
}

impl WebhooksApi {
    /// The service over `db`, accepting endpoints as `policy` says; after a
    /// rotation the previous secret signs too for `overlap_ms`.
    pub fn new(db: DatabaseConnection, policy: UrlPolicy, overlap_ms: i64) -> Self {
        Self {
            db,
            policy,
            overlap_ms,
        }
    }

    /// Whether `caller` may manage `organization`'s endpoints.
    async fn may_manage(&self, caller: &Identity, organization: &str) -> Result<bool> {
        if caller.platform_admin {
            return Ok(true);
        }
        let user = interlink_runtime::api::user_id(&caller.subject);
        let rows = self
            .db
            .query_all_raw(statement(
                &self.db,
                "SELECT 1 FROM n_organization_administrators \
                 WHERE organization_id = $1 AND user_id = $2",
                [organization.into(), user.into()],
            ))
            .await?;
        Ok(!rows.is_empty())
    }

    /// The endpoint `name` names, if the caller may manage it (else not
    /// found: others may not learn it exists).
    async fn endpoint(&self, caller: &Identity, field: &str, name: &str) -> Result<Endpoint> {
        let id = resource_id(field, name, "webhooks")?;
        match webhook_store::get(&self.db, id).await? {
            Some(endpoint) if self.may_manage(caller, &endpoint.organization).await? => {
                Ok(endpoint)
            }
            _ => Err(Error::NotFound(name.to_owned())),
        }
    }

    /// The endpoint and event of `webhooks/{id}/deliveries/{event id}`.
    async fn delivery_name(&self, caller: &Identity, name: &str) -> Result<(Endpoint, String)> {
        let parsed = name
            .strip_prefix("webhooks/")
            .and_then(|rest| rest.split_once("/deliveries/"))
            .filter(|(webhook, event)| is_canonical_uuid(webhook) && is_canonical_uuid(event));
        let Some((webhook, event)) = parsed else {
            return Err(Error::invalid(
                "name",
                "must be `webhooks/{id}/deliveries/{event id}`",
            ));
        };
        let endpoint = self
            .endpoint(caller, "name", &format!("webhooks/{webhook}"))
            .await
            .map_err(|e| match e {
                Error::NotFound(_) => Error::NotFound(name.to_owned()),
                other => other,
            })?;
        Ok((endpoint, event.to_owned()))
    }

    /// Refuses a URL the deployment does not allow (after the caller is
    /// known to manage the organisation: the policy is the deployment's).
    fn check_policy(&self, field: &str, url: &str) -> Result<()> {
        match webhooks::url_problem(url, self.policy) {
            Some(problem) => Err(Error::invalid(field, problem)),
            None => Ok(()),
        }
    }

    async fn delivery_of(
        &self,
        db: &impl ConnectionTrait,
        endpoint: &Endpoint,
        event: &str,
        full: bool,
    ) -> Result<pb::WebhookDelivery> {
        let Some((delivery, payload)) =
            webhook_store::delivery_with_body(db, &endpoint.id, event).await?
        else {
            return Err(Error::NotFound(format!(
                "webhooks/{}/deliveries/{event}",
                endpoint.id
            )));
        };
        let mut answer = delivery_to_proto(&delivery);
        if full {
            answer.payload = payload;
            answer.attempt_log = webhook_store::attempts(db, &endpoint.id, event)
                .await?
                .into_iter()
                .map(|a| pb::DeliveryAttempt {
                    attempt_time: Some(timestamp(a.at)),
                    response_code: a.status.unwrap_or_default() as i32,
                    latency_ms: a.latency_ms,
                    error: a.error,
                })
                .collect();
        }
        Ok(answer)
    }
}

fn caller<T>(request: &Request<T>) -> Result<&Identity> {
    identity(request).ok_or(Error::Unauthenticated)
}

fn resource_id<'a>(field: &str, name: &'a str, collection: &str) -> Result<&'a str> {
    Ok(parse_name(field, collection, name)?)
}

/// Checks the fields of an endpoint named in `paths` (all on creation).
fn check_fields(
    webhook: &pb::Webhook,
    paths: &[&str],
    out: &mut Vec<Violation>,
) -> (String, String) {
    let mut description = String::new();
    let url = webhook.url.trim().to_owned();
    if paths.contains(&"url") {
        if url.is_empty() {
            out.push(Violation::new("webhook.url", "is required"));
        } else {
            check_url("webhook.url", &url, out);
        }
    }
    if paths.contains(&"description") {
        description = check_line("webhook.description", &webhook.description, false, 500, out);
    }
    if paths.contains(&"event_types") {
        if webhook.event_types.is_empty() {
            out.push(Violation::new("webhook.event_types", "is required"));
        } else if webhook.event_types.len() > 100 {
            out.push(Violation::new(
                "webhook.event_types",
                "must have at most 100 items",
            ));
        }
        for (i, event_type) in webhook.event_types.iter().enumerate() {
            if !webhooks::is_event_type(event_type) {
                out.push(Violation::new(
                    format!("webhook.event_types[{i}]"),
                    "is not an event type of an organisation (see ListWebhookEventTypes)",
                ));
            } else if webhook.event_types[..i].contains(event_type) {
                out.push(Violation::new(
                    format!("webhook.event_types[{i}]"),
                    "is given twice",
                ));
            }
        }
    }
    (url, description)
}

fn to_proto(endpoint: &Endpoint, secret: Option<String>) -> pb::Webhook {
    pb::Webhook {
        name: format!("webhooks/{}", endpoint.id),
        organization: format!("organizations/{}", endpoint.organization),
        url: endpoint.url.clone(),
        description: endpoint.description.clone(),
        event_types: endpoint.event_types.clone(),
        enabled: endpoint.enabled,
        disabled_reason: endpoint.disabled_reason.clone(),
        failing_since: endpoint.failing_since.map(timestamp),
        secret: secret.unwrap_or_default(),
        previous_secret_expire_time: (!endpoint.previous_secret.is_empty()
            && endpoint.previous_until > interlink_runtime::api::now_ms())
        .then(|| timestamp(endpoint.previous_until)),
        creator: if endpoint.created_by.is_empty() {
            String::new()
        } else {
            format!("users/{}", endpoint.created_by)
        },
        create_time: Some(timestamp(endpoint.created_at)),
        update_time: Some(timestamp(endpoint.updated_at)),
    }
}

fn delivery_to_proto(delivery: &Delivery) -> pb::WebhookDelivery {
    pb::WebhookDelivery {
        name: format!(
            "webhooks/{}/deliveries/{}",
            delivery.webhook, delivery.event_id
        ),
        event_id: delivery.event_id.clone(),
        event_type: delivery.event_type.clone(),
        state: match delivery.state {
            DeliveryState::Pending => pb::DeliveryState::Pending,
            DeliveryState::Delivered => pb::DeliveryState::Delivered,
            DeliveryState::Failed => pb::DeliveryState::Failed,
        } as i32,
        attempts: delivery.attempts,
        response_code: delivery.last_status.unwrap_or_default() as i32,
        latency_ms: delivery.latency_ms.unwrap_or_default(),
        error: delivery.last_error.clone(),
        create_time: Some(timestamp(delivery.created_at)),
        deliver_time: delivery.delivered_at.map(timestamp),
        next_attempt_time: (delivery.state == DeliveryState::Pending)
            .then(|| timestamp(delivery.next_attempt_at)),
        payload: String::new(),
        attempt_log: Vec::new(),
    }
}

type Answer<T> = std::result::Result<Response<T>, Status>;

#[tonic::async_trait]
impl WebhookService for WebhooksApi {
    async fn list_webhook_event_types(
        &self,
        request: Request<pb::ListWebhookEventTypesRequest>,
    ) -> Answer<pb::ListWebhookEventTypesResponse> {
        caller(&request)?;
        Ok(Response::new(pb::ListWebhookEventTypesResponse {
            event_types: webhooks::EVENT_TYPES
                .iter()
                .map(|t| (*t).to_owned())
                .collect(),
        }))
    }

    async fn create_webhook(
        &self,
        request: Request<pb::CreateWebhookRequest>,
    ) -> Answer<pb::Webhook> {
        let caller = caller(&request)?.clone();
        let request = request.into_inner();
        let mut violations = Vec::new();
        let organization = match resource_id("parent", &request.parent, "organizations") {
            Ok(id) => id.to_owned(),
            Err(Error::Invalid(v)) => {
                violations.extend(v);
                String::new()
            }
            Err(other) => return Err(other.into()),
        };
        let Some(webhook) = request.webhook else {
            violations.push(Violation::new("webhook", "is required"));
            return Err(Error::Invalid(violations).into());
        };
        let (url, description) = check_fields(
            &webhook,
            &["url", "description", "event_types"],
            &mut violations,
        );
        Error::check(violations)?;
        if !self.may_manage(&caller, &organization).await? {
            return Err(Error::Denied(format!(
                "only the administrators of {} manage its webhooks",
                request.parent
            ))
            .into());
        }
        self.check_policy("webhook.url", &url)?;
        let txn = begin_write(&self.db).await.map_err(Error::from)?;
        let endpoint = webhook_store::create(
            &txn,
            NewEndpoint {
                organization,
                url,
                description,
                event_types: webhook.event_types,
                created_by: interlink_runtime::api::user_id(&caller.subject),
            },
        )
        .await
        .map_err(Error::from)?;
        commit(txn).await?;
        let secret = endpoint.secret.clone();
        Ok(Response::new(to_proto(&endpoint, Some(secret))))
    }

    async fn list_webhooks(
        &self,
        request: Request<pb::ListWebhooksRequest>,
    ) -> Answer<pb::ListWebhooksResponse> {
        let caller = caller(&request)?.clone();
        let request = request.into_inner();
        let organization = resource_id("parent", &request.parent, "organizations")?;
        if !self.may_manage(&caller, organization).await? {
            return Err(Error::Denied(format!(
                "only the administrators of {} see its webhooks",
                request.parent
            ))
            .into());
        }
        let webhooks = webhook_store::list(&self.db, organization)
            .await
            .map_err(Error::from)?;
        Ok(Response::new(pb::ListWebhooksResponse {
            webhooks: webhooks.iter().map(|e| to_proto(e, None)).collect(),
        }))
    }

    async fn get_webhook(&self, request: Request<pb::GetWebhookRequest>) -> Answer<pb::Webhook> {
        let caller = caller(&request)?.clone();
        let endpoint = self
            .endpoint(&caller, "name", &request.get_ref().name)
            .await?;
        Ok(Response::new(to_proto(&endpoint, None)))
    }

    async fn update_webhook(
        &self,
        request: Request<pb::UpdateWebhookRequest>,
    ) -> Answer<pb::Webhook> {
        let caller = caller(&request)?.clone();
        let request = request.into_inner();
        let Some(webhook) = request.webhook else {
            return Err(Error::invalid("webhook", "is required").into());
        };
        let paths = mask_paths(&request.update_mask)?;
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        let mut violations = Vec::new();
        if let Err(Error::Invalid(v)) = resource_id("webhook.name", &webhook.name, "webhooks") {
            violations.extend(v);
        }
        let (url, description) = check_fields(&webhook, &paths, &mut violations);
        Error::check(violations)?;
        let mut endpoint = self
            .endpoint(&caller, "webhook.name", &webhook.name)
            .await?;
        if paths.contains(&"url") {
            self.check_policy("webhook.url", &url)?;
            endpoint.url = url;
        }
        if paths.contains(&"description") {
            endpoint.description = description;
        }
        if paths.contains(&"event_types") {
            endpoint.event_types = webhook.event_types;
        }
        if paths.contains(&"enabled") {
            endpoint.enabled = webhook.enabled;
        }
        let txn = begin_write(&self.db).await.map_err(Error::from)?;
        webhook_store::update(&txn, &endpoint)
            .await
            .map_err(Error::from)?;
        let updated = webhook_store::get(&txn, &endpoint.id)
            .await
            .map_err(Error::from)?
            .ok_or_else(|| Error::NotFound(webhook.name.clone()))?;
        commit(txn).await?;
        Ok(Response::new(to_proto(&updated, None)))
    }

    async fn delete_webhook(&self, request: Request<pb::DeleteWebhookRequest>) -> Answer<()> {
        let caller = caller(&request)?.clone();
        let endpoint = self
            .endpoint(&caller, "name", &request.get_ref().name)
            .await?;
        let txn = begin_write(&self.db).await.map_err(Error::from)?;
        webhook_store::delete(&txn, &endpoint.id)
            .await
            .map_err(Error::from)?;
        commit(txn).await?;
        Ok(Response::new(()))
    }

    async fn rotate_webhook_secret(
        &self,
        request: Request<pb::RotateWebhookSecretRequest>,
    ) -> Answer<pb::Webhook> {
        let caller = caller(&request)?.clone();
        let endpoint = self
            .endpoint(&caller, "name", &request.get_ref().name)
            .await?;
        let txn = begin_write(&self.db).await.map_err(Error::from)?;
        let secret = webhook_store::rotate(&txn, &endpoint.id, self.overlap_ms)
            .await
            .map_err(Error::from)?;
        let rotated = webhook_store::get(&txn, &endpoint.id)
            .await
            .map_err(Error::from)?
            .ok_or_else(|| Error::NotFound(request.get_ref().name.clone()))?;
        commit(txn).await?;
        Ok(Response::new(to_proto(&rotated, Some(secret))))
    }

    async fn list_webhook_deliveries(
        &self,
        request: Request<pb::ListWebhookDeliveriesRequest>,
    ) -> Answer<pb::ListWebhookDeliveriesResponse> {
        let caller = caller(&request)?.clone();
        let request = request.into_inner();
        let mut violations = Vec::new();
        let limit = page_size(request.page_size, 20, 100).unwrap_or_else(|v| {
            violations.push(v);
            20
        });
        let before = page_cursor(&request.page_token, |cursor| {
            is_canonical_uuid(cursor).then(|| cursor.to_owned())
        })
        .unwrap_or_else(|v| {
            violations.push(v);
            None
        });
        let state = match pb::DeliveryState::try_from(request.state) {
            Ok(pb::DeliveryState::Unspecified) => None,
            Ok(pb::DeliveryState::Pending) => Some(DeliveryState::Pending),
            Ok(pb::DeliveryState::Delivered) => Some(DeliveryState::Delivered),
            Ok(pb::DeliveryState::Failed) => Some(DeliveryState::Failed),
            Err(_) => {
                violations.push(Violation::new("state", "is not a delivery state"));
                None
            }
        };
        if let Err(Error::Invalid(v)) = resource_id("parent", &request.parent, "webhooks") {
            violations.extend(v);
        }
        Error::check(violations)?;
        let endpoint = self.endpoint(&caller, "parent", &request.parent).await?;
        let mut rows =
            webhook_store::deliveries(&self.db, &endpoint.id, before.as_deref(), state, limit + 1)
                .await
                .map_err(Error::from)?;
        let next_page_token = take_page(&mut rows, limit, |d| d.event_id.clone());
        Ok(Response::new(pb::ListWebhookDeliveriesResponse {
            deliveries: rows.iter().map(delivery_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn get_webhook_delivery(
        &self,
        request: Request<pb::GetWebhookDeliveryRequest>,
    ) -> Answer<pb::WebhookDelivery> {
        let caller = caller(&request)?.clone();
        let (endpoint, event) = self.delivery_name(&caller, &request.get_ref().name).await?;
        Ok(Response::new(
            self.delivery_of(&self.db, &endpoint, &event, true).await?,
        ))
    }

    async fn replay_webhook_delivery(
        &self,
        request: Request<pb::ReplayWebhookDeliveryRequest>,
    ) -> Answer<pb::WebhookDelivery> {
        let caller = caller(&request)?.clone();
        let name = request.get_ref().name.clone();
        let (endpoint, event) = self.delivery_name(&caller, &name).await?;
        if !endpoint.enabled {
            return Err(Error::Precondition(format!(
                "webhooks/{} is disabled: enable it before replaying its deliveries",
                endpoint.id
            ))
            .into());
        }
        let txn = begin_write(&self.db).await.map_err(Error::from)?;
        if !webhook_store::replay(&txn, &endpoint.id, &event)
            .await
            .map_err(Error::from)?
        {
            return Err(Error::NotFound(name).into());
        }
        // Read before the commit: a keyed call's change commits with its
        // answer.
        let replayed = self.delivery_of(&txn, &endpoint, &event, false).await?;
        commit(txn).await?;
        Ok(Response::new(replayed))
    }
}

/// Commits a call's change with its idempotency key, if it has one (a
/// repeat with the key gets the first answer and changes nothing).
async fn commit(txn: sea_orm::DatabaseTransaction) -> Result<()> {
    Ok(interlink_runtime::idempotency::commit(txn).await?)
}

/// The paths of an update mask: at least one (the proto requires it),
/// each updatable.
fn mask_paths(mask: &Option<prost_types::FieldMask>) -> Result<Vec<String>> {
    const ALLOWED: [&str; 4] = ["url", "description", "event_types", "enabled"];
    if mask.as_ref().is_none_or(|m| m.paths.is_empty()) {
        return Err(Error::invalid(
            "update_mask",
            format!(
                "is required: name the fields to change ({})",
                ALLOWED.join(", ")
            ),
        ));
    }
    interlink_runtime::api::mask_paths(mask, &ALLOWED).map_err(Error::Invalid)
}
