//! The whole mesh as real processes, for tests and benchmarks that talk to
//! it only as clients do: through the gateway, over REST/JSON and gRPC.
//!
//! - [`Mode::Embedded`]: `interlink up`, one process on SQLite;
//! - [`Mode::Cluster`]: one `interlink serve <role>` process per service on
//!   PostgreSQL (a fresh database per role) and NATS JetStream (a stream and
//!   subject root of the mesh's own), with `serve gateway` in front.
//!
//! Every process writes its output to a file in the mesh's data directory,
//! so a failing test can show what the process said. A mesh that is dropped
//! without [`Mesh::shutdown`] kills its processes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use interlink_runtime::config::TestServices;

pub mod client;
pub mod faults;
pub mod infra;
pub mod receiver;

pub use client::{Client, Reply};

/// The service roles of the mesh, in start-up order (each keeps a database).
pub const SERVICE_ROLES: [&str; 6] = [
    "community",
    "catalogue",
    "coproduction",
    "monitoring",
    "notifications",
    "federation",
];

/// How long a process may take to start serving.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// Which shape of the mesh to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `interlink up`: everything in one process on SQLite.
    Embedded,
    /// `interlink serve <role>` per role on PostgreSQL and NATS, and `serve
    /// gateway` in front.
    Cluster,
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Mode::Embedded => "embedded",
            Mode::Cluster => "cluster",
        })
    }
}

/// One process of the mesh, restartable with the same command.
#[derive(Debug)]
pub struct Process {
    role: String,
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    child: Option<Child>,
    starts: u32,
    log: PathBuf,
}

impl Process {
    /// The role it runs (`up` for the embedded mesh).
    pub fn role(&self) -> &str {
        &self.role
    }

    /// Its operating-system process id, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The output file of its latest start.
    pub fn log(&self) -> &Path {
        &self.log
    }

    /// Sends `signal` (`-KILL`, `-STOP`, ...) to it.
    pub fn signal(&self, signal: &str) -> anyhow::Result<()> {
        let pid = self.pid().context("the process is not running")?;
        signal_pid(pid, signal)
    }

