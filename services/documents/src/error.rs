//! The documents interlinker's one error enum, mapped to HTTP statuses
//! with the contract's JSON body, or to a page for people.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::domain::Invalid;
use crate::http::MessagePage;
use crate::i18n::{Lang, Wording};
use crate::store::StoreError;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No token, or one the platform did not sign for this interlinker.
    #[error("a valid token of the platform is needed")]
    Unauthenticated,
    /// No such asset.
    #[error("no such asset")]
    NotFound,
    /// A field's value is refused.
    #[error("{message}")]
    Invalid {
        /// The field, as the request named it.
        field: &'static str,
        /// Why, naming the field.
        message: String,
    },
    /// The JSON body does not fit the contract.
    #[error("{field}: {reason}")]
    BadJson {
        /// Where in the body.
        field: String,
        /// What is wrong there.
        reason: String,
    },
    /// A clone without an `Idempotency-Key` header (or an overlong one).
    #[error("Idempotency-Key: a clone needs a key of 1 to 200 characters")]
    IdempotencyKey,
    /// A download in a format this interlinker does not make.
    #[error("format: md or html")]
    Format,
    /// The platform does not let the person do this with the asset.
    #[error("the platform does not let this person do this with the asset")]
    NoAccess,
    /// The platform could not be asked what the person may do.
    #[error("the platform could not be asked what this person may do")]
    PlatformUnreachable,
    /// A page form posted from another site.
    #[error("forms are accepted from this interlinker's own pages only")]
    CrossOrigin,
    /// Someone saved the document since the edit began.
    #[error("the document was saved by someone else since revision {0}")]
    Stale(i64),
    /// The copy an idempotency key made was deleted since.
    #[error("the copy made under this Idempotency-Key has been deleted")]
    CloneDeleted,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// Something that should not fail did.
    #[error("{0}")]
    Internal(String),
    /// The same failure, answered as a page in a language (for people,
    /// not programs).
    #[error("{0}")]
    Page(Box<Error>, Lang),
}

impl Error {
    /// `invalid` reported under the request's own name for the field.
    pub(crate) fn named(field: &'static str) -> impl Fn(Invalid) -> Error {
        move |invalid| {
            let message = invalid.to_string();
            let message = match message.split_once(": ") {
                Some((_, reason)) => format!("{field}: {reason}"),
                None => message,
            };
            Error::Invalid { field, message }
        }
    }

    /// This error, answered as a page in `lang`.
    pub(crate) fn page_in(self, lang: Lang) -> Error {
        match self {
            Error::Page(..) => self,
            other => Error::Page(Box::new(other), lang),
        }
    }

    /// This error as a page in `lang`.
    pub(crate) fn page(self, lang: Lang) -> Response {
        let status = self.status();
        let w = lang.words();
        let (heading, text) = match &self {
            Error::Unauthenticated => (w.unauthenticated_heading, w.unauthenticated_text),
            Error::NotFound => (w.not_found_heading, w.not_found_text),
            Error::CrossOrigin => (w.refused_heading, w.cross_origin),
            Error::NoAccess => (w.refused_heading, w.no_access),
            Error::PlatformUnreachable => (w.failed_heading, w.platform_unreachable),
            _ => (w.failed_heading, w.failed_text),
        };
        MessagePage {
            lang: lang.tag(),
            w,
            heading,
            text: text.to_owned(),
        }
        .response(status)
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::Unauthenticated => StatusCode::UNAUTHORIZED,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::Invalid { .. }
            | Error::BadJson { .. }
            | Error::IdempotencyKey
            | Error::Format => StatusCode::BAD_REQUEST,
            Error::CrossOrigin | Error::NoAccess => StatusCode::FORBIDDEN,
            Error::PlatformUnreachable => StatusCode::SERVICE_UNAVAILABLE,
            Error::Stale(_) | Error::CloneDeleted => StatusCode::CONFLICT,
            Error::Db(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            Error::Page(inner, _) => inner.status(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Error::Unauthenticated => "unauthenticated",
            Error::NotFound => "not_found",
            Error::Invalid { .. }
            | Error::BadJson { .. }
            | Error::IdempotencyKey
            | Error::Format => "invalid_argument",
            Error::CrossOrigin | Error::NoAccess => "permission_denied",
            Error::PlatformUnreachable => "unavailable",
            Error::Stale(_) | Error::CloneDeleted => "conflict",
            Error::Db(_) | Error::Internal(_) => "internal",
            Error::Page(inner, _) => inner.code(),
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Error::Invalid { field, .. } => Some((*field).to_owned()),
            Error::BadJson { field, .. } if !field.is_empty() => Some(field.clone()),
            Error::IdempotencyKey => Some("Idempotency-Key".to_owned()),
            Error::Format => Some("format".to_owned()),
            _ => None,
        }
    }
}

impl From<interlink_interlinker_http::NotAllowed> for Error {
    fn from(refusal: interlink_interlinker_http::NotAllowed) -> Self {
        match refusal {
            interlink_interlinker_http::NotAllowed::Denied => Error::NoAccess,
            interlink_interlinker_http::NotAllowed::Unreachable => Error::PlatformUnreachable,
        }
    }
}

impl From<interlink_interlinker_http::Unauthenticated> for Error {
    fn from(_: interlink_interlinker_http::Unauthenticated) -> Self {
        Error::Unauthenticated
    }
}

impl From<Invalid> for Error {
    fn from(invalid: Invalid) -> Self {
        Error::Invalid {
            field: invalid.field(),
            message: invalid.to_string(),
        }
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Db(e) => Error::Db(e),
            StoreError::NotFound => Error::NotFound,
            StoreError::Stale(base) => Error::Stale(base),
            StoreError::CloneDeleted => Error::CloneDeleted,
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let root = match &self {
            Error::Page(inner, _) => inner.as_ref(),
            other => other,
        };
        if let Error::Db(_) | Error::Internal(_) = root {
            tracing::error!(error = %root, "documents: internal failure");
        }
        if let Error::Page(inner, lang) = self {
            return inner.page(lang);
        }
        let status = self.status();
        let message = match &self {
            // Internal details stay in the log.
            Error::Db(_) | Error::Internal(_) => "internal error".to_owned(),
            other => other.to_string(),
        };
        let mut error = json!({ "code": self.code(), "message": message });
        if let Some(field) = self.field() {
            error["field"] = json!(field);
        }
        (status, Json(json!({ "error": error }))).into_response()
    }
}
