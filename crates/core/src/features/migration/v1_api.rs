//! The legacy v1 reads a module-v1 migration needs (docs/platform-calls.md): which tenant a v1
//! group id is, and which user a v1 admin/user id is.

use crate::infra::error::{Error, Result};
use crate::platform::connection::Connection;
use crate::platform::http::Method;
use serde_json::Value;

/// v1 group kind code of partners (resellers); everything else is treated as a customer.
pub const KIND_PARTNER: i64 = 31;

/// A v1 group as the migration needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub uuid: String,
    pub kind: i64,
}

/// A v1 admin or user as the migration needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub uuid: String,
    pub login: String,
}

fn id_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn group_of(v: &Value) -> Option<Group> {
    Some(Group {
        id: id_text(v.get("id").unwrap_or(&Value::Null)),
        uuid: v.get("uuid")?.as_str()?.to_string(),
        kind: v.get("kind").and_then(Value::as_i64).unwrap_or(0),
    })
}

/// The direct children of the caller's group (`GET /api/1/groups/self/children/`), read once
/// per server by the caller.
pub fn children(conn: &mut Connection) -> Result<Vec<Group>> {
    let v = conn.call(Method::Get, "/api/1/groups/self/children/", &[], None)?;
    Ok(v.get("items")
        .and_then(Value::as_array)
        .map(|items| items.iter().filter_map(group_of).collect())
        .unwrap_or_default())
}

fn not_found(e: &Error) -> bool {
    e.http_status() == Some(404)
}

fn path_id(id: &str) -> Result<&str> {
    let id = id.trim();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return Err(Error::validation(format!("Invalid v1 id \"{id}\".")));
    }
    Ok(id)
}

/// The group `id`: from `children` when listed there, else `GET /api/1/groups/{id}`.
/// `Ok(None)` when the platform does not know it.
pub fn group(conn: &mut Connection, children: &[Group], id: &str) -> Result<Option<Group>> {
    let id = id.trim();
    if let Some(g) = children.iter().find(|g| g.id == id) {
        return Ok(Some(g.clone()));
    }
    let Ok(safe) = path_id(id) else {
        return Ok(None);
    };
    match conn.call(Method::Get, &format!("/api/1/groups/{safe}"), &[], None) {
        Ok(v) => Ok(group_of(&v)),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The admin (partner groups) or user (other groups) `id`; `Ok(None)` when unknown.
pub fn account(conn: &mut Connection, group: &Group, id: &str) -> Result<Option<Account>> {
    let Ok(safe) = path_id(id) else {
        return Ok(None);
    };
    let collection = if group.kind == KIND_PARTNER {
        "admins"
    } else {
        "users"
    };
    match conn.call(
        Method::Get,
        &format!("/api/1/{collection}/{safe}"),
        &[],
        None,
    ) {
        Ok(v) => Ok(Some(Account {
            uuid: v
                .get("uuid")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            login: v
                .get("login")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        })
        .filter(|a| !a.uuid.is_empty())),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}
