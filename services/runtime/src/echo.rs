//! The `echo` role: `interlink.echo.v1.EchoService` and nothing else — no
//! database, no events. It is the bare-tonic baseline that load benchmarks
//! measure the mesh against, served by the same binary and helper.

use futures::future::BoxFuture;
use interlink_proto::echo::v1::echo_service_server::{EchoService, EchoServiceServer};
use interlink_proto::echo::v1::{EchoRequest, EchoResponse};
use sea_orm::{DatabaseConnection, DbErr};
use tonic::service::RoutesBuilder;

use crate::host::{Role, RoleContext};

/// The fully-qualified name of the echo service.
pub const ECHO_SERVICE: &str = "interlink.echo.v1.EchoService";

/// Answers with the request's message.
#[derive(Debug, Clone, Copy, Default)]
pub struct Echo;

#[tonic::async_trait]
impl EchoService for Echo {
    async fn echo(
        &self,
        request: tonic::Request<EchoRequest>,
    ) -> Result<tonic::Response<EchoResponse>, tonic::Status> {
        Ok(tonic::Response::new(EchoResponse {
            message: request.into_inner().message,
        }))
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
