//! What the configuration declares, applied as the federation role starts
//! (the role itself, hosted as `interlink serve federation` hosts it) on
//! PostgreSQL + NATS and on SQLite + the embedded bus: the key of
//! `federation.signing_key_file` is the current key with the file's
//! thumbprint, also on a new database, and a restart with another file
//! rotates to it with an endorsement the keys document shows (after a
//! rotation through the API, the configured key is current again); the
//! peers
//! of `federation.peers` are trusted at start and updated at a restart
//! where their pinned keys or name changed (paused, cursor untouched),
//! while a peer added through the API is left alone; a key file that
//! does not read or is not a P-256 key, and a declared peer the API's
//! rules refuse, stop the start with an error naming the setting before
//! anything is done.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use interlink_federation::keys::{
    self, ENDORSEMENT_TYPE, Endorsement, ListedKey, PublicKey, SigningKey,
};
use interlink_federation::{FederationRole, Migrator};
use interlink_proto::federation::v1 as pb;
use interlink_proto::federation::v1::federation_service_client::FederationServiceClient;
use interlink_runtime::Config;
use interlink_runtime::auth::{DevSigner, DevTokenRequest};
use interlink_runtime::config::PeerConfig;
use interlink_runtime::grpc::{ServeOptions, serve};
use interlink_runtime::host::Host;
use interlink_runtime::on_both_backends;
use interlink_runtime::testing::{Backend, TestEnv, with_token};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

const ISSUER: &str = "https://interlink.zaragoza.example";
const VARAM_FEED: &str = "https://interlink.varam.invalid/v1/federation/feed";
const MEF_FEED: &str = "https://interlink.mef.invalid/v1/federation/feed";

