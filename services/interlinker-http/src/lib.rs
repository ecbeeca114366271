//! What Interlink's first-party software interlinkers (documents, surveys)
//! share on the HTTP side of the interlinker contract
//! (`docs/interlinker-contract/v1`): how they learn who calls (a bearer
//! token of the platform's, or the page session one opened), the headers
//! that let only the platform frame them, the four languages of their
//! pages, and the contract's JSON conventions. Each interlinker keeps its
//! own domain, store, error enum and words.

#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use anyhow::Context;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, CookieJar, Key, SameSite};
use interlink_runtime::Config;
use interlink_runtime::auth::{Authenticator, DevSigner};
use interlink_runtime::config::{AuthConfig, InterlinkerConfig};
use interlink_runtime::db::{begin_write, run, statement};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, QueryResult};
use serde::{Deserialize, Serialize};

/// The contract the first-party interlinkers speak.
pub const CONTRACT: &str = "interlink.interlinker/1";
/// How long a page session lasts after the platform's token opened it.
pub const SESSION_SECS: i64 = 8 * 3600;

// ---------------------------------------------------------------------------
// Setting up

/// What verifies the platform's tokens for the interlinker `interlinker`
/// reached at `public_url`: the platform's JWKS when configured, else the
/// data directory's dev signer (embedded mode), in both cases with the
/// interlinker's own audience (its public URL unless configured).
pub fn authenticator(
    config: &Config,
    interlinker: &InterlinkerConfig,
    public_url: &str,
) -> anyhow::Result<Authenticator> {
    let audience = if interlinker.audience.is_empty() {
        public_url.to_owned()
    } else {
        interlinker.audience.clone()
    };
    let auth = AuthConfig {
        issuer: interlinker.issuer.clone(),
        audience,
        jwks_url: interlinker.jwks_url.clone(),
        ..config.auth.clone()
    };
    if interlinker.jwks_url.is_empty() {
        let signer = DevSigner::load_or_create(&config.data_dir).context("dev signing key")?;
        Ok(signer.authenticator(&auth))
    } else {
        Ok(Authenticator::remote(&auth)?)
    }
}

/// The address people reach an interlinker at: `public_url`, else `http://`
/// and the address it is bound to.
pub fn public_url(interlinker: &InterlinkerConfig, bound: std::net::SocketAddr) -> String {
    if interlinker.public_url.is_empty() {
        format!("http://{bound}")
    } else {
        interlinker.public_url.trim_end_matches('/').to_owned()
    }
}

/// The platform's web origin for an interlinker: `platform_origin`, else the
/// gateway's own address.
pub fn platform_origin(config: &Config, interlinker: &InterlinkerConfig) -> String {
    if interlinker.platform_origin.is_empty() {
        format!("http://{}", config.gateway.listen)
    } else {
        interlinker.platform_origin.trim_end_matches('/').to_owned()
    }
}

/// The `settings` table an interlinker's database keeps its own secrets
/// in (one name, one value), for its migrations to create.
pub const SETTINGS_TABLE: &str =
    "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)";

/// The setting `name`, made by `make` the first time it is asked for.
pub async fn setting(
    db: &DatabaseConnection,
    name: &str,
    make: impl FnOnce() -> String,
) -> Result<String, DbErr> {
    if let Some(row) = read_setting(db, name).await? {
        return row.try_get("", "value");
    }
    let txn = begin_write(db).await?;
    // Another replica may have made it meanwhile: the first one wins.
    run(
        &txn,
        "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        [name.into(), make().into()],
    )
    .await?;
    txn.commit().await?;
    read_setting(db, name)
        .await?
        .ok_or_else(|| DbErr::Custom(format!("setting {name} vanished")))?
        .try_get("", "value")
}

async fn read_setting(db: &DatabaseConnection, name: &str) -> Result<Option<QueryResult>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT value FROM settings WHERE name = $1",
        [name.into()],
    ))
    .await
}

/// The copy that a clone of `source` under the idempotency key `key` made
/// earlier, from the `clones` table an interlinker's migrations create
/// (`source_id`, `idempotency_key`, `clone_id`).
pub async fn earlier_clone(
    db: &impl ConnectionTrait,
    source: &str,
    key: &str,
) -> Result<Option<String>, DbErr> {
    db.query_one_raw(statement(
        db,
        "SELECT clone_id FROM clones WHERE source_id = $1 AND idempotency_key = $2",
        [source.into(), key.into()],
    ))
    .await?
    .map(|row| row.try_get("", "clone_id"))
    .transpose()
}

