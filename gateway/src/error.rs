//! The gateway's failures, each with its gRPC code, answered as JSON
//! (`{code, status, message, details}`, the JSON form of `google.rpc.Status`
//! plus the code's name) with the HTTP status Google's mapping gives the
//! code, or as a gRPC status to gRPC and gRPC-Web callers.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tonic::Code;
use tonic_types::StatusExt;

use crate::transcode::BadRequest;

/// Why the gateway answered instead of a service (or how a service failed).
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// The request does not become a valid gRPC message.
    #[error("{0}")]
    BadRequest(#[from] BadRequest),
    /// No route for the path.
    #[error("no route for {method} {path}")]
    NoRoute {
        /// HTTP method.
        method: http::Method,
        /// Request path.
        path: String,
    },
    /// The path exists for other methods.
    #[error("{method} is not allowed here; allowed: {allowed}")]
    MethodNotAllowed {
        /// HTTP method asked.
        method: http::Method,
        /// The methods the path accepts, comma-separated.
        allowed: String,
    },
    /// The body is larger than `gateway.max_body_bytes`.
    #[error("the request body exceeds {limit} bytes")]
    PayloadTooLarge {
        /// The limit.
        limit: usize,
    },
    /// A REST body that is not declared JSON.
    #[error("the request body must be JSON (content-type application/json), not {0}")]
    UnsupportedMediaType(String),
    /// The request line's target is longer than the gateway reads.
    #[error("the request URI exceeds {limit} bytes")]
    UriTooLong {
        /// The limit.
        limit: usize,
    },
    /// The request's headers are larger than the gateway reads.
    #[error("the request headers exceed {limit} bytes")]
    HeadersTooLarge {
        /// The limit.
        limit: usize,
    },
    /// The caller exceeded its rate.
    #[error("rate limit exceeded; retry in {} s", retry_after.as_secs().max(1))]
    RateLimited {
        /// When a request would pass again.
        retry_after: Duration,
    },
    /// The client did not send its whole body in time.
    #[error("the request body did not arrive within {} ms", .0.as_millis())]
    BodyTimeout(Duration),
    /// The request body broke off (the client went away).
    #[error("the request body could not be read: {0}")]
    BodyBroken(String),
    /// The client holds as many open streams as it may.
    #[error("{limit} streams are open for this client already; close one first")]
    TooManyStreams {
        /// The per-client limit.
        limit: usize,
    },
    /// Too many requests in flight: shed.
    #[error("the gateway is overloaded; retry shortly")]
    Overloaded,
    /// The request's time ran out.
    #[error("the request took longer than {} ms", .0.as_millis())]
    Timeout(Duration),
    /// The bearer token is missing where needed, malformed or invalid.
    #[error("{0}")]
    Unauthenticated(String),
    /// The service this request is for is not deployed behind the gateway.
    #[error("service {0} is not served here")]
    NotServed(String),
    /// The service answered with an error status.
    #[error("{}", .0.message())]
    Upstream(tonic::Status),
    /// A bug or a broken upstream answer.
    #[error("internal error")]
    Internal(String),
}

impl GatewayError {
    /// The gRPC code of the failure.
    pub fn code(&self) -> Code {
        match self {
            GatewayError::BadRequest(_) => Code::InvalidArgument,
            GatewayError::NoRoute { .. } => Code::NotFound,
            GatewayError::MethodNotAllowed { .. } => Code::Unimplemented,
            GatewayError::PayloadTooLarge { .. } => Code::ResourceExhausted,
            GatewayError::UnsupportedMediaType(_) => Code::InvalidArgument,
            GatewayError::UriTooLong { .. } => Code::InvalidArgument,
            GatewayError::HeadersTooLarge { .. } => Code::InvalidArgument,
            GatewayError::RateLimited { .. } => Code::ResourceExhausted,
            GatewayError::BodyTimeout(_) => Code::DeadlineExceeded,
            GatewayError::BodyBroken(_) => Code::InvalidArgument,
            GatewayError::TooManyStreams { .. } => Code::ResourceExhausted,
            GatewayError::Overloaded => Code::Unavailable,
            GatewayError::Timeout(_) => Code::DeadlineExceeded,
            GatewayError::Unauthenticated(_) => Code::Unauthenticated,
            GatewayError::NotServed(_) => Code::Unimplemented,
            GatewayError::Upstream(status) => status.code(),
            GatewayError::Internal(_) => Code::Internal,
        }
    }

    /// The HTTP status of the failure: the code's, except where HTTP has a
    /// sharper one (405, 408, 413, 414, 415, 422, 431).
    pub fn http_status(&self) -> http::StatusCode {
        match self {
            GatewayError::PayloadTooLarge { .. } => http::StatusCode::PAYLOAD_TOO_LARGE,
            GatewayError::MethodNotAllowed { .. } => http::StatusCode::METHOD_NOT_ALLOWED,
            GatewayError::BodyTimeout(_) => http::StatusCode::REQUEST_TIMEOUT,
            // The IETF idempotency-key draft's answer to a key reused with
            // another request.
            GatewayError::Upstream(status)
                if status.get_error_details().error_info().is_some_and(|info| {
                    info.reason == interlink_runtime::idempotency::KEY_REUSED
                }) =>
            {
                http::StatusCode::UNPROCESSABLE_ENTITY
            }
            GatewayError::UnsupportedMediaType(_) => http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            GatewayError::UriTooLong { .. } => http::StatusCode::URI_TOO_LONG,
            GatewayError::HeadersTooLarge { .. } => {
                http::StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE
            }
            other => http_status(other.code()),
        }
    }

