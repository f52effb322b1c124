//! What reconciliation asks the platform: every direct child of the server's root, read page by
//! page (`paging.cursors.after`, which newer platforms use for long lists), the tenants by id in
//! chunks of 100, and a tenant's live usage against its quotas.

use crate::infra::error::Result;
use crate::platform::connection::Connection;
use crate::platform::http::Method;
use crate::platform::tenants::Tenant;
use serde_json::Value;

/// Upper bound of child pages followed (a platform that keeps returning a cursor is not
/// followed forever).
const MAX_PAGES: usize = 10_000;
/// Ids per `GET /tenants?uuids=` call.
const IDS_PER_CALL: usize = 100;

/// Ids of every direct child of `parent`, following the paging cursor.
pub fn child_ids(conn: &mut Connection, parent: &str) -> Result<Vec<String>> {
    crate::infra::uuid::require(parent, "parent tenant id")?;
    let path = format!("/api/2/tenants/{parent}/children");
    let mut ids = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let query: Vec<(&str, &str)> = after.as_deref().map(|a| ("after", a)).into_iter().collect();
        let v = conn.call(Method::Get, &path, &query, None)?;
        ids.extend(
            v.get("items")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|x| x.as_str().map(str::to_string)),
        );
        after = v
            .pointer("/paging/cursors/after")
            .and_then(Value::as_str)
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        if after.is_none() {
            break;
        }
    }
    Ok(ids)
}

/// The tenants of `ids` (ids the platform does not return are absent).
pub fn tenants_by_id(conn: &mut Connection, ids: &[String]) -> Result<Vec<Tenant>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(IDS_PER_CALL) {
        let joined = chunk.join(",");
        let v = conn.call(Method::Get, "/api/2/tenants", &[("uuids", &joined)], None)?;
        for item in v
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.push(crate::platform::error_answer::parse_answer(
                item.clone(),
                "GET /api/2/tenants",
            )?);
        }
    }
    Ok(out)
}

/// An offering item whose usage is above its quota.
#[derive(Debug, Clone, PartialEq)]
pub struct OverQuota {
    pub item: String,
    pub usage: f64,
    pub quota: f64,
    pub unit: String,
}

/// Items of `GET /tenants/{id}/usages` used beyond their quota (enabled items with a quota;
/// null = unlimited).
pub fn over_quota(conn: &mut Connection, tenant_id: &str) -> Result<Vec<OverQuota>> {
    crate::infra::uuid::require(tenant_id, "tenant id")?;
    let v = conn.call(
        Method::Get,
        &format!("/api/2/tenants/{tenant_id}/usages"),
        &[],
        None,
    )?;
    Ok(over_quota_of(&v))
}

/// The pure part of [`over_quota`].
pub fn over_quota_of(v: &Value) -> Vec<OverQuota> {
    v.get("items")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|row| {
            let oi = row.get("offering_item")?;
            if oi.get("status").and_then(Value::as_i64).unwrap_or(0) == 0 {
                return None;
            }
            let quota = oi.pointer("/quota/value").and_then(Value::as_f64)?;
            let usage = row.get("value").and_then(Value::as_f64)?;
            (usage > quota).then(|| OverQuota {
                item: row
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                usage,
                quota,
                unit: row
                    .get("measurement_unit")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            })
        })
        .collect()
}
