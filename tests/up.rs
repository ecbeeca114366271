//! `interlink up` on a fresh data directory: starts, answers gRPC health and
//! reflection (v1 and v1alpha, as grpcurl uses), serves its JWKS, trusts the
//! tokens `interlink token` mints, and stops cleanly on SIGTERM and Ctrl-C.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::{BIN, mint, start, stop};

use futures::StreamExt;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

async fn channel(url: &str) -> tonic::transport::Channel {
    tonic::transport::Channel::from_shared(url.to_owned())
        .expect("url")
        .connect()
        .await
        .expect("connect")
}

async fn health(grpc: &str, token: Option<&str>) -> Result<ServingStatus, tonic::Status> {
    let mut client = HealthClient::new(channel(grpc).await);
    let mut request = tonic::Request::new(HealthCheckRequest {
        service: String::new(),
    });
    if let Some(token) = token {
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
    }
    let response = client.check(request).await?;
    Ok(response.into_inner().status())
}

macro_rules! list_services {
    ($version:ident, $grpc:expr) => {{
        use tonic_reflection::pb::$version::ServerReflectionRequest;
        use tonic_reflection::pb::$version::server_reflection_client::ServerReflectionClient;
        use tonic_reflection::pb::$version::server_reflection_request::MessageRequest;
        use tonic_reflection::pb::$version::server_reflection_response::MessageResponse;
        let mut client = ServerReflectionClient::new(channel(&$grpc).await);
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut responses = client
            .server_reflection_info(futures::stream::iter([request]))
            .await
            .expect("reflection")
            .into_inner();
        match responses
            .next()
            .await
            .expect("a response")
            .expect("ok")
            .message_response
        {
            Some(MessageResponse::ListServicesResponse(list)) => list
                .service
                .into_iter()
                .map(|s| s.name)
                .collect::<Vec<String>>(),
            other => panic!("unexpected reflection answer {other:?}"),
        }
    }};
}