    /// `kill -9`, then reaps it.
    pub fn kill(&mut self) -> anyhow::Result<()> {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().context("reaping a killed process")?;
        }
        Ok(())
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub async fn terminate(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        signal_pid(child.id(), "-TERM")?;
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = child.try_wait()? {
                if !status.success() {
                    bail!(
                        "{} exited with {status}; its output:\n{}",
                        self.role,
                        tail(&self.log)
                    );
                }
                return Ok(());
            }
            if Instant::now() > deadline {
                child.kill().ok();
                child.wait().ok();
                bail!("{} did not stop within 30 s of SIGTERM", self.role);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A process named `role` that runs `program` with `args` and `env`
    /// (started by [`Process::start`]).
    pub fn new(role: &str, program: &Path, args: Vec<String>, env: Vec<(String, String)>) -> Self {
        Self {
            role: role.to_owned(),
            program: program.to_owned(),
            args,
            env,
            child: None,
            starts: 0,
            log: PathBuf::new(),
        }
    }

    /// Starts it (again), its output in a new file under `dir`, and waits
    /// until that output has a line containing `ready`; returns the line.
    pub async fn start(&mut self, dir: &Path, ready: &str) -> anyhow::Result<String> {
        self.starts += 1;
        self.log = dir.join(format!("{}.{}.log", self.role, self.starts));
        let out = std::fs::File::create(&self.log)?;
        let err = out.try_clone()?;
        let child = Command::new(&self.program)
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .with_context(|| format!("starting {}", self.role))?;
        self.child = Some(child);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let text = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(line) = text.lines().find(|l| l.contains(ready)) {
                return Ok(line.to_owned());
            }
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                self.child = None;
                bail!("{} exited with {status} before serving:\n{text}", self.role);
            }
            if Instant::now() > deadline {
                self.kill()?;
                bail!(
                    "{} did not serve within {START_TIMEOUT:?}:\n{text}",
                    self.role
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SIGCONT first: a stopped process ignores nothing else but KILL,
            // and a test that failed mid-fault may leave one stopped.
            signal_pid(child.id(), "-CONT").ok();
            child.kill().ok();
            child.wait().ok();
        }
    }
}

fn signal_pid(pid: u32, signal: &str) -> anyhow::Result<()> {
    let status = Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .context("running kill")?;
    if !status.success() {
        bail!("kill {signal} {pid} failed: {status}");
    }
    Ok(())
}

/// The last 60 lines of a log file.
pub fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

/// A free loopback port (bound then released), so a restarted process can
/// listen where the gateway already looks for it.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Where the cluster mesh finds PostgreSQL and NATS.
#[derive(Debug, Clone)]
pub struct Infrastructure {
    /// A PostgreSQL URL with the right to create databases (the mesh makes
    /// one per role and drops them at shutdown).
    pub postgres_url: String,
    /// A NATS URL with JetStream.
    pub nats_url: String,
}

impl Infrastructure {
    /// The machine's PostgreSQL and NATS (`INTERLINK_TEST_DATABASE_URL`,
    /// `INTERLINK_TEST_NATS_URL`, loopback defaults).
    pub fn from_env() -> Self {
        let services = TestServices::from_env();
        Self {
            postgres_url: services.postgres_url,
            nats_url: services.nats_url,
        }
    }
}

/// A running mesh.
#[derive(Debug)]
pub struct Mesh {
    /// Its shape.
    pub mode: Mode,
    /// The gateway's base URL (`http://127.0.0.1:port`): REST/JSON, gRPC and
    /// gRPC-Web.
    pub gateway: String,
    processes: BTreeMap<String, Process>,
    /// Role → (database URL, database name), cluster mode.
    databases: BTreeMap<String, (String, String)>,
    stream: Option<String>,
    subject_root: Option<String>,
    infrastructure: Infrastructure,
    bin: PathBuf,
    dir: tempfile::TempDir,
}

impl Mesh {
    /// Starts a mesh of `mode` from the `interlink` binary `bin` on the
    /// machine's PostgreSQL and NATS; see [`Mesh::start_on`].
    pub async fn start(bin: &Path, mode: Mode) -> anyhow::Result<Self> {
        Self::start_on(bin, mode, Infrastructure::from_env()).await
    }

    /// Starts a mesh of `mode` from the `interlink` binary `bin` (cluster
    /// mode on `infrastructure`), seeded catalogue included, and waits until
    /// the gateway reports every role ready.
    pub async fn start_on(
        bin: &Path,
        mode: Mode,
        infrastructure: Infrastructure,
    ) -> anyhow::Result<Self> {
        Self::start_with(bin, mode, infrastructure, &[]).await
    }

    /// [`Mesh::start_on`] with configuration variables (`INTERLINK__...`)
    /// for every process besides the mesh's own.
    pub async fn start_with(
        bin: &Path,
        mode: Mode,
        infrastructure: Infrastructure,
        env: &[(&str, &str)],
    ) -> anyhow::Result<Self> {
        let mut mesh = Self {
            mode,
            gateway: String::new(),
            processes: BTreeMap::new(),
            databases: BTreeMap::new(),
            stream: None,
            subject_root: None,
            infrastructure,
            bin: bin.to_owned(),
            dir: tempfile::tempdir()?,
        };
        let data_dir = mesh.dir.path().display().to_string();
        let common: Vec<(String, String)> = [
            ("INTERLINK__TELEMETRY__FORMAT", "json"),
            // The tests and benches are the only clients: one address.
            ("INTERLINK__GATEWAY__RATE_LIMIT_PER_SECOND", "1000000"),
            ("INTERLINK__GATEWAY__RATE_LIMIT_BURST", "1000000"),
        ]
        .iter()
        .chain(env)
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        match mode {
            Mode::Embedded => {
                let mut env = common;
                env.extend([
                    ("INTERLINK__GRPC__LISTEN".into(), "127.0.0.1:0".into()),
                    ("INTERLINK__GATEWAY__LISTEN".into(), "127.0.0.1:0".into()),
                    ("INTERLINK__DOCUMENTS__LISTEN".into(), "127.0.0.1:0".into()),
                    ("INTERLINK__SURVEYS__LISTEN".into(), "127.0.0.1:0".into()),
                ]);
                let mut up = Process::new(
                    "up",
                    bin,
                    vec!["up".into(), "--data-dir".into(), data_dir],
                    env,
                );
                up.start(mesh.dir.path(), "dev token").await?;
                let text = std::fs::read_to_string(up.log())?;
                mesh.gateway = text
                    .lines()
                    .find_map(|l| l.strip_prefix("http: "))
                    .context("interlink up printed no http address")?
                    .to_owned();
                mesh.processes.insert("up".into(), up);
            }
            Mode::Cluster => {
                let unique = uuid::Uuid::new_v4().simple().to_string();
                let stream = format!("IT_{unique}");
                let root = format!("it{unique}");
                mesh.stream = Some(stream.clone());
                mesh.subject_root = Some(root.clone());
                let mut shared = common;
                shared.extend([
                    ("INTERLINK__AUTH__DEV_SIGNER".into(), "true".into()),
                    (
                        "INTERLINK__NATS__URL".into(),
                        mesh.infrastructure.nats_url.clone(),
                    ),
                    ("INTERLINK__NATS__STREAM".into(), stream),
                    ("INTERLINK__NATS__SUBJECT_ROOT".into(), root),
                ]);
                // The dev key first, so the roles do not race to create it.
                mesh.run(&["token", "--sub", "bootstrap"], &[])?;
                for role in SERVICE_ROLES {
                    let name = format!("it_{}_{role}", &unique[..12]);
                    let url = create_database(&mesh.infrastructure.postgres_url, &name).await?;
                    mesh.databases.insert(role.into(), (url.clone(), name));
                    mesh.run_with(
                        &["migrate", role],
                        &shared,
                        &[("INTERLINK__DATABASE__URL", url.as_str())],
                    )?;
                }
                let catalogue = mesh.databases["catalogue"].0.clone();
                mesh.run_with(
                    &["seed"],
                    &shared,
                    &[("INTERLINK__DATABASE__URL", catalogue.as_str())],
                )?;
                let mut upstreams = Vec::new();
                for role in SERVICE_ROLES {
                    let port = free_port()?;
                    let mut env = shared.clone();
                    env.extend([
                        (
                            "INTERLINK__GRPC__LISTEN".into(),
                            format!("127.0.0.1:{port}"),
                        ),
                        (
                            "INTERLINK__DATABASE__URL".into(),
                            mesh.databases[role].0.clone(),
                        ),
                    ]);
                    let mut process = Process::new(
                        role,
                        bin,
                        vec![
                            "serve".into(),
                            role.into(),
                            "--data-dir".into(),
                            data_dir.clone(),
                        ],
                        env,
                    );
                    process.start(mesh.dir.path(), "serving role").await?;
                    mesh.processes.insert(role.into(), process);
                    upstreams.push((
                        format!("INTERLINK__GATEWAY__UPSTREAMS__{}", role.to_uppercase()),
                        format!("http://127.0.0.1:{port}"),
                    ));
                }
                let port = free_port()?;
                let mut env = shared;
                env.push((
                    "INTERLINK__GATEWAY__LISTEN".into(),
                    format!("127.0.0.1:{port}"),
                ));
                env.extend(upstreams);
                let mut gateway = Process::new(
                    "gateway",
                    bin,
                    vec![
                        "serve".into(),
                        "gateway".into(),
                        "--data-dir".into(),
                        data_dir,
                    ],
                    env,
                );
                gateway.start(mesh.dir.path(), "serving role").await?;
                mesh.processes.insert("gateway".into(), gateway);
                mesh.gateway = format!("http://127.0.0.1:{port}");
            }
        }
        mesh.wait_ready().await?;
        Ok(mesh)
    }

    /// Waits until the gateway's `/readyz` reports every role serving.
    pub async fn wait_ready(&self) -> anyhow::Result<()> {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            let answer = http.get(format!("{}/readyz", self.gateway)).send().await;
            if let Ok(answer) = answer
                && answer.status() == 200
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("the gateway at {} never became ready", self.gateway);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The data directory the processes share (dev key, logs).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The roles of the running processes with their process ids.
    pub fn pids(&self) -> Vec<(String, u32)> {
        self.processes
            .iter()
            .filter_map(|(role, p)| p.pid().map(|pid| (role.clone(), pid)))
            .collect()
    }

    /// The process of `role` (`up` in embedded mode, `gateway`, or a service
    /// role).
    pub fn process(&mut self, role: &str) -> anyhow::Result<&mut Process> {
        self.processes
            .get_mut(role)
            .with_context(|| format!("the mesh has no process {role}"))
    }

    /// Kills the process of `role` if it runs, then starts it again with its
    /// command, on its address, and waits until it serves.
    pub async fn restart(&mut self, role: &str) -> anyhow::Result<()> {
        let dir = self.dir.path().to_owned();
        let ready = if role == "up" {
            "dev token"
        } else {
            "serving role"
        };
        let process = self.process(role)?;
        process.kill()?;
        process.start(&dir, ready).await?;
        Ok(())
    }

    /// The PostgreSQL URL of `role`'s database (cluster mode).
    pub fn database_url(&self, role: &str) -> Option<&str> {
        self.databases.get(role).map(|(url, _)| url.as_str())
    }

    /// The JetStream stream of the mesh (cluster mode).
    pub fn stream(&self) -> Option<&str> {
        self.stream.as_deref()
    }

    /// The subject root of the mesh's events (cluster mode).
    pub fn subject_root(&self) -> Option<&str> {
        self.subject_root.as_deref()
    }

    /// The NATS URL the mesh uses (cluster mode).
    pub fn nats_url(&self) -> &str {
        &self.infrastructure.nats_url
    }

    /// A development token for `subject` signed by the mesh's key.
    pub fn token(
        &self,
        subject: &str,
        name: &str,
        email: &str,
        admin: bool,
    ) -> anyhow::Result<String> {
        let mut args = vec!["token", "--sub", subject, "--name", name, "--email", email];
        if admin {
            args.push("--admin");
        }
        self.run(&args, &[])
    }

    /// Runs `interlink <args> --data-dir <dir>` to completion; its stdout.
    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> anyhow::Result<String> {
        self.run_with(args, &[], env)
    }

    fn run_with(
        &self,
        args: &[&str],
        shared: &[(String, String)],
        env: &[(&str, &str)],
    ) -> anyhow::Result<String> {
        let output = Command::new(&self.bin)
            .args(args)
            .arg("--data-dir")
            .arg(self.dir.path())
            .envs(shared.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .envs(env.iter().copied())
            .output()
            .with_context(|| format!("running interlink {}", args.join(" ")))?;
        if !output.status.success() {
            bail!(
                "interlink {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8(output.stdout)?.trim().to_owned())
    }

    /// Stops every process with SIGTERM (the gateway first), checks each
    /// exits cleanly, then drops the databases and the stream.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let mut order: Vec<String> = self.processes.keys().cloned().collect();
        order.sort_by_key(|r| r != "gateway");
        let mut failures = Vec::new();
        for role in order {
            if let Some(process) = self.processes.get_mut(&role)
                && let Err(e) = process.terminate().await
            {
                failures.push(e.to_string());
            }
        }
        for (_, name) in self.databases.values() {
            if let Err(e) = drop_database(&self.infrastructure.postgres_url, name).await {
                failures.push(format!("dropping {name}: {e}"));
            }
        }
        if let Some(stream) = &self.stream
            && let Ok(nats) = async_nats::connect(&self.infrastructure.nats_url).await
        {
            async_nats::jetstream::new(nats)
                .delete_stream(stream)
                .await
                .ok();
        }
        if !failures.is_empty() {
            bail!("{}", failures.join("\n"));
        }
        Ok(())
    }
}

/// `postgres_url` with its database replaced by `database`.
pub fn database_url(postgres_url: &str, database: &str) -> String {
    match postgres_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{database}"),
        None => format!("{postgres_url}/{database}"),
    }
}

/// Creates the database `name` on the server of `postgres_url`; its URL.
pub async fn create_database(postgres_url: &str, name: &str) -> anyhow::Result<String> {
    use sea_orm::ConnectionTrait;
    let admin = sea_orm::Database::connect(postgres_url).await?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await?;
    admin.close().await?;
    Ok(database_url(postgres_url, name))
}

/// Drops the database `name` (closing its connections) on the server of
/// `postgres_url`.
pub async fn drop_database(postgres_url: &str, name: &str) -> anyhow::Result<()> {
    use sea_orm::ConnectionTrait;
    let admin = sea_orm::Database::connect(postgres_url).await?;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await?;
    admin.close().await?;
    Ok(())
}
