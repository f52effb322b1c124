//! Localisation of an error envelope: both JSON APIs answer in the caller's language.

use super::envelope::ApiResponse;
use crate::infra::i18n::Translator;

/// Translates an error envelope's `message` and `details.errors` (the rules stay English).
pub fn localize(resp: ApiResponse, t: &Translator) -> ApiResponse {
    if resp.status < 400 || t.is_english() {
        return resp;
    }
    let Ok(mut body) = serde_json::from_str::<serde_json::Value>(&resp.body) else {
        return resp;
    };
    let Some(err) = body.get_mut("error").and_then(|e| e.as_object_mut()) else {
        return resp;
    };
    if let Some(serde_json::Value::String(m)) = err.get_mut("message") {
        *m = t.translate_message(m);
    }
    if let Some(fields) = err
        .get_mut("details")
        .and_then(|d| d.get_mut("errors"))
        .and_then(|e| e.as_object_mut())
    {
        for v in fields.values_mut() {
            let list: Vec<&mut serde_json::Value> = match v {
                serde_json::Value::Array(a) => a.iter_mut().collect(),
                other => vec![other],
            };
            for item in list {
                if let serde_json::Value::String(m) = item {
                    *m = t.translate_message(m);
                }
            }
        }
    }
    ApiResponse {
        body: body.to_string(),
        ..resp
    }
}