/// The federation role started on `env` with a configuration of its own,
/// served over gRPC on 127.0.0.1:0.
struct Started {
    host: Host,
    channel: Channel,
    signer: DevSigner,
    stop: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Started {
    /// Starts the role on `env`'s database and bus as `tune` configures
    /// it; the role's error if it refuses to start.
    async fn start(env: &TestEnv, tune: impl FnOnce(&mut Config)) -> anyhow::Result<Self> {
        let mut config = env.config.clone();
        config.federation.public_url = ISSUER.into();
        tune(&mut config);
        let dir = tempfile::tempdir()?;
        let signer = DevSigner::load_or_create(dir.path())?;
        let authenticator = Arc::new(signer.authenticator(&config.auth));
        let stop = CancellationToken::new();
        let host = Host::new(
            env.bus.clone(),
            config.clone(),
            Arc::clone(&authenticator),
            stop.clone(),
        );
        let mut routes = tonic::service::RoutesBuilder::default();
        let services = match host
            .start(&FederationRole, Some(env.db.clone()), &mut routes)
            .await
        {
            Ok(services) => services,
            Err(e) => {
                host.drain().await;
                return Err(e);
            }
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let options = ServeOptions {
            config: config.grpc.clone(),
            authenticator,
            health_services: services,
            extra_descriptor_sets: Vec::new(),
            idempotency: host.idempotency.clone(),
        };
        tokio::spawn({
            let stop = stop.clone();
            async move { serve(listener, routes, options, stop).await }
        });
        let channel = Channel::from_shared(url)?.connect().await?;
        Ok(Self {
            host,
            channel,
            signer,
            stop,
            _dir: dir,
        })
    }

    fn client(&self) -> FederationServiceClient<Channel> {
        FederationServiceClient::new(self.channel.clone())
    }

    /// `message` as a platform administrator's.
    fn admin<T>(&self, message: T) -> tonic::Request<T> {
        let token = self
            .signer
            .mint(
                &DevTokenRequest {
                    subject: "pa-admin".into(),
                    name: Some("PA admin".into()),
                    email: None,
                    admin: true,
                    ttl: std::time::Duration::from_secs(600),
                },
                &self.host.config.auth.audience,
                &self.host.config.auth.admin_claim,
            )
            .expect("token");
        with_token(message, &token)
    }

    async fn keys(&self) -> pb::FederationKeys {
        self.client()
            .get_federation_keys(pb::GetFederationKeysRequest {})
            .await
            .expect("keys")
            .into_inner()
    }

    /// Every peer, by feed URL.
    async fn peers(&self) -> BTreeMap<String, pb::Peer> {
        self.client()
            .list_peers(self.admin(pb::ListPeersRequest {}))
            .await
            .expect("peers")
            .into_inner()
            .peers
            .into_iter()
            .map(|p| (p.feed_url.clone(), p))
            .collect()
    }

    /// Stops serving and the role's background work.
    async fn stop(self) {
        self.stop.cancel();
        self.host.drain().await;
    }
}

/// A new P-256 key, written to `dir/name` as PKCS#8 PEM.
fn key_file(dir: &Path, name: &str) -> (SigningKey, PathBuf) {
    let key = SigningKey::generate().expect("key");
    let path = dir.join(name);
    std::fs::write(&path, key.pem()).expect("write key");
    (key, path)
}

fn with_key_file(path: &Path) -> impl FnOnce(&mut Config) {
    let path = path.display().to_string();
    move |config: &mut Config| config.federation.signing_key_file = path
}

fn listed(keys: &pb::FederationKeys) -> Vec<ListedKey> {
    keys.keys
        .iter()
        .map(|k| ListedKey {
            kid: k.kid.clone(),
            public: PublicKey {
                x: k.x.clone(),
                y: k.y.clone(),
            },
            endorsement: k.endorsement.clone(),
        })
        .collect()
}

async fn a_key_file_is_the_current_key_and_another_rotates_to_it(backend: Backend) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let dir = tempfile::tempdir().expect("dir");
    let (first, first_file) = key_file(dir.path(), "first.pem");
    let (second, second_file) = key_file(dir.path(), "second.pem");

    // The file's key is the first key: its thumbprint, no endorsement.
    let started = Started::start(&env, with_key_file(&first_file))
        .await
        .expect("start");
    let document = started.keys().await;
    assert_eq!(document.issuer, ISSUER);
    let [key] = document.keys.as_slice() else {
        panic!("one key: {document:?}");
    };
    assert_eq!(key.kid, first.kid());
    let public = PublicKey {
        x: key.x.clone(),
        y: key.y.clone(),
    };
    assert_eq!(
        public.thumbprint(),
        first.kid(),
        "the kid is its thumbprint"
    );
    assert!(key.endorsement.is_empty());
    started.stop().await;

    // A restart with the same file changes nothing.
    let started = Started::start(&env, with_key_file(&first_file))
        .await
        .expect("restart");
    assert_eq!(started.keys().await, document);
    started.stop().await;

    // Another file: the new key is current, endorsed by the one it
    // retired, which stays listed; a peer pinning the first follows.
    let started = Started::start(&env, with_key_file(&second_file))
        .await
        .expect("restart with another key");
    let document = started.keys().await;
    let kids: Vec<&str> = document.keys.iter().map(|k| k.kid.as_str()).collect();
    assert_eq!(kids, [second.kid(), first.kid()], "current first");
    assert!(document.keys[0].retire_time.is_none());
    assert!(document.keys[1].retire_time.is_some());
    let endorsed: Endorsement = keys::verify(
        &document.keys[0].endorsement,
        ENDORSEMENT_TYPE,
        first.public(),
    )
    .expect("endorsed by the retired key");
    assert_eq!(endorsed.kid, second.kid());
    assert_eq!(endorsed.iss, ISSUER);
    let trusted = keys::trusted_keys(&[first.kid().to_owned()], &listed(&document));
    assert!(trusted.contains_key(second.kid()), "{trusted:?}");

    // While the key is the file's, the API does not rotate it.
    let status = started
        .client()
        .rotate_federation_key(started.admin(pb::RotateFederationKeyRequest {}))
        .await
        .expect_err("the file's key");
    assert_eq!(status.code(), tonic::Code::FailedPrecondition);
    assert!(status.message().contains("signing_key_file"), "{status:?}");
    started.stop().await;

    // Rotated through the API while started without the file, the
    // configured key is current again at the next start with it (with the
    // endorsement it had), the API's retired; every key still follows
    // from the first.
    let started = Started::start(&env, |_| {})
        .await
        .expect("restart without the file");
    let rotated = started
        .client()
        .rotate_federation_key(started.admin(pb::RotateFederationKeyRequest {}))
        .await
        .expect("rotate")
        .into_inner();
    started.stop().await;
    let started = Started::start(&env, with_key_file(&second_file))
        .await
        .expect("restart after a rotation");
    let reinstated = started.keys().await;
    assert_eq!(reinstated.keys[0].kid, second.kid());
    assert!(reinstated.keys[0].retire_time.is_none());
    assert_eq!(reinstated.keys[0].endorsement, document.keys[0].endorsement);
    let retired: Vec<&str> = reinstated.keys[1..]
        .iter()
        .map(|k| k.kid.as_str())
        .collect();
    assert_eq!(retired.len(), 2);
    assert!(retired.contains(&rotated.kid.as_str()) && retired.contains(&first.kid()));
    assert!(reinstated.keys[1..].iter().all(|k| k.retire_time.is_some()));
    let trusted = keys::trusted_keys(&[first.kid().to_owned()], &listed(&reinstated));
    assert_eq!(trusted.len(), 3, "{trusted:?}");
    let document = reinstated;
    started.stop().await;

    // No file: the deployment keeps its current key.
    let started = Started::start(&env, |_| {}).await.expect("restart");
    assert_eq!(started.keys().await, document);
    started.stop().await;
    env.cleanup().await;

    // Its database lost, the deployment starts with the same key id.
    let fresh = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let started = Started::start(&fresh, with_key_file(&second_file))
        .await
        .expect("start on a new database");
    let kids: Vec<String> = started
        .keys()
        .await
        .keys
        .into_iter()
        .map(|k| k.kid)
        .collect();
    assert_eq!(kids, [second.kid()]);
    started.stop().await;
    fresh.cleanup().await;
}

fn declared(peers: &[(&str, &str, &[&str], &str)]) -> BTreeMap<String, PeerConfig> {
    peers
        .iter()
        .map(|(label, feed_url, pinned, name)| {
            (
                (*label).to_owned(),
                PeerConfig {
                    feed_url: (*feed_url).to_owned(),
                    pinned_keys: pinned.iter().map(|k| (*k).to_owned()).collect(),
                    display_name: (*name).to_owned(),
                },
            )
        })
        .collect()
}

fn kid() -> String {
    SigningKey::generate().expect("key").kid().to_owned()
}

/// What a restart must not change of a peer (its read, retried in the
/// background, may say more of how it stands).
fn settled(peer: &pb::Peer) -> (String, String, Vec<String>, bool, String) {
    (
        peer.name.clone(),
        peer.display_name.clone(),
        peer.pinned_keys.clone(),
        peer.paused,
        format!("{:?} {:?}", peer.create_time, peer.update_time),
    )
}

async fn declared_peers_are_trusted_then_updated_and_others_left_alone(backend: Backend) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let (k1, k2, k3) = (kid(), kid(), kid());

