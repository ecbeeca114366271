//! A server of the runtime's serving helper with a scripted echo service,
//! for the tests of serving and of its logs.

#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::time::Duration;

use interlink_proto::echo::v1::echo_service_server::{EchoService, EchoServiceServer};
use interlink_proto::echo::v1::{EchoRequest, EchoResponse};
use interlink_runtime::auth::{DevSigner, DevTokenRequest, identity, require_identity};
use interlink_runtime::config::{AuthConfig, GrpcConfig};
use interlink_runtime::grpc::{ServeOptions, serve};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

pub const ECHO: &str = "interlink.echo.v1.EchoService";

/// Echoes; `whoami` answers the caller's subject (and needs a token);
/// `sleep` takes longer than the server's timeout; `fail` is a server fault.
struct Echo;

#[tonic::async_trait]
impl EchoService for Echo {
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
        let message = match request.get_ref().message.as_str() {
            "whoami" => require_identity(&request)?.subject.clone(),
            "anonymous?" => identity(&request).is_none().to_string(),
            "sleep" => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "woke".into()
            }
            "fail" => return Err(tonic::Status::internal("broken")),
            other => other.to_owned(),
        };
        Ok(tonic::Response::new(EchoResponse { message }))
    }
}

pub struct Server {
    pub channel: Channel,
    pub shutdown: CancellationToken,
    pub task: tokio::task::JoinHandle<()>,
    pub token: String,
    pub _dir: tempfile::TempDir,
}

pub async fn start() -> Server {
    let dir = tempfile::tempdir().expect("dir");
    let signer = DevSigner::load_or_create(dir.path()).expect("signer");
    let auth = AuthConfig::default();
    let token = signer
        .mint(
            &DevTokenRequest {
                subject: "pa-staff-7".into(),
                name: None,
                email: None,
                admin: false,
                ttl: Duration::from_secs(60),
            },
            &auth.audience,
            &auth.admin_claim,
        )
        .expect("token");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let mut routes = tonic::service::RoutesBuilder::default();
    routes.add_service(EchoServiceServer::new(Echo));
    let shutdown = CancellationToken::new();
    let options = ServeOptions {
        config: GrpcConfig {
            request_timeout_ms: 300,
            drain_timeout_ms: 2_000,
            ..GrpcConfig::default()
        },
        authenticator: Arc::new(signer.authenticator(&auth)),
        health_services: vec![ECHO.into()],
        extra_descriptor_sets: Vec::new(),
        idempotency: Default::default(),
    };
    let task = tokio::spawn({
        let shutdown = shutdown.clone();
        async move {
            serve(listener, routes, options, shutdown)
                .await
                .expect("serve")
        }
    });
    let channel = Channel::from_shared(url)
        .expect("url")
        .connect()
        .await
        .expect("connect");
    Server {
        channel,
        shutdown,
        task,
        token,
        _dir: dir,
    }
}

pub use interlink_runtime::testing::with_token;

pub fn echo(message: &str) -> EchoRequest {
    EchoRequest {
        message: message.into(),
    }
}
