//! The whole mesh under load through its gateway, in both shapes —
//! `interlink up` (embedded) and one `interlink serve` process per role on
//! PostgreSQL and NATS (cluster):
//! `cargo bench -p interlink-integration-tests --bench mesh [-- --quick]
//! [--embedded | --cluster]`.
//!
//! Open-loop workloads (a call starts on schedule whether or not the others
//! have finished): public REST reads of the catalogue, gRPC reads through
//! the gateway, authenticated REST writes, an 80/20 mix, and web pages (the
//! catalogue search and an interlinker's page, beside the REST search of
//! the same size, and the home page's weight; signed in where the dev
//! sign-in exists, a task's guide page in a process of 100 tasks and the
//! workspace among 1,000 processes, with the guide's and its Gantt SVG's
//! sizes); a bare tonic
//! echo server in this process is the baseline. Prints a table with p50,
//! p99, achieved throughput, errors, the CPU time the mesh's processes spent
//! per call (from /proc) and the resident memory of each process,
//! and writes the same as JSON to `target/mesh-bench.json` for comparison
//! between runs.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use interlink_integration_tests::{Infrastructure, Mesh, Mode};
use interlink_proto::catalogue::v1::ListInterlinkersRequest;
use interlink_proto::catalogue::v1::catalogue_service_client::CatalogueServiceClient;
use interlink_proto::echo::v1::EchoRequest;
use interlink_proto::echo::v1::echo_service_client::EchoServiceClient;
use interlink_proto::echo::v1::echo_service_server::EchoServiceServer;
use interlink_runtime::echo::Echo;
use tokio::sync::mpsc;

const BIN: &str = env!("CARGO_BIN_EXE_interlink-it");

/// One kind of call.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Call {
    Baseline,
    RestSearch,
    RestList,
    GrpcList,
    RestCreate,
    /// The search with the web page's page size, for comparison with it.
    RestSearch20,
    /// The catalogue search page (HTML), which makes that one call.
    PageSearch,
    /// An interlinker's page: four catalogue calls and a batch of names.
    PageInterlinker,
    /// A task's guide page in a process of 100 tasks, signed in as its
    /// administrator (every form of the panel rendered).
    PageGuide,
    /// The workspace's first page among 1,000 processes, signed in.
    PageWorkspace,
    /// The same, sorted by title.
    PageWorkspaceByTitle,
}

#[derive(Clone)]
struct Clients {
    http: reqwest::Client,
    base: String,
    token: String,
    echo: EchoServiceClient<tonic::transport::Channel>,
    catalogue: CatalogueServiceClient<tonic::transport::Channel>,
    created: Arc<AtomicU64>,
    /// The path of an interlinker's page.
    interlinker_page: String,
    /// The signed-in web session's cookies (embedded mode's dev sign-in).
    cookie: String,
    /// The path of a task's guide page in the 100-task process.
    guide_page: String,
}

impl Clients {
    async fn call(&self, call: Call) -> bool {
        match call {
            Call::Baseline => self
                .echo
                .clone()
                .echo(EchoRequest {
                    message: "hello".into(),
                })
                .await
                .is_ok(),
            Call::RestSearch => {
                self.get(&format!(
                    "{}/v1/interlinkers:search?query=survey&pageSize=10",
                    self.base
                ))
                .await
            }
            Call::RestList => {
                self.get(&format!("{}/v1/interlinkers?pageSize=50", self.base))
                    .await
            }
            Call::RestSearch20 => {
                self.get(&format!(
                    "{}/v1/interlinkers:search?query=survey&pageSize=20",
                    self.base
                ))
                .await
            }
            Call::PageSearch => self.get(&format!("{}/catalogue?q=survey", self.base)).await,
            Call::PageInterlinker => {
                self.get(&format!("{}{}", self.base, self.interlinker_page))
                    .await
            }
            Call::PageGuide => {
                self.get_signed_in(&format!("{}{}", self.base, self.guide_page))
                    .await
            }
            Call::PageWorkspace => {
                self.get_signed_in(&format!("{}/workspace", self.base))
                    .await
            }
            Call::PageWorkspaceByTitle => {
                self.get_signed_in(&format!("{}/workspace?sort=title", self.base))
                    .await
            }
            Call::GrpcList => self
                .catalogue
                .clone()
                .list_interlinkers(ListInterlinkersRequest {
                    page_size: 50,
                    ..Default::default()
                })
                .await
                .is_ok_and(|r| r.get_ref().interlinkers.len() == 50),
            Call::RestCreate => {
                let n = self.created.fetch_add(1, Ordering::Relaxed);
                let body = serde_json::json!({
                    "displayName": {"values": {"es": format!("Ayuntamiento {n}")}},
                    "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
                    "public": true,
                });
                let sent = self
                    .http
                    .post(format!("{}/v1/organizations", self.base))
                    .bearer_auth(&self.token)
                    .json(&body)
                    .send()
                    .await;
                answered_ok("POST /v1/organizations", sent).await
            }
        }
    }

