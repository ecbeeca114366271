//! The gateway through real HTTP and gRPC clients: REST transcoding and
//! error mapping, gRPC and gRPC-Web passthrough, authentication, limits,
//! deadlines, load shedding, CORS, health and the OpenAPI document.

mod common;

use std::time::Duration;

use common::Fixture;
use interlink_proto::echo::v1::echo_service_client::EchoServiceClient;
use interlink_proto::echo::v1::{EchoRequest, EchoResponse};
use prost::Message;
use serde_json::Value;

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("JSON body")
}

#[tokio::test]
async fn rest_calls_reach_the_service_with_the_token_and_request_id() {
    let f = Fixture::start(|_| {}).await;
    let response = f.echo("grüß dich").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("x-request-id"));
    assert_eq!(
        json(response).await,
        serde_json::json!({"message": "grüß dich"})
    );

    // The service sees the caller the token names.
    assert_eq!(json(f.echo("whoami").await).await["message"], "citizen-1");
    // Without a token the call is anonymous; the service decides.
    let anonymous = reqwest::get(format!("{}/v1/echo?message=whoami", f.base))
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 200);
    assert_eq!(json(anonymous).await, serde_json::json!({}));

    // A caller's request id is kept.
    let response = reqwest::Client::new()
        .get(format!("{}/v1/echo?message=x", f.base))
        .header("x-request-id", "req-42")
        .send()
        .await
        .expect("request");
    assert_eq!(response.headers()["x-request-id"], "req-42");
}

/// A large answer's JSON is made once and served to every caller who gets
/// the same bytes, with its ETag; callers whose answers differ (another
/// caller, another question) get their own.
#[tokio::test]
async fn large_answers_are_transcoded_once_and_stay_each_callers() {
    let f = Fixture::start(|_| {}).await;
    let http = reqwest::Client::new();
    let get = |query: &str, token: Option<&str>| {
        let mut request = http.get(format!("{}/v1/echo?message={query}", f.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let expected: String = "a\"é\n".chars().cycle().take(100_000).collect();
    let mut etags = Vec::new();
    for _ in 0..3 {
        let response = get("large:100000", None).await.expect("request");
        assert_eq!(response.status(), 200);
        etags.push(response.headers()["etag"].clone());
        assert_eq!(json(response).await["message"], expected.as_str());
    }
    assert!(etags.windows(2).all(|w| w[0] == w[1]), "{etags:?}");
    let unchanged = http
        .get(format!("{}/v1/echo?message=large:100000", f.base))
        .header("if-none-match", etags[0].clone())
        .send()
        .await
        .expect("request");
    assert_eq!(unchanged.status(), 304);

    let longer = get("large:100001", None).await.expect("request");
    assert_ne!(longer.headers()["etag"], etags[0]);
    let longer = json(longer).await;
    assert_eq!(
        longer["message"].as_str().map(|m| m.chars().count()),
        Some(100_001)
    );

    // The same URL, other callers: each gets their own answer.
    let citizen = json(
        get("largewho:20000", Some(&f.token))
            .await
            .expect("request"),
    )
    .await;
    let anonymous = json(get("largewho:20000", None).await.expect("request")).await;
    assert_eq!(citizen["message"], "citizen-1".repeat(20_000));
    assert_eq!(anonymous["message"], "anonymous".repeat(20_000));
}

/// Every gRPC code a service can answer reaches REST callers as the HTTP
/// status Google's mapping gives it, with `{code, status, message}`.
#[tokio::test]
async fn every_grpc_code_maps_to_its_http_status() {
    let f = Fixture::start(|_| {}).await;
    let table: [(i32, &str, u16); 16] = [
        (1, "CANCELLED", 499),
        (2, "UNKNOWN", 500),
        (3, "INVALID_ARGUMENT", 400),
        (4, "DEADLINE_EXCEEDED", 504),
        (5, "NOT_FOUND", 404),
        (6, "ALREADY_EXISTS", 409),
        (7, "PERMISSION_DENIED", 403),
        (8, "RESOURCE_EXHAUSTED", 429),
        (9, "FAILED_PRECONDITION", 400),
        (10, "ABORTED", 409),
        (11, "OUT_OF_RANGE", 400),
        (12, "UNIMPLEMENTED", 501),
        (13, "INTERNAL", 500),
        (14, "UNAVAILABLE", 503),
        (15, "DATA_LOSS", 500),
        (16, "UNAUTHENTICATED", 401),
    ];
    for (code, name, http) in table {
        let response = f.echo(&format!("code:{code}")).await;
        assert_eq!(response.status().as_u16(), http, "code {code}");
        let body = json(response).await;
        assert_eq!(body["code"], code, "{body}");
        assert_eq!(body["status"], name, "{body}");
        assert_eq!(body["message"], "scripted failure");
    }
    // Field violations are listed.
    let response = f.echo("violation").await;
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    assert_eq!(
        body["details"][0]["@type"],
        "type.googleapis.com/google.rpc.BadRequest"
    );
    assert_eq!(body["details"][0]["fieldViolations"][0]["field"], "message");
}

#[tokio::test]
async fn bad_requests_are_refused_with_the_field_named() {
    let f = Fixture::start(|c| c.max_body_bytes = 1024).await;
    let client = reqwest::Client::new();
    let get = |query: &str| client.get(format!("{}/v1/echo?{query}", f.base)).send();
    let response = get("mesage=typo").await.expect("request");
    assert_eq!(response.status(), 400);
    let body = json(response).await;
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("mesage")),
        "{body}"
    );
    assert_eq!(body["details"][0]["fieldViolations"][0]["field"], "mesage");

    let response = client
        .post(format!("{}/v1/echo", f.base))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "GET");

    let response = client
        .get(format!("{}/v1/nothing-here", f.base))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 404);
    assert_eq!(json(response).await["status"], "NOT_FOUND");

    // A body where none is taken; a body over the limit.
    let response = client
        .get(format!("{}/v1/echo", f.base))
        .body("{\"message\": \"x\"}")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    let response = client
        .get(format!("{}/v1/echo", f.base))
        .body(vec![b' '; 4096])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 413);
    assert_eq!(json(response).await["status"], "RESOURCE_EXHAUSTED");
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401() {
    let f = Fixture::start(|_| {}).await;
    let client = reqwest::Client::new();
    for authorization in [
        "Bearer not-a-jwt",
        "Basic dXNlcjpwYXNz",
        "Bearer",
        &format!("Bearer {}x", f.token),
    ] {
        let response = client
            .get(format!("{}/v1/echo?message=x", f.base))
            .header("authorization", authorization)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 401, "{authorization}");
        assert_eq!(json(response).await["status"], "UNAUTHENTICATED");
    }
    // gRPC callers get UNAUTHENTICATED too.
    let mut client = EchoServiceClient::connect(f.base.clone())
        .await
        .expect("connect");
    let mut request = tonic::Request::new(EchoRequest {
        message: "x".into(),
    });
    request
        .metadata_mut()
        .insert("authorization", "Bearer nope".parse().expect("header"));
    let status = client.echo(request).await.expect_err("refused");
    assert_eq!(status.code(), tonic::Code::Unauthenticated);
}

