//! Layered configuration: built-in defaults → an optional TOML file →
//! `INTERLINK__SECTION__KEY` environment variables. Unknown keys are errors,
//! and every validation error names the key, so a typo never passes silently.
//!
//! This is the one module of the mesh that reads the environment.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The environment variable prefix; sections and keys are separated by `__`.
pub const ENV_PREFIX: &str = "INTERLINK";

/// A configuration that cannot be used, naming the offending key.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The sources could not be read or merged, or a key is unknown or of the
    /// wrong type (the message from the loader names the key).
    #[error("configuration: {0}")]
    Load(String),
    /// A key has a value outside what the platform accepts.
    #[error("configuration key `{key}`: {reason}")]
    Invalid {
        /// The dotted key, e.g. `nats.url` or
        /// `federation.peers.varam.pinned_keys[0]`.
        key: String,
        /// Why the value is refused.
        reason: String,
    },
}

/// Everything the `interlink` binary and the runtime need to know.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where embedded mode keeps its SQLite files and its dev signing key.
    pub data_dir: PathBuf,
    /// The role's database.
    pub database: DatabaseConfig,
    /// NATS JetStream, for cluster mode.
    pub nats: NatsConfig,
    /// Outbox relay and consumers.
    pub events: EventsConfig,
    /// The gRPC server.
    pub grpc: GrpcConfig,
    /// The HTTP front door.
    pub gateway: GatewayConfig,
    /// Bearer token authentication.
    pub auth: AuthConfig,
    /// Logs, traces and metrics.
    pub telemetry: TelemetryConfig,
    /// The catalogue service.
    pub catalogue: CatalogueConfig,
    /// The documents interlinker.
    pub documents: InterlinkerConfig,
    /// The surveys interlinker.
    pub surveys: InterlinkerConfig,
    /// The notifications service.
    pub notifications: NotificationsConfig,
    /// Sharing with other deployments.
    pub federation: FederationConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("interlink-data"),
            database: DatabaseConfig::default(),
            nats: NatsConfig::default(),
            events: EventsConfig::default(),
            grpc: GrpcConfig::default(),
            gateway: GatewayConfig::default(),
            auth: AuthConfig::default(),
            telemetry: TelemetryConfig::default(),
            catalogue: CatalogueConfig::default(),
            documents: InterlinkerConfig::default_at("127.0.0.1:8091"),
            surveys: InterlinkerConfig::default_at("127.0.0.1:8092"),
            notifications: NotificationsConfig::default(),
            federation: FederationConfig::default(),
        }
    }
}

/// A first-party software interlinker (documents, surveys): its own HTTP
/// server speaking the interlinker contract (`docs/interlinker-contract`),
/// on an origin of its own so its pages cannot act as the platform's.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InterlinkerConfig {
    /// Where its HTTP server listens (port 0: any free port).
    pub listen: SocketAddr,
    /// The address people and the platform reach it at; empty: `http://`
    /// and the address it listens on.
    #[serde(default)]
    pub public_url: String,
    /// The platform's web origin (`https://host[:port]`): the one window its
    /// pages may tell about a new asset and frame them. Empty in embedded
    /// mode: the gateway's own (`http://` and `gateway.listen`).
    #[serde(default)]
    pub platform_origin: String,
    /// The `aud` of the platform's tokens for it; empty: its public URL
    /// (the `endpoint_uri` the catalogue gives it, which the platform puts
    /// in its tokens).
    #[serde(default)]
    pub audience: String,
    /// The `iss` of those tokens; empty with an empty `jwks_url`: the data
    /// directory's dev signer's.
    #[serde(default)]
    pub issuer: String,
    /// Where the platform's keys for those tokens are; empty: the data
    /// directory's dev signer (embedded mode).
    #[serde(default)]
    pub jwks_url: String,
}

impl InterlinkerConfig {
    /// Where this deployment's first-party interlinker is reached, when it
    /// can be told before it starts: `public_url`, else in embedded mode
    /// (`database.url` empty) the address it listens on unless that is
    /// port 0. `None`: the catalogue's seed keeps its placeholders.
    pub fn known_url(&self, config: &Config) -> Option<String> {
        if !self.public_url.is_empty() {
            Some(self.public_url.trim_end_matches('/').to_owned())
        } else if config.database.url.is_empty() && self.listen.port() != 0 {
            Some(format!("http://{}", self.listen))
        } else {
            None
        }
    }

    fn default_at(listen: &str) -> Self {
        Self {
            listen: listen
                .parse()
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 0))),
            public_url: String::new(),
            platform_origin: String::new(),
            audience: String::new(),
            issuer: String::new(),
            jwks_url: String::new(),
        }
    }
}

/// The catalogue service.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CatalogueConfig {
    /// Seed the catalogue (problem profiles, schemas, interlinkers) when it
    /// starts on an empty database.
    pub seed_when_empty: bool,
}

impl Default for CatalogueConfig {
    fn default() -> Self {
        Self {
            seed_when_empty: true,
        }
    }
}

/// The notifications service.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NotificationsConfig {
    /// The SMTP server e-mails go through (`smtp://host:port`,
    /// `smtps://user:password@host`, `smtp://host?tls=required` for
    /// STARTTLS); empty: no e-mail, notifications stay in the inbox.
    pub smtp_url: String,
    /// Who the e-mails are from (`Name <address>`).
    pub mail_from: String,
    /// The web front end's address, for the links in e-mails
    /// (`https://participa.example.org`); empty in embedded mode: the
    /// gateway's own (`http://` and `gateway.listen`).
    pub public_url: String,
    /// The hour of the day (UTC, 0–23) daily digests are sent.
    pub digest_hour_utc: u32,
    /// Whether webhook endpoints may be `http://` URLs (else `https://`
    /// only).
    pub webhook_allow_http: bool,
    /// Whether webhook endpoints may be on loopback, private, link-local
    /// or other non-public addresses (a server-side request forgery guard
    /// when off, checked on every delivery's resolved address).
    pub webhook_allow_private_networks: bool,
    /// How long one delivery attempt may take (ms).
    pub webhook_timeout_ms: u64,
    /// The delay after a delivery's first failed attempt (ms); each next
    /// one doubles, up to an hour.
    pub webhook_retry_initial_ms: u64,
    /// How long a delivery is retried, and an endpoint may fail before it
    /// is disabled (seconds).
    pub webhook_retry_window_secs: u64,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        Self {
            smtp_url: String::new(),
            mail_from: "Interlink <no-reply@localhost>".into(),
            public_url: String::new(),
            digest_hour_utc: 7,
            webhook_allow_http: false,
            webhook_allow_private_networks: false,
            webhook_timeout_ms: 10_000,
            webhook_retry_initial_ms: 5_000,
            webhook_retry_window_secs: 86_400,
        }
    }
}

