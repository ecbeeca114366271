//! The federation service's durable jobs, on one worker: reading peers
//! (keys and feed pages, [`crate::subscriber`]) and downloading genesis
//! assets ([`crate::genesis`]), each job made and ended by its own kind.

use interlink_runtime::jobs::{Job, JobHandler, Outcome, Transport};
use sea_orm::DatabaseTransaction;

use crate::genesis::{self, GenesisTransport};
use crate::subscriber::{PeerTransport, Subscriber};

/// Ends the service's jobs: a download's by the feed, the rest by the
/// subscription.
#[derive(Debug, Clone)]
pub struct FederationJobs {
    subscriber: Subscriber,
    issuer: String,
}

impl FederationJobs {
    /// The subscription's jobs by `subscriber`; documents published as
    /// `issuer`.
    pub fn new(subscriber: Subscriber, issuer: impl Into<String>) -> Self {
        Self {
            subscriber,
            issuer: issuer.into(),
        }
    }
}

impl JobHandler for FederationJobs {
    async fn succeeded(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        status: u16,
        body: &str,
    ) -> anyhow::Result<()> {
        if job.call.kind == genesis::GENESIS_JOB {
            return genesis::downloaded(txn, &self.issuer, job, body).await;
        }
        self.subscriber.succeeded(txn, job, status, body).await
    }

    async fn failed(
        &self,
        txn: &DatabaseTransaction,
        job: &Job,
        reason: &str,
    ) -> anyhow::Result<()> {
        if job.call.kind == genesis::GENESIS_JOB {
            return genesis::download_failed(txn, job, reason).await;
        }
        self.subscriber.failed(txn, job, reason).await
    }
}

/// Makes the service's calls: downloads with a platform token, peers'
/// reads without.
#[derive(Debug)]
pub struct FederationTransport {
    peers: PeerTransport,
    genesis: GenesisTransport,
}

impl FederationTransport {
    /// Peers read by `peers`, genesis assets downloaded by `genesis`.
    pub fn new(peers: PeerTransport, genesis: GenesisTransport) -> Self {
        Self { peers, genesis }
    }
}

impl Transport for FederationTransport {
    async fn call(&self, job: &Job) -> Outcome {
        if job.call.kind == genesis::GENESIS_JOB {
            self.genesis.call(job).await
        } else {
            self.peers.call(job).await
        }
    }
}
