//! The surveys interlinker over real HTTP, on SQLite and on PostgreSQL: the
//! contract's JSON routes, building a survey with forms, answering it
//! (signed in once each, or anonymously), results and CSV.

use interlink_interlinker_http::testing::Harness;
use interlink_runtime::testing::Backend;
use interlink_surveys::{Migrator, Surveys, store};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const PLATFORM: &str = "http://platform.example";

async fn start(backend: Backend) -> Harness {
    Harness::start::<Migrator>(backend, PLATFORM, |parts| {
        Surveys::new(
            parts.db,
            parts.authenticator,
            &parts.session_secret,
            parts.public_url,
            parts.platform_origin,
        )
        .router()
    })
    .await
}

fn questions() -> Value {
    json!([
        {"kind": "single", "prompt": "Which day suits you?", "options": ["Monday", "Friday"], "required": true},
        {"kind": "multiple", "prompt": "Which services do you use?", "options": ["Buses", "Parks", "Libraries"]},
        {"kind": "scale", "prompt": "How useful is the town hall's website?", "scale": 5},
        {"kind": "text", "prompt": "Anything else?"}
    ])
}

/// A form posted by `client`, answered with its status, `Location` and body.
async fn post_form(
    client: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let response = client
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, response.text().await.expect("body"))
}

async fn get_page(client: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let response = client.get(url).send().await.expect("get");
    (response.status(), response.text().await.expect("body"))
}