/// Sharing with other deployments (the federation service).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FederationConfig {
    /// The deployment's public address (`https://participa.zaragoza.es`):
    /// the issuer of its feed entries, which its peers check. Empty in
    /// embedded mode: the gateway's own (`http://` and `gateway.listen`).
    pub public_url: String,
    /// Its name for people on its peers' pages; empty: the web front
    /// end's site name.
    pub display_name: String,
    /// Whether peers' feeds may be read over `http://` (else `https://`
    /// only): for tests and closed networks.
    pub allow_http: bool,
    /// Between reads of a peer's feed read to its end (seconds).
    pub sync_interval_secs: u64,
    /// Entries asked per page of a peer's feed (1–1000).
    pub page_size: u32,
    /// A PKCS#8 PEM file of a P-256 private key: the deployment's signing
    /// key, made its current key at start (the key before it retired and
    /// endorsing it, as a rotation does), so its id is known before the
    /// deployment first starts and survives the loss of its database.
    /// `interlink federation-key-id <file>` prints that id for the peers
    /// to pin. Empty: the service makes its own first key.
    pub signing_key_file: String,
    /// The peers declared here, by a label of the operator's choice
    /// (`[federation.peers.varam]` in TOML,
    /// `INTERLINK__FEDERATION__PEERS__VARAM__FEED_URL` and
    /// `…__PINNED_KEYS=kid1,kid2` in the environment): at each start the
    /// service trusts each one (found by its feed URL), or sets its pinned
    /// keys and name to these. Peers added through the API are left alone.
    pub peers: std::collections::BTreeMap<String, PeerConfig>,
    /// The most bytes of feed pages each replica serves per second (0: no
    /// limit). Peers' reads are replication, not people waiting: paced,
    /// fifty peers reading the whole feed at once leave the deployment's
    /// own API its cores.
    pub feed_bytes_per_second: u64,
}

/// A peer declared in configuration (`federation.peers.<label>`), checked
/// by the rules of the API's `CreatePeer`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PeerConfig {
    /// Its feed's URL (`https://participa.zaragoza.es/v1/federation/feed`;
    /// `http://` only with `federation.allow_http`).
    pub feed_url: String,
    /// The ids of its keys this deployment trusts (RFC 7638 thumbprints,
    /// 1 to 10), as its PA published them; comma-separated in the
    /// environment.
    pub pinned_keys: Vec<String>,
    /// Its name here; empty: the name its keys give.
    pub display_name: String,
}

impl Default for FederationConfig {
    fn default() -> Self {
        Self {
            public_url: String::new(),
            display_name: String::new(),
            allow_http: false,
            sync_interval_secs: 300,
            page_size: 500,
            signing_key_file: String::new(),
            peers: std::collections::BTreeMap::new(),
            feed_bytes_per_second: 32 << 20,
        }
    }
}

impl FederationConfig {
    /// Checks `peers` by the rules of the API's `CreatePeer` (with
    /// `allow_http`), each field named as a key here
    /// (`federation.peers.<label>.pinned_keys[1]`), and that no two read
    /// the same feed. [`Config::validate`] calls it; so does the
    /// federation service before it acts on them.
    pub fn validate_peers(&self) -> Result<(), ConfigError> {
        use crate::validation::{check_feed_url, check_peer_display_name, check_pinned_keys};
        let mut feeds: HashMap<&str, &str> = HashMap::new();
        for (label, peer) in &self.peers {
            let key = format!("federation.peers.{label}");
            let mut out = Vec::new();
            check_feed_url(
                &format!("{key}.feed_url"),
                &peer.feed_url,
                self.allow_http,
                &mut out,
            );
            check_pinned_keys(&format!("{key}.pinned_keys"), &peer.pinned_keys, &mut out);
            check_peer_display_name(&format!("{key}.display_name"), &peer.display_name, &mut out);
            if let Some(violation) = out.into_iter().next() {
                return Err(ConfigError::Invalid {
                    key: violation.field,
                    reason: violation.reason,
                });
            }
            if let Some(other) = feeds.insert(peer.feed_url.trim(), label) {
                return Err(ConfigError::Invalid {
                    key: format!("{key}.feed_url"),
                    reason: format!(
                        "is the feed of federation.peers.{other} too: declare a peer once"
                    ),
                });
            }
        }
        Ok(())
    }
}

/// The database of a role.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// `postgres://…` or `sqlite://…`; empty in embedded mode, where each
    /// service gets `sqlite://<data_dir>/<service>.db`.
    pub url: String,
    /// Upper bound of the pool.
    pub max_connections: u32,
    /// Connections kept open while idle. Opening a PostgreSQL connection
    /// takes tens of milliseconds, so a few stay ready for bursts (and for
    /// the relay and consumers, which would otherwise wait behind them).
    pub min_connections: u32,
    /// How long to wait for a new connection to open.
    pub connect_timeout_ms: u64,
    /// How long a query may wait for a pooled connection.
    pub acquire_timeout_ms: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: String::new(),
            max_connections: 16,
            min_connections: 4,
            connect_timeout_ms: 5_000,
            acquire_timeout_ms: 5_000,
        }
    }
}

impl DatabaseConfig {
    /// [`Self::connect_timeout_ms`] as a duration.
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
    /// [`Self::acquire_timeout_ms`] as a duration.
    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_millis(self.acquire_timeout_ms)
    }
}

/// NATS JetStream.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct NatsConfig {
    /// Server URL(s), comma separated.
    pub url: String,
    /// The JetStream stream that holds every event of the mesh.
    pub stream: String,
    /// The first token of every subject (`<root>.<service>.<aggregate>.<verb>`).
    pub subject_root: String,
    /// The stream's duplicate window: a republished event id inside it is dropped.
    pub duplicate_window_secs: u64,
}

impl Default for NatsConfig {
    fn default() -> Self {
        Self {
            url: "nats://127.0.0.1:4222".into(),
            stream: "INTERLINK".into(),
            subject_root: "interlink".into(),
            duplicate_window_secs: 3_600,
        }
    }
}

/// The outbox relay and the consumers.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct EventsConfig {
    /// Outbox rows published per relay round.
    pub relay_batch: u32,
    /// The relay looks at the outbox at least this often, even without a wake-up.
    pub relay_poll_ms: u64,
    /// Events a consumer applies in one transaction.
    pub consumer_batch: u32,
    /// Deliveries after which a failing event is parked.
    pub max_deliveries: u32,
    /// First retry delay of a failing event; doubles per delivery.
    pub retry_initial_ms: u64,
    /// Longest retry delay.
    pub retry_max_ms: u64,
    /// How long a delivered, unacknowledged event waits before redelivery.
    pub ack_wait_secs: u64,
}

