//! Bearer-token authentication for every gRPC server of the mesh (and the
//! gateway): JWTs signed RS256 or ES256 by the configured OIDC issuer, keys
//! from its JWKS (cached, fetched again on an unknown `kid`), `iss`, `aud`,
//! `exp` and `nbf` checked with a small leeway. The caller's [`Identity`] is
//! put in the request's extensions.
//!
//! In embedded mode a [`DevSigner`] (a key pair kept in the data directory)
//! signs tokens and is the only trusted key.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use futures::future::BoxFuture;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, RwLock};

use crate::config::AuthConfig;

/// The issuer of tokens minted by the embedded dev signer.
pub const DEV_ISSUER: &str = "interlink-dev";

/// Who is calling, from a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The OIDC subject: the user's stable id.
    pub subject: String,
    /// Display name (`name`, else `preferred_username`), if the token has one.
    pub name: Option<String>,
    /// E-mail address, if the token has one.
    pub email: Option<String>,
    /// Whether the token carries the platform-admin claim set to `true`.
    pub platform_admin: bool,
}

/// Why a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Malformed, badly signed, expired, for another audience or issuer, or
    /// signed by an unknown key; the reason is a plain one ("malformed
    /// token", "unsupported algorithm", "token expired" …), never the JWT
    /// library's parse error.
    #[error("{0}")]
    InvalidToken(String),
    /// The issuer's keys could not be fetched.
    #[error("token keys unavailable: {0}")]
    KeysUnavailable(String),
}

impl From<AuthError> for tonic::Status {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidToken(_) => tonic::Status::unauthenticated(e.to_string()),
            AuthError::KeysUnavailable(_) => {
                tracing::error!(error = %e, "cannot verify tokens");
                tonic::Status::unavailable("token keys unavailable")
            }
        }
    }
}

fn invalid(reason: impl std::fmt::Display) -> AuthError {
    AuthError::InvalidToken(reason.to_string())
}

/// Why the JWT library refused a token, said plainly.
fn refused(error: &jsonwebtoken::errors::Error) -> AuthError {
    use jsonwebtoken::errors::ErrorKind as K;
    invalid(match error.kind() {
        K::ExpiredSignature => "token expired".to_owned(),
        K::ImmatureSignature => "token not valid yet".to_owned(),
        K::InvalidIssuer => "token from another issuer".to_owned(),
        K::InvalidAudience => "token for another audience".to_owned(),
        K::InvalidSignature => "bad signature".to_owned(),
        K::MissingRequiredClaim(claim) => format!("token has no `{claim}` claim"),
        K::InvalidClaimFormat(claim) => format!("token claim `{claim}` is malformed"),
        K::InvalidAlgorithm
        | K::InvalidAlgorithmName
        | K::MissingAlgorithm
        | K::UnsupportedAlgorithm => "unsupported algorithm".to_owned(),
        _ => "malformed token".to_owned(),
    })
}

/// Why a token's header does not decode: an algorithm this platform does
/// not take (`none`, `HS256` …), or no JWT at all.
fn header_refused(token: &str) -> AuthError {
    use base64::Engine;
    let algorithm = token
        .split('.')
        .next()
        .and_then(|h| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(h)
                .ok()
        })
        .and_then(|h| serde_json::from_slice::<serde_json::Value>(&h).ok())
        .is_some_and(|h| h.get("alg").is_some());
    invalid(if algorithm {
        "unsupported algorithm"
    } else {
        "malformed token"
    })
}

/// A verification key and the one algorithm it may be used with.
#[derive(Clone)]
struct VerifyingKey {
    key: DecodingKey,
    algorithm: Algorithm,
}

/// Keys by `kid`, built from a JWKS; keys of other types are ignored.
fn key_table(set: &JwkSet) -> HashMap<String, VerifyingKey> {
    set.keys
        .iter()
        .filter(|jwk| {
            // Encryption keys never verify signatures.
            !matches!(
                jwk.common.public_key_use,
                Some(jsonwebtoken::jwk::PublicKeyUse::Encryption)
            )
        })
        .filter_map(|jwk| {
            let kid = jwk.common.key_id.clone()?;
            let algorithm = match &jwk.algorithm {
                AlgorithmParameters::RSA(_) => Algorithm::RS256,
                AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                    Algorithm::ES256
                }
                _ => return None,
            };
            let key = DecodingKey::from_jwk(jwk).ok()?;
            Some((kid, VerifyingKey { key, algorithm }))
        })
        .collect()
}

enum KeySource {
    Fixed(HashMap<String, VerifyingKey>),
    Remote(JwksCache),
}

