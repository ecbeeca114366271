//! The documents interlinker over real HTTP, on SQLite and on PostgreSQL:
//! the contract's JSON routes, tokens, pages and sessions, revisions.

use interlink_documents::{Documents, Migrator, store};
use interlink_interlinker_http::testing::Harness;
use interlink_runtime::testing::Backend;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PLATFORM: &str = "http://platform.example";

type Server = Harness;

async fn start(backend: Backend) -> Server {
    Harness::start::<Migrator>(backend, PLATFORM, |parts| {
        Documents::new(
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

async fn assets_json_contract(backend: Backend) {
    let server = start(backend).await;
    let ana = server.token("ana");
    use reqwest::Method;

    // Tokens: none, another audience's and a forged one are refused.
    let (status, body) = server
        .json(
            Method::POST,
            "/assets",
            None,
            &[],
            Some(json!({"name": "Plan"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"]["code"], "unauthenticated");
    let platform_token = server.token_for("ana", "interlink");
    let (status, _) = server
        .json(
            Method::POST,
            "/assets",
            Some(&platform_token),
            &[],
            Some(json!({"name": "Plan"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a token for the platform's API is not one for this interlinker"
    );
    let (status, _) = server
        .json(
            Method::POST,
            "/assets",
            Some(&format!("{ana}x")),
            &[],
            Some(json!({"name": "Plan"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Bad input is refused by field and makes nothing.
    for (body, field) in [
        (json!({"name": "  "}), "name"),
        (json!({"name": "x".repeat(201)}), "name"),
        (json!({"name": "Plan", "language": "Spanish"}), "language"),
        (json!({"name": "Plan", "colour": "red"}), ""),
        (json!({"name": 3}), "name"),
    ] {
        let (status, answer) = server
            .json(Method::POST, "/assets", Some(&ana), &[], Some(body.clone()))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["error"]["code"], "invalid_argument");
        if !field.is_empty() {
            assert_eq!(answer["error"]["field"], field, "{body}: {answer}");
        }
    }
    assert_eq!(store::count(&server.env.db).await.expect("count"), 0);

    // Made, described, cloned once per key, deleted.
    let (status, asset) = server
        .json(
            Method::POST,
            "/assets",
            Some(&ana),
            &[],
            Some(json!({"name": " Mapa de actores ", "language": "es", "body": "# Actores\n"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{asset}");
    assert_eq!(asset["name"], "Mapa de actores");
    assert_eq!(asset["language"], "es");
    assert_eq!(asset["revisions"], 1);
    assert_eq!(asset["icon"], format!("{}/static/icon.svg", server.base));
    let id = asset["id"].as_str().expect("id").to_owned();
    let (status, got) = server
        .json(Method::GET, &format!("/assets/{id}"), Some(&ana), &[], None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, asset);
    let (status, _) = server
        .json(Method::GET, "/assets/not-a-uuid", Some(&ana), &[], None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let clone = format!("/assets/{id}/clone");
    let (status, answer) = server
        .json(Method::POST, &clone, Some(&ana), &[], None)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(answer["error"]["field"], "Idempotency-Key");
    let ben = server.token("ben");
    let key = [("idempotency-key", "job-1")];
    let (status, copy) = server
        .json(
            Method::POST,
            &clone,
            Some(&ben),
            &key,
            Some(json!({"name": "Mapa (copia)"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{copy}");
    assert_eq!(copy["name"], "Mapa (copia)");
    assert_ne!(copy["id"], asset["id"]);
    let (status, again) = server
        .json(
            Method::POST,
            &clone,
            Some(&ben),
            &key,
            Some(json!({"name": "Mapa (copia)"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the same key answers the same copy");
    assert_eq!(again["id"], copy["id"]);
    let (status, _) = server
        .json(
            Method::POST,
            &clone,
            Some(&ben),
            &[("idempotency-key", "job-2")],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        store::count(&server.env.db).await.expect("count"),
        3,
        "two keys, two copies"
    );
    let copy_id = copy["id"].as_str().expect("id");
    let (status, _) = server
        .json(
            Method::DELETE,
            &format!("/assets/{copy_id}"),
            Some(&ana),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = server
        .json(
            Method::DELETE,
            &format!("/assets/{copy_id}"),
            Some(&ana),
            &[],
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, answer) = server
        .json(Method::POST, &clone, Some(&ben), &key, None)
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the key's copy was deleted: {answer}"
    );
    assert_eq!(store::count(&server.env.db).await.expect("count"), 2);

    // Downloads.
    let response = server
        .http
        .get(format!("{}/assets/{id}/download?format=md", server.base))
        .bearer_auth(&ana)
        .send()
        .await
        .expect("download");
    assert_eq!(
        response.headers()["content-disposition"],
        "attachment; filename=\"mapa-de-actores.md\""
    );
    assert_eq!(
        response.text().await.expect("text"),
        "# Mapa de actores\n\n# Actores\n"
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
    server.stop().await;
}

async fn pages_and_revisions(backend: Backend) {
    let server = start(backend).await;
    let ana = server.browser("ana").await;
    let page = |client: &reqwest::Client, path: &str| {
        let url = format!("{}{path}", server.base);
        let client = client.clone();
        async move {
            let response = client.get(url).send().await.expect("page");
            let status = response.status();
            let csp = response
                .headers()
                .get("content-security-policy")
                .map(|v| v.to_str().unwrap_or_default().to_owned())
                .unwrap_or_default();
            (status, response.text().await.expect("text"), csp)
        }
    };

    // Without a session, pages say where to open them from.
    let stranger = reqwest::Client::new();
    let (status, text, _) = page(&stranger, "/assets/instantiate").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(text.contains("Open this from Interlink"), "{text}");

    // Instantiate: a blank title is refused at its field; then the asset
    // is made and the page carries the handshake for the platform only.
    let (status, text, csp) = page(&ana, "/assets/instantiate").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csp.contains(&format!("frame-ancestors 'self' {PLATFORM}")),
        "{csp}"
    );
    assert!(
        text.contains("name=\"language\" value=\"es\"") || text.contains("value=\"\""),
        "{text}"
    );
    let made = ana
        .post(format!("{}/assets/instantiate", server.base))
        .form(&[("title", " "), ("language", "es")])
        .send()
        .await
        .expect("post");
    assert_eq!(made.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        made.text()
            .await
            .expect("text")
            .contains("aria-invalid=\"true\"")
    );
    // The pages speak the browser's language among the four.
    let spanish = ana
        .get(format!("{}/assets/instantiate", server.base))
        .header("accept-language", "es-ES,es;q=0.9,en;q=0.5")
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text");
    assert!(spanish.contains("<html lang=\"es\">"), "{spanish}");
    assert!(spanish.contains("<h1>Nuevo documento</h1>"), "{spanish}");
    let latvian = ana
        .post(format!("{}/assets/instantiate", server.base))
        .header("accept-language", "lv")
        .form(&[("title", "")])
        .send()
        .await
        .expect("post")
        .text()
        .await
        .expect("text");
    assert!(latvian.contains("Ievadiet nosaukumu"), "{latvian}");
    let made = ana
        .post(format!("{}/assets/instantiate", server.base))
        .form(&[("title", "Plan <b>del</b> parque"), ("language", "es")])
        .send()
        .await
        .expect("post");
    assert_eq!(made.status(), StatusCode::CREATED);
    let text = made.text().await.expect("text");
    assert!(
        text.contains(&format!("data-platform-origin=\"{PLATFORM}\"")),
        "{text}"
    );
    assert!(
        text.contains("Plan &#60;b&#62;del&#60;/b&#62; parque"),
        "escaped: {text}"
    );
    let asset_json = text
        .split("data-asset=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("data-asset")
        .replace("&#34;", "\"")
        .replace("&#60;", "<")
        .replace("&#62;", ">")
        .replace("&#38;", "&");
    let asset: Value = serde_json::from_str(&asset_json).expect("asset json");
    assert_eq!(asset["name"], "Plan <b>del</b> parque");
    assert_eq!(asset["language"], "es");
    let id = asset["id"].as_str().expect("id").to_owned();

    // Ana writes; the page shows her Markdown, never a script.
    let save = |client: &reqwest::Client, body: &str, revision: &str, origin: Option<&str>| {
        let mut request = client
            .post(format!("{}/assets/{id}/edit", server.base))
            .form(&[
                ("title", "Plan del parque"),
                ("body", body),
                ("revision", revision),
            ]);
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    let saved = save(
        &ana,
        "## Aims\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
        "1",
        Some(&server.base),
    )
    .await
    .expect("save");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let (status, text, _) = page(&ana, &format!("/assets/{id}/view?saved=1")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("<h2>Aims</h2>"), "{text}");
    assert!(!text.contains("<script>alert"), "{text}");
    assert!(
        text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "shown as text: {text}"
    );
    assert!(
        text.contains("<a href=\"#\">x</a>"),
        "the link goes nowhere: {text}"
    );
    assert!(
        text.contains("Revision 2 · last saved by ana Name"),
        "{text}"
    );

    // Ben, from the same revision, is told someone saved since; his text
    // is kept. A form from another site is refused.
    let ben = server.browser("ben").await;
    let stale = save(&ben, "Ben's text", "1", None).await.expect("save");
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let text = stale.text().await.expect("text");
    assert!(
        text.contains("Ben&#39;s text") || text.contains("Ben's text"),
        "{text}"
    );
    let forged = save(&ben, "x", "2", Some("http://evil.example"))
        .await
        .expect("save");
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let saved = save(&ben, "Ben's text", "2", None).await.expect("save");
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);

    // History names each author; restoring adds a revision.
    let (_, text, _) = page(&ana, &format!("/assets/{id}/history")).await;
    assert!(text.contains("Revision 3 (current)"), "{text}");
    assert!(text.contains("ben Name"), "{text}");
    let restored = ana
        .post(format!("{}/assets/{id}/history/1/restore", server.base))
        .send()
        .await
        .expect("restore");
    assert_eq!(restored.status(), StatusCode::SEE_OTHER);
    let history = store::history(&server.env.db, id.parse().expect("uuid"), 10)
        .await
        .expect("history");
    let authors: Vec<(i64, &str, Option<i64>)> = history
        .iter()
        .map(|r| (r.number, r.author.as_str(), r.restored_from))
        .collect();
    assert_eq!(
        authors,
        vec![
            (4, "ana", Some(1)),
            (3, "ben", None),
            (2, "ana", None),
            (1, "ana", None)
        ]
    );
    assert_eq!(history[0].body, history[3].body);
    let (status, _, _) = page(&ana, &format!("/assets/{id}/history/9/restore")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let missing = ana
        .post(format!("{}/assets/{id}/history/9/restore", server.base))
        .send()
        .await
        .expect("restore");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);

    // Preview and edit pages open for the session, on the restored text.
    let (status, text, _) = page(&ana, &format!("/assets/{id}/preview")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text.contains("<h1>Plan &lt;b&gt;del&lt;/b&gt; parque</h1>"),
        "{text}"
    );
    assert!(!text.contains("Aims"), "{text}");
    let (status, text, _) = page(&ana, &format!("/assets/{id}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("name=\"revision\" value=\"4\""), "{text}");
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
async fn pages_keep_sessions_and_revisions_on_sqlite() {
    pages_and_revisions(Backend::Embedded).await;
}

#[tokio::test]
async fn pages_keep_sessions_and_revisions_on_postgres() {
    pages_and_revisions(Backend::Postgres).await;
}
