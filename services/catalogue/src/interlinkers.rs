//! Handlers of interlinkers, their lifecycle, search and ratings.

use std::collections::BTreeSet;

use interlink_proto::catalogue::v1 as pb;
use interlink_runtime::api::{
    is_canonical_uuid, now_ms, page_size, parse_name, parse_name_with, take_page, uuid_page_token,
};
use interlink_runtime::auth::identity;
use interlink_runtime::db::begin_write;
use tonic::Request;

use crate::convert::{self, interlinker_name, interlinker_to};
use crate::domain::interlinker::{self, Details, Fields, Known, Label, Nature, State, TARGETS};
use crate::domain::rating::{self, average};
use crate::domain::{Violation, profile};
use crate::error::{Error, Result};
use crate::events::*;
use crate::grpc::CatalogueApi;
use crate::search::Filters;
use crate::store::{self, InterlinkerRow, RatingRow};

/// Copies one field from the second argument into the first.
type CopyField = fn(&mut Fields, &Fields);

/// The writable fields an update mask may name, with how to copy each.
const MASKABLE: &[(&str, CopyField)] = &[
    ("title", |to, from| to.title = from.title.clone()),
    ("description", |to, from| {
        to.description = from.description.clone()
    }),
    ("constraints_and_limitations", |to, from| {
        to.constraints_and_limitations = from.constraints_and_limitations.clone()
    }),
    ("regulations_and_standards", |to, from| {
        to.regulations_and_standards = from.regulations_and_standards.clone()
    }),
    ("instructions", |to, from| {
        to.instructions = from.instructions.clone()
    }),
    ("tags", |to, from| to.tags = from.tags.clone()),
    ("languages", |to, from| {
        to.languages = from.languages.clone()
    }),
    ("licence", |to, from| to.licence = from.licence),
    ("problem_profiles", |to, from| {
        to.problem_profiles = from.problem_profiles.clone()
    }),
    ("difficulty", |to, from| to.difficulty = from.difficulty),
    ("targets", |to, from| to.targets = from.targets.clone()),
    ("types", |to, from| to.types = from.types.clone()),
    ("administrative_scopes", |to, from| {
        to.scopes = from.scopes.clone()
    }),
    ("form", |to, from| to.form = from.form),
    ("format", |to, from| to.format = from.format),
    ("logo_uri", |to, from| to.logo_uri = from.logo_uri.clone()),
    ("snapshot_uris", |to, from| {
        to.snapshot_uris = from.snapshot_uris.clone()
    }),
    ("software", |to, from| to.details = from.details.clone()),
    ("knowledge", |to, from| to.details = from.details.clone()),
    ("external", |to, from| to.details = from.details.clone()),
    ("shared", |to, from| to.shared = from.shared),
];

/// The most characters of a search query.
const MAX_QUERY_CHARS: usize = 500;
/// The deepest a search may page.
const MAX_SEARCH_OFFSET: usize = 10_000;

/// Refuses to change a mirror: another deployment's entry, read-only here.
fn local_only(row: &InterlinkerRow) -> Result<()> {
    match &row.fields.origin {
        Some(origin) => Err(Error::Precondition(format!(
            "{} is a mirror of {}'s entry and read-only here: adopt it to edit a copy",
            interlinker_name(&row.id),
            if origin.deployment_name.is_empty() {
                &origin.deployment
            } else {
                &origin.deployment_name
            }
        ))),
        None => Ok(()),
    }
}

impl CatalogueApi {
    /// The interlinker `id` as `caller` may see it: drafts for editors only.
    async fn visible_interlinker<T>(
        &self,
        request: &Request<T>,
        id: &str,
    ) -> Result<InterlinkerRow> {
        let row = store::interlinker(&self.db, id).await?;
        match row {
            Some(row) if row.state != State::Draft => Ok(row),
            Some(row) if self.is_editor(identity(request)).await? => Ok(row),
            _ => Err(Error::NotFound(interlinker_name(id))),
        }
    }

