//! Platform error bodies: the API envelope and the flat OAuth body of the IdP
//! (docs/simulator.md, "Error envelope" and "Token endpoint errors").

use serde_json::{json, Value};

/// An API error that a handler returns; rendered as the error envelope.
/// Boxed body keeps `Result<_, ApiError>` small on the happy path.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    body: Box<ErrorBody>,
}

#[derive(Debug, Clone)]
struct ErrorBody {
    code: Value,
    message: String,
    info: String,
    context: Value,
}

impl ApiError {
    pub fn new(status: u16, code: i64, message: &str, info: impl Into<String>) -> Self {
        let body = ErrorBody {
            code: json!(code),
            message: message.to_string(),
            info: info.into(),
            context: json!({}),
        };
        ApiError {
            status,
            body: Box::new(body),
        }
    }
    pub fn with_ctx(mut self, ctx: Value) -> Self {
        self.body.context = ctx;
        self
    }
    pub fn bad_request(info: impl Into<String>) -> Self {
        Self::new(400, 400, "Bad request", info)
    }
    pub fn business(code: i64, message: &str, info: impl Into<String>) -> Self {
        Self::new(400, code, message, info)
    }
    pub fn not_found(info: impl Into<String>) -> Self {
        Self::new(404, 404, "Not found", info)
    }
    pub fn tenant_not_found(id: &str) -> Self {
        Self::new(
            404,
            1005,
            "Tenant not found",
            format!("Tenant {id} does not exist"),
        )
        .with_ctx(json!({"id": id}))
    }
    pub fn forbidden(info: impl Into<String>) -> Self {
        Self::new(403, 1002, "Access denied", info)
    }
    pub fn unauthorized(info: impl Into<String>) -> Self {
        Self::new(401, 401, "Unauthorized", info)
    }
    pub fn version_mismatch(id: &str) -> Self {
        Self::new(
            409,
            1001,
            "Version mismatch",
            "The version of the object does not match the supplied version",
        )
        .with_ctx(json!({"id": id}))
    }
    pub fn unsupported_media(info: impl Into<String>) -> Self {
        Self::new(415, 415, "Unsupported media type", info)
    }
    pub fn method_not_allowed() -> Self {
        Self::new(
            405,
            405,
            "Method not allowed",
            "This method is not supported for the resource",
        )
    }
    pub fn internal(info: impl Into<String>) -> Self {
        Self::new(500, 1000, "Internal system error", info)
    }

    pub fn envelope(&self, request_id: &str) -> Value {
        let mut ctx = match &self.body.context {
            Value::Object(m) => m.clone(),
            _ => serde_json::Map::new(),
        };
        ctx.insert("request_id".into(), json!(request_id));
        json!({"error": {
            "code": self.body.code,
            "message": self.body.message,
            "domain": "PlatformAccountServer",
            "context": ctx,
            "details": {"info": self.body.info},
            "data": []
        }})
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Flat OAuth error body used by `/api/2/idp/token` (docs/simulator.md, "Token endpoint errors").
pub fn oauth_error(error: &str, description: &str, reason: &str) -> Value {
    json!({"error": error, "error_description": description, "domain": "Access", "reason": reason})
}
