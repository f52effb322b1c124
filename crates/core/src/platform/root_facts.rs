//! Typed reads of the platform facts the admin area and validation need about the root tenant:
//! applications, editions, offering items, infrastructure components and locations
//! (docs/platform-calls.md–3.5). Reads go through `Connection::call_memo`, so one PHP request asks
//! for each of them at most once (docs/behaviour.md §H.2).

use crate::infra::error::{Error, Result};
use crate::platform::connection::Connection;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

/// At most this many ids per `?uuids=` lookup (platform limit).
const UUID_CHUNK: usize = 100;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Application {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Quota {
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub overage: Option<f64>,
    #[serde(default)]
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct OfferingItem {
    pub application_id: String,
    pub name: String,
    #[serde(default)]
    pub edition: Option<String>,
    pub status: i64,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub infra_id: Option<String>,
    #[serde(default)]
    pub measurement_unit: String,
    #[serde(default)]
    pub quota: Option<Quota>,
}

impl OfferingItem {
    pub fn enabled(&self) -> bool {
        self.status == 1
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Infra {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub location_id: Option<String>,
    #[serde(default)]
    pub capabilities: Vec<String>,
    #[serde(default = "yes")]
    pub platform_owned: bool,
    #[serde(default)]
    pub backend_type: Option<Value>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Location {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

#[derive(Debug, Deserialize)]
struct Items<T> {
    items: Vec<T>,
}

fn parse<T: DeserializeOwned>(v: Value, call: &str) -> Result<T> {
    crate::platform::error_answer::parse_answer(v, call)
}

fn id_list(v: Value, key: &str, call: &str) -> Result<Vec<String>> {
    #[derive(Deserialize)]
    struct Ids(std::collections::HashMap<String, Vec<String>>);
    let Ids(mut map) = parse(v, call)?;
    Ok(map.remove(key).unwrap_or_default())
}

/// Root-tenant facts, read lazily through the connection's per-request memo.
pub struct Platform<'a> {
    conn: &'a mut Connection,
}

impl<'a> Platform<'a> {
    pub fn new(conn: &'a mut Connection) -> Self {
        Platform { conn }
    }

    pub fn root_tenant_id(&mut self) -> Result<String> {
        self.conn.root_tenant_id()
    }

    /// Every application the platform knows (`GET /applications`).
    pub fn applications(&mut self) -> Result<Vec<Application>> {
        let v = self.conn.call_memo("/api/2/applications", &[])?;
        Ok(parse::<Items<Application>>(v, "GET /api/2/applications")?.items)
    }

    /// Applications enabled for the root tenant, with their types.
    pub fn root_applications(&mut self) -> Result<Vec<Application>> {
        let root = self.root_tenant_id()?;
        let v = self
            .conn
            .call_memo(&format!("/api/2/tenants/{root}/applications"), &[])?;
        let ids = id_list(v, "items", "GET /api/2/tenants/{id}/applications")?;
        Ok(self
            .applications()?
            .into_iter()
            .filter(|a| ids.contains(&a.id))
            .collect())
    }

    /// Edition names the platform offers (`GET /editions`).
    pub fn editions(&mut self) -> Result<Vec<String>> {
        let v = self.conn.call_memo("/api/2/editions", &[])?;
        id_list(v, "items", "GET /api/2/editions")
    }

    /// All offering items of the root tenant, every edition.
    pub fn root_offering_items(&mut self) -> Result<Vec<OfferingItem>> {
        let root = self.root_tenant_id()?;
        let v = self.conn.call_memo(
            &format!("/api/2/tenants/{root}/offering_items"),
            &[("edition", "*")],
        )?;
        Ok(parse::<Items<OfferingItem>>(v, "GET /api/2/tenants/{id}/offering_items")?.items)
    }

    /// Root items a child of `kind` (`customer` or `partner`) may get.
    pub fn available_for_child(&mut self, kind: &str) -> Result<Vec<OfferingItem>> {
        if kind != "customer" && kind != "partner" {
            return Err(Error::validation(format!(
                "Unknown tenant kind \"{kind}\": expected customer or partner."
            )));
        }
        let root = self.root_tenant_id()?;
        let v = self.conn.call_memo(
            &format!("/api/2/tenants/{root}/offering_items/available_for_child"),
            &[("kind", kind), ("edition", "*")],
        )?;
        Ok(parse::<Items<OfferingItem>>(
            v,
            "GET /api/2/tenants/{id}/offering_items/available_for_child",
        )?
        .items)
    }

    /// Infrastructure components available to the root tenant, with details.
    pub fn root_infras(&mut self) -> Result<Vec<Infra>> {
        self.root_objects("infra", "infras", "/api/2/infra")
    }

    /// Infrastructure components by id (`GET /infra?uuids=`, 100 per call, not memoised);
    /// ids the platform does not return are absent.
    pub fn infras_by_id(&mut self, ids: &[String]) -> Result<Vec<Infra>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(UUID_CHUNK) {
            let joined = chunk.join(",");
            let v = self.conn.call(
                crate::platform::http::Method::Get,
                "/api/2/infra",
                &[("uuids", &joined)],
                None,
            )?;
            out.extend(parse::<Items<Infra>>(v, "GET /api/2/infra")?.items);
        }
        Ok(out)
    }

    /// Locations of the root tenant, in platform order.
    pub fn root_locations(&mut self) -> Result<Vec<Location>> {
        self.root_objects("locations", "locations", "/api/2/locations")
    }

    /// Ids from `GET /tenants/{root}/<list>` (wrapped under `key`), then their details from
    /// `GET <details>?uuids=` in chunks of 100.
    fn root_objects<T: DeserializeOwned>(
        &mut self,
        list: &str,
        key: &str,
        details: &str,
    ) -> Result<Vec<T>> {
        let root = self.root_tenant_id()?;
        let v = self
            .conn
            .call_memo(&format!("/api/2/tenants/{root}/{list}"), &[])?;
        let ids = id_list(v, key, &format!("GET /api/2/tenants/{{id}}/{list}"))?;
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(UUID_CHUNK) {
            let joined = chunk.join(",");
            let v = self.conn.call_memo(details, &[("uuids", &joined)])?;
            out.extend(parse::<Items<T>>(v, &format!("GET {details}"))?.items);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn offering_item_tolerates_missing_optional_fields() {
        let items: Items<OfferingItem> = parse(
            json!({"items": [
                {"application_id": "a", "name": "pw_o365_mailboxes", "status": 0, "type": "feature", "measurement_unit": "n/a", "extra": 1},
                {"application_id": "a", "name": "pw_storage", "edition": "per_workload", "status": 1, "type": "infra",
                 "infra_id": "i", "measurement_unit": "bytes", "quota": {"value": null, "overage": null, "version": 1486479690324_i64}}
            ]}),
            "x",
        )
        .unwrap();
        assert_eq!(items.items[0].quota, None);
        assert!(!items.items[0].enabled());
        assert_eq!(
            items.items[1].quota.as_ref().unwrap().version,
            1486479690324
        );
    }

    #[test]
    fn malformed_answer_is_an_api_error() {
        let e = parse::<Items<Location>>(json!({"items": [{"name": 3}]}), "GET /api/2/locations")
            .unwrap_err();
        assert!(e
            .to_string()
            .contains("Unexpected answer from the platform to GET /api/2/locations"));
    }

    #[test]
    fn id_lists_by_key() {
        assert_eq!(
            id_list(json!({"infras": ["a", "b"]}), "infras", "x").unwrap(),
            vec!["a", "b"]
        );
        assert!(id_list(json!({"other": []}), "infras", "x")
            .unwrap()
            .is_empty());
    }
}
