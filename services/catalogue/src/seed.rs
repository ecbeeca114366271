//! The seed catalogue: the 45 problem profiles in their families, the four
//! co-production schemas of INTERLINK (`default`, `hackathon`,
//! `service-description-enhancement`, `solution-co-refinement`) and 64
//! interlinkers of the four natures, in English, Spanish, Italian and
//! Latvian, written for Interlink (`seed/*.json`).
//!
//! Seeding is idempotent: entries are keyed (interlinker ids are UUIDv5 of
//! their seed key) and only missing ones are added, so editors' later
//! changes are never overwritten. Schemas are published as version 1 and
//! interlinkers as published entries, each with its event.

use std::collections::BTreeMap;

use interlink_proto::catalogue::v1 as pb;
use interlink_runtime::api::now_ms;
use interlink_runtime::db::begin_write;
use interlink_runtime::events::{NewEvent, Outbox, service_actor};
use sea_orm::{DatabaseConnection, DbErr};
use serde::Deserialize;

use crate::convert::{interlinker_to, version_to};
use crate::domain::Text;
use crate::domain::interlinker::{self, Details, Fields, Known, Nature, State};
use crate::domain::profile::{self, Profile};
use crate::domain::schema::{self, Item};
use crate::events::{INTERLINKER_PUBLISHED, SCHEMA_VERSION_PUBLISHED, SERVICE};
use crate::store::{self, InterlinkerRow, ProfileRow, SchemaRow, VersionRow};

const PROFILES: &str = include_str!("../seed/problem_profiles.json");
const SCHEMAS: &str = include_str!("../seed/schemas.json");
const INTERLINKERS: &str = include_str!("../seed/interlinkers.json");

/// The namespace of seeded interlinkers' UUIDv5 ids.
const SEED_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6d1c_2f0e_8a4b_4c3d_9e57_1b2a_3c4d_5e6f);

/// The id of the seeded interlinker with `key`.
pub fn interlinker_id(key: &str) -> String {
    uuid::Uuid::new_v5(&SEED_NAMESPACE, key.as_bytes()).to_string()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedSchema {
    id: String,
    title: Text,
    description: Text,
    items: Vec<Item>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedInterlinker {
    key: String,
    nature: Nature,
    #[serde(flatten)]
    fields: SeedFields,
}

/// [`Fields`] as the seed files spell them.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFields {
    title: Text,
    description: Text,
    constraints_and_limitations: Text,
    regulations_and_standards: Text,
    instructions: Text,
    tags: Vec<Text>,
    languages: Vec<String>,
    licence: interlinker::Licence,
    problem_profiles: Vec<String>,
    difficulty: interlinker::Difficulty,
    targets: Vec<String>,
    types: Vec<String>,
    administrative_scopes: Vec<interlinker::Scope>,
    form: interlinker::Form,
    format: interlinker::Format,
    logo_uri: String,
    details: Details,
}

/// The seed, parsed.
#[derive(Debug)]
pub struct SeedData {
    profiles: Vec<Profile>,
    schemas: Vec<SeedSchema>,
    interlinkers: Vec<(String, Nature, Fields)>,
}

/// What a seed run added (entries already there are left alone).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// Problem profiles added.
    pub profiles: usize,
    /// Schemas added (each published as version 1).
    pub schemas: usize,
    /// Interlinkers added (published).
    pub interlinkers: usize,
}

impl SeedData {
    /// Parses the seed files and checks every entry with the rules editors
    /// meet.
    pub fn load() -> anyhow::Result<Self> {
        let profiles: Vec<Profile> = serde_json::from_str::<Vec<SeedProfile>>(PROFILES)?
            .into_iter()
            .map(|p| Profile {
                code: p.code,
                family: p.family,
                title: p.title,
                description: p.description,
            })
            .collect();
        let schemas: Vec<SeedSchema> = serde_json::from_str(SCHEMAS)?;
        let entries: Vec<SeedInterlinker> = serde_json::from_str(INTERLINKERS)?;
        let keys: BTreeMap<String, String> = entries
            .iter()
            .map(|e| (e.key.clone(), interlinker_id(&e.key)))
            .collect();
        let mut interlinkers = Vec::new();
        for entry in entries {
            let f = entry.fields;
            let details = match f.details {
                Details::Knowledge {
                    software_interlinker,
                    genesis_assets,
                } => Details::Knowledge {
                    software_interlinker: keys
                        .get(&software_interlinker)
                        .cloned()
                        .ok_or_else(|| {
                            anyhow::anyhow!(
                                "seed interlinker {}: unknown software interlinker {software_interlinker}",
                                entry.key
                            )
                        })?,
                    genesis_assets,
                },
                other => other,
            };
            let fields = Fields {
                title: f.title,
                description: f.description,
                constraints_and_limitations: f.constraints_and_limitations,
                regulations_and_standards: f.regulations_and_standards,
                instructions: f.instructions,
                tags: f.tags,
                languages: f.languages,
                licence: Some(f.licence),
                problem_profiles: f.problem_profiles,
                difficulty: Some(f.difficulty),
                targets: f.targets,
                types: f.types,
                scopes: f.administrative_scopes,
                form: Some(f.form),
                format: Some(f.format),
                logo_uri: f.logo_uri,
                snapshot_uris: Vec::new(),
                details: Some(details),
                // Every deployment seeds the same entries: nothing to share.
                shared: false,
                origin: None,
                adopted_from: None,
            };
            interlinkers.push((entry.key, entry.nature, fields));
        }
        let data = Self {
            profiles,
            schemas,
            interlinkers,
        };
        data.check()?;
        Ok(data)
    }

