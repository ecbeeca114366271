//! Mirrors: other deployments' shared interlinkers, as the federation
//! service verified them (`federation.mirror.updated`), kept as read-only
//! published entries marked with their origin. A newer version replaces
//! the mirror's fields; a withdrawal deprecates it (never deletes it:
//! processes may use it). Each change is told to the mesh as the
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
use crate::events::{INTERLINKER_DEPRECATED, INTERLINKER_PUBLISHED, INTERLINKER_UPDATED};
use crate::store::{self, InterlinkerRow};

/// Who owns mirrors: no person of this deployment.
pub const MIRROR_OWNER: &str = "services/federation";

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
        let origin = Origin {
            peer: mirror.peer.clone(),
            deployment: mirror.origin.clone(),
            deployment_name: mirror.origin_display_name.clone(),
            name: mirror.origin_name.clone(),
            version: mirror.version,
            signature: mirror.signature.clone(),
        };
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
            _ => Ok(()),
        }
    }

    fn after_commit(&self, _events: &[Event]) {
        self.outbox.committed();
    }
}
