//! Offering items and quotas (§3.4): listings with edition filter,
//! `available_for_child` and the partial, validated PUT.

use super::{need_uuid, seg, Ctx};
use crate::catalog::ItemType;
use crate::errors::{ApiError, ApiResult};
use crate::http::Response;
use crate::state::{ItemKey, ItemState, Quota};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};

/// `edition` query: absent → legacy `standard` only, `*` → all, else that edition.
fn edition_filter(ctx: &Ctx) -> ApiResult<Option<String>> {
    match ctx.query("edition") {
        None => Ok(Some("standard".into())),
        Some(e) if e == "*" => Ok(None),
        Some(e) if ctx.st.catalog.editions.contains(&e) => Ok(Some(e)),
        Some(e) => Err(ApiError::bad_request(format!("Unknown edition `{e}`"))),
    }
}

fn listing(
    ctx: &Ctx,
    tid: &str,
    app: Option<&str>,
    child_kind: Option<&str>,
) -> ApiResult<Vec<Value>> {
    let ed = edition_filter(ctx)?;
    let mut out = Vec::new();
    for idx in ctx.st.available_instances(tid) {
        let inst = &ctx.st.instances[idx];
        let def = ctx.st.def(inst);
        if let Some(e) = &ed {
            if def.edition.as_deref() != Some(e.as_str()) {
                continue;
            }
        }
        if let Some(a) = app {
            if def.app_id != a {
                continue;
            }
        }
        if let Some(k) = child_kind {
            if !def.child_kinds.iter().any(|c| c == k)
                || !ctx.st.item_enabled(tid, &ctx.st.key_of(inst))
            {
                continue;
            }
        }
        out.push(ctx.st.item_json(tid, idx));
    }
    Ok(out)
}

pub fn list(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let tid = seg(ctx, 3);
    ctx.check_tenant(&auth, &tid)?;
    let items = listing(ctx, &tid, None, None)?;
    Ok(Response::json(200, &json!({"items": items})))
}

pub fn list_for_app(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let tid = seg(ctx, 3);
    let app = seg(ctx, 5);
    ctx.check_tenant(&auth, &tid)?;
    if ctx.st.catalog.app(&app).is_none() {
        return Err(ApiError::not_found(format!("Application {app} not found")));
    }
    let items = listing(ctx, &tid, Some(&app), None)?;
    Ok(Response::json(200, &json!({"items": items})))
}

pub fn available_for_child(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let tid = seg(ctx, 3);
    ctx.check_tenant(&auth, &tid)?;
    let kind = match ctx.query("kind") {
        Some(k) if matches!(k.as_str(), "partner" | "customer" | "folder" | "unit") => k,
        Some(k) => return Err(ApiError::bad_request(format!("Unknown tenant kind `{k}`"))),
        None => return Err(ApiError::bad_request("`kind` query parameter is required")),
    };
    let items = listing(ctx, &tid, None, Some(&kind))?;
    Ok(Response::json(200, &json!({"items": items})))
}

fn opt_nonneg(v: Option<&Value>, what: &str) -> ApiResult<Option<f64>> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(x) if x >= 0.0 => Ok(Some(x)),
            _ => Err(ApiError::bad_request(format!(
                "`{what}` must not be negative"
            ))),
        },
        Some(_) => Err(ApiError::bad_request(format!(
            "`{what}` must be a number or null"
        ))),
    }
}

