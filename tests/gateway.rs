//! The gateway of `interlink up`, through plain HTTP as web front-ends call
//! it: create, read, list, update with a field mask and delete resources of
//! each service over REST/JSON; 401, 403 and 404 as the services decide;
//! public reads without a token; the change feed as newline-delimited JSON.

mod common;

use std::time::{Duration, Instant};

use common::{mint, start, stop};
use serde_json::{Value, json};

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, value)
    }

    async fn get(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, token, None).await
    }

    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, token, Some(body))
            .await
    }

    async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::PATCH, path, token, Some(body))
            .await
    }

    async fn delete(&self, path: &str, token: Option<&str>) -> (u16, Value) {
        self.call(reqwest::Method::DELETE, path, token, None).await
    }

    /// Retries `call` until it answers 200 (a projection catching up).
    async fn eventually(&self, what: &str, call: impl AsyncFn() -> (u16, Value)) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, body) = call().await;
            if status == 200 {
                return body;
            }
            assert!(Instant::now() < deadline, "{what}: {status} {body}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

fn text(language: &str, value: &str) -> Value {
    json!({"values": {language: value}})
}

#[tokio::test]
async fn rest_reaches_every_service_of_up() {
    let dir = tempfile::tempdir().expect("temporary directory");
    let up = start(dir.path());
    let admin = mint(dir.path(), "pa-admin", true);
    let citizen = mint(dir.path(), "citizen-1", false);
    let (admin, citizen) = (Some(admin.as_str()), Some(citizen.as_str()));
    let api = Client {
        http: reqwest::Client::new(),
        base: up.http.clone(),
    };

    // Community: an organisation, private at first.
    let (status, body) = api
        .post(
            "/v1/organizations",
            None,
            json!({"displayName": text("es", "Ayuntamiento")}),
        )
        .await;
    assert_eq!(status, 401, "creating needs a token: {body}");
    // 401 comes first, before the body is looked at (a field that does not
    // exist, a body that is not JSON); methods open to anyone check bodies.
    let (status, body) = api
        .post("/v1/organizations", None, json!({"displayNme": 42}))
        .await;
    assert_eq!(status, 401, "{body}");
    let response = api
        .http
        .post(format!("{}/v1/processes", api.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 401);
    let (status, body) = api
        .post(
            "/v1/interlinkers:recommend",
            None,
            json!({"problemProfilez": []}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    // People are named `users/{id}` in paths too: these routes exist (and
    // need a token).
    let someone = "0190b4a2-7a3e-7cc0-9a53-5d3b1f4e2a10";
    for path in [
        format!("/v1/teams/{someone}/members/users/{someone}"),
        format!("/v1/organizations/{someone}/administrators/users/{someone}"),
        format!("/v1/processes/{someone}/administrators/users/{someone}"),
    ] {
        let (status, body) = api.delete(&path, None).await;
        assert_eq!(status, 401, "{path}: {body}");
    }
    // `$languages`: each translatable text in the first asked language it
    // has, so a page carries one translation, not four.
    let (status, all) = api.get("/v1/interlinkers?pageSize=20", None).await;
    assert_eq!(status, 200, "{all}");
    let (status, spanish) = api
        .get("/v1/interlinkers?pageSize=20&%24languages=es,en", None)
        .await;
    assert_eq!(status, 200, "{spanish}");
    let titles = |page: &Value| -> Vec<Vec<String>> {
        page["interlinkers"]
            .as_array()
            .expect("interlinkers")
            .iter()
            .map(|i| {
                i["title"]["values"]
                    .as_object()
                    .expect("title")
                    .keys()
                    .cloned()
                    .collect()
            })
            .collect()
    };
    let (whole, cut) = (titles(&all), titles(&spanish));
    assert_eq!(whole.len(), cut.len());
    assert!(
        whole.iter().any(|languages| languages.len() > 1),
        "{whole:?}"
    );
    for (languages, kept) in whole.iter().zip(&cut) {
        let expected: Vec<String> = if languages.iter().any(|l| l == "es") {
            vec!["es".into()]
        } else if languages.iter().any(|l| l == "en") {
            vec!["en".into()]
        } else {
            languages.clone()
        };
        assert_eq!(kept, &expected);
    }
    let (status, body) = api.get("/v1/interlinkers?%24languages=Spanish", None).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.to_string().contains("$languages"), "{body}");
    let (status, org) = api
        .post(
            "/v1/organizations",
            admin,
            json!({
                "displayName": text("es", "Ayuntamiento de Zaragoza"),
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
                "public": false,
            }),
        )
        .await;
    assert_eq!(status, 200, "{org}");
    let org_name = org["name"].as_str().expect("name").to_owned();
    assert!(org_name.starts_with("organizations/"));
    assert_eq!(org["defaultTeamType"], "TEAM_TYPE_PUBLIC_ADMINISTRATION");
    let (status, got) = api.get(&format!("/v1/{org_name}"), admin).await;
    assert_eq!(status, 200);
    assert_eq!(
        got["displayName"]["values"]["es"],
        "Ayuntamiento de Zaragoza"
    );
    // A private organisation does not exist for outsiders.
    let (status, body) = api.get(&format!("/v1/{org_name}"), citizen).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["status"], "NOT_FOUND");
    let (status, list) = api.get("/v1/organizations?pageSize=10", admin).await;
    assert_eq!(status, 200);
    assert!(
        list["organizations"]
            .as_array()
            .expect("organizations")
            .iter()
            .any(|o| o["name"] == org_name.as_str())
    );
    // Update with a field mask: only the masked fields change.
    let (status, updated) = api
        .patch(
            &format!("/v1/{org_name}?updateMask=description,public"),
            admin,
            json!({
                "description": text("es", "Servicios municipales"),
                "public": true,
                "displayName": text("es", "ignored: not in the mask"),
            }),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["description"]["values"]["es"],
        "Servicios municipales"
    );
    assert_eq!(
        updated["displayName"]["values"]["es"],
        "Ayuntamiento de Zaragoza"
    );
    // Now public: outsiders see it, but may not change it.
    assert_eq!(api.get(&format!("/v1/{org_name}"), citizen).await.0, 200);
    let (status, body) = api
        .patch(
            &format!("/v1/{org_name}?updateMask=public"),
            citizen,
            json!({"public": false}),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    // A field violation names the field.
    let (status, body) = api
        .post(
            "/v1/organizations",
            admin,
            json!({"displayName": text("es", "X"), "logoUrl": "ftp://nope"}),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["details"][0]["fieldViolations"]
            .to_string()
            .contains("logo_url"),
        "{body}"
    );

    // Catalogue: the seeded catalogue is read without a token.
    let (status, found) = api.get("/v1/interlinkers:search?query=survey", None).await;
    assert_eq!(status, 200, "{found}");
    assert!(
        !found["results"].as_array().expect("results").is_empty(),
        "{found}"
    );
    let draft = json!({
        "nature": "NATURE_EXTERNAL_KNOWLEDGE",
        "title": text("en", "Participatory budgeting guide"),
        "description": text("en", "How to run participatory budgeting"),
        "languages": ["en"],
        "licence": "LICENCE_PERMISSIVE",
        "difficulty": "DIFFICULTY_EASY",
        "problemProfiles": ["org-01"],
        "targets": ["all/pas/public_servants"],
        "external": {"uri": "https://guides.example.org/pb"},
    });
    assert_eq!(
        api.post("/v1/interlinkers", citizen, draft.clone()).await.0,
        403
    );
    let (status, interlinker) = api.post("/v1/interlinkers", admin, draft).await;
    assert_eq!(status, 200, "{interlinker}");
    let interlinker_name = interlinker["name"].as_str().expect("name").to_owned();
    let (status, renamed) = api
        .patch(
            &format!("/v1/{interlinker_name}?updateMask=title"),
            admin,
            json!({"title": text("en", "Budgeting together")}),
        )
        .await;
    assert_eq!(status, 200, "{renamed}");
    assert_eq!(renamed["title"]["values"]["en"], "Budgeting together");
    let (status, published) = api
        .post(&format!("/v1/{interlinker_name}:publish"), admin, json!({}))
        .await;
    assert_eq!(status, 200, "{published}");
    assert_eq!(published["state"], "INTERLINKER_STATE_PUBLISHED");
    assert_eq!(
        api.get(&format!("/v1/{interlinker_name}"), None).await.0,
        200
    );
    let (status, page) = api.get("/v1/interlinkers?pageSize=2", None).await;
    assert_eq!(status, 200);
    assert_eq!(page["interlinkers"].as_array().expect("page").len(), 2);
    assert!(page["nextPageToken"].is_string());

    // Co-production: a process of the organisation, once co-production has
    // heard of it.
    let process = api
        .eventually("the organisation reaches co-production", async || {
            api.post(
                "/v1/processes",
                admin,
                json!({"title": "Movilidad 2027", "language": "es", "organization": org_name}),
            )
            .await
        })
        .await;
    let process_name = process["name"].as_str().expect("name").to_owned();
    let (status, got) = api.get(&format!("/v1/{process_name}"), admin).await;
    assert_eq!(status, 200);
    assert_eq!(got["title"], "Movilidad 2027");
    let (status, list) = api.get("/v1/processes", admin).await;
    assert_eq!(status, 200);
    assert!(list.to_string().contains(&process_name));
    let (status, updated) = api
        .patch(
            &format!("/v1/{process_name}?updateMask=aim"),
            admin,
            json!({"aim": "Menos coches", "title": "ignored"}),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["aim"], "Menos coches");
    assert_eq!(updated["title"], "Movilidad 2027");
    let (status, body) = api.delete(&format!("/v1/{process_name}"), citizen).await;
    assert!(status == 403 || status == 404, "{status} {body}");
    let (status, body) = api.delete(&format!("/v1/{process_name}"), admin).await;
    assert_eq!((status, body), (200, json!({})));
    assert_eq!(api.get(&format!("/v1/{process_name}"), admin).await.0, 404);

    // Monitoring: the trail and the KPIs of the organisation.
    let activity = api
        .eventually("the trail holds the process", async || {
            let (status, body) = api
                .get(
                    &format!("/v1/activity?organization={org_name}&model=process"),
                    admin,
                )
                .await;
            if status == 200 && body.to_string().contains("deleted") {
                (200, body)
            } else {
                (503, body)
            }
        })
        .await;
    assert!(activity["entries"].as_array().is_some_and(|e| e.len() >= 2));
    let (status, body) = api
        .get(&format!("/v1/activity?organization={org_name}"), citizen)
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, kpis) = api.get(&format!("/v1/{org_name}/kpis"), admin).await;
    assert_eq!(status, 200, "{kpis}");
    assert_eq!(kpis["scope"], org_name.as_str());

    // The change feed over REST: newline-delimited JSON, live.
    let response = api
        .http
        .get(format!(
            "{}/v1/events:stream?organization={org_name}",
            api.base
        ))
        .bearer_auth(admin.expect("token"))
        .send()
        .await
        .expect("stream");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/x-ndjson");
    let mut response = response;
    let mut buffer = Vec::new();
    while !buffer.contains(&b'\n') {
        let chunk = tokio::time::timeout(Duration::from_secs(10), response.chunk())
            .await
            .expect("a line in time")
            .expect("chunk")
            .expect("more");
        buffer.extend_from_slice(&chunk);
    }
    let line = buffer.split(|b| *b == b'\n').next().expect("line");
    let first: Value = serde_json::from_slice(line).expect("JSON line");
    assert!(first["result"]["sequence"].is_string(), "{first}");
    assert!(
        first["result"]["event"]["payload"]["@type"]
            .as_str()
            .is_some_and(|t| t.ends_with("interlink.community.v1.OrganizationCreated")),
        "{first}"
    );
    drop(response);

    // The body limit holds.
    let (status, body) = api
        .post(
            "/v1/organizations",
            admin,
            json!({"displayName": text("es", &"x".repeat(2 * 1024 * 1024))}),
        )
        .await;
    assert_eq!(status, 413, "{body}");

    // Community: delete the organisation.
    let (status, body) = api.delete(&format!("/v1/{org_name}"), admin).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(api.get(&format!("/v1/{org_name}"), admin).await.0, 404);
    stop(up, "-TERM").await;
}
