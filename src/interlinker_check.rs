//! `interlink interlinker-check <url>`: the interlinker contract's
//! conformance kit (`docs/interlinker-contract/v1`). It plays the
//! contract's routes against any interlinker, as the platform would, and
//! prints one row per check.

use std::time::Duration;

use anyhow::Context;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The contract's capability names.
pub(crate) const CAPABILITIES: [&str; 8] = [
    "instantiate",
    "view",
    "edit",
    "clone",
    "delete",
    "download",
    "preview",
    "open_in_modal",
];

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Outcome {
    Pass,
    Fail,
    /// Not asked of this interlinker (a capability it does not declare).
    Skip,
}

/// One row of the report.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) check: &'static str,
    pub(crate) outcome: Outcome,
    pub(crate) detail: String,
}

struct Kit {
    http: reqwest::Client,
    base: String,
    token: String,
    rows: Vec<Row>,
}

/// What a response was: status, headers and body.
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    fn is_html(&self) -> bool {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
    }
}

impl Kit {
    async fn call(
        &self,
        method: Method,
        path: &str,
        token: bool,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> anyhow::Result<Answer> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if token {
            request = request.bearer_auth(&self.token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request
            .send()
            .await
            .with_context(|| format!("{path}: no answer"))?;
        Ok(Answer {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.unwrap_or_default(),
        })
    }

    fn record(&mut self, check: &'static str, passed: bool, detail: impl Into<String>) -> bool {
        self.rows.push(Row {
            check,
            outcome: if passed { Outcome::Pass } else { Outcome::Fail },
            detail: detail.into(),
        });
        passed
    }

    fn skip(&mut self, check: &'static str) {
        self.rows.push(Row {
            check,
            outcome: Outcome::Skip,
            detail: "capability not declared".into(),
        });
    }

    /// The contract's asset description: its fields and their forms.
    fn asset_fault(asset: &Value) -> Option<String> {
        for field in ["id", "name", "created_at", "updated_at"] {
            match asset.get(field).and_then(Value::as_str) {
                Some(value) if !value.is_empty() => {}
                _ => return Some(format!("`{field}` is missing or not a string")),
            }
        }
        for field in ["created_at", "updated_at"] {
            let value = asset[field].as_str().unwrap_or_default();
            if chrono::DateTime::parse_from_rfc3339(value).is_err() {
                return Some(format!("`{field}` is not RFC 3339: {value}"));
            }
        }
        if asset.get("icon").is_some_and(|icon| !icon.is_string()) {
            return Some("`icon` is not a string".into());
        }
        None
    }

    async fn page(&mut self, check: &'static str, path: &str) -> anyhow::Result<()> {
        let answer = self.call(Method::GET, path, true, &[], None).await?;
        let ok = answer.status == StatusCode::OK && answer.is_html();
        self.record(check, ok, format!("GET {path}: {}", describe(&answer)));
        Ok(())
    }
}

fn describe(answer: &Answer) -> String {
    let kind = answer
        .headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("no content type");
    format!("{} ({kind})", answer.status.as_u16())
}

/// Runs every check against the interlinker at `base` with `token` (one
/// the interlinker accepts), for `declared` capabilities (`None`: what its
/// `/manifest` declares, else all of them).
pub(crate) async fn run(
    base: &str,
    token: &str,
    declared: Option<Vec<String>>,
) -> anyhow::Result<Vec<Row>> {
    let mut kit = Kit {
        http: reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .redirect(reqwest::redirect::Policy::none())
            .build()?,
        base: base.trim_end_matches('/').to_owned(),
        token: token.to_owned(),
        rows: Vec::new(),
    };

    // What it says it can do.
    let manifest = kit.call(Method::GET, "/manifest", false, &[], None).await?;
    let from_manifest = if manifest.status == StatusCode::OK {
        let body = manifest.json().unwrap_or_default();
        let contract = body["contract"].as_str().unwrap_or_default().to_owned();
        let capabilities: Vec<String> = body["capabilities"]
            .as_array()
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let unknown: Vec<&String> = capabilities
            .iter()
            .filter(|c| !CAPABILITIES.contains(&c.as_str()))
            .collect();
        kit.record(
            "manifest",
            contract == "interlink.interlinker/1" && unknown.is_empty(),
            if unknown.is_empty() {
                format!("{contract}: {}", capabilities.join(", "))
            } else {
                format!("{contract}: unknown capabilities {unknown:?}")
            },
        );
        Some(capabilities)
    } else {
        kit.rows.push(Row {
            check: "manifest",
            outcome: Outcome::Skip,
            detail: format!(
                "none ({}): the manifest is optional",
                manifest.status.as_u16()
            ),
        });
        None
    };
    let capabilities = declared
        .or(from_manifest)
        .unwrap_or_else(|| CAPABILITIES.iter().map(|c| (*c).to_owned()).collect());
    let can = |name: &str| capabilities.iter().any(|c| c == name);

    // Tokens are required, and unknown assets are answered as such.
    let nobody = kit
        .call(
            Method::GET,
            "/assets/00000000-0000-0000-0000-000000000000",
            false,
            &[],
            None,
        )
        .await?;
    kit.record(
        "no token refused",
        nobody.status == StatusCode::UNAUTHORIZED,
        format!(
            "GET /assets/{{id}} without a token: {}",
            nobody.status.as_u16()
        ),
    );
    let forged = format!("{}x", kit.token);
    let forged = kit
        .http
        .get(format!(
            "{}/assets/00000000-0000-0000-0000-000000000000",
            kit.base
        ))
        .bearer_auth(forged)
        .send()
        .await?
        .status();
    kit.record(
        "forged token refused",
        forged == StatusCode::UNAUTHORIZED,
        format!("a token with a broken signature: {}", forged.as_u16()),
    );
    let unknown = kit
        .call(
            Method::GET,
            "/assets/00000000-0000-0000-0000-000000000000",
            true,
            &[],
            None,
        )
        .await?;
    let error_body = unknown
        .json()
        .is_some_and(|body| body["error"]["message"].is_string());
    kit.record(
        "unknown asset",
        unknown.status == StatusCode::NOT_FOUND && error_body,
        format!("404 with an error body: {}", describe(&unknown)),
    );

    // Make one asset to check the rest on.
    if can("instantiate") {
        kit.page("instantiate page", "/assets/instantiate").await?;
    } else {
        kit.skip("instantiate page");
    }
    let created = kit
        .call(
            Method::POST,
            "/assets",
            true,
            &[],
            Some(serde_json::json!({ "name": "Interlinker check" })),
        )
        .await?;
    let asset = created.json().unwrap_or_default();
    let fault = Kit::asset_fault(&asset);
    let made = kit.record(
        "create",
        created.status == StatusCode::CREATED && fault.is_none(),
        format!(
            "POST /assets: {}{}",
            created.status.as_u16(),
            fault.map(|f| format!(", {f}")).unwrap_or_default()
        ),
    );
    let blank = kit
        .call(
            Method::POST,
            "/assets",
            true,
            &[],
            Some(serde_json::json!({ "name": " " })),
        )
        .await?;
    let named = blank
        .json()
        .is_some_and(|body| body["error"]["field"] == "name");
    kit.record(
        "blank name refused",
        blank.status == StatusCode::BAD_REQUEST && named,
        format!(
            "POST /assets with a blank name: {}, field named: {named}",
            blank.status.as_u16()
        ),
    );
    if !made {
        return Ok(kit.rows);
    }
    let id = asset["id"].as_str().unwrap_or_default().to_owned();

    let got = kit
        .call(Method::GET, &format!("/assets/{id}"), true, &[], None)
        .await?;
    let same = got
        .json()
        .is_some_and(|body| body["id"] == id.as_str() && body["name"] == asset["name"]);
    kit.record(
        "get",
        got.status == StatusCode::OK && same,
        format!(
            "GET /assets/{{id}}: {}, same asset: {same}",
            got.status.as_u16()
        ),
    );

    for (capability, check, route) in [
        ("view", "view page", "view"),
        ("edit", "edit page", "edit"),
        ("preview", "preview page", "preview"),
    ] {
        if can(capability) {
            kit.page(check, &format!("/assets/{id}/{route}")).await?;
        } else {
            kit.skip(check);
        }
    }
    if can("view") {
        let view = kit
            .call(Method::GET, &format!("/assets/{id}/view"), true, &[], None)
            .await?;
        let policy = view
            .headers
            .get(reqwest::header::CONTENT_SECURITY_POLICY)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let ancestors = policy
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("frame-ancestors"))
            .unwrap_or_default()
            .to_owned();
        kit.record(
            "framed by the platform only",
            !ancestors.is_empty() && !ancestors.split(' ').any(|source| source == "*"),
            if policy.is_empty() {
                "no Content-Security-Policy".to_owned()
            } else {
                policy
                    .split(';')
                    .map(str::trim)
                    .find(|d| d.starts_with("frame-ancestors"))
                    .unwrap_or("no frame-ancestors")
                    .to_owned()
            },
        );
    }
    if can("download") {
        let file = kit
            .call(
                Method::GET,
                &format!("/assets/{id}/download"),
                true,
                &[],
                None,
            )
            .await?;
        let attachment = file
            .headers
            .get(reqwest::header::CONTENT_DISPOSITION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment"));
        kit.record(
            "download",
            file.status == StatusCode::OK && attachment,
            format!("{}, an attachment: {attachment}", describe(&file)),
        );
    } else {
        kit.skip("download");
    }

    let mut copy_id = None;
    if can("clone") {
        let path = format!("/assets/{id}/clone");
        let keyless = kit.call(Method::POST, &path, true, &[], None).await?;
        kit.record(
            "clone needs a key",
            keyless.status == StatusCode::BAD_REQUEST,
            format!("without Idempotency-Key: {}", keyless.status.as_u16()),
        );
        let key = uuid::Uuid::new_v4().to_string();
        let first = kit
            .call(
                Method::POST,
                &path,
                true,
                &[("idempotency-key", &key)],
                None,
            )
            .await?;
        let again = kit
            .call(
                Method::POST,
                &path,
                true,
                &[("idempotency-key", &key)],
                None,
            )
            .await?;
        let first_id = first
            .json()
            .and_then(|b| b["id"].as_str().map(str::to_owned));
        let again_id = again
            .json()
            .and_then(|b| b["id"].as_str().map(str::to_owned));
        let fault = first.json().as_ref().and_then(Kit::asset_fault);
        kit.record(
            "clone",
            first.status == StatusCode::CREATED
                && fault.is_none()
                && first_id.as_deref().is_some_and(|copy| copy != id),
            format!(
                "{}, a new asset{}",
                first.status.as_u16(),
                fault.map(|f| format!(", {f}")).unwrap_or_default()
            ),
        );
        kit.record(
            "clone once per key",
            again.status.is_success() && again_id.is_some() && again_id == first_id,
            format!(
                "the same key again: {}, same copy: {}",
                again.status.as_u16(),
                again_id == first_id
            ),
        );
        copy_id = first_id;
    } else {
        kit.skip("clone");
    }

    if can("delete") {
        let target = copy_id.clone().unwrap_or_else(|| id.clone());
        let path = format!("/assets/{target}");
        let deleted = kit.call(Method::DELETE, &path, true, &[], None).await?;
        let gone = kit.call(Method::GET, &path, true, &[], None).await?;
        kit.record(
            "delete",
            deleted.status == StatusCode::NO_CONTENT && gone.status == StatusCode::NOT_FOUND,
            format!(
                "DELETE: {}, then GET: {}",
                deleted.status.as_u16(),
                gone.status.as_u16()
            ),
        );
        let twice = kit.call(Method::DELETE, &path, true, &[], None).await?;
        kit.record(
            "delete twice",
            twice.status == StatusCode::NOT_FOUND,
            format!("DELETE again: {}", twice.status.as_u16()),
        );
        if copy_id.is_some() {
            // Leave nothing behind.
            kit.call(Method::DELETE, &format!("/assets/{id}"), true, &[], None)
                .await?;
        }
    } else {
        kit.skip("delete");
    }
    Ok(kit.rows)
}

/// The report as a table; `true` when nothing failed.
pub(crate) fn print(rows: &[Row]) -> bool {
    let width = rows.iter().map(|r| r.check.len()).max().unwrap_or(5).max(5);
    println!("{:width$}  result  detail", "check");
    for row in rows {
        let outcome = match row.outcome {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "skip",
        };
        println!("{:width$}  {outcome:6}  {}", row.check, row.detail);
    }
    let failed = rows.iter().filter(|r| r.outcome == Outcome::Fail).count();
    let passed = rows.iter().filter(|r| r.outcome == Outcome::Pass).count();
    println!("{passed} passed, {failed} failed");
    failed == 0
}
