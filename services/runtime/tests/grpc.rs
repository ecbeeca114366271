//! The serving helper: health and reflection, the auth layer in front of
//! every call, the caller's identity reaching handlers, request timeouts,
//! and NOT_SERVING reported on shutdown before the drain.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use interlink_proto::echo::v1::echo_service_client::EchoServiceClient;
use interlink_proto::echo::v1::echo_service_server::{EchoService, EchoServiceServer};
use interlink_proto::echo::v1::{EchoRequest, EchoResponse};
use interlink_runtime::auth::{DevSigner, DevTokenRequest, identity, require_identity};
use interlink_runtime::config::{AuthConfig, GrpcConfig};
use interlink_runtime::grpc::{ServeOptions, serve};
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

const ECHO: &str = "interlink.echo.v1.EchoService";

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

struct Server {
    channel: Channel,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
    token: String,
    _dir: tempfile::TempDir,
}

async fn start() -> Server {
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

fn with_token<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    request
}

fn echo(message: &str) -> EchoRequest {
    EchoRequest {
        message: message.into(),
    }
}

#[tokio::test]
async fn the_caller_identity_reaches_handlers_and_bad_tokens_never_do() {
    let server = start().await;
    let mut client = EchoServiceClient::new(server.channel.clone());

    let answer = client
        .echo(with_token(echo("whoami"), &server.token))
        .await
        .expect("echo");
    assert_eq!(answer.into_inner().message, "pa-staff-7");

    // No token: the call goes through anonymously; the handler decides.
    let answer = client.echo(echo("anonymous?")).await.expect("echo");
    assert_eq!(answer.into_inner().message, "true");
    let refused = client
        .echo(echo("whoami"))
        .await
        .expect_err("needs a token");
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);

    // A bad token, or another scheme, is refused before the handler.
    for header in [
        "Bearer nonsense",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "bearer  ",
    ] {
        let mut request = tonic::Request::new(echo("anonymous?"));
        request
            .metadata_mut()
            .insert("authorization", header.parse().expect("header"));
        let refused = client.echo(request).await.expect_err(header);
        assert_eq!(refused.code(), tonic::Code::Unauthenticated, "{header}");
    }
    server.shutdown.cancel();
    server.task.await.expect("server");
}

#[tokio::test]
async fn slow_calls_are_cut_off_by_the_request_timeout() {
    let server = start().await;
    let mut client = EchoServiceClient::new(server.channel.clone());
    let started = std::time::Instant::now();
    let status = client.echo(echo("sleep")).await.expect_err("timed out");
    assert!(
        matches!(
            status.code(),
            tonic::Code::Cancelled | tonic::Code::DeadlineExceeded
        ),
        "{status:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(4));
    server.shutdown.cancel();
    server.task.await.expect("server");
}

#[tokio::test]
async fn health_reports_each_service_and_turns_not_serving_on_shutdown() {
    let server = start().await;
    let mut health = HealthClient::new(server.channel.clone());
    for service in ["", ECHO] {
        let status = health
            .check(HealthCheckRequest {
                service: service.into(),
            })
            .await
            .expect("check")
            .into_inner()
            .status();
        assert_eq!(status, ServingStatus::Serving, "{service:?}");
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "interlink.nope.v1.Nope".into(),
        })
        .await
        .expect_err("unknown service");
    assert_eq!(unknown.code(), tonic::Code::NotFound);

    let mut watch = health
        .watch(HealthCheckRequest {
            service: ECHO.into(),
        })
        .await
        .expect("watch")
        .into_inner();
    let first = watch.next().await.expect("first").expect("ok");
    assert_eq!(first.status(), ServingStatus::Serving);
    server.shutdown.cancel();
    let next = watch
        .next()
        .await
        .expect("an update before the stream ends")
        .expect("ok");
    assert_eq!(next.status(), ServingStatus::NotServing);
    drop(watch);
    drop(health);
    server.task.await.expect("server stops");
}

/// Log output, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn error_lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer"))
            .lines()
            .filter(|line| line.contains("ERROR"))
            .map(str::to_owned)
            .collect()
    }
}

#[tokio::test]
async fn callers_mistakes_are_answered_not_logged_as_errors() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = start().await;
    let mut client = EchoServiceClient::new(server.channel.clone());
    // UNAUTHENTICATED: no token where one is needed, and a forged one.
    let missing = client.echo(echo("whoami")).await.expect_err("no token");
    assert_eq!(missing.code(), tonic::Code::Unauthenticated);
    let forged = client
        .echo(with_token(echo("whoami"), "not.a.token"))
        .await
        .expect_err("forged token");
    assert_eq!(forged.code(), tonic::Code::Unauthenticated);
    assert_eq!(forged.message(), "malformed token");
    // INVALID_ARGUMENT.
    let invalid = client
        .echo_stream(interlink_proto::echo::v1::EchoStreamRequest {
            message: "x".into(),
            count: 0,
            interval_ms: 0,
        })
        .await
        .expect_err("count 0");
    assert_eq!(invalid.code(), tonic::Code::InvalidArgument);
    assert_eq!(captured.error_lines(), Vec::<String>::new());
    let log = String::from_utf8_lossy(&captured.0.lock().expect("log")).into_owned();
    assert!(
        log.contains("status=16") && log.contains("status=3"),
        "{log}"
    );
    // A server fault is logged as an error.
    client.echo(echo("fail")).await.expect_err("a fault");
    assert_eq!(
        captured.error_lines().len(),
        1,
        "{:?}",
        captured.error_lines()
    );
    server.shutdown.cancel();
    let _ = server.task.await;
}