    /// Checks what a knowledge interlinker points at: an existing software
    /// interlinker.
    async fn check_references(
        &self,
        path: &str,
        fields: &Fields,
        out: &mut Vec<Violation>,
    ) -> Result<()> {
        if let Some(Details::Knowledge {
            software_interlinker,
            ..
        }) = &fields.details
            && is_canonical_uuid(software_interlinker)
        {
            let target = store::interlinker(&self.db, software_interlinker).await?;
            if target.is_none_or(|t| t.nature != Nature::Software) {
                out.push(Violation::new(
                    format!("{path}.knowledge.software_interlinker"),
                    "is not a software interlinker of the catalogue",
                ));
            }
        }
        Ok(())
    }

    pub(crate) async fn create_interlinker_(
        &self,
        request: Request<pb::CreateInterlinkerRequest>,
    ) -> Result<pb::Interlinker> {
        let owner = self.require_editor(&request).await?;
        let input = request
            .get_ref()
            .interlinker
            .as_ref()
            .ok_or_else(|| Error::invalid("interlinker", "is required"))?;
        let mut violations = Vec::new();
        let nature = convert::nature_from("interlinker.nature", input.nature, &mut violations);
        if input.nature == 0 {
            violations.push(Violation::new("interlinker.nature", "is required"));
        }
        let fields = convert::fields_from("interlinker", input, &mut violations);
        let codes = store::profile_codes(&self.db).await?;
        // With an unknown nature, the fields are still checked against the
        // nature their details imply, so one answer lists every problem.
        let implied = nature.or(match &fields.details {
            Some(Details::Software { .. }) => Some(Nature::Software),
            Some(Details::Knowledge { .. }) => Some(Nature::Knowledge),
            Some(Details::External { .. }) => Some(Nature::ExternalKnowledge),
            None => None,
        });
        if let Some(nature) = implied {
            let known = Known {
                problem_profiles: &codes,
            };
            violations.extend(interlinker::check(
                "interlinker",
                nature,
                &fields,
                known,
                false,
            ));
        }
        self.check_references("interlinker", &fields, &mut violations)
            .await?;
        Error::check(violations)?;
        let nature = nature.ok_or_else(|| Error::invalid("interlinker.nature", "is required"))?;
        let now = now_ms();
        let txn = begin_write(&self.db).await?;
        let revision = store::next_revision(&txn).await?;
        let row = InterlinkerRow {
            id: uuid::Uuid::now_v7().to_string(),
            nature,
            state: State::Draft,
            owner,
            fields,
            rating_sum: 0,
            rating_count: 0,
            adoption_count: 0,
            revision,
            version: 1,
            created_at: now,
            updated_at: now,
            published_at: None,
        };
        store::insert_interlinker(&txn, &row).await?;
        self.commit(txn, &[]).await?;
        Ok(interlinker_to(&row))
    }

    pub(crate) async fn get_interlinker_(
        &self,
        request: Request<pb::GetInterlinkerRequest>,
    ) -> Result<pb::Interlinker> {
        let id = parse_name("name", "interlinkers", &request.get_ref().name)?.to_owned();
        let mut interlinker = interlinker_to(&self.visible_interlinker(&request, &id).await?);
        interlinker.genesis_documents = crate::genesis::list(&self.db, &id).await?;
        Ok(interlinker)
    }

    pub(crate) async fn get_genesis_document_(
        &self,
        request: Request<pb::GetGenesisDocumentRequest>,
    ) -> Result<pb::GenesisDocument> {
        let name = &request.get_ref().name;
        let bad = || {
            Error::invalid(
                "name",
                "must be `interlinkers/{id}/genesisDocuments/{language}`",
            )
        };
        let (interlinker, language) = name.rsplit_once("/genesisDocuments/").ok_or_else(bad)?;
        let id = parse_name("name", "interlinkers", interlinker)?.to_owned();
        // Any other language is one it has no document in (not found).
        if language.is_empty() || language.contains('/') {
            return Err(bad());
        }
        self.visible_interlinker(&request, &id).await?;
        crate::genesis::get(&self.db, &id, language)
            .await?
            .ok_or_else(|| Error::NotFound(name.clone()))
    }

