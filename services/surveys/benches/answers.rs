//! Answers to one survey arriving at a steady rate, as citizens send them:
//! each a form `POST /assets/{id}/answer` by a different signed-in person
//! (a token of the platform's), kept once per person by the database. The
//! load is open: each answer leaves at its scheduled time whether or not
//! the ones before it were answered, and its latency counts from that time,
//! so a queue shows. Then the results page and the CSV of all the answers.
//!
//! `cargo bench -p interlink-surveys --bench answers [-- --quick] [-- --embedded]`
//! (PostgreSQL unless `--embedded`; 200 answers/s for 30 s, or 5 s quick).

use std::time::{Duration, Instant};

use interlink_interlinker_http::testing::{Harness, report};
use interlink_runtime::testing::Backend;
use interlink_surveys::{Migrator, Surveys, store};
use reqwest::{Method, StatusCode};
use serde_json::json;

const RATE: u64 = 200;

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let backend = if std::env::args().any(|a| a == "--embedded") {
        Backend::Embedded
    } else {
        Backend::Postgres
    };
    let seconds = if quick { 5 } else { 30 };
    let server = Harness::start::<Migrator>(backend, "http://platform.example", |parts| {
        Surveys::new(
            parts.db,
            parts.authenticator,
            &parts.session_secret,
            parts.public_url,
            parts.platform_origin,
        )
        .router()
    })
    .await;
    let ana = server.token("ana");
    let (status, made) = server
        .json(
            Method::POST,
            "/assets",
            Some(&ana),
            &[],
            Some(json!({"name": "Mobility", "questions": [
                {"kind": "single", "prompt": "Which day suits you?", "options": ["Monday", "Friday"], "required": true},
                {"kind": "multiple", "prompt": "Which services do you use?", "options": ["Buses", "Parks", "Libraries"]},
                {"kind": "scale", "prompt": "How useful is the website?", "scale": 5},
                {"kind": "text", "prompt": "Anything else?"}
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["id"].as_str().expect("id").to_owned();
    let open = server
        .http
        .post(format!("{}/assets/{id}/status", server.base))
        .bearer_auth(&ana)
        .form(&[("status", "open")])
        .send()
        .await
        .expect("publish");
    assert_eq!(open.status(), StatusCode::SEE_OTHER);

    let total = RATE * seconds;
    // Tokens are minted before the clock starts: the platform mints them.
    let tokens: Vec<String> = (0..total)
        .map(|i| server.token(&format!("citizen-{i}")))
        .collect();
    let url = format!("{}/assets/{id}/answer", server.base);
    let interval = Duration::from_micros(1_000_000 / RATE);
    let started = Instant::now();
    let mut calls = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.into_iter().enumerate() {
        let due = started + interval * i as u32;
        tokio::time::sleep_until(due.into()).await;
        let http = server.http.clone();
        let url = url.clone();
        calls.push(tokio::spawn(async move {
            let body = format!("q1={}&q2=0&q2=2&q3={}&q4=fine", i % 2, i % 5 + 1);
            let response = http
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .expect("answer");
            assert_eq!(response.status(), StatusCode::SEE_OTHER);
            due.elapsed()
        }));
    }
    let mut latencies = Vec::with_capacity(calls.len());
    for call in calls {
        latencies.push(call.await.expect("join"));
    }
    let elapsed = started.elapsed();
    let kept = store::response_count(&server.env.db, id.parse().expect("uuid"))
        .await
        .expect("count");
    assert_eq!(kept, total as i64, "every answer kept once");
    println!(
        "{backend:?}: {total} answers in {:.2} s = {:.0} answers/s (offered {RATE}/s)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    report("POST /assets/{id}/answer, scheduled to answered", latencies);

    let browser = server.http.clone();
    let mut results = Vec::new();
    let mut csv = Vec::new();
    for _ in 0..20 {
        let at = Instant::now();
        let page = browser
            .get(format!("{}/assets/{id}/results", server.base))
            .bearer_auth(&ana)
            .send()
            .await
            .expect("results");
        assert_eq!(page.status(), StatusCode::OK);
        page.bytes().await.expect("page");
        results.push(at.elapsed());
        let at = Instant::now();
        let file = browser
            .get(format!("{}/assets/{id}/download", server.base))
            .bearer_auth(&ana)
            .send()
            .await
            .expect("csv");
        file.bytes().await.expect("csv");
        csv.push(at.elapsed());
    }
    report(&format!("results page of {total} answers"), results);
    report(&format!("CSV of {total} answers"), csv);
    server.stop().await;
}
