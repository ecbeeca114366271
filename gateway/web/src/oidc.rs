//! Signing in with the PA's OpenID provider (Zaragoza runs Keycloak): the
//! authorization code flow with PKCE, a nonce and a state, through the
//! `openidconnect` crate. The provider's metadata and keys are discovered
//! on first use and again every few minutes (so a provider started after
//! the gateway, or one that rotated its keys, is found). The pages call the
//! services with the provider's access token, which the services verify as
//! they verify any caller's; it is refreshed with the refresh token when it
//! ends, and sign-out ends the provider's session too when it offers
//! RP-initiated logout.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreErrorResponseType, CoreIdToken};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndSessionUrl,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, LanguageTag, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};

use crate::session::now_secs;

/// How long discovered metadata and keys are used before asking again.
const DISCOVERY_LIFETIME: Duration = Duration::from_secs(600);

/// After a failed discovery, how long before asking again (meanwhile the
/// last metadata found serves, or sign-in says it is unavailable).
const DISCOVERY_BACKOFF: Duration = Duration::from_secs(15);

/// How long a refresh's outcome is shared with the requests that asked
/// for the same one (pages load in parallel; a rotated refresh token used
/// twice would make the provider end the whole sign-in).
const REFRESH_SHARED: Duration = Duration::from_secs(60);

/// How long a person has to sign in at the provider (the pending sign-in
/// cookie's lifetime).
pub(crate) const PENDING_SECS: i64 = 600;

/// The pending sign-in's cookie.
pub(crate) const PENDING_COOKIE: &str = "interlink_sign_in";

/// Where the provider sends people back.
pub(crate) const CALLBACK_PATH: &str = "/sign-in/callback";

/// Signing in with the PA's OpenID provider.
#[derive(Clone)]
pub struct OidcSignIn {
    /// The provider's issuer URL: the same issuer the services trust
    /// (`auth.issuer`), since they verify its access tokens.
    pub issuer: String,
    /// This deployment's client id at the provider.
    pub client_id: String,
    /// Its client secret (a confidential client); `None`: a public client,
    /// protected by PKCE alone.
    pub client_secret: Option<String>,
    /// The scopes asked for besides `openid`.
    pub scopes: Vec<String>,
    /// The access token's claim that makes a platform administrator.
    pub admin_claim: String,
}

impl std::fmt::Debug for OidcSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSignIn")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "…"))
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

/// Why signing in with the provider failed (logged; the visitor sees a
/// page saying sign-in is unavailable or failed).
#[derive(Debug, thiserror::Error)]
pub(crate) enum OidcError {
    /// The provider's metadata or keys could not be fetched.
    #[error("the provider's metadata: {0}")]
    Discovery(String),
    /// The provider refused or did not answer the token request.
    #[error("the token request: {0}")]
    Token(String),
    /// The ID token is missing, badly signed, for someone else or replayed.
    #[error("the ID token: {0}")]
    IdToken(String),
    /// The access token is not a JWT the services could verify.
    #[error("the access token: {0}")]
    AccessToken(String),
}

/// The client as discovery makes it: the authorization endpoint set, the
/// token and userinfo endpoints as the metadata says.
type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What discovery found.
struct Provider {
    client: Client,
    end_session: Option<EndSessionUrl>,
    found_at: Instant,
}

/// A sign-in begun: kept sealed in a cookie until the provider sends the
/// person back.
#[derive(Serialize, Deserialize)]
pub(crate) struct Pending {
    /// The `state` sent to the provider (compared in constant time).
    pub(crate) state: String,
    nonce: String,
    verifier: String,
    /// Where to go once signed in (a path of this site).
    pub(crate) next: String,
    /// When it began (seconds since the Unix epoch): it lasts
    /// [`PENDING_SECS`], whatever the browser keeps.
    pub(crate) issued_at: u64,
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pending")
            .field("next", &self.next)
            .field("issued_at", &self.issued_at)
            .finish_non_exhaustive()
    }
}

/// The tokens of a sign-in or a refresh, and who they are for.
#[derive(Clone)]
pub(crate) struct Tokens {
    pub(crate) subject: String,
    /// `name`, else `preferred_username`, from the ID token (refreshes
    /// keep the name the session has).
    pub(crate) name: Option<String>,
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    /// The ID token, the hint a sign-out gives the provider.
    pub(crate) id_token: Option<String>,
    pub(crate) expires_at: u64,
    pub(crate) admin: bool,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("subject", &self.subject)
            .field("expires_at", &self.expires_at)
            .field("admin", &self.admin)
            .finish_non_exhaustive()
    }
}