    pub(crate) async fn list_interlinkers_(
        &self,
        request: Request<pb::ListInterlinkersRequest>,
    ) -> Result<pb::ListInterlinkersResponse> {
        let r = request.get_ref();
        let mut violations = Vec::new();
        let state =
            convert::state_from("state", r.state, &mut violations).unwrap_or(State::Published);
        Error::check(violations)?;
        let limit = page_size(r.page_size, 50, 500)?;
        let after = uuid_page_token(&r.page_token)?;
        if state != State::Published && !self.is_editor(identity(&request)).await? {
            return Err(Error::Denied(format!(
                "only catalogue editors list {} interlinkers",
                state.as_str()
            )));
        }
        // Published pages come from the search index's snapshot of the
        // table (the hot path: anyone may list them, and it follows every
        // local write), the rest from the table.
        if state == State::Published {
            let mut entries = self
                .index
                .published_page(after.as_deref(), limit as usize + 1);
            let next_page_token = take_page(&mut entries, limit, |e| e.row.id.clone());
            return Ok(pb::ListInterlinkersResponse {
                interlinkers: entries.iter().map(|e| interlinker_to(&e.row)).collect(),
                next_page_token,
            });
        }
        let mut rows =
            store::list_interlinkers(&self.db, state, after.as_deref(), limit + 1).await?;
        let next_page_token = take_page(&mut rows, limit, |r| r.id.clone());
        Ok(pb::ListInterlinkersResponse {
            interlinkers: rows.iter().map(interlinker_to).collect(),
            next_page_token,
        })
    }

    pub(crate) async fn update_interlinker_(
        &self,
        request: Request<pb::UpdateInterlinkerRequest>,
    ) -> Result<pb::Interlinker> {
        let editor = self.require_editor(&request).await?;
        let r = request.get_ref();
        let input = r
            .interlinker
            .as_ref()
            .ok_or_else(|| Error::invalid("interlinker", "is required"))?;
        let id = parse_name("interlinker.name", "interlinkers", &input.name)?.to_owned();
        let mut violations = Vec::new();
        let incoming = convert::fields_from("interlinker", input, &mut violations);
        // No mask: every writable field (AIP-134).
        let paths: Vec<String> = match &r.update_mask {
            Some(mask) if !mask.paths.is_empty() => mask.paths.clone(),
            _ => MASKABLE.iter().map(|(p, _)| (*p).to_owned()).collect(),
        };
        for (i, path) in paths.iter().enumerate() {
            if path == "nature" {
                violations.push(Violation::new(
                    format!("update_mask.paths[{i}]"),
                    "`nature` cannot change: create another interlinker",
                ));
            } else if !MASKABLE.iter().any(|(p, _)| p == path) {
                violations.push(Violation::new(
                    format!("update_mask.paths[{i}]"),
                    format!("`{path}` is not a writable field"),
                ));
            }
        }
        Error::check(violations)?;
        let codes = store::profile_codes(&self.db).await?;

        let txn = begin_write(&self.db).await?;
        let revision = store::next_revision(&txn).await?;
        let mut row = store::interlinker(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(interlinker_name(&id)))?;
        local_only(&row)?;
        let mut fields = row.fields.clone();
        for path in &paths {
            if let Some((_, copy)) = MASKABLE.iter().find(|(p, _)| p == path) {
                copy(&mut fields, &incoming);
            }
        }
        let known = Known {
            problem_profiles: &codes,
        };
        // A published entry stays publishable.
        let mut violations = interlinker::check(
            "interlinker",
            row.nature,
            &fields,
            known,
            row.state != State::Draft,
        );
        self.check_references("interlinker", &fields, &mut violations)
            .await?;
        Error::check(violations)?;
        let changed: Vec<String> = paths
            .iter()
            .filter(|path| {
                let (mut before, mut after) = (row.fields.clone(), row.fields.clone());
                if let Some((_, copy)) = MASKABLE.iter().find(|(p, _)| p == *path) {
                    copy(&mut before, &row.fields);
                    copy(&mut after, &fields);
                }
                before != after
            })
            .cloned()
            .collect();
        if changed.is_empty() {
            return Ok(interlinker_to(&row));
        }
        row.fields = fields;
        row.revision = revision;
        row.version += 1;
        row.updated_at = now_ms();
        store::update_interlinker(&txn, &row).await?;
        let mut events = Vec::new();
        if row.state == State::Published {
            events.push(self.event(
                INTERLINKER_UPDATED,
                &editor,
                &row.id,
                row.version,
                &pb::InterlinkerUpdated {
                    interlinker: Some(interlinker_to(&row)),
                    changed_fields: changed,
                },
            )?);
        }
        self.commit(txn, &events).await?;
        Ok(interlinker_to(&row))
    }

