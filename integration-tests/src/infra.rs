//! A PostgreSQL server and a NATS server of the test's own, on loopback
//! ports, that the fault matrix can kill, stop, restart and cut off without
//! touching the machine's shared services.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sea_orm::ConnectionTrait;

use crate::{Process, free_port};

/// A PostgreSQL cluster in a temporary directory (`initdb`, `pg_ctl`), run as
/// the `postgres` user when the tests run as root (PostgreSQL refuses root).
#[derive(Debug)]
pub struct OwnPostgres {
    bin: PathBuf,
    data: tempfile::TempDir,
    port: u16,
}

impl OwnPostgres {
    /// Initialises a cluster (trust authentication on loopback) and starts it.
    pub async fn start() -> anyhow::Result<Self> {
        let bin = postgres_bin()?;
        let data = tempfile::Builder::new().prefix("interlink-pg").tempdir()?;
        let port = free_port()?;
        let postgres = Self { bin, data, port };
        if running_as_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(postgres.data.path())
                .status()?;
            if !status.success() {
                bail!("chown of the PostgreSQL data directory failed");
            }
        }
        postgres.pg(
            "initdb",
            &[
                "-D",
                &postgres.cluster_dir(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
        postgres.pg_ctl(&["start", "-w", "-t", "60"])?;
        Ok(postgres)
    }

    fn cluster_dir(&self) -> String {
        self.data.path().join("cluster").display().to_string()
    }

    /// `postgres://postgres@127.0.0.1:<port>/postgres`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A fast restart: sessions are cut, the server checkpoints and comes
    /// back on the same port.
    pub fn restart(&self) -> anyhow::Result<()> {
        self.pg_ctl(&["restart", "-m", "fast", "-w", "-t", "60"])
    }

    /// Terminates every session on databases whose names start with
    /// `prefix` (the services' pools), as an operator's
    /// `pg_terminate_backend` would; returns how many.
    pub async fn terminate_sessions(&self, prefix: &str) -> anyhow::Result<u64> {
        let admin = sea_orm::Database::connect(self.url()).await?;
        let terminated = admin
            .query_all_raw(sea_orm::Statement::from_sql_and_values(
                admin.get_database_backend(),
                "SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity \
                 WHERE datname LIKE $1 AND pid <> pg_backend_pid()",
                [format!("{prefix}%").into()],
            ))
            .await?
            .len() as u64;
        admin.close().await?;
        Ok(terminated)
    }

    fn pg_ctl(&self, args: &[&str]) -> anyhow::Result<()> {
        let log = self.data.path().join("server.log").display().to_string();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=300",
            self.port,
            self.data.path().display()
        );
        let cluster = self.cluster_dir();
        let mut all = vec!["-D", cluster.as_str(), "-l", &log, "-o", &options];
        all.extend_from_slice(args);
        self.pg("pg_ctl", &all)
    }

    fn pg(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let program = self.bin.join(tool);
        let mut command = if running_as_root() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let output = command
            .args(args)
            .current_dir(self.data.path())
            .output()
            .with_context(|| format!("running {}", program.display()))?;
        if !output.status.success() {
            let log =
                std::fs::read_to_string(self.data.path().join("server.log")).unwrap_or_default();
            bail!(
                "{tool} {} failed: {}{}\n{log}",
                args.join(" "),
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(())
    }
}

impl Drop for OwnPostgres {
    fn drop(&mut self) {
        self.pg_ctl(&["stop", "-m", "immediate", "-w"]).ok();
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The newest installed PostgreSQL's `bin` directory (Debian's layout), or
/// `INTERLINK_TEST_POSTGRES_BIN`.
fn postgres_bin() -> anyhow::Result<PathBuf> {
    if let Ok(dir) = std::env::var("INTERLINK_TEST_POSTGRES_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL's server programs are required (/usr/lib/postgresql/*/bin)")?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .context("no /usr/lib/postgresql/*/bin/initdb: install PostgreSQL's server")
}

/// A JetStream-enabled `nats-server` with its own store, which survives the
/// server's restarts.
#[derive(Debug)]
pub struct OwnNats {
    process: Process,
    store: tempfile::TempDir,
    port: u16,
}

impl OwnNats {
    /// Starts it and waits until it is ready.
    pub async fn start(program: &Path) -> anyhow::Result<Self> {
        let store = tempfile::Builder::new()
            .prefix("interlink-nats")
            .tempdir()?;
        let port = free_port()?;
        let process = Process::new(
            "nats",
            program,
            vec![
                "-a".into(),
                "127.0.0.1".into(),
                "-p".into(),
                port.to_string(),
                "-js".into(),
                "-sd".into(),
                store.path().join("js").display().to_string(),
            ],
            Vec::new(),
        );
        let mut nats = Self {
            process,
            store,
            port,
        };
        nats.restart().await?;
        Ok(nats)
    }

    /// `nats://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// The server's process (signals).
    pub fn process(&mut self) -> &mut Process {
        &mut self.process
    }

    /// Kills it if it runs, then starts it again on the same port and store.
    pub async fn restart(&mut self) -> anyhow::Result<()> {
        self.process.kill()?;
        self.process
            .start(self.store.path(), "Server is ready")
            .await?;
        // Ready means listening; make sure it accepts.
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            if Instant::now() > deadline {
                bail!("nats-server on {} does not accept connections", self.port);
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Ok(())
    }
}