impl Default for EventsConfig {
    fn default() -> Self {
        Self {
            relay_batch: 512,
            relay_poll_ms: 1_000,
            consumer_batch: 256,
            max_deliveries: 5,
            retry_initial_ms: 200,
            retry_max_ms: 30_000,
            ack_wait_secs: 30,
        }
    }
}

impl EventsConfig {
    /// The delay before delivery number `delivered + 1` of a failing event.
    pub fn retry_delay(&self, delivered: u64) -> Duration {
        let exponent = delivered.saturating_sub(1).min(20) as u32;
        let ms = self
            .retry_initial_ms
            .saturating_mul(1u64 << exponent)
            .min(self.retry_max_ms);
        Duration::from_millis(ms)
    }
}

/// The gRPC server.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct GrpcConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Requests without a shorter `grpc-timeout` are cut off after this.
    pub request_timeout_ms: u64,
    /// Largest encoded message accepted or sent.
    pub max_message_bytes: usize,
    /// Time given to in-flight requests on shutdown.
    pub drain_timeout_ms: u64,
}

impl Default for GrpcConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 50051)),
            request_timeout_ms: 30_000,
            max_message_bytes: 4 * 1024 * 1024,
            drain_timeout_ms: 10_000,
        }
    }
}

/// The front door: REST/JSON, gRPC and gRPC-Web on one port.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Where each role's gRPC server is (`catalogue = "http://catalogue:50051"`),
    /// for `serve gateway`; `up` calls its roles in process.
    pub upstreams: std::collections::BTreeMap<String, String>,
    /// Browser origins allowed to call (CORS); empty: same origin only.
    pub cors_origins: Vec<String>,
    /// A request's time budget, passed to the service as its gRPC deadline.
    pub request_timeout_ms: u64,
    /// Largest REST request body accepted.
    pub max_body_bytes: usize,
    /// Requests in flight at once; more are shed with 503.
    pub max_concurrent_requests: usize,
    /// Sustained requests per second per client (token subject, else
    /// address); 0 turns rate limiting off.
    pub rate_limit_per_second: u32,
    /// Requests a client may make in a burst above its rate.
    pub rate_limit_burst: u32,
    /// Take the client address from `x-forwarded-for` (behind a trusted
    /// proxy such as an ingress controller).
    pub trust_forwarded_for: bool,
    /// Time a client has to send a request's headers (a new connection's
    /// first request included); an idle keep-alive connection is closed
    /// after it too.
    pub header_timeout_ms: u64,
    /// Time a client has to send a request's whole body; the body is read
    /// before the request takes one of `max_concurrent_requests`.
    pub body_timeout_ms: u64,
    /// Largest gRPC or gRPC-Web request message passed through.
    pub max_grpc_message_bytes: usize,
    /// Server streams (the change feed) open at once, counted apart from
    /// `max_concurrent_requests`; more are shed with 503.
    pub max_streams: usize,
    /// Server streams one client (token subject, else address) may hold
    /// open; more are refused with 429.
    pub max_streams_per_client: usize,
    /// The web pages served at `/`.
    pub web: WebConfig,
}

/// The web pages: how the PA presents them.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// The platform's name as the PA shows it (the pages' title and
    /// masthead).
    pub site_name: String,
    /// The pages' language for visitors who ask for none of en, es, it, lv.
    pub default_language: String,
    /// The PA's accent colour on the pages, `#rrggbb`: the masthead behind
    /// white text, links and buttons, so it must contrast with white at
    /// least 4.5:1 (WCAG 2.1 AA). Empty: Interlink's blue.
    pub accent_colour: String,
    /// The PA's logo beside its name in the masthead: an http(s) URL.
    /// Empty: the name alone.
    pub logo_url: String,
    /// The address people open, e.g. `https://participa.zaragoza.es`
    /// (no trailing slash). Under https the session cookie is `Secure`;
    /// forms are accepted only from this origin. Empty: the address each
    /// request came to (plain http, as `interlink up` serves).
    pub public_url: String,
    /// The secret (at least 32 bytes) that encrypts and signs the session
    /// cookie, the same on every gateway replica so any of them serves a
    /// session. Empty: `interlink up` keeps one in its data directory;
    /// `serve` draws one at start (sessions then end at a restart and hold
    /// on one replica only).
    pub session_key: String,
    /// How long a session signed in with the dev sign-in page lasts, in
    /// minutes (its token's lifetime).
    pub dev_session_minutes: u64,
    /// This deployment's client id at the PA's OpenID provider (the issuer
    /// in `auth.issuer`). Set: the pages' sign-in link goes to the provider
    /// (authorization code flow with PKCE) and the dev sign-in page is off.
    /// It needs `public_url`: the provider sends people back to
    /// `{public_url}/sign-in/callback` and, after signing out, to
    /// `{public_url}/` (register both with the provider). Empty: no
    /// OpenID sign-in.
    pub oidc_client_id: String,
    /// The client's secret at the provider; empty for a public client
    /// (PKCE alone). Give it by reference, e.g. in the environment as
    /// `INTERLINK__GATEWAY__WEB__OIDC_CLIENT_SECRET` from a Kubernetes
    /// Secret, never in a values file.
    pub oidc_client_secret: String,
    /// The scopes asked for besides `openid`, separated by spaces.
    pub oidc_scopes: String,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            site_name: "Interlink".into(),
            default_language: "en".into(),
            accent_colour: String::new(),
            logo_url: String::new(),
            public_url: String::new(),
            session_key: String::new(),
            dev_session_minutes: 8 * 60,
            oidc_client_id: String::new(),
            oidc_client_secret: String::new(),
            oidc_scopes: "profile email".into(),
        }
    }
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            upstreams: std::collections::BTreeMap::new(),
            cors_origins: Vec::new(),
            request_timeout_ms: 30_000,
            max_body_bytes: 1024 * 1024,
            max_concurrent_requests: 1024,
            // Sized for a PA's whole traffic arriving from one ingress
            // address (see `trust_forwarded_for`).
            rate_limit_per_second: 1000,
            rate_limit_burst: 2000,
            trust_forwarded_for: false,
            header_timeout_ms: 10_000,
            body_timeout_ms: 10_000,
            max_grpc_message_bytes: 4 * 1024 * 1024,
            max_streams: 256,
            max_streams_per_client: 4,
            web: WebConfig::default(),
        }
    }
}

