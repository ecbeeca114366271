//! `interlink serve <role>` against the real NATS: serves the role's gRPC
//! services with health, creates the stream, refuses unknown roles by name,
//! and stops cleanly on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use interlink_proto::echo::v1::EchoRequest;
use interlink_proto::echo::v1::echo_service_client::EchoServiceClient;
use interlink_runtime::config::TestServices;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

const BIN: &str = env!("CARGO_BIN_EXE_interlink");

#[tokio::test]
async fn serve_echo_answers_reports_health_and_stops_on_sigterm() {
    let services = TestServices::from_env();
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let stream = format!("TEST_{unique}");
    let dir = tempfile::tempdir().expect("data dir");
    let mut child = Command::new(BIN)
        .args(["serve", "echo", "--data-dir"])
        .arg(dir.path())
        .env("INTERLINK__GRPC__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__AUTH__DEV_SIGNER", "true")
        .env("INTERLINK__NATS__URL", &services.nats_url)
        .env("INTERLINK__NATS__STREAM", &stream)
        .env("INTERLINK__NATS__SUBJECT_ROOT", format!("t{unique}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("interlink serve");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .map(|l| l.expect("line"))
        .find(|l| l.starts_with("serving role echo"))
        .expect("serving line");
    let url = line.rsplit(' ').next().expect("address").to_owned();
    let channel = tonic::transport::Channel::from_shared(url)
        .expect("url")
        .connect()
        .await
        .expect("connect");

    let answer = EchoServiceClient::new(channel.clone())
        .echo(EchoRequest {
            message: "hola Zaragoza".into(),
        })
        .await
        .expect("echo");
    assert_eq!(answer.into_inner().message, "hola Zaragoza");
    let status = HealthClient::new(channel.clone())
        .check(HealthCheckRequest {
            service: "interlink.echo.v1.EchoService".into(),
        })
        .await
        .expect("health")
        .into_inner()
        .status();
    assert_eq!(status, ServingStatus::Serving);
    drop(channel);

    // The role's process made the mesh's stream.
    let nats = async_nats::connect(&services.nats_url).await.expect("nats");
    let jetstream = async_nats::jetstream::new(nats);
    let mut info = jetstream.get_stream(&stream).await.expect("stream exists");
    assert_eq!(
        info.info().await.expect("info").config.duplicate_window,
        Duration::from_secs(3600)
    );

    assert!(
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill")
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    jetstream.delete_stream(&stream).await.ok();
}

#[test]
fn an_unknown_role_is_refused_by_name() {
    let output = Command::new(BIN)
        .args(["serve", "comunity"])
        .output()
        .expect("interlink serve");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown role `comunity`"), "{stderr}");
    assert!(stderr.contains("echo"), "{stderr}");
}

#[test]
fn roles_are_listed() {
    let output = Command::new(BIN)
        .arg("roles")
        .output()
        .expect("interlink roles");
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .any(|l| l == "echo")
    );
}

#[test]
fn serve_without_an_issuer_is_refused_unless_the_dev_signer_is_asked_for() {
    let dir = tempfile::tempdir().expect("data dir");
    let mut child = Command::new(BIN)
        .args(["serve", "echo", "--data-dir"])
        .arg(dir.path())
        .env("INTERLINK__GRPC__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("interlink serve");
    // It must refuse at once; if it serves instead, stop it and fail.
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().ok();
            panic!("serve started without an issuer");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(!status.success());
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr");
    assert!(stderr.contains("auth.jwks_url"), "{stderr}");
}

/// `migrate community` then `serve community` on a PostgreSQL database of
/// the test's own: a dev token registers a user and creates an organisation,
/// and the role's relay publishes both events to the stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_community_on_postgres_publishes_its_events() {
    let services = TestServices::from_env();
    let (database_url, database) = interlink_runtime::testing::create_postgres_database().await;
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let stream = format!("TEST_{unique}");
    let dir = tempfile::tempdir().expect("data dir");
    let env = [
        ("INTERLINK__DATABASE__URL", database_url.as_str()),
        ("INTERLINK__NATS__URL", services.nats_url.as_str()),
        ("INTERLINK__NATS__STREAM", stream.as_str()),
        ("INTERLINK__AUTH__DEV_SIGNER", "true"),
        ("INTERLINK__GRPC__LISTEN", "127.0.0.1:0"),
    ];
    let root = format!("t{unique}");
    let migrated = Command::new(BIN)
        .args(["migrate", "community", "--data-dir"])
        .arg(dir.path())
        .envs(env)
        .env("INTERLINK__NATS__SUBJECT_ROOT", &root)
        .output()
        .expect("migrate");
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    assert!(String::from_utf8_lossy(&migrated.stdout).contains("role community migrated"));

    let mut child = Command::new(BIN)
        .args(["serve", "community", "--data-dir"])
        .arg(dir.path())
        .envs(env)
        .env("INTERLINK__NATS__SUBJECT_ROOT", &root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve");
    let line = BufReader::new(child.stdout.take().expect("stdout"))
        .lines()
        .map(|l| l.expect("line"))
        .find(|l| l.starts_with("serving role community"))
        .expect("serving line");
    let url = line.rsplit(' ').next().expect("address").to_owned();
    let token = Command::new(BIN)
        .args(["token", "--sub", "pa-admin", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("token");
    let token = String::from_utf8(token.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();

    let channel = tonic::transport::Channel::from_shared(url)
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut client =
        interlink_proto::community::v1::community_service_client::CommunityServiceClient::new(
            channel,
        );
    let mut request =
        tonic::Request::new(interlink_proto::community::v1::CreateOrganizationRequest {
            organization: Some(interlink_proto::community::v1::Organization {
                display_name: Some(interlink_proto::common::v1::TranslatableText {
                    values: [("it".to_owned(), "Ministero dell'Economia".to_owned())].into(),
                }),
                default_team_type: interlink_proto::community::v1::TeamType::PublicAdministration
                    as i32,
                ..Default::default()
            }),
        });
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("header"),
    );
    client.create_organization(request).await.expect("create");

    let nats = async_nats::connect(&services.nats_url).await.expect("nats");
    let jetstream = async_nats::jetstream::new(nats);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut info = jetstream.get_stream(&stream).await.expect("stream");
        if info.info().await.expect("info").state.messages >= 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the relay did not publish the events"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let stream_handle = jetstream.get_stream(&stream).await.expect("stream");
    for subject in [
        "community.user.registered",
        "community.organization.created",
    ] {
        stream_handle
            .get_last_raw_message_by_subject(&format!("{root}.{subject}"))
            .await
            .unwrap_or_else(|e| panic!("no {subject} event: {e}"));
    }

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "serve did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status}");
    jetstream.delete_stream(&stream).await.ok();
    interlink_runtime::testing::drop_postgres_database(&database).await;
}

/// Starts `interlink serve <role>` with `env` and returns it with the URL it
/// printed.
fn serve_role(
    role: &str,
    dir: &std::path::Path,
    env: &[(&str, String)],
) -> (std::process::Child, String) {
    let mut command = Command::new(BIN);
    command
        .args(["serve", role, "--data-dir"])
        .arg(dir)
        .env("INTERLINK__AUTH__DEV_SIGNER", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("interlink serve");
    let stdout = child.stdout.take().expect("stdout");
    let line = BufReader::new(stdout)
        .lines()
        .map(|l| l.expect("line"))
        .find(|l| l.starts_with("serving role"))
        .expect("serving line");
    let url = line.rsplit(' ').next().expect("address").to_owned();
    (child, url)
}

/// The gateway as its own process in front of a role's process, configured
/// from the environment as the Helm chart sets it.
#[tokio::test]
async fn serve_gateway_fronts_a_role_over_rest() {
    let services = TestServices::from_env();
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let dir = tempfile::tempdir().expect("data dir");
    let (mut echo, echo_url) = serve_role(
        "echo",
        dir.path(),
        &[
            ("INTERLINK__GRPC__LISTEN", "127.0.0.1:0".into()),
            ("INTERLINK__NATS__URL", services.nats_url.clone()),
            ("INTERLINK__NATS__STREAM", format!("TEST_{unique}")),
            ("INTERLINK__NATS__SUBJECT_ROOT", format!("t{unique}")),
        ],
    );
    let (mut gateway, gateway_url) = serve_role(
        "gateway",
        dir.path(),
        &[
            ("INTERLINK__GATEWAY__LISTEN", "127.0.0.1:0".into()),
            ("INTERLINK__GATEWAY__UPSTREAMS__ECHO", echo_url),
        ],
    );
    let answer: serde_json::Value = reqwest::get(format!("{gateway_url}/v1/echo?message=hola"))
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON");
    assert_eq!(answer, serde_json::json!({"message": "hola"}));
    let ready = reqwest::get(format!("{gateway_url}/readyz"))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    // Roles not deployed behind it have no routes.
    let missing = reqwest::get(format!("{gateway_url}/v1/organizations"))
        .await
        .expect("request");
    assert_eq!(missing.status(), 404);
    for child in [&mut gateway, &mut echo] {
        assert!(
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .expect("kill")
                .success()
        );
        let deadline = Instant::now() + Duration::from_secs(15);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            assert!(Instant::now() < deadline, "serve did not stop");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert!(status.success(), "{status}");
    }
}

#[test]
fn serve_gateway_without_upstreams_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().expect("data dir");
    let output = Command::new(BIN)
        .args(["serve", "gateway", "--data-dir"])
        .arg(dir.path())
        .env("INTERLINK__AUTH__DEV_SIGNER", "true")
        .output()
        .expect("interlink serve gateway");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("gateway.upstreams"), "{stderr}");
}
