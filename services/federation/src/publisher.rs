//! What goes into this deployment's feed: the catalogue's and
//! co-production's events of entries marked shared (interlinkers, schemas,
//! stories), made into signed entries without personal data.

use interlink_proto::catalogue::v1 as catalogue;
use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::events::v1::Event;
use interlink_runtime::events::{EventHandler, payload};
use sea_orm::DatabaseTransaction;

use crate::store::{self, Kind};

/// The fields of an interlinker that stay at home: who made it, and what
/// this deployment's people made of it (ratings, adoptions); the mark
/// itself means nothing at a peer.
const LOCAL_INTERLINKER_FIELDS: &[&str] = &[
    "owner",
    "ratingAverage",
    "ratingCount",
    "adoptionCount",
    "shared",
    "genesisDocuments",
];

/// The fields of a schema version that stay at home: who published it
/// here (a person of this deployment).
const LOCAL_SCHEMA_VERSION_FIELDS: &[&str] = &["publisher", "origin"];

/// The fields of a story that stay at home: its author, its process here
/// (the document goes instead) and this deployment's ratings.
const LOCAL_STORY_FIELDS: &[&str] = &[
    "process",
    "author",
    "ratingAverage",
    "ratingCount",
    "shared",
    "origin",
    "withdrawn",
];

/// `message` as the REST API's JSON, without the `local` members.
fn shared_json<M: prost::Name>(message: &M, local: &[&str]) -> anyhow::Result<serde_json::Value> {
    let pool = interlink_runtime::descriptors::pool()
        .ok_or_else(|| anyhow::anyhow!("the descriptors do not decode"))?;
    let descriptor = pool
        .get_message_by_name(&M::full_name())
        .ok_or_else(|| anyhow::anyhow!("no descriptor of {}", M::full_name()))?;
    let dynamic =
        prost_reflect::DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice())?;
    let mut json = serde_json::to_value(&dynamic)?;
    if let Some(object) = json.as_object_mut() {
        for member in local {
            object.remove(*member);
        }
    }
    Ok(json)
}

/// The feed's body of `interlinker`, or `None` when it is not shared now
/// (not marked, or not published).
pub fn interlinker_body(
    interlinker: &catalogue::Interlinker,
) -> anyhow::Result<Option<serde_json::Value>> {
    let published = interlinker.state == catalogue::InterlinkerState::Published as i32;
    if !(interlinker.shared && published) {
        return Ok(None);
    }
    shared_json(interlinker, LOCAL_INTERLINKER_FIELDS).map(Some)
}

/// The feed's body of a schema's newest version `version`.
pub fn schema_body(version: &catalogue::SchemaVersion) -> anyhow::Result<serde_json::Value> {
    shared_json(version, LOCAL_SCHEMA_VERSION_FIELDS)
}

/// The feed's body of `story` with the document of its process (JSON text
/// as co-production wrote it), or `None` when it is not shared now.
pub fn story_body(
    story: &coproduction::Story,
    process_document: &str,
) -> anyhow::Result<Option<serde_json::Value>> {
    if !story.shared {
        return Ok(None);
    }
    let document: serde_json::Value = serde_json::from_str(process_document)?;
    Ok(Some(serde_json::json!({
        "story": shared_json(story, LOCAL_STORY_FIELDS)?,
        "processDocument": document,
    })))
}

/// Turns the catalogue's and co-production's events into feed entries.
#[derive(Debug, Clone)]
pub struct Publisher {
    issuer: String,
}

impl Publisher {
    /// Signs entries as `issuer`.
    pub fn new(issuer: impl Into<String>) -> Self {
        Self {
            issuer: issuer.into(),
        }
    }

    async fn interlinker(
        &self,
        txn: &DatabaseTransaction,
        interlinker: Option<catalogue::Interlinker>,
    ) -> anyhow::Result<()> {
        let Some(interlinker) = interlinker else {
            anyhow::bail!("an interlinker event without its interlinker");
        };
        let body = interlinker_body(&interlinker)?;
        let changed = store::publish(
            txn,
            &self.issuer,
            Kind::Interlinker,
            &interlinker.name,
            body.as_ref(),
        )
        .await?;
        // Its genesis documents follow it (a software interlinker's
        // endpoint is kept for them).
        crate::genesis::interlinker_changed(
            txn,
            &self.issuer,
            &interlinker,
            body.is_some(),
            changed,
        )
        .await?;
        Ok(())
    }
}

impl Publisher {
    async fn schema(
        &self,
        txn: &DatabaseTransaction,
        name: &str,
        latest: Option<&catalogue::SchemaVersion>,
    ) -> anyhow::Result<()> {
        let body = latest.map(schema_body).transpose()?;
        store::publish(txn, &self.issuer, Kind::SchemaVersion, name, body.as_ref()).await?;
        Ok(())
    }
}

impl EventHandler for Publisher {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        match event.r#type.as_str() {
            "catalogue.schema.version_published" => {
                let Some(event) = payload::<catalogue::SchemaVersionPublished>(event) else {
                    anyhow::bail!("a schema version event without its version");
                };
                match event.version {
                    // Mirrors are never shared again from here.
                    Some(version) if event.shared && version.origin.is_none() => {
                        self.schema(txn, &version.schema, Some(&version)).await
                    }
                    _ => Ok(()),
                }
            }
            "catalogue.schema.sharing_changed" => {
                let Some(schema) =
                    payload::<catalogue::SchemaSharingChanged>(event).and_then(|e| e.schema)
                else {
                    anyhow::bail!("a schema sharing event without its schema");
                };
                if schema.origin.is_some() {
                    return Ok(());
                }
                // Shared before its first version: it goes out with that.
                let latest = schema.latest.as_ref().filter(|_| schema.shared);
                if schema.shared && latest.is_none() {
                    return Ok(());
                }
                self.schema(txn, &schema.name, latest).await
            }
            "coproduction.story.sharing_changed" => {
                let Some(event) = payload::<coproduction::StorySharingChanged>(event) else {
                    anyhow::bail!("a story sharing event without its story");
                };
                let Some(story) = event.story else {
                    anyhow::bail!("a story sharing event without its story");
                };
                if story.origin.is_some() {
                    return Ok(());
                }
                let body = story_body(&story, &event.process_document)?;
                store::publish(txn, &self.issuer, Kind::Story, &story.name, body.as_ref()).await?;
                Ok(())
            }
            "catalogue.interlinker.published" => {
                let event = payload::<catalogue::InterlinkerPublished>(event);
                self.interlinker(txn, event.and_then(|e| e.interlinker))
                    .await
            }
            "catalogue.interlinker.updated" => {
                let event = payload::<catalogue::InterlinkerUpdated>(event);
                self.interlinker(txn, event.and_then(|e| e.interlinker))
                    .await
            }
            "catalogue.interlinker.deprecated" => {
                let event = payload::<catalogue::InterlinkerDeprecated>(event);
                self.interlinker(txn, event.and_then(|e| e.interlinker))
                    .await
            }
            _ => Ok(()),
        }
    }
}
