//! Genesis documents the catalogue keeps: a mirrored knowledge
//! interlinker's genesis assets, one file per language, as its origin
//! deployment shared them (signed, checked by the federation service), and
//! an adopted copy's (copied with it). Served one at a time with their
//! bytes (GetGenesisDocument); an interlinker lists them without.

use interlink_proto::catalogue::v1 as pb;
use interlink_runtime::api::now_ms;
use interlink_runtime::db::statement;
use sea_orm::{ConnectionTrait, DbErr, QueryResult};

/// The name of `interlinker`'s (its id's) document in `language`.
pub fn document_name(interlinker: &str, language: &str) -> String {
    format!("interlinkers/{interlinker}/genesisDocuments/{language}")
}

fn document_of(row: &QueryResult, with_content: bool) -> Result<pb::GenesisDocument, DbErr> {
    let interlinker: String = row.try_get("", "interlinker_id")?;
    let language: String = row.try_get("", "language")?;
    Ok(pb::GenesisDocument {
        name: document_name(&interlinker, &language),
        language,
        media_type: row.try_get("", "media_type")?,
        file_name: row.try_get("", "file_name")?,
        size: row.try_get("", "size")?,
        sha256: row.try_get("", "sha256")?,
        content: if with_content {
            row.try_get("", "content")?
        } else {
            Vec::new()
        },
    })
}

/// Keeps `document` as `interlinker`'s in its language (replacing one).
pub async fn put(
    txn: &impl ConnectionTrait,
    interlinker: &str,
    document: &pb::GenesisDocument,
) -> Result<(), DbErr> {
    remove(txn, interlinker, &document.language).await?;
    txn.execute_raw(statement(
        txn,
        "INSERT INTO genesis_documents (interlinker_id, language, media_type, file_name, size, \
         sha256, content, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        [
            interlinker.into(),
            document.language.clone().into(),
            document.media_type.clone().into(),
            document.file_name.clone().into(),
            document.size.into(),
            document.sha256.clone().into(),
            document.content.clone().into(),
            now_ms().into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Drops `interlinker`'s document in `language`, if any.
pub async fn remove(
    txn: &impl ConnectionTrait,
    interlinker: &str,
    language: &str,
) -> Result<(), DbErr> {
    txn.execute_raw(statement(
        txn,
        "DELETE FROM genesis_documents WHERE interlinker_id = $1 AND language = $2",
        [interlinker.into(), language.into()],
    ))
    .await?;
    Ok(())
}

/// `interlinker`'s documents, by language, without their bytes.
pub async fn list(
    db: &impl ConnectionTrait,
    interlinker: &str,
) -> Result<Vec<pb::GenesisDocument>, DbErr> {
    db.query_all_raw(statement(
        db,
        "SELECT interlinker_id, language, media_type, file_name, size, sha256 \
         FROM genesis_documents WHERE interlinker_id = $1 ORDER BY language",
        [interlinker.into()],
    ))
    .await?
    .iter()
    .map(|row| document_of(row, false))
    .collect()
}

/// `interlinker`'s document in `language`, with its bytes.
pub async fn get(
    db: &impl ConnectionTrait,
    interlinker: &str,
    language: &str,
) -> Result<Option<pb::GenesisDocument>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT interlinker_id, language, media_type, file_name, size, sha256, content \
         FROM genesis_documents WHERE interlinker_id = $1 AND language = $2",
        [interlinker.into(), language.into()],
    ))
    .await?
    .as_ref()
    .map(|row| document_of(row, true))
    .transpose()
}

/// Gives `to` a copy of each of `from`'s documents.
pub async fn copy(txn: &impl ConnectionTrait, from: &str, to: &str) -> Result<(), DbErr> {
    txn.execute_raw(statement(
        txn,
        "INSERT INTO genesis_documents (interlinker_id, language, media_type, file_name, size, \
         sha256, content, updated_at) SELECT $2, language, media_type, file_name, size, sha256, \
         content, $3 FROM genesis_documents WHERE interlinker_id = $1",
        [from.into(), to.into(), now_ms().into()],
    ))
    .await?;
    Ok(())
}