struct JwksCache {
    url: String,
    client: reqwest::Client,
    max_age: Duration,
    min_refetch: Duration,
    keys: RwLock<(HashMap<String, VerifyingKey>, Option<Instant>)>,
    /// Serialises fetches and spaces those caused by unknown `kid`s.
    last_fetch: Mutex<Option<Instant>>,
}

impl JwksCache {
    async fn key(&self, kid: &str) -> Result<VerifyingKey, AuthError> {
        if let Some(key) = self.cached(kid, true).await {
            return Ok(key);
        }
        // One fetch at a time; the others wait and then find its result.
        let mut last = self.last_fetch.lock().await;
        if let Some(key) = self.cached(kid, true).await {
            return Ok(key);
        }
        if last.is_some_and(|at| at.elapsed() < self.min_refetch) {
            // Fetched (or tried) a moment ago: no new fetch for an unknown
            // `kid`, nor while the issuer is failing; stale keys still serve.
            return match self.cached(kid, false).await {
                Some(key) => Ok(key),
                None => Err(self.missing().await),
            };
        }
        *last = Some(Instant::now());
        match self.fetch().await {
            Ok(table) => {
                let key = table.get(kid).cloned();
                *self.keys.write().await = (table, Some(Instant::now()));
                key.ok_or_else(|| invalid("unknown signing key"))
            }
            Err(e) => match self.cached(kid, false).await {
                Some(key) => {
                    tracing::warn!(error = %e, "jwks refresh failed; using cached keys");
                    Ok(key)
                }
                None if self.keys.read().await.1.is_some() => Err(invalid("unknown signing key")),
                None => Err(e),
            },
        }
    }

    /// The key `kid` from the cache; with `fresh_only`, only while the key
    /// set is younger than its maximum age.
    async fn cached(&self, kid: &str, fresh_only: bool) -> Option<VerifyingKey> {
        let guard = self.keys.read().await;
        let fresh = guard.1.is_some_and(|at| at.elapsed() < self.max_age);
        if fresh_only && !fresh {
            return None;
        }
        guard.0.get(kid).cloned()
    }

    /// Unknown `kid` if we ever had the issuer's keys; unavailable if not.
    async fn missing(&self) -> AuthError {
        if self.keys.read().await.1.is_some() {
            invalid("unknown signing key")
        } else {
            AuthError::KeysUnavailable(format!("{}: not fetched yet", self.url))
        }
    }

    async fn fetch(&self) -> Result<HashMap<String, VerifyingKey>, AuthError> {
        let unavailable =
            |e: reqwest::Error| AuthError::KeysUnavailable(format!("{}: {e}", self.url));
        let set: JwkSet = self
            .client
            .get(&self.url)
            .send()
            .await
            .and_then(|r| r.error_for_status())
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)?;
        Ok(key_table(&set))
    }
}

/// Verifies bearer tokens.
pub struct Authenticator {
    issuer: String,
    audience: String,
    leeway: u64,
    admin_claim: String,
    keys: KeySource,
    verified: VerifiedTokens,
}

/// Tokens verified lately, so a token presented again (each call of a
/// session, and once more by the service behind the gateway) costs a
/// lookup instead of a signature check. An entry lives until the token
/// expires, and at most [`VerifiedTokens::MAX_AGE`], so keys the issuer
/// drops stop being honoured soon after.
#[derive(Default)]
struct VerifiedTokens {
    entries: std::sync::Mutex<HashMap<String, (Identity, u64)>>,
}

impl VerifiedTokens {
    const CAPACITY: usize = 65_536;
    const MAX_AGE: u64 = 300;

    fn get(&self, token: &str, now: u64) -> Option<Identity> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        entries
            .get(token)
            .filter(|(_, until)| now < *until)
            .map(|(identity, _)| identity.clone())
    }

    fn put(&self, token: &str, identity: &Identity, expires: u64, now: u64) {
        let until = expires.min(now + Self::MAX_AGE);
        if until <= now {
            return;
        }
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if entries.len() >= Self::CAPACITY {
            entries.retain(|_, (_, until)| now < *until);
            if entries.len() >= Self::CAPACITY {
                entries.clear();
            }
        }
        entries.insert(token.to_owned(), (identity.clone(), until));
    }
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    email: Option<String>,
    exp: u64,
    #[serde(flatten)]
    other: HashMap<String, serde_json::Value>,
}