    pub(crate) async fn delete_interlinker_(
        &self,
        request: Request<pb::DeleteInterlinkerRequest>,
    ) -> Result<()> {
        self.require_editor(&request).await?;
        let id = parse_name("name", "interlinkers", &request.get_ref().name)?.to_owned();
        let txn = begin_write(&self.db).await?;
        store::next_revision(&txn).await?;
        let row = store::interlinker(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(interlinker_name(&id)))?;
        local_only(&row)?;
        if row.state != State::Draft {
            return Err(Error::Precondition(format!(
                "{} is {}: only drafts are deleted; deprecate it instead",
                interlinker_name(&id),
                row.state.as_str()
            )));
        }
        store::delete_interlinker(&txn, &id).await?;
        self.commit(txn, &[]).await
    }

    /// Moves `name` to `to`, with the event of that move.
    async fn transition(&self, editor: &str, name: &str, to: State) -> Result<pb::Interlinker> {
        let id = parse_name("name", "interlinkers", name)?.to_owned();
        let codes = store::profile_codes(&self.db).await?;
        let txn = begin_write(&self.db).await?;
        let revision = store::next_revision(&txn).await?;
        let mut row = store::interlinker(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(interlinker_name(&id)))?;
        local_only(&row)?;
        interlinker::transition(row.state, to).map_err(Error::Precondition)?;
        if to == State::Published {
            let known = Known {
                problem_profiles: &codes,
            };
            let missing = interlinker::check("interlinker", row.nature, &row.fields, known, true);
            if !missing.is_empty() {
                let reasons: Vec<String> = missing
                    .iter()
                    .map(|v| format!("{} {}", v.field, v.reason))
                    .collect();
                return Err(Error::Precondition(format!(
                    "{} cannot be published yet: {}",
                    interlinker_name(&id),
                    reasons.join("; ")
                )));
            }
        }
        let now = now_ms();
        row.state = to;
        row.revision = revision;
        row.version += 1;
        row.updated_at = now;
        if to == State::Published {
            row.published_at = Some(now);
        }
        store::update_interlinker(&txn, &row).await?;
        let interlinker = Some(interlinker_to(&row));
        let event = match to {
            State::Published => self.event(
                INTERLINKER_PUBLISHED,
                editor,
                &row.id,
                row.version,
                &pb::InterlinkerPublished { interlinker },
            )?,
            _ => self.event(
                INTERLINKER_DEPRECATED,
                editor,
                &row.id,
                row.version,
                &pb::InterlinkerDeprecated { interlinker },
            )?,
        };
        self.commit(txn, &[event]).await?;
        Ok(interlinker_to(&row))
    }

    pub(crate) async fn publish_interlinker_(
        &self,
        request: Request<pb::PublishInterlinkerRequest>,
    ) -> Result<pb::Interlinker> {
        let editor = self.require_editor(&request).await?;
        self.transition(&editor, &request.get_ref().name, State::Published)
            .await
    }

