//! Mirrors: other deployments' shared interlinkers and schemas, as the
//! federation service verified them (`federation.mirror.updated`), kept
//! as read-only published entries marked with their origin. A newer
//! version replaces the mirror's fields (a schema keeps every version it
//! received: processes were built from them); a withdrawal deprecates an
//! interlinker and marks a schema withdrawn (never deletes either:
//! processes may use them). Each change is told to the mesh as the
//! catalogue's own events, so projections and search see mirrors as
//! entries.

use interlink_proto::catalogue::v1 as pb;
use interlink_proto::events::v1::Event;
use interlink_proto::federation::v1 as federation;
use interlink_runtime::api::now_ms;
use interlink_runtime::events::{EventHandler, NewEvent, Outbox, payload, service_actor};
use sea_orm::DatabaseTransaction;

use crate::convert::{self, interlinker_to};
use crate::domain::interlinker::{Origin, State};
use crate::events::{
    INTERLINKER_DEPRECATED, INTERLINKER_PUBLISHED, INTERLINKER_UPDATED, SCHEMA_VERSION_PUBLISHED,
};
use crate::store::{self, InterlinkerRow, SchemaRow, VersionRow};

/// Who owns mirrors: no person of this deployment.
pub const MIRROR_OWNER: &str = "services/federation";

/// The id, here, of the mirror of the schema `name` of the deployment
/// `issuer`: a schema id (`m` and 32 hex digits), the same on every read.
pub fn schema_mirror_id(issuer: &str, name: &str) -> String {
    format!(
        "m{}",
        interlink_runtime::api::mirror_id(issuer, name).replace('-', "")
    )
}

fn origin_of(mirror: &federation::MirrorUpdated) -> Origin {
    Origin {
        peer: mirror.peer.clone(),
        deployment: mirror.origin.clone(),
        deployment_name: mirror.origin_display_name.clone(),
        name: mirror.origin_name.clone(),
        version: mirror.version,
        signature: mirror.signature.clone(),
    }
}

/// Keeps (or, withdrawn, drops) a mirrored interlinker's genesis document
/// (`interlinkers/{id}/genesis/{language}` at the origin). It is kept under
/// the mirror's id whether or not the interlinker's own entry came first.
async fn genesis_document(
    txn: &DatabaseTransaction,
    mirror: &federation::MirrorUpdated,
    body: Option<&pb::GenesisDocument>,
) -> anyhow::Result<()> {
    let Some((interlinker, language)) = mirror.origin_name.rsplit_once("/genesis/") else {
        anyhow::bail!("`{}` is not a genesis document's name", mirror.origin_name);
    };
    let id = interlink_runtime::api::mirror_id(&mirror.origin, interlinker);
    match body {
        Some(body) => {
            let document = pb::GenesisDocument {
                language: language.to_owned(),
                ..body.clone()
            };
            crate::genesis::put(txn, &id, &document).await?;
        }
        None => crate::genesis::remove(txn, &id, language).await?,
    }
    Ok(())
}

/// The consumer of the federation service's mirror events (the search
/// index catches up by its revision, as with other replicas' writes).
#[derive(Debug, Clone)]
pub struct Mirrors {
    outbox: Outbox,
}

