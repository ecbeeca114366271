//! One error vocabulary for the mesh: every service maps its own error enum
//! onto [`ErrorCode`], which knows its gRPC code and its HTTP status, so the
//! gateway and the services agree on what a failure means.

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// The kinds of failure a caller can see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A field of the request is malformed; the message names the field.
    InvalidArgument,
    /// The resource does not exist, or the caller may not know it exists.
    NotFound,
    /// A resource with that identity already exists.
    AlreadyExists,
    /// The request is valid but the system is not in a state that allows it.
    FailedPrecondition,
    /// The caller is known but not allowed to do this.
    PermissionDenied,
    /// The caller did not present valid credentials.
    Unauthenticated,
    /// A quota or rate limit was hit.
    ResourceExhausted,
    /// The deadline passed before the work finished.
    DeadlineExceeded,
    /// The service cannot answer now; the caller may retry.
    Unavailable,
    /// A bug or an infrastructure failure; details are logged, not returned.
    Internal,
}

impl ErrorCode {
    /// The gRPC status code.
    pub fn grpc_code(self) -> Code {
        match self {
            ErrorCode::InvalidArgument => Code::InvalidArgument,
            ErrorCode::NotFound => Code::NotFound,
            ErrorCode::AlreadyExists => Code::AlreadyExists,
            ErrorCode::FailedPrecondition => Code::FailedPrecondition,
            ErrorCode::PermissionDenied => Code::PermissionDenied,
            ErrorCode::Unauthenticated => Code::Unauthenticated,
            ErrorCode::ResourceExhausted => Code::ResourceExhausted,
            ErrorCode::DeadlineExceeded => Code::DeadlineExceeded,
            ErrorCode::Unavailable => Code::Unavailable,
            ErrorCode::Internal => Code::Internal,
        }
    }

    /// The HTTP status the gateway answers with (the mapping of
    /// `google.rpc.Code`).
    pub fn http_status(self) -> http::StatusCode {
        use http::StatusCode as S;
        match self {
            ErrorCode::InvalidArgument => S::BAD_REQUEST,
            ErrorCode::NotFound => S::NOT_FOUND,
            ErrorCode::AlreadyExists => S::CONFLICT,
            ErrorCode::FailedPrecondition => S::BAD_REQUEST,
            ErrorCode::PermissionDenied => S::FORBIDDEN,
            ErrorCode::Unauthenticated => S::UNAUTHORIZED,
            ErrorCode::ResourceExhausted => S::TOO_MANY_REQUESTS,
            ErrorCode::DeadlineExceeded => S::GATEWAY_TIMEOUT,
            ErrorCode::Unavailable => S::SERVICE_UNAVAILABLE,
            ErrorCode::Internal => S::INTERNAL_SERVER_ERROR,
        }
    }

    /// A status with this code and message.
    pub fn status(self, message: impl Into<String>) -> Status {
        Status::new(self.grpc_code(), message)
    }
}

/// One bad field of a request: its path (`organization.name`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// The path of the field, dotted, as in the proto.
    pub field: String,
    /// What is wrong with it, for a person.
    pub description: String,
}

impl FieldViolation {
    /// A violation of `field`.
    pub fn new(field: impl Into<String>, description: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            description: description.into(),
        }
    }
}

/// INVALID_ARGUMENT carrying a `google.rpc.BadRequest` with every violation;
/// the message lists them too, for clients that read only the message.
pub fn invalid_argument(violations: &[FieldViolation]) -> Status {
    let message = violations
        .iter()
        .map(|v| format!("{}: {}", v.field, v.description))
        .collect::<Vec<_>>()
        .join("; ");
    let mut details = ErrorDetails::new();
    for v in violations {
        details.add_bad_request_violation(v.field.clone(), v.description.clone());
    }
    Status::with_error_details(Code::InvalidArgument, message, details)
}

/// INTERNAL with a generic message; the error's chain is logged, not returned,
/// so nothing about the infrastructure leaks to callers.
pub fn internal(error: &(dyn std::error::Error + 'static)) -> Status {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    tracing::error!(error = %chain, "internal error");
    ErrorCode::Internal.status("internal error")
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 10] = [
        ErrorCode::InvalidArgument,
        ErrorCode::NotFound,
        ErrorCode::AlreadyExists,
        ErrorCode::FailedPrecondition,
        ErrorCode::PermissionDenied,
        ErrorCode::Unauthenticated,
        ErrorCode::ResourceExhausted,
        ErrorCode::DeadlineExceeded,
        ErrorCode::Unavailable,
        ErrorCode::Internal,
    ];

    #[test]
    fn grpc_and_http_mapping_is_the_standard_one() {
        let table: Vec<(Code, u16)> = ALL
            .iter()
            .map(|c| (c.grpc_code(), c.http_status().as_u16()))
            .collect();
        assert_eq!(
            table,
            vec![
                (Code::InvalidArgument, 400),
                (Code::NotFound, 404),
                (Code::AlreadyExists, 409),
                (Code::FailedPrecondition, 400),
                (Code::PermissionDenied, 403),
                (Code::Unauthenticated, 401),
                (Code::ResourceExhausted, 429),
                (Code::DeadlineExceeded, 504),
                (Code::Unavailable, 503),
                (Code::Internal, 500),
            ]
        );
    }

    #[test]
    fn invalid_argument_carries_every_violation() {
        let status = invalid_argument(&[
            FieldViolation::new("name", "must not be empty"),
            FieldViolation::new("team.type", "unknown team type \"x\""),
        ]);
        assert_eq!(status.code(), Code::InvalidArgument);
        assert_eq!(
            status.message(),
            "name: must not be empty; team.type: unknown team type \"x\""
        );
        let details = status.get_error_details();
        let bad = details.bad_request().expect("bad request details");
        let fields: Vec<_> = bad
            .field_violations
            .iter()
            .map(|v| v.field.as_str())
            .collect();
        assert_eq!(fields, ["name", "team.type"]);
    }

    #[test]
    fn internal_hides_the_cause() {
        let io = std::io::Error::other("connection refused to 10.0.0.5");
        let status = internal(&io);
        assert_eq!(status.code(), Code::Internal);
        assert_eq!(status.message(), "internal error");
    }
}