    pub(crate) async fn deprecate_interlinker_(
        &self,
        request: Request<pb::DeprecateInterlinkerRequest>,
    ) -> Result<pb::Interlinker> {
        let editor = self.require_editor(&request).await?;
        self.transition(&editor, &request.get_ref().name, State::Deprecated)
            .await
    }

    /// Catalogue editors: a local, editable draft copied from the mirror
    /// `name`, keeping where it came from.
    pub(crate) async fn adopt_interlinker_(
        &self,
        request: Request<pb::AdoptInterlinkerRequest>,
    ) -> Result<pb::Interlinker> {
        let editor = self.require_editor(&request).await?;
        let id = parse_name("name", "interlinkers", &request.get_ref().name)?.to_owned();
        let txn = begin_write(&self.db).await?;
        let revision = store::next_revision(&txn).await?;
        let source = store::interlinker(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(interlinker_name(&id)))?;
        let Some(origin) = source.fields.origin.clone() else {
            return Err(Error::Precondition(format!(
                "{} is this deployment's own: edit it instead of adopting it",
                interlinker_name(&id)
            )));
        };
        let now = now_ms();
        let mut fields = source.fields.clone();
        fields.origin = None;
        fields.shared = false;
        fields.adopted_from = Some(origin);
        // What names things of the origin that this deployment lacks is
        // left for the editor to choose here, so the draft can be edited.
        let codes = store::profile_codes(&txn).await?;
        fields.problem_profiles.retain(|code| codes.contains(code));
        if let Some(Details::Knowledge {
            software_interlinker,
            ..
        }) = &mut fields.details
        {
            let local = store::interlinker(&txn, software_interlinker)
                .await?
                .is_some_and(|t| t.nature == Nature::Software && t.fields.origin.is_none());
            if !local {
                software_interlinker.clear();
            }
        }
        let row = InterlinkerRow {
            id: uuid::Uuid::now_v7().to_string(),
            nature: source.nature,
            state: State::Draft,
            owner: editor.clone(),
            fields,
            rating_sum: 0,
            rating_count: 0,
            adoption_count: 0,
            revision,
            version: 1,
            created_at: now,
            updated_at: now,
            published_at: None,
        };
        store::insert_interlinker(&txn, &row).await?;
        crate::genesis::copy(&txn, &id, &row.id).await?;
        let event = self.event(
            INTERLINKER_ADOPTED,
            &editor,
            &row.id,
            row.version,
            &pb::InterlinkerAdopted {
                interlinker: Some(interlinker_to(&row)),
                source: interlinker_name(&id),
            },
        )?;
        self.commit(txn, &[event]).await?;
        let mut adopted = interlinker_to(&row);
        adopted.genesis_documents = crate::genesis::list(&self.db, &row.id).await?;
        Ok(adopted)
    }

    pub(crate) async fn search_interlinkers_(
        &self,
        request: Request<pb::SearchInterlinkersRequest>,
    ) -> Result<pb::SearchInterlinkersResponse> {
        let r = request.get_ref();
        let (filters, mut violations) = filters_from(r);
        interlink_runtime::validation::check_line(
            "query",
            &r.query,
            false,
            MAX_QUERY_CHARS,
            &mut violations,
        );
        let limit = match page_size(r.page_size, 20, 100) {
            Ok(limit) => limit as usize,
            Err(v) => {
                violations.push(v);
                0
            }
        };
        let offset = interlink_runtime::api::page_cursor(&r.page_token, |cursor| {
            cursor
                .parse::<usize>()
                .ok()
                .filter(|offset| *offset <= MAX_SEARCH_OFFSET)
        })
        .map_err(|v| violations.push(v))
        .ok()
        .flatten()
        .unwrap_or(0);
        Error::check(violations)?;
        let page = self.index.search(&r.query, &filters, offset, limit)?;
        let next = offset + limit;
        Ok(pb::SearchInterlinkersResponse {
            results: page
                .hits
                .iter()
                .map(|(entry, score)| pb::SearchResult {
                    interlinker: Some(interlinker_to(&entry.row)),
                    score: *score,
                })
                .collect(),
            next_page_token: if next < page.total && next <= MAX_SEARCH_OFFSET {
                interlink_runtime::api::page_token(&next.to_string())
            } else {
                String::new()
            },
            total_size: page.total as i64,
            facets: page
                .facets
                .into_iter()
                .map(|(field, values)| pb::Facet {
                    field: field.to_owned(),
                    values: values
                        .into_iter()
                        .map(|(value, count)| pb::FacetValue {
                            label: page.origin_labels.get(&value).cloned().unwrap_or_default(),
                            value: convert::facet_value(field, &value),
                            count: count as i64,
                        })
                        .collect(),
                })
                .collect(),
        })
    }