/// Bearer token authentication.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// Expected `iss`. Empty in embedded mode: the dev signer's issuer is used.
    pub issuer: String,
    /// Expected `aud`.
    pub audience: String,
    /// Where the issuer's JWKS is fetched. Empty in embedded mode.
    pub jwks_url: String,
    /// Accepted clock skew for `exp` and `nbf`.
    pub leeway_secs: u64,
    /// How long a fetched JWKS is trusted before it is fetched again.
    pub jwks_refresh_secs: u64,
    /// Tokens with an unknown `kid` cause at most one JWKS fetch per this
    /// interval, so made-up key ids cannot make us hammer the issuer.
    pub jwks_min_refetch_ms: u64,
    /// The claim that marks a platform administrator when `true`.
    pub admin_claim: String,
    /// Let `serve` trust the data directory's dev key when no issuer is
    /// configured (multi-process trials on one machine; never in production:
    /// whoever reads that key can mint platform-admin tokens).
    pub dev_signer: bool,
    /// The platform's own key for the tokens it gives interlinkers (a
    /// PKCS#8 PEM file of a P-256 key, ES256), where people sign in with an
    /// external issuer that cannot sign for interlinkers. Empty: the data
    /// directory's dev key where the mesh trusts it (embedded mode,
    /// `dev_signer`), else no tokens for interlinkers.
    pub interlinker_key_file: String,
    /// The `iss` of those tokens (the platform's public address); given
    /// with `interlinker_key_file`.
    pub interlinker_issuer: String,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            issuer: String::new(),
            audience: "interlink".into(),
            jwks_url: String::new(),
            leeway_secs: 30,
            jwks_refresh_secs: 300,
            jwks_min_refetch_ms: 5_000,
            admin_claim: "interlink_admin".into(),
            dev_signer: false,
            interlinker_key_file: String::new(),
            interlinker_issuer: String::new(),
        }
    }
}

/// Output format of the logs.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable, coloured on a terminal.
    Pretty,
    /// One JSON object per line, for collectors.
    Json,
}

/// Logs, traces and metrics.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    /// Log format.
    pub format: LogFormat,
    /// `tracing` filter directives, e.g. `info,interlink_runtime=debug`.
    pub filter: String,
    /// Name reported to OpenTelemetry when `OTEL_SERVICE_NAME` is not set.
    pub service_name: String,
    /// Where to serve the metrics for Prometheus to scrape (`GET /metrics`,
    /// e.g. `0.0.0.0:9464`); empty: not served.
    pub prometheus_listen: String,
}

impl Default for TelemetryConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            filter: "info,sea_orm_migration=warn,tantivy=warn".into(),
            service_name: "interlink".into(),
            prometheus_listen: String::new(),
        }
    }
}

