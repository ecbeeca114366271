//! The fault matrix: a cluster mesh on a PostgreSQL and a NATS of its own,
//! a load of changing calls with idempotency keys through the gateway
//! (REST and gRPC), faults injected while it runs, then — once the mesh is
//! quiet — an account of every acknowledged call and every event:
//!
//! - each acknowledged call has exactly one effect (rows in its service);
//! - every outbox row was published once (outboxes empty; the stream holds
//!   each event once, and one creation event per created row);
//! - every consumer applied every event once (monitoring's trail holds each
//!   event of the stream once; co-production's projections equal their
//!   sources);
//! - monitoring's KPIs equal the source tables;
//! - nothing is parked but the event the run poisoned on purpose;
//! - webhooks deliver exactly once: each load client, administrator of the
//!   first organisation it creates, subscribes an endpoint of the test's own
//!   ([`WebhookReceiver`], which refuses every 7th request with 500) to that
//!   organisation's `community.team.created` and
//!   `coproduction.process.created` before it creates any team or process
//!   there; every such event then has exactly one delivery in the
//!   notifications role's database, delivered (none pending or failed), and
//!   the receiver got every such `webhook-id` (and no other). A `webhook-id`
//!   received again (an attempt in flight when the role was killed, or whose
//!   record was cut off, is sent again with the same id) is counted on a line
//!   of its own and allowed: receivers deduplicate by `webhook-id`.
//!
//! Everything runs on loopback and stops by itself: each call gives up after
//! [`CALL_DEADLINE`], quiescing after [`QUIESCE_DEADLINE`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use interlink_proto::community::v1 as com;
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};

use crate::infra::{OwnNats, OwnPostgres};
use crate::receiver::WebhookReceiver;
use crate::{Client, Infrastructure, Mesh, Mode};

/// How long one call is retried (same key) before it counts as not
/// acknowledged.
pub const CALL_DEADLINE: Duration = Duration::from_secs(180);

/// How long the mesh may take to settle after the load.
pub const QUIESCE_DEADLINE: Duration = Duration::from_secs(240);

/// The event types each load client's webhook hears.
pub const WEBHOOK_EVENT_TYPES: [&str; 2] =
    ["community.team.created", "coproduction.process.created"];

/// The receiver answers every this-many-th request with 500 (retried).
pub const RECEIVER_FAIL_EVERY: usize = 7;

/// How long the receiver takes to answer (after counting the request): the
/// window in which the notifications role is killed with an attempt in
/// flight.
pub const RECEIVER_DELAY: Duration = Duration::from_millis(20);

/// The notifications role's settings for the matrix: endpoints on
/// `http://127.0.0.1`, retries soon, and attempts short enough that a
/// killed dispatcher's leases (twice the timeout and 5 s) expire quickly.
const NOTIFICATIONS_ENV: [(&str, &str); 4] = [
    ("INTERLINK__NOTIFICATIONS__WEBHOOK_ALLOW_HTTP", "true"),
    (
        "INTERLINK__NOTIFICATIONS__WEBHOOK_ALLOW_PRIVATE_NETWORKS",
        "true",
    ),
    ("INTERLINK__NOTIFICATIONS__WEBHOOK_RETRY_INITIAL_MS", "200"),
    ("INTERLINK__NOTIFICATIONS__WEBHOOK_TIMEOUT_MS", "3000"),
];

/// One fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// `kill -9` of a service role's process, restarted a second later.
    KillService(&'static str),
    /// `kill -9` of NATS, restarted a second later on its store.
    KillNats,
    /// SIGSTOP of NATS for 3 s, then SIGCONT.
    StopNats,
    /// `pg_terminate_backend` of every session of the services' databases.
    TerminateSessions,
    /// A fast restart of PostgreSQL.
    RestartPostgres,
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::KillService(role) => write!(f, "kill -9 {role}, restart"),
            Fault::KillNats => f.write_str("kill -9 NATS, restart"),
            Fault::StopNats => f.write_str("SIGSTOP NATS 3 s, SIGCONT"),
            Fault::TerminateSessions => f.write_str("terminate PostgreSQL sessions"),
            Fault::RestartPostgres => f.write_str("restart PostgreSQL"),
        }
    }
}

/// Every fault the matrix knows: each service killed, NATS killed and
/// stopped, sessions terminated, PostgreSQL restarted.
pub const FULL: &[Fault] = &[
    Fault::KillService("community"),
    Fault::StopNats,
    Fault::KillService("coproduction"),
    Fault::TerminateSessions,
    Fault::KillService("catalogue"),
    Fault::KillNats,
    Fault::KillService("monitoring"),
    Fault::KillService("notifications"),
    Fault::RestartPostgres,
];

/// The short plan CI runs: one of each kind of failure, and the webhook
/// dispatcher (the notifications role) killed mid-batch.
pub const SHORT: &[Fault] = &[
    Fault::KillService("coproduction"),
    Fault::StopNats,
    Fault::KillService("notifications"),
    Fault::TerminateSessions,
    Fault::KillNats,
    Fault::RestartPostgres,
];

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Changing calls to make (each acknowledged once, whatever it takes).
    pub calls: usize,
    /// Concurrent clients.
    pub clients: usize,
    /// The faults, spread evenly over the load.
    pub faults: Vec<Fault>,
}