async fn assets_json_contract(backend: Backend) {
    let server = start(backend).await;
    let ana = server.token("ana");

    // Who may call: the platform's tokens for this interlinker only.
    let (status, body) = server
        .json(
            Method::POST,
            "/assets",
            None,
            &[],
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let elsewhere = server.token_for("ana", "http://documents.example");
    let (status, _) = server
        .json(
            Method::POST,
            "/assets",
            Some(&elsewhere),
            &[],
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "another audience");

    // Bad bodies name the field and change nothing.
    for (body, field) in [
        (json!({"name": "  "}), "name"),
        (json!({"name": "Mobility", "colour": 1}), ""),
        (
            json!({"name": "Mobility", "questions": [{"kind": "single", "prompt": "Pick", "options": ["one"]}]}),
            "questions[0].options",
        ),
        (
            json!({"name": "Mobility", "questions": [{"kind": "scale", "prompt": "Rate", "scale": 12}]}),
            "questions[0].scale",
        ),
        (
            json!({"name": "Mobility", "questions": [{"kind": "essay", "prompt": "Say"}]}),
            "questions[0].kind",
        ),
    ] {
        let (status, answer) = server
            .json(Method::POST, "/assets", Some(&ana), &[], Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body} → {answer}");
        assert_eq!(answer["error"]["code"], "invalid_argument", "{answer}");
        if field.is_empty() {
            assert!(
                answer["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("colour"),
                "{answer}"
            );
        } else {
            assert_eq!(answer["error"]["field"], field, "{answer}");
        }
    }
    assert_eq!(store::count(&server.env.db).await.expect("count"), 0);

    let (status, made) = server
        .json(
            Method::POST,
            "/assets",
            Some(&ana),
            &[],
            Some(
                json!({"name": "Mobility in Zaragoza", "language": "es", "questions": questions()}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["id"].as_str().expect("id").to_owned();
    assert_eq!(made["name"], "Mobility in Zaragoza");
    assert_eq!(made["status"], "draft");
    assert_eq!(made["responses"], 0);
    assert_eq!(made["language"], "es");
    assert_eq!(made["icon"], format!("{}/static/icon.svg", server.base));

    let (status, got) = server
        .json(Method::GET, &format!("/assets/{id}"), Some(&ana), &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, made);
    let (status, _) = server
        .json(Method::GET, &format!("/assets/{id}"), None, &[], None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Clones: a key is needed, and one key makes one copy.
    let clone_path = format!("/assets/{id}/clone");
    let (status, answer) = server
        .json(Method::POST, &clone_path, Some(&ana), &[], None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["field"], "Idempotency-Key");
    let key = [("Idempotency-Key", "job-1")];
    let (status, copy) = server
        .json(
            Method::POST,
            &clone_path,
            Some(&ana),
            &key,
            Some(json!({"name": "Mobility, second round"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{copy}");
    assert_eq!(copy["name"], "Mobility, second round");
    assert_eq!(copy["status"], "draft");
    let (status, again) = server
        .json(Method::POST, &clone_path, Some(&ana), &key, None)
        .await;
    assert_eq!(status, StatusCode::OK, "a retried clone makes nothing new");
    assert_eq!(again["id"], copy["id"]);
    let copy_id = copy["id"].as_str().expect("id").parse().expect("uuid");
    let copied = store::get(&server.env.db, copy_id)
        .await
        .expect("get")
        .expect("the copy");
    assert_eq!(copied.questions.len(), 4, "the questions are copied");
    assert_eq!(store::count(&server.env.db).await.expect("count"), 2);

    // A CSV of no answers has its header.
    let (status, csv) = server
        .json(
            Method::GET,
            &format!("/assets/{id}/download?format=csv"),
            Some(&ana),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        csv.as_str().unwrap_or_default(),
        "\"response\",\"submitted_at\",\"Which day suits you?\",\"Which services do you use?\",\"How useful is the town hall's website?\",\"Anything else?\"\r\n"
    );
    let (status, answer) = server
        .json(
            Method::GET,
            &format!("/assets/{id}/download?format=pdf"),
            Some(&ana),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["field"], "format");

    // Deleting: gone, once.
    let (status, _) = server
        .json(
            Method::DELETE,
            &format!("/assets/{id}"),
            Some(&ana),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server
        .json(
            Method::DELETE,
            &format!("/assets/{id}"),
            Some(&ana),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = server
        .json(Method::GET, "/assets/not-a-uuid", Some(&ana), &[], None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert_eq!(store::count(&server.env.db).await.expect("count"), 1);

    let (status, manifest) = server.json(Method::GET, "/manifest", None, &[], None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(manifest["contract"], "interlink.interlinker/1");
    server.stop().await;
}

async fn build_answer_and_read(backend: Backend) {
    let server = start(backend).await;
    let base = server.base.clone();
    let ana = server.browser("ana").await;

    // Made on the instantiate page: the created page tells the platform.
    let (status, _, page) = post_form(
        &ana,
        &format!("{base}/assets/instantiate"),
        &[("title", "Mobility survey"), ("language", "en")],
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{page}");
    assert!(
        page.contains(&format!("data-platform-origin=\"{PLATFORM}\"")),
        "{page}"
    );
    let id = page
        .split("/assets/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .expect("the survey's id")
        .to_owned();
    let survey = format!("{base}/assets/{id}");

    // Questions added with forms; a bad one is refused, naming the field.
    let (status, _, page) = post_form(
        &ana,
        &format!("{survey}/questions"),
        &[
            ("prompt", "Which day?"),
            ("kind", "single"),
            ("options", "Monday"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#options\""), "{page}");
    assert!(page.contains("aria-invalid=\"true\""), "{page}");
    for form in [
        vec![
            ("prompt", "Anything else?"),
            ("kind", "text"),
            ("options", ""),
            ("scale", "5"),
        ],
        vec![
            ("prompt", "Which day suits you?"),
            ("kind", "single"),
            ("options", "Monday\r\nFriday\r\n"),
            ("scale", "5"),
            ("required", "on"),
        ],
        vec![
            ("prompt", "Which services do you use?"),
            ("kind", "multiple"),
            ("options", "Buses\nParks\nLibraries"),
            ("scale", "5"),
        ],
        vec![
            ("prompt", "How useful is the website?"),
            ("kind", "scale"),
            ("options", ""),
            ("scale", "4"),
        ],
        vec![("prompt", "Throwaway"), ("kind", "text"), ("scale", "")],
    ] {
        let (status, location, page) = post_form(&ana, &format!("{survey}/questions"), &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        assert_eq!(location, format!("/assets/{id}/edit"));
    }
    // The single choice (q2) moved up before the text (q1); the
    // throwaway (q5) removed.
    let (status, _, _) = post_form(&ana, &format!("{survey}/questions/q2/up"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, _) = post_form(&ana, &format!("{survey}/questions/q5/remove"), &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // An edit changes the question in place.
    let (status, page) = get_page(&ana, &format!("{survey}/questions/q1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("value=\"Anything else?\""), "{page}");
    let (status, _, _) = post_form(
        &ana,
        &format!("{survey}/questions/q1"),
        &[("prompt", "Anything else to tell us?"), ("kind", "text")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Details: the survey is for signed-in people at first.
    let (status, _, page) = post_form(
        &ana,
        &format!("{survey}/edit"),
        &[("title", ""), ("intro", "Tell us")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("href=\"#title\""), "{page}");
    let (status, location, _) = post_form(
        &ana,
        &format!("{survey}/edit"),
        &[("title", "Mobility survey"), ("intro", "How do you move?")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/assets/{id}/view?done=saved"));

    let stored = store::get(&server.env.db, id.parse().expect("uuid"))
        .await
        .expect("get")
        .expect("the survey");
    let order: Vec<&str> = stored.questions.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(order, ["q2", "q1", "q3", "q4"]);
    assert_eq!(stored.questions[1].prompt, "Anything else to tell us?");
    assert_eq!(stored.questions[0].options, ["Monday", "Friday"]);
    assert!(stored.questions[0].required);
    assert_eq!(stored.questions[3].scale, 4);
    assert!(!stored.anonymous);

    // Not answered before it is published.
    let ben = server.browser("ben").await;
    let (status, page) = get_page(&ben, &format!("{survey}/answer")).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    let (status, location, _) =
        post_form(&ana, &format!("{survey}/status"), &[("status", "open")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/assets/{id}/view?done=open"));
    // Published: its questions no longer change.
    let (status, _, page) = post_form(
        &ana,
        &format!("{survey}/questions"),
        &[("prompt", "Late"), ("kind", "text")],
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    let (_, page) = get_page(&ana, &format!("{survey}/edit")).await;
    assert!(page.contains("class=\"notice\""), "{page}");
    assert!(!page.contains("/questions/q1/remove"), "{page}");

    // Someone not signed in is turned away: it is not anonymous.
    let stranger = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let (status, _) = get_page(&stranger, &format!("{survey}/answer")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = post_form(&stranger, &format!("{survey}/answer"), &[("q2", "0")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Ben answers; a mistake is shown at its question, nothing kept.
    let (status, page) = get_page(&ben, &format!("{survey}/answer")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("name=\"q3\" value=\"2\""), "{page}");
    let (status, _, page) = post_form(&ben, &format!("{survey}/answer"), &[("q4", "9")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("href=\"#q2\""),
        "the required question: {page}"
    );
    assert!(
        page.contains("href=\"#q4\""),
        "the point off the scale: {page}"
    );
    let answer = [
        ("q2", "1"),
        ("q3", "0"),
        ("q3", "2"),
        ("q4", "4"),
        ("q1", "=cmd|' /C calc'!A0"),
    ];
    let (status, location, _) = post_form(&ben, &format!("{survey}/answer"), &answer).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/assets/{id}/answered"));
    // Once each.
    let (status, _, page) = post_form(&ben, &format!("{survey}/answer"), &answer).await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    let (status, _) = get_page(&ben, &format!("{survey}/answer")).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // Made anonymous: anyone answers, as often as they come.
    let (status, _, _) = post_form(
        &ana,
        &format!("{survey}/edit"),
        &[
            ("title", "Mobility survey"),
            ("intro", "How do you move?"),
            ("anonymous", "on"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for day in ["0", "0"] {
        let (status, _, page) = post_form(
            &stranger,
            &format!("{survey}/answer"),
            &[("q2", day), ("q4", "3")],
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    }

    // A form from another site is refused.
    let (status, _) = {
        let response = ana
            .post(format!("{survey}/status"))
            .header("origin", "http://evil.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("status=closed")
            .send()
            .await
            .expect("post");
        (response.status(), response.text().await.expect("body"))
    };
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Results: counts, charts and the table beside them.
    let (status, page) = get_page(&ana, &format!("{survey}/results")).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Answers so far: 3"), "{page}");
    assert!(page.contains("<svg"), "{page}");
    assert!(
        page.contains("<th scope=\"row\">Monday</th><td>2</td><td>66</td>"),
        "{page}"
    );
    assert!(page.contains("Mean: 3.33"), "{page}");
    assert!(page.contains("=cmd|&#39; /C calc&#39;!A0") || page.contains("=cmd|' /C calc'!A0"));
    let (status, _) = get_page(&stranger, &format!("{survey}/results")).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "results are for the builders"
    );

    // The CSV: a row per answer, formulas defused.
    let response = ana
        .get(format!("{survey}/download"))
        .send()
        .await
        .expect("csv");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"mobility-survey.csv\""
    );
    let csv = response.text().await.expect("csv");
    let rows: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(rows.len(), 4, "{csv}");
    assert!(
        rows[1].ends_with("\"Friday\",\"'=cmd|' /C calc'!A0\",\"Buses; Libraries\",\"4\""),
        "{csv}"
    );

    // Closed: no more answers.
    let (status, location, _) =
        post_form(&ana, &format!("{survey}/status"), &[("status", "closed")]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(location, format!("/assets/{id}/view?done=closed"));
    let (status, _, _) = post_form(&stranger, &format!("{survey}/answer"), &[("q2", "0")]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (_, page) = get_page(&ana, &format!("{survey}/view?done=closed")).await;
    assert!(
        page.contains("Closed: no more answers are taken."),
        "{page}"
    );
    assert!(page.contains("Answers so far: 3"), "{page}");
    server.stop().await;
}

/// Many people answering at once: every answer kept, one per person even
/// when a person sends theirs twice at the same moment.
async fn answers_race(backend: Backend) {
    let server = start(backend).await;
    let ana = server.token("ana");
    let (status, made) = server
        .json(
            Method::POST,
            "/assets",
            Some(&ana),
            &[],
            Some(json!({"name": "Race", "questions": questions()})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let id = made["id"].as_str().expect("id").to_owned();
    let browser = server.browser("ana").await;
    let (status, _, _) = post_form(
        &browser,
        &format!("{}/assets/{id}/status", server.base),
        &[("status", "open")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);

    let mut calls = Vec::new();
    for person in 0..20 {
        for _ in 0..2 {
            let token = server.token(&format!("citizen-{person}"));
            let url = format!("{}/assets/{id}/answer", server.base);
            let http = server.http.clone();
            calls.push(tokio::spawn(async move {
                http.post(url)
                    .bearer_auth(token)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body("q1=0&q3=2")
                    .send()
                    .await
                    .expect("answer")
                    .status()
            }));
        }
    }
    let mut kept = 0;
    let mut refused = 0;
    for call in calls {
        match call.await.expect("join") {
            StatusCode::SEE_OTHER => kept += 1,
            StatusCode::CONFLICT => refused += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!((kept, refused), (20, 20));
    let count = store::response_count(&server.env.db, id.parse().expect("uuid"))
        .await
        .expect("count");
    assert_eq!(count, 20);
    server.stop().await;
}

#[tokio::test]
async fn assets_follow_the_contract_on_sqlite() {
    assets_json_contract(Backend::Embedded).await;
}

#[tokio::test]
async fn assets_follow_the_contract_on_postgres() {
    assets_json_contract(Backend::Postgres).await;
}

#[tokio::test]
async fn surveys_are_built_answered_and_read_on_sqlite() {
    build_answer_and_read(Backend::Embedded).await;
}

#[tokio::test]
async fn surveys_are_built_answered_and_read_on_postgres() {
    build_answer_and_read(Backend::Postgres).await;
}

#[tokio::test]
async fn each_person_answers_once_under_races_on_sqlite() {
    answers_race(Backend::Embedded).await;
}

#[tokio::test]
async fn each_person_answers_once_under_races_on_postgres() {
    answers_race(Backend::Postgres).await;
}
