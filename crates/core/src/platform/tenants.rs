//! Tenant operations of provisioning (docs/platform-calls.md, docs/behaviour.md §B.1, §B.11),
//! written to be safe to repeat: a re-run after any failure converges instead of failing or
//! duplicating (enable/disable only when needed, delete tolerates "already gone", one retry
//! on a version conflict with a fresh read).

use crate::infra::error::{Error, Result};
use crate::platform::connection::Connection;
use crate::platform::http::Method;
use crate::platform::root_facts::OfferingItem;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Tenant {
    pub id: String,
    pub version: i64,
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    pub enabled: bool,
    #[serde(default)]
    pub customer_id: Option<String>,
    #[serde(default)]
    pub internal_tag: Option<String>,
    #[serde(default)]
    pub ancestral_access: Option<bool>,
    #[serde(default)]
    pub language: Option<String>,
}

/// Contact of a tenant or user (all ten fields are always sent; "" when unknown).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Contact {
    pub email: String,
    pub firstname: String,
    pub lastname: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub zipcode: String,
    pub country: String,
    pub phone: String,
}

/// What `POST /tenants` needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTenant {
    pub name: String,
    pub kind: String,
    pub parent_id: String,
    pub customer_id: String,
    pub contact: Contact,
    pub language: String,
    /// Enhanced security mode (customers only). Sent only when on, as
    /// `"settings": {"enhanced_security": true}` — the shape of Acronis's tenant-creation
    /// scenarios (docs/platform-calls.md); leaving it out keeps the platform's default (off).
    pub enhanced_security: bool,
}

fn parse_tenant(v: Value, call: &str) -> Result<Tenant> {
    crate::platform::error_answer::parse_answer(v, call)
}

fn is_status(e: &Error, status: u16) -> bool {
    e.http_status() == Some(status)
}

