//! Slow and long-lived clients cannot close the gateway to others: bodies
//! are read before a request takes a slot and must arrive in time, headers
//! must arrive in time, and server streams have slots of their own, capped
//! per client.

mod common;

use std::time::Duration;

use common::Fixture;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads what the server sends until it closes the connection, for at
/// most `within`; `None` if it is still open then.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut seen = Vec::new();
    let read = async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(within, read).await.ok()?;
    Some(String::from_utf8_lossy(&seen).into_owned())
}

/// The head of the first answer on `stream` (up to its blank line).
async fn answer_head(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = async {
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buffer[..n]),
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), read).await;
    String::from_utf8_lossy(&seen).into_owned()
}

#[tokio::test]
async fn slow_uploads_slow_headers_and_streams_leave_the_slots_to_others() {
    let f = Fixture::start(|c| {
        c.max_concurrent_requests = 4;
        c.header_timeout_ms = 1_500;
        c.body_timeout_ms = 1_500;
        c.max_streams = 8;
        c.max_streams_per_client = 2;
    })
    .await;
    let address = f.base.trim_start_matches("http://").to_owned();

    // Ten uploads announcing 100 bytes and trickling them a byte at a time.
    let mut uploads = Vec::new();
    for _ in 0..10 {
        let mut stream = TcpStream::connect(&address).await.expect("connect");
        stream
            .write_all(
                b"POST /v1/echo:stream HTTP/1.1\r\nhost: gateway\r\n\
                  content-type: application/json\r\ncontent-length: 100\r\n\r\n{",
            )
            .await
            .expect("headers");
        uploads.push(tokio::spawn(async move {
            for _ in 0..50 {
                if stream.write_all(b" ").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            closed_within(&mut stream, Duration::from_secs(10)).await
        }));
    }
    // Ten connections sending their headers slowly, and ten saying nothing.
    let mut slow_headers = Vec::new();
    for n in 0..20 {
        let mut stream = TcpStream::connect(&address).await.expect("connect");
        if n % 2 == 0 {
            stream
                .write_all(b"GET /v1/echo?message=x HTTP/1.1\r\nhost: gateway\r\n")
                .await
                .expect("part of the headers");
        }
        slow_headers.push(stream);
    }
    // The citizen opens two streams and keeps them open; a third is refused.
    let client = reqwest::Client::new();
    let open_stream = || {
        client
            .post(format!("{}/v1/echo:stream", f.base))
            .bearer_auth(&f.token)
            .json(&serde_json::json!({"message": "tick", "count": 1000, "intervalMs": 1000}))
            .send()
    };
    let first = open_stream().await.expect("first stream");
    let second = open_stream().await.expect("second stream");
    assert_eq!(
        (first.status().as_u16(), second.status().as_u16()),
        (200, 200)
    );
    let third = open_stream().await.expect("third stream");
    assert_eq!(third.status(), 429);
    let refusal: serde_json::Value = third.json().await.expect("JSON error");
    assert_eq!(refusal["status"], "RESOURCE_EXHAUSTED", "{refusal}");

    // Meanwhile everyone else is served, well past the four request slots.
    for n in 0..40 {
        let response = f.echo(&format!("still here {n}")).await;
        assert_eq!(
            response.status(),
            200,
            "call {n} while the slow clients wait"
        );
    }
    // Another client's stream has a slot too.
    let other = reqwest::Client::new()
        .post(format!("{}/v1/echo:stream", f.base))
        .json(&serde_json::json!({"message": "hi", "count": 2, "intervalMs": 0}))
        .send()
        .await
        .expect("anonymous stream");
    assert_eq!(other.status(), 200);
    let lines = other.text().await.expect("stream body");
    assert_eq!(lines.lines().count(), 2, "{lines}");

    // The slow uploads are answered 408 once their time is up.
    for upload in uploads {
        let answer = upload
            .await
            .expect("upload task")
            .expect("the gateway answers and closes a slow upload");
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("DEADLINE_EXCEEDED"), "{answer}");
    }
    // Slow and silent headers are cut off.
    for (n, mut stream) in slow_headers.into_iter().enumerate() {
        assert!(
            closed_within(&mut stream, Duration::from_secs(10))
                .await
                .is_some(),
            "connection {n} is still open"
        );
    }
    // A closed stream gives its slot back.
    drop(first);
    let mut reopened = None;
    for _ in 0..50 {
        let response = open_stream().await.expect("stream");
        if response.status() == 200 {
            reopened = Some(response);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened.is_some(), "the closed stream's slot came back");
    drop(second);
}

#[tokio::test]
async fn bodies_beyond_their_limit_are_refused_with_413() {
    let f = Fixture::start(|c| c.max_body_bytes = 1024).await;
    let address = f.base.trim_start_matches("http://").to_owned();
    // Far beyond the limit: refused at once, before any of it is read.
    let mut stream = TcpStream::connect(&address).await.expect("connect");
    stream
        .write_all(
            b"POST /v1/echo:stream HTTP/1.1\r\nhost: gateway\r\n\
              content-type: application/json\r\ncontent-length: 100000000\r\n\r\n",
        )
        .await
        .expect("headers");
    let answer = answer_head(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("connection: close"), "{answer}");
    // A little beyond: read and dropped, so the client gets its 413 and
    // the connection carries the next request.
    let mut stream = TcpStream::connect(&address).await.expect("connect");
    let mut request = b"POST /v1/echo:stream HTTP/1.1\r\nhost: gateway\r\n\
        content-type: application/json\r\ncontent-length: 5000\r\n\r\n"
        .to_vec();
    request.extend(std::iter::repeat_n(b' ', 5000));
    stream.write_all(&request).await.expect("request");
    let answer = answer_head(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(!answer.contains("connection: close"), "{answer}");
}

#[tokio::test]
async fn an_idle_connection_is_closed_when_its_announced_time_is_up() {
    let f = Fixture::start(|c| c.header_timeout_ms = 2_500).await;
    let address = f.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).await.expect("connect");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: gateway\r\n\r\n")
        .await
        .expect("request");
    let answer = answer_head(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Whole seconds, never more than the gateway keeps it.
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("keep-alive: timeout=2\r\n"),
        "{answer}"
    );
    // Still open within the announced time: the next request is served.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: gateway\r\n\r\n")
        .await
        .expect("second request");
    let again = answer_head(&mut stream).await;
    assert!(again.starts_with("HTTP/1.1 200"), "{again}");
    // Idle past the header time, it is closed.
    let started = std::time::Instant::now();
    let rest = closed_within(&mut stream, Duration::from_secs(10))
        .await
        .expect("the idle connection is closed");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "closed after {:?}: {rest}",
        started.elapsed()
    );
    // An HTTP/1.0 request gets no hint.
    let mut old = TcpStream::connect(&address).await.expect("connect");
    old.write_all(b"GET /healthz HTTP/1.0\r\n\r\n")
        .await
        .expect("request");
    let answer = answer_head(&mut old).await;
    assert!(
        answer.starts_with("HTTP/1.") && answer.contains(" 200 "),
        "{answer}"
    );
    assert!(
        !answer.to_ascii_lowercase().contains("keep-alive"),
        "{answer}"
    );
}