#[tokio::test]
async fn up_serves_health_reflection_and_jwks_then_stops_on_sigterm() {
    let dir = tempfile::tempdir().expect("data dir");
    let up = start(dir.path());

    assert_eq!(
        health(&up.grpc, None).await.expect("health"),
        ServingStatus::Serving
    );
    let v1alpha = list_services!(v1alpha, up.grpc);
    let v1 = list_services!(v1, up.grpc);
    // The gateway's port answers reflection too, so grpcurl works there.
    let through_gateway = list_services!(v1alpha, up.http);
    assert!(
        through_gateway
            .iter()
            .any(|s| s == "interlink.coproduction.v1.CoproductionService"),
        "{through_gateway:?}"
    );
    for services in [v1alpha, v1] {
        assert!(
            services.iter().any(|s| s == "grpc.health.v1.Health"),
            "{services:?}"
        );
        assert!(
            services.iter().any(|s| s.ends_with(".ServerReflection")),
            "{services:?}"
        );
    }

    // The roles' services are mounted: the echo baseline answers.
    let answer = interlink_proto::echo::v1::echo_service_client::EchoServiceClient::new(
        channel(&up.grpc).await,
    )
    .echo(interlink_proto::echo::v1::EchoRequest {
        message: "ping".into(),
    })
    .await
    .expect("echo");
    assert_eq!(answer.into_inner().message, "ping");

    // The community role runs on its SQLite file: a dev token creates an
    // organisation, and the mesh's reflection lists the service.
    let mut community =
        interlink_proto::community::v1::community_service_client::CommunityServiceClient::new(
            channel(&up.grpc).await,
        );
    let mut create =
        tonic::Request::new(interlink_proto::community::v1::CreateOrganizationRequest {
            organization: Some(interlink_proto::community::v1::Organization {
                display_name: Some(interlink_proto::common::v1::TranslatableText {
                    values: [("lv".to_owned(), "VARAM".to_owned())].into(),
                }),
                default_team_type: interlink_proto::community::v1::TeamType::PublicAdministration
                    as i32,
                ..Default::default()
            }),
        });
    create.metadata_mut().insert(
        "authorization",
        format!("Bearer {}", mint(dir.path(), "citizen-1", false))
            .parse()
            .expect("header"),
    );
    let org = community
        .create_organization(create)
        .await
        .expect("create organization")
        .into_inner();
    assert!(org.name.starts_with("organizations/"));
    let mut create_team = tonic::Request::new(interlink_proto::community::v1::CreateTeamRequest {
        parent: org.name.clone(),
        team: Some(interlink_proto::community::v1::Team {
            display_name: Some(interlink_proto::common::v1::TranslatableText {
                values: [("lv".to_owned(), "Digitālā nodaļa".to_owned())].into(),
            }),
            ..Default::default()
        }),
    });
    create_team.metadata_mut().insert(
        "authorization",
        format!("Bearer {}", mint(dir.path(), "citizen-1", false))
            .parse()
            .expect("header"),
    );
    let team = community
        .create_team(create_team)
        .await
        .expect("create team")
        .into_inner();
    assert_eq!(team.organization, org.name);
    assert_eq!(team.member_count, 1);
    assert!(dir.path().join("community.db").exists());
    assert!(
        list_services!(v1alpha, up.grpc)
            .iter()
            .any(|s| s == "interlink.community.v1.CommunityService")
    );

    // The dev key is kept in the data directory: `interlink token` signs with
    // it and the running mesh trusts the result; anything else is refused.
    let token = mint(dir.path(), "citizen-1", false);
    assert_eq!(
        health(&up.grpc, Some(&token)).await.expect("health"),
        ServingStatus::Serving
    );
    let refused = health(&up.grpc, Some("not-a-token"))
        .await
        .expect_err("garbage refused");
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);

    let jwks: serde_json::Value = reqwest::get(format!("{}/.well-known/jwks.json", up.http))
        .await
        .expect("jwks")
        .json()
        .await
        .expect("json");
    assert_eq!(jwks["keys"][0]["alg"], "ES256");
    assert_eq!(jwks["keys"][0]["kty"], "EC");

    stop(up, "-TERM").await;
}

#[tokio::test]
async fn up_stops_on_ctrl_c_and_restarts_on_the_same_data_dir() {
    let dir = tempfile::tempdir().expect("data dir");
    let up = start(dir.path());
    let token = mint(dir.path(), "citizen-1", false);
    stop(up, "-INT").await;
    let again = start(dir.path());
    assert_eq!(
        health(&again.grpc, Some(&token)).await.expect("health"),
        ServingStatus::Serving
    );
    stop(again, "-TERM").await;
}