    pub(crate) async fn list_related_interlinkers_(
        &self,
        request: Request<pb::ListRelatedInterlinkersRequest>,
    ) -> Result<pb::ListRelatedInterlinkersResponse> {
        let r = request.get_ref();
        let id = parse_name("name", "interlinkers", &r.name)?.to_owned();
        let limit = page_size(r.page_size, 10, 100)? as usize;
        let row = self.visible_interlinker(&request, &id).await?;
        let related = self.index.related(&id, &row.fields.problem_profiles, limit);
        Ok(pb::ListRelatedInterlinkersResponse {
            interlinkers: related.iter().map(|e| interlinker_to(&e.row)).collect(),
        })
    }

    pub(crate) async fn recommend_interlinkers_(
        &self,
        request: Request<pb::RecommendInterlinkersRequest>,
    ) -> Result<pb::RecommendInterlinkersResponse> {
        let r = request.get_ref();
        let mut violations = Vec::new();
        if r.problem_profiles.is_empty() {
            violations.push(Violation::new(
                "problem_profiles",
                "needs at least one code",
            ));
        } else if r.problem_profiles.len() > MAX_FILTER_VALUES {
            violations.push(Violation::new(
                "problem_profiles",
                format!("has more than {MAX_FILTER_VALUES} codes"),
            ));
        }
        let codes = store::profile_codes(&self.db).await?;
        for (i, code) in r.problem_profiles.iter().enumerate() {
            if !codes.contains(code) {
                violations.push(Violation::new(
                    format!("problem_profiles[{i}]"),
                    format!("`{code}` is not a known problem profile code"),
                ));
            }
        }
        if !r.language.is_empty() && !interlink_runtime::text::is_language_tag(&r.language) {
            violations.push(Violation::new(
                "language",
                "is not a language tag such as en or es",
            ));
        }
        let limit = match page_size(r.page_size, 10, 100) {
            Ok(limit) => limit as usize,
            Err(v) => {
                violations.push(v);
                0
            }
        };
        Error::check(violations)?;
        let language = (!r.language.is_empty()).then_some(r.language.as_str());
        let found = self.index.recommend(&r.problem_profiles, language, limit);
        Ok(pb::RecommendInterlinkersResponse {
            recommendations: found
                .into_iter()
                .map(|rec| pb::Recommendation {
                    interlinker: Some(interlinker_to(&rec.entry.row)),
                    score: rec.score,
                    matched_problem_profiles: rec.matched,
                })
                .collect(),
        })
    }