impl Mirrors {
    /// Tells its changes through `outbox`.
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }

    fn event<M: prost::Name>(
        &self,
        event_type: interlink_runtime::events::EventType,
        row: &InterlinkerRow,
        payload: &M,
    ) -> anyhow::Result<Event> {
        Ok(self.outbox.envelope(NewEvent {
            event_type,
            actor: service_actor("federation"),
            organization_id: "",
            aggregate_id: &row.id,
            aggregate_version: row.version.max(0) as u64,
            payload,
        })?)
    }

    async fn interlinker(
        &self,
        txn: &DatabaseTransaction,
        mirror: &federation::MirrorUpdated,
        body: Option<&pb::Interlinker>,
    ) -> anyhow::Result<()> {
        let id = interlink_runtime::api::mirror_id(&mirror.origin, &mirror.origin_name);
        let existing = store::interlinker(txn, &id).await?;
        let known = existing
            .as_ref()
            .and_then(|row| row.fields.origin.as_ref())
            .map(|origin| origin.version);
        if known.is_some_and(|version| version >= mirror.version) {
            return Ok(());
        }
        let origin = origin_of(mirror);
        let now = now_ms();
        let revision = store::next_revision(txn).await?;
        let event = match (existing, body) {
            // Withdrawn before it was ever mirrored: nothing to keep.
            (None, None) => return Ok(()),
            (Some(mut row), None) => {
                row.fields.origin = Some(origin);
                row.state = State::Deprecated;
                row.revision = revision;
                row.version += 1;
                row.updated_at = now;
                store::update_interlinker(txn, &row).await?;
                self.event(
                    INTERLINKER_DEPRECATED,
                    &row,
                    &pb::InterlinkerDeprecated {
                        interlinker: Some(interlinker_to(&row)),
                    },
                )?
            }
            (existing, Some(body)) => {
                let mut violations = Vec::new();
                let nature =
                    convert::nature_from("interlinker.nature", body.nature, &mut violations)
                        .ok_or_else(|| anyhow::anyhow!("a mirror without a nature"))?;
                let mut fields = convert::fields_from("interlinker", body, &mut violations);
                if !violations.is_empty() {
                    // Kept as the origin wrote it: its own rules held there.
                    tracing::debug!(mirror = %id, ?violations, "mirror differs from local rules");
                }
                fields.shared = false;
                fields.adopted_from = None;
                fields.origin = Some(origin);
                match existing {
                    Some(mut row) => {
                        let republished = row.state != State::Published;
                        row.fields = fields;
                        row.state = State::Published;
                        row.revision = revision;
                        row.version += 1;
                        row.updated_at = now;
                        if republished {
                            row.published_at = Some(now);
                        }
                        store::update_interlinker(txn, &row).await?;
                        if republished {
                            self.event(
                                INTERLINKER_PUBLISHED,
                                &row,
                                &pb::InterlinkerPublished {
                                    interlinker: Some(interlinker_to(&row)),
                                },
                            )?
                        } else {
                            self.event(
                                INTERLINKER_UPDATED,
                                &row,
                                &pb::InterlinkerUpdated {
                                    interlinker: Some(interlinker_to(&row)),
                                    changed_fields: vec!["origin".into()],
                                },
                            )?
                        }
                    }
                    None => {
                        let row = InterlinkerRow {
                            id: id.clone(),
                            nature,
                            state: State::Published,
                            owner: MIRROR_OWNER.into(),
                            fields,
                            rating_sum: 0,
                            rating_count: 0,
                            adoption_count: 0,
                            revision,
                            version: 1,
                            created_at: now,
                            updated_at: now,
                            published_at: Some(now),
                        };
                        store::insert_interlinker(txn, &row).await?;
                        self.event(
                            INTERLINKER_PUBLISHED,
                            &row,
                            &pb::InterlinkerPublished {
                                interlinker: Some(interlinker_to(&row)),
                            },
                        )?
                    }
                }
            }
        };
        self.outbox.append(txn, &[event]).await?;
        Ok(())
    }
}