/// Remembers that the clone of `source` under `key` made `copy`, in the
/// transaction that makes it, so a retried clone finds it.
pub async fn remember_clone(
    db: &impl ConnectionTrait,
    source: &str,
    key: &str,
    copy: &str,
) -> Result<(), DbErr> {
    run(
        db,
        "INSERT INTO clones (source_id, idempotency_key, clone_id) VALUES ($1, $2, $3)",
        [source.into(), key.into(), copy.into()],
    )
    .await?;
    Ok(())
}

/// A random secret for page sessions, kept in the database so sessions
/// outlive a restart and replicas share it.
pub async fn session_secret(db: &DatabaseConnection) -> anyhow::Result<Vec<u8>> {
    use rand::RngCore;
    let hex = setting(db, "session_secret", || {
        let mut bytes = [0u8; 64];
        rand::thread_rng().fill_bytes(&mut bytes);
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    })
    .await?;
    Ok(hex.into_bytes())
}

// ---------------------------------------------------------------------------
// Who is asking

/// Someone the platform vouched for: from a bearer token, or from the page
/// session a token opened.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Person {
    /// The token's subject.
    pub sub: String,
    /// The name to show (the subject when the token names no one).
    pub name: String,
    /// When the page session ends, in seconds since the epoch.
    pub exp: i64,
    /// The platform's token that vouched for them, kept to ask the
    /// platform what they may do ([`Gate::may`]).
    #[serde(default)]
    pub token: String,
}

/// Why the platform's answer lets a person not do something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAllowed {
    /// The platform says they may not (no grant on the asset's task).
    Denied,
    /// The platform could not be asked.
    Unreachable,
}

/// How an interlinker asks the platform what a person may do with an
/// asset (`CheckInterlinkerAccess`, `POST /v1/interlinkerAccess:check`).
#[derive(Debug, Clone)]
struct AccessCheck {
    url: String,
    http: reqwest::Client,
}

/// Why the caller is not known: no token or session, or one that does not
/// verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unauthenticated;

/// How an interlinker tells who calls it and keeps page sessions.
#[derive(Clone)]
pub struct Gate {
    authenticator: Arc<Authenticator>,
    session_key: Key,
    cookie_name: &'static str,
    secure_cookies: bool,
    public_url: String,
    platform_origin: String,
    access: Option<AccessCheck>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate")
            .field("cookie_name", &self.cookie_name)
            .field("public_url", &self.public_url)
            .field("platform_origin", &self.platform_origin)
            .finish_non_exhaustive()
    }
}

impl Gate {
    /// `authenticator` checks the platform's tokens for this interlinker,
    /// `session_secret` (at least 32 bytes) seals page sessions kept in the
    /// cookie `cookie_name`, `public_url` is where the interlinker is
    /// reached and `platform_origin` the one site that may frame it.
    pub fn new(
        authenticator: Arc<Authenticator>,
        session_secret: &[u8],
        cookie_name: &'static str,
        public_url: String,
        platform_origin: String,
    ) -> Self {
        Self {
            authenticator,
            session_key: Key::derive_from(session_secret),
            cookie_name,
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            platform_origin,
            access: None,
        }
    }

