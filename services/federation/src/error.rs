//! The federation service's errors and their gRPC codes.

use interlink_runtime::error::{ErrorCode, FieldViolation, internal, invalid_argument};
use tonic::Status;

use interlink_runtime::validation::Violation;

/// Everything a federation call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Fields of the request are invalid.
    #[error("invalid request: {0:?}")]
    Invalid(Vec<Violation>),
    /// The resource does not exist, or the caller may not know it does.
    #[error("{0} not found")]
    NotFound(String),
    /// It exists already.
    #[error("{0}")]
    AlreadyExists(String),
    /// The state of the resource does not allow it.
    #[error("{0}")]
    Precondition(String),
    /// The caller is known but not allowed.
    #[error("{0}")]
    Denied(String),
    /// A token is required.
    #[error("a bearer token is required")]
    Unauthenticated,
    /// Too busy now: try again in a moment.
    #[error("{0}")]
    Busy(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] sea_orm::DbErr),
}

impl Error {
    /// One invalid field.
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::Invalid(vec![Violation::new(field, reason)])
    }

    /// Fails with every violation in `violations`, if any.
    pub fn check(violations: Vec<Violation>) -> Result<()> {
        if violations.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(violations))
        }
    }
}

impl From<Violation> for Error {
    fn from(violation: Violation) -> Self {
        Error::Invalid(vec![violation])
    }
}

impl From<Error> for Status {
    fn from(error: Error) -> Self {
        match error {
            Error::Invalid(violations) => invalid_argument(
                &violations
                    .into_iter()
                    .map(|v| FieldViolation::new(v.field, v.reason))
                    .collect::<Vec<_>>(),
            ),
            Error::NotFound(what) => ErrorCode::NotFound.status(format!("{what} not found")),
            Error::AlreadyExists(message) => ErrorCode::AlreadyExists.status(message),
            Error::Precondition(message) => ErrorCode::FailedPrecondition.status(message),
            Error::Denied(message) => ErrorCode::PermissionDenied.status(message),
            Error::Busy(message) => ErrorCode::Unavailable.status(message),
            Error::Unauthenticated => {
                ErrorCode::Unauthenticated.status("a bearer token is required")
            }
            Error::Store(e) => internal(&e),
        }
    }
}

/// A result of this crate.
pub type Result<T> = std::result::Result<T, Error>;