impl Authenticator {
    /// Trusts the issuer's JWKS at `config.jwks_url`.
    pub fn remote(config: &AuthConfig) -> Result<Self, AuthError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| AuthError::KeysUnavailable(e.to_string()))?;
        Ok(Self {
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            leeway: config.leeway_secs,
            admin_claim: config.admin_claim.clone(),
            verified: VerifiedTokens::default(),
            keys: KeySource::Remote(JwksCache {
                url: config.jwks_url.clone(),
                client,
                max_age: Duration::from_secs(config.jwks_refresh_secs.max(1)),
                min_refetch: Duration::from_millis(config.jwks_min_refetch_ms),
                keys: RwLock::new((HashMap::new(), None)),
                last_fetch: Mutex::new(None),
            }),
        })
    }

    /// Trusts exactly the keys of `jwks`, issued by `issuer` (the dev signer).
    pub fn fixed(issuer: &str, jwks: &JwkSet, config: &AuthConfig) -> Self {
        Self {
            issuer: issuer.to_owned(),
            audience: config.audience.clone(),
            leeway: config.leeway_secs,
            admin_claim: config.admin_claim.clone(),
            keys: KeySource::Fixed(key_table(jwks)),
            verified: VerifiedTokens::default(),
        }
    }

    /// Verifies `token` and returns the caller.
    pub async fn authenticate(&self, token: &str) -> Result<Identity, AuthError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        if let Some(identity) = self.verified.get(token, now) {
            return Ok(identity);
        }
        let header = jsonwebtoken::decode_header(token).map_err(|_| header_refused(token))?;
        if !matches!(header.alg, Algorithm::RS256 | Algorithm::ES256) {
            return Err(invalid("unsupported algorithm"));
        }
        let kid = header.kid.ok_or_else(|| invalid("token has no key id"))?;
        let key = match &self.keys {
            KeySource::Fixed(table) => table
                .get(&kid)
                .cloned()
                .ok_or_else(|| invalid("unknown signing key"))?,
            KeySource::Remote(cache) => cache.key(&kid).await?,
        };
        // The key decides the algorithm, never the token alone.
        if key.algorithm != header.alg {
            return Err(invalid("unsupported algorithm"));
        }
        let mut validation = Validation::new(key.algorithm);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = self.leeway;
        let data = jsonwebtoken::decode::<Claims>(token, &key.key, &validation)
            .map_err(|e| refused(&e))?;
        let claims = data.claims;
        if claims.sub.is_empty() {
            return Err(invalid("token has an empty subject"));
        }
        let platform_admin = claims
            .other
            .get(&self.admin_claim)
            .is_some_and(|v| v.as_bool() == Some(true));
        let identity = Identity {
            subject: claims.sub,
            name: claims.name.or(claims.preferred_username),
            email: claims.email,
            platform_admin,
        };
        self.verified.put(token, &identity, claims.exp, now);
        Ok(identity)
    }
}

// ---------------------------------------------------------------------------
// Tower layer

/// Authenticates requests that carry `authorization: Bearer …`. A request
/// with a bad token is refused with UNAUTHENTICATED; one without a token goes
/// through without an [`Identity`], and handlers that need one ask
/// [`require_identity`] (so health, reflection and public reads stay open).
#[derive(Debug, Clone)]
pub struct AuthLayer {
    authenticator: Arc<Authenticator>,
}

impl AuthLayer {
    /// A layer using `authenticator`.
    pub fn new(authenticator: Arc<Authenticator>) -> Self {
        Self { authenticator }
    }
}

impl<S> tower::Layer<S> for AuthLayer {
    type Service = AuthService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        AuthService {
            inner,
            authenticator: Arc::clone(&self.authenticator),
        }
    }
}

/// The service of [`AuthLayer`].
#[derive(Debug, Clone)]
pub struct AuthService<S> {
    inner: S,
    authenticator: Arc<Authenticator>,
}

impl<S, B, RB> tower::Service<http::Request<B>> for AuthService<S>
where
    S: tower::Service<http::Request<B>, Response = http::Response<RB>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
    RB: Default + Send + 'static,
{
    type Response = http::Response<RB>;
    type Error = S::Error;
    type Future = BoxFuture<'static, Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: http::Request<B>) -> Self::Future {
        // The ready service is the one that must be called; keep a fresh clone.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let authenticator = Arc::clone(&self.authenticator);
        Box::pin(async move {
            let token = match bearer_token(request.headers()) {
                Ok(token) => token,
                Err(status) => return Ok(status.into_http()),
            };
            match token {
                Some(token) => match authenticator.authenticate(&token).await {
                    Ok(identity) => {
                        request.extensions_mut().insert(identity);
                    }
                    Err(e) => {
                        tracing::debug!(error = %e, "request refused");
                        return Ok(tonic::Status::from(e).into_http());
                    }
                },
                // Before anything else about the call is looked at.
                None if crate::descriptors::needs_token(request.uri().path()) => {
                    return Ok(
                        tonic::Status::unauthenticated("this call needs a bearer token")
                            .into_http(),
                    );
                }
                None => {}
            }
            inner.call(request).await
        })
    }
}