    /// Asks the platform at `url` (its `POST /v1/interlinkerAccess:check`)
    /// before each page of an asset, so who may view or edit it stays the
    /// platform's to say, at once.
    pub fn with_access_checks(mut self, url: String) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()?;
        self.access = Some(AccessCheck { url, http });
        Ok(self)
    }

    /// Where a platform's access check for this interlinker is asked:
    /// the platform's origin's REST route.
    pub fn access_url(platform_origin: &str) -> String {
        format!(
            "{}/v1/interlinkerAccess:check",
            platform_origin.trim_end_matches('/')
        )
    }

    /// Whether `person` may view (or, with `edit`, edit) this interlinker's
    /// asset `external_id`, as the platform says now. Assets the platform
    /// did not make here (an integrator's, the genesis templates) are the
    /// interlinker's own: anyone the platform vouches for may open them.
    /// Without access checks configured (tests of the interlinker alone),
    /// everyone may.
    pub async fn may(
        &self,
        person: &Person,
        external_id: &str,
        edit: bool,
    ) -> Result<(), NotAllowed> {
        #[derive(Deserialize)]
        struct Access {
            #[serde(default)]
            asset: String,
            #[serde(default)]
            view: bool,
            #[serde(default)]
            edit: bool,
        }
        let Some(check) = &self.access else {
            return Ok(());
        };
        let response = check
            .http
            .post(&check.url)
            .json(&serde_json::json!({ "token": person.token, "externalId": external_id }))
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "the platform could not be asked about an asset");
                NotAllowed::Unreachable
            })?;
        if !response.status().is_success() {
            tracing::warn!(status = %response.status(), "the platform refused an access check");
            return Err(NotAllowed::Unreachable);
        }
        let access: Access = response.json().await.map_err(|e| {
            tracing::warn!(error = %e, "the platform's access answer did not read");
            NotAllowed::Unreachable
        })?;
        let allowed = access.asset.is_empty() || if edit { access.edit } else { access.view };
        if allowed {
            Ok(())
        } else {
            Err(NotAllowed::Denied)
        }
    }

    /// Where the interlinker is reached, without a trailing slash.
    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// The platform's web origin.
    pub fn platform_origin(&self) -> &str {
        &self.platform_origin
    }

    /// The caller of a JSON route: a bearer token of the platform's.
    pub async fn bearer(&self, headers: &HeaderMap) -> Result<Person, Unauthenticated> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(Unauthenticated)?;
        self.verify(token).await
    }

    /// The person a token of the platform's names.
    pub async fn verify(&self, token: &str) -> Result<Person, Unauthenticated> {
        let identity = self.authenticator.authenticate(token).await.map_err(|e| {
            tracing::debug!(error = %e, "a token was refused");
            Unauthenticated
        })?;
        Ok(Person {
            name: identity.name.unwrap_or_else(|| identity.subject.clone()),
            sub: identity.subject,
            exp: interlink_runtime::api::now_ms() / 1000 + SESSION_SECS,
            token: token.to_owned(),
        })
    }

    /// The caller of a page: a bearer token, or the session a token opened.
    pub async fn person(&self, headers: &HeaderMap) -> Result<Person, Unauthenticated> {
        if headers.contains_key(header::AUTHORIZATION) {
            return self.bearer(headers).await;
        }
        self.session(headers).ok_or(Unauthenticated)
    }

    /// The page session `headers` carry, if any is valid: unlike
    /// [`Gate::person`] it never looks at a bearer token, for pages anyone
    /// may open that say more to people signed in.
    pub fn session(&self, headers: &HeaderMap) -> Option<Person> {
        let mut jar = CookieJar::new();
        for value in headers.get_all(header::COOKIE) {
            for cookie in value.to_str().unwrap_or_default().split(';') {
                if let Ok(cookie) = Cookie::parse(cookie.trim().to_owned()) {
                    jar.add_original(cookie);
                }
            }
        }
        let person: Person = jar
            .private(&self.session_key)
            .get(self.cookie_name)
            .and_then(|c| serde_json::from_str(c.value()).ok())?;
        (person.exp > interlink_runtime::api::now_ms() / 1000).then_some(person)
    }

    /// The `Set-Cookie` value that keeps `person` for the pages.
    pub fn session_cookie(&self, person: &Person) -> Option<HeaderValue> {
        let value = serde_json::to_string(person).ok()?;
        let mut jar = CookieJar::new();
        jar.private_mut(&self.session_key)
            .add(Cookie::new(self.cookie_name, value));
        let sealed = jar.get(self.cookie_name)?.value().to_owned();
        // Framed by the platform on another site, the cookie must be sent
        // in a third-party context: `None` (which needs `Secure`).
        let same_site = if self.secure_cookies {
            SameSite::None
        } else {
            SameSite::Lax
        };
        let cookie = Cookie::build((self.cookie_name, sealed))
            .http_only(true)
            .secure(self.secure_cookies)
            .same_site(same_site)
            .path("/")
            .max_age(cookie::time::Duration::seconds(SESSION_SECS))
            .build();
        HeaderValue::from_str(&cookie.to_string()).ok()
    }

    /// A page opened with `?token=`: the token is checked, kept as this
    /// interlinker's session, and the page at `path` opened again without
    /// it (so the token stays out of history and logs), keeping `language`.
    pub async fn sign_in(
        &self,
        token: &str,
        path: &str,
        language: Option<&str>,
    ) -> Result<Response, Unauthenticated> {
        let person = self.verify(token).await?;
        let mut target = path.to_owned();
        if let Some(language) = language {
            target.push_str("?language=");
            target.extend(form_urlencoded::byte_serialize(language.as_bytes()));
        }
        let mut response = Redirect::to(&target).into_response();
        if let Some(cookie) = self.session_cookie(&person) {
            response.headers_mut().insert(header::SET_COOKIE, cookie);
        }
        Ok(response)
    }

    /// Whether a page form comes from this interlinker's own pages (a
    /// request without `Origin` is a same-site form of an older browser).
    pub fn same_origin(&self, headers: &HeaderMap) -> bool {
        match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            None => true,
            Some(origin) => !origin.is_empty() && self.public_url.starts_with(origin),
        }
    }

    /// The layer that lets only the platform frame these pages and runs no
    /// script but the interlinker's own.
    pub fn security_headers<S: Clone + Send + Sync + 'static>(
        &self,
        router: axum::Router<S>,
    ) -> axum::Router<S> {
        router.layer(axum::middleware::from_fn_with_state(
            self.platform_origin.clone(),
            security_headers,
        ))
    }
}