impl Config {
    /// Loads defaults, then `file` if given, then `INTERLINK__…` variables of
    /// the process environment, and validates the result.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::load_from(file, std::env::vars().collect())
    }

    /// As [`Config::load`], with the environment given explicitly (for tests
    /// and for tools that compose configurations).
    pub fn load_from(
        file: Option<&Path>,
        environment: HashMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let defaults = config::Config::try_from(&Config::default())
            .map_err(|e| ConfigError::Load(e.to_string()))?;
        let mut builder = config::Config::builder().add_source(defaults);
        if let Some(path) = file {
            builder = builder.add_source(
                config::File::from(path)
                    .format(config::FileFormat::Toml)
                    .required(true),
            );
        }
        let environment: HashMap<String, String> = environment
            .into_iter()
            .filter(|(k, _)| k.starts_with(&format!("{ENV_PREFIX}__")))
            .collect();
        // Lists from the environment are comma-separated: these keys, and
        // each declared peer's pinned keys.
        let mut lists = vec!["gateway.cors_origins".to_owned()];
        let prefix = format!("{ENV_PREFIX}__");
        lists.extend(environment.keys().filter_map(|k| {
            let key = k.strip_prefix(&prefix)?.to_lowercase().replace("__", ".");
            (key.starts_with("federation.peers.") && key.ends_with(".pinned_keys")).then_some(key)
        }));
        let mut source = config::Environment::with_prefix(ENV_PREFIX)
            .separator("__")
            .try_parsing(true)
            .list_separator(",");
        for key in &lists {
            source = source.with_list_parse_key(key);
        }
        builder = builder.add_source(source.source(Some(environment)));
        let mut config: Config = builder
            .build()
            .and_then(|c| c.try_deserialize())
            .map_err(|e| ConfigError::Load(e.to_string()))?;
        // An empty variable is an empty list, not a list of one empty item.
        config
            .gateway
            .cors_origins
            .retain(|origin| !origin.trim().is_empty());
        for peer in config.federation.peers.values_mut() {
            peer.pinned_keys = peer
                .pinned_keys
                .iter()
                .map(|kid| kid.trim().to_owned())
                .filter(|kid| !kid.is_empty())
                .collect();
        }
        config.validate()?;
        Ok(config)
    }

    /// Checks the values that types alone do not.
    pub fn validate(&self) -> Result<(), ConfigError> {
        fn invalid(key: impl Into<String>, reason: impl Into<String>) -> ConfigError {
            ConfigError::Invalid {
                key: key.into(),
                reason: reason.into(),
            }
        }
        for (interlinker, [public_url, platform_origin, jwks_url, issuer]) in [
            (
                &self.documents,
                [
                    "documents.public_url",
                    "documents.platform_origin",
                    "documents.jwks_url",
                    "documents.issuer",
                ],
            ),
            (
                &self.surveys,
                [
                    "surveys.public_url",
                    "surveys.platform_origin",
                    "surveys.jwks_url",
                    "surveys.issuer",
                ],
            ),
        ] {
            for (key, value) in [
                (public_url, &interlinker.public_url),
                (platform_origin, &interlinker.platform_origin),
                (jwks_url, &interlinker.jwks_url),
            ] {
                if !value.is_empty()
                    && !value.starts_with("http://")
                    && !value.starts_with("https://")
                {
                    return Err(invalid(key, "must start with http:// or https://"));
                }
            }
            if interlinker.jwks_url.is_empty() != interlinker.issuer.is_empty() {
                return Err(invalid(
                    issuer,
                    format!("{issuer} and {jwks_url} are given together or not at all"),
                ));
            }
        }
        let notifications = &self.notifications;
        if !notifications.smtp_url.is_empty()
            && !notifications.smtp_url.starts_with("smtp://")
            && !notifications.smtp_url.starts_with("smtps://")
        {
            return Err(invalid(
                "notifications.smtp_url",
                "must start with smtp:// or smtps://",
            ));
        }
        if !notifications.public_url.is_empty()
            && !notifications.public_url.starts_with("http://")
            && !notifications.public_url.starts_with("https://")
        {
            return Err(invalid(
                "notifications.public_url",
                "must start with http:// or https://",
            ));
        }
        let federation = &self.federation;
        if !federation.public_url.is_empty()
            && (!(federation.public_url.starts_with("http://")
                || federation.public_url.starts_with("https://"))
                || federation
                    .public_url
                    .parse::<http::Uri>()
                    .ok()
                    .and_then(|uri| uri.host().map(str::is_empty))
                    != Some(false))
        {
            return Err(invalid(
                "federation.public_url",
                "must be an http:// or https:// URL",
            ));
        }
        if federation.sync_interval_secs == 0 {
            return Err(invalid(
                "federation.sync_interval_secs",
                "must be at least 1",
            ));
        }
        if federation.page_size == 0 || federation.page_size > 1000 {
            return Err(invalid("federation.page_size", "must be 1 to 1000"));
        }
        if federation.display_name.chars().count() > 200 {
            return Err(invalid(
                "federation.display_name",
                "must be at most 200 characters",
            ));
        }
        federation.validate_peers()?;
        if !notifications.smtp_url.is_empty() && !notifications.mail_from.contains('@') {
            return Err(invalid(
                "notifications.mail_from",
                "must be an address such as `Interlink <no-reply@example.org>`",
            ));
        }
        if notifications.digest_hour_utc > 23 {
            return Err(invalid("notifications.digest_hour_utc", "must be 0 to 23"));
        }
        if notifications.webhook_timeout_ms == 0 || notifications.webhook_timeout_ms > 60_000 {
            return Err(invalid(
                "notifications.webhook_timeout_ms",
                "must be 1 to 60000",
            ));
        }
        if notifications.webhook_retry_initial_ms == 0 {
            return Err(invalid(
                "notifications.webhook_retry_initial_ms",
                "must be at least 1",
            ));
        }
        if notifications.webhook_retry_window_secs == 0 {
            return Err(invalid(
                "notifications.webhook_retry_window_secs",
                "must be at least 1",
            ));
        }
        if self.auth.interlinker_key_file.is_empty() != self.auth.interlinker_issuer.is_empty() {
            return Err(invalid(
                "auth.interlinker_issuer",
                "auth.interlinker_issuer and auth.interlinker_key_file are given together or not at all",
            ));
        }
        let url = &self.database.url;
        if !url.is_empty()
            && !url.starts_with("postgres://")
            && !url.starts_with("postgresql://")
            && !url.starts_with("sqlite:")
        {
            return Err(invalid(
                "database.url",
                "must start with postgres://, postgresql:// or sqlite:",
            ));
        }
        if self.database.max_connections == 0 {
            return Err(invalid("database.max_connections", "must be at least 1"));
        }
        if self.database.min_connections > self.database.max_connections {
            return Err(invalid(
                "database.min_connections",
                "must not exceed database.max_connections",
            ));
        }
        if !self.nats.url.split(',').all(|u| {
            let u = u.trim();
            u.starts_with("nats://") || u.starts_with("tls://")
        }) {
            return Err(invalid(
                "nats.url",
                "must be nats:// or tls:// URLs, comma separated",
            ));
        }
        if !is_token(&self.nats.stream) {
            return Err(invalid(
                "nats.stream",
                "must be a non-empty name of letters, digits, - and _",
            ));
        }
        if !self.nats.subject_root.split('.').all(is_token) {
            return Err(invalid(
                "nats.subject_root",
                "must be dot-separated tokens of letters, digits, - and _",
            ));
        }
        if self.nats.duplicate_window_secs < 3_600 {
            return Err(invalid(
                "nats.duplicate_window_secs",
                "must be at least 3600 (one hour)",
            ));
        }
        if self.events.relay_batch == 0 {
            return Err(invalid("events.relay_batch", "must be at least 1"));
        }
        if self.events.consumer_batch == 0 {
            return Err(invalid("events.consumer_batch", "must be at least 1"));
        }
        if self.events.max_deliveries == 0 {
            return Err(invalid("events.max_deliveries", "must be at least 1"));
        }
        if self.events.relay_poll_ms == 0 {
            return Err(invalid("events.relay_poll_ms", "must be at least 1"));
        }
        if self.grpc.max_message_bytes < 1024 {
            return Err(invalid("grpc.max_message_bytes", "must be at least 1024"));
        }
        if self.grpc.request_timeout_ms == 0 {
            return Err(invalid("grpc.request_timeout_ms", "must be at least 1"));
        }
        if self.gateway.request_timeout_ms == 0 {
            return Err(invalid("gateway.request_timeout_ms", "must be at least 1"));
        }
        if self.gateway.max_body_bytes < 1024 {
            return Err(invalid("gateway.max_body_bytes", "must be at least 1024"));
        }
        if self.gateway.max_concurrent_requests == 0 {
            return Err(invalid(
                "gateway.max_concurrent_requests",
                "must be at least 1",
            ));
        }
        if !self.telemetry.prometheus_listen.is_empty()
            && self
                .telemetry
                .prometheus_listen
                .parse::<std::net::SocketAddr>()
                .is_err()
        {
            return Err(invalid(
                "telemetry.prometheus_listen",
                "must be an address such as 0.0.0.0:9464, or empty",
            ));
        }
        if !["en", "es", "it", "lv"].contains(&self.gateway.web.default_language.as_str()) {
            return Err(invalid(
                "gateway.web.default_language",
                "must be one of en, es, it, lv",
            ));
        }
        let accent = &self.gateway.web.accent_colour;
        if !accent.is_empty() {
            match contrast_with_white(accent) {
                None => {
                    return Err(invalid(
                        "gateway.web.accent_colour",
                        "must be a colour such as #1d4f91, or empty",
                    ));
                }
                Some(ratio) if ratio < 4.5 => {
                    return Err(invalid(
                        "gateway.web.accent_colour",
                        format!(
                            "must contrast with white at least 4.5:1 for white text on it (WCAG 2.1 AA); {accent} gives {ratio:.2}:1"
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        let logo = &self.gateway.web.logo_url;
        if !logo.is_empty()
            && (!(logo.starts_with("https://") || logo.starts_with("http://"))
                || logo.len() > 500
                || logo
                    .bytes()
                    .any(|b| !b.is_ascii_graphic() || b == b'"' || b == b'\''))
        {
            return Err(invalid(
                "gateway.web.logo_url",
                "must be an http(s) URL of up to 500 characters, or empty",
            ));
        }
        let site_name = self.gateway.web.site_name.trim();
        if site_name.is_empty() || site_name.chars().count() > 100 {
            return Err(invalid(
                "gateway.web.site_name",
                "must be 1 to 100 characters",
            ));
        }
        let public_url = &self.gateway.web.public_url;
        if !public_url.is_empty()
            && (!(public_url.starts_with("https://") || public_url.starts_with("http://"))
                || public_url.ends_with('/')
                || public_url[public_url.find("://").map_or(0, |at| at + 3)..].contains('/')
                || public_url.bytes().any(|b| !b.is_ascii_graphic()))
        {
            return Err(invalid(
                "gateway.web.public_url",
                "must be an origin such as https://participa.example.org (scheme and host, no path), or empty",
            ));
        }
        if !self.gateway.web.session_key.is_empty() && self.gateway.web.session_key.len() < 32 {
            return Err(invalid(
                "gateway.web.session_key",
                "must be at least 32 bytes, or empty",
            ));
        }
        if !(5..=7 * 24 * 60).contains(&self.gateway.web.dev_session_minutes) {
            return Err(invalid(
                "gateway.web.dev_session_minutes",
                "must be 5 to 10080 (a week)",
            ));
        }
        let web = &self.gateway.web;
        if !web.oidc_client_id.is_empty() {
            if self.auth.issuer.is_empty() {
                return Err(invalid(
                    "gateway.web.oidc_client_id",
                    "needs auth.issuer (the OpenID provider whose tokens the services trust)",
                ));
            }
            if web.public_url.is_empty() {
                return Err(invalid(
                    "gateway.web.oidc_client_id",
                    "needs gateway.web.public_url (where the provider sends people back)",
                ));
            }
        }
        if web.oidc_scopes.split_whitespace().any(|scope| {
            !scope
                .bytes()
                .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
        }) {
            return Err(invalid(
                "gateway.web.oidc_scopes",
                "must be scope names separated by spaces",
            ));
        }
        if self.gateway.header_timeout_ms == 0 {
            return Err(invalid("gateway.header_timeout_ms", "must be at least 1"));
        }
        if self.gateway.body_timeout_ms == 0 {
            return Err(invalid("gateway.body_timeout_ms", "must be at least 1"));
        }
        if self.gateway.max_grpc_message_bytes < 1024 {
            return Err(invalid(
                "gateway.max_grpc_message_bytes",
                "must be at least 1024",
            ));
        }
        if self.gateway.max_streams == 0 {
            return Err(invalid("gateway.max_streams", "must be at least 1"));
        }
        if self.gateway.max_streams_per_client == 0 {
            return Err(invalid(
                "gateway.max_streams_per_client",
                "must be at least 1",
            ));
        }
        if self.gateway.rate_limit_per_second > 0 && self.gateway.rate_limit_burst == 0 {
            return Err(invalid(
                "gateway.rate_limit_burst",
                "must be at least 1 when rate limiting is on",
            ));
        }
        for (role, url) in &self.gateway.upstreams {
            if !url.starts_with("http://") && !url.starts_with("https://") {
                return Err(invalid(
                    "gateway.upstreams",
                    format!("`{role}` must be an http:// or https:// URL"),
                ));
            }
        }
        for origin in &self.gateway.cors_origins {
            if origin != "*" && !origin.starts_with("http://") && !origin.starts_with("https://") {
                return Err(invalid(
                    "gateway.cors_origins",
                    "must list origins such as https://pa.example.org, or *",
                ));
            }
        }
        if self.auth.audience.is_empty() {
            return Err(invalid("auth.audience", "must not be empty"));
        }
        if !self.auth.jwks_url.is_empty()
            && !self.auth.jwks_url.starts_with("http://")
            && !self.auth.jwks_url.starts_with("https://")
        {
            return Err(invalid(
                "auth.jwks_url",
                "must be an http:// or https:// URL",
            ));
        }
        if self.auth.jwks_url.is_empty() != self.auth.issuer.is_empty() {
            return Err(invalid(
                "auth.issuer",
                "auth.issuer and auth.jwks_url are set together (both empty means the embedded dev signer)",
            ));
        }
        if self
            .telemetry
            .filter
            .parse::<tracing_subscriber::EnvFilter>()
            .is_err()
        {
            return Err(invalid("telemetry.filter", "is not a valid tracing filter"));
        }
        Ok(())
    }

    /// Whether an OTLP endpoint is configured through the standard
    /// `OTEL_EXPORTER_OTLP_*` variables (read here, the one place that reads
    /// the environment).
    pub fn otlp_configured() -> bool {
        [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        ]
        .iter()
        .any(|k| std::env::var(k).is_ok_and(|v| !v.trim().is_empty()))
    }

    /// Whether the standard OTel variables name an endpoint for metrics.
    pub fn otlp_metrics_configured() -> bool {
        [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
        ]
        .iter()
        .any(|k| std::env::var(k).is_ok_and(|v| !v.trim().is_empty()))
    }
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn defaults_are_valid() {
        let config = Config::load_from(None, HashMap::new()).unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn file_then_environment_override_defaults() {
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        writeln!(
            file,
            "[nats]\nurl = \"nats://10.1.2.3:4222\"\nstream = \"FROM_FILE\"\n[events]\nmax_deliveries = 9"
        )
        .unwrap();
        let config = Config::load_from(
            Some(file.path()),
            env(&[
                ("INTERLINK__NATS__STREAM", "FROM_ENV"),
                ("INTERLINK__GRPC__LISTEN", "0.0.0.0:6000"),
                ("UNRELATED", "x"),
            ]),
        )
        .unwrap();
        assert_eq!(config.nats.url, "nats://10.1.2.3:4222");
        assert_eq!(config.nats.stream, "FROM_ENV");
        assert_eq!(config.events.max_deliveries, 9);
        assert_eq!(config.grpc.listen, "0.0.0.0:6000".parse().unwrap());
    }

    #[test]
    fn lists_and_maps_come_from_the_environment() {
        let config = Config::load_from(
            None,
            env(&[
                (
                    "INTERLINK__GATEWAY__CORS_ORIGINS",
                    "https://a.example.org,https://b.example.org",
                ),
                (
                    "INTERLINK__GATEWAY__UPSTREAMS__CATALOGUE",
                    "http://catalogue:50051",
                ),
                ("INTERLINK__NATS__URL", "nats://a:4222,nats://b:4222"),
            ]),
        )
        .expect("config");
        assert_eq!(
            config.gateway.cors_origins,
            ["https://a.example.org", "https://b.example.org"]
        );
        assert_eq!(
            config
                .gateway
                .upstreams
                .get("catalogue")
                .map(String::as_str),
            Some("http://catalogue:50051")
        );
        assert_eq!(config.nats.url, "nats://a:4222,nats://b:4222");
        let empty = Config::load_from(None, env(&[("INTERLINK__GATEWAY__CORS_ORIGINS", "")]))
            .expect("config");
        assert!(empty.gateway.cors_origins.is_empty());
    }

    const KID_A: &str = "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s";
    const KID_B: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    #[test]
    fn declared_peers_come_from_the_file_and_the_environment() {
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        writeln!(
            file,
            "[federation.peers.varam]\nfeed_url = \"https://interlink.varam.gov.lv/v1/federation/feed\"\n\
             pinned_keys = [\"{KID_A}\"]\ndisplay_name = \"VARAM\""
        )
        .unwrap();
        let config = Config::load_from(
            Some(file.path()),
            env(&[
                (
                    "INTERLINK__FEDERATION__PEERS__MEF__FEED_URL",
                    "https://interlink.mef.gov.it/v1/federation/feed",
                ),
                (
                    "INTERLINK__FEDERATION__PEERS__MEF__PINNED_KEYS",
                    &format!("{KID_A}, {KID_B}"),
                ),
                ("INTERLINK__FEDERATION__SIGNING_KEY_FILE", "/etc/key.pem"),
            ]),
        )
        .expect("config");
        let federation = &config.federation;
        assert_eq!(federation.signing_key_file, "/etc/key.pem");
        assert_eq!(
            federation.peers.keys().collect::<Vec<_>>(),
            ["mef", "varam"]
        );
        let mef = &federation.peers["mef"];
        assert_eq!(
            mef.feed_url,
            "https://interlink.mef.gov.it/v1/federation/feed"
        );
        assert_eq!(mef.pinned_keys, [KID_A, KID_B]);
        assert_eq!(mef.display_name, "");
        let varam = &federation.peers["varam"];
        assert_eq!(varam.pinned_keys, [KID_A]);
        assert_eq!(varam.display_name, "VARAM");
        // One key from the environment is a list of one.
        let one = Config::load_from(
            None,
            env(&[
                (
                    "INTERLINK__FEDERATION__PEERS__MEF__FEED_URL",
                    "https://interlink.mef.gov.it/v1/federation/feed",
                ),
                ("INTERLINK__FEDERATION__PEERS__MEF__PINNED_KEYS", KID_B),
            ]),
        )
        .expect("config");
        assert_eq!(one.federation.peers["mef"].pinned_keys, [KID_B]);
    }

    #[test]
    fn declared_peers_out_of_shape_are_refused_by_name() {
        let feed = "https://interlink.mef.gov.it/v1/federation/feed";
        for (vars, key) in [
            (
                vec![("INTERLINK__FEDERATION__PEERS__MEF__PINNED_KEYS", KID_A)],
                "federation.peers.mef.feed_url",
            ),
            (
                vec![
                    (
                        "INTERLINK__FEDERATION__PEERS__MEF__FEED_URL",
                        "http://interlink.mef.gov.it/v1/federation/feed",
                    ),
                    ("INTERLINK__FEDERATION__PEERS__MEF__PINNED_KEYS", KID_A),
                ],
                "federation.peers.mef.feed_url",
            ),
            (
                vec![
                    ("INTERLINK__FEDERATION__PEERS__MEF__FEED_URL", feed),
                    ("INTERLINK__FEDERATION__PEERS__MEF__PINNED_KEYS", ""),
                ],
                "federation.peers.mef.pinned_keys",
            ),
            (
                vec![
                    ("INTERLINK__FEDERATION__PEERS__MEF__FEED_URL", feed),
                    (
                        "INTERLINK__FEDERATION__PEERS__MEF__PINNED_KEYS",
                        &format!("{KID_A},not-a-thumbprint"),
                    ),
                ],
                "federation.peers.mef.pinned_keys[1]",
            ),
            (
                vec![
                    ("INTERLINK__FEDERATION__PEERS__A__FEED_URL", feed),
                    ("INTERLINK__FEDERATION__PEERS__A__PINNED_KEYS", KID_A),
                    ("INTERLINK__FEDERATION__PEERS__B__FEED_URL", feed),
                    ("INTERLINK__FEDERATION__PEERS__B__PINNED_KEYS", KID_B),
                ],
                "federation.peers.b.feed_url",
            ),
            (
                vec![("INTERLINK__FEDERATION__PEERS__MEF__FEED", feed)],
                "feed",
            ),
        ] {
            let err = Config::load_from(None, env(&vars)).unwrap_err().to_string();
            assert!(
                err.contains(&format!("`{key}`")) || err.contains(key),
                "{key}: {err}"
            );
        }
        let eleven = [KID_A; 11].join(",");
        let err = Config::load_from(
            None,
            env(&[
                ("INTERLINK__FEDERATION__PEERS__MEF__FEED_URL", feed),
                ("INTERLINK__FEDERATION__PEERS__MEF__PINNED_KEYS", &eleven),
            ]),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("`federation.peers.mef.pinned_keys`") && err.contains("at most 10"),
            "{err}"
        );
        // http:// where the deployment allows it.
        let config = Config::load_from(
            None,
            env(&[
                ("INTERLINK__FEDERATION__ALLOW_HTTP", "true"),
                (
                    "INTERLINK__FEDERATION__PEERS__MEF__FEED_URL",
                    "http://127.0.0.1:8080/v1/federation/feed",
                ),
                ("INTERLINK__FEDERATION__PEERS__MEF__PINNED_KEYS", KID_A),
            ]),
        );
        assert!(config.is_ok(), "{config:?}");
    }

    #[test]
    fn unknown_key_in_environment_is_refused_by_name() {
        let err = Config::load_from(None, env(&[("INTERLINK__NATS__STREEM", "X")])).unwrap_err();
        assert!(err.to_string().contains("streem"), "{err}");
    }

    #[test]
    fn unknown_key_in_file_is_refused_by_name() {
        let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
        writeln!(file, "[grpc]\nlisten_addr = \"0.0.0.0:1\"").unwrap();
        let err = Config::load_from(Some(file.path()), HashMap::new()).unwrap_err();
        assert!(err.to_string().contains("listen_addr"), "{err}");
    }

    #[test]
    fn unknown_section_is_refused_by_name() {
        let err = Config::load_from(None, env(&[("INTERLINK__DATABSE__URL", "x")])).unwrap_err();
        assert!(err.to_string().contains("databse"), "{err}");
    }

    #[test]
    fn badly_typed_value_is_refused_by_name() {
        let err = Config::load_from(None, env(&[("INTERLINK__EVENTS__MAX_DELIVERIES", "many")]))
            .unwrap_err();
        assert!(err.to_string().contains("events.max_deliveries"), "{err}");
    }

    #[test]
    fn out_of_range_value_is_refused_by_name() {
        let err = Config::load_from(
            None,
            env(&[("INTERLINK__NATS__DUPLICATE_WINDOW_SECS", "60")]),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("nats.duplicate_window_secs"),
            "{err}"
        );
        let err =
            Config::load_from(None, env(&[("INTERLINK__DATABASE__URL", "mysql://x")])).unwrap_err();
        assert!(err.to_string().contains("database.url"), "{err}");
    }

    #[test]
    fn web_settings_out_of_shape_are_refused_by_name() {
        for (key, value, name) in [
            (
                "INTERLINK__GATEWAY__WEB__DEFAULT_LANGUAGE",
                "de",
                "default_language",
            ),
            ("INTERLINK__GATEWAY__WEB__SITE_NAME", " ", "site_name"),
            (
                "INTERLINK__GATEWAY__WEB__PUBLIC_URL",
                "participa.example.org",
                "public_url",
            ),
            (
                "INTERLINK__GATEWAY__WEB__PUBLIC_URL",
                "https://example.org/",
                "public_url",
            ),
            (
                "INTERLINK__GATEWAY__WEB__PUBLIC_URL",
                "https://example.org/x",
                "public_url",
            ),
            (
                "INTERLINK__GATEWAY__WEB__SESSION_KEY",
                "too short",
                "session_key",
            ),
            (
                "INTERLINK__GATEWAY__WEB__DEV_SESSION_MINUTES",
                "1",
                "dev_session_minutes",
            ),
        ] {
            let err = Config::load_from(None, env(&[(key, value)])).unwrap_err();
            assert!(
                err.to_string().contains(&format!("gateway.web.{name}")),
                "{value}: {err}"
            );
        }
        let fine = Config::load_from(
            None,
            env(&[
                (
                    "INTERLINK__GATEWAY__WEB__PUBLIC_URL",
                    "https://participa.example.org:8443",
                ),
                ("INTERLINK__GATEWAY__WEB__SESSION_KEY", &"k".repeat(32)),
            ]),
        );
        assert!(fine.is_ok(), "{fine:?}");
    }

    #[test]
    fn an_accent_colour_must_carry_white_text() {
        // Interlink's blue, and black, pass; white and a pale yellow do not.
        assert!(contrast_with_white("#1d4f91").is_some_and(|r| r > 8.0));
        assert!(contrast_with_white("#000000").is_some_and(|r| (r - 21.0).abs() < 0.01));
        assert!(contrast_with_white("#FFFFFF").is_some_and(|r| (r - 1.0).abs() < 0.01));
        assert_eq!(contrast_with_white("1d4f91"), None);
        assert_eq!(contrast_with_white("#1d4f9"), None);
        assert_eq!(contrast_with_white("#1d4f9g"), None);
        for (value, reason) in [("#ffe066", "4.5:1"), ("blue", "such as #1d4f91")] {
            let err = Config::load_from(
                None,
                env(&[("INTERLINK__GATEWAY__WEB__ACCENT_COLOUR", value)]),
            )
            .unwrap_err()
            .to_string();
            assert!(
                err.contains("gateway.web.accent_colour") && err.contains(reason),
                "{err}"
            );
        }
        let err = Config::load_from(
            None,
            env(&[("INTERLINK__GATEWAY__WEB__LOGO_URL", "javascript:alert(1)")]),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("gateway.web.logo_url"), "{err}");
        let config = Config::load_from(
            None,
            env(&[
                ("INTERLINK__GATEWAY__WEB__ACCENT_COLOUR", "#a6192e"),
                (
                    "INTERLINK__GATEWAY__WEB__LOGO_URL",
                    "https://www.zaragoza.es/logo.svg",
                ),
            ]),
        )
        .expect("a brand");
        assert_eq!(config.gateway.web.accent_colour, "#a6192e");
    }

    #[test]
    fn openid_sign_in_needs_the_issuer_and_the_sites_address() {
        let issuer = [
            (
                "INTERLINK__AUTH__ISSUER",
                "https://idp.zaragoza.es/realms/interlink",
            ),
            (
                "INTERLINK__AUTH__JWKS_URL",
                "https://idp.zaragoza.es/realms/interlink/protocol/openid-connect/certs",
            ),
        ];
        let client = ("INTERLINK__GATEWAY__WEB__OIDC_CLIENT_ID", "interlink-web");
        let site = (
            "INTERLINK__GATEWAY__WEB__PUBLIC_URL",
            "https://interlink.zaragoza.es",
        );
        for (vars, reason) in [
            (vec![client, site], "needs auth.issuer"),
            (
                vec![client, issuer[0], issuer[1]],
                "needs gateway.web.public_url",
            ),
        ] {
            let err = Config::load_from(None, env(&vars)).unwrap_err().to_string();
            assert!(
                err.contains("gateway.web.oidc_client_id") && err.contains(reason),
                "{err}"
            );
        }
        let scopes = ("INTERLINK__GATEWAY__WEB__OIDC_SCOPES", "profile \"email\"");
        let err = Config::load_from(None, env(&[scopes]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("gateway.web.oidc_scopes"), "{err}");
        let config = Config::load_from(
            None,
            env(&[
                client,
                site,
                issuer[0],
                issuer[1],
                (
                    "INTERLINK__GATEWAY__WEB__OIDC_SCOPES",
                    "profile email roles",
                ),
            ]),
        )
        .expect("a complete OpenID sign-in");
        assert_eq!(config.gateway.web.oidc_client_id, "interlink-web");
        assert_eq!(config.gateway.web.oidc_client_secret, "");
    }

    #[test]
    fn retry_delay_doubles_up_to_the_cap() {
        let events = EventsConfig {
            retry_initial_ms: 100,
            retry_max_ms: 1_000,
            ..EventsConfig::default()
        };
        let delays: Vec<u128> = (1..=6).map(|d| events.retry_delay(d).as_millis()).collect();
        assert_eq!(delays, [100, 200, 400, 800, 1_000, 1_000]);
    }
}

/// How `colour` (`#rrggbb`) contrasts with white, as WCAG 2.1 measures it
/// (1 to 21); `None` if it is not such a colour.
pub fn contrast_with_white(colour: &str) -> Option<f64> {
    let hex = colour.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |at: usize| -> Option<f64> {
        let value = f64::from(u8::from_str_radix(hex.get(at..at + 2)?, 16).ok()?) / 255.0;
        Some(if value <= 0.039_28 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        })
    };
    let luminance = 0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?;
    Some(1.05 / (luminance + 0.05))
}

/// Where tests find PostgreSQL and NATS: `INTERLINK_TEST_DATABASE_URL` (a
/// server URL whose database tests create their own databases from) and
/// `INTERLINK_TEST_NATS_URL`, with loopback defaults. Read here because this
/// module is the one that reads the environment.
#[derive(Debug, Clone)]
pub struct TestServices {
    /// A PostgreSQL URL with rights to create databases.
    pub postgres_url: String,
    /// A NATS URL with JetStream.
    pub nats_url: String,
    /// The `nats-server` binary, for tests that stop and start their own.
    pub nats_server_bin: String,
}

impl TestServices {
    /// From the environment, with loopback defaults.
    pub fn from_env() -> Self {
        let var = |k: &str, default: &str| std::env::var(k).unwrap_or_else(|_| default.to_owned());
        Self {
            postgres_url: var(
                "INTERLINK_TEST_DATABASE_URL",
                "postgres://postgres@127.0.0.1:5432/postgres",
            ),
            nats_url: var("INTERLINK_TEST_NATS_URL", "nats://127.0.0.1:4222"),
            nats_server_bin: var("INTERLINK_TEST_NATS_SERVER", "/usr/sbin/nats-server"),
        }
    }
}
