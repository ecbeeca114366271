//! `interlink`: the one binary of the mesh.
//!
//! - `interlink up` runs everything in one process on SQLite files under a
//!   data directory (the embedded default);
//! - `interlink serve <role>` runs one role against PostgreSQL and NATS;
//! - `interlink migrate [<role>]` prepares storage (the JetStream stream and
//!   the role's database, or with `--embedded` the data directory);
//! - `interlink token` mints a development token from the local key;
//! - `interlink federation-key-id <file>` prints the key id (RFC 7638
//!   thumbprint) of a federation signing key file, for peers to pin.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use interlink_runtime::Config;
use interlink_runtime::auth::{DevSigner, DevTokenRequest};
use interlink_runtime::events::{EmbeddedBus, JetStreamBus};
use tokio_util::sync::CancellationToken;

mod interlinker_check;
mod roles;
mod serve;
mod up;

/// Interlink: public administrations, organisations and citizens co-producing
/// public services.
#[derive(Debug, Parser)]
#[command(name = "interlink", version)]
struct Cli {
    /// A TOML configuration file (then `INTERLINK__SECTION__KEY` variables apply).
    #[arg(long, global = true, env = "INTERLINK_CONFIG")]
    config: Option<PathBuf>,
    /// The data directory of embedded mode (overrides `data_dir`).
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole mesh in this process on SQLite (embedded mode).
    Up,
    /// Run one role against PostgreSQL (`database.url`) and NATS (`nats.url`).
    Serve {
        /// The role: see `interlink roles`.
        role: String,
    },
    /// Prepare storage: the JetStream stream and, given a role, its database
    /// (`database.url`); with `--embedded`, the data directory: bus log, dev
    /// key and every role's SQLite file.
    Migrate {
        /// The role whose database to migrate.
        role: Option<String>,
        /// Prepare embedded mode's data directory instead.
        #[arg(long, conflicts_with = "role")]
        embedded: bool,
    },
    /// Seed the catalogue: add whichever of the seed's problem profiles,
    /// schemas and interlinkers are missing (idempotent). Uses the
    /// catalogue's `database.url`, or with `--embedded` its SQLite file in
    /// the data directory.
    Seed {
        /// Seed embedded mode's catalogue.
        #[arg(long)]
        embedded: bool,
    },
    /// List the roles this binary can run.
    Roles,
    /// Mint a development token signed by the data directory's dev key.
    Token {
        /// The user's subject (id).
        #[arg(long)]
        sub: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// Make the user a platform administrator.
        #[arg(long)]
        admin: bool,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 12 * 3600)]
        ttl: u64,
        /// The token's audience: the platform's (`auth.audience`) unless
        /// given, e.g. an interlinker's address for a token it accepts.
        #[arg(long)]
        audience: Option<String>,
    },
    /// Check a software interlinker against the interlinker contract
    /// (docs/interlinker-contract/v1) and print a pass/fail table.
    InterlinkerCheck {
        /// The interlinker's base URL (its `endpoint_uri`).
        url: String,
        /// A token the interlinker accepts.
        #[arg(long, env = "INTERLINK_TOKEN", hide_env_values = true)]
        token: String,
        /// The capabilities to check, comma-separated; default: what its
        /// `/manifest` declares, else all.
        #[arg(long, value_delimiter = ',')]
        capabilities: Option<Vec<String>>,
    },
    /// Print the key id of a federation signing key file (a P-256 private
    /// key, PKCS#8 PEM; `federation.signing_key_file`): its RFC 7638
    /// thumbprint, which the deployment's peers pin.
    FederationKeyId {
        /// The PEM file, e.g. made with `openssl genpkey -algorithm EC
        /// -pkeyopt ec_paramgen_curve:P-256 -out federation-key.pem`.
        file: PathBuf,
    },
}

