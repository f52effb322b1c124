//! Current usage per tenant (docs/platform-calls.md, "Calls").

use super::{uuid_list, Ctx};
use crate::errors::ApiResult;
use crate::http::Response;
use crate::state::num;
use serde_json::{json, Value};

/// Usage rows for the items enabled in a tenant, with the item's status/quota mirrored.
pub fn usage_rows(ctx: &Ctx, tid: &str) -> Vec<Value> {
    let Some(t) = ctx.st.tenants.get(tid) else {
        return Vec::new();
    };
    let range_start = crate::clock::month_start(ctx.now);
    let mut keys: Vec<_> = t.items.iter().filter(|(_, s)| s.status == 1).collect();
    keys.sort_by(|a, b| a.0.cmp(b.0));
    keys.into_iter()
        .filter_map(|(k, s)| {
            let def = ctx.st.catalog.item(&k.0)?;
            let u = t.usage.get(k).copied().unwrap_or_default();
            let mut row = json!({
                "application_id": def.app_id, "name": def.name, "edition": def.edition, "usage_name": def.usage_name,
                "type": def.item_type.as_str(), "measurement_unit": def.unit, "range_start": range_start,
                "absolute_value": num(Some(u.absolute)), "value": num(Some(u.absolute)), "tenant_id": tid,
                "offering_item": {"status": s.status, "quota": {"value": num(s.quota.value), "overage": num(s.quota.overage), "version": s.quota.version}},
            });
            if !k.1.is_empty() {
                row["infra_id"] = json!(k.1);
            }
            Some(row)
        })
        .collect()
}

pub fn tenant_usages(ctx: &mut Ctx) -> ApiResult<Response> {
    let (_, tid) = ctx.path_tenant()?;
    Ok(Response::json(
        200,
        &json!({"items": usage_rows(ctx, &tid)}),
    ))
}

pub fn batch(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let ids = uuid_list(ctx.query("tenants"), "tenants")?;
    let items: Vec<Value> = ids
        .iter()
        .filter(|id| ctx.check_tenant(&auth, id).is_ok())
        .map(|id| json!({"tenant": id, "usages": usage_rows(ctx, id)}))
        .collect();
    Ok(Response::json(200, &json!({"items": items})))
}