#[tokio::test]
async fn grpc_and_grpc_web_pass_through() {
    let f = Fixture::start(|_| {}).await;
    let mut client = EchoServiceClient::connect(f.base.clone())
        .await
        .expect("connect");
    let mut request = tonic::Request::new(EchoRequest {
        message: "whoami".into(),
    });
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {}", f.token).parse().expect("header"),
    );
    let answer = client.echo(request).await.expect("echo").into_inner();
    assert_eq!(answer.message, "citizen-1");
    let status = client
        .echo(EchoRequest {
            message: "code:5".into(),
        })
        .await
        .expect_err("not found");
    assert_eq!(status.code(), tonic::Code::NotFound);

    // gRPC-Web: a length-prefixed message in, a message and a trailer frame out.
    let message = EchoRequest {
        message: "from a browser".into(),
    }
    .encode_to_vec();
    let mut frame = vec![0u8];
    frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
    frame.extend_from_slice(&message);
    let response = reqwest::Client::new()
        .post(format!("{}/interlink.echo.v1.EchoService/Echo", f.base))
        .header("content-type", "application/grpc-web+proto")
        .header("x-grpc-web", "1")
        .body(frame)
        .send()
        .await
        .expect("grpc-web request");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .is_ok_and(|c| c.starts_with("application/grpc-web"))
    );
    let body = response.bytes().await.expect("body");
    assert_eq!(body[0], 0, "a data frame first");
    let length = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
    let answer = EchoResponse::decode(&body[5..5 + length]).expect("message");
    assert_eq!(answer.message, "from a browser");
    let trailer = &body[5 + length..];
    assert_eq!(trailer[0], 0x80, "a trailer frame last");
    assert!(String::from_utf8_lossy(&trailer[5..]).contains("grpc-status:0"));
}

