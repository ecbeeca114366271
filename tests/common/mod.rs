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
}

pub fn start(data_dir: &std::path::Path) -> Up {
    let mut child = Command::new(BIN)
        .args(["up", "--data-dir"])
        .arg(data_dir)
        .env("INTERLINK__GRPC__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__GATEWAY__LISTEN", "127.0.0.1:0")
        .env("INTERLINK__TELEMETRY__FORMAT", "json")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("interlink up starts");
    let stdout = child.stdout.take().expect("stdout");
    let mut grpc = None;
    let mut http = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("stdout line");
        if let Some(addr) = line.strip_prefix("grpc: ") {
            grpc = Some(addr.to_owned());
        }
        if let Some(addr) = line.strip_prefix("http: ") {
            http = Some(addr.to_owned());
        }
        if line.starts_with("dev token") {
            break;
        }
    }
    Up {
        child,
        grpc: grpc.expect("grpc address printed"),
        http: http.expect("http address printed"),
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