/// The tenant, or `None` when it does not exist (any more).
pub fn get(conn: &mut Connection, id: &str) -> Result<Option<Tenant>> {
    crate::infra::uuid::require(id, "tenant id")?;
    match conn.call(Method::Get, &format!("/api/2/tenants/{id}"), &[], None) {
        Ok(v) => parse_tenant(v, "GET /api/2/tenants/{id}").map(Some),
        Err(e) if is_status(&e, 404) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Creates a tenant. Not retried by the transport (a POST may have been applied): callers
/// resume with [`find_child`] first.
pub fn create(conn: &mut Connection, t: &NewTenant) -> Result<Tenant> {
    crate::infra::uuid::require(&t.parent_id, "parent tenant id")?;
    if t.contact.email.trim().is_empty() {
        return Err(Error::validation(crate::platform::messages::EMAIL_REQUIRED));
    }
    let mut body = json!({
        "kind": t.kind,
        "parent_id": t.parent_id,
        "customer_id": t.customer_id,
        "name": t.name,
        "contact": t.contact,
        "language": t.language,
    });
    if t.enhanced_security {
        if let Some(obj) = body.as_object_mut() {
            obj.insert("settings".into(), json!({"enhanced_security": true}));
        }
    }
    let v = conn.call(Method::Post, "/api/2/tenants", &[], Some(body))?;
    parse_tenant(v, "POST /api/2/tenants")
}

/// A direct child of `parent` named `name` (exact match), for resuming an interrupted create.
pub fn find_child(conn: &mut Connection, parent: &str, name: &str) -> Result<Option<Tenant>> {
    Ok(children(conn, parent)?.into_iter().find(|t| t.name == name))
}

/// Every direct child of `parent` (`GET /tenants/{id}/children`, then `GET /tenants?uuids=` in
/// chunks of 100).
pub fn children(conn: &mut Connection, parent: &str) -> Result<Vec<Tenant>> {
    let v = sub_resource(conn, parent, "parent tenant id", "children")?;
    let ids: Vec<String> = v
        .get("items")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(100) {
        let joined = chunk.join(",");
        let v = conn.call(Method::Get, "/api/2/tenants", &[("uuids", &joined)], None)?;
        let items = v
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for item in items {
            out.push(parse_tenant(item, "GET /api/2/tenants")?);
        }
    }
    Ok(out)
}

/// `GET /tenants/{id}/{resource}`; the id goes into the path, so it must be a UUID (`label`
/// names it in the error).
pub fn sub_resource(
    conn: &mut Connection,
    tenant_id: &str,
    label: &str,
    resource: &str,
) -> Result<Value> {
    crate::infra::uuid::require(tenant_id, label)?;
    conn.call(
        Method::Get,
        &format!("/api/2/tenants/{tenant_id}/{resource}"),
        &[],
        None,
    )
}

/// Application ids bound to a tenant (not cached: provisioning binds more as it goes); an
/// answer without `items` counts as none bound.
pub fn bound_applications(conn: &mut Connection, tenant_id: &str) -> Result<Vec<String>> {
    let v = conn.call(
        Method::Get,
        &format!("/api/2/tenants/{tenant_id}/applications"),
        &[],
        None,
    )?;
    Ok(v.get("items")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

/// Offering items of a tenant, every edition (not cached).
pub fn offering_items(conn: &mut Connection, tenant_id: &str) -> Result<Vec<OfferingItem>> {
    let v = conn.call(
        Method::Get,
        &format!("/api/2/tenants/{tenant_id}/offering_items"),
        &[("edition", "*")],
        None,
    )?;
    #[derive(Deserialize)]
    struct Items {
        items: Vec<OfferingItem>,
    }
    let parsed: Items =
        crate::platform::error_answer::parse_answer(v, "GET /api/2/tenants/{id}/offering_items")?;
    Ok(parsed.items)
}

/// PUT `fields` with the version of `current` (a fresh read); on a version conflict, read
/// again and retry once.
pub fn update(conn: &mut Connection, current: &Tenant, fields: Value) -> Result<Tenant> {
    let id = current.id.as_str();
    let mut version = current.version;
    for attempt in 0..2 {
        let mut body = fields.clone();
        if let Some(obj) = body.as_object_mut() {
            obj.insert("version".into(), json!(version));
        }
        match conn.call(
            Method::Put,
            &format!("/api/2/tenants/{id}"),
            &[],
            Some(body),
        ) {
            Err(e) if is_status(&e, 409) && attempt == 0 => {
                version = get(conn, id)?.ok_or_else(|| not_found(conn, id))?.version;
            }
            Ok(v) => return parse_tenant(v, "PUT /api/2/tenants/{id}"),
            Err(e) => return Err(e),
        }
    }
    Err(Error::internal("tenant update retry exhausted"))
}

/// T1 (docs/behaviour.md §A.4), naming the connection's server.
pub fn not_found(conn: &Connection, id: &str) -> Error {
    let server = conn
        .settings()
        .id
        .map_or_else(|| conn.settings().label(), |s| s.to_string());
    Error::validation(crate::platform::messages::tenant_not_found(id, &server))
}

/// Suspend (`false`) or unsuspend (`true`); nothing is sent when it already is so.
pub fn set_enabled(conn: &mut Connection, id: &str, enabled: bool) -> Result<Tenant> {
    let current = get(conn, id)?.ok_or_else(|| not_found(conn, id))?;
    set_enabled_from(conn, current, enabled)
}

/// [`set_enabled`] for a tenant just read.
pub fn set_enabled_from(conn: &mut Connection, current: Tenant, enabled: bool) -> Result<Tenant> {
    if current.enabled == enabled {
        return Ok(current);
    }
    update(conn, &current, json!({"enabled": enabled}))
}

/// Terminate: disable, then delete with the version of the disabling answer. A tenant that
/// is already gone counts as deleted (re-running a terminate is success).
pub fn delete(conn: &mut Connection, id: &str) -> Result<()> {
    let Some(current) = get(conn, id)? else {
        return Ok(());
    };
    delete_from(conn, current)
}

/// [`delete`] for a tenant just read.
pub fn delete_from(conn: &mut Connection, current: Tenant) -> Result<()> {
    let id = current.id.clone();
    let id = id.as_str();
    let disabled = set_enabled_from(conn, current, false)?;
    let version = disabled.version.to_string();
    match conn.call(
        Method::Delete,
        &format!("/api/2/tenants/{id}"),
        &[("version", &version)],
        None,
    ) {
        Ok(_) => Ok(()),
        Err(e) if is_status(&e, 404) => Ok(()),
        Err(e) if is_status(&e, 409) => {
            // Changed behind our back: read the fresh version and try once more.
            match get(conn, id)? {
                None => Ok(()),
                Some(t) => conn
                    .call(
                        Method::Delete,
                        &format!("/api/2/tenants/{id}"),
                        &[("version", &t.version.to_string())],
                        None,
                    )
                    .map(|_| ()),
            }
        }
        Err(e) => Err(e),
    }
}
