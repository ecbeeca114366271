//! The genesis surveys this interlinker holds for the catalogue's seed: the
//! templates of the knowledge interlinkers it edits, in the platform's four
//! languages, under the ids the seed links
//! ([`interlink_runtime::api::genesis_asset_id`]).

use std::collections::BTreeMap;

use sea_orm::DatabaseConnection;
use serde::Deserialize;

use crate::domain::{self, QuestionDraft};
use crate::store::{self, NewSurvey, StoreError};

const GENESIS: &str = include_str!("../genesis/surveys.json");

/// A genesis survey as written in `genesis/surveys.json`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Genesis {
    title: String,
    intro: String,
    questions: Vec<QuestionDraft>,
}

/// Every genesis survey, checked: (seed key, language, survey).
pub fn surveys() -> anyhow::Result<Vec<(String, String, NewSurvey)>> {
    let all: BTreeMap<String, BTreeMap<String, Genesis>> = serde_json::from_str(GENESIS)?;
    let mut surveys = Vec::new();
    for (key, languages) in all {
        for (language, genesis) in languages {
            let at = |e: domain::Invalid| anyhow::anyhow!("genesis {key}.{language}: {e}");
            let new = NewSurvey {
                title: domain::title(&genesis.title).map_err(at)?,
                intro: domain::intro(&genesis.intro).map_err(at)?,
                language: domain::language(&language).map_err(at)?,
                // Templates of surveys for the public: anyone may answer a
                // copy unless its builder says otherwise.
                anonymous: true,
                questions: domain::questions(&genesis.questions).map_err(|(_, e)| at(e))?,
            };
            surveys.push((key.clone(), language, new));
        }
    }
    Ok(surveys)
}

/// Adds the genesis surveys that are missing (one deleted or edited since
/// is left as it is); returns how many were added.
pub async fn seed(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let mut added = 0;
    for (key, language, new) in surveys()? {
        let id = interlink_runtime::api::genesis_asset_id(&key, &language);
        if store::get(db, id).await?.is_some() {
            continue;
        }
        match store::create_with_id(db, id, new, "interlink").await {
            Ok(_) => added += 1,
            // Another replica added it meanwhile.
            Err(StoreError::Db(e)) if store::get(db, id).await?.is_some() => {
                tracing::debug!(error = %e, %id, "a genesis survey was added meanwhile")
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_genesis_survey_is_a_valid_questionnaire_in_each_language() {
        let surveys = surveys().expect("valid genesis surveys");
        assert_eq!(surveys.len(), 4);
        let shape = |new: &NewSurvey| {
            new.questions
                .iter()
                .map(|q| (q.kind, q.options.len(), q.scale, q.required))
                .collect::<Vec<_>>()
        };
        let english = shape(&surveys[0].2);
        assert!(english.len() >= 5, "a real template");
        for (key, language, new) in &surveys {
            assert_eq!(key, "survey-template");
            assert_eq!(&new.language, language);
            assert_eq!(shape(new), english, "{language} asks what English asks");
        }
    }
}