/// The kinds of changing call the load makes.
const KINDS: [&str; 4] = [
    "CreateOrganization (REST)",
    "CreateTeam (gRPC)",
    "CreateProcess (REST)",
    "RateInterlinker (REST)",
];

/// What the load saw.
#[derive(Debug, Default)]
struct Load {
    /// Acknowledged calls per kind.
    acknowledged: BTreeMap<&'static str, usize>,
    /// Names the answers carried, per kind.
    names: BTreeMap<&'static str, BTreeSet<String>>,
    /// Calls acknowledged as applied whose answer was not kept.
    applied_without_answer: usize,
    /// Attempts repeated with the same key.
    repeats: usize,
    /// Calls never acknowledged within the deadline.
    unacknowledged: usize,
    /// Answers that are bugs (neither success, nor retryable).
    failures: Vec<String>,
    /// Organisations (ids) given a webhook.
    webhooks: BTreeSet<String>,
    /// CreateWebhook attempts repeated.
    webhook_repeats: usize,
    /// Webhooks found by listing after an attempt whose outcome was not
    /// known (CreateWebhook keeps no idempotency key: see
    /// [`create_webhook`]).
    webhooks_found: usize,
}

/// One line of the account.
#[derive(Debug, Clone)]
pub struct Check {
    /// What is compared.
    pub what: String,
    /// What there should be.
    pub expected: i64,
    /// What there is.
    pub actual: i64,
    /// A count reported for information, neither lost nor duplicated
    /// (`expected` = `actual`).
    pub informational: bool,
}

/// The run's account.
#[derive(Debug)]
pub struct Report {
    /// Calls acknowledged, per kind.
    pub acknowledged: BTreeMap<&'static str, usize>,
    /// Of those, acknowledged as applied without their answer.
    pub applied_without_answer: usize,
    /// Attempts repeated with the same key.
    pub repeats: usize,
    /// Calls never acknowledged.
    pub unacknowledged: usize,
    /// Answers that were neither success nor retryable.
    pub failures: Vec<String>,
    /// The faults, with the acknowledged-call count when each hit and how
    /// long it took (the load goes on until the last one is over).
    pub faults: Vec<(Fault, usize, Duration)>,
    /// The comparisons.
    pub checks: Vec<Check>,
    /// Events in the stream.
    pub events: usize,
    /// Organisations given a webhook.
    pub webhooks: usize,
    /// CreateWebhook attempts repeated, and webhooks found by listing
    /// after an attempt whose outcome was not known.
    pub webhook_repeats: (usize, usize),
    /// Events the webhooks were to deliver.
    pub webhook_events: usize,
    /// Attempts the receiver held (received, not yet answered) when the
    /// notifications role was killed, if the plan kills it.
    pub killed_in_flight: Option<usize>,
    /// Time under load, and time to quiesce.
    pub load_time: Duration,
    /// Time from the end of the load until everything matched.
    pub quiesce_time: Duration,
}

impl Check {
    fn new(what: &str, expected: i64, actual: i64) -> Self {
        Self {
            what: what.to_owned(),
            expected,
            actual,
            informational: false,
        }
    }

    fn info(what: &str, value: i64) -> Self {
        Self {
            what: what.to_owned(),
            expected: value,
            actual: value,
            informational: true,
        }
    }
}

impl Report {
    /// Effects or events missing.
    pub fn lost(&self) -> i64 {
        self.checks
            .iter()
            .filter(|c| !c.informational)
            .map(|c| (c.expected - c.actual).max(0))
            .sum()
    }

    /// Effects or events in excess.
    pub fn duplicated(&self) -> i64 {
        self.checks
            .iter()
            .filter(|c| !c.informational)
            .map(|c| (c.actual - c.expected).max(0))
            .sum()
    }

    /// The account as a table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let total: usize = self.acknowledged.values().sum();
        let _ = writeln!(
            out,
            "fault matrix: {total} changing calls acknowledged in {:.1} s \
             ({} repeats with the same key, {} acknowledged as applied without their answer, \
             {} unacknowledged, {} failures); quiet after {:.1} s; {} events",
            self.load_time.as_secs_f64(),
            self.repeats,
            self.applied_without_answer,
            self.unacknowledged,
            self.failures.len(),
            self.quiesce_time.as_secs_f64(),
            self.events
        );
        for (kind, n) in &self.acknowledged {
            let _ = writeln!(out, "  {kind:<28} {n:>6}");
        }
        let _ = writeln!(
            out,
            "webhooks: {} organisations subscribed ({} CreateWebhook repeats, {} found by \
             listing after an unknown outcome), {} events to deliver",
            self.webhooks, self.webhook_repeats.0, self.webhook_repeats.1, self.webhook_events
        );
        let _ = writeln!(out, "faults:");
        for (fault, at, took) in &self.faults {
            let _ = writeln!(
                out,
                "  {fault:<34} at call {at:>6}, {:.1} s",
                took.as_secs_f64()
            );
        }
        let _ = writeln!(
            out,
            "  {:<64} {:>8} {:>8} {:>5} {:>5}",
            "check", "expected", "actual", "lost", "dup"
        );
        for c in &self.checks {
            if c.informational {
                let _ = writeln!(
                    out,
                    "  {:<64} {:>8} {:>8} {:>11}",
                    c.what, "", c.actual, "(info)"
                );
                continue;
            }
            let _ = writeln!(
                out,
                "  {:<64} {:>8} {:>8} {:>5} {:>5}",
                c.what,
                c.expected,
                c.actual,
                (c.expected - c.actual).max(0),
                (c.actual - c.expected).max(0)
            );
        }
        let _ = writeln!(
            out,
            "lost = {}, duplicated = {}",
            self.lost(),
            self.duplicated()
        );
        for failure in &self.failures {
            let _ = writeln!(out, "failure: {failure}");
        }
        out
    }
}

