//! `interlink up` as a process, for tests that talk to it as clients do.

#![allow(dead_code, unreachable_pub)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_interlink");

pub struct Up {
    pub child: Child,
    pub grpc: String,
    pub http: String,
    /// The documents interlinker's base URL.
    pub documents: String,
    /// The surveys interlinker's base URL.
    pub surveys: String,
}

pub fn start(data_dir: &std::path::Path) -> Up {
    start_with(data_dir, &[])
}

/// [`start`] with `envs` beside (and over) its own.
pub fn start_with(data_dir: &std::path::Path, envs: &[(&str, String)]) -> Up {
    let mut child = Command::new(BIN)
        .args(["up", "--data-dir"])
        .arg(data_dir)
        .env("INTERLINK__GRPC__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__GATEWAY__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__DOCUMENTS__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__SURVEYS__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__TELEMETRY__FORMAT", "json")
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("interlink up starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut grpc = None;
    let mut http = None;
    let mut web = None;
    let mut documents = None;
    let mut surveys = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        if let Some(addr) = line.strip_prefix("grpc: ") {
            grpc = Some(addr.to_owned());
        }
        if let Some(addr) = line.strip_prefix("http: ") {
            http = Some(addr.to_owned());
        }
        if let Some(addr) = line.strip_prefix("web:  ") {
            web = addr.split(' ').next().map(str::to_owned);
        }
        if let Some(addr) = line.strip_prefix("documents: ") {
            documents = addr.split(' ').next().map(str::to_owned);
        }
        if let Some(addr) = line.strip_prefix("surveys: ") {
            surveys = addr.split(' ').next().map(str::to_owned);
        }
        if line.starts_with("dev token") {
            break;
        }
    }
    let http = http.expect("http address printed");
    assert_eq!(
        web.expect("the web address printed"),
        format!("{http}/"),
        "the pages are at the gateway's root"
    );
    Up {
        child,
        grpc: grpc.expect("grpc address printed"),
        http,
        documents: documents.expect("the documents interlinker's address printed"),
        surveys: surveys.expect("the surveys interlinker's address printed"),
    }
}