    // Declared: trusted at start, read from the beginning.
    let first = declared(&[("varam", VARAM_FEED, &[&k1], "VARAM")]);
    let started = Started::start(&env, |c| c.federation.peers = first.clone())
        .await
        .expect("start");
    let peers = started.peers().await;
    assert_eq!(peers.len(), 1, "{peers:?}");
    let varam = peers[VARAM_FEED].clone();
    assert_eq!(varam.pinned_keys, std::slice::from_ref(&k1));
    assert_eq!(varam.display_name, "VARAM");
    assert!(!varam.paused);
    assert_eq!(varam.cursor, "");

    // A peer added through the API, and the declared one paused there.
    let by_hand = started
        .client()
        .create_peer(started.admin(pb::CreatePeerRequest {
            peer: Some(pb::Peer {
                feed_url: MEF_FEED.into(),
                pinned_keys: vec![k2.clone()],
                display_name: "MEF, by hand".into(),
                ..Default::default()
            }),
        }))
        .await
        .expect("create by hand")
        .into_inner();
    started
        .client()
        .update_peer(started.admin(pb::UpdatePeerRequest {
            peer: Some(pb::Peer {
                name: varam.name.clone(),
                paused: true,
                ..Default::default()
            }),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["paused".into()],
            }),
        }))
        .await
        .expect("pause");
    let before = started.peers().await;
    started.stop().await;

    // The same declaration: nothing changes.
    let started = Started::start(&env, |c| c.federation.peers = first.clone())
        .await
        .expect("restart");
    let again = started.peers().await;
    assert_eq!(
        again.values().map(settled).collect::<Vec<_>>(),
        before.values().map(settled).collect::<Vec<_>>()
    );
    started.stop().await;

    // Another key pinned and another name: the declared peer takes them
    // (the same peer, still paused, its cursor kept); the API's is as it
    // was.
    let second = declared(&[("varam", VARAM_FEED, &[&k1, &k3], "VARAM, Latvia")]);
    let started = Started::start(&env, |c| c.federation.peers = second)
        .await
        .expect("restart with changes");
    let peers = started.peers().await;
    assert_eq!(peers.len(), 2, "{peers:?}");
    let updated = &peers[VARAM_FEED];
    assert_eq!(updated.name, varam.name);
    assert_eq!(updated.pinned_keys, [k1.clone(), k3.clone()]);
    assert_eq!(updated.display_name, "VARAM, Latvia");
    assert!(updated.paused, "paused stays as the API left it");
    assert_eq!(updated.cursor, before[VARAM_FEED].cursor);
    assert_eq!(updated.create_time, varam.create_time);
    assert_ne!(updated.update_time, before[VARAM_FEED].update_time);
    assert_eq!(settled(&peers[MEF_FEED]), settled(&before[MEF_FEED]));
    assert_eq!(peers[MEF_FEED].name, by_hand.name);
    started.stop().await;

    // Declaring the API's peer takes it over by its feed URL; a peer no
    // longer declared stays.
    let third = declared(&[("mef", MEF_FEED, &[&k2], "MEF")]);
    let started = Started::start(&env, |c| c.federation.peers = third)
        .await
        .expect("restart declaring the other");
    let peers = started.peers().await;
    assert_eq!(peers.len(), 2, "{peers:?}");
    assert_eq!(peers[MEF_FEED].name, by_hand.name);
    assert_eq!(peers[MEF_FEED].display_name, "MEF");
    assert_eq!(settled(&peers[VARAM_FEED]), settled(updated));
    started.stop().await;
    env.cleanup().await;
}