/// What a refresh came to.
#[derive(Debug, Clone)]
pub(crate) enum Refreshed {
    /// New tokens.
    Tokens(Tokens),
    /// The provider refused the refresh token (`invalid_grant`): the
    /// sign-in ended there.
    Refused,
    /// The provider did not answer, or answered something else: the
    /// session is kept to try again.
    Unavailable,
}

/// A refresh under way, awaited by every request that asked for it.
type SharedRefresh = Shared<BoxFuture<'static, Refreshed>>;

/// What discovery found last, and when it last failed.
#[derive(Default)]
struct Discovered {
    provider: Option<Arc<Provider>>,
    failed_at: Option<Instant>,
}

/// The OpenID provider as the pages use it.
pub(crate) struct Oidc {
    settings: OidcSignIn,
    redirect: RedirectUrl,
    post_logout: Option<PostLogoutRedirectUrl>,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<Discovered>,
    refreshing: Mutex<HashMap<String, (Instant, SharedRefresh)>>,
}

impl Oidc {
    /// The provider for a site served at `public_url`; `None` (and an
    /// error logged) if the addresses cannot be made.
    pub(crate) fn new(settings: OidcSignIn, public_url: &str) -> Option<Self> {
        let base = public_url.trim_end_matches('/');
        let redirect = RedirectUrl::new(format!("{base}{CALLBACK_PATH}"))
            .map_err(|e| tracing::error!(error = %e, "no OpenID sign-in: the callback address"))
            .ok()?;
        let post_logout = PostLogoutRedirectUrl::new(format!("{base}/")).ok();
        let http = reqwest::Client::builder()
            // Following redirects would let a provider's answer send us
            // anywhere (SSRF).
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| tracing::error!(error = %e, "no OpenID sign-in: the HTTP client"))
            .ok()?;
        Some(Self {
            settings,
            redirect,
            post_logout,
            http,
            discovered: tokio::sync::Mutex::new(Discovered::default()),
            refreshing: Mutex::new(HashMap::new()),
        })
    }

    /// The provider's metadata and keys, discovered again when old. When
    /// discovery fails the last metadata found serves on, and no new
    /// attempt is made for [`DISCOVERY_BACKOFF`], so a provider that is
    /// down does not hold every sign-in for its timeout.
    async fn provider(&self) -> Result<Arc<Provider>, OidcError> {
        let mut discovered = self.discovered.lock().await;
        let fresh = discovered
            .provider
            .as_ref()
            .filter(|p| p.found_at.elapsed() < DISCOVERY_LIFETIME);
        let backing_off = discovered
            .failed_at
            .is_some_and(|at| at.elapsed() < DISCOVERY_BACKOFF);
        if let Some(provider) = fresh.or(discovered.provider.as_ref().filter(|_| backing_off)) {
            return Ok(Arc::clone(provider));
        }
        if backing_off {
            return Err(OidcError::Discovery(
                "the provider did not answer lately".into(),
            ));
        }
        match self.discover().await {
            Ok(provider) => {
                let provider = Arc::new(provider);
                discovered.provider = Some(Arc::clone(&provider));
                discovered.failed_at = None;
                Ok(provider)
            }
            Err(e) => {
                discovered.failed_at = Some(Instant::now());
                match &discovered.provider {
                    Some(stale) => {
                        tracing::warn!(error = %e, "the OpenID provider's metadata could not be renewed; the last found serves");
                        Ok(Arc::clone(stale))
                    }
                    None => Err(e),
                }
            }
        }
    }

    /// Asks the provider for its metadata and keys.
    async fn discover(&self) -> Result<Provider, OidcError> {
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::Discovery(e.to_string()))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::Discovery(error_chain(&e)))?;
        let end_session = metadata.additional_metadata().end_session_endpoint.clone();
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            self.settings.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(self.redirect.clone());
        Ok(Provider {
            client,
            end_session,
            found_at: Instant::now(),
        })
    }

    /// Begins a sign-in: the provider's address to send the person to
    /// (in their language), and what to keep until they come back.
    pub(crate) async fn begin(
        &self,
        next: String,
        language: &str,
    ) -> Result<(String, Pending), OidcError> {
        let provider = self.provider().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = provider
            .client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge)
            .add_ui_locale(LanguageTag::new(language.to_owned()));
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        Ok((
            url.to_string(),
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                verifier: verifier.secret().clone(),
                next,
                issued_at: now_secs(),
            },
        ))
    }

    /// Finishes a sign-in: trades the code for tokens (with the PKCE
    /// verifier) and checks the ID token (signature, issuer, audience,
    /// expiry, nonce, and the access token's hash).
    pub(crate) async fn finish(&self, pending: Pending, code: String) -> Result<Tokens, OidcError> {
        let provider = self.provider().await?;
        let client = &provider.client;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Token(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Token(error_chain(&e)))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::IdToken("the provider sent none".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(pending.nonce))
            .map_err(|e| OidcError::IdToken(e.to_string()))?;
        if let Some(expected) = claims.access_token_hash() {
            let algorithm = id_token
                .signing_alg()
                .map_err(|e| OidcError::IdToken(e.to_string()))?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|e| OidcError::IdToken(e.to_string()))?;
            let actual = AccessTokenHash::from_token(response.access_token(), algorithm, key)
                .map_err(|e| OidcError::IdToken(e.to_string()))?;
            if actual != *expected {
                return Err(OidcError::IdToken(
                    "the access token is not the one it was issued with".into(),
                ));
            }
        }
        let name = claims
            .name()
            .and_then(|name| name.get(None))
            .map(|name| name.as_str().to_owned())
            .or_else(|| {
                claims
                    .preferred_username()
                    .map(|name| name.as_str().to_owned())
            });
        let access = access_claims(response.access_token().secret(), &self.settings.admin_claim)?;
        if access.subject != claims.subject().as_str() {
            return Err(OidcError::AccessToken(
                "its subject is not the ID token's".into(),
            ));
        }
        Ok(Tokens {
            subject: access.subject,
            name,
            access_token: response.access_token().secret().clone(),
            refresh_token: response.refresh_token().map(|t| t.secret().clone()),
            id_token: Some(id_token.to_string()),
            expires_at: access.expires_at,
            admin: access.admin,
        })
    }

    /// New tokens for a refresh token. Requests asking with the same
    /// refresh token at once share one refresh, which runs on its own task
    /// so a request that goes away cannot cut it short (the provider, having
    /// rotated the token, would take a second use for a theft). An
    /// unavailable outcome is forgotten at once, so the next request tries
    /// again.
    pub(crate) async fn refresh(self: &Arc<Self>, refresh_token: &str) -> Refreshed {
        let shared = {
            let mut refreshing = self
                .refreshing
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            // A finished refresh is shared only while its token is good:
            // one about to end (short-lived tokens) is asked for again.
            let still_good = |outcome: Option<&Refreshed>| match outcome {
                Some(Refreshed::Tokens(tokens)) => {
                    tokens.expires_at > now_secs() + crate::session::EXPIRY_MARGIN_SECS
                }
                Some(_) => false,
                None => true,
            };
            refreshing.retain(|_, (since, shared)| {
                since.elapsed() < REFRESH_SHARED && still_good(shared.peek())
            });
            refreshing
                .entry(refresh_token.to_owned())
                .or_insert_with(|| {
                    let this = Arc::clone(self);
                    let token = refresh_token.to_owned();
                    let task = tokio::spawn(async move { this.refresh_now(&token).await });
                    let outcome = async move { task.await.unwrap_or(Refreshed::Unavailable) };
                    (Instant::now(), outcome.boxed().shared())
                })
                .1
                .clone()
        };
        let outcome = shared.await;
        if matches!(outcome, Refreshed::Unavailable) {
            self.refreshing
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .remove(refresh_token);
        }
        outcome
    }

    async fn refresh_now(&self, refresh_token: &str) -> Refreshed {
        let provider = match self.provider().await {
            Ok(provider) => provider,
            Err(e) => {
                tracing::warn!(error = %e, "a session could not be refreshed now");
                return Refreshed::Unavailable;
            }
        };
        let refresh = RefreshToken::new(refresh_token.to_owned());
        let request = match provider.client.exchange_refresh_token(&refresh) {
            Ok(request) => request,
            Err(e) => {
                tracing::error!(error = %e, "the provider has no token endpoint");
                return Refreshed::Unavailable;
            }
        };
        let response = match request.request_async(&self.http).await {
            Ok(response) => response,
            Err(RequestTokenError::ServerResponse(answer))
                if *answer.error() == CoreErrorResponseType::InvalidGrant =>
            {
                tracing::info!(
                    "a session's refresh was refused: its sign-in ended at the provider"
                );
                return Refreshed::Refused;
            }
            Err(e) => {
                tracing::warn!(error = %error_chain(&e), "a session could not be refreshed now");
                return Refreshed::Unavailable;
            }
        };
        let access = match access_claims(
            response.access_token().secret(),
            &self.settings.admin_claim,
        ) {
            Ok(access) => access,
            Err(e) => {
                tracing::error!(error = %e, "a refresh gave an access token the services cannot check");
                return Refreshed::Refused;
            }
        };
        Refreshed::Tokens(Tokens {
            subject: access.subject,
            name: None,
            access_token: response.access_token().secret().clone(),
            // A provider that does not rotate refresh tokens sends none
            // back: the one used stays good.
            refresh_token: Some(
                response
                    .refresh_token()
                    .map_or_else(|| refresh_token.to_owned(), |t| t.secret().clone()),
            ),
            id_token: response.id_token().map(ToString::to_string),
            expires_at: access.expires_at,
            admin: access.admin,
        })
    }

    /// Where to send a person signing out so the provider ends its session
    /// too, then sends them home; `None` when it offers no such endpoint.
    pub(crate) async fn end_session_url(
        &self,
        language: &str,
        id_token: Option<&str>,
    ) -> Option<String> {
        let provider = match self.provider().await {
            Ok(provider) => provider,
            Err(e) => {
                tracing::warn!(error = %e, "signing out here only");
                return None;
            }
        };
        let mut request = openidconnect::LogoutRequest::from(provider.end_session.clone()?)
            .set_client_id(ClientId::new(self.settings.client_id.clone()))
            .add_ui_locale(LanguageTag::new(language.to_owned()));
        if let Some(home) = &self.post_logout {
            request = request.set_post_logout_redirect_uri(home.clone());
        }
        // The ID token tells the provider whose session ends, so it need
        // not ask (Keycloak asks without it).
        if let Some(hint) = id_token.and_then(|t| t.parse::<CoreIdToken>().ok()) {
            request = request.set_id_token_hint(&hint);
        }
        Some(request.http_get_url().to_string())
    }
}