/// Runs the matrix with the `interlink` binary `bin` and `nats_server`.
pub async fn run(bin: &Path, nats_server: &Path, plan: &Plan) -> anyhow::Result<Report> {
    let postgres = OwnPostgres::start().await?;
    let mut nats = OwnNats::start(nats_server).await?;
    let receiver = WebhookReceiver::start(RECEIVER_FAIL_EVERY, RECEIVER_DELAY).await?;
    let mut mesh = Mesh::start_with(
        bin,
        Mode::Cluster,
        Infrastructure {
            postgres_url: postgres.url(),
            nats_url: nats.url(),
        },
        &NOTIFICATIONS_ENV,
    )
    .await?;
    let client = Client::new(&mesh.gateway)?;
    let mut tokens = Vec::new();
    for i in 0..plan.clients {
        let subject = format!("load-{i:02}");
        tokens.push(mesh.token(&subject, &subject, &format!("{subject}@example.org"), false)?);
    }
    let interlinkers = published_interlinkers(&client).await?;
    let poison = poison(&mesh).await?;

    let progress = Arc::new(Progress {
        calls: plan.calls,
        tickets: AtomicUsize::new(0),
        acknowledged: AtomicUsize::new(0),
        faults_over: AtomicBool::new(plan.faults.is_empty()),
    });
    let started = Instant::now();
    let mut workers = Vec::new();
    for (index, token) in tokens.into_iter().enumerate() {
        workers.push(tokio::spawn(worker(
            index,
            client.clone(),
            token,
            interlinkers.clone(),
            receiver.url().to_owned(),
            Arc::clone(&progress),
        )));
    }
    let mut faults = Vec::new();
    let mut at_kill = Vec::new();
    let mut killed_in_flight = None;
    for (i, fault) in plan.faults.iter().enumerate() {
        let threshold = (i + 1) * plan.calls / (plan.faults.len() + 1);
        while progress.acknowledged.load(Ordering::Relaxed) < threshold {
            if workers.iter().all(|w| w.is_finished()) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let at = progress.acknowledged.load(Ordering::Relaxed);
        if *fault == Fault::KillService("notifications") {
            // Mid-batch: while the receiver holds one of its attempts.
            let in_flight = receiver.wait_in_flight(Duration::from_secs(10)).await;
            let took = Instant::now();
            mesh.process("notifications")?.kill()?;
            killed_in_flight = Some(in_flight);
            at_kill = held(&mesh, in_flight).await.unwrap_or_default();
            tokio::time::sleep(Duration::from_secs(1)).await;
            mesh.restart("notifications").await?;
            faults.push((*fault, at, took.elapsed()));
            continue;
        }
        let took = Instant::now();
        inject(*fault, &mut mesh, &mut nats, &postgres).await?;
        faults.push((*fault, at, took.elapsed()));
    }
    progress.faults_over.store(true, Ordering::Release);
    let mut load = Load::default();
    for worker in workers {
        let part = worker.await.context("a load worker panicked")?;
        for (kind, n) in part.acknowledged {
            *load.acknowledged.entry(kind).or_default() += n;
        }
        for (kind, names) in part.names {
            load.names.entry(kind).or_default().extend(names);
        }
        load.applied_without_answer += part.applied_without_answer;
        load.repeats += part.repeats;
        load.unacknowledged += part.unacknowledged;
        load.failures.extend(part.failures);
        load.webhooks.extend(part.webhooks);
        load.webhook_repeats += part.webhook_repeats;
        load.webhooks_found += part.webhooks_found;
    }
    let load_time = started.elapsed();

    let quiet = Instant::now();
    let account = settle(&mesh, &load, &poison, &receiver).await?;
    let mut checks = account.checks;
    checks.extend(at_kill);
    let report = Report {
        acknowledged: load.acknowledged,
        applied_without_answer: load.applied_without_answer,
        repeats: load.repeats,
        unacknowledged: load.unacknowledged,
        failures: load.failures,
        faults,
        checks,
        events: account.events,
        webhooks: load.webhooks.len(),
        webhook_repeats: (load.webhook_repeats, load.webhooks_found),
        webhook_events: account.webhook_events,
        killed_in_flight,
        load_time,
        quiesce_time: quiet.elapsed(),
    };
    mesh.shutdown().await?;
    drop(receiver);
    drop(nats);
    drop(postgres);
    Ok(report)
}

/// What the killed notifications role left: the attempts the receiver
/// held, and the deliveries pending in its database, of which those its
/// dead dispatcher had leased (sent again once the lease expires), as
/// lines of the account.
async fn held(mesh: &Mesh, in_flight: usize) -> anyhow::Result<Vec<Check>> {
    let db = connect(mesh, "notifications").await?;
    let now = interlink_runtime::api::now_ms();
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            format!(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN lease_until >= {now} THEN 1 ELSE 0 END), 0) \
                 FROM webhook_deliveries WHERE state = 'pending'"
            ),
        ))
        .await?
        .context("no row")?;
    let pending: i64 = row.try_get_by_index(0)?;
    let leased: i64 = row.try_get_by_index(1)?;
    db.close().await.ok();
    Ok(vec![
        Check::info(
            "notifications killed: attempts the receiver held",
            in_flight as i64,
        ),
        Check::info("notifications killed: webhook deliveries pending", pending),
        Check::info("  of which its dead dispatcher had leased", leased),
    ])
}