#[tokio::test]
async fn deadlines_become_504() {
    let f = Fixture::start(|c| c.request_timeout_ms = 200).await;
    let started = std::time::Instant::now();
    let response = f.echo("sleep:3000").await;
    assert_eq!(response.status(), 504);
    assert_eq!(json(response).await["status"], "DEADLINE_EXCEEDED");
    assert!(started.elapsed() < Duration::from_secs(2));

    // A gRPC caller's longer deadline does not outlast the gateway's budget.
    let mut client = EchoServiceClient::connect(f.base.clone())
        .await
        .expect("connect");
    let mut request = tonic::Request::new(EchoRequest {
        message: "sleep:3000".into(),
    });
    request.set_timeout(Duration::from_secs(60));
    let started = std::time::Instant::now();
    let status = client.echo(request).await.expect_err("cut off");
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

/// Behind a trusted proxy the client is the address the proxy saw (the
/// last `x-forwarded-for` entry), whatever the client wrote before it; and
/// refused tokens count against the address too.
#[tokio::test]
async fn rate_limits_key_on_the_address_the_proxy_saw_and_count_bad_tokens() {
    let f = Fixture::start(|c| {
        c.rate_limit_per_second = 1;
        c.rate_limit_burst = 1;
        c.trust_forwarded_for = true;
    })
    .await;
    let client = reqwest::Client::new();
    let from = |forwarded: &'static str| {
        client
            .get(format!("{}/v1/echo?message=x", f.base))
            .header("x-forwarded-for", forwarded)
            .send()
    };
    assert_eq!(
        from("1.1.1.1, 9.9.9.9").await.expect("request").status(),
        200
    );
    assert_eq!(
        from("2.2.2.2, 9.9.9.9").await.expect("request").status(),
        429
    );
    assert_eq!(from("9.9.9.8").await.expect("request").status(), 200);

    let forged = |n: u32| {
        client
            .get(format!("{}/v1/echo?message=x", f.base))
            .header("x-forwarded-for", "7.7.7.7")
            .header("authorization", format!("Bearer forged-{n}"))
            .send()
    };
    assert_eq!(forged(1).await.expect("request").status(), 401);
    assert_eq!(forged(2).await.expect("request").status(), 429);
}

#[tokio::test]
async fn clients_over_their_rate_get_429_with_retry_after() {
    let f = Fixture::start(|c| {
        c.rate_limit_per_second = 1;
        c.rate_limit_burst = 2;
    })
    .await;
    assert_eq!(f.echo("1").await.status(), 200);
    assert_eq!(f.echo("2").await.status(), 200);
    let response = f.echo("3").await;
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    assert_eq!(json(response).await["status"], "RESOURCE_EXHAUSTED");
    // Another client (no token: by address) has its own bucket.
    let anonymous = reqwest::get(format!("{}/v1/echo?message=x", f.base))
        .await
        .expect("request");
    assert_eq!(anonymous.status(), 200);
}

#[tokio::test]
async fn requests_beyond_the_concurrency_limit_are_shed_with_503() {
    let f = Fixture::start(|c| c.max_concurrent_requests = 1).await;
    let slow = {
        let base = f.base.clone();
        tokio::spawn(async move {
            reqwest::get(format!("{base}/v1/echo?message=sleep:1500"))
                .await
                .expect("request")
                .status()
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    let response = f.echo("x").await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(slow.await.expect("join"), 200);
    assert_eq!(f.echo("x").await.status(), 200);
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let f = Fixture::start(|c| c.cors_origins = vec!["https://pa.example.org".into()]).await;
    let client = reqwest::Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, format!("{}/v1/echo", f.base))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
    };
    let allowed = preflight("https://pa.example.org")
        .await
        .expect("preflight");
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://pa.example.org"
    );
    let refused = preflight("https://evil.example.com")
        .await
        .expect("preflight");
    assert!(
        !refused
            .headers()
            .contains_key("access-control-allow-origin")
    );
}