async fn a_bad_key_file_or_declared_peer_refuses_start(backend: Backend) {
    let env = TestEnv::new::<Migrator>(backend, |_| {}).await;
    let dir = tempfile::tempdir().expect("dir");
    let missing = dir.path().join("missing.pem");
    let not_a_key = dir.path().join("not-a-key.pem");
    std::fs::write(
        &not_a_key,
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    // A P-256 key, but SEC1 (`openssl ecparam -genkey`), not PKCS#8.
    let sec1 = dir.path().join("sec1.pem");
    {
        use p256::pkcs8::DecodePrivateKey;
        let key = SigningKey::generate().expect("key");
        let secret = p256::SecretKey::from_pkcs8_pem(key.pem()).expect("pkcs8");
        let pem = secret
            .to_sec1_pem(p256::pkcs8::LineEnding::LF)
            .expect("sec1");
        std::fs::write(&sec1, pem.as_bytes()).expect("write");
    }
    for (path, says) in [
        (&missing, "cannot read"),
        (&not_a_key, "P-256"),
        (&sec1, "P-256"),
    ] {
        let Err(e) = Started::start(&env, with_key_file(path)).await else {
            panic!("{} was taken", path.display());
        };
        let message = format!("{e:#}");
        assert!(
            message.contains("`federation.signing_key_file`") && message.contains(says),
            "{message}"
        );
    }

    let good = kid();
    let http = "http://interlink.varam.invalid/v1/federation/feed";
    let eleven: Vec<String> = (0..11).map(|_| kid()).collect();
    let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
    for (peers, key) in [
        (
            declared(&[("varam", http, &[&good], "")]),
            "federation.peers.varam.feed_url",
        ),
        (
            declared(&[("varam", "", &[&good], "")]),
            "federation.peers.varam.feed_url",
        ),
        (
            declared(&[("varam", VARAM_FEED, &[], "")]),
            "federation.peers.varam.pinned_keys",
        ),
        (
            declared(&[("varam", VARAM_FEED, &[&good, "kid-1"], "")]),
            "federation.peers.varam.pinned_keys[1]",
        ),
        (
            declared(&[("varam", VARAM_FEED, &eleven, "")]),
            "federation.peers.varam.pinned_keys",
        ),
        (
            declared(&[("varam", VARAM_FEED, &[&good], "two\nlines")]),
            "federation.peers.varam.display_name",
        ),
        (
            declared(&[
                ("lv", VARAM_FEED, &[&good], ""),
                ("varam", VARAM_FEED, &[&good], ""),
            ]),
            "federation.peers.varam.feed_url",
        ),
    ] {
        let Err(e) = Started::start(&env, |c| c.federation.peers = peers.clone()).await else {
            panic!("{peers:?} was taken");
        };
        let message = format!("{e:#}");
        assert!(message.contains(&format!("`{key}`")), "{key}: {message}");
    }
    // The loader refuses them too, before any role starts.
    let err = Config::load_from(
        None,
        [
            ("INTERLINK__FEDERATION__PEERS__VARAM__FEED_URL", http),
            ("INTERLINK__FEDERATION__PEERS__VARAM__PINNED_KEYS", &good),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    )
    .expect_err("http:// refused");
    assert!(
        err.to_string()
            .contains("`federation.peers.varam.feed_url`: must be an https:// URL"),
        "{err}"
    );

    // Refused before anything was done: no key made, no peer trusted.
    let keys = interlink_federation::store::keys(&env.db)
        .await
        .expect("keys");
    assert!(keys.is_empty(), "{keys:?}");
    let peers = interlink_federation::peers::list(&env.db)
        .await
        .expect("peers");
    assert!(peers.is_empty(), "{peers:?}");

    // Fixed, it starts.
    let started = Started::start(&env, |c| {
        c.federation.peers = declared(&[("varam", VARAM_FEED, &[&good], "")]);
    })
    .await
    .expect("start");
    assert_eq!(started.peers().await.len(), 1);
    started.stop().await;
    env.cleanup().await;
}

on_both_backends!(
    a_key_file_is_the_current_key_and_another_rotates_to_it,
    declared_peers_are_trusted_then_updated_and_others_left_alone,
    a_bad_key_file_or_declared_peer_refuses_start,
);