    async fn get(&self, url: &str) -> bool {
        answered_ok(url, self.http.get(url).send().await).await
    }

    async fn get_signed_in(&self, url: &str) -> bool {
        let sent = self
            .http
            .get(url)
            .header("cookie", &self.cookie)
            .send()
            .await;
        answered_ok(url, sent).await
    }

    /// A REST call as the bench's platform administrator; its JSON answer
    /// (`None` unless 200).
    async fn rest(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> Option<serde_json::Value> {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.ok()?;
        if response.status() != 200 {
            return None;
        }
        response.json().await.ok()
    }
}

/// The `name=value` pairs of a response's cookies.
fn cookies_of(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .map(str::to_owned)
        .collect()
}

/// The day `offset` days into March 2027 onwards, as RFC 3339 (months of
/// 28 days are enough for a plan's dates).
fn plan_day(offset: u64) -> String {
    let month = 3 + offset / 28;
    let day = 1 + offset % 28;
    format!("2027-{month:02}-{day:02}T00:00:00Z")
}

/// What the workspace workloads need, made through the mesh: a web session
/// of the bench's user (by the dev sign-in page, so embedded mode only),
/// 1,000 processes it administers, and one of them planned from the
/// default schema and grown to 100 dated tasks. `Err` says why not (no
/// dev sign-in in cluster mode). Also the bytes of that process's guide page and Gantt SVG.
async fn seed_workspace(clients: &Clients) -> Result<(String, String, usize, usize), String> {
    use reqwest::Method as M;
    let base = &clients.base;
    let form = clients
        .http
        .get(format!("{base}/sign-in"))
        .send()
        .await
        .ok()
        .ok_or("seed step 1")?;
    if form.status() != 200 {
        return Err(format!("/sign-in answered {}", form.status()));
    }
    let anonymous = cookies_of(&form).join("; ");
    let body = form.text().await.ok().ok_or("seed step 2")?;
    let csrf = body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .ok_or("seed step 3")?
        .split('"')
        .next()
        .ok_or("seed step 4")?
        .to_owned();
    // The session cookie comes with the 303: not followed.
    let signed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?
        .post(format!("{base}/sign-in"))
        .header("cookie", anonymous)
        .header("origin", base.as_str())
        .form(&[
            ("csrf", csrf.as_str()),
            ("subject", "bench"),
            ("name", "Bench"),
        ])
        .send()
        .await
        .ok()
        .ok_or("seed step 5")?;
    if signed.status() != 303 {
        return Err(format!("the dev sign-in answered {}", signed.status()));
    }
    let cookie = cookies_of(&signed).join("; ");
    let organization = clients
        .rest(
            M::POST,
            "/v1/organizations",
            Some(serde_json::json!({
                "displayName": {"values": {"es": "Ayuntamiento del banco de pruebas"}},
                "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
            })),
        )
        .await
        .ok_or("seed step 6")?["name"]
        .as_str()
        .ok_or("seed step 7")?
        .to_owned();
    // Co-production hears of the organisation's administrator by event.
    let mut processes = Vec::with_capacity(1_000);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while processes.len() < 1_000 {
        let made = clients
            .rest(
                M::POST,
                "/v1/processes",
                Some(serde_json::json!({
                    "title": format!("Proceso {:04}", 1_000 - processes.len()),
                    "language": "es",
                    "organization": organization,
                    "tags": ["banco"],
                })),
            )
            .await;
        match made.and_then(|p| p["name"].as_str().map(str::to_owned)) {
            Some(name) => processes.push(name),
            None if processes.is_empty() && std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            None => return Err("a process was not made".to_owned()),
        }
    }
    let process = processes.first().ok_or("seed step 8")?.clone();
    clients
        .rest(
            M::POST,
            &format!("/v1/{process}:buildFromSchema"),
            Some(serde_json::json!({"schema": "schemas/default"})),
        )
        .await
        .ok_or("seed step 9")?;
    let tree = clients
        .rest(M::GET, &format!("/v1/{process}/tree"), None)
        .await
        .ok_or("seed step 10")?;
    let items = tree["items"].as_array().ok_or("seed step 11")?.clone();
    let first_phase = items
        .iter()
        .find(|i| i["kind"] == "ITEM_KIND_PHASE")
        .ok_or("seed step 12")?["name"]
        .clone();
    let objective = items
        .iter()
        .find(|i| i["kind"] == "ITEM_KIND_OBJECTIVE" && i["parent"] == first_phase)
        .ok_or("seed step 13")?["name"]
        .as_str()
        .ok_or("seed step 14")?
        .to_owned();
    let mut tasks: Vec<String> = items
        .iter()
        .filter(|i| i["kind"] == "ITEM_KIND_TASK")
        .filter_map(|i| i["name"].as_str().map(str::to_owned))
        .collect();
    // The schema's tasks get dates; then tasks are added up to 100.
    for (n, task) in tasks.clone().iter().enumerate() {
        let dates = serde_json::json!({
            "startTime": plan_day(n as u64 * 2),
            "endTime": plan_day(n as u64 * 2 + 4),
        });
        let patched = clients
            .rest(
                M::PATCH,
                &format!("/v1/{task}?updateMask=startTime,endTime"),
                Some(dates),
            )
            .await;
        patched.ok_or("seed step 16")?;
    }
    let mut added = None;
    while tasks.len() < 100 {
        let n = tasks.len() as u64;
        let task = clients
            .rest(
                M::POST,
                &format!("/v1/{process}/items"),
                Some(serde_json::json!({
                    "kind": "ITEM_KIND_TASK",
                    "parent": objective,
                    "title": {"values": {"en": format!("Prepare the neighbourhood meeting {n}")}},
                    "startTime": plan_day(n),
                    "endTime": plan_day(n + 6),
                })),
            )
            .await
            .ok_or("seed step 17")?["name"]
            .as_str()
            .ok_or("seed step 18")?
            .to_owned();
        added.get_or_insert_with(|| task.clone());
        tasks.push(task);
    }
    let id = process.trim_start_matches("processes/");
    let guide = format!("/processes/{id}/guide/{}", added.ok_or("seed step 19")?);
    let page_bytes = |path: String| {
        let (http, cookie) = (clients.http.clone(), cookie.clone());
        let url = format!("{base}{path}");
        async move {
            let response = http
                .get(&url)
                .header("cookie", cookie)
                .send()
                .await
                .map_err(|e| format!("{url}: {e}"))?;
            let status = response.status();
            let body = response.bytes().await.map_err(|e| format!("{url}: {e}"))?;
            if status != 200 {
                return Err(format!(
                    "{url} answered {status}: {}",
                    String::from_utf8_lossy(&body)
                        .chars()
                        .take(300)
                        .collect::<String>()
                ));
            }
            Ok(body.len())
        }
    };
    let guide_bytes = page_bytes(guide.clone()).await?;
    let svg_bytes = page_bytes(format!("/processes/{id}/workplan.svg")).await?;
    Ok((cookie, guide, guide_bytes, svg_bytes))
}

/// Whether a REST call was answered 200 with its whole body; the first
/// failure of a run is shown, so an error count has a cause beside it.
async fn answered_ok(what: &str, sent: reqwest::Result<reqwest::Response>) -> bool {
    let failure = match sent {
        Ok(response) if response.status() == 200 => match response.bytes().await {
            Ok(_) => return true,
            Err(e) => format!("body: {}", error_chain(&e)),
        },
        Ok(response) => {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            format!("{status}: {}", body.chars().take(300).collect::<String>())
        }
        Err(e) => error_chain(&e),
    };
    if !REPORTED.swap(true, Ordering::Relaxed) {
        eprintln!("first failed call, {what}: {failure}");
    }
    false
}

fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether a failed call was shown already.
static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

struct Row {
    name: &'static str,
    rate: u64,
    p50: Duration,
    p99: Duration,
    throughput: f64,
    errors: u64,
    /// CPU time the mesh's processes spent per offered call, in µs.
    cpu_per_call_us: f64,
}

/// `rate` calls per second for `length`, drawn from `mix` in turn.
async fn open_loop(
    clients: &Clients,
    mix: &[Call],
    rate: u64,
    length: Duration,
) -> (Vec<Duration>, u64, f64) {
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let count = (length.as_secs_f64() * rate as f64) as u64;
    let start = tokio::time::Instant::now();
    let (tx, mut rx) = mpsc::unbounded_channel();
    for i in 0..count {
        tokio::time::sleep_until(start + interval * i as u32).await;
        let clients = clients.clone();
        let call = mix[i as usize % mix.len()];
        let tx = tx.clone();
        let started = tokio::time::Instant::now();
        tokio::spawn(async move {
            let ok = clients.call(call).await;
            let _ = tx.send((ok, started.elapsed()));
        });
    }
    drop(tx);
    let mut latencies = Vec::with_capacity(count as usize);
    let mut errors = 0;
    while let Some((ok, latency)) = rx.recv().await {
        if ok {
            latencies.push(latency);
        } else {
            errors += 1;
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    (latencies, errors, count as f64 / elapsed)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// User and system CPU time of `pids` so far, in seconds, from /proc.
fn cpu_seconds(pids: &[u32]) -> f64 {
    // USER_HZ: Linux counts these in hundredths of a second.
    let ticks = 100.0;
    pids.iter()
        .filter_map(|pid| std::fs::read_to_string(format!("/proc/{pid}/stat")).ok())
        .filter_map(|stat| {
            // Fields after the command name, which may hold spaces.
            let rest = stat.rsplit_once(')')?.1;
            let fields: Vec<&str> = rest.split_whitespace().collect();
            let user: f64 = fields.get(11)?.parse().ok()?;
            let system: f64 = fields.get(12)?.parse().ok()?;
            Some((user + system) / ticks)
        })
        .sum()
}

/// Resident memory of `pid` in MiB, from /proc.
fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

async fn bare_echo() -> EchoServiceClient<tonic::transport::Channel> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(EchoServiceServer::new(Echo))
            .serve_with_incoming(
                tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
            ),
    );
    EchoServiceClient::new(channel(&format!("http://{address}")).await)
}

async fn channel(url: &str) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(url.to_owned())
        .expect("url")
        .tcp_nodelay(true)
        .connect()
        .await
        .expect("connect")
}

/// One mode's results.
struct Run {
    mode: Mode,
    rows: Vec<Row>,
    /// Resident memory of each of the mesh's processes after the load.
    rss: Vec<(String, f64)>,
    /// Bytes of the home page and its files, gzip-compressed.
    home_weight: usize,
    /// Bytes of the 100-task guide page and of its Gantt SVG (uncompressed),
    /// where the workspace workloads ran.
    workspace_bytes: Option<(usize, usize)>,
}

async fn run_mode(mode: Mode, length: Duration) -> Run {
    // The access log at info is a write per request: keep it off the
    // measurement, as an operator would at this rate.
    let mesh = Mesh::start_with(
        BIN.as_ref(),
        mode,
        Infrastructure::from_env(),
        &[("INTERLINK__TELEMETRY__FILTER", "warn")],
    )
    .await
    .expect("the mesh starts");
    let token = mesh
        .token("bench", "Bench", "bench@example.org", true)
        .expect("token");
    let gateway = channel(&mesh.gateway).await;
    let clients = Clients {
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(64)
            // Under the gateway's idle close (10 s, announced in its
            // keep-alive header), as a pooling client should be: the
            // baseline keeps these connections idle for 10 s.
            .pool_idle_timeout(Duration::from_secs(5))
            .build()
            .expect("http client"),
        base: mesh.gateway.clone(),
        token,
        echo: bare_echo().await,
        catalogue: CatalogueServiceClient::new(gateway),
        created: Arc::new(AtomicU64::new(0)),
        interlinker_page: String::new(),
        cookie: String::new(),
        guide_page: String::new(),
    };
    let search = clients
        .http
        .get(format!("{}/catalogue?q=survey", clients.base))
        .send()
        .await
        .expect("the search page answers")
        .text()
        .await
        .unwrap_or_default();
    let clients = Clients {
        interlinker_page: search
            .split("href=\"/catalogue/")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|id| format!("/catalogue/{id}"))
            .expect("a search result links to its page"),
        ..clients
    };
    let home_weight = home_weight(&clients).await;
    let seeded = match seed_workspace(&clients).await {
        Ok(seeded) => Some(seeded),
        Err(why) => {
            eprintln!("{mode}: the workspace pages are not measured: {why}");
            None
        }
    };
    let workspace_bytes = seeded.as_ref().map(|(_, _, guide, svg)| (*guide, *svg));
    let clients = match seeded {
        Some((cookie, guide_page, _, _)) => Clients {
            cookie,
            guide_page,
            ..clients
        },
        None => clients,
    };
    // Warm up connections and caches.
    let _ = open_loop(
        &clients,
        &[Call::RestSearch, Call::RestList, Call::GrpcList],
        200,
        Duration::from_secs(1),
    )
    .await;
    let mut rows = Vec::new();
    let mut workloads: Vec<(&'static str, &[Call], u64)> = vec![
        ("bare tonic echo (baseline)", &[Call::Baseline], 1_000),
        ("REST search (public)", &[Call::RestSearch], 500),
        ("REST list 50 interlinkers", &[Call::RestList], 500),
        // The original catalogue served 9 pages/s: this is 100 times that.
        ("REST list 50 interlinkers", &[Call::RestList], 900),
        ("gRPC list 50 via gateway", &[Call::GrpcList], 500),
        ("REST create organisation (JWT)", &[Call::RestCreate], 100),
        (
            "mix 80 % reads / 20 % writes",
            &[
                Call::RestSearch,
                Call::RestList,
                Call::GrpcList,
                Call::RestList,
                Call::RestCreate,
            ],
            300,
        ),
        ("REST search, 20 results", &[Call::RestSearch20], 200),
        ("page: catalogue search (HTML)", &[Call::PageSearch], 200),
        ("page: an interlinker (HTML)", &[Call::PageInterlinker], 200),
    ];
    if workspace_bytes.is_some() {
        workloads.extend([
            ("page: guide, 100-task process", &[Call::PageGuide][..], 50),
            (
                "page: workspace, 1,000 processes",
                &[Call::PageWorkspace][..],
                100,
            ),
            (
                "page: workspace by title",
                &[Call::PageWorkspaceByTitle][..],
                100,
            ),
        ]);
    }
    let pids: Vec<u32> = mesh.pids().into_iter().map(|(_, pid)| pid).collect();
    for (name, mix, rate) in workloads {
        let cpu_before = cpu_seconds(&pids);
        let (latencies, errors, throughput) = open_loop(&clients, mix, rate, length).await;
        let calls = (length.as_secs_f64() * rate as f64).max(1.0);
        let cpu_per_call_us = (cpu_seconds(&pids) - cpu_before) / calls * 1e6;
        rows.push(Row {
            name,
            rate,
            p50: percentile(&latencies, 0.50),
            p99: percentile(&latencies, 0.99),
            throughput,
            errors,
            cpu_per_call_us,
        });
    }
    let rss = mesh
        .pids()
        .into_iter()
        .map(|(role, pid)| (role, rss_mib(pid)))
        .collect();
    mesh.shutdown().await.expect("the mesh stops cleanly");
    Run {
        mode,
        rows,
        rss,
        home_weight,
        workspace_bytes,
    }
}

