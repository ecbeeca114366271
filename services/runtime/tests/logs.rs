//! The serving helper's logs: a caller's mistake is an answer, not an
//! error of the server's. Alone in its binary: it installs the global
//! subscriber.

mod common;

use std::sync::Arc;

use common::{echo, start, with_token};
use interlink_proto::echo::v1::echo_service_client::EchoServiceClient;

/// Log output, kept for the test to read.
#[derive(Clone, Default)]
struct Captured(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl Captured {
    fn error_lines(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.0.lock().expect("log buffer"))
            .lines()
            .filter(|line| line.contains("ERROR"))
            .map(str::to_owned)
            .collect()
    }
}

#[tokio::test]
async fn callers_mistakes_are_answered_not_logged_as_errors() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
    let server = start().await;
    let mut client = EchoServiceClient::new(server.channel.clone());
    // UNAUTHENTICATED: no token where one is needed, and a forged one.
    let missing = client.echo(echo("whoami")).await.expect_err("no token");
    assert_eq!(missing.code(), tonic::Code::Unauthenticated);
    let forged = client
        .echo(with_token(echo("whoami"), "not.a.token"))
        .await
        .expect_err("forged token");
    assert_eq!(forged.code(), tonic::Code::Unauthenticated);
    assert_eq!(forged.message(), "malformed token");
    // INVALID_ARGUMENT.
    let invalid = client
        .echo_stream(interlink_proto::echo::v1::EchoStreamRequest {
            message: "x".into(),
            count: 0,
            interval_ms: 0,
        })
        .await
        .expect_err("count 0");
    assert_eq!(invalid.code(), tonic::Code::InvalidArgument);
    assert_eq!(captured.error_lines(), Vec::<String>::new());
    let log = String::from_utf8_lossy(&captured.0.lock().expect("log")).into_owned();
    assert!(
        log.contains("status=16") && log.contains("status=3"),
        "{log}"
    );
    // A server fault is logged as an error.
    client.echo(echo("fail")).await.expect_err("a fault");
    assert_eq!(
        captured.error_lines().len(),
        1,
        "{:?}",
        captured.error_lines()
    );
    server.shutdown.cancel();
    let _ = server.task.await;
}
