//! Mirrored stories: other deployments' shared stories, as the federation
//! service verified them (`federation.mirror.updated`), kept read-only
//! with their origin and the document of the process they tell of (which
//! `AdoptStory` makes into a local process). A newer version replaces the
//! mirror's text; a withdrawal marks it withdrawn (never deletes it).

use interlink_proto::events::v1::Event;
use interlink_proto::federation::v1 as federation;
use interlink_runtime::api::now_ms;
use interlink_runtime::events::{EventHandler, payload};
use sea_orm::DatabaseTransaction;

use crate::convert::millis;
use crate::grpc::CoproductionApi;
use crate::store::{self, Origin, StoryRow};

/// The consumer of the federation service's mirror events.
#[derive(Debug, Clone, Copy, Default)]
pub struct Mirrors;

impl Mirrors {
    async fn story(
        &self,
        txn: &DatabaseTransaction,
        mirror: &federation::MirrorUpdated,
    ) -> anyhow::Result<()> {
        let key = store::mirror_key(&mirror.origin, &mirror.origin_name);
        let existing = store::mirrored_story_by_key(txn, &key).await?;
        let known = existing
            .as_ref()
            .and_then(|s| s.origin.as_ref())
            .map(|o| o.version);
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
        let body = match &mirror.body {
            Some(federation::mirror_updated::Body::Story(story)) => Some(story),
            _ => None,
        };
        match (existing, body) {
            // Withdrawn before it was ever mirrored: nothing to keep.
            (None, None) => Ok(()),
            (Some(mut row), None) => {
                let document = store::mirrored_story_document(txn, &row.id)
                    .await?
                    .unwrap_or_default();
                row.origin = Some(origin);
                row.withdrawn = true;
                store::save_mirrored_story(txn, &row, &document, now).await?;
                Ok(())
            }
            (existing, Some(story)) => {
                if let Err(e) = CoproductionApi::readable_document(&mirror.process_document) {
                    anyhow::bail!("the process of {}: {e}", mirror.origin_name);
                }
                let row = StoryRow {
                    id: existing
                        .map(|s| s.id)
                        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
                    process_id: String::new(),
                    title: story.title.clone(),
                    description: story.description.clone(),
                    results: story.results.clone(),
                    lessons_learned: story.lessons_learned.clone(),
                    licences: story.licences.clone(),
                    keywords: story.keywords.clone(),
                    start_at: story.start_time.as_ref().map(millis),
                    end_at: story.end_time.as_ref().map(millis),
                    author: String::new(),
                    rating_sum: 0,
                    rating_count: 0,
                    published_at: story.publish_time.as_ref().map(millis).unwrap_or(now),
                    shared: false,
                    origin: Some(origin),
                    withdrawn: false,
                };
                store::save_mirrored_story(txn, &row, &mirror.process_document, now).await?;
                Ok(())
            }
        }
    }
}

impl EventHandler for Mirrors {
    async fn handle(&self, txn: &DatabaseTransaction, event: &Event) -> anyhow::Result<()> {
        if event.r#type != "federation.mirror.updated" {
            return Ok(());
        }
        let mirror = payload::<federation::MirrorUpdated>(event)
            .ok_or_else(|| anyhow::anyhow!("a mirror event without its mirror"))?;
        if federation::EntryKind::try_from(mirror.kind) == Ok(federation::EntryKind::Story) {
            self.story(txn, &mirror).await
        } else {
            Ok(())
        }
    }
}