/// Bytes transferred for the home page and its stylesheet, gzip-compressed
/// as browsers ask (the client here does not decompress, so the body is
/// what crossed the wire).
async fn home_weight(clients: &Clients) -> usize {
    let fetch = |path: String| {
        let http = clients.http.clone();
        let url = format!("{}{path}", clients.base);
        async move {
            http.get(url)
                .header("accept-encoding", "gzip")
                .header("accept", "text/html,*/*")
                .send()
                .await
                .expect("the page answers")
                .bytes()
                .await
                .expect("its body")
        }
    };
    let home = fetch("/".to_owned()).await;
    // The plain page names its stylesheet (the gzip one cannot be read here).
    let plain = clients
        .http
        .get(format!("{}/", clients.base))
        .send()
        .await
        .expect("the home page answers")
        .text()
        .await
        .unwrap_or_default();
    let files: Vec<String> = plain
        .split("=\"/static/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|file| format!("/static/{file}"))
        .collect();
    let mut total = home.len();
    for file in files {
        total += fetch(file).await.len();
    }
    total
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let modes: Vec<Mode> = match (
        args.iter().any(|a| a == "--embedded"),
        args.iter().any(|a| a == "--cluster"),
    ) {
        (true, false) => vec![Mode::Embedded],
        (false, true) => vec![Mode::Cluster],
        _ => vec![Mode::Embedded, Mode::Cluster],
    };
    let length = Duration::from_secs(if quick { 3 } else { 10 });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut runs = Vec::new();
    for mode in modes {
        runs.push(runtime.block_on(run_mode(mode, length)));
    }
    let bench_rss = rss_mib(std::process::id());
    for run in &runs {
        println!("\n{} mesh", run.mode);
        println!(
            "{:<34} {:>8} {:>10} {:>10} {:>10} {:>7} {:>12}",
            "workload", "rate/s", "p50 ms", "p99 ms", "done/s", "errors", "CPU µs/call"
        );
        for row in &run.rows {
            println!(
                "{:<34} {:>8} {:>10.2} {:>10.2} {:>10.0} {:>7} {:>12.0}",
                row.name,
                row.rate,
                row.p50.as_secs_f64() * 1e3,
                row.p99.as_secs_f64() * 1e3,
                row.throughput,
                row.errors,
                row.cpu_per_call_us
            );
        }
        let rss: Vec<String> = run
            .rss
            .iter()
            .map(|(role, mib)| format!("{role} {mib:.0} MiB"))
            .collect();
        println!("RSS after the load: {}", rss.join(", "));
        println!(
            "home page with its stylesheet: {:.1} KB transferred (gzip)",
            run.home_weight as f64 / 1024.0
        );
        if let Some((guide, svg)) = run.workspace_bytes {
            println!(
                "100-task process: guide page {:.1} KB, Gantt SVG {:.1} KB (uncompressed)",
                guide as f64 / 1024.0,
                svg as f64 / 1024.0
            );
        }
    }
    println!("RSS of the bench (clients + bare tonic): {bench_rss:.0} MiB");
    let json = serde_json::json!({
        "seconds_per_workload": length.as_secs(),
        "runs": runs.iter().map(|run| serde_json::json!({
            "mode": run.mode.to_string(),
            "workloads": run.rows.iter().map(|r| serde_json::json!({
                "name": r.name,
                "rate": r.rate,
                "p50_ms": r.p50.as_secs_f64() * 1e3,
                "p99_ms": r.p99.as_secs_f64() * 1e3,
                "throughput": r.throughput,
                "errors": r.errors,
                "mesh_cpu_us_per_call": r.cpu_per_call_us,
            })).collect::<Vec<_>>(),
            "home_page_bytes_gzip": run.home_weight,
            "guide_page_bytes": run.workspace_bytes.map(|(guide, _)| guide),
            "gantt_svg_bytes": run.workspace_bytes.map(|(_, svg)| svg),
            "rss_mib": run.rss.iter()
                .map(|(role, mib)| (role.clone(), serde_json::json!(mib)))
                .collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
        "bench_rss_mib": bench_rss,
    });
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../target").to_owned());
    let path = std::path::Path::new(&target).join("mesh-bench.json");
    match std::fs::write(&path, serde_json::to_vec_pretty(&json).unwrap_or_default()) {
        Ok(()) => println!("written to {}", path.display()),
        Err(e) => eprintln!("could not write {}: {e}", path.display()),
    }
}
