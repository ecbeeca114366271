//! The genesis documents this interlinker holds for the catalogue's seed:
//! the templates of the knowledge interlinkers it edits, in the platform's
//! four languages, under the ids the seed links
//! ([`interlink_runtime::api::genesis_asset_id`]).

use std::collections::BTreeMap;

use sea_orm::DatabaseConnection;

use crate::store::{self, Author, StoreError};

const TITLES: &str = include_str!("../genesis/titles.json");

macro_rules! genesis {
    ($($key:literal),* $(,)?) => {
        &[$(
            ($key, "en", include_str!(concat!("../genesis/", $key, ".en.md"))),
            ($key, "es", include_str!(concat!("../genesis/", $key, ".es.md"))),
            ($key, "it", include_str!(concat!("../genesis/", $key, ".it.md"))),
            ($key, "lv", include_str!(concat!("../genesis/", $key, ".lv.md"))),
        )*]
    };
}

/// Every genesis document: (seed key, language, Markdown body).
pub const DOCUMENTS: &[(&str, &str, &str)] = genesis!(
    "co-production-agreement",
    "data-sharing-agreement",
    "ideation-workshop-guide",
    "persona-template",
    "service-description-template",
    "usability-test-script",
);

/// Adds the genesis documents that are missing (a document deleted or
/// edited since is left as it is); returns how many were added.
pub async fn seed(db: &DatabaseConnection) -> anyhow::Result<usize> {
    let titles: BTreeMap<String, BTreeMap<String, String>> = serde_json::from_str(TITLES)?;
    let author = Author {
        subject: "interlink".into(),
        name: "Interlink".into(),
    };
    let mut added = 0;
    for (key, language, body) in DOCUMENTS {
        let id = interlink_runtime::api::genesis_asset_id(key, language);
        if store::get(db, id).await?.is_some() {
            continue;
        }
        let title = titles
            .get(*key)
            .and_then(|t| t.get(*language))
            .ok_or_else(|| anyhow::anyhow!("genesis {key}: no {language} title"))?;
        match store::create_with_id(
            db,
            id,
            title.clone(),
            (*body).to_owned(),
            (*language).to_owned(),
            &author,
        )
        .await
        {
            Ok(_) => added += 1,
            // Another replica added it meanwhile.
            Err(StoreError::Db(e)) if store::get(db, id).await?.is_some() => {
                tracing::debug!(error = %e, %id, "a genesis document was added meanwhile")
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
    fn every_genesis_document_is_a_titled_markdown_text_of_its_language() {
        let titles: BTreeMap<String, BTreeMap<String, String>> =
            serde_json::from_str(TITLES).expect("titles");
        assert_eq!(DOCUMENTS.len(), 24);
        for (key, language, body) in DOCUMENTS {
            assert!(titles[*key].contains_key(*language), "{key}.{language}");
            crate::domain::title(&titles[*key][*language]).expect("a valid title");
            assert_eq!(
                crate::domain::body(body).as_deref(),
                Ok(*body),
                "{key}.{language}"
            );
            assert!(
                body.lines().count() >= 20,
                "{key}.{language} is a real template"
            );
            assert!(body.contains("\n## "), "{key}.{language} has sections");
            let html = crate::domain::render(body);
            assert!(!html.contains("<script"), "{key}.{language}");
        }
    }
}