#[tokio::test]
async fn health_is_served_and_aggregated() {
    let f = Fixture::start(|_| {}).await;
    let alive = reqwest::get(format!("{}/healthz", f.base))
        .await
        .expect("healthz");
    assert_eq!(alive.status(), 200);
    let ready = reqwest::get(format!("{}/readyz", f.base))
        .await
        .expect("readyz");
    assert_eq!(ready.status(), 200);
    assert_eq!(json(ready).await, serde_json::json!({"echo": "SERVING"}));

    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let channel = tonic::transport::Endpoint::from_shared(f.base.clone())
        .expect("url")
        .connect()
        .await
        .expect("connect");
    let mut health = HealthClient::new(channel);
    for service in ["", "interlink.echo.v1.EchoService"] {
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
}

/// The gRPC status of a gRPC-Web answer: in its headers when it is
/// trailers-only, else in its trailer frame.
async fn grpc_web_status(response: reqwest::Response) -> (String, String) {
    let header = |headers: &reqwest::header::HeaderMap, name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if let Some(status) = header(response.headers(), "grpc-status") {
        let message = header(response.headers(), "grpc-message").unwrap_or_default();
        return (status, message);
    }
    let body = response.bytes().await.expect("body");
    let text = String::from_utf8_lossy(&body).into_owned();
    let field = |name: &str| {
        let pattern = format!("{name}:");
        text.find(&pattern)
            .map(|at| &text[at + pattern.len()..])
            .and_then(|rest| rest.split("\r\n").next())
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    (field("grpc-status"), field("grpc-message"))
}

#[tokio::test]
async fn malformed_grpc_messages_are_the_callers_errors() {
    let f = Fixture::start(|c| c.max_grpc_message_bytes = 1024).await;
    let call = |flag: u8, message: Vec<u8>| {
        let mut frame = vec![flag];
        frame.extend_from_slice(&(message.len() as u32).to_be_bytes());
        frame.extend_from_slice(&message);
        reqwest::Client::new()
            .post(format!("{}/interlink.echo.v1.EchoService/Echo", f.base))
            .header("content-type", "application/grpc-web+proto")
            .header("x-grpc-web", "1")
            .body(frame)
            .send()
    };
    let status = |flag: u8, message: Vec<u8>| {
        let sent = call(flag, message);
        async move { grpc_web_status(sent.await.expect("grpc-web request")).await }
    };
    // A sound message passes.
    assert_eq!(
        status(
            0,
            EchoRequest {
                message: "ok".into()
            }
            .encode_to_vec()
        )
        .await
        .0,
        "0"
    );
    // A frame flag that is neither 0 nor 1.
    let (code, message) = status(2, b"\x0a\x02ok".to_vec()).await;
    assert_eq!(code, "3", "{message}");
    assert!(message.contains("flag"), "{message}");
    // A string field that is not UTF-8.
    let (code, message) = status(0, b"\x0a\x02\xff\xfe".to_vec()).await;
    assert_eq!(code, "3", "{message}");
    // Groups nested beyond the decoder's recursion limit.
    let mut nested = vec![0x0b_u8; 150];
    nested.extend(std::iter::repeat_n(0x0c_u8, 150));
    let (code, message) = status(0, nested).await;
    assert_eq!(code, "3", "{message}");
    // A message larger than the gateway passes on.
    let (code, message) = status(
        0,
        EchoRequest {
            message: "x".repeat(5000),
        }
        .encode_to_vec(),
    )
    .await;
    assert_eq!(code, "8", "{message}");
}

#[tokio::test]
async fn http_refusals_are_json_like_every_other_error() {
    let f = Fixture::start(|_| {}).await;
    let client = reqwest::Client::new();
    let refused = |response: reqwest::Response, status: u16| async move {
        assert_eq!(response.status().as_u16(), status);
        let body: Value = response.json().await.expect("a JSON error body");
        assert!(
            body["status"].is_string() && body["message"].is_string(),
            "{body}"
        );
        body
    };
    // A JSON route sent something else.
    let response = client
        .post(format!("{}/v1/echo:stream", f.base))
        .header("content-type", "text/plain")
        .body(r#"{"message": "x", "count": 1}"#)
        .send()
        .await
        .expect("request");
    refused(response, 415).await;
    // With the right type, and with a charset, it passes.
    for content_type in ["application/json", "application/json; charset=utf-8"] {
        let response = client
            .post(format!("{}/v1/echo:stream", f.base))
            .header("content-type", content_type)
            .body(r#"{"message": "x", "count": 1}"#)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{content_type}");
    }
    // Two Authorization headers.
    let response = client
        .get(format!("{}/v1/echo?message=x", f.base))
        .header("authorization", format!("Bearer {}", f.token))
        .header("authorization", "Bearer something-else")
        .send()
        .await
        .expect("request");
    let body = refused(response, 400).await;
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("authorization"))
    );
    // A target and headers beyond the limits.
    let response = client
        .get(format!("{}/v1/echo?message={}", f.base, "x".repeat(40_000)))
        .send()
        .await
        .expect("request");
    refused(response, 414).await;
    let response = client
        .get(format!("{}/v1/echo?message=x", f.base))
        .header("x-padding", "p".repeat(70_000))
        .send()
        .await
        .expect("request");
    refused(response, 431).await;
    let mut many = client.get(format!("{}/v1/echo?message=x", f.base));
    for n in 0..120 {
        many = many.header(format!("x-extra-{n}"), "1");
    }
    refused(many.send().await.expect("request"), 431).await;
    // Request ids: safe ones kept, others replaced.
    for (sent, kept) in [("req-42.a:b_c", true), ("two words", false), ("", false)] {
        let response = client
            .get(format!("{}/v1/echo?message=x", f.base))
            .header("x-request-id", sent)
            .send()
            .await
            .expect("request");
        let answered = response.headers()["x-request-id"]
            .to_str()
            .expect("text")
            .to_owned();
        assert_eq!(answered == sent, kept, "{sent:?} → {answered:?}");
        assert!(!answered.is_empty());
    }
}