async fn security_headers(
    State(platform_origin): State<String>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    let ancestors = if platform_origin.is_empty() {
        "'self'".to_owned()
    } else {
        format!("'self' {platform_origin}")
    };
    if let Ok(policy) = HeaderValue::from_str(&format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
         form-action 'self'; base-uri 'none'; frame-ancestors {ancestors}"
    )) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

// ---------------------------------------------------------------------------
// Languages

/// A language the pages speak: the platform's four.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the default).
    En,
    /// Spanish.
    Es,
    /// Italian.
    It,
    /// Latvian.
    Lv,
}

impl Lang {
    /// Every language, the default first.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::Es, Lang::It, Lang::Lv];

    /// Its BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::It => "it",
            Lang::Lv => "lv",
        }
    }

    /// The best of the four for an `Accept-Language` value (by quality,
    /// then order; English when none fits).
    pub fn negotiate(accept: &str) -> Lang {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (order, range) in accept.split(',').enumerate() {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            let Some(lang) = Lang::ALL.into_iter().find(|l| l.tag() == primary) else {
                continue;
            };
            if quality <= 0.0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((q, o, _)) => quality > q || (quality == q && order < o),
            };
            if better {
                best = Some((quality, order, lang));
            }
        }
        best.map_or(Lang::En, |(_, _, lang)| lang)
    }

    /// The language a request's browser asks for (the platform frames the
    /// pages, so the browser asks as it asks the platform).
    pub fn of(headers: &HeaderMap) -> Lang {
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .map_or(Lang::En, Lang::negotiate)
    }
}

/// `template` with `{name}` placeholders filled from `values`.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The `{name}` placeholders of `text`, sorted: every language of a text
/// must fill the same places.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------
// The contract's conventions

/// Milliseconds since the epoch as RFC 3339 in UTC.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Milliseconds since the epoch as a reader's date and time (UTC).
pub fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Why a JSON body does not fit: where (empty for the body as a whole)
/// and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadJson {
    /// The path of the field in the body, empty for the whole body.
    pub field: String,
    /// What is wrong there.
    pub reason: String,
}

/// A JSON body read into `T`, naming the field on a mistake.
pub fn json_body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, BadJson> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let field = e.path().to_string();
        BadJson {
            field: if field == "." { String::new() } else { field },
            reason: e.inner().to_string(),
        }
    })
}

/// The clone's `Idempotency-Key` header: 1 to `MAX_IDEMPOTENCY_KEY`
/// characters, or `None`.
pub fn idempotency_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
}

/// The longest idempotency key taken.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;

/// A rendered page, or a plain 500 when it does not render.
pub fn html(template: &impl Template) -> Response {
    match template.render() {
        Ok(page) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "a page did not render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// The script of the contract's page handshake: on a page holding an
/// element `#created` with `data-asset` (the asset's JSON) and
/// `data-platform-origin`, it posts `{code: "asset_created", message}` to
/// the embedding window, at the platform's origin only.
pub const HANDSHAKE_JS: &str = include_str!("../static/handshake.js");

/// A static file's response.
pub fn file(media_type: &'static str, body: &'static str) -> Response {
    ([(header::CONTENT_TYPE, media_type)], body).into_response()
}

/// What `GET /manifest` says of an interlinker.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// The contract spoken ([`CONTRACT`]).
    pub contract: String,
    /// The interlinker's name.
    pub name: String,
    /// What it can do with its assets (the contract's capability names).
    pub capabilities: Vec<String>,
    /// An image for it.
    pub icon: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_browser_chooses_among_the_four() {
        assert_eq!(Lang::negotiate("es-ES,es;q=0.9,en;q=0.8"), Lang::Es);
        assert_eq!(Lang::negotiate("de-DE, it;q=0.5, lv;q=0.7"), Lang::Lv);
        assert_eq!(Lang::negotiate("fr, de"), Lang::En);
        assert_eq!(Lang::negotiate("lv;q=0, it"), Lang::It);
        assert_eq!(Lang::negotiate(""), Lang::En);
    }

    #[test]
    fn placeholders_are_named_and_filled() {
        assert_eq!(placeholders("{n} of {name}, {n}"), ["n", "n", "name"]);
        assert_eq!(
            fill("{n} of {name}", &[("n", "3"), ("name", "Ana")]),
            "3 of Ana"
        );
    }

    #[test]
    fn json_bodies_name_the_field_at_fault() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Body {
            name: String,
        }
        let bad = json_body::<Body>(br#"{"name": 3}"#).err();
        assert_eq!(bad.map(|e| e.field), Some("name".to_owned()));
        let whole = json_body::<Body>(b"[").err();
        assert_eq!(whole.map(|e| e.field), Some(String::new()));
    }
}
