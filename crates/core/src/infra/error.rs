//! One error type for the whole core. The binding layer maps each variant to a PHP
//! exception class, so the variants follow what an admin has to do about the error.

use std::fmt;

/// Runs one item of a batch (a server of the usage run, a service of the quota notices, a
/// server of the reconciliation) so that a panic in it becomes `None` for that item instead
/// of ending the whole batch: one customer's failure never stops the others. The caller
/// records the item as failed with a fixed text (a panic message may quote a request, so it
/// is never shown). The binding's `guard` does the same at the PHP boundary.
pub fn isolated<T>(f: impl FnOnce() -> T) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
}

/// An error answered by the Acronis platform (API envelope or IdP body).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status of the answer.
    pub status: u16,
    /// Platform error code (`error.code`, or the IdP `error` string), when one was sent.
    pub code: Option<String>,
    /// Human-readable text shown to the admin (IdP `error_description`, else `error.message`).
    pub message: String,
    /// `error.details` of the envelope, JSON-encoded, when present.
    pub details: Option<String>,
    /// The whole decoded JSON answer, re-encoded, when the body was JSON (the WHMCS module
    /// result shows it when there are no `details`, docs/behaviour.md §A.4).
    pub body: Option<String>,
    /// Request id sent by the platform (`X-Request-Id` header or envelope context).
    pub request_id: Option<String>,
    /// Method and path of the failed call (never the query string, which may carry a login).
    pub call: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// The module configuration (config.yaml, server record) is wrong.
    Config(String),
    /// Caller input failed validation.
    Validation(String),
    /// The platform answered with an error.
    Api(Box<ApiError>),
    /// No usable answer: DNS, refused, reset, TLS, timeout, unparsable body.
    Transport(String),
    /// A bug on our side (including a caught panic).
    Internal(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Config(m) | Error::Validation(m) | Error::Transport(m) | Error::Internal(m) => {
                f.write_str(m)
            }
            Error::Api(e) => f.write_str(&e.message),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    pub fn config(msg: impl Into<String>) -> Self {
        Error::Config(msg.into())
    }
    pub fn validation(msg: impl Into<String>) -> Self {
        Error::Validation(msg.into())
    }
    pub fn transport(msg: impl Into<String>) -> Self {
        Error::Transport(msg.into())
    }
    pub fn internal(msg: impl Into<String>) -> Self {
        Error::Internal(msg.into())
    }
    /// HTTP status when the platform answered, else `None`.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }
}