async fn inject(
    fault: Fault,
    mesh: &mut Mesh,
    nats: &mut OwnNats,
    postgres: &OwnPostgres,
) -> anyhow::Result<()> {
    match fault {
        Fault::KillService(role) => {
            mesh.process(role)?.kill()?;
            tokio::time::sleep(Duration::from_secs(1)).await;
            mesh.restart(role).await?;
        }
        Fault::KillNats => {
            nats.process().kill()?;
            tokio::time::sleep(Duration::from_secs(1)).await;
            nats.restart().await?;
        }
        Fault::StopNats => {
            nats.process().signal("-STOP")?;
            tokio::time::sleep(Duration::from_secs(3)).await;
            nats.process().signal("-CONT")?;
        }
        Fault::TerminateSessions => {
            let n = postgres.terminate_sessions("it_").await?;
            if n == 0 {
                bail!("no service session to terminate");
            }
        }
        Fault::RestartPostgres => postgres.restart()?,
    }
    Ok(())
}

/// A tiny deterministic generator (xorshift), so a run's mix is repeatable.
struct Dice(u64);

impl Dice {
    fn roll(&mut self, sides: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % sides
    }
}

/// The load's shared counters.
#[derive(Debug)]
struct Progress {
    calls: usize,
    tickets: AtomicUsize,
    acknowledged: AtomicUsize,
    /// The load runs on until the last fault is over, so every fault hits
    /// it mid-flow and the mesh recovers under load.
    faults_over: AtomicBool,
}

impl Progress {
    /// Whether a worker should make another call.
    fn more(&self) -> bool {
        self.tickets.fetch_add(1, Ordering::Relaxed) < self.calls
            || !self.faults_over.load(Ordering::Acquire)
    }
}

/// How an attempt ended.
enum Outcome {
    /// Acknowledged, with the resource name the answer carried.
    Done(Option<String>),
    /// Try again with the same key.
    Retry(String),
    /// A bug.
    Failed(String),
}

async fn worker(
    index: usize,
    client: Client,
    token: String,
    interlinkers: Vec<String>,
    receiver: String,
    progress: Arc<Progress>,
) -> Load {
    let mut load = Load::default();
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15 ^ (index as u64 + 1));
    let mut community =
        com::community_service_client::CommunityServiceClient::new(client.channel());
    let mut organization: Option<String> = None;
    let mut rated = 0usize;
    while progress.more() {
        let kind = match (&organization, dice.roll(100)) {
            (None, _) | (Some(_), 0..20) => 0,
            (Some(_), 20..55) => 1,
            (Some(_), 55..85) => 2,
            _ if rated < interlinkers.len() => 3,
            _ => 1,
        };
        let key = uuid::Uuid::new_v4().to_string();
        let org = organization.clone().unwrap_or_default();
        let deadline = Instant::now() + CALL_DEADLINE;
        let mut backoff = Duration::from_millis(50);
        let mut attempts = 0;
        let outcome = loop {
            attempts += 1;
            let outcome = match kind {
                0 => {
                    rest(
                        &client,
                        "/v1/organizations",
                        &token,
                        &key,
                        json!({
                            "displayName": {"values": {"es": format!("Organización {index}-{attempts}")}},
                            "public": true,
                            "defaultTeamType": "TEAM_TYPE_PUBLIC_ADMINISTRATION",
                        }),
                        false,
                    )
                    .await
                }
                1 => {
                    let mut request = tonic::Request::new(com::CreateTeamRequest {
                        parent: org.clone(),
                        team: Some(com::Team {
                            display_name: Some(interlink_proto::common::v1::TranslatableText {
                                values: [("es".to_owned(), format!("Equipo {index}"))].into(),
                            }),
                            r#type: com::TeamType::PublicAdministration as i32,
                            ..Default::default()
                        }),
                    });
                    if let (Ok(bearer), Ok(k)) =
                        (format!("Bearer {token}").parse(), key.parse())
                    {
                        request.metadata_mut().insert("authorization", bearer);
                        request.metadata_mut().insert("idempotency-key", k);
                    }
                    match community.create_team(request).await {
                        Ok(team) => Outcome::Done(Some(team.into_inner().name)),
                        Err(status) => grpc_outcome(&status),
                    }
                }
                2 => {
                    rest(
                        &client,
                        "/v1/processes",
                        &token,
                        &key,
                        json!({"title": format!("Proceso {index}"), "language": "es", "organization": org}),
                        // Co-production learns of the organisation's
                        // administrators from events: refusals until then.
                        true,
                    )
                    .await
                }
                _ => {
                    rest(
                        &client,
                        &format!("/v1/{}/ratings", interlinkers[rated]),
                        &token,
                        &key,
                        json!({"value": 1 + (index % 5), "title": "Útil"}),
                        false,
                    )
                    .await
                }
            };
            match outcome {
                Outcome::Retry(why) if Instant::now() < deadline => {
                    tracing::debug!(%why, "retrying with the same key");
                    load.repeats += 1;
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                }
                other => break other,
            }
        };
        match outcome {
            Outcome::Done(name) => {
                let kind_name = KINDS[kind];
                *load.acknowledged.entry(kind_name).or_default() += 1;
                progress.acknowledged.fetch_add(1, Ordering::Relaxed);
                match name {
                    Some(name) => {
                        if kind == 0 && organization.is_none() {
                            // Its webhook first: every team and process the
                            // worker creates there comes after it.
                            match create_webhook(
                                &client, &token, &name, &receiver, index, &mut load,
                            )
                            .await
                            {
                                Ok(_) => {
                                    load.webhooks.insert(
                                        name.trim_start_matches("organizations/").to_owned(),
                                    );
                                }
                                Err(why) => {
                                    load.failures.push(format!("CreateWebhook (REST): {why}"));
                                }
                            }
                            organization = Some(name.clone());
                        }
                        load.names.entry(kind_name).or_default().insert(name);
                    }
                    None => load.applied_without_answer += 1,
                }
                if kind == 3 {
                    rated += 1;
                }
            }
            Outcome::Retry(why) => {
                load.unacknowledged += 1;
                load.failures
                    .push(format!("{}: not acknowledged in time: {why}", KINDS[kind]));
            }
            Outcome::Failed(why) => {
                load.failures.push(format!("{}: {why}", KINDS[kind]));
            }
        }
    }
    load
}

