//! Turns a platform error answer into an `ApiError` (docs/platform-calls.md): the API envelope,
//! the IdP's flat body, or a gateway's HTML/text.

use crate::infra::error::ApiError;
use crate::infra::masking::mask_text;
use crate::platform::http::Response;
use serde_json::{Map, Value};

fn code_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn request_id(resp: &Response, body: Option<&Value>) -> Option<String> {
    for h in [
        "X-Request-Id",
        "X-Request-ID",
        "X-Acronis-Request-Id",
        "X-Correlation-Id",
    ] {
        if let Some(v) = resp.header(h).filter(|v| !v.is_empty()) {
            return Some(v.to_string());
        }
    }
    let ctx = body?.get("error")?.get("context")?;
    ["request_id", "requestId", "trace_id"]
        .iter()
        .find_map(|k| ctx.get(*k).and_then(Value::as_str).map(str::to_string))
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Error",
    }
}

/// A 2xx answer the module cannot use (missing field, wrong shape, not JSON).
pub fn unexpected(call: &str, what: &str) -> crate::infra::error::Error {
    crate::infra::error::Error::Api(Box::new(ApiError {
        status: 200,
        code: None,
        message: format!("Unexpected answer from the platform to {call}: {what}."),
        details: None,
        body: None,
        request_id: None,
        call: call.to_string(),
    }))
}

/// Reads a 2xx answer into `T`, or [`unexpected`].
pub fn parse_answer<T: serde::de::DeserializeOwned>(
    v: Value,
    call: &str,
) -> crate::infra::error::Result<T> {
    serde_json::from_value(v).map_err(|e| unexpected(call, &e.to_string()))
}

/// Builds the error for a non-2xx answer to `call` (e.g. `GET /api/2/versions`).
pub fn from_response(resp: &Response, call: &str) -> ApiError {
    let parsed: Option<Value> = serde_json::from_slice(&resp.body).ok();
    let rid = request_id(resp, parsed.as_ref());
    let mut err = ApiError {
        status: resp.status,
        code: None,
        message: String::new(),
        details: None,
        body: parsed.as_ref().map(Value::to_string),
        request_id: rid,
        call: call.to_string(),
    };
    match parsed.as_ref().and_then(|v| v.get("error")) {
        // IdP flat body: {"error": "invalid_client", "error_description": "..."}
        Some(Value::String(code)) => {
            err.code = Some(code.clone());
            err.message = parsed
                .as_ref()
                .and_then(|v| v.get("error_description"))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .unwrap_or(code)
                .to_string();
        }
        // API envelope: {"error": {"code", "message", "details", ...}}
        Some(Value::Object(e)) => {
            err.code = e.get("code").and_then(code_string);
            let details = e.get("details").filter(|d| !d.is_null());
            err.details = details.map(Value::to_string);
            err.message =
                envelope_message(e, details).unwrap_or_else(|| fallback_message(resp, call));
        }
        _ => err.message = fallback_message(resp, call),
    }
    err.message = mask_text(&err.message);
    err
}

/// The envelope's `message`, with `details.info` when it says more.
fn envelope_message(e: &Map<String, Value>, details: Option<&Value>) -> Option<String> {
    let msg = e
        .get("message")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let info = details
        .and_then(|d| d.get("info"))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    match (msg, info) {
        (Some(m), Some(i)) if m != i => Some(format!("{m}: {i}")),
        (Some(m), _) => Some(m),
        (None, Some(i)) => Some(i.to_string()),
        (None, None) => None,
    }
}

/// An answer without a usable error: the status, and the start of a body that is not HTML.
fn fallback_message(resp: &Response, call: &str) -> String {
    let text = resp.text();
    let snippet: String = text.trim().chars().take(200).collect();
    let mut m = format!(
        "Error connecting to the API ({call}): HTTP {} {}",
        resp.status,
        reason(resp.status)
    );
    if !snippet.is_empty() && !snippet.starts_with('<') {
        m.push_str(": ");
        m.push_str(&mask_text(&snippet));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: vec![("x-request-id".into(), "req-1".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn idp_body_prefers_description() {
        let e = from_response(
            &resp(
                401,
                r#"{"error":"invalid_client","error_description":"Client authentication failed"}"#,
            ),
            "POST /api/2/idp/token",
        );
        assert_eq!(e.message, "Client authentication failed");
        assert_eq!(e.code.as_deref(), Some("invalid_client"));
        assert_eq!(e.request_id.as_deref(), Some("req-1"));
    }

    #[test]
    fn envelope_with_integer_code_and_details() {
        let e = from_response(
            &resp(
                409,
                r#"{"error":{"code":1001,"message":"Version mismatch","details":{"info":"stale"}}}"#,
            ),
            "PUT /api/2/tenants/x",
        );
        assert_eq!(e.code.as_deref(), Some("1001"));
        assert_eq!(e.message, "Version mismatch: stale");
        assert_eq!(e.details.as_deref(), Some(r#"{"info":"stale"}"#));
    }

    #[test]
    fn html_gateway_page() {
        let e = from_response(
            &resp(502, "<html><body>Bad gateway</body></html>"),
            "GET /api/2/versions",
        );
        assert_eq!(
            e.message,
            "Error connecting to the API (GET /api/2/versions): HTTP 502 Bad Gateway"
        );
        assert_eq!(e.code, None);
    }

    #[test]
    fn empty_body() {
        let e = from_response(&resp(503, ""), "GET /x");
        assert!(e.message.contains("HTTP 503 Service Unavailable"));
    }
}