    pub(crate) async fn rate_interlinker_(
        &self,
        request: Request<pb::RateInterlinkerRequest>,
    ) -> Result<pb::Rating> {
        let author = identity(&request)
            .ok_or(Error::Unauthenticated)?
            .subject
            .clone();
        let r = request.get_ref();
        let id = parse_name("parent", "interlinkers", &r.parent)?.to_owned();
        let input = r
            .rating
            .as_ref()
            .ok_or_else(|| Error::invalid("rating", "is required"))?;
        let title = input.title.trim().to_owned();
        let text = input.text.trim().to_owned();
        Error::check(rating::check("rating", input.value, &title, &text))?;
        // Visible at all (drafts: editors only), then rateable.
        self.visible_interlinker(&request, &id).await?;

        let txn = begin_write(&self.db).await?;
        let revision = store::next_revision(&txn).await?;
        let mut row = store::interlinker(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(interlinker_name(&id)))?;
        if row.state != State::Published {
            return Err(Error::Precondition(format!(
                "{} is {}: only published interlinkers are rated",
                interlinker_name(&id),
                row.state.as_str()
            )));
        }
        let now = now_ms();
        let previous = store::rating_by_author(&txn, &id, &author).await?;
        let rating = RatingRow {
            id: previous
                .as_ref()
                .map(|p| p.id.clone())
                .unwrap_or_else(|| uuid::Uuid::now_v7().to_string()),
            interlinker_id: id.clone(),
            author: author.clone(),
            value: input.value,
            title,
            text,
            created_at: previous.as_ref().map(|p| p.created_at).unwrap_or(now),
            updated_at: now,
        };
        match &previous {
            Some(p) => row.rating_sum += i64::from(rating.value - p.value),
            None => {
                row.rating_sum += i64::from(rating.value);
                row.rating_count += 1;
            }
        }
        row.revision = revision;
        row.version += 1;
        store::upsert_rating(&txn, &rating).await?;
        store::update_interlinker(&txn, &row).await?;
        let event = self.rating_event(&author, &row, Some(&rating))?;
        self.commit(txn, &[event]).await?;
        Ok(convert::rating_to(&rating))
    }

    fn rating_event(
        &self,
        actor: &str,
        row: &InterlinkerRow,
        rating: Option<&RatingRow>,
    ) -> Result<interlink_proto::events::v1::Event> {
        self.event(
            RATING_CHANGED,
            actor,
            &row.id,
            row.version,
            &pb::InterlinkerRatingChanged {
                interlinker: interlinker_name(&row.id),
                rating: rating.map(convert::rating_to),
                rating_average: average(row.rating_sum, row.rating_count),
                rating_count: row.rating_count,
            },
        )
    }

    pub(crate) async fn list_ratings_(
        &self,
        request: Request<pb::ListRatingsRequest>,
    ) -> Result<pb::ListRatingsResponse> {
        let r = request.get_ref();
        let id = parse_name("parent", "interlinkers", &r.parent)?.to_owned();
        let limit = page_size(r.page_size, 50, 500)?;
        let before = uuid_page_token(&r.page_token)?;
        self.visible_interlinker(&request, &id).await?;
        let mut rows = store::list_ratings(&self.db, &id, before.as_deref(), limit + 1).await?;
        let next_page_token = take_page(&mut rows, limit, |r| r.id.clone());
        Ok(pb::ListRatingsResponse {
            ratings: rows.iter().map(convert::rating_to).collect(),
            next_page_token,
        })
    }

    pub(crate) async fn delete_rating_(
        &self,
        request: Request<pb::DeleteRatingRequest>,
    ) -> Result<()> {
        let caller = identity(&request).ok_or(Error::Unauthenticated)?.clone();
        let name = &request.get_ref().name;
        let (id, rating_id) = parse_rating_name(name)?;
        let txn = begin_write(&self.db).await?;
        let revision = store::next_revision(&txn).await?;
        let rating = store::rating(&txn, &id, &rating_id)
            .await?
            .ok_or_else(|| Error::NotFound(name.clone()))?;
        if rating.author != caller.subject && !caller.platform_admin {
            return Err(Error::Denied(
                "only its author or a platform administrator deletes a rating".into(),
            ));
        }
        let mut row = store::interlinker(&txn, &id)
            .await?
            .ok_or_else(|| Error::NotFound(interlinker_name(&id)))?;
        row.rating_sum -= i64::from(rating.value);
        row.rating_count -= 1;
        row.revision = revision;
        row.version += 1;
        store::delete_rating(&txn, &rating.id).await?;
        store::update_interlinker(&txn, &row).await?;
        let event = self.rating_event(&caller.subject, &row, None)?;
        self.commit(txn, &[event]).await
    }
}

