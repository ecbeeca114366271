//! A client of the gateway as a web front-end or another e-government
//! system would be: REST/JSON with a bearer token, or gRPC through the same
//! port.

use std::time::{Duration, Instant};

use serde_json::Value;

/// A REST answer: the HTTP status and the JSON body (a JSON string when the
/// body is not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status.
    pub status: u16,
    /// The body.
    pub body: Value,
}

impl Reply {
    /// The body of a 200 answer; panics naming `what` and the answer
    /// otherwise (for tests).
    pub fn ok(self, what: &str) -> Value {
        assert_eq!(self.status, 200, "{what}: {}", self.body);
        self.body
    }
}

/// The gateway's REST and gRPC faces.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    channel: tonic::transport::Channel,
}

impl Client {
    /// A client of the gateway at `base` (`http://host:port`).
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let channel = tonic::transport::Channel::from_shared(base.to_owned())?
            .timeout(Duration::from_secs(30))
            .connect_lazy();
        Ok(Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()?,
            base: base.to_owned(),
            channel,
        })
    }

    /// The gateway's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A gRPC channel to the gateway (passthrough by service name).
    pub fn channel(&self) -> tonic::transport::Channel {
        self.channel.clone()
    }

    /// Sends a REST request; `headers` are added as given.
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> anyhow::Result<Reply> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let text = response.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Ok(Reply { status, body })
    }

    /// `GET path`.
    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call(reqwest::Method::GET, path, token, None, &[])
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// `POST path` with a JSON body.
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(reqwest::Method::POST, path, token, Some(&body), &[])
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"))
    }

    /// Repeats `call` until it answers 200, for at most 30 s: a projection
    /// of another service catching up with the events. Panics with the last
    /// answer after that.
    pub async fn eventually(&self, what: &str, call: impl AsyncFn() -> Reply) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let reply = call().await;
            if reply.status == 200 {
                return reply.body;
            }
            assert!(
                Instant::now() < deadline,
                "{what}: still {} {}",
                reply.status,
                reply.body
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A gRPC request carrying `token` as its bearer.
pub fn bearer<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Ok(value) = format!("Bearer {token}").parse() {
        request.metadata_mut().insert("authorization", value);
    }
    request
}