/// Runs the command line: what the `interlink` binary does. The
/// integration tests' own binary calls it too, so they start the mesh's real
/// processes without depending on another package's build.
pub fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        match cli.command {
            Command::Up => {
                let _telemetry = interlink_runtime::telemetry::init(&config.telemetry)?;
                let shutdown = CancellationToken::new();
                tokio::spawn(cancel_on_signal(shutdown.clone()));
                up::run(config, shutdown).await
            }
            Command::Serve { role } if role == roles::GATEWAY => {
                let _telemetry = interlink_runtime::telemetry::init(&config.telemetry)?;
                let shutdown = CancellationToken::new();
                tokio::spawn(cancel_on_signal(shutdown.clone()));
                serve::run_gateway(config, shutdown).await
            }
            Command::Serve { role } => {
                let role = roles::find(&role)?;
                let _telemetry = interlink_runtime::telemetry::init(&config.telemetry)?;
                let shutdown = CancellationToken::new();
                tokio::spawn(cancel_on_signal(shutdown.clone()));
                serve::run(role, config, shutdown).await
            }
            Command::Migrate { role, embedded } => {
                migrate(&config, role.as_deref(), embedded).await
            }
            Command::Seed { embedded } => seed(&config, embedded).await,
            Command::Roles => {
                for role in roles::all() {
                    println!("{}", role.name());
                }
                println!("{}", roles::GATEWAY);
                Ok(())
            }
            Command::Token {
                sub,
                name,
                email,
                admin,
                ttl,
                audience,
            } => {
                let signer = DevSigner::load_or_create(&config.data_dir)?;
                let token = signer.mint(
                    &DevTokenRequest {
                        subject: sub,
                        name,
                        email,
                        admin,
                        ttl: Duration::from_secs(ttl),
                    },
                    audience.as_deref().unwrap_or(&config.auth.audience),
                    &config.auth.admin_claim,
                )?;
                println!("{token}");
                Ok(())
            }
            Command::FederationKeyId { file } => {
                let key = interlink_federation::keys::SigningKey::from_pem_file(&file)?;
                println!("{}", key.kid());
                Ok(())
            }
            Command::InterlinkerCheck {
                url,
                token,
                capabilities,
            } => {
                if let Some(unknown) = capabilities
                    .iter()
                    .flatten()
                    .find(|c| !interlinker_check::CAPABILITIES.contains(&c.as_str()))
                {
                    anyhow::bail!(
                        "--capabilities: unknown capability `{unknown}`; the contract's are {}",
                        interlinker_check::CAPABILITIES.join(", ")
                    );
                }
                let rows = interlinker_check::run(&url, &token, capabilities).await?;
                if interlinker_check::print(&rows) {
                    Ok(())
                } else {
                    anyhow::bail!("{url} does not pass the interlinker contract")
                }
            }
        }
    })
}

/// `interlink seed`: the catalogue's seed, with a progress bar.
async fn seed(config: &Config, embedded: bool) -> anyhow::Result<()> {
    let role = roles::find("catalogue")?;
    let db = if embedded {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating {}", config.data_dir.display()))?;
        let url = roles::embedded_database_url(config, "catalogue");
        serve::open_role_database(role.as_ref(), &url, config).await?
    } else {
        serve::role_database(role.as_ref(), config)
            .await?
            .context("the catalogue has a database")?
    };
    let started = std::time::Instant::now();
    let data = interlink_catalogue::seed::SeedData::load()?.for_deployment(config);
    let bar = indicatif::ProgressBar::new(data.len() as u64).with_style(
        indicatif::ProgressStyle::with_template("seeding the catalogue {bar:40} {pos}/{len}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let outbox = interlink_runtime::events::Outbox::new(interlink_runtime::events::Subjects::new(
        config.nats.subject_root.clone(),
    ));
    let report = data
        .apply(&db, &outbox, |done| bar.set_position(done as u64))
        .await?;
    bar.finish_and_clear();
    println!(
        "catalogue seeded in {} ms: {} problem profiles, {} schemas, {} interlinkers added \
         ({} entries in the seed; the rest were there)",
        started.elapsed().as_millis(),
        report.profiles,
        report.schemas,
        report.interlinkers,
        data.len()
    );
    Ok(())
}

async fn migrate(config: &Config, role: Option<&str>, embedded: bool) -> anyhow::Result<()> {
    if embedded {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("creating {}", config.data_dir.display()))?;
        EmbeddedBus::open(&up::bus_url(config), &config.database).await?;
        DevSigner::load_or_create(&config.data_dir)?;
        for role in roles::all().iter().filter(|r| r.has_database()) {
            let url = roles::embedded_database_url(config, role.name());
            serve::open_role_database(role.as_ref(), &url, config).await?;
            println!("role {} migrated", role.name());
        }
        println!(
            "embedded data directory ready: {}",
            config.data_dir.display()
        );
        return Ok(());
    }
    let bus = JetStreamBus::connect(&config.nats).await?;
    println!(
        "jetstream stream {} ready for {}.>",
        bus.stream_name(),
        config.nats.subject_root
    );
    if let Some(name) = role {
        let role = roles::find(name)?;
        if serve::role_database(role.as_ref(), config).await?.is_some() {
            println!("role {name} migrated");
        } else {
            println!("role {name} keeps no database");
        }
    }
    Ok(())
}

/// Cancels `shutdown` on Ctrl-C or SIGTERM.
async fn cancel_on_signal(shutdown: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => tracing::info!("ctrl-c: shutting down"),
        _ = terminate => tracing::info!("sigterm: shutting down"),
    }
    shutdown.cancel();
}
