//! What a client sees when the platform, the network or the set-up fails (security finding 7):
//! a short text and a reference, never the raw error (host names, platform messages, ids).
//! The reference is the request id that every log line of the request carries (the module's
//! file log and the WHMCS module log), so support finds the details next to it.

use crate::features::json_api::{from_error, ApiResponse};
use crate::infra::error::Error;
use crate::infra::logging::{request_uid, FileLogger, Level};
use serde_json::{json, Value};

/// The client's text when the platform is throttling or failing for now.
pub const TEMPORARILY_UNAVAILABLE: &str =
    "The Acronis Cyber Cloud service is temporarily unavailable. Please try again in a moment.";

/// The client's text for a failure (a translatable msgid, without the reference).
pub fn short_text(e: &Error) -> &'static str {
    match e {
        Error::Transport(_) => "The Acronis Cyber Cloud service cannot be reached right now. Please try again later.",
        // Throttled or failing after the interactive retry budget (crate::platform::retry_policy): the
        // platform is busy, not the request wrong; a second try in a moment usually works.
        Error::Api(a) if a.status == 429 || a.status >= 500 => TEMPORARILY_UNAVAILABLE,
        Error::Api(_) => "The Acronis Cyber Cloud service could not complete the request. Please try again later.",
        _ => "The request could not be completed. Please contact support.",
    }
}

fn log_details(e: &Error, logger: &FileLogger, what: &str, reference: &str) {
    logger.log(
        Level::Error,
        &format!("Client area: {what} failed (reference {reference}): {e}"),
    );
}

/// Logs the details and returns the client's answer: the failure's status and error code,
/// the short text, and the reference in `details.reference` (added to the message by
/// [`with_reference`] once the text is translated).
pub fn answer(e: &Error, logger: &FileLogger, what: &str) -> ApiResponse {
    let reference = request_uid();
    log_details(e, logger, what, &reference);
    let full = from_error(e);
    let code = serde_json::from_str::<Value>(&full.body)
        .ok()
        .and_then(|b| b.pointer("/error/details/error_code").cloned());
    let mut details = json!({"reference": reference});
    if let (Some(c), Some(o)) = (code, details.as_object_mut()) {
        o.insert("error_code".into(), c);
    }
    ApiResponse::error(full.status, short_text(e), Some(details))
}

/// Appends `details.reference` to the (translated) message, so the client can quote it.
pub fn with_reference(resp: ApiResponse) -> ApiResponse {
    let Ok(mut body) = serde_json::from_str::<Value>(&resp.body) else {
        return resp;
    };
    let Some(err) = body.get_mut("error").and_then(Value::as_object_mut) else {
        return resp;
    };
    let Some(reference) = err
        .get("details")
        .and_then(|d| d.get("reference"))
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return resp;
    };
    if let Some(Value::String(m)) = err.get_mut("message") {
        *m = format!("{m} (reference {reference})");
    }
    ApiResponse {
        body: body.to_string(),
        ..resp
    }
}

/// Translates a text that may end with ` (reference …)` (see [`refusal`]): the text is
/// translated, the reference kept.
pub fn translate(t: &crate::infra::i18n::Translator, text: &str) -> String {
    match text.rsplit_once(" (reference ") {
        Some((msg, tail)) if tail.ends_with(')') => {
            format!("{} (reference {tail}", t.translate_message(msg))
        }
        _ => t.translate_message(text),
    }
}

/// A refused single sign-on's text: logged details, the client gets the short text and the
/// reference.
pub fn refusal(e: &Error, logger: &FileLogger) -> String {
    let reference = request_uid();
    log_details(e, logger, "single sign-on", &reference);
    format!("{} (reference {reference})", short_text(e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::infra::error::ApiError;

    /// Security finding 7: the raw error never reaches the client; the reference does.
    #[test]
    fn platform_and_transport_errors_become_short_texts_with_a_reference() {
        let transport = Error::transport(
            "Error connecting to the API (GET https://dc1.internal.example:8443/api/2/users/x): connection refused",
        );
        let platform = Error::Api(Box::new(ApiError {
            status: 409,
            code: Some("conflict".into()),
            message: "Version 3 of user 7c1e... in tenant root-internal is stale".into(),
            details: Some("{\"db\":\"shard-7\"}".into()),
            body: None,
            request_id: Some("platform-req-1".into()),
            call: "PUT /api/2/users/{id}".into(),
        }));
        let reference = request_uid();
        for (e, status) in [(transport, 502), (platform, 409)] {
            let r = with_reference(answer(&e, &FileLogger::disabled(), "get_details"));
            assert_eq!(r.status, status);
            for secret in [
                "dc1.internal",
                "8443",
                "stale",
                "shard-7",
                "platform-req-1",
                "users",
            ] {
                assert!(!r.body.contains(secret), "{secret} leaked: {}", r.body);
            }
            let v: Value = serde_json::from_str(&r.body).unwrap_or_default();
            let msg = v["error"]["message"].as_str().unwrap_or_default();
            assert!(msg.ends_with(&format!("(reference {reference})")), "{msg}");
            assert_eq!(v["error"]["details"]["reference"], reference.as_str());
            assert!(
                v["error"]["details"]["error_code"].is_string(),
                "{}",
                r.body
            );
        }
        let text = refusal(
            &Error::config("cannot read /etc/secret.yaml"),
            &FileLogger::disabled(),
        );
        assert!(!text.contains("secret.yaml"), "{text}");
        assert!(text.contains(&reference), "{text}");
    }

    /// A platform still throttling or failing after the interactive retry budget reads as a
    /// passing condition, for 429 and every 5xx; other platform errors keep their text.
    #[test]
    fn throttled_or_failing_platform_is_temporarily_unavailable() {
        let api = |status| {
            Error::Api(Box::new(ApiError {
                status,
                code: None,
                message: "Service unavailable".into(),
                details: None,
                body: None,
                request_id: None,
                call: "GET /api/2/users/{id}".into(),
            }))
        };
        for status in [429, 500, 502, 503, 504] {
            assert_eq!(short_text(&api(status)), TEMPORARILY_UNAVAILABLE);
        }
        assert_ne!(short_text(&api(409)), TEMPORARILY_UNAVAILABLE);
        let r = with_reference(answer(&api(503), &FileLogger::disabled(), "get_details"));
        assert_eq!(r.status, 503);
        assert!(r.body.contains("temporarily unavailable"), "{}", r.body);
        let t = crate::infra::i18n::Translator::for_locale("german");
        assert_ne!(
            t.translate_message(TEMPORARILY_UNAVAILABLE),
            TEMPORARILY_UNAVAILABLE
        );
    }

    #[test]
    fn texts_are_translated_and_keep_their_reference() {
        let t = crate::infra::i18n::Translator::for_locale("german");
        let text = format!("{} (reference abc1234)", short_text(&Error::transport("x")));
        assert_eq!(
            translate(&t, &text),
            "Der Dienst Acronis Cyber Cloud ist derzeit nicht erreichbar. Bitte versuchen Sie es später erneut. (reference abc1234)"
        );
    }
}
