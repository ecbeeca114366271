//! A real SMTP server for tests: aiosmtpd (PyPI, pinned by
//! `scripts/python/aiosmtpd.txt` and installed by `scripts/tools.sh` into
//! `target/tools/aiosmtpd`), keeping each message it receives in a
//! Maildir the test reads. A machine without it fails the test that asks
//! for it; nothing skips.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::wait_until;

/// aiosmtpd on a port of its own, keeping each message in a Maildir.
pub struct SmtpServer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    maildir: PathBuf,
    child: Option<tokio::process::Child>,
}

impl SmtpServer {
    fn python() -> PathBuf {
        let python = std::env::var_os("INTERLINK_TEST_AIOSMTPD_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tools/aiosmtpd/bin/python")
            });
        assert!(
            python.exists(),
            "{} is missing: run scripts/tools.sh",
            python.display()
        );
        python
    }

    /// A port for it, not yet served, keeping mail under `dir`.
    pub fn reserve(dir: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        Self {
            port,
            maildir: dir.join("maildir"),
            child: None,
        }
    }

    /// Serves its port (again, after [`SmtpServer::stop`]).
    pub async fn start(&mut self) {
        let child = tokio::process::Command::new(Self::python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{}", self.port))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&self.maildir)
            .kill_on_drop(true)
            .spawn()
            .expect("aiosmtpd starts");
        self.child = Some(child);
        wait_until("aiosmtpd to listen", Duration::from_secs(20), || async {
            tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .is_ok()
        })
        .await;
    }

    /// Freezes the server (SIGSTOP): connections open, nothing answers,
    /// until [`SmtpServer::thaw`].
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Lets a frozen server go on (SIGCONT).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let pid = self
            .child
            .as_ref()
            .and_then(tokio::process::Child::id)
            .expect("the server runs");
        let status = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill {signal} {pid}");
    }

    /// Stops serving (the messages stay).
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.ok();
        }
    }

    /// The messages once there are at least `count`, waiting up to 30 s.
    pub async fn wait_for(&self, count: usize) -> Vec<Mail> {
        wait_until(
            &format!("{count} e-mails"),
            Duration::from_secs(30),
            || async { self.messages().len() >= count },
        )
        .await;
        self.messages()
    }

    /// `smtp://127.0.0.1:{port}`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Every message received, parsed: headers (lower-case names) and the
    /// raw text.
    pub fn messages(&self) -> Vec<Mail> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .map(|e| Mail::parse(&std::fs::read_to_string(e.path()).expect("a message")))
            .collect()
    }
}

/// A message as received.
#[derive(Debug)]
pub struct Mail {
    headers: BTreeMap<String, String>,
    /// The whole message as the server kept it.
    pub raw: String,
}

impl Mail {
    /// A message from its text.
    pub fn parse(raw: &str) -> Self {
        let mut headers = BTreeMap::new();
        let mut last = String::new();
        for line in raw.lines() {
            if line.is_empty() {
                break;
            }
            if line.starts_with([' ', '\t']) {
                if let Some(value) = headers.get_mut(&last) {
                    *value = format!("{value} {}", line.trim());
                }
                continue;
            }
            if let Some((name, value)) = line.split_once(':') {
                last = name.trim().to_lowercase();
                headers.insert(last.clone(), value.trim().to_owned());
            }
        }
        Self {
            headers,
            raw: raw.to_owned(),
        }
    }

    /// A header's value (by lower-case name), or "".
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }

    /// The subject, decoded from RFC 2047 base64 words when encoded.
    pub fn subject(&self) -> String {
        decode_words(self.header("subject"))
    }

    /// The message with its quoted-printable parts decoded (soft line
    /// breaks joined, `=XX` bytes restored).
    pub fn decoded(&self) -> String {
        let joined = self.raw.replace("=\r\n", "").replace("=\n", "");
        let bytes = joined.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && let Some(byte) = joined
                    .get(i + 1..i + 3)
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
            {
                out.push(byte);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The token of its unsubscribe link.
    pub fn unsubscribe_token(&self) -> String {
        self.header("list-unsubscribe")
            .split("token=")
            .nth(1)
            .and_then(|rest| rest.split('>').next())
            .expect("an unsubscribe link")
            .to_owned()
    }
}

/// `=?utf-8?b?…?=` words (what lettre writes for non-ASCII subjects).
fn decode_words(value: &str) -> String {
    use base64::Engine;
    value
        .split_whitespace()
        .map(|word| {
            let lower = word.to_lowercase();
            if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
                let inner = &word[10..word.len() - 2];
                base64::engine::general_purpose::STANDARD
                    .decode(inner)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_else(|| word.to_owned())
            } else {
                format!(" {word} ")
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
