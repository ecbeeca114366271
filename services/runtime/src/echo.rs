//! The `echo` role: `interlink.echo.v1.EchoService` and nothing else — no
//! database, no events. It is the bare-tonic baseline that load benchmarks
//! measure the mesh against, served by the same binary and helper.

use futures::future::BoxFuture;
use interlink_proto::echo::v1::echo_service_server::{EchoService, EchoServiceServer};
use interlink_proto::echo::v1::{EchoRequest, EchoResponse, EchoStreamRequest};
use sea_orm::{DatabaseConnection, DbErr};
use tonic::service::RoutesBuilder;

use crate::host::{Role, RoleContext};

/// The fully-qualified name of the echo service.
pub const ECHO_SERVICE: &str = "interlink.echo.v1.EchoService";

/// Answers with the request's message.
#[derive(Debug, Clone, Copy, Default)]
pub struct Echo;

/// The answers of `EchoStream`.
pub type EchoStream = std::pin::Pin<
    Box<dyn futures::Stream<Item = Result<EchoResponse, tonic::Status>> + Send + 'static>,
>;

/// `EchoStream`'s answers to `request`: its message `count` times,
/// `interval_ms` apart (INVALID_ARGUMENT outside 1–1000 and 0–60000).
pub fn echo_stream(request: EchoStreamRequest) -> Result<EchoStream, tonic::Status> {
    let mut violations = Vec::new();
    if !(1..=1000).contains(&request.count) {
        violations.push(crate::error::FieldViolation::new(
            "count",
            "must be between 1 and 1000",
        ));
    }
    if !(0..=60_000).contains(&request.interval_ms) {
        violations.push(crate::error::FieldViolation::new(
            "interval_ms",
            "must be between 0 and 60000",
        ));
    }
    if !violations.is_empty() {
        return Err(crate::error::invalid_argument(&violations));
    }
    let interval = std::time::Duration::from_millis(request.interval_ms as u64);
    let message = request.message;
    Ok(Box::pin(futures::stream::unfold(0, move |sent| {
        let message = message.clone();
        async move {
            if sent == request.count {
                return None;
            }
            if sent > 0 {
                tokio::time::sleep(interval).await;
            }
            Some((Ok(EchoResponse { message }), sent + 1))
        }
    })))
}

#[tonic::async_trait]
impl EchoService for Echo {
    type EchoStreamStream = EchoStream;

    async fn echo(
        &self,
        request: tonic::Request<EchoRequest>,
    ) -> Result<tonic::Response<EchoResponse>, tonic::Status> {
        Ok(tonic::Response::new(EchoResponse {
            message: request.into_inner().message,
        }))
    }

    async fn echo_stream(
        &self,
        request: tonic::Request<EchoStreamRequest>,
    ) -> Result<tonic::Response<EchoStream>, tonic::Status> {
        echo_stream(request.into_inner()).map(tonic::Response::new)
    }
}

/// The `echo` role.
#[derive(Debug, Clone, Copy, Default)]
pub struct EchoRole;

impl Role for EchoRole {
    fn name(&self) -> &'static str {
        "echo"
    }

    fn has_database(&self) -> bool {
        false
    }

    fn migrate<'a>(&'a self, _db: &'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async { Ok(()) })
    }

    fn start<'a>(
        &'a self,
        context: RoleContext,
        routes: &'a mut RoutesBuilder,
    ) -> BoxFuture<'a, anyhow::Result<Vec<String>>> {
        Box::pin(async move {
            let max = context.config.grpc.max_message_bytes;
            routes.add_service(
                EchoServiceServer::new(Echo)
                    .max_decoding_message_size(max)
                    .max_encoding_message_size(max),
            );
            Ok(vec![ECHO_SERVICE.to_owned()])
        })
    }
}