/// The bearer token of `authorization`, if any; a malformed header is refused.
fn bearer_token(headers: &http::HeaderMap) -> Result<Option<String>, tonic::Status> {
    let Some(value) = headers.get(http::header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| tonic::Status::unauthenticated("authorization header is not text"))?;
    match value.split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(Some(token.trim().to_owned()))
        }
        _ => Err(tonic::Status::unauthenticated(
            "authorization must be `Bearer <token>`",
        )),
    }
}

/// The caller of a request that passed [`AuthLayer`], if it had a token.
pub fn identity<T>(request: &tonic::Request<T>) -> Option<&Identity> {
    request.extensions().get::<Identity>()
}

/// The caller, or UNAUTHENTICATED.
pub fn require_identity<T>(request: &tonic::Request<T>) -> Result<&Identity, tonic::Status> {
    identity(request).ok_or_else(|| tonic::Status::unauthenticated("a bearer token is required"))
}

// ---------------------------------------------------------------------------
// Dev signer

/// The embedded mode's token signer: an ES256 key pair generated once and
/// kept in the data directory, so tokens survive restarts.
pub struct DevSigner {
    kid: String,
    issuer: String,
    encoding: EncodingKey,
    jwk: Jwk,
}

impl std::fmt::Debug for DevSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DevSigner")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// What a dev token says.
#[derive(Debug, Clone)]
pub struct DevTokenRequest {
    /// The subject (user id).
    pub subject: String,
    /// Display name.
    pub name: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Platform administrator.
    pub admin: bool,
    /// Lifetime.
    pub ttl: Duration,
}

#[derive(Serialize)]
struct DevClaims<'a> {
    iss: &'a str,
    aud: &'a str,
    sub: &'a str,
    iat: u64,
    nbf: u64,
    exp: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<&'a str>,
    #[serde(flatten)]
    extra: HashMap<&'a str, bool>,
}

/// What signs the platform's tokens for interlinkers under `config`: the
/// key of `auth.interlinker_key_file` when given; else the data directory's
/// dev key where the mesh trusts it (embedded mode, or `auth.dev_signer`);
/// else nothing (a deployment with an external issuer and no key of its
/// own: no tokens for interlinkers).
pub fn interlinker_signer(config: &crate::Config) -> std::io::Result<Option<DevSigner>> {
    let auth = &config.auth;
    if !auth.interlinker_key_file.is_empty() {
        return DevSigner::from_pem_file(
            Path::new(&auth.interlinker_key_file),
            &auth.interlinker_issuer,
        )
        .map(Some);
    }
    if !auth.jwks_url.is_empty() && !auth.dev_signer {
        return Ok(None);
    }
    DevSigner::load_or_create(&config.data_dir).map(Some)
}

/// How long after it was issued an interlinker may ask with a token of the
/// platform's what its person may do: as long as the page session that
/// token opened there lasts.
pub const INTERLINKER_SESSION: Duration = Duration::from_secs(8 * 3600);

/// The file the dev signer keeps its private key in.
pub const DEV_KEY_FILE: &str = "dev-signing-key.pem";

impl DevSigner {
    /// Loads the key from `data_dir`, creating it (mode 0600) on first use.
    pub fn load_or_create(data_dir: &Path) -> std::io::Result<Self> {
        use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
        let path = data_dir.join(DEV_KEY_FILE);
        let secret = if path.exists() {
            let pem = std::fs::read_to_string(&path)?;
            p256::SecretKey::from_pkcs8_pem(&pem)
                .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?
        } else {
            std::fs::create_dir_all(data_dir)?;
            let secret = p256::SecretKey::random(&mut rand::rngs::OsRng);
            let pem = secret
                .to_pkcs8_pem(LineEnding::LF)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(&path)?.write_all(pem.as_bytes())?;
            secret
        };
        Self::from_secret(&secret, DEV_ISSUER)
    }

    /// A signer of tokens issued as `issuer` with the P-256 key in the
    /// PKCS#8 PEM file at `path` (the platform's key for interlinkers).
    pub fn from_pem_file(path: &Path, issuer: &str) -> std::io::Result<Self> {
        use p256::pkcs8::DecodePrivateKey;
        let pem = std::fs::read_to_string(path)
            .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
        let secret = p256::SecretKey::from_pkcs8_pem(&pem)
            .map_err(|e| std::io::Error::other(format!("{}: {e}", path.display())))?;
        Self::from_secret(&secret, issuer)
    }