#[test]
fn a_bad_configuration_fails_start_up_naming_the_key() {
    let dir = tempfile::tempdir().expect("data dir");
    for (key, value, named) in [
        ("INTERLINK__GRPC__LISTN", "127.0.0.1:0", "listn"),
        ("INTERLINK__GRPC__LISTEN", "not-an-address", "grpc.listen"),
    ] {
        let output = Command::new(BIN)
            .args(["up", "--data-dir"])
            .arg(dir.path())
            .env(key, value)
            .output()
            .expect("interlink up");
        assert!(!output.status.success(), "{key}={value} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(named), "{key}={value}: {stderr}");
    }
}

/// The first `up` seeds the empty catalogue; `interlink seed` afterwards
/// finds everything there and adds nothing. Search answers in every
/// language at once.
#[tokio::test]
async fn up_seeds_the_catalogue_once_and_seed_is_idempotent() {
    use interlink_proto::catalogue::v1 as pb;
    use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;

    let dir = tempfile::tempdir().expect("data dir");
    let up = start(dir.path());
    let mut catalogue = CatalogueServiceClient::new(channel(&up.grpc).await);
    let profiles = catalogue
        .list_problem_profiles(pb::ListProblemProfilesRequest::default())
        .await
        .expect("profiles")
        .into_inner();
    assert_eq!(profiles.problem_profiles.len(), 45);
    let schemas = catalogue
        .list_schemas(pb::ListSchemasRequest::default())
        .await
        .expect("schemas")
        .into_inner();
    let ids: Vec<_> = schemas.schemas.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        ids,
        [
            "schemas/default",
            "schemas/hackathon",
            "schemas/service-description-enhancement",
            "schemas/solution-co-refinement"
        ]
    );
    let all = catalogue
        .search_interlinkers(pb::SearchInterlinkersRequest::default())
        .await
        .expect("search")
        .into_inner();
    assert!(all.total_size >= 60, "{}", all.total_size);
    let spanish = catalogue
        .search_interlinkers(pb::SearchInterlinkersRequest {
            query: "encuestas".into(),
            ..Default::default()
        })
        .await
        .expect("search")
        .into_inner();
    assert!(!spanish.results.is_empty());
    stop(up, "-TERM").await;

    let output = Command::new(BIN)
        .args(["seed", "--embedded", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("interlink seed");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("0 problem profiles, 0 schemas, 0 interlinkers added"),
        "{stdout}"
    );
}

/// `interlink seed` fills an empty catalogue by itself (without `up`).
#[test]
fn seed_fills_an_empty_catalogue() {
    let dir = tempfile::tempdir().expect("data dir");
    let output = Command::new(BIN)
        .args(["seed", "--embedded", "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("interlink seed");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("45 problem profiles, 4 schemas, 64 interlinkers added"),
        "{stdout}"
    );
}

/// The mesh in one process: an organisation created in community and the
/// catalogue's seeded `default` schema reach co-production as events over
/// the embedded bus, and a process is built from that schema.
#[tokio::test]
async fn up_carries_events_from_community_and_catalogue_to_coproduction() {
    use interlink_proto::coproduction::v1 as pb;
    use interlink_proto::coproduction::v1::coproduction_service_client::CoproductionServiceClient;

    let dir = tempfile::tempdir().expect("data dir");
    let up = start(dir.path());
    let token = mint(dir.path(), "citizen-1", false);
    fn with_bearer<T>(message: T, token: &str) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        request.metadata_mut().insert(
            "authorization",
            format!("Bearer {token}").parse().expect("header"),
        );
        request
    }
    let mut community =
        interlink_proto::community::v1::community_service_client::CommunityServiceClient::new(
            channel(&up.grpc).await,
        );
    let org = community
        .create_organization(with_bearer(
            interlink_proto::community::v1::CreateOrganizationRequest {
                organization: Some(interlink_proto::community::v1::Organization {
                    display_name: Some(interlink_proto::common::v1::TranslatableText {
                        values: [("it".to_owned(), "MEF".to_owned())].into(),
                    }),
                    default_team_type:
                        interlink_proto::community::v1::TeamType::PublicAdministration as i32,
                    ..Default::default()
                }),
            },
            &token,
        ))
        .await
        .expect("organization")
        .into_inner();
    let mut coproduction = CoproductionServiceClient::new(channel(&up.grpc).await);
    // The organisation's creation reaches co-production through the bus.
    let deadline = Instant::now() + Duration::from_secs(20);
    let process = loop {
        let created = coproduction
            .create_process(with_bearer(
                pb::CreateProcessRequest {
                    process: Some(pb::Process {
                        title: "Pagamenti digitali".into(),
                        language: "it".into(),
                        organization: org.name.clone(),
                        ..Default::default()
                    }),
                },
                &token,
            ))
            .await;
        match created {
            Ok(p) => break p.into_inner(),
            Err(s) if s.code() == tonic::Code::PermissionDenied && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(s) => panic!("create process: {s:?}"),
        }
    };
    let tree = coproduction
        .build_from_schema(with_bearer(
            pb::BuildFromSchemaRequest {
                process: process.name.clone(),
                schema: "schemas/default".into(),
                version: 0,
            },
            &token,
        ))
        .await
        .expect("the seeded schema reached co-production")
        .into_inner();
    assert_eq!(tree.items.len(), 49);

    // Monitoring kept every step of it, chained.
    use interlink_proto::monitoring::v1 as mon;
    let mut monitoring =
        mon::monitoring_service_client::MonitoringServiceClient::new(channel(&up.grpc).await);
    let deadline = Instant::now() + Duration::from_secs(20);
    let types = loop {
        let trail = monitoring
            .list_activity(with_bearer(
                mon::ListActivityRequest {
                    organization: org.name.clone(),
                    ..Default::default()
                },
                &token,
            ))
            .await;
        let types: Vec<String> = trail
            .map(|t| {
                t.into_inner()
                    .entries
                    .into_iter()
                    .map(|e| e.r#type)
                    .collect()
            })
            .unwrap_or_default();
        if types.iter().any(|t| t == "coproduction.process.schema_set") || Instant::now() > deadline
        {
            break types;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(
        types,
        [
            "coproduction.process.schema_set",
            "coproduction.process.created",
            "community.organization.created"
        ]
    );
    let chain = monitoring
        .verify_chain(with_bearer(
            mon::VerifyChainRequest {
                organization: org.name.clone(),
            },
            &token,
        ))
        .await
        .expect("verify")
        .into_inner();
    assert!(chain.valid && chain.entries == 3, "{chain:?}");
    stop(up, "-TERM").await;
}

/// `interlink up` with its default (pretty) logs written to a file, as a
/// service manager or `> up.log` does: no terminal colours there, one line
/// per request, and pages compressed for the clients that ask.
#[tokio::test]
async fn up_logs_plain_lines_to_a_file_and_compresses_pages() {
    let dir = tempfile::tempdir().expect("data dir");
    let log_path = dir.path().join("up.log");
    let log = std::fs::File::create(&log_path).expect("log file");
    let mut child = std::process::Command::new(common::BIN)
        .args(["up", "--data-dir"])
        .arg(dir.path().join("data"))
        .env("INTERLINK__GRPC__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__GATEWAY__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__DOCUMENTS__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__SURVEYS__LISTEN", "127.0.0.1:0")
        .stdout(log)
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("interlink up starts");
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let http = loop {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        if let Some(address) = text
            .lines()
            .find_map(|l| l.strip_prefix("http: "))
            .filter(|_| text.contains("dev token"))
        {
            break address.to_owned();
        }
        assert!(std::time::Instant::now() < deadline, "up did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let client = reqwest::Client::new();
    let page = |encoding: &'static str| {
        client
            .get(format!("{http}/v1/interlinkers?pageSize=50"))
            .header("accept-encoding", encoding)
            .send()
    };
    let plain = page("identity").await.expect("page");
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.expect("body");
    for encoding in ["gzip", "br"] {
        let compressed = page(encoding).await.expect("page");
        assert_eq!(compressed.status(), 200);
        assert_eq!(compressed.headers()["content-encoding"], encoding);
        let body = compressed.bytes().await.expect("body");
        assert!(
            body.len() * 3 < plain.len(),
            "{encoding}: {} of {} bytes",
            body.len(),
            plain.len()
        );
    }
    common::stop(
        common::Up {
            child: std::mem::replace(
                &mut child,
                std::process::Command::new("true").spawn().expect("true"),
            ),
            grpc: String::new(),
            http,
            documents: String::new(),
            surveys: String::new(),
        },
        "-TERM",
    )
    .await;
    let _ = child.wait();
    let text = std::fs::read_to_string(&log_path).expect("log");
    assert!(!text.contains('\u{1b}'), "colour codes in a file");
    let access: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("interlink_gateway::access"))
        .collect();
    assert_eq!(access.len(), 3, "one line per request:\n{text}");
}
