//! Template CRUD of the admin API (docs/behaviour.md §D.3) over a `TemplateStorage`, with
//! platform facts read from the template's server for validation.

use crate::features::json_api::envelope::{parse_body, ApiRequest, ApiResponse};
use crate::features::templates::{
    self, PlatformFacts, RootOfferingItem, TemplateError, TemplateStorage, TenantKind,
};
use crate::platform::connection::Connection;
use crate::platform::root_facts::Platform;
use serde_json::{json, Value};

/// `template_id` query parameter: absent/empty → 400, not a positive integer → 422.
pub fn template_id(req: &ApiRequest) -> Result<i64, ApiResponse> {
    let raw = req.query.get("template_id");
    let text = match raw {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let error = |status| {
        ApiResponse::error(
            status,
            "The id field is required and must be a positive number.",
            Some(json!({"request_params": {"template_id": raw.cloned().unwrap_or(Value::Null)}})),
        )
    };
    if text.is_empty() {
        return Err(error(400));
    }
    match text.parse::<i64>() {
        Ok(id) if id >= 1 => Ok(id),
        _ => Err(error(422)),
    }
}

/// The §D.1 envelope of a template failure.
pub fn error(e: &TemplateError) -> ApiResponse {
    match e {
        TemplateError::Other(inner) => crate::features::json_api::envelope::from_error(inner),
        other => ApiResponse::error(other.http_status(), &other.message(), other.details()),
    }
}

fn root_items(list: Vec<crate::platform::root_facts::OfferingItem>) -> Vec<RootOfferingItem> {
    list.into_iter()
        .map(|i| RootOfferingItem {
            name: i.name,
            infra_id: i.infra_id,
            edition: i.edition,
            status: i.status,
        })
        .collect()
}

/// Reads everything validation may need from the server, once.
pub fn platform_facts(conn: &mut Connection) -> crate::Result<PlatformFacts> {
    let display_name = {
        let s = conn.settings();
        if s.name.is_empty() {
            s.host.clone()
        } else {
            s.name.clone()
        }
    };
    let mut p = Platform::new(conn);
    Ok(PlatformFacts {
        enabled_application_types: p.root_applications()?.into_iter().map(|a| a.kind).collect(),
        root_offering_items: root_items(p.root_offering_items()?),
        root_infra_ids: p.root_infras()?.into_iter().map(|i| i.id).collect(),
        available_for_customer: Some(root_items(p.available_for_child("customer")?)),
        available_for_partner: Some(root_items(p.available_for_child("partner")?)),
        display_name,
    })
}

pub fn list(store: &dyn TemplateStorage) -> ApiResponse {
    match store.list() {
        Ok(list) => ApiResponse::ok(&json!(list)),
        Err(e) => error(&e),
    }
}

/// `get_template`: the template, or JSON `null` when unknown (L53).
pub fn get(store: &dyn TemplateStorage, req: &ApiRequest) -> Result<ApiResponse, ApiResponse> {
    let id = template_id(req)?;
    match store.get(id) {
        Ok(t) => Ok(ApiResponse::ok(&json!(t))),
        Err(e) => Err(error(&e)),
    }
}

/// Server id named by a body (`server_id`), for choosing the connection.
pub fn body_server_id(body: &Value) -> Option<i64> {
    match body.get("server_id")? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|i| *i >= 1)
}

/// Fails validation cleanly when the body's server cannot be used.
pub fn server_unusable(message: &str) -> ApiResponse {
    error(&TemplateError::Invalid({
        let mut e = templates::ValidationErrors::default();
        e.add("server_id", message);
        e
    }))
}

/// `create_template`: `{id}`.
pub fn create(store: &dyn TemplateStorage, facts: &PlatformFacts, body: &Value) -> ApiResponse {
    match templates::create_template(store, facts, body) {
        Ok(id) => ApiResponse::ok(&json!({"id": id})),
        Err(e) => error(&e),
    }
}

/// `update_template`: the stored template (fresh, J.2 #15).
pub fn update(
    store: &dyn TemplateStorage,
    facts: &PlatformFacts,
    id: i64,
    body: &Value,
    stored_server_exists: bool,
) -> ApiResponse {
    match templates::update_template(store, facts, id, body, stored_server_exists) {
        Ok(t) => ApiResponse::ok(&json!(t)),
        Err(e) => error(&e),
    }
}

/// `delete_template`: `{success: true}`; refused while products use it.
pub fn delete(store: &dyn TemplateStorage, id: i64, products_using: &[String]) -> ApiResponse {
    match templates::delete_template(store, id, products_using) {
        Ok(()) => ApiResponse::ok(&json!({"success": true})),
        Err(e) => error(&e),
    }
}

/// `copy_template`: body `{name}` → `{id}`.
pub fn copy(store: &dyn TemplateStorage, req: &ApiRequest) -> Result<ApiResponse, ApiResponse> {
    let id = template_id(req)?;
    let body = parse_body(req)?;
    let name = body.get("name").and_then(Value::as_str).unwrap_or("");
    match templates::copy_template(store, id, name) {
        Ok(new_id) => Ok(ApiResponse::ok(&json!({"id": new_id}))),
        Err(e) => Err(error(&e)),
    }
}

/// Tenant kind of a stored template, for callers that need it.
pub fn kind_name(k: TenantKind) -> &'static str {
    match k {
        TenantKind::Customer => "customer",
        TenantKind::Partner => "partner",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(q: Value) -> ApiRequest {
        ApiRequest {
            method: "GET".into(),
            action: "get_template".into(),
            query: q.as_object().cloned().unwrap_or_default(),
            ..ApiRequest::default()
        }
    }

    #[test]
    fn l53_template_id_parsing() {
        assert_eq!(template_id(&req(json!({"template_id": "7"}))).unwrap(), 7);
        let absent = template_id(&req(json!({}))).unwrap_err();
        assert_eq!(absent.status, 400);
        assert!(absent
            .body
            .contains("The id field is required and must be a positive number."));
        assert_eq!(
            template_id(&req(json!({"template_id": "abc"})))
                .unwrap_err()
                .status,
            422
        );
        assert_eq!(
            template_id(&req(json!({"template_id": ""})))
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            template_id(&req(json!({"template_id": "-1"})))
                .unwrap_err()
                .status,
            422
        );
    }
}