    fn from_secret(secret: &p256::SecretKey, issuer: &str) -> std::io::Result<Self> {
        use p256::pkcs8::{EncodePrivateKey, LineEnding};
        let pem = secret
            .to_pkcs8_pem(LineEnding::LF)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let encoding = EncodingKey::from_ec_pem(pem.as_bytes()).map_err(std::io::Error::other)?;
        let public =
            serde_json::to_value(secret.public_key().to_jwk()).map_err(std::io::Error::other)?;
        let x = public.get("x").and_then(|v| v.as_str()).unwrap_or_default();
        let prefix = if issuer == DEV_ISSUER {
            "dev"
        } else {
            "platform"
        };
        let kid = format!("{prefix}-{}", &x[..x.len().min(12)]);
        let mut jwk_json = public.clone();
        if let Some(object) = jwk_json.as_object_mut() {
            object.insert("kid".into(), kid.clone().into());
            object.insert("alg".into(), "ES256".into());
            object.insert("use".into(), "sig".into());
        }
        let jwk: Jwk = serde_json::from_value(jwk_json).map_err(std::io::Error::other)?;
        Ok(Self {
            kid,
            issuer: issuer.to_owned(),
            encoding,
            jwk,
        })
    }

    /// The public key set, as served at `/.well-known/jwks.json`.
    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.jwk.clone()],
        }
    }

    /// An authenticator that trusts this signer.
    pub fn authenticator(&self, config: &AuthConfig) -> Authenticator {
        Authenticator::fixed(&self.issuer, &self.jwks(), config)
    }

    /// Who and what a token this signer made names: its subject and
    /// audience, when its signature and issuer are this signer's and it was
    /// issued at most `max_age` ago (expired or not: an interlinker keeps
    /// the token that opened a page session, and asks with it for as long
    /// as the session lasts).
    pub fn issued(&self, token: &str, max_age: Duration) -> Result<(String, String), AuthError> {
        #[derive(Deserialize)]
        struct Issued {
            sub: String,
            aud: String,
            iat: u64,
        }
        let header = jsonwebtoken::decode_header(token).map_err(|e| refused(&e))?;
        if header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(invalid("unknown signing key"));
        }
        let key = DecodingKey::from_jwk(&self.jwk).map_err(|e| refused(&e))?;
        let mut validation = Validation::new(Algorithm::ES256);
        validation.set_issuer(&[&self.issuer]);
        validation.validate_aud = false;
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<Issued>(token, &key, &validation)
            .map_err(|e| refused(&e))?
            .claims;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        if claims.iat + max_age.as_secs() < now {
            return Err(invalid("token too old"));
        }
        if claims.sub.is_empty() || claims.aud.is_empty() {
            return Err(invalid("token names no one"));
        }
        Ok((claims.sub, claims.aud))
    }

    /// Signs a token for `audience`.
    pub fn mint(
        &self,
        request: &DevTokenRequest,
        audience: &str,
        admin_claim: &str,
    ) -> Result<String, AuthError> {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        let claims = DevClaims {
            iss: &self.issuer,
            aud: audience,
            sub: &request.subject,
            iat: now,
            nbf: now,
            exp: now + request.ttl.as_secs(),
            name: request.name.as_deref(),
            email: request.email.as_deref(),
            extra: HashMap::from([(admin_claim, request.admin)]),
        };
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn someone() -> Identity {
        Identity {
            subject: "ana".into(),
            name: None,
            email: None,
            platform_admin: false,
        }
    }

    #[test]
    fn verified_tokens_are_kept_until_they_expire_and_at_most_max_age() {
        let cache = VerifiedTokens::default();
        cache.put("t1", &someone(), 1_100, 1_000);
        assert_eq!(cache.get("t1", 1_099), Some(someone()));
        assert_eq!(cache.get("t1", 1_100), None, "kept past its expiry");
        assert_eq!(cache.get("t2", 1_000), None);

        cache.put("t3", &someone(), 1_000_000, 1_000);
        assert!(
            cache
                .get("t3", 1_000 + VerifiedTokens::MAX_AGE - 1)
                .is_some()
        );
        assert_eq!(cache.get("t3", 1_000 + VerifiedTokens::MAX_AGE), None);

        // An expired token is never stored.
        cache.put("t4", &someone(), 900, 1_000);
        assert_eq!(cache.get("t4", 950), None);
    }
}