    /// The seed pointed at this deployment's first-party interlinkers where
    /// their addresses are known before they start.
    pub fn for_deployment(self, config: &interlink_runtime::Config) -> Self {
        let mut data = self;
        if let Some(url) = config.documents.known_url(config) {
            data = data.with_documents(&url);
        }
        if let Some(url) = config.surveys.known_url(config) {
            data = data.with_surveys(&url);
        }
        data
    }

    /// Points the seed's first-party entries at this deployment's documents
    /// interlinker, reached at `url`: the collaborative editor is it, and
    /// the knowledge interlinkers it edits clone their genesis documents,
    /// which it holds under [`interlink_runtime::api::genesis_asset_id`].
    pub fn with_documents(self, url: &str) -> Self {
        self.with_first_party("collaborative-editor", url)
    }

    /// Points the seed's survey builder at this deployment's surveys
    /// interlinker, reached at `url`, and the survey template at the
    /// genesis surveys it holds.
    pub fn with_surveys(self, url: &str) -> Self {
        self.with_first_party("survey-builder", url)
    }

    /// Points the software interlinker `software` of the seed at `url`,
    /// and the knowledge interlinkers it edits at their genesis assets
    /// there.
    fn with_first_party(mut self, software: &str, url: &str) -> Self {
        let software_id = interlinker_id(software);
        let url = url.trim_end_matches('/');
        for (key, _, fields) in &mut self.interlinkers {
            match &mut fields.details {
                Some(Details::Software { endpoint_uri, .. }) if key == software => {
                    *endpoint_uri = url.to_owned();
                }
                Some(Details::Knowledge {
                    software_interlinker,
                    genesis_assets,
                }) if *software_interlinker == software_id => {
                    for (language, uri) in genesis_assets.iter_mut() {
                        *uri = format!(
                            "{url}/assets/{}",
                            interlink_runtime::api::genesis_asset_id(key, language)
                        );
                    }
                }
                _ => {}
            }
        }
        self
    }

