//! The gRPC adapter: the generated service trait, delegating each call to
//! a handler of [`crate::interlinkers`] or [`crate::schemas`], which convert
//! and validate requests, check who may do what, call the store and append
//! events in the same transaction.

use std::sync::Arc;

use interlink_proto::catalogue::v1 as pb;
use interlink_proto::catalogue::v1::catalogue_service_server::CatalogueService;
use interlink_proto::events::v1::Event;
use interlink_runtime::auth::{Identity, identity};
use interlink_runtime::events::{EventType, NewEvent, Outbox, user_actor};
use sea_orm::{DatabaseConnection, DatabaseTransaction};
use tonic::Request;

use crate::error::{Error, Result};
use crate::search::SearchIndex;
use crate::store;

/// The catalogue service.
#[derive(Debug, Clone)]
pub struct CatalogueApi {
    pub(crate) db: DatabaseConnection,
    pub(crate) outbox: Outbox,
    pub(crate) index: Arc<SearchIndex>,
}

impl CatalogueApi {
    /// The service over `db`, publishing through `outbox`, searching `index`
    /// (which it refreshes after each of its writes).
    pub fn new(db: DatabaseConnection, outbox: Outbox, index: Arc<SearchIndex>) -> Self {
        Self { db, outbox, index }
    }

    /// Whether `caller` may write the catalogue.
    pub(crate) async fn is_editor(&self, caller: Option<&Identity>) -> Result<bool> {
        match caller {
            None => Ok(false),
            Some(c) if c.platform_admin => Ok(true),
            Some(c) => Ok(store::is_editor(&self.db, &c.subject).await?),
        }
    }

    /// The subject of the calling editor, or why they may not write.
    pub(crate) async fn require_editor<T>(&self, request: &Request<T>) -> Result<String> {
        let caller = identity(request).ok_or(Error::Unauthenticated)?;
        if self.is_editor(Some(caller)).await? {
            Ok(caller.subject.clone())
        } else {
            Err(Error::Denied(
                "only catalogue editors (platform administrators and listed editors) may do this"
                    .into(),
            ))
        }
    }

    /// The envelope of an event of `subject`'s change to `aggregate`.
    pub(crate) fn event<M: prost::Name>(
        &self,
        event_type: EventType,
        subject: &str,
        aggregate: &str,
        version: i64,
        payload: &M,
    ) -> Result<Event> {
        Ok(self.outbox.envelope(NewEvent {
            event_type,
            actor: user_actor(subject),
            organization_id: "",
            aggregate_id: aggregate,
            aggregate_version: version.max(0) as u64,
            payload,
        })?)
    }

    /// Appends `events`, commits (with the call's idempotency key), and brings the search index up to date
    /// (a failure there is logged: the write stands and the next refresh
    /// catches up). A keyed call's change commits with its answer after the
    /// handler returns: the index refreshes then.
    pub(crate) async fn commit(&self, txn: DatabaseTransaction, events: &[Event]) -> Result<()> {
        // Through the outbox even without events: it records the call's
        // idempotency key with the change.
        self.outbox.append(&txn, events).await?;
        self.outbox.commit(txn).await?;
        if interlink_runtime::idempotency::deferred() {
            // The change commits with the call's answer, after this
            // returns: refresh then.
            let (index, db) = (Arc::clone(&self.index), self.db.clone());
            interlink_runtime::idempotency::after_commit(move || {
                tokio::spawn(async move {
                    if let Err(e) = index.refresh(&db).await {
                        tracing::warn!(error = %e, "search index refresh failed");
                    }
                });
            });
        } else if let Err(e) = self.index.refresh(&self.db).await {
            tracing::warn!(error = %e, "search index refresh failed");
        }
        Ok(())
    }
}

use interlink_runtime::grpc::{Reply, reply};

#[tonic::async_trait]
impl CatalogueService for CatalogueApi {
    async fn create_interlinker(
        &self,
        r: Request<pb::CreateInterlinkerRequest>,
    ) -> Reply<pb::Interlinker> {
        reply(self.create_interlinker_(r).await)
    }

    async fn get_interlinker(
        &self,
        r: Request<pb::GetInterlinkerRequest>,
    ) -> Reply<pb::Interlinker> {
        reply(self.get_interlinker_(r).await)
    }

    async fn list_interlinkers(
        &self,
        r: Request<pb::ListInterlinkersRequest>,
    ) -> Reply<pb::ListInterlinkersResponse> {
        reply(self.list_interlinkers_(r).await)
    }

    async fn update_interlinker(
        &self,
        r: Request<pb::UpdateInterlinkerRequest>,
    ) -> Reply<pb::Interlinker> {
        reply(self.update_interlinker_(r).await)
    }

    async fn delete_interlinker(&self, r: Request<pb::DeleteInterlinkerRequest>) -> Reply<()> {
        reply(self.delete_interlinker_(r).await)
    }

    async fn publish_interlinker(
        &self,
        r: Request<pb::PublishInterlinkerRequest>,
    ) -> Reply<pb::Interlinker> {
        reply(self.publish_interlinker_(r).await)
    }

