//! A harness for an interlinker's tests: the interlinker served over real
//! HTTP on a database of `Backend`, with the platform's dev signer minting
//! its tokens.

use std::sync::Arc;
use std::time::Duration;

use interlink_runtime::auth::{Authenticator, DevSigner, DevTokenRequest};
use interlink_runtime::config::AuthConfig;
use interlink_runtime::testing::{Backend, TestEnv};
use reqwest::StatusCode;
use sea_orm::DatabaseConnection;
use serde_json::Value;

/// What an interlinker's server is made from: its database, the
/// authenticator of the platform's tokens, the session secret, its public
/// URL and the platform's origin.
pub struct Parts {
    /// Its database, migrated.
    pub db: DatabaseConnection,
    /// Checks the platform's tokens for it.
    pub authenticator: Arc<Authenticator>,
    /// Seals its page sessions.
    pub session_secret: Vec<u8>,
    /// Where it is reached.
    pub public_url: String,
    /// The platform's origin.
    pub platform_origin: String,
}

/// An interlinker served for a test.
pub struct Harness {
    /// Its database.
    pub env: TestEnv,
    /// Where it is reached (`http://127.0.0.1:port`).
    pub base: String,
    /// The platform's dev signer.
    pub signer: DevSigner,
    /// A client that follows no redirects.
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// Serves the router `serve` makes from its parts, on `backend`, with
    /// `platform_origin` as the platform's.
    pub async fn start<M: sea_orm_migration::MigratorTrait>(
        backend: Backend,
        platform_origin: &str,
        serve: impl FnOnce(Parts) -> axum::Router,
    ) -> Self {
        let env = TestEnv::new::<M>(backend, |_| {}).await;
        let dir = tempfile::tempdir().expect("dir");
        let signer = DevSigner::load_or_create(dir.path()).expect("signer");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        // Its audience is its address, as the platform knows it.
        let auth = AuthConfig {
            audience: base.clone(),
            ..AuthConfig::default()
        };
        let router = serve(Parts {
            db: env.db.clone(),
            authenticator: Arc::new(signer.authenticator(&auth)),
            session_secret: vec![7u8; 64],
            public_url: base.clone(),
            platform_origin: platform_origin.to_owned(),
        });
        tokio::spawn(async move { axum::serve(listener, router).await });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .expect("client");
        Self {
            env,
            base,
            signer,
            http,
            _dir: dir,
        }
    }

    /// A token of the platform's for `subject` with `audience`.
    pub fn token_for(&self, subject: &str, audience: &str) -> String {
        self.signer
            .mint(
                &DevTokenRequest {
                    subject: subject.into(),
                    name: Some(format!("{subject} Name")),
                    email: None,
                    admin: false,
                    ttl: Duration::from_secs(300),
                },
                audience,
                "interlink_admin",
            )
            .expect("token")
    }

    /// A token of the platform's for `subject`, for this interlinker.
    pub fn token(&self, subject: &str) -> String {
        self.token_for(subject, &self.base)
    }

    /// A JSON call: its status and body (a JSON string when not JSON).
    pub async fn json(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("send");
        let status = response.status();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    /// A browser of `subject`'s: its page session opened with `?token=`,
    /// checked to leave the address and be kept `HttpOnly`.
    pub async fn browser(&self, subject: &str) -> reqwest::Client {
        let browser = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let response = browser
            .get(format!(
                "{}/assets/instantiate?language=es&token={}",
                self.base,
                self.token(subject)
            ))
            .send()
            .await
            .expect("open");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()["location"],
            "/assets/instantiate?language=es",
            "the token leaves the address"
        );
        let cookie = response.headers()["set-cookie"].to_str().expect("cookie");
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        browser
    }

    /// Drops the test's database.
    pub async fn stop(self) {
        self.env.cleanup().await;
    }
}

/// The value under which a share `p` (0–1) of the sorted `samples` lie.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize)
        .saturating_sub(1)
        .min(sorted.len() - 1)]
}

/// Prints a bench line: how many samples, p50, p99 and the slowest.
pub fn report(what: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{what:<48} {:>5}  p50 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        samples.len(),
        percentile(&samples, 0.50).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3,
        samples.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}
