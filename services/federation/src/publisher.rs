//! What goes into this deployment's feed: the catalogue's events of
//! entries marked shared, made into signed entries without personal data.

use interlink_proto::catalogue::v1 as catalogue;
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

/// Turns the catalogue's events into feed entries.
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
        store::publish(
            txn,
            &self.issuer,
            Kind::Interlinker,
            &interlinker.name,
            body.as_ref(),
        )
        .await?;
        Ok(())
    }
}

impl EventHandler for Publisher {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        match event.r#type.as_str() {
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