    async fn deprecate_interlinker(
        &self,
        r: Request<pb::DeprecateInterlinkerRequest>,
    ) -> Reply<pb::Interlinker> {
        reply(self.deprecate_interlinker_(r).await)
    }

    async fn adopt_interlinker(
        &self,
        r: Request<pb::AdoptInterlinkerRequest>,
    ) -> Reply<pb::Interlinker> {
        reply(self.adopt_interlinker_(r).await)
    }

    async fn get_genesis_document(
        &self,
        r: Request<pb::GetGenesisDocumentRequest>,
    ) -> Reply<pb::GenesisDocument> {
        reply(self.get_genesis_document_(r).await)
    }

    async fn search_interlinkers(
        &self,
        r: Request<pb::SearchInterlinkersRequest>,
    ) -> Reply<pb::SearchInterlinkersResponse> {
        reply(self.search_interlinkers_(r).await)
    }

    async fn list_related_interlinkers(
        &self,
        r: Request<pb::ListRelatedInterlinkersRequest>,
    ) -> Reply<pb::ListRelatedInterlinkersResponse> {
        reply(self.list_related_interlinkers_(r).await)
    }

    async fn recommend_interlinkers(
        &self,
        r: Request<pb::RecommendInterlinkersRequest>,
    ) -> Reply<pb::RecommendInterlinkersResponse> {
        reply(self.recommend_interlinkers_(r).await)
    }

    async fn rate_interlinker(&self, r: Request<pb::RateInterlinkerRequest>) -> Reply<pb::Rating> {
        reply(self.rate_interlinker_(r).await)
    }

    async fn list_ratings(
        &self,
        r: Request<pb::ListRatingsRequest>,
    ) -> Reply<pb::ListRatingsResponse> {
        reply(self.list_ratings_(r).await)
    }

    async fn delete_rating(&self, r: Request<pb::DeleteRatingRequest>) -> Reply<()> {
        reply(self.delete_rating_(r).await)
    }

    async fn create_problem_profile(
        &self,
        r: Request<pb::CreateProblemProfileRequest>,
    ) -> Reply<pb::ProblemProfile> {
        reply(self.create_problem_profile_(r).await)
    }

    async fn get_problem_profile(
        &self,
        r: Request<pb::GetProblemProfileRequest>,
    ) -> Reply<pb::ProblemProfile> {
        reply(self.get_problem_profile_(r).await)
    }

    async fn list_problem_profiles(
        &self,
        r: Request<pb::ListProblemProfilesRequest>,
    ) -> Reply<pb::ListProblemProfilesResponse> {
        reply(self.list_problem_profiles_(r).await)
    }

    async fn update_problem_profile(
        &self,
        r: Request<pb::UpdateProblemProfileRequest>,
    ) -> Reply<pb::ProblemProfile> {
        reply(self.update_problem_profile_(r).await)
    }

    async fn create_schema(&self, r: Request<pb::CreateSchemaRequest>) -> Reply<pb::Schema> {
        reply(self.create_schema_(r).await)
    }

    async fn get_schema(&self, r: Request<pb::GetSchemaRequest>) -> Reply<pb::Schema> {
        reply(self.get_schema_(r).await)
    }

    async fn list_schemas(
        &self,
        r: Request<pb::ListSchemasRequest>,
    ) -> Reply<pb::ListSchemasResponse> {
        reply(self.list_schemas_(r).await)
    }

    async fn update_schema(&self, r: Request<pb::UpdateSchemaRequest>) -> Reply<pb::Schema> {
        reply(self.update_schema_(r).await)
    }

    async fn publish_schema(
        &self,
        r: Request<pb::PublishSchemaRequest>,
    ) -> Reply<pb::SchemaVersion> {
        reply(self.publish_schema_(r).await)
    }
    async fn adopt_schema(&self, r: Request<pb::AdoptSchemaRequest>) -> Reply<pb::Schema> {
        reply(self.adopt_schema_(r).await)
    }

    async fn get_schema_version(
        &self,
        r: Request<pb::GetSchemaVersionRequest>,
    ) -> Reply<pb::SchemaVersion> {
        reply(self.get_schema_version_(r).await)
    }

    async fn list_schema_versions(
        &self,
        r: Request<pb::ListSchemaVersionsRequest>,
    ) -> Reply<pb::ListSchemaVersionsResponse> {
        reply(self.list_schema_versions_(r).await)
    }

    async fn list_catalogue_editors(
        &self,
        r: Request<pb::ListCatalogueEditorsRequest>,
    ) -> Reply<pb::ListCatalogueEditorsResponse> {
        reply(self.list_catalogue_editors_(r).await)
    }

    async fn add_catalogue_editor(
        &self,
        r: Request<pb::AddCatalogueEditorRequest>,
    ) -> Reply<pb::CatalogueEditor> {
        reply(self.add_catalogue_editor_(r).await)
    }

    async fn remove_catalogue_editor(
        &self,
        r: Request<pb::RemoveCatalogueEditorRequest>,
    ) -> Reply<()> {
        reply(self.remove_catalogue_editor_(r).await)
    }
}
