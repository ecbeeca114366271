//! Assets made on software interlinkers: the durable calls that make
//! (`POST /assets`, a genesis asset's `POST …/clone`) and delete them
//! (`DELETE /assets/{id}`) per the interlinker contract, written with the
//! change that needs them, and what their answers change.

use std::sync::Arc;
use std::time::Duration;

use interlink_runtime::Config;
use interlink_runtime::jobs::{self, Job, JobHandler, NewJob, TokenSource};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr};

use crate::store::{self, AssetRow, RemoteAsset};

/// Makes an asset on its interlinker (`POST /assets`).
pub const CREATE: &str = "interlinker.create";
/// Clones a genesis asset for an asset (`POST /assets/{id}/clone`).
pub const CLONE: &str = "interlinker.clone";
/// Deletes an asset on its interlinker (`DELETE /assets/{id}`).
pub const DELETE: &str = "interlinker.delete";

/// How long a token minted for one call lives.
pub(crate) const TOKEN_TTL: Duration = Duration::from_secs(300);

/// What signs the platform's tokens for interlinkers
/// ([`interlink_runtime::auth::interlinker_signer`]). `None` in a
/// deployment with an external issuer and no key of its own: then no asset
/// is made on an interlinker (assets stay references to the catalogue).
pub fn tokens(config: &Config) -> anyhow::Result<Option<TokenSource>> {
    let Some(signer) = interlink_runtime::auth::interlinker_signer(config)? else {
        return Ok(None);
    };
    Ok(Some(jobs::signed_by(
        Arc::new(signer),
        config.auth.admin_claim.clone(),
        TOKEN_TTL,
    )))
}

/// The remote part of a new asset of the software interlinker at
/// `endpoint` with `capabilities`, when the platform can make it there.
pub fn planned(endpoint: &str, capabilities: &[String], needs: &str) -> Option<RemoteAsset> {
    (!endpoint.is_empty() && capabilities.iter().any(|c| c == needs)).then(|| RemoteAsset {
        external_id: String::new(),
        endpoint: endpoint.to_owned(),
        capabilities: capabilities.to_vec(),
        preparation: "preparing".into(),
        error: String::new(),
    })
}

/// The call that makes `asset` from the genesis asset at `genesis`
/// (`{endpoint}/assets/{id}`), for `subject`; the asset's id is the key, so
/// however often it is sent, one copy is made.
pub fn clone_call(asset: &AssetRow, genesis: &str, subject: &str) -> NewJob {
    NewJob {
        kind: CLONE.into(),
        reference: asset.id.clone(),
        method: "POST".into(),
        url: format!("{}/clone", genesis.trim_end_matches('/')),
        body: Some(serde_json::json!({ "name": asset.display_name }).to_string()),
        idempotency_key: asset.id.clone(),
        subject: subject.to_owned(),
        audience: asset.remote.endpoint.clone(),
    }
}

/// The call that makes `asset` anew on its interlinker, in `language`.
pub fn create_call(asset: &AssetRow, language: &str, subject: &str) -> NewJob {
    NewJob {
        kind: CREATE.into(),
        reference: asset.id.clone(),
        method: "POST".into(),
        url: format!("{}/assets", asset.remote.endpoint),
        body: Some(
            serde_json::json!({ "name": asset.display_name, "language": language }).to_string(),
        ),
        idempotency_key: asset.id.clone(),
        subject: subject.to_owned(),
        audience: asset.remote.endpoint.clone(),
    }
}

/// How `copy`, the copy of `source` in a cloned process, is made on the
/// source's interlinker: the source's own asset cloned there when it was
/// made and can be cloned (so the copy holds the work done so far); else
/// made as the source was to be (its genesis cloned, or a new asset in
/// `language`). `None` when the source has nothing there.
pub fn copy_call(
    source: &AssetRow,
    copy: &AssetRow,
    language: &str,
    subject: &str,
) -> Option<(RemoteAsset, NewJob)> {
    let made = &source.remote;
    if made.endpoint.is_empty() {
        return None;
    }
    let mut copy = copy.clone();
    if made.preparation == "ready" && !made.external_id.is_empty() {
        copy.remote = planned(&made.endpoint, &made.capabilities, "clone")?;
        let original = format!("{}/assets/{}", made.endpoint, made.external_id);
        let call = clone_call(&copy, &original, subject);
        return Some((copy.remote, call));
    }
    let genesis = &source.genesis_asset_uri;
    if !genesis.is_empty() && genesis.starts_with(&format!("{}/assets/", made.endpoint)) {
        copy.remote = planned(&made.endpoint, &made.capabilities, "clone")?;
        let call = clone_call(&copy, genesis, subject);
        return Some((copy.remote, call));
    }
    copy.remote = planned(&made.endpoint, &made.capabilities, "instantiate")?;
    let call = create_call(&copy, language, subject);
    Some((copy.remote, call))
}

/// The call that deletes the remote asset `external_id` at `endpoint`.
fn delete_call(reference: &str, endpoint: &str, external_id: &str, subject: &str) -> NewJob {
    NewJob {
        kind: DELETE.into(),
        reference: reference.to_owned(),
        method: "DELETE".into(),
        url: format!("{endpoint}/assets/{external_id}"),
        body: None,
        idempotency_key: format!("delete-{external_id}"),
        subject: subject.to_owned(),
        audience: endpoint.to_owned(),
    }
}

/// Writes, in `txn`, the call that deletes what `asset` has on its
/// interlinker, if anything and if the interlinker deletes. An asset still
/// being made is deleted there when its making answers.
pub async fn forget(
    txn: &impl ConnectionTrait,
    asset: &AssetRow,
    subject: &str,
) -> Result<(), DbErr> {
    let remote = &asset.remote;
    if !remote.external_id.is_empty() && remote.capabilities.iter().any(|c| c == "delete") {
        jobs::enqueue(
            txn,
            &delete_call(&asset.id, &remote.endpoint, &remote.external_id, subject),
        )
        .await?;
    }
    Ok(())
}

/// What the answers to co-production's calls change.
#[derive(Debug, Default)]
pub struct RemoteAssets;

impl JobHandler for RemoteAssets {
    async fn succeeded(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        _status: u16,
        body: &str,
    ) -> anyhow::Result<()> {
        if job.call.kind != CREATE && job.call.kind != CLONE {
            return Ok(());
        }
        let answer: serde_json::Value = serde_json::from_str(body)
            .map_err(|e| anyhow::anyhow!("the interlinker's answer is no asset: {e}"))?;
        let external_id = answer["id"]
            .as_str()
            .filter(|id| !id.is_empty())
            .ok_or_else(|| anyhow::anyhow!("the interlinker's answer has no `id`"))?;
        let kept = store::set_asset_preparation(txn, &job.call.reference, "ready", external_id, "")
            .await?;
        if !kept {
            // Deleted while it was being made: delete what was made.
            jobs::enqueue(
                txn,
                &delete_call(
                    &job.call.reference,
                    &job.call.audience,
                    external_id,
                    &job.call.subject,
                ),
            )
            .await?;
        }
        Ok(())
    }

    async fn failed(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        reason: &str,
    ) -> anyhow::Result<()> {
        if job.call.kind == CREATE || job.call.kind == CLONE {
            store::set_asset_preparation(txn, &job.call.reference, "failed", "", reason).await?;
        }
        Ok(())
    }
}