/// An error with its sources, for the log.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// What the pages read from an access token: whose it is, when it ends,
/// and whether it makes a platform administrator.
#[derive(Debug, PartialEq, Eq)]
struct AccessClaims {
    subject: String,
    expires_at: u64,
    admin: bool,
}

/// The claims of an access token, read without checking its signature:
/// it came straight from the provider over its own connection, and every
/// service checks it before acting on it. A token that is not a JWT could
/// not be checked by the services, so it is refused here.
fn access_claims(token: &str, admin_claim: &str) -> Result<AccessClaims, OidcError> {
    let not_jwt = || {
        OidcError::AccessToken(
            "not a JWT: configure the provider to issue JWT access tokens for this client".into(),
        )
    };
    let payload = token.split('.').nth(1).ok_or_else(not_jwt)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| not_jwt())?;
    let claims: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|_| not_jwt())?;
    let subject = claims
        .get("sub")
        .and_then(serde_json::Value::as_str)
        .filter(|sub| !sub.is_empty())
        .ok_or_else(|| OidcError::AccessToken("it has no subject".into()))?
        .to_owned();
    let expires_at = claims
        .get("exp")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| OidcError::AccessToken("it has no expiry".into()))?;
    if expires_at <= now_secs() {
        return Err(OidcError::AccessToken("it has already expired".into()));
    }
    let admin = claims.get(admin_claim) == Some(&serde_json::Value::Bool(true));
    Ok(AccessClaims {
        subject,
        expires_at,
        admin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &serde_json::Value) -> String {
        let encode = |v: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
        format!(
            "{}.{}.signature",
            encode(br#"{"alg":"RS256"}"#),
            encode(claims.to_string().as_bytes())
        )
    }

    #[test]
    fn an_access_token_says_whose_it_is_until_when_and_whether_they_administer() {
        let exp = now_secs() + 300;
        let token = jwt(&serde_json::json!({"sub": "ana", "exp": exp, "platform_admin": true}));
        assert_eq!(
            access_claims(&token, "platform_admin").expect("claims"),
            AccessClaims {
                subject: "ana".into(),
                expires_at: exp,
                admin: true
            }
        );
        // Only `true` makes an administrator.
        let token = jwt(&serde_json::json!({"sub": "ana", "exp": exp, "platform_admin": "yes"}));
        assert!(
            !access_claims(&token, "platform_admin")
                .expect("claims")
                .admin
        );
    }

    #[test]
    fn opaque_subjectless_and_ended_access_tokens_are_refused() {
        let refused = |token: &str| access_claims(token, "admin").is_err();
        assert!(refused("an-opaque-token"));
        assert!(refused("a.%%%.c"));
        assert!(refused(&jwt(&serde_json::json!({"exp": now_secs() + 60}))));
        assert!(refused(&jwt(&serde_json::json!({"sub": "ana"}))));
        assert!(refused(&jwt(&serde_json::json!({"sub": "ana", "exp": 1}))));
    }
}