fn parse_rating_name(name: &str) -> Result<(String, String)> {
    let bad = || {
        Error::invalid(
            "name",
            "must be a resource name `interlinkers/{id}/ratings/{id}`",
        )
    };
    let (parent, rating) = name.split_once("/ratings/").ok_or_else(bad)?;
    let id = parse_name("name", "interlinkers", parent).map_err(|_| bad())?;
    if !is_canonical_uuid(rating) {
        return Err(bad());
    }
    Ok((id.to_owned(), rating.to_owned()))
}

/// The filters of a search request, and what is wrong with them.
/// Most values a search filter lists.
const MAX_FILTER_VALUES: usize = 50;

fn filters_from(r: &pb::SearchInterlinkersRequest) -> (Filters, Vec<Violation>) {
    let mut out = Vec::new();
    let mut filters = Filters::default();
    for (field, len) in [
        ("natures", r.natures.len()),
        ("problem_profiles", r.problem_profiles.len()),
        ("languages", r.languages.len()),
        ("difficulties", r.difficulties.len()),
        ("licences", r.licences.len()),
        ("targets", r.targets.len()),
        ("origins", r.origins.len()),
    ] {
        if len > MAX_FILTER_VALUES {
            out.push(Violation::new(
                field,
                format!("has more than {MAX_FILTER_VALUES} values"),
            ));
        }
    }
    for (i, n) in r.natures.iter().enumerate() {
        let field = format!("natures[{i}]");
        match convert::nature_from(&field, *n, &mut out) {
            Some(n) => {
                filters.natures.insert(n);
            }
            None if *n == 0 => out.push(Violation::new(field, "is not a nature")),
            None => {}
        }
    }
    for (i, d) in r.difficulties.iter().enumerate() {
        let field = format!("difficulties[{i}]");
        match convert::difficulty_from(&field, *d, &mut out) {
            Some(d) => {
                filters.difficulties.insert(d);
            }
            None if *d == 0 => out.push(Violation::new(field, "is not a difficulty")),
            None => {}
        }
    }
    for (i, l) in r.licences.iter().enumerate() {
        let field = format!("licences[{i}]");
        match convert::licence_from(&field, *l, &mut out) {
            Some(l) => {
                filters.licences.insert(l);
            }
            None if *l == 0 => out.push(Violation::new(field, "is not a licence")),
            None => {}
        }
    }
    let strings = |values: &[String],
                   field: &str,
                   ok: &dyn Fn(&str) -> bool,
                   what: &str,
                   out: &mut Vec<Violation>| {
        let mut set = BTreeSet::new();
        for (i, v) in values.iter().enumerate() {
            if ok(v) {
                set.insert(v.clone());
            } else {
                out.push(Violation::new(
                    format!("{field}[{i}]"),
                    format!("is not {what}"),
                ));
            }
        }
        set
    };
    filters.problem_profiles = strings(
        &r.problem_profiles,
        "problem_profiles",
        &profile::is_code,
        "a problem profile code",
        &mut out,
    );
    filters.languages = strings(
        &r.languages,
        "languages",
        &interlink_runtime::text::is_language_tag,
        "a language tag",
        &mut out,
    );
    filters.targets = strings(
        &r.targets,
        "targets",
        &|t| TARGETS.contains(&t),
        "a target such as all/pas",
        &mut out,
    );
    filters.origins = strings(
        &r.origins,
        "origins",
        &|o| !o.is_empty() && o.chars().count() <= 2000,
        "`local` or a deployment's issuer URL",
        &mut out,
    );
    if !r.min_rating.is_finite() || !(0.0..=5.0).contains(&r.min_rating) {
        out.push(Violation::new("min_rating", "must be between 0 and 5"));
    } else {
        filters.min_rating = r.min_rating;
    }
    (filters, out)
}

/// `catalogueEditors/{subject}` → the subject.
pub(crate) fn parse_editor_name(name: &str) -> Result<&str> {
    Ok(parse_name_with(
        "name",
        "catalogueEditors",
        name,
        is_subject,
    )?)
}

pub(crate) use interlink_runtime::text::is_subject;
