//! A webhook receiver for tests (`scripts/python/webhook_receiver.py`),
//! verifying every delivery with the Standard Webhooks specification's
//! reference library (PyPI `standardwebhooks`, pinned by
//! `scripts/python/standardwebhooks.txt` and installed by
//! `scripts/tools.sh` into `target/tools/standardwebhooks`). A machine
//! without it fails the test that asks for it; nothing skips.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::wait_until;

/// The receiver on a port of its own, logging each delivery it gets.
pub struct WebhookReceiver {
    /// Its port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    child: Option<tokio::process::Child>,
}

/// One delivery as the receiver got it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Received {
    /// Its `webhook-id`.
    pub id: String,
    /// The event type in its body.
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// What the receiver answered.
    pub status: u16,
    /// Whether its signature verified with one of the receiver's secrets.
    pub verified: bool,
    /// Which of them (indexes in the order given).
    pub verified_with: Vec<usize>,
}

impl WebhookReceiver {
    fn python() -> PathBuf {
        let python = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/tools/standardwebhooks/bin/python");
        assert!(
            python.exists(),
            "{} is missing: run scripts/tools.sh",
            python.display()
        );
        python
    }

    /// A port for it, not yet served, keeping its log under `dir`.
    pub fn reserve(dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let dir = dir.join("webhook-receiver");
        std::fs::create_dir_all(&dir).expect("the receiver's directory");
        Self {
            port,
            dir,
            child: None,
        }
    }

    /// `http://127.0.0.1:{port}{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Serves its port (again, after [`WebhookReceiver::stop`]).
    pub async fn start(&mut self) {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/python/webhook_receiver.py");
        let child = tokio::process::Command::new(Self::python())
            .arg(script)
            .arg(self.port.to_string())
            .arg(&self.dir)
            .kill_on_drop(true)
            .spawn()
            .expect("the webhook receiver starts");
        self.child = Some(child);
        wait_until(
            "the webhook receiver to listen",
            Duration::from_secs(20),
            || async {
                tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                    .await
                    .is_ok()
            },
        )
        .await;
    }

    /// Stops serving (the log stays).
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.ok();
        }
    }

    /// The secrets a delivery may verify with.
    pub fn set_secrets(&self, secrets: &[&str]) {
        std::fs::write(self.dir.join("secrets"), secrets.join("\n")).expect("secrets written");
    }

    /// How it answers from now on: `ok`, `fail` (500) or `sleep N`
    /// (seconds, then 200).
    pub fn set_mode(&self, mode: &str) {
        std::fs::write(self.dir.join("mode"), mode).expect("mode written");
    }

    /// Every delivery received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        std::fs::read_to_string(self.dir.join("received.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|line| serde_json::from_str(line).expect("a log line"))
            .collect()
    }

    /// How many requests have arrived so far, answered or not (a request
    /// held by `sleep N` counts as soon as it arrives).
    pub fn arrived(&self) -> usize {
        std::fs::read_to_string(self.dir.join("arrived.log"))
            .unwrap_or_default()
            .lines()
            .count()
    }

    /// The deliveries once `done` holds of them, waiting up to `within`.
    pub async fn wait_for(
        &self,
        what: &str,
        within: Duration,
        done: impl Fn(&[Received]) -> bool,
    ) -> Vec<Received> {
        wait_until(what, within, || async { done(&self.received()) }).await;
        self.received()
    }
}