/// Subscribes the worker's endpoint `url` to [`WEBHOOK_EVENT_TYPES`] of
/// `organization` (its administrator), retried until acknowledged; returns
/// the webhook's name.
///
/// CreateWebhook keeps no idempotency key (its change commits outside the
/// key's transaction), so the key it is sent with does not make a repeat
/// safe: an attempt whose outcome is unknown (no answer, a 5xx) may have
/// created the endpoint. Before repeating such an attempt the worker lists
/// the organisation's endpoints and takes the one bearing its description
/// (only this worker creates endpoints there). Refusals that say the
/// notifications role does not know the administrator yet (403) created
/// nothing and are simply repeated.
async fn create_webhook(
    client: &Client,
    token: &str,
    organization: &str,
    url: &str,
    index: usize,
    load: &mut Load,
) -> Result<String, String> {
    let path = format!("/v1/{organization}/webhooks");
    let description = format!("fault matrix, load-{index:02}");
    let body = json!({
        "url": url,
        "description": description,
        "eventTypes": WEBHOOK_EVENT_TYPES,
    });
    let key = uuid::Uuid::new_v4().to_string();
    let deadline = Instant::now() + CALL_DEADLINE;
    let mut backoff = Duration::from_millis(50);
    let mut unknown = false;
    let mut last = String::new();
    while Instant::now() < deadline {
        if unknown {
            match client
                .call(reqwest::Method::GET, &path, Some(token), None, &[])
                .await
            {
                Ok(reply) if reply.status == 200 => {
                    let found = reply.body["webhooks"].as_array().and_then(|all| {
                        all.iter()
                            .find(|w| w["description"] == description.as_str())
                            .and_then(|w| w["name"].as_str())
                    });
                    if let Some(name) = found {
                        load.webhooks_found += 1;
                        return Ok(name.to_owned());
                    }
                    unknown = false;
                }
                Ok(reply) => {
                    last = format!("listing: {} {}", reply.status, reply.body);
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
                Err(e) => {
                    last = format!("listing: transport: {e}");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
            }
        }
        let reply = client
            .call(
                reqwest::Method::POST,
                &path,
                Some(token),
                Some(&body),
                &[("idempotency-key", &key)],
            )
            .await;
        match reply {
            Ok(reply) if reply.status == 200 => {
                return reply.body["name"]
                    .as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("POST {path}: 200 without a name: {}", reply.body));
            }
            // Not yet an administrator as far as notifications knows.
            Ok(reply) if reply.status == 403 => {
                last = format!("403 {}", reply.body);
            }
            // Rate limited: not forwarded.
            Ok(reply) if reply.status == 429 => {
                last = format!("429 {}", reply.body);
            }
            // It may have been created.
            Ok(reply)
                if matches!(reply.status, 500 | 502 | 503 | 504)
                    || (reply.status == 409
                        && (reply.body["status"] == "ABORTED"
                            || reply.body.to_string().contains(
                                interlink_runtime::idempotency::APPLIED_WITHOUT_ANSWER,
                            ))) =>
            {
                unknown = true;
                last = format!("{} {}", reply.status, reply.body);
            }
            Ok(reply) => return Err(format!("POST {path}: {} {}", reply.status, reply.body)),
            Err(e) => {
                unknown = true;
                last = format!("transport: {e}");
            }
        }
        load.webhook_repeats += 1;
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(1));
    }
    Err(format!("not acknowledged in time: {last}"))
}

/// One keyed REST call and how it ended.
async fn rest(
    client: &Client,
    path: &str,
    token: &str,
    key: &str,
    body: Value,
    not_yet_is_retry: bool,
) -> Outcome {
    let reply = match client
        .call(
            reqwest::Method::POST,
            path,
            Some(token),
            Some(&body),
            &[("idempotency-key", key)],
        )
        .await
    {
        Ok(reply) => reply,
        Err(e) => return Outcome::Retry(format!("transport: {e}")),
    };
    let text = reply.body.to_string();
    match reply.status {
        200 => Outcome::Done(reply.body["name"].as_str().map(str::to_owned)),
        409 if text.contains(interlink_runtime::idempotency::APPLIED_WITHOUT_ANSWER) => {
            Outcome::Done(None)
        }
        429 | 500 | 502 | 503 | 504 => Outcome::Retry(format!("{} {text}", reply.status)),
        409 if reply.body["status"] == "ABORTED" => Outcome::Retry(format!("409 {text}")),
        400 | 403 | 404 if not_yet_is_retry && reply.body["status"] != "INVALID_ARGUMENT" => {
            Outcome::Retry(format!("{} {text}", reply.status))
        }
        status => Outcome::Failed(format!("POST {path}: {status} {text}")),
    }
}

