//! HTTP plumbing of the admin JSON API (docs/behaviour.md §D.1): one method per action, body
//! parsing, and the error envelope `{"error": {"code", "message", "details"}}` with the J.2
//! fixes (400 for invalid JSON, 502 for transport failures, 404/400 for server lookups).

use crate::infra::error::Error;
use serde_json::{json, Map, Value};

/// An admin API request as the PHP dispatcher hands it over.
#[derive(Debug, Clone, Default)]
pub struct ApiRequest {
    pub method: String,
    pub action: String,
    /// Query parameters (`$_GET`).
    pub query: Map<String, Value>,
    pub content_type: String,
    pub body: Vec<u8>,
}

/// What the dispatcher writes back.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl ApiResponse {
    pub fn ok(v: &Value) -> ApiResponse {
        ApiResponse {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: v.to_string(),
        }
    }

    pub fn error(status: u16, message: &str, details: Option<Value>) -> ApiResponse {
        let mut e = json!({"code": status, "message": message});
        if let (Some(d), Some(obj)) = (details, e.as_object_mut()) {
            if d.as_object().is_some_and(|m| !m.is_empty()) {
                obj.insert("details".into(), d);
            }
        }
        ApiResponse {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: json!({"error": e}).to_string(),
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> ApiResponse {
        self.headers.push((name.into(), value.into()));
        self
    }
}

/// Refuses any other method than `allowed` with 405 and an `Allow` header.
pub fn require_method(req: &ApiRequest, allowed: &str) -> Result<(), ApiResponse> {
    if req.method.eq_ignore_ascii_case(allowed) {
        return Ok(());
    }
    Err(ApiResponse::error(
        405,
        &format!("Only {} requests allowed.", allowed.to_ascii_uppercase()),
        Some(json!({"Allow": [allowed.to_ascii_uppercase()]})),
    )
    .with_header("Allow", &allowed.to_ascii_uppercase()))
}

/// Request body: JSON for `application/json`, form fields for urlencoded forms (multipart
/// arrives already parsed as `$_POST` and is passed as urlencoded by the dispatcher); anything
/// else is 415.
pub fn parse_body(req: &ApiRequest) -> Result<Value, ApiResponse> {
    let ct = req.content_type.to_ascii_lowercase();
    if req.body.iter().all(u8::is_ascii_whitespace) && ct.is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    if ct.contains("application/json") {
        return serde_json::from_slice(&req.body).map_err(|e| {
            ApiResponse::error(400, &format!("Invalid JSON in the request body: {e}"), None)
        });
    }
    if ct.contains("application/x-www-form-urlencoded") || ct.contains("multipart/form-data") {
        let map: Map<String, Value> = url::form_urlencoded::parse(&req.body)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect();
        return Ok(Value::Object(map));
    }
    Err(ApiResponse::error(
        415,
        "Cannot access body of request.",
        None,
    ))
}

/// The reference's error codes for platform failures (§D.1).
fn api_error_code(status: u16) -> &'static str {
    match status {
        500..=599 => "api_internal_server_error",
        401 => "api_unauthorized",
        403 => "api_forbidden",
        404 => "api_not_found",
        409 => "api_conflict",
        _ => "api_bad_request",
    }
}

/// Maps a core error to the admin API envelope.
pub fn from_error(err: &Error) -> ApiResponse {
    match err {
        Error::Api(e) => {
            let status = if (400..600).contains(&e.status) {
                e.status
            } else {
                502
            };
            let mut details = json!({"error_code": api_error_code(e.status)});
            if let (Some(d), Some(obj)) = (&e.details, details.as_object_mut()) {
                obj.insert(
                    "cloud_details".into(),
                    serde_json::from_str(d).unwrap_or(Value::String(d.clone())),
                );
            }
            if let (Some(r), Some(obj)) = (&e.request_id, details.as_object_mut()) {
                obj.insert("request_id".into(), Value::String(r.clone()));
            }
            ApiResponse::error(status, &e.message, Some(details))
        }
        Error::Transport(m) => ApiResponse::error(
            502,
            m,
            Some(json!({"error_code": "api_connection_problem"})),
        ),
        Error::Config(m) => ApiResponse::error(400, m, None),
        Error::Validation(m) => ApiResponse::error(422, m, None),
        Error::Internal(m) => ApiResponse::error(500, m, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::error::ApiError;

    fn req(method: &str, ct: &str, body: &str) -> ApiRequest {
        ApiRequest {
            method: method.into(),
            action: "x".into(),
            content_type: ct.into(),
            body: body.as_bytes().to_vec(),
            ..ApiRequest::default()
        }
    }

    #[test]
    fn wrong_method_is_405_with_allow() {
        let r = require_method(&req("POST", "", ""), "GET").unwrap_err();
        assert_eq!(r.status, 405);
        assert!(r.headers.contains(&("Allow".into(), "GET".into())));
        assert_eq!(
            r.body,
            r#"{"error":{"code":405,"message":"Only GET requests allowed.","details":{"Allow":["GET"]}}}"#
        );
        assert!(require_method(&req("get", "", ""), "GET").is_ok());
    }

    #[test]
    fn bodies() {
        assert_eq!(
            parse_body(&req(
                "POST",
                "application/json; charset=utf-8",
                r#"{"a":1}"#
            ))
            .unwrap(),
            json!({"a":1})
        );
        assert_eq!(
            parse_body(&req(
                "POST",
                "application/x-www-form-urlencoded",
                "a=1&b=x+y"
            ))
            .unwrap(),
            json!({"a":"1","b":"x y"})
        );
        assert_eq!(
            parse_body(&req("POST", "text/plain", "hi"))
                .unwrap_err()
                .status,
            415
        );
        let bad = parse_body(&req("POST", "application/json", "{oops")).unwrap_err();
        assert_eq!(bad.status, 400);
        assert!(bad.body.contains("Invalid JSON"));
    }

    #[test]
    fn platform_errors_keep_status_and_code() {
        let e = Error::Api(Box::new(ApiError {
            status: 409,
            code: Some("1001".into()),
            message: "Version mismatch".into(),
            details: Some(r#"{"info":"x"}"#.into()),
            body: None,
            request_id: Some("r1".into()),
            call: "PUT /x".into(),
        }));
        let r = from_error(&e);
        assert_eq!(r.status, 409);
        let v: Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["error"]["details"]["error_code"], "api_conflict");
        assert_eq!(v["error"]["details"]["cloud_details"]["info"], "x");
        assert_eq!(from_error(&Error::transport("down")).status, 502);
        assert_eq!(
            from_error(&Error::config("Please specify Password for server 1.")).status,
            400
        );
    }
}
