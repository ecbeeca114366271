//! The serving helper: health and reflection, the auth layer in front of
//! every call, the caller's identity reaching handlers, request timeouts,
//! and NOT_SERVING reported on shutdown before the drain.

mod common;

use std::time::Duration;

use common::{ECHO, echo, start, with_token};
use futures::StreamExt;
use interlink_proto::echo::v1::echo_service_client::EchoServiceClient;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

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