    /// The failure as a gRPC status.
    pub fn into_status(self) -> tonic::Status {
        match self {
            GatewayError::Upstream(status) => status,
            GatewayError::BadRequest(bad) => {
                let mut details = tonic_types::ErrorDetails::new();
                details.add_bad_request_violation(bad.field.clone(), bad.message.clone());
                tonic::Status::with_error_details(Code::InvalidArgument, bad.message, details)
            }
            GatewayError::Internal(detail) => {
                tracing::error!(%detail, "gateway internal error");
                tonic::Status::internal("internal error")
            }
            other => tonic::Status::new(other.code(), other.to_string()),
        }
    }

    /// The failure answered to a gRPC or gRPC-Web caller: a trailers-only
    /// response in the caller's content type.
    pub fn into_grpc_response(self, content_type: &http::HeaderValue) -> Response {
        let retry_after = self.retry_after();
        let mut response = self.into_status().into_http::<axum::body::Body>();
        response
            .headers_mut()
            .insert(http::header::CONTENT_TYPE, content_type.clone());
        if let Some(after) = retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, after);
        }
        response
    }

    /// The `Retry-After` of a refusal that passes with time.
    pub(crate) fn retry_after(&self) -> Option<http::HeaderValue> {
        match self {
            GatewayError::RateLimited { retry_after } => {
                let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
                Some(http::HeaderValue::from(secs.max(1)))
            }
            GatewayError::Overloaded => Some(http::HeaderValue::from_static("1")),
            _ => None,
        }
    }
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let http_status = self.http_status();
        let retry_after = self.retry_after();
        let allow = match &self {
            GatewayError::MethodNotAllowed { allowed, .. } => {
                http::HeaderValue::from_str(allowed).ok()
            }
            _ => None,
        };
        let body = status_json(&self.into_status());
        let mut response = (http_status, axum::Json(body)).into_response();
        if let Some(after) = retry_after {
            response
                .headers_mut()
                .insert(http::header::RETRY_AFTER, after);
        }
        if let Some(allow) = allow {
            response.headers_mut().insert(http::header::ALLOW, allow);
        }
        response
    }
}

/// The HTTP status for a gRPC code (`google.rpc.Code`'s documented mapping).
pub fn http_status(code: Code) -> http::StatusCode {
    use http::StatusCode as S;
    match code {
        Code::Ok => S::OK,
        Code::Cancelled => S::from_u16(499).unwrap_or(S::BAD_REQUEST),
        Code::Unknown => S::INTERNAL_SERVER_ERROR,
        Code::InvalidArgument => S::BAD_REQUEST,
        Code::DeadlineExceeded => S::GATEWAY_TIMEOUT,
        Code::NotFound => S::NOT_FOUND,
        Code::AlreadyExists => S::CONFLICT,
        Code::PermissionDenied => S::FORBIDDEN,
        Code::ResourceExhausted => S::TOO_MANY_REQUESTS,
        Code::FailedPrecondition => S::BAD_REQUEST,
        Code::Aborted => S::CONFLICT,
        Code::OutOfRange => S::BAD_REQUEST,
        Code::Unimplemented => S::NOT_IMPLEMENTED,
        Code::Internal => S::INTERNAL_SERVER_ERROR,
        Code::Unavailable => S::SERVICE_UNAVAILABLE,
        Code::DataLoss => S::INTERNAL_SERVER_ERROR,
        Code::Unauthenticated => S::UNAUTHORIZED,
    }
}

/// The code's name as in `google.rpc.Code` (`NOT_FOUND`).
pub fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

/// The JSON body of an error: `google.rpc.Status` in JSON, with the
/// code's name, and the rich details the service attached.
pub fn status_json(status: &tonic::Status) -> Value {
    let details = status.get_error_details();
    let mut out = Vec::new();
    if let Some(bad) = details.bad_request() {
        out.push(json!({
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": bad.field_violations.iter().map(|v| json!({
                "field": v.field,
                "description": v.description,
            })).collect::<Vec<_>>(),
        }));
    }
    if let Some(failure) = details.precondition_failure() {
        out.push(json!({
            "@type": "type.googleapis.com/google.rpc.PreconditionFailure",
            "violations": failure.violations.iter().map(|v| json!({
                "type": v.r#type,
                "subject": v.subject,
                "description": v.description,
            })).collect::<Vec<_>>(),
        }));
    }
    if let Some(info) = details.error_info() {
        out.push(json!({
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": info.reason,
            "domain": info.domain,
            "metadata": info.metadata,
        }));
    }
    if let Some(resource) = details.resource_info() {
        out.push(json!({
            "@type": "type.googleapis.com/google.rpc.ResourceInfo",
            "resourceType": resource.resource_type,
            "resourceName": resource.resource_name,
            "owner": resource.owner,
            "description": resource.description,
        }));
    }
    if let Some(retry) = details.retry_info()
        && let Some(delay) = retry.retry_delay
    {
        out.push(json!({
            "@type": "type.googleapis.com/google.rpc.RetryInfo",
            "retryDelay": format!("{}.{:03}s", delay.as_secs(), delay.subsec_millis()),
        }));
    }
    json!({
        "code": status.code() as i32,
        "status": code_name(status.code()),
        "message": status.message(),
        "details": out,
    })
}
