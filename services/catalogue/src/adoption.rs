//! Adoption: how many co-production assets instantiate each interlinker,
//! counted from co-production's `asset.added` and `asset.removed` events
//! (recommendations weigh it).

use interlink_proto::coproduction::v1 as coproduction;
use interlink_proto::events::v1::Event;
use interlink_runtime::events::{EventHandler, payload};
use sea_orm::DatabaseTransaction;

use crate::store;

/// The consumer of co-production's events that keeps `adoption_count`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Adoption;

impl EventHandler for Adoption {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        let (asset, delta) = match event.r#type.as_str() {
            "coproduction.asset.added" => (
                payload::<coproduction::AssetAdded>(event).and_then(|e| e.asset),
                1,
            ),
            "coproduction.asset.removed" => (
                payload::<coproduction::AssetRemoved>(event).and_then(|e| e.asset),
                -1,
            ),
            _ => return Ok(()),
        };
        let Some(id) = asset
            .as_ref()
            .and_then(|a| a.interlinker.strip_prefix("interlinkers/"))
        else {
            return Ok(());
        };
        // An interlinker this catalogue does not hold (deleted draft, other
        // deployment) has nothing to count.
        let revision = store::next_revision(txn).await?;
        store::adjust_adoption(txn, id, delta, revision).await?;
        Ok(())
    }
}
