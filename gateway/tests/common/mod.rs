//! A gateway on loopback in front of a scripted echo service, called in
//! process through the runtime's authentication, as `interlink up` wires it.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use interlink_gateway::Gateway;
use interlink_proto::echo::v1::echo_service_server::{EchoService, EchoServiceServer};
use interlink_proto::echo::v1::{EchoRequest, EchoResponse};
use interlink_runtime::auth::{DevSigner, DevTokenRequest, identity};
use interlink_runtime::config::{AuthConfig, GatewayConfig};
use tokio_util::sync::CancellationToken;

/// Answers by script: `code:N` fails with gRPC code N, `sleep:MS` waits
/// first, `violation` fails naming a field, `whoami` answers the caller's
/// subject, `traceparent` the trace context it received; anything else is
/// echoed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scripted;

#[tonic::async_trait]
impl EchoService for Scripted {
    type EchoStreamStream = interlink_runtime::echo::EchoStream;

    async fn echo_stream(
        &self,
        request: tonic::Request<interlink_proto::echo::v1::EchoStreamRequest>,
    ) -> Result<tonic::Response<Self::EchoStreamStream>, tonic::Status> {
        interlink_runtime::echo::echo_stream(request.into_inner()).map(tonic::Response::new)
    }

    async fn echo(
        &self,
        request: tonic::Request<EchoRequest>,
    ) -> Result<tonic::Response<EchoResponse>, tonic::Status> {
        let caller = identity(&request).map(|i| i.subject.clone());
        let traceparent = request
            .metadata()
            .get("traceparent")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let message = request.into_inner().message;
        if let Some(code) = message.strip_prefix("code:") {
            let code: i32 = code
                .parse()
                .map_err(|_| tonic::Status::internal("bad script"))?;
            return Err(tonic::Status::new(
                tonic::Code::from(code),
                "scripted failure",
            ));
        }
        if let Some(ms) = message.strip_prefix("sleep:") {
            let ms: u64 = ms
                .parse()
                .map_err(|_| tonic::Status::internal("bad script"))?;
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        if message == "violation" {
            return Err(interlink_runtime::error::invalid_argument(&[
                interlink_runtime::error::FieldViolation::new("message", "must not be `violation`"),
            ]));
        }
        if message == "traceparent" {
            return Ok(tonic::Response::new(EchoResponse {
                message: traceparent.unwrap_or_default(),
            }));
        }
        // `large:N`: N bytes of text that JSON escapes; `largewho:N`: the
        // caller's name (or `anonymous`) N times.
        if let Some(n) = message.strip_prefix("large:") {
            let n: usize = n
                .parse()
                .map_err(|_| tonic::Status::internal("bad script"))?;
            return Ok(tonic::Response::new(EchoResponse {
                message: "a\"é\n".chars().cycle().take(n).collect(),
            }));
        }
        if let Some(n) = message.strip_prefix("largewho:") {
            let n: usize = n
                .parse()
                .map_err(|_| tonic::Status::internal("bad script"))?;
            let who = caller.unwrap_or_else(|| "anonymous".into());
            return Ok(tonic::Response::new(EchoResponse {
                message: who.repeat(n),
            }));
        }
        if message == "whoami" {
            return Ok(tonic::Response::new(EchoResponse {
                message: caller.unwrap_or_default(),
            }));
        }
        Ok(tonic::Response::new(EchoResponse { message }))
    }
}

/// A running gateway.
pub struct Fixture {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// A citizen's token.
    pub token: String,
    /// The gateway (for its routes).
    pub gateway: Gateway,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Fixture {
    /// A gateway with `tune`d settings (rate limiting off unless tuned).
    pub async fn start(tune: impl FnOnce(&mut GatewayConfig)) -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let signer = DevSigner::load_or_create(dir.path()).expect("dev signer");
        let auth = AuthConfig::default();
        let authenticator = Arc::new(signer.authenticator(&auth));
        let token = signer
            .mint(
                &DevTokenRequest {
                    subject: "citizen-1".into(),
                    name: None,
                    email: None,
                    admin: false,
                    ttl: Duration::from_secs(3600),
                },
                &auth.audience,
                &auth.admin_claim,
            )
            .expect("token");
        let mut routes = tonic::service::RoutesBuilder::default();
        routes.add_service(EchoServiceServer::new(Scripted));
        let mut config = GatewayConfig {
            rate_limit_per_second: 0,
            ..GatewayConfig::default()
        };
        tune(&mut config);
        let limits = interlink_gateway::ConnectionLimits::of(&config);
        let gateway = Gateway::in_process(
            config,
            authenticator,
            routes,
            Default::default(),
            &["echo"],
            &[interlink_runtime::echo::ECHO_SERVICE.to_owned()],
        )
        .await
        .expect("gateway");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("address"));
        let shutdown = CancellationToken::new();
        tokio::spawn(interlink_gateway::serve(
            listener,
            gateway.router(),
            limits,
            shutdown.clone(),
        ));
        Self {
            base,
            token,
            gateway,
            shutdown,
            _dir: dir,
        }
    }

    /// `GET /v1/echo?message=…` with the citizen's token.
    pub async fn echo(&self, message: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!("{}/v1/echo", self.base))
            .query(&[("message", message)])
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request")
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