fn grpc_outcome(status: &tonic::Status) -> Outcome {
    use tonic::Code;
    use tonic_types::StatusExt;
    let applied = status
        .get_details_error_info()
        .is_some_and(|i| i.reason == interlink_runtime::idempotency::APPLIED_WITHOUT_ANSWER);
    match status.code() {
        Code::AlreadyExists if applied => Outcome::Done(None),
        Code::Unavailable
        | Code::Internal
        | Code::Unknown
        | Code::DeadlineExceeded
        | Code::Cancelled
        | Code::ResourceExhausted
        | Code::Aborted => Outcome::Retry(format!("{status:?}")),
        _ => Outcome::Failed(format!("{status:?}")),
    }
}

async fn published_interlinkers(client: &Client) -> anyhow::Result<Vec<String>> {
    let reply = client
        .get("/v1/interlinkers:search?pageSize=100", None)
        .await;
    if reply.status != 200 {
        bail!("search: {} {}", reply.status, reply.body);
    }
    let names: Vec<String> = reply.body["results"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(|r| r["interlinker"]["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if names.is_empty() {
        bail!("the seeded catalogue has no published interlinker");
    }
    Ok(names)
}

/// The poisoned message: bytes that are no event, published on a subject
/// every consumer of community's organisations reads.
#[derive(Debug)]
struct Poison {
    payload: Vec<u8>,
}

async fn poison(mesh: &Mesh) -> anyhow::Result<Poison> {
    let payload = b"\xffnot an interlink event".to_vec();
    let nats = async_nats::connect(mesh.nats_url()).await?;
    let jetstream = async_nats::jetstream::new(nats);
    let root = mesh.subject_root().context("cluster mode")?;
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", "interlink-fault-matrix-poison");
    jetstream
        .publish_with_headers(
            format!("{root}.community.organization.created"),
            headers,
            payload.clone().into(),
        )
        .await?
        .await?;
    Ok(Poison { payload })
}

/// One role's database.
async fn connect(mesh: &Mesh, role: &str) -> anyhow::Result<DatabaseConnection> {
    let url = mesh
        .database_url(role)
        .with_context(|| format!("no database for {role}"))?;
    Ok(sea_orm::Database::connect(url).await?)
}

async fn scalar(db: &DatabaseConnection, sql: &str) -> anyhow::Result<i64> {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await?
        .context("no row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// What the stream holds.
#[derive(Debug, Default)]
struct StreamEvents {
    /// Messages.
    total: usize,
    /// Event type → ids, in stream order; undecodable messages under "".
    by_type: BTreeMap<String, Vec<String>>,
    /// Event id → the organisation (id) it belongs to, if any.
    organization: BTreeMap<String, String>,
}

/// Every event id in the stream, and how many messages it holds.
async fn stream_events(mesh: &Mesh) -> anyhow::Result<StreamEvents> {
    use futures::StreamExt;
    use prost::Message;
    let nats = async_nats::connect(mesh.nats_url()).await?;
    let jetstream = async_nats::jetstream::new(nats);
    let mut stream = jetstream
        .get_stream(mesh.stream().context("cluster mode")?)
        .await?;
    let total = stream.info().await?.state.messages as usize;
    let consumer: async_nats::jetstream::consumer::PullConsumer = stream
        .create_consumer(async_nats::jetstream::consumer::pull::Config {
            deliver_policy: async_nats::jetstream::consumer::DeliverPolicy::All,
            ack_policy: async_nats::jetstream::consumer::AckPolicy::None,
            inactive_threshold: Duration::from_secs(60),
            ..Default::default()
        })
        .await?;
    let mut messages = consumer
        .stream()
        .max_messages_per_batch(1000)
        .messages()
        .await?;
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut organization = BTreeMap::new();
    let mut read = 0;
    while read < total {
        let message = tokio::time::timeout(Duration::from_secs(10), messages.next())
            .await
            .context("reading the stream timed out")?
            .context("the stream ended")??;
        read += 1;
        match interlink_proto::events::v1::Event::decode(message.payload.as_ref()) {
            Ok(event) => {
                if !event.organization_id.is_empty() {
                    organization.insert(event.id.clone(), event.organization_id);
                }
                by_type.entry(event.r#type).or_default().push(event.id);
            }
            Err(_) => by_type
                .entry(String::new())
                .or_default()
                .push(String::new()),
        }
    }
    Ok(StreamEvents {
        total,
        by_type,
        organization,
    })
}

/// The comparisons of one look at the mesh.
#[derive(Debug)]
struct Account {
    checks: Vec<Check>,
    /// Messages in the stream.
    events: usize,
    /// Events the webhooks were to deliver.
    webhook_events: usize,
}

/// Waits until the mesh is quiet and everything matches (or the deadline
/// passes), then returns the comparisons.
async fn settle(
    mesh: &Mesh,
    load: &Load,
    poison: &Poison,
    receiver: &WebhookReceiver,
) -> anyhow::Result<Account> {
    let started = Instant::now();
    let mut said = Instant::now();
    loop {
        let account = account(mesh, load, poison, receiver).await?;
        let pending: Vec<&Check> = account
            .checks
            .iter()
            .filter(|c| c.expected != c.actual)
            .collect();
        if pending.is_empty() || started.elapsed() > QUIESCE_DEADLINE {
            return Ok(account);
        }
        // Redeliveries wait for `events.ack_wait_secs` (30 s by default)
        // after a process or NATS died holding deliveries: say what waits.
        if said.elapsed() > Duration::from_secs(5) {
            said = Instant::now();
            let waiting: Vec<String> = pending
                .iter()
                .map(|c| format!("{} ({} of {})", c.what, c.actual, c.expected))
                .collect();
            eprintln!(
                "settling for {:.0} s: {}",
                started.elapsed().as_secs_f64(),
                waiting.join("; ")
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

async fn account(
    mesh: &Mesh,
    load: &Load,
    poison: &Poison,
    receiver: &WebhookReceiver,
) -> anyhow::Result<Account> {
    let community = connect(mesh, "community").await?;
    let coproduction = connect(mesh, "coproduction").await?;
    let catalogue = connect(mesh, "catalogue").await?;
    let monitoring = connect(mesh, "monitoring").await?;
    let notifications = connect(mesh, "notifications").await?;
    let acked = |kind: usize| load.acknowledged.get(KINDS[kind]).copied().unwrap_or(0) as i64;
    let mut checks = Vec::new();
    let mut check = |what: &str, expected: i64, actual: i64| {
        checks.push(Check::new(what, expected, actual));
    };

    // Each acknowledged call, one effect.
    let organizations = scalar(&community, "SELECT COUNT(*) FROM organizations").await?;
    let teams = scalar(&community, "SELECT COUNT(*) FROM teams").await?;
    let processes = scalar(&coproduction, "SELECT COUNT(*) FROM processes").await?;
    let ratings = scalar(&catalogue, "SELECT COUNT(*) FROM ratings").await?;
    let users = scalar(&community, "SELECT COUNT(*) FROM users").await?;
    check(
        "organizations rows = acknowledged CreateOrganization",
        acked(0),
        organizations,
    );
    check("teams rows = acknowledged CreateTeam", acked(1), teams);
    check(
        "processes rows = acknowledged CreateProcess",
        acked(2),
        processes,
    );
    check(
        "ratings rows = acknowledged RateInterlinker",
        acked(3),
        ratings,
    );
    let mut answered_missing = 0;
    for (kind, table, db) in [
        (KINDS[0], "organizations", &community),
        (KINDS[1], "teams", &community),
        (KINDS[2], "processes", &coproduction),
    ] {
        let ids: BTreeSet<String> = db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT id FROM {table}"),
            ))
            .await?
            .iter()
            .filter_map(|r| r.try_get::<String>("", "id").ok())
            .collect();
        if let Some(names) = load.names.get(kind) {
            answered_missing += names
                .iter()
                .filter(|n| !ids.contains(n.rsplit('/').next().unwrap_or_default()))
                .count() as i64;
        }
    }
    check(
        "answered names missing from their tables",
        0,
        answered_missing,
    );

    // Every outbox row published once.
    let mut backlog = 0;
    for db in [
        &community,
        &coproduction,
        &catalogue,
        &monitoring,
        &notifications,
    ] {
        backlog += scalar(db, "SELECT COUNT(*) FROM interlink_outbox").await?;
    }
    check("outbox rows not yet published", 0, backlog);
    let stream = stream_events(mesh).await?;
    let by_type = &stream.by_type;
    let all_ids: Vec<&String> = by_type
        .iter()
        .filter(|(t, _)| !t.is_empty())
        .flat_map(|(_, ids)| ids)
        .collect();
    let distinct: BTreeSet<&String> = all_ids.iter().copied().collect();
    check(
        "stream messages that repeat an event id",
        0,
        (all_ids.len() - distinct.len()) as i64,
    );
    let count = |t: &str| by_type.get(t).map(Vec::len).unwrap_or(0) as i64;
    check(
        "organization.created events = organizations rows",
        organizations,
        count("community.organization.created"),
    );
    check(
        "team.created events = teams rows",
        teams,
        count("community.team.created"),
    );
    check(
        "process.created events = processes rows",
        processes,
        count("coproduction.process.created"),
    );
    check(
        "user.registered events = users rows",
        users,
        count("community.user.registered"),
    );
    check("poisoned messages in the stream", 1, count(""));

    // Every consumer applied every event once.
    let audit = scalar(&monitoring, "SELECT COUNT(*) FROM audit").await?;
    let audit_distinct = scalar(&monitoring, "SELECT COUNT(DISTINCT event_id) FROM audit").await?;
    check(
        "monitoring trail = the stream's events",
        distinct.len() as i64,
        audit_distinct,
    );
    check(
        "monitoring trail rows repeating an event",
        0,
        audit - audit_distinct,
    );
    let p_teams = scalar(&coproduction, "SELECT COUNT(*) FROM p_teams").await?;
    check("co-production's teams = community's teams", teams, p_teams);
    let administrators = scalar(
        &community,
        "SELECT COUNT(*) FROM organization_administrators",
    )
    .await?;
    let p_administrators = scalar(
        &coproduction,
        "SELECT COUNT(*) FROM p_organization_administrators",
    )
    .await?;
    check(
        "co-production's organisation administrators = community's",
        administrators,
        p_administrators,
    );

    // Monitoring's KPIs equal the sources.
    let kpi = |name: &str| {
        format!(
            "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM kpi_daily WHERE scope = '' AND kpi = '{name}'"
        )
    };
    check(
        "KPI organizations = organizations rows",
        organizations,
        scalar(&monitoring, &kpi("organizations")).await?,
    );
    check(
        "KPI teams = teams rows",
        teams,
        scalar(&monitoring, &kpi("teams")).await?,
    );
    check(
        "KPI processes = processes rows",
        processes,
        scalar(&monitoring, &kpi("processes")).await?,
    );
    check(
        "KPI registered_users = users rows",
        users,
        scalar(&monitoring, &kpi("registered_users")).await?,
    );

    // Nothing parked but the poison, which each reader of its subject
    // parked once.
    let mut parked_other = 0;
    let mut parked_poison = 0;
    for db in [
        &community,
        &coproduction,
        &catalogue,
        &monitoring,
        &notifications,
    ] {
        for row in db
            .query_all_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT payload FROM interlink_parked",
            ))
            .await?
        {
            let payload: Vec<u8> = row.try_get("", "payload")?;
            if payload == poison.payload {
                parked_poison += 1;
            } else {
                parked_other += 1;
            }
        }
    }
    check("parked events other than the poison", 0, parked_other);
    // Co-production (administrators), monitoring and notifications
    // (everything) read community's organisations.
    check("readers that parked the poison", 3, parked_poison);

    // Webhooks: each subscribed event of an organisation with a webhook
    // has one delivery, delivered, and the receiver got its webhook-id.
    let subscribed: BTreeSet<&String> = WEBHOOK_EVENT_TYPES
        .iter()
        .filter_map(|t| by_type.get(*t))
        .flatten()
        .filter(|id| {
            stream
                .organization
                .get(*id)
                .is_some_and(|o| load.webhooks.contains(o))
        })
        .collect();
    let expected = subscribed.len() as i64;
    check(
        "webhooks rows = organisations given one",
        load.webhooks.len() as i64,
        scalar(&notifications, "SELECT COUNT(*) FROM webhooks").await?,
    );
    let mut of_subscribed = 0;
    let mut of_others = 0;
    let mut by_state: BTreeMap<String, i64> = BTreeMap::new();
    let mut attempts = 0;
    for row in notifications
        .query_all_raw(sea_orm::Statement::from_string(
            notifications.get_database_backend(),
            "SELECT event_id, state, attempts FROM webhook_deliveries",
        ))
        .await?
    {
        let event: String = row.try_get("", "event_id")?;
        let state: String = row.try_get("", "state")?;
        attempts += row.try_get::<i64>("", "attempts")?;
        if subscribed.contains(&event) {
            of_subscribed += 1;
        } else {
            of_others += 1;
        }
        *by_state.entry(state).or_default() += 1;
    }
    check(
        "webhook deliveries = subscribed events (team/process created)",
        expected,
        of_subscribed,
    );
    check("webhook deliveries of other events", 0, of_others);
    let state = |s: &str| by_state.get(s).copied().unwrap_or(0);
    check("webhook deliveries pending", 0, state("pending"));
    check("webhook deliveries failed", 0, state("failed"));
    let received = receiver.received();
    check(
        "receiver: distinct webhook-ids = subscribed events",
        expected,
        received
            .by_id
            .keys()
            .filter(|id| subscribed.contains(id))
            .count() as i64,
    );
    check(
        "receiver: webhook-ids of no subscribed event",
        0,
        received
            .by_id
            .keys()
            .filter(|id| !subscribed.contains(id))
            .count() as i64,
    );
    check(
        "receiver: requests without a webhook-id",
        0,
        received.without_id as i64,
    );
    checks.push(Check::info(
        "receiver: a webhook-id received again (allowed: dedup by id)",
        received
            .by_id
            .values()
            .map(|n| n.saturating_sub(1))
            .sum::<usize>() as i64,
    ));
    checks.push(Check::info(
        "receiver: requests answered 500 on purpose (retried)",
        received.refused as i64,
    ));
    checks.push(Check::info(
        "webhook delivery attempts the dispatcher counted",
        attempts,
    ));
    // Where a repeated webhook-id can come from: an attempt answered 200
    // whose outcome was never recorded (the dispatcher killed, or its
    // recording cut off by PostgreSQL's faults; its lease expires and it is
    // sent again), or one recorded without an answer (a timeout).
    let logged = scalar(&notifications, "SELECT COUNT(*) FROM webhook_attempts").await?;
    checks.push(Check::info(
        "  of which never recorded (killed, or the record cut off)",
        attempts - logged,
    ));
    checks.push(Check::info(
        "  of which recorded without an answer (timeouts)",
        scalar(
            &notifications,
            "SELECT COUNT(*) FROM webhook_attempts WHERE status IS NULL",
        )
        .await?,
    ));

    for db in [
        community,
        coproduction,
        catalogue,
        monitoring,
        notifications,
    ] {
        db.close().await.ok();
    }
    Ok(Account {
        checks,
        events: stream.total,
        webhook_events: subscribed.len(),
    })
}
