//! Server-scoped wizard data sources that need no catalog: `list_servers` and `get_locations`
//! (docs/behaviour.md §D.2).

use crate::features::json_api::envelope::ApiResponse;
use crate::platform::connection::Connection;
use crate::platform::root_facts::Platform;
use crate::Result;
use serde::Deserialize;
use serde_json::{json, Value};

/// A WHMCS server row of type `acroniscloud` as the dispatcher lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct ServerSummary {
    pub id: i64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub hostname: String,
    #[serde(default)]
    pub disabled: i64,
}

/// `list_servers`: `[{id, name, hostname, status}]`, disabled servers `inactive`.
pub fn list_servers(servers: &[ServerSummary]) -> Value {
    Value::Array(
        servers
            .iter()
            .map(|s| {
                json!({
                    "id": s.id,
                    "name": s.name,
                    "hostname": s.hostname,
                    "status": if s.disabled != 0 { "inactive" } else { "active" },
                })
            })
            .collect(),
    )
}

/// `server_id` query parameter: present and a positive integer, else 400 (§D.2).
pub fn server_id(raw: Option<&Value>) -> std::result::Result<i64, ApiResponse> {
    let text = match raw {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    match text.parse::<i64>() {
        Ok(id) if id >= 1 => Ok(id),
        _ => Err(ApiResponse::error(
            400,
            "Server ID must be present.",
            Some(json!({
                "request_params": {"server_id": raw.cloned().unwrap_or(Value::Null)},
                "error_code": "service_template_no_server_id",
            })),
        )),
    }
}

/// Unknown server id: 404 (the reference used the validation flag 1 as HTTP status).
pub fn unknown_server(id: i64) -> ApiResponse {
    ApiResponse::error(
        404,
        &format!("Could not find server with id \"{id}\"."),
        Some(json!({"error_code": "server_not_found"})),
    )
}

/// `get_locations`: root locations in platform order with their infrastructure components.
pub fn get_locations(conn: &mut Connection) -> Result<Value> {
    let mut p = Platform::new(conn);
    let infras = p.root_infras()?;
    let locations = p.root_locations()?;
    Ok(Value::Array(
        locations
            .iter()
            .map(|l| {
                let own: Vec<Value> = infras
                    .iter()
                    .filter(|i| i.location_id.as_deref() == Some(l.id.as_str()))
                    .map(|i| json!({"infra_id": i.id, "name": i.name, "capabilities": i.capabilities}))
                    .collect();
                json!({"location_id": l.id, "name": l.name, "infras": own})
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn servers_are_listed_with_status() {
        let v = list_servers(&[
            ServerSummary {
                id: 1,
                name: "EU".into(),
                hostname: "h".into(),
                disabled: 0,
            },
            ServerSummary {
                id: 2,
                name: "Old".into(),
                hostname: "o".into(),
                disabled: 1,
            },
        ]);
        assert_eq!(v[0]["status"], "active");
        assert_eq!(v[1]["status"], "inactive");
        assert_eq!(v[1]["id"], 2);
    }

    #[test]
    fn server_id_rules() {
        assert_eq!(server_id(Some(&json!("3"))).unwrap(), 3);
        for bad in [
            None,
            Some(json!("")),
            Some(json!("x")),
            Some(json!("0")),
            Some(json!(-2)),
        ] {
            let r = server_id(bad.as_ref()).unwrap_err();
            assert_eq!(r.status, 400);
            assert!(r.body.contains("Server ID must be present."));
            assert!(r.body.contains("service_template_no_server_id"));
        }
    }
}