    fn check(&self) -> anyhow::Result<()> {
        let codes = self.profiles.iter().map(|p| p.code.clone()).collect();
        let mut problems = Vec::new();
        for p in &self.profiles {
            if !profile::is_code(&p.code) {
                problems.push(format!("profile {}: bad code", p.code));
            }
            for v in profile::check(&format!("profile {}", p.code), p) {
                problems.push(format!("{}: {}", v.field, v.reason));
            }
        }
        for s in &self.schemas {
            if let Err(violations) = schema::validate(&s.items, &codes) {
                for v in violations {
                    problems.push(format!("schema {}: {}: {}", s.id, v.field, v.reason));
                }
            }
        }
        let known = Known {
            problem_profiles: &codes,
        };
        for (key, nature, fields) in &self.interlinkers {
            for v in interlinker::check(key, *nature, fields, known, true) {
                problems.push(format!("{}: {}", v.field, v.reason));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(anyhow::anyhow!(
                "the seed breaks the catalogue's rules: {}",
                problems.join("; ")
            ))
        }
    }

    /// How many entries the seed holds (profiles + schemas + interlinkers).
    pub fn len(&self) -> usize {
        self.profiles.len() + self.schemas.len() + self.interlinkers.len()
    }

    /// Whether the seed is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds what is missing to `db` in one transaction, with the events of
    /// what it publishes; `progress` hears of each entry written or kept.
    pub async fn apply(
        &self,
        db: &DatabaseConnection,
        outbox: &Outbox,
        mut progress: impl FnMut(usize),
    ) -> Result<SeedReport, DbErr> {
        let mut report = SeedReport::default();
        let mut events = Vec::new();
        let now = now_ms();
        let txn = begin_write(db).await?;
        // Taken first: seeds started together (replicas) run one after
        // the other, and the second finds everything there.
        let mut revision = store::next_revision(&txn).await?;
        let mut done = 0;
        for p in &self.profiles {
            let row = ProfileRow {
                profile: p.clone(),
                created_at: now,
                updated_at: now,
            };
            if store::insert_profile(&txn, &row).await? {
                report.profiles += 1;
            }
            done += 1;
            progress(done);
        }
        for s in &self.schemas {
            let row = SchemaRow {
                id: s.id.clone(),
                title: s.title.clone(),
                description: s.description.clone(),
                items: s.items.clone(),
                latest_version: 1,
                draft_changed: false,
                created_at: now,
                updated_at: now,
                shared: false,
                origin: None,
                withdrawn: false,
                adopted_from: None,
            };
            if store::insert_schema(&txn, &row).await? {
                let version = VersionRow {
                    schema_id: s.id.clone(),
                    version: 1,
                    title: s.title.clone(),
                    description: s.description.clone(),
                    items: s.items.clone(),
                    publisher: SERVICE.to_owned(),
                    published_at: now,
                    origin: None,
                };
                store::insert_version(&txn, &version).await?;
                events.push(outbox.envelope(NewEvent {
                    event_type: SCHEMA_VERSION_PUBLISHED,
                    actor: service_actor(SERVICE),
                    organization_id: "",
                    aggregate_id: &s.id,
                    aggregate_version: 1,
                    payload: &pb::SchemaVersionPublished {
                        shared: false,
                        version: Some(version_to(&version)),
                    },
                })?);
                report.schemas += 1;
            }
            done += 1;
            progress(done);
        }
        for (key, nature, fields) in &self.interlinkers {
            let id = interlinker_id(key);
            if store::interlinker(&txn, &id).await?.is_none() {
                revision += 1;
                let row = InterlinkerRow {
                    id,
                    nature: *nature,
                    state: State::Published,
                    owner: SERVICE.to_owned(),
                    fields: fields.clone(),
                    rating_sum: 0,
                    rating_count: 0,
                    adoption_count: 0,
                    revision,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                    published_at: Some(now),
                };
                store::insert_interlinker(&txn, &row).await?;
                events.push(outbox.envelope(NewEvent {
                    event_type: INTERLINKER_PUBLISHED,
                    actor: service_actor(SERVICE),
                    organization_id: "",
                    aggregate_id: &row.id,
                    aggregate_version: 1,
                    payload: &pb::InterlinkerPublished {
                        interlinker: Some(interlinker_to(&row)),
                    },
                })?);
                report.interlinkers += 1;
            }
            done += 1;
            progress(done);
        }
        // One revision per interlinker added: move the counter past them.
        store::set_revision(&txn, revision).await?;
        outbox.append(&txn, &events).await?;
        outbox.commit(txn).await?;
        Ok(report)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedProfile {
    code: String,
    family: String,
    title: Text,
    description: Text,
}

/// Whether the catalogue in `db` holds nothing yet (no profile, schema or
/// interlinker).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    Ok(store::profile_codes(db).await?.is_empty()
        && store::list_schemas(db, None, false, 1).await?.is_empty()
        && store::current_revision(db).await? == 0)
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    #[test]
    fn the_seed_meets_every_rule_and_covers_what_the_platform_promises() {
        let seed = SeedData::load().expect("seed loads and passes the rules");
        assert_eq!(seed.profiles.len(), 45);
        let families: BTreeSet<&str> = seed.profiles.iter().map(|p| p.family.as_str()).collect();
        assert_eq!(families.len(), 7, "{families:?}");
        let schemas: Vec<&str> = seed.schemas.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            schemas,
            [
                "default",
                "hackathon",
                "service-description-enhancement",
                "solution-co-refinement"
            ]
        );
        // default: Engage → Design → Build → Sustain, each after the last.
        let default = &seed.schemas[0];
        let phases: Vec<(&str, &[String])> = default
            .items
            .iter()
            .filter(|i| i.kind == schema::ItemKind::Phase)
            .map(|i| (i.key.as_str(), i.prerequisites.as_slice()))
            .collect();
        assert_eq!(
            phases,
            [
                ("engage", &[][..]),
                ("design", &["engage".to_owned()][..]),
                ("build", &["design".to_owned()][..]),
                ("sustain", &["build".to_owned()][..]),
            ]
        );
        assert!(seed.interlinkers.len() >= 60);
        let mut natures: BTreeMap<Nature, usize> = BTreeMap::new();
        for (_, nature, fields) in &seed.interlinkers {
            *natures.entry(*nature).or_default() += 1;
            for language in ["en", "es", "it", "lv"] {
                assert!(fields.title.contains_key(language), "{:?}", fields.title);
            }
        }
        assert_eq!(natures.len(), 4, "{natures:?}");
    }
}