pub fn update(ctx: &mut Ctx) -> ApiResult<Response> {
    let auth = ctx.auth()?;
    let tid = seg(ctx, 3);
    ctx.check_tenant(&auth, &tid)?;
    let b = ctx.body()?;
    let list = match b.get("offering_items") {
        Some(Value::Array(a)) => a.clone(),
        _ => return Err(ApiError::bad_request("`offering_items` must be an array")),
    };
    let enforce = ctx.st.enforce_hard_quota || ctx.fault("hard_quota").is_some();
    let available: HashSet<ItemKey> = ctx
        .st
        .available_instances(&tid)
        .into_iter()
        .map(|i| ctx.st.key_of(&ctx.st.instances[i]))
        .collect();
    let tenant = ctx
        .st
        .tenants
        .get(&tid)
        .cloned()
        .ok_or_else(|| ApiError::tenant_not_found(&tid))?;
    let mut work: HashMap<ItemKey, ItemState> = tenant.items.clone();
    let mut touched: Vec<(ItemKey, bool)> = Vec::new();
    for (n, it) in list.iter().enumerate() {
        let Value::Object(it) = it else {
            return Err(ApiError::bad_request(format!(
                "offering_items[{n}] must be an object"
            )));
        };
        let app_id = need_uuid(
            &format!("offering_items[{n}].application_id"),
            it.get("application_id"),
        )?;
        let name = it.get("name").and_then(Value::as_str).ok_or_else(|| {
            ApiError::bad_request(format!("offering_items[{n}].name is required"))
        })?;
        let def = ctx
            .st
            .catalog
            .item(name)
            .cloned()
            .ok_or_else(|| ApiError::bad_request(format!("Unknown offering item `{name}`")))?;
        if def.app_id != app_id {
            return Err(ApiError::bad_request(format!(
                "Offering item `{name}` does not belong to application {app_id}"
            )));
        }
        let infra = match (def.item_type, it.get("infra_id")) {
            (ItemType::Infra, None | Some(Value::Null)) => {
                return Err(ApiError::bad_request(format!(
                    "`infra_id` is required for infra offering item `{name}`"
                )))
            }
            (ItemType::Infra, v) => need_uuid("infra_id", v)?,
            (_, None | Some(Value::Null)) => String::new(),
            (_, Some(_)) => {
                return Err(ApiError::bad_request(format!(
                    "Offering item `{name}` is not bound to an infrastructure component"
                )))
            }
        };
        let status = match it.get("status") {
            None | Some(Value::Null) => 1,
            Some(v) => match v.as_f64() {
                Some(0.0) => 0u8,
                Some(1.0) => 1u8,
                _ => return Err(ApiError::bad_request("`status` must be 0 or 1")),
            },
        };
        let key: ItemKey = (name.to_string(), infra.clone());
        if !available.contains(&key) {
            return Err(ApiError::business(
                1021,
                "Offering item is not available",
                format!("Offering item `{name}` is not available for the tenant"),
            )
            .with_ctx(json!({"name": name, "infra_id": infra})));
        }
        if !tenant.apps.contains(&def.app_id) {
            return Err(ApiError::business(
                1026,
                "Cannot enable service",
                format!("Application of `{name}` is not enabled for the tenant"),
            ));
        }
        let mut state = work.get(&key).copied().unwrap_or(ItemState {
            status: 0,
            quota: Quota {
                value: None,
                overage: None,
                version: 0,
            },
        });
        match it.get("quota") {
            None | Some(Value::Null) => {}
            Some(Value::Object(q)) => {
                if def.item_type == ItemType::Feature {
                    return Err(ApiError::bad_request(format!(
                        "Feature offering item `{name}` cannot have a quota"
                    )));
                }
                let value = opt_nonneg(q.get("value"), "quota.value")?;
                let overage = opt_nonneg(q.get("overage"), "quota.overage")?;
                if let Some(v) = q.get("version") {
                    let given = v
                        .as_f64()
                        .ok_or_else(|| ApiError::bad_request("`quota.version` must be a number"))?;
                    if given as i64 != state.quota.version {
                        return Err(ApiError::version_mismatch(&tid)
                            .with_ctx(json!({"id": tid, "name": name})));
                    }
                }
                let usage = tenant.usage.get(&key).map(|u| u.absolute).unwrap_or(0.0);
                if enforce {
                    if let Some(v) = value {
                        if v + overage.unwrap_or(0.0) < usage {
                            return Err(ApiError::business(
                                1022,
                                "Hard quota exceeded",
                                format!("New limit of `{name}` is below current usage {usage}"),
                            ));
                        }
                    }
                }
                state.quota.value = value;
                state.quota.overage = overage;
                touched.push((key.clone(), true));
            }
            Some(_) => return Err(ApiError::bad_request("`quota` must be an object")),
        }
        state.status = status;
        touched.push((key.clone(), false));
        work.insert(key, state);
    }
    // Dependencies: an enabled child feature needs its parent item enabled.
    for (key, s) in &work {
        if s.status != 1 {
            continue;
        }
        if let Some(parent) = ctx.st.catalog.item(&key.0).and_then(|d| d.parent.clone()) {
            if !work
                .iter()
                .any(|((n, _), ps)| n == &parent && ps.status == 1)
            {
                return Err(ApiError::business(
                    1023,
                    "Offering items dependency error",
                    format!("`{}` requires `{parent}` to be enabled", key.0),
                ));
            }
        }
    }
    // At most one DR storage per tenant.
    let dr: HashSet<&String> = work
        .iter()
        .filter(|((n, infra), s)| {
            s.status == 1
                && !infra.is_empty()
                && ctx.st.catalog.item(n).and_then(|d| d.capability.as_deref())
                    == Some("disaster_recovery")
        })
        .map(|((_, infra), _)| infra)
        .collect();
    if dr.len() > 1 {
        return Err(ApiError::business(
            1015,
            "Infrastructure component conflict",
            "Only one disaster-recovery infrastructure per tenant",
        ));
    }
    let now_ms = ctx.cluster.clock.now_ms();
    let mut disabled = Vec::new();
    for (key, quota_changed) in &touched {
        if let Some(s) = work.get_mut(key) {
            if *quota_changed {
                s.quota.version = (s.quota.version + 1).max(now_ms);
            }
            if s.status == 0 {
                disabled.push(key.clone());
            }
        }
    }
    if let Some(t) = ctx.st.tenants.get_mut(&tid) {
        t.items = work;
    }
    for key in disabled {
        ctx.st.cascade_disable(&tid, &key);
    }
    let idxs = ctx.st.available_instances(&tid);
    let items: Vec<Value> = idxs
        .into_iter()
        .map(|i| ctx.st.item_json(&tid, i))
        .collect();
    Ok(Response::json(200, &json!({"items": items})))
}