impl Mirrors {
    /// Keeps `body` (the origin's newest version) as a version of the
    /// schema's mirror, or marks the mirror withdrawn when `body` is
    /// `None`.
    async fn schema(
        &self,
        txn: &DatabaseTransaction,
        mirror: &federation::MirrorUpdated,
        body: Option<&pb::SchemaVersion>,
    ) -> anyhow::Result<()> {
        let id = schema_mirror_id(&mirror.origin, &mirror.origin_name);
        let existing = store::schema(txn, &id).await?;
        if let Some(row) = &existing {
            match &row.origin {
                Some(origin) if origin.version >= mirror.version => return Ok(()),
                Some(_) => {}
                None => anyhow::bail!("schemas/{id} is a local schema, not a mirror"),
            }
        }
        let origin = origin_of(mirror);
        let now = now_ms();
        let Some(body) = body else {
            if let Some(mut row) = existing {
                row.origin = Some(origin);
                row.withdrawn = true;
                row.updated_at = now;
                store::update_schema(txn, &row).await?;
            }
            return Ok(());
        };
        let mut violations = Vec::new();
        let items = convert::items_from(&body.items, &mut violations);
        if !violations.is_empty() {
            tracing::debug!(mirror = %id, ?violations, "mirror differs from local rules");
        }
        let version = VersionRow {
            schema_id: id.clone(),
            version: body.version,
            title: convert::text(&body.title),
            description: convert::text(&body.description),
            items,
            publisher: MIRROR_OWNER.to_owned(),
            published_at: now,
            origin: Some(Origin {
                name: body.schema.clone(),
                version: i64::from(body.version),
                ..origin.clone()
            }),
        };
        if body.version < 1 {
            anyhow::bail!("a mirrored schema version numbered {}", body.version);
        }
        let mut row = existing.unwrap_or_else(|| SchemaRow {
            id: id.clone(),
            title: version.title.clone(),
            description: version.description.clone(),
            items: version.items.clone(),
            latest_version: 0,
            draft_changed: false,
            created_at: now,
            updated_at: now,
            shared: false,
            origin: None,
            withdrawn: false,
            adopted_from: None,
        });
        let fresh = row.origin.is_none();
        if body.version >= row.latest_version {
            row.title = version.title.clone();
            row.description = version.description.clone();
            row.items = version.items.clone();
            row.latest_version = body.version;
        }
        row.origin = Some(origin);
        row.withdrawn = false;
        row.updated_at = now;
        if fresh {
            store::insert_schema(txn, &row).await?;
        } else {
            store::update_schema(txn, &row).await?;
        }
        if store::insert_version(txn, &version).await? {
            let event = self.outbox.envelope(NewEvent {
                event_type: SCHEMA_VERSION_PUBLISHED,
                actor: service_actor("federation"),
                organization_id: "",
                aggregate_id: &id,
                aggregate_version: u64::try_from(version.version).unwrap_or_default(),
                payload: &pb::SchemaVersionPublished {
                    version: Some(convert::version_to(&version)),
                    shared: false,
                },
            })?;
            self.outbox.append(txn, &[event]).await?;
        }
        Ok(())
    }
}

impl EventHandler for Mirrors {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        if event.r#type != "federation.mirror.updated" {
            return Ok(());
        }
        let mirror = payload::<federation::MirrorUpdated>(event)
            .ok_or_else(|| anyhow::anyhow!("a mirror event without its mirror"))?;
        match (&mirror.body, federation::EntryKind::try_from(mirror.kind)) {
            (Some(federation::mirror_updated::Body::Interlinker(body)), _) => {
                self.interlinker(txn, &mirror, Some(body)).await
            }
            (None, Ok(federation::EntryKind::Interlinker)) if mirror.withdrawn => {
                self.interlinker(txn, &mirror, None).await
            }
            (Some(federation::mirror_updated::Body::SchemaVersion(body)), _) => {
                self.schema(txn, &mirror, Some(body)).await
            }
            (None, Ok(federation::EntryKind::SchemaVersion)) if mirror.withdrawn => {
                self.schema(txn, &mirror, None).await
            }
            (Some(federation::mirror_updated::Body::GenesisDocument(body)), _) => {
                genesis_document(txn, &mirror, Some(body)).await
            }
            (None, Ok(federation::EntryKind::GenesisDocument)) if mirror.withdrawn => {
                genesis_document(txn, &mirror, None).await
            }
            _ => Ok(()),
        }
    }

    fn after_commit(&self, _events: &[Event]) {
        self.outbox.committed();
    }
}