/// Signals the process and waits for a clean exit (yielding to the runtime,
/// so clients' connections can close and the server's drain ends early).
pub async fn stop(mut up: Up, signal: &str) {
    let status = Command::new("kill")
        .args([signal, &up.child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = up.child.try_wait().expect("wait") {
            assert!(status.success(), "interlink up exited with {status}");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "interlink up did not stop after {signal}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A token for `sub` signed by the data directory's dev key.
pub fn mint(data_dir: &std::path::Path, sub: &str, admin: bool) -> String {
    let mut command = Command::new(BIN);
    command
        .args(["token", "--sub", sub, "--name", "Citizen One", "--data-dir"])
        .arg(data_dir);
    if admin {
        command.arg("--admin");
    }
    let output = command.output().expect("interlink token");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned()
}

/// A free loopback port (bound, then released for the process to take).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A child process killed (and reaped) when dropped.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `interlink up` on `data_dir` with its gateway on a free port and `envs`
/// beside; returns it with the gateway's base URL once it answers health
/// checks.
pub async fn serve_up(data_dir: &std::path::Path, envs: &[(&str, String)]) -> (Killed, String) {
    // A port found free can be taken by another test before `up` binds it:
    // then `up` exits, and another port is tried.
    for _ in 0..3 {
        if let Some(up) = try_serve_up_at(data_dir, free_port(), envs).await {
            return up;
        }
    }
    panic!("interlink up did not start on any of three ports");
}

/// [`serve_up`] with the gateway on `port` (for settings that name the
/// site's address).
pub async fn serve_up_at(
    data_dir: &std::path::Path,
    port: u16,
    envs: &[(&str, String)],
) -> (Killed, String) {
    try_serve_up_at(data_dir, port, envs)
        .await
        .unwrap_or_else(|| panic!("interlink up exited: port {port} taken?"))
}

/// `interlink up` with the gateway on `port`, once it answers; `None` if
/// it exited first (its port taken).
async fn try_serve_up_at(
    data_dir: &std::path::Path,
    port: u16,
    envs: &[(&str, String)],
) -> Option<(Killed, String)> {
    let mut up = Command::new(BIN);
    up.args(["up", "--data-dir"])
        .arg(data_dir)
        .env("INTERLINK__GRPC__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__GATEWAY__LISTEN", format!("127.0.0.1:{port}"))
        .env("INTERLINK__DOCUMENTS__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__SURVEYS__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__TELEMETRY__FORMAT", "json")
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut up = Killed(up.spawn().expect("interlink up"));
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while http.get(format!("{base}/healthz")).send().await.is_err() {
        if up.0.try_wait().ok().flatten().is_some() {
            return None;
        }
        assert!(Instant::now() < deadline, "interlink up did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Some((up, base))
}

/// REST calls through the gateway with one bearer token.
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    /// Repeats a call until it answers 200 (projections catch up).
    pub async fn ok(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let (status, value) = self.call(method.clone(), path, body.clone()).await;
            if status == 200 {
                return value;
            }
            assert!(Instant::now() < deadline, "{path}: {status} {value}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// What [`public_process_with_story`] made.
pub struct PublicProcess {
    pub organization: String,
    pub process: String,
    pub story: String,
}

/// An organisation, a public process of it (in Spanish) built from the
/// seeded `default` schema with one task under way, and a success story
/// of it, all through the REST API as `admin` (a platform administrator).
pub async fn public_process_with_story(admin: &Api) -> PublicProcess {
    use reqwest::Method as M;
    use serde_json::json;
    let org = admin
        .ok(
            M::POST,
            "/v1/organizations",
            Some(json!({
                "displayName": {"values": {"es": "Ayuntamiento de Prueba", "en": "Test City Council"}},
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
                "public": true,
            })),
        )
        .await;
    let organization = org["name"].as_str().expect("organisation").to_owned();
    let process = admin
        .ok(
            M::POST,
            "/v1/processes",
            Some(json!({
                "title": "Bicicletas compartidas",
                "description": "Un servicio de bicicletas compartidas diseñado con el vecindario.\n\nSegundo párrafo.",
                "aim": "Moverse mejor por la ciudad.",
                "language": "es",
                "organization": organization,
                "public": true,
                "tags": ["movilidad", "bicicleta"],
            })),
        )
        .await;
    let process = process["name"].as_str().expect("process").to_owned();
    let tree = admin
        .ok(
            M::POST,
            &format!("/v1/{process}:buildFromSchema"),
            Some(json!({"schema": "schemas/default"})),
        )
        .await;
    let task = tree["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == "ITEM_KIND_TASK" && i.get("prerequisites").is_none())
        .and_then(|i| i["name"].as_str())
        .expect("a task without prerequisites")
        .to_owned();
    admin
        .ok(
            M::POST,
            &format!("/v1/{task}:setStatus"),
            Some(json!({"status": "STATUS_IN_PROGRESS"})),
        )
        .await;
    let story = admin
        .ok(
            M::POST,
            &format!("/v1/{process}/stories"),
            Some(json!({
                "title": "Mil viajes en bicicleta",
                "description": "Cómo el vecindario eligió dónde poner las estaciones.",
                "results": "Mil viajes el primer mes.",
                "lessonsLearned": "Preguntar pronto.",
                "keywords": ["movilidad"],
                "licences": ["CC-BY-4.0"],
            })),
        )
        .await;
    PublicProcess {
        organization,
        process,
        story: story["name"].as_str().expect("story").to_owned(),
    }
}

/// A public citizens' organisation "Valdespartera" made by `admin`, and a
/// team of it named `names` (`{"en": "Gardens", …}`); the team's name
/// (`teams/{id}`).
pub async fn team_in_new_organization(admin: &Api, names: serde_json::Value) -> String {
    use reqwest::Method as M;
    let org = admin
        .ok(
            M::POST,
            "/v1/organizations",
            Some(serde_json::json!({
                "displayName": {"values": {"en": "Valdespartera"}},
                "defaultTeamType": "TEAM_TYPE_CITIZEN",
                "public": true,
            })),
        )
        .await;
    let org = org["name"].as_str().expect("organisation").to_owned();
    let team = admin
        .ok(
            M::POST,
            &format!("/v1/{org}/teams"),
            Some(serde_json::json!({"displayName": {"values": names}})),
        )
        .await;
    team["name"].as_str().expect("team").to_owned()
}
